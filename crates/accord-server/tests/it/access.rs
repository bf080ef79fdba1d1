//! Every role against every endpoint, including every cross-tenant attempt: the answer is the
//! expected status, and a refusal carries an error and never a record. Runs on SQLite and PostgreSQL.

use crate::support::{World, authority_json, org_json, world};
use accord_store::Backend;
use axum::http::Method;
use serde_json::{Value, json};

const ANON: &str = "anonymous";

/// Every caller of the world, anonymous included.
const CALLERS: [&str; 12] = [
    ANON,
    "admin",
    "exporter_de",
    "exporter_fr",
    "officer_de",
    "officer_fr",
    "senior_de",
    "coordinator",
    "panel_member",
    "analyst_de",
    "auditor",
    "auditor_de",
];

/// Asserts the status each caller gets; every caller must be listed once, so no role is forgotten.
async fn expect(w: &World, method: Method, path: &str, body: Option<Value>, expected: &[(&str, u16)]) {
    let mut listed: Vec<&str> = expected.iter().map(|(who, _)| *who).collect();
    listed.sort();
    let mut all = CALLERS.to_vec();
    all.sort();
    assert_eq!(listed, all, "{method} {path}: the table must name every caller exactly once");
    for (who, status) in expected {
        let key = (*who != ANON).then(|| w.key(who));
        let a = w.node.call(method.clone(), path, key, body.clone()).await;
        assert_eq!(a.status.as_u16(), *status, "{who} {method} {path}: {}", a.body);
        if *status >= 400 {
            let obj =
                a.body.as_object().unwrap_or_else(|| panic!("{who} {method} {path}: error body is not an object"));
            assert_eq!(
                obj.keys().collect::<Vec<_>>(),
                vec!["error"],
                "{who} {method} {path}: a refusal carries no data"
            );
        }
    }
}

/// Roles that see one authority's or one organisation's records, with the expected ids in lists.
fn ids(v: &Value) -> Vec<String> {
    let mut ids: Vec<String> = v.as_array().unwrap().iter().map(|o| o["id"].as_str().unwrap().to_owned()).collect();
    ids.sort();
    ids
}

async fn each_role_reaches_exactly_its_endpoints(backend: Backend) {
    let w = world(backend).await;
    let org_de = w.org_de.clone();
    let exporter_de = w.id("exporter_de").to_owned();

    // Public directory.
    expect(&w, Method::GET, "/api/v1/authorities", None, &CALLERS.map(|c| (c, 200))).await;
    expect(&w, Method::GET, "/api/v1/authorities/DE-BAFA", None, &CALLERS.map(|c| (c, 200))).await;

    // Registering authorities: admins only.
    let mut table = CALLERS.map(|c| (c, 403));
    table[0].1 = 401;
    table[1].1 = 201;
    expect(&w, Method::POST, "/api/v1/authorities", Some(authority_json("JP-METI", "JP")), &table).await;

    // Registering organisations: admins, and officers of the same authority.
    let allowed = ["admin", "officer_de", "senior_de"];
    let table = CALLERS.map(|c| {
        (
            c,
            if c == ANON {
                401
            } else if allowed.contains(&c) {
                201
            } else {
                403
            },
        )
    });
    expect(&w, Method::POST, "/api/v1/organisations", Some(org_json("DE-BAFA")), &table).await;

    // One organisation: visible to its authority's people, its own exporters, admins and auditors.
    let sees_org_de = ["admin", "exporter_de", "officer_de", "senior_de", "analyst_de", "auditor", "auditor_de"];
    let table = CALLERS.map(|c| {
        (
            c,
            if c == ANON {
                401
            } else if sees_org_de.contains(&c) {
                200
            } else {
                404
            },
        )
    });
    expect(&w, Method::GET, &format!("/api/v1/organisations/{org_de}"), None, &table).await;

    // Listing organisations: scoped, or refused for roles without a scope.
    let table = CALLERS.map(|c| {
        (
            c,
            if c == ANON {
                401
            } else if ["coordinator", "panel_member"].contains(&c) {
                403
            } else {
                200
            },
        )
    });
    expect(&w, Method::GET, "/api/v1/organisations", None, &table).await;

    // Creating users: admins only.
    let table = CALLERS.map(|c| {
        (
            c,
            if c == ANON {
                401
            } else if c == "admin" {
                201
            } else {
                403
            },
        )
    });
    let new_user = json!({ "name": "New", "email": "new@example.org", "role": "analyst" });
    expect(&w, Method::POST, "/api/v1/users", Some(new_user), &table).await;

    // One exporter: visible to itself, its authority's people, admins and auditors.
    let sees_exporter_de = ["admin", "exporter_de", "officer_de", "senior_de", "analyst_de", "auditor", "auditor_de"];
    let table = CALLERS.map(|c| {
        (
            c,
            if c == ANON {
                401
            } else if sees_exporter_de.contains(&c) {
                200
            } else {
                404
            },
        )
    });
    expect(&w, Method::GET, &format!("/api/v1/users/{exporter_de}"), None, &table).await;

    // Everyone authenticated can list users (scoped) and see themselves.
    let table = CALLERS.map(|c| (c, if c == ANON { 401 } else { 200 }));
    expect(&w, Method::GET, "/api/v1/users", None, &table).await;
    expect(&w, Method::GET, "/api/v1/me", None, &table).await;

    // Keys of an exporter: the exporter and admins; visible-but-not-yours is 403, invisible is 404.
    let keys = format!("/api/v1/users/{exporter_de}/keys");
    let status = |c: &str, ok: u16| {
        if c == ANON {
            401
        } else if ["admin", "exporter_de"].contains(&c) {
            ok
        } else if sees_exporter_de.contains(&c) {
            403
        } else {
            404
        }
    };
    expect(&w, Method::GET, &keys, None, &CALLERS.map(|c| (c, status(c, 200)))).await;
    expect(&w, Method::POST, &keys, Some(json!({"label": "extra"})), &CALLERS.map(|c| (c, status(c, 201)))).await;

    // Audit trail: admins and auditors.
    let table = CALLERS.map(|c| {
        (
            c,
            if c == ANON {
                401
            } else if ["admin", "auditor", "auditor_de"].contains(&c) {
                200
            } else {
                403
            },
        )
    });
    expect(&w, Method::GET, "/api/v1/audit/events", None, &table).await;
    expect(&w, Method::GET, "/api/v1/audit/verify", None, &table).await;

    // Disabling and enabling users: admins only (enabling an enabled user changes nothing).
    let table = CALLERS.map(|c| {
        (
            c,
            if c == ANON {
                401
            } else if c == "admin" {
                200
            } else {
                403
            },
        )
    });
    expect(&w, Method::POST, &format!("/api/v1/users/{}/enable", w.id("coordinator")), None, &table).await;

    // Revoking someone's key: its owner or an admin; to anyone else the key does not exist.
    for who in CALLERS {
        let fresh = w.node.post(&keys, Some(w.key("admin")), json!({"label": "to-revoke"})).await;
        let key_id = fresh.body["key"]["id"].as_str().unwrap().to_owned();
        let key = (who != ANON).then(|| w.key(who));
        let a = w.node.call(Method::POST, &format!("/api/v1/keys/{key_id}/revoke"), key, None).await;
        let expected = if who == ANON {
            401
        } else if ["admin", "exporter_de"].contains(&who) {
            200
        } else {
            404
        };
        assert_eq!(a.status.as_u16(), expected, "{who} revoking: {}", a.body);
    }
}

async fn listings_hold_only_the_callers_tenant(backend: Backend) {
    let w = world(backend).await;
    let orgs = |who: &'static str| {
        let w = &w;
        async move { ids(&w.node.get("/api/v1/organisations", Some(w.key(who))).await.body) }
    };
    assert_eq!(orgs("exporter_de").await, vec![w.org_de.clone()]);
    assert_eq!(orgs("exporter_fr").await, vec![w.org_fr.clone()]);
    assert_eq!(orgs("officer_de").await, vec![w.org_de.clone()]);
    assert_eq!(orgs("auditor_de").await, vec![w.org_de.clone()]);
    let mut both = vec![w.org_de.clone(), w.org_fr.clone()];
    both.sort();
    assert_eq!(orgs("admin").await, both);

    let users = |who: &'static str| {
        let w = &w;
        async move { ids(&w.node.get("/api/v1/users", Some(w.key(who))).await.body) }
    };
    let mut de_people: Vec<String> = ["exporter_de", "officer_de", "senior_de", "analyst_de", "auditor_de"]
        .iter()
        .map(|m| w.id(m).to_owned())
        .collect();
    de_people.sort();
    assert_eq!(users("officer_de").await, de_people);
    assert_eq!(users("exporter_de").await, vec![w.id("exporter_de").to_owned()]);
    assert_eq!(users("coordinator").await, vec![w.id("coordinator").to_owned()]);
    assert_eq!(users("auditor").await.len(), 11);

    // An authority's auditor reads only that authority's events; a node auditor reads all.
    let de_events = w.node.get("/api/v1/audit/events?limit=1000", Some(w.key("auditor_de"))).await.body;
    let de_events = de_events.as_array().unwrap();
    assert!(!de_events.is_empty());
    assert!(de_events.iter().all(|e| e["authority_id"] == "DE-BAFA"), "{de_events:?}");
    let all_events = w.node.get("/api/v1/audit/events?limit=1000", Some(w.key("auditor"))).await.body;
    assert!(all_events.as_array().unwrap().iter().any(|e| e["authority_id"] == "FR-SBDU"));
}

async fn officers_register_organisations_only_with_their_authority(backend: Backend) {
    let w = world(backend).await;
    let a = w.node.post("/api/v1/organisations", Some(w.key("officer_de")), org_json("FR-SBDU")).await;
    assert_eq!(a.status.as_u16(), 403);
    assert_eq!(a.code(), "forbidden");
    let orgs = w.node.get("/api/v1/organisations", Some(w.key("admin"))).await.body;
    assert_eq!(orgs.as_array().unwrap().len(), 2, "the refused organisation was not stored");
}

async fn every_change_is_audited_with_its_actor(backend: Backend) {
    let w = world(backend).await;
    let events = w.node.get("/api/v1/audit/events?limit=1000", Some(w.key("admin"))).await.body;
    let events = events.as_array().unwrap();
    let kinds: Vec<&str> = events.iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds[0], "node.bootstrapped");
    assert_eq!(kinds.iter().filter(|k| **k == "authority.created").count(), 2);
    assert_eq!(kinds.iter().filter(|k| **k == "organisation.registered").count(), 2);
    assert_eq!(kinds.iter().filter(|k| **k == "user.created").count(), 10);
    assert_eq!(kinds.iter().filter(|k| **k == "api_key.created").count(), 10);
    let admin_actor = format!("user:{}", w.id("admin"));
    // Every change is the admin's, but for the officers' keys, which the operator minted.
    let by_operator: Vec<_> = events[1..].iter().filter(|e| e["actor"] == "operator:test").collect();
    assert_eq!(by_operator.len(), 3, "three officers' keys");
    assert!(by_operator.iter().all(|e| e["kind"] == "api_key.created"));
    assert!(events[1..].iter().all(|e| e["actor"] == admin_actor.as_str() || e["actor"] == "operator:test"));
    assert_eq!(events[0]["actor"], "operator:test");
    // The exporter's user event belongs to its organisation's authority.
    let exporter = events.iter().find(|e| e["subject"] == w.id("exporter_fr")).unwrap();
    assert_eq!(exporter["authority_id"], "FR-SBDU");
    // Events never carry secrets.
    let text = serde_json::to_string(events).unwrap();
    for m in w.members.values() {
        let secret = m.key.split_once('.').unwrap().1;
        assert!(!text.contains(secret));
    }
    let verify = w.node.get("/api/v1/audit/verify", Some(w.key("auditor"))).await;
    assert_eq!(verify.body["ok"], true);
    assert_eq!(verify.body["events"].as_i64().unwrap(), events.len() as i64);
}

accord_testing::on_both_backends!(
    each_role_reaches_exactly_its_endpoints,
    listings_hold_only_the_callers_tenant,
    officers_register_organisations_only_with_their_authority,
    every_change_is_audited_with_its_actor,
);
