//! The rules of observations and of `[calibration]`, in both forms they are written:
//! `[[observation]]` tables of a scenario and rows of an `--observations FILE.csv`
//! (docs/scenario-format.md, "Observations and calibration").
//!
//! Each form is read into the same [`Written`] record, with the byte offset of every
//! field, and checked by one function, so a rule and its message exist once. Like
//! `validate`, this module collects every problem before it returns. It never checks that
//! a posterior file exists: the step that draws from it reads it.

use std::ops::Range;
use std::path::Path;

use toml::Spanned;

use super::diagnostic::{one_of, suggest, Diagnostic, Positions, ScenarioError};
use super::observation::{Calibration, Date, Observation, Reading};
use super::raw::{RawCalibration, RawObservation};
use super::validate::{num, Checker, Horizon};
use super::{Metric, Scenario};

/// Keys of an `[[observation]]` table, in the order of `raw.rs`; also the columns of an
/// observations file.
pub(super) const OBSERVATION_KEYS: &[&str] = &[
    "metric", "date", "value", "at_least", "at_most", "sd", "rel_sd", "source",
];
/// Keys of the `[calibration]` table.
pub(super) const CALIBRATION_KEYS: &[&str] = &["posterior", "sha256"];

/// An example of a date, for messages.
const DATE_EXAMPLE: &str = "a date such as 2023-06-30";

/// A field as written: its value (`None` when it could not be read, which the reader has
/// already reported) and the byte offset of its text.
struct Field<T> {
    value: Option<T>,
    at: usize,
}

impl<T: Copy> Field<T> {
    fn of(s: &Spanned<T>) -> Field<T> {
        Field {
            value: Some(*s.get_ref()),
            at: s.span().start,
        }
    }
}

/// One observation as written, in either form.
struct Written {
    /// Start of the table or row, where a missing key is reported.
    at: usize,
    /// Key prefix: `observation[2].` in a scenario, empty in a file (keys are columns).
    prefix: String,
    metric: Option<Field<String>>,
    date: Option<Field<Date>>,
    value: Option<Field<f64>>,
    at_least: Option<Field<f64>>,
    at_most: Option<Field<f64>>,
    sd: Option<Field<f64>>,
    rel_sd: Option<Field<f64>>,
    source: Option<String>,
}

/// Why a text is not a date.
enum DateProblem {
    /// Not of the form YYYY-MM-DD.
    Form,
    /// Of that form, but no such day: the message says why.
    NoSuchDay(String),
}

/// Reads `YYYY-MM-DD` (exactly four, two and two digits) as a calendar date.
fn parse_date(text: &str) -> Result<Date, DateProblem> {
    let parts: Vec<&str> = text.split('-').collect();
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    if parts.len() != 3 || !digits(parts[0], 4) || !digits(parts[1], 2) || !digits(parts[2], 2) {
        return Err(DateProblem::Form);
    }
    let year: i32 = parts[0].parse().map_err(|_| DateProblem::Form)?;
    let month: u8 = parts[1].parse().map_err(|_| DateProblem::Form)?;
    let day: u8 = parts[2].parse().map_err(|_| DateProblem::Form)?;
    let Some(days) = Date::days_in_month(year, month) else {
        return Err(DateProblem::NoSuchDay(format!(
            "`{text}` is not a date: the month must be 01 to 12"
        )));
    };
    Date::new(year, month, day).ok_or_else(|| {
        DateProblem::NoSuchDay(format!(
            "`{text}` is not a date: {} {year} has {days} days",
            month_name(month)
        ))
    })
}

fn month_name(month: u8) -> &'static str {
    const NAMES: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    NAMES[usize::from(month.clamp(1, 12)) - 1]
}

/// Rewrites the TOML parser's refusal of a date that does not exist (`2023-02-29`) as a
/// message about the calendar; `None` for any other error.
pub(super) fn impossible_date(message: &str, text: &str, offset: usize) -> Option<String> {
    if !message.starts_with("invalid date") {
        return None;
    }
    let literal: String = text
        .get(offset..)?
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '-')
        .collect();
    match parse_date(&literal) {
        Err(DateProblem::NoSuchDay(m)) => Some(m),
        _ => None,
    }
}

impl Checker<'_> {
    /// Checks the `[[observation]]` tables; `None` when any is invalid.
    pub(super) fn observations(
        &mut self,
        raw: &[Spanned<RawObservation>],
        levels: &[String],
        horizon: Option<Horizon>,
    ) -> Option<Vec<Observation>> {
        let mut out = Vec::new();
        let mut ok = true;
        for (i, o) in raw.iter().enumerate() {
            let prefix = format!("observation[{}].", i + 1);
            let written = self.written_toml(o.get_ref(), o.span().start, prefix);
            match self.observation(written, levels, horizon) {
                Some(obs) => out.push(obs),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    /// Reads one `[[observation]]` table into a [`Written`], reporting a date that is
    /// not a TOML date.
    fn written_toml(&mut self, o: &RawObservation, at: usize, prefix: String) -> Written {
        let date = o.date.as_ref().map(|d| Field {
            value: self.toml_date(d, &format!("{prefix}date")),
            at: d.span().start,
        });
        Written {
            at,
            metric: o.metric.as_ref().map(|m| Field {
                value: Some(m.get_ref().clone()),
                at: m.span().start,
            }),
            date,
            value: o.value.as_ref().map(Field::of),
            at_least: o.at_least.as_ref().map(Field::of),
            at_most: o.at_most.as_ref().map(Field::of),
            sd: o.sd.as_ref().map(Field::of),
            rel_sd: o.rel_sd.as_ref().map(Field::of),
            source: o
                .source
                .as_ref()
                .map(|s| s.get_ref().trim().to_string())
                .filter(|s| !s.is_empty()),
            prefix,
        }
    }

    /// Reads a TOML date: a local date without a time. A quoted date is refused with the
    /// way to write it.
    fn toml_date(&mut self, d: &Spanned<toml::Value>, key: &str) -> Option<Date> {
        let span = d.span();
        match d.get_ref() {
            toml::Value::Datetime(dt) => match (dt.date, dt.time) {
                (Some(x), None) => {
                    let date = Date::new(i32::from(x.year), x.month, x.day);
                    if date.is_none() {
                        self.err(&span, key, format!("{dt} is not a date"));
                    }
                    date
                }
                (Some(x), Some(_)) => {
                    let date = format!("{:04}-{:02}-{:02}", x.year, x.month, x.day);
                    self.err(
                        &span,
                        key,
                        format!("`{dt}` has a time of day; expected a date alone: date = {date}"),
                    );
                    None
                }
                (None, _) => {
                    self.err(
                        &span,
                        key,
                        format!("`{dt}` is a time of day; expected {DATE_EXAMPLE}"),
                    );
                    None
                }
            },
            toml::Value::String(s) => {
                let message = match parse_date(s.trim()) {
                    Ok(date) => {
                        format!(
                            "a date is not a string; write the date without quotes: date = {date}"
                        )
                    }
                    Err(DateProblem::NoSuchDay(m)) => m,
                    Err(DateProblem::Form) => {
                        format!(
                            "wrong type: string \"{s}\", expected {DATE_EXAMPLE} (without quotes)"
                        )
                    }
                };
                self.err(&span, key, message);
                None
            }
            other => {
                let hint = match other {
                    toml::Value::Integer(y) => {
                        format!(" (for the end of {y} write date = {y}-12-31)")
                    }
                    _ => String::new(),
                };
                self.err(
                    &span,
                    key,
                    format!(
                        "wrong type: {}, expected {DATE_EXAMPLE}{hint}",
                        other.type_str()
                    ),
                );
                None
            }
        }
    }

    /// Checks one observation in either form: every rule of docs/scenario-format.md,
    /// "Observations and calibration".
    fn observation(
        &mut self,
        w: Written,
        levels: &[String],
        horizon: Option<Horizon>,
    ) -> Option<Observation> {
        let key = |name: &str| format!("{}{name}", w.prefix);
        let here = w.at..w.at;
        let metric = match &w.metric {
            Some(Field { value: Some(m), at }) => {
                self.metric(m, &(*at..*at), key("metric"), levels)
            }
            Some(Field { value: None, .. }) => None,
            None => {
                self.missing(
                    &here,
                    &key("metric"),
                    "the metric observed, such as \"total\" or \"high_skill_share\"",
                );
                None
            }
        };
        let date = match &w.date {
            Some(Field { value: Some(d), at }) => match horizon {
                Some(h) => {
                    let first = Date::new(h.start, 12, 31).expect("December 31 exists");
                    let last = Date::new(h.end, 12, 31).expect("December 31 exists");
                    if *d < first || *d > last {
                        self.err(
                            &(*at..*at),
                            key("date"),
                            format!(
                                "{d} is outside the scenario's years; expected a date from {first} (the end of start_year) to {last} (the end of end_year)"
                            ),
                        );
                        None
                    } else {
                        Some(*d)
                    }
                }
                None => None,
            },
            Some(Field { value: None, .. }) => None,
            None => {
                self.missing(
                    &here,
                    &key("date"),
                    &format!("the date of the figure, {DATE_EXAMPLE}"),
                );
                None
            }
        };
        let reading = self.reading(&w, metric, &key);
        let sd = self.observation_sd(&w, reading, &key);
        Some(Observation {
            metric: metric?,
            date: date?,
            reading: reading?,
            sd: sd?,
            source: w.source,
        })
    }

    /// Checks that exactly one of `value`, `at_least` and `at_most` is given, and its
    /// number for the metric.
    fn reading(
        &mut self,
        w: &Written,
        metric: Option<Metric>,
        key: &dyn Fn(&str) -> String,
    ) -> Option<Reading> {
        let given: Vec<(&str, &Field<f64>)> = [
            ("value", &w.value),
            ("at_least", &w.at_least),
            ("at_most", &w.at_most),
        ]
        .into_iter()
        .filter_map(|(name, f)| f.as_ref().map(|f| (name, f)))
        .collect();
        let (name, field) = match given.as_slice() {
            [] => {
                self.missing(
                    &(w.at..w.at),
                    &key("value"),
                    "the figure: one of `value`, `at_least` or `at_most`",
                );
                return None;
            }
            [one] => *one,
            [(first, _), (second, f), ..] => {
                self.err(
                    &(f.at..f.at),
                    key(second),
                    format!("`{first}` and `{second}` are both given; give exactly one of `value`, `at_least` or `at_most`"),
                );
                return None;
            }
        };
        let x = field.value?;
        let at = field.at..field.at;
        if !x.is_finite() {
            self.err(&at, key(name), "expected a finite number");
            return None;
        }
        match metric {
            Some(m) if m.is_share() && !(0.0..=1.0).contains(&x) => {
                let hint = if x > 1.0 && x <= 100.0 {
                    format!("; for {x}% write {}", x / 100.0)
                } else {
                    String::new()
                };
                self.err(
                    &at,
                    key(name),
                    format!("{x} is not a share; expected a fraction from 0 to 1{hint}"),
                );
                return None;
            }
            Some(m) if m != Metric::HighSkillNetChange && !m.is_share() && x < 0.0 => {
                self.err(
                    &at,
                    key(name),
                    format!(
                        "{} is negative; expected a number of people, 0 or more",
                        num(x)
                    ),
                );
                return None;
            }
            _ => {}
        }
        Some(match name {
            "value" => Reading::Value(x),
            "at_least" => Reading::AtLeast(x),
            _ => Reading::AtMost(x),
        })
    }

    /// Checks that exactly one of `sd` and `rel_sd` is given; returns the absolute sd.
    fn observation_sd(
        &mut self,
        w: &Written,
        reading: Option<Reading>,
        key: &dyn Fn(&str) -> String,
    ) -> Option<f64> {
        match (&w.sd, &w.rel_sd) {
            (None, None) => {
                self.missing(
                    &(w.at..w.at),
                    &key("sd"),
                    "the observation error: `sd` (in the metric's units) or `rel_sd` (relative to the figure, e.g. 0.02)",
                );
                None
            }
            (Some(_), Some(r)) => {
                self.err(
                    &(r.at..r.at),
                    key("rel_sd"),
                    "`sd` and `rel_sd` are both given; give exactly one",
                );
                None
            }
            (Some(f), None) => {
                let sd = f.value?;
                if !sd.is_finite() || sd <= 0.0 {
                    self.err(
                        &(f.at..f.at),
                        key("sd"),
                        format!(
                            "{}: expected a standard deviation above 0, in the metric's units",
                            num(sd)
                        ),
                    );
                    return None;
                }
                Some(sd)
            }
            (None, Some(f)) => {
                let rel = f.value?;
                let at = f.at..f.at;
                if !rel.is_finite() || rel <= 0.0 || rel > 1.0 {
                    let message = if rel > 1.0 && rel <= 100.0 {
                        format!(
                            "{rel} looks like a percentage: write {} (a fraction of the figure, above 0 and at most 1)",
                            rel / 100.0
                        )
                    } else {
                        format!(
                            "{}: expected a relative standard deviation above 0 and at most 1 (0.02 for 2%)",
                            num(rel)
                        )
                    };
                    self.err(&at, key("rel_sd"), message);
                    return None;
                }
                let number = reading?.number();
                if number == 0.0 {
                    let of = reading.map_or("value", |r| r.keyword());
                    self.err(
                        &at,
                        key("rel_sd"),
                        format!("is relative to `{of}`, which is 0; give an absolute `sd` instead"),
                    );
                    return None;
                }
                Some(rel * number.abs())
            }
        }
    }

    /// Checks the `[calibration]` table; `Some(None)` when the scenario has none.
    pub(super) fn calibration(
        &mut self,
        raw: Option<&Spanned<RawCalibration>>,
        file: &str,
    ) -> Option<Option<Calibration>> {
        let Some(raw) = raw else {
            return Some(None);
        };
        let Some(p) = &raw.get_ref().posterior else {
            self.missing(
                &raw.span(),
                "calibration.posterior",
                "the posterior file that `talentsim calibrate` wrote, e.g. posterior = \"posterior.csv\"",
            );
            return None;
        };
        let written = p.get_ref();
        if written.trim().is_empty() {
            self.err(
                &p.span(),
                "calibration.posterior",
                "expected the path of the posterior file, e.g. \"posterior.csv\" (relative to this scenario's folder)",
            );
            return None;
        }
        let folder = Path::new(file).parent().unwrap_or(Path::new(""));
        let path = folder.join(written);
        let table = match super::observation::read_posterior(&path) {
            Ok(t) => t,
            Err(e) => {
                self.err(
                    &p.span(),
                    "calibration.posterior",
                    format!("cannot use the posterior file {}: {e}", path.display()),
                );
                return None;
            }
        };
        if let Some(h) = &raw.get_ref().sha256 {
            if !h.get_ref().eq_ignore_ascii_case(&table.sha256) {
                self.err(
                    &h.span(),
                    "calibration.sha256",
                    format!(
                        "the posterior file {} has changed since calibration (SHA-256 {} recorded, {} now); \
                         restore it or calibrate again",
                        path.display(),
                        h.get_ref(),
                        table.sha256
                    ),
                );
                return None;
            }
        }
        Some(Some(Calibration {
            posterior: path,
            written: written.clone(),
            table: std::sync::Arc::new(table),
        }))
    }
}

/// Reads an observations file (`--observations FILE.csv`): a header naming some of the
/// columns `metric,date,value,at_least,at_most,sd,rel_sd,source` in any order, then one
/// observation per row, checked by the rules of `[[observation]]` against `scenario`.
/// Empty cells, and rows of empty cells, are left out; `date` is written `YYYY-MM-DD`.
///
/// # Errors
/// A [`ScenarioError`] naming the file, with every problem found: the line (the header is
/// line 1), the column and what was expected.
pub fn read_observations(
    path: &Path,
    scenario: &Scenario,
) -> Result<Vec<Observation>, ScenarioError> {
    let file = path.display().to_string();
    let fail = |message: String| ScenarioError {
        file: file.clone(),
        diagnostics: vec![Diagnostic {
            line: 0,
            column: 0,
            key: String::new(),
            message,
        }],
    };
    let bytes = super::read_input(path)?;
    let text = match std::str::from_utf8(&bytes) {
        Ok(t) => t,
        Err(e) => {
            let good = std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default();
            let (line, column) = Positions::new(good).at(good.len());
            let mut error = fail(
                "the file is not UTF-8 text; expected a CSV file of observations (save it as UTF-8)"
                    .into(),
            );
            error.diagnostics[0].line = line;
            error.diagnostics[0].column = column;
            return Err(error);
        }
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut checker = Checker {
        pos: Positions::new(text),
        diags: Vec::new(),
        aged: scenario.ages.is_some(),
    };
    let observations = checker.observation_rows(text, scenario);
    match observations {
        Some(v) if checker.diags.is_empty() => Ok(v),
        _ => {
            let mut diagnostics = checker.diags;
            diagnostics.sort_by_key(|d| (d.line, d.column));
            diagnostics.dedup();
            Err(ScenarioError { file, diagnostics })
        }
    }
}

/// Returns the byte offset of each field of the CSV record that starts at `start`.
fn field_offsets(text: &str, start: usize) -> Vec<usize> {
    let mut offsets = vec![start];
    let mut quoted = false;
    for (i, c) in text[start..].char_indices() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => offsets.push(start + i + 1),
            '\n' | '\r' if !quoted => break,
            _ => {}
        }
    }
    offsets
}

impl Checker<'_> {
    /// Checks the header and rows of an observations file.
    fn observation_rows(&mut self, text: &str, scenario: &Scenario) -> Option<Vec<Observation>> {
        let header_hint = "metric,date,value,at_least,at_most,sd,rel_sd,source";
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        let mut records = reader.records();
        let header = match records.next() {
            None => {
                self.err(
                    &(0..0),
                    "",
                    format!("the file is empty; expected a header such as {header_hint}, then one observation per line"),
                );
                return None;
            }
            Some(Err(e)) => {
                self.err(&(0..0), "", format!("not a CSV file: {e}"));
                return None;
            }
            Some(Ok(h)) => h,
        };
        // Column of each header field: an index into OBSERVATION_KEYS.
        let offsets = field_offsets(text, 0);
        let mut columns: Vec<Option<usize>> = Vec::new();
        let mut ok = true;
        for (i, name) in header.iter().enumerate() {
            let name = name.trim();
            let at = offsets.get(i).copied().unwrap_or(0);
            let found = OBSERVATION_KEYS.iter().position(|k| *k == name);
            match found {
                Some(c) if columns.contains(&Some(c)) => {
                    self.err(
                        &(at..at),
                        name,
                        format!("the column `{name}` appears twice"),
                    );
                    ok = false;
                }
                Some(_) => {}
                None => {
                    let mut msg = format!(
                        "unknown column `{name}`; expected {}",
                        one_of(OBSERVATION_KEYS)
                    );
                    if let Some(s) = suggest(name, OBSERVATION_KEYS.iter().copied()) {
                        msg.push_str(&format!(" (did you mean `{s}`?)"));
                    }
                    self.err(&(at..at), name, msg);
                    ok = false;
                }
            }
            columns.push(found);
        }
        for required in ["metric", "date"] {
            let c = OBSERVATION_KEYS.iter().position(|k| *k == required);
            if !columns.contains(&c) {
                self.err(
                    &(0..0),
                    required,
                    format!("missing column; the header names the columns, such as {header_hint} (`source` and unused columns may be left out)"),
                );
                ok = false;
            }
        }
        if !ok {
            return None;
        }
        let horizon = Some(Horizon {
            start: scenario.start_year,
            end: scenario.end_year,
        });
        let mut out = Vec::new();
        for record in records {
            let record = match record {
                Ok(r) => r,
                Err(e) => {
                    let at = e.position().map_or(0, |p| p.byte() as usize);
                    self.err(&(at..at), "", format!("not a CSV row: {e}"));
                    ok = false;
                    continue;
                }
            };
            let start = record.position().map_or(0, |p| p.byte() as usize);
            if record.iter().all(|f| f.trim().is_empty()) {
                continue;
            }
            if record.len() != columns.len() {
                self.err(
                    &(start..start),
                    "",
                    format!(
                        "{} fields; expected {} as in the header (line 1)",
                        record.len(),
                        columns.len()
                    ),
                );
                ok = false;
                continue;
            }
            let written = self.written_row(text, start, &record, &columns);
            match self.observation(written, &scenario.levels, horizon) {
                Some(o) => out.push(o),
                None => ok = false,
            }
        }
        if out.is_empty() && ok {
            self.err(
                &(0..0),
                "",
                "no observations; expected one per line after the header",
            );
            return None;
        }
        ok.then_some(out)
    }

    /// Reads one row into a [`Written`], reporting cells that are not numbers or dates.
    fn written_row(
        &mut self,
        text: &str,
        start: usize,
        record: &csv::StringRecord,
        columns: &[Option<usize>],
    ) -> Written {
        let offsets = field_offsets(text, start);
        let mut w = Written {
            at: start,
            prefix: String::new(),
            metric: None,
            date: None,
            value: None,
            at_least: None,
            at_most: None,
            sd: None,
            rel_sd: None,
            source: None,
        };
        for (i, cell) in record.iter().enumerate() {
            let cell = cell.trim();
            let Some(c) = columns[i] else { continue };
            if cell.is_empty() {
                continue;
            }
            let at = offsets.get(i).copied().unwrap_or(start);
            let span: Range<usize> = at..at;
            let name = OBSERVATION_KEYS[c];
            let number = |checker: &mut Self| -> Option<Field<f64>> {
                let value = match cell.parse::<f64>() {
                    Ok(x) => Some(x),
                    Err(_) => {
                        let hint = match cell.strip_suffix('%').map(|p| p.trim().parse::<f64>()) {
                            Some(Ok(p)) => format!("; for {p}% write {}", p / 100.0),
                            _ => String::new(),
                        };
                        checker.err(&span, name, format!("`{cell}` is not a number{hint}"));
                        None
                    }
                };
                Some(Field { value, at })
            };
            match name {
                "metric" => {
                    w.metric = Some(Field {
                        value: Some(cell.to_string()),
                        at,
                    })
                }
                "date" => {
                    let value = match parse_date(cell) {
                        Ok(d) => Some(d),
                        Err(DateProblem::NoSuchDay(m)) => {
                            self.err(&span, name, m);
                            None
                        }
                        Err(DateProblem::Form) => {
                            self.err(
                                &span,
                                name,
                                format!("`{cell}` is not a date; expected YYYY-MM-DD, such as 2023-06-30"),
                            );
                            None
                        }
                    };
                    w.date = Some(Field { value, at });
                }
                "value" => w.value = number(self),
                "at_least" => w.at_least = number(self),
                "at_most" => w.at_most = number(self),
                "sd" => w.sd = number(self),
                "rel_sd" => w.rel_sd = number(self),
                _ => w.source = Some(cell.to_string()),
            }
        }
        w
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{parse_bytes, TEMPLATE};

    fn with(extra: &str) -> Result<Scenario, ScenarioError> {
        let text = format!("{TEMPLATE}\n{extra}");
        parse_bytes("regions/r.toml", text.as_bytes(), "r")
    }

    #[test]
    fn observations_and_calibration_are_read_with_an_absolute_sd_and_a_resolved_path() {
        let dir = tempfile::tempdir().unwrap();
        let regions = dir.path().join("regions");
        std::fs::create_dir(&regions).unwrap();
        std::fs::write(
            regions.join("posterior.csv"),
            "draw,attrition.senior,log_likelihood\n0,0.04,-1.5\n1,0.05,-1.25\n",
        )
        .unwrap();
        let file = regions.join("r.toml");
        let with = |extra: &str| {
            let text = format!("{TEMPLATE}\n{extra}");
            parse_bytes(file.to_str().unwrap(), text.as_bytes(), "r")
        };
        let s = with(
            "[[observation]]\nmetric = \"total\"\ndate = 2025-06-30\nvalue = 330000\nrel_sd = 0.02\nsource = \"census\"\n\n\
             [[observation]]\nmetric = \"high_skill_share\"\ndate = 2024-12-31\nat_least = 0.3\nsd = 0.01\n\n\
             [calibration]\nposterior = \"posterior.csv\"\n",
        )
        .unwrap();
        assert_eq!(s.observations.len(), 2);
        let o = &s.observations[0];
        assert_eq!(o.metric, Metric::Total);
        assert_eq!(o.date, Date::new(2025, 6, 30).unwrap());
        assert_eq!(o.reading, Reading::Value(330000.0));
        assert!((o.sd - 6600.0).abs() < 1e-9);
        assert_eq!(o.source.as_deref(), Some("census"));
        assert_eq!(s.observations[1].reading, Reading::AtLeast(0.3));
        assert_eq!(s.observations[1].sd, 0.01);
        assert_eq!(s.observations[1].source, None);
        let c = s.calibration.unwrap();
        assert_eq!(c.written, "posterior.csv");
        assert_eq!(c.posterior, regions.join("posterior.csv"));
        assert_eq!(c.table.names, ["attrition.senior"]);
        assert_eq!(c.table.rows, [[0.04], [0.05]]);
    }

    #[test]
    fn a_scenario_without_them_has_none() {
        let s = with("").unwrap();
        assert!(s.observations.is_empty());
        assert_eq!(s.calibration, None);
    }

    #[test]
    fn net_change_may_be_negative_and_counts_may_not() {
        let obs = "[[observation]]\nmetric = \"{m}\"\ndate = 2030-12-31\nat_most = -5\nsd = 1\n";
        assert!(with(&obs.replace("{m}", "high_skill_net_change")).is_ok());
        let e = with(&obs.replace("{m}", "level.senior")).unwrap_err();
        assert!(
            e.to_string()
                .contains("observation[1].at_most: -5 is negative"),
            "{e}"
        );
    }

    #[test]
    fn dates_at_the_edges_of_the_years_are_accepted_and_beyond_them_refused() {
        let obs = "[[observation]]\nmetric = \"total\"\ndate = {d}\nvalue = 1\nsd = 1\n";
        for ok in ["2024-12-31", "2030-12-31", "2028-02-29"] {
            assert!(with(&obs.replace("{d}", ok)).is_ok(), "{ok}");
        }
        for bad in ["2024-12-30", "2031-01-01"] {
            let e = with(&obs.replace("{d}", bad)).unwrap_err();
            assert!(
                e.to_string().contains("outside the scenario's years"),
                "{e}"
            );
        }
    }

    #[test]
    fn impossible_dates_are_explained() {
        assert!(
            matches!(parse_date("2023-02-29"), Err(DateProblem::NoSuchDay(m)) if m.contains("February 2023 has 28 days"))
        );
        assert!(matches!(
            parse_date("2023-13-01"),
            Err(DateProblem::NoSuchDay(_))
        ));
        assert!(matches!(parse_date("2023-6-30"), Err(DateProblem::Form)));
        assert!(matches!(parse_date("30/06/2023"), Err(DateProblem::Form)));
        assert_eq!(parse_date("2024-02-29").ok(), Date::new(2024, 2, 29));
    }

    fn read(text: &str) -> Result<Vec<Observation>, ScenarioError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("obs.csv");
        std::fs::write(&path, text).unwrap();
        read_observations(&path, &with("").unwrap())
    }

    /// Each problem as `line:column: key: message`, without the file.
    fn problems(text: &str) -> Vec<String> {
        read(text)
            .unwrap_err()
            .diagnostics
            .iter()
            .map(|d| format!("{}:{}: {}: {}", d.line, d.column, d.key, d.message))
            .collect()
    }

    #[test]
    fn a_good_file_is_read_in_any_column_order_with_empty_and_absent_columns() {
        let text = "\u{feff}date,metric,rel_sd,value,sd,at_least,source\n\
                    2025-06-30,total,0.02,330000,,,\"census, mid-year\"\n\
                    \n\
                    ,,,,,,\n\
                    2026-12-31 , high_skill_share ,,,0.01,0.3,\n";
        let v = read(text).unwrap();
        assert_eq!(v.len(), 2);
        assert_eq!(v[0].metric, Metric::Total);
        assert_eq!(v[0].date, Date::new(2025, 6, 30).unwrap());
        assert_eq!(v[0].reading, Reading::Value(330000.0));
        assert!((v[0].sd - 6600.0).abs() < 1e-9);
        assert_eq!(v[0].source.as_deref(), Some("census, mid-year"));
        assert_eq!(v[1].metric, Metric::HighSkillShare);
        assert_eq!(v[1].reading, Reading::AtLeast(0.3));
        assert_eq!(v[1].sd, 0.01);
        assert_eq!(v[1].source, None);
    }

    #[test]
    fn every_bad_row_is_reported_at_once_with_its_line_and_column() {
        let text = "metric,date,value,at_least,at_most,sd,rel_sd,source\n\
                    totl,2025-06-30,1,,,1,,\n\
                    total,2025/06/30,1,,,1,,\n\
                    total,2023-02-29,1,,,1,,\n\
                    total,2023-06-30,1,,,1,,\n\
                    total,2025-06-30,abc,,,1,,\n\
                    total,2025-06-30,1,2,,1,,\n\
                    total,2025-06-30,,,,1,,\n\
                    total,2025-06-30,1,,,1,0.1,\n\
                    total,2025-06-30,1,,,,,\n\
                    total,2025-06-30,1,,,-3,,\n\
                    total,2025-06-30,0,,,,0.1,\n\
                    high_skill_share,2025-06-30,40,,,0.01,,\n\
                    total,2025-06-30,1,,,,5,\n\
                    total,2025-06-30,1\n\
                    total,2025-06-30,1,,,,5%,\n";
        let p = problems(text);
        let expected = [
            "2:1: metric: unknown metric `totl`",
            "3:7: date: `2025/06/30` is not a date; expected YYYY-MM-DD",
            "4:7: date: `2023-02-29` is not a date: February 2023 has 28 days",
            "5:7: date: 2023-06-30 is outside the scenario's years",
            "6:18: value: `abc` is not a number",
            "7:20: at_least: `value` and `at_least` are both given",
            "8:1: value: missing; expected the figure",
            "9:24: rel_sd: `sd` and `rel_sd` are both given",
            "10:1: sd: missing; expected the observation error",
            "11:22: sd: -3: expected a standard deviation above 0",
            "12:23: rel_sd: is relative to `value`, which is 0",
            "13:29: value: 40 is not a share; expected a fraction from 0 to 1; for 40% write 0.4",
            "14:23: rel_sd: 5 looks like a percentage: write 0.05",
            "15:1: : 3 fields; expected 8 as in the header (line 1)",
            "16:23: rel_sd: `5%` is not a number; for 5% write 0.05",
        ];
        assert_eq!(p.len(), expected.len(), "{p:#?}");
        for (got, want) in p.iter().zip(expected) {
            assert!(got.starts_with(want), "got {got}\nwant {want}");
        }
        assert!(p[0].ends_with("(did you mean `total`?)"), "{}", p[0]);
    }

    #[test]
    fn the_header_is_checked_before_the_rows() {
        let p = problems("metric,dat,valeu,sd\ntotal,2025-06-30,1,1\n");
        assert_eq!(p.len(), 3, "{p:#?}");
        assert!(p[0].starts_with("1:1: date: missing column"), "{}", p[0]);
        assert!(
            p[1].starts_with("1:8: dat: unknown column `dat`")
                && p[1].ends_with("(did you mean `date`?)"),
            "{}",
            p[1]
        );
        assert!(p[2].contains("(did you mean `value`?)"), "{}", p[2]);
        let p = problems("metric,date,value,sd,value\n");
        assert_eq!(p, ["1:22: value: the column `value` appears twice"]);
    }

    #[test]
    fn an_empty_file_or_a_header_alone_is_refused() {
        assert!(problems("")[0].contains("the file is empty"));
        assert!(problems("metric,date,value,sd\n")[0].contains("no observations"));
        let e = read("metric,date,value,sd\ntotl,2025-06-30,1,1\n").unwrap_err();
        assert!(
            e.to_string().starts_with(&e.file) && e.file.ends_with("obs.csv"),
            "{e}"
        );
        assert!(
            e.to_string()
                .contains("obs.csv:2:1: metric: unknown metric"),
            "{e}"
        );
    }

    #[test]
    fn the_example_of_docs_scenario_format_is_located_as_documented() {
        let text = "metric,date,value,rel_sd,source\n\
                    total,2025-06-30,330000,0.02,\"mid-2025 provincial figure, table 3\"\n\
                    level.senior,2025-12-31,121000,5,\n";
        assert_eq!(
            problems(text),
            ["3:32: rel_sd: 5 looks like a percentage: write 0.05 (a fraction of the figure, above 0 and at most 1)"]
        );
        assert_eq!(read(&text.replace(",5,", ",0.05,")).unwrap().len(), 2);
    }

    #[test]
    fn a_file_that_is_not_utf8_is_located_at_its_first_bad_byte() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("obs.csv");
        std::fs::write(
            &path,
            b"metric,date,value,sd\ntotal,2025-06-30,1,1,\xe9t\xe9\n",
        )
        .unwrap();
        let e = read_observations(&path, &with("").unwrap()).unwrap_err();
        let d = &e.diagnostics[0];
        assert_eq!((d.line, d.column), (2, 22), "{e}");
        assert!(d.message.contains("not UTF-8"), "{e}");
    }
}
