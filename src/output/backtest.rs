//! The files of `talentsim backtest`: serializers of a [`Backtest`]. Written into a folder
//! the caller stages ([`super::Staging`]); nothing here calibrates or projects.
//!
//! - `backtest.csv`: one row per origin, method and later `value` observation.
//! - `backtest_summary.csv`: one row per method.
//! - `backtest.json`: settings, origins with their calibration diagnostics, notes and
//!   warnings.

use std::path::Path;

use serde::Serialize;

use super::table::{write_json, write_table, Num, Opt};
use super::OutputError;
use crate::calibrate::backtest::Backtest;

/// The scored rows.
pub const BACKTEST_CSV: &str = "backtest.csv";
/// One row per method.
pub const SUMMARY_CSV: &str = "backtest_summary.csv";
/// Settings, origins, diagnostics and warnings.
pub const BACKTEST_JSON: &str = "backtest.json";

#[derive(Serialize)]
struct ScoreRow<'a> {
    origin: String,
    method: &'a str,
    metric: String,
    date: String,
    value: Num,
    p05: Num,
    p25: Num,
    p50: Num,
    p75: Num,
    p95: Num,
    pit: Num,
    in_50: bool,
    in_90: bool,
    crps: Num,
    abs_pct_error: Opt,
}

#[derive(Serialize)]
struct SummaryRow<'a> {
    method: &'a str,
    n: usize,
    coverage_50: Opt,
    coverage_90: Opt,
    mean_crps: Opt,
    mean_abs_pct_error: Opt,
}

#[derive(Serialize)]
struct Report<'a> {
    program: &'static str,
    version: &'static str,
    scenario: &'a str,
    settings: Settings,
    origins: Vec<OriginJson>,
    notes: &'a [String],
}

#[derive(Serialize)]
struct Settings {
    runs: u64,
    draws: usize,
    seed: u64,
    observation_noise: &'static str,
}

#[derive(Serialize)]
struct OriginJson {
    origin: String,
    observations_used: usize,
    observations_scored: usize,
    calibrated: bool,
    diagnostics: Option<Diagnostics>,
    warnings: Vec<String>,
}

#[derive(Serialize)]
struct Diagnostics {
    converged: bool,
    iterations: usize,
    evaluations: usize,
    effective_sample_size: f64,
    expected_unique: f64,
    target_unique: f64,
    max_weight: f64,
    log_marginal_likelihood: f64,
}

/// Writes `backtest.csv`, `backtest_summary.csv` and `backtest.json` of scenario
/// `scenario` (its metrics named by `levels`) into `dir`.
///
/// # Errors
/// [`OutputError`] naming the file that could not be written.
pub fn write_backtest(
    b: &Backtest,
    scenario: &str,
    levels: &[String],
    dir: &Path,
) -> Result<(), OutputError> {
    let rows = b.rows.iter().map(|r| {
        let s = r.scores;
        ScoreRow {
            origin: r.origin.to_string(),
            method: r.method.name(),
            metric: r.metric.name(levels),
            date: r.date.to_string(),
            value: Num(r.value),
            p05: Num(s.p05),
            p25: Num(s.p25),
            p50: Num(s.p50),
            p75: Num(s.p75),
            p95: Num(s.p95),
            pit: Num(s.pit),
            in_50: s.in_50,
            in_90: s.in_90,
            crps: Num(s.crps),
            abs_pct_error: Opt(s.abs_pct_error),
        }
    });
    write_table(
        &dir.join(BACKTEST_CSV),
        &[
            "origin",
            "method",
            "metric",
            "date",
            "value",
            "p05",
            "p25",
            "p50",
            "p75",
            "p95",
            "pit",
            "in_50",
            "in_90",
            "crps",
            "abs_pct_error",
        ],
        rows,
    )?;
    let summary = b.summary.iter().map(|m| SummaryRow {
        method: m.method.name(),
        n: m.n,
        coverage_50: Opt(m.coverage_50),
        coverage_90: Opt(m.coverage_90),
        mean_crps: Opt(m.mean_crps),
        mean_abs_pct_error: Opt(m.mean_abs_pct_error),
    });
    write_table(
        &dir.join(SUMMARY_CSV),
        &[
            "method",
            "n",
            "coverage_50",
            "coverage_90",
            "mean_crps",
            "mean_abs_pct_error",
        ],
        summary,
    )?;
    let report = Report {
        program: "talentsim",
        version: env!("CARGO_PKG_VERSION"),
        scenario,
        settings: Settings {
            runs: b.runs,
            draws: b.draws,
            seed: b.seed,
            observation_noise:
                "one Normal(0, sd) draw per run (ChaCha8, stream = observation index)",
        },
        origins: b
            .origins
            .iter()
            .map(|o| OriginJson {
                origin: o.origin.to_string(),
                observations_used: o.observations_used,
                observations_scored: o.observations_scored,
                calibrated: o.calibrated,
                diagnostics: o.diagnostics.as_ref().map(|d| Diagnostics {
                    converged: d.converged,
                    iterations: d.iterations,
                    evaluations: d.evaluations,
                    effective_sample_size: d.effective_sample_size,
                    expected_unique: d.expected_unique,
                    target_unique: d.target_unique,
                    max_weight: d.max_weight,
                    log_marginal_likelihood: d.log_marginal_likelihood,
                }),
                warnings: o.warnings.clone(),
            })
            .collect(),
        notes: &b.notes,
    };
    write_json(&dir.join(BACKTEST_JSON), &report)
}
