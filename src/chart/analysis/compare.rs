//! The overlaid fan charts of `compare` (`compare_fan_high_skill_share`,
//! `compare_fan_total`): each scenario's median and p05–p95 band in its own colour, and
//! each target on the metric as on the run's fan chart (a line at its threshold ending at
//! its year, thicker over a window), with every scenario's probability in the legend.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{fit, measurer, metric_unit, padded_range, tick, Fx, Unit};
use crate::analysis::compare::Comparison;
use crate::chart::fan::target_line;
use crate::chart::frame::{self, Entry, Swatch};
use crate::chart::{style, year_label, DrawResult, Figure};
use crate::format;

/// Colours of the scenarios, in order (targets use vermillion and purple).
const SCENARIOS: [RGBColor; 5] = [
    style::BLUE,
    style::ORANGE,
    style::GREEN,
    style::SKY_BLUE,
    style::BLACK,
];
/// Colours of target lines, in order.
const TARGETS: [RGBColor; 2] = [style::VERMILLION, style::PURPLE];
/// Opacity of each scenario's band.
const BAND: f64 = 0.16;

/// The overlaid fan chart of one metric.
pub(crate) struct CompareFan<'a> {
    /// The comparison.
    pub r: &'a Comparison,
    /// Words and sizes.
    pub fx: &'a Fx,
    /// Metric name.
    pub metric: &'static str,
}

impl Figure for CompareFan<'_> {
    fn name(&self) -> String {
        format!("compare_fan_{}", self.metric)
    }

    fn title(&self) -> String {
        let l = self.fx.labels;
        let start = self
            .r
            .projection
            .iter()
            .map(|p| p.row.year)
            .min()
            .unwrap_or(0);
        self.fx
            .words
            .compare_title
            .replace("{metric}", &l.metric_noun(self.metric, start, true))
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<()> {
        let (r, fx) = (self.r, self.fx);
        let (l, w, z) = (fx.labels, fx.words, &fx.sizes);
        let unit = metric_unit(self.metric);
        let colour = |i: usize| SCENARIOS[i % SCENARIOS.len()];
        let rows = |name: &str| -> Vec<&crate::stats::ProjectionRow> {
            let mut years = Vec::new();
            r.projection
                .iter()
                .filter(|p| p.scenario == name && p.row.metric == self.metric)
                .map(|p| &p.row)
                .filter(|q| {
                    let new = !years.contains(&q.year);
                    years.push(q.year);
                    new
                })
                .collect()
        };
        // A scenario named twice has one set of rows: it is drawn once.
        let mut scenarios: Vec<&str> = Vec::new();
        for s in &r.scenarios {
            if !scenarios.contains(&s.as_str()) {
                scenarios.push(s);
            }
        }
        let targets: Vec<_> = r
            .definitions
            .iter()
            .filter(|d| d.metric == self.metric)
            .collect();

        let (width, _) = root.dim_in_pixel();
        let legend_style = frame::text(z.subtitle, style::INK);
        let max_entry = width * 9 / 10;
        let mut legend: Vec<Entry> = scenarios
            .iter()
            .enumerate()
            .map(|(i, s)| Entry {
                swatch: Swatch::alternating(i, colour(i)),
                text: fit(
                    &w.compare_band.replace("{scenario}", s),
                    max_entry / 2,
                    measurer(root, &legend_style),
                ),
            })
            .collect();
        for (k, d) in targets.iter().enumerate() {
            let condition = condition(d, l);
            let probabilities: Vec<String> = r
                .targets
                .iter()
                .filter(|t| t.target == d.target)
                .map(|t| {
                    format!(
                        "{} {}",
                        t.scenario,
                        format::probability(t.probability.probability)
                    )
                })
                .collect();
            legend.push(Entry {
                swatch: Swatch::Line(TARGETS[k % TARGETS.len()]),
                text: fit(
                    &w.target_line
                        .replace("{condition}", &condition)
                        .replace("{probabilities}", &probabilities.join(w.s_list_sep)),
                    max_entry,
                    measurer(root, &legend_style),
                ),
            });
        }
        let area = frame::draw(
            root,
            z,
            &self.title(),
            w.compare_subtitle,
            &legend,
            &fx.footer,
        )?;

        let all: Vec<&crate::stats::ProjectionRow> =
            scenarios.iter().flat_map(|s| rows(s)).collect();
        let (mut y0, y1) = padded_range(
            all.iter()
                .flat_map(|q| [q.p05, q.p50, q.p95])
                .flatten()
                .chain(targets.iter().map(|d| d.threshold)),
            0.08,
        );
        if y0 < 0.0 && all.iter().all(|q| q.p05.unwrap_or(0.0) >= 0.0) {
            y0 = 0.0;
        }
        let span = y1 - y0;
        let years: Vec<i32> = all.iter().map(|q| q.year).collect();
        let (first, last) = (
            years.iter().copied().min().unwrap_or(0),
            years.iter().copied().max().unwrap_or(1),
        );
        let label_style = frame::text(z.tick, style::INK);
        let widest = tick(y1.abs().max(y0.abs()), unit, span);
        let (label_w, _) = area.estimate_text_size(&format!("−{widest}"), &label_style)?;
        let x0 = f64::from(first) - 0.25;
        let x1 = f64::from(last) + 0.25;
        let mut chart = ChartBuilder::on(&area)
            .margin_left(z.margin / 2)
            .margin_right(z.margin)
            .margin_top(z.margin / 2)
            .x_label_area_size((z.tick * 1.6 + z.axis * 1.6) as u32)
            .y_label_area_size(label_w + (z.axis * 2.2) as u32)
            .build_cartesian_2d(x0..x1, y0..y1)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .bold_line_style(style::GRID.stroke_width(1))
            .light_line_style(TRANSPARENT)
            .axis_style(style::MUTED.stroke_width(1))
            .y_labels(8)
            .x_labels(((last - first) as usize + 1).clamp(2, 13))
            .x_label_formatter(&|x| year_label(*x))
            .y_label_formatter(&|y| tick(*y, unit, span))
            .label_style(label_style)
            .axis_desc_style(frame::text(z.axis, style::INK))
            .x_desc(l.year)
            .y_desc(if unit == Unit::Percent {
                l.share
            } else {
                l.people
            })
            .draw()?;

        for (i, s) in scenarios.iter().enumerate() {
            let rs = rows(s);
            let band: Vec<(f64, f64)> = rs
                .iter()
                .filter_map(|q| q.p95.map(|v| (f64::from(q.year), v)))
                .chain(
                    rs.iter()
                        .rev()
                        .filter_map(|q| q.p05.map(|v| (f64::from(q.year), v))),
                )
                .collect();
            chart.draw_series(std::iter::once(Polygon::new(
                band,
                colour(i).mix(BAND).filled(),
            )))?;
        }
        for (i, s) in scenarios.iter().enumerate() {
            let median: Vec<(f64, f64)> = rows(s)
                .iter()
                .filter_map(|q| q.p50.map(|v| (f64::from(q.year), v)))
                .collect();
            frame::alternating_line(
                &mut chart,
                i,
                median,
                colour(i).stroke_width(z.line),
                (z.line * 4, z.line * 3),
            )?;
        }
        for (k, d) in targets.iter().enumerate().rev() {
            let c = TARGETS[k % TARGETS.len()];
            target_line(&mut chart, x0, (d.year, d.through), d.threshold, c, z.line)?;
        }
        root.present()?;
        Ok(())
    }
}

/// Describes a compared target's condition briefly, e.g. `≥ 40% in 2026`.
pub(crate) fn condition(
    d: &crate::analysis::compare::TargetDefinition,
    l: &crate::chart::Labels,
) -> String {
    let row = crate::stats::TargetRow {
        target: d.target.clone(),
        metric: d.metric.clone(),
        year: d.year,
        through: d.through,
        threshold: d.threshold,
        direction: d.direction,
        probability: 0.0,
        ci_low: 0.0,
        ci_high: 0.0,
        central_value: None,
        p50: None,
    };
    crate::chart::condition(&row, l)
}
