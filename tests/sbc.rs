//! Simulation-based calibration (Talts, Betancourt, Simpson, Vehtari & Gelman 2018,
//! "Validating Bayesian inference algorithms with simulation-based calibration",
//! arXiv:1804.06788) of `talentsim::calibrate` on a small scenario with two uncertain
//! parameters.
//!
//! Each replication draws the truth from the prior, generates the observations from the
//! truth's expected-value projection with their stated error, calibrates, and records the
//! truth's rank among the posterior draws. If the calibration is right, the ranks are
//! uniform and the 90% intervals of the draws (between the 6th and the 95th of 99) hold the truth
//! 90% of the time. A chi-square test of the
//! ranks in 10 bins must not reject at level 0.001 for either parameter; the same
//! statistic must reject a calibration whose likelihood sd is half the truth's.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use statrs::distribution::{ChiSquared, ContinuousCDF};
use talentsim::calibrate::{calibrate, imis::ImisSettings, Problem};
use talentsim::scenario::{Date, Metric, Observation, Reading, Scenario};

/// Replications run by default (the full test under `#[ignore]` runs [`FULL`]).
const QUICK: usize = 200;
const FULL: usize = 1000;
/// Posterior draws per replication: ranks run 0..=DRAWS.
const DRAWS: usize = 99;
const BINS: usize = 10;
/// Observation error (people).
const SD: f64 = 15.0;
const LEVEL: f64 = 0.001;

fn scenario() -> Scenario {
    let mut s = talentsim::parse(
        "sbc.toml",
        r#"
        start_year = 2020
        end_year = 2025
        levels = ["a"]
        high_skill_from = "a"
        initial = { a = 1000 }
        attrition = { a = { dist = "uniform", min = 0.05, max = 0.15 } }
        [[inflow]]
        name = "school"
        per_year = { dist = "normal", mean = 200, sd = 40 }
        split = { a = 1.0 }
        "#,
    )
    .unwrap();
    s.observations = [2021, 2022, 2023, 2025]
        .iter()
        .map(|&y| Observation {
            metric: Metric::Total,
            date: Date::new(y, 12, 31).unwrap(),
            reading: Reading::Value(0.0),
            sd: SD,
            source: None,
        })
        .collect();
    s
}

/// The outcome of `n` replications calibrated with the likelihood sd `SD * sd_factor`.
struct Outcome {
    /// Per parameter: the chi-square p-value of the ranks.
    p_values: Vec<f64>,
    /// Per parameter: share of replications whose 90% interval held the truth.
    coverage: Vec<f64>,
}

fn replicate(n: usize, sd_factor: f64) -> Outcome {
    let base = scenario();
    let problem = Problem::new(&base).unwrap();
    let dim = problem.dim();
    let mut counts = vec![vec![0usize; BINS]; dim];
    let mut covered = vec![0usize; dim];
    for r in 0..n {
        let mut rng = ChaCha8Rng::seed_from_u64(r as u64);
        let z: Vec<f64> = (0..dim).map(|_| StandardNormal.sample(&mut rng)).collect();
        let truth = problem.values(&z);
        let model = problem.model_values(&z).unwrap();
        let mut s = base.clone();
        for (o, m) in s.observations.iter_mut().zip(&model) {
            let e: f64 = StandardNormal.sample(&mut rng);
            o.reading = Reading::Value(m + SD * e);
            o.sd = SD * sd_factor;
        }
        let settings = ImisSettings {
            initial: 1000,
            increment: 100,
            draws: DRAWS,
            max_iterations: 30,
            seed: 1_000_000 + r as u64,
        };
        let c = calibrate(&s, &settings).unwrap();
        for j in 0..dim {
            let rank = c.draws.iter().filter(|d| d[j] < truth[j]).count();
            counts[j][rank * BINS / (DRAWS + 1)] += 1;
            // The 90% interval between the 6th and 95th of the 99 sorted draws holds the
            // truth when 5 to 94 draws lie below it: 90 of the 100 equally likely ranks.
            // (The type-7 p05-p95 of 99 draws spans only about 88% of the posterior.)
            if (5..95).contains(&rank) {
                covered[j] += 1;
            }
        }
    }
    let expected = n as f64 / BINS as f64;
    let chi = ChiSquared::new((BINS - 1) as f64).unwrap();
    let p_values = counts
        .iter()
        .map(|c| {
            let x2: f64 = c
                .iter()
                .map(|&k| (k as f64 - expected).powi(2) / expected)
                .sum();
            eprintln!("ranks {c:?}: chi-square {x2:.1}");
            1.0 - chi.cdf(x2)
        })
        .collect();
    let coverage = covered.iter().map(|&k| k as f64 / n as f64).collect();
    Outcome { p_values, coverage }
}

fn check(n: usize) {
    let good = replicate(n, 1.0);
    eprintln!(
        "right sd: p-values {:?}, 90% coverage {:?}",
        good.p_values, good.coverage
    );
    // Binomial Monte Carlo error of a 90% coverage over n replications, 3 se.
    let tolerance = 3.0 * (0.9 * 0.1 / n as f64).sqrt();
    for (p, cover) in good.p_values.iter().zip(&good.coverage) {
        assert!(*p > LEVEL, "ranks not uniform: p = {p}");
        assert!((cover - 0.9).abs() < tolerance, "90% coverage {cover}");
    }
    let bad = replicate(n, 0.5);
    eprintln!(
        "halved sd: p-values {:?}, 90% coverage {:?}",
        bad.p_values, bad.coverage
    );
    assert!(
        bad.p_values.iter().any(|&p| p < LEVEL),
        "halving the likelihood sd went undetected: {:?}",
        bad.p_values
    );
}

#[test]
fn ranks_are_uniform_and_a_halved_sd_is_rejected() {
    check(QUICK);
}

#[test]
#[ignore = "1,000 replications: about 5 s in a release build (cargo test --release --test sbc -- --ignored)"]
fn ranks_are_uniform_over_many_replications() {
    check(FULL);
}
