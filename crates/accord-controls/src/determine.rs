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
    date: String,
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

fn field_error(code: ErrorCode, field: &str, message: String) -> Error {
    Error::new(code, message).with_details(json!({ "field": field }))
}

fn place(field: &str, s: &str) -> Result<Place> {
    Place::parse(s.trim()).ok_or_else(|| {
        field_error(
            ErrorCode::UnknownCountry,
            field,
            format!(
                "{field}: '{}' is not an ISO 3166-1 alpha-2 country code (or a subdivision such as UA-43)",
                accord_core::ids::truncate(s)
            ),
        )
    })
}

fn non_negative(i: usize, name: &str, v: Option<Decimal>) -> Result<Option<Decimal>> {
    match v {
        Some(x) if x.is_negative() => {
            let field = format!("items[{i}].{name}");
            Err(Error::validation(&field, format!("{field} must be a non-negative number, got {x}")))
        }
        other => Ok(other),
    }
}

/// Checking a transaction against the control list and the policies before it is determined.
pub trait CheckTransaction {
    /// Checks every field against the control list and the policies: dates, countries, codes (an unknown code answers
    /// with the nearest codes), quantities, values, roles and jurisdictions.
    fn check(&self, list: &ControlList, policies: &PolicySet) -> Result<CheckedTransaction>;
}

impl CheckTransaction for Transaction {
    /// Checks every field against the control list and the policies: dates, countries, codes (an unknown code answers
    /// with the nearest codes), quantities, values, roles and jurisdictions.
    fn check(&self, list: &ControlList, policies: &PolicySet) -> Result<CheckedTransaction> {
        let place = |field: &str, s: &str| -> Result<Place> {
            let p = place(field, s)?;
            if let Some(r) = &p.region {
                let code = format!("{}-{r}", country_code(p.country));
                if policies.regions.binary_search(&code).is_err() {
                    return Err(field_error(
                        ErrorCode::UnknownCountry,
                        field,
                        format!(
                            "{field}: subdivision '{code}' is not one the policies know (known: {}); give the country alone",
                            policies.regions.join(", ")
                        ),
                    ));
                }
            }
            Ok(p)
        };
        text_field("end_use.statement", &self.end_use.statement, 2000)?;
        let date = self.date.trim();
        if date.len() != 10 || date.parse::<jiff::civil::Date>().is_err() {
            return Err(Error::validation(
                "date",
                format!("date: '{}' is not a date (YYYY-MM-DD)", accord_core::ids::truncate(date)),
            ));
        }
        let origin = place("origin", &self.origin)?;
        let destination = place("destination", &self.destination)?;
        let end_use = EndUse::parse(self.end_use.category.trim()).ok_or_else(|| {
            let all: Vec<&str> = EndUse::names();
            Error::validation(
                "end_use.category",
                format!(
                    "end_use.category: '{}' is not one of {}",
                    accord_core::ids::truncate(&self.end_use.category),
                    all.join(", ")
                ),
            )
        })?;
        let purpose = match self.purpose.as_deref().map(str::trim) {
            None | Some("") => Purpose::Sale,
            Some(p) => Purpose::parse(p).ok_or_else(|| {
                let all: Vec<&str> = Purpose::names();
                Error::validation(
                    "purpose",
                    format!("purpose: '{}' is not one of {}", accord_core::ids::truncate(p), all.join(", ")),
                )
            })?,
        };
        if self.items.is_empty() || self.items.len() > MAX_ITEMS {
            return Err(Error::validation(
                "items",
                format!("items: give between 1 and {MAX_ITEMS} items, not {}", self.items.len()),
            ));
        }
        let mut items = Vec::with_capacity(self.items.len());
        for (i, it) in self.items.iter().enumerate() {
            let (code, entry) = match it.code.as_deref().map(str::trim) {
                None | Some("") => (None, None),
                Some(c) => {
                    let (code, entry) = resolve(list, c).map_err(|e| {
                        let details = json!({ "field": format!("items[{i}].code"), "nearest": e.details.as_ref().and_then(|d| d.get("nearest")).cloned().unwrap_or_default() });
                        Error { message: format!("items[{i}].code: {}", e.message), details: Some(details), ..e }
                    })?;
                    (Some(code), Some(entry))
                }
            };
            non_negative(i, "quantity", it.quantity)?;
            let value = non_negative(i, "value", it.value)?;
            let currency = match it.currency.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(c) => Some(accord_core::currency::parse(c).ok_or_else(|| {
                    Error::validation(
                        &format!("items[{i}].currency"),
                        format!(
                            "items[{i}].currency: '{}' is not an ISO 4217 currency code in use, like EUR",
                            accord_core::ids::truncate(c)
                        ),
                    )
                })?),
            };
            match (value, &currency) {
                (Some(_), None) => {
                    return Err(Error::validation(
                        &format!("items[{i}].currency"),
                        format!("items[{i}].currency: a value needs its currency"),
                    ));
                }
                (Some(v), Some(c)) => accord_core::currency::check_minor_units(v, c)
                    .map_err(|e| Error::validation(&format!("items[{i}].value"), format!("items[{i}].value: {e}")))?,
                _ => {}
            }
            let (origin_place, origin_code) = match it.origin.as_deref() {
                Some(o) if !o.trim().is_empty() => (place(&format!("items[{i}].origin"), o)?, o.trim().to_owned()),
                _ => (origin.clone(), self.origin.trim().to_owned()),
            };
            text_field(&format!("items[{i}].description"), &it.description, 2000)?;
            items.push(CheckedItem { code, entry, origin: origin_place, origin_code, value, currency });
        }
        if self.parties.len() > MAX_PARTIES {
            return Err(Error::validation("parties", format!("parties: at most {MAX_PARTIES}")));
        }
        let mut parties = Vec::with_capacity(self.parties.len());
        let mut places = vec![destination.clone()];
        for (i, p) in self.parties.iter().enumerate() {
            let role = PartyRole::parse(p.role.trim()).ok_or_else(|| {
                let all: Vec<&str> = PartyRole::names();
                Error::validation(
                    &format!("parties[{i}].role"),
                    format!(
                        "parties[{i}].role: '{}' is not one of {}",
                        accord_core::ids::truncate(&p.role),
                        all.join(", ")
                    ),
                )
            })?;
            let name = accord_core::model::parse_name(&format!("parties[{i}].name"), &p.name)?;
            let country = match p.country.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(c) => {
                    let at = place(&format!("parties[{i}].country"), c)?;
                    if matches!(role, PartyRole::EndUser | PartyRole::UltimateEndUser) && !places.contains(&at) {
                        places.push(at);
                    }
                    Some(c.split('-').next().unwrap_or(c).to_owned())
                }
            };
            let kind = match p.r#type.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(k @ ("organization" | "person")) => Some(k.to_owned()),
                Some(k) => {
                    return Err(Error::validation(
                        &format!("parties[{i}].type"),
                        format!("parties[{i}].type: '{}' is not organization or person", accord_core::ids::truncate(k)),
                    ));
                }
            };
            parties.push(CheckedParty { role, name, country, kind });
        }
        let jurisdictions = match &self.jurisdictions {
            None => None,
            Some(js) => {
                let known = policies.jurisdictions();
                let mut out: Vec<String> = Vec::new();
                for (i, j) in js.iter().enumerate() {
                    let j = j.trim().to_ascii_uppercase();
                    if !known.contains(&j.as_str()) {
                        return Err(Error::new(
                            ErrorCode::UnknownJurisdiction,
                            format!(
                                "jurisdictions[{i}]: no policy is loaded for '{}' (loaded: {})",
                                accord_core::ids::truncate(&j),
                                known.join(", ")
                            ),
                        )
                        .with_details(json!({ "field": format!("jurisdictions[{i}]"), "known": known })));
                    }
                    if !out.contains(&j) {
                        out.push(j);
                    }
                }
                if out.is_empty() {
                    return Err(Error::validation(
                        "jurisdictions",
                        "jurisdictions: name at least one, or leave the field out",
                    ));
                }
                Some(out)
            }
        };
        Ok(CheckedTransaction {
            date: date.to_owned(),
            origin,
            origin_code: self.origin.trim().to_owned(),
            end_use,
            purpose,
            items,
            parties,
            jurisdictions,
            places,
            list_fingerprint: (list.info().version.clone(), list.len()),
        })
    }
}

/// Checks free text: at most `max` characters, no control or bidirectional-override characters (new lines allowed).
fn text_field(field: &str, s: &str, max: usize) -> Result<()> {
    let mut n = 0usize;
    for c in s.chars() {
        n += 1;
        if n > max {
            return Err(Error::validation(field, format!("{field} is longer than {max} characters")));
        }
        if (c.is_control() && c != '\n' && c != '\t') || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
        {
            return Err(Error::validation(
                field,
                format!("{field} contains a control or direction-override character (U+{:04X})", c as u32),
            ));
        }
    }
    Ok(())
}

/// Longest control code accepted (the deepest real codes are about 20 characters).
const MAX_CODE_CHARS: usize = 40;

/// The code and the index of the entry that governs it: the entry itself, or the nearest heading above it.
fn resolve(list: &ControlList, input: &str) -> Result<(ControlCode, usize)> {
    let unknown = |message: String| {
        let nearest: Vec<String> = list.nearest(input, 5).iter().map(ToString::to_string).collect();
        Error::new(
            ErrorCode::UnknownControlCode,
            format!("{message}; nearest: {}", if nearest.is_empty() { "none".to_owned() } else { nearest.join(", ") }),
        )
        .with_details(json!({ "nearest": nearest }))
    };
    if input.chars().count() > MAX_CODE_CHARS {
        return Err(Error::new(
            ErrorCode::UnknownControlCode,
            format!(
                "'{}' is longer than any control code ({MAX_CODE_CHARS} characters at most)",
                accord_core::ids::truncate(input)
            ),
        )
        .with_details(json!({ "nearest": [] })));
    }
    let code = ControlCode::parse(input).map_err(|e| unknown(e.message))?;
    let mut c = Some(code.clone());
    while let Some(k) = c {
        if let Some(i) = list.position(&k) {
            return Ok((code, i));
        }
        c = k.parent();
    }
    Err(unknown(format!("'{code}' is not on the control list version '{}'", list.info().version)))
}

impl CheckedTransaction {
    /// The parties, for screening.
    pub fn parties(&self) -> &[CheckedParty] {
        &self.parties
    }

    /// The transaction date.
    pub fn date(&self) -> &str {
        &self.date
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Evaluation.

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

fn item_matches(want: ItemKind, got: ItemKind) -> bool {
    match want {
        ItemKind::Any => true,
        ItemKind::NotListed => matches!(got, ItemKind::Unlisted | ItemKind::Unmapped),
        w => w == got,
    }
}

impl<'a> Ctx<'a> {
    fn entry(&self, item: &CheckedItem) -> Option<&'a ControlEntry> {
        item.entry.map(|i| &self.list.entries()[i])
    }

    /// The entry (itself or above) that carries this jurisdiction's mapping, and the mapping.
    fn mapping(&self, item: &CheckedItem) -> Option<(&'a ControlEntry, &'a crate::model::Mapping)> {
        let j = self.jurisdiction?;
        let mut e = self.entry(item)?;
        loop {
            if let Some(m) = e.mapping(j) {
                return Some((e, m));
            }
            let parent = e.code.parent()?;
            e = self.list.entries().get(self.list.position(&parent)?)?;
        }
    }

    /// Listed, unmapped or unlisted; for the coalition, any code is listed.
    fn kind_of(&self, item: &CheckedItem) -> ItemKind {
        match (&item.code, self.jurisdiction) {
            (None, _) => ItemKind::Unlisted,
            (Some(_), None) => ItemKind::Listed,
            (Some(_), Some(_)) if self.mapping(item).is_some() => ItemKind::Listed,
            (Some(_), Some(_)) => ItemKind::Unmapped,
        }
    }

    /// The item's reasons for control in this jurisdiction: the policy's facts table (for a heading, with the
    /// reasons of every paragraph below it), else the control list's mapping.
    fn reasons(&self, item: &CheckedItem) -> Option<ItemReasons<'a>> {
        let (entry, m) = self.mapping(item)?;
        let code =
            item.code.as_ref().filter(|c| entry.code.is_ancestor_of(c) || **c == entry.code).unwrap_or(&entry.code);
        if let Some(f) = self.policy.reasons_from {
            let facts = &self.set.facts[f];
            let own = facts.get(code);
            let mut below = facts.below(code).peekable();
            if own.is_some() || below.peek().is_some() {
                let mut out = ItemReasons { list: Vec::new(), notes: Vec::new(), below: Vec::new(), from_list: false };
                if let Some((key, FactValue::Reasons(r))) = own {
                    for reason in r {
                        out.list.push(reason);
                        if let Some(n) = facts.note(key, reason) {
                            out.notes.push((reason, n));
                        }
                    }
                }
                for (key, value) in below {
                    let FactValue::Reasons(r) = value else { continue };
                    for reason in r {
                        if out.list.contains(&reason.as_str()) && !out.below.iter().any(|(b, _)| b == reason) {
                            continue;
                        }
                        if !out.list.contains(&reason.as_str()) {
                            out.list.push(reason);
                        }
                        match out.below.iter_mut().find(|(b, _)| b == reason) {
                            Some((_, codes)) => codes.push(key),
                            None => out.below.push((reason, vec![key])),
                        }
                    }
                }
                return Some(out);
            }
        }
        (!m.reasons.is_empty()).then(|| ItemReasons {
            list: m.reasons.iter().map(String::as_str).collect(),
            notes: Vec::new(),
            below: Vec::new(),
            from_list: true,
        })
    }

    /// The total value, in the facts table's currency, of the items of the order that share this item's limit.
    fn order_value(&self, facts: &crate::policy::Facts, key: &ControlCode) -> Option<Decimal> {
        let mut total = Decimal::ZERO;
        for other in &self.tx.items {
            let Some(code) = &other.code else { continue };
            if facts.get(code).map(|(k, _)| k) != Some(key) {
                continue;
            }
            match (other.value, &other.currency, &facts.currency) {
                (Some(v), Some(c), Some(fc)) if c == fc => total += v,
                (Some(v), _, None) => total += v,
                _ => return None,
            }
        }
        Some(total)
    }

    fn check(&self, w: &Conditions, item: Option<&CheckedItem>, mode: Mode) -> Result<Option<String>, Miss> {
        let tx = self.tx;
        let mut partial = None;
        if let Some(from) = &w.from
            && tx.date.as_str() < from.as_str()
        {
            return Err(Miss::Before);
        }
        if let Some(until) = &w.until
            && tx.date.as_str() >= until.as_str()
        {
            return Err(Miss::After);
        }
        let origin = item.map_or(&tx.origin, |i| &i.origin);
        if let Some(s) = &w.origins
            && !s.contains(origin)
        {
            return Err(Miss::Origin);
        }
        if let Some(s) = &w.origins_not
            && s.contains(origin)
        {
            return Err(Miss::OriginExcluded);
        }
        if !w.end_uses.is_empty() && !w.end_uses.contains(&tx.end_use) {
            return Err(Miss::EndUse);
        }
        if w.end_uses_not.contains(&tx.end_use) {
            return Err(Miss::EndUseExcluded);
        }
        if !w.purposes.is_empty() && !w.purposes.contains(&tx.purpose) {
            return Err(Miss::Purpose);
        }
        if w.purposes_not.contains(&tx.purpose) {
            return Err(Miss::PurposeExcluded);
        }
        if w.parties.is_some() && self.party_hits(w).is_empty() {
            return Err(Miss::Parties);
        }
        // Places after the transaction's own conditions (a miss here means the end use and parties held), before
        // the item's (a cheap test that spares the code sets).
        self.places(w, mode)?;
        let Some(item) = item else { return Ok(None) };
        if !item_matches(w.item, self.kind_of(item)) {
            return Err(Miss::ItemKind);
        }
        let code = item.code.as_ref();
        if !w.codes.is_empty() && !code.is_some_and(|c| w.codes.covers(c)) {
            // A heading above a listed sub-item may or may not be that sub-item.
            match (mode, code.and_then(|c| w.codes.first_below(c))) {
                (Mode::Rule, Some(p)) => {
                    partial = Some(format!("only {p} is covered; give the sub-item's code to know"))
                }
                _ => return Err(Miss::Code),
            }
        }
        if code.is_some_and(|c| w.codes_not.covers(c)) {
            return Err(Miss::CodeExcluded);
        }
        if mode == Mode::Authorisation
            && let Some(p) = code.and_then(|c| w.codes_not.first_below(c))
        {
            return Err(Miss::CodeMaybeExcluded(p.to_string()));
        }
        if !w.categories.is_empty() && !code.is_some_and(|c| w.categories.contains(&c.category())) {
            return Err(Miss::Category);
        }
        if !w.regimes.is_empty() && !self.entry(item).is_some_and(|e| e.regimes.iter().any(|r| w.regimes.contains(r))) {
            return Err(Miss::Regime);
        }
        if !w.reasons.is_empty() || !w.reasons_not.is_empty() {
            match (self.reasons(item), mode) {
                (None, Mode::Authorisation) => return Err(Miss::ReasonsUnknown),
                (None, Mode::Rule) => {
                    if !w.reasons.is_empty() {
                        partial = Some("the item's reasons for control are not in the data".to_owned());
                    }
                }
                (Some(reasons), _) => {
                    if !w.reasons.is_empty()
                        && !reasons.list.iter().any(|r| w.reasons.iter().any(|want| reason_matches(want, r)))
                    {
                        return Err(Miss::Reason);
                    }
                    if reasons.list.iter().any(|r| w.reasons_not.iter().any(|want| reason_matches(want, r))) {
                        return Err(Miss::ReasonExcluded);
                    }
                }
            }
        }
        if let Some(m) = &w.value_over {
            let known = matches!((item.value, &item.currency), (Some(_), Some(c)) if *c == m.currency);
            if known && item.value.is_some_and(|v| v <= m.amount) || (!known && mode == Mode::Authorisation) {
                return Err(Miss::ValueOver);
            }
        }
        if let Some(m) = &w.value_at_most
            && !matches!((item.value, &item.currency), (Some(v), Some(c)) if *c == m.currency && v <= m.amount)
        {
            return Err(Miss::ValueAtMost);
        }
        if let Some(f) = w.value_within {
            let facts = &self.set.facts[f];
            let fits = code.and_then(|c| facts.get(c)).is_some_and(|(key, limit)| match limit {
                FactValue::Number(l) => self.order_value(facts, key).is_some_and(|total| total <= *l),
                _ => false,
            });
            if !fits {
                return Err(Miss::ValueWithin);
            }
        }
        if let Some(f) = w.has_fact
            && code.is_none_or(|c| self.set.facts[f].get(c).is_none())
        {
            return Err(Miss::HasFact(f));
        }
        if let Some(f) = w.lacks_fact {
            if code.is_some_and(|c| self.set.facts[f].get(c).is_some()) {
                return Err(Miss::LacksFact(f));
            }
            if mode == Mode::Authorisation
                && let Some(below) = code.and_then(|c| self.set.facts[f].first_below(c))
            {
                return Err(Miss::FactBelow(f, below.to_string()));
            }
        }
        Ok(partial)
    }

    /// Where the goods end up: a rule holds when the goods end up in one of its places; an authorisation only when
    /// all of them are.
    fn places(&self, w: &Conditions, mode: Mode) -> Result<(), Miss> {
        let tx = self.tx;
        if let Some(set) = &w.destinations {
            match mode {
                Mode::Rule if !tx.places.iter().any(|p| set.contains(p)) => return Err(Miss::Destination(0)),
                Mode::Authorisation => {
                    if let Some(i) = tx.places.iter().position(|p| !set.contains(p)) {
                        return Err(Miss::Destination(i));
                    }
                }
                Mode::Rule => {}
            }
        }
        if let Some(set) = &w.destinations_not {
            match mode {
                Mode::Rule if tx.places.iter().all(|p| set.contains(p)) => return Err(Miss::DestinationExcluded(0)),
                Mode::Authorisation => {
                    if let Some(i) = tx.places.iter().position(|p| set.contains(p)) {
                        return Err(Miss::DestinationExcluded(i));
                    }
                }
                Mode::Rule => {}
            }
        }
        Ok(())
    }

    fn party_hits(&self, w: &Conditions) -> Vec<usize> {
        let Some(p) = &w.parties else { return Vec::new() };
        self.hits
            .iter()
            .enumerate()
            .filter(|(_, h)| {
                h.in_force
                    && (p.lists.is_empty() || p.lists.contains(&h.list_id))
                    && (p.id_prefixes.is_empty() || p.id_prefixes.iter().any(|x| h.entity_id.starts_with(x.as_str())))
                    && (p.programs.is_empty() || h.programs.iter().any(|g| p.programs.contains(g)))
                    && (p.roles.is_empty()
                        || self.tx.parties.get(h.party).is_some_and(|party| p.roles.contains(&party.role)))
            })
            .map(|(i, _)| i)
            .collect()
    }

    /// The lists a party rule needs that were not screened, when the parties were screened at all.
    fn lists_missing(&self, w: &Conditions) -> Option<Vec<String>> {
        let (p, loaded) = (w.parties.as_ref()?, self.lists?);
        if self.tx.parties.is_empty() || p.lists.is_empty() || p.lists.iter().any(|l| loaded.contains(l)) {
            return None;
        }
        Some(p.lists.clone())
    }

    fn chart(&self, chart: &Chart, item: &CheckedItem) -> Fired {
        let date = self.tx.date.as_str();
        let facts = self.policy.reasons_from.map(|f| &self.set.facts[f]);
        for (what, from) in [("chart", &chart.name, &chart.valid_from)]
            .into_iter()
            .map(|(w, n, f)| ((w, n.as_str()), f))
            .chain(facts.map(|f| (("facts table", f.name.as_str()), &f.valid_from)))
        {
            if let Some(from) = from.as_deref().filter(|f| date < *f) {
                return Fired::NoFactsOn(format!(
                    "the node holds {} '{}' as of its primary source's issue of {from} and none in force on {date}",
                    what.0, what.1
                ));
            }
        }
        let Some(reasons) = self.reasons(item) else { return Fired::MissingReasons };
        let mut rows = 0u32;
        let mut found = ChartFinding { from_list: reasons.from_list, ..ChartFinding::default() };
        for p in &self.tx.places {
            if let Some(words) = chart.refers(p) {
                found.refer.push((place_name(p), words.to_owned()));
                continue;
            }
            match chart.row(p) {
                Some(r) => rows |= r,
                None => return Fired::MissingRow(place_name(p)),
            }
        }
        for r in &reasons.list {
            let column = match chart.column(r) {
                Some(c) => c,
                None => match chart.bare_reasons.iter().find(|(b, _)| b == r) {
                    Some((_, c)) => {
                        found.notes.push(format!("{r} (no column in the list) read as {}", chart.columns[*c]));
                        *c
                    }
                    None if chart.handled_elsewhere.iter().any(|h| h == r) => continue,
                    None => {
                        found.unresolved.push((*r).to_owned());
                        continue;
                    }
                },
            };
            if rows & (1 << column) != 0 {
                found.columns |= 1 << column;
                if let Some((_, codes)) = reasons.below.iter().find(|(b, _)| b == r) {
                    found.limits.push((column, ColumnLimit::Below(codes.iter().map(ToString::to_string).collect())));
                } else if let Some((_, words)) = reasons.notes.iter().find(|(b, _)| b == r) {
                    found.limits.push((column, ColumnLimit::Words((*words).to_owned())));
                }
            }
        }
        Fired::Chart(found)
    }

    fn fire(&self, rule: &Rule, item: Option<&CheckedItem>) -> Result<Fired, Miss> {
        let partial = self.check(&rule.when, item, Mode::Rule)?;
        match (rule.when.chart, item) {
            (Some(c), Some(item)) => Ok(self.chart(&self.set.charts[c], item)),
            _ => Ok(Fired::Plain(partial)),
        }
    }

    fn place_label(&self, i: usize) -> String {
        match (i, self.tx.places.get(i)) {
            (0, Some(p)) => place_name(p),
            (_, Some(p)) => format!("{} (an end user's country)", place_name(p)),
            _ => "the destination".to_owned(),
        }
    }

    fn explain(&self, miss: Miss, a: &Authorisation, item: &CheckedItem) -> String {
        let code = item.code.as_ref().map_or_else(|| "an unlisted item".to_owned(), ToString::to_string);
        let id = &a.id;
        match miss {
            Miss::ItemKind => format!("{id} covers other kinds of items than {code}"),
            Miss::Code => format!("{code} is not among the items {id} covers"),
            Miss::CodeExcluded => format!("{code} is excluded from {id}"),
            Miss::CodeMaybeExcluded(p) => {
                format!("{code} may be {p}, which is excluded from {id}; give the sub-item's code")
            }
            Miss::Category => format!("{code} is not in a category {id} covers"),
            Miss::Regime => format!("{code} is not controlled by a regime {id} covers"),
            Miss::Reason => format!("{code} is not controlled for a reason {id} covers"),
            Miss::ReasonExcluded => format!("{code} is controlled for a reason that excludes {id}"),
            Miss::ReasonsUnknown => {
                format!("the reasons for control of {code} are not in the data, so {id} cannot be checked")
            }
            Miss::Destination(i) => format!("{} is not a destination of {id}", self.place_label(i)),
            Miss::DestinationExcluded(i) => format!("{} is excluded from {id}", self.place_label(i)),
            Miss::Origin => format!("{id} may not be used for items from {}", item.origin_code),
            Miss::OriginExcluded => format!("items from {} are excluded from {id}", item.origin_code),
            Miss::EndUse => format!("{id} is not for a {} end use", self.tx.end_use.as_str()),
            Miss::EndUseExcluded => format!("{id} may not be used for a {} end use", self.tx.end_use.as_str()),
            Miss::Purpose => format!("{id} is only for other purposes than {}", self.tx.purpose.as_str()),
            Miss::PurposeExcluded => format!("{id} may not be used for {}", self.tx.purpose.as_str()),
            Miss::Parties => format!("{id} needs a party condition the parties do not meet"),
            Miss::Before => format!("{id} was not yet in force on {}", self.tx.date),
            Miss::After => format!("{id} was no longer in force on {}", self.tx.date),
            Miss::ValueOver => format!("the value of {code} is not over the threshold of {id}"),
            Miss::ValueAtMost => match (&a.when.value_at_most, item.value, &item.currency) {
                (Some(m), Some(v), Some(c)) if *c == m.currency => {
                    format!("the value {v} {c} exceeds the {} {} limit of {id}", m.amount, m.currency)
                }
                (Some(m), Some(_), Some(c)) => format!("the value is in {c}; the limit of {id} is in {}", m.currency),
                _ => format!("{id} has a value limit and the item's value is not given"),
            },
            Miss::ValueWithin => {
                let Some(facts) = a.when.value_within.map(|f| &self.set.facts[f]) else {
                    return format!("{id} value limit not met");
                };
                let limit = item.code.as_ref().and_then(|c| facts.get(c));
                let fc = facts.currency.as_deref().unwrap_or("");
                match (limit, item.value, &item.currency) {
                    (None, _, _) => format!("no {id} value limit for {code} in the data ({})", facts.name),
                    (_, None, _) => format!("{id} has a value limit and the item's value is not given"),
                    (Some((_, _)), Some(_), Some(c)) if !fc.is_empty() && c != fc => {
                        format!("the value is in {c}; the {id} limit is in {fc}")
                    }
                    (Some((at, FactValue::Number(l))), Some(_), _) => {
                        let total = self.order_value(facts, at).map_or_else(|| "unknown".to_owned(), |t| t.to_string());
                        format!("the order's value of {total} {fc} for {at} exceeds the {id} limit of {l} {fc}")
                    }
                    _ => format!("{id} value limit not met"),
                }
            }
            Miss::HasFact(f) => {
                format!("{code} is not eligible for {id} ({}: {})", self.set.facts[f].name, self.set.facts[f].citation)
            }
            Miss::LacksFact(f) => {
                format!("{code} is excluded from {id} ({}: {})", self.set.facts[f].name, self.set.facts[f].citation)
            }
            Miss::FactBelow(f, below) => format!(
                "{code} may be {below}, which is excluded from {id} ({}); give the sub-item's code",
                self.set.facts[f].name
            ),
        }
    }
}

fn place_name(p: &Place) -> String {
    match &p.region {
        Some(r) => format!("{}-{r}", country_code(p.country)),
        None => country_code(p.country),
    }
}

fn item_label(ctx: &Ctx, i: usize, item: &CheckedItem) -> String {
    match (&item.code, ctx.mapping(item)) {
        (Some(c), Some((_, m))) if m.code != c.to_string() => {
            format!("item {i} ({c}, {} {})", ctx.jurisdiction.map_or("", |j| j.as_str()), m.code)
        }
        (Some(c), _) => format!("item {i} ({c})"),
        (None, _) => format!("item {i} (not listed)"),
    }
}

/// A reason from a rule, with the fields every reason shares.
fn reason(rule: &Rule, outcome: Outcome, item: Option<usize>, detail: String, citation: String) -> Reason {
    Reason {
        rule: rule.id.clone(),
        outcome,
        citation,
        item,
        detail,
        missing_data: rule.missing_data,
        lifted_by: None,
        party_hits: Vec::new(),
    }
}

/// The party hits behind a rule and their words for the detail.
fn party_detail(ctx: &Ctx, rule: &Rule) -> (Vec<usize>, String) {
    let hits = ctx.party_hits(&rule.when);
    let mut words = String::new();
    for &h in &hits {
        let hit = &ctx.hits[h];
        let party = ctx.tx.parties.get(hit.party);
        words.push_str(&format!(
            " — {} '{}' matches {} {} '{}' (score {:.2})",
            party.map_or("party", |p| p.role.as_str()),
            party.map_or("", |p| p.name.as_str()),
            hit.list_id,
            hit.entity_id,
            hit.matched_name,
            hit.score
        ));
    }
    (hits, words)
}

/// The condition a miss failed on, when that condition reads named facts.
fn miss_field(m: &Miss) -> Option<Field> {
    Some(match m {
        Miss::Destination(_) => Field::Destinations,
        Miss::DestinationExcluded(_) => Field::DestinationsNot,
        Miss::Origin => Field::Origins,
        Miss::OriginExcluded => Field::OriginsNot,
        Miss::Code => Field::Codes,
        Miss::CodeExcluded | Miss::CodeMaybeExcluded(_) => Field::CodesNot,
        Miss::ValueWithin | Miss::HasFact(_) | Miss::LacksFact(_) | Miss::FactBelow(..) => Field::Facts,
        _ => return None,
    })
}

/// Records the unverified facts (and the rule's own unverified logic) an answer rested on: every one a rule or
/// authorisation read when it applied (`field` None), or the one whose condition kept it from applying.
fn rely(relied: &mut Vec<String>, id: &str, w: &Conditions, own: Option<&String>, field: Option<Option<Field>>) {
    let mut any = false;
    for (f, name) in &w.unverified {
        if field.is_none_or(|want| want == Some(*f)) {
            any = true;
            if !relied.contains(name) {
                relied.push(name.clone());
            }
        }
    }
    if let Some(note) = own
        && (field.is_none() || any)
    {
        let line = format!("rule '{id}': {note}");
        if !relied.contains(&line) {
            relied.push(line);
        }
    }
}

fn reasons_for(
    ctx: &Ctx,
    labels: &[std::cell::OnceCell<String>],
    rule: &Rule,
    out: &mut Vec<Reason>,
    relied: &mut Vec<String>,
) {
    let effect = match rule.effect {
        Effect::Prohibited => Outcome::Prohibited,
        Effect::LicenceRequired => Outcome::LicenceRequired,
    };
    if let Some(lists) = ctx.lists_missing(&rule.when) {
        out.push(Reason {
            missing_data: true,
            ..reason(
                rule,
                Outcome::LicenceRequired,
                None,
                format!(
                    "{} — but the parties could not be checked: {} {} not in force on this node; a licence is assumed to be required until they are",
                    rule.summary,
                    lists.join(", "),
                    if lists.len() == 1 { "is" } else { "are" }
                ),
                rule.citation.clone(),
            )
        });
        return;
    }
    let items: Vec<(Option<usize>, Option<&CheckedItem>)> = if rule.per_item {
        ctx.tx.items.iter().enumerate().map(|(i, it)| (Some(i), Some(it))).collect()
    } else {
        vec![(None, None)]
    };
    for (index, item) in items {
        let fired = match ctx.fire(rule, item) {
            Ok(f) => f,
            Err(miss) => {
                // A catch-all that did not apply because of an unverified list decided the answer as much as one
                // that did; other rules' misses (a destination outside a ban) are not reported.
                let catch_all = !rule.when.end_uses.is_empty() || rule.when.parties.is_some();
                if catch_all && !rule.when.unverified.is_empty() {
                    rely(relied, &rule.id, &rule.when, rule.unverified.as_ref(), Some(miss_field(&miss)));
                }
                continue;
            }
        };
        rely(relied, &rule.id, &rule.when, rule.unverified.as_ref(), None);
        if let Fired::Chart(f) = &fired
            && f.columns == 0
            && f.refer.is_empty()
            && f.unresolved.is_empty()
            && !f.from_list
        {
            continue;
        }
        let label = match (index, item) {
            (Some(i), Some(it)) => format!("{}: ", labels[i].get_or_init(|| item_label(ctx, i, it))),
            _ => String::new(),
        };
        let (party_hits, party_words) = party_detail(ctx, rule);
        match fired {
            Fired::Plain(None) => out.push(Reason {
                party_hits,
                ..reason(rule, effect, index, format!("{label}{}{party_words}", rule.summary), rule.citation.clone())
            }),
            Fired::Plain(Some(why)) => {
                let verb = if effect == Outcome::Prohibited { "may be prohibited" } else { "may need a licence" };
                out.push(Reason {
                    missing_data: true,
                    party_hits,
                    ..reason(
                        rule,
                        Outcome::LicenceRequired,
                        index,
                        format!("{label}{verb}: {} — {why}{party_words}", rule.summary),
                        rule.citation.clone(),
                    )
                });
            }
            Fired::Chart(found) => {
                let Some(chart) = rule.when.chart.map(|c| &ctx.set.charts[c]) else { continue };
                if found.from_list {
                    let line = format!(
                        "reasons for control of {} taken from the control list '{}', not from a primary-source facts table",
                        label.trim_end_matches([':', ' ']),
                        ctx.list.info().version
                    );
                    if !relied.contains(&line) {
                        relied.push(line);
                    }
                }
                let places: Vec<String> = ctx.tx.places.iter().map(place_name).collect();
                let notes =
                    if found.notes.is_empty() { String::new() } else { format!(" ({})", found.notes.join("; ")) };
                for (place, words) in &found.refer {
                    out.push(Reason {
                        rule: format!("{}:refer", rule.id),
                        ..reason(
                            rule,
                            effect,
                            index,
                            format!("{label}the {} has no columns for {place}: \"{words}\"", chart.name),
                            chart.citation.clone(),
                        )
                    });
                }
                for (c, column) in chart.columns.iter().enumerate() {
                    if found.columns & (1 << c) != 0 {
                        let (limit, partial) = match found.limits.iter().find(|(k, _)| *k == c).map(|(_, l)| l) {
                            Some(ColumnLimit::Below(codes)) => (
                                format!(
                                    "; only {} carry {column}: give the sub-item's code to know",
                                    codes.join(", ")
                                ),
                                true,
                            ),
                            Some(ColumnLimit::Words(words)) => (format!("; the ECCN's table limits it: \"{}\"", clip(words)), false),
                            None => (String::new(), false),
                        };
                        out.push(Reason {
                            rule: format!("{}:{column}", rule.id),
                            missing_data: rule.missing_data || partial,
                            ..reason(
                                rule,
                                effect,
                                index,
                                format!(
                                    "{label}{} — {column} marked for {} in {}{notes}{limit}",
                                    rule.summary,
                                    places.join(", "),
                                    chart.name
                                ),
                                format!("{}; {}", chart.column_citations[c], chart.citation),
                            )
                        });
                    }
                }
                for r in found.unresolved {
                    out.push(Reason {
                        missing_data: true,
                        ..reason(
                            rule,
                            Outcome::LicenceRequired,
                            index,
                            format!("{label}reason for control {r} has no column in {} and no rule judges it; a licence is assumed to be required — see the ECCN's License Requirements", chart.name),
                            rule.citation.clone(),
                        )
                    });
                }
            }
            Fired::MissingReasons => {
                let facts = ctx.policy.reasons_from.map_or("none", |f| ctx.set.facts[f].name.as_str());
                out.push(Reason {
                    missing_data: true,
                    ..reason(
                        rule,
                        Outcome::LicenceRequired,
                        index,
                        format!(
                            "{label}its reasons for control are not in the data (control list '{}', facts table '{facts}'); a licence is assumed to be required until they are known",
                            ctx.list.info().version
                        ),
                        rule.citation.clone(),
                    )
                });
            }
            Fired::NoFactsOn(why) => out.push(Reason {
                missing_data: true,
                ..reason(
                    rule,
                    Outcome::LicenceRequired,
                    index,
                    format!("{label}{why}; a licence is assumed to be required — check the regulation as it stood on that day"),
                    rule.citation.clone(),
                )
            }),
            Fired::MissingRow(place) => out.push(Reason {
                missing_data: true,
                ..reason(
                    rule,
                    Outcome::LicenceRequired,
                    index,
                    format!("{label}the chart has no row for {place}; a licence is assumed to be required"),
                    rule.citation.clone(),
                )
            }),
        }
    }
}

/// Long words cut to a readable length.
fn clip(s: &str) -> String {
    const MAX: usize = 240;
    if s.chars().count() <= MAX {
        return s.to_owned();
    }
    let cut: String = s.chars().take(MAX).collect();
    format!("{}…", cut.trim_end())
}

fn chart_of<'a>(set: &'a PolicySet, policy: &Policy, rule_id: &str) -> Option<&'a Chart> {
    policy.rules.iter().find(|r| r.id == rule_id).and_then(|r| r.when.chart).map(|c| &set.charts[c])
}

/// Whether an authorisation may lift one reason.
fn lifts(set: &PolicySet, policy: &Policy, a: &Authorisation, r: &Reason) -> bool {
    if r.missing_data || r.outcome != Outcome::LicenceRequired {
        return false;
    }
    let (base, column) = match r.rule.split_once(':') {
        Some((b, c)) => match chart_of(set, policy, b) {
            // A row that refers elsewhere is no column: no authorisation lifts it.
            Some(chart) if chart.column(c).is_none() => return false,
            Some(_) => (b, Some(c)),
            None => (r.rule.as_str(), None),
        },
        _ => (r.rule.as_str(), None),
    };
    a.lifts.iter().any(|l| l == base)
        && match column {
            Some(c) => a.lifts_reasons.is_empty() || a.lifts_reasons.iter().any(|w| reason_matches(w, c)),
            None => true,
        }
}

fn answer(ctx: &Ctx, coalition: Option<&Ctx>, applies_because: String) -> JurisdictionAnswer {
    let mut reasons = Vec::new();
    let mut relied = Vec::new();
    // Item labels are made once per answer, and only for the items a rule speaks of.
    let labels =
        |c: &Ctx| -> Vec<std::cell::OnceCell<String>> { c.tx.items.iter().map(|_| Default::default()).collect() };
    let own = labels(ctx);
    for rule in &ctx.policy.rules {
        reasons_for(ctx, &own, rule, &mut reasons, &mut relied);
    }
    if let Some(c) = coalition {
        let theirs = labels(c);
        for rule in &c.policy.rules {
            reasons_for(c, &theirs, rule, &mut reasons, &mut relied);
        }
    }
    // A licence requirement on the whole transaction (a listed party, parties not screened) leaves no general
    // authorisation for any item.
    let blocking =
        reasons.iter().find(|r| r.item.is_none() && r.outcome == Outcome::LicenceRequired).map(|r| r.rule.clone());
    let mut general_authorisations: Vec<String> = Vec::new();
    let mut obligations: Vec<String> = Vec::new();
    let mut not_available = Vec::new();
    let mut granted: Vec<Reason> = Vec::new();
    for (i, item) in ctx.tx.items.iter().enumerate() {
        let needs: Vec<usize> = reasons
            .iter()
            .enumerate()
            .filter(|(_, r)| r.item == Some(i) && r.outcome == Outcome::LicenceRequired)
            .map(|(k, _)| k)
            .collect();
        if needs.is_empty() || reasons.iter().any(|r| r.item == Some(i) && r.outcome == Outcome::Prohibited) {
            continue;
        }
        let mut chosen = None;
        for a in &ctx.policy.authorisations {
            if !needs.iter().any(|&k| lifts(ctx.set, ctx.policy, a, &reasons[k])) {
                continue;
            }
            if let Some(rule) = &blocking {
                let why = format!("{rule} applies to the whole transaction; {} cannot be used", a.id);
                not_available.push(NotAvailable { authorisation: a.id.clone(), item: i, why });
                continue;
            }
            if let Some(k) = needs.iter().find(|&&k| !lifts(ctx.set, ctx.policy, a, &reasons[k])) {
                let r = &reasons[*k];
                let why = if r.missing_data {
                    format!("{}: {} rests on missing data", a.id, r.rule)
                } else {
                    format!("{} does not lift {}", a.id, r.rule)
                };
                not_available.push(NotAvailable { authorisation: a.id.clone(), item: i, why });
                continue;
            }
            match ctx.check(&a.when, Some(item), Mode::Authorisation) {
                Ok(_) => {
                    rely(&mut relied, &a.id, &a.when, a.unverified.as_ref(), None);
                    chosen = Some(a);
                    break;
                }
                Err(miss) => {
                    // A refused authorisation changes the answer: name what refused it when that is unverified,
                    // the authorisation's own conditions included.
                    rely(&mut relied, &a.id, &a.when, None, Some(miss_field(&miss)));
                    if let Some(note) = &a.unverified {
                        rely(&mut relied, &a.id, &a.when, Some(note), None);
                    }
                    not_available.push(NotAvailable {
                        authorisation: a.id.clone(),
                        item: i,
                        why: ctx.explain(miss, a, item),
                    })
                }
            }
        }
        if let Some(a) = chosen {
            for &k in &needs {
                reasons[k].lifted_by = Some(a.id.clone());
            }
            if !general_authorisations.contains(&a.id) {
                general_authorisations.push(a.id.clone());
                obligations.extend(a.obligations.iter().map(|o| format!("{}: {o}", a.id)));
            }
            granted.push(Reason {
                rule: a.id.clone(),
                outcome: Outcome::GeneralAuthorisation,
                citation: a.citation.clone(),
                item: Some(i),
                detail: format!("{}: {}", item_label(ctx, i, item), a.name),
                missing_data: false,
                lifted_by: None,
                party_hits: Vec::new(),
            });
        }
    }
    reasons.extend(granted);
    let outcome = reasons
        .iter()
        .map(|r| match (r.outcome, &r.lifted_by) {
            (Outcome::LicenceRequired, Some(_)) => Outcome::GeneralAuthorisation,
            (o, _) => o,
        })
        .max()
        .unwrap_or(Outcome::NoLicenceRequired);
    let review_path = (outcome == Outcome::LicenceRequired).then(|| {
        let mut path = ReviewPath::Standard;
        let rules = ctx.policy.rules.iter().chain(coalition.into_iter().flat_map(|c| c.policy.rules.iter()));
        for rule in rules {
            if rule.review > path
                && reasons.iter().any(|r| r.lifted_by.is_none() && r.rule.split(':').next() == Some(rule.id.as_str()))
            {
                path = rule.review;
            }
        }
        if reasons.iter().any(|r| !r.party_hits.is_empty()) {
            path = ReviewPath::EnhancedDueDiligence;
        }
        path
    });
    JurisdictionAnswer {
        jurisdiction: ctx.policy.info.jurisdiction.clone(),
        applies_because,
        policy: format!("{}@{}", ctx.policy.info.file, ctx.policy.info.version),
        outcome,
        review_path,
        general_authorisations,
        obligations,
        reasons,
        not_available,
        denials: Vec::new(),
        unverified: relied,
    }
}

fn jurisdiction_of(s: &str) -> Option<Jurisdiction> {
    match s {
        "EU" => Some(Jurisdiction::Eu),
        "US" => Some(Jurisdiction::Us),
        "UK" => Some(Jurisdiction::Uk),
        _ => None,
    }
}

/// Why a policy applies to a transaction on its own, if it does.
fn applies_on_its_own(p: &Policy, tx: &CheckedTransaction) -> Option<String> {
    let a = p.applies.as_ref()?;
    if a.origins.contains(&tx.origin) {
        return Some(format!("{} (origin {})", a.why, tx.origin_code));
    }
    tx.items
        .iter()
        .enumerate()
        .find(|(_, it)| a.item_origins.contains(&it.origin))
        .map(|(i, item)| format!("{} (item {i} made in {})", a.why, item.origin_code))
}

/// Determines a checked transaction for every jurisdiction that applies (or that it names). `screening` holds the
/// restricted-party hits of its parties; `None` means the parties could not be screened, which every answer says.
/// Fails only when the transaction was checked against another control list.
pub fn determine(
    set: &PolicySet,
    list: &ControlList,
    tx: &CheckedTransaction,
    screening: Option<Screening>,
) -> Result<Determination> {
    if tx.list_fingerprint != (list.info().version.clone(), list.len()) {
        return Err(Error::internal("the transaction was checked against another control-list version"));
    }
    let screened = screening.is_some();
    let Screening { mut hits, lists, threshold } = screening.unwrap_or_default();
    let mut warnings = Vec::new();
    for h in &mut hits {
        h.in_force = h.listed_from.as_deref().is_none_or(|f| f <= tx.date.as_str())
            && h.listed_until.as_deref().is_none_or(|u| tx.date.as_str() < u);
        if let Some(from) = h.listed_from.as_deref().filter(|f| *f > tx.date.as_str()) {
            warnings.push(format!(
                "party {} matches {} {}, listed from {from}, after the transaction date {}",
                h.party, h.list_id, h.entity_id, tx.date
            ));
        }
    }
    if tx.parties.is_empty() {
        warnings.push("no parties given: no party was checked against the restricted-party lists".to_owned());
    }
    let mut chosen: Vec<(&Policy, String)> = Vec::new();
    match &tx.jurisdictions {
        Some(js) => {
            for p in &set.policies {
                if js.contains(&p.info.jurisdiction) {
                    chosen.push((p, "asked for in the transaction".to_owned()));
                } else if let Some(why) = applies_on_its_own(p, tx) {
                    warnings.push(format!("{} also applies but was not asked for: {why}", p.info.jurisdiction));
                }
            }
        }
        None => {
            for p in &set.policies {
                if let Some(why) = applies_on_its_own(p, tx) {
                    chosen.push((p, why));
                }
            }
        }
    }
    let loaded = screened.then_some(lists.as_slice());
    let coalition = set.coalition.as_ref().map(|policy| Ctx {
        tx,
        list,
        set,
        jurisdiction: None,
        policy,
        hits: &hits,
        lists: loaded,
    });
    let mut jurisdictions = Vec::with_capacity(chosen.len());
    for (policy, why) in chosen {
        let ctx = Ctx {
            tx,
            list,
            set,
            jurisdiction: jurisdiction_of(&policy.info.jurisdiction),
            policy,
            hits: &hits,
            lists: loaded,
        };
        let mut a = answer(&ctx, coalition.as_ref(), why);
        if !screened && !tx.parties.is_empty() {
            a.reasons.push(Reason {
                rule: "screening.unavailable".into(),
                outcome: Outcome::LicenceRequired,
                citation: "party checks of every policy (no restricted-party list is loaded)".into(),
                item: None,
                detail: "the parties could not be screened: no restricted-party list is in force on this node; a licence is assumed to be required until they are".into(),
                missing_data: true,
                lifted_by: None,
                party_hits: Vec::new(),
            });
            if a.outcome < Outcome::LicenceRequired {
                a.outcome = Outcome::LicenceRequired;
                a.review_path = Some(ReviewPath::Standard);
                a.general_authorisations.clear();
                a.obligations.clear();
                for r in &mut a.reasons {
                    r.lifted_by = None;
                }
                a.reasons.retain(|r| r.outcome != Outcome::GeneralAuthorisation);
            }
        }
        if !a.unverified.is_empty() {
            warnings.push(format!(
                "{}: this answer relies on facts or rules not verified against a primary source: {}",
                a.jurisdiction,
                a.unverified.join("; ")
            ));
        }
        jurisdictions.push(a);
    }
    let note = jurisdictions.is_empty().then(|| {
        let mut o: Vec<&str> = tx.items.iter().map(|i| i.origin_code.as_str()).collect();
        o.sort();
        o.dedup();
        format!(
            "no loaded jurisdiction applies on its own to an export from {} of items made in {}; name one in 'jurisdictions' to ask anyway",
            tx.origin_code,
            o.join(", ")
        )
    });
    let items = tx
        .items
        .iter()
        .enumerate()
        .map(|(i, it)| {
            let entry = it.entry.map(|e| &list.entries()[e]);
            ItemClassification {
                item: i,
                code: it.code.as_ref().map(ToString::to_string),
                entry: entry.map(|e| e.code.to_string()),
                mappings: entry.map_or_else(Vec::new, |e| {
                    e.mappings.iter().map(|m| format!("{}:{}", m.jurisdiction, m.code)).collect()
                }),
            }
        })
        .collect();
    Ok(Determination {
        date: tx.date.clone(),
        jurisdictions,
        note,
        warnings,
        party_hits: hits,
        items,
        versions: Versions {
            control_list: list.info().version.clone(),
            policies: set.versions_label.clone(),
            lists: String::new(),
            threshold: screened.then_some(threshold),
        },
    })
}
