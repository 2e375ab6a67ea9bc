//! The frame shared by every chart: title and subtitle at the top, a legend that wraps
//! onto as many rows as it needs (so entries never overlap the data or each other), and
//! a source note at the bottom. Returns the area left for the plot.

use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::style::{self, Sizes};
use super::DrawResult;

/// What a legend entry's swatch looks like.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Swatch {
    /// A filled box with an opacity.
    Fill(RGBColor, f64),
    /// A solid line.
    Line(RGBColor),
    /// A dashed line.
    Dashed(RGBColor),
    /// A filled circle.
    Dot(RGBColor),
}

impl Swatch {
    /// The swatch of series `i` drawn by [`alternating_line`]: solid for even `i`,
    /// dashed for odd, so neighbours differ in more than colour.
    pub(crate) fn alternating(i: usize, colour: RGBColor) -> Swatch {
        if i % 2 == 0 {
            Swatch::Line(colour)
        } else {
            Swatch::Dashed(colour)
        }
    }
}

/// Draws series `i` through `points` in `style`: solid for even `i`, dashed
/// (`dash` = (dash length, gap)) for odd.
pub(crate) fn alternating_line<DB: DrawingBackend>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    i: usize,
    points: Vec<(f64, f64)>,
    style: ShapeStyle,
    (dash, gap): (u32, u32),
) -> DrawResult<()> {
    if i % 2 == 0 {
        chart.draw_series(LineSeries::new(points, style))?;
    } else {
        chart.draw_series(DashedLineSeries::new(points, dash, gap, style))?;
    }
    Ok(())
}

/// One legend entry.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    /// Swatch.
    pub swatch: Swatch,
    /// Text.
    pub text: String,
}

/// Returns a text style of the chart font.
pub(crate) fn text(size: f64, colour: RGBColor) -> TextStyle<'static> {
    (style::FONT_FAMILY, size).into_font().color(&colour)
}

/// Draws the frame on `root` and returns the area for the plot.
pub(crate) fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    sizes: &Sizes,
    title: &str,
    subtitle: &str,
    legend: &[Entry],
    footer: &str,
) -> DrawResult<DrawingArea<DB, Shift>> {
    root.fill(&WHITE)?;
    let (width, height) = root.dim_in_pixel();
    let m = sizes.margin as i32;
    let title_style = text(sizes.title, style::INK);
    let sub_style = text(sizes.subtitle, style::MUTED);
    root.draw_text(title, &title_style, (m, m))?;
    let mut y = m + (sizes.title * 1.25) as i32;
    if !subtitle.is_empty() {
        root.draw_text(subtitle, &sub_style, (m, y))?;
        y += (sizes.subtitle * 1.3) as i32;
    }
    y += (sizes.subtitle * 0.4) as i32;

    // Legend: entries flow left to right and wrap.
    let legend_style = text(sizes.subtitle, style::INK);
    let swatch_w = (sizes.subtitle * 1.6) as i32;
    let row_h = (sizes.subtitle * 1.45) as i32;
    let gap = (sizes.subtitle * 1.2) as i32;
    let mut x = m;
    let mut row_y = y;
    for (i, e) in legend.iter().enumerate() {
        let (tw, _) = root.estimate_text_size(&e.text, &legend_style)?;
        let w = swatch_w + (sizes.subtitle * 0.4) as i32 + tw as i32;
        if i > 0 && x + w > width as i32 - m {
            x = m;
            row_y += row_h;
        }
        let cy = row_y + row_h / 2;
        draw_swatch(root, e.swatch, x, cy, swatch_w, sizes)?;
        let anchored = legend_style.pos(Pos::new(HPos::Left, VPos::Center));
        root.draw_text(
            &e.text,
            &anchored,
            (x + swatch_w + (sizes.subtitle * 0.4) as i32, cy),
        )?;
        x += w + gap;
    }
    if !legend.is_empty() {
        row_y += row_h;
    }
    let top = row_y + (sizes.subtitle * 0.3) as i32;

    let note_style = text(sizes.note, style::MUTED).pos(Pos::new(HPos::Left, VPos::Bottom));
    root.draw_text(footer, &note_style, (m, height as i32 - m / 2))?;
    let bottom = (sizes.note * 1.4) as i32 + m / 2;

    let (_, body) = root.split_vertically(top);
    let (body, _) = body.split_vertically(height as i32 - top - bottom);
    Ok(body)
}

/// Draws one legend swatch centred vertically on `cy`.
fn draw_swatch<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    swatch: Swatch,
    x: i32,
    cy: i32,
    w: i32,
    sizes: &Sizes,
) -> DrawResult<()> {
    let h = (sizes.subtitle * 0.7) as i32;
    let line = sizes.line;
    match swatch {
        Swatch::Fill(c, alpha) => {
            root.draw(&Rectangle::new(
                [(x, cy - h / 2), (x + w, cy + h / 2)],
                c.mix(alpha).filled(),
            ))?;
        }
        Swatch::Line(c) => {
            root.draw(&PathElement::new(
                vec![(x, cy), (x + w, cy)],
                c.stroke_width(line),
            ))?;
        }
        Swatch::Dashed(c) => {
            let dash = w / 5;
            for k in [0, 2, 4] {
                root.draw(&PathElement::new(
                    vec![(x + k * dash, cy), (x + (k + 1) * dash, cy)],
                    c.stroke_width(line),
                ))?;
            }
        }
        Swatch::Dot(c) => {
            root.draw(&Circle::new((x + w / 2, cy), h / 2, c.filled()))?;
        }
    }
    Ok(())
}

/// Places labels so that none overlaps another: each rectangle `(x0, y0, x1, y1)` is moved
/// up (by its height plus a gap) until it is clear of the ones placed before it.
pub(crate) fn place_labels(rects: &[(i32, i32, i32, i32)], gap: i32) -> Vec<(i32, i32, i32, i32)> {
    let mut placed: Vec<(i32, i32, i32, i32)> = Vec::new();
    for &(x0, mut y0, x1, mut y1) in rects {
        let h = y1 - y0;
        while placed.iter().any(|&(a0, b0, a1, b1)| {
            x0 < a1 + gap && a0 < x1 + gap && y0 < b1 + gap && b0 < y1 + gap
        }) {
            y0 -= h + gap;
            y1 -= h + gap;
        }
        placed.push((x0, y0, x1, y1));
    }
    placed
}
