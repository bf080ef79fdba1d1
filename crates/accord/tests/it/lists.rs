//! `accord lists` on the real files in ../shared/data, on SQLite and PostgreSQL: versions with
//! diffs between dated OFAC snapshots, no-op re-imports, strict mode, and malformed files that
//! leave the version in force.

use accord_store::Backend;
use accord_testing::TestDb;
use accord_testing::cli::text;
use std::path::PathBuf;
use std::process::Output;

fn data(rel: &str) -> String {
    accord_testing::data::text(&accord_testing::data::shared(rel))
}

fn accord(db: &str, args: &[&str]) -> Output {
    crate::accord().arg("--db").arg(db).args(args).current_dir(std::env::temp_dir()).output().unwrap()
}

fn out(o: &Output) -> String {
    text(&o.stdout)
}

fn err(o: &Output) -> String {
    text(&o.stderr)
}

async fn snapshots_become_versions_with_a_diff(backend: Backend) {
    let db = TestDb::new(backend).await;
    let url = db.url_string();
    let older = accord(&url, &["lists", "import", &data("ofac/sdn-2024-04-26.csv")]);
    assert!(older.status.success(), "{}", err(&older));
    assert!(out(&older).contains("us_ofac_sdn: version 1 in force (14668 entities"), "{}", out(&older));
    assert!(err(&older).contains("alt.csv:"), "alias rows for unknown entities are reported with file and line");

    let again = accord(&url, &["lists", "import", "--format", "ofac_sdn", &data("ofac/sdn-2024-04-26.csv")]);
    assert!(out(&again).contains("unchanged, version 1 stays in force"), "{}", out(&again));

    let newer = accord(&url, &["lists", "import", &data("ofac/sdn.csv")]);
    assert!(out(&newer).contains("us_ofac_sdn: version 2 in force (14965 entities"), "{}", out(&newer));
    let diff = accord(&url, &["lists", "diff", "us_ofac_sdn", "--json"]);
    let diff: serde_json::Value = serde_json::from_slice(&diff.stdout).unwrap();
    let v = &diff["version"];
    assert_eq!(v["version"], 2);
    let (added, removed) = (v["added"].as_i64().unwrap(), v["removed"].as_i64().unwrap());
    assert_eq!(14668 + added - removed, 14965, "the counts add up");
    let changes = diff["changes"].as_array().unwrap();
    assert_eq!(changes.len() as i64, added + removed + v["changed"].as_i64().unwrap());
    assert!(changes.iter().filter(|c| c["change"] == "changed").all(|c| !c["fields"].as_array().unwrap().is_empty()));
    let first = accord(&url, &["lists", "diff", "us_ofac_sdn", "--version", "1"]);
    assert!(out(&first).starts_with("us_ofac_sdn version 1"), "{}", out(&first));

    let status = out(&accord(&url, &["lists", "status"]));
    assert!(
        status.lines().any(|l| l.starts_with("us_ofac_sdn") && l.contains(" 2 ") && l.contains("14965")),
        "{status}"
    );
}

async fn malformed_files_leave_the_version_in_force(backend: Backend) {
    let db = TestDb::new(backend).await;
    let url = db.url_string();
    let un = data("un/UN_consolidated.xml");
    assert!(accord(&url, &["lists", "import", &un]).status.success());

    let dir: PathBuf = std::env::temp_dir().join(accord_core::ids::generate_id("accord-lists-test"));
    std::fs::create_dir_all(&dir).unwrap();
    let text = std::fs::read_to_string(&un).unwrap();
    let truncated = dir.join("consolidated.xml");
    std::fs::write(&truncated, &text[..text.len() / 3]).unwrap();
    let refused = accord(&url, &["lists", "import", "--format", "un_xml", truncated.to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(4), "input refused");
    assert!(err(&refused).contains("malformed_file"), "{}", err(&refused));

    let strict = accord(&url, &["lists", "import", "--strict", &data("ofac/sdn.csv")]);
    assert_eq!(strict.status.code(), Some(4), "the real alt.csv names entities missing from sdn.csv");
    assert!(err(&strict).contains("alt.csv, line"), "{}", err(&strict));

    // Several paths are all or nothing: a good list before a bad one is not imported either.
    let dpl = data("bis/dpl.txt");
    let both = accord(&url, &["lists", "import", &dpl, truncated.to_str().unwrap()]);
    assert_eq!(both.status.code(), Some(4));
    assert!(err(&both).contains("malformed_file") && out(&both).is_empty(), "{}", err(&both));

    let missing = accord(&url, &["lists", "import", "/no/such/list.csv"]);
    assert!(err(&missing).contains("file_unreadable"), "{}", err(&missing));
    let unknown = accord(&url, &["lists", "import", "--format", "pdf", &un]);
    assert!(err(&unknown).contains("unknown format 'pdf'"), "{}", err(&unknown));

    let status = out(&accord(&url, &["lists", "status", "--json"]));
    let status: serde_json::Value = serde_json::from_str(&status).unwrap();
    let lists = status["lists"].as_array().unwrap();
    assert_eq!(lists.len(), 1, "nothing of the refused imports was stored");
    assert_eq!((lists[0]["list_id"].as_str(), lists[0]["version"].as_i64()), (Some("un_sc"), Some(1)));
    std::fs::remove_dir_all(&dir).unwrap();
}

accord_testing::on_both_backends!(snapshots_become_versions_with_a_diff, malformed_files_leave_the_version_in_force);
