//! `accord policies …` and `accord determine`: check, store and show the policies; determine a transaction.

use crate::cli::{DetermineArgs, PoliciesCommand};
use crate::commands::{print_json, service};
use accord_app::{App, DetermineOptions, PolicyImport};
use accord_controls::{Determination, PolicySet, PolicySource, Transaction};
use accord_core::principal::Principal;
use anyhow::{Context, Result, anyhow};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Every `.toml` file below a folder, named by its path relative to the folder, in name order.
pub fn read_policy_dir(dir: &Path) -> Result<Vec<PolicySource>> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<PolicySource>) -> Result<()> {
        let entries = std::fs::read_dir(dir).with_context(|| format!("cannot read the folder {}", dir.display()))?;
        for entry in entries {
            let path = entry?.path();
            if path.is_dir() {
                walk(root, &path, out)?;
            } else if path.extension().is_some_and(|e| e == "toml") {
                let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
                let name = path.strip_prefix(root).unwrap_or(&path).to_string_lossy().replace('\\', "/");
                out.push(PolicySource { name, text });
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out)?;
    if out.is_empty() {
        return Err(anyhow!("no .toml policy files in {}", dir.display()));
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// The files of a named folder, else of `./policies`, else the built-in set; with where they came from.
fn sources(dir: Option<PathBuf>) -> Result<(Vec<PolicySource>, String)> {
    match dir {
        Some(d) => Ok((read_policy_dir(&d)?, d.display().to_string())),
        None if Path::new(accord_controls::POLICY_DIR).is_dir() => {
            Ok((read_policy_dir(Path::new(accord_controls::POLICY_DIR))?, accord_controls::POLICY_DIR.to_owned()))
        }
        None => Ok((accord_controls::builtin_policies(), "built-in".to_owned())),
    }
}

/// Runs one `policies` command.
pub async fn policies(app: &App, p: &Principal, command: PoliciesCommand) -> Result<ExitCode> {
    match command {
        PoliciesCommand::Check { dir } => {
            let (files, from) = sources(dir)?;
            let set = service(PolicySet::parse(&files))?;
            println!("policies OK: {} files from {from}", files.len());
            for info in set.info() {
                println!(
                    "  {:<10} {:<22} version {:<8} from {}  {} rules, {} authorisations",
                    info.jurisdiction, info.file, info.version, info.effective_date, info.rules, info.authorisations
                );
            }
            println!("sources:");
            for s in set.sources() {
                let issue = s.issue_date.map_or(String::new(), |d| format!(", issue {d}"));
                let trust = if s.verified { "primary source" } else { "hand-encoded, unverified" };
                println!("  {:<34} {trust}{issue}: {}", s.file, s.document);
            }
        }
        PoliciesCommand::Import { dir, label, effective_date, rationale } => {
            let (files, source) = sources(dir)?;
            let how = PolicyImport { label, effective_date, rationale, source };
            let outcome = service(app.import_policies(p, &files, how).await)?;
            let v = &outcome.version;
            if outcome.unchanged {
                println!("policies unchanged: version {} ({}) stays", v.seq, v.label);
            } else {
                println!(
                    "policy version {} ({}) stored: {} files, in force from {}",
                    v.seq, v.label, v.entries, v.effective_date
                );
            }
        }
        PoliciesCommand::Show { at } => print_json(&service(app.policy_version_info(at.as_deref()).await)?)?,
        PoliciesCommand::Versions => print_json(&service(app.policy_versions().await)?)?,
        PoliciesCommand::Generate { us_ecfr, output, check } => return generate(&us_ecfr, &output, check),
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs `accord policies generate`: the US fact files from the eCFR-derived inputs, checked with the folder's other
/// files before anything is written; `check` only compares.
pub fn generate(input: &Path, output: &Path, check: bool) -> Result<ExitCode> {
    let read = |name: &str| {
        let path = input.join(name);
        std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))
    };
    let [chart, groups, ccl] = accord_controls::US_ECFR_INPUTS.map(read);
    let (chart, groups, ccl) = (chart?, groups?, ccl?);
    let generated = service(accord_controls::generate_us_ecfr(&accord_controls::UsEcfrInput {
        chart: &chart,
        groups: &groups,
        ccl: &ccl,
    }))?;
    let mut files = read_policy_dir(output)?;
    let mut changed = Vec::new();
    for g in &generated {
        match files.iter_mut().find(|f| f.name == g.name) {
            Some(f) if f.text == g.text => {}
            Some(f) => {
                f.text.clone_from(&g.text);
                changed.push(g.name.clone());
            }
            None => {
                files.push(PolicySource { name: g.name.clone(), text: g.text.clone() });
                changed.push(g.name.clone());
            }
        }
    }
    service(PolicySet::parse(&files))
        .context("the generated files do not check with the policy folder; nothing was written")?;
    if check {
        if changed.is_empty() {
            println!("generated US facts are up to date in {}", output.display());
            return Ok(ExitCode::SUCCESS);
        }
        println!("would change: {}", changed.join(", "));
        return Ok(ExitCode::FAILURE);
    }
    for g in generated.iter().filter(|g| changed.contains(&g.name)) {
        let path = output.join(&g.name);
        let tmp = path.with_extension("toml.tmp");
        std::fs::write(&tmp, &g.text).with_context(|| format!("cannot write {}", tmp.display()))?;
        std::fs::rename(&tmp, &path).with_context(|| format!("cannot write {}", path.display()))?;
    }
    println!("{} of {} generated files changed in {}", changed.len(), generated.len(), output.display());
    Ok(ExitCode::SUCCESS)
}

/// Runs `accord determine`.
pub async fn determine(app: &App, p: &Principal, args: DetermineArgs) -> Result<ExitCode> {
    let mut text = String::new();
    if args.input.as_os_str() == "-" {
        std::io::stdin().read_to_string(&mut text).context("cannot read standard input")?;
    } else {
        text = std::fs::read_to_string(&args.input).with_context(|| format!("cannot read {}", args.input.display()))?;
    }
    let tx: Transaction = serde_json::from_str(&text).map_err(|e| {
        anyhow!("{}: not a transaction: {e} (line {}, column {})", args.input.display(), e.line(), e.column())
    })?;
    service(app.ensure_policies(p).await)?;
    let opts = DetermineOptions { at: args.at, threshold: args.threshold.unwrap_or(accord_screen::DEFAULT_THRESHOLD) };
    let d = service(app.determine(p, &tx, &opts).await)?;
    if crate::output::json() {
        print_json(&d)?;
    } else {
        print_determination(&d);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_determination(d: &Determination) {
    if let Some(note) = &d.note {
        println!("{note}");
    }
    for j in &d.jurisdictions {
        let mut head = format!("{:<3} {}", j.jurisdiction, j.outcome.as_str());
        if let Some(path) = j.review_path {
            head.push_str(&format!(" (review: {})", path.as_str()));
        }
        if !j.general_authorisations.is_empty() {
            head.push_str(&format!(" under {}", j.general_authorisations.join(", ")));
        }
        println!("{head}");
        println!("    applies: {}", j.applies_because);
        for r in &j.reasons {
            let lifted = r.lifted_by.as_ref().map(|a| format!(" [lifted by {a}]")).unwrap_or_default();
            let missing = if r.missing_data { " [missing data]" } else { "" };
            println!("    - {} ({}){lifted}{missing}", r.rule, r.outcome.as_str());
            println!("      {}", r.detail);
            println!("      {}", r.citation);
        }
        for n in &j.not_available {
            println!("    not available: {} for item {}: {}", n.authorisation, n.item, n.why);
        }
        for o in &j.obligations {
            println!("    obligation: {o}");
        }
    }
    for w in &d.warnings {
        println!("warning: {w}");
    }
    for h in &d.party_hits {
        let state = if h.in_force { "in force" } else { "not in force on the transaction date" };
        println!(
            "party {}: {} {} '{}' score {:.2} ({state})",
            h.party, h.list_id, h.entity_id, h.matched_name, h.score
        );
    }
    println!(
        "versions: control list {}; policies {}{}",
        d.versions.control_list,
        d.versions.policies,
        if d.versions.lists.is_empty() { String::new() } else { format!("; lists {}", d.versions.lists) }
    );
}
