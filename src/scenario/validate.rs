//! Validation: raw TOML types -> [`Scenario`], every rule of docs/scenario-format.md checked
//! here once.
//!
//! Problems are collected, not returned at the first one, so a user fixes a file in one
//! pass. Each names the line, column and key path and says what was expected.

use std::collections::{BTreeMap, HashSet};
use std::ops::Range;

use toml::Spanned;

use super::ages::{AGES_KEYS, OVERRIDE_KEYS};
use super::diagnostic::{
    key_path_at, one_of, suggest, with_suggestion, Diagnostic, Positions, ScenarioError,
};
use super::observations::{impossible_date, CALIBRATION_KEYS, OBSERVATION_KEYS};
use super::param::{Param, Value, Vary};
use super::raw::{Key, RawInflow, RawParam, RawParamTable, RawScenario, RawTarget, RawTransition};
use super::{Direction, Inflow, Metric, MonteCarlo, Move, MoveKind, Scenario, Target};
use crate::dist::{Bound, Dist};

/// Largest accepted number of runs in one job.
pub const MAX_RUNS: u64 = 100_000_000;
/// Largest accepted horizon in years.
pub const MAX_HORIZON: i64 = 1_000;
/// Largest accepted number of levels.
pub const MAX_LEVELS: usize = 1_000;
/// Largest accepted stock of one level, or inflow amount.
pub const MAX_PEOPLE: f64 = 1e12;
/// Largest accepted scenario file: real scenarios are a few kilobytes, and a limit keeps
/// a mistaken path (a log, a data dump) from exhausting memory.
pub const MAX_FILE_BYTES: u64 = 8 << 20;
/// Tolerance on a split's sum.
/// Largest coefficient of variation (sd / mean) of a lognormal. Beyond it a lognormal puts
/// almost all its weight near 0, which describes no uncertain count or rate; far beyond
/// it (sd / mean near 1e154) its log-scale parameters overflow and every draw is NaN.
const MAX_LOGNORMAL_CV: f64 = 100.0;

const SPLIT_TOLERANCE: f64 = 1e-6;
/// Tolerance on the sum of central rates out of a level.
const OUTFLOW_TOLERANCE: f64 = 1e-9;

const DISTS: [&str; 6] = [
    "normal",
    "lognormal",
    "beta",
    "uniform",
    "triangular",
    "pert",
];

/// Parses and validates scenario bytes (see [`super::parse_bytes`]).
pub(crate) fn parse(
    file: &str,
    bytes: &[u8],
    default_name: &str,
) -> Result<Scenario, ScenarioError> {
    let fail = |line, column, key: &str, message: String| ScenarioError {
        file: file.to_string(),
        diagnostics: vec![Diagnostic {
            line,
            column,
            key: key.to_string(),
            message,
        }],
    };
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(fail(0, 0, "", too_large(bytes.len() as u64)));
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let good = std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default();
            let (line, column) = Positions::new(good).at(good.len());
            return Err(fail(
                line,
                column,
                "",
                "the file is not UTF-8 text; expected a TOML scenario".into(),
            ));
        }
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(fail(
            1,
            1,
            "",
            "the file is empty; expected a TOML scenario (`talentsim init` prints a template)"
                .into(),
        ));
    }
    let raw: RawScenario = match toml::from_str(text) {
        Ok(raw) => raw,
        Err(e) => {
            // serde stops at the first unknown key: find them all, at every level, and
            // report them together with the first other problem.
            let unknown = toml_edit::Document::parse(text)
                .map(|doc| unknown_keys(&doc, &Positions::new(text)))
                .unwrap_or_default();
            if !unknown.is_empty() {
                let mut diagnostics = unknown;
                if !e.message().starts_with("unknown field") {
                    let offset = e.span().map_or(0, |s| s.start);
                    let (line, column) = Positions::new(text).at(offset);
                    diagnostics.push(Diagnostic {
                        line,
                        column,
                        key: key_path_at(text, offset).unwrap_or_default(),
                        message: plain_words(e.message().trim(), "", text, offset),
                    });
                }
                diagnostics.sort_by_key(|d| (d.line, d.column));
                diagnostics.dedup();
                return Err(ScenarioError {
                    file: file.to_string(),
                    diagnostics,
                });
            }
            let offset = e.span().map_or(0, |s| s.start);
            let (line, column) = Positions::new(text).at(offset);
            // A syntax error leaves no document to find the key in: read it off the text.
            let parsed = key_path_at(text, offset);
            let syntax = parsed.is_none();
            let key = parsed.unwrap_or_else(|| syntax_key_path(text, offset));
            let message = plain_words(&with_suggestion(e.message().trim()), &key, text, offset);
            let message = if let Some(m) = impossible_date(e.message(), text, offset) {
                m
            } else if syntax {
                format!("TOML syntax error: {message}")
            } else {
                message
            };
            let message = match value_hint(text, offset) {
                Some(hint) => format!("{message}; {hint}"),
                None => message,
            };
            return Err(fail(line, column, &key, message));
        }
    };
    let mut checker = Checker {
        pos: Positions::new(text),
        diags: Vec::new(),
        aged: raw.ages.is_some(),
    };
    let scenario = checker.scenario(raw, file, default_name);
    match scenario {
        Some(s) if checker.diags.is_empty() => Ok(s),
        _ => {
            let mut diagnostics = checker.diags;
            diagnostics.sort_by_key(|d| (d.line, d.column));
            diagnostics.dedup();
            Err(ScenarioError {
                file: file.to_string(),
                diagnostics,
            })
        }
    }
}

/// Says that a file of `bytes` bytes is over [`MAX_FILE_BYTES`].
pub(crate) fn too_large(bytes: u64) -> String {
    format!(
        "the file is {bytes} bytes; a scenario may be at most {MAX_FILE_BYTES} bytes ({} MiB): is this the right file?",
        MAX_FILE_BYTES >> 20
    )
}

/// Collects the problems of one text (a scenario, or an observations file).
pub(super) struct Checker<'a> {
    pub(super) pos: Positions<'a>,
    pub(super) diags: Vec<Diagnostic>,
    /// Whether the scenario has `[ages]` (its age metrics may then be named).
    pub(super) aged: bool,
}

/// Years of the projection, once known to be valid.
#[derive(Clone, Copy)]
pub(super) struct Horizon {
    pub(super) start: i32,
    pub(super) end: i32,
}

impl Checker<'_> {
    pub(super) fn err(
        &mut self,
        span: &Range<usize>,
        key: impl Into<String>,
        message: impl Into<String>,
    ) {
        let (line, column) = self.pos.at(span.start);
        self.diags.push(Diagnostic {
            line,
            column,
            key: key.into(),
            message: message.into(),
        });
    }

    pub(super) fn missing(&mut self, span: &Range<usize>, key: &str, what: &str) {
        self.err(span, key, format!("missing; expected {what}"));
    }

    fn scenario(&mut self, raw: RawScenario, file: &str, default_name: &str) -> Option<Scenario> {
        let top = 0..0;
        let name = match &raw.name {
            Some(n) => self.name(n),
            None => Some(default_name.to_string()),
        };
        let title = raw.title.as_ref().map(|t| t.get_ref().clone());

        let start = self.year(raw.start_year.as_ref(), &top, "start_year");
        let end = self.year(raw.end_year.as_ref(), &top, "end_year");
        let horizon = match (start, end) {
            (Some(start), Some(end)) => {
                let span = raw.end_year.as_ref().map_or(top.clone(), |s| s.span());
                if end <= start {
                    self.err(
                        &span,
                        "end_year",
                        format!("must be after start_year ({start})"),
                    );
                    None
                } else if i64::from(end - start) > MAX_HORIZON {
                    self.err(
                        &span,
                        "end_year",
                        format!(
                            "a horizon of {} years is too long; at most {MAX_HORIZON}",
                            end - start
                        ),
                    );
                    None
                } else {
                    Some(Horizon { start, end })
                }
            }
            _ => None,
        };

        let levels = self.levels(raw.levels.as_ref(), &top);
        let high_skill_from = match (&levels, &raw.high_skill_from) {
            (_, None) => {
                self.missing(
                    &top,
                    "high_skill_from",
                    "the name of the first high-skill level, e.g. \"senior\"",
                );
                None
            }
            (Some(levels), Some(h)) => self.level_ref(h, levels, "high_skill_from"),
            (None, Some(_)) => None,
        };

        let initial = levels
            .as_ref()
            .and_then(|levels| self.initial(raw.initial.as_ref(), levels));
        let attrition = levels.as_ref().and_then(|levels| {
            self.level_params(raw.attrition.as_ref(), levels, "attrition", false, horizon)
        });
        let upgrade = levels.as_ref().and_then(|levels| {
            self.level_params(raw.upgrade.as_ref(), levels, "upgrade", true, horizon)
        });
        let transitions = levels
            .as_ref()
            .and_then(|levels| self.transitions(&raw.transition, levels, horizon));
        let inflows = levels
            .as_ref()
            .and_then(|levels| self.inflows(&raw.inflow, levels, horizon));
        let monte_carlo = self.monte_carlo(raw.monte_carlo.as_ref());
        let targets = levels
            .as_ref()
            .and_then(|levels| self.targets(&raw.target, levels, horizon));
        let observations = levels
            .as_ref()
            .and_then(|levels| self.observations(&raw.observation, levels, horizon));
        let calibration = self.calibration(raw.calibration.as_ref(), file);
        let ages = levels
            .as_ref()
            .and_then(|levels| self.ages(raw.ages.as_ref(), &raw.inflow, levels));

        let (Some(name), Some(horizon), Some(levels), Some(high_skill_from), Some(initial)) =
            (name, horizon, levels, high_skill_from, initial)
        else {
            return None;
        };
        let (
            Some((attrition, attrition_spans)),
            Some((upgrade, _)),
            Some(transitions),
            Some(inflows),
            Some(monte_carlo),
            Some(targets),
            Some(observations),
            Some(calibration),
            Some(ages),
        ) = (
            attrition,
            upgrade,
            transitions,
            inflows,
            monte_carlo,
            targets,
            observations,
            calibration,
            ages,
        )
        else {
            return None;
        };

        let mut moves: Vec<Move> = upgrade
            .into_iter()
            .enumerate()
            .filter_map(|(l, p)| {
                p.map(|rate| Move {
                    from: l,
                    to: l + 1,
                    rate,
                    kind: MoveKind::Upgrade,
                })
            })
            .collect();
        moves.extend(transitions);
        let attrition: Vec<Param> = attrition
            .into_iter()
            .map(|p| p.expect("every level checked"))
            .collect();
        self.outflows(&levels, &attrition, &attrition_spans, &moves, horizon);

        Some(Scenario {
            title: title.unwrap_or_else(|| name.clone()),
            name,
            start_year: horizon.start,
            end_year: horizon.end,
            levels,
            high_skill_from,
            initial,
            attrition,
            moves,
            inflows,
            monte_carlo,
            targets,
            observations,
            calibration,
            ages,
        })
    }

    fn name(&mut self, n: &Spanned<String>) -> Option<String> {
        let s = n.get_ref();
        let bad = s.trim().is_empty()
            || s == "."
            || s == ".."
            || s.starts_with('.')
            || s.len() > 200
            || s.chars().any(|c| {
                c.is_control() || matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|')
            });
        if bad {
            self.err(
                &n.span(),
                "name",
                "expected a folder name for the output: letters, digits, `-`, `_` or `.` (not first), at most 200 bytes",
            );
            return None;
        }
        Some(s.clone())
    }

    fn year(&mut self, y: Option<&Spanned<i64>>, top: &Range<usize>, key: &str) -> Option<i32> {
        let Some(y) = y else {
            self.missing(top, key, "a year such as 2024");
            return None;
        };
        let v = *y.get_ref();
        if !(1000..=9999).contains(&v) {
            self.err(
                &y.span(),
                key,
                format!("{v} is not a plausible year; expected 1000-9999"),
            );
            return None;
        }
        Some(v as i32)
    }

    fn levels(
        &mut self,
        raw: Option<&Spanned<Vec<Spanned<String>>>>,
        top: &Range<usize>,
    ) -> Option<Vec<String>> {
        let Some(raw) = raw else {
            self.missing(
                top,
                "levels",
                "the list of levels, lowest first, e.g. [\"junior\", \"intermediate\", \"senior\"]",
            );
            return None;
        };
        if raw.get_ref().is_empty() {
            self.err(&raw.span(), "levels", "expected at least one level");
            return None;
        }
        if raw.get_ref().len() > MAX_LEVELS {
            self.err(
                &raw.span(),
                "levels",
                format!(
                    "{} levels is too many; at most {MAX_LEVELS}",
                    raw.get_ref().len()
                ),
            );
            return None;
        }
        let mut seen = HashSet::new();
        let mut ok = true;
        for (i, l) in raw.get_ref().iter().enumerate() {
            let s = l.get_ref();
            let key = format!("levels[{}]", i + 1);
            if s.is_empty()
                || !s
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
            {
                self.err(
                    &l.span(),
                    key,
                    format!(
                        "`{s}` is not a valid level name; expected letters, digits, `_` or `-`"
                    ),
                );
                ok = false;
            } else if !seen.insert(s.clone()) {
                self.err(&l.span(), key, format!("level `{s}` is listed twice"));
                ok = false;
            }
        }
        ok.then(|| raw.get_ref().iter().map(|l| l.get_ref().clone()).collect())
    }

    pub(super) fn level_ref(
        &mut self,
        name: &Spanned<String>,
        levels: &[String],
        key: &str,
    ) -> Option<usize> {
        let s = name.get_ref();
        if let Some(i) = levels.iter().position(|l| l == s) {
            return Some(i);
        }
        let mut msg = format!(
            "unknown level `{s}`; expected one of the levels: {}",
            one_of(levels)
        );
        if let Some(g) = suggest(s, levels.iter().map(String::as_str)) {
            msg.push_str(&format!(" (did you mean `{g}`?)"));
        }
        self.err(&name.span(), key, msg);
        None
    }

    /// Resolves the keys of a per-level table; reports unknown levels.
    fn level_keys<'k, V>(
        &mut self,
        table: &'k BTreeMap<Key, V>,
        levels: &[String],
        section: &str,
    ) -> Vec<(usize, &'k Key, &'k V)> {
        let mut out = Vec::new();
        for (k, v) in table {
            if let Some(l) = self.level_ref(k, levels, &format!("{section}.{}", k.get_ref())) {
                out.push((l, k, v));
            }
        }
        out
    }

    fn initial(
        &mut self,
        raw: Option<&Spanned<BTreeMap<Key, Spanned<f64>>>>,
        levels: &[String],
    ) -> Option<Vec<f64>> {
        let Some(raw) = raw else {
            self.missing(
                &(0..0),
                "initial",
                "an [initial] table with the stock of every level",
            );
            return None;
        };
        let mut stock = vec![None; levels.len()];
        let resolved = self.level_keys(raw.get_ref(), levels, "initial");
        let mut ok = resolved.len() == raw.get_ref().len();
        for (l, k, v) in resolved {
            let x = *v.get_ref();
            let key = format!("initial.{}", k.get_ref());
            if !x.is_finite() || x < 0.0 || x.fract() != 0.0 || x > MAX_PEOPLE {
                self.err(&v.span(), key, format!("{} is not a valid stock; expected a whole number of people from 0 to {MAX_PEOPLE:e}", num(x)));
            } else {
                stock[l] = Some(x);
            }
        }
        for (l, s) in stock.iter().enumerate() {
            if s.is_none() && !raw.get_ref().keys().any(|k| k.get_ref() == &levels[l]) {
                self.missing(
                    &raw.span(),
                    &format!("initial.{}", levels[l]),
                    "the initial stock of every level",
                );
            }
            ok &= s.is_some();
        }
        ok.then(|| stock.into_iter().map(|s| s.unwrap_or(0.0)).collect())
    }

    /// Checks `[attrition]` (every level) or `[upgrade]` (every level but the top). Returns
    /// the parameter and key span per level (`None` for the top level's upgrade).
    #[allow(clippy::type_complexity)]
    fn level_params(
        &mut self,
        raw: Option<&Spanned<BTreeMap<Key, Spanned<RawParam>>>>,
        levels: &[String],
        section: &str,
        is_upgrade: bool,
        horizon: Option<Horizon>,
    ) -> Option<(Vec<Option<Param>>, Vec<Range<usize>>)> {
        let needed: Vec<usize> = if is_upgrade {
            (0..levels.len() - 1).collect()
        } else {
            (0..levels.len()).collect()
        };
        let what = if is_upgrade {
            "certified to the next level"
        } else {
            "leaving"
        };
        let Some(raw) = raw else {
            if needed.is_empty() {
                return Some((vec![None; levels.len()], vec![0..0; levels.len()]));
            }
            self.missing(
                &(0..0),
                section,
                &format!("the [{section}] table with the yearly share of each level {what}"),
            );
            return None;
        };
        let mut params: Vec<Option<Param>> = vec![None; levels.len()];
        let mut spans = vec![raw.span(); levels.len()];
        let resolved = self.level_keys(raw.get_ref(), levels, section);
        let mut ok = resolved.len() == raw.get_ref().len();
        for (l, k, v) in resolved {
            let key = format!("{section}.{}", k.get_ref());
            if is_upgrade && l == levels.len() - 1 {
                self.err(
                    &k.span(),
                    key,
                    format!(
                        "`{}` is the top level and has no next level to be certified to",
                        levels[l]
                    ),
                );
                ok = false;
                continue;
            }
            spans[l] = k.span();
            match self.param(v, &key, Bound::Rate, horizon, true) {
                Some(p) => params[l] = Some(p),
                None => ok = false,
            }
        }
        for &l in &needed {
            if params[l].is_none() {
                ok = false;
                if !raw.get_ref().keys().any(|k| k.get_ref() == &levels[l]) {
                    let msg = format!("the yearly share of this level {what} (0 if none)");
                    self.missing(&raw.span(), &format!("{section}.{}", levels[l]), &msg);
                }
            }
        }
        ok.then_some((params, spans))
    }

    fn transitions(
        &mut self,
        raw: &[Spanned<RawTransition>],
        levels: &[String],
        horizon: Option<Horizon>,
    ) -> Option<Vec<Move>> {
        let mut out = Vec::new();
        let mut ok = true;
        let mut seen = HashSet::new();
        for (i, t) in raw.iter().enumerate() {
            let base = format!("transition[{}]", i + 1);
            let span = t.span();
            let t = t.get_ref();
            let from = match &t.from {
                Some(f) => self.level_ref(f, levels, &format!("{base}.from")),
                None => {
                    self.missing(&span, &format!("{base}.from"), "the level people move from");
                    None
                }
            };
            let to = match &t.to {
                Some(f) => self.level_ref(f, levels, &format!("{base}.to")),
                None => {
                    self.missing(&span, &format!("{base}.to"), "the level people move to");
                    None
                }
            };
            let rate = match &t.rate {
                Some(r) => self.param(r, &format!("{base}.rate"), Bound::Rate, horizon, true),
                None => {
                    self.missing(
                        &span,
                        &format!("{base}.rate"),
                        "the yearly share of `from` moving to `to`",
                    );
                    None
                }
            };
            let (Some(from), Some(to), Some(rate)) = (from, to, rate) else {
                ok = false;
                continue;
            };
            let to_span = t.to.as_ref().map_or(span.clone(), |s| s.span());
            if from == to {
                self.err(
                    &to_span,
                    format!("{base}.to"),
                    "a transition must move to a different level",
                );
                ok = false;
            } else if to == from + 1 {
                self.err(
                    &to_span,
                    format!("{base}.to"),
                    format!(
                        "a move to the next level is its certification: set upgrade.{} instead",
                        levels[from]
                    ),
                );
                ok = false;
            } else if !seen.insert((from, to)) {
                self.err(
                    &span,
                    base,
                    format!(
                        "a second transition from `{}` to `{}`; give each pair once",
                        levels[from], levels[to]
                    ),
                );
                ok = false;
            } else {
                out.push(Move {
                    from,
                    to,
                    rate,
                    kind: MoveKind::Transition,
                });
            }
        }
        ok.then_some(out)
    }

    fn inflows(
        &mut self,
        raw: &[Spanned<RawInflow>],
        levels: &[String],
        horizon: Option<Horizon>,
    ) -> Option<Vec<Inflow>> {
        let mut out = Vec::new();
        let mut ok = true;
        let mut names = HashSet::new();
        for (i, f) in raw.iter().enumerate() {
            let base = format!("inflow[{}]", i + 1);
            let span = f.span();
            match self.inflow(f.get_ref(), &span, &base, levels, horizon) {
                Some(inflow) => {
                    let at = f.get_ref().name.as_ref().map_or(span.clone(), |n| n.span());
                    ok &= self.unique_name(&mut names, &inflow.name, &at, &base, "inflow");
                    out.push(inflow);
                }
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    /// Checks the required, non-empty `name` of the table at `base`.
    fn required_name(
        &mut self,
        name: Option<&Spanned<String>>,
        span: &Range<usize>,
        base: &str,
        example: &str,
    ) -> Option<String> {
        match name {
            Some(n) if !n.get_ref().trim().is_empty() => Some(n.get_ref().clone()),
            Some(n) => {
                self.err(
                    &n.span(),
                    format!("{base}.name"),
                    "expected a non-empty name",
                );
                None
            }
            None => {
                self.missing(span, &format!("{base}.name"), example);
                None
            }
        }
    }

    /// Records `name` among the `kind` names seen so far; reports a second use at `at`.
    fn unique_name(
        &mut self,
        names: &mut HashSet<String>,
        name: &str,
        at: &Range<usize>,
        base: &str,
        kind: &str,
    ) -> bool {
        if names.insert(name.to_string()) {
            return true;
        }
        self.err(
            at,
            format!("{base}.name"),
            format!("a second {kind} named `{name}`; names must be unique"),
        );
        false
    }

    fn inflow(
        &mut self,
        f: &RawInflow,
        span: &Range<usize>,
        base: &str,
        levels: &[String],
        horizon: Option<Horizon>,
    ) -> Option<Inflow> {
        let name = self.required_name(
            f.name.as_ref(),
            span,
            base,
            "a name for this inflow, e.g. \"vocational colleges\"",
        );
        let per_year = match &f.per_year {
            Some(p) => self.param(p, &format!("{base}.per_year"), Bound::Amount, horizon, true),
            None => {
                self.missing(
                    span,
                    &format!("{base}.per_year"),
                    "the number of people per year",
                );
                None
            }
        };
        let from = match &f.from {
            Some(l) => self.level_ref(l, levels, &format!("{base}.from")).map(Some),
            None => Some(None),
        };
        let split = self.split(f, span, base, levels, from.flatten());
        let (first_year, last_year) = match horizon {
            Some(h) => {
                let first = self.inflow_year(
                    f.first_year.as_ref(),
                    h,
                    h.start + 1,
                    &format!("{base}.first_year"),
                );
                let last =
                    self.inflow_year(f.last_year.as_ref(), h, h.end, &format!("{base}.last_year"));
                if let (Some(a), Some(b)) = (first, last) {
                    if b < a {
                        let s = f.last_year.as_ref().map_or(span.clone(), |s| s.span());
                        self.err(
                            &s,
                            format!("{base}.last_year"),
                            format!("{b} is before first_year ({a})"),
                        );
                        (None, None)
                    } else {
                        (first, last)
                    }
                } else {
                    (None, None)
                }
            }
            None => (None, None),
        };
        let growth = match &f.growth {
            None => Some(0.0),
            Some(g) => {
                let x = *g.get_ref();
                if (1.0..=100.0).contains(&x) {
                    self.err(
                        &g.span(),
                        format!("{base}.growth"),
                        format!(
                            "{x} would grow the inflow by {}% a year; growth is a fraction: for {x}% a year write {}",
                            x * 100.0,
                            x / 100.0
                        ),
                    );
                    None
                } else if x.is_finite() && x > -1.0 && x < 1.0 {
                    Some(x)
                } else {
                    self.err(&g.span(), format!("{base}.growth"), format!("{x} is not a valid growth; expected a yearly rate above -1 and below 1 (100% a year), e.g. 0.03 for 3%"));
                    None
                }
            }
        };
        if let (Some(p), Some(first), Some(last), Some(g), Some(gs)) =
            (&per_year, first_year, last_year, growth, &f.growth)
        {
            // Growth compounds: bound the largest yearly amount so stocks stay finite.
            let base_amount = (first..=last).map(|y| p.central_in(y)).fold(0.0, f64::max);
            let factor = (1.0 + g).max(1.0).powi(last - first);
            let peak = base_amount * factor;
            if factor > MAX_PEOPLE || peak > MAX_PEOPLE {
                let times = if factor.is_finite() {
                    format!("{factor:.3e}")
                } else {
                    "more than 1e308".into()
                };
                self.err(
                    &gs.span(),
                    format!("{base}.growth"),
                    format!(
                        "growth {g} from {first} to {last} multiplies the inflow by {times}; \
                         expected at most {MAX_PEOPLE:e} people per year and a factor of at most \
                         {MAX_PEOPLE:e}: lower the growth or the last_year"
                    ),
                );
                return None;
            }
        }
        Some(Inflow {
            name: name?,
            per_year: per_year?,
            split: split?,
            first_year: first_year?,
            last_year: last_year?,
            growth: growth?,
            from: from?,
        })
    }

    fn split(
        &mut self,
        f: &RawInflow,
        span: &Range<usize>,
        base: &str,
        levels: &[String],
        from: Option<usize>,
    ) -> Option<Vec<(usize, f64)>> {
        let Some(split) = &f.split else {
            self.missing(span, &format!("{base}.split"), "the share of people arriving at each level, e.g. { intermediate = 0.75, senior = 0.25 }");
            return None;
        };
        if split.get_ref().is_empty() {
            self.err(
                &split.span(),
                format!("{base}.split"),
                "expected at least one level with a share",
            );
            return None;
        }
        let mut out = Vec::new();
        let mut ok = true;
        for (l, k, v) in self.level_keys(split.get_ref(), levels, &format!("{base}.split")) {
            let key = format!("{base}.split.{}", k.get_ref());
            let x = *v.get_ref();
            if !Bound::Rate.admits(x) {
                self.err(
                    &v.span(),
                    key,
                    format!(
                        "{x} is not a share; expected a number from 0 to 1{}",
                        percent_hint(x)
                    ),
                );
                ok = false;
            } else if from.is_some_and(|f| l <= f) {
                self.err(
                    &k.span(),
                    key,
                    format!(
                        "a programme certifies people upwards, above the level it takes them from (`{}`); \
                         for other moves use a [[transition]]",
                        levels[from.unwrap_or_default()]
                    ),
                );
                ok = false;
            } else {
                out.push((l, x));
            }
        }
        ok &= out.len() == split.get_ref().len();
        if ok {
            let sum: f64 = out.iter().map(|(_, s)| s).sum();
            if (sum - 1.0).abs() > SPLIT_TOLERANCE {
                self.err(
                    &split.span(),
                    format!("{base}.split"),
                    format!("the shares sum to {sum}; expected 1"),
                );
                ok = false;
            }
        }
        out.sort_by_key(|(l, _)| *l);
        ok.then_some(out)
    }

    fn inflow_year(
        &mut self,
        y: Option<&Spanned<i64>>,
        h: Horizon,
        default: i32,
        key: &str,
    ) -> Option<i32> {
        let Some(y) = y else { return Some(default) };
        let v = *y.get_ref();
        if v <= i64::from(h.start) || v > i64::from(h.end) {
            self.err(
                &y.span(),
                key,
                format!(
                    "{v} is outside the projected years; expected {} to {}",
                    h.start + 1,
                    h.end
                ),
            );
            return None;
        }
        Some(v as i32)
    }

    fn monte_carlo(
        &mut self,
        raw: Option<&Spanned<super::raw::RawMonteCarlo>>,
    ) -> Option<MonteCarlo> {
        let mut mc = MonteCarlo {
            runs: 10_000,
            seed: 0,
            process_noise: true,
        };
        let Some(raw) = raw else { return Some(mc) };
        let raw = raw.get_ref();
        let mut ok = true;
        if let Some(r) = &raw.runs {
            let v = *r.get_ref();
            if v < 1 || v as u64 > MAX_RUNS {
                self.err(
                    &r.span(),
                    "monte_carlo.runs",
                    format!("{v} runs; expected 1 to {MAX_RUNS}"),
                );
                ok = false;
            } else {
                mc.runs = v as u64;
            }
        }
        if let Some(s) = &raw.seed {
            let v = *s.get_ref();
            if v < 0 {
                self.err(
                    &s.span(),
                    "monte_carlo.seed",
                    format!("{v}; expected a non-negative whole number"),
                );
                ok = false;
            } else {
                mc.seed = v as u64;
            }
        }
        if let Some(p) = &raw.process_noise {
            mc.process_noise = *p.get_ref();
        }
        ok.then_some(mc)
    }

    fn targets(
        &mut self,
        raw: &[Spanned<RawTarget>],
        levels: &[String],
        horizon: Option<Horizon>,
    ) -> Option<Vec<Target>> {
        let mut out = Vec::new();
        let mut ok = true;
        let mut names = HashSet::new();
        for (i, t) in raw.iter().enumerate() {
            let base = format!("target[{}]", i + 1);
            match self.target(t.get_ref(), &t.span(), &base, levels, horizon) {
                Some(target) => {
                    let at = t.get_ref().name.as_ref().map_or(t.span(), |n| n.span());
                    ok &= self.unique_name(&mut names, &target.name, &at, &base, "target");
                    out.push(target);
                }
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    fn target(
        &mut self,
        t: &RawTarget,
        span: &Range<usize>,
        base: &str,
        levels: &[String],
        horizon: Option<Horizon>,
    ) -> Option<Target> {
        let name = self.required_name(
            t.name.as_ref(),
            span,
            base,
            "a name such as \"High-skill share at least 40% in 2026\"",
        );
        let metric = match &t.metric {
            Some(m) => self.metric(m.get_ref(), &m.span(), format!("{base}.metric"), levels),
            None => {
                self.missing(
                    span,
                    &format!("{base}.metric"),
                    "a metric such as \"high_skill_share\"",
                );
                None
            }
        };
        let year = match (&t.year, horizon) {
            (None, _) => {
                self.missing(
                    span,
                    &format!("{base}.year"),
                    "the year the target is tested",
                );
                None
            }
            (Some(y), Some(h)) => {
                let v = *y.get_ref();
                if v <= i64::from(h.start) || v > i64::from(h.end) {
                    self.err(
                        &y.span(),
                        format!("{base}.year"),
                        format!(
                            "{v} is not a projected year; expected {} to {}",
                            h.start + 1,
                            h.end
                        ),
                    );
                    None
                } else {
                    Some(v as i32)
                }
            }
            (Some(_), None) => None,
        };
        let through = match (&t.through, year, horizon) {
            (None, _, _) => Some(None),
            (Some(th), Some(y), Some(h)) => {
                let v = *th.get_ref();
                if v < i64::from(y) || v > i64::from(h.end) {
                    self.err(
                        &th.span(),
                        format!("{base}.through"),
                        format!(
                            "{v} is outside {y} to {} (from the target's year to end_year)",
                            h.end
                        ),
                    );
                    None
                } else {
                    Some(Some(v as i32))
                }
            }
            _ => None,
        };
        let (direction, threshold) = match (&t.at_least, &t.at_most) {
            (Some(x), None) => (Direction::AtLeast, x),
            (None, Some(x)) => (Direction::AtMost, x),
            (Some(_), Some(x)) => {
                self.err(
                    &x.span(),
                    format!("{base}.at_most"),
                    "give either at_least or at_most, not both",
                );
                return None;
            }
            (None, None) => {
                self.missing(
                    span,
                    &format!("{base}.at_least"),
                    "a threshold: at_least = X or at_most = X",
                );
                return None;
            }
        };
        let key = format!("{base}.{}", direction.keyword());
        let v = *threshold.get_ref();
        if !v.is_finite() {
            self.err(&threshold.span(), key, "expected a finite number");
            return None;
        }
        if metric.is_some_and(|m| m.is_share()) && !(0.0..=1.0).contains(&v) {
            let hint = if (1.0..=100.0).contains(&v) {
                format!("; for {v}% write {}", v / 100.0)
            } else {
                String::new()
            };
            self.err(
                &threshold.span(),
                key,
                format!("{v} is not a share; expected a fraction from 0 to 1{hint}"),
            );
            return None;
        }
        Some(Target {
            name: name?,
            metric: metric?,
            year: year?,
            through: through?,
            direction,
            threshold: v,
        })
    }

    /// Resolves a metric name written at `at`; reports an unknown one with a suggestion.
    pub(super) fn metric(
        &mut self,
        name: &str,
        at: &Range<usize>,
        key: String,
        levels: &[String],
    ) -> Option<Metric> {
        let found = Metric::parse(name, levels);
        if found.is_some_and(|m| m.is_age() && !self.aged) {
            self.err(
                at,
                key,
                format!(
                    "the metric `{name}` needs an [ages] table; add one, or name another metric"
                ),
            );
            return None;
        }
        if found.is_none() {
            let names: Vec<String> = Metric::list(levels.len(), self.aged)
                .iter()
                .map(|x| x.name(levels))
                .collect();
            let mut msg = format!("unknown metric `{name}`; expected {}", one_of(&names));
            if let Some(g) = suggest(name, names.iter().map(String::as_str)) {
                msg.push_str(&format!(" (did you mean `{g}`?)"));
            }
            self.err(at, key, msg);
        }
        found
    }

    /// Checks one parameter: a number, a distribution table or (if `allow_schedule`) a
    /// `by_year` schedule.
    fn param(
        &mut self,
        raw: &Spanned<RawParam>,
        key: &str,
        bound: Bound,
        horizon: Option<Horizon>,
        allow_schedule: bool,
    ) -> Option<Param> {
        match raw.get_ref() {
            RawParam::Number(x) => self
                .number(*x, &raw.span(), key, bound)
                .map(|x| Param::Constant(Value::Fixed(x))),
            RawParam::Table(t) if t.by_year.is_some() => {
                let by_year = t.by_year.as_ref().expect("checked");
                if !allow_schedule {
                    self.err(
                        &by_year.span(),
                        format!("{key}.by_year"),
                        "schedules do not nest; a schedule's values are numbers or distributions",
                    );
                    return None;
                }
                let mut extra = false;
                for (field, s) in table_fields(t) {
                    if field != "by_year" {
                        self.err(&s, format!("{key}.{field}"), "a schedule table holds only `by_year`; put distributions inside it, per year");
                        extra = true;
                    }
                }
                self.schedule(by_year, key, bound, horizon)
                    .filter(|_| !extra)
            }
            RawParam::Table(t) => self.dist(t, &raw.span(), key, bound).map(Param::Constant),
        }
    }

    fn number(&mut self, x: f64, span: &Range<usize>, key: &str, bound: Bound) -> Option<f64> {
        if bound.admits(x) && (bound == Bound::Rate || x <= MAX_PEOPLE) {
            return Some(x);
        }
        let expected = match bound {
            Bound::Rate => "a yearly rate from 0 to 1 (e.g. 0.05 for 5%)".to_string(),
            Bound::Amount => format!("a number of people per year from 0 to {MAX_PEOPLE:e}"),
        };
        self.err(
            span,
            key,
            format!("{} is out of range; expected {expected}", num(x)),
        );
        None
    }

    fn schedule(
        &mut self,
        by_year: &Spanned<BTreeMap<Key, Spanned<RawParam>>>,
        key: &str,
        bound: Bound,
        horizon: Option<Horizon>,
    ) -> Option<Param> {
        if by_year.get_ref().is_empty() {
            self.err(
                &by_year.span(),
                format!("{key}.by_year"),
                "expected at least one year, e.g. by_year = { 2024 = 0.12, 2026 = 0.06 }",
            );
            return None;
        }
        let mut entries = Vec::new();
        let mut ok = true;
        for (y, v) in by_year.get_ref() {
            let ykey = format!("{key}.by_year.{}", y.get_ref());
            let year = match y.get_ref().parse::<i32>() {
                Ok(year) => match horizon {
                    Some(h) if year < h.start || year > h.end => {
                        self.err(
                            &y.span(),
                            ykey.clone(),
                            format!(
                                "{year} is outside the scenario's years {} to {}",
                                h.start, h.end
                            ),
                        );
                        None
                    }
                    _ => Some(year),
                },
                Err(_) => {
                    self.err(
                        &y.span(),
                        ykey.clone(),
                        "expected a year such as 2026 as the key",
                    );
                    None
                }
            };
            let value = self.param(v, &ykey, bound, horizon, false);
            match (year, value) {
                (Some(year), Some(Param::Constant(value))) => entries.push((year, value)),
                _ => ok = false,
            }
        }
        entries.sort_by_key(|(y, _)| *y);
        ok.then_some(Param::Schedule(entries))
    }

    fn dist(
        &mut self,
        t: &RawParamTable,
        span: &Range<usize>,
        key: &str,
        bound: Bound,
    ) -> Option<Value> {
        let Some(dist) = &t.dist else {
            let expected =
                "`dist` (one of normal, lognormal, beta, uniform, triangular, pert) or `by_year`";
            self.missing(span, &format!("{key}.dist"), expected);
            return None;
        };
        let name = dist.get_ref().as_str();
        let dkey = format!("{key}.dist");
        let wanted: &[&str] = match name {
            "normal" | "lognormal" | "beta" => &["mean", "sd"],
            "uniform" => &["min", "max"],
            "triangular" | "pert" => &["min", "mode", "max"],
            _ => {
                let mut msg = format!("unknown distribution `{name}`; expected {}", one_of(&DISTS));
                if let Some(g) = suggest(name, DISTS) {
                    msg.push_str(&format!(" (did you mean `{g}`?)"));
                }
                self.err(&dist.span(), dkey, msg);
                return None;
            }
        };
        if name == "beta" && bound == Bound::Amount {
            self.err(&dist.span(), dkey, "beta is for rates in [0, 1]; for a number of people use lognormal, normal, pert, triangular or uniform");
            return None;
        }
        let mut ok = true;
        let fields = table_fields(t);
        for (field, s) in &fields {
            if !wanted.contains(field) && *field != "dist" && *field != "vary" {
                self.err(
                    s,
                    format!("{key}.{field}"),
                    format!(
                        "`{field}` is not a parameter of the {name} distribution, which takes {}",
                        all_of(wanted)
                    ),
                );
                ok = false;
            }
        }
        let get = |f: &str| -> Option<(f64, Range<usize>)> {
            let v = match f {
                "mean" => &t.mean,
                "sd" => &t.sd,
                "min" => &t.min,
                "mode" => &t.mode,
                _ => &t.max,
            };
            v.as_ref().map(|v| (*v.get_ref(), v.span()))
        };
        let mut vals = Vec::new();
        for f in wanted {
            match get(f) {
                Some((x, s)) if !x.is_finite() => {
                    self.err(&s, format!("{key}.{f}"), "expected a finite number");
                    ok = false;
                }
                Some((x, _)) => vals.push(x),
                None => {
                    self.err(
                        span,
                        format!("{key}.{f}"),
                        format!("missing; the {name} distribution needs {}", all_of(wanted)),
                    );
                    ok = false;
                }
            }
        }
        let vary = match &t.vary {
            None => Vary::Run,
            Some(v) if v.get_ref() == "yearly" => Vary::Yearly,
            Some(v) if v.get_ref() == "run" => Vary::Run,
            Some(v) => {
                self.err(&v.span(), format!("{key}.vary"), format!("unknown value `{}`; expected \"yearly\" (drawn every year) or \"run\" (once per run, the default)", v.get_ref()));
                return None;
            }
        };
        if !ok {
            return None;
        }
        if bound == Bound::Amount {
            // Bounded draws keep every stock, sum and square of a run finite.
            for f in wanted {
                if let Some((x, s)) = get(f).filter(|(x, _)| *x > MAX_PEOPLE) {
                    self.err(
                        &s,
                        format!("{key}.{f}"),
                        format!(
                            "{} is too large; expected at most {MAX_PEOPLE:e} people per year",
                            num(x)
                        ),
                    );
                    ok = false;
                }
            }
            if !ok {
                return None;
            }
        }
        let upper = bound.upper();
        let range = match bound {
            Bound::Rate => "0 to 1",
            Bound::Amount => "0 or more",
        };
        let fail = |c: &mut Self, f: &str, msg: String| {
            let s = get(f).map_or(span.clone(), |(_, s)| s);
            c.err(&s, format!("{key}.{f}"), msg);
            None
        };
        let d = match name {
            "normal" | "lognormal" | "beta" => {
                let (mean, sd) = (vals[0], vals[1]);
                if sd < 0.0 {
                    return fail(
                        self,
                        "sd",
                        format!("{sd}: a standard deviation cannot be negative"),
                    );
                }
                match name {
                    "normal" => {
                        if !(0.0..=upper).contains(&mean) {
                            return fail(
                                self,
                                "mean",
                                format!("{mean} is outside the valid range ({range})"),
                            );
                        }
                        if bound == Bound::Rate && sd > 1.0 {
                            return fail(
                                self,
                                "sd",
                                format!("{sd} is too wide for a rate; expected at most 1"),
                            );
                        }
                        Dist::Normal { mean, sd }
                    }
                    "lognormal" => {
                        if mean <= 0.0 || mean > upper {
                            let valid = if bound == Bound::Rate {
                                "above 0 and at most 1"
                            } else {
                                "above 0"
                            };
                            return fail(
                                self,
                                "mean",
                                format!("{mean}: a lognormal mean must be {valid}"),
                            );
                        }
                        if sd > MAX_LOGNORMAL_CV * mean {
                            return fail(
                                self,
                                "sd",
                                format!(
                                    "{} is more than {MAX_LOGNORMAL_CV} times the mean ({}): such a lognormal has almost all its weight at 0 and a few enormous values; expected at most {}",
                                    num(sd),
                                    num(mean),
                                    num(MAX_LOGNORMAL_CV * mean)
                                ),
                            );
                        }
                        Dist::LogNormal { mean, sd }
                    }
                    _ => {
                        if mean <= 0.0 || mean >= 1.0 {
                            return fail(
                                self,
                                "mean",
                                format!("{mean}: a beta mean must be strictly between 0 and 1"),
                            );
                        }
                        if sd == 0.0 || sd * sd >= mean * (1.0 - mean) {
                            let limit = (mean * (1.0 - mean)).sqrt();
                            return fail(
                                self,
                                "sd",
                                format!("{sd}: a beta with mean {mean} needs 0 < sd < {limit:.4}"),
                            );
                        }
                        Dist::Beta { mean, sd }
                    }
                }
            }
            "uniform" => {
                let (min, max) = (vals[0], vals[1]);
                if min >= max {
                    return fail(self, "max", format!("{max} must be above min ({min}); for a fixed value write a plain number"));
                }
                if min < 0.0 || max > upper {
                    return fail(
                        self,
                        if min < 0.0 { "min" } else { "max" },
                        format!("the range [{min}, {max}] leaves the valid range ({range})"),
                    );
                }
                Dist::Uniform { min, max }
            }
            _ => {
                let (min, mode, max) = (vals[0], vals[1], vals[2]);
                if min >= max {
                    return fail(self, "max", format!("{max} must be above min ({min}); for a fixed value write a plain number"));
                }
                if mode < min || mode > max {
                    return fail(
                        self,
                        "mode",
                        format!("{mode} must lie between min ({min}) and max ({max})"),
                    );
                }
                if min < 0.0 || max > upper {
                    return fail(
                        self,
                        if min < 0.0 { "min" } else { "max" },
                        format!("the range [{min}, {max}] leaves the valid range ({range})"),
                    );
                }
                if name == "pert" {
                    Dist::Pert { min, mode, max }
                } else {
                    Dist::Triangular { min, mode, max }
                }
            }
        };
        if bound == Bound::Amount && d.central() > MAX_PEOPLE {
            self.err(
                span,
                key,
                format!(
                    "a central value of {} people per year is too large; at most {MAX_PEOPLE:e}",
                    d.central()
                ),
            );
            return None;
        }
        Some(Value::Random(d, vary))
    }

    /// Checks that the central rates out of each level sum to at most 1 in every year.
    fn outflows(
        &mut self,
        levels: &[String],
        attrition: &[Param],
        spans: &[Range<usize>],
        moves: &[Move],
        h: Horizon,
    ) {
        for (l, name) in levels.iter().enumerate() {
            for year in h.start + 1..=h.end {
                let w = attrition[l].central_in(year);
                let out: f64 = moves
                    .iter()
                    .filter(|m| m.from == l)
                    .map(|m| m.rate.central_in(year))
                    .sum();
                if w + out > 1.0 + OUTFLOW_TOLERANCE {
                    self.err(
                        &spans[l],
                        format!("attrition.{name}"),
                        format!(
                            "in {year} the central rates out of `{name}` sum to {:.6} (attrition {w} + upgrades and transitions {out}); expected at most 1",
                            w + out
                        ),
                    );
                    break;
                }
            }
        }
    }
}

/// Lists the keys present in a parameter table, with their spans.
fn table_fields(t: &RawParamTable) -> Vec<(&'static str, Range<usize>)> {
    let mut v = Vec::new();
    if let Some(s) = &t.dist {
        v.push(("dist", s.span()));
    }
    for (name, f) in [
        ("mean", &t.mean),
        ("sd", &t.sd),
        ("min", &t.min),
        ("mode", &t.mode),
        ("max", &t.max),
    ] {
        if let Some(s) = f {
            v.push((name, s.span()));
        }
    }
    if let Some(s) = &t.vary {
        v.push(("vary", s.span()));
    }
    if let Some(s) = &t.by_year {
        v.push(("by_year", s.span()));
    }
    v
}

/// Formats a number for a message: plainly, or in exponent form when it is very large or
/// very small.
pub(super) fn num(x: f64) -> String {
    if x.is_finite() && (x.abs() >= 1e15 || (x != 0.0 && x.abs() < 1e-9)) {
        format!("{x:e}")
    } else {
        x.to_string()
    }
}

/// Formats a list of names as "`a`, `b` and `c`".
fn all_of(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    match quoted.len() {
        0 | 1 => quoted.concat(),
        n => format!("{} and {}", quoted[..n - 1].join(", "), quoted[n - 1]),
    }
}

/// Rewrites a TOML parser or serde message in the user's words: TOML type names instead
/// of Rust's, the key of a duplicate, a hint for Chinese bare keys.
fn plain_words(message: &str, key: &str, text: &str, offset: usize) -> String {
    if message == "duplicate key" {
        let name = key.rsplit('.').next().unwrap_or(key);
        let name = name.split('[').next().unwrap_or(name);
        let start = text
            .get(..offset)
            .and_then(|t| t.rfind('\n'))
            .map_or(0, |i| i + 1);
        let line = text.get(start..).unwrap_or("").trim_start();
        let hint = if line.starts_with("[[") {
            format!(" (a list of tables repeats `[[{name}]]` before each item)")
        } else {
            String::new()
        };
        return format!("`{name}` is defined twice; a key or table may appear only once{hint}");
    }
    let mut m = message
        .replace("invalid type: ", "wrong type: ")
        .replace("expected f64", "expected a number")
        .replace("expected i64", "expected a whole number")
        .replace("expected a map", "expected a table")
        .replace(
            "expected a sequence",
            "expected an array such as [\"a\", \"b\"]",
        )
        .replace("floating point `", "decimal number `");
    if let Some(stripped) = m.strip_suffix(", expected nothing") {
        m = stripped.to_string();
    }
    if m.starts_with("invalid unquoted key") {
        // A bare key is ASCII only; level names in Chinese are common keys.
        m.push_str("; quote a key with other characters, e.g. \"高级工\" = 110500");
    }
    m
}

/// Returns ` (for 7% write 0.07)` when a number outside [0, 1] reads as a percentage.
pub(crate) fn percent_hint(x: f64) -> String {
    if x > 1.0 && x <= 100.0 {
        format!(" (a share is a fraction: for {x}% write {})", x / 100.0)
    } else {
        String::new()
    }
}

/// Explains the common ways a value goes wrong on the line holding `offset`, in words a
/// user can act on: a percentage (`7%` or `"32%"`), a thousands separator (`52,000`), or
/// full-width punctuation typed with a Chinese input method (`，`, `＝`, `“`).
fn value_hint(text: &str, offset: usize) -> Option<String> {
    let offset = offset.min(text.len());
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let line = text[start..end].split('#').next().unwrap_or("");
    const FULL_WIDTH: [(char, &str); 9] = [
        ('，', ","),
        ('＝', "="),
        ('：', ":"),
        ('“', "\""),
        ('”', "\""),
        ('［', "["),
        ('］', "]"),
        ('｛', "{"),
        ('｝', "}"),
    ];
    if let Some((c, ascii)) = FULL_WIDTH.iter().find(|(c, _)| line.contains(*c)) {
        return Some(format!(
            "the line has a full-width `{c}` (typed with a Chinese input method); write the ASCII `{ascii}`"
        ));
    }
    let value = line.split_once('=')?.1.trim().trim_matches('"').trim();
    if let Some(number) = value.strip_suffix('%') {
        if let Ok(x) = number.trim().parse::<f64>() {
            return Some(format!(
                "a rate or share is a fraction, not a percentage: for {number}% write {}",
                x / 100.0
            ));
        }
    }
    let digits: String = value.chars().filter(|c| *c != ',').collect();
    if value.contains(',')
        && value
            .split(',')
            .skip(1)
            .all(|g| g.len() == 3 && g.chars().all(|c| c.is_ascii_digit()))
        && digits.parse::<f64>().is_ok()
    {
        return Some(format!(
            "write numbers without thousands separators: {digits}"
        ));
    }
    None
}

/// Reads the key path at `offset` off the text of a file that does not parse: the
/// nearest table header above (`[[inflow]]` counted as `inflow[N]`) and the key of the
/// offending line.
fn syntax_key_path(text: &str, offset: usize) -> String {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = text[line_start..].lines().next().unwrap_or("").trim();
    let header = |l: &str| -> Option<(String, bool)> {
        if let Some(rest) = l.strip_prefix("[[") {
            Some((rest.split("]]").next()?.trim().to_string(), true))
        } else {
            let rest = l.strip_prefix('[')?;
            Some((rest.split(']').next()?.trim().to_string(), false))
        }
    };
    let mut table = String::new();
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for l in text[..line_start].lines() {
        if let Some((name, array)) = header(l.trim()) {
            table = if array {
                let n = counts.entry(name.clone()).or_default();
                *n += 1;
                format!("{name}[{n}]")
            } else {
                name
            };
        }
    }
    if let Some((name, _)) = header(line) {
        return name;
    }
    let key = line
        .split_once('=')
        .map(|(k, _)| k.trim().trim_matches('"').to_string())
        .filter(|k| !k.is_empty() && !k.starts_with('#'));
    match (table.is_empty(), key) {
        (_, None) => table,
        (true, Some(k)) => k,
        (false, Some(k)) => format!("{table}.{k}"),
    }
}

/// Keys of each table of the scenario file, in the order of `raw.rs` (and of messages).
const TOP_KEYS: &[&str] = &[
    "name",
    "title",
    "start_year",
    "end_year",
    "levels",
    "high_skill_from",
    "initial",
    "attrition",
    "upgrade",
    "transition",
    "inflow",
    "monte_carlo",
    "target",
    "observation",
    "calibration",
    "ages",
];
const TRANSITION_KEYS: &[&str] = &["from", "to", "rate"];
const INFLOW_KEYS: &[&str] = &[
    "name",
    "per_year",
    "split",
    "first_year",
    "last_year",
    "growth",
    "from",
    "age",
    "groups",
];
const MONTE_CARLO_KEYS: &[&str] = &["runs", "seed", "process_noise"];
const TARGET_KEYS: &[&str] = &["name", "metric", "year", "at_least", "at_most", "through"];
const PARAM_KEYS: &[&str] = &[
    "dist", "mean", "sd", "min", "mode", "max", "vary", "by_year",
];

/// Finds every unknown key of a parsed document, at every nesting level, with
/// "did you mean" suggestions.
fn unknown_keys(doc: &toml_edit::Document<&str>, pos: &Positions) -> Vec<Diagnostic> {
    use toml_edit::{Item, TableLike};

    fn tables(item: &Item) -> Vec<&dyn TableLike> {
        match item {
            Item::ArrayOfTables(a) => a.iter().map(|t| t as &dyn TableLike).collect(),
            Item::Value(toml_edit::Value::Array(a)) => a
                .iter()
                .filter_map(|v| v.as_inline_table())
                .map(|t| t as &dyn TableLike)
                .collect(),
            _ => Vec::new(),
        }
    }
    fn fields(
        t: &dyn TableLike,
        path: &str,
        known: &[&str],
        pos: &Positions,
        out: &mut Vec<Diagnostic>,
    ) {
        for (k, _) in t.iter() {
            if known.contains(&k) {
                continue;
            }
            let (line, column) = t
                .key(k)
                .and_then(|key| key.span())
                .map_or((0, 0), |s| pos.at(s.start));
            let mut message = format!("unknown key `{k}`; expected {}", one_of(known));
            if let Some(s) = suggest(k, known.iter().copied()) {
                message.push_str(&format!(" (did you mean `{s}`?)"));
            }
            let key = if path.is_empty() {
                k.to_string()
            } else {
                format!("{path}.{k}")
            };
            out.push(Diagnostic {
                line,
                column,
                key,
                message,
            });
        }
    }
    fn param(item: &Item, path: &str, pos: &Positions, out: &mut Vec<Diagnostic>) {
        let Some(t) = item.as_table_like() else {
            return;
        };
        fields(t, path, PARAM_KEYS, pos, out);
        if let Some(by_year) = t.get("by_year").and_then(Item::as_table_like) {
            for (year, v) in by_year.iter() {
                param(v, &format!("{path}.by_year.{year}"), pos, out);
            }
        }
    }

    let mut out = Vec::new();
    let top = doc.as_table();
    fields(top, "", TOP_KEYS, pos, &mut out);
    for (k, item) in top.iter() {
        match k {
            "attrition" | "upgrade" => {
                if let Some(t) = item.as_table_like() {
                    for (level, v) in t.iter() {
                        param(v, &format!("{k}.{level}"), pos, &mut out);
                    }
                }
            }
            "monte_carlo" | "calibration" => {
                if let Some(t) = item.as_table_like() {
                    let known = if k == "monte_carlo" {
                        MONTE_CARLO_KEYS
                    } else {
                        CALIBRATION_KEYS
                    };
                    fields(t, k, known, pos, &mut out);
                }
            }
            "ages" => {
                if let Some(t) = item.as_table_like() {
                    fields(t, k, AGES_KEYS, pos, &mut out);
                    if let Some(by) = t.get("by_level").and_then(Item::as_table_like) {
                        for (level, v) in by.iter() {
                            if let Some(o) = v.as_table_like() {
                                let path = format!("ages.by_level.{level}");
                                fields(o, &path, OVERRIDE_KEYS, pos, &mut out);
                            }
                        }
                    }
                }
            }
            "transition" | "inflow" | "target" | "observation" => {
                let known = match k {
                    "transition" => TRANSITION_KEYS,
                    "inflow" => INFLOW_KEYS,
                    "target" => TARGET_KEYS,
                    _ => OBSERVATION_KEYS,
                };
                for (i, t) in tables(item).into_iter().enumerate() {
                    let base = format!("{k}[{}]", i + 1);
                    fields(t, &base, known, pos, &mut out);
                    for p in ["rate", "per_year"] {
                        if let Some(v) = t.get(p).filter(|_| k == "transition" || k == "inflow") {
                            param(v, &format!("{base}.{p}"), pos, &mut out);
                        }
                    }
                }
            }
            _ => {}
        }
    }
    out
}
