//! What the calibration charts and report read: a [`CalibrationSummary`] of a
//! [`Calibrated`] result, with plain data only (names, numbers, bands by year).
//!
//! `calibration.json` carries every field of it under the same keys, so `talentsim plot`
//! reads the summary back from that file ([`CalibrationSummary`] ignores the file's other
//! keys) and redraws the same charts. Nothing here samples, projects or writes.

use serde::{Deserialize, Serialize};

use super::posterior::{Band, Calibrated, Fit, Interval, ParameterSummary};
use crate::scenario::Reading;

/// One year's prior and posterior band of an observed metric.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BandRow {
    /// The year: values at its end.
    pub year: i32,
    /// Prior 5% quantile of the expected-value projection.
    pub prior_p05: Option<f64>,
    /// Prior median.
    pub prior_p50: Option<f64>,
    /// Prior 95% quantile.
    pub prior_p95: Option<f64>,
    /// Posterior 5% quantile.
    pub post_p05: Option<f64>,
    /// Posterior median.
    pub post_p50: Option<f64>,
    /// Posterior 95% quantile.
    pub post_p95: Option<f64>,
}

impl BandRow {
    /// Returns the row of `year` from its prior and posterior bands (`None`: no draw
    /// gives the metric a value that year).
    pub fn new(year: i32, prior: Option<Band>, posterior: Option<Band>) -> BandRow {
        BandRow {
            year,
            prior_p05: prior.map(|b| b.p05),
            prior_p50: prior.map(|b| b.p50),
            prior_p95: prior.map(|b| b.p95),
            post_p05: posterior.map(|b| b.p05),
            post_p50: posterior.map(|b| b.p50),
            post_p95: posterior.map(|b| b.p95),
        }
    }
}

/// An observed metric's prior and posterior bands, one row per year from `start_year`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricBands {
    /// Metric name (`total`, `level.senior`, ...).
    pub metric: String,
    /// One row per year.
    pub rows: Vec<BandRow>,
}

/// What kind of statement an observation makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReadingKind {
    /// The metric was the value, with error.
    Value,
    /// The metric was at least the value.
    AtLeast,
    /// The metric was at most the value.
    AtMost,
}

/// One observation and how the prior and posterior fit it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Observed {
    /// Metric name.
    pub metric: String,
    /// Date, `YYYY-MM-DD`.
    pub date: String,
    /// The date in years, the end of year `t` being `t` ([`Fit::time`]).
    pub time: f64,
    /// What the figure states.
    pub kind: ReadingKind,
    /// The number stated (the value or the bound).
    pub value: f64,
    /// Observation error (sd).
    pub sd: f64,
    /// Source, if given.
    pub source: Option<String>,
    /// Model value's prior band.
    pub prior: Option<Band>,
    /// Model value's posterior band.
    pub posterior: Option<Band>,
    /// Prior predictive 90% interval of the figure.
    pub prior_predictive: Option<Interval>,
    /// Posterior predictive 90% interval of the figure.
    pub posterior_predictive: Option<Interval>,
    /// Prior predictive probability of a reading as far out as this one.
    pub prior_tail: f64,
}

impl Observed {
    fn of(f: &Fit) -> Observed {
        Observed {
            metric: f.metric.clone(),
            date: f.date.clone(),
            time: f.time,
            kind: match f.reading {
                Reading::Value(_) => ReadingKind::Value,
                Reading::AtLeast(_) => ReadingKind::AtLeast,
                Reading::AtMost(_) => ReadingKind::AtMost,
            },
            value: f.reading.number(),
            sd: f.sd,
            source: f.source.clone(),
            prior: f.prior,
            posterior: f.posterior,
            prior_predictive: f.prior_predictive,
            posterior_predictive: f.posterior_predictive,
            prior_tail: f.prior_tail,
        }
    }

    /// Tells whether an interval holds the figure: a value inside it, a bound with part
    /// of the interval on its side.
    pub fn inside(&self, i: Interval) -> bool {
        match self.kind {
            ReadingKind::Value => i.p05 <= self.value && self.value <= i.p95,
            ReadingKind::AtLeast => i.p95 >= self.value,
            ReadingKind::AtMost => i.p05 <= self.value,
        }
    }
}

/// Everything the calibration charts and report show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalibrationSummary {
    /// Scenario name.
    pub scenario: String,
    /// talentsim's version.
    pub version: String,
    /// Seed of the sampler.
    pub seed: u64,
    /// Posterior draws resampled.
    pub draws: usize,
    /// The scenario's first year (its initial stock).
    pub start_year: i32,
    /// Whether IMIS met its stopping rule.
    pub converged: bool,
    /// Mixture components added.
    pub iterations: usize,
    /// Likelihood evaluations.
    pub evaluations: usize,
    /// Effective sample size of the importance weights.
    pub effective_sample_size: f64,
    /// Expected number of unique points among the resampled draws.
    pub expected_unique: f64,
    /// The stopping rule's target for it.
    pub target_unique: f64,
    /// Largest importance weight.
    pub max_weight: f64,
    /// Warnings, as printed.
    pub warnings: Vec<String>,
    /// Each parameter's prior and posterior, in coordinate order.
    pub parameter_summaries: Vec<ParameterSummary>,
    /// Each observation's fit, in order.
    pub observations: Vec<Observed>,
    /// Each observed metric's bands by year.
    pub bands: Vec<MetricBands>,
}

impl CalibrationSummary {
    /// Summarises the calibration of scenario `scenario`.
    pub fn new(c: &Calibrated, scenario: &str) -> CalibrationSummary {
        let d = c.diagnostics();
        CalibrationSummary {
            scenario: scenario.to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            seed: c.settings.seed,
            draws: c.settings.draws,
            start_year: c.start_year,
            converged: d.converged,
            iterations: d.iterations,
            evaluations: d.evaluations,
            effective_sample_size: d.effective_sample_size,
            expected_unique: d.expected_unique,
            target_unique: d.target_unique,
            max_weight: d.max_weight,
            warnings: c.warnings.iter().map(ToString::to_string).collect(),
            parameter_summaries: c.parameters.clone(),
            observations: c.fit.iter().map(Observed::of).collect(),
            bands: c.bands.clone(),
        }
    }

    /// Returns the summary as `talentsim plot` reads it back from `calibration.json`:
    /// serde_json's parser may round a number's last bit, so `calibrate` draws from this
    /// copy and `plot` redraws the same bytes.
    pub fn as_saved(&self) -> CalibrationSummary {
        serde_json::to_string(self)
            .ok()
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_else(|| self.clone())
    }

    /// Returns the parameters, the most moved by the evidence first
    /// ([`ParameterSummary::movement`]); ties keep coordinate order.
    pub fn by_movement(&self) -> Vec<&ParameterSummary> {
        let mut order: Vec<&ParameterSummary> = self.parameter_summaries.iter().collect();
        order.sort_by(|a, b| b.movement().total_cmp(&a.movement()));
        order
    }
}
