//! Licences: issued when a case is approved, drawn down by the shipments the exporter reports, suspended,
//! reinstated and revoked by the issuing authority. Concurrent shipments never overdraw: each one is applied to the
//! licence version it read, and a shipment that lost the race reads again and re-checks.

use crate::authz::{Action, require};
use crate::controls::today;
use crate::{App, DetermineOptions, Scope, event, scope_of, to_json, user_principal};
use accord_controls::{Outcome, Party};
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
                    added_at: issued_at.clone(),
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
        valid_from: decision.valid_from.clone().unwrap_or_else(today),
        valid_until: decision.valid_until.clone().unwrap_or_else(today),
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
        if visible { Ok(l.as_of(&today())) } else { Err(Error::not_found("licence", id.as_str())) }
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
        Ok(self.store.licences(&scope).await?.into_iter().map(|l| l.as_of(&day)).collect())
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

    /// A licence an officer of its issuing authority may change.
    async fn issuers_licence(&self, p: &Principal, id: &str, action: Action) -> Result<Licence> {
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
    async fn save_licence(
        &self,
        p: &Principal,
        mut l: Licence,
        kind: &str,
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
        Ok(l.as_of(&today()))
    }

    /// Suspends, reinstates or revokes a licence (an officer of the issuing authority).
    pub async fn set_licence_status(&self, p: &Principal, id: &str, action: &str, reason: &str) -> Result<Licence> {
        let l = self.issuers_licence(p, id, Action::SuspendReinstateOrRevokeLicences).await?;
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
        let mut changed = l;
        changed.status = to;
        changed.status_reason = Some(reason.clone());
        self.save_licence(p, changed, &format!("licence.{}", to.as_str()), json!({ "reason": reason })).await
    }

    /// Amends a licence (an officer of the issuing authority): a new last day, new conditions, new licensed
    /// quantities and values (never below what was shipped). An exhausted licence given more becomes active again.
    pub async fn amend_licence(&self, p: &Principal, id: &str, input: NewAmendment) -> Result<Licence> {
        let mut l = self.issuers_licence(p, id, Action::AmendLicences).await?;
        let reason = accord_core::model::parse_name("reason", &input.reason)?;
        if l.status == LicenceStatus::Revoked {
            return Err(Error::new(ErrorCode::Conflict, format!("licence {} is revoked; it cannot be amended", l.id)));
        }
        let before = l.clone();
        l.amend(&input)?;
        let review_reasons = self.amendment_review_reasons(&before, &l).await?;
        let pending = !review_reasons.is_empty();
        if pending {
            // Nothing changes until a second, senior officer countersigns.
            l = before;
        }
        let changes = json!({
            "valid_until": input.valid_until, "conditions": input.conditions, "items": input.items,
        });
        let amendment = Amendment {
            number: l.amendments.len() + 1,
            kind: AmendmentKind::LicenceAmended,
            status: if pending { AmendmentStatus::PendingReview } else { AmendmentStatus::Applied },
            participant: None,
            outcome: None,
            review_reasons: review_reasons.clone(),
            changes: Some(changes.clone()),
            reason: reason.clone(),
            requested_by: p.actor(),
            requested_at: accord_core::now(),
            decided_by: (!pending).then(|| p.actor()),
            decided_at: (!pending).then(accord_core::now),
            decision_reason: (!pending).then(|| reason.clone()),
        };
        l.amendments.push(amendment);
        let kind = if pending { "licence.amendment_requested" } else { "licence.amended" };
        let payload = json!({ "reason": reason, "changes": changes, "review_reasons": review_reasons });
        self.save_licence(p, l, kind, payload).await
    }

    /// Why an amendment needs a second, senior officer's countersignature before it takes effect: it raises a
    /// quantity or value above what was applied for, or extends the validity; on an enhanced-due-diligence licence,
    /// any raise at all. Empty when it may take effect at once.
    async fn amendment_review_reasons(&self, before: &Licence, after: &Licence) -> Result<Vec<String>> {
        let mut reasons = Vec::new();
        let edd = self
            .store
            .case(&before.case_id)
            .await?
            .is_some_and(|c| c.review_path == accord_core::determination::ReviewPath::EnhancedDueDiligence);
        let applied = self.store.application(&before.application_id).await?;
        let asked = |item: usize, quantity: bool| {
            let it = applied.as_ref().and_then(|a| a.transaction.items.get(item))?;
            if quantity { it.quantity } else { it.value }
        };
        if after.valid_until > before.valid_until {
            reasons.push(format!("extends the validity from {} to {}", before.valid_until, after.valid_until));
        }
        for (old, new) in before.items.iter().zip(&after.items) {
            let (q, v) = (asked(new.item, true), asked(new.item, false));
            let above = |x: Decimal, asked: Option<Decimal>| asked.is_some_and(|a| x > a);
            if above(new.quantity, q) || above(new.value, v) {
                let shown = |a: Option<Decimal>| a.map_or_else(|| "none".to_owned(), |a| a.to_string());
                reasons.push(format!(
                    "item {} raised to quantity {} and value {}, above the {} and {} applied for",
                    new.item,
                    new.quantity,
                    new.value,
                    shown(q),
                    shown(v)
                ));
            } else if edd && (new.quantity > old.quantity || new.value > old.value) {
                reasons.push(format!("item {} raised on an enhanced-due-diligence licence", new.item));
            }
        }
        Ok(reasons)
    }

    /// A joint-development licence its holder may change the roster of (its organisation's exporters, admins).
    async fn roster_licence(&self, p: &Principal, id: &str) -> Result<Licence> {
        require(p, Action::ChangeAProjectRoster)?;
        let l = self.licence(p, id).await?;
        if l.kind != LicenceKind::JointDevelopment {
            return Err(Error::validation(
                "kind",
                format!("licence {} is {}; only a joint-development licence has a roster", l.id, l.kind.as_str()),
            ));
        }
        if l.status != LicenceStatus::Active {
            return Err(Error::new(
                ErrorCode::Conflict,
                format!("licence {} is {}; its roster cannot change", l.id, l.status.as_str()),
            ));
        }
        Ok(l)
    }

    /// Adds a participant to a joint-development project: they are screened, and the transfer of the licensed
    /// technology to their country (a deemed export) is determined for the licence's jurisdiction. A clean addition
    /// that needs no licence takes effect at once; otherwise it is an amendment waiting for the issuing authority.
    /// A transfer that is prohibited is refused outright.
    pub async fn add_participant(&self, p: &Principal, id: &str, participant: Participant) -> Result<Licence> {
        participant.check("participant")?;
        let mut l = self.roster_licence(p, id).await?;
        let name = accord_screen::normalize(&participant.name);
        if l.roster.iter().any(|r| {
            matches!(r.status, RosterStatus::Active | RosterStatus::PendingReview)
                && accord_screen::normalize(&r.participant.name) == name
        }) {
            return Err(Error::new(
                ErrorCode::AlreadyExists,
                format!(
                    "'{}' is already on the roster of licence {}",
                    accord_core::ids::truncate(&participant.name),
                    l.id
                ),
            ));
        }
        let application = self
            .store
            .application(&l.application_id)
            .await?
            .ok_or_else(|| Error::internal(format!("licence '{}' without its application", l.id)))?;
        let mut tx = application.transaction;
        let licensed: Vec<usize> = l.items.iter().map(|i| i.item).collect();
        tx.items = tx.items.into_iter().enumerate().filter(|(i, _)| licensed.contains(i)).map(|(_, it)| it).collect();
        tx.date = today();
        tx.destination = participant.nationality.trim().to_owned();
        tx.jurisdictions = Some(vec![l.jurisdiction.clone()]);
        tx.parties = vec![Party {
            role: "end_user".into(),
            name: participant.name.clone(),
            country: Some(participant.nationality.clone()),
            r#type: Some(participant.r#type.clone().unwrap_or_else(|| "organization".into())),
        }];
        let (d, _) = self.determine_in_force(p, &tx, &DetermineOptions::default()).await.map_err(|e| {
            if e.code == ErrorCode::UnknownCountry {
                Error::new(e.code, format!("participant.nationality: {}", e.message))
                    .with_details(json!({ "field": "participant.nationality" }))
            } else {
                e
            }
        })?;
        let outcome = d
            .jurisdictions
            .iter()
            .find(|a| a.jurisdiction == l.jurisdiction)
            .map_or(Outcome::NoLicenceRequired, |a| a.outcome);
        let country = &tx.destination;
        if outcome == Outcome::Prohibited {
            return Err(Error::validation(
                "participant.nationality",
                format!(
                    "the transfer of the licensed technology to '{}' ({country}) is prohibited under {}; they cannot join",
                    accord_core::ids::truncate(&participant.name),
                    l.jurisdiction
                ),
            ));
        }
        let mut review_reasons = Vec::new();
        if outcome == Outcome::LicenceRequired {
            review_reasons.push(format!(
                "the transfer of the licensed technology to {country} needs a {} licence (a deemed export)",
                l.jurisdiction
            ));
        }
        review_reasons.extend(
            d.party_hits
                .iter()
                .map(|h| format!("screening: matches '{}' on {} (score {:.2})", h.matched_name, h.list_id, h.score)),
        );
        let review = !review_reasons.is_empty();
        let now = accord_core::now();
        l.roster.push(RosterEntry {
            participant: participant.clone(),
            status: if review { RosterStatus::PendingReview } else { RosterStatus::Active },
            added_at: now.clone(),
            removed_at: None,
            reason: None,
        });
        let amendment = Amendment {
            number: l.amendments.len() + 1,
            kind: AmendmentKind::ParticipantAdded,
            status: if review { AmendmentStatus::PendingReview } else { AmendmentStatus::Applied },
            participant: Some(l.roster.len() - 1),
            outcome: Some(outcome.as_str().to_owned()),
            review_reasons,
            changes: None,
            reason: format!("{} joins the project as {}", participant.name.trim(), participant.role.trim()),
            requested_by: p.actor(),
            requested_at: now,
            decided_by: None,
            decided_at: None,
            decision_reason: None,
        };
        let kind = if review { "licence.amendment_requested" } else { "licence.participant_added" };
        let payload = to_json(&amendment);
        l.amendments.push(amendment);
        self.save_licence(p, l, kind, payload).await
    }

    /// Takes a participant off a joint-development roster (the holder), recorded as an amendment.
    pub async fn remove_participant(&self, p: &Principal, id: &str, index: usize, reason: &str) -> Result<Licence> {
        let reason = accord_core::model::parse_name("reason", reason)?;
        let mut l = self.roster_licence(p, id).await?;
        let Some(entry) = l.roster.get_mut(index) else {
            return Err(Error::not_found("participant", &format!("{id}/{index}")));
        };
        if !matches!(entry.status, RosterStatus::Active | RosterStatus::PendingReview) {
            return Err(Error::new(
                ErrorCode::Conflict,
                format!("participant {index} of licence {id} is not on the roster any more"),
            ));
        }
        let was_pending = entry.status == RosterStatus::PendingReview;
        let now = accord_core::now();
        entry.status = RosterStatus::Removed;
        entry.removed_at = Some(now.clone());
        entry.reason = Some(reason.clone());
        let name = entry.participant.name.clone();
        if was_pending {
            // The addition waiting for review is withdrawn with it.
            for a in l.amendments.iter_mut().filter(|a| a.participant == Some(index)) {
                if a.status == AmendmentStatus::PendingReview {
                    a.status = AmendmentStatus::Refused;
                    a.decision_reason = Some(format!("withdrawn: {reason}"));
                }
            }
        }
        let amendment = Amendment {
            number: l.amendments.len() + 1,
            kind: AmendmentKind::ParticipantRemoved,
            status: AmendmentStatus::Applied,
            participant: Some(index),
            outcome: None,
            review_reasons: Vec::new(),
            changes: None,
            reason: reason.clone(),
            requested_by: p.actor(),
            requested_at: now,
            decided_by: None,
            decided_at: None,
            decision_reason: None,
        };
        l.amendments.push(amendment);
        self.save_licence(
            p,
            l,
            "licence.participant_removed",
            json!({ "participant": index, "name": name, "reason": reason }),
        )
        .await
    }

    /// Decides an amendment waiting for review (an officer of the issuing authority).
    pub async fn decide_amendment(
        &self,
        p: &Principal,
        id: &str,
        number: usize,
        input: AmendmentDecision,
    ) -> Result<Licence> {
        let mut l = self.issuers_licence(p, id, Action::DecideLicenceAmendments).await?;
        let reason = accord_core::model::parse_name("reason", &input.reason)?;
        let Some(a) = l.amendments.iter_mut().find(|a| a.number == number) else {
            return Err(Error::not_found("amendment", &format!("{id}/{number}")));
        };
        if a.status != AmendmentStatus::PendingReview {
            return Err(Error::new(
                ErrorCode::Conflict,
                format!("amendment {number} of licence {id} is not waiting for review"),
            ));
        }
        let approve = input.decision == AmendmentVerdict::Approve;
        let raise = a.kind == AmendmentKind::LicenceAmended;
        if raise {
            // A raise is countersigned: by a senior officer, not the one who asked for it.
            require(p, Action::CountersignALicenceAmendment)?;
            if a.requested_by == p.actor() {
                return Err(Error::forbidden("the officer who asked for an amendment does not countersign it"));
            }
        }
        a.status = if approve { AmendmentStatus::Approved } else { AmendmentStatus::Refused };
        let changes = a.changes.clone();
        a.decided_by = Some(p.actor());
        a.decided_at = Some(accord_core::now());
        a.decision_reason = Some(reason.clone());
        if let Some(entry) = a.participant.and_then(|i| l.roster.get_mut(i)) {
            entry.status = if approve { RosterStatus::Active } else { RosterStatus::Refused };
            if !approve {
                entry.reason = Some(reason.clone());
            }
        }
        if raise && approve {
            let mut stored = changes.unwrap_or_else(|| json!({}));
            stored["reason"] = json!(reason);
            let input: NewAmendment = serde_json::from_value(stored)
                .map_err(|e| Error::internal(format!("a stored amendment does not parse: {e}")))?;
            l.amend(&input)?;
        }
        let kind = if approve { "licence.amendment_approved" } else { "licence.amendment_refused" };
        self.save_licence(p, l, kind, json!({ "amendment": number, "reason": reason })).await
    }
}
