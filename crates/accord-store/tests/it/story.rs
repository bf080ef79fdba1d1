//! The store's story, run on SQLite and on PostgreSQL: records in, records out, every change
//! audited, bad changes refused without a trace, and tampering with the audit trail detected.

use accord_core::ErrorCode;
use accord_core::audit::EventKind;
use accord_core::ids::{KeyId, OrgId, UserId};
use accord_core::model::{
    ApiKeyInfo, Authority, NewAuthority, NewOrganisation, NewUser, Organisation, Role, SizeClass, User,
};
use accord_store::prelude::*;
use accord_store::{Backend, EventQuery, MIGRATIONS, Migration, Mutation, NewEvent, SqlStore, UserScope};
use accord_testing::TestDb;
use serde_json::json;

fn authority(id: &str, country: &str) -> Authority {
    NewAuthority {
        id: id.into(),
        name: format!("{id} licensing"),
        jurisdiction: "EU".into(),
        country: country.into(),
        time_zone: "Europe/Berlin".into(),
        calendar: None,
    }
    .parse(accord_core::now())
    .unwrap()
}

fn organisation(authority: &str) -> Organisation {
    NewOrganisation {
        name: "Acme Photonics GmbH".into(),
        country: "DE".into(),
        size_class: SizeClass::Small,
        registration_ids: [("EORI".to_owned(), "DE1234".to_owned())].into(),
        authority_id: authority.into(),
    }
    .parse(accord_core::now())
    .unwrap()
}

fn user(role: Role, authority: Option<&str>, org: Option<&OrgId>) -> User {
    NewUser {
        name: "Ada".into(),
        email: format!("{}@example.org", UserId::generate().as_str().to_lowercase()),
        role,
        authority_id: authority.map(Into::into),
        organisation_id: org.map(|o| o.to_string()),
    }
    .parse(accord_core::now())
    .unwrap()
}

fn ev(kind: EventKind, subject: &str) -> NewEvent {
    NewEvent {
        actor: "operator:test".into(),
        authority_id: None,
        kind,
        subject: subject.into(),
        payload: json!({"k": kind}),
    }
}

async fn event_count(store: &SqlStore) -> usize {
    store.events(&EventQuery { limit: 1000, ..Default::default() }).await.unwrap().len()
}

async fn records_round_trip_with_scoped_listings(backend: Backend) {
    let (_db, store) = TestDb::store(backend).await;
    let de = authority("DE-BAFA", "DE");
    let fr = authority("FR-SBDU", "FR");
    store
        .commit(
            vec![Mutation::InsertAuthority(de.clone()), Mutation::InsertAuthority(fr.clone())],
            vec![ev(EventKind::AuthorityCreated, "DE-BAFA")],
        )
        .await
        .unwrap();
    let org_de = organisation("DE-BAFA");
    let org_fr = organisation("FR-SBDU");
    store
        .commit(
            vec![Mutation::InsertOrganisation(org_de.clone()), Mutation::InsertOrganisation(org_fr.clone())],
            vec![ev(EventKind::OrganisationRegistered, "x")],
        )
        .await
        .unwrap();
    let officer = user(Role::Officer, Some("DE-BAFA"), None);
    let exporter = user(Role::Exporter, None, Some(&org_de.id));
    let foreign = user(Role::Exporter, None, Some(&org_fr.id));
    store
        .commit(
            vec![
                Mutation::InsertUser(officer.clone()),
                Mutation::InsertUser(exporter.clone()),
                Mutation::InsertUser(foreign.clone()),
            ],
            vec![ev(EventKind::UserCreated, "x")],
        )
        .await
        .unwrap();

    assert_eq!(store.authority(&de.id).await.unwrap().unwrap(), de);
    assert_eq!(store.authorities().await.unwrap().len(), 2);
    assert_eq!(store.organisation(&org_de.id).await.unwrap().unwrap(), org_de);
    assert_eq!(store.organisations(Some(&de.id)).await.unwrap(), vec![org_de.clone()]);
    assert_eq!(store.user(&exporter.id).await.unwrap().unwrap(), exporter);

    let mut de_users: Vec<_> =
        store.users(&UserScope::Authority(de.id.clone())).await.unwrap().into_iter().map(|u| u.id).collect();
    de_users.sort();
    let mut expected = vec![officer.id.clone(), exporter.id.clone()];
    expected.sort();
    assert_eq!(de_users, expected, "an authority's users are its officers and its organisations' users");
    assert_eq!(store.users(&UserScope::Organisation(org_fr.id.clone())).await.unwrap(), vec![foreign]);
    assert_eq!(store.users(&UserScope::All).await.unwrap().len(), 3);
}

async fn keys_are_stored_by_hash_and_revoked_once(backend: Backend) {
    let (_db, store) = TestDb::store(backend).await;
    let admin = user(Role::Admin, None, None);
    let key = ApiKeyInfo {
        id: KeyId::generate(),
        user_id: admin.id.clone(),
        label: "ci".into(),
        created_at: accord_core::now(),
        expires_at: None,
        revoked_at: None,
        last_used_at: None,
        parent_key_id: None,
    };
    store
        .commit(
            vec![
                Mutation::InsertUser(admin.clone()),
                Mutation::InsertKey { key: key.clone(), secret_hash: "ab".repeat(32) },
            ],
            vec![ev(EventKind::NodeBootstrapped, "x")],
        )
        .await
        .unwrap();
    let found = store.key(&key.id).await.unwrap().unwrap();
    assert_eq!(found.secret_hash, "ab".repeat(32));
    assert_eq!(found.key, key);
    assert_eq!(found.owner, admin, "the key comes with its owner");
    let used: accord_core::Timestamp = "2026-11-27T10:00:00.000000Z".parse().unwrap();
    store.touch_key(&key.id, used).await.unwrap();
    assert_eq!(store.keys_of(&admin.id).await.unwrap()[0].last_used_at, Some(used));

    store
        .commit(
            vec![Mutation::RevokeKey { id: key.id.clone(), at: accord_core::now() }],
            vec![ev(EventKind::ApiKeyRevoked, "x")],
        )
        .await
        .unwrap();
    let again = store
        .commit(
            vec![Mutation::RevokeKey { id: key.id.clone(), at: accord_core::now() }],
            vec![ev(EventKind::ApiKeyRevoked, "x")],
        )
        .await
        .unwrap_err();
    assert_eq!(again.code, ErrorCode::Conflict);
    let unknown = store
        .commit(
            vec![Mutation::RevokeKey { id: KeyId::generate(), at: accord_core::now() }],
            vec![ev(EventKind::ApiKeyRevoked, "x")],
        )
        .await
        .unwrap_err();
    assert_eq!(unknown.code, ErrorCode::NotFound);
    assert_eq!(event_count(&store).await, 2, "refused changes leave no event");
}

async fn refused_changes_leave_nothing_behind(backend: Backend) {
    let (_db, store) = TestDb::store(backend).await;
    let de = authority("DE-BAFA", "DE");
    store
        .commit(vec![Mutation::InsertAuthority(de.clone())], vec![ev(EventKind::AuthorityCreated, "DE-BAFA")])
        .await
        .unwrap();

    // A duplicate id aborts the whole commit, including the valid mutation before it.
    let org = organisation("DE-BAFA");
    let err = store
        .commit(
            vec![Mutation::InsertOrganisation(org.clone()), Mutation::InsertAuthority(de.clone())],
            vec![ev(EventKind::AuthorityCreated, "x")],
        )
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::AlreadyExists);
    assert!(store.organisation(&org.id).await.unwrap().is_none(), "the organisation of the failed commit is gone");

    let err = store
        .commit(
            vec![Mutation::InsertOrganisation(organisation("JP-METI"))],
            vec![ev(EventKind::OrganisationRegistered, "x")],
        )
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::UnknownAuthority);
    let err = store
        .commit(
            vec![Mutation::InsertUser(user(Role::Exporter, None, Some(&OrgId::generate())))],
            vec![ev(EventKind::UserCreated, "x")],
        )
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::UnknownOrganisation);

    let first = user(Role::Admin, None, None);
    store.commit(vec![Mutation::InsertUser(first.clone())], vec![ev(EventKind::UserCreated, "x")]).await.unwrap();
    let twin = User { id: UserId::generate(), ..first.clone() };
    let err = store.commit(vec![Mutation::InsertUser(twin)], vec![ev(EventKind::UserCreated, "x")]).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::AlreadyExists, "e-mail addresses are unique");
    let err = store
        .commit(
            vec![Mutation::RequireNoAdmin, Mutation::InsertUser(user(Role::Admin, None, None))],
            vec![ev(EventKind::NodeBootstrapped, "x")],
        )
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::AlreadyBootstrapped);

    assert_eq!(event_count(&store).await, 2);
    assert!(store.verify_chain().await.unwrap().ok);
}

async fn concurrent_commits_keep_one_unbroken_chain(backend: Backend) {
    let (_db, store) = TestDb::store(backend).await;
    store
        .commit(vec![Mutation::InsertAuthority(authority("DE-BAFA", "DE"))], vec![ev(EventKind::AuthorityCreated, "x")])
        .await
        .unwrap();
    let mut tasks = Vec::new();
    for _ in 0..24 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let u = user(Role::Officer, Some("DE-BAFA"), None);
            store
                .commit(vec![Mutation::InsertUser(u.clone())], vec![ev(EventKind::UserCreated, u.id.as_str())])
                .await
                .unwrap();
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let events = store.events(&EventQuery { limit: 1000, ..Default::default() }).await.unwrap();
    let seqs: Vec<i64> = events.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (1..=25).collect::<Vec<_>>());
    let report = store.verify_chain().await.unwrap();
    assert!(report.ok, "{report:?}");
    assert_eq!(report.events, 25);
}

async fn events_are_paged_and_filtered_by_authority(backend: Backend) {
    let (_db, store) = TestDb::store(backend).await;
    for i in 0..5 {
        let mut e = ev(EventKind::CaseAlert, &format!("s{i}"));
        e.authority_id = Some(if i % 2 == 0 { "DE-BAFA" } else { "FR-SBDU" }.into());
        store.commit(vec![], vec![e]).await.unwrap();
    }
    let page = store.events(&EventQuery { authority_id: None, after_seq: 2, limit: 2 }).await.unwrap();
    assert_eq!(page.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![3, 4]);
    let de =
        store.events(&EventQuery { authority_id: Some("DE-BAFA".into()), after_seq: 0, limit: 100 }).await.unwrap();
    assert_eq!(de.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![1, 3, 5]);
}

/// Removes the append-only guard, as someone with direct database access could.
async fn drop_guards(store: &SqlStore) {
    let sql = match store.backend() {
        Backend::Sqlite => "DROP TRIGGER audit_events_no_update; DROP TRIGGER audit_events_no_delete;",
        Backend::Postgres => "DROP TRIGGER audit_events_no_update ON audit_events;",
    };
    sqlx::raw_sql(sql).execute(store.pool()).await.unwrap();
}

async fn store_with_events(backend: Backend, n: usize) -> (TestDb, SqlStore, Vec<String>) {
    let (db, store) = TestDb::store(backend).await;
    let mut ids = Vec::new();
    for i in 0..n {
        let appended = store.commit(vec![], vec![ev(EventKind::CaseAlert, &format!("s{i}"))]).await.unwrap();
        ids.push(appended[0].id.clone());
    }
    (db, store, ids)
}

async fn database_refuses_edits_of_audit_events(backend: Backend) {
    let (_db, store, _) = store_with_events(backend, 2).await;
    let update = sqlx::query("UPDATE audit_events SET actor = 'mallory' WHERE seq = 1").execute(store.pool()).await;
    assert!(update.unwrap_err().to_string().contains("append-only"));
    let delete = sqlx::query("DELETE FROM audit_events WHERE seq = 1").execute(store.pool()).await;
    assert!(delete.unwrap_err().to_string().contains("append-only"));
}

async fn edited_event_is_named_by_verification(backend: Backend) {
    let (_db, store, ids) = store_with_events(backend, 4).await;
    drop_guards(&store).await;
    sqlx::query("UPDATE audit_events SET payload = '{\"k\":\"forged\"}' WHERE seq = 2")
        .execute(store.pool())
        .await
        .unwrap();
    let report = store.verify_chain().await.unwrap();
    assert!(!report.ok);
    assert_eq!(report.first_break.unwrap().event_id, ids[1]);
}

async fn deleted_event_is_detected(backend: Backend) {
    let (_db, store, ids) = store_with_events(backend, 4).await;
    drop_guards(&store).await;
    sqlx::query("DELETE FROM audit_events WHERE seq = 2").execute(store.pool()).await.unwrap();
    let b = store.verify_chain().await.unwrap().first_break.unwrap();
    assert_eq!(b.event_id, ids[2], "the event after the gap no longer verifies");

    // Removing the newest events is caught by the recorded chain head.
    sqlx::query("DELETE FROM audit_events WHERE seq > 1").execute(store.pool()).await.unwrap();
    let b = store.verify_chain().await.unwrap().first_break.unwrap();
    assert_eq!(b.event_id, ids[0]);
    assert!(b.reason.contains("head"), "{}", b.reason);
}

async fn reordered_events_are_detected(backend: Backend) {
    let (_db, store, ids) = store_with_events(backend, 4).await;
    drop_guards(&store).await;
    for sql in [
        "UPDATE audit_events SET seq = 100 WHERE seq = 2",
        "UPDATE audit_events SET seq = 2 WHERE seq = 3",
        "UPDATE audit_events SET seq = 3 WHERE seq = 100",
    ] {
        sqlx::query(sql).execute(store.pool()).await.unwrap();
    }
    let b = store.verify_chain().await.unwrap().first_break.unwrap();
    assert_eq!(b.event_id, ids[2], "the event moved to position 2 is the first that fails");
}

async fn reopening_a_migrated_database_changes_nothing(backend: Backend) {
    let (db, store, _) = store_with_events(backend, 3).await;
    store.close().await;
    let again = SqlStore::open(&db.url, 2).await.unwrap();
    assert_eq!(event_count(&again).await, 3);
    assert!(again.verify_chain().await.unwrap().ok);
}

async fn failed_migration_leaves_the_database_unchanged(backend: Backend) {
    let db = TestDb::new(backend).await;
    let broken = Migration {
        version: MIGRATIONS.len() as i64 + 1,
        name: "broken",
        sqlite: "CREATE TABLE half_done (id BIGINT); INSERT INTO no_such_table VALUES (1);",
        postgres: "CREATE TABLE half_done (id BIGINT); INSERT INTO no_such_table VALUES (1);",
    };
    let mut list: Vec<Migration> = MIGRATIONS.to_vec();
    list.push(broken);
    let err = SqlStore::open_with(&db.url, 2, &list).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::MigrationFailed);
    assert!(err.message.contains("_broken failed"), "{}", err.message);

    let store = SqlStore::open(&db.url, 2).await.unwrap();
    let half = sqlx::query("SELECT COUNT(*) AS n FROM half_done").execute(store.pool()).await;
    assert!(half.is_err(), "the table created by the failed migration was rolled back");
    let versions: Vec<i64> = sqlx::query_scalar("SELECT version FROM schema_migrations ORDER BY version")
        .fetch_all(store.pool())
        .await
        .unwrap();
    assert_eq!(versions, (1..=MIGRATIONS.len() as i64).collect::<Vec<_>>());
}

async fn changed_migration_is_refused(backend: Backend) {
    let (db, store) = TestDb::store(backend).await;
    store.close().await;
    let mut list: Vec<Migration> = MIGRATIONS.to_vec();
    list[0].sqlite = "CREATE TABLE other (id BIGINT);";
    list[0].postgres = "CREATE TABLE other (id BIGINT);";
    let err = SqlStore::open_with(&db.url, 2, &list).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::MigrationFailed);
    assert!(err.message.contains("changed after it was applied"));
}

fn denial(authority: &str, id: &str, version: i64) -> accord_core::denials::Denial {
    serde_json::from_value(json!({
        "id": id, "authority_id": authority, "reference": format!("{authority}-1"), "date": "2026-01-05",
        "control_codes": ["3A001.a"], "item_description": "radar ICs", "destination": "CN", "end_use": "radar",
        "refusal_criteria": ["criterion 7"], "parties": [{"role": "consignee", "name": "Example Trading"}],
        "status": "active", "expires_on": "2029-01-05", "created_by": "test", "created_at": accord_core::now(),
        "version": version
    }))
    .unwrap()
}

async fn records_of_two_authorities_with_one_id_are_kept_apart_and_older_records_survive_the_migration(
    backend: Backend,
) {
    let db = TestDb::new(backend).await;
    // Records stored before migration 12, when they were keyed by id alone.
    let before = SqlStore::open_with(&db.url, 2, &MIGRATIONS[..11]).await.unwrap();
    let id = accord_core::ids::DenialId::generate();
    let old = denial("DE-BAFA", id.as_str(), 1);
    sqlx::query(
        "INSERT INTO denials (id, authority_id, destination, status, expires_on, version, data) \
         VALUES ($1, 'DE-BAFA', 'CN', 'active', '2029-01-05', 1, $2)",
    )
    .bind(id.as_str())
    .bind(serde_json::to_string(&old).unwrap())
    .execute(before.pool())
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO shared_records (kind, id, authority_id, version, data) \
         VALUES ('consultation', 'con_1', 'FR-SBDU', 1, '{\"by\": \"FR-SBDU\"}')",
    )
    .execute(before.pool())
    .await
    .unwrap();
    before.close().await;
    let store = SqlStore::open(&db.url, 2).await.unwrap();
    let de = accord_core::ids::AuthorityId::parse("DE-BAFA").unwrap();
    let nl = accord_core::ids::AuthorityId::parse("NL-CDIU").unwrap();
    assert_eq!(store.denial(&de, &id).await.unwrap(), Some(old.clone()));
    assert_eq!(store.shared_record("consultation", "FR-SBDU", "con_1").await.unwrap(), Some(json!({"by": "FR-SBDU"})));

    // Another authority's records with the same ids stand beside them and never replace them.
    let claim = denial("NL-CDIU", id.as_str(), 9);
    let shared = |owner: &str, version: i64| Mutation::PutShared {
        kind: "consultation".into(),
        id: "con_1".into(),
        authority_id: owner.into(),
        version,
        data: json!({ "by": owner, "v": version }),
        strict: true,
    };
    store
        .commit(
            vec![Mutation::PutDenial(claim.clone()), shared("NL-CDIU", 5)],
            vec![ev(EventKind::DenialRecorded, "x")],
        )
        .await
        .unwrap();
    assert_eq!(store.denial(&de, &id).await.unwrap(), Some(old.clone()));
    assert_eq!(store.denial(&nl, &id).await.unwrap(), Some(claim.clone()));
    assert_eq!(store.denials_with_id(&id).await.unwrap(), vec![old.clone(), claim]);
    assert_eq!(store.shared_with_id("consultation", "con_1").await.unwrap().len(), 2);
    assert_eq!(store.shared_record("consultation", "FR-SBDU", "con_1").await.unwrap(), Some(json!({"by": "FR-SBDU"})));

    // The owner's own newer version replaces its record only.
    let newer = denial("DE-BAFA", id.as_str(), 2);
    store
        .commit(
            vec![Mutation::PutDenial(newer.clone()), shared("FR-SBDU", 2)],
            vec![ev(EventKind::DenialRecorded, "y")],
        )
        .await
        .unwrap();
    assert_eq!(store.denial(&de, &id).await.unwrap(), Some(newer));
    assert_eq!(store.denial(&nl, &id).await.unwrap().map(|d| d.version), Some(9));
    let fr = store.shared_record("consultation", "FR-SBDU", "con_1").await.unwrap();
    assert_eq!(fr, Some(json!({"by": "FR-SBDU", "v": 2})));
    let stale = store.commit(vec![shared("NL-CDIU", 5)], vec![ev(EventKind::DenialRecorded, "z")]).await.unwrap_err();
    assert_eq!(stale.code, ErrorCode::Conflict, "a version as new is refused when strict");
}

async fn closed_pool_answers_database_unavailable(backend: Backend) {
    let (_db, store) = TestDb::store(backend).await;
    store.ping().await.unwrap();
    let stats = store.pool_stats();
    assert_eq!(stats.max, 5);
    assert!(stats.size >= 1);
    store.close().await;
    assert_eq!(store.ping().await.unwrap_err().code, ErrorCode::DatabaseUnavailable);
}

async fn sync_state_is_replaced_per_list(backend: Backend) {
    let (_db, store) = TestDb::store(backend).await;
    let mut state = accord_core::listed::SyncState {
        list_id: "un_sc".into(),
        source: "http://example.org/un.xml".into(),
        validators: json!({"http://example.org/un.xml": {"etag": "\"abc\""}}),
        checked_at: accord_core::now(),
        outcome: accord_core::listed::SyncOutcome::Updated,
        message: "version 1".into(),
    };
    store.record_sync(&state).await.unwrap();
    state.outcome = accord_core::listed::SyncOutcome::Failed;
    state.message = "HTTP 503".into();
    store.record_sync(&state).await.unwrap();
    assert_eq!(store.sync_states().await.unwrap(), vec![state]);
    assert_eq!(event_count(&store).await, 0, "sync bookkeeping is not an audited change");
}

accord_testing::on_both_backends!(
    sync_state_is_replaced_per_list,
    records_round_trip_with_scoped_listings,
    keys_are_stored_by_hash_and_revoked_once,
    refused_changes_leave_nothing_behind,
    concurrent_commits_keep_one_unbroken_chain,
    events_are_paged_and_filtered_by_authority,
    database_refuses_edits_of_audit_events,
    edited_event_is_named_by_verification,
    deleted_event_is_detected,
    reordered_events_are_detected,
    reopening_a_migrated_database_changes_nothing,
    failed_migration_leaves_the_database_unchanged,
    changed_migration_is_refused,
    closed_pool_answers_database_unavailable,
    records_of_two_authorities_with_one_id_are_kept_apart_and_older_records_survive_the_migration,
);
