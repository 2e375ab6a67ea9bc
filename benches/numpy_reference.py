#!/usr/bin/env python3
"""A numpy implementation of talentsim's model, for speed comparisons and cross-checks.

Careful numpy: every run is one column of an array, so each year is a handful of array-wide
calls to numpy's own samplers and no Python loop ever runs over runs. It reads the same
scenario files (docs/scenario-format.md) and implements the model of docs/model.md: parameter
uncertainty (once per run or yearly, schedules, truncated draws, whole parameter sets
redrawn when the rates out of a level exceed 1), process noise (sequential binomials,
Poisson inflows split multinomially, programmes taken from stayers and capped), and the
whole summary: every metric's mean, sd and type 7 quantiles in every year, and each target's
probability with its 95% Wilson interval, central value, p50 and probability by year.

How it is fast without changing the model:
- The state is a (levels, runs) array of int64 counts, so a level's runs are one contiguous
  row; each level's outcomes are sequential binomials drawn for all runs at once, with the
  conditional probabilities computed once per parameter set, not once per year.
- Outside inflows are merged by thinning: an inflow of Poisson(I) people split
  multinomially by shares s is the same as independent Poisson(I * s_l) draws per level,
  and independent Poissons add, so all outside inflows into a level are one
  Poisson(sum_k I_k * s_kl) draw. Programmes (`from = LEVEL`) are capped by the stayers, so
  they keep their own Poisson draw and multinomial split.
- Each year's statistics are taken as soon as the year is simulated, so no runs x years x
  levels history is kept. Quantiles come from one sort per metric and year (numpy's
  vectorised sort is faster than np.partition with the 14 order statistics type 7 needs).
- Random numbers: np.random.default_rng, i.e. Generator(PCG64). The binomial and Poisson
  samplers, not the bit generator, take the time: on the baseline scenario PCG64, PCG64DXSM
  and SFC64 ran within 2% of each other and Philox and MT19937 ~10% slower, so the default
  stays.

It does not use talentsim's random streams, so its numbers agree with talentsim's only
statistically (within Monte Carlo error), not digit for digit.

    pip install numpy
    python3 benches/numpy_reference.py scenarios/zhangjiagang-baseline.toml --runs 100000
    python3 benches/numpy_reference.py SCENARIO --runs 20000 --out DIR   # also talentsim's CSV tables
"""

import argparse
import csv
import math
import os
import sys
import time
import tomllib

# No BLAS routine is called here; one BLAS thread keeps OpenBLAS from starting a thread pool
# at import (~60 ms of a 100,000-run job on a 2-core machine) and keeps the job on one core.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import numpy as np  # noqa: E402

QUANTILES = np.array([0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95])
STATS = ["mean", "sd", "p05", "p10", "p25", "p50", "p75", "p90", "p95"]
WILSON_Z = 1.959963984540054  # two-sided 95%


# ---- parameters -----------------------------------------------------------------------

def draw_dist(spec, size, rng):
    """Draws from one distribution table."""
    d = spec["dist"]
    if d == "normal":
        return rng.normal(spec["mean"], spec["sd"], size)
    if d == "lognormal":
        mean, sd = spec["mean"], spec["sd"]
        if sd == 0:
            return np.full(size, float(mean))
        s2 = math.log1p((sd / mean) ** 2)
        return rng.lognormal(math.log(mean) - s2 / 2, math.sqrt(s2), size)
    if d == "beta":
        m, sd = spec["mean"], spec["sd"]
        k = m * (1 - m) / sd**2 - 1
        return rng.beta(m * k, (1 - m) * k, size)
    if d == "uniform":
        return rng.uniform(spec["min"], spec["max"], size)
    if d == "triangular":
        return rng.triangular(spec["min"], spec["mode"], spec["max"], size)
    if d == "pert":
        lo, mode, hi = spec["min"], spec["mode"], spec["max"]
        a = 1 + 4 * (mode - lo) / (hi - lo)
        b = 1 + 4 * (hi - mode) / (hi - lo)
        return lo + (hi - lo) * rng.beta(a, b, size)
    raise ValueError(f"unknown dist {d}")


def central_value(spec):
    if not isinstance(spec, dict):
        return float(spec)
    d = spec["dist"]
    if d in ("normal", "lognormal", "beta"):
        return spec["mean"]
    if d == "uniform":
        return (spec["min"] + spec["max"]) / 2
    if d == "triangular":
        return (spec["min"] + spec["mode"] + spec["max"]) / 3
    return (spec["min"] + 4 * spec["mode"] + spec["max"]) / 6


def sample_value(spec, runs, years, upper, rng):
    """A number or a distribution as a (1, runs) array (same every year) or (years, runs)
    (vary = "yearly"); draws outside [0, upper] are redrawn."""
    if not isinstance(spec, dict):
        return np.full((1, runs), float(spec))
    size = (years if spec.get("vary") == "yearly" else 1, runs)
    x = draw_dist(spec, size, rng)
    bad = np.flatnonzero((x < 0) | (x > upper))
    while bad.size:
        x.flat[bad] = draw_dist(spec, bad.size, rng)
        bad = bad[(x.flat[bad] < 0) | (x.flat[bad] > upper)]
    return x


def schedule(spec, proj_years):
    """The (value, projected-year indices) of each schedule entry that holds in some year."""
    if not (isinstance(spec, dict) and "by_year" in spec):
        return [(spec, None)]
    entries = sorted((int(y), v) for y, v in spec["by_year"].items())
    starts = [y for y, _ in entries]
    active = [max(0, np.searchsorted(starts, y, side="right") - 1) for y in proj_years]
    return [(v, [i for i, a in enumerate(active) if a == k]) for k, (_, v) in enumerate(entries) if k in active]


def sample_param(spec, runs, proj_years, upper, rng):
    """A parameter (number, distribution or by_year schedule) as a (1 or years, runs) array."""
    parts = schedule(spec, proj_years)
    if len(parts) == 1:
        return sample_value(parts[0][0], runs, len(proj_years), upper, rng)
    out = np.empty((len(proj_years), runs))
    for value, cols in parts:
        x = sample_value(value, runs, len(proj_years), upper, rng)
        out[cols] = x[cols] if x.shape[0] > 1 else x
    return out


def central_param(spec, proj_years):
    """A parameter's central value in every projected year, as a (years, 1) array."""
    out = np.empty((len(proj_years), 1))
    for value, cols in schedule(spec, proj_years):
        out[slice(None) if cols is None else cols] = central_value(value)
    return out


# ---- the model ------------------------------------------------------------------------

class Model:
    def __init__(self, sc):
        self.levels = sc["levels"]
        self.L = len(self.levels)
        idx = {name: i for i, name in enumerate(self.levels)}
        self.hs = idx[sc["high_skill_from"]]
        self.start, self.end = sc["start_year"], sc["end_year"]
        self.proj_years = list(range(self.start + 1, self.end + 1))
        self.Y = len(self.proj_years)
        self.initial = np.array([sc["initial"][name] for name in self.levels], dtype=np.int64)
        # Rates: attrition of each level, then moves (upgrades, then explicit transitions).
        self.rate_specs = [sc["attrition"][name] for name in self.levels]
        self.rate_specs += [sc["upgrade"][name] for name in self.levels[:-1]]
        self.rate_specs += [t["rate"] for t in sc.get("transition", [])]
        moves = [(i, i + 1) for i in range(self.L - 1)]
        moves += [(idx[t["from"]], idx[t["to"]]) for t in sc.get("transition", [])]
        # Each level's competing outcomes in order: (rate index, destination or None for exit).
        self.outcomes = [[(lvl, None)] for lvl in range(self.L)]
        for j, (f, t) in enumerate(moves):
            self.outcomes[f].append((self.L + j, t))
        # Inflows: amount spec, year factor (growth, zero outside first..last), split, source.
        self.inflows = []
        for f in sc.get("inflow", []):
            first = f.get("first_year", self.start + 1)
            last = f.get("last_year", self.end)
            growth = f.get("growth", 0.0)
            factor = [(1 + growth) ** (y - first) if first <= y <= last else 0.0 for y in self.proj_years]
            split = sorted((idx[k], v) for k, v in f["split"].items())
            src = idx[f["from"]] if "from" in f else None
            self.inflows.append((f["per_year"], factor, split, src))
        self.targets = sc.get("target", [])

    # -- parameter sets: a list of arrays, rates first, then inflow amounts per year (not yet
    #    multiplied by the year factor), each (1 or years, runs).

    def draw_params(self, runs, rng):
        rates = [sample_param(s, runs, self.proj_years, 1.0, rng) for s in self.rate_specs]
        amounts = [sample_param(s, runs, self.proj_years, np.inf, rng) for s, _, _, _ in self.inflows]
        return rates + amounts

    def central_params(self):
        specs = self.rate_specs + [s for s, _, _, _ in self.inflows]
        return [central_param(s, self.proj_years) for s in specs]

    def overfull(self, params):
        """(levels, runs) booleans: the rates out of the level exceed 1 in some year."""
        runs = params[0].shape[1]
        out = np.empty((self.L, runs), dtype=bool)
        for lvl, outs in enumerate(self.outcomes):
            total = sum(params[r] for r, _ in outs)
            out[lvl] = (total > 1 + 1e-12).any(axis=0)
        return out

    def sample_params(self, runs, rng):
        """Draws every run's parameters; redraws whole sets whose rates out of a level exceed 1."""
        params = self.draw_params(runs, rng)
        over = self.overfull(params)
        bad = np.flatnonzero(over.any(axis=0))
        if bad.size > 0.01 * runs:
            worst = self.levels[int(over.sum(axis=1).argmax())]
            sys.exit(f"error: {bad.size} of {runs} runs drew rates out of level {worst!r} above 1 (more than 1% need a redraw)")
        while bad.size:
            again = self.draw_params(bad.size, rng)
            for p, q in zip(params, again):
                p[:, bad] = q
            bad = bad[self.overfull(again).any(axis=0)]
        return params

    def conditional(self, params):
        """Each outcome's probability given the earlier outcomes of its level did not happen
        (exits ~ Binomial(n, w), then upgrades ~ Binomial(n - exits, u / (1 - w)), ...),
        as (years, runs) arrays; computed once per parameter set."""
        runs = params[0].shape[1]
        cond = []
        for outs in self.outcomes:
            left = np.ones((max(params[r].shape[0] for r, _ in outs), runs))
            level = []
            for r, dest in outs:
                p = np.broadcast_to(params[r], left.shape)
                # p >= left: the rest of the level (up to rounding)
                c = np.divide(p, left, out=np.ones_like(left), where=p < left)
                c[p <= 0] = 0.0
                level.append((np.broadcast_to(c, (self.Y, runs)), dest))
                left = left - p
            cond.append(level)
        return cond

    def project(self, params, rng, noise):
        """Projects every run a year at a time; yields (stocks (levels, runs), high-skill
        added since start) at the end of each projected year. The arrays are reused: use
        them before asking for the next year."""
        runs = params[0].shape[1]
        binom = rng.binomial if noise else np.multiply
        pois = rng.poisson if noise else (lambda lam: lam)
        cond = self.conditional(params)
        amounts = [np.broadcast_to(a, (self.Y, runs)) for a in params[len(self.rate_specs):]]
        programmes = [(k, split, src) for k, (_, _, split, src) in enumerate(self.inflows) if src is not None]
        # Outside inflows into each level, as (inflow, share) pairs.
        into = [[(k, share) for k, (_, _, split, src) in enumerate(self.inflows) if src is None
                 for l, share in split if l == lvl] for lvl in range(self.L)]

        n = np.broadcast_to(self.initial.astype(np.int64 if noise else np.float64)[:, None], (self.L, runs)).copy()
        added = np.zeros(runs, dtype=n.dtype)
        for i in range(self.Y):
            incoming = np.zeros_like(n)
            # Outcomes of the people in each level at the start of the year; n[l] ends as
            # the stayers.
            for lvl, outs in enumerate(cond):
                for c, dest in outs:
                    d = binom(n[lvl], c[i])
                    n[lvl] -= d
                    if dest is not None:
                        incoming[dest] += d
                        if lvl < self.hs <= dest:
                            added += d
            # Programmes certify stayers of their level, in file order, capped.
            for k, split, src in programmes:
                lam = self.inflows[k][1][i] * amounts[k][i]
                count = np.minimum(pois(lam), n[src])
                n[src] -= count
                left, share_left = count, 1.0
                for s, (lvl, share) in enumerate(split):
                    x = left if s == len(split) - 1 else binom(left, min(1.0, share / share_left))
                    incoming[lvl] += x
                    left = left - x
                    share_left -= share
                    if lvl >= self.hs and src < self.hs:
                        added += x
            # Outside inflows, one Poisson per receiving level (see the module docstring).
            for lvl, sources in enumerate(into):
                terms = [(self.inflows[k][1][i] * share, k) for k, share in sources]
                terms = [(coef, k) for coef, k in terms if coef > 0]
                if not terms:
                    continue
                x = pois(sum(coef * amounts[k][i] for coef, k in terms))
                incoming[lvl] += x
                if lvl >= self.hs:
                    added += x
            n += incoming
            yield n, added


# ---- statistics -----------------------------------------------------------------------

def metrics(model, n, added, high0):
    """Every metric's values over runs in one year, as {name: 1-d array}."""
    total = n.sum(axis=0)
    high = n[model.hs:].sum(axis=0)
    share = np.divide(high, total, out=np.full(total.shape, np.nan), where=total > 0)
    out = {"total": total, "high_skill": high, "high_skill_share": share,
           "high_skill_added": added, "high_skill_net_change": high - high0}
    out.update((f"level.{name}", n[lvl]) for lvl, name in enumerate(model.levels))
    return out


def describe(x):
    """mean, sd (n - 1) and type 7 quantiles of the defined (non-NaN) values, from one sort."""
    x = np.sort(x)
    if x.dtype.kind == "f" and x.size and np.isnan(x[-1]):   # NaNs sort last
        x = x[: x.size - np.count_nonzero(np.isnan(x))]
    if x.size == 0:
        return [None] * len(STATS)
    h = (x.size - 1) * QUANTILES
    lo = np.floor(h).astype(np.intp)
    hi = np.minimum(lo + 1, x.size - 1)
    a, b = x[lo], x[hi]
    q = a + (h - lo) * (b - a)
    sd = float(x.std(ddof=1)) if x.size > 1 else None
    return [float(x.mean()), sd] + [float(v) for v in q]


def wilson(k, n):
    p = k / n
    z2 = WILSON_Z**2
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = WILSON_Z / (1 + z2 / n) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


class Target:
    """Accumulates one target's outcome year by year."""

    def __init__(self, spec, runs):
        self.spec = spec
        self.first = spec["year"]
        self.last = spec.get("through", spec["year"])
        self.at_least = "at_least" in spec
        self.threshold = spec["at_least"] if self.at_least else spec["at_most"]
        self.holds_window = np.ones(runs, dtype=bool)
        self.held_once = np.zeros(runs, dtype=bool)
        self.worst = None  # each run's worst value over a `through` window
        self.by_year = []  # (year, p_holds, p_held_by)

    def add_year(self, year, values):
        runs = values.size
        holds = values >= self.threshold if self.at_least else values <= self.threshold
        self.held_once |= holds
        self.by_year.append((year, np.count_nonzero(holds) / runs, np.count_nonzero(self.held_once) / runs))
        if self.first <= year <= self.last:
            self.holds_window &= holds
            if self.last > self.first:
                pick = np.fmin if self.at_least else np.fmax
                self.worst = values.copy() if self.worst is None else pick(self.worst, values)

    def result(self, table, central):
        k, n = int(np.count_nonzero(self.holds_window)), self.holds_window.size
        lo, hi = wilson(k, n)
        metric = self.spec["metric"]
        vals = [central[(y, metric)] for y in range(self.first, self.last + 1)]
        vals = [v for v in vals if v is not None]
        central_value = (min(vals) if self.at_least else max(vals)) if vals else None
        p50 = describe(self.worst) if self.worst is not None else table[(self.first, metric)]
        return {"probability": k / n, "ci_low": lo, "ci_high": hi,
                "central_value": central_value, "p50": p50[STATS.index("p50")]}


def summarise(model, stream, runs, targets):
    """Consumes the projection year by year: {(year, metric): stats}; feeds the targets."""
    high0 = int(model.initial[model.hs:].sum())
    table = {}
    # The start year is the initial stock in every run.
    for name, x in metrics(model, model.initial[:, None], np.zeros(1, dtype=np.int64), high0).items():
        v = None if np.isnan(x[0]) else float(x[0])
        table[(model.start, name)] = [v, None if v is None else 0.0] + [v] * len(QUANTILES)
    for year, (n, added) in zip(model.proj_years, stream):
        values = metrics(model, n, added, high0)
        for t in targets:
            t.add_year(year, values[t.spec["metric"]])
        for name, x in values.items():
            if name == "high_skill_net_change":
                # high_skill minus the same initial value in every run: no second sort.
                mean, sd, *q = table[(year, "high_skill")]
                table[(year, name)] = [mean - high0, sd] + [v - high0 for v in q]
            else:
                table[(year, name)] = describe(x)
    return table


def central_path(model, params):
    """{(year, metric): value} of the central path (no noise, one run)."""
    high0 = float(model.initial[model.hs:].sum())
    out = {}
    n0 = model.initial[:, None].astype(np.float64)
    states = [(n0, np.zeros(1))] + [(n.copy(), a.copy()) for n, a in model.project(params, None, noise=False)]
    for year, (n, added) in zip(range(model.start, model.end + 1), states):
        for name, x in metrics(model, n, added, high0).items():
            out[(year, name)] = None if np.isnan(x[0]) else float(x[0])
    return out


# ---- output ---------------------------------------------------------------------------

def fmt(v):
    return "" if v is None else repr(int(v)) if float(v).is_integer() else repr(float(v))


def write_outputs(folder, model, names, table, central, targets, results):
    """talentsim's CSV tables (docs/outputs.md), for cross-checks."""
    os.makedirs(folder, exist_ok=True)
    years = range(model.start, model.end + 1)
    with open(os.path.join(folder, "projection.csv"), "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["year", "metric"] + STATS)
        for y in years:
            for name in names:
                w.writerow([y, name] + [fmt(v) for v in table[(y, name)]])
    with open(os.path.join(folder, "central.csv"), "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["year"] + [n.removeprefix("level.") for n in names])
        for y in years:
            w.writerow([y] + [fmt(central[(y, n)]) for n in names])
    with open(os.path.join(folder, "targets.csv"), "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["target", "metric", "year", "through", "threshold", "direction", "probability", "ci_low", "ci_high", "central_value", "p50"])
        for t, r in zip(targets, results):
            s = t.spec
            w.writerow([s["name"], s["metric"], s["year"], s.get("through", ""), t.threshold, "at_least" if t.at_least else "at_most"]
                       + [fmt(r[k]) for k in ("probability", "ci_low", "ci_high", "central_value", "p50")])
    with open(os.path.join(folder, "target_years.csv"), "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["target", "year", "p_holds", "p_held_by"])
        for t in targets:
            for y, p, q in t.by_year:
                w.writerow([t.spec["name"], y, fmt(p), fmt(q)])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario")
    ap.add_argument("--runs", type=int, default=None)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--no-process-noise", action="store_true")
    ap.add_argument("--quiet", action="store_true", help="print only the timing line")
    ap.add_argument("--out", help="also write talentsim's CSV tables to this folder (not timed)")
    args = ap.parse_args()

    started = time.perf_counter()
    with open(args.scenario, "rb") as fh:
        sc = tomllib.load(fh)
    mc = sc.get("monte_carlo", {})
    runs = args.runs or mc.get("runs", 10000)
    seed = args.seed if args.seed is not None else mc.get("seed", 0)
    noise = mc.get("process_noise", True) and not args.no_process_noise
    model = Model(sc)
    rng = np.random.default_rng(seed)
    params = model.sample_params(runs, rng)
    targets = [Target(t, runs) for t in model.targets]
    # The summary the Rust program computes: every metric's statistics in every year.
    table = summarise(model, model.project(params, rng, noise), runs, targets)
    central = central_path(model, model.central_params())
    results = [t.result(table, central) for t in targets]
    elapsed = time.perf_counter() - started

    print(f"numpy: {runs} runs in {elapsed:.3f} s ({runs / elapsed:,.0f} runs/s)")
    names = ["total", "high_skill", "high_skill_share", "high_skill_added", "high_skill_net_change"]
    names += [f"level.{x}" for x in model.levels]
    if args.out:
        write_outputs(args.out, model, names, table, central, targets, results)
    if args.quiet:
        return
    years = range(model.start, model.end + 1)
    show = lambda v: "nan" if v is None else f"{v:.4f}"
    print("central high-skill share:", " ".join(f"{y}:{show(central[(y, 'high_skill_share')])}" for y in years))
    print("median high-skill share: ", " ".join(f"{y}:{show(table[(y, 'high_skill_share')][STATS.index('p50')])}" for y in years))
    for t, r in zip(targets, results):
        print(f"{t.spec['name']}: probability {r['probability']:.4f}")


if __name__ == "__main__":
    sys.exit(main())
