//! Ownership across two allied nodes, replicating over HTTP: a relation recorded at one is received by the other,
//! whose own ownership rules and screening conclude from it; revoked at its source, the revocation is received too
//! and the conclusion goes.

use accord_app::{NewRelation, RelationRevocation};
use accord_core::ownership::{OwnershipStatus, PartyRef, RelationKind};
use accord_store::Backend;
use accord_testing::nodes::{connect, node, replicate, user};
use std::time::{Duration, Instant};

async fn eventually<F: AsyncFn() -> bool>(what: &str, check: F) {
    let start = Instant::now();
    while !check().await {
        assert!(start.elapsed() < Duration::from_secs(30), "{what} did not happen within 30 s");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn an_allys_relation_is_received_concluded_from_and_its_revocation_received_too(backend: Backend) {
    let (a, b) = (node(backend, "DE-BAFA", "DE").await, node(backend, "FR-SBDU", "FR").await);
    connect(&[&a, &b]).await;
    let _tasks = [replicate(&a), replicate(&b)];
    for n in [&a, &b] {
        n.app.ensure_policies(&accord_testing::operator()).await.unwrap();
        accord_testing::data::import_list(&n.app, "ofac/sdn.csv").await;
    }
    let analyst_a = user(&a.app, "analyst", "a@bafa.example", Some("DE-BAFA"), None).await;
    let analyst_b = user(&b.app, "analyst", "a@sbdu.example", Some("FR-SBDU"), None).await;
    let firm =
        PartyRef { list_id: None, entity_id: None, name: "Caribe Holdings S.A.".into(), country: Some("PA".into()) };
    let owner = PartyRef {
        list_id: Some("us_ofac_sdn".into()),
        entity_id: Some("306".into()),
        name: "BANCO NACIONAL DE CUBA".into(),
        country: None,
    };
    let input = NewRelation {
        from: owner,
        to: firm,
        kind: RelationKind::Owns,
        share_percent: Some(60.0),
        valid_from: None,
        valid_until: None,
        source: "Registro Público de Panamá".into(),
    };
    let relation = a.app.record_relation(&analyst_a, input).await.unwrap();
    let day = Some(jiff::civil::date(2026, 12, 1));
    eventually("the relation reaches the ally", async || {
        b.app.relations(&analyst_b).await.unwrap().iter().any(|r| r.id == relation.id)
    })
    .await;
    let received = b.app.relations(&analyst_b).await.unwrap().into_iter().find(|r| r.id == relation.id).unwrap();
    assert_eq!((received.authority_id.as_str(), received.share_percent), ("DE-BAFA", Some(60.0)));
    let report = b.app.ownership(&analyst_b, day).await.unwrap();
    let f = report.findings.iter().find(|f| f.rule_id == "us.ofac_50_percent").expect("concluded at the ally");
    assert_eq!((f.party.name.as_str(), f.status), ("Caribe Holdings S.A.", OwnershipStatus::Covered));
    assert_eq!(f.relations, std::slice::from_ref(&relation.id));
    // The ally cannot revoke what it did not record.
    let e = b.app.revoke_relation(&analyst_b, &relation.id, RelationRevocation { reason: "no".into() }).await;
    assert_eq!(e.unwrap_err().code, accord_core::ErrorCode::NotFound);

    a.app.revoke_relation(&analyst_a, &relation.id, RelationRevocation { reason: "sold".into() }).await.unwrap();
    eventually("the revocation reaches the ally", async || {
        b.app.relations(&analyst_b).await.unwrap().iter().any(|r| r.id == relation.id && r.revoked_at.is_some())
    })
    .await;
    assert!(b.app.ownership(&analyst_b, day).await.unwrap().findings.is_empty());
}

accord_testing::on_both_backends!(an_allys_relation_is_received_concluded_from_and_its_revocation_received_too);
