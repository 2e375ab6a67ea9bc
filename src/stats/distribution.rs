//! Histograms of each target's tested value across runs, for the `distribution_<target>`
//! charts.
//!
//! The tested value is the metric in the target's year, or for a target with `through`
//! the window's worst value (docs/model.md, conventions), so the shares of runs on either side of the
//! threshold are exactly the target's probability and its complement. Saved in
//! `summary.json` so that `talentsim plot` needs no simulation.

use serde::{Deserialize, Serialize};

use crate::engine::Simulation;
use crate::scenario::{Scenario, Target};

/// Number of histogram bins.
pub const BINS: usize = 40;

/// A target's tested value across runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetDistribution {
    /// Target name.
    pub target: String,
    /// Lower edge of the first bin.
    pub min: f64,
    /// Width of every bin (positive).
    pub bin_width: f64,
    /// Runs per bin; the last bin includes its upper edge.
    pub counts: Vec<u64>,
    /// Runs in which the target holds.
    pub held: u64,
    /// Runs in which it does not hold, with a defined value.
    pub missed: u64,
    /// Runs whose value is undefined (a share with a zero total); they miss the target.
    pub undefined: u64,
}

/// Returns the histogram of `t`'s tested value over the runs of `sim`.
pub fn target_distribution(
    scenario: &Scenario,
    sim: &Simulation,
    t: &Target,
) -> TargetDistribution {
    let m = sim
        .metrics
        .iter()
        .position(|x| *x == t.metric)
        .expect("targets name known metrics");
    let first = (t.year - scenario.start_year) as usize;
    let last = (t.last_year() - scenario.start_year) as usize;
    let values: Vec<f64> = (0..sim.values.nrows())
        .map(|r| {
            (first..=last)
                .map(|y| sim.values[[r, sim.column(y, m)]])
                .reduce(|a, b| t.worse(a, b))
                .unwrap_or(f64::NAN)
        })
        .collect();
    distribution_of_worst(t, &values)
}

/// Returns the distribution of a target's metric from each run's worst value over the
/// target's years (`NaN` where undefined), in run order.
pub(crate) fn distribution_of_worst(t: &Target, values: &[f64]) -> TargetDistribution {
    let defined: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    let held = defined.iter().filter(|&&x| t.holds(x)).count() as u64;
    let undefined = (values.len() - defined.len()) as u64;
    let (min, bin_width, counts) = histogram(&defined, BINS);
    TargetDistribution {
        target: t.name.clone(),
        min,
        bin_width,
        counts,
        held,
        missed: defined.len() as u64 - held,
        undefined,
    }
}

/// Bins finite values into `bins` equal bins spanning their range; a constant sample gets
/// one bin of width 1 (or 1% of the value) centred on it, and an empty one no bins.
pub fn histogram(xs: &[f64], bins: usize) -> (f64, f64, Vec<u64>) {
    let Some(lo) = xs.iter().copied().reduce(f64::min) else {
        return (0.0, 1.0, Vec::new());
    };
    let hi = xs.iter().copied().fold(lo, f64::max);
    if hi - lo <= lo.abs().max(hi.abs()) * 1e-12 {
        let width = if lo.abs() > 1.0 {
            lo.abs() * 0.01
        } else {
            0.01
        };
        return (lo - width / 2.0, width, vec![xs.len() as u64]);
    }
    let width = (hi - lo) / bins as f64;
    let mut counts = vec![0u64; bins];
    for &x in xs {
        let i = (((x - lo) / width) as usize).min(bins - 1);
        counts[i] += 1;
    }
    (lo, width, counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_counts_every_value_once() {
        let xs: Vec<f64> = (0..=100).map(f64::from).collect();
        let (min, width, counts) = histogram(&xs, 10);
        assert_eq!(min, 0.0);
        assert_eq!(width, 10.0);
        assert_eq!(counts.iter().sum::<u64>(), 101);
        assert_eq!(counts[9], 11, "the last bin holds its upper edge");
        let (_, _, one) = histogram(&[5.0; 7], 10);
        assert_eq!(one, vec![7]);
        assert!(histogram(&[], 10).2.is_empty());
    }
}
