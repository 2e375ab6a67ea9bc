//! `talentsim calibrate`: load the scenario, apply `--set`, calibrate it against its
//! observations ([`talentsim::calibrate`]), write the files into
//! `output/<name>-calibrate/` (or `--out`) atomically with its charts and `report.html`
//! (unless `--no-charts`), print warnings to stderr and a plain summary: which parameters
//! the evidence moved most, and how each observation is fitted. [`plot`] redraws the
//! charts and report of a calibration folder from its `calibration.json`.

use std::path::{Path, PathBuf};

use super::Error;
pub use crate::cli::calibrate::CalibrateArgs;
use talentsim::calibrate::{self, Calibrated, CalibrationSummary, ParameterSummary, Problem};
use talentsim::chart::{self, ChartConfig};
use talentsim::format::{count, percent};
use talentsim::output::calibration::{
    read_summary, write_calibration, CalibrationMeta, CALIBRATION_JSON,
};
use talentsim::output::text::value;
use talentsim::output::{OutputError, Staging};
use talentsim::scenario::{self, Reading};

/// Parameters listed in the summary, the most moved first.
const SHOWN_PARAMETERS: usize = 6;

/// Runs `talentsim calibrate`; returns the output folder.
///
/// # Errors
/// [`Error`] for an invalid scenario or one without observations (nothing is written), a
/// failed calibration or unwritable results.
pub fn calibrate(args: &CalibrateArgs) -> Result<PathBuf, Error> {
    let s = scenario::load(&args.scenario).map_err(|e| Error::Scenario(vec![e]))?;
    let mut s = scenario::apply_all(&s, &args.set)?;
    if let Some(csv) = &args.observations {
        let more = scenario::read_observations(csv, &s).map_err(|e| Error::Scenario(vec![e]))?;
        s.observations.extend(more);
    }
    let problem = Problem::new(&s).map_err(calibrate::CalibrateError::from)?;
    let text = std::fs::read_to_string(&args.scenario).map_err(|e| {
        Error::Input(OutputError {
            path: args.scenario.clone(),
            message: e.to_string(),
        })
    })?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("output").join(format!("{}-calibrate", s.name)));
    // Fail before the long part if the destination can never be written.
    drop(Staging::new(&out)?);
    let seed = args.seed.unwrap_or(s.monte_carlo.seed);
    let draws = usize::try_from(args.draws).unwrap_or(usize::MAX);
    let settings = calibrate::settings_for(problem.dim(), draws, seed);
    let result = calibrate::calibrate(&s, &settings)?;
    for w in &result.warnings {
        eprintln!("warning: {w}");
    }
    // Drawn before anything is written: a drawing failure leaves earlier results as they were.
    let figures = if args.no_charts {
        None
    } else {
        let summary = CalibrationSummary::new(&result, &s.name).as_saved();
        Some(chart::calibration::draw(&summary, &args.chart.config())?)
    };
    let staging = Staging::new(&out)?;
    let meta = CalibrationMeta {
        scenario: &s.name,
        text: &text,
        set: &args.set,
    };
    write_calibration(&result, &meta, staging.path())?;
    if let Some((charts, report)) = &figures {
        talentsim::output::write_figures(chart::files(charts), report, staging.path())?;
    }
    staging.commit()?;
    if !args.quiet {
        super::term::print(&summary(&s.name, &result, &out))?;
    }
    Ok(out)
}

/// Redraws the charts and report of a calibration folder from its `calibration.json`.
///
/// # Errors
/// [`Error::Input`] when `calibration.json` is unreadable or lacks the charts' summary;
/// [`Error::Chart`] or [`Error::Output`] when drawing or writing fails.
pub fn plot(dir: &Path, config: &ChartConfig, quiet: bool) -> Result<(), Error> {
    let summary = read_summary(&dir.join(CALIBRATION_JSON)).map_err(Error::Input)?;
    let (charts, report) = chart::calibration::draw(&summary, config)?;
    talentsim::output::write_figures(chart::files(&charts), &report, dir)?;
    if !quiet {
        println!(
            "Drew {} charts and {} in {}",
            charts.len(),
            talentsim::output::REPORT_FILE,
            dir.display()
        );
    }
    Ok(())
}

fn interval(is_rate: bool, p50: f64, p05: f64, p95: f64) -> String {
    let q = |x: f64| if is_rate { percent(x, 2) } else { count(x) };
    format!("{} ({} to {})", q(p50), q(p05), q(p95))
}

/// Returns the plain-language summary printed after a calibration.
fn summary(name: &str, c: &Calibrated, out: &Path) -> String {
    let mut s = format!(
        "Calibrated {name}: {} parameters against {} observations.\n",
        c.parameters.len(),
        c.fit.len()
    );
    let mut order: Vec<&ParameterSummary> = c.parameters.iter().collect();
    order.sort_by(|a, b| b.movement().total_cmp(&a.movement()));
    s.push_str(
        "Parameters the evidence moved most (median and 90% interval, prior -> posterior):\n",
    );
    for p in order.iter().take(SHOWN_PARAMETERS) {
        let (a, b) = (p.prior, p.posterior);
        s.push_str(&format!(
            "  {}: {} -> {}\n",
            p.name,
            interval(p.is_rate, a.p50, a.p05, a.p95),
            interval(p.is_rate, b.p50, b.p05, b.p95)
        ));
    }
    if c.parameters.len() > SHOWN_PARAMETERS {
        s.push_str(&format!(
            "  ... {} more in calibration.csv\n",
            c.parameters.len() - SHOWN_PARAMETERS
        ));
    }
    s.push_str("Fit (model median and 90% band, prior -> posterior):\n");
    for f in &c.fit {
        let v = |x: f64| value(&f.metric, x);
        let band = |b: Option<talentsim::calibrate::Band>| {
            b.map_or("undefined".into(), |b| {
                format!("{} ({} to {})", v(b.p50), v(b.p05), v(b.p95))
            })
        };
        let stated = match f.reading {
            Reading::Value(x) => format!("{} ± {}", v(x), v(f.sd)),
            Reading::AtLeast(x) => format!("at least {} (sd {})", v(x), v(f.sd)),
            Reading::AtMost(x) => format!("at most {} (sd {})", v(x), v(f.sd)),
        };
        s.push_str(&format!(
            "  {} on {}: observed {stated}; {} -> {}\n",
            f.metric,
            f.date,
            band(f.prior),
            band(f.posterior)
        ));
    }
    let d = c.diagnostics();
    s.push_str(&format!(
        "IMIS: {}, iterations: {}, {} evaluations, effective sample size {:.0}, expected unique \
         draws {:.0} of {:.0} needed, largest weight {:.3}, log marginal likelihood {:.2}; warnings: {}\n",
        if d.converged { "converged" } else { "NOT converged" },
        d.iterations,
        d.evaluations,
        d.effective_sample_size,
        d.expected_unique,
        d.target_unique,
        d.max_weight,
        d.log_marginal_likelihood,
        c.warnings.len()
    ));
    s.push_str(&format!("Results in {}\n", out.display()));
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use talentsim::calibrate::imis::ImisSettings;
    use talentsim::scenario::{Date, Metric, Observation};

    #[test]
    fn summary_names_the_parameters_moved_most_and_each_observation() {
        let mut s = talentsim::parse(
            "small.toml",
            r#"
            start_year = 2020
            end_year = 2024
            levels = ["a", "b"]
            high_skill_from = "b"
            initial = { a = 1000, b = 200 }
            attrition = { a = { dist = "beta", mean = 0.1, sd = 0.03 }, b = 0.05 }
            upgrade = { a = { dist = "uniform", min = 0.02, max = 0.08 } }
            "#,
        )
        .unwrap();
        s.observations = vec![
            Observation {
                metric: Metric::Level(1),
                date: Date::new(2022, 12, 31).unwrap(),
                reading: Reading::Value(300.0),
                sd: 5.0,
                source: None,
            },
            Observation {
                metric: Metric::HighSkillShare,
                date: Date::new(2024, 6, 30).unwrap(),
                reading: Reading::AtMost(0.4),
                sd: 0.01,
                source: None,
            },
        ];
        let c = calibrate::calibrate(&s, &ImisSettings::new(100, 200, 1)).unwrap();
        let text = summary("small", &c, Path::new("out/small-calibrate"));
        assert!(text.starts_with("Calibrated small: 2 parameters against 2 observations.\n"));
        // The level-b figure pins the upgrade rate: it moves most, and is listed first.
        let first = text.lines().nth(2).unwrap();
        assert!(first.starts_with("  upgrade.a: "), "{text}");
        assert!(
            text.contains("  level.b on 2022-12-31: observed 300 ± 5; "),
            "{text}"
        );
        assert!(text.contains("high_skill_share on 2024-06-30: observed at most 40.0% (sd 1.0%)"));
        assert!(text.contains("IMIS: converged"), "{text}");
        assert!(text.ends_with("Results in out/small-calibrate\n"));
    }
}
