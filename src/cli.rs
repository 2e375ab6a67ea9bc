//! Command-line interface (MODEL.md section 7): clap types that turn arguments into the
//! plain configurations of [`crate::app`]. No work is done here.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

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
    },
    /// Print a commented scenario template: `talentsim init > my-region.toml`.
    Init,
}

/// Arguments of `talentsim run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Scenario file (TOML).
    #[arg(required_unless_present = "replay")]
    pub scenario: Option<PathBuf>,
    /// Number of Monte Carlo runs (overrides [monte_carlo] runs).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=crate::scenario::MAX_RUNS))]
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
    /// Do not draw charts.
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
    #[arg(long, value_name = "SUMMARY_JSON", conflicts_with_all = ["scenario", "runs", "seed", "out", "no_charts"])]
    pub replay: Option<PathBuf>,
}
