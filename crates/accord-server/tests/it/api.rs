//! The HTTP API on SQLite and PostgreSQL: bad input is refused precisely and changes nothing, keys
//! expire and revoke, every answer carries a request id, the OpenAPI document covers every route,
//! metrics count per route, and a database outage is answered 503 without losing data.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::type_complexity, missing_docs)]

use crate::support::{Node, TEST_BODY_LIMIT, authority_json, org_json, world};
use accord_core::ErrorCode;
use accord_store::Backend;
use accord_store::prelude::*;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use serde_json::{Value, json};

async fn bad_input_is_refused_precisely_and_changes_nothing(backend: Backend) {
    let w = world(backend).await;
    let admin = w.key("admin");
    let before = w.node.audit_state().await;
    let raw = |body: &str, content_type: Option<&str>| {
        let mut r = Request::post("/api/v1/authorities").header("authorization", format!("Bearer {admin}"));
        if let Some(ct) = content_type {
            r = r.header("content-type", ct);
        }
        r.body(Body::from(body.to_owned())).unwrap()
    };
    let cases: Vec<(&str, Request<Body>, u16, &str)> = vec![
        ("truncated JSON", raw("{\"id\": \"JP-METI\"", Some("application/json")), 400, "malformed_json"),
        ("not JSON at all", raw("id=JP-METI", Some("application/json")), 400, "malformed_json"),
        ("no content type", raw(&authority_json("JP-METI", "JP").to_string(), None), 415, "unsupported_media_type"),
        (
            "wrong content type",
            raw(&authority_json("JP-METI", "JP").to_string(), Some("text/plain")),
            415,
            "unsupported_media_type",
        ),
    ];
    for (what, req, status, code) in cases {
        let a = w.node.send(req).await;
        assert_eq!((a.status.as_u16(), a.code()), (status, code), "{what}: {}", a.body);
        assert!(!a.body["error"]["message"].as_str().unwrap().is_empty());
    }

    let mut unknown_field = authority_json("JP-METI", "JP");
    unknown_field["colour"] = json!("red");
    let mut wrong_type = authority_json("JP-METI", "JP");
    wrong_type["name"] = json!(42);
    let mut missing = authority_json("JP-METI", "JP");
    missing.as_object_mut().unwrap().remove("country");
    let mut bad_country = authority_json("JP-METI", "JP");
    bad_country["country"] = json!("XX");
    let mut bad_zone = authority_json("JP-METI", "JP");
    bad_zone["time_zone"] = json!("Mars/Olympus");
    let mut hostile = authority_json("JP-METI", "JP");
    hostile["name"] = json!("Robert'); DROP TABLE authorities;--\u{0}");
    let cases: Vec<(&str, &str, Value, u16, &str, Option<&str>)> = vec![
        ("unknown field", "/api/v1/authorities", unknown_field, 400, "invalid_body", None),
        ("wrong type", "/api/v1/authorities", wrong_type, 400, "invalid_body", None),
        ("missing field", "/api/v1/authorities", missing, 400, "invalid_body", None),
        ("invalid country", "/api/v1/authorities", bad_country, 422, "validation_failed", Some("country")),
        ("unknown time zone", "/api/v1/authorities", bad_zone, 422, "validation_failed", Some("time_zone")),
        ("control character", "/api/v1/authorities", hostile, 422, "validation_failed", Some("name")),
        ("invalid authority id", "/api/v1/authorities", authority_json("bafa", "DE"), 400, "invalid_id", None),
        ("duplicate authority", "/api/v1/authorities", authority_json("DE-BAFA", "DE"), 409, "already_exists", None),
        (
            "unknown authority",
            "/api/v1/organisations",
            org_json("JP-METI"),
            422,
            "unknown_authority",
            Some("authority_id"),
        ),
        (
            "bad size class",
            "/api/v1/organisations",
            json!({"name": "X", "country": "DE", "size_class": "huge", "authority_id": "DE-BAFA"}),
            400,
            "invalid_body",
            None,
        ),
        (
            "exporter without organisation",
            "/api/v1/users",
            json!({"name": "X", "email": "x@example.org", "role": "exporter"}),
            422,
            "validation_failed",
            Some("organisation_id"),
        ),
        (
            "unknown role",
            "/api/v1/users",
            json!({"name": "X", "email": "x@example.org", "role": "king"}),
            400,
            "invalid_body",
            None,
        ),
        (
            "unknown organisation",
            "/api/v1/users",
            json!({"name": "X", "email": "x@example.org", "role": "exporter", "organisation_id": "org_01M8DS980F8ZGVMHPJ305S6FBZ"}),
            422,
            "unknown_organisation",
            Some("organisation_id"),
        ),
        (
            "duplicate e-mail",
            "/api/v1/users",
            json!({"name": "X", "email": "Officer_DE@example.org", "role": "analyst"}),
            409,
            "already_exists",
            None,
        ),
    ];
    for (what, path, body, status, code, field) in cases {
        let a = w.node.post(path, Some(admin), body).await;
        assert_eq!((a.status.as_u16(), a.code()), (status, code), "{what}: {}", a.body);
        if let Some(field) = field {
            assert_eq!(a.body["error"]["details"]["field"], field, "{what}");
        }
    }

    let big = json!({ "id": "JP-METI", "name": "x".repeat(TEST_BODY_LIMIT + 1), "jurisdiction": "JP", "country": "JP", "time_zone": "Asia/Tokyo" });
    let a = w.node.post("/api/v1/authorities", Some(admin), big).await;
    assert_eq!((a.status.as_u16(), a.code()), (413, "payload_too_large"));

    for (path, status, code) in [
        ("/api/v1/organisations/not-an-id", 400, "invalid_id"),
        (&format!("/api/v1/organisations/{}", w.id("officer_de")) as &str, 400, "invalid_id"),
        ("/api/v1/organisations/org_01M8DS980F8ZGVMHPJ305S6FBZ", 404, "not_found"),
        ("/api/v1/users/usr_01M8DS980F8ZGVMHPJ305S6FBZ", 404, "not_found"),
        ("/api/v1/authorities/JP-METI", 404, "not_found"),
        ("/api/v1/nothing-here", 404, "route_not_found"),
        ("/api/v1/audit/events?limit=abc", 400, "invalid_query"),
        ("/api/v1/audit/events?limit=5000", 400, "invalid_query"),
        ("/api/v1/audit/events?colour=red", 400, "invalid_query"),
    ] {
        let a = w.node.get(path, Some(admin)).await;
        assert_eq!((a.status.as_u16(), a.code()), (status, code), "{path}: {}", a.body);
    }
    let a = w.node.call(Method::DELETE, "/api/v1/authorities", Some(admin), None).await;
    assert_eq!((a.status.as_u16(), a.code()), (405, "method_not_allowed"));

    assert_eq!(w.node.audit_state().await, before, "no refused request left an event");
    let authorities = w.node.get("/api/v1/authorities", None).await.body;
    assert_eq!(authorities.as_array().unwrap().len(), 2);
    assert_eq!(authorities[0]["name"], "DE-BAFA export control", "the duplicate did not overwrite");

    // Hostile but valid text is stored and returned verbatim.
    let name = "O'Brien & Söhne \"Ltd\"); DROP TABLE organisations;-- ООО «Ромашка» شركة";
    let mut org = org_json("DE-BAFA");
    org["name"] = json!(name);
    let created = w.node.post("/api/v1/organisations", Some(admin), org).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.body["id"].as_str().unwrap();
    assert_eq!(w.node.get(&format!("/api/v1/organisations/{id}"), Some(admin)).await.body["name"], name);
}

async fn keys_stop_working_when_revoked_or_expired(backend: Backend) {
    let w = world(backend).await;
    let me = w.id("exporter_de").to_owned();
    let own = w.key("exporter_de").to_owned();

    for (header, code) in [
        ("Bearer nonsense".to_owned(), "invalid_api_key"),
        (format!("Basic {own}"), "invalid_api_key"),
        (format!("Bearer {}{}", &own[..own.len() - 1], if own.ends_with('0') { '1' } else { '0' }), "invalid_api_key"),
    ] {
        let req = Request::get("/api/v1/me").header("authorization", header.clone()).body(Body::empty()).unwrap();
        let a = w.node.send(req).await;
        assert_eq!((a.status.as_u16(), a.code()), (401, code), "{header}");
    }

    let soon = accord_core::now().plus(jiff::SignedDuration::from_millis(1500)).to_string();
    let short = w
        .node
        .post(&format!("/api/v1/users/{me}/keys"), Some(&own), json!({"label": "short", "expires_at": soon}))
        .await;
    assert_eq!(short.status, StatusCode::CREATED, "{}", short.body);
    let short_key = short.body["token"].as_str().unwrap().to_owned();
    assert_eq!(w.node.get("/api/v1/me", Some(&short_key)).await.status, StatusCode::OK);
    tokio::time::sleep(std::time::Duration::from_millis(1700)).await;
    let a = w.node.get("/api/v1/me", Some(&short_key)).await;
    assert_eq!((a.status.as_u16(), a.code()), (401, "api_key_expired"));

    let listed = w.node.get(&format!("/api/v1/users/{me}/keys"), Some(&own)).await.body;
    let listed_text = listed.to_string();
    assert!(!listed_text.contains(own.split_once('.').unwrap().1), "listings never show secrets");
    let own_id = own.split_once('.').unwrap().0;
    let used = listed.as_array().unwrap().iter().find(|k| k["id"] == own_id).unwrap();
    assert!(used["last_used_at"].is_string(), "use of a key is recorded: {used}");

    let revoked = w.node.call(Method::POST, &format!("/api/v1/keys/{own_id}/revoke"), Some(&own), None).await;
    assert_eq!(revoked.status, StatusCode::OK);
    assert!(revoked.body["revoked_at"].is_string());
    let a = w.node.get("/api/v1/me", Some(&own)).await;
    assert_eq!((a.status.as_u16(), a.code()), (401, "api_key_revoked"));

    // Revoking twice changes nothing and records nothing more.
    let before = w.node.audit_state().await;
    let again = w.node.call(Method::POST, &format!("/api/v1/keys/{own_id}/revoke"), Some(w.key("admin")), None).await;
    assert_eq!(again.body["revoked_at"], revoked.body["revoked_at"]);
    assert_eq!(w.node.audit_state().await, before);
}

async fn disabling_a_user_revokes_their_keys_and_enabling_revives_none(backend: Backend) {
    let w = world(backend).await;
    let officer = w.id("officer_de").to_owned();
    let admin = w.key("admin");
    let a = w.node.call(Method::POST, &format!("/api/v1/users/{officer}/disable"), Some(admin), None).await;
    assert_eq!(a.body["disabled"], true, "{}", a.body);
    let refused = w.node.get("/api/v1/me", Some(w.key("officer_de"))).await;
    assert_eq!((refused.status.as_u16(), refused.code()), (401, "api_key_revoked"));
    let keys = w.node.get(&format!("/api/v1/users/{officer}/keys"), Some(admin)).await.body;
    assert!(keys.as_array().unwrap().iter().all(|k| k["revoked_at"].is_string()), "{keys}");
    let listed = w.node.get(&format!("/api/v1/users/{officer}"), Some(admin)).await;
    assert_eq!(listed.body["disabled"], true);

    let before = w.node.audit_state().await;
    w.node.call(Method::POST, &format!("/api/v1/users/{officer}/disable"), Some(admin), None).await;
    assert_eq!(w.node.audit_state().await, before, "disabling twice records nothing more");

    let admin_id = w.id("admin").to_owned();
    let own = w.node.call(Method::POST, &format!("/api/v1/users/{admin_id}/disable"), Some(admin), None).await;
    assert_eq!((own.status.as_u16(), own.code()), (409, "conflict"), "an admin cannot lock itself out");

    w.node.call(Method::POST, &format!("/api/v1/users/{officer}/enable"), Some(admin), None).await;
    let stale = w.node.get("/api/v1/me", Some(w.key("officer_de"))).await;
    assert_eq!(stale.code(), "api_key_revoked", "enabling revives no key");
    let operator = accord_core::principal::Principal::Operator { name: "test".into() };
    let new = accord_app::NewKey { label: "again".into(), expires_at: None };
    let fresh = w.node.app.create_key(&operator, &officer, new).await.unwrap().token;
    assert_eq!(w.node.get("/api/v1/me", Some(&fresh)).await.status, StatusCode::OK);
    let events = w.node.get("/api/v1/audit/events?limit=1000", Some(admin)).await.body;
    let kinds: Vec<&str> = events.as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(&kinds[kinds.len() - 3..], ["user.disabled", "user.enabled", "api_key.created"]);
}

async fn every_response_carries_a_request_id(backend: Backend) {
    let node = Node::new(backend).await;
    let a = node.get("/health", None).await;
    let id = a.headers["x-request-id"].to_str().unwrap().to_owned();
    assert!(id.starts_with("req_"), "{id}");
    let b = node.get("/api/v1/nothing", None).await;
    assert_ne!(b.headers["x-request-id"].to_str().unwrap(), id, "ids are unique");

    let req = Request::get("/health").header("x-request-id", "client-trace-42").body(Body::empty()).unwrap();
    assert_eq!(node.send(req).await.headers["x-request-id"], "client-trace-42", "a sane caller id is kept");
    let req = Request::get("/health").header("x-request-id", "evil\"id with spaces").body(Body::empty()).unwrap();
    assert!(
        node.send(req).await.headers["x-request-id"].to_str().unwrap().starts_with("req_"),
        "a hostile id is replaced"
    );
}

async fn openapi_document_covers_every_route(backend: Backend) {
    let node = Node::new(backend).await;
    let doc = node.get("/api/v1/openapi.json", None).await.body;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"), "{}", doc["openapi"]);
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    let paths = doc["paths"].as_object().unwrap();
    let expected = [
        ("/health", "get"),
        ("/ready", "get"),
        ("/metrics", "get"),
        ("/api/v1/openapi.json", "get"),
        ("/api/v1/authorities", "get"),
        ("/api/v1/authorities", "post"),
        ("/api/v1/authorities/{id}", "get"),
        ("/api/v1/organisations", "get"),
        ("/api/v1/organisations", "post"),
        ("/api/v1/organisations/{id}", "get"),
        ("/api/v1/users", "get"),
        ("/api/v1/users", "post"),
        ("/api/v1/users/{id}", "get"),
        ("/api/v1/users/{id}/disable", "post"),
        ("/api/v1/users/{id}/enable", "post"),
        ("/api/v1/me", "get"),
        ("/api/v1/users/{id}/invitation", "post"),
        ("/api/v1/users/{id}/second-factor/reset", "post"),
        ("/api/v1/users/{id}/keys", "get"),
        ("/api/v1/users/{id}/keys", "post"),
        ("/api/v1/keys/{id}/revoke", "post"),
        ("/api/v1/audit/events", "get"),
        ("/api/v1/audit/verify", "get"),
        ("/api/v1/lists", "get"),
        ("/api/v1/lists/{id}/versions", "get"),
        ("/api/v1/lists/{id}/diff", "get"),
        ("/api/v1/screen", "post"),
        ("/api/v1/screen/adjudications", "post"),
        ("/api/v1/controls", "get"),
        ("/api/v1/controls/versions", "get"),
        ("/api/v1/controls/search", "get"),
        ("/api/v1/controls/{code}", "get"),
        ("/api/v1/determinations", "post"),
        ("/api/v1/policies", "get"),
        ("/api/v1/policies/versions", "get"),
        ("/api/v1/applications", "get"),
        ("/api/v1/applications", "post"),
        ("/api/v1/applications/{id}", "get"),
        ("/api/v1/applications/{id}/submit", "post"),
        ("/api/v1/cases", "get"),
        ("/api/v1/cases/{id}", "get"),
        ("/api/v1/cases/{id}/sla", "get"),
        ("/api/v1/cases/{id}/history", "get"),
        ("/api/v1/cases/{id}/decision", "post"),
        ("/api/v1/cases/{id}/{action}", "post"),
        ("/api/v1/cases/{id}/tasks", "post"),
        ("/api/v1/cases/{id}/tasks/{task}", "post"),
        ("/api/v1/organisations/{id}/compliance", "get"),
        ("/api/v1/organisations/{id}/compliance", "post"),
        ("/api/v1/authorities/{id}/fast-track", "post"),
        ("/api/v1/licences", "get"),
        ("/api/v1/licences/{id}", "get"),
        ("/api/v1/licences/{id}/shipments", "get"),
        ("/api/v1/licences/{id}/shipments", "post"),
        ("/api/v1/licences/{id}/status", "post"),
        ("/api/v1/licences/{id}/participants", "post"),
        ("/api/v1/licences/{id}/participants/{index}/remove", "post"),
        ("/api/v1/licences/{id}/amendments", "post"),
        ("/api/v1/licences/{id}/amendments/{number}", "post"),
        ("/api/v1/applications/{id}/documents", "get"),
        ("/api/v1/applications/{id}/documents/{position}", "get"),
        ("/api/v1/applications/{id}/documents/{position}", "put"),
        ("/api/v1/denials", "get"),
        ("/api/v1/denials", "post"),
        ("/api/v1/denials/{id}", "get"),
        ("/api/v1/denials/{id}", "post"),
        ("/api/v1/cases/{id}/consultations", "post"),
        ("/api/v1/consultations", "get"),
        ("/api/v1/consultations/{id}/answer", "post"),
        ("/api/v1/notices", "get"),
        ("/api/v1/assessments", "get"),
        ("/api/v1/assessments", "post"),
        ("/api/v1/assessments/{id}/endorse", "post"),
        ("/api/v1/verifications", "get"),
        ("/api/v1/federation/status", "get"),
        ("/api/v1/proposals", "get"),
        ("/api/v1/proposals", "post"),
        ("/api/v1/proposals/{key}", "get"),
        ("/api/v1/proposals/{key}/steps/{step}", "post"),
        ("/api/v1/proposals/{key}/comments", "get"),
        ("/api/v1/proposals/{key}/comments", "post"),
        ("/api/v1/comments/{id}/moderation", "post"),
        ("/api/v1/proposals/{key}/votes", "get"),
        ("/api/v1/proposals/{key}/votes", "post"),
        ("/api/v1/proposals/{key}/close", "post"),
        ("/api/v1/proposals/{key}/impact", "get"),
        ("/api/v1/proposals/{key}/opinions", "get"),
        ("/api/v1/proposals/{key}/opinions", "post"),
        ("/api/v1/feedback", "get"),
        ("/api/v1/feedback", "post"),
        ("/api/v1/feedback/{id}/triage", "post"),
        ("/api/v1/feedback/summary", "get"),
        ("/api/v1/feedback/{id}/proposal", "post"),
        ("/api/v1/watch", "get"),
        ("/api/v1/watch", "post"),
        ("/api/v1/watch/run", "post"),
        ("/api/v1/reviews", "get"),
        ("/api/v1/reviews/schedule", "post"),
        ("/api/v1/reviews/reminders", "get"),
        ("/api/v1/reviews/{id}/close", "post"),
        ("/api/v1/trade/versions", "get"),
        ("/api/v1/trade/versions", "post"),
        ("/api/v1/warnings/indicators", "get"),
        ("/api/v1/declarations/analyse", "post"),
        ("/api/v1/declarations", "post"),
        ("/api/v1/declarations/imports", "get"),
        ("/api/v1/warnings/thresholds", "get"),
        ("/api/v1/warnings/thresholds", "post"),
        ("/api/v1/warnings/run", "post"),
        ("/api/v1/alerts", "get"),
        ("/api/v1/alerts/{id}/assign", "post"),
        ("/api/v1/alerts/{id}/share", "post"),
        ("/api/v1/alerts/{id}/close", "post"),
        ("/api/v1/alerts/{id}/verification", "post"),
        ("/api/v1/alerts/{id}/proposal", "post"),
        ("/api/v1/relations", "get"),
        ("/api/v1/relations", "post"),
        ("/api/v1/relations/{id}/revoke", "post"),
        ("/api/v1/ownership", "get"),
        ("/api/v1/dashboard", "get"),
        ("/api/v1/dashboard/csv", "get"),
        ("/api/v1/transparency", "get"),
        ("/api/v1/transparency/csv", "get"),
        ("/federation/v1/outbox", "get"),
        ("/federation/v1/notify", "post"),
        ("/federation/v1/checkpoints", "get"),
    ];
    let documented: usize = paths.values().map(|p| p.as_object().unwrap().len()).sum();
    assert_eq!(documented, expected.len(), "every documented operation is in this list");
    for (path, method) in expected {
        assert!(paths[path][method].is_object(), "{method} {path} is documented");
        // And it is served: a documented route never answers route_not_found.
        let concrete = path
            .replace("{id}", "DE-BAFA")
            .replace("{code}", "3A001")
            .replace("{action}", "assign")
            .replace("{task}", "0")
            .replace("{index}", "0")
            .replace("{number}", "1")
            .replace("{position}", "0")
            .replace("{key}", "DE-BAFA:prp_x")
            .replace("{step}", "withdraw");
        let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let a = node.call(m, &concrete, None, None).await;
        assert_ne!(a.code(), "route_not_found", "{method} {path}");
    }
}

async fn metrics_count_requests_per_route(backend: Backend) {
    let w = world(backend).await;
    let org = w.org_de.clone();
    for _ in 0..3 {
        w.node.get(&format!("/api/v1/organisations/{org}"), Some(w.key("admin"))).await;
    }
    w.node.get("/api/v1/nowhere", None).await;
    // The metrics show the node's load: admins and auditors read them, nobody else.
    assert_eq!(w.node.get("/metrics", None).await.code(), "unauthenticated");
    assert_eq!(w.node.get("/metrics", Some(w.key("exporter_de"))).await.code(), "forbidden");
    assert_eq!(w.node.get("/metrics", Some(w.key("auditor"))).await.status, StatusCode::OK);
    let text = w.node.get("/metrics", Some(w.key("admin"))).await.body;
    let text = text.as_str().unwrap();
    assert!(
        text.contains(
            "accord_http_requests_total{method=\"GET\",route=\"/api/v1/organisations/{id}\",status=\"200\"} 3"
        ),
        "{text}"
    );
    assert!(!text.contains(&org), "routes are labelled by template, not by id");
    assert!(text.contains("route=\"unmatched\",status=\"404\"} 1"));
    assert!(text.contains("route=\"/metrics\",status=\"401\"} 1"), "{text}");
    assert!(
        text.contains(
            "accord_http_request_duration_seconds_count{method=\"GET\",route=\"/api/v1/organisations/{id}\"} 3"
        )
    );
    assert!(text.contains(&format!("accord_db_pool_max_connections{{backend=\"{}\"}} 5", backend.as_str())));
}

/// Makes the database unreachable for this store and returns a function that brings it back.
async fn outage(node: &Node) -> Option<String> {
    match node.store.backend() {
        Backend::Sqlite => {
            // The embedded database cannot go away on its own; a closed pool is the same to the service.
            node.store.close().await;
            None
        }
        Backend::Postgres => {
            let name = node.db.url_string().rsplit_once('/').unwrap().1.to_owned();
            let mut admin: sqlx::AnyConnection =
                sqlx::Connection::connect(&accord_testing::db::admin_url()).await.unwrap();
            sqlx::query(&format!("ALTER DATABASE {name} ALLOW_CONNECTIONS false")).execute(&mut admin).await.unwrap();
            sqlx::query(&format!("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"))
                .execute(&mut admin)
                .await
                .unwrap();
            Some(name)
        }
    }
}

async fn database_outage_is_answered_503_and_loses_nothing(backend: Backend) {
    let w = world(backend).await;
    let admin = w.key("admin").to_owned();
    let before = w.node.audit_state().await;
    let down = outage(&w.node).await;

    let ready = w.node.get("/ready", None).await;
    assert_eq!((ready.status.as_u16(), ready.code()), (503, "database_unavailable"), "{}", ready.body);
    assert_eq!(w.node.get("/health", None).await.status, StatusCode::OK, "the process itself is alive");
    let a = w.node.post("/api/v1/authorities", Some(&admin), authority_json("JP-METI", "JP")).await;
    assert_eq!((a.status.as_u16(), a.code()), (503, "database_unavailable"), "{}", a.body);

    if let Some(name) = down {
        let mut conn: sqlx::AnyConnection = sqlx::Connection::connect(&accord_testing::db::admin_url()).await.unwrap();
        sqlx::query(&format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true")).execute(&mut conn).await.unwrap();
        assert_eq!(w.node.get("/ready", None).await.status, StatusCode::OK, "the node recovers by itself");
        assert_eq!(w.node.audit_state().await, before, "nothing was lost or half-written");
        assert_eq!(w.node.get("/api/v1/authorities/JP-METI", None).await.code(), ErrorCode::NotFound.as_str());
    } else {
        let reopened = accord_store::SqlStore::open(&w.node.db.url, 2).await.unwrap();
        let report = reopened.verify_chain().await.unwrap();
        assert_eq!((report.events, report.ok), before, "nothing was lost or half-written");
        assert!(reopened.authority(&accord_core::ids::AuthorityId::parse("JP-METI").unwrap()).await.unwrap().is_none());
    }
}

async fn public_endpoints_answer_anonymous_callers(backend: Backend) {
    let node = Node::new(backend).await;
    assert_eq!(node.get("/health", None).await.body, json!({"status": "ok"}));
    assert_eq!(
        node.get("/ready", None).await.body,
        json!({"status": "ready", "database": backend.as_str(), "lists": []})
    );
    assert_eq!(node.get("/api/v1/authorities", None).await.body, json!([]));
    let a = node.get("/api/v1/me", None).await;
    assert_eq!((a.status.as_u16(), a.code()), (401, "unauthenticated"));
}

accord_testing::on_both_backends!(
    bad_input_is_refused_precisely_and_changes_nothing,
    keys_stop_working_when_revoked_or_expired,
    disabling_a_user_revokes_their_keys_and_enabling_revives_none,
    every_response_carries_a_request_id,
    openapi_document_covers_every_route,
    metrics_count_requests_per_route,
    database_outage_is_answered_503_and_loses_nothing,
    public_endpoints_answer_anonymous_callers,
);
