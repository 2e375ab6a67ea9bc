//! Measures `talentsim calibrate`'s costs on the shipped Jiangsu and Zhangjiagang baseline
//! scenarios: likelihood evaluations (expected-value projections) per second, on one
//! thread and on every core, and the wall time of a whole calibration with the command's
//! settings (2,000 draws).
//!
//! The scenarios carry no observations, so this builds four: `total` and `high_skill` at
//! the end of `start_year + 2` and on June 30 of `start_year + 3`, each 3% above the
//! central path, with a 2% sd (a plausible pull away from the prior) and with a 0.5% sd (a
//! tight one, that IMIS must add components for).
//!
//! `cargo bench --bench calibrate` (a plain program, not a statistical harness: the
//! figures are indicative, more so on a shared machine).

use std::hint::black_box;
use std::path::Path;
use std::time::Instant;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use rayon::prelude::*;
use talentsim::calibrate::{calibrate, settings_for, Problem};
use talentsim::engine::central_path;
use talentsim::scenario::{load, Date, Metric, Observation, Reading, Scenario};

fn with_observations(file: &str, rel_sd: f64) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(file);
    let mut s = load(&path).expect("a shipped scenario");
    let central = central_path(&s).expect("the central path");
    let n_metrics = Metric::all(s.levels.len()).len();
    let at = |year: i32, m: usize| central[(year - s.start_year) as usize * n_metrics + m];
    let mut observations = Vec::new();
    for (m, metric) in [(0, Metric::Total), (1, Metric::HighSkill)] {
        let y = s.start_year + 2;
        let mid = 0.5 * (at(y, m) + at(y + 1, m));
        for (date, x) in [
            (Date::new(y, 12, 31).unwrap(), at(y, m)),
            (Date::new(y + 1, 6, 30).unwrap(), mid),
        ] {
            observations.push(Observation {
                metric,
                date,
                reading: Reading::Value(1.03 * x),
                sd: rel_sd * x,
                source: None,
            });
        }
    }
    s.observations = observations;
    s
}

fn main() {
    for (file, rel_sd) in [
        ("jiangsu.toml", 0.02),
        ("jiangsu.toml", 0.005),
        ("zhangjiagang-baseline.toml", 0.02),
        ("zhangjiagang-baseline.toml", 0.005),
    ] {
        let s = with_observations(file, rel_sd);
        let problem = Problem::new(&s).expect("a calibration problem");
        let dim = problem.dim();
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let points: Vec<Vec<f64>> = (0..20_000)
            .map(|_| (0..dim).map(|_| StandardNormal.sample(&mut rng)).collect())
            .collect();
        let t = Instant::now();
        let sum: f64 = points.iter().map(|z| problem.log_likelihood(z)).sum();
        black_box(sum);
        let one = points.len() as f64 / t.elapsed().as_secs_f64();
        let t = Instant::now();
        let lls: Vec<f64> = points
            .par_iter()
            .map(|z| problem.log_likelihood(z))
            .collect();
        black_box(lls);
        let all = points.len() as f64 / t.elapsed().as_secs_f64();
        let settings = settings_for(dim, 2000, s.monte_carlo.seed);
        let t = Instant::now();
        let c = calibrate(&s, &settings).expect("a calibration");
        let wall = t.elapsed().as_secs_f64();
        let d = c.diagnostics();
        println!(
            "{file}, sd {rel_sd}: {dim} parameters, {} projected years; {one:.0} evaluations/s on one thread, \
             {all:.0}/s on {} threads; calibration (B = {}, {} draws) {wall:.2} s: {} iterations, \
             {} evaluations, ESS {:.0}, {} warnings",
            s.horizon(),
            rayon::current_num_threads(),
            settings.increment,
            settings.draws,
            d.iterations,
            d.evaluations,
            d.effective_sample_size,
            c.warnings.len(),
        );
        for w in &c.warnings {
            println!("  warning: {w}");
        }
    }
}
