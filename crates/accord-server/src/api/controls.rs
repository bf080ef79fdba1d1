//! The harmonized control list: browsing, searching, versions and entries.

use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::Params;
use accord_app::{ControlAnswer, ControlBrowse, ControlSearch};
use accord_core::controls::ControlVersion;
use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The day to answer for.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AtQuery {
    /// `YYYY-MM-DD` (default: today).
    pub at: Option<String>,
}

/// A search over the control list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SearchQuery {
    /// Words or a code.
    pub q: String,
    /// Most results, 1..100 (default 10).
    pub limit: Option<usize>,
    /// `YYYY-MM-DD` (default: today).
    pub at: Option<String>,
}

/// Which part of the list to browse.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct BrowseQuery {
    /// Category, `0`-`9`.
    pub category: String,
    /// Group, `A`-`E` (default: every group).
    pub group: Option<String>,
    /// `YYYY-MM-DD` (default: today).
    pub at: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/controls", tag = "controls", params(BrowseQuery),
    responses((status = 200, description = "The category's entries in code order", body = ControlBrowse),
              (status = 422, description = "Bad category or group", body = ErrorBody)))]
pub(crate) async fn browse(
    State(s): State<AppState>,
    Params(q): Params<BrowseQuery>,
) -> ApiResult<Json<ControlBrowse>> {
    Ok(Json(s.app.browse_controls(&q.category, q.group.as_deref(), q.at.as_deref()).await?))
}

#[utoipa::path(get, path = "/api/v1/controls/versions", tag = "controls",
    responses((status = 200, description = "Every stored version, oldest first", body = [ControlVersion])))]
pub(crate) async fn versions(State(s): State<AppState>) -> ApiResult<Json<Vec<ControlVersion>>> {
    Ok(Json(s.app.control_versions().await?))
}

#[utoipa::path(get, path = "/api/v1/controls/search", tag = "controls", params(SearchQuery),
    responses((status = 200, description = "Entries ranked by relevance", body = ControlSearch),
              (status = 404, description = "No list in force on that day", body = ErrorBody)))]
pub(crate) async fn search(
    State(s): State<AppState>,
    Params(q): Params<SearchQuery>,
) -> ApiResult<Json<ControlSearch>> {
    Ok(Json(s.app.search_controls(&q.q, q.limit.unwrap_or(10), q.at.as_deref()).await?))
}

#[utoipa::path(get, path = "/api/v1/controls/{code}", tag = "controls", params(("code" = String, Path, description = "e.g. 3A001 or 3A001.a.1"), AtQuery),
    responses((status = 200, description = "The entry as it stood on the day", body = ControlAnswer),
              (status = 404, description = "Unknown code (details list the nearest codes) or no list in force", body = ErrorBody)))]
pub(crate) async fn entry(
    State(s): State<AppState>,
    Path(code): Path<String>,
    Params(q): Params<AtQuery>,
) -> ApiResult<Json<ControlAnswer>> {
    Ok(Json(s.app.control(&code, q.at.as_deref()).await?))
}

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(browse))
        .routes(routes!(versions))
        .routes(routes!(search))
        .routes(routes!(entry))
}
