//! An organisation's compliance profile: its trust tier today and what gives it (the certified internal compliance
//! programme, staff training, authorities' audits), with the forms each viewer may use — the exporter records its
//! staff's training; officers record certifications and audits.

use super::i18n::{t, tr, word_of};
use super::session::{Viewer, check_csrf};
use super::{PageError, PageForm, page_after, redirect};
use crate::AppState;
use accord_app::Session;
use accord_core::model::Role;
use accord_core::{Error, ErrorCode};
use axum::extract::{Query, State};
use axum::response::Response;
use maud::{Markup, html};
use serde::Deserialize;
use serde_json::json;

/// Whose profile: an organisation's id (an exporter's own by default).
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Whose {
    organisation: Option<String>,
}

fn organisation_of(session: &Session, whose: Option<&str>) -> Result<String, Error> {
    whose
        .map(str::to_owned)
        .or_else(|| session.user.organisation_id.as_ref().map(|o| o.as_str().to_owned()))
        .ok_or_else(|| Error::validation("organisation", t("compliance.name_organisation")))
}

fn date_input(id: &str, name: &str, label: &str) -> Markup {
    html! { p { label for=(id) { (label) } br; input id=(id) type="date" name=(name) required; } }
}

fn forms(org: &str, session: &Session) -> Markup {
    let action = format!("/compliance?organisation={org}");
    let officer = matches!(session.user.role, Role::Officer | Role::SeniorOfficer);
    html! {
        h2 { (t("compliance.record_training")) }
        form method="post" action=(action) {
            input type="hidden" name="csrf" value=(session.csrf);
            input type="hidden" name="record" value="training";
            p { label for="person" { (t("compliance.person")) } br; input #person name="person" required maxlength="200"; }
            p { label for="course" { (t("compliance.course")) } br; input #course name="course" required maxlength="200"; }
            (date_input("training_date", "date", t("compliance.date")))
            p { button type="submit" { (t("compliance.record")) } }
        }
        @if officer {
            h2 { (t("compliance.record_certification")) }
            form method="post" action=(action) {
                input type="hidden" name="csrf" value=(session.csrf);
                input type="hidden" name="record" value="certification";
                (date_input("certified_on", "certified_on", t("compliance.certified_on")))
                (date_input("expires_on", "expires_on", t("compliance.expires_on")))
                p { button type="submit" { (t("compliance.record")) } }
            }
            h2 { (t("compliance.record_audit")) }
            form method="post" action=(action) {
                input type="hidden" name="csrf" value=(session.csrf);
                input type="hidden" name="record" value="audit";
                (date_input("audit_date", "date", t("compliance.date")))
                fieldset {
                    legend { (t("compliance.outcome")) }
                    @for o in ["passed", "findings", "failed"] {
                        label { input type="radio" name="outcome" value=(o) required; " " (super::i18n::word("audit_outcome", o)) } " "
                    }
                }
                p { label for="summary" { (t("compliance.summary")) } br; textarea #summary name="summary" rows="2" required maxlength="2000" {} }
                p { button type="submit" { (t("compliance.record")) } }
            }
        }
    }
}

async fn profile_page(
    s: &AppState,
    session: &Session,
    whose: Option<&str>,
    error: Option<&Error>,
) -> Result<Response, PageError> {
    let org = organisation_of(session, whose)?;
    let view = s.app.profile(&session.principal, &org).await?;
    let p = &view.profile;
    let body = html! {
        h1 { (t("compliance.title")) }
        p.meta { span.code { (view.organisation_id) } }
        p #tier { (t("compliance.tier")) " " strong { (word_of("tier", &view.tier)) } }
        p.meta { (t("compliance.tier_rule")) }
        @if let Some(e) = error {
            p.error role="alert" #form-error { (e.message) " " span.meta { "(" (e.code.as_str()) ")" } }
        }
        h2 { (t("compliance.icp")) }
        @match &p.icp {
            Some(c) => p #icp { (tr!("compliance.icp_line", issuer = c.issuer_authority, from = c.certified_on, until = c.expires_on)) },
            None => p #icp { (t("compliance.no_icp")) },
        }
        h2 { (t("compliance.trainings")) }
        @if p.trainings.is_empty() { p { (t("compliance.no_training")) } }
        ul #trainings { @for tr in &p.trainings { li { (tr.date) ": " (tr.person) " — " (tr.course) } } }
        h2 { (t("compliance.audits")) }
        @if p.audits.is_empty() { p { (t("compliance.no_audit")) } }
        ul #audits { @for a in &p.audits { li { (a.date) ", " (a.authority_id) ": " strong { (word_of("audit_outcome", &a.outcome)) } " — " (a.summary) } } }
        (forms(view.organisation_id.as_str(), session))
    };
    page_after(error, t("compliance.title"), Some(session), body)
}

/// The compliance page.
pub(crate) async fn compliance(
    State(s): State<AppState>,
    Viewer(viewer): Viewer,
    Query(q): Query<Whose>,
) -> Result<Response, PageError> {
    let Some(session) = viewer else { return Ok(redirect("/sign-in?next=/compliance", Vec::new())) };
    profile_page(&s, &session, q.organisation.as_deref(), None).await
}

/// A record as sent: one form's fields.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct RecordForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    record: String,
    #[serde(flatten)]
    fields: std::collections::BTreeMap<String, String>,
}

/// Records a training, certification or audit, then shows the profile again.
pub(crate) async fn record(
    State(s): State<AppState>,
    Viewer(viewer): Viewer,
    Query(q): Query<Whose>,
    PageForm(f): PageForm<RecordForm>,
) -> Result<Response, PageError> {
    let Some(session) = viewer else { return Ok(redirect("/sign-in?next=/compliance", Vec::new())) };
    let outcome = async {
        check_csrf(&session, &f.csrf)?;
        let org = organisation_of(&session, q.organisation.as_deref())?;
        let mut record = json!({ "record": f.record });
        for (k, v) in &f.fields {
            record[k] = json!(v.trim());
        }
        let record = serde_json::from_value(record)
            .map_err(|e| Error::new(ErrorCode::InvalidBody, tr!("error.unreadable", detail = e)))?;
        s.app.record_profile(&session.principal, &org, record).await.map(|v| v.organisation_id)
    }
    .await;
    match outcome {
        Ok(org) => Ok(redirect(&format!("/compliance?organisation={org}"), Vec::new())),
        Err(e) if e.code.http_status() >= 500 => Err(e.into()),
        Err(e) => profile_page(&s, &session, q.organisation.as_deref(), Some(&e)).await,
    }
}
