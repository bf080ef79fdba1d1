//! Governance of the control list on one node, on SQLite and PostgreSQL: a proposal from draft through public
//! comment (moderated, with abuse refused) and the allies' vote to the next version of the list, which takes
//! effect on its day; each step refused where its state or the caller does not allow it.

use crate::support::*;
use accord_app::{Clock, NewComment, NewProposal, NewVote, StepInput};
use accord_controls::ControlCode;
use accord_core::ErrorCode;
use accord_core::determination::Outcome;
use accord_core::governance::{DecisionRule, ProposalKind, ProposalStatus, ProposalStep, RespondentType, VoteChoice};
use accord_core::principal::Principal;
use accord_store::Backend;
use serde_json::json;
use std::sync::Arc;

fn proposal(changes: serde_json::Value, effective: jiff::civil::Date) -> NewProposal {
    serde_json::from_value(json!({
        "title": "Raise the 3A001 frequency threshold",
        "rationale": "Commercial parts now reach the old threshold; the control catches ordinary lab equipment.",
        "changes": changes,
        "effective_date": effective.to_string(),
    }))
    .unwrap()
}

fn comment(text: &str) -> NewComment {
    NewComment { respondent_type: RespondentType::Sme, name: None, organisation: None, text: text.into() }
}

fn vote(choice: VoteChoice) -> NewVote {
    NewVote { choice, reason: "as instructed by the ministry".into() }
}

async fn a_proposal_goes_through_comment_and_vote_to_the_next_version_of_the_list(backend: Backend) {
    let w = world(backend).await;
    let clock = Arc::new(Clock::default());
    let app = w.app.clone().with_clock(clock.clone());
    let op = operator();
    let fr = serde_json::from_value(
        json!({"id": "FR-SBDU", "name": "SBDU", "jurisdiction": "EU", "country": "FR", "time_zone": "Europe/Paris"}),
    )
    .unwrap();
    app.create_authority(&op, fr).await.unwrap();
    let senior_us = user(&app, "senior_officer", "s@bis.example", Some("US-BIS"), None).await;
    let senior_fr = user(&app, "senior_officer", "s@sbdu.example", Some("FR-SBDU"), None).await;
    let d0 = clock.today();
    let effective = d0.checked_add(jiff::Span::new().days(40)).unwrap();
    let after = |days: i64| d0.checked_add(jiff::Span::new().days(days)).unwrap().to_string();
    let new_text = "Electronic items above 90 GHz, as follows: …";
    let changes = json!([
        {"op": "rethreshold", "code": "3A001", "text": new_text},
        {"op": "add", "code": "3A777", "title": "Spray cooling systems", "text": "Spray cooling thermal management"},
    ]);

    // Proposing: only officers, and only changes the list in force can take.
    let unknown = app.propose(&w.officer_de, proposal(json!([{"op": "remove", "code": "9E999"}]), effective)).await;
    assert_eq!(unknown.unwrap_err().details.unwrap()["field"], "changes[0].code");
    let exporter = app.propose(&w.exporter, proposal(changes.clone(), effective)).await.unwrap_err();
    assert_eq!(exporter.code, ErrorCode::Forbidden);
    let x = app.propose(&w.officer_de, proposal(changes, effective)).await.unwrap();
    let key = x.key();
    assert_eq!((x.status, x.base_version), (ProposalStatus::Draft, 1));

    // The impact preview determines recent applications again under the proposed list.
    let applied = app.create_application(&w.exporter, application("CN", json!("3A001.a.1"), 5000.0), None, true).await;
    let applied = applied.unwrap().application.id.to_string();
    let impact = app.impact(&w.officer_de, &key, 100).await.unwrap();
    let a = &impact.applications;
    assert_eq!((a.determined, a.flips.len(), a.skipped), (1, 0, 0), "a new text changes no answer");
    assert!(impact.suite.determined > 100 && impact.suite.flips.is_empty(), "the suite is determined, unchanged");
    let removal = proposal(json!([{"op": "remove", "code": "3A001"}]), effective);
    let removal = app.propose(&w.officer_de, removal).await.unwrap().key();
    let impact = app.impact(&w.officer_de, &removal, 100).await.unwrap();
    assert_eq!(impact.applications.no_longer_listed, [applied], "the application's item leaves the list");
    assert!(
        impact.suite.no_longer_listed.iter().any(|c| c.contains("Annex I item")),
        "suite cases with 3A001 items leave the list too: {:?}",
        impact.suite.no_longer_listed
    );
    app.step_proposal(&w.officer_de, &removal, ProposalStep::Withdraw, StepInput::default()).await.unwrap();
    assert!(app.proposals(&Principal::Anonymous).await.unwrap().is_empty(), "a draft is not public");
    let early = app.comment(&Principal::Anonymous, &key, comment("too early")).await.unwrap_err();
    assert_eq!(early.code, ErrorCode::NotFound);

    // An expert panel advises on the draft; each member once, with their interests declared.
    let panel = user(&app, "panel_member", "expert@uni.example", None, None).await;
    let opinion = |stance| accord_app::NewOpinion {
        affiliation: accord_core::governance::Affiliation::Academia,
        conflict_of_interest: "none".into(),
        stance,
        text: "Raise it to 90 GHz, as proposed.".into(),
    };
    let too_soon = app.give_opinion(&panel, &key, opinion(accord_core::governance::Stance::Support)).await;
    assert_eq!(too_soon.unwrap_err().code, ErrorCode::ProposalState, "a draft goes to a panel first");
    app.step_proposal(&w.officer_de, &key, ProposalStep::ToPanel, StepInput::default()).await.unwrap();
    app.give_opinion(&panel, &key, opinion(accord_core::governance::Stance::Support)).await.unwrap();
    let twice = app.give_opinion(&panel, &key, opinion(accord_core::governance::Stance::Oppose)).await.unwrap_err();
    assert_eq!(twice.code, ErrorCode::AlreadyExists);
    assert_eq!(
        app.give_opinion(&w.officer_de, &key, opinion(accord_core::governance::Stance::Support))
            .await
            .unwrap_err()
            .code,
        ErrorCode::Forbidden
    );
    assert_eq!(
        app.opinions(&Principal::Anonymous, &key).await.unwrap_err().code,
        ErrorCode::NotFound,
        "not public yet"
    );

    // Public comment: the window, moderation, abuse refused.
    let window = StepInput { comment_until: Some(after(7)), reason: "first reading".into(), ..Default::default() };
    let x = app.step_proposal(&w.officer_de, &key, ProposalStep::OpenComment, window).await.unwrap();
    assert_eq!(x.status, ProposalStatus::PublicComment);
    let public = app.proposals(&Principal::Anonymous).await.unwrap();
    assert_eq!(public.len(), 1, "published for comment, the proposal is public");
    assert_eq!(app.opinions(&Principal::Anonymous, &key).await.unwrap().len(), 1, "and its panel's opinion");
    let c = app.comment(&Principal::Anonymous, &key, comment("The new threshold spares our lab kit.")).await.unwrap();
    assert!(app.comments(&Principal::Anonymous, &key).await.unwrap().is_empty(), "waiting for moderation");
    for (bad, code) in [
        ("x".repeat(5001), ErrorCode::CommentRefused),
        ("<script>alert(1)</script>".to_owned(), ErrorCode::CommentRefused),
        ("The new threshold spares our lab kit.".to_owned(), ErrorCode::AlreadyExists),
    ] {
        assert_eq!(app.comment(&Principal::Anonymous, &key, comment(&bad)).await.unwrap_err().code, code);
    }
    let other = app.moderate(&senior_us, &c.id, true).await.unwrap_err();
    assert_eq!(other.code, ErrorCode::NotFound, "only the receiving authority moderates");
    app.moderate(&w.officer_de, &c.id, true).await.unwrap();
    let published = app.comments(&Principal::Anonymous, &key).await.unwrap();
    assert_eq!(published.len(), 1);
    assert_eq!(app.moderate(&w.officer_de, &c.id, false).await.unwrap_err().code, ErrorCode::Conflict);

    // The vote opens after the window, with a response to the comments.
    let vote_input = |response: Option<&str>| StepInput {
        comment_response: response.map(str::to_owned),
        vote_until: Some(after(20)),
        ..Default::default()
    };
    let open = app.step_proposal(&w.officer_de, &key, ProposalStep::OpenVote, vote_input(Some("Noted."))).await;
    assert_eq!(open.unwrap_err().code, ErrorCode::ProposalState, "the window is still open");
    clock.set(Some(d0.checked_add(jiff::Span::new().days(8)).unwrap()));
    let late = app.comment(&Principal::Anonymous, &key, comment("one more thought")).await.unwrap_err();
    assert_eq!(late.code, ErrorCode::CommentWindowClosed);
    let silent = app.step_proposal(&w.officer_de, &key, ProposalStep::OpenVote, vote_input(None)).await;
    assert_eq!(silent.unwrap_err().details.unwrap()["field"], "comment_response");
    let response = Some("Laboratories: the threshold is raised as they asked.");
    let x = app.step_proposal(&w.officer_de, &key, ProposalStep::OpenVote, vote_input(response)).await.unwrap();
    assert_eq!(x.members, ["DE-BAFA", "FR-SBDU", "US-BIS"], "every authority of the node");
    assert_eq!(
        app.step_proposal(&w.officer_de, &key, ProposalStep::Withdraw, StepInput::default()).await.unwrap_err().code,
        ErrorCode::ProposalState,
        "a vote under way is not withdrawn"
    );

    // Votes: senior officers, once per authority; closing waits for every member or the deadline.
    assert_eq!(app.vote(&w.officer_de, &key, vote(VoteChoice::For)).await.unwrap_err().code, ErrorCode::Forbidden);
    app.vote(&w.senior_de, &key, vote(VoteChoice::For)).await.unwrap();
    let twice = app.vote(&w.senior_de_2, &key, vote(VoteChoice::Against)).await.unwrap_err();
    assert_eq!(twice.code, ErrorCode::VoteRefused, "BAFA voted already");
    assert_eq!(app.close_vote(&w.officer_de, &key).await.unwrap_err().code, ErrorCode::ProposalState);
    app.vote(&senior_fr, &key, vote(VoteChoice::For)).await.unwrap();
    app.vote(&senior_us, &key, vote(VoteChoice::Abstain)).await.unwrap();
    let x = app.close_vote(&w.officer_de, &key).await.unwrap();
    let t = x.tally.clone().unwrap();
    assert_eq!((x.status, t.for_votes, t.against, t.abstain, t.adopted), (ProposalStatus::Adopted, 2, 0, 1, true));
    assert_eq!(x.adopted_version, Some(2));

    // The new version takes effect on its day; before it, the old text answers.
    let code = ControlCode::parse("3A001").unwrap();
    let before = app.control(code.to_string().as_str(), Some(&after(39))).await.unwrap();
    assert_ne!(before.entry.text, new_text);
    let on_the_day = app.control(code.to_string().as_str(), Some(&effective.to_string())).await.unwrap();
    assert_eq!(on_the_day.entry.text, new_text);
    assert!(app.control("3A777", Some(&effective.to_string())).await.is_ok());
    let versions = app.control_versions().await.unwrap();
    assert!(versions[1].rationale.contains(&key), "the version names the proposal: {}", versions[1].rationale);

    let kinds: Vec<String> = app
        .audit_events(&op, 0, 1000)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .filter(|k| {
            k.starts_with("proposal.")
                || k.starts_with("comment.")
                || k.starts_with("vote.")
                || k.starts_with("opinion.")
                || k == "controls.imported"
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "controls.imported",
            "proposal.created",
            "proposal.created",
            "proposal.stepped",
            "proposal.stepped",
            "opinion.given",
            "proposal.stepped",
            "comment.received",
            "comment.moderated",
            "proposal.stepped",
            "vote.cast",
            "vote.cast",
            "vote.cast",
            "proposal.closed",
            "controls.imported"
        ]
    );
}

async fn exporters_feedback_is_triaged_by_their_authority_and_counted_by_subject(backend: Backend) {
    let w = world(backend).await;
    let feedback = |subject: &str, kind: &str, cost: Option<u64>| -> accord_app::NewFeedback {
        serde_json::from_value(json!({
            "subject": subject, "kind": kind, "text": "Hard to tell whether our modules fall under it.",
            "estimated_cost_eur": cost,
        }))
        .unwrap()
    };
    let a = w.app.give_feedback(&w.exporter, feedback("3a001", "difficulty", None)).await.unwrap();
    assert_eq!(a.subject, "3A001");
    let b = w.app.give_feedback(&w.exporter, feedback("3A001", "cost", Some(40_000))).await.unwrap();
    let c = w.app.give_feedback(&w.other_exporter, feedback("5A002", "unintended_consequence", None)).await.unwrap();
    let officer_gives = w.app.give_feedback(&w.officer_de, feedback("3A001", "cost", None)).await.unwrap_err();
    assert_eq!(officer_gives.code, ErrorCode::Forbidden);
    let own: Vec<String> = w.app.feedback(&w.exporter).await.unwrap().into_iter().map(|f| f.id).collect();
    assert_eq!(own, [b.id.clone(), a.id.clone()], "an exporter sees its organisation's feedback, newest first");

    let triage = |status: &str, theme: Option<&str>| -> accord_app::Triage {
        serde_json::from_value(json!({"status": status, "theme": theme})).unwrap()
    };
    let elsewhere = w.app.triage_feedback(&w.officer_us, &a.id, triage("triaged", Some("unclear wording"))).await;
    assert_eq!(elsewhere.unwrap_err().code, ErrorCode::NotFound, "only the exporter's authority triages");
    let themeless = w.app.triage_feedback(&w.officer_de, &a.id, triage("triaged", None)).await.unwrap_err();
    assert_eq!(themeless.details.unwrap()["field"], "theme");
    w.app.triage_feedback(&w.officer_de, &a.id, triage("triaged", Some("unclear wording"))).await.unwrap();
    w.app.triage_feedback(&w.officer_de, &b.id, triage("triaged", Some("unclear wording"))).await.unwrap();
    w.app.triage_feedback(&w.officer_de, &c.id, triage("dismissed", None)).await.unwrap();
    let again = w.app.triage_feedback(&w.officer_de, &c.id, triage("dismissed", None)).await.unwrap_err();
    assert_eq!(again.code, ErrorCode::Conflict);

    let summary = w.app.feedback_summary(&w.officer_de).await.unwrap();
    assert_eq!(summary.len(), 1, "dismissed feedback is not counted: {summary:?}");
    assert_eq!((summary[0].subject.as_str(), summary[0].total, summary[0].estimated_cost_eur), ("3A001", 2, 40_000));
    assert_eq!(summary[0].by_theme["unclear wording"], 2);
    assert_eq!(w.app.feedback_summary(&w.exporter).await.unwrap_err().code, ErrorCode::Forbidden);
}

async fn a_review_cycle_opens_on_its_schedule_once_and_reports_what_was_left(backend: Backend) {
    let w = world(backend).await;
    let clock = Arc::new(Clock::default());
    let app = w.app.clone().with_clock(clock.clone());
    let d0 = clock.today();
    let schedule: Vec<accord_core::governance::ReviewSchedule> = serde_json::from_value(json!([{
        "title": "Annual review of category 3", "category": 3, "every_months": 12,
        "first_opens_on": d0.to_string(), "proposals_within_days": 10, "closes_within_days": 30,
    }]))
    .unwrap();
    let bad: Vec<accord_core::governance::ReviewSchedule> =
        serde_json::from_value(json!([{"title": "x", "every_months": 0, "first_opens_on": d0.to_string(),
            "proposals_within_days": 10, "closes_within_days": 30}]))
        .unwrap();
    let refused = app.run_review_schedule(&w.officer_de, &bad).await.unwrap_err();
    assert_eq!(refused.details.unwrap()["field"], "schedules[0].every_months");
    let opened = app.run_review_schedule(&w.officer_de, &schedule).await.unwrap();
    assert_eq!(opened.len(), 1);
    assert!(app.run_review_schedule(&w.officer_de, &schedule).await.unwrap().is_empty(), "a cycle opens once");
    let id = opened[0].id.clone();

    let feedback = |subject: &str| -> accord_app::NewFeedback {
        serde_json::from_value(json!({"subject": subject, "kind": "difficulty", "text": "Hard to classify."})).unwrap()
    };
    for subject in ["3A001", "3A002", "5A002"] {
        app.give_feedback(&w.exporter, feedback(subject)).await.unwrap();
    }
    let changes = json!([{"op": "amend", "code": "3A001", "title": "Electronic items, clarified"}]);
    let effective = d0.checked_add(jiff::Span::new().days(90)).unwrap();
    let key = app.propose(&w.officer_de, proposal(changes, effective)).await.unwrap().key();

    let early = app.close_review_cycle(&w.officer_de, &id).await.unwrap_err();
    assert_eq!(early.code, ErrorCode::Conflict, "proposals are still due");
    clock.set(Some(d0.checked_add(jiff::Span::new().days(11)).unwrap()));
    let closed = app.close_review_cycle(&w.officer_de, &id).await.unwrap();
    let report = closed.report.unwrap();
    assert_eq!(report.proposals, [(key, ProposalStatus::Draft)]);
    assert_eq!(report.feedback, [("3A001".to_owned(), 1), ("3A002".to_owned(), 1)], "category 3 only");
    assert_eq!(report.left, ["3A002"], "feedback no proposal took up");
    assert_eq!(app.close_review_cycle(&w.officer_de, &id).await.unwrap_err().code, ErrorCode::Conflict);
    assert_eq!(app.review_cycles(&w.exporter).await.unwrap_err().code, ErrorCode::Forbidden);
}

/// Opens a proposal for comment on `d0` only and, the next day, for the vote until ten days after `d0`.
async fn to_the_vote(app: &accord_app::App, officer: &Principal, key: &str, clock: &Clock, d0: jiff::civil::Date) {
    clock.set(Some(d0));
    let window = StepInput { comment_until: Some(d0.to_string()), ..Default::default() };
    app.step_proposal(officer, key, ProposalStep::OpenComment, window).await.unwrap();
    clock.set(Some(d0.checked_add(jiff::Span::new().days(1)).unwrap()));
    let vote_input = StepInput {
        comment_response: Some("No comments were received.".into()),
        vote_until: Some(d0.checked_add(jiff::Span::new().days(10)).unwrap().to_string()),
        ..Default::default()
    };
    app.step_proposal(officer, key, ProposalStep::OpenVote, vote_input).await.unwrap();
}

/// A proposal that adds a coalition red line: no listed item to Iran.
fn red_line(rule: Option<&str>, effective: jiff::civil::Date) -> NewProposal {
    let body = "outcome = \"prohibited\"\ncitation = \"UNSCR 2231 (2015), as the members agreed\"\n\
                summary = \"no listed item is supplied to Iran\"\nwhen.item = \"listed\"\nwhen.destinations = [\"IR\"]";
    serde_json::from_value(json!({
        "title": "A red line on Iran",
        "rationale": "The members agree that no listed item is supplied to Iran.",
        "policy_changes": [{"op": "set_rule", "file": "coalition.toml", "id": "coalition.iran", "body": body}],
        "effective_date": effective.to_string(),
        "rule": rule,
    }))
    .unwrap()
}

async fn a_red_line_is_decided_by_consensus_and_becomes_the_next_policy_version_on_its_day(backend: Backend) {
    let w = world(backend).await;
    let clock = Arc::new(Clock::default());
    let app = w.app.clone().with_clock(clock.clone());
    let senior_us = user(&app, "senior_officer", "s@bis.example", Some("US-BIS"), None).await;
    let panel = user(&app, "panel_member", "panel@bafa.example", Some("DE-BAFA"), None).await;
    let d0 = clock.today();
    let after = |days: i64| d0.checked_add(jiff::Span::new().days(days)).unwrap();
    let effective = after(30);

    // A red line is decided by consensus: asking for less is refused; an expert panel may draft it.
    let weak = app.propose(&w.officer_de, red_line(Some("simple_majority"), effective)).await.unwrap_err();
    assert_eq!(weak.details.unwrap()["field"], "rule", "{}", weak.message);
    let x = app.propose(&panel, red_line(None, effective)).await.unwrap();
    assert_eq!((x.kind, x.rule), (ProposalKind::RedLine, DecisionRule::Consensus));
    let step = app.step_proposal(&panel, &x.key(), ProposalStep::ToPanel, StepInput::default()).await;
    assert_eq!(step.unwrap_err().code, ErrorCode::Forbidden, "officers take the steps of a panel's draft");

    // The impact preview names the application whose answer the red line would change.
    let to_iran = app.create_application(&w.exporter, application("IR", json!("3A001.a.1"), 5000.0), None, true);
    let to_iran = to_iran.await.unwrap().application.id.to_string();
    let impact = app.impact(&w.officer_de, &x.key(), 100).await.unwrap();
    let flip = impact.applications.flips.iter().find(|f| f.subject == to_iran).expect("the application to Iran flips");
    assert_eq!(flip.after, Outcome::Prohibited);

    // Through comment to the vote: one member against blocks it.
    let first = x.key();
    to_the_vote(&app, &w.officer_de, &first, &clock, d0).await;
    app.vote(&w.senior_de, &first, vote(VoteChoice::For)).await.unwrap();
    app.vote(&senior_us, &first, vote(VoteChoice::Against)).await.unwrap();
    let blocked = app.close_vote(&w.officer_de, &first).await.unwrap();
    assert_eq!((blocked.status, blocked.adopted_policy_version), (ProposalStatus::Rejected, None));
    assert_eq!(app.policy_versions().await.unwrap().len(), 1, "a rejected red line makes no version");

    // Proposed again, every member agrees (one abstains): the next policy version, in force from its day.
    clock.set(None);
    let second = app.propose(&w.officer_de, red_line(None, effective)).await.unwrap().key();
    to_the_vote(&app, &w.officer_de, &second, &clock, d0).await;
    app.vote(&w.senior_de, &second, vote(VoteChoice::For)).await.unwrap();
    app.vote(&senior_us, &second, vote(VoteChoice::Abstain)).await.unwrap();
    let adopted = app.close_vote(&w.officer_de, &second).await.unwrap();
    let made = (adopted.status, adopted.adopted_policy_version, adopted.adopted_version);
    assert_eq!(made, (ProposalStatus::Adopted, Some(2), None), "a policy proposal leaves the list as it is");
    let versions = app.policy_versions().await.unwrap();
    assert_eq!((versions[1].effective_date, versions[1].source.clone()), (effective, format!("proposal {second}")));

    let tx = application("IR", json!("3A001.a.1"), 5000.0).transaction;
    let at = |day: jiff::civil::Date| accord_app::DetermineOptions { at: Some(day.to_string()), ..Default::default() };
    let outcome =
        |d: accord_controls::Determination| d.jurisdictions.iter().find(|j| j.jurisdiction == "EU").unwrap().outcome;
    let before = app.determine(&w.exporter, &tx, &at(after(29))).await.unwrap();
    assert_eq!(outcome(before), Outcome::LicenceRequired, "the day before, the old policies answer");
    let on_the_day = app.determine(&w.exporter, &tx, &at(effective)).await.unwrap();
    assert!(on_the_day.jurisdictions.iter().flat_map(|j| &j.reasons).any(|r| r.rule == "coalition.iran"));
    assert_eq!(outcome(on_the_day), Outcome::Prohibited);
}

async fn a_watched_entry_that_left_the_list_is_said_and_the_watch_still_runs(backend: Backend) {
    let w = world(backend).await;
    let t: accord_app::NewTechnology = serde_json::from_value(json!({
        "id": "launchers", "name": "Space launch vehicles", "description": "Launch vehicles and their parts.",
        "capability_thresholds": [], "chokepoints": [], "milestones": [], "codes": ["9A004"],
        "indicators": [{"metric": "feedback_volume", "at_least": 1, "window_days": 30, "direction": "relax"}],
    }))
    .unwrap();
    w.app.keep_technology(&w.officer_de, t).await.unwrap();
    let feedback: accord_app::NewFeedback = serde_json::from_value(
        json!({"subject": "9A004", "kind": "unintended_consequence", "text": "Catches ordinary parts."}),
    )
    .unwrap();
    w.app.give_feedback(&w.exporter, feedback).await.unwrap();
    // A new version of the list without 9A004 comes into force.
    w.app.import_controls(&operator(), &accord_app::demo_control_list("2021-01-01").unwrap(), "test").await.unwrap();
    let readings = w.app.run_technology_watch(&w.officer_de).await.unwrap();
    assert!(readings[0].crossed && readings[0].proposal.is_none(), "{readings:?}");
    assert!(readings[0].note.as_deref().unwrap_or_default().contains("9A004"), "{readings:?}");
    assert!(w.app.proposals(&w.officer_de).await.unwrap().is_empty());
}

async fn the_technology_watch_opens_one_draft_for_a_panel_when_an_indicator_crosses(backend: Backend) {
    let w = world(backend).await;
    let technology = |codes: serde_json::Value| -> accord_app::NewTechnology {
        serde_json::from_value(json!({
            "id": "advanced-ics", "name": "Advanced integrated circuits",
            "description": "High-frequency integrated circuits for radar and telecommunications.",
            "capability_thresholds": ["operating above 43.5 GHz"], "chokepoints": ["GaN-on-SiC wafers"],
            "milestones": [{"what": "commercial 90 GHz parts", "expected": "2027-06-30"}],
            "codes": codes,
            "indicators": [{"metric": "feedback_volume", "at_least": 2, "window_days": 30, "direction": "relax"}],
        }))
        .unwrap()
    };
    let unknown = w.app.keep_technology(&w.officer_de, technology(json!(["9Z999"]))).await.unwrap_err();
    assert_eq!(unknown.details.unwrap()["field"], "codes[0]");
    let exporter = w.app.keep_technology(&w.exporter, technology(json!(["3A001"]))).await.unwrap_err();
    assert_eq!(exporter.code, ErrorCode::Forbidden);
    let t = w.app.keep_technology(&w.officer_de, technology(json!(["3A001"]))).await.unwrap();
    assert_eq!((t.version, t.authority_id.as_str()), (1, "DE-BAFA"));
    assert_eq!(w.app.keep_technology(&w.officer_de, technology(json!(["3A001"]))).await.unwrap().version, 2);

    let feedback = |text: &str| -> accord_app::NewFeedback {
        serde_json::from_value(json!({"subject": "3A001.a", "kind": "unintended_consequence", "text": text})).unwrap()
    };
    let first = w.app.give_feedback(&w.exporter, feedback("Catches ordinary lab kit.")).await.unwrap();
    let readings = w.app.run_technology_watch(&w.officer_de).await.unwrap();
    assert_eq!((readings.len(), readings[0].value, readings[0].crossed), (1, 1, false));
    assert!(readings[0].proposal.is_none() && w.app.proposals(&w.officer_de).await.unwrap().is_empty());

    w.app.give_feedback(&w.other_exporter, feedback("Our test sets are caught too.")).await.unwrap();
    let readings = w.app.run_technology_watch(&w.officer_de).await.unwrap();
    let key = readings[0].proposal.clone().expect("a crossed indicator opens a proposal");
    assert!(readings[0].crossed && readings[0].value == 2);
    let x = w.app.proposal(&w.officer_de, &key).await.unwrap();
    assert_eq!(x.status, ProposalStatus::PanelReview, "sent to a panel at once");
    assert_eq!(x.origin.as_deref(), Some("watch DE-BAFA:advanced-ics relax"));
    assert!(x.title.starts_with("Relax") && x.rationale.contains("2 feedback volume"), "{}", x.rationale);
    let again = w.app.run_technology_watch(&w.officer_de).await.unwrap();
    assert_eq!(again[0].proposal.as_deref(), Some(key.as_str()), "one open proposal per technology and direction");
    assert_eq!(w.app.proposals(&w.officer_de).await.unwrap().len(), 1);

    // Feedback turned into a proposal names it, once.
    let input = proposal(json!([{"op": "amend", "code": "3A001", "title": "Electronic items, clarified"}]), {
        jiff::Zoned::now().date().checked_add(jiff::Span::new().days(60)).unwrap()
    });
    let from = w.app.propose_from_feedback(&w.officer_de, &first.id, input.clone()).await.unwrap();
    assert_eq!(from.origin, Some(format!("feedback DE-BAFA:{}", first.id)));
    let taken = w.app.feedback(&w.officer_de).await.unwrap().into_iter().find(|f| f.id == first.id).unwrap();
    assert_eq!(taken.proposal, Some(from.key()));
    let twice = w.app.propose_from_feedback(&w.officer_de, &first.id, input.clone()).await.unwrap_err();
    assert_eq!(twice.code, ErrorCode::AlreadyExists);
    let elsewhere = w.app.propose_from_feedback(&w.officer_us, &first.id, input).await.unwrap_err();
    assert_eq!(elsewhere.code, ErrorCode::NotFound, "only the feedback's authority takes it up");
}

async fn the_people_responsible_are_reminded_and_a_denial_review_reports_the_denials_reaching_three_years(
    backend: Backend,
) {
    let w = world(backend).await;
    let clock = Arc::new(Clock::default());
    let app = w.app.clone().with_clock(clock.clone());
    let d0 = clock.today();
    let schedule: Vec<accord_core::governance::ReviewSchedule> = serde_json::from_value(json!([{
        "title": "Three-year review of denials", "scope": "denials", "every_months": 12,
        "first_opens_on": d0.to_string(), "proposals_within_days": 10, "closes_within_days": 30,
    }]))
    .unwrap();
    let cycle = app.run_review_schedule(&w.officer_de, &schedule).await.unwrap().remove(0);
    let reminders = app.reminders(&w.officer_de).await.unwrap();
    assert_eq!(reminders.len(), 1, "{reminders:?}");
    assert_eq!((reminders[0].subject.as_str(), reminders[0].role.as_str()), (cycle.id.as_str(), "officer"));
    assert!(app.reminders(&w.officer_us).await.unwrap().is_empty(), "each authority sees its own");
    assert_eq!(app.reminders(&w.exporter).await.unwrap_err().code, ErrorCode::Forbidden);

    let denial = |reference: &str, years_ago: i64, days_after: i64| -> accord_core::denials::NewDenial {
        let date = d0
            .checked_sub(jiff::Span::new().years(years_ago))
            .unwrap()
            .checked_add(jiff::Span::new().days(days_after))
            .unwrap();
        serde_json::from_value(json!({"reference": reference, "date": date.to_string(), "control_codes": ["5A002"],
            "item_description": "encryption modules", "destination": "IR", "refusal_criteria": ["criterion 2"],
            "parties": [{"role": "end_user", "name": "Example Telecom Co", "country": "IR"}]}))
        .unwrap()
    };
    let due = app.create_denial(&w.officer_de, denial("BAFA-OLD", 3, 20)).await.unwrap();
    app.create_denial(&w.officer_de, denial("BAFA-NEW", 1, 0)).await.unwrap();
    app.create_denial(&w.officer_us, denial("BIS-OLD", 3, 20)).await.unwrap();

    clock.set(Some(d0.checked_add(jiff::Span::new().days(11)).unwrap()));
    let close = app.reminders(&w.officer_de).await.unwrap();
    assert!(close[0].what.starts_with("close"), "{close:?}");
    let closed = app.close_review_cycle(&w.officer_de, &cycle.id).await.unwrap();
    let report = closed.report.unwrap();
    assert_eq!(report.denials, [(due.id.to_string(), "active".to_owned())], "only BAFA's, only the old one");
    assert_eq!(report.left, [due.id.to_string()], "neither renewed nor revoked");
    assert!(report.proposals.is_empty() && report.feedback.is_empty());
    assert!(app.reminders(&w.officer_de).await.unwrap().is_empty(), "a closed cycle asks nothing more");
}

accord_testing::on_both_backends!(
    a_proposal_goes_through_comment_and_vote_to_the_next_version_of_the_list,
    exporters_feedback_is_triaged_by_their_authority_and_counted_by_subject,
    a_review_cycle_opens_on_its_schedule_once_and_reports_what_was_left,
    a_red_line_is_decided_by_consensus_and_becomes_the_next_policy_version_on_its_day,
    the_technology_watch_opens_one_draft_for_a_panel_when_an_indicator_crosses,
    a_watched_entry_that_left_the_list_is_said_and_the_watch_still_runs,
    the_people_responsible_are_reminded_and_a_denial_review_reports_the_denials_reaching_three_years,
);
