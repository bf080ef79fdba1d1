//! Determinations over HTTP on SQLite and PostgreSQL: an answer per jurisdiction with its citations, and every kind
//! of bad input refused with its stable code while nothing is stored; the policies in force are public.

use crate::support::world;
use accord_core::principal::Principal;
use accord_store::Backend;
use axum::body::Body;
use axum::http::Request;
use serde_json::{Value, json};

fn transaction() -> Value {
    json!({"date": "2025-12-01", "origin": "DE", "destination": "CN",
           "end_use": {"category": "civil", "statement": "university radar lab"},
           "items": [{"code": "3A001.a.1", "description": "rad-hard ICs", "quantity": 10, "value": 5000, "currency": "EUR"}]})
}

async fn determinations_answer_per_jurisdiction_and_refuse_bad_input(backend: Backend) {
    let w = world(backend).await;
    let op = Principal::Operator { name: "test".into() };
    accord_testing::data::import_controls(&w.node.app, "2021-01-01", false).await;
    let exporter = w.key("exporter_de").to_owned();

    let none = w.node.post("/api/v1/determinations", Some(&exporter), transaction()).await;
    assert_eq!((none.status.as_u16(), none.code()), (404, "not_found"), "no policy set yet: {}", none.body);
    w.node.app.ensure_policies(&op).await.unwrap();
    let before = w.node.audit_state().await;

    let a = w.node.post("/api/v1/determinations", Some(&exporter), transaction()).await;
    assert_eq!(a.status.as_u16(), 200, "{}", a.body);
    let eu = &a.body["jurisdictions"][0];
    assert_eq!((eu["jurisdiction"].as_str(), eu["outcome"].as_str()), (Some("EU"), Some("licence_required")));
    assert_eq!(eu["reasons"][0]["rule"], "eu.annex_i.export");
    assert_eq!(eu["reasons"][0]["citation"], "Regulation (EU) 2021/821, Art. 3(1)");
    assert!(eu["not_available"].as_array().unwrap().iter().any(|n| n["authorisation"] == "EU001"));
    assert!(a.body["versions"]["policies"].as_str().unwrap().contains("eu.toml@"));

    let mut asked = transaction();
    asked["jurisdictions"] = json!(["EU", "US"]);
    let both = w.node.post("/api/v1/determinations?at=2025-12-01", Some(&exporter), asked).await;
    assert_eq!(both.body["jurisdictions"].as_array().unwrap().len(), 2, "{}", both.body);
    // The EU answer rests on hand-encoded sets and says so; before the eCFR issue the US chart has no facts.
    let eu = &both.body["jurisdictions"][0];
    assert!(eu["unverified"].as_array().unwrap().iter().any(|u| u.as_str().unwrap().contains("eu_member_states")));
    let warnings = both.body["warnings"].as_array().unwrap();
    assert!(
        warnings.iter().any(|w| w.as_str().unwrap().starts_with("EU: this answer relies on facts")),
        "{warnings:?}"
    );
    let us = &both.body["jurisdictions"][1];
    assert!(
        us["reasons"].as_array().unwrap().iter().any(|r| r["missing_data"] == true
            && r["detail"].as_str().unwrap().contains("none in force on 2025-12-01")),
        "{us}"
    );
    let mut later = transaction();
    later["date"] = json!("2026-08-03");
    later["jurisdictions"] = json!(["US"]);
    later["items"][0]["code"] = json!("3A001.a.2");
    let us = w.node.post("/api/v1/determinations", Some(&exporter), later).await;
    let us = &us.body["jurisdictions"][0];
    assert_eq!(us["outcome"], "licence_required", "NS2 is marked for China: {us}");
    assert_eq!(us["reasons"][0]["rule"], "us.ccl.chart:NS2");
    assert!(us["reasons"][0]["citation"].as_str().unwrap().contains("eCFR issue 2026-07-23"));

    let raw = |body: &str| {
        Request::post("/api/v1/determinations")
            .header("authorization", format!("Bearer {exporter}"))
            .header("content-type", "application/json")
            .body(Body::from(body.to_owned()))
            .unwrap()
    };
    let broken = w.node.send(raw("{\"date\": \"2025-12-01\", ")).await;
    assert_eq!((broken.status.as_u16(), broken.code()), (400, "malformed_json"));

    let edit = |pointer: &str, value: Value| {
        let mut t = transaction();
        *t.pointer_mut(pointer).unwrap() = value;
        t
    };
    let mut unknown_field = transaction();
    unknown_field["shipper"] = json!("x");
    let cases: Vec<(&str, Value, u16, &str)> = vec![
        ("wrong type", edit("/items/0/quantity", json!("ten")), 400, "invalid_body"),
        ("unknown field", unknown_field, 400, "invalid_body"),
        ("unknown code", edit("/items/0/code", json!("3A00X")), 422, "unknown_control_code"),
        ("unknown country", edit("/destination", json!("ZZ")), 422, "unknown_country"),
        ("negative quantity", edit("/items/0/quantity", json!(-3)), 422, "validation_failed"),
        ("hostile name", edit("/end_use/category", json!("<script>")), 422, "validation_failed"),
        ("bad date", edit("/date", json!("2025-13-01")), 422, "validation_failed"),
        ("huge quantity", edit("/items/0/quantity", json!(1e300)), 400, "invalid_body"),
        ("quantity finer than kept", edit("/items/0/quantity", json!("0.0000001")), 400, "invalid_body"),
        ("value finer than the currency", edit("/items/0/value", json!(12.345)), 422, "validation_failed"),
    ];
    for (what, body, status, code) in cases {
        let r = w.node.post("/api/v1/determinations", Some(&exporter), body).await;
        assert_eq!((r.status.as_u16(), r.code()), (status, code), "{what}: {}", r.body);
        assert!(!r.body["error"]["message"].as_str().unwrap().is_empty());
    }
    let r = w.node.post("/api/v1/determinations", Some(&exporter), edit("/items/0/code", json!("3A00X"))).await;
    assert!(r.body["error"]["details"]["nearest"].as_array().unwrap().contains(&json!("3A001")), "{}", r.body);
    assert_eq!(r.body["error"]["details"]["field"], "items[0].code");
    let mut bad_jurisdiction = transaction();
    bad_jurisdiction["jurisdictions"] = json!(["EU", "Narnia"]);
    let r = w.node.post("/api/v1/determinations", Some(&exporter), bad_jurisdiction).await;
    assert_eq!((r.status.as_u16(), r.code()), (422, "unknown_jurisdiction"), "{}", r.body);
    let r = w.node.post("/api/v1/determinations?at=yesterday", Some(&exporter), transaction()).await;
    assert_eq!(r.code(), "validation_failed");
    let r = w.node.post("/api/v1/determinations?threshold=0.99", Some(&exporter), transaction()).await;
    assert_eq!((r.status.as_u16(), r.code()), (403, "forbidden"), "an exporter may not hide hits: {}", r.body);
    let r = w.node.post("/api/v1/determinations?threshold=0.99", Some(w.key("officer_de")), transaction()).await;
    assert_eq!(r.status.as_u16(), 200, "an officer may: {}", r.body);
    let r = w.node.post("/api/v1/determinations?when=now", Some(&exporter), transaction()).await;
    assert_eq!(r.code(), "invalid_query");
    let r = w.node.post("/api/v1/determinations", None, transaction()).await;
    assert_eq!((r.status.as_u16(), r.code()), (401, "unauthenticated"));
    assert_eq!(w.node.audit_state().await, before, "determinations and refusals store nothing");

    let p = w.node.get("/api/v1/policies?at=2025-12-01", None).await;
    assert_eq!(p.status.as_u16(), 200, "the policies in force are public: {}", p.body);
    assert_eq!(p.body["policies"].as_array().unwrap().len(), 3);
    let sources = p.body["sources"].as_array().unwrap();
    let chart = sources.iter().find(|s| s["file"] == "data/us-ecfr-chart.toml").unwrap();
    assert_eq!((chart["kind"].as_str(), chart["verified"].as_bool()), (Some("primary_source"), Some(true)));
    assert_eq!(chart["issue_date"], "2026-07-23");
    let eu_sets = sources.iter().find(|s| s["file"] == "data/eu-sets.toml").unwrap();
    assert_eq!((eu_sets["kind"].as_str(), eu_sets["verified"].as_bool()), (Some("hand_encoded"), Some(false)));
    let v = w.node.get("/api/v1/policies/versions", None).await;
    assert_eq!(v.body.as_array().unwrap().len(), 1);
    let doc = w.node.get("/api/v1/openapi.json", None).await;
    assert!(doc.body["paths"]["/api/v1/determinations"]["post"].is_object());
    assert!(doc.body["components"]["schemas"]["Transaction"].is_object());
    assert!(doc.body["components"]["schemas"]["FactSource"].is_object(), "the sources are documented");
    let mut refs = Vec::new();
    collect_refs(&doc.body, &mut refs);
    for r in &refs {
        let name = r.strip_prefix("#/components/schemas/").unwrap_or(r);
        assert!(doc.body["components"]["schemas"][name].is_object(), "{r} is referenced but not defined");
    }
    let quantity = &doc.body["components"]["schemas"]["Decimal"];
    assert_eq!(quantity["type"], "number", "quantities and values are documented as numbers: {quantity}");
}

fn collect_refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(r)) = m.get("$ref") {
                out.push(r.clone());
            }
            m.values().for_each(|x| collect_refs(x, out));
        }
        Value::Array(a) => a.iter().for_each(|x| collect_refs(x, out)),
        _ => {}
    }
}

accord_testing::on_both_backends!(determinations_answer_per_jurisdiction_and_refuse_bad_input);
