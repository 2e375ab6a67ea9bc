//! Probability curves: a target's probability against a lever value (`solve`, and `sweep`
//! with one lever) or against the first year (`earliest_year`), with the 95% Wilson band,
//! the requested levels as horizontal lines, the answers as vertical marks and the
//! scenario's own point. Every number is written in the legend, so no label can cover
//! the curve.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{
    fit, fit_subtitle, lever_label, lever_unit, measurer, padded_range, tick, value, Fx, Unit,
};
use crate::analysis::solve::Solve;
use crate::analysis::sweep::{Sweep, CONTOUR_LEVELS};
use crate::chart::frame::{self, Entry, Swatch};
use crate::chart::{style, year_label, DrawResult, Figure};
use crate::format;

/// Colour of the curve and its band.
const CURVE: RGBColor = style::BLUE;
/// Colour of the answer marks.
const MARK: RGBColor = style::VERMILLION;

/// What the x axis holds.
#[derive(Debug, Clone, Copy)]
enum Axis {
    /// Values of a lever.
    Lever(Unit),
    /// Years.
    Year,
}

/// A horizontal reference line.
struct Level {
    at: f64,
    text: String,
    dashed: bool,
}

/// A vertical mark: a value, optionally its range, and where its line stops.
struct Mark {
    at: f64,
    range: Option<(f64, f64)>,
    up_to: f64,
    text: String,
}

/// A probability curve ready to draw.
pub(crate) struct Curve<'a> {
    fx: &'a Fx,
    name: String,
    title: String,
    subtitle: String,
    x_desc: String,
    axis: Axis,
    /// (x, probability, Wilson low, Wilson high), in x order.
    points: Vec<(f64, f64, f64, f64)>,
    levels: Vec<Level>,
    marks: Vec<Mark>,
    /// The scenario's own point and its legend text.
    current: Option<(f64, f64, String)>,
}

/// Returns the `solve` chart, when a lever was solved for.
pub(crate) fn solve<'a>(r: &Solve, fx: &'a Fx) -> Option<Curve<'a>> {
    let s = r.lever.as_ref()?;
    let (l, w) = (fx.labels, fx.words);
    let unit = lever_unit(&s.lever);
    let p = format::percent_exact(s.requested);
    let mut marks = Vec::new();
    match s.value {
        Some(v) => {
            let template = if s.direction == "increasing" {
                w.solved_at_least
            } else {
                w.solved_at_most
            };
            let low = s
                .value_low
                .map_or_else(|| format!("<{}", value(s.min, unit)), |x| value(x, unit));
            let high = s
                .value_high
                .map_or_else(|| format!(">{}", value(s.max, unit)), |x| value(x, unit));
            marks.push(Mark {
                at: v,
                range: s.value_low.zip(s.value_high),
                up_to: s.requested,
                text: template
                    .replace("{value}", &value(v, unit))
                    .replace("{low}", &low)
                    .replace("{high}", &high),
            });
        }
        None => marks.push(Mark {
            at: f64::NAN,
            range: None,
            up_to: 0.0,
            text: w
                .unreachable
                .replace("{min}", &value(s.min, unit))
                .replace("{max}", &value(s.max, unit)),
        }),
    }
    Some(Curve {
        fx,
        name: "solve".into(),
        title: w.solve_title.into(),
        subtitle: w
            .solve_subtitle
            .replace("{target}", &r.target)
            .replace("{runs}", &format::count(r.runs as f64)),
        x_desc: lever_label(&s.lever, l, w),
        axis: Axis::Lever(unit),
        points: s
            .evaluations
            .iter()
            .map(|e| {
                let q = e.probability;
                (e.value, q.probability, q.ci_low, q.ci_high)
            })
            .collect(),
        levels: vec![Level {
            at: s.requested,
            text: w.requested.replace("{p}", &p),
            dashed: true,
        }],
        marks,
        current: Some((
            s.current_value,
            s.current_probability.probability,
            w.current_point.replace(
                "{p}",
                &format!(
                    "{} → {}",
                    value(s.current_value, unit),
                    format::probability(s.current_probability.probability)
                ),
            ),
        )),
    })
}

/// Returns the `earliest_year` chart: the probability by first year.
pub(crate) fn earliest<'a>(r: &Solve, fx: &'a Fx) -> Option<Curve<'a>> {
    let e = &r.earliest;
    if e.years.is_empty() {
        return None;
    }
    let (l, w) = (fx.labels, fx.words);
    let p = format::percent_exact(e.requested);
    let marks = match e.year {
        Some(year) => vec![Mark {
            at: f64::from(year),
            range: None,
            up_to: e
                .years
                .iter()
                .find(|y| y.year == year)
                .map_or(e.requested, |y| y.probability.probability),
            text: w
                .earliest_found
                .replace("{p}", &p)
                .replace("{year}", &year.to_string()),
        }],
        None => vec![Mark {
            at: f64::NAN,
            range: None,
            up_to: 0.0,
            text: w.earliest_none.replace("{p}", &p),
        }],
    };
    Some(Curve {
        fx,
        name: "earliest_year".into(),
        title: w.earliest_title.into(),
        subtitle: w
            .solve_subtitle
            .replace("{target}", &r.target)
            .replace("{runs}", &format::count(r.runs as f64)),
        x_desc: l.year.into(),
        axis: Axis::Year,
        points: e
            .years
            .iter()
            .map(|y| {
                let q = y.probability;
                (f64::from(y.year), q.probability, q.ci_low, q.ci_high)
            })
            .collect(),
        levels: vec![Level {
            at: e.requested,
            text: w.requested.replace("{p}", &p),
            dashed: true,
        }],
        marks,
        current: None,
    })
}

/// Returns the `sweep` chart of a one-lever sweep.
pub(crate) fn sweep<'a>(r: &Sweep, fx: &'a Fx) -> Curve<'a> {
    let (l, w) = (fx.labels, fx.words);
    let unit = lever_unit(&r.x_lever);
    let marks = r
        .contours
        .iter()
        .filter(|c| c.y.is_none())
        .map(|c| Mark {
            at: c.x,
            range: None,
            up_to: c.level,
            text: w
                .crossing
                .replace("{level}", &format::percent_exact(c.level))
                .replace("{value}", &value(c.x, unit)),
        })
        .collect();
    Curve {
        fx,
        name: "sweep".into(),
        title: w.solve_title.into(),
        subtitle: w
            .sweep_subtitle
            .replace("{target}", &r.target)
            .replace("{runs}", &format::count(r.runs as f64)),
        x_desc: lever_label(&r.x_lever, l, w),
        axis: Axis::Lever(unit),
        points: r
            .rows
            .iter()
            .filter_map(|row| Some((row.x, row.probability?, row.ci_low?, row.ci_high?)))
            .collect(),
        levels: CONTOUR_LEVELS
            .iter()
            .map(|&at| Level {
                at,
                text: w.level_line.replace("{p}", &format::percent_exact(at)),
                dashed: at < 0.75,
            })
            .collect(),
        marks,
        current: Some((
            r.x_current,
            r.current.probability,
            w.current_point.replace(
                "{p}",
                &format!(
                    "{} → {}",
                    value(r.x_current, unit),
                    format::probability(r.current.probability)
                ),
            ),
        )),
    }
}

impl Figure for Curve<'_> {
    fn name(&self) -> String {
        self.name.clone()
    }

    fn title(&self) -> String {
        self.title.clone()
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<()> {
        let fx = self.fx;
        let (l, w, z) = (fx.labels, fx.words, &fx.sizes);
        let mut legend = vec![Entry {
            swatch: Swatch::Line(CURVE),
            text: w.estimate.into(),
        }];
        for level in &self.levels {
            legend.push(Entry {
                swatch: if level.dashed {
                    Swatch::Dashed(style::INK)
                } else {
                    Swatch::Line(style::INK)
                },
                text: level.text.clone(),
            });
        }
        for mark in &self.marks {
            legend.push(Entry {
                swatch: Swatch::Line(MARK),
                text: mark.text.clone(),
            });
        }
        if let Some((_, _, text)) = &self.current {
            legend.push(Entry {
                swatch: Swatch::Dot(style::BLACK),
                text: text.clone(),
            });
        }
        let area = frame::draw(
            root,
            z,
            &self.title,
            &fit_subtitle(root, z, &self.subtitle),
            &legend,
            &fx.footer,
        )?;

        let xs = self
            .points
            .iter()
            .map(|p| p.0)
            .chain(self.marks.iter().map(|m| m.at))
            .chain(self.current.iter().map(|c| c.0));
        let (x0, x1) = match self.axis {
            Axis::Year => {
                let (a, b) = padded_range(xs, 0.0);
                (a.round() - 0.5, b.round() + 0.5)
            }
            Axis::Lever(_) => padded_range(xs, 0.04),
        };
        let span = x1 - x0;
        let label_style = frame::text(z.tick, style::INK);
        let (label_w, _) = area.estimate_text_size("100%", &label_style)?;
        let (width, _) = area.dim_in_pixel();
        let x_desc = fit(
            &self.x_desc,
            width * 9 / 10,
            measurer(&area, &frame::text(z.axis, style::INK)),
        );
        let mut chart = ChartBuilder::on(&area)
            .margin_left(z.margin / 2)
            .margin_right(z.margin)
            .margin_top(z.margin / 2)
            .x_label_area_size((z.tick * 1.6 + z.axis * 1.6) as u32)
            .y_label_area_size(label_w + (z.axis * 2.2) as u32)
            .build_cartesian_2d(x0..x1, -0.03..1.03)?;
        let axis = self.axis;
        let x_fmt = move |x: &f64| match axis {
            Axis::Year => year_label(*x),
            Axis::Lever(unit) => tick(*x, unit, span),
        };
        let years = (span.round() as usize).clamp(2, 13);
        chart
            .configure_mesh()
            .disable_x_mesh()
            .bold_line_style(style::GRID.stroke_width(1))
            .light_line_style(TRANSPARENT)
            .axis_style(style::MUTED.stroke_width(1))
            .x_labels(match axis {
                Axis::Year => years,
                Axis::Lever(_) => 8,
            })
            .y_labels(6)
            .x_label_formatter(&x_fmt)
            .y_label_formatter(&|y| tick(*y, Unit::Percent, 1.0))
            .label_style(label_style)
            .axis_desc_style(frame::text(z.axis, style::INK))
            .x_desc(x_desc)
            .y_desc(l.probability)
            .draw()?;

        for mark in &self.marks {
            if let Some((a, b)) = mark.range {
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(a.min(b), -0.03), (a.max(b), 1.03)],
                    MARK.mix(0.15).filled(),
                )))?;
            }
        }
        let band: Vec<(f64, f64)> = self
            .points
            .iter()
            .map(|p| (p.0, p.3))
            .chain(self.points.iter().rev().map(|p| (p.0, p.2)))
            .collect();
        chart.draw_series(std::iter::once(Polygon::new(
            band,
            CURVE.mix(style::WILSON_OPACITY).filled(),
        )))?;
        for level in &self.levels {
            let line = vec![(x0, level.at), (x1, level.at)];
            if level.dashed {
                chart.draw_series(DashedLineSeries::new(
                    line,
                    z.line * 4,
                    z.line * 3,
                    style::INK.stroke_width((z.line / 2).max(1)),
                ))?;
            } else {
                chart.draw_series(LineSeries::new(
                    line,
                    style::INK.stroke_width((z.line / 2).max(1)),
                ))?;
            }
        }
        let curve: Vec<(f64, f64)> = self.points.iter().map(|p| (p.0, p.1)).collect();
        chart.draw_series(LineSeries::new(curve.clone(), CURVE.stroke_width(z.line)))?;
        if curve.len() <= 40 {
            chart.draw_series(
                curve
                    .into_iter()
                    .map(|p| Circle::new(p, z.line + 1, CURVE.filled())),
            )?;
        }
        for mark in self.marks.iter().filter(|m| m.at.is_finite()) {
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(mark.at, -0.03), (mark.at, mark.up_to)],
                MARK.stroke_width(z.line),
            )))?;
            chart.draw_series(std::iter::once(Circle::new(
                (mark.at, mark.up_to),
                z.line * 2 + 1,
                MARK.filled(),
            )))?;
        }
        if let Some((x, p, _)) = &self.current {
            chart.draw_series(std::iter::once(Circle::new(
                (*x, *p),
                z.line * 3 + 2,
                WHITE.filled(),
            )))?;
            chart.draw_series(std::iter::once(Circle::new(
                (*x, *p),
                z.line * 3,
                style::BLACK.filled(),
            )))?;
        }
        root.present()?;
        Ok(())
    }
}
