//! Screening parties against the lists in force, and officers' adjudications of hits.

use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{Body, Caller};
use accord_app::{MAX_BATCH, NewAdjudication, ScreenQuery, ScreenResult};
use accord_core::Error;
use accord_core::listed::Adjudication;
use accord_screen::DEFAULT_THRESHOLD;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// A screening request: either one party (`name` and its attributes) or a batch (`queries`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScreenRequest {
    /// One party's name (omit when sending `queries`).
    #[serde(default)]
    pub name: Option<String>,
    /// `person`, `organization`, `vessel`, `aircraft` or `any`.
    #[serde(default)]
    pub r#type: Option<String>,
    /// ISO country code linked to the party.
    #[serde(default)]
    pub country: Option<String>,
    /// Year of birth or incorporation.
    #[serde(default)]
    pub birth_year: Option<i32>,
    /// Key that adjudications attach to (default: the normalised name).
    #[serde(default)]
    pub subject: Option<String>,
    /// The party's street address: a listed party's street address found in it is reported as a connection.
    #[serde(default)]
    pub address: Option<String>,
    /// The party's identifiers (registration, tax, vessel numbers), at most 20.
    #[serde(default)]
    pub identifiers: Vec<String>,
    /// The party's telephone number.
    #[serde(default)]
    pub phone: Option<String>,
    /// Up to 1,000 parties (instead of `name`).
    #[serde(default)]
    pub queries: Option<Vec<ScreenQuery>>,
    /// Lowest score reported, 0..1 (default: the tuned threshold).
    #[serde(default)]
    pub threshold: Option<f64>,
    /// Most hits per party, 1..100 (default 10).
    #[serde(default)]
    pub limit: Option<usize>,
}

/// The screening answer: one result per party, in request order. Matching runs on the blocking pool, at most
/// one request per core at a time, so a large batch never holds up other requests such as `/health`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScreenResponse {
    /// The threshold applied.
    pub threshold: f64,
    /// One result per party.
    pub results: Vec<ScreenResult>,
}

#[utoipa::path(post, path = "/api/v1/screen", tag = "screening", request_body = ScreenRequest, security(("bearer" = [])),
    responses((status = 200, description = "Hits per party, best first, with explanations; warnings name invisible characters, direction controls or mixed alphabets in a name", body = ScreenResponse),
              (status = 422, description = "Empty or oversize name, bad threshold, too many queries; screening_budget_exceeded when queries × limit is over 10,000, screening_response_too_large when the answer would pass 8 MiB", body = ErrorBody)))]
pub(crate) async fn screen(
    State(s): State<AppState>,
    Caller(p): Caller,
    Body(req): Body<ScreenRequest>,
) -> ApiResult<Json<ScreenResponse>> {
    let queries = match (req.name, req.queries) {
        (Some(name), None) => vec![ScreenQuery {
            name,
            r#type: req.r#type,
            country: req.country,
            birth_year: req.birth_year,
            subject: req.subject,
            address: req.address,
            identifiers: req.identifiers,
            phone: req.phone,
        }],
        (None, Some(queries))
            if req.r#type.is_none()
                && req.country.is_none()
                && req.birth_year.is_none()
                && req.subject.is_none()
                && req.address.is_none()
                && req.identifiers.is_empty()
                && req.phone.is_none() =>
        {
            queries
        }
        (None, Some(_)) => {
            return Err(Error::validation(
                "queries",
                "with queries, give type, country, birth_year, subject, address, identifiers and phone inside each query",
            )
            .into());
        }
        (Some(_), Some(_)) => return Err(Error::validation("name", "send either name or queries, not both").into()),
        (None, None) => {
            return Err(Error::validation("name", format!("send a name, or queries (up to {MAX_BATCH})")).into());
        }
    };
    let threshold = req.threshold.unwrap_or(DEFAULT_THRESHOLD);
    let results = s.app.screen(&p, &queries, req.limit.unwrap_or(10), threshold).await?;
    Ok(Json(ScreenResponse { threshold, results }))
}

#[utoipa::path(post, path = "/api/v1/screen/adjudications", tag = "screening", request_body = NewAdjudication, security(("bearer" = [])),
    responses((status = 201, description = "Recorded; a false positive is suppressed for this subject until the entity changes", body = Adjudication),
              (status = 403, description = "Not an officer", body = ErrorBody), (status = 404, description = "No such listed entity", body = ErrorBody)))]
pub(crate) async fn adjudicate(
    State(s): State<AppState>,
    Caller(p): Caller,
    Body(input): Body<NewAdjudication>,
) -> ApiResult<(StatusCode, Json<Adjudication>)> {
    Ok((StatusCode::CREATED, Json(s.app.adjudicate(&p, input).await?)))
}

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(screen)).routes(routes!(adjudicate))
}
