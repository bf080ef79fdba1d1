//! Determinations of transactions and the policy sets they apply.

use crate::AppState;
use crate::api::controls::AtQuery;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{Body, Caller, Params};
use accord_app::{DetermineOptions, PolicyVersionInfo};
use accord_controls::{Determination, Transaction};
use accord_core::controls::ControlVersion;
use accord_screen::DEFAULT_THRESHOLD;
use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Options of a determination.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DetermineQuery {
    /// Use the control list and policies in force on this day, `YYYY-MM-DD` (default: the transaction date).
    pub at: Option<String>,
    /// Screening threshold for the party checks, 0..1 (default: the tuned threshold).
    pub threshold: Option<f64>,
}

#[utoipa::path(post, path = "/api/v1/determinations", tag = "determinations", request_body = Transaction,
    params(DetermineQuery), security(("bearer" = [])),
    responses((status = 200, description = "One answer per jurisdiction, with its reasons, citations and party hits", body = Determination),
              (status = 400, description = "Malformed JSON, wrong types or unknown fields", body = ErrorBody),
              (status = 404, description = "No control list or policy set in force on the day", body = ErrorBody),
              (status = 422, description = "Unknown control code (details list the nearest), country or jurisdiction; negative quantity or value; bad date", body = ErrorBody)))]
pub(crate) async fn determine(
    State(s): State<AppState>,
    Caller(p): Caller,
    Params(q): Params<DetermineQuery>,
    Body(tx): Body<Transaction>,
) -> ApiResult<Json<Determination>> {
    let opts = DetermineOptions { at: q.at, threshold: q.threshold.unwrap_or(DEFAULT_THRESHOLD) };
    Ok(Json(s.app.determine(&p, &tx, &opts).await?))
}

#[utoipa::path(get, path = "/api/v1/policies", tag = "determinations", params(AtQuery),
    responses((status = 200, description = "The policy set in force on the day, with each file's version", body = PolicyVersionInfo),
              (status = 404, description = "No policy set in force on that day", body = ErrorBody)))]
pub(crate) async fn policies(
    State(s): State<AppState>,
    Params(q): Params<AtQuery>,
) -> ApiResult<Json<PolicyVersionInfo>> {
    Ok(Json(s.app.policy_version_info(q.at.as_deref()).await?))
}

#[utoipa::path(get, path = "/api/v1/policies/versions", tag = "determinations",
    responses((status = 200, description = "Every stored policy-set version, oldest first", body = [ControlVersion])))]
pub(crate) async fn policy_versions(State(s): State<AppState>) -> ApiResult<Json<Vec<ControlVersion>>> {
    Ok(Json(s.app.policy_versions().await?))
}

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(determine)).routes(routes!(policies)).routes(routes!(policy_versions))
}
