//! A calibrated scenario's runs draw their calibrated parameters jointly from rows of its
//! posterior file: each run's parameter set is one row (correlations kept), and the
//! posterior file must be the one calibration wrote.

use std::fs;
use std::path::Path;

use talentsim::engine::central_path;
use talentsim::{load, simulate, Job};

const SCENARIO: &str = r#"
name = "two"
start_year = 2020
end_year = 2023
levels = ["a", "b"]
high_skill_from = "b"
initial = { a = 1000, b = 500 }
[attrition]
a = { dist = "uniform", min = 0.05, max = 0.15 }
b = 0.05
[upgrade]
a = 0.1
[[inflow]]
name = "school"
per_year = { dist = "normal", mean = 200, sd = 40 }
split = { a = 1.0 }
[monte_carlo]
runs = 400
seed = 11
process_noise = false
"#;

/// Two posterior rows whose values go together: low attrition with few entrants, high
/// attrition with many.
const POSTERIOR: &str = "draw,attrition.a,inflow.school.per_year,log_likelihood\n\
                         0,0.06,150,-1\n\
                         1,0.14,260,-2\n";

fn write(dir: &Path, posterior: &str, extra: &str) -> std::path::PathBuf {
    fs::write(dir.join("posterior.csv"), posterior).unwrap();
    let path = dir.join("two.toml");
    fs::write(
        &path,
        format!("{SCENARIO}\n[calibration]\nposterior = \"posterior.csv\"\n{extra}"),
    )
    .unwrap();
    path
}

/// The expected-value projection of the scenario with its two parameters fixed.
fn projection(attrition: f64, amount: f64) -> Vec<f64> {
    let text = SCENARIO
        .replace(
            "a = { dist = \"uniform\", min = 0.05, max = 0.15 }",
            &format!("a = {attrition}"),
        )
        .replace(
            "{ dist = \"normal\", mean = 200, sd = 40 }",
            &amount.to_string(),
        );
    let s = talentsim::parse("fixed.toml", &text).unwrap();
    central_path(&s).unwrap()
}

#[test]
fn every_run_is_one_posterior_row_and_both_rows_are_drawn() {
    let dir = tempfile::tempdir().unwrap();
    let s = load(&write(dir.path(), POSTERIOR, "")).unwrap();
    let job = Job::from_scenario(&s);
    let sim = simulate(&s, &job, &|_| {}).unwrap();
    let rows = [projection(0.06, 150.0), projection(0.14, 260.0)];
    let n = sim.values.nrows();
    let mut counts = [0usize; 2];
    for r in 0..n {
        let run: Vec<f64> = sim.values.row(r).to_vec();
        let matched = rows.iter().position(|p| {
            p.iter()
                .zip(&run)
                .all(|(a, b)| (a - b).abs() <= 1e-6 * a.abs().max(1.0))
        });
        let Some(k) = matched else {
            panic!("run {r} matches no posterior row: {run:?}");
        };
        counts[k] += 1;
    }
    // Rows are chosen by a hash of (seed, run): about half each (binomial sd 10 of 400).
    assert!(counts[0] > 150 && counts[1] > 150, "{counts:?}");
}

#[test]
fn a_posterior_without_a_drawn_parameter_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let s = load(&write(
        dir.path(),
        "draw,attrition.a,log_likelihood\n0,0.06,-1\n",
        "",
    ))
    .unwrap();
    let err = simulate(&s, &Job::from_scenario(&s), &|_| {}).unwrap_err();
    assert!(err.to_string().contains("inflow.school.per_year"), "{err}");
}

#[test]
fn an_edited_or_missing_posterior_file_is_refused_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let hash = talentsim::audit::sha256_hex(POSTERIOR.as_bytes());
    let path = write(dir.path(), POSTERIOR, &format!("sha256 = \"{hash}\"\n"));
    assert!(load(&path).is_ok());
    fs::write(
        dir.path().join("posterior.csv"),
        POSTERIOR.replace("0.14", "0.13"),
    )
    .unwrap();
    let err = load(&path).unwrap_err().to_string();
    assert!(err.contains("calibration.sha256"), "{err}");
    assert!(err.contains("has changed since calibration"), "{err}");
    fs::remove_file(dir.path().join("posterior.csv")).unwrap();
    let err = load(&path).unwrap_err().to_string();
    assert!(err.contains("calibration.posterior"), "{err}");
    assert!(err.contains("two.toml:"), "{err}");
}

#[test]
fn a_calibrated_central_path_puts_each_calibrated_value_at_its_posterior_median() {
    let dir = tempfile::tempdir().unwrap();
    // Three rows: the medians are 0.12 and 230 (not the prior's central 0.10 and 200),
    // and no row holds both.
    let posterior = "draw,attrition.a,inflow.school.per_year,log_likelihood\n\
                     0,0.06,260,-1\n1,0.12,150,-1\n2,0.14,230,-1\n";
    let s = load(&write(dir.path(), posterior, "")).unwrap();
    let central = central_path(&s).unwrap();
    let expected = projection(0.12, 230.0);
    for (a, b) in central.iter().zip(&expected) {
        assert!(
            (a - b).abs() <= 1e-6 * a.abs().max(1.0),
            "{central:?} vs {expected:?}"
        );
    }
}
