//! How the screening index grows from 50,000 to 1,000,000 listed names: build time, resident memory and
//! single-query latency at each size.
//!
//! The real lists of the shared data folder are indexed together with made-up persons whose names combine two
//! or three name forms of `names/persons.txt` (Latin forms of three to twelve letters, drawn with a fixed
//! seed), so that the dictionary, the postings and the candidate sets grow as they would with more real
//! names. The development set is screened at every size on one thread (latency), and its recall@1 and false
//! positives are printed to show what more names around the listed ones do to accuracy.
//!
//! Usage: `cargo run --release -p accord-screen --example scale [-- DATA_DIR]` (`SIZES=50000,1000000` to choose
//! the sizes, in names; `SLOWEST=1` lists the slowest queries at each size).

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::time::Instant;

mod common;

use accord_core::listed::{EntityKind, ListedEntity};
use accord_screen::{DEFAULT_THRESHOLD, Index, NameVariants, Query};
use common::{Rng, data_dir, rss_mb};

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let data = data_dir();
    let mut real: Vec<ListedEntity> = Vec::new();
    for rel in ["ofac/sdn.csv", "ofac/cons_prim.csv", "un/UN_consolidated.xml", "eu", "bis/dpl.txt", "csl/csl.csv"] {
        real.extend(accord_lists::read(&data.join(rel), None, false)?.entities);
    }
    let real_names: usize = real.iter().map(|e| e.names.len()).sum();
    let mut forms: Vec<String> = Vec::new();
    for line in BufReader::new(File::open(data.join("names/persons.txt"))?).lines() {
        let line = line?;
        let Some((left, _)) = line.rsplit_once("=>") else { continue };
        for f in left.split(',').map(str::trim) {
            if (3..=12).contains(&f.len()) && f.bytes().all(|b| b.is_ascii_lowercase()) {
                forms.push(capitalised(f));
            }
        }
    }
    forms.sort_unstable();
    forms.dedup();
    let variants = NameVariants::load(BufReader::new(File::open(data.join("names/persons.txt"))?))?;
    let mut rows: Vec<(String, Option<(String, String)>)> = Vec::new();
    let mut reader = csv::Reader::from_path(data.join("screening-dev/queries.csv"))?;
    for rec in reader.records() {
        let rec = rec?;
        let get = |i: usize| rec.get(i).unwrap_or("").to_owned();
        let id = get(2);
        rows.push((get(0), (!id.is_empty()).then(|| (get(1), id))));
    }
    println!(
        "{} real entities ({real_names} names), {} name forms to make persons from, {} queries",
        real.len(),
        forms.len(),
        rows.len()
    );
    let sizes: Vec<usize> = std::env::var("SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![50_000, 100_000, 250_000, 500_000, 1_000_000]);
    println!("names      build s   index MB   p50 µs   p99 µs   max µs   recall@1   false positives");
    for size in sizes {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let mut entities = real.clone();
        for i in 0..size.saturating_sub(real_names) {
            let parts = 2 + rng.below(2) as usize;
            let name: Vec<&str> = (0..parts).map(|_| forms[rng.below(forms.len() as u64) as usize].as_str()).collect();
            entities.push(ListedEntity::new("synthetic", &format!("s{i}"), EntityKind::Person, &name.join(" ")));
        }
        let before = rss_mb();
        let t = Instant::now();
        let index = Index::build(&entities, Some(&variants));
        let build = t.elapsed().as_secs_f64();
        drop(entities);
        let index_mb = rss_mb() - before;
        let mut times: Vec<f64> = Vec::with_capacity(rows.len());
        let (mut pos, mut neg, mut ok, mut fp) = (0usize, 0usize, 0usize, 0usize);
        for (q, expected) in &rows {
            let query = Query::name(q.clone());
            let t = Instant::now();
            let hits = index.screen(&query, 10, DEFAULT_THRESHOLD).unwrap_or_default();
            times.push(t.elapsed().as_secs_f64() * 1e6);
            match expected {
                Some((list, id)) => {
                    pos += 1;
                    ok += usize::from(hits.first().is_some_and(|h| h.list_id == *list && h.entity_id == *id));
                }
                None => {
                    neg += 1;
                    fp += usize::from(!hits.is_empty());
                }
            }
        }
        if std::env::var_os("SLOWEST").is_some() {
            let mut slow: Vec<(f64, &str)> = times.iter().copied().zip(rows.iter().map(|r| r.0.as_str())).collect();
            slow.sort_by(|a, b| b.0.total_cmp(&a.0));
            for (t, q) in slow.iter().take(15) {
                println!("  {t:>8.0} µs  {q}");
            }
        }
        times.sort_by(f64::total_cmp);
        let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
        println!(
            "{:>9}  {build:>7.2}  {index_mb:>9.0}  {:>7.0}  {:>7.0}  {:>7.0}   {:>8.4}   {:>8.4}",
            index.names(),
            at(0.5),
            at(0.99),
            at(1.0),
            ok as f64 / pos.max(1) as f64,
            fp as f64 / neg.max(1) as f64
        );
    }
    Ok(())
}
