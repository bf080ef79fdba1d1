//! [`SqlStore`]: the [`Store`] on SQLite or PostgreSQL through one set of portable SQL.

use crate::migrate::{self, Migration};
use crate::url::{Backend, DbUrl};
use crate::{DocumentFile, EventQuery, KeyRecord, Mutation, NewEvent, PoolStats, Store, UserScope};
use accord_core::audit::{AuditEvent, ChainReport, ChainVerifier, event_hash};
use accord_core::cases::{Application, Case, ComplianceProfile, FastTrackSettings};
use accord_core::controls::{ControlVersion, VersionKind};
use accord_core::denials::Denial;
use accord_core::federation::{Envelope, Identity, NodeKey, Peer, RejectionRecord};
use accord_core::ids::{ApplicationId, AuthorityId, CaseId, DenialId, EventId, KeyId, LicenceId, OrgId, UserId};
use accord_core::licences::{Licence, Shipment};
use accord_core::listed::{Adjudication, ChangeKind, EntityChange, ListVersion, ListedEntity, SyncState, Verdict};
use accord_core::model::{ApiKeyInfo, Authority, Organisation, Role, SizeClass, User};
use accord_core::{Error, ErrorCode, Result};
use async_trait::async_trait;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Row};
use std::str::FromStr;
use std::time::Duration;

/// Maps a driver error to an Accord error: unreachable databases become `database_unavailable`.
pub(crate) fn db_error(e: sqlx::Error) -> Error {
    match &e {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::WorkerCrashed => {
            Error::new(ErrorCode::DatabaseUnavailable, format!("the database cannot be reached: {e}"))
        }
        sqlx::Error::Database(db) => {
            let code = db.code().unwrap_or_default();
            // PostgreSQL connection and shutdown classes; SQLite busy/locked after the busy timeout.
            if code.starts_with("08") || code.starts_with("57P") || code == "3D000" || code == "5" || code == "6" {
                Error::new(ErrorCode::DatabaseUnavailable, format!("the database is unavailable: {}", db.message()))
            } else {
                Error::internal(format!("database error: {}", db.message()))
            }
        }
        _ => Error::internal(format!("database error: {e}")),
    }
}

/// Any failure to obtain a connection means the database cannot be reached.
fn unavailable(e: sqlx::Error) -> Error {
    Error::new(ErrorCode::DatabaseUnavailable, format!("the database cannot be reached: {e}"))
}

/// One column of a row, decoded; a decoding failure is a database error.
fn col<'r, T: sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any>>(row: &'r AnyRow, name: &str) -> Result<T> {
    row.try_get(name).map_err(db_error)
}

fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(db) if db.is_unique_violation())
}

/// The store on an `sqlx` Any pool, SQLite or PostgreSQL.
#[derive(Debug, Clone)]
pub struct SqlStore {
    pool: AnyPool,
    backend: Backend,
    max_connections: u32,
    /// SQLite has one writer at a time: writers of this process queue here instead of sleeping in its busy handler.
    writers: std::sync::Arc<tokio::sync::Mutex<()>>,
}

impl SqlStore {
    /// Connects (creating a SQLite file and its folder when missing) and runs pending migrations.
    pub async fn open(url: &DbUrl, max_connections: u32) -> Result<SqlStore> {
        SqlStore::open_with(url, max_connections, migrate::MIGRATIONS).await
    }

    /// Like [`SqlStore::open`] with an explicit migration list (tests use this to prove rollback).
    pub async fn open_with(url: &DbUrl, max_connections: u32, migrations: &[Migration]) -> Result<SqlStore> {
        sqlx::any::install_default_drivers();
        if let DbUrl::Sqlite(path) = url
            && let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
        {
            std::fs::create_dir_all(dir).map_err(|e| {
                Error::new(
                    ErrorCode::DatabaseUnavailable,
                    format!("cannot create the database folder {}: {e}", dir.display()),
                )
            })?;
        }
        let options = AnyConnectOptions::from_str(&url.connect_url())
            .map_err(|e| Error::new(ErrorCode::ValidationFailed, format!("invalid database URL {url}: {e}")))?;
        let backend = url.backend();
        let max_connections = max_connections.max(1);
        let pool = AnyPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(5))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        for pragma in [
                            "PRAGMA journal_mode = WAL",
                            "PRAGMA busy_timeout = 10000",
                            "PRAGMA foreign_keys = ON",
                            "PRAGMA synchronous = NORMAL",
                        ] {
                            sqlx::query(pragma).execute(&mut *conn).await?;
                        }
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await
            .map_err(|e| {
                Error::new(ErrorCode::DatabaseUnavailable, format!("cannot open the database at {url}: {e}"))
            })?;
        migrate::run(&pool, backend, migrations).await?;
        Ok(SqlStore { pool, backend, max_connections, writers: Default::default() })
    }

    async fn conn(&self) -> Result<sqlx::pool::PoolConnection<sqlx::Any>> {
        self.pool.acquire().await.map_err(unavailable)
    }

    /// The underlying pool, for tests and tools that inspect the database directly.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }
}

fn authority_from(row: &AnyRow) -> Result<Authority> {
    let calendar: String = col(row, "calendar")?;
    Ok(Authority {
        id: AuthorityId::parse(&col::<String>(row, "id")?)?,
        name: col(row, "name")?,
        jurisdiction: col(row, "jurisdiction")?,
        country: col(row, "country")?,
        time_zone: col(row, "time_zone")?,
        calendar: serde_json::from_str(&calendar)
            .map_err(|e| Error::internal(format!("stored calendar is corrupt: {e}")))?,
        created_at: col(row, "created_at")?,
    })
}

fn organisation_from(row: &AnyRow) -> Result<Organisation> {
    let ids: String = col(row, "registration_ids")?;
    Ok(Organisation {
        id: OrgId::parse(&col::<String>(row, "id")?)?,
        name: col(row, "name")?,
        country: col(row, "country")?,
        size_class: SizeClass::parse(&col::<String>(row, "size_class")?)?,
        registration_ids: serde_json::from_str(&ids)
            .map_err(|e| Error::internal(format!("stored registration ids are corrupt: {e}")))?,
        authority_id: AuthorityId::parse(&col::<String>(row, "authority_id")?)?,
        created_at: col(row, "created_at")?,
    })
}

/// Reads a user from columns named `{prefix}id`, `{prefix}name`, … (a prefix tells joined users apart).
fn user_from(row: &AnyRow, prefix: &str) -> Result<User> {
    let col = |name: &str| format!("{prefix}{name}");
    let text = |name: &str| row.try_get::<String, _>(col(name).as_str()).map_err(db_error);
    let optional = |name: &str| row.try_get::<Option<String>, _>(col(name).as_str()).map_err(db_error);
    Ok(User {
        id: UserId::parse(&text("id")?)?,
        name: text("name")?,
        email: text("email")?,
        role: Role::parse(&text("role")?)?,
        authority_id: optional("authority_id")?.as_deref().map(AuthorityId::parse).transpose()?,
        organisation_id: optional("organisation_id")?.as_deref().map(OrgId::parse).transpose()?,
        disabled: row.try_get::<i64, _>(col("disabled").as_str()).map_err(db_error)? != 0,
        created_at: text("created_at")?,
    })
}

fn key_from(row: &AnyRow) -> Result<ApiKeyInfo> {
    Ok(ApiKeyInfo {
        id: KeyId::parse(&col::<String>(row, "id")?)?,
        user_id: UserId::parse(&col::<String>(row, "user_id")?)?,
        label: col(row, "label")?,
        created_at: col(row, "created_at")?,
        expires_at: col(row, "expires_at")?,
        revoked_at: col(row, "revoked_at")?,
        last_used_at: col(row, "last_used_at")?,
        parent_key_id: col::<Option<String>>(row, "parent_key_id")?.map(|k| KeyId::parse(&k)).transpose()?,
    })
}

fn event_from(row: &AnyRow) -> Result<AuditEvent> {
    let payload: String = col(row, "payload")?;
    Ok(AuditEvent {
        seq: col(row, "seq")?,
        id: col(row, "id")?,
        at: col(row, "at")?,
        actor: col(row, "actor")?,
        authority_id: col(row, "authority_id")?,
        kind: col(row, "kind")?,
        subject: col(row, "subject")?,
        // A payload edited into invalid JSON still has to be walked (and fail its hash).
        payload: serde_json::from_str(&payload).unwrap_or(serde_json::Value::String(payload)),
        prev_hash: col(row, "prev_hash")?,
        hash: col(row, "hash")?,
        states: col::<Option<String>>(row, "states")?.and_then(|s| serde_json::from_str(&s).ok()).unwrap_or_default(),
    })
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> Error {
    Error::internal(format!("stored {what} is corrupt: {e}"))
}

fn list_version_from(row: &AnyRow) -> Result<ListVersion> {
    let int = |c: &str| col::<i64>(row, c);
    let text = |c: &str| col::<String>(row, c);
    Ok(ListVersion {
        list_id: text("list_id")?,
        version: int("version")?,
        format: text("format")?,
        content_hash: text("content_hash")?,
        source: text("source")?,
        imported_at: text("imported_at")?,
        entities: int("entities")?,
        added: int("added")?,
        changed: int("changed")?,
        removed: int("removed")?,
        problems: int("problems")?,
    })
}

fn change_from(row: &AnyRow) -> Result<EntityChange> {
    let change: String = col(row, "change")?;
    let fields: String = col(row, "fields")?;
    Ok(EntityChange {
        entity_id: col(row, "entity_id")?,
        change: ChangeKind::parse(&change).ok_or_else(|| corrupt("change kind", &change))?,
        fields: serde_json::from_str(&fields).map_err(|e| corrupt("change fields", e))?,
        name: col(row, "name")?,
    })
}

fn adjudication_from(row: &AnyRow) -> Result<Adjudication> {
    let text = |c: &str| col::<String>(row, c);
    let verdict = text("verdict")?;
    Ok(Adjudication {
        id: text("id")?,
        authority_id: text("authority_id")?,
        subject: text("subject")?,
        list_id: text("list_id")?,
        entity_id: text("entity_id")?,
        entity_version: col(row, "entity_version")?,
        verdict: Verdict::parse(&verdict).ok_or_else(|| corrupt("verdict", &verdict))?,
        reason: text("reason")?,
        officer_id: text("officer_id")?,
        created_at: text("created_at")?,
    })
}

/// Inserts rows in batches of multi-row `VALUES`, so large lists take few round trips.
async fn insert_rows(tx: &mut Tx<'_>, table: &str, columns: &[&str], rows: Vec<Vec<Value>>) -> Result<()> {
    const ROWS_PER_STATEMENT: usize = 200;
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<Vec<Value>> = rows.by_ref().take(ROWS_PER_STATEMENT).collect();
        let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
        let mut n = 0;
        for (i, _) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push('(');
            for c in 0..columns.len() {
                n += 1;
                if c > 0 {
                    sql.push_str(", ");
                }
                sql.push_str(&format!("${n}"));
            }
            sql.push(')');
        }
        let mut q = sqlx::query(&sql);
        for row in chunk {
            for v in row {
                q = match v {
                    Value::Text(s) => q.bind(s),
                    Value::Int(i) => q.bind(i),
                };
            }
        }
        q.execute(&mut **tx).await.map_err(db_error)?;
    }
    Ok(())
}

/// A value bound into a batched insert.
enum Value {
    Text(String),
    Int(i64),
}

async fn import_list(
    tx: &mut Tx<'_>,
    version: &ListVersion,
    previous: Option<i64>,
    upserts: &[(ListedEntity, String)],
    removed: &[String],
    changes: &[EntityChange],
) -> Result<()> {
    let latest: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM list_versions WHERE list_id = $1")
        .bind(&version.list_id)
        .fetch_one(&mut **tx)
        .await
        .map_err(db_error)?;
    if latest != previous {
        return Err(Error::new(
            ErrorCode::Conflict,
            format!("list '{}' received another version during this import; run the import again", version.list_id),
        ));
    }
    sqlx::query(
        "INSERT INTO list_versions (list_id, version, format, content_hash, source, imported_at, entities, added, \
         changed, removed, problems) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(&version.list_id)
    .bind(version.version)
    .bind(&version.format)
    .bind(&version.content_hash)
    .bind(&version.source)
    .bind(&version.imported_at)
    .bind(version.entities)
    .bind(version.added)
    .bind(version.changed)
    .bind(version.removed)
    .bind(version.problems)
    .execute(&mut **tx)
    .await
    .map_err(db_error)?;
    let mut gone: Vec<&str> = removed.iter().map(String::as_str).collect();
    gone.extend(upserts.iter().map(|(e, _)| e.entity_id.as_str()));
    for chunk in gone.chunks(500) {
        let placeholders: Vec<String> = (2..chunk.len() + 2).map(|i| format!("${i}")).collect();
        let sql =
            format!("DELETE FROM list_entities WHERE list_id = $1 AND entity_id IN ({})", placeholders.join(", "));
        let mut q = sqlx::query(&sql).bind(&version.list_id);
        for id in chunk {
            q = q.bind(*id);
        }
        q.execute(&mut **tx).await.map_err(db_error)?;
    }
    let mut rows = Vec::with_capacity(upserts.len());
    for (e, hash) in upserts {
        let data = serde_json::to_string(e).map_err(|err| Error::internal(err.to_string()))?;
        rows.push(vec![
            Value::Text(version.list_id.clone()),
            Value::Text(e.entity_id.clone()),
            Value::Int(version.version),
            Value::Text(hash.clone()),
            Value::Text(data),
        ]);
    }
    insert_rows(tx, "list_entities", &["list_id", "entity_id", "version", "content_hash", "data"], rows).await?;
    let rows = changes
        .iter()
        .map(|c| {
            vec![
                Value::Text(version.list_id.clone()),
                Value::Int(version.version),
                Value::Text(c.entity_id.clone()),
                Value::Text(c.change.as_str().to_owned()),
                Value::Text(serde_json::to_string(&c.fields).unwrap_or_else(|_| "[]".into())),
                Value::Text(c.name.clone()),
            ]
        })
        .collect();
    insert_rows(tx, "list_changes", &["list_id", "version", "entity_id", "change", "fields", "name"], rows).await
}

const LIST_VERSION_COLUMNS: &str =
    "list_id, version, format, content_hash, source, imported_at, entities, added, changed, removed, problems";

const USER_COLUMNS: &str = "id, name, email, role, authority_id, organisation_id, disabled, created_at";
const KEY_COLUMNS: &str = "id, user_id, label, created_at, expires_at, revoked_at, last_used_at, parent_key_id";
const EVENT_COLUMNS: &str = "seq, id, at, actor, authority_id, kind, subject, payload, prev_hash, hash, states";

type Tx<'a> = sqlx::Transaction<'a, sqlx::Any>;

impl SqlStore {
    /// Applies mutations and appends events in one transaction (the body of [`Store::commit`]).
    async fn commit_to_end(&self, mutations: Vec<Mutation>, events: Vec<NewEvent>) -> Result<Vec<AuditEvent>> {
        let _writer = match self.backend {
            Backend::Sqlite => Some(self.writers.lock().await),
            Backend::Postgres => None,
        };
        let mut tx = self.pool.begin().await.map_err(unavailable)?;
        // The chain head is locked last and held until the commit: events append in commit order, and writers wait
        // for each other only while they append their events. A check that needs every writer serialised (that no
        // admin exists yet) takes the lock first.
        let lock_head = "UPDATE audit_head SET seq = seq WHERE id = 1";
        let serialised = mutations.iter().any(|m| matches!(m, Mutation::RequireNoAdmin));
        if serialised {
            sqlx::query(lock_head).execute(&mut *tx).await.map_err(db_error)?;
        }
        let mut generated = Vec::new();
        for m in &mutations {
            match m {
                Mutation::Publish { sender, kind, payload, to, key } => {
                    generated.push(publish(&mut tx, sender, kind, payload, to, key).await?);
                }
                other => apply(&mut tx, other).await?,
            }
        }
        if !serialised {
            sqlx::query(lock_head).execute(&mut *tx).await.map_err(db_error)?;
        }
        let head =
            sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1").fetch_one(&mut *tx).await.map_err(db_error)?;
        let mut seq: i64 = col(&head, "seq")?;
        let mut prev: String = col(&head, "hash")?;
        let mut appended = Vec::with_capacity(events.len() + generated.len());
        // The state each touched record is left in is attested by the commit's last event.
        let mut states = record_states(&mut tx, &mutations).await?;
        let count = events.len() + generated.len();
        for (i, e) in events.into_iter().chain(generated).enumerate() {
            seq += 1;
            let mut event = AuditEvent {
                seq,
                id: EventId::generate().to_string(),
                at: accord_core::now(),
                actor: e.actor,
                authority_id: e.authority_id,
                kind: e.kind,
                subject: e.subject,
                payload: e.payload,
                prev_hash: prev.clone(),
                hash: String::new(),
                states: if i + 1 == count { std::mem::take(&mut states) } else { Default::default() },
            };
            event.hash = event_hash(&prev, &event);
            let mut payload = String::new();
            accord_core::audit::canonical_json(&event.payload, &mut payload);
            sqlx::query(&format!(
                "INSERT INTO audit_events ({EVENT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
            ))
            .bind(event.seq)
            .bind(&event.id)
            .bind(&event.at)
            .bind(&event.actor)
            .bind(event.authority_id.clone())
            .bind(&event.kind)
            .bind(&event.subject)
            .bind(payload)
            .bind(&event.prev_hash)
            .bind(&event.hash)
            .bind((!event.states.is_empty()).then(|| serde_json::json!(event.states).to_string()))
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
            prev = event.hash.clone();
            appended.push(event);
        }
        sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
            .bind(seq)
            .bind(&prev)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        tx.commit().await.map_err(db_error)?;
        Ok(appended)
    }

    /// The records of a `SELECT data …` query with text parameters, read back from their JSON.
    async fn records<T: serde::de::DeserializeOwned>(&self, sql: &str, params: &[&str]) -> Result<Vec<T>> {
        let mut q = sqlx::query(sql);
        for p in params {
            q = q.bind(p.to_string());
        }
        let rows = q.fetch_all(&mut *self.conn().await?).await.map_err(db_error)?;
        from_data(&rows)
    }
}

/// The WHERE clause (and its one parameter) of a listing by authority or organisation.
fn scope_clause(scope: &UserScope) -> (&'static str, Option<String>) {
    match scope {
        UserScope::All => ("", None),
        UserScope::Authority(a) => ("WHERE authority_id = $1", Some(a.as_str().to_owned())),
        UserScope::Organisation(o) => ("WHERE organisation_id = $1", Some(o.as_str().to_owned())),
    }
}

/// A record as the JSON kept in a `data` column.
fn to_data<T: serde::Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| Error::internal(format!("cannot serialise a record: {e}")))
}

/// Records read back from their `data` column.
fn from_data<T: serde::de::DeserializeOwned>(rows: &[AnyRow]) -> Result<Vec<T>> {
    rows.iter()
        .map(|r| {
            let data: String = col(r, "data")?;
            serde_json::from_str(&data).map_err(|e| Error::internal(format!("a stored record does not parse: {e}")))
        })
        .collect()
}

async fn exists(tx: &mut Tx<'_>, sql: &str, id: &str) -> Result<bool> {
    Ok(sqlx::query(sql).bind(id).fetch_optional(&mut **tx).await.map_err(db_error)?.is_some())
}

async fn apply(tx: &mut Tx<'_>, m: &Mutation) -> Result<()> {
    match m {
        Mutation::InsertAuthority(a) => {
            let calendar = serde_json::to_string(&a.calendar).map_err(|e| Error::internal(e.to_string()))?;
            sqlx::query("INSERT INTO authorities (id, name, jurisdiction, country, time_zone, calendar, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                .bind(a.id.as_str())
                .bind(&a.name)
                .bind(&a.jurisdiction)
                .bind(&a.country)
                .bind(&a.time_zone)
                .bind(calendar)
                .bind(&a.created_at)
                .execute(&mut **tx)
                .await
                .map_err(|e| {
                    if is_unique_violation(&e) {
                        Error::new(ErrorCode::AlreadyExists, format!("authority '{}' already exists", a.id))
                            .with_details(serde_json::json!({"kind": "authority", "id": a.id.as_str()}))
                    } else {
                        db_error(e)
                    }
                })?;
        }
        Mutation::InsertOrganisation(o) => {
            if !exists(tx, "SELECT 1 FROM authorities WHERE id = $1", o.authority_id.as_str()).await? {
                return Err(unknown_authority(&o.authority_id));
            }
            let ids = serde_json::to_string(&o.registration_ids).map_err(|e| Error::internal(e.to_string()))?;
            sqlx::query("INSERT INTO organisations (id, name, country, size_class, registration_ids, authority_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                .bind(o.id.as_str())
                .bind(&o.name)
                .bind(&o.country)
                .bind(o.size_class.as_str())
                .bind(ids)
                .bind(o.authority_id.as_str())
                .bind(&o.created_at)
                .execute(&mut **tx)
                .await
                .map_err(db_error)?;
        }
        Mutation::InsertUser(u) => {
            if let Some(a) = &u.authority_id
                && !exists(tx, "SELECT 1 FROM authorities WHERE id = $1", a.as_str()).await?
            {
                return Err(unknown_authority(a));
            }
            if let Some(o) = &u.organisation_id
                && !exists(tx, "SELECT 1 FROM organisations WHERE id = $1", o.as_str()).await?
            {
                return Err(Error::new(ErrorCode::UnknownOrganisation, format!("organisation '{o}' does not exist"))
                    .with_details(serde_json::json!({"field": "organisation_id", "id": o.as_str()})));
            }
            sqlx::query(&format!("INSERT INTO users ({USER_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"))
                .bind(u.id.as_str())
                .bind(&u.name)
                .bind(&u.email)
                .bind(u.role.as_str())
                .bind(u.authority_id.as_ref().map(|a| a.as_str().to_owned()))
                .bind(u.organisation_id.as_ref().map(|o| o.as_str().to_owned()))
                .bind(i64::from(u.disabled))
                .bind(&u.created_at)
                .execute(&mut **tx)
                .await
                .map_err(|e| {
                    if is_unique_violation(&e) {
                        Error::new(ErrorCode::AlreadyExists, format!("a user with e-mail '{}' already exists", u.email))
                            .with_details(serde_json::json!({"kind": "user", "field": "email"}))
                    } else {
                        db_error(e)
                    }
                })?;
        }
        Mutation::InsertKey { key, secret_hash } => {
            if !exists(tx, "SELECT 1 FROM users WHERE id = $1", key.user_id.as_str()).await? {
                return Err(Error::new(ErrorCode::UnknownUser, format!("user '{}' does not exist", key.user_id)));
            }
            sqlx::query("INSERT INTO api_keys (id, user_id, label, secret_hash, created_at, expires_at, revoked_at, last_used_at, parent_key_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
                .bind(key.id.as_str())
                .bind(key.user_id.as_str())
                .bind(&key.label)
                .bind(secret_hash)
                .bind(&key.created_at)
                .bind(key.expires_at.clone())
                .bind(key.revoked_at.clone())
                .bind(key.last_used_at.clone())
                .bind(key.parent_key_id.as_ref().map(|k| k.as_str().to_owned()))
                .execute(&mut **tx)
                .await
                .map_err(db_error)?;
        }
        Mutation::RevokeKey { id, at } => {
            let done = sqlx::query("UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
                .bind(at)
                .bind(id.as_str())
                .execute(&mut **tx)
                .await
                .map_err(db_error)?;
            if done.rows_affected() == 0 {
                return Err(if exists(tx, "SELECT 1 FROM api_keys WHERE id = $1", id.as_str()).await? {
                    Error::new(ErrorCode::Conflict, format!("API key '{id}' is already revoked"))
                } else {
                    Error::not_found("API key", id.as_str())
                });
            }
            revoke_descendants(tx, "SELECT id FROM api_keys WHERE id = $1", id.as_str(), at).await?;
        }
        Mutation::InsertCheckpoint(c) => {
            sqlx::query(
                "INSERT INTO audit_checkpoints (seq, authority_id, head_hash, at, signature) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(c.seq)
            .bind(&c.authority_id)
            .bind(&c.head_hash)
            .bind(&c.at)
            .bind(&c.signature)
            .execute(&mut **tx)
            .await
            .map_err(|e| {
                if is_unique_violation(&e) {
                    Error::new(ErrorCode::AlreadyExists, format!("a checkpoint at sequence {} exists", c.seq))
                } else {
                    db_error(e)
                }
            })?;
        }
        Mutation::RevokeUserKeys { user, at } => {
            revoke_descendants(tx, "SELECT id FROM api_keys WHERE user_id = $1", user.as_str(), at).await?;
        }
        Mutation::SetUserDisabled { id, disabled } => {
            let done = sqlx::query("UPDATE users SET disabled = $1 WHERE id = $2")
                .bind(i64::from(*disabled))
                .bind(id.as_str())
                .execute(&mut **tx)
                .await
                .map_err(db_error)?;
            if done.rows_affected() == 0 {
                return Err(Error::not_found("user", id.as_str()));
            }
        }
        Mutation::ImportList { version, previous, upserts, removed, changes } => {
            import_list(tx, version, *previous, upserts, removed, changes).await?;
        }
        Mutation::InsertVersion { kind, version: v, data } => {
            let sql = format!(
                "INSERT INTO {} (seq, label, effective_date, rationale, content_hash, source, imported_at, entries, \
                 data) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                kind.table()
            );
            sqlx::query(&sql)
                .bind(v.seq)
                .bind(&v.label)
                .bind(&v.effective_date)
                .bind(&v.rationale)
                .bind(&v.content_hash)
                .bind(&v.source)
                .bind(&v.imported_at)
                .bind(v.entries)
                .bind(data)
                .execute(&mut **tx)
                .await
                .map_err(|e| {
                    if is_unique_violation(&e) {
                        Error::new(
                            ErrorCode::Conflict,
                            format!("another {} version was stored meanwhile; import again", kind.noun()),
                        )
                    } else {
                        db_error(e)
                    }
                })?;
        }
        Mutation::InsertAdjudication(a) => {
            sqlx::query(
                "INSERT INTO adjudications (id, authority_id, subject, list_id, entity_id, entity_version, verdict, \
                 reason, officer_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(&a.id)
            .bind(&a.authority_id)
            .bind(&a.subject)
            .bind(&a.list_id)
            .bind(&a.entity_id)
            .bind(a.entity_version)
            .bind(a.verdict.as_str())
            .bind(&a.reason)
            .bind(&a.officer_id)
            .bind(&a.created_at)
            .execute(&mut **tx)
            .await
            .map_err(db_error)?;
        }
        Mutation::InsertApplication { application: a, idempotency_key } => {
            sqlx::query(
                "INSERT INTO applications (id, organisation_id, authority_id, status, idempotency_key, created_at, data) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(a.id.as_str())
            .bind(a.organisation_id.as_str())
            .bind(a.authority_id.as_str())
            .bind(a.status.as_str())
            .bind(idempotency_key.clone())
            .bind(&a.created_at)
            .bind(to_data(a)?)
            .execute(&mut **tx)
            .await
            .map_err(|e| {
                if is_unique_violation(&e) {
                    Error::new(ErrorCode::AlreadyExists, "an application with this idempotency key already exists")
                } else {
                    db_error(e)
                }
            })?;
        }
        Mutation::UpdateApplication { application: a, from } => {
            let done = sqlx::query("UPDATE applications SET status = $1, data = $2 WHERE id = $3 AND status = $4")
                .bind(a.status.as_str())
                .bind(to_data(a)?)
                .bind(a.id.as_str())
                .bind(from.as_str())
                .execute(&mut **tx)
                .await
                .map_err(db_error)?;
            if done.rows_affected() == 0 {
                return Err(Error::new(
                    ErrorCode::Conflict,
                    format!("application '{}' is no longer {}; read it again", a.id, from.as_str()),
                ));
            }
        }
        Mutation::InsertCase(c) => {
            sqlx::query(
                "INSERT INTO cases (id, application_id, organisation_id, authority_id, status, risk_score, due_date, \
                 version, data) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(c.id.as_str())
            .bind(c.application_id.as_str())
            .bind(c.organisation_id.as_str())
            .bind(c.authority_id.as_str())
            .bind(c.status.as_str())
            .bind(i64::from(c.risk_score))
            .bind(&c.due_date)
            .bind(c.version)
            .bind(to_data(c)?)
            .execute(&mut **tx)
            .await
            .map_err(db_error)?;
        }
        Mutation::PutProfile { organisation_id, profile } => {
            sqlx::query(
                "INSERT INTO compliance_profiles (organisation_id, data) VALUES ($1, $2) \
                 ON CONFLICT (organisation_id) DO UPDATE SET data = excluded.data",
            )
            .bind(organisation_id.as_str())
            .bind(to_data(profile)?)
            .execute(&mut **tx)
            .await
            .map_err(db_error)?;
        }
        Mutation::RecordConsignees { organisation_id, names } => {
            for name in names {
                sqlx::query(
                    "INSERT INTO application_consignees (organisation_id, name) VALUES ($1, $2) \
                     ON CONFLICT (organisation_id, name) DO NOTHING",
                )
                .bind(organisation_id.as_str())
                .bind(name)
                .execute(&mut **tx)
                .await
                .map_err(db_error)?;
            }
        }
        Mutation::PutFastTrack { authority_id, settings } => {
            sqlx::query(
                "INSERT INTO fast_track_settings (authority_id, data) VALUES ($1, $2) \
                 ON CONFLICT (authority_id) DO UPDATE SET data = excluded.data",
            )
            .bind(authority_id.as_str())
            .bind(to_data(settings)?)
            .execute(&mut **tx)
            .await
            .map_err(db_error)?;
        }
        Mutation::InsertLicence(l) => {
            sqlx::query(
                "INSERT INTO licences (id, case_id, organisation_id, authority_id, status, valid_until, version, data) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(l.id.as_str())
            .bind(l.case_id.as_str())
            .bind(l.organisation_id.as_str())
            .bind(l.authority_id.as_str())
            .bind(l.status.as_str())
            .bind(&l.valid_until)
            .bind(l.version)
            .bind(to_data(l)?)
            .execute(&mut **tx)
            .await
            .map_err(db_error)?;
        }
        Mutation::UpdateLicence { licence: l, expected_version } => {
            let done =
                sqlx::query("UPDATE licences SET status = $1, version = $2, data = $3 WHERE id = $4 AND version = $5")
                    .bind(l.status.as_str())
                    .bind(l.version)
                    .bind(to_data(l)?)
                    .bind(l.id.as_str())
                    .bind(*expected_version)
                    .execute(&mut **tx)
                    .await
                    .map_err(db_error)?;
            if done.rows_affected() == 0 {
                return Err(Error::new(
                    ErrorCode::Conflict,
                    format!("licence '{}' changed since version {expected_version}; read it again", l.id),
                )
                .with_details(serde_json::json!({ "licence_id": l.id, "expected_version": expected_version })));
            }
        }
        Mutation::InsertShipment(sh) => {
            sqlx::query("INSERT INTO shipments (id, licence_id, reported_at, data) VALUES ($1, $2, $3, $4)")
                .bind(sh.id.as_str())
                .bind(sh.licence_id.as_str())
                .bind(&sh.reported_at)
                .bind(to_data(sh)?)
                .execute(&mut **tx)
                .await
                .map_err(db_error)?;
        }
        Mutation::UpdateCase { case: c, expected_version } => {
            let done = sqlx::query(
                "UPDATE cases SET status = $1, risk_score = $2, due_date = $3, version = $4, data = $5 \
                 WHERE id = $6 AND version = $7",
            )
            .bind(c.status.as_str())
            .bind(i64::from(c.risk_score))
            .bind(&c.due_date)
            .bind(c.version)
            .bind(to_data(c)?)
            .bind(c.id.as_str())
            .bind(*expected_version)
            .execute(&mut **tx)
            .await
            .map_err(db_error)?;
            if done.rows_affected() == 0 {
                return Err(Error::new(
                    ErrorCode::CaseChanged,
                    format!("case '{}' changed since version {expected_version}; read it again", c.id),
                )
                .with_details(serde_json::json!({ "case_id": c.id, "expected_version": expected_version })));
            }
        }
        Mutation::InsertDenial(d) => {
            sqlx::query(
                "INSERT INTO denials (id, authority_id, destination, status, expires_on, version, data) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(d.id.as_str())
            .bind(d.authority_id.as_str())
            .bind(d.destination.to_ascii_uppercase())
            .bind(d.status.as_str())
            .bind(&d.expires_on)
            .bind(d.version)
            .bind(to_data(d)?)
            .execute(&mut **tx)
            .await
            .map_err(db_error)?;
        }
        Mutation::InsertDocument(f) => {
            sqlx::query(
                "INSERT INTO documents (application_id, position, content_type, size, sha256, uploaded_by, uploaded_at, \
                 content) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(f.application_id.as_str())
            .bind(f.position as i64)
            .bind(&f.content_type)
            .bind(f.content.len() as i64)
            .bind(&f.sha256)
            .bind(&f.uploaded_by)
            .bind(&f.uploaded_at)
            .bind(f.content.clone())
            .execute(&mut **tx)
            .await
            .map_err(|e| {
                if is_unique_violation(&e) {
                    Error::new(
                        ErrorCode::AlreadyExists,
                        format!("document {} of application '{}' is already uploaded", f.position, f.application_id),
                    )
                } else {
                    db_error(e)
                }
            })?;
        }
        Mutation::UpdateDenial { denial: d, expected_version } => {
            let done = sqlx::query(
                "UPDATE denials SET status = $1, expires_on = $2, version = $3, data = $4, destination = $7 \
                 WHERE id = $5 AND version = $6 AND authority_id = $8",
            )
            .bind(d.status.as_str())
            .bind(&d.expires_on)
            .bind(d.version)
            .bind(to_data(d)?)
            .bind(d.id.as_str())
            .bind(*expected_version)
            .bind(d.destination.to_ascii_uppercase())
            .bind(d.authority_id.as_str())
            .execute(&mut **tx)
            .await
            .map_err(db_error)?;
            if done.rows_affected() == 0 {
                return Err(Error::new(
                    ErrorCode::Conflict,
                    format!("denial '{}' changed since version {expected_version}; read it again", d.id),
                ));
            }
        }
        Mutation::PutDenial(d) => {
            sqlx::query(
                "INSERT INTO denials (id, authority_id, status, expires_on, version, data, destination) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (authority_id, id) DO UPDATE SET \
                 status = excluded.status, expires_on = excluded.expires_on, version = excluded.version, \
                 data = excluded.data, destination = excluded.destination WHERE denials.version < excluded.version",
            )
            .bind(d.id.as_str())
            .bind(d.authority_id.as_str())
            .bind(d.status.as_str())
            .bind(&d.expires_on)
            .bind(d.version)
            .bind(to_data(d)?)
            .bind(d.destination.to_ascii_uppercase())
            .execute(&mut **tx)
            .await
            .map_err(db_error)?;
        }
        Mutation::PutShared { kind, id, authority_id, version, data, strict } => {
            let done = sqlx::query(
                "INSERT INTO shared_records (kind, id, authority_id, version, data) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (kind, authority_id, id) DO UPDATE SET version = excluded.version, \
                 data = excluded.data WHERE shared_records.version < excluded.version",
            )
            .bind(kind)
            .bind(id)
            .bind(authority_id)
            .bind(*version)
            .bind(data.to_string())
            .execute(&mut **tx)
            .await
            .map_err(db_error)?;
            if *strict && done.rows_affected() == 0 {
                return Err(Error::new(
                    ErrorCode::Conflict,
                    format!("{kind} '{id}' changed meanwhile (version {version} is not newer); read it again"),
                ));
            }
        }
        Mutation::SetIdentity(i) => {
            sqlx::query(
                "INSERT INTO federation_identity (id, authority_id, public_key, created_at) VALUES (1, $1, $2, $3)",
            )
            .bind(&i.authority_id)
            .bind(&i.public_key)
            .bind(&i.created_at)
            .execute(&mut **tx)
            .await
            .map_err(|e| {
                if is_unique_violation(&e) {
                    Error::new(ErrorCode::AlreadyExists, "this node already has a federation identity")
                } else {
                    db_error(e)
                }
            })?;
        }
        Mutation::PutPeer(peer) => {
            // A peer registered again resumes after what was already received from it.
            sqlx::query(
                "INSERT INTO peers (authority_id, url, public_key, added_at, last_seq) VALUES ($1, $2, $3, $4, \
                 (SELECT COALESCE(MAX(seq), 0) FROM inbox WHERE sender = $1))",
            )
            .bind(&peer.authority_id)
            .bind(&peer.url)
            .bind(&peer.public_key)
            .bind(&peer.added_at)
            .execute(&mut **tx)
            .await
            .map_err(|e| {
                if is_unique_violation(&e) {
                    Error::new(ErrorCode::AlreadyExists, format!("peer {} is already registered", peer.authority_id))
                } else {
                    db_error(e)
                }
            })?;
        }
        Mutation::RemovePeer(authority) => {
            let done = sqlx::query("DELETE FROM peers WHERE authority_id = $1")
                .bind(authority)
                .execute(&mut **tx)
                .await
                .map_err(db_error)?;
            if done.rows_affected() == 0 {
                return Err(Error::not_found("peer", authority));
            }
        }
        Mutation::Receive { sender, after, envelopes } => {
            let last = envelopes.last().map_or(*after, |e| e.seq);
            let done = sqlx::query("UPDATE peers SET last_seq = $1 WHERE authority_id = $2 AND last_seq = $3")
                .bind(last)
                .bind(sender)
                .bind(*after)
                .execute(&mut **tx)
                .await
                .map_err(db_error)?;
            if done.rows_affected() == 0 {
                return Err(Error::new(
                    ErrorCode::Conflict,
                    format!("envelopes of {sender} after {after} were applied meanwhile"),
                ));
            }
            let now = accord_core::now();
            let rows = envelopes
                .iter()
                .map(|e| {
                    Ok(vec![
                        Value::Text(e.sender.clone()),
                        Value::Int(e.seq),
                        Value::Text(e.kind.clone()),
                        Value::Text(now.clone()),
                        Value::Text(to_data(e)?),
                    ])
                })
                .collect::<Result<Vec<_>>>()?;
            insert_rows(tx, "inbox", &["sender", "seq", "kind", "received_at", "envelope"], rows).await?;
        }
        Mutation::RecordRejection(r) => {
            sqlx::query(
                "INSERT INTO federation_rejections (id, sender, seq, reason, message, received_at, envelope, \
                 quarantined) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(&r.id)
            .bind(&r.sender)
            .bind(r.seq)
            .bind(r.reason.as_str())
            .bind(&r.message)
            .bind(&r.received_at)
            .bind(r.envelope.to_string())
            .bind(i64::from(r.quarantined))
            .execute(&mut **tx)
            .await
            .map_err(db_error)?;
        }
        Mutation::Publish { .. } => return Err(Error::internal("a publication is applied by the commit")),
        Mutation::RequireNoAdmin => {
            if exists(tx, "SELECT 1 FROM users WHERE role = $1", Role::Admin.as_str()).await? {
                return Err(Error::new(
                    ErrorCode::AlreadyBootstrapped,
                    "this node already has an administrator; use an admin key to add users",
                ));
            }
        }
    }
    Ok(())
}

/// The records whose state the audit chain attests: table, and the columns of their key.
const ATTESTED: [(&str, &[&str]); 7] = [
    ("users", &["id"]),
    ("organisations", &["id"]),
    ("api_keys", &["id"]),
    ("applications", &["id"]),
    ("cases", &["id"]),
    ("licences", &["id"]),
    ("denials", &["authority_id", "id"]),
];

/// Columns that change without a state change (bookkeeping), left out of a record's state.
const UNATTESTED_COLUMNS: [&str; 1] = ["last_used_at"];

/// SHA-256 of a row's columns (but bookkeeping ones) as canonical JSON, whatever their SQL types.
fn row_state(row: &AnyRow) -> String {
    use sqlx::{Column, Row};
    let mut fields = serde_json::Map::new();
    for (i, column) in row.columns().iter().enumerate() {
        if UNATTESTED_COLUMNS.contains(&column.name()) {
            continue;
        }
        let value = if let Ok(v) = row.try_get::<Option<String>, _>(i) {
            serde_json::json!(v)
        } else if let Ok(v) = row.try_get::<Option<i64>, _>(i) {
            serde_json::json!(v)
        } else if let Ok(v) = row.try_get::<Option<f64>, _>(i) {
            serde_json::json!(v)
        } else if let Ok(v) = row.try_get::<Option<bool>, _>(i) {
            serde_json::json!(v)
        } else {
            serde_json::json!(row.try_get::<Option<Vec<u8>>, _>(i).ok().flatten().map(|b| accord_core::audit::hex(&b)))
        };
        fields.insert(column.name().to_owned(), value);
    }
    let mut text = String::new();
    accord_core::audit::canonical_json(&serde_json::Value::Object(fields), &mut text);
    use sha2::Digest;
    accord_core::audit::hex(&sha2::Sha256::digest(text.as_bytes()))
}

/// The key under which a record's state is attested: `table:key…`.
fn state_key(table: &str, key: &[&str]) -> String {
    format!("{table}:{}", key.join(":"))
}

/// The states of the attested records the mutations wrote, read back inside the transaction.
async fn record_states(tx: &mut Tx<'_>, mutations: &[Mutation]) -> Result<std::collections::BTreeMap<String, String>> {
    let mut touched: Vec<(&str, Vec<String>)> = Vec::new();
    for m in mutations {
        match m {
            Mutation::InsertOrganisation(o) => touched.push(("organisations", vec![o.id.to_string()])),
            Mutation::InsertUser(u) => touched.push(("users", vec![u.id.to_string()])),
            Mutation::SetUserDisabled { id, .. } => touched.push(("users", vec![id.to_string()])),
            Mutation::InsertKey { key, .. } => touched.push(("api_keys", vec![key.id.to_string()])),
            Mutation::RevokeKey { at, .. } | Mutation::RevokeUserKeys { at, .. } => {
                let rows = sqlx::query("SELECT id FROM api_keys WHERE revoked_at = $1")
                    .bind(at)
                    .fetch_all(&mut **tx)
                    .await
                    .map_err(db_error)?;
                for r in &rows {
                    touched.push(("api_keys", vec![col::<String>(r, "id")?]));
                }
            }
            Mutation::InsertApplication { application, .. } | Mutation::UpdateApplication { application, .. } => {
                touched.push(("applications", vec![application.id.to_string()]));
            }
            Mutation::InsertCase(c) | Mutation::UpdateCase { case: c, .. } => {
                touched.push(("cases", vec![c.id.to_string()]));
            }
            Mutation::InsertLicence(l) | Mutation::UpdateLicence { licence: l, .. } => {
                touched.push(("licences", vec![l.id.to_string()]));
            }
            Mutation::InsertDenial(d) | Mutation::UpdateDenial { denial: d, .. } | Mutation::PutDenial(d) => {
                touched.push(("denials", vec![d.authority_id.to_string(), d.id.to_string()]));
            }
            _ => {}
        }
    }
    let mut states = std::collections::BTreeMap::new();
    for (table, key) in touched {
        let Some((_, columns)) = ATTESTED.iter().find(|(t, _)| *t == table) else { continue };
        let filter: Vec<String> = columns.iter().enumerate().map(|(i, c)| format!("{c} = ${}", i + 1)).collect();
        let sql = format!("SELECT * FROM {table} WHERE {}", filter.join(" AND "));
        let mut q = sqlx::query(&sql);
        for k in &key {
            q = q.bind(k.clone());
        }
        if let Some(row) = q.fetch_optional(&mut **tx).await.map_err(db_error)? {
            let key: Vec<&str> = key.iter().map(String::as_str).collect();
            states.insert(state_key(table, &key), row_state(&row));
        }
    }
    Ok(states)
}

/// Revokes every key minted, directly or not, with the keys `roots` selects (and those keys), that is not revoked.
async fn revoke_descendants(tx: &mut Tx<'_>, roots: &str, value: &str, at: &str) -> Result<()> {
    let sql = format!(
        "WITH RECURSIVE tree(id) AS ({roots} UNION SELECT k.id FROM api_keys k JOIN tree t ON k.parent_key_id = t.id) \
         UPDATE api_keys SET revoked_at = $2 WHERE id IN (SELECT id FROM tree) AND revoked_at IS NULL"
    );
    sqlx::query(&sql).bind(value).bind(at).execute(&mut **tx).await.map_err(db_error)?;
    Ok(())
}

/// Appends one envelope to the outbox with the next sequence number; returns its audit event.
async fn publish(
    tx: &mut Tx<'_>,
    sender: &str,
    kind: &str,
    payload: &serde_json::Value,
    to: &[String],
    key: &NodeKey,
) -> Result<NewEvent> {
    let head = sqlx::query("UPDATE outbox_head SET seq = seq + 1 WHERE id = 1 RETURNING seq")
        .fetch_one(&mut **tx)
        .await
        .map_err(db_error)?;
    let seq: i64 = col(&head, "seq")?;
    let envelope = Envelope::seal_to(key, sender, seq, &accord_core::now(), kind, payload.clone(), to);
    sqlx::query("INSERT INTO outbox (seq, kind, created_at, envelope) VALUES ($1, $2, $3, $4)")
        .bind(seq)
        .bind(kind)
        .bind(&envelope.created_at)
        .bind(to_data(&envelope)?)
        .execute(&mut **tx)
        .await
        .map_err(db_error)?;
    Ok(NewEvent {
        actor: format!("node:{sender}"),
        authority_id: Some(sender.to_owned()),
        kind: "federation.published".into(),
        subject: format!("outbox:{seq}"),
        payload: serde_json::json!({
            "seq": seq, "kind": kind, "payload_sha256": envelope.payload_sha256, "signature": envelope.signature,
            "to": envelope.to,
        }),
    })
}

fn document_from(row: &AnyRow, with_content: bool) -> Result<DocumentFile> {
    let id: String = col(row, "application_id")?;
    let position: i64 = col(row, "position")?;
    let size: i64 = col(row, "size")?;
    Ok(DocumentFile {
        application_id: ApplicationId::parse(&id).map_err(|e| corrupt("document", e))?,
        position: usize::try_from(position).map_err(|e| corrupt("document", e))?,
        content_type: col(row, "content_type")?,
        sha256: col(row, "sha256")?,
        uploaded_by: col(row, "uploaded_by")?,
        uploaded_at: col(row, "uploaded_at")?,
        content: if with_content { col(row, "content")? } else { Vec::new() },
        size: u64::try_from(size).map_err(|e| corrupt("document", e))?,
    })
}

fn unknown_authority(a: &AuthorityId) -> Error {
    Error::new(ErrorCode::UnknownAuthority, format!("authority '{a}' does not exist"))
        .with_details(serde_json::json!({"field": "authority_id", "id": a.as_str()}))
}

#[async_trait]
impl Store for SqlStore {
    fn backend(&self) -> Backend {
        self.backend
    }

    async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&mut *self.conn().await?).await.map_err(db_error)?;
        Ok(())
    }

    fn pool_stats(&self) -> PoolStats {
        PoolStats { size: self.pool.size(), idle: self.pool.num_idle() as u32, max: self.max_connections }
    }

    async fn close(&self) {
        self.pool.close().await;
    }

    async fn commit(&self, mutations: Vec<Mutation>, events: Vec<NewEvent>) -> Result<Vec<AuditEvent>> {
        // The transaction runs to its end even when the caller goes away (a dropped request or task), so none is left
        // half-open holding locks.
        let store = self.clone();
        tokio::spawn(async move { store.commit_to_end(mutations, events).await })
            .await
            .map_err(|e| Error::internal(format!("the commit task failed: {e}")))?
    }

    async fn authority(&self, id: &AuthorityId) -> Result<Option<Authority>> {
        let row = sqlx::query("SELECT * FROM authorities WHERE id = $1")
            .bind(id.as_str())
            .fetch_optional(&mut *self.conn().await?)
            .await
            .map_err(db_error)?;
        row.as_ref().map(authority_from).transpose()
    }

    async fn authorities(&self) -> Result<Vec<Authority>> {
        let rows = sqlx::query("SELECT * FROM authorities ORDER BY id")
            .fetch_all(&mut *self.conn().await?)
            .await
            .map_err(db_error)?;
        rows.iter().map(authority_from).collect()
    }

    async fn organisation(&self, id: &OrgId) -> Result<Option<Organisation>> {
        let row = sqlx::query("SELECT * FROM organisations WHERE id = $1")
            .bind(id.as_str())
            .fetch_optional(&mut *self.conn().await?)
            .await
            .map_err(db_error)?;
        row.as_ref().map(organisation_from).transpose()
    }

    async fn organisations(&self, authority: Option<&AuthorityId>) -> Result<Vec<Organisation>> {
        let rows = match authority {
            Some(a) => {
                sqlx::query("SELECT * FROM organisations WHERE authority_id = $1 ORDER BY id")
                    .bind(a.as_str())
                    .fetch_all(&mut *self.conn().await?)
                    .await
            }
            None => sqlx::query("SELECT * FROM organisations ORDER BY id").fetch_all(&mut *self.conn().await?).await,
        }
        .map_err(db_error)?;
        rows.iter().map(organisation_from).collect()
    }

    async fn user(&self, id: &UserId) -> Result<Option<User>> {
        let row = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"))
            .bind(id.as_str())
            .fetch_optional(&mut *self.conn().await?)
            .await
            .map_err(db_error)?;
        row.as_ref().map(|r| user_from(r, "")).transpose()
    }

    async fn users(&self, scope: &UserScope) -> Result<Vec<User>> {
        let rows = match scope {
            UserScope::All => {
                sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users ORDER BY id"))
                    .fetch_all(&mut *self.conn().await?)
                    .await
            }
            UserScope::Authority(a) => {
                sqlx::query(&format!(
                    "SELECT {USER_COLUMNS} FROM users WHERE authority_id = $1 \
                 OR organisation_id IN (SELECT id FROM organisations WHERE authority_id = $1) ORDER BY id"
                ))
                .bind(a.as_str())
                .fetch_all(&mut *self.conn().await?)
                .await
            }
            UserScope::Organisation(o) => {
                sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users WHERE organisation_id = $1 ORDER BY id"))
                    .bind(o.as_str())
                    .fetch_all(&mut *self.conn().await?)
                    .await
            }
        }
        .map_err(db_error)?;
        rows.iter().map(|r| user_from(r, "")).collect()
    }

    async fn key(&self, id: &KeyId) -> Result<Option<KeyRecord>> {
        let row = sqlx::query(
            "SELECT k.id, k.user_id, k.label, k.created_at, k.expires_at, k.revoked_at, k.last_used_at, k.secret_hash, \
             k.parent_key_id, \
             u.id AS owner_id, u.name AS owner_name, u.email AS owner_email, u.role AS owner_role, \
             u.authority_id AS owner_authority_id, u.organisation_id AS owner_organisation_id, \
             u.disabled AS owner_disabled, u.created_at AS owner_created_at \
             FROM api_keys k JOIN users u ON u.id = k.user_id WHERE k.id = $1",
        )
        .bind(id.as_str())
        .fetch_optional(&mut *self.conn().await?)
        .await
        .map_err(db_error)?;
        row.map(|r| {
            Ok(KeyRecord { key: key_from(&r)?, secret_hash: col(&r, "secret_hash")?, owner: user_from(&r, "owner_")? })
        })
        .transpose()
    }

    async fn keys_of(&self, user: &UserId) -> Result<Vec<ApiKeyInfo>> {
        let rows = sqlx::query(&format!("SELECT {KEY_COLUMNS} FROM api_keys WHERE user_id = $1 ORDER BY id"))
            .bind(user.as_str())
            .fetch_all(&mut *self.conn().await?)
            .await
            .map_err(db_error)?;
        rows.iter().map(key_from).collect()
    }

    async fn touch_key(&self, id: &KeyId, at: &str) -> Result<()> {
        sqlx::query("UPDATE api_keys SET last_used_at = $1 WHERE id = $2")
            .bind(at)
            .bind(id.as_str())
            .execute(&mut *self.conn().await?)
            .await
            .map_err(db_error)?;
        Ok(())
    }

    async fn lists(&self) -> Result<Vec<ListVersion>> {
        let rows = sqlx::query(&format!(
            "SELECT {LIST_VERSION_COLUMNS} FROM list_versions v WHERE version = \
             (SELECT MAX(version) FROM list_versions w WHERE w.list_id = v.list_id) ORDER BY list_id"
        ))
        .fetch_all(&mut *self.conn().await?)
        .await
        .map_err(db_error)?;
        rows.iter().map(list_version_from).collect()
    }

    async fn list_versions(&self, list_id: &str) -> Result<Vec<ListVersion>> {
        let rows = sqlx::query(&format!(
            "SELECT {LIST_VERSION_COLUMNS} FROM list_versions WHERE list_id = $1 ORDER BY version"
        ))
        .bind(list_id)
        .fetch_all(&mut *self.conn().await?)
        .await
        .map_err(db_error)?;
        rows.iter().map(list_version_from).collect()
    }

    async fn list_entities(&self, list_id: Option<&str>) -> Result<Vec<(ListedEntity, i64)>> {
        let mut conn = self.conn().await?;
        let rows = match list_id {
            Some(l) => {
                sqlx::query("SELECT data, version FROM list_entities WHERE list_id = $1 ORDER BY entity_id")
                    .bind(l)
                    .fetch_all(&mut *conn)
                    .await
            }
            None => {
                sqlx::query("SELECT data, version FROM list_entities ORDER BY list_id, entity_id")
                    .fetch_all(&mut *conn)
                    .await
            }
        }
        .map_err(db_error)?;
        rows.iter()
            .map(|r| {
                let data: String = col(r, "data")?;
                let entity: ListedEntity = serde_json::from_str(&data).map_err(|e| corrupt("list entity", e))?;
                Ok((entity, col(r, "version")?))
            })
            .collect()
    }

    async fn list_changes(&self, list_id: &str, version: i64) -> Result<Vec<EntityChange>> {
        let rows = sqlx::query(
            "SELECT entity_id, change, fields, name FROM list_changes WHERE list_id = $1 AND version = $2 \
             ORDER BY change, entity_id",
        )
        .bind(list_id)
        .bind(version)
        .fetch_all(&mut *self.conn().await?)
        .await
        .map_err(db_error)?;
        rows.iter().map(change_from).collect()
    }

    async fn versions(&self, kind: VersionKind) -> Result<Vec<ControlVersion>> {
        let sql = format!(
            "SELECT seq, label, effective_date, rationale, content_hash, source, imported_at, entries FROM {} \
             ORDER BY seq",
            kind.table()
        );
        let rows = sqlx::query(&sql).fetch_all(&mut *self.conn().await?).await.map_err(db_error)?;
        rows.iter()
            .map(|r| {
                let text = |c: &str| col::<String>(r, c);
                Ok(ControlVersion {
                    seq: col(r, "seq")?,
                    label: text("label")?,
                    effective_date: text("effective_date")?,
                    rationale: text("rationale")?,
                    content_hash: text("content_hash")?,
                    source: text("source")?,
                    imported_at: text("imported_at")?,
                    entries: col(r, "entries")?,
                })
            })
            .collect()
    }

    async fn version_data(&self, kind: VersionKind, seq: i64) -> Result<Option<String>> {
        sqlx::query_scalar(&format!("SELECT data FROM {} WHERE seq = $1", kind.table()))
            .bind(seq)
            .fetch_optional(&mut *self.conn().await?)
            .await
            .map_err(db_error)
    }

    async fn record_sync(&self, s: &SyncState) -> Result<()> {
        let validators = serde_json::to_string(&s.validators).map_err(|e| Error::internal(e.to_string()))?;
        sqlx::query(
            "INSERT INTO list_sync (list_id, source, validators, checked_at, outcome, message) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (list_id) DO UPDATE SET source = excluded.source, \
             validators = excluded.validators, checked_at = excluded.checked_at, outcome = excluded.outcome, \
             message = excluded.message",
        )
        .bind(&s.list_id)
        .bind(&s.source)
        .bind(validators)
        .bind(&s.checked_at)
        .bind(&s.outcome)
        .bind(&s.message)
        .execute(&mut *self.conn().await?)
        .await
        .map_err(db_error)?;
        Ok(())
    }

    async fn sync_states(&self) -> Result<Vec<SyncState>> {
        let rows = sqlx::query("SELECT * FROM list_sync ORDER BY list_id")
            .fetch_all(&mut *self.conn().await?)
            .await
            .map_err(db_error)?;
        rows.iter()
            .map(|r| {
                let text = |c: &str| col::<String>(r, c);
                let validators = text("validators")?;
                Ok(SyncState {
                    list_id: text("list_id")?,
                    source: text("source")?,
                    validators: serde_json::from_str(&validators).map_err(|e| corrupt("sync validators", e))?,
                    checked_at: text("checked_at")?,
                    outcome: text("outcome")?,
                    message: text("message")?,
                })
            })
            .collect()
    }

    async fn application(&self, id: &ApplicationId) -> Result<Option<Application>> {
        Ok(self.records("SELECT data FROM applications WHERE id = $1", &[id.as_str()]).await?.pop())
    }

    async fn application_by_key(&self, org: &OrgId, key: &str) -> Result<Option<Application>> {
        Ok(self
            .records(
                "SELECT data FROM applications WHERE organisation_id = $1 AND idempotency_key = $2",
                &[org.as_str(), key],
            )
            .await?
            .pop())
    }

    async fn applications(&self, scope: &UserScope) -> Result<Vec<Application>> {
        let (filter, value) = scope_clause(scope);
        self.records(
            &format!("SELECT data FROM applications {filter} ORDER BY created_at DESC, id DESC"),
            value.as_deref().as_slice(),
        )
        .await
    }

    async fn known_consignee(&self, org: &OrgId, names: &[String]) -> Result<bool> {
        for name in names {
            let found = sqlx::query("SELECT 1 FROM application_consignees WHERE organisation_id = $1 AND name = $2")
                .bind(org.as_str())
                .bind(name)
                .fetch_optional(&mut *self.conn().await?)
                .await
                .map_err(db_error)?;
            if found.is_some() {
                return Ok(true);
            }
        }
        Ok(false)
    }

    async fn has_case_for(&self, application: &ApplicationId, authority: &AuthorityId) -> Result<bool> {
        let found = sqlx::query("SELECT 1 FROM cases WHERE application_id = $1 AND authority_id = $2")
            .bind(application.as_str())
            .bind(authority.as_str())
            .fetch_optional(&mut *self.conn().await?)
            .await
            .map_err(db_error)?;
        Ok(found.is_some())
    }

    async fn case(&self, id: &CaseId) -> Result<Option<Case>> {
        Ok(self.records("SELECT data FROM cases WHERE id = $1", &[id.as_str()]).await?.pop())
    }

    async fn cases(&self, scope: &UserScope) -> Result<Vec<Case>> {
        let (filter, value) = scope_clause(scope);
        self.records(
            &format!("SELECT data FROM cases {filter} ORDER BY risk_score DESC, due_date, id"),
            value.as_deref().as_slice(),
        )
        .await
    }

    async fn profile(&self, org: &OrgId) -> Result<Option<ComplianceProfile>> {
        Ok(self
            .records("SELECT data FROM compliance_profiles WHERE organisation_id = $1", &[org.as_str()])
            .await?
            .pop())
    }

    async fn fast_track(&self, authority: &AuthorityId) -> Result<Option<FastTrackSettings>> {
        Ok(self
            .records("SELECT data FROM fast_track_settings WHERE authority_id = $1", &[authority.as_str()])
            .await?
            .pop())
    }

    async fn licence(&self, id: &LicenceId) -> Result<Option<Licence>> {
        Ok(self.records("SELECT data FROM licences WHERE id = $1", &[id.as_str()]).await?.pop())
    }

    async fn licences(&self, scope: &UserScope) -> Result<Vec<Licence>> {
        let (filter, value) = scope_clause(scope);
        self.records(&format!("SELECT data FROM licences {filter} ORDER BY id DESC"), value.as_deref().as_slice()).await
    }

    async fn shipments(&self, licence: &LicenceId) -> Result<Vec<Shipment>> {
        self.records("SELECT data FROM shipments WHERE licence_id = $1 ORDER BY reported_at, id", &[licence.as_str()])
            .await
    }

    async fn adjudications(&self, authority_id: &str, subject: &str) -> Result<Vec<Adjudication>> {
        let rows =
            sqlx::query("SELECT * FROM adjudications WHERE authority_id = $1 AND subject = $2 ORDER BY created_at, id")
                .bind(authority_id)
                .bind(subject)
                .fetch_all(&mut *self.conn().await?)
                .await
                .map_err(db_error)?;
        rows.iter().map(adjudication_from).collect()
    }

    async fn denial(&self, authority: &AuthorityId, id: &DenialId) -> Result<Option<Denial>> {
        let sql = "SELECT data FROM denials WHERE authority_id = $1 AND id = $2";
        Ok(self.records(sql, &[authority.as_str(), id.as_str()]).await?.pop())
    }

    async fn denials_with_id(&self, id: &DenialId) -> Result<Vec<Denial>> {
        self.records("SELECT data FROM denials WHERE id = $1 ORDER BY authority_id", &[id.as_str()]).await
    }

    async fn denials(&self) -> Result<Vec<Denial>> {
        self.records("SELECT data FROM denials ORDER BY id DESC", &[]).await
    }

    async fn active_denials_to(&self, destination: &str) -> Result<Vec<Denial>> {
        let d = destination.to_ascii_uppercase();
        self.records("SELECT data FROM denials WHERE destination = $1 AND status = 'active' ORDER BY id", &[&d]).await
    }

    async fn documents(&self, application: &ApplicationId) -> Result<Vec<DocumentFile>> {
        let rows = sqlx::query(
            "SELECT application_id, position, content_type, size, sha256, uploaded_by, uploaded_at FROM documents \
             WHERE application_id = $1 ORDER BY position",
        )
        .bind(application.as_str())
        .fetch_all(&mut *self.conn().await?)
        .await
        .map_err(db_error)?;
        rows.iter().map(|r| document_from(r, false)).collect()
    }

    async fn organisation_document_bytes(&self, organisation: &OrgId) -> Result<u64> {
        let row = sqlx::query(
            "SELECT CAST(COALESCE(SUM(d.size), 0) AS BIGINT) AS bytes FROM documents d \
             JOIN applications a ON a.id = d.application_id WHERE a.organisation_id = $1",
        )
        .bind(organisation.as_str())
        .fetch_one(&mut *self.conn().await?)
        .await
        .map_err(db_error)?;
        let bytes: i64 = col(&row, "bytes")?;
        Ok(u64::try_from(bytes).unwrap_or(0))
    }

    async fn document(&self, application: &ApplicationId, position: usize) -> Result<Option<DocumentFile>> {
        let row = sqlx::query("SELECT * FROM documents WHERE application_id = $1 AND position = $2")
            .bind(application.as_str())
            .bind(position as i64)
            .fetch_optional(&mut *self.conn().await?)
            .await
            .map_err(db_error)?;
        row.map(|r| document_from(&r, true)).transpose()
    }

    async fn identity(&self) -> Result<Option<Identity>> {
        let row = sqlx::query("SELECT authority_id, public_key, created_at FROM federation_identity WHERE id = 1")
            .fetch_optional(&mut *self.conn().await?)
            .await
            .map_err(db_error)?;
        row.map(|r| {
            Ok(Identity {
                authority_id: col(&r, "authority_id")?,
                public_key: col(&r, "public_key")?,
                created_at: col(&r, "created_at")?,
            })
        })
        .transpose()
    }

    async fn peers(&self) -> Result<Vec<Peer>> {
        let rows = sqlx::query("SELECT * FROM peers ORDER BY authority_id")
            .fetch_all(&mut *self.conn().await?)
            .await
            .map_err(db_error)?;
        rows.iter()
            .map(|r| {
                Ok(Peer {
                    authority_id: col(r, "authority_id")?,
                    url: col(r, "url")?,
                    public_key: col(r, "public_key")?,
                    added_at: col(r, "added_at")?,
                    last_seq: col(r, "last_seq")?,
                    head_seq: col(r, "head_seq")?,
                    last_attempt_at: col(r, "last_attempt_at")?,
                    last_success_at: col(r, "last_success_at")?,
                    last_error: col(r, "last_error")?,
                })
            })
            .collect()
    }

    async fn record_pull(&self, peer: &str, at: &str, error: Option<&str>, head: Option<i64>) -> Result<()> {
        let sql = match error {
            None => {
                "UPDATE peers SET last_attempt_at = $1, last_success_at = $1, last_error = NULL, \
                 head_seq = COALESCE($2, head_seq) WHERE authority_id = $3"
            }
            Some(_) => {
                "UPDATE peers SET last_attempt_at = $1, last_error = $4, head_seq = COALESCE($2, head_seq) \
                 WHERE authority_id = $3"
            }
        };
        let mut q = sqlx::query(sql).bind(at).bind(head).bind(peer);
        if let Some(e) = error {
            q = q.bind(e);
        }
        q.execute(&mut *self.conn().await?).await.map_err(db_error)?;
        Ok(())
    }

    async fn remember_nonce(&self, peer: &str, nonce: &str, at: &str, forget_before: &str) -> Result<bool> {
        let mut conn = self.conn().await?;
        sqlx::query("DELETE FROM peer_nonces WHERE seen_at < $1")
            .bind(forget_before)
            .execute(&mut *conn)
            .await
            .map_err(db_error)?;
        match sqlx::query("INSERT INTO peer_nonces (authority_id, nonce, seen_at) VALUES ($1, $2, $3)")
            .bind(peer)
            .bind(nonce)
            .bind(at)
            .execute(&mut *conn)
            .await
        {
            Ok(_) => Ok(true),
            Err(e) if is_unique_violation(&e) => Ok(false),
            Err(e) => Err(db_error(e)),
        }
    }

    async fn outbox(&self, after: i64, limit: i64) -> Result<Vec<Envelope>> {
        let rows = sqlx::query("SELECT envelope FROM outbox WHERE seq > $1 ORDER BY seq LIMIT $2")
            .bind(after)
            .bind(limit.clamp(1, 10_000))
            .fetch_all(&mut *self.conn().await?)
            .await
            .map_err(db_error)?;
        rows.iter()
            .map(|r| {
                let text: String = col(r, "envelope")?;
                serde_json::from_str(&text).map_err(|e| corrupt("envelope", e))
            })
            .collect()
    }

    async fn outbox_head(&self) -> Result<i64> {
        let row = sqlx::query("SELECT seq FROM outbox_head WHERE id = 1")
            .fetch_one(&mut *self.conn().await?)
            .await
            .map_err(db_error)?;
        col(&row, "seq")
    }

    async fn inbox_counts(&self) -> Result<Vec<(String, i64)>> {
        let rows = sqlx::query("SELECT sender, COUNT(*) AS n FROM inbox GROUP BY sender ORDER BY sender")
            .fetch_all(&mut *self.conn().await?)
            .await
            .map_err(db_error)?;
        rows.iter().map(|r| Ok((col(r, "sender")?, col(r, "n")?))).collect()
    }

    async fn rejections(&self, limit: i64, quarantined_only: bool) -> Result<Vec<RejectionRecord>> {
        let sql = if quarantined_only {
            "SELECT * FROM federation_rejections WHERE quarantined = 1 ORDER BY received_at DESC, id LIMIT $1"
        } else {
            "SELECT * FROM federation_rejections ORDER BY received_at DESC, id LIMIT $1"
        };
        let rows =
            sqlx::query(sql).bind(limit.clamp(1, 1000)).fetch_all(&mut *self.conn().await?).await.map_err(db_error)?;
        rows.iter()
            .map(|r| {
                let reason: String = col(r, "reason")?;
                let reason: accord_core::federation::Rejection =
                    serde_json::from_value(serde_json::Value::String(reason)).map_err(|e| corrupt("rejection", e))?;
                let envelope: String = col(r, "envelope")?;
                Ok(RejectionRecord {
                    id: col(r, "id")?,
                    sender: col(r, "sender")?,
                    seq: col(r, "seq")?,
                    reason,
                    quarantined: col::<i64>(r, "quarantined")? != 0,
                    message: col(r, "message")?,
                    received_at: col(r, "received_at")?,
                    envelope: serde_json::from_str(&envelope).map_err(|e| corrupt("rejection", e))?,
                })
            })
            .collect()
    }

    async fn shared(&self, kind: &str) -> Result<Vec<serde_json::Value>> {
        self.records("SELECT data FROM shared_records WHERE kind = $1 ORDER BY id", &[kind]).await
    }

    async fn shared_record(&self, kind: &str, authority: &str, id: &str) -> Result<Option<serde_json::Value>> {
        let sql = "SELECT data FROM shared_records WHERE kind = $1 AND authority_id = $2 AND id = $3";
        Ok(self.records(sql, &[kind, authority, id]).await?.pop())
    }

    async fn shared_with_id(&self, kind: &str, id: &str) -> Result<Vec<serde_json::Value>> {
        let sql = "SELECT data FROM shared_records WHERE kind = $1 AND id = $2 ORDER BY authority_id";
        self.records(sql, &[kind, id]).await
    }

    async fn events(&self, q: &EventQuery) -> Result<Vec<AuditEvent>> {
        let limit = q.limit.clamp(1, 1000);
        let rows = match &q.authority_id {
            Some(a) => sqlx::query(&format!(
                "SELECT {EVENT_COLUMNS} FROM audit_events WHERE authority_id = $1 AND seq > $2 ORDER BY seq LIMIT $3"
            ))
            .bind(a.clone())
            .bind(q.after_seq)
            .bind(limit)
            .fetch_all(&mut *self.conn().await?)
            .await,
            None => {
                sqlx::query(&format!("SELECT {EVENT_COLUMNS} FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2"))
                    .bind(q.after_seq)
                    .bind(limit)
                    .fetch_all(&mut *self.conn().await?)
                    .await
            }
        }
        .map_err(db_error)?;
        rows.iter().map(event_from).collect()
    }

    async fn verify_states(&self) -> Result<accord_core::audit::StateReport> {
        use std::collections::BTreeMap;
        let mut attested: BTreeMap<String, (i64, String)> = BTreeMap::new();
        let rows = sqlx::query("SELECT seq, states FROM audit_events WHERE states IS NOT NULL ORDER BY seq")
            .fetch_all(&mut *self.conn().await?)
            .await
            .map_err(db_error)?;
        for r in &rows {
            let seq: i64 = col(r, "seq")?;
            let text: String = col(r, "states")?;
            let map: BTreeMap<String, String> = serde_json::from_str(&text).unwrap_or_default();
            for (k, v) in map {
                attested.insert(k, (seq, v));
            }
        }
        let mut report = accord_core::audit::StateReport::default();
        for (table, columns) in ATTESTED {
            let all = sqlx::query(&format!("SELECT * FROM {table}"))
                .fetch_all(&mut *self.conn().await?)
                .await
                .map_err(db_error)?;
            for row in &all {
                let key: Vec<String> = columns.iter().map(|c| col::<String>(row, c)).collect::<Result<_>>()?;
                let key: Vec<&str> = key.iter().map(String::as_str).collect();
                let name = state_key(table, &key);
                report.records += 1;
                match attested.get(&name) {
                    None => report.unattested.push(name),
                    Some((seq, hash)) if *hash != row_state(row) => report
                        .edited
                        .push(format!("{name} differs from the state event {seq} attests: edited without an event")),
                    Some(_) => {}
                }
            }
        }
        Ok(report)
    }

    async fn audit_head(&self) -> Result<(i64, String)> {
        let row = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_one(&mut *self.conn().await?)
            .await
            .map_err(db_error)?;
        Ok((col(&row, "seq")?, col(&row, "hash")?))
    }

    async fn event_hash(&self, seq: i64) -> Result<Option<String>> {
        let row = sqlx::query("SELECT hash FROM audit_events WHERE seq = $1")
            .bind(seq)
            .fetch_optional(&mut *self.conn().await?)
            .await
            .map_err(db_error)?;
        row.map(|r| col(&r, "hash")).transpose()
    }

    async fn last_checkpoint_seq(&self) -> Result<i64> {
        let row = sqlx::query("SELECT CAST(COALESCE(MAX(seq), 0) AS BIGINT) AS seq FROM audit_checkpoints")
            .fetch_one(&mut *self.conn().await?)
            .await
            .map_err(db_error)?;
        col(&row, "seq")
    }

    async fn checkpoints(&self) -> Result<Vec<accord_core::audit::Checkpoint>> {
        let rows =
            sqlx::query("SELECT seq, authority_id, head_hash, at, signature FROM audit_checkpoints ORDER BY seq")
                .fetch_all(&mut *self.conn().await?)
                .await
                .map_err(db_error)?;
        rows.iter()
            .map(|r| {
                Ok(accord_core::audit::Checkpoint {
                    authority_id: col(r, "authority_id")?,
                    seq: col(r, "seq")?,
                    head_hash: col(r, "head_hash")?,
                    at: col(r, "at")?,
                    signature: col(r, "signature")?,
                })
            })
            .collect()
    }

    async fn verify_chain(&self) -> Result<ChainReport> {
        // One snapshot for the head and the events, so concurrent commits cannot look like tampering.
        let mut tx = self.pool.begin().await.map_err(unavailable)?;
        if self.backend == Backend::Postgres {
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
        }
        let head =
            sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1").fetch_one(&mut *tx).await.map_err(db_error)?;
        let head_seq: i64 = col(&head, "seq")?;
        let head_hash: String = col(&head, "hash")?;
        let mut verifier = ChainVerifier::default();
        let mut after = i64::MIN;
        loop {
            let rows = sqlx::query(&format!(
                "SELECT {EVENT_COLUMNS} FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT 1000"
            ))
            .bind(after)
            .fetch_all(&mut *tx)
            .await
            .map_err(db_error)?;
            let Some(last) = rows.last() else { break };
            after = col(last, "seq")?;
            for row in &rows {
                verifier.push(&event_from(row)?);
            }
        }
        tx.rollback().await.map_err(db_error)?;
        Ok(verifier.finish(head_seq, &head_hash))
    }
}
