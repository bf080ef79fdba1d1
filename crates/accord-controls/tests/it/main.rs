//! Every integration test of `accord-controls`, in one binary: one link of the dependencies instead of one per file.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod bad_input;
mod determinations;
mod policy_errors;
mod real_data;
