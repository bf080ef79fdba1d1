//! Licences issued by approved cases, and the shipments reported against them.

use crate::ids::{ApplicationId, AuthorityId, CaseId, LicenceId, OrgId, ShipmentId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Where a licence stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LicenceStatus {
    /// Shipments may be made.
    Active,
    /// Temporarily not usable; may be reinstated.
    Suspended,
    /// Withdrawn for good.
    Revoked,
    /// Every licensed quantity or value is used up.
    Exhausted,
    /// Past its last day of validity (reported on reading; shipments after it are refused).
    Expired,
}

impl LicenceStatus {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            LicenceStatus::Active => "active",
            LicenceStatus::Suspended => "suspended",
            LicenceStatus::Revoked => "revoked",
            LicenceStatus::Exhausted => "exhausted",
            LicenceStatus::Expired => "expired",
        }
    }
}

/// One licensed item and how much of it has been shipped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct LicenceItem {
    /// Index of the item in the application.
    pub item: usize,
    /// Its control code (none for an unlisted item).
    pub code: Option<String>,
    /// What it is.
    pub description: String,
    /// Currency of the values.
    pub currency: Option<String>,
    /// Licensed quantity.
    pub quantity: f64,
    /// Licensed value.
    pub value: f64,
    /// Quantity shipped so far.
    pub used_quantity: f64,
    /// Value shipped so far.
    pub used_value: f64,
}

/// An issued licence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Licence {
    /// Generated id (`lic_…`).
    #[schema(value_type = String)]
    pub id: LicenceId,
    /// The case that approved it.
    #[schema(value_type = String)]
    pub case_id: CaseId,
    /// The application.
    #[schema(value_type = String)]
    pub application_id: ApplicationId,
    /// The licence holder.
    #[schema(value_type = String)]
    pub organisation_id: OrgId,
    /// The issuing authority.
    #[schema(value_type = String)]
    pub authority_id: AuthorityId,
    /// The jurisdiction it licenses under.
    pub jurisdiction: String,
    /// `individual` (one consignee and end user).
    pub kind: String,
    /// Where it stands.
    pub status: LicenceStatus,
    /// First day of validity.
    pub valid_from: String,
    /// Last day of validity; it expires after it.
    pub valid_until: String,
    /// Conditions (provisos).
    pub conditions: Vec<String>,
    /// The destination.
    pub destination: String,
    /// The parties shipments may go to (names as applied for).
    pub parties: Vec<String>,
    /// Licensed items and their drawdown.
    pub items: Vec<LicenceItem>,
    /// Why it was suspended or revoked, when it was.
    pub status_reason: Option<String>,
    /// Optimistic version: every change increments it.
    pub version: i64,
    /// When it was issued.
    pub issued_at: String,
    /// New restricted-party hits on its parties found after it was issued.
    #[serde(default)]
    pub alerts: Vec<crate::cases::Alert>,
}

/// One item of a shipment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShipmentItem {
    /// Index of the item in the application.
    pub item: usize,
    /// Quantity shipped.
    pub quantity: f64,
    /// Value shipped, in the item's currency.
    pub value: f64,
}

/// A shipment as reported by the exporter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewShipment {
    /// Day of shipment.
    pub date: String,
    /// Items, quantities and values.
    pub items: Vec<ShipmentItem>,
    /// The consignee, as named on the licence.
    pub consignee: String,
    /// Transport document reference (air waybill, bill of lading).
    pub transport_document: String,
}

/// A recorded shipment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Shipment {
    /// Generated id (`shp_…`).
    #[schema(value_type = String)]
    pub id: ShipmentId,
    /// The licence drawn down.
    #[schema(value_type = String)]
    pub licence_id: LicenceId,
    /// What was reported.
    #[serde(flatten)]
    pub shipment: NewShipment,
    /// Who reported it.
    pub reported_by: String,
    /// When.
    pub reported_at: String,
}
