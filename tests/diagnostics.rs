//! The diagnostics corpus: every invalid scenario under `tests/diagnostics/` is checked
//! by the real binary, and its complete error text compared with the `.stderr` snapshot
//! beside it. Each must exit 2 and write nothing. The files under `tests/valid/` hold
//! valid oddities (a UTF-8 BOM, CRLF line endings, Chinese text) and must pass.
//!
//! After a deliberate change of messages, regenerate the snapshots with
//!
//!     UPDATE_SNAPSHOTS=1 cargo test --test diagnostics
//!
//! and review every changed `.stderr` by eye: a snapshot of a bad message is a bug.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_talentsim");

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the binary in `dir`, so that relative paths in messages are stable.
fn talentsim_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .current_dir(dir)
        .args(args)
        .output()
        .expect("the binary runs")
}

fn files(folder: &str) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(repo().join(folder))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".toml"))
        .map(|n| format!("{folder}/{n}"))
        .collect();
    v.sort();
    v
}

#[test]
fn every_corpus_file_matches_its_snapshot_exits_2_and_writes_nothing() {
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    let corpus = files("tests/diagnostics");
    assert!(corpus.len() >= 60, "only {} corpus files", corpus.len());
    let out = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for (i, file) in corpus.iter().enumerate() {
        let o = talentsim_in(&repo(), &["check", file]);
        let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
        let snapshot = repo().join(file.replace(".toml", ".stderr"));
        if o.status.code() != Some(2) {
            failures.push(format!(
                "{file}: exit {:?}, expected 2: {stderr}",
                o.status.code()
            ));
            continue;
        }
        if update {
            fs::write(&snapshot, &stderr).unwrap();
        } else {
            let expected = fs::read_to_string(&snapshot).unwrap_or_default();
            if expected != stderr {
                failures.push(format!(
                    "{file}: the message differs from {}\n--- expected\n{expected}--- got\n{stderr}",
                    snapshot.display()
                ));
            }
        }
        // Every line is located: file:line:column: key: message (a file-level problem
        // has no line to point at only when nothing of the file could be read).
        for line in stderr.lines() {
            let rest = line
                .strip_prefix(&format!("error: {file}:"))
                .or_else(|| line.strip_prefix(&format!("{file}:")));
            let located = rest.is_some_and(|r| {
                let mut parts = r.splitn(3, ':');
                parts.next().is_some_and(|l| l.parse::<usize>().is_ok())
                    && parts.next().is_some_and(|c| c.parse::<usize>().is_ok())
            });
            if !located {
                failures.push(format!(
                    "{file}: a message without file:line:column: {line}"
                ));
            }
        }
        // `run` refuses the same file with exit 2 and writes nothing.
        let dest = out.path().join(format!("out{i}"));
        let o = talentsim_in(
            &repo(),
            &["run", file, "--out", dest.to_str().unwrap(), "-q"],
        );
        if o.status.code() != Some(2) || dest.exists() {
            failures.push(format!(
                "{file}: run exited {:?} or wrote output",
                o.status.code()
            ));
        }
    }
    let leftovers: Vec<_> = fs::read_dir(out.path()).unwrap().collect();
    assert!(
        leftovers.is_empty(),
        "files left beside the outputs: {leftovers:?}"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn valid_oddities_are_accepted_bom_crlf_and_chinese_text() {
    for file in files("tests/valid") {
        let o = talentsim_in(&repo(), &["check", &file]);
        assert!(
            o.status.success(),
            "{file}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
}

#[test]
fn a_very_large_file_is_refused_before_it_is_read_with_the_limit_in_the_message() {
    let dir = tempfile::tempdir().unwrap();
    let size = talentsim::scenario::MAX_FILE_BYTES + 1;
    let mut text = talentsim::scenario::TEMPLATE.to_string();
    let comment = "# padding ".repeat(10) + "\n";
    while (text.len() as u64) < size {
        text.push_str(&comment);
    }
    fs::write(dir.path().join("huge.toml"), &text).unwrap();
    let o = talentsim_in(dir.path(), &["check", "huge.toml"]);
    assert_eq!(o.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(
        stderr,
        format!(
            "error: huge.toml: the file is {} bytes; a scenario may be at most 8388608 bytes (8 MiB): is this the right file?\n",
            text.len()
        )
    );
    // The library refuses the same bytes without a file, too.
    let e = talentsim::scenario::parse_bytes("huge.toml", text.as_bytes(), "huge").unwrap_err();
    assert!(e.to_string().contains("at most 8388608 bytes"), "{e}");
}

#[test]
fn a_file_just_under_the_limit_is_read_and_validated() {
    // Many valid comment lines: slow to write by hand, quick to parse.
    let mut text = talentsim::scenario::TEMPLATE.to_string();
    let comment = "# 注释 comment ".repeat(8) + "\n";
    while ((text.len() + comment.len()) as u64) < talentsim::scenario::MAX_FILE_BYTES {
        text.push_str(&comment);
    }
    let s = talentsim::scenario::parse_bytes("big.toml", text.as_bytes(), "big");
    assert!(s.is_ok(), "{:?}", s.err());
}
