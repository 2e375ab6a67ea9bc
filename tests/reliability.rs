//! Reliability of the real binary: interrupted runs (SIGTERM, SIGKILL) keep earlier
//! results and leave no partial folder, a full disk and oversized jobs are clear errors
//! that write nothing, and `--replay` reproduces a run byte for byte.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

mod common;
use common::{run_into, stderr, talentsim, BIN};

/// A scenario whose 10^8 runs need terabytes of memory: 206 years x 10 metrics x 8 bytes.
fn huge(dir: &Path) -> PathBuf {
    let path = dir.join("huge.toml");
    let text = talentsim::scenario::TEMPLATE.replace("end_year = 2030", "end_year = 2230");
    fs::write(&path, text).unwrap();
    path
}

fn scenario(dir: &Path) -> PathBuf {
    let path = dir.join("s.toml");
    fs::write(&path, talentsim::scenario::TEMPLATE).unwrap();
    path
}

/// Every file of a folder, by name, with its bytes.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

/// Names in `dir` that are talentsim's temporary folders.
fn leftovers(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".partial-") || n.contains(".old-") || n.contains(".replay-"))
        .collect()
}

fn first_results(dir: &Path, s: &Path) -> PathBuf {
    let out = dir.join("out");
    let o = run_into(s, 50, &out, &["-q"]);
    assert!(o.status.success(), "{}", stderr(&o));
    out
}

/// Starts a run long enough to be interrupted (seconds in a debug build).
/// Runs of the template that take several seconds on a 2-core machine (debug builds, as
/// `cargo test` makes them, are about ten times slower than release builds), so that a
/// signal sent 0.7 s in always lands mid-run.
const LONG_RUNS: &str = if cfg!(debug_assertions) {
    "300000"
} else {
    "2000000"
};

/// Runs of the template that take more than a second, so that the disk fills while they
/// simulate.
const DISK_RUNS: &str = if cfg!(debug_assertions) {
    "40000"
} else {
    "1000000"
};

fn long_run(s: &Path, out: &Path) -> std::process::Child {
    Command::new(BIN)
        .args([
            "run",
            s.to_str().unwrap(),
            "--runs",
            LONG_RUNS,
            "--out",
            out.to_str().unwrap(),
            "-q",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts")
}

#[test]
fn a_killed_run_keeps_earlier_results_byte_identical_and_leaves_no_partial_folder() {
    let dir = tempfile::tempdir().unwrap();
    let s = scenario(dir.path());
    let out = first_results(dir.path(), &s);
    let before = snapshot(&out);
    for signal in ["TERM", "INT", "KILL"] {
        let mut child = long_run(&s, &out);
        sleep(Duration::from_millis(700));
        let status = Command::new("kill")
            .args([&format!("-{signal}"), &child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
        let started = Instant::now();
        let status = child.wait().unwrap();
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "SIG{signal}: slow to stop"
        );
        assert!(
            !status.success(),
            "SIG{signal}: the run finished before the signal"
        );
        if signal != "KILL" {
            // Caught: exit 1 with a message.
            assert_eq!(status.code(), Some(1), "SIG{signal}");
            let mut err = String::new();
            std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
            assert!(err.contains("interrupted"), "SIG{signal}: {err}");
        }
        assert_eq!(
            snapshot(&out),
            before,
            "SIG{signal} changed the earlier results"
        );
        assert!(
            leftovers(dir.path()).is_empty(),
            "SIG{signal}: {:?}",
            leftovers(dir.path())
        );
    }
}

/// A process id that no longer runs.
fn dead_pid() -> u32 {
    let mut child = Command::new("true").spawn().unwrap();
    let pid = child.id();
    child.wait().unwrap();
    pid
}

#[test]
fn folders_left_by_a_kill_9_mid_write_are_cleaned_or_restored_by_the_next_run() {
    let dir = tempfile::tempdir().unwrap();
    let s = scenario(dir.path());
    let out = first_results(dir.path(), &s);
    let pid = dead_pid();
    // A kill -9 while writing leaves a staging folder ...
    let partial = dir.path().join(format!(".out.partial-{pid}"));
    fs::create_dir(&partial).unwrap();
    fs::write(partial.join("projection.csv"), "year,met").unwrap();
    let o = talentsim(&["check", s.to_str().unwrap()]);
    assert!(o.status.success());
    first_results(dir.path(), &s);
    assert!(!partial.exists(), "a dead run's staging folder was left");

    // ... and one between the two renames of a commit leaves the earlier results aside.
    let before = snapshot(&out);
    let aside = dir.path().join(format!(".out.old-{pid}"));
    fs::rename(&out, &aside).unwrap();
    // The next run into the same place puts them back before anything else, even when
    // it then fails.
    let blocked = talentsim(&[
        "run",
        huge(dir.path()).to_str().unwrap(),
        "--runs",
        "100000000",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(blocked.status.code(), Some(1), "{}", stderr(&blocked));
    assert_eq!(
        snapshot(&out),
        before,
        "the earlier results were not restored"
    );
    assert!(
        leftovers(dir.path()).is_empty(),
        "{:?}",
        leftovers(dir.path())
    );
}

#[test]
fn a_job_too_large_for_memory_is_refused_before_it_starts_with_the_estimate() {
    let dir = tempfile::tempdir().unwrap();
    let s = huge(dir.path());
    let out = dir.path().join("o");
    let o = run_into(&s, 100_000_000, &out, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    // The run table (2024-2230: 207 years x 10 metrics x 8 bytes per run), the summary's
    // working columns (two per core) and 64 MiB for the rest.
    let runs: u64 = 100_000_000;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get() as u64);
    let needed = (runs * 207 * 10 * 8 + 2 * cores * runs * 8) / (1 << 20) + 64;
    assert!(
        err.contains(&format!(
            "refusing to start: 100000000 runs need about {needed} MiB of memory"
        )),
        "{err}"
    );
    assert!(err.contains("use at most about"), "{err}");
    assert!(!out.exists());
    assert!(leftovers(dir.path()).is_empty());
}

/// Mounts a small tmpfs at `dir`; `None` (with a note) where the sandbox forbids it.
///
/// Mounting needs root. Where the full-disk check must not be skipped (CI, which runs as
/// root and sets `TALENTSIM_REQUIRE_FULL_DISK=1`), failing to mount fails the test.
fn small_disk(dir: &Path, size: &str) -> Option<Mount> {
    fs::create_dir_all(dir).unwrap();
    let ok = Command::new("mount")
        .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
        .arg(dir)
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        assert!(
            std::env::var_os("TALENTSIM_REQUIRE_FULL_DISK").is_none(),
            "TALENTSIM_REQUIRE_FULL_DISK is set but a tmpfs cannot be mounted at {}",
            dir.display()
        );
        eprintln!("note: cannot mount a tmpfs here (not root, or a sandbox); skipping the full-disk check (set TALENTSIM_REQUIRE_FULL_DISK=1 to make this a failure)");
        return None;
    }
    Some(Mount(dir.to_path_buf()))
}

struct Mount(PathBuf);

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_full_disk_is_a_clear_error_exit_1_and_nothing_half_written() {
    let dir = tempfile::tempdir().unwrap();
    let s = scenario(dir.path());
    let disk = dir.path().join("disk");

    // Too small from the start: refused before simulating, with the estimate.
    if let Some(_mount) = small_disk(&disk, "256k") {
        let out = disk.join("out");
        let o = run_into(&s, 10, &out, &[]);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        assert!(
            stderr(&o).contains("refusing to start: the results need about"),
            "{}",
            stderr(&o)
        );
        assert!(stderr(&o).contains("MiB is free"), "{}", stderr(&o));
        assert!(
            fs::read_dir(&disk).unwrap().next().is_none(),
            "wrote into the small disk"
        );
    } else {
        return;
    }

    // A read-only file system: a clear error naming the folder, exit 1.
    if let Some(_mount) = small_disk(&disk, "1m,ro") {
        let out = disk.join("out");
        let o = run_into(&s, 10, &out, &[]);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        assert!(
            stderr(&o).contains("Read-only file system"),
            "{}",
            stderr(&o)
        );
        assert!(
            stderr(&o).contains(disk.to_str().unwrap()),
            "{}",
            stderr(&o)
        );
    }

    // Room at the start, full by the time results are written: the write fails, exit 1,
    // the earlier results stay and no partial folder remains.
    let Some(_mount) = small_disk(&disk, "8m") else {
        return;
    };
    let out = disk.join("out");
    let o = run_into(&s, 20, &out, &["-q"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let before = snapshot(&out);
    let child = Command::new(BIN)
        .args([
            "run",
            s.to_str().unwrap(),
            "--runs",
            DISK_RUNS,
            "--out",
            out.to_str().unwrap(),
            "-q",
        ])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    sleep(Duration::from_millis(300));
    // Fill the disk while the run simulates.
    let filler = disk.join("filler");
    let mut f = fs::File::create(&filler).unwrap();
    let block = vec![0u8; 64 << 10];
    while std::io::Write::write_all(&mut f, &block).is_ok() {}
    drop(f);
    let o = child.wait_with_output().unwrap();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("No space left on device"), "{err}");
    assert!(err.contains("no results were written"), "{err}");
    assert_eq!(snapshot(&out), before, "the earlier results changed");
    assert!(leftovers(&disk).is_empty(), "{:?}", leftovers(&disk));
}

#[test]
fn replay_reproduces_a_run_byte_for_byte_and_says_what_differs() {
    let dir = tempfile::tempdir().unwrap();
    let s = scenario(dir.path());
    let out = dir.path().join("out");
    let o = talentsim(&[
        "run",
        s.to_str().unwrap(),
        "--runs",
        "300",
        "--seed",
        "7",
        "--out",
        out.to_str().unwrap(),
        "-q",
        "--verify",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));

    // The audit record.
    let summary: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("summary.json")).unwrap()).unwrap();
    let audit = &summary["audit"];
    assert_eq!(summary["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(audit["runs"], 300);
    assert_eq!(audit["seed"], 7);
    assert_eq!(
        audit["scenario_sha256"],
        talentsim::audit::sha256_hex(talentsim::scenario::TEMPLATE.as_bytes())
    );
    assert_eq!(audit["scenario_file"], s.to_str().unwrap());
    let argv: Vec<String> = audit["command_line"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().to_string())
        .collect();
    assert_eq!(argv[1..5], ["run", s.to_str().unwrap(), "--runs", "300"]);

    // Identical.
    let summary_path = out.join("summary.json");
    let o = talentsim(&["run", "--replay", summary_path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let said = String::from_utf8_lossy(&o.stdout);
    assert!(said.contains("identical (300 runs, seed 7"), "{said}");
    assert!(
        leftovers(dir.path()).is_empty(),
        "{:?}",
        leftovers(dir.path())
    );

    // A changed output file: exit 1, naming it.
    let projection = out.join("projection.csv");
    let original = fs::read(&projection).unwrap();
    let mut changed = original.clone();
    changed.extend_from_slice(b"2030,total,1,1,1,1,1,1,1,1,1\n");
    fs::write(&projection, &changed).unwrap();
    let o = talentsim(&["run", "--replay", summary_path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("projection.csv: contents differ"),
        "{}",
        stderr(&o)
    );
    assert!(!stderr(&o).contains("central.csv"), "{}", stderr(&o));
    fs::write(&projection, &original).unwrap();

    // A changed scenario file: a clear error naming both hashes, exit 1.
    fs::write(
        &s,
        talentsim::scenario::TEMPLATE.replace("runs = 10000", "runs = 10001"),
    )
    .unwrap();
    let o = talentsim(&["run", "--replay", summary_path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("has changed since the run (SHA-256"),
        "{}",
        stderr(&o)
    );
    assert!(
        leftovers(dir.path()).is_empty(),
        "{:?}",
        leftovers(dir.path())
    );

    // --replay takes no scenario or overrides.
    let o = talentsim(&[
        "run",
        "--replay",
        summary_path.to_str().unwrap(),
        "--runs",
        "5",
    ]);
    assert_eq!(o.status.code(), Some(2));
}

/// Tells whether `dir` holds a complete set of results: every table, and a summary that
/// parses with the runs of one of the jobs.
fn complete(dir: &Path, runs: &[u64]) -> bool {
    let names: Vec<String> = snapshot(dir).into_iter().map(|(n, _)| n).collect();
    let tables = talentsim::output::TABLE_FILES
        .iter()
        .all(|f| names.iter().any(|n| n == f));
    tables
        && talentsim::output::read_summary(&dir.join("summary.json"))
            .is_ok_and(|s| runs.contains(&s.runs))
}

#[test]
fn kills_at_any_moment_leave_complete_results_old_or_new_never_partial() {
    let dir = tempfile::tempdir().unwrap();
    let s = scenario(dir.path());
    let out = first_results(dir.path(), &s);
    // Short jobs killed after 0 to 330 ms: some signals land while simulating, some
    // while writing or renaming.
    for i in 0..12u64 {
        let signal = if i % 2 == 0 { "TERM" } else { "KILL" };
        let mut child = Command::new(BIN)
            .args(["run", s.to_str().unwrap(), "--runs", "2000", "--out"])
            .arg(&out)
            .arg("-q")
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        sleep(Duration::from_millis(30 * i));
        let _ = Command::new("kill")
            .args([&format!("-{signal}"), &child.id().to_string()])
            .stderr(Stdio::null())
            .status();
        child.wait().unwrap();
        let aside: Vec<PathBuf> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.to_string_lossy().contains(".out.old-"))
            .collect();
        let recoverable = if out.exists() {
            complete(&out, &[50, 2000])
        } else {
            // Killed between the two renames: the earlier results wait beside it.
            aside.len() == 1 && complete(&aside[0], &[50, 2000])
        };
        assert!(recoverable, "SIG{signal} after {} ms", 30 * i);
    }
    // The next run restores or cleans whatever the kills left.
    first_results(dir.path(), &s);
    assert!(complete(&out, &[50]));
    assert!(
        leftovers(dir.path()).is_empty(),
        "{:?}",
        leftovers(dir.path())
    );
}

#[test]
fn replay_reproduces_levers_and_chart_options() {
    let dir = tempfile::tempdir().unwrap();
    let s = scenario(dir.path());
    let run = |name: &str, extra: &[&str]| -> PathBuf {
        let out = dir.path().join(name);
        let mut args = vec!["run", s.to_str().unwrap(), "--runs", "50", "-q", "--out"];
        args.push(out.to_str().unwrap());
        args.extend_from_slice(extra);
        let o = talentsim(&args);
        assert!(o.status.success(), "{}", stderr(&o));
        out
    };
    let projection = |dir: &Path| fs::read(dir.join("projection.csv")).unwrap();
    let lever = ["--set", "upgrade.junior=0.05"];
    let options = [
        "--lang", "zh", "--width", "700", "--height", "500", "--exact",
    ];
    let out = run("set-zh", &[&lever[..], &options[..]].concat());
    let summary = out.join("summary.json");
    let record: serde_json::Value = serde_json::from_slice(&fs::read(&summary).unwrap()).unwrap();
    assert_eq!(record["audit"]["exact"], true);
    assert_eq!(record["audit"]["lang"], "zh");
    let o = talentsim(&["run", "--replay", summary.to_str().unwrap()]);
    assert!(o.status.success(), "replay differs: {}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("identical"));
    // Without the lever the results differ, so the lever really was replayed; and without
    // --exact, so the replay drew its counts exactly, as recorded.
    let plain = run("plain", &["--exact", "--no-charts"]);
    assert_ne!(projection(&out), projection(&plain));
    let fast = run("fast", &[&lever[..], &["--no-charts"]].concat());
    assert_ne!(projection(&out), projection(&fast));
}
