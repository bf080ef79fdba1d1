//! `accord proposals …`: proposals that change the control list, their steps, comments, votes and closing.

use crate::cli::{FeedbackCommand, ProposalsCommand, ReviewsCommand, WatchCommand};
use crate::commands::{print_json, service};
use accord_app::{App, NewVote, StepInput};
use accord_core::governance::{Affiliation, FeedbackKind, FeedbackStatus, ProposalStep, Stance, VoteChoice};
use accord_core::principal::Principal;
use anyhow::{Context, Result, anyhow};

/// A closed-set value named on the command line, or the names it may take.
pub(crate) fn named<T>(
    what: &str,
    value: &str,
    parse: fn(&str) -> Option<T>,
    names: fn() -> Vec<&'static str>,
) -> Result<T> {
    parse(value).ok_or_else(|| anyhow!("'{value}' is not a {what} (one of: {})", names().join(", ")))
}

/// A JSON file read into what a command takes, or a message naming the file.
pub(crate) fn read_json<T: serde::de::DeserializeOwned>(path: &std::path::Path, what: &str) -> Result<T> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| anyhow!("{}: not {what}: {e}", path.display()))
}

/// Runs one `proposals` command.
pub async fn proposals(app: &App, p: &Principal, command: ProposalsCommand) -> Result<()> {
    match command {
        ProposalsCommand::List => crate::output::list(
            &service(app.proposals(p).await)?,
            &["key", "status", "effective", "changes", "title"],
            |x| {
                vec![
                    x.key(),
                    x.status.as_str().to_owned(),
                    x.effective_date.to_string(),
                    x.changes.len().to_string(),
                    x.title.clone(),
                ]
            },
        ),
        ProposalsCommand::Show { key } => print_json(&service(app.proposal(p, &key).await)?),
        ProposalsCommand::Propose { input } => {
            print_json(&service(app.propose(p, read_json(&input, "a proposal")?).await)?)
        }
        ProposalsCommand::Step { key, step, reason, comment_from, comment_until, response, vote_until } => {
            let step = named("step", &step, ProposalStep::parse, ProposalStep::names)?;
            let input = StepInput {
                reason,
                comment_from,
                comment_until,
                comment_response: response,
                vote_until,
                members: None,
            };
            print_json(&service(app.step_proposal(p, &key, step, input).await)?)
        }
        ProposalsCommand::Comments { key } => crate::output::list(
            &service(app.comments(p, &key).await)?,
            &["id", "status", "from", "received", "text"],
            |c| {
                vec![
                    c.id.clone(),
                    c.status.as_str().to_owned(),
                    c.respondent_type.as_str().to_owned(),
                    c.received_at.to_string(),
                    c.text.chars().take(60).collect(),
                ]
            },
        ),
        ProposalsCommand::Moderate { id, refuse } => print_json(&service(app.moderate(p, &id, !refuse).await)?),
        ProposalsCommand::Vote { key, choice, reason } => {
            let choice = named("vote", &choice, VoteChoice::parse, VoteChoice::names)?;
            print_json(&service(app.vote(p, &key, NewVote { choice, reason }).await)?)
        }
        ProposalsCommand::Opinions { key } => print_json(&service(app.opinions(p, &key).await)?),
        ProposalsCommand::Opine { key, stance, affiliation, interests, text } => {
            let input = accord_app::NewOpinion {
                affiliation: named("affiliation", &affiliation, Affiliation::parse, Affiliation::names)?,
                conflict_of_interest: interests,
                stance: named("stance", &stance, Stance::parse, Stance::names)?,
                text,
            };
            print_json(&service(app.give_opinion(p, &key, input).await)?)
        }
        ProposalsCommand::Close { key } => print_json(&service(app.close_vote(p, &key).await)?),
        ProposalsCommand::Impact { key, limit } => {
            // As a determination does, a node without policies stores the built-in set first.
            service(app.ensure_policies(&Principal::Operator { name: "node".into() }).await)?;
            print_json(&service(app.impact(p, &key, limit).await)?)
        }
    }
}

/// Runs one `feedback` command.
pub async fn feedback(app: &App, p: &Principal, command: FeedbackCommand) -> Result<()> {
    match command {
        FeedbackCommand::List => crate::output::list(
            &service(app.feedback(p).await)?,
            &["id", "subject", "kind", "status", "theme", "submitted"],
            |f| {
                vec![
                    f.id.clone(),
                    f.subject.clone(),
                    f.kind.as_str().to_owned(),
                    f.status.as_str().to_owned(),
                    crate::output::cell(f.theme.as_ref()),
                    f.submitted_at.to_string(),
                ]
            },
        ),
        FeedbackCommand::Give { subject, kind, text, cost } => {
            let kind = named("kind", &kind, FeedbackKind::parse, FeedbackKind::names)?;
            let input = accord_app::NewFeedback { subject, kind, text, estimated_cost_eur: cost };
            print_json(&service(app.give_feedback(p, input).await)?)
        }
        FeedbackCommand::Triage { id, theme, dismiss } => {
            let status = if dismiss { FeedbackStatus::Dismissed } else { FeedbackStatus::Triaged };
            print_json(&service(app.triage_feedback(p, &id, accord_app::Triage { status, theme }).await)?)
        }
        FeedbackCommand::Propose { id, input } => {
            print_json(&service(app.propose_from_feedback(p, &id, read_json(&input, "a proposal")?).await)?)
        }
        FeedbackCommand::Summary => crate::output::list(
            &service(app.feedback_summary(p).await)?,
            &["subject", "total", "cost_eur", "themes"],
            |c| {
                let themes: Vec<String> = c.by_theme.iter().map(|(t, n)| format!("{t} ({n})")).collect();
                vec![c.subject.clone(), c.total.to_string(), c.estimated_cost_eur.to_string(), themes.join("; ")]
            },
        ),
    }
}

/// Runs one `reviews` command.
pub async fn reviews(app: &App, p: &Principal, command: ReviewsCommand) -> Result<()> {
    match command {
        ReviewsCommand::List => crate::output::list(
            &service(app.review_cycles(p).await)?,
            &["id", "status", "opens", "proposals_due", "closes", "title"],
            |c| {
                vec![
                    c.id.clone(),
                    c.status.as_str().to_owned(),
                    c.opens_on.to_string(),
                    c.proposals_due.to_string(),
                    c.closes_on.to_string(),
                    c.title.clone(),
                ]
            },
        ),
        ReviewsCommand::Run { schedule } => {
            let schedules: Vec<accord_core::governance::ReviewSchedule> = read_json(&schedule, "a review schedule")?;
            print_json(&service(app.run_review_schedule(p, &schedules).await)?)
        }
        ReviewsCommand::Close { id } => print_json(&service(app.close_review_cycle(p, &id).await)?),
        ReviewsCommand::Reminders => crate::output::list(
            &service(app.reminders(p).await)?,
            &["due", "authority", "role", "subject", "what"],
            |r| vec![r.due.to_string(), r.authority_id.clone(), r.role.clone(), r.subject.clone(), r.what.clone()],
        ),
    }
}

/// Runs one `watch` command.
pub async fn watch(app: &App, p: &Principal, command: WatchCommand) -> Result<()> {
    match command {
        WatchCommand::List => crate::output::list(
            &service(app.technologies(p).await)?,
            &["authority", "id", "codes", "indicators", "name"],
            |t| {
                vec![
                    t.authority_id.clone(),
                    t.id.clone(),
                    t.codes.join(" "),
                    t.indicators.len().to_string(),
                    t.name.clone(),
                ]
            },
        ),
        WatchCommand::Keep { input } => {
            print_json(&service(app.keep_technology(p, read_json(&input, "a technology")?).await)?)
        }
        WatchCommand::Run => crate::output::list(
            &service(app.run_technology_watch(p).await)?,
            &["technology", "metric", "value", "at_least", "direction", "proposal"],
            |r| {
                vec![
                    r.technology.clone(),
                    r.indicator.metric.as_str().to_owned(),
                    r.value.to_string(),
                    r.indicator.at_least.to_string(),
                    r.indicator.direction.as_str().to_owned(),
                    crate::output::cell(r.proposal.as_ref()),
                ]
            },
        ),
    }
}
