//! Any bytes as a scenario file: validation ends in a scenario or a located error, and a
//! valid scenario's short run ends in finite results or a clear refusal; never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use talentsim::{simulate, summarize, Job};

fuzz_target!(|bytes: &[u8]| {
    match talentsim::scenario::parse_bytes("fuzz.toml", bytes, "fuzz") {
        Err(e) => assert!(e.diagnostics.iter().all(|d| d.line > 0 && !d.message.is_empty())),
        Ok(scenario) => {
            if (scenario.horizon() + 1) * (scenario.levels.len() + 5) > 4_000 {
                return;
            }
            let mut job = Job::from_scenario(&scenario);
            job.runs = 2;
            if let Ok(sim) = simulate(&scenario, &job, &|_| {}) {
                let summary = summarize(&scenario, &sim, job.seed, job.process_noise);
                assert!(summary.central.iter().all(|r| r.total.is_finite()));
            }
        }
    }
});
