//! `report.html` of a calibration folder, in plain words for a planner: which assumptions
//! the evidence moved and how much, how well each published figure is fitted, how
//! reliable the sampler's result is, the charts, and what calibration does and does not
//! do. Self-contained like the run's report (its style sheet, no scripts, fonts, images or
//! links; every text escaped); built from a [`CalibrationSummary`] and the drawn charts.

use std::fmt::Write as _;

use super::{fill, parameter_label, parameter_unit, unit_of, CalWords};
use crate::calibrate::{CalibrationSummary, Interval, Observed, ReadingKind};
use crate::chart::analysis::{self, value};
use crate::chart::report::{escape, inline_svg, CSS};
use crate::chart::{Chart, Lang};
use crate::format;

/// Assumptions named in the summary's sentence, the most moved first.
const NAMED: usize = 3;
/// Movement below which an assumption counts as not moved.
const MOVED: f64 = 0.1;

/// Appends a table with `header` cells (text, numeric?) and `rows` of text, all escaped.
fn table(h: &mut String, header: &[(&str, bool)], rows: &[Vec<String>]) {
    h.push_str("<table>\n<thead><tr>");
    for (text, num) in header {
        let class = if *num { " class=\"num\"" } else { "" };
        let _ = write!(h, "<th{class}>{}</th>", escape(text));
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    for row in rows {
        h.push_str("<tr>");
        for (i, cell) in row.iter().enumerate() {
            let class = if header.get(i).is_some_and(|c| c.1) {
                " class=\"num\""
            } else {
                ""
            };
            let _ = write!(h, "<td{class}>{}</td>", escape(cell));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n</table>\n");
}

/// Formats a figure's value in its metric's unit.
fn figure(x: f64, metric: &str) -> String {
    value(x, unit_of(metric))
}

/// Describes what an observation states, e.g. `14,500,000 ± 145,000 (sd)`.
fn stated(o: &Observed, w: &CalWords) -> String {
    let template = match o.kind {
        ReadingKind::Value => w.value_sd,
        ReadingKind::AtLeast => w.at_least,
        ReadingKind::AtMost => w.at_most,
    };
    template
        .replace("{value}", &figure(o.value, &o.metric))
        .replace("{sd}", &figure(o.sd, &o.metric))
}

/// Formats a predictive interval of an observation.
fn range(i: Option<Interval>, metric: &str, w: &CalWords) -> String {
    i.map_or_else(
        || w.undefined.into(),
        |i| {
            w.range
                .replace("{low}", &figure(i.p05, metric))
                .replace("{high}", &figure(i.p95, metric))
        },
    )
}

/// Returns the report page of a calibration with `charts` inlined.
pub fn render(s: &CalibrationSummary, charts: &[Chart], lang: Lang) -> String {
    let (l, aw, w) = (lang.labels(), analysis::Words::of(lang), CalWords::of(lang));
    let name = |p: &str| parameter_label(p, l, aw, w);
    let title = w.heading.replace("{scenario}", &s.scenario);
    let meta = fill(w.meta, s);
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>\n{CSS}</style>\n</head>\n<body>\n<main>\n",
        l.html_lang,
        escape(&title)
    );
    let _ = write!(
        h,
        "<header>\n<p class=\"kicker\">{}</p>\n<h1>{}</h1>\n<p class=\"meta\">{}</p>\n</header>\n",
        escape(w.kicker),
        escape(&title),
        escape(&meta)
    );

    // In brief.
    let order = s.by_movement();
    let moved: Vec<String> = (order.iter())
        .filter(|p| p.movement() >= MOVED)
        .take(NAMED)
        .map(|p| {
            let u = parameter_unit(p);
            format!(
                "{}: {}",
                name(&p.name),
                w.arrow
                    .replace("{prior}", &value(p.prior.p50, u))
                    .replace("{posterior}", &value(p.posterior.p50, u))
            )
        })
        .collect();
    let unfitted = (s.observations.iter())
        .filter(|o| o.posterior_predictive.is_none_or(|i| !o.inside(i)))
        .count();
    let mut summary = vec![w
        .s_counts
        .replace("{parameters}", &s.parameter_summaries.len().to_string())
        .replace("{observations}", &s.observations.len().to_string())];
    summary.push(if moved.is_empty() {
        w.s_none_moved.to_string()
    } else {
        w.s_moved.replace("{list}", &moved.join(w.list_sep))
    });
    summary.push(if unfitted == 0 {
        w.s_fit_all.to_string()
    } else {
        w.s_fit_some
            .replace("{n}", &unfitted.to_string())
            .replace("{total}", &s.observations.len().to_string())
    });
    summary.push(if s.warnings.is_empty() {
        w.s_no_warnings.to_string()
    } else {
        w.s_warnings.replace("{n}", &s.warnings.len().to_string())
    });
    let _ = write!(
        h,
        "<section id=\"summary\">\n<h2>{}</h2>\n",
        escape(w.summary)
    );
    for p in &summary {
        let _ = writeln!(h, "<div class=\"verdict\"><p>{}</p></div>", escape(p));
    }
    h.push_str("</section>\n");

    // Assumptions.
    let _ = write!(
        h,
        "<section id=\"assumptions\">\n<h2>{}</h2>\n<p class=\"note\">{}</p>\n",
        escape(w.moved_heading),
        escape(w.moved_note)
    );
    let rows: Vec<Vec<String>> = order
        .iter()
        .map(|p| {
            let u = parameter_unit(p);
            let both = |b: &crate::calibrate::Band| {
                format!(
                    "{} ({}–{})",
                    value(b.p50, u),
                    value(b.p05, u),
                    value(b.p95, u)
                )
            };
            let width = (p.prior.p95 - p.prior.p05).max(f64::MIN_POSITIVE);
            let shift = (p.posterior.p50 - p.prior.p50) / width;
            let ratio = (p.posterior.p95 - p.posterior.p05) / width;
            let shift = format!(
                "{}{}",
                if shift > 0.0 { "+" } else { "" },
                format::percent(shift, 0)
            );
            let change = if ratio <= 1.0 {
                w.narrower
                    .replace("{pct}", &format::percent(1.0 - ratio, 0))
            } else {
                w.wider.replace("{pct}", &format::percent(ratio - 1.0, 0))
            };
            vec![
                name(&p.name),
                both(&p.prior),
                both(&p.posterior),
                w.change
                    .replace("{shift}", &shift)
                    .replace("{width}", &change),
            ]
        })
        .collect();
    table(
        &mut h,
        &[
            (w.col_assumption, false),
            (w.col_prior, true),
            (w.col_posterior, true),
            (w.col_change, false),
        ],
        &rows,
    );
    h.push_str("</section>\n");

    // Fit.
    let _ = write!(
        h,
        "<section id=\"fit\">\n<h2>{}</h2>\n<p class=\"note\">{}</p>\n",
        escape(w.fit_heading),
        escape(w.fit_note)
    );
    let rows: Vec<Vec<String>> = (s.observations.iter())
        .map(|o| {
            let fitted = o.posterior_predictive.is_some_and(|i| o.inside(i));
            vec![
                l.metric_noun(&o.metric, s.start_year, true),
                o.date.clone(),
                stated(o, w),
                range(o.prior_predictive, &o.metric, w),
                range(o.posterior_predictive, &o.metric, w),
                (if fitted { w.inside } else { w.outside }).to_string(),
                o.source.clone().unwrap_or_default(),
            ]
        })
        .collect();
    table(
        &mut h,
        &[
            (w.col_metric, false),
            (w.col_date, false),
            (w.col_figure, true),
            (w.col_prior_pred, true),
            (w.col_post_pred, true),
            (w.col_verdict, false),
            (w.col_source, false),
        ],
        &rows,
    );
    h.push_str("</section>\n");

    // Charts.
    if !charts.is_empty() {
        let _ = write!(
            h,
            "<section id=\"charts\">\n<h2>{}</h2>\n",
            escape(l.charts)
        );
        for c in charts {
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

    // Diagnostics.
    let count = |x: f64| format::count(x);
    let converged = if s.converged {
        w.d_converged
    } else {
        w.d_not_converged
    };
    let ess = if s.effective_sample_size >= 200.0 {
        w.d_ess_good
    } else {
        w.d_ess_low
    };
    let diagnostics = [
        converged
            .replace("{iterations}", &s.iterations.to_string())
            .replace("{evaluations}", &count(s.evaluations as f64))
            .replace("{draws}", &count(s.draws as f64))
            .replace("{unique}", &count(s.expected_unique))
            .replace("{target}", &count(s.target_unique)),
        ess.replace("{ess}", &count(s.effective_sample_size))
            .replace("{weight}", &format::percent(s.max_weight, 1)),
    ];
    let _ = write!(
        h,
        "<section id=\"diagnostics\">\n<h2>{}</h2>\n",
        escape(w.diagnostics_heading)
    );
    for p in &diagnostics {
        let _ = writeln!(h, "<p>{}</p>", escape(p));
    }
    if !s.warnings.is_empty() {
        let _ = write!(h, "<h3>{}</h3>\n<ul>\n", escape(w.warnings_heading));
        for x in &s.warnings {
            let _ = writeln!(h, "<li>{}</li>", escape(x));
        }
        h.push_str("</ul>\n");
    }
    h.push_str("</section>\n");

    // Limits and method.
    let _ = write!(
        h,
        "<section id=\"limits\">\n<h2>{}</h2>\n",
        escape(w.limits_heading)
    );
    for p in w.limits {
        let _ = writeln!(h, "<p>{}</p>", escape(p));
    }
    h.push_str("</section>\n");
    let _ = write!(
        h,
        "<section id=\"method\">\n<h2>{}</h2>\n<p class=\"note\">{}</p>\n<p class=\"note\">{}</p>\n</section>\n",
        escape(l.method),
        escape(w.method),
        escape(&meta)
    );
    h.push_str("</main>\n</body>\n</html>\n");
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_are_written_in_their_metric_unit() {
        assert_eq!(figure(0.4, "high_skill_share"), "40.0%");
        assert_eq!(figure(14_500_000.0, "total"), "14,500,000");
    }
}
