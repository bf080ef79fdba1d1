//! Determinations through the application service on one thread, with the store (SQLite) and with party
//! screening against every list in `../shared/data`: what a node does per `POST /api/v1/determinations`, minus HTTP.
//! Run with `cargo bench -p accord-app --bench determine`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use accord_app::{App, DetermineOptions};
use accord_controls::{ListInfo, SourceFiles, Transaction, import_sources};
use accord_core::principal::Principal;
use accord_store::{DbUrl, SqlStore};
use std::hint::black_box;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data");

fn main() {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(run());
}

async fn run() {
    let dir = std::env::temp_dir().join(accord_core::ids::generate_id("accord-bench"));
    std::fs::create_dir_all(&dir).unwrap();
    let url = DbUrl::parse(&format!("sqlite://{}", dir.join("bench.db").display())).unwrap();
    let store = SqlStore::open(&url, 4).await.unwrap();
    let op = Principal::Operator { name: "bench".into() };
    let variants = accord_screen::NameVariants::load(std::io::BufReader::new(
        std::fs::File::open(Path::new(DATA).join("names/persons.txt")).unwrap(),
    ))
    .unwrap();
    let app = App::new(Arc::new(store)).with_name_variants(Arc::new(variants));

    let c = Path::new(DATA).join("controls");
    let info = ListInfo { version: "2025-11".into(), effective_date: "2021-01-01".into(), rationale: String::new() };
    let files = SourceFiles {
        eu: &c.join("eu_annex_i_2025-11.json"),
        us: &c.join("us_ccl_headings.json"),
        us_reasons: Some(&c.join("us_ccl_cat3-5_reasons.json")),
        regimes: None,
    };
    app.import_controls(&op, &import_sources(info, &files).unwrap().0, "bench").await.unwrap();
    app.ensure_policies(&op).await.unwrap();

    let bare = [
        r#"{"date":"2025-12-01","origin":"DE","destination":"CN","end_use":{"category":"civil"},"items":[{"code":"3A001.a.1","value":5000,"currency":"EUR","origin":"US"}]}"#,
        r#"{"date":"2025-12-01","origin":"DE","destination":"JP","end_use":{"category":"civil"},"items":[{"code":"3A001"},{"code":"2B001"}]}"#,
        r#"{"date":"2025-12-01","origin":"US","destination":"BR","end_use":{"category":"civil"},"items":[{"code":"1A001","value":4000,"currency":"USD"}]}"#,
        r#"{"date":"2025-12-01","origin":"NL","destination":"TR","end_use":{"category":"civil"},"items":[{"code":"1C350.1"}]}"#,
    ];
    let parties = [
        (r#"[{"role":"consignee","name":"Shenzhen Bright Future Trading Co., Ltd.","country":"CN","type":"organization"},{"role":"end_user","name":"Harbin Institute of Technology","country":"CN","type":"organization"}]"#),
        (r#"[{"role":"consignee","name":"Tanaka Precision KK","country":"JP","type":"organization"},{"role":"end_user","name":"Kenji Watanabe","country":"JP","type":"person"}]"#),
        (r#"[{"role":"purchaser","name":"Adrian Manuel Hernandez","country":"MX","type":"person"},{"role":"consignee","name":"Sao Paulo Metals Ltda","country":"BR","type":"organization"}]"#),
        (r#"[{"role":"consignee","name":"Istanbul Kimya A.S.","country":"TR","type":"organization"},{"role":"end_user","name":"Mohammed Ali Hassan","country":"TR","type":"person"}]"#),
    ];
    let plain: Vec<Transaction> = bare.iter().map(|t| serde_json::from_str(t).unwrap()).collect();
    let screened: Vec<Transaction> = bare
        .iter()
        .zip(parties)
        .map(|(t, p)| {
            let mut v: serde_json::Value = serde_json::from_str(t).unwrap();
            v["parties"] = serde_json::from_str(p).unwrap();
            serde_json::from_value(v).unwrap()
        })
        .collect();

    let measure = |label: &'static str, txs: Vec<Transaction>| {
        let app = app.clone();
        async move {
            let opts = DetermineOptions::default();
            for t in &txs {
                black_box(app.determine(&Principal::Operator { name: "bench".into() }, t, &opts).await.unwrap());
            }
            let mut lat = Vec::new();
            let started = Instant::now();
            while started.elapsed() < Duration::from_secs(3) {
                for t in &txs {
                    let t0 = Instant::now();
                    black_box(app.determine(&Principal::Operator { name: "bench".into() }, t, &opts).await.unwrap());
                    lat.push(t0.elapsed());
                }
            }
            let secs = started.elapsed().as_secs_f64();
            lat.sort();
            let p = |q: f64| lat[((lat.len() as f64 * q) as usize).min(lat.len() - 1)];
            println!(
                "{label:<44} {:>8.0} determinations/s  p50 {:?}  p99 {:?}",
                lat.len() as f64 / secs,
                p(0.5),
                p(0.99)
            );
        }
    };
    measure("service, no parties (SQLite, one thread):", plain).await;

    let lists = ["ofac/sdn.csv", "ofac/cons_prim.csv", "un/UN_consolidated.xml", "eu", "bis/dpl.txt", "csl/csl.csv"];
    let started = Instant::now();
    for rel in lists {
        accord_testing::data::import_list(&app, rel).await;
    }
    app.refresh_screening().await.unwrap();
    println!("lists imported and index built in {:.1} s", started.elapsed().as_secs_f64());
    measure("service, two parties screened (one thread):", screened).await;
    let _ = std::fs::remove_dir_all(&dir);
}
