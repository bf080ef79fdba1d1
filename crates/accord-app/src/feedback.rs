//! Industry feedback on the controls: exporters report a difficulty, an unintended consequence, a cost or a change
//! they suggest, on a control entry, a rule or a general authorisation; analysts and officers of the exporter's
//! authority triage it with a theme; the counts by subject and theme feed the review of the list.

use crate::authz::{Action, require};
use crate::{App, user_principal};
use accord_core::audit::EventKind;
use accord_core::governance::{Feedback, FeedbackKind, FeedbackStatus};
use accord_core::principal::Principal;
use accord_core::{Error, ErrorCode, Result};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// Feedback as the exporter sends it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewFeedback {
    /// A control code (`3A001`), a rule or a general authorisation (`EU001`).
    pub subject: String,
    /// What it reports.
    pub kind: FeedbackKind,
    /// In the exporter's words (at most 5,000 characters).
    pub text: String,
    /// The estimated yearly cost, in euros.
    #[serde(default)]
    pub estimated_cost_eur: Option<u64>,
}

/// An analyst's reading of a piece of feedback.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Triage {
    /// `triaged` (with a theme) or `dismissed`.
    pub status: FeedbackStatus,
    /// The theme it belongs to, e.g. "unclear wording".
    #[serde(default)]
    pub theme: Option<String>,
}

/// The feedback on one subject, counted.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct FeedbackCount {
    /// The control code, rule or authorisation.
    pub subject: String,
    /// Pieces of feedback, dismissed ones left out.
    pub total: usize,
    /// By kind.
    pub by_kind: BTreeMap<String, usize>,
    /// By theme, for those triaged.
    pub by_theme: BTreeMap<String, usize>,
    /// The sum of the estimated yearly costs given, in euros.
    pub estimated_cost_eur: u64,
}

impl App {
    /// Records an exporter's feedback for their organisation; it goes to their authority and the allies.
    pub async fn give_feedback(&self, p: &Principal, input: NewFeedback) -> Result<Feedback> {
        require(p, Action::GiveFeedback)?;
        let u = user_principal(p).ok_or_else(|| Error::forbidden("only an exporter gives feedback"))?;
        let org_id =
            u.organisation_id.clone().ok_or_else(|| Error::forbidden("this exporter belongs to no organisation"))?;
        let org = self.organisation(p, org_id.as_str()).await?;
        let subject = accord_core::model::parse_name("subject", &input.subject)?;
        if subject.chars().count() > 100 {
            return Err(Error::validation("subject", "subject is a code or an id of at most 100 characters"));
        }
        let f = Feedback {
            id: accord_core::ids::generate_id("fbk"),
            authority_id: org.authority_id.to_string(),
            organisation_id: org.id.to_string(),
            subject: subject.to_ascii_uppercase(),
            kind: input.kind,
            text: accord_core::model::parse_text("text", &input.text, 5000)?,
            estimated_cost_eur: input.estimated_cost_eur,
            submitted_by: p.actor(),
            submitted_at: accord_core::now(),
            status: FeedbackStatus::New,
            theme: None,
            triaged_by: None,
            proposal: None,
            version: 1,
        };
        let payload = json!({ "subject": f.subject, "kind": f.kind.as_str() });
        self.keep_shared(p, &f, EventKind::FeedbackGiven, &f.id, payload).await?;
        Ok(f)
    }

    /// The feedback the caller may see: officials see all of it; an exporter their organisation's. Newest first.
    pub async fn feedback(&self, p: &Principal) -> Result<Vec<Feedback>> {
        crate::scope_of(p)?;
        let mut all: Vec<Feedback> = self.all_shared().await?;
        if let Some(u) = user_principal(p).filter(|u| u.role == accord_core::model::Role::Exporter) {
            let mine = u.organisation_id.as_ref().map(|o| o.to_string());
            all.retain(|f| Some(&f.organisation_id) == mine.as_ref());
        }
        all.sort_by_key(|f| std::cmp::Reverse(f.submitted_at));
        Ok(all)
    }

    /// Triages a piece of feedback (analysts and officers of the exporter's authority): a theme, or dismissed.
    pub async fn triage_feedback(&self, p: &Principal, id: &str, triage: Triage) -> Result<Feedback> {
        require(p, Action::TriageFeedback)?;
        let authority = user_principal(p)
            .and_then(|u| u.authority_id.clone())
            .ok_or_else(|| Error::forbidden("only an authority's analysts and officers triage feedback"))?;
        let mut f: Feedback =
            self.one_shared(authority.as_str(), id).await?.ok_or_else(|| Error::not_found("feedback", id))?;
        if f.status != FeedbackStatus::New {
            return Err(Error::new(ErrorCode::Conflict, format!("feedback {id} is {} already", f.status.as_str())));
        }
        match (triage.status, triage.theme.as_deref().map(str::trim).filter(|t| !t.is_empty())) {
            (FeedbackStatus::Triaged, Some(theme)) => f.theme = Some(accord_core::model::parse_name("theme", theme)?),
            (FeedbackStatus::Triaged, None) => {
                return Err(Error::validation("theme", "a triaged piece of feedback has a theme"));
            }
            (FeedbackStatus::Dismissed, _) => {}
            (FeedbackStatus::New, _) => return Err(Error::validation("status", "triage to triaged or dismissed")),
        }
        f.status = triage.status;
        f.triaged_by = Some(p.actor());
        f.version += 1;
        let payload = json!({ "status": f.status.as_str(), "theme": f.theme });
        self.keep_shared(p, &f, EventKind::FeedbackTriaged, &f.id, payload).await?;
        Ok(f)
    }

    /// Turns a piece of feedback into a draft proposal (officers and panel members of its authority): the proposal
    /// names the feedback as its origin and the feedback names the proposal, in one commit. Dismissed feedback, or
    /// feedback taken up already, is refused.
    pub async fn propose_from_feedback(
        &self,
        p: &Principal,
        id: &str,
        input: crate::NewProposal,
    ) -> Result<accord_core::governance::Proposal> {
        let authority = crate::allied::acting_authority(p, Action::DraftProposals)?;
        let mut f: Feedback =
            self.one_shared(authority.as_str(), id).await?.ok_or_else(|| Error::not_found("feedback", id))?;
        if f.status == FeedbackStatus::Dismissed {
            return Err(Error::new(ErrorCode::Conflict, format!("feedback {id} was dismissed")));
        }
        if let Some(x) = &f.proposal {
            return Err(Error::new(ErrorCode::AlreadyExists, format!("feedback {id} became proposal {x} already")));
        }
        let origin = format!("feedback {}:{}", f.authority_id, f.id);
        let x = self.draft_proposal(p, authority.as_str(), input, Some(origin)).await?;
        f.proposal = Some(x.key());
        f.version += 1;
        let mut more = vec![crate::federation::kept(&f, true)];
        more.extend(self.publication(&f));
        self.save_shared(p, &x, EventKind::ProposalCreated, &x.key(), crate::to_json(&x), more).await?;
        Ok(x)
    }

    /// The feedback counted by subject (officials), most reported first: by kind, by theme, and the costs given.
    pub async fn feedback_summary(&self, p: &Principal) -> Result<Vec<FeedbackCount>> {
        require(p, Action::TriageFeedback).or_else(|_| require(p, Action::ProposeListChanges))?;
        let mut by_subject: BTreeMap<String, FeedbackCount> = BTreeMap::new();
        for f in self.feedback(p).await?.into_iter().filter(|f| f.status != FeedbackStatus::Dismissed) {
            let c = by_subject.entry(f.subject.clone()).or_insert_with(|| FeedbackCount {
                subject: f.subject.clone(),
                total: 0,
                by_kind: BTreeMap::new(),
                by_theme: BTreeMap::new(),
                estimated_cost_eur: 0,
            });
            c.total += 1;
            *c.by_kind.entry(f.kind.as_str().to_owned()).or_default() += 1;
            if let Some(t) = &f.theme {
                *c.by_theme.entry(t.clone()).or_default() += 1;
            }
            c.estimated_cost_eur = c.estimated_cost_eur.saturating_add(f.estimated_cost_eur.unwrap_or(0));
        }
        let mut all: Vec<FeedbackCount> = by_subject.into_values().collect();
        all.sort_by(|a, b| b.total.cmp(&a.total).then_with(|| a.subject.cmp(&b.subject)));
        Ok(all)
    }
}
