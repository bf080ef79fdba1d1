//! Licences for the people who hold or issue them: each licence with what is left of every item, its shipments, and
//! for the exporter the form that reports a shipment (refused, with the reason, when it goes beyond the licence).

use super::i18n::{t, tr, word, word_of};
use super::session::{Viewer, check_csrf};
use super::{PageError, PageForm, page, page_after, redirect};
use crate::AppState;
use accord_app::Session;
use accord_core::licences::{AmendmentStatus, Licence, NewShipment};
use accord_core::model::Role;
use accord_core::{Error, ErrorCode};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde::Deserialize;
use serde_json::json;

/// The licences the signed-in person may see.
pub(crate) async fn licences(State(s): State<AppState>, Viewer(viewer): Viewer) -> Result<Response, PageError> {
    let Some(session) = viewer else { return Ok(redirect("/sign-in?next=/licences", Vec::new())) };
    let all = s.app.licences(&session.principal).await?;
    let body = html! {
        h1 { (t("licences.title")) }
        @if all.is_empty() { p { (t("licences.none")) } }
        @else {
            table {
                thead { tr { th scope="col" { (t("licences.licence")) } th scope="col" { (t("licences.destination")) } th scope="col" { (t("licences.status")) } th scope="col" { (t("licences.valid_until")) } } }
                tbody {
                    @for l in &all {
                        tr {
                            td { a.code href=(format!("/licences/{}", l.id)) { (l.id) } }
                            td { (l.destination) } td { (word("licence_status", l.status.as_str())) } td { (l.valid_until) }
                        }
                    }
                }
            }
        }
    };
    Ok(page(t("licences.title"), Some(&session), body)?.into_response())
}

/// The issuing officer's forms: suspend, reinstate or revoke; amend; decide an amendment waiting for review.
fn officer_forms(l: &Licence, csrf: &str) -> Markup {
    let action = |a: &str| format!("/licences/{}/{a}", l.id);
    html! {
        @for a in l.amendments.iter().filter(|a| a.status == AmendmentStatus::PendingReview) {
            form method="post" action=(action("decide-amendment")) {
                input type="hidden" name="csrf" value=(csrf);
                input type="hidden" name="number" value=(a.number);
                fieldset {
                    legend { (tr!("licence.decide_amendment", number = a.number)) }
                    label { input type="radio" name="decision" value="approve" required; " " (t("licence.approve")) } " "
                    label { input type="radio" name="decision" value="refuse" required; " " (t("licence.refuse")) }
                    p { label for=(format!("amendment-reason-{}", a.number)) { (t("licence.reason")) } br;
                        input id=(format!("amendment-reason-{}", a.number)) name="reason" required maxlength="500"; }
                    p { button type="submit" { (t("licence.record")) } }
                }
            }
        }
        h2 { (t("licence.amend")) }
        form method="post" action=(action("amend")) {
            input type="hidden" name="csrf" value=(csrf);
            p { label for="amend_valid_until" { (t("licence.new_last_day")) } br; input #amend_valid_until type="date" name="valid_until"; }
            p { label for="amend_conditions" { (t("licence.new_conditions")) } br;
                textarea #amend_conditions name="conditions" rows="3" maxlength="4000" { (l.conditions.join("\n")) } }
            p { label for="amend_reason" { (t("licence.reason")) } br; input #amend_reason name="reason" required maxlength="500"; }
            p { button type="submit" { (t("licence.amend_submit")) } }
        }
        h2 { (t("licence.status_change")) }
        form method="post" action=(action("status")) {
            input type="hidden" name="csrf" value=(csrf);
            fieldset {
                legend { (t("licence.status_action")) }
                @for a in ["suspend", "reinstate", "revoke"] {
                    label { input type="radio" name="action" value=(a) required; " " (word("licence_action", a)) } " "
                }
            }
            p { label for="status_reason" { (t("licence.reason")) } br; input #status_reason name="reason" required maxlength="500"; }
            p { button type="submit" { (t("licence.record")) } }
        }
    }
}

async fn licence_page(s: &AppState, session: &Session, id: &str, error: Option<&Error>) -> Result<Response, PageError> {
    let l = s.app.licence(&session.principal, id).await?;
    let shipments = s.app.shipments(&session.principal, id).await?;
    let issuer = matches!(session.user.role, Role::Officer | Role::SeniorOfficer)
        && session.user.authority_id.as_ref() == Some(&l.authority_id);
    let body = html! {
        p.meta { a href="/licences" { (t("licences.title")) } }
        h1 { (t("licence.title")) " " span.code { (l.id) } }
        p #status { (t("licences.status")) ": " strong { (word("licence_status", l.status.as_str())) } " · " (l.jurisdiction) " · "
            (tr!("licence.validity", destination = l.destination, from = l.valid_from, until = l.valid_until)) }
        @if let Some(r) = &l.status_reason { p { (t("licence.status_reason")) " " (r) } }
        @if !l.conditions.is_empty() { h2 { (t("licence.conditions")) } ul #conditions { @for c in &l.conditions { li { (c) } } } }
        h2 { (t("licence.left")) }
        table.items {
            thead { tr { th scope="col" { (t("licence.item")) } th scope="col" { (t("licence.code")) } th scope="col" { (t("licence.licensed")) } th scope="col" { (t("licence.shipped")) } th scope="col" { (t("licence.left_quantity")) } th scope="col" { (t("licence.value_left")) } } }
            tbody {
                @for i in &l.items {
                    tr {
                        td { (i.description) } td.code { (i.code.as_deref().unwrap_or("—")) }
                        td { (i.quantity) } td { (i.used_quantity) } td.left { (i.quantity - i.used_quantity) }
                        td { (i.value - i.used_value) " " (i.currency.as_deref().unwrap_or("")) }
                    }
                }
            }
        }
        h2 { (t("licence.shipments")) }
        @if shipments.is_empty() { p { (t("licence.no_shipments")) } }
        ul.shipments { @for sh in &shipments { li { (sh.shipment.date) ": " (sh.shipment.consignee) " — " (sh.shipment.transport_document) } } }
        @if !l.amendments.is_empty() {
            h2 { (t("licence.amendments")) }
            ol.amendments { @for a in &l.amendments {
                li { strong { (word_of("amendment_status", &a.status)) }
                    ": " (a.reason) " " span.meta { "(" (a.requested_by) ", " (a.requested_at) ")" }
                    @if !a.review_reasons.is_empty() { br; span.meta { (a.review_reasons.join("; ")) } } }
            } }
        }
        @if let Some(e) = error {
            p.error role="alert" #form-error { (e.message) " " span.meta { "(" (e.code.as_str()) ")" } }
        }
        @if session.user.role == Role::Exporter {
            h2 { (t("licence.report")) }
            form method="post" action=(format!("/licences/{}/shipments", l.id)) {
                input type="hidden" name="csrf" value=(session.csrf);
                p { label for="date" { (t("licence.day_shipped")) } br; input #date type="date" name="date" required; }
                p { label for="item" { (t("licence.item")) } br;
                    select #item name="item" { @for (n, i) in l.items.iter().enumerate() { option value=(n) { (i.description) } } } }
                p { label for="quantity" { (t("check.quantity")) } br; input #quantity name="quantity" inputmode="decimal" required maxlength="20"; }
                p { label for="value" { (t("check.value")) } br; input #value name="value" inputmode="decimal" required maxlength="20"; }
                p { label for="consignee" { (t("licence.consignee")) } br; input #consignee name="consignee" required maxlength="500"; }
                p { label for="transport_document" { (t("licence.transport_document")) } br; input #transport_document name="transport_document" required maxlength="200"; }
                p { button type="submit" { (t("licence.report_submit")) } }
            }
        }
        @if issuer { (officer_forms(&l, &session.csrf)) }
    };
    page_after(error, &format!("{} {}", t("licence.title"), l.id), Some(session), body)
}

pub(crate) async fn licence(
    State(s): State<AppState>,
    Viewer(viewer): Viewer,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let Some(session) = viewer else { return Ok(redirect(&format!("/sign-in?next=/licences/{id}"), Vec::new())) };
    licence_page(&s, &session, &id, None).await
}

/// The shipment form as sent.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ShipmentForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    item: String,
    #[serde(default)]
    quantity: String,
    #[serde(default)]
    value: String,
    #[serde(default)]
    consignee: String,
    #[serde(default)]
    transport_document: String,
}

impl ShipmentForm {
    fn shipment(&self) -> Result<NewShipment, Error> {
        let item: usize = self.item.trim().parse().map_err(|_| Error::validation("item", t("licence.choose_item")))?;
        serde_json::from_value(json!({
            "date": self.date.trim(),
            "items": [{"item": item, "quantity": self.quantity.trim(), "value": self.value.trim()}],
            "consignee": self.consignee, "transport_document": self.transport_document,
        }))
        .map_err(|e| Error::new(accord_core::ErrorCode::InvalidBody, tr!("error.unreadable", detail = e)))
    }
}

pub(crate) async fn report(
    State(s): State<AppState>,
    Viewer(viewer): Viewer,
    Path(id): Path<String>,
    PageForm(f): PageForm<ShipmentForm>,
) -> Result<Response, PageError> {
    let Some(session) = viewer else { return Ok(redirect("/sign-in", Vec::new())) };
    let outcome = async {
        check_csrf(&session, &f.csrf)?;
        s.app.report_shipment(&session.principal, &id, f.shipment()?).await
    }
    .await;
    match outcome {
        Ok(_) => Ok(redirect(&format!("/licences/{id}"), Vec::new())),
        Err(e) if e.code.http_status() >= 500 => Err(e.into()),
        Err(e) => licence_page(&s, &session, &id, Some(&e)).await,
    }
}

/// An issuing officer's form on a licence: a status change, an amendment, or the decision on one.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct OfficerForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    valid_until: String,
    #[serde(default)]
    conditions: Option<String>,
    #[serde(default)]
    number: String,
    #[serde(default)]
    decision: String,
}

/// The issuing officer's work on a licence: `status` (suspend, reinstate, revoke), `amend`, `decide-amendment`.
pub(crate) async fn work(
    State(s): State<AppState>,
    Viewer(viewer): Viewer,
    Path((id, what)): Path<(String, String)>,
    PageForm(f): PageForm<OfficerForm>,
) -> Result<Response, PageError> {
    let Some(session) = viewer else { return Ok(redirect("/sign-in", Vec::new())) };
    let outcome = async {
        check_csrf(&session, &f.csrf)?;
        let p = &session.principal;
        match what.as_str() {
            "status" => s.app.set_licence_status(p, &id, &f.action, &f.reason).await,
            "amend" => {
                let conditions: Option<Vec<&str>> =
                    f.conditions.as_deref().map(|c| c.lines().map(str::trim).filter(|c| !c.is_empty()).collect());
                let valid_until = Some(f.valid_until.trim()).filter(|d| !d.is_empty());
                let input = serde_json::from_value(json!({
                    "reason": f.reason, "valid_until": valid_until, "conditions": conditions,
                }))
                .map_err(|e| Error::new(ErrorCode::InvalidBody, tr!("error.unreadable", detail = e)))?;
                s.app.amend_licence(p, &id, input).await
            }
            "decide-amendment" => {
                let number: usize =
                    f.number.trim().parse().map_err(|_| Error::validation("number", t("licence.choose_amendment")))?;
                let input = serde_json::from_value(json!({ "decision": f.decision, "reason": f.reason }))
                    .map_err(|_| Error::validation("decision", t("licence.choose_decision")))?;
                s.app.decide_amendment(p, &id, number, input).await
            }
            _ => Err(Error::new(ErrorCode::RouteNotFound, t("error.no_action"))),
        }
    }
    .await;
    match outcome {
        Ok(_) => Ok(redirect(&format!("/licences/{id}"), Vec::new())),
        Err(e) if e.code.http_status() >= 500 => Err(e.into()),
        Err(e) => licence_page(&s, &session, &id, Some(&e)).await,
    }
}
