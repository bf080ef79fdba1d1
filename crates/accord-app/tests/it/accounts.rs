//! People signing in, on SQLite and PostgreSQL: an invitation sets a password once, sign-in opens a session that
//! ends on sign-out, on a password change, on "sign out everywhere" and when the user is disabled; failed sign-ins
//! lock an address; who may invite whom follows who may give a credential.

use crate::support::*;
use accord_app::{MAX_FAILED_SIGN_INS, SecondFactorState};
use accord_core::ErrorCode;
use accord_core::principal::Principal;
use accord_store::Backend;
use accord_testing::operator;

const PASSWORD: &str = "a long enough pass phrase";

fn user_id(p: &Principal) -> String {
    match p {
        Principal::User(u) => u.user_id.to_string(),
        _ => unreachable!("a user"),
    }
}

async fn an_invitation_sets_a_password_once_and_sessions_end_when_they_should(backend: Backend) {
    let w = world(backend).await;
    let exporter = user_id(&w.exporter);
    let invitation = w.app.invite(&operator(), &exporter).await.unwrap();
    assert_eq!(w.app.invitation_user(&invitation.token).await.unwrap().id.as_str(), exporter);
    let refused = w.app.accept_invitation(&invitation.token, "too short").await.unwrap_err();
    assert_eq!(refused.code, ErrorCode::ValidationFailed, "a weak password leaves the invitation usable");
    w.app.accept_invitation(&invitation.token, PASSWORD).await.unwrap();
    let again = w.app.accept_invitation(&invitation.token, "another long pass phrase").await.unwrap_err();
    assert_eq!(again.code, ErrorCode::InvitationInvalid, "an invitation works once");
    let unknown = w.app.invitation_user(&"0".repeat(64)).await.unwrap_err();
    assert_eq!(unknown.code, ErrorCode::InvitationInvalid);

    // Sign in (the address in any case), act through the session, sign out.
    let signed = w.app.sign_in("E@Acme.Example", PASSWORD, None).await.unwrap();
    assert_eq!(signed.user.id.as_str(), exporter);
    let session = w.app.session(&signed.token).await.unwrap();
    assert_eq!(session.csrf, signed.csrf);
    let me = w.app.me(&session.principal).await.unwrap().unwrap();
    assert_eq!(me.id.as_str(), exporter, "the services see the signed-in user");
    w.app.sign_out(&signed.token).await.unwrap();
    assert_eq!(w.app.session(&signed.token).await.unwrap_err().code, ErrorCode::SessionExpired);

    // Sign out everywhere ends every session of the user, and only theirs.
    let (a, b) = (
        w.app.sign_in("e@acme.example", PASSWORD, None).await.unwrap(),
        w.app.sign_in("e@acme.example", PASSWORD, None).await.unwrap(),
    );
    assert_eq!(w.app.live_sessions(&signed.user.id).await.unwrap(), 2);
    let other_invite = w.app.invite(&operator(), &user_id(&w.other_exporter)).await.unwrap();
    w.app.accept_invitation(&other_invite.token, PASSWORD).await.unwrap();
    let other = w.app.sign_in("e@other.example", PASSWORD, None).await.unwrap();
    let from_a = w.app.session(&a.token).await.unwrap().principal;
    w.app.sign_out_everywhere(&from_a).await.unwrap();
    for s in [&a, &b] {
        assert_eq!(w.app.session(&s.token).await.unwrap_err().code, ErrorCode::SessionExpired);
    }
    assert!(w.app.session(&other.token).await.is_ok(), "another user's session goes on");

    // A new password (a new invitation) ends the sessions begun with the old one.
    let c = w.app.sign_in("e@acme.example", PASSWORD, None).await.unwrap();
    let reset = w.app.invite(&operator(), &exporter).await.unwrap();
    w.app.accept_invitation(&reset.token, "a brand new pass phrase").await.unwrap();
    assert_eq!(w.app.session(&c.token).await.unwrap_err().code, ErrorCode::SessionExpired);
    assert_eq!(w.app.sign_in("e@acme.example", PASSWORD, None).await.unwrap_err().code, ErrorCode::SignInFailed);

    // Disabling the user ends their session and refuses a new one.
    let d = w.app.sign_in("e@acme.example", "a brand new pass phrase", None).await.unwrap();
    w.app.set_user_disabled(&operator(), &exporter, true).await.unwrap();
    assert_eq!(w.app.session(&d.token).await.unwrap_err().code, ErrorCode::SessionExpired);
    let disabled = w.app.sign_in("e@acme.example", "a brand new pass phrase", None).await.unwrap_err();
    assert_eq!(disabled.code, ErrorCode::UserDisabled);
}

async fn failed_sign_ins_lock_the_address_and_say_nothing_of_which_part_was_wrong(backend: Backend) {
    let w = world(backend).await;
    let invitation = w.app.invite(&operator(), &user_id(&w.exporter)).await.unwrap();
    w.app.accept_invitation(&invitation.token, PASSWORD).await.unwrap();
    let unknown = w.app.sign_in("nobody@acme.example", PASSWORD, None).await.unwrap_err();
    let wrong = w.app.sign_in("e@acme.example", "not the pass phrase", None).await.unwrap_err();
    assert_eq!((unknown.code, wrong.code), (ErrorCode::SignInFailed, ErrorCode::SignInFailed));
    assert_eq!(unknown.message, wrong.message, "an unknown address and a wrong password read the same");
    for _ in 1..MAX_FAILED_SIGN_INS {
        w.app.sign_in("e@acme.example", "not the pass phrase", None).await.unwrap_err();
    }
    let locked = w.app.sign_in("e@acme.example", PASSWORD, None).await.unwrap_err();
    assert_eq!(locked.code, ErrorCode::SignInLocked, "locked even with the right password");
    // Another address is not affected.
    let other = w.app.invite(&operator(), &user_id(&w.other_exporter)).await.unwrap();
    w.app.accept_invitation(&other.token, PASSWORD).await.unwrap();
    w.app.sign_in("e@other.example", PASSWORD, None).await.unwrap();
}

async fn only_those_who_may_give_a_credential_invite(backend: Backend) {
    let w = world(backend).await;
    let forbidden = w.app.invite(&w.exporter, &user_id(&w.officer_de)).await.unwrap_err();
    assert!(matches!(forbidden.code, ErrorCode::Forbidden | ErrorCode::NotFound), "{forbidden:?}");
    let admin = accord_testing::user(&w.app, "admin", "admin@node.example", None, None).await;
    let officer = w.app.invite(&admin, &user_id(&w.officer_de)).await.unwrap_err();
    assert_eq!(officer.code, ErrorCode::Forbidden, "an admin does not invite an officer: the operator does");
    w.app.invite(&admin, &user_id(&w.exporter)).await.unwrap();
    w.app.invite(&w.exporter, &user_id(&w.exporter)).await.unwrap();
    let events = w.app.audit_events(&operator(), 0, 1000).await.unwrap();
    assert_eq!(events.iter().filter(|e| e.kind == "user.invited").count(), 2);
}

/// The code of a base32 secret `offset` steps from the step the test began in (each step lasts 30 seconds, and the
/// steps either side of the present are accepted, so the test has 30 seconds of slack).
fn code(secret: &str, step: i64, offset: i64) -> String {
    accord_app::totp_code(&accord_app::from_base32(secret).unwrap(), step + offset)
}

async fn a_second_factor_is_confirmed_with_a_code_and_then_every_sign_in_takes_a_fresh_one(backend: Backend) {
    let w = world(backend).await;
    let officer = user_id(&w.officer_de);
    let invitation = w.app.invite(&operator(), &officer).await.unwrap();
    w.app.accept_invitation(&invitation.token, PASSWORD).await.unwrap();
    let email = "o@bafa.example";
    let signed = w.app.sign_in(email, PASSWORD, None).await.unwrap();
    let me = w.app.session(&signed.token).await.unwrap().principal;
    assert_eq!(w.app.second_factor_state(&me).await.unwrap(), SecondFactorState::Off);

    let setup = w.app.begin_second_factor(&me).await.unwrap();
    let step = accord_app::totp_step(jiff::Timestamp::now().as_second());
    let code = |offset| code(&setup.secret, step, offset);
    assert!(setup.uri.starts_with("otpauth://totp/Accord:") && setup.uri.contains(&setup.secret), "{}", setup.uri);
    assert_eq!(w.app.second_factor_state(&me).await.unwrap(), SecondFactorState::Pending);
    w.app.sign_in(email, PASSWORD, None).await.expect("a pending factor does not stop a sign-in");
    let wrong = w.app.confirm_second_factor(&me, &code(5)).await.unwrap_err();
    assert_eq!(wrong.code, ErrorCode::SecondFactorInvalid, "a code of another time is wrong");
    w.app.confirm_second_factor(&me, &code(0)).await.unwrap();
    assert_eq!(w.app.second_factor_state(&me).await.unwrap(), SecondFactorState::On);
    let again = w.app.begin_second_factor(&me).await.unwrap_err();
    assert_eq!(again.code, ErrorCode::Conflict, "a factor that is on is not replaced unseen");

    let without = w.app.sign_in(email, PASSWORD, None).await.unwrap_err();
    assert_eq!(without.code, ErrorCode::SecondFactorRequired);
    let replayed = w.app.sign_in(email, PASSWORD, Some(&code(0))).await.unwrap_err();
    assert_eq!(replayed.code, ErrorCode::SecondFactorInvalid, "the code that confirmed the factor is used up");
    w.app.sign_in(email, PASSWORD, Some(&code(1))).await.expect("the next step's code works");
    let twice = w.app.sign_in(email, PASSWORD, Some(&code(1))).await.unwrap_err();
    assert_eq!(twice.code, ErrorCode::SecondFactorInvalid, "a code works once");
    let wrong_password = w.app.sign_in(email, "not the pass phrase", Some(&code(1))).await;
    assert_eq!(wrong_password.unwrap_err().code, ErrorCode::SignInFailed, "the code does not stand for the password");

    // Lost phone: whoever may give the officer a credential (the operator) removes the factor.
    let exporter_tries = w.app.reset_second_factor(&w.exporter, &officer).await.unwrap_err();
    assert!(matches!(exporter_tries.code, ErrorCode::Forbidden | ErrorCode::NotFound), "{exporter_tries:?}");
    w.app.reset_second_factor(&operator(), &officer).await.unwrap();
    w.app.sign_in(email, PASSWORD, None).await.expect("the password alone signs in again");
    let events = w.app.audit_events(&operator(), 0, 1000).await.unwrap();
    let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).filter(|k| k.starts_with("user.second")).collect();
    assert_eq!(kinds, ["user.second_factor_enabled", "user.second_factor_removed"]);
}

accord_testing::on_both_backends!(
    a_second_factor_is_confirmed_with_a_code_and_then_every_sign_in_takes_a_fresh_one,
    an_invitation_sets_a_password_once_and_sessions_end_when_they_should,
    failed_sign_ins_lock_the_address_and_say_nothing_of_which_part_was_wrong,
    only_those_who_may_give_a_credential_invite,
);
