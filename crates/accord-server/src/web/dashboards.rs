//! The officials' dashboard and the public transparency report, with their charts drawn on the server and their
//! tables downloadable as CSV.

use super::charts::bars;
use super::i18n::{t, word};
use super::session::Viewer;
use super::{PageError, page, redirect};
use crate::AppState;
use accord_core::Error;
use accord_core::stats::{OutcomeRow, ReportPeriod};
use axum::extract::{Query, State};
use axum::response::Response;
use maud::{Markup, html};
use serde::Deserialize;

fn opt(v: Option<f64>, unit: &str) -> String {
    v.map_or("—".to_owned(), |v| format!("{v:.1}{unit}"))
}

fn outcome_table(caption: &str, label: impl Fn(&str) -> String, rows: &[OutcomeRow]) -> Markup {
    html! {
        table.outcomes {
            caption { (caption) }
            thead { tr {
                th scope="col" { (t("dashboard.group")) } th scope="col" { (t("dashboard.decided")) }
                th scope="col" { (t("dashboard.approved")) } th scope="col" { (t("dashboard.refused")) } th scope="col" { (t("dashboard.returned")) }
                th scope="col" { (t("dashboard.median_days")) } th scope="col" { (t("dashboard.questions")) } th scope="col" { (t("dashboard.cost")) }
            } }
            tbody { @for r in rows { tr {
                th scope="row" { (label(&r.group)) } td { (r.decided) }
                td { (opt(r.approval_percent, " %")) } td { (opt(r.refusal_percent, " %")) } td { (opt(r.return_percent, " %")) }
                td { (opt(r.median_days, "")) } td { (opt(r.info_requests_per_case, "")) } td { (opt(r.mean_cost_eur, " €")) }
            } } }
        }
    }
}

/// The dashboard of the official's authority (every authority of the node for admins and auditors).
pub(crate) async fn dashboard(State(s): State<AppState>, Viewer(viewer): Viewer) -> Result<Response, PageError> {
    let Some(session) = viewer else { return Ok(redirect("/sign-in?next=/dashboard", Vec::new())) };
    let d = s.app.dashboard(&session.principal).await?;
    let size = |g: &str| word("size", g);
    let kind = |g: &str| word("licence_kind", g);
    let body = html! {
        h1 { (t("dashboard.title")) }
        p { (t("dashboard.intro")) " " a href="/api/v1/dashboard/csv" download { (t("dashboard.csv")) } }
        @if let Some(at) = d.computed_at { p.meta { (t("dashboard.as_of")) " " (at) } }
        h2 { (t("dashboard.processing")) }
        (bars(t("dashboard.sla_chart"), &d.processing.iter().map(|r| (format!("{} · {}", r.authority, word("review_path", r.review_path.as_str())), r.within_sla_percent)).collect::<Vec<_>>(), " %"))
        table.processing {
            thead { tr {
                th scope="col" { (t("dashboard.authority")) } th scope="col" { (t("dashboard.path")) } th scope="col" { (t("dashboard.decided")) }
                th scope="col" { (t("dashboard.median_days")) } th scope="col" { (t("dashboard.within_sla")) } th scope="col" { (t("dashboard.open")) } th scope="col" { (t("dashboard.overdue")) }
            } }
            tbody { @for r in &d.processing { tr {
                th scope="row" { (r.authority) } td { (word("review_path", r.review_path.as_str())) } td { (r.decided) }
                td { (opt(r.median_days, "")) } td { (opt(r.within_sla_percent, " %")) } td { (r.open) } td { (r.overdue) }
            } } }
        }
        h2 { (t("dashboard.by_size")) }
        (bars(t("dashboard.refusals_chart"), &d.by_size.iter().map(|r| (size(&r.group), r.refusal_percent)).collect::<Vec<_>>(), " %"))
        (bars(t("dashboard.cost_chart"), &d.by_size.iter().map(|r| (size(&r.group), r.mean_cost_eur)).collect::<Vec<_>>(), " €"))
        (outcome_table(t("dashboard.by_size"), size, &d.by_size))
        (outcome_table(t("dashboard.by_kind"), kind, &d.by_kind))
        (outcome_table(t("dashboard.by_authority"), |g| g.to_owned(), &d.by_authority))
        h2 { (t("dashboard.by_destination")) }
        @if d.by_destination.is_empty() { p { (t("dashboard.no_use")) } }
        @else {
            table.destinations {
                thead { tr { th scope="col" { (t("dashboard.destination")) } th scope="col" { (t("dashboard.category")) } th scope="col" { (t("dashboard.licences")) } th scope="col" { (t("dashboard.general_authorisations")) } } }
                tbody { @for r in &d.by_destination { tr {
                    th scope="row" { (r.destination) } td { (r.category) } td { (r.licences) } td { (r.general_authorisations) }
                } } }
            }
        }
        h2 { (t("dashboard.between_allies")) }
        @if d.between_allies.is_empty() { p { (t("dashboard.no_allied_records")) } }
        @else {
            table.allies {
                thead { tr {
                    th scope="col" { (t("dashboard.authority")) } th scope="col" { (t("dashboard.denials_active")) } th scope="col" { (t("dashboard.denials_lapsed")) }
                    th scope="col" { (t("dashboard.consultations_opened")) } th scope="col" { (t("dashboard.answered")) } th scope="col" { (t("dashboard.objections")) } th scope="col" { (t("dashboard.unanswered")) }
                } }
                tbody { @for r in &d.between_allies { tr {
                    th scope="row" { (r.authority) } td { (r.denials_active) } td { (r.denials_lapsed) }
                    td { (r.consultations_opened) } td { (r.answered) } td { (r.objections) } td { (r.unanswered) }
                } } }
            }
        }
        h2 { (t("dashboard.cost_model_title")) }
        p #cost-model { (d.cost_model) }
    };
    page(t("dashboard.title"), Some(&session), body).map(axum::response::IntoResponse::into_response)
}

/// The report's options as given in the address.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ReportQuery {
    #[serde(default)]
    min_cell: Option<u64>,
    #[serde(default)]
    period: Option<String>,
}

/// The public transparency report.
pub(crate) async fn transparency(
    State(s): State<AppState>,
    Viewer(viewer): Viewer,
    Query(q): Query<ReportQuery>,
) -> Result<Response, PageError> {
    let period = match q.period.as_deref() {
        None | Some("") => ReportPeriod::Year,
        Some(p) => ReportPeriod::parse(p).ok_or_else(|| Error::validation("period", "year or quarter"))?,
    };
    let r = s.app.transparency_report_by(q.min_cell, period).await?;
    let mut by_year: std::collections::BTreeMap<&str, [u64; 3]> = std::collections::BTreeMap::new();
    for row in &r.rows {
        let e = by_year.entry(row.period.as_str()).or_default();
        for (i, v) in [row.approved, row.refused, row.returned].into_iter().enumerate() {
            e[i] += v.unwrap_or(0);
        }
    }
    let cell = |v: Option<u64>| v.map_or_else(|| t("transparency.suppressed").to_owned(), |v| v.to_string());
    let body = html! {
        h1 { (t("transparency.title")) }
        p { (t("transparency.intro")) " " a href=(format!("/api/v1/transparency/csv?min_cell={}&period={}", r.min_cell, period.as_str())) download { (t("transparency.csv")) } }
        p.periods { (t("transparency.by")) " "
            @for (i, each) in ReportPeriod::ALL.iter().enumerate() {
                @if i > 0 { " · " }
                @if *each == period { strong { (word("report_period", each.as_str())) } }
                @else { a href=(format!("/transparency?period={}", each.as_str())) { (word("report_period", each.as_str())) } }
            }
        }
        @for (year, counts) in &by_year {
            (bars(&format!("{} {year}", t("transparency.published_counts")), &[
                (word("decision", "approve"), Some(counts[0] as f64)),
                (word("decision", "refuse"), Some(counts[1] as f64)),
                (word("decision", "return"), Some(counts[2] as f64)),
            ], ""))
        }
        @if r.rows.is_empty() { p #no-decisions { (t("transparency.none")) } }
        @else {
            table.report {
                caption { (t("transparency.caption")) }
                thead { tr {
                    th scope="col" { (t("transparency.period")) } th scope="col" { (t("cases.jurisdiction")) } th scope="col" { (t("transparency.size")) }
                    th scope="col" { (t("dashboard.approved")) } th scope="col" { (t("dashboard.refused")) } th scope="col" { (t("dashboard.returned")) } th scope="col" { (t("transparency.total")) }
                } }
                tbody { @for row in &r.rows { tr {
                    td { (row.period) } td { (row.jurisdiction) } td { (word("size", &row.size)) }
                    td { (cell(row.approved)) } td { (cell(row.refused)) } td { (cell(row.returned)) } td { (cell(row.total)) }
                } } }
            }
        }
        h2 { (t("transparency.methodology")) }
        p #methodology { (r.methodology) }
    };
    page(t("transparency.title"), viewer.as_ref(), body).map(axum::response::IntoResponse::into_response)
}
