//! The real trade statistics in `../shared/data/trade`: every file reads, and the indicators raise their signals
//! for Kyrgyzstan and Armenia after 2022 and none in 2019–2021.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use accord_trade::indicators::{Indicator, Thresholds, all};
use accord_trade::{TradeSet, read_files, source_files};
use std::path::Path;
use std::sync::OnceLock;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/trade");

fn set() -> &'static TradeSet {
    static S: OnceLock<TradeSet> = OnceLock::new();
    S.get_or_init(|| read_files(&source_files(Path::new(DATA)).unwrap()).unwrap())
}

#[test]
fn every_file_of_the_real_extracts_reads_and_the_euro_rate_comes_from_the_national_bank() {
    let s = set();
    assert_eq!(s.files.len(), 13);
    assert!(s.files.iter().all(|f| f.rows > 0), "{:?}", s.files);
    let rate = s.usd_per_eur[&2022];
    assert!((rate - 88.82 / 84.12).abs() < 0.01, "USD per EUR in 2022: {rate}");
}

#[test]
fn growth_and_the_mirror_gap_signal_kyrgyzstan_and_armenia_after_2022_and_nothing_in_2019_to_2021() {
    let series = all(set(), &Thresholds::default());
    let signals: Vec<_> = series.iter().flat_map(|s| &s.signals).collect();
    for partner in ["KG", "AM"] {
        for indicator in [Indicator::ExportGrowth, Indicator::MirrorGap] {
            let first =
                signals.iter().filter(|s| s.partner == partner && s.indicator == indicator).map(|s| s.period).min();
            let first = first.unwrap_or_else(|| panic!("no {} signal for {partner}", indicator.as_str()));
            assert_eq!(first.year, 2022, "{partner} {}: first signal {first}", indicator.as_str());
        }
    }
    let early: Vec<String> = signals
        .iter()
        .filter(|s| s.period.year <= 2021)
        .map(|s| format!("{} {} {}", s.partner, s.indicator.as_str(), s.period))
        .collect();
    assert!(early.is_empty(), "no signal before the measures: {early:?}");
    let kg = series.iter().find(|s| s.partner == "KG" && s.indicator == Indicator::MirrorGap).unwrap();
    let gap = |y: i32| kg.points.iter().find(|p| p.period.year == y).unwrap().value;
    assert!(
        (gap(2021) - 1.08).abs() < 0.02 && (gap(2023) - 3.07).abs() < 0.02,
        "KG: {} in 2021, {} in 2023",
        gap(2021),
        gap(2023)
    );
}
