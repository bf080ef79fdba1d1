//! The coalition view for officials: consultations waiting for an answer (with their deadline, and the form to
//! answer those addressed to the viewer's authority), allied denials, approval notices, shared assessments and
//! verifications, and the health of each federation peer for those who may see it.

use super::i18n::{t, tr, word, word_of};
use super::session::{Viewer, check_csrf};
use super::{PageError, PageForm, page_after, redirect};
use crate::AppState;
use accord_app::Session;
use accord_core::denials::{AnswerKind, ConsultationStatus};
use accord_core::{Error, ErrorCode};
use axum::extract::{Path, State};
use axum::response::Response;
use maud::html;
use serde::Deserialize;

/// The coalition page, with an error from the answer form when there was one.
async fn coalition_page(s: &AppState, session: &Session, error: Option<&Error>) -> Result<Response, PageError> {
    let p = &session.principal;
    let consultations = s.app.consultations(p).await?;
    let denials = s.app.denials(p, None).await?;
    let notices = s.app.notices(p).await?;
    let assessments = s.app.assessments(p).await?;
    let verifications = s.app.verifications(p).await?;
    // Federation health is for those who may see it; for others the section is left out.
    let federation = s.app.federation_status(p).await.ok();
    let mine = session.user.authority_id.as_ref().map(|a| a.as_str().to_owned());
    let body = html! {
        h1 { (t("coalition.title")) }
        @if let Some(e) = error {
            p.error role="alert" #form-error { (e.message) " " span.meta { "(" (e.code.as_str()) ")" } }
        }
        h2 { (t("coalition.consultations")) }
        @if consultations.is_empty() { p { (t("coalition.no_consultation")) } }
        @for c in &consultations {
            @let k = &c.consultation;
            article.consultation id=(format!("consultation-{}", k.id)) {
                h3 { (tr!("coalition.asks", from = k.from_authority, to = k.to_authority, denial = k.denial_id)) }
                p { (t("coalition.status")) " " strong.status { (word("consultation_status", c.status.as_str())) } " · "
                    (t("coalition.answer_by")) " " time datetime=(k.deadline) { (k.deadline) } " · " (t("coalition.case")) " " span.code { (k.case_id) } }
                blockquote { (k.question) }
                @if let Some(a) = &c.answer {
                    p.answer { (t("coalition.answer")) " " strong { (word_of("answer_kind", &a.kind)) } " — " (a.reasons) }
                }
                @if c.status == ConsultationStatus::Open && mine.as_deref() == Some(k.to_authority.as_str()) {
                    form method="post" action=(format!("/coalition/consultations/{}:{}/answer", k.from_authority, k.id)) {
                        input type="hidden" name="csrf" value=(session.csrf);
                        fieldset {
                            legend { (t("coalition.your_answer")) }
                            @for value in ["no_objection", "objection", "information"] {
                                label { input type="radio" name="kind" value=(value) required; " " (word("answer_kind", value)) } " "
                            }
                        }
                        p { label for=(format!("reasons-{}", k.id)) { (t("coalition.reasons")) } br;
                            textarea id=(format!("reasons-{}", k.id)) name="reasons" rows="3" required maxlength="4000" {} }
                        p { button type="submit" { (t("coalition.send")) } }
                    }
                }
            }
        }
        h2 { (t("coalition.denials")) }
        @if denials.is_empty() { p { (t("coalition.no_denial")) } }
        @else {
            table.denials {
                thead { tr { th scope="col" { (t("coalition.authority")) } th scope="col" { (t("coalition.reference")) } th scope="col" { (t("coalition.refused_on")) } th scope="col" { (t("coalition.destination")) } th scope="col" { (t("coalition.codes")) } th scope="col" { (t("coalition.parties")) } th scope="col" { (t("coalition.status")) } } }
                tbody {
                    @for m in &denials {
                        @let d = &m.denial;
                        tr {
                            td { (d.authority_id) } td { (d.reference) } td { (d.date) } td { (d.destination) }
                            td.code { (d.control_codes.join(", ")) }
                            td { (d.parties.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join("; ")) }
                            td { (word("denial_status", d.status.as_str())) }
                        }
                    }
                }
            }
        }
        h2 { (t("coalition.notices")) }
        @if notices.is_empty() { p { (t("coalition.no_notice")) } }
        ul { @for n in &notices { li { (tr!("coalition.notice", authority = n.authority_id, case = n.case_id, circumstance = word("circumstance", n.circumstance.as_str()))) ": " (n.reasons) } } }
        h2 { (t("coalition.assessments")) }
        @if assessments.is_empty() { p { (t("coalition.no_assessment")) } }
        ul { @for a in &assessments { li { (a.assessment.authority_id) ": " (word("subject_kind", a.assessment.subject_kind.as_str())) " " strong { (a.assessment.subject) } " — "
            (tr!("coalition.assessment", level = word("risk_level", a.assessment.level.as_str()), until = a.assessment.valid_until, endorsements = a.endorsements.len())) } } }
        h2 { (t("coalition.verifications")) }
        @if verifications.is_empty() { p { (t("coalition.no_verification")) } }
        ul { @for v in &verifications { li { (v.authority_id) ": " (word("verification_kind", v.kind.as_str())) " · " (v.subject) " — " (word("verification_outcome", v.outcome.as_str())) " (" (v.date) ")" } } }
        @if let Some(f) = &federation {
            h2 { (t("coalition.federation")) }
            @if f.peers.is_empty() { p { (t("coalition.no_peer")) } }
            @else {
                table {
                    thead { tr { th scope="col" { (t("coalition.peer")) } th scope="col" { (t("coalition.received")) } th scope="col" { (t("coalition.behind")) } th scope="col" { (t("coalition.last_success")) } } }
                    tbody { @for ps in &f.peers { tr {
                        td { (ps.peer.authority_id) } td { (ps.received) } td { (ps.lag) }
                        td { (ps.peer.last_success_at.map_or_else(|| t("coalition.never").to_owned(), |t| t.to_string())) }
                    } } }
                }
            }
        }
    };
    page_after(error, t("coalition.title"), Some(session), body)
}

pub(crate) async fn coalition(State(s): State<AppState>, Viewer(viewer): Viewer) -> Result<Response, PageError> {
    let Some(session) = viewer else { return Ok(redirect("/sign-in?next=/coalition", Vec::new())) };
    coalition_page(&s, &session, None).await
}

/// The answer form as sent.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct AnswerForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    reasons: String,
}

pub(crate) async fn answer(
    State(s): State<AppState>,
    Viewer(viewer): Viewer,
    Path(id): Path<String>,
    PageForm(f): PageForm<AnswerForm>,
) -> Result<Response, PageError> {
    let Some(session) = viewer else { return Ok(redirect("/sign-in?next=/coalition", Vec::new())) };
    let outcome = async {
        check_csrf(&session, &f.csrf)?;
        let kind: AnswerKind = serde_json::from_value(serde_json::json!(f.kind)).map_err(|_| {
            Error::new(ErrorCode::ValidationFailed, t("coalition.choose_answer"))
                .with_details(serde_json::json!({ "field": "kind" }))
        })?;
        s.app.answer_consultation(&session.principal, &id, kind, &f.reasons).await
    }
    .await;
    match outcome {
        Ok(_) => Ok(redirect("/coalition", Vec::new())),
        Err(e) if e.code.http_status() >= 500 => Err(e.into()),
        Err(e) => coalition_page(&s, &session, Some(&e)).await,
    }
}
