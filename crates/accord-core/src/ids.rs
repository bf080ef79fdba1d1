//! Identifiers: human-chosen authority ids and generated, prefixed record ids.

use crate::error::{Error, ErrorCode, Result};
use serde::{Deserialize, Serialize};
use std::fmt;

const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Generates a sortable, random id: `prefix` + `_` + 26 Crockford base-32 characters
/// (48 bits of milliseconds since the epoch, then 80 random bits, as in a ULID).
pub fn generate_id(prefix: &str) -> String {
    let ms = jiff::Timestamp::now().as_millisecond().max(0) as u128;
    let mut random = [0u8; 10];
    // getrandom only fails when the OS has no entropy source at all; fall back to time bits.
    if getrandom::fill(&mut random).is_err() {
        let nanos = jiff::Timestamp::now().as_nanosecond();
        random.copy_from_slice(&nanos.to_le_bytes()[..10]);
    }
    let mut value = ms << 80;
    for (i, b) in random.iter().enumerate() {
        value |= (*b as u128) << (8 * (9 - i));
    }
    let mut out = String::with_capacity(prefix.len() + 27);
    out.push_str(prefix);
    out.push('_');
    for i in (0..26).rev() {
        out.push(CROCKFORD[((value >> (5 * i)) & 31) as usize] as char);
    }
    out
}

fn is_generated(prefix: &str, s: &str) -> bool {
    s.strip_prefix(prefix)
        .and_then(|rest| rest.strip_prefix('_'))
        .is_some_and(|body| body.len() == 26 && body.bytes().all(|b| CROCKFORD.contains(&b)))
}

macro_rules! generated_id {
    ($(#[$doc:meta])* $name:ident, $prefix:literal, $kind:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// The prefix every id of this kind starts with.
            pub const PREFIX: &'static str = $prefix;

            /// A fresh, random id.
            pub fn generate() -> Self {
                $name(generate_id($prefix))
            }

            /// Parses an id, refusing anything that is not of this kind.
            pub fn parse(s: &str) -> Result<Self> {
                if is_generated($prefix, s) {
                    Ok($name(s.to_owned()))
                } else {
                    Err(Error::new(
                        ErrorCode::InvalidId,
                        format!("'{}' is not a valid {} id (expected {}_ followed by 26 base-32 characters)", truncate(s), $kind, $prefix),
                    ))
                }
            }

            /// The id as a string slice.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = Error;
            fn try_from(s: String) -> Result<Self> {
                $name::parse(&s)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

generated_id!(
    /// The id of an organisation (exporter, university, forwarder).
    OrgId, "org", "organisation"
);
generated_id!(
    /// The id of a user.
    UserId, "usr", "user"
);
generated_id!(
    /// The id of an API key (the public part of the key).
    KeyId, "key", "API key"
);
generated_id!(
    /// The id of an audit event.
    EventId, "evt", "event"
);
generated_id!(
    /// The id of an adjudication of a screening hit.
    AdjudicationId, "adj", "adjudication"
);
generated_id!(
    /// The id of a licence application.
    ApplicationId, "app", "application"
);
generated_id!(
    /// The id of a case (one authority's review of an application).
    CaseId, "case", "case"
);
generated_id!(
    /// The id of a licence.
    LicenceId, "lic", "licence"
);
generated_id!(
    /// The id of a shipment reported against a licence.
    ShipmentId, "shp", "shipment"
);
generated_id!(
    /// The id of a denial notification.
    DenialId, "den", "denial"
);

/// Cuts user input to a length that is safe to echo back in a message.
pub fn truncate(s: &str) -> String {
    const MAX: usize = 64;
    if s.chars().count() <= MAX {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(MAX).collect();
        t.push('…');
        t
    }
}

/// The id of a national licensing authority, such as `DE-BAFA` or `US-BIS`:
/// a two-letter country code, a hyphen, then 2–16 upper-case letters or digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AuthorityId(String);

impl AuthorityId {
    /// Parses an authority id.
    pub fn parse(s: &str) -> Result<Self> {
        let ok = s.len() >= 5
            && s.len() <= 19
            && s.as_bytes()[..2].iter().all(u8::is_ascii_uppercase)
            && s.as_bytes()[2] == b'-'
            && s.as_bytes()[3..].iter().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        if ok {
            Ok(AuthorityId(s.to_owned()))
        } else {
            Err(Error::new(
                ErrorCode::InvalidId,
                format!(
                    "'{}' is not a valid authority id (expected a country code, a hyphen and 2-16 upper-case letters or digits, e.g. DE-BAFA)",
                    truncate(s)
                ),
            ))
        }
    }

    /// The id as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for AuthorityId {
    type Error = Error;
    fn try_from(s: String) -> Result<Self> {
        AuthorityId::parse(&s)
    }
}

impl From<AuthorityId> for String {
    fn from(id: AuthorityId) -> String {
        id.0
    }
}

impl fmt::Display for AuthorityId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_parse_back_and_sort_by_time() {
        let a = OrgId::generate();
        std::thread::sleep(std::time::Duration::from_millis(2));
        let b = OrgId::generate();
        assert_eq!(OrgId::parse(a.as_str()).unwrap(), a);
        assert!(a < b, "{a} should sort before {b}");
        assert_ne!(a, b);
    }

    #[test]
    fn ids_of_another_kind_are_refused() {
        let user = UserId::generate();
        let err = OrgId::parse(user.as_str()).unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidId);
        assert!(OrgId::parse("org_").is_err());
        assert!(OrgId::parse("org_0000000000000000000000000I").is_err());
    }

    #[test]
    fn authority_ids_follow_country_hyphen_code() {
        for ok in ["DE-BAFA", "US-BIS", "UK-ECJU", "JP-METI", "FR-SBDU2"] {
            assert!(AuthorityId::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["de-bafa", "DEBAFA", "D-BAFA", "DE-B", "DE-BAFA'; DROP TABLE x", "", "DE-ÄBC"] {
            assert!(AuthorityId::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn long_input_is_truncated_in_messages() {
        let long = "x".repeat(10_000);
        let err = OrgId::parse(&long).unwrap_err();
        assert!(err.message.len() < 300);
    }
}
