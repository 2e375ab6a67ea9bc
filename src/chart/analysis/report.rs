//! `report.html` of each analysis folder: a plain-language summary, the charts as inline
//! SVG, the main table and a note on the method. Self-contained like the run's report
//! (its style sheet, no scripts, fonts, images or links); built from the result struct
//! and the drawn charts only.

use std::fmt::Write as _;

use super::{lever_label, lever_unit, metric_unit, output_label, value, Unit, Words};
use crate::analysis::compare::Comparison;
use crate::analysis::sensitivity::Sensitivity;
use crate::analysis::solve::Solve;
use crate::analysis::sweep::{Sweep, CONTOUR_LEVELS};
use crate::chart::report::{escape, inline_svg, CSS};
use crate::chart::{Chart, Lang};
use crate::format;

/// A table: header cells (text, numeric?) and rows.
struct Table {
    header: Vec<(String, bool)>,
    rows: Vec<Vec<String>>,
}

/// The parts of an analysis report.
struct Page<'a> {
    lang: Lang,
    kicker: &'a str,
    title: String,
    meta: String,
    summary: Vec<String>,
    charts: &'a [Chart],
    table: Option<Table>,
    method: &'a str,
}

impl Page<'_> {
    /// Returns the HTML page.
    fn render(&self) -> String {
        let l = self.lang.labels();
        let w = Words::of(self.lang);
        let mut h = String::new();
        let _ = write!(
            h,
            "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <title>{}</title>\n<style>\n{CSS}</style>\n</head>\n<body>\n<main>\n",
            l.html_lang,
            escape(&self.title)
        );
        let _ = write!(
            h,
            "<header>\n<p class=\"kicker\">{}</p>\n<h1>{}</h1>\n<p class=\"meta\">{}</p>\n</header>\n",
            escape(self.kicker),
            escape(&self.title),
            escape(&self.meta)
        );
        let _ = write!(
            h,
            "<section id=\"summary\">\n<h2>{}</h2>\n",
            escape(w.summary)
        );
        for p in &self.summary {
            let _ = writeln!(h, "<div class=\"verdict\"><p>{}</p></div>", escape(p));
        }
        h.push_str("</section>\n");
        if !self.charts.is_empty() {
            let _ = write!(
                h,
                "<section id=\"charts\">\n<h2>{}</h2>\n",
                escape(l.charts)
            );
            for c in self.charts {
                let _ = write!(
                    h,
                    "<figure id=\"{}\">\n{}\n<figcaption>{}</figcaption>\n</figure>\n",
                    escape(&c.name),
                    inline_svg(&c.svg),
                    escape(&c.title)
                );
            }
            h.push_str("</section>\n");
        }
        if let Some(t) = &self.table {
            let _ = write!(
                h,
                "<section id=\"details\">\n<h2>{}</h2>\n<table>\n<thead><tr>",
                escape(w.details)
            );
            for (text, num) in &t.header {
                let class = if *num { " class=\"num\"" } else { "" };
                let _ = write!(h, "<th{class}>{}</th>", escape(text));
            }
            h.push_str("</tr></thead>\n<tbody>\n");
            for row in &t.rows {
                h.push_str("<tr>");
                for (i, cell) in row.iter().enumerate() {
                    let num = t.header.get(i).is_some_and(|c| c.1);
                    let class = if num { " class=\"num\"" } else { "" };
                    let _ = write!(h, "<td{class}>{}</td>", escape(cell));
                }
                h.push_str("</tr>\n");
            }
            h.push_str("</tbody>\n</table>\n</section>\n");
        }
        let _ = write!(
            h,
            "<section id=\"method\">\n<h2>{}</h2>\n<p class=\"note\">{}</p>\n<p class=\"note\">{}</p>\n</section>\n",
            escape(l.method),
            escape(self.method),
            escape(&self.meta)
        );
        h.push_str("</main>\n</body>\n</html>\n");
        h
    }
}

/// Returns the meta line of a single-scenario analysis from its template.
fn meta(template: &str, scenario: &str, runs: u64, seed: u64, version: &str) -> String {
    template
        .replace("{scenario}", scenario)
        .replace("{runs}", &format::count(runs as f64))
        .replace("{seed}", &seed.to_string())
        .replace("{version}", version)
}

/// Joins items as "a, b and c".
fn list(items: &[String], w: &Words) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{}{}{last}", init.join(w.s_list_sep), w.s_and),
    }
}

/// Formats an optional fraction as a percentage with one decimal.
fn pct(x: Option<f64>) -> String {
    x.map_or_else(|| "–".into(), |v| format::percent(v, 1))
}

/// Returns the report of a sensitivity analysis.
pub fn sensitivity(r: &Sensitivity, charts: &[Chart], lang: Lang) -> String {
    let (l, w) = (lang.labels(), Words::of(lang));
    let start = r.sobol.iter().map(|x| x.year).min().unwrap_or(r.year) - 1;
    let mut ranked: Vec<_> = r
        .sobol
        .iter()
        .filter(|x| x.target_year && x.total_order.is_some())
        .collect();
    ranked.sort_by(|a, b| {
        b.total_order
            .unwrap_or(0.0)
            .total_cmp(&a.total_order.unwrap_or(0.0))
    });
    let mut summary = Vec::new();
    if let Some(first) = ranked.first() {
        let output = output_label(&first.output, start, l, w);
        let what = if first.output.contains(" worst ") {
            output
        } else {
            w.what_in_year
                .replace("{output}", &output)
                .replace("{year}", &first.year.to_string())
        };
        let top: Vec<String> = ranked
            .iter()
            .take(3)
            .map(|x| {
                w.s_driver
                    .replace("{lever}", &lever_label(&x.lever, l, w))
                    .replace("{share}", &pct(x.total_order))
                    .replace("{low}", &pct(x.total_low))
                    .replace("{high}", &pct(x.total_high))
            })
            .collect();
        summary.push(
            w.s_drivers
                .replace("{n}", &top.len().to_string())
                .replace("{what}", &what)
                .replace("{list}", &list(&top, w)),
        );
        if let Some(sum) = r
            .variance
            .iter()
            .find(|v| v.output == first.output && v.year == first.year)
            .and_then(|v| v.sum_first_order)
            .filter(|sum| (0.0..=1.2).contains(sum))
        {
            summary.push(w.s_first_sum.replace("{sum}", &format::percent(sum, 0)));
        }
    }
    let out_unit = if r.target.is_some() {
        Unit::Percent
    } else {
        metric_unit(&r.metric)
    };
    let out = |x: Option<f64>| match x {
        Some(v) if r.target.is_some() => format::probability(v),
        Some(v) => value(v, out_unit),
        None => "–".into(),
    };
    if let Some(t) = r.tornado.first() {
        let u = lever_unit(&t.lever);
        let template = if r.target.is_some() {
            w.s_tornado
        } else {
            w.s_tornado_metric
        };
        summary.push(
            template
                .replace("{lever}", &lever_label(&t.lever, l, w))
                .replace("{low}", &value(t.param_low, u))
                .replace("{high}", &value(t.param_high, u))
                .replace("{target}", r.target.as_deref().unwrap_or_default())
                .replace("{metric}", &l.metric_noun(&r.metric, start, false))
                .replace("{year}", &r.year.to_string())
                .replace("{out_low}", &out(t.output_low))
                .replace("{out_high}", &out(t.output_high))
                .replace("{base}", &out(r.base)),
        );
    }
    if r.overflowing_points > 0 {
        summary.push(
            w.s_overflow
                .replace("{n}", &format::count(r.overflowing_points as f64))
                .replace("{total}", &format::count(r.evaluations as f64)),
        );
    }
    let rows = r
        .tornado
        .iter()
        .map(|t| {
            let u = lever_unit(&t.lever);
            let sobol = ranked.iter().find(|x| x.lever == t.lever);
            let with_ci = |v: Option<f64>, a: Option<f64>, b: Option<f64>| {
                format!("{} ({}–{})", pct(v), pct(a), pct(b))
            };
            vec![
                lever_label(&t.lever, l, w),
                value(t.param_low, u),
                value(t.param_high, u),
                out(t.output_low),
                out(t.output_high),
                sobol.map_or_else(
                    || "–".into(),
                    |x| with_ci(x.first_order, x.first_low, x.first_high),
                ),
                sobol.map_or_else(
                    || "–".into(),
                    |x| with_ci(x.total_order, x.total_low, x.total_high),
                ),
            ]
        })
        .collect();
    let header = [
        (w.col_lever, false),
        (w.col_p10, true),
        (w.col_p90, true),
        (w.col_at_p10, true),
        (w.col_at_p90, true),
        (w.col_first, true),
        (w.col_total_order, true),
    ];
    Page {
        lang,
        kicker: w.report_sensitivity,
        title: match &r.target {
            Some(t) => format!("{} · {t}", r.scenario),
            None => format!(
                "{} · {}",
                r.scenario,
                w.what_in_year
                    .replace("{output}", &l.metric_noun(&r.metric, start, false))
                    .replace("{year}", &r.year.to_string())
            ),
        },
        meta: meta(
            if r.target.is_some() {
                w.meta
            } else {
                w.meta_expected
            },
            &r.scenario,
            r.runs,
            r.seed,
            &r.version,
        ),
        summary,
        charts,
        table: Some(Table {
            header: header.iter().map(|(t, n)| (t.to_string(), *n)).collect(),
            rows,
        }),
        method: w.method_sensitivity,
    }
    .render()
}

/// Returns the report of a solve.
pub fn solve(r: &Solve, charts: &[Chart], lang: Lang) -> String {
    let (l, w) = (lang.labels(), Words::of(lang));
    let mut summary = Vec::new();
    let mut table = None;
    if let Some(s) = &r.lever {
        let u = lever_unit(&s.lever);
        let name = lever_label(&s.lever, l, w);
        let p = format::percent_exact(s.requested);
        let low = s
            .value_low
            .map_or_else(|| format!("<{}", value(s.min, u)), |x| value(x, u));
        let high = s
            .value_high
            .map_or_else(|| format!(">{}", value(s.max, u)), |x| value(x, u));
        summary.push(match s.value {
            Some(v) => w
                .s_solve
                .replace("{lever}", &name)
                .replace(
                    "{word}",
                    if s.direction == "increasing" {
                        w.at_least_word
                    } else {
                        w.at_most_word
                    },
                )
                .replace("{value}", &value(v, u))
                .replace("{target}", &r.target)
                .replace("{p}", &p)
                .replace("{low}", &low)
                .replace("{high}", &high),
            None => w
                .s_solve_none
                .replace("{lever}", &name)
                .replace("{min}", &value(s.min, u))
                .replace("{max}", &value(s.max, u))
                .replace("{target}", &r.target)
                .replace("{p}", &p)
                .replace("{at_min}", &format::probability(s.at_min.probability))
                .replace("{at_max}", &format::probability(s.at_max.probability)),
        });
        summary.push(
            w.s_solve_current
                .replace("{value}", &value(s.current_value, u))
                .replace(
                    "{p}",
                    &format::probability(s.current_probability.probability),
                ),
        );
        table = Some(Table {
            header: vec![
                (w.col_value.to_string(), true),
                (w.col_probability.to_string(), true),
                (w.col_interval.to_string(), true),
            ],
            rows: s
                .evaluations
                .iter()
                .map(|e| {
                    let q = e.probability;
                    vec![
                        value(e.value, u),
                        format::percent(q.probability, 1),
                        format!(
                            "{}–{}",
                            format::percent(q.ci_low, 1),
                            format::percent(q.ci_high, 1)
                        ),
                    ]
                })
                .collect(),
        });
    }
    let p = format::percent_exact(r.earliest.requested);
    summary.push(match r.earliest.year {
        Some(year) => w
            .s_earliest
            .replace("{p}", &p)
            .replace("{year}", &year.to_string()),
        None => w.s_earliest_none.replace("{p}", &p),
    });
    Page {
        lang,
        kicker: w.report_solve,
        title: format!("{} · {}", r.scenario, r.target),
        meta: meta(w.meta, &r.scenario, r.runs, r.seed, &r.version),
        summary,
        charts,
        table,
        method: w.method_solve,
    }
    .render()
}

/// Returns the report of a sweep.
pub fn sweep(r: &Sweep, charts: &[Chart], lang: Lang) -> String {
    let (l, w) = (lang.labels(), Words::of(lang));
    let (xu, x_name) = (lever_unit(&r.x_lever), lever_label(&r.x_lever, l, w));
    let y = r
        .y_lever
        .as_deref()
        .map(|y| (y, lever_unit(y), lever_label(y, l, w)));
    let mut point = format!("{x_name} = {}", value(r.x_current, xu));
    if let (Some((_, yu, y_name)), Some(v)) = (&y, r.y_current) {
        let _ = write!(point, "; {y_name} = {}", value(v, *yu));
    }
    let mut summary = vec![w
        .s_sweep_current
        .replace("{point}", &point)
        .replace("{p}", &format::probability(r.current.probability))];
    let mut ys: Vec<Option<f64>> = Vec::new();
    for row in &r.rows {
        if !ys.contains(&row.y) {
            ys.push(row.y);
        }
    }
    for level in CONTOUR_LEVELS {
        let mut parts = Vec::new();
        for yv in &ys {
            let xs: Vec<String> = r
                .contours
                .iter()
                .filter(|c| c.level == level && c.y == *yv)
                .map(|c| value(c.x, xu))
                .collect();
            let probabilities: Vec<f64> = r
                .rows
                .iter()
                .filter(|row| row.y == *yv)
                .filter_map(|row| row.probability)
                .collect();
            let x = if !xs.is_empty() {
                xs.join(", ")
            } else if !probabilities.is_empty() && probabilities.iter().all(|&p| p >= level) {
                w.sweep_any.to_string()
            } else {
                w.sweep_none.to_string()
            };
            parts.push(match (&y, yv) {
                (Some((_, yu, y_name)), Some(v)) => w
                    .part_when
                    .replace("{x}", &x)
                    .replace("{lever}", y_name)
                    .replace("{value}", &value(*v, *yu)),
                _ => x,
            });
        }
        summary.push(
            w.s_sweep_level
                .replace("{lever}", &x_name)
                .replace("{level}", &format::percent_exact(level))
                .replace("{parts}", &parts.join("; ")),
        );
    }
    // Grid: one row per x value, one column per y value.
    let mut xs: Vec<f64> = Vec::new();
    for row in &r.rows {
        if !xs.contains(&row.x) {
            xs.push(row.x);
        }
    }
    let mut header = vec![(
        match &y {
            Some((_, _, y_name)) => format!("{x_name} \\ {y_name}"),
            None => x_name.clone(),
        },
        false,
    )];
    for yv in &ys {
        header.push((
            match (&y, yv) {
                (Some((_, yu, _)), Some(v)) => value(*v, *yu),
                _ => w.col_probability.to_string(),
            },
            true,
        ));
    }
    let rows = xs
        .iter()
        .map(|&x| {
            let mut cells = vec![value(x, xu)];
            for yv in &ys {
                let p = r
                    .rows
                    .iter()
                    .find(|row| row.x == x && row.y == *yv)
                    .and_then(|row| row.probability);
                cells.push(p.map_or_else(|| "–".into(), |p| format::percent(p, 1)));
            }
            cells
        })
        .collect();
    Page {
        lang,
        kicker: w.report_sweep,
        title: format!("{} · {}", r.scenario, r.target),
        meta: meta(w.meta, &r.scenario, r.runs, r.seed, &r.version),
        summary,
        charts,
        table: Some(Table { header, rows }),
        method: w.method_sweep,
    }
    .render()
}

/// Formats a difference of probabilities in percentage points, with its sign.
fn points(d: f64, w: &Words) -> String {
    let x = format::grouped(d * 100.0, 1);
    let x = if d > 0.0 && x != "0.0" {
        format!("+{x}")
    } else {
        x
    };
    w.points.replace("{x}", &x)
}

/// Returns the report of a comparison.
pub fn compare(r: &Comparison, charts: &[Chart], lang: Lang) -> String {
    let w = Words::of(lang);
    let mut summary = Vec::new();
    let mut rows = Vec::new();
    let mut names: Vec<&str> = Vec::new();
    for t in &r.targets {
        if !names.contains(&t.target.as_str()) {
            names.push(&t.target);
        }
    }
    for name in names {
        let probabilities: Vec<String> = r
            .targets
            .iter()
            .filter(|t| t.target == name)
            .map(|t| {
                format!(
                    "{} {}",
                    t.scenario,
                    format::probability(t.probability.probability)
                )
            })
            .collect();
        summary.push(
            w.s_compare_target
                .replace("{target}", name)
                .replace("{probabilities}", &probabilities.join(w.s_list_sep)),
        );
        for d in r.target_differences.iter().filter(|d| d.target == name) {
            summary.push(
                w.s_compare_diff
                    .replace("{scenario}", &d.scenario)
                    .replace("{baseline}", &d.baseline)
                    .replace("{diff}", &points(d.difference, w))
                    .replace("{low}", &format::grouped(d.ci_low * 100.0, 1))
                    .replace("{high}", &format::grouped(d.ci_high * 100.0, 1)),
            );
        }
        for t in r.targets.iter().filter(|t| t.target == name) {
            let q = t.probability;
            let diff = r
                .target_differences
                .iter()
                .find(|d| d.target == name && d.scenario == t.scenario)
                .map_or_else(
                    || "–".into(),
                    |d| {
                        format!(
                            "{} ({} – {})",
                            points(d.difference, w),
                            points(d.ci_low, w),
                            points(d.ci_high, w)
                        )
                    },
                );
            rows.push(vec![
                name.to_string(),
                t.scenario.clone(),
                format::percent(q.probability, 1),
                format!(
                    "{}–{}",
                    format::percent(q.ci_low, 1),
                    format::percent(q.ci_high, 1)
                ),
                diff,
            ]);
        }
    }
    let last = r
        .projection
        .iter()
        .filter(|p| p.row.metric.is_share())
        .map(|p| p.row.year)
        .max();
    if let Some(year) = last {
        let values: Vec<String> = r
            .projection
            .iter()
            .filter(|p| p.row.metric.is_share() && p.row.year == year)
            .map(|p| format!("{} {}", p.scenario, pct(p.row.p50)))
            .collect();
        summary.push(
            w.s_compare_share
                .replace("{year}", &year.to_string())
                .replace("{values}", &values.join(w.s_list_sep)),
        );
    }
    let meta = w
        .meta_compare
        .replace("{scenarios}", &r.scenarios.join(", "))
        .replace("{runs}", &format::count(r.runs as f64))
        .replace("{seed}", &r.seed.to_string())
        .replace("{version}", &r.version);
    Page {
        lang,
        kicker: w.report_compare,
        title: r.scenarios.join(" · "),
        meta,
        summary,
        charts,
        table: (!rows.is_empty()).then(|| Table {
            header: vec![
                (w.col_target.to_string(), false),
                (w.col_scenario.to_string(), false),
                (w.col_probability.to_string(), true),
                (w.col_interval.to_string(), true),
                (w.col_difference.to_string(), true),
            ],
            rows,
        }),
        method: w.method_compare,
    }
    .render()
}
