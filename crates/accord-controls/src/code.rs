//! Coalition control codes: `3A001`, `3A001.a.1.b`, parsed, validated and ordered by their structure.

use accord_core::{Error, ErrorCode, Result};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

/// Longest sub-item path accepted (the deepest real entries have five levels).
const MAX_DEPTH: usize = 8;

/// One level of a sub-item path: a number (`1`, `12`) or a letter label (`a`, `aa`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Segment {
    Number(u16),
    Letters(String),
}

impl Segment {
    fn parse(s: &str) -> Option<Segment> {
        if !s.is_empty() && s.len() <= 3 && s.bytes().all(|b| b.is_ascii_digit()) {
            return s.parse().ok().map(Segment::Number);
        }
        if !s.is_empty() && s.len() <= 2 && s.bytes().all(|b| b.is_ascii_alphabetic()) {
            return Some(Segment::Letters(s.to_ascii_lowercase()));
        }
        None
    }
}

impl Ord for Segment {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Segment::Number(a), Segment::Number(b)) => a.cmp(b),
            (Segment::Letters(a), Segment::Letters(b)) => a.len().cmp(&b.len()).then_with(|| a.cmp(b)),
            (Segment::Number(_), Segment::Letters(_)) => Ordering::Less,
            (Segment::Letters(_), Segment::Number(_)) => Ordering::Greater,
        }
    }
}

impl PartialOrd for Segment {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Segment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Segment::Number(n) => write!(f, "{n}"),
            Segment::Letters(s) => f.write_str(s),
        }
    }
}

/// A validated control code: category digit, group letter A–E, three digits and an optional sub-item path.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ControlCode {
    category: u8,
    group: char,
    number: u16,
    path: Vec<Segment>,
}

impl ControlCode {
    /// Parses a code such as `3A001` or `3a001.A.1.` (case-insensitive, one trailing dot tolerated).
    pub fn parse(input: &str) -> Result<ControlCode> {
        let bad = |why: &str| {
            Error::new(ErrorCode::ValidationFailed, format!("invalid control code '{input}': {why}"))
                .with_details(serde_json::json!({ "field": "code", "value": input }))
        };
        let s = input.trim();
        let s = s.strip_suffix('.').unwrap_or(s);
        let mut parts = s.split('.');
        let head = parts.next().unwrap_or("");
        let b = head.as_bytes();
        if b.len() != 5 {
            return Err(bad("expected a digit, a group letter A-E and three digits, as in 3A001"));
        }
        if !b[0].is_ascii_digit() {
            return Err(bad("the category must be a digit 0-9"));
        }
        let group = (b[1] as char).to_ascii_uppercase();
        if !('A'..='E').contains(&group) {
            return Err(bad("the group must be a letter A-E"));
        }
        if !b[2..].iter().all(u8::is_ascii_digit) {
            return Err(bad("the entry number must be three digits"));
        }
        let number = u16::from(b[2] - b'0') * 100 + u16::from(b[3] - b'0') * 10 + u16::from(b[4] - b'0');
        let mut path = Vec::new();
        for part in parts {
            let seg = Segment::parse(part).ok_or_else(|| {
                bad(&format!("sub-item '{part}' is neither a number (up to 3 digits) nor a letter label (a, aa)"))
            })?;
            path.push(seg);
        }
        if path.len() > MAX_DEPTH {
            return Err(bad(&format!("more than {MAX_DEPTH} sub-item levels")));
        }
        Ok(ControlCode { category: b[0] - b'0', group, number, path })
    }

    /// The category, 0–9.
    pub fn category(&self) -> u8 {
        self.category
    }

    /// The group letter, `A` (systems, equipment, components) to `E` (technology).
    pub fn group(&self) -> char {
        self.group
    }

    /// The three-digit entry number (`1` for `3A001`).
    pub fn number(&self) -> u16 {
        self.number
    }

    /// How many sub-item levels the code has (0 for `3A001`, 2 for `3A001.a.1`).
    pub fn depth(&self) -> usize {
        self.path.len()
    }

    /// The entry heading this code belongs to (`3A001` for `3A001.a.1`).
    pub fn base(&self) -> ControlCode {
        ControlCode { path: Vec::new(), ..self.clone() }
    }

    /// The code one level up (`3A001.a` for `3A001.a.1`), or `None` for an entry heading.
    pub fn parent(&self) -> Option<ControlCode> {
        if self.path.is_empty() {
            return None;
        }
        let mut p = self.clone();
        p.path.pop();
        Some(p)
    }

    /// Whether `other` lies strictly below this code (`3A001` is an ancestor of `3A001.a.1`).
    pub fn is_ancestor_of(&self, other: &ControlCode) -> bool {
        self.category == other.category
            && self.group == other.group
            && self.number == other.number
            && self.path.len() < other.path.len()
            && other.path.starts_with(&self.path)
    }

    /// How many leading levels two codes share: 0 when the category differs, 3 for the same heading, plus
    /// one per common sub-item level.
    pub fn shared_levels(&self, other: &ControlCode) -> usize {
        if self.category != other.category {
            return 0;
        }
        if self.group != other.group {
            return 1;
        }
        if self.number != other.number {
            return 2;
        }
        3 + self.path.iter().zip(&other.path).take_while(|(a, b)| a == b).count()
    }
}

impl Ord for ControlCode {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.category, self.group, self.number, &self.path).cmp(&(
            other.category,
            other.group,
            other.number,
            &other.path,
        ))
    }
}

impl ControlCode {
    /// Compares this code with `other` cut to its first `depth` sub-item levels (no allocation).
    pub(crate) fn cmp_to_prefix(&self, other: &ControlCode, depth: usize) -> Ordering {
        let prefix = &other.path[..depth.min(other.path.len())];
        (self.category, self.group, self.number, self.path.as_slice()).cmp(&(
            other.category,
            other.group,
            other.number,
            prefix,
        ))
    }
}

impl PartialOrd for ControlCode {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for ControlCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}{:03}", self.category, self.group, self.number)?;
        for seg in &self.path {
            write!(f, ".{seg}")?;
        }
        Ok(())
    }
}

impl FromStr for ControlCode {
    type Err = Error;

    fn from_str(s: &str) -> Result<ControlCode> {
        ControlCode::parse(s)
    }
}

impl Serialize for ControlCode {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ControlCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<ControlCode, D::Error> {
        let s = String::deserialize(d)?;
        ControlCode::parse(&s).map_err(|e| serde::de::Error::custom(e.message))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn c(s: &str) -> ControlCode {
        ControlCode::parse(s).unwrap()
    }

    #[test]
    fn parse_normalises_case_and_a_trailing_dot() {
        assert_eq!(c("3a001.A.1.").to_string(), "3A001.a.1");
        assert_eq!(c(" 0E001 ").to_string(), "0E001");
    }

    #[test]
    fn parse_refuses_malformed_codes_with_the_reason() {
        for (bad, why) in [
            ("3F001", "group"),
            ("X A001", "expected"),
            ("3A0O1", "three digits"),
            ("3A001..a", "sub-item ''"),
            ("3A002.d.includes", "sub-item 'includes'"),
            ("3A001.a1", "sub-item 'a1'"),
            ("", "expected"),
        ] {
            let e = ControlCode::parse(bad).unwrap_err();
            assert_eq!(e.code, ErrorCode::ValidationFailed);
            assert!(e.message.contains(why), "{bad}: {}", e.message);
        }
    }

    #[test]
    fn ordering_follows_structure_not_text() {
        let mut v = [c("3A001.b"), c("3A001.a.10"), c("3A001.a.2"), c("3A001"), c("2E003"), c("3A001.aa")];
        v.sort();
        let s: Vec<String> = v.iter().map(ToString::to_string).collect();
        assert_eq!(s, ["2E003", "3A001", "3A001.a.2", "3A001.a.10", "3A001.b", "3A001.aa"]);
    }

    #[test]
    fn parent_and_ancestry_walk_the_path() {
        assert_eq!(c("3A001.a.1").parent(), Some(c("3A001.a")));
        assert_eq!(c("3A001").parent(), None);
        assert!(c("3A001").is_ancestor_of(&c("3A001.a.1")));
        assert!(!c("3A001.a").is_ancestor_of(&c("3A001.b.1")));
        assert!(!c("3A001").is_ancestor_of(&c("3A001")));
        assert!(!c("3A001").is_ancestor_of(&c("3A002.a")));
        assert_eq!(c("3A001.a.1").shared_levels(&c("3A001.a.2")), 4);
        assert_eq!(c("3A001").shared_levels(&c("3B001")), 1);
    }
}
