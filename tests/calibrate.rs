//! `talentsim calibrate` through the real binary: the files it writes, determinism, the
//! calibrated scenario, and its exit codes.

mod common;

use std::fs;
use std::path::Path;

use common::{png_size, stderr, talentsim};

const NO_OBSERVATIONS: &str = r#"
name = "small"
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

const OBSERVATIONS: &str = r#"
[[observation]]
metric = "total"
date = 2022-12-31
value = 1350
sd = 20
source = "a test figure"

[[observation]]
metric = "level.b"
date = 2024-06-30
at_least = 230
sd = 5
"#;

fn write_scenario(dir: &Path, text: &str) -> std::path::PathBuf {
    let path = dir.join("small.toml");
    fs::write(&path, text).unwrap();
    path
}

fn calibrate(scenario: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "calibrate",
        scenario.to_str().unwrap(),
        "--draws",
        "200",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    talentsim(&args)
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
fn no_observations_is_exit_2_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = write_scenario(tmp.path(), NO_OBSERVATIONS);
    let out = tmp.path().join("out");
    let o = calibrate(&scenario, &out, &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("no observations"), "{}", stderr(&o));
    assert!(!out.exists());
    assert_eq!(listing(tmp.path()), ["small.toml"]);
}

#[test]
fn calibrate_writes_exactly_its_files_and_the_same_bytes_for_a_seed() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = write_scenario(tmp.path(), &format!("{NO_OBSERVATIONS}{OBSERVATIONS}"));
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    let o = calibrate(&scenario, &a, &["--seed", "7"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        listing(&a),
        [
            "calibration.csv",
            "calibration.json",
            "calibration_fit_level_b.png",
            "calibration_fit_level_b.svg",
            "calibration_fit_total.png",
            "calibration_fit_total.svg",
            "calibration_parameters.png",
            "calibration_parameters.svg",
            "fit.csv",
            "posterior.csv",
            "report.html",
            "small-calibrated.toml"
        ]
    );
    let o = calibrate(&scenario, &b, &["--seed", "7", "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(o.stdout.is_empty());
    for f in listing(&a) {
        assert_eq!(
            fs::read(a.join(&f)).unwrap(),
            fs::read(b.join(&f)).unwrap(),
            "{f}"
        );
    }
    let posterior = fs::read_to_string(a.join("posterior.csv")).unwrap();
    assert!(
        posterior.starts_with("draw,attrition.a,upgrade.a,inflow.school.per_year,log_likelihood\n")
    );
    assert_eq!(posterior.lines().count(), 201);
    let toml = a.join("small-calibrated.toml");
    let o = talentsim(&["check", toml.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn unwritable_out_is_exit_1() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = write_scenario(tmp.path(), &format!("{NO_OBSERVATIONS}{OBSERVATIONS}"));
    // A folder inside a regular file cannot be created.
    let file = tmp.path().join("file");
    fs::write(&file, "x").unwrap();
    let o = calibrate(&scenario, &file.join("out"), &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
}

#[test]
fn observations_from_a_csv_file_count_like_the_scenarios_own() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = write_scenario(tmp.path(), NO_OBSERVATIONS);
    let csv = tmp.path().join("obs.csv");
    fs::write(
        &csv,
        "metric,date,value,at_least,sd,source\n\
         total,2022-12-31,1350,,20,a test figure\n\
         level.b,2024-06-30,,230,5,\n",
    )
    .unwrap();
    let from_csv = tmp.path().join("csv");
    let o = calibrate(
        &scenario,
        &from_csv,
        &[
            "--seed",
            "7",
            "--quiet",
            "--observations",
            csv.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    // The same observations written in the scenario give the same posterior.
    let both = write_scenario(tmp.path(), &format!("{NO_OBSERVATIONS}{OBSERVATIONS}"));
    let from_toml = tmp.path().join("toml");
    let o = calibrate(&both, &from_toml, &["--seed", "7", "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    for f in ["posterior.csv", "calibration.csv", "fit.csv"] {
        assert_eq!(
            fs::read(from_csv.join(f)).unwrap(),
            fs::read(from_toml.join(f)).unwrap(),
            "{f}"
        );
    }
    // A bad row is a located error, and nothing is written.
    fs::write(&csv, "metric,date,value,sd\ntotal,2022-12-31,5%,20\n").unwrap();
    let bad = tmp.path().join("bad");
    let o = calibrate(&scenario, &bad, &["--observations", csv.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("obs.csv:2:"), "{}", stderr(&o));
    assert!(!bad.exists());
}

/// The scenario with a source that needs escaping in HTML.
fn marked_up() -> String {
    format!("{NO_OBSERVATIONS}{OBSERVATIONS}").replace(
        "source = \"a test figure\"",
        "source = \"register <b>A & B</b> \\\"2022\\\"\"",
    )
}

#[test]
fn charts_and_report_are_drawn_in_both_languages_and_no_charts_skips_them() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = write_scenario(tmp.path(), &marked_up());
    for (lang, moved) in [("en", "The evidence moved most"), ("zh", "证据改变最大")] {
        let out = tmp.path().join(lang);
        let o = calibrate(
            &scenario,
            &out,
            &[
                "--lang", lang, "--width", "800", "--height", "500", "--quiet",
            ],
        );
        assert!(o.status.success(), "{}", stderr(&o));
        for name in [
            "calibration_fit_total",
            "calibration_fit_level_b",
            "calibration_parameters",
        ] {
            assert_eq!(
                png_size(&out.join(format!("{name}.png"))),
                (800, 500),
                "{name}"
            );
            let svg = fs::read_to_string(out.join(format!("{name}.svg"))).unwrap();
            assert!(svg.starts_with("<svg"), "{name}");
        }
        // The value figure is a dot with an error bar; the bound an arrow head.
        let total = fs::read_to_string(out.join("calibration_fit_total.svg")).unwrap();
        assert!(
            total.matches("<circle").count() >= 2,
            "dot in the plot and the legend"
        );
        let bound = fs::read_to_string(out.join("calibration_fit_level_b.svg")).unwrap();
        assert!(bound.contains("<polygon"), "arrow head");
        assert!(!bound.contains("<circle"), "a bound has no dot");

        let report = fs::read_to_string(out.join("report.html")).unwrap();
        assert!(report.contains(moved), "{lang}");
        let parameters: &[&str] = if lang == "en" {
            &["Attrition, a", "Upgrade rate, a", "School (people a year)"]
        } else {
            &["流失率：a", "晋级率：a", "School（每年人数）"]
        };
        for p in parameters {
            assert!(report.contains(p), "{lang}: {p}");
        }
        for date in ["2022-12-31", "2024-06-30"] {
            assert!(report.contains(date), "{lang}: {date}");
        }
        assert!(report.contains("register &lt;b&gt;A &amp; B&lt;/b&gt; &quot;2022&quot;"));
        assert!(!report.contains("<b>"));
        assert_eq!(report.matches("<svg").count(), 3);
    }
    let out = tmp.path().join("none");
    let o = calibrate(&scenario, &out, &["--no-charts", "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(listing(&out).len(), 5);
}

#[test]
fn plot_redraws_a_calibration_folder_to_the_same_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = write_scenario(tmp.path(), &marked_up());
    let out = tmp.path().join("out");
    let size = ["--lang", "zh", "--width", "640", "--height", "480"];
    let mut args = size.to_vec();
    args.push("--quiet");
    let o = calibrate(&scenario, &out, &args);
    assert!(o.status.success(), "{}", stderr(&o));
    let drawn: Vec<(String, Vec<u8>)> = listing(&out)
        .into_iter()
        .filter(|f| f.ends_with(".png") || f.ends_with(".svg") || f == "report.html")
        .map(|f| {
            let bytes = fs::read(out.join(&f)).unwrap();
            fs::remove_file(out.join(&f)).unwrap();
            (f, bytes)
        })
        .collect();
    assert_eq!(drawn.len(), 7);
    let mut plot = vec!["plot", out.to_str().unwrap()];
    plot.extend_from_slice(&size);
    let o = talentsim(&plot);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("Drew 3 charts"));
    for (f, bytes) in drawn {
        assert_eq!(fs::read(out.join(&f)).unwrap(), bytes, "{f}");
    }
}
