//! Database URLs: which engine, where, and how to show the URL without its password.

use accord_core::{Error, ErrorCode, Result};
use std::path::PathBuf;

/// The database engine behind a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Embedded SQLite file (the default).
    Sqlite,
    /// PostgreSQL server.
    Postgres,
}

impl Backend {
    /// Lower-case name, as used in metrics and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// A parsed database location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbUrl {
    /// A SQLite database file (created with its folder when missing).
    Sqlite(PathBuf),
    /// A PostgreSQL connection URL.
    Postgres(String),
}

impl DbUrl {
    /// The default location: `./accord-data/accord.db`.
    pub fn default_sqlite() -> DbUrl {
        DbUrl::Sqlite(PathBuf::from("accord-data").join("accord.db"))
    }

    /// Parses `postgres://…`, `postgresql://…`, `sqlite://PATH`, `sqlite:PATH` or a plain file path.
    pub fn parse(s: &str) -> Result<DbUrl> {
        let s = s.trim();
        if s.is_empty() {
            return Err(Error::new(ErrorCode::ValidationFailed, "the database URL is empty"));
        }
        if s.starts_with("postgres://") || s.starts_with("postgresql://") {
            return Ok(DbUrl::Postgres(s.to_owned()));
        }
        let path = s.strip_prefix("sqlite://").or_else(|| s.strip_prefix("sqlite:")).unwrap_or(s);
        let path = path.split('?').next().unwrap_or(path);
        if path.is_empty() || path.contains("://") {
            return Err(Error::new(
                ErrorCode::ValidationFailed,
                format!("unsupported database URL '{}': use postgres://… or a SQLite file path", Self::redact(s)),
            ));
        }
        Ok(DbUrl::Sqlite(PathBuf::from(path)))
    }

    /// The engine.
    pub fn backend(&self) -> Backend {
        match self {
            DbUrl::Sqlite(_) => Backend::Sqlite,
            DbUrl::Postgres(_) => Backend::Postgres,
        }
    }

    /// The URL handed to the driver.
    pub(crate) fn connect_url(&self) -> String {
        match self {
            DbUrl::Postgres(u) => u.clone(),
            DbUrl::Sqlite(p) => {
                let mut encoded = String::new();
                for c in p.to_string_lossy().chars() {
                    match c {
                        '%' => encoded.push_str("%25"),
                        '?' => encoded.push_str("%3F"),
                        '#' => encoded.push_str("%23"),
                        ' ' => encoded.push_str("%20"),
                        c => encoded.push(c),
                    }
                }
                format!("sqlite://{encoded}?mode=rwc")
            }
        }
    }

    /// The URL with any password replaced by `***`, safe for logs and messages.
    pub fn redact(s: &str) -> String {
        if let Some((scheme, rest)) = s.split_once("://")
            && let Some((creds, host)) = rest.split_once('@')
            && let Some((user, _password)) = creds.split_once(':')
        {
            return format!("{scheme}://{user}:***@{host}");
        }
        s.to_owned()
    }
}

impl std::fmt::Display for DbUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DbUrl::Sqlite(p) => write!(f, "sqlite://{}", p.display()),
            DbUrl::Postgres(u) => f.write_str(&Self::redact(u)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_select_the_backend() {
        assert_eq!(DbUrl::parse("postgres://u@h/db").unwrap().backend(), Backend::Postgres);
        assert_eq!(DbUrl::parse("sqlite:///tmp/a.db").unwrap(), DbUrl::Sqlite("/tmp/a.db".into()));
        assert_eq!(DbUrl::parse("sqlite:a.db").unwrap(), DbUrl::Sqlite("a.db".into()));
        assert_eq!(DbUrl::parse("./x/a.db").unwrap(), DbUrl::Sqlite("./x/a.db".into()));
        assert!(DbUrl::parse("mysql://h/db").is_err());
        assert!(DbUrl::parse("").is_err());
    }

    #[test]
    fn passwords_are_redacted() {
        let u = DbUrl::parse("postgres://accord:s3cret@db.example:5432/accord").unwrap();
        assert_eq!(u.to_string(), "postgres://accord:***@db.example:5432/accord");
        assert!(!DbUrl::redact("postgresql://a:b@c/d").contains('b'));
    }

    #[test]
    fn sqlite_paths_with_special_characters_are_encoded() {
        let u = DbUrl::Sqlite("/tmp/a b?c.db".into());
        assert_eq!(u.connect_url(), "sqlite:///tmp/a%20b%3Fc.db?mode=rwc");
    }
}
