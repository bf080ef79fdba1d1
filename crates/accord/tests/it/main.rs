//! Every integration test of `accord`, in one binary: one link of the dependencies instead of one per file.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::path::Path;
use std::process::{Command, Output};

/// The binary under test, with no `ACCORD_*` variable of the environment the tests run in.
fn accord() -> Command {
    accord_testing::cli::command(env!("CARGO_BIN_EXE_accord"))
}

/// Runs the binary in `dir` with `args`.
fn run(dir: &Path, args: &[&str]) -> Output {
    accord_testing::cli::run(env!("CARGO_BIN_EXE_accord"), dir, args)
}

/// A file under `../shared/data/controls`, as a command-line argument.
fn controls_data(rel: &str) -> String {
    accord_testing::data::text(&accord_testing::data::controls(rel))
}

mod cli;
mod controls;
mod determine;
mod federation;
mod lists;
mod screen;
mod sync;
mod walkthrough;
mod warnings;
