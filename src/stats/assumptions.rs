//! The assumptions table: every scenario parameter with its value, distribution or
//! schedule, as the report shows it.
//!
//! Built from the validated [`Scenario`] when a run is summarized and saved in
//! `summary.json`, so that `talentsim plot` can redraw the report without the scenario
//! file. Values use the scenario file's keys and distribution names, so the table reads
//! the same in every report language.

use serde::{Deserialize, Serialize};

use crate::format;
use crate::scenario::{Dist, MoveKind, Param, Scenario, Value, Vary};

/// One row of the assumptions table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssumptionRow {
    /// Scenario section: `initial`, `attrition`, `upgrade`, `transition`, `source` (an `[[inflow]]`) or
    /// `monte_carlo`.
    pub group: String,
    /// What the value is for: a level, `from -> to`, an inflow's name, or a setting.
    pub item: String,
    /// The value, distribution or schedule, e.g. `beta(mean 4.5%, sd 0.8%)`.
    pub value: String,
}

/// Lists every parameter of `scenario`, in file order within each section.
pub fn assumptions(
    scenario: &Scenario,
    runs: u64,
    seed: u64,
    process_noise: bool,
) -> Vec<AssumptionRow> {
    let row = |group: &str, item: String, value: String| AssumptionRow {
        group: group.into(),
        item,
        value,
    };
    let levels = &scenario.levels;
    let mut rows = Vec::new();
    for (l, n) in scenario.initial.iter().enumerate() {
        rows.push(row("initial", levels[l].clone(), format::count(*n)));
    }
    for (l, p) in scenario.attrition.iter().enumerate() {
        rows.push(row("attrition", levels[l].clone(), describe(p, true)));
    }
    for m in scenario
        .moves
        .iter()
        .filter(|m| m.kind == MoveKind::Upgrade)
    {
        let item = format!("{} → {}", levels[m.from], levels[m.to]);
        rows.push(row("upgrade", item, describe(&m.rate, true)));
    }
    for m in scenario
        .moves
        .iter()
        .filter(|m| m.kind == MoveKind::Transition)
    {
        let item = format!("{} → {}", levels[m.from], levels[m.to]);
        rows.push(row("transition", item, describe(&m.rate, true)));
    }
    for i in &scenario.inflows {
        let split = i
            .split
            .iter()
            .map(|&(l, s)| format!("{} {}", levels[l], format::percent_exact(s)))
            .collect::<Vec<_>>()
            .join(", ");
        let mut value = format!(
            "per_year {}; split {}; {}–{}",
            describe(&i.per_year, false),
            split,
            i.first_year,
            i.last_year
        );
        if i.growth != 0.0 {
            value.push_str(&format!("; growth {}/yr", format::percent_exact(i.growth)));
        }
        if let Some(from) = i.from {
            value.push_str(&format!("; from {}", levels[from]));
        }
        rows.push(row("source", i.name.clone(), value));
    }
    rows.push(row(
        "monte_carlo",
        "runs".into(),
        format::count(runs as f64),
    ));
    rows.push(row("monte_carlo", "seed".into(), seed.to_string()));
    rows.push(row(
        "monte_carlo",
        "process_noise".into(),
        process_noise.to_string(),
    ));
    rows
}

/// Describes a parameter: a number, a distribution, or a year schedule.
fn describe(p: &Param, is_rate: bool) -> String {
    match p {
        Param::Constant(v) => describe_value(v, is_rate),
        Param::Schedule(steps) => {
            let parts: Vec<String> = steps
                .iter()
                .map(|(year, v)| format!("{year}: {}", describe_value(v, is_rate)))
                .collect();
            format!("by_year {{ {} }}", parts.join("; "))
        }
    }
}

/// Describes one value: a number, or a distribution and how often it is drawn.
fn describe_value(v: &Value, is_rate: bool) -> String {
    let q = |x: f64| format::quantity(x, is_rate);
    match v {
        Value::Fixed(x) => q(*x),
        Value::Random(d, vary) => {
            let dist = match *d {
                Dist::Normal { mean, sd } => format!("normal(mean {}, sd {})", q(mean), q(sd)),
                Dist::LogNormal { mean, sd } => {
                    format!("lognormal(mean {}, sd {})", q(mean), q(sd))
                }
                Dist::Beta { mean, sd } => format!("beta(mean {}, sd {})", q(mean), q(sd)),
                Dist::Uniform { min, max } => format!("uniform({}, {})", q(min), q(max)),
                Dist::Triangular { min, mode, max } => {
                    format!("triangular({}, {}, {})", q(min), q(mode), q(max))
                }
                Dist::Pert { min, mode, max } => {
                    format!("pert({}, {}, {})", q(min), q(mode), q(max))
                }
            };
            match vary {
                Vary::Run => dist,
                Vary::Yearly => format!("{dist}, vary = yearly"),
            }
        }
    }
}
