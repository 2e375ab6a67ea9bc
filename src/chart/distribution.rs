//! The `distribution_<target>` charts: a histogram of the target's tested value across
//! simulated futures (the metric in its year, or the window's worst value), bars coloured
//! by the side of the threshold they fall on, the threshold marked, and the share of runs
//! on each side in the legend.

use crate::scenario::Direction;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::frame::{self, Entry, Swatch};
use super::style;
use super::{axis_label, condition, Ctx, DrawResult, Plot};
use crate::format;

/// The histogram of one target.
pub(crate) struct Distribution {
    /// Index of the target in the summary.
    pub index: usize,
    /// File name.
    pub name: String,
}

impl Plot for Distribution {
    fn name(&self) -> String {
        self.name.clone()
    }

    fn title(&self, ctx: &Ctx) -> String {
        ctx.summary.targets[self.index].target.clone()
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, ctx: &Ctx) -> DrawResult<()> {
        let s = ctx.summary;
        let l = ctx.labels;
        let z = &ctx.sizes;
        let t = &s.targets[self.index];
        let d = &s.distributions[self.index];
        let is_share = t.metric.is_share();
        let at_most = t.direction == Direction::AtMost;
        let runs = (d.held + d.missed + d.undefined).max(1) as f64;
        let share = |n: u64| format::probability(n as f64 / runs);

        let metric = l.metric_noun(&t.metric.to_string(), s.start_year, false);
        let metric_capital = l.metric_noun(&t.metric.to_string(), s.start_year, true);
        let runs_text = format::count(runs);
        let subtitle = match t.through {
            None => l.dist_in_year.replace("{year}", &t.year.to_string()),
            Some(through) => if at_most {
                l.dist_worst_high
            } else {
                l.dist_worst_low
            }
            .replace("{year}", &t.year.to_string())
            .replace("{through}", &through.to_string()),
        }
        .replace("{Metric}", &metric_capital)
        .replace("{metric}", &metric)
        .replace("{runs}", &runs_text);
        let mut missed_text = l.missed.replace("{p}", &share(d.missed + d.undefined));
        if d.undefined > 0 {
            missed_text = format!(
                "{missed_text}; {}",
                l.undefined.replace("{p}", &share(d.undefined))
            );
        }
        let legend = vec![
            Entry {
                swatch: Swatch::Fill(style::HELD_COLOUR, 0.85),
                text: l.held.replace("{p}", &share(d.held)),
            },
            Entry {
                swatch: Swatch::Fill(style::MISSED_COLOUR, 0.85),
                text: missed_text,
            },
            Entry {
                swatch: Swatch::Dashed(style::INK),
                text: format!("{}{}{}", l.threshold, l.colon, condition(t, l)),
            },
        ];
        let area = frame::draw(root, z, &self.title(ctx), &subtitle, &legend, &ctx.footer())?;

        let top_edge = d.min + d.bin_width * d.counts.len() as f64;
        let lo = d.min.min(t.threshold);
        let hi = top_edge.max(t.threshold);
        let pad = if hi > lo {
            (hi - lo) * 0.05
        } else {
            hi.abs().max(1.0) * 0.05
        };
        let (x0, x1) = (lo - pad, hi + pad);
        let span = x1 - x0;
        let tallest = d.counts.iter().copied().max().unwrap_or(0) as f64 / runs;
        let y1 = (tallest * 1.15).max(0.01);

        let label_style = frame::text(z.tick, style::INK);
        let (label_w, _) = area.estimate_text_size(&axis_label(y1, true, y1), &label_style)?;
        let mut chart = ChartBuilder::on(&area)
            .margin_left(z.margin / 2)
            .margin_right(z.margin)
            .margin_top(z.margin / 2)
            .x_label_area_size((z.tick * 1.6 + z.axis * 1.6) as u32)
            .y_label_area_size(label_w + (z.axis * 2.2) as u32)
            .build_cartesian_2d(x0..x1, 0.0..y1)?;
        let x_fmt = |x: &f64| axis_label(*x, is_share, span);
        let y_fmt = |y: &f64| axis_label(*y, true, y1);
        chart
            .configure_mesh()
            .disable_x_mesh()
            .bold_line_style(style::GRID.stroke_width(1))
            .light_line_style(TRANSPARENT)
            .axis_style(style::MUTED.stroke_width(1))
            .x_labels(8)
            .y_labels(6)
            .x_label_formatter(&x_fmt)
            .y_label_formatter(&y_fmt)
            .label_style(label_style.clone())
            .axis_desc_style(frame::text(z.axis, style::INK))
            .x_desc(metric_capital.as_str())
            .y_desc(l.dist_y)
            .draw()?;
        chart.draw_series(d.counts.iter().enumerate().map(|(i, &n)| {
            let left = d.min + d.bin_width * i as f64;
            let right = left + d.bin_width;
            let centre = (left + right) / 2.0;
            let holds = if at_most {
                centre <= t.threshold
            } else {
                centre >= t.threshold
            };
            let colour = if holds {
                style::HELD_COLOUR
            } else {
                style::MISSED_COLOUR
            };
            Rectangle::new(
                [(left, 0.0), (right, n as f64 / runs)],
                colour.mix(0.85).filled(),
            )
        }))?;
        chart.draw_series(DashedLineSeries::new(
            vec![(t.threshold, 0.0), (t.threshold, y1)],
            z.line * 4,
            z.line * 3,
            style::INK.stroke_width(z.line),
        ))?;
        // The threshold's value beside the line, on the side with more room.
        let (px, py) = chart.backend_coord(&(t.threshold, y1));
        let gap = (z.tick * 0.4) as i32;
        let right_side = t.threshold < (x0 + x1) / 2.0;
        let anchor = if right_side { HPos::Left } else { HPos::Right };
        let threshold_text = if is_share {
            format::percent_exact(t.threshold)
        } else {
            format::count(t.threshold)
        };
        root.draw_text(
            &format!("{}{}{threshold_text}", l.threshold, l.colon),
            &label_style.pos(Pos::new(anchor, VPos::Top)),
            (if right_side { px + gap } else { px - gap }, py + gap),
        )?;
        root.present()?;
        Ok(())
    }
}
