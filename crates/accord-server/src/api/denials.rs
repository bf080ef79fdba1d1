//! Denial notifications shared with allies.

use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{Body, Caller, Params};
use accord_app::DenialMatch;
use accord_core::denials::{Denial, DenialChange, NewDenial};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// A search of denials by party name.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DenialQuery {
    /// Only denials with a party whose name matches this one (screening), best first.
    pub party: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/denials", tag = "denials", params(DenialQuery), security(("bearer" = [])),
    responses((status = 200, description = "Denial notifications of every authority as they stand today, newest first (or best match first)", body = [DenialMatch]),
              (status = 403, description = "Exporters do not see denials", body = ErrorBody)))]
pub(crate) async fn list_denials(
    State(s): State<AppState>,
    Caller(p): Caller,
    Params(q): Params<DenialQuery>,
) -> ApiResult<Json<Vec<DenialMatch>>> {
    Ok(Json(s.app.denials(&p, q.party.as_deref()).await?))
}

#[utoipa::path(post, path = "/api/v1/denials", tag = "denials", request_body = NewDenial, security(("bearer" = [])),
    responses((status = 201, description = "Recorded and sent to the allies", body = Denial),
              (status = 403, description = "Not an officer of an authority", body = ErrorBody),
              (status = 422, description = "A missing or malformed field", body = ErrorBody)))]
pub(crate) async fn create_denial(
    State(s): State<AppState>,
    Caller(p): Caller,
    Body(d): Body<NewDenial>,
) -> ApiResult<(StatusCode, Json<Denial>)> {
    Ok((StatusCode::CREATED, Json(s.app.create_denial(&p, d).await?)))
}

#[utoipa::path(get, path = "/api/v1/denials/{id}", tag = "denials", params(("id" = String, Path, description = "den_…")),
    security(("bearer" = [])),
    responses((status = 200, description = "The denial notification", body = Denial),
              (status = 404, description = "Unknown denial", body = ErrorBody)))]
pub(crate) async fn get_denial(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Denial>> {
    Ok(Json(s.app.denial(&p, &id).await?))
}

#[utoipa::path(post, path = "/api/v1/denials/{id}", tag = "denials", params(("id" = String, Path, description = "den_…")),
    request_body = DenialChange, security(("bearer" = [])),
    responses((status = 200, description = "The new version, sent to the allies", body = Denial),
              (status = 403, description = "Not the notifying authority", body = ErrorBody),
              (status = 409, description = "Changed meanwhile, or revoked", body = ErrorBody)))]
pub(crate) async fn change_denial(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<String>,
    Body(c): Body<DenialChange>,
) -> ApiResult<Json<Denial>> {
    Ok(Json(s.app.change_denial(&p, &id, c).await?))
}

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_denials, create_denial)).routes(routes!(get_denial, change_denial))
}
