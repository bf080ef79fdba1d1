//! `accord lists …`: import list files, show diffs and the versions in force.

use crate::cli::ListsCommand;
use crate::commands::{print_json, service};
use accord_app::{App, ListImport};
use accord_core::principal::Principal;
use anyhow::{Result, anyhow};
use std::process::ExitCode;

/// How many skipped rows are printed without `--verbose`.
const PROBLEMS_SHOWN: usize = 20;

/// Runs one `lists` command.
pub async fn run(app: &App, p: &Principal, command: ListsCommand) -> Result<ExitCode> {
    match command {
        ListsCommand::Import { format, strict, verbose, paths } => {
            let format = match format {
                Some(f) => Some(accord_lists::Format::parse(&f).ok_or_else(|| {
                    let known: Vec<_> = accord_lists::Format::ALL.iter().map(|f| f.as_str()).collect();
                    anyhow!("unknown format '{f}' (one of: {})", known.join(", "))
                })?),
                None => None,
            };
            // Every path is read and checked before anything is imported: all or nothing.
            let mut lists = Vec::with_capacity(paths.len());
            for path in &paths {
                lists.push(service(accord_lists::read(path, format, strict))?);
            }
            for parsed in lists {
                for (i, problem) in parsed.problems.iter().enumerate() {
                    if i == PROBLEMS_SHOWN && !verbose {
                        eprintln!("… and {} more skipped rows (--verbose shows all)", parsed.problems.len() - i);
                        break;
                    }
                    eprintln!("{}:{}: skipped: {}", problem.file, problem.line, problem.message);
                }
                let source = parsed.files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>().join(", ");
                let outcome = service(app.import_list(p, import_of(parsed, source)).await)?;
                let v = &outcome.version;
                if outcome.unchanged {
                    println!(
                        "{}: unchanged, version {} stays in force ({} entities)",
                        v.list_id, v.version, v.entities
                    );
                } else {
                    println!(
                        "{}: version {} in force ({} entities: {} added, {} changed, {} removed; {} rows skipped)",
                        v.list_id, v.version, v.entities, v.added, v.changed, v.removed, v.problems
                    );
                }
            }
        }
        ListsCommand::Diff { list, version } => {
            let (v, changes) = service(app.list_diff(p, &list, version).await)?;
            if crate::output::json() {
                print_json(&serde_json::json!({ "version": v, "changes": changes }))?;
            } else {
                println!(
                    "{} version {} (imported {} from {}): {} added, {} changed, {} removed",
                    v.list_id, v.version, v.imported_at, v.source, v.added, v.changed, v.removed
                );
                for c in changes {
                    let mark = match c.change {
                        accord_core::listed::ChangeKind::Added => '+',
                        accord_core::listed::ChangeKind::Changed => '~',
                        accord_core::listed::ChangeKind::Removed => '-',
                    };
                    let fields =
                        if c.fields.is_empty() { String::new() } else { format!("  ({})", c.fields.join(", ")) };
                    println!("{mark} {:<24} {}{fields}", c.entity_id, c.name);
                }
            }
        }
        ListsCommand::Sync { .. } => unreachable!("run by commands::sync_now"),
        ListsCommand::Export { list, output } => {
            let entities = service(app.list_entities(p, &list).await)?;
            let file = std::fs::File::create(&output).map_err(|e| anyhow!("cannot write {}: {e}", output.display()))?;
            let mut out = std::io::BufWriter::new(file);
            accord_lists::write_ftm(&entities, &mut out)
                .map_err(|e| anyhow!("cannot write {}: {e}", output.display()))?;
            std::io::Write::flush(&mut out)?;
            println!("{list}: {} entities written to {}", entities.len(), output.display());
        }
        ListsCommand::Status => {
            let lists = service(app.lists(p).await)?;
            let syncs = service(app.sync_states().await)?;
            if crate::output::json() {
                print_json(&serde_json::json!({ "lists": lists, "sync": syncs }))?;
            } else if lists.is_empty() && syncs.is_empty() {
                println!("no lists imported yet (accord lists import PATH…, or accord lists sync)");
            } else {
                println!("{:<16} {:>7} {:>9}  {:<27}  age", "list", "version", "entities", "imported");
                for v in lists {
                    println!(
                        "{:<16} {:>7} {:>9}  {:<27}  {}",
                        v.list_id,
                        v.version,
                        v.entities,
                        v.imported_at,
                        age(v.imported_at)
                    );
                }
                for s in syncs {
                    println!(
                        "last sync of {}: {} {} ago: {}",
                        s.list_id,
                        s.outcome.as_str(),
                        age(s.checked_at),
                        s.message
                    );
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// How long ago a stored timestamp was, for people: `42s`, `5m`, `3h 12m`, `2d 4h`.
pub fn age(then: accord_core::Timestamp) -> String {
    let secs = (accord_core::now().as_second() - then.as_second()).max(0);
    match secs {
        s if s < 60 => format!("{s}s"),
        s if s < 3600 => format!("{}m", s / 60),
        s if s < 86_400 => format!("{}h {}m", s / 3600, s % 3600 / 60),
        s => format!("{}d {}h", s / 86_400, s % 86_400 / 3600),
    }
}

/// A list read from files, as the import that puts it in force (`source`: where it was read from).
pub(crate) fn import_of(parsed: accord_lists::ParsedList, source: String) -> ListImport {
    ListImport {
        list_id: parsed.list_id.clone(),
        format: parsed.format.as_str().to_owned(),
        content_hash: parsed.content_hash.clone(),
        problems: parsed.problems.len(),
        entities: parsed.entities,
        source,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn age_is_written_in_the_largest_units() {
        let ago = |s: i64| accord_core::now().plus(jiff::SignedDuration::from_secs(-s));
        assert_eq!(super::age(ago(5)), "5s");
        assert_eq!(super::age(ago(3 * 3600 + 12 * 60 + 3)), "3h 12m");
        assert_eq!(super::age(ago(2 * 86_400 + 4 * 3600)), "2d 4h");
        assert_eq!(super::age(ago(-30)), "0s", "a clock ahead of ours reads as now");
    }
}
