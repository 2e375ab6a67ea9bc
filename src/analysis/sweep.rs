//! A target's probability over a grid of one or two levers, with common random numbers
//! (the same runs at every grid point), and the scenario's current point for reference.

use serde::{Deserialize, Serialize};

use super::{
    central_worst, finite, holds_by_run, median, worst_by_run, AnalysisError, Probability,
};
use crate::engine::{self, Job};
use crate::scenario::{find, Lever, Scenario, Target};

/// One lever and its grid values.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    /// The lever.
    pub lever: Lever,
    /// Grid values, evenly spaced from the first to the last.
    pub values: Vec<f64>,
}

/// Parses `LEVER=FROM:TO:POINTS`.
///
/// # Errors
/// [`AnalysisError`] for an unknown lever or a malformed grid.
pub fn parse_axis(s: &Scenario, flag: &str, text: &str) -> Result<Axis, AnalysisError> {
    let bad = || {
        AnalysisError::Usage(format!(
            "{flag} `{text}`: expected LEVER=FROM:TO:POINTS, for example `upgrade.intermediate=0.03:0.09:7`"
        ))
    };
    let (name, grid) = text.rsplit_once('=').ok_or_else(bad)?;
    let lever = find(s, name)?;
    let parts: Vec<&str> = grid.split(':').collect();
    if parts.len() != 3 {
        return Err(bad());
    }
    let from: f64 = parts[0].trim().parse().map_err(|_| bad())?;
    let to: f64 = parts[1].trim().parse().map_err(|_| bad())?;
    let points: usize = parts[2].trim().parse().map_err(|_| bad())?;
    if !(2..=1000).contains(&points) || !from.is_finite() || !to.is_finite() || from == to {
        return Err(bad());
    }
    let values = (0..points)
        .map(|i| from + (to - from) * i as f64 / (points - 1) as f64)
        .collect();
    Ok(Axis { lever, values })
}

/// One grid point (a row of `sweep.csv`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepRow {
    /// Value of the first lever.
    pub x: f64,
    /// Value of the second lever, if any.
    pub y: Option<f64>,
    /// Target probability (None where the point breaks a scenario rule).
    pub probability: Option<f64>,
    /// Lower end of the 95% Wilson interval.
    pub ci_low: Option<f64>,
    /// Upper end of the 95% Wilson interval.
    pub ci_high: Option<f64>,
    /// Central-path value of the target's metric (window worst).
    pub central_value: Option<f64>,
    /// Median over runs of the same value.
    pub p50: Option<f64>,
    /// Why the point has no result, if it has none.
    pub note: String,
}

/// Everything `sweep` computes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sweep {
    /// Always "talentsim".
    pub program: String,
    /// Program version.
    pub version: String,
    /// Always "sweep".
    pub command: String,
    /// Scenario name.
    pub scenario: String,
    /// Target name.
    pub target: String,
    /// Target metric.
    pub metric: String,
    /// Target threshold.
    pub threshold: f64,
    /// Runs per grid point.
    pub runs: u64,
    /// Seed.
    pub seed: u64,
    /// First lever.
    pub x_lever: String,
    /// The scenario's own (central) value of the first lever in the target's year.
    pub x_current: f64,
    /// Second lever.
    pub y_lever: Option<String>,
    /// The scenario's own value of the second lever.
    pub y_current: Option<f64>,
    /// The scenario's own probability.
    pub current: Probability,
    /// Grid, x varying fastest.
    pub rows: Vec<SweepRow>,
    /// Where the probability crosses 0.5 and 0.9 along x, for each y.
    pub contours: Vec<Crossing>,
}

/// Probability levels whose contours are located.
pub const CONTOUR_LEVELS: [f64; 2] = [0.5, 0.9];

/// A point where the probability crosses a level between two neighbouring x values of the
/// grid, by linear interpolation (a row of `sweep_contours.csv`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Crossing {
    /// Probability level.
    pub level: f64,
    /// Value of the second lever (None for a one-lever sweep).
    pub y: Option<f64>,
    /// Interpolated value of the first lever.
    pub x: f64,
}

/// Locates the crossings of each level along x, row by row.
pub fn contours(rows: &[SweepRow]) -> Vec<Crossing> {
    let mut ys: Vec<Option<f64>> = Vec::new();
    for r in rows {
        if !ys.contains(&r.y) {
            ys.push(r.y);
        }
    }
    let mut out = Vec::new();
    for level in CONTOUR_LEVELS {
        for y in &ys {
            let line: Vec<(f64, f64)> = rows
                .iter()
                .filter(|r| r.y == *y)
                .filter_map(|r| Some((r.x, r.probability?)))
                .collect();
            for w in line.windows(2) {
                let ((x0, p0), (x1, p1)) = (w[0], w[1]);
                if (p0 < level) != (p1 < level) {
                    let x = x0 + (level - p0) / (p1 - p0) * (x1 - x0);
                    out.push(Crossing { level, y: *y, x });
                }
            }
        }
    }
    out
}

/// Evaluates the grid.
///
/// # Errors
/// [`AnalysisError`] when a simulation fails.
pub fn sweep(
    s: &Scenario,
    job: &Job,
    t: &Target,
    x: &Axis,
    y: Option<&Axis>,
) -> Result<Sweep, AnalysisError> {
    let base = engine::simulate(s, job, &|_| {})?;
    let current = Probability::of_runs(&holds_by_run(s, &base, t));
    let ys: Vec<Option<f64>> = match y {
        Some(a) => a.values.iter().map(|v| Some(*v)).collect(),
        None => vec![None],
    };
    let mut rows = Vec::new();
    for yv in &ys {
        for &xv in &x.values {
            let variant = x.lever.set(s, xv).and_then(|v| match (y, yv) {
                (Some(a), Some(val)) => a.lever.set(&v, *val),
                _ => Ok(v),
            });
            let row = match variant {
                Err(e) => SweepRow {
                    x: xv,
                    y: *yv,
                    probability: None,
                    ci_low: None,
                    ci_high: None,
                    central_value: None,
                    p50: None,
                    note: e.to_string(),
                },
                Ok(v) => {
                    let sim = engine::simulate(&v, job, &|_| {})?;
                    let p = Probability::of_runs(&holds_by_run(&v, &sim, t));
                    SweepRow {
                        x: xv,
                        y: *yv,
                        probability: Some(p.probability),
                        ci_low: Some(p.ci_low),
                        ci_high: Some(p.ci_high),
                        central_value: finite(central_worst(&v, &sim, t)),
                        p50: median(&worst_by_run(&v, &sim, t)),
                        note: String::new(),
                    }
                }
            };
            rows.push(row);
        }
    }
    Ok(Sweep {
        program: "talentsim".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        command: "sweep".into(),
        scenario: s.name.clone(),
        target: t.name.clone(),
        metric: t.metric.name(&s.levels),
        threshold: t.threshold,
        runs: job.runs,
        seed: job.seed,
        x_lever: x.lever.name.clone(),
        x_current: x.lever.central_in(s, t.year),
        y_lever: y.map(|a| a.lever.name.clone()),
        y_current: y.map(|a| a.lever.central_in(s, t.year)),
        current,
        contours: contours(&rows),
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contours_interpolate_between_grid_points() {
        let row = |x: f64, p: f64| SweepRow {
            x,
            y: None,
            probability: Some(p),
            ci_low: None,
            ci_high: None,
            central_value: None,
            p50: None,
            note: String::new(),
        };
        let c = contours(&[row(0.0, 0.2), row(1.0, 0.6), row(2.0, 1.0)]);
        assert_eq!(c.len(), 2);
        assert_eq!((c[0].level, c[0].x), (0.5, 0.75));
        assert!((c[1].x - 1.75).abs() < 1e-12 && c[1].level == 0.9);
    }
}
