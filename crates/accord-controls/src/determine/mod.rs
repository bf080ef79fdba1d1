//! The determination engine: for one transaction and each jurisdiction, `prohibited`, `licence_required`,
//! `general_authorisation` or `no_licence_required`, with every rule, citation, item and party hit behind it.
//! Pure and deterministic for a given control list, policy set and set of party hits.

use crate::code::ControlCode;
use crate::model::{ControlEntry, ControlList, Jurisdiction};
use crate::policy::{
    Authorisation, Chart, Conditions, Effect, EndUse, FactValue, ItemKind, Place, Policy, PolicySet, Purpose,
    ReviewPath, Rule,
};
use crate::policy::{Field, PartyRole, country_code, reason_matches};
use accord_core::decimal::Decimal;
use accord_core::{Error, ErrorCode, Result};
use serde_json::json;

mod answer;
mod check;
mod eval;

pub use answer::determine;
use answer::*;
pub use check::CheckTransaction;

pub use accord_core::determination::{
    Determination, EndUseStatement, Item, ItemClassification, JurisdictionAnswer, NotAvailable, Outcome, Party,
    PartyHit, Reason, Transaction, Versions,
};

/// Most items in one transaction.
pub const MAX_ITEMS: usize = 200;
/// Most parties in one transaction.
pub const MAX_PARTIES: usize = 50;

/// The party screening behind a determination: the hits, the lists they were screened against and the threshold.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Screening {
    /// Hits above the threshold, for every party.
    pub hits: Vec<PartyHit>,
    /// The ids of the lists in force that the parties were screened against.
    pub lists: Vec<String>,
    /// The threshold used.
    pub threshold: f64,
}

/// A transaction checked against the control list and policies, ready to determine.
#[derive(Debug, Clone)]
pub struct CheckedTransaction {
    date: jiff::civil::Date,
    origin: Place,
    origin_code: String,
    end_use: EndUse,
    purpose: Purpose,
    items: Vec<CheckedItem>,
    parties: Vec<CheckedParty>,
    jurisdictions: Option<Vec<String>>,
    /// Where the goods end up: the destination, then the end users' and ultimate end users' countries.
    places: Vec<Place>,
    /// The control-list version and size the item entries index into.
    list_fingerprint: (String, usize),
}

#[derive(Debug, Clone)]
struct CheckedItem {
    code: Option<ControlCode>,
    /// Index of the governing entry in the list.
    entry: Option<usize>,
    origin: Place,
    origin_code: String,
    value: Option<Decimal>,
    currency: Option<String>,
}

/// A party after checks: role, name, country and type, ready for screening.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedParty {
    /// Its role.
    pub role: PartyRole,
    /// Its name.
    pub name: String,
    /// Its country, when given.
    pub country: Option<String>,
    /// `organization`, `person` or none.
    pub kind: Option<String>,
}

/// Who asks: a rule is judged conservatively (it may apply when a fact is unknown), an authorisation is granted
/// only when every condition surely holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Rule,
    Authorisation,
}

/// Why a condition did not hold (rendered only when an authorisation's refusal is explained).
#[derive(Debug, Clone)]
enum Miss {
    ItemKind,
    Code,
    CodeExcluded,
    CodeMaybeExcluded(String),
    Category,
    Regime,
    Reason,
    ReasonExcluded,
    ReasonsUnknown,
    Destination(usize),
    DestinationExcluded(usize),
    Origin,
    OriginExcluded,
    EndUse,
    EndUseExcluded,
    Purpose,
    PurposeExcluded,
    Parties,
    Before,
    After,
    ValueOver,
    ValueAtMost,
    ValueWithin,
    HasFact(usize),
    LacksFact(usize),
    FactBelow(usize, String),
}

struct Ctx<'a> {
    tx: &'a CheckedTransaction,
    list: &'a ControlList,
    set: &'a PolicySet,
    /// The jurisdiction whose mappings decide what is listed; none for the coalition's red lines.
    jurisdiction: Option<Jurisdiction>,
    policy: &'a Policy,
    hits: &'a [PartyHit],
    /// The lists the parties were screened against (none when they could not be screened).
    lists: Option<&'a [String]>,
}

/// What a chart rule found for one item.
#[derive(Default)]
struct ChartFinding {
    columns: u32,
    notes: Vec<String>,
    unresolved: Vec<String>,
    /// Per marked column: the words that limit it, and the paragraphs it comes from when the item is a heading.
    limits: Vec<(usize, ColumnLimit)>,
    /// Destinations whose row refers elsewhere, with the chart's words.
    refer: Vec<(String, String)>,
    /// The reasons came from the control list's own mapping, not the policy's facts.
    from_list: bool,
}

/// Why a marked column may not apply to the item as given.
enum ColumnLimit {
    /// The table's words limit the reason to part of what the code names.
    Words(String),
    /// The item is given by a heading and only these paragraphs below it carry the reason.
    Below(Vec<String>),
}

/// An item's reasons for control in one jurisdiction, with what limits them.
struct ItemReasons<'a> {
    list: Vec<&'a str>,
    /// Reason -> the table's words that limit it at the item's code.
    notes: Vec<(&'a str, &'a str)>,
    /// Reason -> the paragraphs below a heading that carry it (the heading itself does not).
    below: Vec<(&'a str, Vec<&'a ControlCode>)>,
    /// Taken from the control list's mapping, for want of facts.
    from_list: bool,
}

/// What a rule found when it fired on an item.
enum Fired {
    /// The conditions hold; `Some(why)` when they may hold but a fact is missing.
    Plain(Option<String>),
    Chart(ChartFinding),
    MissingReasons,
    MissingRow(String),
    /// The node holds no facts in force on the transaction date (its primary source is of a later issue).
    NoFactsOn(String),
}
