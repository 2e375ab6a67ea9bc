//! `report.html`: one self-contained page a planner can email to officials.
//!
//! Title, a plain-language verdict per target, the charts as inline SVG, the year-by-year
//! table, the assumptions table and a note on how to read it. Styles are inline CSS; the
//! page loads nothing (no scripts, fonts, images or links to other files), so it reads the
//! same offline, attached to an email. Built from a [`Summary`] and the drawn charts only.

use crate::scenario::Direction;
use std::fmt::Write as _;

use super::labels::Labels;
use super::{Chart, Lang};
use crate::format;
use crate::stats::{Summary, TargetRow};

/// The page's style sheet: print-friendly, readable on a phone.
pub(crate) const CSS: &str = "\
body{margin:0;background:#fff;color:#212121;font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans','Noto Sans CJK SC','Microsoft YaHei','PingFang SC',sans-serif}
main{max-width:1100px;margin:0 auto;padding:24px}
h1{font-size:1.9em;line-height:1.2;margin:.2em 0}
h2{font-size:1.35em;border-bottom:2px solid #0072b2;padding-bottom:.2em;margin-top:2em}
.kicker{color:#0072b2;font-weight:600;text-transform:uppercase;letter-spacing:.05em;margin:0}
.meta,.note{color:#606060;font-size:.9em}
.verdict{border-left:6px solid #0072b2;background:#f3f8fb;padding:.6em 1em;margin:.8em 0}
.verdict.low{border-color:#e69f00;background:#fdf6e9}
.verdict .name{font-weight:600;display:block}
.verdict .p{font-size:1.6em;font-weight:700;float:right;margin-left:.6em}
figure{margin:1.5em 0;page-break-inside:avoid}
figure svg{width:100%;height:auto;display:block;border:1px solid #e1e1e1}
figcaption{color:#606060;font-size:.9em;margin-top:.3em}
table{border-collapse:collapse;width:100%;font-size:.92em;margin:.6em 0}
th,td{border-bottom:1px solid #e1e1e1;padding:.35em .5em;text-align:left;vertical-align:top}
th{background:#f5f5f5}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
@media print{main{max-width:none}h2{page-break-after:avoid}}
";

/// Returns the report page for `summary` with `charts` inlined.
pub fn render(summary: &Summary, charts: &[Chart], lang: Lang) -> String {
    let l = lang.labels();
    let s = summary;
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>\n{CSS}</style>\n</head>\n<body>\n<main>\n",
        l.html_lang,
        escape(&s.title)
    );
    let meta = l
        .report_meta
        .replace("{scenario}", &s.scenario)
        .replace("{start}", &s.start_year.to_string())
        .replace("{end}", &s.end_year.to_string())
        .replace("{runs}", &format::count(s.runs as f64))
        .replace("{seed}", &s.seed.to_string())
        .replace("{version}", &s.version);
    let _ = write!(
        h,
        "<header>\n<p class=\"kicker\">{}</p>\n<h1>{}</h1>\n<p class=\"meta\">{}</p>\n</header>\n",
        escape(l.report_heading),
        escape(&s.title),
        escape(&meta)
    );

    if !s.targets.is_empty() {
        let _ = write!(
            h,
            "<section id=\"targets\">\n<h2>{}</h2>\n",
            escape(l.verdicts)
        );
        for t in &s.targets {
            let class = if t.probability >= 0.5 {
                "verdict"
            } else {
                "verdict low"
            };
            let _ = writeln!(
                h,
                "<div class=\"{class}\"><span class=\"p\">{}</span><span class=\"name\">{}</span><p>{}</p></div>",
                escape(&format::probability(t.probability)),
                escape(&t.target),
                escape(&verdict(t, s, l))
            );
        }
        h.push_str("</section>\n");
    }

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

    year_table(&mut h, s, l);
    observations_table(&mut h, s, l);
    assumptions_table(&mut h, s, l);

    let _ = write!(
        h,
        "<section id=\"method\">\n<h2>{}</h2>\n<p class=\"note\">{}</p>\n<p class=\"note\">{}</p>\n</section>\n",
        escape(l.method),
        escape(l.method_text),
        escape(&meta)
    );
    h.push_str("</main>\n</body>\n</html>\n");
    h
}

/// Returns the plain-language verdict of a target, e.g. "The high-skill share stays at
/// or above 40% from 2026 to 2030 in 71% of simulated futures (95% CI 70%–72%): likely."
pub fn verdict(t: &TargetRow, s: &Summary, l: &Labels) -> String {
    let is_share = t.metric.is_share();
    let value = |x: f64| {
        if is_share {
            format::percent(x, 1)
        } else {
            format::count(x)
        }
    };
    let threshold = if is_share {
        format::percent_exact(t.threshold)
    } else {
        format::count(t.threshold)
    };
    let direction = if t.direction == Direction::AtMost {
        l.verdict_at_most
    } else {
        l.verdict_at_least
    };
    let template = if t.through.is_some() {
        l.verdict_window
    } else {
        l.verdict_point
    };
    let main = template
        .replace("{metric}", &l.metric(&t.metric.to_string(), s.start_year))
        .replace("{direction}", direction)
        .replace("{threshold}", &threshold)
        .replace("{year}", &t.year.to_string())
        .replace("{through}", &t.through.unwrap_or(t.year).to_string())
        .replace("{p}", &format::probability(t.probability))
        .replace("{low}", &format::probability(t.ci_low))
        .replace("{high}", &format::probability(t.ci_high))
        .replace("{likelihood}", l.likelihood(t.probability));
    let central = if t.through.is_some() {
        l.verdict_central_window
    } else {
        l.verdict_central
    };
    let central = central
        .replace("{central}", &t.central_value.map_or("–".into(), value))
        .replace("{median}", &t.p50.map_or("–".into(), value));
    let sep = if l.html_lang == "en" { " " } else { "" };
    format!("{main}{sep}{central}")
}

/// Writes the year-by-year table: median and 90% range of the headline metrics.
fn year_table(h: &mut String, s: &Summary, l: &Labels) {
    let _ = write!(
        h,
        "<section id=\"years\">\n<h2>{}</h2>\n<p class=\"note\">{}</p>\n<table>\n<thead><tr>",
        escape(l.table),
        escape(l.table_note)
    );
    for (i, col) in [
        l.col_year,
        l.col_total,
        l.col_high_skill,
        l.col_share,
        l.col_added,
        l.col_central_share,
    ]
    .iter()
    .enumerate()
    {
        let class = if i == 0 { "" } else { " class=\"num\"" };
        let _ = write!(h, "<th{class}>{}</th>", escape(col));
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    let cell = |year: i32, metric: &str| {
        let is_share = metric == "high_skill_share";
        let f = |x: f64| {
            if is_share {
                format::percent(x, 1)
            } else {
                format::count(x)
            }
        };
        s.projection
            .iter()
            .find(|r| r.year == year && r.metric == metric)
            .and_then(|r| {
                let median = r.p50?;
                Some(match (r.p05, r.p95) {
                    (Some(a), Some(b)) if b > a => format!("{} ({}–{})", f(median), f(a), f(b)),
                    _ => f(median),
                })
            })
            .unwrap_or_else(|| "–".into())
    };
    for c in &s.central {
        let _ = write!(h, "<tr><td>{}</td>", c.year);
        for metric in [
            "total",
            "high_skill",
            "high_skill_share",
            "high_skill_added",
        ] {
            let _ = write!(
                h,
                "<td class=\"num\">{}</td>",
                escape(&cell(c.year, metric))
            );
        }
        let central = c
            .high_skill_share
            .map_or("–".into(), |x| format::percent(x, 1));
        let _ = writeln!(h, "<td class=\"num\">{}</td></tr>", escape(&central));
    }
    h.push_str("</tbody>\n</table>\n</section>\n");
}

/// Writes the assumptions table: every parameter of the scenario.
/// Lists the scenario's published figures (none: no section).
fn observations_table(h: &mut String, s: &Summary, l: &Labels) {
    if s.observations.is_empty() {
        return;
    }
    let _ = write!(
        h,
        "<section id=\"observations\">\n<h2>{}</h2>\n<p class=\"note\">{}</p>\n<table>\n\
         <thead><tr><th>{}</th><th>{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th><th>{}</th></tr></thead>\n<tbody>\n",
        escape(l.observations),
        escape(l.observations_note),
        escape(l.observation_date),
        escape(l.observation_metric),
        escape(l.observation_figure),
        escape(l.observation_error),
        escape(l.observation_source),
    );
    for o in &s.observations {
        let shown = |x: f64| {
            if o.metric.is_share() {
                format::percent(x, 1)
            } else {
                format::count(x)
            }
        };
        let figure = match o.reading.as_str() {
            "at_least" => format!("≥ {}", shown(o.number)),
            "at_most" => format!("≤ {}", shown(o.number)),
            _ => shown(o.number),
        };
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">± {}</td><td>{}</td></tr>",
            escape(&o.date),
            escape(&l.metric(&o.metric.to_string(), s.start_year)),
            escape(&figure),
            escape(&shown(o.sd)),
            escape(o.source.as_deref().unwrap_or("")),
        );
    }
    h.push_str("</tbody>\n</table>\n</section>\n");
}

fn assumptions_table(h: &mut String, s: &Summary, l: &Labels) {
    let _ = write!(
        h,
        "<section id=\"assumptions\">\n<h2>{}</h2>\n<p class=\"note\">{}</p>\n<table>\n\
         <thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead>\n<tbody>\n",
        escape(l.assumptions),
        escape(l.assumptions_note),
        escape(l.group),
        escape(l.item),
        escape(l.value)
    );
    let mut last_group = "";
    for row in &s.assumptions {
        let group = if row.group == last_group {
            ""
        } else {
            l.group(&row.group)
        };
        last_group = &row.group;
        let item: Vec<&str> = row.item.split(" → ").map(|part| l.level(part)).collect();
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(group),
            escape(&item.join(" → ")),
            escape(&row.value)
        );
    }
    h.push_str("</tbody>\n</table>\n</section>\n");
}

/// Prepares an SVG document for inlining: drops any XML prolog and lets CSS size it
/// (the viewBox keeps its proportions).
pub(crate) fn inline_svg(svg: &str) -> String {
    let body = match svg.find("<svg") {
        Some(i) => &svg[i..],
        None => svg,
    };
    match body.find('>') {
        Some(end) => {
            let open = &body[..end];
            let open = strip_attr(&strip_attr(open, "width"), "height");
            format!("{open} role=\"img\"{}", &body[end..])
        }
        None => body.to_string(),
    }
}

/// Removes ` name="..."` from an opening tag.
fn strip_attr(tag: &str, name: &str) -> String {
    let key = format!(" {name}=\"");
    match tag.find(&key) {
        Some(i) => {
            let rest = &tag[i + key.len()..];
            match rest.find('"') {
                Some(j) => format!("{}{}", &tag[..i], &rest[j + 1..]),
                None => tag.to_string(),
            }
        }
        None => tag.to_string(),
    }
}

/// Escapes text for HTML.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inlined_svg_loses_its_fixed_size_but_keeps_the_view_box() {
        let svg = "<svg width=\"1600\" height=\"1000\" viewBox=\"0 0 1600 1000\" xmlns=\"http://www.w3.org/2000/svg\">\n<rect/></svg>";
        let inlined = inline_svg(svg);
        assert!(
            inlined.starts_with("<svg viewBox=\"0 0 1600 1000\""),
            "{inlined}"
        );
        assert!(inlined.ends_with("<rect/></svg>"));
    }

    #[test]
    fn escapes_markup() {
        assert_eq!(escape("a<b & \"c\">"), "a&lt;b &amp; &quot;c&quot;&gt;");
    }
}
