//! `accord screen` from the command line on a small list written here as FollowTheMoney JSON lines:
//! one name, a batch file with good and bad rows, pairwise comparison, and export/import round trip.

use std::path::{Path, PathBuf};
use std::process::Output;

struct Node {
    dir: PathBuf,
}

impl Node {
    /// A node whose only list is three entities of `fixture_list`.
    fn new() -> Node {
        let dir = std::env::temp_dir().join(accord_core::ids::generate_id("accord-screen-test"));
        std::fs::create_dir_all(&dir).unwrap();
        let lines = [
            r#"{"id":"p-1","schema":"Person","datasets":["fixture_list"],"properties":{"name":["HASSAN, Mohammed Ali"],"alias":["Abu Ali"],"birthDate":["1961"],"nationality":["sy"]}}"#,
            r#"{"id":"c-1","schema":"Company","datasets":["fixture_list"],"properties":{"name":["Rosoboronexport OAO"],"country":["ru"]}}"#,
            r#"{"id":"v-1","schema":"Vessel","datasets":["fixture_list"],"properties":{"name":["OCEAN STAR"]}}"#,
        ];
        std::fs::write(dir.join("list.jsonl"), lines.join("\n") + "\n").unwrap();
        let node = Node { dir };
        let imported = node.run(&["lists", "import", "list.jsonl"]);
        assert!(imported.status.success(), "{}", String::from_utf8_lossy(&imported.stderr));
        node
    }

    fn run(&self, args: &[&str]) -> Output {
        crate::accord().args(args).current_dir(&self.dir).output().unwrap()
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn read_csv(path: &Path) -> Vec<Vec<String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let mut rows = vec![r.headers().unwrap().iter().map(str::to_owned).collect()];
    rows.extend(r.records().map(|rec| rec.unwrap().iter().map(str::to_owned).collect()));
    rows
}

#[test]
fn one_name_is_screened_with_its_explanation() {
    let node = Node::new();
    let out = node.run(&["screen", "Mohammed Ali HASSAN", "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let result: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let hit = &result["hits"][0];
    assert_eq!((hit["list_id"].as_str(), hit["entity_id"].as_str()), (Some("fixture_list"), Some("p-1")));
    assert!(hit["score"].as_f64().unwrap() >= 0.9);

    let text = String::from_utf8_lossy(&node.run(&["screen", "Rosoboronexport JSC"]).stdout).into_owned();
    assert!(text.contains("fixture_list c-1"), "{text}");
    assert!(text.contains("legal_form"), "the explanation names the legal-form match: {text}");

    let bad = node.run(&["screen", "Ali", "--threshold", "1.5"]);
    assert_eq!(bad.status.code(), Some(4), "input refused");
    assert!(String::from_utf8_lossy(&bad.stderr).contains("threshold must be between 0 and 1"));
    let empty = node.run(&["screen", "  "]);
    assert_eq!(empty.status.code(), Some(4), "input refused");
}

#[test]
fn batch_screens_every_row_and_reports_bad_rows_in_place() {
    let node = Node::new();
    let mut input = b"id,name,type,country,birth_year\n".to_vec();
    input.extend_from_slice(b"a,Mohamed Ali Hasan,person,SY,1961\n");
    input.extend_from_slice(b"b,Jane Q. Nobody,,,\n");
    input.extend_from_slice(b"c,,,,\n");
    input.extend_from_slice(b"d,Ocean Star,vessel,,\n");
    input.extend_from_slice(b"e,Ali,person,,nineteen\n");
    input.extend_from_slice(b"f,\xff\xfe broken,,,\n");
    std::fs::write(node.path("in.csv"), &input).unwrap();
    let out = node.run(&["screen", "batch", "--input", "in.csv", "--output", "out.csv", "--limit", "3"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("3 rows refused"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows = read_csv(&node.path("out.csv"));
    assert_eq!(rows[0], ["id", "rank", "score", "list", "entity_id", "matched_name", "explanation"]);
    let first_of = |id: &str| rows.iter().find(|r| r[0] == id).cloned();
    assert_eq!(first_of("a").unwrap()[4], "p-1");
    assert_eq!(first_of("a").unwrap()[1], "1");
    assert!(first_of("b").is_none(), "no hit, no row");
    assert_eq!(first_of("d").unwrap()[4], "v-1");
    for (id, reason) in [("c", "line 4"), ("e", "birth_year"), ("f", "UTF-8")] {
        let row = first_of(id).unwrap();
        assert_eq!(row[1], "0", "{id}");
        assert!(row[6].contains(reason), "{id}: {}", row[6]);
    }
    let ids: Vec<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted, "output follows input order");

    std::fs::write(node.path("nohead.csv"), "name\nAli\n").unwrap();
    let refused = node.run(&["screen", "batch", "--input", "nohead.csv", "--output", "x.csv"]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("must name the columns id and name"));
}

#[test]
fn compare_scores_pairs_with_explanations() {
    let node = Node::new();
    std::fs::write(
        node.path("pairs.csv"),
        "id,left,right,type\n1,Mohammed Ali,Muhammad ALI,person\n2,Acme Trading LLC,Acme Trading Limited,organization\n3,John Smith,Vladimir Petrov,\n4,,Someone,\n",
    )
    .unwrap();
    let out = node.run(&["screen", "compare", "--input", "pairs.csv", "--output", "scores.csv"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let rows = read_csv(&node.path("scores.csv"));
    assert_eq!(rows[0], ["id", "score", "explanation"]);
    let score = |i: usize| rows[i][1].parse::<f64>().unwrap();
    assert!(score(1) > 0.8 && score(2) > 0.8, "{rows:?}");
    assert!(score(3) < 0.5, "{rows:?}");
    assert!(rows[2][2].contains("legal_form"), "{rows:?}");
    assert!(rows[4][1].is_empty() && rows[4][2].starts_with("error"), "{rows:?}");
}

#[test]
fn exported_list_imports_back_unchanged() {
    let node = Node::new();
    let out = node.run(&["lists", "export", "fixture_list", "--output", "export.jsonl"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let again = node.run(&["lists", "import", "export.jsonl"]);
    let text = String::from_utf8_lossy(&again.stdout);
    assert!(text.contains("fixture_list: unchanged"), "{text}");
}

#[test]
fn invisible_characters_and_line_breaks_do_not_hide_a_listed_party_and_are_reported() {
    let node = Node::new();
    let out = node.run(&["screen", "Ro\u{200B}soboron\u{00AD}export"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(text.contains("fixture_list c-1"), "{text}");
    assert!(text.contains("warning (invisible_characters): 2 invisible character(s) removed"), "{text}");

    let json = node.run(&["screen", "\u{039D}asir Rosoboronexport", "--json", "--threshold", "0.5"]);
    let result: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(result["warnings"][0]["kind"], "mixed_script", "{result}");

    std::fs::write(
        node.path("in.csv"),
        "id,name\na,\"HASSAN,\nMohammed\tAli\"\nb,Ro\u{2060}soboronexport\nc,Jane Nobody\n",
    )
    .unwrap();
    let out = node.run(&["screen", "batch", "--input", "in.csv", "--output", "out.csv"]);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("0 rows refused; 1 names written with invisible characters"), "{stderr}");
    assert!(!stderr.contains('\r'), "no progress bar when stderr is not a terminal: {stderr:?}");
    let rows = read_csv(&node.path("out.csv"));
    let first_of = |id: &str| rows.iter().find(|r| r[0] == id).cloned().unwrap();
    assert_eq!(first_of("a")[4], "p-1", "a line break and a tab read as spaces");
    assert_eq!(first_of("b")[4], "c-1");
    assert!(first_of("b")[6].contains("warning invisible_characters"), "{rows:?}");
}
