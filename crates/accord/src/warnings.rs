//! `accord trade …`, `accord warnings …`, `accord alerts …`: trade statistics, the early-warning indicators, and
//! the alerts they raise.

use crate::cli::{AlertsCommand, DeclarationsCommand, TradeCommand, WarningsCommand};
use crate::commands::{print_json, service};
use crate::governance::{named, read_json};
use accord_app::{AlertAssignment, AlertClosing, App, TradeImport};
use accord_core::principal::Principal;
use accord_core::warning::AlertOutcome;
use anyhow::{Context, Result};

/// Runs one `trade` command.
pub async fn trade(app: &App, p: &Principal, command: TradeCommand) -> Result<()> {
    match command {
        TradeCommand::Import { path, label } => {
            let files = accord_trade::source_files(&path).with_context(|| format!("cannot read {}", path.display()))?;
            let how = TradeImport { label, source: path.display().to_string() };
            print_json(&service(app.import_trade(p, &files, how).await)?)
        }
        TradeCommand::Versions => crate::output::list(
            &service(app.trade_versions(p).await)?,
            &["seq", "label", "observations", "imported", "source"],
            |v| {
                vec![
                    v.seq.to_string(),
                    v.label.clone(),
                    v.entries.to_string(),
                    v.imported_at.to_string(),
                    v.source.clone(),
                ]
            },
        ),
    }
}

/// Runs one `warnings` command.
pub async fn warnings(app: &App, p: &Principal, command: WarningsCommand) -> Result<()> {
    match command {
        WarningsCommand::Indicators { partner, points: true } => {
            print_json(&service(app.indicators(p, partner.as_deref()).await)?)
        }
        WarningsCommand::Indicators { partner, points: false } => {
            let series = service(app.indicators(p, partner.as_deref()).await)?;
            let signals: Vec<_> = series.iter().flat_map(|s| s.signals.iter()).collect();
            crate::output::list(&signals, &["partner", "indicator", "period", "ratio", "threshold", "summary"], |s| {
                vec![
                    s.partner.clone(),
                    s.indicator.as_str().to_owned(),
                    s.period.to_string(),
                    format!("{:.2}", s.ratio),
                    format!("{:.2}", s.threshold),
                    s.summary.clone(),
                ]
            })
        }
        WarningsCommand::Thresholds { set: Some(file) } => {
            print_json(&service(app.set_warning_thresholds(p, read_json(&file, "thresholds")?).await)?)
        }
        WarningsCommand::Thresholds { set: None } => print_json(&service(app.warning_thresholds(p).await)?),
        WarningsCommand::Run => {
            crate::output::list(&service(app.run_early_warning(p).await)?, &["id", "ratio", "summary"], |a| {
                vec![a.id.clone(), format!("{:.2}", a.ratio), a.summary.clone()]
            })
        }
    }
}

/// Runs one `declarations` command.
pub async fn declarations(app: &App, p: &Principal, command: DeclarationsCommand) -> Result<()> {
    match command {
        DeclarationsCommand::Import { file, label } => {
            let bytes = std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let name =
                file.file_name().map_or_else(|| file.display().to_string(), |n| n.to_string_lossy().into_owned());
            print_json(&service(app.import_declarations(p, &name, &bytes, label).await)?)
        }
        DeclarationsCommand::Imports => crate::output::list(
            &service(app.declaration_imports(p).await)?,
            &["seq", "label", "rows", "added", "skipped", "from", "to", "imported"],
            |i| {
                let day = |d: Option<jiff::civil::Date>| d.map(|d| d.to_string()).unwrap_or_default();
                vec![
                    i.seq.to_string(),
                    i.label.clone(),
                    i.rows.to_string(),
                    i.added.to_string(),
                    i.skipped.to_string(),
                    day(i.first_date),
                    day(i.last_date),
                    i.imported_at.to_string(),
                ]
            },
        ),
        DeclarationsCommand::Analyse { file, settings } => {
            let bytes = std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let settings = settings.map(|s| read_json(&s, "declaration settings")).transpose()?;
            let name = file.display().to_string();
            let analysis = service(app.analyse_declarations(p, &name, &bytes, settings).await)?;
            eprintln!("{} declarations read, {} findings", analysis.declarations, analysis.findings.len());
            crate::output::list(&analysis.findings, &["indicator", "subject", "declarations", "summary"], |f| {
                vec![
                    f.indicator.as_str().to_owned(),
                    f.subject.clone(),
                    f.references.len().to_string(),
                    f.summary.clone(),
                ]
            })
        }
        DeclarationsCommand::Generate { rows, patterns, seed, output } => {
            let (ds, truth) = accord_trade::generate::generate(seed, rows, patterns);
            let bytes = if output.extension().is_some_and(|e| e.eq_ignore_ascii_case("parquet")) {
                service(accord_trade::parquet::write(&ds))?
            } else {
                accord_trade::generate::to_csv(&ds).into_bytes()
            };
            std::fs::write(&output, bytes).with_context(|| format!("cannot write {}", output.display()))?;
            eprintln!(
                "{} declarations written to {}: {} structuring, {} new consignees and {} general authorisations moved, \
                 injected",
                ds.len(),
                output.display(),
                truth.structuring.len(),
                truth.new_consignees.len(),
                truth.ga_new_destinations.len()
            );
            Ok(())
        }
    }
}

/// Runs one `alerts` command.
pub async fn alerts(app: &App, p: &Principal, command: AlertsCommand) -> Result<()> {
    match command {
        AlertsCommand::List => crate::output::list(
            &service(app.alerts(p).await)?,
            &["authority", "id", "status", "outcome", "shared", "summary"],
            |a| {
                vec![
                    a.authority_id.clone(),
                    a.id.clone(),
                    a.status.as_str().to_owned(),
                    crate::output::cell(a.outcome.map(|o| o.as_str())),
                    a.shared.to_string(),
                    a.summary.clone(),
                ]
            },
        ),
        AlertsCommand::Assign { id, analyst } => {
            print_json(&service(app.assign_alert(p, &id, AlertAssignment { analyst }).await)?)
        }
        AlertsCommand::Share { id } => print_json(&service(app.share_alert(p, &id).await)?),
        AlertsCommand::Propose { id, input } => {
            print_json(&service(app.propose_from_alert(p, &id, read_json(&input, "a proposal")?).await)?)
        }
        AlertsCommand::Verify { id, kind, assignee, due, case } => {
            let kind = serde_json::from_value(serde_json::json!(kind)).map_err(|_| {
                anyhow::anyhow!("--kind is pre_licence_check, on_site_verification or third_party_audit, not '{kind}'")
            })?;
            let input = accord_app::AlertVerification { case_id: case, kind, assignee, due_date: due };
            print_json(&service(app.verify_from_alert(p, &id, input).await)?)
        }
        AlertsCommand::Close { id, outcome, note } => {
            let outcome = named("outcome", &outcome, AlertOutcome::parse, AlertOutcome::names)?;
            print_json(&service(app.close_alert(p, &id, AlertClosing { outcome, note }).await)?)
        }
    }
}

/// A party of a relation, from its command-line flags.
fn party(
    what: &str,
    list: Option<String>,
    id: Option<String>,
    name: Option<String>,
    country: Option<String>,
) -> Result<accord_core::ownership::PartyRef> {
    let name = match (name, &list, &id) {
        (Some(n), _, _) => n,
        (None, Some(l), Some(i)) => format!("{l}:{i}"),
        _ => anyhow::bail!("--{what}-name, or --{what}-list with --{what}-id, names the {what} party"),
    };
    Ok(accord_core::ownership::PartyRef { list_id: list, entity_id: id, name, country })
}

/// `accord relations …`
pub async fn relations(app: &App, p: &Principal, command: crate::cli::RelationsCommand) -> Result<()> {
    use crate::cli::RelationsCommand;
    match command {
        RelationsCommand::List => crate::output::list(
            &service(app.relations(p).await)?,
            &["authority", "id", "from", "kind", "share", "to", "revoked"],
            |r| {
                vec![
                    r.authority_id.clone(),
                    r.id.clone(),
                    r.from.describe(),
                    r.kind.as_str().to_owned(),
                    crate::output::cell(r.share_percent.map(|s| format!("{s} %"))),
                    r.to.describe(),
                    (r.revoked_at.is_some()).to_string(),
                ]
            },
        ),
        RelationsCommand::Add(a) => {
            let kind = named(
                "kind",
                &a.kind,
                accord_core::ownership::RelationKind::parse,
                accord_core::ownership::RelationKind::names,
            )?;
            let input = accord_app::NewRelation {
                from: party("from", a.from_list, a.from_id, a.from_name, a.from_country)?,
                to: party("to", a.to_list, a.to_id, a.to_name, a.to_country)?,
                kind,
                share_percent: a.share,
                valid_from: a.valid_from,
                valid_until: a.valid_until,
                source: a.source,
            };
            print_json(&service(app.record_relation(p, input).await)?)
        }
        RelationsCommand::Revoke { id, reason } => {
            print_json(&service(app.revoke_relation(p, &id, accord_app::RelationRevocation { reason }).await)?)
        }
    }
}

/// `accord ownership [--at DAY]`: every conclusion, one line each (the whole report with `--json`).
pub async fn ownership(app: &App, p: &Principal, at: Option<String>) -> Result<()> {
    let day =
        at.map(|d| d.parse().map_err(|_| anyhow::anyhow!("--at is a day (YYYY-MM-DD), not '{d}'"))).transpose()?;
    let report = service(app.ownership(p, day).await)?;
    if crate::output::json() {
        return print_json(&report);
    }
    for why in &report.not_applying {
        println!("not applying: {why}");
    }
    crate::output::list(&report.findings, &["rule", "status", "party", "explanation", "missing"], |f| {
        vec![
            f.rule_id.clone(),
            f.status.as_str().to_owned(),
            f.party.describe(),
            f.explanation.clone(),
            f.missing.join("; "),
        ]
    })
}
