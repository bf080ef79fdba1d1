//! A joint-development licence's roster: participants added (screened and determined as deemed exports) and removed.

use super::*;
use accord_core::audit::EventKind;

impl App {
    /// A joint-development licence its holder may change the roster of (its organisation's exporters, admins).
    pub(super) async fn roster_licence(&self, p: &Principal, id: &str) -> Result<Licence> {
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
            added_at: now,
            removed_at: None,
            reason: None,
        });
        let amendment = Amendment {
            number: l.amendments.len() + 1,
            kind: AmendmentKind::ParticipantAdded,
            status: if review { AmendmentStatus::PendingReview } else { AmendmentStatus::Applied },
            participant: Some(l.roster.len() - 1),
            outcome: Some(outcome),
            review_reasons,
            changes: None,
            reason: format!("{} joins the project as {}", participant.name.trim(), participant.role.trim()),
            requested_by: p.actor(),
            requested_at: now,
            decided_by: None,
            decided_at: None,
            decision_reason: None,
        };
        let kind = if review { EventKind::LicenceAmendmentRequested } else { EventKind::LicenceParticipantAdded };
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
        entry.removed_at = Some(now);
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
            EventKind::LicenceParticipantRemoved,
            json!({ "participant": index, "name": name, "reason": reason }),
        )
        .await
    }
}
