//! Ownership and control: the relations officials record between parties (shared with the allies), and what the
//! ownership rules of the policies conclude from them, each conclusion with its path.

use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{Body, Caller, Params};
use accord_app::{NewRelation, OwnershipReport, RelationRevocation};
use accord_core::ownership::Relation;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The day to conclude on.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct OwnershipQuery {
    /// `YYYY-MM-DD` (default: today).
    #[param(value_type = Option<String>, format = Date)]
    pub at: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/relations", tag = "ownership", security(("bearer" = [])),
    responses((status = 200, description = "Every relation this node holds (its authorities' and the allies'), newest first", body = [Relation]),
              (status = 403, description = "Not an official", body = ErrorBody)))]
pub(crate) async fn relations(State(s): State<AppState>, Caller(p): Caller) -> ApiResult<Json<Vec<Relation>>> {
    Ok(Json(s.app.relations(&p).await?))
}

#[utoipa::path(post, path = "/api/v1/relations", tag = "ownership", request_body = NewRelation, security(("bearer" = [])),
    responses((status = 201, description = "Recorded for the caller's authority and shared with the allies", body = Relation),
              (status = 400, description = "invalid_body: not a relation (a field of the wrong type, an unknown field)", body = ErrorBody),
              (status = 404, description = "A listed party that is on no list stored here", body = ErrorBody),
              (status = 409, description = "The known shares owned in the party would add up to more than 100 %", body = ErrorBody),
              (status = 422, description = "A party without a name, a party related to itself, a share out of range or on another kind of relation, days out of order", body = ErrorBody)))]
pub(crate) async fn record(
    State(s): State<AppState>,
    Caller(p): Caller,
    Body(input): Body<NewRelation>,
) -> ApiResult<(StatusCode, Json<Relation>)> {
    Ok((StatusCode::CREATED, Json(s.app.record_relation(&p, input).await?)))
}

#[utoipa::path(post, path = "/api/v1/relations/{id}/revoke", tag = "ownership", params(("id" = String, Path, description = "rel_…")),
    request_body = RelationRevocation, security(("bearer" = [])),
    responses((status = 200, description = "Revoked: it stays, marked so, and counts for nothing", body = Relation),
              (status = 404, description = "Unknown, or another authority's", body = ErrorBody),
              (status = 409, description = "Revoked already", body = ErrorBody)))]
pub(crate) async fn revoke(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<String>,
    Body(input): Body<RelationRevocation>,
) -> ApiResult<Json<Relation>> {
    Ok(Json(s.app.revoke_relation(&p, &id, input).await?))
}

#[utoipa::path(get, path = "/api/v1/ownership", tag = "ownership", params(OwnershipQuery), security(("bearer" = [])),
    responses((status = 200, description = "What every ownership rule in force concludes on the day: the parties it covers, those it cannot decide (a share unknown) and those controlled by listed parties, each with its path, listed owners, missing data and citation", body = OwnershipReport),
              (status = 422, description = "A day that is not YYYY-MM-DD", body = ErrorBody)))]
pub(crate) async fn ownership(
    State(s): State<AppState>,
    Caller(p): Caller,
    Params(q): Params<OwnershipQuery>,
) -> ApiResult<Json<OwnershipReport>> {
    let day = q
        .at
        .as_deref()
        .map(|d| {
            d.parse().map_err(|_| accord_core::Error::validation("at", format!("at: '{d}' is not a date (YYYY-MM-DD)")))
        })
        .transpose()?;
    Ok(Json(s.app.ownership(&p, day).await?))
}

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(relations, record)).routes(routes!(revoke)).routes(routes!(ownership))
}
