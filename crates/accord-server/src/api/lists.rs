//! Restricted-party lists: versions in force and their differences.

use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{Caller, Params};
use accord_core::listed::{EntityChange, ListVersion};
use axum::Json;
use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

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

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(lists)).routes(routes!(list_versions)).routes(routes!(list_diff))
}
