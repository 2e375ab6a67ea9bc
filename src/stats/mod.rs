//! Statistics over runs: the [`Summary`] every output is written from (docs/model.md, metrics and conventions).
//!
//! Quantiles are Hyndman-Fan type 7 (linear interpolation between order statistics, the
//! default of numpy and R); `sd` is the sample standard deviation (n - 1); target
//! probabilities carry 95% Wilson score intervals. Undefined values (a share where the
//! total is zero, NaN inside the engine) are left out of statistics and appear as `None`.
//! This module computes; it never writes files.

mod assumptions;
mod distribution;
mod kernels;
mod verify;

pub use assumptions::{assumptions, AssumptionRow};
pub use distribution::{histogram, target_distribution, TargetDistribution};
pub use kernels::{
    column_stats, moments, quantile_sorted, quantiles_select, table_stats, wilson, Moments,
};
pub use verify::verify;

use kernels::finite;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::engine::Simulation;
use crate::scenario::{Scenario, Target};

/// The quantile levels reported for every metric and year.
pub const QUANTILES: [f64; 7] = [0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95];
/// The quantile definition, as named in outputs.
pub const QUANTILE_DEFINITION: &str =
    "Hyndman-Fan type 7 (linear interpolation; numpy and R default)";

/// Everything a run reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Always "talentsim".
    pub program: String,
    /// Program version that produced the results.
    pub version: String,
    /// Scenario name.
    pub scenario: String,
    /// Scenario title.
    pub title: String,
    /// First year (initial stock) and last projected year.
    pub start_year: i32,
    /// Last projected year.
    pub end_year: i32,
    /// Level names, lowest first.
    pub levels: Vec<String>,
    /// First high-skill level.
    pub high_skill_from: String,
    /// Monte Carlo runs.
    pub runs: u64,
    /// Seed of the per-run streams.
    pub seed: u64,
    /// Whether flows were random.
    pub process_noise: bool,
    /// Runs whose parameters were drawn again because rates out of a level exceeded 1.
    pub redrawn_runs: u64,
    /// Quantile definition.
    pub quantile_definition: String,
    /// Per year and metric statistics over runs.
    pub projection: Vec<ProjectionRow>,
    /// The central path.
    pub central: Vec<CentralRow>,
    /// Target verdicts.
    pub targets: Vec<TargetRow>,
    /// Target probabilities by year.
    pub target_years: Vec<TargetYearRow>,
    /// Every scenario parameter, for the report (absent in older summaries).
    #[serde(default)]
    pub assumptions: Vec<AssumptionRow>,
    /// Per target, the histogram of its tested value across runs (for the charts).
    #[serde(default)]
    pub distributions: Vec<TargetDistribution>,
    /// The scenario's observations (published figures about the past), for the charts
    /// and the report; absent when it has none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub observations: Vec<ObservationRow>,
    /// How the results were produced (scenario hash, command line), for `--replay`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit: Option<crate::audit::Audit>,
    /// The central path by level, group and age (`ages.csv`), for a scenario with
    /// `[ages]`. Not in `summary.json`: it is as large as the projection.
    #[serde(skip)]
    pub ages: Vec<AgeRow>,
}

/// The central path's stock of one (level, group, age) cell in one year (a row of
/// `ages.csv`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgeRow {
    /// Year.
    pub year: i32,
    /// Level name.
    pub level: String,
    /// Group name (`male`, `female_worker`, `female_staff`).
    pub group: String,
    /// Age in completed years at the end of the year.
    pub age: u32,
    /// People (expected value).
    pub stock: f64,
}

/// One observation of the scenario, as charts and reports show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObservationRow {
    /// Metric observed.
    pub metric: crate::scenario::MetricName,
    /// Date, `YYYY-MM-DD`.
    pub date: String,
    /// Position on a year axis whose year `t` is the end of year `t`: `Y - 1 + f` for a
    /// date in year `Y` at fraction `f` of it.
    pub at: f64,
    /// `value`, `at_least` or `at_most`.
    pub reading: String,
    /// The stated number.
    pub number: f64,
    /// Observation error as a standard deviation.
    pub sd: f64,
    /// Where the figure comes from.
    pub source: Option<String>,
}

/// Statistics of one metric in one year (a row of `projection.csv`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProjectionRow {
    /// Year.
    pub year: i32,
    /// Metric.
    pub metric: crate::scenario::MetricName,
    /// Mean over runs with a defined value.
    pub mean: Option<f64>,
    /// Sample standard deviation (0 with one value).
    pub sd: Option<f64>,
    /// 5th percentile.
    pub p05: Option<f64>,
    /// 10th percentile.
    pub p10: Option<f64>,
    /// 25th percentile.
    pub p25: Option<f64>,
    /// Median.
    pub p50: Option<f64>,
    /// 75th percentile.
    pub p75: Option<f64>,
    /// 90th percentile.
    pub p90: Option<f64>,
    /// 95th percentile.
    pub p95: Option<f64>,
}

/// The central path in one year (a row of `central.csv`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CentralRow {
    /// Year.
    pub year: i32,
    /// All levels.
    pub total: f64,
    /// High-skill levels.
    pub high_skill: f64,
    /// Share; `None` when the total is zero.
    pub high_skill_share: Option<f64>,
    /// Gross high-skill additions since the start year.
    pub high_skill_added: f64,
    /// Change of high-skill stock since the start year.
    pub high_skill_net_change: f64,
    /// Stock by level, in level order.
    pub levels: Vec<f64>,
    /// With `[ages]`: retirements, high-skill retirements, mean age and high-skill mean
    /// age (`None` when undefined); empty otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub age_metrics: Vec<Option<f64>>,
}

/// One target's verdict (a row of `targets.csv`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetRow {
    /// Target name.
    pub target: String,
    /// Metric tested.
    pub metric: crate::scenario::MetricName,
    /// Year tested.
    pub year: i32,
    /// End of the window, if any.
    pub through: Option<i32>,
    /// Threshold.
    pub threshold: f64,
    /// Floor (`at_least`) or ceiling (`at_most`).
    pub direction: crate::scenario::Direction,
    /// Share of runs in which the target holds.
    pub probability: f64,
    /// Lower end of the 95% Wilson interval.
    pub ci_low: f64,
    /// Upper end of the 95% Wilson interval.
    pub ci_high: f64,
    /// Central-path value (the window's worst value for a window target).
    pub central_value: Option<f64>,
    /// Median over runs of the same value.
    pub p50: Option<f64>,
}

/// A target's probability in one projected year (a row of `target_years.csv`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetYearRow {
    /// Target name.
    pub target: String,
    /// Year.
    pub year: i32,
    /// Share of runs in which the target's condition holds in this year.
    pub p_holds: f64,
    /// Share of runs in which it held in at least one projected year up to this one.
    pub p_held_by: f64,
}

/// Summarizes a simulation of `scenario`.
pub fn summarize(scenario: &Scenario, sim: &Simulation, seed: u64, process_noise: bool) -> Summary {
    let n_metrics = sim.metrics.len();
    let names: Vec<crate::scenario::MetricName> = sim
        .metrics
        .iter()
        .map(|m| m.named(&scenario.levels))
        .collect();
    let table = sim.columns();
    let projection = table_stats(&table, sim.values.ncols())
        .into_iter()
        .enumerate()
        .map(|(column, (mom, qs))| {
            let (y, m) = (column / n_metrics, column % n_metrics);
            let q = |i: usize| qs.map(|q| q[i]);
            ProjectionRow {
                year: sim.years[y],
                metric: names[m].clone(),
                mean: mom.map(|s| s.mean),
                sd: mom.map(|s| s.sd),
                p05: q(0),
                p10: q(1),
                p25: q(2),
                p50: q(3),
                p75: q(4),
                p90: q(5),
                p95: q(6),
            }
        })
        .collect();

    let central = sim
        .years
        .iter()
        .enumerate()
        .map(|(y, &year)| {
            let c = |m: usize| sim.central[sim.column(y, m)];
            CentralRow {
                year,
                total: c(0),
                high_skill: c(1),
                high_skill_share: finite(c(2)),
                high_skill_added: c(3),
                high_skill_net_change: c(4),
                levels: (0..scenario.levels.len()).map(|l| c(5 + l)).collect(),
                age_metrics: (5 + scenario.levels.len()..sim.metrics.len())
                    .map(|m| finite(c(m)))
                    .collect(),
            }
        })
        .collect();

    let rows: Vec<_> = (scenario.targets.par_iter())
        .map(|t| target_rows(scenario, sim, t))
        .collect();
    let mut targets = Vec::new();
    let mut target_years = Vec::new();
    let mut distributions = Vec::new();
    for (row, years, distribution) in rows {
        targets.push(row);
        target_years.extend(years);
        distributions.push(distribution);
    }

    Summary {
        program: "talentsim".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        scenario: scenario.name.clone(),
        title: scenario.title.clone(),
        start_year: scenario.start_year,
        end_year: scenario.end_year,
        levels: scenario.levels.clone(),
        high_skill_from: scenario.levels[scenario.high_skill_from].clone(),
        runs: sim.values.nrows() as u64,
        seed,
        process_noise,
        redrawn_runs: sim.redrawn_by_level.iter().sum(),
        quantile_definition: QUANTILE_DEFINITION.into(),
        projection,
        central,
        targets,
        target_years,
        assumptions: assumptions(scenario, sim.values.nrows() as u64, seed, process_noise),
        distributions,
        observations: scenario
            .observations
            .iter()
            .map(|o| {
                let (year, f) = o.date.interpolation();
                ObservationRow {
                    metric: o.metric.named(&scenario.levels),
                    date: o.date.to_string(),
                    at: f64::from(year - 1) + f,
                    reading: o.reading.keyword().into(),
                    number: o.reading.number(),
                    sd: o.sd,
                    source: o.source.clone(),
                }
            })
            .collect(),
        audit: None,
        ages: age_rows(scenario, sim),
    }
}

/// Returns the rows of `ages.csv` from the central path's cells.
fn age_rows(scenario: &Scenario, sim: &Simulation) -> Vec<AgeRow> {
    let Some(ages) = &scenario.ages else {
        return Vec::new();
    };
    let span = ages.span();
    let per_year = scenario.levels.len() * crate::scenario::Group::ALL.len() * span;
    let mut rows = Vec::with_capacity(sim.central_ages.len());
    for (y, cells) in sim.central_ages.chunks_exact(per_year.max(1)).enumerate() {
        for (l, level) in scenario.levels.iter().enumerate() {
            for (g, group) in crate::scenario::Group::ALL.iter().enumerate() {
                for a in 0..span {
                    rows.push(AgeRow {
                        year: sim.years[y],
                        level: level.clone(),
                        group: group.name().to_string(),
                        age: ages.min + a as u32,
                        stock: cells[(l * 3 + g) * span + a],
                    });
                }
            }
        }
    }
    rows
}

/// Computes a target's verdict, its by-year probabilities and its distribution.
fn target_rows(
    scenario: &Scenario,
    sim: &Simulation,
    t: &Target,
) -> (TargetRow, Vec<TargetYearRow>, TargetDistribution) {
    let m = sim
        .metrics
        .iter()
        .position(|x| *x == t.metric)
        .expect("targets name known metrics");
    let y_index = |year: i32| (year - scenario.start_year) as usize;
    let window = y_index(t.year)..=y_index(t.last_year());
    let runs = sim.values.nrows();

    // One pass over the runs: the window's worst value per run (a target holds iff its
    // worst value does), and per year how many runs hold then and have held by then.
    let worst_of = |value: &dyn Fn(usize) -> f64| {
        window
            .clone()
            .map(value)
            .reduce(|a, b| t.worse(a, b))
            .unwrap_or(f64::NAN)
    };
    let n_years = sim.years.len();
    let mut holds = vec![0u64; n_years];
    let mut held_by = vec![0u64; n_years];
    let table = sim.columns();
    let column = |y: usize| &table[sim.column(y, m) * runs..][..runs];
    // Column after column (each is contiguous): the window's worst value of every run, in
    // the order of `worst_of`, and the runs that hold in each year and have held by then.
    let mut worst: Vec<f64> = column(*window.start()).to_vec();
    for y in window.clone().skip(1) {
        for (w, &x) in worst.iter_mut().zip(column(y)) {
            *w = t.worse(*w, x);
        }
    }
    let mut ever = vec![false; runs];
    for y in 1..n_years {
        for (e, &x) in ever.iter_mut().zip(column(y)) {
            let h = t.holds(x);
            *e |= h;
            holds[y] += u64::from(h);
            held_by[y] += u64::from(*e);
        }
    }
    let held = worst.iter().filter(|&&x| t.holds(x)).count() as u64;
    let central_worst = worst_of(&|y| sim.central[sim.column(y, m)]);
    let distribution = distribution::distribution_of_worst(t, &worst);
    worst.retain(|x| x.is_finite());
    let (ci_low, ci_high) = wilson(held, runs as u64);
    let row = TargetRow {
        target: t.name.clone(),
        metric: t.metric.named(&scenario.levels),
        year: t.year,
        through: t.through,
        threshold: t.threshold,
        direction: t.direction,
        probability: held as f64 / runs as f64,
        ci_low,
        ci_high,
        central_value: finite(central_worst),
        p50: (!worst.is_empty()).then(|| quantiles_select(&mut worst, &[0.5])[0]),
    };

    let years = (1..n_years)
        .map(|y| TargetYearRow {
            target: t.name.clone(),
            year: sim.years[y],
            p_holds: holds[y] as f64 / runs as f64,
            p_held_by: held_by[y] as f64 / runs as f64,
        })
        .collect();
    (row, years, distribution)
}
