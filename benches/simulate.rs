//! Benchmarks of the simulator on the shipped Zhangjiagang baseline.
//!
//! `cargo bench --bench simulate` reports the time of a whole job (central path, runs and
//! summary) at several run counts, and the cost of the runs alone, single-threaded, so
//! that time per run-year can be read off: divide by runs x 6 projected years.

use std::path::Path;

use talentsim::engine::{simulate, Job};
use talentsim::scenario::{load, Scenario};
use talentsim::stats::summarize;

fn main() {
    divan::main();
}

fn baseline() -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/zhangjiagang-baseline.toml");
    load(&path).expect("the shipped baseline is valid")
}

/// Runs only (no summary), one thread, with parameter uncertainty and process noise.
#[divan::bench(args = [1_000, 10_000], sample_count = 10)]
fn runs_one_thread(bencher: divan::Bencher, runs: u64) {
    let s = baseline();
    let job = Job {
        runs,
        seed: 1,
        process_noise: true,
        threads: Some(1),
        verify: false,
    };
    bencher.bench(|| simulate(&s, &job, &|_| {}).expect("runs"));
}

/// Runs only, without process noise: the cost of parameter draws and expected flows.
#[divan::bench(args = [10_000], sample_count = 10)]
fn runs_expected_flows(bencher: divan::Bencher, runs: u64) {
    let s = baseline();
    let job = Job {
        runs,
        seed: 1,
        process_noise: false,
        threads: Some(1),
        verify: false,
    };
    bencher.bench(|| simulate(&s, &job, &|_| {}).expect("runs"));
}

/// A whole job as `run` does it: runs on every core, then the summary.
#[divan::bench(args = [10_000, 100_000], sample_count = 5)]
fn job_all_threads(bencher: divan::Bencher, runs: u64) {
    let s = baseline();
    let job = Job {
        runs,
        seed: 1,
        process_noise: true,
        threads: None,
        verify: false,
    };
    bencher.bench(|| {
        let sim = simulate(&s, &job, &|_| {}).expect("runs");
        summarize(&s, &sim, job.seed, job.process_noise)
    });
}
