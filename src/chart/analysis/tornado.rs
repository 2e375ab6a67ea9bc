//! The `tornado` chart: each uncertain assumption at its p10 and its p90, as bars from the
//! scenario's own result, widest swing at the top. Each row is labelled with the lever in
//! words and, where there is room, the two parameter values.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{
    draw_row_label, fit, fit_subtitle, lever_label, lever_unit, measurer, metric_unit,
    padded_range, tick, value, Fx, Unit,
};
use crate::analysis::sensitivity::Sensitivity;
use crate::chart::frame::{self, Entry, Swatch};
use crate::chart::{style, DrawResult, Figure};

/// Colour of the p10 bars.
const LOW: RGBColor = style::BLUE;
/// Colour of the p90 bars.
const HIGH: RGBColor = style::ORANGE;

/// The tornado chart of a sensitivity analysis.
pub(crate) struct Tornado<'a> {
    /// The analysis.
    pub r: &'a Sensitivity,
    /// Words and sizes.
    pub fx: &'a Fx,
}

/// Returns how many rows of bars fit in a plot `height` pixels high, and whether each
/// row has room for a second line of text.
pub(crate) fn rows_that_fit(height: u32, tick: f64, wanted: usize) -> (usize, bool) {
    let h = f64::from(height);
    let most = ((h / (tick * 1.45)).floor() as usize).clamp(1, 15);
    let n = wanted.min(most).max(1);
    (n, h / n as f64 >= tick * 2.2)
}

impl Figure for Tornado<'_> {
    fn name(&self) -> String {
        "tornado".into()
    }

    fn title(&self) -> String {
        self.fx.words.tornado_title.into()
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<()> {
        let (r, fx) = (self.r, self.fx);
        let (l, w, z) = (fx.labels, fx.words, &fx.sizes);
        let unit = if r.target.is_some() {
            Unit::Percent
        } else {
            metric_unit(&r.metric)
        };
        let start = r.sobol.iter().map(|x| x.year).min().unwrap_or(r.year) - 1;
        let rows: Vec<_> = r
            .tornado
            .iter()
            .filter(|t| t.output_low.is_some() && t.output_high.is_some())
            .collect();
        let base = r.base.unwrap_or(f64::NAN);
        let (_, height) = root.dim_in_pixel();
        let (n, two_lines) = rows_that_fit((f64::from(height) * 0.7) as u32, z.tick, rows.len());
        let mut subtitle = match &r.target {
            Some(t) => w.tornado_subtitle_target.replace("{target}", t),
            None => w
                .tornado_subtitle_metric
                .replace("{metric}", &l.metric_noun(&r.metric, start, true))
                .replace("{year}", &r.year.to_string()),
        };
        if rows.len() > n {
            subtitle = format!(
                "{subtitle}; {}",
                w.more_levers.replace("{n}", &(rows.len() - n).to_string())
            );
        }
        let out = |x: f64| {
            if r.target.is_some() {
                crate::format::probability(x)
            } else {
                value(x, unit)
            }
        };
        let legend = vec![
            Entry {
                swatch: Swatch::Fill(LOW, 0.9),
                text: w.tornado_low.into(),
            },
            Entry {
                swatch: Swatch::Fill(HIGH, 0.9),
                text: w.tornado_high.into(),
            },
            Entry {
                swatch: Swatch::Line(style::INK),
                text: w.tornado_base.replace("{base}", &out(base)),
            },
        ];
        let area = frame::draw(
            root,
            z,
            &self.title(),
            &fit_subtitle(root, z, &subtitle),
            &legend,
            &fx.footer,
        )?;
        let rows = &rows[..n.min(rows.len())];

        // Row labels: the lever in words, shortened to at most 40% of the width.
        let (width, _) = area.dim_in_pixel();
        let label_style = frame::text(z.tick, style::INK);
        let note_style = frame::text(z.note, style::MUTED);
        let max_label = (f64::from(width) * 0.4) as u32;
        let names: Vec<String> = rows
            .iter()
            .map(|t| {
                fit(
                    &lever_label(&t.lever, l, w),
                    max_label,
                    measurer(&area, &label_style),
                )
            })
            .collect();
        let ranges: Vec<String> = rows
            .iter()
            .map(|t| {
                let u = lever_unit(&t.lever);
                w.tornado_range
                    .replace("{low}", &value(t.param_low, u))
                    .replace("{high}", &value(t.param_high, u))
            })
            .collect();
        let measure = measurer(&area, &label_style);
        let measure_note = measurer(&area, &note_style);
        let label_w = names
            .iter()
            .map(|t| measure(t))
            .chain(
                ranges
                    .iter()
                    .map(|t| if two_lines { measure_note(t) } else { 0 }),
            )
            .max()
            .unwrap_or(0)
            .min(max_label);

        let (mut x0, mut x1) = padded_range(
            rows.iter()
                .flat_map(|t| [t.output_low, t.output_high])
                .flatten()
                .chain([base]),
            0.08,
        );
        if unit == Unit::Percent && r.target.is_some() {
            x0 = x0.max(-0.02);
            x1 = x1.min(1.02);
        }
        let span = x1 - x0;
        let n_rows = rows.len().max(1) as f64;
        let mut chart = ChartBuilder::on(&area)
            .margin_left(z.margin / 2)
            .margin_right(z.margin)
            .margin_top(z.margin / 2)
            .x_label_area_size((z.tick * 1.6 + z.axis * 1.6) as u32)
            .y_label_area_size(label_w + z.margin)
            .build_cartesian_2d(x0..x1, 0.0..n_rows)?;
        let x_desc = match &r.target {
            Some(_) => l.probability.to_string(),
            None => l.metric_noun(&r.metric, start, true),
        };
        chart
            .configure_mesh()
            .disable_y_mesh()
            .bold_line_style(style::GRID.stroke_width(1))
            .light_line_style(TRANSPARENT)
            .axis_style(style::MUTED.stroke_width(1))
            .x_labels(7)
            .y_labels(0)
            .x_label_formatter(&|x| tick(*x, unit, span))
            .label_style(label_style.clone())
            .axis_desc_style(frame::text(z.axis, style::INK))
            .x_desc(x_desc)
            .draw()?;

        for (i, t) in rows.iter().enumerate() {
            let y = n_rows - i as f64 - 0.5;
            let (lo, hi) = (t.output_low.unwrap_or(base), t.output_high.unwrap_or(base));
            // The longer bar first, so that a shorter one on the same side stays visible.
            let mut bars = [(lo, LOW), (hi, HIGH)];
            bars.sort_by(|a, b| (b.0 - base).abs().total_cmp(&(a.0 - base).abs()));
            for (k, (end, colour)) in bars.into_iter().enumerate() {
                let half = if k == 0 { 0.34 } else { 0.24 };
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(base, y - half), (end, y + half)],
                    colour.mix(0.9).filled(),
                )))?;
            }
            let (px, py) = chart.backend_coord(&(x0, y));
            let at = (px - z.margin as i32 / 2, py);
            let second = two_lines.then_some(ranges[i].as_str());
            draw_row_label(root, z, (at.0, at.1), &names[i], second)?;
        }
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(base, 0.0), (base, n_rows)],
            style::INK.stroke_width(z.line.max(2)),
        )))?;
        root.present()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_shrink_to_fit_small_charts_and_lose_their_second_line_first() {
        assert_eq!(rows_that_fit(700, 20.0, 15), (15, true));
        assert_eq!(rows_that_fit(600, 20.0, 3), (3, true));
        let (n, two) = rows_that_fit(200, 12.0, 15);
        assert!(n < 15 && !two, "{n} {two}");
    }
}
