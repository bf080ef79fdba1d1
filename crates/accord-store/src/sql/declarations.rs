//! Export declarations: imports stored in batches, a reference kept once per authority, read back by day.

use super::{SqlStore, Tx, Value, col, db_error, insert_rows_with};
use crate::{DeclarationStore, Mutation};
use accord_core::ids::AuthorityId;
use accord_core::warning::{Declaration, DeclarationImport};
use accord_core::{Error, ErrorCode, Result};
use async_trait::async_trait;
use futures_util::TryStreamExt;
use jiff::civil::Date;
use sqlx::any::AnyRow;

const COLUMNS: [&str; 16] = [
    "authority_id",
    "reference",
    "import_seq",
    "day",
    "exporter",
    "consignee",
    "end_user",
    "destination",
    "hs_code",
    "control_code",
    "quantity",
    "value_eur",
    "authorisation",
    "consignee_address",
    "end_user_address",
    "row_hash",
];

const IMPORT_COLUMNS: &str = "authority_id, seq, label, source, content_hash, row_count, added, skipped, first_date, \
                              last_date, imported_at, imported_by";

/// Declarations bound per slice of an import.
const SLICE: usize = 10_000;

/// Most conflicting references named in one error.
const NAMED: i64 = 10;

/// Applies a mutation of this area; `false` when it belongs to another.
pub(super) async fn apply(tx: &mut Tx<'_>, m: &Mutation) -> Result<bool> {
    let Mutation::ImportDeclarations { import, rows } = m else { return Ok(false) };
    let hashes: Vec<String> = rows.iter().map(Declaration::digest).collect();
    // The rows are bound a slice at a time, so a large import never holds a second copy of every row.
    let mut added = 0;
    for (slice, slice_hashes) in rows.chunks(SLICE).zip(hashes.chunks(SLICE)) {
        let values = slice
            .iter()
            .zip(slice_hashes)
            .map(|(d, h)| {
                vec![
                    Value::Text(import.authority_id.clone()),
                    Value::Text(d.reference.clone()),
                    Value::Int(import.seq),
                    Value::Text(d.date.to_string()),
                    Value::Text(d.exporter.clone()),
                    Value::Text(d.consignee.clone()),
                    Value::Text(d.end_user.clone()),
                    Value::Text(d.destination.clone()),
                    Value::Text(d.hs_code.clone()),
                    Value::MaybeText(d.control_code.clone()),
                    Value::Real(d.quantity),
                    Value::Real(d.value_eur),
                    Value::MaybeText(d.authorisation.clone()),
                    Value::Text(d.consignee_address.clone()),
                    Value::Text(d.end_user_address.clone()),
                    Value::Text(h.clone()),
                ]
            })
            .collect();
        let conflict = "ON CONFLICT (authority_id, reference) DO NOTHING";
        added += insert_rows_with(tx, "declarations", &COLUMNS, values, conflict).await? as i64;
    }
    let skipped = rows.len() as i64 - added;
    if skipped > 0 {
        refuse_changed(tx, import, rows, &hashes).await?;
    }
    sqlx::query(&format!(
        "INSERT INTO declaration_imports ({IMPORT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
    ))
    .bind(&import.authority_id)
    .bind(import.seq)
    .bind(&import.label)
    .bind(&import.source)
    .bind(&import.content_hash)
    .bind(rows.len() as i64)
    .bind(added)
    .bind(skipped)
    .bind(import.first_date.map(|d| d.to_string()))
    .bind(import.last_date.map(|d| d.to_string()))
    .bind(import.imported_at.to_string())
    .bind(&import.imported_by)
    .execute(&mut **tx)
    .await
    .map_err(super::unique_or(|| {
        Error::new(ErrorCode::Conflict, "another import of declarations was stored meanwhile; import again")
    }))?;
    Ok(true)
}

/// Refuses the import when a reference it skipped is stored with other facts: a declaration once accepted is not
/// silently replaced.
async fn refuse_changed(
    tx: &mut Tx<'_>,
    import: &DeclarationImport,
    rows: &[Declaration],
    hashes: &[String],
) -> Result<()> {
    sqlx::query(
        "CREATE TEMPORARY TABLE IF NOT EXISTS incoming_declarations (reference TEXT NOT NULL, row_hash TEXT NOT NULL)",
    )
    .execute(&mut **tx)
    .await
    .map_err(db_error)?;
    sqlx::query("DELETE FROM incoming_declarations").execute(&mut **tx).await.map_err(db_error)?;
    for (slice, slice_hashes) in rows.chunks(SLICE).zip(hashes.chunks(SLICE)) {
        let values = slice
            .iter()
            .zip(slice_hashes)
            .map(|(d, h)| vec![Value::Text(d.reference.clone()), Value::Text(h.clone())])
            .collect();
        insert_rows_with(tx, "incoming_declarations", &["reference", "row_hash"], values, "").await?;
    }
    let changed = sqlx::query(&format!(
        "SELECT i.reference FROM incoming_declarations i JOIN declarations d ON d.authority_id = $1 AND \
         d.reference = i.reference WHERE d.row_hash <> i.row_hash ORDER BY i.reference LIMIT {NAMED}"
    ))
    .bind(&import.authority_id)
    .fetch_all(&mut **tx)
    .await
    .map_err(db_error)?;
    sqlx::query("DELETE FROM incoming_declarations").execute(&mut **tx).await.map_err(db_error)?;
    if changed.is_empty() {
        return Ok(());
    }
    let refs: Vec<String> = changed.iter().map(|r| col::<String>(r, "reference")).collect::<Result<_>>()?;
    Err(Error::new(
        ErrorCode::Conflict,
        format!(
            "declarations already stored with other facts are sent again ({}{}); nothing was imported: a stored \
             declaration is not replaced, send a correction under a new reference",
            refs.join(", "),
            if refs.len() as i64 == NAMED { ", …" } else { "" }
        ),
    ))
}

/// A stored day that may be absent; a value that is not one is reported as corrupt.
fn day_opt(row: &AnyRow, name: &str) -> Result<Option<Date>> {
    col::<Option<String>>(row, name)?
        .map(|t| t.parse().map_err(|e| Error::internal(format!("stored {name} is corrupt: {e}"))))
        .transpose()
}

fn day(row: &AnyRow, name: &str) -> Result<Date> {
    day_opt(row, name)?.ok_or_else(|| Error::internal(format!("stored {name} is missing")))
}

fn import_from(r: &AnyRow) -> Result<DeclarationImport> {
    Ok(DeclarationImport {
        authority_id: col(r, "authority_id")?,
        seq: col(r, "seq")?,
        label: col(r, "label")?,
        source: col(r, "source")?,
        content_hash: col(r, "content_hash")?,
        rows: col(r, "row_count")?,
        added: col(r, "added")?,
        skipped: col(r, "skipped")?,
        first_date: day_opt(r, "first_date")?,
        last_date: day_opt(r, "last_date")?,
        imported_at: super::stamp(r, "imported_at")?,
        imported_by: col(r, "imported_by")?,
    })
}

/// The columns [`declaration_from`] reads.
const DECLARATION_COLUMNS: &str = "reference, day, exporter, consignee, end_user, destination, hs_code, control_code, \
                                   quantity, value_eur, authorisation, consignee_address, end_user_address";

fn declaration_from(r: &AnyRow) -> Result<Declaration> {
    Ok(Declaration {
        reference: col(r, "reference")?,
        date: day(r, "day")?,
        exporter: col(r, "exporter")?,
        consignee: col(r, "consignee")?,
        end_user: col(r, "end_user")?,
        destination: col(r, "destination")?,
        hs_code: col(r, "hs_code")?,
        control_code: col(r, "control_code")?,
        quantity: col(r, "quantity")?,
        value_eur: col(r, "value_eur")?,
        authorisation: col(r, "authorisation")?,
        consignee_address: col(r, "consignee_address")?,
        end_user_address: col(r, "end_user_address")?,
    })
}

#[async_trait]
impl DeclarationStore for SqlStore {
    async fn declaration_imports(&self, authority: &AuthorityId) -> Result<Vec<DeclarationImport>> {
        let rows = sqlx::query(&format!(
            "SELECT {IMPORT_COLUMNS} FROM declaration_imports WHERE authority_id = $1 ORDER BY seq"
        ))
        .bind(authority.as_str())
        .fetch_all(&mut *self.conn().await?)
        .await
        .map_err(db_error)?;
        rows.iter().map(import_from).collect()
    }

    async fn declarations(&self, authority: &AuthorityId, from: Date, to: Date) -> Result<Vec<Declaration>> {
        let mut conn = self.conn().await?;
        let (authority, from, to) = (authority.as_str().to_owned(), from.to_string(), to.to_string());
        // Read row by row: ten million rows held as driver rows would take several times their own size.
        let sql = format!(
            "SELECT {DECLARATION_COLUMNS} FROM declarations WHERE authority_id = $1 AND day >= $2 AND day <= $3 \
             ORDER BY day, reference"
        );
        let mut rows = sqlx::query(&sql).bind(authority).bind(from).bind(to).fetch(&mut *conn);
        let mut out = Vec::new();
        while let Some(r) = rows.try_next().await.map_err(db_error)? {
            out.push(declaration_from(&r)?);
        }
        Ok(out)
    }

    async fn imported_declarations(
        &self,
        authority: &AuthorityId,
        seq: i64,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<Declaration>> {
        let rows = sqlx::query(&format!(
            "SELECT {DECLARATION_COLUMNS} FROM declarations WHERE authority_id = $1 AND import_seq = $2 \
             AND reference > $3 ORDER BY reference LIMIT $4"
        ))
        .bind(authority.as_str())
        .bind(seq)
        .bind(after.unwrap_or(""))
        .bind(limit)
        .fetch_all(&mut *self.conn().await?)
        .await
        .map_err(db_error)?;
        rows.iter().map(declaration_from).collect()
    }

    async fn declaration_totals(&self, authority: &AuthorityId) -> Result<Vec<(String, String, String, f64)>> {
        let rows = sqlx::query(
            "SELECT SUBSTR(day, 1, 7) AS month, destination, hs_code, SUM(value_eur) AS total FROM declarations \
             WHERE authority_id = $1 GROUP BY SUBSTR(day, 1, 7), destination, hs_code ORDER BY 1, 2, 3",
        )
        .bind(authority.as_str())
        .fetch_all(&mut *self.conn().await?)
        .await
        .map_err(db_error)?;
        rows.iter()
            .map(|r| Ok((col(r, "month")?, col(r, "destination")?, col(r, "hs_code")?, col(r, "total")?)))
            .collect()
    }

    async fn declaration_span(&self, authority: &AuthorityId) -> Result<(i64, Option<Date>)> {
        let row = sqlx::query("SELECT COUNT(*) AS n, MAX(day) AS last FROM declarations WHERE authority_id = $1")
            .bind(authority.as_str())
            .fetch_one(&mut *self.conn().await?)
            .await
            .map_err(db_error)?;
        let last = day_opt(&row, "last")?;
        Ok((col(&row, "n")?, last))
    }
}
