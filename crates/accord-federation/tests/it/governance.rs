//! Governance across three allied nodes, replicating over HTTP: a proposal made at one is published to the others,
//! a public comment received at another reaches the proposer, each authority votes once on its own node (one
//! abstains, one votes after the deadline and is left out), and closing the vote at the proposer adopts the same
//! next version of the list on every node, in force from the same day. A red line, decided by consensus, becomes
//! the same next policy version on every node, and one claimed adopted by a weaker rule is not applied. A forged
//! vote, or one sent in another authority's name, counts for nothing. (Quorum and tie are decided by the pure
//! tally, tested in `accord-core`.)

use accord_app::{Clock, NewComment, NewVote, StepInput};
use accord_core::governance::{ProposalStatus, ProposalStep, RespondentType, VoteChoice};
use accord_core::principal::Principal;
use accord_store::Backend;
use accord_testing::nodes::{connect, node, node_with, replicate, user};
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};

async fn eventually<F: AsyncFn() -> bool>(what: &str, check: F) {
    let start = Instant::now();
    while !check().await {
        assert!(start.elapsed() < Duration::from_secs(30), "{what} did not happen within 30 s");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Opens the vote on `key` at the proposer `a` (with `response` to the comments, until `until`, the three authorities
/// as members) and waits until the allies see it open.
async fn open_the_vote(
    a: &accord_testing::nodes::Node,
    allies: [&accord_testing::nodes::Node; 2],
    key: &str,
    response: &str,
    until: jiff::civil::Date,
) {
    let vote_step = StepInput {
        comment_response: Some(response.into()),
        vote_until: Some(until.to_string()),
        members: Some(vec!["DE-BAFA".into(), "FR-SBDU".into(), "NL-CDIU".into()]),
        ..Default::default()
    };
    a.app.step_proposal(&a.officer, key, ProposalStep::OpenVote, vote_step).await.unwrap();
    for n in allies {
        eventually("the vote opens at the allies", async || {
            n.app.proposal(&n.officer, key).await.is_ok_and(|x| x.status == ProposalStatus::CoalitionVote)
        })
        .await;
    }
}

async fn a_proposal_adopted_by_the_allies_becomes_the_same_new_version_on_every_node(backend: Backend) {
    let clock = Arc::new(Clock::default());
    let a = node_with(backend, "DE-BAFA", "DE", |app| app.with_clock(clock.clone())).await;
    let (b, c) = (node(backend, "FR-SBDU", "FR").await, node(backend, "NL-CDIU", "NL").await);
    connect(&[&a, &b, &c]).await;
    let _tasks = [replicate(&a), replicate(&b), replicate(&c)];
    for n in [&a, &b, &c] {
        accord_testing::data::import_controls(&n.app, "2021-01-01", false).await;
    }
    let senior = |n: &accord_testing::nodes::Node| {
        let email = format!("s@{}.example", n.authority.to_lowercase());
        let (app, authority) = (n.app.clone(), n.authority.clone());
        async move { user(&app, "senior_officer", &email, Some(&authority), None).await }
    };
    let (sa, sb) = (senior(&a).await, senior(&b).await);
    let d0 = clock.today();
    let day = |n: i64| d0.checked_add(jiff::Span::new().days(n)).unwrap();
    let new_text = "Electronic items above 90 GHz";

    // BAFA proposes and opens the comment window; the allies see it.
    let proposal = serde_json::from_value(json!({
        "title": "Raise the 3A001 threshold",
        "rationale": "Commercial parts now reach the old threshold.",
        "changes": [{"op": "rethreshold", "code": "3A001", "text": new_text}],
        "effective_date": day(40).to_string(),
    }))
    .unwrap();
    let key = a.app.propose(&a.officer, proposal).await.unwrap().key();
    let window = StepInput { comment_until: Some(day(5).to_string()), ..Default::default() };
    a.app.step_proposal(&a.officer, &key, ProposalStep::OpenComment, window).await.unwrap();
    eventually("the proposal reaches SBDU", async || {
        b.app.proposal(&Principal::Anonymous, &key).await.is_ok_and(|x| x.status == ProposalStatus::PublicComment)
    })
    .await;

    // A university comments on SBDU's node; SBDU moderates it; BAFA sees it.
    let text = "Our lab buys these parts off the shelf.";
    let comment =
        NewComment { respondent_type: RespondentType::University, name: None, organisation: None, text: text.into() };
    let received = b.app.comment(&Principal::Anonymous, &key, comment).await.unwrap();
    assert_eq!(received.authority_id, "FR-SBDU", "the receiving authority moderates");
    b.app.moderate(&b.officer, &received.id, true).await.unwrap();
    eventually("the comment reaches BAFA", async || {
        a.app.comments(&Principal::Anonymous, &key).await.unwrap().iter().any(|c| c.text == text)
    })
    .await;

    // After the window, the vote: every member on its own node.
    clock.set(Some(day(6)));
    open_the_vote(&a, [&b, &c], &key, "Laboratories: the threshold is raised.", day(10)).await;
    let vote = |choice| NewVote { choice, reason: "as instructed".into() };
    a.app.vote(&sa, &key, vote(VoteChoice::For)).await.unwrap();
    b.app.vote(&sb, &key, vote(VoteChoice::Abstain)).await.unwrap();
    let again = b.app.vote(&sb, &key, vote(VoteChoice::Against)).await.unwrap_err();
    assert_eq!(again.code, accord_core::ErrorCode::VoteRefused, "once per authority");
    // NDL's vote is cast after the deadline (its node's clock was wrong): received, signed, and left out.
    let late_at = format!("{}T12:00:00Z", day(11));
    let late = json!({"proposal": key, "authority_id": "NL-CDIU", "choice": "for", "reason": "", "cast_at": late_at});
    let envelope = accord_core::federation::Envelope::seal(&c.key, "NL-CDIU", 1, accord_core::now(), "vote", late);
    let received = a.app.receive("NL-CDIU", &[envelope]).await.unwrap();
    assert_eq!(received.applied, 1, "{received:?}");
    eventually("every vote reaches BAFA", async || a.app.votes(&a.officer, &key).await.unwrap().len() == 3).await;
    let early = a.app.close_vote(&a.officer, &key).await.unwrap_err();
    assert_eq!(early.code, accord_core::ErrorCode::ProposalState, "two of three counted: wait for the deadline");
    clock.set(Some(day(11)));
    let x = a.app.close_vote(&a.officer, &key).await.unwrap();
    let t = x.tally.clone().unwrap();
    assert_eq!((x.status, t.for_votes, t.abstain, t.against), (ProposalStatus::Adopted, 1, 1, 0), "{t:?}");
    assert!(t.ignored.iter().any(|i| i.contains("NL-CDIU voted after the deadline")), "{t:?}");

    // Every node has the same next version of the list, in force from the same day.
    for n in [&a, &b, &c] {
        eventually("the adopted version is made on every node", async || {
            n.app.control_versions().await.unwrap().len() == 2
        })
        .await;
        let versions = n.app.control_versions().await.unwrap();
        assert_eq!(versions[1].effective_date, day(40), "{}", n.authority);
        assert_eq!(versions[1].content_hash, a.app.control_versions().await.unwrap()[1].content_hash, "the same list");
        let on_the_day = n.app.control("3A001", Some(&day(40).to_string())).await.unwrap();
        assert_eq!(on_the_day.entry.text, new_text, "{}", n.authority);
        let before = n.app.control("3A001", Some(&day(39).to_string())).await.unwrap();
        assert_ne!(before.entry.text, new_text, "{}: not before its day", n.authority);
    }
}

async fn a_forged_or_foreign_vote_envelope_counts_for_nothing(backend: Backend) {
    let (a, b, c) = (
        node(backend, "DE-BAFA", "DE").await,
        node(backend, "FR-SBDU", "FR").await,
        node(backend, "NL-CDIU", "NL").await,
    );
    // NDL is a peer, so a vote in its name is a real authority's, not an unknown one.
    connect(&[&a, &b, &c]).await;
    let now = accord_core::now();
    let vote = |authority: &str| json!({"proposal": "DE-BAFA:prp_1", "authority_id": authority, "choice": "for", "reason": "", "cast_at": now});
    let seal = |key: &accord_core::federation::NodeKey, sender: &str, seq: i64, payload: serde_json::Value| {
        accord_core::federation::Envelope::seal(key, sender, seq, now, "vote", payload)
    };
    // A vote signed by a key that is not SBDU's stops the peer; nothing is applied.
    let stranger = accord_core::federation::NodeKey::generate().unwrap();
    let forged = a.app.receive("FR-SBDU", &[seal(&stranger, "FR-SBDU", 1, vote("FR-SBDU"))]).await.unwrap();
    assert_eq!(forged.rejected[0].reason, accord_core::federation::Rejection::BadSignature);
    // SBDU, genuinely signing, casts a vote in NDL's name: quarantined as a foreign object.
    let foreign = a.app.receive("FR-SBDU", &[seal(&b.key, "FR-SBDU", 1, vote("NL-CDIU"))]).await.unwrap();
    assert_eq!(
        (foreign.rejected[0].reason, foreign.rejected[0].quarantined),
        (accord_core::federation::Rejection::ForeignObject, true)
    );
    // A malformed vote (an unknown choice) is quarantined too.
    let mut odd = vote("FR-SBDU");
    odd["choice"] = json!("maybe");
    let malformed = a.app.receive("FR-SBDU", &[seal(&b.key, "FR-SBDU", 2, odd)]).await.unwrap();
    assert_eq!(malformed.rejected[0].reason, accord_core::federation::Rejection::MalformedPayload);
    // None of them is a vote at BAFA; SBDU's genuine one is.
    let genuine = a.app.receive("FR-SBDU", &[seal(&b.key, "FR-SBDU", 3, vote("FR-SBDU"))]).await.unwrap();
    assert_eq!(genuine.applied, 1);
    let votes = accord_store::FederationStore::shared(&a.store, "vote").await.unwrap();
    assert_eq!(votes.len(), 1, "{votes:?}");
    assert_eq!(votes[0]["authority_id"], "FR-SBDU");
}

async fn a_red_line_adopted_by_consensus_becomes_the_same_policy_version_on_every_node_and_a_weaker_one_is_not_applied(
    backend: Backend,
) {
    let clock = Arc::new(Clock::default());
    let a = node_with(backend, "DE-BAFA", "DE", |app| app.with_clock(clock.clone())).await;
    let (b, c) = (node(backend, "FR-SBDU", "FR").await, node(backend, "NL-CDIU", "NL").await);
    connect(&[&a, &b, &c]).await;
    let operator = accord_testing::operator();
    let mut seniors = Vec::new();
    for n in [&a, &b, &c] {
        accord_testing::data::import_controls(&n.app, "2021-01-01", false).await;
        n.app.ensure_policies(&operator).await.unwrap();
        let email = format!("s@{}.example", n.authority.to_lowercase());
        seniors.push(user(&n.app, "senior_officer", &email, Some(&n.authority), None).await);
    }
    let tasks = [replicate(&a), replicate(&b), replicate(&c)];
    let d0 = clock.today();
    let day = |n: i64| d0.checked_add(jiff::Span::new().days(n)).unwrap();
    let body = "outcome = \"prohibited\"\ncitation = \"as agreed by the members\"\nsummary = \"no listed item to Iran\"\n\
                when.item = \"listed\"\nwhen.destinations = [\"IR\"]";
    let proposal = serde_json::from_value(json!({
        "title": "A red line on Iran",
        "rationale": "The members agree that no listed item is supplied to Iran.",
        "policy_changes": [{"op": "set_rule", "file": "coalition.toml", "id": "coalition.iran", "body": body}],
        "effective_date": day(30).to_string(),
    }))
    .unwrap();
    let key = a.app.propose(&a.officer, proposal).await.unwrap().key();
    let window = StepInput { comment_until: Some(d0.to_string()), ..Default::default() };
    a.app.step_proposal(&a.officer, &key, ProposalStep::OpenComment, window).await.unwrap();
    clock.set(Some(day(1)));
    open_the_vote(&a, [&b, &c], &key, "No comments were received.", day(10)).await;
    for (n, senior) in [&a, &b, &c].into_iter().zip(&seniors) {
        n.app.vote(senior, &key, NewVote { choice: VoteChoice::For, reason: String::new() }).await.unwrap();
    }
    eventually("every vote reaches BAFA", async || a.app.votes(&a.officer, &key).await.unwrap().len() == 3).await;
    let x = a.app.close_vote(&a.officer, &key).await.unwrap();
    assert_eq!((x.status, x.rule), (ProposalStatus::Adopted, accord_core::governance::DecisionRule::Consensus));

    let tx: accord_controls::Transaction = serde_json::from_value(json!({"date": "2025-12-01", "origin": "DE",
        "destination": "IR", "end_use": {"category": "civil"}, "items": [{"code": "3A001.a.1"}]}))
    .unwrap();
    let hash = a.app.policy_versions().await.unwrap()[1].content_hash.clone();
    for n in [&a, &b, &c] {
        eventually("the adopted policies are made on every node", async || {
            n.app.policy_versions().await.unwrap().len() == 2
        })
        .await;
        let v = n.app.policy_versions().await.unwrap().remove(1);
        assert_eq!((v.effective_date, &v.content_hash), (day(30), &hash), "{}: the same policies", n.authority);
        let at = |d: jiff::civil::Date| accord_app::DetermineOptions { at: Some(d.to_string()), ..Default::default() };
        let red = |d: accord_controls::Determination| {
            d.jurisdictions.iter().any(|j| j.reasons.iter().any(|r| r.rule == "coalition.iran"))
        };
        assert!(!red(n.app.determine(&n.officer, &tx, &at(day(29))).await.unwrap()), "{}", n.authority);
        assert!(red(n.app.determine(&n.officer, &tx, &at(day(30))).await.unwrap()), "{}", n.authority);
    }

    // SBDU's node sends a red line it claims was adopted by a simple majority: stored, but not applied.
    tasks.iter().for_each(tokio::task::JoinHandle::abort);
    let next = c.app.receive("FR-SBDU", &[]).await.unwrap().last_seq + 1;
    let mut weak = x.clone();
    (weak.id, weak.authority_id, weak.rule) =
        ("prp_weak".into(), "FR-SBDU".into(), accord_core::governance::DecisionRule::SimpleMajority);
    weak.policy_changes[0].id = "coalition.iran_weak".into();
    let envelope = accord_core::federation::Envelope::seal(
        &b.key,
        "FR-SBDU",
        next,
        accord_core::now(),
        "proposal",
        serde_json::to_value(&weak).unwrap(),
    );
    let report = c.app.receive("FR-SBDU", &[envelope]).await.unwrap();
    assert_eq!((report.applied, report.rejected.len()), (1, 0), "{report:?}");
    assert!(c.app.proposal(&c.officer, "FR-SBDU:prp_weak").await.is_ok_and(|p| p.status == ProposalStatus::Adopted));
    assert_eq!(c.app.policy_versions().await.unwrap().len(), 2, "a red line is never adopted by less than consensus");
}

accord_testing::on_both_backends!(
    a_proposal_adopted_by_the_allies_becomes_the_same_new_version_on_every_node,
    a_forged_or_foreign_vote_envelope_counts_for_nothing,
    a_red_line_adopted_by_consensus_becomes_the_same_policy_version_on_every_node_and_a_weaker_one_is_not_applied,
);
