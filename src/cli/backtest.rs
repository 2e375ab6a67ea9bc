//! Arguments of `talentsim backtest` (docs/backtest.md).

use std::path::PathBuf;

use talentsim::scenario::Date;

/// Arguments of `talentsim backtest`.
#[derive(Debug, Clone, clap::Args)]
pub struct BacktestArgs {
    /// Scenario file (TOML) with observations on at least two dates.
    pub scenario: PathBuf,
    /// Forecast origin: calibrate on the observations dated at or before it, score the later
    /// ones (repeatable; YYYY-MM-DD, or YYYY for its Dec 31). Default: every observation
    /// date that leaves a later observation.
    #[arg(long = "origin", value_name = "DATE", value_parser = talentsim::calibrate::backtest::parse_origin)]
    pub origins: Vec<Date>,
    /// Monte Carlo runs of each projection (default: the scenario's runs, at most 2,000).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=talentsim::scenario::MAX_RUNS))]
    pub runs: Option<u64>,
    /// Posterior draws of each calibration.
    #[arg(long, default_value_t = 2000, value_parser = clap::value_parser!(u64).range(10..=1_000_000))]
    pub draws: u64,
    /// Seed of the runs, calibrations and observation noise (default: the scenario's
    /// [monte_carlo] seed).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Output folder (default: output/<scenario name>-backtest).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Print nothing but errors and warnings.
    #[arg(long, short)]
    pub quiet: bool,
}
