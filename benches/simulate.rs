//! Benchmarks of the simulator on the shipped Zhangjiagang baseline.
//!
//! `cargo bench --bench simulate` reports the time of a whole job (central path, runs and
//! summary) at several run counts, the cost of the runs alone, single-threaded, so that
//! time per run-year can be read off (divide by runs x 6 projected years), and the
//! summary alone.
//!
//! `bare_sampling_loop` is the irreducible cost the runs are compared with: it draws the
//! same random numbers as the runs and does nothing else (no model step, no metrics, no
//! result table). Each run's parameter uniforms and values are drawn as the engine draws
//! them, and its process-noise counts are replayed from a recording made before timing:
//! the same binomial and Poisson calls, with the same sizes and rates, from the run's own
//! generator, so the values drawn are the runs' own (checked bit for bit while recording).
//! Counts drawn at each run's own sizes take the same branches as the runs (Cornish-Fisher
//! or exact, by each count's variance).

use std::hint::black_box;
use std::path::Path;

use talentsim::engine::{first_attempts, noise_rng, simulate, Job, Sampling, CHUNK_RUNS};
use talentsim::model::{step, Draw, Flows, Noisy, NoisyExact, ParamPlan, RunParams, State};
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

/// A count a run draws: `(n, p)` for a binomial, `(POISSON, lambda)` for a Poisson.
type Call = (f64, f64);

/// Marks a Poisson count in a [`Call`] (a binomial's `n` is never negative).
const POISSON: f64 = -1.0;

/// Draws with `D`, recording each count's arguments and adding up the values drawn.
struct Record<'c, D> {
    draw: D,
    calls: &'c mut Vec<Call>,
    sum: f64,
}

impl<D: Draw> Draw for Record<'_, D> {
    fn binomial(&mut self, n: f64, p: f64) -> f64 {
        self.calls.push((n, p));
        let x = self.draw.binomial(n, p);
        self.sum += x;
        x
    }

    fn poisson(&mut self, lambda: f64) -> f64 {
        self.calls.push((POISSON, lambda));
        let x = self.draw.poisson(lambda);
        self.sum += x;
        x
    }
}

/// The counts every run of a job draws, in drawing order: run `i`'s are
/// `calls[ends[i - 1]..ends[i]]` (from 0 for run 0).
struct Draws {
    calls: Vec<Call>,
    ends: Vec<usize>,
}

impl Draws {
    fn run(&self, i: usize) -> &[Call] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.calls[start..self.ends[i]]
    }
}

/// Draws the parameters of the chunk of runs from `first` (at most [`CHUNK_RUNS`] of
/// `runs`) as the engine does ([`first_attempts`]) into `params` and `results`; returns
/// the chunk's number of runs.
fn chunk_params(
    plan: &ParamPlan<'_>,
    first: u64,
    runs: u64,
    params: &mut [RunParams],
    results: &mut [Result<(), usize>],
) -> usize {
    let n = (runs - first).min(CHUNK_RUNS as u64) as usize;
    first_attempts(
        plan,
        1,
        first,
        &[],
        None,
        &mut params[..n],
        &mut results[..n],
    );
    n
}

/// Projects one run with `draw`, appending its counts to `calls`; returns the sum of the
/// values drawn.
fn record_run<D: Draw>(s: &Scenario, p: &RunParams, draw: D, calls: &mut Vec<Call>) -> f64 {
    let mut d = Record {
        draw,
        calls,
        sum: 0.0,
    };
    let (mut state, mut flows) = (State::initial(s), Flows::default());
    for year in &p.years {
        step(s, year, &mut state, &mut d, &mut flows);
    }
    d.sum
}

/// Records the counts that runs `0..runs` of the benchmarked job draw: each run projected
/// from its parameter set (drawn as the engine draws it) with its own generator. Checks
/// that [`replay`] draws the very same values from the recording, so the bare loop makes
/// the runs' random numbers and no others.
///
/// # Panics
/// If a run's first parameter set is invalid (the engine would draw it again; no run of
/// the baseline needs that at these run counts), or a replay differs.
fn recorded_draws(s: &Scenario, runs: u64, exact: bool) -> Draws {
    let plan = ParamPlan::new(s);
    let mut params = vec![RunParams::default(); CHUNK_RUNS];
    let mut results = vec![Ok(()); CHUNK_RUNS];
    let mut draws = Draws {
        calls: Vec::new(),
        ends: Vec::new(),
    };
    for first in (0..runs).step_by(CHUNK_RUNS) {
        let n = chunk_params(&plan, first, runs, &mut params, &mut results);
        assert!(
            results[..n].iter().all(Result::is_ok),
            "a run's parameters would be drawn again"
        );
        for (i, p) in params[..n].iter().enumerate() {
            let run = first + i as u64;
            let start = draws.calls.len();
            let mut rng = noise_rng(1, run);
            let sum = if exact {
                record_run(s, p, NoisyExact(&mut rng), &mut draws.calls)
            } else {
                record_run(s, p, Noisy(&mut rng), &mut draws.calls)
            };
            let replayed = replay(run, &draws.calls[start..], exact);
            assert_eq!(replayed.to_bits(), sum.to_bits(), "run {run}");
            draws.ends.push(draws.calls.len());
        }
    }
    draws
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
/// runs (as the engine draws them), then each run's counts, replayed from the recording
/// ([`recorded_draws`], made before timing).
fn bare_loop(bencher: divan::Bencher, runs: u64, exact: bool) {
    let s = baseline();
    let draws = recorded_draws(&s, runs, exact);
    bencher.bench(|| {
        // As in the engine: one parameter plan per job.
        let plan = ParamPlan::new(&s);
        let mut params = vec![RunParams::default(); CHUNK_RUNS];
        let mut results = vec![Ok(()); CHUNK_RUNS];
        let mut total = 0.0;
        for first in (0..runs).step_by(CHUNK_RUNS) {
            let n = chunk_params(&plan, first, runs, &mut params, &mut results);
            for (i, p) in params[..n].iter().enumerate() {
                let run = first + i as u64;
                total += p.years[0].exit[0] + replay(run, draws.run(run as usize), exact);
            }
        }
        black_box(total)
    });
}

/// Draws run `run`'s recorded counts from its generator and nothing else; returns their
/// sum.
fn replay(run: u64, calls: &[Call], exact: bool) -> f64 {
    let mut rng = noise_rng(1, run);
    if exact {
        replay_with(NoisyExact(&mut rng), calls)
    } else {
        replay_with(Noisy(&mut rng), calls)
    }
}

/// Draws `calls` with `d`; returns their sum.
fn replay_with<D: Draw>(mut d: D, calls: &[Call]) -> f64 {
    let mut sum = 0.0;
    for &(n, p) in calls {
        sum += if n == POISSON {
            d.poisson(p)
        } else {
            d.binomial(n, p)
        };
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
