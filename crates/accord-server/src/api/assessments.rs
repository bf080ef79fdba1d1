//! Risk assessments allies publish and endorse, and shared verification results.

use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{Body, Caller};
use accord_app::AssessmentView;
use accord_core::denials::{NewAssessment, SharedVerification};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// An endorsement's comment.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewEndorsement {
    /// What the endorsing authority adds.
    pub comment: String,
}

#[utoipa::path(get, path = "/api/v1/assessments", tag = "denials", security(("bearer" = [])),
    responses((status = 200, description = "Risk assessments of every authority with their endorsements", body = [AssessmentView])))]
pub(crate) async fn list_assessments(
    State(s): State<AppState>,
    Caller(p): Caller,
) -> ApiResult<Json<Vec<AssessmentView>>> {
    Ok(Json(s.app.assessments(&p).await?))
}

#[utoipa::path(post, path = "/api/v1/assessments", tag = "denials", request_body = NewAssessment, security(("bearer" = [])),
    responses((status = 201, description = "Published to the allies", body = AssessmentView)))]
pub(crate) async fn publish_assessment(
    State(s): State<AppState>,
    Caller(p): Caller,
    Body(a): Body<NewAssessment>,
) -> ApiResult<(StatusCode, Json<AssessmentView>)> {
    Ok((StatusCode::CREATED, Json(s.app.publish_assessment(&p, a).await?)))
}

#[utoipa::path(post, path = "/api/v1/assessments/{id}/endorse", tag = "denials", params(("id" = String, Path, description = "ras_…")),
    request_body = NewEndorsement, security(("bearer" = [])),
    responses((status = 200, description = "Endorsed, and the endorsement sent to the allies", body = AssessmentView),
              (status = 409, description = "Endorsed by this authority already", body = ErrorBody)))]
pub(crate) async fn endorse_assessment(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<String>,
    Body(e): Body<NewEndorsement>,
) -> ApiResult<Json<AssessmentView>> {
    Ok(Json(s.app.endorse_assessment(&p, &id, &e.comment).await?))
}

#[utoipa::path(get, path = "/api/v1/verifications", tag = "denials", security(("bearer" = [])),
    responses((status = 200, description = "Verification and audit results shared by every authority", body = [SharedVerification])))]
pub(crate) async fn list_verifications(
    State(s): State<AppState>,
    Caller(p): Caller,
) -> ApiResult<Json<Vec<SharedVerification>>> {
    Ok(Json(s.app.verifications(&p).await?))
}

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_assessments, publish_assessment))
        .routes(routes!(endorse_assessment))
        .routes(routes!(list_verifications))
}
