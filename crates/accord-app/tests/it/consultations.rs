//! Consultations on one node with two authorities, on SQLite and PostgreSQL: a case that matches another
//! authority's active denial cannot be approved until that authority is consulted and answers, or the deadline
//! passes; an approval without an answer records a notice; a denial that no longer applies stops blocking.

use crate::support::*;
use accord_app::Federation;
use accord_core::ErrorCode;
use accord_core::cases::CaseStatus;
use accord_core::denials::{AnswerKind, ConsultationStatus};
use accord_core::federation::NodeKey;
use accord_store::Backend;
use serde_json::json;

fn denial_of(party: &str) -> accord_core::denials::NewDenial {
    serde_json::from_value(json!({"reference": "BAFA-2026-9", "control_codes": ["3A001"], "item_description": "ICs",
        "destination": "CN", "refusal_criteria": ["criterion 7"], "parties": [{"role": "consignee", "name": party}]}))
    .unwrap()
}

/// The US case of a fresh submission to China.
/// A last day a licence may have: the end of June two years on (within the longest validity whenever the test runs).
fn later() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    format!("{}-06-30", 1970 + secs / 31_556_952 + 2)
}

async fn us_case(w: &World) -> String {
    let applied =
        w.app.create_application(&w.exporter, application("CN", json!("3A001.a.1"), 5000.0), None, true).await.unwrap();
    applied.application.outcomes.iter().find(|o| o.jurisdiction == "US").unwrap().case_id.clone().unwrap()
}

async fn approval_waits_for_the_consulted_authority_or_its_deadline(backend: Backend) {
    let w = world(backend).await;
    let app = &w.app;
    let approve = |v: i64| decision("approve", v, json!({"valid_until": later()}));

    // Unrelated denials (another consignee, another destination) do not block.
    app.create_denial(&w.officer_de, denial_of("Completely Different Industries")).await.unwrap();
    let unrelated = us_case(&w).await;
    assert!(app.case(&w.officer_us, &unrelated).await.unwrap().denial_matches.is_empty());
    app.decide(&w.officer_us, &unrelated, approve(1)).await.unwrap();

    // BAFA's denial of the same consignee blocks BIS's approval.
    let d = app.create_denial(&w.officer_de, denial_of("SHANGHAI EXAMPLE TRADING CO LTD")).await.unwrap();
    let id = us_case(&w).await;
    let eu = app.cases(&w.officer_de).await.unwrap().into_iter().find(|c| c.jurisdiction == "EU").unwrap();
    assert!(eu.denial_matches.is_empty(), "an authority's own denial needs no consultation");
    let e = app.decide(&w.officer_us, &id, approve(1)).await.unwrap_err();
    assert_eq!(
        (e.code, e.details.unwrap()["denial_id"].as_str()),
        (ErrorCode::ConsultationRequired, Some(d.id.as_str()))
    );
    assert_eq!(
        app.open_consultation(&w.exporter, &id, d.id.as_str(), "q").await.unwrap_err().code,
        ErrorCode::Forbidden
    );
    let c = app.open_consultation(&w.officer_us, &id, d.id.as_str(), "Any objection?").await.unwrap();
    assert_eq!((c.status.as_str(), c.consultation.to_authority.as_str()), ("open", "DE-BAFA"));
    let twice = app.open_consultation(&w.officer_us, &id, d.id.as_str(), "again").await.unwrap_err();
    assert_eq!(twice.code, ErrorCode::AlreadyExists);
    assert_eq!(app.decide(&w.officer_us, &id, approve(1)).await.unwrap_err().code, ErrorCode::ConsultationRequired);
    let own = app.answer_consultation(&w.officer_us, &c.consultation.id, AnswerKind::NoObjection, "ok").await;
    assert_eq!(own.unwrap_err().code, ErrorCode::Forbidden, "the consulting authority does not answer itself");
    let answered = app
        .answer_consultation(&w.officer_de, &c.consultation.id, AnswerKind::NoObjection, "end user since vetted")
        .await
        .unwrap();
    assert_eq!(answered.status, ConsultationStatus::Answered);
    let again = app.answer_consultation(&w.officer_de, &c.consultation.id, AnswerKind::Objection, "x").await;
    assert_eq!(again.unwrap_err().code, ErrorCode::Conflict, "answered once");
    assert_eq!(app.decide(&w.officer_us, &id, approve(1)).await.unwrap().status, CaseStatus::Approved);
    assert!(app.notices(&w.officer_de).await.unwrap().is_empty(), "no objection: no notice");

    // A consultation whose deadline passed without an answer lets the case go ahead, with a notice.
    let hurried = w.app.clone().with_federation(Federation {
        consultation_days: -1,
        ..Federation::new("US-BIS", NodeKey::generate().unwrap())
    });
    let late = us_case(&w).await;
    let c = hurried.open_consultation(&w.officer_us, &late, d.id.as_str(), "Any objection?").await.unwrap();
    assert_eq!(c.status, ConsultationStatus::Expired);
    hurried.decide(&w.officer_us, &late, approve(1)).await.unwrap();
    let notices = app.notices(&w.officer_de).await.unwrap();
    assert_eq!((notices.len(), notices[0].circumstance.as_str()), (1, "no_answer"));
    assert_eq!(notices[0].case_id, late);

    // Once revoked, the denial no longer blocks new cases.
    let revoke = serde_json::from_value(json!({"action": "revoke", "version": 1, "reason": "delisted"})).unwrap();
    assert_eq!(app.change_denial(&w.officer_us, d.id.as_str(), revoke).await.unwrap_err().code, ErrorCode::Forbidden);
    let revoke = serde_json::from_value(json!({"action": "revoke", "version": 1, "reason": "delisted"})).unwrap();
    app.change_denial(&w.officer_de, d.id.as_str(), revoke).await.unwrap();
    let after = us_case(&w).await;
    app.decide(&w.officer_us, &after, approve(1)).await.unwrap();
    assert!(app.verify_audit(&operator()).await.unwrap().ok);
}

accord_testing::on_both_backends!(approval_waits_for_the_consulted_authority_or_its_deadline);
