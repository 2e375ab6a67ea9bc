//! Arguments of `talentsim calibrate` (docs/calibration.md).

use std::path::PathBuf;

/// Arguments of `talentsim calibrate`.
#[derive(Debug, Clone, clap::Args)]
pub struct CalibrateArgs {
    /// Scenario file (TOML) with its observations.
    pub scenario: PathBuf,
    /// More observations from a CSV file (`metric,date,value,at_least,at_most,sd,rel_sd,source`),
    /// added to the scenario's `[[observation]]` tables.
    #[arg(long, value_name = "FILE.csv")]
    pub observations: Option<PathBuf>,
    /// Posterior draws to resample (rows of posterior.csv).
    #[arg(long, default_value_t = 2000, value_parser = clap::value_parser!(u64).range(10..=1_000_000))]
    pub draws: u64,
    /// Seed of the sampler (default: the scenario's [monte_carlo] seed).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Output folder (default: output/<scenario name>-calibrate).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Set a lever to a number in every year before calibrating (repeatable); a lever set
    /// is no longer uncertain and is not calibrated.
    #[arg(long = "set", value_name = "LEVER=VALUE")]
    pub set: Vec<String>,
    /// Do not draw charts or write report.html (`talentsim plot` draws them later).
    #[arg(long)]
    pub no_charts: bool,
    /// Print nothing but errors and warnings.
    #[arg(long, short)]
    pub quiet: bool,
    /// Chart options.
    #[command(flatten)]
    pub chart: crate::cli::ChartArgs,
}
