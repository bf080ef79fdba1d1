//! The determination suite: transactions written from the legal texts, each with the answer it must get (the tests
//! check the answers), built into the binary so that a proposal's impact can be previewed over all of them.

use crate::{PartyHit, Screening, Transaction};
use accord_core::{Error, Result};
use serde::Deserialize;
use serde_json::{Value, json};

/// The suite's files, built into the binary.
const FILES: [(&str, &str); 2] = [
    ("determinations.toml", include_str!("../suite/determinations.toml")),
    ("us_ecfr.toml", include_str!("../suite/us_ecfr.toml")),
];

/// One case of the suite: its transaction and the screening handed to the engine.
#[derive(Debug, Clone)]
pub struct SuiteCase {
    /// The case's name, unique in the suite.
    pub name: String,
    /// The legal text it was written from.
    pub source: String,
    /// The transaction.
    pub transaction: Transaction,
    /// The parties' screening (`None`: screening was unavailable).
    pub screening: Option<Screening>,
}

/// A case as written; the expectations are read by the tests, not here.
#[derive(Deserialize)]
struct RawCase {
    name: String,
    source: String,
    tx: toml::Value,
    #[serde(default)]
    hits: Vec<RawHit>,
    #[serde(default)]
    screening: Option<String>,
    #[serde(default)]
    lists: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct RawHit {
    party: usize,
    list_id: String,
    entity_id: String,
    #[serde(default)]
    programs: Vec<String>,
    #[serde(default)]
    listed_from: Option<jiff::civil::Date>,
    #[serde(default)]
    listed_until: Option<jiff::civil::Date>,
}

#[derive(Deserialize)]
struct RawSuite {
    case: Vec<RawCase>,
}

/// The lists a case's parties count as screened against unless it names them.
const EVERY_LIST: [&str; 6] = ["us_ofac_sdn", "us_ofac_cons", "un_sc", "eu_journal", "us_bis_dpl", "us_csl"];

/// The cases of one suite file; an error names the file and the case.
pub fn parse_suite(file: &str, text: &str) -> Result<Vec<SuiteCase>> {
    let raw: RawSuite = toml::from_str(text).map_err(|e| Error::internal(format!("suite {file}: {}", e.message())))?;
    raw.case.into_iter().map(|c| case(file, c)).collect()
}

fn case(file: &str, c: RawCase) -> Result<SuiteCase> {
    let mut v: Value = serde_json::to_value(&c.tx).map_err(|e| Error::internal(e.to_string()))?;
    // A case may give only the end use's category.
    if let Some(e) = v.get("end_use").and_then(Value::as_str) {
        v["end_use"] = json!({ "category": e });
    }
    let transaction =
        serde_json::from_value(v).map_err(|e| Error::internal(format!("suite {file}, case '{}': {e}", c.name)))?;
    let screening = match c.screening.as_deref() {
        Some("unavailable") => None,
        _ => Some(Screening {
            lists: c.lists.unwrap_or_else(|| EVERY_LIST.map(String::from).to_vec()),
            threshold: 0.8,
            hits: c
                .hits
                .into_iter()
                .map(|h| PartyHit {
                    party: h.party,
                    list_id: h.list_id,
                    entity_id: h.entity_id,
                    matched_name: "listed name".into(),
                    score: 0.95,
                    programs: h.programs,
                    listed_from: h.listed_from,
                    listed_until: h.listed_until,
                    in_force: false,
                })
                .collect(),
        }),
    };
    Ok(SuiteCase { name: c.name, source: c.source, transaction, screening })
}

/// Every case of the built-in suite, in file order.
pub fn builtin_suite() -> Result<Vec<SuiteCase>> {
    let mut all = Vec::new();
    for (file, text) in FILES {
        all.extend(parse_suite(file, text)?);
    }
    Ok(all)
}
