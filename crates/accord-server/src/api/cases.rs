//! Cases: the officers' queue, the SLA clock, actions, decisions and verification tasks.

use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{Body, Caller, Segments};
use accord_app::CaseView;
use accord_core::cases::{Case, NewDecision, NewTask, TaskResult};
use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

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

/// Which page of the queue.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CasesQuery {
    /// The page, from 1 (with `per_page`; default: every case at once).
    #[param(minimum = 1, maximum = 1_000_000_000)]
    pub page: Option<u64>,
    /// Cases a page, 1 to 500 (default 50 when `page` is given).
    #[param(minimum = 1, maximum = 500)]
    pub per_page: Option<u64>,
}

#[utoipa::path(get, path = "/api/v1/cases", tag = "applications", params(CasesQuery), security(("bearer" = [])),
    responses((status = 200, description = "The caller's queue: highest risk first, then the earliest due; `x-total-count` says how many cases there are in all", body = [Case],
        headers(("x-total-count" = u64, description = "Cases in the caller's queue, all pages")))))]
pub(crate) async fn list_cases(
    State(s): State<AppState>,
    Caller(p): Caller,
    crate::extract::Params(q): crate::extract::Params<CasesQuery>,
) -> ApiResult<axum::response::Response> {
    use axum::response::IntoResponse;
    let (cases, total) = if q.page.is_none() && q.per_page.is_none() {
        let all = s.app.cases(&p).await?;
        let n = all.len() as u64;
        (all, n)
    } else {
        let (page, per_page) = (q.page.unwrap_or(1), q.per_page.unwrap_or(50));
        if !(1..=1_000_000_000).contains(&page) {
            return Err(accord_core::Error::validation("page", "a page from 1 to 1,000,000,000").into());
        }
        if !(1..=500).contains(&per_page) {
            return Err(accord_core::Error::validation("per_page", "1 to 500 cases a page").into());
        }
        s.app.cases_page(&p, page, per_page).await?
    };
    Ok(([("x-total-count", total.to_string())], Json(cases)).into_response())
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

#[utoipa::path(get, path = "/api/v1/cases/{id}/history", tag = "applications", params(("id" = String, Path, description = "case_…")),
    security(("bearer" = [])),
    responses((status = 200, description = "What happened to the case, its application and its licence, oldest first (the latest 200 events)",
                body = [accord_core::audit::AuditEvent]),
              (status = 404, description = "Unknown or invisible case", body = ErrorBody)))]
pub(crate) async fn case_history(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<accord_core::audit::AuditEvent>>> {
    Ok(Json(s.app.case_history(&p, &id).await?))
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

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_cases))
        .routes(routes!(get_case))
        .routes(routes!(case_sla))
        .routes(routes!(case_history))
        .routes(routes!(act))
        .routes(routes!(decide))
        .routes(routes!(open_task))
        .routes(routes!(close_task))
}
