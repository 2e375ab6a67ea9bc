//! The files of `talentsim calibrate`: serializers of a
//! [`Calibrated`] result. Written into a folder the caller stages ([`super::Staging`]);
//! nothing here calibrates.
//!
//! - `posterior.csv`: `draw`, one column per calibrated parameter (natural units),
//!   `log_likelihood`.
//! - `calibration.csv`: each parameter's prior and posterior mean, sd, p05, p50, p95.
//! - `fit.csv`: each observation with the model value's prior and posterior p05, p50, p95
//!   at its date. `value` is the number the observation states; `bound` is empty for a
//!   value reading and `at_least` or `at_most` when that number is a bound.
//! - `calibration.json`: diagnostics, warnings, the parameter names and the settings, and
//!   the [`CalibrationSummary`] the charts and report are drawn from (each parameter's
//!   prior and posterior, each observation's fit and predictive intervals, each observed
//!   metric's bands by year), which [`read_summary`] reads back for `talentsim plot`.
//! - `<name>-calibrated.toml`: the scenario's own text with a `[calibration]` table naming
//!   `posterior.csv` (relative to the TOML, which sits beside it).

use std::fs;
use std::path::Path;

use serde::Serialize;

use super::OutputError;
use crate::calibrate::{
    Calibrated, CalibrationSummary, Fit, MetricBands, Observed, ParameterSummary,
};
use crate::scenario::Reading;

/// The diagnostics file, also what marks a folder as a calibration talentsim may replace.
pub const CALIBRATION_JSON: &str = "calibration.json";
/// The posterior draws.
pub const POSTERIOR_CSV: &str = "posterior.csv";

/// What the files record besides the result: the scenario and how it was calibrated.
#[derive(Debug, Clone, PartialEq)]
pub struct CalibrationMeta<'a> {
    /// Scenario name (names the calibrated TOML).
    pub scenario: &'a str,
    /// The scenario file's text, as read.
    pub text: &'a str,
    /// `--set LEVER=VALUE` applied before calibrating.
    pub set: &'a [String],
}

/// Returns the names of the files [`write_calibration`] writes for scenario `name`.
pub fn calibration_files(name: &str) -> [String; 5] {
    [
        POSTERIOR_CSV.into(),
        "calibration.csv".into(),
        "fit.csv".into(),
        CALIBRATION_JSON.into(),
        calibrated_toml_name(name),
    ]
}

/// Returns the calibrated scenario's name, `<name>-calibrated`.
pub fn calibrated_name(name: &str) -> String {
    format!("{name}-calibrated")
}

/// Returns the file name of the calibrated scenario, `<name>-calibrated.toml`.
pub fn calibrated_toml_name(name: &str) -> String {
    format!("{name}-calibrated.toml")
}

/// Writes every file of a calibration into `dir`.
///
/// # Errors
/// [`OutputError`] naming the file that could not be written.
pub fn write_calibration(
    c: &Calibrated,
    meta: &CalibrationMeta<'_>,
    dir: &Path,
) -> Result<(), OutputError> {
    write_posterior(c, &dir.join(POSTERIOR_CSV))?;
    write_parameters(c, &dir.join("calibration.csv"))?;
    write_fit(&c.fit, &dir.join("fit.csv"))?;
    write_json(&report(c, meta), &dir.join(CALIBRATION_JSON))?;
    // The calibrated scenario records the posterior's hash: an edited file is refused.
    let posterior = dir.join(POSTERIOR_CSV);
    let bytes = fs::read(&posterior).map_err(|e| OutputError::io(&posterior, &e))?;
    let text = format!(
        "{}sha256 = \"{}\"\n",
        calibrated_toml(c, meta),
        crate::audit::sha256_hex(&bytes)
    );
    let path = dir.join(calibrated_toml_name(meta.scenario));
    fs::write(&path, text).map_err(|e| OutputError::io(&path, &e))
}

fn fail(path: &Path, e: &dyn std::fmt::Display) -> OutputError {
    OutputError {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

fn write_posterior(c: &Calibrated, path: &Path) -> Result<(), OutputError> {
    let mut w = csv::Writer::from_path(path).map_err(|e| fail(path, &e))?;
    let mut header = vec!["draw"];
    header.extend(c.names());
    header.push("log_likelihood");
    w.write_record(&header).map_err(|e| fail(path, &e))?;
    for (i, (row, ll)) in c.draws.iter().zip(&c.log_likelihoods).enumerate() {
        w.serialize((i, row.as_slice(), ll))
            .map_err(|e| fail(path, &e))?;
    }
    w.flush().map_err(|e| fail(path, &e))
}

/// A row of `calibration.csv`.
#[derive(Serialize)]
struct ParameterRow<'a> {
    parameter: &'a str,
    prior_mean: f64,
    prior_sd: f64,
    prior_p05: f64,
    prior_p50: f64,
    prior_p95: f64,
    post_mean: f64,
    post_sd: f64,
    post_p05: f64,
    post_p50: f64,
    post_p95: f64,
}

fn write_parameters(c: &Calibrated, path: &Path) -> Result<(), OutputError> {
    let mut w = csv::Writer::from_path(path).map_err(|e| fail(path, &e))?;
    for p in &c.parameters {
        let (a, b) = (p.prior, p.posterior);
        w.serialize(ParameterRow {
            parameter: &p.name,
            prior_mean: a.mean,
            prior_sd: a.sd,
            prior_p05: a.p05,
            prior_p50: a.p50,
            prior_p95: a.p95,
            post_mean: b.mean,
            post_sd: b.sd,
            post_p05: b.p05,
            post_p50: b.p50,
            post_p95: b.p95,
        })
        .map_err(|e| fail(path, &e))?;
    }
    w.flush().map_err(|e| fail(path, &e))
}

/// A row of `fit.csv`.
#[derive(Serialize)]
struct FitRow<'a> {
    metric: &'a str,
    date: &'a str,
    value: f64,
    bound: Option<&'static str>,
    sd: f64,
    prior_p05: Option<f64>,
    prior_p50: Option<f64>,
    prior_p95: Option<f64>,
    post_p05: Option<f64>,
    post_p50: Option<f64>,
    post_p95: Option<f64>,
    source: Option<&'a str>,
}

fn write_fit(fit: &[Fit], path: &Path) -> Result<(), OutputError> {
    let mut w = csv::Writer::from_path(path).map_err(|e| fail(path, &e))?;
    for f in fit {
        w.serialize(FitRow {
            metric: &f.metric,
            date: &f.date,
            value: f.reading.number(),
            bound: match f.reading {
                Reading::Value(_) => None,
                r => Some(r.keyword()),
            },
            sd: f.sd,
            prior_p05: f.prior.map(|b| b.p05),
            prior_p50: f.prior.map(|b| b.p50),
            prior_p95: f.prior.map(|b| b.p95),
            post_p05: f.posterior.map(|b| b.p05),
            post_p50: f.posterior.map(|b| b.p50),
            post_p95: f.posterior.map(|b| b.p95),
            source: f.source.as_deref(),
        })
        .map_err(|e| fail(path, &e))?;
    }
    w.flush().map_err(|e| fail(path, &e))
}

/// The content of `calibration.json`.
#[derive(Debug, Serialize)]
struct Report<'a> {
    program: &'static str,
    version: &'static str,
    command: &'static str,
    scenario: &'a str,
    levers_set: &'a [String],
    seed: u64,
    draws: usize,
    dimension: usize,
    parameters: Vec<&'a str>,
    method: &'static str,
    initial: usize,
    increment: usize,
    max_iterations: usize,
    converged: bool,
    iterations: usize,
    evaluations: usize,
    effective_sample_size: f64,
    expected_unique: f64,
    target_unique: f64,
    max_weight: f64,
    log_marginal_likelihood: f64,
    warnings: Vec<String>,
    start_year: i32,
    parameter_summaries: &'a [ParameterSummary],
    observations: Vec<Observed>,
    bands: &'a [MetricBands],
}

fn report<'a>(c: &'a Calibrated, meta: &CalibrationMeta<'a>) -> Report<'a> {
    let d = c.diagnostics();
    Report {
        program: "talentsim",
        version: env!("CARGO_PKG_VERSION"),
        command: "calibrate",
        scenario: meta.scenario,
        levers_set: meta.set,
        seed: c.settings.seed,
        draws: c.settings.draws,
        dimension: c.parameters.len(),
        parameters: c.names(),
        method: "IMIS (Raftery & Bao 2010) in normal-score space",
        initial: c.settings.initial,
        increment: c.settings.increment,
        max_iterations: c.settings.max_iterations,
        converged: d.converged,
        iterations: d.iterations,
        evaluations: d.evaluations,
        effective_sample_size: d.effective_sample_size,
        expected_unique: d.expected_unique,
        target_unique: d.target_unique,
        max_weight: d.max_weight,
        log_marginal_likelihood: d.log_marginal_likelihood,
        warnings: c.warnings.iter().map(ToString::to_string).collect(),
        start_year: c.start_year,
        parameter_summaries: &c.parameters,
        observations: CalibrationSummary::new(c, meta.scenario).observations,
        bands: &c.bands,
    }
}

/// Reads the [`CalibrationSummary`] saved in a `calibration.json`.
///
/// # Errors
/// [`OutputError`] naming the file when it cannot be read or lacks the summary (written
/// by a talentsim before the calibration charts: run `calibrate` again).
pub fn read_summary(path: &Path) -> Result<CalibrationSummary, OutputError> {
    let text = fs::read_to_string(path).map_err(|e| OutputError::io(path, &e))?;
    serde_json::from_str(&text).map_err(|e| {
        fail(
            path,
            &format!("not a readable calibration record ({e}); run `talentsim calibrate` again"),
        )
    })
}

fn write_json<T: Serialize>(value: &T, path: &Path) -> Result<(), OutputError> {
    let json = serde_json::to_string_pretty(value).map_err(|e| fail(path, &e))?;
    fs::write(path, json + "\n").map_err(|e| OutputError::io(path, &e))
}

/// Returns the calibrated scenario: the scenario's text (without any earlier
/// `[calibration]` table, and named `<name>-calibrated` so that its results go to their
/// own folder) followed by a commented `[calibration]` table.
pub fn calibrated_toml(c: &Calibrated, meta: &CalibrationMeta<'_>) -> String {
    let mut text = match meta.text.parse::<toml_edit::DocumentMut>() {
        Ok(mut doc) => {
            doc.remove("calibration");
            let name = calibrated_name(meta.scenario);
            match doc.get_mut("name") {
                Some(item) if item.is_value() => {
                    let decor = item.as_value().map(|v| v.decor().clone());
                    *item = toml_edit::value(name);
                    if let (Some(d), Some(v)) = (decor, item.as_value_mut()) {
                        *v.decor_mut() = d;
                    }
                }
                _ => {
                    doc.insert("name", toml_edit::value(name));
                }
            }
            doc.to_string()
        }
        Err(_) => meta.text.to_string(),
    };
    if !text.ends_with('\n') {
        text.push('\n');
    }
    let d = c.diagnostics();
    text.push_str(&format!(
        "\n# Calibrated by talentsim {} `calibrate` (seed {}, {} posterior draws, effective \
         sample size {:.0}):\n# each run draws its calibrated parameters ({}) jointly from a \
         row of posterior.csv,\n# beside this file; the other parameters are drawn as above.\n",
        env!("CARGO_PKG_VERSION"),
        c.settings.seed,
        c.settings.draws,
        d.effective_sample_size,
        c.parameters.len(),
    ));
    if !meta.set.is_empty() {
        text.push_str(&format!(
            "# Calibrated with --set {}: pass the same --set to `talentsim run`.\n",
            meta.set.join(" --set ")
        ));
    }
    text.push_str("[calibration]\nposterior = \"posterior.csv\"\n");
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calibrate::{calibrate, imis::ImisSettings};
    use crate::scenario::{Date, Metric, Observation, Scenario};

    const TEXT: &str = r#"name = "small"
start_year = 2020
end_year = 2025
levels = ["a", "b"]
high_skill_from = "b"
initial = { a = 1000, b = 200 }
attrition = { a = { dist = "beta", mean = 0.1, sd = 0.03 }, b = 0.05 }
upgrade = { a = { dist = "uniform", min = 0.02, max = 0.08 } }
[[inflow]]
name = "school"
per_year = { dist = "normal", mean = 200, sd = 40 }
split = { a = 1.0 }
"#;

    fn scenario() -> Scenario {
        let mut s = crate::parse("small.toml", TEXT).unwrap();
        s.observations = vec![
            Observation {
                metric: Metric::Total,
                date: Date::new(2022, 12, 31).unwrap(),
                reading: Reading::Value(1350.0),
                sd: 20.0,
                source: Some("a test figure, with a comma".into()),
            },
            Observation {
                metric: Metric::Level(1),
                date: Date::new(2024, 6, 30).unwrap(),
                reading: Reading::AtLeast(230.0),
                sd: 5.0,
                source: None,
            },
        ];
        s
    }

    fn write(dir: &Path, seed: u64) {
        let s = scenario();
        let c = calibrate(&s, &ImisSettings::new(100, 200, seed)).unwrap();
        let set = vec!["transition.x=1".to_string()];
        let meta = CalibrationMeta {
            scenario: &s.name,
            text: &format!("{TEXT}[calibration]\nposterior = \"old.csv\"\n"),
            set: &set,
        };
        write_calibration(&c, &meta, dir).unwrap();
    }

    fn listing(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn writes_exactly_the_listed_files_the_same_bytes_for_a_seed() {
        let tmp = tempfile::tempdir().unwrap();
        let (a, b, c) = (
            tmp.path().join("a"),
            tmp.path().join("b"),
            tmp.path().join("c"),
        );
        for d in [&a, &b, &c] {
            fs::create_dir(d).unwrap();
        }
        write(&a, 5);
        write(&b, 5);
        write(&c, 6);
        let mut expected = calibration_files("small").to_vec();
        expected.sort();
        assert_eq!(listing(&a), expected);
        for f in &expected {
            assert_eq!(
                fs::read(a.join(f)).unwrap(),
                fs::read(b.join(f)).unwrap(),
                "{f}"
            );
        }
        assert_ne!(
            fs::read(a.join(POSTERIOR_CSV)).unwrap(),
            fs::read(c.join(POSTERIOR_CSV)).unwrap()
        );
        let read = |f: &str| fs::read_to_string(a.join(f)).unwrap();
        let posterior = read(POSTERIOR_CSV);
        assert!(posterior
            .starts_with("draw,attrition.a,upgrade.a,inflow.school.per_year,log_likelihood\n0,"));
        assert_eq!(posterior.lines().count(), 201);
        let calibration = read("calibration.csv");
        assert!(calibration.starts_with(
            "parameter,prior_mean,prior_sd,prior_p05,prior_p50,prior_p95,post_mean,post_sd,post_p05,post_p50,post_p95\nattrition.a,"
        ));
        let fit = read("fit.csv");
        let lines: Vec<&str> = fit.lines().collect();
        assert_eq!(
            lines[0],
            "metric,date,value,bound,sd,prior_p05,prior_p50,prior_p95,post_p05,post_p50,post_p95,source"
        );
        assert!(
            lines[1].starts_with("total,2022-12-31,1350.0,,20.0,"),
            "{}",
            lines[1]
        );
        assert!(
            lines[1].ends_with(",\"a test figure, with a comma\""),
            "{}",
            lines[1]
        );
        assert!(
            lines[2].starts_with("level.b,2024-06-30,230.0,at_least,5.0,"),
            "{}",
            lines[2]
        );
        let json: serde_json::Value = serde_json::from_str(&read(CALIBRATION_JSON)).unwrap();
        assert_eq!(json["program"], "talentsim");
        assert_eq!(json["dimension"], 3);
        assert_eq!(json["seed"], 5);
        assert_eq!(json["draws"], 200);
        for key in [
            "effective_sample_size",
            "expected_unique",
            "max_weight",
            "iterations",
            "evaluations",
            "log_marginal_likelihood",
            "warnings",
            "version",
            "parameters",
        ] {
            assert!(json.get(key).is_some(), "{key}");
        }
        let toml = read("small-calibrated.toml");
        assert!(toml.starts_with(&TEXT.replacen(
            "name = \"small\"",
            "name = \"small-calibrated\"",
            1
        )));
        let hash = crate::audit::sha256_hex(read("posterior.csv").as_bytes());
        assert!(
            toml.ends_with(&format!(
                "[calibration]\nposterior = \"posterior.csv\"\nsha256 = \"{hash}\"\n"
            )),
            "{toml}"
        );
        assert!(!toml.contains("old.csv"));
        assert!(toml.contains("# Calibrated by talentsim"));
        assert!(toml.contains("--set transition.x=1"));
        let s = scenario();
        let c = calibrate(&s, &ImisSettings::new(100, 200, 5)).unwrap();
        assert_eq!(
            read_summary(&a.join(CALIBRATION_JSON)).unwrap(),
            CalibrationSummary::new(&c, "small").as_saved()
        );
        let doc: toml::Table = toml.parse().unwrap();
        assert_eq!(
            doc["calibration"]["posterior"].as_str(),
            Some("posterior.csv")
        );
    }
}
