//! Instants as Accord keeps them: UTC, microsecond precision, written as fixed-width RFC 3339 so that text
//! order is time order in every store and every answer.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use crate::{Error, Result};

/// An instant truncated to the microsecond; shown as `2026-12-05T08:51:22.123456Z`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(jiff::Timestamp);

impl Timestamp {
    /// The current instant.
    pub fn now() -> Timestamp {
        Timestamp::from_jiff(jiff::Timestamp::now())
    }

    /// `ts` truncated to the microsecond.
    pub fn from_jiff(ts: jiff::Timestamp) -> Timestamp {
        Timestamp(jiff::Timestamp::from_microsecond(ts.as_microsecond()).unwrap_or(ts))
    }

    /// The instant as a jiff timestamp.
    pub fn jiff(self) -> jiff::Timestamp {
        self.0
    }

    /// Seconds since the Unix epoch.
    pub fn as_second(self) -> i64 {
        self.0.as_second()
    }

    /// The UTC day the instant falls on.
    pub fn utc_date(self) -> jiff::civil::Date {
        self.0.to_zoned(jiff::tz::TimeZone::UTC).date()
    }

    /// The instant `d` later (earlier when negative); saturates at the ends of time.
    pub fn plus(self, d: jiff::SignedDuration) -> Timestamp {
        Timestamp::from_jiff(self.0.checked_add(d).unwrap_or(if d.is_negative() {
            jiff::Timestamp::MIN
        } else {
            jiff::Timestamp::MAX
        }))
    }

    /// Parses an RFC 3339 instant with an offset (`Z` or `±hh:mm`); `validation_failed` naming `field` otherwise.
    pub fn parse(field: &str, s: &str) -> Result<Timestamp> {
        s.parse::<Timestamp>().map_err(|e| Error::validation(field, e))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.6}", self.0)
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::str::FromStr for Timestamp {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Timestamp, String> {
        s.parse::<jiff::Timestamp>().map(Timestamp::from_jiff).map_err(|_| {
            format!(
                "'{}' is not an instant in RFC 3339 form with an offset (e.g. 2026-01-31T12:00:00Z)",
                crate::ids::truncate(s)
            )
        })
    }
}

impl From<jiff::Timestamp> for Timestamp {
    fn from(ts: jiff::Timestamp) -> Timestamp {
        Timestamp::from_jiff(ts)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Timestamp;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an RFC 3339 instant such as 2026-01-31T12:00:00Z")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> std::result::Result<Timestamp, E> {
                s.parse().map_err(E::custom)
            }
        }
        d.deserialize_str(V)
    }
}

impl utoipa::PartialSchema for Timestamp {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{KnownFormat, SchemaFormat, Type};
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
            .into()
    }
}

impl utoipa::ToSchema for Timestamp {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_have_fixed_width_and_sort_as_text() {
        let a = Timestamp::from_jiff(jiff::Timestamp::from_second(1_700_000_000).unwrap());
        assert_eq!(a.to_string(), "2023-11-14T22:13:20.000000Z");
        let b = Timestamp::now();
        assert_eq!(a.to_string().len(), b.to_string().len());
        assert!(a < b && a.to_string() < b.to_string());
    }

    #[test]
    fn text_round_trips_exactly_and_offsets_are_normalised_to_utc() {
        let t: Timestamp = "2026-01-31T12:00:00.1234567+02:00".parse().unwrap();
        assert_eq!(t.to_string(), "2026-01-31T10:00:00.123456Z");
        assert_eq!(t.to_string().parse::<Timestamp>().unwrap(), t);
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(serde_json::from_str::<Timestamp>(&json).unwrap(), t);
        assert_eq!(t.utc_date().to_string(), "2026-01-31");
    }

    #[test]
    fn instants_without_an_offset_or_out_of_range_are_refused_with_the_field() {
        for bad in ["2026-01-31T12:00:00", "2026-01-31", "yesterday", "2026-13-01T00:00:00Z"] {
            let e = Timestamp::parse("expires_at", bad).unwrap_err();
            assert_eq!(e.code, crate::ErrorCode::ValidationFailed, "{bad}");
            assert!(e.message.contains("RFC 3339"), "{bad}: {}", e.message);
        }
        assert!(serde_json::from_str::<Timestamp>("42").is_err());
    }

    #[test]
    fn adding_a_duration_saturates_instead_of_overflowing() {
        let t = Timestamp::now();
        assert!(t.plus(jiff::SignedDuration::from_secs(60)) > t);
        assert_eq!(t.plus(jiff::SignedDuration::MAX).jiff(), jiff::Timestamp::MAX);
    }
}
