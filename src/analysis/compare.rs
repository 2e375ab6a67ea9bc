//! Scenarios side by side: every metric and target of each, and paired differences from
//! the first (the baseline) with their 95% intervals.
//!
//! Every scenario is simulated with the same runs and seed. Run `i` of each draws its
//! parameter `p` (attrition by level, then moves, then inflows, in file order) from the
//! same sub-stream, so where two scenarios share a structure their runs differ only by
//! what differs between the files (common random numbers), and the differences are far
//! more precise than those of independent runs. A difference's interval is the mean
//! per-run difference plus or minus 1.96 standard errors.

use serde::{Deserialize, Serialize};

use super::{
    central_worst, finite, holds_by_run, median, worst_by_run, AnalysisError, Probability,
};
use crate::engine::{self, Job, Simulation};
use crate::scenario::{Scenario, Target};
use crate::stats::{self, moments, quantile_sorted, ProjectionRow};

/// Normal quantile of a two-sided 95% interval.
const Z95: f64 = 1.959_963_984_540_054;

/// A metric's statistics in one scenario (a row of `compare_projection.csv`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioProjection {
    /// Scenario name.
    pub scenario: String,
    /// Statistics as in `projection.csv`.
    #[serde(flatten)]
    pub row: ProjectionRow,
}

/// A target's verdict in one scenario (a row of `compare_targets.csv`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioTarget {
    /// Target name.
    pub target: String,
    /// Scenario name.
    pub scenario: String,
    /// Probability and Wilson interval.
    #[serde(flatten)]
    pub probability: Probability,
    /// Central-path value (window worst).
    pub central_value: Option<f64>,
    /// Median over runs of the same value.
    pub p50: Option<f64>,
}

/// A paired difference scenario - baseline of one metric in one year (a row of
/// `compare_differences.csv`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Difference {
    /// Scenario name.
    pub scenario: String,
    /// Baseline scenario name.
    pub baseline: String,
    /// Metric name.
    pub metric: String,
    /// Year.
    pub year: i32,
    /// Mean of the per-run differences.
    pub mean: Option<f64>,
    /// Lower end of its 95% interval.
    pub ci_low: Option<f64>,
    /// Upper end of its 95% interval.
    pub ci_high: Option<f64>,
    /// 5th percentile of the per-run differences.
    pub p05: Option<f64>,
    /// Median of the per-run differences.
    pub p50: Option<f64>,
    /// 95th percentile of the per-run differences.
    pub p95: Option<f64>,
}

/// A paired difference of a target's probability (a row of `compare_target_differences.csv`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetDifference {
    /// Target name.
    pub target: String,
    /// Scenario name.
    pub scenario: String,
    /// Baseline scenario name.
    pub baseline: String,
    /// Probability in the scenario minus in the baseline.
    pub difference: f64,
    /// Lower end of its 95% interval.
    pub ci_low: f64,
    /// Upper end of its 95% interval.
    pub ci_high: f64,
}

/// A compared target's condition, as the scenario that first has it defines it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetDefinition {
    /// Target name.
    pub target: String,
    /// Metric tested.
    pub metric: crate::scenario::MetricName,
    /// Threshold.
    pub threshold: f64,
    /// Floor or ceiling.
    pub direction: crate::scenario::Direction,
    /// Year tested (first year of a window).
    pub year: i32,
    /// Last year of the window, if any.
    pub through: Option<i32>,
}

/// Everything `compare` computes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// Always "talentsim".
    pub program: String,
    /// Program version.
    pub version: String,
    /// Always "compare".
    pub command: String,
    /// Scenario names; the first is the baseline.
    pub scenarios: Vec<String>,
    /// Runs of each scenario.
    pub runs: u64,
    /// Seed.
    pub seed: u64,
    /// Whether flows were random.
    pub process_noise: bool,
    /// Statistics of every metric of every scenario.
    pub projection: Vec<ScenarioProjection>,
    /// Every target in every scenario whose metrics and years it fits.
    pub targets: Vec<ScenarioTarget>,
    /// Paired differences of the metrics the scenarios share.
    pub differences: Vec<Difference>,
    /// Definition of every target compared, in order (for the overlaid fan chart).
    #[serde(default)]
    pub definitions: Vec<TargetDefinition>,
    /// Paired differences of target probabilities.
    pub target_differences: Vec<TargetDifference>,
}

/// Rebuilds a target for a scenario whose metrics and years it fits.
fn fit(t: &Target, from: &Scenario, to: &Scenario) -> Option<Target> {
    let metric = to.metric(&t.metric.name(&from.levels))?;
    let years = to.start_year + 1..=to.end_year;
    (years.contains(&t.year) && years.contains(&t.last_year())).then(|| Target {
        metric,
        ..t.clone()
    })
}

/// Compares scenarios run with the same job.
///
/// # Errors
/// [`AnalysisError`] when a simulation fails.
pub fn compare(scenarios: &[Scenario], job: &Job) -> Result<Comparison, AnalysisError> {
    let sims: Vec<Simulation> = scenarios
        .iter()
        .map(|s| engine::simulate(s, job, &|_| {}))
        .collect::<Result<_, _>>()?;
    let base = &scenarios[0];
    let mut projection = Vec::new();
    for (s, sim) in scenarios.iter().zip(&sims) {
        let summary = stats::summarize(s, sim, job.seed, job.process_noise);
        projection.extend(
            summary
                .projection
                .into_iter()
                .map(|row| ScenarioProjection {
                    scenario: s.name.clone(),
                    row,
                }),
        );
    }

    // Targets: each name once, as the first scenario that has it defines it.
    let mut defs: Vec<(&Target, &Scenario)> = Vec::new();
    for s in scenarios {
        for t in &s.targets {
            if !defs.iter().any(|(d, _)| d.name == t.name) {
                defs.push((t, s));
            }
        }
    }
    let definitions = defs
        .iter()
        .map(|(t, owner)| TargetDefinition {
            target: t.name.clone(),
            metric: t.metric.named(&owner.levels),
            threshold: t.threshold,
            direction: t.direction,
            year: t.year,
            through: t.through,
        })
        .collect();
    let mut targets = Vec::new();
    let mut target_differences = Vec::new();
    for (t, owner) in &defs {
        let base_holds = fit(t, owner, base).map(|bt| holds_by_run(base, &sims[0], &bt));
        for (i, (s, sim)) in scenarios.iter().zip(&sims).enumerate() {
            let Some(st) = fit(t, owner, s) else { continue };
            let holds = holds_by_run(s, sim, &st);
            targets.push(ScenarioTarget {
                target: t.name.clone(),
                scenario: s.name.clone(),
                probability: Probability::of_runs(&holds),
                central_value: finite(central_worst(s, sim, &st)),
                p50: median(&worst_by_run(s, sim, &st)),
            });
            if let (Some(bh), true) = (&base_holds, i > 0) {
                let d: Vec<f64> = holds
                    .iter()
                    .zip(bh)
                    .map(|(a, b)| f64::from(u8::from(*a)) - f64::from(u8::from(*b)))
                    .collect();
                let (mean, half) = mean_interval(&d).unwrap_or((0.0, 0.0));
                target_differences.push(TargetDifference {
                    target: t.name.clone(),
                    scenario: s.name.clone(),
                    baseline: base.name.clone(),
                    difference: mean,
                    ci_low: mean - half,
                    ci_high: mean + half,
                });
            }
        }
    }

    let mut differences = Vec::new();
    for (s, sim) in scenarios.iter().zip(&sims).skip(1) {
        for (bm, metric) in sims[0].metrics.iter().enumerate() {
            let name = metric.name(&base.levels);
            let Some(sm) = sim.metrics.iter().position(|m| m.name(&s.levels) == name) else {
                continue;
            };
            for (by, &year) in sims[0].years.iter().enumerate() {
                let Some(sy) = sim.years.iter().position(|&y| y == year) else {
                    continue;
                };
                let a = sims[0].values.column(sims[0].column(by, bm));
                let b = sim.values.column(sim.column(sy, sm));
                let mut d: Vec<f64> = b
                    .iter()
                    .zip(a.iter())
                    .map(|(x, y)| x - y)
                    .filter(|x| x.is_finite())
                    .collect();
                let mi = mean_interval(&d);
                d.sort_by(f64::total_cmp);
                let q = |p: f64| (!d.is_empty()).then(|| quantile_sorted(&d, p));
                differences.push(Difference {
                    scenario: s.name.clone(),
                    baseline: base.name.clone(),
                    metric: name.clone(),
                    year,
                    mean: mi.map(|m| m.0),
                    ci_low: mi.map(|m| m.0 - m.1),
                    ci_high: mi.map(|m| m.0 + m.1),
                    p05: q(0.05),
                    p50: q(0.5),
                    p95: q(0.95),
                });
            }
        }
    }
    Ok(Comparison {
        program: "talentsim".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        command: "compare".into(),
        scenarios: scenarios.iter().map(|s| s.name.clone()).collect(),
        runs: job.runs,
        seed: job.seed,
        process_noise: job.process_noise,
        projection,
        targets,
        differences,
        definitions,
        target_differences,
    })
}

/// Returns the mean of `d` and the half-width of its 95% normal interval.
fn mean_interval(d: &[f64]) -> Option<(f64, f64)> {
    let m = moments(d)?;
    Some((m.mean, Z95 * m.sd / (d.len() as f64).sqrt()))
}
