//! `accord policies` and `accord determine` on the real control list, and a served node that follows its
//! policy folder: a folder with an error is refused with file and line and the version in force stays.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

/// A last day a licence may have: the end of June two years on (within the longest validity whenever the test runs).
fn later() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    format!("{}-06-30", 1970 + secs / 31_556_952 + 2)
}

use crate::{controls_data, run};
use accord_testing::cli::{ok, temp_dir, text};

fn repo_policies() -> PathBuf {
    accord_testing::data::policies()
}

/// Copies the repository's policy folder, applying `edit` to one file.
fn policy_copy(to: &Path, file: &str, from: &str, with: &str) {
    for entry in walk(&repo_policies()) {
        let rel = entry.strip_prefix(repo_policies()).unwrap();
        let target = to.join(rel);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        let mut content = std::fs::read_to_string(&entry).unwrap();
        if rel == Path::new(file) {
            assert!(content.contains(from), "{from} not in {file}");
            content = content.replacen(from, with, 1);
        }
        std::fs::write(target, content).unwrap();
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() { out.extend(walk(&p)) } else { out.push(p) }
    }
    out
}

fn import_controls(dir: &Path) {
    let (eu, us, reasons) = (
        controls_data("eu_annex_i_2025-11.json"),
        controls_data("us_ccl_headings.json"),
        controls_data("us_ccl_cat3-5_reasons.json"),
    );
    ok(&run(
        dir,
        &[
            "controls",
            "import",
            "--eu",
            &eu,
            "--us",
            &us,
            "--us-reasons",
            &reasons,
            "--label",
            "2025-11",
            "--effective-date",
            "2021-01-01",
        ],
    ));
}

#[test]
fn policies_are_checked_and_imported_and_determinations_are_printed() {
    let dir = temp_dir("accord-determine-test");
    let good = dir.join("good");
    policy_copy(&good, "eu.toml", "version = \"2025.11\"", "version = \"2026.1\"");
    let checked = ok(&run(&dir, &["policies", "check", good.to_str().unwrap()]));
    assert!(checked.starts_with("policies OK: 8 files"), "{checked}");
    assert!(checked.contains("EU") && checked.contains("2026.1"), "{checked}");

    let broken = dir.join("broken");
    policy_copy(&broken, "us.toml", "when.destinations = [\"IR\"]", "when.destinations = [\"Iran\"]");
    let out = run(&dir, &["policies", "check", broken.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(4), "input refused");
    let err = text(&out.stderr);
    assert!(err.contains("us.toml, line ") && err.contains("'Iran' is not an ISO 3166-1"), "{err}");

    import_controls(&dir);
    std::fs::write(
        dir.join("tx.json"),
        r#"{"date":"2025-12-01","origin":"DE","destination":"CN","end_use":{"category":"civil","statement":"radar lab"},
            "items":[{"code":"3A001.a.1","description":"ICs","quantity":10,"value":5000,"currency":"EUR","origin":"US"}]}"#,
    )
    .unwrap();
    let printed = ok(&run(&dir, &["determine", "--input", "tx.json"]));
    assert!(printed.contains("EU  licence_required"), "{printed}");
    assert!(printed.contains("US  licence_required"), "{printed}");
    assert!(
        printed.contains("eu.annex_i.export") && printed.contains("Regulation (EU) 2021/821, Art. 3(1)"),
        "{printed}"
    );
    assert!(printed.contains("not available: EU001 for item 0: CN is not a destination of EU001"), "{printed}");
    assert!(printed.contains("warning: no parties given"), "{printed}");
    let json: serde_json::Value =
        serde_json::from_str(&ok(&run(&dir, &["determine", "--input", "tx.json", "--json"]))).unwrap();
    assert_eq!(json["jurisdictions"][0]["outcome"], "licence_required");
    assert_eq!(json["versions"]["control_list"], "2025-11@1");

    let versions = |dir: &Path| -> usize {
        serde_json::from_str::<serde_json::Value>(&ok(&run(dir, &["policies", "versions"])))
            .unwrap()
            .as_array()
            .unwrap()
            .len()
    };
    assert_eq!(versions(&dir), 1, "the first determination stored the built-in policies");
    let out = run(&dir, &["policies", "import", broken.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stdout));
    assert!(text(&out.stderr).contains("invalid_policy"), "{}", text(&out.stderr));
    assert_eq!(versions(&dir), 1, "a broken folder stores nothing");
    let stored = ok(&run(
        &dir,
        &["policies", "import", good.to_str().unwrap(), "--effective-date", "2026-01-01", "--label", "2026.1"],
    ));
    assert!(stored.contains("policy version 2 (2026.1) stored"), "{stored}");
    let again = ok(&run(&dir, &["policies", "import", good.to_str().unwrap(), "--effective-date", "2026-01-01"]));
    assert!(again.contains("unchanged"), "{again}");
    let shown: serde_json::Value =
        serde_json::from_str(&ok(&run(&dir, &["policies", "show", "--at", "2026-02-01"]))).unwrap();
    assert_eq!(shown["version"]["label"], "2026.1");

    std::fs::write(dir.join("bad.json"), "{\"date\": \"2025-12-01\",\n \"origin\": }").unwrap();
    let out = run(&dir, &["determine", "--input", "bad.json"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("line 2"), "{}", text(&out.stderr));
    std::fs::write(dir.join("unknown.json"), r#"{"date":"2025-12-01","origin":"DE","destination":"CN","end_use":{"category":"civil"},"items":[{"code":"3A00X"}]}"#).unwrap();
    let out = run(&dir, &["determine", "--input", "unknown.json"]);
    assert_eq!(out.status.code(), Some(4));
    let err = text(&out.stderr);
    assert!(err.contains("unknown_control_code") && err.contains("3A001"), "{err}");
}

/// Starts `accord serve`, waits for it, asks for the policy versions, stops it; returns (versions, logs).
fn serve_once(dir: &Path, policies: &Path) -> (usize, String) {
    let bind = accord_testing::cli::free_bind();
    let mut child = crate::accord()
        .args(["serve", "--bind", &bind, "--policies", policies.to_str().unwrap()])
        .current_dir(dir)
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let get = |path: &str| accord_testing::cli::get(&bind, path);
    let started = Instant::now();
    // The folder is read right after start; wait until the node answers with at least the built-in version.
    let versions = loop {
        if let Some(r) = get("/api/v1/policies/versions")
            && r.starts_with("HTTP/1.1 200")
        {
            let body = r.split("\r\n\r\n").nth(1).unwrap_or("[]");
            let n =
                serde_json::from_str::<serde_json::Value>(body).map(|v| v.as_array().map_or(0, Vec::len)).unwrap_or(0);
            if n > 0 && started.elapsed() > Duration::from_millis(1500) {
                break n;
            }
        }
        assert!(started.elapsed() < Duration::from_secs(30), "the node did not start");
        std::thread::sleep(Duration::from_millis(100));
    };
    let logs = accord_testing::cli::terminate(&mut child);
    (versions, logs)
}

#[test]
fn a_served_node_follows_its_policy_folder_and_keeps_the_last_good_version() {
    let dir = temp_dir("accord-follow-test");
    let broken = dir.join("broken");
    policy_copy(&broken, "eu.toml", "\"@eu001_destinations\"", "\"@eu001_destinatons\"");
    let (versions, logs) = serve_once(&dir, &broken);
    assert_eq!(versions, 1, "only the built-in set: {logs}");
    assert!(logs.contains("policy files refused") && logs.contains("eu.toml, line"), "{logs}");

    let good = dir.join("good");
    policy_copy(&good, "eu.toml", "version = \"2025.11\"", "version = \"2026.1\"");
    let (versions, logs) = serve_once(&dir, &good);
    assert_eq!(versions, 2, "the changed folder is a new version: {logs}");
    assert!(logs.contains("policy version stored"), "{logs}");
}

/// A node in a fresh folder with the real control list, BAFA, and an exporting organisation (returned as JSON).
fn node_with_an_exporter(name: &str) -> (PathBuf, serde_json::Value) {
    let dir = temp_dir(name);
    import_controls(&dir);
    let authority = ["authority", "add", "--id", "DE-BAFA", "--name", "BAFA", "--jurisdiction", "EU"];
    ok(&run(&dir, &[&authority[..], &["--country", "DE", "--time-zone", "Europe/Berlin"]].concat()));
    let org = ["org", "add", "--name", "Acme Photonics GmbH", "--country", "DE", "--size", "small"];
    let org = ok(&run(&dir, &[&org[..], &["--authority", "DE-BAFA"]].concat()));
    (dir, serde_json::from_str(&org).unwrap())
}

#[test]
fn an_application_is_submitted_once_and_its_case_is_queued() {
    let (dir, org) = node_with_an_exporter("accord-apply-test");
    let application = serde_json::json!({
        "organisation_id": org["id"],
        "transaction": {"date": "2025-12-01", "origin": "DE", "destination": "CN", "end_use": {"category": "civil"},
                        "items": [{"code": "3A001.a.1", "quantity": 10, "value": 5000, "currency": "EUR"}]},
        "end_use_statement": "Radar research"
    });
    std::fs::write(dir.join("app.json"), application.to_string()).unwrap();
    let args = ["apply", "--input", "app.json", "--submit", "--idempotency-key", "po-1"];
    let first: serde_json::Value = serde_json::from_str(&ok(&run(&dir, &args))).unwrap();
    assert_eq!(first["status"], "submitted");
    let again = run(&dir, &args);
    let second: serde_json::Value = serde_json::from_str(&ok(&again)).unwrap();
    assert_eq!(second["id"], first["id"]);
    assert!(text(&again.stderr).contains("nothing new was stored"), "{}", text(&again.stderr));
    let queue = ok(&run(&dir, &["cases", "list"]));
    assert_eq!(queue.lines().count(), 2, "a header and one case: {queue}");
    assert!(queue.starts_with("id "), "{queue}");
    assert!(queue.contains("DE-BAFA") && queue.contains(first["id"].as_str().unwrap()), "{queue}");
    let shown: serde_json::Value =
        serde_json::from_str(&ok(&run(&dir, &["applications", "show", first["id"].as_str().unwrap()]))).unwrap();
    assert_eq!(shown["outcomes"][0]["outcome"], "licence_required");
    let case_id = shown["outcomes"][0]["case_id"].as_str().unwrap().to_owned();
    std::fs::write(
        dir.join("decision.json"),
        format!(r#"{{"kind":"approve","reason":"verified","version":1,"valid_until":"{}"}}"#, later()),
    )
    .unwrap();
    let decided: serde_json::Value =
        serde_json::from_str(&ok(&run(&dir, &["cases", "decide", &case_id, "--input", "decision.json"]))).unwrap();
    assert_eq!(decided["status"], "approved");
    let again = run(&dir, &["cases", "decide", &case_id, "--input", "decision.json"]);
    assert_eq!(again.status.code(), Some(6), "a conflict with what is stored");
    assert!(text(&again.stderr).contains("case_changed"), "{}", text(&again.stderr));
    let licence = decided["licence_id"].as_str().unwrap().to_owned();
    let today = jiff::Zoned::now().date().to_string();
    let shipment = |q: u32| {
        format!(
            r#"{{"date":"{today}","items":[{{"item":0,"quantity":{q},"value":100}}],"consignee":"x","transport_document":"AWB 1"}}"#
        )
    };
    std::fs::write(dir.join("ship.json"), shipment(3)).unwrap();
    let out = run(&dir, &["shipments", "report", "--licence", &licence, "--input", "ship.json"]);
    assert_eq!(out.status.code(), Some(4), "the consignee is not on the licence (the application named none)");
    assert!(text(&out.stderr).contains("shipment_refused"), "{}", text(&out.stderr));
    let amended: serde_json::Value = serde_json::from_str(&ok(&run(
        &dir,
        &[
            "licences",
            "amend",
            &licence,
            "--reason",
            "longer project",
            "--valid-until",
            &later(),
            "--item",
            "0:20:9000",
        ],
    )))
    .unwrap();
    // Above the 10 applied for: the raise waits for a senior officer's countersignature.
    let last = amended["amendments"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (last["status"].as_str(), amended["items"][0]["quantity"].as_f64()),
        (Some("pending_review"), Some(10.0))
    );
    let out = run(&dir, &["licences", "amend", &licence, "--reason", "x", "--item", "0:twenty"]);
    assert!(text(&out.stderr).contains("ITEM:QUANTITY:VALUE"), "{}", text(&out.stderr));
    let args = [
        "licences",
        "participants",
        "add",
        &licence,
        "--name",
        "Li Wei",
        "--nationality",
        "CN",
        "--role",
        "researcher",
    ];
    let out = run(&dir, &args);
    assert!(text(&out.stderr).contains("only a joint-development licence"), "{}", text(&out.stderr));
    let status = ok(&run(&dir, &["licences", "status", &licence, "suspend", "--reason", "check"]));
    assert!(status.contains("\"suspended\""), "{status}");
    assert_eq!(ok(&run(&dir, &["denials", "list"])), "(none)\n", "no refusal, no denial");
    assert_eq!(ok(&run(&dir, &["denials", "list", "--json"])), "[]\n");

    // A document declared with its hash is uploaded from a file and read back.
    let pdf = b"%PDF-1.7\n% end-user certificate\n%%EOF\n";
    std::fs::write(dir.join("euc.pdf"), pdf).unwrap();
    let sha = accord_core::audit::hex(&<sha2::Sha256 as sha2::Digest>::digest(pdf));
    let with_doc = serde_json::json!({
        "organisation_id": org["id"], "transaction": application["transaction"], "end_use_statement": "Radar research",
        "documents": [{"name": "euc.pdf", "kind": "end_user_certificate", "sha256": sha}]
    });
    std::fs::write(dir.join("doc-app.json"), with_doc.to_string()).unwrap();
    let draft: serde_json::Value =
        serde_json::from_str(&ok(&run(&dir, &["apply", "--input", "doc-app.json"]))).unwrap();
    let app_id = draft["id"].as_str().unwrap();
    let attached = ok(&run(&dir, &["applications", "attach", app_id, "--document", "0", "euc.pdf"]));
    assert!(attached.contains("application/pdf"), "{attached}");
    let out = run(&dir, &["applications", "attach", app_id, "--document", "0", "app.json"]);
    assert!(text(&out.stderr).contains("--content-type"), "{}", text(&out.stderr));
    ok(&run(&dir, &["applications", "download", app_id, "--document", "0", "--output", "copy.pdf"]));
    assert_eq!(std::fs::read(dir.join("copy.pdf")).unwrap(), pdf);
    let docs = ok(&run(&dir, &["applications", "documents", app_id]));
    assert!(docs.contains("\"uploaded_by\""), "{docs}");
    let view: serde_json::Value = serde_json::from_str(&ok(&run(&dir, &["cases", "show", &case_id]))).unwrap();
    assert_eq!(view["sla"]["target"], 20);
    let history = ok(&run(&dir, &["cases", "history", &case_id]));
    let events: Vec<&str> = history.lines().skip(1).filter_map(|l| l.split_whitespace().nth(1)).collect();
    assert_eq!(
        events,
        [
            "application.created",
            "application.submitted",
            "case.opened",
            "case.decided",
            "licence.issued",
            "licence.amendment_requested",
            "licence.suspended"
        ],
        "the case's, its application's and its licence's events: {history}"
    );
    let out = run(&dir, &["applications", "show", "app_nope"]);
    assert_eq!(out.status.code(), Some(4));
    assert!(text(&out.stderr).contains("invalid_id"), "{}", text(&out.stderr));
}

fn argv(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

#[test]
fn the_us_facts_are_regenerated_from_the_ecfr_and_a_bad_source_writes_nothing() {
    let dir = temp_dir("accord-generate-test");
    let ecfr = controls_data("us_ecfr");
    let out = dir.join("policies");
    policy_copy(&out, "data/us-ecfr-chart.toml", "DE = [\"CB1\", \"NS1\", \"MT1\", \"RS1\"]", "DE = [\"CB1\"]");
    let args = |extra: &[&'static str]| -> Vec<String> {
        let mut v: Vec<String> = ["policies", "generate", "--us-ecfr", &ecfr, "--output", out.to_str().unwrap()]
            .iter()
            .map(|s| s.to_string())
            .collect();
        v.extend(extra.iter().map(|s| s.to_string()));
        v
    };

    // A hand edit of a generated file is found by --check, and a regeneration puts the eCFR's row back.
    let check = args(&["--check"]);
    let r = run(&dir, &argv(&check));
    assert_eq!(r.status.code(), Some(1), "{}", text(&r.stderr));
    assert!(text(&r.stdout).contains("would change: data/us-ecfr-chart.toml"), "{}", text(&r.stdout));
    let regenerate = args(&[]);
    assert!(ok(&run(&dir, &argv(&regenerate))).contains("1 of 3 generated files changed"));
    let chart = |p: &Path| std::fs::read_to_string(p.join("data/us-ecfr-chart.toml")).unwrap();
    assert_eq!(chart(&out), chart(&repo_policies()));
    assert!(ok(&run(&dir, &argv(&check))).contains("up to date"));

    // A partial source is refused with its file and path, and the facts in force stay as they were.
    let bad = dir.join("bad-ecfr");
    std::fs::create_dir_all(&bad).unwrap();
    for f in ["country-chart.json", "country-groups.json"] {
        std::fs::copy(Path::new(&ecfr).join(f), bad.join(f)).unwrap();
    }
    let ccl = std::fs::read_to_string(Path::new(&ecfr).join("ccl.json")).unwrap();
    std::fs::write(bad.join("ccl.json"), &ccl[..ccl.len() / 3]).unwrap();
    let before = chart(&out);
    let r = run(&dir, &["policies", "generate", "--us-ecfr", bad.to_str().unwrap(), "--output", out.to_str().unwrap()]);
    assert!(!r.status.success());
    let err = text(&r.stderr);
    assert!(err.contains("ccl.json: line") && err.contains("malformed_source"), "{err}");
    assert_eq!(chart(&out), before, "nothing was written");
    let r = run(&dir, &["policies", "generate", "--us-ecfr", dir.join("nowhere").to_str().unwrap()]);
    assert!(text(&r.stderr).contains("cannot read") && text(&r.stderr).contains("country-chart.json"));
}

#[test]
fn officers_decide_and_countersign_from_the_command_line_with_their_own_keys() {
    let (dir, org) = node_with_an_exporter("accord-key-test");
    let key_of = |name: &str, role: &str| -> String {
        let email = format!("{name}@bafa.example");
        let u: serde_json::Value = serde_json::from_str(&ok(&run(
            &dir,
            &["user", "add", "--name", name, "--email", &email, "--role", role, "--authority", "DE-BAFA"],
        )))
        .unwrap();
        let created = ok(&run(&dir, &["key", "create", "--user", u["id"].as_str().unwrap()]));
        created.lines().last().unwrap().to_owned()
    };
    let (officer, senior) = (key_of("officer", "officer"), key_of("senior", "senior_officer"));
    let application = serde_json::json!({
        "organisation_id": org["id"],
        "transaction": {"date": "2025-12-01", "origin": "DE", "destination": "CN", "end_use": {"category": "civil"},
                        "items": [{"code": "3A001.a.1", "quantity": 10, "value": 5000, "currency": "EUR"}]},
        "end_use_statement": "Radar research"
    });
    std::fs::write(dir.join("app.json"), application.to_string()).unwrap();
    let applied: serde_json::Value =
        serde_json::from_str(&ok(&run(&dir, &["apply", "--input", "app.json", "--submit"]))).unwrap();
    let case_id = applied["outcomes"][0]["case_id"].as_str().unwrap().to_owned();
    std::fs::write(
        dir.join("refuse.json"),
        r#"{"kind":"refuse","reason":"Risk of diversion","version":1,"refusal_criteria":["Criterion 7"]}"#,
    )
    .unwrap();
    let as_holder = |key: &str, args: &[&str]| {
        crate::accord().current_dir(&dir).env("ACCORD_KEY", key).args(args).output().unwrap()
    };

    // The officer refuses with their own key (the flag); the decision is theirs, not the operator's.
    let decided: serde_json::Value = serde_json::from_str(&ok(&run(
        &dir,
        &["--api-key", &officer, "cases", "decide", &case_id, "--input", "refuse.json"],
    )))
    .unwrap();
    assert_eq!(decided["status"], "awaiting_countersignature");
    assert!(decided["decision"]["by"].as_str().unwrap().starts_with("user:usr_"), "{}", decided["decision"]);
    // An officer may not countersign; a senior officer (the key in the environment) does.
    let refused = as_holder(&officer, &["cases", "countersign", &case_id, "--version", "2"]);
    assert_eq!(refused.status.code(), Some(7), "not allowed: {}", text(&refused.stderr));
    let signed: serde_json::Value =
        serde_json::from_str(&ok(&as_holder(&senior, &["cases", "countersign", &case_id, "--version", "2"]))).unwrap();
    assert_eq!(signed["status"], "refused");
    assert_ne!(signed["decision"]["countersigned_by"], signed["decision"]["by"], "four eyes");
    // A key that does not work is refused before anything is read.
    let bad = as_holder("key_00000000000000000000000000.0000", &["cases", "list"]);
    assert_eq!(bad.status.code(), Some(7), "{}", text(&bad.stderr));
    assert!(text(&bad.stderr).contains("invalid_api_key"), "{}", text(&bad.stderr));
}

#[test]
fn an_officer_proposes_a_change_and_opens_it_for_comment_from_the_command_line() {
    let (dir, org) = node_with_an_exporter("accord-proposal-test");
    let u: serde_json::Value = serde_json::from_str(&ok(&run(
        &dir,
        &[
            "user",
            "add",
            "--name",
            "Officer",
            "--email",
            "o@bafa.example",
            "--role",
            "officer",
            "--authority",
            "DE-BAFA",
        ],
    )))
    .unwrap();
    let officer =
        ok(&run(&dir, &["key", "create", "--user", u["id"].as_str().unwrap()])).lines().last().unwrap().to_owned();
    let day = |n: i64| jiff::Zoned::now().date().checked_add(jiff::Span::new().days(n)).unwrap().to_string();
    let proposal = serde_json::json!({
        "title": "Relax 3A001 for commodity parts",
        "rationale": "Commodity parts meet the threshold today.",
        "changes": [{"op": "amend", "code": "3A001", "title": "Electronic items, as amended"}],
        "effective_date": day(60),
    });
    std::fs::write(dir.join("proposal.json"), proposal.to_string()).unwrap();
    let as_officer = |args: &[&str]| run(&dir, &[&["--api-key", officer.as_str()][..], args].concat());
    let refused = run(&dir, &["proposals", "propose", "--input", "proposal.json"]);
    assert!(text(&refused.stderr).contains("only officers of an authority"), "{}", text(&refused.stderr));
    let created: serde_json::Value =
        serde_json::from_str(&ok(&as_officer(&["proposals", "propose", "--input", "proposal.json"]))).unwrap();
    let key = format!("DE-BAFA:{}", created["id"].as_str().unwrap());
    assert!(ok(&as_officer(&["proposals", "list"])).contains("draft"));
    let until = day(10);
    let opened = ok(&as_officer(&["proposals", "step", &key, "open_comment", "--comment-until", &until]));
    assert!(opened.contains("\"public_comment\""), "{opened}");
    let early = as_officer(&["proposals", "step", &key, "open_vote", "--response", "Noted", "--vote-until", &day(20)]);
    assert!(text(&early.stderr).contains("proposal_state"), "the window is open: {}", text(&early.stderr));
    let bad = as_officer(&["proposals", "step", &key, "fly"]);
    assert!(text(&bad.stderr).contains("to_panel, open_comment, open_vote, withdraw"), "{}", text(&bad.stderr));
    let impact: serde_json::Value = serde_json::from_str(&ok(&as_officer(&["proposals", "impact", &key]))).unwrap();
    assert_eq!(impact["applications"]["flips"], serde_json::json!([]), "a new title changes no answer: {impact}");
    assert_eq!(impact["suite"]["flips"], serde_json::json!([]), "a new title changes no answer: {impact}");
    assert!(impact["suite"]["determined"].as_u64().unwrap() > 100, "the whole suite is determined: {impact}");
    let shown: serde_json::Value = serde_json::from_str(&ok(&run(&dir, &["proposals", "show", &key]))).unwrap();
    assert_eq!(shown["comment_until"], until.as_str());

    // An exporter's feedback on the entry, triaged by the officer and counted.
    let e: serde_json::Value = serde_json::from_str(&ok(&run(
        &dir,
        &[
            "user",
            "add",
            "--name",
            "E",
            "--email",
            "e@acme.example",
            "--role",
            "exporter",
            "--org",
            org["id"].as_str().unwrap(),
        ],
    )))
    .unwrap();
    let exporter =
        ok(&run(&dir, &["key", "create", "--user", e["id"].as_str().unwrap()])).lines().last().unwrap().to_owned();
    let given = ok(&run(
        &dir,
        &["--api-key", &exporter, "feedback", "give", "3A001", "cost", "--text", "Lost two orders", "--cost", "40000"],
    ));
    let fbk: serde_json::Value = serde_json::from_str(&given).unwrap();
    let wrong = run(&dir, &["--api-key", &exporter, "feedback", "give", "3A001", "annoyance", "--text", "x"]);
    assert!(text(&wrong.stderr).contains("difficulty, unintended_consequence, cost, suggested_change"));
    ok(&as_officer(&["feedback", "triage", fbk["id"].as_str().unwrap(), "--theme", "lost sales"]));
    let summary = ok(&as_officer(&["feedback", "summary"]));
    assert!(summary.contains("3A001") && summary.contains("40000") && summary.contains("lost sales (1)"), "{summary}");

    // A review schedule opens its cycle once, however often it runs.
    let schedule = serde_json::json!([{"title": "Annual review of category 3", "category": 3, "every_months": 12,
        "first_opens_on": day(-30), "proposals_within_days": 20, "closes_within_days": 60}]);
    std::fs::write(dir.join("schedule.json"), schedule.to_string()).unwrap();
    let first: serde_json::Value =
        serde_json::from_str(&ok(&as_officer(&["reviews", "run", "--schedule", "schedule.json"]))).unwrap();
    assert_eq!(first.as_array().unwrap().len(), 1, "{first}");
    let again: serde_json::Value =
        serde_json::from_str(&ok(&as_officer(&["reviews", "run", "--schedule", "schedule.json"]))).unwrap();
    assert_eq!(again, serde_json::json!([]));
    let closed: serde_json::Value =
        serde_json::from_str(&ok(&as_officer(&["reviews", "close", first[0]["id"].as_str().unwrap()]))).unwrap();
    assert_eq!(closed["report"]["left"], serde_json::json!([]), "3A001's feedback was taken up: {closed}");
    assert_eq!(ok(&as_officer(&["reviews", "reminders"])).trim(), "(none)", "the cycle closed, the window still open");

    // The feedback taken up as its own proposal; the technology watch kept and run.
    let taken = ok(&as_officer(&["feedback", "propose", fbk["id"].as_str().unwrap(), "--input", "proposal.json"]));
    assert!(taken.contains("\"origin\": \"feedback DE-BAFA:fbk_"), "{taken}");
    let technology = serde_json::json!({"id": "advanced-ics", "name": "Advanced ICs", "description": "Radar ICs.",
        "codes": ["3A001"], "indicators": [{"metric": "feedback_volume", "at_least": 1, "window_days": 30,
        "direction": "relax"}]});
    std::fs::write(dir.join("technology.json"), technology.to_string()).unwrap();
    assert!(ok(&as_officer(&["watch", "keep", "--input", "technology.json"])).contains("\"version\": 1"));
    let readings = ok(&as_officer(&["watch", "run"]));
    assert!(readings.contains("feedback_volume") && readings.contains("DE-BAFA:prp_"), "{readings}");
    assert!(ok(&as_officer(&["watch", "list"])).contains("advanced-ics"));
    std::fs::remove_dir_all(&dir).unwrap();
}
