//! What the application tests share: a node with two authorities, users of every role, the real control list and
//! the built-in policies.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, missing_docs)]

use accord_app::App;
use accord_core::cases::NewApplication;
use accord_core::principal::Principal;
use accord_store::Backend;
use accord_testing::TestDb;
use serde_json::{Value, json};
use std::sync::Arc;

pub use accord_testing::{operator, user};

pub struct World {
    pub app: App,
    pub exporter: Principal,
    pub other_exporter: Principal,
    pub officer_de: Principal,
    pub officer_us: Principal,
    pub senior_de: Principal,
    pub senior_de_2: Principal,
    pub _db: TestDb,
}

pub async fn world(backend: Backend) -> World {
    let (db, store) = TestDb::store(backend).await;
    let app = App::new(Arc::new(store));
    let op = operator();
    for (id, j, c, tz) in [("DE-BAFA", "EU", "DE", "Europe/Berlin"), ("US-BIS", "US", "US", "America/New_York")] {
        let a = serde_json::from_value(json!({"id": id, "name": id, "jurisdiction": j, "country": c, "time_zone": tz}))
            .unwrap();
        app.create_authority(&op, a).await.unwrap();
    }
    let org = |name: &str| {
        serde_json::from_value(json!({"name": name, "country": "DE", "size_class": "small", "authority_id": "DE-BAFA"}))
            .unwrap()
    };
    let acme = app.create_organisation(&op, org("Acme Photonics GmbH")).await.unwrap();
    let other = app.create_organisation(&op, org("Other GmbH")).await.unwrap();
    accord_testing::data::import_controls(&app, "2021-01-01", true).await;
    app.ensure_policies(&op).await.unwrap();
    World {
        exporter: user(&app, "exporter", "e@acme.example", None, Some(acme.id.as_str())).await,
        other_exporter: user(&app, "exporter", "e@other.example", None, Some(other.id.as_str())).await,
        officer_de: user(&app, "officer", "o@bafa.example", Some("DE-BAFA"), None).await,
        officer_us: user(&app, "officer", "o@bis.example", Some("US-BIS"), None).await,
        senior_de: user(&app, "senior_officer", "s1@bafa.example", Some("DE-BAFA"), None).await,
        senior_de_2: user(&app, "senior_officer", "s2@bafa.example", Some("DE-BAFA"), None).await,
        app,
        _db: db,
    }
}

pub fn application(destination: &str, code: Value, value: f64) -> NewApplication {
    serde_json::from_value(json!({
        "transaction": {"date": "2025-12-01", "origin": "DE", "destination": destination,
            "end_use": {"category": "civil", "statement": "radar research"},
            "items": [{"code": code, "description": "ICs", "quantity": 10, "value": value, "currency": "EUR", "origin": "US"}],
            "parties": [{"role": "consignee", "name": "Shanghai Example Trading Co., Ltd.", "country": "CN", "type": "organization"}]},
        "end_use_statement": "Radar research at a university laboratory",
        "declarations": {"no_wmd_end_use": true, "no_military_end_use": true, "no_reexport_without_consent": true},
        "documents": [{"name": "euc.pdf", "kind": "end_user_certificate", "sha256": "ab".repeat(32)}]
    }))
    .unwrap()
}

pub fn decision(kind: &str, version: i64, extra: Value) -> accord_core::cases::NewDecision {
    let mut v = json!({"kind": kind, "reason": "assessed against the criteria", "version": version});
    for (k, x) in extra.as_object().unwrap() {
        v[k] = x.clone();
    }
    serde_json::from_value(v).unwrap()
}

pub fn shipment(date: &str, quantity: f64, value: f64, consignee: &str) -> accord_core::licences::NewShipment {
    serde_json::from_value(json!({
        "date": date, "items": [{"item": 0, "quantity": quantity, "value": value}],
        "consignee": consignee, "transport_document": "AWB 020-12345675"
    }))
    .unwrap()
}

pub const CONSIGNEE: &str = "Shanghai Example Trading Co., Ltd.";

/// Validity dates around today, so the story holds whenever it runs.
pub struct Dates {
    pub from: String,
    pub until: String,
    pub inside: String,
    pub before: String,
    pub after: String,
}

pub fn dates() -> Dates {
    let today = jiff::Zoned::now().date();
    let day = |n: i64| today.checked_add(jiff::Span::new().days(n)).unwrap().to_string();
    Dates { from: day(-30), until: day(400), inside: day(0), before: day(-31), after: day(401) }
}

pub fn list(names: &[(&str, &str)]) -> accord_app::ListImport {
    list_named("test_list", names)
}

/// A list of organisations under the given list id.
pub fn list_named(list_id: &str, names: &[(&str, &str)]) -> accord_app::ListImport {
    use accord_core::listed::{EntityKind, ListedEntity, entity_hash};
    let entities: Vec<ListedEntity> =
        names.iter().map(|(id, name)| ListedEntity::new(list_id, id, EntityKind::Organization, name)).collect();
    let hash = accord_core::audit::hex(&<sha2::Sha256 as sha2::Digest>::digest(
        entities.iter().map(entity_hash).collect::<String>().as_bytes(),
    ));
    accord_app::ListImport {
        list_id: list_id.into(),
        format: "ftm".into(),
        content_hash: hash,
        entities,
        problems: 0,
        source: "test".into(),
    }
}

/// An exact decimal from its text.
pub fn dec(s: &str) -> accord_core::decimal::Decimal {
    accord_core::decimal::Decimal::parse(s).expect("a decimal")
}

/// A listed party with a street address on a real list (four words or more, one with a digit, no quote), and that
/// address.
pub fn street_address(entities: &[accord_core::listed::ListedEntity]) -> (String, String) {
    entities
        .iter()
        .find_map(|e| {
            let a = e.addresses.iter().find(|a| {
                let words = accord_trade::declarations::address_words(a);
                words.len() >= 4 && words.iter().any(|w| w.chars().any(|c| c.is_ascii_digit())) && !a.contains('"')
            })?;
            Some((e.names[0].name.clone(), a.clone()))
        })
        .expect("the list has a street address")
}
