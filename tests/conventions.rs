//! Shell and editor conventions (issue 17, item 6): completion scripts, man pages, the JSON
//! Schema of the scenario format (checked against every shipped scenario and some invalid
//! ones), `--verify`'s report and `--target` by number or prefix.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::{stderr, talentsim};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("UTF-8 output")
}

#[test]
fn completions_are_printed_for_every_shell() {
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef talentsim"),
        ("fish", "complete -c talentsim"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let o = talentsim(&["completions", shell]);
        assert!(o.status.success(), "{shell}: {}", stderr(&o));
        let script = stdout(&o);
        assert!(script.contains(marker), "{shell}: no {marker:?}");
        for command in ["run", "sensitivity", "schema"] {
            assert!(script.contains(command), "{shell}: no {command}");
        }
    }
    assert_eq!(talentsim(&["completions", "tcsh"]).status.code(), Some(2));
}

#[test]
fn the_man_pages_render_as_roff() {
    let o = talentsim(&["man"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let page = stdout(&o);
    assert!(
        page.starts_with(".ie") || page.contains(".TH talentsim"),
        "{page}"
    );
    assert!(page.contains(".TH talentsim 1"), "{page}");
    for section in [".SH NAME", ".SH SYNOPSIS", ".SH SUBCOMMANDS"] {
        assert!(page.contains(section), "no {section}");
    }
    let o = talentsim(&["man", "run"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let page = stdout(&o);
    assert!(page.contains(".TH talentsim-run 1"), "{page}");
    assert!(page.contains("\\-\\-verify"), "{page}");
    let o = talentsim(&["man", "rnu"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("did you mean `run`?"), "{}", stderr(&o));
}

fn schema() -> jsonschema::Validator {
    let o = talentsim(&["schema"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).expect("the schema is JSON");
    assert_eq!(json["$schema"], "http://json-schema.org/draft-07/schema#");
    jsonschema::draft7::new(&json).expect("a valid draft-07 schema")
}

/// Converts TOML to JSON as TOML editors do for validation: dates become strings.
fn as_json(toml_text: &str) -> serde_json::Value {
    fn convert(v: toml::Value) -> serde_json::Value {
        match v {
            toml::Value::Datetime(d) => serde_json::Value::String(d.to_string()),
            toml::Value::Array(a) => serde_json::Value::Array(a.into_iter().map(convert).collect()),
            toml::Value::Table(t) => {
                serde_json::Value::Object(t.into_iter().map(|(k, v)| (k, convert(v))).collect())
            }
            other => serde_json::to_value(other).unwrap(),
        }
    }
    convert(toml::from_str(toml_text).expect("TOML"))
}

fn errors(v: &jsonschema::Validator, text: &str) -> Vec<String> {
    v.iter_errors(&as_json(text))
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn the_schema_accepts_every_shipped_scenario_and_the_template() {
    let v = schema();
    let mut files: Vec<PathBuf> = fs::read_dir(repo().join("scenarios"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    assert!(files.len() >= 5, "{files:?}");
    for f in &files {
        let errs = errors(&v, &fs::read_to_string(f).unwrap());
        assert!(errs.is_empty(), "{}: {errs:#?}", f.display());
    }
    let errs = errors(&v, talentsim::scenario::TEMPLATE);
    assert!(errs.is_empty(), "template: {errs:#?}");
}

#[test]
fn the_schema_rejects_invalid_scenarios() {
    let v = schema();
    let t = talentsim::scenario::TEMPLATE;
    for (what, text) in [
        ("unknown top-level key", format!("colour = \"red\"\n{t}")),
        ("missing start_year", t.replace("start_year = 2024", "")),
        ("a rate above 1", t.replace("junior = 0.07", "junior = 7")),
        (
            "an unknown distribution",
            t.replace("dist = \"beta\"", "dist = \"gamma\""),
        ),
        (
            "beta for an amount",
            t.replace(
                "per_year = { dist = \"lognormal\", mean = 3000, sd = 600 }",
                "per_year = { dist = \"beta\", mean = 0.5, sd = 0.1 }",
            ),
        ),
        (
            "a schedule with a non-year key",
            t.replace("junior = 0.07", "junior = { by_year = { next = 0.07 } }"),
        ),
        (
            "a string for a number",
            t.replace("end_year = 2030", "end_year = \"2030\""),
        ),
        (
            "an unknown vary",
            t.replace("sd = 0.008 }", "sd = 0.008, vary = \"hourly\" }"),
        ),
        (
            "an unknown metric",
            t.replace("metric = \"high_skill_share\"", "metric = \"skill\""),
        ),
        (
            "both at_least and at_most",
            t.replace("at_least = 0.40", "at_least = 0.40\nat_most = 0.9"),
        ),
        (
            "an unknown monte_carlo key",
            t.replace("[monte_carlo]", "[monte_carlo]\nthreads = 4"),
        ),
    ] {
        assert_ne!(text, t, "{what}: the template changed; update this case");
        assert!(!errors(&v, &text).is_empty(), "accepted {what}");
    }
}

#[test]
fn the_template_names_the_schema_on_its_first_line_for_taplo() {
    let o = talentsim(&["init"]);
    let text = stdout(&o);
    assert_eq!(
        text.lines().next(),
        Some("#:schema ./talentsim.schema.json")
    );
}

fn fixture(dir: &Path) -> PathBuf {
    let path = dir.join("s.toml");
    fs::write(&path, talentsim::scenario::TEMPLATE).unwrap();
    path
}

#[test]
fn verify_says_what_it_checked() {
    let dir = tempfile::tempdir().unwrap();
    let s = fixture(dir.path());
    let out = dir.path().join("out");
    let o = common::run_into(&s, 30, &out, &["--verify", "--no-charts"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    let line = text
        .lines()
        .find(|l| l.starts_with("Verified "))
        .unwrap_or_else(|| panic!("no verification line: {text}"));
    assert!(line.starts_with("Verified 30 runs x 6 years:"), "{line}");
    assert!(line.contains("flows balanced"), "{line}");
    assert!(line.contains("quantiles in order"), "{line}");
    // Without --verify, no such line.
    let o = common::run_into(&s, 30, &out, &["--no-charts"]);
    assert!(!stdout(&o).contains("Verified "));
}

#[test]
fn target_accepts_a_number_or_a_unique_prefix_and_suggests_the_nearest_name() {
    let dir = tempfile::tempdir().unwrap();
    let s = repo().join("scenarios/weifang.toml");
    let s = s.to_str().unwrap();
    let solve = |target: &str| {
        let out = dir.path().join("solve");
        talentsim(&[
            "solve",
            s,
            "--target",
            target,
            "--runs",
            "20",
            "--no-charts",
            "--out",
            out.to_str().unwrap(),
        ])
    };
    for target in ["2", "high-skill share at least 35"] {
        let o = solve(target);
        assert!(o.status.success(), "{target}: {}", stderr(&o));
        assert!(
            stdout(&o).contains("eastern-province target"),
            "{target}: {}",
            stdout(&o)
        );
    }
    // A prefix of two targets names both.
    let o = solve("High-skill share at least 1/3");
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("is the start of 2 targets"),
        "{}",
        stderr(&o)
    );
    // No match: the nearest name, and the numbered list.
    let o = solve("High-skill share at least 35% in 2026 (eastern-province target)");
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains(
            "did you mean `High-skill share at least 35% in 2025 (eastern-province target)`?"
        ),
        "{err}"
    );
    assert!(
        err.contains("  3. High-skill share at least 1/3 from 2026"),
        "{err}"
    );
    assert_eq!(solve("4").status.code(), Some(2));
}
