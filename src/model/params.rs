//! One run's parameters, year by year: central values, or one draw of every uncertain
//! parameter (MODEL.md section 4).
//!
//! A run's whole parameter set is drawn up front, in a fixed order (attrition by level,
//! then moves, then inflows), so a run's random stream is consumed the same way whatever
//! else happens; a set whose rates out of a level exceed 1 in any year is reported so the
//! caller can draw it again.

use rand::Rng;

use crate::scenario::{Bound, Scenario};

/// Rates and expected inflows of one projected year.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct YearParams {
    /// Attrition rate by level.
    pub exit: Vec<f64>,
    /// Rate of each of the scenario's moves.
    pub moves: Vec<f64>,
    /// Expected people from each inflow (growth and active years applied).
    pub inflow: Vec<f64>,
}

/// Parameters of every projected year of one run; `years[i]` is year `start_year + 1 + i`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunParams {
    /// One entry per projected year.
    pub years: Vec<YearParams>,
}

/// Tolerance on rates out of a level summing past 1 (floating-point sums of valid rates).
const OUTFLOW_TOLERANCE: f64 = 1e-12;

/// Returns every parameter at its central value.
pub fn central_params(scenario: &Scenario) -> RunParams {
    let years = scenario
        .projected_years()
        .map(|year| YearParams {
            exit: scenario
                .attrition
                .iter()
                .map(|p| p.central_in(year))
                .collect(),
            moves: scenario
                .moves
                .iter()
                .map(|m| m.rate.central_in(year))
                .collect(),
            inflow: scenario
                .inflows
                .iter()
                .map(|f| f.per_year.central_in(year) * f.factor_in(year))
                .collect(),
        })
        .collect();
    RunParams { years }
}

/// Draws one run's parameters into `out`.
///
/// # Errors
/// The index of the first level whose drawn rates out (attrition, upgrades and
/// transitions) exceed 1 in some year: the caller draws again.
pub fn sample_params<R: Rng + ?Sized>(
    scenario: &Scenario,
    rng: &mut R,
    out: &mut RunParams,
) -> Result<(), usize> {
    let horizon = scenario.horizon();
    let first = scenario.start_year + 1;
    out.years.resize_with(horizon, YearParams::default);
    let mut path = vec![0.0; horizon];
    for y in out.years.iter_mut() {
        y.exit.resize(scenario.levels.len(), 0.0);
        y.moves.resize(scenario.moves.len(), 0.0);
        y.inflow.resize(scenario.inflows.len(), 0.0);
    }
    for (l, p) in scenario.attrition.iter().enumerate() {
        p.sample_path(Bound::Rate, first, rng, &mut path);
        out.years
            .iter_mut()
            .zip(&path)
            .for_each(|(y, x)| y.exit[l] = *x);
    }
    for (m, mv) in scenario.moves.iter().enumerate() {
        mv.rate.sample_path(Bound::Rate, first, rng, &mut path);
        out.years
            .iter_mut()
            .zip(&path)
            .for_each(|(y, x)| y.moves[m] = *x);
    }
    for (k, f) in scenario.inflows.iter().enumerate() {
        f.per_year.sample_path(Bound::Amount, first, rng, &mut path);
        for (i, (y, x)) in out.years.iter_mut().zip(&path).enumerate() {
            y.inflow[k] = x * f.factor_in(first + i as i32);
        }
    }
    match first_overflowing_level(scenario, out) {
        Some(l) => Err(l),
        None => Ok(()),
    }
}

/// Returns the first level whose rates out exceed 1 in some year.
fn first_overflowing_level(scenario: &Scenario, params: &RunParams) -> Option<usize> {
    let mut out = vec![0.0; scenario.levels.len()];
    for y in &params.years {
        out.copy_from_slice(&y.exit);
        for (m, mv) in scenario.moves.iter().enumerate() {
            out[mv.from] += y.moves[m];
        }
        if let Some(l) = out.iter().position(|&x| x > 1.0 + OUTFLOW_TOLERANCE) {
            return Some(l);
        }
    }
    None
}
