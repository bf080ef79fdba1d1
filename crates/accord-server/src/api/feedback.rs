//! Industry feedback on the controls: exporters report, analysts and officers triage, the counts by subject.

use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{Body, Caller};
use accord_app::{FeedbackCount, NewFeedback, Triage};
use accord_core::governance::Feedback;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[utoipa::path(get, path = "/api/v1/feedback", tag = "governance", security(("bearer" = [])),
    responses((status = 200, description = "Feedback the caller may see, newest first: all for officials, an exporter's own organisation's", body = [Feedback])))]
pub(crate) async fn list_feedback(State(s): State<AppState>, Caller(p): Caller) -> ApiResult<Json<Vec<Feedback>>> {
    Ok(Json(s.app.feedback(&p).await?))
}

#[utoipa::path(post, path = "/api/v1/feedback", tag = "governance", request_body = NewFeedback, security(("bearer" = [])),
    responses((status = 201, description = "Recorded and sent to the exporter's authority and the allies", body = Feedback),
              (status = 403, description = "Not an exporter", body = ErrorBody)))]
pub(crate) async fn give_feedback(
    State(s): State<AppState>,
    Caller(p): Caller,
    Body(input): Body<NewFeedback>,
) -> ApiResult<(StatusCode, Json<Feedback>)> {
    Ok((StatusCode::CREATED, Json(s.app.give_feedback(&p, input).await?)))
}

#[utoipa::path(post, path = "/api/v1/feedback/{id}/triage", tag = "governance", params(("id" = String, Path, description = "fbk_…")),
    request_body = Triage, security(("bearer" = [])),
    responses((status = 200, description = "Triaged with a theme, or dismissed", body = Feedback),
              (status = 404, description = "Unknown, or another authority's", body = ErrorBody),
              (status = 409, description = "Triaged already", body = ErrorBody)))]
pub(crate) async fn triage(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<String>,
    Body(input): Body<Triage>,
) -> ApiResult<Json<Feedback>> {
    Ok(Json(s.app.triage_feedback(&p, &id, input).await?))
}

#[utoipa::path(get, path = "/api/v1/feedback/summary", tag = "governance", security(("bearer" = [])),
    responses((status = 200, description = "Feedback counted by subject, most reported first (dismissed left out)", body = [FeedbackCount])))]
pub(crate) async fn summary(State(s): State<AppState>, Caller(p): Caller) -> ApiResult<Json<Vec<FeedbackCount>>> {
    Ok(Json(s.app.feedback_summary(&p).await?))
}

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_feedback, give_feedback)).routes(routes!(triage)).routes(routes!(summary))
}
