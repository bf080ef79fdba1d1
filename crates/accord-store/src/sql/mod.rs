//! [`SqlStore`]: the [`Store`] on SQLite or PostgreSQL through one set of portable SQL.

use crate::migrate::{self, Migration};
use crate::url::{Backend, DbUrl};
use crate::{
    AuditStore, CaseStore, DirectoryStore, DocumentFile, EventQuery, FederationStore, KeyRecord, LicenceStore,
    ListStore, Mutation, NewEvent, PoolStats, Store, UserScope,
};
use accord_core::Timestamp;
use accord_core::audit::{AuditEvent, ChainReport, ChainVerifier, EventKind, event_hash};
use accord_core::cases::{Application, Case, ComplianceProfile, FastTrackSettings};
use accord_core::controls::{ControlVersion, VersionKind};
use accord_core::denials::Denial;
use accord_core::federation::{Envelope, Identity, NodeKey, Peer, RejectionRecord};
use accord_core::ids::{ApplicationId, AuthorityId, CaseId, DenialId, EventId, KeyId, LicenceId, OrgId, UserId};
use accord_core::licences::{Licence, Shipment};
use accord_core::listed::{
    Adjudication, ChangeKind, EntityChange, ListVersion, ListedEntity, SyncOutcome, SyncState, Verdict,
};
use accord_core::model::{ApiKeyInfo, Authority, Organisation, Role, SizeClass, User};
use accord_core::{Error, ErrorCode, Result};
use async_trait::async_trait;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Row};
use std::str::FromStr;
use std::time::Duration;

mod accounts;
mod audit;
mod cases;
mod declarations;
mod directory;
mod federation;
mod licences;
mod lists;

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

/// Reads a stored instant; a value that is not one is reported as corrupt.
fn stamp(row: &AnyRow, name: &str) -> Result<Timestamp> {
    let text: String = col(row, name)?;
    text.parse().map_err(|e| Error::internal(format!("stored {name} is corrupt: {e}")))
}

/// Reads a stored instant that may be absent.
fn stamp_opt(row: &AnyRow, name: &str) -> Result<Option<Timestamp>> {
    col::<Option<String>>(row, name)?
        .map(|text| text.parse().map_err(|e| Error::internal(format!("stored {name} is corrupt: {e}"))))
        .transpose()
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

fn event_from(row: &AnyRow) -> Result<AuditEvent> {
    let payload: String = col(row, "payload")?;
    Ok(AuditEvent {
        seq: col(row, "seq")?,
        id: col(row, "id")?,
        at: stamp(row, "at")?,
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
                    generated.push(federation::publish(&mut tx, sender, kind, payload, to, key).await?);
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
        let mut states = audit::record_states(&mut tx, &mutations).await?;
        let count = events.len() + generated.len();
        for (i, e) in events.into_iter().chain(generated).enumerate() {
            seq += 1;
            let mut event = AuditEvent {
                seq,
                id: EventId::generate().to_string(),
                at: accord_core::now(),
                actor: e.actor,
                authority_id: e.authority_id,
                kind: e.kind.as_str().to_owned(),
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
            .bind(event.at.to_string())
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

/// Inserts rows in batches of multi-row `VALUES`, so large lists take few round trips.
async fn insert_rows(tx: &mut Tx<'_>, table: &str, columns: &[&str], rows: Vec<Vec<Value>>) -> Result<()> {
    insert_rows_with(tx, table, columns, rows, "").await.map(|_| ())
}

/// Like [`insert_rows`], each statement ending with `suffix` (an `ON CONFLICT` clause); returns the rows inserted.
async fn insert_rows_with(
    tx: &mut Tx<'_>,
    table: &str,
    columns: &[&str],
    rows: Vec<Vec<Value>>,
    suffix: &str,
) -> Result<u64> {
    // SQLite binds a statement's parameters in time that grows faster than their number, so it takes small
    // statements; PostgreSQL takes up to 1,000 rows (its limit is 65,535 parameters).
    let budget = if tx.backend_name() == "SQLite" { SQLITE_PARAMS } else { 30_000 };
    let per_statement = (budget / columns.len().max(1)).clamp(1, 1000);
    let mut inserted = 0;
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<Vec<Value>> = rows.by_ref().take(per_statement).collect();
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
        if !suffix.is_empty() {
            sql.push(' ');
            sql.push_str(suffix);
        }
        let mut q = sqlx::query(&sql);
        for row in chunk {
            for v in row {
                q = match v {
                    Value::Text(s) => q.bind(s),
                    Value::MaybeText(s) => q.bind(s),
                    Value::Int(i) => q.bind(i),
                    Value::Real(f) => q.bind(f),
                };
            }
        }
        inserted += q.execute(&mut **tx).await.map_err(db_error)?.rows_affected();
    }
    Ok(inserted)
}

/// The parameters of one batched insert on SQLite.
const SQLITE_PARAMS: usize = 280;

/// A value bound into a batched insert.
enum Value {
    Text(String),
    MaybeText(Option<String>),
    Int(i64),
    Real(f64),
}

/// Applies one mutation in the area it belongs to.
async fn apply(tx: &mut Tx<'_>, m: &Mutation) -> Result<()> {
    if matches!(m, Mutation::Publish { .. }) {
        return Err(Error::internal("a publication is applied by the commit"));
    }
    let applied = directory::apply(tx, m).await?
        || accounts::apply(tx, m).await?
        || lists::apply(tx, m).await?
        || cases::apply(tx, m).await?
        || licences::apply(tx, m).await?
        || federation::apply(tx, m).await?
        || declarations::apply(tx, m).await?
        || audit::apply(tx, m).await?;
    if applied { Ok(()) } else { Err(Error::internal(format!("no area of the store applies {m:?}"))) }
}

/// Maps a unique-index violation to `duplicate` (what already exists, in the caller's words), and any other
/// failure as every database error is mapped.
fn unique_or(duplicate: impl FnOnce() -> Error) -> impl FnOnce(sqlx::Error) -> Error {
    move |e| if is_unique_violation(&e) { duplicate() } else { db_error(e) }
}

/// Checks that a guarded update (`… WHERE version = $n`, `… AND status = $n`) changed a row; else the record moved
/// on meanwhile and `changed` says how.
fn updated(done: &sqlx::any::AnyQueryResult, changed: impl FnOnce() -> Error) -> Result<()> {
    if done.rows_affected() == 0 { Err(changed()) } else { Ok(()) }
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
}
