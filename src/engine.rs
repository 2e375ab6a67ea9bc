//! The engine: the central path and the Monte Carlo runs of a scenario.
//!
//! Owns random streams and parallelism, and nothing else: run `i`'s process noise draws
//! from its own `Xoshiro256PlusPlus` generator seeded from `(seed, i)` ([`noise_rng`]), and draw `d` of each
//! uncertain parameter `p` of run `i` is a counter-based hash of `(seed, i, attempt, p, d)`
//! ([`ParamStreams`]), so a run's numbers depend only on `(seed, i)`: not on the thread
//! count, the chunking, or how many other runs there are; and fixing one parameter (a
//! lever) leaves every other parameter's draws unchanged (common random numbers).
//! Runs are made in chunks of [`CHUNK_RUNS`]: a chunk draws its runs' parameters one
//! parameter at a time, projects its runs into a row buffer, and copies the rows into its
//! own columns of one column-major table; the only shared state is a progress counter
//! (and [`runs_finished`], the process's count of finished runs, which progress displays
//! poll; neither affects any result).

use ndarray::{Array2, ArrayViewMut2, Axis, ShapeBuilder};
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use rayon::prelude::*;

use crate::model::slots::PosteriorDraws;
use crate::model::{
    central_params, step, step_aged, AgedState, Draw, Expected, Flows, Noisy, NoisyExact,
    ParamPlan, RunParams, State, Uniforms,
};
use crate::scenario::{Ages, Metric, Scenario, AGE_METRICS};

/// Runs finished by every job of this process: progress displays poll it, since the
/// analysis commands make many jobs. It only counts; no result depends on it.
static RUNS_FINISHED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Returns the number of Monte Carlo runs this process has finished so far, over all jobs.
pub fn runs_finished() -> u64 {
    RUNS_FINISHED.load(std::sync::atomic::Ordering::Relaxed)
}

/// How a job runs: overrides of the scenario's `[monte_carlo]` and the thread count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Job {
    /// Number of runs (>= 1).
    pub runs: u64,
    /// Seed of the per-run streams.
    pub seed: u64,
    /// Whether flows are random.
    pub process_noise: bool,
    /// Worker threads; `None` uses every core.
    pub threads: Option<usize>,
    /// Whether every run checks its invariants (flows balance, stocks finite and
    /// non-negative). Debug builds always check.
    pub verify: bool,
    /// How process noise is drawn.
    pub sampling: Sampling,
}

impl Job {
    /// Returns the job the scenario's `[monte_carlo]` table describes.
    pub fn from_scenario(scenario: &Scenario) -> Job {
        let mc = scenario.monte_carlo;
        Job {
            runs: mc.runs,
            seed: mc.seed,
            process_noise: mc.process_noise,
            threads: None,
            verify: false,
            sampling: Sampling::Fast,
        }
    }
}

/// Everything a job computed: per-run metric values and the central path.
#[derive(Debug, Clone)]
pub struct Simulation {
    /// Metrics, in output order.
    pub metrics: Vec<Metric>,
    /// Years from `start_year` to `end_year`.
    pub years: Vec<i32>,
    /// Central path: `central[year * n_metrics + metric]`.
    pub central: Vec<f64>,
    /// One row per run, laid out like `central`, stored column-major (each column, one
    /// metric in one year over every run, is contiguous: the summary reads columns). NaN
    /// marks an undefined share.
    pub values: Array2<f64>,
    /// Runs whose parameter set had to be drawn again, by the level that overflowed.
    pub redrawn_by_level: Vec<u64>,
    /// With `[ages]`, the central path's stock by cell ([`central_ages`]); else empty.
    pub central_ages: Vec<f64>,
}

impl Simulation {
    /// Returns the column of `values` (and index of `central`) of a year and metric.
    pub fn column(&self, year_index: usize, metric_index: usize) -> usize {
        year_index * self.metrics.len() + metric_index
    }

    /// Returns the run table column-major: column `c` of every run is
    /// `[c * runs..(c + 1) * runs]` (borrowed, as the table is stored that way).
    pub fn columns(&self) -> std::borrow::Cow<'_, [f64]> {
        let t = self.values.t();
        match t.to_slice() {
            Some(s) => std::borrow::Cow::Borrowed(s),
            None => std::borrow::Cow::Owned(t.iter().copied().collect()),
        }
    }
}

/// Why a job could not run.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// Too many runs drew rates out of a level above 1.
    #[error(
        "in {runs} of {total} runs the drawn rates out of level `{level}` (attrition + upgrades + transitions) \
         exceeded 1 and were drawn again; more than 1% of runs is an error, not something to clip: \
         narrow the distributions of that level's rates"
    )]
    Redraws {
        /// Level name.
        level: String,
        /// Runs affected.
        runs: u64,
        /// Runs in the job.
        total: u64,
    },
    /// The result table would not fit in memory.
    #[error("refusing to start: {runs} runs need about {needed} MiB of memory for their results but about {available} MiB is available; use at most about {max_runs} runs")]
    TooLarge {
        /// Runs requested.
        runs: u64,
        /// Estimated MiB needed.
        needed: u64,
        /// MiB available.
        available: u64,
        /// Runs that would fit.
        max_runs: u64,
    },
    /// A calibrated scenario's posterior does not fit its parameters.
    #[error("{}: {message}", .path.display())]
    Posterior {
        /// The posterior file.
        path: std::path::PathBuf,
        /// What does not fit.
        message: String,
    },
    /// A self-check failed: a bug in talentsim, never a property of the scenario.
    #[error("self-check failed: {0}; no results were written. This is a bug in talentsim: please report it with the scenario file")]
    Invariant(String),
    /// The thread pool could not be built.
    #[error("cannot start {0} worker threads")]
    Threads(usize),
}

/// How process noise is drawn.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Sampling {
    /// Exact draws for small counts, the Cornish-Fisher approximation for counts of
    /// variance at least [`crate::model::APPROX_MIN_VARIANCE`] ([`Noisy`]).
    #[default]
    Fast,
    /// Exact binomial and Poisson draws for every count ([`NoisyExact`]; `--exact`).
    Exact,
}

/// Runs per unit of parallel work, whose parameters are drawn together.
pub const CHUNK_RUNS: usize = 64;
/// Draws of a run's parameter set before the run is declared impossible.
const MAX_ATTEMPTS: usize = 1_000;

/// Computes the central path and every run of a job.
///
/// `progress` is called from worker threads with the number of runs just finished.
///
/// # Errors
/// [`EngineError`] when the results would not fit in memory, the threads cannot start, or
/// more than 1% of runs needed their parameters drawn again.
pub fn simulate(
    scenario: &Scenario,
    job: &Job,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Simulation, EngineError> {
    simulate_pinned(scenario, job, &[], progress)
}

/// How one uncertain parameter is set in every run of a pinned job.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Pin {
    /// Drawn from its own uniforms, as in [`simulate`].
    Random,
    /// At its central value.
    Central,
    /// At the given quantile (a uniform in (0, 1)) of its distribution.
    Quantile(f64),
}

/// Like [`simulate`], with parameter `p` (numbered as by [`crate::model::param_index`]) set
/// as `pins[p]` says; parameters beyond `pins` are drawn.
///
/// # Errors
/// As [`simulate`].
pub fn simulate_pinned(
    scenario: &Scenario,
    job: &Job,
    pins: &[Pin],
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Simulation, EngineError> {
    let sim = simulate_range(scenario, job, pins, 0..job.runs, progress)?;
    check_redraws(scenario, &sim.redrawn_by_level, job.runs)?;
    Ok(sim)
}

/// Computes the central path and runs `runs` of a job (a shard of it): row `i` of the
/// result is run `runs.start + i`, with the same numbers as in the whole job. The share of
/// redrawn runs is not checked: [`check_redraws`] does that once the shards are combined.
///
/// # Errors
/// [`EngineError`] when the results would not fit in memory, the threads cannot start, or
/// a self-check fails.
pub fn simulate_runs(
    scenario: &Scenario,
    job: &Job,
    runs: std::ops::Range<u64>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Simulation, EngineError> {
    simulate_range(scenario, job, &[], runs, progress)
}

/// Returns the central path, laid out like a row of [`Simulation::values`]: every
/// parameter at its central value, or, for a calibrated scenario, the calibrated ones at
/// their posterior medians. Its invariants are always checked: it is one run.
///
/// # Errors
/// [`EngineError::Invariant`] when a self-check fails.
pub fn central_path(scenario: &Scenario) -> Result<Vec<f64>, EngineError> {
    let row = (scenario.horizon() + 1) * scenario.metrics().len();
    let mut central = vec![0.0; row];
    let params = match posterior_draws(scenario)? {
        // A calibrated scenario's central values are its posterior medians.
        Some(posterior) => {
            let mut params = RunParams::default();
            let mut medians = posterior.medians();
            ParamPlan::new(scenario)
                .sample(&mut medians, &mut params)
                .map(|()| params)
                .unwrap_or_else(|_| central_params(scenario))
        }
        None => central_params(scenario),
    };
    project(scenario, &params, &mut Expected, &mut central, true)
        .map_err(|e| EngineError::Invariant(format!("central path: {e}")))?;
    Ok(central)
}

/// Returns the central path's stock of every (level, group, age) cell
/// (`(level * 3 + group) * span + age - min`), year after year from `start_year`; empty
/// for a scenario without `[ages]`.
pub fn central_ages(scenario: &Scenario) -> Vec<f64> {
    let Some(ages) = &scenario.ages else {
        return Vec::new();
    };
    let params = central_params(scenario);
    let (mut aged, mut flows) = (AgedState::default(), Flows::default());
    aged.start(scenario, ages, &mut Expected);
    let mut out = aged.cells.clone();
    for (i, year) in params.years.iter().enumerate() {
        let y = scenario.start_year + 1 + i as i32;
        step_aged(
            scenario,
            ages,
            y,
            year,
            &mut aged,
            &mut Expected,
            &mut flows,
        );
        out.extend_from_slice(&aged.cells);
    }
    out
}

/// Refuses a job in which more than 1% of `total` runs needed their parameters drawn again.
///
/// # Errors
/// [`EngineError::Redraws`] naming the level that overflowed most often.
pub fn check_redraws(
    scenario: &Scenario,
    redrawn_by_level: &[u64],
    total: u64,
) -> Result<(), EngineError> {
    let worst = (0..redrawn_by_level.len())
        .max_by_key(|&l| redrawn_by_level[l])
        .unwrap_or(0);
    let redrawn_runs: u64 = redrawn_by_level.iter().sum();
    if redrawn_runs.saturating_mul(100) > total {
        return Err(EngineError::Redraws {
            level: scenario.levels[worst].clone(),
            runs: redrawn_by_level[worst],
            total,
        });
    }
    Ok(())
}

fn simulate_range(
    scenario: &Scenario,
    job: &Job,
    pins: &[Pin],
    range: std::ops::Range<u64>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Simulation, EngineError> {
    let metrics = scenario.metrics();
    let years: Vec<i32> = (scenario.start_year..=scenario.end_year).collect();
    let row = years.len() * metrics.len();
    let count = range.end.saturating_sub(range.start);
    let runs = usize::try_from(count).unwrap_or(usize::MAX);
    check_memory(count, row)?;
    let verify = job.verify || cfg!(debug_assertions);

    let central = central_path(scenario)?;
    let posterior = posterior_draws(scenario)?;

    // Column-major: column `j` of every run is `values[j * runs..(j + 1) * runs]`.
    let mut values = vec![0.0; runs * row];
    let mut work = || -> Vec<(Vec<u64>, Option<String>)> {
        prepare_tables(scenario);
        let plan = ParamPlan::new(scenario);
        let ctx = RunContext {
            plan: &plan,
            job,
            pins,
            posterior: posterior.as_ref(),
            verify,
        };
        let mut table =
            ArrayViewMut2::from_shape((row, runs), &mut values).expect("row x runs cells");
        table
            .axis_chunks_iter_mut(Axis(1), CHUNK_RUNS)
            .into_par_iter()
            .enumerate()
            .map_init(RunScratch::default, |scratch, (c, mut block)| {
                let mut redrawn = vec![0; scenario.levels.len()];
                let mut failed = None;
                let first = range.start + (c * CHUNK_RUNS) as u64;
                let n = block.ncols();
                scratch.params.resize_with(n, RunParams::default);
                scratch.first.resize(n, Ok(()));
                first_attempts(
                    &plan,
                    job.seed,
                    first,
                    pins,
                    posterior.as_ref(),
                    &mut scratch.params[..n],
                    &mut scratch.first[..n],
                );
                // The chunk's rows, one after the other, then copied into its columns.
                let mut rows = std::mem::take(&mut scratch.rows);
                rows.resize(n * row, 0.0);
                for (i, out) in rows.chunks_exact_mut(row).enumerate() {
                    let run = first + i as u64;
                    match run_one(&ctx, run, i, scratch, out) {
                        Ok(Some(level)) => redrawn[level] += 1,
                        Ok(None) => {}
                        Err(e) => {
                            failed.get_or_insert(format!("run {run}: {e}"));
                        }
                    }
                }
                // Each column's cells of this chunk are contiguous: a plain strided gather.
                for (j, mut column) in block.rows_mut().into_iter().enumerate() {
                    let cells = column
                        .as_slice_mut()
                        .expect("a chunk's cells of one column are contiguous");
                    for (x, r) in cells.iter_mut().zip(rows.chunks_exact(row)) {
                        *x = r[j];
                    }
                }
                scratch.rows = rows;
                RUNS_FINISHED.fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
                progress(n as u64);
                (redrawn, failed)
            })
            .collect()
    };
    let chunks = match job.threads {
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .map_err(|_| EngineError::Threads(n))?
            .install(work),
        None => work(),
    };

    if let Some(e) = chunks.iter().find_map(|(_, failed)| failed.clone()) {
        return Err(EngineError::Invariant(e));
    }
    let mut redrawn_by_level = vec![0; scenario.levels.len()];
    for (c, _) in &chunks {
        redrawn_by_level
            .iter_mut()
            .zip(c)
            .for_each(|(a, b)| *a += b);
    }
    let values =
        Array2::from_shape_vec((runs, row).f(), values).expect("the table has runs x row cells");
    Ok(Simulation {
        metrics,
        years,
        central,
        values,
        redrawn_by_level,
        central_ages: central_ages(scenario),
    })
}

/// Returns a calibrated scenario's posterior draws, matched with its parameters.
///
/// # Errors
/// [`EngineError::Posterior`] when the posterior lacks a parameter the scenario draws.
pub fn posterior_draws(scenario: &Scenario) -> Result<Option<PosteriorDraws>, EngineError> {
    scenario
        .calibration
        .as_ref()
        .map(|c| {
            PosteriorDraws::new(scenario, &c.table).map_err(|message| EngineError::Posterior {
                path: c.posterior.clone(),
                message,
            })
        })
        .transpose()
}

/// Draws the first attempt at the parameters of runs `first..first + params.len()` of a
/// job seeded `seed`, as the engine does for each chunk: one parameter at a time across
/// the runs ([`ParamPlan::sample_each`]), `results[i]` telling whether run `first + i`'s
/// set is valid.
///
/// # Panics
/// If `params` and `results` differ in length.
pub fn first_attempts(
    plan: &ParamPlan<'_>,
    seed: u64,
    first: u64,
    pins: &[Pin],
    posterior: Option<&PosteriorDraws>,
    params: &mut [RunParams],
    results: &mut [Result<(), usize>],
) {
    let mut streams: Vec<ParamStreams<'_>> = (0..params.len() as u64)
        .map(|i| {
            ParamStreams::new(seed, first + i, 0, pins).with_posterior(
                posterior,
                seed,
                first + i,
                0,
            )
        })
        .collect();
    plan.sample_each(&mut streams, params, results);
}

/// Returns `values` stored column-major, as [`Simulation::values`] is (a copy unless it
/// already is).
pub fn column_major(values: Array2<f64>) -> Array2<f64> {
    if values.t().is_standard_layout() {
        values
    } else {
        values.t().as_standard_layout().into_owned().reversed_axes()
    }
}

/// Builds the tabulated inverse CDFs of the scenario's beta and PERT distributions (once
/// per process), in parallel, before the runs need them.
pub fn prepare_tables(scenario: &Scenario) {
    let shapes: Vec<(f64, f64)> = crate::model::params_in_order(scenario)
        .iter()
        .flat_map(|(_, p, _)| p.dists())
        .filter_map(crate::scenario::Dist::beta_shape)
        .collect();
    crate::dist::beta_table::prepare(&shapes);
}

/// Buffers one worker reuses from chunk to chunk and run to run, so that a run allocates
/// nothing.
#[derive(Debug, Default)]
struct RunScratch {
    /// The parameters of each run of the chunk.
    params: Vec<RunParams>,
    /// The outcome of each run's first attempt at its parameters.
    first: Vec<Result<(), usize>>,
    /// The chunk's rows of results, run after run.
    rows: Vec<f64>,
    state: State,
    flows: Flows,
    before: Vec<f64>,
    aged: AgedState,
}

/// What every run of a job shares.
#[derive(Clone, Copy)]
struct RunContext<'a> {
    plan: &'a ParamPlan<'a>,
    job: &'a Job,
    pins: &'a [Pin],
    /// A calibrated scenario's posterior.
    posterior: Option<&'a PosteriorDraws>,
    /// Whether every step's invariants are checked.
    verify: bool,
}

/// Simulates run `run`, row `i` of its chunk, into `out`, from the first attempt at its
/// parameters in `scratch` (drawn again from attempt 1 on if it failed); returns the level
/// that forced a redraw, if any, or the invariant that failed.
fn run_one(
    ctx: &RunContext<'_>,
    run: u64,
    i: usize,
    scratch: &mut RunScratch,
    out: &mut [f64],
) -> Result<Option<usize>, String> {
    let RunContext {
        plan,
        job,
        pins,
        posterior,
        verify,
    } = *ctx;
    let scenario = plan.scenario();
    let mut rng = noise_rng(job.seed, run);
    let params = &mut scratch.params[i];
    let redrawn = scratch.first[i].err();
    if redrawn.is_some() {
        let valid = (1..MAX_ATTEMPTS).any(|attempt| {
            let mut streams = ParamStreams::new(job.seed, run, attempt as u64, pins)
                .with_posterior(posterior, job.seed, run, attempt as u64);
            plan.sample(&mut streams, params).is_ok()
        });
        if !valid {
            // No valid draw in MAX_ATTEMPTS: project the central parameters, which
            // validation guarantees are valid. The job then fails on the redraw share, so
            // these numbers never reach an output.
            *params = central_params(scenario);
        }
    }
    let buffers = Buffers {
        state: &mut scratch.state,
        flows: &mut scratch.flows,
        before: &mut scratch.before,
        aged: &mut scratch.aged,
    };
    match (job.process_noise, job.sampling) {
        (true, Sampling::Exact) => {
            project_into(
                scenario,
                params,
                &mut NoisyExact(&mut rng),
                buffers,
                out,
                verify,
            )?;
        }
        (true, Sampling::Fast) => {
            project_into(scenario, params, &mut Noisy(&mut rng), buffers, out, verify)?;
        }
        (false, _) => project_into(scenario, params, &mut Expected, buffers, out, verify)?,
    }
    Ok(redrawn)
}

/// The uniforms of one attempt at one run's parameter set: counter-based, so that draw `d`
/// of parameter `p` is a hash of `(seed, run, attempt, p, d)` ([`param_uniform`]), unless
/// `p` is pinned. A parameter's draws (several when it varies yearly or has a schedule)
/// are numbered in the order it asks for them.
#[derive(Debug)]
pub struct ParamStreams<'p> {
    key: u64,
    /// Draws made so far by parameters `0..INLINE_PARAMS`; `more` holds the rest.
    used: [u32; INLINE_PARAMS],
    more: Vec<u32>,
    pins: &'p [Pin],
    /// A calibrated scenario's posterior and the row this attempt takes.
    posterior: Option<(&'p PosteriorDraws, usize)>,
}

/// Parameters whose draw counters live inline in [`ParamStreams`] (no allocation).
const INLINE_PARAMS: usize = 32;

/// The `SplitMix64` increment (the golden ratio in 64 bits).
const GOLDEN: u64 = 0x9e37_79b9_7f4a_7c15;
/// Tags that keep the keys of parameter draws apart from other uses of the seed.
const TAG_PARAMS: u64 = 0x7061_7261_6d73_0001; // "params", 1
const TAG_COUNTER: u64 = 0x6472_6177_0000_0002; // "draw", 2
const TAG_NOISE: u64 = 0x6e6f_6973_6500_0003; // "noise", 3
const TAG_POSTERIOR: u64 = 0x706f_7374_0000_0004; // "post", 4

/// The `SplitMix64` output function (Stafford's "Mix13" variant of `MurmurHash3`'s
/// `fmix64`): a bijection of `u64` whose outputs on a counter pass `BigCrush`.
#[inline]
pub fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Returns the process-noise generator of run `run` of a job seeded `seed`: xoshiro256++
/// (Blackman and Vigna 2021) started from `(seed, run)` folded in through [`mix64`] (a
/// bijection of `run` for each seed, so every run of a job gets its own starting state,
/// spread over the generator's 2^256 period by `SplitMix64`, as `seed_from_u64` does).
/// A few instructions per number, where the ChaCha8 stream it replaces cost a 256-byte
/// block computation per 32 numbers.
#[inline]
pub fn noise_rng(seed: u64, run: u64) -> Xoshiro256PlusPlus {
    let key = mix64(
        mix64(seed ^ TAG_NOISE)
            .wrapping_add(run)
            .wrapping_mul(GOLDEN),
    );
    Xoshiro256PlusPlus::seed_from_u64(key)
}

/// Returns the key of attempt `attempt` at run `run` of a job seeded `seed`: each field is
/// folded in through [`mix64`], so distinct runs (or attempts) of one seed get distinct
/// keys.
#[inline]
pub fn param_key(seed: u64, run: u64, attempt: u64) -> u64 {
    mix64(
        mix64(
            mix64(seed ^ TAG_PARAMS)
                .wrapping_add(run)
                .wrapping_mul(GOLDEN),
        ) ^ attempt,
    )
}

/// Returns draw `draw` of parameter `param` under `key` ([`param_key`]): a uniform in the
/// open interval (0, 1) with 53 random bits. The counter `(param, draw)` is hashed on its
/// own and combined with the key, then hashed again, so neighbouring parameters, draws and
/// runs give unrelated numbers.
#[inline]
pub fn param_uniform(key: u64, param: usize, draw: u32) -> f64 {
    let counter = ((param as u64) << 32) | u64::from(draw);
    let bits = mix64(key ^ mix64(counter.wrapping_mul(GOLDEN) ^ TAG_COUNTER));
    ((bits >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64)
}

impl<'p> ParamStreams<'p> {
    /// Returns the uniforms of attempt `attempt` at run `run` of a job seeded `seed`.
    pub fn new(seed: u64, run: u64, attempt: u64, pins: &'p [Pin]) -> ParamStreams<'p> {
        ParamStreams {
            key: param_key(seed, run, attempt),
            used: [0; INLINE_PARAMS],
            more: Vec::new(),
            pins,
            posterior: None,
        }
    }

    /// Takes the calibrated parameters' uniforms from one row of `posterior`, the row
    /// `hash(seed, run, attempt) mod rows`: the draws of a run are jointly those of one
    /// posterior draw (their correlations kept), and a redraw takes another row.
    pub fn with_posterior(
        mut self,
        posterior: Option<&'p PosteriorDraws>,
        seed: u64,
        run: u64,
        attempt: u64,
    ) -> ParamStreams<'p> {
        self.posterior = posterior.filter(|p| !p.is_empty()).map(|p| {
            let h = mix64(param_key(seed, run, attempt) ^ TAG_POSTERIOR);
            (p, (h % p.len() as u64) as usize)
        });
        self
    }

    /// Returns the number of draws parameter `param` has made so far, and counts one more.
    fn count(&mut self, param: usize) -> u32 {
        let slot = if param < INLINE_PARAMS {
            &mut self.used[param]
        } else {
            let i = param - INLINE_PARAMS;
            if self.more.len() <= i {
                self.more.resize(i + 1, 0);
            }
            &mut self.more[i]
        };
        let d = *slot;
        *slot += 1;
        d
    }
}

impl Uniforms for ParamStreams<'_> {
    fn next(&mut self, param: usize) -> Option<f64> {
        match self.pins.get(param).copied().unwrap_or(Pin::Random) {
            Pin::Central => return None,
            Pin::Quantile(u) => return Some(u),
            Pin::Random => {}
        }
        let draw = self.count(param);
        if let Some((posterior, row)) = self.posterior {
            if let Some(u) = posterior.uniform(row, param, draw as usize) {
                return Some(u);
            }
        }
        Some(param_uniform(self.key, param, draw))
    }

    fn exact(&self, param: usize) -> bool {
        matches!(self.pins.get(param), Some(Pin::Quantile(_)))
            || self
                .posterior
                .is_some_and(|(p, _)| p.calibrated.get(param).copied().unwrap_or(false))
    }
}

/// Projects from the initial stock, writing every metric of every year into `out`; with
/// `verify`, checks every step's invariants.
pub(crate) fn project<D: Draw>(
    scenario: &Scenario,
    params: &RunParams,
    draw: &mut D,
    out: &mut [f64],
    verify: bool,
) -> Result<(), String> {
    let buffers = Buffers {
        state: &mut State::initial(scenario),
        flows: &mut Flows::default(),
        before: &mut Vec::new(),
        aged: &mut AgedState::default(),
    };
    project_into(scenario, params, draw, buffers, out, verify)
}

/// The working buffers of a projection, reused from run to run.
struct Buffers<'a> {
    state: &'a mut State,
    flows: &'a mut Flows,
    /// The stock before a step, kept when verifying.
    before: &'a mut Vec<f64>,
    /// The cells of a scenario with `[ages]`.
    aged: &'a mut AgedState,
}

/// Like [`project`], reusing `buffers`.
fn project_into<D: Draw>(
    scenario: &Scenario,
    params: &RunParams,
    draw: &mut D,
    buffers: Buffers<'_>,
    out: &mut [f64],
    verify: bool,
) -> Result<(), String> {
    if let Some(ages) = &scenario.ages {
        // The aged path is chosen once per run: the unaged step below never branches on it.
        return project_aged(scenario, ages, params, draw, buffers, out, verify);
    }
    let Buffers {
        state,
        flows,
        before,
        ..
    } = buffers;
    let n_metrics = scenario.levels.len() + 5;
    state.stock.clear();
    state.stock.extend_from_slice(&scenario.initial);
    state.high_skill_added = 0.0;
    let high0 = high_skill(scenario, state);
    record(scenario, state, high0, &mut out[..n_metrics]);
    for (i, year) in params.years.iter().enumerate() {
        if verify {
            before.clone_from(&state.stock);
        }
        step(scenario, year, state, draw, flows);
        if verify {
            let y = scenario.start_year + 1 + i as i32;
            check_step(scenario, before, state, flows).map_err(|e| format!("in {y}, {e}"))?;
        }
        record(
            scenario,
            state,
            high0,
            &mut out[(i + 1) * n_metrics..(i + 2) * n_metrics],
        );
    }
    Ok(())
}

/// Like [`project_into`] for a scenario with `[ages]`: the state is by (level, group, age)
/// cell ([`step_aged`]), and the age metrics follow the level columns.
fn project_aged<D: Draw>(
    scenario: &Scenario,
    ages: &Ages,
    params: &RunParams,
    draw: &mut D,
    buffers: Buffers<'_>,
    out: &mut [f64],
    verify: bool,
) -> Result<(), String> {
    let Buffers {
        state,
        flows,
        before,
        aged,
    } = buffers;
    let n = scenario.levels.len();
    let n_metrics = n + 5 + AGE_METRICS.len();
    aged.start(scenario, ages, draw);
    // The cells split each level's initial stock: its total is the scenario's, exactly
    // (summing the cells back would add rounding).
    state.stock.clear();
    state.stock.extend_from_slice(&scenario.initial);
    state.high_skill_added = 0.0;
    let high0 = high_skill(scenario, state);
    record_aged(
        scenario,
        ages,
        state,
        aged,
        high0,
        false,
        &mut out[..n_metrics],
    );
    for (i, year) in params.years.iter().enumerate() {
        let y = scenario.start_year + 1 + i as i32;
        if verify {
            before.clone_from(&state.stock);
        }
        step_aged(scenario, ages, y, year, aged, draw, flows);
        aged.level_totals(n, &mut state.stock);
        state.high_skill_added += flows.high_skill_added;
        if verify {
            check_step(scenario, before, state, flows).map_err(|e| format!("in {y}, {e}"))?;
        }
        record_aged(
            scenario,
            ages,
            state,
            aged,
            high0,
            true,
            &mut out[(i + 1) * n_metrics..(i + 2) * n_metrics],
        );
    }
    Ok(())
}

/// Writes the metrics of [`Scenario::metrics`] for one aged state; `stepped` says whether
/// the state's retirements belong to the year (not in the start year).
fn record_aged(
    scenario: &Scenario,
    ages: &Ages,
    state: &State,
    aged: &AgedState,
    high0: f64,
    stepped: bool,
    out: &mut [f64],
) {
    let n = scenario.levels.len();
    let hs = scenario.high_skill_from;
    record(scenario, state, high0, &mut out[..n + 5]);
    let (all, high) = if stepped {
        (aged.retired.iter().sum(), aged.retired[hs..].iter().sum())
    } else {
        (0.0, 0.0)
    };
    out[n + 5] = all;
    out[n + 6] = high;
    out[n + 7] = aged.mean_age(ages, 0..n);
    out[n + 8] = aged.mean_age(ages, hs..n);
}

/// Checks one step: every stock finite and non-negative, and each level's flows balance,
/// `n(t+1) = n(t) - exits - moves out - programme draws + moves in + arrivals`
/// (docs/model.md, the step), to rounding.
fn check_step(
    scenario: &Scenario,
    before: &[f64],
    after: &State,
    flows: &Flows,
) -> Result<(), String> {
    let mut expected = before.to_vec();
    for (l, e) in flows.exits.iter().enumerate() {
        expected[l] -= e;
    }
    for (m, mv) in scenario.moves.iter().enumerate() {
        expected[mv.from] -= flows.moved[m];
        expected[mv.to] += flows.moved[m];
    }
    for (k, inflow) in scenario.inflows.iter().enumerate() {
        if let Some(from) = inflow.from {
            expected[from] -= flows.taken[k];
        }
    }
    for (x, arrived) in expected.iter_mut().zip(&flows.arrived) {
        *x += arrived;
    }
    for (l, name) in scenario.levels.iter().enumerate() {
        let got = after.stock[l];
        if !got.is_finite() || got < 0.0 {
            return Err(format!("level `{name}` has the stock {got}"));
        }
        let scale = before[l].abs().max(got.abs()).max(1.0);
        if (got - expected[l]).abs() > 1e-9 * scale {
            return Err(format!(
                "the flows of level `{name}` do not balance: stock {got}, flows give {}",
                expected[l]
            ));
        }
    }
    if !after.high_skill_added.is_finite() || after.high_skill_added < 0.0 {
        return Err(format!("high_skill_added is {}", after.high_skill_added));
    }
    Ok(())
}

fn high_skill(scenario: &Scenario, state: &State) -> f64 {
    state.stock[scenario.high_skill_from..].iter().sum()
}

/// Writes the metrics of [`Metric::all`] for one state.
fn record(scenario: &Scenario, state: &State, high0: f64, out: &mut [f64]) {
    let total: f64 = state.stock.iter().sum();
    let high = high_skill(scenario, state);
    out[0] = total;
    out[1] = high;
    out[2] = if total > 0.0 { high / total } else { f64::NAN };
    out[3] = state.high_skill_added;
    out[4] = high - high0;
    out[5..5 + state.stock.len()].copy_from_slice(&state.stock);
}

/// Refuses a job whose result table would not fit in the memory available.
///
/// # Errors
/// [`EngineError::TooLarge`] with the estimate.
pub fn check_memory(runs: u64, row: usize) -> Result<(), EngineError> {
    const MIB: u64 = 1 << 20;
    // The table, the summary's working columns (per core, a copy of one column and a
    // target's worst values and flags: two columns' worth) and 64 MiB for the rest.
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get() as u64);
    let per_run = (row as u64)
        .saturating_add(2 * cores)
        .saturating_mul(8)
        .max(1);
    let needed = runs.saturating_mul(per_run) / MIB + 64;
    let available = available_memory_mib().unwrap_or(8 * 1024);
    if needed > available * 8 / 10 {
        let max_runs = (available * 8 / 10).saturating_sub(64).saturating_mul(MIB) / per_run;
        return Err(EngineError::TooLarge {
            runs,
            needed,
            available,
            max_runs,
        });
    }
    Ok(())
}

/// Reads `MemAvailable` from /proc/meminfo where the system has one.
fn available_memory_mib() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024)
}
