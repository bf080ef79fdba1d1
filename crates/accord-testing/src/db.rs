//! Test support: a fresh database per test, on SQLite (a temporary file) or PostgreSQL (a new
//! database on the server named by `ACCORD_TEST_POSTGRES`, default
//! `postgres://postgres@127.0.0.1:5432/test`), dropped again when the test ends.

use accord_store::{Backend, DbUrl, SqlStore};
use sqlx::Connection;
use std::path::PathBuf;

/// The PostgreSQL server used by tests.
pub fn admin_url() -> String {
    std::env::var("ACCORD_TEST_POSTGRES").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

/// Whether the PostgreSQL server of [`admin_url`] accepts connections (its host and port answer).
pub async fn postgres_reachable() -> bool {
    let url = admin_url();
    let rest = url.split_once("://").map_or(url.as_str(), |(_, r)| r);
    let host_port = rest.rsplit_once('@').map_or(rest, |(_, h)| h).split(['/', '?']).next().unwrap_or_default();
    let addr = if host_port.contains(':') { host_port.to_owned() } else { format!("{host_port}:5432") };
    tokio::net::TcpStream::connect(addr).await.is_ok()
}

/// An isolated database that disappears when dropped.
pub struct TestDb {
    /// Where it is.
    pub url: DbUrl,
    dir: Option<PathBuf>,
    pg_name: Option<String>,
}

fn unique_name() -> String {
    accord_core::ids::generate_id("t").to_lowercase()
}

impl TestDb {
    /// Creates an empty database on `backend` (no migrations run yet).
    pub async fn new(backend: Backend) -> TestDb {
        sqlx::any::install_default_drivers();
        match backend {
            Backend::Sqlite => {
                let dir = std::env::temp_dir().join(format!("accord-{}", unique_name()));
                std::fs::create_dir_all(&dir).expect("create a temporary folder");
                TestDb { url: DbUrl::Sqlite(dir.join("accord.db")), dir: Some(dir), pg_name: None }
            }
            Backend::Postgres => {
                let admin = admin_url();
                let name = format!("accord_{}", unique_name());
                let mut conn = sqlx::AnyConnection::connect(&admin).await.unwrap_or_else(|e| {
                    panic!("PostgreSQL at {admin} is needed by this test (start it, or set ACCORD_TEST_POSTGRES): {e}")
                });
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut conn)
                    .await
                    .expect("create a test database");
                let _ = conn.close().await;
                let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
                TestDb { url: DbUrl::Postgres(format!("{base}/{name}")), dir: None, pg_name: Some(name) }
            }
        }
    }

    /// Creates a database and opens a migrated store on it.
    pub async fn store(backend: Backend) -> (TestDb, SqlStore) {
        let db = TestDb::new(backend).await;
        let store = SqlStore::open(&db.url, 5).await.expect("open the test store");
        (db, store)
    }

    /// The connection string (for handing to the `accord` binary).
    pub fn url_string(&self) -> String {
        match &self.url {
            DbUrl::Sqlite(p) => p.display().to_string(),
            DbUrl::Postgres(u) => u.clone(),
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(dir) = &self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
        if let Some(name) = self.pg_name.take() {
            // Drop may run inside a runtime; do the async clean-up on a thread of its own.
            let _ = std::thread::spawn(move || {
                let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else { return };
                rt.block_on(async {
                    if let Ok(mut conn) = sqlx::AnyConnection::connect(&admin_url()).await {
                        let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                            .execute(&mut conn)
                            .await;
                        let _ = conn.close().await;
                    }
                });
            })
            .join();
        }
    }
}

/// Generates one `#[tokio::test]` per backend for each named `async fn(Backend)`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::$name($crate::Backend::Sqlite).await })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::$name($crate::Backend::Postgres).await })*
        }
    };
}
