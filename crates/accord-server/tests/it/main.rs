//! Every integration test of `accord-server`, in one binary: one link of the dependencies instead of one per file.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod access;
mod api;
mod applications;
mod determinations;
mod governance;
mod keys;
mod limits;
mod screening;
mod support;
mod surface;
mod warnings;
mod web;
