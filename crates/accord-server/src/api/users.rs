//! Users: accounts, roles, enabling and disabling, and the caller itself.

use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Body, Caller};
use accord_app::Invitation;
use accord_core::ErrorCode;
use accord_core::model::{NewUser, User};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[utoipa::path(get, path = "/api/v1/users", tag = "users", security(("bearer" = [])),
    responses((status = 200, description = "Users visible to the caller", body = [User])))]
pub(crate) async fn list_users(State(s): State<AppState>, Caller(p): Caller) -> ApiResult<Json<Vec<User>>> {
    Ok(Json(s.app.users(&p).await?))
}

#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = NewUser, security(("bearer" = [])),
    responses((status = 201, description = "Created", body = User), (status = 409, description = "E-mail taken", body = ErrorBody),
              (status = 422, description = "Invalid field or unknown reference", body = ErrorBody)))]
pub(crate) async fn create_user(
    State(s): State<AppState>,
    Caller(p): Caller,
    Body(input): Body<NewUser>,
) -> ApiResult<(StatusCode, Json<User>)> {
    Ok((StatusCode::CREATED, Json(s.app.create_user(&p, input).await?)))
}

#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users", params(("id" = String, Path, description = "usr_…")), security(("bearer" = [])),
    responses((status = 200, description = "The user", body = User), (status = 404, description = "Unknown or not visible", body = ErrorBody)))]
pub(crate) async fn get_user(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<User>> {
    Ok(Json(s.app.user(&p, &id).await?))
}

#[utoipa::path(post, path = "/api/v1/users/{id}/disable", tag = "users", params(("id" = String, Path, description = "usr_…")), security(("bearer" = [])),
    responses((status = 200, description = "Disabled: the user's keys stop working", body = User), (status = 403, description = "Not an admin", body = ErrorBody)))]
pub(crate) async fn disable_user(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<User>> {
    Ok(Json(s.app.set_user_disabled(&p, &id, true).await?))
}

#[utoipa::path(post, path = "/api/v1/users/{id}/enable", tag = "users", params(("id" = String, Path, description = "usr_…")), security(("bearer" = [])),
    responses((status = 200, description = "Enabled again", body = User), (status = 403, description = "Not an admin", body = ErrorBody)))]
pub(crate) async fn enable_user(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<User>> {
    Ok(Json(s.app.set_user_disabled(&p, &id, false).await?))
}

#[utoipa::path(get, path = "/api/v1/me", tag = "users", security(("bearer" = [])),
    responses((status = 200, description = "The calling user", body = User), (status = 401, description = "No or bad key", body = ErrorBody)))]
pub(crate) async fn me(State(s): State<AppState>, Caller(p): Caller) -> ApiResult<Json<User>> {
    s.app
        .me(&p)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::new(ErrorCode::Unauthenticated, "no user is attached to this caller"))
}

#[utoipa::path(post, path = "/api/v1/users/{id}/invitation", tag = "users", params(("id" = String, Path, description = "usr_…")),
    security(("bearer" = [])),
    responses((status = 201, description = "A one-time link to set a password, at /invitations/{token}; the token is shown only now", body = Invitation)))]
pub(crate) async fn invite_user(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<String>,
) -> ApiResult<(StatusCode, Json<Invitation>)> {
    Ok((StatusCode::CREATED, Json(s.app.invite(&p, &id).await?)))
}

#[utoipa::path(post, path = "/api/v1/users/{id}/second-factor/reset", tag = "users", params(("id" = String, Path, description = "usr_…")),
    security(("bearer" = [])),
    responses((status = 204, description = "The user's second factor is removed: their password alone signs them in until they set up a new one"),
              (status = 404, description = "Unknown or invisible user, or no second factor", body = ErrorBody)))]
pub(crate) async fn reset_second_factor(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    s.app.reset_second_factor(&p, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_users, create_user))
        .routes(routes!(get_user))
        .routes(routes!(disable_user))
        .routes(routes!(enable_user))
        .routes(routes!(me))
        .routes(routes!(invite_user))
        .routes(routes!(reset_second_factor))
}
