//! Benchmarks of the simulator on the shipped Zhangjiagang baseline.
//!
//! `cargo bench --bench simulate` reports the time of a whole job (central path, runs and
//! summary) at several run counts, the cost of the runs alone, single-threaded, so that
//! time per run-year can be read off (divide by runs x 6 projected years), and the
//! summary alone.
//!
//! `bare_sampling_loop` is the irreducible cost the runs are compared with: it draws the
//! same random numbers as the runs (each run's stream and parameter uniforms, every
//! parameter value through its inverse CDF, and per projected year the same binomial and
//! Poisson counts through the same sampler, at the central path's sizes and rates) and
//! does nothing else: no model step, no metrics, no result table.

use std::hint::black_box;
use std::path::Path;

use talentsim::engine::{noise_rng, simulate, Job, ParamStreams, Sampling, CHUNK_RUNS};
use talentsim::model::{
    central_params, step, Draw, Expected, Flows, Noisy, NoisyExact, ParamPlan, RunParams, State,
};
use talentsim::scenario::{load, Scenario};
use talentsim::stats::summarize;

fn main() {
    divan::main();
}

fn baseline() -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/zhangjiagang-baseline.toml");
    load(&path).expect("the shipped baseline is valid")
}

fn job(runs: u64, process_noise: bool, threads: Option<usize>) -> Job {
    Job {
        runs,
        seed: 1,
        process_noise,
        threads,
        verify: false,
        sampling: Sampling::Fast,
    }
}

/// Runs only (no summary), one thread, with parameter uncertainty and process noise.
#[divan::bench(args = [10_000, 100_000], sample_count = 10)]
fn runs_one_thread(bencher: divan::Bencher, runs: u64) {
    let s = baseline();
    let job = job(runs, true, Some(1));
    bencher.bench(|| simulate(&s, &job, &|_| {}).expect("runs"));
}

/// As `runs_one_thread`, with every count drawn exactly (`--exact`).
#[divan::bench(args = [10_000], sample_count = 10)]
fn runs_one_thread_exact(bencher: divan::Bencher, runs: u64) {
    let s = baseline();
    let job = job(runs, true, Some(1));
    let job = Job {
        sampling: Sampling::Exact,
        ..job
    };
    bencher.bench(|| simulate(&s, &job, &|_| {}).expect("runs"));
}

/// Runs only, without process noise: the cost of parameter draws and expected flows.
#[divan::bench(args = [10_000], sample_count = 10)]
fn runs_expected_flows(bencher: divan::Bencher, runs: u64) {
    let s = baseline();
    let job = job(runs, false, Some(1));
    bencher.bench(|| simulate(&s, &job, &|_| {}).expect("runs"));
}

/// A binomial or Poisson count the model draws: `(is_binomial, n or lambda, p)`.
type Call = (bool, f64, f64);

/// Records the draws of a step instead of making them (returning expected values).
struct Record(Vec<Call>);

impl Draw for Record {
    fn binomial(&mut self, n: f64, p: f64) -> f64 {
        self.0.push((true, n.round(), p));
        Expected.binomial(n, p)
    }

    fn poisson(&mut self, lambda: f64) -> f64 {
        self.0.push((false, 0.0, lambda));
        Expected.poisson(lambda)
    }
}

/// The draws of every projected year along the central path.
fn central_draws(s: &Scenario) -> Vec<Vec<Call>> {
    let params = central_params(s);
    let mut state = State::initial(s);
    let mut flows = Flows::default();
    params
        .years
        .iter()
        .map(|y| {
            let mut rec = Record(Vec::new());
            step(s, y, &mut state, &mut rec, &mut flows);
            rec.0
        })
        .collect()
}

/// The irreducible cost of `runs_one_thread`: the same random numbers, drawn the same way,
/// nothing else.
#[divan::bench(args = [10_000, 100_000], sample_count = 10)]
fn bare_sampling_loop(bencher: divan::Bencher, runs: u64) {
    bare_loop(bencher, runs, false);
}

/// The irreducible cost of `runs_one_thread_exact`.
#[divan::bench(args = [10_000], sample_count = 10)]
fn bare_sampling_loop_exact(bencher: divan::Bencher, runs: u64) {
    bare_loop(bencher, runs, true);
}

/// Times `runs` runs' draws: each chunk's parameters one parameter at a time across its
/// runs (as the engine draws them), then each run's counts ([`noise_draws`]).
fn bare_loop(bencher: divan::Bencher, runs: u64, exact: bool) {
    let s = baseline();
    let calls = central_draws(&s);
    bencher.bench(|| {
        // As in the engine: one parameter plan per job.
        let plan = ParamPlan::new(&s);
        let mut params = vec![RunParams::default(); CHUNK_RUNS];
        let mut results = vec![Ok(()); CHUNK_RUNS];
        let mut total = 0.0;
        for first in (0..runs).step_by(CHUNK_RUNS) {
            let n = (runs - first).min(CHUNK_RUNS as u64) as usize;
            let mut streams: Vec<ParamStreams<'_>> = (0..n as u64)
                .map(|i| ParamStreams::new(1, first + i, 0, &[]))
                .collect();
            plan.sample_each(&mut streams, &mut params[..n], &mut results[..n]);
            for (i, p) in params[..n].iter().enumerate() {
                total += p.years[0].exit[0] + noise_draws(first + i as u64, &calls, exact);
            }
        }
        black_box(total)
    });
}

/// Draws one run's counts and nothing else; returns their sum.
fn noise_draws(run: u64, calls: &[Vec<Call>], exact: bool) -> f64 {
    let mut rng = noise_rng(1, run);
    let mut sum = 0.0;
    if exact {
        let mut d = NoisyExact(&mut rng);
        for &(binomial, n, p) in calls.iter().flatten() {
            sum += if binomial {
                d.binomial(n, p)
            } else {
                d.poisson(p)
            };
        }
    } else {
        let mut d = Noisy(&mut rng);
        for &(binomial, n, p) in calls.iter().flatten() {
            sum += if binomial {
                d.binomial(n, p)
            } else {
                d.poisson(p)
            };
        }
    }
    sum
}

/// A whole job as `run` does it: runs on every core, then the summary.
#[divan::bench(args = [10_000, 100_000], sample_count = 5)]
fn job_all_threads(bencher: divan::Bencher, runs: u64) {
    let s = baseline();
    let job = job(runs, true, None);
    bencher.bench(|| {
        let sim = simulate(&s, &job, &|_| {}).expect("runs");
        summarize(&s, &sim, job.seed, job.process_noise)
    });
}

/// The summary alone (every metric's moments and quantiles in every year, the target
/// probabilities and distributions), on every core, of a job simulated beforehand.
#[divan::bench(args = [100_000], sample_count = 10)]
fn summary_all_threads(bencher: divan::Bencher, runs: u64) {
    let s = baseline();
    let job = job(runs, true, None);
    let sim = simulate(&s, &job, &|_| {}).expect("runs");
    bencher.bench(|| summarize(&s, &sim, job.seed, job.process_noise));
}
