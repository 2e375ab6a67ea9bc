//! The approximate process-noise sampler against the exact distributions: the
//! Kolmogorov-Smirnov distance of the Cornish-Fisher count to the exact binomial and
//! Poisson distributions, at the stocks and rates that occur in the shipped scenarios
//! (levels of 10^3 to 10^6 people, rates of 0.2% to 95%) and beyond.

use statrs::distribution::{ContinuousCDF, Normal};
use statrs::function::gamma::ln_gamma;
use talentsim::model::{APPROX_MAX_KS, APPROX_MIN_VARIANCE};

/// Second-order Cornish-Fisher transform of a standard normal quantile.
fn w(z: f64, skew: f64, kurt: f64) -> f64 {
    let z2 = z * z;
    z + skew / 6.0 * (z2 - 1.0) + kurt / 24.0 * z * (z2 - 3.0)
        - skew * skew / 36.0 * z * (2.0 * z2 - 5.0)
}

/// P(approximate count <= k): the count is floor(mean + sd w(z) + 0.5), so it is at most
/// k when w(z) < (k + 0.5 - mean) / sd; w is increasing on [-15, 15] at these moments.
fn approx_cdf(k: f64, mean: f64, variance: f64, skew: f64, kurt: f64) -> f64 {
    let t = (k + 0.5 - mean) / variance.sqrt();
    let (mut lo, mut hi) = (-15.0, 15.0);
    if w(lo, skew, kurt) >= t {
        return 0.0;
    }
    if w(hi, skew, kurt) < t {
        return 1.0;
    }
    for _ in 0..80 {
        let mid = 0.5 * (lo + hi);
        if w(mid, skew, kurt) < t {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Normal::new(0.0, 1.0).unwrap().cdf(0.5 * (lo + hi))
}

/// Largest |F_approx(k) - F_exact(k)| over k within 12 sd of the mean. The exact CDF sums
/// the probabilities outward from the mode by their ratios (`ratio(k)` = P(k+1) / P(k)),
/// starting from the log-gamma form of P(mode): accurate where library CDFs based on the
/// incomplete beta function lose digits at large n.
fn ks(
    mean: f64,
    variance: f64,
    skew: f64,
    kurt: f64,
    ln_p_mode: f64,
    mode: u64,
    ratio: &dyn Fn(u64) -> f64,
) -> f64 {
    let sd = variance.sqrt();
    let lo = (mean - 12.0 * sd).max(0.0) as u64;
    let hi = (mean + 12.0 * sd) as u64;
    let mut pmf = vec![0.0; (hi - lo + 1) as usize];
    let at = |k: u64| (k - lo) as usize;
    pmf[at(mode)] = ln_p_mode.exp();
    for k in mode..hi {
        pmf[at(k + 1)] = pmf[at(k)] * ratio(k);
    }
    for k in (lo..mode).rev() {
        pmf[at(k)] = pmf[at(k + 1)] / ratio(k);
    }
    let mut cdf = 0.0;
    let mut worst: f64 = 0.0;
    for k in lo..=hi {
        cdf += pmf[at(k)];
        worst = worst.max((approx_cdf(k as f64, mean, variance, skew, kurt) - cdf).abs());
    }
    assert!(
        (cdf - 1.0).abs() < 1e-7,
        "the exact probabilities sum to {cdf}"
    );
    worst
}

#[test]
fn approximate_binomial_is_within_the_stated_ks_distance() {
    let mut worst: (f64, f64, f64) = (0.0, 0.0, 0.0);
    for n in [
        400u64, 1_000, 3_900, 15_600, 86_600, 110_500, 400_000, 1_000_000,
    ] {
        for p in [0.002, 0.008, 0.03, 0.0884, 0.2, 0.5, 0.8, 0.97] {
            let q = 1.0 - p;
            let variance = n as f64 * p * q;
            if variance < APPROX_MIN_VARIANCE {
                continue;
            }
            let mode = ((n + 1) as f64 * p).floor() as u64;
            let (nf, mf) = (n as f64, mode as f64);
            let ln_p_mode = ln_gamma(nf + 1.0) - ln_gamma(mf + 1.0) - ln_gamma(nf - mf + 1.0)
                + mf * p.ln()
                + (nf - mf) * q.ln();
            let d = ks(
                nf * p,
                variance,
                (q - p) / variance.sqrt(),
                (1.0 - 6.0 * p * q) / variance,
                ln_p_mode,
                mode,
                &|k| n.saturating_sub(k) as f64 / (k + 1) as f64 * p / q,
            );
            if d > worst.0 {
                worst = (d, n as f64, p);
            }
        }
    }
    eprintln!(
        "largest binomial KS distance {:.2e} at n = {}, p = {}",
        worst.0, worst.1, worst.2
    );
    assert!(worst.0 < APPROX_MAX_KS, "{worst:?}");
}

#[test]
fn approximate_poisson_is_within_the_stated_ks_distance() {
    let mut worst: (f64, f64) = (0.0, 0.0);
    for lambda in [
        100.0, 140.0, 300.0, 1_040.0, 3_000.0, 11_500.0, 60_000.0, 250_000.0,
    ] {
        let mode = f64::floor(lambda) as u64;
        let mf = mode as f64;
        let ln_p_mode = mf * f64::ln(lambda) - lambda - ln_gamma(mf + 1.0);
        let d = ks(
            lambda,
            lambda,
            1.0 / f64::sqrt(lambda),
            1.0 / lambda,
            ln_p_mode,
            mode,
            &|k| lambda / (k + 1) as f64,
        );
        if d > worst.0 {
            worst = (d, lambda);
        }
    }
    eprintln!(
        "largest Poisson KS distance {:.2e} at lambda = {}",
        worst.0, worst.1
    );
    assert!(worst.0 < APPROX_MAX_KS, "{worst:?}");
}
