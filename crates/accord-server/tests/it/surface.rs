//! The API says exactly what it accepts and refuses the rest in order: an anonymous caller meets 401 before any
//! input is read, a path number that does not parse is a JSON `invalid_id`, query parameters are documented as query
//! parameters with the forms the node accepts, every operation lists its error answers, and list sources show the
//! node's folders to admins and auditors only.

use crate::support::{Node, world};
use accord_core::listed::{EntityKind, ListedEntity};
use accord_store::Backend;
use axum::http::StatusCode;
use serde_json::{Value, json};

async fn an_anonymous_caller_meets_401_before_any_input_is_read(backend: Backend) {
    let w = world(backend).await;
    // Malformed ids, bodies and numbers: without a key the answer is 401, whatever else is wrong.
    for (method, path, body) in [
        ("GET", "/api/v1/cases/0", None),
        ("GET", "/api/v1/organisations/None/compliance", None),
        ("POST", "/api/v1/screen", Some(json!({"name": ""}))),
        ("POST", "/api/v1/licences/lic_x/participants/notanumber/remove", Some(json!({}))),
        ("GET", "/api/v1/applications/app_x/documents/-1", None),
    ] {
        let method = method.parse().unwrap();
        let a = w.node.call(method, path, None, body).await;
        assert_eq!((a.status, a.code()), (StatusCode::UNAUTHORIZED, "unauthenticated"), "{path}: {}", a.body);
    }
    // With a key, the same number is a precise JSON error.
    let a = w.node.get("/api/v1/applications/app_x/documents/-1", Some(w.key("exporter_de"))).await;
    assert_eq!((a.status, a.code()), (StatusCode::BAD_REQUEST, "invalid_id"), "{}", a.body);
    let huge = "/api/v1/applications/app_x/documents/390516024129737004679168";
    assert_eq!(w.node.get(huge, Some(w.key("exporter_de"))).await.code(), "invalid_id");
    // A bad key is reported before a bad id.
    let a = w.node.get("/api/v1/cases/0", Some("key_nonsense")).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{}", a.body);
    // Public operations stay public.
    assert_eq!(w.node.get("/api/v1/authorities/DE-BAFA", None).await.status, StatusCode::OK);
}

fn parameters<'a>(doc: &'a Value, path: &str, method: &str) -> &'a Vec<Value> {
    doc["paths"][path][method]["parameters"].as_array().unwrap_or_else(|| panic!("{method} {path} has parameters"))
}

async fn the_openapi_document_states_where_and_in_what_form_each_parameter_goes(backend: Backend) {
    let node = Node::new(backend).await;
    let doc = node.get("/api/v1/openapi.json", None).await.body;
    let mut queries = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            for p in op["parameters"].as_array().into_iter().flatten() {
                let name = p["name"].as_str().unwrap();
                let template = format!("{{{name}}}");
                match p["in"].as_str().unwrap() {
                    "path" => assert!(path.contains(&template), "{method} {path}: '{name}' is not in the path"),
                    "query" => {
                        queries += 1;
                        assert!(!path.contains(&template), "{method} {path}: '{name}' is in the path");
                    }
                    "header" => {}
                    other => panic!("{method} {path}: '{name}' in {other}"),
                }
            }
            // Every operation lists the error answers it can give, each with the error envelope.
            let responses = op["responses"].as_object().unwrap();
            for status in ["400", "401", "422", "500", "503"] {
                let r = &responses.get(status).unwrap_or_else(|| panic!("{method} {path} documents {status}"));
                assert!(r["content"]["application/json"]["schema"]["$ref"].as_str().unwrap().ends_with("ErrorBody"));
            }
            if op.get("requestBody").is_some() {
                assert!(responses.contains_key("415") && responses.contains_key("413"), "{method} {path}");
            }
        }
    }
    assert!(queries >= 17, "{queries} query parameters");
    let outbox = parameters(&doc, "/federation/v1/outbox", "get");
    assert!(outbox.iter().all(|p| p["in"] == "query"), "{outbox:?}");
    let case = &parameters(&doc, "/api/v1/cases/{id}", "get")[0]["schema"];
    assert_eq!(case["pattern"], "^case_[0-9A-HJKMNP-TV-Z]{26}$");
    let denial = &parameters(&doc, "/api/v1/denials/{id}", "get")[0]["schema"];
    assert!(denial["pattern"].as_str().unwrap().contains("[A-Z]{2}-[A-Z0-9]{2,16}:"), "owners may qualify: {denial}");
    let authority = &parameters(&doc, "/api/v1/authorities/{id}", "get")[0]["schema"];
    assert_eq!(authority["pattern"], "^[A-Z]{2}-[A-Z0-9]{2,16}$");
    let at = parameters(&doc, "/api/v1/controls", "get").iter().find(|p| p["name"] == "at").unwrap();
    assert_eq!((at["in"].as_str(), at["schema"]["format"].as_str()), (Some("query"), Some("date")));
    let position = &parameters(&doc, "/api/v1/applications/{id}/documents/{position}", "get")[1]["schema"];
    assert_eq!((position["type"].as_str(), position["minimum"].as_i64()), (Some("integer"), Some(0)));
    assert!(doc["paths"]["/metrics"]["get"]["security"].is_array(), "the metrics need a key");
    let controls = &doc["paths"]["/api/v1/controls"]["get"]["responses"];
    assert!(controls["404"].is_object(), "a day before any version finds nothing: {controls}");
}

async fn list_sources_show_the_nodes_folders_to_admins_and_auditors_only(backend: Backend) {
    let w = world(backend).await;
    let source = "/srv/accord/feeds/2026-07-31/consolidated.csv".to_owned();
    let entity = ListedEntity::new("us_csl", "1", EntityKind::Organization, "Front Company Ltd");
    let import = accord_app::ListImport {
        list_id: "us_csl".into(),
        format: "csl".into(),
        content_hash: "0".repeat(64),
        entities: vec![entity],
        problems: 0,
        source: source.clone(),
    };
    let operator = accord_core::principal::Principal::Operator { name: "test".into() };
    w.node.app.import_list(&operator, import).await.unwrap();
    let seen = |who: &str| {
        let node = &w.node;
        let key = w.key(who).to_owned();
        async move { node.get("/api/v1/lists", Some(&key)).await.body[0]["source"].as_str().unwrap().to_owned() }
    };
    assert_eq!(seen("admin").await, source);
    assert_eq!(seen("auditor").await, source);
    assert_eq!(seen("exporter_de").await, "consolidated.csv");
    assert_eq!(seen("officer_de").await, "consolidated.csv");
}

accord_testing::on_both_backends!(
    an_anonymous_caller_meets_401_before_any_input_is_read,
    the_openapi_document_states_where_and_in_what_form_each_parameter_goes,
    list_sources_show_the_nodes_folders_to_admins_and_auditors_only,
);
