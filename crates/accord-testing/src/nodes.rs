//! Allied nodes in one process for tests and benchmarks: each on its own fresh database and loopback port, with its
//! authority, an organisation, an officer and an exporter.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::db::TestDb;
pub use crate::{operator, user};
use accord_app::{App, Federation};
use accord_core::federation::NodeKey;
use accord_core::principal::Principal;
use accord_store::Backend;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

/// One running node.
pub struct Node {
    /// Its application services.
    pub app: App,
    /// The authority it speaks for.
    pub authority: String,
    /// Its node key.
    pub key: NodeKey,
    /// Its base URL.
    pub url: String,
    /// An officer of its authority.
    pub officer: Principal,
    /// An exporter of its organisation.
    pub exporter: Principal,
    /// Its organisation.
    pub org: String,
    /// Its store, for tests that reach under the application (as a database administrator would).
    pub store: accord_store::SqlStore,
    _db: TestDb,
}

/// Starts a node for `authority` (jurisdiction EU) serving HTTP on a loopback port.
pub async fn node(backend: Backend, authority: &str, country: &str) -> Node {
    node_with(backend, authority, country, |app| app).await
}

/// [`node`], with its application configured by `configure` (a clock …).
pub async fn node_with(backend: Backend, authority: &str, country: &str, configure: impl FnOnce(App) -> App) -> Node {
    let (db, store) = TestDb::store(backend).await;
    let key = NodeKey::generate().unwrap();
    let app = configure(App::new(Arc::new(store.clone())).with_federation(Federation::new(authority, key.clone())));
    let op = operator();
    let a = serde_json::from_value(
        json!({"id": authority, "name": authority, "jurisdiction": "EU", "country": country, "time_zone": "Europe/Paris"}),
    )
    .unwrap();
    app.create_authority(&op, a).await.unwrap();
    app.init_identity(&op, authority, &key).await.unwrap();
    let org = serde_json::from_value(
        json!({"name": format!("Exporter {country}"), "country": country, "size_class": "small", "authority_id": authority}),
    )
    .unwrap();
    let org = app.create_organisation(&op, org).await.unwrap().id.to_string();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let router = accord_server::router(app.clone(), 1024 * 1024);
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    let lower = authority.to_lowercase();
    Node {
        officer: user(&app, "officer", &format!("o@{lower}.example"), Some(authority), None).await,
        exporter: user(&app, "exporter", &format!("e@{lower}.example"), None, Some(&org)).await,
        org,
        store,
        app,
        authority: authority.into(),
        key,
        url,
        _db: db,
    }
}

/// Registers every node as a peer of every other.
pub async fn connect(nodes: &[&Node]) {
    for a in nodes {
        for b in nodes {
            if a.authority != b.authority {
                a.app.add_peer(&operator(), &b.authority, &b.url, &b.key.public_base64()).await.unwrap();
            }
        }
    }
}

/// Runs a node's replication (a 30 s interval: notifications drive it).
pub fn replicate(n: &Node) -> tokio::task::JoinHandle<()> {
    tokio::spawn(accord_federation::run(n.app.clone(), Duration::from_secs(30), std::future::pending()))
}

/// A denial for `party` to enter by hand (radar ICs to China, criterion 7).
pub fn denial(reference: &str, party: &str) -> accord_core::denials::NewDenial {
    serde_json::from_value(json!({
        "reference": reference, "control_codes": ["3A001.a"], "item_description": "radar ICs",
        "destination": "CN", "end_use": "military radar", "refusal_criteria": ["criterion 7"],
        "parties": [{"role": "consignee", "name": party, "country": "CN"}]
    }))
    .expect("a valid denial")
}
