//! Documents of applications, rosters and amendments of licences, and denial notifications.

use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Body, Caller, Params, Segments};
use accord_app::{AssessmentView, DenialMatch, DocumentView};
use accord_core::ErrorCode;
use accord_core::denials::{
    AnswerKind, ApprovalNotice, ConsultationView, Denial, DenialChange, NewAssessment, NewDenial, SharedVerification,
};
use accord_core::licences::{AmendmentDecision, Licence, NewAmendment, Participant};
use axum::Json;
use axum::body::Bytes;
use axum::extract::DefaultBodyLimit;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

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
    Segments((id, index)): Segments<(String, usize)>,
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
    Segments((id, number)): Segments<(String, usize)>,
    Body(d): Body<AmendmentDecision>,
) -> ApiResult<Json<Licence>> {
    Ok(Json(s.app.decide_amendment(&p, &id, number, d).await?))
}

/// A search of denials by party name.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DenialQuery {
    /// Only denials with a party whose name matches this one (screening), best first.
    pub party: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/denials", tag = "denials", params(DenialQuery), security(("bearer" = [])),
    responses((status = 200, description = "Denial notifications of every authority as they stand today, newest first (or best match first)", body = [DenialMatch]),
              (status = 403, description = "Exporters do not see denials", body = ErrorBody)))]
pub(crate) async fn list_denials(
    State(s): State<AppState>,
    Caller(p): Caller,
    Params(q): Params<DenialQuery>,
) -> ApiResult<Json<Vec<DenialMatch>>> {
    Ok(Json(s.app.denials(&p, q.party.as_deref()).await?))
}

#[utoipa::path(post, path = "/api/v1/denials", tag = "denials", request_body = NewDenial, security(("bearer" = [])),
    responses((status = 201, description = "Recorded and sent to the allies", body = Denial),
              (status = 403, description = "Not an officer of an authority", body = ErrorBody),
              (status = 422, description = "A missing or malformed field", body = ErrorBody)))]
pub(crate) async fn create_denial(
    State(s): State<AppState>,
    Caller(p): Caller,
    Body(d): Body<NewDenial>,
) -> ApiResult<(StatusCode, Json<Denial>)> {
    Ok((StatusCode::CREATED, Json(s.app.create_denial(&p, d).await?)))
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

#[utoipa::path(post, path = "/api/v1/denials/{id}", tag = "denials", params(("id" = String, Path, description = "den_…")),
    request_body = DenialChange, security(("bearer" = [])),
    responses((status = 200, description = "The new version, sent to the allies", body = Denial),
              (status = 403, description = "Not the notifying authority", body = ErrorBody),
              (status = 409, description = "Changed meanwhile, or revoked", body = ErrorBody)))]
pub(crate) async fn change_denial(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<String>,
    Body(c): Body<DenialChange>,
) -> ApiResult<Json<Denial>> {
    Ok(Json(s.app.change_denial(&p, &id, c).await?))
}

/// Request to consult the authority that denied.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewConsultation {
    /// The denial the case matches.
    pub denial_id: String,
    /// What is asked.
    pub question: String,
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/consultations", tag = "denials", params(("id" = String, Path, description = "case_…")),
    request_body = NewConsultation, security(("bearer" = [])),
    responses((status = 201, description = "Opened and sent to the allies", body = ConsultationView),
              (status = 409, description = "Already consulted on this denial", body = ErrorBody)))]
pub(crate) async fn open_consultation(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<String>,
    Body(c): Body<NewConsultation>,
) -> ApiResult<(StatusCode, Json<ConsultationView>)> {
    Ok((StatusCode::CREATED, Json(s.app.open_consultation(&p, &id, &c.denial_id, &c.question).await?)))
}

#[utoipa::path(get, path = "/api/v1/consultations", tag = "denials", security(("bearer" = [])),
    responses((status = 200, description = "Every consultation this node knows, newest first", body = [ConsultationView])))]
pub(crate) async fn list_consultations(
    State(s): State<AppState>,
    Caller(p): Caller,
) -> ApiResult<Json<Vec<ConsultationView>>> {
    Ok(Json(s.app.consultations(&p).await?))
}

/// The consulted authority's answer.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAnswer {
    /// `no_objection`, `objection` or `information`.
    pub kind: AnswerKind,
    /// Reasons and information.
    pub reasons: String,
}

#[utoipa::path(post, path = "/api/v1/consultations/{id}/answer", tag = "denials", params(("id" = String, Path, description = "con_…")),
    request_body = NewAnswer, security(("bearer" = [])),
    responses((status = 200, description = "Answered and sent to the allies", body = ConsultationView),
              (status = 403, description = "Not addressed to the caller's authority", body = ErrorBody),
              (status = 409, description = "Answered already", body = ErrorBody)))]
pub(crate) async fn answer_consultation(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<String>,
    Body(a): Body<NewAnswer>,
) -> ApiResult<Json<ConsultationView>> {
    Ok(Json(s.app.answer_consultation(&p, &id, a.kind, &a.reasons).await?))
}

#[utoipa::path(get, path = "/api/v1/notices", tag = "denials", security(("bearer" = [])),
    responses((status = 200, description = "Approvals that went ahead after an objection or without an answer", body = [ApprovalNotice])))]
pub(crate) async fn list_notices(State(s): State<AppState>, Caller(p): Caller) -> ApiResult<Json<Vec<ApprovalNotice>>> {
    Ok(Json(s.app.notices(&p).await?))
}

#[utoipa::path(get, path = "/api/v1/assessments", tag = "denials", security(("bearer" = [])),
    responses((status = 200, description = "Risk assessments of every authority with their endorsements", body = [AssessmentView])))]
pub(crate) async fn list_assessments(
    State(s): State<AppState>,
    Caller(p): Caller,
) -> ApiResult<Json<Vec<AssessmentView>>> {
    Ok(Json(s.app.assessments(&p).await?))
}

#[utoipa::path(post, path = "/api/v1/assessments", tag = "denials", request_body = NewAssessment, security(("bearer" = [])),
    responses((status = 201, description = "Published to the allies", body = AssessmentView)))]
pub(crate) async fn publish_assessment(
    State(s): State<AppState>,
    Caller(p): Caller,
    Body(a): Body<NewAssessment>,
) -> ApiResult<(StatusCode, Json<AssessmentView>)> {
    Ok((StatusCode::CREATED, Json(s.app.publish_assessment(&p, a).await?)))
}

/// An endorsement's comment.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewEndorsement {
    /// What the endorsing authority adds.
    pub comment: String,
}

#[utoipa::path(post, path = "/api/v1/assessments/{id}/endorse", tag = "denials", params(("id" = String, Path, description = "ras_…")),
    request_body = NewEndorsement, security(("bearer" = [])),
    responses((status = 200, description = "Endorsed, and the endorsement sent to the allies", body = AssessmentView),
              (status = 409, description = "Endorsed by this authority already", body = ErrorBody)))]
pub(crate) async fn endorse_assessment(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<String>,
    Body(e): Body<NewEndorsement>,
) -> ApiResult<Json<AssessmentView>> {
    Ok(Json(s.app.endorse_assessment(&p, &id, &e.comment).await?))
}

#[utoipa::path(get, path = "/api/v1/verifications", tag = "denials", security(("bearer" = [])),
    responses((status = 200, description = "Verification and audit results shared by every authority", body = [SharedVerification])))]
pub(crate) async fn list_verifications(
    State(s): State<AppState>,
    Caller(p): Caller,
) -> ApiResult<Json<Vec<SharedVerification>>> {
    Ok(Json(s.app.verifications(&p).await?))
}

/// Every endpoint of this module, each with its OpenAPI operation.
pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(add_participant))
        .routes(routes!(remove_participant))
        .routes(routes!(amend_licence))
        .routes(routes!(decide_amendment))
        .routes(routes!(list_documents))
        .routes({
            // Documents are larger than other bodies.
            let (schemas, paths, method) = routes!(download_document, upload_document);
            (schemas, paths, method.layer(DefaultBodyLimit::max(accord_app::MAX_DOCUMENT_BYTES + 1)))
        })
        .routes(routes!(list_denials, create_denial))
        .routes(routes!(get_denial, change_denial))
        .routes(routes!(open_consultation))
        .routes(routes!(list_consultations))
        .routes(routes!(answer_consultation))
        .routes(routes!(list_notices))
        .routes(routes!(list_assessments, publish_assessment))
        .routes(routes!(endorse_assessment))
        .routes(routes!(list_verifications))
}
