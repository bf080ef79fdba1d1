//! API keys: `key_<26 chars>.<64 hex>` tokens, of which only a SHA-256 of the secret is stored.

use accord_core::audit::hex;
use accord_core::ids::{KeyId, UserId};
use accord_core::model::{ApiKeyInfo, parse_name};
use accord_core::{Error, ErrorCode, Result};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

/// Request to create an API key.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewKey {
    /// Free label to tell keys apart, e.g. `laptop`.
    pub label: String,
    /// Optional expiry (RFC 3339, in the future).
    #[serde(default)]
    pub expires_at: Option<String>,
}

/// A freshly created key: its facts and the token, shown this once.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IssuedKey {
    /// The key's public facts.
    pub key: ApiKeyInfo,
    /// The bearer token; it cannot be shown again.
    pub token: String,
}

/// Most keys a user may hold that are neither revoked nor expired.
pub const MAX_ACTIVE_KEYS: usize = 20;

/// Creates a key for `user`, minted with `parent` (the caller's key, whose expiry it may not pass); returns it with
/// the hash to store.
pub(crate) fn issue(user: &UserId, input: NewKey, parent: Option<&ApiKeyInfo>) -> Result<(IssuedKey, String)> {
    let label = parse_name("label", &input.label)?;
    let now = accord_core::now();
    let expires_at = input
        .expires_at
        .map(|e| {
            let at = accord_core::Timestamp::parse("expires_at", &e)?;
            if at <= now {
                return Err(Error::validation("expires_at", "expires_at must be in the future"));
            }
            Ok(at)
        })
        .transpose()?;
    // A minted key never outlives its parent: without an expiry it takes the parent's; a later one is refused.
    let expires_at = match (expires_at, parent.and_then(|k| k.expires_at)) {
        (None, limit) => limit,
        (Some(asked), Some(limit)) if asked > limit => {
            return Err(Error::validation(
                "expires_at",
                format!("expires_at must be no later than {limit}, when the key that creates it expires"),
            ));
        }
        (asked, _) => asked,
    };
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret).map_err(|e| Error::internal(format!("no random source: {e}")))?;
    let secret = hex(&secret);
    let id = KeyId::generate();
    let token = format!("{id}.{secret}");
    let key = ApiKeyInfo {
        id,
        user_id: user.clone(),
        label,
        created_at: now,
        expires_at,
        revoked_at: None,
        last_used_at: None,
        parent_key_id: parent.map(|k| k.id.clone()),
    };
    Ok((IssuedKey { key, token }, hash_secret(&secret)))
}

/// SHA-256 of a secret, hex. Secrets are 256 random bits, so a fast hash is enough.
pub(crate) fn hash_secret(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

/// Splits a token into its key id and secret.
pub(crate) fn split_token(token: &str) -> Result<(KeyId, &str)> {
    let invalid =
        || Error::new(ErrorCode::InvalidApiKey, "the API key is malformed (expected key_….<64 hex characters>)");
    let (id, secret) = token.trim().split_once('.').ok_or_else(invalid)?;
    let id = KeyId::parse(id).map_err(|_| invalid())?;
    if secret.len() != 64 || !secret.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(invalid());
    }
    Ok((id, secret))
}

/// Compares a presented secret with the stored hash in constant time.
pub(crate) fn secret_matches(secret: &str, stored_hash: &str) -> bool {
    let presented = hash_secret(&secret.to_ascii_lowercase());
    presented.len() == stored_hash.len()
        && presented.bytes().zip(stored_hash.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
}

/// Whether a key's last-used time is old enough (a minute) to be written again.
pub(crate) fn due_for_touch(last_used_at: Option<accord_core::Timestamp>, now: accord_core::Timestamp) -> bool {
    last_used_at.is_none_or(|last| last < now.plus(jiff::SignedDuration::from_secs(-60)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issued_token_matches_only_its_own_hash() {
        let (issued, hash) = issue(&UserId::generate(), NewKey { label: "ci".into(), expires_at: None }, None).unwrap();
        let (id, secret) = split_token(&issued.token).unwrap();
        assert_eq!(id, issued.key.id);
        assert!(secret_matches(secret, &hash));
        let (other, _) = issue(&UserId::generate(), NewKey { label: "ci".into(), expires_at: None }, None).unwrap();
        let (_, other_secret) = split_token(&other.token).unwrap();
        assert!(!secret_matches(other_secret, &hash));
        assert!(!issued.token.contains(&hash), "the stored hash is not the secret");
    }

    #[test]
    fn malformed_tokens_are_refused() {
        for bad in [
            "",
            "abc",
            "key_x.y",
            &format!("{}.{}", KeyId::generate(), "z".repeat(64)),
            &format!("{}.{}", KeyId::generate(), "a".repeat(63)),
        ] {
            assert_eq!(split_token(bad).unwrap_err().code, ErrorCode::InvalidApiKey, "{bad}");
        }
    }

    #[test]
    fn past_expiry_is_refused() {
        let past = NewKey { label: "x".into(), expires_at: Some("2020-01-01T00:00:00Z".into()) };
        let err = issue(&UserId::generate(), past, None).unwrap_err();
        assert_eq!(err.details.unwrap()["field"], "expires_at");
        let err = issue(&UserId::generate(), NewKey { label: "x".into(), expires_at: Some("tomorrow".into()) }, None)
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::ValidationFailed);
    }

    #[test]
    fn key_use_is_recorded_at_most_once_a_minute() {
        let now = accord_core::now();
        assert!(due_for_touch(None, now));
        assert!(!due_for_touch(Some(now), now));
        assert!(due_for_touch(Some("2020-01-01T00:00:00.000000Z".parse().unwrap()), now));
    }
}
