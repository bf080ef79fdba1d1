//! Licences: issued when a case is approved, drawn down by the shipments the exporter reports, suspended,
//! reinstated and revoked by the issuing authority. Concurrent shipments never overdraw: each one is applied to the
//! licence version it read, and a shipment that lost the race reads again and re-checks.

use crate::controls::today;
use crate::{App, Scope, event, require, scope_of, to_json, user_principal};
use accord_core::cases::{Case, Decision};
use accord_core::ids::{LicenceId, ShipmentId};
use accord_core::licences::{Licence, LicenceItem, LicenceStatus, NewShipment, Shipment};
use accord_core::model::Role;
use accord_core::principal::Principal;
use accord_core::{Error, ErrorCode, Result};
use accord_store::{Mutation, UserScope};
use serde_json::json;

/// How often a shipment is retried when another one changed the licence first.
const SHIPMENT_RETRIES: usize = 20;

/// Tolerance for sums of decimal quantities and values.
const EPSILON: f64 = 1e-9;

/// The licence as it stands today: an active licence past its last day reads as expired.
fn as_of(mut l: Licence, day: &str) -> Licence {
    if l.status == LicenceStatus::Active && day > l.valid_until.as_str() {
        l.status = LicenceStatus::Expired;
    }
    l
}

/// The licence an approved case issues, from its application and decision.
pub(crate) fn issue(case: &Case, decision: &Decision, transaction: &serde_json::Value) -> Licence {
    let items_in = transaction["items"].as_array().cloned().unwrap_or_default();
    let items = decision
        .items
        .iter()
        .map(|l| {
            let it = items_in.get(l.item).cloned().unwrap_or_default();
            LicenceItem {
                item: l.item,
                code: it["code"].as_str().filter(|c| !c.is_empty()).map(str::to_owned),
                description: it["description"].as_str().unwrap_or_default().to_owned(),
                currency: it["currency"].as_str().map(str::to_owned),
                quantity: l.quantity,
                value: l.value,
                used_quantity: 0.0,
                used_value: 0.0,
            }
        })
        .collect();
    let parties = transaction["parties"]
        .as_array()
        .map(|ps| ps.iter().filter_map(|p| p["name"].as_str()).map(str::to_owned).collect())
        .unwrap_or_default();
    Licence {
        id: LicenceId::generate(),
        case_id: case.id.clone(),
        application_id: case.application_id.clone(),
        organisation_id: case.organisation_id.clone(),
        authority_id: case.authority_id.clone(),
        jurisdiction: case.jurisdiction.clone(),
        kind: "individual".into(),
        status: LicenceStatus::Active,
        valid_from: decision.valid_from.clone().unwrap_or_else(today),
        valid_until: decision.valid_until.clone().unwrap_or_else(today),
        conditions: decision.conditions.clone(),
        destination: transaction["destination"].as_str().unwrap_or_default().to_owned(),
        parties,
        items,
        status_reason: None,
        version: 1,
        issued_at: accord_core::now(),
        alerts: Vec::new(),
    }
}

/// Applies a shipment to a licence read at some version, or says precisely why it is refused.
fn draw(mut l: Licence, s: &NewShipment) -> Result<Licence> {
    let refuse = |message: String| {
        Err(Error::new(ErrorCode::ShipmentRefused, message).with_details(json!({ "licence_id": l.id })))
    };
    match l.status {
        LicenceStatus::Active => {}
        LicenceStatus::Expired => return refuse(format!("licence {} expired on {}", l.id, l.valid_until)),
        other => return refuse(format!("licence {} is {}; no shipment may be made under it", l.id, other.as_str())),
    }
    if s.date.as_str() < l.valid_from.as_str() {
        return refuse(format!(
            "the shipment date {} is before the licence's validity starts ({})",
            s.date, l.valid_from
        ));
    }
    if s.date.as_str() > l.valid_until.as_str() {
        return refuse(format!("the shipment date {} is after the licence expired ({})", s.date, l.valid_until));
    }
    let consignee = accord_screen::normalize(&s.consignee);
    if !l.parties.iter().any(|p| accord_screen::normalize(p) == consignee) {
        return refuse(format!("'{}' is not a party on licence {}", accord_core::ids::truncate(&s.consignee), l.id));
    }
    for (i, item) in s.items.iter().enumerate() {
        let Some(li) = l.items.iter_mut().find(|x| x.item == item.item) else {
            return refuse(format!("items[{i}]: item {} is not on licence {}", item.item, l.id));
        };
        let left_q = li.quantity - li.used_quantity;
        let left_v = li.value - li.used_value;
        if item.quantity > left_q + EPSILON {
            return refuse(format!(
                "items[{i}]: quantity {} exceeds the {left_q} left of item {}",
                item.quantity, item.item
            ));
        }
        if item.value > left_v + EPSILON {
            return refuse(format!("items[{i}]: value {} exceeds the {left_v} left of item {}", item.value, item.item));
        }
        li.used_quantity += item.quantity;
        li.used_value += item.value;
    }
    if l.items.iter().all(|x| x.used_quantity + EPSILON >= x.quantity || x.used_value + EPSILON >= x.value) {
        l.status = LicenceStatus::Exhausted;
    }
    l.version += 1;
    Ok(l)
}

fn check_shipment(s: &NewShipment) -> Result<()> {
    crate::controls::check_date("date", &s.date)?;
    accord_core::model::parse_name("consignee", &s.consignee)?;
    accord_core::model::parse_name("transport_document", &s.transport_document)?;
    if s.items.is_empty() || s.items.len() > 200 {
        return Err(Error::validation("items", "a shipment has 1-200 items"));
    }
    for (i, it) in s.items.iter().enumerate() {
        if !(it.quantity.is_finite() && it.quantity > 0.0 && it.value.is_finite() && it.value >= 0.0) {
            return Err(Error::validation(
                &format!("items[{i}]"),
                format!("items[{i}]: the quantity must be positive and the value non-negative"),
            ));
        }
    }
    Ok(())
}

impl App {
    /// One licence as it stands today, if visible to the caller.
    pub async fn licence(&self, p: &Principal, id: &str) -> Result<Licence> {
        let scope = scope_of(p)?;
        let id = LicenceId::parse(id)?;
        let l = self.store.licence(&id).await?.ok_or_else(|| Error::not_found("licence", id.as_str()))?;
        let visible = match &scope {
            Scope::All => true,
            Scope::Authority(a) => &l.authority_id == a,
            Scope::Organisation(o) => &l.organisation_id == o,
            Scope::OnlySelf => false,
        };
        if visible { Ok(as_of(l, &today())) } else { Err(Error::not_found("licence", id.as_str())) }
    }

    /// Licences visible to the caller, as they stand today.
    pub async fn licences(&self, p: &Principal) -> Result<Vec<Licence>> {
        let scope = match scope_of(p)? {
            Scope::All => UserScope::All,
            Scope::Authority(a) => UserScope::Authority(a),
            Scope::Organisation(o) => UserScope::Organisation(o),
            Scope::OnlySelf => return Err(Error::forbidden("this role has no access to licences")),
        };
        let day = today();
        Ok(self.store.licences(&scope).await?.into_iter().map(|l| as_of(l, &day)).collect())
    }

    /// The shipments reported against a licence.
    pub async fn shipments(&self, p: &Principal, id: &str) -> Result<Vec<Shipment>> {
        let l = self.licence(p, id).await?;
        self.store.shipments(&l.id).await
    }

    /// Reports a shipment against a licence (the holder's exporters): refused with the precise reason when it is
    /// beyond what is left, outside validity, to a party not on the licence, or on a licence not active.
    pub async fn report_shipment(&self, p: &Principal, id: &str, s: NewShipment) -> Result<(Shipment, Licence)> {
        require(p, &[Role::Exporter, Role::Admin], "report shipments")?;
        check_shipment(&s)?;
        let mut last = None;
        for _ in 0..SHIPMENT_RETRIES {
            let read = self.licence(p, id).await?;
            let expected_version = read.version;
            let drawn = draw(read, &s)?;
            let shipment = Shipment {
                id: ShipmentId::generate(),
                licence_id: drawn.id.clone(),
                shipment: s.clone(),
                reported_by: p.actor(),
                reported_at: accord_core::now(),
            };
            let result = self
                .store
                .commit(
                    vec![
                        Mutation::UpdateLicence { licence: drawn.clone(), expected_version },
                        Mutation::InsertShipment(shipment.clone()),
                    ],
                    vec![event(
                        p,
                        Some(&drawn.authority_id),
                        "shipment.reported",
                        shipment.id.as_str(),
                        to_json(&shipment),
                    )],
                )
                .await;
            match result {
                Ok(_) => return Ok((shipment, drawn)),
                // Another shipment changed the licence first: read it again and check again.
                Err(e) if e.code == ErrorCode::Conflict => last = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last.unwrap_or_else(|| Error::new(ErrorCode::Conflict, "the licence is changing too fast; report again")))
    }

    /// Suspends, reinstates or revokes a licence (an officer of the issuing authority).
    pub async fn set_licence_status(&self, p: &Principal, id: &str, action: &str, reason: &str) -> Result<Licence> {
        require(p, &[Role::Officer, Role::SeniorOfficer], "suspend, reinstate or revoke licences")?;
        let l = self.licence(p, id).await?;
        if let Some(u) = user_principal(p)
            && u.authority_id.as_ref() != Some(&l.authority_id)
        {
            return Err(Error::not_found("licence", id));
        }
        let reason = accord_core::model::parse_name("reason", reason)?;
        let (from, to): (&[LicenceStatus], LicenceStatus) = match action {
            "suspend" => (&[LicenceStatus::Active], LicenceStatus::Suspended),
            "reinstate" => (&[LicenceStatus::Suspended], LicenceStatus::Active),
            "revoke" => {
                (&[LicenceStatus::Active, LicenceStatus::Suspended, LicenceStatus::Expired], LicenceStatus::Revoked)
            }
            other => {
                return Err(Error::validation(
                    "action",
                    format!("unknown action '{}' (suspend, reinstate, revoke)", accord_core::ids::truncate(other)),
                ));
            }
        };
        if !from.contains(&l.status) {
            return Err(Error::new(
                ErrorCode::Conflict,
                format!("licence {} is {}; it cannot be {action}d", l.id, l.status.as_str()),
            ));
        }
        let expected_version = l.version;
        let mut changed = l;
        changed.status = to;
        changed.status_reason = Some(reason.clone());
        changed.version += 1;
        self.store
            .commit(
                vec![Mutation::UpdateLicence { licence: changed.clone(), expected_version }],
                vec![event(
                    p,
                    Some(&changed.authority_id),
                    &format!("licence.{}", to.as_str()),
                    changed.id.as_str(),
                    json!({ "reason": reason }),
                )],
            )
            .await?;
        Ok(changed)
    }
}
