//! The determination suite (`suite/determinations.toml` and `suite/us_ecfr.toml`), each case written from a legal text, run
//! against the real control list and the built-in policies; and the engine's own guarantees (determinism,
//! versions named, bad input refused with precise errors).

use accord_controls::{
    CheckTransaction, ControlList, Determination, ListInfo, Outcome, PolicySet, Screening, SourceFiles, SuiteCase,
    Transaction, builtin_policies, builtin_suite, determine, import_sources,
};
use accord_core::ErrorCode;
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/controls");
const CASES: &str = include_str!("../../suite/determinations.toml");
const US_ECFR_CASES: &str = include_str!("../../suite/us_ecfr.toml");

fn list() -> &'static ControlList {
    static L: OnceLock<ControlList> = OnceLock::new();
    L.get_or_init(|| {
        let d = Path::new(DATA);
        let info =
            ListInfo { version: "2025-11".into(), effective_date: "2025-11-15".into(), rationale: String::new() };
        let files = SourceFiles {
            eu: &d.join("eu_annex_i_2025-11.json"),
            us: &d.join("us_ccl_headings.json"),
            us_reasons: Some(&d.join("us_ccl_cat3-5_reasons.json")),
            regimes: Some(&d.join("regimes")),
        };
        import_sources(info, &files).unwrap().0
    })
}

fn policies() -> &'static PolicySet {
    static P: OnceLock<PolicySet> = OnceLock::new();
    P.get_or_init(|| PolicySet::parse(&builtin_policies()).unwrap())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    source: String,
    /// The transaction, the hits, the screening and the lists are read by `accord_controls::parse_suite`.
    #[serde(rename = "tx")]
    _tx: toml::Value,
    #[serde(default, rename = "hits")]
    _hits: Vec<toml::Value>,
    #[serde(default, rename = "screening")]
    _screening: Option<String>,
    #[serde(default, rename = "lists")]
    _lists: Option<Vec<String>>,
    expect: BTreeMap<String, String>,
    #[serde(default)]
    rules: Vec<String>,
    #[serde(default)]
    absent_rules: Vec<String>,
    #[serde(default)]
    not_available: Vec<String>,
    #[serde(default)]
    review: BTreeMap<String, String>,
    #[serde(default)]
    missing_data: bool,
    #[serde(default)]
    note: bool,
    /// Words that must appear in some reason's detail.
    #[serde(default)]
    details: Vec<String>,
    /// Words that must appear among the unverified facts an answer relied on.
    #[serde(default)]
    unverified: Vec<String>,
    /// Jurisdictions whose answer must rely on no unverified fact or rule.
    #[serde(default)]
    verified: Vec<String>,
}

/// The suite's cases as the library reads them (transaction and screening), by name.
fn suite() -> &'static BTreeMap<String, SuiteCase> {
    static S: OnceLock<BTreeMap<String, SuiteCase>> = OnceLock::new();
    S.get_or_init(|| builtin_suite().unwrap().into_iter().map(|c| (c.name.clone(), c)).collect())
}

fn run(case: &Case) -> Determination {
    let c = &suite()[&case.name];
    let checked = c.transaction.check(list(), policies()).unwrap_or_else(|e| panic!("{}: {e}", case.name));
    determine(policies(), list(), &checked, c.screening.clone()).unwrap()
}

fn outcome_text(j: &accord_controls::JurisdictionAnswer) -> String {
    match j.outcome {
        Outcome::GeneralAuthorisation => format!("general_authorisation:{}", j.general_authorisations.join(",")),
        o => o.as_str().to_owned(),
    }
}

/// Every failure of one case, so a run lists them all.
fn check(case: &Case) -> Vec<String> {
    let d = run(case);
    let mut failures = Vec::new();
    let fail =
        |failures: &mut Vec<String>, what: String| failures.push(format!("{} [{}]: {what}", case.name, case.source));
    for (j, want) in &case.expect {
        let got = d.jurisdictions.iter().find(|a| &a.jurisdiction == j);
        match (got, want.as_str()) {
            (None, "absent") => {}
            (Some(a), "absent") => {
                fail(&mut failures, format!("{j} answered {} but should not apply", outcome_text(a)))
            }
            (None, w) => fail(&mut failures, format!("{j} not answered, expected {w}")),
            (Some(a), w) if outcome_text(a) != w => {
                let reasons: Vec<String> =
                    a.reasons.iter().map(|r| format!("{} ({})", r.rule, r.outcome.as_str())).collect();
                fail(
                    &mut failures,
                    format!("{j}: expected {w}, got {} because {}", outcome_text(a), reasons.join(", ")),
                )
            }
            _ => {}
        }
    }
    let fired: Vec<&str> = d.jurisdictions.iter().flat_map(|a| a.reasons.iter().map(|r| r.rule.as_str())).collect();
    let has = |id: &str| fired.iter().any(|r| *r == id || r.strip_prefix(id).is_some_and(|rest| rest.starts_with(':')));
    for id in &case.rules {
        if !has(id) {
            fail(&mut failures, format!("rule {id} did not fire (fired: {})", fired.join(", ")));
        }
    }
    for id in &case.absent_rules {
        if has(id) {
            fail(&mut failures, format!("rule {id} fired but must not"));
        }
    }
    let refusals: Vec<&str> =
        d.jurisdictions.iter().flat_map(|a| a.not_available.iter().map(|n| n.why.as_str())).collect();
    for text in &case.not_available {
        if !refusals.iter().any(|w| w.contains(text.as_str())) {
            fail(&mut failures, format!("no refused authorisation says '{text}' (they say: {})", refusals.join(" | ")));
        }
    }
    for (j, want) in &case.review {
        let got = d.jurisdictions.iter().find(|a| &a.jurisdiction == j).and_then(|a| a.review_path);
        let got = got.map(|p| serde_json::to_value(p).unwrap().as_str().unwrap().to_owned());
        if got.as_deref() != Some(want.as_str()) {
            fail(&mut failures, format!("{j}: review {got:?}, expected {want}"));
        }
    }
    let missing = d.jurisdictions.iter().any(|a| a.reasons.iter().any(|r| r.missing_data));
    if missing != case.missing_data {
        fail(&mut failures, format!("missing_data is {missing}, expected {}", case.missing_data));
    }
    let details: Vec<&str> = d.jurisdictions.iter().flat_map(|a| a.reasons.iter().map(|r| r.detail.as_str())).collect();
    for text in &case.details {
        if !details.iter().any(|w| w.contains(text.as_str())) {
            fail(&mut failures, format!("no reason says '{text}' (they say: {})", details.join(" | ")));
        }
    }
    let relied: Vec<&str> = d.jurisdictions.iter().flat_map(|a| a.unverified.iter().map(String::as_str)).collect();
    for text in &case.unverified {
        if !relied.iter().any(|w| w.contains(text.as_str())) {
            fail(&mut failures, format!("no unverified fact says '{text}' (they are: {})", relied.join(" | ")));
        }
        if !d.warnings.iter().any(|w| w.contains(text.as_str())) {
            fail(&mut failures, format!("no warning names the unverified '{text}'"));
        }
    }
    for j in &case.verified {
        if let Some(a) = d.jurisdictions.iter().find(|a| &a.jurisdiction == j)
            && !a.unverified.is_empty()
        {
            fail(&mut failures, format!("{j} relied on unverified facts: {}", a.unverified.join(" | ")));
        }
    }
    if d.note.is_some() != case.note {
        fail(&mut failures, format!("note is {:?}", d.note));
    }
    failures
}

#[derive(Deserialize)]
struct Cases {
    case: Vec<Case>,
}

#[test]
fn every_case_written_from_the_legal_texts_gets_its_expected_answer() {
    let mut cases: Cases = toml::from_str(CASES).unwrap();
    let us: Cases = toml::from_str(US_ECFR_CASES).unwrap();
    assert!(us.case.len() >= 60, "at least 60 cases checking the eCFR facts, found {}", us.case.len());
    cases.case.extend(us.case);
    let failures: Vec<String> = cases.case.iter().flat_map(check).collect();
    assert!(failures.is_empty(), "{} of {} cases failed:\n{}", failures.len(), cases.case.len(), failures.join("\n"));
}

#[test]
fn case_names_are_unique_and_every_case_cites_a_source() {
    let mut cases: Cases = toml::from_str(CASES).unwrap();
    cases.case.extend(toml::from_str::<Cases>(US_ECFR_CASES).unwrap().case);
    let mut names: Vec<&str> = cases.case.iter().map(|c| c.name.as_str()).collect();
    assert!(cases.case.iter().all(|c| !c.source.trim().is_empty()));
    names.sort();
    let before = names.len();
    names.dedup();
    assert_eq!(before, names.len(), "duplicate case names");
}

fn tx(v: Value) -> Transaction {
    serde_json::from_value(v).unwrap()
}

fn base() -> Value {
    json!({"date": "2025-12-01", "origin": "DE", "destination": "CN", "end_use": {"category": "civil"},
           "items": [{"code": "3A001.a.1", "quantity": 10, "value": 5000, "currency": "EUR", "origin": "US"}]})
}

#[test]
fn a_determination_is_deterministic_and_names_the_versions_it_used() {
    let t = tx(base()).check(list(), policies()).unwrap();
    let a = determine(policies(), list(), &t, Some(Screening::default())).unwrap();
    let b = determine(policies(), list(), &t, Some(Screening::default())).unwrap();
    assert_eq!(a, b);
    assert_eq!(a.versions.control_list, "2025-11");
    assert!(a.versions.policies.contains("eu.toml@") && a.versions.policies.contains("us.toml@"));
    let eu = a.jurisdictions.iter().find(|j| j.jurisdiction == "EU").unwrap();
    assert!(eu.policy.starts_with("eu.toml@"));
    assert!(eu.reasons.iter().all(|r| !r.citation.is_empty()), "every reason cites its source");
    assert_eq!(a.items[0].entry.as_deref(), Some("3A001"), "a sub-item is governed by its heading");
}

fn refused(v: Value) -> accord_core::Error {
    tx(v).check(list(), policies()).unwrap_err()
}

#[test]
fn an_unknown_control_code_is_refused_with_the_nearest_codes() {
    let mut v = base();
    v["items"][0]["code"] = json!("3A00X");
    let e = refused(v.clone());
    assert_eq!(e.code, ErrorCode::UnknownControlCode);
    assert!(e.message.starts_with("items[0].code:"), "{}", e.message);
    let nearest = e.details.as_ref().unwrap()["nearest"].as_array().unwrap().clone();
    assert!(nearest.contains(&json!("3A001")), "{nearest:?}");
    v["items"][0]["code"] = json!("3A777");
    let e = refused(v);
    assert_eq!(e.code, ErrorCode::UnknownControlCode);
    assert!(e.message.contains("not on the control list"), "{}", e.message);
}

#[test]
fn unknown_countries_jurisdictions_and_bad_numbers_are_refused_precisely() {
    let cases: [(&str, Value, ErrorCode, &str); 9] = [
        ("/destination", json!("XX"), ErrorCode::UnknownCountry, "destination: 'XX'"),
        ("/origin", json!("Germany"), ErrorCode::UnknownCountry, "origin"),
        ("/items/0/quantity", json!(-1), ErrorCode::ValidationFailed, "items[0].quantity must be a non-negative"),
        ("/items/0/value", json!(-0.5), ErrorCode::ValidationFailed, "items[0].value"),
        ("/items/0/currency", json!("euro"), ErrorCode::ValidationFailed, "items[0].currency"),
        ("/jurisdictions", json!(["EU", "XY"]), ErrorCode::UnknownJurisdiction, "no policy is loaded for 'XY'"),
        ("/date", json!("2025-02-30"), ErrorCode::ValidationFailed, "date: '2025-02-30'"),
        ("/end_use/category", json!("peaceful"), ErrorCode::ValidationFailed, "end_use.category"),
        ("/items", json!([]), ErrorCode::ValidationFailed, "items: give between 1 and"),
    ];
    for (pointer, value, code, text) in cases {
        let mut v = base();
        v["jurisdictions"] = json!(["EU"]);
        *v.pointer_mut(pointer).unwrap_or_else(|| panic!("{pointer}")) = value;
        let e = refused(v);
        assert_eq!(e.code, code, "{pointer}: {}", e.message);
        assert!(e.message.contains(text), "{pointer}: {}", e.message);
    }
    let mut v = base();
    v["parties"] = json!([{"role": "shipper", "name": "X"}]);
    assert!(refused(v).message.contains("parties[0].role"));
    let mut v = base();
    v["parties"] = json!([{"role": "consignee", "name": "Evil\u{202E}Corp"}]);
    assert_eq!(refused(v).code, ErrorCode::ValidationFailed);
}

#[test]
fn wrong_types_and_unknown_fields_do_not_deserialize() {
    let mut v = base();
    v["items"][0]["quantity"] = json!("ten");
    assert!(serde_json::from_value::<Transaction>(v).is_err());
    let mut v = base();
    v["colour"] = json!("red");
    let e = serde_json::from_value::<Transaction>(v).unwrap_err().to_string();
    assert!(e.contains("colour"), "{e}");
}

#[test]
fn hostile_and_oversized_text_is_refused_before_any_work() {
    let mut v = base();
    v["items"][0]["code"] = json!(format!("3A001{}", ".a".repeat(100_000)));
    let e = refused(v);
    assert_eq!(e.code, ErrorCode::UnknownControlCode);
    assert!(e.message.len() < 300, "the input is not echoed whole: {} bytes", e.message.len());
    let mut v = base();
    v["end_use"]["statement"] = json!("fine\u{0007}");
    assert_eq!(refused(v).details.unwrap()["field"], "end_use.statement");
    let mut v = base();
    v["items"][0]["description"] = json!("x".repeat(2001));
    assert!(refused(v).message.contains("longer than 2000"));
}

#[test]
fn only_subdivisions_the_policies_know_are_accepted() {
    let mut v = base();
    v["destination"] = json!("UA-43");
    assert!(tx(v.clone()).check(list(), policies()).is_ok());
    v["destination"] = json!("UA-CR");
    let e = refused(v);
    assert_eq!(e.code, ErrorCode::UnknownCountry);
    assert!(e.message.contains("subdivision 'UA-CR'") && e.message.contains("UA-43"), "{}", e.message);
}

#[test]
fn a_transaction_checked_against_another_list_is_refused() {
    let other = ControlList::new(
        ListInfo { version: "tiny".into(), effective_date: "2025-01-01".into(), rationale: String::new() },
        vec![accord_controls::ControlEntry::new(accord_controls::ControlCode::parse("3A001").unwrap(), "t")],
    )
    .unwrap();
    let t = tx(base()).check(&other, policies()).unwrap();
    assert!(determine(policies(), list(), &t, Some(Screening::default())).is_err());
}

// --- The US facts generated from the eCFR -------------------------------------------------------------------------

const ECFR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/controls/us_ecfr");
const POLICIES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../policies");

fn ecfr_text(name: &str) -> String {
    std::fs::read_to_string(Path::new(ECFR).join(name)).unwrap()
}

fn ecfr_inputs() -> [String; 3] {
    accord_controls::US_ECFR_INPUTS.map(ecfr_text)
}

fn generate(inputs: &[String; 3]) -> accord_core::Result<Vec<accord_controls::GeneratedFile>> {
    accord_controls::generate_us_ecfr(&accord_controls::UsEcfrInput {
        chart: &inputs[0],
        groups: &inputs[1],
        ccl: &inputs[2],
    })
}

#[test]
fn regenerating_the_us_facts_from_the_ecfr_files_gives_the_committed_bytes() {
    let files = generate(&ecfr_inputs()).unwrap();
    assert_eq!(files.len(), accord_controls::US_ECFR_OUTPUTS.len());
    for f in files {
        let committed = std::fs::read_to_string(Path::new(POLICIES).join(&f.name)).unwrap();
        assert!(
            committed == f.text,
            "{} differs from a regeneration: run `accord policies generate --us-ecfr DIR`",
            f.name
        );
        assert!(f.text.contains("issue_date = \"2026-07-23\"") && f.text.contains("kind = \"primary_source\""));
    }
}

#[test]
fn the_generated_files_carry_their_source_and_the_hand_written_ones_say_they_are_unverified() {
    let set = policies();
    let by_file = |name: &str| set.sources().iter().find(|s| s.file == name).unwrap().clone();
    for name in accord_controls::US_ECFR_OUTPUTS {
        let s = by_file(name);
        assert!(s.verified && s.kind == accord_controls::SourceKind::PrimarySource, "{s:?}");
        assert_eq!(s.issue_date.map(|d| d.to_string()).as_deref(), Some("2026-07-23"));
        assert!(s.url.as_deref().is_some_and(|u| u.starts_with("https://www.ecfr.gov/")), "{s:?}");
        assert!(s.inputs.iter().all(|i| i.contains(" sha256:")) && !s.inputs.is_empty());
    }
    for name in ["data/eu-sets.toml", "data/us-hand-sets.toml", "us.toml", "eu.toml"] {
        let s = by_file(name);
        assert!(!s.verified && s.kind == accord_controls::SourceKind::HandEncoded, "{s:?}");
    }
}

/// The columns an ECCN's License Requirements table names anywhere ("NS Column 2"), read straight from the source.
fn source_columns(entry: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for row in entry["countryChart"].as_array().unwrap() {
        let family: String = row["control"].as_str().unwrap().chars().take(2).collect();
        let words: Vec<&str> = row["countryChart"].as_str().unwrap().split_whitespace().collect();
        for (i, w) in words.iter().enumerate() {
            if *w != "Column" {
                continue;
            }
            let Some(n) = words.get(i + 1).map(|n| n.trim_end_matches(['.', ','])).filter(|n| n.len() == 1) else {
                continue;
            };
            let fam = match i.checked_sub(1).map(|p| words[p]) {
                Some(p) if p.len() == 2 && p.bytes().all(|b| b.is_ascii_uppercase()) => p.to_owned(),
                _ => family.clone(),
            };
            if family.bytes().all(|b| b.is_ascii_uppercase()) && family.len() == 2 {
                out.push(format!("{fam}{n}"));
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

#[test]
fn for_every_eccn_and_destination_the_chart_rule_gives_exactly_the_columns_the_ecfr_marks() {
    let ccl: Value = serde_json::from_str(&ecfr_text("ccl.json")).unwrap();
    let chart: Value = serde_json::from_str(&ecfr_text("country-chart.json")).unwrap();
    let generated = PolicySet::parse(&builtin_policies()).unwrap();
    let rows: Vec<(String, Vec<String>)> = {
        // The generated rows by ISO code, checked against the source's marks by name below.
        let text = std::fs::read_to_string(Path::new(POLICIES).join("data/us-ecfr-chart.toml")).unwrap();
        let doc: toml::Value = toml::from_str(&text).unwrap();
        let rows = doc["chart"]["us_ccc"]["rows"].as_table().unwrap();
        rows.iter()
            .map(|(k, v)| (k.clone(), v.as_array().unwrap().iter().map(|m| m.as_str().unwrap().to_owned()).collect()))
            .collect()
    };
    // Every source row's marks are the generated row's marks (names mapped to ISO codes by the generator).
    let source_marks: Vec<Vec<String>> = chart["countries"]
        .as_object()
        .unwrap()
        .values()
        .map(|r| {
            let mut m: Vec<String> =
                r["marks"].as_array().unwrap().iter().map(|m| m.as_str().unwrap().replace(' ', "")).collect();
            m.sort();
            m
        })
        .collect();
    for (code, marks) in &rows {
        let mut m = marks.clone();
        m.sort();
        assert!(source_marks.contains(&m), "{code}: {m:?} is no row of the source chart");
    }
    let (mut checked, mut skipped) = (0usize, 0usize);
    for entry in ccl["entries"].as_array().unwrap() {
        let eccn = entry["eccn"].as_str().unwrap();
        let columns = source_columns(entry);
        if entry["countryChart"].as_array().unwrap().is_empty()
            || list().position(&accord_controls::ControlCode::parse(eccn).unwrap()).is_none()
        {
            skipped += 1;
            continue;
        }
        for (dest, marks) in &rows {
            let t =
                tx(json!({"date": "2026-08-03", "origin": "US", "destination": dest, "end_use": {"category": "civil"},
                              "items": [{"code": eccn}], "jurisdictions": ["US"]}));
            let checked_tx = t.check(list(), &generated).unwrap();
            let d = determine(&generated, list(), &checked_tx, Some(Screening::default())).unwrap();
            let mut got: Vec<&str> = d.jurisdictions[0]
                .reasons
                .iter()
                .filter_map(|r| r.rule.strip_prefix("us.ccl.chart:"))
                .filter(|c| *c != "refer")
                .collect();
            got.sort();
            let want: Vec<&str> = columns.iter().filter(|c| marks.contains(c)).map(String::as_str).collect::<Vec<_>>();
            assert_eq!(got, want, "{eccn} to {dest}: chart columns");
            checked += 1;
        }
    }
    assert!(checked > 100_000, "checked {checked} pairs, skipped {skipped} ECCNs");
}

#[test]
fn a_malformed_or_partial_ecfr_file_is_refused_with_file_path_and_reason() {
    let good = ecfr_inputs();
    let with = |i: usize, text: String| {
        let mut v = good.clone();
        v[i] = text;
        generate(&v).expect_err("refused")
    };
    let e = with(0, good[0][..good[0].len() / 2].to_owned());
    assert_eq!(e.code, ErrorCode::MalformedSource);
    assert!(
        e.message.starts_with("country-chart.json: line ") && e.message.contains("not valid JSON"),
        "{}",
        e.message
    );

    let mut ccl: Value = serde_json::from_str(&good[2]).unwrap();
    ccl["entries"].as_array_mut().unwrap().truncate(100);
    let e = with(2, ccl.to_string());
    assert!(
        e.message.contains("ccl.json: entries: 100 entries, but entryCount says 633: the file is partial"),
        "{}",
        e.message
    );

    let mut groups: Value = serde_json::from_str(&good[1]).unwrap();
    groups["groups"]["A:5"].as_array_mut().unwrap().push(json!("Atlantis"));
    let e = with(1, groups.to_string());
    assert_eq!(e.details.as_ref().unwrap()["file"], "country-groups.json");
    assert!(e.message.contains("groups.\"A:5\"[38]: 'Atlantis' is not a country name"), "{}", e.message);

    let mut chart: Value = serde_json::from_str(&good[0]).unwrap();
    chart["countries"]["Germany"]["marks"] = json!(["NS 9"]);
    let e = with(0, chart.to_string());
    assert!(e.message.contains("countries.\"Germany\".marks[0]: 'NS 9' is not a column of the chart"), "{}", e.message);

    let mut chart: Value = serde_json::from_str(&good[0]).unwrap();
    chart.as_object_mut().unwrap().remove("ecfrIssueDate");
    let e = with(0, chart.to_string());
    assert_eq!(e.message, "country-chart.json: ecfrIssueDate: missing");

    let mut ccl: Value = serde_json::from_str(&good[2]).unwrap();
    ccl["entries"][3]["eccn"] = json!("3A001.a");
    let e = with(2, ccl.to_string());
    assert!(e.message.contains("entries[3].eccn: '3A001.a' is not an ECCN heading"), "{}", e.message);
}
