//! The commands: load, simulate, summarize, write, print. Owns user-facing messages and
//! exit codes; every number comes from the library modules below it.

pub mod analysis;
pub mod backtest;
pub mod calibrate;
mod folders;
mod progress;
mod shell;
pub mod term;

use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::cli::{ChartArgs, Command, MergeArgs, PlotArgs, RunArgs};
use talentsim::audit::{self, Audit};
use talentsim::chart::{self, ChartError};
use talentsim::engine::{self, EngineError, Job};
use talentsim::output::{self, text, OutputError, Staging};
use talentsim::scenario::{self, LeverError, ScenarioError};
use talentsim::shard::{self, ShardError, ShardMeta, ShardSpec};
use talentsim::stats;

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
    /// A scenario that cannot be calibrated, or a calibration that failed.
    #[error(transparent)]
    Calibrate(#[from] talentsim::calibrate::CalibrateError),
    /// Shard folders that are unreadable or do not make up one job (`merge`).
    #[error(transparent)]
    Shard(#[from] ShardError),
    /// Standard output is closed or full (`talentsim init > /dev/full`).
    #[error("cannot write to standard output: {0}")]
    Stdout(std::io::Error),
}

impl Error {
    /// Returns the process exit code: 2 for invalid input, 1 for failures while running.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Scenario(_)
            | Error::Input(_)
            | Error::Lever(_)
            | Error::Usage(_)
            | Error::Shard(_) => 2,
            Error::Engine(EngineError::Posterior { .. }) => 2,
            Error::Engine(_)
            | Error::Output(_)
            | Error::Chart(_)
            | Error::Replay { .. }
            | Error::ReplayDiffers { .. }
            | Error::Stdout(_) => 1,
            Error::Calibrate(e) => match e {
                talentsim::calibrate::CalibrateError::Problem(_) => 2,
                talentsim::calibrate::CalibrateError::Imis(_) => 1,
            },
        }
    }

    /// Tells whether the error is only that the reader of standard output went away
    /// (`talentsim check *.toml | head -1`): the command then ends quietly, with exit 0.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Stdout(e) if e.kind() == std::io::ErrorKind::BrokenPipe)
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
        Command::Init => term::print(scenario::TEMPLATE),
        Command::Plot(args) => plot(&args),
        Command::Sensitivity(args) => analysis::sensitivity(&args).map(|_| ()),
        Command::Solve(args) => analysis::solve(&args).map(|_| ()),
        Command::Sweep(args) => analysis::sweep(&args).map(|_| ()),
        Command::Compare(args) => analysis::compare(&args).map(|_| ()),
        Command::Calibrate(args) => calibrate::calibrate(&args).map(|_| ()),
        Command::Backtest(args) => backtest::backtest(&args).map(|_| ()),
        Command::Merge(args) => merge(&args),
        Command::Completions { shell } => shell::completions(shell),
        Command::Man { command } => shell::man(command.as_deref()),
        Command::Schema => term::print(scenario::SCHEMA),
    }
}

/// Validates every file with the `--set` levers applied, printing one line per valid file.
///
/// # Errors
/// [`Error::Scenario`] with the problems of every invalid file; [`Error::Lever`] for the
/// first lever a valid file rejects.
pub fn check_with(paths: &[PathBuf], set: &[String]) -> Result<(), Error> {
    let mut errors = Vec::new();
    // A closed or full standard output stops the printing, not the checking: invalid
    // files are still reported (on standard error) and still exit 2.
    let mut printed = Ok(());
    for path in paths {
        let line = match scenario::load(path) {
            Ok(s) if !set.is_empty() => {
                let s = scenario::apply_all(&s, set).map_err(|e| {
                    Error::Lever(LeverError {
                        lever: e.lever,
                        message: format!("{}: {}", path.display(), e.message),
                    })
                })?;
                format!(
                    "ok: {} ({} with {})\n",
                    path.display(),
                    s.name,
                    set.join(", ")
                )
            }
            Ok(s) => format!(
                "ok: {} ({}: {} levels, {}-{}, {} inflows, {} targets)\n",
                path.display(),
                s.name,
                s.levels.len(),
                s.start_year,
                s.end_year,
                s.inflows.len(),
                s.targets.len()
            ),
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        if printed.is_ok() {
            printed = term::write(line.as_bytes());
        }
    }
    if errors.is_empty() {
        printed.map_err(Error::Stdout)
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
    job.sampling = sampling(args.exact);
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| folders::default_out(&scenario.name, &args.set));
    // Fail before the long part if the destination can never be written or the results
    // would not fit on its disk.
    drop(Staging::new(&out)?);
    output::check_space(
        &out,
        output::estimate_bytes(
            scenario.horizon() + 1,
            scenario.metrics().len(),
            scenario.targets.len(),
        ),
    )?;
    let audit = match recorded {
        Some(a) => a.clone(),
        None => audit_record(path, &scenario, &job, args)?,
    };

    if let Some(spec) = args.shard {
        return run_shard(args, path, &scenario, &job, spec, audit, &out);
    }

    let started = Instant::now();
    let display = progress::Progress::start("run", Some(job.runs), args.quiet);
    let sim = engine::simulate(&scenario, &job, &|_| {})?;
    drop(display);
    let mut summary = stats::summarize(&scenario, &sim, job.seed, job.process_noise);
    if job.verify || cfg!(debug_assertions) {
        stats::verify(&summary).map_err(EngineError::Invariant)?;
    }
    summary.audit = Some(audit);
    let elapsed = started.elapsed();
    publish(&summary, &out, &args.chart, args.no_charts, args.quiet)?;
    if !args.quiet {
        term::outln!(
            "\nSimulated in {:.2} s; results in {}",
            elapsed.as_secs_f64(),
            out.display()
        )?;
        if args.verify {
            term::outln!("{}", verified(job.runs, scenario.horizon()))?;
        }
    }
    Ok(out)
}

/// Draws the charts and report (unless `no_charts`), writes every output file of
/// `summary` into `out` at once, and prints the text summary unless `quiet`.
fn publish(
    summary: &stats::Summary,
    out: &Path,
    chart_args: &ChartArgs,
    no_charts: bool,
    quiet: bool,
) -> Result<(), Error> {
    // Charts and the report are drawn before anything is written: a drawing failure
    // leaves the earlier results untouched. `--no-charts` skips both (`plot` draws them
    // later from summary.json).
    let config = chart_args.config();
    let figures = if no_charts {
        None
    } else {
        let charts = chart::render(summary, &config)?;
        let report = chart::report::render(summary, &charts, config.lang);
        warn_missing_glyphs(summary, quiet);
        Some((charts, report))
    };

    let staging = Staging::new(out)?;
    output::write_tables(summary, staging.path()).map_err(|e| {
        let mut e = staging.blame(e);
        e.message.push_str(&format!(
            "; no results were written and {} is unchanged",
            out.display()
        ));
        e
    })?;
    if let Some((charts, report)) = &figures {
        output::write_figures(chart::files(charts), report, staging.path())
            .map_err(|e| staging.blame(e))?;
    }
    staging.commit()?;

    if !quiet {
        term::print(&text::render(summary))?;
    }
    Ok(())
}

/// Says in one line what `--verify` checked.
fn verified(runs: u64, years: usize) -> String {
    format!(
        "Verified {} runs x {years} years: every stock finite and non-negative and every level's \
         flows balanced after each step; every statistic finite, quantiles in order \
         (p05 <= p10 <= ... <= p95), probabilities in [0, 1] inside their intervals",
        text::count(runs as f64)
    )
}

/// Runs one shard of a job and saves its runs for `merge` (`run --shard K/M`).
fn run_shard(
    args: &RunArgs,
    path: &Path,
    scenario: &scenario::Scenario,
    job: &Job,
    spec: ShardSpec,
    audit: Audit,
    out: &Path,
) -> Result<PathBuf, Error> {
    // The shard keeps the scenario's text so that `merge` needs nothing but the folders.
    let text = std::fs::read_to_string(path).map_err(|e| {
        Error::Usage(format!(
            "{}: cannot read the scenario again: {e}",
            path.display()
        ))
    })?;
    let runs = spec.runs(job.runs);
    let started = Instant::now();
    let sim = engine::simulate_runs(scenario, job, runs.clone(), &|_| {})?;
    let meta = ShardMeta {
        format: "talentsim-shard-1".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        scenario: scenario.name.clone(),
        scenario_hash: shard::scenario_hash(&text, &args.set),
        scenario_file: path.display().to_string(),
        scenario_default_name: default_name(path),
        scenario_text: text,
        set: args.set.clone(),
        seed: job.seed,
        runs: job.runs,
        process_noise: job.process_noise,
        exact: args.exact,
        shard: spec.index,
        shards: spec.shards,
        first_run: runs.start,
        end_run: runs.end,
        columns: sim.values.ncols() as u64,
        redrawn_by_level: sim.redrawn_by_level.clone(),
        audit,
        runs_sha256: None, // shard::write records the checksum of the runs it writes
    };
    let staging = Staging::new(out)?;
    shard::write(staging.path(), &meta, &sim.values).map_err(|mut e| {
        // Name the folder the user asked for, not the staging folder beside it.
        if let Ok(rest) = e.path.strip_prefix(staging.path()) {
            e.path = out.join(rest);
        }
        e
    })?;
    staging.commit()?;
    if !args.quiet {
        term::outln!(
            "Shard {}/{}: runs {}..{} of {} in {:.2} s; saved in {} (combine with `talentsim merge`)",
            spec.index,
            spec.shards,
            runs.start,
            runs.end,
            job.runs,
            started.elapsed().as_secs_f64(),
            out.display()
        )?;
    }
    Ok(out.to_path_buf())
}

/// Returns the sampling `--exact` asks for.
fn sampling(exact: bool) -> engine::Sampling {
    if exact {
        engine::Sampling::Exact
    } else {
        engine::Sampling::Fast
    }
}

/// Returns the name a scenario file gets when it has no `name` (its stem).
fn default_name(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Combines shard folders into the outputs of the whole job (`talentsim merge`): the
/// same bytes as one `run` of all the runs.
///
/// # Errors
/// [`Error::Shard`] when a folder is not a shard or the shards do not make up one job
/// (naming the folder), and the errors of `run` otherwise.
pub fn merge(args: &MergeArgs) -> Result<(), Error> {
    let metas = args
        .shards
        .iter()
        .map(|dir| shard::read_meta(dir).map(|m| (dir.clone(), m)))
        .collect::<Result<Vec<_>, _>>()?;
    let shards = shard::plan(metas)?;
    let (first_dir, first) = shards[0].clone();
    let scenario = scenario::parse_bytes(
        &first.scenario_file,
        first.scenario_text.as_bytes(),
        &first.scenario_default_name,
    )
    .map_err(|e| Error::Scenario(vec![e]))?;
    let scenario = scenario::apply_all(&scenario, &first.set)?;
    let years = scenario.horizon() + 1;
    let columns = years * scenario.metrics().len();
    if first.columns != columns as u64 {
        return Err(Error::Shard(ShardError {
            path: first_dir,
            message: format!(
                "holds {} values per run but its scenario has {columns}",
                first.columns
            ),
        }));
    }
    // Staging fails early if the destination can never be written.
    drop(Staging::new(&args.out)?);
    engine::check_memory(first.runs, columns)?;

    let mut values = Vec::new();
    let mut redrawn = vec![0u64; scenario.levels.len()];
    for (dir, meta) in &shards {
        shard::read_values(dir, meta, &mut values)?;
        if meta.redrawn_by_level.len() != redrawn.len() {
            return Err(Error::Shard(ShardError {
                path: dir.clone(),
                message: "redraw counts do not match the scenario's levels".into(),
            }));
        }
        redrawn
            .iter_mut()
            .zip(&meta.redrawn_by_level)
            .for_each(|(a, b)| *a += b);
    }
    engine::check_redraws(&scenario, &redrawn, first.runs)?;
    let runs = usize::try_from(first.runs).unwrap_or(usize::MAX);
    let sim = engine::Simulation {
        metrics: scenario.metrics(),
        years: (scenario.start_year..=scenario.end_year).collect(),
        central: engine::central_path(&scenario)?,
        central_ages: engine::central_ages(&scenario),
        values: engine::column_major(
            ndarray::Array2::from_shape_vec((runs, columns), values)
                .expect("shard sizes were checked"),
        ),
        redrawn_by_level: redrawn,
    };
    let mut summary = stats::summarize(&scenario, &sim, first.seed, first.process_noise);
    stats::verify(&summary).map_err(EngineError::Invariant)?;
    // The record of the whole job, as `run` would have written it, but for the command
    // line, which is this merge's.
    summary.audit = Some(Audit {
        command_line: command_line(),
        charts: !args.no_charts,
        lang: args.chart.lang,
        width: Some(args.chart.width),
        height: Some(args.chart.height),
        ..first.audit.clone()
    });
    publish(&summary, &args.out, &args.chart, args.no_charts, args.quiet)?;
    if !args.quiet {
        term::outln!(
            "\nMerged {} shards ({} runs); results in {}",
            shards.len(),
            first.runs,
            args.out.display()
        )?;
    }
    Ok(())
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
    let calibration = dir.join(talentsim::output::calibration::CALIBRATION_JSON);
    if !path.is_file() && calibration.is_file() {
        return calibrate::plot(dir, &args.chart.config(), args.quiet);
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
    output::write_figures(chart::files(&charts), &report, dir)?;
    if !args.quiet {
        term::outln!(
            "Drew {} charts and {} in {}",
            charts.len(),
            output::REPORT_FILE,
            dir.display()
        )?;
    }
    Ok(())
}

/// Warns when the scenario's own text has characters the chart font cannot draw.
fn warn_missing_glyphs(summary: &stats::Summary, quiet: bool) {
    let missing = chart::missing_in_summary(summary);
    if !quiet && !missing.is_empty() {
        let list: String = missing.iter().collect();
        term::warn(&format!(
            "warning: the chart font has no glyph for {list:?}; these characters are blank in PNG charts (SVG and report.html use the reader's fonts)"
        ));
    }
}

/// Builds the audit record of a run of the scenario at `path`.
fn audit_record(
    path: &Path,
    scenario: &scenario::Scenario,
    job: &Job,
    args: &RunArgs,
) -> Result<Audit, Error> {
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
        command_line: command_line(),
        set: args.set.clone(),
        lang: args.chart.lang,
        width: Some(args.chart.width),
        height: Some(args.chart.height),
        exact: args.exact,
        posterior_sha256: scenario
            .calibration
            .as_ref()
            .map(|c| c.table.sha256.clone()),
    })
}

/// Returns this process's command line, program name first.
fn command_line() -> Vec<String> {
    std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect()
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
        term::warn(&format!(
            "note: recorded by talentsim {}, replaying with {}",
            recorded.version,
            env!("CARGO_PKG_VERSION")
        ));
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
        shard: None,
        exact: audit.exact,
        set: audit.set.clone(),
        chart: crate::cli::ChartArgs {
            lang: audit.lang,
            width: audit
                .width
                .unwrap_or(talentsim::chart::style::DEFAULT_WIDTH),
            height: audit
                .height
                .unwrap_or(talentsim::chart::style::DEFAULT_HEIGHT),
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
        term::outln!(
            "replay of {}: identical ({} runs, seed {}, scenario SHA-256 {})",
            folder.display(),
            audit.runs,
            audit.seed,
            audit.scenario_sha256
        )?;
    }
    Ok(())
}
