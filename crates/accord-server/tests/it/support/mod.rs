//! A node in a test: a fresh database, the real router, and a small world of users for every role.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use accord_app::App;
use accord_core::principal::Principal;
use accord_store::{Backend, SqlStore};
use accord_testing::TestDb;
use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;
use tower::ServiceExt;

/// Body limit of test nodes: small, so the 413 test stays small.
pub const TEST_BODY_LIMIT: usize = 64 * 1024;

/// A response, decoded.
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Answer {
    /// The error code of an error response.
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }
}

/// A running node (in-process) on its own database.
pub struct Node {
    pub db: TestDb,
    pub store: SqlStore,
    pub app: App,
    pub router: Router,
}

impl Node {
    pub async fn new(backend: Backend) -> Node {
        Node::with(backend, |app| app).await
    }

    /// A node whose application is configured by `configure` (a clock, a quota …).
    pub async fn with(backend: Backend, configure: impl FnOnce(App) -> App) -> Node {
        let (db, store) = TestDb::store(backend).await;
        let app = configure(App::new(Arc::new(store.clone())));
        let router = accord_server::router(app.clone(), TEST_BODY_LIMIT);
        Node { db, store, app, router }
    }

    /// Sends a raw request.
    pub async fn send(&self, req: Request<Body>) -> Answer {
        let response = self.router.clone().oneshot(req).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), 16 * 1024 * 1024).await.unwrap();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
        };
        Answer { status, headers, body }
    }

    /// Sends a request with an optional bearer key and JSON body.
    pub async fn call(&self, method: Method, path: &str, key: Option<&str>, body: Option<Value>) -> Answer {
        let mut req = Request::builder().method(method).uri(path);
        if let Some(k) = key {
            req = req.header("authorization", format!("Bearer {k}"));
        }
        let req = match body {
            Some(b) => req.header("content-type", "application/json").body(Body::from(b.to_string())),
            None => req.body(Body::empty()),
        };
        self.send(req.unwrap()).await
    }

    pub async fn get(&self, path: &str, key: Option<&str>) -> Answer {
        self.call(Method::GET, path, key, None).await
    }

    pub async fn post(&self, path: &str, key: Option<&str>, body: Value) -> Answer {
        self.call(Method::POST, path, key, Some(body)).await
    }

    /// Number of audit events and whether the chain verifies.
    pub async fn audit_state(&self) -> (i64, bool) {
        let report = self.app.verify_audit(&Principal::Operator { name: "test".into() }).await.unwrap();
        (report.events, report.ok)
    }
}

/// One user of the world, with a working key.
#[derive(Clone, Debug)]
pub struct Member {
    pub id: String,
    pub key: String,
    pub role: String,
}

/// Two authorities (DE-BAFA, FR-SBDU), one organisation with each, and a user of every role.
pub struct World {
    pub node: Node,
    pub org_de: String,
    pub org_fr: String,
    pub members: BTreeMap<&'static str, Member>,
}

impl World {
    pub fn key(&self, who: &str) -> &str {
        &self.members[who].key
    }

    pub fn id(&self, who: &str) -> &str {
        &self.members[who].id
    }
}

pub fn authority_json(id: &str, country: &str) -> Value {
    json!({ "id": id, "name": format!("{id} export control"), "jurisdiction": "EU", "country": country, "time_zone": "Europe/Paris" })
}

pub fn org_json(authority: &str) -> Value {
    json!({ "name": "Acme Photonics", "country": "DE", "size_class": "small", "authority_id": authority, "registration_ids": {"EORI": "DE0001"} })
}

/// Builds the world through the API, as an admin would.
pub async fn world(backend: Backend) -> World {
    let node = Node::new(backend).await;
    let (admin, issued) =
        node.app.bootstrap(&Principal::Operator { name: "test".into() }, "Root", "root@example.org").await.unwrap();
    let admin_key = issued.token;
    for (id, country) in [("DE-BAFA", "DE"), ("FR-SBDU", "FR")] {
        let a = node.post("/api/v1/authorities", Some(&admin_key), authority_json(id, country)).await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    }
    let org_de = node.post("/api/v1/organisations", Some(&admin_key), org_json("DE-BAFA")).await.body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let org_fr = node.post("/api/v1/organisations", Some(&admin_key), org_json("FR-SBDU")).await.body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut members = BTreeMap::new();
    members.insert("admin", Member { id: admin.id.to_string(), key: admin_key.clone(), role: "admin".into() });
    let specs: [(&'static str, &str, Option<&str>, Option<&str>); 10] = [
        ("exporter_de", "exporter", None, Some(&org_de)),
        ("exporter_fr", "exporter", None, Some(&org_fr)),
        ("officer_de", "officer", Some("DE-BAFA"), None),
        ("officer_fr", "officer", Some("FR-SBDU"), None),
        ("senior_de", "senior_officer", Some("DE-BAFA"), None),
        ("coordinator", "coordinator", None, None),
        ("panel_member", "panel_member", None, None),
        ("analyst_de", "analyst", Some("DE-BAFA"), None),
        ("auditor", "auditor", None, None),
        ("auditor_de", "auditor", Some("DE-BAFA"), None),
    ];
    for (name, role, authority, org) in specs {
        let u = node
            .post(
                "/api/v1/users",
                Some(&admin_key),
                json!({ "name": name, "email": format!("{name}@example.org"), "role": role, "authority_id": authority, "organisation_id": org }),
            )
            .await;
        assert_eq!(u.status, StatusCode::CREATED, "{name}: {}", u.body);
        let id = u.body["id"].as_str().unwrap().to_owned();
        // Officers' keys come from the operator (an admin may not mint them); the others' from the admin.
        let token = if matches!(role, "officer" | "senior_officer") {
            let operator = Principal::Operator { name: "test".into() };
            let new = accord_app::NewKey { label: "test".into(), expires_at: None };
            node.app.create_key(&operator, &id, new).await.unwrap().token
        } else {
            let k = node.post(&format!("/api/v1/users/{id}/keys"), Some(&admin_key), json!({ "label": "test" })).await;
            assert_eq!(k.status, StatusCode::CREATED, "{}", k.body);
            k.body["token"].as_str().unwrap().to_owned()
        };
        members.insert(name, Member { id, key: token, role: role.into() });
    }
    World { node, org_de, org_fr, members }
}
