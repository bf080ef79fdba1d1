//! Node endpoints: liveness, readiness, metrics, the OpenAPI document and the JSON answers for unknown routes.

use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::Caller;
use accord_core::ErrorCode;
use axum::Json;
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

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

pub(crate) async fn route_not_found() -> ApiError {
    ApiError::new(ErrorCode::RouteNotFound, "no endpoint at this path; see /api/v1/openapi.json")
}

pub(crate) async fn method_not_allowed() -> ApiError {
    ApiError::new(ErrorCode::MethodNotAllowed, "this endpoint does not accept this method; see /api/v1/openapi.json")
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

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(health))
        .routes(routes!(ready))
        .routes(routes!(metrics))
        .routes(routes!(openapi))
}
