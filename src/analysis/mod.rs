//! Policy analysis (README "Policy analysis"): what drives a result ([`sensitivity`]),
//! what a lever must be for a target to reach a probability ([`solve`]), a target's
//! probability over a grid of levers ([`sweep`]), and scenarios side by side with paired
//! differences ([`compare`]).
//!
//! Every command evaluates scenario variants through the engine with common random
//! numbers: each uncertain parameter has its own random sub-stream per run, so setting a
//! lever (or comparing two scenarios with the same structure) changes nothing else about a
//! run. Results are plain serializable structs; this module writes no files and prints
//! nothing.

pub mod compare;
pub mod sensitivity;
pub mod solve;
pub mod sweep;

use serde::{Deserialize, Serialize};

use crate::engine::{EngineError, Simulation};
use crate::scenario::{LeverError, Scenario, Target};
use crate::stats::wilson;

/// Why an analysis could not be done.
#[derive(Debug, thiserror::Error)]
pub enum AnalysisError {
    /// A lever is unknown or a value breaks a scenario rule.
    #[error(transparent)]
    Lever(#[from] LeverError),
    /// A simulation failed.
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// Arguments that do not fit the scenario.
    #[error("{0}")]
    Usage(String),
}

/// A Monte Carlo probability with its 95% Wilson interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Probability {
    /// Share of runs.
    pub probability: f64,
    /// Lower end of the 95% Wilson interval.
    pub ci_low: f64,
    /// Upper end of the 95% Wilson interval.
    pub ci_high: f64,
}

impl Probability {
    /// Returns the probability of `k` successes in `n` runs.
    pub fn of(k: u64, n: u64) -> Probability {
        let (ci_low, ci_high) = wilson(k, n);
        Probability {
            probability: if n == 0 { 0.0 } else { k as f64 / n as f64 },
            ci_low,
            ci_high,
        }
    }

    /// Returns the probability that `holds` is true.
    pub fn of_runs(holds: &[bool]) -> Probability {
        Probability::of(
            holds.iter().filter(|&&h| h).count() as u64,
            holds.len() as u64,
        )
    }
}

/// Finds a target by its name, its number in the scenario (`1` for the first) or a unique
/// prefix of its name (ignoring case), in that order.
///
/// # Errors
/// [`AnalysisError::Usage`] listing the scenario's targets, numbered, when none matches
/// (with the nearest name suggested) or when a prefix matches several.
pub fn find_target<'s>(s: &'s Scenario, name: &str) -> Result<&'s Target, AnalysisError> {
    if let Some(t) = s.target(name) {
        return Ok(t);
    }
    if s.targets.is_empty() {
        return Err(AnalysisError::Usage(format!(
            "scenario `{}` has no targets; add a [[target]]",
            s.name
        )));
    }
    if let Ok(n) = name.trim().parse::<usize>() {
        if let Some(t) = n.checked_sub(1).and_then(|i| s.targets.get(i)) {
            return Ok(t);
        }
    }
    let lower = name.to_lowercase();
    let matches: Vec<&Target> = s
        .targets
        .iter()
        .filter(|t| !lower.is_empty() && t.name.to_lowercase().starts_with(&lower))
        .collect();
    if let [t] = matches[..] {
        return Ok(t);
    }
    let numbered = |targets: &mut dyn Iterator<Item = &Target>| -> String {
        targets
            .map(|t| {
                let i = s
                    .targets
                    .iter()
                    .position(|x| std::ptr::eq(x, t))
                    .unwrap_or(0);
                format!("  {}. {}", i + 1, t.name)
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    if matches.len() > 1 {
        return Err(AnalysisError::Usage(format!(
            "`{name}` is the start of {} targets of scenario `{}`; give more of the name or its number:\n{}",
            matches.len(),
            s.name,
            numbered(&mut matches.into_iter())
        )));
    }
    let nearest = s
        .targets
        .iter()
        .map(|t| {
            (
                strsim::normalized_levenshtein(&lower, &t.name.to_lowercase()),
                t,
            )
        })
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .filter(|(similarity, _)| *similarity >= 0.5)
        .map(|(_, t)| format!("; did you mean `{}`?", t.name))
        .unwrap_or_default();
    Err(AnalysisError::Usage(format!(
        "scenario `{}` has no target `{name}`{nearest}\nits targets (give a name, a number or the start of a name):\n{}",
        s.name,
        numbered(&mut s.targets.iter())
    )))
}

/// Returns the target named, or the scenario's first target.
///
/// # Errors
/// As [`find_target`], or when the scenario has no target at all.
pub fn target_or_first<'s>(
    s: &'s Scenario,
    name: Option<&str>,
) -> Result<&'s Target, AnalysisError> {
    match name {
        Some(n) => find_target(s, n),
        None => s.targets.first().ok_or_else(|| {
            AnalysisError::Usage(format!(
                "scenario `{}` has no targets: name a --metric and --year instead",
                s.name
            ))
        }),
    }
}

/// Returns the value of a target's metric in `year` for every run (NaN where undefined).
pub fn metric_by_run(s: &Scenario, sim: &Simulation, t: &Target, year: i32) -> Vec<f64> {
    let m = sim
        .metrics
        .iter()
        .position(|x| *x == t.metric)
        .expect("targets name known metrics");
    let y = (year - s.start_year) as usize;
    sim.values.column(sim.column(y, m)).to_vec()
}

/// Returns each run's worst value over the target's window (NaN where undefined).
pub fn worst_by_run(s: &Scenario, sim: &Simulation, t: &Target) -> Vec<f64> {
    worst_over(s, sim, t, t.year, t.last_year())
}

/// Returns each run's worst value of the target's metric over `from..=to`.
pub fn worst_over(s: &Scenario, sim: &Simulation, t: &Target, from: i32, to: i32) -> Vec<f64> {
    let mut worst = metric_by_run(s, sim, t, from);
    for year in from + 1..=to {
        for (w, x) in worst.iter_mut().zip(metric_by_run(s, sim, t, year)) {
            *w = t.worse(*w, x);
        }
    }
    worst
}

/// Tells, for every run, whether the target holds (in every year of its window).
pub fn holds_by_run(s: &Scenario, sim: &Simulation, t: &Target) -> Vec<bool> {
    worst_by_run(s, sim, t)
        .into_iter()
        .map(|x| t.holds(x))
        .collect()
}

/// Returns the central path's worst value over the target's window (NaN if undefined).
pub fn central_worst(s: &Scenario, sim: &Simulation, t: &Target) -> f64 {
    let m = sim
        .metrics
        .iter()
        .position(|x| *x == t.metric)
        .expect("targets name known metrics");
    (t.year..=t.last_year())
        .map(|y| sim.central[sim.column((y - s.start_year) as usize, m)])
        .reduce(|a, b| t.worse(a, b))
        .unwrap_or(f64::NAN)
}

/// Returns the type-7 median of the finite values of `xs`.
pub fn median(xs: &[f64]) -> Option<f64> {
    let mut v: Vec<f64> = xs.iter().copied().filter(|x| x.is_finite()).collect();
    v.sort_by(f64::total_cmp);
    (!v.is_empty()).then(|| crate::stats::quantile_sorted(&v, 0.5))
}

/// Returns a finite value, or `None`.
pub(crate) fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}
