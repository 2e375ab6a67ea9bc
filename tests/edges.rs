//! Regression tests for output cut off or refused (issue 17, item 5): a reader that goes
//! away, a full device, an unwritable `--out`, and `--set` results that must not replace
//! the scenario's own. Each test is named after what broke.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use common::{stderr, BIN};

fn scenario(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
}

/// Runs the binary with standard output connected to a pipe whose reader is already
/// closed, so that its first write fails with EPIPE (`talentsim check ... | true`).
#[cfg(unix)]
fn into_closed_pipe(args: &[&str], cwd: &Path) -> Output {
    let (reader, writer) = rustix::pipe::pipe().expect("a pipe");
    drop(reader);
    Command::new(BIN)
        .args(args)
        .current_dir(cwd)
        .stdout(Stdio::from(writer))
        .stderr(Stdio::piped())
        .output()
        .expect("the binary runs")
}

/// Runs the binary with standard output on `/dev/full`, where every write fails with
/// ENOSPC; `None` where the device does not exist.
fn into_dev_full(args: &[&str], cwd: &Path) -> Option<Output> {
    let full = fs::OpenOptions::new().write(true).open("/dev/full").ok()?;
    Some(
        Command::new(BIN)
            .args(args)
            .current_dir(cwd)
            .stdout(Stdio::from(full))
            .stderr(Stdio::piped())
            .output()
            .expect("the binary runs"),
    )
}

fn assert_no_panic(o: &Output) {
    let err = stderr(o);
    assert!(!err.contains("panicked"), "panicked: {err}");
    assert_ne!(o.status.code(), Some(101), "{err}");
}

#[cfg(unix)]
#[test]
fn check_into_a_pipe_closed_early_exits_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let a = scenario("weifang.toml");
    let b = scenario("jiangsu.toml");
    let o = into_closed_pipe(
        &["check", a.to_str().unwrap(), b.to_str().unwrap()],
        dir.path(),
    );
    assert_no_panic(&o);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(o.stderr.is_empty(), "{}", stderr(&o));

    // An invalid file is still reported, on standard error, with exit 2.
    let bad = dir.path().join("bad.toml");
    fs::write(&bad, "name = 3\n").unwrap();
    let o = into_closed_pipe(
        &["check", a.to_str().unwrap(), bad.to_str().unwrap()],
        dir.path(),
    );
    assert_no_panic(&o);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("bad.toml"), "{}", stderr(&o));
}

#[cfg(unix)]
#[test]
fn solve_into_a_pipe_closed_early_exits_quietly_with_its_results_written() {
    let dir = tempfile::tempdir().unwrap();
    let s = scenario("weifang.toml");
    let o = into_closed_pipe(
        &[
            "solve",
            s.to_str().unwrap(),
            "--target",
            "High-skill share at least 1/3 in 2025 (national target)",
            "--runs",
            "50",
            "--no-charts",
            "--out",
            "solved",
        ],
        dir.path(),
    );
    assert_no_panic(&o);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(dir.path().join("solved/analysis.json").is_file());
}

#[cfg(unix)]
#[test]
fn run_into_a_pipe_closed_early_exits_quietly_with_its_results_written() {
    let dir = tempfile::tempdir().unwrap();
    let s = scenario("weifang.toml");
    let o = into_closed_pipe(
        &[
            "run",
            s.to_str().unwrap(),
            "--runs",
            "50",
            "--no-charts",
            "--out",
            "out",
        ],
        dir.path(),
    );
    assert_no_panic(&o);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(dir.path().join("out/summary.json").is_file());
}

#[test]
fn init_into_dev_full_is_a_one_line_error_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let Some(o) = into_dev_full(&["init"], dir.path()) else {
        eprintln!("skipped: no /dev/full on this system");
        return;
    };
    assert_no_panic(&o);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(
        stderr(&o).trim_end(),
        "error: cannot write to standard output: No space left on device (os error 28)"
    );
}

#[test]
fn run_summary_into_dev_full_is_a_one_line_error_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let s = scenario("weifang.toml");
    let args = [
        "run",
        s.to_str().unwrap(),
        "--runs",
        "50",
        "--no-charts",
        "--out",
        "out",
    ];
    let Some(o) = into_dev_full(&args, dir.path()) else {
        eprintln!("skipped: no /dev/full on this system");
        return;
    };
    assert_no_panic(&o);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(stderr(&o).lines().count(), 1, "{}", stderr(&o));
    assert!(
        stderr(&o).starts_with("error: cannot write to standard output:"),
        "{}",
        stderr(&o)
    );
}

/// `/proc` exists but no folder can be created in it, even by root.
#[cfg(target_os = "linux")]
#[test]
fn an_unwritable_out_names_the_folder_typed_not_the_staging_folder() {
    let dir = tempfile::tempdir().unwrap();
    let s = scenario("weifang.toml");
    let out = "/proc/talentsim-unwritable-out";
    for args in [
        vec!["run", s.to_str().unwrap(), "--runs", "20", "--out", out],
        vec![
            "solve",
            s.to_str().unwrap(),
            "--target",
            "High-skill share at least 1/3 in 2025 (national target)",
            "--runs",
            "20",
            "--out",
            out,
        ],
    ] {
        let o = Command::new(BIN)
            .args(&args)
            .current_dir(dir.path())
            .output()
            .unwrap();
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.contains(&format!("{out}:")), "{args:?}: {err}");
        assert!(!err.contains(".partial-"), "{args:?}: {err}");
    }
}

#[test]
fn run_set_without_out_keeps_the_scenarios_own_results() {
    let dir = tempfile::tempdir().unwrap();
    let s = scenario("weifang.toml");
    let run = |extra: &[&str]| {
        let mut args = vec![
            "run",
            s.to_str().unwrap(),
            "--runs",
            "20",
            "-q",
            "--no-charts",
        ];
        args.extend_from_slice(extra);
        let o = Command::new(BIN)
            .args(&args)
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
    };
    run(&[]);
    let own = dir.path().join("output/weifang/projection.csv");
    let before = fs::read(&own).unwrap();
    run(&["--set", "upgrade.intermediate=0.07"]);
    assert_eq!(
        fs::read(&own).unwrap(),
        before,
        "--set replaced the results"
    );
    let levers = dir
        .path()
        .join("output/weifang--set-upgrade.intermediate=0.07/projection.csv");
    assert!(levers.is_file(), "no folder named after the lever");
    assert_ne!(fs::read(&levers).unwrap(), before);
}

#[cfg(unix)]
#[test]
fn printing_commands_into_a_pipe_closed_early_exit_quietly() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        &["init"][..],
        &["schema"],
        &["man"],
        &["completions", "bash"],
        &["--help"],
    ] {
        let o = into_closed_pipe(args, dir.path());
        assert_no_panic(&o);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
        assert!(o.stderr.is_empty(), "{args:?}: {}", stderr(&o));
    }
}
