//! Command-line interface (the README, "Commands"): clap types that turn arguments into the
//! plain configurations of [`crate::app`]. No work is done here.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

pub mod analysis;
pub mod backtest;
pub mod calibrate;

/// Talent-pipeline forecasting: project a region's skilled workforce by vocational level
/// with its uncertainty, and the probability that policy targets hold.
#[derive(Debug, Parser)]
#[command(name = "talentsim", version, about, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a scenario: central path, Monte Carlo runs, tables and target verdicts.
    Run(RunArgs),
    /// Validate scenario files without running them.
    Check {
        /// Scenario files (TOML).
        #[arg(required = true)]
        scenarios: Vec<PathBuf>,
        /// Set a lever to a number in every year before validating (repeatable).
        #[arg(long = "set", value_name = "LEVER=VALUE")]
        set: Vec<String>,
    },
    /// Print a commented scenario template: `talentsim init > my-region.toml`.
    Init,
    /// Redraw the charts and report.html of an output folder from its summary.json (or an
    /// analysis folder from its analysis.json, or a calibrate folder from its calibration.json).
    Plot(PlotArgs),
    /// Which assumptions drive a metric or a target: tornado and Sobol indices.
    Sensitivity(analysis::SensitivityArgs),
    /// The lever value that makes a target reach a probability; the earliest year it does.
    Solve(analysis::SolveArgs),
    /// A target's probability over a grid of one or two levers.
    Sweep(analysis::SweepArgs),
    /// Two or more scenarios side by side, with paired differences.
    Compare(analysis::CompareArgs),
    /// Reconcile the scenario's distributions with its observations: a posterior sample
    /// and a calibrated scenario in output/<name>-calibrate/.
    Calibrate(calibrate::CalibrateArgs),
    /// Score forecasts calibrated on the past against later observations, beside the
    /// prior, a trend and the last value: output/<name>-backtest/.
    Backtest(backtest::BacktestArgs),
    /// Combine the shard folders of `run --shard` into the outputs of the whole job.
    Merge(MergeArgs),
    /// Print a shell completion script (README "Install"): `talentsim completions bash`.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff): `talentsim man > talentsim.1`, or a command's page:
    /// `talentsim man run > talentsim-run.1`.
    Man {
        /// A command whose page to print (default: the page of talentsim itself).
        command: Option<String>,
    },
    /// Print the JSON Schema of the scenario format, for editors (taplo, Even Better TOML):
    /// `talentsim schema > talentsim.schema.json`.
    Schema,
}

/// Arguments of `talentsim run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Scenario file (TOML).
    #[arg(required_unless_present = "replay")]
    pub scenario: Option<PathBuf>,
    /// Number of Monte Carlo runs (overrides [monte_carlo] runs).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=talentsim::scenario::MAX_RUNS))]
    pub runs: Option<u64>,
    /// Seed of the random streams (overrides [monte_carlo] seed).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Output folder (default: output/<scenario name>).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Worker threads (default: every core). Results do not depend on it.
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: Option<u16>,
    /// Do not draw charts or write report.html (`talentsim plot` draws them later).
    #[arg(long)]
    pub no_charts: bool,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
    /// Check every run's invariants (flows balance, no negative stock, p05 <= p50 <= p95);
    /// always on in debug builds.
    #[arg(long)]
    pub verify: bool,
    /// Run again as recorded in an output's summary.json and compare every file byte for
    /// byte: exit 0 when identical, 1 when anything differs.
    #[arg(long, value_name = "SUMMARY_JSON", conflicts_with_all = ["scenario", "runs", "seed", "out", "no_charts", "set", "lang", "width", "height", "shard", "exact"])]
    pub replay: Option<PathBuf>,
    /// Run only shard K of M (K from 1) of the --runs runs and save them for
    /// `talentsim merge` (same per-run streams as the whole job).
    #[arg(long, value_name = "K/M")]
    pub shard: Option<talentsim::shard::ShardSpec>,
    /// Draw every binomial and Poisson count exactly (default: counts of variance at
    /// least 100 use a Cornish-Fisher approximation; README "Performance").
    #[arg(long)]
    pub exact: bool,
    /// Set a lever to a number in every year, e.g. `upgrade.intermediate=0.07`
    /// (repeatable; README "Policy analysis" lists lever names).
    #[arg(long = "set", value_name = "LEVER=VALUE")]
    pub set: Vec<String>,
    /// Chart options.
    #[command(flatten)]
    pub chart: ChartArgs,
}

/// Arguments of `talentsim merge`.
#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// Shard folders written by `talentsim run --shard K/M --out DIR`, in any order.
    #[arg(required = true)]
    pub shards: Vec<PathBuf>,
    /// Output folder of the combined results.
    #[arg(long, required = true)]
    pub out: PathBuf,
    /// Do not draw charts or write report.html (`talentsim plot` draws them later).
    #[arg(long)]
    pub no_charts: bool,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
    /// Chart options.
    #[command(flatten)]
    pub chart: ChartArgs,
}

/// Arguments of `talentsim plot`.
#[derive(Debug, clap::Args)]
pub struct PlotArgs {
    /// Output folder of an earlier `talentsim run` (holding summary.json) or analysis
    /// command (holding analysis.json).
    pub dir: PathBuf,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
    /// Chart options.
    #[command(flatten)]
    pub chart: ChartArgs,
}

/// How charts and the report are drawn (`run` and `plot`).
#[derive(Debug, Clone, clap::Args)]
pub struct ChartArgs {
    /// Language of chart and report labels: en or zh.
    #[arg(long, default_value = "en")]
    pub lang: talentsim::chart::Lang,
    /// Chart width in pixels.
    #[arg(long, default_value_t = talentsim::chart::style::DEFAULT_WIDTH,
          value_parser = clap::value_parser!(u32).range(i64::from(talentsim::chart::style::MIN_SIZE)..=i64::from(talentsim::chart::style::MAX_SIZE)))]
    pub width: u32,
    /// Chart height in pixels.
    #[arg(long, default_value_t = talentsim::chart::style::DEFAULT_HEIGHT,
          value_parser = clap::value_parser!(u32).range(i64::from(talentsim::chart::style::MIN_SIZE)..=i64::from(talentsim::chart::style::MAX_SIZE)))]
    pub height: u32,
}

impl ChartArgs {
    /// Returns the chart configuration.
    pub fn config(&self) -> talentsim::chart::ChartConfig {
        talentsim::chart::ChartConfig {
            width: self.width,
            height: self.height,
            lang: self.lang,
        }
    }
}
