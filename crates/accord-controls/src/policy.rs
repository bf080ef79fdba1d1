//! Policies as data: one TOML file per jurisdiction (plus one for coalition-wide red lines) with rules that cite
//! their legal source, and data files of named sets, country charts and item facts. [`PolicySet::parse`] reads
//! them strictly; every error names its file and line, and nothing is half-loaded.

use crate::code::ControlCode;
use crate::model::{Regime, valid_date, valid_reason};
use accord_core::decimal::Decimal;
pub use accord_core::determination::ReviewPath;
use accord_core::{Error, ErrorCode, Result};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use toml::Spanned;
use utoipa::ToSchema;

/// One policy or data file: its name (for error messages) and its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicySource {
    /// The file name, e.g. `eu.toml` or `data/us-country-chart.toml`.
    pub name: String,
    /// The TOML text.
    pub text: String,
}

/// What one loaded policy file says about itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct PolicyInfo {
    /// `EU`, `US`, `UK` or `coalition`.
    pub jurisdiction: String,
    /// The file it came from.
    pub file: String,
    /// What the policy implements.
    pub title: String,
    /// The policy's own version label.
    pub version: String,
    /// The day the policy file says it takes effect.
    pub effective_date: String,
    /// How many rules and general authorisations it has.
    pub rules: usize,
    /// How many general authorisations (licence exceptions) it has.
    pub authorisations: usize,
}

/// Where the facts of one policy or data file come from, and whether they were checked against a primary source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FactSource {
    /// The file.
    pub file: String,
    /// The document the facts come from (the regulation and its part).
    pub document: String,
    /// The issue of the document the facts were taken from, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issue_date: Option<String>,
    /// Where the document can be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// `primary_source` (generated mechanically from the official text) or `hand_encoded` (written by people,
    /// not verified against a primary source).
    pub kind: String,
    /// Whether the facts can be relied on as the primary source states them.
    pub verified: bool,
    /// The input files a generated file was made from, with their SHA-256.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inputs: Vec<String>,
    /// What the file says about its own reliability.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl FactSource {
    /// The provenance of a file that declares none: hand-encoded and unverified.
    fn undeclared(file: &str) -> FactSource {
        FactSource {
            file: file.to_owned(),
            document: "not declared".to_owned(),
            issue_date: None,
            url: None,
            kind: "hand_encoded".to_owned(),
            verified: false,
            inputs: Vec::new(),
            note: None,
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// The file format, as read.

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    source: Option<RawSource>,
    policy: Option<RawHeader>,
    applies: Option<RawApplies>,
    #[serde(default)]
    sets: BTreeMap<String, Spanned<RawSet>>,
    #[serde(default)]
    chart: BTreeMap<String, Spanned<RawChart>>,
    #[serde(default)]
    facts: BTreeMap<String, Spanned<RawFacts>>,
    #[serde(default)]
    rule: Vec<RawRule>,
    #[serde(default)]
    authorisation: Vec<RawAuthorisation>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    document: String,
    #[serde(default)]
    issue_date: Option<Spanned<String>>,
    #[serde(default)]
    url: Option<String>,
    kind: Spanned<String>,
    #[serde(default)]
    inputs: Vec<String>,
    #[serde(default)]
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHeader {
    jurisdiction: Spanned<String>,
    title: String,
    version: String,
    effective_date: Spanned<String>,
    #[serde(default)]
    reasons_from: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawApplies {
    #[serde(default)]
    origins: Vec<Spanned<String>>,
    #[serde(default)]
    item_origins: Vec<Spanned<String>>,
    why: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSet {
    citation: String,
    members: Vec<Spanned<String>>,
    #[serde(default)]
    #[allow(dead_code)]
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChart {
    citation: String,
    columns: Vec<Spanned<String>>,
    #[serde(default)]
    column_citations: BTreeMap<String, String>,
    #[serde(default)]
    bare_reasons: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    handled_elsewhere: Vec<Spanned<String>>,
    rows: BTreeMap<String, Spanned<Vec<Spanned<String>>>>,
    #[serde(default)]
    refer: BTreeMap<String, Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFacts {
    citation: String,
    #[serde(default)]
    currency: Option<Spanned<String>>,
    values: BTreeMap<String, Spanned<toml::Value>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: Spanned<String>,
    outcome: Spanned<String>,
    citation: String,
    summary: String,
    #[serde(default)]
    review: Option<Spanned<String>>,
    #[serde(default)]
    missing_data: bool,
    #[serde(default)]
    unverified: Option<String>,
    #[serde(default)]
    when: RawWhen,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAuthorisation {
    id: Spanned<String>,
    name: String,
    citation: String,
    lifts: Vec<Spanned<String>>,
    #[serde(default)]
    lifts_reasons: Vec<Spanned<String>>,
    #[serde(default)]
    unverified: Option<String>,
    #[serde(default)]
    when: RawWhen,
    #[serde(default)]
    obligations: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawWhen {
    item: Option<Spanned<String>>,
    #[serde(default)]
    codes: Vec<Spanned<String>>,
    #[serde(default)]
    codes_not: Vec<Spanned<String>>,
    #[serde(default)]
    categories: Vec<Spanned<i64>>,
    #[serde(default)]
    regimes: Vec<Spanned<String>>,
    #[serde(default)]
    reasons: Vec<Spanned<String>>,
    #[serde(default)]
    reasons_not: Vec<Spanned<String>>,
    #[serde(default)]
    destinations: Vec<Spanned<String>>,
    #[serde(default)]
    destinations_not: Vec<Spanned<String>>,
    #[serde(default)]
    origins: Vec<Spanned<String>>,
    #[serde(default)]
    origins_not: Vec<Spanned<String>>,
    #[serde(default)]
    end_uses: Vec<Spanned<String>>,
    #[serde(default)]
    end_uses_not: Vec<Spanned<String>>,
    #[serde(default)]
    purposes: Vec<Spanned<String>>,
    #[serde(default)]
    purposes_not: Vec<Spanned<String>>,
    parties: Option<RawParties>,
    from: Option<Spanned<String>>,
    until: Option<Spanned<String>>,
    value_over: Option<RawMoney>,
    value_at_most: Option<RawMoney>,
    value_within: Option<Spanned<String>>,
    has_fact: Option<Spanned<String>>,
    lacks_fact: Option<Spanned<String>>,
    chart: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawParties {
    #[serde(default)]
    lists: Vec<String>,
    #[serde(default)]
    id_prefixes: Vec<String>,
    #[serde(default)]
    programs: Vec<String>,
    #[serde(default)]
    roles: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMoney {
    amount: Spanned<f64>,
    currency: Spanned<String>,
}

// ---------------------------------------------------------------------------------------------------------------
// Compiled policies.

/// What a rule does when it fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    /// The transaction needs a licence (unless a general authorisation lifts the requirement).
    LicenceRequired,
    /// The transaction must not proceed.
    Prohibited,
}

/// A closed set of snake_case names: the enum, `ALL` in declaration order, `as_str` and `parse`.
macro_rules! named_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $text:literal,)* }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vdoc])* $variant,)*
        }

        impl $name {
            /// Every value, in a fixed order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            /// The snake_case name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)*
                }
            }

            /// Parses a snake_case name.
            pub fn parse(s: &str) -> Option<$name> {
                $name::ALL.iter().copied().find(|v| v.as_str() == s)
            }

            /// Every name, for messages that say what is allowed.
            pub fn names() -> Vec<&'static str> {
                $name::ALL.iter().map(|v| v.as_str()).collect()
            }
        }
    };
}

named_enum! {
    /// The declared end use of a transaction.
    EndUse {
        /// Civil use.
        Civil = "civil",
        /// Military use.
        Military = "military",
        /// Use by or for military-intelligence end users.
        MilitaryIntelligence = "military_intelligence",
        /// Weapons of mass destruction or their delivery systems (nuclear, chemical, biological, missiles).
        Wmd = "wmd",
        /// Cyber-surveillance (interception, monitoring) with a risk of internal repression.
        CyberSurveillance = "cyber_surveillance",
        /// Not known.
        Unknown = "unknown",
    }
}

named_enum! {
    /// Why the goods travel, where a general authorisation depends on it.
    Purpose {
        /// An ordinary sale or supply (the default).
        Sale = "sale",
        /// Temporary export for an exhibition or fair, to come back.
        TemporaryExhibition = "temporary_exhibition",
        /// Return of an item after repair.
        RepairReturn = "repair_return",
        /// Replacement of a defective item under warranty.
        Replacement = "replacement",
        /// Transfer of software or technology within one corporate group.
        IntraGroup = "intra_group",
        /// Anything else.
        Other = "other",
    }
}

named_enum! {
    /// The role a party plays in a transaction.
    PartyRole {
        /// Receives the goods.
        Consignee = "consignee",
        /// Uses the goods.
        EndUser = "end_user",
        /// The final end user after any re-export.
        UltimateEndUser = "ultimate_end_user",
        /// A forwarder, agent or broker in between.
        Intermediary = "intermediary",
        /// Buys the goods.
        Purchaser = "purchaser",
    }
}

/// Which items a rule is about, relative to the policy's jurisdiction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ItemKind {
    /// Every item, listed or not.
    Any,
    /// Items this jurisdiction lists (its mapping exists; for the coalition: any listed code).
    Listed,
    /// Items with a coalition code that this jurisdiction does not map.
    Unmapped,
    /// Items on no control list (`code: null`).
    Unlisted,
    /// Items this jurisdiction does not list: unmapped or unlisted.
    NotListed,
}

/// A country (two letters packed in 10 bits) or a subdivision such as `UA-43`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Place {
    pub(crate) country: u16,
    pub(crate) region: Option<Box<str>>,
}

impl Place {
    /// Parses `DE` or `UA-43` (upper case); the country must be an ISO 3166-1 alpha-2 code.
    pub(crate) fn parse(s: &str) -> Option<Place> {
        let (country, region) = match s.split_once('-') {
            Some((c, r)) => (c, Some(r)),
            None => (s, None),
        };
        if country.len() != 2 || !accord_core::model::is_country(country) {
            return None;
        }
        if let Some(r) = region
            && !(1..=3).contains(&r.len())
        {
            return None;
        }
        if region.is_some_and(|r| !r.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())) {
            return None;
        }
        let b = country.as_bytes();
        Some(Place { country: u16::from(b[0] - b'A') * 26 + u16::from(b[1] - b'A'), region: region.map(Into::into) })
    }
}

/// A set of countries and subdivisions.
#[derive(Debug, Clone, Default)]
pub(crate) struct CountrySet {
    bits: [u64; 11],
    regions: Vec<(u16, Box<str>)>,
}

impl CountrySet {
    fn insert(&mut self, p: &Place) {
        match &p.region {
            None => self.bits[usize::from(p.country / 64)] |= 1 << (p.country % 64),
            Some(r) => self.regions.push((p.country, r.clone())),
        }
    }

    fn union(&mut self, other: &CountrySet) {
        for (a, b) in self.bits.iter_mut().zip(other.bits) {
            *a |= b;
        }
        self.regions.extend(other.regions.iter().cloned());
    }

    /// Whether the place is in the set: the place itself, or (for a subdivision) its country.
    pub(crate) fn contains(&self, p: &Place) -> bool {
        if self.bits[usize::from(p.country / 64)] & (1 << (p.country % 64)) != 0 {
            return true;
        }
        match &p.region {
            Some(r) => self.regions.iter().any(|(c, rr)| *c == p.country && rr == r),
            None => false,
        }
    }
}

/// One member of a code set: an entry and everything below it, a whole category, or a category and group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CodePattern {
    Code(ControlCode),
    Category(u8),
    Group(u8, char),
}

impl CodePattern {
    fn parse(s: &str) -> Option<CodePattern> {
        if let Some(head) = s.strip_suffix('*') {
            let b = head.as_bytes();
            return match b {
                [c @ b'0'..=b'9'] => Some(CodePattern::Category(c - b'0')),
                [c @ b'0'..=b'9', g @ b'A'..=b'E'] => Some(CodePattern::Group(c - b'0', *g as char)),
                _ => None,
            };
        }
        let code = ControlCode::parse(s).ok()?;
        // Only the canonical spelling, so a typo in a data file is never read as another code.
        (code.to_string() == s).then_some(CodePattern::Code(code))
    }
}

/// A set of code patterns, searched without scanning: codes sorted (an item is covered when it or one of its
/// ancestors is in the set), categories and groups apart.
#[derive(Debug, Clone, Default)]
pub(crate) struct CodeSet {
    codes: Vec<ControlCode>,
    categories: Vec<u8>,
    groups: Vec<(u8, char)>,
}

impl CodeSet {
    fn new(patterns: Vec<CodePattern>) -> CodeSet {
        let mut set = CodeSet::default();
        for p in patterns {
            match p {
                CodePattern::Code(c) => set.codes.push(c),
                CodePattern::Category(c) => set.categories.push(c),
                CodePattern::Group(c, g) => set.groups.push((c, g)),
            }
        }
        set.codes.sort();
        set.codes.dedup();
        set
    }

    /// Whether the set names nothing.
    pub(crate) fn is_empty(&self) -> bool {
        self.codes.is_empty() && self.categories.is_empty() && self.groups.is_empty()
    }

    /// Whether a code is in the set: itself, an entry above it, or its category or group.
    pub(crate) fn covers(&self, code: &ControlCode) -> bool {
        self.categories.contains(&code.category())
            || self.groups.contains(&(code.category(), code.group()))
            || (0..=code.depth()).any(|d| self.codes.binary_search_by(|c| c.cmp_to_prefix(code, d)).is_ok())
    }

    /// The first code of the set strictly below `code`, if any (the item is a heading the set narrows).
    pub(crate) fn first_below(&self, code: &ControlCode) -> Option<&ControlCode> {
        let i = self.codes.partition_point(|c| c <= code);
        self.codes.get(i).filter(|c| code.is_ancestor_of(c))
    }
}

/// A value of an item fact.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum FactValue {
    Flag,
    Number(Decimal),
    Reasons(Vec<String>),
}

/// Facts about items, by code; the most specific code at or above an item's code applies.
#[derive(Debug, Clone)]
pub(crate) struct Facts {
    pub(crate) name: String,
    pub(crate) citation: String,
    pub(crate) currency: Option<String>,
    values: Vec<(ControlCode, FactValue)>,
    /// Words that limit a reason at a code (`NS1` applies only to the MMIC amplifiers of 3A001.b.2).
    notes: HashMap<ControlCode, Vec<(String, String)>>,
    /// The file the table comes from (index into the set's sources).
    pub(crate) source: usize,
    /// The issue date of its primary source: the node holds no such facts for earlier days.
    pub(crate) valid_from: Option<String>,
}

impl Facts {
    /// The first code strictly below `code` that has a fact, if any.
    pub(crate) fn first_below(&self, code: &ControlCode) -> Option<&ControlCode> {
        let i = self.values.partition_point(|(v, _)| v <= code);
        self.values.get(i).map(|(v, _)| v).filter(|v| code.is_ancestor_of(v))
    }

    /// Every fact strictly below a code, in code order.
    pub(crate) fn below<'s, 'c>(
        &'s self,
        code: &'c ControlCode,
    ) -> impl Iterator<Item = (&'s ControlCode, &'s FactValue)> + use<'s, 'c> {
        let i = self.values.partition_point(|(v, _)| v <= code);
        self.values[i..].iter().take_while(move |(v, _)| code.is_ancestor_of(v)).map(|(c, v)| (c, v))
    }

    /// The words that limit a reason at a code, if the table gives any.
    pub(crate) fn note(&self, code: &ControlCode, reason: &str) -> Option<&str> {
        self.notes.get(code)?.iter().find(|(r, _)| r == reason).map(|(_, n)| n.as_str())
    }

    /// The fact for a code: its own, else its nearest ancestor's.
    pub(crate) fn get(&self, code: &ControlCode) -> Option<(&ControlCode, &FactValue)> {
        let mut c = Some(code.clone());
        while let Some(k) = c {
            if let Ok(i) = self.values.binary_search_by(|(v, _)| v.cmp(&k)) {
                return Some((&self.values[i].0, &self.values[i].1));
            }
            c = k.parent();
        }
        None
    }
}

/// A country chart: for each destination, which columns (reasons for control) need a licence.
#[derive(Debug, Clone)]
pub(crate) struct Chart {
    pub(crate) name: String,
    pub(crate) citation: String,
    pub(crate) columns: Vec<String>,
    pub(crate) column_citations: Vec<String>,
    /// Reasons the list gives without a column, read as this column (`NS` as `NS1`).
    pub(crate) bare_reasons: Vec<(String, usize)>,
    /// Reasons without a column that other rules judge (`EI`, `SL`, `RS`).
    pub(crate) handled_elsewhere: Vec<String>,
    rows: HashMap<Place, u32>,
    /// Destinations whose row has no marks and sends the reader elsewhere (`See part 746`).
    refer: HashMap<Place, String>,
    /// The file the chart comes from (index into the set's sources).
    pub(crate) source: usize,
    /// The issue date of its primary source: the node holds no chart for earlier days.
    pub(crate) valid_from: Option<String>,
}

impl Chart {
    /// The columns marked for a destination (a subdivision falls back to its country's row).
    pub(crate) fn row(&self, p: &Place) -> Option<u32> {
        self.rows.get(p).copied().or_else(|| {
            p.region.as_ref().and_then(|_| self.rows.get(&Place { country: p.country, region: None }).copied())
        })
    }

    /// Where the chart sends the reader for a destination without marks, if it does.
    pub(crate) fn refers(&self, p: &Place) -> Option<&str> {
        self.refer.get(p).or_else(|| self.refer.get(&Place { country: p.country, region: None })).map(String::as_str)
    }

    pub(crate) fn column(&self, reason: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == reason)
    }
}

/// An amount of money in one currency.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Money {
    pub(crate) amount: Decimal,
    pub(crate) currency: String,
}

/// Conditions on the restricted-party hits of a transaction.
#[derive(Debug, Clone, Default)]
pub(crate) struct PartyCondition {
    pub(crate) lists: Vec<String>,
    pub(crate) id_prefixes: Vec<String>,
    pub(crate) programs: Vec<String>,
    pub(crate) roles: Vec<PartyRole>,
}

/// Everything a rule or authorisation requires of a transaction (and of one item, for item rules).
#[derive(Debug, Clone)]
pub(crate) struct Conditions {
    pub(crate) item: ItemKind,
    pub(crate) codes: CodeSet,
    pub(crate) codes_not: CodeSet,
    pub(crate) categories: Vec<u8>,
    pub(crate) regimes: Vec<Regime>,
    pub(crate) reasons: Vec<String>,
    pub(crate) reasons_not: Vec<String>,
    pub(crate) destinations: Option<CountrySet>,
    pub(crate) destinations_not: Option<CountrySet>,
    pub(crate) origins: Option<CountrySet>,
    pub(crate) origins_not: Option<CountrySet>,
    pub(crate) end_uses: Vec<EndUse>,
    pub(crate) end_uses_not: Vec<EndUse>,
    pub(crate) purposes: Vec<Purpose>,
    pub(crate) purposes_not: Vec<Purpose>,
    pub(crate) parties: Option<PartyCondition>,
    pub(crate) from: Option<String>,
    pub(crate) until: Option<String>,
    pub(crate) value_over: Option<Money>,
    pub(crate) value_at_most: Option<Money>,
    pub(crate) value_within: Option<usize>,
    pub(crate) has_fact: Option<usize>,
    pub(crate) lacks_fact: Option<usize>,
    pub(crate) chart: Option<usize>,
    /// The unverified sets, charts and facts tables the conditions read, by the condition that reads them.
    pub(crate) unverified: Vec<(Field, String)>,
}

/// Which condition reads a named fact (so an answer can say which unverified fact decided it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Field {
    Destinations,
    DestinationsNot,
    Origins,
    OriginsNot,
    Codes,
    CodesNot,
    Facts,
    Chart,
}

impl Conditions {
    /// Whether the conditions look at items at all (otherwise the rule is judged once per transaction).
    pub(crate) fn about_items(&self) -> bool {
        self.item != ItemKind::Any
            || self.origins.is_some()
            || self.origins_not.is_some()
            || !self.codes.is_empty()
            || !self.codes_not.is_empty()
            || !self.categories.is_empty()
            || !self.regimes.is_empty()
            || !self.reasons.is_empty()
            || !self.reasons_not.is_empty()
            || self.value_over.is_some()
            || self.value_at_most.is_some()
            || self.value_within.is_some()
            || self.has_fact.is_some()
            || self.lacks_fact.is_some()
            || self.chart.is_some()
    }
}

/// One rule: when its conditions hold, the transaction (or item) needs a licence or is prohibited.
#[derive(Debug, Clone)]
pub(crate) struct Rule {
    pub(crate) id: String,
    pub(crate) effect: Effect,
    pub(crate) citation: String,
    pub(crate) summary: String,
    pub(crate) review: ReviewPath,
    pub(crate) missing_data: bool,
    /// Why the rule's own legal logic is not verified against a current primary source, if it is not.
    pub(crate) unverified: Option<String>,
    pub(crate) when: Conditions,
    pub(crate) per_item: bool,
}

/// A general authorisation or licence exception that lifts named licence requirements when its conditions hold.
#[derive(Debug, Clone)]
pub(crate) struct Authorisation {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) citation: String,
    pub(crate) lifts: Vec<String>,
    pub(crate) lifts_reasons: Vec<String>,
    /// Why the authorisation's own conditions are not verified against a current primary source, if they are not.
    pub(crate) unverified: Option<String>,
    pub(crate) when: Conditions,
    pub(crate) obligations: Vec<String>,
}

/// When a jurisdiction applies to a transaction without being asked for.
#[derive(Debug, Clone)]
pub(crate) struct Applies {
    pub(crate) origins: CountrySet,
    pub(crate) item_origins: CountrySet,
    pub(crate) why: String,
}

/// One jurisdiction's policy (or the coalition's red lines).
#[derive(Debug, Clone)]
pub(crate) struct Policy {
    pub(crate) info: PolicyInfo,
    pub(crate) applies: Option<Applies>,
    pub(crate) reasons_from: Option<usize>,
    pub(crate) rules: Vec<Rule>,
    pub(crate) authorisations: Vec<Authorisation>,
}

/// Every policy of a node, parsed and cross-checked: jurisdictions' rules, coalition red lines, sets, charts, facts.
#[derive(Debug, Clone)]
pub struct PolicySet {
    pub(crate) policies: Vec<Policy>,
    pub(crate) coalition: Option<Policy>,
    pub(crate) charts: Vec<Chart>,
    pub(crate) facts: Vec<Facts>,
    /// Every subdivision (`UA-43`) a set or chart names: the only ones a transaction may give.
    pub(crate) regions: Vec<String>,
    /// Where each file's facts come from, in file order.
    pub(crate) sources: Vec<FactSource>,
    /// Every policy file's `file@version`, sorted and joined (named in every determination).
    pub(crate) versions_label: String,
}

/// Where the project's policy files are, relative to the workspace root.
pub const POLICY_DIR: &str = "policies";

// ---------------------------------------------------------------------------------------------------------------
// Parsing.

/// The 1-based line of a byte offset.
fn line_at(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())].iter().filter(|b| **b == b'\n').count() + 1
}

struct FileCtx<'a> {
    name: &'a str,
    text: &'a str,
}

impl FileCtx<'_> {
    fn err(&self, offset: usize, message: impl std::fmt::Display) -> Error {
        let line = line_at(self.text, offset);
        Error::new(ErrorCode::InvalidPolicy, format!("{}, line {line}: {message}", self.name))
            .with_details(serde_json::json!({ "file": self.name, "line": line }))
    }

    fn at<T>(&self, s: &Spanned<T>, message: impl std::fmt::Display) -> Error {
        self.err(s.span().start, message)
    }
}

/// Named sets of the whole policy set, by name.
#[derive(Default)]
struct Sets {
    countries: HashMap<String, CountrySet>,
    codes: HashMap<String, Vec<CodePattern>>,
    /// The file each set comes from (index into the sources).
    files: HashMap<String, usize>,
}

struct Compiler<'a> {
    sets: &'a Sets,
    charts: &'a HashMap<String, usize>,
    facts: &'a HashMap<String, usize>,
    /// The file of each chart and facts table, by index.
    chart_files: &'a [usize],
    fact_files: &'a [usize],
    sources: &'a [FactSource],
}

impl Compiler<'_> {
    /// How an unverified fact is named in answers, or `None` when its file is verified.
    fn unverified(&self, what: &str, name: &str, file: Option<usize>) -> Option<String> {
        let src = &self.sources[file?];
        (!src.verified).then(|| format!("{what} '{name}' ({}, {})", src.file, src.kind.replace('_', "-")))
    }

    fn set_refs(&self, items: &[Spanned<String>], field: Field, out: &mut Vec<(Field, String)>) {
        for item in items {
            if let Some(name) = trimmed(item).strip_prefix('@')
                && let Some(u) = self.unverified("set", name, self.sets.files.get(name).copied())
            {
                out.push((field, u));
            }
        }
    }
}

fn trimmed(s: &Spanned<String>) -> &str {
    s.get_ref().trim()
}

impl Compiler<'_> {
    fn countries(&self, f: &FileCtx, items: &[Spanned<String>]) -> Result<Option<CountrySet>> {
        if items.is_empty() {
            return Ok(None);
        }
        let mut set = CountrySet::default();
        for item in items {
            let s = trimmed(item);
            if let Some(name) = s.strip_prefix('@') {
                if self.sets.codes.contains_key(name) {
                    return Err(f.at(item, format!("set '{name}' holds control codes, not countries")));
                }
                let other =
                    self.sets.countries.get(name).ok_or_else(|| f.at(item, format!("unknown set '@{name}'")))?;
                set.union(other);
            } else {
                let p = Place::parse(s).ok_or_else(|| {
                    f.at(item, format!("'{s}' is not an ISO 3166-1 alpha-2 country code or a subdivision like UA-43"))
                })?;
                set.insert(&p);
            }
        }
        Ok(Some(set))
    }

    fn codes(&self, f: &FileCtx, items: &[Spanned<String>]) -> Result<Vec<CodePattern>> {
        let mut out = Vec::new();
        for item in items {
            let s = trimmed(item);
            if let Some(name) = s.strip_prefix('@') {
                if self.sets.countries.contains_key(name) {
                    return Err(f.at(item, format!("set '{name}' holds countries, not control codes")));
                }
                let other = self.sets.codes.get(name).ok_or_else(|| f.at(item, format!("unknown set '@{name}'")))?;
                out.extend(other.iter().cloned());
            } else {
                out.push(CodePattern::parse(s).ok_or_else(|| {
                    f.at(
                        item,
                        format!("'{s}' is not a control code like 3A001 or 5A002.a, nor a pattern like 0* or 9A*"),
                    )
                })?);
            }
        }
        Ok(out)
    }

    fn named(
        &self,
        f: &FileCtx,
        map: &HashMap<String, usize>,
        s: &Option<Spanned<String>>,
        what: &str,
    ) -> Result<Option<usize>> {
        match s {
            None => Ok(None),
            Some(n) => map
                .get(trimmed(n))
                .copied()
                .map(Some)
                .ok_or_else(|| f.at(n, format!("unknown {what} '{}'", trimmed(n)))),
        }
    }

    /// Checks that a facts table used as a value limit holds numbers.
    fn numbers(&self, f: &FileCtx, facts: &[Facts], name: &Spanned<String>) -> Result<()> {
        let Some(&i) = self.facts.get(trimmed(name)) else { return Ok(()) };
        if facts[i].values.iter().all(|(_, v)| matches!(v, FactValue::Number(_))) {
            Ok(())
        } else {
            Err(f.at(name, format!("facts '{}' are not value limits (numbers)", trimmed(name))))
        }
    }

    fn enums<T: Copy>(
        f: &FileCtx,
        items: &[Spanned<String>],
        parse: fn(&str) -> Option<T>,
        what: &str,
        allowed: &[&str],
    ) -> Result<Vec<T>> {
        items
            .iter()
            .map(|i| {
                parse(trimmed(i))
                    .ok_or_else(|| f.at(i, format!("unknown {what} '{}' (one of {})", trimmed(i), allowed.join(", "))))
            })
            .collect()
    }

    fn date(f: &FileCtx, s: &Option<Spanned<String>>) -> Result<Option<String>> {
        match s {
            None => Ok(None),
            Some(d) if valid_date(trimmed(d)) => Ok(Some(trimmed(d).to_owned())),
            Some(d) => Err(f.at(d, format!("'{}' is not a date (YYYY-MM-DD)", trimmed(d)))),
        }
    }

    fn money(f: &FileCtx, m: &Option<RawMoney>) -> Result<Option<Money>> {
        let Some(m) = m else { return Ok(None) };
        let amount = match Decimal::from_f64(*m.amount.get_ref()) {
            Ok(a) if !a.is_negative() => a,
            Ok(_) => return Err(f.at(&m.amount, "an amount must be a non-negative number")),
            Err(e) => return Err(f.at(&m.amount, format!("an amount must be a non-negative number: {e}"))),
        };
        let currency = currency(f, &m.currency)?;
        accord_core::currency::check_minor_units(amount, &currency).map_err(|e| f.at(&m.amount, e))?;
        Ok(Some(Money { amount, currency }))
    }

    fn when(&self, f: &FileCtx, w: &RawWhen) -> Result<Conditions> {
        let item = match &w.item {
            None => ItemKind::Any,
            Some(s) => match trimmed(s) {
                "any" => ItemKind::Any,
                "listed" => ItemKind::Listed,
                "unmapped" => ItemKind::Unmapped,
                "unlisted" => ItemKind::Unlisted,
                "not_listed" => ItemKind::NotListed,
                other => {
                    return Err(
                        f.at(s, format!("unknown item kind '{other}' (any, listed, unmapped, unlisted, not_listed)"))
                    );
                }
            },
        };
        let reasons = |items: &[Spanned<String>]| -> Result<Vec<String>> {
            items
                .iter()
                .map(|r| {
                    let s = trimmed(r);
                    if reason_pattern(s) {
                        Ok(s.to_owned())
                    } else {
                        Err(f.at(r, format!("'{s}' is not a reason for control like NS1, AT or NS*")))
                    }
                })
                .collect()
        };
        let mut categories = Vec::new();
        for c in &w.categories {
            match u8::try_from(*c.get_ref()) {
                Ok(v) if v <= 9 => categories.push(v),
                _ => return Err(f.at(c, "a category is a digit 0-9")),
            }
        }
        let regimes = w
            .regimes
            .iter()
            .map(|r| {
                Regime::parse(trimmed(r))
                    .ok_or_else(|| f.at(r, format!("unknown regime '{}' (WA, NSG, MTCR, AG, CWC)", trimmed(r))))
            })
            .collect::<Result<_>>()?;
        let end_use_names: Vec<&str> = EndUse::names();
        let purpose_names: Vec<&str> = Purpose::names();
        let parties = match &w.parties {
            None => None,
            Some(p) => {
                let role_names: Vec<&str> = PartyRole::names();
                Some(PartyCondition {
                    lists: p.lists.clone(),
                    id_prefixes: p.id_prefixes.clone(),
                    programs: p.programs.clone(),
                    roles: Self::enums(f, &p.roles, PartyRole::parse, "party role", &role_names)?,
                })
            }
        };
        let from = Self::date(f, &w.from)?;
        let until = Self::date(f, &w.until)?;
        if let (Some(a), Some(b), Some(s)) = (&from, &until, &w.until)
            && a >= b
        {
            return Err(f.at(s, format!("'until' ({b}) must come after 'from' ({a})")));
        }
        let mut unverified = Vec::new();
        self.set_refs(&w.destinations, Field::Destinations, &mut unverified);
        self.set_refs(&w.destinations_not, Field::DestinationsNot, &mut unverified);
        self.set_refs(&w.origins, Field::Origins, &mut unverified);
        self.set_refs(&w.origins_not, Field::OriginsNot, &mut unverified);
        self.set_refs(&w.codes, Field::Codes, &mut unverified);
        self.set_refs(&w.codes_not, Field::CodesNot, &mut unverified);
        let value_within = self.named(f, self.facts, &w.value_within, "facts table")?;
        let has_fact = self.named(f, self.facts, &w.has_fact, "facts table")?;
        let lacks_fact = self.named(f, self.facts, &w.lacks_fact, "facts table")?;
        let chart = self.named(f, self.charts, &w.chart, "chart")?;
        for (i, name) in [(value_within, &w.value_within), (has_fact, &w.has_fact), (lacks_fact, &w.lacks_fact)] {
            if let (Some(i), Some(n)) = (i, name)
                && let Some(u) = self.unverified("facts", trimmed(n), self.fact_files.get(i).copied())
            {
                unverified.push((Field::Facts, u));
            }
        }
        if let (Some(i), Some(n)) = (chart, &w.chart)
            && let Some(u) = self.unverified("chart", trimmed(n), self.chart_files.get(i).copied())
        {
            unverified.push((Field::Chart, u));
        }
        Ok(Conditions {
            item,
            codes: CodeSet::new(self.codes(f, &w.codes)?),
            codes_not: CodeSet::new(self.codes(f, &w.codes_not)?),
            categories,
            regimes,
            reasons: reasons(&w.reasons)?,
            reasons_not: reasons(&w.reasons_not)?,
            destinations: self.countries(f, &w.destinations)?,
            destinations_not: self.countries(f, &w.destinations_not)?,
            origins: self.countries(f, &w.origins)?,
            origins_not: self.countries(f, &w.origins_not)?,
            end_uses: Self::enums(f, &w.end_uses, EndUse::parse, "end use", &end_use_names)?,
            end_uses_not: Self::enums(f, &w.end_uses_not, EndUse::parse, "end use", &end_use_names)?,
            purposes: Self::enums(f, &w.purposes, Purpose::parse, "purpose", &purpose_names)?,
            purposes_not: Self::enums(f, &w.purposes_not, Purpose::parse, "purpose", &purpose_names)?,
            parties,
            from,
            until,
            value_over: Self::money(f, &w.value_over)?,
            value_at_most: Self::money(f, &w.value_at_most)?,
            value_within,
            has_fact,
            lacks_fact,
            chart,
            unverified,
        })
    }
}

/// A reason for control (`NS1`, `EI`) or a family of them (`NS*`: NS1, NS2 and a bare NS).
fn reason_pattern(s: &str) -> bool {
    valid_reason(s.strip_suffix('*').unwrap_or(s))
}

fn currency(f: &FileCtx, c: &Spanned<String>) -> Result<String> {
    let s = trimmed(c);
    if s.len() == 3 && s.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(s.to_owned())
    } else {
        Err(f.at(c, format!("'{s}' is not an ISO 4217 currency code like EUR or USD")))
    }
}

/// The issue date of a primary source (hand-encoded files carry no point in time of their own).
fn primary_date(s: &FactSource) -> Option<String> {
    if s.verified { s.issue_date.clone() } else { None }
}

fn reason_list(f: &FileCtx, at: &Spanned<toml::Value>, key: &str, a: &[toml::Value]) -> Result<Vec<String>> {
    let mut reasons = Vec::with_capacity(a.len());
    for r in a {
        match r.as_str() {
            Some(r) if valid_reason(r) => reasons.push(r.to_owned()),
            _ => return Err(f.at(at, format!("'{key}': {r} is not a reason like NS1 or AT"))),
        }
    }
    Ok(reasons)
}

fn fact_source(f: &FileCtx, s: &RawSource) -> Result<FactSource> {
    let kind = trimmed(&s.kind);
    let verified = match kind {
        "primary_source" => true,
        "hand_encoded" => false,
        other => return Err(f.at(&s.kind, format!("unknown source kind '{other}' (primary_source, hand_encoded)"))),
    };
    let issue_date = match &s.issue_date {
        Some(d) if valid_date(trimmed(d)) => Some(trimmed(d).to_owned()),
        Some(d) => return Err(f.at(d, "issue_date must be a date (YYYY-MM-DD)")),
        None if verified => return Err(f.at(&s.kind, "a primary source needs its issue_date")),
        None => None,
    };
    if s.document.trim().is_empty() {
        return Err(f.at(&s.kind, "a source needs its document"));
    }
    Ok(FactSource {
        file: f.name.to_owned(),
        document: s.document.trim().to_owned(),
        issue_date,
        url: s.url.clone(),
        kind: kind.to_owned(),
        verified,
        inputs: s.inputs.clone(),
        note: s.note.clone(),
    })
}

fn parse_file(f: &FileCtx) -> Result<RawFile> {
    toml::from_str(f.text).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        f.err(offset, e.message().trim())
    })
}

fn id_ok(s: &str) -> bool {
    !s.is_empty() && s.len() <= 80 && s.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// The two letters of a packed country.
pub(crate) fn country_code(c: u16) -> String {
    let a = (b'A' + (c / 26) as u8) as char;
    let b = (b'A' + (c % 26) as u8) as char;
    format!("{a}{b}")
}

/// Whether a reason pattern (`NS1`, or `NS*` for a family) matches a reason the list gives.
pub(crate) fn reason_matches(want: &str, have: &str) -> bool {
    match want.strip_suffix('*') {
        Some(letters) => have.trim_end_matches(|c: char| c.is_ascii_digit()) == letters,
        None => want == have,
    }
}

impl PolicySet {
    /// Parses and cross-checks a complete set of policy and data files; the first error names file and line.
    pub fn parse(sources: &[PolicySource]) -> Result<PolicySet> {
        if sources.is_empty() {
            return Err(Error::new(ErrorCode::InvalidPolicy, "no policy files were given"));
        }
        let mut raws = Vec::with_capacity(sources.len());
        let mut sources_info = Vec::with_capacity(sources.len());
        for s in sources {
            let f = FileCtx { name: &s.name, text: &s.text };
            let raw = parse_file(&f)?;
            sources_info.push(match &raw.source {
                None => FactSource::undeclared(&s.name),
                Some(src) => fact_source(&f, src)?,
            });
            raws.push(raw);
        }
        // Pass 1: sets, charts and facts of every file, so any file may use them.
        let mut sets = Sets::default();
        let mut regions: Vec<String> = Vec::new();
        let mut set_files: HashMap<String, &str> = HashMap::new();
        let mut charts = Vec::new();
        let mut chart_ids = HashMap::new();
        let mut facts = Vec::new();
        let mut fact_ids = HashMap::new();
        let mut fact_files: HashMap<String, &str> = HashMap::new();
        let empty = HashMap::new();
        for (file_ix, (s, raw)) in sources.iter().zip(&raws).enumerate() {
            let f = FileCtx { name: &s.name, text: &s.text };
            for (name, spanned) in &raw.sets {
                let set = spanned.get_ref();
                let first = set.members.first().ok_or_else(|| f.at(spanned, format!("set '{name}' has no members")))?;
                sets.files.insert(name.clone(), file_ix);
                if let Some(other) = set_files.insert(name.clone(), &s.name) {
                    return Err(f.at(first, format!("set '{name}' is also defined in {other}")));
                }
                if set.citation.trim().is_empty() {
                    return Err(f.at(first, format!("set '{name}' needs a citation")));
                }
                if set.members.iter().any(|m| trimmed(m).starts_with('@')) {
                    let m = set.members.iter().find(|m| trimmed(m).starts_with('@')).unwrap_or(first);
                    return Err(f.at(m, "a set lists members, not other sets"));
                }
                let no_sets = Sets::default();
                let c = Compiler {
                    sets: &no_sets,
                    charts: &empty,
                    facts: &empty,
                    chart_files: &[],
                    fact_files: &[],
                    sources: &sources_info,
                };
                if Place::parse(trimmed(first)).is_some() {
                    let countries = c.countries(&f, &set.members)?.unwrap_or_default();
                    regions.extend(countries.regions.iter().map(|(c, r)| format!("{}-{r}", country_code(*c))));
                    sets.countries.insert(name.clone(), countries);
                } else {
                    sets.codes.insert(name.clone(), c.codes(&f, &set.members)?);
                }
            }
            for (name, spanned) in &raw.chart {
                let chart = spanned.get_ref();
                let anchor =
                    chart.columns.first().ok_or_else(|| f.at(spanned, format!("chart '{name}' has no columns")))?;
                if chart.citation.trim().is_empty() {
                    return Err(f.at(spanned, format!("chart '{name}' needs a citation")));
                }
                if chart_ids.insert(name.clone(), charts.len()).is_some() {
                    return Err(f.at(anchor, format!("chart '{name}' is defined twice")));
                }
                if chart.columns.len() > 32 {
                    return Err(f.at(anchor, "a chart has at most 32 columns"));
                }
                let columns: Vec<String> = chart.columns.iter().map(|c| trimmed(c).to_owned()).collect();
                for (i, c) in chart.columns.iter().enumerate() {
                    if !valid_reason(trimmed(c)) || columns[..i].contains(&columns[i]) {
                        return Err(
                            f.at(c, format!("column '{}' is not a reason like NS1, or is repeated", trimmed(c)))
                        );
                    }
                }
                for col in chart.column_citations.keys() {
                    if !columns.contains(col) {
                        return Err(
                            f.at(anchor, format!("citation for '{col}', which is not a column of chart '{name}'"))
                        );
                    }
                }
                let mut rows = HashMap::new();
                for (key, marks) in &chart.rows {
                    let place = Place::parse(key).ok_or_else(|| {
                        f.at(marks, format!("row '{key}' is not an ISO 3166-1 alpha-2 country code or a subdivision"))
                    })?;
                    let mut bits = 0u32;
                    for m in marks.get_ref() {
                        let i = columns
                            .iter()
                            .position(|c| c == trimmed(m))
                            .ok_or_else(|| f.at(m, format!("'{}' is not a column of chart '{name}'", trimmed(m))))?;
                        bits |= 1 << i;
                    }
                    if let Some(r) = &place.region {
                        regions.push(format!("{}-{r}", country_code(place.country)));
                    }
                    rows.insert(place, bits);
                }
                let mut bare_reasons = Vec::new();
                for (bare, column) in &chart.bare_reasons {
                    let i = columns.iter().position(|c| c == trimmed(column)).ok_or_else(|| {
                        f.at(column, format!("'{}' is not a column of chart '{name}'", trimmed(column)))
                    })?;
                    if !valid_reason(bare) || columns.contains(bare) {
                        return Err(f.at(column, format!("'{bare}' is not a reason without a column")));
                    }
                    bare_reasons.push((bare.clone(), i));
                }
                let mut handled_elsewhere = Vec::new();
                for h in &chart.handled_elsewhere {
                    if !valid_reason(trimmed(h)) || columns.iter().any(|c| c == trimmed(h)) {
                        return Err(f.at(h, format!("'{}' is not a reason without a column", trimmed(h))));
                    }
                    handled_elsewhere.push(trimmed(h).to_owned());
                }
                let column_citations = columns
                    .iter()
                    .map(|c| chart.column_citations.get(c).cloned().unwrap_or_else(|| chart.citation.clone()))
                    .collect();
                let mut refer = HashMap::new();
                for (key, text) in &chart.refer {
                    let place = Place::parse(key).ok_or_else(|| {
                        f.at(text, format!("row '{key}' is not an ISO 3166-1 alpha-2 country code or a subdivision"))
                    })?;
                    if rows.contains_key(&place) {
                        return Err(f.at(text, format!("'{key}' has marks and refers elsewhere")));
                    }
                    refer.insert(place, trimmed(text).to_owned());
                }
                charts.push(Chart {
                    name: name.clone(),
                    citation: chart.citation.clone(),
                    columns,
                    column_citations,
                    bare_reasons,
                    handled_elsewhere,
                    rows,
                    refer,
                    source: file_ix,
                    valid_from: primary_date(&sources_info[file_ix]),
                });
            }
            for (name, spanned) in &raw.facts {
                let table = spanned.get_ref();
                if let Some(other) = fact_files.insert(name.clone(), &s.name) {
                    return Err(f.at(spanned, format!("facts '{name}' are also defined in {other}")));
                }
                fact_ids.insert(name.clone(), facts.len());
                if table.citation.trim().is_empty() {
                    return Err(f.at(spanned, format!("facts '{name}' need a citation")));
                }
                let currency = table.currency.as_ref().map(|c| currency(&f, c)).transpose()?;
                let mut values = Vec::with_capacity(table.values.len());
                let mut notes = HashMap::new();
                for (key, value) in &table.values {
                    let code = match CodePattern::parse(key) {
                        Some(CodePattern::Code(c)) => c,
                        _ => return Err(f.at(value, format!("'{key}' is not a control code like 3A001 or 3A001.a.1"))),
                    };
                    let v = match value.get_ref() {
                        toml::Value::Boolean(true) => FactValue::Flag,
                        toml::Value::Integer(n) if *n >= 0 => FactValue::Number(Decimal::from_int(*n)),
                        toml::Value::Float(x) if *x >= 0.0 => match Decimal::from_f64(*x) {
                            Ok(n) => FactValue::Number(n),
                            Err(e) => return Err(f.at(value, format!("'{key}': {e}"))),
                        },
                        toml::Value::Array(a) if a.is_empty() => {
                            return Err(f.at(value, format!("'{key}': an empty list of reasons says nothing")));
                        }
                        toml::Value::Array(a) => FactValue::Reasons(reason_list(&f, value, key, a)?),
                        toml::Value::Table(t) => {
                            if let Some(k) = t.keys().find(|k| !matches!(k.as_str(), "reasons" | "notes")) {
                                return Err(f.at(value, format!("'{key}': unknown field '{k}' (reasons, notes)")));
                            }
                            let Some(toml::Value::Array(a)) = t.get("reasons") else {
                                return Err(f.at(value, format!("'{key}': a table value needs a list of reasons")));
                            };
                            let reasons = reason_list(&f, value, key, a)?;
                            let mut limits = Vec::new();
                            if let Some(n) = t.get("notes") {
                                let Some(n) = n.as_table() else {
                                    return Err(f.at(value, format!("'{key}': notes map reasons to words")));
                                };
                                for (r, words) in n {
                                    match words.as_str() {
                                        Some(w) if reasons.contains(r) => limits.push((r.clone(), w.to_owned())),
                                        _ => {
                                            return Err(f.at(value, format!("'{key}': a note for {r}, which is not among its reasons, or not text")));
                                        }
                                    }
                                }
                            }
                            if !limits.is_empty() {
                                notes.insert(code.clone(), limits);
                            }
                            FactValue::Reasons(reasons)
                        }
                        other => {
                            return Err(f.at(
                                value,
                                format!(
                                    "'{key}': expected true, a non-negative number or a list of reasons, not {other}"
                                ),
                            ));
                        }
                    };
                    values.push((code, v));
                }
                values.sort_by(|a, b| a.0.cmp(&b.0));
                if let Some(w) = values.windows(2).find(|w| w[0].0 == w[1].0) {
                    return Err(f.at(spanned, format!("facts '{name}' give {} twice", w[0].0)));
                }
                let kinds: Vec<std::mem::Discriminant<FactValue>> =
                    values.iter().map(|(_, v)| std::mem::discriminant(v)).collect();
                if kinds.windows(2).any(|w| w[0] != w[1]) {
                    return Err(f.at(spanned, format!("facts '{name}' mix flags, numbers and lists of reasons")));
                }
                facts.push(Facts {
                    name: name.clone(),
                    citation: table.citation.clone(),
                    currency,
                    values,
                    notes,
                    source: file_ix,
                    valid_from: primary_date(&sources_info[file_ix]),
                });
            }
        }
        // Pass 2: the policies.
        let chart_files: Vec<usize> = charts.iter().map(|c: &Chart| c.source).collect();
        let fact_file_ix: Vec<usize> = facts.iter().map(|t: &Facts| t.source).collect();
        let compiler = Compiler {
            sets: &sets,
            charts: &chart_ids,
            facts: &fact_ids,
            chart_files: &chart_files,
            fact_files: &fact_file_ix,
            sources: &sources_info,
        };
        let mut policies: Vec<Policy> = Vec::new();
        let mut coalition = None;
        let mut rule_ids: HashMap<String, String> = HashMap::new();
        for (s, raw) in sources.iter().zip(raws) {
            let f = FileCtx { name: &s.name, text: &s.text };
            let Some(header) = raw.policy else {
                if let Some(r) = raw.rule.first() {
                    return Err(f.at(
                        &r.id,
                        "a file with rules needs a [policy] table (jurisdiction, title, version, effective_date)",
                    ));
                }
                if let Some(a) = raw.authorisation.first() {
                    return Err(f.at(&a.id, "authorisations need a [policy] table"));
                }
                if raw.applies.is_some() {
                    return Err(Error::new(
                        ErrorCode::InvalidPolicy,
                        format!("{}: [applies] needs a [policy] table", s.name),
                    )
                    .with_details(serde_json::json!({ "file": s.name })));
                }
                continue;
            };
            let jurisdiction = trimmed(&header.jurisdiction).to_owned();
            if !matches!(jurisdiction.as_str(), "EU" | "US" | "UK" | "coalition") {
                return Err(f.at(
                    &header.jurisdiction,
                    format!("unknown jurisdiction '{jurisdiction}' (EU, US, UK or coalition)"),
                ));
            }
            if policies.iter().any(|p| p.info.jurisdiction == jurisdiction)
                || (jurisdiction == "coalition" && coalition.is_some())
            {
                return Err(f.at(&header.jurisdiction, format!("a second policy for {jurisdiction}")));
            }
            if !valid_date(trimmed(&header.effective_date)) {
                return Err(f.at(&header.effective_date, "effective_date must be a date (YYYY-MM-DD)"));
            }
            if jurisdiction == "coalition" {
                let refused = if raw.applies.is_some() {
                    Some("[applies]")
                } else if !raw.authorisation.is_empty() {
                    Some("authorisations")
                } else if header.reasons_from.is_some() {
                    Some("reasons_from")
                } else {
                    None
                };
                if let Some(what) = refused {
                    return Err(f.at(&header.jurisdiction, format!("the coalition's red lines take no {what}")));
                }
            }
            let reasons_from = compiler.named(&f, &fact_ids, &header.reasons_from, "facts table")?;
            if let (Some(i), Some(n)) = (reasons_from, &header.reasons_from)
                && !facts[i].values.iter().all(|(_, v)| matches!(v, FactValue::Reasons(_)))
            {
                return Err(f.at(n, format!("facts '{}' are not lists of reasons", trimmed(n))));
            }
            let applies = match raw.applies {
                None => None,
                Some(a) => Some(Applies {
                    origins: compiler.countries(&f, &a.origins)?.unwrap_or_default(),
                    item_origins: compiler.countries(&f, &a.item_origins)?.unwrap_or_default(),
                    why: a.why,
                }),
            };
            let mut rules = Vec::with_capacity(raw.rule.len());
            for r in raw.rule {
                let id = trimmed(&r.id).to_owned();
                if !id_ok(&id) {
                    return Err(f.at(&r.id, format!("rule id '{id}' must be 1-80 letters, digits, '.', '_' or '-'")));
                }
                if let Some(other) = rule_ids.insert(id.clone(), s.name.clone()) {
                    return Err(f.at(&r.id, format!("rule id '{id}' is already used in {other}")));
                }
                let effect = match trimmed(&r.outcome) {
                    "prohibited" => Effect::Prohibited,
                    "licence_required" => Effect::LicenceRequired,
                    other => {
                        return Err(
                            f.at(&r.outcome, format!("unknown outcome '{other}' (prohibited, licence_required)"))
                        );
                    }
                };
                let review = match r.review.as_ref().map(trimmed) {
                    None | Some("standard") => ReviewPath::Standard,
                    Some("enhanced_due_diligence") => ReviewPath::EnhancedDueDiligence,
                    Some(other) => {
                        let at = r.review.as_ref().map_or(r.id.span().start, |s| s.span().start);
                        return Err(f.err(at, format!("unknown review '{other}' (standard, enhanced_due_diligence)")));
                    }
                };
                if r.citation.trim().is_empty() {
                    return Err(f.at(&r.id, format!("rule '{id}' needs a citation of its legal source")));
                }
                let when = compiler.when(&f, &r.when)?;
                if let Some(v) = &r.when.value_within {
                    compiler.numbers(&f, &facts, v)?;
                }
                let per_item = when.about_items();
                rules.push(Rule {
                    id,
                    effect,
                    citation: r.citation,
                    summary: r.summary,
                    review,
                    missing_data: r.missing_data,
                    unverified: r.unverified.filter(|u| !u.trim().is_empty()),
                    when,
                    per_item,
                });
            }
            let mut authorisations: Vec<Authorisation> = Vec::with_capacity(raw.authorisation.len());
            for a in raw.authorisation {
                let id = trimmed(&a.id).to_owned();
                if !id_ok(&id) {
                    return Err(
                        f.at(&a.id, format!("authorisation id '{id}' must be 1-80 letters, digits, '.', '_' or '-'"))
                    );
                }
                if let Some(other) = rule_ids.insert(id.clone(), s.name.clone()) {
                    return Err(f.at(&a.id, format!("id '{id}' is already used in {other}")));
                }
                if a.citation.trim().is_empty() {
                    return Err(f.at(&a.id, format!("authorisation '{id}' needs a citation of its legal source")));
                }
                let mut lifts = Vec::with_capacity(a.lifts.len());
                for l in &a.lifts {
                    let target = rules
                        .iter()
                        .find(|r| r.id == trimmed(l))
                        .ok_or_else(|| f.at(l, format!("'{}' is not a rule of this policy", trimmed(l))))?;
                    if target.effect != Effect::LicenceRequired {
                        return Err(f.at(l, format!("rule '{}' prohibits; no authorisation can lift it", target.id)));
                    }
                    if target.missing_data {
                        return Err(f.at(
                            l,
                            format!("rule '{}' stands in for missing data; no authorisation can lift it", target.id),
                        ));
                    }
                    lifts.push(target.id.clone());
                }
                if lifts.is_empty() {
                    return Err(f.at(&a.id, format!("authorisation '{id}' lifts no rule")));
                }
                let columns: Vec<&str> = lifts
                    .iter()
                    .filter_map(|l| rules.iter().find(|r| &r.id == l).and_then(|r| r.when.chart))
                    .flat_map(|c| charts[c].columns.iter().map(String::as_str))
                    .collect();
                let mut lifts_reasons = Vec::with_capacity(a.lifts_reasons.len());
                for r in &a.lifts_reasons {
                    let want = trimmed(r);
                    if !reason_pattern(want) || !columns.iter().any(|c| reason_matches(want, c)) {
                        return Err(f.at(r, format!("'{want}' names no column of the charts this authorisation lifts")));
                    }
                    lifts_reasons.push(want.to_owned());
                }
                if let Some(v) = &a.when.value_within {
                    compiler.numbers(&f, &facts, v)?;
                }
                authorisations.push(Authorisation {
                    id,
                    name: a.name,
                    citation: a.citation,
                    lifts,
                    lifts_reasons,
                    unverified: a.unverified.filter(|u| !u.trim().is_empty()),
                    when: compiler.when(&f, &a.when)?,
                    obligations: a.obligations,
                });
            }
            let info = PolicyInfo {
                jurisdiction: jurisdiction.clone(),
                file: s.name.clone(),
                title: header.title,
                version: header.version,
                effective_date: trimmed(&header.effective_date).to_owned(),
                rules: rules.len(),
                authorisations: authorisations.len(),
            };
            let policy = Policy { info, applies, reasons_from, rules, authorisations };
            if jurisdiction == "coalition" {
                coalition = Some(policy);
            } else {
                policies.push(policy);
            }
        }
        if policies.is_empty() {
            return Err(Error::new(
                ErrorCode::InvalidPolicy,
                "no jurisdiction policy among the files (a [policy] table with jurisdiction EU, US or UK)",
            ));
        }
        if coalition.is_none() {
            return Err(Error::new(
                ErrorCode::InvalidPolicy,
                "no coalition policy among the files (a [policy] table with jurisdiction = \"coalition\"): the red lines may not go missing",
            ));
        }
        policies.sort_by(|a, b| a.info.jurisdiction.cmp(&b.info.jurisdiction));
        regions.sort();
        regions.dedup();
        let mut labels: Vec<String> =
            policies.iter().chain(&coalition).map(|p| format!("{}@{}", p.info.file, p.info.version)).collect();
        labels.sort();
        let versions_label = labels.join(",");
        Ok(PolicySet { policies, coalition, charts, facts, regions, sources: sources_info, versions_label })
    }

    /// The loaded policies: every jurisdiction's, then the coalition's.
    pub fn info(&self) -> Vec<PolicyInfo> {
        self.policies.iter().chain(&self.coalition).map(|p| p.info.clone()).collect()
    }

    /// The jurisdictions with a policy (`EU`, `US` …).
    pub fn jurisdictions(&self) -> Vec<&str> {
        self.policies.iter().map(|p| p.info.jurisdiction.as_str()).collect()
    }

    /// Where each file's facts come from, and whether they are verified against a primary source.
    pub fn sources(&self) -> &[FactSource] {
        &self.sources
    }

    /// The latest effective date of any loaded policy file.
    pub fn latest_effective_date(&self) -> String {
        self.policies.iter().chain(&self.coalition).map(|p| p.info.effective_date.clone()).max().unwrap_or_default()
    }
}

/// The project's own policy and data files, built into the binary (the `policies/` folder of the repository).
pub fn builtin_policies() -> Vec<PolicySource> {
    macro_rules! file {
        ($name:literal) => {
            PolicySource { name: $name.to_owned(), text: include_str!(concat!("../../../policies/", $name)).to_owned() }
        };
    }
    vec![
        file!("coalition.toml"),
        file!("eu.toml"),
        file!("us.toml"),
        file!("data/eu-sets.toml"),
        file!("data/us-ecfr-ccl.toml"),
        file!("data/us-ecfr-chart.toml"),
        file!("data/us-ecfr-country-groups.toml"),
        file!("data/us-hand-sets.toml"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_are_countries_or_subdivisions_and_sets_contain_regions_of_their_countries() {
        let ua = Place::parse("UA").unwrap();
        let crimea = Place::parse("UA-43").unwrap();
        assert!(Place::parse("XX").is_none() && Place::parse("ua").is_none() && Place::parse("UA-").is_none());
        let mut s = CountrySet::default();
        s.insert(&crimea);
        assert!(s.contains(&crimea) && !s.contains(&ua));
        let mut t = CountrySet::default();
        t.insert(&ua);
        assert!(t.contains(&crimea), "a set holding a country holds its regions");
    }

    #[test]
    fn code_sets_cover_an_entry_and_what_lies_below_it() {
        let set = |p: &str| CodeSet::new(vec![CodePattern::parse(p).unwrap()]);
        let code = |c: &str| ControlCode::parse(c).unwrap();
        assert!(set("5A002.a").covers(&code("5A002.a.1")) && set("5A002.a").covers(&code("5A002.a")));
        assert!(!set("5A002.a").covers(&code("5A002")) && !set("5A002.a").covers(&code("5A002.b")));
        assert_eq!(set("5A002.a").first_below(&code("5A002")), Some(&code("5A002.a")));
        assert!(set("5A002.a").first_below(&code("5A002.a")).is_none());
        assert!(set("0*").covers(&code("0B001")));
        assert!(!set("9A*").covers(&code("9E001")));
        let many = CodeSet::new(
            ["3A001.z.1.a", "3A090.a", "4A003.z", "5A002"].iter().map(|p| CodePattern::parse(p).unwrap()).collect(),
        );
        assert!(
            many.covers(&code("4A003.z.1")) && many.covers(&code("5A002.a.1")) && many.covers(&code("3A001.z.1.a"))
        );
        assert!(!many.covers(&code("3A001.z.1")) && !many.covers(&code("4A003")) && !many.covers(&code("3A090")));
        assert!(CodePattern::parse("3a001").is_none(), "only the canonical spelling");
        assert!(CodePattern::parse("3X*").is_none());
    }

    #[test]
    fn lines_are_counted_from_one() {
        assert_eq!(line_at("a\nb\nc", 0), 1);
        assert_eq!(line_at("a\nb\nc", 2), 2);
        assert_eq!(line_at("a\nb\nc", 99), 3);
    }
}
