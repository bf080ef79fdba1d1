//! The declaration indicators on generated declarations with known patterns injected: each finds what was injected
//! (recall) and little else (precision); and the generated file reads back through the strict reader.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use accord_trade::declarations::{DeclarationIndicator, DeclarationSettings, all, read_declarations};
use accord_trade::generate::{generate, to_csv};
use std::collections::BTreeSet;

fn score(found: &BTreeSet<String>, truth: &BTreeSet<String>) -> (f64, f64) {
    let hit = found.intersection(truth).count() as f64;
    let precision = if found.is_empty() { 1.0 } else { hit / found.len() as f64 };
    let recall = if truth.is_empty() { 1.0 } else { hit / truth.len() as f64 };
    (precision, recall)
}

#[test]
fn every_indicator_finds_the_injected_patterns_with_high_precision_and_recall() {
    let (ds, truth) = generate(20_261_205, 50_000, 25);
    let findings = all(&ds, &DeclarationSettings::default());
    let subjects = |i: DeclarationIndicator| -> BTreeSet<String> {
        findings.iter().filter(|f| f.indicator == i).map(|f| f.subject.clone()).collect()
    };
    for (indicator, truth) in [
        (DeclarationIndicator::Structuring, &truth.structuring),
        (DeclarationIndicator::NewConsignee, &truth.new_consignees),
        (DeclarationIndicator::GaNewDestination, &truth.ga_new_destinations),
    ] {
        assert_eq!(truth.len(), 25, "{}", indicator.as_str());
        let (precision, recall) = score(&subjects(indicator), truth);
        assert!(
            precision >= 0.95 && recall >= 0.95,
            "{}: precision {precision:.2}, recall {recall:.2}",
            indicator.as_str()
        );
    }
}

#[test]
fn a_generated_file_reads_back_whole_and_a_bad_row_refuses_it_with_its_line() {
    let (ds, _) = generate(7, 2_000, 2);
    let text = to_csv(&ds);
    assert_eq!(read_declarations("gen.csv", text.as_bytes()).unwrap(), ds);
    let bad = text.replacen(",AE,", ",Arabia,", 1);
    let e = read_declarations("gen.csv", bad.as_bytes()).unwrap_err();
    assert!(e.message.contains("gen.csv:") && e.message.contains("destination 'Arabia'"), "{}", e.message);
    let twice = format!("{text}{}", text.lines().nth(1).unwrap());
    assert!(read_declarations("gen.csv", twice.as_bytes()).unwrap_err().message.contains("appears twice"));
    let header = read_declarations("x.csv", b"date,exporter\n2025-01-01,A\n").unwrap_err();
    assert!(header.message.contains("the header must be"), "{}", header.message);
}
