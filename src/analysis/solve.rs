//! What it would take: the lever value at which a target reaches a probability, and the
//! earliest year in which a target holds with a probability.
//!
//! The probability is estimated on one fixed set of runs for every candidate value
//! (common random numbers: the lever's own draws are replaced, nothing else about a run
//! changes), so it moves smoothly with the lever and bisection converges. The direction
//! is read from the ends of the range: where the probability rises with the lever the
//! answer is the smallest value that reaches it, where it falls the largest.
//!
//! Monte Carlo uncertainty: at the solved value the estimate equals the requested
//! probability p, and its 95% Wilson half-width h at this many runs says how far the true
//! probability may be from p. The values at which the estimate reaches p - h and p + h are
//! reported as the interval of the lever value (the Wilson interval mapped through the
//! estimated curve).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{central_worst, finite, holds_by_run, worst_over, AnalysisError, Probability};
use crate::engine::{self, Job, Simulation};
use crate::scenario::{Lever, Scenario, Target};

/// The probability at one candidate value (a row of `solve_evaluations.csv`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    /// Lever value.
    pub value: f64,
    /// Target probability with its Wilson interval.
    #[serde(flatten)]
    pub probability: Probability,
}

/// The solved lever value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeverSolution {
    /// Lever name.
    pub lever: String,
    /// Requested probability.
    pub requested: f64,
    /// Search range.
    pub min: f64,
    /// Search range.
    pub max: f64,
    /// "increasing" (the smallest value is sought) or "decreasing" (the largest).
    pub direction: String,
    /// Whether the probability is reached within [min, max].
    pub reachable: bool,
    /// The value (None if unreachable).
    pub value: Option<f64>,
    /// Lower end of the value's Monte Carlo range: of the values at which the estimate
    /// reaches requested - h and requested + h (h: Wilson half-width), the lower; None
    /// when that end lies outside [min, max].
    pub value_low: Option<f64>,
    /// Upper end of the value's Monte Carlo range.
    pub value_high: Option<f64>,
    /// The Wilson half-width h used.
    pub half_width: f64,
    /// Probability at the solved value.
    pub at_value: Option<Probability>,
    /// The scenario's own (central) value of the lever in the target's year.
    pub current_value: f64,
    /// Whether the scenario's own value is a distribution or a schedule.
    pub current_uncertain: bool,
    /// Probability with the scenario as it is.
    pub current_probability: Probability,
    /// Probability at the range's ends.
    pub at_min: Probability,
    /// Probability at the range's ends.
    pub at_max: Probability,
    /// Every evaluation, in value order.
    pub evaluations: Vec<Evaluation>,
}

/// Probability by first year of a target (a row of `earliest_year.csv`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EarliestRow {
    /// Year.
    pub year: i32,
    /// Probability that the target's condition holds in this year (for a window target,
    /// in every year from this one through the window's end).
    #[serde(flatten)]
    pub probability: Probability,
}

/// The earliest year in which a target holds with the requested probability.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Earliest {
    /// Requested probability.
    pub requested: f64,
    /// The earliest year, if any.
    pub year: Option<i32>,
    /// Probability by year.
    pub years: Vec<EarliestRow>,
}

/// Everything `solve` computes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Solve {
    /// Always "talentsim".
    pub program: String,
    /// Program version.
    pub version: String,
    /// Always "solve".
    pub command: String,
    /// Scenario name.
    pub scenario: String,
    /// Target name.
    pub target: String,
    /// Runs per evaluation.
    pub runs: u64,
    /// Seed.
    pub seed: u64,
    /// Whether flows were random.
    pub process_noise: bool,
    /// The scenario's own probability and central value.
    pub current: Probability,
    /// Central-path value of the target (window worst).
    pub central_value: Option<f64>,
    /// The earliest year.
    pub earliest: Earliest,
    /// The lever solution, when a lever was given.
    pub lever: Option<LeverSolution>,
}

/// Returns the earliest year in which the target holds with probability `p`: for a
/// target without a window, the first projected year in which its condition holds with
/// that probability; for a window target, the first year from which it holds in every
/// year through the window's end.
pub fn earliest(s: &Scenario, sim: &Simulation, t: &Target, p: f64) -> Earliest {
    let last = t.through.unwrap_or(s.end_year);
    let years: Vec<EarliestRow> = (s.start_year + 1..=last)
        .map(|y| {
            let to = if t.through.is_some() { last } else { y };
            let holds: Vec<bool> = worst_over(s, sim, t, y, to)
                .into_iter()
                .map(|x| t.holds(x))
                .collect();
            EarliestRow {
                year: y,
                probability: Probability::of_runs(&holds),
            }
        })
        .collect();
    Earliest {
        requested: p,
        year: years
            .iter()
            .find(|r| r.probability.probability >= p)
            .map(|r| r.year),
        years,
    }
}

/// Memoized probability of the target as a function of the lever.
struct Curve<'a> {
    s: &'a Scenario,
    job: &'a Job,
    lever: &'a Lever,
    t: &'a Target,
    seen: BTreeMap<u64, Evaluation>,
}

impl Curve<'_> {
    fn at(&mut self, v: f64) -> Result<f64, AnalysisError> {
        let key = v.to_bits();
        if let Some(e) = self.seen.get(&key) {
            return Ok(e.probability.probability);
        }
        let variant = self.lever.set(self.s, v)?;
        let sim = engine::simulate(&variant, self.job, &|_| {})?;
        let p = Probability::of_runs(&holds_by_run(&variant, &sim, self.t));
        self.seen.insert(
            key,
            Evaluation {
                value: v,
                probability: p,
            },
        );
        Ok(p.probability)
    }

    fn prob(&self, v: f64) -> Option<Probability> {
        self.seen.get(&v.to_bits()).map(|e| e.probability)
    }

    /// Returns the value, within `tol`, at which the probability first reaches `p` going
    /// in the direction in which it rises; `None` when it does not within the range.
    fn cross(
        &mut self,
        p: f64,
        lo: f64,
        hi: f64,
        increasing: bool,
        tol: f64,
    ) -> Result<Option<f64>, AnalysisError> {
        // `bad` misses p, `good` reaches it.
        let (mut bad, mut good) = if increasing { (lo, hi) } else { (hi, lo) };
        if self.at(good)? < p {
            return Ok(None);
        }
        if self.at(bad)? >= p {
            return Ok(Some(bad));
        }
        while (good - bad).abs() > tol {
            let mid = 0.5 * (good + bad);
            if self.at(mid)? >= p {
                good = mid;
            } else {
                bad = mid;
            }
        }
        Ok(Some(good))
    }
}

/// Finds the lever value at which the target reaches probability `p` within `[min, max]`.
///
/// # Errors
/// [`AnalysisError`] when a value in the range breaks a scenario rule or a simulation
/// fails.
pub fn solve_lever(
    s: &Scenario,
    job: &Job,
    lever: &Lever,
    t: &Target,
    p: f64,
    (min, max): (f64, f64),
    current: Probability,
) -> Result<LeverSolution, AnalysisError> {
    let mut curve = Curve {
        s,
        job,
        lever,
        t,
        seen: BTreeMap::new(),
    };
    let p_min = curve.at(min)?;
    let p_max = curve.at(max)?;
    let increasing = p_max >= p_min;
    // Bisection to 1/4096 of the range: finer than the Monte Carlo noise of the answer.
    let tol = (max - min) / 4096.0;
    let value = curve.cross(p, min, max, increasing, tol)?;
    let n = job.runs;
    let k = (p * n as f64).round() as u64;
    let (lo, hi) = crate::stats::wilson(k.min(n), n);
    let half_width = 0.5 * (hi - lo);
    let (value_low, value_high) = match value {
        Some(_) => {
            let below = curve.cross((p - half_width).max(0.0), min, max, increasing, tol)?;
            let above = curve.cross((p + half_width).min(1.0), min, max, increasing, tol)?;
            // The lower lever value first, whichever way the lever works.
            if increasing {
                (below, above)
            } else {
                (above, below)
            }
        }
        None => (None, None),
    };
    let (at_min, at_max) = (
        curve.prob(min).unwrap_or(current),
        curve.prob(max).unwrap_or(current),
    );
    Ok(LeverSolution {
        lever: lever.name.clone(),
        requested: p,
        min,
        max,
        direction: if increasing {
            "increasing"
        } else {
            "decreasing"
        }
        .into(),
        reachable: value.is_some(),
        at_value: value.and_then(|v| curve.prob(v)),
        value,
        value_low,
        value_high,
        half_width,
        current_value: lever.central_in(s, t.year),
        current_uncertain: lever.is_uncertain_or_scheduled(s),
        current_probability: current,
        at_min,
        at_max,
        evaluations: curve.seen.into_values().collect(),
    })
}

/// Runs `solve`: the earliest year, and the lever value when a lever is given.
///
/// # Errors
/// As [`solve_lever`]; [`AnalysisError::Usage`] for a probability outside (0, 1] or an
/// empty range.
pub fn solve(
    s: &Scenario,
    job: &Job,
    t: &Target,
    p: f64,
    lever: Option<(&Lever, f64, f64)>,
) -> Result<Solve, AnalysisError> {
    if !(p > 0.0 && p <= 1.0) {
        return Err(AnalysisError::Usage(format!(
            "--probability {p}: expected a probability above 0 and at most 1"
        )));
    }
    let sim = engine::simulate(s, job, &|_| {})?;
    let current = Probability::of_runs(&holds_by_run(s, &sim, t));
    let lever = match lever {
        Some((l, min, max)) => {
            if min.is_nan() || max.is_nan() || min >= max {
                return Err(AnalysisError::Usage(format!(
                    "--min {min} --max {max}: expected min below max"
                )));
            }
            Some(solve_lever(s, job, l, t, p, (min, max), current)?)
        }
        None => None,
    };
    let mut evals = lever;
    if let Some(l) = evals.as_mut() {
        l.evaluations.sort_by(|a, b| a.value.total_cmp(&b.value));
    }
    Ok(Solve {
        program: "talentsim".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        command: "solve".into(),
        scenario: s.name.clone(),
        target: t.name.clone(),
        runs: job.runs,
        seed: job.seed,
        process_noise: job.process_noise,
        current,
        central_value: finite(central_worst(s, &sim, t)),
        earliest: earliest(s, &sim, t, p),
        lever: evals,
    })
}
