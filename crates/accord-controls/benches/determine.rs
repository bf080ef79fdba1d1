//! Determinations per second on one core, in process, without party screening: a mix of transactions (EU and
//! US, listed and unlisted items, general authorisations, embargoes, catch-alls) over the real control list and
//! the built-in policies. Run with `cargo bench -p accord-controls --bench determine`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use accord_controls::{
    CheckTransaction, ListInfo, PolicySet, Screening, SourceFiles, Transaction, builtin_policies, determine,
    import_sources,
};
use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/controls");

fn main() {
    let d = Path::new(DATA);
    let info = ListInfo { version: "2025-11".into(), effective_date: "2025-11-15".into(), rationale: String::new() };
    let files = SourceFiles {
        eu: &d.join("eu_annex_i_2025-11.json"),
        us: &d.join("us_ccl_headings.json"),
        us_reasons: Some(&d.join("us_ccl_cat3-5_reasons.json")),
        regimes: Some(&d.join("regimes")),
    };
    let list = import_sources(info, &files).unwrap().0;
    let policies = PolicySet::parse(&builtin_policies()).unwrap();
    let mix = [
        r#"{"date":"2026-08-03","origin":"DE","destination":"CN","end_use":{"category":"civil"},"items":[{"code":"3A001.a.1","value":5000,"currency":"EUR","origin":"US"}]}"#,
        r#"{"date":"2025-12-01","origin":"DE","destination":"JP","end_use":{"category":"civil"},"items":[{"code":"3A001"},{"code":"2B001"}]}"#,
        r#"{"date":"2025-12-01","origin":"FR","destination":"FR","end_use":{"category":"civil"},"items":[{"code":"0B001"}]}"#,
        r#"{"date":"2025-12-01","origin":"DE","destination":"PK","end_use":{"category":"wmd"},"items":[{"code":null,"description":"pumps"}]}"#,
        r#"{"date":"2026-08-03","origin":"US","destination":"BR","end_use":{"category":"civil"},"items":[{"code":"1A001","value":4000,"currency":"USD"}]}"#,
        r#"{"date":"2026-08-03","origin":"US","destination":"CN","end_use":{"category":"civil"},"items":[{"code":"5A002.a"},{"code":"3A090"}]}"#,
        r#"{"date":"2023-01-01","origin":"US","destination":"RU","end_use":{"category":"civil"},"items":[{"code":null}]}"#,
        r#"{"date":"2025-12-01","origin":"NL","destination":"TR","end_use":{"category":"civil"},"items":[{"code":"1C350.1"}]}"#,
    ];
    let txs: Vec<_> =
        mix.iter().map(|t| serde_json::from_str::<Transaction>(t).unwrap().check(&list, &policies).unwrap()).collect();
    let raw: Vec<Transaction> = mix.iter().map(|t| serde_json::from_str(t).unwrap()).collect();

    // Warm up, then measure for a fixed time on this one thread.
    for t in &txs {
        black_box(determine(&policies, &list, t, Some(Screening::default())).unwrap());
    }
    let run = |with_check: bool| {
        let mut n = 0u64;
        let mut reasons = 0usize;
        let mut latencies = Vec::with_capacity(1 << 20);
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(3) {
            for (t, r) in txs.iter().zip(&raw) {
                let t0 = Instant::now();
                let d = if with_check {
                    let c = r.check(&list, &policies).unwrap();
                    determine(&policies, &list, &c, Some(Screening::default())).unwrap()
                } else {
                    determine(&policies, &list, t, Some(Screening::default())).unwrap()
                };
                latencies.push(t0.elapsed());
                reasons += d.jurisdictions.iter().map(|j| j.reasons.len()).sum::<usize>();
                black_box(d);
                n += 1;
            }
        }
        let secs = started.elapsed().as_secs_f64();
        latencies.sort();
        let p = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
        (n as f64 / secs, p(0.5), p(0.99), reasons as f64 / n as f64)
    };
    let (rate, p50, p99, reasons) = run(false);
    println!(
        "determine (checked transaction), one thread: {rate:>10.0} determinations/s  p50 {p50:?}  p99 {p99:?}  ({reasons:.1} reasons each)"
    );
    let (rate, p50, p99, _) = run(true);
    println!("check + determine, one thread:               {rate:>10.0} determinations/s  p50 {p50:?}  p99 {p99:?}");
}
