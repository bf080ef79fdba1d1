//! Who is looking at a page: the session cookie, read into the application's session; the cookies themselves
//! (`HttpOnly`, `SameSite=Strict`, `Secure` except on loopback); and the CSRF checks every form passes.

use crate::AppState;
use accord_app::Session;
use accord_core::{Error, ErrorCode};
use axum::extract::FromRequestParts;
use axum::http::header::{COOKIE, HOST};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue};

/// The session cookie's name.
pub(crate) const SESSION_COOKIE: &str = "accord_session";
/// The cookie that carries the token of a form shown before signing in (double submit).
pub(crate) const FORM_COOKIE: &str = "accord_form";

/// The person looking at a page, when signed in.
pub(crate) struct Viewer(pub Option<Session>);

impl FromRequestParts<AppState> for Viewer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let session = match cookie(&parts.headers, SESSION_COOKIE) {
            // An unknown or ended session is simply no session; the page offers to sign in.
            Some(token) => state.app.session(&token).await.ok(),
            None => None,
        };
        Ok(Viewer(session))
    }
}

/// A cookie's value from the request headers.
pub(crate) fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// Whether the request came to a loopback address, where a cookie may go without `Secure` (plain http on the
/// operator's own machine); anywhere else the node is behind TLS and cookies are `Secure`.
fn loopback(headers: &HeaderMap) -> bool {
    let host = headers.get(HOST).and_then(|h| h.to_str().ok()).unwrap_or("");
    let name = if host.starts_with('[') {
        host.split_inclusive(']').next().unwrap_or(host)
    } else {
        host.split(':').next().unwrap_or(host)
    };
    matches!(name, "127.0.0.1" | "localhost" | "[::1]")
}

/// A `Set-Cookie` value for `name`, living `max_age` seconds (0 deletes it).
pub(crate) fn set_cookie(headers: &HeaderMap, name: &str, value: &str, max_age: i64) -> HeaderValue {
    let secure = if loopback(headers) { "" } else { "; Secure" };
    let cookie = format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}");
    HeaderValue::from_str(&cookie).unwrap_or_else(|_| HeaderValue::from_static("accord_invalid=; Max-Age=0"))
}

/// A response with a fresh form token in a cookie (for forms shown to people not signed in).
pub(crate) fn with_form_token(
    headers: &HeaderMap,
    response: impl axum::response::IntoResponse,
    token: &str,
) -> axum::response::Response {
    let mut response = response.into_response();
    response.headers_mut().append(axum::http::header::SET_COOKIE, set_cookie(headers, FORM_COOKIE, token, 3600));
    response
}

/// Compares two tokens in constant time.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The check a form of a signed-in session passes: the token it carries is the session's.
pub(crate) fn check_csrf(session: &Session, sent: &str) -> Result<(), Error> {
    if same(&session.csrf, sent) { Ok(()) } else { Err(refused()) }
}

/// The check a form shown before signing in passes: the token it carries is the one in its cookie.
pub(crate) fn check_form_token(headers: &HeaderMap, sent: &str) -> Result<(), Error> {
    match cookie(headers, FORM_COOKIE) {
        Some(expected) if !sent.is_empty() && same(&expected, sent) => Ok(()),
        _ => Err(refused()),
    }
}

fn refused() -> Error {
    Error::new(ErrorCode::CsrfRefused, super::i18n::t("error.csrf"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(), HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn cookies_are_found_by_name_among_several() {
        let h = headers(&[("cookie", "a=1; accord_session=abc"), ("cookie", "b=2")]);
        assert_eq!(cookie(&h, SESSION_COOKIE).as_deref(), Some("abc"));
        assert_eq!(cookie(&h, "b").as_deref(), Some("2"));
        assert_eq!(cookie(&h, "accord"), None);
    }

    #[test]
    fn cookies_are_secure_everywhere_but_on_loopback() {
        for host in ["127.0.0.1:8080", "localhost", "[::1]:8080"] {
            let v = set_cookie(&headers(&[("host", host)]), SESSION_COOKIE, "t", 60);
            assert!(!v.to_str().unwrap().contains("Secure"), "{host}");
        }
        for host in ["accord.bafa.example", "10.0.0.5:8080", "localhost.evil.example"] {
            let v = set_cookie(&headers(&[("host", host)]), SESSION_COOKIE, "t", 60);
            let v = v.to_str().unwrap();
            assert!(v.contains("; Secure") && v.contains("HttpOnly") && v.contains("SameSite=Strict"), "{host}: {v}");
        }
    }

    #[test]
    fn a_form_token_must_match_its_cookie() {
        let h = headers(&[("cookie", "accord_form=xyz")]);
        assert!(check_form_token(&h, "xyz").is_ok());
        assert_eq!(check_form_token(&h, "xy").unwrap_err().code, ErrorCode::CsrfRefused);
        assert!(check_form_token(&headers(&[]), "").is_err(), "no cookie, no form");
    }
}
