//! Which assumptions drive a result: a one-at-a-time tornado and variance-based (Sobol)
//! indices.
//!
//! Factors are the scenario's uncertain parameters, one per lever: a parameter whose
//! schedule holds several distributions, or that varies yearly, is one factor (a group of
//! uniforms). Every random value is the inverse CDF of a uniform (see
//! [`crate::scenario::Dist::quantile`]), so a factor is placed at its p10 by giving it the
//! uniform 0.1.
//!
//! Tornado: each factor at its p10 and at its p90, the others central, on the central
//! path (no process noise); for a target, also the target's probability with that factor
//! held at its p10 / p90 and the others uncertain as in the scenario (Monte Carlo with
//! common random numbers).
//!
//! Sobol indices: Saltelli sampling (two independent N x D matrices A and B of uniforms,
//! and for each factor i the matrix A with i's columns taken from B) and the estimators
//! Saltelli et al. (2010), "Variance based sensitivity analysis of model output. Design
//! and estimator for the total sensitivity index", Computer Physics Communications 181,
//! 259-270, recommend: Jansen (1999) for the total order (their table 2 (f)) and their own
//! for the first order (table 2 (b)), with f(B) centred on the mean:
//!
//! ```text
//! V_i  = 1/N sum_j (f(B)_j - mean) (f(A_B^i)_j - f(A)_j)   S_i  = V_i / V
//! V_Ti = 1/(2N) sum_j (f(A)_j - f(A_B^i)_j)^2               S_Ti = V_Ti / V
//! ```
//!
//! with V the sample variance of f over A and B together. A factor that does not move the
//! output has f(A_B^i) = f(A) in every row, so both its indices are exactly 0. (Jansen's
//! first-order form, V - 1/(2N) sum_j (f(B)_j - f(A_B^i)_j)^2, is a difference of two
//! estimates of V: for such a factor it scattered by a few percent around 0, and the
//! first-order indices of the baseline summed to well over 1.) The model output is the
//! expected-value projection (process noise off): the indices apportion the variance that
//! comes from uncertain assumptions, not from the randomness of individual careers
//! (which, at tens of thousands of people, is a small part of the total). 95% intervals are
//! percentile bootstraps over the N rows (Archer, Saltelli and Sobol 1997).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::{holds_by_run, AnalysisError, Probability};
use crate::engine::{self, Job, Pin};
use crate::model::{param_index, params_in_order, Expected, ParamPlan, RunParams, Uniforms};
use crate::scenario::{levers, uniform, Metric, Scenario, Target};
use crate::stats::quantile_sorted;

/// What the analysis explains.
#[derive(Debug, Clone, PartialEq)]
pub enum Explained {
    /// A metric in a year (the tornado's year; Sobol indices cover every year).
    Metric {
        /// The metric.
        metric: Metric,
        /// The year.
        year: i32,
    },
    /// A target: its probability (tornado) and its metric (Sobol).
    Target(Target),
}

/// One uncertain parameter of the scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Factor {
    /// Lever name.
    pub lever: String,
    /// Index in sampling order.
    pub param: usize,
    /// Number of uniforms it consumes.
    pub draws: usize,
}

/// Lists the scenario's uncertain parameters.
pub fn factors(s: &Scenario) -> Vec<Factor> {
    let all = levers(s);
    params_in_order(s)
        .into_iter()
        .filter(|(_, p, _)| p.is_random())
        .map(|(r, p, _)| Factor {
            lever: all
                .iter()
                .find(|l| l.param() == Some(r))
                .map_or_else(String::new, |l| l.name.clone()),
            param: param_index(s, r),
            draws: p.draws(s.horizon()),
        })
        .collect()
}

/// One bar of the tornado (a row of `tornado.csv`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TornadoRow {
    /// 1 for the widest swing.
    pub rank: usize,
    /// Lever name.
    pub lever: String,
    /// The parameter's value at its p10 in the analysed year.
    pub param_low: f64,
    /// The parameter's value at its p90 in the analysed year.
    pub param_high: f64,
    /// The output with the parameter at its p10: the metric on the central path, or the
    /// target's probability.
    pub output_low: Option<f64>,
    /// The output with the parameter at its p90.
    pub output_high: Option<f64>,
    /// |output_high - output_low|.
    pub swing: f64,
    /// Central-path value of the metric (a target's worst value over its window) at p10.
    pub central_low: Option<f64>,
    /// Same at p90.
    pub central_high: Option<f64>,
}

/// Sobol indices of one factor for one output (a row of `sobol.csv`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SobolRow {
    /// Output: a metric name, or for a window target `<metric> worst <from>-<to>`.
    pub output: String,
    /// Year of the output (the window's first year for a window output).
    pub year: i32,
    /// Whether this is the analysed year (or window).
    pub target_year: bool,
    /// Lever name.
    pub lever: String,
    /// First-order index (Saltelli et al. 2010).
    pub first_order: Option<f64>,
    /// 2.5th bootstrap percentile.
    pub first_low: Option<f64>,
    /// 97.5th bootstrap percentile.
    pub first_high: Option<f64>,
    /// Total-order index (Jansen).
    pub total_order: Option<f64>,
    /// 2.5th bootstrap percentile.
    pub total_low: Option<f64>,
    /// 97.5th bootstrap percentile.
    pub total_high: Option<f64>,
}

/// Mean and variance of one output over the Sobol sample (a row of `sobol_variance.csv`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutputVariance {
    /// Output name, as in [`SobolRow::output`].
    pub output: String,
    /// Year.
    pub year: i32,
    /// Mean over A and B.
    pub mean: Option<f64>,
    /// Variance over A and B (n - 1).
    pub variance: Option<f64>,
    /// Sum of first-order indices (1 for an additive model).
    pub sum_first_order: Option<f64>,
}

/// Settings of a sensitivity analysis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// Base sample size N.
    pub samples: usize,
    /// Bootstrap resamples.
    pub bootstrap: usize,
}

/// Everything `sensitivity` computes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sensitivity {
    /// Always "talentsim".
    pub program: String,
    /// Program version.
    pub version: String,
    /// Always "sensitivity".
    pub command: String,
    /// Scenario name.
    pub scenario: String,
    /// Metric explained.
    pub metric: String,
    /// Tornado year (a target's first year).
    pub year: i32,
    /// Target explained, if any.
    pub target: Option<String>,
    /// What the tornado's output is: "central path value" or "probability".
    pub tornado_output: String,
    /// Tornado output with every factor central (the central path), or the target's
    /// probability with every factor uncertain.
    pub base: Option<f64>,
    /// Runs per Monte Carlo evaluation (target tornado).
    pub runs: u64,
    /// Seed.
    pub seed: u64,
    /// Saltelli base sample size N.
    pub samples: usize,
    /// Bootstrap resamples.
    pub bootstrap: usize,
    /// Model evaluations of the Sobol design: N x (k + 2).
    pub evaluations: usize,
    /// Points of the design whose rates out of a level exceeded 1 (projected as drawn).
    pub overflowing_points: usize,
    /// Uncertain parameters.
    pub factors: Vec<Factor>,
    /// Tornado, widest swing first.
    pub tornado: Vec<TornadoRow>,
    /// Sobol indices for every output and factor.
    pub sobol: Vec<SobolRow>,
    /// Variance of every output.
    pub variance: Vec<OutputVariance>,
}

/// Uniforms given by pins: a quantile, or the central value.
struct Pinned<'p>(&'p [Pin]);

impl Uniforms for Pinned<'_> {
    fn next(&mut self, param: usize) -> Option<f64> {
        match self.0.get(param) {
            Some(Pin::Quantile(u)) => Some(*u),
            _ => None,
        }
    }

    fn exact(&self, _param: usize) -> bool {
        true
    }
}

/// Uniforms from one row of the design: factor `f` reads `row[offset[f]..]` in order.
struct DesignRow<'r> {
    row: &'r [f64],
    factor_of: &'r [Option<usize>],
    offset: &'r [usize],
    used: Vec<usize>,
}

impl Uniforms for DesignRow<'_> {
    fn next(&mut self, param: usize) -> Option<f64> {
        let f = self.factor_of.get(param).copied().flatten()?;
        let u = self.row[self.offset[f] + self.used[f]];
        self.used[f] += 1;
        Some(u)
    }
}

/// One output of the Sobol analysis: a metric in a year, or a target's window worst.
struct Series {
    name: String,
    year: i32,
    target_year: bool,
    metric: usize,
    years: std::ops::RangeInclusive<i32>,
    target: Option<Target>,
}

impl Series {
    fn value(&self, s: &Scenario, row: &[f64]) -> f64 {
        let n_metrics = s.metrics().len();
        let at = |y: i32| row[(y - s.start_year) as usize * n_metrics + self.metric];
        match &self.target {
            Some(t) => self
                .years
                .clone()
                .map(at)
                .reduce(|a, b| t.worse(a, b))
                .unwrap_or(f64::NAN),
            None => at(self.year),
        }
    }
}

/// Returns the model's expected-value projection (every metric, every year) with the
/// parameters `uniforms` gives; the flag tells whether rates out of a level exceeded 1.
fn project_with(
    plan: &ParamPlan<'_>,
    uniforms: &mut dyn Uniforms,
    params: &mut RunParams,
) -> (Vec<f64>, bool) {
    let s = plan.scenario();
    let overflow = plan.sample(uniforms, params).is_err();
    let mut out = vec![0.0; (s.horizon() + 1) * s.metrics().len()];
    // Without verification the projection reports no error; overflowing draws are
    // flagged to the caller instead.
    let _ = engine::project(s, params, &mut Expected, &mut out, false);
    (out, overflow)
}

/// Runs the tornado and the Sobol analysis.
///
/// # Errors
/// [`AnalysisError`] when a Monte Carlo evaluation fails, or when the scenario has no
/// uncertain parameter.
pub fn analyse(
    s: &Scenario,
    explained: &Explained,
    job: &Job,
    settings: Settings,
) -> Result<Sensitivity, AnalysisError> {
    let factors = factors(s);
    if factors.is_empty() {
        return Err(AnalysisError::Usage(format!(
            "scenario `{}` has no uncertain parameter (no distributions): nothing to rank",
            s.name
        )));
    }
    let metrics = s.metrics();
    let (metric, year, target) = match explained {
        Explained::Metric { metric, year } => (*metric, *year, None),
        Explained::Target(t) => (t.metric, t.year, Some(t.clone())),
    };
    let m = metrics.iter().position(|x| *x == metric).unwrap_or(0);
    let metric_name = metric.name(&s.levels);
    let n_params = params_in_order(s).len();

    // The tornado's series: the metric in the year, or the target's window worst.
    let tornado_series = Series {
        name: metric_name.clone(),
        year,
        target_year: true,
        metric: m,
        years: year..=target.as_ref().map_or(year, Target::last_year),
        target: target.clone(),
    };
    let plan = ParamPlan::new(s);
    let central_at = |pins: &[Pin]| {
        let (row, _) = project_with(&plan, &mut Pinned(pins), &mut RunParams::default());
        tornado_series.value(s, &row)
    };
    let probability_at = |pins: &[Pin], t: &Target| -> Result<f64, AnalysisError> {
        let sim = engine::simulate_pinned(s, job, pins, &|_| {})?;
        Ok(Probability::of_runs(&holds_by_run(s, &sim, t)).probability)
    };
    let all_params = params_in_order(s);
    let mut tornado = Vec::new();
    for f in &factors {
        let (_, param, bound) = all_params[f.param];
        let mut central = vec![Pin::Central; n_params];
        let mut random = vec![Pin::Random; n_params];
        let mut ends = [(0.0, None, None); 2];
        for (e, q) in [0.1, 0.9].into_iter().enumerate() {
            central[f.param] = Pin::Quantile(q);
            random[f.param] = Pin::Quantile(q);
            let value = match param.value_in(year) {
                crate::scenario::Value::Random(d, _) => d.quantile(q, bound),
                v => v.central(),
            };
            let c = central_at(&central);
            let out = match &target {
                Some(t) => Some(probability_at(&random, t)?),
                None => super::finite(c),
            };
            ends[e] = (value, out, super::finite(c));
        }
        let swing = match (ends[0].1, ends[1].1) {
            (Some(a), Some(b)) => (b - a).abs(),
            _ => 0.0,
        };
        tornado.push(TornadoRow {
            rank: 0,
            lever: f.lever.clone(),
            param_low: ends[0].0,
            param_high: ends[1].0,
            output_low: ends[0].1,
            output_high: ends[1].1,
            swing,
            central_low: ends[0].2,
            central_high: ends[1].2,
        });
    }
    tornado.sort_by(|a, b| b.swing.total_cmp(&a.swing));
    for (i, r) in tornado.iter_mut().enumerate() {
        r.rank = i + 1;
    }
    let base = match &target {
        Some(t) => {
            let sim = engine::simulate(s, job, &|_| {})?;
            Some(Probability::of_runs(&holds_by_run(s, &sim, t)).probability)
        }
        None => super::finite(central_at(&[])),
    };

    // Sobol outputs: the metric in every projected year, plus a window target's worst.
    let mut series: Vec<Series> = s
        .projected_years()
        .map(|y| Series {
            name: metric_name.clone(),
            year: y,
            target_year: y == year && target.as_ref().is_none_or(|t| t.through.is_none()),
            metric: m,
            years: y..=y,
            target: None,
        })
        .collect();
    if let Some(t) = target.as_ref().filter(|t| t.through.is_some()) {
        series.push(Series {
            name: format!("{metric_name} worst {}-{}", t.year, t.last_year()),
            year: t.year,
            target_year: true,
            metric: m,
            years: t.year..=t.last_year(),
            target: Some(t.clone()),
        });
    }
    let sobol = sobol(s, &factors, &series, job.seed, settings);
    Ok(Sensitivity {
        program: "talentsim".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        command: "sensitivity".into(),
        scenario: s.name.clone(),
        metric: metric_name,
        year,
        target: target.map(|t| t.name),
        tornado_output: if matches!(explained, Explained::Target(_)) {
            "probability".into()
        } else {
            "central path value".into()
        },
        base,
        runs: job.runs,
        seed: job.seed,
        samples: settings.samples,
        bootstrap: settings.bootstrap,
        evaluations: settings.samples * (factors.len() + 2),
        overflowing_points: sobol.2,
        factors,
        tornado,
        sobol: sobol.0,
        variance: sobol.1,
    })
}

/// Computes the Sobol indices of every series; returns the rows, the variances and the
/// number of design points whose rates out of a level exceeded 1.
fn sobol(
    s: &Scenario,
    factors: &[Factor],
    series: &[Series],
    seed: u64,
    settings: Settings,
) -> (Vec<SobolRow>, Vec<OutputVariance>, usize) {
    let n = settings.samples;
    let k = factors.len();
    let mut offset = Vec::with_capacity(k);
    let mut d = 0;
    for f in factors {
        offset.push(d);
        d += f.draws;
    }
    let n_params = params_in_order(s).len();
    let mut factor_of = vec![None; n_params];
    for (i, f) in factors.iter().enumerate() {
        factor_of[f.param] = Some(i);
    }
    // A and B: rows of 2D uniforms from one stream; row j of A then row j of B.
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(u64::MAX - 1);
    let ab: Vec<f64> = (0..n * 2 * d).map(|_| uniform(&mut rng)).collect();
    let plan = ParamPlan::new(s);
    let row_a = |j: usize| &ab[j * 2 * d..j * 2 * d + d];
    let row_b = |j: usize| &ab[j * 2 * d + d..(j + 1) * 2 * d];

    // Evaluation e: matrix e / n (0 = A, 1 = B, 2 + i = A_B^i), row e % n.
    let evals: Vec<(Vec<f64>, bool)> = (0..n * (k + 2))
        .into_par_iter()
        .map(|e| {
            let (mat, j) = (e / n, e % n);
            let row: Vec<f64> = match mat {
                0 => row_a(j).to_vec(),
                1 => row_b(j).to_vec(),
                _ => {
                    let i = mat - 2;
                    let mut r = row_a(j).to_vec();
                    let cols = offset[i]..offset[i] + factors[i].draws;
                    r[cols.clone()].copy_from_slice(&row_b(j)[cols]);
                    r
                }
            };
            let mut u = DesignRow {
                row: &row,
                factor_of: &factor_of,
                offset: &offset,
                used: vec![0; k],
            };
            let (out, overflow) = project_with(&plan, &mut u, &mut RunParams::default());
            (series.iter().map(|x| x.value(s, &out)).collect(), overflow)
        })
        .collect();
    let overflowing = evals.iter().filter(|e| e.1).count();
    // Per series: f(A), f(B), and per factor the terms the estimators average, laid out
    // contiguously so a bootstrap replicate is a weighted sum.
    struct Terms {
        a: Vec<f64>,
        b: Vec<f64>,
        /// f(A_B^i) - f(A), factor-major.
        d: Vec<f64>,
        /// f(B) (f(A_B^i) - f(A)), factor-major.
        bd: Vec<f64>,
        /// (f(A) - f(A_B^i))^2, factor-major.
        da: Vec<f64>,
    }
    let terms: Vec<Terms> = (0..series.len())
        .map(|x| {
            let f = |mat: usize, j: usize| evals[mat * n + j].0[x];
            let mut t = Terms {
                a: (0..n).map(|j| f(0, j)).collect(),
                b: (0..n).map(|j| f(1, j)).collect(),
                d: Vec::with_capacity(n * k),
                bd: Vec::with_capacity(n * k),
                da: Vec::with_capacity(n * k),
            };
            for i in 0..k {
                for j in 0..n {
                    let diff = f(2 + i, j) - t.a[j];
                    t.d.push(diff);
                    t.bd.push(t.b[j] * diff);
                    t.da.push(diff * diff);
                }
            }
            t
        })
        .collect();

    // Indices of series x with row weights `w` (how often each row is in the sample):
    // (first, total) per factor, and (mean, V).
    let indices = |x: usize, w: &[f64]| -> (Vec<(f64, f64)>, f64, f64) {
        let t = &terms[x];
        let m: f64 = w.iter().sum();
        let dot = |v: &[f64]| v.iter().zip(w).map(|(a, b)| a * b).sum::<f64>();
        let mean = (dot(&t.a) + dot(&t.b)) / (2.0 * m);
        let var = (0..n)
            .map(|j| w[j] * ((t.a[j] - mean).powi(2) + (t.b[j] - mean).powi(2)))
            .sum::<f64>()
            / (2.0 * m - 1.0);
        let per = (0..k)
            .map(|i| {
                let cols = i * n..(i + 1) * n;
                // sum_j w_j (f(B)_j - mean) d_j, without a pass per replicate's mean.
                let first = (dot(&t.bd[cols.clone()]) - mean * dot(&t.d[cols.clone()])) / m;
                let total = dot(&t.da[cols]) / (2.0 * m);
                (first / var, total / var)
            })
            .collect();
        (per, mean, var)
    };
    let all = vec![1.0; n];
    let reps: Vec<Vec<Vec<(f64, f64)>>> = (0..settings.bootstrap)
        .into_par_iter()
        .map(|b| {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            rng.set_stream(b as u64);
            let mut w = vec![0.0; n];
            for _ in 0..n {
                w[rng.random_range(0..n)] += 1.0;
            }
            (0..series.len()).map(|x| indices(x, &w).0).collect()
        })
        .collect();
    let ci = |x: usize, i: usize, pick: fn(&(f64, f64)) -> f64| {
        let mut v: Vec<f64> = reps
            .iter()
            .map(|r| pick(&r[x][i]))
            .filter(|v| v.is_finite())
            .collect();
        v.sort_by(f64::total_cmp);
        if v.is_empty() {
            (None, None)
        } else {
            (
                Some(quantile_sorted(&v, 0.025)),
                Some(quantile_sorted(&v, 0.975)),
            )
        }
    };
    let mut rows = Vec::new();
    let mut variance = Vec::new();
    for (x, ser) in series.iter().enumerate() {
        let (per, mean, var) = indices(x, &all);
        let defined = var.is_finite() && var > 1e-24 * mean.abs().max(1e-300).powi(2);
        let ok = |v: f64| (defined && v.is_finite()).then_some(v);
        variance.push(OutputVariance {
            output: ser.name.clone(),
            year: ser.year,
            mean: super::finite(mean),
            variance: super::finite(var),
            sum_first_order: ok(per.iter().map(|p| p.0).sum()),
        });
        for (i, fac) in factors.iter().enumerate() {
            let (fl, fh) = if defined {
                ci(x, i, |p| p.0)
            } else {
                (None, None)
            };
            let (tl, th) = if defined {
                ci(x, i, |p| p.1)
            } else {
                (None, None)
            };
            rows.push(SobolRow {
                output: ser.name.clone(),
                year: ser.year,
                target_year: ser.target_year,
                lever: fac.lever.clone(),
                first_order: ok(per[i].0),
                first_low: fl,
                first_high: fh,
                total_order: ok(per[i].1),
                total_low: tl,
                total_high: th,
            });
        }
    }
    (rows, variance, overflowing)
}
