//! The SQL store: applications, their documents, cases, compliance profiles and fast-track settings.

use super::*;

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
        uploaded_at: stamp(row, "uploaded_at")?,
        content: if with_content { col(row, "content")? } else { Vec::new() },
        size: u64::try_from(size).map_err(|e| corrupt("document", e))?,
    })
}

/// Applies a mutation of this area; `false` when it belongs to another.
pub(super) async fn apply(tx: &mut Tx<'_>, m: &Mutation) -> Result<bool> {
    match m {
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
            .bind(a.created_at.to_string())
            .bind(to_data(a)?)
            .execute(&mut **tx)
            .await
            .map_err(unique_or(|| Error::new(ErrorCode::AlreadyExists, "an application with this idempotency key already exists")))?;
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
            updated(&done, || {
                Error::new(
                    ErrorCode::Conflict,
                    format!("application '{}' is no longer {}; read it again", a.id, from.as_str()),
                )
            })?;
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
            .bind(c.due_date.to_string())
            .bind(c.version)
            .bind(to_data(c)?)
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
            .bind(c.due_date.to_string())
            .bind(c.version)
            .bind(to_data(c)?)
            .bind(c.id.as_str())
            .bind(*expected_version)
            .execute(&mut **tx)
            .await
            .map_err(db_error)?;
            updated(&done, || {
                Error::new(
                    ErrorCode::CaseChanged,
                    format!("case '{}' changed since version {expected_version}; read it again", c.id),
                )
                .with_details(serde_json::json!({ "case_id": c.id, "expected_version": expected_version }))
            })?;
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
            .bind(f.uploaded_at.to_string())
            .bind(f.content.clone())
            .execute(&mut **tx)
            .await
            .map_err(unique_or(|| Error::new(
                        ErrorCode::AlreadyExists,
                        format!("document {} of application '{}' is already uploaded", f.position, f.application_id),
                    )))?;
        }
        _ => return Ok(false),
    }
    Ok(true)
}

#[async_trait]
impl CaseStore for SqlStore {
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

    async fn cases_page(&self, scope: &UserScope, offset: u64, limit: u64) -> Result<(Vec<Case>, u64)> {
        let (filter, value) = scope_clause(scope);
        let params = value.as_deref().as_slice().to_vec();
        let page = self
            .records(
                // The page's ids are found on the index alone; only their rows' data is read.
                &format!(
                    "SELECT c.data FROM cases c JOIN (SELECT id FROM cases {filter} \
                     ORDER BY risk_score DESC, due_date, id LIMIT {limit} OFFSET {offset}) page ON page.id = c.id \
                     ORDER BY c.risk_score DESC, c.due_date, c.id"
                ),
                &params,
            )
            .await?;
        let count_sql = format!("SELECT COUNT(*) AS n FROM cases {filter}");
        let mut count = sqlx::query(&count_sql);
        if let Some(v) = &value {
            count = count.bind(v.clone());
        }
        let row = count.fetch_one(&mut *self.conn().await?).await.map_err(db_error)?;
        Ok((page, u64::try_from(col::<i64>(&row, "n")?).unwrap_or(0)))
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
}
