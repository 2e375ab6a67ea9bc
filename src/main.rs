//! The `talentsim` binary: parse arguments, run the command, map errors to exit codes
//! (0 success, 1 failure while running, 2 bad usage or invalid scenario).
//!
//! The command-line layer lives here and nowhere else: [`cli`] declares the arguments
//! (clap), [`app`] turns them into library calls and prints. The library (`talentsim`)
//! knows nothing of either.

#![forbid(unsafe_code)]

mod app;
mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match app::execute(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        // The reader went away (`| head`): stop quietly, as ripgrep and fd do.
        Err(e) if e.is_broken_pipe() => ExitCode::SUCCESS,
        Err(e) => {
            app::term::warn(&format!("error: {e}"));
            ExitCode::from(e.exit_code())
        }
    }
}
