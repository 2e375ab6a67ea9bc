//! The analysis commands (`sensitivity`, `solve`, `sweep`, `compare`): load the scenario,
//! apply `--set`, call [`talentsim::analysis`], write the CSV tables and `analysis.json` into
//! an output folder (default `output/<scenario name>-<command>/`, written atomically like
//! `run`'s), and print a plain summary.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use talentsim::format::decimal_probability as dp;

use super::progress::Progress;
use super::Error;
use crate::cli::analysis::Common;
pub use crate::cli::analysis::{CompareArgs, SensitivityArgs, SolveArgs, SweepArgs};
use talentsim::analysis::sensitivity::{self, Explained, Sensitivity, Settings};
use talentsim::analysis::solve::Solve;
use talentsim::analysis::sweep::{self, Sweep};
use talentsim::analysis::{compare::Comparison, AnalysisError};
use talentsim::chart::analysis as chart;
use talentsim::engine::Job;
use talentsim::output::text::value;
use talentsim::output::{OutputError, Staging};
use talentsim::scenario::{self, Scenario};

/// Largest default number of runs per evaluation for commands that simulate many variants.
const DEFAULT_MAX_RUNS: u64 = 2_000;

impl From<AnalysisError> for Error {
    fn from(e: AnalysisError) -> Error {
        match e {
            AnalysisError::Lever(l) => Error::Lever(l),
            AnalysisError::Engine(x) => Error::Engine(x),
            AnalysisError::Usage(m) => Error::Usage(m),
        }
    }
}

fn load(path: &Path, set: &[String]) -> Result<Scenario, Error> {
    let s = scenario::load(path).map_err(|e| Error::Scenario(vec![e]))?;
    Ok(scenario::apply_all(&s, set)?)
}

fn job(s: &Scenario, c: &Common, cap: bool) -> Job {
    let mut job = Job::from_scenario(s);
    job.runs = c.runs.unwrap_or(if cap {
        job.runs.min(DEFAULT_MAX_RUNS)
    } else {
        job.runs
    });
    job.seed = c.seed.unwrap_or(job.seed);
    job.threads = c.threads.map(usize::from);
    if c.exact {
        job.sampling = talentsim::engine::Sampling::Exact;
    }
    job
}

fn out_dir(c: &Common, name: &str, command: &str) -> PathBuf {
    c.out
        .clone()
        .unwrap_or_else(|| super::folders::default_out(&format!("{name}-{command}"), &c.set))
}

/// Runs the work on the job's thread count (every core by default).
fn on_threads<T: Send>(job: &Job, f: impl FnOnce() -> T + Send) -> Result<T, Error> {
    match job.threads {
        Some(n) => Ok(rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .map_err(|_| Error::Engine(talentsim::engine::EngineError::Threads(n)))?
            .install(f)),
        None => Ok(f()),
    }
}

/// Draws the charts and report of a result, unless `--no-charts`; before anything is
/// written, so that a drawing failure leaves earlier results untouched.
fn figures(
    c: &Common,
    a: chart::Analysis,
) -> Result<Option<(Vec<talentsim::chart::Chart>, String)>, Error> {
    if c.no_charts {
        return Ok(None);
    }
    Ok(Some(chart::draw(a, &c.chart.config())?))
}

/// Writes files (and the figures, if drawn) into a staging folder and moves it into place.
fn commit(
    out: &Path,
    figures: Option<(Vec<talentsim::chart::Chart>, String)>,
    write: impl FnOnce(&Path) -> Result<(), OutputError>,
) -> Result<(), Error> {
    let staging = Staging::new(out)?;
    write(staging.path()).map_err(|e| staging.blame(e))?;
    if let Some((charts, report)) = &figures {
        talentsim::output::write_figures(talentsim::chart::files(charts), report, staging.path())
            .map_err(|e| staging.blame(e))?;
    }
    staging.commit()?;
    Ok(())
}

/// Redraws the charts and report of an analysis folder from its `analysis.json`.
///
/// # Errors
/// [`Error::Input`] when `analysis.json` is unreadable or not from an analysis command;
/// [`Error::Chart`] or [`Error::Output`] when drawing or writing fails.
pub fn plot(dir: &Path, config: &talentsim::chart::ChartConfig, quiet: bool) -> Result<(), Error> {
    let path = dir.join("analysis.json");
    let bad = |message: String| {
        Error::Input(OutputError {
            path: path.clone(),
            message,
        })
    };
    let text = std::fs::read_to_string(&path).map_err(|e| bad(e.to_string()))?;
    let json: serde_json::Value = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
    fn parse<T: serde::de::DeserializeOwned>(json: serde_json::Value) -> Result<T, String> {
        serde_json::from_value(json).map_err(|e| format!("unreadable: {e}"))
    }
    let command = json
        .get("command")
        .and_then(|c| c.as_str())
        .unwrap_or_default()
        .to_string();
    let (charts, report) = match command.as_str() {
        "sensitivity" => {
            let r: Sensitivity = parse(json).map_err(bad)?;
            chart::draw(chart::Analysis::Sensitivity(&r), config)?
        }
        "solve" => {
            let r: Solve = parse(json).map_err(bad)?;
            chart::draw(chart::Analysis::Solve(&r), config)?
        }
        "sweep" => {
            let r: Sweep = parse(json).map_err(bad)?;
            chart::draw(chart::Analysis::Sweep(&r), config)?
        }
        "compare" => {
            let r: Comparison = parse(json).map_err(bad)?;
            chart::draw(chart::Analysis::Compare(&r), config)?
        }
        other => {
            return Err(bad(format!(
                "unknown command {other:?}: expected sensitivity, solve, sweep or compare"
            )))
        }
    };
    talentsim::output::write_figures(talentsim::chart::files(&charts), &report, dir)?;
    if !quiet {
        super::term::outln!(
            "Drew {} charts and {} in {}",
            charts.len(),
            talentsim::output::REPORT_FILE,
            dir.display()
        )?;
    }
    Ok(())
}

/// Runs `talentsim sensitivity`; returns the output folder.
///
/// # Errors
/// [`Error`] for invalid input, a failed simulation or unwritable results.
pub fn sensitivity(args: &SensitivityArgs) -> Result<PathBuf, Error> {
    let s = load(&args.scenario, &args.common.set)?;
    let explained = match (&args.metric, args.year) {
        (Some(m), Some(year)) => {
            let metric = s.metric(m).ok_or_else(|| {
                let names: Vec<String> = s.metrics().iter().map(|x| x.name(&s.levels)).collect();
                Error::Usage(format!(
                    "--metric `{m}` is not a metric of `{}`; expected one of: {}",
                    s.name,
                    names.join(", ")
                ))
            })?;
            if !s.projected_years().contains(&year) {
                return Err(Error::Usage(format!(
                    "--year {year} is not a projected year of `{}` ({}-{})",
                    s.name,
                    s.start_year + 1,
                    s.end_year
                )));
            }
            Explained::Metric { metric, year }
        }
        _ => Explained::Target(
            talentsim::analysis::target_or_first(&s, args.target.as_deref())?.clone(),
        ),
    };
    let job = job(&s, &args.common, true);
    let out = out_dir(&args.common, &s.name, "sensitivity");
    drop(Staging::new(&out)?);
    let settings = Settings {
        samples: args.samples as usize,
        bootstrap: args.bootstrap as usize,
    };
    let display = Progress::start("sensitivity", None, args.common.quiet);
    let result = on_threads(&job, || {
        sensitivity::analyse(&s, &explained, &job, settings)
    })??;
    drop(display);
    let figures = figures(&args.common, chart::Analysis::Sensitivity(&result))?;
    commit(&out, figures, |dir| {
        talentsim::output::analysis::write_sensitivity(&result, dir)
    })?;
    if !args.common.quiet {
        super::term::print(&render_sensitivity(&result))?;
        super::term::outln!("\nResults in {}", out.display())?;
    }
    Ok(out)
}

fn pct(x: Option<f64>) -> String {
    x.map_or_else(|| "-".into(), |v| format!("{:.1}%", 100.0 * v))
}

/// Renders a sensitivity analysis for a terminal.
pub fn render_sensitivity(r: &Sensitivity) -> String {
    let mut s = String::new();
    let what = match &r.target {
        Some(t) => format!("target \"{t}\""),
        None => format!("{} in {}", r.metric, r.year),
    };
    let _ = writeln!(s, "Sensitivity of {what} ({})", r.scenario);
    let fmt_out = |x: Option<f64>| match (x, r.target.is_some()) {
        (Some(v), true) => format!("{v:.3}"),
        (Some(v), false) => value(&r.metric, v),
        (None, _) => "undefined".into(),
    };
    let _ = writeln!(
        s,
        "\nTornado: each uncertain parameter at its p10 and p90, {} ({}); base {}:",
        if r.target.is_some() {
            "the others uncertain"
        } else {
            "the others central"
        },
        if r.target.is_some() {
            format!("probability over {} runs", r.runs)
        } else {
            "central path".into()
        },
        fmt_out(r.base)
    );
    let w = r
        .factors
        .iter()
        .map(|f| f.lever.len())
        .max()
        .unwrap_or(5)
        .max(5);
    for t in r.tornado.iter().take(10) {
        let _ = writeln!(
            s,
            "  {:>2}. {:<w$}  p10 {} -> {}   p90 {} -> {}",
            t.rank,
            t.lever,
            short(t.param_low),
            fmt_out(t.output_low),
            short(t.param_high),
            fmt_out(t.output_high)
        );
    }
    let mut at: Vec<_> = r.sobol.iter().filter(|x| x.target_year).collect();
    at.sort_by(|a, b| {
        b.total_order
            .unwrap_or(0.0)
            .total_cmp(&a.total_order.unwrap_or(0.0))
    });
    if let Some(first) = at.first() {
        let _ = writeln!(
            s,
            "\nSobol indices of {} ({}; N = {}, {} evaluations, 95% bootstrap intervals):",
            first.output, first.year, r.samples, r.evaluations
        );
        let _ = writeln!(
            s,
            "  {:<w$} {:>22} {:>22}",
            "lever", "first-order", "total-order"
        );
        for x in at.iter().take(10) {
            let _ = writeln!(
                s,
                "  {:<w$} {:>22} {:>22}",
                x.lever,
                format!(
                    "{} ({}-{})",
                    pct(x.first_order),
                    pct(x.first_low),
                    pct(x.first_high)
                ),
                format!(
                    "{} ({}-{})",
                    pct(x.total_order),
                    pct(x.total_low),
                    pct(x.total_high)
                )
            );
        }
    }
    // Drivers over time: total-order index by year of the top five levers.
    let top: Vec<&str> = at.iter().take(5).map(|x| x.lever.as_str()).collect();
    let years: Vec<i32> = {
        let mut y: Vec<i32> = r
            .sobol
            .iter()
            .filter(|x| x.output == r.metric)
            .map(|x| x.year)
            .collect();
        y.dedup();
        y
    };
    if !top.is_empty() && !years.is_empty() {
        let _ = writeln!(s, "\nTotal-order index of {} by year:", r.metric);
        let mut line = format!("  {:<w$}", "lever");
        for y in &years {
            let _ = write!(line, " {y:>6}");
        }
        let _ = writeln!(s, "{line}");
        for lever in top {
            let mut line = format!("  {lever:<w$}");
            for y in &years {
                let v = r
                    .sobol
                    .iter()
                    .find(|x| x.output == r.metric && x.year == *y && x.lever == lever)
                    .and_then(|x| x.total_order);
                let _ = write!(line, " {:>6}", pct(v));
            }
            let _ = writeln!(s, "{line}");
        }
    }
    if r.overflowing_points > 0 {
        let _ = writeln!(
            s,
            "\nnote: {} of {} design points drew rates out of a level above 1",
            r.overflowing_points, r.evaluations
        );
    }
    s
}

/// Formats a parameter value: rates with 4 decimals, people as counts.
fn short(x: f64) -> String {
    if x.abs() <= 1.0 {
        format!("{x:.4}")
    } else {
        talentsim::output::text::count(x)
    }
}

/// Runs `talentsim solve`; returns the output folder.
///
/// # Errors
/// [`Error`] for invalid input, a failed simulation or unwritable results.
pub fn solve(args: &SolveArgs) -> Result<PathBuf, Error> {
    let s = load(&args.scenario, &args.common.set)?;
    let t = talentsim::analysis::find_target(&s, &args.target)?.clone();
    let lever = args
        .lever
        .as_deref()
        .map(|l| scenario::find(&s, l))
        .transpose()?;
    let job = job(&s, &args.common, true);
    let out = out_dir(&args.common, &s.name, "solve");
    drop(Staging::new(&out)?);
    let range = lever.as_ref().map(|l| {
        let (lo, hi) = l.default_range(&s, t.year);
        (l, args.min.unwrap_or(lo), args.max.unwrap_or(hi))
    });
    let display = Progress::start("solve", None, args.common.quiet);
    let result = on_threads(&job, || {
        talentsim::analysis::solve::solve(&s, &job, &t, args.probability, range)
    })??;
    drop(display);
    let figures = figures(&args.common, chart::Analysis::Solve(&result))?;
    commit(&out, figures, |dir| {
        talentsim::output::analysis::write_solve(&result, dir)
    })?;
    if !args.common.quiet {
        super::term::print(&render_solve(&result, &t.metric.name(&s.levels)))?;
        super::term::outln!("\nResults in {}", out.display())?;
    }
    Ok(out)
}

/// Renders a solve result for a terminal.
pub fn render_solve(r: &Solve, metric: &str) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "Target \"{}\" ({})", r.target, r.scenario);
    let _ = writeln!(
        s,
        "  as the scenario stands: probability {} (95% CI {}-{}) over {} runs; central path {}",
        dp(r.current.probability),
        dp(r.current.ci_low),
        dp(r.current.ci_high),
        talentsim::format::count(r.runs as f64),
        r.central_value
            .map_or_else(|| "undefined".into(), |v| value(metric, v))
    );
    if let Some(l) = &r.lever {
        let _ = writeln!(
            s,
            "\nLever {} for probability >= {} (searched {} to {}, common random numbers):",
            l.lever,
            l.requested,
            short(l.min),
            short(l.max)
        );
        match l.value {
            Some(v) => {
                let word = if l.direction == "increasing" {
                    "at least"
                } else {
                    "at most"
                };
                let _ = writeln!(
                    s,
                    "  {word} {}  (Monte Carlo range {} to {}: where the estimate is {:.3} +- {:.3})",
                    short(v),
                    l.value_low
                        .map_or_else(|| "beyond the range".into(), short),
                    l.value_high
                        .map_or_else(|| "beyond the range".into(), short),
                    l.requested,
                    l.half_width
                );
                if let Some(p) = l.at_value {
                    let _ = writeln!(
                        s,
                        "  probability there: {} (95% CI {}-{})",
                        dp(p.probability),
                        dp(p.ci_low),
                        dp(p.ci_high)
                    );
                }
            }
            None => {
                let _ = writeln!(
                    s,
                    "  not reachable in the range: probability {:.3} at {} and {:.3} at {}",
                    l.at_min.probability,
                    short(l.min),
                    l.at_max.probability,
                    short(l.max)
                );
            }
        }
        let _ = writeln!(
            s,
            "  the scenario's own value: {}{} (probability {:.3})",
            short(l.current_value),
            if l.current_uncertain {
                " (central value of its distribution or schedule in the target year)"
            } else {
                ""
            },
            l.current_probability.probability
        );
    }
    let _ = writeln!(
        s,
        "\nEarliest year with probability >= {}: {}",
        r.earliest.requested,
        r.earliest
            .year
            .map_or_else(|| "none in the projection".into(), |y| y.to_string())
    );
    for e in &r.earliest.years {
        let _ = writeln!(
            s,
            "  {}: {} (95% CI {}-{})",
            e.year,
            dp(e.probability.probability),
            dp(e.probability.ci_low),
            dp(e.probability.ci_high)
        );
    }
    s
}

/// Runs `talentsim sweep`; returns the output folder.
///
/// # Errors
/// [`Error`] for invalid input, a failed simulation or unwritable results.
pub fn sweep(args: &SweepArgs) -> Result<PathBuf, Error> {
    let s = load(&args.scenario, &args.common.set)?;
    let t = talentsim::analysis::target_or_first(&s, args.target.as_deref())?.clone();
    let x = sweep::parse_axis(&s, "--x", &args.x)?;
    let y = args
        .y
        .as_deref()
        .map(|y| sweep::parse_axis(&s, "--y", y))
        .transpose()?;
    let job = job(&s, &args.common, true);
    let out = out_dir(&args.common, &s.name, "sweep");
    drop(Staging::new(&out)?);
    // The scenario as it stands, then every point of the grid.
    let points = x.values.len() * y.as_ref().map_or(1, |a| a.values.len());
    let total = (points as u64 + 1).saturating_mul(job.runs);
    let display = Progress::start("sweep", Some(total), args.common.quiet);
    let result = on_threads(&job, || sweep::sweep(&s, &job, &t, &x, y.as_ref()))??;
    drop(display);
    let figures = figures(&args.common, chart::Analysis::Sweep(&result))?;
    commit(&out, figures, |dir| {
        talentsim::output::analysis::write_sweep(&result, dir)
    })?;
    if !args.common.quiet {
        super::term::print(&render_sweep(&result))?;
        super::term::outln!("\nResults in {}", out.display())?;
    }
    Ok(out)
}

/// Renders a sweep for a terminal: one line per x value, one column per y value.
pub fn render_sweep(r: &Sweep) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "Probability of \"{}\" ({}; {} runs per point, common random numbers)",
        r.target, r.scenario, r.runs
    );
    let _ = writeln!(
        s,
        "  scenario as it stands: {:.3}; current {} = {}{}",
        r.current.probability,
        r.x_lever,
        short(r.x_current),
        r.y_lever
            .as_ref()
            .zip(r.y_current)
            .map_or_else(String::new, |(l, v)| format!(", {l} = {}", short(v)))
    );
    let ys: Vec<Option<f64>> = {
        let mut v: Vec<Option<f64>> = Vec::new();
        for row in &r.rows {
            if !v.contains(&row.y) {
                v.push(row.y);
            }
        }
        v
    };
    let mut head = format!("  {:>12}", "x \\ y");
    for y in &ys {
        let _ = write!(head, " {:>10}", y.map_or_else(|| "p".into(), short));
    }
    let _ = writeln!(s, "\n{head}");
    let mut xs: Vec<f64> = r.rows.iter().map(|row| row.x).collect();
    xs.dedup();
    xs.truncate(r.rows.len() / ys.len().max(1));
    for x in xs {
        let mut line = format!("  {:>12}", short(x));
        for y in &ys {
            let p = r
                .rows
                .iter()
                .find(|row| row.x == x && row.y == *y)
                .and_then(|row| row.probability);
            let _ = write!(
                line,
                " {:>10}",
                p.map_or_else(|| "invalid".into(), |p| format!("{p:.3}"))
            );
        }
        let _ = writeln!(s, "{line}");
    }
    for level in talentsim::analysis::sweep::CONTOUR_LEVELS {
        let _ = writeln!(s, "\n  {} crosses {level} at:", r.x_lever);
        for y in &ys {
            let xs: Vec<String> = r
                .contours
                .iter()
                .filter(|c| c.level == level && c.y == *y)
                .map(|c| short(c.x))
                .collect();
            let above = r
                .rows
                .iter()
                .filter(|row| row.y == *y)
                .filter_map(|row| row.probability)
                .all(|p| p >= level);
            let at = match (xs.is_empty(), above) {
                (false, _) => xs.join(", "),
                (true, true) => "reached at every point".to_string(),
                (true, false) => "not reached in the grid".to_string(),
            };
            match (y, &r.y_lever) {
                (Some(v), Some(l)) => {
                    let _ = writeln!(s, "    {l} = {}: {at}", short(*v));
                }
                _ => {
                    let _ = writeln!(s, "    {at}");
                }
            }
        }
    }
    s
}

/// Runs `talentsim compare`; returns the output folder.
///
/// # Errors
/// [`Error`] for invalid input, a failed simulation or unwritable results.
pub fn compare(args: &CompareArgs) -> Result<PathBuf, Error> {
    let mut scenarios = Vec::new();
    let mut errors = Vec::new();
    for p in &args.scenarios {
        match scenario::load(p) {
            Ok(s) => scenarios.push(s),
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        return Err(Error::Scenario(errors));
    }
    let scenarios = scenarios
        .iter()
        .map(|s| scenario::apply_all(s, &args.common.set))
        .collect::<Result<Vec<_>, _>>()?;
    let job = job(&scenarios[0], &args.common, false);
    let names: Vec<&str> = scenarios.iter().map(|s| s.name.as_str()).collect();
    let out = args.common.out.clone().unwrap_or_else(|| {
        super::folders::default_out(&format!("compare-{}", names.join("-vs-")), &args.common.set)
    });
    drop(Staging::new(&out)?);
    let total = (scenarios.len() as u64).saturating_mul(job.runs);
    let display = Progress::start("compare", Some(total), args.common.quiet);
    let result = on_threads(&job, || {
        talentsim::analysis::compare::compare(&scenarios, &job)
    })??;
    drop(display);
    let figures = figures(&args.common, chart::Analysis::Compare(&result))?;
    commit(&out, figures, |dir| {
        talentsim::output::analysis::write_compare(&result, dir)
    })?;
    if !args.common.quiet {
        super::term::print(&render_compare(&result))?;
        super::term::outln!("\nResults in {}", out.display())?;
    }
    Ok(out)
}

/// Renders a comparison for a terminal: target probabilities and their paired differences,
/// and the end-year medians of the headline metrics.
pub fn render_compare(r: &Comparison) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "Comparison of {} ({} runs each, seed {}, common random numbers; baseline {})",
        r.scenarios.join(", "),
        r.runs,
        r.seed,
        r.scenarios[0]
    );
    let mut names: Vec<&str> = Vec::new();
    for t in &r.targets {
        if !names.contains(&t.target.as_str()) {
            names.push(&t.target);
        }
    }
    if !names.is_empty() {
        let _ = writeln!(
            s,
            "\nTarget probabilities (difference from the baseline, 95% CI):"
        );
    }
    for name in names {
        let _ = writeln!(s, "  {name}");
        for t in r.targets.iter().filter(|t| t.target == name) {
            let diff = r
                .target_differences
                .iter()
                .find(|d| d.target == name && d.scenario == t.scenario)
                .map_or_else(String::new, |d| {
                    format!(
                        "   {:+.3} ({:+.3} to {:+.3})",
                        d.difference, d.ci_low, d.ci_high
                    )
                });
            let _ = writeln!(
                s,
                "    {:<40} {:.3}{diff}",
                t.scenario, t.probability.probability
            );
        }
    }
    let _ = writeln!(
        s,
        "\nMean paired difference from the baseline in the last common year (95% CI):"
    );
    for metric in [
        "total",
        "high_skill",
        "high_skill_share",
        "high_skill_added",
    ] {
        let last = r
            .differences
            .iter()
            .filter(|d| d.metric == metric)
            .map(|d| d.year)
            .max();
        for d in r
            .differences
            .iter()
            .filter(|d| d.metric == metric && Some(d.year) == last)
        {
            let f = |x: Option<f64>| x.map_or_else(|| "-".into(), |v| signed(metric, v));
            let _ = writeln!(
                s,
                "  {:<18} {} {:<30} {} ({} to {})",
                metric,
                d.year,
                d.scenario,
                f(d.mean),
                f(d.ci_low),
                f(d.ci_high)
            );
        }
    }
    s
}

fn signed(metric: &str, v: f64) -> String {
    if metric == "high_skill_share" {
        format!("{:+.2} pp", 100.0 * v)
    } else {
        let c = talentsim::output::text::count(v);
        if v >= 0.5 {
            format!("+{c}")
        } else {
            c
        }
    }
}
