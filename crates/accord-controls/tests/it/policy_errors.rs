//! Policy files with an error are refused whole, with the file, the line and what is wrong.

use accord_controls::{PolicySet, PolicySource, builtin_policies};
use accord_core::ErrorCode;

/// The built-in files with `from` replaced by `to` in `file` (which must contain it once).
fn edited(file: &str, from: &str, to: &str) -> (Vec<PolicySource>, usize) {
    let mut files = builtin_policies();
    let f = files.iter_mut().find(|f| f.name == file).unwrap_or_else(|| panic!("no {file}"));
    assert_eq!(f.text.matches(from).count(), 1, "'{from}' must occur once in {file}");
    let line = f.text[..f.text.find(from).unwrap()].matches('\n').count() + 1;
    f.text = f.text.replacen(from, to, 1);
    (files, line)
}

fn refused(file: &str, from: &str, to: &str, expect: &str) {
    let (files, line) = edited(file, from, to);
    let e = PolicySet::parse(&files).expect_err(expect);
    assert_eq!(e.code, ErrorCode::InvalidPolicy, "{}", e.message);
    assert!(e.message.starts_with(&format!("{file}, line ")), "{}", e.message);
    let got: usize = e.details.as_ref().unwrap()["line"].as_u64().unwrap() as usize;
    assert!(got.abs_diff(line) <= 2, "{expect}: reported line {got}, edited line {line}: {}", e.message);
    assert!(e.message.contains(expect), "expected '{expect}' in: {}", e.message);
}

#[test]
fn the_built_in_policies_load_with_every_jurisdiction_and_the_red_lines() {
    let set = PolicySet::parse(&builtin_policies()).unwrap();
    assert_eq!(set.jurisdictions(), ["EU", "US"]);
    let info = set.info();
    assert_eq!(info.iter().map(|i| i.jurisdiction.as_str()).collect::<Vec<_>>(), ["EU", "US", "coalition"]);
    let eu = &info[0];
    assert!(eu.rules >= 10 && eu.authorisations == 8, "EU001-EU008: {eu:?}");
    assert!(info[1].authorisations >= 5, "LVS, GBS, STA, ENC: {:?}", info[1]);
}

#[test]
fn a_typo_in_a_set_name_names_the_file_and_line() {
    refused(
        "eu.toml",
        "when.destinations = [\"@eu001_destinations\"]",
        "when.destinations = [\"@eu001_destinatons\"]",
        "unknown set '@eu001_destinatons'",
    );
}

#[test]
fn broken_toml_names_the_file_and_line() {
    refused("us.toml", "id = \"us.embargo.iran\"", "id = \"us.embargo.iran", "");
}

#[test]
fn unknown_fields_are_refused() {
    refused(
        "coalition.toml",
        "summary = \"no item may be supplied",
        "sumary = \"no item may be supplied",
        "unknown field `sumary`",
    );
}

#[test]
fn rule_values_are_checked() {
    refused(
        "eu.toml",
        "outcome = \"licence_required\"\ncitation = \"Regulation (EU) 2021/821, Art. 3(1)\"",
        "outcome = \"maybe\"\ncitation = \"Regulation (EU) 2021/821, Art. 3(1)\"",
        "unknown outcome 'maybe'",
    );
    refused(
        "us.toml",
        "when.destinations = [\"IR\"]",
        "when.destinations = [\"IRN\"]",
        "'IRN' is not an ISO 3166-1 alpha-2 country code",
    );
    refused("eu.toml", "when.from = \"2022-02-26\"", "when.from = \"2022-02-30\"", "'2022-02-30' is not a date");
    refused("eu.toml", "when.until = \"2022-02-26\"", "when.until = \"2014-01-01\"", "must come after 'from'");
    refused("coalition.toml", "when.codes = [\"0*\"]", "when.codes = [\"0X*\"]", "'0X*' is not a control code");
    refused(
        "coalition.toml",
        "when.end_uses = [\"wmd\"]",
        "when.end_uses = [\"weapons\"]",
        "unknown end use 'weapons'",
    );
    refused("us.toml", "when.chart = \"us_ccc\"", "when.chart = \"us_chart\"", "unknown chart 'us_chart'");
    refused("us.toml", "when.value_within = \"us_lvs\"", "when.value_within = \"lvs\"", "unknown facts table 'lvs'");
}

#[test]
fn a_set_of_codes_is_not_a_set_of_countries() {
    refused(
        "eu.toml",
        "when.destinations = [\"@eu001_destinations\"]",
        "when.destinations = [\"@eu_annex_iv\"]",
        "holds control codes, not countries",
    );
}

#[test]
fn authorisations_lift_only_licence_requirements_of_their_own_policy() {
    refused(
        "us.toml",
        "lifts = [\"us.ccl.chart\", \"us.ccl.encryption\"]",
        "lifts = [\"us.ccl.chart\", \"eu.annex_i.export\"]",
        "is not a rule of this policy",
    );
    refused(
        "us.toml",
        "lifts = [\"us.ccl.chart\", \"us.ccl.encryption\"]",
        "lifts = [\"us.embargo.iran\"]",
        "prohibits; no authorisation can lift it",
    );
}

#[test]
fn rule_ids_are_unique_across_files() {
    refused("us.toml", "id = \"us.embargo.cuba\"", "id = \"eu.annex_i.export\"", "already used in eu.toml");
}

#[test]
fn data_files_are_checked_too() {
    refused(
        "data/us-ecfr-chart.toml",
        "CA = [\"CB1\", \"FC1\"]",
        "CA = [\"XX1\"]",
        "'XX1' is not a column of chart 'us_ccc'",
    );
    refused(
        "data/eu-sets.toml",
        "[sets.eu001_destinations]\ncitation",
        "[sets.eu001_destinations]\ncitaton",
        "unknown field `citaton`",
    );
}

#[test]
fn a_set_defined_twice_is_refused() {
    let mut files = builtin_policies();
    files.push(PolicySource {
        name: "extra.toml".into(),
        text: "[sets.eu_member_states]\ncitation = \"x\"\nmembers = [\"DE\"]\n".into(),
    });
    let e = PolicySet::parse(&files).unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidPolicy);
    assert!(
        e.message.starts_with("extra.toml, line 3") && e.message.contains("also defined in data/eu-sets.toml"),
        "{}",
        e.message
    );
}

#[test]
fn a_set_without_a_jurisdiction_policy_is_refused() {
    let files: Vec<PolicySource> = builtin_policies().into_iter().filter(|f| f.name.starts_with("data/")).collect();
    let e = PolicySet::parse(&files).unwrap_err();
    assert!(e.message.contains("no jurisdiction policy"), "{}", e.message);
    assert!(PolicySet::parse(&[]).is_err());
}

#[test]
fn rule_ids_may_not_contain_a_colon_and_ids_are_unique_against_authorisations() {
    refused("us.toml", "id = \"us.embargo.cuba\"", "id = \"us.embargo:cuba\"", "must be 1-80 letters");
    refused("us.toml", "id = \"GBS\"", "id = \"us.embargo.cuba\"", "already used in us.toml");
}

#[test]
fn authorisations_cannot_lift_what_stands_in_for_missing_data() {
    refused(
        "us.toml",
        "lifts = [\"us.ccl.chart\", \"us.ccl.encryption\"]",
        "lifts = [\"us.ccl.unmapped\"]",
        "stands in for missing data",
    );
    refused(
        "us.toml",
        "lifts_reasons = [\"NS*\", \"CB*\", \"NP*\", \"RS*\", \"CC*\"]",
        "lifts_reasons = [\"XY2\"]",
        "names no column",
    );
}

#[test]
fn facts_tables_are_typed_by_their_use() {
    refused("us.toml", "when.value_within = \"us_lvs\"", "when.value_within = \"us_gbs\"", "are not value limits");
    refused("us.toml", "reasons_from = \"us_reasons\"", "reasons_from = \"us_lvs\"", "are not lists of reasons");
    refused("data/us-ecfr-ccl.toml", "\"1A001\" = [\"AT1\", \"NS2\"]", "\"1A001\" = []", "an empty list of reasons");
}

#[test]
fn the_red_lines_take_no_authorisations_and_may_not_go_missing() {
    let (mut files, _) = edited(
        "coalition.toml",
        "[[rule]]\nid = \"coalition.dprk\"",
        "[applies]\nwhy = \"x\"\n\n[[rule]]\nid = \"coalition.dprk\"",
    );
    let e = PolicySet::parse(&files).unwrap_err();
    assert!(e.message.contains("the coalition's red lines take no [applies]"), "{}", e.message);
    files.retain(|f| f.name != "coalition.toml");
    let e = PolicySet::parse(&files).unwrap_err();
    assert!(e.message.contains("no coalition policy"), "{}", e.message);
}

#[test]
fn chart_reasons_without_a_column_are_checked() {
    refused(
        "data/us-ecfr-chart.toml",
        "[chart.us_ccc.column_citations]",
        "[chart.us_ccc.bare_reasons]\nNS = \"ZZ9\"\n\n[chart.us_ccc.column_citations]",
        "'ZZ9' is not a column of chart 'us_ccc'",
    );
}
