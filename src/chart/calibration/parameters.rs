//! `calibration_parameters`: one small row per calibrated assumption, most moved first,
//! each on its own scale: the prior's 90% interval and median above the posterior's,
//! labelled with the assumption in words and both medians and intervals in numbers
//! (rates as percentages). Rows that do not fit are counted in the subtitle.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{parameter_label, parameter_unit, Cx};
use crate::calibrate::Band;
use crate::chart::analysis::{
    draw_row_label, fit, fit_subtitle, measurer, padded_range, value, Unit,
};
use crate::chart::frame::{self, Entry, Swatch};
use crate::chart::{style, DrawResult, Figure};

/// Colour of the prior intervals.
const PRIOR: RGBColor = style::ORANGE;
/// Colour of the posterior intervals.
const POSTERIOR: RGBColor = style::BLUE;

/// The prior-against-posterior chart of the calibrated parameters.
pub(crate) struct Parameters<'a> {
    /// Words, sizes and the summary.
    pub cx: &'a Cx<'a>,
}

/// Returns how many rows fit in `height` pixels, and whether each has room for a second
/// line of text.
fn rows_that_fit(height: u32, tick: f64, wanted: usize) -> (usize, bool) {
    let h = f64::from(height);
    let most = ((h / (tick * 1.6)).floor() as usize).clamp(1, 30);
    let n = wanted.min(most).max(1);
    (n, h / n as f64 >= tick * 2.6)
}

/// Formats a median and 90% interval, e.g. `10.0% (5.1%–15.2%)`.
fn interval(b: &Band, unit: Unit) -> String {
    format!(
        "{} ({}–{})",
        value(b.p50, unit),
        value(b.p05, unit),
        value(b.p95, unit)
    )
}

impl Figure for Parameters<'_> {
    fn name(&self) -> String {
        "calibration_parameters".into()
    }

    fn title(&self) -> String {
        self.cx.cal.params_title.into()
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<()> {
        let cx = self.cx;
        let (w, z) = (cx.cal, &cx.sizes);
        let order = cx.s.by_movement();
        let (_, height) = root.dim_in_pixel();
        let (n, two_lines) = rows_that_fit((f64::from(height) * 0.68) as u32, z.tick, order.len());
        let mut subtitle = w.params_subtitle.to_string();
        if order.len() > n {
            subtitle = format!(
                "{subtitle}; {}",
                w.more.replace("{n}", &(order.len() - n).to_string())
            );
        }
        let legend = vec![
            Entry {
                swatch: Swatch::Line(PRIOR),
                text: w.prior_interval.into(),
            },
            Entry {
                swatch: Swatch::Line(POSTERIOR),
                text: w.post_interval.into(),
            },
        ];
        let area = frame::draw(
            root,
            z,
            &self.title(),
            &fit_subtitle(root, z, &subtitle),
            &legend,
            &cx.footer,
        )?;
        let rows = &order[..n.min(order.len())];
        let (width, height) = area.dim_in_pixel();
        let label_style = frame::text(z.tick, style::INK);
        let note_style = frame::text(z.note, style::MUTED);
        let max_label = (f64::from(width) * 0.36) as u32;
        let names: Vec<String> = rows
            .iter()
            .map(|p| {
                fit(
                    &parameter_label(&p.name, cx.labels, cx.words, w),
                    max_label,
                    measurer(&area, &label_style),
                )
            })
            .collect();
        // Each interval in numbers, beside its bar.
        let numbers: Vec<[String; 2]> = rows
            .iter()
            .map(|p| {
                let u = parameter_unit(p);
                [interval(&p.prior, u), interval(&p.posterior, u)]
            })
            .collect();
        let (measure, measure_note) = (measurer(&area, &label_style), measurer(&area, &note_style));
        let label_w = names
            .iter()
            .map(|t| measure(t))
            .max()
            .unwrap_or(0)
            .min(max_label) as i32;
        let numbers_w = (numbers.iter().flatten())
            .map(|t| measure_note(t))
            .max()
            .unwrap_or(0)
            .min(width / 4) as i32;

        let m = z.margin as i32;
        let (left, right) = (m + label_w + m, width as i32 - m - numbers_w - m);
        let number_style = note_style.pos(Pos::new(HPos::Left, VPos::Center));
        let row_h = f64::from(height) / rows.len().max(1) as f64;
        let dot = (z.tick * 0.32) as i32;
        let bar = (z.line * 2).max(3);
        let end_style = note_style.pos(Pos::new(HPos::Center, VPos::Top));
        for (i, (p, name)) in rows.iter().zip(&names).enumerate() {
            let top = (row_h * i as f64) as i32;
            let cy = (row_h * (i as f64 + 0.5)) as i32;
            if i > 0 {
                area.draw(&PathElement::new(
                    vec![(m, top), (width as i32 - m, top)],
                    style::GRID.stroke_width(1),
                ))?;
            }
            draw_row_label(&area, z, (m + label_w, cy), name, None)?;
            let (lo, hi) = padded_range(
                [p.prior.p05, p.prior.p95, p.posterior.p05, p.posterior.p95],
                0.06,
            );
            let px =
                |v: f64| left + ((v - lo) / (hi - lo) * f64::from(right - left)).round() as i32;
            let offset = (row_h * 0.14).clamp(f64::from(dot), z.tick * 0.9) as i32;
            let bars = [
                (&p.prior, PRIOR, cy - offset),
                (&p.posterior, POSTERIOR, cy + offset),
            ];
            for (k, (b, colour, y)) in bars.into_iter().enumerate() {
                area.draw_text(&numbers[i][k], &number_style, (right + m, y))?;
                area.draw(&PathElement::new(
                    vec![(px(b.p05), y), (px(b.p95), y)],
                    colour.stroke_width(bar),
                ))?;
                area.draw(&Circle::new((px(b.p50), y), dot, colour.filled()))?;
            }
            if two_lines {
                // The row's scale: its ends under the bars.
                let u = parameter_unit(p);
                let y = cy + offset + dot;
                let ends = [(left, lo), (right, hi)];
                for (x, v) in ends {
                    let text = value(v, u);
                    let tw = measure_note(&text) as i32;
                    let x = x.clamp(left + tw / 2, right - tw / 2);
                    area.draw_text(&text, &end_style, (x, y))?;
                }
            }
        }
        root.present()?;
        Ok(())
    }
}
