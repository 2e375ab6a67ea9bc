//! Uncertain, time-varying parameters (MODEL.md section 4): a number, a distribution, or
//! a year schedule whose values are numbers or distributions.
//!
//! Owns central values and sampling. Parameters are built only by `scenario::validate`,
//! which guarantees the invariants documented on each variant, so sampling never fails.

use rand::Rng;
use rand_distr::{Beta, Distribution, LogNormal, Normal, Pert, Triangular, Uniform};

/// What a parameter measures, which fixes its valid range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    /// A yearly share of a stock, in [0, 1].
    Rate,
    /// A number of people per year, in [0, infinity).
    Amount,
}

impl Bound {
    /// Returns the largest valid value.
    pub fn upper(self) -> f64 {
        match self {
            Bound::Rate => 1.0,
            Bound::Amount => f64::INFINITY,
        }
    }

    /// Tells whether `x` is a valid value.
    pub fn admits(self, x: f64) -> bool {
        x.is_finite() && (0.0..=self.upper()).contains(&x)
    }
}

/// A probability distribution of a parameter's true value (MODEL.md section 4 table).
///
/// Invariants (checked in `validate`): parameters are finite; `sd >= 0`; for `Beta`,
/// `0 < mean < 1` and `sd^2 < mean (1 - mean)`; `min < max` and `min <= mode <= max`;
/// the central value lies in the parameter's valid range.
#[derive(Debug, Clone, PartialEq)]
#[allow(missing_docs)] // Fields are the parameters named in each variant's line.
pub enum Dist {
    /// Normal(mean, sd); draws outside the valid range are redrawn.
    Normal { mean: f64, sd: f64 },
    /// Log-normal with the given mean and sd of the value itself.
    LogNormal { mean: f64, sd: f64 },
    /// Beta with the given mean and sd (rates only).
    Beta { mean: f64, sd: f64 },
    /// Uniform on [min, max].
    Uniform { min: f64, max: f64 },
    /// Triangular(min, mode, max).
    Triangular { min: f64, mode: f64, max: f64 },
    /// PERT(min, mode, max): a scaled beta with mean (min + 4 mode + max) / 6.
    Pert { min: f64, mode: f64, max: f64 },
}

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

/// Returns how many tries a truncated draw may take before it is treated as a bug.
const MAX_TRUNCATION_TRIES: usize = 10_000;

impl Dist {
    /// Returns the central value (MODEL.md section 4).
    pub fn central(&self) -> f64 {
        match *self {
            Dist::Normal { mean, .. } | Dist::LogNormal { mean, .. } | Dist::Beta { mean, .. } => {
                mean
            }
            Dist::Uniform { min, max } => (min + max) / 2.0,
            Dist::Triangular { min, mode, max } => (min + mode + max) / 3.0,
            Dist::Pert { min, mode, max } => (min + 4.0 * mode + max) / 6.0,
        }
    }

    /// Draws one value in the valid range of `bound`, redrawing values outside it.
    pub fn sample<R: Rng + ?Sized>(&self, bound: Bound, rng: &mut R) -> f64 {
        for _ in 0..MAX_TRUNCATION_TRIES {
            let x = self.draw(rng);
            if bound.admits(x) {
                return x;
            }
        }
        // Validation keeps the central value in range and (for normal rates) sd <= 1, so
        // at least a third of the mass is valid; reaching here means a broken invariant.
        self.central().clamp(0.0, bound.upper())
    }

    fn draw<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match *self {
            Dist::Normal { mean, sd } => {
                if sd == 0.0 {
                    mean
                } else {
                    Normal::new(mean, sd).map_or(mean, |d| d.sample(rng))
                }
            }
            Dist::LogNormal { mean, sd } => {
                if sd == 0.0 {
                    return mean;
                }
                let sigma2 = (1.0 + (sd / mean).powi(2)).ln();
                let mu = mean.ln() - sigma2 / 2.0;
                LogNormal::new(mu, sigma2.sqrt()).map_or(mean, |d| d.sample(rng))
            }
            Dist::Beta { mean, sd } => {
                let k = mean * (1.0 - mean) / (sd * sd) - 1.0;
                Beta::new(mean * k, (1.0 - mean) * k).map_or(mean, |d| d.sample(rng))
            }
            Dist::Uniform { min, max } => {
                Uniform::new_inclusive(min, max).map_or(min, |d| d.sample(rng))
            }
            Dist::Triangular { min, mode, max } => {
                Triangular::new(min, max, mode).map_or(mode, |d| d.sample(rng))
            }
            Dist::Pert { min, mode, max } => Pert::new(min, max)
                .with_mode(mode)
                .map_or(mode, |d| d.sample(rng)),
        }
    }
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

    /// Fills `out` (one slot per projected year) with sampled values.
    fn sample_into<R: Rng + ?Sized>(&self, bound: Bound, rng: &mut R, out: &mut [f64]) {
        match self {
            Value::Fixed(x) => out.fill(*x),
            Value::Random(d, Vary::Run) => out.fill(d.sample(bound, rng)),
            Value::Random(d, Vary::Yearly) => {
                out.iter_mut().for_each(|x| *x = d.sample(bound, rng))
            }
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

    /// Tells whether any value of the parameter is drawn at random.
    pub fn is_random(&self) -> bool {
        match self {
            Param::Constant(v) => v.is_random(),
            Param::Schedule(entries) => entries.iter().any(|(_, v)| v.is_random()),
        }
    }

    /// Fills `out[i]` with a sampled value for year `first_year + i`.
    ///
    /// Each value of a schedule is sampled separately (once per run unless it varies
    /// yearly), in schedule order, so the random stream consumed does not depend on
    /// which years are projected.
    pub fn sample_path<R: Rng + ?Sized>(
        &self,
        bound: Bound,
        first_year: i32,
        rng: &mut R,
        out: &mut [f64],
    ) {
        match self {
            Param::Constant(v) => v.sample_into(bound, rng, out),
            Param::Schedule(entries) => {
                let mut scratch = vec![0.0; out.len()];
                for (k, (_, v)) in entries.iter().enumerate() {
                    v.sample_into(bound, rng, &mut scratch);
                    for (i, slot) in out.iter_mut().enumerate() {
                        let year = first_year + i as i32;
                        let active = entries
                            .partition_point(|(y, _)| *y <= year)
                            .saturating_sub(1);
                        if active == k {
                            *slot = scratch[i];
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
