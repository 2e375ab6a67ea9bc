//! Output files (MODEL.md section 8): serializers of a [`Summary`] and the writer that
//! owns the output folder.
//!
//! Files are written into a staging folder beside the destination and renamed into place
//! only when every file is complete, so a failed or interrupted run leaves the previous
//! results as they were and no partial folder. Nothing here runs the model.

mod csv;
mod figures;
pub mod text;

pub use csv::{CENTRAL_HEADER, PROJECTION_HEADER, TARGETS_HEADER, TARGET_YEARS_HEADER};
pub use figures::{write_figures, REPORT_FILE};

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

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
pub const TABLE_FILES: [&str; 5] = [
    "projection.csv",
    "central.csv",
    "targets.csv",
    "target_years.csv",
    "summary.json",
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
        fs::create_dir_all(&parent).map_err(|e| OutputError::io(&parent, &e))?;
        let name = dest
            .file_name()
            .map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
        let tmp = parent.join(format!(".{name}.partial-{}", std::process::id()));
        if tmp.exists() {
            fs::remove_dir_all(&tmp).map_err(|e| OutputError::io(&tmp, &e))?;
        }
        fs::create_dir(&tmp).map_err(|e| OutputError::io(&tmp, &e))?;
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
            let _ = fs::remove_dir_all(&self.tmp);
        }
    }
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
        || crate::shard::read_meta(dest).is_ok()
}

/// Tells whether `path` is the `analysis.json` of a talentsim analysis folder.
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
