//! Charts and report.html of the analysis commands from the real binary (issue #6): every
//! chart file is produced at the requested size with its title, the report is
//! self-contained and holds every chart, `--no-charts` writes none, `--lang zh` labels in
//! Chinese, and `plot` redraws an analysis folder byte for byte.

use std::fs;
use std::path::{Path, PathBuf};

mod common;
use common::{png_size, svg_text, talentsim};

const WINDOW: &str = "High-skill share at least 40% from 2026 through 2030";

fn scenario(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

/// Runs an analysis command into `out` with small settings; returns `out`.
fn analyse(args: &[&str], out: &Path, extra: &[&str]) -> PathBuf {
    let mut all: Vec<&str> = args.to_vec();
    all.extend_from_slice(&["--out", out.to_str().unwrap(), "-q"]);
    all.extend_from_slice(extra);
    let o = talentsim(&all);
    assert!(
        o.status.success(),
        "{all:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    out.to_path_buf()
}

/// A command's arguments and the charts it must draw, each with a piece of its title.
type Case = (Vec<String>, Vec<(&'static str, &'static str)>);

/// The four commands with small settings, and the charts each must draw with a piece of
/// each chart's title.
fn commands() -> Vec<Case> {
    let base = scenario("zhangjiagang-baseline.toml");
    let stress = scenario("zhangjiagang-stress.toml");
    let v = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    vec![
        (
            v(&[
                "sensitivity",
                &base,
                "--samples",
                "32",
                "--bootstrap",
                "20",
                "--runs",
                "50",
            ]),
            vec![
                ("tornado", "Which assumptions move the result most"),
                ("sobol", "Share of the uncertainty each assumption explains"),
                ("sobol_over_time", "Which assumptions matter, year by year"),
            ],
        ),
        (
            v(&[
                "solve",
                &base,
                "--target",
                WINDOW,
                "--lever",
                "upgrade.intermediate",
                "--runs",
                "100",
            ]),
            vec![
                ("solve", "Probability that the target holds by lever value"),
                (
                    "earliest_year",
                    "Probability that the target holds, by first year",
                ),
            ],
        ),
        (
            v(&[
                "sweep",
                &base,
                "--target",
                WINDOW,
                "--x",
                "upgrade.intermediate=0.02:0.08:4",
                "--y",
                "inflow[5].per_year=6000:18000:3",
                "--runs",
                "50",
            ]),
            vec![("sweep", "over a grid of two levers")],
        ),
        (
            v(&[
                "sweep",
                &base,
                "--x",
                "upgrade.intermediate=0.02:0.08:4",
                "--runs",
                "50",
            ]),
            vec![("sweep", "Probability that the target holds by lever value")],
        ),
        (
            v(&["compare", &base, &stress, "--runs", "100"]),
            vec![
                (
                    "compare_fan_high_skill_share",
                    "High-skill share: scenarios compared",
                ),
                ("compare_fan_total", "Skilled workforce: scenarios compared"),
            ],
        ),
    ]
}

/// Checks that a report is one self-contained page holding `charts` inline.
fn check_report(dir: &Path, charts: usize) -> String {
    let html = fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.trim_end().ends_with("</html>"));
    for banned in [
        "<script", "src=", "href=", "url(", "@import", "<link", "<img",
    ] {
        assert!(!html.contains(banned), "report.html holds {banned}");
    }
    assert_eq!(html.matches("<svg").count(), charts, "inline charts");
    assert!(html.contains("<section id=\"summary\">"));
    html
}

#[test]
fn every_analysis_command_draws_its_charts_at_the_requested_size_and_a_report() {
    let dir = tempfile::tempdir().unwrap();
    for (i, (args, charts)) in commands().into_iter().enumerate() {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = analyse(
            &args,
            &dir.path().join(format!("out{i}")),
            &["--width", "800", "--height", "500"],
        );
        for (name, title) in &charts {
            assert_eq!(
                png_size(&out.join(format!("{name}.png"))),
                (800, 500),
                "{name}"
            );
            let svg = svg_text(&out.join(format!("{name}.svg")), 800, 500);
            assert!(svg.contains(title), "{name}.svg lacks its title {title:?}");
        }
        let pngs = fs::read_dir(&out)
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .path()
                    .extension()
                    .is_some_and(|x| x == "png")
            })
            .count();
        assert_eq!(pngs, charts.len(), "{args:?}: no other charts");
        let html = check_report(&out, charts.len());
        assert!(html.contains("<html lang=\"en\">"));
    }
}

#[test]
fn the_sensitivity_report_names_the_main_drivers_in_plain_words() {
    let dir = tempfile::tempdir().unwrap();
    let (args, _) = commands().remove(0);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = analyse(&args, &dir.path().join("s"), &[]);
    let html = check_report(&out, 3);
    assert!(
        html.contains("The 3 assumptions that drive the high-skill share in 2026 most are"),
        "summary sentence"
    );
    let tornado = fs::read_to_string(out.join("tornado.svg")).unwrap();
    assert!(
        tornado.contains("Upgrade rate, intermediate"),
        "levers in words"
    );
    assert!(!tornado.contains("inflow.\""), "no raw quoted lever names");
}

#[test]
fn no_charts_writes_no_charts_or_report_and_plot_draws_them_later_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let (args, charts) = commands().remove(1);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let drawn = analyse(&args, &dir.path().join("drawn"), &[]);
    let bare = analyse(&args, &dir.path().join("bare"), &["--no-charts"]);
    for entry in fs::read_dir(&bare).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            !name.ends_with(".png") && !name.ends_with(".svg") && name != "report.html",
            "--no-charts wrote {name}"
        );
    }
    assert!(bare.join("analysis.json").is_file());
    let o = talentsim(&["plot", bare.to_str().unwrap(), "-q"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for (name, _) in &charts {
        for ext in ["png", "svg"] {
            let file = format!("{name}.{ext}");
            assert_eq!(
                fs::read(bare.join(&file)).unwrap(),
                fs::read(drawn.join(&file)).unwrap(),
                "{file}"
            );
        }
    }
    assert_eq!(
        fs::read(bare.join("report.html")).unwrap(),
        fs::read(drawn.join("report.html")).unwrap()
    );
}

#[test]
fn lang_zh_labels_analysis_charts_and_report_in_chinese() {
    let dir = tempfile::tempdir().unwrap();
    let (args, _) = commands().remove(2);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = analyse(&args, &dir.path().join("zh"), &["--lang", "zh"]);
    let svg = fs::read_to_string(out.join("sweep.svg")).unwrap();
    assert!(
        svg.contains("两个政策变量网格上目标达成的概率"),
        "Chinese title"
    );
    assert!(svg.contains("晋级率：中级工"), "Chinese lever name");
    let html = check_report(&out, 1);
    assert!(html.contains("<html lang=\"zh-CN\">"));
    assert!(
        html.contains("概率达到90%所需的晋级率：中级工"),
        "Chinese summary"
    );
}

#[test]
fn plot_rejects_an_analysis_json_of_an_unknown_command() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("analysis.json"),
        "{\"program\": \"talentsim\", \"command\": \"dance\"}",
    )
    .unwrap();
    let o = talentsim(&["plot", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("analysis.json") && err.contains("dance"),
        "{err}"
    );
}
