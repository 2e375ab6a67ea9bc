//! One run's parameters, year by year: central values, or one draw of every uncertain
//! parameter (docs/model.md, uncertainty).
//!
//! A run's whole parameter set is drawn up front. The uncertain parameters are numbered in
//! a fixed order (attrition by level, then moves, then inflows' `per_year`: see
//! [`param_index`]) and every random value is the inverse CDF of one uniform number that a
//! [`Uniforms`] source hands out per parameter. The engine gives each parameter its own
//! random numbers (a counter-based hash), so fixing one parameter's value does not shift the draws of the
//! others (common random numbers); the analysis commands pass chosen uniforms. A set whose
//! rates out of a level exceed 1 in any year is reported so the caller can draw it again.

use rand::Rng;

use crate::scenario::{uniform, Bound, Param, ParamPath, ParamRef, Scenario};

/// A source of the uniform numbers behind a run's random parameter values.
pub trait Uniforms {
    /// Returns the next uniform in (0, 1) of parameter `param` (numbered as by
    /// [`param_index`]), or `None` to put that value at its central value.
    fn next(&mut self, param: usize) -> Option<f64>;

    /// Tells whether parameter `param`'s uniforms are chosen quantiles to be turned into
    /// values by the exact inverse CDF ([`crate::scenario::Dist::quantile`]) rather than
    /// random draws, which may use the tabulated one ([`crate::scenario::Dist::draw`]).
    fn exact(&self, _param: usize) -> bool {
        false
    }
}

impl<U: Uniforms + ?Sized> Uniforms for &mut U {
    fn next(&mut self, param: usize) -> Option<f64> {
        (**self).next(param)
    }

    fn exact(&self, param: usize) -> bool {
        (**self).exact(param)
    }
}

/// One random stream shared by every parameter, in sampling order.
#[derive(Debug)]
pub struct SharedStream<'r, R: Rng + ?Sized>(pub &'r mut R);

impl<R: Rng + ?Sized> Uniforms for SharedStream<'_, R> {
    fn next(&mut self, _param: usize) -> Option<f64> {
        Some(uniform(self.0))
    }
}

/// Returns the index of a parameter in sampling order.
pub fn param_index(scenario: &Scenario, p: ParamRef) -> usize {
    match p {
        ParamRef::Attrition(l) => l,
        ParamRef::Move(m) => scenario.levels.len() + m,
        ParamRef::Inflow(k) => scenario.levels.len() + scenario.moves.len() + k,
    }
}

/// Lists every parameter in sampling order with its valid range.
pub fn params_in_order(scenario: &Scenario) -> Vec<(ParamRef, &Param, Bound)> {
    let mut v: Vec<(ParamRef, &Param, Bound)> = Vec::new();
    v.extend(
        (scenario.attrition.iter().enumerate())
            .map(|(l, p)| (ParamRef::Attrition(l), p, Bound::Rate)),
    );
    v.extend(
        (scenario.moves.iter().enumerate())
            .map(|(m, mv)| (ParamRef::Move(m), &mv.rate, Bound::Rate)),
    );
    v.extend(
        (scenario.inflows.iter().enumerate())
            .map(|(k, f)| (ParamRef::Inflow(k), &f.per_year, Bound::Amount)),
    );
    v
}

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

/// Draws one run's parameters into `out` from one stream, parameter after parameter.
///
/// # Errors
/// As [`sample_params_with`].
pub fn sample_params<R: Rng + ?Sized>(
    scenario: &Scenario,
    rng: &mut R,
    out: &mut RunParams,
) -> Result<(), usize> {
    sample_params_with(scenario, &mut SharedStream(rng), out)
}

/// Builds one run's parameters into `out` from the uniforms of `uniforms`
/// ([`ParamPlan::sample`] on a plan made for this call).
///
/// # Errors
/// As [`ParamPlan::sample`].
pub fn sample_params_with(
    scenario: &Scenario,
    uniforms: &mut dyn Uniforms,
    out: &mut RunParams,
) -> Result<(), usize> {
    ParamPlan::new(scenario).sample(uniforms, out)
}

/// How a scenario's parameters are drawn, prepared once for many runs: every parameter in
/// sampling order ([`params_in_order`]) as a [`ParamPath`] over the projected years, with
/// the inflows' growth factors.
#[derive(Debug, Clone)]
pub struct ParamPlan<'s> {
    scenario: &'s Scenario,
    params: Vec<Planned>,
}

#[derive(Debug, Clone)]
struct Planned {
    which: ParamRef,
    path: ParamPath,
    /// Factor of each projected year: an inflow's growth and active years, else 1.
    factor: Vec<f64>,
}

impl<'s> ParamPlan<'s> {
    /// Prepares the draws of `scenario`'s parameters.
    pub fn new(scenario: &'s Scenario) -> ParamPlan<'s> {
        let first = scenario.start_year + 1;
        let params = params_in_order(scenario)
            .into_iter()
            .map(|(which, param, bound)| Planned {
                which,
                path: ParamPath::new(param, bound, first, scenario.horizon()),
                factor: (scenario.projected_years())
                    .map(|year| match which {
                        ParamRef::Inflow(k) => scenario.inflows[k].factor_in(year),
                        _ => 1.0,
                    })
                    .collect(),
            })
            .collect();
        ParamPlan { scenario, params }
    }

    /// Returns the scenario the plan draws for.
    pub fn scenario(&self) -> &'s Scenario {
        self.scenario
    }

    /// Builds one run's parameters into `out` from the uniforms of `uniforms`: parameter
    /// `i`'s path ([`ParamPath::fill`]) from `uniforms.next(i)`, exact where
    /// [`Uniforms::exact`] says so.
    ///
    /// # Errors
    /// The index of the first level whose drawn rates out (attrition, upgrades and
    /// transitions) exceed 1 in some year: the caller draws again.
    pub fn sample(&self, uniforms: &mut dyn Uniforms, out: &mut RunParams) -> Result<(), usize> {
        let mut result = [Ok(())];
        self.sample_each(&mut [uniforms], std::slice::from_mut(out), &mut result);
        result[0]
    }

    /// Builds the parameters of several runs as [`ParamPlan::sample`] does, `outs[r]` from
    /// `sources[r]` with `results[r]` its outcome, one parameter at a time across the runs
    /// ([`ParamPath::fill_many`]), so that the runs' inverse CDFs overlap in the processor.
    /// Each source sees the calls a one-run `sample` makes, in the same order, so a run's
    /// values do not depend on the runs drawn with it.
    ///
    /// # Panics
    /// If the three slices differ in length.
    pub fn sample_each<U: Uniforms>(
        &self,
        sources: &mut [U],
        outs: &mut [RunParams],
        results: &mut [Result<(), usize>],
    ) {
        assert!(sources.len() == outs.len() && outs.len() == results.len());
        outs.iter_mut().for_each(|out| self.shape(out));
        let (runs, horizon) = (sources.len(), self.scenario.horizon());
        let mut paths = vec![0.0; runs * horizon];
        let mut us = vec![None; runs];
        let mut exact = vec![false; runs];
        for (i, p) in self.params.iter().enumerate() {
            for (e, src) in exact.iter_mut().zip(sources.iter()) {
                *e = src.exact(i);
            }
            p.path
                .fill_many(&exact, &mut |r| sources[r].next(i), &mut paths, &mut us);
            for (out, path) in outs.iter_mut().zip(paths.chunks_exact(horizon)) {
                self.store(i, out, path);
            }
        }
        for (out, result) in outs.iter().zip(results.iter_mut()) {
            *result = self.check(out);
        }
    }

    /// Gives `out` one entry per projected year, each sized for the scenario.
    fn shape(&self, out: &mut RunParams) {
        let scenario = self.scenario;
        out.years
            .resize_with(scenario.horizon(), YearParams::default);
        for y in out.years.iter_mut() {
            y.exit.resize(scenario.levels.len(), 0.0);
            y.moves.resize(scenario.moves.len(), 0.0);
            y.inflow.resize(scenario.inflows.len(), 0.0);
        }
    }

    /// Stores parameter `i`'s drawn `path` (one value per projected year) in `out`.
    fn store(&self, i: usize, out: &mut RunParams, path: &[f64]) {
        let p = &self.params[i];
        let years = out.years.iter_mut().zip(path);
        match p.which {
            ParamRef::Attrition(l) => years.for_each(|(y, &x)| y.exit[l] = x),
            ParamRef::Move(m) => years.for_each(|(y, &x)| y.moves[m] = x),
            ParamRef::Inflow(k) => {
                (years.zip(&p.factor)).for_each(|((y, &x), &f)| y.inflow[k] = x * f);
            }
        }
    }

    /// Returns the first level whose drawn rates out exceed 1 in some year, as an error.
    fn check(&self, out: &RunParams) -> Result<(), usize> {
        match first_overflowing_level(self.scenario, out) {
            Some(l) => Err(l),
            None => Ok(()),
        }
    }
}

/// Levels held on the stack by [`first_overflowing_level`].
const INLINE: usize = 64;

/// Returns the first level whose rates out exceed 1 in some year.
fn first_overflowing_level(scenario: &Scenario, params: &RunParams) -> Option<usize> {
    let n = scenario.levels.len();
    let mut inline = [0.0; INLINE];
    let mut heap = Vec::new();
    let out: &mut [f64] = if n <= INLINE {
        &mut inline[..n]
    } else {
        heap.resize(n, 0.0);
        &mut heap
    };
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
