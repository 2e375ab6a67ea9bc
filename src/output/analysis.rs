//! The files of the analysis commands: each result's CSV tables and `analysis.json`
//! (docs/policy-analysis.md lists them). Serializers of the results in
//! [`crate::analysis`]; nothing here computes.

use std::path::Path;

use serde::Serialize;

use super::table::{write_json, write_table, Num, Opt};
use super::{OutputError, PROJECTION_HEADER};
use crate::analysis::compare::Comparison;
use crate::analysis::sensitivity::Sensitivity;
use crate::analysis::solve::Solve;
use crate::analysis::sweep::Sweep;
use crate::analysis::Probability;
use crate::scenario::MetricName;

/// The name of the file every analysis folder is redrawn from.
pub const ANALYSIS_FILE: &str = "analysis.json";

/// A probability with its 95% interval, as three columns (`probability,ci_low,ci_high`).
fn prob(p: &Probability) -> [Num; 3] {
    [Num(p.probability), Num(p.ci_low), Num(p.ci_high)]
}

/// Writes `tornado.csv`, `sobol.csv`, `sobol_variance.csv` and `analysis.json`.
///
/// # Errors
/// [`OutputError`] naming the file that could not be written.
pub fn write_sensitivity(r: &Sensitivity, dir: &Path) -> Result<(), OutputError> {
    #[derive(Serialize)]
    struct Tornado<'a> {
        rank: usize,
        lever: &'a str,
        param_low: Num,
        param_high: Num,
        output: &'a str,
        output_low: Opt,
        output_base: Opt,
        output_high: Opt,
        swing: Num,
        central_low: Opt,
        central_high: Opt,
    }
    #[derive(Serialize)]
    struct Sobol<'a> {
        output: &'a str,
        year: i32,
        target_year: bool,
        lever: &'a str,
        first_order: Opt,
        first_low: Opt,
        first_high: Opt,
        total_order: Opt,
        total_low: Opt,
        total_high: Opt,
    }
    #[derive(Serialize)]
    struct Variance<'a> {
        output: &'a str,
        year: i32,
        mean: Opt,
        variance: Opt,
        sum_first_order: Opt,
    }
    write_table(
        &dir.join("tornado.csv"),
        &[
            "rank",
            "lever",
            "param_low",
            "param_high",
            "output",
            "output_low",
            "output_base",
            "output_high",
            "swing",
            "central_low",
            "central_high",
        ],
        r.tornado.iter().map(|t| Tornado {
            rank: t.rank,
            lever: &t.lever,
            param_low: Num(t.param_low),
            param_high: Num(t.param_high),
            output: &r.tornado_output,
            output_low: Opt(t.output_low),
            output_base: Opt(r.base),
            output_high: Opt(t.output_high),
            swing: Num(t.swing),
            central_low: Opt(t.central_low),
            central_high: Opt(t.central_high),
        }),
    )?;
    write_table(
        &dir.join("sobol.csv"),
        &[
            "output",
            "year",
            "target_year",
            "lever",
            "first_order",
            "first_low",
            "first_high",
            "total_order",
            "total_low",
            "total_high",
        ],
        r.sobol.iter().map(|x| Sobol {
            output: &x.output,
            year: x.year,
            target_year: x.target_year,
            lever: &x.lever,
            first_order: Opt(x.first_order),
            first_low: Opt(x.first_low),
            first_high: Opt(x.first_high),
            total_order: Opt(x.total_order),
            total_low: Opt(x.total_low),
            total_high: Opt(x.total_high),
        }),
    )?;
    write_table(
        &dir.join("sobol_variance.csv"),
        &["output", "year", "mean", "variance", "sum_first_order"],
        r.variance.iter().map(|v| Variance {
            output: &v.output,
            year: v.year,
            mean: Opt(v.mean),
            variance: Opt(v.variance),
            sum_first_order: Opt(v.sum_first_order),
        }),
    )?;
    write_json(&dir.join(ANALYSIS_FILE), r)
}

/// Writes `solve.csv`, `solve_evaluations.csv`, `earliest_year.csv` and `analysis.json`.
///
/// # Errors
/// [`OutputError`] naming the file that could not be written.
pub fn write_solve(r: &Solve, dir: &Path) -> Result<(), OutputError> {
    #[derive(Serialize)]
    struct Solution<'a> {
        target: &'a str,
        lever: &'a str,
        probability: Num,
        direction: &'a str,
        reachable: bool,
        value: Opt,
        value_low: Opt,
        value_high: Opt,
        probability_at_value: Opt,
        current_value: Num,
        current_probability: Num,
        min: Num,
        max: Num,
    }
    #[derive(Serialize)]
    struct Evaluation {
        value: Num,
        probability: [Num; 3],
    }
    #[derive(Serialize)]
    struct Earliest<'a> {
        target: &'a str,
        year: i32,
        probability: [Num; 3],
    }
    write_table(
        &dir.join("solve.csv"),
        &[
            "target",
            "lever",
            "probability",
            "direction",
            "reachable",
            "value",
            "value_low",
            "value_high",
            "probability_at_value",
            "current_value",
            "current_probability",
            "min",
            "max",
        ],
        r.lever.iter().map(|l| Solution {
            target: &r.target,
            lever: &l.lever,
            probability: Num(l.requested),
            direction: &l.direction,
            reachable: l.reachable,
            value: Opt(l.value),
            value_low: Opt(l.value_low),
            value_high: Opt(l.value_high),
            probability_at_value: Opt(l.at_value.map(|p| p.probability)),
            current_value: Num(l.current_value),
            current_probability: Num(l.current_probability.probability),
            min: Num(l.min),
            max: Num(l.max),
        }),
    )?;
    write_table(
        &dir.join("solve_evaluations.csv"),
        &["value", "probability", "ci_low", "ci_high"],
        r.lever
            .iter()
            .flat_map(|l| &l.evaluations)
            .map(|e| Evaluation {
                value: Num(e.value),
                probability: prob(&e.probability),
            }),
    )?;
    write_table(
        &dir.join("earliest_year.csv"),
        &["target", "year", "probability", "ci_low", "ci_high"],
        r.earliest.years.iter().map(|e| Earliest {
            target: &r.target,
            year: e.year,
            probability: prob(&e.probability),
        }),
    )?;
    write_json(&dir.join(ANALYSIS_FILE), r)
}

/// Writes `sweep.csv`, `sweep_contours.csv` and `analysis.json`.
///
/// # Errors
/// [`OutputError`] naming the file that could not be written.
pub fn write_sweep(r: &Sweep, dir: &Path) -> Result<(), OutputError> {
    #[derive(Serialize)]
    struct Cell<'a> {
        x_lever: &'a str,
        x: Num,
        y_lever: &'a str,
        y: Opt,
        probability: Opt,
        ci_low: Opt,
        ci_high: Opt,
        central_value: Opt,
        p50: Opt,
        note: &'a str,
    }
    #[derive(Serialize)]
    struct Contour {
        level: Num,
        y: Opt,
        x: Num,
    }
    write_table(
        &dir.join("sweep.csv"),
        &[
            "x_lever",
            "x",
            "y_lever",
            "y",
            "probability",
            "ci_low",
            "ci_high",
            "central_value",
            "p50",
            "note",
        ],
        r.rows.iter().map(|row| Cell {
            x_lever: &r.x_lever,
            x: Num(row.x),
            y_lever: r.y_lever.as_deref().unwrap_or_default(),
            y: Opt(row.y),
            probability: Opt(row.probability),
            ci_low: Opt(row.ci_low),
            ci_high: Opt(row.ci_high),
            central_value: Opt(row.central_value),
            p50: Opt(row.p50),
            note: &row.note,
        }),
    )?;
    write_table(
        &dir.join("sweep_contours.csv"),
        &["level", "y", "x"],
        r.contours.iter().map(|c| Contour {
            level: Num(c.level),
            y: Opt(c.y),
            x: Num(c.x),
        }),
    )?;
    write_json(&dir.join(ANALYSIS_FILE), r)
}

/// Writes `compare_projection.csv`, `compare_targets.csv`, `compare_differences.csv`,
/// `compare_target_differences.csv` and `analysis.json`.
///
/// # Errors
/// [`OutputError`] naming the file that could not be written.
pub fn write_compare(r: &Comparison, dir: &Path) -> Result<(), OutputError> {
    #[derive(Serialize)]
    struct Projection<'a> {
        scenario: &'a str,
        year: i32,
        metric: &'a MetricName,
        mean: Opt,
        sd: Opt,
        quantiles: [Opt; 7],
    }
    #[derive(Serialize)]
    struct Target<'a> {
        target: &'a str,
        scenario: &'a str,
        probability: [Num; 3],
        central_value: Opt,
        p50: Opt,
    }
    #[derive(Serialize)]
    struct Difference<'a> {
        scenario: &'a str,
        baseline: &'a str,
        metric: &'a str,
        year: i32,
        mean: Opt,
        ci_low: Opt,
        ci_high: Opt,
        p05: Opt,
        p50: Opt,
        p95: Opt,
    }
    #[derive(Serialize)]
    struct TargetDifference<'a> {
        target: &'a str,
        scenario: &'a str,
        baseline: &'a str,
        difference: Num,
        ci_low: Num,
        ci_high: Num,
    }
    let mut header = vec!["scenario"];
    header.extend(PROJECTION_HEADER);
    write_table(
        &dir.join("compare_projection.csv"),
        &header,
        r.projection.iter().map(|p| {
            let q = &p.row;
            Projection {
                scenario: &p.scenario,
                year: q.year,
                metric: &q.metric,
                mean: Opt(q.mean),
                sd: Opt(q.sd),
                quantiles: [q.p05, q.p10, q.p25, q.p50, q.p75, q.p90, q.p95].map(Opt),
            }
        }),
    )?;
    write_table(
        &dir.join("compare_targets.csv"),
        &[
            "target",
            "scenario",
            "probability",
            "ci_low",
            "ci_high",
            "central_value",
            "p50",
        ],
        r.targets.iter().map(|t| Target {
            target: &t.target,
            scenario: &t.scenario,
            probability: prob(&t.probability),
            central_value: Opt(t.central_value),
            p50: Opt(t.p50),
        }),
    )?;
    write_table(
        &dir.join("compare_differences.csv"),
        &[
            "scenario", "baseline", "metric", "year", "mean", "ci_low", "ci_high", "p05", "p50",
            "p95",
        ],
        r.differences.iter().map(|d| Difference {
            scenario: &d.scenario,
            baseline: &d.baseline,
            metric: &d.metric,
            year: d.year,
            mean: Opt(d.mean),
            ci_low: Opt(d.ci_low),
            ci_high: Opt(d.ci_high),
            p05: Opt(d.p05),
            p50: Opt(d.p50),
            p95: Opt(d.p95),
        }),
    )?;
    write_table(
        &dir.join("compare_target_differences.csv"),
        &[
            "target",
            "scenario",
            "baseline",
            "difference",
            "ci_low",
            "ci_high",
        ],
        r.target_differences.iter().map(|d| TargetDifference {
            target: &d.target,
            scenario: &d.scenario,
            baseline: &d.baseline,
            difference: Num(d.difference),
            ci_low: Num(d.ci_low),
            ci_high: Num(d.ci_high),
        }),
    )?;
    write_json(&dir.join(ANALYSIS_FILE), r)
}
