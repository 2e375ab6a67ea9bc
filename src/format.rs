//! Numbers written for people: thousands separators, percentages, ranges of percentages.
//!
//! Used by the assumptions table (built in [`crate::stats`]), the charts and the report,
//! so that a figure reads the same everywhere. Machine-readable outputs (CSV, JSON) never
//! use these: they write full-precision numbers.

/// Formats `x` rounded to `decimals` places with a comma between groups of three digits,
/// e.g. `grouped(322500.0, 0)` is `"322,500"`; non-finite values give `"–"`.
pub fn grouped(x: f64, decimals: usize) -> String {
    if !x.is_finite() {
        return "–".into();
    }
    let text = format!("{:.*}", decimals, x.abs());
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let mut out = String::with_capacity(text.len() + int.len() / 3 + 1);
    let negative = x < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0');
    if negative {
        out.push('−');
    }
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if !frac.is_empty() {
        out.push('.');
        out.push_str(frac);
    }
    out
}

/// Formats a count: whole numbers with separators, e.g. `"20,000"`.
pub fn count(x: f64) -> String {
    grouped(x, 0)
}

/// Formats a fraction as a percentage with `decimals` places, e.g. `percent(0.4, 0)` is
/// `"40%"`.
pub fn percent(x: f64, decimals: usize) -> String {
    if !x.is_finite() {
        return "–".into();
    }
    format!("{}%", grouped(x * 100.0, decimals))
}

/// Formats a fraction as a percentage with as few decimals as show it exactly (up to
/// two), e.g. `0.4` is `"40%"` and `0.425` is `"42.5%"`.
pub fn percent_exact(x: f64) -> String {
    percent_exact_upto(x, 2)
}

/// Formats a probability for a sentence: whole percentages, except that values that would
/// round to 0% or 100% without being exactly that say `"<1%"` or `">99%"`.
pub fn probability(p: f64) -> String {
    if p > 0.0 && p < 0.005 {
        "<1%".into()
    } else if (0.995..1.0).contains(&p) {
        ">99%".into()
    } else {
        percent(p, 0)
    }
}

/// Formats a probability or an interval bound for a table: three decimals, or as many more
/// (up to six) as it takes for a value that is not exactly 0 or 1 not to read as one
/// (`0.9996`, not `1.000`).
pub fn decimal_probability(p: f64) -> String {
    let mut decimals = 3;
    loop {
        let text = format!("{p:.decimals$}");
        let rounds_to_edge = text.parse::<f64>().is_ok_and(|r| r == 0.0 || r == 1.0);
        if !rounds_to_edge || p == 0.0 || p == 1.0 || decimals == 6 {
            return text;
        }
        decimals += 1;
    }
}

/// Formats a number as written in a scenario: rates (values of at most 1 in a rate
/// parameter) as percentages, amounts with separators, keeping up to two decimals.
pub fn quantity(x: f64, is_rate: bool) -> String {
    if is_rate {
        percent_exact_upto(x, 3)
    } else if (x - x.round()).abs() < 1e-9 {
        count(x)
    } else {
        grouped(x, 2)
    }
}

/// Formats a fraction as a percentage with as few decimals as show it (up to `max`).
fn percent_exact_upto(x: f64, max: usize) -> String {
    let scaled = x * 100.0;
    let decimals = (0..max)
        .find(|&d| {
            let f = 10f64.powi(d as i32);
            ((scaled * f).round() - scaled * f).abs() < 1e-6
        })
        .unwrap_or(max);
    percent(x, decimals)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_probabilities_never_round_to_certainty() {
        assert_eq!(decimal_probability(0.955), "0.955");
        assert_eq!(decimal_probability(1.0), "1.000");
        assert_eq!(decimal_probability(0.0), "0.000");
        assert_eq!(decimal_probability(0.99962), "0.9996");
        assert_eq!(decimal_probability(0.0004), "0.0004");
        assert_eq!(decimal_probability(0.0000001), "0.000000");
    }

    #[test]
    fn groups_thousands() {
        assert_eq!(grouped(322_500.0, 0), "322,500");
        assert_eq!(grouped(1_234_567.891, 1), "1,234,567.9");
        assert_eq!(grouped(999.0, 0), "999");
        assert_eq!(grouped(-20_000.0, 0), "−20,000");
        assert_eq!(grouped(-0.2, 0), "0");
        assert_eq!(grouped(f64::NAN, 0), "–");
    }

    #[test]
    fn formats_percentages_and_probabilities() {
        assert_eq!(percent(0.4, 0), "40%");
        assert_eq!(percent_exact(0.425), "42.5%");
        assert_eq!(percent_exact(0.4), "40%");
        assert_eq!(probability(0.7134), "71%");
        assert_eq!(probability(0.001), "<1%");
        assert_eq!(probability(0.999), ">99%");
        assert_eq!(probability(1.0), "100%");
        assert_eq!(quantity(0.0884, true), "8.84%");
        assert_eq!(quantity(4625.0, false), "4,625");
    }
}
