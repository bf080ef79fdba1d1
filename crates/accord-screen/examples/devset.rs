//! Accuracy and speed of the screening engine on the development set.
//!
//! Loads every list in the shared data folder, the name-variant table, builds the index and screens
//! `screening-dev/queries.csv`; prints recall@1, recall@10, the false-positive rate, a threshold sweep,
//! recall per perturbation, build time, throughput on one and two threads, latency and peak memory.
//!
//! Usage: `cargo run --release -p accord-screen --example devset [-- DATA_DIR]`
//! (default data folder: `../shared/data` next to the workspace; `SHOW_MISSES=1` lists the misses and
//! false positives with their explanations; `QUERIES=file.csv` screens another set with the same
//! columns; `ROUNDS=n` repeats the speed measurement n times, 0 skips it; `DROP_ARABIC_SCRIPT=1` leaves names
//! in Arabic script out of the index, so that Arabic-script queries must find the Latin names; `ONLY_LIST=id`
//! indexes one list alone, so that the same person listed elsewhere does not take rank 1).

use std::collections::BTreeMap;
use std::fs::File;
use std::io::BufReader;
use std::path::PathBuf;
use std::time::{Duration, Instant};

mod common;

use accord_core::listed::ListedEntity;
use accord_screen::{DEFAULT_THRESHOLD, Hit, Index, NameVariants, Query};
use common::{data_dir, peak_rss_mb, rss_mb};

struct Row {
    query: String,
    expected: Option<(String, String)>,
    perturbation: String,
}

/// Nanoseconds this thread has run on a CPU (first field of `/proc/thread-self/schedstat`).
fn thread_cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|v| v.parse().ok()))
        .unwrap_or(0)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let data = data_dir();
    let started = Instant::now();
    let mut entities: Vec<ListedEntity> = Vec::new();
    for rel in ["ofac/sdn.csv", "ofac/cons_prim.csv", "un/UN_consolidated.xml", "eu", "bis/dpl.txt", "csl/csl.csv"] {
        let list = accord_lists::read(&data.join(rel), None, false)?;
        println!(
            "list {:<14} {:>6} entities  {:>4} problems  ({rel})",
            list.list_id,
            list.entities.len(),
            list.problems.len()
        );
        entities.extend(list.entities);
    }
    println!("lists loaded in {:.2} s: {} entities", started.elapsed().as_secs_f64(), entities.len());
    if let Ok(only) = std::env::var("ONLY_LIST") {
        entities.retain(|e| e.list_id == only);
        println!("only list {only}: {} entities", entities.len());
    }
    if std::env::var_os("DROP_ARABIC_SCRIPT").is_some() {
        // Names in Arabic script are left out, so that queries in that script must cross to the Latin names.
        let arabic = |s: &str| s.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c));
        let mut dropped = 0;
        for e in &mut entities {
            let before = e.names.len();
            e.names.retain(|n| !arabic(&n.name));
            dropped += before - e.names.len();
        }
        println!("left out {dropped} names in Arabic script");
    }

    let t = Instant::now();
    let variants = NameVariants::load(BufReader::new(File::open(data.join("names/persons.txt"))?))?;
    println!("name variants: {} groups, loaded in {:.2} s", variants.len(), t.elapsed().as_secs_f64());

    let rss_before = rss_mb();
    let t = Instant::now();
    let index = Index::build(&entities, Some(&variants));
    let build = t.elapsed();
    println!(
        "index: {} entities, {} names, {} parts; built in {:.2} s; RSS +{:.0} MB",
        index.len(),
        index.names(),
        index.parts(),
        build.as_secs_f64(),
        rss_mb() - rss_before
    );
    drop(entities);

    let mut rows = Vec::new();
    let queries_path = std::env::var_os("QUERIES").map_or(data.join("screening-dev/queries.csv"), PathBuf::from);
    let mut reader = csv::Reader::from_path(queries_path)?;
    for rec in reader.records() {
        let rec = rec?;
        let get = |i: usize| rec.get(i).unwrap_or("").to_owned();
        let (list, id) = (get(1), get(2));
        rows.push(Row { query: get(0), expected: (!id.is_empty()).then_some((list, id)), perturbation: get(3) });
    }
    let queries: Vec<Query> = rows.iter().map(|r| Query::name(r.query.clone())).collect();

    // Accuracy: every hit down to a low threshold, then scored at several thresholds.
    let results: Vec<Vec<Hit>> = queries.iter().map(|q| index.screen(q, 10, 0.5).unwrap_or_default()).collect();
    let metrics = |t: f64| {
        let (mut pos, mut neg, mut r1, mut r10, mut fp) = (0, 0, 0, 0, 0);
        let mut per: BTreeMap<&str, (u32, u32)> = BTreeMap::new();
        for (row, hits) in rows.iter().zip(&results) {
            let above: Vec<&Hit> = hits.iter().filter(|h| h.score >= t).collect();
            match &row.expected {
                Some((list, id)) => {
                    pos += 1;
                    let is = |h: &&Hit| h.list_id == *list && h.entity_id == *id;
                    let ok = above.first().is_some_and(is);
                    r1 += u32::from(ok);
                    r10 += u32::from(above.iter().take(10).any(is));
                    let e = per.entry(row.perturbation.as_str()).or_default();
                    e.0 += u32::from(ok);
                    e.1 += 1;
                }
                None => {
                    neg += 1;
                    fp += u32::from(!above.is_empty());
                }
            }
        }
        (f64::from(r1) / f64::from(pos), f64::from(r10) / f64::from(pos), f64::from(fp) / f64::from(neg), per)
    };
    let (r1, r10, fp, per) = metrics(DEFAULT_THRESHOLD);
    println!();
    println!("default threshold {DEFAULT_THRESHOLD}: recall@1 {r1:.4}  recall@10 {r10:.4}  false positives {fp:.4}");
    println!("threshold sweep:");
    for t in [0.6, 0.65, 0.7, 0.72, 0.74, 0.76, 0.78, 0.8, 0.82, 0.84, 0.86, 0.88, 0.9] {
        let (r1, r10, fp, _) = metrics(t);
        println!("  {t:.2}: recall@1 {r1:.4}  recall@10 {r10:.4}  false positives {fp:.4}");
    }
    println!("recall@1 per perturbation at the default threshold:");
    for (k, (ok, n)) in &per {
        println!("  {k:<18} {:.4}  ({ok}/{n})", f64::from(*ok) / f64::from(*n));
    }
    if std::env::var_os("SHOW_MISSES").is_some() {
        println!();
        for (row, hits) in rows.iter().zip(&results) {
            let above: Vec<&Hit> = hits.iter().filter(|h| h.score >= DEFAULT_THRESHOLD).collect();
            match &row.expected {
                Some((list, id)) => {
                    if above.first().is_some_and(|h| h.list_id == *list && h.entity_id == *id) {
                        continue;
                    }
                    println!("MISS [{}] {:?} want {list}/{id}", row.perturbation, row.query);
                    match hits.iter().position(|h| h.list_id == *list && h.entity_id == *id) {
                        Some(p) => {
                            let h = &hits[p];
                            println!(
                                "   expected at rank {} {:.3} {:?}: {}",
                                p + 1,
                                h.score,
                                h.matched_name,
                                h.explanation
                            )
                        }
                        None => println!("   expected not among hits"),
                    }
                    if let Some(h) = hits.first() {
                        println!(
                            "   top {:.3} {}/{} {:?}: {}",
                            h.score, h.list_id, h.entity_id, h.matched_name, h.explanation
                        );
                    }
                }
                None => {
                    if let Some(h) = above.first() {
                        println!(
                            "FP [{}] {:?} -> {:.3} {}/{} {:?}: {}",
                            row.perturbation, row.query, h.score, h.list_id, h.entity_id, h.matched_name, h.explanation
                        );
                    }
                }
            }
        }
    }

    // Speed at the default threshold, limit 10.
    let rounds: usize = std::env::var("ROUNDS").ok().and_then(|r| r.parse().ok()).unwrap_or(3);
    if rounds == 0 || queries.is_empty() {
        println!("peak RSS {:.0} MB", peak_rss_mb());
        return Ok(());
    }
    let mut latencies: Vec<Duration> = Vec::with_capacity(queries.len() * rounds);
    let cpu_before = thread_cpu_ns();
    let t = Instant::now();
    for _ in 0..rounds {
        for q in &queries {
            let s = Instant::now();
            let _ = index.screen(q, 10, DEFAULT_THRESHOLD);
            latencies.push(s.elapsed());
        }
    }
    let single = (queries.len() * rounds) as f64 / t.elapsed().as_secs_f64();
    let cpu_per_query = (thread_cpu_ns() - cpu_before) as f64 / 1e3 / (queries.len() * rounds).max(1) as f64;
    latencies.sort_unstable();
    let pct = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
    let threads = 2;
    let t = Instant::now();
    std::thread::scope(|s| {
        for k in 0..threads {
            let (index, queries) = (&index, &queries);
            s.spawn(move || {
                for _ in 0..rounds {
                    for q in queries.iter().skip(k).step_by(threads) {
                        let _ = index.screen(q, 10, DEFAULT_THRESHOLD);
                    }
                }
            });
        }
    });
    let multi = (queries.len() * rounds) as f64 / t.elapsed().as_secs_f64();
    println!();
    println!("build time {:.2} s", build.as_secs_f64());
    println!("queries/s: {single:.0} on 1 thread, {multi:.0} on {threads} threads");
    println!(
        "CPU time per query (time this thread ran on a CPU): {cpu_per_query:.1} µs = {:.0} queries/s per core",
        1e6 / cpu_per_query
    );
    println!(
        "latency: p50 {:.0} µs, p99 {:.0} µs, max {:.0} µs",
        pct(0.50).as_secs_f64() * 1e6,
        pct(0.99).as_secs_f64() * 1e6,
        latencies.last().map_or(0.0, |d| d.as_secs_f64() * 1e6)
    );
    println!("peak RSS {:.0} MB", peak_rss_mb());
    Ok(())
}
