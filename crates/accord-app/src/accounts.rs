//! People who sign in to the web interface: one-time invitations to set a password (argon2id), sign-in with a limit
//! on failures, server-side sessions with a CSRF token, and signing out everywhere. API keys stay for machines.

use crate::keys::hash_secret;
use crate::{App, event};
use accord_core::audit::EventKind;
use accord_core::audit::hex;
use accord_core::ids::UserId;
use accord_core::model::User;
use accord_core::principal::{Principal, UserPrincipal};
use accord_core::{Error, ErrorCode, Result, Timestamp};
use accord_store::{InvitationRecord, Mutation, SessionRecord};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use jiff::SignedDuration;
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

/// How long an invitation link works.
pub const INVITATION_DAYS: i64 = 7;
/// How long a session lasts.
pub const SESSION_HOURS: i64 = 12;
/// Failed sign-ins for one address within [`LOCKOUT_MINUTES`] after which it is locked for the rest of the window.
pub const MAX_FAILED_SIGN_INS: u64 = 5;
/// The window over which failed sign-ins are counted.
pub const LOCKOUT_MINUTES: i64 = 15;
/// The shortest and longest password accepted, in characters.
pub const PASSWORD_CHARS: (usize, usize) = (12, 128);

/// A one-time link for a user to set their password.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Invitation {
    /// Whose password it sets.
    #[schema(value_type = String)]
    pub user_id: UserId,
    /// The token of the link `/invitations/{token}`; it cannot be shown again.
    pub token: String,
    /// When it stops working.
    pub expires_at: Timestamp,
}

/// A session begun by signing in: the cookie value, and the token its forms carry.
#[derive(Debug, Clone)]
pub struct SignedIn {
    /// The session token (the cookie's value); only its hash is stored.
    pub token: String,
    /// The token every form of the session carries.
    pub csrf: String,
    /// Who signed in.
    pub user: User,
    /// When the session ends.
    pub expires_at: Timestamp,
}

/// A live session, as found from its cookie.
#[derive(Debug, Clone)]
pub struct Session {
    /// The caller, as the services see them.
    pub principal: Principal,
    /// The signed-in user.
    pub user: User,
    /// The token every form of the session carries.
    pub csrf: String,
    /// When the session ends.
    pub expires_at: Timestamp,
}

/// The user a principal is, for what only a signed-in person has (a second factor).
pub(crate) fn principal_user(p: &Principal) -> Result<UserId> {
    match p {
        Principal::User(u) => Ok(u.user_id.clone()),
        _ => Err(Error::forbidden("only a user has a second factor")),
    }
}

/// 256 random bits, hex.
pub fn random_token() -> Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| Error::internal(format!("no random source: {e}")))?;
    Ok(hex(&bytes))
}

fn argon2() -> argon2::Argon2<'static> {
    argon2::Argon2::default()
}

/// The argon2id hash of a password, in PHC form, with a fresh salt.
fn hash_password(password: &str) -> Result<String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| Error::internal(format!("no random source: {e}")))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| Error::internal(format!("salt: {e}")))?;
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::internal(format!("password hashing failed: {e}")))
}

/// Whether a password matches a stored hash (a stored hash that does not parse matches nothing).
fn password_matches(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|h| argon2().verify_password(password.as_bytes(), &h).is_ok())
}

/// Checks a new password: 12–128 characters, not only spaces, no control characters.
pub fn check_password(password: &str) -> Result<()> {
    let n = password.chars().count();
    let (min, max) = PASSWORD_CHARS;
    if n < min || n > max || password.trim().is_empty() || password.chars().any(char::is_control) {
        return Err(Error::validation(
            "password",
            format!(
                "a password has {min}-{max} characters without control characters (a phrase of a few words is good)"
            ),
        ));
    }
    Ok(())
}

impl App {
    /// Makes a one-time link for a user to set their password (who may give a user a credential: the operator, an
    /// admin for exporters and auditors, a user for themselves).
    pub async fn invite(&self, p: &Principal, user_id: &str) -> Result<Invitation> {
        let user = self.key_recipient(p, user_id).await?;
        if user.disabled {
            return Err(Error::validation("user_id", format!("user '{}' is disabled", user.id)));
        }
        let token = random_token()?;
        let now = accord_core::now();
        let record = InvitationRecord {
            token_hash: hash_secret(&token),
            user_id: user.id.clone(),
            created_at: now,
            expires_at: now.plus(SignedDuration::from_hours(24 * INVITATION_DAYS)),
            used_at: None,
        };
        let authority = self.authority_of_user(&user).await?;
        self.store
            .commit(
                vec![Mutation::InsertInvitation(record.clone())],
                vec![event(
                    p,
                    authority.as_ref(),
                    EventKind::UserInvited,
                    user.id.as_str(),
                    json!({ "user_id": user.id, "expires_at": record.expires_at }),
                )],
            )
            .await?;
        Ok(Invitation { user_id: user.id, token, expires_at: record.expires_at })
    }

    /// The user an invitation link is for, when it still works.
    pub async fn invitation_user(&self, token: &str) -> Result<User> {
        let invalid = || Error::new(ErrorCode::InvitationInvalid, "this invitation link is unknown, used or expired");
        let record = self.store.invitation(&hash_secret(token.trim())).await?.ok_or_else(invalid)?;
        if record.used_at.is_some() || record.expires_at <= accord_core::now() {
            return Err(invalid());
        }
        let user = self.store.user(&record.user_id).await?.ok_or_else(invalid)?;
        if user.disabled { Err(invalid()) } else { Ok(user) }
    }

    /// Sets a password with an invitation (once); every session of the user ends.
    pub async fn accept_invitation(&self, token: &str, password: &str) -> Result<User> {
        let user = self.invitation_user(token).await?;
        check_password(password)?;
        let hash = hash_password(password)?;
        let authority = self.authority_of_user(&user).await?;
        let actor = Principal::User(principal_of(&user));
        self.store
            .commit(
                vec![Mutation::SetPassword {
                    invitation: hash_secret(token.trim()),
                    user: user.id.clone(),
                    hash,
                    at: accord_core::now(),
                }],
                vec![event(&actor, authority.as_ref(), EventKind::UserPasswordSet, user.id.as_str(), json!({}))],
            )
            .await
            .map_err(|e| {
                if e.code == ErrorCode::Conflict {
                    Error::new(ErrorCode::InvitationInvalid, "this invitation link was used meanwhile")
                } else {
                    e
                }
            })?;
        Ok(user)
    }

    /// Signs a person in with their e-mail address, password and, when they turned a second factor on, its
    /// one-time code; after [`MAX_FAILED_SIGN_INS`] failures within [`LOCKOUT_MINUTES`] the address is locked for
    /// the rest of the window, whatever the password.
    pub async fn sign_in(&self, email: &str, password: &str, code: Option<&str>) -> Result<SignedIn> {
        let email = email.trim();
        let now = accord_core::now();
        let window_start = now.plus(SignedDuration::from_mins(-LOCKOUT_MINUTES));
        if self.store.sign_in_failures(email, window_start).await? >= MAX_FAILED_SIGN_INS {
            return Err(Error::new(
                ErrorCode::SignInLocked,
                format!("too many failed sign-ins for this address; try again in {LOCKOUT_MINUTES} minutes"),
            ));
        }
        let failed = || Error::new(ErrorCode::SignInFailed, "the e-mail address or the password is wrong");
        let user = self.store.user_by_email(email).await?;
        let stored = match &user {
            Some(u) => self.store.password_hash(&u.id).await?,
            None => None,
        };
        // The hash is computed whether or not the address is known, so timing does not tell which.
        let matches = password_matches(password, stored.as_deref().unwrap_or(DUMMY_HASH));
        let (Some(user), true, Some(_)) = (user, matches, stored) else {
            self.store.record_sign_in_failure(email, now).await?;
            return Err(failed());
        };
        if user.disabled {
            return Err(Error::new(ErrorCode::UserDisabled, format!("user '{}' is disabled", user.id)));
        }
        match code.map(str::trim).filter(|c| !c.is_empty()) {
            Some(code) => {
                if let Err(e) = self.check_second_factor(&user.id, code).await {
                    self.store.record_sign_in_failure(email, now).await?;
                    return Err(e);
                }
            }
            None if self.store.second_factor(&user.id).await?.is_some_and(|f| f.confirmed_at.is_some()) => {
                return Err(Error::new(
                    ErrorCode::SecondFactorRequired,
                    "this account has a second factor: give the one-time code of your authenticator app",
                ));
            }
            None => {}
        }
        self.store.clear_sign_in_failures(email).await?;
        let (token, csrf) = (random_token()?, random_token()?);
        let record = SessionRecord {
            token_hash: hash_secret(&token),
            user_id: user.id.clone(),
            csrf: csrf.clone(),
            created_at: now,
            expires_at: now.plus(SignedDuration::from_hours(SESSION_HOURS)),
        };
        self.store.create_session(&record).await?;
        Ok(SignedIn { token, csrf, user, expires_at: record.expires_at })
    }

    /// The live session a cookie names: `session_expired` when it is unknown, over, or its user disabled.
    pub async fn session(&self, token: &str) -> Result<Session> {
        let expired = || Error::new(ErrorCode::SessionExpired, "your session has ended; sign in again");
        let (record, user) = self.store.session(&hash_secret(token.trim())).await?.ok_or_else(expired)?;
        if record.expires_at <= accord_core::now() || user.disabled {
            self.store.end_session(&record.token_hash).await?;
            return Err(expired());
        }
        Ok(Session {
            principal: Principal::User(principal_of(&user)),
            user,
            csrf: record.csrf,
            expires_at: record.expires_at,
        })
    }

    /// Ends one session (signing out).
    pub async fn sign_out(&self, token: &str) -> Result<()> {
        self.store.end_session(&hash_secret(token.trim())).await
    }

    /// Ends every session of the caller, on every device.
    pub async fn sign_out_everywhere(&self, p: &Principal) -> Result<()> {
        let Principal::User(me) = p else {
            return Err(Error::forbidden("only a signed-in user signs out everywhere"));
        };
        self.store
            .commit(
                vec![Mutation::EndSessions { user: me.user_id.clone() }],
                vec![event(
                    p,
                    me.authority_id.as_ref(),
                    EventKind::UserSignedOutEverywhere,
                    me.user_id.as_str(),
                    json!({}),
                )],
            )
            .await?;
        Ok(())
    }

    /// How many sessions of a user are live.
    pub async fn live_sessions(&self, user: &UserId) -> Result<u64> {
        self.store.sessions_of(user, accord_core::now()).await
    }

    /// The authority whose records a user belongs to (their own, or their organisation's).
    async fn authority_of_user(&self, u: &User) -> Result<Option<accord_core::ids::AuthorityId>> {
        Ok(match (&u.authority_id, &u.organisation_id) {
            (Some(a), _) => Some(a.clone()),
            (None, Some(o)) => self.store.organisation(o).await?.map(|o| o.authority_id),
            (None, None) => None,
        })
    }
}

/// A user as the services see a person signed in (no API key).
fn principal_of(u: &User) -> UserPrincipal {
    UserPrincipal {
        user_id: u.id.clone(),
        role: u.role,
        authority_id: u.authority_id.clone(),
        organisation_id: u.organisation_id.clone(),
        key_id: None,
    }
}

/// A valid argon2id hash of a password nobody knows, checked when an address has no password, so that an unknown
/// address takes as long as a wrong password.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$3Hq1pDY6xBJBO2VJTUFPGFo2t2jzdqWtrBT2aDLT6hY";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_hash_matches_only_its_password_and_is_salted() {
        let a = hash_password("correct horse battery staple").unwrap();
        let b = hash_password("correct horse battery staple").unwrap();
        assert!(a.starts_with("$argon2id$") && a != b, "salted: {a} / {b}");
        assert!(password_matches("correct horse battery staple", &a));
        assert!(!password_matches("correct horse battery stapler", &a));
        assert!(!password_matches("anything", "not a hash"));
        assert!(PasswordHash::new(DUMMY_HASH).is_ok(), "the dummy hash is a real one");
        assert!(!password_matches("", DUMMY_HASH));
    }

    #[test]
    fn short_blank_or_control_character_passwords_are_refused() {
        for bad in ["short", "            ", "twelve chars\u{0}ok", &"x".repeat(129)] {
            let e = check_password(bad).unwrap_err();
            assert_eq!(e.code, ErrorCode::ValidationFailed, "{bad:?}");
        }
        check_password("a long enough phrase").unwrap();
    }
}
