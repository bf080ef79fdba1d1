//! Documents of applications, rosters and amendments of licences, and denial notifications.

use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Body, Caller};
use accord_app::DocumentView;
use accord_core::ErrorCode;
use accord_core::denials::Denial;
use accord_core::licences::{AmendmentDecision, Licence, NewAmendment, Participant};
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::ToSchema;

#[utoipa::path(get, path = "/api/v1/applications/{id}/documents", tag = "applications",
    params(("id" = String, Path, description = "app_…")), security(("bearer" = [])),
    responses((status = 200, description = "The declared documents, each with its file's facts once uploaded", body = [DocumentView]),
              (status = 404, description = "Unknown or invisible application", body = ErrorBody)))]
pub(crate) async fn list_documents(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<DocumentView>>> {
    Ok(Json(s.app.documents(&p, &id).await?))
}

#[utoipa::path(put, path = "/api/v1/applications/{id}/documents/{position}", tag = "applications",
    params(("id" = String, Path, description = "app_…"), ("position" = usize, Path, description = "index of the declared document")),
    request_body(content = Vec<u8>, description = "The file, with its Content-Type (PDF, PNG, JPEG, DOCX, XLSX, plain text, CSV; at most 10 MiB)", content_type = "application/octet-stream"),
    security(("bearer" = [])),
    responses((status = 201, description = "Stored", body = DocumentView),
              (status = 200, description = "The same file was already stored", body = DocumentView),
              (status = 404, description = "Unknown application or no such declared document", body = ErrorBody),
              (status = 413, description = "payload_too_large", body = ErrorBody),
              (status = 422, description = "document_rejected: content type not accepted, content not of its type, or SHA-256 not the declared one", body = ErrorBody)))]
pub(crate) async fn upload_document(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path((id, position)): Path<(String, usize)>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<(StatusCode, Json<DocumentView>)> {
    let bytes = body.map_err(|r| {
        let code = if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ErrorCode::PayloadTooLarge
        } else {
            ErrorCode::DocumentRejected
        };
        ApiError::new(code, format!("the file could not be read: {}", r.body_text()))
    })?;
    let content_type = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let (view, created) = s.app.upload_document(&p, &id, position, content_type, bytes.to_vec()).await?;
    Ok((if created { StatusCode::CREATED } else { StatusCode::OK }, Json(view)))
}

#[utoipa::path(get, path = "/api/v1/applications/{id}/documents/{position}", tag = "applications",
    params(("id" = String, Path, description = "app_…"), ("position" = usize, Path, description = "index of the declared document")),
    security(("bearer" = [])),
    responses((status = 200, description = "The file, with its content type", content_type = "application/octet-stream", body = Vec<u8>),
              (status = 404, description = "Unknown application, or nothing uploaded for this document", body = ErrorBody)))]
pub(crate) async fn download_document(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path((id, position)): Path<(String, usize)>,
) -> ApiResult<Response> {
    let f = s.app.document_file(&p, &id, position).await?;
    let content_type =
        HeaderValue::from_str(&f.content_type).unwrap_or(HeaderValue::from_static("application/octet-stream"));
    Ok(([(CONTENT_TYPE, content_type)], f.content).into_response())
}

#[utoipa::path(post, path = "/api/v1/licences/{id}/participants", tag = "applications",
    params(("id" = String, Path, description = "lic_…")), request_body = Participant, security(("bearer" = [])),
    responses((status = 200, description = "The licence: the participant is active, or their addition waits for review as an amendment", body = Licence),
              (status = 409, description = "Already on the roster, or the licence is not active", body = ErrorBody),
              (status = 422, description = "Not a joint-development licence, an unknown nationality, or a prohibited transfer", body = ErrorBody)))]
pub(crate) async fn add_participant(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<String>,
    Body(participant): Body<Participant>,
) -> ApiResult<Json<Licence>> {
    Ok(Json(s.app.add_participant(&p, &id, participant).await?))
}

/// Why something is done.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Reason {
    /// Why (required).
    pub reason: String,
}

#[utoipa::path(post, path = "/api/v1/licences/{id}/participants/{index}/remove", tag = "applications",
    params(("id" = String, Path, description = "lic_…"), ("index" = usize, Path, description = "index in the roster")),
    request_body = Reason, security(("bearer" = [])),
    responses((status = 200, description = "The licence with the removal recorded", body = Licence),
              (status = 404, description = "No such participant", body = ErrorBody),
              (status = 409, description = "Already off the roster", body = ErrorBody)))]
pub(crate) async fn remove_participant(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path((id, index)): Path<(String, usize)>,
    Body(r): Body<Reason>,
) -> ApiResult<Json<Licence>> {
    Ok(Json(s.app.remove_participant(&p, &id, index, &r.reason).await?))
}

#[utoipa::path(post, path = "/api/v1/licences/{id}/amendments", tag = "applications",
    params(("id" = String, Path, description = "lic_…")), request_body = NewAmendment, security(("bearer" = [])),
    responses((status = 200, description = "The amended licence", body = Licence),
              (status = 409, description = "The licence is revoked, or changed meanwhile", body = ErrorBody),
              (status = 422, description = "A date before the first day, or quantities below what was shipped", body = ErrorBody)))]
pub(crate) async fn amend_licence(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<String>,
    Body(a): Body<NewAmendment>,
) -> ApiResult<Json<Licence>> {
    Ok(Json(s.app.amend_licence(&p, &id, a).await?))
}

#[utoipa::path(post, path = "/api/v1/licences/{id}/amendments/{number}", tag = "applications",
    params(("id" = String, Path, description = "lic_…"), ("number" = usize, Path, description = "the amendment's number")),
    request_body = AmendmentDecision, security(("bearer" = [])),
    responses((status = 200, description = "The licence after the decision", body = Licence),
              (status = 404, description = "No such amendment", body = ErrorBody),
              (status = 409, description = "The amendment is not waiting for review", body = ErrorBody)))]
pub(crate) async fn decide_amendment(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path((id, number)): Path<(String, usize)>,
    Body(d): Body<AmendmentDecision>,
) -> ApiResult<Json<Licence>> {
    Ok(Json(s.app.decide_amendment(&p, &id, number, d).await?))
}

#[utoipa::path(get, path = "/api/v1/denials", tag = "denials", security(("bearer" = [])),
    responses((status = 200, description = "Denial notifications as they stand today, newest first", body = [Denial]),
              (status = 403, description = "Exporters do not see denials", body = ErrorBody)))]
pub(crate) async fn list_denials(State(s): State<AppState>, Caller(p): Caller) -> ApiResult<Json<Vec<Denial>>> {
    Ok(Json(s.app.denials(&p).await?))
}

#[utoipa::path(get, path = "/api/v1/denials/{id}", tag = "denials", params(("id" = String, Path, description = "den_…")),
    security(("bearer" = [])),
    responses((status = 200, description = "The denial notification", body = Denial),
              (status = 404, description = "Unknown denial", body = ErrorBody)))]
pub(crate) async fn get_denial(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Denial>> {
    Ok(Json(s.app.denial(&p, &id).await?))
}
