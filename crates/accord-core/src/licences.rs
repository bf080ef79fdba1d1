//! Licences issued by approved cases, and the shipments reported against them.

use crate::decimal::Decimal;
use crate::error::{Error, ErrorCode, Result};
use crate::ids::{ApplicationId, AuthorityId, CaseId, LicenceId, OrgId, ShipmentId};
use jiff::civil::Date;
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
    pub added_at: crate::Timestamp,
    /// When they were removed.
    #[serde(default)]
    pub removed_at: Option<crate::Timestamp>,
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
    pub outcome: Option<crate::determination::Outcome>,
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
    pub requested_at: crate::Timestamp,
    /// The officer who decided it, when it was reviewed.
    #[serde(default)]
    pub decided_by: Option<String>,
    /// When.
    #[serde(default)]
    pub decided_at: Option<crate::Timestamp>,
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
    #[schema(value_type = String, format = Date)]
    pub valid_from: Date,
    /// Last day of validity; it expires after it.
    #[schema(value_type = String, format = Date)]
    pub valid_until: Date,
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
    pub issued_at: crate::Timestamp,
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
    #[schema(value_type = String, format = Date)]
    pub date: Date,
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
    pub reported_at: crate::Timestamp,
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

/// The longest validity of a licence, in years.
pub const MAX_LICENCE_YEARS: i16 = 5;

impl LicenceItem {
    /// Whether nothing more of the item may be shipped: its quantity is used up, or its value (when it has one).
    pub fn used_up(&self) -> bool {
        self.used_quantity >= self.quantity || (!self.value.is_zero() && self.used_value >= self.value)
    }

    /// Refuses a value written finer than the minor unit of the item's currency.
    fn check_minor_units(&self, field: &str, value: Decimal) -> Result<()> {
        match &self.currency {
            Some(c) => crate::currency::check_minor_units(value, c)
                .map_err(|e| Error::validation(field, format!("{field}.value: {e}"))),
            None => Ok(()),
        }
    }
}

impl Licence {
    /// The licence as it stands on `day`: an active licence past its last day reads as expired (expiry is read from
    /// the dates, never stored).
    pub fn as_of(mut self, day: Date) -> Licence {
        if self.status == LicenceStatus::Active && day > self.valid_until {
            self.status = LicenceStatus::Expired;
        }
        self
    }

    /// Applies an amendment's changes: a new last day within the longest validity, new conditions, new quantities
    /// and values never below what was shipped; the status follows.
    pub fn amend(&mut self, input: &NewAmendment) -> Result<()> {
        if input.valid_until.is_none() && input.conditions.is_none() && input.items.is_empty() {
            return Err(Error::validation("valid_until", "an amendment changes valid_until, conditions or items"));
        }
        if let Some(d) = &input.valid_until {
            let until = crate::model::parse_day("valid_until", d)?;
            let latest = self.valid_from.checked_add(jiff::Span::new().years(MAX_LICENCE_YEARS)).ok();
            if until < self.valid_from || latest.is_some_and(|last| until > last) {
                return Err(Error::validation(
                    "valid_until",
                    format!(
                        "valid_until {until} must lie between the licence's first day {} and {MAX_LICENCE_YEARS} years \
                         after it",
                        self.valid_from
                    ),
                ));
            }
            self.valid_until = until;
        }
        if let Some(conditions) = &input.conditions {
            self.conditions = conditions
                .iter()
                .enumerate()
                .map(|(i, c)| crate::model::parse_text(&format!("conditions[{i}]"), c, 1000))
                .collect::<Result<_>>()?;
        }
        for (i, given) in input.items.iter().enumerate() {
            let field = format!("items[{i}]");
            let Some(li) = self.items.iter_mut().find(|x| x.item == given.item) else {
                return Err(Error::validation(&field, format!("{field}: item {} is not on the licence", given.item)));
            };
            if given.quantity < li.used_quantity || given.value < li.used_value {
                return Err(Error::validation(
                    &field,
                    format!(
                        "{field}: quantity {} and value {} must be numbers no lower than what was shipped ({} and {})",
                        given.quantity, given.value, li.used_quantity, li.used_value
                    ),
                ));
            }
            li.check_minor_units(&field, given.value)?;
            li.quantity = given.quantity;
            li.value = given.value;
        }
        if self.status == LicenceStatus::Expired {
            // A later last day makes the licence usable again.
            self.status = LicenceStatus::Active;
        }
        let used_up = self.items.iter().all(LicenceItem::used_up);
        if self.status == LicenceStatus::Exhausted && !used_up {
            self.status = LicenceStatus::Active;
        } else if self.status == LicenceStatus::Active && used_up {
            self.status = LicenceStatus::Exhausted;
        }
        Ok(())
    }

    /// Draws a shipment from the licence, or says precisely why it is refused (`shipment_refused`): the status, the
    /// dates, the consignee (a party or an active project participant, compared with `same_name`), the destination,
    /// and what is left of each item. On success the version moves on and a licence used up reads as exhausted.
    pub fn draw(&mut self, s: &NewShipment, same_name: impl Fn(&str, &str) -> bool) -> Result<()> {
        let id = self.id.to_string();
        let refuse = |message: String| {
            Err(Error::new(ErrorCode::ShipmentRefused, message).with_details(serde_json::json!({ "licence_id": id })))
        };
        match self.status {
            LicenceStatus::Active => {}
            LicenceStatus::Expired => return refuse(format!("licence {id} expired on {}", self.valid_until)),
            other => return refuse(format!("licence {id} is {}; no shipment may be made under it", other.as_str())),
        }
        if s.date < self.valid_from {
            return refuse(format!(
                "the shipment date {} is before the licence's validity starts ({})",
                s.date, self.valid_from
            ));
        }
        if s.date > self.valid_until {
            return refuse(format!("the shipment date {} is after the licence expired ({})", s.date, self.valid_until));
        }
        let participant = self
            .roster
            .iter()
            .any(|r| r.status == RosterStatus::Active && same_name(&r.participant.name, &s.consignee));
        if !participant && !self.parties.iter().any(|p| same_name(p, &s.consignee)) {
            return refuse(format!("'{}' is not a party on licence {id}", crate::ids::truncate(&s.consignee)));
        }
        if let Some(d) = &s.destination
            && !self.destinations.iter().any(|x| x.eq_ignore_ascii_case(d.trim()))
        {
            return refuse(format!(
                "destination '{}' is not on licence {id} (it covers {})",
                crate::ids::truncate(d),
                self.destinations.join(", ")
            ));
        }
        for (i, item) in s.items.iter().enumerate() {
            let Some(li) = self.items.iter_mut().find(|x| x.item == item.item) else {
                return refuse(format!("items[{i}]: item {} is not on licence {id}", item.item));
            };
            let left_q = li.quantity.saturating_sub(li.used_quantity);
            let left_v = li.value.saturating_sub(li.used_value);
            if item.quantity > left_q {
                return refuse(format!(
                    "items[{i}]: quantity {} exceeds the {left_q} left of item {}",
                    item.quantity, item.item
                ));
            }
            if !li.value.is_zero() && item.value > left_v {
                return refuse(format!(
                    "items[{i}]: value {} exceeds the {left_v} left of item {}",
                    item.value, item.item
                ));
            }
            li.check_minor_units(&format!("items[{i}]"), item.value)?;
            li.used_quantity += item.quantity;
            li.used_value += item.value;
        }
        if self.items.iter().all(LicenceItem::used_up) {
            self.status = LicenceStatus::Exhausted;
        }
        self.version += 1;
        Ok(())
    }
}

impl NewShipment {
    /// Checks the shipment on its own: a date, a consignee, a transport document, 1-200 items with a positive
    /// quantity and a value that is not negative.
    pub fn check(&self) -> Result<()> {
        crate::model::parse_name("consignee", &self.consignee)?;
        crate::model::parse_name("transport_document", &self.transport_document)?;
        if self.items.is_empty() || self.items.len() > 200 {
            return Err(Error::validation("items", "a shipment has 1-200 items"));
        }
        for (i, it) in self.items.iter().enumerate() {
            if it.quantity.is_negative() || it.quantity.is_zero() || it.value.is_negative() {
                return Err(Error::validation(
                    &format!("items[{i}]"),
                    format!("items[{i}]: the quantity must be positive and the value non-negative"),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn licence() -> Licence {
        serde_json::from_value(json!({
            "id": format!("lic_{}", "0".repeat(26)), "case_id": format!("case_{}", "0".repeat(26)),
            "application_id": format!("app_{}", "0".repeat(26)), "organisation_id": format!("org_{}", "0".repeat(26)),
            "authority_id": "DE-BAFA", "jurisdiction": "EU", "kind": "individual", "status": "active",
            "valid_from": "2026-01-01", "valid_until": "2026-12-31", "conditions": [], "destination": "CN",
            "destinations": ["CN"], "parties": ["Shanghai Example Trading Co., Ltd."],
            "items": [{"item": 0, "code": "3A001.a.1", "description": "ICs", "currency": "EUR",
                       "quantity": 1, "value": 0.3, "used_quantity": 0, "used_value": 0}],
            "status_reason": null, "version": 1, "issued_at": "2026-01-01T00:00:00Z"
        }))
        .expect("a licence")
    }

    fn shipment(date: &str, quantity: &str, value: &str, consignee: &str) -> NewShipment {
        serde_json::from_value(json!({
            "date": date, "items": [{"item": 0, "quantity": quantity, "value": value}],
            "consignee": consignee, "transport_document": "AWB 1"
        }))
        .expect("a shipment")
    }

    fn same(a: &str, b: &str) -> bool {
        a.eq_ignore_ascii_case(b)
    }

    #[test]
    fn shipments_draw_exactly_what_is_left_and_exhaust_the_licence() {
        let mut l = licence();
        let to = "shanghai example trading co., ltd.";
        for _ in 0..9 {
            l.draw(&shipment("2026-03-01", "0.1", "0", to), same).expect("a tenth");
        }
        l.draw(&shipment("2026-03-01", "0.1", "0.1", to), same).expect("the last tenth");
        assert_eq!((l.items[0].used_quantity.to_string(), l.status), ("1".to_owned(), LicenceStatus::Exhausted));
        assert_eq!(l.version, 11, "every shipment moves the version on");
        let e = l.draw(&shipment("2026-03-01", "0.1", "0", to), same).expect_err("exhausted");
        assert!(e.message.contains("is exhausted"), "{}", e.message);
    }

    #[test]
    fn each_refused_shipment_says_why() {
        let l = licence();
        let to = "Shanghai Example Trading Co., Ltd.";
        let refused = |s: NewShipment| {
            let mut copy = l.clone();
            let e = copy.draw(&s, same).expect_err("refused");
            assert_eq!(e.code, ErrorCode::ShipmentRefused, "{}", e.message);
            e.message
        };
        assert!(refused(shipment("2025-12-31", "0.1", "0", to)).contains("before the licence's validity starts"));
        assert!(refused(shipment("2027-01-01", "0.1", "0", to)).contains("after the licence expired"));
        assert!(refused(shipment("2026-03-01", "0.1", "0", "Someone Else")).contains("is not a party"));
        assert!(refused(shipment("2026-03-01", "1.5", "0", to)).contains("exceeds the 1 left"));
        assert!(refused(shipment("2026-03-01", "0.5", "0.31", to)).contains("exceeds the 0.3 left"));
        let mut other = l.clone();
        other.status = LicenceStatus::Suspended;
        assert!(other.draw(&shipment("2026-03-01", "0.1", "0", to), same).is_err());
        let mut finer = l.clone();
        let e = finer.draw(&shipment("2026-03-01", "0.1", "0.001", to), same).expect_err("finer than a cent");
        assert_eq!(e.code, ErrorCode::ValidationFailed, "{}", e.message);
    }

    #[test]
    fn a_shipment_dated_on_no_real_day_is_refused_as_it_is_read() {
        let e = serde_json::from_value::<NewShipment>(json!({
            "date": "2026-13-01", "items": [], "consignee": "x", "transport_document": "y"
        }))
        .expect_err("no thirteenth month");
        assert!(e.to_string().contains("2026-13-01") || e.to_string().contains("month"), "{e}");
    }

    #[test]
    fn an_amendment_never_goes_below_what_was_shipped_and_the_status_follows() {
        let mut l = licence();
        l.draw(&shipment("2026-03-01", "1", "0.3", "Shanghai Example Trading Co., Ltd."), same).expect("all of it");
        assert_eq!(l.status, LicenceStatus::Exhausted);
        let amend = |v: serde_json::Value| -> NewAmendment {
            let mut body = json!({"reason": "second phase"});
            for (k, x) in v.as_object().expect("fields") {
                body[k] = x.clone();
            }
            serde_json::from_value(body).expect("an amendment")
        };
        let below = l.clone().amend(&amend(json!({"items": [{"item": 0, "quantity": 0.5, "value": 0.3}]})));
        assert!(below.expect_err("below shipped").message.contains("no lower than what was shipped"));
        l.amend(&amend(json!({"items": [{"item": 0, "quantity": 2, "value": 0.6}]}))).expect("raised");
        assert_eq!(l.status, LicenceStatus::Active, "room again");
        let too_long = l.clone().amend(&amend(json!({"valid_until": "2031-01-02"})));
        assert!(too_long.expect_err("over five years").message.contains("5 years"));
        assert!(l.clone().amend(&amend(json!({}))).is_err(), "an amendment changes something");
        let expired = l.clone().as_of("2027-01-01".parse().expect("a day"));
        assert_eq!(expired.status, LicenceStatus::Expired);
        let mut later = expired.clone();
        later.amend(&amend(json!({"valid_until": "2027-06-30"}))).expect("extended");
        assert_eq!(later.status, LicenceStatus::Active, "a later last day makes it usable again");
    }
}
