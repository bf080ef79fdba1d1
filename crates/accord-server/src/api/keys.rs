//! API keys: minting, listing and revoking.

use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{Body, Caller};
use accord_app::{IssuedKey, NewKey};
use accord_core::model::ApiKeyInfo;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[utoipa::path(get, path = "/api/v1/users/{id}/keys", tag = "keys", params(("id" = String, Path, description = "usr_…")), security(("bearer" = [])),
    responses((status = 200, description = "The user's keys, without secrets", body = [ApiKeyInfo])))]
pub(crate) async fn list_keys(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<ApiKeyInfo>>> {
    Ok(Json(s.app.keys(&p, &id).await?))
}

#[utoipa::path(post, path = "/api/v1/users/{id}/keys", tag = "keys", params(("id" = String, Path, description = "usr_…")), request_body = NewKey,
    security(("bearer" = [])), responses((status = 201, description = "Created; the token is shown only now", body = IssuedKey)))]
pub(crate) async fn create_key(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<String>,
    Body(input): Body<NewKey>,
) -> ApiResult<(StatusCode, Json<IssuedKey>)> {
    Ok((StatusCode::CREATED, Json(s.app.create_key(&p, &id, input).await?)))
}

#[utoipa::path(post, path = "/api/v1/keys/{id}/revoke", tag = "keys", params(("id" = String, Path, description = "key_…")), security(("bearer" = [])),
    responses((status = 200, description = "Revoked (revoking twice changes nothing)", body = ApiKeyInfo), (status = 404, description = "Unknown or not yours", body = ErrorBody)))]
pub(crate) async fn revoke_key(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<ApiKeyInfo>> {
    Ok(Json(s.app.revoke_key(&p, &id).await?))
}

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_keys, create_key)).routes(routes!(revoke_key))
}
