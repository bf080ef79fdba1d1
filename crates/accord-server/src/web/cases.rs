//! The officer's workbench: the queue (highest risk first, with each case's SLA clock), and a case on one page —
//! the transaction, the risk factors, allied denials, questions, advice, tasks and the decision — with the forms to
//! decide and to countersign. Exporters see their own cases here too, without the forms.

use super::i18n::{t, tr, word, word_of};
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
        h1 { (t("cases.title")) }
        p.meta #count { (tr!("cases.count", total = total, page = page_no, pages = pages)) }
        @if rows.is_empty() { p { (t("cases.none")) } }
        @else {
            table.queue {
                caption.meta { (t("cases.order")) }
                thead { tr {
                    th scope="col" { (t("cases.case")) } th scope="col" { (t("cases.jurisdiction")) } th scope="col" { (t("cases.status")) }
                    th scope="col" { (t("cases.risk")) } th scope="col" { (t("cases.review")) } th scope="col" { (t("cases.due")) } th scope="col" { (t("cases.days_left")) }
                } }
                tbody {
                    @for (c, sla) in &rows {
                        tr {
                            td { a.code href=(format!("/cases/{}", c.id)) { (c.id) } }
                            td { (c.jurisdiction) }
                            td { (word("case_status", c.status.as_str())) }
                            td { (c.risk_score) }
                            td { (word("review_path", c.review_path.as_str())) }
                            td { (c.due_date) }
                            td { @match sla { Some(s) => (s.remaining), None => "—" } }
                        }
                    }
                }
            }
        }
        nav.pages aria-label=(t("cases.pages")) {
            @if page_no > 1 { a rel="prev" href=(format!("/cases?page={}", page_no - 1)) { (t("cases.previous")) } " " }
            @if page_no < pages { a rel="next" href=(format!("/cases?page={}", page_no + 1)) { (t("cases.next")) } }
        }
    };
    Ok(page(t("cases.title"), Some(&session), body)?.into_response())
}

fn transaction(a: &Application) -> Markup {
    let tx = &a.transaction;
    html! {
        h2 { (t("case.transaction")) }
        p { (tr!("case.route", from = tx.origin, to = tx.destination, date = tx.date, end_use = word("end_use", &tx.end_use.category))) }
        @if !tx.end_use.statement.is_empty() { p { "“" (tx.end_use.statement) "”" } }
        table {
            thead { tr { th scope="col" { (t("case.code")) } th scope="col" { (t("case.item")) } th scope="col" { (t("case.quantity")) } th scope="col" { (t("case.value")) } } }
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
            ul { @for p in &tx.parties { li { (word("role", &p.role)) ": " (p.name) @if let Some(c) = &p.country { " (" (c) ")" } } } }
        }
    }
}

/// What the determination said for the case's jurisdiction, and the parties' hits on restricted-party lists.
fn determination(a: &Application, jurisdiction: &str) -> Markup {
    let Some(d) = &a.determination else { return html! {} };
    html! {
        h2 { (t("case.determination")) }
        @for j in d.jurisdictions.iter().filter(|j| j.jurisdiction == jurisdiction) { (super::check::answer(j)) }
        h2 { (t("case.screening")) }
        @if d.party_hits.is_empty() { p { (t("case.no_hits")) } }
        @else { (super::check::party_hits(&d.party_hits)) }
    }
}

fn alerts(c: &accord_core::cases::Case) -> Markup {
    html! {
        @if !c.alerts.is_empty() {
            div.error role="note" {
                p { strong { (t("case.alerts")) } }
                ul { @for a in &c.alerts {
                    li { (tr!("case.alert", party = a.party, name = a.matched_name, list = a.list_id, score = format!("{:.2}", a.score))) " " span.meta { (a.at) } }
                } }
            }
        }
    }
}

fn documents(docs: &[accord_app::DocumentView]) -> Markup {
    html! {
        h2 { (t("case.documents")) }
        @if docs.is_empty() { p { (t("case.no_documents")) } }
        ul { @for d in docs {
            li { (d.name) " (" (d.kind) ") "
                @match &d.upload { Some(u) => span.meta { (tr!("case.uploaded", size = u.size, at = u.uploaded_at)) }, None => span.meta { (t("case.not_uploaded")) } } }
        } }
    }
}

fn history(events: &[accord_core::audit::AuditEvent]) -> Markup {
    html! {
        h2 { (t("case.history")) }
        ol.history { @for e in events {
            li { time datetime=(e.at) { (e.at) } " · " (word("event", &e.kind)) " · " span.meta { (e.actor) } }
        } }
    }
}

fn decide_form(v: &CaseView, csrf: &str) -> Markup {
    html! {
        h2 { (t("case.decide")) }
        form method="post" action=(format!("/cases/{}/decide", v.case.id)) {
            input type="hidden" name="csrf" value=(csrf);
            input type="hidden" name="version" value=(v.case.version);
            fieldset {
                legend { (t("case.decision")) }
                @for (value, label) in [("approve", t("case.approve")), ("refuse", t("case.refuse")), ("return", t("case.return"))] {
                    label { input type="radio" name="kind" value=(value) required; " " (label) } " "
                }
            }
            p { label for="reason" { (t("case.reasons")) } br; textarea #reason name="reason" rows="3" required maxlength="4000" {} }
            p { label for="valid_until" { (t("case.valid_until")) } br; input #valid_until type="date" name="valid_until"; }
            p { label for="refusal_criteria" { (t("case.refusal_criteria")) } br;
                input #refusal_criteria name="refusal_criteria" maxlength="500" placeholder="Criterion 7"; }
            p { button type="submit" { (t("case.record_decision")) } }
        }
    }
}

/// The officer's forms short of a decision: take the case, ask the exporter, record advice.
fn work_forms(v: &CaseView, csrf: &str) -> Markup {
    let id = &v.case.id;
    html! {
        h2 { (t("case.work")) }
        p { (t("case.assigned_to")) " " (v.case.assigned_to.as_deref().unwrap_or(t("case.nobody"))) }
        form method="post" action=(format!("/cases/{id}/assign")) {
            input type="hidden" name="csrf" value=(csrf);
            input type="hidden" name="version" value=(v.case.version);
            p { button type="submit" { (t("case.take")) } }
        }
        form method="post" action=(format!("/cases/{id}/ask")) {
            input type="hidden" name="csrf" value=(csrf);
            input type="hidden" name="version" value=(v.case.version);
            p { label for="question" { (t("case.ask_label")) } br;
                textarea #question name="text" rows="2" required maxlength="4000" {} }
            p { button type="submit" { (t("case.ask")) } }
        }
        form method="post" action=(format!("/cases/{id}/advise")) {
            input type="hidden" name="csrf" value=(csrf);
            input type="hidden" name="version" value=(v.case.version);
            p { label for="advice" { (t("case.advice_label")) } br; textarea #advice name="text" rows="2" required maxlength="4000" {} }
            p { button type="submit" { (t("case.record_advice")) } }
        }
        form.task method="post" action=(format!("/cases/{id}/tasks")) {
            input type="hidden" name="csrf" value=(csrf);
            input type="hidden" name="version" value=(v.case.version);
            fieldset {
                legend { (t("case.open_task")) }
                p { label for="task_kind" { (t("case.task_kind")) } br;
                    select #task_kind name="kind" {
                        @for k in ["pre_licence_check", "on_site_verification", "third_party_audit"] { option value=(k) { (word("task_kind", k)) } }
                    } }
                p { label for="task_assignee" { (t("case.task_assignee")) } br; input #task_assignee name="assignee" required maxlength="200"; }
                p { label for="task_due" { (t("case.task_due_label")) } br; input #task_due type="date" name="due_date" required; }
                p { button type="submit" { (t("case.open_task_submit")) } }
            }
        }
    }
}

/// The form that records the outcome of an open verification task.
fn task_outcome_form(v: &CaseView, task: usize, csrf: &str) -> Markup {
    html! {
        form.outcome method="post" action=(format!("/cases/{}/tasks/{task}", v.case.id)) {
            input type="hidden" name="csrf" value=(csrf);
            input type="hidden" name="version" value=(v.case.version);
            @for o in ["favourable", "unfavourable", "inconclusive"] {
                label { input type="radio" name="outcome" value=(o) required; " " (word("task_outcome", o)) } " "
            }
            label { (t("case.task_report")) " " input name="report" required maxlength="8000"; } " "
            button type="submit" { (t("case.record_outcome")) }
        }
    }
}

fn countersign_form(v: &CaseView, csrf: &str) -> Markup {
    html! {
        form method="post" action=(format!("/cases/{}/countersign", v.case.id)) {
            input type="hidden" name="csrf" value=(csrf);
            input type="hidden" name="version" value=(v.case.version);
            p { button type="submit" { (t("case.countersign")) } " " span.meta { (t("case.countersign_who")) } }
        }
    }
}

/// The consultations of allies the case's authority opened on it, and for officers a form for each matching denial
/// not consulted on yet.
fn consultations(
    c: &accord_core::cases::Case,
    views: &[accord_core::denials::ConsultationView],
    officer: bool,
    csrf: &str,
) -> Markup {
    let consulted = |denial: &str| views.iter().any(|v| v.consultation.denial_id == denial);
    html! {
        @if !views.is_empty() || (officer && !c.denial_matches.is_empty()) {
            h2 { (t("coalition.consultations")) }
            ul.consultations { @for v in views {
                @let k = &v.consultation;
                li { (tr!("coalition.asks", from = k.from_authority, to = k.to_authority, denial = k.denial_id)) " · "
                    strong { (word("consultation_status", v.status.as_str())) } " · " (t("coalition.answer_by")) " " (k.deadline)
                    @if let Some(a) = &v.answer { br; (word_of("answer_kind", &a.kind)) " — " (a.reasons) } }
            } }
            @if officer && c.status == CaseStatus::Open {
                @for d in c.denial_matches.iter().filter(|d| !consulted(d)) {
                    form.consult method="post" action=(format!("/cases/{}/consult", c.id)) {
                        input type="hidden" name="csrf" value=(csrf);
                        input type="hidden" name="denial_id" value=(d);
                        p { label for=(format!("question-{d}")) { (tr!("case.consult_label", denial = d)) } br;
                            textarea id=(format!("question-{d}")) name="question" rows="2" required maxlength="4000" {} }
                        p { button type="submit" { (t("case.consult_submit")) } }
                    }
                }
            }
        }
    }
}

/// A case on one page, with the forms its viewer may use.
async fn case_page(s: &AppState, session: &Session, id: &str, error: Option<&Error>) -> Result<Response, PageError> {
    let p = &session.principal;
    let v = s.app.case_view(p, id).await?;
    let application = s.app.application(p, v.case.application_id.as_str()).await.ok();
    let docs = s.app.documents(p, v.case.application_id.as_str()).await.unwrap_or_default();
    let events = s.app.case_history(p, id).await?;
    let c = &v.case;
    let officer = is_officer(session);
    // Consultations are for officials; an exporter sees none.
    let consulted: Vec<_> = match session.user.role {
        Role::Exporter => Vec::new(),
        _ => s.app.consultations(p).await?.into_iter().filter(|k| k.consultation.case_id == c.id.as_str()).collect(),
    };
    let body = html! {
        p.meta { a href="/cases" { (t("cases.title")) } }
        h1 { (t("case.title")) " " span.code { (c.id) } }
        p #status { (t("case.status")) " " strong { (word("case_status", c.status.as_str())) } " · " (c.jurisdiction) " · " (c.authority_id)
            " · " (word("review_path", c.review_path.as_str())) }
        p { (tr!("case.sla", due = c.due_date, remaining = v.sla.remaining, target = v.sla.target))
            @if v.sla.paused > 0 { " " (tr!("case.paused", days = v.sla.paused)) } }
        @if let Some(e) = error {
            p.error role="alert" #form-error { (e.message) " " span.meta { "(" (e.code.as_str()) ")" } }
        }
        (alerts(c))
        h2 { (tr!("case.risk", score = c.risk_score)) }
        ul { @for f in &c.risk_factors { li { strong { (word("risk_factor", &f.factor)) } " (" (f.points) "): " (f.detail) } } }
        @if !c.denial_matches.is_empty() {
            div.error role="note" { p { strong { (t("case.denials")) } " " (c.denial_matches.join(", ")) ". " (t("case.consult")) } }
        }
        @if officer { p { a href=(format!("/compliance?organisation={}", c.organisation_id)) { (t("case.compliance")) } } }
        (consultations(c, &consulted, officer, &session.csrf))
        @if let Some(a) = &application { (transaction(a)) (determination(a, &c.jurisdiction)) }
        (documents(&docs))
        @if !c.info_requests.is_empty() {
            h2 { (t("case.questions")) }
            ul { @for q in &c.info_requests { li { (q.question) @if let Some(a) = &q.answer { br; (t("case.answer")) " " (a) } } } }
        }
        @if !c.advice.is_empty() {
            h2 { (t("case.advice")) }
            ul { @for a in &c.advice { li { (a.text) " " span.meta { "(" (a.by) ")" } } } }
        }
        @if !c.tasks.is_empty() {
            h2 { (t("case.tasks")) }
            ol.tasks { @for (n, task) in c.tasks.iter().enumerate() { li { (word_of("task_kind", &task.kind)) " · " (task.assignee) ", " (tr!("case.task_due", due = task.due_date)) ": "
                @match task.outcome { Some(o) => strong { (word_of("task_outcome", &o)) }, None => (t("case.task_open")) }
                @if let Some(r) = &task.report { br; span.meta { (r) } }
                @if officer && task.outcome.is_none() { (task_outcome_form(&v, n, &session.csrf)) } } } }
        }
        @if let Some(d) = &c.decision {
            h2 { (t("case.decision")) }
            p #decision { strong { (word_of("decision", &d.kind)) } " · " (d.by) ": " (d.reason) }
            @if !d.refusal_criteria.is_empty() { p { (t("case.criteria")) " " (d.refusal_criteria.join(", ")) } }
            @if let (Some(from), Some(until)) = (d.valid_from, d.valid_until) { p { (tr!("case.valid", from = from, until = until)) } }
            @if let Some(by) = &d.countersigned_by { p #countersigned { (tr!("case.countersigned", by = by)) } }
        }
        @if officer && c.status == CaseStatus::Open {
            (work_forms(&v, &session.csrf))
            (decide_form(&v, &session.csrf))
        }
        @if session.user.role == Role::Exporter && c.info_requests.iter().any(|q| q.answer.is_none()) {
            h2 { (t("case.answer_title")) }
            form method="post" action=(format!("/cases/{}/answer", c.id)) {
                input type="hidden" name="csrf" value=(session.csrf);
                p { label for="answer" { (t("case.your_answer")) } br; textarea #answer name="text" rows="3" required maxlength="4000" {} }
                p { button type="submit" { (t("case.send_answer")) } }
            }
        }
        @if session.user.role == Role::SeniorOfficer && c.status == CaseStatus::AwaitingCountersignature {
            (countersign_form(&v, &session.csrf))
        }
        (history(&events))
    };
    page_after(error, &format!("{} {}", t("case.title"), c.id), Some(session), body)
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
        .map_err(|e| Error::validation("kind", tr!("case.choose_decision", detail = e)))
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
            _ => Err(Error::new(accord_core::ErrorCode::RouteNotFound, t("error.no_action"))),
        }
        .map(|_| ())
    })
    .await
}

/// The consultation form as sent.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ConsultForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    denial_id: String,
    #[serde(default)]
    question: String,
}

/// Consults the authority whose denial the case matches.
pub(crate) async fn consult(
    State(s): State<AppState>,
    Viewer(viewer): Viewer,
    Path(id): Path<String>,
    PageForm(f): PageForm<ConsultForm>,
) -> Result<Response, PageError> {
    let case_id = id.clone();
    act(s, viewer, id, &f.csrf.clone(), async move |s, session| {
        s.app.open_consultation(&session.principal, &case_id, &f.denial_id, &f.question).await.map(|_| ())
    })
    .await
}

/// A verification task's form as sent: opening one, or recording its outcome.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct TaskForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    version: i64,
    #[serde(flatten)]
    fields: std::collections::BTreeMap<String, String>,
}

impl TaskForm {
    fn input<T: serde::de::DeserializeOwned>(&self) -> Result<T, Error> {
        let mut input = json!({ "version": self.version });
        for (k, v) in &self.fields {
            input[k] = json!(v.trim());
        }
        serde_json::from_value(input)
            .map_err(|e| Error::new(accord_core::ErrorCode::InvalidBody, tr!("error.unreadable", detail = e)))
    }
}

pub(crate) async fn open_task(
    State(s): State<AppState>,
    Viewer(viewer): Viewer,
    Path(id): Path<String>,
    PageForm(f): PageForm<TaskForm>,
) -> Result<Response, PageError> {
    let case_id = id.clone();
    act(s, viewer, id, &f.csrf.clone(), async move |s, session| {
        s.app.open_task(&session.principal, &case_id, f.input()?).await.map(|_| ())
    })
    .await
}

pub(crate) async fn close_task(
    State(s): State<AppState>,
    Viewer(viewer): Viewer,
    Path((id, task)): Path<(String, String)>,
    PageForm(f): PageForm<TaskForm>,
) -> Result<Response, PageError> {
    let case_id = id.clone();
    act(s, viewer, id, &f.csrf.clone(), async move |s, session| {
        let n: usize = task.parse().map_err(|_| Error::not_found("verification task", &task))?;
        s.app.close_task(&session.principal, &case_id, n, f.input()?).await.map(|_| ())
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
