//! The hash-chained audit trail: events and verification.

use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Caller, Params};
use accord_core::ErrorCode;
use accord_core::audit::{AuditEvent, ChainReport};
use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

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

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(audit_events)).routes(routes!(audit_verify))
}
