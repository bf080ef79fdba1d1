//! Dashboards for officials, and the public transparency report, as JSON and as CSV.

use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::Caller;
use accord_core::stats::{Dashboard, TransparencyReport};
use axum::Json;
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

fn csv(text: String, name: &str) -> Response {
    (
        [
            (CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (axum::http::header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        text,
    )
        .into_response()
}

#[utoipa::path(get, path = "/api/v1/dashboard", tag = "dashboards", security(("bearer" = [])),
    responses((status = 200, description = "Processing against the SLA, outcomes by authority, by firm size and for joint-development licences, and the estimated compliance cost with its model (officials: their authority; admins and auditors: every authority of the node)", body = Dashboard)))]
pub(crate) async fn dashboard(State(s): State<AppState>, Caller(p): Caller) -> ApiResult<Json<Dashboard>> {
    Ok(Json(s.app.dashboard(&p).await?))
}

#[utoipa::path(get, path = "/api/v1/dashboard/csv", tag = "dashboards", security(("bearer" = [])),
    responses((status = 200, description = "The dashboard as one CSV table", content_type = "text/csv", body = String)))]
pub(crate) async fn dashboard_csv(State(s): State<AppState>, Caller(p): Caller) -> ApiResult<Response> {
    Ok(csv(s.app.dashboard(&p).await?.to_csv(), "dashboard.csv"))
}

/// How small a published count may be.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    /// The smallest count published, 5 (the default) to 1000.
    pub min_cell: Option<u64>,
    /// `year` (the default) or `quarter`.
    pub period: Option<accord_core::stats::ReportPeriod>,
}

#[utoipa::path(get, path = "/api/v1/transparency", tag = "dashboards", params(ReportQuery),
    responses((status = 200, description = "Every decision, by year or quarter, jurisdiction, size class and outcome, small counts suppressed, with the methodology (public)", body = TransparencyReport),
              (status = 422, description = "A smallest count below 5", body = ErrorBody)))]
pub(crate) async fn transparency(
    State(s): State<AppState>,
    crate::extract::Params(q): crate::extract::Params<ReportQuery>,
) -> ApiResult<Json<TransparencyReport>> {
    Ok(Json(
        s.app.transparency_report_by(q.min_cell, q.period.unwrap_or(accord_core::stats::ReportPeriod::Year)).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/transparency/csv", tag = "dashboards", params(ReportQuery),
    responses((status = 200, description = "The transparency report as CSV (an empty count: suppressed)", content_type = "text/csv", body = String),
              (status = 422, description = "A smallest count below 5", body = ErrorBody)))]
pub(crate) async fn transparency_csv(
    State(s): State<AppState>,
    crate::extract::Params(q): crate::extract::Params<ReportQuery>,
) -> ApiResult<Response> {
    Ok(csv(
        s.app
            .transparency_report_by(q.min_cell, q.period.unwrap_or(accord_core::stats::ReportPeriod::Year))
            .await?
            .to_csv(),
        "transparency.csv",
    ))
}

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(dashboard))
        .routes(routes!(dashboard_csv))
        .routes(routes!(transparency))
        .routes(routes!(transparency_csv))
}
