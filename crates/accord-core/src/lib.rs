//! Accord's domain core: identifiers, records, roles, error codes and the audit-chain hash.
//! Nothing here performs I/O beyond reading the clock and the OS random source.

pub mod audit;
pub mod cases;
pub mod controls;
pub mod country;
pub mod currency;
pub mod decimal;
pub mod denials;
pub mod determination;
pub mod error;
pub mod federation;
pub mod ids;
pub mod licences;
pub mod listed;
pub mod model;
#[macro_use]
pub mod named;
pub mod principal;
pub mod shared;

pub use error::{Error, ErrorCode, Result};

/// The current time as stored and shown everywhere: RFC 3339, UTC, microsecond precision.
pub fn now() -> String {
    format_timestamp(jiff::Timestamp::now())
}

/// Formats a timestamp the way Accord stores it (fixed width, so text order is time order).
pub fn format_timestamp(ts: jiff::Timestamp) -> String {
    let micros = ts.as_microsecond();
    let ts = jiff::Timestamp::from_microsecond(micros).unwrap_or(ts);
    format!("{ts:.6}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn timestamps_have_fixed_width_and_sort_as_text() {
        let a = super::format_timestamp(jiff::Timestamp::from_second(1_700_000_000).unwrap());
        assert_eq!(a, "2023-11-14T22:13:20.000000Z");
        let b = super::now();
        assert_eq!(a.len(), b.len());
        assert!(a < b);
    }
}
