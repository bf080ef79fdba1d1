//! Every integration test of `accord-federation`, in one binary: one link of the dependencies instead of one per file.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod audit_checkpoints;
mod governance;
mod hostile_peers;
mod nodes;
mod ownership;
