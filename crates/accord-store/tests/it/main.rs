//! Every integration test of `accord-store`, in one binary: one link of the dependencies instead of one per file.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod declarations;
mod story;
