//! Raw scenario types: a 1:1 serde mirror of the TOML file (docs/scenario-format.md).
//!
//! Nothing here is checked beyond TOML types and key names; every value keeps its
//! byte span so that `validate` can point at the user's text. These types must not
//! leak past `scenario::validate`.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, MapAccess, Visitor};
use serde::Deserialize;
use toml::Spanned;

/// A key of a user-named table (levels, split levels, schedule years), with its span.
pub(crate) type Key = Spanned<String>;

/// The whole scenario file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawScenario {
    pub name: Option<Spanned<String>>,
    pub title: Option<Spanned<String>>,
    pub start_year: Option<Spanned<i64>>,
    pub end_year: Option<Spanned<i64>>,
    pub levels: Option<Spanned<Vec<Spanned<String>>>>,
    pub high_skill_from: Option<Spanned<String>>,
    pub initial: Option<Spanned<BTreeMap<Key, Spanned<f64>>>>,
    pub attrition: Option<Spanned<BTreeMap<Key, Spanned<RawParam>>>>,
    pub upgrade: Option<Spanned<BTreeMap<Key, Spanned<RawParam>>>>,
    #[serde(default)]
    pub transition: Vec<Spanned<RawTransition>>,
    #[serde(default)]
    pub inflow: Vec<Spanned<RawInflow>>,
    pub monte_carlo: Option<Spanned<RawMonteCarlo>>,
    #[serde(default)]
    pub target: Vec<Spanned<RawTarget>>,
    #[serde(default)]
    pub observation: Vec<Spanned<RawObservation>>,
    pub calibration: Option<Spanned<RawCalibration>>,
    pub ages: Option<Spanned<RawAges>>,
}

/// A table of shares keyed by user words (age bands, groups).
pub(crate) type RawShares = Spanned<BTreeMap<Key, Spanned<f64>>>;

/// The `[ages]` table (docs/ages.md).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawAges {
    pub min: Option<Spanned<i64>>,
    pub max: Option<Spanned<i64>>,
    /// A rule's name or a table of fixed ages: any TOML value, checked in `ages.rs`.
    pub retirement: Option<Spanned<toml::Value>>,
    pub groups: Option<RawShares>,
    pub initial: Option<RawShares>,
    pub by_level: Option<Spanned<BTreeMap<Key, Spanned<RawAgesOverride>>>>,
}

/// One `[ages.by_level.<level>]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawAgesOverride {
    pub groups: Option<RawShares>,
    pub initial: Option<RawShares>,
}

/// One `[[transition]]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTransition {
    pub from: Option<Spanned<String>>,
    pub to: Option<Spanned<String>>,
    pub rate: Option<Spanned<RawParam>>,
}

/// One `[[inflow]]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawInflow {
    pub name: Option<Spanned<String>>,
    pub per_year: Option<Spanned<RawParam>>,
    pub split: Option<Spanned<BTreeMap<Key, Spanned<f64>>>>,
    pub first_year: Option<Spanned<i64>>,
    pub last_year: Option<Spanned<i64>>,
    pub growth: Option<Spanned<f64>>,
    pub from: Option<Spanned<String>>,
    pub age: Option<RawShares>,
    pub groups: Option<RawShares>,
}

/// The `[monte_carlo]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawMonteCarlo {
    pub runs: Option<Spanned<i64>>,
    pub seed: Option<Spanned<i64>>,
    pub process_noise: Option<Spanned<bool>>,
}

/// One `[[target]]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTarget {
    pub name: Option<Spanned<String>>,
    pub metric: Option<Spanned<String>>,
    pub year: Option<Spanned<i64>>,
    pub at_least: Option<Spanned<f64>>,
    pub at_most: Option<Spanned<f64>>,
    pub through: Option<Spanned<i64>>,
}

/// One `[[observation]]` table. The date is any TOML value, so that a quoted date or a
/// date with a time gets a message of its own.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawObservation {
    pub metric: Option<Spanned<String>>,
    pub date: Option<Spanned<toml::Value>>,
    pub value: Option<Spanned<f64>>,
    pub at_least: Option<Spanned<f64>>,
    pub at_most: Option<Spanned<f64>>,
    pub sd: Option<Spanned<f64>>,
    pub rel_sd: Option<Spanned<f64>>,
    pub source: Option<Spanned<String>>,
}

/// The `[calibration]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCalibration {
    pub posterior: Option<Spanned<String>>,
    pub sha256: Option<Spanned<String>>,
}

/// A rate or amount as written: a number, a distribution table or a `by_year` schedule.
#[derive(Debug)]
pub(crate) enum RawParam {
    Number(f64),
    Table(Box<RawParamTable>),
}

/// The table form of a parameter. Which keys may appear together is checked in
/// `validate`, so that the message can name the distribution.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawParamTable {
    pub dist: Option<Spanned<String>>,
    pub mean: Option<Spanned<f64>>,
    pub sd: Option<Spanned<f64>>,
    pub min: Option<Spanned<f64>>,
    pub mode: Option<Spanned<f64>>,
    pub max: Option<Spanned<f64>>,
    pub vary: Option<Spanned<String>>,
    pub by_year: Option<Spanned<BTreeMap<Key, Spanned<RawParam>>>>,
}

impl<'de> Deserialize<'de> for RawParam {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ParamVisitor;

        impl<'de> Visitor<'de> for ParamVisitor {
            type Value = RawParam;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(
                    "a number, a distribution table such as { dist = \"beta\", mean = 0.05, sd = 0.01 }, \
                     or a schedule { by_year = { ... } }",
                )
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawParam, E> {
                Ok(RawParam::Number(v as f64))
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawParam, E> {
                Ok(RawParam::Number(v as f64))
            }

            fn visit_f64<E: de::Error>(self, v: f64) -> Result<RawParam, E> {
                Ok(RawParam::Number(v))
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawParam, A::Error> {
                RawParamTable::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(|t| RawParam::Table(Box::new(t)))
            }
        }

        deserializer.deserialize_any(ParamVisitor)
    }
}
