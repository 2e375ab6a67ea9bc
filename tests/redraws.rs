//! Runs whose drawn rates out of a level exceed 1 are drawn again (docs/model.md, uncertainty):
//! each such run takes its first valid attempt, the redraws are counted by the level of the
//! first failure, and more than 1% of runs is an error naming the level. Checked against
//! the parameter plan and the model's step, run by run.

use talentsim::engine::{simulate, EngineError, Job, ParamStreams};
use talentsim::model::{step, Expected, Flows, ParamPlan, RunParams, State};
use talentsim::scenario::{parse_bytes, Scenario};

/// A scenario whose level `a` draws attrition (sd `attrition_sd`) and upgrade rates that
/// can add up to more than 1.
fn scenario(attrition_sd: f64) -> Scenario {
    let text = format!(
        r#"
name = "redraws"
start_year = 2020
end_year = 2024
levels = ["a", "b"]
high_skill_from = "b"

[initial]
a = 10000
b = 4000

[attrition]
a = {{ dist = "beta", mean = 0.45, sd = {attrition_sd} }}
b = 0.1

[upgrade]
a = {{ dist = "beta", mean = 0.25, sd = 0.08 }}

[[inflow]]
name = "school"
per_year = 800
split = {{ a = 1.0 }}
"#
    );
    parse_bytes("redraws.toml", text.as_bytes(), "redraws").unwrap_or_else(|e| panic!("{e}"))
}

fn job(runs: u64) -> Job {
    Job {
        runs,
        seed: 3,
        process_noise: false,
        threads: Some(2),
        verify: true,
        sampling: Default::default(),
    }
}

#[test]
fn a_run_with_rates_out_above_one_takes_its_first_valid_attempt() {
    let s = scenario(0.08);
    let runs = 4000;
    let sim = simulate(&s, &job(runs), &|_| {}).unwrap();
    let plan = ParamPlan::new(&s);
    let n_metrics = sim.metrics.len();
    let mut redrawn = vec![0u64; s.levels.len()];
    let mut params = RunParams::default();
    for run in 0..runs {
        let mut attempt = 0;
        while let Err(level) =
            plan.sample(&mut ParamStreams::new(3, run, attempt, &[]), &mut params)
        {
            if attempt == 0 {
                redrawn[level] += 1;
            }
            attempt += 1;
        }
        // Without process noise a run is its parameters' expected path: every level's
        // stock in every year, bit for bit.
        let (mut state, mut flows) = (State::initial(&s), Flows::default());
        for (t, year) in params.years.iter().enumerate() {
            step(&s, year, &mut state, &mut Expected, &mut flows);
            for (l, &stock) in state.stock.iter().enumerate() {
                let got = sim.values[[run as usize, (t + 1) * n_metrics + 5 + l]];
                assert_eq!(
                    got.to_bits(),
                    stock.to_bits(),
                    "run {run}, year {t}, level {l}"
                );
            }
        }
    }
    assert_eq!(sim.redrawn_by_level, redrawn);
    // About 0.4% of runs (rates out of `a` ~ 0.70 +- 0.11): some, and under 1%.
    assert!((4..40).contains(&redrawn[0]), "{redrawn:?}");
}

#[test]
fn more_than_one_percent_of_runs_redrawn_is_an_error_naming_the_level() {
    let s = scenario(0.2);
    match simulate(&s, &job(2000), &|_| {}) {
        Err(EngineError::Redraws { level, runs, total }) => {
            assert_eq!(level, "a");
            assert_eq!(total, 2000);
            assert!(runs > 20, "{runs}");
        }
        other => panic!(
            "expected a redraw error, got {:?}",
            other.map(|s| s.redrawn_by_level)
        ),
    }
}
