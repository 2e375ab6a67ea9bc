//! Terminal output: everything the commands print to standard output goes through here, so
//! that a closed pipe (`talentsim check *.toml | head -1`) or a full device
//! (`talentsim init > /dev/full`) is an error the command returns, never a panic as with
//! `print!`. Warnings and errors go to standard error through [`warn`]. What it must not
//! do: decide what to print.
//!
//! A closed pipe ends the command quietly with exit 0, as ripgrep and fd do
//! ([`super::Error::is_broken_pipe`]); any other write failure is a one-line error, exit 1.

use std::io::{self, Write};

use super::Error;

/// Writes `text` to standard output and flushes it.
///
/// # Errors
/// [`Error::Stdout`] when standard output is closed or cannot be written.
pub fn print(text: &str) -> Result<(), Error> {
    write(text.as_bytes()).map_err(Error::Stdout)
}

/// Writes `bytes` to standard output and flushes it, returning the I/O error as it is.
pub fn write(bytes: &[u8]) -> io::Result<()> {
    let mut out = io::stdout().lock();
    out.write_all(bytes)?;
    out.flush()
}

/// Writes a line to standard error, ignoring failures: a message about a problem has
/// nowhere else to go.
pub fn warn(text: &str) {
    let mut err = io::stderr().lock();
    let _ = writeln!(err, "{text}");
}

/// Prints a formatted line to standard output; returns `Result<(), Error>` (use with `?`).
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::app::term::print(&format!("{}\n", format_args!($($arg)*)))
    };
}
pub(crate) use outln;
