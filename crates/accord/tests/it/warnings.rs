//! Early warning from the command line: the real trade statistics imported from their folder, alerts raised by an
//! analyst's key, and one closed with its outcome; the dashboard and the transparency report as CSV.

use super::run;
use accord_testing::cli::{ok, temp_dir, text};

#[test]
fn an_analyst_imports_trade_statistics_raises_alerts_and_closes_one_from_the_command_line() {
    let dir = temp_dir("accord-warnings-test");
    let folder = accord_testing::data::text(&accord_testing::data::shared("trade"));
    let authority = ["authority", "add", "--id", "DE-BAFA", "--name", "BAFA", "--jurisdiction", "EU"];
    ok(&run(&dir, &[&authority[..], &["--country", "DE", "--time-zone", "Europe/Berlin"]].concat()));
    let add =
        ["user", "add", "--name", "A", "--email", "a@bafa.example", "--role", "analyst", "--authority", "DE-BAFA"];
    let u: serde_json::Value = serde_json::from_str(&ok(&run(&dir, &add))).unwrap();
    let key =
        ok(&run(&dir, &["key", "create", "--user", u["id"].as_str().unwrap()])).lines().last().unwrap().to_owned();
    let as_analyst = |args: &[&str]| run(&dir, &[&["--api-key", key.as_str()][..], args].concat());

    let missing = as_analyst(&["warnings", "run"]);
    assert!(text(&missing.stderr).contains("accord trade import"), "{}", text(&missing.stderr));
    let imported: serde_json::Value = serde_json::from_str(&ok(&run(&dir, &["trade", "import", &folder]))).unwrap();
    assert_eq!(imported["unchanged"], false, "{imported}");
    assert!(ok(&run(&dir, &["trade", "versions"])).contains("44252"));
    let signals = ok(&as_analyst(&["warnings", "indicators", "--partner", "KG"]));
    assert!(signals.contains("mirror_gap") && signals.contains("2022"), "{signals}");
    let raised = ok(&as_analyst(&["warnings", "run"]));
    assert!(raised.contains("alr-export_growth-kg-2022-08"), "{raised}");
    let wrong = as_analyst(&["alerts", "close", "alr-export_growth-kg-2022-08", "maybe", "--note", "x"]);
    assert!(text(&wrong.stderr).contains("confirmed, no_concern, referred"), "{}", text(&wrong.stderr));
    let closed =
        ok(&as_analyst(&["alerts", "close", "alr-export_growth-kg-2022-08", "referred", "--note", "To customs."]));
    assert!(closed.contains("\"referred\""), "{closed}");
    assert!(ok(&as_analyst(&["alerts", "list"])).contains("alr-mirror_gap-am-2022"));
    let proposal = serde_json::json!({"title": "Armenia", "rationale": "The mirror gap.", "effective_date": "2099-01-01",
        "changes": [{"op": "amend", "code": "3A001", "title": "Electronic items, clarified"}]});
    std::fs::write(dir.join("p.json"), proposal.to_string()).unwrap();
    let drafting = as_analyst(&["alerts", "propose", "alr-mirror_gap-am-2022", "--input", "p.json"]);
    assert!(text(&drafting.stderr).contains("draft proposals"), "officers draft: {}", text(&drafting.stderr));
    let csv = ok(&run(&dir, &["transparency", "--csv"]));
    assert_eq!(csv.lines().next(), Some("period,jurisdiction,size,approved,refused,returned,total"));
    assert!(text(&run(&dir, &["transparency", "--min-cell", "1"]).stderr).contains("min_cell"));
    assert!(ok(&run(&dir, &["dashboard", "--csv"])).starts_with("section,group,review_path,decided"));
    let generated = run(&dir, &["declarations", "generate", "--rows", "2000", "--patterns", "2", "--output", "d.csv"]);
    assert!(text(&generated.stderr).contains("2 structuring"), "{}", text(&generated.stderr));
    let findings = ok(&as_analyst(&["declarations", "analyse", "d.csv"]));
    assert!(findings.contains("structuring") && findings.contains("ga_new_destination"), "{findings}");
    // Stored and run by the columnar engine: the import copied beside the database, the patterns raised.
    let missing = as_analyst(&["--duckdb", "/nonexistent/libduckdb.so", "warnings", "run"]);
    assert!(text(&missing.stderr).contains("cannot load the DuckDB library /nonexistent"), "{}", text(&missing.stderr));
    let library = accord_testing::data::text(&accord_testing::data::duckdb());
    let with_engine = |args: &[&str]| as_analyst(&[&["--duckdb", library.as_str()][..], args].concat());
    ok(&with_engine(&["declarations", "import", "d.csv", "--label", "january"]));
    assert!(dir.join("accord-data/columnar/DE-BAFA/0000000001.parquet").is_file());
    let raised = ok(&with_engine(&["warnings", "run"]));
    assert!(raised.contains("alr-structuring") && raised.contains("alr-new_consignee"), "{raised}");
    std::fs::write(dir.join("bad.csv"), "date,exporter\n").unwrap();
    let bad = as_analyst(&["declarations", "analyse", "bad.csv"]);
    assert!(text(&bad.stderr).contains("malformed_file"), "{}", text(&bad.stderr));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_analyst_records_ownership_and_reads_what_the_rules_conclude_from_the_command_line() {
    let dir = temp_dir("accord-ownership-test");
    let authority = ["authority", "add", "--id", "US-BIS", "--name", "BIS", "--jurisdiction", "US"];
    ok(&run(&dir, &[&authority[..], &["--country", "US", "--time-zone", "America/New_York"]].concat()));
    let add = ["user", "add", "--name", "A", "--email", "a@bis.example", "--role", "analyst", "--authority", "US-BIS"];
    let u: serde_json::Value = serde_json::from_str(&ok(&run(&dir, &add))).unwrap();
    let key =
        ok(&run(&dir, &["key", "create", "--user", u["id"].as_str().unwrap()])).lines().last().unwrap().to_owned();
    let as_analyst = |args: &[&str]| run(&dir, &[&["--api-key", key.as_str()][..], args].concat());
    let policies = accord_testing::data::text(&accord_testing::data::policies());
    ok(&run(&dir, &["policies", "import", &policies, "--effective-date", "2021-01-01", "--rationale", "built-in"]));
    let sdn = accord_testing::data::text(&accord_testing::data::shared("ofac/sdn.csv"));
    ok(&run(&dir, &["lists", "import", &sdn]));

    // Two real SDN entities (Aerocaribbean Airlines, 36; Anglo-Caribbean Co., 173) own 30 % and 25 % of a company.
    let owns = |id: &str, share: &str| {
        as_analyst(&[
            "relations",
            "add",
            "--kind",
            "owns",
            "--from-list",
            "us_ofac_sdn",
            "--from-id",
            id,
            "--to-name",
            "Gulf Horizon Trading FZE",
            "--to-country",
            "AE",
            "--share",
            share,
            "--source",
            "registry extract",
        ])
    };
    let first: serde_json::Value = serde_json::from_str(&ok(&owns("36", "30"))).unwrap();
    assert_eq!(first["from"]["name"], "AEROCARIBBEAN AIRLINES", "named as the list names it: {first}");
    ok(&owns("173", "25"));
    let listed = ok(&as_analyst(&["relations", "list"]));
    assert!(listed.contains("Gulf Horizon Trading FZE") && listed.contains("30 %"), "{listed}");
    let concluded = ok(&as_analyst(&["ownership", "--at", "2026-12-01"]));
    assert!(concluded.contains("us.ofac_50_percent") && concluded.contains("= 55 % ≥ 50 %"), "{concluded}");

    // Bad input: a precise message, and nothing kept.
    let unknown = owns("999999999", "10");
    assert!(text(&unknown.stderr).contains("not_found"), "{}", text(&unknown.stderr));
    let over = owns("306", "50");
    assert!(text(&over.stderr).contains("more than 100 %"), "{}", text(&over.stderr));
    let kind =
        as_analyst(&["relations", "add", "--kind", "befriends", "--to-name", "X", "--from-name", "Y", "--source", "s"]);
    assert!(text(&kind.stderr).contains("owns, controls"), "{}", text(&kind.stderr));
    let day = as_analyst(&["ownership", "--at", "tomorrow"]);
    assert!(text(&day.stderr).contains("YYYY-MM-DD"), "{}", text(&day.stderr));
    let id = first["id"].as_str().unwrap();
    ok(&as_analyst(&["relations", "revoke", id, "--reason", "divested"]));
    let after = ok(&as_analyst(&["ownership", "--at", "2026-12-01"]));
    assert!(!after.contains("us.ofac_50_percent"), "30 % revoked leaves 25 %: {after}");
    std::fs::remove_dir_all(&dir).unwrap();
}
