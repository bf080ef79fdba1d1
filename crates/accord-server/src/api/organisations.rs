//! Exporting organisations and their compliance profiles.

use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{Body, Caller};
use accord_app::{ProfileRecord, ProfileView};
use accord_core::model::{NewOrganisation, Organisation};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[utoipa::path(get, path = "/api/v1/organisations", tag = "organisations", security(("bearer" = [])),
    responses((status = 200, description = "Organisations visible to the caller", body = [Organisation]), (status = 401, description = "No key", body = ErrorBody)))]
pub(crate) async fn list_organisations(
    State(s): State<AppState>,
    Caller(p): Caller,
) -> ApiResult<Json<Vec<Organisation>>> {
    Ok(Json(s.app.organisations(&p).await?))
}

#[utoipa::path(post, path = "/api/v1/organisations", tag = "organisations", request_body = NewOrganisation, security(("bearer" = [])),
    responses((status = 201, description = "Registered", body = Organisation), (status = 422, description = "Invalid field or unknown authority", body = ErrorBody)))]
pub(crate) async fn create_organisation(
    State(s): State<AppState>,
    Caller(p): Caller,
    Body(input): Body<NewOrganisation>,
) -> ApiResult<(StatusCode, Json<Organisation>)> {
    Ok((StatusCode::CREATED, Json(s.app.create_organisation(&p, input).await?)))
}

#[utoipa::path(get, path = "/api/v1/organisations/{id}", tag = "organisations", params(("id" = String, Path, description = "org_…")), security(("bearer" = [])),
    responses((status = 200, description = "The organisation", body = Organisation), (status = 404, description = "Unknown or not visible", body = ErrorBody)))]
pub(crate) async fn get_organisation(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Organisation>> {
    Ok(Json(s.app.organisation(&p, &id).await?))
}

#[utoipa::path(get, path = "/api/v1/organisations/{id}/compliance", tag = "applications", params(("id" = String, Path, description = "org_…")),
    security(("bearer" = [])),
    responses((status = 200, description = "The compliance profile and the trust tier it gives today", body = ProfileView),
              (status = 404, description = "Unknown or invisible organisation", body = ErrorBody)))]
pub(crate) async fn get_profile(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<ProfileView>> {
    Ok(Json(s.app.profile(&p, &id).await?))
}

#[utoipa::path(post, path = "/api/v1/organisations/{id}/compliance", tag = "applications", params(("id" = String, Path, description = "org_…")),
    request_body = ProfileRecord, security(("bearer" = [])),
    responses((status = 200, description = "The profile after the record", body = ProfileView),
              (status = 403, description = "The role may not record this", body = ErrorBody)))]
pub(crate) async fn record_profile(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<String>,
    Body(r): Body<ProfileRecord>,
) -> ApiResult<Json<ProfileView>> {
    Ok(Json(s.app.record_profile(&p, &id, r).await?))
}

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_organisations, create_organisation))
        .routes(routes!(get_organisation))
        .routes(routes!(get_profile, record_profile))
}
