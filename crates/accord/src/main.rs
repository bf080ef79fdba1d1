//! The `accord` binary: parses the command line, runs one command, maps its outcome to an exit code.

mod cli;
mod commands;
mod config;
mod controls;
mod demo;
mod determine;
mod federation;
mod governance;
mod licences;
mod lists;
mod output;
mod screen;
mod sync;
mod warnings;

use clap::Parser;
use std::process::ExitCode;

/// Output piped into a reader that stops early (`accord … | head`) ends the command quietly with success, as a
/// Unix tool does, instead of a panic about a broken pipe.
fn quiet_on_broken_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or_default();
        if message.starts_with("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(0);
        }
        default(info);
    }));
}

fn main() -> ExitCode {
    quiet_on_broken_pipe();
    let cli = cli::Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            // An error of the domain ends with the exit status of its code; anything else with 1.
            let code = e
                .chain()
                .find_map(|c| match c.downcast_ref::<commands::Failure>() {
                    Some(f) => Some(f.0.code),
                    None => c.downcast_ref::<accord_core::Error>().map(|x| x.code),
                })
                .map_or(1, accord_core::ErrorCode::exit_code);
            ExitCode::from(code)
        }
    }
}
