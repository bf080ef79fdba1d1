//! Accord's HTTP API: the axum router, request ids, metrics, body limits, the OpenAPI document and
//! graceful shutdown. Handlers call the application services and nothing else.

mod api;
pub mod error;
mod extract;
pub mod metrics;
mod web;

use accord_app::App;
use accord_core::ErrorCode;
use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use metrics::Metrics;
use std::future::Future;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};
use tracing::Instrument;
use utoipa::OpenApi;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa_axum::router::OpenApiRouter;

/// Default largest request body: 1 MiB.
pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;

/// What one request may take of the node: body size, time, and a share of the requests in flight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest request body, in bytes.
    pub body: usize,
    /// Longest time from the request head to the end of the answer (reading the body included).
    pub request_timeout: Duration,
    /// Longest time a client may take to send a request head.
    pub header_timeout: Duration,
    /// Most requests answered at once; beyond them the node answers `503 overloaded` at once.
    pub max_in_flight: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            body: DEFAULT_BODY_LIMIT,
            request_timeout: Duration::from_secs(30),
            header_timeout: Duration::from_secs(10),
            max_in_flight: 1024,
        }
    }
}

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The application services.
    pub app: App,
    /// HTTP metrics.
    pub metrics: Arc<Metrics>,
}

/// The request id of the current request, as sent back in `x-request-id`.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

#[derive(OpenApi)]
#[openapi(
    info(title = "Accord", description = "Coalition export-control node: identity, access and the audit trail."),
    tags(
        (name = "node", description = "Health, readiness, metrics and this document"),
        (name = "authorities", description = "National licensing authorities (public directory)"),
        (name = "organisations", description = "Exporters, universities and forwarders"),
        (name = "users", description = "People and their roles"),
        (name = "keys", description = "API keys"),
        (name = "audit", description = "The hash-chained audit trail"),
        (name = "lists", description = "Restricted-party list versions and what each changed"),
        (name = "screening", description = "Restricted-party screening with explanations, and adjudications"),
        (name = "controls", description = "The harmonized control list on any day (public)"),
        (name = "determinations", description = "What every jurisdiction requires for a transaction, and the policies applied"),
        (name = "applications", description = "Licence applications and the cases they open"),
        (name = "denials", description = "What allies share: denials, consultations, notices, assessments, verifications"),
        (name = "federation", description = "Signed replication between allied nodes"),
        (name = "governance", description = "Proposals that change the control list and the policies: public comment, the allies' votes, adoption; feedback, review cycles, the technology watch"),
        (name = "early warning", description = "Trade statistics, early-warning indicators and the alerts they raise"),
        (name = "ownership", description = "Relations between parties and what the ownership rules conclude from them"),
        (name = "dashboards", description = "Dashboards of how the controls work and what they cost industry, and the public transparency report"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme("bearer", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
    }
}

/// Documents, on every operation, the error responses it can give (each with the error envelope) that its own
/// declaration does not already describe: so a client, or a fuzzer, meets no undocumented status.
struct ErrorResponses;

impl utoipa::Modify for ErrorResponses {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
        let error = |text: &str| {
            RefOr::T(
                ResponseBuilder::new()
                    .description(text)
                    .content(
                        "application/json",
                        ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build(),
                    )
                    .build(),
            )
        };
        for (path, item) in doc.paths.paths.iter_mut() {
            let federation = path.starts_with("/federation/");
            let operations = [
                (false, item.get.as_mut()),
                (true, item.post.as_mut()),
                (true, item.put.as_mut()),
                (true, item.delete.as_mut()),
                (true, item.patch.as_mut()),
            ];
            for (writes, op) in operations {
                let Some(op) = op else { continue };
                let has_path = path.contains('{');
                let has_body = op.request_body.is_some();
                let secured = op.security.is_some();
                let mut wanted = vec![
                    ("400", "A query parameter or path segment is malformed (`invalid_query`, `invalid_id`)"),
                    ("422", "A value is outside what the domain allows (`validation_failed`, `unknown_country`, …)"),
                    ("401", "The API key or peer signature is missing, malformed, unknown, revoked or expired"),
                    ("500", "An unexpected error (`internal_error`); quote the x-request-id"),
                    ("503", "The database cannot be reached, the node is overloaded, or the request timed out"),
                ];
                if secured || has_body || writes {
                    wanted.push(("403", "The caller's role does not allow this (`forbidden`)"));
                }
                // A day before the first version in force finds nothing, like an unknown record.
                let asks_a_day = op.parameters.iter().flatten().any(|p| p.name == "at");
                if has_path || asks_a_day {
                    wanted.push((
                        "404",
                        "No such record, not visible to the caller, or nothing in force on the day (`not_found`)",
                    ));
                }
                if writes {
                    wanted.push(("409", "The record changed or exists already (`conflict`, `already_exists`)"));
                }
                if has_body {
                    wanted.push(("413", "The request body is larger than this node accepts (`payload_too_large`)"));
                    wanted.push(("415", "The body is not sent as application/json (`unsupported_media_type`)"));
                }
                if federation {
                    wanted.push(("429", "The peer's request rate is spent (`peer_rate_limited`, see Retry-After)"));
                }
                for (status, text) in wanted {
                    op.responses.responses.entry(status.to_owned()).or_insert_with(|| error(text));
                }
            }
        }
    }
}

/// Gives path parameters the exact form the node accepts (id prefixes and alphabets, authority ids, numbers) and
/// day parameters the date format, so the document says what is valid rather than "any string".
struct ExactParameters;

/// The pattern of a generated id with `prefix`, optionally qualified by its owner (`DE-BAFA:den_…`).
fn id_pattern(prefix: &str, owned: bool) -> String {
    let owner = if owned { "([A-Z]{2}-[A-Z0-9]{2,16}:)?" } else { "" };
    format!("^{owner}{prefix}_[0-9A-HJKMNP-TV-Z]{{26}}$")
}

impl utoipa::Modify for ExactParameters {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::path::ParameterIn;
        use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
        let text = |pattern: String| ObjectBuilder::new().schema_type(Type::String).pattern(Some(pattern)).build();
        for (path, item) in doc.paths.paths.iter_mut() {
            let collection = path.trim_start_matches("/api/v1/").split('/').next().unwrap_or_default().to_owned();
            let operations =
                [item.get.as_mut(), item.post.as_mut(), item.put.as_mut(), item.delete.as_mut(), item.patch.as_mut()];
            for op in operations.into_iter().flatten() {
                for param in op.parameters.iter_mut().flatten() {
                    let schema = match (&param.parameter_in, param.name.as_str()) {
                        (ParameterIn::Path, "id") => match collection.as_str() {
                            "authorities" => Some(text("^[A-Z]{2}-[A-Z0-9]{2,16}$".into())),
                            "organisations" => Some(text(id_pattern("org", false))),
                            "users" => Some(text(id_pattern("usr", false))),
                            "keys" => Some(text(id_pattern("key", false))),
                            "applications" => Some(text(id_pattern("app", false))),
                            "cases" => Some(text(id_pattern("case", false))),
                            "licences" => Some(text(id_pattern("lic", false))),
                            "denials" => Some(text(id_pattern("den", true))),
                            "consultations" => Some(text(id_pattern("con", true))),
                            "assessments" => Some(text(id_pattern("ras", true))),
                            _ => None,
                        },
                        (ParameterIn::Path, "task" | "position" | "index" | "number") => Some(
                            ObjectBuilder::new()
                                .schema_type(Type::Integer)
                                .minimum(Some(0))
                                .maximum(Some(100_000))
                                .build(),
                        ),
                        (ParameterIn::Path, "action") => {
                            Some(text("^(assign|request-information|answer|advice|countersign)$".into()))
                        }
                        (ParameterIn::Query, "at" | "date") => Some(
                            ObjectBuilder::new()
                                .schema_type(Type::String)
                                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
                                .pattern(Some("^[0-9]{4}-[0-9]{2}-[0-9]{2}$"))
                                .build(),
                        ),
                        _ => None,
                    };
                    if let Some(schema) = schema {
                        param.schema = Some(schema.into());
                    }
                }
            }
        }
    }
}

/// Every endpoint, each declared once in its module with its OpenAPI operation; and the document they make, with
/// the security scheme, the error answers and the exact parameters filled in.
fn api() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, mut doc) = OpenApiRouter::with_openapi(ApiDoc::openapi()).merge(api::routes()).split_for_parts();
    let modifiers: [&dyn utoipa::Modify; 3] = [&BearerAuth, &ErrorResponses, &ExactParameters];
    for m in modifiers {
        m.modify(&mut doc);
    }
    (router, doc)
}

/// The router of every endpoint.
fn api_router() -> Router<AppState> {
    api().0
}

/// The OpenAPI document, built once.
fn document() -> &'static utoipa::openapi::OpenApi {
    static DOC: OnceLock<utoipa::openapi::OpenApi> = OnceLock::new();
    DOC.get_or_init(|| api().1)
}

/// The operations the document declares as needing a key, as (method, route template).
fn secured_routes() -> &'static std::collections::HashSet<(String, String)> {
    static SECURED: OnceLock<std::collections::HashSet<(String, String)>> = OnceLock::new();
    SECURED.get_or_init(|| {
        let doc = document();
        let mut set = std::collections::HashSet::new();
        for (path, item) in &doc.paths.paths {
            let operations = [
                ("GET", &item.get),
                ("POST", &item.post),
                ("PUT", &item.put),
                ("DELETE", &item.delete),
                ("PATCH", &item.patch),
            ];
            for (method, op) in operations {
                if op.as_ref().is_some_and(|o| o.security.is_some()) {
                    set.insert((method.to_owned(), path.clone()));
                }
            }
        }
        set
    })
}

/// Answers `401 unauthenticated` to a request without an `Authorization` header on an operation that needs a key,
/// before any of its input is read: an anonymous caller learns nothing from validation errors.
async fn require_key(req: Request, next: Next) -> Response {
    let route = req.extensions().get::<MatchedPath>().map(|p| p.as_str().to_owned());
    if let Some(route) = route
        && !req.headers().contains_key(axum::http::header::AUTHORIZATION)
        && secured_routes().contains(&(req.method().as_str().to_owned(), route))
    {
        return axum::response::IntoResponse::into_response(error::ApiError::new(
            ErrorCode::Unauthenticated,
            "this endpoint needs an API key (Authorization: Bearer …)",
        ));
    }
    next.run(req).await
}

/// The OpenAPI 3.1 document, generated from the handlers and types.
pub fn openapi_json() -> &'static str {
    static DOC: OnceLock<String> = OnceLock::new();
    DOC.get_or_init(|| document().to_pretty_json().unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}")))
}

/// Builds the router with every endpoint, the body limit and the observing middleware (other limits by default).
pub fn router(app: App, body_limit: usize) -> Router {
    router_with(app, Limits { body: body_limit, ..Limits::default() })
}

/// Builds the router with every endpoint, the given limits and the observing middleware.
pub fn router_with(app: App, limits: Limits) -> Router {
    let state = AppState { app, metrics: Arc::new(Metrics::default()) };
    let guard = Guard {
        timeout: limits.request_timeout,
        slots: Arc::new(tokio::sync::Semaphore::new(limits.max_in_flight.max(1))),
    };
    api_router()
        .merge(web::routes())
        .fallback(api::node::route_not_found)
        .method_not_allowed_fallback(api::node::method_not_allowed)
        .route_layer(axum::middleware::from_fn(require_key))
        .layer(axum::middleware::from_fn_with_state(guard, limit))
        .layer(axum::middleware::from_fn_with_state(state.clone(), observe))
        .layer(DefaultBodyLimit::max(limits.body))
        .with_state(state)
}

/// The request timeout and the slots of requests in flight.
#[derive(Clone)]
struct Guard {
    timeout: Duration,
    slots: Arc<tokio::sync::Semaphore>,
}

/// Answers `503 overloaded` when every slot is taken (health and readiness probes excepted, so an orchestrator
/// still sees the node), and `503 request_timeout` when the answer takes longer than the timeout.
async fn limit(State(guard): State<Guard>, req: Request, next: Next) -> Response {
    use axum::response::IntoResponse;
    let probe = matches!(req.uri().path(), "/health" | "/ready");
    let _slot = if probe {
        None
    } else {
        match guard.slots.clone().try_acquire_owned() {
            Ok(slot) => Some(slot),
            Err(_) => {
                let mut r = error::ApiError(
                    accord_core::Error::new(
                        ErrorCode::Overloaded,
                        "the node is answering as many requests as it may; retry shortly",
                    )
                    .with_details(serde_json::json!({ "retry_after_seconds": 1 })),
                )
                .into_response();
                r.headers_mut().insert(axum::http::header::RETRY_AFTER, HeaderValue::from_static("1"));
                return r;
            }
        }
    };
    match tokio::time::timeout(guard.timeout, next.run(req)).await {
        Ok(response) => response,
        Err(_) => error::ApiError::new(
            ErrorCode::RequestTimeout,
            format!(
                "the request was not answered within {} s; a change it asked for may still have been made, so read \
                 before retrying (an Idempotency-Key makes a retry safe)",
                guard.timeout.as_secs()
            ),
        )
        .into_response(),
    }
}

fn acceptable_request_id(v: &HeaderValue) -> Option<String> {
    let s = v.to_str().ok()?;
    (!s.is_empty() && s.len() <= 128 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b)))
        .then(|| s.to_owned())
}

/// Gives each request an id (the caller's `x-request-id` when it is sane), a log span, and metrics.
async fn observe(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = req
        .headers()
        .get("x-request-id")
        .and_then(acceptable_request_id)
        .unwrap_or_else(|| accord_core::ids::generate_id("req"));
    let method = req.method().as_str().to_owned();
    let route =
        req.extensions().get::<MatchedPath>().map(|p| p.as_str().to_owned()).unwrap_or_else(|| "unmatched".to_owned());
    req.extensions_mut().insert(RequestId(id.clone()));
    let span = tracing::info_span!("request", request_id = %id, method = %method, route = %route);
    let mut response = next.run(req).instrument(span.clone()).await;
    let elapsed = started.elapsed();
    let status = response.status().as_u16();
    state.metrics.observe(&method, &route, status, elapsed);
    span.in_scope(|| {
        let code = response.extensions().get::<ErrorCode>().map(|c| c.as_str()).unwrap_or("");
        tracing::info!(status, elapsed_ms = elapsed.as_secs_f64() * 1000.0, error_code = code, "request finished");
    });
    if let Ok(v) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-request-id", v);
    }
    response
}

/// Serves the API on `listener` until `shutdown` resolves; in-flight requests then finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(listener, router, Limits::default().header_timeout, shutdown).await
}

/// [`serve`], closing a connection whose client takes longer than `header_timeout` to send a request head (a slow
/// client cannot hold connections open).
pub async fn serve_with(
    listener: tokio::net::TcpListener,
    router: Router,
    header_timeout: Duration,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let mut connections = tokio::task::JoinSet::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(header_timeout);
    tokio::pin!(shutdown);
    loop {
        let (stream, _) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of descriptors or a reset before accept: wait a little, go on.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let service = hyper_util::service::TowerToHyperService::new(router.clone());
        let connection = http.serve_connection(TokioIo::new(stream), service);
        let mut stopped = stopped.clone();
        connections.spawn(async move {
            tokio::pin!(connection);
            tokio::select! {
                _ = connection.as_mut() => {}
                _ = stopped.changed() => {
                    connection.as_mut().graceful_shutdown();
                    let _ = connection.await;
                }
            }
        });
        // Reap finished connections as we go.
        while connections.try_join_next().is_some() {}
    }
    let _ = stop.send(true);
    while connections.join_next().await.is_some() {}
    Ok(())
}
