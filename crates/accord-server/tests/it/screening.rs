//! Screening over HTTP on SQLite and PostgreSQL: one party and batches with explanations, bad
//! queries refused precisely, and officers' adjudications that suppress a false positive for their
//! authority until the listed entity changes.

use crate::support;

use crate::support::{World, world};
use accord_app::ListImport;
use accord_core::listed::{EntityKind, ListedEntity, NameKind, entity_hash};
use accord_core::principal::Principal;
use accord_store::Backend;
use serde_json::{Value, json};

fn listed() -> Vec<ListedEntity> {
    let mut person = ListedEntity::new("test_list", "P-1", EntityKind::Person, "HASSAN, Mohammed Ali");
    person.add_name("Abu Ali", NameKind::WeakAlias);
    person.countries.push("SY".into());
    person.birth_dates.push("1961".into());
    let mut company = ListedEntity::new("test_list", "C-1", EntityKind::Organization, "Rosoboronexport OAO");
    company.add_name("Rosoboroneksport", NameKind::Alias);
    let vessel = ListedEntity::new("test_list", "V-1", EntityKind::Vessel, "OCEAN STAR");
    vec![person, company, vessel]
}

async fn import(w: &World, entities: Vec<ListedEntity>) {
    let hash = accord_core::audit::hex(&<sha2::Sha256 as sha2::Digest>::digest(
        entities.iter().map(entity_hash).collect::<String>().as_bytes(),
    ));
    let import = ListImport {
        list_id: "test_list".into(),
        format: "ftm".into(),
        content_hash: hash,
        entities,
        problems: 0,
        source: "test".into(),
    };
    w.node.app.import_list(&Principal::Operator { name: "test".into() }, import).await.unwrap();
}

async fn screen(w: &World, who: &str, body: Value) -> support::Answer {
    w.node.post("/api/v1/screen", Some(w.key(who)), body).await
}

fn first_hit(a: &support::Answer) -> &Value {
    &a.body["results"][0]["hits"][0]
}

async fn one_party_and_batches_are_screened_with_explanations(backend: Backend) {
    let w = world(backend).await;
    import(&w, listed()).await;
    let a = screen(&w, "exporter_de", json!({"name": "Muhammad Ali Hasan"})).await;
    assert_eq!(a.status.as_u16(), 200, "{}", a.body);
    let hit = first_hit(&a);
    assert_eq!((hit["list_id"].as_str(), hit["entity_id"].as_str()), (Some("test_list"), Some("P-1")), "{}", a.body);
    assert!(hit["score"].as_f64().unwrap() > 0.5);
    assert!(!hit["explanation"]["parts"].as_array().unwrap().is_empty(), "every hit explains itself");
    assert_eq!(hit["suppressed"], false);

    let batch = screen(
        &w,
        "officer_fr",
        json!({"queries": [{"name": "ROSOBORONEXPORT"}, {"name": "Jane Q. Nobody"}, {"name": "Ocean Star", "type": "vessel"}], "limit": 3}),
    )
    .await;
    assert_eq!(batch.status.as_u16(), 200, "{}", batch.body);
    let results = batch.body["results"].as_array().unwrap();
    assert_eq!(results.len(), 3, "one result per query, in order");
    assert_eq!(results[0]["hits"][0]["entity_id"], "C-1");
    assert!(results[1]["hits"].as_array().unwrap().is_empty(), "an unrelated name has no hit");
    assert_eq!(results[2]["hits"][0]["entity_id"], "V-1");
}

async fn bad_screening_requests_are_refused_precisely(backend: Backend) {
    let w = world(backend).await;
    import(&w, listed()).await;
    let long = "x".repeat(10_000);
    let many: Vec<Value> = (0..1001).map(|i| json!({"name": format!("n{i}")})).collect();
    let cases: Vec<(&str, Value, u16, &str, &str)> = vec![
        ("empty name", json!({"name": "   "}), 422, "validation_failed", "name"),
        ("huge name", json!({"name": long}), 422, "validation_failed", "name"),
        ("control characters", json!({"name": "Ali\u{0007}Hassan"}), 422, "validation_failed", "name"),
        ("threshold above 1", json!({"name": "Ali", "threshold": 1.5}), 422, "validation_failed", "threshold"),
        ("negative threshold", json!({"name": "Ali", "threshold": -0.1}), 422, "validation_failed", "threshold"),
        ("unknown type", json!({"name": "Ali", "type": "spaceship"}), 422, "validation_failed", "type"),
        ("bad country", json!({"name": "Ali", "country": "Syria"}), 422, "validation_failed", "country"),
        ("name and queries", json!({"name": "Ali", "queries": [{"name": "B"}]}), 422, "validation_failed", "name"),
        ("neither", json!({}), 422, "validation_failed", "name"),
        ("too many queries", json!({"queries": many}), 422, "validation_failed", "queries"),
        ("bad query in a batch", json!({"queries": [{"name": "ok"}, {"name": ""}]}), 422, "validation_failed", "name"),
        ("limit zero", json!({"name": "Ali", "limit": 0}), 422, "validation_failed", "limit"),
    ];
    for (what, body, status, code, field) in cases {
        let a = screen(&w, "exporter_de", body).await;
        assert_eq!((a.status.as_u16(), a.code()), (status, code), "{what}: {}", a.body);
        assert_eq!(a.body["error"]["details"]["field"], field, "{what}: {}", a.body);
    }
    let batch_error = screen(&w, "exporter_de", json!({"queries": [{"name": "ok"}, {"name": ""}]})).await;
    assert_eq!(batch_error.body["error"]["details"]["index"], 1, "the failing query of a batch is named");
    let anonymous = w.node.post("/api/v1/screen", None, json!({"name": "Ali"})).await;
    assert_eq!(anonymous.status.as_u16(), 401);
}

async fn false_positive_is_suppressed_for_the_authority_until_the_entity_changes(backend: Backend) {
    let w = world(backend).await;
    import(&w, listed()).await;
    let query = json!({"name": "Mohammed Ali Hassan", "subject": "customer-4711"});
    let a = screen(&w, "officer_de", query.clone()).await;
    assert_eq!(a.body["results"][0]["subject"], "customer-4711");
    assert_eq!(first_hit(&a)["suppressed"], false);

    let verdict = json!({"subject": "customer-4711", "list_id": "test_list", "entity_id": "P-1", "verdict": "false_positive", "reason": "different date of birth (1984) on the passport"});
    let refused = w.node.post("/api/v1/screen/adjudications", Some(w.key("exporter_de")), verdict.clone()).await;
    assert_eq!(refused.status.as_u16(), 403, "exporters do not adjudicate");
    let unknown = w
        .node
        .post("/api/v1/screen/adjudications", Some(w.key("officer_de")), json!({"subject": "s", "list_id": "test_list", "entity_id": "nope", "verdict": "false_positive", "reason": "r"}))
        .await;
    assert_eq!((unknown.status.as_u16(), unknown.code()), (404, "not_found"));
    let recorded = w.node.post("/api/v1/screen/adjudications", Some(w.key("officer_de")), verdict).await;
    assert_eq!(recorded.status.as_u16(), 201, "{}", recorded.body);
    assert_eq!(recorded.body["authority_id"], "DE-BAFA");

    let again = screen(&w, "officer_de", query.clone()).await;
    assert_eq!(first_hit(&again)["suppressed"], true, "{}", again.body);
    assert_eq!(first_hit(&again)["adjudication"]["verdict"], "false_positive");
    let other_authority = screen(&w, "officer_fr", query.clone()).await;
    assert_eq!(first_hit(&other_authority)["suppressed"], false, "another authority's verdict does not apply");
    let other_subject = screen(&w, "officer_de", json!({"name": "Mohammed Ali Hassan", "subject": "customer-9"})).await;
    assert_eq!(first_hit(&other_subject)["suppressed"], false, "another subject is screened afresh");

    // The listed entity changes in a later version: the hit alerts again.
    let mut changed = listed();
    changed[0].add_name("Abu Mohammed", NameKind::Alias);
    import(&w, changed).await;
    let after = screen(&w, "officer_de", query).await;
    assert_eq!(first_hit(&after)["suppressed"], false, "{}", after.body);
    assert!(first_hit(&after)["adjudication"].is_null());

    let events = w.node.get("/api/v1/audit/events?limit=1000", Some(w.key("admin"))).await.body;
    assert!(
        events
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "screening.adjudicated" && e["authority_id"] == "DE-BAFA")
    );
}

async fn invisible_characters_and_look_alikes_are_found_and_flagged(backend: Backend) {
    let w = world(backend).await;
    import(&w, listed()).await;
    let a = screen(&w, "exporter_de", json!({"name": "Ro\u{200B}soboron\u{200B}export"})).await;
    assert_eq!(a.status.as_u16(), 200, "{}", a.body);
    assert_eq!(first_hit(&a)["entity_id"], "C-1", "{}", a.body);
    assert_eq!(a.body["results"][0]["warnings"][0]["kind"], "invisible_characters", "{}", a.body);
    assert_eq!(first_hit(&a)["explanation"]["warnings"][0]["kind"], "invisible_characters");

    let batch = screen(
        &w,
        "exporter_de",
        json!({"queries": [
            {"name": "\u{202E}tropxenorobosoR\u{202C}"},
            {"name": "Mu\u{0127}ammad Ali \u{0397}assan"},
            {"name": "HASSAN,\nMohammed\tAli"},
            {"name": "Rosoboronexport"},
        ]}),
    )
    .await;
    assert_eq!(batch.status.as_u16(), 200, "{}", batch.body);
    let results = batch.body["results"].as_array().unwrap();
    assert_eq!(results[0]["hits"][0]["entity_id"], "C-1", "an override is read as displayed: {}", batch.body);
    assert_eq!(results[0]["warnings"][0]["kind"], "direction_controls");
    assert_eq!(results[1]["hits"][0]["entity_id"], "P-1", "{}", batch.body);
    assert_eq!(results[1]["warnings"][0]["kind"], "mixed_script");
    assert_eq!(results[2]["hits"][0]["entity_id"], "P-1", "a line break or tab reads as a space: {}", batch.body);
    assert!(results[2]["warnings"].as_array().unwrap().is_empty());
    assert!(results[3]["warnings"].as_array().unwrap().is_empty(), "a plain name carries no warning");

    let hidden = screen(&w, "exporter_de", json!({"name": "\u{200B}\u{FEFF}"})).await;
    assert_eq!((hidden.status.as_u16(), hidden.code()), (422, "validation_failed"), "{}", hidden.body);
    assert!(hidden.body["error"]["message"].as_str().unwrap().contains("only invisible characters"));
}

async fn a_batch_over_its_budget_is_refused_with_its_own_code(backend: Backend) {
    let w = world(backend).await;
    import(&w, listed()).await;
    let many: Vec<Value> = (0..1000).map(|i| json!({"name": format!("Rosoboronexport {i}")})).collect();
    let a = screen(&w, "exporter_de", json!({"queries": many, "limit": 11})).await;
    assert_eq!((a.status.as_u16(), a.code()), (422, "screening_budget_exceeded"), "{}", a.body);
    assert_eq!(a.body["error"]["details"]["budget"], 10_000);
    let within: Vec<Value> = (0..1000).map(|_| json!({"name": "Rosoboronexport"})).collect();
    let ok = screen(&w, "exporter_de", json!({"queries": within, "limit": 10})).await;
    assert_eq!(ok.status.as_u16(), 200, "{}", ok.body);
    assert_eq!(ok.body["results"].as_array().unwrap().len(), 1000);
    assert_eq!(ok.body["results"][999]["hits"][0]["entity_id"], "C-1");
}

async fn a_determination_finds_a_listed_party_hidden_by_invisible_characters(backend: Backend) {
    let w = world(backend).await;
    import(&w, listed()).await;
    let op = Principal::Operator { name: "test".into() };
    let d = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/controls"));
    let info = accord_controls::ListInfo {
        version: "2025-11".into(),
        effective_date: "2021-01-01".into(),
        rationale: String::new(),
    };
    let files = accord_controls::SourceFiles {
        eu: &d.join("eu_annex_i_2025-11.json"),
        us: &d.join("us_ccl_headings.json"),
        us_reasons: None,
        regimes: None,
    };
    w.node.app.import_controls(&op, &accord_controls::import_sources(info, &files).unwrap().0, "test").await.unwrap();
    w.node.app.ensure_policies(&op).await.unwrap();
    let determine = |party: &str| {
        json!({"date": "2025-12-01", "origin": "DE", "destination": "RU", "end_use": {"category": "civil"},
               "items": [{"code": null, "description": "laptops"}],
               "parties": [{"role": "consignee", "name": party, "country": "RU", "type": "organization"}]})
    };
    let plain = w.node.post("/api/v1/determinations", Some(w.key("exporter_de")), determine("Rosoboronexport")).await;
    assert_eq!(plain.status.as_u16(), 200, "{}", plain.body);
    assert_eq!(plain.body["party_hits"][0]["entity_id"], "C-1", "{}", plain.body);
    for hidden in [
        "Ro\u{200B}soboron\u{200B}export",
        "Rosoboron\u{00AD}export",
        "Ro\u{2060}soboronexport",
        "R\u{043E}soboronexport",
    ] {
        let a = w.node.post("/api/v1/determinations", Some(w.key("exporter_de")), determine(hidden)).await;
        assert_eq!(a.status.as_u16(), 200, "{hidden:?}: {}", a.body);
        assert_eq!(a.body["party_hits"][0]["entity_id"], "C-1", "{hidden:?}: {}", a.body);
        let outcomes =
            |b: &Value| b["jurisdictions"].as_array().unwrap().iter().map(|j| j["outcome"].clone()).collect::<Vec<_>>();
        assert_eq!(outcomes(&a.body), outcomes(&plain.body), "{hidden:?}: the same answer as for the plain name");
    }
    // A direction override in a party's name is refused outright: a clear error, never a silent miss.
    let a = w
        .node
        .post("/api/v1/determinations", Some(w.key("exporter_de")), determine("\u{202E}tropxenorobosoR\u{202C}"))
        .await;
    assert_eq!((a.status.as_u16(), a.code()), (422, "validation_failed"), "{}", a.body);
}

accord_testing::on_both_backends!(
    a_determination_finds_a_listed_party_hidden_by_invisible_characters,
    invisible_characters_and_look_alikes_are_found_and_flagged,
    a_batch_over_its_budget_is_refused_with_its_own_code,
    one_party_and_batches_are_screened_with_explanations,
    bad_screening_requests_are_refused_precisely,
    false_positive_is_suppressed_for_the_authority_until_the_entity_changes,
);
