//! Extreme but valid inputs run and keep every invariant: rates of exactly 0 and 1,
//! stocks of 0 and 10^9, a 200-year horizon, a hundred levels, and a workforce that
//! empties (a total of zero, where the share is undefined). No NaN or infinity reaches an
//! output.

use std::fmt::Write as _;
use std::fs;

use talentsim::engine::{simulate, Job};
use talentsim::scenario::parse_bytes;
use talentsim::stats::{summarize, verify};
use talentsim::Scenario;

fn scenario(text: &str) -> Scenario {
    parse_bytes("extreme.toml", text.as_bytes(), "extreme").unwrap_or_else(|e| panic!("{e}"))
}

/// Runs a scenario with and without process noise, with every self-check on, and checks
/// the summary and the written files.
fn run_and_check(s: &Scenario, runs: u64) -> Vec<talentsim::Summary> {
    let mut out = Vec::new();
    for noise in [true, false] {
        let job = Job {
            runs,
            seed: 11,
            process_noise: noise,
            threads: None,
            verify: true,
            sampling: Default::default(),
        };
        let sim = simulate(s, &job, &|_| {}).unwrap_or_else(|e| panic!("{e}"));
        assert!(
            sim.values.iter().all(|x| x.is_finite() || x.is_nan()),
            "an infinite value in the run table"
        );
        let summary = summarize(s, &sim, job.seed, noise);
        verify(&summary).unwrap_or_else(|e| panic!("noise {noise}: {e}"));
        let dir = tempfile::tempdir().unwrap();
        talentsim::output::write_tables(&summary, dir.path()).unwrap();
        for f in talentsim::output::TABLE_FILES
            .iter()
            .filter(|f| !f.ends_with(".xlsx"))
        {
            let text = fs::read_to_string(dir.path().join(f))
                .unwrap()
                .to_lowercase();
            assert!(
                !text.contains("nan") && !text.contains("inf"),
                "{f} holds NaN or infinity"
            );
        }
        out.push(summary);
    }
    out
}

#[test]
fn a_hundred_levels_over_200_years_with_rates_of_0_and_1_and_stocks_of_0_and_1e9() {
    let n = 100;
    let levels: Vec<String> = (0..n).map(|i| format!("L{i}")).collect();
    let mut t = String::from("start_year = 2000\nend_year = 2200\n");
    writeln!(t, "levels = {levels:?}\nhigh_skill_from = \"L50\"").unwrap();
    t.push_str("[initial]\n");
    for (i, l) in levels.iter().enumerate() {
        let stock = if i % 2 == 0 { "0" } else { "1000000000" };
        writeln!(t, "{l} = {stock}").unwrap();
    }
    // Rates exactly 1 (everyone leaves, or everyone is certified), exactly 0, and
    // uncertain ones in between.
    t.push_str("[attrition]\n");
    for (i, l) in levels.iter().enumerate() {
        let w = match i % 4 {
            0 => "1",
            1 => "0",
            2 => "{ dist = \"beta\", mean = 0.05, sd = 0.01 }",
            _ => "0.5",
        };
        writeln!(t, "{l} = {w}").unwrap();
    }
    t.push_str("[upgrade]\n");
    for (i, l) in levels.iter().enumerate().take(n - 1) {
        let u = match i % 4 {
            0 => "0",
            1 => "1",
            2 => "{ dist = \"uniform\", min = 0, max = 0.2, vary = \"yearly\" }",
            _ => "0.5",
        };
        writeln!(t, "{l} = {u}").unwrap();
    }
    t.push_str(
        "[[inflow]]\nname = \"graduates\"\nper_year = { dist = \"lognormal\", mean = 1e9, sd = 1e8 }\n\
         split = { L0 = 0.5, L99 = 0.5 }\ngrowth = 0.01\n\
         [[inflow]]\nname = \"programme\"\nper_year = 1e9\nsplit = { L60 = 1 }\nfrom = \"L3\"\n\
         [monte_carlo]\nruns = 10\nseed = 1\n\
         [[target]]\nname = \"share\"\nmetric = \"high_skill_share\"\nyear = 2100\nat_least = 0.5\nthrough = 2200\n\
         [[target]]\nname = \"added\"\nmetric = \"high_skill_added\"\nyear = 2200\nat_least = 1e12\n",
    );
    let s = scenario(&t);
    let summaries = run_and_check(&s, 8);
    // Without noise, the bottom level (attrition 1) holds only its half of the year's
    // graduates after one year, and the levels with no way in stay empty.
    let central = &summaries[1].central;
    assert_eq!(central[1].levels[0], 5e8);
    assert!(central.iter().all(|r| r.total > 0.0));
}

#[test]
fn a_workforce_that_empties_has_an_undefined_share_and_no_target_on_it_holds() {
    let text = talentsim::scenario::TEMPLATE
        .replace("junior = { dist = \"pert\", min = 0.06, mode = 0.09, max = 0.15 }", "junior = 1")
        .replace(
            "intermediate = { dist = \"pert\", min = 0.04, mode = 0.065, max = 0.10 }",
            "intermediate = 1",
        )
        .replace("senior = { dist = \"beta\", mean = 0.045, sd = 0.008 }", "senior = 1")
        .replace("technician = 0.035", "technician = 1")
        .replace("senior_technician = 0.045", "senior_technician = 1")
        .replace("junior = 0.07", "junior = 0")
        .replace(
            "intermediate = { by_year = { 2024 = 0.055, 2027 = { dist = \"pert\", min = 0.03, mode = 0.06, max = 0.09 } } }",
            "intermediate = 0",
        )
        .replace("senior = 0.012", "senior = 0")
        .replace("technician = 0.008", "technician = 0")
        .replace("rate = 0.001", "rate = 0")
        .replace("mean = 3000, sd = 600", "mean = 1e-9, sd = 0")
        .replace("min = 1000, mode = 1750, max = 2500", "min = 0, mode = 0, max = 1");
    let s = scenario(&text);
    for summary in run_and_check(&s, 20) {
        let share = summary
            .projection
            .iter()
            .filter(|r| r.metric == "high_skill_share" && r.year == 2026)
            .collect::<Vec<_>>();
        // Expected flows keep 1e-9 people; whole people leave none: the share is then
        // undefined, left out of its statistics, and the share target does not hold.
        if !summary.process_noise {
            continue;
        }
        assert_eq!(share[0].mean, None, "{:?}", share[0]);
        assert!(summary.central[0].high_skill_share.is_some());
        let t = &summary.targets[0];
        assert_eq!(t.probability, 0.0);
        let json = serde_json::to_string(&summary).unwrap();
        assert!(json.contains("\"mean\":null"));
    }
}

/// Regression: growth compounding over a long horizon overflowed the yearly inflow to
/// infinity (10 x 1.0 per year from 2025 to 2330 is 11^305), and stocks became `inf`.
#[test]
fn inflow_growth_that_overflows_to_infinity_is_refused_by_validation() {
    let text = talentsim::scenario::TEMPLATE
        .replace("end_year = 2030", "end_year = 2330")
        .replace("# growth = 0.02", "growth = 10");
    let e = parse_bytes("g.toml", text.as_bytes(), "g").unwrap_err();
    let m = e.to_string();
    // Growth of 1 or more (100% a year) is refused outright, with the fraction to write.
    assert!(m.contains("for 10% a year write 0.1"), "{m}");
    // The largest growth allowed still cannot compound past the limit on people.
    let steep = text.replace("growth = 10", "growth = 0.99");
    let m = parse_bytes("g.toml", steep.as_bytes(), "g")
        .unwrap_err()
        .to_string();
    assert!(
        m.contains("inflow[1].growth: growth 0.99 from 2025 to 2330 multiplies the inflow by"),
        "{m}"
    );
    // A modest growth over the same years is fine, and its numbers stay finite.
    let ok = text.replace("growth = 10", "growth = 0.05");
    run_and_check(&scenario(&ok), 4);
}

/// Regression: an inflow's sd had no upper bound, so draws near 1e300 made the sum of
/// squares in the statistics overflow and `sd` became infinite.
#[test]
fn an_inflow_sd_beyond_any_population_is_refused_by_validation() {
    let text =
        talentsim::scenario::TEMPLATE.replace("mean = 3000, sd = 600", "mean = 3000, sd = 1e300");
    let e = parse_bytes("sd.toml", text.as_bytes(), "sd").unwrap_err();
    assert!(
        e.to_string()
            .contains("inflow[1].per_year.sd: 1e300 is too large"),
        "{e}"
    );
}
