//! The governance desk of an authority's officials: what falls due (reminders), the review cycles with their
//! reports, and the technology watch register with its indicators, run from the page.

use super::i18n::{t, tr, word};
use super::session::{Viewer, check_csrf};
use super::{ActionForm, PageError, PageForm, page_after, redirect};
use crate::AppState;
use accord_app::Session;
use accord_core::governance::CycleStatus;
use accord_core::model::Role;
use accord_core::watch::Reading;
use accord_core::{Error, ErrorCode};
use axum::extract::State;
use axum::response::Response;
use maud::html;

async fn reviews_page(
    s: &AppState,
    session: &Session,
    error: Option<&Error>,
    readings: &[Reading],
) -> Result<Response, PageError> {
    let p = &session.principal;
    let reminders = s.app.reminders(p).await?;
    let cycles = s.app.review_cycles(p).await?;
    let technologies = s.app.technologies(p).await?;
    let mine = session.user.authority_id.as_ref().map(|a| a.to_string());
    let officer = matches!(session.user.role, Role::Officer | Role::SeniorOfficer);
    let watcher = officer || session.user.role == Role::Analyst;
    let body = html! {
        h1 { (t("reviews.title")) }
        p { (t("reviews.intro")) }
        @if let Some(e) = error {
            p.error role="alert" #form-error { (e.message) " " span.meta { "(" (e.code.as_str()) ")" } }
        }
        h2 { (t("reviews.reminders")) }
        @if reminders.is_empty() { p #no-reminders { (t("reviews.no_reminders")) } }
        @else {
            table #reminders {
                thead { tr { th scope="col" { (t("reviews.due")) } th scope="col" { (t("reviews.who")) } th scope="col" { (t("reviews.what")) } } }
                tbody { @for r in &reminders { tr {
                    td { time datetime=(r.due) { (r.due) } }
                    td { (r.authority_id) " · " (word("user_role", &r.role)) }
                    td { @if r.subject.contains(":prp_") { a href=(format!("/proposals/{}", r.subject)) { (r.what) } } @else { (r.what) } }
                } } }
            }
        }
        h2 { (t("reviews.cycles")) }
        @if cycles.is_empty() { p { (t("reviews.no_cycles")) } }
        @for c in &cycles {
            section.cycle id=(c.id) {
                h3 { (c.title) }
                p.meta { (c.authority_id) " · " (word("review_scope", c.scope.as_str())) " · " (word("cycle_status", c.status.as_str())) " · "
                    (tr!("reviews.dates", opens = c.opens_on, due = c.proposals_due, closes = c.closes_on)) }
                @if let Some(r) = &c.report {
                    @if !r.proposals.is_empty() { p { (t("reviews.proposals")) " "
                        @for (i, (key, status)) in r.proposals.iter().enumerate() { @if i > 0 { ", " } a href=(format!("/proposals/{key}")) { (key) } " (" (word("proposal_status", status.as_str())) ")" } } }
                    @if !r.feedback.is_empty() { p { (t("reviews.feedback")) " " (r.feedback.iter().map(|(s, n)| format!("{s} ({n})")).collect::<Vec<_>>().join(", ")) } }
                    @if !r.denials.is_empty() { p { (t("reviews.denials")) " " (r.denials.iter().map(|(d, st)| format!("{d} ({st})")).collect::<Vec<_>>().join(", ")) } }
                    p.left { (t("reviews.left")) " " @if r.left.is_empty() { "—" } @else { (r.left.join(", ")) } }
                }
                @if officer && c.status == CycleStatus::Open && mine.as_deref() == Some(c.authority_id.as_str()) {
                    form.close method="post" action="/reviews" {
                        input type="hidden" name="csrf" value=(session.csrf);
                        input type="hidden" name="action" value="close";
                        input type="hidden" name="id" value=(c.id);
                        button type="submit" { (t("reviews.close")) }
                    }
                }
            }
        }
        h2 #watch { (t("watch.title")) }
        p { (t("watch.intro")) }
        @if technologies.is_empty() { p { (t("watch.none")) } }
        @for tech in &technologies {
            section.technology id=(format!("tech-{}", tech.id)) {
                h3 { (tech.name) " " span.meta { "(" (tech.authority_id) ")" } }
                p { (tech.description) }
                p { (t("watch.codes")) " " @for (i, code) in tech.codes.iter().enumerate() { @if i > 0 { ", " } a.code href=(format!("/controls/{code}")) { (code) } } }
                @if !tech.capability_thresholds.is_empty() { p { (t("watch.thresholds")) " " (tech.capability_thresholds.join("; ")) } }
                @if !tech.chokepoints.is_empty() { p { (t("watch.chokepoints")) " " (tech.chokepoints.join("; ")) } }
                @if !tech.milestones.is_empty() { ul.milestones { @for m in &tech.milestones { li { (m.what) " — " (m.expected) } } } }
                @if !tech.indicators.is_empty() { ul.indicators { @for ind in &tech.indicators {
                    li { (tr!("watch.indicator", metric = word("metric", ind.metric.as_str()), at_least = ind.at_least, days = ind.window_days, direction = word("direction", ind.direction.as_str()))) }
                } } }
            }
        }
        @if !readings.is_empty() {
            table #readings {
                caption.meta { (t("watch.readings")) }
                thead { tr { th scope="col" { (t("watch.technology")) } th scope="col" { (t("watch.metric")) } th scope="col" { (t("watch.value")) } th scope="col" { (t("watch.proposal")) } } }
                tbody { @for r in readings { tr {
                    td { (r.technology) } td { (word("metric", r.indicator.metric.as_str())) }
                    td { (r.value) " / " (r.indicator.at_least) }
                    td { @match &r.proposal { Some(k) => a href=(format!("/proposals/{k}")) { (k) }, None => (r.note.as_deref().unwrap_or("—")) } }
                } } }
            }
        }
        @if watcher && mine.is_some() {
            form.watch method="post" action="/reviews" {
                input type="hidden" name="csrf" value=(session.csrf);
                input type="hidden" name="action" value="watch";
                button type="submit" { (t("watch.run")) }
            }
        }
    };
    page_after(error, t("reviews.title"), Some(session), body)
}

fn officials_only(session: &Session) -> Result<(), Error> {
    if session.user.role == Role::Exporter {
        return Err(Error::forbidden(t("reviews.officials_only")));
    }
    Ok(())
}

/// The governance desk.
pub(crate) async fn reviews(State(s): State<AppState>, Viewer(viewer): Viewer) -> Result<Response, PageError> {
    let Some(session) = viewer else { return Ok(redirect("/sign-in?next=/reviews", Vec::new())) };
    officials_only(&session)?;
    reviews_page(&s, &session, None, &[]).await
}

/// Closes a cycle or runs the technology watch, then shows the desk again (with the readings).
pub(crate) async fn act(
    State(s): State<AppState>,
    Viewer(viewer): Viewer,
    PageForm(f): PageForm<ActionForm>,
) -> Result<Response, PageError> {
    let Some(session) = viewer else { return Ok(redirect("/sign-in?next=/reviews", Vec::new())) };
    officials_only(&session)?;
    let outcome = async {
        check_csrf(&session, &f.csrf)?;
        let p = &session.principal;
        match f.action.as_str() {
            "close" => s.app.close_review_cycle(p, &f.field("id").unwrap_or_default()).await.map(|_| Vec::new()),
            "watch" => s.app.run_technology_watch(p).await,
            other => Err(Error::new(ErrorCode::ValidationFailed, format!("unknown action '{other}'"))),
        }
    }
    .await;
    match outcome {
        Ok(readings) => reviews_page(&s, &session, None, &readings).await,
        Err(e) => reviews_page(&s, &session, Some(&e), &[]).await,
    }
}
