//! talentsim: a talent-pipeline forecasting simulator.
//!
//! A discrete-time Markov manpower model projects a region's skilled workforce by
//! vocational level; Monte Carlo runs over uncertain rates and inflows (and, optionally,
//! random flows of whole people) give year-by-year bands and the probability that policy
//! targets hold. The model and file formats are specified in MODEL.md; the README says
//! how to use the program.
//!
//! Data flows one way:
//! [`scenario`] (TOML -> validated [`Scenario`]) -> [`model`] (one pure step) ->
//! [`engine`] (runs, the only parallel code) -> [`stats`] ([`Summary`]) -> [`output`].
//! [`analysis`] (sensitivity, solve, sweep, compare) evaluates scenario variants named by
//! levers ([`scenario::Lever`]) through the engine with common random numbers.
//! [`audit`] records how a result was produced, for `talentsim run --replay`.

#![warn(missing_docs)]

pub mod analysis;
pub mod app;
pub mod audit;
pub mod chart;
pub mod cli;
pub mod engine;
pub mod format;
pub mod model;
pub mod output;
pub mod scenario;
pub mod shard;
pub mod stats;

pub use engine::{simulate, Job, Simulation};
pub use scenario::Scenario;
pub use stats::{summarize, Summary};
