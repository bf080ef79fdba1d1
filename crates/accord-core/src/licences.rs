//! Licences issued by approved cases, and the shipments reported against them.

use crate::decimal::Decimal;
use crate::error::{Error, Result};
use crate::ids::{ApplicationId, AuthorityId, CaseId, LicenceId, OrgId, ShipmentId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Most destinations a global licence may name.
pub const MAX_DESTINATIONS: usize = 50;

/// Most participants a joint-development project may have.
pub const MAX_PARTICIPANTS: usize = 200;

/// What kind of licence is applied for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LicenceKind {
    /// One consignee and one end user, in one destination.
    #[default]
    Individual,
    /// A trusted exporter's licence for several destinations and consignees within stated limits.
    Global,
    /// A multinational research or development project with a participant roster.
    JointDevelopment,
}

impl LicenceKind {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            LicenceKind::Individual => "individual",
            LicenceKind::Global => "global",
            LicenceKind::JointDevelopment => "joint_development",
        }
    }
}

/// A participant of a joint-development project: an organisation or a named person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Participant {
    /// The name.
    pub name: String,
    /// `organization` (default) or `person`.
    #[serde(default)]
    pub r#type: Option<String>,
    /// ISO country: a person's nationality, an organisation's country of incorporation.
    pub nationality: String,
    /// Their role in the project (`lead`, `partner`, `researcher` …).
    pub role: String,
    /// A person's employer, when it is one of the participants.
    #[serde(default)]
    pub organisation: Option<String>,
}

impl Participant {
    /// Checks the text fields (the nationality is checked against the country list by the caller).
    pub fn check(&self, field: &str) -> Result<()> {
        crate::model::parse_name(&format!("{field}.name"), &self.name)?;
        crate::model::parse_name(&format!("{field}.role"), &self.role)?;
        crate::model::parse_name(&format!("{field}.nationality"), &self.nationality)?;
        if let Some(o) = &self.organisation {
            crate::model::parse_name(&format!("{field}.organisation"), o)?;
        }
        match self.r#type.as_deref() {
            None | Some("organization") | Some("person") => Ok(()),
            Some(other) => Err(Error::validation(
                &format!("{field}.type"),
                format!("{field}.type is 'organization' or 'person', not '{}'", crate::ids::truncate(other)),
            )),
        }
    }
}

/// The project a joint-development licence covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Project {
    /// The project's name.
    pub name: String,
    /// Constraints on the end use of the technology (they become conditions of the licence).
    #[serde(default)]
    pub end_use_constraints: Vec<String>,
    /// Organisations and named persons taking part.
    pub participants: Vec<Participant>,
}

/// The licence an application asks for.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LicenceRequest {
    /// `individual` (default), `global` or `joint_development`.
    #[serde(default)]
    pub kind: LicenceKind,
    /// A global licence's further destinations, besides the transaction's own.
    #[serde(default)]
    pub destinations: Vec<String>,
    /// A joint-development licence's project.
    #[serde(default)]
    pub project: Option<Project>,
}

impl LicenceRequest {
    /// Checks that the request is complete for its kind (countries are checked by the caller).
    pub fn check(&self, transaction: &crate::determination::Transaction) -> Result<()> {
        let count = |role: &str| transaction.parties.iter().filter(|p| p.role == role).count();
        match self.kind {
            LicenceKind::Individual => {
                if !self.destinations.is_empty() || self.project.is_some() {
                    return Err(Error::validation(
                        "licence",
                        "an individual licence has neither further destinations nor a project",
                    ));
                }
                if count("consignee") > 1 || count("end_user") > 1 {
                    return Err(Error::validation(
                        "licence.kind",
                        "an individual licence has one consignee and one end user; apply for a global licence",
                    ));
                }
            }
            LicenceKind::Global => {
                if self.project.is_some() {
                    return Err(Error::validation("licence.project", "a global licence has no project"));
                }
                if self.destinations.len() > MAX_DESTINATIONS {
                    return Err(Error::validation(
                        "licence.destinations",
                        format!("at most {MAX_DESTINATIONS} destinations"),
                    ));
                }
            }
            LicenceKind::JointDevelopment => {
                if !self.destinations.is_empty() {
                    return Err(Error::validation(
                        "licence.destinations",
                        "a joint-development licence reaches its participants' countries; list them as participants",
                    ));
                }
                let Some(project) = &self.project else {
                    return Err(Error::validation("licence.project", "a joint-development licence needs its project"));
                };
                crate::model::parse_name("licence.project.name", &project.name)?;
                if project.participants.is_empty() || project.participants.len() > MAX_PARTICIPANTS {
                    return Err(Error::validation(
                        "licence.project.participants",
                        format!("a project has 1-{MAX_PARTICIPANTS} participants"),
                    ));
                }
                for (i, p) in project.participants.iter().enumerate() {
                    p.check(&format!("licence.project.participants[{i}]"))?;
                }
                for (i, c) in project.end_use_constraints.iter().enumerate() {
                    let field = format!("licence.project.end_use_constraints[{i}]");
                    if c.trim().is_empty() || c.chars().count() > 1000 || c.chars().any(char::is_control) {
                        return Err(Error::validation(
                            &field,
                            format!("{field} must be 1-1000 characters without control characters"),
                        ));
                    }
                }
            }
        }
        Ok(())
    }
}

/// Where a participant of a joint-development licence stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RosterStatus {
    /// On the licence: technology may be transferred to them.
    Active,
    /// Added by the holder; the transfer to them needs a licence, so the addition waits for the authority.
    PendingReview,
    /// The authority refused the addition.
    Refused,
    /// Taken off the roster.
    Removed,
}

/// One participant on a licence's roster, with its history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RosterEntry {
    /// Who.
    pub participant: Participant,
    /// Where they stand.
    pub status: RosterStatus,
    /// When they were added (or asked to be).
    pub added_at: String,
    /// When they were removed.
    #[serde(default)]
    pub removed_at: Option<String>,
    /// Why they were removed or refused.
    #[serde(default)]
    pub reason: Option<String>,
}

/// What an amendment changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AmendmentKind {
    /// A participant joins a joint-development project.
    ParticipantAdded,
    /// A participant leaves it.
    ParticipantRemoved,
    /// The authority changed validity, conditions or licensed quantities.
    LicenceAmended,
}

/// Where an amendment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AmendmentStatus {
    /// Took effect at once (nothing needed the authority's review).
    Applied,
    /// Waits for an officer of the issuing authority.
    PendingReview,
    /// Approved by the authority; in effect.
    Approved,
    /// Refused by the authority; no effect.
    Refused,
}

/// A recorded change of a licence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Amendment {
    /// Its number on the licence, from 1.
    pub number: usize,
    /// What it changes.
    pub kind: AmendmentKind,
    /// Where it stands.
    pub status: AmendmentStatus,
    /// The roster entry it concerns (index in `roster`).
    #[serde(default)]
    pub participant: Option<usize>,
    /// The determination of the transfer to the participant's country (a deemed export), when one was made.
    #[serde(default)]
    pub outcome: Option<String>,
    /// Why it needs review: the licence requirement, screening hits.
    #[serde(default)]
    pub review_reasons: Vec<String>,
    /// What changed (a licence amendment's new validity, conditions or quantities).
    #[serde(default)]
    #[schema(value_type = Object)]
    pub changes: Option<serde_json::Value>,
    /// The reason the requester gave.
    pub reason: String,
    /// Who asked for it.
    pub requested_by: String,
    /// When.
    pub requested_at: String,
    /// The officer who decided it, when it was reviewed.
    #[serde(default)]
    pub decided_by: Option<String>,
    /// When.
    #[serde(default)]
    pub decided_at: Option<String>,
    /// Why, in the officer's words.
    #[serde(default)]
    pub decision_reason: Option<String>,
}

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
    pub quantity: Decimal,
    /// Licensed value.
    pub value: Decimal,
    /// Quantity shipped so far.
    pub used_quantity: Decimal,
    /// Value shipped so far.
    pub used_value: Decimal,
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
    /// `individual`, `global` or `joint_development`.
    pub kind: LicenceKind,
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
    /// Every destination shipments may go to (a global licence names several).
    #[serde(default)]
    pub destinations: Vec<String>,
    /// A joint-development licence's project name (its end-use constraints are among the conditions).
    #[serde(default)]
    pub project: Option<String>,
    /// A joint-development licence's participants, with their history.
    #[serde(default)]
    pub roster: Vec<RosterEntry>,
    /// Every amendment, oldest first.
    #[serde(default)]
    pub amendments: Vec<Amendment>,
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
    pub quantity: Decimal,
    /// Value shipped, in the item's currency.
    pub value: Decimal,
}

/// A shipment as reported by the exporter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewShipment {
    /// Day of shipment.
    pub date: String,
    /// Items, quantities and values.
    pub items: Vec<ShipmentItem>,
    /// The consignee, as named on the licence (or an active participant of a joint-development project).
    pub consignee: String,
    /// The destination (must be one of the licence's; default: the licence's first).
    #[serde(default)]
    pub destination: Option<String>,
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

/// An officer's change of a licence: a new last day, new conditions, new licensed quantities and values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAmendment {
    /// Why (required).
    pub reason: String,
    /// A new last day of validity.
    #[serde(default)]
    pub valid_until: Option<String>,
    /// The conditions replacing the current ones.
    #[serde(default)]
    pub conditions: Option<Vec<String>>,
    /// New licensed quantity and value of some items (never below what was shipped).
    #[serde(default)]
    pub items: Vec<crate::cases::LicensedItem>,
}

/// An officer's answer to an amendment waiting for review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AmendmentVerdict {
    /// The change takes effect.
    Approve,
    /// The change is refused.
    Refuse,
}

/// The decision on an amendment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AmendmentDecision {
    /// `approve` or `refuse`.
    pub decision: AmendmentVerdict,
    /// Why (required).
    pub reason: String,
}
