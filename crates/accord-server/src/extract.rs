//! Request extractors that turn every malformed input into a precise API error.

use crate::AppState;
use crate::error::ApiError;
use accord_core::ErrorCode;
use accord_core::principal::Principal;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

/// A JSON body; syntax errors, wrong types, unknown fields, size and media type each get their own code.
pub struct Body<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(Body(v)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

fn json_rejection(r: JsonRejection) -> ApiError {
    let text = r.body_text();
    let detail = text.rsplit_once(": ").map(|(_, d)| d.to_owned()).unwrap_or_else(|| text.clone());
    let (code, message) = match &r {
        JsonRejection::JsonSyntaxError(_) => {
            (ErrorCode::MalformedJson, format!("the request body is not valid JSON: {detail}"))
        }
        JsonRejection::JsonDataError(_) => {
            (ErrorCode::InvalidBody, format!("the request body does not match the expected shape: {detail}"))
        }
        JsonRejection::MissingJsonContentType(_) => (
            ErrorCode::UnsupportedMediaType,
            "send the request body as JSON with Content-Type: application/json".to_owned(),
        ),
        JsonRejection::BytesRejection(_) if r.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
            (ErrorCode::PayloadTooLarge, "the request body is larger than this node accepts".to_owned())
        }
        _ => (ErrorCode::MalformedJson, format!("the request body could not be read: {detail}")),
    };
    ApiError(accord_core::Error::new(code, message).with_details(serde_json::json!({ "reason": detail })))
}

/// Query-string parameters, rejected with `invalid_query` when malformed.
pub struct Params<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Params<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(Params(v)),
            Err(r) => Err(query_rejection(r)),
        }
    }
}

fn query_rejection(r: QueryRejection) -> ApiError {
    ApiError::new(ErrorCode::InvalidQuery, format!("invalid query string: {}", r.body_text()))
}

/// Path segments; one that does not parse (a position that is not a number) is `invalid_id` for a caller with a
/// key, and `unauthenticated` for an anonymous one (every such endpoint needs a key). Put it after [`Caller`].
pub struct Segments<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for Segments<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(Segments(v)),
            Err(r) => Err(path_rejection(parts, &r)),
        }
    }
}

fn path_rejection(parts: &Parts, r: &PathRejection) -> ApiError {
    match parts.extensions.get::<Principal>() {
        Some(p) if !matches!(p, Principal::Anonymous) => {
            ApiError::new(ErrorCode::InvalidId, format!("a path segment is not well formed: {}", r.body_text()))
        }
        _ => ApiError::new(ErrorCode::Unauthenticated, "this endpoint needs an API key (Authorization: Bearer …)"),
    }
}

/// The caller: anonymous without an `Authorization` header, a user with a valid bearer key.
pub struct Caller(pub Principal);

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if let Some(p) = parts.extensions.get::<Principal>() {
            return Ok(Caller(p.clone()));
        }
        let Some(header) = parts.headers.get(AUTHORIZATION) else {
            return Ok(Caller(Principal::Anonymous));
        };
        let token = header
            .to_str()
            .ok()
            .and_then(|h| h.strip_prefix("Bearer ").or_else(|| h.strip_prefix("bearer ")))
            .ok_or_else(|| {
                ApiError::new(ErrorCode::InvalidApiKey, "the Authorization header must be 'Bearer <API key>'")
            })?;
        let principal = state.app.authenticate(token).await?;
        parts.extensions.insert(principal.clone());
        Ok(Caller(principal))
    }
}
