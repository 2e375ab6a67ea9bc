//! The age structure (docs/ages.md) against the unaged model and closed forms: with no
//! retirement and `max` out of reach the level totals are the unaged scenario's (central
//! path to 1e-9 relative, Monte Carlo means within 4 standard errors); a single cohort
//! with attrition only ages deterministically; a stationary population fed at one age has
//! the closed-form mean age.

use talentsim::engine::{central_ages, simulate, Job, Simulation};
use talentsim::scenario::{parse_bytes, Metric, Scenario};

fn scenario(text: &str) -> Scenario {
    parse_bytes("test.toml", text.as_bytes(), "test").unwrap_or_else(|e| panic!("{e}"))
}

fn run(s: &Scenario, runs: u64, seed: u64, noise: bool) -> Simulation {
    let job = Job {
        runs,
        seed,
        process_noise: noise,
        threads: None,
        verify: true,
        sampling: Default::default(),
    };
    simulate(s, &job, &|_| {}).unwrap_or_else(|e| panic!("{e}"))
}

fn col(sim: &Simulation, s: &Scenario, metric: Metric, year: i32) -> usize {
    let m = sim.metrics.iter().position(|x| *x == metric).unwrap();
    sim.column((year - s.start_year) as usize, m)
}

const UNAGED: &str = r#"
start_year = 2024
end_year = 2030
levels = ["junior", "intermediate", "senior", "technician"]
high_skill_from = "senior"

[initial]
junior = 8660
intermediate = 10590
senior = 11050
technician = 1560

[attrition]
junior = 0.09
intermediate = { dist = "pert", min = 0.04, mode = 0.065, max = 0.10 }
senior = 0.045
technician = 0.035

[upgrade]
junior = 0.07
intermediate = 0.055
senior = 0.012

[[transition]]
from = "intermediate"
to = "technician"
rate = 0.001

[[inflow]]
name = "colleges"
per_year = { dist = "lognormal", mean = 3000, sd = 600 }
split = { intermediate = 0.75, senior = 0.25 }
growth = 0.02

[[inflow]]
name = "programme"
per_year = 175
split = { senior = 1.0 }
from = "intermediate"
"#;

const AGES_NONE: &str = r#"
[ages]
min = 16
max = 110
retirement = "none"
groups = { male = 0.62, female_worker = 0.30, female_staff = 0.08 }
initial = { "16-24" = 0.10, "25-34" = 0.30, "35-44" = 0.27, "45-54" = 0.23, "55-63" = 0.10 }

[ages.by_level.technician]
groups = { male = 0.9, female_staff = 0.1 }
initial = { "30-63" = 1.0 }
"#;

/// The unaged scenario with `[ages]` and entrants' ages added.
fn aged(ages: &str) -> String {
    let with_age = UNAGED.replace(
        "growth = 0.02\n",
        "growth = 0.02\nage = { \"18-22\" = 0.8, \"23-30\" = 0.2 }\n",
    );
    format!("{with_age}{ages}")
}

#[test]
fn without_retirement_the_central_level_totals_are_the_unaged_ones() {
    let (u, a) = (scenario(UNAGED), scenario(&aged(AGES_NONE)));
    let (su, sa) = (run(&u, 1, 1, false), run(&a, 1, 1, false));
    let mut metrics = vec![Metric::Total, Metric::HighSkill, Metric::HighSkillAdded];
    metrics.extend((0..u.levels.len()).map(Metric::Level));
    for year in u.start_year..=u.end_year {
        for &m in &metrics {
            let (x, y) = (
                su.central[col(&su, &u, m, year)],
                sa.central[col(&sa, &a, m, year)],
            );
            assert!(
                (x - y).abs() <= 1e-9 * x.abs().max(1.0),
                "{m:?} in {year}: unaged {x}, aged {y}"
            );
        }
        assert_eq!(
            sa.central[col(&sa, &a, Metric::Retirements, year)],
            0.0,
            "{year}"
        );
    }
}

#[test]
fn without_retirement_monte_carlo_means_agree_within_4_standard_errors() {
    let (u, a) = (scenario(UNAGED), scenario(&aged(AGES_NONE)));
    let runs = 300;
    // Different seeds: independent samples.
    let (su, sa) = (run(&u, runs, 7, true), run(&a, runs, 8, true));
    let mean_se = |sim: &Simulation, c: usize| {
        let v = sim.values.column(c);
        let n = v.len() as f64;
        let mean = v.sum() / n;
        let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
        (mean, (var / n).sqrt())
    };
    let mut metrics = vec![Metric::Total, Metric::HighSkill];
    metrics.extend((0..u.levels.len()).map(Metric::Level));
    for year in [2025, 2027, 2030] {
        for &m in &metrics {
            let (mu, eu) = mean_se(&su, col(&su, &u, m, year));
            let (ma, ea) = mean_se(&sa, col(&sa, &a, m, year));
            let se = (eu * eu + ea * ea).sqrt();
            assert!(
                (mu - ma).abs() <= 4.0 * se,
                "{m:?} in {year}: unaged {mu} ± {eu}, aged {ma} ± {ea}"
            );
        }
    }
}

const ONE_LEVEL: &str = r#"
start_year = 2000
end_year = HORIZON
levels = ["only"]
high_skill_from = "only"

[initial]
only = INITIAL

[attrition]
only = 0.1

[upgrade]
"#;

#[test]
fn a_single_cohort_with_attrition_only_ages_deterministically() {
    let text = ONE_LEVEL
        .replace("HORIZON", "2010")
        .replace("INITIAL", "1000")
        + "[ages]\nmin = 16\nmax = 70\nretirement = \"none\"\ngroups = { male = 1.0 }\ninitial = { \"30\" = 1.0 }\n";
    let s = scenario(&text);
    let cells = central_ages(&s);
    let span = 70 - 16 + 1;
    let per_year = 3 * span;
    assert_eq!(cells.len(), 11 * per_year);
    let sim = run(&s, 1, 1, false);
    for t in 0..=10usize {
        let year = cells[t * per_year..(t + 1) * per_year].to_vec();
        let at = 30 - 16 + t;
        let want = 1000.0 * 0.9f64.powi(t as i32);
        assert!((year[at] - want).abs() < 1e-9, "year {t}: {}", year[at]);
        let rest: f64 = year.iter().sum::<f64>() - year[at];
        assert!(rest.abs() < 1e-9, "year {t}: {rest} elsewhere");
        let mean = sim.central[col(&sim, &s, Metric::MeanAge, 2000 + t as i32)];
        assert!((mean - (30 + t) as f64).abs() < 1e-12, "{mean}");
    }
}

#[test]
fn a_stationary_population_has_the_closed_form_mean_age() {
    // Entrants at age 20, attrition w, nobody retires before passing max = 20 + J: in the
    // steady state age 20 + j holds I q^j (q = 1 - w), j = 0..J, so the mean age is
    // 20 + sum j q^j / sum q^j = 20 + q (1 - (J+1) q^J + J q^(J+1)) / ((1 - q)(1 - q^(J+1))).
    let (w, j_max, entrants) = (0.1f64, 40, 500.0);
    let text = ONE_LEVEL
        .replace("HORIZON", "2060")
        .replace("INITIAL", "0")
        + "[ages]\nmin = 16\nmax = 60\nretirement = \"none\"\ngroups = { male = 1.0 }\n\
           initial = { \"16-60\" = 1.0 }\n\
           [[inflow]]\nname = \"school\"\nper_year = 500\nsplit = { only = 1.0 }\nage = { \"20\" = 1.0 }\n";
    let s = scenario(&text);
    let sim = run(&s, 1, 1, false);
    let q = 1.0 - w;
    let jf = f64::from(j_max);
    let closed = 20.0
        + q * (1.0 - (jf + 1.0) * q.powi(j_max) + jf * q.powi(j_max + 1))
            / ((1.0 - q) * (1.0 - q.powi(j_max + 1)));
    let stock = entrants * (1.0 - q.powi(j_max + 1)) / (1.0 - q);
    for year in [2050, 2060] {
        let mean = sim.central[col(&sim, &s, Metric::MeanAge, year)];
        let total = sim.central[col(&sim, &s, Metric::Total, year)];
        assert!((mean - closed).abs() < 1e-9, "{year}: {mean} vs {closed}");
        assert!(
            (total - stock).abs() < 1e-9 * stock,
            "{year}: {total} vs {stock}"
        );
        // Leaving past max: the oldest cell after a year of attrition.
        let retired = sim.central[col(&sim, &s, Metric::Retirements, year)];
        let want = entrants * q.powi(j_max + 1);
        assert!((retired - want).abs() < 1e-9, "{retired} vs {want}");
    }
}

#[test]
fn china_2025_retires_people_and_flows_balance_under_noise() {
    let text = aged(
        &AGES_NONE
            .replace("\"none\"", "\"china-2025\"")
            .replace("110", "70"),
    );
    let s = scenario(&text);
    // `verify` checks every run's flows balance with retirements counted as exits.
    let sim = run(&s, 50, 3, true);
    let c = col(&sim, &s, Metric::Retirements, 2026);
    assert!(sim.central[c] > 0.0);
    assert!(sim
        .values
        .column(c)
        .iter()
        .all(|&x| x >= 0.0 && x.fract() == 0.0));
    let h = col(&sim, &s, Metric::HighSkillRetirements, 2026);
    assert!(sim.central[h] <= sim.central[c]);
}

#[test]
fn the_aged_scenario_writes_age_columns_and_an_ages_table_that_adds_up() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let scenario = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/zhangjiagang-aged.toml"
    );
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_talentsim"))
        .args([
            "run",
            scenario,
            "--runs",
            "20",
            "--no-charts",
            "--quiet",
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let central = std::fs::read_to_string(out.join("central.csv")).unwrap();
    let header = central.lines().next().unwrap();
    assert!(
        header.ends_with(
            ",senior_technician,retirements,high_skill_retirements,mean_age,high_skill_mean_age"
        ),
        "{header}"
    );
    let projection = std::fs::read_to_string(out.join("projection.csv")).unwrap();
    assert!(projection.contains("\n2030,high_skill_mean_age,"));
    // ages.csv: every cell of every year, and each year's cells add up to central.csv's total.
    let ages = std::fs::read_to_string(out.join("ages.csv")).unwrap();
    let mut lines = ages.lines();
    assert_eq!(lines.next(), Some("year,level,group,age,stock"));
    let mut by_year = std::collections::BTreeMap::<i32, f64>::new();
    let mut rows = 0;
    for line in lines {
        let f: Vec<&str> = line.split(',').collect();
        *by_year.entry(f[0].parse().unwrap()).or_default() += f[4].parse::<f64>().unwrap();
        rows += 1;
    }
    assert_eq!(rows, 7 * 5 * 3 * (70 - 16 + 1));
    for line in central.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let (year, total): (i32, f64) = (f[0].parse().unwrap(), f[1].parse().unwrap());
        assert!(
            (by_year[&year] - total).abs() < 1e-9 * total,
            "{year}: {} vs {total}",
            by_year[&year]
        );
    }
}
