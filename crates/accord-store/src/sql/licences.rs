//! The SQL store: licences and the shipments drawn against them.

use super::*;

/// Applies a mutation of this area; `false` when it belongs to another.
pub(super) async fn apply(tx: &mut Tx<'_>, m: &Mutation) -> Result<bool> {
    match m {
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
            .bind(l.valid_until.to_string())
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
            updated(&done, || {
                Error::new(
                    ErrorCode::Conflict,
                    format!("licence '{}' changed since version {expected_version}; read it again", l.id),
                )
                .with_details(serde_json::json!({ "licence_id": l.id, "expected_version": expected_version }))
            })?;
        }
        Mutation::InsertShipment(sh) => {
            sqlx::query("INSERT INTO shipments (id, licence_id, reported_at, data) VALUES ($1, $2, $3, $4)")
                .bind(sh.id.as_str())
                .bind(sh.licence_id.as_str())
                .bind(sh.reported_at.to_string())
                .bind(to_data(sh)?)
                .execute(&mut **tx)
                .await
                .map_err(db_error)?;
        }
        _ => return Ok(false),
    }
    Ok(true)
}

#[async_trait]
impl LicenceStore for SqlStore {
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
}
