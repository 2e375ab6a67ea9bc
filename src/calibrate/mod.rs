//! Calibration: the scenario's distributions (the prior) reconciled with published
//! figures about the past (the observations) by Bayesian melding.
//!
//! [`problem`] turns a scenario into coordinates of normal scores and a likelihood;
//! [`imis`] is the sampler: incremental mixture importance sampling in normal-score space;
//! [`backtest`] scores forecasts calibrated on the past against later observations.

pub mod backtest;
pub mod imis;
pub mod posterior;
pub mod problem;

pub use posterior::{
    calibrate, settings_for, Band, CalibrateError, Calibrated, CalibrationWarning, Fit,
    ParameterSummary,
};
pub use problem::{Coordinate, Problem, ProblemError};
