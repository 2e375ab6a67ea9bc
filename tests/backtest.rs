//! `talentsim backtest`: the library on synthetic regions whose truth is drawn from the
//! prior (calibrated forecasts beat the prior; the prior's PIT is uniform), and the real
//! binary (files, headers, determinism, exit codes).

mod common;

use std::fs;
use std::path::Path;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
use talentsim::calibrate::backtest::{
    backtest, predictive_sample, BacktestSettings, Method, Scores,
};
use talentsim::scenario::{Date, Metric, Observation, Reading, Scenario};
use talentsim::{engine, Job};

use common::{stderr, talentsim};

/// Three uncertain parameters, expected flows: the truth is a draw from this prior.
const SYNTHETIC: &str = r#"
name = "synthetic"
start_year = 2020
end_year = 2027
levels = ["a", "b"]
high_skill_from = "b"
initial = { a = 1000, b = 200 }
attrition = { a = { dist = "uniform", min = 0.04, max = 0.16 }, b = 0.05 }
upgrade = { a = { dist = "uniform", min = 0.02, max = 0.10 } }
[monte_carlo]
runs = 300
process_noise = false
[[inflow]]
name = "school"
per_year = { dist = "uniform", min = 100, max = 300 }
split = { a = 1.0 }
"#;

/// Observation years: Dec 31 of 2021-2027.
const YEARS: std::ops::RangeInclusive<i32> = 2021..=2027;
/// Relative observation error.
const REL_SD: f64 = 0.01;

/// Returns the synthetic scenario with observations of `total` and `level.b` on every
/// Dec 31 of [`YEARS`], generated from a truth drawn from the prior.
fn synthetic_region(rng: &mut ChaCha8Rng) -> Scenario {
    let prior = talentsim::parse("synthetic.toml", SYNTHETIC).unwrap();
    let sets = [
        format!("attrition.a={}", rng.random_range(0.04..0.16)),
        format!("upgrade.a={}", rng.random_range(0.02..0.10)),
        format!("inflow.school.per_year={}", rng.random_range(100.0..300.0)),
    ];
    let truth = talentsim::scenario::apply_all(&prior, &sets).unwrap();
    let path = engine::central_path(&truth).unwrap();
    let metrics = Metric::all(2);
    let mut s = prior;
    for year in YEARS {
        let t = (year - s.start_year) as usize;
        for metric in [Metric::Total, Metric::Level(1)] {
            let m = metrics.iter().position(|x| *x == metric).unwrap();
            let x = path[t * metrics.len() + m];
            let sd = REL_SD * x;
            let noise: f64 = rng.sample(StandardNormal);
            s.observations.push(Observation {
                metric,
                date: Date::new(year, 12, 31).unwrap(),
                reading: Reading::Value(x + sd * noise),
                sd,
                source: None,
            });
        }
    }
    s
}

/// The MODEL's promise: on regions drawn from the prior, calibrated forecasts have lower
/// mean CRPS than the uncalibrated prior.
#[test]
fn calibrated_forecasts_beat_the_prior_on_synthetic_regions() {
    let regions = 20;
    let mut rng = ChaCha8Rng::seed_from_u64(2026);
    let (mut calibrated, mut prior) = (Vec::new(), Vec::new());
    for r in 0..regions {
        let s = synthetic_region(&mut rng);
        let settings = BacktestSettings {
            origins: vec![Date::new(2023, 12, 31).unwrap()],
            runs: Some(300),
            draws: 300,
            seed: r,
            increment: Some(200),
        };
        let b = backtest(&s, &settings, &|_| {}).unwrap();
        let crps = |m: Method| b.summary.iter().find(|x| x.method == m).unwrap().mean_crps;
        calibrated.push(crps(Method::Calibrated).unwrap());
        prior.push(crps(Method::Prior).unwrap());
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let wins = calibrated.iter().zip(&prior).filter(|(c, p)| c < p).count();
    eprintln!(
        "mean CRPS over {regions} regions: calibrated {:.3}, prior {:.3}; calibrated better in {wins}",
        mean(&calibrated),
        mean(&prior)
    );
    assert!(mean(&calibrated) < mean(&prior));
    assert!(wins * 4 >= regions as usize * 3, "{wins} of {regions}");
}

/// The larger version, for a release build
/// (`cargo test --release --test backtest -- --ignored --nocapture`): 40 regions, every
/// default origin, IMIS's default increment, 1,000 runs; prints every method's scores.
#[test]
#[ignore]
fn calibrated_forecasts_beat_the_prior_on_many_synthetic_regions() {
    let regions = 40;
    let mut rng = ChaCha8Rng::seed_from_u64(15);
    let mut totals = [(0usize, 0.0, 0usize, 0usize); 4];
    let mut wins = 0;
    for r in 0..regions {
        let s = synthetic_region(&mut rng);
        let settings = BacktestSettings {
            origins: Vec::new(),
            runs: Some(1000),
            draws: 1000,
            seed: r,
            increment: None,
        };
        let b = backtest(&s, &settings, &|_| {}).unwrap();
        for row in &b.rows {
            let k = Method::ALL.iter().position(|m| *m == row.method).unwrap();
            totals[k].0 += 1;
            totals[k].1 += row.scores.crps;
            totals[k].2 += usize::from(row.scores.in_50);
            totals[k].3 += usize::from(row.scores.in_90);
        }
        let crps = |m: Method| b.summary.iter().find(|x| x.method == m).unwrap().mean_crps;
        wins += usize::from(crps(Method::Calibrated) < crps(Method::Prior));
    }
    for (k, m) in Method::ALL.iter().enumerate() {
        let (n, crps, c50, c90) = totals[k];
        eprintln!(
            "{m}: n {n}, mean CRPS {:.3}, coverage {:.3} / {:.3}",
            crps / n as f64,
            c50 as f64 / n as f64,
            c90 as f64 / n as f64
        );
    }
    eprintln!("calibrated better than prior in {wins} of {regions} regions");
    assert!(totals[0].1 / (totals[0].0 as f64) < totals[1].1 / (totals[1].0 as f64));
}

/// With the truth drawn from the prior, the prior's predictive is the observations' own
/// distribution: its PIT values are uniform and its intervals cover as stated.
#[test]
fn prior_pit_is_uniform_when_the_truth_is_drawn_from_the_prior() {
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    let base = talentsim::parse("synthetic.toml", SYNTHETIC).unwrap();
    let mut job = Job::from_scenario(&base);
    job.runs = 2000;
    let sim = talentsim::simulate(&base, &job, &|_| {}).unwrap();
    let mut pits = Vec::new();
    let (mut in_50, mut in_90) = (0usize, 0usize);
    for _ in 0..1000 {
        // One observation per region, so that the PIT values are independent.
        let s = synthetic_region(&mut rng);
        let j = rng.random_range(0..s.observations.len());
        let o = &s.observations[j];
        let Reading::Value(y) = o.reading else {
            unreachable!()
        };
        let sc = Scores::of_sample(&predictive_sample(&sim, o, j, 1), y).unwrap();
        pits.push(sc.pit);
        in_50 += usize::from(sc.in_50);
        in_90 += usize::from(sc.in_90);
    }
    let n = pits.len();
    let mut bins = [0usize; 10];
    for p in &pits {
        bins[((p * 10.0) as usize).min(9)] += 1;
    }
    let expected = n as f64 / 10.0;
    let chi2: f64 = bins
        .iter()
        .map(|&b| (b as f64 - expected).powi(2) / expected)
        .sum();
    let (c50, c90) = (in_50 as f64 / n as f64, in_90 as f64 / n as f64);
    eprintln!("{n} PITs, bins {bins:?}, chi2 {chi2:.1}, coverage {c50:.3} / {c90:.3}");
    // Chi-square with 9 degrees of freedom: 27.9 is its 99.9% quantile.
    assert!(chi2 < 27.9, "{bins:?}");
    assert!((c50 - 0.5).abs() < 0.06, "{c50}");
    assert!((c90 - 0.9).abs() < 0.04, "{c90}");
}

const SMALL: &str = r#"
name = "small"
start_year = 2020
end_year = 2026
levels = ["a", "b"]
high_skill_from = "b"
initial = { a = 1000, b = 200 }
attrition = { a = { dist = "beta", mean = 0.1, sd = 0.03 }, b = 0.05 }
upgrade = { a = { dist = "uniform", min = 0.02, max = 0.08 } }
[monte_carlo]
runs = 300
[[inflow]]
name = "school"
per_year = { dist = "normal", mean = 200, sd = 40 }
split = { a = 1.0 }

[[observation]]
metric = "total"
date = 2021-12-31
value = 1300
sd = 20

[[observation]]
metric = "total"
date = 2022-12-31
value = 1350
sd = 20

[[observation]]
metric = "level.b"
date = 2023-06-30
at_least = 230
sd = 5

[[observation]]
metric = "total"
date = 2024-12-31
value = 1480
sd = 20
"#;

fn write_scenario(dir: &Path, text: &str) -> std::path::PathBuf {
    let path = dir.join("small.toml");
    fs::write(&path, text).unwrap();
    path
}

fn run_backtest(scenario: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "backtest",
        scenario.to_str().unwrap(),
        "--draws",
        "200",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    talentsim(&args)
}

#[test]
fn backtest_writes_its_tables_with_the_same_bytes_for_a_seed() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = write_scenario(tmp.path(), SMALL);
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    let o = run_backtest(&scenario, &a, &["--seed", "5"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.starts_with("Backtest of small: 3 origin(s) (2021-12-31, 2022-12-31, 2023-06-30)"),
        "{text}"
    );
    assert!(
        text.contains("is a bound: used in calibration, not scored"),
        "{text}"
    );
    let csv = fs::read_to_string(a.join("backtest.csv")).unwrap();
    assert!(csv.starts_with(
        "origin,method,metric,date,value,p05,p25,p50,p75,p95,pit,in_50,in_90,crps,abs_pct_error\n"
    ));
    // Origins 2021 and 2022 score total 2022 (once) and 2024; 2023-06-30 scores 2024.
    // calibrated, prior, last: 4 rows each; trend needs two earlier values: 2 rows.
    assert_eq!(csv.lines().count(), 1 + 4 + 4 + 2 + 4);
    assert!(!csv.contains("level.b"), "bounds are not scored");
    let summary = fs::read_to_string(a.join("backtest_summary.csv")).unwrap();
    let lines: Vec<&str> = summary.lines().collect();
    assert_eq!(
        lines[0],
        "method,n,coverage_50,coverage_90,mean_crps,mean_abs_pct_error"
    );
    assert!(lines[1].starts_with("calibrated,4,"));
    assert!(lines[3].starts_with("trend,2,"));
    let json: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(a.join("backtest.json")).unwrap()).unwrap();
    assert_eq!(json["origins"].as_array().unwrap().len(), 3);
    assert_eq!(json["settings"]["seed"], 5);
    assert!(json["origins"][0]["diagnostics"]["effective_sample_size"].is_number());

    let o = run_backtest(&scenario, &b, &["--seed", "5", "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(o.stdout.is_empty());
    for f in ["backtest.csv", "backtest_summary.csv", "backtest.json"] {
        assert_eq!(
            fs::read(a.join(f)).unwrap(),
            fs::read(b.join(f)).unwrap(),
            "{f}"
        );
    }
    // A backtest folder may be replaced by the next backtest.
    let o = run_backtest(
        &scenario,
        &b,
        &["--seed", "6", "--quiet", "--origin", "2022"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn an_origin_before_every_observation_calibrates_on_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = write_scenario(tmp.path(), SMALL);
    let out = tmp.path().join("out");
    let o = run_backtest(&scenario, &out, &["--origin", "2020-12-31", "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("`calibrated` equals `prior`"),
        "{}",
        stderr(&o)
    );
    let csv = fs::read_to_string(out.join("backtest.csv")).unwrap();
    let cells = |method: &str| -> Vec<String> {
        csv.lines()
            .filter(|l| l.split(',').nth(1) == Some(method))
            .map(|l| {
                l.split_once(',')
                    .unwrap()
                    .1
                    .split_once(',')
                    .unwrap()
                    .1
                    .to_string()
            })
            .collect()
    };
    assert_eq!(cells("calibrated"), cells("prior"));
    // No earlier observation: the naive methods are skipped.
    assert!(!csv.contains(",last,") && !csv.contains(",trend,"));
}

#[test]
fn unusable_origins_and_scenarios_are_exit_2_and_write_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = write_scenario(tmp.path(), SMALL);
    let out = tmp.path().join("out");
    for (args, message) in [
        (&["--origin", "2024-12-31"][..], "no later observation"),
        (
            &["--origin", "2030"][..],
            "outside the scenario's years 2020-2026",
        ),
        (&["--origin", "2023-02-30"][..], "expected YYYY-MM-DD"),
        (&["--origin", "soon"][..], "expected YYYY-MM-DD"),
    ] {
        let o = run_backtest(&scenario, &out, args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(message), "{args:?}: {}", stderr(&o));
        assert!(!out.exists());
    }
    let one_date = SMALL
        .split("[[observation]]")
        .take(2)
        .collect::<Vec<_>>()
        .join("[[observation]]");
    let scenario = write_scenario(tmp.path(), &one_date);
    let o = run_backtest(&scenario, &out, &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("1 distinct date(s)"), "{}", stderr(&o));
    assert!(!out.exists());
}
