//! The PNG backend: plotters' bitmap backend with text placed glyph by glyph as the font
//! says.
//!
//! plotters 0.3.7 rasterises each glyph at the pen position but drops the glyph's left
//! side bearing (`px_bounds().min.x`), so a glyph that starts left of its pen position
//! (`j`, `f`) is drawn too far right and one that starts right of it (`H`, `l`) too far
//! left: "Zhang jiagang", "work force". This backend draws text the same way but puts each
//! glyph's outline where the font places it, at sub-pixel pen positions. Everything else,
//! text measurement included, is the bitmap backend's, so layouts do not move.

use ab_glyph::{point, Font, FontRef, ScaleFont};
use plotters::prelude::BitMapBackend;
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
};

use super::style;

/// A bitmap backend whose text follows the font's glyph placement.
pub(crate) struct PngBackend<'a> {
    inner: BitMapBackend<'a>,
    font: FontRef<'static>,
}

impl<'a> PngBackend<'a> {
    /// Draws into an RGB buffer of `size` pixels, with the embedded font.
    pub(crate) fn with_buffer(buf: &'a mut [u8], size: (u32, u32)) -> Result<Self, String> {
        let font = FontRef::try_from_slice(style::FONT_BYTES)
            .map_err(|e| format!("the embedded font cannot be read: {e}"))?;
        Ok(PngBackend {
            inner: BitMapBackend::with_buffer(buf, size),
            font,
        })
    }
}

type BitMapError = <BitMapBackend<'static> as DrawingBackend>::ErrorType;
type Result2 = Result<(), DrawingErrorKind<BitMapError>>;

impl DrawingBackend for PngBackend<'_> {
    type ErrorType = BitMapError;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }

    fn ensure_prepared(&mut self) -> Result2 {
        self.inner.ensure_prepared()
    }

    fn present(&mut self) -> Result2 {
        self.inner.present()
    }

    fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> Result2 {
        self.inner.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result2 {
        self.inner.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result2 {
        self.inner.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result2 {
        self.inner.draw_path(path, style)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result2 {
        self.inner.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result2 {
        self.inner.fill_polygon(vert, style)
    }

    fn blit_bitmap(&mut self, pos: BackendCoord, size: (u32, u32), src: &[u8]) -> Result2 {
        self.inner.blit_bitmap(pos, size, src)
    }

    fn estimate_text_size<TStyle: BackendTextStyle>(
        &self,
        text: &str,
        style: &TStyle,
    ) -> Result<(u32, u32), DrawingErrorKind<Self::ErrorType>> {
        self.inner.estimate_text_size(text, style)
    }

    /// As plotters' default `draw_text` (the same anchor, box and rotation), with the
    /// glyphs placed by [`glyph_pixels`].
    fn draw_text<TStyle: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &TStyle,
        pos: BackendCoord,
    ) -> Result2 {
        let color = style.color();
        if color.alpha == 0.0 {
            return Ok(());
        }
        let ((min_x, min_y), (max_x, max_y)) = style
            .layout_box(text)
            .map_err(|e| DrawingErrorKind::FontError(Box::new(e)))?;
        let (width, height) = (max_x - min_x, max_y - min_y);
        let dx = match style.anchor().h_pos {
            HPos::Left => 0,
            HPos::Right => -width,
            HPos::Center => -width / 2,
        };
        let dy = match style.anchor().v_pos {
            VPos::Top => 0,
            VPos::Center => -height / 2,
            VPos::Bottom => -height,
        };
        let trans = style.transform();
        let (w, h) = self.get_size();
        let mut result = Ok(());
        glyph_pixels(&self.font, style.size(), text, |x, y, coverage| {
            let (x, y) = trans.transform(x + dx - min_x, y + dy - min_y);
            let (x, y) = (pos.0 + x, pos.1 + y);
            if result.is_ok() && x >= 0 && x < w as i32 && y >= 0 && y < h as i32 {
                result = self
                    .inner
                    .draw_pixel((x, y), color.mix(f64::from(coverage)));
            }
        });
        result
    }
}

/// Calls `pixel(x, y, coverage)` for every pixel the glyphs of `text` cover at `size`
/// pixels: the pen advances by each glyph's advance and kerning, unrounded, and each
/// outline is drawn where the font puts it relative to the pen. Vertically the baseline
/// is at `size / 2`, as plotters places it, so text sits where plotters measured it.
pub(crate) fn glyph_pixels(
    font: &FontRef<'_>,
    size: f64,
    text: &str,
    mut pixel: impl FnMut(i32, i32, f32),
) {
    let scaled = font.as_scaled(size as f32);
    let baseline = (size / 2.0) as f32;
    let mut pen = 0f32;
    let mut prev = None;
    for c in text.chars() {
        let id = scaled.glyph_id(c);
        if let Some(p) = prev {
            pen += scaled.kern(p, id);
        }
        prev = Some(id);
        let glyph = id.with_scale_and_position(scaled.scale(), point(pen, baseline));
        if let Some(outline) = scaled.outline_glyph(glyph) {
            let bounds = outline.px_bounds();
            let (x0, y0) = (bounds.min.x as i32, bounds.min.y as i32);
            outline.draw(|x, y, coverage| pixel(x0 + x as i32, y0 + y as i32, coverage));
        }
        pen += scaled.h_advance(id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Returns the leftmost column with ink when `text` is drawn at `size`.
    fn first_ink(font: &FontRef<'_>, size: f64, text: &str) -> i32 {
        let mut left = i32::MAX;
        glyph_pixels(font, size, text, |x, _, c| {
            if c > 0.5 {
                left = left.min(x);
            }
        });
        left
    }

    #[test]
    fn a_glyph_starts_at_its_left_side_bearing() {
        let font = FontRef::try_from_slice(style::FONT_BYTES).unwrap();
        let size = 100.0;
        let scaled = font.as_scaled(size as f32);
        for c in ['H', 'l', 'j', 'f', 'T'] {
            let bearing = scaled.h_side_bearing(scaled.glyph_id(c));
            let got = first_ink(&font, size, &c.to_string());
            // Anti-aliased edges: within two pixels of the outline's start.
            assert!(
                (f64::from(got) - f64::from(bearing)).abs() <= 2.0,
                "{c}: ink from {got}, bearing {bearing}"
            );
        }
    }

    #[test]
    fn a_glyph_after_another_starts_one_advance_later_at_its_bearing() {
        // A space has no ink: in " j" the first ink is j's, at the space's advance plus
        // kerning plus j's bearing. The old placement drew "x j" for "xj".
        let font = FontRef::try_from_slice(style::FONT_BYTES).unwrap();
        let size = 100.0;
        let scaled = font.as_scaled(size as f32);
        let space = scaled.glyph_id(' ');
        for c in ['j', 'f', 'H'] {
            let id = scaled.glyph_id(c);
            let expected =
                scaled.h_advance(space) + scaled.kern(space, id) + scaled.h_side_bearing(id);
            let got = first_ink(&font, size, &format!(" {c}"));
            assert!(
                (f64::from(got) - f64::from(expected)).abs() <= 2.0,
                "{c}: ink from {got}, expected about {expected}"
            );
        }
    }
}
