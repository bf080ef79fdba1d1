//! The harmonized list: regimes, per-jurisdiction mappings, entries and the list itself.

use crate::code::ControlCode;
use crate::search::{Index, SearchHit};
use accord_core::{Error, ErrorCode, Result};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A multilateral export-control regime an entry comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Regime {
    /// Wassenaar Arrangement.
    #[serde(rename = "WA")]
    Wa,
    /// Nuclear Suppliers Group.
    #[serde(rename = "NSG")]
    Nsg,
    /// Missile Technology Control Regime.
    #[serde(rename = "MTCR")]
    Mtcr,
    /// Australia Group.
    #[serde(rename = "AG")]
    Ag,
    /// Chemical Weapons Convention.
    #[serde(rename = "CWC")]
    Cwc,
}

impl Regime {
    /// Every regime, in a fixed order.
    pub const ALL: [Regime; 5] = [Regime::Wa, Regime::Nsg, Regime::Mtcr, Regime::Ag, Regime::Cwc];

    /// The usual abbreviation (`WA`, `NSG`, `MTCR`, `AG`, `CWC`).
    pub fn as_str(self) -> &'static str {
        match self {
            Regime::Wa => "WA",
            Regime::Nsg => "NSG",
            Regime::Mtcr => "MTCR",
            Regime::Ag => "AG",
            Regime::Cwc => "CWC",
        }
    }

    /// The regime an abbreviation names (case-insensitive).
    pub fn parse(s: &str) -> Option<Regime> {
        Regime::ALL.into_iter().find(|r| r.as_str().eq_ignore_ascii_case(s.trim()))
    }

    /// The regime an EU Annex I code derives from by the Annex's numbering: category 0 is the NSG trigger list;
    /// otherwise entry numbers 000–099 are Wassenaar, 100–199 MTCR, 200–299 NSG, 300–399 Australia Group,
    /// 400–499 CWC, and 500 and above are not regime items.
    pub fn from_annex_numbering(code: &ControlCode) -> Option<Regime> {
        if code.category() == 0 {
            return Some(Regime::Nsg);
        }
        match code.number() / 100 {
            0 => Some(Regime::Wa),
            1 => Some(Regime::Mtcr),
            2 => Some(Regime::Nsg),
            3 => Some(Regime::Ag),
            4 => Some(Regime::Cwc),
            _ => None,
        }
    }
}

impl fmt::Display for Regime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A jurisdiction whose own control list is mapped onto the coalition codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Jurisdiction {
    /// European Union, Annex I of Regulation (EU) 2021/821.
    #[serde(rename = "EU")]
    Eu,
    /// United States, Commerce Control List (ECCNs).
    #[serde(rename = "US")]
    Us,
    /// United Kingdom, Strategic Export Control List (ratings).
    #[serde(rename = "UK")]
    Uk,
}

impl Jurisdiction {
    /// The two-letter name (`EU`, `US`, `UK`).
    pub fn as_str(self) -> &'static str {
        match self {
            Jurisdiction::Eu => "EU",
            Jurisdiction::Us => "US",
            Jurisdiction::Uk => "UK",
        }
    }
}

impl fmt::Display for Jurisdiction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How one jurisdiction lists a coalition entry: its own code, reasons for control and heading.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    /// The jurisdiction.
    pub jurisdiction: Jurisdiction,
    /// The jurisdiction's code (EU Annex I code, US ECCN, UK rating).
    pub code: String,
    /// Reasons for control as the jurisdiction states them (US: `NS1`, `AT1`, `RS`, `EI`…), sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<String>,
    /// The jurisdiction's own heading when it differs from the entry title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

impl Mapping {
    /// A mapping without reasons or heading.
    pub fn new(jurisdiction: Jurisdiction, code: impl Into<String>) -> Mapping {
        Mapping { jurisdiction, code: code.into(), reasons: Vec::new(), title: None }
    }
}

/// Whether a reason for control is well formed: 2–4 capital letters, optionally followed by a column digit.
pub(crate) fn valid_reason(r: &str) -> bool {
    let letters = r.bytes().take_while(u8::is_ascii_uppercase).count();
    (2..=4).contains(&letters) && r.len() <= letters + 1 && r.bytes().skip(letters).all(|b| b.is_ascii_digit())
}

/// One entry of the harmonized list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ControlEntry {
    /// The coalition code.
    pub code: ControlCode,
    /// The heading.
    pub title: String,
    /// The full text of the entry (sub-items, notes, technical notes), as one string.
    pub text: String,
    /// The regimes behind the entry, sorted, where known.
    pub regimes: Vec<Regime>,
    /// One mapping per jurisdiction that lists the entry, sorted by jurisdiction.
    pub mappings: Vec<Mapping>,
    /// Notes and exclusions ("3A001.a.2. does not control …"), in text order.
    pub notes: Vec<String>,
}

impl ControlEntry {
    /// An entry with a code and title and nothing else.
    pub fn new(code: ControlCode, title: impl Into<String>) -> ControlEntry {
        ControlEntry {
            code,
            title: title.into(),
            text: String::new(),
            regimes: Vec::new(),
            mappings: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// The category digit, 0–9.
    pub fn category(&self) -> u8 {
        self.code.category()
    }

    /// The group letter, A–E.
    pub fn group(&self) -> char {
        self.code.group()
    }

    /// The mapping of one jurisdiction, if it lists the entry.
    pub fn mapping(&self, jurisdiction: Jurisdiction) -> Option<&Mapping> {
        self.mappings.iter().find(|m| m.jurisdiction == jurisdiction)
    }

    /// Adds or replaces the mapping of a jurisdiction, keeping mappings sorted.
    pub fn set_mapping(&mut self, mapping: Mapping) {
        self.mappings.retain(|m| m.jurisdiction != mapping.jurisdiction);
        self.mappings.push(mapping);
        self.mappings.sort_by_key(|m| m.jurisdiction);
    }

    /// Adds a regime, keeping regimes sorted and unique.
    pub fn add_regime(&mut self, regime: Regime) {
        if !self.regimes.contains(&regime) {
            self.regimes.push(regime);
            self.regimes.sort();
        }
    }
}

/// What a published list version says about itself.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ListInfo {
    /// The coalition's version label (`2025-11`, `2026.1`).
    pub version: String,
    /// The date the version takes effect, `YYYY-MM-DD`.
    pub effective_date: String,
    /// Why this version was published (amendments, sources merged).
    pub rationale: String,
}

/// Whether a string is a real calendar date written `YYYY-MM-DD`.
pub(crate) fn valid_date(s: &str) -> bool {
    day(s).is_some()
}

/// The day written `YYYY-MM-DD` (exactly so), if it is one.
pub(crate) fn day(s: &str) -> Option<jiff::civil::Date> {
    if s.len() == 10 { s.parse().ok() } else { None }
}

/// The harmonized list: entries sorted by code with unique codes, and a search index built once.
#[derive(Debug, Clone)]
pub struct ControlList {
    info: ListInfo,
    entries: Vec<ControlEntry>,
    index: Index,
}

impl ControlList {
    /// Builds a list, sorting entries by code; a duplicate code is `validation_failed`.
    pub fn new(info: ListInfo, mut entries: Vec<ControlEntry>) -> Result<ControlList> {
        entries.sort_by(|a, b| a.code.cmp(&b.code));
        if let Some(w) = entries.windows(2).find(|w| w[0].code == w[1].code) {
            return Err(Error::new(ErrorCode::ValidationFailed, format!("duplicate control code {}", w[0].code))
                .with_details(serde_json::json!({ "field": "code", "value": w[0].code.to_string() })));
        }
        let index = Index::build(&entries);
        Ok(ControlList { info, entries, index })
    }

    /// What the list says about itself.
    pub fn info(&self) -> &ListInfo {
        &self.info
    }

    /// Every entry, sorted by code.
    pub fn entries(&self) -> &[ControlEntry] {
        &self.entries
    }

    /// How many entries the list has.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the list has no entry.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entry with this code.
    pub fn get(&self, code: &ControlCode) -> Option<&ControlEntry> {
        self.entries.binary_search_by(|e| e.code.cmp(code)).ok().map(|i| &self.entries[i])
    }

    /// The index of the entry with this code in [`ControlList::entries`].
    pub fn position(&self, code: &ControlCode) -> Option<usize> {
        self.entries.binary_search_by(|e| e.code.cmp(code)).ok()
    }

    /// The entry with this code, or `not_found`.
    pub fn require(&self, code: &ControlCode) -> Result<&ControlEntry> {
        self.get(code).ok_or_else(|| Error::not_found("control entry", &code.to_string()))
    }

    /// The sub-items of a code: the nearest listed entries below it, in order. Lists skip levels (the EU list has
    /// `3A001.a.1.c` but no `3A001.a`), so a sub-item is one with no listed entry between it and the code.
    pub fn children<'a>(&'a self, code: &'a ControlCode) -> Vec<&'a ControlEntry> {
        let mut nearest: Vec<&ControlEntry> = Vec::new();
        for e in self.descendants(code) {
            // In code order a subtree is contiguous, so only the last kept entry can be an ancestor.
            if nearest.last().is_none_or(|last| !last.code.is_ancestor_of(&e.code)) {
                nearest.push(e);
            }
        }
        nearest
    }

    /// Every entry strictly below a code, in order.
    pub fn descendants<'a>(&'a self, code: &'a ControlCode) -> impl Iterator<Item = &'a ControlEntry> + 'a {
        let start = self.entries.partition_point(|e| e.code <= *code);
        self.entries[start..].iter().take_while(move |e| code.is_ancestor_of(&e.code))
    }

    /// The entries of a category (0–9), optionally of one group (A–E), in order.
    pub fn by_category(&self, category: u8, group: Option<char>) -> Vec<&ControlEntry> {
        let group = group.map(|g| g.to_ascii_uppercase());
        self.entries.iter().filter(|e| e.category() == category && group.is_none_or(|g| e.group() == g)).collect()
    }

    /// Ranked full-text search over titles (boosted), texts, notes and jurisdiction headings; a query that is a
    /// code puts that entry first, then the entries below it.
    pub fn search(&self, query: &str, limit: usize) -> Vec<SearchHit> {
        self.index.search(&self.entries, query, limit)
    }

    /// Up to `n` codes nearest to an unknown code (same heading, then nearby numbers in the same group), or,
    /// when the input is not code-like, the codes of the best search hits.
    pub fn nearest(&self, code_or_text: &str, n: usize) -> Vec<ControlCode> {
        if let Ok(code) = ControlCode::parse(code_or_text) {
            return self.nearest_code(&code, n);
        }
        if let Some(code) = code_prefix(code_or_text) {
            return self.nearest_code(&code, n);
        }
        let found: Vec<ControlCode> = self.search(code_or_text, n).into_iter().map(|h| h.code).collect();
        if found.is_empty() { self.nearest_spelling(code_or_text, n) } else { found }
    }

    /// Codes spelled most like a malformed code (`3A00X` gives `3A001`, `3A002` …), by edit distance.
    fn nearest_spelling(&self, input: &str, n: usize) -> Vec<ControlCode> {
        let wanted: Vec<char> = input.trim().to_uppercase().chars().take(32).collect();
        if wanted.is_empty() {
            return Vec::new();
        }
        let mut ranked: Vec<(usize, &ControlCode)> = self
            .entries
            .iter()
            .map(|e| {
                let code: Vec<char> = e.code.to_string().to_uppercase().chars().collect();
                (edit_distance(&wanted, &code), &e.code)
            })
            .filter(|(d, _)| *d <= wanted.len() / 2)
            .collect();
        ranked.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(b.1)));
        ranked.into_iter().take(n).map(|(_, c)| c.clone()).collect()
    }

    fn nearest_code(&self, code: &ControlCode, n: usize) -> Vec<ControlCode> {
        let mut ranked: Vec<(usize, u16, usize, &ControlCode)> = self
            .entries
            .iter()
            .filter(|e| e.code.shared_levels(code) >= 2)
            .map(|e| (e.code.shared_levels(code), e.code.number().abs_diff(code.number()), e.code.depth(), &e.code))
            .collect();
        ranked.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)).then(a.3.cmp(b.3)));
        ranked.into_iter().take(n).map(|r| r.3.clone()).collect()
    }
}

/// Levenshtein distance between two short strings.
fn edit_distance(a: &[char], b: &[char]) -> usize {
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let current = row[j + 1];
            row[j + 1] = if ca == cb { previous } else { 1 + previous.min(row[j]).min(row[j + 1]) };
            previous = current;
        }
    }
    row[b.len()]
}

/// The longest valid code at the start of a code-like string (`3A001.zz.x1` gives `3A001.zz`), if any.
fn code_prefix(s: &str) -> Option<ControlCode> {
    let s = s.trim();
    let mut end = s.len();
    loop {
        if let Ok(c) = ControlCode::parse(&s[..end]) {
            return Some(c);
        }
        end = s[..end].rfind('.')?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sub_items_are_the_nearest_listed_entries_below_a_code_even_across_missing_levels() {
        let entry = |c: &str| ControlEntry::new(ControlCode::parse(c).unwrap_or_else(|e| panic!("{e}")), "t");
        let info = ListInfo { version: "v".into(), effective_date: "2025-01-01".into(), rationale: "r".into() };
        let codes = ["3A001", "3A001.a.1.c", "3A001.a.2", "3A001.b", "3A001.b.1", "3A001.b.1.a", "3A002", "3A002.a"];
        let list = ControlList::new(info, codes.iter().map(|c| entry(c)).collect()).unwrap_or_else(|e| panic!("{e}"));
        let below = |c: &str| -> Vec<String> {
            let code = ControlCode::parse(c).unwrap_or_else(|e| panic!("{e}"));
            list.children(&code).iter().map(|e| e.code.to_string()).collect()
        };
        assert_eq!(below("3A001"), ["3A001.a.1.c", "3A001.a.2", "3A001.b"], "3A001.a is not listed: its items are");
        assert_eq!(below("3A001.b"), ["3A001.b.1"]);
        assert_eq!(below("3A001.b.1"), ["3A001.b.1.a"]);
        assert!(below("3A001.a.2").is_empty());
    }

    #[test]
    fn malformed_codes_get_the_codes_spelled_most_like_them() {
        let entry = |c: &str| ControlEntry::new(ControlCode::parse(c).unwrap_or_else(|e| panic!("{e}")), "t");
        let info = ListInfo { version: "v".into(), effective_date: "2025-01-01".into(), rationale: "r".into() };
        let list = ControlList::new(info, vec![entry("3A001"), entry("3A002"), entry("9E003")])
            .unwrap_or_else(|e| panic!("{e}"));
        let near: Vec<String> = list.nearest("3A00X", 2).iter().map(|c| c.to_string()).collect();
        assert_eq!(near, ["3A001", "3A002"]);
        assert!(list.nearest("zzzzzzzzzz", 3).is_empty(), "nothing is near a string unlike any code or text");
        assert_eq!(edit_distance(&['a', 'b'], &['a', 'c', 'b']), 1);
    }

    #[test]
    fn dates_are_checked_against_the_calendar() {
        assert!(valid_date("2024-02-29"));
        assert!(!valid_date("2025-02-29"));
        assert!(!valid_date("2025-13-01"));
        assert!(!valid_date("2025-1-01"));
    }

    #[test]
    fn reasons_are_capital_letters_with_an_optional_column() {
        assert!(valid_reason("NS1") && valid_reason("AT") && valid_reason("EI"));
        assert!(!valid_reason("ns1") && !valid_reason("NS12") && !valid_reason("foreign policy") && !valid_reason("N"));
    }

    #[test]
    fn annex_numbering_gives_the_regime() {
        let r = |s: &str| Regime::from_annex_numbering(&ControlCode::parse(s).unwrap_or_else(|e| panic!("{e}")));
        assert_eq!(r("3A001"), Some(Regime::Wa));
        assert_eq!(r("9A101.a"), Some(Regime::Mtcr));
        assert_eq!(r("3A225"), Some(Regime::Nsg));
        assert_eq!(r("0B001"), Some(Regime::Nsg));
        assert_eq!(r("2B350"), Some(Regime::Ag));
        assert_eq!(r("1C450"), Some(Regime::Cwc));
        assert_eq!(r("4A506"), None);
    }
}
