//! A database administrator who rewrites history and re-chains the hashes is found out: the node's signed
//! checkpoints no longer match its chain, nor do those its allies hold; rewriting the checkpoints too breaks their
//! signatures; and PostgreSQL refuses to TRUNCATE the trail.

use accord_core::audit::{AuditEvent, event_hash};
use accord_core::federation::PublicKey;
use accord_store::prelude::*;
use accord_store::{Backend, EventQuery};
use accord_testing::nodes::{Node, connect, denial, node, operator};
use serde_json::json;

/// Drops the append-only guards, as someone holding the database's owner role could.
async fn drop_guards(n: &Node, backend: Backend) {
    for (trigger, table) in
        [("audit_events_no_update", "audit_events"), ("audit_checkpoints_no_update", "audit_checkpoints")]
    {
        let sql = match backend {
            Backend::Sqlite => format!("DROP TRIGGER {trigger}"),
            Backend::Postgres => format!("DROP TRIGGER {trigger} ON {table}"),
        };
        sqlx::query(&sql).execute(n.store.pool()).await.unwrap();
    }
}

/// Changes the payload of event `seq` and recomputes every hash from it to the head, as a careful forger would.
async fn rewrite_and_rechain(n: &Node, seq: i64) {
    let query = EventQuery { authority_id: None, after_seq: 0, limit: 100_000 };
    let events: Vec<AuditEvent> = n.store.events(&query).await.unwrap();
    let mut prev = events.iter().find(|e| e.seq == seq - 1).unwrap().hash.clone();
    for mut e in events.into_iter().filter(|e| e.seq >= seq) {
        if e.seq == seq {
            e.payload = json!({ "rewritten": true });
        }
        e.prev_hash = prev.clone();
        e.hash = event_hash(&prev, &e);
        sqlx::query("UPDATE audit_events SET payload = $1, prev_hash = $2, hash = $3 WHERE seq = $4")
            .bind(e.payload.to_string())
            .bind(&e.prev_hash)
            .bind(&e.hash)
            .bind(e.seq)
            .execute(n.store.pool())
            .await
            .unwrap();
        prev = e.hash;
    }
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1").bind(&prev).execute(n.store.pool()).await.unwrap();
}

async fn a_rewritten_and_rechained_history_disagrees_with_the_signed_checkpoints_here_and_at_the_allies(
    backend: Backend,
) {
    let (a, b) = (node(backend, "DE-BAFA", "DE").await, node(backend, "FR-SBDU", "FR").await);
    connect(&[&a, &b]).await;
    for i in 0..3 {
        a.app.create_denial(&a.officer, denial(&format!("DE-{i}"), "Front Company Ltd")).await.unwrap();
    }
    let signed = a.app.checkpoint(&operator()).await.unwrap().expect("the chain grew");
    assert!(a.app.checkpoint(&operator()).await.unwrap().is_none(), "nothing new since");
    let peer = b.app.peers().await.unwrap().into_iter().find(|p| p.authority_id == "DE-BAFA").unwrap();
    accord_federation::pull(&b.app, &peer).await.unwrap();
    let key = PublicKey::parse(&a.key.public_base64()).unwrap();
    let at_b = a.app.peers().await.unwrap().into_iter().find(|p| p.authority_id == "FR-SBDU").unwrap();
    let held = accord_federation::peer_checkpoints(&a.app, &at_b).await.unwrap();
    assert_eq!(held, vec![signed.clone()], "the ally holds the checkpoint");
    let clean = a.app.verify_checkpoints(&operator(), Some(&key)).await.unwrap();
    assert_eq!((clean.checked, clean.problems.len()), (1, 0), "{:?}", clean.problems);
    assert!(a.app.compare_checkpoints(&operator(), "FR-SBDU", &held, Some(&key)).await.unwrap().problems.is_empty());

    // The forger rewrites an early event and re-chains: the chain alone verifies again.
    drop_guards(&a, backend).await;
    rewrite_and_rechain(&a, 2).await;
    assert!(a.app.verify_audit(&operator()).await.unwrap().ok, "a re-chained history passes the chain walk");
    let here = a.app.verify_checkpoints(&operator(), Some(&key)).await.unwrap();
    assert!(here.problems.iter().any(|p| p.contains("history was rewritten")), "{:?}", here.problems);
    let there = a.app.compare_checkpoints(&operator(), "FR-SBDU", &held, Some(&key)).await.unwrap();
    assert!(there.problems.iter().any(|p| p.contains("history was rewritten")), "{:?}", there.problems);

    // Rewriting the local checkpoint to match breaks its signature; the ally's copy still disagrees.
    let new_head = a.store.event_hash(signed.seq).await.unwrap().unwrap();
    sqlx::query("UPDATE audit_checkpoints SET head_hash = $1 WHERE seq = $2")
        .bind(&new_head)
        .bind(signed.seq)
        .execute(a.store.pool())
        .await
        .unwrap();
    let here = a.app.verify_checkpoints(&operator(), Some(&key)).await.unwrap();
    assert!(here.problems.iter().any(|p| p.contains("does not verify")), "{:?}", here.problems);
    let held = accord_federation::peer_checkpoints(&a.app, &at_b).await.unwrap();
    assert!(!a.app.compare_checkpoints(&operator(), "FR-SBDU", &held, Some(&key)).await.unwrap().problems.is_empty());
}

async fn the_audit_trail_cannot_be_truncated_or_emptied(backend: Backend) {
    let a = node(backend, "DE-BAFA", "DE").await;
    a.app.checkpoint(&operator()).await.unwrap().expect("a first checkpoint");
    let before = a.app.verify_audit(&operator()).await.unwrap().events;
    for (table, statement) in
        [("audit_events", "TRUNCATE audit_events"), ("audit_checkpoints", "TRUNCATE audit_checkpoints")]
    {
        let refused = match backend {
            // SQLite has no TRUNCATE; its DELETE without WHERE is refused by the row triggers.
            Backend::Sqlite => sqlx::query(&format!("DELETE FROM {table}")).execute(a.store.pool()).await,
            Backend::Postgres => sqlx::query(statement).execute(a.store.pool()).await,
        };
        let error = refused.map(|_| ()).unwrap_err().to_string();
        assert!(error.contains("append-only"), "{table}: {error}");
    }
    assert_eq!(a.app.verify_audit(&operator()).await.unwrap().events, before);
}

accord_testing::on_both_backends!(
    a_rewritten_and_rechained_history_disagrees_with_the_signed_checkpoints_here_and_at_the_allies,
    the_audit_trail_cannot_be_truncated_or_emptied,
);
