//! Licences: shipments, status, project participants and amendments.

use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{Body, Caller, Segments};
use accord_core::licences::{AmendmentDecision, Licence, NewAmendment, NewShipment, Participant, Shipment};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// A change of a licence's status.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LicenceAction {
    /// `suspend`, `reinstate` or `revoke`.
    pub action: String,
    /// Why (required).
    pub reason: String,
}

/// Why something is done.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Reason {
    /// Why (required).
    pub reason: String,
}

#[utoipa::path(get, path = "/api/v1/licences", tag = "applications", security(("bearer" = [])),
    responses((status = 200, description = "Visible licences as they stand today (expired ones read as expired)", body = [Licence])))]
pub(crate) async fn list_licences(State(s): State<AppState>, Caller(p): Caller) -> ApiResult<Json<Vec<Licence>>> {
    Ok(Json(s.app.licences(&p).await?))
}

#[utoipa::path(get, path = "/api/v1/licences/{id}", tag = "applications", params(("id" = String, Path, description = "lic_…")),
    security(("bearer" = [])),
    responses((status = 200, description = "The licence with its drawdown", body = Licence),
              (status = 404, description = "Unknown or invisible licence", body = ErrorBody)))]
pub(crate) async fn get_licence(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Licence>> {
    Ok(Json(s.app.licence(&p, &id).await?))
}

#[utoipa::path(get, path = "/api/v1/licences/{id}/shipments", tag = "applications", params(("id" = String, Path, description = "lic_…")),
    security(("bearer" = [])),
    responses((status = 200, description = "Shipments reported against the licence, oldest first", body = [Shipment])))]
pub(crate) async fn list_shipments(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<Shipment>>> {
    Ok(Json(s.app.shipments(&p, &id).await?))
}

#[utoipa::path(post, path = "/api/v1/licences/{id}/shipments", tag = "applications", params(("id" = String, Path, description = "lic_…")),
    request_body = NewShipment, security(("bearer" = [])),
    responses((status = 201, description = "Recorded and drawn down", body = Shipment),
              (status = 422, description = "shipment_refused: beyond the quantity or value left, outside validity, to a party not on the licence, or on a licence not active", body = ErrorBody)))]
pub(crate) async fn report_shipment(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<String>,
    Body(shipment): Body<NewShipment>,
) -> ApiResult<(StatusCode, Json<Shipment>)> {
    let (recorded, _) = s.app.report_shipment(&p, &id, shipment).await?;
    Ok((StatusCode::CREATED, Json(recorded)))
}

#[utoipa::path(post, path = "/api/v1/licences/{id}/status", tag = "applications", params(("id" = String, Path, description = "lic_…")),
    request_body = LicenceAction, security(("bearer" = [])),
    responses((status = 200, description = "The licence after the change", body = Licence),
              (status = 409, description = "Not possible from the licence's status", body = ErrorBody)))]
pub(crate) async fn licence_status(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<String>,
    Body(a): Body<LicenceAction>,
) -> ApiResult<Json<Licence>> {
    Ok(Json(s.app.set_licence_status(&p, &id, &a.action, &a.reason).await?))
}

#[utoipa::path(post, path = "/api/v1/licences/{id}/participants", tag = "applications",
    params(("id" = String, Path, description = "lic_…")), request_body = Participant, security(("bearer" = [])),
    responses((status = 200, description = "The licence: the participant is active, or their addition waits for review as an amendment", body = Licence),
              (status = 409, description = "Already on the roster, or the licence is not active", body = ErrorBody),
              (status = 422, description = "Not a joint-development licence, an unknown nationality, or a prohibited transfer", body = ErrorBody)))]
pub(crate) async fn add_participant(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<String>,
    Body(participant): Body<Participant>,
) -> ApiResult<Json<Licence>> {
    Ok(Json(s.app.add_participant(&p, &id, participant).await?))
}

#[utoipa::path(post, path = "/api/v1/licences/{id}/participants/{index}/remove", tag = "applications",
    params(("id" = String, Path, description = "lic_…"), ("index" = usize, Path, description = "index in the roster")),
    request_body = Reason, security(("bearer" = [])),
    responses((status = 200, description = "The licence with the removal recorded", body = Licence),
              (status = 404, description = "No such participant", body = ErrorBody),
              (status = 409, description = "Already off the roster", body = ErrorBody)))]
pub(crate) async fn remove_participant(
    State(s): State<AppState>,
    Caller(p): Caller,
    Segments((id, index)): Segments<(String, usize)>,
    Body(r): Body<Reason>,
) -> ApiResult<Json<Licence>> {
    Ok(Json(s.app.remove_participant(&p, &id, index, &r.reason).await?))
}

#[utoipa::path(post, path = "/api/v1/licences/{id}/amendments", tag = "applications",
    params(("id" = String, Path, description = "lic_…")), request_body = NewAmendment, security(("bearer" = [])),
    responses((status = 200, description = "The amended licence", body = Licence),
              (status = 409, description = "The licence is revoked, or changed meanwhile", body = ErrorBody),
              (status = 422, description = "A date before the first day, or quantities below what was shipped", body = ErrorBody)))]
pub(crate) async fn amend_licence(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<String>,
    Body(a): Body<NewAmendment>,
) -> ApiResult<Json<Licence>> {
    Ok(Json(s.app.amend_licence(&p, &id, a).await?))
}

#[utoipa::path(post, path = "/api/v1/licences/{id}/amendments/{number}", tag = "applications",
    params(("id" = String, Path, description = "lic_…"), ("number" = usize, Path, description = "the amendment's number")),
    request_body = AmendmentDecision, security(("bearer" = [])),
    responses((status = 200, description = "The licence after the decision", body = Licence),
              (status = 404, description = "No such amendment", body = ErrorBody),
              (status = 409, description = "The amendment is not waiting for review", body = ErrorBody)))]
pub(crate) async fn decide_amendment(
    State(s): State<AppState>,
    Caller(p): Caller,
    Segments((id, number)): Segments<(String, usize)>,
    Body(d): Body<AmendmentDecision>,
) -> ApiResult<Json<Licence>> {
    Ok(Json(s.app.decide_amendment(&p, &id, number, d).await?))
}

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_licences))
        .routes(routes!(get_licence))
        .routes(routes!(list_shipments, report_shipment))
        .routes(routes!(licence_status))
        .routes(routes!(add_participant))
        .routes(routes!(remove_participant))
        .routes(routes!(amend_licence))
        .routes(routes!(decide_amendment))
}
