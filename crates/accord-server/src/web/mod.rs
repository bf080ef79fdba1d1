//! The web interface for people: server-rendered pages over the same application services and permissions as the
//! API, fast without JavaScript, with no fonts or scripts from elsewhere (authorities run offline networks).

mod account;
mod cases;
mod check;
mod coalition;
mod controls;
mod licences;
mod public;
mod screen;
mod session;

use crate::AppState;
use accord_app::Session;
use accord_core::Error;
use axum::Router;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use maud::{DOCTYPE, Markup, html};

/// The pages, with their stylesheet.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/controls", get(controls::index))
        .route("/controls/versions", get(controls::versions))
        .route("/controls/{code}", get(controls::entry))
        .route("/policies", get(public::policies))
        .route("/authorities", get(public::authorities))
        .route("/sign-in", get(account::sign_in_form).post(account::sign_in))
        .route("/invitations/{token}", get(account::invitation_form).post(account::accept_invitation))
        .route("/account", get(account::account))
        .route("/check", get(check::check))
        .route("/apply", post(check::apply))
        .route("/screen", get(screen::screen))
        .route("/screen/adjudications", post(screen::adjudicate))
        .route("/coalition", get(coalition::coalition))
        .route("/coalition/consultations/{id}/answer", post(coalition::answer))
        .route("/licences", get(licences::licences))
        .route("/licences/{id}", get(licences::licence))
        .route("/licences/{id}/shipments", post(licences::report))
        .route("/cases", get(cases::queue))
        .route("/cases/{id}", get(cases::case))
        .route("/cases/{id}/decide", post(cases::decide))
        .route("/cases/{id}/countersign", post(cases::countersign))
        .route("/cases/{id}/{action}", post(cases::work))
        .route("/sign-out", post(account::sign_out))
        .route("/sign-out-everywhere", post(account::sign_out_everywhere))
        .route("/static/accord.css", get(stylesheet))
}

const STYLE: &str = include_str!("style.css");

/// Headers every page carries: nothing runs or loads from elsewhere, no framing, no sniffing.
const PAGE_HEADERS: [(&str, &str); 4] = [
    (
        "content-security-policy",
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    ),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "same-origin"),
    ("x-frame-options", "DENY"),
];

/// A page answer: its status and markup, with the security headers.
pub(crate) struct Page(StatusCode, Markup);

impl IntoResponse for Page {
    fn into_response(self) -> Response {
        let mut response = (self.0, [(CONTENT_TYPE, "text/html; charset=utf-8")], self.1.into_string()).into_response();
        for (name, value) in PAGE_HEADERS {
            response.headers_mut().insert(HeaderName::from_static(name), HeaderValue::from_static(value));
        }
        response
    }
}

/// An error shown as a page: the same message and code the API gives, with the HTTP status of its class.
pub(crate) struct PageError(Error);

impl From<Error> for PageError {
    fn from(e: Error) -> Self {
        PageError(e)
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.0.code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let message = if status.is_server_error() {
            tracing::error!(error = %self.0.message, "a page failed");
            "Something went wrong on this node; the error has been logged.".to_owned()
        } else {
            self.0.message
        };
        let title = if status == StatusCode::NOT_FOUND { "Not found" } else { "This cannot be shown" };
        Page(
            status,
            layout(
                title,
                None,
                html! {
                    h1 { (title) }
                    p.error role="alert" { (message) " " span.meta { "(" (self.0.code.as_str()) ")" } }
                    p { a href="/" { "Back to the start page" } }
                },
            ),
        )
        .into_response()
    }
}

/// A form body, read as `application/x-www-form-urlencoded`; one that cannot be read is shown as a page with the
/// API's `invalid_body` error rather than as plain text.
pub(crate) struct PageForm<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> axum::extract::FromRequest<S> for PageForm<T> {
    type Rejection = PageError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Form::<T>::from_request(req, state).await {
            Ok(axum::Form(v)) => Ok(PageForm(v)),
            Err(e) => Err(PageError(Error::new(
                accord_core::ErrorCode::InvalidBody,
                format!("the form could not be read: {}", e.body_text()),
            ))),
        }
    }
}

/// A `303 See Other` to `to`, with cookies to set.
pub(crate) fn redirect(to: &str, cookies: Vec<HeaderValue>) -> Response {
    let mut response = (StatusCode::SEE_OTHER, [(axum::http::header::LOCATION, to)]).into_response();
    for c in cookies {
        response.headers_mut().append(axum::http::header::SET_COOKIE, c);
    }
    response
}

/// The result of a page handler.
pub(crate) type PageResult = Result<Page, PageError>;

/// The frame of every page: language, title, skip link, the site header and navigation, the main landmark.
pub(crate) fn layout(title: &str, viewer: Option<&Session>, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · Accord" }
                link rel="stylesheet" href="/static/accord.css";
            }
            body {
                a.skip href="#main" { "Skip to the content" }
                header.site {
                    a.brand href="/" { "Accord" }
                    nav aria-label="Main" {
                        ul {
                            li { a href="/controls" { "Control list" } }
                            li { a href="/policies" { "Policies" } }
                            li { a href="/authorities" { "Authorities" } }
                            @match viewer {
                                Some(s) => {
                                    li { a href="/check" { "Check a shipment" } }
                                    li { a href="/screen" { "Screen a party" } }
                                    li { a href="/cases" { "Cases" } }
                                    li { a href="/licences" { "Licences" } }
                                    @if !matches!(s.user.role, accord_core::model::Role::Exporter) {
                                        li { a href="/coalition" { "Coalition" } }
                                    }
                                    li { a href="/account" { (s.user.name) } }
                                }
                                None => li { a href="/sign-in" { "Sign in" } },
                            }
                        }
                    }
                }
                main #main { (body) }
                footer.site {
                    "Accord: one export-control system for allied governments and their exporters."
                }
            }
        }
    }
}

/// Renders a page with status 200.
pub(crate) fn page(title: &str, viewer: Option<&Session>, body: Markup) -> PageResult {
    Ok(Page(StatusCode::OK, layout(title, viewer, body)))
}

async fn home(session::Viewer(viewer): session::Viewer) -> PageResult {
    page(
        "Start",
        viewer.as_ref(),
        html! {
            h1 { "Export controls, one coalition" }
            p {
                "Accord keeps the allies' harmonized dual-use control list, tells exporters what each allied "
                "jurisdiction requires for a shipment, and lets licensing authorities decide together."
            }
            h2 { "Classify goods" }
            p {
                "Search the control list by code or words, or browse its categories; each entry shows its sub-items "
                "and the code each jurisdiction lists it under."
            }
            form.search method="get" action="/controls" role="search" {
                label for="q" { "Code or words" input #q type="search" name="q" required maxlength="200"; }
                button type="submit" { "Search" }
            }
            p { a href="/controls" { "Browse the control list" } " · " a href="/controls/versions" { "Its versions" } }
        },
    )
}

async fn stylesheet() -> impl IntoResponse {
    (
        [(CONTENT_TYPE, "text/css; charset=utf-8"), (CACHE_CONTROL, "public, max-age=3600")],
        [(HeaderName::from_static("x-content-type-options"), "nosniff")],
        STYLE,
    )
}
