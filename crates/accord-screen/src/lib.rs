//! Restricted-party name screening: normalisation, transliteration, an in-memory candidate index and
//! part-by-part scoring that explains every hit.
//!
//! Everything here is pure and in memory. Build an [`Index`] once from the listed entities (and,
//! optionally, a [`NameVariants`] table of equivalent name parts), then [`Index::screen`] queries from
//! any number of threads. [`compare`] scores two names directly, and [`normalize`] shows the
//! canonical form a name is matched in.

use std::fmt;

use accord_core::listed::{EntityKind, NameKind};
use accord_core::{Error, Result};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

mod arabic;
mod clean;
mod index;
mod keys;
pub mod network;
pub mod ownership;
mod script;
mod text;
mod variants;

pub use index::Index;
pub use variants::NameVariants;

/// The score at or above which a hit is reported by default: on the development set, recall stays on its
/// plateau down to here while false positives on unrelated names stay under half a percent.
pub const DEFAULT_THRESHOLD: f64 = 0.8;

/// The longest name accepted, in characters.
pub const MAX_NAME_CHARS: usize = 500;

/// The most name parts (words) a query may have.
pub const MAX_NAME_PARTS: usize = 40;

/// The most hits one query may ask for.
pub const MAX_LIMIT: usize = 1000;

/// What to screen: a name and, when known, attributes that refine the score.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Query {
    /// The name as written, in any script.
    pub name: String,
    /// Person, organisation, vessel …; a listed entity of another kind is penalised.
    #[serde(default)]
    pub kind: Option<EntityKind>,
    /// ISO 3166-1 alpha-2 country linked to the party; listed entities linked only to other countries are penalised.
    #[serde(default)]
    pub country: Option<String>,
    /// Year of birth or incorporation; listed entities whose dates are all more than a year away are penalised.
    #[serde(default)]
    pub birth_year: Option<i32>,
}

impl Query {
    /// A query with a name and no other attributes.
    pub fn name(name: impl Into<String>) -> Query {
        Query { name: name.into(), ..Query::default() }
    }
}

/// How a query name part was matched to a listed one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MatchKind {
    /// The same part after normalisation (case, accents, punctuation).
    Exact,
    /// Equivalent given or family names (Mohammed / Muhammad / محمد) from the name-variant table.
    Variant,
    /// The same part in another script or romanisation (Сергей / Sergey / Sergei, Yuriy / Yury).
    Transliterated,
    /// Parts that sound alike (same consonant skeleton).
    Phonetic,
    /// Parts within a small edit distance (typing errors).
    Fuzzy,
    /// An initial matching the first letter of a full part.
    Initial,
    /// Two legal forms of the same or a related family (LLC / OOO / GmbH).
    LegalForm,
}

impl MatchKind {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            MatchKind::Exact => "exact",
            MatchKind::Variant => "variant",
            MatchKind::Transliterated => "transliterated",
            MatchKind::Phonetic => "phonetic",
            MatchKind::Fuzzy => "fuzzy",
            MatchKind::Initial => "initial",
            MatchKind::LegalForm => "legal_form",
        }
    }
}

/// One query name part aligned with one listed name part.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PartMatch {
    /// The query part (several words when they were joined to match one listed word).
    pub query: String,
    /// The listed part (several words when they were joined to match one query word).
    pub listed: String,
    /// How they matched.
    pub how: MatchKind,
    /// How alike they are, 0..=1.
    pub score: f64,
}

/// Something that lowered the score, and by how much.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Penalty {
    /// What it is, e.g. `unmatched listed 'hassan'`.
    pub reason: String,
    /// How much it took off the score.
    pub amount: f64,
}

/// Why a name scored what it did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Explanation {
    /// The aligned parts, in query order.
    pub parts: Vec<PartMatch>,
    /// Query parts that matched nothing.
    pub unmatched_query: Vec<String>,
    /// Listed parts that matched nothing.
    pub unmatched_listed: Vec<String>,
    /// Everything that lowered the score, largest first.
    pub penalties: Vec<Penalty>,
    /// What the names' writing gives away (invisible characters removed, words mixing alphabets).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<InputWarning>,
}

/// What kind of writing trick a name showed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WarningKind {
    /// Characters that show nothing (zero-width space or joiner, soft hyphen, byte-order mark …) were removed.
    InvisibleCharacters,
    /// Text-direction overrides, embeddings, isolates or marks were removed.
    DirectionControls,
    /// A word mixes letters of different alphabets (a Greek or Cyrillic look-alike in a Latin name), or the
    /// name's words are in different alphabets.
    MixedScript,
}

impl WarningKind {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            WarningKind::InvisibleCharacters => "invisible_characters",
            WarningKind::DirectionControls => "direction_controls",
            WarningKind::MixedScript => "mixed_script",
        }
    }
}

/// A red flag about how a screened name is written: it was matched all the same, but an officer should see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct InputWarning {
    /// What was found.
    pub kind: WarningKind,
    /// What exactly, e.g. `2 invisible character(s) removed (U+200B)`.
    pub message: String,
}

impl fmt::Display for InputWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind.as_str(), self.message)
    }
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for p in &self.parts {
            if !first {
                f.write_str(" ")?;
            }
            first = false;
            match p.how {
                MatchKind::Fuzzy | MatchKind::Phonetic | MatchKind::Initial => {
                    write!(f, "{}={}({} {:.2})", p.query, p.listed, p.how.as_str(), p.score)?
                }
                _ => write!(f, "{}={}({})", p.query, p.listed, p.how.as_str())?,
            }
        }
        if self.parts.is_empty() {
            f.write_str("no part matched")?;
        }
        let mut sep = "; ";
        for p in &self.penalties {
            write!(f, "{sep}-{:.2} {}", p.amount, p.reason)?;
            sep = ", ";
        }
        for w in &self.warnings {
            write!(f, "; warning {w}")?;
        }
        Ok(())
    }
}

/// One listed entity that matches a query.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Hit {
    /// The list, e.g. `us_ofac_sdn`.
    pub list_id: String,
    /// The entity's id on that list.
    pub entity_id: String,
    /// Person, organisation …
    pub kind: EntityKind,
    /// The entity's name that matched best, as the list writes it.
    pub matched_name: String,
    /// How that name belongs to the entity (primary, alias …).
    pub name_kind: NameKind,
    /// The match score, 0..=1.
    pub score: f64,
    /// Why it scored so.
    pub explanation: Explanation,
}

/// The canonical form a name is matched in: Unicode NFKC, lower case, other scripts transliterated to
/// Latin, accents and punctuation removed, look-alike letters of other scripts folded, leading titles
/// dropped and legal forms folded to one symbol per family (`OOO Romashka` → `llc romashka`).
pub fn normalize(name: &str) -> String {
    let mut canonical = text::parse(name).canonical();
    // Read again until stable: folding can bring a legal form or a title to an edge of the name.
    for _ in 0..4 {
        let again = text::parse(&canonical).canonical();
        if again == canonical {
            break;
        }
        canonical = again;
    }
    canonical
}

/// Scores how well `left` (the query) matches `right` (a listed name), with the explanation. `kind` is
/// what the listed name names (initials do not match organisation names); `variants` adds equivalent
/// name parts.
/// Without list statistics, parts are weighed by length rather than by rarity, so the figure can differ
/// slightly from what [`Index::screen`] gives for the same pair; [`Index::compare`] weighs them as a search does.
pub fn compare(
    left: &str,
    right: &str,
    kind: Option<EntityKind>,
    variants: Option<&NameVariants>,
) -> Result<(f64, Explanation)> {
    check_name("left", left)?;
    check_name("right", right)?;
    index::compare(left, right, kind, variants, None)
}

/// What an officer should know about how a name is written (invisible characters, text-direction controls,
/// words mixing alphabets); empty for an ordinary name. [`Index::screen`] and [`compare`] match such names
/// as if written plainly and put these warnings in every hit's explanation.
pub fn inspect(name: &str) -> Vec<InputWarning> {
    clean::inspect(name)
}

/// Checks a name: not blank, at most [`MAX_NAME_CHARS`] visible characters, no control characters other than
/// tabs and line breaks (read as spaces); in bounded time, whatever its length. Invisible characters do not
/// count towards the length, but a name of more than four times the limit is refused outright.
pub(crate) fn check_name(field: &str, name: &str) -> Result<()> {
    let (mut raw, mut visible, mut blank) = (0usize, 0usize, true);
    let mut hidden = false;
    for (i, c) in name.chars().enumerate() {
        raw += 1;
        if raw > 4 * MAX_NAME_CHARS {
            return Err(Error::validation(field, format!("{field} is longer than {MAX_NAME_CHARS} characters")));
        }
        if clean::is_spacing_control(c) {
            continue;
        }
        if c.is_control() {
            return Err(Error::validation(
                field,
                format!("{field} contains a control character (U+{:04X}) at position {i}", c as u32),
            ));
        }
        if clean::is_invisible(c) {
            hidden = true;
            continue;
        }
        visible += 1;
        blank &= c.is_whitespace();
    }
    if visible > MAX_NAME_CHARS {
        return Err(Error::validation(field, format!("{field} is longer than {MAX_NAME_CHARS} characters")));
    }
    if blank {
        let what = if hidden { " (it holds only invisible characters)" } else { "" };
        return Err(Error::validation(field, format!("{field} must not be empty{what}")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explanation_prints_as_one_compact_line() {
        let e = Explanation {
            parts: vec![
                PartMatch { query: "mohammed".into(), listed: "muhammad".into(), how: MatchKind::Variant, score: 0.92 },
                PartMatch { query: "ali".into(), listed: "ali".into(), how: MatchKind::Exact, score: 1.0 },
            ],
            unmatched_query: vec![],
            unmatched_listed: vec!["hassan".into()],
            penalties: vec![Penalty { reason: "unmatched listed 'hassan'".into(), amount: 0.05 }],
            warnings: vec![],
        };
        assert_eq!(e.to_string(), "mohammed=muhammad(variant) ali=ali(exact); -0.05 unmatched listed 'hassan'");
    }

    #[test]
    fn match_kinds_serialise_in_snake_case_as_as_str_says() {
        for k in [
            MatchKind::Exact,
            MatchKind::Variant,
            MatchKind::Transliterated,
            MatchKind::Phonetic,
            MatchKind::Fuzzy,
            MatchKind::Initial,
            MatchKind::LegalForm,
        ] {
            assert_eq!(serde_json::to_value(k).unwrap(), serde_json::Value::from(k.as_str()));
        }
        assert_eq!(MatchKind::LegalForm.as_str(), "legal_form");
    }

    #[test]
    fn a_query_deserialises_from_a_name_alone() {
        let q: Query = serde_json::from_str(r#"{"name":"Ivan Petrov"}"#).unwrap();
        assert_eq!(q, Query::name("Ivan Petrov"));
    }
}
