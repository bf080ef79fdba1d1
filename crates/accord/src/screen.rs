//! `accord screen …`: one name, a batch file on every core, pairwise comparison, index facts.

use crate::cli::{ScreenArgs, ScreenCommand};
use crate::commands::{print_json, service};
use accord_app::{App, ScreenQuery};
use accord_core::principal::Principal;
use accord_screen::{DEFAULT_THRESHOLD, Index, Query};
use anyhow::{Context, Result, anyhow};
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

/// Runs `accord screen …`.
pub async fn run(app: &App, p: &Principal, args: ScreenArgs) -> Result<ExitCode> {
    match args.command {
        Some(ScreenCommand::Batch { input, output, threshold, limit }) => {
            let threshold = service(accord_app::check_threshold(threshold.unwrap_or(DEFAULT_THRESHOLD)))?;
            let index = service(app.screening_index().await)?;
            batch(&index, &input, &output, threshold, limit)
        }
        Some(ScreenCommand::Compare { input, output }) => {
            // Parts weigh by their rarity in the lists in force, as in a search (by length when none is).
            let index = service(app.screening_index().await)?;
            compare(app, (!index.is_empty()).then_some(&*index), &input, &output)
        }
        Some(ScreenCommand::Info) => {
            let started = Instant::now();
            let index = service(app.screening_index().await)?;
            let lists = service(app.lists(p).await)?;
            println!("default threshold: {DEFAULT_THRESHOLD}");
            println!(
                "lists in force: {}",
                lists.iter().map(|l| format!("{}@{}", l.list_id, l.version)).collect::<Vec<_>>().join(", ")
            );
            println!("entities: {}", index.len());
            println!("names indexed: {}", index.names());
            println!("load and build: {} ms", started.elapsed().as_millis());
            Ok(ExitCode::SUCCESS)
        }
        Some(ScreenCommand::Latency { input }) => {
            let index = service(app.screening_index().await)?;
            latency(&index, &input)
        }
        None => {
            let name = args.name.ok_or_else(|| {
                anyhow!("give a NAME to screen, or a subcommand (batch, compare, info); see accord screen --help")
            })?;
            let query = ScreenQuery {
                name,
                r#type: args.r#type,
                country: args.country,
                birth_year: args.birth_year,
                subject: None,
                address: args.address,
                identifiers: args.identifier,
                phone: args.phone,
            };
            let threshold = args.threshold.unwrap_or(DEFAULT_THRESHOLD);
            let results = service(app.screen(p, std::slice::from_ref(&query), args.limit, threshold).await)?;
            let result = results.into_iter().next().ok_or_else(|| anyhow!("no result"))?;
            if !crate::output::json() {
                for w in &result.warnings {
                    println!("warning ({}): {}", w.kind.as_str(), w.message);
                }
            }
            if crate::output::json() {
                print_json(&result)?;
                return Ok(ExitCode::SUCCESS);
            }
            if result.hits.is_empty() {
                println!("no hit at or above {threshold} for \"{}\"", query.name);
            } else {
                println!("{} hit(s) for \"{}\" at or above {threshold}:", result.hits.len(), query.name);
                for (i, h) in result.hits.iter().enumerate() {
                    let hit = &h.hit;
                    println!(
                        "{:>3}. {:.3}  {} {}  {} ({:?}, {})",
                        i + 1,
                        hit.score,
                        hit.list_id,
                        hit.entity_id,
                        hit.matched_name,
                        hit.name_kind,
                        hit.kind.as_str()
                    );
                    println!("       {}", hit.explanation);
                }
            }
            for c in &result.connections {
                println!("connected ({:.2}): {}", c.score, c.explanation);
            }
            for o in &result.ownership {
                println!("ownership ({}): {}", o.finding.status.as_str(), o.finding.explanation);
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// One input row of a batch: its line, id and query (or why it cannot be screened).
struct Row {
    line: u64,
    id: String,
    query: Result<Query, String>,
}

fn read_batch(input: &Path) -> Result<Vec<Row>> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(input)
        .with_context(|| format!("cannot read {}", input.display()))?;
    let headers = reader.headers().with_context(|| format!("{}: cannot read the header", input.display()))?.clone();
    let column = |name: &str| headers.iter().position(|h| h.trim().eq_ignore_ascii_case(name));
    let (Some(id_col), Some(name_col)) = (column("id"), column("name")) else {
        return Err(anyhow!(
            "{}: the header must name the columns id and name (optional: type, country, birth_year)",
            input.display()
        ));
    };
    let (type_col, country_col, year_col) = (column("type"), column("country"), column("birth_year"));
    let mut rows = Vec::new();
    for (i, record) in reader.byte_records().enumerate() {
        let line = i as u64 + 2;
        let record = record.with_context(|| format!("{}:{line}: unreadable row", input.display()))?;
        let field = |c: Option<usize>| -> Result<Option<String>, String> {
            match c.and_then(|c| record.get(c)) {
                None => Ok(None),
                Some(b) => std::str::from_utf8(b)
                    .map(|s| Some(s.trim().to_owned()))
                    .map_err(|_| "the row is not valid UTF-8".to_owned()),
            }
        };
        let id = field(Some(id_col)).ok().flatten().unwrap_or_default();
        let query = (|| {
            let name = field(Some(name_col))?.ok_or("the row has no name column")?;
            let birth_year = match field(year_col)?.filter(|y| !y.is_empty()) {
                Some(y) => Some(y.parse::<i32>().map_err(|_| format!("birth_year '{y}' is not a year"))?),
                None => None,
            };
            let q = ScreenQuery {
                name,
                r#type: field(type_col)?,
                country: field(country_col)?,
                birth_year,
                ..ScreenQuery::default()
            };
            q.to_query().map_err(|e| e.message)
        })();
        rows.push(Row { line, id, query });
    }
    Ok(rows)
}

fn csv_writer(output: &Path) -> Result<csv::Writer<std::fs::File>> {
    csv::Writer::from_path(output).with_context(|| format!("cannot write {}", output.display()))
}

fn batch(index: &Index, input: &Path, output: &Path, threshold: f64, limit: usize) -> Result<ExitCode> {
    if !(1..=accord_app::MAX_LIMIT).contains(&limit) {
        return Err(anyhow!("--limit must be between 1 and {}", accord_app::MAX_LIMIT));
    }
    let rows = read_batch(input)?;
    let total = rows.len();
    let started = Instant::now();
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let flagged = std::sync::atomic::AtomicUsize::new(0);
    // A bar on a terminal only; redirected output stays free of it.
    let bar = if std::io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new(total as u64);
        if let Ok(style) =
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} names screened ({per_sec}, {eta} left)")
        {
            bar.set_style(style);
        }
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    let chunk = rows.len().div_ceil(threads * 8).max(1);
    // Each chunk's output lines, in input order.
    let mut outputs: Vec<Vec<[String; 7]>> = Vec::new();
    std::thread::scope(|scope| {
        let handles: Vec<_> = rows
            .chunks(chunk)
            .map(|part| {
                let (bar, flagged) = (&bar, &flagged);
                scope.spawn(move || {
                    let mut out = Vec::new();
                    for row in part {
                        match row
                            .query
                            .as_ref()
                            .map_err(Clone::clone)
                            .and_then(|q| index.screen(q, limit, threshold).map_err(|e| e.message))
                        {
                            Ok(hits) => {
                                for (rank, h) in hits.into_iter().enumerate() {
                                    out.push([
                                        row.id.clone(),
                                        (rank + 1).to_string(),
                                        format!("{:.4}", h.score),
                                        h.list_id,
                                        h.entity_id,
                                        h.matched_name,
                                        h.explanation.to_string(),
                                    ]);
                                }
                            }
                            Err(message) => out.push([
                                row.id.clone(),
                                "0".into(),
                                String::new(),
                                String::new(),
                                String::new(),
                                String::new(),
                                format!("error at line {}: {message}", row.line),
                            ]),
                        }
                        if let Ok(q) = &row.query
                            && !accord_screen::inspect(&q.name).is_empty()
                        {
                            flagged.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        }
                        bar.inc(1);
                    }
                    out
                })
            })
            .collect();
        for h in handles {
            outputs.push(h.join().unwrap_or_default());
        }
    });
    let mut w = csv_writer(output)?;
    w.write_record(["id", "rank", "score", "list", "entity_id", "matched_name", "explanation"])?;
    let mut errors = 0;
    for line in outputs.iter().flatten() {
        if line[1] == "0" {
            errors += 1;
            eprintln!("{}: {}", input.display(), line[6]);
        }
        w.write_record(line)?;
    }
    w.flush()?;
    let secs = started.elapsed().as_secs_f64();
    bar.finish_and_clear();
    let flagged = flagged.into_inner();
    eprintln!(
        "screened {} names in {secs:.2} s ({:.0}/s on {threads} threads); {errors} rows refused; {flagged} names written with invisible characters, direction controls or mixed alphabets; results in {}",
        rows.len(),
        rows.len() as f64 / secs.max(1e-9),
        output.display()
    );
    std::io::stderr().flush()?;
    Ok(ExitCode::SUCCESS)
}

fn compare(app: &App, index: Option<&Index>, input: &Path, output: &Path) -> Result<ExitCode> {
    let mut reader = csv::Reader::from_path(input).with_context(|| format!("cannot read {}", input.display()))?;
    let headers = reader.headers()?.clone();
    let column = |name: &str| headers.iter().position(|h| h.trim().eq_ignore_ascii_case(name));
    let (Some(id), Some(left), Some(right)) = (column("id"), column("left"), column("right")) else {
        return Err(anyhow!(
            "{}: the header must name the columns id, left and right (optional: type)",
            input.display()
        ));
    };
    let kind_col = column("type");
    let mut w = csv_writer(output)?;
    w.write_record(["id", "score", "explanation"])?;
    for (i, record) in reader.records().enumerate() {
        let record = record.with_context(|| format!("{}:{}: unreadable row", input.display(), i + 2))?;
        let get = |c: usize| record.get(c).unwrap_or("").trim();
        let scored = accord_app::parse_kind(kind_col.map(get)).and_then(|kind| match index {
            Some(index) => index.compare(get(left), get(right), kind),
            None => accord_screen::compare(get(left), get(right), kind, app.name_variants().as_deref()),
        });
        match scored {
            Ok((score, explanation)) => w.write_record([get(id), &format!("{score:.4}"), &explanation.to_string()])?,
            Err(e) => w.write_record([get(id), "", &format!("error at line {}: {}", i + 2, e.message)])?,
        }
    }
    w.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn latency(index: &Index, input: &Path) -> Result<ExitCode> {
    let rows = read_batch(input)?;
    let mut times: Vec<f64> = Vec::with_capacity(rows.len());
    for row in &rows {
        if let Ok(q) = &row.query {
            let t = Instant::now();
            let _ = index.screen(q, 10, DEFAULT_THRESHOLD);
            times.push(t.elapsed().as_secs_f64() * 1e6);
        }
    }
    if times.is_empty() {
        return Err(anyhow!("no screenable names in {}", input.display()));
    }
    times.sort_by(f64::total_cmp);
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    println!(
        "{} queries, one thread: mean {:.0} µs, p50 {:.0} µs, p99 {:.0} µs, max {:.0} µs",
        times.len(),
        times.iter().sum::<f64>() / times.len() as f64,
        at(0.5),
        at(0.99),
        at(1.0)
    );
    Ok(ExitCode::SUCCESS)
}
