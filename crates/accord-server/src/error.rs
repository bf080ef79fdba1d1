//! The API error type: every failure is answered as `{"error":{"code","message","details"}}`.

use accord_core::{Error, ErrorCode};
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

/// An error as sent to API clients.
#[derive(Debug)]
pub struct ApiError(pub Error);

/// The JSON body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// Code, message and details of an error.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable snake_case code (see the README's error table).
    #[schema(value_type = String, example = "not_found")]
    pub code: ErrorCode,
    /// Human-readable explanation.
    pub message: String,
    /// Structured context, when there is any.
    #[schema(value_type = Option<Object>)]
    pub details: Option<serde_json::Value>,
}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        ApiError(e)
    }
}

impl ApiError {
    /// Shortcut for an error from a code and message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError(Error::new(code, message))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let Error { code, message, details } = self.0;
        let status = StatusCode::from_u16(code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let message = if status.is_server_error() {
            tracing::error!(code = code.as_str(), %message, "request failed");
            // Internal details stay in the log; the client gets the code and the request id.
            match code {
                ErrorCode::Internal => {
                    "an unexpected error occurred; quote the x-request-id header when reporting it".to_owned()
                }
                _ => message,
            }
        } else {
            tracing::debug!(code = code.as_str(), %message, "request refused");
            message
        };
        let retry_after = details.as_ref().and_then(|d| d.get("retry_after_seconds")).and_then(|v| v.as_u64());
        let mut response = (status, Json(ErrorBody { error: ErrorDetail { code, message, details } })).into_response();
        if let Some(seconds) = retry_after {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from(seconds));
        }
        response.extensions_mut().insert(code);
        response
    }
}

/// Result type of handlers.
pub type ApiResult<T> = Result<T, ApiError>;
