//! A tabulated inverse CDF of the beta distribution, built once per process and shape,
//! for the random beta and PERT parameter draws of the runs.
//!
//! The exact inverse (`beta_inverse::inv_beta_reg`: Newton steps over a continued
//! fraction, a few thousand instructions) was a third of a run's cost. The table replaces
//! it by one quintic Hermite polynomial per cell: values, first and second derivatives of
//! the exact inverse at both ends of the cell (`x' = 1 / pdf(x)`,
//! `x'' = -(pdf'(x) / pdf(x)) x'^2`), so the interpolant is `C^2` and its error falls as
//! the sixth power of the cell width.
//!
//! Cells are laid out for the tails: `u < 1/2` is read as `v = u` and `u >= 1/2` as
//! `v = 1 - u` (exact in floating point), and `v` in `[2^-(j+2), 2^-(j+1))` is band `j`
//! (`j = 0..BANDS`), split into [`CELLS`] equal cells. Cell widths therefore shrink with
//! `v`, like the scale on which the inverse CDF changes near 0 and 1; the band and cell
//! come from the bits of `v`, with no search. Outside the bands (`v < 2^-14`, about
//! 6.1e-5, a share of 1.2e-4 of draws) and in any cell whose interpolant misses the exact
//! inverse at its midpoint by more than [`BUILD_TOLERANCE`] (judged by one Newton step on
//! the CDF, `(I_x(a, b) - u) / pdf(x)`), the exact inverse is used.
//!
//! The bound: the tabulated value is within [`MAX_ERROR`] (1e-9) of the exact inverse, in
//! units of the support's width; `tests/sampling.rs` checks it on a dense grid of `u`
//! (tails included) for the shipped scenarios' shapes and a range of others.

use std::sync::{Arc, Mutex};

use super::beta_inverse::{beta_reg, inv_beta_reg};
use statrs::distribution::{Continuous, ContinuousCDF};
use statrs::function::gamma::ln_gamma;

/// Bands on each side of 1/2: `v` down to `2^-(BANDS + 1)`.
pub const BANDS: usize = 13;
/// Cells per band.
pub const CELLS: usize = 32;
/// Below this `v` (`2^-14`) the exact inverse is used.
pub const TAIL: f64 = 1.0 / 16_384.0;
/// Stated bound on |tabulated - exact|, in units of the support's width.
pub const MAX_ERROR: f64 = 1e-9;
/// Largest midpoint error a cell may have when the table is built; worse cells fall back
/// to the exact inverse. A quarter of [`MAX_ERROR`], as a margin for the rest of the cell.
pub const BUILD_TOLERANCE: f64 = 0.25 * MAX_ERROR;

/// The tabulated inverse CDF of Beta(a, b).
#[derive(Debug)]
pub struct BetaTable {
    a: f64,
    b: f64,
    /// Polynomial coefficients by `(side * BANDS + band) * CELLS + cell`, in powers of the
    /// position `t` in `[0, 1]` within the cell; NaN in the first marks an exact cell.
    coef: Vec<[f64; 6]>,
}

/// A node of the table: the exact inverse and its first two derivatives in `u`.
#[derive(Debug, Clone, Copy)]
struct Node {
    x: f64,
    d1: f64,
    d2: f64,
}

impl BetaTable {
    /// Builds the table of Beta(a, b), `a, b > 0`.
    pub fn new(a: f64, b: f64) -> BetaTable {
        let (lg_a, lg_b, lg_ab) = (ln_gamma(a), ln_gamma(b), ln_gamma(a + b));
        let ln_beta = lg_a + lg_b - lg_ab;
        // The error of a value `x` for `u`, to first order: (CDF(x) - u) / pdf(x).
        let error = |x: f64, u: f64| -> f64 {
            if !(x > 0.0 && x < 1.0) {
                return f64::INFINITY;
            }
            let ln_pdf = (a - 1.0) * x.ln() + (b - 1.0) * (-x).ln_1p() - ln_beta;
            (beta_reg(a, b, x, lg_a, lg_b, lg_ab) - u) * (-ln_pdf).exp()
        };
        let node = |u: f64| -> Node {
            let x = inv_beta_reg(a, b, u);
            if x <= 0.0 || x >= 1.0 {
                return Node {
                    x,
                    d1: f64::NAN,
                    d2: f64::NAN,
                };
            }
            let ln_pdf = (a - 1.0) * x.ln() + (b - 1.0) * (-x).ln_1p() - ln_beta;
            let d1 = (-ln_pdf).exp();
            let dlog = (a - 1.0) / x - (b - 1.0) / (1.0 - x);
            Node {
                x,
                d1,
                d2: -dlog * d1 * d1,
            }
        };
        let coef = build(&node, &error);
        BetaTable { a, b, coef }
    }

    /// Returns the shape `(a, b)`.
    pub fn shape(&self) -> (f64, f64) {
        (self.a, self.b)
    }

    /// Returns `x` with `I_x(a, b) = u` to within [`MAX_ERROR`], for `u` in `[0, 1]`.
    #[inline]
    pub fn inverse(&self, u: f64) -> f64 {
        lookup(&self.coef, u).unwrap_or_else(|| inv_beta_reg(self.a, self.b, u))
    }

    /// Returns the share of cells that fall back to the exact inverse.
    pub fn exact_share(&self) -> f64 {
        self.coef.iter().filter(|c| c[0].is_nan()).count() as f64 / self.coef.len() as f64
    }
}

/// Builds the cells of an inverse CDF from its exact values and derivatives (`node`) and
/// the first-order error of a value for a `u` (`error`), as described in the module
/// documentation.
fn build(node: &dyn Fn(f64) -> Node, error: &dyn Fn(f64, f64) -> f64) -> Vec<[f64; 6]> {
    let mut coef = Vec::with_capacity(2 * BANDS * CELLS);
    for side in 0..2 {
        // `u` of a `v`: exact, as every `v` here is a short dyadic fraction.
        let u_of = |v: f64| if side == 0 { v } else { 1.0 - v };
        // Derivatives in `v` are those in `u`, times -1 for the first on the upper side.
        let sign = if side == 0 { 1.0 } else { -1.0 };
        for band in 0..BANDS {
            let start = 0.5f64.powi(band as i32 + 2);
            let h = start / CELLS as f64;
            let mut left = node(u_of(start));
            for cell in 0..CELLS {
                let v1 = start + (cell + 1) as f64 * h;
                let right = node(u_of(v1));
                let c = hermite(
                    (left.x, sign * left.d1 * h, left.d2 * h * h),
                    (right.x, sign * right.d1 * h, right.d2 * h * h),
                );
                let vm = start + (cell as f64 + 0.5) * h;
                let ok = c.iter().all(|x| x.is_finite())
                    && error(eval(&c, 0.5), u_of(vm)).abs() <= BUILD_TOLERANCE;
                coef.push(if ok { c } else { [f64::NAN; 6] });
                left = right;
            }
        }
    }
    coef
}

/// Returns the tabulated inverse at `u`, or `None` where the exact inverse is to be used
/// (the tails, NaN, and cells that fell back when built).
#[inline]
fn lookup(coef: &[[f64; 6]], u: f64) -> Option<f64> {
    let (side, v) = if u < 0.5 { (0, u) } else { (1, 1.0 - u) };
    // A NaN fails the range test too.
    if !(TAIL..0.5).contains(&v) {
        return None;
    }
    let bits = v.to_bits();
    // v = m 2^e with m in [1, 2) and e in -14..=-2: band -2 - e.
    let e = ((bits >> 52) & 0x7ff) as i64 - 1023;
    let band = (-2 - e) as usize;
    let m = f64::from_bits((bits & ((1u64 << 52) - 1)) | (1023u64 << 52));
    let s = (m - 1.0) * CELLS as f64;
    let cell = (s as usize).min(CELLS - 1);
    let t = s - cell as f64;
    let c = coef.get((side * BANDS + band) * CELLS + cell)?;
    (!c[0].is_nan()).then(|| eval(c, t))
}

/// The tabulated inverse CDF of the standard normal distribution, for the log-normal
/// parameter draws (`exp(mu + sigma z)`): the same cells as [`BetaTable`], with
/// `z' = 1 / phi(z)` and `z'' = z z'^2`, and `statrs`'s inverse (`erfc_inv`) in the tails.
/// Within [`MAX_ERROR`] of the exact inverse in `z` (`tests/sampling.rs`).
#[derive(Debug)]
pub struct NormalTable {
    coef: Vec<[f64; 6]>,
}

impl NormalTable {
    /// Builds the table.
    pub fn new() -> NormalTable {
        let d = std_normal();
        let node = |u: f64| -> Node {
            let x = d.inverse_cdf(u);
            let d1 = 1.0 / d.pdf(x);
            Node {
                x,
                d1,
                d2: x * d1 * d1,
            }
        };
        let error = |x: f64, u: f64| (d.cdf(x) - u) / d.pdf(x);
        NormalTable {
            coef: build(&node, &error),
        }
    }

    /// Returns `z` with `Phi(z) = u` to within [`MAX_ERROR`], for `u` in `[0, 1]`.
    #[inline]
    pub fn inverse(&self, u: f64) -> f64 {
        lookup(&self.coef, u).unwrap_or_else(|| std_normal().inverse_cdf(u))
    }

    /// Returns the share of cells that fall back to the exact inverse.
    pub fn exact_share(&self) -> f64 {
        self.coef.iter().filter(|c| c[0].is_nan()).count() as f64 / self.coef.len() as f64
    }
}

impl Default for NormalTable {
    fn default() -> NormalTable {
        NormalTable::new()
    }
}

fn std_normal() -> statrs::distribution::Normal {
    statrs::distribution::Normal::standard()
}

/// Returns the process-wide table of the standard normal inverse, built on first use.
pub fn normal() -> &'static NormalTable {
    static TABLE: std::sync::OnceLock<NormalTable> = std::sync::OnceLock::new();
    TABLE.get_or_init(NormalTable::new)
}

/// Returns the coefficients of the quintic on `[0, 1]` with value, first and second
/// derivative `p0` at 0 and `p1` at 1.
fn hermite(p0: (f64, f64, f64), p1: (f64, f64, f64)) -> [f64; 6] {
    let (y0, d0, s0) = p0;
    let (y1, d1, s1) = p1;
    let a = y1 - y0 - d0 - 0.5 * s0;
    let b = d1 - d0 - s0;
    let c = s1 - s0;
    [
        y0,
        d0,
        0.5 * s0,
        10.0 * a - 4.0 * b + 0.5 * c,
        -15.0 * a + 7.0 * b - c,
        6.0 * a - 3.0 * b + 0.5 * c,
    ]
}

#[inline]
fn eval(c: &[f64; 6], t: f64) -> f64 {
    c[0] + t * (c[1] + t * (c[2] + t * (c[3] + t * (c[4] + t * c[5]))))
}

/// Tables built so far in this process, by the bits of their shape.
type Cache = Vec<((u64, u64), Arc<BetaTable>)>;

static TABLES: Mutex<Cache> = Mutex::new(Vec::new());

/// Returns the process-wide table of Beta(a, b), building it if needed.
pub fn table(a: f64, b: f64) -> Arc<BetaTable> {
    let key = (a.to_bits(), b.to_bits());
    if let Some((_, t)) = lock().iter().find(|(k, _)| *k == key) {
        return Arc::clone(t);
    }
    // Built outside the lock: two threads may build the same table, identically.
    let t = Arc::new(BetaTable::new(a, b));
    let mut cache = lock();
    if let Some((_, old)) = cache.iter().find(|(k, _)| *k == key) {
        return Arc::clone(old);
    }
    cache.push((key, Arc::clone(&t)));
    t
}

fn lock() -> std::sync::MutexGuard<'static, Cache> {
    TABLES
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Builds (in parallel) the tables of the given shapes not built yet, so that the runs
/// find them ready.
pub fn prepare(shapes: &[(f64, f64)]) {
    use rayon::prelude::*;
    let mut missing: Vec<(f64, f64)> = Vec::new();
    {
        let cache = lock();
        for &(a, b) in shapes {
            let key = (a.to_bits(), b.to_bits());
            let known = |(x, y): &(f64, f64)| (x.to_bits(), y.to_bits()) == key;
            if !cache.iter().any(|(k, _)| *k == key) && !missing.iter().any(known) {
                missing.push((a, b));
            }
        }
    }
    let built: Vec<Arc<BetaTable>> = missing
        .par_iter()
        .map(|&(a, b)| Arc::new(BetaTable::new(a, b)))
        .collect();
    let mut cache = lock();
    for t in built {
        let key = (t.a.to_bits(), t.b.to_bits());
        if !cache.iter().any(|(k, _)| *k == key) {
            cache.push((key, t));
        }
    }
}
