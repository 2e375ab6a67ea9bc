//! Uncertain, time-varying parameters: a number, a distribution, or a year schedule whose
//! values are numbers or distributions (`docs/model.md`, "Uncertainty").
//!
//! Owns which value a parameter takes in which year; the distributions themselves and
//! their sampling are [`crate::dist`]'s. Parameters are built only by
//! `scenario::validate`, which guarantees the invariants documented on each variant, so
//! sampling never fails.

use rand::Rng;

use crate::dist::{uniform, Bound, Dist, Sampler};

/// How often a distribution is sampled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vary {
    /// Once per run: uncertainty about a fixed true value.
    Run,
    /// Every projected year, independently.
    Yearly,
}

/// One scheduled or unscheduled value: a number or a distribution.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A known number.
    Fixed(f64),
    /// An uncertain value.
    Random(Dist, Vary),
}

/// A rate or amount of the scenario.
#[derive(Debug, Clone, PartialEq)]
pub enum Param {
    /// The same value in every year.
    Constant(Value),
    /// `(year, value)` pairs in increasing year order, at least one; each value holds
    /// from its year until the next listed year, and the first also before it.
    Schedule(Vec<(i32, Value)>),
}

impl Value {
    /// Returns the central value.
    pub fn central(&self) -> f64 {
        match self {
            Value::Fixed(x) => *x,
            Value::Random(d, _) => d.central(),
        }
    }

    /// Tells whether the value is drawn at random.
    pub fn is_random(&self) -> bool {
        matches!(self, Value::Random(..))
    }

    /// Returns how many uniforms the value consumes over `horizon` years.
    fn draws(&self, horizon: usize) -> usize {
        match self {
            Value::Fixed(_) => 0,
            Value::Random(_, Vary::Run) => 1,
            Value::Random(_, Vary::Yearly) => horizon,
        }
    }
}

impl Param {
    /// Returns the value that holds in `year`.
    pub fn value_in(&self, year: i32) -> &Value {
        match self {
            Param::Constant(v) => v,
            Param::Schedule(entries) => {
                let i = entries.partition_point(|(y, _)| *y <= year);
                &entries[i.saturating_sub(1)].1
            }
        }
    }

    /// Returns the central value in `year`.
    pub fn central_in(&self, year: i32) -> f64 {
        self.value_in(year).central()
    }

    /// Returns the parameter's distributions, in schedule order.
    pub fn dists(&self) -> impl Iterator<Item = &Dist> {
        let values: Vec<&Value> = match self {
            Param::Constant(v) => vec![v],
            Param::Schedule(entries) => entries.iter().map(|(_, v)| v).collect(),
        };
        values.into_iter().filter_map(|v| match v {
            Value::Random(d, _) => Some(d),
            Value::Fixed(_) => None,
        })
    }

    /// Tells whether any value of the parameter is drawn at random.
    pub fn is_random(&self) -> bool {
        match self {
            Param::Constant(v) => v.is_random(),
            Param::Schedule(entries) => entries.iter().any(|(_, v)| v.is_random()),
        }
    }

    /// Fills `out[i]` with a sampled value for year `first_year + i` ([`ParamPath`]).
    pub fn sample_path<R: Rng + ?Sized>(
        &self,
        bound: Bound,
        first_year: i32,
        rng: &mut R,
        out: &mut [f64],
    ) {
        ParamPath::new(self, bound, first_year, out.len()).fill(
            false,
            &mut || Some(uniform(rng)),
            out,
        );
    }

    /// Returns how many uniforms [`ParamPath::fill`] consumes over `horizon` years.
    pub fn draws(&self, horizon: usize) -> usize {
        match self {
            Param::Constant(v) => v.draws(horizon),
            Param::Schedule(entries) => entries.iter().map(|(_, v)| v.draws(horizon)).sum(),
        }
    }
}

/// A parameter's values over the projected years, prepared for many runs: its values in
/// schedule order (one for a constant parameter), each distribution ready to draw
/// ([`Sampler`]), and the value that holds in each year.
#[derive(Debug, Clone)]
pub struct ParamPath {
    bound: Bound,
    entries: Vec<Entry>,
    /// Index of the entry that holds in each year.
    active: Vec<usize>,
}

#[derive(Debug, Clone)]
enum Entry {
    Fixed(f64),
    Random(Sampler, Vary),
}

impl ParamPath {
    /// Prepares `param`'s values for the `horizon` years from `first_year`.
    pub fn new(param: &Param, bound: Bound, first_year: i32, horizon: usize) -> ParamPath {
        let values: Vec<(i32, &Value)> = match param {
            Param::Constant(v) => vec![(i32::MIN, v)],
            Param::Schedule(entries) => entries.iter().map(|(y, v)| (*y, v)).collect(),
        };
        let entries = (values.iter())
            .map(|(_, v)| match v {
                Value::Fixed(x) => Entry::Fixed(*x),
                Value::Random(d, vary) => Entry::Random(Sampler::new(d, bound), *vary),
            })
            .collect();
        // As `Param::value_in`: the last entry from on or before the year, else the first.
        let active = (0..horizon)
            .map(|i| {
                let year = first_year + i as i32;
                values
                    .partition_point(|(y, _)| *y <= year)
                    .saturating_sub(1)
            })
            .collect();
        ParamPath {
            bound,
            entries,
            active,
        }
    }

    /// Fills `out[i]` (one slot per prepared year) with the value that holds in year `i`.
    ///
    /// The values take their uniforms from `next` in schedule order: one per value drawn
    /// once per run, one per year for a value that varies yearly (also in the years another
    /// value holds, so the uniforms a value gets do not depend on the schedule's other
    /// values). `None` from `next` puts a value at its central value; a uniform becomes a
    /// value through [`Sampler::draw`], or with `exact` through [`Dist::quantile`].
    pub fn fill(&self, exact: bool, next: &mut dyn FnMut() -> Option<f64>, out: &mut [f64]) {
        self.fill_many(&[exact], &mut |_| next(), out, &mut [None]);
    }

    /// Like [`ParamPath::fill`] for `exact.len()` runs at once, with the same values: run
    /// `r`'s path is `out[r * h..(r + 1) * h]` (`h` prepared years), its uniforms come from
    /// `next(r)` in the order `fill` asks for them, and `exact[r]` is its `exact`. Each draw
    /// is made for every run before the next, so that the runs' inverse CDFs, independent
    /// of each other, overlap in the processor. `us` holds a uniform per run.
    ///
    /// # Panics
    /// If `out` does not hold `h` slots per run or `us` one per run.
    pub fn fill_many(
        &self,
        exact: &[bool],
        next: &mut dyn FnMut(usize) -> Option<f64>,
        out: &mut [f64],
        us: &mut [Option<f64>],
    ) {
        let (h, runs) = (self.active.len(), exact.len());
        assert!(out.len() == runs * h && us.len() >= runs);
        let us = &mut us[..runs];
        let value = |u: Option<f64>, exact: bool, sampler: &Sampler| match u {
            None => sampler.dist().central(),
            Some(u) if exact => sampler.dist().quantile(u, self.bound),
            Some(u) => sampler.draw(u),
        };
        let mut draw = |us: &mut [Option<f64>]| {
            for (r, u) in us.iter_mut().enumerate() {
                *u = next(r);
            }
        };
        for (k, entry) in self.entries.iter().enumerate() {
            let years = self.active.iter().enumerate().filter(|&(_, &a)| a == k);
            match entry {
                Entry::Fixed(x) => {
                    for path in out.chunks_exact_mut(h) {
                        years.clone().for_each(|(t, _)| path[t] = *x);
                    }
                }
                Entry::Random(sampler, Vary::Run) => {
                    draw(us);
                    for ((path, &u), &exact) in out.chunks_exact_mut(h).zip(&*us).zip(exact) {
                        let x = value(u, exact, sampler);
                        years.clone().for_each(|(t, _)| path[t] = x);
                    }
                }
                Entry::Random(sampler, Vary::Yearly) => {
                    // A uniform every year, also in the years another value holds, so the
                    // uniforms a value gets do not depend on the schedule's other values.
                    for (t, &active) in self.active.iter().enumerate() {
                        draw(us);
                        if active == k {
                            for ((path, &u), &exact) in out.chunks_exact_mut(h).zip(&*us).zip(exact)
                            {
                                path[t] = value(u, exact, sampler);
                            }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    fn moments(d: &Dist, bound: Bound, n: usize) -> (f64, f64) {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let xs: Vec<f64> = (0..n).map(|_| d.sample(bound, &mut rng)).collect();
        let m = xs.iter().sum::<f64>() / n as f64;
        let v = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1) as f64;
        (m, v.sqrt())
    }

    #[test]
    fn distributions_match_their_stated_mean_and_sd() {
        let n = 200_000;
        // (dist, bound, exact mean, exact sd)
        let cases = [
            (
                Dist::LogNormal {
                    mean: 3000.0,
                    sd: 600.0,
                },
                Bound::Amount,
                3000.0,
                600.0,
            ),
            (
                Dist::Beta {
                    mean: 0.045,
                    sd: 0.008,
                },
                Bound::Rate,
                0.045,
                0.008,
            ),
            (
                Dist::Uniform { min: 2.0, max: 5.0 },
                Bound::Amount,
                3.5,
                3.0 / 12f64.sqrt(),
            ),
            // Triangular variance: (a^2+b^2+c^2-ab-ac-bc)/18 with a=0,c=0.5,b=1 -> 0.75/18.
            (
                Dist::Triangular {
                    min: 0.0,
                    mode: 0.5,
                    max: 1.0,
                },
                Bound::Rate,
                0.5,
                (0.75f64 / 18.0).sqrt(),
            ),
            // PERT(0, 0.25, 1): alpha = 1 + 4*0.25 = 2, beta = 4; var = ab/((a+b)^2 (a+b+1)) = 8/252.
            (
                Dist::Pert {
                    min: 0.0,
                    mode: 0.25,
                    max: 1.0,
                },
                Bound::Rate,
                2.0 / 6.0,
                (8.0f64 / 252.0).sqrt(),
            ),
            (
                Dist::Normal {
                    mean: 100.0,
                    sd: 10.0,
                },
                Bound::Amount,
                100.0,
                10.0,
            ),
        ];
        for (d, bound, mean, sd) in cases {
            let (m, s) = moments(&d, bound, n);
            let se = sd / (n as f64).sqrt();
            assert!((m - mean).abs() < 5.0 * se, "{d:?}: mean {m} vs {mean}");
            assert!((s - sd).abs() / sd < 0.02, "{d:?}: sd {s} vs {sd}");
            assert!((d.central() - mean).abs() < 1e-12, "{d:?} central");
        }
    }

    #[test]
    fn quantiles_match_closed_forms() {
        let n = Dist::Normal {
            mean: 100.0,
            sd: 10.0,
        };
        // Far from the bound at 0, truncation changes nothing: z(0.975) = 1.959964.
        assert!((n.quantile(0.975, Bound::Amount) - 119.599_64).abs() < 1e-4);
        let u = Dist::Uniform { min: 2.0, max: 4.0 };
        assert_eq!(u.p10_p90(Bound::Amount), (2.2, 3.8));
        // Triangular(0, 0.5, 1): F(x) = 2x^2 below the mode, so F^-1(0.125) = 0.25.
        let t = Dist::Triangular {
            min: 0.0,
            mode: 0.5,
            max: 1.0,
        };
        assert!((t.quantile(0.125, Bound::Rate) - 0.25).abs() < 1e-12);
        assert!((t.quantile(0.875, Bound::Rate) - 0.75).abs() < 1e-12);
        // A symmetric PERT has its median at the mode.
        let p = Dist::Pert {
            min: 0.0,
            mode: 0.5,
            max: 1.0,
        };
        assert!((p.quantile(0.5, Bound::Rate) - 0.5).abs() < 1e-9);
        // Normal truncated at 0: half the mass is cut, so the median is the old p75.
        let z = Dist::Normal { mean: 0.0, sd: 1.0 };
        assert!((z.quantile(0.5, Bound::Amount) - 0.674_489_75).abs() < 1e-6);
        assert!(z.quantile(1e-12, Bound::Rate) >= 0.0 && z.quantile(1.0, Bound::Rate) <= 1.0);
    }

    #[test]
    fn truncated_normal_rates_stay_in_range() {
        let d = Dist::Normal {
            mean: 0.02,
            sd: 0.05,
        };
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        for _ in 0..10_000 {
            let x = d.sample(Bound::Rate, &mut rng);
            assert!((0.0..=1.0).contains(&x));
        }
    }

    #[test]
    fn schedules_hold_each_value_until_the_next_year() {
        let p = Param::Schedule(vec![(2024, Value::Fixed(0.12)), (2026, Value::Fixed(0.06))]);
        assert_eq!(p.central_in(2020), 0.12);
        assert_eq!(p.central_in(2025), 0.12);
        assert_eq!(p.central_in(2026), 0.06);
        assert_eq!(p.central_in(2030), 0.06);
        let mut out = [0.0; 4];
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        p.sample_path(Bound::Rate, 2025, &mut rng, &mut out);
        assert_eq!(out, [0.12, 0.06, 0.06, 0.06]);
    }

    #[test]
    fn run_level_draws_are_shared_by_all_years_and_yearly_draws_are_not() {
        let d = Dist::Uniform { min: 0.0, max: 1.0 };
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let mut out = [0.0; 5];
        Param::Constant(Value::Random(d.clone(), Vary::Run)).sample_path(
            Bound::Rate,
            2025,
            &mut rng,
            &mut out,
        );
        assert!(out.iter().all(|x| *x == out[0]));
        Param::Constant(Value::Random(d, Vary::Yearly)).sample_path(
            Bound::Rate,
            2025,
            &mut rng,
            &mut out,
        );
        assert!(out.windows(2).all(|w| w[0] != w[1]));
    }
}
