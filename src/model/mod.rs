//! The Markov manpower model: one year's step (docs/model.md, the step and conventions).
//!
//! `step` is pure: it takes the year's sampled parameters, the state and a [`Draw`]
//! (expected values, or random draws from a caller's generator) and returns the flows.
//! The same code therefore produces the central path and the process-noise runs. No I/O,
//! no threads, no global random state.

mod aged;
mod params;
pub mod retirement;
pub mod slots;

pub use crate::scenario::ParamRef;
pub use aged::{step_aged, AgedState};
pub use params::{
    central_params, param_index, params_in_order, sample_params, sample_params_with, ParamPlan,
    RunParams, SharedStream, Uniforms, YearParams,
};

use rand::Rng;
use rand_distr::{Binomial, Distribution, Poisson, StandardNormal};

use crate::scenario::Scenario;

/// Stocks by level at the end of a year, and the running high-skill additions.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct State {
    /// Stock by level (whole numbers under process noise).
    pub stock: Vec<f64>,
    /// Gross additions to the high-skill group since the start year.
    pub high_skill_added: f64,
}

impl State {
    /// Returns the state at the end of the start year.
    pub fn initial(scenario: &Scenario) -> State {
        State {
            stock: scenario.initial.clone(),
            high_skill_added: 0.0,
        }
    }
}

/// Everything that happened in one step, for checks and accounting.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Flows {
    /// People leaving, by level.
    pub exits: Vec<f64>,
    /// People moved by each of the scenario's moves (upgrades and transitions).
    pub moved: Vec<f64>,
    /// People taken from their level by each inflow (non-zero for programmes only).
    pub taken: Vec<f64>,
    /// People arriving at each level, from every inflow (entrants and programmes).
    pub arrived: Vec<f64>,
    /// People entering the high-skill group from outside it in this step.
    pub high_skill_added: f64,
    /// Working buffers of [`step`], kept here so that a step allocates nothing.
    scratch: StepScratch,
}

/// Per-level working buffers of one step.
#[derive(Debug, Clone, Default, PartialEq)]
struct StepScratch {
    next: Vec<f64>,
    stayers: Vec<f64>,
    remaining: Vec<f64>,
    means: Vec<f64>,
}

/// How the step turns probabilities and expected counts into flows.
pub trait Draw {
    /// Number of `n` people with outcome probability `p`.
    fn binomial(&mut self, n: f64, p: f64) -> f64;
    /// Number of arrivals with expected count `lambda`.
    fn poisson(&mut self, lambda: f64) -> f64;
    /// Tells whether counts are whole people (process noise) rather than expected values.
    fn whole(&self) -> bool {
        true
    }
}

/// Expected values: the deterministic (central-path) step.
#[derive(Debug, Clone, Copy, Default)]
pub struct Expected;

impl Draw for Expected {
    fn binomial(&mut self, n: f64, p: f64) -> f64 {
        n * p
    }

    fn poisson(&mut self, lambda: f64) -> f64 {
        lambda
    }

    fn whole(&self) -> bool {
        false
    }
}

/// Process noise: binomial outcomes and Poisson arrivals of whole people, drawn exactly
/// where a count's variance is below [`APPROX_MIN_VARIANCE`] and from the Cornish-Fisher
/// approximation ([`cornish_fisher`]) above it; [`NoisyExact`] always draws exactly.
#[derive(Debug)]
pub struct Noisy<'r, R: Rng>(pub &'r mut R);

/// Process noise drawn exactly: `rand_distr`'s binomial (BTPE, Kachitvichyanukul and
/// Schmeiser 1988) and Poisson samplers for every count.
#[derive(Debug)]
pub struct NoisyExact<'r, R: Rng>(pub &'r mut R);

/// Counts whose variance is at least this are drawn from the Cornish-Fisher
/// approximation by [`Noisy`]: its Kolmogorov-Smirnov distance to the exact binomial or
/// Poisson distribution is below [`APPROX_MAX_KS`] there (tested in `tests/sampling.rs`).
pub const APPROX_MIN_VARIANCE: f64 = 100.0;
/// Bound on the Kolmogorov-Smirnov distance of an approximated count to the exact one.
pub const APPROX_MAX_KS: f64 = 2e-4;

/// Returns a count with the given mean and sd whose skewness is `skew_sd / sd` and excess
/// kurtosis `kurt_var / sd^2`: the normal quantile `z` corrected to second order by the
/// Cornish-Fisher expansion (Cornish and Fisher 1937; Johnson, Kemp and Kotz 2005,
/// *Univariate Discrete Distributions*, 3.6.2),
///
/// `mean + sd (z + skew (z^2 - 1) / 6 + kurt z (z^2 - 3) / 24 - skew^2 z (2 z^2 - 5) / 36)`,
///
/// rounded to the nearest whole number and kept in `[0, max]`. It is computed with one
/// division: a binomial's skewness times its sd is `q - p` and its excess kurtosis times
/// its variance `1 - 6 p q`; a Poisson's are both 1.
#[inline]
pub fn cornish_fisher(mean: f64, sd: f64, skew_sd: f64, kurt_var: f64, max: f64, z: f64) -> f64 {
    const SIXTH: f64 = 1.0 / 6.0;
    const TWENTY_FOURTH: f64 = 1.0 / 24.0;
    const THIRTY_SIXTH: f64 = 1.0 / 36.0;
    let z2 = z * z;
    let second = kurt_var * TWENTY_FOURTH * z * (z2 - 3.0)
        - skew_sd * skew_sd * THIRTY_SIXTH * z * (2.0 * z2 - 5.0);
    let x = mean + sd * z + skew_sd * SIXTH * (z2 - 1.0) + second / sd;
    // `max` then `min` rather than `clamp`, which panics on a NaN bound.
    floor(x + 0.5).max(0.0).min(max)
}

/// Returns `x.floor()` for `|x| < 2^62` without a call into libm (the baseline x86-64
/// target has no rounding instruction); the clamp above keeps other values in range.
fn floor(x: f64) -> f64 {
    if cfg!(target_feature = "sse4.1") {
        // One rounding instruction.
        return x.floor();
    }
    if x.is_nan() || x.abs() >= 4.611_686_018_427_388e18 {
        return x.floor();
    }
    let t = x as i64 as f64;
    if t > x {
        t - 1.0
    } else {
        t
    }
}

impl<R: Rng> Draw for Noisy<'_, R> {
    #[inline(always)]
    fn binomial(&mut self, n: f64, p: f64) -> f64 {
        if n <= 0.0 || p <= 0.0 {
            return 0.0;
        }
        if p >= 1.0 {
            return n;
        }
        let q = 1.0 - p;
        let variance = n * p * q;
        if variance < APPROX_MIN_VARIANCE {
            return NoisyExact(&mut *self.0).binomial(n, p);
        }
        let z: f64 = self.0.sample(StandardNormal);
        cornish_fisher(n * p, variance.sqrt(), q - p, 1.0 - 6.0 * p * q, n, z)
    }

    #[inline(always)]
    fn poisson(&mut self, lambda: f64) -> f64 {
        if lambda < APPROX_MIN_VARIANCE {
            return NoisyExact(&mut *self.0).poisson(lambda);
        }
        let z: f64 = self.0.sample(StandardNormal);
        cornish_fisher(lambda, lambda.sqrt(), 1.0, 1.0, f64::INFINITY, z)
    }
}

impl<R: Rng> Draw for NoisyExact<'_, R> {
    fn binomial(&mut self, n: f64, p: f64) -> f64 {
        if n <= 0.0 || p <= 0.0 {
            return 0.0;
        }
        if p >= 1.0 {
            return n;
        }
        // Stocks are whole numbers below 2^53, so the conversion is exact.
        Binomial::new(n as u64, p).map_or(n * p, |b| b.sample(self.0) as f64)
    }

    fn poisson(&mut self, lambda: f64) -> f64 {
        if lambda <= 0.0 {
            return 0.0;
        }
        Poisson::new(lambda).map_or(lambda.round(), |d| d.sample(self.0))
    }
}

/// Returns the conditional probability of an outcome with probability `p` given that
/// outcomes with total probability `1 - remaining` did not happen.
fn conditional(p: f64, remaining: f64) -> f64 {
    if p <= 0.0 {
        0.0
    } else if remaining <= p {
        1.0
    } else {
        p / remaining
    }
}

/// Splits `count` people over `(level, share)` pairs: a multinomial draw made of
/// sequential binomials, or `count * share` under [`Expected`]. Hands each level's people
/// to `add`.
fn split<D: Draw>(
    count: f64,
    shares: &[(usize, f64)],
    draw: &mut D,
    mut add: impl FnMut(usize, f64),
) {
    let mut left = count;
    let mut remaining = 1.0;
    for (i, &(level, share)) in shares.iter().enumerate() {
        let n = if i + 1 == shares.len() {
            left
        } else {
            draw.binomial(left, conditional(share, remaining))
        };
        add(level, n);
        left -= n;
        remaining -= share;
    }
}

/// Advances the state one year with the year's parameters; returns the flows in `flows`.
///
/// Order within the year (docs/model.md, the step and conventions): each level's exits and moves are one
/// multinomial draw on its stock at the start of the year; programmes then take from
/// their level's stayers in file order, capped at what is left; new entrants arrive last
/// and are not exposed to exit or upgrade in their first year.
pub fn step<D: Draw>(
    scenario: &Scenario,
    params: &YearParams,
    state: &mut State,
    draw: &mut D,
    flows: &mut Flows,
) {
    let n = scenario.levels.len();
    let hs = scenario.high_skill_from;
    let Flows {
        exits,
        moved,
        taken,
        arrived,
        high_skill_added,
        scratch,
    } = flows;
    let StepScratch {
        next,
        stayers,
        remaining,
        means,
    } = scratch;
    // Sized once (the sizes change only with the scenario); every slot is set below.
    for v in [&mut *exits, &mut *arrived, next, stayers, remaining, means] {
        fit(v, n);
    }
    fit(moved, scenario.moves.len());
    fit(taken, scenario.inflows.len());
    // Slices of one known length, so that indexing by level needs no further checks.
    let (exits, arrived, next, stayers) = (
        &mut exits[..n],
        &mut arrived[..n],
        &mut next[..n],
        &mut stayers[..n],
    );
    let (remaining, means) = (&mut remaining[..n], &mut means[..n]);
    let stock = &mut state.stock[..n];
    let (exit_rates, inflow_means) = (&params.exit[..n], &params.inflow);
    let mut added = 0.0;

    // Each level's exits and moves are one multinomial draw on its stock: sequential
    // binomials, each conditional on the earlier outcomes not happening. Stayers start as
    // the whole stock; outcomes are removed one by one.
    for l in 0..n {
        let e = draw.binomial(stock[l], conditional(exit_rates[l], 1.0));
        exits[l] = e;
        stayers[l] = stock[l] - e;
        remaining[l] = 1.0 - exit_rates[l];
        next[l] = 0.0;
        arrived[l] = 0.0;
        means[l] = 0.0;
    }
    for (m, mv) in scenario.moves.iter().enumerate() {
        let rate = params.moves[m];
        let x = draw.binomial(stayers[mv.from], conditional(rate, remaining[mv.from]));
        stayers[mv.from] -= x;
        remaining[mv.from] -= rate;
        next[mv.to] += x;
        moved[m] = x;
        if mv.from < hs && mv.to >= hs {
            added += x;
        }
    }

    // Programmes, in file order: each takes from its level's stayers, capped at what is
    // left, and splits the people it certifies over its levels.
    for (k, inflow) in scenario.inflows.iter().enumerate() {
        let Some(from) = inflow.from else {
            taken[k] = 0.0;
            continue;
        };
        let count = draw.poisson(inflow_means[k]).min(stayers[from]).max(0.0);
        stayers[from] -= count;
        taken[k] = count;
        let mut to_high = 0.0;
        split(count, &inflow.split, draw, |level, people| {
            next[level] += people;
            arrived[level] += people;
            if level >= hs {
                to_high += people;
            }
        });
        if from < hs {
            added += to_high;
        }
    }

    // New entrants. Inflow k's arrivals at level l are Poisson(lambda_k s_kl), independent
    // across levels (a Poisson count split multinomially is independent Poissons), and a
    // sum of independent Poissons is Poisson, so each level's entrants from every inflow
    // are one Poisson draw of mean sum_k lambda_k s_kl: the same distribution as one
    // Poisson and a multinomial split per inflow, with fewer draws (docs/model.md, conventions).
    for (k, inflow) in scenario.inflows.iter().enumerate() {
        if inflow.from.is_none() {
            for &(level, share) in &inflow.split {
                means[level] += inflow_means[k] * share;
            }
        }
    }
    for l in 0..n {
        let entrants = draw.poisson(means[l]);
        next[l] += entrants;
        arrived[l] += entrants;
        if l >= hs {
            added += entrants;
        }
    }

    for l in 0..n {
        // Rounding in the expected-value path can leave -1e-12; stocks are never negative.
        stock[l] = (next[l] + stayers[l]).max(0.0);
    }
    *high_skill_added = added;
    state.high_skill_added += added;
}

/// Gives `v` the length `len` (its contents are then set by the caller).
fn fit(v: &mut Vec<f64>, len: usize) {
    if v.len() != len {
        v.resize(len, 0.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditional_probabilities_rebuild_a_multinomial() {
        // Outcomes 0.1, 0.2, 0.3 in turn: each conditional on the earlier ones not happening.
        let a = conditional(0.1, 1.0);
        let b = conditional(0.2, 0.9);
        let c = conditional(0.3, 0.7);
        assert!((a - 0.1).abs() < 1e-15);
        assert!(((1.0 - a) * b - 0.2).abs() < 1e-15);
        assert!(((1.0 - a) * (1.0 - b) * c - 0.3).abs() < 1e-15);
        assert_eq!(conditional(0.5, 0.5), 1.0);
        assert_eq!(conditional(0.0, 0.0), 0.0);
    }

    #[test]
    fn floor_matches_the_library() {
        for x in [
            -3.5,
            -3.0,
            -0.2,
            -0.0,
            0.0,
            0.3,
            1.0,
            2.5,
            1e15 + 0.5,
            1e19,
            f64::NAN,
        ] {
            let (a, b) = (floor(x), x.floor());
            assert!(a.to_bits() == b.to_bits() || (a == 0.0 && b == 0.0), "{x}");
        }
    }

    /// The textbook form: `floor(mean + sd w + 0.5)` with w the Cornish-Fisher transform.
    #[test]
    fn cornish_fisher_is_the_textbook_expansion() {
        let mut checked = 0;
        for (n, p) in [
            (400.0, 0.3),
            (3900.0, 0.034),
            (110_500.0, 0.012),
            (1e6, 0.97),
        ] {
            let q: f64 = 1.0 - p;
            let variance = n * p * q;
            let sd = variance.sqrt();
            let (skew, kurt) = ((q - p) / sd, (1.0 - 6.0 * p * q) / variance);
            for i in -600..=600 {
                let z = f64::from(i) / 100.0;
                let w = z + skew / 6.0 * (z * z - 1.0) + kurt / 24.0 * z * (z * z - 3.0)
                    - skew * skew / 36.0 * z * (2.0 * z * z - 5.0);
                let x = n * p + sd * w + 0.5;
                let got = cornish_fisher(n * p, sd, q - p, 1.0 - 6.0 * p * q, n, z);
                // Skip values within rounding of a whole number, where the two forms'
                // last bits may round either way.
                if (x - x.round()).abs() > 1e-9 * x.abs().max(1.0) {
                    assert_eq!(got, x.floor().clamp(0.0, n), "n {n}, p {p}, z {z}");
                    checked += 1;
                }
            }
        }
        assert!(checked > 4000, "{checked}");
    }

    #[test]
    fn expected_split_is_proportional() {
        let mut out = vec![0.0; 3];
        split(100.0, &[(0, 0.25), (2, 0.75)], &mut Expected, |l, x| {
            out[l] += x
        });
        assert_eq!(out, vec![25.0, 0.0, 75.0]);
    }
}
