//! The web interface for people: server-rendered pages over the same application services and permissions as the
//! API, fast without JavaScript, with no fonts or scripts from elsewhere (authorities run offline networks).

mod account;
mod applications;
mod cases;
mod charts;
mod check;
mod coalition;
mod compliance;
mod controls;
mod dashboards;
mod feedback;
mod i18n;
mod licences;
mod ownership;
mod proposals;
mod public;
mod reviews;
mod screen;
mod session;
mod warnings;

use crate::AppState;
use accord_app::Session;
use accord_core::Error;
use axum::Router;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use i18n::t;
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
        .route("/feedback", get(feedback::feedback).post(feedback::act))
        .route("/reviews", get(reviews::reviews).post(reviews::act))
        .route("/warnings", get(warnings::warnings).post(warnings::act))
        .route("/ownership", get(ownership::ownership).post(ownership::act))
        .route(
            "/warnings/declarations",
            post(warnings::import_declarations)
                .layer(axum::extract::DefaultBodyLimit::max(crate::api::warnings::MAX_TRADE_IMPORT_BYTES)),
        )
        .route("/dashboard", get(dashboards::dashboard))
        .route("/transparency", get(dashboards::transparency))
        .route("/proposals", get(proposals::proposals))
        .route("/proposals/{key}", get(proposals::proposal))
        .route("/proposals/{key}/comments", post(proposals::comment))
        .route("/proposals/{key}/steps/{step}", post(proposals::step))
        .route("/proposals/{key}/votes", post(proposals::vote))
        .route("/proposals/{key}/opinions", post(proposals::opinion))
        .route("/proposals/{key}/close", post(proposals::close))
        .route("/comments/{id}/moderation", post(proposals::moderate))
        .route("/sign-in", get(account::sign_in_form).post(account::sign_in))
        .route("/invitations/{token}", get(account::invitation_form).post(account::accept_invitation))
        .route("/account", get(account::account))
        .route("/account/second-factor", post(account::change_second_factor))
        .route("/check", get(check::check))
        .route("/apply", post(check::apply))
        .route("/applications", get(applications::applications))
        .route("/applications/{id}/submit", post(applications::submit))
        .route("/screen", get(screen::screen))
        .route("/screen/adjudications", post(screen::adjudicate))
        .route("/compliance", get(compliance::compliance).post(compliance::record))
        .route("/coalition", get(coalition::coalition))
        .route("/coalition/consultations/{id}/answer", post(coalition::answer))
        .route("/licences", get(licences::licences))
        .route("/licences/{id}", get(licences::licence))
        .route("/licences/{id}/shipments", post(licences::report))
        .route("/licences/{id}/{action}", post(licences::work))
        .route("/cases", get(cases::queue))
        .route("/cases/{id}", get(cases::case))
        .route("/cases/{id}/decide", post(cases::decide))
        .route("/cases/{id}/countersign", post(cases::countersign))
        .route("/cases/{id}/tasks", post(cases::open_task))
        .route("/cases/{id}/consult", post(cases::consult))
        .route("/cases/{id}/tasks/{task}", post(cases::close_task))
        .route("/cases/{id}/{action}", post(cases::work))
        .route("/sign-out", post(account::sign_out))
        .route("/sign-out-everywhere", post(account::sign_out_everywhere))
        .route("/language/{code}", get(language))
        .route("/static/accord.css", get(stylesheet))
        .layer(axum::middleware::from_fn(i18n::in_language))
}

/// Where to go back to after choosing a language.
#[derive(Debug, Default, serde::Deserialize)]
struct Back {
    back: Option<String>,
}

/// Keeps a person's choice of language in a cookie, and goes back to the page they were on.
async fn language(
    headers: axum::http::HeaderMap,
    axum::extract::Path(code): axum::extract::Path<String>,
    axum::extract::Query(q): axum::extract::Query<Back>,
) -> Response {
    // Back to the page the choice was made on: the one named, else the referring page of this site.
    let referer = headers
        .get(axum::http::header::REFERER)
        .and_then(|r| r.to_str().ok())
        .and_then(|r| r.split_once("://").map(|(_, rest)| rest))
        .and_then(|rest| rest.find('/').map(|i| rest[i..].to_owned()));
    let back = q
        .back
        .or(referer)
        .filter(|b| b.starts_with('/') && !b.starts_with("//") && !b.contains('\\'))
        .unwrap_or_else(|| "/".into());
    match i18n::Lang::ALL.into_iter().find(|l| l.code() == code) {
        Some(lang) => {
            redirect(&back, vec![session::set_cookie(&headers, i18n::LANG_COOKIE, lang.code(), 365 * 86_400)])
        }
        None => PageError(Error::not_found("language", &code)).into_response(),
    }
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
        let status = status_of(&self.0);
        let message = if status.is_server_error() {
            tracing::error!(error = %self.0.message, "a page failed");
            t("error.internal").to_owned()
        } else {
            self.0.message
        };
        let title = if status == StatusCode::NOT_FOUND { t("error.not_found") } else { t("error.refused") };
        Page(
            status,
            layout(
                title,
                None,
                html! {
                    h1 { (title) }
                    p.error role="alert" { (message) " " span.meta { "(" (self.0.code.as_str()) ")" } }
                    p { a href="/" { (t("error.back")) } }
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
                i18n::tr!("error.unreadable", detail = e.body_text()),
            ))),
        }
    }
}

/// A `303 See Other` to `to`, with cookies to set.
/// A page's forms as sent: the form token, which action, and the other fields by name.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct ActionForm {
    /// The form token.
    #[serde(default)]
    pub(crate) csrf: String,
    /// Which of the page's forms.
    #[serde(default)]
    pub(crate) action: String,
    #[serde(flatten)]
    fields: std::collections::BTreeMap<String, String>,
}

impl ActionForm {
    /// A field's value, trimmed; `None` when absent or empty.
    pub(crate) fn field(&self, name: &str) -> Option<String> {
        self.fields.get(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
    }

    /// A value of a closed set chosen in the form, or `message` naming the field.
    pub(crate) fn choice<T>(&self, name: &str, parse: fn(&str) -> Option<T>, message: &str) -> Result<T, Error> {
        self.field(name).and_then(|v| parse(&v)).ok_or_else(|| Error::validation(name, message))
    }
}

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
        html lang=(i18n::lang().code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · Accord" }
                link rel="stylesheet" href="/static/accord.css";
            }
            body {
                a.skip href="#main" { (t("skip")) }
                header.site {
                    a.brand href="/" { "Accord" }
                    nav aria-label=(t("nav.main")) {
                        ul {
                            li { a href="/controls" { (t("nav.controls")) } }
                            li { a href="/policies" { (t("nav.policies")) } }
                            li { a href="/authorities" { (t("nav.authorities")) } }
                            li { a href="/proposals" { (t("nav.proposals")) } }
                            li { a href="/transparency" { (t("nav.transparency")) } }
                            @match viewer {
                                Some(s) => {
                                    li { a href="/check" { (t("nav.check")) } }
                                    li { a href="/screen" { (t("nav.screen")) } }
                                    li { a href="/cases" { (t("nav.cases")) } }
                                    li { a href="/licences" { (t("nav.licences")) } }
                                    li { a href="/feedback" { (t("nav.feedback")) } }
                                    @if matches!(s.user.role, accord_core::model::Role::Exporter) {
                                        li { a href="/applications" { (t("nav.applications")) } }
                                        li { a href="/compliance" { (t("nav.compliance")) } }
                                    }
                                    @if !matches!(s.user.role, accord_core::model::Role::Exporter) {
                                        li { a href="/coalition" { (t("nav.coalition")) } }
                                        li { a href="/reviews" { (t("nav.reviews")) } }
                                        li { a href="/warnings" { (t("nav.warnings")) } }
                                        li { a href="/ownership" { (t("nav.ownership")) } }
                                        li { a href="/dashboard" { (t("nav.dashboard")) } }
                                    }
                                    li { a href="/account" { (s.user.name) } }
                                }
                                None => li { a href="/sign-in" { (t("nav.sign_in")) } },
                            }
                        }
                    }
                }
                main #main { (body) }
                footer.site {
                    p { (t("footer")) }
                    nav aria-label=(t("footer.language")) {
                        @for l in i18n::Lang::ALL {
                            @if l == i18n::lang() { span lang=(l.code()) { (i18n::name(l)) } " " }
                            @else { a href=(format!("/language/{}", l.code())) lang=(l.code()) hreflang=(l.code()) { (i18n::name(l)) } " " }
                        }
                    }
                }
            }
        }
    }
}

/// The HTTP status of an error's class, as the API answers it.
pub(crate) fn status_of(e: &Error) -> StatusCode {
    StatusCode::from_u16(e.code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// A page that shows its forms again after `error`, with the error's status (200 without one); a server error is
/// shown as the error page instead.
pub(crate) fn page_after(
    error: Option<&Error>,
    title: &str,
    viewer: Option<&Session>,
    body: Markup,
) -> Result<Response, PageError> {
    match error {
        Some(e) if e.code.http_status() >= 500 => Err(PageError(e.clone())),
        _ => Ok(Page(error.map_or(StatusCode::OK, status_of), layout(title, viewer, body)).into_response()),
    }
}

/// Renders a page with status 200.
pub(crate) fn page(title: &str, viewer: Option<&Session>, body: Markup) -> PageResult {
    Ok(Page(StatusCode::OK, layout(title, viewer, body)))
}

async fn home(session::Viewer(viewer): session::Viewer) -> PageResult {
    page(
        t("home.title"),
        viewer.as_ref(),
        html! {
            h1 { (t("home.h1")) }
            p { (t("home.intro")) }
            h2 { (t("home.classify")) }
            p { (t("home.classify_intro")) }
            form.search method="get" action="/controls" role="search" {
                label for="q" { (t("home.query")) input #q type="search" name="q" required maxlength="200"; }
                button type="submit" { (t("home.search")) }
            }
            p { a href="/controls" { (t("home.browse")) } " · " a href="/controls/versions" { (t("home.versions")) } }
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
