//! The policy file format as read from TOML, before any check: every field keeps its span for error lines.

use super::*;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFile {
    pub(super) source: Option<RawSource>,
    pub(super) policy: Option<RawHeader>,
    pub(super) applies: Option<RawApplies>,
    #[serde(default)]
    pub(super) sets: BTreeMap<String, Spanned<RawSet>>,
    #[serde(default)]
    pub(super) chart: BTreeMap<String, Spanned<RawChart>>,
    #[serde(default)]
    pub(super) facts: BTreeMap<String, Spanned<RawFacts>>,
    #[serde(default)]
    pub(super) rule: Vec<RawRule>,
    #[serde(default)]
    pub(super) authorisation: Vec<RawAuthorisation>,
    #[serde(default)]
    pub(super) ownership: Vec<RawOwnership>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawOwnership {
    pub(super) id: Spanned<String>,
    pub(super) effect: String,
    pub(super) owners: RawParties,
    pub(super) threshold_percent: Spanned<f64>,
    pub(super) at_least: bool,
    pub(super) aggregate: bool,
    pub(super) control: Spanned<String>,
    #[serde(default)]
    pub(super) in_force_from: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) suspended: Vec<RawSuspension>,
    pub(super) citation: String,
    #[serde(default)]
    pub(super) unverified: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSuspension {
    pub(super) from: Spanned<String>,
    pub(super) through: Spanned<String>,
    pub(super) citation: String,
    #[serde(default)]
    pub(super) unverified: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSource {
    pub(super) document: String,
    #[serde(default)]
    pub(super) issue_date: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) url: Option<String>,
    pub(super) kind: Spanned<String>,
    #[serde(default)]
    pub(super) inputs: Vec<String>,
    #[serde(default)]
    pub(super) note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawHeader {
    pub(super) jurisdiction: Spanned<String>,
    pub(super) title: String,
    pub(super) version: String,
    pub(super) effective_date: Spanned<String>,
    #[serde(default)]
    pub(super) reasons_from: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawApplies {
    #[serde(default)]
    pub(super) origins: Vec<Spanned<String>>,
    #[serde(default)]
    pub(super) item_origins: Vec<Spanned<String>>,
    pub(super) why: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSet {
    pub(super) citation: String,
    pub(super) members: Vec<Spanned<String>>,
    #[serde(default)]
    #[allow(dead_code)]
    pub(super) note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawChart {
    pub(super) citation: String,
    pub(super) columns: Vec<Spanned<String>>,
    #[serde(default)]
    pub(super) column_citations: BTreeMap<String, String>,
    #[serde(default)]
    pub(super) bare_reasons: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    pub(super) handled_elsewhere: Vec<Spanned<String>>,
    pub(super) rows: BTreeMap<String, Spanned<Vec<Spanned<String>>>>,
    #[serde(default)]
    pub(super) refer: BTreeMap<String, Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFacts {
    pub(super) citation: String,
    #[serde(default)]
    pub(super) currency: Option<Spanned<String>>,
    pub(super) values: BTreeMap<String, Spanned<toml::Value>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRule {
    pub(super) id: Spanned<String>,
    pub(super) outcome: Spanned<String>,
    pub(super) citation: String,
    pub(super) summary: String,
    #[serde(default)]
    pub(super) review: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) missing_data: bool,
    #[serde(default)]
    pub(super) unverified: Option<String>,
    #[serde(default)]
    pub(super) when: RawWhen,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAuthorisation {
    pub(super) id: Spanned<String>,
    pub(super) name: String,
    pub(super) citation: String,
    pub(super) lifts: Vec<Spanned<String>>,
    #[serde(default)]
    pub(super) lifts_reasons: Vec<Spanned<String>>,
    #[serde(default)]
    pub(super) unverified: Option<String>,
    #[serde(default)]
    pub(super) when: RawWhen,
    #[serde(default)]
    pub(super) obligations: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawWhen {
    pub(super) item: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) codes: Vec<Spanned<String>>,
    #[serde(default)]
    pub(super) codes_not: Vec<Spanned<String>>,
    #[serde(default)]
    pub(super) categories: Vec<Spanned<i64>>,
    #[serde(default)]
    pub(super) regimes: Vec<Spanned<String>>,
    #[serde(default)]
    pub(super) reasons: Vec<Spanned<String>>,
    #[serde(default)]
    pub(super) reasons_not: Vec<Spanned<String>>,
    #[serde(default)]
    pub(super) destinations: Vec<Spanned<String>>,
    #[serde(default)]
    pub(super) destinations_not: Vec<Spanned<String>>,
    #[serde(default)]
    pub(super) origins: Vec<Spanned<String>>,
    #[serde(default)]
    pub(super) origins_not: Vec<Spanned<String>>,
    #[serde(default)]
    pub(super) end_uses: Vec<Spanned<String>>,
    #[serde(default)]
    pub(super) end_uses_not: Vec<Spanned<String>>,
    #[serde(default)]
    pub(super) purposes: Vec<Spanned<String>>,
    #[serde(default)]
    pub(super) purposes_not: Vec<Spanned<String>>,
    pub(super) parties: Option<RawParties>,
    pub(super) from: Option<Spanned<String>>,
    pub(super) until: Option<Spanned<String>>,
    pub(super) value_over: Option<RawMoney>,
    pub(super) value_at_most: Option<RawMoney>,
    pub(super) value_within: Option<Spanned<String>>,
    pub(super) has_fact: Option<Spanned<String>>,
    pub(super) lacks_fact: Option<Spanned<String>>,
    pub(super) chart: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawParties {
    #[serde(default)]
    pub(super) lists: Vec<String>,
    #[serde(default)]
    pub(super) id_prefixes: Vec<String>,
    #[serde(default)]
    pub(super) programs: Vec<String>,
    #[serde(default)]
    pub(super) roles: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMoney {
    pub(super) amount: Spanned<f64>,
    pub(super) currency: Spanned<String>,
}
