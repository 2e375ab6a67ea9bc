//! The terminal summary of a run: a year-by-year table and one plain verdict per target.

use std::fmt::Write;

use crate::format::decimal_probability;
use crate::stats::{ProjectionRow, Summary};

/// Formats a count with thousands separators, rounded to a whole number.
pub fn count(x: f64) -> String {
    let neg = x < 0.0;
    let digits = format!("{:.0}", x.abs());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if neg && out != "0" {
        out.insert(0, '-');
    }
    out
}

/// Formats a value of the named metric: shares as percentages, the rest as counts.
pub fn value(metric: &str, x: f64) -> String {
    if metric == "high_skill_share" {
        format!("{:.1}%", 100.0 * x)
    } else {
        count(x)
    }
}

fn band(row: Option<&ProjectionRow>, metric: &str) -> String {
    match row.and_then(|r| Some((r.p50?, r.p05?, r.p95?))) {
        Some((m, lo, hi)) if lo == hi => value(metric, m),
        Some((m, lo, hi)) => format!(
            "{} ({} to {})",
            value(metric, m),
            value(metric, lo),
            value(metric, hi)
        ),
        None => "undefined".into(),
    }
}

/// Renders the summary for a terminal.
pub fn render(summary: &Summary) -> String {
    let mut s = String::new();
    let noise = if summary.process_noise { "on" } else { "off" };
    let _ = writeln!(s, "{} ({})", summary.title, summary.scenario);
    let _ = writeln!(
        s,
        "{} runs, seed {}, process noise {}",
        count(summary.runs as f64),
        summary.seed,
        noise
    );
    let _ = writeln!(s, "\nMedian and 90% band (p05 to p95) by year:");
    let cols = ["total", "high_skill", "high_skill_share"];
    let cells: Vec<[String; 4]> = (summary.start_year..=summary.end_year)
        .map(|year| {
            let get = |m: &str| {
                band(
                    summary
                        .projection
                        .iter()
                        .find(|r| r.year == year && r.metric == m),
                    m,
                )
            };
            [year.to_string(), get(cols[0]), get(cols[1]), get(cols[2])]
        })
        .collect();
    let header = ["year", "skilled workers", "high-skill", "high-skill share"];
    let widths: Vec<usize> = (0..4)
        .map(|i| {
            cells
                .iter()
                .map(|r| r[i].chars().count())
                .chain([header[i].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    for row in std::iter::once(header.map(String::from)).chain(cells) {
        let line: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        let _ = writeln!(s, "  {}", line.join("   ").trim_end());
    }
    if !summary.targets.is_empty() {
        let _ = writeln!(s, "\nTargets (probability over runs, 95% Wilson interval):");
        for t in &summary.targets {
            let central = t
                .central_value
                .map_or_else(|| "undefined".into(), |v| value(&t.metric.to_string(), v));
            // A window target holds only if its worst year does: show that year's value.
            let central = match t.through {
                Some(end) => format!("central path {central} at its worst in {}-{end}", t.year),
                None => format!("central path {central}"),
            };
            let _ = writeln!(
                s,
                "  {}: probability {} (95% CI {}-{}); {central}",
                t.target,
                decimal_probability(t.probability),
                decimal_probability(t.ci_low),
                decimal_probability(t.ci_high)
            );
        }
    }
    if summary.redrawn_runs > 0 {
        let _ = writeln!(
            s,
            "\nnote: {} runs drew rates out of a level above 1 and were drawn again (at most 1% is allowed)",
            summary.redrawn_runs
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_have_thousands_separators() {
        assert_eq!(count(322500.0), "322,500");
        assert_eq!(count(999.4), "999");
        assert_eq!(count(-1234567.0), "-1,234,567");
        assert_eq!(count(-0.2), "0");
        assert_eq!(value("high_skill_share", 0.40312), "40.3%");
    }
}
