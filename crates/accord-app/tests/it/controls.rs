//! Control-list versions through the application service, on SQLite and PostgreSQL: effective
//! dates decide which version answers for a day, identical content is a no-op, unknown codes answer
//! with the nearest codes, and only admins import.

use accord_app::App;
use accord_controls::{ControlCode, ControlEntry, ControlList, ListInfo};
use accord_core::ErrorCode;
use accord_core::principal::Principal;
use accord_store::Backend;
use accord_testing::TestDb;
use std::sync::Arc;

fn list(label: &str, effective: &str, title: &str) -> ControlList {
    let entries = vec![
        ControlEntry::new(ControlCode::parse("3A001").unwrap(), title),
        ControlEntry::new(ControlCode::parse("3A001.a").unwrap(), "General purpose integrated circuits"),
        ControlEntry::new(ControlCode::parse("3A002").unwrap(), "General purpose electronic equipment"),
    ];
    let info =
        ListInfo { version: label.into(), effective_date: effective.into(), rationale: format!("{label} amendments") };
    ControlList::new(info, entries).unwrap()
}

async fn the_version_in_force_answers_for_each_day(backend: Backend) {
    let (_db, store) = TestDb::store(backend).await;
    let app = App::new(Arc::new(store));
    let op = Principal::Operator { name: "test".into() };
    let first = app.import_controls(&op, &list("2024-01", "2024-01-15", "Electronic items"), "test").await.unwrap();
    assert_eq!((first.unchanged, first.version.seq), (false, 1));
    let again = app.import_controls(&op, &list("2024-01", "2024-01-15", "Electronic items"), "test").await.unwrap();
    assert!(again.unchanged, "identical content is a no-op");
    app.import_controls(&op, &list("2025-06", "2025-06-01", "Electronic items, as amended"), "test").await.unwrap();

    let old = app.control("3A001", Some("2025-05-31")).await.unwrap();
    assert_eq!((old.version.label.as_str(), old.entry.title.as_str()), ("2024-01", "Electronic items"));
    assert_eq!(old.children, vec!["3A001.a".to_owned()]);
    let new = app.control("3a001", Some("2025-06-01")).await.unwrap();
    assert_eq!(new.entry.title, "Electronic items, as amended");
    let before = app.control("3A001", Some("2023-12-31")).await.unwrap_err();
    assert_eq!(before.code, ErrorCode::NotFound, "no list was in force yet");

    // A list that splits 3A001 into sub-items knows which it has; 3A002 keeps its sub-items in its text.
    let missing = app.control("3A001.z", Some("2025-07-01")).await.unwrap_err();
    assert_eq!(missing.code, ErrorCode::NotFound, "3A001 is split, and has no sub-item z");
    let within = app.control("3A002.a.1", Some("2025-07-01")).await.unwrap();
    assert_eq!((within.entry.code.to_string(), within.within.as_deref()), ("3A002".to_owned(), Some("3A002.a.1")));
    assert!(app.control("3A001.a", Some("2025-07-01")).await.unwrap().within.is_none(), "a listed sub-item is itself");

    let unknown = app.control("3A003", Some("2025-07-01")).await.unwrap_err();
    assert_eq!(unknown.code, ErrorCode::NotFound);
    let nearest = unknown.details.unwrap()["nearest"].clone();
    assert!(nearest.as_array().unwrap().iter().any(|c| c == "3A002"), "{nearest}");
    assert_eq!(app.control("3A001", Some("2025-13-01")).await.unwrap_err().code, ErrorCode::ValidationFailed);

    let found = app.search_controls("integrated circuits", 5, Some("2025-07-01")).await.unwrap();
    assert_eq!(found.hits[0].code.to_string(), "3A001.a");
    assert_eq!(app.search_controls("  ", 5, None).await.unwrap_err().code, ErrorCode::ValidationFailed);
    assert_eq!(app.control_versions().await.unwrap().len(), 2);
    let browsed = app.browse_controls("3", Some("a"), Some("2025-07-01")).await.unwrap();
    let codes: Vec<&str> = browsed.entries.iter().map(|e| e.code.as_str()).collect();
    assert_eq!(codes, ["3A001", "3A001.a", "3A002"]);
    assert!(app.browse_controls("4", None, Some("2025-07-01")).await.unwrap().entries.is_empty());
    assert_eq!(app.browse_controls("33", None, None).await.unwrap_err().code, ErrorCode::ValidationFailed);
    assert_eq!(app.browse_controls("3", Some("F"), None).await.unwrap_err().code, ErrorCode::ValidationFailed);

    let exporter_like = Principal::Anonymous;
    let refused = app.import_controls(&exporter_like, &list("x", "2026-01-01", "t"), "test").await.unwrap_err();
    assert_eq!(refused.code, ErrorCode::Unauthenticated);
    let report = app.verify_audit(&op).await.unwrap();
    assert_eq!((report.ok, report.events), (true, 2), "two stored versions, two events");
}

async fn a_sub_item_of_the_real_eu_list_is_answered_with_the_entry_whose_text_holds_it(backend: Backend) {
    let (_db, store) = TestDb::store(backend).await;
    let app = App::new(Arc::new(store));
    accord_testing::data::import_controls(&app, "2021-01-01", false).await;
    let answer = app.control("3A001.a.1", None).await.unwrap();
    assert_eq!(answer.entry.code.to_string(), "3A001");
    assert_eq!(answer.within.as_deref(), Some("3A001.a.1"));
    assert!(answer.entry.text.contains("radiation hardened"), "the sub-item's words are in the entry's text");
}

accord_testing::on_both_backends!(
    the_version_in_force_answers_for_each_day,
    a_sub_item_of_the_real_eu_list_is_answered_with_the_entry_whose_text_holds_it,
);
