//! Three allied nodes in one process, each on its own database and loopback port, replicating over HTTP: a denial
//! at one reaches the others; a matching case elsewhere is blocked until consultation; an objection and an approval
//! anyway send a notice to all; a node stopped mid-sync catches up with every envelope exactly once; forged,
//! replayed and tampered envelopes are rejected with their reason and stop the peer, while foreign and malformed ones
//! are quarantined alone; a peer that claims an ally's record id cuts nothing.

use accord_app::App;
use accord_core::ErrorCode;
use accord_core::denials::AnswerKind;
use accord_core::federation::{Envelope, NodeKey, Rejection};
use accord_store::Backend;
use accord_testing::nodes::{connect, denial, node, operator, replicate};
use serde_json::json;
use std::time::{Duration, Instant};

const CONSIGNEE: &str = "Shanghai Example Trading Co., Ltd.";

/// Waits (at most 30 s, for slow machines) until `check` holds.
/// A last day a licence may have: the end of June two years on (within the longest validity whenever the test runs).
fn licence_end() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    format!("{}-06-30", 1970 + secs / 31_556_952 + 2)
}

async fn eventually<F: AsyncFn() -> bool>(what: &str, check: F) {
    let start = Instant::now();
    while !check().await {
        assert!(start.elapsed() < Duration::from_secs(30), "{what} did not happen within 30 s");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn load_controls(app: &App) {
    accord_testing::data::import_controls(app, "2021-01-01", false).await;
    app.ensure_policies(&operator()).await.unwrap();
}

async fn a_denial_blocks_an_allied_approval_until_consulted_and_an_approval_anyway_is_notified(backend: Backend) {
    let (a, b, c) = (
        node(backend, "DE-BAFA", "DE").await,
        node(backend, "FR-SBDU", "FR").await,
        node(backend, "NL-CDIU", "NL").await,
    );
    connect(&[&a, &b, &c]).await;
    let tasks = [replicate(&a), replicate(&b), replicate(&c)];
    load_controls(&b.app).await;

    // A denies; B and C learn of it.
    let denied = a.app.create_denial(&a.officer, denial("DE-2026-117", CONSIGNEE)).await.unwrap();
    let id = denied.id.to_string();
    for n in [&b, &c] {
        eventually("the denial reaches the allies", async || n.app.denial(&n.officer, &id).await.is_ok()).await;
    }
    let seen = b.app.denial(&b.officer, &id).await.unwrap();
    assert_eq!((seen.authority_id.as_str(), seen.reference.as_str()), ("DE-BAFA", "DE-2026-117"));
    let found = c.app.denials(&c.officer, Some("SHANGHAI EXAMPLE TRADING CO LTD")).await.unwrap();
    assert_eq!(
        found.first().map(|m| m.denial.id.to_string()),
        Some(id.clone()),
        "party names are searched by screening"
    );

    // B's exporter applies for an essentially identical transaction: the case is flagged.
    let application = serde_json::from_value(json!({
        "transaction": {"date": "2025-12-01", "origin": "FR", "destination": "CN", "end_use": {"category": "civil"},
            "items": [{"code": "3A001.a.1", "description": "ICs", "quantity": 10, "value": 5000, "currency": "EUR"}],
            "parties": [{"role": "consignee", "name": "Shanghai Example Trading Co Ltd", "country": "CN"}]},
        "end_use_statement": "Automotive radar"
    }))
    .unwrap();
    let applied = b.app.create_application(&b.exporter, application, None, true).await.unwrap();
    let case_id = applied.application.outcomes[0].case_id.clone().unwrap();
    let case = b.app.case(&b.officer, &case_id).await.unwrap();
    assert_eq!(case.denial_matches, vec![id.clone()]);
    assert!(case.risk_factors.iter().any(|f| f.factor == "allied_denial" && f.points == 30), "{:?}", case.risk_factors);
    let approve = |v: i64| {
        serde_json::from_value(json!({"kind": "approve", "reason": "civil end use verified on site", "version": v, "valid_until": licence_end()}))
            .unwrap()
    };
    let blocked = b.app.decide(&b.officer, &case_id, approve(1)).await.unwrap_err();
    assert_eq!(blocked.code, ErrorCode::ConsultationRequired, "{}", blocked.message);

    // B consults A; until A answers (or the deadline passes) B still cannot approve.
    let consultation =
        b.app.open_consultation(&b.officer, &case_id, &id, "Same consignee: any objection?").await.unwrap();
    let con = consultation.consultation.id.clone();
    assert_eq!(b.app.decide(&b.officer, &case_id, approve(1)).await.unwrap_err().code, ErrorCode::ConsultationRequired);
    eventually("the consultation reaches A", async || a.app.consultation(&a.officer, &con).await.is_ok()).await;
    // C, not consulted, takes B's envelope as a stub: its sequence goes on, the case stays unseen.
    let head = b.app.federation_status(&operator()).await.unwrap().outbox_head;
    eventually("C takes B's stub", async || {
        let status = c.app.federation_status(&operator()).await.unwrap();
        status.peers.iter().any(|p| p.peer.authority_id == "FR-SBDU" && p.peer.last_seq == head)
    })
    .await;
    let by_c = c.app.answer_consultation(&c.officer, &con, AnswerKind::NoObjection, "fine").await;
    assert_eq!(by_c.unwrap_err().code, ErrorCode::NotFound, "a consultation is delivered to the consulted only");
    a.app
        .answer_consultation(&a.officer, &con, AnswerKind::Objection, "the consignee diverted radar ICs in 2025")
        .await
        .unwrap();
    eventually("the objection reaches B", async || {
        b.app.consultation(&b.officer, &con).await.unwrap().answer.is_some_and(|x| x.kind == AnswerKind::Objection)
    })
    .await;

    // B approves anyway: a notice with B's reasons goes to A and C.
    let approved = b.app.decide(&b.officer, &case_id, approve(1)).await.unwrap();
    assert_eq!(approved.status, accord_core::cases::CaseStatus::Approved);
    for n in [&a, &c] {
        eventually("the notice reaches the allies", async || !n.app.notices(&n.officer).await.unwrap().is_empty())
            .await;
        let notice = n.app.notices(&n.officer).await.unwrap().remove(0);
        assert_eq!((notice.authority_id.as_str(), notice.circumstance.as_str()), ("FR-SBDU", "objection"));
        assert_eq!(notice.reasons, "civil end use verified on site");
        assert_eq!(notice.denial_ids, vec![id.clone()]);
    }

    // A revokes its denial; the allies hold the new version.
    let revoke =
        serde_json::from_value(json!({"action": "revoke", "version": 1, "reason": "consignee delisted"})).unwrap();
    a.app.change_denial(&a.officer, &id, revoke).await.unwrap();
    eventually("the revocation reaches C", async || {
        c.app.denial(&c.officer, &id).await.unwrap().status == accord_core::denials::DenialStatus::Revoked
    })
    .await;
    let foreign = serde_json::from_value(json!({"action": "renew", "version": 2})).unwrap();
    assert_eq!(c.app.change_denial(&c.officer, &id, foreign).await.unwrap_err().code, ErrorCode::Forbidden);

    // A risk assessment published by C is endorsed by A and seen by B with the endorsement.
    let assessment = serde_json::from_value(json!({"subject_kind": "end_user", "subject": CONSIGNEE, "level": "high",
        "summary": "procurement front for a military research institute", "evidence": ["NL-CDIU report 2026/14"],
        "valid_until": "2099-01-01"}))
    .unwrap();
    let ras = c.app.publish_assessment(&c.officer, assessment).await.unwrap().assessment.id;
    eventually("the assessment reaches A", async || !a.app.assessments(&a.officer).await.unwrap().is_empty()).await;
    a.app.endorse_assessment(&a.officer, &ras, "consistent with our own findings").await.unwrap();
    eventually("the endorsement reaches B", async || {
        b.app.assessments(&b.officer).await.unwrap().iter().any(|v| v.assessment.id == ras && v.endorsements.len() == 1)
    })
    .await;

    // An exporter audit recorded at B is visible at C.
    let audit = accord_app::ProfileRecord::Audit {
        date: "2026-06-01".into(),
        outcome: accord_core::cases::AuditOutcome::Passed,
        summary: "screening records complete".into(),
    };
    b.app.record_profile(&b.officer, &b.org, audit).await.unwrap();
    eventually("the audit reaches C", async || {
        c.app
            .verifications(&c.officer)
            .await
            .unwrap()
            .iter()
            .any(|v| v.kind == accord_core::denials::VerificationKind::ExporterAudit && v.authority_id == "FR-SBDU")
    })
    .await;

    for n in [&a, &b, &c] {
        let status = n.app.federation_status(&operator()).await.unwrap();
        assert!(status.rejections.is_empty(), "{}: {:?}", n.authority, status.rejections);
        assert!(n.app.verify_audit(&operator()).await.unwrap().ok);
    }
    for t in tasks {
        t.abort();
    }
}

async fn a_node_stopped_during_sync_catches_up_with_every_envelope_exactly_once(backend: Backend) {
    let (a, b) = (node(backend, "DE-BAFA", "DE").await, node(backend, "FR-SBDU", "FR").await);
    connect(&[&a, &b]).await;
    let total = 1500;
    for i in 0..total {
        a.app.create_denial(&a.officer, denial(&format!("DE-{i}"), &format!("Front Company {i} Ltd"))).await.unwrap();
    }
    // B starts pulling in pages of 50 and is stopped mid-way (the task dropped, as a killed process would be).
    let peer = b.app.peers().await.unwrap().remove(0);
    let app = b.app.clone();
    let puller = tokio::spawn(async move { accord_federation::pull_pages(&app, &peer, 50).await.unwrap() });
    eventually("B starts receiving", async || b.app.peers().await.unwrap()[0].last_seq > 0).await;
    puller.abort();
    let partial = b.app.peers().await.unwrap()[0].last_seq;
    assert!(partial < total, "stopped before the end ({partial})");
    // Restarted, it catches up; every envelope is applied exactly once.
    let again = replicate(&b);
    eventually("B catches up", async || b.app.peers().await.unwrap()[0].last_seq == total).await;
    again.abort();
    assert_eq!(b.app.denials(&b.officer, None).await.unwrap().len(), total as usize);
    let status = b.app.federation_status(&operator()).await.unwrap();
    assert_eq!((status.peers[0].received, status.peers[0].lag), (total, 0));
    assert!(b.app.verify_audit(&operator()).await.unwrap().ok);
}

async fn forged_replayed_and_tampered_envelopes_stop_the_peer_and_content_faults_are_quarantined(backend: Backend) {
    let (a, b, c) = (
        node(backend, "DE-BAFA", "DE").await,
        node(backend, "FR-SBDU", "FR").await,
        node(backend, "NL-CDIU", "NL").await,
    );
    connect(&[&a, &b, &c]).await;
    let d = a.app.create_denial(&a.officer, denial("DE-1", CONSIGNEE)).await.unwrap();
    let now = accord_core::now();
    let seal = |key: &NodeKey, sender: &str, seq: i64, payload: serde_json::Value| {
        Envelope::seal(key, sender, seq, now, "denial", payload)
    };
    let good = serde_json::to_value(&d).unwrap();
    let stranger = NodeKey::generate().unwrap();
    let mut tampered = seal(&a.key, "DE-BAFA", 1, good.clone());
    tampered.payload["destination"] = json!("IR");
    let mut future = seal(&a.key, "DE-BAFA", 1, good.clone());
    future.created_at = "2099-01-01T00:00:00.000000Z".into();
    future.signature = a.key.sign(future.signed_bytes().as_bytes());
    let own = b.app.create_denial(&b.officer, denial("FR-7", "Other Party Ltd")).await.unwrap();
    // Signature, sender and sequence failures stop the peer: nothing is applied, the cursor stays.
    let stops: Vec<(Envelope, Rejection)> = vec![
        (seal(&stranger, "DE-BAFA", 1, good.clone()), Rejection::BadSignature),
        (seal(&c.key, "DE-BAFA", 1, good.clone()), Rejection::KeyOfAnotherAuthority),
        (tampered, Rejection::TamperedPayload),
        (seal(&stranger, "XX-NOBODY", 1, good.clone()), Rejection::UnknownSender),
        (seal(&c.key, "NL-CDIU", 1, good.clone()), Rejection::WrongSender),
        (seal(&a.key, "DE-BAFA", 7, good.clone()), Rejection::OutOfWindow),
        (future, Rejection::ClockSkew),
    ];
    for (envelope, reason) in stops {
        let report = b.app.receive("DE-BAFA", &[envelope, seal(&a.key, "DE-BAFA", 2, good.clone())]).await.unwrap();
        assert_eq!((report.applied, report.last_seq), (0, 0), "{reason:?}");
        assert_eq!(report.rejected.iter().map(|r| r.reason).collect::<Vec<_>>(), vec![reason], "{:?}", report.rejected);
        assert!(!report.rejected[0].quarantined, "{reason:?} stops the peer");
        assert_eq!(b.app.denials(&b.officer, None).await.unwrap().len(), 1, "nothing applied after {reason:?}");
    }
    // Content faults are quarantined one by one; the genuine envelope after them applies.
    let mut foreign_denial = good.clone();
    foreign_denial["authority_id"] = json!("NL-CDIU");
    let content = vec![
        seal(&a.key, "DE-BAFA", 1, foreign_denial),
        seal(&a.key, "DE-BAFA", 2, json!({"not": "a denial"})),
        Envelope::seal(&a.key, "DE-BAFA", 3, now, "gossip", good.clone()),
        seal(&a.key, "DE-BAFA", 4, good.clone()),
    ];
    let report = b.app.receive("DE-BAFA", &content).await.unwrap();
    assert_eq!((report.applied, report.last_seq), (1, 4));
    let quarantined: Vec<_> = report.rejected.iter().map(|r| (r.seq, r.reason, r.quarantined)).collect();
    assert_eq!(
        quarantined,
        vec![
            (1, Rejection::ForeignObject, true),
            (2, Rejection::MalformedPayload, true),
            (3, Rejection::MalformedPayload, true)
        ]
    );
    assert_eq!(b.app.denial(&b.officer, d.id.as_str()).await.unwrap(), d);
    // A sends a record of its own with B's denial id: it is A's record beside B's, which stays untouched.
    let mut same_id = good.clone();
    same_id["id"] = json!(own.id);
    same_id["version"] = json!(9);
    let report = b.app.receive("DE-BAFA", &[seal(&a.key, "DE-BAFA", 5, same_id)]).await.unwrap();
    assert_eq!((report.applied, report.rejected.len()), (1, 0));
    assert_eq!(b.app.denial(&b.officer, own.id.as_str()).await.unwrap(), own, "B's own denial is untouched");
    let named = b.app.denial(&b.officer, &format!("DE-BAFA:{}", own.id)).await.unwrap();
    assert_eq!((named.authority_id.as_str(), named.version), ("DE-BAFA", 9));
    // Sent again, an envelope is a replay.
    let replay = b.app.receive("DE-BAFA", &[seal(&a.key, "DE-BAFA", 4, good)]).await.unwrap();
    assert_eq!((replay.applied, replay.rejected[0].reason), (0, Rejection::Replayed));
    assert_eq!(b.app.denials(&b.officer, None).await.unwrap().len(), 3);
    let status = b.app.federation_status(&operator()).await.unwrap();
    assert_eq!(status.rejections.len(), 11, "every rejection is logged with its reason");
    assert_eq!(status.quarantined.len(), 3, "the quarantined envelopes are listed apart");
    assert!(status.quarantined.iter().all(|r| r.quarantined && r.sender == "DE-BAFA"));
    let forged = seal(&stranger, "DE-BAFA", 6, json!({}));
    for _ in 0..3 {
        b.app.receive("DE-BAFA", std::slice::from_ref(&forged)).await.unwrap();
    }
    let logged = b.app.federation_status(&operator()).await.unwrap().rejections;
    assert_eq!(logged.len(), 12, "the same bad envelope served again is logged once");
    assert!(b.app.verify_audit(&operator()).await.unwrap().ok);

    // Peers' requests are signed: an unsigned or unknown caller reads nothing.
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let unsigned = agent.get(&format!("{}/federation/v1/outbox?after=0", a.url)).call().unwrap();
    assert_eq!(unsigned.status().as_u16(), 401);
    let forged = agent
        .get(&format!("{}/federation/v1/outbox?after=0", a.url))
        .header("accord-authority", "FR-SBDU")
        .header("accord-timestamp", accord_core::now().to_string())
        .header("accord-signature", stranger.sign(b"GET /federation/v1/outbox?after=0"))
        .call()
        .unwrap();
    assert_eq!(forged.status().as_u16(), 401);
    // A genuine pull is accepted.
    let peer = b.app.peers().await.unwrap().into_iter().find(|p| p.authority_id == "DE-BAFA").unwrap();
    assert_eq!(accord_federation::pull(&b.app, &peer).await.unwrap(), 0, "A's outbox was taken by hand above");
}

/// Seals a denial as `sender`'s envelope number `seq`.
fn sealed(key: &NodeKey, sender: &str, seq: i64, payload: serde_json::Value) -> Envelope {
    Envelope::seal(key, sender, seq, accord_core::now(), "denial", payload)
}

async fn a_peer_that_claims_an_allys_denial_id_cuts_neither_its_denials_nor_the_consultations_they_require(
    backend: Backend,
) {
    let (a, b, h) = (
        node(backend, "DE-BAFA", "DE").await,
        node(backend, "FR-SBDU", "FR").await,
        node(backend, "NL-CDIU", "NL").await,
    );
    connect(&[&a, &b, &h]).await;
    load_controls(&b.app).await;
    // A denies; the hostile peer H learns the id and publishes a harmless record of its own under it, which B
    // pulls first.
    let denied = a.app.create_denial(&a.officer, denial("DE-2026-200", CONSIGNEE)).await.unwrap();
    let id = denied.id.to_string();
    let mut claim =
        serde_json::to_value(h.app.create_denial(&h.officer, denial("NL-1", "Nobody Ltd")).await.unwrap()).unwrap();
    claim["id"] = json!(id);
    claim["destination"] = json!("AQ");
    claim["version"] = json!(2);
    let claimed = b.app.receive("NL-CDIU", &[sealed(&h.key, "NL-CDIU", 1, claim)]).await.unwrap();
    assert_eq!((claimed.applied, claimed.rejected.len()), (1, 0));
    // A's later denials still arrive: B takes A's whole outbox over HTTP.
    let later = a.app.create_denial(&a.officer, denial("DE-2026-201", "Another Front Ltd")).await.unwrap();
    let peer = b.app.peers().await.unwrap().into_iter().find(|p| p.authority_id == "DE-BAFA").unwrap();
    assert_eq!(accord_federation::pull(&b.app, &peer).await, Ok(2), "nothing of A is rejected");
    let seen = b.app.denial(&b.officer, &format!("DE-BAFA:{id}")).await.unwrap();
    assert_eq!((seen.reference.as_str(), seen.destination.as_str()), ("DE-2026-200", "CN"));
    assert_eq!(b.app.denial(&b.officer, later.id.as_str()).await.unwrap(), later);
    let theirs = b.app.denial(&b.officer, &format!("NL-CDIU:{id}")).await.unwrap();
    assert_eq!(theirs.destination, "AQ", "H's record is H's alone");
    let ambiguous = b.app.denial(&b.officer, &id).await.unwrap_err();
    assert_eq!(ambiguous.code, ErrorCode::Conflict, "{}", ambiguous.message);
    let status = b.app.federation_status(&operator()).await.unwrap();
    assert!(status.rejections.is_empty(), "{:?}", status.rejections);
    assert!(status.peers.iter().all(|p| p.peer.last_error.is_none()), "{:?}", status.peers);

    // The no-undercut consultation fires on A's denial: B's matching case cannot be approved until A is consulted.
    let application = serde_json::from_value(json!({
        "transaction": {"date": "2025-12-01", "origin": "FR", "destination": "CN", "end_use": {"category": "civil"},
            "items": [{"code": "3A001.a.1", "description": "ICs", "quantity": 10, "value": 5000, "currency": "EUR"}],
            "parties": [{"role": "consignee", "name": "Shanghai Example Trading Co Ltd", "country": "CN"}]},
        "end_use_statement": "Automotive radar"
    }))
    .unwrap();
    let applied = b.app.create_application(&b.exporter, application, None, true).await.unwrap();
    let case_id = applied.application.outcomes[0].case_id.clone().unwrap();
    let approve = serde_json::from_value(
        json!({"kind": "approve", "reason": "checked", "version": 1, "valid_until": licence_end()}),
    )
    .unwrap();
    let blocked = b.app.decide(&b.officer, &case_id, approve).await.unwrap_err();
    assert_eq!(blocked.code, ErrorCode::ConsultationRequired, "{}", blocked.message);
    assert_eq!(blocked.details.as_ref().unwrap()["authority_id"], "DE-BAFA");
    let consulted =
        b.app.open_consultation(&b.officer, &case_id, &format!("DE-BAFA:{id}"), "Any objection?").await.unwrap();
    assert_eq!(
        (consulted.consultation.to_authority.as_str(), consulted.consultation.denial_id.as_str()),
        ("DE-BAFA", id.as_str())
    );
    assert!(b.app.verify_audit(&operator()).await.unwrap().ok);
}

async fn a_quarantined_envelope_raises_an_alert_and_replication_goes_on_over_http(backend: Backend) {
    let (a, b) = (node(backend, "DE-BAFA", "DE").await, node(backend, "FR-SBDU", "FR").await);
    connect(&[&a, &b]).await;
    // A's node publishes a denial whose party carries a field of a newer version, between two ordinary ones.
    a.app.create_denial(&a.officer, denial("DE-1", "First Front Ltd")).await.unwrap();
    let newer = a.app.create_denial(&a.officer, denial("DE-2", "Second Front Ltd")).await.unwrap();
    let last = a.app.create_denial(&a.officer, denial("DE-3", "Third Front Ltd")).await.unwrap();
    let mut envelopes = a.app.outbox_for_peer("FR-SBDU", 0, 10).await.unwrap().0;
    let mut payload = serde_json::to_value(&newer).unwrap();
    payload["parties"][0]["sanctions_programme"] = json!("new in version 2");
    envelopes[1] = sealed(&a.key, "DE-BAFA", 2, payload);
    let report = b.app.receive("DE-BAFA", &envelopes).await.unwrap();
    assert_eq!((report.applied, report.last_seq), (2, 3));
    assert_eq!(
        report.rejected.iter().map(|r| (r.seq, r.reason)).collect::<Vec<_>>(),
        vec![(2, Rejection::MalformedPayload)]
    );
    assert_eq!(b.app.denial(&b.officer, last.id.as_str()).await.unwrap(), last, "the envelope after it applied");
    assert_eq!(b.app.denial(&b.officer, newer.id.as_str()).await.unwrap_err().code, ErrorCode::NotFound);
    let status = b.app.federation_status(&operator()).await.unwrap();
    assert_eq!(status.quarantined.iter().map(|r| (r.seq, r.quarantined)).collect::<Vec<_>>(), vec![(2, true)]);
    assert_eq!((status.peers[0].peer.last_seq, status.peers[0].received), (3, 3));
    let events = b.app.audit_events(&operator(), 0, 1000).await.unwrap();
    let alert = events.iter().find(|e| e.kind == "federation.quarantined").expect("an alert is raised");
    assert_eq!((alert.subject.as_str(), alert.payload["reason"].as_str()), ("DE-BAFA:2", Some("malformed_payload")));
    // Replication goes on over HTTP after the quarantined envelope.
    let more = a.app.create_denial(&a.officer, denial("DE-4", "Fourth Front Ltd")).await.unwrap();
    let peer = b.app.peers().await.unwrap().remove(0);
    assert_eq!(accord_federation::pull(&b.app, &peer).await, Ok(1));
    assert_eq!(b.app.denial(&b.officer, more.id.as_str()).await.unwrap(), more);
    assert!(b.app.federation_status(&operator()).await.unwrap().peers[0].peer.last_error.is_none());
    assert!(b.app.verify_audit(&operator()).await.unwrap().ok);
}

accord_testing::on_both_backends!(
    a_denial_blocks_an_allied_approval_until_consulted_and_an_approval_anyway_is_notified,
    a_node_stopped_during_sync_catches_up_with_every_envelope_exactly_once,
    forged_replayed_and_tampered_envelopes_stop_the_peer_and_content_faults_are_quarantined,
    a_peer_that_claims_an_allys_denial_id_cuts_neither_its_denials_nor_the_consultations_they_require,
    a_quarantined_envelope_raises_an_alert_and_replication_goes_on_over_http
);
