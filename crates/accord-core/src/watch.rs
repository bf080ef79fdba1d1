//! The technology watch: a register of technologies with their capability thresholds, expected milestones and
//! supply-chain chokepoints, mapped to control entries, and indicators whose thresholds are data. When an indicator
//! crosses its threshold, the watch opens a draft proposal to elevate or relax the control, for a panel. Pure: the
//! rules here decide; the application service counts and stores.

use crate::error::{Error, Result};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

crate::named_enum! {
    /// What an indicator counts, over its window, for the technology's control entries.
    Metric {
        /// Industry feedback (not dismissed) on the entries.
        FeedbackVolume = "feedback_volume",
        /// Licence applications holding an item under the entries.
        LicenceVolume = "licence_volume",
        /// Denials of items under the entries.
        Denials = "denials",
        /// Risk assessments of the entries at level high or critical, still valid.
        RiskAssessments = "risk_assessments",
    }
}

crate::named_enum! {
    /// Which way a crossed indicator points.
    Direction {
        /// Tighten the control: a higher control threshold, or more of the technology caught.
        Elevate = "elevate",
        /// Loosen an overreaching control.
        Relax = "relax",
    }
}

/// A milestone the technology is expected to reach.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Milestone {
    /// What is expected, e.g. "1,000 physical qubits in a commercial system".
    pub what: String,
    /// When.
    #[schema(value_type = String, format = Date)]
    pub expected: Date,
}

/// An indicator: when `metric` over the last `window_days` reaches `at_least`, a proposal in `direction` opens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    /// What it counts.
    pub metric: Metric,
    /// The count at which it is crossed (1 or more).
    pub at_least: u64,
    /// Days counted back from today (1 to 3,650).
    pub window_days: u16,
    /// The proposal it opens.
    pub direction: Direction,
}

/// A technology in the register, as its authority keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Technology {
    /// A short id chosen by the authority, e.g. `quantum-computing`.
    pub id: String,
    /// The authority keeping it.
    pub authority_id: String,
    /// Its name.
    pub name: String,
    /// What it is and why it is watched.
    pub description: String,
    /// The capability thresholds that matter, e.g. "more than 34 qubits at a C-NOT error below 1e-4".
    pub capability_thresholds: Vec<String>,
    /// Milestones expected.
    pub milestones: Vec<Milestone>,
    /// Supply-chain chokepoints, e.g. "dilution refrigerators".
    pub chokepoints: Vec<String>,
    /// The control entries it maps to (the first is the one a draft proposal re-thresholds).
    pub codes: Vec<String>,
    /// Its indicators.
    pub indicators: Vec<Indicator>,
    /// Who last changed it.
    pub updated_by: String,
    /// Increases with every change.
    pub version: i64,
}

impl Technology {
    /// Checks the register entry: an id of letters, digits and '-', at least one control entry, sane indicators.
    pub fn check(&self) -> Result<()> {
        let id_ok = (2..=60).contains(&self.id.len())
            && self.id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !id_ok {
            return Err(Error::validation("id", "an id is 2 to 60 lower-case letters, digits or '-'"));
        }
        crate::model::parse_name("name", &self.name)?;
        crate::model::parse_text("description", &self.description, 5000)?;
        if self.codes.is_empty() || self.codes.len() > 50 {
            return Err(Error::validation("codes", "a technology maps to 1 to 50 control entries"));
        }
        let lists = [("capability_thresholds", &self.capability_thresholds), ("chokepoints", &self.chokepoints)];
        for (field, list) in lists {
            if list.len() > 50 {
                return Err(Error::validation(field, "at most 50"));
            }
            for (i, t) in list.iter().enumerate() {
                crate::model::parse_text(&format!("{field}[{i}]"), t, 1000)?;
            }
        }
        for (i, m) in self.milestones.iter().enumerate() {
            crate::model::parse_text(&format!("milestones[{i}].what"), &m.what, 1000)?;
        }
        for (i, ind) in self.indicators.iter().enumerate() {
            if ind.at_least == 0 {
                return Err(Error::validation(&format!("indicators[{i}].at_least"), "a threshold is 1 or more"));
            }
            if !(1..=3650).contains(&ind.window_days) {
                return Err(Error::validation(&format!("indicators[{i}].window_days"), "a window is 1 to 3,650 days"));
            }
        }
        Ok(())
    }
}

/// One indicator of a technology as counted today.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Reading {
    /// The technology.
    pub technology: String,
    /// The indicator.
    pub indicator: Indicator,
    /// The count over its window.
    pub value: u64,
    /// Whether it reached its threshold.
    pub crossed: bool,
    /// The draft proposal it opened now, or the open one it already had (`AUTHORITY:prp_…`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proposal: Option<String>,
    /// Why a crossed indicator opened no proposal (none of the watched entries is on the list in force).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Reads an indicator from its count.
pub fn read(technology: &str, indicator: &Indicator, value: u64) -> Reading {
    Reading {
        technology: technology.to_owned(),
        indicator: indicator.clone(),
        value,
        crossed: value >= indicator.at_least,
        proposal: None,
        note: None,
    }
}

/// The origin a watch proposal names, so the same technology and direction opens one proposal at a time.
pub fn origin(authority: &str, technology: &str, direction: Direction) -> String {
    format!("watch {authority}:{technology} {}", direction.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn technology() -> Technology {
        Technology {
            id: "quantum-computing".into(),
            authority_id: "DE-BAFA".into(),
            name: "Quantum computers".into(),
            description: "Gate-based quantum computers and their cryogenic supply chain.".into(),
            capability_thresholds: vec!["34 or more qubits at a C-NOT error below 1e-4".into()],
            milestones: vec![Milestone { what: "1,000 qubits".into(), expected: jiff::civil::date(2028, 1, 1) }],
            chokepoints: vec!["dilution refrigerators".into()],
            codes: vec!["4A906".into()],
            indicators: vec![Indicator {
                metric: Metric::Denials,
                at_least: 3,
                window_days: 365,
                direction: Direction::Elevate,
            }],
            updated_by: "officer".into(),
            version: 1,
        }
    }

    #[test]
    fn an_indicator_is_crossed_at_its_threshold_and_not_below() {
        let t = technology();
        assert!(!read(&t.id, &t.indicators[0], 2).crossed);
        assert!(read(&t.id, &t.indicators[0], 3).crossed);
    }

    #[test]
    fn a_register_entry_without_codes_or_with_a_zero_threshold_is_refused_naming_the_field() {
        assert!(technology().check().is_ok());
        let field = |t: Technology| t.check().unwrap_err().details.unwrap()["field"].clone();
        assert_eq!(field(Technology { codes: vec![], ..technology() }), "codes");
        assert_eq!(field(Technology { id: "Quantum Computing".into(), ..technology() }), "id");
        let mut zero = technology();
        zero.indicators[0].at_least = 0;
        assert_eq!(field(zero), "indicators[0].at_least");
        let mut long = technology();
        long.indicators[0].window_days = 0;
        assert_eq!(field(long), "indicators[0].window_days");
    }
}
