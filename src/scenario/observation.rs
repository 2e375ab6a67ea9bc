//! Published figures about the past (`[[observation]]`, `--observations FILE.csv`) and a
//! scenario's link to a calibrated posterior (`[calibration]`): what calibration
//! reconciles the scenario's assumptions with (docs/calibration.md).
//!
//! Observations are built only by validation, which guarantees the invariants documented
//! on each field. This module describes them; `crate::calibrate` uses them.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::Metric;

/// A calendar date of an observation, as written (`2023-06-30`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// Year.
    pub year: i32,
    /// Month, 1-12.
    pub month: u8,
    /// Day of the month, valid for the month and year.
    pub day: u8,
}

impl Date {
    /// Returns whether `year` is a leap year of the Gregorian calendar.
    pub fn is_leap(year: i32) -> bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    /// Returns the number of days in `month` of `year`, or `None` for a month outside 1-12.
    pub fn days_in_month(year: i32, month: u8) -> Option<u8> {
        Some(match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if Date::is_leap(year) => 29,
            2 => 28,
            _ => return None,
        })
    }

    /// Builds a date, or `None` when the month or day does not exist.
    pub fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        let days = Date::days_in_month(year, month)?;
        (1..=days)
            .contains(&day)
            .then_some(Date { year, month, day })
    }

    /// Returns the day of the year, 1 on January 1.
    pub fn day_of_year(&self) -> u16 {
        let before: u16 = (1..self.month)
            .map(|m| u16::from(Date::days_in_month(self.year, m).unwrap_or(0)))
            .sum();
        before + u16::from(self.day)
    }

    /// Returns the share of the year elapsed at the end of this day: the day of the year
    /// over the days in the year (1 on December 31).
    pub fn year_fraction(&self) -> f64 {
        let days = if Date::is_leap(self.year) {
            366.0
        } else {
            365.0
        };
        f64::from(self.day_of_year()) / days
    }

    /// Returns the weights `(year, f)` such that the model value at this date is
    /// `(1 - f) x(year - 1) + f x(year)`, with `x(t)` the stock at the end of year `t`.
    pub fn interpolation(&self) -> (i32, f64) {
        (self.year, self.year_fraction())
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// What an observation says about its metric.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Reading {
    /// The metric was this value (`value = ...`), measured with error.
    Value(f64),
    /// The metric was at least this value (`at_least = ...`: "more than ...").
    AtLeast(f64),
    /// The metric was at most this value (`at_most = ...`).
    AtMost(f64),
}

impl Reading {
    /// Returns the number the observation states (the value or the bound).
    pub fn number(&self) -> f64 {
        match *self {
            Reading::Value(x) | Reading::AtLeast(x) | Reading::AtMost(x) => x,
        }
    }

    /// Returns the column name this reading is written under: `value`, `at_least` or
    /// `at_most`.
    pub fn keyword(&self) -> &'static str {
        match self {
            Reading::Value(_) => "value",
            Reading::AtLeast(_) => "at_least",
            Reading::AtMost(_) => "at_most",
        }
    }
}

/// One published figure about the past.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    /// Metric observed.
    pub metric: Metric,
    /// Date of the figure; from the end of `start_year` to the end of `end_year`.
    pub date: Date,
    /// The value or bound.
    pub reading: Reading,
    /// Observation error as a standard deviation in the metric's units (`sd`, or
    /// `rel_sd` times the stated number); finite and positive.
    pub sd: f64,
    /// Where the figure comes from, shown in reports.
    pub source: Option<String>,
}

/// A scenario's calibrated posterior (`[calibration] posterior = "posterior.csv"`).
#[derive(Debug, Clone, PartialEq)]
pub struct Calibration {
    /// The posterior file, resolved against the scenario file's folder.
    pub posterior: PathBuf,
    /// The path as written in the scenario.
    pub written: String,
    /// The file's draws.
    pub table: Arc<Posterior>,
}

/// The draws of a posterior file: `draw`, one column per calibrated parameter (natural
/// units), `log_likelihood`.
#[derive(Debug, Clone, PartialEq)]
pub struct Posterior {
    /// Parameter names (lever names, `@YEAR` for a yearly or scheduled value).
    pub names: Vec<String>,
    /// One row per draw, one finite value per name.
    pub rows: Vec<Vec<f64>>,
    /// SHA-256 of the file's bytes, lowercase hex.
    pub sha256: String,
}

/// Reads a posterior file written by `talentsim calibrate`.
///
/// # Errors
/// A message saying what is wrong: unreadable, no header or no rows, a row of the wrong
/// length, a value that is not a finite number (with its line).
pub fn read_posterior(path: &Path) -> Result<Posterior, String> {
    use sha2::{Digest, Sha256};
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    let sha256 = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let mut reader = csv::ReaderBuilder::new().from_reader(bytes.as_slice());
    let header = reader.headers().map_err(|e| e.to_string())?.clone();
    let n = header.len();
    if n < 3 || &header[0] != "draw" || &header[n - 1] != "log_likelihood" {
        return Err("expected a header `draw,<parameters>,log_likelihood`".into());
    }
    let names: Vec<String> = header
        .iter()
        .skip(1)
        .take(n - 2)
        .map(String::from)
        .collect();
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let record = record.map_err(|e| format!("line {line}: {e}"))?;
        let mut row = Vec::with_capacity(names.len());
        for (name, cell) in names.iter().zip(record.iter().skip(1)) {
            match cell.trim().parse::<f64>() {
                Ok(x) if x.is_finite() => row.push(x),
                _ => {
                    return Err(format!(
                        "line {line}, column `{name}`: `{cell}` is not a finite number"
                    ))
                }
            }
        }
        rows.push(row);
    }
    if rows.is_empty() {
        return Err("it has no draws".into());
    }
    Ok(Posterior {
        names,
        rows,
        sha256,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn year_fraction_is_day_of_year_over_days_in_year() {
        let d = Date::new(2023, 6, 30).unwrap();
        assert_eq!(d.day_of_year(), 181);
        assert!((d.year_fraction() - 181.0 / 365.0).abs() < 1e-15);
        assert_eq!(Date::new(2024, 12, 31).unwrap().year_fraction(), 1.0);
        assert_eq!(Date::new(2024, 2, 29).unwrap().day_of_year(), 60);
        assert!(Date::new(2023, 2, 29).is_none());
        assert!(Date::new(2023, 13, 1).is_none());
        assert!(Date::new(2023, 4, 31).is_none());
        assert_eq!(Date::new(2023, 6, 30).unwrap().to_string(), "2023-06-30");
    }
}
