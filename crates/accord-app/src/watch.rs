//! The technology watch: each authority keeps a register of technologies mapped to control entries, with
//! indicators whose thresholds are data; running the watch counts each indicator over its window and, when one is
//! crossed, opens a draft proposal to elevate or relax the control and sends it to an expert panel (one open
//! proposal per technology and direction).

use crate::allied::{acting_authority, related_codes};
use crate::authz::Action;
use crate::{App, NewProposal, to_json};
use accord_core::audit::EventKind;
use accord_core::denials::{RiskAssessment, RiskLevel};
use accord_core::governance::{EntryChange, Feedback, FeedbackStatus, Proposal, ProposalStatus, ProposalStepRecord};
use accord_core::principal::Principal;
use accord_core::watch::{Direction, Indicator, Metric, Milestone, Reading, Technology};
use accord_core::{Error, ErrorCode, Result};
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

/// A technology as its authority writes it in the register (a new one, or a new version of one with the same id).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTechnology {
    /// A short id, e.g. `quantum-computing`.
    pub id: String,
    /// Its name.
    pub name: String,
    /// What it is and why it is watched.
    pub description: String,
    /// The capability thresholds that matter.
    #[serde(default)]
    pub capability_thresholds: Vec<String>,
    /// Milestones expected.
    #[serde(default)]
    pub milestones: Vec<Milestone>,
    /// Supply-chain chokepoints.
    #[serde(default)]
    pub chokepoints: Vec<String>,
    /// The control entries it maps to, each on the list in force.
    pub codes: Vec<String>,
    /// Its indicators.
    #[serde(default)]
    pub indicators: Vec<Indicator>,
}

impl App {
    /// Adds a technology to the caller's authority's register, or replaces the one with its id (analysts and
    /// officers). Each control entry must be on the list in force.
    pub async fn keep_technology(&self, p: &Principal, input: NewTechnology) -> Result<Technology> {
        let authority = acting_authority(p, Action::KeepTechnologyWatch)?;
        let existing: Option<Technology> = self.one_shared(authority.as_str(), input.id.trim()).await?;
        let mut codes = Vec::new();
        for (i, c) in input.codes.iter().enumerate() {
            let entry = self.control(c.trim(), None).await.map_err(|e| {
                Error::validation(
                    &format!("codes[{i}]"),
                    format!("{} is not on the list in force: {}", c.trim(), e.message),
                )
            })?;
            codes.push(entry.entry.code.to_string());
        }
        let t = Technology {
            id: input.id.trim().to_owned(),
            authority_id: authority.to_string(),
            name: input.name.trim().to_owned(),
            description: input.description.trim().to_owned(),
            capability_thresholds: input.capability_thresholds,
            milestones: input.milestones,
            chokepoints: input.chokepoints,
            codes,
            indicators: input.indicators,
            updated_by: p.actor(),
            version: existing.map_or(1, |e| e.version + 1),
        };
        t.check()?;
        let payload = json!({ "id": t.id, "codes": t.codes, "indicators": t.indicators.len() });
        self.keep_shared(p, &t, EventKind::TechnologyKept, &t.id, payload).await?;
        Ok(t)
    }

    /// The register: every authority's technologies this node holds (officials), by authority and id.
    pub async fn technologies(&self, p: &Principal) -> Result<Vec<Technology>> {
        crate::authz::require(p, Action::ReadGovernanceDesk)?;
        let mut all: Vec<Technology> = self.all_shared().await?;
        all.sort_by(|a, b| (&a.authority_id, &a.id).cmp(&(&b.authority_id, &b.id)));
        Ok(all)
    }

    /// Counts every indicator of the caller's authority's technologies and opens a draft proposal, with a panel,
    /// for each one crossed that has no open proposal in its direction yet (analysts and officers). Returns every
    /// reading.
    pub async fn run_technology_watch(&self, p: &Principal) -> Result<Vec<Reading>> {
        let authority = acting_authority(p, Action::KeepTechnologyWatch)?;
        self.watch_for(p, authority.as_str()).await
    }

    /// [`App::run_technology_watch`] for this node's own authority (a running node, once a day).
    pub async fn run_technology_watch_as_node(&self) -> Result<Vec<Reading>> {
        let Some(authority) = self.federation().map(|f| f.authority_id.to_string()) else {
            return Ok(Vec::new());
        };
        self.watch_for(&Principal::Operator { name: "node".into() }, &authority).await
    }

    async fn watch_for(&self, p: &Principal, authority: &str) -> Result<Vec<Reading>> {
        let today = self.clock.today();
        let technologies: Vec<Technology> =
            self.all_shared::<Technology>().await?.into_iter().filter(|t| t.authority_id == authority).collect();
        let counts = Counts::gather(self, authority).await?;
        let mut readings = Vec::new();
        for t in &technologies {
            for ind in &t.indicators {
                let since = today.checked_sub(jiff::Span::new().days(i64::from(ind.window_days))).unwrap_or(today);
                let mut r = accord_core::watch::read(&t.id, ind, counts.count(ind.metric, &t.codes, since, today));
                if r.crossed {
                    r.proposal = self.watch_proposal(p, t, &r).await?;
                    if r.proposal.is_none() {
                        r.note = Some(format!(
                            "none of the watched entries ({}) is on the control list in force: no proposal drafted; \
                             keep the technology again with the entries that replaced them",
                            t.codes.join(", ")
                        ));
                    }
                }
                readings.push(r);
            }
        }
        Ok(readings)
    }

    /// The open proposal of a technology in a reading's direction, or a new draft sent to a panel on the first of
    /// its entries still on the list in force; `None` when none of them is.
    async fn watch_proposal(&self, p: &Principal, t: &Technology, r: &Reading) -> Result<Option<String>> {
        let origin = accord_core::watch::origin(&t.authority_id, &t.id, r.indicator.direction);
        let open: Vec<Proposal> = self.all_shared().await?;
        if let Some(x) = open.iter().find(|x| x.origin.as_deref() == Some(origin.as_str()) && !x.status.is_closed()) {
            return Ok(Some(x.key()));
        }
        let mut in_force = None;
        for code in &t.codes {
            match self.control(code, None).await {
                Ok(found) => {
                    in_force = Some((code, found.entry));
                    break;
                }
                Err(e) if e.code == ErrorCode::NotFound => continue,
                Err(e) => return Err(e),
            }
        }
        let Some((code, now)) = in_force else { return Ok(None) };
        let verb = match r.indicator.direction {
            Direction::Elevate => "Elevate",
            Direction::Relax => "Relax",
        };
        let effective =
            self.clock.today().checked_add(jiff::Span::new().days(180)).map_err(|e| Error::internal(e.to_string()))?;
        let input = NewProposal {
            title: format!("{verb} the control of {} ({code})", t.name),
            rationale: format!(
                "The technology watch found {} {} in the last {} days for {} (threshold {}). Capability thresholds \
                 watched: {}. Chokepoints: {}. The expert panel is asked for the new control threshold; the text \
                 below is the one in force until the panel proposes its amendment.",
                r.value,
                r.indicator.metric.as_str().replace('_', " "),
                r.indicator.window_days,
                t.codes.join(", "),
                r.indicator.at_least,
                if t.capability_thresholds.is_empty() {
                    "none given".to_owned()
                } else {
                    t.capability_thresholds.join("; ")
                },
                if t.chokepoints.is_empty() { "none given".to_owned() } else { t.chokepoints.join("; ") },
            ),
            changes: vec![EntryChange {
                op: accord_core::governance::ChangeOp::Rethreshold,
                code: code.clone(),
                title: None,
                text: Some(text_in_force(&now)),
            }],
            policy_changes: Vec::new(),
            effective_date: effective.to_string(),
            rule: None,
            quorum_percent: None,
        };
        let mut x = self.draft_proposal(p, &t.authority_id, input, Some(origin)).await?;
        x.status = ProposalStatus::PanelReview;
        x.steps.push(ProposalStepRecord {
            status: ProposalStatus::PanelReview,
            by: p.actor(),
            at: accord_core::now(),
            reason: format!("the technology watch: {} crossed", r.indicator.metric.as_str()),
        });
        let payload =
            json!({ "technology": t.id, "metric": r.indicator.metric.as_str(), "value": r.value, "proposal": x.key() });
        let authority = accord_core::ids::AuthorityId::parse(&t.authority_id)?;
        let crossed = crate::event(p, Some(&authority), EventKind::WatchCrossed, &t.id, payload);
        let mut mutations = vec![crate::federation::kept(&x, true)];
        mutations.extend(self.publication(&x));
        let created = crate::event(p, Some(&authority), EventKind::ProposalCreated, &x.key(), to_json(&x));
        self.commit_and_notify(mutations, vec![crossed, created]).await?;
        Ok(Some(x.key()))
    }
}

/// The entry's text in force as one line a change may carry (its title when it has no text): the draft's starting
/// point until the panel proposes the new threshold.
fn text_in_force(entry: &accord_controls::ControlEntry) -> String {
    let text = if entry.text.trim().is_empty() { &entry.title } else { &entry.text };
    let line: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    line.split_whitespace().collect::<Vec<_>>().join(" ").chars().take(20_000).collect()
}

/// What the indicators count, read once per run.
struct Counts {
    feedback: Vec<Feedback>,
    applications: Vec<accord_core::cases::Application>,
    denials: Vec<accord_core::denials::Denial>,
    assessments: Vec<RiskAssessment>,
}

impl Counts {
    async fn gather(app: &App, authority: &str) -> Result<Counts> {
        let id = accord_core::ids::AuthorityId::parse(authority)?;
        Ok(Counts {
            feedback: app.all_shared().await?,
            applications: app.store.applications(&accord_store::UserScope::Authority(id)).await?,
            denials: app.store.denials().await?,
            assessments: app.all_shared().await?,
        })
    }

    /// How many of `metric` fall on one of `codes` between `since` and `today`.
    fn count(&self, metric: Metric, codes: &[String], since: jiff::civil::Date, today: jiff::civil::Date) -> u64 {
        let on = |code: &str| codes.iter().any(|c| related_codes(c, code));
        let within = |day: jiff::civil::Date| since <= day && day <= today;
        let n = match metric {
            Metric::FeedbackVolume => self
                .feedback
                .iter()
                .filter(|f| {
                    f.status != FeedbackStatus::Dismissed && on(&f.subject) && within(f.submitted_at.utc_date())
                })
                .count(),
            Metric::LicenceVolume => self
                .applications
                .iter()
                .filter(|a| within(a.created_at.utc_date()))
                .filter(|a| a.transaction.items.iter().any(|i| i.code.as_deref().is_some_and(on)))
                .count(),
            Metric::Denials => {
                self.denials.iter().filter(|d| within(d.date) && d.control_codes.iter().any(|c| on(c))).count()
            }
            Metric::RiskAssessments => self
                .assessments
                .iter()
                .filter(|r| matches!(r.level, RiskLevel::High | RiskLevel::Critical))
                .filter(|r| r.valid_until >= today && within(r.published_at.utc_date()) && on(&r.subject))
                .count(),
        };
        n as u64
    }
}
