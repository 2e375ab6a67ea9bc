//! A calibration from start to finish: the problem ([`Problem`]) sampled by [`imis`], and
//! what the posterior says: each parameter's prior and posterior, each observation's fit,
//! diagnostics and warnings. No files, no printing.
//!
//! # Summaries
//!
//! - A parameter's prior mean and sd are computed from its exact quantile function on the
//!   fixed grid `u = (i + 1/2) / 10 000` (the midpoint rule for `∫ F^-1(u) du`); its prior
//!   p05, p50 and p95 are exact quantiles. The posterior's are the sample mean, sd (n - 1)
//!   and type-7 quantiles of the resampled draws.
//! - An observation's prior band is the type-7 p05, p50, p95 of its model value over
//!   IMIS's initial draws from the prior (those whose rates out of a level stay at most 1,
//!   as the engine's redraws would give); its posterior band is over the resampled draws.
//! - Prior-data conflict: the probability under the prior predictive (model value plus the
//!   observation error) of a reading at least as far out as the observed one, estimated
//!   over the same prior draws: `P(Y <= v)` or `P(Y >= v)` for a value, whichever is
//!   smaller, and the probability that the stated bound holds for a bound. Below 0.001
//!   (the value outside the prior predictive 0.1%-99.9% range) it is a warning.
//!
//! - An observation's predictive interval is the 5% and 95% quantiles of the model value
//!   plus the observation error, `F(y) = mean_i Phi((y - m_i) / sd)` over the same draws
//!   (solved by bisection): what the figure itself would read, model and measurement.
//! - Each observed metric's bands by year ([`MetricBands`]) are the type-7 p05, p50, p95 of
//!   the expected-value projection over at most [`BAND_DRAWS`] prior draws (evenly spaced
//!   among IMIS's initial draws) and as many posterior draws (evenly spaced among the
//!   resampled draws).
//!
//! # Sample sizes
//!
//! [`settings_for`] picks IMIS's increment `B`: 1,000 (the R package's default, with
//! `N0 = 10 B` prior draws) up to 20 coordinates, `50 d` above, since a component's
//! covariance is estimated from its `B` nearest points and 1,000 were found to drift above
//! about 20 dimensions. The bundled scenarios have 11 (Jiangsu) and 18 (Zhangjiagang
//! baseline) coordinates.

use std::fmt;

use rayon::prelude::*;

use super::imis::{imis, ImisDiagnostics, ImisError, ImisResult, ImisSettings, ImisWarning};
use super::problem::{uniform_of, Problem, ProblemError};
use super::summary::{BandRow, MetricBands};
use crate::scenario::{Metric, Reading, Scenario};
use crate::stats::quantile_sorted;

/// Grid size of the prior moments (module docs).
const PRIOR_GRID: usize = 10_000;
/// Prior predictive tail probability below which an observation is in conflict.
pub const CONFLICT_PROBABILITY: f64 = 0.001;
/// Most prior (and posterior) draws whose projections make a metric's bands by year.
pub const BAND_DRAWS: usize = 500;
/// Coordinates up to which the IMIS increment is 1,000.
const PLAIN_DIMENSION: usize = 20;

/// Why a calibration failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CalibrateError {
    /// The scenario is not a calibration problem.
    #[error(transparent)]
    Problem(#[from] ProblemError),
    /// The sampler failed.
    #[error("calibration failed: {0}")]
    Imis(#[from] ImisError),
}

/// Returns the IMIS settings of a problem with `dim` coordinates (module docs).
pub fn settings_for(dim: usize, draws: usize, seed: u64) -> ImisSettings {
    let increment = if dim <= PLAIN_DIMENSION {
        1000
    } else {
        50 * dim
    };
    ImisSettings::new(increment, draws, seed)
}

/// Mean, sd and the 5%, 50% and 95% quantiles of a distribution or a sample.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Band {
    /// Mean.
    pub mean: f64,
    /// Standard deviation.
    pub sd: f64,
    /// 5% quantile.
    pub p05: f64,
    /// Median.
    pub p50: f64,
    /// 95% quantile.
    pub p95: f64,
}

impl Band {
    /// Summarises a non-empty sample (sd with n - 1, type-7 quantiles), or `None` if empty.
    pub fn of_sample(xs: &[f64]) -> Option<Band> {
        let m = crate::stats::moments(xs)?;
        let mut sorted = xs.to_vec();
        sorted.sort_by(f64::total_cmp);
        Some(Band {
            mean: m.mean,
            sd: m.sd,
            p05: quantile_sorted(&sorted, 0.05),
            p50: quantile_sorted(&sorted, 0.5),
            p95: quantile_sorted(&sorted, 0.95),
        })
    }
}

/// A 90% interval: the 5% and 95% quantiles.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Interval {
    /// 5% quantile.
    pub p05: f64,
    /// 95% quantile.
    pub p95: f64,
}

/// One calibrated parameter's prior and posterior.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ParameterSummary {
    /// Coordinate name ([`super::Coordinate::name`]).
    pub name: String,
    /// Whether it is a rate (else an amount of people).
    pub is_rate: bool,
    /// The prior (module docs).
    pub prior: Band,
    /// The posterior, from the resampled draws.
    pub posterior: Band,
}

impl ParameterSummary {
    /// Returns how far the evidence moved the parameter: the shift of its median as a
    /// fraction of the prior's 90% interval, plus how much of that interval's width the
    /// posterior's lost (0 when it did not narrow).
    pub fn movement(&self) -> f64 {
        let (a, b) = (self.prior, self.posterior);
        let prior_width = (a.p95 - a.p05).max(f64::MIN_POSITIVE);
        let shift = (b.p50 - a.p50).abs() / prior_width;
        let narrowing = 1.0 - (b.p95 - b.p05) / prior_width;
        shift + narrowing.max(0.0)
    }
}

/// One observation and the model's prior and posterior values at its date.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    /// Metric name.
    pub metric: String,
    /// Date, `YYYY-MM-DD`.
    pub date: String,
    /// The date as a time in years, the end of year `t` being `t`: `(Y - 1) + f` for a
    /// date in year `Y` at fraction `f` of it.
    pub time: f64,
    /// The reading.
    pub reading: Reading,
    /// Observation error (sd).
    pub sd: f64,
    /// Source, if given.
    pub source: Option<String>,
    /// Model value's prior band (`None` if no prior draw gives it a value).
    pub prior: Option<Band>,
    /// Model value's posterior band.
    pub posterior: Option<Band>,
    /// Prior predictive 90% interval of the figure (module docs).
    pub prior_predictive: Option<Interval>,
    /// Posterior predictive 90% interval of the figure.
    pub posterior_predictive: Option<Interval>,
    /// Prior predictive probability of a reading as far out as this one (module docs).
    pub prior_tail: f64,
}

/// Something doubtful about a calibration: printed and recorded, never silent.
#[derive(Debug, Clone, PartialEq)]
pub enum CalibrationWarning {
    /// IMIS did not converge or rests on few points.
    Imis(ImisWarning),
    /// An observation the prior finds nearly impossible.
    PriorDataConflict {
        /// Position of the observation, from 1.
        observation: usize,
        /// Metric name.
        metric: String,
        /// Date.
        date: String,
        /// Prior predictive tail probability.
        probability: f64,
    },
}

impl fmt::Display for CalibrationWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CalibrationWarning::Imis(w) => w.fmt(f),
            CalibrationWarning::PriorDataConflict {
                observation,
                metric,
                date,
                probability,
            } => write!(
                f,
                "prior-data conflict: observation {observation} ({metric} on {date}) lies \
                 outside the prior predictive 0.1%-99.9% range (tail probability {probability:.1e}); \
                 the scenario's distributions cannot produce it, so the posterior is driven into \
                 their tails: check the observation and the assumptions"
            ),
        }
    }
}

/// A calibration's results.
#[derive(Debug, Clone)]
pub struct Calibrated {
    /// Each parameter's prior and posterior, in coordinate order.
    pub parameters: Vec<ParameterSummary>,
    /// The resampled posterior draws in natural units: `draws[r][j]` is parameter `j`.
    pub draws: Vec<Vec<f64>>,
    /// Log-likelihood of each draw.
    pub log_likelihoods: Vec<f64>,
    /// Each observation's fit.
    pub fit: Vec<Fit>,
    /// Each observed metric's prior and posterior bands by year, in order of first
    /// observation.
    pub bands: Vec<MetricBands>,
    /// The scenario's `start_year`.
    pub start_year: i32,
    /// Warnings, in order: prior-data conflicts, then the sampler's.
    pub warnings: Vec<CalibrationWarning>,
    /// The sampler's settings.
    pub settings: ImisSettings,
    /// The sampler's result (points in normal scores, weights, diagnostics).
    pub imis: ImisResult,
}

impl Calibrated {
    /// Returns the sampler's diagnostics.
    pub fn diagnostics(&self) -> &ImisDiagnostics {
        &self.imis.diagnostics
    }

    /// Returns the parameter names, in coordinate order.
    pub fn names(&self) -> Vec<&str> {
        self.parameters.iter().map(|p| p.name.as_str()).collect()
    }
}

/// Calibrates `scenario` against its observations with `settings`.
///
/// Deterministic for the settings' seed, whatever the thread count.
///
/// # Errors
/// [`CalibrateError::Problem`] when the scenario has no observations, nothing uncertain or
/// an observation outside the projection; [`CalibrateError::Imis`] when the sampler fails
/// (for example, when no prior draw can produce the observations).
pub fn calibrate(
    scenario: &Scenario,
    settings: &ImisSettings,
) -> Result<Calibrated, CalibrateError> {
    let problem = Problem::new(scenario)?;
    let result = imis(problem.dim(), |z| problem.log_likelihood(z), settings)?;
    Ok(summarize(&problem, result, settings))
}

/// Summarises a sampler's result on `problem`.
fn summarize(problem: &Problem<'_>, result: ImisResult, settings: &ImisSettings) -> Calibrated {
    let dim = problem.dim();
    let draws: Vec<Vec<f64>> = result.draws.par_iter().map(|z| problem.values(z)).collect();
    let grid: Vec<f64> = (0..PRIOR_GRID)
        .map(|i| (i as f64 + 0.5) / PRIOR_GRID as f64)
        .collect();
    let parameters: Vec<ParameterSummary> = (problem.coordinates().par_iter().enumerate())
        .map(|(j, c)| {
            let xs: Vec<f64> = grid.iter().map(|&u| c.dist.quantile(u, c.bound)).collect();
            let mean = xs.iter().sum::<f64>() / xs.len() as f64;
            let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / xs.len() as f64;
            let q = |p: f64| c.dist.quantile(p, c.bound);
            let column: Vec<f64> = draws.iter().map(|d| d[j]).collect();
            ParameterSummary {
                name: c.name.clone(),
                is_rate: c.is_rate(),
                prior: Band {
                    mean,
                    sd: var.sqrt(),
                    p05: q(0.05),
                    p50: q(0.5),
                    p95: q(0.95),
                },
                posterior: Band::of_sample(&column).expect("at least one draw"),
            }
        })
        .collect();

    let initial = settings.initial.min(result.log_likelihoods.len());
    let prior_models: Vec<Option<Vec<f64>>> = (0..initial)
        .into_par_iter()
        .map(|i| problem.model_values(result.point(i)))
        .collect();
    let post_models: Vec<Option<Vec<f64>>> = result
        .draws
        .par_iter()
        .map(|z| problem.model_values(z))
        .collect();
    let scenario = problem.scenario();
    let mut fit = Vec::new();
    let mut warnings = Vec::new();
    for (i, o) in scenario.observations.iter().enumerate() {
        let column = |models: &[Option<Vec<f64>>]| -> Vec<f64> {
            (models.iter().flatten())
                .map(|m| m[i])
                .filter(|x| x.is_finite())
                .collect()
        };
        let prior = column(&prior_models);
        let posterior = column(&post_models);
        let tail = prior_tail(&o.reading, o.sd, &prior);
        let (year, fraction) = o.date.interpolation();
        let f = Fit {
            metric: o.metric.name(&scenario.levels),
            date: o.date.to_string(),
            time: f64::from(year - 1) + fraction,
            reading: o.reading,
            sd: o.sd,
            source: o.source.clone(),
            prior: Band::of_sample(&prior),
            posterior: Band::of_sample(&posterior),
            prior_predictive: predictive(&prior, o.sd),
            posterior_predictive: predictive(&posterior, o.sd),
            prior_tail: tail,
        };
        if tail < CONFLICT_PROBABILITY {
            warnings.push(CalibrationWarning::PriorDataConflict {
                observation: i + 1,
                metric: f.metric.clone(),
                date: f.date.clone(),
                probability: tail,
            });
        }
        fit.push(f);
    }
    warnings.extend(result.warnings().into_iter().map(CalibrationWarning::Imis));
    debug_assert!(draws.iter().all(|d| d.len() == dim));
    let prior_points: Vec<&[f64]> = evenly(initial, BAND_DRAWS)
        .map(|i| result.point(i))
        .collect();
    let post_points: Vec<&[f64]> = evenly(result.draws.len(), BAND_DRAWS)
        .map(|i| result.draws[i].as_slice())
        .collect();
    let bands = metric_bands(problem, &prior_points, &post_points);
    Calibrated {
        parameters,
        bands,
        start_year: scenario.start_year,
        log_likelihoods: result.draw_log_likelihoods.clone(),
        draws,
        fit,
        warnings,
        settings: settings.clone(),
        imis: result,
    }
}

/// Returns `n` indices evenly spaced in `0..len` (all of them when `len <= n`).
fn evenly(len: usize, n: usize) -> impl Iterator<Item = usize> {
    let take = len.min(n);
    (0..take).map(move |k| k * len / take)
}

/// Returns the bands by year of each observed metric (module docs) over the projections
/// of `prior` and `posterior` points.
fn metric_bands(problem: &Problem<'_>, prior: &[&[f64]], posterior: &[&[f64]]) -> Vec<MetricBands> {
    let scenario = problem.scenario();
    let all = Metric::all(scenario.levels.len());
    let mut observed: Vec<usize> = Vec::new();
    for o in &scenario.observations {
        if let Some(m) = all.iter().position(|x| *x == o.metric) {
            if !observed.contains(&m) {
                observed.push(m);
            }
        }
    }
    let paths = |points: &[&[f64]]| -> Vec<Vec<Vec<f64>>> {
        points
            .par_iter()
            .filter_map(|z| problem.paths(z, &observed))
            .collect()
    };
    let (a, b) = (paths(prior), paths(posterior));
    let band = |runs: &[Vec<Vec<f64>>], k: usize, t: usize| -> Option<Band> {
        let xs: Vec<f64> = (runs.iter())
            .map(|r| r[k][t])
            .filter(|x| x.is_finite())
            .collect();
        Band::of_sample(&xs)
    };
    (observed.iter().enumerate())
        .map(|(k, &m)| MetricBands {
            metric: all[m].name(&scenario.levels),
            rows: (scenario.start_year..=scenario.end_year)
                .enumerate()
                .map(|(t, year)| BandRow::new(year, band(&a, k, t), band(&b, k, t)))
                .collect(),
        })
        .collect()
}

/// Returns the 90% predictive interval of a figure measured with error `sd` over the
/// model values `models` (module docs), or `None` when there are none.
fn predictive(models: &[f64], sd: f64) -> Option<Interval> {
    let (lo, hi) = models
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &m| {
            (a.min(m), b.max(m))
        });
    if !lo.is_finite() || !hi.is_finite() {
        return None;
    }
    let cdf = |y: f64| {
        models
            .iter()
            .map(|&m| uniform_of((y - m) / sd))
            .sum::<f64>()
            / models.len() as f64
    };
    let quantile = |p: f64| {
        let (mut a, mut b) = (lo - 10.0 * sd, hi + 10.0 * sd);
        for _ in 0..100 {
            let mid = 0.5 * (a + b);
            if cdf(mid) < p {
                a = mid;
            } else {
                b = mid;
            }
        }
        0.5 * (a + b)
    };
    Some(Interval {
        p05: quantile(0.05),
        p95: quantile(0.95),
    })
}

/// Returns the prior predictive tail probability of a reading (module docs) over the
/// prior model values `models`; 0 when there are none.
fn prior_tail(reading: &Reading, sd: f64, models: &[f64]) -> f64 {
    if models.is_empty() {
        return 0.0;
    }
    let mean =
        |f: &dyn Fn(f64) -> f64| models.iter().map(|&m| f(m)).sum::<f64>() / models.len() as f64;
    match *reading {
        Reading::Value(v) => {
            let below = mean(&|m| uniform_of((v - m) / sd));
            below.min(1.0 - below)
        }
        Reading::AtLeast(v) => mean(&|m| uniform_of((m - v) / sd)),
        Reading::AtMost(v) => mean(&|m| uniform_of((v - m) / sd)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{Date, Metric, Observation};

    /// One level, no exits, one inflow of Normal(m, s) people a year drawn once per run,
    /// and the total observed at the end of year `k` with error `e`:
    /// `total = initial + k * amount`, a conjugate normal problem.
    fn conjugate(m: f64, s: f64, k: i32, y: f64, e: f64) -> Scenario {
        let text = format!(
            r#"
            start_year = 2020
            end_year = 2026
            levels = ["a"]
            high_skill_from = "a"
            initial = {{ a = 5000 }}
            attrition = {{ a = 0.0 }}
            [[inflow]]
            name = "school"
            per_year = {{ dist = "normal", mean = {m}, sd = {s} }}
            split = {{ a = 1.0 }}
            "#
        );
        let mut s = crate::parse("conjugate.toml", &text).unwrap();
        s.observations = vec![Observation {
            metric: Metric::Total,
            date: Date::new(2020 + k, 12, 31).unwrap(),
            reading: Reading::Value(y),
            sd: e,
            source: None,
        }];
        s
    }

    #[test]
    fn conjugate_normal_posterior_matches_the_closed_form() {
        // Prior N(1000, 100^2) (truncation at 0 is 10 sd away); total at the end of 2023 =
        // 5000 + 3 amount, observed as 8300 with sd 150: the amount is observed as 1100
        // with sd 50. Posterior precision 1/100^2 + 1/50^2.
        let (m, s, k, y, e) = (1000.0, 100.0, 3, 8300.0, 150.0);
        let scenario = conjugate(m, s, k, y, e);
        let c = calibrate(&scenario, &settings_for(1, 2000, 11)).unwrap();
        let (obs, obs_sd) = ((y - 5000.0) / k as f64, e / k as f64);
        let precision = 1.0 / (s * s) + 1.0 / (obs_sd * obs_sd);
        let post_sd = precision.sqrt().recip();
        let post_mean = (m / (s * s) + obs / (obs_sd * obs_sd)) / precision;
        // Weighted moments of every point, and their Monte Carlo error from the ESS.
        let problem = Problem::new(&scenario).unwrap();
        let r = &c.imis;
        let xs: Vec<f64> = (0..r.weights.len())
            .map(|i| problem.values(r.point(i))[0])
            .collect();
        let mean: f64 = xs.iter().zip(&r.weights).map(|(x, w)| x * w).sum();
        let var: f64 = xs
            .iter()
            .zip(&r.weights)
            .map(|(x, w)| w * (x - mean).powi(2))
            .sum();
        let ess = r.diagnostics.effective_sample_size;
        let se_mean = post_sd / ess.sqrt();
        let se_sd = post_sd / (2.0 * ess).sqrt();
        assert!(
            (mean - post_mean).abs() < 4.0 * se_mean,
            "mean {mean} vs {post_mean} (se {se_mean}, ess {ess})"
        );
        assert!(
            (var.sqrt() - post_sd).abs() < 4.0 * se_sd,
            "sd {} vs {post_sd} (se {se_sd})",
            var.sqrt()
        );
        // The resampled draws agree too (2,000 draws: looser bounds).
        let b = c.parameters[0].posterior;
        let se_draws = post_sd * (1.0 / ess + 1.0 / 2000.0).sqrt();
        assert!((b.mean - post_mean).abs() < 4.0 * se_draws, "{b:?}");
        assert!((b.sd / post_sd - 1.0).abs() < 0.1, "{b:?}");
        assert_eq!(c.parameters[0].name, "inflow.school.per_year");
        assert!((c.parameters[0].prior.mean - m).abs() < 0.01 * s);
        assert!((c.parameters[0].prior.sd / s - 1.0).abs() < 0.01);
        assert!(c.diagnostics().converged);
        assert!(c.warnings.is_empty(), "{:?}", c.warnings);
        // The fit: posterior model value near the observation.
        let f = &c.fit[0];
        let post = f.posterior.unwrap();
        assert!(post.p05 < y && y < post.p95, "{post:?}");
        assert!(f.prior.unwrap().sd > post.sd);
        let pred = f.posterior_predictive.unwrap();
        assert!(pred.p05 < post.p05 && post.p95 < pred.p95, "{pred:?}");
        // The bands by year: the observed year's posterior band holds the figure and is
        // narrower than the prior's; the start year is the fixed initial stock.
        assert_eq!(c.bands.len(), 1);
        let rows = &c.bands[0].rows;
        assert_eq!(rows.len(), 7);
        let r = rows.iter().find(|r| r.year == 2023).unwrap();
        let (lo, hi) = (r.post_p05.unwrap(), r.post_p95.unwrap());
        assert!(lo < y && y < hi, "{r:?}");
        assert!(
            r.prior_p95.unwrap() - r.prior_p05.unwrap() > 1.5 * (hi - lo),
            "{r:?}"
        );
        assert_eq!(rows[0].post_p50, Some(5000.0));
        assert!((f.time - 2023.0).abs() < 1e-12);
    }

    #[test]
    fn an_observation_the_prior_cannot_reach_is_a_prior_data_conflict() {
        // The amount observed as 1800 with sd 50: 8 prior sds away.
        let scenario = conjugate(1000.0, 100.0, 3, 5000.0 + 3.0 * 1800.0, 150.0);
        let c = calibrate(&scenario, &ImisSettings::new(200, 500, 3)).unwrap();
        assert!(
            matches!(
                c.warnings.first(),
                Some(CalibrationWarning::PriorDataConflict { observation: 1, .. })
            ),
            "{:?}",
            c.warnings
        );
        let text = c.warnings[0].to_string();
        assert!(text.contains("prior-data conflict"), "{text}");
    }

    #[test]
    fn same_seed_same_bits_whatever_the_thread_count() {
        let scenario = conjugate(1000.0, 100.0, 3, 8300.0, 150.0);
        let settings = ImisSettings::new(100, 200, 9);
        let on = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| calibrate(&scenario, &settings).unwrap())
        };
        let (a, b) = (on(1), on(3));
        let bits = |c: &Calibrated| -> Vec<u64> {
            (c.draws.iter().flatten())
                .chain(&c.log_likelihoods)
                .chain(
                    c.fit
                        .iter()
                        .flat_map(|f| {
                            let b = f.posterior.unwrap();
                            [b.p05, b.p50, b.p95]
                        })
                        .collect::<Vec<_>>()
                        .iter(),
                )
                .map(|x| x.to_bits())
                .collect()
        };
        assert_eq!(bits(&a), bits(&b));
        assert_eq!(a.parameters, b.parameters);
    }

    #[test]
    fn increment_grows_with_the_dimension_above_twenty() {
        assert_eq!(settings_for(11, 2000, 1).increment, 1000);
        assert_eq!(settings_for(20, 2000, 1).increment, 1000);
        assert_eq!(settings_for(30, 2000, 1).increment, 1500);
        assert_eq!(settings_for(30, 2000, 1).initial, 15_000);
    }
}
