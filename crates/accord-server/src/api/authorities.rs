//! Licensing authorities and their fast-track settings.

use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{Body, Caller};
use accord_core::cases::FastTrackSettings;
use accord_core::model::{Authority, NewAuthority};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[utoipa::path(get, path = "/api/v1/authorities", tag = "authorities",
    responses((status = 200, description = "Every authority on this node", body = [Authority])))]
pub(crate) async fn list_authorities(State(s): State<AppState>) -> ApiResult<Json<Vec<Authority>>> {
    Ok(Json(s.app.authorities().await?))
}

#[utoipa::path(post, path = "/api/v1/authorities", tag = "authorities", request_body = NewAuthority, security(("bearer" = [])),
    responses((status = 201, description = "Registered", body = Authority), (status = 409, description = "Id taken", body = ErrorBody),
              (status = 422, description = "Invalid field", body = ErrorBody), (status = 403, description = "Not an admin", body = ErrorBody)))]
pub(crate) async fn create_authority(
    State(s): State<AppState>,
    Caller(p): Caller,
    Body(input): Body<NewAuthority>,
) -> ApiResult<(StatusCode, Json<Authority>)> {
    Ok((StatusCode::CREATED, Json(s.app.create_authority(&p, input).await?)))
}

#[utoipa::path(get, path = "/api/v1/authorities/{id}", tag = "authorities", params(("id" = String, Path, description = "Authority id, e.g. DE-BAFA")),
    responses((status = 200, description = "The authority", body = Authority), (status = 404, description = "Unknown", body = ErrorBody)))]
pub(crate) async fn get_authority(State(s): State<AppState>, Path(id): Path<String>) -> ApiResult<Json<Authority>> {
    Ok(Json(s.app.authority(&id).await?))
}

#[utoipa::path(post, path = "/api/v1/authorities/{id}/fast-track", tag = "applications", params(("id" = String, Path, description = "e.g. DE-BAFA")),
    request_body = FastTrackSettings, security(("bearer" = [])),
    responses((status = 200, description = "The authority's fast-track settings", body = FastTrackSettings),
              (status = 403, description = "Not an admin or a senior officer of this authority", body = ErrorBody)))]
pub(crate) async fn set_fast_track(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<String>,
    Body(settings): Body<FastTrackSettings>,
) -> ApiResult<Json<FastTrackSettings>> {
    Ok(Json(s.app.set_fast_track(&p, &id, settings).await?))
}

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_authorities, create_authority))
        .routes(routes!(get_authority))
        .routes(routes!(set_fast_track))
}
