//! Export declarations at scale: a seeded file of generated declarations (ROWS, default 1,000,000) imported through
//! Accord into SQLite and PostgreSQL (the store's own path: strict read, digests, batched inserts in one
//! transaction), then every early-warning indicator computed over the last 12 months (`run_early_warning`: the
//! declaration indicators, per-product growth and the licence patterns). Side by side in the same run, the peer
//! (`scripts/declarations_peer.py`, when PEER_PYTHON names a Python with duckdb and psycopg): the same file loaded
//! into Parquet by DuckDB, and the same indicators written as SQL run by DuckDB over the Parquet file and by
//! PostgreSQL over the table Accord filled. Accord runs twice on each database: reading the declarations back (the
//! small-node path), and with its columnar engine (DuckDB from `scripts/install-duckdb.sh`, each import copied into
//! Parquet at import, which its ingest includes). Prints rows/s, seconds and ratios.
//! Run with `scripts/bench-declarations.sh` (ROWS=10000000 for the figure in the README).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use accord_app::App;
use accord_store::{Backend, SqlStore};
use accord_testing::TestDb;
use std::sync::Arc;
use std::time::Instant;

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    rt.block_on(run());
}

struct Measured {
    backend: String,
    ingest_s: f64,
    indicators_s: f64,
    alerts: usize,
}

async fn accord_on(
    backend: Backend,
    csv: &[u8],
    rows: usize,
    engine: Option<&std::path::Path>,
) -> (Measured, (TestDb, String)) {
    let db = TestDb::new(backend).await;
    let store = SqlStore::open(&db.url, 4).await.unwrap();
    let mut app = App::new(Arc::new(store));
    if let Some(dir) = engine {
        app = app.with_columnar(accord_columnar::Columnar::open(&accord_testing::data::duckdb(), dir).unwrap());
    }
    let op = accord_testing::operator();
    let authority = serde_json::json!({"id": "DE-BAFA", "name": "BAFA", "jurisdiction": "EU", "country": "DE",
        "time_zone": "Europe/Berlin"});
    app.create_authority(&op, serde_json::from_value(authority).unwrap()).await.unwrap();
    let analyst = accord_testing::user(&app, "analyst", "analyst@bafa.example", Some("DE-BAFA"), None).await;

    let started = Instant::now();
    let done = app.import_declarations(&analyst, "generated.csv", csv, None).await.unwrap();
    let ingest_s = started.elapsed().as_secs_f64();
    assert_eq!(done.import.added as usize, rows);
    let started = Instant::now();
    let alerts = app.run_early_warning(&analyst).await.unwrap();
    let indicators_s = started.elapsed().as_secs_f64();
    let mut name = if backend == Backend::Sqlite { "SQLite" } else { "PostgreSQL" }.to_owned();
    if engine.is_some() {
        name.push_str(" + DuckDB");
    }
    let m = Measured { backend: name.clone(), ingest_s, indicators_s, alerts: alerts.len() };
    let mut by_kind = std::collections::BTreeMap::<&str, usize>::new();
    for a in &alerts {
        *by_kind.entry(a.indicator.as_str()).or_default() += 1;
    }
    eprintln!("  {name}: alerts by indicator {by_kind:?}");
    let url = db.url_string();
    (m, (db, url))
}

async fn run() {
    let rows: usize = std::env::var("ROWS").ok().and_then(|n| n.parse().ok()).unwrap_or(1_000_000);
    let patterns: usize = std::env::var("PATTERNS").ok().and_then(|n| n.parse().ok()).unwrap_or(25);
    let (ds, truth) = accord_trade::generate::generate(1, rows, patterns);
    let total = ds.len();
    let csv = accord_trade::generate::to_csv(&ds).into_bytes();
    drop(ds);
    let dir = std::env::temp_dir().join(accord_core::ids::generate_id("accord-bench-declarations"));
    std::fs::create_dir_all(&dir).unwrap();
    let csv_path = dir.join("declarations.csv");
    std::fs::write(&csv_path, &csv).unwrap();
    println!(
        "{total} declarations ({:.0} MB of CSV), {} patterns of each kind injected; indicators over the last 12 months",
        csv.len() as f64 / 1e6,
        patterns
    );
    println!(
        "  injected: {} structuring, {} new consignees, {} general authorisations moved",
        truth.structuring.len(),
        truth.new_consignees.len(),
        truth.ga_new_destinations.len()
    );

    let mut measured = Vec::new();
    let copies = dir.join("columnar");
    for engine in [None, Some(copies.as_path())] {
        measured.push(accord_on(Backend::Sqlite, &csv, total, engine).await.0);
        std::fs::remove_dir_all(&copies).ok();
    }
    let postgres = if accord_testing::db::postgres_reachable().await {
        measured.push(accord_on(Backend::Postgres, &csv, total, Some(copies.as_path())).await.0);
        let (m, kept) = accord_on(Backend::Postgres, &csv, total, None).await;
        measured.push(m);
        Some(kept)
    } else {
        println!("  PostgreSQL is not reachable at {}: its rows are left out", accord_testing::db::admin_url());
        None
    };
    drop(csv);
    for m in &measured {
        let plain = measured.iter().find(|p| m.backend == format!("{} + DuckDB", p.backend));
        if let Some(p) = plain {
            assert_eq!(p.alerts, m.alerts, "the columnar engine raised other alerts than the database path");
            println!(
                "ratios: on {} the columnar engine computes the indicators {:.1}× faster than reading the rows back",
                p.backend,
                p.indicators_s / m.indicators_s
            );
        }
    }
    println!("{:<34} {:>12} {:>10} {:>14} {:>8}", "engine", "ingest rows/s", "ingest s", "indicators s", "alerts");
    for m in &measured {
        println!(
            "{:<34} {:>12.0} {:>10.1} {:>14.1} {:>8}",
            format!("Accord on {}", m.backend),
            total as f64 / m.ingest_s,
            m.ingest_s,
            m.indicators_s,
            m.alerts
        );
    }

    let Ok(python) = std::env::var("PEER_PYTHON") else {
        println!(
            "PEER_PYTHON is not set: the DuckDB and SQL-on-PostgreSQL peer is left out (scripts/bench-declarations.sh sets it)"
        );
        return;
    };
    let peer = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/declarations_peer.py");
    let mut cmd = std::process::Command::new(python);
    cmd.arg(peer).arg(&csv_path).arg(dir.join("declarations.parquet"));
    if let Some((_, url)) = &postgres {
        cmd.arg(url);
    }
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "the peer failed: {}", String::from_utf8_lossy(&out.stderr));
    let peer: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for (name, v) in peer.as_object().unwrap() {
        let ingest = v["ingest_s"].as_f64();
        println!(
            "{:<34} {:>12} {:>10} {:>14.1} {:>8}",
            name,
            ingest.map_or("—".into(), |s| format!("{:.0}", total as f64 / s)),
            ingest.map_or("—".into(), |s| format!("{s:.1}")),
            v["indicators_s"].as_f64().unwrap(),
            v["found"].as_u64().unwrap()
        );
    }
    let accord_pg = measured.iter().find(|m| m.backend == "PostgreSQL");
    if let (Some(pg), Some(duck)) = (accord_pg, peer.get("DuckDB over Parquet")) {
        println!(
            "ratios: DuckDB ingest {:.1}× Accord on PostgreSQL's speed; DuckDB indicators {:.1}× Accord's (Accord's \
             include loading the rows and the licence patterns)",
            pg.ingest_s / duck["ingest_s"].as_f64().unwrap(),
            pg.indicators_s / duck["indicators_s"].as_f64().unwrap()
        );
    }
    for m in measured.iter().filter(|m| m.backend.ends_with("DuckDB")) {
        if let Some(duck) = peer.get("DuckDB over Parquet") {
            println!(
                "ratios: Accord on {}: indicators {:.1}× the peer's time, ingest {:.1}× the peer's time",
                m.backend,
                m.indicators_s / duck["indicators_s"].as_f64().unwrap(),
                m.ingest_s / duck["ingest_s"].as_f64().unwrap()
            );
        }
    }
    std::fs::remove_dir_all(&dir).ok();
}
