//! `accord controls …`: import the control list (from the EU and US sources, or Accord's list
//! format), show an entry on any day, search, export, and list the versions.

use crate::cli::ControlsCommand;
use crate::commands::{print_json, service};
use accord_app::App;
use accord_controls::{ControlList, ListInfo};
use accord_core::principal::Principal;
use anyhow::{Context, Result, anyhow};
use std::process::ExitCode;

/// Runs one `controls` command.
pub async fn run(app: &App, p: &Principal, command: ControlsCommand) -> Result<ExitCode> {
    match command {
        ControlsCommand::Import { file, eu, us, us_reasons, regimes, label, effective_date, rationale } => {
            let (list, source) = match (file, eu, us) {
                (Some(file), None, None) => {
                    let f = std::fs::File::open(&file).with_context(|| format!("cannot read {}", file.display()))?;
                    (service(ControlList::from_json(std::io::BufReader::new(f)))?, file.display().to_string())
                }
                (None, Some(eu), Some(us)) => {
                    let info = ListInfo {
                        version: label.ok_or_else(|| anyhow!("--label is needed when importing from the sources"))?,
                        effective_date: effective_date
                            .ok_or_else(|| anyhow!("--effective-date is needed when importing from the sources"))?,
                        rationale: rationale
                            .unwrap_or_else(|| "Imported from the EU Annex I and US CCL sources".to_owned()),
                    };
                    let files = accord_controls::SourceFiles {
                        eu: &eu,
                        us: &us,
                        us_reasons: us_reasons.as_deref(),
                        regimes: regimes.as_deref(),
                    };
                    let (list, problems) = service(accord_controls::import_sources(info, &files))?;
                    for problem in &problems {
                        match problem.line {
                            Some(line) => eprintln!("{}:{line}: {}", problem.file, problem.message),
                            None => eprintln!("{}: {}", problem.file, problem.message),
                        }
                    }
                    let source = [Some(eu), Some(us), us_reasons, regimes]
                        .into_iter()
                        .flatten()
                        .map(|p| p.display().to_string())
                        .collect::<Vec<_>>()
                        .join(", ");
                    (list, source)
                }
                _ => {
                    return Err(anyhow!(
                        "give either one Accord list FILE, or --eu and --us (with optional --us-reasons and --regimes)"
                    ));
                }
            };
            let outcome = service(app.import_controls(p, &list, &source).await)?;
            let v = &outcome.version;
            if outcome.unchanged {
                println!("control list unchanged: version {} ({}) stays, {} entries", v.seq, v.label, v.entries);
            } else {
                println!(
                    "control list version {} ({}) stored: {} entries, in force from {}",
                    v.seq, v.label, v.entries, v.effective_date
                );
            }
        }
        ControlsCommand::Show { code, at } => {
            let answer = service(app.control(&code, at.as_deref()).await)?;
            if crate::output::json() {
                print_json(&answer)?;
            } else {
                let e = &answer.entry;
                println!(
                    "{} {}  (control list {} in force from {})",
                    e.code, e.title, answer.version.label, answer.version.effective_date
                );
                if let Some(sub) = &answer.within {
                    println!("  {sub} is not split out in this list: it is in the text of {} below", e.code);
                }
                for m in &e.mappings {
                    let reasons =
                        if m.reasons.is_empty() { String::new() } else { format!(" [{}]", m.reasons.join(", ")) };
                    println!("  {}: {}{reasons}", m.jurisdiction, m.code);
                }
                if !e.regimes.is_empty() {
                    println!("  regimes: {}", e.regimes.iter().map(|r| r.to_string()).collect::<Vec<_>>().join(", "));
                }
                if !answer.children.is_empty() {
                    println!("  sub-items: {}", answer.children.join(", "));
                }
                println!();
                println!("{}", e.text);
            }
        }
        ControlsCommand::Search { query, at, limit } => {
            let found = service(app.search_controls(&query, limit, at.as_deref()).await)?;
            if crate::output::json() {
                print_json(&found)?;
            } else {
                for (i, h) in found.hits.iter().enumerate() {
                    println!("{:>3}. {:<14} {:.2}  {}", i + 1, h.code.to_string(), h.score, h.title);
                    println!("       {}", h.snippet);
                }
            }
        }
        ControlsCommand::Export { output, at } => {
            let (version, list) = service(app.control_list_at(at.as_deref()).await)?;
            let file = std::fs::File::create(&output).with_context(|| format!("cannot write {}", output.display()))?;
            service(list.write_json(std::io::BufWriter::new(file)))?;
            println!("control list {} ({} entries) written to {}", version.label, version.entries, output.display());
        }
        ControlsCommand::Browse { category, group, at } => {
            let browsed = service(app.browse_controls(&category, group.as_deref(), at.as_deref()).await)?;
            for e in &browsed.entries {
                println!("{:<14} {}", e.code, e.title);
            }
        }
        ControlsCommand::Versions => print_json(&service(app.control_versions().await)?)?,
    }
    Ok(ExitCode::SUCCESS)
}
