//! Early warning: official trade statistics imported as versions, the indicators, each authority's thresholds, and
//! the alerts the indicators raise, worked by analysts.

use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{Body, Caller, Params};
use accord_app::{AlertAssignment, AlertClosing, ControlsImport, TradeImport};
use accord_core::controls::ControlVersion;
use accord_core::warning::{Alert, DeclarationImport, Thresholds, WarningSettings};
use accord_trade::indicators::Series;
use axum::Json;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Largest trade-statistics import accepted over the API (the files as text).
pub const MAX_TRADE_IMPORT_BYTES: usize = 64 * 1024 * 1024;

/// One file of a trade-statistics import.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TradeFileInput {
    /// Its name, e.g. `eu_exports_to_kyrgyzstan_monthly.csv`.
    pub name: String,
    /// Its text (CSV with a header row).
    pub text: String,
}

/// A set of trade-statistics files, stored as one version.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TradeImportInput {
    /// The files: Comext extracts, national statistics, exchange rates.
    pub files: Vec<TradeFileInput>,
    /// The version label (default `trade-` and the day).
    #[serde(default)]
    pub label: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/trade/versions", tag = "early warning", security(("bearer" = [])),
    responses((status = 200, description = "Every stored version of the trade statistics, oldest first", body = [ControlVersion])))]
pub(crate) async fn trade_versions(
    State(s): State<AppState>,
    Caller(p): Caller,
) -> ApiResult<Json<Vec<ControlVersion>>> {
    Ok(Json(s.app.trade_versions(&p).await?))
}

#[utoipa::path(post, path = "/api/v1/trade/versions", tag = "early warning", request_body = TradeImportInput,
    security(("bearer" = [])),
    responses((status = 201, description = "Stored as the next version", body = ControlsImport),
              (status = 200, description = "The same statistics as the latest version: nothing stored", body = ControlsImport),
              (status = 422, description = "malformed_file: every bad row named by file and line; nothing stored", body = ErrorBody)))]
pub(crate) async fn import_trade(
    State(s): State<AppState>,
    Caller(p): Caller,
    Body(input): Body<TradeImportInput>,
) -> ApiResult<(StatusCode, Json<ControlsImport>)> {
    let files: Vec<accord_trade::SourceFile> = input
        .files
        .into_iter()
        .map(|f| accord_trade::SourceFile { name: f.name, bytes: f.text.into_bytes() })
        .collect();
    let how = TradeImport { label: input.label, source: "api".into() };
    let done = s.app.import_trade(&p, &files, how).await?;
    Ok((if done.unchanged { StatusCode::OK } else { StatusCode::CREATED }, Json(done)))
}

/// Which partner's indicators.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct IndicatorsQuery {
    /// The partner country (ISO alpha-2); all partners when absent.
    pub partner: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/warnings/indicators", tag = "early warning", params(IndicatorsQuery),
    security(("bearer" = [])),
    responses((status = 200, description = "Every indicator over the latest trade statistics, with the caller's thresholds: each series with its method, citation, points and signals", body = [Series]),
              (status = 404, description = "No trade statistics stored, or no series for the partner", body = ErrorBody)))]
pub(crate) async fn indicators(
    State(s): State<AppState>,
    Caller(p): Caller,
    crate::extract::Params(q): crate::extract::Params<IndicatorsQuery>,
) -> ApiResult<Json<Vec<Series>>> {
    Ok(Json(s.app.indicators(&p, q.partner.as_deref()).await?))
}

#[utoipa::path(get, path = "/api/v1/warnings/thresholds", tag = "early warning", security(("bearer" = [])),
    responses((status = 200, description = "The caller's authority's thresholds (the defaults until it sets its own)", body = Thresholds)))]
pub(crate) async fn thresholds(State(s): State<AppState>, Caller(p): Caller) -> ApiResult<Json<Thresholds>> {
    Ok(Json(s.app.warning_thresholds(&p).await?))
}

#[utoipa::path(post, path = "/api/v1/warnings/thresholds", tag = "early warning", request_body = Thresholds,
    security(("bearer" = [])),
    responses((status = 200, description = "Set for the caller's authority and shared with the allies", body = WarningSettings),
              (status = 422, description = "A threshold that cannot be, named", body = ErrorBody)))]
pub(crate) async fn set_thresholds(
    State(s): State<AppState>,
    Caller(p): Caller,
    Body(input): Body<Thresholds>,
) -> ApiResult<Json<WarningSettings>> {
    Ok(Json(s.app.set_warning_thresholds(&p, input).await?))
}

#[utoipa::path(post, path = "/api/v1/warnings/run", tag = "early warning", security(("bearer" = [])),
    responses((status = 200, description = "The alerts raised now (a signal raises its alert once)", body = [Alert]),
              (status = 404, description = "No trade statistics stored", body = ErrorBody)))]
pub(crate) async fn run(State(s): State<AppState>, Caller(p): Caller) -> ApiResult<Json<Vec<Alert>>> {
    Ok(Json(s.app.run_early_warning(&p).await?))
}

#[utoipa::path(get, path = "/api/v1/alerts", tag = "early warning", security(("bearer" = [])),
    responses((status = 200, description = "The caller's authority's alerts and those the allies shared, newest first", body = [Alert])))]
pub(crate) async fn alerts(State(s): State<AppState>, Caller(p): Caller) -> ApiResult<Json<Vec<Alert>>> {
    Ok(Json(s.app.alerts(&p).await?))
}

#[utoipa::path(post, path = "/api/v1/alerts/{id}/assign", tag = "early warning", params(("id" = String, Path, description = "alr-…")),
    request_body = AlertAssignment, security(("bearer" = [])),
    responses((status = 200, description = "Assigned", body = Alert),
              (status = 404, description = "Unknown, or another authority's", body = ErrorBody),
              (status = 409, description = "Closed", body = ErrorBody)))]
pub(crate) async fn assign(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<String>,
    Body(input): Body<AlertAssignment>,
) -> ApiResult<Json<Alert>> {
    Ok(Json(s.app.assign_alert(&p, &id, input).await?))
}

#[utoipa::path(post, path = "/api/v1/alerts/{id}/share", tag = "early warning", params(("id" = String, Path, description = "alr-…")),
    security(("bearer" = [])),
    responses((status = 200, description = "Shared with the allies, with its evidence", body = Alert),
              (status = 404, description = "Unknown, or another authority's", body = ErrorBody),
              (status = 409, description = "Shared already", body = ErrorBody)))]
pub(crate) async fn share(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Alert>> {
    Ok(Json(s.app.share_alert(&p, &id).await?))
}

#[utoipa::path(post, path = "/api/v1/alerts/{id}/close", tag = "early warning", params(("id" = String, Path, description = "alr-…")),
    request_body = AlertClosing, security(("bearer" = [])),
    responses((status = 200, description = "Closed with its outcome", body = Alert),
              (status = 404, description = "Unknown, or another authority's", body = ErrorBody),
              (status = 409, description = "Closed already", body = ErrorBody)))]
pub(crate) async fn close(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<String>,
    Body(input): Body<AlertClosing>,
) -> ApiResult<Json<Alert>> {
    Ok(Json(s.app.close_alert(&p, &id, input).await?))
}

#[utoipa::path(post, path = "/api/v1/declarations/analyse", tag = "early warning",
    request_body(content = String, description = "Export declarations in Accord's CSV format (header: date,exporter,consignee,end_user,destination,hs_code,control_code,quantity,value_eur,authorisation,reference), at most 64 MiB", content_type = "text/csv"),
    security(("bearer" = [])),
    responses((status = 200, description = "What the declaration indicators found, each with the references of the declarations that show it; nothing is stored", body = accord_app::DeclarationAnalysis),
              (status = 413, description = "payload_too_large", body = ErrorBody),
              (status = 422, description = "malformed_file: the header, or each bad row by line", body = ErrorBody)))]
pub(crate) async fn analyse_declarations(
    State(s): State<AppState>,
    Caller(p): Caller,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> ApiResult<Json<accord_app::DeclarationAnalysis>> {
    let bytes = file_body(body)?;
    Ok(Json(s.app.analyse_declarations(&p, "declarations.csv", &bytes, None).await?))
}

/// The bytes of a file sent as the body: one too large is `payload_too_large`, one unreadable `malformed_file`.
fn file_body(
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<axum::body::Bytes, crate::error::ApiError> {
    body.map_err(|r| {
        let code = if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            accord_core::ErrorCode::PayloadTooLarge
        } else {
            accord_core::ErrorCode::MalformedFile
        };
        crate::error::ApiError::new(code, format!("the file could not be read: {}", r.body_text()))
    })
}

/// How to name an import of declarations.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DeclarationsQuery {
    /// The import's label (default `declarations-` and the day).
    pub label: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/declarations", tag = "early warning", params(DeclarationsQuery),
    request_body(content = String, description = "Export declarations in Accord's CSV format (or a Parquet file with the same columns, sent as its bytes), at most 64 MiB (larger files through `accord declarations import`)", content_type = "text/csv"),
    security(("bearer" = [])),
    responses((status = 201, description = "Stored as the authority's next import, with what it added and what it skipped (sent again with the same facts)", body = accord_app::DeclarationsImported),
              (status = 200, description = "The same file was imported before: nothing changed", body = accord_app::DeclarationsImported),
              (status = 409, description = "conflict: a declaration already stored is sent with other facts; nothing stored", body = ErrorBody),
              (status = 413, description = "payload_too_large", body = ErrorBody),
              (status = 422, description = "malformed_file: the header, or each bad row by line; nothing stored", body = ErrorBody)))]
pub(crate) async fn import_declarations(
    State(s): State<AppState>,
    Caller(p): Caller,
    Params(q): Params<DeclarationsQuery>,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> ApiResult<(StatusCode, Json<accord_app::DeclarationsImported>)> {
    let bytes = file_body(body)?;
    let done = s.app.import_declarations(&p, "declarations.csv", &bytes, q.label).await?;
    Ok((if done.unchanged { StatusCode::OK } else { StatusCode::CREATED }, Json(done)))
}

#[utoipa::path(get, path = "/api/v1/declarations/imports", tag = "early warning", security(("bearer" = [])),
    responses((status = 200, description = "The caller's authority's imports of declarations, oldest first", body = Vec<DeclarationImport>),
              (status = 403, description = "Not an official of an authority", body = ErrorBody)))]
pub(crate) async fn declaration_imports(
    State(s): State<AppState>,
    Caller(p): Caller,
) -> ApiResult<Json<Vec<DeclarationImport>>> {
    Ok(Json(s.app.declaration_imports(&p).await?))
}

#[utoipa::path(post, path = "/api/v1/alerts/{id}/proposal", tag = "early warning", params(("id" = String, Path, description = "alr-…")),
    request_body = accord_app::NewProposal, security(("bearer" = [])),
    responses((status = 201, description = "A draft proposal naming the alert as its origin; the alert names the proposal", body = accord_core::governance::Proposal),
              (status = 404, description = "Unknown, or another authority's", body = ErrorBody),
              (status = 409, description = "The alert opened a proposal already", body = ErrorBody)))]
pub(crate) async fn propose(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<String>,
    Body(input): Body<accord_app::NewProposal>,
) -> ApiResult<(StatusCode, Json<accord_core::governance::Proposal>)> {
    Ok((StatusCode::CREATED, Json(s.app.propose_from_alert(&p, &id, input).await?)))
}

#[utoipa::path(post, path = "/api/v1/alerts/{id}/verification", tag = "early warning", params(("id" = String, Path, description = "alr-…")),
    request_body = accord_app::AlertVerification, security(("bearer" = [])),
    responses((status = 201, description = "The case with the verification task the alert opened; the alert names the task", body = accord_core::cases::Case),
              (status = 404, description = "Unknown alert or case, or another authority's", body = ErrorBody),
              (status = 409, description = "The alert opened a task already, or it is closed", body = ErrorBody),
              (status = 422, description = "No case given and the alert names no application with a case here", body = ErrorBody)))]
pub(crate) async fn verify(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<String>,
    Body(input): Body<accord_app::AlertVerification>,
) -> ApiResult<(StatusCode, Json<accord_core::cases::Case>)> {
    Ok((StatusCode::CREATED, Json(s.app.verify_from_alert(&p, &id, input).await?)))
}

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes({
            // A set of statistics is larger than other bodies.
            let (schemas, paths, method) = routes!(trade_versions, import_trade);
            (schemas, paths, method.layer(DefaultBodyLimit::max(MAX_TRADE_IMPORT_BYTES)))
        })
        .routes({
            let (schemas, paths, method) = routes!(analyse_declarations);
            (schemas, paths, method.layer(DefaultBodyLimit::max(MAX_TRADE_IMPORT_BYTES)))
        })
        .routes({
            let (schemas, paths, method) = routes!(import_declarations);
            (schemas, paths, method.layer(DefaultBodyLimit::max(MAX_TRADE_IMPORT_BYTES)))
        })
        .routes(routes!(declaration_imports))
        .routes(routes!(indicators))
        .routes(routes!(thresholds, set_thresholds))
        .routes(routes!(run))
        .routes(routes!(alerts))
        .routes(routes!(assign))
        .routes(routes!(share))
        .routes(routes!(close))
        .routes(routes!(propose))
        .routes(routes!(verify))
}
