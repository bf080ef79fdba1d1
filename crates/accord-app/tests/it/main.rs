//! Every integration test of `accord-app`, in one binary: one link of the dependencies instead of one per file.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod accounts;
mod applications;
mod consultations;
mod controls;
mod dashboards;
mod demo;
mod determinations;
mod early_warning;
mod governance;
mod licences;
mod lists;
mod ownership;
mod support;
