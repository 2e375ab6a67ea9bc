//! Probability distributions of uncertain parameters and their sampling: central values,
//! exact quantiles (inverse CDFs), and the fast tabulated draws the runs use.
//!
//! Owns the numerics only; which parameter has which distribution is the scenario's
//! business ([`crate::scenario::Param`]). Distributions are built by the scenario's
//! validation, which guarantees the invariants documented on [`Dist`], so sampling never
//! fails.

mod beta_inverse;
pub mod beta_table;

use rand::Rng;
use statrs::distribution::{Beta, ContinuousCDF, LogNormal, Normal};

use beta_inverse::inv_beta_reg;
use beta_table::{BetaTable, NormalTable};
use std::sync::Arc;

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

/// A probability distribution of a parameter's true value (docs/model.md, uncertainty).
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

impl Dist {
    /// Returns the central value (docs/model.md, uncertainty).
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

    /// Draws one value in the valid range of `bound` (see [`Dist::draw`]).
    pub fn sample<R: Rng + ?Sized>(&self, bound: Bound, rng: &mut R) -> f64 {
        self.draw(uniform(rng), bound)
    }

    /// Returns the value at probability `u` in (0, 1) of the distribution restricted to the
    /// valid range of `bound`: the inverse CDF of the truncated distribution.
    ///
    /// Every draw goes through this function, so one uniform number gives one value
    /// whatever the distribution's parameters: runs that share uniforms share their
    /// position in every distribution (common random numbers), and a sensitivity analysis
    /// can set a parameter to its p10 by passing 0.1. Truncation to the valid range
    /// (normal and lognormal only; validation keeps the others' supports inside it)
    /// rescales `u` between the CDF at the range's ends, which is the same distribution
    /// as redrawing values outside it (docs/model.md, uncertainty).
    pub fn quantile(&self, u: f64, bound: Bound) -> f64 {
        let u = u.clamp(0.0, 1.0);
        let x = match *self {
            Dist::Normal { mean, sd } => match Normal::new(mean, sd) {
                Ok(d) if sd > 0.0 => truncated(&d, u, 0.0, bound.upper()),
                _ => mean,
            },
            Dist::LogNormal { mean, sd } => match lognormal(mean, sd) {
                Some(d) if sd > 0.0 => truncated(&d, u, 0.0, bound.upper()),
                _ => mean,
            },
            Dist::Beta { .. } => self
                .beta_shape()
                .map_or(self.central(), |(a, b)| inv_beta_reg(a, b, u)),
            Dist::Uniform { min, max } => min + u * (max - min),
            Dist::Triangular { min, mode, max } => {
                let (a, b, c) = (min, mode, max);
                if u * (c - a) < b - a {
                    a + (u * (c - a) * (b - a)).sqrt()
                } else {
                    c - ((1.0 - u) * (c - a) * (c - b)).sqrt()
                }
            }
            Dist::Pert { min, mode, max } => self
                .beta_shape()
                .map_or(mode, |(a, b)| min + (max - min) * inv_beta_reg(a, b, u)),
        };
        if bound.admits(x) {
            x
        } else {
            // Only rounding at the range's ends gets here.
            x.clamp(0.0, bound.upper())
        }
    }

    /// Returns the CDF at `x` in the valid range of `bound`: the `u` whose
    /// [`Dist::quantile`] is `x` (to the quantile function's accuracy), so that a value can
    /// be handed to the runs as the uniform behind it (a calibrated posterior's draws).
    pub fn cdf(&self, x: f64, bound: Bound) -> f64 {
        let between = |lo: f64, hi: f64, t: f64| {
            if hi > lo {
                ((t - lo) / (hi - lo)).clamp(0.0, 1.0)
            } else {
                0.5
            }
        };
        let u = match *self {
            Dist::Normal { mean, sd } => match Normal::new(mean, sd) {
                Ok(d) if sd > 0.0 => truncated_cdf(&d, x, 0.0, bound.upper()),
                _ => 0.5,
            },
            Dist::LogNormal { mean, sd } => match lognormal(mean, sd) {
                Some(d) if sd > 0.0 => truncated_cdf(&d, x, 0.0, bound.upper()),
                _ => 0.5,
            },
            Dist::Beta { .. } => self
                .beta_shape()
                .and_then(|(a, b)| Beta::new(a, b).ok())
                .map_or(0.5, |d| d.cdf(x)),
            Dist::Uniform { min, max } => between(min, max, x),
            Dist::Triangular { min, mode, max } => {
                let (a, b, c) = (min, mode, max);
                if c <= a {
                    0.5
                } else if x <= a {
                    0.0
                } else if x >= c {
                    1.0
                } else if x <= b {
                    (x - a) * (x - a) / ((c - a) * (b - a))
                } else {
                    1.0 - (c - x) * (c - x) / ((c - a) * (c - b))
                }
            }
            Dist::Pert { min, max, .. } => self
                .beta_shape()
                .and_then(|(a, b)| Beta::new(a, b).ok())
                .map_or(0.5, |d| d.cdf(between(min, max, x))),
        };
        u.clamp(0.0, 1.0)
    }

    /// Returns the `(p10, p90)` values of the distribution in the valid range of `bound`.
    pub fn p10_p90(&self, bound: Bound) -> (f64, f64) {
        (self.quantile(0.1, bound), self.quantile(0.9, bound))
    }

    /// Like [`Dist::quantile`], with beta and PERT values from the tabulated inverse CDF
    /// ([`beta_table`]): within 1e-9 of the support's width of the exact value; and
    /// log-normal amounts as `exp(mu + sigma z)` with `z` from the tabulated standard normal
    /// inverse ([`beta_table::NormalTable`]): within `1e-9 sigma` of the exact value,
    /// relatively. The runs' random draws use this; chosen quantiles (`quantile`) stay exact.
    pub fn draw(&self, u: f64, bound: Bound) -> f64 {
        Sampler::new(self, bound).draw(u)
    }

    /// Returns the shape `(a, b)` of the standard beta distribution behind a beta or PERT
    /// distribution, or `None` for other distributions (or degenerate parameters).
    pub fn beta_shape(&self) -> Option<(f64, f64)> {
        match *self {
            Dist::Beta { mean, sd } => {
                let k = mean * (1.0 - mean) / (sd * sd) - 1.0;
                Beta::new(mean * k, (1.0 - mean) * k)
                    .ok()
                    .map(|d| (d.shape_a(), d.shape_b()))
            }
            Dist::Pert { min, mode, max } => {
                // PERT(min, mode, max) = min + (max - min) Beta(1 + 4 r, 1 + 4 (1 - r)),
                // r = (mode - min) / (max - min) (Vose 2008, ch. 9).
                let r = (mode - min) / (max - min);
                Beta::new(1.0 + 4.0 * r, 1.0 + 4.0 * (1.0 - r))
                    .ok()
                    .map(|d| (d.shape_a(), d.shape_b()))
            }
            _ => None,
        }
    }
}

/// A distribution made ready for many draws ([`Dist::draw`] makes one for a single draw),
/// with the work that does not depend on `u` (the beta table's lookup, the log-normal's
/// parameters) done once.
#[derive(Debug, Clone)]
pub struct Sampler {
    dist: Dist,
    bound: Bound,
    kind: SamplerKind,
}

#[derive(Debug, Clone)]
enum SamplerKind {
    /// A beta distribution's tabulated inverse CDF.
    Beta(Arc<BetaTable>),
    /// A PERT distribution: `min + (max - min)` times its beta's tabulated inverse CDF.
    Pert(Arc<BetaTable>),
    /// A log-normal amount, `exp(mu + sigma z)` (its range [0, infinity) is the whole
    /// support: no truncation).
    LogNormal {
        mu: f64,
        sigma: f64,
        normal: &'static NormalTable,
    },
    /// Anything else: [`Dist::quantile`].
    Other,
}

impl Sampler {
    /// Prepares draws of `dist` in the valid range of `bound`.
    pub fn new(dist: &Dist, bound: Bound) -> Sampler {
        let kind = match (dist, dist.beta_shape()) {
            (Dist::Beta { .. }, Some((a, b))) => SamplerKind::Beta(beta_table::table(a, b)),
            (Dist::Pert { .. }, Some((a, b))) => SamplerKind::Pert(beta_table::table(a, b)),
            (&Dist::LogNormal { mean, sd }, _) if sd > 0.0 && bound == Bound::Amount => {
                let (mu, sigma) = lognormal_params(mean, sd);
                SamplerKind::LogNormal {
                    mu,
                    sigma,
                    normal: beta_table::normal(),
                }
            }
            _ => SamplerKind::Other,
        };
        Sampler {
            dist: dist.clone(),
            bound,
            kind,
        }
    }

    /// Returns [`Dist::draw`] of the prepared distribution at `u`: tabulated inverse CDFs
    /// for beta, PERT and log-normal amounts, [`Dist::quantile`] for the others.
    #[inline]
    pub fn draw(&self, u: f64) -> f64 {
        let u = u.clamp(0.0, 1.0);
        let x = match (&self.kind, &self.dist) {
            (SamplerKind::Beta(t), _) => t.inverse(u),
            (SamplerKind::Pert(t), &Dist::Pert { min, max, .. }) => {
                min + (max - min) * t.inverse(u)
            }
            (&SamplerKind::LogNormal { mu, sigma, normal }, _) => {
                (mu + sigma * normal.inverse(u)).exp()
            }
            _ => return self.dist.quantile(u, self.bound),
        };
        if self.bound.admits(x) {
            x
        } else {
            x.clamp(0.0, self.bound.upper())
        }
    }

    /// Returns the distribution.
    pub fn dist(&self) -> &Dist {
        &self.dist
    }
}

/// Returns the log-normal distribution whose value has mean `mean` and sd `sd`.
fn lognormal(mean: f64, sd: f64) -> Option<LogNormal> {
    let (mu, sigma) = lognormal_params(mean, sd);
    LogNormal::new(mu, sigma).ok()
}

/// Returns the `(mu, sigma)` of the log-normal distribution whose value has mean `mean`
/// and sd `sd`: the mean and sd of its logarithm.
fn lognormal_params(mean: f64, sd: f64) -> (f64, f64) {
    let sigma2 = (1.0 + (sd / mean).powi(2)).ln();
    (mean.ln() - sigma2 / 2.0, sigma2.sqrt())
}

/// Returns the inverse CDF at `u` of `d` truncated to `[lo, hi]`.
fn truncated<D: ContinuousCDF<f64, f64>>(d: &D, u: f64, lo: f64, hi: f64) -> f64 {
    let a = d.cdf(lo);
    let b = if hi.is_finite() { d.cdf(hi) } else { 1.0 };
    if b <= a {
        // The range holds no mass in floating point; validation keeps the central value
        // in range, so this is a degenerate sd: the nearest end.
        return lo;
    }
    d.inverse_cdf((a + u * (b - a)).clamp(0.0, 1.0))
        .clamp(lo, hi)
}

/// Returns the CDF at `x` of `d` truncated to `[lo, hi]` (the inverse of [`truncated`]).
fn truncated_cdf<D: ContinuousCDF<f64, f64>>(d: &D, x: f64, lo: f64, hi: f64) -> f64 {
    let a = d.cdf(lo);
    let b = if hi.is_finite() { d.cdf(hi) } else { 1.0 };
    if b <= a {
        return 0.5;
    }
    (d.cdf(x.clamp(lo, hi)) - a) / (b - a)
}

/// Draws a uniform number in the open interval (0, 1) with 53 random bits.
pub fn uniform<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    ((rng.next_u64() >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cdf_inverts_the_quantile_function() {
        let cases = [
            (
                Dist::Normal {
                    mean: 3000.0,
                    sd: 900.0,
                },
                Bound::Amount,
            ),
            (
                Dist::Normal {
                    mean: 0.02,
                    sd: 0.03,
                },
                Bound::Rate,
            ),
            (
                Dist::LogNormal {
                    mean: 3000.0,
                    sd: 900.0,
                },
                Bound::Amount,
            ),
            (
                Dist::Beta {
                    mean: 0.045,
                    sd: 0.008,
                },
                Bound::Rate,
            ),
            (
                Dist::Uniform {
                    min: 0.02,
                    max: 0.08,
                },
                Bound::Rate,
            ),
            (
                Dist::Triangular {
                    min: 0.03,
                    mode: 0.05,
                    max: 0.09,
                },
                Bound::Rate,
            ),
            (
                Dist::Pert {
                    min: 2000.0,
                    mode: 3000.0,
                    max: 5500.0,
                },
                Bound::Amount,
            ),
        ];
        for (d, bound) in cases {
            for &u in &[1e-6, 0.001, 0.05, 0.3, 0.5, 0.77, 0.95, 0.999] {
                let x = d.quantile(u, bound);
                let back = d.cdf(x, bound);
                assert!(
                    (back - u).abs() < 1e-9,
                    "{d:?} at {u}: cdf(quantile) = {back}"
                );
                let again = d.quantile(back, bound);
                // Within 1e-9 of the distribution's 0.1%-99.9% spread.
                let spread = d.quantile(0.999, bound) - d.quantile(0.001, bound);
                assert!(
                    (again - x).abs() < 1e-9 * spread,
                    "{d:?} at {u}: {x} -> {again}"
                );
            }
        }
    }
}
