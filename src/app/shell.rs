//! Shell and editor conventions (README "Install"): completion scripts (clap_complete), man
//! pages (clap_mangen, rendered at run time from the same clap definitions as `--help`, so
//! they never drift from it). What it must not do: run or read a scenario.

use clap::CommandFactory;

use super::{term, Error};
use crate::cli::Cli;

/// Prints the completion script of `shell`.
///
/// # Errors
/// [`Error::Stdout`] when standard output cannot be written.
pub fn completions(shell: clap_complete::Shell) -> Result<(), Error> {
    let mut cmd = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cmd, "talentsim", &mut script);
    term::write(&script).map_err(Error::Stdout)
}

/// Prints the man page of talentsim, or of one of its commands (`talentsim-run(1)`).
///
/// # Errors
/// [`Error::Usage`] for an unknown command, with the nearest name suggested;
/// [`Error::Stdout`] when standard output cannot be written.
pub fn man(command: Option<&str>) -> Result<(), Error> {
    let mut cmd = Cli::command();
    // Building gives each command its display name (`talentsim-run`) and usage line.
    cmd.build();
    let page = match command {
        None => cmd,
        Some(name) => {
            let names: Vec<&str> = cmd
                .get_subcommands()
                .map(clap::Command::get_name)
                .filter(|n| *n != "help")
                .collect();
            let Some(sub) = cmd.find_subcommand(name) else {
                let nearest = names
                    .iter()
                    .min_by_key(|n| strsim::levenshtein(n, name))
                    .map(|n| format!("; did you mean `{n}`?"))
                    .unwrap_or_default();
                return Err(Error::Usage(format!(
                    "`talentsim man {name}`: no such command{nearest} Commands: {}",
                    names.join(", ")
                )));
            };
            sub.clone()
        }
    };
    let mut roff = Vec::new();
    clap_mangen::Man::new(page)
        .render(&mut roff)
        .map_err(Error::Stdout)?;
    term::write(&roff).map_err(Error::Stdout)
}
