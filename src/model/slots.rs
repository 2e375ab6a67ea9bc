//! The random draws of a run's parameters, named: one *coordinate* per random value a
//! parameter draws, in sampling order, named by its lever (`attrition.senior`,
//! `upgrade.intermediate`, `inflow.NAME.per_year`) with `@YEAR` when the parameter is a
//! schedule or varies yearly (a yearly value's `@YEAR` is the year it holds in, a
//! schedule's run-level value's the first projected year it holds in). Uniforms a
//! parameter draws but never uses (a yearly value of a schedule in the years another
//! value holds) are not coordinates.
//!
//! Calibration samples these coordinates; a calibrated scenario's runs take them from
//! posterior rows ([`PosteriorDraws`]).

use crate::dist::{Bound, Dist};
use crate::model::params_in_order;
use crate::scenario::{levers, Param, Posterior, Scenario, Value, Vary};

/// One calibrated coordinate: a random value of one of the scenario's parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Coordinate {
    /// Lever name, with `@YEAR` for a schedule's or a yearly value (module docs).
    pub name: String,
    /// Index of the parameter in sampling order ([`crate::model::param_index`]).
    pub param: usize,
    /// The distribution the value is drawn from (its prior).
    pub dist: Dist,
    /// The parameter's valid range.
    pub bound: Bound,
}

/// Lists the coordinates of `scenario` and, per parameter, the coordinate behind each
/// uniform it draws (module docs).
pub fn coordinates(scenario: &Scenario) -> (Vec<Coordinate>, Vec<Vec<Option<usize>>>) {
    let names = levers(scenario);
    let horizon = scenario.horizon();
    let first = scenario.start_year + 1;
    let mut coords = Vec::new();
    let mut slots = Vec::new();
    for (i, (which, param, bound)) in params_in_order(scenario).into_iter().enumerate() {
        let lever = names
            .iter()
            .find(|l| l.param() == Some(which))
            .map_or_else(|| format!("parameter{i}"), |l| l.name.clone());
        let values: Vec<(i32, &Value)> = match param {
            Param::Constant(v) => vec![(i32::MIN, v)],
            Param::Schedule(entries) => entries.iter().map(|(y, v)| (*y, v)).collect(),
        };
        let scheduled = matches!(param, Param::Schedule(_));
        // As `ParamPath::new`: the entry that holds in each projected year.
        let active: Vec<usize> = (0..horizon)
            .map(|t| {
                let year = first + t as i32;
                values
                    .partition_point(|(y, _)| *y <= year)
                    .saturating_sub(1)
            })
            .collect();
        let mut mine = Vec::new();
        for (k, (_, value)) in values.iter().enumerate() {
            let Value::Random(dist, vary) = value else {
                continue;
            };
            let mut add = |name: String| {
                coords.push(Coordinate {
                    name,
                    param: i,
                    dist: dist.clone(),
                    bound,
                });
                Some(coords.len() - 1)
            };
            match vary {
                Vary::Run => {
                    let slot = match active.iter().position(|&a| a == k) {
                        Some(t) if scheduled => add(format!("{lever}@{}", first + t as i32)),
                        Some(_) => add(lever.clone()),
                        None => None,
                    };
                    mine.push(slot);
                }
                Vary::Yearly => {
                    for (t, &a) in active.iter().enumerate() {
                        let slot = (a == k).then(|| add(format!("{lever}@{}", first + t as i32)));
                        mine.push(slot.flatten());
                    }
                }
            }
        }
        debug_assert_eq!(mine.len(), param.draws(horizon));
        slots.push(mine);
    }
    (coords, slots)
}

/// A calibrated scenario's posterior, ready for the runs: for each parameter (in sampling
/// order), the coordinate behind each uniform it draws, and each posterior row as the
/// uniforms of its coordinates (the CDF of each value under its prior).
#[derive(Debug, Clone, PartialEq)]
pub struct PosteriorDraws {
    /// `slots[param][draw]`: the coordinate behind that uniform, if any.
    pub slots: Vec<Vec<Option<usize>>>,
    /// Whether parameter `param` has any coordinate (its uniforms are exact quantiles).
    pub calibrated: Vec<bool>,
    /// `rows[r][j]`: the uniform of coordinate `j` in posterior row `r`.
    pub rows: Vec<Vec<f64>>,
}

impl PosteriorDraws {
    /// Matches a posterior table with the scenario's coordinates.
    ///
    /// Every coordinate of the scenario needs its column; a column for a parameter that is
    /// no longer uncertain (a lever fixed by `--set`) is left unused.
    ///
    /// # Errors
    /// A message naming the coordinate the table lacks.
    pub fn new(scenario: &Scenario, table: &Posterior) -> Result<PosteriorDraws, String> {
        let (coords, slots) = coordinates(scenario);
        let mut columns = Vec::with_capacity(coords.len());
        for c in &coords {
            let Some(k) = table.names.iter().position(|n| *n == c.name) else {
                return Err(format!(
                    "the posterior has no column `{}`, a parameter the scenario draws; \
                     calibrate the scenario again",
                    c.name
                ));
            };
            columns.push(k);
        }
        let rows = table
            .rows
            .iter()
            .map(|row| {
                (coords.iter().zip(&columns))
                    .map(|(c, &k)| c.dist.cdf(row[k], c.bound))
                    .collect()
            })
            .collect();
        let calibrated = slots
            .iter()
            .map(|s| s.iter().any(Option::is_some))
            .collect();
        Ok(PosteriorDraws {
            slots,
            calibrated,
            rows,
        })
    }

    /// Returns the number of posterior rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Tells whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Returns a source of uniforms that puts every calibrated value at its posterior
    /// median (the median of its uniforms is the CDF of its median value) and every other
    /// value at its central value.
    pub fn medians(&self) -> Medians<'_> {
        let n = self.rows.first().map_or(0, Vec::len);
        let medians = (0..n)
            .map(|j| {
                let mut us: Vec<f64> = self.rows.iter().map(|r| r[j]).collect();
                us.sort_by(f64::total_cmp);
                let m = us.len() / 2;
                if us.len() % 2 == 1 {
                    us[m]
                } else {
                    0.5 * (us[m - 1] + us[m])
                }
            })
            .collect();
        Medians {
            draws: self,
            medians,
            used: vec![0; self.slots.len()],
        }
    }

    /// Returns the uniform of draw `draw` of parameter `param` in row `row`, if a
    /// coordinate is behind it.
    #[inline]
    pub fn uniform(&self, row: usize, param: usize, draw: usize) -> Option<f64> {
        let j = (*self.slots.get(param)?.get(draw)?)?;
        Some(self.rows[row][j])
    }
}

/// The uniforms of a calibrated scenario's central values ([`PosteriorDraws::medians`]).
#[derive(Debug)]
pub struct Medians<'p> {
    draws: &'p PosteriorDraws,
    medians: Vec<f64>,
    used: Vec<usize>,
}

impl crate::model::Uniforms for Medians<'_> {
    fn next(&mut self, param: usize) -> Option<f64> {
        let d = *self.used.get(param)?;
        self.used[param] += 1;
        let j = (*self.draws.slots.get(param)?.get(d)?)?;
        Some(self.medians[j])
    }

    fn exact(&self, _param: usize) -> bool {
        true
    }
}
