//! The `levels` chart: the median stock of each level over the years, stacked lowest level
//! at the bottom. Medians of levels do not add up to the median total; the subtitle says
//! what is stacked.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::frame::{self, Entry, Swatch};
use super::style;
use super::{axis_label, Ctx, DrawResult, Plot};

/// Opacity of the stacked areas.
const FILL: f64 = 0.85;

/// The stacked levels chart.
pub(crate) struct Levels;

impl Plot for Levels {
    fn name(&self) -> String {
        "levels".into()
    }

    fn title(&self, ctx: &Ctx) -> String {
        ctx.labels.levels_title.into()
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, ctx: &Ctx) -> DrawResult<()> {
        let s = ctx.summary;
        let l = ctx.labels;
        let z = &ctx.sizes;
        let years: Vec<i32> = (s.start_year..=s.end_year).collect();
        // medians[level][year]
        let medians: Vec<Vec<f64>> = s
            .levels
            .iter()
            .map(|name| {
                let metric = format!("level.{name}");
                years
                    .iter()
                    .map(|&y| {
                        s.projection
                            .iter()
                            .find(|r| r.year == y && r.metric == metric)
                            .and_then(|r| r.p50)
                            .unwrap_or(0.0)
                    })
                    .collect()
            })
            .collect();
        let colour = |i: usize| style::SERIES[i % style::SERIES.len()];
        let legend: Vec<Entry> = s
            .levels
            .iter()
            .enumerate()
            .map(|(i, name)| Entry {
                swatch: Swatch::Fill(colour(i), FILL),
                text: l.level(name).to_string(),
            })
            .collect();
        let subtitle = format!("{} | {}", s.title, l.levels_note);
        let area = frame::draw(root, z, &self.title(ctx), &subtitle, &legend, &ctx.footer())?;

        let mut cumulative = vec![vec![0.0; years.len()]; medians.len() + 1];
        for (i, m) in medians.iter().enumerate() {
            for (y, v) in m.iter().enumerate() {
                cumulative[i + 1][y] = cumulative[i][y] + v;
            }
        }
        let top = cumulative
            .last()
            .map_or(1.0, |c| c.iter().copied().fold(0.0, f64::max))
            .max(1.0)
            * 1.06;
        let label_style = frame::text(z.tick, style::INK);
        let (label_w, _) = area.estimate_text_size(&axis_label(top, false, top), &label_style)?;
        let x0 = f64::from(s.start_year) - 0.25;
        let x1 = f64::from(s.end_year) + 0.25;
        let mut chart = ChartBuilder::on(&area)
            .margin_left(z.margin / 2)
            .margin_right(z.margin)
            .margin_top(z.margin / 2)
            .x_label_area_size((z.tick * 1.6 + z.axis * 1.6) as u32)
            .y_label_area_size(label_w + (z.axis * 2.2) as u32)
            .build_cartesian_2d(x0..x1, 0.0..top)?;
        let y_fmt = |y: &f64| axis_label(*y, false, top);
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
            .label_style(label_style)
            .axis_desc_style(frame::text(z.axis, style::INK))
            .x_desc(l.year)
            .y_desc(l.people)
            .draw()?;
        let xs: Vec<f64> = years.iter().map(|&y| f64::from(y)).collect();
        for i in 0..medians.len() {
            let upper = xs.iter().copied().zip(cumulative[i + 1].iter().copied());
            let lower = xs.iter().copied().zip(cumulative[i].iter().copied()).rev();
            let polygon: Vec<(f64, f64)> = upper.chain(lower).collect();
            chart.draw_series(std::iter::once(Polygon::new(
                polygon,
                colour(i).mix(FILL).filled(),
            )))?;
            chart.draw_series(LineSeries::new(
                xs.iter().copied().zip(cumulative[i + 1].iter().copied()),
                WHITE.stroke_width((z.line / 2).max(1)),
            ))?;
        }
        root.present()?;
        Ok(())
    }
}
