//! Every integration test of `accord-screen`, in one binary: one link of the dependencies instead of one per file.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod properties;
mod screening;
