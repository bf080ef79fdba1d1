//! Licences: issued when a case is approved, drawn down by the shipments the exporter reports, suspended,
//! reinstated and revoked by the issuing authority. Concurrent shipments never overdraw: each one is applied to the
//! licence version it read, and a shipment that lost the race reads again and re-checks.

mod amendments;
mod roster;

use crate::authz::{Action, require};
use crate::controls::today;
use crate::{App, DetermineOptions, Scope, event, scope_of, to_json, user_principal};
use accord_controls::{Outcome, Party};
use accord_core::audit::EventKind;
use accord_core::cases::Application;
use accord_core::cases::{Case, Decision};
use accord_core::decimal::Decimal;
use accord_core::ids::{LicenceId, ShipmentId};
use accord_core::licences::{
    Amendment, AmendmentDecision, AmendmentKind, AmendmentStatus, AmendmentVerdict, Licence, LicenceItem, LicenceKind,
    LicenceStatus, NewAmendment, NewShipment, Participant, RosterEntry, RosterStatus, Shipment,
};
use accord_core::principal::Principal;
use accord_core::{Error, ErrorCode, Result};
use accord_store::{Mutation, UserScope};
use serde_json::json;

/// How often a shipment is retried when another one changed the licence first.
const SHIPMENT_RETRIES: usize = 20;

/// The licence an approved case issues, from its application and decision.
pub(crate) fn issue(case: &Case, decision: &Decision, application: &Application) -> Licence {
    let transaction = &application.transaction;
    let request = &application.licence;
    let items = decision
        .items
        .iter()
        .map(|l| {
            let it = transaction.items.get(l.item);
            LicenceItem {
                item: l.item,
                code: it.and_then(|i| i.code.clone()).filter(|c| !c.is_empty()),
                description: it.map(|i| i.description.clone()).unwrap_or_default(),
                currency: it.and_then(|i| i.currency.clone()),
                quantity: l.quantity,
                value: l.value,
                used_quantity: Decimal::ZERO,
                used_value: Decimal::ZERO,
            }
        })
        .collect();
    let parties = transaction.parties.iter().map(|p| p.name.clone()).collect();
    let destination = transaction.destination.clone();
    let mut destinations = vec![destination.clone()];
    destinations.extend(request.destinations.iter().map(|d| d.trim().to_ascii_uppercase()));
    let issued_at = accord_core::now();
    let mut conditions = decision.conditions.clone();
    let (project, roster) = match &request.project {
        Some(project) => {
            conditions.extend(project.end_use_constraints.iter().map(|c| format!("end-use constraint: {}", c.trim())));
            let roster = project
                .participants
                .iter()
                .map(|p| RosterEntry {
                    participant: p.clone(),
                    status: RosterStatus::Active,
                    added_at: issued_at,
                    removed_at: None,
                    reason: None,
                })
                .collect();
            (Some(project.name.trim().to_owned()), roster)
        }
        None => (None, Vec::new()),
    };
    Licence {
        id: LicenceId::generate(),
        case_id: case.id.clone(),
        application_id: case.application_id.clone(),
        organisation_id: case.organisation_id.clone(),
        authority_id: case.authority_id.clone(),
        jurisdiction: case.jurisdiction.clone(),
        kind: request.kind,
        status: LicenceStatus::Active,
        valid_from: decision.valid_from.unwrap_or_else(crate::controls::day),
        valid_until: decision.valid_until.unwrap_or_else(crate::controls::day),
        conditions,
        destination,
        destinations,
        project,
        roster,
        amendments: Vec::new(),
        parties,
        items,
        status_reason: None,
        version: 1,
        issued_at,
        alerts: Vec::new(),
    }
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
        if visible { Ok(l.as_of(crate::controls::day())) } else { Err(Error::not_found("licence", id.as_str())) }
    }

    /// Licences visible to the caller, as they stand today.
    pub async fn licences(&self, p: &Principal) -> Result<Vec<Licence>> {
        let scope = match scope_of(p)? {
            Scope::All => UserScope::All,
            Scope::Authority(a) => UserScope::Authority(a),
            Scope::Organisation(o) => UserScope::Organisation(o),
            Scope::OnlySelf => return Err(Error::forbidden("this role has no access to licences")),
        };
        let day = crate::controls::day();
        Ok(self.store.licences(&scope).await?.into_iter().map(|l| l.as_of(day)).collect())
    }

    /// The shipments reported against a licence.
    pub async fn shipments(&self, p: &Principal, id: &str) -> Result<Vec<Shipment>> {
        let l = self.licence(p, id).await?;
        self.store.shipments(&l.id).await
    }

    /// Reports a shipment against a licence (the holder's exporters): refused with the precise reason when it is
    /// beyond what is left, outside validity, to a party not on the licence, or on a licence not active.
    pub async fn report_shipment(&self, p: &Principal, id: &str, s: NewShipment) -> Result<(Shipment, Licence)> {
        require(p, Action::ReportShipments)?;
        s.check()?;
        let mut last = None;
        for _ in 0..SHIPMENT_RETRIES {
            let read = self.licence(p, id).await?;
            let expected_version = read.version;
            let mut drawn = read;
            drawn.draw(&s, |a, b| accord_screen::normalize(a) == accord_screen::normalize(b))?;
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
                        EventKind::ShipmentReported,
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

    /// A licence an officer of its issuing authority may change.
    pub(super) async fn issuers_licence(&self, p: &Principal, id: &str, action: Action) -> Result<Licence> {
        require(p, action)?;
        let l = self.licence(p, id).await?;
        if let Some(u) = user_principal(p)
            && u.authority_id.as_ref() != Some(&l.authority_id)
        {
            return Err(Error::not_found("licence", id));
        }
        Ok(l)
    }

    /// Stores a changed licence (its version is incremented here) with its audit event.
    pub(super) async fn save_licence(
        &self,
        p: &Principal,
        mut l: Licence,
        kind: EventKind,
        payload: serde_json::Value,
    ) -> Result<Licence> {
        let expected_version = l.version;
        l.version += 1;
        self.store
            .commit(
                vec![Mutation::UpdateLicence { licence: l.clone(), expected_version }],
                vec![event(p, Some(&l.authority_id), kind, l.id.as_str(), payload)],
            )
            .await?;
        // The answer shows what a read shows (a licence past its last day reads as expired).
        Ok(l.as_of(crate::controls::day()))
    }

    /// Suspends, reinstates or revokes a licence (an officer of the issuing authority).
    pub async fn set_licence_status(&self, p: &Principal, id: &str, action: &str, reason: &str) -> Result<Licence> {
        let l = self.issuers_licence(p, id, Action::SuspendReinstateOrRevokeLicences).await?;
        let reason = accord_core::model::parse_name("reason", reason)?;
        let (from, to, kind): (&[LicenceStatus], LicenceStatus, EventKind) = match action {
            "suspend" => (&[LicenceStatus::Active], LicenceStatus::Suspended, EventKind::LicenceSuspended),
            "reinstate" => (&[LicenceStatus::Suspended], LicenceStatus::Active, EventKind::LicenceActive),
            "revoke" => (
                &[LicenceStatus::Active, LicenceStatus::Suspended, LicenceStatus::Expired],
                LicenceStatus::Revoked,
                EventKind::LicenceRevoked,
            ),
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
        let mut changed = l;
        changed.status = to;
        changed.status_reason = Some(reason.clone());
        self.save_licence(p, changed, kind, json!({ "reason": reason })).await
    }
}
