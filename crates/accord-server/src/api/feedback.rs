//! Industry feedback on the controls (exporters report, analysts and officers triage, the counts by subject, a piece
//! taken up as a proposal) and the technology watch.

use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{Body, Caller};
use accord_app::{FeedbackCount, NewFeedback, Triage};
use accord_core::governance::{Feedback, Proposal};
use accord_core::watch::{Reading, Technology};
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

#[utoipa::path(post, path = "/api/v1/feedback/{id}/proposal", tag = "governance", params(("id" = String, Path, description = "fbk_…")),
    request_body = accord_app::NewProposal, security(("bearer" = [])),
    responses((status = 201, description = "A draft proposal naming the feedback as its origin; the feedback names the proposal", body = Proposal),
              (status = 404, description = "Unknown, or another authority's", body = ErrorBody),
              (status = 409, description = "Dismissed, or turned into a proposal already", body = ErrorBody)))]
pub(crate) async fn to_proposal(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<String>,
    Body(input): Body<accord_app::NewProposal>,
) -> ApiResult<(StatusCode, Json<Proposal>)> {
    Ok((StatusCode::CREATED, Json(s.app.propose_from_feedback(&p, &id, input).await?)))
}

#[utoipa::path(get, path = "/api/v1/watch", tag = "governance", security(("bearer" = [])),
    responses((status = 200, description = "The technology watch register of every authority this node holds", body = [Technology])))]
pub(crate) async fn list_technologies(
    State(s): State<AppState>,
    Caller(p): Caller,
) -> ApiResult<Json<Vec<Technology>>> {
    Ok(Json(s.app.technologies(&p).await?))
}

#[utoipa::path(post, path = "/api/v1/watch", tag = "governance", request_body = accord_app::NewTechnology, security(("bearer" = [])),
    responses((status = 200, description = "Kept in the caller's authority's register (a new version when the id exists)", body = Technology),
              (status = 422, description = "A control entry not on the list in force, or an indicator that cannot be", body = ErrorBody)))]
pub(crate) async fn keep_technology(
    State(s): State<AppState>,
    Caller(p): Caller,
    Body(input): Body<accord_app::NewTechnology>,
) -> ApiResult<Json<Technology>> {
    Ok(Json(s.app.keep_technology(&p, input).await?))
}

#[utoipa::path(post, path = "/api/v1/watch/run", tag = "governance", security(("bearer" = [])),
    responses((status = 200, description = "Every indicator counted; each crossed one names the draft proposal it opened or already had", body = [Reading])))]
pub(crate) async fn run_watch(State(s): State<AppState>, Caller(p): Caller) -> ApiResult<Json<Vec<Reading>>> {
    Ok(Json(s.app.run_technology_watch(&p).await?))
}

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_feedback, give_feedback))
        .routes(routes!(triage))
        .routes(routes!(summary))
        .routes(routes!(to_proposal))
        .routes(routes!(list_technologies, keep_technology))
        .routes(routes!(run_watch))
}
