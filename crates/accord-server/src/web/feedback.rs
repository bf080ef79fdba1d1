//! Industry feedback on the controls: exporters report on an entry, a rule or an authorisation; analysts and
//! officers triage what reached their authority, and see it counted by subject.

use super::i18n::{t, tr, word};
use super::session::{Viewer, check_csrf};
use super::{ActionForm, PageError, PageForm, page_after, redirect};
use crate::AppState;
use accord_app::{NewFeedback, Session, Triage};
use accord_core::governance::{FeedbackKind, FeedbackStatus};
use accord_core::model::Role;
use accord_core::{Error, ErrorCode};
use axum::extract::State;
use axum::response::Response;
use maud::html;

async fn feedback_page(s: &AppState, session: &Session, error: Option<&Error>) -> Result<Response, PageError> {
    let p = &session.principal;
    let exporter = session.user.role == Role::Exporter;
    let all = s.app.feedback(p).await?;
    let summary = if exporter { Vec::new() } else { s.app.feedback_summary(p).await.unwrap_or_default() };
    let mine = session.user.authority_id.as_ref().map(|a| a.to_string());
    let triager = matches!(session.user.role, Role::Analyst | Role::Officer | Role::SeniorOfficer);
    let body = html! {
        h1 { (t("feedback.title")) }
        p { (t("feedback.intro")) }
        @if let Some(e) = error {
            p.error role="alert" #form-error { (e.message) " " span.meta { "(" (e.code.as_str()) ")" } }
        }
        @if exporter {
            form.feedback method="post" action="/feedback" {
                input type="hidden" name="csrf" value=(session.csrf);
                input type="hidden" name="action" value="give";
                p { label for="subject" { (t("feedback.subject")) } br; input #subject name="subject" required maxlength="100" placeholder="3A001"; }
                p { label for="kind" { (t("feedback.kind")) } br;
                    select #kind name="kind" { @for k in FeedbackKind::ALL { option value=(k.as_str()) { (word("feedback_kind", k.as_str())) } } } }
                p { label for="text" { (t("feedback.text")) } br; textarea #text name="text" rows="4" required maxlength="5000" {} }
                p { label for="cost" { (t("feedback.cost")) } br; input #cost name="cost" inputmode="numeric" maxlength="12"; }
                p { button type="submit" { (t("feedback.send")) } }
            }
        }
        @if !summary.is_empty() {
            h2 { (t("feedback.summary")) }
            table.summary {
                thead { tr { th scope="col" { (t("feedback.subject")) } th scope="col" { (t("feedback.total")) } th scope="col" { (t("feedback.cost_total")) } th scope="col" { (t("feedback.themes")) } } }
                tbody { @for c in &summary { tr {
                    td.code { (c.subject) } td { (c.total) } td { (c.estimated_cost_eur) }
                    td { (c.by_theme.iter().map(|(t, n)| format!("{t} ({n})")).collect::<Vec<_>>().join("; ")) }
                } } }
            }
        }
        h2 { (t("feedback.received")) }
        @if all.is_empty() { p { (t("feedback.none")) } }
        ol.feedback { @for f in &all {
            li id=(f.id) {
                strong.code { (f.subject) } " · " (word("feedback_kind", f.kind.as_str())) " · " (word("feedback_status", f.status.as_str()))
                @if let Some(theme) = &f.theme { " · " em { (theme) } }
                @if let Some(c) = f.estimated_cost_eur { " · " (tr!("feedback.cost_line", cost = c)) }
                " " span.meta { (f.submitted_at) }
                br; (f.text)
                @if triager && f.status == FeedbackStatus::New && mine.as_deref() == Some(f.authority_id.as_str()) {
                    form.triage method="post" action="/feedback" {
                        input type="hidden" name="csrf" value=(session.csrf);
                        input type="hidden" name="action" value="triage";
                        input type="hidden" name="id" value=(f.id);
                        label { (t("feedback.theme")) " " input name="theme" maxlength="200"; } " "
                        button type="submit" name="status" value="triaged" { (t("feedback.triage")) } " "
                        button type="submit" name="status" value="dismissed" { (t("feedback.dismiss")) }
                    }
                }
            }
        } }
    };
    page_after(error, t("feedback.title"), Some(session), body)
}

/// The feedback page.
pub(crate) async fn feedback(State(s): State<AppState>, Viewer(viewer): Viewer) -> Result<Response, PageError> {
    let Some(session) = viewer else { return Ok(redirect("/sign-in?next=/feedback", Vec::new())) };
    feedback_page(&s, &session, None).await
}

/// Gives or triages feedback, then shows the page again.
pub(crate) async fn act(
    State(s): State<AppState>,
    Viewer(viewer): Viewer,
    PageForm(f): PageForm<ActionForm>,
) -> Result<Response, PageError> {
    let Some(session) = viewer else { return Ok(redirect("/sign-in?next=/feedback", Vec::new())) };
    let outcome = async {
        check_csrf(&session, &f.csrf)?;
        let p = &session.principal;
        match f.action.as_str() {
            "give" => {
                let kind = f
                    .field("kind")
                    .and_then(|k| FeedbackKind::parse(&k))
                    .ok_or_else(|| Error::validation("kind", t("feedback.choose_kind")))?;
                let estimated_cost_eur = match f.field("cost") {
                    None => None,
                    Some(c) => Some(c.parse().map_err(|_| Error::validation("cost", t("feedback.not_a_cost")))?),
                };
                let input = NewFeedback {
                    subject: f.field("subject").unwrap_or_default(),
                    kind,
                    text: f.field("text").unwrap_or_default(),
                    estimated_cost_eur,
                };
                s.app.give_feedback(p, input).await.map(|_| ())
            }
            "triage" => {
                let status = f
                    .field("status")
                    .and_then(|v| FeedbackStatus::parse(&v))
                    .ok_or_else(|| Error::validation("status", t("feedback.choose_status")))?;
                let id = f.field("id").unwrap_or_default();
                s.app.triage_feedback(p, &id, Triage { status, theme: f.field("theme") }).await.map(|_| ())
            }
            _ => Err(Error::new(ErrorCode::RouteNotFound, t("error.no_action"))),
        }
    }
    .await;
    match outcome {
        Ok(()) => Ok(redirect("/feedback", Vec::new())),
        Err(e) if e.code.http_status() >= 500 => Err(e.into()),
        Err(e) => feedback_page(&s, &session, Some(&e)).await,
    }
}
