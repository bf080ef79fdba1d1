//! No-undercut consultations between allies and the approval notices that follow them.

use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{Body, Caller};
use accord_core::denials::{AnswerKind, ApprovalNotice, ConsultationView};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Request to consult the authority that denied.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewConsultation {
    /// The denial the case matches.
    pub denial_id: String,
    /// What is asked.
    pub question: String,
}

/// The consulted authority's answer.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAnswer {
    /// `no_objection`, `objection` or `information`.
    pub kind: AnswerKind,
    /// Reasons and information.
    pub reasons: String,
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/consultations", tag = "denials", params(("id" = String, Path, description = "case_…")),
    request_body = NewConsultation, security(("bearer" = [])),
    responses((status = 201, description = "Opened and sent to the allies", body = ConsultationView),
              (status = 409, description = "Already consulted on this denial", body = ErrorBody)))]
pub(crate) async fn open_consultation(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<String>,
    Body(c): Body<NewConsultation>,
) -> ApiResult<(StatusCode, Json<ConsultationView>)> {
    Ok((StatusCode::CREATED, Json(s.app.open_consultation(&p, &id, &c.denial_id, &c.question).await?)))
}

#[utoipa::path(get, path = "/api/v1/consultations", tag = "denials", security(("bearer" = [])),
    responses((status = 200, description = "Every consultation this node knows, newest first", body = [ConsultationView])))]
pub(crate) async fn list_consultations(
    State(s): State<AppState>,
    Caller(p): Caller,
) -> ApiResult<Json<Vec<ConsultationView>>> {
    Ok(Json(s.app.consultations(&p).await?))
}

#[utoipa::path(post, path = "/api/v1/consultations/{id}/answer", tag = "denials", params(("id" = String, Path, description = "con_…")),
    request_body = NewAnswer, security(("bearer" = [])),
    responses((status = 200, description = "Answered and sent to the allies", body = ConsultationView),
              (status = 403, description = "Not addressed to the caller's authority", body = ErrorBody),
              (status = 409, description = "Answered already", body = ErrorBody)))]
pub(crate) async fn answer_consultation(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<String>,
    Body(a): Body<NewAnswer>,
) -> ApiResult<Json<ConsultationView>> {
    Ok(Json(s.app.answer_consultation(&p, &id, a.kind, &a.reasons).await?))
}

#[utoipa::path(get, path = "/api/v1/notices", tag = "denials", security(("bearer" = [])),
    responses((status = 200, description = "Approvals that went ahead after an objection or without an answer", body = [ApprovalNotice])))]
pub(crate) async fn list_notices(State(s): State<AppState>, Caller(p): Caller) -> ApiResult<Json<Vec<ApprovalNotice>>> {
    Ok(Json(s.app.notices(&p).await?))
}

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(open_consultation))
        .routes(routes!(list_consultations))
        .routes(routes!(answer_consultation))
        .routes(routes!(list_notices))
}
