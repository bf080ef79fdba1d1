//! List versions through the application service, on SQLite and PostgreSQL: the first import,
//! a no-op re-import, a diff of added, changed and removed entities, and refusals that store nothing.

use accord_app::{App, ListImport};
use accord_core::ErrorCode;
use accord_core::listed::{ChangeKind, EntityKind, ListedEntity, NameKind, entity_hash};
use accord_core::principal::Principal;
use accord_store::Backend;
use accord_store::prelude::*;
use accord_testing::TestDb;
use std::sync::Arc;

use accord_testing::operator;

fn entity(id: &str, name: &str) -> ListedEntity {
    let mut e = ListedEntity::new("test_list", id, EntityKind::Organization, name);
    e.add_name(&format!("{name} alias"), NameKind::Alias);
    e
}

fn import(entities: Vec<ListedEntity>) -> ListImport {
    let mut hasher = String::new();
    for e in &entities {
        hasher.push_str(&entity_hash(e));
    }
    ListImport {
        list_id: "test_list".into(),
        format: "ftm".into(),
        content_hash: accord_core::audit::hex(&<sha2::Sha256 as sha2::Digest>::digest(hasher.as_bytes())),
        entities,
        problems: 0,
        source: "test".into(),
    }
}

async fn versions_record_what_changed(backend: Backend) {
    let (_db, store) = TestDb::store(backend).await;
    let app = App::new(Arc::new(store.clone()));
    let p = operator();
    let v1 = vec![entity("1", "Alpha Trading LLC"), entity("2", "Beta Industries"), entity("3", "Gamma Ltd")];
    let first = app.import_list(&p, import(v1.clone())).await.unwrap();
    assert!(!first.unchanged);
    assert_eq!((first.version.version, first.version.added, first.version.entities), (1, 3, 3));

    let again = app.import_list(&p, import(v1.clone())).await.unwrap();
    assert!(again.unchanged, "identical content is a no-op");
    assert_eq!(again.version.version, 1);

    let mut beta = entity("2", "Beta Industries");
    beta.programs.push("RUSSIA-EO14024".into());
    let v2 = vec![entity("1", "Alpha Trading LLC"), beta, entity("4", "Delta JSC")];
    let second = app.import_list(&p, import(v2)).await.unwrap();
    assert_eq!(
        (second.version.version, second.version.added, second.version.changed, second.version.removed),
        (2, 1, 1, 1)
    );
    let (version, changes) = app.list_diff(&p, "test_list", None).await.unwrap();
    assert_eq!(version.version, 2);
    let summary: Vec<(String, ChangeKind, Vec<String>)> =
        changes.iter().map(|c| (c.entity_id.clone(), c.change, c.fields.clone())).collect();
    assert!(summary.contains(&("2".into(), ChangeKind::Changed, vec!["programs".into()])), "{summary:?}");
    assert!(summary.contains(&("3".into(), ChangeKind::Removed, vec![])));
    assert!(summary.contains(&("4".into(), ChangeKind::Added, vec![])));
    assert_eq!(app.list_diff(&p, "test_list", Some(1)).await.unwrap().1.len(), 3, "version 1 added everything");

    let in_force = store.list_entities(Some("test_list")).await.unwrap();
    let ids: Vec<(&str, i64)> = in_force.iter().map(|(e, v)| (e.entity_id.as_str(), *v)).collect();
    assert_eq!(ids, vec![("1", 1), ("2", 2), ("4", 2)], "unchanged entities keep the version they appeared in");

    let lists = app.lists(&p).await.unwrap();
    assert_eq!(lists.len(), 1);
    assert_eq!(lists[0].version, 2);
    let report = app.verify_audit(&p).await.unwrap();
    assert!(report.ok);
    assert_eq!(report.events, 2, "two imports that changed something, two events");
}

async fn refused_imports_store_nothing(backend: Backend) {
    let (_db, store) = TestDb::store(backend).await;
    let app = App::new(Arc::new(store.clone()));
    let p = operator();
    let twice = vec![entity("1", "Alpha"), entity("1", "Alpha again")];
    assert_eq!(app.import_list(&p, import(twice)).await.unwrap_err().code, ErrorCode::MalformedFile);
    let mut bad_id = import(vec![entity("1", "Alpha")]);
    bad_id.list_id = "Bad List!".into();
    assert_eq!(app.import_list(&p, bad_id).await.unwrap_err().code, ErrorCode::ValidationFailed);
    assert_eq!(
        app.import_list(&Principal::Anonymous, import(vec![])).await.unwrap_err().code,
        ErrorCode::Unauthenticated
    );
    assert!(app.lists(&p).await.unwrap().is_empty());
    assert_eq!(app.list_versions(&p, "test_list").await.unwrap_err().code, ErrorCode::UnknownList);
    assert_eq!(app.verify_audit(&p).await.unwrap().events, 0);
}

accord_testing::on_both_backends!(versions_record_what_changed, refused_imports_store_nothing);
