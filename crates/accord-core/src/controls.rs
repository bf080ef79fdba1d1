//! Versions of the harmonized control list as stored.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One stored version of the control list (its entries are kept in Accord's list format).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ControlVersion {
    /// Position in the node's history, from 1.
    pub seq: i64,
    /// The coalition's version label, e.g. `2025-11`.
    pub label: String,
    /// The day it takes effect (`YYYY-MM-DD`); the version in force on a day is the latest that took effect by then.
    pub effective_date: String,
    /// Why it was published.
    pub rationale: String,
    /// SHA-256 of its content; importing the same content again changes nothing.
    pub content_hash: String,
    /// Where it came from.
    pub source: String,
    /// When it was imported.
    pub imported_at: String,
    /// Number of entries.
    pub entries: i64,
}
