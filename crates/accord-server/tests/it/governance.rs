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

accord_testing::on_both_backends!(
    the_public_reads_published_proposals_without_a_key_and_a_comment_outside_the_window_is_refused
);
