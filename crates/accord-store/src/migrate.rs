//! Schema migrations: numbered SQL scripts, each applied in its own transaction and recorded
//! with a checksum, so a failed script leaves the database exactly as it was.

use crate::url::Backend;
use accord_core::audit::hex;
use accord_core::{Error, ErrorCode, Result};
use sha2::{Digest, Sha256};
use sqlx::{AnyPool, Row};

/// One schema migration.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    /// Position in the sequence, from 1.
    pub version: i64,
    /// Short name.
    pub name: &'static str,
    /// SQL for SQLite.
    pub sqlite: &'static str,
    /// SQL for PostgreSQL.
    pub postgres: &'static str,
}

impl Migration {
    fn sql(&self, backend: Backend) -> &'static str {
        match backend {
            Backend::Sqlite => self.sqlite,
            Backend::Postgres => self.postgres,
        }
    }
}

/// Accord's migrations, in order.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "identity",
        sqlite: include_str!("../migrations/0001_identity.sql"),
        postgres: include_str!("../migrations/0001_identity.sql"),
    },
    Migration {
        version: 2,
        name: "append_only",
        sqlite: include_str!("../migrations/0002_append_only.sqlite.sql"),
        postgres: include_str!("../migrations/0002_append_only.postgres.sql"),
    },
    Migration {
        version: 3,
        name: "lists",
        sqlite: include_str!("../migrations/0003_lists.sql"),
        postgres: include_str!("../migrations/0003_lists.sql"),
    },
    Migration {
        version: 4,
        name: "list_sync",
        sqlite: include_str!("../migrations/0004_list_sync.sql"),
        postgres: include_str!("../migrations/0004_list_sync.sql"),
    },
    Migration {
        version: 5,
        name: "controls",
        sqlite: include_str!("../migrations/0005_controls.sql"),
        postgres: include_str!("../migrations/0005_controls.sql"),
    },
    Migration {
        version: 6,
        name: "policies",
        sqlite: include_str!("../migrations/0006_policies.sql"),
        postgres: include_str!("../migrations/0006_policies.sql"),
    },
    Migration {
        version: 7,
        name: "cases",
        sqlite: include_str!("../migrations/0007_cases.sql"),
        postgres: include_str!("../migrations/0007_cases.sql"),
    },
    Migration {
        version: 8,
        name: "licences",
        sqlite: include_str!("../migrations/0008_licences.sql"),
        postgres: include_str!("../migrations/0008_licences.sql"),
    },
    Migration {
        version: 9,
        name: "compliance",
        sqlite: include_str!("../migrations/0009_compliance.sql"),
        postgres: include_str!("../migrations/0009_compliance.sql"),
    },
    Migration {
        version: 10,
        name: "denials_documents",
        sqlite: include_str!("../migrations/0010_denials_documents.sqlite.sql"),
        postgres: include_str!("../migrations/0010_denials_documents.postgres.sql"),
    },
    Migration {
        version: 11,
        name: "federation",
        sqlite: include_str!("../migrations/0011_federation.sql"),
        postgres: include_str!("../migrations/0011_federation.sql"),
    },
    Migration {
        version: 12,
        name: "records_by_owner",
        sqlite: include_str!("../migrations/0012_records_by_owner.sql"),
        postgres: include_str!("../migrations/0012_records_by_owner.sql"),
    },
    Migration {
        version: 13,
        name: "peer_nonces",
        sqlite: include_str!("../migrations/0013_peer_nonces.sql"),
        postgres: include_str!("../migrations/0013_peer_nonces.sql"),
    },
    Migration {
        version: 14,
        name: "key_parents",
        sqlite: include_str!("../migrations/0014_key_parents.sql"),
        postgres: include_str!("../migrations/0014_key_parents.sql"),
    },
    Migration {
        version: 15,
        name: "audit_checkpoints",
        sqlite: include_str!("../migrations/0015_audit_checkpoints.sqlite.sql"),
        postgres: include_str!("../migrations/0015_audit_checkpoints.postgres.sql"),
    },
    Migration {
        version: 16,
        name: "event_states",
        sqlite: include_str!("../migrations/0016_event_states.sql"),
        postgres: include_str!("../migrations/0016_event_states.sql"),
    },
    Migration {
        version: 17,
        name: "accounts",
        sqlite: include_str!("../migrations/0017_accounts.sql"),
        postgres: include_str!("../migrations/0017_accounts.sql"),
    },
    Migration {
        version: 18,
        name: "case_queue_order",
        sqlite: include_str!("../migrations/0018_case_queue_order.sql"),
        postgres: include_str!("../migrations/0018_case_queue_order.sql"),
    },
    Migration {
        version: 19,
        name: "events_by_subject",
        sqlite: include_str!("../migrations/0019_events_by_subject.sql"),
        postgres: include_str!("../migrations/0019_events_by_subject.sql"),
    },
    Migration {
        version: 20,
        name: "second_factors",
        sqlite: include_str!("../migrations/0020_second_factors.sql"),
        postgres: include_str!("../migrations/0020_second_factors.sql"),
    },
    Migration {
        version: 21,
        name: "trade",
        sqlite: include_str!("../migrations/0021_trade.sql"),
        postgres: include_str!("../migrations/0021_trade.sql"),
    },
    Migration {
        version: 22,
        name: "declarations",
        sqlite: include_str!("../migrations/0022_declarations.sql"),
        postgres: include_str!("../migrations/0022_declarations.sql"),
    },
    Migration {
        version: 23,
        name: "declarations_append_only",
        sqlite: include_str!("../migrations/0023_declarations_append_only.sqlite.sql"),
        postgres: include_str!("../migrations/0023_declarations_append_only.postgres.sql"),
    },
];

const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (
    version BIGINT PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at TEXT NOT NULL)";

fn migration_error(m: &Migration, detail: impl std::fmt::Display) -> Error {
    Error::new(
        ErrorCode::MigrationFailed,
        format!(
            "migration {:04}_{} failed and was rolled back, the database is unchanged: {detail}",
            m.version, m.name
        ),
    )
    .with_details(serde_json::json!({ "version": m.version, "name": m.name }))
}

/// Applies every migration of `list` not yet applied; returns how many were applied.
pub(crate) async fn run(pool: &AnyPool, backend: Backend, list: &[Migration]) -> Result<usize> {
    sqlx::query(CREATE_TABLE).execute(pool).await.map_err(crate::sql::db_error)?;
    let mut applied = 0;
    for m in list {
        let sql = m.sql(backend);
        let checksum = hex(&Sha256::digest(sql.as_bytes()));
        let mut tx = pool.begin().await.map_err(crate::sql::db_error)?;
        if backend == Backend::Postgres {
            // Two nodes starting together on one database take turns.
            sqlx::query("SELECT pg_advisory_xact_lock(7261636)")
                .execute(&mut *tx)
                .await
                .map_err(crate::sql::db_error)?;
        }
        let existing = sqlx::query("SELECT checksum FROM schema_migrations WHERE version = $1")
            .bind(m.version)
            .fetch_optional(&mut *tx)
            .await
            .map_err(crate::sql::db_error)?;
        if let Some(row) = existing {
            let stored: String = row.try_get("checksum").map_err(crate::sql::db_error)?;
            if stored != checksum {
                return Err(Error::new(
                    ErrorCode::MigrationFailed,
                    format!("migration {:04}_{} was changed after it was applied to this database", m.version, m.name),
                ));
            }
            continue;
        }
        sqlx::raw_sql(sql).execute(&mut *tx).await.map_err(|e| migration_error(m, e))?;
        sqlx::query("INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)")
            .bind(m.version)
            .bind(m.name)
            .bind(&checksum)
            .bind(accord_core::now().to_string())
            .execute(&mut *tx)
            .await
            .map_err(|e| migration_error(m, e))?;
        tx.commit().await.map_err(|e| migration_error(m, e))?;
        tracing::info!(version = m.version, name = m.name, "migration applied");
        applied += 1;
    }
    Ok(applied)
}
