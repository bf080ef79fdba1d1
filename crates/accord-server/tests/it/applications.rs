//! Applications and cases over HTTP on SQLite and PostgreSQL: an idempotent submission, an officer's queue, and
//! refusals that store nothing.

use crate::support;

use crate::support::{World, world};
use accord_core::principal::Principal;
use accord_store::Backend;
use axum::body::Body;
use axum::http::Request;
use serde_json::{Value, json};

/// A last day a licence may have: the end of June two years on (within the longest validity whenever the test runs).
fn later() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    format!("{}-06-30", 1970 + secs / 31_556_952 + 2)
}

fn body(code: &str) -> Value {
    json!({
        "transaction": {"date": "2025-12-01", "origin": "DE", "destination": "CN", "end_use": {"category": "civil"},
            "items": [{"code": code, "description": "ICs", "quantity": 10, "value": 5000, "currency": "EUR"}],
            "parties": [{"role": "consignee", "name": "Shenzhen Example Trading Co., Ltd.", "country": "CN", "type": "organization"}]},
        "end_use_statement": "Radar research at a university laboratory",
        "declarations": {"no_wmd_end_use": true, "no_military_end_use": true, "no_reexport_without_consent": true}
    })
}

/// Stores the real control list and the built-in policies on the node.
async fn load_controls(w: &World) -> Principal {
    let op = Principal::Operator { name: "test".into() };
    accord_testing::data::import_controls(&w.node.app, "2021-01-01", false).await;
    w.node.app.ensure_policies(&op).await.unwrap();
    op
}

async fn apply(w: &World, key: Option<&str>, query: &str, body: Value) -> support::Answer {
    let mut req = Request::post(format!("/api/v1/applications{query}"))
        .header("authorization", format!("Bearer {}", w.key("exporter_de")))
        .header("content-type", "application/json");
    if let Some(k) = key {
        req = req.header("idempotency-key", k);
    }
    w.node.send(req.body(Body::from(body.to_string())).unwrap()).await
}

async fn applications_open_cases_in_the_officers_queue(backend: Backend) {
    let w = world(backend).await;
    let op = load_controls(&w).await;

    let first = apply(&w, Some("po-4711"), "?submit=true", body("3A001.a.1")).await;
    assert_eq!(first.status.as_u16(), 201, "{}", first.body);
    assert_eq!(first.body["status"], "submitted");
    assert_eq!(first.body["outcomes"][0]["outcome"], "licence_required");
    let id = first.body["id"].as_str().unwrap().to_owned();
    let again = apply(&w, Some("po-4711"), "?submit=true", body("3A001.a.1")).await;
    assert_eq!((again.status.as_u16(), again.body["id"].as_str()), (200, Some(id.as_str())), "a retry finds the first");

    let queue = w.node.get("/api/v1/cases", Some(w.key("officer_de"))).await;
    assert_eq!(queue.status.as_u16(), 200, "{}", queue.body);
    let cases = queue.body.as_array().unwrap();
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0]["application_id"], id.as_str());
    assert!(cases[0]["risk_factors"].as_array().unwrap().iter().any(|f| f["factor"] == "item_sensitivity"));
    let case_id = cases[0]["id"].as_str().unwrap();
    assert_eq!(w.node.get(&format!("/api/v1/cases/{case_id}"), Some(w.key("officer_fr"))).await.code(), "not_found");
    assert!(w.node.get("/api/v1/cases", Some(w.key("officer_fr"))).await.body.as_array().unwrap().is_empty());
    assert_eq!(w.node.get(&format!("/api/v1/applications/{id}"), Some(w.key("exporter_fr"))).await.code(), "not_found");
    let mine = w.node.get(&format!("/api/v1/applications/{id}"), Some(w.key("exporter_de"))).await;
    assert!(mine.body["determination"]["jurisdictions"].is_array());

    let officer = w.key("officer_de");
    let sla = w.node.get(&format!("/api/v1/cases/{case_id}/sla"), Some(officer)).await;
    assert_eq!((sla.status.as_u16(), sla.body["sla"]["target"].as_u64()), (200, Some(20)), "{}", sla.body);
    let assigned = w.node.post(&format!("/api/v1/cases/{case_id}/assign"), Some(officer), json!({"version": 1})).await;
    assert_eq!((assigned.status.as_u16(), assigned.body["version"].as_i64()), (200, Some(2)), "{}", assigned.body);
    let decision = |version: i64| json!({"kind": "approve", "reason": "end use verified", "version": version, "valid_until": later()});
    let stale = w.node.post(&format!("/api/v1/cases/{case_id}/decision"), Some(officer), decision(1)).await;
    assert_eq!((stale.status.as_u16(), stale.code()), (409, "case_changed"), "{}", stale.body);
    let approved = w.node.post(&format!("/api/v1/cases/{case_id}/decision"), Some(officer), decision(2)).await;
    assert_eq!(
        (approved.status.as_u16(), approved.body["status"].as_str()),
        (200, Some("approved")),
        "{}",
        approved.body
    );
    let licence = approved.body["licence_id"].as_str().unwrap().to_owned();
    // The case's history: its application's and its own events, oldest first, to those who may see the case.
    let history = w.node.get(&format!("/api/v1/cases/{case_id}/history"), Some(w.key("exporter_de"))).await;
    let kinds: Vec<&str> = history.body.as_array().unwrap().iter().filter_map(|e| e["kind"].as_str()).collect();
    assert_eq!(
        kinds,
        [
            "application.created",
            "application.submitted",
            "case.opened",
            "case.assigned",
            "case.decided",
            "licence.issued"
        ],
        "{}",
        history.body
    );
    let hidden = w.node.get(&format!("/api/v1/cases/{case_id}/history"), Some(w.key("officer_fr"))).await;
    assert_eq!(hidden.code(), "not_found");
    let today = jiff::Zoned::now().date().to_string();
    let shipment = |quantity: u32| {
        json!({"date": today, "items": [{"item": 0, "quantity": quantity, "value": 100}],
        "consignee": "Shenzhen Example Trading Co., Ltd.", "transport_document": "AWB 020-1"})
    };
    let exporter = w.key("exporter_de").to_owned();
    let shipped = w.node.post(&format!("/api/v1/licences/{licence}/shipments"), Some(&exporter), shipment(4)).await;
    assert_eq!(shipped.status.as_u16(), 201, "{}", shipped.body);
    let over = w.node.post(&format!("/api/v1/licences/{licence}/shipments"), Some(&exporter), shipment(7)).await;
    assert_eq!((over.status.as_u16(), over.code()), (422, "shipment_refused"), "{}", over.body);
    let state = w.node.get(&format!("/api/v1/licences/{licence}"), Some(&exporter)).await;
    assert_eq!(state.body["items"][0]["used_quantity"], 4.0);
    assert_eq!(
        w.node
            .get(&format!("/api/v1/licences/{licence}/shipments"), Some(officer))
            .await
            .body
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let suspend = json!({"action": "suspend", "reason": "end-use check"});
    assert_eq!(
        w.node.post(&format!("/api/v1/licences/{licence}/status"), Some(&exporter), suspend.clone()).await.code(),
        "forbidden"
    );
    let suspended = w.node.post(&format!("/api/v1/licences/{licence}/status"), Some(officer), suspend).await;
    assert_eq!(suspended.body["status"], "suspended", "{}", suspended.body);
    let blocked = w.node.post(&format!("/api/v1/licences/{licence}/shipments"), Some(&exporter), shipment(1)).await;
    assert_eq!(blocked.code(), "shipment_refused");
    assert_eq!(w.node.get("/api/v1/licences", Some(w.key("exporter_fr"))).await.body.as_array().unwrap().len(), 0);
    let by_exporter =
        w.node.post(&format!("/api/v1/cases/{case_id}/decision"), Some(w.key("exporter_de")), decision(3)).await;
    assert_eq!(by_exporter.code(), "forbidden");
    let unknown = w.node.post(&format!("/api/v1/cases/{case_id}/escalate"), Some(officer), json!({"version": 3})).await;
    assert_eq!((unknown.status.as_u16(), unknown.code()), (404, "route_not_found"));

    let draft = apply(&w, None, "", body("3A001.a.1")).await;
    assert_eq!((draft.status.as_u16(), draft.body["status"].as_str()), (201, Some("draft")));
    let draft_id = draft.body["id"].as_str().unwrap();
    let submitted =
        w.node.post(&format!("/api/v1/applications/{draft_id}/submit"), Some(w.key("exporter_de")), json!({})).await;
    assert_eq!(
        (submitted.status.as_u16(), submitted.body["status"].as_str()),
        (200, Some("submitted")),
        "{}",
        submitted.body
    );
    let queue = w.node.get("/api/v1/cases", Some(w.key("officer_de"))).await;
    let second = queue.body.as_array().unwrap().iter().find(|c| c["application_id"] == draft_id).unwrap();
    // The queue a page at a time, in the same order, with the count of all pages.
    let all = queue.body.as_array().unwrap().clone();
    assert_eq!(queue.headers["x-total-count"], all.len().to_string().as_str());
    let w_ref = &w;
    let page = |n: u64| {
        let path = format!("/api/v1/cases?page={n}&per_page=1");
        async move { w_ref.node.get(&path, Some(w_ref.key("officer_de"))).await }
    };
    let (one, two) = (page(1).await, page(2).await);
    assert_eq!(
        (one.body.as_array().unwrap().len(), one.headers["x-total-count"].to_str().unwrap()),
        (1, all.len().to_string().as_str())
    );
    assert_eq!((&one.body[0]["id"], &two.body[0]["id"]), (&all[0]["id"], &all[1]["id"]));
    let beyond = page(all.len() as u64 + 1).await;
    assert!(beyond.body.as_array().unwrap().is_empty());
    let odd = w.node.get("/api/v1/cases?page=first", Some(w.key("officer_de"))).await;
    assert_eq!(odd.status.as_u16(), 400, "{}", odd.body);
    for (query, field) in
        [("page=9223372036854775807&per_page=500", "page"), ("per_page=501", "per_page"), ("page=0", "page")]
    {
        let refused = w.node.get(&format!("/api/v1/cases?{query}"), Some(w.key("officer_de"))).await;
        assert_eq!(
            (refused.status.as_u16(), refused.body["error"]["details"]["field"].as_str()),
            (422, Some(field)),
            "{query}"
        );
    }
    let first_shipment = |c: &Value| {
        c["risk_factors"].as_array().unwrap().iter().find(|f| f["factor"] == "first_shipment").unwrap()["points"]
            .clone()
    };
    assert_eq!(first_shipment(second), 0, "the same consignee again is no first shipment");

    let org = w.org_de.clone();
    let training = json!({"record": "training", "person": "Ada", "course": "EU dual-use basics", "date": "2026-01-10"});
    let trained = w.node.post(&format!("/api/v1/organisations/{org}/compliance"), Some(&exporter), training).await;
    assert_eq!((trained.status.as_u16(), trained.body["tier"].as_str()), (200, Some("standard")), "{}", trained.body);
    let seen = w.node.get(&format!("/api/v1/organisations/{org}/compliance"), Some(w.key("officer_fr"))).await;
    assert_eq!(
        seen.body["trainings"].as_array().unwrap().len(),
        1,
        "another authority sees the profile: {}",
        seen.body
    );
    assert_eq!(
        w.node.get(&format!("/api/v1/organisations/{org}/compliance"), Some(w.key("exporter_fr"))).await.code(),
        "not_found"
    );
    let certify = json!({"record": "certification", "certified_on": "2026-01-01", "expires_on": "2099-12-31"});
    assert_eq!(
        w.node.post(&format!("/api/v1/organisations/{org}/compliance"), Some(&exporter), certify).await.code(),
        "forbidden"
    );
    let settings = json!({"auto_approve": true, "target_working_days": 3, "validity_days": 180, "conditions": ["standard conditions"]});
    assert_eq!(
        w.node.post("/api/v1/authorities/DE-BAFA/fast-track", Some(officer), settings.clone()).await.code(),
        "forbidden"
    );
    let set = w.node.post("/api/v1/authorities/DE-BAFA/fast-track", Some(w.key("senior_de")), settings).await;
    assert_eq!(set.status.as_u16(), 200, "{}", set.body);

    // The consignee is listed after the submission: its open cases get an alert.
    let listed = accord_core::listed::ListedEntity::new(
        "test_list",
        "E-9",
        accord_core::listed::EntityKind::Organization,
        "Shenzhen Example Trading Co., Ltd.",
    );
    let hash = accord_core::listed::entity_hash(&listed);
    let import = accord_app::ListImport {
        list_id: "test_list".into(),
        format: "ftm".into(),
        content_hash: hash,
        entities: vec![listed],
        problems: 0,
        source: "test".into(),
    };
    w.node.app.import_list(&op, import).await.unwrap();
    let queue = w.node.get("/api/v1/cases", Some(officer)).await;
    let open_with_alerts: Vec<&Value> = queue
        .body
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == "open" && !c["alerts"].as_array().unwrap().is_empty())
        .collect();
    assert_eq!(open_with_alerts.len(), 1, "the open case, not the decided one: {}", queue.body);
    assert_eq!(open_with_alerts[0]["alerts"][0]["entity_id"], "E-9");

    let before = w.node.audit_state().await;
    let cases: Vec<(&str, Value, u16, &str)> = vec![
        ("unknown code", body("3A00X"), 422, "unknown_control_code"),
        ("wrong type", json!({"transaction": 5, "end_use_statement": "x"}), 400, "invalid_body"),
        ("unknown field", json!({"transaction": {}, "end_use_statement": "x", "colour": 1}), 400, "invalid_body"),
        (
            "empty statement",
            {
                let mut b = body("3A001");
                b["end_use_statement"] = json!(" ");
                b
            },
            422,
            "validation_failed",
        ),
    ];
    for (what, b, status, code) in cases {
        let r = apply(&w, Some(&what.replace(' ', "-")), "?submit=true", b).await;
        assert_eq!((r.status.as_u16(), r.code()), (status, code), "{what}: {}", r.body);
    }
    assert_eq!(apply(&w, None, "?submit=maybe", body("3A001")).await.code(), "invalid_query");
    let r = apply(&w, Some("two words"), "?submit=true", body("3A001")).await;
    assert_eq!(r.body["error"]["details"]["field"], "idempotency_key");
    let officer = w.node.post("/api/v1/applications", Some(w.key("analyst_de")), body("3A001")).await;
    assert_eq!(officer.code(), "forbidden");
    assert_eq!(w.node.audit_state().await, before, "refusals store nothing");
}

fn put_file(w: &World, path: &str, content_type: &str, bytes: Vec<u8>) -> Request<Body> {
    Request::put(path)
        .header("authorization", format!("Bearer {}", w.key("exporter_de")))
        .header("content-type", content_type)
        .body(Body::from(bytes))
        .unwrap()
}

async fn documents_rosters_amendments_and_denials_over_http(backend: Backend) {
    use sha2::Digest;
    let w = world(backend).await;
    load_controls(&w).await;
    let exporter = w.key("exporter_de").to_owned();
    let officer = w.key("officer_de").to_owned();

    // A 2 MiB text file: larger than the node's JSON body limit, within the document limit.
    let text = "end-user statement, signed\n".repeat(80_000).into_bytes();
    let mut b = body("3A001.a.1");
    b["documents"] = json!([{"name": "statement.txt", "kind": "end_user_statement",
        "sha256": accord_core::audit::hex(&sha2::Sha256::digest(&text))}]);
    let draft = apply(&w, None, "", b).await;
    let app_id = draft.body["id"].as_str().unwrap().to_owned();
    let doc = format!("/api/v1/applications/{app_id}/documents/0");
    let wrong = w.node.send(put_file(&w, &doc, "application/pdf", text.clone())).await;
    assert_eq!((wrong.status.as_u16(), wrong.code()), (422, "document_rejected"), "{}", wrong.body);
    let huge = w.node.send(put_file(&w, &doc, "text/plain", vec![b'a'; accord_app::MAX_DOCUMENT_BYTES + 10])).await;
    assert_eq!((huge.status.as_u16(), huge.code()), (413, "payload_too_large"), "{}", huge.body);
    let stored = w.node.send(put_file(&w, &doc, "text/plain", text.clone())).await;
    assert_eq!((stored.status.as_u16(), stored.body["upload"]["size"].as_u64()), (201, Some(text.len() as u64)));
    let again = w.node.send(put_file(&w, &doc, "text/plain", text.clone())).await;
    assert_eq!(again.status.as_u16(), 200, "the same file again stores nothing");
    let read = w.node.get(&doc, Some(&officer)).await;
    assert_eq!(read.headers["content-type"], "text/plain");
    // Served as a download that the browser neither sniffs nor runs.
    assert_eq!(read.headers["content-disposition"], format!("attachment; filename=\"{app_id}-0.txt\""));
    assert_eq!(read.headers["x-content-type-options"], "nosniff");
    assert!(read.headers["content-security-policy"].to_str().unwrap().starts_with("sandbox"));
    assert_eq!(read.body.as_str().map(str::len), Some(text.len()));
    let listed = w.node.get(&format!("/api/v1/applications/{app_id}/documents"), Some(&exporter)).await;
    assert_eq!(listed.body[0]["upload"]["content_type"], "text/plain", "{}", listed.body);
    assert_eq!(w.node.get(&doc, Some(w.key("exporter_fr"))).await.code(), "not_found");

    // A joint-development licence: approve it, add a participant whose transfer needs review, approve that.
    let mut jd = body("3E001");
    jd["transaction"]["destination"] = json!("FR");
    jd["transaction"]["parties"] = json!([]);
    jd["licence"] = json!({"kind": "joint_development", "project": {"name": "RADAR-FE",
        "participants": [{"name": "Institut Exemple", "nationality": "FR", "role": "partner"}]}});
    let submitted = apply(&w, None, "?submit=true", jd).await;
    assert_eq!(submitted.status.as_u16(), 201, "{}", submitted.body);
    let case =
        submitted.body["outcomes"].as_array().unwrap().iter().find(|o| o["jurisdiction"] == "EU").unwrap()["case_id"]
            .as_str()
            .expect("without a list to screen against, the transfer is assumed to need a licence")
            .to_owned();
    let approve = json!({"kind": "approve", "reason": "ok", "version": 1, "valid_until": later()});
    let approved = w.node.post(&format!("/api/v1/cases/{case}/decision"), Some(&officer), approve).await;
    let lic = approved.body["licence_id"].as_str().unwrap().to_owned();
    let person = json!({"name": "Ravi Kumar", "type": "person", "nationality": "IN", "role": "researcher"});
    let path = format!("/api/v1/licences/{lic}/participants");
    assert_eq!(w.node.post(&path, Some(&officer), person.clone()).await.code(), "forbidden");
    let added = w.node.post(&path, Some(&exporter), person.clone()).await;
    assert_eq!(added.body["amendments"][0]["status"], "pending_review", "{}", added.body);
    assert_eq!(w.node.post(&path, Some(&exporter), person).await.code(), "already_exists");
    let typo = w.node.post(&path, Some(&exporter), json!({"name": "X", "nationality": "IN"})).await;
    assert_eq!((typo.status.as_u16(), typo.code()), (400, "invalid_body"));
    let verdict = json!({"decision": "approve", "reason": "vetted"});
    let decided = w.node.post(&format!("/api/v1/licences/{lic}/amendments/1"), Some(&officer), verdict).await;
    assert_eq!(decided.body["roster"][1]["status"], "active", "{}", decided.body);
    let removed =
        w.node.post(&format!("{path}/1/remove"), Some(&exporter), json!({"reason": "left the project"})).await;
    assert_eq!(removed.body["roster"][1]["status"], "removed", "{}", removed.body);
    let amend = json!({"reason": "phase two", "valid_until": later()});
    let amended = w.node.post(&format!("/api/v1/licences/{lic}/amendments"), Some(&officer), amend).await;
    assert_eq!(
        (amended.body["valid_until"].as_str(), amended.body["amendments"][2]["kind"].as_str()),
        (Some(later().as_str()), Some("licence_amended")),
        "{}",
        amended.body
    );

    // A refusal, countersigned, records a denial every authority can read.
    let refused = apply(&w, None, "?submit=true", body("3A001.a.1")).await;
    let case = refused.body["outcomes"][0]["case_id"].as_str().unwrap().to_owned();
    let refuse =
        json!({"kind": "refuse", "reason": "diversion risk", "version": 1, "refusal_criteria": ["criterion 7"]});
    w.node.post(&format!("/api/v1/cases/{case}/decision"), Some(&officer), refuse).await;
    let signed = w
        .node
        .post(&format!("/api/v1/cases/{case}/countersign"), Some(w.key("senior_de")), json!({"version": 2}))
        .await;
    let denial = signed.body["denial_id"].as_str().expect("a refusal records a denial").to_owned();
    let all = w.node.get("/api/v1/denials", Some(w.key("officer_fr"))).await;
    assert_eq!(all.body.as_array().map(Vec::len), Some(1), "{}", all.body);
    let one = w.node.get(&format!("/api/v1/denials/{denial}"), Some(w.key("officer_fr"))).await;
    assert_eq!(
        (one.body["destination"].as_str(), one.body["refusal_criteria"][0].as_str()),
        (Some("CN"), Some("criterion 7"))
    );
    assert_eq!(w.node.get("/api/v1/denials", Some(&exporter)).await.code(), "forbidden");
}

async fn allied_denials_consultations_and_assessments_over_http(backend: Backend) {
    let w = world(backend).await;
    load_controls(&w).await;
    let (de, fr) = (w.key("officer_de").to_owned(), w.key("officer_fr").to_owned());
    let denial = json!({"reference": "BAFA-2026-1", "control_codes": ["3A001"], "item_description": "radar ICs",
        "destination": "cn", "end_use": "military radar", "refusal_criteria": ["criterion 7"],
        "parties": [{"role": "consignee", "name": "Shenzhen Example Trading Co., Ltd.", "country": "CN"}]});
    let bad = w.node.post("/api/v1/denials", Some(&de), json!({"reference": "x"})).await;
    assert_eq!((bad.status.as_u16(), bad.code()), (400, "invalid_body"), "{}", bad.body);
    assert_eq!(w.node.post("/api/v1/denials", Some(w.key("exporter_de")), denial.clone()).await.code(), "forbidden");
    let made = w.node.post("/api/v1/denials", Some(&de), denial).await;
    assert_eq!((made.status.as_u16(), made.body["destination"].as_str()), (201, Some("CN")), "{}", made.body);
    let did = made.body["id"].as_str().unwrap().to_owned();
    let found = w.node.get("/api/v1/denials?party=Shenzhen%20Example%20Trading", Some(&fr)).await;
    assert_eq!(found.body[0]["id"], did.as_str(), "{}", found.body);
    assert!(found.body[0]["score"].as_f64().unwrap() >= 0.8);
    let none = w.node.get("/api/v1/denials?party=Nobody%20Relevant%20GmbH", Some(&fr)).await;
    assert_eq!(none.body.as_array().map(Vec::len), Some(0), "{}", none.body);

    // FR's exporter applies for the same consignee: FR's officer must consult BAFA.
    let mut b = body("3A001.a.1");
    b["transaction"]["origin"] = json!("FR");
    let req = Request::post("/api/v1/applications?submit=true")
        .header("authorization", format!("Bearer {}", w.key("exporter_fr")))
        .header("content-type", "application/json")
        .body(Body::from(b.to_string()))
        .unwrap();
    let applied = w.node.send(req).await;
    let case = applied.body["outcomes"][0]["case_id"].as_str().expect("an FR case").to_owned();
    let approve = json!({"kind": "approve", "reason": "verified", "version": 1, "valid_until": later()});
    let blocked = w.node.post(&format!("/api/v1/cases/{case}/decision"), Some(&fr), approve.clone()).await;
    assert_eq!((blocked.status.as_u16(), blocked.code()), (409, "consultation_required"), "{}", blocked.body);
    let ask = json!({"denial_id": did, "question": "Same consignee: objection?"});
    let opened = w.node.post(&format!("/api/v1/cases/{case}/consultations"), Some(&fr), ask).await;
    assert_eq!((opened.status.as_u16(), opened.body["status"].as_str()), (201, Some("open")), "{}", opened.body);
    let con = opened.body["id"].as_str().unwrap().to_owned();
    let answer = json!({"kind": "objection", "reasons": "diversion in 2025"});
    let by_fr = w.node.post(&format!("/api/v1/consultations/{con}/answer"), Some(&fr), answer.clone()).await;
    assert_eq!(by_fr.code(), "forbidden");
    let answered = w.node.post(&format!("/api/v1/consultations/{con}/answer"), Some(&de), answer).await;
    assert_eq!(answered.body["answer"]["kind"], "objection", "{}", answered.body);
    let approved = w.node.post(&format!("/api/v1/cases/{case}/decision"), Some(&fr), approve).await;
    assert_eq!(approved.body["status"], "approved", "{}", approved.body);
    let notices = w.node.get("/api/v1/notices", Some(&de)).await;
    assert_eq!(notices.body[0]["circumstance"], "objection", "{}", notices.body);
    assert_eq!(w.node.get("/api/v1/consultations", Some(&de)).await.body.as_array().map(Vec::len), Some(1));

    // Assessments and verifications.
    let assessment = json!({"subject_kind": "destination", "subject": "CN", "level": "medium",
        "summary": "diversion hub for radar ICs", "valid_until": "2099-01-01"});
    let wrong = w
        .node
        .post(
            "/api/v1/assessments",
            Some(&fr),
            json!({"subject_kind": "planet", "subject": "x",
        "level": "high", "summary": "s", "valid_until": "2099-01-01"}),
        )
        .await;
    assert_eq!((wrong.status.as_u16(), wrong.code()), (422, "validation_failed"));
    let published = w.node.post("/api/v1/assessments", Some(&fr), assessment).await;
    let ras = published.body["id"].as_str().unwrap().to_owned();
    let endorse = json!({"comment": "agreed"});
    assert_eq!(
        w.node.post(&format!("/api/v1/assessments/{ras}/endorse"), Some(&fr), endorse.clone()).await.code(),
        "validation_failed"
    );
    let endorsed = w.node.post(&format!("/api/v1/assessments/{ras}/endorse"), Some(&de), endorse.clone()).await;
    assert_eq!(endorsed.body["endorsements"][0]["authority_id"], "DE-BAFA", "{}", endorsed.body);
    assert_eq!(
        w.node.post(&format!("/api/v1/assessments/{ras}/endorse"), Some(&de), endorse).await.code(),
        "already_exists"
    );
    let listed = w.node.get("/api/v1/assessments", Some(w.key("auditor"))).await;
    assert_eq!(listed.body.as_array().map(Vec::len), Some(1), "{}", listed.body);
    assert_eq!(w.node.get("/api/v1/verifications", Some(&de)).await.status.as_u16(), 200);
    let status = w.node.get("/api/v1/federation/status", Some(w.key("admin"))).await;
    assert!(
        status.body["identity"].is_null() && status.body["outbox_head"] == 0,
        "no federation here: {}",
        status.body
    );
    let unsigned = w.node.get("/federation/v1/outbox?after=0", None).await;
    assert_eq!((unsigned.status.as_u16(), unsigned.code()), (401, "unauthenticated"));
}

async fn licences_denials_and_transactions_are_dated_within_bounds(backend: Backend) {
    let w = world(backend).await;
    load_controls(&w).await;
    let officer = w.key("officer_de").to_owned();
    // A transaction dated beyond the facts in force is refused with the reason.
    let mut far = body("3A001.a.1")["transaction"].clone();
    far["date"] = json!("2099-01-01");
    let refused = w.node.post("/api/v1/determinations", Some(w.key("exporter_de")), far).await;
    assert_eq!((refused.status.as_u16(), refused.code()), (422, "validation_failed"), "{}", refused.body);
    assert!(refused.body["error"]["message"].as_str().unwrap().contains("beyond the facts in force"));
    // A licence from year 1 or until 9999 is refused; nothing is decided.
    let submitted = apply(&w, None, "?submit=true", body("3A001.a.1")).await;
    let case = submitted.body["outcomes"][0]["case_id"].as_str().unwrap().to_owned();
    let decide = |extra: Value| {
        let mut d = json!({"kind": "approve", "reason": "verified", "version": 1, "valid_until": later()});
        d.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        d
    };
    let path = format!("/api/v1/cases/{case}/decision");
    for extra in [json!({"valid_from": "0001-01-01"}), json!({"valid_until": "9999-12-31"})] {
        let r = w.node.post(&path, Some(&officer), decide(extra.clone())).await;
        assert_eq!((r.status.as_u16(), r.code()), (422, "validation_failed"), "{extra}: {}", r.body);
    }
    assert_eq!(w.node.get(&format!("/api/v1/cases/{case}"), Some(&officer)).await.body["version"], 1);
    let approved = w.node.post(&path, Some(&officer), decide(json!({}))).await;
    let lic = approved.body["licence_id"].as_str().unwrap().to_owned();
    let forever = json!({"reason": "longer", "valid_until": "9999-12-31"});
    let r = w.node.post(&format!("/api/v1/licences/{lic}/amendments"), Some(&officer), forever).await;
    assert_eq!(r.code(), "validation_failed", "{}", r.body);
    // A denial is not dated in the future; a legacy one past its term is answered as a read shows it.
    let denial = |date: &str| {
        json!({"reference": "DE-L-1", "date": date, "control_codes": ["3A001.a"], "item_description": "radar ICs",
            "destination": "CN", "refusal_criteria": ["criterion 7"], "parties": [{"role": "consignee", "name": "X Ltd"}]})
    };
    let future = w.node.post("/api/v1/denials", Some(&officer), denial("2099-01-01")).await;
    assert_eq!(future.code(), "validation_failed", "{}", future.body);
    let legacy = w.node.post("/api/v1/denials", Some(&officer), denial("2020-01-10")).await;
    assert_eq!(legacy.status.as_u16(), 201, "{}", legacy.body);
    let read = w.node.get(&format!("/api/v1/denials/{}", legacy.body["id"].as_str().unwrap()), Some(&officer)).await;
    assert_eq!((legacy.body["status"].as_str(), read.body["status"].as_str()), (Some("expired"), Some("expired")));
}

async fn certifications_and_audits_come_from_the_organisations_authority_and_are_dated_within_bounds(backend: Backend) {
    let mut w = world(backend).await;
    let path = format!("/api/v1/organisations/{}/compliance", w.org_de);
    let today = jiff::Zoned::now().date();
    let certify = |from: jiff::civil::Date, years: i16| {
        json!({"record": "certification", "certified_on": from.to_string(),
            "expires_on": from.checked_add(jiff::Span::new().years(years)).unwrap().to_string()})
    };
    // An officer of another authority may not certify or audit a DE organisation.
    let foreign = w.node.post(&path, Some(w.key("officer_fr")), certify(today, 2)).await;
    assert_eq!((foreign.status.as_u16(), foreign.code()), (403, "forbidden"), "{}", foreign.body);
    let audit = json!({"record": "audit", "date": today.to_string(), "outcome": "passed", "summary": "ok"});
    assert_eq!(w.node.post(&path, Some(w.key("officer_fr")), audit.clone()).await.code(), "forbidden");
    // No future-dated certificate or training, no certificate for ten years.
    let tomorrow = today.tomorrow().unwrap();
    let future = w.node.post(&path, Some(w.key("officer_de")), certify(tomorrow, 1)).await;
    assert_eq!(future.code(), "validation_failed", "{}", future.body);
    let training =
        json!({"record": "training", "person": "A. Lee", "course": "ICP basics", "date": tomorrow.to_string()});
    assert_eq!(w.node.post(&path, Some(w.key("exporter_de")), training).await.code(), "validation_failed");
    let decade = w.node.post(&path, Some(w.key("officer_de")), certify(today, 10)).await;
    assert_eq!(decade.code(), "validation_failed", "{}", decade.body);
    assert!(w.node.get(&path, Some(w.key("officer_de"))).await.body["icp"].is_null(), "nothing was recorded");
    // The home authority's officer certifies; its auditors see the event.
    let done = w.node.post(&path, Some(w.key("officer_de")), certify(today, 3)).await;
    assert_eq!(done.status.as_u16(), 200, "{}", done.body);
    let events = w.node.get("/api/v1/audit/events?limit=1000", Some(w.key("auditor_de"))).await.body;
    assert!(events.as_array().unwrap().iter().any(|e| e["kind"] == "compliance.certified"), "{events}");
    // An authority that trusts FR-SBDU's officers lets them audit its organisations.
    let trust = std::collections::BTreeMap::from([("DE-BAFA".to_owned(), vec!["FR-SBDU".to_owned()])]);
    w.node.router = accord_server::router(w.node.app.clone().with_certifier_trust(trust), support::TEST_BODY_LIMIT);
    let trusted = w.node.post(&path, Some(w.key("officer_fr")), audit).await;
    assert_eq!(trusted.status.as_u16(), 200, "{}", trusted.body);
}

async fn codes_are_stored_in_upper_case_and_currencies_must_be_iso_4217(backend: Backend) {
    let w = world(backend).await;
    load_controls(&w).await;
    let mut b = body("3A001.a.1");
    b["transaction"]["destination"] = json!("cn");
    let lower = apply(&w, None, "", b.clone()).await;
    assert_eq!((lower.status.as_u16(), lower.code()), (422, "unknown_country"), "{}", lower.body);
    b["transaction"]["destination"] = json!("CN");
    b["transaction"]["items"][0]["currency"] = json!("eur");
    let stored = apply(&w, None, "", b.clone()).await;
    assert_eq!(stored.status.as_u16(), 201, "{}", stored.body);
    assert_eq!(stored.body["transaction"]["items"][0]["currency"], "EUR", "stored in upper case");
    // A denial party's country is a code too, stored in upper case.
    let denial = json!({"reference": "DE-C-1", "control_codes": ["3A001.a"], "item_description": "radar ICs",
        "destination": "CN", "refusal_criteria": ["criterion 7"],
        "parties": [{"role": "consignee", "name": "X Ltd", "country": "cn"}]});
    let d = w.node.post("/api/v1/denials", Some(w.key("officer_de")), denial.clone()).await;
    assert_eq!(d.body["parties"][0]["country"], "CN", "{}", d.body);
    let mut bad = denial;
    bad["parties"][0]["country"] = json!("Narnia");
    assert_eq!(w.node.post("/api/v1/denials", Some(w.key("officer_de")), bad).await.code(), "unknown_country");
    b["transaction"]["items"][0]["currency"] = json!("EUX");
    let refused = apply(&w, None, "", b).await;
    assert_eq!(refused.code(), "validation_failed", "{}", refused.body);
    assert!(refused.body["error"]["message"].as_str().unwrap().contains("ISO 4217"), "{}", refused.body);
}

async fn an_organisations_uploads_stop_at_its_storage_quota(backend: Backend) {
    use sha2::Digest;
    let mut w = world(backend).await;
    load_controls(&w).await;
    let quota = 3_000;
    w.node.router = accord_server::router(w.node.app.clone().with_document_quota(quota), support::TEST_BODY_LIMIT);
    let files: Vec<Vec<u8>> = (0..2).map(|i| format!("statement {i}\n").repeat(150).into_bytes()).collect();
    let mut b = body("3A001.a.1");
    b["documents"] = json!(
        files
            .iter()
            .enumerate()
            .map(|(i, f)| json!({"name": format!("s{i}.txt"),
        "kind": "end_user_statement", "sha256": accord_core::audit::hex(&sha2::Sha256::digest(f))}))
            .collect::<Vec<_>>()
    );
    let draft = apply(&w, None, "", b).await;
    let app_id = draft.body["id"].as_str().unwrap().to_owned();
    let path = |i: usize| format!("/api/v1/applications/{app_id}/documents/{i}");
    let first = w.node.send(put_file(&w, &path(0), "text/plain", files[0].clone())).await;
    assert_eq!(first.status.as_u16(), 201, "{}", first.body);
    let over = w.node.send(put_file(&w, &path(1), "text/plain", files[1].clone())).await;
    assert_eq!((over.status.as_u16(), over.code()), (422, "storage_quota_exceeded"), "{}", over.body);
    assert_eq!(over.body["error"]["details"]["quota"], quota);
    let listed = w.node.get(&format!("/api/v1/applications/{app_id}/documents"), Some(w.key("exporter_de"))).await;
    assert!(listed.body[0]["upload"].is_object() && listed.body[1]["upload"].is_null(), "{}", listed.body);
}

accord_testing::on_both_backends!(
    codes_are_stored_in_upper_case_and_currencies_must_be_iso_4217,
    certifications_and_audits_come_from_the_organisations_authority_and_are_dated_within_bounds,
    licences_denials_and_transactions_are_dated_within_bounds,
    an_organisations_uploads_stop_at_its_storage_quota,
    applications_open_cases_in_the_officers_queue,
    documents_rosters_amendments_and_denials_over_http,
    allied_denials_consultations_and_assessments_over_http
);
