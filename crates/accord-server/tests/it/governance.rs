//! Governance over HTTP on SQLite and PostgreSQL: officers propose and take the steps, the public reads published
//! proposals and comments without a key, and a comment outside its window or of the wrong shape is refused with its
//! code and nothing is stored. (The whole cycle, moderation and votes included, is tested in `accord-app`.)

use crate::support::world;
use accord_store::Backend;
use axum::http::StatusCode;
use serde_json::json;

async fn the_public_reads_published_proposals_without_a_key_and_a_comment_outside_the_window_is_refused(
    backend: Backend,
) {
    let w = world(backend).await;
    accord_testing::data::import_controls(&w.node.app, "2021-01-01", false).await;
    let today = jiff::Zoned::now().date();
    let days = |n: i64| today.checked_add(jiff::Span::new().days(n)).unwrap().to_string();
    let proposal = json!({
        "title": "Relax 3A001 for commodity parts",
        "rationale": "Commodity parts meet the threshold today.",
        "changes": [{"op": "amend", "code": "3A001", "title": "Electronic items, as amended"}],
        "effective_date": days(60),
    });
    let refused = w.node.post("/api/v1/proposals", Some(w.key("exporter_de")), proposal.clone()).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    let created = w.node.post("/api/v1/proposals", Some(w.key("officer_de")), proposal).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let key = format!("DE-BAFA:{}", created.body["id"].as_str().unwrap());
    let public = w.node.get("/api/v1/proposals", None).await;
    assert_eq!(public.body, json!([]), "a draft is not public");

    // The window opens tomorrow: a comment today is refused, and nothing is stored.
    let step = format!("/api/v1/proposals/{key}/steps/open_comment");
    let window = json!({"comment_from": days(1), "comment_until": days(10), "reason": "first reading"});
    let opened = w.node.post(&step, Some(w.key("officer_de")), window).await;
    assert_eq!(opened.body["status"], "public_comment", "{}", opened.body);
    let comments = format!("/api/v1/proposals/{key}/comments");
    let early = w.node.post(&comments, None, json!({"respondent_type": "university", "text": "Good."})).await;
    assert_eq!((early.status, early.code()), (StatusCode::CONFLICT, "comment_window_closed"), "{}", early.body);
    let wrong_type = w.node.post(&comments, None, json!({"respondent_type": "robot", "text": "Good."})).await;
    assert_eq!(wrong_type.code(), "invalid_body");
    let again = w.node.post(&step, Some(w.key("officer_de")), json!({"comment_until": days(10)})).await;
    assert_eq!(again.code(), "proposal_state", "a step is taken once");
    assert_eq!(w.node.get(&comments, None).await.body, json!([]));

    let listed = w.node.get("/api/v1/proposals", None).await;
    assert_eq!(listed.body[0]["comment_from"], days(1), "published for comment, it is public: {}", listed.body);
    let unknown_step =
        w.node.post(&format!("/api/v1/proposals/{key}/steps/fly"), Some(w.key("officer_de")), json!({})).await;
    assert_eq!(
        (unknown_step.status, unknown_step.code()),
        (StatusCode::BAD_REQUEST, "invalid_id"),
        "{}",
        unknown_step.body
    );
    let vote = w
        .node
        .post(&format!("/api/v1/proposals/{key}/votes"), Some(w.key("senior_de")), json!({"choice": "for"}))
        .await;
    assert_eq!(vote.code(), "vote_refused", "no vote before the vote opens");
}

async fn policy_proposals_feedback_taken_up_and_the_technology_watch_work_over_http(backend: Backend) {
    let w = world(backend).await;
    accord_testing::data::import_controls(&w.node.app, "2021-01-01", false).await;
    let operator = accord_core::principal::Principal::Operator { name: "test".into() };
    w.node.app.ensure_policies(&operator).await.unwrap();
    let today = jiff::Zoned::now().date();
    let in_days = |n: i64| today.checked_add(jiff::Span::new().days(n)).unwrap().to_string();
    let officer = Some(w.key("officer_de"));

    // A red line asks for consensus; a weaker rule is a 422 naming the field, a broken body names its change.
    let body =
        "outcome = \"prohibited\"\ncitation = \"as agreed\"\nsummary = \"none to Iran\"\nwhen.destinations = [\"IR\"]";
    let red_line = |rule: serde_json::Value, body: &str| {
        json!({"title": "Iran", "rationale": "Agreed by the members.", "effective_date": in_days(30), "rule": rule,
               "policy_changes": [{"op": "set_rule", "file": "coalition.toml", "id": "coalition.iran", "body": body}]})
    };
    let weak = w.node.post("/api/v1/proposals", officer, red_line(json!("simple_majority"), body)).await;
    assert_eq!((weak.status, weak.code()), (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"), "{}", weak.body);
    assert_eq!(weak.body["error"]["details"]["field"], "rule");
    let broken = w.node.post("/api/v1/proposals", officer, red_line(json!(null), "outcome = ")).await;
    assert_eq!(broken.body["error"]["details"]["field"], "policy_changes[0].body", "{}", broken.body);
    let made = w.node.post("/api/v1/proposals", officer, red_line(json!(null), body)).await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    assert_eq!((made.body["kind"].as_str(), made.body["rule"].as_str()), (Some("red_line"), Some("consensus")));

    // Feedback taken up as a proposal, once.
    let given = w
        .node
        .post(
            "/api/v1/feedback",
            Some(w.key("exporter_de")),
            json!({"subject": "3A001", "kind": "difficulty", "text": "Hard to classify."}),
        )
        .await;
    let path = format!("/api/v1/feedback/{}/proposal", given.body["id"].as_str().unwrap());
    let proposal = json!({"title": "Clarify 3A001", "rationale": "Exporters cannot classify.", "effective_date": in_days(60),
        "changes": [{"op": "amend", "code": "3A001", "title": "Electronic items, clarified"}]});
    let taken = w.node.post(&path, officer, proposal.clone()).await;
    assert_eq!(taken.status, StatusCode::CREATED, "{}", taken.body);
    assert!(taken.body["origin"].as_str().unwrap().starts_with("feedback DE-BAFA:fbk_"));
    assert_eq!(w.node.post(&path, officer, proposal).await.code(), "already_exists");

    // The technology watch: kept by an analyst, counted, a crossed indicator opens a draft with a panel.
    let technology = json!({"id": "advanced-ics", "name": "Advanced ICs", "description": "Radar ICs.", "codes": ["3A001"],
        "indicators": [{"metric": "feedback_volume", "at_least": 1, "window_days": 30, "direction": "relax"}]});
    let refused = w.node.post("/api/v1/watch", Some(w.key("exporter_de")), technology.clone()).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let zero = json!({"id": "x-y", "name": "X", "description": "X.", "codes": ["3A001"],
        "indicators": [{"metric": "denials", "at_least": 0, "window_days": 30, "direction": "elevate"}]});
    let zero = w.node.post("/api/v1/watch", Some(w.key("analyst_de")), zero).await;
    assert_eq!(zero.body["error"]["details"]["field"], "indicators[0].at_least", "{}", zero.body);
    let kept = w.node.post("/api/v1/watch", Some(w.key("analyst_de")), technology).await;
    assert_eq!(kept.status, StatusCode::OK, "{}", kept.body);
    let readings = w.node.post("/api/v1/watch/run", Some(w.key("analyst_de")), json!({})).await;
    assert_eq!(readings.body[0]["crossed"], true, "{}", readings.body);
    let key = readings.body[0]["proposal"].as_str().unwrap();
    let shown = w.node.get(&format!("/api/v1/proposals/{key}"), officer).await;
    assert_eq!(shown.body["status"], "panel_review", "{}", shown.body);
    assert_eq!(w.node.get("/api/v1/watch", officer).await.body[0]["id"], "advanced-ics");
    assert_eq!(w.node.get("/api/v1/reviews/reminders", officer).await.status, StatusCode::OK);
    assert_eq!(w.node.get("/api/v1/reviews/reminders", None).await.status, StatusCode::UNAUTHORIZED);
}

accord_testing::on_both_backends!(
    the_public_reads_published_proposals_without_a_key_and_a_comment_outside_the_window_is_refused,
    policy_proposals_feedback_taken_up_and_the_technology_watch_work_over_http,
);
