//! Review cycles: a schedule kept as data opens each cycle when it is due (once), with the day proposals are due
//! and the day it closes; the people responsible are reminded of what falls due; closing a cycle of the control list
//! reports the proposals it gathered and the industry feedback on its scope that no proposal took up, and closing a
//! denial review reports the denials that reached three years and what became of them.

use crate::App;
use crate::allied::acting_authority;
use crate::authz::Action;
use accord_core::audit::EventKind;
use accord_core::denials::DenialStatus;
use accord_core::governance::{
    CycleReport, CycleStatus, FeedbackStatus, Reminder, ReviewCycle, ReviewSchedule, ReviewScope,
};
use accord_core::principal::Principal;
use accord_core::{Error, ErrorCode, Result};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

impl App {
    /// Opens the cycles of `schedules` that are due today and not yet open (officers, for their authority).
    /// Running it again opens nothing twice. Returns the cycles it opened.
    pub async fn run_review_schedule(&self, p: &Principal, schedules: &[ReviewSchedule]) -> Result<Vec<ReviewCycle>> {
        let authority = acting_authority(p, Action::ProposeListChanges)?;
        self.open_due_cycles(p, authority.as_str(), schedules).await
    }

    /// Opens the due cycles of `schedules` for this node's own authority (a running node, once a day); a node
    /// without federation has no authority and opens none.
    pub async fn run_review_schedule_as_node(&self, schedules: &[ReviewSchedule]) -> Result<Vec<ReviewCycle>> {
        let Some(authority) = self.federation().map(|f| f.authority_id.to_string()) else {
            return Ok(Vec::new());
        };
        self.open_due_cycles(&Principal::Operator { name: "node".into() }, &authority, schedules).await
    }

    async fn open_due_cycles(
        &self,
        p: &Principal,
        authority: &str,
        schedules: &[ReviewSchedule],
    ) -> Result<Vec<ReviewCycle>> {
        for (i, s) in schedules.iter().enumerate() {
            s.check(i)?;
        }
        let today = self.clock.today();
        let existing: Vec<ReviewCycle> = self.all_shared().await?;
        let mut opened = Vec::new();
        for s in schedules {
            let Some(opens_on) = s.opening_on(today) else { continue };
            let digest = accord_core::audit::hex(&Sha256::digest(s.title.trim().as_bytes()));
            let id = format!("rvc-{opens_on}-{}", &digest[..12]);
            if existing.iter().any(|c| c.id == id && c.authority_id == authority) {
                continue;
            }
            let days = |n: u16| opens_on.checked_add(jiff::Span::new().days(i64::from(n)));
            let cycle = ReviewCycle {
                id,
                authority_id: authority.to_string(),
                title: s.title.trim().to_owned(),
                category: s.category,
                scope: s.scope,
                opens_on,
                proposals_due: days(s.proposals_within_days)
                    .map_err(|e| Error::validation("proposals_within_days", e.to_string()))?,
                closes_on: days(s.closes_within_days)
                    .map_err(|e| Error::validation("closes_within_days", e.to_string()))?,
                status: CycleStatus::Open,
                report: None,
                version: 1,
            };
            let payload = json!({ "title": cycle.title, "opens_on": cycle.opens_on, "closes_on": cycle.closes_on });
            self.keep_shared(p, &cycle, EventKind::ReviewOpened, &cycle.id, payload).await?;
            opened.push(cycle);
        }
        Ok(opened)
    }

    /// Every review cycle this node knows (officials), newest first.
    pub async fn review_cycles(&self, p: &Principal) -> Result<Vec<ReviewCycle>> {
        crate::authz::require(p, Action::ReadGovernanceDesk)?;
        let mut all: Vec<ReviewCycle> = self.all_shared().await?;
        all.sort_by(|a, b| b.opens_on.cmp(&a.opens_on).then_with(|| a.id.cmp(&b.id)));
        Ok(all)
    }

    /// Closes a cycle of the caller's authority once its proposals are due, with its report: the authority's
    /// proposals opened during the cycle that touch its scope, the feedback on its scope, and the subjects with
    /// feedback that no proposal took up.
    pub async fn close_review_cycle(&self, p: &Principal, id: &str) -> Result<ReviewCycle> {
        let authority = acting_authority(p, Action::ProposeListChanges)?;
        let mut cycle = self
            .review_cycles(p)
            .await?
            .into_iter()
            .find(|c| c.id == id && c.authority_id == authority.as_str())
            .ok_or_else(|| Error::not_found("review cycle", id))?;
        if cycle.status == CycleStatus::Closed {
            return Err(Error::new(ErrorCode::Conflict, format!("review cycle {id} is closed already")));
        }
        if self.clock.today() < cycle.proposals_due {
            return Err(Error::new(
                ErrorCode::Conflict,
                format!("review cycle {id} gathers proposals until {}; it closes after", cycle.proposals_due),
            ));
        }
        if cycle.scope == ReviewScope::Denials {
            return self.close_denial_review(p, cycle).await;
        }
        let proposals: Vec<_> = self
            .proposals(p)
            .await?
            .into_iter()
            .filter(|x| x.authority_id == authority.as_str())
            .filter(|x| x.steps.first().is_some_and(|s| s.at.utc_date() >= cycle.opens_on))
            .filter(|x| x.changes.iter().any(|c| cycle.covers(&c.code)))
            .collect();
        let mut feedback: BTreeMap<String, usize> = BTreeMap::new();
        for f in self.feedback(p).await?.into_iter().filter(|f| f.status != FeedbackStatus::Dismissed) {
            if cycle.covers(&f.subject) {
                *feedback.entry(f.subject).or_default() += 1;
            }
        }
        let taken_up = |subject: &str| {
            proposals.iter().any(|x| x.changes.iter().any(|c| crate::allied::related_codes(&c.code, subject)))
        };
        let left = feedback.keys().filter(|s| !taken_up(s)).cloned().collect();
        cycle.report = Some(CycleReport {
            closed_at: accord_core::now(),
            proposals: proposals.iter().map(|x| (x.key(), x.status)).collect(),
            feedback: feedback.into_iter().collect(),
            left,
            denials: Vec::new(),
        });
        self.keep_closed(p, cycle).await
    }

    /// Closes a denial review: the authority's denials that reach their three years by the cycle's close (with
    /// the reminder period), where each stands, and those still active and not renewed past the cycle.
    async fn close_denial_review(&self, p: &Principal, mut cycle: ReviewCycle) -> Result<ReviewCycle> {
        let horizon = cycle
            .closes_on
            .checked_add(jiff::Span::new().days(accord_core::denials::REVIEW_REMINDER_DAYS))
            .map_err(|e| Error::internal(e.to_string()))?;
        let mut due: Vec<accord_core::denials::Denial> = self
            .store
            .denials()
            .await?
            .into_iter()
            .filter(|d| d.authority_id.as_str() == cycle.authority_id && d.expires_on <= horizon)
            .filter(|d| d.expires_on >= cycle.opens_on || d.status == DenialStatus::Active)
            .collect();
        due.sort_by(|a, b| (a.expires_on, a.id.as_str()).cmp(&(b.expires_on, b.id.as_str())));
        let left = due.iter().filter(|d| d.status == DenialStatus::Active).map(|d| d.id.to_string()).collect();
        cycle.report = Some(CycleReport {
            closed_at: accord_core::now(),
            proposals: Vec::new(),
            feedback: Vec::new(),
            left,
            denials: due.iter().map(|d| (d.id.to_string(), d.status.as_str().to_owned())).collect(),
        });
        self.keep_closed(p, cycle).await
    }

    async fn keep_closed(&self, p: &Principal, mut cycle: ReviewCycle) -> Result<ReviewCycle> {
        cycle.status = CycleStatus::Closed;
        cycle.version += 1;
        let payload = json!({ "report": cycle.report });
        self.keep_shared(p, &cycle, EventKind::ReviewClosed, &cycle.id, payload).await?;
        Ok(cycle)
    }

    /// What the caller's authority must do soon (officials of an authority; admins and auditors see every
    /// authority's): proposals due in its review cycles, cycles to close, votes to cast, proposals waiting for
    /// their next step.
    pub async fn reminders(&self, p: &Principal) -> Result<Vec<Reminder>> {
        crate::authz::require(p, Action::ReadGovernanceDesk)?;
        let authority = crate::user_principal(p).and_then(|u| u.authority_id.as_ref().map(|a| a.to_string()));
        let mut all = accord_core::governance::reminders(
            self.clock.today(),
            &self.all_shared::<ReviewCycle>().await?,
            &self.all_shared::<accord_core::governance::Proposal>().await?,
            &self.all_shared::<accord_core::governance::Vote>().await?,
        );
        if let Some(a) = authority {
            all.retain(|r| r.authority_id == a);
        }
        Ok(all)
    }
}
