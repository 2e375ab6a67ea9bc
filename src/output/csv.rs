//! The CSV tables of docs/outputs.md, with exactly those names and columns.
//!
//! Every table has its header even with no rows. Rows are written by
//! [`super::table::write_table`]: undefined values are empty cells, and numbers use
//! Rust's shortest round-trip formatting, so the same results always give the same bytes.

use std::path::Path;

use serde::Serialize;

use super::table::{write_table, Num, Opt};
use super::OutputError;
use crate::scenario::{Direction, MetricName};
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

/// A row of `projection.csv`.
#[derive(Serialize)]
struct ProjectionLine<'a> {
    year: i32,
    metric: &'a MetricName,
    mean: Opt,
    sd: Opt,
    quantiles: [Opt; 7],
}

/// A row of `central.csv`.
#[derive(Serialize)]
struct CentralLine {
    year: i32,
    total: Num,
    high_skill: Num,
    high_skill_share: Opt,
    high_skill_added: Num,
    high_skill_net_change: Num,
    levels: Vec<Num>,
    age_metrics: Vec<Opt>,
}

/// A row of `ages.csv`.
#[derive(Serialize)]
struct AgeLine<'a> {
    year: i32,
    level: &'a str,
    group: &'a str,
    age: u32,
    stock: Num,
}

/// Header of `ages.csv`.
pub const AGES_HEADER: [&str; 5] = ["year", "level", "group", "age", "stock"];

/// A row of `targets.csv`.
#[derive(Serialize)]
struct TargetLine<'a> {
    target: &'a str,
    metric: &'a MetricName,
    year: i32,
    through: Option<i32>,
    threshold: Num,
    direction: Direction,
    probability: Num,
    ci_low: Num,
    ci_high: Num,
    central_value: Opt,
    p50: Opt,
}

/// A row of `target_years.csv`.
#[derive(Serialize)]
struct TargetYearLine<'a> {
    target: &'a str,
    year: i32,
    p_holds: Num,
    p_held_by: Num,
}

/// Writes `projection.csv`.
pub(super) fn write_projection(summary: &Summary, path: &Path) -> Result<(), OutputError> {
    let rows = summary.projection.iter().map(|r| ProjectionLine {
        year: r.year,
        metric: &r.metric,
        mean: Opt(r.mean),
        sd: Opt(r.sd),
        quantiles: [r.p05, r.p10, r.p25, r.p50, r.p75, r.p90, r.p95].map(Opt),
    });
    write_table(path, &PROJECTION_HEADER, rows)
}

/// Writes `central.csv`: the five group metrics, then one column per level.
pub(super) fn write_central(summary: &Summary, path: &Path) -> Result<(), OutputError> {
    let mut header: Vec<String> = CENTRAL_HEADER.map(String::from).to_vec();
    header.extend(summary.levels.iter().cloned());
    if summary
        .central
        .first()
        .is_some_and(|r| !r.age_metrics.is_empty())
    {
        header.extend(
            crate::scenario::AGE_METRICS
                .iter()
                .map(|m| m.name(&summary.levels)),
        );
    }
    let rows = summary.central.iter().map(|r| CentralLine {
        year: r.year,
        total: Num(r.total),
        high_skill: Num(r.high_skill),
        high_skill_share: Opt(r.high_skill_share),
        high_skill_added: Num(r.high_skill_added),
        high_skill_net_change: Num(r.high_skill_net_change),
        levels: r.levels.iter().copied().map(Num).collect(),
        age_metrics: r.age_metrics.iter().copied().map(Opt).collect(),
    });
    write_table(path, &header, rows)
}

/// Writes `ages.csv`: the central path by level, group and age.
pub(super) fn write_ages(summary: &Summary, path: &Path) -> Result<(), OutputError> {
    let rows = summary.ages.iter().map(|r| AgeLine {
        year: r.year,
        level: &r.level,
        group: &r.group,
        age: r.age,
        stock: Num(r.stock),
    });
    write_table(path, &AGES_HEADER, rows)
}

/// Writes `targets.csv`.
pub(super) fn write_targets(summary: &Summary, path: &Path) -> Result<(), OutputError> {
    let rows = summary.targets.iter().map(|r| TargetLine {
        target: &r.target,
        metric: &r.metric,
        year: r.year,
        through: r.through,
        threshold: Num(r.threshold),
        direction: r.direction,
        probability: Num(r.probability),
        ci_low: Num(r.ci_low),
        ci_high: Num(r.ci_high),
        central_value: Opt(r.central_value),
        p50: Opt(r.p50),
    });
    write_table(path, &TARGETS_HEADER, rows)
}

/// Writes `target_years.csv`.
pub(super) fn write_target_years(summary: &Summary, path: &Path) -> Result<(), OutputError> {
    let rows = summary.target_years.iter().map(|r| TargetYearLine {
        target: &r.target,
        year: r.year,
        p_holds: Num(r.p_holds),
        p_held_by: Num(r.p_held_by),
    });
    write_table(path, &TARGET_YEARS_HEADER, rows)
}
