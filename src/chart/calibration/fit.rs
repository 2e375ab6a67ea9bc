//! `calibration_fit_<metric>`: an observed metric by year, the prior band (p05–p95 and
//! median of the expected-value projection over prior draws) behind the posterior band
//! (the same over posterior draws), and each published figure as a point with its 90%
//! error bar (±1.645 sd); a figure that is a bound is a bar at the bound with an arrow
//! pointing to the side it allows.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{unit_of, Cx};
use crate::calibrate::{MetricBands, ReadingKind};
use crate::chart::analysis::{fit_subtitle, padded_range, tick, Unit};
use crate::chart::frame::{self, Entry, Swatch};
use crate::chart::{style, year_label, DrawResult, Figure};

/// Colour of the prior band and median.
const PRIOR: RGBColor = style::ORANGE;
/// Colour of the posterior band and median.
const POSTERIOR: RGBColor = style::BLUE;
/// Colour of the published figures.
const FIGURE: RGBColor = style::BLACK;
/// The 95% quantile of the standard normal: a 90% interval is ±1.645 sd.
const Z90: f64 = 1.645;

/// The fit chart of one observed metric.
pub(crate) struct FitChart<'a> {
    /// Words, sizes and the summary.
    pub cx: &'a Cx<'a>,
    /// The metric's bands.
    pub bands: &'a MetricBands,
}

impl Figure for FitChart<'_> {
    fn name(&self) -> String {
        super::fit_chart_name(&self.bands.metric)
    }

    fn title(&self) -> String {
        let cx = self.cx;
        cx.cal.fit_title.replace(
            "{metric}",
            &cx.labels
                .metric_noun(&self.bands.metric, cx.s.start_year, true),
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<()> {
        let (cx, b) = (self.cx, self.bands);
        let (l, w, z) = (cx.labels, cx.cal, &cx.sizes);
        let unit = unit_of(&b.metric);
        let observed: Vec<_> = (cx.s.observations.iter())
            .filter(|o| o.metric == b.metric)
            .collect();
        let has_bound = observed.iter().any(|o| o.kind != ReadingKind::Value);
        let mut legend = vec![
            Entry {
                swatch: Swatch::Fill(PRIOR, 0.25),
                text: w.prior_band.into(),
            },
            Entry {
                swatch: Swatch::Dashed(PRIOR),
                text: w.prior_median.into(),
            },
            Entry {
                swatch: Swatch::Fill(POSTERIOR, 0.35),
                text: w.post_band.into(),
            },
            Entry {
                swatch: Swatch::Line(POSTERIOR),
                text: w.post_median.into(),
            },
        ];
        if observed.iter().any(|o| o.kind == ReadingKind::Value) {
            legend.push(Entry {
                swatch: Swatch::Dot(FIGURE),
                text: w.figure.into(),
            });
        }
        if has_bound {
            legend.push(Entry {
                swatch: Swatch::Line(FIGURE),
                text: w.bound.into(),
            });
        }
        let area = frame::draw(
            root,
            z,
            &self.title(),
            &fit_subtitle(root, z, w.fit_subtitle),
            &legend,
            &cx.footer,
        )?;

        let rows = &b.rows;
        let (mut y0, y1) = padded_range(
            (rows.iter())
                .flat_map(|r| [r.prior_p05, r.prior_p95, r.post_p05, r.post_p95])
                .flatten()
                .chain(observed.iter().flat_map(|o| match o.kind {
                    ReadingKind::Value => [o.value - Z90 * o.sd, o.value + Z90 * o.sd],
                    _ => [o.value, o.value],
                })),
            0.1,
        );
        let non_negative = rows
            .iter()
            .flat_map(|r| [r.prior_p05, r.post_p05])
            .flatten()
            .all(|v| v >= 0.0);
        if y0 < 0.0 && non_negative {
            y0 = 0.0;
        }
        let span = y1 - y0;
        let first = rows.first().map_or(0, |r| r.year);
        let last = rows.last().map_or(1, |r| r.year).max(first + 1);
        let label_style = frame::text(z.tick, style::INK);
        let widest = tick(y1.abs().max(y0.abs()), unit, span);
        let (label_w, _) = area.estimate_text_size(&format!("−{widest}"), &label_style)?;
        let (x0, x1) = (f64::from(first) - 0.25, f64::from(last) + 0.25);
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

        type Pick = fn(&crate::calibrate::BandRow) -> Option<f64>;
        let series = |pick: Pick| -> Vec<(f64, f64)> {
            rows.iter()
                .filter_map(|r| pick(r).map(|v| (f64::from(r.year), v)))
                .collect()
        };
        let band = |lo: Pick, hi: Pick| -> Vec<(f64, f64)> {
            let mut points = series(hi);
            points.extend(series(lo).into_iter().rev());
            points
        };
        chart.draw_series(std::iter::once(Polygon::new(
            band(|r| r.prior_p05, |r| r.prior_p95),
            PRIOR.mix(0.25).filled(),
        )))?;
        chart.draw_series(std::iter::once(Polygon::new(
            band(|r| r.post_p05, |r| r.post_p95),
            POSTERIOR.mix(0.35).filled(),
        )))?;
        chart.draw_series(DashedLineSeries::new(
            series(|r| r.prior_p50),
            z.line * 4,
            z.line * 3,
            PRIOR.stroke_width(z.line),
        ))?;
        chart.draw_series(LineSeries::new(
            series(|r| r.post_p50),
            POSTERIOR.stroke_width(z.line),
        ))?;

        // The figures, in pixels: caps and arrows keep their size whatever the scale.
        let cap = (z.tick * 0.5) as i32;
        let arrow = (z.tick * 2.2) as i32;
        let head = (z.tick * 0.45) as i32;
        let stroke = FIGURE.stroke_width(z.line.max(2));
        for o in &observed {
            let at = |v: f64| chart.backend_coord(&(o.time, v));
            match o.kind {
                ReadingKind::Value => {
                    let (lo, hi) = (at(o.value - Z90 * o.sd), at(o.value + Z90 * o.sd));
                    let (x, _) = at(o.value);
                    root.draw(&PathElement::new(vec![lo, hi], stroke))?;
                    for (_, y) in [lo, hi] {
                        root.draw(&PathElement::new(vec![(x - cap, y), (x + cap, y)], stroke))?;
                    }
                    root.draw(&Circle::new(
                        at(o.value),
                        (z.tick * 0.35) as i32,
                        FIGURE.filled(),
                    ))?;
                }
                ReadingKind::AtLeast | ReadingKind::AtMost => {
                    let (x, y) = at(o.value);
                    let dir = if o.kind == ReadingKind::AtLeast {
                        -1
                    } else {
                        1
                    };
                    let tip = y + dir * arrow;
                    root.draw(&PathElement::new(
                        vec![(x - cap * 2, y), (x + cap * 2, y)],
                        stroke,
                    ))?;
                    root.draw(&PathElement::new(vec![(x, y), (x, tip)], stroke))?;
                    root.draw(&Polygon::new(
                        vec![
                            (x - head, tip - dir * head),
                            (x + head, tip - dir * head),
                            (x, tip + dir * head / 2),
                        ],
                        FIGURE.filled(),
                    ))?;
                }
            }
        }
        root.present()?;
        Ok(())
    }
}
