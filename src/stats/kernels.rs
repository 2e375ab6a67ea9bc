//! The numeric kernels of the summary: moments, Hyndman-Fan type 7 quantiles (by
//! selection and bucketing, bit-identical to sorting), table statistics column by
//! column, and Wilson score intervals. Pure functions of numbers; they know nothing of
//! scenarios or outputs.

use rayon::prelude::*;

use super::QUANTILES;

/// Normal quantile of the 95% Wilson interval.
const Z95: f64 = 1.959_963_984_540_054;

/// Statistics of a sample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Moments {
    /// Mean.
    pub mean: f64,
    /// Sample standard deviation (n - 1); 0 for one value.
    pub sd: f64,
}

/// Returns the mean and sample sd of `xs`, or `None` if empty.
pub fn moments(xs: &[f64]) -> Option<Moments> {
    if xs.is_empty() {
        return None;
    }
    let n = xs.len() as f64;
    if xs.iter().all(|&x| x == xs[0]) {
        return Some(Moments {
            mean: xs[0],
            sd: 0.0,
        });
    }
    // Two-pass mean: the correction term removes most of the summation's rounding.
    let rough = lane_sum(xs, |x| x) / n;
    let mean = rough + lane_sum(xs, |x| x - rough) / n;
    let sd = if xs.len() > 1 {
        (lane_sum(xs, |x| (x - mean).powi(2)) / (n - 1.0)).sqrt()
    } else {
        0.0
    };
    Some(Moments { mean, sd })
}

/// Returns the order statistics `(lo, hi)` and the weight of `hi` that the type-7
/// quantile `p` of `n` sorted values interpolates between.
fn type7(n: usize, p: f64) -> (usize, usize, f64) {
    let h = (n - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(n - 1);
    (lo, hi, h - lo as f64)
}

/// Returns the type-7 quantile `p` of sorted, non-empty `sorted`.
pub fn quantile_sorted(sorted: &[f64], p: f64) -> f64 {
    let (lo, hi, w) = type7(sorted.len(), p);
    sorted[lo] + w * (sorted[hi] - sorted[lo])
}

/// Returns the type-7 quantiles `ps` of non-empty `xs` (in the order of `xs` by
/// `f64::total_cmp`), the same bits as [`quantile_sorted`] on the sorted values, by
/// selecting only the order statistics needed; `xs` is left reordered.
pub fn quantiles_select(xs: &mut [f64], ps: &[f64]) -> Vec<f64> {
    let n = xs.len();
    // Every value the same (the start year's columns): every order statistic is that value.
    let first = xs[0].to_bits();
    if xs.iter().all(|x| x.to_bits() == first) {
        // The interpolation `x + w (x - x)` adds +0 to the value, which makes -0 into +0.
        let x = if xs[0] == 0.0 { 0.0 } else { xs[0] };
        return vec![x; ps.len()];
    }
    if n >= BUCKETED_MIN {
        if let Some(qs) = quantiles_bucketed(xs, ps) {
            return qs;
        }
    }
    let mut lows: Vec<usize> = ps.iter().map(|&p| type7(n, p).0).collect();
    lows.sort_unstable();
    lows.dedup();
    multiselect(xs, 0, &lows);
    // Every value between two selected positions lies between their values, so the
    // order statistic after a selected one is the least of the values up to the next.
    ps.iter()
        .map(|&p| {
            let (lo, hi, w) = type7(n, p);
            let next = lows.iter().find(|&&k| k > lo).map_or(n - 1, |&k| k);
            let x_hi = if hi == lo {
                xs[lo]
            } else {
                xs[lo + 1..=next]
                    .iter()
                    .copied()
                    .min_by(f64::total_cmp)
                    .unwrap_or(xs[hi])
            };
            xs[lo] + w * (x_hi - xs[lo])
        })
        .collect()
}

/// Columns at least this long take their quantiles from [`quantiles_bucketed`].
const BUCKETED_MIN: usize = 512;
/// Buckets of [`quantiles_bucketed`].
const BUCKETS: usize = 4096;

/// Returns the type-7 quantiles `ps` of `xs`, the same bits as [`quantiles_select`], by
/// bucketing: one pass finds the range, one counts the values per bucket of equal width
/// (a monotone map, so a bucket holds a contiguous run of the sorted order), and one
/// copies out only the buckets that hold the order statistics needed, which are then
/// selected within their bucket. About three reads of the column instead of the several
/// partitioning passes of a selection; `None` when the values span no range in which
/// buckets can be formed (every value equal up to the sign of zero).
fn quantiles_bucketed(xs: &[f64], ps: &[f64]) -> Option<Vec<f64>> {
    let mut scan = Scan::new(xs[0]);
    scan.extend(xs);
    let (lo, hi) = scan.range();
    let buckets = Buckets::new(lo, hi)?;
    if !scan.finite {
        // NaN sorts last in `total_cmp` order but has no bucket.
        return None;
    }
    let mut counts = vec![0u32; BUCKETS];
    xs.iter().for_each(|&x| counts[buckets.of(x)] += 1);
    let mut wanted = Wanted::new(&counts, xs.len(), ps)?;
    xs.iter().for_each(|&x| wanted.offer(buckets.of(x), x));
    Some(wanted.quantiles(ps))
}

/// Lanes of the sums over a column: value `i` goes to lane `i % LANES`, so that the
/// additions of different lanes do not wait for each other.
const LANES: usize = 8;

/// A sum in [`LANES`] interleaved lanes, each in order from -0 (the identity of
/// addition), plus a tail: `((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7)) + tail`.
/// Its rounding error is bounded like that of an ordinary sum of `n / LANES` terms, and
/// it depends only on the values and their order, never on threads or blocking.
#[derive(Debug, Clone, Copy)]
struct LaneSum {
    lanes: [f64; LANES],
    tail: f64,
}

impl LaneSum {
    const ZERO: LaneSum = LaneSum {
        lanes: [-0.0; LANES],
        tail: -0.0,
    };

    /// Adds `LANES` consecutive terms.
    #[inline]
    fn add(&mut self, xs: &[f64; LANES]) {
        for (s, x) in self.lanes.iter_mut().zip(xs) {
            *s += x;
        }
    }

    fn total(&self) -> f64 {
        let s = &self.lanes;
        ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7])) + self.tail
    }
}

/// Returns the [`LaneSum`] of `f` over `xs`.
#[inline]
fn lane_sum(xs: &[f64], f: impl Fn(f64) -> f64) -> f64 {
    let mut sum = LaneSum::ZERO;
    let chunks = xs.chunks_exact(LANES);
    let rest = chunks.remainder();
    for c in chunks {
        sum.add(&std::array::from_fn(|k| f(c[k])));
    }
    rest.iter().for_each(|&x| sum.tail += f(x));
    sum.total()
}

/// What one pass over a column learns: its range, its [`LaneSum`], whether every value is
/// finite, and whether every value equals the first (numerically, and bit for bit).
#[derive(Debug, Clone, Copy)]
struct Scan {
    first: f64,
    lo: [f64; LANES],
    hi: [f64; LANES],
    sum: LaneSum,
    finite: bool,
    same: bool,
    same_bits: bool,
}

impl Scan {
    fn new(first: f64) -> Scan {
        Scan {
            first,
            lo: [first; LANES],
            hi: [first; LANES],
            sum: LaneSum::ZERO,
            finite: true,
            same: true,
            same_bits: true,
        }
    }

    /// Scans `xs`, the column's next values: a multiple of [`LANES`] long but for the
    /// column's last values.
    fn extend(&mut self, xs: &[f64]) {
        let mut scan = *self;
        let first = scan.first;
        let chunks = xs.chunks_exact(LANES);
        let rest = chunks.remainder();
        for c in chunks {
            let c: &[f64; LANES] = c.try_into().expect("a chunk of LANES values");
            for ((lo, hi), &x) in scan.lo.iter_mut().zip(&mut scan.hi).zip(c) {
                // Comparisons rather than `f64::min`, whose NaN handling is slower.
                *lo = if x < *lo { x } else { *lo };
                *hi = if x > *hi { x } else { *hi };
            }
            scan.sum.add(c);
            scan.finite &= c.iter().all(|x| x.is_finite());
            scan.same &= c.iter().all(|&x| x == first);
            scan.same_bits &= c.iter().all(|x| x.to_bits() == first.to_bits());
        }
        for &x in rest {
            scan.lo[0] = if x < scan.lo[0] { x } else { scan.lo[0] };
            scan.hi[0] = if x > scan.hi[0] { x } else { scan.hi[0] };
            scan.sum.tail += x;
            scan.finite &= x.is_finite();
            scan.same &= x == first;
            scan.same_bits &= x.to_bits() == first.to_bits();
        }
        *self = scan;
    }

    /// Returns the least and greatest value (either zero where both signs occur).
    fn range(&self) -> (f64, f64) {
        let pick = |xs: &[f64; LANES], better: fn(f64, f64) -> bool| {
            xs.iter()
                .fold(xs[0], |m, &x| if better(x, m) { x } else { m })
        };
        (pick(&self.lo, |x, m| x < m), pick(&self.hi, |x, m| x > m))
    }
}

/// [`BUCKETS`] buckets of equal width over a range.
#[derive(Debug, Clone, Copy)]
struct Buckets {
    lo: f64,
    scale: f64,
}

impl Buckets {
    /// Returns the buckets over `[lo, hi]`, or `None` if the range is empty or not finite.
    fn new(lo: f64, hi: f64) -> Option<Buckets> {
        let scale = BUCKETS as f64 / (hi - lo);
        (scale.is_finite() && scale > 0.0).then_some(Buckets { lo, scale })
    }

    /// Returns the bucket of `x`. Monotone in `x`: subtraction, multiplication by a
    /// positive number, truncation and clamping all preserve order.
    #[inline]
    fn of(&self, x: f64) -> usize {
        (((x - self.lo) * self.scale) as i64).clamp(0, BUCKETS as i64 - 1) as usize
    }
}

/// The order statistics behind some type-7 quantiles of `n` values, found from the
/// values' bucket counts: which buckets hold them, and those buckets' values once offered.
#[derive(Debug)]
struct Wanted {
    n: usize,
    /// First rank of each bucket (and `n` at the end).
    start: Vec<usize>,
    /// The ranks needed, ascending.
    ranks: Vec<usize>,
    /// Index in `held` of each bucket, or `u8::MAX` for a bucket not needed.
    slot: Vec<u8>,
    held: Vec<Vec<f64>>,
}

impl Wanted {
    /// Returns the buckets that hold the order statistics of quantiles `ps`, or `None` if
    /// too many are needed.
    fn new(counts: &[u32], n: usize, ps: &[f64]) -> Option<Wanted> {
        let mut start = vec![0usize; counts.len() + 1];
        for b in 0..counts.len() {
            start[b + 1] = start[b] + counts[b] as usize;
        }
        let mut ranks: Vec<usize> = ps
            .iter()
            .flat_map(|&p| {
                let (l, h, _) = type7(n, p);
                [l, h]
            })
            .collect();
        ranks.sort_unstable();
        ranks.dedup();
        let bucket_of = |k: usize| start.partition_point(|&s| s <= k) - 1;
        let mut wanted: Vec<usize> = ranks.iter().map(|&k| bucket_of(k)).collect();
        wanted.dedup();
        // At most 2 ranks per level, so fewer than 255 buckets are wanted.
        let mut slot = vec![u8::MAX; counts.len()];
        for (i, &b) in wanted.iter().enumerate() {
            slot[b] = u8::try_from(i).ok()?;
        }
        let held = (wanted.iter())
            .map(|&b| Vec::with_capacity(start[b + 1] - start[b]))
            .collect();
        Some(Wanted {
            n,
            start,
            ranks,
            slot,
            held,
        })
    }

    /// Keeps `x`, of bucket `b`, if its bucket is needed.
    #[inline]
    fn offer(&mut self, b: usize, x: f64) {
        let i = self.slot[b];
        if i != u8::MAX {
            self.held[usize::from(i)].push(x);
        }
    }

    /// Returns the quantiles `ps` once every value has been offered.
    fn quantiles(mut self, ps: &[f64]) -> Vec<f64> {
        let mut order_statistic = |k: usize| {
            let b = self.start.partition_point(|&s| s <= k) - 1;
            let values = &mut self.held[usize::from(self.slot[b])];
            *values
                .select_nth_unstable_by(k - self.start[b], f64::total_cmp)
                .1
        };
        let stats: Vec<(usize, f64)> = (self.ranks.clone().into_iter())
            .map(|k| (k, order_statistic(k)))
            .collect();
        let at = |k: usize| stats[stats.partition_point(|&(r, _)| r < k)].1;
        ps.iter()
            .map(|&p| {
                let (l, h, w) = type7(self.n, p);
                let x_lo = at(l);
                x_lo + w * (at(h) - x_lo)
            })
            .collect()
    }
}

/// Puts the values of positions `at` (ascending, within `offset..offset + xs.len()`) of
/// the sorted order in place, selecting the middle one first and then each side.
fn multiselect(xs: &mut [f64], offset: usize, at: &[usize]) {
    if at.is_empty() {
        return;
    }
    let mid = at.len() / 2;
    let k = at[mid] - offset;
    xs.select_nth_unstable_by(k, f64::total_cmp);
    let (left, right) = xs.split_at_mut(k);
    multiselect(left, offset, &at[..mid]);
    multiselect(&mut right[1..], at[mid] + 1, &at[mid + 1..]);
}

/// Returns the statistics of one column of the run table: its finite values' moments (in
/// run order) and [`QUANTILES`], or `None`s when it has none.
pub fn column_stats(column: impl Iterator<Item = f64>) -> (Option<Moments>, Option<[f64; 7]>) {
    let xs: Vec<f64> = column.collect();
    let Some(&first) = xs.first() else {
        return (None, None);
    };
    let mut scan = Scan::new(first);
    scan.extend(&xs);
    scanned_stats(&xs, &scan, &mut Vec::new())
}

/// [`column_stats`] of a column's finite values, in run order; leaves `xs` reordered.
fn finite_stats(xs: &mut [f64]) -> (Option<Moments>, Option<[f64; 7]>) {
    let mom = moments(xs);
    let qs = (!xs.is_empty()).then(|| {
        let v = quantiles_select(xs, &QUANTILES);
        std::array::from_fn(|i| v[i])
    });
    (mom, qs)
}

/// [`column_stats`] of the non-empty column `xs` whose pass `scan` has been made: the same
/// bits as [`finite_stats`] of its finite values. A long column of varying finite values
/// takes two more passes (one sums the deviations from the rough mean and counts the
/// values per bucket, one sums the squared deviations and keeps the values of the buckets
/// needed) instead of the six of [`moments`] and [`quantiles_bucketed`] one after the
/// other, and is not copied; any other is copied into `copy` for [`finite_stats`].
fn scanned_stats(
    xs: &[f64],
    scan: &Scan,
    copy: &mut Vec<f64>,
) -> (Option<Moments>, Option<[f64; 7]>) {
    let mut fallback = || {
        copy.clear();
        copy.extend(xs.iter().copied().filter(|x| x.is_finite()));
        finite_stats(copy)
    };
    if !scan.finite {
        return fallback();
    }
    let (lo, hi) = scan.range();
    let (Some(buckets), false, true) = (Buckets::new(lo, hi), scan.same, xs.len() >= BUCKETED_MIN)
    else {
        return fallback();
    };
    let n = xs.len() as f64;
    // As `moments`: a two-pass mean, then the squared deviations from it.
    let rough = scan.sum.total() / n;
    let mut correction = LaneSum::ZERO;
    let mut counts = vec![0u32; BUCKETS];
    let chunks = xs.chunks_exact(LANES);
    let rest = chunks.remainder();
    for c in chunks {
        correction.add(&std::array::from_fn(|k| c[k] - rough));
        c.iter().for_each(|&x| counts[buckets.of(x)] += 1);
    }
    for &x in rest {
        correction.tail += x - rough;
        counts[buckets.of(x)] += 1;
    }
    let mean = rough + correction.total() / n;
    let Some(mut wanted) = Wanted::new(&counts, xs.len(), &QUANTILES) else {
        return fallback();
    };
    let mut squares = LaneSum::ZERO;
    let chunks = xs.chunks_exact(LANES);
    let rest = chunks.remainder();
    for c in chunks {
        squares.add(&std::array::from_fn(|k| (c[k] - mean).powi(2)));
        c.iter().for_each(|&x| wanted.offer(buckets.of(x), x));
    }
    for &x in rest {
        squares.tail += (x - mean).powi(2);
        wanted.offer(buckets.of(x), x);
    }
    let squares = squares.total();
    let sd = (squares / (n - 1.0)).sqrt();
    let v = wanted.quantiles(&QUANTILES);
    (
        Some(Moments { mean, sd }),
        Some(std::array::from_fn(|i| v[i])),
    )
}

/// Returns [`column_stats`] of every column of a column-major table of `n_cols` columns
/// (column `c` of `r` runs is `table[c * r..(c + 1) * r]`), in column order, the columns
/// spread over the threads. A column is read where it lies: it is copied only if it holds
/// a non-finite value.
pub fn table_stats(table: &[f64], n_cols: usize) -> Vec<(Option<Moments>, Option<[f64; 7]>)> {
    if n_cols == 0 {
        return Vec::new();
    }
    let runs = table.len() / n_cols;
    (0..n_cols)
        .into_par_iter()
        .map_init(Vec::new, |copy, c| {
            let xs = &table[c * runs..(c + 1) * runs];
            let Some(&first) = xs.first() else {
                return (None, None);
            };
            let mut scan = Scan::new(first);
            scan.extend(xs);
            scanned_stats(xs, &scan, copy)
        })
        .collect()
}

/// Returns the 95% Wilson score interval of `k` successes in `n` trials.
pub fn wilson(k: u64, n: u64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let n = n as f64;
    let p = k as f64 / n;
    let z2 = Z95 * Z95;
    let denom = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denom;
    let half = Z95 / denom * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

pub(crate) fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type7_quantiles_match_numpy() {
        // numpy.quantile([1, 2, 3, 4, 10], [0.05, 0.25, 0.5, 0.9]) = [1.2, 2.0, 3.0, 7.6]
        let xs = [1.0, 2.0, 3.0, 4.0, 10.0];
        let got: Vec<f64> = [0.05, 0.25, 0.5, 0.9]
            .iter()
            .map(|&p| quantile_sorted(&xs, p))
            .collect();
        for (g, e) in got.iter().zip([1.2, 2.0, 3.0, 7.6]) {
            assert!((g - e).abs() < 1e-12, "{got:?}");
        }
        assert_eq!(quantile_sorted(&[5.0], 0.95), 5.0);
    }

    /// The statistics of a column by sorting: moments in run order, then [`quantile_sorted`]
    /// of the sorted values.
    fn column_stats_by_sorting(column: &[f64]) -> (Option<Moments>, Option<[f64; 7]>) {
        let mut xs: Vec<f64> = column.iter().copied().filter(|x| x.is_finite()).collect();
        let mom = moments(&xs);
        xs.sort_unstable_by(f64::total_cmp);
        let qs = (!xs.is_empty()).then(|| QUANTILES.map(|p| quantile_sorted(&xs, p)));
        (mom, qs)
    }

    #[test]
    fn selected_quantiles_are_the_sorted_ones_bit_for_bit() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        let bits = |s: (Option<Moments>, Option<[f64; 7]>)| {
            (
                s.0.map(|m| (m.mean.to_bits(), m.sd.to_bits())),
                s.1.map(|q| q.map(f64::to_bits)),
            )
        };
        for case in 0..400 {
            let n = match case % 8 {
                0 => case % 5,
                1 => 20 + case % 3,
                // Long enough for the bucketed quantiles.
                7 => rng.random_range(BUCKETED_MIN..40_000),
                _ => rng.random_range(1..3_000),
            };
            // Shares with undefined (NaN) runs, whole-number counts with many ties,
            // signed zeros, and wide-ranging values.
            let column: Vec<f64> = (0..n)
                .map(|_| match case / 8 % 4 {
                    0 => {
                        if rng.random_bool(0.2) {
                            f64::NAN
                        } else {
                            rng.random_range(0.35..0.45)
                        }
                    }
                    1 => f64::from(rng.random_range(0..40)),
                    2 => {
                        if rng.random_bool(0.5) {
                            -0.0
                        } else {
                            0.0
                        }
                    }
                    _ => rng.random_range(-1e6..1e6) * 10f64.powi(rng.random_range(-8..8)),
                })
                .collect();
            let got = column_stats(column.iter().copied());
            assert_eq!(
                bits(got),
                bits(column_stats_by_sorting(&column)),
                "case {case}"
            );
            // Any quantile levels, in any order, repeated or not.
            let mut xs: Vec<f64> = column.iter().copied().filter(|x| x.is_finite()).collect();
            if !xs.is_empty() {
                let ps: Vec<f64> = (0..rng.random_range(1..12))
                    .map(|_| match rng.random_range(0..4) {
                        0 => 0.0,
                        1 => 1.0,
                        2 => QUANTILES[rng.random_range(0..7)],
                        _ => rng.random::<f64>(),
                    })
                    .collect();
                let got = quantiles_select(&mut xs, &ps);
                xs.sort_unstable_by(f64::total_cmp);
                for (g, &p) in got.iter().zip(&ps) {
                    assert_eq!(g.to_bits(), quantile_sorted(&xs, p).to_bits(), "{case} {p}");
                }
            }
        }
    }

    /// A whole column-major table, its columns spread over several threads, gives every
    /// column the statistics of sorting it.
    #[test]
    fn table_statistics_are_the_sorted_ones_bit_for_bit() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
        // Not a multiple of LANES, and long enough for the bucketed quantiles.
        let (runs, n_cols) = (3 * 256 + 17, 23);
        let table: Vec<f64> = (0..runs * n_cols)
            .map(|i| match i / runs {
                0 => 7.0,
                1 if rng.random_bool(0.1) => f64::NAN,
                2 => f64::from(rng.random_range(0..5)),
                3 => -0.0,
                c => rng.random_range(-1e3..1e5) * (1.0 + c as f64),
            })
            .collect();
        let bits = |s: &(Option<Moments>, Option<[f64; 7]>)| {
            (
                s.0.map(|m| (m.mean.to_bits(), m.sd.to_bits())),
                s.1.map(|q| q.map(f64::to_bits)),
            )
        };
        let got = rayon::ThreadPoolBuilder::new()
            .num_threads(3)
            .build()
            .expect("threads")
            .install(|| table_stats(&table, n_cols));
        assert_eq!(got.len(), n_cols);
        for (c, g) in got.iter().enumerate() {
            let column = &table[c * runs..(c + 1) * runs];
            assert_eq!(
                bits(g),
                bits(&column_stats_by_sorting(column)),
                "column {c}"
            );
        }
        assert_eq!(table_stats(&[], 4), vec![(None, None); 4]);
    }

    /// The lane sums behind the mean and sd are as accurate as an ordinary sum: checked
    /// against exact integer arithmetic on stock-sized whole numbers, with a remainder
    /// after the lanes.
    #[test]
    fn moments_match_exact_integer_arithmetic() {
        let xs: Vec<i64> = (0..100_003i64)
            .map(|i| 322_500 + (i * 7919) % 2001 - 1000 + if i % 97 == 0 { 50_000 } else { 0 })
            .collect();
        let n = xs.len() as i128;
        let sum: i128 = xs.iter().map(|&x| i128::from(x)).sum();
        let squares: i128 = xs.iter().map(|&x| i128::from(x).pow(2)).sum();
        let mean = sum as f64 / n as f64;
        // sum (x - mean)^2 = (n sum x^2 - (sum x)^2) / n, exactly.
        let sd = ((n * squares - sum * sum) as f64 / (n * (n - 1)) as f64).sqrt();
        let floats: Vec<f64> = xs.iter().map(|&x| x as f64).collect();
        let m = moments(&floats).unwrap();
        assert!((m.mean - mean).abs() <= 1e-15 * mean, "{} {mean}", m.mean);
        assert!((m.sd - sd).abs() <= 1e-12 * sd, "{} {sd}", m.sd);
        // The table's path gives the same bits.
        let (got, _) = table_stats(&floats, 1)[0];
        assert_eq!(got, Some(m));
    }

    #[test]
    fn sample_sd_uses_n_minus_one() {
        let m = moments(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]).unwrap();
        assert_eq!(m.mean, 5.0);
        assert!((m.sd - (32.0f64 / 7.0).sqrt()).abs() < 1e-12);
        let constant = vec![0.403_100_775_193_798_44; 10_000];
        assert_eq!(
            moments(&constant),
            Some(Moments {
                mean: constant[0],
                sd: 0.0
            })
        );
    }

    #[test]
    fn wilson_interval_matches_a_published_value() {
        // Wilson (1927) / Newcombe (1998) example: 81 of 263 -> 0.2553 to 0.3662.
        let (lo, hi) = wilson(81, 263);
        assert!(
            (lo - 0.2553).abs() < 1e-4 && (hi - 0.3662).abs() < 1e-4,
            "{lo} {hi}"
        );
        let (lo, hi) = wilson(0, 10);
        assert_eq!(lo, 0.0);
        assert!((hi - 0.2775).abs() < 1e-4, "{hi}");
    }
}
