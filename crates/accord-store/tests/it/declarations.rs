//! Export declarations in the store, on SQLite and on PostgreSQL: added once per reference, sent-again ones skipped,
//! changed ones refusing the whole import, read back by day.

use accord_core::ErrorCode;
use accord_core::audit::EventKind;
use accord_core::ids::AuthorityId;
use accord_core::warning::{Declaration, DeclarationImport};
use accord_store::prelude::*;
use accord_store::{Backend, Mutation, NewEvent};
use accord_testing::TestDb;
use jiff::civil::{Date, date};

fn declaration(reference: &str, day: Date, value: f64) -> Declaration {
    Declaration {
        reference: reference.into(),
        date: day,
        exporter: "Acme Photonics GmbH".into(),
        consignee: "Tian Trading LLC".into(),
        end_user: String::new(),
        destination: "KG".into(),
        hs_code: "854231".into(),
        control_code: (value > 100.0).then(|| "3A001".to_owned()),
        quantity: 2.5,
        value_eur: value,
        authorisation: None,
        consignee_address: if value > 4000.0 { format!("{reference} Trade Street, Bishkek") } else { String::new() },
        end_user_address: String::new(),
    }
}

fn import(seq: i64, rows: &[Declaration]) -> Mutation {
    Mutation::ImportDeclarations {
        import: DeclarationImport {
            authority_id: "DE-BAFA".into(),
            seq,
            label: format!("declarations-{seq}"),
            source: "d.csv".into(),
            content_hash: format!("{seq:064}"),
            rows: rows.len() as i64,
            added: 0,
            skipped: 0,
            first_date: rows.iter().map(|d| d.date).min(),
            last_date: rows.iter().map(|d| d.date).max(),
            imported_at: accord_core::now(),
            imported_by: "user:test".into(),
        },
        rows: rows.to_vec(),
    }
}

fn event(seq: i64) -> NewEvent {
    NewEvent {
        actor: "user:test".into(),
        authority_id: Some("DE-BAFA".into()),
        kind: EventKind::DeclarationsImported,
        subject: format!("declarations@{seq}"),
        payload: serde_json::json!({}),
    }
}

async fn declarations_are_kept_once_per_reference_and_a_changed_one_refuses_the_import(backend: Backend) {
    let (_db, store) = TestDb::store(backend).await;
    let de = AuthorityId::parse("DE-BAFA").unwrap();
    let first: Vec<Declaration> = (0..2500)
        .map(|i| declaration(&format!("R{i:05}"), date(2024, 1, 1 + (i % 28) as i8), 10.0 + i as f64))
        .collect();
    store.commit(vec![import(1, &first)], vec![event(1)]).await.unwrap();
    let imports = store.declaration_imports(&de).await.unwrap();
    assert_eq!((imports[0].rows, imports[0].added, imports[0].skipped), (2500, 2500, 0));

    // Sent again with two new ones: the old are skipped, not doubled.
    let mut second = first[..100].to_vec();
    second.push(declaration("R90000", date(2024, 2, 3), 4800.0));
    second.push(declaration("R90001", date(2024, 2, 4), 4900.0));
    store.commit(vec![import(2, &second)], vec![event(2)]).await.unwrap();
    let imports = store.declaration_imports(&de).await.unwrap();
    assert_eq!((imports[1].rows, imports[1].added, imports[1].skipped), (102, 2, 100));
    assert_eq!(store.declaration_span(&de).await.unwrap(), (2502, Some(date(2024, 2, 4))));

    // Each import's own declarations read back a page at a time, by reference: the skipped ones stay the first's.
    let mut pages = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = store.imported_declarations(&de, 1, after.as_deref(), 1000).await.unwrap();
        let Some(last) = page.last() else { break };
        after = Some(last.reference.clone());
        pages.push(page);
    }
    assert_eq!(pages.iter().map(Vec::len).collect::<Vec<_>>(), [1000, 1000, 500]);
    assert_eq!(pages.concat(), first, "every declaration of the first import, as sent");
    assert_eq!(store.imported_declarations(&de, 2, None, 1000).await.unwrap(), second[100..].to_vec());

    // One stored reference with another value refuses the whole import, new rows included.
    let mut changed = vec![declaration("R90002", date(2024, 2, 5), 1.0)];
    let mut altered = first[7].clone();
    altered.value_eur += 1.0;
    changed.push(altered);
    let err = store.commit(vec![import(3, &changed)], vec![event(3)]).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::Conflict);
    assert!(err.message.contains("R00007"), "{}", err.message);
    assert_eq!(store.declaration_imports(&de).await.unwrap().len(), 2);
    assert_eq!(store.declaration_span(&de).await.unwrap().0, 2502);

    // Read back by day, in order, with every field as stored.
    let february = store.declarations(&de, date(2024, 2, 1), date(2024, 2, 29)).await.unwrap();
    assert_eq!(february, vec![second[100].clone(), second[101].clone()]);
    let day_one = store.declarations(&de, date(2024, 1, 1), date(2024, 1, 1)).await.unwrap();
    assert_eq!(day_one.len(), 90);
    assert!(day_one.contains(&first[28]));
    let totals = store.declaration_totals(&de).await.unwrap();
    assert_eq!(totals.len(), 2, "one month and destination and code each: {totals:?}");
    assert_eq!(totals[1], ("2024-02".to_owned(), "KG".to_owned(), "854231".to_owned(), 9700.0));
    let january: f64 = first.iter().map(|d| d.value_eur).sum();
    assert!((totals[0].3 - january).abs() < 1e-6);
    let other = AuthorityId::parse("FR-SBDU").unwrap();
    assert!(store.declarations(&other, date(2000, 1, 1), date(2100, 1, 1)).await.unwrap().is_empty());
    assert_eq!(store.declaration_span(&other).await.unwrap(), (0, None));

    // What was accepted stays: the database refuses to change or remove it.
    for sql in [
        "UPDATE declarations SET value_eur = 1 WHERE reference = 'R00001'",
        "DELETE FROM declarations WHERE reference = 'R00001'",
        "DELETE FROM declaration_imports WHERE seq = 1",
    ] {
        let refused = sqlx::query(sql).execute(store.pool()).await.unwrap_err();
        assert!(refused.to_string().contains("append-only"), "{sql}: {refused}");
    }
    assert_eq!(store.declaration_span(&de).await.unwrap().0, 2502);
}

accord_testing::on_both_backends!(declarations_are_kept_once_per_reference_and_a_changed_one_refuses_the_import);
