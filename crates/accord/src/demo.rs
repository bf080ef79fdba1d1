//! `accord serve --demo`: seeds a demo coalition on a fresh node and prints who can sign in.

use accord_app::{App, DEMO_PASSWORD};
use accord_controls::ListInfo;
use accord_core::ErrorCode;
use anyhow::{Result, anyhow};
use std::net::SocketAddr;
use std::path::Path;

/// The control list of the demo: the real EU and US data when it sits in `data`, the project's small list otherwise.
fn control_list(data: &Path) -> Result<(accord_controls::ControlList, String)> {
    let d = data.join("controls");
    let (eu, us, reasons) =
        (d.join("eu_annex_i_2025-11.json"), d.join("us_ccl_headings.json"), d.join("us_ccl_cat3-5_reasons.json"));
    if eu.is_file() && us.is_file() {
        let info = ListInfo {
            version: "2025-11".into(),
            effective_date: "2021-01-01".into(),
            rationale: "The EU Annex I and US CCL sources, for the demo".into(),
        };
        let files = accord_controls::SourceFiles {
            eu: &eu,
            us: &us,
            us_reasons: reasons.is_file().then_some(reasons.as_path()),
            regimes: None,
        };
        let (list, _) = accord_controls::import_sources(info, &files).map_err(|e| anyhow!("{}", e.message))?;
        return Ok((list, format!("the real EU and US control data in {}", d.display())));
    }
    let list = accord_app::demo_control_list("2021-01-01").map_err(|e| anyhow!("{}", e.message))?;
    Ok((list, "a small control list of the project's own (the real data was not found)".to_owned()))
}

/// Seeds the demo on a fresh node; on a node with records, says so and changes nothing.
pub async fn seed(app: &App, data: &Path, addr: SocketAddr) -> Result<()> {
    let (list, source) = control_list(data)?;
    match app.seed_demo(&list).await {
        Ok(report) => {
            println!("Demo coalition ready, with {source}.");
            println!("Open http://{addr}/sign-in and sign in as any of these, password \"{DEMO_PASSWORD}\":");
            let width = report.people.iter().map(|p| p.email.len()).max().unwrap_or(0);
            for p in &report.people {
                println!("  {:<width$}  {:<15} {:<40} {}", p.email, p.role, p.of, p.try_this);
            }
            println!("Cases:");
            for (id, state) in &report.cases {
                println!("  {id}  {state}");
            }
            ownership(app, data).await?;
            Ok(())
        }
        Err(e) if e.code == ErrorCode::AlreadyBootstrapped => {
            println!("This node has records already; the demo seeds only a fresh node (use another --db).");
            Ok(())
        }
        Err(e) => Err(anyhow!("the demo could not be seeded: {}", e.message)),
    }
}

/// With OFAC's SDN list beside the node, puts it in force and records an illustrative ownership for the demo analyst.
async fn ownership(app: &App, data: &Path) -> Result<()> {
    let sdn = data.join("ofac/sdn.csv");
    if !sdn.is_file() {
        return Ok(());
    }
    let parsed = accord_lists::read(&sdn, None, false).map_err(|e| anyhow!("{}", e.message))?;
    let import = crate::lists::import_of(parsed, sdn.display().to_string());
    let firm = app.seed_demo_ownership(import).await.map_err(|e| anyhow!("the demo ownership: {}", e.message))?;
    println!(
        "OFAC's SDN list is in force; an SDN organisation holds 60 % of \"{firm}\" (an illustration): see /ownership, \
         and screen \"{firm}\" at /screen."
    );
    Ok(())
}
