//! The CSV tables of docs/outputs.md, with exactly those names and columns.
//!
//! Every table has its header even with no rows. Undefined values are empty cells.
//! Numbers use Rust's shortest round-trip formatting, so the same results always give
//! the same bytes.

use std::path::Path;

use super::OutputError;
use crate::stats::Summary;

/// Header of `projection.csv`.
pub const PROJECTION_HEADER: [&str; 11] = [
    "year", "metric", "mean", "sd", "p05", "p10", "p25", "p50", "p75", "p90", "p95",
];
/// Header of `central.csv` before the level columns.
pub const CENTRAL_HEADER: [&str; 6] = [
    "year",
    "total",
    "high_skill",
    "high_skill_share",
    "high_skill_added",
    "high_skill_net_change",
];
/// Header of `targets.csv`.
pub const TARGETS_HEADER: [&str; 11] = [
    "target",
    "metric",
    "year",
    "through",
    "threshold",
    "direction",
    "probability",
    "ci_low",
    "ci_high",
    "central_value",
    "p50",
];
/// Header of `target_years.csv`.
pub const TARGET_YEARS_HEADER: [&str; 4] = ["target", "year", "p_holds", "p_held_by"];

fn num(x: f64) -> String {
    x.to_string()
}

fn opt<T: ToString>(x: Option<T>) -> String {
    x.map(|v| v.to_string()).unwrap_or_default()
}

fn write_table<H: AsRef<[u8]>>(
    path: &Path,
    header: &[H],
    rows: impl IntoIterator<Item = Vec<String>>,
) -> Result<(), OutputError> {
    let fail = |e: &dyn std::fmt::Display| OutputError {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let mut w = ::csv::Writer::from_path(path).map_err(|e| fail(&e))?;
    w.write_record(header).map_err(|e| fail(&e))?;
    for row in rows {
        w.write_record(&row).map_err(|e| fail(&e))?;
    }
    w.flush().map_err(|e| fail(&e))
}

/// Writes `projection.csv`.
pub(super) fn write_projection(summary: &Summary, path: &Path) -> Result<(), OutputError> {
    let rows = summary.projection.iter().map(|r| {
        let mut v = vec![
            r.year.to_string(),
            r.metric.to_string(),
            opt(r.mean),
            opt(r.sd),
        ];
        v.extend([r.p05, r.p10, r.p25, r.p50, r.p75, r.p90, r.p95].map(opt));
        v
    });
    write_table(path, &PROJECTION_HEADER, rows)
}

/// Writes `central.csv`: the five group metrics, then one column per level.
pub(super) fn write_central(summary: &Summary, path: &Path) -> Result<(), OutputError> {
    let mut header: Vec<String> = CENTRAL_HEADER.map(String::from).to_vec();
    header.extend(summary.levels.iter().cloned());
    let rows = summary.central.iter().map(|r| {
        let mut v = vec![
            r.year.to_string(),
            num(r.total),
            num(r.high_skill),
            opt(r.high_skill_share),
            num(r.high_skill_added),
            num(r.high_skill_net_change),
        ];
        v.extend(r.levels.iter().copied().map(num));
        v
    });
    write_table(path, &header, rows)
}

/// Writes `targets.csv`.
pub(super) fn write_targets(summary: &Summary, path: &Path) -> Result<(), OutputError> {
    let rows = summary.targets.iter().map(|r| {
        vec![
            r.target.clone(),
            r.metric.to_string(),
            r.year.to_string(),
            opt(r.through),
            num(r.threshold),
            r.direction.keyword().to_string(),
            num(r.probability),
            num(r.ci_low),
            num(r.ci_high),
            opt(r.central_value),
            opt(r.p50),
        ]
    });
    write_table(path, &TARGETS_HEADER, rows)
}

/// Writes `target_years.csv`.
pub(super) fn write_target_years(summary: &Summary, path: &Path) -> Result<(), OutputError> {
    let rows = summary.target_years.iter().map(|r| {
        vec![
            r.target.clone(),
            r.year.to_string(),
            num(r.p_holds),
            num(r.p_held_by),
        ]
    });
    write_table(path, &TARGET_YEARS_HEADER, rows)
}
