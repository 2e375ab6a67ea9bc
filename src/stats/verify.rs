//! Self-checks of a summary (`run --verify`, and every debug build): quantiles ordered,
//! probabilities in [0, 1], intervals around their estimates, no negative sd.

use super::Summary;

/// Checks a summary's invariants: every number finite, quantiles in order
/// (p05 <= p10 <= ... <= p95), probabilities in [0, 1] inside their intervals.
///
/// # Errors
/// The first violation found, described.
pub fn verify(summary: &Summary) -> Result<(), String> {
    let finite = |x: &f64| x.is_finite();
    for r in &summary.projection {
        let qs = [r.p05, r.p10, r.p25, r.p50, r.p75, r.p90, r.p95];
        let all = [r.mean, r.sd].into_iter().chain(qs).flatten();
        if !all.clone().all(|x| finite(&x)) {
            return Err(format!(
                "{} {}: a statistic is not finite",
                r.metric, r.year
            ));
        }
        let qs: Vec<f64> = qs.into_iter().flatten().collect();
        // Interpolated quantiles of sorted data are ordered, up to one rounding step.
        if qs
            .windows(2)
            .any(|w| w[0] > w[1] + 1e-9 * w[1].abs().max(1.0))
        {
            return Err(format!(
                "{} {}: quantiles out of order {qs:?}",
                r.metric, r.year
            ));
        }
        if r.sd.is_some_and(|sd| sd < 0.0) {
            return Err(format!("{} {}: negative sd", r.metric, r.year));
        }
    }
    for r in &summary.central {
        let cells = [
            r.total,
            r.high_skill,
            r.high_skill_added,
            r.high_skill_net_change,
        ];
        if !cells
            .iter()
            .chain(&r.levels)
            .chain(&r.high_skill_share)
            .all(finite)
            || r.levels.iter().any(|x| *x < 0.0)
        {
            return Err(format!(
                "central path {}: a value is negative or not finite",
                r.year
            ));
        }
    }
    let probability = |p: f64| (0.0..=1.0).contains(&p);
    for r in &summary.targets {
        let inside = r.ci_low <= r.probability + 1e-12 && r.probability <= r.ci_high + 1e-12;
        let values = r.central_value.iter().chain(&r.p50).all(finite);
        if !(probability(r.probability) && inside && values) {
            return Err(format!(
                "target `{}`: probability or interval invalid",
                r.target
            ));
        }
    }
    for r in &summary.target_years {
        if !(probability(r.p_holds) && probability(r.p_held_by) && r.p_holds <= r.p_held_by) {
            return Err(format!(
                "target `{}` in {}: probabilities invalid",
                r.target, r.year
            ));
        }
    }
    Ok(())
}
