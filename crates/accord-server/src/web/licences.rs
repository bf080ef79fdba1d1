//! Licences for the people who hold or issue them: each licence with what is left of every item, its shipments, and
//! for the exporter the form that reports a shipment (refused, with the reason, when it goes beyond the licence).

use super::session::{Viewer, check_csrf};
use super::{PageError, PageForm, page, page_after, redirect};
use crate::AppState;
use accord_app::Session;
use accord_core::Error;
use accord_core::licences::NewShipment;
use accord_core::model::Role;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use maud::html;
use serde::Deserialize;
use serde_json::json;

/// The licences the signed-in person may see.
pub(crate) async fn licences(State(s): State<AppState>, Viewer(viewer): Viewer) -> Result<Response, PageError> {
    let Some(session) = viewer else { return Ok(redirect("/sign-in?next=/licences", Vec::new())) };
    let all = s.app.licences(&session.principal).await?;
    let body = html! {
        h1 { "Licences" }
        @if all.is_empty() { p { "No licence to show." } }
        @else {
            table {
                thead { tr { th scope="col" { "Licence" } th scope="col" { "Destination" } th scope="col" { "Status" } th scope="col" { "Valid until" } } }
                tbody {
                    @for l in &all {
                        tr {
                            td { a.code href=(format!("/licences/{}", l.id)) { (l.id) } }
                            td { (l.destination) } td { (l.status.as_str()) } td { (l.valid_until) }
                        }
                    }
                }
            }
        }
    };
    Ok(page("Licences", Some(&session), body)?.into_response())
}

async fn licence_page(s: &AppState, session: &Session, id: &str, error: Option<&Error>) -> Result<Response, PageError> {
    let l = s.app.licence(&session.principal, id).await?;
    let shipments = s.app.shipments(&session.principal, id).await?;
    let body = html! {
        p.meta { a href="/licences" { "Licences" } }
        h1 { "Licence " span.code { (l.id) } }
        p #status { "Status: " strong { (l.status.as_str()) } " · " (l.jurisdiction) " · to " (l.destination)
            " · valid " (l.valid_from) " to " (l.valid_until) }
        @if !l.conditions.is_empty() { h2 { "Conditions" } ul { @for c in &l.conditions { li { (c) } } } }
        h2 { "What it allows, and what is left" }
        table.items {
            thead { tr { th scope="col" { "Item" } th scope="col" { "Code" } th scope="col" { "Licensed" } th scope="col" { "Shipped" } th scope="col" { "Left" } th scope="col" { "Value left" } } }
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
        h2 { "Shipments" }
        @if shipments.is_empty() { p { "None reported yet." } }
        ul.shipments { @for sh in &shipments { li { (sh.shipment.date) ": to " (sh.shipment.consignee) " — " (sh.shipment.transport_document) } } }
        @if let Some(e) = error {
            p.error role="alert" #form-error { (e.message) " " span.meta { "(" (e.code.as_str()) ")" } }
        }
        @if session.user.role == Role::Exporter {
            h2 { "Report a shipment" }
            form method="post" action=(format!("/licences/{}/shipments", l.id)) {
                input type="hidden" name="csrf" value=(session.csrf);
                p { label for="date" { "Day shipped" } br; input #date type="date" name="date" required; }
                p { label for="item" { "Item" } br;
                    select #item name="item" { @for (n, i) in l.items.iter().enumerate() { option value=(n) { (i.description) } } } }
                p { label for="quantity" { "Quantity" } br; input #quantity name="quantity" inputmode="decimal" required maxlength="20"; }
                p { label for="value" { "Value" } br; input #value name="value" inputmode="decimal" required maxlength="20"; }
                p { label for="consignee" { "Consignee" } br; input #consignee name="consignee" required maxlength="500"; }
                p { label for="transport_document" { "Transport document" } br; input #transport_document name="transport_document" required maxlength="200"; }
                p { button type="submit" { "Report" } }
            }
        }
    };
    page_after(error, &format!("Licence {}", l.id), Some(session), body)
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
        let item: usize = self.item.trim().parse().map_err(|_| Error::validation("item", "choose an item"))?;
        serde_json::from_value(json!({
            "date": self.date.trim(),
            "items": [{"item": item, "quantity": self.quantity.trim(), "value": self.value.trim()}],
            "consignee": self.consignee, "transport_document": self.transport_document,
        }))
        .map_err(|e| Error::new(accord_core::ErrorCode::InvalidBody, format!("the shipment cannot be read: {e}")))
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
