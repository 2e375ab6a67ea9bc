//! Calibration: the scenario's distributions (the prior) reconciled with published
//! figures about the past (the observations) by Bayesian melding.
//!
//! [`problem`] turns a scenario into coordinates of normal scores and a likelihood;
//! [`imis`] is the sampler: incremental mixture importance sampling in normal-score space;
//! [`posterior`] summarises its draws; [`summary`] is what the charts and the report read
//! (saved in `calibration.json`, so `talentsim plot` can redraw them).
//! [`backtest`] scores forecasts calibrated on the past against later observations.

pub mod backtest;
pub mod imis;
pub mod posterior;
pub mod problem;
pub mod summary;

pub use posterior::{
    calibrate, settings_for, Band, CalibrateError, Calibrated, CalibrationWarning, Fit, Interval,
    ParameterSummary,
};
pub use problem::{Coordinate, Problem, ProblemError};
pub use summary::{BandRow, CalibrationSummary, MetricBands, Observed, ReadingKind};
