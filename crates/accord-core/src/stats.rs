//! Dashboards of how controls affect industry, and the public transparency report: pure aggregation of the facts of
//! decided cases, the documented compliance-cost model, and small-cell suppression so that no firm can be
//! identified from what is published.

use crate::cases::DecisionKind;
use crate::determination::ReviewPath;
use crate::model::SizeClass;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// What a dashboard needs of one case.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseFacts {
    /// The reviewing authority.
    pub authority: String,
    /// The jurisdiction it reviews for.
    pub jurisdiction: String,
    /// How it is reviewed.
    pub review_path: ReviewPath,
    /// The applicant's size.
    pub size: SizeClass,
    /// The day it was opened.
    pub opened: Date,
    /// The SLA target day.
    pub due: Date,
    /// The decision's kind and day, once decided.
    pub decided: Option<(DecisionKind, Date)>,
    /// Questions the officer asked the exporter.
    pub info_requests: usize,
    /// Documents the application declared.
    pub documents: usize,
    /// Whether the licence is for a joint-development project (a roster of participants).
    pub joint_development: bool,
}

/// The compliance-cost model, in words: published with every estimate.
pub const COST_MODEL: &str = "An estimate, not a measurement: the staff hours an application costs the exporter, \
    at EUR 65 an hour. Preparing it takes 6 hours for a micro firm, 5 for a small one, 4 for a medium one and 3 for \
    a large one (a large firm has a compliance department and routines); each question the authority asks takes 2 \
    hours to answer; each document takes half an hour; and each week the case waits costs half an hour of follow-up.";

/// The hourly rate of the cost model, in euro.
pub const COST_RATE_EUR: f64 = 65.0;

/// The estimated cost of one application to its exporter, in euro (see [`COST_MODEL`]).
pub fn estimated_cost_eur(f: &CaseFacts, today: Date) -> f64 {
    let prepare = match f.size {
        SizeClass::Micro => 6.0,
        SizeClass::Small => 5.0,
        SizeClass::Medium => 4.0,
        SizeClass::Large => 3.0,
    };
    let end = f.decided.map_or(today, |(_, d)| d);
    let weeks = (days_between(f.opened, end) as f64 / 7.0).max(0.0);
    (prepare + 2.0 * f.info_requests as f64 + 0.5 * f.documents as f64 + 0.5 * weeks) * COST_RATE_EUR
}

fn days_between(from: Date, to: Date) -> i64 {
    to.since(from).map_or(0, |s| i64::from(s.get_days()))
}

fn median(values: &mut [i64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let n = values.len();
    Some(if n % 2 == 1 { values[n / 2] as f64 } else { (values[n / 2 - 1] + values[n / 2]) as f64 / 2.0 })
}

fn percent(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| 100.0 * part as f64 / whole as f64)
}

/// Processing against the SLA for one authority and review path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ProcessingRow {
    /// The authority.
    pub authority: String,
    /// The review path.
    pub review_path: ReviewPath,
    /// Cases decided.
    pub decided: usize,
    /// Median calendar days from opening to decision.
    pub median_days: Option<f64>,
    /// Decided by the SLA day, in percent of those decided.
    pub within_sla_percent: Option<f64>,
    /// Cases not decided yet.
    pub open: usize,
    /// Of those, past their SLA day.
    pub overdue: usize,
}

/// Outcomes for one group (an authority, a size class, or the joint-development licences).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct OutcomeRow {
    /// The group.
    pub group: String,
    /// Cases decided.
    pub decided: usize,
    /// Approved, in percent.
    pub approval_percent: Option<f64>,
    /// Refused, in percent.
    pub refusal_percent: Option<f64>,
    /// Returned, in percent.
    pub return_percent: Option<f64>,
    /// Median calendar days from opening to decision.
    pub median_days: Option<f64>,
    /// Questions asked per case.
    pub info_requests_per_case: Option<f64>,
    /// The mean estimated compliance cost per application, in euro.
    pub mean_cost_eur: Option<f64>,
}

/// A dashboard of how the controls work and what they cost industry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Dashboard {
    /// Processing against the SLA, by authority and review path.
    pub processing: Vec<ProcessingRow>,
    /// Outcomes by authority.
    pub by_authority: Vec<OutcomeRow>,
    /// Outcomes, time and cost by the applicant's size: the start-ups and mid-sized firms against the large.
    pub by_size: Vec<OutcomeRow>,
    /// Joint-development (research) licences against the others.
    pub by_kind: Vec<OutcomeRow>,
    /// Licences granted and general authorisations used, by destination and control category.
    pub by_destination: Vec<UseRow>,
    /// Denials and consultations between the allies, by authority.
    pub between_allies: Vec<AllyRow>,
    /// How the cost is estimated.
    pub cost_model: String,
    /// When it was computed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub computed_at: Option<crate::Timestamp>,
}

fn outcome_row(group: String, cases: &[&CaseFacts], today: Date) -> OutcomeRow {
    let decided: Vec<&&CaseFacts> = cases.iter().filter(|c| c.decided.is_some()).collect();
    let count = |k: DecisionKind| decided.iter().filter(|c| c.decided.is_some_and(|(d, _)| d == k)).count();
    let mut days: Vec<i64> = decided.iter().filter_map(|c| c.decided.map(|(_, d)| days_between(c.opened, d))).collect();
    let n = cases.len();
    OutcomeRow {
        group,
        decided: decided.len(),
        approval_percent: percent(count(DecisionKind::Approve), decided.len()),
        refusal_percent: percent(count(DecisionKind::Refuse), decided.len()),
        return_percent: percent(count(DecisionKind::Return), decided.len()),
        median_days: median(&mut days),
        info_requests_per_case: (n > 0).then(|| cases.iter().map(|c| c.info_requests).sum::<usize>() as f64 / n as f64),
        mean_cost_eur: (n > 0).then(|| cases.iter().map(|c| estimated_cost_eur(c, today)).sum::<f64>() / n as f64),
    }
}

/// What the dashboard needs of one jurisdiction's answer to an application: where it went, what it was, and
/// whether a licence was granted or a general authorisation used.
#[derive(Debug, Clone, PartialEq)]
pub struct UseFacts {
    /// The destination country.
    pub destination: String,
    /// The control categories of its items (`0`-`9`, or `unlisted`).
    pub categories: Vec<String>,
    /// A licence was granted.
    pub licence: bool,
    /// A general authorisation covered it.
    pub general_authorisation: bool,
}

/// Licences and general authorisations for one destination and control category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct UseRow {
    /// The destination country.
    pub destination: String,
    /// The control category (`0`-`9`) or `unlisted`.
    pub category: String,
    /// Licences granted.
    pub licences: usize,
    /// Answers covered by a general authorisation.
    pub general_authorisations: usize,
}

/// One authority's part in the allies' denials and consultations.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
pub struct AllyRow {
    /// The authority.
    pub authority: String,
    /// Its denials in force.
    pub denials_active: usize,
    /// Its denials revoked or expired.
    pub denials_lapsed: usize,
    /// Consultations it opened with an ally.
    pub consultations_opened: usize,
    /// Consultations it was asked, answered.
    pub answered: usize,
    /// Of those, answered with an objection.
    pub objections: usize,
    /// Consultations it was asked and let pass the deadline.
    pub unanswered: usize,
}

/// One denial's authority and whether it is in force, for [`between_allies`].
pub type DenialFact = (String, bool);

/// One consultation: who asked, who was asked, whether it was answered, with an objection, or let expire.
#[derive(Debug, Clone, PartialEq)]
pub struct ConsultationFact {
    /// The consulting authority.
    pub from: String,
    /// The consulted authority.
    pub to: String,
    /// Answered.
    pub answered: bool,
    /// Answered with an objection.
    pub objection: bool,
    /// The deadline passed without an answer.
    pub expired: bool,
}

/// The allies' denials and consultations counted by authority.
pub fn between_allies(denials: &[DenialFact], consultations: &[ConsultationFact]) -> Vec<AllyRow> {
    fn row<'a>(rows: &'a mut BTreeMap<String, AllyRow>, a: &str) -> &'a mut AllyRow {
        rows.entry(a.to_owned()).or_insert_with(|| AllyRow { authority: a.to_owned(), ..AllyRow::default() })
    }
    let mut rows: BTreeMap<String, AllyRow> = BTreeMap::new();
    for (authority, active) in denials {
        let r = row(&mut rows, authority);
        if *active { r.denials_active += 1 } else { r.denials_lapsed += 1 }
    }
    for c in consultations {
        row(&mut rows, &c.from).consultations_opened += 1;
        let r = row(&mut rows, &c.to);
        r.answered += usize::from(c.answered);
        r.objections += usize::from(c.objection);
        r.unanswered += usize::from(c.expired);
    }
    rows.into_values().collect()
}

/// Licences and general authorisations counted by destination and control category.
pub fn by_destination(uses: &[UseFacts]) -> Vec<UseRow> {
    let mut rows: BTreeMap<(String, String), UseRow> = BTreeMap::new();
    for u in uses.iter().filter(|u| u.licence || u.general_authorisation) {
        let mut categories = u.categories.clone();
        categories.sort();
        categories.dedup();
        for c in categories {
            let r = rows.entry((u.destination.clone(), c.clone())).or_insert_with(|| UseRow {
                destination: u.destination.clone(),
                category: c,
                licences: 0,
                general_authorisations: 0,
            });
            r.licences += usize::from(u.licence);
            r.general_authorisations += usize::from(u.general_authorisation);
        }
    }
    rows.into_values().collect()
}

/// The dashboard of a set of cases as of `today`, with the uses and the allies' records.
pub fn dashboard_with(
    cases: &[CaseFacts],
    uses: &[UseFacts],
    denials: &[DenialFact],
    consultations: &[ConsultationFact],
    today: Date,
) -> Dashboard {
    Dashboard {
        by_destination: by_destination(uses),
        between_allies: between_allies(denials, consultations),
        ..dashboard(cases, today)
    }
}

/// The dashboard of a set of cases as of `today`.
pub fn dashboard(cases: &[CaseFacts], today: Date) -> Dashboard {
    let mut paths: BTreeMap<(String, ReviewPath), Vec<&CaseFacts>> = BTreeMap::new();
    let mut authorities: BTreeMap<String, Vec<&CaseFacts>> = BTreeMap::new();
    let mut sizes: BTreeMap<SizeClass, Vec<&CaseFacts>> = BTreeMap::new();
    let mut kinds: BTreeMap<&str, Vec<&CaseFacts>> = BTreeMap::new();
    for c in cases {
        paths.entry((c.authority.clone(), c.review_path)).or_default().push(c);
        authorities.entry(c.authority.clone()).or_default().push(c);
        sizes.entry(c.size).or_default().push(c);
        kinds.entry(if c.joint_development { "joint_development" } else { "other" }).or_default().push(c);
    }
    let processing = paths
        .into_iter()
        .map(|((authority, review_path), cs)| {
            let decided: Vec<&&CaseFacts> = cs.iter().filter(|c| c.decided.is_some()).collect();
            let within = decided.iter().filter(|c| c.decided.is_some_and(|(_, d)| d <= c.due)).count();
            let mut days: Vec<i64> =
                decided.iter().filter_map(|c| c.decided.map(|(_, d)| days_between(c.opened, d))).collect();
            let open: Vec<&&CaseFacts> = cs.iter().filter(|c| c.decided.is_none()).collect();
            ProcessingRow {
                authority,
                review_path,
                decided: decided.len(),
                median_days: median(&mut days),
                within_sla_percent: percent(within, decided.len()),
                open: open.len(),
                overdue: open.iter().filter(|c| c.due < today).count(),
            }
        })
        .collect();
    Dashboard {
        processing,
        by_authority: authorities.into_iter().map(|(a, cs)| outcome_row(a, &cs, today)).collect(),
        by_size: sizes.into_iter().map(|(s, cs)| outcome_row(s.as_str().to_owned(), &cs, today)).collect(),
        by_kind: kinds.into_iter().map(|(k, cs)| outcome_row(k.to_owned(), &cs, today)).collect(),
        by_destination: Vec::new(),
        between_allies: Vec::new(),
        cost_model: COST_MODEL.to_owned(),
        computed_at: None,
    }
}

/// The smallest count the transparency report publishes: a smaller one could point at a firm.
pub const DEFAULT_MIN_CELL: u64 = 5;

/// One row of the transparency report: decisions of one period, jurisdiction and size class, by outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ReportRow {
    /// The year.
    pub period: String,
    /// The jurisdiction.
    pub jurisdiction: String,
    /// The applicants' size class.
    pub size: String,
    /// Approved (`null`: suppressed).
    pub approved: Option<u64>,
    /// Refused (`null`: suppressed).
    pub refused: Option<u64>,
    /// Returned (`null`: suppressed).
    pub returned: Option<u64>,
    /// All decisions of the row (`null`: suppressed).
    pub total: Option<u64>,
}

crate::named_enum! {
    /// How the transparency report groups decisions in time.
    ReportPeriod {
        /// By calendar year (`2025`).
        Year = "year",
        /// By calendar quarter (`2025-Q3`).
        Quarter = "quarter",
    }
}

/// The public transparency report: aggregated, anonymised decisions with the suppression applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TransparencyReport {
    /// Its rows.
    pub rows: Vec<ReportRow>,
    /// How its rows group decisions in time (default: by year).
    #[serde(default = "by_year")]
    pub period: ReportPeriod,
    /// The smallest count published.
    pub min_cell: u64,
    /// How it was made.
    pub methodology: String,
    /// When it was computed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub computed_at: Option<crate::Timestamp>,
}

fn by_year() -> ReportPeriod {
    ReportPeriod::Year
}

/// How the transparency report is made, in words.
pub const METHODOLOGY: &str = "Every licence decision recorded on this node, counted by the year (or quarter) of the decision, the \
    jurisdiction reviewed for, the applicant's size class and the outcome. A count from 1 to one less than the \
    smallest published count is replaced by null (primary suppression). In a row where that leaves exactly one \
    count hidden, the smallest other non-zero count is hidden too, or the row total when there is none, so that no \
    hidden count can be worked out from the total (secondary suppression). Zeros are published. No grand totals are \
    published.";

/// Suppresses one row of counts (cells, then the total) so that no count from 1 to `k - 1` is published and none
/// can be worked out from the rest: `None` marks what is hidden.
pub fn suppress(cells: &[u64], k: u64) -> (Vec<Option<u64>>, Option<u64>) {
    let total: u64 = cells.iter().sum();
    let small = |v: u64| v > 0 && v < k;
    let mut out: Vec<Option<u64>> = cells.iter().map(|&v| (!small(v)).then_some(v)).collect();
    let mut total_out = (!small(total)).then_some(total);
    let hidden = out.iter().filter(|c| c.is_none()).count();
    if hidden == 1 && total_out.is_some() {
        // The one hidden count would be the total less the others: hide a second, non-zero one.
        let second = cells
            .iter()
            .enumerate()
            .filter(|(i, v)| out[*i].is_some() && **v > 0)
            .min_by_key(|(_, v)| **v)
            .map(|(i, _)| i);
        match second {
            Some(i) => out[i] = None,
            None => total_out = None,
        }
    }
    (out, total_out)
}

/// The transparency report of the decided cases, counts under `k` suppressed.
pub fn transparency(cases: &[CaseFacts], k: u64) -> TransparencyReport {
    transparency_by(cases, k, ReportPeriod::Year)
}

/// The transparency report with its rows by year or by quarter.
pub fn transparency_by(cases: &[CaseFacts], k: u64, period: ReportPeriod) -> TransparencyReport {
    let mut counts: BTreeMap<(String, String, SizeClass), [u64; 3]> = BTreeMap::new();
    for c in cases {
        if let Some((kind, day)) = c.decided {
            let when = match period {
                ReportPeriod::Year => day.year().to_string(),
                ReportPeriod::Quarter => format!("{}-Q{}", day.year(), (day.month() - 1) / 3 + 1),
            };
            let e = counts.entry((when, c.jurisdiction.clone(), c.size)).or_default();
            e[match kind {
                DecisionKind::Approve => 0,
                DecisionKind::Refuse => 1,
                DecisionKind::Return => 2,
            }] += 1;
        }
    }
    let rows = counts
        .into_iter()
        .map(|((when, jurisdiction, size), cells)| {
            let (out, total) = suppress(&cells, k);
            ReportRow {
                period: when,
                jurisdiction,
                size: size.as_str().to_owned(),
                approved: out[0],
                refused: out[1],
                returned: out[2],
                total,
            }
        })
        .collect();
    TransparencyReport { rows, period, min_cell: k, methodology: METHODOLOGY.to_owned(), computed_at: None }
}

/// One CSV field, quoted when it holds a comma, a quote or a line break.
fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_owned() }
}

fn number(v: Option<f64>) -> String {
    v.map_or(String::new(), |v| format!("{v:.2}"))
}

fn count(v: Option<u64>) -> String {
    v.map_or(String::new(), |v| v.to_string())
}

impl Dashboard {
    /// The dashboard as CSV: one table, each row naming its section and group (empty cells: no value).
    pub fn to_csv(&self) -> String {
        let mut out = String::from(
            "section,group,review_path,decided,median_days,within_sla_percent,open,overdue,approval_percent,\
             refusal_percent,return_percent,info_requests_per_case,mean_cost_eur\n",
        );
        for r in &self.processing {
            out.push_str(&format!(
                "processing,{},{},{},{},{},{},{},,,,,\n",
                field(&r.authority),
                r.review_path.as_str(),
                r.decided,
                number(r.median_days),
                number(r.within_sla_percent),
                r.open,
                r.overdue
            ));
        }
        for (section, rows) in [("authority", &self.by_authority), ("size", &self.by_size), ("kind", &self.by_kind)] {
            for r in rows {
                out.push_str(&format!(
                    "{section},{},,{},{},,,,{},{},{},{},{}\n",
                    field(&r.group),
                    r.decided,
                    number(r.median_days),
                    number(r.approval_percent),
                    number(r.refusal_percent),
                    number(r.return_percent),
                    number(r.info_requests_per_case),
                    number(r.mean_cost_eur)
                ));
            }
        }
        out.push_str("\ndestination,category,licences,general_authorisations\n");
        for r in &self.by_destination {
            out.push_str(&format!(
                "{},{},{},{}\n",
                field(&r.destination),
                field(&r.category),
                r.licences,
                r.general_authorisations
            ));
        }
        out.push_str("\nauthority,denials_active,denials_lapsed,consultations_opened,answered,objections,unanswered\n");
        for r in &self.between_allies {
            out.push_str(&format!(
                "{},{},{},{},{},{},{}\n",
                field(&r.authority),
                r.denials_active,
                r.denials_lapsed,
                r.consultations_opened,
                r.answered,
                r.objections,
                r.unanswered
            ));
        }
        out
    }
}

impl TransparencyReport {
    /// The report as CSV (an empty count: suppressed).
    pub fn to_csv(&self) -> String {
        let mut out = String::from("period,jurisdiction,size,approved,refused,returned,total\n");
        for r in &self.rows {
            out.push_str(&format!(
                "{},{},{},{},{},{},{}\n",
                field(&r.period),
                field(&r.jurisdiction),
                field(&r.size),
                count(r.approved),
                count(r.refused),
                count(r.returned),
                count(r.total)
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator, so the property runs on the same thousands of rows every time.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
    }

    #[test]
    fn suppression_never_publishes_a_small_count_nor_leaves_one_that_the_total_reveals() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for _ in 0..20_000 {
            let k = 2 + rng.next() % 9;
            let n = 1 + (rng.next() % 6) as usize;
            // Mostly small counts, with zeros and some large ones, as real rows have.
            let cells: Vec<u64> = (0..n)
                .map(|_| match rng.next() % 4 {
                    0 => 0,
                    1 | 2 => rng.next() % (k + 2),
                    _ => rng.next() % 200,
                })
                .collect();
            let (out, total) = suppress(&cells, k);
            for (v, o) in cells.iter().zip(&out) {
                match o {
                    Some(p) => assert!(*p == *v && (*p == 0 || *p >= k), "{cells:?} k={k}: published {p}"),
                    None => assert!(*v > 0, "{cells:?}: a zero is never hidden"),
                }
            }
            if let Some(t) = total {
                assert!(t == 0 || t >= k, "{cells:?} k={k}: total {t} published");
                let hidden: Vec<usize> = (0..n).filter(|i| out[*i].is_none()).collect();
                assert_ne!(hidden.len(), 1, "{cells:?} k={k}: the one hidden count is the total less the others");
                if hidden.len() >= 2 {
                    // The hidden counts' sum is known; each must leave room for more than one answer.
                    let sum: u64 = hidden.iter().map(|i| cells[*i]).sum();
                    assert!(hidden.iter().all(|i| cells[*i] < sum), "{cells:?}: a hidden count is the whole sum");
                }
            }
        }
    }

    #[test]
    fn decisions_are_counted_by_quarter_when_asked() {
        let decided = |month: i8| CaseFacts {
            authority: "DE-BAFA".into(),
            jurisdiction: "EU".into(),
            review_path: ReviewPath::Standard,
            size: SizeClass::Small,
            opened: jiff::civil::date(2025, 1, 1),
            due: jiff::civil::date(2025, 2, 1),
            decided: Some((DecisionKind::Approve, jiff::civil::date(2025, month, 15))),
            info_requests: 0,
            documents: 0,
            joint_development: false,
        };
        let cases: Vec<CaseFacts> = [1, 2, 3, 3, 3, 4, 12].into_iter().map(decided).collect();
        let by_quarter = transparency_by(&cases, 1, ReportPeriod::Quarter);
        let periods: Vec<(&str, Option<u64>)> =
            by_quarter.rows.iter().map(|r| (r.period.as_str(), r.approved)).collect();
        assert_eq!(periods, [("2025-Q1", Some(5)), ("2025-Q2", Some(1)), ("2025-Q4", Some(1))]);
        assert_eq!(by_quarter.period, ReportPeriod::Quarter);
        let by_year = transparency(&cases, 1);
        assert_eq!(
            (by_year.rows.len(), by_year.rows[0].period.as_str(), by_year.rows[0].approved),
            (1, "2025", Some(7))
        );
    }

    #[test]
    fn the_report_as_csv_leaves_a_suppressed_count_empty_and_quotes_what_needs_it() {
        let r = TransparencyReport {
            rows: vec![ReportRow {
                period: "2026".into(),
                jurisdiction: "EU, coalition".into(),
                size: "micro".into(),
                approved: None,
                refused: Some(12),
                returned: None,
                total: Some(20),
            }],
            period: ReportPeriod::Year,
            min_cell: 5,
            methodology: METHODOLOGY.into(),
            computed_at: None,
        };
        assert_eq!(r.to_csv().lines().nth(1), Some("2026,\"EU, coalition\",micro,,12,,20"));
    }

    #[test]
    fn a_row_of_one_small_count_and_zeros_hides_its_total() {
        assert_eq!(suppress(&[3, 0, 0], 5), (vec![None, Some(0), Some(0)], None));
        assert_eq!(suppress(&[3, 40, 7], 5), (vec![None, Some(40), None], Some(50)));
        assert_eq!(suppress(&[12, 40, 7], 5), (vec![Some(12), Some(40), Some(7)], Some(59)));
    }

    fn case(size: SizeClass, opened: &str, decided: Option<(DecisionKind, &str)>, info: usize) -> CaseFacts {
        CaseFacts {
            authority: "DE-BAFA".into(),
            jurisdiction: "EU".into(),
            review_path: ReviewPath::Standard,
            size,
            opened: opened.parse().unwrap(),
            due: "2026-02-01".parse().unwrap(),
            decided: decided.map(|(k, d)| (k, d.parse().unwrap())),
            info_requests: info,
            documents: 2,
            joint_development: false,
        }
    }

    #[test]
    fn uses_are_counted_by_destination_and_category_and_the_allies_records_by_authority() {
        let uses = [
            UseFacts {
                destination: "CN".into(),
                categories: vec!["3".into(), "3".into(), "5".into()],
                licence: true,
                general_authorisation: false,
            },
            UseFacts {
                destination: "CN".into(),
                categories: vec!["3".into()],
                licence: false,
                general_authorisation: true,
            },
            UseFacts {
                destination: "CN".into(),
                categories: vec!["3".into()],
                licence: false,
                general_authorisation: false,
            },
        ];
        let rows = by_destination(&uses);
        let cn3 = rows.iter().find(|r| r.category == "3").unwrap();
        assert_eq!(
            (rows.len(), cn3.licences, cn3.general_authorisations),
            (2, 1, 1),
            "an item's category once per answer"
        );
        let consultation = |from: &str, to: &str, answered, objection, expired| ConsultationFact {
            from: from.into(),
            to: to.into(),
            answered,
            objection,
            expired,
        };
        let allies = between_allies(
            &[("DE-BAFA".into(), true), ("DE-BAFA".into(), false), ("US-BIS".into(), true)],
            &[
                consultation("US-BIS", "DE-BAFA", true, true, false),
                consultation("US-BIS", "DE-BAFA", false, false, true),
            ],
        );
        let de = allies.iter().find(|r| r.authority == "DE-BAFA").unwrap();
        assert_eq!((de.denials_active, de.denials_lapsed, de.answered, de.objections, de.unanswered), (1, 1, 1, 1, 1));
        assert_eq!(allies.iter().find(|r| r.authority == "US-BIS").unwrap().consultations_opened, 2);
    }

    #[test]
    fn the_dashboard_counts_outcomes_time_sla_and_cost_by_size() {
        let cases = [
            case(SizeClass::Micro, "2026-01-01", Some((DecisionKind::Refuse, "2026-01-29")), 2),
            case(SizeClass::Micro, "2026-01-01", Some((DecisionKind::Approve, "2026-02-12")), 0),
            case(SizeClass::Large, "2026-01-01", Some((DecisionKind::Approve, "2026-01-15")), 0),
            case(SizeClass::Large, "2026-01-01", None, 0),
        ];
        let d = dashboard(&cases, "2026-03-01".parse().unwrap());
        let p = &d.processing[0];
        assert_eq!((p.decided, p.open, p.overdue), (3, 1, 1));
        assert_eq!(p.within_sla_percent.map(|x| x.round()), Some(67.0), "two of three by the SLA day");
        let micro = d.by_size.iter().find(|r| r.group == "micro").unwrap();
        assert_eq!(
            (micro.refusal_percent, micro.median_days, micro.info_requests_per_case),
            (Some(50.0), Some(35.0), Some(1.0))
        );
        // 6 h + 4 h for two questions + 1 h for two documents + 0.5 h a week for 4 weeks, at EUR 65.
        assert_eq!(estimated_cost_eur(&cases[0], "2026-03-01".parse().unwrap()), 13.0 * 65.0);
        let large = d.by_size.iter().find(|r| r.group == "large").unwrap();
        assert!(large.mean_cost_eur.unwrap() < micro.mean_cost_eur.unwrap(), "a small firm pays more per application");
    }
}
