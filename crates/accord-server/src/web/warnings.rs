//! The early-warning desk: the alerts of the caller's authority and those the allies shared, each with its evidence
//! drawn as a chart, its method and citation, and the forms to assign, share and close it; the thresholds, and a
//! button to compute the indicators now.

use super::i18n::{t, tr, word};
use super::session::{Viewer, check_csrf};
use super::{ActionForm, PageError, PageForm, page_after, redirect};
use crate::AppState;
use accord_app::{AlertAssignment, AlertClosing, AlertVerification, DeclarationsImported, Session};
use accord_core::model::Role;
use accord_core::warning::{Alert, AlertOutcome, AlertStatus, DeclarationSettings, EvidencePoint, Thresholds};
use accord_core::{Error, ErrorCode};
use axum::extract::{Multipart, State};
use axum::response::Response;
use maud::{Markup, html};

/// The evidence of an alert as a line chart: each period's ratio to its baseline, and the threshold as a dashed line.
fn chart(a: &Alert) -> Markup {
    let points: Vec<(usize, f64)> =
        a.evidence.iter().enumerate().filter_map(|(i, p)| p.ratio.map(|r| (i, r))).collect();
    let (w, h, pad) = (360.0, 120.0, 6.0);
    let top = points.iter().map(|(_, r)| *r).fold(a.threshold, f64::max) * 1.1;
    let n = a.evidence.len().max(2) as f64 - 1.0;
    let x = |i: usize| pad + (w - 2.0 * pad) * i as f64 / n;
    let y = |r: f64| h - pad - (h - 2.0 * pad) * (r / top).clamp(0.0, 1.0);
    let line: Vec<String> = points.iter().map(|(i, r)| format!("{:.1},{:.1}", x(*i), y(*r))).collect();
    let first = a.evidence.first().map(|p| p.period.as_str()).unwrap_or_default();
    let label = tr!("warnings.chart_label", first = first, last = a.period, threshold = format!("{:.2}", a.threshold));
    html! {
        svg.chart viewBox=(format!("0 0 {w} {h}")) width=(w) height=(h) role="img" aria-label=(label) {
            title { (label) }
            line.threshold x1=(pad) x2=(w - pad) y1=(format!("{:.1}", y(a.threshold))) y2=(format!("{:.1}", y(a.threshold)))
                stroke="#b00020" stroke-dasharray="4 3" {}
            polyline points=(line.join(" ")) fill="none" stroke="#1a4f8b" stroke-width="2" {}
        }
    }
}

fn evidence_table(points: &[EvidencePoint]) -> Markup {
    html! {
        details { summary { (t("warnings.evidence")) }
            table.evidence {
                thead { tr { th scope="col" { (t("warnings.period")) } th scope="col" { (t("warnings.value")) } th scope="col" { (t("warnings.baseline")) } th scope="col" { (t("warnings.ratio")) } } }
                tbody { @for p in points { tr {
                    td { (p.period) } td { (format!("{:.2}", p.value)) }
                    td { (p.baseline.map_or("—".to_owned(), |b| format!("{b:.2}"))) }
                    td { (p.ratio.map_or("—".to_owned(), |r| format!("{r:.2}"))) }
                } } }
            }
        }
    }
}

async fn warnings_page(s: &AppState, session: &Session, error: Option<&Error>) -> Result<Response, PageError> {
    warnings_page_with(s, session, error, None).await
}

async fn warnings_page_with(
    s: &AppState,
    session: &Session,
    error: Option<&Error>,
    imported: Option<&DeclarationsImported>,
) -> Result<Response, PageError> {
    let p = &session.principal;
    let alerts = s.app.alerts(p).await?;
    let imports = s.app.declaration_imports(p).await.unwrap_or_default();
    let thresholds = s.app.warning_thresholds(p).await.unwrap_or_default();
    let mine = session.user.authority_id.as_ref().map(|a| a.to_string());
    let worker = matches!(session.user.role, Role::Analyst | Role::Officer | Role::SeniorOfficer) && mine.is_some();
    let officer = matches!(session.user.role, Role::Officer | Role::SeniorOfficer) && mine.is_some();
    let csrf = || html! { input type="hidden" name="csrf" value=(session.csrf); };
    let body = html! {
        h1 { (t("warnings.title")) }
        p { (t("warnings.intro")) }
        @if let Some(e) = error {
            p.error role="alert" #form-error { (e.message) " " span.meta { "(" (e.code.as_str()) ")" } }
        }
        @if worker {
            form.run method="post" action="/warnings" {
                (csrf()) input type="hidden" name="action" value="run";
                button type="submit" { (t("warnings.run")) }
            }
        }
        h2 { (t("warnings.declarations")) }
        @if let Some(done) = imported {
            p #imported role="status" { (if done.unchanged { t("warnings.import_unchanged").to_owned() } else {
                tr!("warnings.imported", rows = done.import.rows, added = done.import.added, skipped = done.import.skipped) }) }
        }
        @if imports.is_empty() { p #no-imports { (t("warnings.no_imports")) } } @else {
            table.imports {
                thead { tr { th scope="col" { (t("warnings.import_label")) } th scope="col" { (t("warnings.import_rows")) }
                    th scope="col" { (t("warnings.import_added")) } th scope="col" { (t("warnings.import_skipped")) }
                    th scope="col" { (t("warnings.import_span")) } } }
                tbody { @for i in imports.iter().rev() { tr {
                    td { (i.label) } td { (i.rows) } td { (i.added) } td { (i.skipped) }
                    td { (i.first_date.map(|d| d.to_string()).unwrap_or_default()) " – " (i.last_date.map(|d| d.to_string()).unwrap_or_default()) }
                } } }
            }
        }
        @if worker {
            p.meta #engine { (t("warnings.engine")) " " (s.app.columnar().unwrap_or_else(|| t("warnings.engine_database").to_owned())) }
        }
        @if session.user.role == Role::Analyst && mine.is_some() {
            form.declarations method="post" action="/warnings/declarations" enctype="multipart/form-data" {
                (csrf())
                p { label for="declarations-file" { (t("warnings.declarations_file")) } br;
                    input #declarations-file type="file" name="file" accept=".csv,text/csv,.parquet" required; }
                p { label for="declarations-label" { (t("warnings.import_label")) } br;
                    input #declarations-label name="label" maxlength="200"; }
                button type="submit" { (t("warnings.import")) }
            }
        }
        h2 { (t("warnings.alerts")) }
        @if alerts.is_empty() { p #no-alerts { (t("warnings.none")) } }
        @for a in &alerts {
            section.alert id=(a.id) {
                h3 { (a.summary) }
                p.meta { (a.authority_id) " · " (word("indicator", &a.indicator)) " · " (a.partner) " · " (a.period) " · "
                    strong { (word("alert_status", a.status.as_str())) }
                    @if let Some(o) = a.outcome { " · " (word("alert_outcome", o.as_str())) }
                    @if a.shared { " · " (t("warnings.shared")) } }
                @if !a.subject.is_empty() { p.subject { (t("warnings.subject")) " " (a.subject.join("; ")) } }
                @if let Some(product) = &a.product { p.product { (t("warnings.product")) " " (product) } }
                @if a.evidence.iter().any(|p| p.ratio.is_some()) { (chart(a)) }
                @if !a.references.is_empty() {
                    p.references { (t("warnings.references")) " " (a.references.join(", ")) }
                }
                p.method { (a.method) }
                p.meta { (t("warnings.citation")) " " (a.citation) }
                (evidence_table(&a.evidence))
                @if let Some(note) = &a.note { p.note { (note) } }
                @if let Some(task) = &a.task {
                    p.task { (t("warnings.task")) " " a href=(format!("/cases/{}", task.split('#').next().unwrap_or_default())) { (task) } }
                }
                @if worker && mine.as_deref() == Some(a.authority_id.as_str()) && a.status != AlertStatus::Closed {
                    form.assign method="post" action="/warnings" {
                        (csrf()) input type="hidden" name="action" value="assign"; input type="hidden" name="id" value=(a.id);
                        button type="submit" { (t("warnings.assign_me")) }
                    }
                    @if !a.shared {
                        form.share method="post" action="/warnings" {
                            (csrf()) input type="hidden" name="action" value="share"; input type="hidden" name="id" value=(a.id);
                            button type="submit" { (t("warnings.share")) }
                        }
                    }
                    @if officer && a.task.is_none() && a.references.iter().any(|r| r.starts_with("app_")) {
                        form.verify method="post" action="/warnings" {
                            (csrf()) input type="hidden" name="action" value="verify"; input type="hidden" name="id" value=(a.id);
                            fieldset { legend { (t("warnings.verify")) }
                                @for k in ["pre_licence_check", "on_site_verification", "third_party_audit"] {
                                    label { input type="radio" name="kind" value=(k) required; " " (word("task_kind", k)) } " "
                                } }
                            p { label { (t("warnings.assignee")) br; input name="assignee" maxlength="200" required; } }
                            p { label { (t("warnings.due")) br; input type="date" name="due_date" required; } }
                            button type="submit" { (t("warnings.open_task")) }
                        }
                    }
                    form.close method="post" action="/warnings" {
                        (csrf()) input type="hidden" name="action" value="close"; input type="hidden" name="id" value=(a.id);
                        fieldset { legend { (t("warnings.outcome")) }
                            @for o in AlertOutcome::ALL {
                                label { input type="radio" name="outcome" value=(o.as_str()); " " (word("alert_outcome", o.as_str())) } " "
                            } }
                        p { label { (t("warnings.note")) br; textarea name="note" rows="2" maxlength="4000" {} } }
                        button type="submit" { (t("warnings.close")) }
                    }
                }
            }
        }
        h2 { (t("warnings.thresholds")) }
        @if worker {
            form.thresholds method="post" action="/warnings" {
                (csrf()) input type="hidden" name="action" value="thresholds";
                @for (name, value) in threshold_fields(&thresholds) {
                    p { label for=(name) { (word("threshold", name)) } br; input id=(name) name=(name) value=(value) inputmode=(if name == "high_priority_hs" { "text" } else { "decimal" }) required; }
                }
                button type="submit" { (t("warnings.save_thresholds")) }
            }
        } @else {
            ul.thresholds { @for (name, value) in threshold_fields(&thresholds) { li { (word("threshold", name)) ": " (value) } } }
        }
    };
    page_after(error, t("warnings.title"), Some(session), body)
}

fn threshold_fields(t: &Thresholds) -> [(&'static str, String); 13] {
    let d = &t.declarations;
    [
        ("baseline_from", t.baseline_from.to_string()),
        ("baseline_to", t.baseline_to.to_string()),
        ("growth_ratio", t.growth_ratio.to_string()),
        ("growth_months", t.growth_months.to_string()),
        ("mirror_ratio", t.mirror_ratio.to_string()),
        ("value_cap_eur", d.value_cap_eur.to_string()),
        ("under_cap_percent", d.under_cap_percent.to_string()),
        ("structuring_shipments", d.structuring_shipments.to_string()),
        ("structuring_days", d.structuring_days.to_string()),
        ("new_within_days", d.new_within_days.to_string()),
        ("ga_recent_days", d.ga_recent_days.to_string()),
        ("high_priority_hs", d.high_priority_hs.join(", ")),
        ("repeat_refusals", d.repeat_refusals.to_string()),
    ]
}

/// The early-warning desk (officials).
pub(crate) async fn warnings(State(s): State<AppState>, Viewer(viewer): Viewer) -> Result<Response, PageError> {
    let Some(session) = viewer else { return Ok(redirect("/sign-in?next=/warnings", Vec::new())) };
    warnings_page(&s, &session, None).await
}

fn number<T: std::str::FromStr>(f: &ActionForm, name: &str) -> Result<T, Error> {
    f.field(name).unwrap_or_default().parse().map_err(|_| Error::validation(name, t("warnings.not_a_number")))
}

/// The thresholds as the form gives them.
fn thresholds(f: &ActionForm) -> Result<Thresholds, Error> {
    Ok(Thresholds {
        baseline_from: number(f, "baseline_from")?,
        baseline_to: number(f, "baseline_to")?,
        growth_ratio: number(f, "growth_ratio")?,
        growth_months: number(f, "growth_months")?,
        mirror_ratio: number(f, "mirror_ratio")?,
        declarations: DeclarationSettings {
            value_cap_eur: number(f, "value_cap_eur")?,
            under_cap_percent: number(f, "under_cap_percent")?,
            structuring_shipments: number(f, "structuring_shipments")?,
            structuring_days: number(f, "structuring_days")?,
            new_within_days: number(f, "new_within_days")?,
            ga_recent_days: number(f, "ga_recent_days")?,
            repeat_refusals: number(f, "repeat_refusals")?,
            high_priority_hs: f
                .field("high_priority_hs")
                .unwrap_or_default()
                .split([',', ' '])
                .filter(|c| !c.is_empty())
                .map(str::to_owned)
                .collect(),
        },
    })
}

/// Stores an uploaded file of declarations as the authority's next import (its analysts), then shows the desk with
/// what was added, or the error.
pub(crate) async fn import_declarations(
    State(s): State<AppState>,
    Viewer(viewer): Viewer,
    mut multipart: Multipart,
) -> Result<Response, PageError> {
    let Some(session) = viewer else { return Ok(redirect("/sign-in?next=/warnings", Vec::new())) };
    let unreadable = |e: axum::extract::multipart::MultipartError| {
        Error::new(ErrorCode::InvalidBody, tr!("error.unreadable", detail = e.body_text()))
    };
    let (mut csrf, mut label, mut file) = (String::new(), None, None);
    while let Some(part) = multipart.next_field().await.map_err(unreadable)? {
        match part.name().unwrap_or_default() {
            "csrf" => csrf = part.text().await.map_err(unreadable)?,
            "label" => label = Some(part.text().await.map_err(unreadable)?).filter(|l| !l.trim().is_empty()),
            "file" => {
                let name = part.file_name().unwrap_or("declarations.csv").to_owned();
                file = Some((name, part.bytes().await.map_err(unreadable)?));
            }
            _ => {}
        }
    }
    check_csrf(&session, &csrf)?;
    let outcome = match file.filter(|(_, b)| !b.is_empty()) {
        Some((name, bytes)) => s.app.import_declarations(&session.principal, &name, &bytes, label).await,
        None => Err(Error::validation("file", t("warnings.choose_file"))),
    };
    match outcome {
        Ok(done) => warnings_page_with(&s, &session, None, Some(&done)).await,
        Err(e) => warnings_page(&s, &session, Some(&e)).await,
    }
}

/// Runs the indicators, sets the thresholds, or assigns, shares or closes an alert; then shows the desk again.
pub(crate) async fn act(
    State(s): State<AppState>,
    Viewer(viewer): Viewer,
    PageForm(f): PageForm<ActionForm>,
) -> Result<Response, PageError> {
    let Some(session) = viewer else { return Ok(redirect("/sign-in?next=/warnings", Vec::new())) };
    let outcome = async {
        check_csrf(&session, &f.csrf)?;
        let p = &session.principal;
        let id = f.field("id").unwrap_or_default();
        match f.action.as_str() {
            "run" => s.app.run_early_warning(p).await.map(|_| ()),
            "thresholds" => s.app.set_warning_thresholds(p, thresholds(&f)?).await.map(|_| ()),
            "assign" => s.app.assign_alert(p, &id, AlertAssignment::default()).await.map(|_| ()),
            "share" => s.app.share_alert(p, &id).await.map(|_| ()),
            "verify" => {
                let kind =
                    f.choice("kind", |k| serde_json::from_value(serde_json::json!(k)).ok(), t("warnings.choose_task"))?;
                let input = AlertVerification {
                    case_id: None,
                    kind,
                    assignee: f.field("assignee").unwrap_or_default(),
                    due_date: f.field("due_date").unwrap_or_default(),
                };
                s.app.verify_from_alert(p, &id, input).await.map(|_| ())
            }
            "close" => {
                let outcome = f.choice("outcome", AlertOutcome::parse, t("warnings.choose_outcome"))?;
                let note = f.field("note").unwrap_or_default();
                s.app.close_alert(p, &id, AlertClosing { outcome, note }).await.map(|_| ())
            }
            other => Err(Error::new(ErrorCode::ValidationFailed, format!("unknown action '{other}'"))),
        }
    }
    .await;
    warnings_page(&s, &session, outcome.err().as_ref()).await
}
