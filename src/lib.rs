//! talentsim: a talent-pipeline forecasting simulator.
//!
//! A discrete-time Markov manpower model projects a region's skilled workforce by
//! vocational level; Monte Carlo runs over uncertain rates and inflows (and, optionally,
//! random flows of whole people) give year-by-year bands and the probability that policy
//! targets hold. `docs/model.md` in the repository describes the model; the README says
//! how to use the program.
//!
//! Data flows one way:
//! [`scenario`] (TOML -> validated [`Scenario`]) -> [`model`] (one pure step) ->
//! [`engine`] (runs, the only parallel code) -> [`stats`] ([`Summary`]) -> [`output`]
//! (files) and [`chart`] (pictures). [`analysis`] (sensitivity, solve, sweep, compare)
//! evaluates scenario variants named by levers ([`scenario::Lever`]) through the engine
//! with common random numbers. [`calibrate`] reconciles a scenario's distributions with
//! published figures about the past (its observations) by incremental mixture importance
//! sampling (`talentsim calibrate`). [`audit`] records how a result was produced, for
//! `talentsim run --replay`. The command line is not part of the library: the binary
//! (`src/main.rs`) parses arguments and calls the functions below.
//!
//! # The front
//!
//! Four calls take a scenario file to its results: [`load`] (or [`parse`]) reads and
//! validates it, [`simulate`] runs it, [`summarize`] computes the statistics and target
//! probabilities, and [`write_tables`] writes the CSV and JSON tables.
//!
//! ```
//! use talentsim::{parse, simulate, summarize, Job};
//!
//! let scenario = parse("mini.toml", r#"
//!     start_year = 2024
//!     end_year = 2026
//!     levels = ["junior", "senior"]
//!     high_skill_from = "senior"
//!     [initial]
//!     junior = 1000
//!     senior = 500
//!     [attrition]
//!     junior = 0.1
//!     senior = { dist = "beta", mean = 0.05, sd = 0.01 }
//!     [upgrade]
//!     junior = 0.2
//!     [[target]]
//!     name = "one third high-skill in 2026"
//!     metric = "high_skill_share"
//!     year = 2026
//!     at_least = 0.3333
//! "#)?;
//! let mut job = Job::from_scenario(&scenario);
//! job.runs = 500;
//! let simulation = simulate(&scenario, &job, &|_| {})?;
//! let summary = summarize(&scenario, &simulation, job.seed, job.process_noise);
//! let target = &summary.targets[0];
//! assert!(target.ci_low <= target.probability && target.probability <= target.ci_high);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The central path (every parameter at its central value, no process noise) is the
//! matrix recursion `n(t+1) = n(t) P + R`; with no inflows it is `n(0) P^t`:
//!
//! ```
//! let scenario = talentsim::parse("closed.toml", r#"
//!     start_year = 2020
//!     end_year = 2022
//!     levels = ["a", "b"]
//!     high_skill_from = "b"
//!     initial = { a = 1000, b = 0 }
//!     attrition = { a = 0.1, b = 0.0 }
//!     upgrade = { a = 0.5 }
//! "#)?;
//! let path = talentsim::engine::central_path(&scenario)?;
//! // Columns per year: total, high_skill, high_skill_share, high_skill_added,
//! // high_skill_net_change, then one per level; two years on, a = 1000 * 0.4^2.
//! let metrics = talentsim::scenario::Metric::all(2).len();
//! let a_2022 = path[2 * metrics + 5];
//! assert!((a_2022 - 160.0).abs() < 1e-9);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Invalid scenarios are refused with every problem located by line, column and key:
//!
//! ```
//! let err = talentsim::parse("bad.toml", "start_year = 2024\nend_year = 2020\n").unwrap_err();
//! let text = err.to_string();
//! assert!(text.starts_with("bad.toml:"), "{text}");
//! assert!(text.contains("end_year"), "{text}");
//! ```
//!
//! Results go to a folder as tables (`projection.csv`, `central.csv`, `targets.csv`,
//! `target_years.csv`, `summary.json`), written whole or not at all:
//!
//! ```
//! # use talentsim::{parse, simulate, summarize, write_tables, Job};
//! # let scenario = parse("t.toml", &talentsim::scenario::TEMPLATE)?;
//! # let mut job = Job::from_scenario(&scenario);
//! # job.runs = 50;
//! # let summary = summarize(&scenario, &simulate(&scenario, &job, &|_| {})?, job.seed, true);
//! let dir = std::env::temp_dir().join(format!("talentsim-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir)?;
//! write_tables(&summary, &dir)?;
//! let csv = std::fs::read_to_string(dir.join("projection.csv"))?;
//! assert!(csv.starts_with("year,metric,mean,sd,p05,p10,p25,p50,p75,p90,p95"));
//! # std::fs::remove_dir_all(&dir)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![warn(missing_docs)]
#![forbid(unsafe_code)]

pub mod analysis;
pub mod audit;
pub mod calibrate;
pub mod chart;
pub mod dist;
pub mod engine;
pub mod format;
pub mod lang;
pub mod model;
pub mod output;
pub mod scenario;
pub mod shard;
pub mod stats;

pub use engine::{simulate, Job, Simulation};
pub use output::write_tables;
pub use scenario::{load, Scenario, ScenarioError};
pub use stats::{summarize, Summary};

/// Validates scenario text held in memory; `file` names it in messages, and its stem is
/// the scenario's name when the text has none.
///
/// # Errors
/// A [`ScenarioError`] listing every problem with its line, column and key.
pub fn parse(file: &str, text: &str) -> Result<Scenario, ScenarioError> {
    let stem = std::path::Path::new(file)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    scenario::parse_bytes(file, text.as_bytes(), &stem)
}
