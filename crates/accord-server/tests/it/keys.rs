//! A stolen key or a rushed admin meets a wall: a key minted with a key never outlives it and dies with it, a
//! user holds a bounded number of keys, disabling a user ends their keys for good, and no admin mints keys for
//! another admin or an officer (so no one person acts as two officers).

use crate::support::world;
use accord_store::Backend;
use axum::http::StatusCode;
use serde_json::json;

async fn a_key_minted_with_a_key_never_outlives_it_and_is_revoked_with_it(backend: Backend) {
    let w = world(backend).await;
    let me = w.id("exporter_de").to_owned();
    let path = format!("/api/v1/users/{me}/keys");
    let soon = accord_core::now().plus(jiff::SignedDuration::from_hours(24)).to_string();
    let later = accord_core::now().plus(jiff::SignedDuration::from_hours(48)).to_string();
    let parent = w.node.post(&path, Some(w.key("exporter_de")), json!({"label": "laptop", "expires_at": soon})).await;
    let parent_token = parent.body["token"].as_str().unwrap().to_owned();
    let parent_id = parent.body["key"]["id"].as_str().unwrap().to_owned();
    // A child without an expiry takes its parent's; one asking for more is refused.
    let child = w.node.post(&path, Some(&parent_token), json!({"label": "script"})).await;
    assert_eq!(child.status, StatusCode::CREATED, "{}", child.body);
    assert_eq!(child.body["key"]["expires_at"], soon.as_str());
    assert_eq!(child.body["key"]["parent_key_id"], parent_id.as_str());
    let longer = w.node.post(&path, Some(&parent_token), json!({"label": "x", "expires_at": later})).await;
    assert_eq!((longer.status.as_u16(), longer.code()), (422, "validation_failed"), "{}", longer.body);
    let child_token = child.body["token"].as_str().unwrap().to_owned();
    let grandchild = w.node.post(&path, Some(&child_token), json!({"label": "cron"})).await.body["token"]
        .as_str()
        .unwrap()
        .to_owned();
    // Revoking the parent revokes everything minted with it, at once.
    let revoked = w.node.post(&format!("/api/v1/keys/{parent_id}/revoke"), Some(w.key("exporter_de")), json!({})).await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.body);
    for token in [&parent_token, &child_token, &grandchild] {
        assert_eq!(w.node.get("/api/v1/me", Some(token)).await.code(), "api_key_revoked");
    }
    assert_eq!(w.node.get("/api/v1/me", Some(w.key("exporter_de"))).await.status, StatusCode::OK, "siblings live");
}

async fn a_user_holds_at_most_the_allowed_number_of_active_keys(backend: Backend) {
    let w = world(backend).await;
    let path = format!("/api/v1/users/{}/keys", w.id("exporter_de"));
    let mut last = None;
    for i in 1..accord_app::MAX_ACTIVE_KEYS {
        let k = w.node.post(&path, Some(w.key("admin")), json!({"label": format!("k{i}")})).await;
        assert_eq!(k.status, StatusCode::CREATED, "key {i}: {}", k.body);
        last = Some(k.body["key"]["id"].as_str().unwrap().to_owned());
    }
    let over = w.node.post(&path, Some(w.key("admin")), json!({"label": "one too many"})).await;
    assert_eq!((over.status.as_u16(), over.code()), (409, "key_limit_reached"), "{}", over.body);
    w.node.post(&format!("/api/v1/keys/{}/revoke", last.unwrap()), Some(w.key("admin")), json!({})).await;
    let room = w.node.post(&path, Some(w.key("admin")), json!({"label": "after a revocation"})).await;
    assert_eq!(room.status, StatusCode::CREATED);
}

async fn no_admin_mints_keys_for_another_admin_or_an_officer(backend: Backend) {
    let w = world(backend).await;
    for who in ["officer_de", "senior_de"] {
        let path = format!("/api/v1/users/{}/keys", w.id(who));
        let refused = w.node.post(&path, Some(w.key("admin")), json!({"label": "mine now"})).await;
        assert_eq!((refused.status.as_u16(), refused.code()), (403, "forbidden"), "{who}: {}", refused.body);
        // The officer mints their own.
        let own = w.node.post(&path, Some(w.key(who)), json!({"label": "second laptop"})).await;
        assert_eq!(own.status, StatusCode::CREATED, "{who}: {}", own.body);
    }
    let second_admin = w
        .node
        .post(
            "/api/v1/users",
            Some(w.key("admin")),
            json!({"name": "Second Admin", "email": "admin2@example.org", "role": "admin"}),
        )
        .await;
    let path = format!("/api/v1/users/{}/keys", second_admin.body["id"].as_str().unwrap());
    assert_eq!(w.node.post(&path, Some(w.key("admin")), json!({"label": "x"})).await.code(), "forbidden");
    // Exporters and auditors still get keys from an admin, and an admin may still revoke an officer's key.
    let exporter = format!("/api/v1/users/{}/keys", w.id("exporter_de"));
    assert_eq!(w.node.post(&exporter, Some(w.key("admin")), json!({"label": "x"})).await.status, StatusCode::CREATED);
    let keys = w.node.get(&format!("/api/v1/users/{}/keys", w.id("officer_de")), Some(w.key("admin"))).await.body;
    let id = keys[0]["id"].as_str().unwrap();
    let revoked = w.node.post(&format!("/api/v1/keys/{id}/revoke"), Some(w.key("admin")), json!({})).await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.body);
}

async fn a_record_edited_without_an_event_is_found_by_the_state_check(backend: Backend) {
    let w = world(backend).await;
    let admin = accord_core::principal::Principal::Operator { name: "test".into() };
    // Keys were used (their last use is bookkeeping): the node is clean.
    assert_eq!(w.node.get("/api/v1/me", Some(w.key("exporter_de"))).await.status, StatusCode::OK);
    let clean = w.node.app.verify_states(&admin).await.unwrap();
    assert_eq!(clean.records, 24, "eleven users, their keys, two organisations: {clean:?}");
    assert!(clean.edited.is_empty() && clean.unattested.is_empty(), "{clean:?}");
    // Someone with the database promotes an exporter behind the node's back.
    let exporter = w.id("exporter_de").to_owned();
    sqlx::query("UPDATE users SET role = 'admin' WHERE id = $1")
        .bind(&exporter)
        .execute(w.node.store.pool())
        .await
        .unwrap();
    let found = w.node.app.verify_states(&admin).await.unwrap();
    assert_eq!(found.edited.len(), 1, "{found:?}");
    assert!(found.edited[0].starts_with(&format!("users:{exporter}")), "{found:?}");
    assert!(w.node.app.verify_audit(&admin).await.unwrap().ok, "the chain itself is untouched");
}

accord_testing::on_both_backends!(
    a_key_minted_with_a_key_never_outlives_it_and_is_revoked_with_it,
    a_user_holds_at_most_the_allowed_number_of_active_keys,
    no_admin_mints_keys_for_another_admin_or_an_officer,
    a_record_edited_without_an_event_is_found_by_the_state_check,
);
