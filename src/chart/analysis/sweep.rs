//! The `sweep` heatmap of a two-lever sweep: one cell per grid point coloured by the
//! target's probability (viridis scale, with the value written in the cell where it fits),
//! the 50% and 90% contours through the interpolated crossings, and the scenario's own
//! point marked.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{fit, fit_subtitle, lever_label, lever_unit, measurer, tick, Fx, Unit};
use crate::analysis::sweep::{Sweep, CONTOUR_LEVELS};
use crate::chart::frame::{self, Entry, Swatch};
use crate::chart::{style, DrawResult, Figure};
use crate::format;

/// The heatmap of a two-lever sweep.
pub(crate) struct Heatmap<'a> {
    /// The sweep.
    pub r: &'a Sweep,
    /// Words and sizes.
    pub fx: &'a Fx,
}

/// Returns the distinct values of `xs` in increasing order.
fn distinct(xs: impl Iterator<Item = f64>) -> Vec<f64> {
    let mut v: Vec<f64> = xs.filter(|x| x.is_finite()).collect();
    v.sort_by(f64::total_cmp);
    v.dedup();
    v
}

/// Returns the half-width of a cell along an axis of grid values (half the smallest step).
fn half_step(values: &[f64]) -> f64 {
    values
        .windows(2)
        .map(|w| w[1] - w[0])
        .fold(f64::INFINITY, f64::min)
        .min(values.last().map_or(1.0, |v| v.abs().max(1e-9)))
        / 2.0
}

/// Returns the tick labels of grid values, with as few decimals as show them exactly
/// (up to two beyond the unit's usual).
fn grid_labels(values: &[f64], unit: Unit) -> Vec<String> {
    let scale = if unit == Unit::Percent { 100.0 } else { 1.0 };
    let decimals = (0..3)
        .find(|&d| {
            let f = 10f64.powi(d as i32);
            values
                .iter()
                .all(|v| ((v * scale * f).round() - v * scale * f).abs() < 1e-6)
        })
        .unwrap_or(3);
    values
        .iter()
        .map(|&v| match unit {
            Unit::Percent => format::percent(v, decimals),
            Unit::Count => format::grouped(v, decimals),
        })
        .collect()
}

impl Figure for Heatmap<'_> {
    fn name(&self) -> String {
        "sweep".into()
    }

    fn title(&self) -> String {
        self.fx.words.sweep_title.into()
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<()> {
        let (r, fx) = (self.r, self.fx);
        let (l, w, z) = (fx.labels, fx.words, &fx.sizes);
        let y_lever = r.y_lever.as_deref().unwrap_or_default();
        let (xu, yu) = (lever_unit(&r.x_lever), lever_unit(y_lever));
        let xs = distinct(r.rows.iter().map(|row| row.x));
        let ys = distinct(r.rows.iter().filter_map(|row| row.y));
        let (hx, hy) = (half_step(&xs), half_step(&ys));

        let legend = vec![
            Entry {
                swatch: Swatch::Line(style::BLACK),
                text: w.contour_90.into(),
            },
            Entry {
                swatch: Swatch::Dashed(style::BLACK),
                text: w.contour_50.into(),
            },
            Entry {
                swatch: Swatch::Dot(style::VERMILLION),
                text: w
                    .current_point
                    .replace("{p}", &format::probability(r.current.probability)),
            },
        ];
        let mut legend = legend;
        if r.rows.iter().any(|row| row.probability.is_none()) {
            legend.push(Entry {
                swatch: Swatch::Fill(style::NO_RESULT, 1.0),
                text: w.invalid_point.into(),
            });
        }
        let subtitle = w
            .sweep_subtitle
            .replace("{target}", &r.target)
            .replace("{runs}", &format::count(r.runs as f64));
        let area = frame::draw(
            root,
            z,
            &self.title(),
            &fit_subtitle(root, z, &subtitle),
            &legend,
            &fx.footer,
        )?;

        // A colour bar on the right.
        let (width, _) = area.dim_in_pixel();
        let label_style = frame::text(z.tick, style::INK);
        let (pct_w, _) = area.estimate_text_size("100%", &label_style)?;
        let bar_w = (z.tick * 1.2) as u32 + pct_w + z.margin * 2;
        let (plot_area, bar_area) = area.split_horizontally(width.saturating_sub(bar_w));

        let x_range = (
            (xs.first().copied().unwrap_or(0.0) - hx).min(r.x_current - hx),
            (xs.last().copied().unwrap_or(1.0) + hx).max(r.x_current + hx),
        );
        let y_current = r.y_current.unwrap_or(f64::NAN);
        let y_range = (
            (ys.first().copied().unwrap_or(0.0) - hy).min(if y_current.is_finite() {
                y_current - hy
            } else {
                f64::INFINITY
            }),
            (ys.last().copied().unwrap_or(1.0) + hy).max(if y_current.is_finite() {
                y_current + hy
            } else {
                f64::NEG_INFINITY
            }),
        );
        let y_tick_w = grid_labels(&ys, yu)
            .iter()
            .map(|t| area.estimate_text_size(t, &label_style).map_or(0, |s| s.0))
            .max()
            .unwrap_or(0);
        let (plot_w, _) = plot_area.dim_in_pixel();
        let axis_style = frame::text(z.axis, style::INK);
        let x_desc = fit(
            &lever_label(&r.x_lever, l, w),
            plot_w * 9 / 10,
            measurer(&area, &axis_style),
        );
        let y_desc = fit(
            &lever_label(y_lever, l, w),
            (f64::from(area.dim_in_pixel().1) * 0.8) as u32,
            measurer(&area, &axis_style),
        );
        let mut chart = ChartBuilder::on(&plot_area)
            .margin_left(z.margin / 2)
            .margin_right(z.margin / 2)
            .margin_top(z.margin / 2)
            .x_label_area_size((z.tick * 1.6 + z.axis * 1.6) as u32)
            .y_label_area_size(y_tick_w + (z.axis * 2.4) as u32)
            .build_cartesian_2d(x_range.0..x_range.1, y_range.0..y_range.1)?;
        chart
            .configure_mesh()
            .disable_mesh()
            .axis_style(style::MUTED.stroke_width(1))
            .x_labels(0)
            .y_labels(0)
            .label_style(label_style.clone())
            .axis_desc_style(axis_style)
            .x_desc(x_desc)
            .y_desc(y_desc)
            .draw()?;

        // Tick labels at the grid values (every k-th where they would crowd).
        let (x_step, y_step) = (xs.len().div_ceil(10).max(1), ys.len().div_ceil(10).max(1));
        let gap = (z.tick * 0.4) as i32;
        let below = label_style.pos(Pos::new(HPos::Center, VPos::Top));
        let (x_ticks, y_ticks) = (grid_labels(&xs, xu), grid_labels(&ys, yu));
        for (x, text) in xs.iter().zip(&x_ticks).step_by(x_step) {
            let (px, py) = chart.backend_coord(&(*x, y_range.0));
            root.draw(&PathElement::new(
                vec![(px, py), (px, py + gap)],
                style::MUTED.stroke_width(1),
            ))?;
            root.draw_text(text, &below, (px, py + gap + 2))?;
        }
        let left = label_style.pos(Pos::new(HPos::Right, VPos::Center));
        for (y, text) in ys.iter().zip(&y_ticks).step_by(y_step) {
            let (px, py) = chart.backend_coord(&(x_range.0, *y));
            root.draw(&PathElement::new(
                vec![(px - gap, py), (px, py)],
                style::MUTED.stroke_width(1),
            ))?;
            root.draw_text(text, &left, (px - gap - 2, py))?;
        }

        // Cells, with their value where it fits.
        let cell_px = {
            let a = chart.backend_coord(&(x_range.0, y_range.0));
            let b = chart.backend_coord(&(x_range.0 + 2.0 * hx, y_range.0 + 2.0 * hy));
            ((b.0 - a.0).abs(), (b.1 - a.1).abs())
        };
        let (text_w, text_h) = area.estimate_text_size("100%", &label_style)?;
        let write_values = cell_px.0 > text_w as i32 + 6 && cell_px.1 > text_h as i32 + 4;
        for row in &r.rows {
            let Some(y) = row.y else { continue };
            let colour = row.probability.map_or(style::NO_RESULT, style::sequential);
            chart.draw_series(std::iter::once(Rectangle::new(
                [(row.x - hx, y - hy), (row.x + hx, y + hy)],
                colour.filled(),
            )))?;
            if write_values {
                let (text, ink) = match row.probability {
                    Some(p) if style::light_text_on(p) => (format::probability(p), WHITE),
                    Some(p) => (format::probability(p), style::BLACK),
                    None => ("–".to_string(), style::INK),
                };
                let centred = frame::text(z.tick, ink).pos(Pos::new(HPos::Center, VPos::Center));
                root.draw_text(&text, &centred, chart.backend_coord(&(row.x, y)))?;
            }
        }

        // Contours: the k-th crossing of each row joined to the k-th of the next row.
        for level in CONTOUR_LEVELS {
            let by_row: Vec<Vec<(f64, f64)>> = ys
                .iter()
                .map(|&y| {
                    r.contours
                        .iter()
                        .filter(|c| c.level == level && c.y == Some(y))
                        .map(|c| (c.x, y))
                        .collect()
                })
                .collect();
            let most = by_row.iter().map(Vec::len).max().unwrap_or(0);
            for k in 0..most {
                let mut path: Vec<(f64, f64)> = Vec::new();
                let mut paths = Vec::new();
                for row in &by_row {
                    match row.get(k) {
                        Some(&p) => path.push(p),
                        None if !path.is_empty() => paths.push(std::mem::take(&mut path)),
                        None => {}
                    }
                }
                paths.push(path);
                for path in paths.into_iter().filter(|p| !p.is_empty()) {
                    let halo = WHITE.stroke_width(z.line * 2 + 2);
                    chart.draw_series(std::iter::once(PathElement::new(path.clone(), halo)))?;
                    if level < 0.75 {
                        chart.draw_series(DashedLineSeries::new(
                            path.clone(),
                            z.line * 4,
                            z.line * 3,
                            style::BLACK.stroke_width(z.line),
                        ))?;
                    } else {
                        chart.draw_series(LineSeries::new(
                            path.clone(),
                            style::BLACK.stroke_width(z.line),
                        ))?;
                    }
                    chart.draw_series(
                        path.iter()
                            .map(|&p| Circle::new(p, z.line + 1, style::BLACK.filled())),
                    )?;
                }
            }
        }

        // The scenario as it stands.
        if y_current.is_finite() {
            let at = (r.x_current, y_current);
            chart.draw_series(std::iter::once(Circle::new(
                at,
                z.line * 4 + 3,
                WHITE.filled(),
            )))?;
            chart.draw_series(std::iter::once(Circle::new(
                at,
                z.line * 4,
                style::VERMILLION.filled(),
            )))?;
        }

        // Colour bar.
        let (_, bh) = bar_area.dim_in_pixel();
        let (_, plot_top) = chart.backend_coord(&(x_range.0, y_range.1));
        let (_, plot_bottom) = chart.backend_coord(&(x_range.0, y_range.0));
        let (_, area_top) = bar_area.get_base_pixel();
        let (top, bottom) = (plot_top - area_top, (plot_bottom - area_top).min(bh as i32));
        let left = z.margin as i32 / 2;
        let right = left + (z.tick * 1.2) as i32;
        let steps = 50;
        for i in 0..steps {
            let t0 = f64::from(i) / f64::from(steps);
            let t1 = f64::from(i + 1) / f64::from(steps);
            let y_of = |t: f64| bottom - ((bottom - top) as f64 * t).round() as i32;
            bar_area.draw(&Rectangle::new(
                [(left, y_of(t1)), (right, y_of(t0))],
                style::sequential((t0 + t1) / 2.0).filled(),
            ))?;
        }
        let ticks_style = label_style.pos(Pos::new(HPos::Left, VPos::Center));
        for t in [0.0, 0.25, 0.5, 0.75, 1.0] {
            let y = bottom - ((bottom - top) as f64 * t).round() as i32;
            bar_area.draw(&PathElement::new(
                vec![(right, y), (right + 5, y)],
                style::MUTED.stroke_width(1),
            ))?;
            bar_area.draw_text(&tick(t, Unit::Percent, 1.0), &ticks_style, (right + 9, y))?;
        }
        root.present()?;
        Ok(())
    }
}
