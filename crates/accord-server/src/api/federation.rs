//! Federation: the signed outbox, audit checkpoints, notifications and replication status.

use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Caller, Params};
use accord_app::{FederationStatus, PeerRequest, REQUEST_HEADERS};
use accord_core::ErrorCode;
use accord_core::federation::Envelope;
use axum::Json;
use axum::extract::{OriginalUri, State};
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Which envelopes to read.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct OutboxQuery {
    /// Only envelopes after this sequence number (default 0).
    #[serde(default)]
    pub after: i64,
    /// At most this many (default 500, at most 1000).
    #[serde(default = "default_limit")]
    pub limit: i64,
}

fn default_limit() -> i64 {
    500
}

/// A page of the outbox.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct OutboxPage {
    /// Envelopes in sequence order.
    pub envelopes: Vec<Envelope>,
    /// The last sequence number of the outbox.
    pub head: i64,
}

/// Checks the signed headers of a peer's request; returns the peer's authority.
async fn peer_of(s: &AppState, headers: &HeaderMap, method: &str, uri: &OriginalUri) -> Result<String, ApiError> {
    let [authority, target, timestamp, nonce, signature] =
        REQUEST_HEADERS.map(|name| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned());
    if [&authority, &target, &timestamp, &nonce, &signature].iter().any(|v| v.is_empty()) {
        return Err(ApiError::new(
            ErrorCode::Unauthenticated,
            format!("a peer signs its requests ({})", REQUEST_HEADERS.join(", ")),
        ));
    }
    let path_and_query = uri.0.path_and_query().map_or_else(|| uri.0.path().to_owned(), |p| p.as_str().to_owned());
    let request =
        PeerRequest { authority, target, timestamp, nonce, signature, method: method.to_owned(), path_and_query };
    Ok(s.app.check_peer_request(&request).await?.authority_id)
}

#[utoipa::path(get, path = "/federation/v1/outbox", tag = "federation", params(OutboxQuery),
    responses((status = 200, description = "Signed envelopes after the given sequence number", body = OutboxPage),
              (status = 401, description = "Not a registered peer, or a bad, misdirected or replayed request signature", body = ErrorBody),
              (status = 429, description = "The peer's request rate is spent (see Retry-After)", body = ErrorBody)))]
pub(crate) async fn outbox(
    State(s): State<AppState>,
    uri: OriginalUri,
    headers: HeaderMap,
    Params(q): Params<OutboxQuery>,
) -> ApiResult<Json<OutboxPage>> {
    let peer = peer_of(&s, &headers, "GET", &uri).await?;
    let (envelopes, head) = s.app.outbox_for_peer(&peer, q.after, q.limit).await?;
    Ok(Json(OutboxPage { envelopes, head }))
}

#[utoipa::path(get, path = "/federation/v1/checkpoints", tag = "federation",
    responses((status = 200, description = "The signed audit checkpoints of the calling peer that this node holds, by sequence", body = [accord_core::audit::Checkpoint]),
              (status = 401, description = "Not a registered peer, or a bad, misdirected or replayed request signature", body = ErrorBody),
              (status = 429, description = "The peer's request rate is spent (see Retry-After)", body = ErrorBody)))]
pub(crate) async fn checkpoints(
    State(s): State<AppState>,
    uri: OriginalUri,
    headers: HeaderMap,
) -> ApiResult<Json<Vec<accord_core::audit::Checkpoint>>> {
    let peer = peer_of(&s, &headers, "GET", &uri).await?;
    Ok(Json(s.app.checkpoints_held_for(&peer).await?))
}

#[utoipa::path(post, path = "/federation/v1/notify", tag = "federation",
    responses((status = 202, description = "This node will pull from the caller now (the request carries no data)"),
              (status = 401, description = "Not a registered peer, or a bad, misdirected or replayed request signature", body = ErrorBody),
              (status = 429, description = "The peer's request rate is spent (see Retry-After)", body = ErrorBody)))]
pub(crate) async fn notify(State(s): State<AppState>, uri: OriginalUri, headers: HeaderMap) -> ApiResult<StatusCode> {
    peer_of(&s, &headers, "POST", &uri).await?;
    if let Some(f) = s.app.federation() {
        f.pull_now.notify_one();
    }
    Ok(StatusCode::ACCEPTED)
}

#[utoipa::path(get, path = "/api/v1/federation/status", tag = "federation", security(("bearer" = [])),
    responses((status = 200, body = FederationStatus, description = "Identity, outbox head, per peer the last sequence \
               received, lag and last error, and the latest rejected and quarantined envelopes")))]
pub(crate) async fn status(State(s): State<AppState>, Caller(p): Caller) -> ApiResult<Json<FederationStatus>> {
    Ok(Json(s.app.federation_status(&p).await?))
}

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(outbox))
        .routes(routes!(checkpoints))
        .routes(routes!(notify))
        .routes(routes!(status))
}
