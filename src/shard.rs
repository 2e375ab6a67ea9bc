//! Shards of a job: one machine's share of the runs, saved so that `merge` can combine the
//! shards into the outputs of the whole job.
//!
//! Shard `K/M` of an `N`-run job holds the contiguous runs `N (K-1) / M .. N K / M`, each
//! drawn from the same per-run streams as in the whole job (docs/model.md, uncertainty), so the
//! merged table is the whole job's table and every output is byte-identical. A shard
//! folder holds `shard.json` (what the shard belongs to: program version, scenario text
//! and its hash, `--set` levers, seed, `N`, process noise, its run range and redraw
//! counts) and `runs.bin` (the raw run-major table of metric values, little-endian `f64`,
//! one row per run). This module owns that format and the checks that shards belong
//! together; it runs nothing.

use std::fs;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// Name of a shard's metadata file.
pub const SHARD_FILE: &str = "shard.json";
/// Name of a shard's table of run values.
pub const RUNS_FILE: &str = "runs.bin";
/// Format identifier written into every `shard.json`.
const FORMAT: &str = "talentsim-shard-1";

/// A shard number `K` of `M` shards, counted from 1 (`--shard K/M`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShardSpec {
    /// This shard, 1..=shards.
    pub index: u64,
    /// Number of shards.
    pub shards: u64,
}

impl std::str::FromStr for ShardSpec {
    type Err = String;

    fn from_str(text: &str) -> Result<ShardSpec, String> {
        let bad = || format!("`{text}` is not K/M with 1 <= K <= M (for example 3/8)");
        let (k, m) = text.split_once('/').ok_or_else(bad)?;
        let index: u64 = k.trim().parse().map_err(|_| bad())?;
        let shards: u64 = m.trim().parse().map_err(|_| bad())?;
        if index == 0 || index > shards {
            return Err(bad());
        }
        Ok(ShardSpec { index, shards })
    }
}

impl ShardSpec {
    /// Returns this shard's runs of an `runs`-run job: contiguous, and together the shards
    /// cover `0..runs` exactly once.
    pub fn runs(&self, runs: u64) -> Range<u64> {
        let at = |k: u64| (u128::from(runs) * u128::from(k) / u128::from(self.shards)) as u64;
        at(self.index - 1)..at(self.index)
    }
}

/// What a shard belongs to and holds (`shard.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShardMeta {
    /// Always `talentsim-shard-1`.
    pub format: String,
    /// Version of talentsim that wrote the shard.
    pub version: String,
    /// Scenario name.
    pub scenario: String,
    /// SHA-256 (hex) of the scenario text and the `--set` levers, NUL-separated.
    pub scenario_hash: String,
    /// Scenario file as given on the command line (for messages).
    pub scenario_file: String,
    /// Default name of the scenario (the file stem), as when it was loaded.
    pub scenario_default_name: String,
    /// The scenario file's text.
    pub scenario_text: String,
    /// `--set` levers, in order.
    pub set: Vec<String>,
    /// Seed of the per-run streams.
    pub seed: u64,
    /// Runs in the whole job.
    pub runs: u64,
    /// Whether flows were random.
    pub process_noise: bool,
    /// Whether every count was drawn exactly (`--exact`).
    #[serde(default)]
    pub exact: bool,
    /// This shard, counted from 1.
    pub shard: u64,
    /// Number of shards.
    pub shards: u64,
    /// First run held.
    pub first_run: u64,
    /// One past the last run held.
    pub end_run: u64,
    /// Values per run (years x metrics).
    pub columns: u64,
    /// Runs of this shard whose parameters were drawn again, by level.
    pub redrawn_by_level: Vec<u64>,
    /// The audit record of the whole job (this shard's command line).
    pub audit: crate::audit::Audit,
    /// SHA-256 of `runs.bin`, lowercase hex: shards travel between machines, and `merge`
    /// refuses one whose runs do not match it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runs_sha256: Option<String>,
}

/// Returns the hash recorded in `shard.json` for a scenario text and its levers.
pub fn scenario_hash(text: &str, set: &[String]) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for s in set {
        bytes.push(0);
        bytes.extend_from_slice(s.as_bytes());
    }
    crate::audit::sha256_hex(&bytes)
}

/// Why shards cannot be read or combined; every message names the folder concerned.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct ShardError {
    /// Shard folder (or file) concerned.
    pub path: PathBuf,
    /// What is wrong.
    pub message: String,
}

fn fail(path: &Path, message: impl Into<String>) -> ShardError {
    ShardError {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

/// Writes a shard's metadata and table into `dir` (an existing, empty folder).
///
/// # Errors
/// [`ShardError`] naming the file that could not be written.
pub fn write(
    dir: &Path,
    meta: &ShardMeta,
    values: &ndarray::Array2<f64>,
) -> Result<(), ShardError> {
    let mut bytes = Vec::with_capacity(values.len() * 8);
    // Run after run, whatever the table's layout in memory.
    for v in values {
        bytes.extend_from_slice(&v.to_le_bytes());
    }
    let meta = ShardMeta {
        runs_sha256: Some(crate::audit::sha256_hex(&bytes)),
        ..meta.clone()
    };
    let path = dir.join(RUNS_FILE);
    fs::write(&path, bytes).map_err(|e| fail(&path, e.to_string()))?;
    let path = dir.join(SHARD_FILE);
    let json = serde_json::to_string_pretty(&meta).map_err(|e| fail(&path, e.to_string()))?;
    fs::write(&path, json + "\n").map_err(|e| fail(&path, e.to_string()))
}

/// Reads the metadata of the shard in `dir`.
///
/// # Errors
/// [`ShardError`] when `dir` is not a talentsim shard folder.
pub fn read_meta(dir: &Path) -> Result<ShardMeta, ShardError> {
    let path = dir.join(SHARD_FILE);
    let text = fs::read_to_string(&path).map_err(|e| {
        fail(
            dir,
            format!("not a shard folder ({SHARD_FILE}: {e}); shards are written by `talentsim run --shard K/M --out DIR`"),
        )
    })?;
    let meta: ShardMeta = serde_json::from_str(&text)
        .map_err(|e| fail(&path, format!("not a talentsim shard: {e}")))?;
    if meta.format != FORMAT {
        return Err(fail(
            &path,
            format!("unknown shard format `{}` (expected {FORMAT})", meta.format),
        ));
    }
    if meta.first_run > meta.end_run || meta.end_run > meta.runs {
        return Err(fail(&path, "inconsistent run range"));
    }
    Ok(meta)
}

/// Appends the run values of the shard in `dir` to `out`, checking the table's size.
///
/// # Errors
/// [`ShardError`] when `runs.bin` is missing or has the wrong length.
pub fn read_values(dir: &Path, meta: &ShardMeta, out: &mut Vec<f64>) -> Result<(), ShardError> {
    let path = dir.join(RUNS_FILE);
    let bytes = fs::read(&path).map_err(|e| fail(&path, e.to_string()))?;
    let cells = (meta.end_run - meta.first_run).saturating_mul(meta.columns);
    if bytes.len() as u64 != cells.saturating_mul(8) {
        return Err(fail(
            &path,
            format!(
                "holds {} bytes but runs {}..{} of {} values need {}: the shard is truncated or damaged",
                bytes.len(),
                meta.first_run,
                meta.end_run,
                meta.columns,
                cells.saturating_mul(8)
            ),
        ));
    }
    let hash = crate::audit::sha256_hex(&bytes);
    match &meta.runs_sha256 {
        Some(h) if *h == hash => {}
        Some(h) => {
            return Err(fail(
                dir,
                format!(
                    "{RUNS_FILE} does not match the checksum in {SHARD_FILE} (SHA-256 {h} recorded, {hash} now): \
                     the shard was damaged in transit or edited; copy it again or run it again"
                ),
            ))
        }
        None => {
            return Err(fail(
                dir,
                format!("{SHARD_FILE} has no checksum of {RUNS_FILE}; run the shard again with this version"),
            ))
        }
    }
    out.extend(
        bytes
            .chunks_exact(8)
            .map(|c| f64::from_le_bytes(c.try_into().expect("8 bytes"))),
    );
    Ok(())
}

/// Orders shards by run and checks that they belong to one job and cover it exactly:
/// same program version, scenario (hash), levers, seed, run count and process noise; no
/// run missing and none held twice.
///
/// # Errors
/// [`ShardError`] naming the folder that does not fit and why.
pub fn plan(
    mut shards: Vec<(PathBuf, ShardMeta)>,
) -> Result<Vec<(PathBuf, ShardMeta)>, ShardError> {
    let Some((first_dir, first)) = shards.first().cloned() else {
        return Err(fail(Path::new("."), "no shard folders given"));
    };
    for (dir, m) in &shards[1..] {
        let differs = |what: &str, a: String, b: String| {
            fail(
                dir,
                format!(
                    "belongs to another job: {what} is {a} here but {b} in {}",
                    first_dir.display()
                ),
            )
        };
        if m.version != first.version {
            return Err(differs(
                "the talentsim version",
                m.version.clone(),
                first.version.clone(),
            ));
        }
        if m.scenario_hash != first.scenario_hash {
            return Err(differs(
                "the scenario (text or --set)",
                format!("{} ({})", m.scenario, m.scenario_hash),
                format!("{} ({})", first.scenario, first.scenario_hash),
            ));
        }
        if m.seed != first.seed {
            return Err(differs(
                "the seed",
                m.seed.to_string(),
                first.seed.to_string(),
            ));
        }
        if m.runs != first.runs {
            return Err(differs(
                "the number of runs",
                m.runs.to_string(),
                first.runs.to_string(),
            ));
        }
        if m.process_noise != first.process_noise {
            return Err(differs(
                "process noise",
                m.process_noise.to_string(),
                first.process_noise.to_string(),
            ));
        }
        if m.exact != first.exact {
            return Err(differs(
                "--exact",
                m.exact.to_string(),
                first.exact.to_string(),
            ));
        }
        if m.columns != first.columns {
            return Err(differs(
                "the table width",
                m.columns.to_string(),
                first.columns.to_string(),
            ));
        }
    }
    shards.sort_by_key(|(_, m)| (m.first_run, m.end_run));
    let mut next = 0;
    let mut previous: Option<&Path> = None;
    for (dir, m) in &shards {
        if m.first_run > next {
            return Err(fail(
                dir,
                format!(
                    "runs {next}..{} are missing: no shard given holds them (this one starts at run {})",
                    m.first_run, m.first_run
                ),
            ));
        }
        if m.first_run < next {
            let other = previous.map_or_else(String::new, |p| format!(" and {}", p.display()));
            return Err(fail(
                dir,
                format!(
                    "overlaps another shard: runs {}..{next} are held both here{other}",
                    m.first_run
                ),
            ));
        }
        next = m.end_run;
        previous = Some(dir);
    }
    if next != first.runs {
        let last = &shards[shards.len() - 1].0;
        return Err(fail(
            last,
            format!(
                "runs {next}..{} of the {}-run job are missing: give every shard folder",
                first.runs, first.runs
            ),
        ));
    }
    Ok(shards)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_cover_every_run_once() {
        for runs in [1, 7, 10, 1000, 1001] {
            for m in 1..=9 {
                let mut next = 0;
                for k in 1..=m {
                    let r = ShardSpec {
                        index: k,
                        shards: m,
                    }
                    .runs(runs);
                    assert_eq!(r.start, next);
                    next = r.end;
                }
                assert_eq!(next, runs);
            }
        }
    }

    #[test]
    fn shard_specs_parse() {
        assert_eq!(
            "2/5".parse::<ShardSpec>(),
            Ok(ShardSpec {
                index: 2,
                shards: 5
            })
        );
        assert!("0/5".parse::<ShardSpec>().is_err());
        assert!("6/5".parse::<ShardSpec>().is_err());
        assert!("5".parse::<ShardSpec>().is_err());
    }
}
