//! Fan charts (`fan_total`, `fan_high_skill`, `fan_high_skill_share`): nested bands of
//! simulated futures (p05-p95, p25-p75), the median, the central path dashed, the initial
//! year marked, and every target on the metric as a line ending at its year, annotated
//! with its probability.

use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::frame::{self, Entry, Swatch};
use super::style;
use super::{axis_label, central_value, condition, quantile, Ctx, DrawResult, Plot};
use crate::format;

/// Colours of target lines, in target order.
const TARGET_COLOURS: [RGBColor; 4] = [
    style::VERMILLION,
    style::PURPLE,
    style::GREEN,
    style::ORANGE,
];

/// Draws a target on a chart over years: a thin line at `threshold` from `x0` to the
/// target's year, a thick one from there to its last year (`through`), and a dot at the
/// end.
pub(crate) fn target_line<DB: DrawingBackend>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    x0: f64,
    (year, through): (i32, Option<i32>),
    threshold: f64,
    colour: RGBColor,
    line: u32,
) -> DrawResult<()> {
    let (start, end) = (f64::from(year), f64::from(through.unwrap_or(year)));
    chart.draw_series(std::iter::once(PathElement::new(
        vec![(x0, threshold), (start, threshold)],
        colour.stroke_width((line / 2).max(1)),
    )))?;
    chart.draw_series(std::iter::once(PathElement::new(
        vec![(start, threshold), (end, threshold)],
        colour.stroke_width(line * 2),
    )))?;
    chart.draw_series(std::iter::once(Circle::new(
        (end, threshold),
        line * 2 + 1,
        colour.filled(),
    )))?;
    Ok(())
}

/// A fan chart of one metric.
pub(crate) struct Fan {
    /// Metric name: `total`, `high_skill` or `high_skill_share`.
    pub metric: &'static str,
}

impl Plot for Fan {
    fn name(&self) -> String {
        format!("fan_{}", self.metric)
    }

    fn title(&self, ctx: &Ctx) -> String {
        let l = ctx.labels;
        match self.metric {
            "total" => l.fan_total,
            "high_skill" => l.fan_high_skill,
            "high_skill_share" => l.fan_high_skill_share,
            _ => l.fan_other,
        }
        .to_string()
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, ctx: &Ctx) -> DrawResult<()> {
        let s = ctx.summary;
        let l = ctx.labels;
        let z = &ctx.sizes;
        let is_share = self.metric == "high_skill_share";
        let rows: Vec<_> = s
            .projection
            .iter()
            .filter(|r| r.metric == self.metric)
            .collect();
        let central: Vec<(f64, f64)> = s
            .central
            .iter()
            .filter_map(|c| {
                central_value(c, self.metric, &s.levels).map(|v| (f64::from(c.year), v))
            })
            .collect();
        let targets: Vec<_> = s
            .targets
            .iter()
            .filter(|t| t.metric == self.metric)
            .collect();
        // Published figures of this metric: a point and a 90% error bar (1.645 sd).
        const Z90: f64 = 1.644_853_626_951_472_2;
        let observed: Vec<_> = s
            .observations
            .iter()
            .filter(|o| o.metric == self.metric)
            .collect();

        let legend = vec![
            Entry {
                swatch: Swatch::Fill(style::FAN_COLOUR, style::FAN_BANDS[0].2),
                text: l.band_90.into(),
            },
            Entry {
                swatch: Swatch::Fill(style::FAN_COLOUR, style::FAN_BANDS[1].2),
                text: l.band_50.into(),
            },
            Entry {
                swatch: Swatch::Line(style::FAN_COLOUR),
                text: l.median.into(),
            },
            Entry {
                swatch: Swatch::Dashed(style::CENTRAL_COLOUR),
                text: l.central.into(),
            },
            Entry {
                swatch: Swatch::Dot(style::CENTRAL_COLOUR),
                text: format!("{} ({})", l.initial, s.start_year),
            },
        ];
        let mut legend = legend;
        if !observed.is_empty() {
            legend.push(Entry {
                swatch: Swatch::Dot(style::VERMILLION),
                text: l.observed.into(),
            });
        }
        let area = frame::draw(root, z, &self.title(ctx), &s.title, &legend, &ctx.footer())?;

        // Value range: every band, the central path and the thresholds shown.
        let mut values: Vec<f64> = rows
            .iter()
            .flat_map(|r| [r.p05, r.p95, r.p50])
            .flatten()
            .chain(central.iter().map(|c| c.1))
            .chain(targets.iter().map(|t| t.threshold))
            .chain(
                observed
                    .iter()
                    .flat_map(|o| [o.number - Z90 * o.sd, o.number + Z90 * o.sd]),
            )
            .filter(|v| v.is_finite())
            .collect();
        if values.is_empty() {
            values.push(0.0);
        }
        let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let pad = if hi > lo {
            (hi - lo) * 0.08
        } else {
            hi.abs().max(1.0) * 0.05
        };
        let (mut y0, y1) = (lo - pad, hi + pad);
        if lo >= 0.0 {
            y0 = y0.max(0.0);
        }
        let span = y1 - y0;

        let label_style = frame::text(z.tick, style::INK);
        let widest = axis_label(y1.abs().max(y0.abs()), is_share, span);
        let (label_w, _) = area.estimate_text_size(&format!("−{widest}"), &label_style)?;
        let x0 = f64::from(s.start_year) - 0.25;
        let x1 = f64::from(s.end_year) + 0.25;
        let mut chart = ChartBuilder::on(&area)
            .margin_left(z.margin / 2)
            .margin_right(z.margin)
            .margin_top(z.margin / 2)
            .x_label_area_size((z.tick * 1.6 + z.axis * 1.6) as u32)
            .y_label_area_size(label_w + (z.axis * 2.2) as u32)
            .build_cartesian_2d(x0..x1, y0..y1)?;
        let y_fmt = |y: &f64| axis_label(*y, is_share, span);
        chart
            .configure_mesh()
            .disable_x_mesh()
            .bold_line_style(style::GRID.stroke_width(1))
            .light_line_style(TRANSPARENT)
            .axis_style(style::MUTED.stroke_width(1))
            .y_labels(8)
            .x_labels(ctx.year_labels())
            .x_label_formatter(&|x| super::year_label(*x))
            .y_label_formatter(&y_fmt)
            .label_style(label_style.clone())
            .axis_desc_style(frame::text(z.axis, style::INK))
            .x_desc(l.year)
            .y_desc(if is_share { l.share } else { l.people })
            .draw()?;

        for (lo_q, hi_q, alpha) in style::FAN_BANDS {
            let upper: Vec<(f64, f64)> = rows
                .iter()
                .filter_map(|r| quantile(r, hi_q).map(|v| (f64::from(r.year), v)))
                .collect();
            let lower: Vec<(f64, f64)> = rows
                .iter()
                .rev()
                .filter_map(|r| quantile(r, lo_q).map(|v| (f64::from(r.year), v)))
                .collect();
            let polygon: Vec<(f64, f64)> = upper.into_iter().chain(lower).collect();
            chart.draw_series(std::iter::once(Polygon::new(
                polygon,
                style::FAN_COLOUR.mix(alpha).filled(),
            )))?;
        }
        let median: Vec<(f64, f64)> = rows
            .iter()
            .filter_map(|r| r.p50.map(|v| (f64::from(r.year), v)))
            .collect();
        chart.draw_series(LineSeries::new(
            median,
            style::FAN_COLOUR.stroke_width(z.line),
        ))?;
        chart.draw_series(DashedLineSeries::new(
            central.clone(),
            z.line * 4,
            z.line * 3,
            style::CENTRAL_COLOUR.stroke_width(z.line),
        ))?;
        if let Some(&first) = central.first() {
            chart.draw_series(std::iter::once(Circle::new(
                first,
                z.line * 3,
                style::CENTRAL_COLOUR.filled(),
            )))?;
        }

        for o in &observed {
            let (lo, hi) = (o.number - Z90 * o.sd, o.number + Z90 * o.sd);
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(o.at, lo), (o.at, hi)],
                style::VERMILLION.stroke_width(z.line),
            )))?;
            chart.draw_series(std::iter::once(Circle::new(
                (o.at, o.number),
                z.line * 3,
                style::VERMILLION.filled(),
            )))?;
        }

        // Targets: a line at the threshold ending at the target's (last) year, and a
        // label with the probability placed clear of the other labels. Lines are drawn
        // last target first so that a short target stays visible on a longer one.
        for (i, t) in targets.iter().enumerate().rev() {
            let colour = TARGET_COLOURS[i % TARGET_COLOURS.len()];
            target_line(
                &mut chart,
                x0,
                (t.year, t.through),
                t.threshold,
                colour,
                z.line,
            )?;
        }
        let mut rects = Vec::new();
        let mut texts = Vec::new();
        for (i, t) in targets.iter().enumerate() {
            let colour = TARGET_COLOURS[i % TARGET_COLOURS.len()];
            let end = f64::from(t.through.unwrap_or(t.year));
            let text = l
                .annotation
                .replace("{condition}", &condition(t, l))
                .replace("{p}", &format::probability(t.probability))
                .replace("{low}", &format::probability(t.ci_low))
                .replace("{high}", &format::probability(t.ci_high));
            let (tw, th) = root.estimate_text_size(&text, &label_style)?;
            let (px, py) = chart.backend_coord(&(end, t.threshold));
            let pad = (z.tick * 0.3) as i32;
            let x_right = px - pad;
            let y_bottom = py - pad * 2;
            rects.push((
                x_right - tw as i32 - pad,
                y_bottom - th as i32 - pad,
                x_right + pad,
                y_bottom + pad,
            ));
            texts.push((text, colour, (px, py)));
        }
        let plot_left = chart.backend_coord(&(x0, y0)).0;
        let plot_top = chart.backend_coord(&(x0, y1)).1;
        for ((x0r, y0r, x1r, y1r), (text, colour, anchor)) in
            frame::place_labels(&rects, 4).into_iter().zip(texts)
        {
            let shift = (plot_left - x0r).max(0);
            let (x0r, x1r) = (x0r + shift, x1r + shift);
            // A label pushed above the plot goes below its line instead.
            let (y0r, y1r) = if y0r < plot_top {
                let h = y1r - y0r;
                (
                    anchor.1 + (z.tick * 0.6) as i32,
                    anchor.1 + (z.tick * 0.6) as i32 + h,
                )
            } else {
                (y0r, y1r)
            };
            if y1r < anchor.1 - (z.tick * 1.5) as i32 {
                root.draw(&PathElement::new(
                    vec![((x0r + x1r) / 2, y1r), anchor],
                    colour.stroke_width(1),
                ))?;
            }
            root.draw(&Rectangle::new(
                [(x0r, y0r), (x1r, y1r)],
                WHITE.mix(0.8).filled(),
            ))?;
            root.draw(&Rectangle::new(
                [(x0r, y0r), (x1r, y1r)],
                colour.stroke_width(1),
            ))?;
            let centred = label_style.pos(Pos::new(HPos::Center, VPos::Center));
            root.draw_text(&text, &centred, ((x0r + x1r) / 2, (y0r + y1r) / 2))?;
        }
        root.present()?;
        Ok(())
    }
}
