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
        for p in [0.002, 0.008, 0.019, 0.03, 0.0884, 0.2, 0.5, 0.8, 0.97] {
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

/// Shapes `(a, b)` of the beta and PERT distributions of every shipped scenario.
fn shipped_beta_shapes() -> Vec<(f64, f64)> {
    use talentsim::model::params_in_order;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut shapes = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let s = talentsim::scenario::load(&path).unwrap();
            for (_, p, _) in params_in_order(&s) {
                shapes.extend(p.dists().filter_map(|d| d.beta_shape()));
            }
        }
    }
    assert!(shapes.len() >= 12, "{}", shapes.len());
    shapes
}

#[test]
fn tabulated_beta_inverse_is_within_the_stated_bound() {
    use talentsim::dist::beta_table::{BetaTable, MAX_ERROR};
    use talentsim::scenario::Dist;
    let mut shapes = shipped_beta_shapes();
    // Beta rates from rare to even, narrow to wide, and PERT shapes with the mode
    // anywhere from the minimum to the maximum; some have a or b below 1 (unbounded
    // densities), where cells fall back to the exact inverse.
    for (mean, sd) in [
        (0.002, 0.001),
        (0.01, 0.009),
        (0.05, 0.04),
        (0.2, 0.1),
        (0.5, 0.3),
        (0.9, 0.05),
        (0.97, 0.02),
        (0.3, 0.001),
        (0.05, 0.15),
    ] {
        shapes.push(Dist::Beta { mean, sd }.beta_shape().unwrap());
    }
    for r in [0.0, 0.05, 0.3, 0.5, 0.9, 1.0] {
        shapes.push((1.0 + 4.0 * r, 1.0 + 4.0 * (1.0 - r)));
    }
    // A dense grid of u, the tails on a log scale, and the band and cell edges.
    let mut us: Vec<f64> = (1..40_000).map(|i| i as f64 / 40_000.0).collect();
    for k in 1..=120 {
        let v = 10f64.powf(-(k as f64) / 10.0);
        us.push(v);
        us.push(1.0 - v);
    }
    for j in 0..16 {
        for c in 0..=64 {
            let v = 0.5f64.powi(j + 2) * (1.0 + c as f64 / 64.0);
            us.extend([v, 1.0 - v, v * (1.0 + 1e-12), v * (1.0 - 1e-12)]);
        }
    }
    shapes.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.total_cmp(&y.1)));
    shapes.dedup();
    let mut worst: (f64, f64, f64, f64) = (0.0, 0.0, 0.0, 0.0);
    for &(a, b) in &shapes {
        let table = BetaTable::new(a, b);
        for &u in &us {
            let exact = statrs::function::beta::inv_beta_reg(a, b, u);
            let err = (table.inverse(u) - exact).abs();
            if err > worst.0 {
                worst = (err, a, b, u);
            }
        }
        eprintln!(
            "Beta({a:.4}, {b:.4}): {:.1}% of cells exact",
            100.0 * table.exact_share()
        );
    }
    eprintln!(
        "largest error {:.2e} at a = {}, b = {}, u = {}",
        worst.0, worst.1, worst.2, worst.3
    );
    assert!(worst.0 <= MAX_ERROR, "{worst:?}");
}

#[test]
fn tabulated_normal_inverse_is_within_the_stated_bound() {
    use statrs::distribution::{ContinuousCDF, LogNormal, Normal};
    use talentsim::dist::beta_table::{NormalTable, MAX_ERROR};
    use talentsim::scenario::{Bound, Dist, Sampler};
    let table = NormalTable::new();
    let exact = Normal::standard();
    // A dense grid of u, the tails on a log scale, and the band and cell edges.
    let mut us: Vec<f64> = (1..200_000).map(|i| i as f64 / 200_000.0).collect();
    for k in 1..=150 {
        let v = 10f64.powf(-(k as f64) / 10.0);
        us.extend([v, 1.0 - v]);
    }
    for j in 0..16 {
        for c in 0..=64 {
            let v = 0.5f64.powi(j + 2) * (1.0 + c as f64 / 64.0);
            us.extend([v, 1.0 - v, v * (1.0 + 1e-12), v * (1.0 - 1e-12)]);
        }
    }
    let mut worst: (f64, f64) = (0.0, 0.0);
    for &u in &us {
        let err = (table.inverse(u) - exact.inverse_cdf(u)).abs();
        if err > worst.0 {
            worst = (err, u);
        }
    }
    eprintln!(
        "largest error {:.2e} at u = {}; {:.1}% of cells exact",
        worst.0,
        worst.1,
        100.0 * table.exact_share()
    );
    assert!(worst.0 <= MAX_ERROR, "{worst:?}");
    assert!(table.exact_share() < 0.05, "{}", table.exact_share());

    // Log-normal amounts drawn through it: within 1e-9 sigma of the exact quantile,
    // relatively, and the prepared sampler gives the same bits as the distribution.
    for (mean, sd) in [
        (3000.0, 900.0),
        (11_500.0, 4000.0),
        (1040.0, 300.0),
        (50.0, 400.0),
    ] {
        let d = Dist::LogNormal { mean, sd };
        let sigma = (1.0 + (sd / mean) * (sd / mean)).ln().sqrt();
        let sampler = Sampler::new(&d, Bound::Amount);
        let mu = mean.ln() - sigma * sigma / 2.0;
        let reference = LogNormal::new(mu, sigma).unwrap();
        for &u in us.iter().step_by(7) {
            let x = d.draw(u, Bound::Amount);
            assert_eq!(x.to_bits(), sampler.draw(u).to_bits(), "{mean} {sd} {u}");
            let q = reference.inverse_cdf(u);
            assert!(
                (x - q).abs() <= 1.01e-9 * sigma * q + 1e-300,
                "mean {mean}, sd {sd}, u {u}: {x} against {q}"
            );
            assert_eq!(
                d.quantile(u, Bound::Amount).to_bits(),
                q.clamp(0.0, f64::INFINITY).to_bits()
            );
        }
    }
}

/// Failures of a sample of uniforms in (0, 1): mean, variance, a 1,000-bin chi-square and a
/// Kolmogorov-Smirnov test against U(0, 1), each at about five standard errors (or a
/// p-value of about 1e-6), so a sound generator passes and a biased one fails.
fn uniform_failures(us: &[f64]) -> Vec<String> {
    let n = us.len() as f64;
    let mut failures = Vec::new();
    if us.iter().any(|&u| !(u > 0.0 && u < 1.0)) {
        failures.push("a value outside (0, 1)".to_string());
    }
    let mean = us.iter().sum::<f64>() / n;
    if (mean - 0.5).abs() > 5.0 * (1.0 / 12.0 / n).sqrt() {
        failures.push(format!("mean {mean}"));
    }
    let var = us.iter().map(|u| (u - mean).powi(2)).sum::<f64>() / (n - 1.0);
    // Var of (u - 1/2)^2 is 1/180, so the sample variance has se sqrt(1/180/n).
    if (var - 1.0 / 12.0).abs() > 5.0 * (1.0 / 180.0 / n).sqrt() {
        failures.push(format!("variance {var}"));
    }
    let bins = 1_000;
    let mut counts = vec![0u64; bins];
    for &u in us {
        counts[((u * bins as f64) as usize).min(bins - 1)] += 1;
    }
    let expected = n / bins as f64;
    let chi2: f64 = counts
        .iter()
        .map(|&c| (c as f64 - expected).powi(2) / expected)
        .sum();
    // 999 degrees of freedom: mean 999, sd 44.7; the upper 1e-6 point is about 1,230.
    if chi2 > 1_230.0 {
        failures.push(format!("chi-square {chi2:.0} on 999 df"));
    }
    let mut sorted = us.to_vec();
    sorted.sort_by(f64::total_cmp);
    let d = sorted
        .iter()
        .enumerate()
        .map(|(i, &u)| (u - i as f64 / n).max((i + 1) as f64 / n - u))
        .fold(0.0, f64::max);
    // P(sqrt(n) D > 2.6) is about 1e-6.
    if d * n.sqrt() > 2.6 {
        failures.push(format!("KS distance {d:.2e}"));
    }
    failures
}

/// Failures of independence: the correlation of paired uniforms, at five standard errors.
fn correlation_failure(what: &str, pairs: &[(f64, f64)]) -> Option<String> {
    let n = pairs.len() as f64;
    let r = pairs
        .iter()
        .map(|(a, b)| (a - 0.5) * (b - 0.5))
        .sum::<f64>()
        / n
        * 12.0;
    (r.abs() > 5.0 / n.sqrt()).then(|| format!("{what}: correlation {r:.2e}"))
}

#[test]
fn parameter_uniforms_are_uniform_and_independent() {
    use talentsim::engine::{param_key, param_uniform};
    let u = |seed: u64, run: u64, attempt: u64, param: usize, draw: u32| {
        param_uniform(param_key(seed, run, attempt), param, draw)
    };
    // 1.2 million uniforms as the runs use them: 20,000 runs x 15 parameters x 4 draws.
    let mut all = Vec::new();
    for run in 0..20_000 {
        for param in 0..15 {
            for draw in 0..4 {
                all.push(u(20_240_715, run, 0, param, draw));
            }
        }
    }
    let mut failures = uniform_failures(&all);
    // Each coordinate on its own, and neighbours along it.
    let n = 200_000u64;
    let seq = |f: &dyn Fn(u64) -> f64| (0..n).map(f).collect::<Vec<f64>>();
    type Along<'a> = (&'a str, Box<dyn Fn(u64) -> f64>);
    let along: [Along; 5] = [
        ("runs", Box::new(move |i| u(1, i, 0, 3, 0))),
        ("seeds", Box::new(move |i| u(i, 7, 0, 3, 0))),
        ("attempts", Box::new(move |i| u(1, 7, i, 3, 0))),
        ("parameters", Box::new(move |i| u(1, 7, 0, i as usize, 0))),
        ("draws", Box::new(move |i| u(1, 7, 0, 3, i as u32))),
    ];
    for (what, f) in &along {
        let xs = seq(f.as_ref());
        failures.extend(
            uniform_failures(&xs)
                .into_iter()
                .map(|e| format!("{what}: {e}")),
        );
        let pairs: Vec<(f64, f64)> = xs.windows(2).map(|w| (w[0], w[1])).collect();
        failures.extend(correlation_failure(what, &pairs));
    }
    // Different parameters (and draws) of the same run are uncorrelated.
    let pairs: Vec<(f64, f64)> = (0..n)
        .map(|r| (u(1, r, 0, 0, 0), u(1, r, 0, 1, 0)))
        .collect();
    failures.extend(correlation_failure("parameters 0 and 1 of a run", &pairs));
    let pairs: Vec<(f64, f64)> = (0..n)
        .map(|r| (u(1, r, 0, 2, 0), u(1, r, 0, 2, 1)))
        .collect();
    failures.extend(correlation_failure("draws 0 and 1 of a parameter", &pairs));
    assert!(failures.is_empty(), "{failures:#?}");

    // The checks can fail: a Weyl sequence (uniform, but perfectly regular in pairs) and a
    // slightly biased generator do.
    let weyl: Vec<f64> = (1..=n)
        .map(|i| (i as f64 * 0.618_033_988_75).fract())
        .collect();
    let pairs: Vec<(f64, f64)> = weyl.windows(2).map(|w| (w[0], w[1])).collect();
    assert!(correlation_failure("weyl", &pairs).is_some());
    let biased: Vec<f64> = all.iter().map(|x| x.powf(1.01)).collect();
    assert!(!uniform_failures(&biased).is_empty());
}

#[test]
fn parameter_draws_are_keyed_by_parameter_and_draw() {
    use talentsim::engine::{param_key, param_uniform, ParamStreams, Pin};
    use talentsim::model::Uniforms;
    // A parameter's draws are numbered in the order it asks for them, whatever the other
    // parameters do, and pinning one parameter leaves the others' draws as they were.
    let pins = [Pin::Random, Pin::Quantile(0.1), Pin::Central];
    let mut free = ParamStreams::new(5, 11, 2, &[]);
    let mut pinned = ParamStreams::new(5, 11, 2, &pins);
    let key = param_key(5, 11, 2);
    for draw in 0..6 {
        for param in [0, 1, 2, 40] {
            let a = free.next(param).unwrap();
            assert_eq!(a, param_uniform(key, param, draw));
            let b = pinned.next(param);
            match pins.get(param) {
                Some(Pin::Quantile(q)) => assert_eq!(b, Some(*q)),
                Some(Pin::Central) => assert_eq!(b, None),
                _ => assert_eq!(b, Some(a)),
            }
        }
    }
    assert!(pinned.exact(1) && !pinned.exact(0) && !free.exact(1));
}
