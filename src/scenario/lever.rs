//! Levers: one name for one parameter of a scenario, shared by `--set` and the analysis
//! commands (README "Policy analysis").
//!
//! A lever name is a dotted path: `initial.LEVEL`, `attrition.LEVEL`, `upgrade.LEVEL`,
//! `transition.FROM.TO`, `inflow.NAME.per_year`, `inflow.NAME.split.LEVEL`,
//! `inflow.NAME.growth`. A segment that is not a plain word (letters, digits, `_`, `-`)
//! is written in double quotes, as in `inflow."vocational colleges".per_year`; an inflow
//! may also be named by its position, `inflow[2]` (counting from 1, as in error messages).
//!
//! Setting a lever replaces the parameter by one number in every year (a distribution or
//! a schedule becomes that fixed value). Setting a split share rescales the inflow's other
//! shares proportionally so they still sum to 1. The result is checked against the
//! scenario rules the change can break; this module never simulates.

use std::fmt;

use super::diagnostic::suggest;
use super::validate::MAX_PEOPLE;
use super::{Bound, MoveKind, Param, Scenario, Value};

/// Which of a scenario's parameters a parameter index names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamRef {
    /// Attrition of a level.
    Attrition(usize),
    /// Rate of one of the scenario's moves (upgrades first, then transitions).
    Move(usize),
    /// `per_year` of an inflow.
    Inflow(usize),
}

/// What a lever sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeverKind {
    /// Initial stock of a level.
    Initial(usize),
    /// Attrition rate of a level.
    Attrition(usize),
    /// Rate of one of the scenario's moves (an upgrade or a transition).
    Move(usize),
    /// `per_year` of an inflow.
    PerYear(usize),
    /// Share of an inflow going to a level.
    Split(usize, usize),
    /// Yearly growth of an inflow.
    Growth(usize),
}

/// A named parameter of a scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lever {
    /// What it sets.
    pub kind: LeverKind,
    /// Canonical name, as listed by [`levers`].
    pub name: String,
}

/// An unknown lever or a value the scenario rules reject.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("lever `{lever}`: {message}")]
pub struct LeverError {
    /// The lever as the user wrote it.
    pub lever: String,
    /// What is wrong and what was expected.
    pub message: String,
}

/// Quotes a name segment unless it is a plain word.
fn segment(name: &str) -> String {
    let plain = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if plain {
        name.to_string()
    } else {
        format!("\"{name}\"")
    }
}

/// Lists every lever of a scenario, in scenario order.
pub fn levers(s: &Scenario) -> Vec<Lever> {
    let lv = |l: usize| segment(&s.levels[l]);
    let mut v = Vec::new();
    let mut push = |kind, name: String| v.push(Lever { kind, name });
    for l in 0..s.levels.len() {
        push(LeverKind::Initial(l), format!("initial.{}", lv(l)));
    }
    for l in 0..s.levels.len() {
        push(LeverKind::Attrition(l), format!("attrition.{}", lv(l)));
    }
    for (m, mv) in s.moves.iter().enumerate() {
        let name = match mv.kind {
            MoveKind::Upgrade => format!("upgrade.{}", lv(mv.from)),
            MoveKind::Transition => format!("transition.{}.{}", lv(mv.from), lv(mv.to)),
        };
        push(LeverKind::Move(m), name);
    }
    for (k, f) in s.inflows.iter().enumerate() {
        let n = segment(&f.name);
        push(LeverKind::PerYear(k), format!("inflow.{n}.per_year"));
        for &(l, _) in &f.split {
            push(
                LeverKind::Split(k, l),
                format!("inflow.{n}.split.{}", lv(l)),
            );
        }
        push(LeverKind::Growth(k), format!("inflow.{n}.growth"));
    }
    v
}

/// Splits a lever name into its segments, unquoting quoted ones; `None` if malformed.
fn segments(text: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    let mut chars = text.trim().chars().peekable();
    loop {
        let mut seg = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            loop {
                match chars.next()? {
                    '"' => break,
                    c => seg.push(c),
                }
            }
            match chars.next() {
                None => {
                    out.push(seg);
                    return Some(out);
                }
                Some('.') => {}
                Some(_) => return None,
            }
        } else {
            loop {
                match chars.next() {
                    None => {
                        out.push(seg);
                        return Some(out);
                    }
                    Some('.') => break,
                    Some(c) => seg.push(c),
                }
            }
        }
        out.push(seg);
    }
}

/// Finds a lever by name.
///
/// # Errors
/// [`LeverError`] for an unknown name, with the closest valid name and the full list.
pub fn find(s: &Scenario, text: &str) -> Result<Lever, LeverError> {
    let all = levers(s);
    if let Some(mut segs) = segments(text) {
        // `inflow[N]` names an inflow by position.
        if let Some(n) = segs
            .first()
            .and_then(|f| f.strip_prefix("inflow["))
            .and_then(|r| r.strip_suffix(']'))
            .and_then(|n| n.parse::<usize>().ok())
        {
            if let Some(f) = n.checked_sub(1).and_then(|k| s.inflows.get(k)) {
                segs[0] = "inflow".into();
                segs.insert(1, f.name.clone());
            }
        }
        if let Some(l) = all
            .iter()
            .find(|l| segments(&l.name).as_ref() == Some(&segs))
        {
            return Ok(l.clone());
        }
    }
    let names: Vec<&str> = all.iter().map(|l| l.name.as_str()).collect();
    let mut message = "unknown lever".to_string();
    if let Some(best) = suggest(text, names.iter().copied()) {
        message.push_str(&format!("; did you mean `{best}`?"));
    }
    message.push_str(&format!(
        "\nvalid levers of scenario `{}` (quote names that are not plain words):\n  {}",
        s.name,
        names.join("\n  ")
    ));
    Err(LeverError {
        lever: text.to_string(),
        message,
    })
}

/// Parses `LEVER=VALUE` into a lever of `s` and a number.
///
/// # Errors
/// [`LeverError`] for a missing `=`, an unknown lever or a value that is not a number.
pub fn parse_assignment(s: &Scenario, text: &str) -> Result<(Lever, f64), LeverError> {
    let Some((name, value)) = text.rsplit_once('=') else {
        return Err(LeverError {
            lever: text.to_string(),
            message: "expected LEVER=VALUE, for example `upgrade.intermediate=0.07`".into(),
        });
    };
    let lever = find(s, name)?;
    let value: f64 = value.trim().parse().map_err(|_| LeverError {
        lever: name.to_string(),
        message: format!("`{}` is not a number", value.trim()),
    })?;
    Ok((lever, value))
}

/// Applies every `LEVER=VALUE` in `sets`, in order, and records them in the title (which
/// reports and `summary.json` show) as `TITLE [set LEVER=VALUE, ...]`.
///
/// # Errors
/// The first [`LeverError`].
pub fn apply_all(s: &Scenario, sets: &[String]) -> Result<Scenario, LeverError> {
    let mut out = s.clone();
    let mut applied = Vec::new();
    for text in sets {
        let (lever, value) = parse_assignment(&out, text)?;
        out = lever.set(&out, value)?;
        applied.push(format!("{}={value}", lever.name));
    }
    if !applied.is_empty() {
        out.title = format!("{} [set {}]", out.title, applied.join(", "));
    }
    Ok(out)
}

impl fmt::Display for Lever {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

impl Lever {
    /// Returns the uncertain parameter the lever names, if it is a rate or inflow amount.
    pub fn param(&self) -> Option<ParamRef> {
        match self.kind {
            LeverKind::Attrition(l) => Some(ParamRef::Attrition(l)),
            LeverKind::Move(m) => Some(ParamRef::Move(m)),
            LeverKind::PerYear(k) => Some(ParamRef::Inflow(k)),
            _ => None,
        }
    }

    /// Returns the lever's central value in `year` (a schedule's value in force then).
    pub fn central_in(&self, s: &Scenario, year: i32) -> f64 {
        match self.kind {
            LeverKind::Initial(l) => s.initial[l],
            LeverKind::Attrition(l) => s.attrition[l].central_in(year),
            LeverKind::Move(m) => s.moves[m].rate.central_in(year),
            LeverKind::PerYear(k) => s.inflows[k].per_year.central_in(year),
            LeverKind::Split(k, l) => s.inflows[k]
                .split
                .iter()
                .find(|(x, _)| *x == l)
                .map_or(0.0, |(_, v)| *v),
            LeverKind::Growth(k) => s.inflows[k].growth,
        }
    }

    /// Tells whether the lever's parameter is a distribution or a schedule.
    pub fn is_uncertain_or_scheduled(&self, s: &Scenario) -> bool {
        let p = match self.kind {
            LeverKind::Attrition(l) => &s.attrition[l],
            LeverKind::Move(m) => &s.moves[m].rate,
            LeverKind::PerYear(k) => &s.inflows[k].per_year,
            _ => return false,
        };
        !matches!(p, Param::Constant(Value::Fixed(_)))
    }

    /// Returns a default search range `[lo, hi]` for `solve` and `sweep`: rates from 0 to
    /// four times the central value (at least 0.1) within the headroom the level's other
    /// central rates leave; amounts and stocks from 0 to four times the central value (at
    /// least 1,000); shares 0 to 1; growth -0.2 to 0.2.
    pub fn default_range(&self, s: &Scenario, year: i32) -> (f64, f64) {
        let c = self.central_in(s, year);
        match self.kind {
            LeverKind::Attrition(l) => (0.0, (4.0 * c).max(0.1).min(headroom(s, l, None))),
            LeverKind::Move(m) => (
                0.0,
                (4.0 * c)
                    .max(0.1)
                    .min(headroom(s, s.moves[m].from, Some(m))),
            ),
            LeverKind::Initial(_) | LeverKind::PerYear(_) => (0.0, (4.0 * c).max(1000.0).round()),
            LeverKind::Split(..) => (0.0, 1.0),
            LeverKind::Growth(_) => (-0.2, 0.2),
        }
    }

    /// Returns a copy of `s` with the lever set to `value` in every year.
    ///
    /// # Errors
    /// [`LeverError`] when the value breaks a scenario rule: out of the parameter's range,
    /// a fractional stock, or central rates out of a level summing past 1 in some year.
    pub fn set(&self, s: &Scenario, value: f64) -> Result<Scenario, LeverError> {
        let fail = |message: String| LeverError {
            lever: self.name.clone(),
            message,
        };
        if !value.is_finite() {
            return Err(fail(format!("{value} is not a finite number")));
        }
        let mut out = s.clone();
        let fixed = Param::Constant(Value::Fixed(value));
        let rate = |v: f64| {
            if Bound::Rate.admits(v) {
                Ok(())
            } else {
                Err(fail(format!(
                    "{v} is not a rate; expected 0 to 1{}",
                    super::validate::percent_hint(v)
                )))
            }
        };
        let people = |v: f64| {
            if (0.0..=MAX_PEOPLE).contains(&v) {
                Ok(())
            } else {
                Err(fail(format!(
                    "{v} is not a number of people; expected 0 to {MAX_PEOPLE:e}"
                )))
            }
        };
        match self.kind {
            LeverKind::Initial(l) => {
                people(value)?;
                if value.fract() != 0.0 {
                    return Err(fail(format!(
                        "{value}: an initial stock is a whole number of people"
                    )));
                }
                out.initial[l] = value;
            }
            LeverKind::Attrition(l) => {
                rate(value)?;
                out.attrition[l] = fixed;
                check_outflows(&out, l).map_err(fail)?;
            }
            LeverKind::Move(m) => {
                rate(value)?;
                out.moves[m].rate = fixed;
                check_outflows(&out, out.moves[m].from).map_err(fail)?;
            }
            LeverKind::PerYear(k) => {
                people(value)?;
                out.inflows[k].per_year = fixed;
            }
            LeverKind::Split(k, l) => {
                rate(value)?;
                let split = &mut out.inflows[k].split;
                let others: f64 = split.iter().filter(|(x, _)| *x != l).map(|e| e.1).sum();
                if others <= 0.0 && value < 1.0 {
                    return Err(fail(format!(
                        "the inflow sends everyone to this level, so there are no other shares to rescale to {}; set another level's share instead",
                        1.0 - value
                    )));
                }
                for e in split.iter_mut() {
                    e.1 = if e.0 == l {
                        value
                    } else {
                        e.1 * (1.0 - value) / others
                    };
                }
            }
            LeverKind::Growth(k) => {
                if value <= -1.0 {
                    return Err(fail(format!("{value}: growth must be above -1")));
                }
                out.inflows[k].growth = value;
            }
        }
        Ok(out)
    }
}

/// Returns the central rates out of level `l` left for move `skip` (or for attrition when
/// `skip` is `None`): 1 minus the other central rates, in the tightest year.
fn headroom(s: &Scenario, l: usize, skip: Option<usize>) -> f64 {
    s.projected_years()
        .map(|year| {
            let w = if skip.is_some() {
                s.attrition[l].central_in(year)
            } else {
                0.0
            };
            let moves: f64 = (s.moves.iter().enumerate())
                .filter(|(m, mv)| mv.from == l && Some(*m) != skip)
                .map(|(_, mv)| mv.rate.central_in(year))
                .sum();
            1.0 - w - moves
        })
        .fold(1.0, f64::min)
        .max(0.0)
}

/// Checks that the central rates out of level `l` sum to at most 1 in every year.
fn check_outflows(s: &Scenario, l: usize) -> Result<(), String> {
    for year in s.projected_years() {
        let w = s.attrition[l].central_in(year);
        let moves: f64 = (s.moves.iter())
            .filter(|m| m.from == l)
            .map(|m| m.rate.central_in(year))
            .sum();
        if w + moves > 1.0 + 1e-9 {
            return Err(format!(
                "in {year} the central rates out of `{}` would sum to {:.6} (attrition {w} + upgrades and transitions {moves}); expected at most 1",
                s.levels[l],
                w + moves
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rate_written_as_a_percentage_gets_the_fraction_to_write() {
        let s = crate::parse("t.toml", crate::scenario::TEMPLATE).unwrap();
        let e = apply_all(&s, &["upgrade.intermediate=7".to_string()]).unwrap_err();
        assert!(e.message.contains("for 7% write 0.07"), "{}", e.message);
        let e = apply_all(&s, &["upgrade.intermediate=700".to_string()]).unwrap_err();
        assert!(!e.message.contains('%'), "{}", e.message);
        assert!(apply_all(&s, &["upgrade.intermediate=0.07".to_string()]).is_ok());
    }

    #[test]
    fn segments_unquote_names_with_spaces_and_dots() {
        assert_eq!(
            segments(r#"inflow."a b.c".split.senior"#).unwrap(),
            vec!["inflow", "a b.c", "split", "senior"]
        );
        assert_eq!(
            segments("upgrade.intermediate").unwrap(),
            vec!["upgrade", "intermediate"]
        );
        assert!(segments(r#"inflow."open"#).is_none());
        assert_eq!(segment("vocational colleges"), "\"vocational colleges\"");
        assert_eq!(segment("digital"), "digital");
    }
}
