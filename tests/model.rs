//! The model against independent computations: the matrix form of the central path,
//! closed-form moments of the multinomial Markov manpower model, and the beta-binomial.

// Index loops mirror the formulas' subscripts.
#![allow(clippy::needless_range_loop)]

use ndarray::{Array1, Array2};
use talentsim::engine::{simulate, Job, Simulation};
use talentsim::scenario::{parse_bytes, Metric, Scenario};

fn scenario(text: &str) -> Scenario {
    parse_bytes("test.toml", text.as_bytes(), "test").unwrap_or_else(|e| panic!("{e}"))
}

fn run(s: &Scenario, runs: u64, seed: u64, noise: bool, threads: Option<usize>) -> Simulation {
    let job = Job {
        runs,
        seed,
        process_noise: noise,
        threads,
        verify: true,
        sampling: Default::default(),
    };
    simulate(s, &job, &|_| {}).unwrap()
}

/// Column of `metric` in year `year` of a simulation.
fn col(sim: &Simulation, s: &Scenario, metric: Metric, year: i32) -> usize {
    let m = sim.metrics.iter().position(|x| *x == metric).unwrap();
    sim.column((year - s.start_year) as usize, m)
}

const MATRIX_SCENARIO: &str = r#"
name = "matrix"
start_year = 2020
end_year = 2026
levels = ["a", "b", "c", "d"]
high_skill_from = "c"

[initial]
a = 50000
b = 40000
c = 20000
d = 5000

[attrition]
a = 0.10
b = { by_year = { 2020 = 0.06, 2023 = 0.04 } }
c = { dist = "beta", mean = 0.05, sd = 0.01 }
d = 0.03

[upgrade]
a = 0.08
b = { dist = "pert", min = 0.03, mode = 0.05, max = 0.10 }
c = 0.02

[[transition]]
from = "b"
to = "d"
rate = 0.004

[[transition]]
from = "d"
to = "b"
rate = 0.01

[[inflow]]
name = "colleges"
per_year = { dist = "lognormal", mean = 3000, sd = 500 }
split = { a = 0.2, b = 0.6, c = 0.2 }
first_year = 2022
last_year = 2024
growth = 0.05

[[inflow]]
name = "programme"
per_year = { by_year = { 2020 = 1500, 2024 = 1000000 } }
split = { b = 0.5, c = 0.5 }
from = "a"

[monte_carlo]
runs = 50
seed = 1
"#;

#[test]
fn central_path_equals_the_matrix_form() {
    let s = scenario(MATRIX_SCENARIO);
    let sim = run(&s, 2, 1, true, Some(1));
    let (a, b, c, d) = (0, 1, 2, 3);
    let mut n = Array1::from(vec![50000.0, 40000.0, 20000.0, 5000.0]);
    let mut added = 0.0;
    for year in 2021..=2026 {
        // Central values, written out independently of the program's schedule code.
        let wb = if year >= 2023 { 0.04 } else { 0.06 };
        let ub = (0.03 + 4.0 * 0.05 + 0.10) / 6.0;
        let mut p = Array2::<f64>::zeros((4, 4));
        p[[a, b]] = 0.08;
        p[[b, c]] = ub;
        p[[c, d]] = 0.02;
        p[[b, d]] = 0.004;
        p[[d, b]] = 0.01;
        let exit = [0.10, wb, 0.05, 0.03];
        for l in 0..4 {
            p[[l, l]] = 1.0 - exit[l] - p.row(l).sum();
        }
        let mut next = n.dot(&p);
        // Gross additions to high skill: moves from {a, b} into {c, d}.
        added += (0..2)
            .map(|l| (2..4).map(|k| n[l] * p[[l, k]]).sum::<f64>())
            .sum::<f64>();

        // Programme: from a's stayers, capped; to b and c half each.
        let wanted = if year >= 2024 { 1_000_000.0 } else { 1500.0 };
        let count = f64::min(wanted, n[a] * p[[a, a]]);
        next[a] -= count;
        next[b] += 0.5 * count;
        next[c] += 0.5 * count;
        added += 0.5 * count;

        // New entrants R(t): 2022-2024, growing 5% a year from 2022.
        if (2022..=2024).contains(&year) {
            let amount = 3000.0 * 1.05f64.powi(year - 2022);
            let r = Array1::from(vec![0.2 * amount, 0.6 * amount, 0.2 * amount, 0.0]);
            next += &r;
            added += 0.2 * amount;
        }
        n = next;

        for (l, name) in ["a", "b", "c", "d"].iter().enumerate() {
            let got = sim.central[col(&sim, &s, Metric::Level(l), year)];
            assert!(
                (got - n[l]).abs() <= 1e-9 * n[l].max(1.0),
                "{year} level {name}: {got} vs {}",
                n[l]
            );
        }
        let got = sim.central[col(&sim, &s, Metric::HighSkillAdded, year)];
        assert!(
            (got - added).abs() <= 1e-9 * added,
            "{year} added: {got} vs {added}"
        );
        let high = n[c] + n[d];
        let share = sim.central[col(&sim, &s, Metric::HighSkillShare, year)];
        assert!((share - high / n.sum()).abs() < 1e-12);
        let net = sim.central[col(&sim, &s, Metric::HighSkillNetChange, year)];
        assert!((net - (high - 25000.0)).abs() < 1e-6);
    }
    // The cap bites from 2024: all of a's stayers are taken, so a holds only the entrants
    // who arrive after the programme (2024), and nobody once entrants stop (2025).
    let a_2024 = sim.central[col(&sim, &s, Metric::Level(0), 2024)];
    let a_2025 = sim.central[col(&sim, &s, Metric::Level(0), 2025)];
    assert!(
        (a_2024 - 0.2 * 3000.0 * 1.05f64.powi(2)).abs() < 1e-9,
        "a in 2024: {a_2024}"
    );
    assert!(a_2025.abs() < 1e-9, "a in 2025: {a_2025}");
}

/// Fixed rates, Poisson inflows: every person moves independently, so the count in level
/// j after t years is a sum of independent binomials (initial stock: n0_i people each in j
/// with probability P^t[i][j]) and Poissons (arrivals of year s at level l: Poisson(lambda
/// s_l) thinned by P^{t-s}[l][j]; entrants are not exposed in their arrival year).
#[test]
fn process_noise_matches_closed_form_moments() {
    let text = r#"
name = "closed-form"
start_year = 2020
end_year = 2025
levels = ["x", "y", "z"]
high_skill_from = "z"
[initial]
x = 4000
y = 2500
z = 1000
[attrition]
x = 0.12
y = 0.07
z = 0.05
[upgrade]
x = 0.15
y = 0.06
[[transition]]
from = "z"
to = "x"
rate = 0.02
[[inflow]]
name = "entrants"
per_year = 600
split = { x = 0.7, y = 0.3 }
[[inflow]]
name = "seniors"
per_year = 50
split = { z = 1.0 }
"#;
    let s = scenario(text);
    let runs = 40_000;
    let sim = run(&s, runs, 99, true, None);

    let mut p = Array2::<f64>::zeros((3, 3));
    p[[0, 1]] = 0.15;
    p[[1, 2]] = 0.06;
    p[[2, 0]] = 0.02;
    let exit = [0.12, 0.07, 0.05];
    for l in 0..3 {
        p[[l, l]] = 1.0 - exit[l] - p.row(l).sum();
    }
    let n0 = [4000.0, 2500.0, 1000.0];
    let lambda = [[420.0, 180.0, 0.0], [0.0, 0.0, 50.0]];
    let t = 5;
    let mut powers = vec![Array2::<f64>::eye(3)];
    for k in 1..=t {
        powers.push(powers[k - 1].dot(&p));
    }
    for j in 0..3 {
        let mut mean = 0.0;
        let mut var = 0.0;
        for i in 0..3 {
            let q = powers[t][[i, j]];
            mean += n0[i] * q;
            var += n0[i] * q * (1.0 - q);
        }
        for s_year in 1..=t {
            for src in &lambda {
                for l in 0..3 {
                    let m = src[l] * powers[t - s_year][[l, j]];
                    mean += m;
                    var += m;
                }
            }
        }
        let xs: Vec<f64> = sim
            .values
            .column(col(&sim, &s, Metric::Level(j), 2025))
            .to_vec();
        let r = xs.len() as f64;
        let m = xs.iter().sum::<f64>() / r;
        let v = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (r - 1.0);
        let se_mean = (var / r).sqrt();
        let se_var = var * (2.0 / (r - 1.0)).sqrt();
        assert!(
            (m - mean).abs() < 4.0 * se_mean,
            "level {j}: mean {m} vs {mean} (se {se_mean})"
        );
        assert!(
            (v - var).abs() < 4.0 * se_var,
            "level {j}: variance {v} vs {var} (se {se_var})"
        );
    }
}

/// One level of 1,000 people, attrition ~ Beta(mean 0.1, sd 0.03) drawn once per run,
/// binomial exits: exits are beta-binomial, with variance n mu (1 - mu) (a + b + n) / (a + b + 1).
#[test]
fn beta_attrition_gives_beta_binomial_moments() {
    let text = r#"
name = "beta-binomial"
start_year = 2020
end_year = 2021
levels = ["only"]
high_skill_from = "only"
[initial]
only = 1000
[attrition]
only = { dist = "beta", mean = 0.1, sd = 0.03 }
"#;
    let s = scenario(text);
    let runs = 40_000;
    let sim = run(&s, runs, 7, true, None);
    let (n, mu, sd) = (1000.0, 0.1, 0.03);
    let ab = mu * (1.0 - mu) / (sd * sd) - 1.0;
    let mean = n * (1.0 - mu);
    let var = n * mu * (1.0 - mu) * (ab + n) / (ab + 1.0);
    let xs: Vec<f64> = sim
        .values
        .column(col(&sim, &s, Metric::Level(0), 2021))
        .to_vec();
    let r = xs.len() as f64;
    let m = xs.iter().sum::<f64>() / r;
    let v = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (r - 1.0);
    // The beta-binomial is skewed but light-tailed; its kurtosis is close to the normal's
    // at these parameters, so the normal-theory standard error of the variance holds.
    let se_mean = (var / r).sqrt();
    let se_var = var * (2.0 / (r - 1.0)).sqrt();
    assert!((m - mean).abs() < 4.0 * se_mean, "mean {m} vs {mean}");
    assert!(
        (v - var).abs() < 4.0 * se_var,
        "variance {v} vs {var} (binomial alone: {})",
        n * mu * (1.0 - mu)
    );
}

#[test]
fn runs_do_not_depend_on_threads_or_job_size() {
    let s = scenario(MATRIX_SCENARIO);
    let big = run(&s, 300, 42, true, Some(2));
    let one = run(&s, 300, 42, true, Some(1));
    let small = run(&s, 77, 42, true, Some(2));
    assert_eq!(big.values, one.values);
    assert_eq!(big.values.slice(ndarray::s![..77, ..]), small.values);
    let other_seed = run(&s, 77, 43, true, Some(2));
    assert_ne!(small.values, other_seed.values);
}

#[test]
fn runs_without_process_noise_keep_real_valued_stocks() {
    let s = scenario(MATRIX_SCENARIO);
    let sim = run(&s, 20, 3, false, None);
    let c = col(&sim, &s, Metric::Level(1), 2021);
    assert!(sim.values.column(c).iter().any(|x| x.fract() != 0.0));
    let noisy = run(&s, 20, 3, true, None);
    for l in 0..s.levels.len() {
        for year in s.start_year..=s.end_year {
            let c = col(&noisy, &s, Metric::Level(l), year);
            assert!(
                noisy.values.column(c).iter().all(|x| x.fract() == 0.0),
                "level {l} in {year}"
            );
        }
    }
}

/// Entrants from several inflows that share levels: a level's entrants in a year are
/// Poisson with mean the sum of every inflow's amount times its share there, independent
/// of the other levels' (Poisson thinning and superposition). One year, nobody leaves or
/// moves, so each level's stock minus its initial stock is its entrants: checked against
/// the exact Poisson probabilities (chi-square) and for independence, with and without
/// `--exact`.
#[test]
fn entrants_from_shared_levels_are_independent_poissons() {
    let text = r#"
name = "entrants"
start_year = 2020
end_year = 2021
levels = ["x", "y", "z"]
high_skill_from = "z"
[initial]
x = 1000
y = 1000
z = 1000
[attrition]
x = 0
y = 0
z = 0
[upgrade]
x = 0
y = 0
[[inflow]]
name = "a"
per_year = 30
split = { x = 0.5, y = 0.5 }
[[inflow]]
name = "b"
per_year = 20
split = { x = 1.0 }
[[inflow]]
name = "c"
per_year = 400
split = { y = 0.25, z = 0.75 }
"#;
    let s = scenario(text);
    let runs = 20_000;
    for sampling in [
        talentsim::engine::Sampling::Fast,
        talentsim::engine::Sampling::Exact,
    ] {
        let job = Job {
            runs,
            seed: 5,
            process_noise: true,
            threads: None,
            verify: true,
            sampling,
        };
        let sim = simulate(&s, &job, &|_| {}).unwrap();
        let entrants = |l: usize| -> Vec<f64> {
            (sim.values
                .column(col(&sim, &s, Metric::Level(l), 2021))
                .iter())
            .map(|x| x - 1000.0)
            .collect()
        };
        let (x, y, z) = (entrants(0), entrants(1), entrants(2));
        // x ~ Poisson(35): chi-square over the bins 20..=50 and both tails.
        let lambda: f64 = 35.0;
        let pmf = |k: u64| {
            (k as f64 * lambda.ln() - lambda - statrs::function::gamma::ln_gamma(k as f64 + 1.0))
                .exp()
        };
        let mut observed = vec![0.0; 33];
        for &v in &x {
            observed[(v as usize).clamp(19, 51) - 19] += 1.0;
        }
        let mut expected: Vec<f64> = (19..=51).map(|k| pmf(k) * runs as f64).collect();
        expected[0] = (0..=19).map(pmf).sum::<f64>() * runs as f64;
        expected[32] = (1.0 - (0..=50).map(pmf).sum::<f64>()) * runs as f64;
        let chi2: f64 = (observed.iter().zip(&expected))
            .map(|(o, e)| (o - e).powi(2) / e)
            .sum();
        // 32 degrees of freedom: the 0.999 quantile is 62.5.
        assert!(chi2 < 62.5, "{sampling:?}: chi-square {chi2}");
        // y ~ Poisson(115) and z ~ Poisson(300): mean and variance, 4 standard errors.
        for (v, lambda) in [(&y, 115.0), (&z, 300.0)] {
            let n = v.len() as f64;
            let m = v.iter().sum::<f64>() / n;
            let var = v.iter().map(|a| (a - m).powi(2)).sum::<f64>() / (n - 1.0);
            assert!(
                (m - lambda).abs() < 4.0 * (lambda / n).sqrt(),
                "{sampling:?}: mean {m}"
            );
            let se_var = (lambda * (1.0 + 2.0 * lambda) / n).sqrt();
            assert!(
                (var - lambda).abs() < 4.0 * se_var,
                "{sampling:?}: var {var}"
            );
        }
        // Independent levels, although inflow c feeds both y and z.
        let corr = |a: &[f64], b: &[f64]| {
            let n = a.len() as f64;
            let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
            let cov: f64 = a.iter().zip(b).map(|(p, q)| (p - ma) * (q - mb)).sum();
            let va: f64 = a.iter().map(|p| (p - ma).powi(2)).sum();
            let vb: f64 = b.iter().map(|q| (q - mb).powi(2)).sum();
            cov / (va * vb).sqrt()
        };
        for (name, r) in [
            ("x,y", corr(&x, &y)),
            ("y,z", corr(&y, &z)),
            ("x,z", corr(&x, &z)),
        ] {
            assert!(
                r.abs() < 4.0 / (runs as f64).sqrt(),
                "{sampling:?}: corr {name} {r}"
            );
        }
    }
}
