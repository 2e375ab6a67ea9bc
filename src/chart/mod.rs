//! Charts and the HTML report (docs/outputs.md): pictures of a [`Summary`].
//!
//! Each chart is one file here, drawn by a function generic over the plotters backend, so
//! the same code makes the SVG and the PNG. Text is rendered with the font embedded in the
//! binary (pure-Rust `ab_glyph`; no system fonts are looked up). Charts are rendered in
//! memory and returned as bytes; the caller writes them (into the output staging folder).
//! Sizes, colours and band quantiles live in [`style`]; words in [`labels`]. Nothing here
//! runs the model: everything comes from the summary, so `talentsim plot` can redraw the
//! charts from a saved `summary.json`.

pub mod analysis;
pub mod calibration;
mod distribution;
mod fan;
mod frame;
pub mod labels;
mod levels;
mod raster;
pub mod report;
pub mod style;
mod target_probability;

use crate::scenario::Direction;
use plotters::coord::Shift;
use plotters::prelude::*;
use rayon::prelude::*;

pub use labels::{Labels, Lang};

use crate::format;
use crate::stats::Summary;

/// Why a chart could not be drawn.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    /// The embedded font could not be loaded.
    #[error("cannot load the chart font: {0}")]
    Font(String),
    /// Drawing failed.
    #[error("cannot draw chart {chart}: {message}")]
    Draw {
        /// Chart name.
        chart: String,
        /// What went wrong.
        message: String,
    },
    /// The requested size is out of range.
    #[error("chart size {width}x{height} is out of range: width and height must be {min} to {max} pixels")]
    Size {
        /// Width asked for.
        width: u32,
        /// Height asked for.
        height: u32,
        /// Smallest size.
        min: u32,
        /// Largest size.
        max: u32,
    },
}

/// A drawing failure inside one chart, from any backend.
#[derive(Debug)]
pub(crate) struct DrawError(String);

impl<E: std::error::Error + Send + Sync> From<DrawingAreaErrorKind<E>> for DrawError {
    fn from(e: DrawingAreaErrorKind<E>) -> DrawError {
        DrawError(e.to_string())
    }
}

/// Result of drawing one chart.
pub(crate) type DrawResult<T> = Result<T, DrawError>;

/// How to draw the charts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChartConfig {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Language of the labels.
    pub lang: Lang,
}

impl Default for ChartConfig {
    fn default() -> ChartConfig {
        ChartConfig {
            width: style::DEFAULT_WIDTH,
            height: style::DEFAULT_HEIGHT,
            lang: Lang::En,
        }
    }
}

/// One drawn chart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chart {
    /// File name without extension, e.g. `fan_total`.
    pub name: String,
    /// Title drawn at the top, for the report.
    pub title: String,
    /// The SVG document.
    pub svg: String,
    /// The PNG file.
    pub png: Vec<u8>,
}

/// Lists the files of drawn charts, `<name>.svg` and `<name>.png` with their bytes, in
/// chart order, for [`crate::output::write_figures`].
pub fn files(charts: &[Chart]) -> Vec<(String, &[u8])> {
    charts
        .iter()
        .flat_map(|c| {
            [
                (format!("{}.svg", c.name), c.svg.as_bytes()),
                (format!("{}.png", c.name), c.png.as_slice()),
            ]
        })
        .collect()
}

/// What every chart's drawing function gets besides the backend.
pub(crate) struct Ctx<'a> {
    /// The results.
    pub summary: &'a Summary,
    /// Words.
    pub labels: &'static Labels,
    /// Type sizes.
    pub sizes: style::Sizes,
}

impl Ctx<'_> {
    /// Returns the source note printed at the bottom of each chart.
    pub fn footer(&self) -> String {
        let s = self.summary;
        let note = self
            .labels
            .footer
            .replace("{runs}", &format::count(s.runs as f64))
            .replace("{seed}", &s.seed.to_string())
            .replace("{version}", &s.version);
        format!("{} | {note}", s.title)
    }

    /// Returns how many year labels the x axis asks for: one per year up to 12 years.
    pub fn year_labels(&self) -> usize {
        ((self.summary.end_year - self.summary.start_year) as usize + 1).min(13)
    }
}

/// Formats a year tick: whole years only (plotters may place ticks between years on
/// long horizons; those stay unlabelled).
pub(crate) fn year_label(x: f64) -> String {
    if (x - x.round()).abs() < 1e-6 {
        format!("{x:.0}")
    } else {
        String::new()
    }
}

/// Formats an axis value: a percentage for shares (one decimal when the axis spans less
/// than 5 points), a count with separators otherwise.
pub(crate) fn axis_label(x: f64, is_share: bool, span: f64) -> String {
    if is_share {
        format::percent(x, if span < 0.05 { 1 } else { 0 })
    } else if span < 10.0 {
        format::grouped(x, 1)
    } else {
        format::count(x)
    }
}

/// Returns a named quantile (`p05`, `p25`, `p50`, `p75`, `p95`) of a projection row.
pub(crate) fn quantile(row: &crate::stats::ProjectionRow, name: &str) -> Option<f64> {
    match name {
        "p05" => row.p05,
        "p10" => row.p10,
        "p25" => row.p25,
        "p50" => row.p50,
        "p75" => row.p75,
        "p90" => row.p90,
        "p95" => row.p95,
        _ => None,
    }
}

/// Returns the central path's value of a metric in one row (`None` if undefined).
pub(crate) fn central_value(
    row: &crate::stats::CentralRow,
    metric: &str,
    levels: &[String],
) -> Option<f64> {
    match metric {
        "total" => Some(row.total),
        "high_skill" => Some(row.high_skill),
        "high_skill_share" => row.high_skill_share,
        "high_skill_added" => Some(row.high_skill_added),
        "high_skill_net_change" => Some(row.high_skill_net_change),
        other => {
            let name = other.strip_prefix("level.")?;
            let l = levels.iter().position(|x| x == name)?;
            row.levels.get(l).copied()
        }
    }
}

/// Describes a target's condition briefly, e.g. `≥ 40% in 2026`.
pub(crate) fn condition(t: &crate::stats::TargetRow, labels: &Labels) -> String {
    let sign = if t.direction == Direction::AtMost {
        labels.at_most
    } else {
        labels.at_least
    };
    let threshold = if t.metric.is_share() {
        format::percent_exact(t.threshold)
    } else {
        format::count(t.threshold)
    };
    let when = match t.through {
        Some(through) => labels
            .window
            .replace("{year}", &t.year.to_string())
            .replace("{through}", &through.to_string()),
        None => labels.in_year.replace("{year}", &t.year.to_string()),
    };
    format!("{sign} {threshold} {when}")
}

/// A chart that can be drawn on any backend.
pub(crate) trait Plot {
    /// Returns the file name without extension.
    fn name(&self) -> String;
    /// Returns the title drawn at the top.
    fn title(&self, ctx: &Ctx) -> String;
    /// Draws the chart on `root` and presents it.
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, ctx: &Ctx) -> DrawResult<()>;
}

/// A chart bound to its data, ready to draw on any backend.
pub(crate) trait Figure {
    /// Returns the file name without extension.
    fn name(&self) -> String;
    /// Returns the title drawn at the top.
    fn title(&self) -> String;
    /// Draws the chart on `root` and presents it.
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<()>;
}

/// A [`Plot`] of a run's summary with its context.
struct Bound<'a, 'c, P>(&'a P, &'a Ctx<'c>);

impl<P: Plot> Figure for Bound<'_, '_, P> {
    fn name(&self) -> String {
        self.0.name()
    }

    fn title(&self) -> String {
        self.0.title(self.1)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<()> {
        self.0.draw(root, self.1)
    }
}

/// Checks the size and loads the font.
///
/// # Errors
/// [`ChartError`] when the size is out of range or the font cannot be loaded.
pub(crate) fn prepare(config: &ChartConfig) -> Result<(), ChartError> {
    let (w, h) = (config.width, config.height);
    if !(style::MIN_SIZE..=style::MAX_SIZE).contains(&w)
        || !(style::MIN_SIZE..=style::MAX_SIZE).contains(&h)
    {
        return Err(ChartError::Size {
            width: w,
            height: h,
            min: style::MIN_SIZE,
            max: style::MAX_SIZE,
        });
    }
    style::register_font().map_err(ChartError::Font)
}

/// Draws every chart of `summary`: the three fans, the levels, the target probabilities
/// and one distribution per target.
///
/// # Errors
/// [`ChartError`] when the size is out of range, the font cannot be loaded or drawing
/// fails.
pub fn render(summary: &Summary, config: &ChartConfig) -> Result<Vec<Chart>, ChartError> {
    prepare(config)?;
    let ctx = Ctx {
        summary,
        labels: config.lang.labels(),
        sizes: style::Sizes::for_size(config.width, config.height),
    };
    // The charts are independent: drawn (and PNG-encoded) in parallel, kept in this order.
    enum Which {
        Fan(&'static str),
        Levels,
        TargetProbability,
        Distribution(usize, String),
    }
    let mut which: Vec<Which> = ["total", "high_skill", "high_skill_share"]
        .into_iter()
        .map(Which::Fan)
        .collect();
    which.push(Which::Levels);
    if !summary.targets.is_empty() {
        which.push(Which::TargetProbability);
    }
    for (index, name) in target_file_names(summary).into_iter().enumerate() {
        if summary.distributions.get(index).is_some() {
            which.push(Which::Distribution(index, name));
        }
    }
    which
        .into_par_iter()
        .map(|w| match w {
            Which::Fan(metric) => render_one(&fan::Fan { metric }, &ctx, config),
            Which::Levels => render_one(&levels::Levels, &ctx, config),
            Which::TargetProbability => {
                render_one(&target_probability::TargetProbability, &ctx, config)
            }
            Which::Distribution(index, name) => {
                render_one(&distribution::Distribution { index, name }, &ctx, config)
            }
        })
        .collect()
}

/// Draws one chart of a summary as SVG and PNG.
fn render_one<P: Plot>(plot: &P, ctx: &Ctx, config: &ChartConfig) -> Result<Chart, ChartError> {
    render_figure(&Bound(plot, ctx), config)
}

/// Draws one figure as SVG and PNG.
pub(crate) fn render_figure<F: Figure>(
    figure: &F,
    config: &ChartConfig,
) -> Result<Chart, ChartError> {
    let size = (config.width, config.height);
    let failed = |e: DrawError| ChartError::Draw {
        chart: figure.name(),
        message: e.0,
    };
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        figure.draw(&root).map_err(failed)?;
    }
    let mut rgb = vec![0u8; config.width as usize * config.height as usize * 3];
    {
        let backend = raster::PngBackend::with_buffer(&mut rgb, size).map_err(|message| {
            ChartError::Draw {
                chart: figure.name(),
                message,
            }
        })?;
        let root = backend.into_drawing_area();
        figure.draw(&root).map_err(failed)?;
    }
    let png = encode_png(&rgb, size).map_err(|message| ChartError::Draw {
        chart: figure.name(),
        message,
    })?;
    Ok(Chart {
        name: figure.name(),
        title: figure.title(),
        svg,
        png,
    })
}

/// Encodes an RGB buffer as PNG.
fn encode_png(rgb: &[u8], (w, h): (u32, u32)) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, w, h);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        // Default, not Best: the files are 0.4% larger and written in half the time
        // (the baseline's nine PNG charts: 0.47 s instead of 0.88 s of CPU).
        encoder.set_compression(png::Compression::Balanced);
        let mut writer = encoder.write_header().map_err(|e| e.to_string())?;
        writer.write_image_data(rgb).map_err(|e| e.to_string())?;
        writer.finish().map_err(|e| e.to_string())?;
    }
    Ok(out)
}

/// Returns each target's chart name, `distribution_<slug>`, in target order: the name in
/// lower case with every run of other characters than letters and digits made one `_`;
/// a repeated slug gets `_2`, `_3`...
pub fn target_file_names(summary: &Summary) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for (i, t) in summary.targets.iter().enumerate() {
        let slug = slug(&t.target);
        let base = if slug.is_empty() {
            format!("distribution_target_{}", i + 1)
        } else {
            format!("distribution_{slug}")
        };
        let mut name = base.clone();
        let mut k = 2;
        while names.contains(&name) {
            name = format!("{base}_{k}");
            k += 1;
        }
        names.push(name);
    }
    names
}

/// Returns `name` in lower case with every run of other characters than letters and
/// digits made one `_`, and none at either end.
fn slug(name: &str) -> String {
    let mut slug = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('_') {
            slug.push('_');
        }
    }
    slug.trim_end_matches('_').to_string()
}

/// Returns the characters of `text` the embedded font has no glyph for.
pub fn missing_glyphs(text: &str) -> Vec<char> {
    use ab_glyph::Font;
    let Ok(font) = ab_glyph::FontRef::try_from_slice(style::FONT_BYTES) else {
        return text.chars().collect();
    };
    let mut missing: Vec<char> = text
        .chars()
        .filter(|c| !c.is_whitespace() && font.glyph_id(*c).0 == 0)
        .collect();
    missing.dedup();
    missing
}

/// Returns the characters of the summary's own text (title, target and level names) that
/// the embedded font cannot draw: they are blank in PNG charts.
pub fn missing_in_summary(summary: &Summary) -> Vec<char> {
    let mut text = summary.title.clone();
    for t in &summary.targets {
        text.push_str(&t.target);
    }
    for l in &summary.levels {
        text.push_str(l);
    }
    let mut missing = missing_glyphs(&text);
    missing.sort_unstable();
    missing.dedup();
    missing
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_file_names_are_lower_case_words_joined_by_underscores() {
        assert_eq!(
            slug("+20,000 high-skill (gross) by 2026"),
            "20_000_high_skill_gross_by_2026"
        );
        assert_eq!(
            slug("High-skill share at least 40% in 2026"),
            "high_skill_share_at_least_40_in_2026"
        );
        assert_eq!(slug("高技能人才占比 40%"), "高技能人才占比_40");
        assert_eq!(slug("!!!"), "");
    }

    #[test]
    fn embedded_font_covers_every_label_and_the_zhangjiagang_title() {
        for lang in [Lang::En, Lang::Zh] {
            for text in lang.labels().all_text() {
                assert_eq!(missing_glyphs(text), Vec::<char>::new(), "{lang}: {text}");
            }
        }
        assert!(missing_glyphs("张家港市技能人才预测").is_empty());
        assert!(missing_glyphs("0123456789,.%–−·≥≤→（）：；，。").is_empty());
        assert_eq!(missing_glyphs("🙂"), vec!['🙂']);
    }
}
