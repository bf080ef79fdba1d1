//! Early warning on trade flows: the thresholds of the indicators (data, per authority) and the alerts an indicator
//! over its threshold raises, with their evidence, their analyst and their outcome. Pure records; the indicators are
//! computed in `accord-trade`, the alerts kept by the application service.

use crate::error::{Error, ErrorCode, Result};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The thresholds and baseline of the indicators: data, kept per authority.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Thresholds {
    /// First year of the baseline (before the measures).
    pub baseline_from: i32,
    /// Last year of the baseline.
    pub baseline_to: i32,
    /// Export growth: the ratio to the seasonal baseline that counts (default 2: twice the usual month).
    pub growth_ratio: f64,
    /// Export growth: how many months in a row it must hold (default 3).
    pub growth_months: u8,
    /// Mirror gap: the ratio of a year's gap to the baseline gap that raises a signal (default 1.25).
    pub mirror_ratio: f64,
    /// The settings of the declaration indicators.
    #[serde(default)]
    pub declarations: DeclarationSettings,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            baseline_from: 2019,
            baseline_to: 2021,
            growth_ratio: 2.0,
            growth_months: 3,
            mirror_ratio: 1.25,
            declarations: DeclarationSettings::default(),
        }
    }
}

impl Thresholds {
    /// Checks the numbers: a baseline of one to ten years, ratios above 1, 1 to 24 months.
    pub fn check(&self) -> Result<()> {
        for (field, year) in [("baseline_from", self.baseline_from), ("baseline_to", self.baseline_to)] {
            if !(1900..=2200).contains(&year) {
                return Err(Error::validation(field, "a year from 1900 to 2200"));
            }
        }
        if self.baseline_to < self.baseline_from || i64::from(self.baseline_to) - i64::from(self.baseline_from) > 9 {
            return Err(Error::validation("baseline_to", "a baseline is one to ten years, first to last"));
        }
        for (field, v) in [("growth_ratio", self.growth_ratio), ("mirror_ratio", self.mirror_ratio)] {
            if !(v.is_finite() && v > 1.0 && v <= 100.0) {
                return Err(Error::validation(field, "a ratio threshold is above 1 and at most 100"));
            }
        }
        if !(1..=24).contains(&self.growth_months) {
            return Err(Error::validation("growth_months", "1 to 24 months in a row"));
        }
        self.declarations.check()
    }
}

/// An authority's early-warning settings: its thresholds, shared with the allies so each can read how the others
/// judge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WarningSettings {
    /// The authority.
    pub authority_id: String,
    /// Its thresholds.
    pub thresholds: Thresholds,
    /// Who set them last.
    pub updated_by: String,
    /// Increases with every change.
    pub version: i64,
}

crate::named_enum! {
    /// Where an alert stands.
    AlertStatus {
        /// Raised, waiting for an analyst.
        Open = "open",
        /// An analyst works on it.
        Assigned = "assigned",
        /// Closed with an outcome.
        Closed = "closed",
    }
}

crate::named_enum! {
    /// What an alert came to.
    AlertOutcome {
        /// The flow is a diversion risk: action follows (a verification, an enforcement case, a proposal).
        Confirmed = "confirmed",
        /// Explained by lawful trade.
        NoConcern = "no_concern",
        /// Passed to another authority or agency.
        Referred = "referred",
    }
}

/// One period of the evidence an alert carries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct EvidencePoint {
    /// The month or year (`2022-06`, `2022`).
    pub period: String,
    /// The value measured.
    pub value: f64,
    /// What the baseline expected.
    #[serde(default)]
    pub baseline: Option<f64>,
    /// Value over baseline.
    #[serde(default)]
    pub ratio: Option<f64>,
}

/// An alert: an indicator over its threshold, with its evidence, assigned to an analyst and closed with an outcome.
/// Kept by its authority; shared with the allies once marked so.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Alert {
    /// `alr-` with the indicator, partner and period: an indicator raises one alert per period.
    pub id: String,
    /// The authority that raised it.
    pub authority_id: String,
    /// The indicator (`export_growth`, `mirror_gap`, `product_growth`, or a declaration indicator: `structuring`,
    /// `new_consignee`, `ga_new_destination`, `listed_party`).
    pub indicator: String,
    /// The partner country (ISO alpha-2); for a declaration finding, the destination of its declarations.
    pub partner: String,
    /// The product (an HS prefix), for a per-product indicator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
    /// The parties a declaration finding is about (`exporter → consignee`, a consignee, `authorisation → destination`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subject: Vec<String>,
    /// The references of the declarations that show a finding (the first 100).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<String>,
    /// The period that crossed (a month for declaration findings: that of their last declaration).
    pub period: String,
    /// The ratio measured (for a declaration finding, the number of its declarations).
    pub ratio: f64,
    /// The threshold it reached.
    pub threshold: f64,
    /// What happened, in one sentence.
    pub summary: String,
    /// How the indicator is computed.
    pub method: String,
    /// The source the method follows.
    pub citation: String,
    /// The series up to the period that crossed (at most the 36 periods before it).
    pub evidence: Vec<EvidencePoint>,
    /// The version it was computed from: of the trade statistics, or the authority's last declarations import.
    pub data_version: i64,
    /// Where it stands.
    pub status: AlertStatus,
    /// The analyst working on it (a user id).
    #[serde(default)]
    pub assigned_to: Option<String>,
    /// What it came to, once closed.
    #[serde(default)]
    pub outcome: Option<AlertOutcome>,
    /// The analyst's note on closing.
    #[serde(default)]
    pub note: Option<String>,
    /// Whether it is shared with the allies.
    pub shared: bool,
    /// The governance proposal it opened (`AUTHORITY:prp_…`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proposal: Option<String>,
    /// The verification task it opened (`case_id#index`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<String>,
    /// When it was raised.
    pub raised_at: crate::Timestamp,
    /// Increases with every change.
    pub version: i64,
}

impl Alert {
    /// An open alert of `authority` with nothing measured yet, for the indicators to fill in.
    pub fn blank(authority: &str, data_version: i64, raised_at: crate::Timestamp) -> Alert {
        Alert {
            id: String::new(),
            authority_id: authority.to_owned(),
            indicator: String::new(),
            partner: String::new(),
            product: None,
            subject: Vec::new(),
            references: Vec::new(),
            period: String::new(),
            ratio: 0.0,
            threshold: 0.0,
            summary: String::new(),
            method: String::new(),
            citation: String::new(),
            evidence: Vec::new(),
            data_version,
            status: AlertStatus::Open,
            assigned_to: None,
            outcome: None,
            note: None,
            shared: false,
            proposal: None,
            task: None,
            raised_at,
            version: 1,
        }
    }

    /// The id an indicator's signal for a partner and period gets, the same however often the indicators run.
    pub fn id_for(indicator: &str, partner: &str, period: &str) -> String {
        format!("alr-{indicator}-{partner}-{period}").to_ascii_lowercase()
    }

    /// Checks that an alert can be closed: open or assigned, with a note.
    pub fn check_close(&self, note: &str) -> Result<()> {
        if self.status == AlertStatus::Closed {
            return Err(Error::new(ErrorCode::Conflict, format!("alert {} is closed already", self.id)));
        }
        crate::model::parse_text("note", note, 4000).map(|_| ())
    }
}

/// One export declaration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Declaration {
    /// The exporter's own reference for the declaration (unique per file).
    pub reference: String,
    /// The day the goods left.
    #[schema(value_type = String, format = Date)]
    pub date: Date,
    /// The exporter (name or EORI).
    pub exporter: String,
    /// The consignee.
    pub consignee: String,
    /// The end user, when declared.
    pub end_user: String,
    /// The destination country (ISO alpha-2).
    pub destination: String,
    /// The HS or CN code (4 to 10 digits).
    pub hs_code: String,
    /// The control-list entry, if the goods are listed.
    pub control_code: Option<String>,
    /// The quantity.
    pub quantity: f64,
    /// The statistical value in euro.
    pub value_eur: f64,
    /// The licence or general authorisation the goods left under, if any (`EU001`, `lic_…`).
    pub authorisation: Option<String>,
    /// The consignee's address, when declared.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub consignee_address: String,
    /// The end user's address, when declared.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub end_user_address: String,
}

impl Declaration {
    /// SHA-256 of the declaration's fields (hex, first 32 digits): a reference sent again with other facts differs.
    pub fn digest(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        let fields = [
            self.reference.as_str(),
            &self.date.to_string(),
            &self.exporter,
            &self.consignee,
            &self.end_user,
            &self.destination,
            &self.hs_code,
            self.control_code.as_deref().unwrap_or("\u{0}"),
            &format!("{:?}", self.quantity),
            &format!("{:?}", self.value_eur),
            self.authorisation.as_deref().unwrap_or("\u{0}"),
            &self.consignee_address,
            &self.end_user_address,
        ];
        for f in fields {
            h.update((f.len() as u64).to_le_bytes());
            h.update(f.as_bytes());
        }
        crate::audit::hex(&h.finalize())[..32].to_owned()
    }
}

/// One import of export declarations into an authority's store: a version, with what it added.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DeclarationImport {
    /// The authority whose declarations these are.
    pub authority_id: String,
    /// 1, 2, 3 … per authority.
    pub seq: i64,
    /// The label (by default `declarations-` and the day).
    pub label: String,
    /// Where the file came from (its name).
    pub source: String,
    /// SHA-256 of the file, hex: the same file again changes nothing.
    pub content_hash: String,
    /// Declarations in the file.
    pub rows: i64,
    /// Declarations new to the store.
    pub added: i64,
    /// Declarations already stored with the same facts (sent again), not added twice.
    pub skipped: i64,
    /// The first day the file covers.
    #[schema(value_type = Option<String>, format = Date)]
    pub first_date: Option<Date>,
    /// The last day the file covers.
    #[schema(value_type = Option<String>, format = Date)]
    pub last_date: Option<Date>,
    /// When.
    pub imported_at: crate::Timestamp,
    /// Who (`user:…`).
    pub imported_by: String,
}

/// The settings of the declaration indicators and the licence patterns: data, per authority.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeclarationSettings {
    /// The value cap shipments are split under, in euro. The default (5,000) is a setting chosen for the generated
    /// data, not a limit taken from any regulation: set the cap of the authorisation being watched.
    pub value_cap_eur: f64,
    /// How far under the cap counts as "just under", in percent (default 10).
    pub under_cap_percent: f64,
    /// Shipments just under the cap, within the window, that make a pattern (default 3).
    pub structuring_shipments: usize,
    /// Days the structuring window spans (default 30).
    pub structuring_days: u16,
    /// Days back a consignee counts as new (default 90).
    pub new_within_days: u16,
    /// HS code prefixes of the high-priority items. The default headings (computers, telephony, semiconductors,
    /// radar and radio navigation, aircraft parts, navigation instruments) are an illustration chosen here, not the
    /// allies' Common High Priority List: load that list's codes from its published text to watch it.
    pub high_priority_hs: Vec<String>,
    /// Days back a general authorisation's destinations are compared with those before (default 90).
    pub ga_recent_days: u16,
    /// Refusals of the same item for the same party after which an application by another exporter or through
    /// another ally is a finding (default 2).
    #[serde(default = "two")]
    pub repeat_refusals: usize,
}

fn two() -> usize {
    2
}

impl Default for DeclarationSettings {
    fn default() -> Self {
        DeclarationSettings {
            value_cap_eur: 5000.0,
            under_cap_percent: 10.0,
            structuring_shipments: 3,
            structuring_days: 30,
            new_within_days: 90,
            high_priority_hs: ["8471", "8517", "8541", "8542", "8525", "8526", "9014", "8807"]
                .map(String::from)
                .to_vec(),
            ga_recent_days: 90,
            repeat_refusals: 2,
        }
    }
}

impl DeclarationSettings {
    /// Checks the numbers: a positive cap, a margin under 100 %, windows of 1 to 3,650 days, 2 or more shipments.
    pub fn check(&self) -> Result<()> {
        if !(self.value_cap_eur.is_finite() && self.value_cap_eur > 0.0) {
            return Err(Error::validation("value_cap_eur", "a cap above zero"));
        }
        if !(self.under_cap_percent > 0.0 && self.under_cap_percent < 100.0) {
            return Err(Error::validation("under_cap_percent", "above 0 and under 100"));
        }
        if !(1..=50).contains(&self.repeat_refusals) {
            return Err(Error::validation("repeat_refusals", "1 to 50 refusals"));
        }
        if self.structuring_shipments < 2 {
            return Err(Error::validation("structuring_shipments", "a pattern is 2 shipments or more"));
        }
        for (field, d) in [
            ("structuring_days", self.structuring_days),
            ("new_within_days", self.new_within_days),
            ("ga_recent_days", self.ga_recent_days),
        ] {
            if !(1..=3650).contains(&d) {
                return Err(Error::validation(field, "1 to 3,650 days"));
            }
        }
        for (i, p) in self.high_priority_hs.iter().enumerate() {
            if !(2..=10).contains(&p.len()) || !p.chars().all(|c| c.is_ascii_digit()) {
                return Err(Error::validation(&format!("high_priority_hs[{i}]"), "an HS prefix of 2 to 10 digits"));
            }
        }
        Ok(())
    }
}
