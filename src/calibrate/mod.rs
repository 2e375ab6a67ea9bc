//! Calibration: the scenario's distributions (the prior) reconciled with published
//! figures about the past (the observations) by Bayesian melding (docs/calibration.md).
//!
//! [`imis`] is the sampler: incremental mixture importance sampling in normal-score space.

pub mod imis;
