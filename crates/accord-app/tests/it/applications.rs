//! Licence applications through the application service, on SQLite and PostgreSQL: a submission screens and
//! determines once and opens one case per authority whose jurisdiction needs a licence; a retried submission with
//! the same idempotency key creates nothing; queues are scoped and ordered by risk; bad input stores nothing.

use crate::support::*;
use accord_core::ErrorCode;
use accord_core::cases::ApplicationStatus;
use accord_core::principal::Principal;
use accord_store::Backend;
use serde_json::json;

/// A last day a licence may have: the end of June two years on (within the longest validity whenever the test runs).
fn later() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    format!("{}-06-30", 1970 + secs / 31_556_952 + 2)
}

async fn a_submission_opens_one_case_per_authority_and_a_retry_creates_nothing(backend: Backend) {
    let w = world(backend).await;
    let app = &w.app;
    let applied = app
        .create_application(&w.exporter, application("CN", json!("3A001.a.1"), 5000.0), Some("order-1"), true)
        .await
        .unwrap();
    assert!(applied.created);
    let a = &applied.application;
    assert_eq!(a.status, ApplicationStatus::Submitted);
    let outcomes: Vec<(&str, &str, bool)> =
        a.outcomes.iter().map(|o| (o.jurisdiction.as_str(), o.outcome.as_str(), o.case_id.is_some())).collect();
    assert_eq!(outcomes, [("EU", "licence_required", true), ("US", "licence_required", true)]);
    assert!(a.determination.is_some());

    let retried = app
        .create_application(&w.exporter, application("CN", json!("3A001.a.1"), 5000.0), Some("order-1"), true)
        .await
        .unwrap();
    assert!(!retried.created, "the same key finds the first application");
    assert_eq!(retried.application.id, a.id);
    assert_eq!(app.cases(&operator()).await.unwrap().len(), 2, "no second set of cases");
    let other = app
        .create_application(&w.exporter, application("IN", json!("3A001.a.1"), 5000.0), Some("order-1"), true)
        .await
        .unwrap_err();
    assert_eq!(other.code, ErrorCode::Conflict, "a key reused for another transaction: {}", other.message);

    let de_queue = app.cases(&w.officer_de).await.unwrap();
    assert_eq!(de_queue.len(), 1);
    let case = &de_queue[0];
    assert_eq!((case.authority_id.as_str(), case.jurisdiction.as_str()), ("DE-BAFA", "EU"));
    assert!(
        case.risk_factors.iter().any(|f| f.factor == "first_shipment" && f.points == 10),
        "{:?}",
        case.risk_factors
    );
    assert_eq!(case.risk_score, case.risk_factors.iter().map(|f| f.points).sum::<i32>().clamp(0, 100));
    assert!(case.due_date.to_string().as_str() > "2025-12-01" && case.version == 1);
    assert_eq!(app.cases(&w.officer_us).await.unwrap()[0].jurisdiction, "US");
    assert_eq!(
        app.case(&w.officer_us, case.id.as_str()).await.unwrap_err().code,
        ErrorCode::NotFound,
        "another authority's case"
    );
    assert_eq!(app.cases(&w.exporter).await.unwrap().len(), 2, "the exporter follows its own cases");
    assert!(app.cases(&w.other_exporter).await.unwrap().is_empty());
    assert_eq!(app.application(&w.other_exporter, a.id.as_str()).await.unwrap_err().code, ErrorCode::NotFound);
    assert_eq!(
        app.application(&w.officer_us, a.id.as_str()).await.unwrap().id,
        a.id,
        "the US authority sees what it reviews"
    );

    // Without lists on this node, parties could not be screened; this application names none.
    let mut to_ally = application("JP", json!("3A001.a.1"), 1000.0);
    to_ally.transaction.parties.clear();
    let ally = app.create_application(&w.exporter, to_ally, None, true).await.unwrap();
    let eu = ally.application.outcomes.iter().find(|o| o.jurisdiction == "EU").unwrap();
    assert_eq!((eu.outcome.as_str(), eu.case_id.is_none()), ("general_authorisation", true));
    assert_eq!(eu.note, "covered by EU001");
    let queue = app.cases(&operator()).await.unwrap();
    assert!(queue.windows(2).all(|w| w[0].risk_score >= w[1].risk_score), "highest risk first");

    let report = app.verify_audit(&operator()).await.unwrap();
    assert!(report.ok);
}

async fn drafts_are_submitted_once_and_bad_input_stores_nothing(backend: Backend) {
    let w = world(backend).await;
    let app = &w.app;
    let draft =
        app.create_application(&w.exporter, application("CN", json!("3A001.a.1"), 5000.0), None, false).await.unwrap();
    assert_eq!(draft.application.status, ApplicationStatus::Draft);
    assert!(app.cases(&operator()).await.unwrap().is_empty());
    let submitted = app.submit_application(&w.exporter, draft.application.id.as_str()).await.unwrap();
    assert_eq!(submitted.status, ApplicationStatus::Submitted);
    let again = app.submit_application(&w.exporter, draft.application.id.as_str()).await.unwrap();
    assert_eq!(again.submitted_at, submitted.submitted_at, "a second submit changes nothing");
    assert_eq!(app.cases(&operator()).await.unwrap().len(), 2);

    let before = app.applications(&operator()).await.unwrap().len();
    let events = app.verify_audit(&operator()).await.unwrap().events;
    let e = app
        .create_application(&w.exporter, application("CN", json!("3A00X"), 5000.0), Some("bad"), true)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::UnknownControlCode);
    let e =
        app.create_application(&w.exporter, application("CN", json!("3A001"), -1.0), None, false).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::ValidationFailed);
    let mut bad_doc = application("CN", json!("3A001"), 1.0);
    bad_doc.documents[0].sha256 = "nothex".into();
    assert_eq!(
        app.create_application(&w.exporter, bad_doc, None, false).await.unwrap_err().code,
        ErrorCode::ValidationFailed
    );
    let mut foreign = application("CN", json!("3A001"), 1.0);
    foreign.organisation_id = Some(draft.application.organisation_id.to_string());
    let e = app.create_application(&w.other_exporter, foreign, None, false).await.unwrap_err();
    assert_eq!(
        e.code,
        ErrorCode::UnknownOrganisation,
        "an exporter applies only for its own organisation: {}",
        e.message
    );
    assert_eq!(
        app.create_application(&w.officer_de, application("CN", json!("3A001"), 1.0), None, false)
            .await
            .unwrap_err()
            .code,
        ErrorCode::ValidationFailed,
        "an officer must name the organisation"
    );
    assert_eq!(app.applications(&operator()).await.unwrap().len(), before, "nothing was stored");
    assert_eq!(app.verify_audit(&operator()).await.unwrap().events, events);
    assert_eq!(
        app.create_application(&Principal::Anonymous, application("CN", json!("3A001"), 1.0), None, false)
            .await
            .unwrap_err()
            .code,
        ErrorCode::Unauthenticated
    );
}

/// The EU case of a fresh submission to China.
async fn eu_case(w: &World) -> accord_core::cases::Case {
    let applied =
        w.app.create_application(&w.exporter, application("CN", json!("3A001.a.1"), 5000.0), None, true).await.unwrap();
    let id = applied.application.outcomes.iter().find(|o| o.jurisdiction == "EU").unwrap().case_id.clone().unwrap();
    w.app.case(&w.officer_de, &id).await.unwrap()
}

async fn officers_decide_once_and_refusals_need_a_second_senior_officer(backend: Backend) {
    let w = world(backend).await;
    let app = &w.app;
    let case = eu_case(&w).await;
    assert_eq!(case.review_path.as_str(), "standard", "{:?}", case.risk_factors);
    let id = case.id.to_string();

    // Two officers decide the same version at once: exactly one wins.
    let approve = || decision("approve", 1, json!({"valid_until": later(), "conditions": ["no re-export"]}));
    let (a, b) = tokio::join!(app.decide(&w.officer_de, &id, approve()), app.decide(&w.senior_de, &id, approve()));
    let results = [a, b];
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1, "{results:?}");
    let loser = results.iter().find_map(|r| r.as_ref().err()).unwrap();
    assert!(matches!(loser.code, ErrorCode::CaseChanged | ErrorCode::Conflict), "{loser:?}");
    let decided = app.case(&w.officer_de, &id).await.unwrap();
    assert_eq!((decided.status, decided.version), (accord_core::cases::CaseStatus::Approved, 2));
    let d = decided.decision.unwrap();
    assert_eq!(
        (d.conditions.len(), d.items.len(), d.items[0].quantity),
        (1, 1, dec("10")),
        "items default to what was applied for"
    );
    assert_eq!(app.decide(&w.officer_de, &id, approve()).await.unwrap_err().code, ErrorCode::CaseChanged);

    // A refusal waits for a countersignature by another senior officer.
    let case = eu_case(&w).await;
    let id = case.id.to_string();
    let no_criteria = app.decide(&w.senior_de, &id, decision("refuse", 1, json!({}))).await.unwrap_err();
    assert_eq!(no_criteria.code, ErrorCode::ValidationFailed);
    let refused = app
        .decide(&w.senior_de, &id, decision("refuse", 1, json!({"refusal_criteria": ["EU-CP-2008/944 criterion 7"]})))
        .await
        .unwrap();
    assert_eq!(refused.status, accord_core::cases::CaseStatus::AwaitingCountersignature);
    assert_eq!(
        app.countersign(&w.senior_de, &id, 2).await.unwrap_err().code,
        ErrorCode::Forbidden,
        "not by the decider"
    );
    assert_eq!(
        app.countersign(&w.officer_de, &id, 2).await.unwrap_err().code,
        ErrorCode::Forbidden,
        "not by an officer"
    );
    let signed = app.countersign(&w.senior_de_2, &id, 2).await.unwrap();
    assert_eq!(signed.status, accord_core::cases::CaseStatus::Refused);
    assert!(signed.decision.unwrap().countersigned_by.is_some());
    assert_eq!(app.case(&w.officer_us, &id).await.unwrap_err().code, ErrorCode::NotFound);
    assert_eq!(
        app.decide(&w.officer_us, &id, approve()).await.unwrap_err().code,
        ErrorCode::NotFound,
        "another authority's officer"
    );

    // Questions pause the clock; a case waiting for an answer cannot be decided.
    let case = eu_case(&w).await;
    let id = case.id.to_string();
    let asked = app.request_information(&w.officer_de, &id, 1, "Who is the end user of the ICs?").await.unwrap();
    assert_eq!(asked.status, accord_core::cases::CaseStatus::AwaitingInformation);
    assert_eq!(app.decide(&w.officer_de, &id, approve()).await.unwrap_err().code, ErrorCode::CaseChanged);
    let stale = decision("approve", 2, json!({"valid_until": later()}));
    assert_eq!(
        app.decide(&w.officer_de, &id, stale).await.unwrap_err().code,
        ErrorCode::Conflict,
        "waiting for the exporter"
    );
    assert_eq!(app.answer_information(&w.other_exporter, &id, "x").await.unwrap_err().code, ErrorCode::NotFound);
    let answered = app.answer_information(&w.exporter, &id, "The university's radar laboratory").await.unwrap();
    assert_eq!((answered.status, answered.version), (accord_core::cases::CaseStatus::Open, 3));
    let view = app.case_view(&w.officer_de, &id).await.unwrap();
    assert_eq!(view.sla.target, 20);
    assert!(view.sla.remaining <= 20 && view.sla.paused <= view.sla.elapsed);
    let advised = app.advise(&w.officer_de, &id, 3, "Technical advice: the ICs meet 3A001.a.1.a").await.unwrap();
    assert_eq!(advised.advice.len(), 1);
    let too_much =
        decision("approve", 4, json!({"valid_until": later(), "items": [{"item": 0, "quantity": 11, "value": 5000}]}));
    assert_eq!(app.decide(&w.officer_de, &id, too_much).await.unwrap_err().code, ErrorCode::ValidationFailed);
    let backwards = decision("approve", 4, json!({"valid_from": "2027-01-01", "valid_until": "2026-12-31"}));
    assert_eq!(app.decide(&w.officer_de, &id, backwards).await.unwrap_err().code, ErrorCode::ValidationFailed);
    let returned = app.decide(&w.officer_de, &id, decision("return", 4, json!({}))).await.unwrap();
    assert_eq!(returned.status, accord_core::cases::CaseStatus::Returned);
    assert!(app.verify_audit(&operator()).await.unwrap().ok);
}

async fn licences_are_drawn_down_by_shipments_and_never_overdrawn(backend: Backend) {
    let w = world(backend).await;
    let dates = dates();
    let app = &w.app;
    let case = eu_case(&w).await;
    let id = case.id.to_string();
    let approve = decision("approve", 1, json!({"valid_from": dates.from, "valid_until": dates.until}));
    let approved = app.decide(&w.officer_de, &id, approve).await.unwrap();
    let licence_id = approved.licence_id.clone().expect("an approval issues a licence");
    let licence = app.licence(&w.exporter, &licence_id).await.unwrap();
    assert_eq!(
        (licence.status, licence.items[0].quantity, licence.items[0].value),
        (accord_core::licences::LicenceStatus::Active, dec("10"), dec("5000"))
    );
    assert_eq!(licence.parties, [CONSIGNEE]);

    let (_, after) = app
        .report_shipment(
            &w.exporter,
            &licence_id,
            shipment(&dates.inside, 4.0, 2000.0, "SHANGHAI EXAMPLE TRADING CO LTD"),
        )
        .await
        .unwrap();
    assert_eq!(
        (after.items[0].used_quantity, after.items[0].used_value),
        (dec("4"), dec("2000")),
        "the consignee matches however written"
    );
    let refusals = [
        (shipment(&dates.inside, 7.0, 100.0, CONSIGNEE), "exceeds the 6 left"),
        (shipment(&dates.inside, 1.0, 3500.0, CONSIGNEE), "exceeds the 3000 left"),
        (shipment(&dates.inside, 1.0, 10.0, "Another Trading Co."), "is not a party on licence"),
        (shipment(&dates.after, 1.0, 10.0, CONSIGNEE), "after the licence expired"),
        (shipment(&dates.before, 1.0, 10.0, CONSIGNEE), "before the licence's validity starts"),
    ];
    for (s, why) in refusals {
        let e = app.report_shipment(&w.exporter, &licence_id, s).await.unwrap_err();
        assert!(e.message.contains(why), "{why}: {}", e.message);
    }
    assert_eq!(
        app.report_shipment(&w.other_exporter, &licence_id, shipment(&dates.inside, 1.0, 1.0, CONSIGNEE))
            .await
            .unwrap_err()
            .code,
        ErrorCode::NotFound
    );

    // Ten shipments of one unit race for the six units left: exactly six are recorded.
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..10 {
        let (app, who, lic, day) = (app.clone(), w.exporter.clone(), licence_id.clone(), dates.inside.clone());
        tasks.spawn(async move { app.report_shipment(&who, &lic, shipment(&day, 1.0, 100.0, CONSIGNEE)).await });
    }
    let results = tasks.join_all().await;
    let accepted = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(accepted, 6, "{:?}", results.iter().filter_map(|r| r.as_ref().err()).collect::<Vec<_>>());
    let final_state = app.licence(&w.exporter, &licence_id).await.unwrap();
    assert_eq!(final_state.items[0].used_quantity, dec("10"), "never overdrawn");
    assert_eq!(final_state.status, accord_core::licences::LicenceStatus::Exhausted);
    assert_eq!(app.shipments(&w.officer_de, &licence_id).await.unwrap().len(), 7);
    let exhausted =
        app.report_shipment(&w.exporter, &licence_id, shipment(&dates.inside, 1.0, 1.0, CONSIGNEE)).await.unwrap_err();
    assert!(exhausted.message.contains("is exhausted"), "{}", exhausted.message);

    // Suspension stops shipments until the licence is reinstated; revocation is final.
    let second = eu_case(&w).await;
    let approve = decision("approve", 1, json!({"valid_from": dates.from, "valid_until": dates.until}));
    let lic = app.decide(&w.officer_de, second.id.as_str(), approve).await.unwrap().licence_id.unwrap();
    assert_eq!(
        app.set_licence_status(&w.officer_us, &lic, "suspend", "x").await.unwrap_err().code,
        ErrorCode::NotFound
    );
    assert_eq!(app.set_licence_status(&w.exporter, &lic, "suspend", "x").await.unwrap_err().code, ErrorCode::Forbidden);
    app.set_licence_status(&w.officer_de, &lic, "suspend", "end-use check pending").await.unwrap();
    let e = app.report_shipment(&w.exporter, &lic, shipment(&dates.inside, 1.0, 1.0, CONSIGNEE)).await.unwrap_err();
    assert!(e.message.contains("is suspended"), "{}", e.message);
    app.set_licence_status(&w.officer_de, &lic, "reinstate", "check passed").await.unwrap();
    app.report_shipment(&w.exporter, &lic, shipment(&dates.inside, 1.0, 1.0, CONSIGNEE)).await.unwrap();
    let revoked = app.set_licence_status(&w.officer_de, &lic, "revoke", "diversion found").await.unwrap();
    assert_eq!(revoked.status_reason.as_deref(), Some("diversion found"));
    assert_eq!(
        app.set_licence_status(&w.officer_de, &lic, "reinstate", "x").await.unwrap_err().code,
        ErrorCode::Conflict
    );
    assert_eq!(app.licences(&w.exporter).await.unwrap().len(), 2);
    assert!(app.verify_audit(&operator()).await.unwrap().ok);
}

/// The EU case of a military end use in a destination under an arms embargo (Art. 4(1)(b)): enhanced due diligence.
async fn military_case_to_venezuela(w: &World) -> String {
    let mut risky = application("VE", json!("3A001.a.1"), 5000.0);
    risky.transaction.end_use.category = "military".into();
    let applied = w.app.create_application(&w.exporter, risky, None, true).await.unwrap();
    applied.application.outcomes.iter().find(|o| o.jurisdiction == "EU").unwrap().case_id.clone().unwrap()
}

async fn any_raise_of_an_enhanced_due_diligence_licence_waits_for_a_countersignature(backend: Backend) {
    use accord_core::cases::{CaseStatus, TaskOutcome, TaskResult};
    use accord_core::licences::{AmendmentStatus, NewAmendment};
    let w = world(backend).await;
    let app = &w.app;
    let id = military_case_to_venezuela(&w).await;
    let done = TaskResult { outcome: TaskOutcome::Favourable, report: "end user visited".into(), version: 1 };
    app.close_task(&w.officer_de, &id, 0, done).await.unwrap();
    let approved = app.decide(&w.officer_de, &id, decision("approve", 2, json!({"valid_until": later()}))).await;
    assert_eq!(approved.unwrap().status, CaseStatus::AwaitingCountersignature);
    let signed = app.countersign(&w.senior_de, &id, 3).await.unwrap();
    let lic = signed.licence_id.expect("an approval issues a licence");
    let amend = |quantity: f64| NewAmendment {
        reason: "order changed".into(),
        valid_until: None,
        conditions: None,
        items: serde_json::from_value(json!([{"item": 0, "quantity": quantity, "value": 5000}])).unwrap(),
    };
    // Lowering takes effect at once; raising back, even within what was applied for, waits on this path.
    let lowered = app.amend_licence(&w.officer_de, &lic, amend(5.0)).await.unwrap();
    assert_eq!((lowered.items[0].quantity, lowered.amendments[0].status), (dec("5"), AmendmentStatus::Applied));
    let raised = app.amend_licence(&w.officer_de, &lic, amend(10.0)).await.unwrap();
    assert_eq!((raised.items[0].quantity, raised.amendments[1].status), (dec("5"), AmendmentStatus::PendingReview));
    assert!(raised.amendments[1].review_reasons[0].contains("enhanced-due-diligence"), "{:?}", raised.amendments[1]);
    let verdict = serde_json::from_value(json!({"decision": "approve", "reason": "checked again"})).unwrap();
    let signed = app.decide_amendment(&w.senior_de, &lic, 2, verdict).await.unwrap();
    assert_eq!((signed.items[0].quantity, signed.amendments[1].status), (dec("10"), AmendmentStatus::Approved));
}

async fn enhanced_due_diligence_with_a_failed_on_site_check_ends_in_a_countersigned_refusal(backend: Backend) {
    use accord_core::cases::{CaseStatus, NewTask, TaskKind, TaskOutcome, TaskResult};
    let w = world(backend).await;
    let app = &w.app;
    let id = military_case_to_venezuela(&w).await;
    let case = app.case(&w.officer_de, &id).await.unwrap();
    assert_eq!(case.review_path.as_str(), "enhanced_due_diligence", "{:?}", case.risk_factors);
    assert_eq!(case.tasks.len(), 1, "a pre-licence check opens with the case");
    assert_eq!(case.tasks[0].kind, TaskKind::PreLicenceCheck);

    let approve = |v: i64| decision("approve", v, json!({"valid_until": later()}));
    let open = app.decide(&w.officer_de, &id, approve(1)).await.unwrap_err();
    assert!(open.code == ErrorCode::Conflict && open.message.contains("still open"), "{}", open.message);
    let task = |v: i64| NewTask {
        kind: TaskKind::OnSiteVerification,
        assignee: "Embassy Beijing".into(),
        due_date: "2099-01-31".into(),
        version: v,
    };
    app.open_task(&w.officer_de, &id, task(1)).await.unwrap();
    let result = |outcome, v| TaskResult { outcome, report: "visited the end user's site".into(), version: v };
    app.close_task(&w.officer_de, &id, 0, result(TaskOutcome::Favourable, 2)).await.unwrap();
    assert_eq!(
        app.close_task(&w.officer_de, &id, 0, result(TaskOutcome::Favourable, 3)).await.unwrap_err().code,
        ErrorCode::Conflict
    );
    assert_eq!(
        app.close_task(&w.officer_de, &id, 9, result(TaskOutcome::Favourable, 3)).await.unwrap_err().code,
        ErrorCode::NotFound
    );
    app.close_task(&w.officer_de, &id, 1, result(TaskOutcome::Unfavourable, 3)).await.unwrap();
    let failed = app.decide(&w.officer_de, &id, approve(4)).await.unwrap_err();
    assert!(failed.message.contains("unfavourable"), "{}", failed.message);
    let refused = app
        .decide(&w.officer_de, &id, decision("refuse", 4, json!({"refusal_criteria": ["criterion 7: diversion risk"]})))
        .await
        .unwrap();
    assert_eq!(refused.status, CaseStatus::AwaitingCountersignature);
    let signed = app.countersign(&w.senior_de, &id, 5).await.unwrap();
    assert_eq!(signed.status, CaseStatus::Refused);
    assert!(signed.licence_id.is_none(), "a refusal issues no licence");

    // The refusal recorded a denial notification that every authority can read, and exporters cannot.
    let denial_id = signed.denial_id.clone().expect("a refusal records a denial");
    let denial = app.denial(&w.officer_us, &denial_id).await.unwrap();
    assert_eq!((denial.authority_id.as_str(), denial.reference.as_str()), ("DE-BAFA", id.as_str()));
    assert_eq!(denial.control_codes, ["3A001.a.1"]);
    assert_eq!(denial.refusal_criteria, ["criterion 7: diversion risk"]);
    assert_eq!((denial.destination.as_str(), denial.parties[0].name.as_str()), ("VE", CONSIGNEE));
    assert_eq!(denial.status, accord_core::denials::DenialStatus::Active);
    assert_eq!(denial.expires_on, denial.date.checked_add(jiff::Span::new().years(3)).unwrap());
    assert!(!denial.review_due);
    assert_eq!(app.denials(&w.officer_de, None).await.unwrap().len(), 1);

    // A legacy denial entered by hand, refused almost three years ago, asks for review before it expires.
    let today = jiff::Zoned::now().date();
    let old = today.checked_sub(jiff::Span::new().years(3)).unwrap().checked_add(jiff::Span::new().days(30)).unwrap();
    let legacy = serde_json::from_value(json!({"reference": "BAFA-2024-0042", "date": old.to_string(),
        "control_codes": ["5A002"], "item_description": "encryption modules", "destination": "ir",
        "refusal_criteria": ["criterion 2"], "parties": [{"role": "end_user", "name": "Example Telecom Co", "country": "IR"}]}))
    .unwrap();
    let recorded = app.create_denial(&w.officer_de, legacy).await.unwrap();
    assert_eq!(recorded.destination, "IR");
    assert!(app.denial(&w.officer_us, recorded.id.as_str()).await.unwrap().review_due);
    let mut bad: accord_core::denials::NewDenial = serde_json::from_value(json!({"reference": "x", "control_codes": ["5A002"],
        "item_description": "x", "destination": "XX", "refusal_criteria": ["c"], "parties": [{"role": "end_user", "name": "n"}]}))
    .unwrap();
    assert_eq!(app.create_denial(&w.officer_de, bad.clone()).await.unwrap_err().code, ErrorCode::UnknownCountry);
    bad.destination = "IR".into();
    bad.parties.clear();
    assert_eq!(app.create_denial(&w.officer_de, bad).await.unwrap_err().code, ErrorCode::ValidationFailed);
    assert_eq!(app.denials(&w.exporter, None).await.unwrap_err().code, ErrorCode::Forbidden);
    assert_eq!(
        app.denial(&w.officer_de, accord_core::ids::DenialId::generate().as_str()).await.unwrap_err().code,
        ErrorCode::NotFound
    );
    let events = app.audit_events(&operator(), 0, 1000).await.unwrap();
    assert!(events.iter().any(|e| e.kind == "denial.recorded" && e.subject == denial_id));
}

async fn a_trusted_exporter_is_approved_on_the_fast_track(backend: Backend) {
    use accord_app::ProfileRecord;
    use accord_core::cases::{CaseStatus, FastTrackSettings, Tier};
    let w = world(backend).await;
    let app = &w.app;
    let org = match &w.exporter {
        Principal::User(u) => u.organisation_id.clone().unwrap().to_string(),
        _ => unreachable!(),
    };
    let today = jiff::Zoned::now().date();
    let day = |n: i64| today.checked_add(jiff::Span::new().days(n)).unwrap().to_string();
    assert_eq!(app.profile(&w.exporter, &org).await.unwrap().tier, Tier::Standard);
    let certify = ProfileRecord::Certification { certified_on: day(-100), expires_on: day(600) };
    assert_eq!(app.record_profile(&w.exporter, &org, certify.clone()).await.unwrap_err().code, ErrorCode::Forbidden);
    app.record_profile(&w.officer_de, &org, certify).await.unwrap();
    let training =
        ProfileRecord::Training { person: "Ada Export".into(), course: "EU dual-use controls".into(), date: day(-10) };
    let view = app.record_profile(&w.exporter, &org, training).await.unwrap();
    assert_eq!(view.tier, Tier::Trusted);
    assert_eq!(app.profile(&w.officer_us, &org).await.unwrap().tier, Tier::Trusted, "every authority sees it");
    assert_eq!(app.profile(&w.other_exporter, &org).await.unwrap_err().code, ErrorCode::NotFound);

    let settings = FastTrackSettings { auto_approve: true, ..FastTrackSettings::default() };
    assert_eq!(
        app.set_fast_track(&w.officer_de, "DE-BAFA", settings.clone()).await.unwrap_err().code,
        ErrorCode::Forbidden
    );
    app.set_fast_track(&w.senior_de, "DE-BAFA", settings).await.unwrap();

    // A day the node holds the US facts for, and a paragraph whose reasons do not depend on a sub-item.
    let mut clean = application("CN", json!("3A001.a.2"), 5000.0);
    clean.transaction.date = "2026-08-03".into();
    clean.transaction.parties.clear();
    let applied = app.create_application(&w.exporter, clean, None, true).await.unwrap();
    let case_of =
        |j: &str| applied.application.outcomes.iter().find(|o| o.jurisdiction == j).unwrap().case_id.clone().unwrap();
    let eu = app.case(&w.officer_de, &case_of("EU")).await.unwrap();
    assert_eq!((eu.review_path.as_str(), eu.status), ("fast_track", CaseStatus::Approved), "{:?}", eu.risk_factors);
    assert!(eu.risk_factors.iter().any(|f| f.factor == "trust_tier" && f.points == -10));
    let licence = app.licence(&w.exporter, eu.licence_id.as_deref().unwrap()).await.unwrap();
    assert_eq!(licence.conditions, FastTrackSettings::default().conditions);
    let us = app.case(&w.officer_us, &case_of("US")).await.unwrap();
    assert_eq!(
        (us.review_path.as_str(), us.status, us.sla_target),
        ("fast_track", CaseStatus::Open, 5),
        "a short queue where no automatic approval is set"
    );

    let audit = ProfileRecord::Audit {
        date: day(-1),
        outcome: accord_core::cases::AuditOutcome::Failed,
        summary: "no screening records".into(),
    };
    assert_eq!(app.record_profile(&w.officer_de, &org, audit).await.unwrap().tier, Tier::Watch);
}

async fn a_list_update_raises_an_alert_on_open_cases_and_suspends_the_fast_track(backend: Backend) {
    use accord_app::ProfileRecord;
    use accord_core::cases::FastTrackSettings;
    let w = world(backend).await;
    let app = &w.app;
    app.import_list(&operator(), list(&[("E-1", "Unrelated Holdings Ltd")])).await.unwrap();
    let applied =
        app.create_application(&w.exporter, application("CN", json!("3A001.a.1"), 5000.0), None, true).await.unwrap();
    let case_id =
        applied.application.outcomes.iter().find(|o| o.jurisdiction == "EU").unwrap().case_id.clone().unwrap();
    assert!(app.case(&w.officer_de, &case_id).await.unwrap().alerts.is_empty());

    // The consignee is listed in the next version of the list.
    let listed = [("E-1", "Unrelated Holdings Ltd"), ("E-2", "Shanghai Example Trading Co., Ltd.")];
    app.import_list(&operator(), list(&listed)).await.unwrap();
    let case = app.case(&w.officer_de, &case_id).await.unwrap();
    assert_eq!(case.alerts.len(), 1, "{:?}", case.alerts);
    assert_eq!((case.alerts[0].list_id.as_str(), case.alerts[0].entity_id.as_str()), ("test_list", "E-2"));
    let version = case.version;
    app.import_list(&operator(), list(&[listed[0], listed[1], ("E-3", "Third Party GmbH")])).await.unwrap();
    let again = app.case(&w.officer_de, &case_id).await.unwrap();
    assert_eq!((again.alerts.len(), again.version), (1, version), "a known hit alerts once");

    // A trusted exporter with open alerts gets no automatic approval.
    let org = match &w.exporter {
        Principal::User(u) => u.organisation_id.clone().unwrap().to_string(),
        _ => unreachable!(),
    };
    let today = jiff::Zoned::now().date();
    let day = |n: i64| today.checked_add(jiff::Span::new().days(n)).unwrap().to_string();
    app.record_profile(
        &w.officer_de,
        &org,
        ProfileRecord::Certification { certified_on: day(-10), expires_on: day(300) },
    )
    .await
    .unwrap();
    app.record_profile(
        &w.exporter,
        &org,
        ProfileRecord::Training { person: "A".into(), course: "C".into(), date: day(-1) },
    )
    .await
    .unwrap();
    app.set_fast_track(
        &w.senior_de,
        "DE-BAFA",
        FastTrackSettings { auto_approve: true, ..FastTrackSettings::default() },
    )
    .await
    .unwrap();
    // A day the node holds the US facts for, and a paragraph whose reasons do not depend on a sub-item.
    let mut clean = application("CN", json!("3A001.a.2"), 5000.0);
    clean.transaction.date = "2026-08-03".into();
    clean.transaction.parties.clear();
    let next = app.create_application(&w.exporter, clean, None, true).await.unwrap();
    let eu = next.application.outcomes.iter().find(|o| o.jurisdiction == "EU").unwrap();
    assert!(eu.note.contains("suspended"), "{}", eu.note);
    let case = app.case(&w.officer_de, eu.case_id.as_deref().unwrap()).await.unwrap();
    assert_eq!((case.review_path.as_str(), case.status), ("fast_track", accord_core::cases::CaseStatus::Open));
}

/// Quantities and values are exact decimals: tenths add up to a whole and every value keeps its currency's minor unit.
async fn quantities_and_values_add_up_exactly_and_keep_the_currency_minor_unit(backend: Backend) {
    let w = world(backend).await;
    let (app, dates) = (&w.app, dates());
    let mut yen = application("CN", json!("3A001.a.1"), 1500.5);
    yen.transaction.items[0].currency = Some("JPY".into());
    let e = app.create_application(&w.exporter, yen, None, true).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::ValidationFailed);
    assert!(e.message.contains("items[0].value") && e.message.contains("no minor unit"), "{}", e.message);
    let mut written = application("CN", json!("3A001.a.1"), 0.0);
    written.transaction.items[0] = serde_json::from_value(json!(
        {"code": "3A001.a.1", "description": "ICs", "quantity": 1, "value": "0.30", "currency": "EUR", "origin": "US"}
    ))
    .unwrap();
    let applied = app.create_application(&w.exporter, written, None, true).await.unwrap();
    let eu = applied.application.outcomes.iter().find(|o| o.jurisdiction == "EU").unwrap();
    let case = eu.case_id.clone().unwrap();

    let finer = decision(
        "approve",
        1,
        json!({"valid_from": dates.from, "valid_until": dates.until,
        "items": [{"item": 0, "quantity": 1, "value": 0.295}]}),
    );
    let e = app.decide(&w.officer_de, &case, finer).await.unwrap_err();
    assert!(e.message.contains("at most 2"), "{}", e.message);
    let approve = decision("approve", 1, json!({"valid_from": dates.from, "valid_until": dates.until}));
    let licence = app.decide(&w.officer_de, &case, approve).await.unwrap().licence_id.unwrap();
    let l = app.licence(&w.exporter, &licence).await.unwrap();
    assert_eq!((l.items[0].quantity, l.items[0].value), (dec("1"), dec("0.3")), "the string value is read exactly");

    let e = app.report_shipment(&w.exporter, &licence, shipment(&dates.inside, 0.1, 0.005, CONSIGNEE)).await;
    assert!(e.unwrap_err().message.contains("EUR has 2 decimal places"));
    for _ in 0..8 {
        app.report_shipment(&w.exporter, &licence, shipment(&dates.inside, 0.1, 0.0, CONSIGNEE)).await.unwrap();
    }
    // 0.1 + 0.2 is above 0.3 in binary floating point; here it is exactly the value licensed.
    app.report_shipment(&w.exporter, &licence, shipment(&dates.inside, 0.1, 0.1, CONSIGNEE)).await.unwrap();
    let e = app.report_shipment(&w.exporter, &licence, shipment(&dates.inside, 0.1, 0.21, CONSIGNEE)).await;
    assert!(e.unwrap_err().message.contains("exceeds the 0.2 left"), "the value is drawn to the cent");
    let (_, after) =
        app.report_shipment(&w.exporter, &licence, shipment(&dates.inside, 0.1, 0.2, CONSIGNEE)).await.unwrap();
    assert_eq!((after.items[0].used_quantity, after.items[0].used_value), (dec("1"), dec("0.3")));
    assert_eq!(after.status, accord_core::licences::LicenceStatus::Exhausted, "ten tenths are exactly one");
    let bad = serde_json::from_value::<accord_core::licences::NewShipment>(json!({
        "date": dates.inside, "items": [{"item": 0, "quantity": 0.0000001, "value": 0}],
        "consignee": CONSIGNEE, "transport_document": "AWB 1"
    }));
    assert!(bad.unwrap_err().to_string().contains("more than 6 decimal places"));
}

accord_testing::on_both_backends!(
    quantities_and_values_add_up_exactly_and_keep_the_currency_minor_unit,
    a_list_update_raises_an_alert_on_open_cases_and_suspends_the_fast_track,
    a_trusted_exporter_is_approved_on_the_fast_track,
    enhanced_due_diligence_with_a_failed_on_site_check_ends_in_a_countersigned_refusal,
    any_raise_of_an_enhanced_due_diligence_licence_waits_for_a_countersignature,
    a_submission_opens_one_case_per_authority_and_a_retry_creates_nothing,
    drafts_are_submitted_once_and_bad_input_stores_nothing,
    officers_decide_once_and_refusals_need_a_second_senior_officer,
    licences_are_drawn_down_by_shipments_and_never_overdrawn
);
