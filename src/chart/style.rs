//! The look of every chart in one place: default size, palette, band quantiles, type
//! sizes and the embedded font.
//!
//! The palette is Okabe and Ito's (2008) colour-universal design, safe for the common
//! colour-vision deficiencies. Type sizes follow the chart's size, less than in proportion
//! below the default so that small charts stay legible.

use std::sync::OnceLock;

use plotters::style::{FontStyle, RGBColor};

/// Default chart width in pixels.
pub const DEFAULT_WIDTH: u32 = 1600;
/// Default chart height in pixels.
pub const DEFAULT_HEIGHT: u32 = 1000;
/// Smallest accepted width or height: below it labels cannot fit.
pub const MIN_SIZE: u32 = 400;
/// Largest accepted width or height.
pub const MAX_SIZE: u32 = 10_000;

/// Okabe-Ito black.
pub const BLACK: RGBColor = RGBColor(0, 0, 0);
/// Okabe-Ito orange.
pub const ORANGE: RGBColor = RGBColor(230, 159, 0);
/// Okabe-Ito sky blue.
pub const SKY_BLUE: RGBColor = RGBColor(86, 180, 233);
/// Okabe-Ito bluish green.
pub const GREEN: RGBColor = RGBColor(0, 158, 115);
/// Okabe-Ito yellow.
pub const YELLOW: RGBColor = RGBColor(240, 228, 66);
/// Okabe-Ito blue.
pub const BLUE: RGBColor = RGBColor(0, 114, 178);
/// Okabe-Ito vermillion.
pub const VERMILLION: RGBColor = RGBColor(213, 94, 0);
/// Okabe-Ito reddish purple.
pub const PURPLE: RGBColor = RGBColor(204, 121, 167);
/// Text and axes.
pub const INK: RGBColor = RGBColor(33, 33, 33);
/// Secondary text (subtitles, source notes).
pub const MUTED: RGBColor = RGBColor(96, 96, 96);
/// Grid lines.
pub const GRID: RGBColor = RGBColor(225, 225, 225);

/// Colours of series that must be told apart (levels, targets), in order of use.
pub const SERIES: [RGBColor; 7] = [BLUE, ORANGE, GREEN, VERMILLION, PURPLE, SKY_BLUE, YELLOW];

/// Anchors of the sequential colour scale of heatmaps (viridis: perceptually uniform and
/// readable with the common colour-vision deficiencies), from 0 to 1.
const SEQUENTIAL: [RGBColor; 5] = [
    RGBColor(68, 1, 84),
    RGBColor(59, 82, 139),
    RGBColor(33, 145, 140),
    RGBColor(94, 201, 98),
    RGBColor(253, 231, 37),
];

/// Returns the heatmap colour of a value from 0 to 1 (clamped).
pub fn sequential(t: f64) -> RGBColor {
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let x = t * (SEQUENTIAL.len() - 1) as f64;
    let i = (x.floor() as usize).min(SEQUENTIAL.len() - 2);
    let f = x - i as f64;
    let (a, b) = (SEQUENTIAL[i], SEQUENTIAL[i + 1]);
    let mix = |p: u8, q: u8| (f64::from(p) + (f64::from(q) - f64::from(p)) * f).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Whether text on a heatmap cell of value `t` should be white (dark cells).
pub fn light_text_on(t: f64) -> bool {
    t < 0.6
}

/// Colour of a heatmap cell without a result.
pub const NO_RESULT: RGBColor = RGBColor(200, 200, 200);

/// The fan's bands, widest first: (lower quantile, upper quantile, opacity).
pub const FAN_BANDS: [(&str, &str, f64); 2] = [("p05", "p95", 0.18), ("p25", "p75", 0.38)];
/// Colour of the fan's bands and median.
pub const FAN_COLOUR: RGBColor = BLUE;
/// Colour of the central path (dashed).
pub const CENTRAL_COLOUR: RGBColor = BLACK;
/// Colour of runs that meet a target in distribution charts.
pub const HELD_COLOUR: RGBColor = BLUE;
/// Colour of runs that miss a target in distribution charts.
pub const MISSED_COLOUR: RGBColor = ORANGE;
/// Opacity of the Wilson band in the probability chart.
pub const WILSON_OPACITY: f64 = 0.2;

/// Font family of chart text: the embedded font's name for PNG charts, and a CSS family list
/// for SVG charts, which viewers draw with the same font if they have it, else their own
/// sans-serif.
pub const FONT_FAMILY: &str = "Noto Sans CJK SC, Source Han Sans SC, Noto Sans, sans-serif";
/// The embedded font: a subset of Noto Sans CJK SC (SIL OFL 1.1, see assets/fonts/).
pub const FONT_BYTES: &[u8] = include_bytes!("../../assets/fonts/NotoSansCJKsc-Regular-subset.otf");

/// Type sizes and line widths for one chart size, in pixels.
#[derive(Debug, Clone, Copy)]
pub struct Sizes {
    /// Chart title.
    pub title: f64,
    /// Subtitle and legend.
    pub subtitle: f64,
    /// Axis titles.
    pub axis: f64,
    /// Tick labels and annotations.
    pub tick: f64,
    /// Source note at the bottom.
    pub note: f64,
    /// Outer margin.
    pub margin: u32,
    /// Width of main lines.
    pub line: u32,
}

impl Sizes {
    /// Returns the sizes for a chart of `width` x `height` pixels.
    pub fn for_size(width: u32, height: u32) -> Sizes {
        // Type shrinks more slowly than the chart so that small charts stay legible.
        let u = (f64::from(width) / 1600.0)
            .min(f64::from(height) / 1000.0)
            .powf(0.7);
        let px = |x: f64| (x * u).max(9.0);
        Sizes {
            title: px(34.0),
            subtitle: px(22.0),
            axis: px(22.0),
            tick: px(20.0),
            note: px(16.0),
            margin: (28.0 * u).round().max(6.0) as u32,
            line: (3.0 * u).round().max(1.0) as u32,
        }
    }
}

/// Registers the embedded font with plotters, once per process.
///
/// # Errors
/// `Err` if the embedded font cannot be parsed (a broken build).
pub fn register_font() -> Result<(), String> {
    static DONE: OnceLock<Result<(), String>> = OnceLock::new();
    DONE.get_or_init(|| {
        plotters::style::register_font(FONT_FAMILY, FontStyle::Normal, FONT_BYTES)
            .map_err(|_| "the embedded font cannot be read".to_string())
    })
    .clone()
}
