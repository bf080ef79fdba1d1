//! The officer's workbench: the queue (highest risk first, with each case's SLA clock), and a case on one page —
//! the transaction, the risk factors, allied denials, questions, advice, tasks and the decision — with the forms to
//! decide and to countersign. Exporters see their own cases here too, without the forms.

use super::session::{Viewer, check_csrf};
use super::{PageError, PageForm, page, page_after, redirect};
use crate::AppState;
use accord_app::{CaseView, Session};
use accord_core::Error;
use accord_core::cases::{Application, CaseStatus, NewDecision};
use accord_core::model::Role;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde::Deserialize;
use serde_json::json;

fn words(s: &str) -> String {
    s.replace('_', " ")
}

fn is_officer(s: &Session) -> bool {
    matches!(s.user.role, Role::Officer | Role::SeniorOfficer)
}

/// Cases on one page of the queue.
pub(crate) const PER_PAGE: u64 = 50;

/// Which page of the queue.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct QueueQuery {
    page: Option<u64>,
}

/// The queue: the cases the signed-in person may see, highest risk first, with their clocks, a page at a time.
pub(crate) async fn queue(
    State(s): State<AppState>,
    Viewer(viewer): Viewer,
    axum::extract::Query(q): axum::extract::Query<QueueQuery>,
) -> Result<Response, PageError> {
    let Some(session) = viewer else { return Ok(redirect("/sign-in?next=/cases", Vec::new())) };
    let page_no = q.page.unwrap_or(1).max(1);
    let (cases, total) = s.app.cases_page(&session.principal, page_no, PER_PAGE).await?;
    let pages = total.div_ceil(PER_PAGE).max(1);
    let authorities = s.app.authorities().await?;
    let today = jiff::Zoned::now().date();
    let rows: Vec<_> = cases
        .iter()
        .map(|c| {
            let sla = authorities.iter().find(|a| a.id == c.authority_id).map(|a| accord_app::sla(c, a, today));
            (c, sla)
        })
        .collect();
    let body = html! {
        h1 { "Cases" }
        p.meta #count { (total) " cases · page " (page_no) " of " (pages) }
        @if rows.is_empty() { p { "No case to show." } }
        @else {
            table.queue {
                caption.meta { "Highest risk first, then the earliest due" }
                thead { tr {
                    th scope="col" { "Case" } th scope="col" { "Jurisdiction" } th scope="col" { "Status" }
                    th scope="col" { "Risk" } th scope="col" { "Review" } th scope="col" { "Due" } th scope="col" { "Working days left" }
                } }
                tbody {
                    @for (c, sla) in &rows {
                        tr {
                            td { a.code href=(format!("/cases/{}", c.id)) { (c.id) } }
                            td { (c.jurisdiction) }
                            td { (words(c.status.as_str())) }
                            td { (c.risk_score) }
                            td { (words(c.review_path.as_str())) }
                            td { (c.due_date) }
                            td { @match sla { Some(s) => (s.remaining), None => "—" } }
                        }
                    }
                }
            }
        }
        nav.pages aria-label="Pages of the queue" {
            @if page_no > 1 { a rel="prev" href=(format!("/cases?page={}", page_no - 1)) { "Previous page" } " " }
            @if page_no < pages { a rel="next" href=(format!("/cases?page={}", page_no + 1)) { "Next page" } }
        }
    };
    Ok(page("Cases", Some(&session), body)?.into_response())
}

fn transaction(a: &Application) -> Markup {
    let tx = &a.transaction;
    html! {
        h2 { "The transaction" }
        p { "From " strong { (tx.origin) } " to " strong { (tx.destination) } " on " (tx.date)
            ", end use " (words(&tx.end_use.category)) }
        @if !tx.end_use.statement.is_empty() { p { "“" (tx.end_use.statement) "”" } }
        table {
            thead { tr { th scope="col" { "Code" } th scope="col" { "Item" } th scope="col" { "Quantity" } th scope="col" { "Value" } } }
            tbody {
                @for i in &tx.items {
                    tr {
                        td.code { (i.code.as_deref().unwrap_or("—")) }
                        td { (i.description) }
                        td { (i.quantity.map(|q| q.to_string()).unwrap_or_default()) }
                        td { (i.value.map(|v| v.to_string()).unwrap_or_default()) " " (i.currency.as_deref().unwrap_or("")) }
                    }
                }
            }
        }
        @if !tx.parties.is_empty() {
            ul { @for p in &tx.parties { li { (words(&p.role)) ": " (p.name) @if let Some(c) = &p.country { " (" (c) ")" } } } }
        }
    }
}

fn decide_form(v: &CaseView, csrf: &str) -> Markup {
    html! {
        h2 { "Decide" }
        form method="post" action=(format!("/cases/{}/decide", v.case.id)) {
            input type="hidden" name="csrf" value=(csrf);
            input type="hidden" name="version" value=(v.case.version);
            fieldset {
                legend { "Decision" }
                @for (value, label) in [("approve", "Approve"), ("refuse", "Refuse"), ("return", "Return to the exporter")] {
                    label { input type="radio" name="kind" value=(value) required; " " (label) } " "
                }
            }
            p { label for="reason" { "Reasons" } br; textarea #reason name="reason" rows="3" required maxlength="4000" {} }
            p { label for="valid_until" { "Last day of validity (approval)" } br; input #valid_until type="date" name="valid_until"; }
            p { label for="refusal_criteria" { "Refusal criteria, separated by commas (refusal)" } br;
                input #refusal_criteria name="refusal_criteria" maxlength="500" placeholder="Criterion 7"; }
            p { button type="submit" { "Record the decision" } }
        }
    }
}

/// The officer's forms short of a decision: take the case, ask the exporter, record advice.
fn work_forms(v: &CaseView, csrf: &str) -> Markup {
    let id = &v.case.id;
    html! {
        h2 { "Work on the case" }
        p { "Assigned to: " (v.case.assigned_to.as_deref().unwrap_or("nobody yet")) }
        form method="post" action=(format!("/cases/{id}/assign")) {
            input type="hidden" name="csrf" value=(csrf);
            input type="hidden" name="version" value=(v.case.version);
            p { button type="submit" { "Take the case" } }
        }
        form method="post" action=(format!("/cases/{id}/ask")) {
            input type="hidden" name="csrf" value=(csrf);
            input type="hidden" name="version" value=(v.case.version);
            p { label for="question" { "Ask the exporter (the SLA clock stops until they answer)" } br;
                textarea #question name="text" rows="2" required maxlength="4000" {} }
            p { button type="submit" { "Ask" } }
        }
        form method="post" action=(format!("/cases/{id}/advise")) {
            input type="hidden" name="csrf" value=(csrf);
            input type="hidden" name="version" value=(v.case.version);
            p { label for="advice" { "Advice for the file" } br; textarea #advice name="text" rows="2" required maxlength="4000" {} }
            p { button type="submit" { "Record the advice" } }
        }
    }
}

fn countersign_form(v: &CaseView, csrf: &str) -> Markup {
    html! {
        form method="post" action=(format!("/cases/{}/countersign", v.case.id)) {
            input type="hidden" name="csrf" value=(csrf);
            input type="hidden" name="version" value=(v.case.version);
            p { button type="submit" { "Countersign the decision" } " " span.meta { "a senior officer other than the one who decided" } }
        }
    }
}

/// A case on one page, with the forms its viewer may use.
async fn case_page(s: &AppState, session: &Session, id: &str, error: Option<&Error>) -> Result<Response, PageError> {
    let v = s.app.case_view(&session.principal, id).await?;
    let application = s.app.application(&session.principal, v.case.application_id.as_str()).await.ok();
    let c = &v.case;
    let officer = is_officer(session);
    let body = html! {
        p.meta { a href="/cases" { "Cases" } }
        h1 { "Case " span.code { (c.id) } }
        p #status { "Status: " strong { (words(c.status.as_str())) } " · " (c.jurisdiction) " · " (c.authority_id)
            " · review " (words(c.review_path.as_str())) }
        p { "Due " (c.due_date) ": " (v.sla.remaining) " working days left of " (v.sla.target)
            @if v.sla.paused > 0 { " (" (v.sla.paused) " paused while the exporter was asked)" } }
        @if let Some(e) = error {
            p.error role="alert" #form-error { (e.message) " " span.meta { "(" (e.code.as_str()) ")" } }
        }
        h2 { "Risk " (c.risk_score) " of 100" }
        ul { @for f in &c.risk_factors { li { strong { (words(&f.factor)) } " (" (f.points) "): " (f.detail) } } }
        @if !c.denial_matches.is_empty() {
            div.error role="note" { p { strong { "Matches allied denials: " } (c.denial_matches.join(", ")) ". Consult before approving." } }
        }
        @if let Some(a) = &application { (transaction(a)) }
        @if !c.info_requests.is_empty() {
            h2 { "Questions to the exporter" }
            ul { @for q in &c.info_requests { li { (q.question) @if let Some(a) = &q.answer { br; "Answer: " (a) } } } }
        }
        @if !c.advice.is_empty() {
            h2 { "Advice" }
            ul { @for a in &c.advice { li { (a.text) " " span.meta { "(" (a.by) ")" } } } }
        }
        @if !c.tasks.is_empty() {
            h2 { "Verification tasks" }
            ul { @for t in &c.tasks { li { (format!("{:?}", t.kind)) ", due " (t.due_date) ": "
                @match t.outcome { Some(o) => (format!("{o:?}").to_lowercase()), None => "open" } } } }
        }
        @if let Some(d) = &c.decision {
            h2 { "Decision" }
            p #decision { strong { (words(&format!("{:?}", d.kind).to_lowercase())) } " by " (d.by) ": " (d.reason) }
            @if !d.refusal_criteria.is_empty() { p { "Refusal criteria: " (d.refusal_criteria.join(", ")) } }
            @if let (Some(from), Some(until)) = (d.valid_from, d.valid_until) { p { "Valid from " (from) " until " (until) } }
            @if let Some(by) = &d.countersigned_by { p #countersigned { "Countersigned by " (by) } }
        }
        @if officer && c.status == CaseStatus::Open {
            (work_forms(&v, &session.csrf))
            (decide_form(&v, &session.csrf))
        }
        @if session.user.role == Role::Exporter && c.info_requests.iter().any(|q| q.answer.is_none()) {
            h2 { "Answer the authority's question" }
            form method="post" action=(format!("/cases/{}/answer", c.id)) {
                input type="hidden" name="csrf" value=(session.csrf);
                p { label for="answer" { "Your answer" } br; textarea #answer name="text" rows="3" required maxlength="4000" {} }
                p { button type="submit" { "Send the answer" } }
            }
        }
        @if session.user.role == Role::SeniorOfficer && c.status == CaseStatus::AwaitingCountersignature {
            (countersign_form(&v, &session.csrf))
        }
    };
    page_after(error, &format!("Case {}", c.id), Some(session), body)
}

pub(crate) async fn case(
    State(s): State<AppState>,
    Viewer(viewer): Viewer,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let Some(session) = viewer else { return Ok(redirect(&format!("/sign-in?next=/cases/{id}"), Vec::new())) };
    case_page(&s, &session, &id, None).await
}

/// The decision form as sent.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct DecideForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    version: i64,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    valid_until: String,
    #[serde(default)]
    refusal_criteria: String,
}

impl DecideForm {
    fn decision(&self) -> Result<NewDecision, Error> {
        let criteria: Vec<&str> = self.refusal_criteria.split(',').map(str::trim).filter(|c| !c.is_empty()).collect();
        let valid_until = Some(self.valid_until.trim()).filter(|d| !d.is_empty());
        serde_json::from_value(json!({
            "kind": self.kind, "reason": self.reason, "version": self.version,
            "valid_until": valid_until, "refusal_criteria": criteria,
        }))
        .map_err(|e| Error::validation("kind", format!("choose approve, refuse or return ({e})")))
    }
}

/// Acts on a case from one of its forms; an error shows the case again with the error above the forms.
async fn act<F>(s: AppState, viewer: Option<Session>, id: String, csrf: &str, action: F) -> Result<Response, PageError>
where
    F: AsyncFnOnce(&AppState, &Session) -> Result<(), Error>,
{
    let Some(session) = viewer else { return Ok(redirect("/sign-in", Vec::new())) };
    let outcome = match check_csrf(&session, csrf) {
        Ok(()) => action(&s, &session).await,
        Err(e) => Err(e),
    };
    match outcome {
        Ok(()) => Ok(redirect(&format!("/cases/{id}"), Vec::new())),
        Err(e) if e.code.http_status() >= 500 => Err(e.into()),
        Err(e) => case_page(&s, &session, &id, Some(&e)).await,
    }
}

pub(crate) async fn decide(
    State(s): State<AppState>,
    Viewer(viewer): Viewer,
    Path(id): Path<String>,
    PageForm(f): PageForm<DecideForm>,
) -> Result<Response, PageError> {
    let case_id = id.clone();
    act(s, viewer, id, &f.csrf.clone(), async move |s, session| {
        s.app.decide(&session.principal, &case_id, f.decision()?).await.map(|_| ())
    })
    .await
}

/// A form with a text: a question, an answer or advice.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct TextForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    version: i64,
    #[serde(default)]
    text: String,
}

/// The officer's work short of a decision, and the exporter's answer: `assign` (take the case), `ask`, `advise`,
/// `answer`.
pub(crate) async fn work(
    State(s): State<AppState>,
    Viewer(viewer): Viewer,
    Path((id, action)): Path<(String, String)>,
    PageForm(f): PageForm<TextForm>,
) -> Result<Response, PageError> {
    let case_id = id.clone();
    act(s, viewer, id, &f.csrf.clone(), async move |s, session| {
        let (p, id, version, text) = (&session.principal, case_id.as_str(), f.version, f.text.as_str());
        match action.as_str() {
            "assign" => s.app.assign_case(p, id, version, None).await,
            "ask" => s.app.request_information(p, id, version, text).await,
            "advise" => s.app.advise(p, id, version, text).await,
            "answer" => s.app.answer_information(p, id, text).await,
            _ => Err(Error::new(accord_core::ErrorCode::RouteNotFound, "no such action on a case")),
        }
        .map(|_| ())
    })
    .await
}

/// A form that carries only its token and the version the officer saw.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct VersionForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    version: i64,
}

pub(crate) async fn countersign(
    State(s): State<AppState>,
    Viewer(viewer): Viewer,
    Path(id): Path<String>,
    PageForm(f): PageForm<VersionForm>,
) -> Result<Response, PageError> {
    let case_id = id.clone();
    act(s, viewer, id, &f.csrf, async move |s, session| {
        s.app.countersign(&session.principal, &case_id, f.version).await.map(|_| ())
    })
    .await
}
