//! Invariants over random scenarios: no negative stock, flows balance, quantiles ordered.

// Index loops mirror the formulas' subscripts.
#![allow(clippy::needless_range_loop)]

use proptest::prelude::*;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use talentsim::engine::{simulate, Job};
use talentsim::model::{sample_params, step, Flows, Noisy, RunParams, State};
use talentsim::scenario::{Dist, Inflow, MonteCarlo, Move, MoveKind, Param, Scenario, Value, Vary};
use talentsim::stats::summarize;

/// A random scenario: 1-5 levels, rates out of each level summing to at most 1 (sometimes
/// exactly 1), uncertain rates, programmes and new entrants, stocks from 0 to 10^6.
fn scenarios() -> impl Strategy<Value = Scenario> {
    (1usize..=5, any::<u64>()).prop_map(|(n_levels, seed)| {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        use rand::Rng;
        let levels: Vec<String> = (0..n_levels).map(|i| format!("l{i}")).collect();
        let initial: Vec<f64> = (0..n_levels)
            .map(|_| {
                if rng.random_bool(0.2) {
                    0.0
                } else {
                    rng.random_range(0..1_000_000) as f64
                }
            })
            .collect();
        let mut attrition = Vec::new();
        let mut moves = Vec::new();
        for l in 0..n_levels {
            // Split a budget of at most 1 over exit, upgrade and one transition.
            let budget = if rng.random_bool(0.2) {
                1.0
            } else {
                rng.random_range(0.0..1.0)
            };
            let w: [f64; 3] = [rng.random(), rng.random(), rng.random()];
            let total: f64 = w.iter().sum();
            let exit = budget * w[0] / total;
            attrition.push(if rng.random_bool(0.5) {
                Param::Constant(Value::Fixed(exit))
            } else {
                let (min, max) = (exit * 0.5, exit);
                let mode = (min + max) / 2.0;
                Param::Constant(Value::Random(Dist::Pert { min, mode, max }, Vary::Yearly))
            });
            if l + 1 < n_levels {
                let rate = Param::Constant(Value::Fixed(budget * w[1] / total));
                moves.push(Move {
                    from: l,
                    to: l + 1,
                    rate,
                    kind: MoveKind::Upgrade,
                });
            }
            if n_levels > 2 {
                let to = (l + 2) % n_levels;
                let rate = Param::Constant(Value::Fixed(budget * w[2] / total));
                moves.push(Move {
                    from: l,
                    to,
                    rate,
                    kind: MoveKind::Transition,
                });
            }
        }
        let mut inflows = Vec::new();
        for k in 0..rng.random_range(0..4) {
            let from =
                (n_levels > 1 && rng.random_bool(0.5)).then(|| rng.random_range(0..n_levels));
            let targets: Vec<usize> = (0..n_levels).filter(|l| Some(*l) != from).collect();
            let share = 1.0 / targets.len() as f64;
            let mean = rng.random_range(0.0..50_000.0);
            inflows.push(Inflow {
                name: format!("f{k}"),
                per_year: Param::Constant(Value::Random(
                    Dist::Uniform {
                        min: 0.0,
                        max: mean + 1.0,
                    },
                    Vary::Run,
                )),
                split: targets.iter().map(|&l| (l, share)).collect(),
                first_year: 2021,
                last_year: 2025,
                growth: 0.02,
                from,
            });
        }
        Scenario {
            name: "random".into(),
            title: "random".into(),
            start_year: 2020,
            end_year: 2025,
            high_skill_from: n_levels / 2,
            levels,
            initial,
            attrition,
            moves,
            inflows,
            monte_carlo: MonteCarlo {
                runs: 10,
                seed,
                process_noise: true,
            },
            targets: vec![],
            observations: vec![],
            calibration: None,
            ages: None,
        }
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn flows_balance_and_stocks_stay_whole_and_non_negative(s in scenarios(), seed in any::<u64>()) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut params = RunParams::default();
        prop_assert!(sample_params(&s, &mut rng, &mut params).is_ok());
        let mut state = State::initial(&s);
        let mut flows = Flows::default();
        let n = s.levels.len();
        for year in &params.years {
            let before = state.stock.clone();
            step(&s, year, &mut state, &mut Noisy(&mut rng), &mut flows);
            for l in 0..n {
                let arrived = flows.arrived[l];
                let moved_in: f64 = s.moves.iter().zip(&flows.moved).filter(|(m, _)| m.to == l).map(|(_, x)| x).sum();
                let moved_out: f64 = s.moves.iter().zip(&flows.moved).filter(|(m, _)| m.from == l).map(|(_, x)| x).sum();
                let taken: f64 = s.inflows.iter().zip(&flows.taken).filter(|(f, _)| f.from == Some(l)).map(|(_, x)| x).sum();
                let change = state.stock[l] - before[l];
                prop_assert_eq!(change, arrived + moved_in - flows.exits[l] - moved_out - taken, "level {}", l);
                prop_assert!(state.stock[l] >= 0.0 && state.stock[l].fract() == 0.0, "level {}: {}", l, state.stock[l]);
            }
        }
    }

    #[test]
    fn quantiles_are_ordered(s in scenarios()) {
        let job = Job { runs: 25, seed: s.monte_carlo.seed, process_noise: true, threads: Some(1), verify: true, sampling: Default::default() };
        let sim = simulate(&s, &job, &|_| {}).unwrap();
        let summary = summarize(&s, &sim, job.seed, true);
        for r in &summary.projection {
            let q = [r.p05, r.p10, r.p25, r.p50, r.p75, r.p90, r.p95];
            if q.iter().all(Option::is_none) {
                prop_assert!(r.metric.is_share());
                continue;
            }
            let q: Vec<f64> = q.iter().map(|x| x.unwrap()).collect();
            prop_assert!(q.windows(2).all(|w| w[0] <= w[1]), "{:?}", r);
            prop_assert!(r.sd.unwrap() >= 0.0 && q.iter().all(|x| x.is_finite()));
        }
    }
}
