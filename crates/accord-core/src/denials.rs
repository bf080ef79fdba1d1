//! Denial notifications: an authority's refusal of a licence, recorded so allies do not unknowingly approve what it
//! denied. A refusal creates one automatically; legacy denials are entered by hand.

use crate::error::{Error, Result};
use crate::ids::{AuthorityId, DenialId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// How long a denial stays in force unless it is renewed or revoked.
pub const DENIAL_VALIDITY_YEARS: i16 = 3;

/// Where a denial stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DenialStatus {
    /// In force: allies consult before approving an essentially identical transaction.
    Active,
    /// Withdrawn by the notifying authority.
    Revoked,
    /// Past its expiry day (reported on reading).
    Expired,
}

impl DenialStatus {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            DenialStatus::Active => "active",
            DenialStatus::Revoked => "revoked",
            DenialStatus::Expired => "expired",
        }
    }
}

/// A party of a denied transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DenialParty {
    /// `consignee`, `end_user`, `ultimate_end_user`, `intermediary` or `purchaser`.
    pub role: String,
    /// The name as applied for.
    pub name: String,
    /// Postal address, when known.
    #[serde(default)]
    pub address: Option<String>,
    /// ISO country.
    #[serde(default)]
    pub country: Option<String>,
}

/// A denial notification.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Denial {
    /// Generated id (`den_…`).
    #[schema(value_type = String)]
    pub id: DenialId,
    /// The notifying authority.
    #[schema(value_type = String)]
    pub authority_id: AuthorityId,
    /// The authority's own reference (the case id for a refusal made here).
    pub reference: String,
    /// Day of the refusal.
    pub date: String,
    /// Control codes of the denied items.
    pub control_codes: Vec<String>,
    /// What the items are.
    pub item_description: String,
    /// ISO country of destination.
    pub destination: String,
    /// The declared end use.
    pub end_use: String,
    /// The refusal criteria of the notifying jurisdiction.
    pub refusal_criteria: Vec<String>,
    /// Consignee, end user and the other parties.
    pub parties: Vec<DenialParty>,
    /// Where it stands.
    pub status: DenialStatus,
    /// Last day in force (three years after the refusal unless renewed).
    pub expires_on: String,
    /// The case that refused, when it was refused on this node.
    #[serde(default)]
    pub case_id: Option<String>,
    /// Who recorded it.
    pub created_by: String,
    /// When.
    pub created_at: String,
    /// Optimistic version: every change increments it.
    pub version: i64,
}

/// The last day a denial made on `date` stays in force.
pub fn expiry_of(date: jiff::civil::Date) -> String {
    date.checked_add(jiff::Span::new().years(DENIAL_VALIDITY_YEARS)).unwrap_or(date).to_string()
}

impl DenialParty {
    /// Checks the name and the optional address.
    pub fn check(&self, i: usize) -> Result<()> {
        crate::model::parse_name(&format!("parties[{i}].name"), &self.name)?;
        crate::model::parse_name(&format!("parties[{i}].role"), &self.role)?;
        if let Some(a) = &self.address
            && (a.chars().count() > 500 || a.chars().any(char::is_control))
        {
            return Err(Error::validation(
                &format!("parties[{i}].address"),
                format!("parties[{i}].address must be at most 500 characters without control characters"),
            ));
        }
        Ok(())
    }
}
