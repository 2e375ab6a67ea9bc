//! Charts and reports of the analysis commands: `tornado`, `sobol` and
//! `sobol_over_time` for `sensitivity`; `solve` and `earliest_year` for `solve`; `sweep`
//! (a heatmap for two levers, a curve for one) for `sweep`; `compare_fan_<metric>` for
//! `compare`; and each command's `report.html`.
//!
//! Everything is drawn from the result structs the commands save as `analysis.json`, so
//! `talentsim plot` can redraw them; nothing here runs the model. Lever names are shown
//! in words ("Upgrade rate, intermediate") and shortened in the middle when they do not
//! fit, never overlapping the plot.

mod compare;
mod curve;
pub mod report;
mod sobol;
mod sweep;
mod tornado;
pub mod words;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::labels::Labels;
use super::style::{self, Sizes};
use super::{prepare, render_figure, Chart, ChartConfig, ChartError, DrawResult};
use crate::analysis::compare::Comparison;
use crate::analysis::sensitivity::Sensitivity;
use crate::analysis::solve::Solve;
use crate::analysis::sweep::Sweep;
use crate::format;
pub use words::Words;

/// What every analysis chart gets besides its data.
pub(crate) struct Fx {
    /// The run's words (metrics, levels, conditions).
    pub labels: &'static Labels,
    /// The analysis words.
    pub words: &'static Words,
    /// Type sizes.
    pub sizes: Sizes,
    /// Source note at the bottom.
    pub footer: String,
}

impl Fx {
    fn new(config: &ChartConfig, footer: String) -> Fx {
        Fx {
            labels: config.lang.labels(),
            words: Words::of(config.lang),
            sizes: Sizes::for_size(config.width, config.height),
            footer,
        }
    }
}

/// How a quantity is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unit {
    /// A fraction written as a percentage (rates, shares, probabilities).
    Percent,
    /// People, with thousands separators.
    Count,
}

/// Returns the unit of a metric.
pub(crate) fn metric_unit(metric: &str) -> Unit {
    if metric == "high_skill_share" {
        Unit::Percent
    } else {
        Unit::Count
    }
}

/// Returns the unit of a lever: people for initial stocks and inflows' people a year,
/// a percentage for rates, shares and growth.
pub(crate) fn lever_unit(lever: &str) -> Unit {
    if lever.starts_with("initial.") || lever.ends_with(".per_year") {
        Unit::Count
    } else {
        Unit::Percent
    }
}

/// Formats one value for a sentence or a label: percentages with one decimal (two below
/// 1%), counts with separators.
pub(crate) fn value(x: f64, unit: Unit) -> String {
    match unit {
        Unit::Percent if x.abs() < 0.01 && x != 0.0 => format::percent(x, 2),
        Unit::Percent => format::percent(x, 1),
        Unit::Count => format::count(x),
    }
}

/// Formats an axis tick of an axis spanning `span`.
pub(crate) fn tick(x: f64, unit: Unit, span: f64) -> String {
    match unit {
        Unit::Percent => {
            let decimals = if span < 0.002 {
                2
            } else if span < 0.05 {
                1
            } else {
                0
            };
            format::percent(x, decimals)
        }
        Unit::Count if span < 10.0 => format::grouped(x, 1),
        Unit::Count => format::count(x),
    }
}

/// Splits a lever into its dotted parts, keeping quoted names whole (without quotes).
fn lever_parts(lever: &str) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut quoted = false;
    for c in lever.chars() {
        match c {
            '"' => quoted = !quoted,
            '.' if !quoted => parts.push(String::new()),
            _ => parts.last_mut().expect("never empty").push(c),
        }
    }
    parts
}

/// Returns a lever in words, capitalized, e.g. `Upgrade rate, intermediate` for
/// `upgrade.intermediate` and `First-time certification (people a year)` for `inflow."first-time
/// certification".per_year`; an unrecognized lever is returned as written.
pub(crate) fn lever_label(lever: &str, labels: &Labels, words: &Words) -> String {
    let text = lever_words(lever, labels, words);
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => text,
    }
}

/// Returns a lever in words, as written in the scenario's case.
fn lever_words(lever: &str, labels: &Labels, words: &Words) -> String {
    let parts = lever_parts(lever);
    let p: Vec<&str> = parts.iter().map(String::as_str).collect();
    let inflow = |name: &str| -> String {
        match name.strip_prefix("inflow[") {
            Some(rest) => format!("inflow {}", rest.trim_end_matches(']')),
            None => name.to_string(),
        }
    };
    match p.as_slice() {
        ["attrition", level] => words
            .lever_attrition
            .replace("{level}", labels.level(level)),
        ["upgrade", level] => words.lever_upgrade.replace("{level}", labels.level(level)),
        ["initial", level] => words.lever_initial.replace("{level}", labels.level(level)),
        ["transition", from, to] => words
            .lever_transition
            .replace("{from}", labels.level(from))
            .replace("{to}", labels.level(to)),
        ["inflow", name, "per_year"] => words.lever_per_year.replace("{name}", name),
        ["inflow", name, "growth"] => words.lever_growth.replace("{name}", name),
        ["inflow", name, "split", level] => words
            .lever_split
            .replace("{name}", name)
            .replace("{level}", labels.level(level)),
        [first, "per_year"] if first.starts_with("inflow[") => {
            words.lever_per_year.replace("{name}", &inflow(first))
        }
        [first, "growth"] if first.starts_with("inflow[") => {
            words.lever_growth.replace("{name}", &inflow(first))
        }
        [first, "split", level] if first.starts_with("inflow[") => words
            .lever_split
            .replace("{name}", &inflow(first))
            .replace("{level}", labels.level(level)),
        _ => lever.to_string(),
    }
}

/// Returns `text` shortened in the middle with `...` until `measure` says it is at most
/// `max` pixels wide (the start and the end of a lever name say the most); cuts fall
/// between words where a word boundary is near.
pub(crate) fn fit(text: &str, max: u32, measure: impl Fn(&str) -> u32) -> String {
    if measure(text) <= max {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    for keep in (2..chars.len()).rev() {
        let head_n = (keep * 3).div_ceil(5);
        let tail_n = keep - head_n;
        let mut head: String = chars[..head_n].iter().collect();
        let mut tail: String = chars[chars.len() - tail_n..].iter().collect();
        if let Some(i) = head.rfind(' ').filter(|&i| i >= head.len() / 2) {
            head.truncate(i);
        }
        if let Some(i) = tail.find(' ').filter(|&i| i <= tail.len() / 2) {
            tail = tail[i + 1..].to_string();
        }
        let candidate = format!("{} ... {}", head.trim_end(), tail.trim_start());
        if measure(&candidate) <= max {
            return candidate;
        }
    }
    "...".into()
}

/// Returns a subtitle shortened to fit on one line of the chart.
pub(crate) fn fit_subtitle<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    z: &Sizes,
    text: &str,
) -> String {
    let (width, _) = root.dim_in_pixel();
    let style = super::frame::text(z.subtitle, style::MUTED);
    fit(
        text,
        width.saturating_sub(z.margin * 2),
        measurer(root, &style),
    )
}

/// Returns a closure measuring the width of a text in `style` on `root`.
pub(crate) fn measurer<'a, DB: DrawingBackend>(
    root: &'a DrawingArea<DB, Shift>,
    style: &'a TextStyle<'a>,
) -> impl Fn(&str) -> u32 + 'a {
    move |t: &str| root.estimate_text_size(t, style).map_or(u32::MAX, |s| s.0)
}

/// Returns the smallest and largest finite values, padded by `pad` of the span (or a
/// little around a single value).
pub(crate) fn padded_range(values: impl IntoIterator<Item = f64>, pad: f64) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.into_iter().filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    if hi > lo {
        let p = (hi - lo) * pad;
        (lo - p, hi + p)
    } else {
        let p = lo.abs().max(1e-3) * 0.05;
        (lo - p, hi + p)
    }
}

/// Returns a metric in words for a chart or sentence ("high-skill share"); a window
/// output (`<metric> worst <from>-<to>`) says which years.
pub(crate) fn output_label(
    output: &str,
    start_year: i32,
    labels: &Labels,
    words: &Words,
) -> String {
    match output.split_once(" worst ") {
        Some((metric, years)) => {
            let (from, to) = years.split_once('-').unwrap_or((years, years));
            words
                .worst_window
                .replace("{metric}", &labels.metric_noun(metric, start_year, false))
                .replace("{from}", from)
                .replace("{to}", to)
        }
        None => labels.metric_noun(output, start_year, false),
    }
}

/// Returns the footer of a single-scenario analysis from its template.
fn footer(template: &str, scenario: &str, runs: u64, seed: u64, version: &str) -> String {
    template
        .replace("{scenario}", scenario)
        .replace("{runs}", &format::count(runs as f64))
        .replace("{seed}", &seed.to_string())
        .replace("{version}", version)
}

/// Draws the charts of a sensitivity analysis: `tornado`, `sobol` and `sobol_over_time`.
///
/// # Errors
/// [`ChartError`] when the size is out of range, the font cannot be loaded or drawing
/// fails.
pub fn render_sensitivity(r: &Sensitivity, config: &ChartConfig) -> Result<Vec<Chart>, ChartError> {
    prepare(config)?;
    let words = Words::of(config.lang);
    // A metric's sensitivity runs no Monte Carlo: it is the expected-value projection.
    let template = if r.target.is_some() {
        words.footer
    } else {
        words.footer_expected
    };
    let fx = Fx::new(
        config,
        footer(template, &r.scenario, r.runs, r.seed, &r.version),
    );
    let mut charts = Vec::new();
    if !r.tornado.is_empty() {
        charts.push(render_figure(&tornado::Tornado { r, fx: &fx }, config)?);
    }
    if r.sobol
        .iter()
        .any(|x| x.target_year && x.total_order.is_some())
    {
        charts.push(render_figure(&sobol::Sobol { r, fx: &fx }, config)?);
    }
    if r.sobol
        .iter()
        .any(|x| x.output == r.metric && x.total_order.is_some())
    {
        charts.push(render_figure(&sobol::SobolOverTime { r, fx: &fx }, config)?);
    }
    Ok(charts)
}

/// Draws the charts of a solve: `solve` (probability by lever value, when a lever was
/// solved for) and `earliest_year`.
///
/// # Errors
/// As [`render_sensitivity`].
pub fn render_solve(r: &Solve, config: &ChartConfig) -> Result<Vec<Chart>, ChartError> {
    prepare(config)?;
    let words = Words::of(config.lang);
    let fx = Fx::new(
        config,
        footer(words.footer, &r.scenario, r.runs, r.seed, &r.version),
    );
    let mut charts = Vec::new();
    if let Some(c) = curve::solve(r, &fx) {
        charts.push(render_figure(&c, config)?);
    }
    if let Some(c) = curve::earliest(r, &fx) {
        charts.push(render_figure(&c, config)?);
    }
    Ok(charts)
}

/// Draws the chart of a sweep: `sweep`, a heatmap with the 50% and 90% contours for two
/// levers, or the probability curve for one.
///
/// # Errors
/// As [`render_sensitivity`].
pub fn render_sweep(r: &Sweep, config: &ChartConfig) -> Result<Vec<Chart>, ChartError> {
    prepare(config)?;
    let words = Words::of(config.lang);
    let fx = Fx::new(
        config,
        footer(words.footer, &r.scenario, r.runs, r.seed, &r.version),
    );
    let chart = if r.y_lever.is_some() {
        render_figure(&sweep::Heatmap { r, fx: &fx }, config)?
    } else {
        render_figure(&curve::sweep(r, &fx), config)?
    };
    Ok(vec![chart])
}

/// Draws the charts of a comparison: `compare_fan_high_skill_share` and
/// `compare_fan_total`.
///
/// # Errors
/// As [`render_sensitivity`].
pub fn render_compare(r: &Comparison, config: &ChartConfig) -> Result<Vec<Chart>, ChartError> {
    prepare(config)?;
    let words = Words::of(config.lang);
    let foot = words
        .footer_compare
        .replace("{runs}", &format::count(r.runs as f64))
        .replace("{seed}", &r.seed.to_string())
        .replace("{version}", &r.version);
    let fx = Fx::new(config, foot);
    let mut charts = Vec::new();
    for metric in ["high_skill_share", "total"] {
        if r.projection.iter().any(|p| p.row.metric == metric) {
            charts.push(render_figure(
                &compare::CompareFan { r, fx: &fx, metric },
                config,
            )?);
        }
    }
    Ok(charts)
}

/// The result of an analysis command, to draw.
#[derive(Debug, Clone, Copy)]
pub enum Analysis<'a> {
    /// `sensitivity`.
    Sensitivity(&'a Sensitivity),
    /// `solve`.
    Solve(&'a Solve),
    /// `sweep`.
    Sweep(&'a Sweep),
    /// `compare`.
    Compare(&'a Comparison),
}

/// Draws the charts of an analysis and its `report.html`.
///
/// # Errors
/// As [`render_sensitivity`].
pub fn draw(a: Analysis, config: &ChartConfig) -> Result<(Vec<Chart>, String), ChartError> {
    let lang = config.lang;
    Ok(match a {
        Analysis::Sensitivity(r) => {
            let charts = render_sensitivity(r, config)?;
            let page = report::sensitivity(r, &charts, lang);
            (charts, page)
        }
        Analysis::Solve(r) => {
            let charts = render_solve(r, config)?;
            let page = report::solve(r, &charts, lang);
            (charts, page)
        }
        Analysis::Sweep(r) => {
            let charts = render_sweep(r, config)?;
            let page = report::sweep(r, &charts, lang);
            (charts, page)
        }
        Analysis::Compare(r) => {
            let charts = render_compare(r, config)?;
            let page = report::compare(r, &charts, lang);
            (charts, page)
        }
    })
}

/// Draws a lever's name (and an optional second, muted line) right-aligned and centred
/// vertically on `(x, y)`.
pub(crate) fn draw_row_label<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    z: &Sizes,
    (x, y): (i32, i32),
    name: &str,
    second: Option<&str>,
) -> DrawResult<()> {
    use plotters::style::text_anchor::{HPos, Pos, VPos};
    let main = super::frame::text(z.tick, style::INK).pos(Pos::new(HPos::Right, VPos::Center));
    match second {
        Some(second) => {
            let muted =
                super::frame::text(z.note, style::MUTED).pos(Pos::new(HPos::Right, VPos::Center));
            let half = (z.tick * 0.6) as i32;
            root.draw_text(name, &main, (x, y - half))?;
            root.draw_text(second, &muted, (x, y + half))?;
        }
        None => root.draw_text(name, &main, (x, y))?,
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::Lang;

    #[test]
    fn levers_read_as_words_in_both_languages() {
        let (en, zh) = (Lang::En.labels(), Lang::Zh.labels());
        let (we, wz) = (Words::of(Lang::En), Words::of(Lang::Zh));
        assert_eq!(
            lever_label("upgrade.intermediate", en, we),
            "Upgrade rate, intermediate"
        );
        assert_eq!(
            lever_label("upgrade.intermediate", zh, wz),
            "晋级率：中级工"
        );
        assert_eq!(
            lever_label("inflow.\"first-time certification\".per_year", en, we),
            "First-time certification (people a year)"
        );
        assert_eq!(
            lever_label("inflow.\"a.b\".split.senior", en, we),
            "A.b (share to senior)"
        );
        assert_eq!(
            lever_label("inflow[5].per_year", en, we),
            "Inflow 5 (people a year)"
        );
        assert_eq!(
            lever_label("transition.senior.junior", en, we),
            "Move, senior → junior"
        );
        assert_eq!(lever_label("odd", en, we), "Odd");
    }

    #[test]
    fn long_text_is_shortened_in_the_middle_to_fit() {
        let width = |t: &str| t.chars().count() as u32;
        assert_eq!(fit("short", 10, width), "short");
        let long = "digital programme, certification of existing workers (people a year)";
        let short = fit(long, 30, width);
        assert!(width(&short) <= 30, "{short}");
        assert!(
            short.starts_with("digital") && short.ends_with("a year)"),
            "{short}"
        );
        assert!(short.contains(" ... "), "{short}");
    }
}
