//! Signing in and out: the sign-in form, the invitation link that sets a password, the account page, and signing
//! out here or everywhere. Every form carries a CSRF token; a failed form is shown again with its error beside it.

use super::i18n::{t, tr, word};
use super::session::{FORM_COOKIE, SESSION_COOKIE, Viewer, check_csrf, check_form_token, set_cookie, with_form_token};
use super::{Page, PageError, PageForm, layout, redirect};
use crate::AppState;
use accord_app::{SESSION_HOURS, SecondFactorState, Session, SignedIn};
use accord_core::{Error, ErrorCode};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use maud::{Markup, html};
use serde::Deserialize;

/// Where to go after signing in: a path of this site only (never another site, never `//host`).
fn local_path(next: Option<&str>) -> String {
    match next {
        Some(p) if p.starts_with('/') && !p.starts_with("//") && !p.contains('\\') && p.len() <= 500 => p.to_owned(),
        _ => "/account".to_owned(),
    }
}

/// The error of a form, next to its fields.
fn form_error(error: Option<&Error>) -> Markup {
    html! {
        @if let Some(e) = error {
            p.error role="alert" id="form-error" { (e.message) " " span.meta { "(" (e.code.as_str()) ")" } }
        }
    }
}

/// What the sign-in page was asked.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct SignInQuery {
    next: Option<String>,
}

/// The sign-in form as sent.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    next: String,
    #[serde(default)]
    form_token: String,
}

fn sign_in_page(status: StatusCode, email: &str, next: &str, token: &str, error: Option<&Error>) -> Page {
    Page(
        status,
        layout(
            t("sign_in.title"),
            None,
            html! {
                h1 { (t("sign_in.title")) }
                (form_error(error))
                form method="post" action="/sign-in" {
                    input type="hidden" name="form_token" value=(token);
                    input type="hidden" name="next" value=(next);
                    p { label for="email" { (t("sign_in.email")) } br; input #email type="email" name="email" value=(email) required autocomplete="username" maxlength="254"; }
                    p { label for="password" { (t("sign_in.password")) } br; input #password type="password" name="password" required autocomplete="current-password" maxlength="128"; }
                    p { label for="code" { (t("sign_in.code")) } br;
                        input #code name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="6" pattern="[0-9]{6}"; }
                    p { button type="submit" { (t("sign_in.submit")) } }
                }
                p.meta { (t("sign_in.no_password")) }
            },
        ),
    )
}

pub(crate) async fn sign_in_form(headers: HeaderMap, Query(q): Query<SignInQuery>) -> Result<Response, PageError> {
    let token = accord_app::random_token()?;
    let next = local_path(q.next.as_deref());
    Ok(with_form_token(&headers, sign_in_page(StatusCode::OK, "", &next, &token, None), &token))
}

pub(crate) async fn sign_in(
    State(s): State<AppState>,
    headers: HeaderMap,
    PageForm(f): PageForm<SignInForm>,
) -> Result<Response, PageError> {
    let next = local_path(Some(&f.next));
    let outcome = match check_form_token(&headers, &f.form_token) {
        Ok(()) => s.app.sign_in(&f.email, &f.password, Some(&f.code)).await,
        Err(e) => Err(e),
    };
    match outcome {
        Ok(signed) => Ok(signed_in(&headers, &signed, &next)),
        Err(e) => {
            let status = super::status_of(&e);
            if status.is_server_error() {
                return Err(e.into());
            }
            let token = accord_app::random_token()?;
            Ok(with_form_token(&headers, sign_in_page(status, f.email.trim(), &next, &token, Some(&e)), &token))
        }
    }
}

/// The answer to a successful sign-in: the session cookie, the form cookie gone, and on to `next`.
fn signed_in(headers: &HeaderMap, signed: &SignedIn, next: &str) -> Response {
    redirect(
        next,
        vec![
            set_cookie(headers, SESSION_COOKIE, &signed.token, SESSION_HOURS * 3600),
            set_cookie(headers, FORM_COOKIE, "", 0),
        ],
    )
}

/// The form that sets a password from an invitation link.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct PasswordForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    repeat: String,
    #[serde(default)]
    form_token: String,
}

fn invitation_page(status: StatusCode, who: &str, action: &str, token: &str, error: Option<&Error>) -> Page {
    Page(
        status,
        layout(
            t("invitation.title"),
            None,
            html! {
                h1 { (t("invitation.title")) }
                p { (tr!("invitation.for", who = who)) }
                (form_error(error))
                form method="post" action=(action) {
                    input type="hidden" name="form_token" value=(token);
                    p { label for="password" { (t("invitation.password")) } br;
                        input #password type="password" name="password" required minlength="12" maxlength="128" autocomplete="new-password"; }
                    p { label for="repeat" { (t("invitation.repeat")) } br;
                        input #repeat type="password" name="repeat" required minlength="12" maxlength="128" autocomplete="new-password"; }
                    p { button type="submit" { (t("invitation.submit")) } }
                }
            },
        ),
    )
}

pub(crate) async fn invitation_form(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let user = s.app.invitation_user(&token).await?;
    let form = accord_app::random_token()?;
    let page = invitation_page(StatusCode::OK, &user.email, &format!("/invitations/{token}"), &form, None);
    Ok(with_form_token(&headers, page, &form))
}

pub(crate) async fn accept_invitation(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
    PageForm(f): PageForm<PasswordForm>,
) -> Result<Response, PageError> {
    let user = s.app.invitation_user(&token).await?;
    let outcome = async {
        check_form_token(&headers, &f.form_token)?;
        if f.password != f.repeat {
            return Err(Error::validation("repeat", t("invitation.differ")));
        }
        s.app.accept_invitation(&token, &f.password).await?;
        s.app.sign_in(&user.email, &f.password, None).await
    }
    .await;
    match outcome {
        Ok(signed) => Ok(signed_in(&headers, &signed, "/account")),
        // The password is set; with a second factor on, signing in takes its code.
        Err(e) if e.code == ErrorCode::SecondFactorRequired => Ok(redirect("/sign-in?next=/account", Vec::new())),
        Err(e) if e.code == ErrorCode::InvitationInvalid => Err(e.into()),
        Err(e) => {
            let status = super::status_of(&e);
            let form = accord_app::random_token()?;
            let page = invitation_page(status, &user.email, &format!("/invitations/{token}"), &form, Some(&e));
            Ok(with_form_token(&headers, page, &form))
        }
    }
}

/// The second factor: turning it on (the secret for the authenticator app, then a code to confirm it), or off.
async fn second_factor(s: &AppState, session: &Session) -> Result<Markup, Error> {
    let state = s.app.second_factor_state(&session.principal).await?;
    let pending = s.app.pending_second_factor(&session.principal).await?;
    let form = |action: &str, with_code: bool, button: &str| {
        html! {
            form method="post" action="/account/second-factor" {
                input type="hidden" name="csrf" value=(session.csrf);
                input type="hidden" name="action" value=(action);
                @if with_code {
                    p { label for=(format!("code-{action}")) { (t("second_factor.code")) } br;
                        input id=(format!("code-{action}")) name="code" inputmode="numeric" autocomplete="one-time-code" required maxlength="6" pattern="[0-9]{6}"; }
                }
                p { button type="submit" { (button) } }
            }
        }
    };
    Ok(html! {
        h2 { (t("second_factor.title")) }
        p #second-factor-state { (word("second_factor", match state {
            SecondFactorState::Off => "off", SecondFactorState::Pending => "pending", SecondFactorState::On => "on",
        })) }
        @match (state, &pending) {
            (SecondFactorState::On, _) => (form("remove", true, t("second_factor.remove"))),
            (_, Some(setup)) => {
                p { (t("second_factor.enter_secret")) }
                p { code #totp-secret { (setup.secret) } }
                p.meta { (t("second_factor.or_link")) " " code #totp-uri { (setup.uri) } }
                (form("confirm", true, t("second_factor.confirm")))
            }
            _ => {
                p.meta { (t("second_factor.why")) }
                (form("begin", false, t("second_factor.begin")))
            }
        }
    })
}

/// The second-factor form as sent.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct SecondFactorForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    code: String,
}

/// Begins, confirms or removes the second factor; an error shows the account page again with it.
pub(crate) async fn change_second_factor(
    State(s): State<AppState>,
    Viewer(viewer): Viewer,
    PageForm(f): PageForm<SecondFactorForm>,
) -> Result<Response, PageError> {
    let Some(session) = viewer else { return Ok(redirect("/sign-in?next=/account", Vec::new())) };
    let outcome = async {
        check_csrf(&session, &f.csrf)?;
        let p = &session.principal;
        match f.action.as_str() {
            "begin" => s.app.begin_second_factor(p).await.map(|_| ()),
            "confirm" => s.app.confirm_second_factor(p, &f.code).await,
            "remove" => s.app.remove_second_factor(p, &f.code).await,
            _ => Err(Error::new(ErrorCode::RouteNotFound, t("error.no_action"))),
        }
    }
    .await;
    match outcome {
        Ok(()) => Ok(redirect("/account", Vec::new())),
        Err(e) if e.code.http_status() >= 500 => Err(e.into()),
        Err(e) => account_page(&s, &session, Some(&e)).await,
    }
}

/// The signed-in person's page: who they are, their sessions, and signing out.
pub(crate) async fn account(State(s): State<AppState>, Viewer(viewer): Viewer) -> Result<Response, PageError> {
    let Some(session) = viewer else { return Ok(redirect("/sign-in?next=/account", Vec::new())) };
    account_page(&s, &session, None).await
}

async fn account_page(s: &AppState, session: &Session, error: Option<&Error>) -> Result<Response, PageError> {
    let u = &session.user;
    let live = s.app.live_sessions(&u.id).await?;
    let factor = second_factor(s, session).await?;
    super::page_after(
        error,
        t("account.title"),
        Some(session),
        html! {
            h1 { (t("account.title")) }
            table {
                tbody {
                    tr { th scope="row" { (t("account.name")) } td { (u.name) } }
                    tr { th scope="row" { (t("account.email")) } td { (u.email) } }
                    tr { th scope="row" { (t("account.role")) } td { (u.role.as_str().replace('_', " ")) } }
                    @if let Some(a) = &u.authority_id { tr { th scope="row" { (t("account.authority")) } td { (a) } } }
                    @if let Some(o) = &u.organisation_id { tr { th scope="row" { (t("account.organisation")) } td { (o) } } }
                    tr { th scope="row" { (t("account.ends")) } td { (session.expires_at) } }
                    tr { th scope="row" { (t("account.sessions")) } td #sessions { (live) } }
                }
            }
            form method="post" action="/sign-out" {
                input type="hidden" name="csrf" value=(session.csrf);
                button type="submit" { (t("account.sign_out")) }
            }
            form method="post" action="/sign-out-everywhere" {
                input type="hidden" name="csrf" value=(session.csrf);
                p { button type="submit" { (t("account.sign_out_everywhere")) } " " span.meta { (t("account.everywhere_note")) } }
            }
            (form_error(error))
            (factor)
        },
    )
}

/// A form of a signed-in session that carries only its CSRF token.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

pub(crate) async fn sign_out(
    State(s): State<AppState>,
    headers: HeaderMap,
    Viewer(viewer): Viewer,
    PageForm(f): PageForm<CsrfForm>,
) -> Result<Response, PageError> {
    if let Some(session) = &viewer {
        check_csrf(session, &f.csrf)?;
        if let Some(token) = super::session::cookie(&headers, SESSION_COOKIE) {
            s.app.sign_out(&token).await?;
        }
    }
    Ok(redirect("/sign-in", vec![set_cookie(&headers, SESSION_COOKIE, "", 0)]))
}

pub(crate) async fn sign_out_everywhere(
    State(s): State<AppState>,
    headers: HeaderMap,
    Viewer(viewer): Viewer,
    PageForm(f): PageForm<CsrfForm>,
) -> Result<Response, PageError> {
    let Some(session) = viewer else { return Ok(redirect("/sign-in", Vec::new())) };
    check_csrf(&session, &f.csrf)?;
    s.app.sign_out_everywhere(&session.principal).await?;
    Ok(redirect("/sign-in", vec![set_cookie(&headers, SESSION_COOKIE, "", 0)]))
}

#[cfg(test)]
mod tests {
    #[test]
    fn after_signing_in_only_paths_of_this_site_are_followed() {
        assert_eq!(super::local_path(Some("/controls?q=3A001")), "/controls?q=3A001");
        for away in ["https://evil.example/", "//evil.example/", "/\\evil.example", "account", ""] {
            assert_eq!(super::local_path(Some(away)), "/account", "{away}");
        }
        assert_eq!(super::local_path(None), "/account");
    }
}
