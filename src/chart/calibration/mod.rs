//! Charts and report of `calibrate`: `calibration_fit_<metric>` for each observed metric
//! (the prior and posterior bands by year with the published figures and their error
//! bars), `calibration_parameters` (each calibrated assumption's prior against its
//! posterior) and `report.html`.
//!
//! Everything is drawn from a [`CalibrationSummary`], which `calibration.json` carries, so
//! `talentsim plot` redraws the same bytes; nothing here runs the model.

mod fit;
mod parameters;
pub mod report;
pub mod words;

use super::analysis::{self, metric_unit, Unit};
use super::style::Sizes;
use super::{prepare, render_figure, slug, Chart, ChartConfig, ChartError, Labels};
use crate::calibrate::{CalibrationSummary, ParameterSummary};
use crate::format;
pub use words::CalWords;

/// What every calibration chart gets besides its data.
pub(crate) struct Cx<'a> {
    /// The summary.
    pub s: &'a CalibrationSummary,
    /// The run's words (metrics, levels).
    pub labels: &'static Labels,
    /// The analysis words (levers).
    pub words: &'static analysis::Words,
    /// The calibration words.
    pub cal: &'static CalWords,
    /// Type sizes.
    pub sizes: Sizes,
    /// Source note at the bottom.
    pub footer: String,
}

impl Cx<'_> {
    fn new<'a>(s: &'a CalibrationSummary, config: &ChartConfig) -> Cx<'a> {
        let cal = CalWords::of(config.lang);
        Cx {
            s,
            labels: config.lang.labels(),
            words: analysis::Words::of(config.lang),
            cal,
            sizes: Sizes::for_size(config.width, config.height),
            footer: fill(cal.footer, s),
        }
    }
}

/// Fills the `{scenario}`, `{draws}`, `{seed}` and `{version}` of a template.
fn fill(template: &str, s: &CalibrationSummary) -> String {
    template
        .replace("{scenario}", &s.scenario)
        .replace("{draws}", &format::count(s.draws as f64))
        .replace("{seed}", &s.seed.to_string())
        .replace("{version}", &s.version)
}

/// Returns the unit of a parameter: a percentage for rates, people otherwise.
pub(crate) fn parameter_unit(p: &ParameterSummary) -> Unit {
    if p.is_rate {
        Unit::Percent
    } else {
        Unit::Count
    }
}

/// Returns a calibrated parameter's name in words: its lever in words, with the year of a
/// yearly or scheduled value (`Upgrade rate, junior, 2023`).
pub(crate) fn parameter_label(
    name: &str,
    labels: &Labels,
    words: &analysis::Words,
    cal: &CalWords,
) -> String {
    match name.rsplit_once('@') {
        Some((lever, year)) if year.parse::<i32>().is_ok() => cal
            .in_year
            .replace("{name}", &analysis::lever_label(lever, labels, words))
            .replace("{year}", year),
        _ => analysis::lever_label(name, labels, words),
    }
}

/// Returns the chart name of an observed metric, `calibration_fit_<metric>` with the
/// metric's name made a slug (`level.senior` becomes `level_senior`).
pub fn fit_chart_name(metric: &str) -> String {
    format!("calibration_fit_{}", slug(metric))
}

/// Draws the charts of a calibration: one `calibration_fit_<metric>` per observed metric,
/// in order of first observation, then `calibration_parameters`.
///
/// # Errors
/// [`ChartError`] when the size is out of range, the font cannot be loaded or drawing
/// fails.
pub fn render(s: &CalibrationSummary, config: &ChartConfig) -> Result<Vec<Chart>, ChartError> {
    prepare(config)?;
    let cx = Cx::new(s, config);
    let mut charts = Vec::new();
    for bands in &s.bands {
        charts.push(render_figure(&fit::FitChart { cx: &cx, bands }, config)?);
    }
    if !s.parameter_summaries.is_empty() {
        charts.push(render_figure(&parameters::Parameters { cx: &cx }, config)?);
    }
    Ok(charts)
}

/// Draws the charts of a calibration and its `report.html`.
///
/// # Errors
/// As [`render`].
pub fn draw(
    s: &CalibrationSummary,
    config: &ChartConfig,
) -> Result<(Vec<Chart>, String), ChartError> {
    let charts = render(s, config)?;
    let page = report::render(s, &charts, config.lang);
    Ok((charts, page))
}

/// Returns the unit of an observed metric.
pub(crate) fn unit_of(metric: &str) -> Unit {
    metric_unit(metric)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::{missing_glyphs, Lang};

    #[test]
    fn embedded_font_covers_every_chart_word() {
        for lang in [Lang::En, Lang::Zh] {
            for text in CalWords::of(lang).chart_text() {
                assert_eq!(missing_glyphs(text), Vec::<char>::new(), "{lang}: {text}");
            }
        }
    }

    #[test]
    fn parameters_read_as_words_with_their_year() {
        let (l, w) = (Lang::En.labels(), analysis::Words::of(Lang::En));
        let c = CalWords::of(Lang::En);
        assert_eq!(
            parameter_label("upgrade.junior@2023", l, w, c),
            "Upgrade rate, junior, 2023"
        );
        assert_eq!(parameter_label("attrition.a", l, w, c), "Attrition, a");
        assert_eq!(
            fit_chart_name("level.senior"),
            "calibration_fit_level_senior"
        );
    }
}
