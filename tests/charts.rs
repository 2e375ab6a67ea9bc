//! Charts and report.html from the real binary (issue #3): every file is produced at the
//! requested size, Chinese text is covered by the embedded font, the report is
//! self-contained and holds every verdict, and `plot` redraws the same bytes.

use std::fs;
use std::path::{Path, PathBuf};

use talentsim::chart::{self, Lang};

mod common;
use common::{png_size, stderr, svg_text, talentsim};

const ZH_TITLE: &str = "张家港市技能人才预测";

fn baseline() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios/zhangjiagang-baseline.toml")
}

/// Runs the baseline with few runs into `out`, with extra arguments.
fn run(scenario: &Path, out: &Path, extra: &[&str]) {
    let mut args = vec![
        "run",
        scenario.to_str().unwrap(),
        "--runs",
        "200",
        "--out",
        out.to_str().unwrap(),
        "-q",
    ];
    args.extend_from_slice(extra);
    let o = talentsim(&args);
    assert!(o.status.success(), "{}", stderr(&o));
}

/// Returns the baseline with its title replaced.
fn retitled(dir: &Path, title: &str) -> PathBuf {
    let text = fs::read_to_string(baseline()).unwrap();
    let text: String = text
        .lines()
        .map(|l| {
            if l.starts_with("title = ") {
                format!("title = \"{title}\"")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let path = dir.join("zh.toml");
    fs::write(&path, text).unwrap();
    path
}

/// The chart names a run of the baseline must produce.
fn expected_charts() -> Vec<&'static str> {
    vec![
        "fan_total",
        "fan_high_skill",
        "fan_high_skill_share",
        "levels",
        "target_probability",
        "distribution_high_skill_share_at_least_40_in_2026",
        "distribution_high_skill_share_at_least_40_from_2026_through_2030",
        "distribution_20_000_high_skill_gross_by_2026",
        "distribution_20_000_high_skill_net_by_2026",
    ]
}

#[test]
fn run_draws_every_chart_as_png_and_svg_of_the_default_size_with_its_title() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    run(&baseline(), &out, &[]);
    for name in expected_charts() {
        assert_eq!(
            png_size(&out.join(format!("{name}.png"))),
            (1600, 1000),
            "{name}"
        );
        let svg = svg_text(&out.join(format!("{name}.svg")), 1600, 1000);
        assert!(
            svg.contains("Zhangjiagang skilled workforce 2024-2030, baseline (headcount mode)"),
            "{name}.svg lacks the scenario title"
        );
    }
    let fan = fs::read_to_string(out.join("fan_high_skill_share.svg")).unwrap();
    assert!(fan.contains("High-skill share of the skilled workforce"));
    assert!(fan.contains("40%"), "percent axis");
    let total = fs::read_to_string(out.join("fan_total.svg")).unwrap();
    assert!(
        total.contains("0,000\n"),
        "thousands separators on the axis"
    );
}

#[test]
fn width_and_height_set_the_chart_size() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    run(&baseline(), &out, &["--width", "800", "--height", "500"]);
    for name in expected_charts() {
        assert_eq!(
            png_size(&out.join(format!("{name}.png"))),
            (800, 500),
            "{name}"
        );
        svg_text(&out.join(format!("{name}.svg")), 800, 500);
    }
    let o = talentsim(&["run", baseline().to_str().unwrap(), "--width", "10"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

#[test]
fn embedded_font_covers_the_chinese_labels_and_title() {
    for text in Lang::Zh.labels().all_text().into_iter().chain([ZH_TITLE]) {
        assert_eq!(chart::missing_glyphs(text), Vec::<char>::new(), "{text}");
    }
}

#[test]
fn a_chinese_title_renders_with_chinese_labels() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = retitled(dir.path(), ZH_TITLE);
    let out = dir.path().join("out");
    run(&scenario, &out, &["--lang", "zh"]);
    for name in expected_charts() {
        assert_eq!(
            png_size(&out.join(format!("{name}.png"))),
            (1600, 1000),
            "{name}"
        );
        let svg = svg_text(&out.join(format!("{name}.svg")), 1600, 1000);
        assert!(svg.contains(ZH_TITLE), "{name}.svg lacks the title");
        // Every character drawn in the PNG comes from the embedded font.
        let texts: Vec<&str> = svg
            .split("<text")
            .skip(1)
            .filter_map(|t| {
                t.split_once('>')
                    .and_then(|(_, rest)| rest.split_once("</text>"))
            })
            .map(|(text, _)| text)
            .collect();
        assert!(!texts.is_empty());
        for text in texts {
            assert!(
                chart::missing_glyphs(text).is_empty(),
                "{name}: no glyph in {text}"
            );
        }
    }
    let share = fs::read_to_string(out.join("fan_high_skill_share.svg")).unwrap();
    assert!(share.contains("高技能人才占技能人才比重"));
    let report = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(report.contains("<html lang=\"zh-CN\">"));
    assert!(report.contains("高技能人才占比"));
    // The PNG differs from an English one: the labels really changed.
    let en = dir.path().join("en");
    run(&scenario, &en, &[]);
    assert_ne!(
        fs::read(out.join("levels.png")).unwrap(),
        fs::read(en.join("levels.png")).unwrap()
    );
}

#[test]
fn report_is_self_contained_and_holds_every_verdict() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    run(&baseline(), &out, &[]);
    let report = fs::read_to_string(out.join("report.html")).unwrap();
    let lower = report.to_lowercase();
    for forbidden in [
        "src=", "href=", "<script", "url(", "@import", "<link", "<img", "<iframe",
    ] {
        assert!(
            !lower.contains(forbidden),
            "report.html contains {forbidden}"
        );
    }
    assert!(report.starts_with("<!DOCTYPE html>"));
    assert!(report.contains("<style>"));
    let summary = talentsim::output::read_summary(&out.join("summary.json")).unwrap();
    assert_eq!(summary.targets.len(), 4);
    for t in &summary.targets {
        let verdict = chart::report::verdict(t, &summary, Lang::En.labels());
        assert!(report.contains(&verdict), "missing verdict: {verdict}");
        assert!(
            verdict.contains("of simulated futures (95% CI "),
            "{verdict}"
        );
    }
    assert!(report.contains("The high-skill share stays at or above 40% from 2026 to 2030 in"));
    // The charts are inline, the tables are there.
    assert_eq!(report.matches("<svg").count(), expected_charts().len());
    for heading in ["Assumptions", "Year by year", "Targets", "Charts"] {
        assert!(report.contains(&format!(">{heading}</h2>")), "{heading}");
    }
    for parameter in [
        "junior → intermediate",
        "vocational colleges",
        "beta(mean 8.84%, sd 2.32%)",
    ] {
        assert!(report.contains(parameter), "{parameter}");
    }
}

#[test]
fn plot_redraws_the_same_charts_and_report_from_a_saved_folder() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    run(&baseline(), &out, &[]);
    let saved = dir.path().join("saved");
    run(&baseline(), &saved, &["--no-charts"]);
    assert!(
        !saved.join("report.html").exists(),
        "--no-charts writes no report"
    );
    assert!(!saved.join("fan_total.png").exists());
    let o = talentsim(&["plot", saved.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut files: Vec<String> = expected_charts()
        .iter()
        .flat_map(|n| [format!("{n}.png"), format!("{n}.svg")])
        .collect();
    files.push("report.html".into());
    for f in &files {
        assert_eq!(
            fs::read(out.join(f)).unwrap(),
            fs::read(saved.join(f)).unwrap(),
            "{f} differs between run and plot"
        );
    }
    // Redrawing in another language and size replaces the files whole.
    let o = talentsim(&[
        "plot",
        saved.to_str().unwrap(),
        "--lang",
        "zh",
        "--width",
        "900",
        "--height",
        "600",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(png_size(&saved.join("fan_total.png")), (900, 600));
    assert!(fs::read_to_string(saved.join("report.html"))
        .unwrap()
        .contains("lang=\"zh-CN\""));
    let leftovers: Vec<String> = fs::read_dir(&saved)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn plot_rejects_missing_or_broken_results_naming_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nowhere");
    let o = talentsim(&["plot", missing.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("nowhere") && stderr(&o).contains("no such output folder"),
        "{}",
        stderr(&o)
    );

    let empty = dir.path().join("empty");
    fs::create_dir(&empty).unwrap();
    let o = talentsim(&["plot", empty.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("summary.json"), "{}", stderr(&o));

    let broken = dir.path().join("broken");
    fs::create_dir(&broken).unwrap();
    fs::write(
        broken.join("summary.json"),
        "{\"program\": \"talentsim\", \"runs\": ",
    )
    .unwrap();
    let o = talentsim(&["plot", broken.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("summary.json") && err.contains("not a talentsim summary"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(fs::read_dir(&broken).unwrap().count(), 1, "nothing written");

    fs::write(broken.join("summary.json"), "{\"program\": \"talentsim\"}").unwrap();
    let o = talentsim(&["plot", broken.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("missing field"), "{}", stderr(&o));

    let o = talentsim(&["plot", broken.to_str().unwrap(), "--lang", "fr"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("expected en or zh"), "{}", stderr(&o));
}
