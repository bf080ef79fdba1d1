//! Configuration: `accord.toml` < environment (`ACCORD_*`) < command-line flags.

use anyhow::{Context, Result};
use serde::Deserialize;
use std::path::Path;

/// The commented default configuration file printed by `accord config default`.
pub const DEFAULT_FILE: &str = r#"# accord.toml — configuration of an Accord node.
# Precedence: this file < environment variables (ACCORD_*) < command-line flags.

# Database: a SQLite file path (created when missing) or a PostgreSQL URL.
# Environment: ACCORD_DATABASE_URL. Flag: --db.
db = "accord-data/accord.db"
# db = "postgres://accord@127.0.0.1:5432/accord"

# Largest number of pooled database connections. Environment: ACCORD_MAX_CONNECTIONS.
max_connections = 10

# Address the HTTP API listens on. Environment: ACCORD_BIND. Flag: --bind.
bind = "127.0.0.1:8080"

# Largest accepted request body, in bytes. Environment: ACCORD_BODY_LIMIT.
body_limit = 1048576

# Longest time to answer one request, reading its body included (then 503 request_timeout); longest time a client
# may take to send a request head (then the connection is closed); most requests answered at once (beyond them,
# 503 overloaded with Retry-After; /health and /ready are always answered).
request_timeout = "30s"
header_timeout = "10s"
max_in_flight = 1024

# Bytes of uploaded documents each organisation may store (1 GiB); beyond it uploads get storage_quota_exceeded.
document_quota = 1073741824

# Certifications, audits and officers' training records of an organisation are made by officers of its own
# authority; an authority may also trust the officers of others to make them (mutual recognition):
# trusted_certifiers = { "DE-BAFA" = ["FR-SBDU", "NL-CDIU"] }

# Log format: "text" or "json". Environment: ACCORD_LOG_FORMAT. Flag: --log-format.
log_format = "text"

# Log filter (tracing EnvFilter syntax), e.g. "info" or "accord_server=debug,info".
# Environment: ACCORD_LOG.
log_level = "info"

# Name-variant table for screening: lines "form, form, … => group" (e.g. Mohammed, Muhammad,
# Мухаммад, محمد). Environment: ACCORD_NAME_VARIANTS. Flag: --name-variants.
# name_variants = "data/names/persons.txt"

# Folder of policy files the node follows: checked every 30 s, imported as a new version when they change;
# files with an error are refused (logged with file and line) and the version in force stays.
# Without it the node stores its built-in policies once. Environment: ACCORD_POLICIES. Flag: --policies.
# policies = "policies"

# Columnar engine for the declaration indicators at coalition scale (10^7 declarations a year and more): the DuckDB
# library (libduckdb.so for Linux x86-64; `scripts/install-duckdb.sh` installs a pinned one into target/duckdb) and
# the folder of the Parquet copies of each import (made from the database, remade when lost or damaged). Without
# it the indicators read the declarations back from the database, which suits small nodes.
# Environment: ACCORD_DUCKDB, ACCORD_COLUMNAR_DIR. Flags: --duckdb, --columnar-dir.
# duckdb = "target/duckdb/libduckdb.so"
# columnar_dir = "accord-data/columnar"

[sync]
# How often a running node downloads the lists from their publishers (first run one interval
# after start; `accord lists sync` runs it now).
interval = "24h"
# Largest accepted download, in bytes.
max_bytes = 209715200

# Publisher URLs are built in for us_ofac_sdn, us_ofac_cons, un_sc, us_bis_dpl and us_csl.
# A source here replaces the built-in one of the same list; `urls = []` disables a list.
# The first URL is the file the format reads; the others are published beside it.
# [sync.sources.us_ofac_sdn]
# format = "ofac_sdn"
# urls = ["https://www.treasury.gov/ofac/downloads/sdn.csv", "https://www.treasury.gov/ofac/downloads/alt.csv"]

[governance]
# The least strict rule each kind of proposal is decided by: "consensus", "qualified_majority" (two thirds of the
# votes cast) or "simple_majority". A proposal may ask for a stricter rule, never a weaker one. Red lines are always
# decided by consensus, whatever is written here.
decision_rules = { control_list = "qualified_majority", authorisation = "qualified_majority", policy_rule = "qualified_majority", red_line = "consensus" }
# Review cycles a federated node opens for its own authority when they fall due, checked every hour together with
# the technology watch (crossed indicators open draft proposals) and the reminders of what falls due (logged).
# scope is "control_list" (default) or "denials" (the three-year review of the authority's denials).
# [[governance.reviews]]
# title = "Annual review of category 3"
# category = 3
# every_months = 12
# first_opens_on = "2027-01-15"
# proposals_within_days = 60
# closes_within_days = 90

[federation]
# This node's private key file, made by `accord node init`. Environment: ACCORD_NODE_KEY. Flag: --node-key.
key_file = "accord-data/node.key"
# How often a running node pulls every peer (a peer's notification pulls at once).
# Environment: ACCORD_FEDERATION_INTERVAL. Flag: --federation-interval.
interval = "10s"
# How far in the future a peer's envelope or request time may be before it is rejected.
max_clock_skew = "5m"
# Calendar days an ally has to answer a consultation; after them the case may be decided without its answer.
consultation_days = 30
# Signed requests each peer may make per second on average, and at once; beyond them it is answered 429.
peer_rate = 20
peer_burst = 100
"#;

/// The `[federation]` section of `accord.toml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FederationConfig {
    /// The node key file.
    pub key_file: Option<String>,
    /// Pull interval.
    pub interval: Option<String>,
    /// Allowed clock skew of peers.
    pub max_clock_skew: Option<String>,
    /// Days to answer a consultation.
    pub consultation_days: Option<i64>,
    /// A peer's average request rate, per second.
    pub peer_rate: Option<f64>,
    /// A peer's request burst.
    pub peer_burst: Option<f64>,
}

/// Settings as read from `accord.toml`; every field optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// Database URL or SQLite path.
    pub db: Option<String>,
    /// Pool size.
    pub max_connections: Option<u32>,
    /// Listen address.
    pub bind: Option<String>,
    /// Body limit in bytes.
    pub body_limit: Option<usize>,
    /// Longest time to answer a request.
    pub request_timeout: Option<String>,
    /// Longest time to receive a request head.
    pub header_timeout: Option<String>,
    /// Most requests answered at once.
    pub max_in_flight: Option<usize>,
    /// Bytes of documents per organisation.
    pub document_quota: Option<u64>,
    /// Per authority, the authorities whose officers it trusts to certify and audit its organisations.
    pub trusted_certifiers: Option<std::collections::BTreeMap<String, Vec<String>>>,
    /// `text` or `json`.
    pub log_format: Option<String>,
    /// Log filter.
    pub log_level: Option<String>,
    /// Name-variant table for screening.
    pub name_variants: Option<String>,
    /// Policy folder the node follows.
    pub policies: Option<String>,
    /// The DuckDB library of the columnar engine.
    pub duckdb: Option<String>,
    /// Folder of the columnar engine's Parquet copies.
    pub columnar_dir: Option<String>,
    /// List downloads.
    pub sync: Option<crate::sync::SyncConfig>,
    /// Replication with allied nodes.
    pub federation: Option<FederationConfig>,
    /// Decision rules and review schedules.
    pub governance: Option<GovernanceConfig>,
}

/// The `[governance]` section of `accord.toml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GovernanceConfig {
    /// The least strict rule per kind of proposal.
    pub decision_rules: Option<accord_core::governance::DecisionRules>,
    /// The review cycles the node opens on their schedule.
    #[serde(default)]
    pub reviews: Vec<accord_core::governance::ReviewSchedule>,
}

impl FileConfig {
    /// Reads `path` when given (it must exist), else `./accord.toml` when present, else nothing.
    pub fn load(path: Option<&Path>) -> Result<FileConfig> {
        let (path, required) = match path {
            Some(p) => (p.to_path_buf(), true),
            None => (Path::new("accord.toml").to_path_buf(), false),
        };
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if !required && e.kind() == std::io::ErrorKind::NotFound => return Ok(FileConfig::default()),
            Err(e) => return Err(e).with_context(|| format!("cannot read the configuration file {}", path.display())),
        };
        toml::from_str(&text).with_context(|| format!("invalid configuration file {}", path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_file_parses_and_sets_every_key() {
        let c: FileConfig = toml::from_str(DEFAULT_FILE).unwrap();
        assert_eq!(c.db.as_deref(), Some("accord-data/accord.db"));
        assert_eq!(c.bind.as_deref(), Some("127.0.0.1:8080"));
        assert_eq!(c.body_limit, Some(1_048_576));
        assert_eq!(c.max_connections, Some(10));
        assert_eq!(c.log_format.as_deref(), Some("text"));
        assert_eq!(c.log_level.as_deref(), Some("info"));
        let sync = c.sync.unwrap();
        assert_eq!(crate::sync::parse_interval(sync.interval.as_deref().unwrap()).unwrap().as_secs(), 86_400);
        assert_eq!(sync.max_bytes, Some(crate::sync::DEFAULT_MAX_BYTES));
        let f = c.federation.unwrap();
        assert_eq!(f.key_file.as_deref(), Some("accord-data/node.key"));
        assert_eq!(crate::sync::parse_duration(f.interval.as_deref().unwrap()).unwrap().as_secs(), 10);
        assert_eq!(crate::sync::parse_duration(f.max_clock_skew.as_deref().unwrap()).unwrap().as_secs(), 300);
        assert_eq!(f.consultation_days, Some(30));
    }

    #[test]
    fn unknown_keys_are_refused() {
        let err = toml::from_str::<FileConfig>("dbb = \"x\"").unwrap_err();
        assert!(err.to_string().contains("unknown field"), "{err}");
    }
}
