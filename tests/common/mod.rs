//! Helpers shared by the tests that run the real binary.

#![allow(dead_code)] // Each test file uses a subset.

use std::process::{Command, Output};

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_talentsim");

/// Runs the binary with `args` and returns its status and output.
pub fn talentsim(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .output()
        .expect("the binary runs")
}

/// Returns a command's standard error as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
