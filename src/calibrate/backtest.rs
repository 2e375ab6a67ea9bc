//! Backtests: how well would the scenario have forecast the figures it was later shown?
//! For each origin date, calibrate on the observations dated at or before it, project,
//! and score every later observation against each method's predictive distribution
//! (MODEL.md section 10, docs/backtest.md). No files, no printing.
//!
//! # Methods
//!
//! - `calibrated`: Monte Carlo runs of the scenario calibrated ([`super::calibrate`]) on the
//!   observations up to the origin, each run taking its calibrated parameters jointly from
//!   a posterior row. An origin with no observation at or before it has nothing to
//!   calibrate on: its `calibrated` rows are the prior's, and the origin says so.
//! - `prior`: the same number of runs of the scenario as written.
//! - `trend`: the straight line through the metric's last two `value` observations (on
//!   distinct dates) up to the origin, in continuous time (`year - 1 + day of year / days`),
//!   extrapolated to the date, as a Normal with the observation's sd.
//! - `last`: the metric's last `value` observation up to the origin carried forward, as a
//!   Normal with the observation's sd.
//!
//! A naive method with too few earlier observations of the metric is skipped for it.
//!
//! # The predictive distribution of the runs
//!
//! The model value of run `i` at a date in year `Y` is `(1 - f) x_i(Y - 1) + f x_i(Y)`
//! (as in calibration), plus **one** draw of the observation error `N(0, sd)` per run: the
//! noise of observation `j` comes from a `ChaCha8Rng` seeded from the backtest seed with
//! stream `j`, so every method and origin sees the same noise for a run (common random
//! numbers) and a seed gives the same bytes. Runs whose value is undefined (a share of an
//! empty stock) are left out. The scores are those of this sample: type-7 quantiles
//! ([`quantile_sorted`]), PIT as the mid-rank share `(#{x < y} + #{x <= y}) / 2n`, and
//! the sample CRPS ([`crps_sample`]).
//!
//! # Scores
//!
//! CRPS (continuous ranked probability score; Gneiting & Raftery 2007, JASA 102:359,
//! eq. 20-21): `CRPS(F, y) = E|X - y| - E|X - X'| / 2`. For a sample it is computed over
//! the sample's empirical distribution in O(n log n): with `x_(1) <= ... <= x_(n)`,
//! `E|X - X'| = (2 / n^2) sum_i (2i - n - 1) x_(i)`. For a Normal(mu, sd) it is the closed
//! form `sd (z (2 Phi(z) - 1) + 2 phi(z) - 1/sqrt(pi))`, `z = (y - mu) / sd`. The absolute
//! percentage error is `100 |p50 - y| / |y|` (undefined when `y = 0`).

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
use statrs::distribution::{Continuous, ContinuousCDF, Normal};

use super::imis::ImisDiagnostics;
use super::posterior::{calibrate, settings_for, CalibrateError};
use super::problem::Problem;
use crate::engine::{mix64, simulate, EngineError, Job, Simulation};
use crate::scenario::{Calibration, Date, Metric, Observation, Posterior, Reading, Scenario};
use crate::stats::quantile_sorted;

/// Default cap on the runs of each projection (`--runs` overrides it).
pub const DEFAULT_MAX_RUNS: u64 = 2_000;

/// Reads an origin as written on the command line: `YYYY-MM-DD`, or `YYYY` for its Dec 31.
///
/// # Errors
/// A message quoting the text when it is not such a date (or the date does not exist).
pub fn parse_origin(text: &str) -> Result<Date, String> {
    let bad = || format!("`{text}` is not a date: expected YYYY-MM-DD, or YYYY for its Dec 31");
    let t = text.trim();
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    if digits(t, 4) {
        let year = t.parse().map_err(|_| bad())?;
        return Date::new(year, 12, 31).ok_or_else(bad);
    }
    let parts: Vec<&str> = t.split('-').collect();
    match parts.as_slice() {
        [y, m, d] if digits(y, 4) && digits(m, 2) && digits(d, 2) => Date::new(
            y.parse().map_err(|_| bad())?,
            m.parse().map_err(|_| bad())?,
            d.parse().map_err(|_| bad())?,
        )
        .ok_or_else(bad),
        _ => Err(bad()),
    }
}

/// A forecasting method scored by a backtest (module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Method {
    /// Runs of the scenario calibrated on the observations up to the origin.
    Calibrated,
    /// Runs of the scenario as written.
    Prior,
    /// Straight line through the last two observations.
    Trend,
    /// Last observation carried forward.
    Last,
}

impl Method {
    /// Every method, in table order.
    pub const ALL: [Method; 4] = [
        Method::Calibrated,
        Method::Prior,
        Method::Trend,
        Method::Last,
    ];

    /// Returns the method's name in tables.
    pub fn name(self) -> &'static str {
        match self {
            Method::Calibrated => "calibrated",
            Method::Prior => "prior",
            Method::Trend => "trend",
            Method::Last => "last",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A predictive distribution's scores against one observed value (module docs).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scores {
    /// 5% quantile.
    pub p05: f64,
    /// 25% quantile.
    pub p25: f64,
    /// Median.
    pub p50: f64,
    /// 75% quantile.
    pub p75: f64,
    /// 95% quantile.
    pub p95: f64,
    /// Probability integral transform: the predictive CDF at the observed value.
    pub pit: f64,
    /// Whether the value lies in the central 50% interval `[p25, p75]`.
    pub in_50: bool,
    /// Whether the value lies in the central 90% interval `[p05, p95]`.
    pub in_90: bool,
    /// Continuous ranked probability score (lower is better).
    pub crps: f64,
    /// `100 |p50 - y| / |y|`; `None` when `y = 0`.
    pub abs_pct_error: Option<f64>,
}

impl Scores {
    fn new(q: [f64; 5], pit: f64, crps: f64, y: f64) -> Scores {
        let [p05, p25, p50, p75, p95] = q;
        Scores {
            p05,
            p25,
            p50,
            p75,
            p95,
            pit,
            in_50: p25 <= y && y <= p75,
            in_90: p05 <= y && y <= p95,
            crps,
            abs_pct_error: (y != 0.0).then(|| 100.0 * (p50 - y).abs() / y.abs()),
        }
    }

    /// Scores a sample predictive (module docs) against `y`, or `None` for an empty sample.
    pub fn of_sample(sample: &[f64], y: f64) -> Option<Scores> {
        if sample.is_empty() {
            return None;
        }
        let mut sorted = sample.to_vec();
        sorted.sort_by(f64::total_cmp);
        let below = sorted.partition_point(|&x| x < y);
        let at_most = sorted.partition_point(|&x| x <= y);
        let pit = (below + at_most) as f64 / (2 * sorted.len()) as f64;
        let q = [0.05, 0.25, 0.5, 0.75, 0.95].map(|p| quantile_sorted(&sorted, p));
        Some(Scores::new(q, pit, crps_sample(&sorted, y), y))
    }

    /// Scores a Normal(mean, sd) predictive against `y`.
    ///
    /// # Panics
    /// If `sd` is not finite and positive.
    pub fn of_normal(mean: f64, sd: f64, y: f64) -> Scores {
        let n = Normal::new(mean, sd).expect("a finite positive sd");
        let q = [0.05, 0.25, 0.5, 0.75, 0.95].map(|p| n.inverse_cdf(p));
        Scores::new(q, n.cdf(y), crps_normal(mean, sd, y), y)
    }
}

/// Returns the CRPS of the empirical distribution of a sample **sorted ascending** at `y`:
/// `mean |x - y| - (1 / n^2) sum_i (2i - n - 1) x_(i)` (module docs); NaN when empty.
pub fn crps_sample(sorted: &[f64], y: f64) -> f64 {
    let n = sorted.len() as f64;
    let mut abs = 0.0;
    let mut spread = 0.0;
    for (i, &x) in sorted.iter().enumerate() {
        abs += (x - y).abs();
        spread += (2.0 * (i as f64 + 1.0) - n - 1.0) * x;
    }
    abs / n - spread / (n * n)
}

/// Returns the CRPS of Normal(mean, sd) at `y` in closed form (module docs).
pub fn crps_normal(mean: f64, sd: f64, y: f64) -> f64 {
    let z = (y - mean) / sd;
    let std = Normal::new(0.0, 1.0).expect("the standard normal");
    sd * (z * (2.0 * std.cdf(z) - 1.0) + 2.0 * std.pdf(z) - 1.0 / std::f64::consts::PI.sqrt())
}

/// How a backtest runs.
#[derive(Debug, Clone, PartialEq)]
pub struct BacktestSettings {
    /// Origins; empty for the default (every observation date that leaves a later `value`
    /// observation).
    pub origins: Vec<Date>,
    /// Runs of each projection; `None` for the scenario's runs capped at
    /// [`DEFAULT_MAX_RUNS`].
    pub runs: Option<u64>,
    /// Posterior draws of each calibration.
    pub draws: usize,
    /// Seed of the runs, the calibrations and the observation noise.
    pub seed: u64,
    /// IMIS increment `B`; `None` for [`settings_for`]'s.
    pub increment: Option<usize>,
}

/// Why a backtest cannot run.
#[derive(Debug, thiserror::Error)]
pub enum BacktestError {
    /// Fewer than two distinct observation dates.
    #[error(
        "scenario `{scenario}` has observations on {dates} distinct date(s): a backtest needs at \
         least 2 (one to calibrate on, a later one to score)"
    )]
    TooFewDates {
        /// Scenario name.
        scenario: String,
        /// Distinct observation dates.
        dates: usize,
    },
    /// An origin outside the scenario's years.
    #[error("--origin {origin} lies outside the scenario's years {start}-{end}")]
    OriginOutOfRange {
        /// The origin.
        origin: Date,
        /// `start_year`.
        start: i32,
        /// `end_year`.
        end: i32,
    },
    /// An origin with no later `value` observation to score.
    #[error(
        "--origin {origin} leaves no later observation to score (the last `value` observation \
         is dated {last})"
    )]
    NoLaterObservation {
        /// The origin.
        origin: Date,
        /// Date of the last `value` observation, or `none`.
        last: String,
    },
    /// A calibration failed or the scenario cannot be calibrated.
    #[error(transparent)]
    Calibrate(#[from] CalibrateError),
    /// A projection failed.
    #[error(transparent)]
    Engine(#[from] EngineError),
}

impl BacktestError {
    /// Returns whether the error is in the input (scenario or arguments), not in the run.
    pub fn is_input(&self) -> bool {
        match self {
            BacktestError::TooFewDates { .. }
            | BacktestError::OriginOutOfRange { .. }
            | BacktestError::NoLaterObservation { .. } => true,
            BacktestError::Calibrate(e) => matches!(e, CalibrateError::Problem(_)),
            BacktestError::Engine(e) => matches!(e, EngineError::Posterior { .. }),
        }
    }
}

/// One origin's calibration.
#[derive(Debug, Clone)]
pub struct OriginResult {
    /// The origin.
    pub origin: Date,
    /// Observations dated at or before it (calibrated on).
    pub observations_used: usize,
    /// Observations after it scored (`value` readings).
    pub observations_scored: usize,
    /// Whether a calibration ran (false: no observation up to the origin, `calibrated`
    /// equals `prior`).
    pub calibrated: bool,
    /// The sampler's diagnostics, when it ran.
    pub diagnostics: Option<ImisDiagnostics>,
    /// The calibration's warnings, as text.
    pub warnings: Vec<String>,
}

/// One method's scores against one later observation.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Origin.
    pub origin: Date,
    /// Method.
    pub method: Method,
    /// Position of the observation in the scenario's list, from 0.
    pub observation: usize,
    /// Metric observed.
    pub metric: Metric,
    /// Date observed.
    pub date: Date,
    /// Value observed.
    pub value: f64,
    /// Scores.
    pub scores: Scores,
}

/// One method's scores over every row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MethodSummary {
    /// Method.
    pub method: Method,
    /// Rows scored.
    pub n: usize,
    /// Share of values inside the central 50% interval; `None` when `n = 0`.
    pub coverage_50: Option<f64>,
    /// Share of values inside the central 90% interval.
    pub coverage_90: Option<f64>,
    /// Mean CRPS.
    pub mean_crps: Option<f64>,
    /// Mean absolute percentage error of the median (over rows where it is defined).
    pub mean_abs_pct_error: Option<f64>,
}

/// A backtest's results.
#[derive(Debug, Clone)]
pub struct Backtest {
    /// Runs of each projection.
    pub runs: u64,
    /// Posterior draws of each calibration.
    pub draws: usize,
    /// Seed.
    pub seed: u64,
    /// Each origin, in date order.
    pub origins: Vec<OriginResult>,
    /// Rows by origin, method, then observation.
    pub rows: Vec<Row>,
    /// One per method, in [`Method::ALL`]'s order.
    pub summary: Vec<MethodSummary>,
    /// Notes: bounds not scored, methods skipped.
    pub notes: Vec<String>,
}

/// Returns the origins a backtest of `scenario` uses: `requested` sorted and checked, or
/// the default ones (module docs).
///
/// # Errors
/// [`BacktestError`] for fewer than two observation dates, an origin outside the years or
/// with no later `value` observation.
pub fn origins(scenario: &Scenario, requested: &[Date]) -> Result<Vec<Date>, BacktestError> {
    let mut dates: Vec<Date> = scenario.observations.iter().map(|o| o.date).collect();
    dates.sort();
    dates.dedup();
    if dates.len() < 2 {
        return Err(BacktestError::TooFewDates {
            scenario: scenario.name.clone(),
            dates: dates.len(),
        });
    }
    let last_value = scenario
        .observations
        .iter()
        .filter(|o| matches!(o.reading, Reading::Value(_)))
        .map(|o| o.date)
        .max();
    let leaves_later = |d: &Date| last_value.is_some_and(|l| l > *d);
    if requested.is_empty() {
        dates.retain(leaves_later);
        if dates.is_empty() {
            return Err(BacktestError::NoLaterObservation {
                origin: scenario.observations[0].date,
                last: last_value.map_or("none".into(), |d| d.to_string()),
            });
        }
        return Ok(dates);
    }
    let mut out = requested.to_vec();
    out.sort();
    out.dedup();
    for &origin in &out {
        if origin.year < scenario.start_year || origin.year > scenario.end_year {
            return Err(BacktestError::OriginOutOfRange {
                origin,
                start: scenario.start_year,
                end: scenario.end_year,
            });
        }
        if !leaves_later(&origin) {
            return Err(BacktestError::NoLaterObservation {
                origin,
                last: last_value.map_or("none".into(), |d| d.to_string()),
            });
        }
    }
    Ok(out)
}

/// Returns the predictive sample of observation `index` of `scenario` from a simulation of
/// it: each run's model value at the date plus one observation-noise draw (module docs).
/// Runs with an undefined value are left out.
///
/// # Panics
/// If the observation's date or metric is outside the simulation (validation prevents it).
pub fn predictive_sample(sim: &Simulation, obs: &Observation, index: usize, seed: u64) -> Vec<f64> {
    let runs = sim.values.nrows();
    let columns = sim.columns();
    let m = sim
        .metrics
        .iter()
        .position(|x| *x == obs.metric)
        .expect("an observed metric is simulated");
    let (year, f) = obs.date.interpolation();
    let t = sim
        .years
        .iter()
        .position(|&y| y == year)
        .expect("an observation's year is simulated");
    let column = |t: usize| {
        let c = sim.column(t, m);
        &columns[c * runs..(c + 1) * runs]
    };
    let now = column(t);
    let before = (f < 1.0).then(|| column(t - 1));
    let mut rng = ChaCha8Rng::seed_from_u64(mix64(seed ^ 0x6261_636b_7465_7374));
    rng.set_stream(index as u64);
    let mut out = Vec::with_capacity(runs);
    for r in 0..runs {
        let noise: f64 = rng.sample(StandardNormal);
        let x = match before {
            Some(b) => (1.0 - f) * b[r] + f * now[r],
            None => now[r],
        };
        if x.is_finite() {
            out.push(x + obs.sd * noise);
        }
    }
    out
}

/// Continuous time of a date in years: Dec 31 of `Y` is `Y`.
fn time(d: Date) -> f64 {
    f64::from(d.year - 1) + d.year_fraction()
}

/// The naive methods' Normal mean for observation `obs`, from the `value` observations of
/// its metric dated at or before `origin`; `None` when there are too few.
fn naive_mean(scenario: &Scenario, method: Method, obs: &Observation, origin: Date) -> Option<f64> {
    let mut earlier: Vec<(Date, f64)> = scenario
        .observations
        .iter()
        .filter(|o| o.metric == obs.metric && o.date <= origin)
        .filter_map(|o| match o.reading {
            Reading::Value(v) => Some((o.date, v)),
            _ => None,
        })
        .collect();
    // Stable: among observations on one date the last listed wins.
    earlier.sort_by_key(|&(d, _)| d);
    let &(d1, v1) = earlier.last()?;
    match method {
        Method::Last => Some(v1),
        Method::Trend => {
            let &(d0, v0) = earlier.iter().rev().find(|(d, _)| *d < d1)?;
            let slope = (v1 - v0) / (time(d1) - time(d0));
            Some(v1 + slope * (time(obs.date) - time(d1)))
        }
        Method::Calibrated | Method::Prior => None,
    }
}

/// Returns `scenario` drawing its uncertain parameters jointly from a calibration's rows.
fn with_posterior(scenario: &Scenario, c: &super::Calibrated) -> Scenario {
    let mut s = scenario.clone();
    s.calibration = Some(Calibration {
        posterior: PathBuf::from("(backtest, in memory)"),
        written: String::new(),
        table: Arc::new(Posterior {
            names: c.names().into_iter().map(String::from).collect(),
            rows: c.draws.clone(),
            sha256: String::new(),
        }),
    });
    s
}

/// Backtests `scenario` (module docs). Deterministic for the settings' seed.
///
/// `progress` is told each origin as its calibration starts.
///
/// # Errors
/// [`BacktestError`] for unusable origins ([`origins`]), a scenario that cannot be
/// calibrated or a failed calibration or projection.
pub fn backtest(
    scenario: &Scenario,
    settings: &BacktestSettings,
    progress: &dyn Fn(Date),
) -> Result<Backtest, BacktestError> {
    let origin_dates = origins(scenario, &settings.origins)?;
    // Refuse a scenario that can never be calibrated before the first projection.
    Problem::new(scenario).map_err(CalibrateError::from)?;
    let runs = settings
        .runs
        .unwrap_or(scenario.monte_carlo.runs.min(DEFAULT_MAX_RUNS));
    let mut job = Job::from_scenario(scenario);
    job.runs = runs;
    job.seed = settings.seed;
    let prior_sim = simulate(scenario, &job, &|_| {})?;

    let mut notes = Vec::new();
    for (j, o) in scenario.observations.iter().enumerate() {
        if !matches!(o.reading, Reading::Value(_)) {
            notes.push(format!(
                "observation {} ({} {} on {}) is a bound: used in calibration, not scored",
                j + 1,
                o.metric.name(&scenario.levels),
                o.reading.keyword(),
                o.date
            ));
        }
    }

    let mut results = Vec::with_capacity(origin_dates.len());
    let mut rows = Vec::new();
    let mut skipped = [0usize; 4];
    for &origin in &origin_dates {
        progress(origin);
        let mut upto = scenario.clone();
        upto.observations.retain(|o| o.date <= origin);
        let used = upto.observations.len();
        let (cal_sim, diagnostics, warnings) = if used == 0 {
            (None, None, vec![format!(
                "no observation at or before {origin}: nothing to calibrate on, so `calibrated` equals `prior`"
            )])
        } else {
            let dim = Problem::new(&upto).map_err(CalibrateError::from)?.dim();
            let mut imis = settings_for(dim, settings.draws, settings.seed);
            if let Some(b) = settings.increment {
                imis = super::imis::ImisSettings::new(b, settings.draws, settings.seed);
            }
            let c = calibrate(&upto, &imis)?;
            let sim = simulate(&with_posterior(scenario, &c), &job, &|_| {})?;
            let w = c.warnings.iter().map(ToString::to_string).collect();
            (Some(sim), Some(c.diagnostics().clone()), w)
        };
        let later: Vec<(usize, &Observation, f64)> = (scenario.observations.iter().enumerate())
            .filter(|(_, o)| o.date > origin)
            .filter_map(|(j, o)| match o.reading {
                Reading::Value(v) => Some((j, o, v)),
                _ => None,
            })
            .collect();
        for (k, method) in Method::ALL.into_iter().enumerate() {
            for &(j, o, y) in &later {
                let scores = match method {
                    Method::Calibrated | Method::Prior => {
                        let sim = match method {
                            Method::Calibrated => cal_sim.as_ref().unwrap_or(&prior_sim),
                            _ => &prior_sim,
                        };
                        Scores::of_sample(&predictive_sample(sim, o, j, settings.seed), y)
                    }
                    Method::Trend | Method::Last => naive_mean(scenario, method, o, origin)
                        .map(|mean| Scores::of_normal(mean, o.sd, y)),
                };
                match scores {
                    Some(scores) => rows.push(Row {
                        origin,
                        method,
                        observation: j,
                        metric: o.metric,
                        date: o.date,
                        value: y,
                        scores,
                    }),
                    None => skipped[k] += 1,
                }
            }
        }
        results.push(OriginResult {
            origin,
            observations_used: used,
            observations_scored: later.len(),
            calibrated: used > 0,
            diagnostics,
            warnings,
        });
    }
    for (k, method) in Method::ALL.into_iter().enumerate() {
        if skipped[k] > 0 {
            let why = match method {
                Method::Trend => "fewer than 2 earlier value observations of the metric",
                Method::Last => "no earlier value observation of the metric",
                _ => "no run gives the metric a value at the date",
            };
            notes.push(format!(
                "{method}: {} (origin, observation) pairs skipped: {why}",
                skipped[k]
            ));
        }
    }
    let summary = Method::ALL.map(|m| summarize(m, &rows)).to_vec();
    Ok(Backtest {
        runs,
        draws: settings.draws,
        seed: settings.seed,
        origins: results,
        rows,
        summary,
        notes,
    })
}

/// Summarises one method's rows.
fn summarize(method: Method, rows: &[Row]) -> MethodSummary {
    let mine: Vec<&Scores> = rows
        .iter()
        .filter(|r| r.method == method)
        .map(|r| &r.scores)
        .collect();
    let mean = |xs: Vec<f64>| (!xs.is_empty()).then(|| xs.iter().sum::<f64>() / xs.len() as f64);
    let share =
        |f: fn(&Scores) -> bool| mean(mine.iter().map(|s| f64::from(u8::from(f(s)))).collect());
    MethodSummary {
        method,
        n: mine.len(),
        coverage_50: share(|s| s.in_50),
        coverage_90: share(|s| s.in_90),
        mean_crps: mean(mine.iter().map(|s| s.crps).collect()),
        mean_abs_pct_error: mean(mine.iter().filter_map(|s| s.abs_pct_error).collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crps_of_a_tiny_sample_is_hand_computed() {
        // Sample {1, 3}, y = 2: E|X - y| = 1, E|X - X'| = (0 + 2 + 2 + 0) / 4 = 1, so
        // CRPS = 1 - 1/2; the integral of (F - 1{x >= 2})^2 is 0.25 + 0.25 as well.
        assert!((crps_sample(&[1.0, 3.0], 2.0) - 0.5).abs() < 1e-15);
        // One point: |x - y|.
        assert!((crps_sample(&[4.0], 1.5) - 2.5).abs() < 1e-15);
        // Sample {0, 1, 5}, y = 1: E|X-y| = (1 + 0 + 4)/3; E|X-X'| = 2 (1 + 5 + 4) / 9.
        let want = 5.0 / 3.0 - 10.0 / 9.0;
        assert!((crps_sample(&[0.0, 1.0, 5.0], 1.0) - want).abs() < 1e-15);
    }

    #[test]
    fn crps_normal_matches_known_values() {
        // At the mean: sd (2 phi(0) - 1/sqrt(pi)) = sd (sqrt(2) - 1) / sqrt(pi).
        let at_mean = (2f64.sqrt() - 1.0) / std::f64::consts::PI.sqrt();
        assert!((crps_normal(10.0, 2.0, 10.0) - 2.0 * at_mean).abs() < 1e-14);
        // Far out it tends to |y - mu| - sd / sqrt(pi).
        let far = crps_normal(0.0, 1.0, 40.0);
        assert!((far - (40.0 - 1.0 / std::f64::consts::PI.sqrt())).abs() < 1e-9);
    }

    #[test]
    fn sample_crps_of_a_large_normal_sample_matches_the_closed_form() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let mut xs: Vec<f64> = (0..200_000)
            .map(|_| 3.0 + 2.0 * rng.sample::<f64, _>(StandardNormal))
            .collect();
        xs.sort_by(f64::total_cmp);
        for y in [3.0, 1.0, 6.5, -4.0] {
            let (a, b) = (crps_sample(&xs, y), crps_normal(3.0, 2.0, y));
            assert!((a - b).abs() < 0.01 * b.max(0.1), "y {y}: {a} vs {b}");
        }
    }

    #[test]
    fn scores_of_a_normal_and_of_a_sample_agree() {
        let n = Scores::of_normal(100.0, 10.0, 110.0);
        assert!((n.p50 - 100.0).abs() < 1e-9);
        assert!((n.p95 - 116.448_536_269_514_7).abs() < 1e-6);
        assert!((n.pit - 0.841_344_746_068_542_9).abs() < 1e-9, "{}", n.pit);
        assert!(!n.in_50 && n.in_90);
        assert!((n.abs_pct_error.unwrap() - 100.0 / 11.0).abs() < 1e-12);
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let xs: Vec<f64> = (0..100_000)
            .map(|_| 100.0 + 10.0 * rng.sample::<f64, _>(StandardNormal))
            .collect();
        let s = Scores::of_sample(&xs, 110.0).unwrap();
        assert!((s.pit - n.pit).abs() < 0.01);
        assert!((s.p05 - n.p05).abs() < 0.3 && (s.p75 - n.p75).abs() < 0.3);
        assert!(Scores::of_sample(&[], 1.0).is_none());
        // Ties count half: PIT of a value equal to the whole sample is 1/2.
        assert_eq!(Scores::of_sample(&[2.0, 2.0], 2.0).unwrap().pit, 0.5);
    }

    #[test]
    fn origins_parse_as_dates_or_years() {
        assert_eq!(
            parse_origin("2023").unwrap(),
            Date::new(2023, 12, 31).unwrap()
        );
        assert_eq!(
            parse_origin("2024-02-29").unwrap(),
            Date::new(2024, 2, 29).unwrap()
        );
        for bad in [
            "2023-02-29",
            "23",
            "2023-6-30",
            "2023/06/30",
            "",
            "next year",
        ] {
            let e = parse_origin(bad).unwrap_err();
            assert!(e.contains("expected YYYY-MM-DD"), "{bad}: {e}");
        }
    }
}
