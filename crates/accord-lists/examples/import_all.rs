//! Imports every list in the shared data folder and prints counts, problems and timings.
//!
//! `cargo run --release -p accord-lists --example import_all [DATA_DIR]`

use std::path::PathBuf;
use std::time::Instant;

fn main() {
    let data = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data")));
    let lists = ["ofac/sdn.csv", "ofac/cons_prim.csv", "un/UN_consolidated.xml", "eu", "bis/dpl.txt", "csl/csl.csv"];
    let total = Instant::now();
    let mut failed = false;
    for rel in lists {
        let path = data.join(rel);
        let start = Instant::now();
        match accord_lists::read(&path, None, false) {
            Ok(list) => println!(
                "{rel:<24} {:<12} {:>6} entities {:>5} problems {:>4} files  {:>7.1} ms  {}",
                list.list_id,
                list.entities.len(),
                list.problems.len(),
                list.files.len(),
                start.elapsed().as_secs_f64() * 1000.0,
                &list.content_hash[..12],
            ),
            Err(e) => {
                failed = true;
                println!("{rel:<24} error: {e}");
            }
        }
    }
    println!("all lists: {:.1} ms", total.elapsed().as_secs_f64() * 1000.0);
    if failed {
        std::process::exit(1);
    }
}
