//! An exporter's applications: drafts and submitted ones, each with what every jurisdiction decided to need and the
//! case it opened; a draft is submitted from here.

use super::i18n::{t, word};
use super::session::{Viewer, check_csrf};
use super::{PageError, PageForm, page_after, redirect};
use crate::AppState;
use accord_app::Session;
use accord_core::Error;
use accord_core::cases::ApplicationStatus;
use axum::extract::{Path, State};
use axum::response::Response;
use maud::html;
use serde::Deserialize;

async fn applications_page(s: &AppState, session: &Session, error: Option<&Error>) -> Result<Response, PageError> {
    let mut all = s.app.applications(&session.principal).await?;
    all.sort_by_key(|a| std::cmp::Reverse(a.created_at));
    let body = html! {
        h1 { (t("applications.title")) }
        @if let Some(e) = error {
            p.error role="alert" #form-error { (e.message) " " span.meta { "(" (e.code.as_str()) ")" } }
        }
        p { a href="/check" { (t("applications.new")) } }
        @if all.is_empty() { p { (t("applications.none")) } }
        @else {
            table.applications {
                thead { tr {
                    th scope="col" { (t("applications.application")) } th scope="col" { (t("applications.created")) }
                    th scope="col" { (t("licences.destination")) } th scope="col" { (t("applications.goods")) }
                    th scope="col" { (t("cases.status")) } th scope="col" { (t("applications.outcomes")) }
                } }
                tbody {
                    @for a in &all {
                        tr {
                            td.code { (a.id) }
                            td { (a.created_at.utc_date()) }
                            td { (a.transaction.destination) }
                            td { (a.transaction.items.iter().map(|i| i.code.clone().unwrap_or_else(|| i.description.clone())).collect::<Vec<_>>().join(", ")) }
                            td { (word("application_status", a.status.as_str())) }
                            td {
                                @for o in &a.outcomes {
                                    (o.jurisdiction) ": " (word("outcome", o.outcome.as_str()))
                                    @if let Some(c) = &o.case_id { " · " a.code href=(format!("/cases/{c}")) { (c) } }
                                    br;
                                }
                                @if a.status == ApplicationStatus::Draft {
                                    form method="post" action=(format!("/applications/{}/submit", a.id)) {
                                        input type="hidden" name="csrf" value=(session.csrf);
                                        button type="submit" { (t("applications.submit")) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    page_after(error, t("applications.title"), Some(session), body)
}

/// The applications the signed-in person may see, newest first.
pub(crate) async fn applications(State(s): State<AppState>, Viewer(viewer): Viewer) -> Result<Response, PageError> {
    let Some(session) = viewer else { return Ok(redirect("/sign-in?next=/applications", Vec::new())) };
    applications_page(&s, &session, None).await
}

/// A form that carries only its token.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct SubmitForm {
    #[serde(default)]
    csrf: String,
}

/// Submits a draft: it is screened and determined, and its cases open.
pub(crate) async fn submit(
    State(s): State<AppState>,
    Viewer(viewer): Viewer,
    Path(id): Path<String>,
    PageForm(f): PageForm<SubmitForm>,
) -> Result<Response, PageError> {
    let Some(session) = viewer else { return Ok(redirect("/sign-in?next=/applications", Vec::new())) };
    let outcome = match check_csrf(&session, &f.csrf) {
        Ok(()) => s.app.submit_application(&session.principal, &id).await.map(|_| ()),
        Err(e) => Err(e),
    };
    match outcome {
        Ok(()) => Ok(redirect("/applications", Vec::new())),
        Err(e) if e.code.http_status() >= 500 => Err(e.into()),
        Err(e) => applications_page(&s, &session, Some(&e)).await,
    }
}
