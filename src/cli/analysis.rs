//! Arguments of the analysis commands (README "Policy analysis"): `sensitivity`, `solve`,
//! `sweep` and `compare`. Plain data; the work is in [`crate::app::analysis`].

use std::path::PathBuf;

/// Options every analysis command shares.
#[derive(Debug, Clone, clap::Args)]
pub struct Common {
    /// Monte Carlo runs per evaluation (default: the scenario's runs, at most 2,000 for
    /// sensitivity, solve and sweep, which simulate many variants).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=talentsim::scenario::MAX_RUNS))]
    pub runs: Option<u64>,
    /// Seed of the random streams (overrides [monte_carlo] seed).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Output folder (default: output/<scenario name>-<command>).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Worker threads (default: every core). Results do not depend on it.
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: Option<u16>,
    /// Set a lever to a number in every year before the analysis (repeatable).
    #[arg(long = "set", value_name = "LEVER=VALUE")]
    pub set: Vec<String>,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
    /// Draw every binomial and Poisson count exactly (as `run --exact`).
    #[arg(long)]
    pub exact: bool,
    /// Do not draw charts or write report.html (`talentsim plot` draws them later).
    #[arg(long)]
    pub no_charts: bool,
    /// Chart options.
    #[command(flatten)]
    pub chart: super::ChartArgs,
}

/// Arguments of `talentsim sensitivity`.
#[derive(Debug, Clone, clap::Args)]
pub struct SensitivityArgs {
    /// Scenario file (TOML).
    pub scenario: PathBuf,
    /// Metric to explain (with --year), e.g. `high_skill_share`.
    #[arg(long, conflicts_with = "target", requires = "year")]
    pub metric: Option<String>,
    /// Year of the metric (tornado); Sobol indices cover every projected year.
    #[arg(long, requires = "metric")]
    pub year: Option<i32>,
    /// Target to explain: its name, number (1 for the first) or the start of its name
    /// (default: the scenario's first target).
    #[arg(long)]
    pub target: Option<String>,
    /// Base sample size N of the Saltelli design (N x (k + 2) model evaluations).
    #[arg(long, default_value_t = 4096, value_parser = clap::value_parser!(u64).range(16..=1_000_000))]
    pub samples: u64,
    /// Bootstrap resamples for the Sobol intervals.
    #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u64).range(10..=100_000))]
    pub bootstrap: u64,
    /// Shared options.
    #[command(flatten)]
    pub common: Common,
}

/// Arguments of `talentsim solve`.
#[derive(Debug, Clone, clap::Args)]
pub struct SolveArgs {
    /// Scenario file (TOML).
    pub scenario: PathBuf,
    /// Target to reach: its name, number (1 for the first) or the start of its name.
    #[arg(long)]
    pub target: String,
    /// Lever to solve for; without it only the earliest year is reported.
    #[arg(long)]
    pub lever: Option<String>,
    /// Probability the target must reach.
    #[arg(long, default_value_t = 0.9)]
    pub probability: f64,
    /// Lower end of the lever's search range (default: README "Policy analysis").
    #[arg(long, allow_negative_numbers = true)]
    pub min: Option<f64>,
    /// Upper end of the lever's search range.
    #[arg(long, allow_negative_numbers = true)]
    pub max: Option<f64>,
    /// Shared options.
    #[command(flatten)]
    pub common: Common,
}

/// Arguments of `talentsim sweep`.
#[derive(Debug, Clone, clap::Args)]
pub struct SweepArgs {
    /// Scenario file (TOML).
    pub scenario: PathBuf,
    /// First lever and its grid: `LEVER=FROM:TO:POINTS`.
    #[arg(long)]
    pub x: String,
    /// Optional second lever: `LEVER=FROM:TO:POINTS`.
    #[arg(long)]
    pub y: Option<String>,
    /// Target whose probability is mapped: its name, number (1 for the first) or the start
    /// of its name (default: the scenario's first target).
    #[arg(long)]
    pub target: Option<String>,
    /// Shared options.
    #[command(flatten)]
    pub common: Common,
}

/// Arguments of `talentsim compare`.
#[derive(Debug, Clone, clap::Args)]
pub struct CompareArgs {
    /// Scenario files (TOML); the first is the baseline of the differences.
    #[arg(required = true, num_args = 2..)]
    pub scenarios: Vec<PathBuf>,
    /// Shared options.
    #[command(flatten)]
    pub common: Common,
}
