//! Early warning on trade flows: the thresholds of the indicators (data, per authority) and the alerts an indicator
//! over its threshold raises, with their evidence, their analyst and their outcome. Pure records; the indicators are
//! computed in `accord-trade`, the alerts kept by the application service.

use crate::error::{Error, ErrorCode, Result};
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
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds { baseline_from: 2019, baseline_to: 2021, growth_ratio: 2.0, growth_months: 3, mirror_ratio: 1.25 }
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
        Ok(())
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
    /// The indicator (`export_growth`, `mirror_gap`).
    pub indicator: String,
    /// The partner country (ISO alpha-2).
    pub partner: String,
    /// The period that crossed.
    pub period: String,
    /// The ratio measured.
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
    /// The trade-statistics version it was computed from.
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
    /// When it was raised.
    pub raised_at: crate::Timestamp,
    /// Increases with every change.
    pub version: i64,
}

impl Alert {
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
