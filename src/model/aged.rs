//! The step with ages: the state by (level, group, age) cell (docs/ages.md; MODEL.md
//! section 11).
//!
//! Order within year t -> t+1: retirements; then section 3's exits and moves for each cell
//! with its level's rates (under process noise each cell its own draws; empty cells are
//! skipped); programmes; then everyone ages one year and those past `max` leave (counted as
//! retirements); then entrants arrive at their ages and groups. A programme takes its
//! count from its level's stayers across groups and ages in proportion to them: exactly
//! so in expected values, and as the largest-remainder apportionment of the whole count in
//! whole people (no cell gives more than its stayers). Pure, like [`super::step`]; the
//! scenario without `[ages]` never comes here.

// Index loops mirror the cell layout `(level * 3 + group) * span + age`.
#![allow(clippy::needless_range_loop)]

use super::retirement::retirement_share;
use super::{conditional, fit, split, Draw, Flows, YearParams};
use crate::scenario::{Ages, Group, Scenario};

/// Number of retirement groups.
const GROUPS: usize = Group::ALL.len();

/// Stocks by (level, group, age) cell at the end of a year, and the year's retirements.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AgedState {
    /// Stock of cell `(level * 3 + group) * span + (age - min)`.
    pub cells: Vec<f64>,
    /// People who retired or passed `max` in the last step, by level.
    pub retired: Vec<f64>,
    /// Working buffers, kept so that a step allocates nothing.
    next: Vec<f64>,
    stay: Vec<f64>,
    rates: Vec<f64>,
    means: Vec<f64>,
    shares: Vec<(usize, f64)>,
}

impl AgedState {
    /// Sets the cells to the initial stock of `scenario` spread over groups and ages: in
    /// expected values exactly by the shares, otherwise as a multinomial draw of each
    /// level's whole people.
    pub fn start<D: Draw>(&mut self, scenario: &Scenario, ages: &Ages, draw: &mut D) {
        let span = ages.span();
        let n = scenario.levels.len();
        self.cells.clear();
        self.cells.resize(n * GROUPS * span, 0.0);
        fit(&mut self.retired, n);
        self.retired.iter_mut().for_each(|x| *x = 0.0);
        for l in 0..n {
            self.shares.clear();
            for g in 0..GROUPS {
                for a in 0..span {
                    let s = ages.groups[l][g] * ages.initial[l][a];
                    if s > 0.0 {
                        self.shares.push(((l * GROUPS + g) * span + a, s));
                    }
                }
            }
            let cells = &mut self.cells;
            if draw.whole() {
                split(scenario.initial[l], &self.shares, draw, |i, x| {
                    cells[i] += x
                });
            } else {
                for &(i, s) in &self.shares {
                    cells[i] = scenario.initial[l] * s;
                }
            }
        }
    }

    /// Returns the stock of each level.
    pub fn level_totals(&self, n_levels: usize, out: &mut Vec<f64>) {
        out.clear();
        let per_level = self.cells.len() / n_levels.max(1);
        out.extend(
            self.cells
                .chunks_exact(per_level.max(1))
                .map(|c| c.iter().sum::<f64>()),
        );
        out.resize(n_levels, 0.0);
    }

    /// Returns the mean age of levels `levels` (NaN when they are empty).
    pub fn mean_age(&self, ages: &Ages, levels: std::ops::Range<usize>) -> f64 {
        let span = ages.span();
        let (mut people, mut years) = (0.0, 0.0);
        for l in levels {
            for g in 0..GROUPS {
                let row = &self.cells[(l * GROUPS + g) * span..][..span];
                for (a, &x) in row.iter().enumerate() {
                    people += x;
                    years += x * f64::from(ages.min + a as u32);
                }
            }
        }
        if people > 0.0 {
            years / people
        } else {
            f64::NAN
        }
    }
}

/// Advances the aged state from the end of year `year - 1` to the end of `year` with the
/// year's parameters. `flows` gets the level totals of every flow, retirements and those
/// passing `max` counted in `exits`, so that the balance of [`super::step`] holds.
#[allow(clippy::too_many_arguments)]
pub fn step_aged<D: Draw>(
    scenario: &Scenario,
    ages: &Ages,
    year: i32,
    params: &YearParams,
    state: &mut AgedState,
    draw: &mut D,
    flows: &mut Flows,
) {
    let n = scenario.levels.len();
    let hs = scenario.high_skill_from;
    let span = ages.span();
    let cells_len = n * GROUPS * span;
    let Flows {
        exits,
        moved,
        taken,
        arrived,
        high_skill_added,
        ..
    } = flows;
    for v in [&mut *exits, &mut *arrived, &mut state.retired] {
        fit(v, n);
        v.iter_mut().for_each(|x| *x = 0.0);
    }
    fit(moved, scenario.moves.len());
    moved.iter_mut().for_each(|x| *x = 0.0);
    fit(taken, scenario.inflows.len());
    taken.iter_mut().for_each(|x| *x = 0.0);
    let AgedState {
        cells,
        retired,
        next,
        stay,
        rates,
        means,
        shares,
    } = state;
    for v in [&mut *next, &mut *stay, &mut *means] {
        v.clear();
        v.resize(cells_len, 0.0);
    }
    let mut added = 0.0;

    // Retirements: each group and age's share of the year.
    rates.clear();
    for g in Group::ALL {
        rates.extend(
            (0..span).map(|a| retirement_share(ages.retirement, g, ages.min + a as u32, year)),
        );
    }
    for l in 0..n {
        for ga in 0..GROUPS * span {
            let i = l * GROUPS * span + ga;
            let (c, r) = (cells[i], rates[ga]);
            if c > 0.0 && r > 0.0 {
                let x = draw.binomial(c, r);
                cells[i] = c - x;
                retired[l] += x;
            }
        }
    }

    // Section 3's exits and moves, cell by cell with the level's rates.
    for l in 0..n {
        let w = params.exit[l];
        for ga in 0..GROUPS * span {
            let i = l * GROUPS * span + ga;
            let c = cells[i];
            if c <= 0.0 {
                continue;
            }
            let e = draw.binomial(c, conditional(w, 1.0));
            exits[l] += e;
            let mut st = c - e;
            let mut remaining = 1.0 - w;
            for (m, mv) in scenario.moves.iter().enumerate() {
                if mv.from != l {
                    continue;
                }
                let rate = params.moves[m];
                let x = draw.binomial(st, conditional(rate, remaining));
                st -= x;
                remaining -= rate;
                next[mv.to * GROUPS * span + ga] += x;
                moved[m] += x;
                if mv.from < hs && mv.to >= hs {
                    added += x;
                }
            }
            stay[i] = st;
        }
    }

    // Programmes, in file order, from their level's stayers across groups and ages.
    for (k, inflow) in scenario.inflows.iter().enumerate() {
        let Some(from) = inflow.from else { continue };
        let level = from * GROUPS * span..(from + 1) * GROUPS * span;
        let stayers: f64 = stay[level.clone()].iter().sum();
        let count = draw.poisson(params.inflow[k]).min(stayers).max(0.0);
        if count <= 0.0 {
            continue;
        }
        taken[k] = count;
        // How many each cell gives: `means` holds the takes of this programme.
        apportion(
            count,
            &stay[level.clone()],
            &mut means[level.clone()],
            draw.whole(),
        );
        let mut to_high = 0.0;
        for ga in 0..GROUPS * span {
            let i = from * GROUPS * span + ga;
            let x = means[i];
            means[i] = 0.0;
            if x <= 0.0 {
                continue;
            }
            stay[i] -= x;
            split(x, &inflow.split, draw, |to, people| {
                next[to * GROUPS * span + ga] += people;
                arrived[to] += people;
                if to >= hs {
                    to_high += people;
                }
            });
        }
        if from < hs {
            added += to_high;
        }
    }

    // Everyone ages one year; those past `max` leave, counted as retirements.
    for l in 0..n {
        for g in 0..GROUPS {
            let row = (l * GROUPS + g) * span;
            let oldest = next[row + span - 1] + stay[row + span - 1];
            retired[l] += oldest;
            for a in (1..span).rev() {
                cells[row + a] = next[row + a - 1] + stay[row + a - 1];
            }
            cells[row] = 0.0;
        }
    }

    // Entrants at their ages and groups: the people of each cell from every inflow are
    // one Poisson count (a sum of independent Poisson counts, as in `step`).
    for (k, inflow) in scenario.inflows.iter().enumerate() {
        let (None, Some(Some(e))) = (inflow.from, ages.entrants.get(k)) else {
            continue;
        };
        let lambda = params.inflow[k];
        if lambda <= 0.0 {
            continue;
        }
        for &(l, s) in &inflow.split {
            for g in 0..GROUPS {
                let gs = lambda * s * e.groups[g];
                if gs <= 0.0 {
                    continue;
                }
                let row = (l * GROUPS + g) * span;
                for (a, &x) in e.ages.iter().enumerate() {
                    means[row + a] += gs * x;
                }
            }
        }
    }
    for (i, m) in means.iter_mut().enumerate() {
        if *m > 0.0 {
            let x = draw.poisson(*m);
            let l = i / (GROUPS * span);
            cells[i] += x;
            arrived[l] += x;
            if l >= hs {
                added += x;
            }
        }
        *m = 0.0;
    }
    for c in cells.iter_mut() {
        // Rounding in the expected-value path can leave -1e-12; stocks are never negative.
        *c = c.max(0.0);
    }
    for l in 0..n {
        exits[l] += retired[l];
    }
    shares.clear();
    *high_skill_added = added;
}

/// Spreads `count` over cells in proportion to `weights` into `out`: exactly, or, when
/// `whole`, in whole people by the largest-remainder method (each cell gets the floor of
/// its exact part, and the people left go one each to the largest remainders, earliest
/// cell first on ties), so that no cell gives more than it has.
fn apportion(count: f64, weights: &[f64], out: &mut [f64], whole: bool) {
    let total: f64 = weights.iter().sum();
    if total <= 0.0 {
        return;
    }
    if !whole {
        for (o, &w) in out.iter_mut().zip(weights) {
            *o = count * w / total;
        }
        return;
    }
    let mut given = 0.0;
    for (o, &w) in out.iter_mut().zip(weights) {
        *o = (count * w / total).floor().min(w);
        given += *o;
    }
    let mut left = (count - given).round() as i64;
    while left > 0 {
        let best = (0..weights.len())
            .filter(|&i| out[i] < weights[i])
            .max_by(|&a, &b| {
                let ra = count * weights[a] / total - out[a];
                let rb = count * weights[b] / total - out[b];
                ra.total_cmp(&rb).then(b.cmp(&a))
            });
        let Some(i) = best else { break };
        out[i] += 1.0;
        left -= 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apportionment_is_whole_and_never_exceeds_a_cell() {
        let w = [3.0, 0.0, 5.0, 1.0, 7.0];
        let mut out = [0.0; 5];
        apportion(10.0, &w, &mut out, true);
        assert_eq!(out.iter().sum::<f64>(), 10.0);
        assert!(out.iter().zip(&w).all(|(o, w)| o <= w && o.fract() == 0.0));
        let mut all = [0.0; 5];
        apportion(16.0, &w, &mut all, true);
        assert_eq!(all, w);
        let mut exact = [0.0; 5];
        apportion(8.0, &w, &mut exact, false);
        assert_eq!(exact, [1.5, 0.0, 2.5, 0.5, 3.5]);
    }
}
