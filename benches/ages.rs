//! Runs per second with and without ages: the shipped Zhangjiagang baseline against the same
//! region with `[ages]` (scenarios/zhangjiagang-aged.toml), one thread, process noise on.
//!
//! `cargo bench --bench ages` reports the time of the runs alone (no summary) for each; the
//! aged step draws per (level, group, age) cell, so its cost grows with the number of
//! occupied cells (5 levels x 3 groups x 55 ages here), where the unaged step draws per
//! level. Divide the runs by the time for runs per second.

use std::hint::black_box;
use std::path::Path;

use talentsim::engine::{simulate, Job, Sampling};
use talentsim::scenario::{load, Scenario};

fn main() {
    divan::main();
}

fn shipped(name: &str) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("scenarios/{name}.toml"));
    load(&path).expect("a shipped scenario is valid")
}

fn job(runs: u64) -> Job {
    Job {
        runs,
        seed: 1,
        process_noise: true,
        threads: Some(1),
        verify: false,
        sampling: Sampling::Fast,
    }
}

/// The baseline without ages: runs only, one thread.
#[divan::bench(args = [1_000], sample_count = 10)]
fn unaged(bencher: divan::Bencher, runs: u64) {
    let s = shipped("zhangjiagang-baseline");
    let job = job(runs);
    bencher.bench(|| black_box(simulate(&s, &job, &|_| {}).expect("runs")));
}

/// The same region with `[ages]` and the china-2025 rule: runs only, one thread.
#[divan::bench(args = [1_000], sample_count = 10)]
fn aged(bencher: divan::Bencher, runs: u64) {
    let s = shipped("zhangjiagang-aged");
    let job = job(runs);
    bencher.bench(|| black_box(simulate(&s, &job, &|_| {}).expect("runs")));
}
