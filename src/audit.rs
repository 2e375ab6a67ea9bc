//! The audit trail: how a set of results was produced (scenario file and its SHA-256,
//! runs, seed, options and the command line), recorded in `summary.json` beside the
//! program version, and the byte-for-byte comparison of output folders behind
//! `talentsim run --replay`.
//!
//! Reads files and hashes them; never simulates and never writes.

use std::fs;
use std::io;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// How one set of results was produced: enough to run it again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Audit {
    /// The scenario file as given on the command line.
    pub scenario_file: String,
    /// The scenario file's absolute path when the run started.
    pub scenario_path: String,
    /// SHA-256 of the scenario file's bytes, lowercase hex.
    pub scenario_sha256: String,
    /// Monte Carlo runs (after `--runs`).
    pub runs: u64,
    /// Seed of the per-run streams (after `--seed`).
    pub seed: u64,
    /// Whether charts were drawn (`--no-charts` not given).
    pub charts: bool,
    /// The command line, program name first.
    pub command_line: Vec<String>,
    /// `--set LEVER=VALUE` assignments, in order.
    #[serde(default)]
    pub set: Vec<String>,
    /// Chart and report language (`--lang`).
    #[serde(default)]
    pub lang: crate::lang::Lang,
    /// Chart width in pixels (`--width`); absent in records older than the option.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    /// Chart height in pixels (`--height`); absent in records older than the option.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
    /// Whether every count was drawn exactly (`--exact`).
    #[serde(default)]
    pub exact: bool,
    /// SHA-256 of a calibrated scenario's posterior file, lowercase hex.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub posterior_sha256: Option<String>,
}

/// Returns the SHA-256 of `bytes` as lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Compares two folders file by file (top level only, as talentsim writes them); returns
/// one line per difference, empty when every file is byte-identical.
///
/// # Errors
/// An I/O error when a folder or file cannot be read.
pub fn compare_folders(expected: &Path, actual: &Path) -> io::Result<Vec<String>> {
    let names = |dir: &Path| -> io::Result<Vec<String>> {
        let mut v: Vec<String> = fs::read_dir(dir)?
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        Ok(v)
    };
    let (a, b) = (names(expected)?, names(actual)?);
    let mut out = Vec::new();
    for name in &a {
        if !b.contains(name) {
            out.push(format!("{name}: not produced by the replay"));
        } else if fs::read(expected.join(name))? != fs::read(actual.join(name))? {
            out.push(format!("{name}: contents differ"));
        }
    }
    for name in b.iter().filter(|n| !a.contains(n)) {
        out.push(format!(
            "{name}: produced by the replay but not in the recorded results"
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_matches_the_fips_180_example() {
        // FIPS 180-2, appendix B.1: SHA-256("abc").
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
