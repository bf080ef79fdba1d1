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
pub mod governance;
pub mod ids;
pub mod licences;
pub mod listed;
pub mod model;
#[macro_use]
pub mod named;
pub mod ownership;
pub mod principal;
pub mod shared;
pub mod stats;
pub mod time;
pub mod warning;
pub mod watch;

pub use error::{Error, ErrorCode, Result};

pub use time::Timestamp;

/// The current instant, at the precision Accord keeps.
pub fn now() -> Timestamp {
    Timestamp::now()
}
