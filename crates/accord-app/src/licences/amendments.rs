//! Officers' amendments of a licence, and the senior officer's countersignature the larger ones wait for.

use super::*;
use accord_core::audit::EventKind;

impl App {
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
        let kind = if pending { EventKind::LicenceAmendmentRequested } else { EventKind::LicenceAmended };
        let payload = json!({ "reason": reason, "changes": changes, "review_reasons": review_reasons });
        self.save_licence(p, l, kind, payload).await
    }

    /// Why an amendment needs a second, senior officer's countersignature before it takes effect: it raises a
    /// quantity or value above what was applied for, or extends the validity; on an enhanced-due-diligence licence,
    /// any raise at all. Empty when it may take effect at once.
    pub(super) async fn amendment_review_reasons(&self, before: &Licence, after: &Licence) -> Result<Vec<String>> {
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
        let kind = if approve { EventKind::LicenceAmendmentApproved } else { EventKind::LicenceAmendmentRefused };
        self.save_licence(p, l, kind, json!({ "amendment": number, "reason": reason })).await
    }
}
