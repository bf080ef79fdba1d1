//! What Accord's tests and benchmarks share, in one place: a fresh database per test on SQLite and PostgreSQL
//! ([`db`]), allied nodes in one process ([`nodes`]), the paths of the real data beside the repository ([`data`]),
//! a runner for the `accord` binary that clears the whole `ACCORD_*` environment ([`cli`]), and a real headless
//! Chromium for the web pages ([`browser`]). Never a dependency of production code.
#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod browser;
pub mod cli;
pub mod data;
pub mod db;
pub mod nodes;

pub use accord_store::Backend;
pub use db::TestDb;

use accord_app::{App, NewKey};
use accord_core::principal::Principal;
use serde_json::json;

/// The node operator.
pub fn operator() -> Principal {
    Principal::Operator { name: "test".into() }
}

/// A user of `role` (with an authority or organisation), signed in with a key of their own.
pub async fn user(app: &App, role: &str, email: &str, authority: Option<&str>, org: Option<&str>) -> Principal {
    let input = serde_json::from_value(json!({
        "name": email, "email": email, "role": role, "authority_id": authority, "organisation_id": org
    }))
    .unwrap();
    let u = app.create_user(&operator(), input).await.unwrap();
    let key = app.create_key(&operator(), u.id.as_str(), NewKey { label: "t".into(), expires_at: None }).await.unwrap();
    app.authenticate(&key.token).await.unwrap()
}
