//! Policies as data: one TOML file per jurisdiction (plus one for coalition-wide red lines) with rules that cite
//! their legal source, and data files of named sets, country charts and item facts. [`PolicySet::parse`] reads
//! them strictly; every error names its file and line, and nothing is half-loaded.

use crate::code::ControlCode;
use crate::model::{Regime, valid_reason};
use accord_core::decimal::Decimal;
pub use accord_core::determination::ReviewPath;
use accord_core::{Error, ErrorCode, Result};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use toml::Spanned;
use utoipa::ToSchema;

mod compile;
mod raw;

pub use compile::builtin_policies;
pub(crate) use compile::{country_code, reason_matches};
use raw::*;

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
    #[schema(value_type = String, format = Date)]
    pub effective_date: jiff::civil::Date,
    /// How many rules and general authorisations it has.
    pub rules: usize,
    /// How many general authorisations (licence exceptions) it has.
    pub authorisations: usize,
}

accord_core::named_enum! {
    /// How a file's facts were written.
    SourceKind {
        /// Generated mechanically from the official text of the regulation.
        PrimarySource = "primary_source",
        /// Written by people and not verified against a primary source.
        HandEncoded = "hand_encoded",
    }
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
    #[schema(value_type = Option<String>, format = Date)]
    pub issue_date: Option<jiff::civil::Date>,
    /// Where the document can be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// `primary_source` (generated mechanically from the official text) or `hand_encoded` (written by people,
    /// not verified against a primary source).
    pub kind: SourceKind,
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
            kind: SourceKind::HandEncoded,
            verified: false,
            inputs: Vec::new(),
            note: None,
        }
    }
}

/// What a rule does when it fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    /// The transaction needs a licence (unless a general authorisation lifts the requirement).
    LicenceRequired,
    /// The transaction must not proceed.
    Prohibited,
}

accord_core::named_enum! {
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

accord_core::named_enum! {
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

accord_core::named_enum! {
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
    pub(crate) valid_from: Option<jiff::civil::Date>,
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
    pub(crate) valid_from: Option<jiff::civil::Date>,
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
    pub(crate) from: Option<jiff::civil::Date>,
    pub(crate) until: Option<jiff::civil::Date>,
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
    pub(crate) ownership: Vec<accord_core::ownership::OwnershipRule>,
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

#[cfg(test)]
mod tests {
    use super::compile::line_at;
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
