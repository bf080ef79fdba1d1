//! The early-warning indicators over trade statistics. Each series carries its method in words and the source the
//! method follows, so an analyst can read why a signal was raised; thresholds are data, per authority.

use crate::{EU_MEMBERS, EU27, Flow, Period, TradeSet};
pub use accord_core::warning::Thresholds;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

accord_core::named_enum! {
    /// An early-warning indicator.
    Indicator {
        /// Growth of EU exports to a partner against the same months of the years before the measures.
        ExportGrowth = "export_growth",
        /// What the EU reports exporting to a partner against what the partner reports importing, against the
        /// same gap before the measures.
        MirrorGap = "mirror_gap",
        /// Growth of declared exports of a high-priority product to a destination against the same months of the
        /// baseline years.
        ProductGrowth = "product_growth",
    }
}

impl Indicator {
    /// How the indicator is computed, in words.
    pub fn method(self) -> &'static str {
        match self {
            Indicator::ExportGrowth => {
                "Each month, what the 27 EU member states report exporting to the partner (Eurostat Comext, all \
                 goods, euro), divided by the mean of the same calendar month in the baseline years. Comparing a \
                 month with the same month of earlier years takes the yearly pattern of trade into account. A \
                 signal needs the ratio at or above the threshold for the set number of months in a row, so one \
                 unusual month does not raise it. Months before the baseline are shown, not judged."
            }
            Indicator::MirrorGap => {
                "Each year, what the 27 EU member states report exporting to the partner (Comext, euro), divided \
                 by what the partner's statistics office reports importing from the 27 member states (thousand US \
                 dollars, put in euro at the year's average rate), then divided by the same ratio averaged over the \
                 baseline years. The two sides never agree exactly (imports are valued with freight and insurance, \
                 goods are counted by consignment or origin), so the gap is compared with its own past. Goods the \
                 EU reports sending that the partner does not report receiving are a known sign of diversion. Years \
                 before the baseline are shown, not judged."
            }
            Indicator::ProductGrowth => {
                "Each month, the euro value of the export declarations whose HS code starts with a high-priority \
                 prefix, to one destination, divided by the mean of the same calendar month in the baseline years \
                 (declarations of those years must be stored). As for export growth, a signal needs the ratio at or \
                 above the threshold for the set number of months in a row; a month without declarations counts as \
                 zero, and a product and destination with no baseline is not judged."
            }
        }
    }

    /// The source the method follows.
    pub fn citation(self) -> &'static str {
        match self {
            Indicator::ExportGrowth => {
                "seasonal naïve baseline: R. J. Hyndman and G. Athanasopoulos, Forecasting: Principles and \
                 Practice, 3rd ed. (2021), section 5.2"
            }
            Indicator::MirrorGap => {
                "mirror statistics (each side's record of the same flow), as in \"The Missing Trade: Export-Import \
                 Data Discrepancies Under Sanctions Against Russia\" (github.com/mary-lev/eu-export-sanctions), \
                 whose extracts these are"
            }
            Indicator::ProductGrowth => {
                "seasonal naïve baseline (Hyndman and Athanasopoulos, section 5.2) applied per product, as the \
                 allies' common high-priority list is watched per HS heading"
            }
        }
    }
}

fn in_baseline(t: &Thresholds, year: i32) -> bool {
    (t.baseline_from..=t.baseline_to).contains(&year)
}

/// One period of an indicator's series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Point {
    /// The month or year.
    #[schema(value_type = String, example = "2022-06")]
    pub period: Period,
    /// The value measured: euro exported (growth), or the EU-to-partner ratio (mirror gap).
    pub value: f64,
    /// What the baseline expects for the period, when the baseline has it.
    pub baseline: Option<f64>,
    /// Value divided by baseline: what the threshold is compared with.
    pub ratio: Option<f64>,
}

/// An indicator at or over its threshold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Signal {
    /// The indicator.
    pub indicator: Indicator,
    /// The partner country (ISO alpha-2).
    pub partner: String,
    /// The product (an HS prefix), for a per-product indicator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
    /// The period that crossed (for growth, the month that completed the run).
    #[schema(value_type = String, example = "2022-08")]
    pub period: Period,
    /// The ratio measured then.
    pub ratio: f64,
    /// The threshold it reached.
    pub threshold: f64,
    /// What happened, in one sentence.
    pub summary: String,
}

/// An indicator's series for one partner, with its signals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Series {
    /// The indicator.
    pub indicator: Indicator,
    /// The partner country.
    pub partner: String,
    /// The product (an HS prefix), for a per-product indicator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
    /// How it is computed.
    pub method: String,
    /// The source the method follows.
    pub citation: String,
    /// Every period, oldest first.
    pub points: Vec<Point>,
    /// The periods that crossed the threshold.
    pub signals: Vec<Signal>,
}

fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

fn series(indicator: Indicator, partner: &str) -> Series {
    Series {
        indicator,
        partner: partner.to_owned(),
        product: None,
        method: indicator.method().to_owned(),
        citation: indicator.citation().to_owned(),
        points: Vec::new(),
        signals: Vec::new(),
    }
}

/// Monthly EU27 exports to `partner`, by month.
fn eu_monthly(set: &TradeSet, partner: &str) -> BTreeMap<Period, f64> {
    set.observations
        .iter()
        .filter(|o| o.reporter == EU27 && o.partner == partner && o.flow == Flow::Export && !o.period.is_year())
        .filter_map(|o| Some((o.period, set.value_eur(o)?)))
        .collect()
}

/// Export growth against the seasonal baseline, for one partner.
pub fn export_growth(set: &TradeSet, partner: &str, t: &Thresholds) -> Series {
    let months = eu_monthly(set, partner);
    growth(&months, series(Indicator::ExportGrowth, partner), t, |period, r| {
        format!(
            "EU exports to {partner} were at least {:.1} times the same months of {}–{} for {} months in a row, to \
             {period} ({r:.1} times)",
            t.growth_ratio, t.baseline_from, t.baseline_to, t.growth_months
        )
    })
}

/// A monthly series against the mean of the same calendar month in the baseline years: a signal when the ratio
/// holds at or over the threshold for the set months in a row (a gap in the months breaks a run).
fn growth(
    months: &BTreeMap<Period, f64>,
    mut s: Series,
    t: &Thresholds,
    say: impl Fn(Period, f64) -> String,
) -> Series {
    let mut by_month: BTreeMap<u8, Vec<f64>> = BTreeMap::new();
    for (p, v) in months {
        if in_baseline(t, p.year) {
            by_month.entry(p.month).or_default().push(*v);
        }
    }
    let mut run = 0u8;
    let mut last: Option<Period> = None;
    for (&period, &value) in months {
        let baseline = by_month.get(&period.month).and_then(|v| mean(v)).filter(|b| *b > 0.0);
        let ratio = baseline.map(|b| value / b);
        if last.is_some_and(|l| l.next_month() != period) {
            run = 0;
        }
        last = Some(period);
        match ratio {
            Some(r) if r >= t.growth_ratio && period.year >= t.baseline_from => {
                run = run.saturating_add(1);
                if run == t.growth_months {
                    s.signals.push(Signal {
                        indicator: s.indicator,
                        partner: s.partner.clone(),
                        product: s.product.clone(),
                        period,
                        ratio: r,
                        threshold: t.growth_ratio,
                        summary: say(period, r),
                    });
                }
            }
            _ => run = 0,
        }
        s.points.push(Point { period, value, baseline, ratio });
    }
    s
}

/// The declared value of one product to one destination in one month.
#[derive(Debug, Clone, PartialEq)]
pub struct ProductMonth {
    /// The month.
    pub period: Period,
    /// The destination (ISO alpha-2).
    pub destination: String,
    /// The HS code as declared.
    pub hs_code: String,
    /// Euro declared.
    pub value_eur: f64,
}

/// The declared values of `ds` by month, destination and HS code.
pub fn product_months(ds: &[accord_core::warning::Declaration]) -> Vec<ProductMonth> {
    let mut sums: BTreeMap<(Period, &str, &str), f64> = BTreeMap::new();
    for d in ds {
        let period = Period { year: i32::from(d.date.year()), month: d.date.month() as u8 };
        *sums.entry((period, d.destination.as_str(), d.hs_code.as_str())).or_default() += d.value_eur;
    }
    sums.into_iter()
        .map(|((period, destination, hs_code), value_eur)| ProductMonth {
            period,
            destination: destination.to_owned(),
            hs_code: hs_code.to_owned(),
            value_eur,
        })
        .collect()
}

/// Growth of each high-priority product (the prefixes of `t.declarations.high_priority_hs`) to each destination,
/// against its seasonal baseline. Months between the first and last with declarations count as zero when none
/// were made; only a product and destination with a baseline appear.
pub fn product_growth(months: &[ProductMonth], t: &Thresholds) -> Vec<Series> {
    let mut by_key: BTreeMap<(&str, &str), BTreeMap<Period, f64>> = BTreeMap::new();
    let (Some(first), Some(last)) = (months.iter().map(|m| m.period).min(), months.iter().map(|m| m.period).max())
    else {
        return Vec::new();
    };
    for m in months {
        for prefix in t.declarations.high_priority_hs.iter().filter(|p| m.hs_code.starts_with(p.as_str())) {
            *by_key.entry((m.destination.as_str(), prefix.as_str())).or_default().entry(m.period).or_default() +=
                m.value_eur;
        }
    }
    let mut out = Vec::new();
    for ((destination, prefix), mut series_months) in by_key {
        let mut p = first;
        while p <= last {
            series_months.entry(p).or_insert(0.0);
            p = p.next_month();
        }
        let mut s = series(Indicator::ProductGrowth, destination);
        s.product = Some(prefix.to_owned());
        let s = growth(&series_months, s, t, |period, r| {
            format!(
                "Declared exports of HS {prefix} to {destination} were at least {:.1} times the same months of {}–{} \
                 for {} months in a row, to {period} ({r:.1} times)",
                t.growth_ratio, t.baseline_from, t.baseline_to, t.growth_months
            )
        });
        if s.points.iter().any(|pt| pt.baseline.is_some()) {
            out.push(s);
        }
    }
    out
}

/// What the EU27 reports exporting to `partner` in a year: the yearly extract, else twelve months summed.
fn eu_yearly(set: &TradeSet, partner: &str) -> BTreeMap<i32, f64> {
    let mut years: BTreeMap<i32, f64> = set
        .observations
        .iter()
        .filter(|o| o.reporter == EU27 && o.partner == partner && o.flow == Flow::Export && o.period.is_year())
        .filter_map(|o| Some((o.period.year, set.value_eur(o)?)))
        .collect();
    let mut summed: BTreeMap<i32, (usize, f64)> = BTreeMap::new();
    for (p, v) in eu_monthly(set, partner) {
        let e = summed.entry(p.year).or_default();
        (e.0, e.1) = (e.0 + 1, e.1 + v);
    }
    for (year, (n, total)) in summed {
        if n == 12 {
            years.entry(year).or_insert(total);
        }
    }
    years
}

/// The mirror gap against its baseline, for one partner whose own statistics are in the set.
pub fn mirror_gap(set: &TradeSet, partner: &str, t: &Thresholds) -> Series {
    let exports = eu_yearly(set, partner);
    let mut imports: BTreeMap<i32, f64> = BTreeMap::new();
    for o in set.observations.iter().filter(|o| {
        o.reporter == partner
            && o.flow == Flow::Import
            && o.period.is_year()
            && EU_MEMBERS.contains(&o.partner.as_str())
    }) {
        if let Some(v) = set.value_eur(o) {
            *imports.entry(o.period.year).or_default() += v;
        }
    }
    let gaps: BTreeMap<i32, f64> =
        exports.iter().filter_map(|(y, e)| imports.get(y).filter(|i| **i > 0.0).map(|i| (*y, e / i))).collect();
    let baseline = mean(&gaps.iter().filter(|(y, _)| in_baseline(t, **y)).map(|(_, g)| *g).collect::<Vec<_>>());
    let mut s = series(Indicator::MirrorGap, partner);
    for (&year, &gap) in &gaps {
        let period = Period { year, month: 0 };
        let ratio = baseline.filter(|b| *b > 0.0).map(|b| gap / b);
        if let Some(r) = ratio.filter(|r| *r >= t.mirror_ratio && year >= t.baseline_from) {
            s.signals.push(Signal {
                indicator: Indicator::MirrorGap,
                product: None,
                partner: partner.to_owned(),
                period,
                ratio: r,
                threshold: t.mirror_ratio,
                summary: format!(
                    "in {year} the EU reported {gap:.2} times what {partner} reported importing from it, {r:.2} times \
                     the gap of {}–{}",
                    t.baseline_from, t.baseline_to
                ),
            });
        }
        s.points.push(Point { period, value: gap, baseline, ratio });
    }
    s
}

/// Every indicator for every partner the set allows: export growth for each partner of the EU's monthly exports,
/// the mirror gap for each partner whose own statistics are in the set.
pub fn all(set: &TradeSet, t: &Thresholds) -> Vec<Series> {
    let mut monthly: Vec<&str> = set
        .observations
        .iter()
        .filter(|o| o.reporter == EU27 && o.flow == Flow::Export && !o.period.is_year())
        .map(|o| o.partner.as_str())
        .collect();
    monthly.sort_unstable();
    monthly.dedup();
    let mut national: Vec<&str> =
        set.observations.iter().filter(|o| o.unit == crate::Unit::UsdThousand).map(|o| o.reporter.as_str()).collect();
    national.sort_unstable();
    national.dedup();
    let mut out: Vec<Series> = monthly.into_iter().map(|p| export_growth(set, p, t)).collect();
    out.extend(national.into_iter().map(|p| mirror_gap(set, p, t)).filter(|s| !s.points.is_empty()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Observation, Unit};

    fn eu(partner: &str, period: &str, value: f64) -> Observation {
        Observation {
            reporter: EU27.into(),
            partner: partner.into(),
            period: Period::parse(period).unwrap(),
            flow: Flow::Export,
            value,
            unit: Unit::Eur,
        }
    }

    /// Three baseline years of a flat 100 a month, then `after` for the months of 2022.
    fn set(after: &[f64]) -> TradeSet {
        let mut s = TradeSet::default();
        for y in 2019..=2021 {
            for m in 1..=12 {
                s.observations.push(eu("KG", &format!("{y}-{m:02}"), 100.0));
            }
        }
        for (i, v) in after.iter().enumerate() {
            s.observations.push(eu("KG", &format!("2022-{:02}", i + 1), *v));
        }
        s
    }

    #[test]
    fn growth_signals_once_when_the_ratio_holds_for_the_months_required_and_not_for_a_single_spike() {
        let t = Thresholds::default();
        let spike = export_growth(&set(&[100.0, 500.0, 100.0, 100.0]), "KG", &t);
        assert!(spike.signals.is_empty(), "one unusual month raises nothing");
        let surge = export_growth(&set(&[100.0, 250.0, 300.0, 400.0, 500.0, 90.0, 300.0, 300.0, 300.0]), "KG", &t);
        let at: Vec<String> = surge.signals.iter().map(|s| s.period.to_string()).collect();
        assert_eq!(at, ["2022-04", "2022-09"], "one signal per run, at the month completing it");
        assert_eq!(surge.points.len(), 36 + 9);
        assert_eq!(surge.points[40].ratio, Some(5.0));
    }

    fn month(period: &str, destination: &str, hs: &str, value: f64) -> ProductMonth {
        ProductMonth {
            period: Period::parse(period).unwrap(),
            destination: destination.into(),
            hs_code: hs.into(),
            value_eur: value,
        }
    }

    #[test]
    fn product_growth_finds_a_high_priority_heading_surging_to_one_destination_and_not_a_seasonal_peak() {
        let t = Thresholds { baseline_from: 2024, baseline_to: 2024, ..Thresholds::default() };
        let mut months = Vec::new();
        for m in 1..=12 {
            // Chips to KG: a December peak every year, then a surge from March 2025.
            let usual = if m == 12 { 900.0 } else { 100.0 };
            months.push(month(&format!("2024-{m:02}"), "KG", "85423190", usual));
            months.push(month(
                &format!("2025-{m:02}"),
                "KG",
                "85423190",
                if (3..=5).contains(&m) { 350.0 } else { usual },
            ));
            // Furniture to KG surges too, but is not a high-priority heading.
            months.push(month(&format!("2024-{m:02}"), "KG", "94032080", 100.0));
            months.push(month(&format!("2025-{m:02}"), "KG", "94032080", 1000.0));
        }
        // Phones to AM: declared in 2025 only, so there is no baseline to judge by.
        months.push(month("2025-02", "AM", "85171300", 5000.0));
        let found = product_growth(&months, &t);
        assert_eq!(found.len(), 1, "{found:?}");
        let chips = &found[0];
        assert_eq!((chips.partner.as_str(), chips.product.as_deref()), ("KG", Some("8542")));
        let at: Vec<String> = chips.signals.iter().map(|s| s.period.to_string()).collect();
        assert_eq!(at, ["2025-05"], "the surge completes its run in May; December is as usual");
        assert!(chips.signals[0].summary.contains("HS 8542 to KG"), "{}", chips.signals[0].summary);
    }

    #[test]
    fn a_month_without_declarations_counts_as_zero_and_breaks_a_run() {
        let t = Thresholds { baseline_from: 2024, baseline_to: 2024, growth_months: 2, ..Thresholds::default() };
        let mut months: Vec<ProductMonth> =
            (1..=12).map(|m| month(&format!("2024-{m:02}"), "KG", "8542", 100.0)).collect();
        months.extend([month("2025-01", "KG", "8542", 300.0), month("2025-03", "KG", "8542", 300.0)]);
        let s = &product_growth(&months, &t)[0];
        assert!(s.signals.is_empty());
        assert_eq!(s.points.iter().find(|p| p.period.to_string() == "2025-02").map(|p| p.value), Some(0.0));
    }

    #[test]
    fn a_missing_month_breaks_a_run() {
        let mut s = set(&[300.0, 300.0]);
        s.observations.push(eu("KG", "2022-04", 300.0));
        assert!(export_growth(&s, "KG", &Thresholds::default()).signals.is_empty());
    }

    #[test]
    fn the_mirror_gap_is_measured_against_its_own_baseline() {
        let mut s = TradeSet { usd_per_eur: (2019..=2023).map(|y| (y, 1.0)).collect(), ..TradeSet::default() };
        for (y, exported, imported) in
            [(2019, 90.0, 100.0), (2020, 80.0, 100.0), (2021, 100.0, 100.0), (2022, 200.0, 100.0)]
        {
            s.observations.push(eu("KG", &y.to_string(), exported * 1000.0));
            for member in ["DE", "FR"] {
                s.observations.push(Observation {
                    reporter: "KG".into(),
                    partner: member.into(),
                    period: Period { year: y, month: 0 },
                    flow: Flow::Import,
                    value: imported / 2.0,
                    unit: Unit::UsdThousand,
                });
            }
        }
        let m = mirror_gap(&s, "KG", &Thresholds::default());
        assert_eq!(m.points.len(), 4);
        assert_eq!(m.signals.len(), 1, "{:?}", m.signals);
        assert_eq!(m.signals[0].period.to_string(), "2022");
        assert!((m.signals[0].ratio - 2.0 / 0.9).abs() < 1e-9, "{}", m.signals[0].ratio);
    }

    #[test]
    fn thresholds_that_cannot_be_are_refused_naming_the_field() {
        let field = |t: Thresholds| t.check().unwrap_err().details.unwrap()["field"].clone();
        assert_eq!(field(Thresholds { growth_ratio: 0.5, ..Thresholds::default() }), "growth_ratio");
        assert_eq!(field(Thresholds { baseline_to: 2018, ..Thresholds::default() }), "baseline_to");
        let far = Thresholds { baseline_from: i32::MIN, baseline_to: 0, ..Thresholds::default() };
        assert_eq!(field(far), "baseline_from", "no year overflows the arithmetic");
        assert_eq!(field(Thresholds { growth_months: 0, ..Thresholds::default() }), "growth_months");
        assert!(Thresholds::default().check().is_ok());
    }
}
