//! An optional second factor for signing in: time-based one-time codes (TOTP, RFC 6238 with HMAC-SHA-1, 30-second
//! steps, six digits), as authenticator apps make them. A code of the step before or after is accepted for clock
//! drift, and each step works once.

use crate::accounts::principal_user;
use crate::{App, event};
use accord_core::audit::EventKind;
use accord_core::ids::UserId;
use accord_core::principal::Principal;
use accord_core::{Error, ErrorCode, Result, Timestamp};
use accord_store::Mutation;
use hmac::{Hmac, Mac};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

/// Seconds per time step.
pub const TOTP_STEP_SECONDS: i64 = 30;

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// RFC 4648 base32, without padding (as authenticator apps take secrets).
pub fn base32(bytes: &[u8]) -> String {
    let mut out = String::new();
    for chunk in bytes.chunks(5) {
        let mut buf = [0u8; 5];
        buf[..chunk.len()].copy_from_slice(chunk);
        let n = buf.iter().fold(0u64, |n, b| (n << 8) | u64::from(*b));
        let chars = (chunk.len() * 8).div_ceil(5);
        for i in 0..chars {
            out.push(BASE32[((n >> (35 - 5 * i)) & 31) as usize] as char);
        }
    }
    out
}

/// The bytes of a base32 text (spaces and case ignored); `None` for a character outside the alphabet.
pub fn from_base32(text: &str) -> Option<Vec<u8>> {
    let (mut out, mut acc, mut bits) = (Vec::new(), 0u32, 0u32);
    for c in text.chars().filter(|c| !c.is_whitespace() && *c != '=') {
        let v = BASE32.iter().position(|b| *b as char == c.to_ascii_uppercase())?;
        acc = (acc << 5) | v as u32;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// The time step of a Unix time.
pub fn totp_step(unix_seconds: i64) -> i64 {
    unix_seconds.div_euclid(TOTP_STEP_SECONDS)
}

/// The six-digit code of a secret for a time step (empty, matching no code, if the secret cannot key HMAC; HMAC
/// takes a key of any length, so it always can).
pub fn totp_code(secret: &[u8], step: i64) -> String {
    let Ok(mut mac) = Hmac::<sha1::Sha1>::new_from_slice(secret) else { return String::new() };
    mac.update(&step.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = usize::from(digest[19] & 0x0f);
    let bin = u32::from_be_bytes([digest[offset] & 0x7f, digest[offset + 1], digest[offset + 2], digest[offset + 3]]);
    format!("{:06}", bin % 1_000_000)
}

/// The step, among the one now and those either side, whose code is `code`.
fn matching_step(secret: &str, code: &str, now: Timestamp) -> Option<i64> {
    let secret = from_base32(secret)?;
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let now = totp_step(now.as_second());
    (now - 1..=now + 1).find(|step| totp_code(&secret, *step) == code)
}

/// A second factor being set up: the secret to give the authenticator app, by hand or as an `otpauth://` link.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SecondFactorSetup {
    /// The shared secret, base32.
    pub secret: String,
    /// The `otpauth://totp/…` link authenticator apps read.
    pub uri: String,
}

/// Whether a user has a second factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SecondFactorState {
    /// None: a password signs in.
    Off,
    /// Set up, waiting for a code to confirm it.
    Pending,
    /// On: signing in takes a code too.
    On,
}

fn authority_of(p: &Principal) -> Option<&accord_core::ids::AuthorityId> {
    crate::user_principal(p).and_then(|u| u.authority_id.as_ref())
}

fn invalid() -> Error {
    Error::new(ErrorCode::SecondFactorInvalid, "the one-time code is wrong, expired or used already")
}

fn uri_text(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~@".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

impl App {
    /// Whether the caller has a second factor.
    pub async fn second_factor_state(&self, p: &Principal) -> Result<SecondFactorState> {
        let user = principal_user(p)?;
        Ok(match self.store.second_factor(&user).await? {
            None => SecondFactorState::Off,
            Some(f) if f.confirmed_at.is_none() => SecondFactorState::Pending,
            Some(_) => SecondFactorState::On,
        })
    }

    /// Starts setting up a second factor for the caller (a new secret replaces one not yet confirmed); `conflict`
    /// when one is on.
    pub async fn begin_second_factor(&self, p: &Principal) -> Result<SecondFactorSetup> {
        let user_id = principal_user(p)?;
        let user = self.store.user(&user_id).await?.ok_or_else(|| Error::not_found("user", user_id.as_str()))?;
        let mut bytes = [0u8; 20];
        getrandom::fill(&mut bytes).map_err(|e| Error::internal(format!("no random source: {e}")))?;
        let secret = base32(&bytes);
        self.store
            .commit(vec![Mutation::BeginSecondFactor { user: user_id, secret: secret.clone() }], Vec::new())
            .await?;
        self.setup_of(&user.email, secret)
    }

    /// The pending set-up of the caller's second factor, to show again.
    pub async fn pending_second_factor(&self, p: &Principal) -> Result<Option<SecondFactorSetup>> {
        let user_id = principal_user(p)?;
        let user = self.store.user(&user_id).await?.ok_or_else(|| Error::not_found("user", user_id.as_str()))?;
        match self.store.second_factor(&user_id).await? {
            Some(f) if f.confirmed_at.is_none() => self.setup_of(&user.email, f.secret).map(Some),
            _ => Ok(None),
        }
    }

    fn setup_of(&self, email: &str, secret: String) -> Result<SecondFactorSetup> {
        let uri = format!("otpauth://totp/Accord:{}?secret={secret}&issuer=Accord&digits=6&period=30", uri_text(email));
        Ok(SecondFactorSetup { secret, uri })
    }

    /// Turns the caller's pending second factor on with a code from the app; from then on signing in takes a code.
    pub async fn confirm_second_factor(&self, p: &Principal, code: &str) -> Result<()> {
        let user = principal_user(p)?;
        let Some(pending) = self.store.second_factor(&user).await?.filter(|f| f.confirmed_at.is_none()) else {
            return Err(Error::new(
                ErrorCode::Conflict,
                "no second factor is waiting for confirmation; set one up first",
            ));
        };
        let now = accord_core::now();
        let step = matching_step(&pending.secret, code, now).ok_or_else(invalid)?;
        self.store
            .commit(
                vec![Mutation::ConfirmSecondFactor { user: user.clone(), step, at: now }],
                vec![event(p, authority_of(p), EventKind::UserSecondFactorEnabled, user.as_str(), json!({}))],
            )
            .await
            .map(|_| ())
    }

    /// Turns the caller's second factor off, with a current code; `not_found` when it is off.
    pub async fn remove_second_factor(&self, p: &Principal, code: &str) -> Result<()> {
        let user = principal_user(p)?;
        self.check_second_factor(&user, code).await?;
        self.remove_factor_of(p, &user).await
    }

    /// Removes a user's second factor when they lost it (whoever may give the user a credential): they sign in with
    /// their password alone until they set up a new one.
    pub async fn reset_second_factor(&self, p: &Principal, user: &str) -> Result<()> {
        let user = self.key_recipient(p, user).await?;
        self.remove_factor_of(p, &user.id).await
    }

    async fn remove_factor_of(&self, p: &Principal, user: &UserId) -> Result<()> {
        self.store
            .commit(
                vec![Mutation::RemoveSecondFactor { user: user.clone() }],
                vec![event(p, authority_of(p), EventKind::UserSecondFactorRemoved, user.as_str(), json!({}))],
            )
            .await
            .map(|_| ())
    }

    /// Checks a code of a user's confirmed second factor and uses its step; `None` when the user has none on.
    pub(crate) async fn check_second_factor(&self, user: &UserId, code: &str) -> Result<Option<()>> {
        let Some(factor) = self.store.second_factor(user).await?.filter(|f| f.confirmed_at.is_some()) else {
            return Ok(None);
        };
        let step = matching_step(&factor.secret, code, accord_core::now()).ok_or_else(invalid)?;
        if self.store.use_second_factor_step(user, step).await? { Ok(Some(())) } else { Err(invalid()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_match_the_rfc_6238_test_vectors() {
        // RFC 6238, appendix B, SHA-1 secret; the six low digits of its eight-digit codes.
        let secret = b"12345678901234567890";
        for (time, code) in
            [(59, "287082"), (1_111_111_109, "081804"), (1_234_567_890, "005924"), (2_000_000_000, "279037")]
        {
            assert_eq!(totp_code(secret, totp_step(time)), code, "at {time}");
        }
    }

    #[test]
    fn base32_goes_both_ways_and_refuses_other_letters() {
        // RFC 4648 test vectors, without padding.
        for (plain, encoded) in [
            ("f", "MY"),
            ("fo", "MZXQ"),
            ("foo", "MZXW6"),
            ("foob", "MZXW6YQ"),
            ("fooba", "MZXW6YTB"),
            ("foobar", "MZXW6YTBOI"),
        ] {
            assert_eq!(base32(plain.as_bytes()), encoded);
            assert_eq!(from_base32(&encoded.to_lowercase()).unwrap(), plain.as_bytes());
        }
        assert_eq!(from_base32("MZ1"), None, "1 is not a base32 letter");
    }

    #[test]
    fn a_code_of_the_next_or_previous_step_is_accepted_and_no_further() {
        let secret = base32(b"12345678901234567890");
        let now = Timestamp::from_jiff(jiff::Timestamp::from_second(1_111_111_109).unwrap());
        let step = totp_step(1_111_111_109);
        let raw = from_base32(&secret).unwrap();
        for (offset, accepted) in [(-2, false), (-1, true), (0, true), (1, true), (2, false)] {
            let code = totp_code(&raw, step + offset);
            assert_eq!(matching_step(&secret, &code, now).is_some(), accepted, "offset {offset}");
        }
        assert_eq!(matching_step(&secret, "12345", now), None, "five digits");
        assert_eq!(matching_step(&secret, "08180a", now), None, "not digits");
    }
}
