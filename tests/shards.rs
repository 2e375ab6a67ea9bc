//! Sharded jobs: `run --shard K/M` then `merge` gives the bytes of one whole job, and
//! merge refuses shards that do not make up one job, naming the folder.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use talentsim::engine::{simulate, simulate_runs, Job};
use talentsim::scenario::load;

mod common;
use common::talentsim;

fn baseline() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios/zhangjiagang-baseline.toml")
}

fn ok(o: &Output) {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

fn shard(dir: &Path, name: &str, runs: &str, spec: &str, extra: &[&str]) -> PathBuf {
    let out = dir.join(name);
    let scenario = baseline();
    let mut args = vec![
        "run",
        scenario.to_str().unwrap(),
        "--runs",
        runs,
        "--shard",
        spec,
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    ok(&talentsim(&args));
    out
}

fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                fs::read(&p).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn merged_shards_are_byte_identical_to_one_job() {
    let dir = tempfile::tempdir().unwrap();
    let whole = dir.path().join("whole");
    ok(&talentsim(&[
        "run",
        baseline().to_str().unwrap(),
        "--runs",
        "1000",
        "--quiet",
        "--out",
        whole.to_str().unwrap(),
        "--set",
        "upgrade.intermediate=0.07",
    ]));
    // Uneven shards (333, 333, 334 runs), run with different thread counts, merged in a
    // shuffled order.
    let set = ["--set", "upgrade.intermediate=0.07"];
    let a = shard(
        dir.path(),
        "a",
        "1000",
        "1/3",
        &[&set[..], &["--threads", "1"]].concat(),
    );
    let b = shard(
        dir.path(),
        "b",
        "1000",
        "2/3",
        &[&set[..], &["--threads", "2"]].concat(),
    );
    let c = shard(dir.path(), "c", "1000", "3/3", &set);
    let merged = dir.path().join("merged");
    ok(&talentsim(&[
        "merge",
        c.to_str().unwrap(),
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "--quiet",
        "--out",
        merged.to_str().unwrap(),
    ]));
    let (w, m) = (files(&whole), files(&merged));
    assert_eq!(
        w.iter().map(|f| &f.0).collect::<Vec<_>>(),
        m.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    for ((name, x), (_, y)) in w.iter().zip(&m) {
        if name == "summary.json" {
            continue;
        }
        assert!(
            x == y,
            "{name} differs between the whole job and the merged shards"
        );
    }
    // summary.json: the same bytes but for the command line of the audit record, which
    // is the merge's; the rest of the record is the whole job's.
    let json = |d: &Path| -> serde_json::Value {
        serde_json::from_slice(&fs::read(d.join("summary.json")).unwrap()).unwrap()
    };
    let (mut jw, mut jm) = (json(&whole), json(&merged));
    assert_eq!(jm["audit"]["command_line"][1], "merge");
    assert_eq!(jm["audit"]["runs"], 1000);
    assert_eq!(jm["audit"]["set"][0], "upgrade.intermediate=0.07");
    jw["audit"]["command_line"] = serde_json::Value::Null;
    jm["audit"]["command_line"] = serde_json::Value::Null;
    assert_eq!(jw, jm);
    // With the command line set aside, the bytes too.
    let strip = |d: &Path| -> String {
        let text = fs::read_to_string(d.join("summary.json")).unwrap();
        let start = text.find("\"command_line\"").unwrap();
        let end = start + text[start..].find(']').unwrap();
        format!("{}{}", &text[..start], &text[end..])
    };
    assert_eq!(strip(&whole), strip(&merged));
    // The merged results replay as one job, byte for byte.
    ok(&talentsim(&[
        "run",
        "--replay",
        merged.join("summary.json").to_str().unwrap(),
        "--quiet",
    ]));
}

#[test]
fn shard_runs_are_the_whole_jobs_runs() {
    let s = load(&baseline()).unwrap();
    let job = Job {
        runs: 300,
        seed: 11,
        process_noise: true,
        threads: Some(2),
        verify: false,
        sampling: Default::default(),
    };
    let whole = simulate(&s, &job, &|_| {}).unwrap();
    let part = simulate_runs(&s, &job, 120..250, &|_| {}).unwrap();
    assert_eq!(part.values.nrows(), 130);
    for r in 0..130 {
        assert_eq!(part.values.row(r), whole.values.row(120 + r));
    }
}

#[test]
fn merge_names_the_folder_of_a_gap_an_overlap_or_another_job() {
    let dir = tempfile::tempdir().unwrap();
    let a = shard(dir.path(), "a", "90", "1/3", &[]);
    let b = shard(dir.path(), "b", "90", "2/3", &[]);
    let c = shard(dir.path(), "c", "90", "3/3", &[]);
    let again = shard(dir.path(), "again", "90", "2/3", &[]);
    let seed = shard(dir.path(), "seed", "90", "3/3", &["--seed", "5"]);
    let out = dir.path().join("out");
    let merge = |dirs: &[&PathBuf]| {
        let mut args = vec!["merge".to_string()];
        args.extend(dirs.iter().map(|d| d.display().to_string()));
        args.extend(["--out".into(), out.display().to_string(), "--quiet".into()]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = talentsim(&args);
        assert_eq!(o.status.code(), Some(2));
        assert!(!out.exists(), "nothing is written");
        String::from_utf8_lossy(&o.stderr).into_owned()
    };
    let gap = merge(&[&a, &c]);
    assert!(
        gap.contains("runs 30..60 are missing") && gap.contains("/c"),
        "{gap}"
    );
    let overlap = merge(&[&a, &b, &again, &c]);
    assert!(
        overlap.contains("overlaps") && overlap.contains("again"),
        "{overlap}"
    );
    let other = merge(&[&a, &b, &seed]);
    assert!(
        other.contains("the seed") && other.contains("/seed"),
        "{other}"
    );
    let short = merge(&[&a, &b]);
    assert!(
        short.contains("runs 60..90") && short.contains("missing"),
        "{short}"
    );
    // One flipped bit in transit: the sizes still fit, the checksum does not.
    let mut bytes = fs::read(c.join("runs.bin")).unwrap();
    bytes[1000] ^= 0x10;
    fs::write(c.join("runs.bin"), &bytes).unwrap();
    let flipped = merge(&[&a, &b, &c]);
    assert!(
        flipped.contains("does not match the checksum") && flipped.contains("/c"),
        "{flipped}"
    );
    bytes[1000] ^= 0x10;
    fs::write(c.join("runs.bin"), &bytes).unwrap();
    fs::write(b.join("runs.bin"), b"truncated").unwrap();
    let damaged = merge(&[&a, &b, &c]);
    assert!(
        damaged.contains("runs.bin") && damaged.contains("truncated"),
        "{damaged}"
    );
}
