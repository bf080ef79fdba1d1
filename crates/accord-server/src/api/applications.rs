//! Licence applications (drafted idempotently, submitted) and their documents.

use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Body, Caller, Params, Segments};
use accord_app::DocumentView;
use accord_core::ErrorCode;
use accord_core::cases::{Application, NewApplication};
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

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

/// The file-name extension of an accepted media type.
fn extension(content_type: &str) -> &'static str {
    match content_type {
        "application/pdf" => ".pdf",
        "image/png" => ".png",
        "image/jpeg" => ".jpg",
        "text/plain" => ".txt",
        "text/csv" => ".csv",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => ".docx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => ".xlsx",
        _ => ".bin",
    }
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
    Segments((id, position)): Segments<(String, usize)>,
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
    Segments((id, position)): Segments<(String, usize)>,
) -> ApiResult<Response> {
    let f = s.app.document_file(&p, &id, position).await?;
    let content_type =
        HeaderValue::from_str(&f.content_type).unwrap_or(HeaderValue::from_static("application/octet-stream"));
    // An upload is never rendered by the browser as part of the node: it is a download, its type is not guessed,
    // and were it opened it could run nothing and reach nothing.
    let name = format!("attachment; filename=\"{}-{position}{}\"", f.application_id, extension(&f.content_type));
    let disposition = HeaderValue::from_str(&name).unwrap_or(HeaderValue::from_static("attachment"));
    Ok((
        [
            (CONTENT_TYPE, content_type),
            (axum::http::header::CONTENT_DISPOSITION, disposition),
            (axum::http::header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
            (
                axum::http::header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("sandbox; default-src 'none'; frame-ancestors 'none'"),
            ),
            (axum::http::header::CACHE_CONTROL, HeaderValue::from_static("private, no-store")),
        ],
        f.content,
    )
        .into_response())
}

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(apply, list_applications))
        .routes(routes!(submit))
        .routes(routes!(get_application))
        .routes(routes!(list_documents))
        .routes({
            // Documents are larger than other bodies.
            let (schemas, paths, method) = routes!(upload_document, download_document);
            (schemas, paths, method.layer(DefaultBodyLimit::max(accord_app::MAX_DOCUMENT_BYTES + 1)))
        })
}
