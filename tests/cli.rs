//! The real binary on fixture scenarios: commands, output files, determinism, errors.

use std::fs;
use std::path::{Path, PathBuf};

mod common;
use common::{run_into, stderr, talentsim};

fn template() -> String {
    let o = talentsim(&["init"]);
    assert!(o.status.success());
    String::from_utf8(o.stdout).unwrap()
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn first_line(path: &Path) -> String {
    fs::read_to_string(path)
        .unwrap()
        .lines()
        .next()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn init_prints_a_template_that_passes_check() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("my-region.toml");
    fs::write(&path, template()).unwrap();
    let o = talentsim(&["check", path.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("ok: "));
}

#[test]
fn every_shipped_scenario_passes_check() {
    let mut files: Vec<PathBuf> = fs::read_dir(repo().join("scenarios"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    let names: Vec<String> = files
        .iter()
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    for expected in [
        "zhangjiagang-baseline",
        "zhangjiagang-stress",
        "suzhou-digital",
        "weifang",
        "jiangsu",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "scenarios/{expected}.toml is missing"
        );
    }
    let mut args = vec!["check"];
    args.extend(files.iter().map(|p| p.to_str().unwrap()));
    let o = talentsim(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        String::from_utf8_lossy(&o.stdout).lines().count(),
        files.len()
    );
}

#[test]
fn run_writes_exactly_the_section_8_files_with_their_headers() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("s.toml");
    fs::write(&scenario, template()).unwrap();
    let out = dir.path().join("results");
    let o = run_into(&scenario, 200, &out, &["--no-charts"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains("High-skill share at least 40% in 2026: probability"),
        "{stdout}"
    );

    let mut files: Vec<String> = fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(
        files,
        [
            "central.csv",
            "projection.csv",
            "results.xlsx",
            "summary.json",
            "target_years.csv",
            "targets.csv"
        ]
    );
    assert_eq!(
        first_line(&out.join("projection.csv")),
        "year,metric,mean,sd,p05,p10,p25,p50,p75,p90,p95"
    );
    assert_eq!(
        first_line(&out.join("central.csv")),
        "year,total,high_skill,high_skill_share,high_skill_added,high_skill_net_change,junior,intermediate,senior,technician,senior_technician"
    );
    assert_eq!(
        first_line(&out.join("targets.csv")),
        "target,metric,year,through,threshold,direction,probability,ci_low,ci_high,central_value,p50"
    );
    assert_eq!(
        first_line(&out.join("target_years.csv")),
        "target,year,p_holds,p_held_by"
    );

    // 7 years x (5 group metrics + 5 levels); 2 targets x 6 projected years.
    assert_eq!(
        fs::read_to_string(out.join("projection.csv"))
            .unwrap()
            .lines()
            .count(),
        1 + 7 * 10
    );
    assert_eq!(
        fs::read_to_string(out.join("central.csv"))
            .unwrap()
            .lines()
            .count(),
        1 + 7
    );
    assert_eq!(
        fs::read_to_string(out.join("target_years.csv"))
            .unwrap()
            .lines()
            .count(),
        1 + 2 * 6
    );
    let json: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(json["scenario"], "my-region");
    assert_eq!(json["runs"], 200);
    assert_eq!(json["seed"], 20240715);
    assert_eq!(json["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(json["targets"].as_array().unwrap().len(), 2);
    // No staging folders are left beside the output.
    let leftovers: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with('.')
        })
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn thread_count_does_not_change_a_byte() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("s.toml");
    fs::write(&scenario, template()).unwrap();
    let outs: Vec<PathBuf> = ["1", "2"]
        .iter()
        .map(|threads| {
            let out = dir.path().join(format!("t{threads}"));
            let o = talentsim(&[
                "run",
                scenario.to_str().unwrap(),
                "--runs",
                "1000",
                "--threads",
                threads,
                "--out",
                out.to_str().unwrap(),
                "-q",
            ]);
            assert!(o.status.success(), "{}", stderr(&o));
            assert!(o.stdout.is_empty(), "--quiet printed output");
            out
        })
        .collect();
    for f in [
        "projection.csv",
        "central.csv",
        "targets.csv",
        "target_years.csv",
    ] {
        assert_eq!(
            fs::read(outs[0].join(f)).unwrap(),
            fs::read(outs[1].join(f)).unwrap(),
            "{f} differs"
        );
    }
    // summary.json also records the command line, which names the different folders.
    let without_command_line = |dir: &Path| {
        let mut v: serde_json::Value =
            serde_json::from_slice(&fs::read(dir.join("summary.json")).unwrap()).unwrap();
        v["audit"]["command_line"] = serde_json::Value::Null;
        v.to_string()
    };
    assert_eq!(
        without_command_line(&outs[0]),
        without_command_line(&outs[1])
    );
}

#[test]
fn a_zero_total_leaves_the_share_empty_not_nan() {
    let text = template()
        .replace("junior = 86600", "junior = 0")
        .replace("intermediate = 105900", "intermediate = 0")
        .replace("senior = 110500", "senior = 0")
        .replace("technician = 15600", "technician = 0")
        .replace("senior_technician = 3900", "senior_technician = 0");
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("s.toml");
    fs::write(&scenario, text).unwrap();
    let out = dir.path().join("o");
    let o = run_into(&scenario, 50, &out, &["-q"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let central = fs::read_to_string(out.join("central.csv")).unwrap();
    assert!(
        central
            .lines()
            .nth(1)
            .unwrap()
            .starts_with("2024,0,0,,0,0,"),
        "{central}"
    );
    let projection = fs::read_to_string(out.join("projection.csv")).unwrap();
    assert!(
        projection.contains("2024,high_skill_share,,,,,,,,,\n"),
        "{projection}"
    );
    for f in [
        "projection.csv",
        "central.csv",
        "targets.csv",
        "target_years.csv",
        "summary.json",
    ] {
        let text = fs::read_to_string(out.join(f)).unwrap().to_lowercase();
        assert!(
            !text.contains("nan") && !text.contains("inf"),
            "{f} holds NaN or infinity"
        );
    }
}

/// One invalid scenario: the template with one text replaced, and what the error must say.
struct Case {
    replace: &'static str,
    with: &'static str,
    /// Key path the message must name.
    key: &'static str,
    /// Words the message must contain.
    says: &'static str,
    /// Whether the error points at the line of the replacement.
    at_replacement: bool,
}

const fn case(
    replace: &'static str,
    with: &'static str,
    key: &'static str,
    says: &'static str,
    at_replacement: bool,
) -> Case {
    Case {
        replace,
        with,
        key,
        says,
        at_replacement,
    }
}

const CASES: &[Case] = &[
    // TOML syntax and types.
    case("end_year = 2030", "end_year = = 2030", "", "", true),
    case(
        "start_year = 2024",
        "start_year = \"2024\"",
        "start_year",
        "wrong type",
        true,
    ),
    case(
        "process_noise = true",
        "process_noise = \"yes\"",
        "monte_carlo.process_noise",
        "wrong type",
        true,
    ),
    case(
        "junior = 0.07",
        "junior = \"7%\"",
        "upgrade.junior",
        "expected a number, a distribution table",
        true,
    ),
    // Unknown keys at every nesting level, with did-you-mean.
    case("title =", "titel =", "titel", "did you mean `title`", true),
    case(
        "process_noise =",
        "proces_noise =",
        "monte_carlo.proces_noise",
        "did you mean `process_noise`",
        true,
    ),
    case(
        "senior = { dist = \"beta\", mean = 0.045, sd = 0.008",
        "senior = { dist = \"beta\", mean = 0.045, sdev = 0.008",
        "attrition.senior.sdev",
        "did you mean `sd`",
        true,
    ),
    case(
        "# growth = 0.02",
        "grwth = 0.02",
        "inflow[1].grwth",
        "did you mean `growth`",
        true,
    ),
    case(
        "metric = \"high_skill_share\"\nyear = 2026\nat_least = 0.40\n\n[[target]]",
        "metrc = \"high_skill_share\"\nyear = 2026\nat_least = 0.40\n\n[[target]]",
        "target[1].metrc",
        "did you mean `metric`",
        true,
    ),
    case(
        "by_year = { 2024 = 0.055",
        "by_years = { 2024 = 0.055",
        "upgrade.intermediate.by_years",
        "did you mean `by_year`",
        true,
    ),
    case(
        "rate = 0.001",
        "rate = 0.001\nrat = 0.002",
        "transition[1].rat",
        "did you mean `rate`",
        false,
    ),
    // Missing keys.
    case(
        "high_skill_from = \"senior\"",
        "",
        "high_skill_from",
        "missing",
        false,
    ),
    case(
        "technician = 15600\n",
        "",
        "initial.technician",
        "missing",
        false,
    ),
    case(
        "per_year = { dist = \"lognormal\", mean = 3000, sd = 600 }\n",
        "",
        "inflow[1].per_year",
        "missing",
        false,
    ),
    case(
        "dist = \"pert\", min = 0.06, mode = 0.09, max = 0.15",
        "dist = \"pert\", min = 0.06, max = 0.15",
        "attrition.junior.mode",
        "missing",
        false,
    ),
    // Unknown levels and metrics.
    case(
        "senior = 110500",
        "senor = 110500",
        "initial.senor",
        "did you mean `senior`",
        true,
    ),
    case(
        "split = { intermediate = 0.75",
        "split = { intermediat = 0.75",
        "inflow[1].split.intermediat",
        "did you mean `intermediate`",
        true,
    ),
    case(
        "high_skill_from = \"senior\"",
        "high_skill_from = \"Senior\"",
        "high_skill_from",
        "did you mean `senior`",
        true,
    ),
    case(
        "from = \"intermediate\"\nto = \"technician\"",
        "from = \"intermediate\"\nto = \"technicain\"",
        "transition[1].to",
        "did you mean `technician`",
        false,
    ),
    case(
        "metric = \"high_skill_share\"",
        "metric = \"high_skil_share\"",
        "target[1].metric",
        "did you mean `high_skill_share`",
        true,
    ),
    // Values out of range.
    case(
        "junior = 0.07",
        "junior = 1.07",
        "upgrade.junior",
        "expected a yearly rate from 0 to 1",
        true,
    ),
    case(
        "technician = 0.035",
        "technician = 0.995",
        "attrition.technician",
        "sum to 1.003",
        true,
    ),
    case(
        "senior = 0.25 }",
        "senior = 0.35 }",
        "inflow[1].split",
        "the shares sum to 1.1",
        false,
    ),
    case(
        "junior = 86600",
        "junior = 86600.5",
        "initial.junior",
        "whole number",
        true,
    ),
    case(
        "junior = 86600",
        "junior = -3",
        "initial.junior",
        "whole number",
        true,
    ),
    case(
        "senior = 0.012",
        "senior = { dist = \"normal\", mean = 1.5, sd = 0.1 }",
        "upgrade.senior.mean",
        "outside the valid range",
        true,
    ),
    // Distribution parameters.
    case(
        "senior = { dist = \"beta\", mean = 0.045, sd = 0.008",
        "senior = { dist = \"beta\", mean = 0.045, sd = 0.5",
        "attrition.senior.sd",
        "needs 0 < sd <",
        true,
    ),
    case(
        "min = 0.06, mode = 0.09, max = 0.15",
        "min = 0.10, mode = 0.09, max = 0.15",
        "attrition.junior.mode",
        "between min",
        true,
    ),
    case(
        "senior = { dist = \"beta\"",
        "senior = { dist = \"betta\"",
        "attrition.senior.dist",
        "did you mean `beta`",
        true,
    ),
    case(
        "mean = 3000, sd = 600 }",
        "mean = 3000, sd = 600, mode = 5 }",
        "inflow[1].per_year.mode",
        "not a parameter of the lognormal",
        true,
    ),
    case(
        "per_year = { dist = \"lognormal\", mean = 3000, sd = 600 }",
        "per_year = { dist = \"beta\", mean = 0.5, sd = 0.1 }",
        "inflow[1].per_year.dist",
        "beta is for rates",
        true,
    ),
    case(
        "min = 1000, mode = 1750, max = 2500",
        "min = 1000, mode = 1750, max = 1000",
        "inflow[2].per_year.max",
        "must be above min",
        true,
    ),
    case(
        "mode = 0.06, max = 0.09 }",
        "mode = 0.06, max = 0.09, vary = \"daily\" }",
        "upgrade.intermediate.by_year.2027.vary",
        "expected \"yearly\"",
        true,
    ),
    // Schedules.
    case(
        "2027 = {",
        "2037 = {",
        "upgrade.intermediate.by_year.2037",
        "outside the scenario's years",
        true,
    ),
    case(
        "2024 = 0.055",
        "2024 = { by_year = { 2025 = 0.1 } }",
        "upgrade.intermediate.by_year.2024.by_year",
        "schedules do not nest",
        true,
    ),
    // Years and horizon.
    case(
        "# first_year = 2025",
        "first_year = 2035",
        "inflow[1].first_year",
        "outside the projected years",
        true,
    ),
    case(
        "# last_year = 2030",
        "last_year = 2024",
        "inflow[1].last_year",
        "outside the projected years",
        true,
    ),
    case(
        "year = 2026\nat_least = 0.40\n\n[[target]]",
        "year = 2040\nat_least = 0.40\n\n[[target]]",
        "target[1].year",
        "not a projected year",
        true,
    ),
    case(
        "through = 2030",
        "through = 2025",
        "target[2].through",
        "outside 2026 to 2030",
        true,
    ),
    case(
        "end_year = 2030",
        "end_year = 2020",
        "end_year",
        "must be after start_year",
        true,
    ),
    case(
        "end_year = 2030",
        "end_year = 9000",
        "end_year",
        "too long",
        true,
    ),
    // Structure.
    case(
        "to = \"technician\"",
        "to = \"senior\"",
        "transition[1].to",
        "set upgrade.intermediate instead",
        true,
    ),
    case(
        "split = { senior = 1.0 }\nfrom = \"intermediate\"",
        "split = { intermediate = 1.0 }\nfrom = \"intermediate\"",
        "inflow[2].split.intermediate",
        "the level it takes them from",
        true,
    ),
    case(
        "technician = 0.008\n",
        "technician = 0.008\nsenior_technician = 0.01\n",
        "upgrade.senior_technician",
        "top level",
        false,
    ),
    case(
        "at_least = 0.40\n\n[[target]]",
        "at_least = 40\n\n[[target]]",
        "target[1].at_least",
        "write 0.4",
        true,
    ),
    case(
        "at_least = 0.40\n\n[[target]]",
        "at_least = 0.40\nat_most = 0.5\n\n[[target]]",
        "target[1].at_most",
        "not both",
        false,
    ),
    case(
        "name = \"training programme\"",
        "name = \"vocational colleges\"",
        "inflow[2].name",
        "names must be unique",
        false,
    ),
    case(
        "levels = [\"junior\", \"intermediate\"",
        "levels = [\"junior\", \"junior\"",
        "levels[2]",
        "listed twice",
        true,
    ),
    case(
        "name = \"my-region\"",
        "name = \"../escape\"",
        "name",
        "folder name",
        true,
    ),
    // Monte Carlo sizes.
    case(
        "runs = 10000",
        "runs = 0",
        "monte_carlo.runs",
        "expected 1 to",
        true,
    ),
    case(
        "runs = 10000",
        "runs = 100000000000",
        "monte_carlo.runs",
        "expected 1 to",
        true,
    ),
    case(
        "seed = 20240715",
        "seed = -1",
        "monte_carlo.seed",
        "non-negative",
        true,
    ),
    case(
        "junior = 86600",
        "junior = 1e15",
        "initial.junior",
        "whole number",
        true,
    ),
];

#[test]
fn invalid_scenarios_name_line_column_key_and_expectation_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let base = template();
    for (i, c) in CASES.iter().enumerate() {
        assert!(
            base.contains(c.replace),
            "case {i}: template lacks {:?}",
            c.replace
        );
        let text = base.replacen(c.replace, c.with, 1);
        if let Some(pos) = text.find(c.with).filter(|_| !c.with.is_empty()) {
            let line = text[..pos].rsplit('\n').next().unwrap_or_default();
            assert!(
                !line.trim_start().starts_with('#'),
                "case {i}: the replacement lands in a comment"
            );
        }
        let file = dir.path().join(format!("case{i}.toml"));
        fs::write(&file, &text).unwrap();
        let out = dir.path().join(format!("out{i}"));
        let o = talentsim(&[
            "run",
            file.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--runs",
            "10",
        ]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "case {i} ({}): {err}", c.with);
        assert!(!out.exists(), "case {i}: wrote an output folder");
        let prefix = format!("error: {}:", file.display());
        assert!(err.starts_with(&prefix), "case {i}: {err}");
        let first = err.lines().next().unwrap();
        if c.at_replacement {
            let line = text[..text.find(c.with).unwrap()].matches('\n').count() + 1;
            let at = format!("{}:{line}:", file.display());
            assert!(err.contains(&at), "case {i}: expected line {line}: {err}");
        } else {
            assert!(
                first[prefix.len()..]
                    .split(':')
                    .next()
                    .unwrap()
                    .parse::<usize>()
                    .is_ok(),
                "case {i}: no line: {err}"
            );
        }
        if !c.key.is_empty() {
            assert!(
                err.contains(&format!(": {}: ", c.key)),
                "case {i}: key {} not named: {err}",
                c.key
            );
        }
        assert!(
            err.contains(c.says),
            "case {i}: expected {:?}: {err}",
            c.says
        );
        let check = talentsim(&["check", file.to_str().unwrap()]);
        assert_eq!(check.status.code(), Some(2), "case {i}: check accepted it");
    }
}

#[test]
fn all_problems_in_a_file_are_reported_at_once() {
    let text = template()
        .replace("junior = 0.07", "junior = 1.07")
        .replace("runs = 10000", "runs = 0")
        .replace("senor", "x");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("two.toml");
    fs::write(&file, text).unwrap();
    let o = talentsim(&["check", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("upgrade.junior") && err.contains("monte_carlo.runs"),
        "{err}"
    );
}

#[test]
fn unreadable_empty_and_binary_files_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.toml");
    fs::write(&empty, "  \n").unwrap();
    let binary = dir.path().join("binary.toml");
    fs::write(&binary, [b'a', b' ', b'=', b' ', 0xff, 0xfe, 0x00]).unwrap();
    let bom = dir.path().join("bom.toml");
    fs::write(
        &bom,
        format!("\u{feff}{}", template().replace('\n', "\r\n")),
    )
    .unwrap();
    for (path, says) in [
        (&empty, "the file is empty"),
        (&binary, "not UTF-8"),
        (&dir.path().join("none.toml"), "cannot read"),
    ] {
        let o = talentsim(&["check", path.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2));
        assert!(stderr(&o).contains(says), "{}", stderr(&o));
    }
    let o = talentsim(&["check", bom.to_str().unwrap()]);
    assert!(
        o.status.success(),
        "a BOM and CRLF line endings are valid: {}",
        stderr(&o)
    );
}

#[test]
fn bad_usage_exits_2_and_write_failures_exit_1_keeping_earlier_results() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("s.toml");
    fs::write(&scenario, template()).unwrap();
    let s = scenario.to_str().unwrap();
    assert_eq!(talentsim(&["run", s, "--runs", "0"]).status.code(), Some(2));
    assert_eq!(
        talentsim(&["run", s, "--threads", "0"]).status.code(),
        Some(2)
    );
    assert_eq!(talentsim(&["frobnicate"]).status.code(), Some(2));

    // A folder that is not talentsim output is never replaced.
    let precious = dir.path().join("precious");
    fs::create_dir(&precious).unwrap();
    fs::write(precious.join("notes.txt"), "keep me").unwrap();
    let o = talentsim(&[
        "run",
        s,
        "--runs",
        "10",
        "--out",
        precious.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("not a talentsim output folder"),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        fs::read_to_string(precious.join("notes.txt")).unwrap(),
        "keep me"
    );

    // Earlier results survive a later invalid run, and are replaced by a later valid one.
    let out = dir.path().join("out");
    let o = talentsim(&[
        "run",
        s,
        "--runs",
        "10",
        "--out",
        out.to_str().unwrap(),
        "-q",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let before = fs::read(out.join("projection.csv")).unwrap();
    let bad = dir.path().join("bad.toml");
    fs::write(&bad, template().replace("junior = 0.07", "junior = 7")).unwrap();
    assert_eq!(
        talentsim(&["run", bad.to_str().unwrap(), "--out", out.to_str().unwrap()])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(fs::read(out.join("projection.csv")).unwrap(), before);
    let o = talentsim(&[
        "run",
        s,
        "--runs",
        "20",
        "--out",
        out.to_str().unwrap(),
        "-q",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_ne!(fs::read(out.join("projection.csv")).unwrap(), before);

    // An output path below a file cannot be created: exit 1, a message naming it.
    let blocker = dir.path().join("file");
    fs::write(&blocker, "").unwrap();
    let o = talentsim(&[
        "run",
        s,
        "--runs",
        "10",
        "--out",
        blocker.join("x").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(blocker.to_str().unwrap()),
        "{}",
        stderr(&o)
    );
}
