//! Retirement: which share of a cohort retires in a year (docs/ages.md; MODEL.md
//! section 11).
//!
//! Pure functions of a rule, a group, an age and a year. `china-2025` follows the State
//! Council's decision of 2024-09-13 on raising the statutory retirement age gradually from
//! 2025-01-01 (全国人大常委会《关于实施渐进式延迟法定退休年龄的决定》 and its schedule): for a
//! person born in year `b`, month `m`, `k = 12 (b - b0) + m`; men retire at 60 plus
//! `min(36, ceil(k / 4))` months (`b0 = 1965`), women staff at 55 plus
//! `min(36, ceil(k / 4))` (`b0 = 1970`), women workers at 50 plus `min(60, ceil(k / 2))`
//! (`b0 = 1975`); no delay for `k <= 0`. Nothing here knows stocks or draws.

use crate::scenario::{Group, Retirement};

/// Returns the base age, `b0`, the cap on the delay in months and the months of birth per
/// month of delay of a group under `china-2025`.
fn china_2025_terms(group: Group) -> (i64, i64, i64, i64) {
    match group {
        Group::Male => (60, 1965, 36, 4),
        Group::FemaleStaff => (55, 1970, 36, 4),
        Group::FemaleWorker => (50, 1975, 60, 2),
    }
}

/// Returns the month of retirement under `china-2025` of a person of `group` born in
/// `birth_year`, month `month` (1 to 12), as months since January of year 0
/// (`12 * year + month - 1`).
pub fn china_2025_month(group: Group, birth_year: i32, month: u32) -> i64 {
    let (base, b0, cap, per) = china_2025_terms(group);
    let m = i64::from(month);
    let k = 12 * (i64::from(birth_year) - b0) + m;
    // ceil(k / per) for k > 0.
    let delay = if k <= 0 {
        0
    } else {
        ((k + per - 1) / per).min(cap)
    };
    12 * i64::from(birth_year) + (m - 1) + 12 * base + delay
}

/// Returns the share of a cohort aged `age` (completed years) at the end of `year - 1`,
/// still present, that retires during `year`.
///
/// Birth months are uniform within the birth year `year - 1 - age`. Under `china-2025` the
/// share is that of the birth months whose retirement date falls in `year` among those
/// whose date falls in `year` or later; 1 when every date has passed. A fixed age retires
/// the whole cohort in the year it reaches that age (and anyone older). `none` retires
/// nobody.
pub fn retirement_share(rule: Retirement, group: Group, age: u32, year: i32) -> f64 {
    match rule {
        Retirement::None => 0.0,
        Retirement::Fixed(ages) => {
            if age + 1 >= ages[group.index()] {
                1.0
            } else {
                0.0
            }
        }
        Retirement::China2025 => {
            let birth_year = year - 1 - age as i32;
            let (mut now, mut later) = (0u32, 0u32);
            for month in 1..=12 {
                let y = china_2025_month(group, birth_year, month).div_euclid(12);
                if y >= i64::from(year) {
                    later += 1;
                    if y == i64::from(year) {
                        now += 1;
                    }
                }
            }
            if later == 0 {
                1.0
            } else {
                f64::from(now) / f64::from(later)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Returns (year, month) of retirement written out month by month: start at the birth
    /// month, add the base years, then add the delay one month at a time, counting the
    /// birth months since the reference month as the rule words it ("one month later for
    /// every four months of birth", capped).
    fn by_hand(group: Group, birth_year: i32, month: u32) -> (i32, u32) {
        let (base, first_year, cap, every) = match group {
            Group::Male => (60, 1965, 36, 4),
            Group::FemaleStaff => (55, 1970, 36, 4),
            Group::FemaleWorker => (50, 1975, 60, 2),
        };
        // Months born since December of b0 - 1, counting this one (January b0 is 1).
        let mut since = 0i32;
        let (mut y, mut m) = (first_year, 1u32);
        if birth_year >= first_year {
            loop {
                since += 1;
                if (y, m) == (birth_year, month) {
                    break;
                }
                m += 1;
                if m == 13 {
                    m = 1;
                    y += 1;
                }
            }
        }
        let mut delay = 0;
        for i in 1..=since {
            if (i - 1) % every == 0 && delay < cap {
                delay += 1;
            }
        }
        let (mut ry, mut rm) = (birth_year + base, month);
        for _ in 0..delay {
            rm += 1;
            if rm == 13 {
                rm = 1;
                ry += 1;
            }
        }
        (ry, rm)
    }

    /// The share by counting birth months by hand.
    fn share_by_hand(group: Group, age: u32, year: i32) -> f64 {
        let born = year - 1 - age as i32;
        let years: Vec<i32> = (1..=12).map(|m| by_hand(group, born, m).0).collect();
        let later = years.iter().filter(|&&y| y >= year).count();
        let now = years.iter().filter(|&&y| y == year).count();
        if later == 0 {
            1.0
        } else {
            now as f64 / later as f64
        }
    }

    #[test]
    fn dates_match_a_month_by_month_count_for_every_group() {
        for g in Group::ALL {
            for born in 1955..2000 {
                for m in 1..=12 {
                    let (y, mo) = by_hand(g, born, m);
                    let got = china_2025_month(g, born, m);
                    assert_eq!(
                        got,
                        12 * i64::from(y) + i64::from(mo) - 1,
                        "{g:?} {born}-{m}"
                    );
                }
            }
        }
    }

    #[test]
    fn known_dates_and_the_caps() {
        let ym = |x: i64| (x.div_euclid(12), x.rem_euclid(12) + 1);
        // Born January 1965: 60 years and 1 month.
        assert_eq!(ym(china_2025_month(Group::Male, 1965, 1)), (2025, 2));
        assert_eq!(ym(china_2025_month(Group::Male, 1964, 12)), (2024, 12));
        // The caps: 63, 55 and 58, first reached by 1976-09, 1984-11 and 1981-09.
        assert_eq!(ym(china_2025_month(Group::Male, 1976, 9)), (2039, 9));
        assert_eq!(ym(china_2025_month(Group::Male, 1976, 8)), (2039, 7));
        assert_eq!(ym(china_2025_month(Group::Male, 1990, 5)), (2053, 5));
        assert_eq!(
            ym(china_2025_month(Group::FemaleWorker, 1984, 11)),
            (2039, 11)
        );
        assert_eq!(
            ym(china_2025_month(Group::FemaleWorker, 1984, 10)),
            (2039, 9)
        );
        assert_eq!(ym(china_2025_month(Group::FemaleStaff, 1981, 9)), (2039, 9));
        assert_eq!(ym(china_2025_month(Group::FemaleStaff, 1981, 8)), (2039, 7));
    }

    #[test]
    fn shares_match_a_month_by_month_count() {
        for g in Group::ALL {
            for year in 2020..2060 {
                for age in 40..70 {
                    let got = retirement_share(Retirement::China2025, g, age, year);
                    let want = share_by_hand(g, age, year);
                    assert!(
                        (got - want).abs() < 1e-15,
                        "{g:?} age {age} in {year}: {got} {want}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_cohort_straddling_a_year_retires_over_two_years() {
        // Men born 1966 (k = 13..24, delay 4..6 months): January-February 1966 reach
        // 60y4m / 60y5m... all in 2026-2027. Age 59 at the end of 2025.
        let y2026 = retirement_share(Retirement::China2025, Group::Male, 59, 2026);
        let want: usize = (1..=12)
            .filter(|&m| by_hand(Group::Male, 1966, m).0 == 2026)
            .count();
        assert!(want > 0 && want < 12);
        assert!((y2026 - want as f64 / 12.0).abs() < 1e-15);
        // The rest go in 2027: all that is left.
        assert_eq!(
            retirement_share(Retirement::China2025, Group::Male, 60, 2027),
            1.0
        );
        // Women workers born 1976 (delays 7..12 months at 50): part in 2026, rest in 2027.
        let w = retirement_share(Retirement::China2025, Group::FemaleWorker, 49, 2026);
        assert!(w > 0.0 && w < 1.0, "{w}");
    }

    #[test]
    fn people_past_their_date_retire_at_once_and_the_young_not_at_all() {
        for g in Group::ALL {
            assert_eq!(retirement_share(Retirement::China2025, g, 69, 2030), 1.0);
            assert_eq!(retirement_share(Retirement::China2025, g, 30, 2030), 0.0);
        }
        let fixed = Retirement::Fixed([60, 50, 55]);
        assert_eq!(retirement_share(fixed, Group::Male, 58, 2030), 0.0);
        assert_eq!(retirement_share(fixed, Group::Male, 59, 2030), 1.0);
        assert_eq!(retirement_share(fixed, Group::Male, 65, 2030), 1.0);
        assert_eq!(retirement_share(fixed, Group::FemaleWorker, 49, 2030), 1.0);
        assert_eq!(
            retirement_share(Retirement::None, Group::Male, 69, 2030),
            0.0
        );
    }
}
