//! Scenarios: the validated description of one region's workforce, its flows and its
//! targets (docs/model.md; docs/scenario-format.md).
//!
//! `load`/`parse` turn TOML text into a [`Scenario`] whose invariants hold, or into a
//! [`ScenarioError`] listing every problem with file, line, column and key. Nothing
//! downstream re-checks a scenario. This module reads text; it never simulates.

mod ages;
mod diagnostic;
mod lever;
mod observation;
mod observations;
mod param;
mod raw;
mod validate;

use std::path::Path;

pub use crate::dist::{uniform, Bound, Dist, Sampler};
pub use ages::{Ages, Entrants, Group, Retirement, MAX_AGE};

pub use diagnostic::{Diagnostic, ScenarioError};
pub use lever::{
    apply_all, find, levers, parse_assignment, Lever, LeverError, LeverKind, ParamRef,
};
pub use observation::{read_posterior, Calibration, Date, Observation, Posterior, Reading};
pub use observations::read_observations;
pub use param::{Param, ParamPath, Value, Vary};
pub use validate::{MAX_FILE_BYTES, MAX_HORIZON, MAX_LEVELS, MAX_PEOPLE, MAX_RUNS};

/// A validated scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// Default output folder name.
    pub name: String,
    /// Human title for reports.
    pub title: String,
    /// Year of the initial stock (end of that year).
    pub start_year: i32,
    /// Last projected year; greater than `start_year`.
    pub end_year: i32,
    /// Level names, lowest first; at least one, unique.
    pub levels: Vec<String>,
    /// Index of the first high-skill level.
    pub high_skill_from: usize,
    /// Initial stock by level: whole, non-negative numbers.
    pub initial: Vec<f64>,
    /// Attrition rate by level.
    pub attrition: Vec<Param>,
    /// Upgrades and explicit transitions, upgrades first in level order.
    pub moves: Vec<Move>,
    /// Inflows and programmes, in file order.
    pub inflows: Vec<Inflow>,
    /// Monte Carlo settings.
    pub monte_carlo: MonteCarlo,
    /// Targets, in file order; names unique.
    pub targets: Vec<Target>,
    /// Published figures about the past, in file order (evidence for `calibrate`).
    pub observations: Vec<Observation>,
    /// The calibrated posterior the runs draw from, if the scenario has one.
    pub calibration: Option<Calibration>,
    /// The optional age structure and retirement rule (docs/ages.md).
    pub ages: Option<Ages>,
}

/// Whether a move is a level's upgrade or an explicit `[[transition]]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoveKind {
    /// Certification to the next level (`[upgrade]`).
    Upgrade,
    /// Any other move (`[[transition]]`).
    Transition,
}

/// A yearly rate of moving from one level to another.
#[derive(Debug, Clone, PartialEq)]
pub struct Move {
    /// Level left.
    pub from: usize,
    /// Level entered; differs from `from`.
    pub to: usize,
    /// Share of `from`'s stock moving per year.
    pub rate: Param,
    /// Upgrade or transition.
    pub kind: MoveKind,
}

/// A source of people: new entrants, or a programme certifying people in the stock.
#[derive(Debug, Clone, PartialEq)]
pub struct Inflow {
    /// Unique name.
    pub name: String,
    /// People per year before growth.
    pub per_year: Param,
    /// `(level, share)` pairs; shares in [0, 1] summing to 1; levels distinct.
    pub split: Vec<(usize, f64)>,
    /// First active year (> start_year).
    pub first_year: i32,
    /// Last active year (>= first_year, <= end_year).
    pub last_year: i32,
    /// Yearly growth of the amount (> -1).
    pub growth: f64,
    /// For a programme: the level whose stayers it certifies (not in `split`).
    pub from: Option<usize>,
}

impl Inflow {
    /// Returns the growth factor applied in `year`, or 0 outside the active years.
    pub fn factor_in(&self, year: i32) -> f64 {
        if year < self.first_year || year > self.last_year {
            0.0
        } else {
            (1.0 + self.growth).powi(year - self.first_year)
        }
    }
}

/// The commented scenario template that `talentsim init` prints; it passes validation.
pub const TEMPLATE: &str = include_str!("template.toml");

/// The JSON Schema (draft-07) of the scenario format that `talentsim schema` prints, for
/// editors such as taplo and Even Better TOML: every key with its type, description and
/// range. Validation ([`load`]) applies every rule; the schema is a guide while typing.
pub const SCHEMA: &str = include_str!("schema.json");

/// Monte Carlo settings of a scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonteCarlo {
    /// Number of runs (>= 1).
    pub runs: u64,
    /// Seed of the per-run random streams.
    pub seed: u64,
    /// Whether flows are random (whole people) rather than expected values.
    pub process_noise: bool,
}

/// A metric (docs/model.md, metrics).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Metric {
    /// All levels.
    Total,
    /// Sum of the high-skill levels.
    HighSkill,
    /// high_skill / total; undefined when total is zero.
    HighSkillShare,
    /// Gross additions to the high-skill group since start_year.
    HighSkillAdded,
    /// high_skill(t) - high_skill(start_year).
    HighSkillNetChange,
    /// Stock of one level.
    Level(usize),
    /// People leaving in the year by retirement or by passing the oldest age (`[ages]`).
    Retirements,
    /// The same, from the high-skill levels.
    HighSkillRetirements,
    /// Mean age at the end of the year; undefined when the total is zero.
    MeanAge,
    /// Mean age of the high-skill levels; undefined when they are empty.
    HighSkillMeanAge,
}

/// The metrics a scenario has only with `[ages]`, in output order (after the levels).
pub const AGE_METRICS: [Metric; 4] = [
    Metric::Retirements,
    Metric::HighSkillRetirements,
    Metric::MeanAge,
    Metric::HighSkillMeanAge,
];

impl Metric {
    /// Lists every metric of a scenario with `n_levels` levels and no `[ages]`, in output
    /// order.
    pub fn all(n_levels: usize) -> Vec<Metric> {
        Metric::list(n_levels, false)
    }

    /// Lists every metric of a scenario with `n_levels` levels, with the age metrics
    /// after the levels when `aged`, in output order.
    pub fn list(n_levels: usize, aged: bool) -> Vec<Metric> {
        let mut v = vec![
            Metric::Total,
            Metric::HighSkill,
            Metric::HighSkillShare,
            Metric::HighSkillAdded,
            Metric::HighSkillNetChange,
        ];
        v.extend((0..n_levels).map(Metric::Level));
        if aged {
            v.extend(AGE_METRICS);
        }
        v
    }

    /// Tells whether the metric exists only with `[ages]`.
    pub fn is_age(&self) -> bool {
        AGE_METRICS.contains(self)
    }

    /// Returns the metric's name as written in scenarios and outputs.
    pub fn name(&self, levels: &[String]) -> String {
        self.named(levels).to_string()
    }

    /// Returns the metric with its level named.
    pub fn named(&self, levels: &[String]) -> MetricName {
        match self {
            Metric::Total => MetricName::Total,
            Metric::HighSkill => MetricName::HighSkill,
            Metric::HighSkillShare => MetricName::HighSkillShare,
            Metric::HighSkillAdded => MetricName::HighSkillAdded,
            Metric::HighSkillNetChange => MetricName::HighSkillNetChange,
            Metric::Level(l) => MetricName::Level(levels[*l].clone()),
            Metric::Retirements => MetricName::Retirements,
            Metric::HighSkillRetirements => MetricName::HighSkillRetirements,
            Metric::MeanAge => MetricName::MeanAge,
            Metric::HighSkillMeanAge => MetricName::HighSkillMeanAge,
        }
    }

    /// Parses a metric name, the age metrics included; `None` when unknown.
    pub fn parse(name: &str, levels: &[String]) -> Option<Metric> {
        Metric::list(levels.len(), true)
            .into_iter()
            .find(|m| m.name(levels) == name)
    }

    /// Tells whether the metric is a share (a fraction in [0, 1]).
    pub fn is_share(&self) -> bool {
        matches!(self, Metric::HighSkillShare)
    }
}

/// A metric as outputs name it: [`Metric`] with the level named instead of numbered, so
/// that a [`crate::Summary`] stands alone. Serialized as its name (`high_skill_share`,
/// `level.senior`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(into = "String", try_from = "String")]
pub enum MetricName {
    /// All levels.
    Total,
    /// Sum of the high-skill levels.
    HighSkill,
    /// high_skill / total.
    HighSkillShare,
    /// Gross additions to the high-skill group since start_year.
    HighSkillAdded,
    /// high_skill(t) - high_skill(start_year).
    HighSkillNetChange,
    /// Stock of the named level.
    Level(String),
    /// Retirements in the year (`[ages]`).
    Retirements,
    /// Retirements from the high-skill levels in the year (`[ages]`).
    HighSkillRetirements,
    /// Mean age (`[ages]`).
    MeanAge,
    /// Mean age of the high-skill levels (`[ages]`).
    HighSkillMeanAge,
}

impl MetricName {
    /// Tells whether the metric is a share (a fraction in [0, 1]).
    pub fn is_share(&self) -> bool {
        matches!(self, MetricName::HighSkillShare)
    }

    /// Returns the level's name for a level metric.
    pub fn level(&self) -> Option<&str> {
        match self {
            MetricName::Level(name) => Some(name),
            _ => None,
        }
    }
}

impl std::fmt::Display for MetricName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MetricName::Total => f.write_str("total"),
            MetricName::HighSkill => f.write_str("high_skill"),
            MetricName::HighSkillShare => f.write_str("high_skill_share"),
            MetricName::HighSkillAdded => f.write_str("high_skill_added"),
            MetricName::HighSkillNetChange => f.write_str("high_skill_net_change"),
            MetricName::Level(name) => write!(f, "level.{name}"),
            MetricName::Retirements => f.write_str("retirements"),
            MetricName::HighSkillRetirements => f.write_str("high_skill_retirements"),
            MetricName::MeanAge => f.write_str("mean_age"),
            MetricName::HighSkillMeanAge => f.write_str("high_skill_mean_age"),
        }
    }
}

impl std::str::FromStr for MetricName {
    type Err = String;

    fn from_str(s: &str) -> Result<MetricName, String> {
        Ok(match s {
            "total" => MetricName::Total,
            "high_skill" => MetricName::HighSkill,
            "high_skill_share" => MetricName::HighSkillShare,
            "high_skill_added" => MetricName::HighSkillAdded,
            "high_skill_net_change" => MetricName::HighSkillNetChange,
            "retirements" => MetricName::Retirements,
            "high_skill_retirements" => MetricName::HighSkillRetirements,
            "mean_age" => MetricName::MeanAge,
            "high_skill_mean_age" => MetricName::HighSkillMeanAge,
            _ => match s.strip_prefix("level.") {
                Some(level) if !level.is_empty() => MetricName::Level(level.to_string()),
                _ => return Err(format!("unknown metric {s:?}")),
            },
        })
    }
}

impl From<MetricName> for String {
    fn from(m: MetricName) -> String {
        m.to_string()
    }
}

impl TryFrom<String> for MetricName {
    type Error = String;

    fn try_from(s: String) -> Result<MetricName, String> {
        s.parse()
    }
}

impl PartialEq<str> for MetricName {
    fn eq(&self, other: &str) -> bool {
        match self {
            MetricName::Level(name) => other.strip_prefix("level.") == Some(name.as_str()),
            MetricName::Total => other == "total",
            MetricName::HighSkill => other == "high_skill",
            MetricName::HighSkillShare => other == "high_skill_share",
            MetricName::HighSkillAdded => other == "high_skill_added",
            MetricName::HighSkillNetChange => other == "high_skill_net_change",
            MetricName::Retirements => other == "retirements",
            MetricName::HighSkillRetirements => other == "high_skill_retirements",
            MetricName::MeanAge => other == "mean_age",
            MetricName::HighSkillMeanAge => other == "high_skill_mean_age",
        }
    }
}

impl PartialEq<&str> for MetricName {
    fn eq(&self, other: &&str) -> bool {
        self == *other
    }
}

impl PartialEq<String> for MetricName {
    fn eq(&self, other: &String) -> bool {
        self == other.as_str()
    }
}

#[cfg(test)]
mod metric_name_tests {
    use super::*;

    #[test]
    fn a_metric_name_round_trips_through_its_text_and_compares_with_it() {
        let levels = vec!["junior".to_string(), "senior".to_string()];
        for m in Metric::list(levels.len(), true) {
            let named = m.named(&levels);
            let text = named.to_string();
            assert_eq!(text, m.name(&levels));
            assert_eq!(text.parse::<MetricName>().unwrap(), named);
            assert!(named == text.as_str());
            assert_eq!(
                serde_json::to_string(&named).unwrap(),
                format!("\"{text}\"")
            );
            assert_eq!(Metric::parse(&text, &levels), Some(m));
        }
        assert!(MetricName::Level("senior".into()) != "level.junior");
        assert!(MetricName::Total != "high_skill");
        assert!("level.".parse::<MetricName>().is_err());
        assert!("share".parse::<MetricName>().is_err());
    }
}

/// Whether a target is a floor or a ceiling; serialized as its scenario keyword.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// The metric must be at least the threshold.
    AtLeast,
    /// The metric must be at most the threshold.
    AtMost,
}

impl Direction {
    /// Returns the scenario keyword.
    pub fn keyword(&self) -> &'static str {
        match self {
            Direction::AtLeast => "at_least",
            Direction::AtMost => "at_most",
        }
    }
}

/// A policy target (docs/model.md, metrics and conventions; docs/scenario-format.md).
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// Unique name.
    pub name: String,
    /// Metric tested.
    pub metric: Metric,
    /// Year tested (a projected year).
    pub year: i32,
    /// Last year of the window, if the target must hold from `year` through it.
    pub through: Option<i32>,
    /// Floor or ceiling.
    pub direction: Direction,
    /// Threshold (finite).
    pub threshold: f64,
}

impl Target {
    /// Tells whether a metric value meets the target; an undefined value (NaN) never does.
    pub fn holds(&self, value: f64) -> bool {
        match self.direction {
            Direction::AtLeast => value >= self.threshold,
            Direction::AtMost => value <= self.threshold,
        }
    }

    /// Returns the last year of the target's window.
    pub fn last_year(&self) -> i32 {
        self.through.unwrap_or(self.year)
    }

    /// Returns the worse of two metric values for this target (NaN is worst).
    pub fn worse(&self, a: f64, b: f64) -> f64 {
        if a.is_nan() || b.is_nan() {
            return f64::NAN;
        }
        match self.direction {
            Direction::AtLeast => a.min(b),
            Direction::AtMost => a.max(b),
        }
    }
}

impl Scenario {
    /// Returns the projected years, `start_year + 1 ..= end_year`.
    pub fn projected_years(&self) -> std::ops::RangeInclusive<i32> {
        self.start_year + 1..=self.end_year
    }

    /// Returns the scenario's metrics in output order: [`Metric::list`], with the age
    /// metrics when the scenario has `[ages]`.
    pub fn metrics(&self) -> Vec<Metric> {
        Metric::list(self.levels.len(), self.ages.is_some())
    }

    /// Parses the name of one of the scenario's metrics (an age metric only with
    /// `[ages]`); `None` otherwise.
    pub fn metric(&self, name: &str) -> Option<Metric> {
        Metric::parse(name, &self.levels).filter(|m| self.ages.is_some() || !m.is_age())
    }

    /// Returns the number of projected years.
    pub fn horizon(&self) -> usize {
        (self.end_year - self.start_year) as usize
    }

    /// Finds a target by name.
    pub fn target(&self, name: &str) -> Option<&Target> {
        self.targets.iter().find(|t| t.name == name)
    }
}

/// Reads and validates a scenario file.
///
/// # Errors
/// A [`ScenarioError`] naming the file with every problem found: unreadable file, invalid
/// UTF-8, TOML syntax, wrong types, unknown or missing keys, and every model rule.
pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
    let bytes = read_input(path)?;
    let default_name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    parse_bytes(&path.display().to_string(), &bytes, &default_name)
}

/// Reads an input file whole, refusing one over [`MAX_FILE_BYTES`] before reading it.
///
/// # Errors
/// A [`ScenarioError`] naming the file, for an oversized or unreadable file.
pub(crate) fn read_input(path: &Path) -> Result<Vec<u8>, ScenarioError> {
    let fail = |message: String| ScenarioError {
        file: path.display().to_string(),
        diagnostics: vec![Diagnostic {
            line: 0,
            column: 0,
            key: String::new(),
            message,
        }],
    };
    if let Ok(meta) = std::fs::metadata(path) {
        if meta.is_file() && meta.len() > MAX_FILE_BYTES {
            return Err(fail(validate::too_large(meta.len())));
        }
    }
    std::fs::read(path).map_err(|e| fail(format!("cannot read the file: {e}")))
}

/// Validates scenario text already in memory; `file` is used in messages and
/// `default_name` when the scenario has no `name`.
///
/// # Errors
/// As [`load`].
pub fn parse_bytes(
    file: &str,
    bytes: &[u8],
    default_name: &str,
) -> Result<Scenario, ScenarioError> {
    validate::parse(file, bytes, default_name)
}
