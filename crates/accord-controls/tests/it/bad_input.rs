//! Damaged input, from tiny files and strings written here: Accord list files are refused with a precise message
//! and the right code, and the importers report bad rows or fail on files that are not their format.

use accord_controls::{
    ControlCode, ControlEntry, ControlList, Jurisdiction, ListInfo, Mapping, Regime, import_eu_annex_i,
    import_regime_csv, import_us_ccl_headings, import_us_reasons,
};
use accord_core::ErrorCode;
use std::path::{Path, PathBuf};

/// A temporary folder removed when dropped.
struct Dir(PathBuf);

impl Dir {
    fn new(name: &str) -> Dir {
        let dir = std::env::temp_dir().join(format!("accord-controls-bad-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Dir(dir)
    }

    fn file(&self, name: &str, content: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, content).unwrap();
        path
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn small_list() -> ControlList {
    let info = ListInfo { version: "t1".into(), effective_date: "2026-01-31".into(), rationale: "test".into() };
    let mut a = ControlEntry::new(ControlCode::parse("3A001").unwrap(), "Electronic items");
    a.text = "a.1. Frequency synthesiser assemblies".into();
    a.regimes = vec![Regime::Wa];
    a.set_mapping(Mapping::new(Jurisdiction::Eu, "3A001"));
    let mut us = Mapping::new(Jurisdiction::Us, "3A001");
    us.reasons = vec!["AT1".into(), "NS1".into()];
    a.set_mapping(us);
    a.notes = vec!["3A001.a.1. does not control toys.".into()];
    let b = ControlEntry::new(ControlCode::parse("3A001.a").unwrap(), "Integrated circuits");
    let c = ControlEntry::new(ControlCode::parse("0A501").unwrap(), "Firearms");
    ControlList::new(info, vec![c, b, a]).unwrap()
}

fn with_entries(entries: &str) -> String {
    format!(
        r#"{{"format":"accord-control-list","format_version":1,"version":"v","effective_date":"2026-01-01","rationale":"","entries":[{entries}]}}"#
    )
}

fn refused(json: &str) -> accord_core::Error {
    ControlList::from_json(json.as_bytes()).expect_err("should be refused")
}

#[test]
fn a_small_list_round_trips_and_is_sorted_by_code() {
    let list = small_list();
    let codes: Vec<String> = list.entries().iter().map(|e| e.code.to_string()).collect();
    assert_eq!(codes, ["0A501", "3A001", "3A001.a"]);
    let json = list.to_json();
    assert!(json.contains(r#""format": "accord-control-list""#));
    let back = ControlList::from_json(json.as_bytes()).unwrap();
    assert_eq!(back.entries(), list.entries());
    assert_eq!(back.info(), list.info());
    assert_eq!(back.children(&ControlCode::parse("3A001").unwrap()).len(), 1);
}

#[test]
fn malformed_json_is_malformed_file_with_its_position() {
    let e = refused(r#"{"format": "accord-control-list", "entries": [ }"#);
    assert_eq!(e.code, ErrorCode::MalformedFile);
    assert!(e.message.contains("line 1"), "{}", e.message);
}

#[test]
fn another_format_or_version_is_unknown_format() {
    let e = refused(r#"{"format":"ftm","format_version":1}"#);
    assert_eq!(e.code, ErrorCode::UnknownFormat);
    let e = refused(&with_entries("").replace(r#""format_version":1"#, r#""format_version":2"#));
    assert_eq!(e.code, ErrorCode::UnknownFormat);
    assert!(e.message.contains("format_version 2"), "{}", e.message);
}

#[test]
fn unknown_fields_are_refused_naming_the_entry() {
    let e = refused(&with_entries(r#"{"code":"3A001","title":"x"},{"code":"3A002","title":"y","colour":"red"}"#));
    assert_eq!(e.code, ErrorCode::ValidationFailed);
    assert!(e.message.starts_with("entry 1 (3A002): unknown field `colour`"), "{}", e.message);
    let e = refused(&with_entries("").replace(r#""rationale":"""#, r#""rationale":"","extra":1"#));
    assert!(e.message.contains("unknown top-level field 'extra'"), "{}", e.message);
    let e = refused(&with_entries(
        r#"{"code":"3A001","title":"x","mappings":[{"jurisdiction":"US","code":"3A001","why":1}]}"#,
    ));
    assert!(e.message.contains("unknown field `why`"), "{}", e.message);
}

#[test]
fn duplicate_codes_are_refused() {
    let e = refused(&with_entries(
        r#"{"code":"3A001","title":"x"},{"code":"3A002","title":"y"},{"code":"3A001","title":"z"}"#,
    ));
    assert_eq!(e.code, ErrorCode::ValidationFailed);
    assert_eq!(e.message, "entry 2 (3A001): duplicate code");
    assert_eq!(e.details.unwrap()["index"], 2);
}

#[test]
fn invalid_codes_and_values_are_refused_with_the_reason() {
    for (entries, expected) in [
        (
            r#"{"code":"3F001","title":"x"}"#,
            "entry 0 (3F001): invalid control code '3F001': the group must be a letter A-E",
        ),
        (r#"{"code":"3a001","title":"x"}"#, "entry 0 (3a001): code must be written in canonical form '3A001'"),
        (r#"{"code":"3A001","title":" "}"#, "entry 0 (3A001): title must not be empty"),
        (r#"{"code":"3A001","title":"x","regimes":["WA","WA"]}"#, "entry 0 (3A001): a regime is listed twice"),
        (
            r#"{"code":"3A001","title":"x","mappings":[{"jurisdiction":"US","code":"3A001","reasons":["ns1"]}]}"#,
            "entry 0 (3A001): 'ns1' is not a reason for control (as NS1, AT1, RS)",
        ),
        (
            r#"{"code":"3A001","title":"x","mappings":[{"jurisdiction":"EU","code":"a"},{"jurisdiction":"EU","code":"b"}]}"#,
            "entry 0 (3A001): two mappings for EU",
        ),
    ] {
        let e = refused(&with_entries(entries));
        assert_eq!(e.code, ErrorCode::ValidationFailed, "{entries}");
        assert_eq!(e.message, expected);
    }
    let e = refused(&with_entries("").replace("2026-01-01", "2026-02-30"));
    assert_eq!(e.code, ErrorCode::ValidationFailed);
    assert!(e.message.contains("effective_date '2026-02-30'"), "{}", e.message);
    let e = refused(&with_entries(r#"{"code":"3A001","title":"x","regimes":["XX"]}"#));
    assert!(e.message.starts_with("entry 0 (3A001): unknown variant `XX`"), "{}", e.message);
}

#[test]
fn missing_files_are_file_unreadable() {
    let missing = Path::new("/nonexistent/accord/controls.json");
    assert_eq!(import_eu_annex_i(missing).unwrap_err().code, ErrorCode::FileUnreadable);
    assert_eq!(import_us_ccl_headings(missing).unwrap_err().code, ErrorCode::FileUnreadable);
    assert_eq!(import_us_reasons(missing).unwrap_err().code, ErrorCode::FileUnreadable);
    assert_eq!(import_regime_csv(missing, Regime::Mtcr).unwrap_err().code, ErrorCode::FileUnreadable);
}

#[test]
fn source_files_that_are_not_json_of_the_shape_are_malformed() {
    let d = Dir::new("shape");
    let e = import_eu_annex_i(&d.file("eu.json", "{\"entries\": [")).unwrap_err();
    assert_eq!(e.code, ErrorCode::MalformedFile);
    assert!(e.message.starts_with("eu.json: "), "{}", e.message);
    let e = import_us_ccl_headings(&d.file("us.json", r#"{"code": "ECCN-3A001"}"#)).unwrap_err();
    assert_eq!(e.code, ErrorCode::MalformedFile);
}

#[test]
fn eu_notes_without_their_entry_and_bad_codes_are_reported() {
    let d = Dir::new("eu");
    let path = d.file(
        "eu.json",
        r#"{"metadata": {"entry_count": 5}, "entries": [
          {"code": "3A001", "label": "Electronic items", "category": "3", "subgroup": "A", "depth": 0, "full_content": "a. Chips; Note:"},
          {"code": "3A001.a", "label": "does not control toys.", "category": "3", "subgroup": "A", "depth": 1, "full_content": "b. Tubes."},
          {"code": "3A002.b", "label": "does not control lamps.", "category": "3", "subgroup": "A", "depth": 1, "full_content": ""},
          {"code": "3Z002", "label": "Bad", "category": "3", "subgroup": "Z", "depth": 0, "full_content": ""}
        ]}"#,
    );
    let (entries, problems) = import_eu_annex_i(&path).unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].text, "a. Chips; Note: 3A001.a. does not control toys. b. Tubes.");
    assert_eq!(entries[0].notes, ["3A001.a. does not control toys."]);
    let messages: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
    assert_eq!(messages.len(), 3, "{messages:?}");
    assert_eq!(messages[0], "metadata says 5 entries, the file has 4");
    assert!(messages[1].starts_with("note entry 2 (3A002.b): no entry 3A002 before it"), "{}", messages[1]);
    assert!(messages[2].starts_with("entry 3: invalid control code '3Z002'"), "{}", messages[2]);
}

#[test]
fn regime_rows_that_are_wrong_are_reported_with_their_line() {
    let d = Dir::new("regime");
    let path = d.file(
        "MTCR_test.csv",
        "M1A1,ACTIVE,4,UK,Cat 1\nM1A2,SOMETIMES,4,UK\nM1B1,ACTIVE\n\nM1B2,ACTIVE,x,UK\n3A001,ACTIVE,4,UK\n",
    );
    let (items, problems) = import_regime_csv(&path, Regime::Mtcr).unwrap();
    assert_eq!(items.iter().map(|i| i.code.as_str()).collect::<Vec<_>>(), ["M1A1", "3A001"]);
    assert_eq!(items[1].line, 6);
    assert_eq!(problems.iter().map(|p| p.line).collect::<Vec<_>>(), [Some(2), Some(3), Some(5)]);
    assert!(problems[0].message.contains("unknown status 'SOMETIMES'"));
    let empty = d.file("NSG_empty.csv", "\n");
    assert_eq!(import_regime_csv(&empty, Regime::Nsg).unwrap_err().code, ErrorCode::MalformedFile);
}

#[test]
fn duplicate_codes_are_refused_when_building_a_list() {
    let info = ListInfo::default();
    let a = ControlEntry::new(ControlCode::parse("3A001").unwrap(), "a");
    let e = ControlList::new(info, vec![a.clone(), a]).unwrap_err();
    assert_eq!(e.code, ErrorCode::ValidationFailed);
    assert_eq!(e.message, "duplicate control code 3A001");
}

#[test]
fn search_ranks_title_matches_and_codes() {
    let list = small_list();
    let hits = list.search("frequency synthesizer", 5);
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].code.to_string(), "3A001");
    assert!(hits[0].snippet.contains("Frequency synthesiser"));
    let hits = list.search("3A001", 5);
    assert_eq!(hits.iter().map(|h| h.code.to_string()).collect::<Vec<_>>(), ["3A001", "3A001.a"]);
    assert!(list.search("nothing-like-this", 5).is_empty());
    assert!(list.require(&ControlCode::parse("9E999").unwrap()).unwrap_err().code == ErrorCode::NotFound);
}
