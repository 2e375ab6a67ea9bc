//! A scenario as a calibration problem: its uncertain parameters as coordinates of normal
//! scores, and the log-likelihood of its observations at a point.
//!
//! This module owns the map from a point `z` (prior N(0, I)) to a parameter set and the
//! likelihood of the observations given that set. It builds the parameter set exactly as
//! the engine builds a run's ([`ParamPlan::sample`], through the [`Uniforms`] trait with
//! exact quantiles), projects it without process noise (`engine::project` with [`Expected`]), and
//! never draws a random number, writes a file or prints.
//!
//! # Coordinates
//!
//! One coordinate per random value a parameter draws, in sampling order
//! ([`crate::model::params_in_order`]): a distribution drawn once per run is one coordinate,
//! a `vary = "yearly"` one is one coordinate per projected year it holds in, and each
//! distribution of a schedule is its own. A coordinate is named by its lever
//! ([`crate::scenario::levers`]: `attrition.senior`, `upgrade.intermediate`,
//! `inflow.NAME.per_year`), with `@YEAR` when the parameter is a schedule or varies yearly:
//! a yearly value's `@YEAR` is the year it holds in, a schedule's run-level value's is the
//! first projected year it holds in. Uniforms a parameter draws but never uses (a yearly
//! value of a schedule in the years another value holds) are not coordinates. Coordinate
//! `z_j` becomes the uniform `u_j = Phi(z_j)` and the value `Dist::quantile(u_j)`.
//!
//! # Likelihood
//!
//! Observations are independent. The model value at a date in year `Y` with
//! `f = date.year_fraction()` is `(1 - f) x(Y - 1) + f x(Y)` of the expected-value
//! projection, where `x(t)` is the metric at the end of year `t` (at Dec 31, `f = 1` and
//! `x(Y - 1)` is not needed). A `value` reading contributes the Normal(model, sd) log
//! density, `at_least v` contributes `log Phi((model - v) / sd)` and `at_most v`
//! `log Phi((v - model) / sd)`, with `log Phi` computed without underflow far in the tail
//! ([`log_normal_cdf`]). A parameter set whose rates out of a level exceed 1 in some year,
//! or whose observed share is undefined (a total of 0), has likelihood 0 (`-inf`).

use std::cell::RefCell;
use std::f64::consts::{PI, SQRT_2};

use statrs::function::erf::erfc;

use crate::engine::project;
use crate::model::slots::coordinates;
pub use crate::model::slots::Coordinate;
use crate::model::{Expected, ParamPlan, RunParams, Uniforms};
use crate::scenario::{Bound, Metric, Reading, Scenario};

/// Why a scenario cannot be calibrated.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ProblemError {
    /// The scenario lists no observations.
    #[error(
        "scenario `{0}` has no observations: calibration needs published figures about the \
         past ([[observation]] tables in the scenario)"
    )]
    NoObservations(String),
    /// Every parameter is a fixed number.
    #[error(
        "scenario `{0}` has no uncertain parameter to calibrate: every rate and inflow is a \
         fixed number (give the uncertain ones a distribution)"
    )]
    NothingUncertain(String),
    /// An observation's date lies outside the projection.
    #[error(
        "observation {index} ({metric} on {date}) lies outside the projection: dates run \
         from the end of {start} to the end of {end}"
    )]
    DateOutOfRange {
        /// Position of the observation, from 1.
        index: usize,
        /// Metric name.
        metric: String,
        /// The date as written.
        date: String,
        /// `start_year`.
        start: i32,
        /// `end_year`.
        end: i32,
    },
}

impl Coordinate {
    /// Returns the value at normal score `z`: `Dist::quantile(Phi(z))`.
    pub fn value(&self, z: f64) -> f64 {
        self.dist.quantile(uniform_of(z), self.bound)
    }

    /// Tells whether the value is a rate (else an amount of people).
    pub fn is_rate(&self) -> bool {
        self.bound == Bound::Rate
    }
}

/// One observation, prepared: the columns of the projection it reads and its weights.
#[derive(Debug, Clone, PartialEq)]
struct Term {
    /// Column of `x(Y)` in a projection row.
    now: usize,
    /// Column of `x(Y - 1)` and its weight `1 - f`, when `f < 1`.
    before: Option<(usize, f64)>,
    /// Weight `f` of `x(Y)`.
    f: f64,
    reading: Reading,
    sd: f64,
}

impl Term {
    fn model_value(&self, row: &[f64]) -> f64 {
        match self.before {
            Some((col, w)) => w * row[col] + self.f * row[self.now],
            None => row[self.now],
        }
    }

    fn log_likelihood(&self, model: f64) -> f64 {
        if !model.is_finite() {
            return f64::NEG_INFINITY;
        }
        match self.reading {
            Reading::Value(v) => {
                let r = (v - model) / self.sd;
                -0.5 * r * r - self.sd.ln() - 0.5 * (2.0 * PI).ln()
            }
            Reading::AtLeast(v) => log_normal_cdf((model - v) / self.sd),
            Reading::AtMost(v) => log_normal_cdf((v - model) / self.sd),
        }
    }
}

/// A scenario's calibration problem: coordinates, and the likelihood of its observations.
#[derive(Debug, Clone)]
pub struct Problem<'s> {
    scenario: &'s Scenario,
    plan: ParamPlan<'s>,
    coordinates: Vec<Coordinate>,
    /// For each parameter in sampling order, the coordinate behind each uniform it draws
    /// (`None`: drawn but never used).
    slots: Vec<Vec<Option<usize>>>,
    terms: Vec<Term>,
    row: usize,
}

/// Scratch buffers of one thread's likelihood evaluations.
#[derive(Default)]
struct Scratch {
    params: RunParams,
    row: Vec<f64>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// The uniforms of one point: parameter `i`'s `d`-th uniform is `Phi(z_j)` of the coordinate
/// in `slots[i][d]`, or the central value where no coordinate is.
struct PointUniforms<'a> {
    z: &'a [f64],
    slots: &'a [Vec<Option<usize>>],
    used: Vec<usize>,
}

impl Uniforms for PointUniforms<'_> {
    fn next(&mut self, param: usize) -> Option<f64> {
        let d = self.used[param];
        self.used[param] += 1;
        let j = (*self.slots[param].get(d)?)?;
        Some(uniform_of(self.z[j]))
    }

    fn exact(&self, _param: usize) -> bool {
        true
    }
}

impl<'s> Problem<'s> {
    /// Prepares the calibration of `scenario` against its observations.
    ///
    /// # Errors
    /// [`ProblemError`] when the scenario has no observations, no uncertain parameter, or
    /// an observation dated outside the projection.
    pub fn new(scenario: &'s Scenario) -> Result<Problem<'s>, ProblemError> {
        if scenario.observations.is_empty() {
            return Err(ProblemError::NoObservations(scenario.name.clone()));
        }
        let (coordinates, slots) = coordinates(scenario);
        if coordinates.is_empty() {
            return Err(ProblemError::NothingUncertain(scenario.name.clone()));
        }
        let metrics = Metric::all(scenario.levels.len());
        let n_metrics = metrics.len();
        let mut terms = Vec::with_capacity(scenario.observations.len());
        for (i, o) in scenario.observations.iter().enumerate() {
            let (year, f) = o.date.interpolation();
            let out_of_range = || ProblemError::DateOutOfRange {
                index: i + 1,
                metric: o.metric.name(&scenario.levels),
                date: o.date.to_string(),
                start: scenario.start_year,
                end: scenario.end_year,
            };
            let m = metrics
                .iter()
                .position(|x| *x == o.metric)
                .ok_or_else(out_of_range)?;
            let last = year > scenario.end_year;
            let first = year < scenario.start_year || (year == scenario.start_year && f < 1.0);
            if last || first {
                return Err(out_of_range());
            }
            let t = (year - scenario.start_year) as usize;
            terms.push(Term {
                now: t * n_metrics + m,
                before: (f < 1.0).then(|| ((t - 1) * n_metrics + m, 1.0 - f)),
                f,
                reading: o.reading,
                sd: o.sd,
            });
        }
        Ok(Problem {
            scenario,
            plan: ParamPlan::new(scenario),
            coordinates,
            slots,
            terms,
            row: (scenario.horizon() + 1) * n_metrics,
        })
    }

    /// Returns the scenario.
    pub fn scenario(&self) -> &'s Scenario {
        self.scenario
    }

    /// Returns the number of coordinates.
    pub fn dim(&self) -> usize {
        self.coordinates.len()
    }

    /// Returns the coordinates, in order.
    pub fn coordinates(&self) -> &[Coordinate] {
        &self.coordinates
    }

    /// Returns the parameter values (natural units) at point `z`.
    pub fn values(&self, z: &[f64]) -> Vec<f64> {
        (self.coordinates.iter().zip(z))
            .map(|(c, &z)| c.value(z))
            .collect()
    }

    /// Builds the parameter set of point `z` into `out`, as the engine builds a run's.
    ///
    /// # Errors
    /// The first level whose rates out exceed 1 in some year.
    pub fn params(&self, z: &[f64], out: &mut RunParams) -> Result<(), usize> {
        let mut u = PointUniforms {
            z,
            slots: &self.slots,
            used: vec![0; self.slots.len()],
        };
        self.plan.sample(&mut u, out)
    }

    /// Calls `f` with the expected-value projection of point `z` (laid out as a row of
    /// [`crate::engine::Simulation::values`]), or with `None` when the point's rates out
    /// of a level exceed 1.
    fn with_projection<T>(&self, z: &[f64], f: impl FnOnce(Option<&[f64]>) -> T) -> T {
        SCRATCH.with(|cell| {
            let mut scratch = cell.borrow_mut();
            let Scratch { params, row } = &mut *scratch;
            if self.params(z, params).is_err() {
                return f(None);
            }
            row.resize(self.row, 0.0);
            // Without `verify`, projecting never fails.
            let _ = project(self.scenario, params, &mut Expected, row, false);
            f(Some(row))
        })
    }

    /// Returns, for each metric index in `metrics` (in [`Metric::all`]'s order), its value
    /// at the end of each year from `start_year` to `end_year` in the expected-value
    /// projection of point `z` (NaN for an undefined share), or `None` when the point's
    /// rates out of a level exceed 1.
    pub fn paths(&self, z: &[f64], metrics: &[usize]) -> Option<Vec<Vec<f64>>> {
        let n = Metric::all(self.scenario.levels.len()).len();
        let years = self.scenario.horizon() + 1;
        self.with_projection(z, |row| {
            row.map(|row| {
                (metrics.iter())
                    .map(|&m| (0..years).map(|t| row[t * n + m]).collect())
                    .collect()
            })
        })
    }

    /// Returns the model value at each observation's date for point `z` (NaN for an
    /// undefined share), or `None` when the point's rates out of a level exceed 1.
    pub fn model_values(&self, z: &[f64]) -> Option<Vec<f64>> {
        self.with_projection(z, |row| {
            row.map(|row| self.terms.iter().map(|t| t.model_value(row)).collect())
        })
    }

    /// Returns the log-likelihood of the observations at point `z` (`-inf` when the
    /// point's rates out of a level exceed 1 or an observed share is undefined).
    pub fn log_likelihood(&self, z: &[f64]) -> f64 {
        self.with_projection(z, |row| match row {
            None => f64::NEG_INFINITY,
            Some(row) => self
                .terms
                .iter()
                .map(|t| t.log_likelihood(t.model_value(row)))
                .sum(),
        })
    }

    /// Returns observation `i`'s log-likelihood given its model value.
    ///
    /// # Panics
    /// If `i` is not an observation's index.
    pub fn observation_log_likelihood(&self, i: usize, model: f64) -> f64 {
        self.terms[i].log_likelihood(model)
    }
}

/// Returns the standard normal CDF `Phi(z)`, kept inside (0, 1) so that every quantile is
/// finite.
pub fn uniform_of(z: f64) -> f64 {
    let u = 0.5 * erfc(-z / SQRT_2);
    u.clamp(f64::MIN_POSITIVE, 1.0 - f64::EPSILON / 2.0)
}

/// Returns `log Phi(x)` of the standard normal CDF, accurate far into the lower tail: from
/// `erfc` down to `x = -20`, below it from the asymptotic series
/// `log phi(x) - log(-x) + log(1 - 1/x^2 + 3/x^4 - 15/x^6 + 105/x^8)` (Abramowitz & Stegun
/// 26.2.12), whose next term is under `1e-9` there.
pub fn log_normal_cdf(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    if x >= -20.0 {
        (0.5 * erfc(-x / SQRT_2)).ln()
    } else if x == f64::NEG_INFINITY {
        f64::NEG_INFINITY
    } else {
        let r = 1.0 / (x * x);
        let series = 1.0 - r * (1.0 - r * (3.0 - r * (15.0 - 105.0 * r)));
        -0.5 * x * x - 0.5 * (2.0 * PI).ln() - (-x).ln() + series.ln()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Dist;
    use crate::scenario::{Date, Observation};

    fn scenario(text: &str, observations: Vec<Observation>) -> Scenario {
        let mut s = crate::parse("t.toml", text).unwrap();
        s.observations = observations;
        s
    }

    fn total(year: i32, month: u8, day: u8, reading: Reading, sd: f64) -> Observation {
        Observation {
            metric: Metric::Total,
            date: Date::new(year, month, day).unwrap(),
            reading,
            sd,
            source: None,
        }
    }

    const ONE_LEVEL: &str = r#"
        start_year = 2020
        end_year = 2024
        levels = ["a"]
        high_skill_from = "a"
        initial = { a = 1000 }
        attrition = { a = { dist = "beta", mean = 0.1, sd = 0.03 } }
        [[inflow]]
        name = "school"
        per_year = { dist = "normal", mean = 200, sd = 40 }
        split = { a = 1.0 }
    "#;

    #[test]
    fn log_normal_cdf_is_continuous_and_matches_reference_values() {
        // Phi(0) = 1/2; Phi(-1.959964) = 0.025; log Phi(-40) = -804.608 (R: pnorm(-40, log=TRUE)).
        assert!((log_normal_cdf(0.0) - 0.5f64.ln()).abs() < 1e-15);
        assert!((log_normal_cdf(-1.959_963_985) - 0.025f64.ln()).abs() < 1e-8);
        assert!((log_normal_cdf(-40.0) + 804.608_442_013_754).abs() < 1e-9);
        let (a, b) = (log_normal_cdf(-20.0 + 1e-12), log_normal_cdf(-20.0 - 1e-12));
        assert!((a - b).abs() < 1e-9, "{a} {b}");
        assert!(log_normal_cdf(40.0) == 0.0 || log_normal_cdf(40.0) > -1e-300);
        assert!(log_normal_cdf(-1e10).is_finite());
        assert_eq!(log_normal_cdf(f64::NEG_INFINITY), f64::NEG_INFINITY);
    }

    #[test]
    fn coordinates_are_named_by_lever_with_years_for_schedules_and_yearly_values() {
        let s = scenario(
            r#"
            start_year = 2020
            end_year = 2023
            levels = ["a", "b"]
            high_skill_from = "b"
            initial = { a = 1000, b = 10 }
            attrition = { a = { dist = "beta", mean = 0.1, sd = 0.03, vary = "yearly" }, b = 0.05 }
            upgrade = { a = { by_year = { 2022 = { dist = "uniform", min = 0.01, max = 0.02 }, 2023 = 0.03 } } }
            [[inflow]]
            name = "school"
            per_year = { by_year = { 2021 = 5, 2022 = { dist = "normal", mean = 200, sd = 40, vary = "yearly" } } }
            split = { a = 1.0 }
            "#,
            vec![total(2023, 12, 31, Reading::Value(1000.0), 10.0)],
        );
        let p = Problem::new(&s).unwrap();
        let names: Vec<&str> = p.coordinates().iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "attrition.a@2021",
                "attrition.a@2022",
                "attrition.a@2023",
                "upgrade.a@2021",
                "inflow.school.per_year@2022",
                "inflow.school.per_year@2023",
            ]
        );
        // The parameter set is the engine's at the same quantiles.
        let z = [0.3, -1.0, 2.0, 0.5, -0.7, 1.2];
        let mut params = RunParams::default();
        p.params(&z, &mut params).unwrap();
        let u = |z: f64| uniform_of(z);
        let beta = Dist::Beta {
            mean: 0.1,
            sd: 0.03,
        };
        for (t, &zt) in z[..3].iter().enumerate() {
            assert_eq!(params.years[t].exit[0], beta.quantile(u(zt), Bound::Rate));
        }
        let up = 0.01 + 0.01 * u(0.5);
        assert!((params.years[0].moves[0] - up).abs() < 1e-15);
        assert!((params.years[1].moves[0] - up).abs() < 1e-15);
        assert_eq!(params.years[2].moves[0], 0.03);
        assert_eq!(params.years[0].inflow[0], 5.0);
        let normal = Dist::Normal {
            mean: 200.0,
            sd: 40.0,
        };
        assert_eq!(
            params.years[1].inflow[0],
            normal.quantile(u(-0.7), Bound::Amount)
        );
        assert_eq!(
            params.years[2].inflow[0],
            normal.quantile(u(1.2), Bound::Amount)
        );
        assert_eq!(p.values(&z)[5], params.years[2].inflow[0]);
    }

    #[test]
    fn model_value_interpolates_between_year_ends() {
        let obs = vec![
            total(2020, 12, 31, Reading::Value(1000.0), 10.0),
            total(2022, 12, 31, Reading::Value(1000.0), 10.0),
            total(2023, 7, 2, Reading::Value(1000.0), 10.0),
        ];
        let s = scenario(ONE_LEVEL, obs);
        let p = Problem::new(&s).unwrap();
        let z = [0.4, -0.2];
        let v = p.values(&z);
        let (w, i) = (v[0], v[1]);
        let x = |t: i32| (0..t).fold(1000.0, |x, _| x * (1.0 - w) + i);
        let m = p.model_values(&z).unwrap();
        let f = 183.0 / 365.0;
        assert_eq!(m[0], 1000.0);
        assert!((m[1] - x(2)).abs() < 1e-9);
        assert!((m[2] - ((1.0 - f) * x(2) + f * x(3))).abs() < 1e-9);
    }

    #[test]
    fn likelihood_is_the_sum_of_normal_densities_and_bound_probabilities() {
        let obs = vec![
            total(2022, 12, 31, Reading::Value(1300.0), 20.0),
            total(2024, 12, 31, Reading::AtLeast(1500.0), 50.0),
            total(2024, 12, 31, Reading::AtMost(1400.0), 50.0),
        ];
        let s = scenario(ONE_LEVEL, obs);
        let p = Problem::new(&s).unwrap();
        let z = [0.1, 0.9];
        let m = p.model_values(&z).unwrap();
        let normal = -0.5 * ((1300.0 - m[0]) / 20.0f64).powi(2) - (20.0 * (2.0 * PI).sqrt()).ln();
        let phi = |x: f64| 0.5 * erfc(-x / SQRT_2);
        let expected = normal + phi((m[1] - 1500.0) / 50.0).ln() + phi((1400.0 - m[2]) / 50.0).ln();
        assert!((p.log_likelihood(&z) - expected).abs() < 1e-9);
    }

    #[test]
    fn rates_out_above_one_and_undefined_shares_have_zero_likelihood() {
        let s = scenario(
            r#"
            start_year = 2020
            end_year = 2022
            levels = ["a", "b"]
            high_skill_from = "b"
            initial = { a = 100, b = 0 }
            attrition = { a = { dist = "uniform", min = 0.3, max = 0.9 }, b = 1.0 }
            upgrade = { a = { dist = "uniform", min = 0.05, max = 0.4 } }
            "#,
            vec![Observation {
                metric: Metric::HighSkillShare,
                date: Date::new(2022, 12, 31).unwrap(),
                reading: Reading::Value(0.1),
                sd: 0.01,
                source: None,
            }],
        );
        let p = Problem::new(&s).unwrap();
        // Attrition 0.9 + upgrade 0.4 > 1.
        assert_eq!(p.log_likelihood(&[3.0, 3.0]), f64::NEG_INFINITY);
        assert!(p.model_values(&[3.0, 3.0]).is_none());
        assert!(p.log_likelihood(&[-3.0, -3.0]).is_finite());
        // An empty workforce: the share is undefined at every date.
        let s2 = scenario(
            r#"
            start_year = 2020
            end_year = 2021
            levels = ["a"]
            high_skill_from = "a"
            initial = { a = 0 }
            attrition = { a = { dist = "uniform", min = 0.5, max = 1.0 } }
            "#,
            vec![Observation {
                date: Date::new(2021, 12, 31).unwrap(),
                ..s.observations[0].clone()
            }],
        );
        let p2 = Problem::new(&s2).unwrap();
        assert_eq!(p2.log_likelihood(&[0.0]), f64::NEG_INFINITY);
    }

    #[test]
    fn dates_outside_the_projection_and_empty_problems_are_errors() {
        let s = scenario(ONE_LEVEL, vec![]);
        assert!(matches!(
            Problem::new(&s),
            Err(ProblemError::NoObservations(_))
        ));
        let s = scenario(
            ONE_LEVEL,
            vec![total(2020, 6, 30, Reading::Value(1.0), 1.0)],
        );
        assert!(matches!(
            Problem::new(&s),
            Err(ProblemError::DateOutOfRange { index: 1, .. })
        ));
        let s = scenario(ONE_LEVEL, vec![total(2025, 1, 1, Reading::Value(1.0), 1.0)]);
        assert!(Problem::new(&s).is_err());
        let fixed = ONE_LEVEL
            .replace(r#"{ dist = "beta", mean = 0.1, sd = 0.03 }"#, "0.1")
            .replace(r#"{ dist = "normal", mean = 200, sd = 40 }"#, "200");
        let s = scenario(&fixed, vec![total(2021, 12, 31, Reading::Value(1.0), 1.0)]);
        assert!(matches!(
            Problem::new(&s),
            Err(ProblemError::NothingUncertain(_))
        ));
    }
}
