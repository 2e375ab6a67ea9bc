//! The `talentsim` binary: parse arguments, run the command, map errors to exit codes
//! (0 success, 1 failure while running, 2 bad usage or invalid scenario).

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = talentsim::cli::Cli::parse();
    match talentsim::app::execute(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
