//! Licence applications and cases: exporters apply (idempotently), officers work their authority's queue.

use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{Body, Caller, Params, Segments};
use accord_app::{CaseView, ProfileRecord, ProfileView};
use accord_core::cases::{Application, Case, FastTrackSettings, NewApplication, NewDecision, NewTask, TaskResult};
use accord_core::licences::{Licence, NewShipment, Shipment};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

/// Whether to submit the application at once.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ApplyQuery {
    /// `true` to screen, determine and open the cases now (default: keep a draft).
    pub submit: Option<bool>,
}

fn idempotency_key(headers: &HeaderMap) -> Option<String> {
    headers.get("idempotency-key").map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
}

#[utoipa::path(post, path = "/api/v1/applications", tag = "applications", request_body = NewApplication,
    params(ApplyQuery, ("Idempotency-Key" = Option<String>, Header, description = "A retried request with the same key returns the application it created")),
    security(("bearer" = [])),
    responses((status = 201, description = "Created (and submitted with ?submit=true)", body = Application),
              (status = 200, description = "The application this Idempotency-Key created earlier; nothing new was stored", body = Application),
              (status = 422, description = "A bad transaction (unknown code with the nearest codes, country, negative quantity …), document or organisation", body = ErrorBody)))]
pub(crate) async fn apply(
    State(s): State<AppState>,
    Caller(p): Caller,
    headers: HeaderMap,
    Params(q): Params<ApplyQuery>,
    Body(input): Body<NewApplication>,
) -> ApiResult<(StatusCode, Json<Application>)> {
    let key = idempotency_key(&headers);
    let applied = s.app.create_application(&p, input, key.as_deref(), q.submit.unwrap_or(false)).await?;
    let status = if applied.created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(applied.application)))
}

#[utoipa::path(post, path = "/api/v1/applications/{id}/submit", tag = "applications", params(("id" = String, Path, description = "app_…")),
    security(("bearer" = [])),
    responses((status = 200, description = "Submitted (or already submitted: unchanged)", body = Application),
              (status = 404, description = "Unknown or invisible application", body = ErrorBody)))]
pub(crate) async fn submit(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Application>> {
    Ok(Json(s.app.submit_application(&p, &id).await?))
}

#[utoipa::path(get, path = "/api/v1/applications", tag = "applications", security(("bearer" = [])),
    responses((status = 200, description = "Visible applications, newest first", body = [Application])))]
pub(crate) async fn list_applications(
    State(s): State<AppState>,
    Caller(p): Caller,
) -> ApiResult<Json<Vec<Application>>> {
    Ok(Json(s.app.applications(&p).await?))
}

#[utoipa::path(get, path = "/api/v1/applications/{id}", tag = "applications", params(("id" = String, Path, description = "app_…")),
    security(("bearer" = [])),
    responses((status = 200, description = "The application with its determination and cases", body = Application),
              (status = 404, description = "Unknown or invisible application", body = ErrorBody)))]
pub(crate) async fn get_application(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Application>> {
    Ok(Json(s.app.application(&p, &id).await?))
}

#[utoipa::path(get, path = "/api/v1/cases", tag = "applications", security(("bearer" = [])),
    responses((status = 200, description = "The caller's queue: highest risk first, then the earliest due", body = [Case])))]
pub(crate) async fn list_cases(State(s): State<AppState>, Caller(p): Caller) -> ApiResult<Json<Vec<Case>>> {
    Ok(Json(s.app.cases(&p).await?))
}

#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "applications", params(("id" = String, Path, description = "case_…")),
    security(("bearer" = [])),
    responses((status = 200, description = "The case with its risk factors and SLA", body = Case),
              (status = 404, description = "Unknown or invisible case", body = ErrorBody)))]
pub(crate) async fn get_case(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Case>> {
    Ok(Json(s.app.case(&p, &id).await?))
}

/// A change on a case, made on the version the officer saw.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseAction {
    /// The case version the caller saw; a newer one answers `409 case_changed`.
    pub version: i64,
    /// For `assign`: the officer (default: the caller).
    #[serde(default)]
    pub officer: Option<String>,
    /// For `request-information`, `answer` and `advice`: the text.
    #[serde(default)]
    pub text: Option<String>,
}

fn required_text(a: &CaseAction) -> Result<&str, accord_core::Error> {
    a.text.as_deref().ok_or_else(|| accord_core::Error::validation("text", "this action needs a text"))
}

#[utoipa::path(get, path = "/api/v1/cases/{id}/sla", tag = "applications", params(("id" = String, Path, description = "case_…")),
    security(("bearer" = [])),
    responses((status = 200, description = "The case with its SLA clock (working days elapsed, paused, remaining)", body = CaseView),
              (status = 404, description = "Unknown or invisible case", body = ErrorBody)))]
pub(crate) async fn case_sla(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<CaseView>> {
    Ok(Json(s.app.case_view(&p, &id).await?))
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/{action}", tag = "applications",
    params(("id" = String, Path, description = "case_…"), ("action" = String, Path, description = "assign, request-information, answer, advice, countersign")),
    request_body = CaseAction, security(("bearer" = [])),
    responses((status = 200, description = "The case after the action", body = Case),
              (status = 403, description = "The role may not take this action", body = ErrorBody),
              (status = 404, description = "Unknown or invisible case, or unknown action", body = ErrorBody),
              (status = 409, description = "case_changed: another officer acted since the version given; or the case is not in a state for this action", body = ErrorBody)))]
pub(crate) async fn act(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path((id, action)): Path<(String, String)>,
    Body(a): Body<CaseAction>,
) -> ApiResult<Json<Case>> {
    let app = &s.app;
    let case = match action.as_str() {
        "assign" => app.assign_case(&p, &id, a.version, a.officer.as_deref()).await?,
        "request-information" => app.request_information(&p, &id, a.version, required_text(&a)?).await?,
        "answer" => app.answer_information(&p, &id, required_text(&a)?).await?,
        "advice" => app.advise(&p, &id, a.version, required_text(&a)?).await?,
        "countersign" => app.countersign(&p, &id, a.version).await?,
        other => {
            return Err(accord_core::Error::new(
                accord_core::ErrorCode::RouteNotFound,
                format!(
                    "no case action '{}' (assign, request-information, answer, advice, countersign, decision)",
                    accord_core::ids::truncate(other)
                ),
            )
            .into());
        }
    };
    Ok(Json(case))
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/decision", tag = "applications", params(("id" = String, Path, description = "case_…")),
    request_body = NewDecision, security(("bearer" = [])),
    responses((status = 200, description = "Decided (or waiting for a countersignature)", body = Case),
              (status = 409, description = "case_changed, or the case is not open", body = ErrorBody),
              (status = 422, description = "Missing reason, validity or refusal criteria; more than applied for", body = ErrorBody)))]
pub(crate) async fn decide(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<String>,
    Body(d): Body<NewDecision>,
) -> ApiResult<Json<Case>> {
    Ok(Json(s.app.decide(&p, &id, d).await?))
}

#[utoipa::path(get, path = "/api/v1/licences", tag = "applications", security(("bearer" = [])),
    responses((status = 200, description = "Visible licences as they stand today (expired ones read as expired)", body = [Licence])))]
pub(crate) async fn list_licences(State(s): State<AppState>, Caller(p): Caller) -> ApiResult<Json<Vec<Licence>>> {
    Ok(Json(s.app.licences(&p).await?))
}

#[utoipa::path(get, path = "/api/v1/licences/{id}", tag = "applications", params(("id" = String, Path, description = "lic_…")),
    security(("bearer" = [])),
    responses((status = 200, description = "The licence with its drawdown", body = Licence),
              (status = 404, description = "Unknown or invisible licence", body = ErrorBody)))]
pub(crate) async fn get_licence(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Licence>> {
    Ok(Json(s.app.licence(&p, &id).await?))
}

#[utoipa::path(get, path = "/api/v1/licences/{id}/shipments", tag = "applications", params(("id" = String, Path, description = "lic_…")),
    security(("bearer" = [])),
    responses((status = 200, description = "Shipments reported against the licence, oldest first", body = [Shipment])))]
pub(crate) async fn list_shipments(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<Shipment>>> {
    Ok(Json(s.app.shipments(&p, &id).await?))
}

#[utoipa::path(post, path = "/api/v1/licences/{id}/shipments", tag = "applications", params(("id" = String, Path, description = "lic_…")),
    request_body = NewShipment, security(("bearer" = [])),
    responses((status = 201, description = "Recorded and drawn down", body = Shipment),
              (status = 422, description = "shipment_refused: beyond the quantity or value left, outside validity, to a party not on the licence, or on a licence not active", body = ErrorBody)))]
pub(crate) async fn report_shipment(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<String>,
    Body(shipment): Body<NewShipment>,
) -> ApiResult<(StatusCode, Json<Shipment>)> {
    let (recorded, _) = s.app.report_shipment(&p, &id, shipment).await?;
    Ok((StatusCode::CREATED, Json(recorded)))
}

/// A change of a licence's status.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LicenceAction {
    /// `suspend`, `reinstate` or `revoke`.
    pub action: String,
    /// Why (required).
    pub reason: String,
}

#[utoipa::path(post, path = "/api/v1/licences/{id}/status", tag = "applications", params(("id" = String, Path, description = "lic_…")),
    request_body = LicenceAction, security(("bearer" = [])),
    responses((status = 200, description = "The licence after the change", body = Licence),
              (status = 409, description = "Not possible from the licence's status", body = ErrorBody)))]
pub(crate) async fn licence_status(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<String>,
    Body(a): Body<LicenceAction>,
) -> ApiResult<Json<Licence>> {
    Ok(Json(s.app.set_licence_status(&p, &id, &a.action, &a.reason).await?))
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/tasks", tag = "applications", params(("id" = String, Path, description = "case_…")),
    request_body = NewTask, security(("bearer" = [])),
    responses((status = 200, description = "The case with the new verification task", body = Case),
              (status = 409, description = "case_changed, or the case is closed", body = ErrorBody)))]
pub(crate) async fn open_task(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<String>,
    Body(t): Body<NewTask>,
) -> ApiResult<Json<Case>> {
    Ok(Json(s.app.open_task(&p, &id, t).await?))
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/tasks/{task}", tag = "applications",
    params(("id" = String, Path, description = "case_…"), ("task" = usize, Path, description = "index of the task")),
    request_body = TaskResult, security(("bearer" = [])),
    responses((status = 200, description = "The case with the task's outcome", body = Case),
              (status = 404, description = "No such task", body = ErrorBody),
              (status = 409, description = "case_changed, or the task already has its outcome", body = ErrorBody)))]
pub(crate) async fn close_task(
    State(s): State<AppState>,
    Caller(p): Caller,
    Segments((id, task)): Segments<(String, usize)>,
    Body(r): Body<TaskResult>,
) -> ApiResult<Json<Case>> {
    Ok(Json(s.app.close_task(&p, &id, task, r).await?))
}

#[utoipa::path(get, path = "/api/v1/organisations/{id}/compliance", tag = "applications", params(("id" = String, Path, description = "org_…")),
    security(("bearer" = [])),
    responses((status = 200, description = "The compliance profile and the trust tier it gives today", body = ProfileView),
              (status = 404, description = "Unknown or invisible organisation", body = ErrorBody)))]
pub(crate) async fn get_profile(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<ProfileView>> {
    Ok(Json(s.app.profile(&p, &id).await?))
}

#[utoipa::path(post, path = "/api/v1/organisations/{id}/compliance", tag = "applications", params(("id" = String, Path, description = "org_…")),
    request_body = ProfileRecord, security(("bearer" = [])),
    responses((status = 200, description = "The profile after the record", body = ProfileView),
              (status = 403, description = "The role may not record this", body = ErrorBody)))]
pub(crate) async fn record_profile(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<String>,
    Body(r): Body<ProfileRecord>,
) -> ApiResult<Json<ProfileView>> {
    Ok(Json(s.app.record_profile(&p, &id, r).await?))
}

#[utoipa::path(post, path = "/api/v1/authorities/{id}/fast-track", tag = "applications", params(("id" = String, Path, description = "e.g. DE-BAFA")),
    request_body = FastTrackSettings, security(("bearer" = [])),
    responses((status = 200, description = "The authority's fast-track settings", body = FastTrackSettings),
              (status = 403, description = "Not an admin or a senior officer of this authority", body = ErrorBody)))]
pub(crate) async fn set_fast_track(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<String>,
    Body(settings): Body<FastTrackSettings>,
) -> ApiResult<Json<FastTrackSettings>> {
    Ok(Json(s.app.set_fast_track(&p, &id, settings).await?))
}

/// Every endpoint of this module, each with its OpenAPI operation.
pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_applications, apply))
        .routes(routes!(get_application))
        .routes(routes!(submit))
        .routes(routes!(list_cases))
        .routes(routes!(get_case))
        .routes(routes!(case_sla))
        .routes(routes!(decide))
        .routes(routes!(open_task))
        .routes(routes!(close_task))
        .routes(routes!(act))
        .routes(routes!(get_profile, record_profile))
        .routes(routes!(set_fast_track))
        .routes(routes!(list_licences))
        .routes(routes!(get_licence))
        .routes(routes!(list_shipments, report_shipment))
        .routes(routes!(licence_status))
}
