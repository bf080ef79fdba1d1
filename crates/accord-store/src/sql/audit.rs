//! The SQL store: the audit trail: events, the chain and record states, checkpoints.

use super::*;

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
pub(super) async fn record_states(
    tx: &mut Tx<'_>,
    mutations: &[Mutation],
) -> Result<std::collections::BTreeMap<String, String>> {
    let mut touched: Vec<(&str, Vec<String>)> = Vec::new();
    for m in mutations {
        match m {
            Mutation::InsertOrganisation(o) => touched.push(("organisations", vec![o.id.to_string()])),
            Mutation::InsertUser(u) => touched.push(("users", vec![u.id.to_string()])),
            Mutation::SetUserDisabled { id, .. } => touched.push(("users", vec![id.to_string()])),
            Mutation::InsertKey { key, .. } => touched.push(("api_keys", vec![key.id.to_string()])),
            Mutation::RevokeKey { at, .. } | Mutation::RevokeUserKeys { at, .. } => {
                let rows = sqlx::query("SELECT id FROM api_keys WHERE revoked_at = $1")
                    .bind(at.to_string())
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

/// Applies a mutation of this area; `false` when it belongs to another.
pub(super) async fn apply(tx: &mut Tx<'_>, m: &Mutation) -> Result<bool> {
    match m {
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
            .map_err(unique_or(|| Error::new(ErrorCode::AlreadyExists, format!("a checkpoint at sequence {} exists", c.seq))))?;
        }
        _ => return Ok(false),
    }
    Ok(true)
}

#[async_trait]
impl AuditStore for SqlStore {
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

    async fn events_about(&self, subjects: &[&str], limit: i64) -> Result<Vec<AuditEvent>> {
        let mut events = Vec::new();
        for subject in subjects {
            let rows = sqlx::query(&format!(
                "SELECT {EVENT_COLUMNS} FROM audit_events WHERE subject = $1 ORDER BY seq DESC LIMIT $2"
            ))
            .bind(*subject)
            .bind(limit.clamp(1, 1000))
            .fetch_all(&mut *self.conn().await?)
            .await
            .map_err(db_error)?;
            for row in &rows {
                events.push(event_from(row)?);
            }
        }
        events.sort_by_key(|e| e.seq);
        let excess = events.len().saturating_sub(usize::try_from(limit.clamp(1, 1000)).unwrap_or(1000));
        events.drain(..excess);
        Ok(events)
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
}
