//! The SQL store: restricted-party list versions and their entities, control-list and policy versions, syncs and adjudications.

use super::*;

fn list_version_from(row: &AnyRow) -> Result<ListVersion> {
    let int = |c: &str| col::<i64>(row, c);
    let text = |c: &str| col::<String>(row, c);
    Ok(ListVersion {
        list_id: text("list_id")?,
        version: int("version")?,
        format: text("format")?,
        content_hash: text("content_hash")?,
        source: text("source")?,
        imported_at: stamp(row, "imported_at")?,
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
        created_at: stamp(row, "created_at")?,
    })
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
    .bind(version.imported_at.to_string())
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

/// Applies a mutation of this area; `false` when it belongs to another.
pub(super) async fn apply(tx: &mut Tx<'_>, m: &Mutation) -> Result<bool> {
    match m {
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
                .bind(v.effective_date.to_string())
                .bind(&v.rationale)
                .bind(&v.content_hash)
                .bind(&v.source)
                .bind(v.imported_at.to_string())
                .bind(v.entries)
                .bind(data)
                .execute(&mut **tx)
                .await
                .map_err(unique_or(|| {
                    Error::new(
                        ErrorCode::Conflict,
                        format!("another {} version was stored meanwhile; import again", kind.noun()),
                    )
                }))?;
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
            .bind(a.created_at.to_string())
            .execute(&mut **tx)
            .await
            .map_err(db_error)?;
        }
        _ => return Ok(false),
    }
    Ok(true)
}

#[async_trait]
impl ListStore for SqlStore {
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
                    effective_date: text("effective_date")?.parse().map_err(|e| corrupt("effective_date", e))?,
                    rationale: text("rationale")?,
                    content_hash: text("content_hash")?,
                    source: text("source")?,
                    imported_at: stamp(r, "imported_at")?,
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
        .bind(s.checked_at.to_string())
        .bind(s.outcome.as_str())
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
                    checked_at: stamp(r, "checked_at")?,
                    outcome: {
                        let o = text("outcome")?;
                        SyncOutcome::parse(&o).ok_or_else(|| corrupt("sync outcome", &o))?
                    },
                    message: text("message")?,
                })
            })
            .collect()
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
}
