//! Versions of the harmonized control list and of the policy set, as stored.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One stored version of the control list (its entries in Accord's list format) or of the policy set (its files).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ControlVersion {
    /// Position in the node's history, from 1.
    pub seq: i64,
    /// The coalition's version label, e.g. `2025-11`.
    pub label: String,
    /// The day it takes effect (`YYYY-MM-DD`); the version in force on a day is the latest that took effect by then.
    #[schema(value_type = String, format = Date)]
    pub effective_date: jiff::civil::Date,
    /// Why it was published.
    pub rationale: String,
    /// SHA-256 of its content; importing the same content again changes nothing.
    pub content_hash: String,
    /// Where it came from.
    pub source: String,
    /// When it was imported.
    pub imported_at: crate::Timestamp,
    /// Number of entries (control list) or files (policy set).
    pub entries: i64,
}

/// What a stored version is a version of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VersionKind {
    /// The harmonized control list.
    Controls,
    /// The policy set: every jurisdiction's rules, the coalition's red lines and their data files.
    Policies,
    /// Official trade statistics, as one set of files.
    Trade,
}

impl VersionKind {
    /// The table its versions are stored in.
    pub fn table(self) -> &'static str {
        match self {
            VersionKind::Controls => "control_versions",
            VersionKind::Policies => "policy_versions",
            VersionKind::Trade => "trade_versions",
        }
    }

    /// What it is called in messages.
    pub fn noun(self) -> &'static str {
        match self {
            VersionKind::Controls => "control-list",
            VersionKind::Policies => "policy-set",
            VersionKind::Trade => "trade-statistics",
        }
    }
}
