//! `accord controls` on the real EU Annex I and US CCL files: import, show, search, export and
//! re-import, and refused input.

use std::path::PathBuf;

use crate::{controls_data, run};
use accord_testing::cli::text;

#[test]
fn control_list_is_imported_shown_searched_and_exported() {
    let dir: PathBuf = std::env::temp_dir().join(accord_core::ids::generate_id("accord-controls-test"));
    std::fs::create_dir_all(&dir).unwrap();
    let (eu, us, reasons, regimes) = (
        controls_data("eu_annex_i_2025-11.json"),
        controls_data("us_ccl_headings.json"),
        controls_data("us_ccl_cat3-5_reasons.json"),
        controls_data("regimes"),
    );
    let args = [
        "controls",
        "import",
        "--eu",
        &eu,
        "--us",
        &us,
        "--us-reasons",
        &reasons,
        "--regimes",
        &regimes,
        "--label",
        "2025-11",
        "--effective-date",
        "2025-11-15",
    ];
    let imported = run(&dir, &args);
    assert!(imported.status.success(), "{}", text(&imported.stderr));
    assert!(
        text(&imported.stdout).contains("control list version 1 (2025-11) stored: 685 entries"),
        "{}",
        text(&imported.stdout)
    );

    let shown = run(&dir, &["controls", "show", "3A001", "--json"]);
    let shown: serde_json::Value = serde_json::from_slice(&shown.stdout).unwrap();
    let mappings = shown["entry"]["mappings"].as_array().unwrap();
    let us_map = mappings.iter().find(|m| m["jurisdiction"] == "US").unwrap();
    assert!(us_map["reasons"].as_array().unwrap().iter().any(|r| r == "NS1"), "{us_map}");
    assert!(mappings.iter().any(|m| m["jurisdiction"] == "EU"));

    let sub_item = text(&run(&dir, &["controls", "show", "3A001.a.1"]).stdout);
    assert!(sub_item.starts_with("3A001 ") && sub_item.contains("3A001.a.1 is not split out"), "{sub_item}");

    let found = text(&run(&dir, &["controls", "search", "frequency synthesizer", "--limit", "3"]).stdout);
    assert!(found.lines().next().unwrap().contains("3A001"), "{found}");

    let early = run(&dir, &["controls", "show", "3A001", "--at", "2020-01-01"]);
    assert_eq!(early.status.code(), Some(5), "not found");
    assert!(text(&early.stderr).contains("no control list was in force on 2020-01-01"));

    assert!(run(&dir, &["controls", "export", "--output", "list.json"]).status.success());
    let again = run(&dir, &["controls", "import", "list.json"]);
    assert!(text(&again.stdout).contains("control list unchanged"), "{}", text(&again.stdout));

    std::fs::write(dir.join("broken.json"), "{\"format\": \"accord-control-list\",").unwrap();
    let broken = run(&dir, &["controls", "import", "broken.json"]);
    assert_eq!(broken.status.code(), Some(4), "input refused");
    assert!(text(&broken.stderr).contains("malformed_file"), "{}", text(&broken.stderr));
    let versions: serde_json::Value = serde_json::from_slice(&run(&dir, &["controls", "versions"]).stdout).unwrap();
    assert_eq!(versions.as_array().unwrap().len(), 1, "refused imports store nothing");
    std::fs::remove_dir_all(&dir).unwrap();
}
