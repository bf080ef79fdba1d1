//! HTTP handlers: each parses input, calls one application service and shapes the answer.

use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Body, Caller, Params};
use accord_app::{IssuedKey, NewKey};
use accord_core::ErrorCode;
use accord_core::audit::{AuditEvent, ChainReport};
use accord_core::listed::{EntityChange, ListVersion};
use accord_core::model::{ApiKeyInfo, Authority, NewAuthority, NewOrganisation, NewUser, Organisation, User};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

/// Liveness answer.
#[derive(Serialize, ToSchema)]
pub struct Health {
    /// Always `ok` when the process answers.
    pub status: &'static str,
}

/// Readiness answer.
#[derive(Serialize, ToSchema)]
pub struct Ready {
    /// `ready` when the database answers.
    pub status: &'static str,
    /// `sqlite` or `postgres`.
    pub database: &'static str,
    /// The version in force of each restricted-party list and its age.
    pub lists: Vec<ListInForce>,
}

/// One list's version in force.
#[derive(Serialize, ToSchema)]
pub struct ListInForce {
    /// The list id.
    pub list_id: String,
    /// The version in force.
    pub version: i64,
    /// When it was imported.
    pub imported_at: accord_core::Timestamp,
    /// Seconds since the import.
    pub age_seconds: i64,
}

#[utoipa::path(get, path = "/health", tag = "node", responses((status = 200, description = "The process is alive", body = Health)))]
pub(crate) async fn health() -> Json<Health> {
    Json(Health { status: "ok" })
}

#[utoipa::path(get, path = "/ready", tag = "node", responses(
    (status = 200, description = "The database is reachable", body = Ready),
    (status = 503, description = "The database cannot be reached", body = ErrorBody)))]
pub(crate) async fn ready(State(s): State<AppState>) -> ApiResult<Json<Ready>> {
    let store = s.app.store();
    store.ping().await?;
    let now = jiff::Timestamp::now().as_second();
    let lists = s
        .app
        .lists_in_force()
        .await?
        .into_iter()
        .map(|v| ListInForce {
            age_seconds: (now - v.imported_at.as_second()).max(0),
            list_id: v.list_id,
            version: v.version,
            imported_at: v.imported_at,
        })
        .collect();
    Ok(Json(Ready { status: "ready", database: store.backend().as_str(), lists }))
}

#[utoipa::path(get, path = "/metrics", tag = "node", security(("bearer" = [])),
    responses((status = 200, description = "Prometheus text format (admins and auditors)", content_type = "text/plain")))]
pub(crate) async fn metrics(State(s): State<AppState>, Caller(p): Caller) -> ApiResult<Response> {
    s.app.may_read_metrics(&p)?;
    let store = s.app.store();
    let text = s.metrics.render(store.pool_stats(), store.backend().as_str());
    Ok(([(CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response())
}

#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "node", responses((status = 200, description = "This document")))]
pub(crate) async fn openapi() -> Response {
    ([(CONTENT_TYPE, "application/json")], crate::openapi_json()).into_response()
}

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

/// Paging through the audit trail.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct EventsQuery {
    /// Return events after this sequence number (default 0).
    #[serde(default)]
    pub after: i64,
    /// At most this many events (1–1000, default 100).
    #[serde(default = "default_limit")]
    pub limit: i64,
}

fn default_limit() -> i64 {
    100
}

#[utoipa::path(get, path = "/api/v1/audit/events", tag = "audit", params(EventsQuery), security(("bearer" = [])),
    responses((status = 200, description = "Events in chain order", body = [AuditEvent]), (status = 403, description = "Not an admin or auditor", body = ErrorBody)))]
pub(crate) async fn audit_events(
    State(s): State<AppState>,
    Caller(p): Caller,
    Params(q): Params<EventsQuery>,
) -> ApiResult<Json<Vec<AuditEvent>>> {
    Ok(Json(s.app.audit_events(&p, q.after, q.limit).await?))
}

#[utoipa::path(get, path = "/api/v1/audit/verify", tag = "audit", security(("bearer" = [])),
    responses((status = 200, description = "The chain verifies", body = ChainReport),
              (status = 409, description = "The chain is broken; details hold the report naming the first bad event", body = ErrorBody)))]
pub(crate) async fn audit_verify(State(s): State<AppState>, Caller(p): Caller) -> ApiResult<Json<ChainReport>> {
    let report = s.app.verify_audit(&p).await?;
    if report.ok {
        return Ok(Json(report));
    }
    let (id, reason) = report.first_break.as_ref().map(|b| (b.event_id.clone(), b.reason.clone())).unwrap_or_default();
    Err(ApiError(
        accord_core::Error::new(
            ErrorCode::AuditChainBroken,
            format!("the audit chain is broken at event {id}: {reason}"),
        )
        .with_details(serde_json::to_value(&report).unwrap_or_default()),
    ))
}

#[utoipa::path(get, path = "/api/v1/lists", tag = "lists", security(("bearer" = [])),
    responses((status = 200, description = "The version in force of every list", body = [ListVersion])))]
pub(crate) async fn lists(State(s): State<AppState>, Caller(p): Caller) -> ApiResult<Json<Vec<ListVersion>>> {
    Ok(Json(s.app.lists(&p).await?))
}

#[utoipa::path(get, path = "/api/v1/lists/{id}/versions", tag = "lists", params(("id" = String, Path, description = "List id, e.g. us_ofac_sdn")),
    security(("bearer" = [])),
    responses((status = 200, description = "Every version, oldest first", body = [ListVersion]), (status = 404, description = "Unknown list", body = ErrorBody)))]
pub(crate) async fn list_versions(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<ListVersion>>> {
    Ok(Json(s.app.list_versions(&p, &id).await?))
}

/// Which version's changes to show.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DiffQuery {
    /// The version (default: the latest).
    pub version: Option<i64>,
}

/// What one version of a list changed.
#[derive(Serialize, ToSchema)]
pub struct ListDiff {
    /// The version.
    pub version: ListVersion,
    /// Entities added, changed (with the fields) and removed.
    pub changes: Vec<EntityChange>,
}

#[utoipa::path(get, path = "/api/v1/lists/{id}/diff", tag = "lists", params(("id" = String, Path, description = "List id"), DiffQuery),
    security(("bearer" = [])),
    responses((status = 200, description = "What the version changed", body = ListDiff), (status = 404, description = "Unknown list or version", body = ErrorBody)))]
pub(crate) async fn list_diff(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<String>,
    Params(q): Params<DiffQuery>,
) -> ApiResult<Json<ListDiff>> {
    let (version, changes) = s.app.list_diff(&p, &id, q.version).await?;
    Ok(Json(ListDiff { version, changes }))
}

pub(crate) async fn route_not_found() -> ApiError {
    ApiError::new(ErrorCode::RouteNotFound, "no endpoint at this path; see /api/v1/openapi.json")
}

pub(crate) async fn method_not_allowed() -> ApiError {
    ApiError::new(ErrorCode::MethodNotAllowed, "this endpoint does not accept this method; see /api/v1/openapi.json")
}

/// Every endpoint of this module, each with its OpenAPI operation.
pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(health))
        .routes(routes!(ready))
        .routes(routes!(metrics))
        .routes(routes!(openapi))
        .routes(routes!(list_authorities, create_authority))
        .routes(routes!(get_authority))
        .routes(routes!(list_organisations, create_organisation))
        .routes(routes!(get_organisation))
        .routes(routes!(list_users, create_user))
        .routes(routes!(get_user))
        .routes(routes!(disable_user))
        .routes(routes!(enable_user))
        .routes(routes!(me))
        .routes(routes!(list_keys, create_key))
        .routes(routes!(revoke_key))
        .routes(routes!(audit_events))
        .routes(routes!(audit_verify))
        .routes(routes!(lists))
        .routes(routes!(list_versions))
        .routes(routes!(list_diff))
}
