//! Screening a party: a name (with its country and year when known) against every restricted-party list in force,
//! each hit with why it matched — the aligned parts of the names and what lowered the score — and the writing
//! tricks the name showed.

use super::i18n::{t, tr};
use super::session::Viewer;
use super::{PageError, redirect};
use crate::AppState;
use accord_app::ScreenQuery;
use accord_core::Error;
use axum::extract::{Query, State};
use axum::response::Response;
use maud::html;
use serde::Deserialize;

/// The form's fields, as typed.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ScreenForm {
    name: Option<String>,
    country: Option<String>,
    birth_year: Option<String>,
    #[serde(default)]
    address: Option<String>,
}

fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl ScreenForm {
    fn query(&self, name: &str) -> Result<ScreenQuery, Error> {
        let birth_year = match given(&self.birth_year) {
            None => None,
            Some(y) => Some(
                y.parse::<i32>().map_err(|_| Error::validation("birth_year", tr!("screen.not_a_year", year = y)))?,
            ),
        };
        Ok(ScreenQuery {
            name: name.to_owned(),
            r#type: None,
            country: given(&self.country).map(str::to_owned),
            birth_year,
            address: given(&self.address).map(str::to_owned),
            ..ScreenQuery::default()
        })
    }
}

/// The screening page: the form, and the hits once a name is sent.
pub(crate) async fn screen(
    State(s): State<AppState>,
    Viewer(viewer): Viewer,
    Query(f): Query<ScreenForm>,
) -> Result<Response, PageError> {
    let Some(session) = viewer else { return Ok(redirect("/sign-in?next=/screen", Vec::new())) };
    let outcome = match given(&f.name) {
        Some(name) => match f.query(name) {
            Ok(q) => Some(s.app.screen(&session.principal, &[q], 10, accord_screen::DEFAULT_THRESHOLD).await),
            Err(e) => Some(Err(e)),
        },
        None => None,
    };
    let officer =
        matches!(session.user.role, accord_core::model::Role::Officer | accord_core::model::Role::SeniorOfficer);
    let back = format!(
        "/screen?name={}",
        given(&f.name).map(|n| n.bytes().map(|b| format!("%{b:02X}")).collect::<String>()).unwrap_or_default()
    );
    let body = html! {
        h1 { (t("screen.title")) }
        p { (t("screen.intro")) }
        @if let Some(Err(e)) = &outcome {
            p.error role="alert" #form-error { (e.message) " " span.meta { "(" (e.code.as_str()) ")" } }
        }
        form.search method="get" action="/screen" role="search" {
            label for="name" { (t("screen.name")) input #name name="name" value=[given(&f.name)] required maxlength="500"; }
            label for="country" { (t("check.country")) input #country name="country" value=[given(&f.country)] maxlength="6"; }
            label for="birth_year" { (t("screen.year")) input #birth_year name="birth_year" inputmode="numeric" value=[given(&f.birth_year)] maxlength="4"; }
            label for="address" { (t("screen.address")) input #address name="address" value=[given(&f.address)] maxlength="300"; }
            button type="submit" { (t("screen.submit")) }
        }
        @if let Some(Ok(results)) = &outcome {
            @for r in results {
                @if !r.warnings.is_empty() {
                    div.error role="note" #warnings { p { strong { (t("screen.writing")) } } ul { @for w in &r.warnings { li { (w.message) } } } }
                }
                h2 #hits { @if r.hits.len() == 1 { (t("screen.one_match")) } @else { (tr!("screen.matches", count = r.hits.len())) } }
                @if r.hits.is_empty() { p { (t("screen.no_match")) } }
                ol.hits {
                    @for h in &r.hits {
                        li {
                            strong { (h.hit.matched_name) } " — " (h.hit.list_id) " " span.code { (h.hit.entity_id) }
                            " · " (t("hits.score")) " " (format!("{:.2}", h.hit.score))
                            @if h.suppressed { " · " em.judged { (t("screen.judged")) } }
                            br;
                            span.meta {
                                @for (i, part) in h.hit.explanation.parts.iter().enumerate() {
                                    @if i > 0 { "; " } "“" (part.query) "” ~ “" (part.listed) "”"
                                }
                                @for p in &h.hit.explanation.penalties { " · " (p.reason) }
                            }
                            @if officer && !h.suppressed {
                                form.adjudicate method="post" action="/screen/adjudications" {
                                    input type="hidden" name="csrf" value=(session.csrf);
                                    input type="hidden" name="subject" value=(r.subject);
                                    input type="hidden" name="list_id" value=(h.hit.list_id);
                                    input type="hidden" name="entity_id" value=(h.hit.entity_id);
                                    input type="hidden" name="back" value=(back);
                                    label { input type="radio" name="verdict" value="false_positive" required; " " (t("screen.not_this")) } " "
                                    label { input type="radio" name="verdict" value="true_positive" required; " " (t("screen.this")) } " "
                                    label { (t("screen.why")) " " input name="reason" required maxlength="1000"; } " "
                                    button type="submit" { (t("licence.record")) }
                                }
                            }
                        }
                    }
                }
                @if !r.connections.is_empty() {
                    h2 #connections { (t("screen.connections")) }
                    ul.connections { @for c in &r.connections { li { (c.explanation) " · " (t("hits.score")) " " (format!("{:.2}", c.score)) } } }
                }
                @if !r.ownership.is_empty() {
                    h2 #owned { (t("screen.ownership")) }
                    ul.ownership { @for o in &r.ownership { li { (o.finding.explanation) } } }
                }
            }
        }
    };
    let error = match &outcome {
        Some(Err(e)) => Some(e),
        _ => None,
    };
    super::page_after(error, t("screen.title"), Some(&session), body)
}

/// An officer's verdict on a hit, as sent.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct AdjudicationForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    list_id: String,
    #[serde(default)]
    entity_id: String,
    #[serde(default)]
    verdict: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    back: String,
}

/// Records an officer's verdict on a hit for their authority, then shows the screening again.
pub(crate) async fn adjudicate(
    State(s): State<AppState>,
    Viewer(viewer): Viewer,
    super::PageForm(f): super::PageForm<AdjudicationForm>,
) -> Result<Response, PageError> {
    let Some(session) = viewer else { return Ok(redirect("/sign-in?next=/screen", Vec::new())) };
    super::session::check_csrf(&session, &f.csrf)?;
    let input: accord_app::NewAdjudication = serde_json::from_value(serde_json::json!({
        "subject": f.subject, "list_id": f.list_id, "entity_id": f.entity_id, "verdict": f.verdict, "reason": f.reason,
    }))
    .map_err(|_| Error::validation("verdict", t("screen.choose_verdict")))?;
    s.app.adjudicate(&session.principal, input).await?;
    let back = if f.back.starts_with("/screen?") { f.back.as_str() } else { "/screen" };
    Ok(redirect(back, Vec::new()))
}
