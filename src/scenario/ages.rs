//! The optional age structure of a scenario: the `[ages]` table and the entrants' ages of
//! each `[[inflow]]` (docs/ages.md; MODEL.md section 11).
//!
//! Owns the validated types ([`Ages`], [`Group`], [`Retirement`], [`Entrants`]) and their
//! rules, checked here once with located diagnostics: bands `"A-B"` (inclusive) or `"A"`
//! within `min..max` that do not overlap, shares from 0 to 1 summing to 1, known groups and
//! levels, and ages on every inflow without `from`. It never computes a retirement date
//! (that is `model::retirement`).

use std::collections::BTreeMap;
use std::ops::Range;

use toml::Spanned;

use super::diagnostic::{one_of, suggest};
use super::raw::{Key, RawAges, RawInflow, RawShares};
use super::validate::{num, Checker};

/// Tolerance on the sum of a table of shares (groups, age bands).
const SHARE_TOLERANCE: f64 = 1e-9;
/// Oldest age a scenario may name.
pub const MAX_AGE: u32 = 120;

/// Keys of the `[ages]` table, in the order of `raw.rs` (and of messages).
pub(super) const AGES_KEYS: &[&str] =
    &["min", "max", "retirement", "groups", "initial", "by_level"];
/// Keys of an `[ages.by_level.<level>]` table.
pub(super) const OVERRIDE_KEYS: &[&str] = &["groups", "initial"];

/// A retirement group: the three groups of China's statutory retirement ages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Group {
    /// Men.
    Male,
    /// Women workers (女职工, base age 50).
    FemaleWorker,
    /// Women staff or cadres (女干部, base age 55).
    FemaleStaff,
}

impl Group {
    /// Every group, in the order of the state's cells and of `ages.csv`.
    pub const ALL: [Group; 3] = [Group::Male, Group::FemaleWorker, Group::FemaleStaff];

    /// Returns the group's name as written in scenarios and outputs.
    pub fn name(self) -> &'static str {
        match self {
            Group::Male => "male",
            Group::FemaleWorker => "female_worker",
            Group::FemaleStaff => "female_staff",
        }
    }

    /// Returns the group's position in [`Group::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    fn parse(name: &str) -> Option<Group> {
        Group::ALL.into_iter().find(|g| g.name() == name)
    }
}

/// When people retire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retirement {
    /// The State Council's decision of 2024-09-13 (`"china-2025"`).
    China2025,
    /// Nobody retires before passing `max` (`"none"`, register accounting).
    None,
    /// A fixed retirement age by group, in the order of [`Group::ALL`].
    Fixed([u32; 3]),
}

/// The age structure of a scenario (`[ages]`). Ages are completed years at the end of a
/// year; every share vector is over the ages `min..=max` and sums to 1.
#[derive(Debug, Clone, PartialEq)]
pub struct Ages {
    /// Youngest age.
    pub min: u32,
    /// Oldest age; people older leave, counted as retirements. Greater than `min`.
    pub max: u32,
    /// Retirement rule.
    pub retirement: Retirement,
    /// Shares of each group in each level's initial stock, by level.
    pub groups: Vec<[f64; 3]>,
    /// Shares of each age (`min..=max`) in each level's initial stock, by level.
    pub initial: Vec<Vec<f64>>,
    /// The entrants of each inflow, in file order; `None` for a programme.
    pub entrants: Vec<Option<Entrants>>,
}

impl Ages {
    /// Returns the number of single-year ages, `max - min + 1`.
    pub fn span(&self) -> usize {
        (self.max - self.min + 1) as usize
    }
}

/// Who an inflow brings: shares of each group and of each age (`min..=max`).
#[derive(Debug, Clone, PartialEq)]
pub struct Entrants {
    /// Shares of each group, in the order of [`Group::ALL`].
    pub groups: [f64; 3],
    /// Shares of each age `min..=max`.
    pub ages: Vec<f64>,
}

/// A level's own groups and initial ages, where it has them.
type Override = (Option<[f64; 3]>, Option<Vec<f64>>);

/// Reads a band key: `"A-B"` (inclusive) or `"A"`.
fn band(text: &str) -> Option<(u32, u32)> {
    let age = |s: &str| -> Option<u32> {
        (!s.is_empty() && s.len() <= 3 && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    match text.split_once('-') {
        Some((a, b)) => Some((age(a.trim())?, age(b.trim())?)),
        None => age(text.trim()).map(|a| (a, a)),
    }
}

/// Writes a key of a user-named table so that it reads as TOML (`initial."16-24"`).
fn quoted(base: &str, key: &str) -> String {
    if !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        format!("{base}.{key}")
    } else {
        format!("{base}.\"{key}\"")
    }
}

impl Checker<'_> {
    /// Checks `[ages]` and the ages of every inflow. `Some(None)` when the scenario has no
    /// age structure (and no inflow names ages); `None` after a problem.
    pub(super) fn ages(
        &mut self,
        raw: Option<&Spanned<RawAges>>,
        inflows: &[Spanned<RawInflow>],
        levels: &[String],
    ) -> Option<Option<Ages>> {
        let Some(raw) = raw else {
            let mut ok = true;
            for (i, f) in inflows.iter().enumerate() {
                let f_ref = f.get_ref();
                for (name, v) in [("age", &f_ref.age), ("groups", &f_ref.groups)] {
                    if let Some(v) = v {
                        self.err(
                            &v.span(),
                            format!("inflow[{}].{name}", i + 1),
                            "entrants' ages and groups need an [ages] table; add one or remove this key",
                        );
                        ok = false;
                    }
                }
            }
            return ok.then_some(None);
        };
        let a = raw.get_ref();
        let span = raw.span();
        let min = self.age_limit(
            a.min.as_ref(),
            &span,
            "ages.min",
            "the youngest age, e.g. 16",
        );
        let max = self.age_limit(a.max.as_ref(), &span, "ages.max", "the oldest age, e.g. 70");
        let limits = match (min, max) {
            (Some(lo), Some(hi)) if hi > lo => Some((lo, hi)),
            (Some(lo), Some(hi)) => {
                let at = a.max.as_ref().map_or(span.clone(), |m| m.span());
                self.err(
                    &at,
                    "ages.max",
                    format!("{hi} is not above min ({lo}); expected an older age"),
                );
                None
            }
            _ => None,
        };
        let retirement = match &a.retirement {
            Some(r) => limits.and_then(|l| self.retirement(r, l)),
            None => {
                self.missing(
                    &span,
                    "ages.retirement",
                    "\"china-2025\", \"none\" or fixed ages { male = 60, female_worker = 50, female_staff = 55 }",
                );
                None
            }
        };
        let groups = match &a.groups {
            Some(g) => self.group_shares(g, "ages.groups"),
            None => {
                self.missing(
                    &span,
                    "ages.groups",
                    "the shares of each group, e.g. { male = 0.62, female_worker = 0.30, female_staff = 0.08 }",
                );
                None
            }
        };
        let initial = match (&a.initial, limits) {
            (Some(t), Some(l)) => self.age_shares(t, "ages.initial", l),
            (Some(_), None) => None,
            (None, _) => {
                self.missing(
                    &span,
                    "ages.initial",
                    "the shares of each age band, e.g. { \"16-34\" = 0.5, \"35-59\" = 0.5 }",
                );
                None
            }
        };
        let mut by_level: BTreeMap<usize, Override> = BTreeMap::new();
        let mut ok = true;
        if let Some(table) = &a.by_level {
            for (k, v) in table.get_ref() {
                let base = quoted("ages.by_level", k.get_ref());
                let Some(l) = self.level_ref(k, levels, &base) else {
                    ok = false;
                    continue;
                };
                let o = v.get_ref();
                let g = match &o.groups {
                    Some(g) => {
                        let r = self.group_shares(g, &format!("{base}.groups"));
                        ok &= r.is_some();
                        r
                    }
                    None => None,
                };
                let i = match (&o.initial, limits) {
                    (Some(t), Some(lim)) => {
                        let r = self.age_shares(t, &format!("{base}.initial"), lim);
                        ok &= r.is_some();
                        r
                    }
                    _ => None,
                };
                by_level.insert(l, (g, i));
            }
        }
        let entrants = self.entrants(inflows, limits, groups);
        let (Some((min, max)), Some(retirement), Some(groups), Some(initial), Some(entrants)) =
            (limits, retirement, groups, initial, entrants)
        else {
            return None;
        };
        if !ok {
            return None;
        }
        let level_groups = (0..levels.len())
            .map(|l| by_level.get(&l).and_then(|o| o.0).unwrap_or(groups))
            .collect();
        let level_initial = (0..levels.len())
            .map(|l| {
                by_level
                    .get(&l)
                    .and_then(|o| o.1.clone())
                    .unwrap_or_else(|| initial.clone())
            })
            .collect();
        Some(Some(Ages {
            min,
            max,
            retirement,
            groups: level_groups,
            initial: level_initial,
            entrants,
        }))
    }

    /// Checks `min` or `max`: a whole age from 0 to [`MAX_AGE`].
    fn age_limit(
        &mut self,
        raw: Option<&Spanned<i64>>,
        table: &Range<usize>,
        key: &str,
        what: &str,
    ) -> Option<u32> {
        let Some(v) = raw else {
            self.missing(table, key, what);
            return None;
        };
        let x = *v.get_ref();
        if !(0..=i64::from(MAX_AGE)).contains(&x) {
            self.err(
                &v.span(),
                key,
                format!("{x} is not an age; expected a whole number of years from 0 to {MAX_AGE}"),
            );
            return None;
        }
        Some(x as u32)
    }

    /// Checks `retirement`: a rule's name or a table of fixed ages within `min..=max`.
    fn retirement(
        &mut self,
        raw: &Spanned<toml::Value>,
        (min, max): (u32, u32),
    ) -> Option<Retirement> {
        const RULES: [&str; 2] = ["china-2025", "none"];
        let key = "ages.retirement";
        let expected = "\"china-2025\", \"none\" or fixed ages { male = 60, female_worker = 50, female_staff = 55 }";
        match raw.get_ref() {
            toml::Value::String(s) => match s.as_str() {
                "china-2025" => Some(Retirement::China2025),
                "none" => Some(Retirement::None),
                _ => {
                    let mut msg = format!("unknown retirement rule `{s}`; expected {expected}");
                    if let Some(g) = suggest(s, RULES) {
                        msg.push_str(&format!(" (did you mean `{g}`?)"));
                    }
                    self.err(&raw.span(), key, msg);
                    None
                }
            },
            toml::Value::Table(t) => {
                let mut out = [None; 3];
                let mut ok = true;
                for (k, v) in t {
                    let Some(g) = self.group_name(k, &raw.span(), &quoted(key, k)) else {
                        ok = false;
                        continue;
                    };
                    match v.as_integer() {
                        Some(x) if x >= i64::from(min) && x <= i64::from(max) => {
                            out[g.index()] = Some(x as u32);
                        }
                        _ => {
                            self.err(
                                &raw.span(),
                                quoted(key, k),
                                format!("{v} is not a retirement age; expected a whole number of years from min ({min}) to max ({max})"),
                            );
                            ok = false;
                        }
                    }
                }
                for g in Group::ALL {
                    if out[g.index()].is_none() && !t.contains_key(g.name()) {
                        self.missing(
                            &raw.span(),
                            &quoted(key, g.name()),
                            "the retirement age of every group",
                        );
                        ok = false;
                    }
                }
                match (ok, out) {
                    (true, [Some(m), Some(w), Some(s)]) => Some(Retirement::Fixed([m, w, s])),
                    _ => None,
                }
            }
            _ => {
                self.err(&raw.span(), key, format!("expected {expected}"));
                None
            }
        }
    }

    /// Resolves a group name; reports an unknown one with a suggestion.
    fn group_name(&mut self, name: &str, at: &Range<usize>, key: &str) -> Option<Group> {
        if let Some(g) = Group::parse(name) {
            return Some(g);
        }
        let names: Vec<&str> = Group::ALL.iter().map(|g| g.name()).collect();
        let mut msg = format!("unknown group `{name}`; expected {}", one_of(&names));
        if let Some(g) = suggest(name, names.iter().copied()) {
            msg.push_str(&format!(" (did you mean `{g}`?)"));
        }
        self.err(at, key, msg);
        None
    }

    /// Checks one share: a number from 0 to 1.
    fn share(&mut self, v: &Spanned<f64>, key: &str) -> Option<f64> {
        let x = *v.get_ref();
        if x.is_finite() && (0.0..=1.0).contains(&x) {
            Some(x)
        } else {
            self.err(
                &v.span(),
                key,
                format!("{} is not a share; expected a number from 0 to 1", num(x)),
            );
            None
        }
    }

    /// Checks that shares read without problems sum to 1.
    fn sums_to_one(&mut self, shares: &[f64], table: &RawShares, key: &str) -> bool {
        let sum: f64 = shares.iter().sum();
        if (sum - 1.0).abs() > SHARE_TOLERANCE {
            self.err(
                &table.span(),
                key,
                format!("the shares sum to {sum}; expected 1"),
            );
            return false;
        }
        true
    }

    /// Checks a table of group shares; an omitted group has share 0.
    fn group_shares(&mut self, table: &RawShares, key: &str) -> Option<[f64; 3]> {
        let mut out = [0.0; 3];
        let mut ok = !self.empty(table, key, "a group");
        for (k, v) in table.get_ref() {
            let at = quoted(key, k.get_ref());
            let g = self.group_name(k.get_ref(), &k.span(), &at);
            match (g, self.share(v, &at)) {
                (Some(g), Some(x)) => out[g.index()] = x,
                _ => ok = false,
            }
        }
        (ok && self.sums_to_one(&out, table, key)).then_some(out)
    }

    /// Reports an empty table of shares.
    fn empty(&mut self, table: &RawShares, key: &str, what: &str) -> bool {
        if table.get_ref().is_empty() {
            self.err(
                &table.span(),
                key,
                format!("expected at least one {what} with a share"),
            );
            return true;
        }
        false
    }

    /// Checks a table of age-band shares within `min..=max`; returns the share of each age,
    /// a band's share spread evenly over its ages.
    fn age_shares(
        &mut self,
        table: &RawShares,
        key: &str,
        (min, max): (u32, u32),
    ) -> Option<Vec<f64>> {
        let mut ok = !self.empty(table, key, "age band");
        let mut bands: Vec<(u32, u32, &Key, f64)> = Vec::new();
        for (k, v) in table.get_ref() {
            let at = quoted(key, k.get_ref());
            let Some((a, b)) = band(k.get_ref()) else {
                self.err(&k.span(), at, format!("`{}` is not an age band; expected \"A-B\" (from A to B inclusive) or \"A\", e.g. \"25-34\"", k.get_ref()));
                ok = false;
                continue;
            };
            if b < a {
                self.err(
                    &k.span(),
                    at,
                    format!(
                        "the band `{}` ends before it starts; expected \"{b}-{a}\"",
                        k.get_ref()
                    ),
                );
                ok = false;
                continue;
            }
            if a < min || b > max {
                self.err(&k.span(), at, format!("the band `{}` reaches outside the ages {min} to {max} of [ages] min and max", k.get_ref()));
                ok = false;
                continue;
            }
            match self.share(v, &at) {
                Some(x) => bands.push((a, b, k, x)),
                None => ok = false,
            }
        }
        bands.sort_by_key(|&(a, b, _, _)| (a, b));
        for pair in bands.windows(2) {
            let ((_, b0, k0, _), (a1, _, k1, _)) = (&pair[0], &pair[1]);
            if a1 <= b0 {
                self.err(
                    &k1.span(),
                    quoted(key, k1.get_ref()),
                    format!(
                        "the band `{}` overlaps `{}`; each age may be in one band only",
                        k1.get_ref(),
                        k0.get_ref()
                    ),
                );
                ok = false;
            }
        }
        if !ok {
            return None;
        }
        let shares: Vec<f64> = bands.iter().map(|b| b.3).collect();
        if !self.sums_to_one(&shares, table, key) {
            return None;
        }
        let mut out = vec![0.0; (max - min + 1) as usize];
        for (a, b, _, x) in bands {
            let each = x / f64::from(b - a + 1);
            for age in a..=b {
                out[(age - min) as usize] = each;
            }
        }
        Some(out)
    }

    /// Checks the `age` and `groups` of every inflow: required (`age`) on an inflow without
    /// `from`, refused on a programme, whose people keep their ages.
    fn entrants(
        &mut self,
        inflows: &[Spanned<RawInflow>],
        limits: Option<(u32, u32)>,
        groups: Option<[f64; 3]>,
    ) -> Option<Vec<Option<Entrants>>> {
        let mut out = Vec::new();
        let mut ok = true;
        for (i, f) in inflows.iter().enumerate() {
            let base = format!("inflow[{}]", i + 1);
            let r = f.get_ref();
            if r.from.is_some() {
                for (name, v) in [("age", &r.age), ("groups", &r.groups)] {
                    if let Some(v) = v {
                        self.err(
                            &v.span(),
                            format!("{base}.{name}"),
                            "a programme's people keep their ages and groups; remove this key",
                        );
                        ok = false;
                    }
                }
                out.push(None);
                continue;
            }
            let g = match &r.groups {
                Some(t) => self.group_shares(t, &format!("{base}.groups")),
                None => groups,
            };
            let a = match (&r.age, limits) {
                (Some(t), Some(l)) => self.age_shares(t, &format!("{base}.age"), l),
                (Some(_), None) => None,
                (None, _) => {
                    self.missing(
                        &f.span(),
                        &format!("{base}.age"),
                        "the entrants' ages when the scenario has [ages], e.g. age = { \"18-22\" = 0.8, \"23-30\" = 0.2 }",
                    );
                    None
                }
            };
            match (g, a) {
                (Some(groups), Some(ages)) => out.push(Some(Entrants { groups, ages })),
                _ => ok = false,
            }
        }
        ok.then_some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base(ages: &str, inflow_age: &str) -> String {
        format!(
            "start_year = 2024\nend_year = 2026\nlevels = [\"a\", \"b\"]\nhigh_skill_from = \"b\"\n\
             [initial]\na = 100\nb = 10\n[attrition]\na = 0.1\nb = 0.1\n[upgrade]\na = 0.1\n\
             {ages}\n[[inflow]]\nname = \"school\"\nper_year = 10\nsplit = {{ a = 1.0 }}\n{inflow_age}\n\
             [[inflow]]\nname = \"course\"\nper_year = 5\nsplit = {{ b = 1.0 }}\nfrom = \"a\"\n"
        )
    }

    const AGES: &str = "[ages]\nmin = 16\nmax = 70\nretirement = { male = 60, female_worker = 50, female_staff = 55 }\n\
                        groups = { male = 0.5, female_worker = 0.5 }\ninitial = { \"16-25\" = 0.5, \"40\" = 0.5 }\n\
                        [ages.by_level.b]\ninitial = { \"30-39\" = 1.0 }\n";

    #[test]
    fn bands_are_a_to_b_inclusive_or_one_age() {
        assert_eq!(band("16-24"), Some((16, 24)));
        assert_eq!(band("40"), Some((40, 40)));
        assert_eq!(band("16 to 24"), None);
        assert_eq!(band("-3"), None);
        assert_eq!(band("1000"), None);
    }

    #[test]
    fn ages_are_read_per_level_with_overrides_and_entrants() {
        let text = base(AGES, "age = { \"18-19\" = 1.0 }\ngroups = { male = 1.0 }");
        let s = crate::scenario::parse_bytes("t.toml", text.as_bytes(), "t").unwrap();
        let a = s.ages.unwrap();
        assert_eq!((a.min, a.max, a.span()), (16, 70, 55));
        assert_eq!(a.retirement, Retirement::Fixed([60, 50, 55]));
        assert_eq!(a.groups, vec![[0.5, 0.5, 0.0]; 2]);
        assert_eq!(a.initial[0][0], 0.05);
        assert_eq!(a.initial[0][24], 0.5);
        assert_eq!(a.initial[1][14], 0.1);
        assert!((a.initial[1].iter().sum::<f64>() - 1.0).abs() < 1e-12);
        let e = a.entrants[0].as_ref().unwrap();
        assert_eq!(e.groups, [1.0, 0.0, 0.0]);
        assert_eq!((e.ages[2], e.ages[3]), (0.5, 0.5));
        assert_eq!(a.entrants[1], None);
        // Entrants' groups default to the [ages] groups.
        let text = base(AGES, "age = { \"18\" = 1.0 }");
        let s = crate::scenario::parse_bytes("t.toml", text.as_bytes(), "t").unwrap();
        assert_eq!(
            s.ages.unwrap().entrants[0].as_ref().unwrap().groups,
            [0.5, 0.5, 0.0]
        );
        // The age metrics exist only with [ages].
        assert_eq!(s_metrics(&base(AGES, "age = { \"18\" = 1.0 }")), 2 + 5 + 4);
        assert_eq!(s_metrics(&base("", "")), 2 + 5);
    }

    fn s_metrics(text: &str) -> usize {
        crate::scenario::parse_bytes("t.toml", text.as_bytes(), "t")
            .unwrap()
            .metrics()
            .len()
    }

    #[test]
    fn shares_sum_to_one_within_1e_9() {
        let ok = AGES.replace("\"40\" = 0.5", "\"40\" = 0.5000000001");
        let bad = AGES.replace("\"40\" = 0.5", "\"40\" = 0.500000002");
        let parse = |a: &str| {
            crate::scenario::parse_bytes(
                "t.toml",
                base(a, "age = { \"18\" = 1.0 }").as_bytes(),
                "t",
            )
        };
        assert!(parse(&ok).is_ok());
        let e = parse(&bad).unwrap_err().to_string();
        assert!(e.contains("ages.initial: the shares sum to"), "{e}");
    }
}
