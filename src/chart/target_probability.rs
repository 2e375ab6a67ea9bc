//! The `target_probability` chart: for each target, the share of simulated futures in
//! which its condition holds in each projected year, with the 95% Wilson interval of that
//! Monte Carlo estimate shaded.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::frame::{self, Entry, Swatch};
use super::style;
use super::{axis_label, Ctx, DrawResult, Plot};
use crate::stats::wilson;

/// The probability-by-year chart.
pub(crate) struct TargetProbability;

impl Plot for TargetProbability {
    fn name(&self) -> String {
        "target_probability".into()
    }

    fn title(&self, ctx: &Ctx) -> String {
        ctx.labels.prob_title.into()
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, ctx: &Ctx) -> DrawResult<()> {
        let s = ctx.summary;
        let l = ctx.labels;
        let z = &ctx.sizes;
        let colour = |i: usize| style::SERIES[i % style::SERIES.len()];
        let legend: Vec<Entry> = s
            .targets
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let swatch = Swatch::alternating(i, colour(i));
                Entry {
                    swatch,
                    text: t.target.clone(),
                }
            })
            .collect();
        let subtitle = format!("{} | {}", s.title, l.prob_note);
        let area = frame::draw(root, z, &self.title(ctx), &subtitle, &legend, &ctx.footer())?;

        let label_style = frame::text(z.tick, style::INK);
        let (label_w, _) = area.estimate_text_size("100%", &label_style)?;
        let first = s.start_year + 1;
        let x0 = f64::from(first) - 0.25;
        let x1 = f64::from(s.end_year) + 0.25;
        let mut chart = ChartBuilder::on(&area)
            .margin_left(z.margin / 2)
            .margin_right(z.margin)
            .margin_top(z.margin / 2)
            .x_label_area_size((z.tick * 1.6 + z.axis * 1.6) as u32)
            .y_label_area_size(label_w + (z.axis * 2.2) as u32)
            .build_cartesian_2d(x0..x1, -0.03..1.03)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .bold_line_style(style::GRID.stroke_width(1))
            .light_line_style(TRANSPARENT)
            .axis_style(style::MUTED.stroke_width(1))
            .x_labels(ctx.year_labels())
            .x_label_formatter(&|x| super::year_label(*x))
            .y_label_formatter(&|y| axis_label(*y, true, 1.0))
            .label_style(label_style)
            .axis_desc_style(frame::text(z.axis, style::INK))
            .y_labels(6)
            .x_desc(l.year)
            .y_desc(l.probability)
            .draw()?;
        // Targets with the same yearly condition (a year, and a window starting then) have
        // the same line: a target whose line matches earlier ones is drawn wider, and
        // before them, so each stays visible as a stripe; odd targets are also dashed.
        let curve = |name: &str| -> Vec<f64> {
            s.target_years
                .iter()
                .filter(|r| r.target == name)
                .map(|r| r.p_holds)
                .collect()
        };
        let curves: Vec<Vec<f64>> = s.targets.iter().map(|t| curve(&t.target)).collect();
        let same = |a: &[f64], b: &[f64]| a.iter().zip(b).all(|(x, y)| (x - y).abs() < 0.01);
        for (i, t) in s.targets.iter().enumerate().rev() {
            let under = (0..i).filter(|&j| same(&curves[i], &curves[j])).count();
            let width = z.line * (1 + under.min(3) as u32);
            let rows: Vec<_> = s
                .target_years
                .iter()
                .filter(|r| r.target == t.target)
                .collect();
            let band: Vec<(f64, f64, f64)> = rows
                .iter()
                .map(|r| {
                    let k = (r.p_holds * s.runs as f64).round() as u64;
                    let (lo, hi) = wilson(k, s.runs);
                    (f64::from(r.year), lo, hi)
                })
                .collect();
            let polygon: Vec<(f64, f64)> = band
                .iter()
                .map(|b| (b.0, b.2))
                .chain(band.iter().rev().map(|b| (b.0, b.1)))
                .collect();
            chart.draw_series(std::iter::once(Polygon::new(
                polygon,
                colour(i).mix(style::WILSON_OPACITY).filled(),
            )))?;
            let points: Vec<(f64, f64)> = rows
                .iter()
                .map(|r| (f64::from(r.year), r.p_holds))
                .collect();
            frame::alternating_line(
                &mut chart,
                i,
                points.clone(),
                colour(i).stroke_width(width),
                (z.line * 5, z.line * 4),
            )?;
            chart.draw_series(
                points
                    .into_iter()
                    .map(|p| Circle::new(p, z.line + width, colour(i).filled())),
            )?;
        }
        root.present()?;
        Ok(())
    }
}
