//! The commands: load, simulate, summarize, write, print. Owns user-facing messages and
//! exit codes; every number comes from the library modules below it.

pub mod analysis;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::audit::{self, Audit};
use crate::chart::{self, ChartError};
use crate::cli::{Command, PlotArgs, RunArgs};
use crate::engine::{self, EngineError, Job};
use crate::output::{self, text, OutputError, Staging};
use crate::scenario::{self, LeverError, ScenarioError};
use crate::stats;

/// The commented template printed by `talentsim init`.
pub const TEMPLATE: &str = include_str!("template.toml");

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// One or more scenario files are invalid.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Scenario(Vec<ScenarioError>),
    /// The simulation could not run.
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// Results could not be written.
    #[error(transparent)]
    Output(#[from] OutputError),
    /// Charts could not be drawn.
    #[error(transparent)]
    Chart(#[from] ChartError),
    /// Saved results to redraw are missing or unreadable (`plot`).
    #[error("{0}")]
    Input(OutputError),
    /// A `--set` or `--lever` names an unknown lever or a value the rules reject.
    #[error(transparent)]
    Lever(#[from] scenario::LeverError),
    /// Arguments that do not fit the scenario (an unknown target or metric, ...).
    #[error("{0}")]
    Usage(String),
    /// A replay could not run as recorded.
    #[error("cannot replay {path}: {message}")]
    Replay {
        /// The summary.json being replayed.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// A replay ran but its results differ from the recorded ones.
    #[error("replay of {} differs from the recorded results:\n  {}", .folder.display(), .differences.join("\n  "))]
    ReplayDiffers {
        /// The recorded output folder.
        folder: PathBuf,
        /// One line per differing file.
        differences: Vec<String>,
    },
}

impl Error {
    /// Returns the process exit code: 2 for invalid input, 1 for failures while running.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Scenario(_) | Error::Input(_) | Error::Lever(_) | Error::Usage(_) => 2,
            Error::Engine(_)
            | Error::Output(_)
            | Error::Chart(_)
            | Error::Replay { .. }
            | Error::ReplayDiffers { .. } => 1,
        }
    }
}

/// Executes a parsed command.
///
/// # Errors
/// [`Error`] with everything the user needs to fix the problem.
pub fn execute(command: Command) -> Result<(), Error> {
    match command {
        Command::Run(args) => {
            // Ctrl-C or SIGTERM mid-run removes the staging folder; earlier results stay.
            // Installing fails only when a handler exists already (library callers).
            let _ = output::remove_on_interrupt();
            match &args.replay {
                Some(summary) => replay(summary, &args),
                None => run(&args).map(|_| ()),
            }
        }
        Command::Check { scenarios, set } => check_with(&scenarios, &set),
        Command::Init => {
            print!("{TEMPLATE}");
            Ok(())
        }
        Command::Plot(args) => plot(&args),
        Command::Sensitivity(args) => analysis::sensitivity(&args).map(|_| ()),
        Command::Solve(args) => analysis::solve(&args).map(|_| ()),
        Command::Sweep(args) => analysis::sweep(&args).map(|_| ()),
        Command::Compare(args) => analysis::compare(&args).map(|_| ()),
    }
}

/// Validates every file, printing one line per valid file.
///
/// # Errors
/// [`Error::Scenario`] with the problems of every invalid file.
pub fn check(paths: &[PathBuf]) -> Result<(), Error> {
    check_with(paths, &[])
}

/// Validates every file with the `--set` levers applied, printing one line per valid file.
///
/// # Errors
/// [`Error::Scenario`] with the problems of every invalid file; [`Error::Lever`] for the
/// first lever a valid file rejects.
pub fn check_with(paths: &[PathBuf], set: &[String]) -> Result<(), Error> {
    let mut errors = Vec::new();
    for path in paths {
        match scenario::load(path) {
            Ok(s) if !set.is_empty() => {
                let s = scenario::apply_all(&s, set).map_err(|e| {
                    Error::Lever(LeverError {
                        lever: e.lever,
                        message: format!("{}: {}", path.display(), e.message),
                    })
                })?;
                println!(
                    "ok: {} ({} with {})",
                    path.display(),
                    s.name,
                    set.join(", ")
                );
            }
            Ok(s) => println!(
                "ok: {} ({}: {} levels, {}-{}, {} inflows, {} targets)",
                path.display(),
                s.name,
                s.levels.len(),
                s.start_year,
                s.end_year,
                s.inflows.len(),
                s.targets.len()
            ),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::Scenario(errors))
    }
}

/// Runs a scenario and writes its results; returns the output folder.
///
/// # Errors
/// [`Error`] for an invalid scenario, a failed simulation or unwritable results; nothing
/// is written then, and earlier results stay as they were.
pub fn run(args: &RunArgs) -> Result<PathBuf, Error> {
    run_as(args, None)
}

/// Runs a scenario; `recorded` is the audit record of the results being replayed, which
/// the new `summary.json` carries unchanged so that identical results are identical bytes.
fn run_as(args: &RunArgs, recorded: Option<&Audit>) -> Result<PathBuf, Error> {
    let Some(path) = args.scenario.as_deref() else {
        return Err(Error::Scenario(vec![scenario::ScenarioError {
            file: String::new(),
            diagnostics: vec![scenario::Diagnostic {
                line: 0,
                column: 0,
                key: String::new(),
                message: "no scenario file given".into(),
            }],
        }]));
    };
    let scenario = scenario::load(path).map_err(|e| Error::Scenario(vec![e]))?;
    let scenario = scenario::apply_all(&scenario, &args.set)?;
    let mut job = Job::from_scenario(&scenario);
    job.runs = args.runs.unwrap_or(job.runs);
    job.seed = args.seed.unwrap_or(job.seed);
    job.threads = args.threads.map(usize::from);
    job.verify = args.verify;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("output").join(&scenario.name));
    // Fail before the long part if the destination can never be written or the results
    // would not fit on its disk.
    drop(Staging::new(&out)?);
    output::check_space(
        &out,
        output::estimate_bytes(
            scenario.horizon() + 1,
            scenario.levels.len() + 5,
            scenario.targets.len(),
        ),
    )?;
    let audit = match recorded {
        Some(a) => a.clone(),
        None => audit_record(path, &job, args)?,
    };

    let started = Instant::now();
    let bar = progress_bar(&job, scenario.horizon(), args.quiet);
    let sim = engine::simulate(&scenario, &job, &|n| {
        if let Some(b) = &bar {
            b.inc(n);
        }
    })?;
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let mut summary = stats::summarize(&scenario, &sim, job.seed, job.process_noise);
    if job.verify || cfg!(debug_assertions) {
        stats::verify(&summary).map_err(EngineError::Invariant)?;
    }
    summary.audit = Some(audit);
    let elapsed = started.elapsed();

    // Charts and the report are drawn before anything is written: a drawing failure
    // leaves the earlier results untouched. `--no-charts` skips both (`plot` draws them
    // later from summary.json).
    let config = args.chart.config();
    let figures = if args.no_charts {
        None
    } else {
        let charts = chart::render(&summary, &config)?;
        let report = chart::report::render(&summary, &charts, config.lang);
        warn_missing_glyphs(&summary, args.quiet);
        Some((charts, report))
    };

    let staging = Staging::new(&out)?;
    output::write_tables(&summary, staging.path()).map_err(|mut e| {
        e.message.push_str(&format!(
            "; no results were written and {} is unchanged",
            out.display()
        ));
        e
    })?;
    if let Some((charts, report)) = &figures {
        output::write_figures(charts, report, staging.path())?;
    }
    staging.commit()?;

    if !args.quiet {
        print!("{}", text::render(&summary));
        println!(
            "\nSimulated in {:.2} s; results in {}",
            elapsed.as_secs_f64(),
            out.display()
        );
    }
    Ok(out)
}

/// Redraws the charts and report of a saved output folder from its `summary.json`.
///
/// # Errors
/// [`Error::Input`] when the folder or its summary is missing or unreadable,
/// [`Error::Chart`] or [`Error::Output`] when drawing or writing fails; files already in
/// the folder are then left as they were or replaced whole, never half-written.
pub fn plot(args: &PlotArgs) -> Result<(), Error> {
    let dir = &args.dir;
    if !dir.is_dir() {
        return Err(Error::Input(OutputError {
            path: dir.clone(),
            message: "no such output folder".into(),
        }));
    }
    let path = dir.join("summary.json");
    if !path.is_file() && dir.join("analysis.json").is_file() {
        return analysis::plot(dir, &args.chart.config(), args.quiet);
    }
    if !path.is_file() {
        return Err(Error::Input(OutputError {
            path,
            message: "not found: this is not a talentsim output folder (run `talentsim run` first)"
                .into(),
        }));
    }
    let summary = output::read_summary(&path).map_err(Error::Input)?;
    let horizon = i64::from(summary.end_year) - i64::from(summary.start_year);
    if !(1..=scenario::MAX_HORIZON).contains(&horizon) || summary.levels.is_empty() {
        return Err(Error::Input(OutputError {
            path,
            message: "inconsistent summary: years or levels out of range".into(),
        }));
    }
    let config = args.chart.config();
    let charts = chart::render(&summary, &config)?;
    let report = chart::report::render(&summary, &charts, config.lang);
    warn_missing_glyphs(&summary, args.quiet);
    output::write_figures(&charts, &report, dir)?;
    if !args.quiet {
        println!(
            "Drew {} charts and {} in {}",
            charts.len(),
            output::REPORT_FILE,
            dir.display()
        );
    }
    Ok(())
}

/// Warns when the scenario's own text has characters the chart font cannot draw.
fn warn_missing_glyphs(summary: &stats::Summary, quiet: bool) {
    let missing = chart::missing_in_summary(summary);
    if !quiet && !missing.is_empty() {
        let list: String = missing.iter().collect();
        eprintln!(
            "warning: the chart font has no glyph for {list:?}; these characters are blank in PNG charts (SVG and report.html use the reader's fonts)"
        );
    }
}

/// Returns a progress bar on a terminal for jobs long enough to need one.
fn progress_bar(job: &Job, horizon: usize, quiet: bool) -> Option<indicatif::ProgressBar> {
    let long = job.runs.saturating_mul(horizon as u64) >= 2_000_000;
    if quiet || !long || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(job.runs);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} runs, {eta} left")
    {
        bar.set_style(style);
    }
    Some(bar)
}

/// Builds the audit record of a run of the scenario at `path`.
fn audit_record(path: &Path, job: &Job, args: &RunArgs) -> Result<Audit, Error> {
    let bytes = std::fs::read(path).map_err(|e| OutputError {
        path: path.to_path_buf(),
        message: format!("cannot read the scenario again to hash it: {e}"),
    })?;
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    Ok(Audit {
        scenario_file: path.display().to_string(),
        scenario_path: absolute.display().to_string(),
        scenario_sha256: audit::sha256_hex(&bytes),
        runs: job.runs,
        seed: job.seed,
        charts: !args.no_charts,
        command_line: std::env::args_os()
            .map(|a| a.to_string_lossy().into_owned())
            .collect(),
        set: args.set.clone(),
        lang: args.chart.lang.to_string(),
        width: args.chart.width,
        height: args.chart.height,
    })
}

/// Runs again as recorded in `summary_path` into a folder beside the recorded results,
/// compares every file byte for byte, reports, and removes the replay's folder.
///
/// # Errors
/// [`Error::Replay`] when the record is unusable or the scenario file changed (its
/// SHA-256 differs); [`Error::ReplayDiffers`] listing the files that differ.
pub fn replay(summary_path: &Path, args: &RunArgs) -> Result<(), Error> {
    let fail = |message: String| Error::Replay {
        path: summary_path.to_path_buf(),
        message,
    };
    let recorded = output::read_summary(summary_path)?;
    let Some(audit) = recorded.audit.clone() else {
        return Err(fail(
            "it has no audit record (written by a talentsim before 0.1.0's audit trail)".into(),
        ));
    };
    let folder = summary_path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf();
    let scenario_path = [&audit.scenario_path, &audit.scenario_file]
        .into_iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
        .ok_or_else(|| {
            fail(format!(
                "the scenario file {} no longer exists",
                audit.scenario_path
            ))
        })?;
    let bytes = std::fs::read(&scenario_path)
        .map_err(|e| fail(format!("cannot read {}: {e}", scenario_path.display())))?;
    let hash = audit::sha256_hex(&bytes);
    if hash != audit.scenario_sha256 {
        return Err(fail(format!(
            "the scenario file {} has changed since the run (SHA-256 {} recorded, {hash} now); \
             restore the recorded file to reproduce these results",
            scenario_path.display(),
            audit.scenario_sha256
        )));
    }
    if recorded.version != env!("CARGO_PKG_VERSION") && !args.quiet {
        eprintln!(
            "note: recorded by talentsim {}, replaying with {}",
            recorded.version,
            env!("CARGO_PKG_VERSION")
        );
    }
    let name = folder
        .file_name()
        .map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
    let out = folder.with_file_name(format!(".{name}.replay-{}", std::process::id()));
    let rerun = RunArgs {
        scenario: Some(scenario_path),
        runs: Some(audit.runs),
        seed: Some(audit.seed),
        out: Some(out.clone()),
        threads: args.threads,
        no_charts: !audit.charts,
        quiet: true,
        verify: args.verify,
        replay: None,
        set: audit.set.clone(),
        chart: crate::cli::ChartArgs {
            lang: audit.lang.parse().map_err(fail)?,
            width: audit.width,
            height: audit.height,
        },
    };
    let result = run_as(&rerun, Some(&audit))
        .and_then(|_| audit::compare_folders(&folder, &out).map_err(|e| fail(e.to_string())));
    let _ = std::fs::remove_dir_all(&out);
    let differences = result?;
    if !differences.is_empty() {
        return Err(Error::ReplayDiffers {
            folder,
            differences,
        });
    }
    if !args.quiet {
        println!(
            "replay of {}: identical ({} runs, seed {}, scenario SHA-256 {})",
            folder.display(),
            audit.runs,
            audit.seed,
            audit.scenario_sha256
        );
    }
    Ok(())
}
