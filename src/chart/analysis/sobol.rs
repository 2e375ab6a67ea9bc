//! The `sobol` chart (first-order and total-order indices of each assumption in the
//! analysed year, with their 95% bootstrap intervals, largest total first) and the
//! `sobol_over_time` chart (total-order index of the main assumptions by year).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::tornado::rows_that_fit;
use super::{
    draw_row_label, fit, fit_subtitle, lever_label, measurer, output_label, tick, Fx, Unit,
};
use crate::analysis::sensitivity::{Sensitivity, SobolRow};
use crate::chart::frame::{self, Entry, Swatch};
use crate::chart::{style, year_label, DrawResult, Figure};

/// Colour of first-order bars.
const FIRST: RGBColor = style::SKY_BLUE;
/// Colour of total-order bars.
const TOTAL: RGBColor = style::BLUE;
/// How many assumptions `sobol_over_time` follows.
const OVER_TIME: usize = 5;

/// The first year of the projection, as the Sobol rows show it.
fn start_year(r: &Sensitivity) -> i32 {
    r.sobol.iter().map(|x| x.year).min().unwrap_or(r.year) - 1
}

/// The analysed year's rows, largest total-order index first.
fn ranked(r: &Sensitivity) -> Vec<&SobolRow> {
    let mut at: Vec<&SobolRow> = r
        .sobol
        .iter()
        .filter(|x| x.target_year && x.total_order.is_some())
        .collect();
    at.sort_by(|a, b| {
        b.total_order
            .unwrap_or(0.0)
            .total_cmp(&a.total_order.unwrap_or(0.0))
    });
    at
}

/// The Sobol-index chart of the analysed year.
pub(crate) struct Sobol<'a> {
    /// The analysis.
    pub r: &'a Sensitivity,
    /// Words and sizes.
    pub fx: &'a Fx,
}

impl Figure for Sobol<'_> {
    fn name(&self) -> String {
        "sobol".into()
    }

    fn title(&self) -> String {
        self.fx.words.sobol_title.into()
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<()> {
        let (r, fx) = (self.r, self.fx);
        let (l, w, z) = (fx.labels, fx.words, &fx.sizes);
        let rows = ranked(r);
        let output = rows
            .first()
            .map_or(r.metric.as_str(), |x| x.output.as_str());
        let year = rows.first().map_or(r.year, |x| x.year);
        let (_, height) = root.dim_in_pixel();
        let (n, _) = rows_that_fit((f64::from(height) * 0.7) as u32, z.tick, rows.len());
        let mut subtitle = w
            .sobol_subtitle
            .replace("{output}", &output_label(output, start_year(r), l, w))
            .replace("{year}", &year.to_string())
            .replace("{samples}", &crate::format::count(r.samples as f64));
        if rows.len() > n {
            subtitle = format!(
                "{subtitle}; {}",
                w.more_levers.replace("{n}", &(rows.len() - n).to_string())
            );
        }
        let legend = vec![
            Entry {
                swatch: Swatch::Fill(FIRST, 1.0),
                text: w.sobol_first.into(),
            },
            Entry {
                swatch: Swatch::Fill(TOTAL, 1.0),
                text: w.sobol_total.into(),
            },
            Entry {
                swatch: Swatch::Line(style::INK),
                text: w.sobol_interval.into(),
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

        let (width, _) = area.dim_in_pixel();
        let label_style = frame::text(z.tick, style::INK);
        let max_label = (f64::from(width) * 0.4) as u32;
        let measure = measurer(&area, &label_style);
        let names: Vec<String> = rows
            .iter()
            .map(|x| fit(&lever_label(&x.lever, l, w), max_label, &measure))
            .collect();
        let label_w = names.iter().map(|t| measure(t)).max().unwrap_or(0);

        let values = rows.iter().flat_map(|x| {
            [
                x.first_order,
                x.first_low,
                x.first_high,
                x.total_order,
                x.total_low,
                x.total_high,
            ]
        });
        let finite: Vec<f64> = values.flatten().filter(|v| v.is_finite()).collect();
        let lo = finite.iter().copied().fold(0.0, f64::min);
        let hi = finite.iter().copied().fold(0.1, f64::max);
        let (x0, x1) = (lo - (hi - lo) * 0.02, hi + (hi - lo) * 0.05);
        let span = x1 - x0;
        let n_rows = rows.len().max(1) as f64;
        let mut chart = ChartBuilder::on(&area)
            .margin_left(z.margin / 2)
            .margin_right(z.margin)
            .margin_top(z.margin / 2)
            .x_label_area_size((z.tick * 1.6 + z.axis * 1.6) as u32)
            .y_label_area_size(label_w + z.margin)
            .build_cartesian_2d(x0..x1, 0.0..n_rows)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .bold_line_style(style::GRID.stroke_width(1))
            .light_line_style(TRANSPARENT)
            .axis_style(style::MUTED.stroke_width(1))
            .x_labels(7)
            .y_labels(0)
            .x_label_formatter(&|x| tick(*x, Unit::Percent, span))
            .label_style(label_style.clone())
            .axis_desc_style(frame::text(z.axis, style::INK))
            .x_desc(w.sobol_axis)
            .draw()?;
        let whisker = style::INK.stroke_width((z.line / 2).max(1));
        for (i, x) in rows.iter().enumerate() {
            let y = n_rows - i as f64 - 0.5;
            for (centre, value, low, high, colour) in [
                (y + 0.19, x.first_order, x.first_low, x.first_high, FIRST),
                (y - 0.19, x.total_order, x.total_low, x.total_high, TOTAL),
            ] {
                if let Some(v) = value {
                    chart.draw_series(std::iter::once(Rectangle::new(
                        [(0.0, centre - 0.16), (v, centre + 0.16)],
                        colour.filled(),
                    )))?;
                }
                if let (Some(a), Some(b)) = (low, high) {
                    for seg in [
                        vec![(a, centre), (b, centre)],
                        vec![(a, centre - 0.08), (a, centre + 0.08)],
                        vec![(b, centre - 0.08), (b, centre + 0.08)],
                    ] {
                        chart.draw_series(std::iter::once(PathElement::new(seg, whisker)))?;
                    }
                }
            }
            let (px, py) = chart.backend_coord(&(x0, y));
            draw_row_label(root, z, (px - z.margin as i32 / 2, py), &names[i], None)?;
        }
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(0.0, 0.0), (0.0, n_rows)],
            style::MUTED.stroke_width(1),
        )))?;
        root.present()?;
        Ok(())
    }
}

/// The total-order index of the main assumptions by year.
pub(crate) struct SobolOverTime<'a> {
    /// The analysis.
    pub r: &'a Sensitivity,
    /// Words and sizes.
    pub fx: &'a Fx,
}

impl Figure for SobolOverTime<'_> {
    fn name(&self) -> String {
        "sobol_over_time".into()
    }

    fn title(&self) -> String {
        self.fx.words.sobol_time_title.into()
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<()> {
        let (r, fx) = (self.r, self.fx);
        let (l, w, z) = (fx.labels, fx.words, &fx.sizes);
        let levers: Vec<&str> = ranked(r)
            .iter()
            .take(OVER_TIME)
            .map(|x| x.lever.as_str())
            .collect();
        let series = |lever: &str| -> Vec<(f64, f64)> {
            r.sobol
                .iter()
                .filter(|x| x.output == r.metric && x.lever == lever)
                .filter_map(|x| x.total_order.map(|v| (f64::from(x.year), v)))
                .collect()
        };
        let subtitle = w
            .sobol_time_subtitle
            .replace("{metric}", &l.metric_noun(&r.metric, start_year(r), false))
            .replace("{n}", &levers.len().to_string());
        let colour = |i: usize| style::SERIES[i % style::SERIES.len()];
        let (width, _) = root.dim_in_pixel();
        let legend_style = frame::text(z.subtitle, style::INK);
        let max_entry = (f64::from(width) * 0.42) as u32;
        let legend: Vec<Entry> = levers
            .iter()
            .enumerate()
            .map(|(i, lever)| Entry {
                swatch: Swatch::alternating(i, colour(i)),
                text: fit(
                    &lever_label(lever, l, w),
                    max_entry,
                    measurer(root, &legend_style),
                ),
            })
            .collect();
        let area = frame::draw(
            root,
            z,
            &self.title(),
            &fit_subtitle(root, z, &subtitle),
            &legend,
            &fx.footer,
        )?;

        let years: Vec<i32> = {
            let mut y: Vec<i32> = r
                .sobol
                .iter()
                .filter(|x| x.output == r.metric)
                .map(|x| x.year)
                .collect();
            y.sort_unstable();
            y.dedup();
            y
        };
        let (first, last) = (
            years.first().copied().unwrap_or(r.year),
            years.last().copied().unwrap_or(r.year),
        );
        let all: Vec<f64> = levers
            .iter()
            .flat_map(|lv| series(lv))
            .map(|p| p.1)
            .collect();
        let lo = all.iter().copied().fold(0.0, f64::min);
        let hi = all.iter().copied().fold(0.1, f64::max) * 1.08;
        let span = hi - lo;
        let label_style = frame::text(z.tick, style::INK);
        let (label_w, _) = area.estimate_text_size("100%", &label_style)?;
        let mut chart = ChartBuilder::on(&area)
            .margin_left(z.margin / 2)
            .margin_right(z.margin)
            .margin_top(z.margin / 2)
            .x_label_area_size((z.tick * 1.6 + z.axis * 1.6) as u32)
            .y_label_area_size(label_w + (z.axis * 2.2) as u32)
            .build_cartesian_2d(f64::from(first) - 0.25..f64::from(last) + 0.25, lo..hi)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .bold_line_style(style::GRID.stroke_width(1))
            .light_line_style(TRANSPARENT)
            .axis_style(style::MUTED.stroke_width(1))
            .x_labels(years.len().clamp(2, 13))
            .y_labels(7)
            .x_label_formatter(&|x| year_label(*x))
            .y_label_formatter(&|y| tick(*y, Unit::Percent, span))
            .label_style(label_style)
            .axis_desc_style(frame::text(z.axis, style::INK))
            .x_desc(l.year)
            .y_desc(w.sobol_axis)
            .draw()?;
        for (i, lever) in levers.iter().enumerate().rev() {
            let points = series(lever);
            frame::alternating_line(
                &mut chart,
                i,
                points.clone(),
                colour(i).stroke_width(z.line),
                (z.line * 5, z.line * 3),
            )?;
            chart.draw_series(
                points
                    .into_iter()
                    .map(|p| Circle::new(p, z.line + 2, colour(i).filled())),
            )?;
        }
        root.present()?;
        Ok(())
    }
}
