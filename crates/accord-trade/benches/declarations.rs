//! Reading and judging export declarations at scale: ROWS generated declarations (default 1,000,000, with 100
//! patterns of each kind injected) written as a file, read back strictly, and every declaration indicator computed
//! over the year; prints the rates and each indicator's precision and recall.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use accord_trade::declarations::{DeclarationIndicator, DeclarationSettings, all, read_declarations};
use accord_trade::generate::{generate, to_csv};
use std::collections::BTreeSet;
use std::time::Instant;

fn main() {
    let rows: usize = std::env::var("ROWS").ok().and_then(|n| n.parse().ok()).unwrap_or(1_000_000);
    let t = Instant::now();
    let (ds, truth) = generate(20_261_205, rows, 100);
    let text = to_csv(&ds);
    println!(
        "generated {} declarations ({:.0} MB of CSV) in {:.1} s",
        ds.len(),
        text.len() as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let read = read_declarations("bench.csv", text.as_bytes()).unwrap();
    let secs = t.elapsed().as_secs_f64();
    println!("read and checked: {:.1} s, {:.0} rows/s", secs, read.len() as f64 / secs);
    drop(text);
    let t = Instant::now();
    let findings = all(&read, &DeclarationSettings::default());
    println!("every indicator over the year: {:.2} s, {} findings", t.elapsed().as_secs_f64(), findings.len());
    for (indicator, truth) in [
        (DeclarationIndicator::Structuring, &truth.structuring),
        (DeclarationIndicator::NewConsignee, &truth.new_consignees),
        (DeclarationIndicator::GaNewDestination, &truth.ga_new_destinations),
    ] {
        let found: BTreeSet<String> =
            findings.iter().filter(|f| f.indicator == indicator).map(|f| f.subject.clone()).collect();
        let hit = found.intersection(truth).count() as f64;
        println!(
            "{:<20} precision {:.3}  recall {:.3}  ({} found, {} injected)",
            indicator.as_str(),
            if found.is_empty() { 1.0 } else { hit / found.len() as f64 },
            hit / truth.len() as f64,
            found.len(),
            truth.len()
        );
    }
}
