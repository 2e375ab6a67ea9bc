//! `talentsim backtest`: load the scenario, check the origins, calibrate and project from
//! each ([`talentsim::calibrate::backtest`]), write the files into
//! `output/<name>-backtest/` (or `--out`) atomically, print warnings to stderr and a
//! summary table per method.

use std::path::{Path, PathBuf};

use super::Error;
pub use crate::cli::backtest::BacktestArgs;
use talentsim::calibrate::backtest::{self, Backtest, BacktestError, BacktestSettings};
use talentsim::output::backtest::write_backtest;
use talentsim::output::Staging;
use talentsim::scenario;

fn error(e: BacktestError) -> Error {
    match e {
        BacktestError::Calibrate(e) => Error::Calibrate(e),
        BacktestError::Engine(e) => Error::Engine(e),
        e => Error::Usage(e.to_string()),
    }
}

/// Runs `talentsim backtest`; returns the output folder.
///
/// # Errors
/// [`Error`] for an invalid scenario, unusable origins (nothing is written), a failed
/// calibration or projection, or unwritable results.
pub fn backtest(args: &BacktestArgs) -> Result<PathBuf, Error> {
    let s = scenario::load(&args.scenario).map_err(|e| Error::Scenario(vec![e]))?;
    backtest::origins(&s, &args.origins).map_err(error)?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("output").join(format!("{}-backtest", s.name)));
    // Fail before the long part if the destination can never be written.
    drop(Staging::new(&out)?);
    let settings = BacktestSettings {
        origins: args.origins.clone(),
        runs: args.runs,
        draws: usize::try_from(args.draws).unwrap_or(usize::MAX),
        seed: args.seed.unwrap_or(s.monte_carlo.seed),
        increment: None,
    };
    let quiet = args.quiet;
    let result = backtest::backtest(&s, &settings, &|origin| {
        if !quiet {
            eprintln!("calibrating on the observations up to {origin} ...");
        }
    })
    .map_err(error)?;
    for o in &result.origins {
        for w in &o.warnings {
            eprintln!("warning: origin {}: {w}", o.origin);
        }
    }
    let staging = Staging::new(&out)?;
    write_backtest(&result, &s.name, &s.levels, staging.path())?;
    staging.commit()?;
    if !quiet {
        print!("{}", summary(&s.name, &result, &out));
    }
    Ok(out)
}

/// Returns the terminal summary: one line per method, then the notes.
fn summary(name: &str, b: &Backtest, out: &Path) -> String {
    let origins: Vec<String> = b.origins.iter().map(|o| o.origin.to_string()).collect();
    let mut s = format!(
        "Backtest of {name}: {} origin(s) ({}), {} runs per projection.\n",
        origins.len(),
        origins.join(", "),
        b.runs
    );
    s.push_str(&format!(
        "  {:<11} {:>5} {:>11} {:>11} {:>14} {:>10}\n",
        "method", "n", "coverage_50", "coverage_90", "mean_crps", "mean_ape_%"
    ));
    let f = |x: Option<f64>, digits: usize| x.map_or("-".into(), |x| format!("{x:.digits$}"));
    for m in &b.summary {
        s.push_str(&format!(
            "  {:<11} {:>5} {:>11} {:>11} {:>14} {:>10}\n",
            m.method.name(),
            m.n,
            f(m.coverage_50, 2),
            f(m.coverage_90, 2),
            f(m.mean_crps, 4),
            f(m.mean_abs_pct_error, 2)
        ));
    }
    for n in &b.notes {
        s.push_str(&format!("note: {n}\n"));
    }
    s.push_str("Nominal coverage is 0.50 and 0.90; lower CRPS is better.\n");
    s.push_str(&format!("Results in {}\n", out.display()));
    s
}
