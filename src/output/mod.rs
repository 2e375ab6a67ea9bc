//! Output files (docs/outputs.md): serializers of a [`Summary`] and the writer that
//! owns the output folder.
//!
//! Files are written into a staging folder beside the destination and renamed into place
//! only when every file is complete, so a failed or interrupted run leaves the previous
//! results as they were and no partial folder. Nothing here runs the model.

pub mod analysis;
pub mod backtest;
pub mod calibration;
mod csv;
mod figures;
pub mod table;
pub mod text;
pub mod xlsx;

pub use csv::{
    AGES_HEADER, CENTRAL_HEADER, PROJECTION_HEADER, TARGETS_HEADER, TARGET_YEARS_HEADER,
};
pub use figures::{write_figures, REPORT_FILE};

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use crate::stats::Summary;

/// A failure to write results, naming the path.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct OutputError {
    /// File or folder concerned.
    pub path: PathBuf,
    /// What went wrong.
    pub message: String,
}

impl OutputError {
    fn io(path: &Path, e: &io::Error) -> OutputError {
        OutputError {
            path: path.to_path_buf(),
            message: e.to_string(),
        }
    }
}

/// Names of the tables and summary written by [`write_tables`].
pub const TABLE_FILES: [&str; 6] = [
    "projection.csv",
    "central.csv",
    "targets.csv",
    "target_years.csv",
    "summary.json",
    xlsx::XLSX_FILE,
];

/// Writes the CSV tables and `summary.json` into `dir`.
///
/// # Errors
/// [`OutputError`] naming the file that could not be written.
pub fn write_tables(summary: &Summary, dir: &Path) -> Result<(), OutputError> {
    csv::write_projection(summary, &dir.join("projection.csv"))?;
    csv::write_central(summary, &dir.join("central.csv"))?;
    csv::write_targets(summary, &dir.join("targets.csv"))?;
    csv::write_target_years(summary, &dir.join("target_years.csv"))?;
    xlsx::write_workbook(summary, dir)?;
    if !summary.ages.is_empty() {
        csv::write_ages(summary, &dir.join("ages.csv"))?;
    }
    let path = dir.join("summary.json");
    let json = serde_json::to_string_pretty(summary).map_err(|e| OutputError {
        path: path.clone(),
        message: e.to_string(),
    })?;
    fs::write(&path, json + "\n").map_err(|e| OutputError::io(&path, &e))
}

/// Reads a `summary.json` written by [`write_tables`].
///
/// # Errors
/// [`OutputError`] when the file cannot be read or is not a talentsim summary.
pub fn read_summary(path: &Path) -> Result<Summary, OutputError> {
    let text = fs::read_to_string(path).map_err(|e| OutputError::io(path, &e))?;
    serde_json::from_str(&text).map_err(|e| OutputError {
        path: path.to_path_buf(),
        message: format!("not a talentsim summary: {e}"),
    })
}

/// A staging folder that becomes the output folder on [`Staging::commit`], and is
/// removed if dropped before.
#[derive(Debug)]
pub struct Staging {
    tmp: PathBuf,
    dest: PathBuf,
    committed: bool,
}

impl Staging {
    /// Creates a staging folder beside `dest`.
    ///
    /// # Errors
    /// [`OutputError`] when `dest` exists but is not a folder talentsim may replace (not a
    /// folder, or a non-empty folder without a talentsim `summary.json` or
    /// `analysis.json`), or when the
    /// staging folder cannot be created.
    pub fn new(dest: &Path) -> Result<Staging, OutputError> {
        if dest.exists() && !replaceable(dest) {
            return Err(OutputError {
                path: dest.to_path_buf(),
                message: "exists and is not a talentsim output folder (no summary.json); refusing to replace it: choose another --out".into(),
            });
        }
        let parent = match dest.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        // Errors name the folder the user asked for, never the staging folder beside it.
        let cannot = |e: io::Error| OutputError {
            path: dest.to_path_buf(),
            message: format!("cannot create the output folder: {e}"),
        };
        fs::create_dir_all(&parent).map_err(cannot)?;
        let name = dest
            .file_name()
            .map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
        recover_stale(&parent, &name, dest);
        let tmp = parent.join(format!(".{name}.partial-{}", std::process::id()));
        let mut active = active_staging();
        if tmp.exists() {
            fs::remove_dir_all(&tmp).map_err(cannot)?;
        }
        fs::create_dir(&tmp).map_err(cannot)?;
        active.push(tmp.clone());
        drop(active);
        Ok(Staging {
            tmp,
            dest: dest.to_path_buf(),
            committed: false,
        })
    }

    /// Returns the folder to write into.
    pub fn path(&self) -> &Path {
        &self.tmp
    }

    /// Returns `e` with a path inside the staging folder replaced by the same path inside
    /// the destination, so that messages name the folder the user asked for.
    pub fn blame(&self, mut e: OutputError) -> OutputError {
        if let Ok(rest) = e.path.strip_prefix(&self.tmp) {
            e.path = self.dest.join(rest);
        }
        e
    }

    /// Moves the staging folder into place, replacing earlier results.
    ///
    /// # Errors
    /// [`OutputError`] when a rename fails; the earlier results are then left in place
    /// (or, if the second rename fails, kept beside it as `.NAME.old-PID`, named in the
    /// message).
    pub fn commit(mut self) -> Result<(), OutputError> {
        let old = self.tmp.with_file_name(format!(
            ".{}.old-{}",
            self.dest
                .file_name()
                .map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned()),
            std::process::id()
        ));
        // An interrupt waits until both renames are done (see `remove_on_interrupt`).
        let mut active = active_staging();
        active.retain(|p| p != &self.tmp);
        let had_old = self.dest.exists();
        if had_old {
            fs::rename(&self.dest, &old).map_err(|e| OutputError::io(&self.dest, &e))?;
        }
        if let Err(e) = fs::rename(&self.tmp, &self.dest) {
            if had_old && fs::rename(&old, &self.dest).is_err() {
                return Err(OutputError {
                    path: self.dest.clone(),
                    message: format!("{e}; the earlier results are kept in {}", old.display()),
                });
            }
            return Err(OutputError::io(&self.dest, &e));
        }
        self.committed = true;
        if had_old {
            // The new results are in place; a leftover old folder is only clutter.
            let _ = fs::remove_dir_all(&old);
        }
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let mut active = active_staging();
            let _ = fs::remove_dir_all(&self.tmp);
            active.retain(|p| p != &self.tmp);
        }
    }
}

/// Staging folders of this process that are not yet committed.
static ACTIVE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn active_staging() -> MutexGuard<'static, Vec<PathBuf>> {
    ACTIVE.lock().unwrap_or_else(|e| e.into_inner())
}

/// Makes Ctrl-C, SIGTERM and SIGHUP remove this process's staging folders and exit with
/// code 1, so an interrupted run leaves earlier results as they were and no partial
/// folder. An interrupt during [`Staging::commit`] waits for its two renames to finish.
/// (A `kill -9` cannot be caught: its staging folder is removed by the next run that
/// writes beside it.)
///
/// # Errors
/// A message when the handler cannot be installed (for example, installed twice).
pub fn remove_on_interrupt() -> Result<(), String> {
    ctrlc::set_handler(|| {
        let active = active_staging();
        for p in active.iter() {
            let _ = fs::remove_dir_all(p);
        }
        // Not `eprintln!`, which panics when standard error is closed.
        let _ = writeln!(
            io::stderr(),
            "error: interrupted; no results were written and earlier results are unchanged"
        );
        std::process::exit(1);
    })
    .map_err(|e| e.to_string())
}

/// Cleans up after runs that died without cleaning up (`kill -9`, power loss): removes
/// `.NAME.partial-PID` (and `--replay`'s `.NAME.replay-PID`) folders of processes that no
/// longer exist, and restores
/// `.NAME.old-PID` (earlier results moved aside between the two renames of a commit) when
/// `dest` is missing, or removes it when `dest` is in place.
fn recover_stale(parent: &Path, name: &str, dest: &Path) {
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = file_name.strip_prefix(&format!(".{name}.")) else {
            continue;
        };
        let (kind, pid) = match rest.split_once('-') {
            Some((kind @ ("partial" | "old" | "replay"), pid)) => match pid.parse::<u32>() {
                Ok(pid) => (kind, pid),
                Err(_) => continue,
            },
            _ => continue,
        };
        if pid == std::process::id() || process_alive(pid) {
            continue;
        }
        let path = entry.path();
        if kind == "old" && !dest.exists() {
            let _ = fs::rename(&path, dest);
        } else {
            let _ = fs::remove_dir_all(&path);
        }
    }
}

/// Tells whether a process exists (signal 0 probes without sending anything).
#[cfg(unix)]
fn process_alive(pid: u32) -> bool {
    let Some(pid) = i32::try_from(pid)
        .ok()
        .and_then(rustix::process::Pid::from_raw)
    else {
        return false;
    };
    // Signal 0 checks for the process without sending anything; a process of another
    // user answers "not permitted", which still means it exists.
    match rustix::process::test_kill_process(pid) {
        Ok(()) => true,
        Err(e) => e == rustix::io::Errno::PERM,
    }
}

/// Without a way to probe processes, other processes' folders are left alone.
#[cfg(not(unix))]
fn process_alive(_pid: u32) -> bool {
    true
}

/// Estimates the bytes of the tables and `summary.json` for a summary of `years` years,
/// `metrics` metrics and `targets` targets, with a margin for charts.
pub fn estimate_bytes(years: usize, metrics: usize, targets: usize) -> u64 {
    let cells = (years * metrics) as u64;
    // A projection row is ~200 bytes of CSV and ~400 of JSON; the central path adds one
    // number per cell in both; targets add a row per target and year.
    let tables = cells * (200 + 400 + 2 * 25) + (targets * years) as u64 * 300;
    const CHARTS: u64 = 4 << 20;
    tables + tables / 4 + CHARTS
}

/// Refuses to start when the file system holding `dest` has less free space than the
/// results need.
///
/// # Errors
/// [`OutputError`] with the estimate and the free space in MiB.
pub fn check_space(dest: &Path, needed: u64) -> Result<(), OutputError> {
    let Some(free) = free_bytes(dest) else {
        return Ok(());
    };
    if needed > free {
        const MIB: f64 = (1 << 20) as f64;
        return Err(OutputError {
            path: dest.to_path_buf(),
            message: format!(
                "refusing to start: the results need about {:.1} MiB but only {:.1} MiB is free there; free some space or choose another --out",
                needed as f64 / MIB,
                free as f64 / MIB
            ),
        });
    }
    Ok(())
}

/// Returns the free bytes (for an unprivileged user) of the file system holding the
/// nearest existing ancestor of `path`.
#[cfg(unix)]
fn free_bytes(path: &Path) -> Option<u64> {
    let mut p = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().ok()?.join(path)
    };
    while !p.exists() {
        p = p.parent()?.to_path_buf();
    }
    let stat = rustix::fs::statvfs(&p).ok()?;
    Some(stat.f_bavail.saturating_mul(stat.f_frsize))
}

#[cfg(not(unix))]
fn free_bytes(_path: &Path) -> Option<u64> {
    None
}

/// Tells whether an existing path may be replaced by new results.
fn replaceable(dest: &Path) -> bool {
    if !dest.is_dir() {
        return false;
    }
    let empty = fs::read_dir(dest)
        .map(|mut d| d.next().is_none())
        .unwrap_or(false);
    empty
        || read_summary(&dest.join("summary.json")).is_ok_and(|s| s.program == "talentsim")
        || is_analysis(&dest.join("analysis.json"))
        || is_analysis(&dest.join(calibration::CALIBRATION_JSON))
        || is_analysis(&dest.join(backtest::BACKTEST_JSON))
        || is_shard(&dest.join("shard.json"))
}

/// Tells whether `path` is the `shard.json` of a talentsim shard folder.
fn is_shard(path: &Path) -> bool {
    #[derive(serde::Deserialize)]
    struct Head {
        format: String,
    }
    fs::read_to_string(path)
        .ok()
        .and_then(|t| serde_json::from_str::<Head>(&t).ok())
        .is_some_and(|h| h.format.starts_with("talentsim-shard-"))
}

/// Tells whether `path` is the `analysis.json` of a talentsim analysis folder (or the
/// `calibration.json` of a calibration folder).
fn is_analysis(path: &Path) -> bool {
    #[derive(serde::Deserialize)]
    struct Head {
        program: String,
    }
    fs::read_to_string(path)
        .ok()
        .and_then(|t| serde_json::from_str::<Head>(&t).ok())
        .is_some_and(|h| h.program == "talentsim")
}
