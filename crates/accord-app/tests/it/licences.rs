//! Licence kinds beyond the individual licence, amendments and documents, on SQLite and PostgreSQL: a
//! joint-development roster whose additions are screened and determined as deemed exports; a global licence for a
//! trusted exporter's several destinations; officers' amendments; document files checked and stored once.

use crate::support::*;
use accord_app::ProfileRecord;
use accord_core::ErrorCode;
use accord_core::cases::NewApplication;
use accord_core::decimal::Decimal;
use accord_core::determination::Outcome;
use accord_core::licences::{
    AmendmentDecision, AmendmentStatus, AmendmentVerdict, LicenceKind, LicenceStatus, NewAmendment, Participant,
    RosterStatus,
};
use accord_core::principal::Principal;
use accord_store::Backend;
use serde_json::{Value, json};
use sha2::Digest;

fn participant(name: &str, nationality: &str, kind: &str) -> Participant {
    Participant {
        name: name.into(),
        r#type: Some(kind.into()),
        nationality: nationality.into(),
        role: "researcher".into(),
        organisation: None,
    }
}

fn joint_development() -> NewApplication {
    serde_json::from_value(json!({
        "transaction": {"date": "2025-12-01", "origin": "DE", "destination": "FR",
            "end_use": {"category": "civil", "statement": "joint research on radar front ends"},
            "items": [{"code": "3E001", "description": "development technology for radar ICs", "quantity": 1, "value": 0, "currency": "EUR"}],
            "parties": [{"role": "consignee", "name": "Institut Exemple de Recherche", "country": "FR", "type": "organization"}]},
        "end_use_statement": "A civil research project on automotive radar",
        "licence": {"kind": "joint_development", "project": {
            "name": "RADAR-FE", "end_use_constraints": ["civil automotive research only"],
            "participants": [
                {"name": "Institut Exemple de Recherche", "nationality": "FR", "role": "partner"},
                {"name": "Li Wei", "type": "person", "nationality": "CN", "role": "researcher", "organisation": "Institut Exemple de Recherche"}
            ]}}
    }))
    .unwrap()
}

fn transfer(date: &str, to: &str) -> accord_core::licences::NewShipment {
    serde_json::from_value(json!({
        "date": date, "items": [{"item": 0, "quantity": 0.1, "value": 0}], "consignee": to,
        "transport_document": "secure file transfer 2026-117"
    }))
    .unwrap()
}

fn org_of(p: &Principal) -> String {
    match p {
        Principal::User(u) => u.organisation_id.clone().unwrap().to_string(),
        _ => unreachable!(),
    }
}

async fn a_joint_development_roster_change_needs_an_amendment_when_the_transfer_needs_a_licence(backend: Backend) {
    let w = world(backend).await;
    let app = &w.app;
    let dates = dates();
    // Parties can be screened against the EU's own list (without it every transfer is assumed to need a licence).
    app.import_list(&operator(), list_named("eu_journal", &[("E-1", "Unrelated Holdings Ltd")])).await.unwrap();
    let applied = app.create_application(&w.exporter, joint_development(), None, true).await.unwrap();
    let eu = applied.application.outcomes.iter().find(|o| o.jurisdiction == "EU").unwrap();
    assert_eq!(eu.outcome, Outcome::LicenceRequired, "the Chinese researcher makes it an export to China: {eu:?}");
    let case = eu.case_id.clone().unwrap();
    let approve = decision("approve", 1, json!({"valid_from": dates.from, "valid_until": dates.until}));
    let lic = app.decide(&w.officer_de, &case, approve).await.unwrap().licence_id.unwrap();
    let l = app.licence(&w.exporter, &lic).await.unwrap();
    assert_eq!((l.kind, l.project.as_deref(), l.roster.len()), (LicenceKind::JointDevelopment, Some("RADAR-FE"), 2));
    assert!(l.conditions.iter().any(|c| c.contains("civil automotive research only")), "{:?}", l.conditions);
    assert!(l.roster.iter().all(|r| r.status == RosterStatus::Active));

    // A French participant: an intra-EU transfer needs no licence, so the addition takes effect at once.
    let l =
        app.add_participant(&w.exporter, &lic, participant("Université Exemple", "FR", "organization")).await.unwrap();
    let a = l.amendments.last().unwrap();
    assert_eq!(
        (a.number, a.status, a.outcome.map(Outcome::as_str)),
        (1, AmendmentStatus::Applied, Some("no_licence_required"))
    );
    assert_eq!(l.roster[2].status, RosterStatus::Active);

    // An Indian researcher: the deemed export to India needs a licence, so the addition waits for review.
    let l = app.add_participant(&w.exporter, &lic, participant("Ravi Kumar", "IN", "person")).await.unwrap();
    let a = l.amendments.last().unwrap().clone();
    assert_eq!(
        (a.number, a.status, a.outcome.map(Outcome::as_str)),
        (2, AmendmentStatus::PendingReview, Some("licence_required"))
    );
    assert!(a.review_reasons[0].contains("deemed export"), "{:?}", a.review_reasons);
    assert_eq!(l.roster[3].status, RosterStatus::PendingReview);
    let e = app.report_shipment(&w.exporter, &lic, transfer(&dates.inside, "Ravi Kumar")).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::ShipmentRefused, "no transfer before the amendment is approved");

    // Bad input and wrong roles change nothing.
    let again = app.add_participant(&w.exporter, &lic, participant("RAVI  KUMAR", "IN", "person")).await;
    assert_eq!(again.unwrap_err().code, ErrorCode::AlreadyExists);
    let bad = app.add_participant(&w.exporter, &lic, participant("Nobody", "XX", "person")).await.unwrap_err();
    assert_eq!(
        (bad.code, bad.details.unwrap()["field"].as_str()),
        (ErrorCode::UnknownCountry, Some("participant.nationality"))
    );
    let banned = app.add_participant(&w.exporter, &lic, participant("Ivan Petrov", "RU", "person")).await.unwrap_err();
    assert!(banned.message.contains("prohibited"), "{}", banned.message);
    let forbidden = app.add_participant(&w.officer_de, &lic, participant("X", "FR", "person")).await;
    assert_eq!(forbidden.unwrap_err().code, ErrorCode::Forbidden);
    let verdict = |decision| AmendmentDecision { decision, reason: "end user vetted by the embassy".into() };
    let by_exporter = app.decide_amendment(&w.exporter, &lic, 2, verdict(AmendmentVerdict::Approve)).await;
    assert_eq!(by_exporter.unwrap_err().code, ErrorCode::Forbidden);
    let by_other = app.decide_amendment(&w.officer_us, &lic, 2, verdict(AmendmentVerdict::Approve)).await;
    assert_eq!(by_other.unwrap_err().code, ErrorCode::NotFound);
    let applied_one = app.decide_amendment(&w.officer_de, &lic, 1, verdict(AmendmentVerdict::Approve)).await;
    assert_eq!(applied_one.unwrap_err().code, ErrorCode::Conflict, "amendment 1 took effect without review");
    assert_eq!(app.licence(&w.exporter, &lic).await.unwrap().amendments.len(), 2);

    // The issuing authority approves; technology may go to the new researcher now.
    let l = app.decide_amendment(&w.officer_de, &lic, 2, verdict(AmendmentVerdict::Approve)).await.unwrap();
    assert_eq!((l.amendments[1].status, l.roster[3].status), (AmendmentStatus::Approved, RosterStatus::Active));
    app.report_shipment(&w.exporter, &lic, transfer(&dates.inside, "Ravi Kumar")).await.unwrap();

    // New conditions alone leave a licence with no value limit active.
    let conditions = NewAmendment {
        reason: "reporting duty".into(),
        valid_until: None,
        conditions: Some(vec!["report each transfer".into()]),
        items: Vec::new(),
    };
    assert_eq!(app.amend_licence(&w.officer_de, &lic, conditions).await.unwrap().status, LicenceStatus::Active);

    // Removing a participant is recorded, and nothing more may go to them.
    let l = app.remove_participant(&w.exporter, &lic, 1, "left the project").await.unwrap();
    assert_eq!((l.roster[1].status, l.roster[1].reason.as_deref()), (RosterStatus::Removed, Some("left the project")));
    assert_eq!(l.amendments.last().unwrap().kind, accord_core::licences::AmendmentKind::ParticipantRemoved);
    let e = app.report_shipment(&w.exporter, &lic, transfer(&dates.inside, "Li Wei")).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::ShipmentRefused);
    assert_eq!(app.remove_participant(&w.exporter, &lic, 1, "again").await.unwrap_err().code, ErrorCode::Conflict);
    assert_eq!(app.remove_participant(&w.exporter, &lic, 40, "x").await.unwrap_err().code, ErrorCode::NotFound);
    let kinds: Vec<String> =
        app.audit_events(&operator(), 0, 1000).await.unwrap().into_iter().map(|e| e.kind).collect();
    for kind in [
        "licence.participant_added",
        "licence.amendment_requested",
        "licence.amendment_approved",
        "licence.participant_removed",
    ] {
        assert!(kinds.iter().any(|k| k == kind), "{kind} is audited");
    }
    assert!(app.verify_audit(&operator()).await.unwrap().ok);
}

fn global(destinations: Value) -> NewApplication {
    let mut a = application("CN", json!("3A001.a.1"), 50000.0);
    a.transaction.parties = serde_json::from_value(json!([
        {"role": "consignee", "name": CONSIGNEE, "country": "CN", "type": "organization"},
        {"role": "consignee", "name": "Bangalore Example Systems Pvt Ltd", "country": "IN", "type": "organization"}
    ]))
    .unwrap();
    a.transaction.items[0].quantity = Some(Decimal::from_int(100));
    a.licence = serde_json::from_value(json!({"kind": "global", "destinations": destinations})).unwrap();
    a
}

async fn a_global_licence_is_for_trusted_exporters_and_covers_each_named_destination(backend: Backend) {
    let w = world(backend).await;
    let app = &w.app;
    let dates = dates();
    let org = org_of(&w.exporter);
    let e = app.create_application(&w.exporter, global(json!(["IN"])), None, true).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::NotEligible, "{}", e.message);
    let mut two = global(json!([]));
    two.licence = Default::default();
    let e = app.create_application(&w.exporter, two, None, false).await.unwrap_err();
    assert!(e.message.contains("one consignee"), "an individual licence has one consignee: {}", e.message);
    assert!(app.applications(&w.exporter).await.unwrap().is_empty(), "nothing was stored");

    let today = jiff::Zoned::now().date();
    let day = |n: i64| today.checked_add(jiff::Span::new().days(n)).unwrap().to_string();
    let certify = ProfileRecord::Certification { certified_on: day(-100), expires_on: day(600) };
    app.record_profile(&w.officer_de, &org, certify).await.unwrap();
    let training = ProfileRecord::Training { person: "Ada".into(), course: "dual-use".into(), date: day(-5) };
    app.record_profile(&w.exporter, &org, training).await.unwrap();

    let e = app.create_application(&w.exporter, global(json!(["XX"])), None, true).await.unwrap_err();
    assert_eq!(
        (e.code, e.details.unwrap()["field"].as_str()),
        (ErrorCode::UnknownCountry, Some("licence.destinations[0]"))
    );
    let e = app.create_application(&w.exporter, global(json!(["cn"])), None, true).await.unwrap_err();
    assert!(e.message.contains("named twice"), "{}", e.message);

    let applied = app.create_application(&w.exporter, global(json!(["IN"])), None, true).await.unwrap();
    let eu = applied.application.outcomes.iter().find(|o| o.jurisdiction == "EU").unwrap();
    assert_eq!(
        (eu.outcome.as_str(), eu.destinations.clone()),
        ("licence_required", vec!["CN".to_owned(), "IN".to_owned()])
    );
    let approve = decision(
        "approve",
        1,
        json!({"valid_from": dates.from, "valid_until": dates.until,
        "items": [{"item": 0, "quantity": 10, "value": 5000}]}),
    );
    let lic = app.decide(&w.officer_de, eu.case_id.as_deref().unwrap(), approve).await.unwrap().licence_id.unwrap();
    let l = app.licence(&w.exporter, &lic).await.unwrap();
    assert_eq!((l.kind, l.destinations.clone()), (LicenceKind::Global, vec!["CN".to_owned(), "IN".to_owned()]));

    let to = |dest: &str, consignee: &str, q: f64| {
        let mut s = shipment(&dates.inside, q, q * 500.0, consignee);
        s.destination = Some(dest.into());
        s
    };
    app.report_shipment(&w.exporter, &lic, to("IN", "Bangalore Example Systems Pvt Ltd", 4.0)).await.unwrap();
    let e = app.report_shipment(&w.exporter, &lic, to("BR", CONSIGNEE, 1.0)).await.unwrap_err();
    assert!(e.code == ErrorCode::ShipmentRefused && e.message.contains("'BR' is not on licence"), "{}", e.message);
    let l = app.report_shipment(&w.exporter, &lic, to("CN", CONSIGNEE, 6.0)).await.unwrap().1;
    assert_eq!(l.status, LicenceStatus::Exhausted, "the stated limits are shared by every destination");

    // The authority raises the limits and extends the licence; it is usable again.
    let amend = |items: Value, until: &str| NewAmendment {
        reason: "second project phase".into(),
        valid_until: Some(until.into()),
        conditions: None,
        items: serde_json::from_value(items).unwrap(),
    };
    let below =
        app.amend_licence(&w.officer_de, &lic, amend(json!([{"item": 0, "quantity": 5, "value": 5000}]), &dates.until));
    assert_eq!(below.await.unwrap_err().code, ErrorCode::ValidationFailed, "never below what was shipped");
    let backwards = app.amend_licence(&w.officer_de, &lic, amend(json!([]), &dates.before)).await.unwrap_err();
    assert!(backwards.message.contains("must lie between the licence's first day"), "{}", backwards.message);
    let by_exporter = app.amend_licence(&w.exporter, &lic, amend(json!([]), &dates.after)).await;
    assert_eq!(by_exporter.unwrap_err().code, ErrorCode::Forbidden);
    // Raising above what was applied for, and extending, waits for a second, senior officer.
    let asked = app
        .amend_licence(&w.officer_de, &lic, amend(json!([{"item": 0, "quantity": 20, "value": 10000}]), &dates.after))
        .await
        .unwrap();
    assert_eq!(
        (asked.status, asked.items[0].quantity),
        (LicenceStatus::Exhausted, Decimal::from_int(10)),
        "nothing changed yet"
    );
    assert_eq!(asked.amendments[0].status, AmendmentStatus::PendingReview);
    assert!(asked.amendments[0].review_reasons[0].starts_with("extends the validity"), "{:?}", asked.amendments[0]);
    let verdict =
        |decision: &str| serde_json::from_value(json!({"decision": decision, "reason": "second phase checked"}));
    let by_officer = app.decide_amendment(&w.officer_de, &lic, 1, verdict("approve").unwrap()).await.unwrap_err();
    assert_eq!(by_officer.code, ErrorCode::Forbidden, "an officer does not countersign");
    let l = app.decide_amendment(&w.senior_de, &lic, 1, verdict("approve").unwrap()).await.unwrap();
    assert_eq!(
        (l.status, l.valid_until.to_string().as_str(), l.items[0].quantity),
        (LicenceStatus::Active, dates.after.as_str(), Decimal::from_int(20))
    );
    assert_eq!(l.amendments[0].status, AmendmentStatus::Approved);
    app.report_shipment(&w.exporter, &lic, to("CN", CONSIGNEE, 1.0)).await.unwrap();
    let jd = app.add_participant(&w.exporter, &lic, participant("X", "FR", "person")).await.unwrap_err();
    assert!(jd.message.contains("only a joint-development licence"), "{}", jd.message);
}

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

async fn document_files_are_checked_against_their_type_and_hash_and_stored_once(backend: Backend) {
    let w = world(backend).await;
    let app = &w.app;
    let mut a = application("CN", json!("3A001.a.1"), 5000.0);
    a.documents[0].sha256 = accord_core::audit::hex(&sha2::Sha256::digest(PDF));
    let id = app.create_application(&w.exporter, a, None, false).await.unwrap().application.id.to_string();
    let upload = |ct: &'static str, bytes: &[u8]| app.upload_document(&w.exporter, &id, 0, ct, bytes.to_vec());

    let e = upload("text/html", PDF).await.unwrap_err();
    assert!(e.code == ErrorCode::DocumentRejected && e.message.contains("not accepted"), "{}", e.message);
    let e = upload("image/png", PDF).await.unwrap_err();
    assert!(e.code == ErrorCode::DocumentRejected && e.message.contains("is not image/png"), "{}", e.message);
    let e = upload("application/pdf", b"%PDF-1.4 another file").await.unwrap_err();
    assert!(e.code == ErrorCode::DocumentRejected && e.message.contains("declared with"), "{}", e.message);
    let mut huge = PDF.to_vec();
    huge.resize(accord_app::MAX_DOCUMENT_BYTES + 1, b' ');
    assert_eq!(upload("application/pdf", &huge).await.unwrap_err().code, ErrorCode::PayloadTooLarge);
    let e = app.upload_document(&w.exporter, &id, 3, "application/pdf", PDF.to_vec()).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::NotFound, "only declared documents take a file");
    let e = app.upload_document(&w.other_exporter, &id, 0, "application/pdf", PDF.to_vec()).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::NotFound, "another organisation does not see the application");
    assert!(app.documents(&w.exporter, &id).await.unwrap()[0].upload.is_none(), "nothing was stored");

    let (view, created) = upload("application/pdf; charset=binary", PDF).await.unwrap();
    assert!(created);
    assert_eq!(
        view.upload.as_ref().map(|u| (u.content_type.as_str(), u.size)),
        Some(("application/pdf", PDF.len() as u64))
    );
    let (_, created) = upload("application/pdf", PDF).await.unwrap();
    assert!(!created, "the same file again stores nothing");
    let file = app.document_file(&w.officer_de, &id, 0).await.unwrap();
    assert_eq!((file.content.as_slice(), file.content_type.as_str()), (PDF, "application/pdf"));
    let uploads = app
        .audit_events(&operator(), 0, 1000)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == "application.document_uploaded")
        .count();
    assert_eq!(uploads, 1);
}

accord_testing::on_both_backends!(
    a_joint_development_roster_change_needs_an_amendment_when_the_transfer_needs_a_licence,
    a_global_licence_is_for_trusted_exporters_and_covers_each_named_destination,
    document_files_are_checked_against_their_type_and_hash_and_stored_once
);
