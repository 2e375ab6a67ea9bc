#!/usr/bin/env python3
"""A numpy implementation of talentsim's model, for speed comparisons and cross-checks.

What a competent Python user would write: the whole job vectorised as arrays of
runs x levels, with numpy's own binomial, Poisson and distribution samplers. It reads the
same scenario files (MODEL.md section 6) and implements MODEL.md sections 3-5a: parameter
uncertainty (once per run or yearly, schedules, truncated normals, redraws when rates out of
a level exceed 1), process noise (sequential binomials, Poisson inflows split
multinomially, programmes taken from stayers and capped), and the target probabilities.

It does not use talentsim's random streams, so its numbers agree with talentsim's only
statistically (within Monte Carlo error), not digit for digit.

    pip install numpy
    python3 benches/numpy_reference.py scenarios/zhangjiagang-baseline.toml --runs 100000
"""

import argparse
import sys
import time
import tomllib
import warnings

import numpy as np


def draw_dist(spec, size, rng):
    """Draws from one distribution table; `size` is (runs, 1) or (runs, years)."""
    d = spec["dist"]
    if d == "normal":
        return rng.normal(spec["mean"], spec["sd"], size)
    if d == "lognormal":
        mean, sd = spec["mean"], spec["sd"]
        if sd == 0:
            return np.full(size, float(mean))
        s2 = np.log1p((sd / mean) ** 2)
        return rng.lognormal(np.log(mean) - s2 / 2, np.sqrt(s2), size)
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


def sample_value(spec, runs, years, upper, rng):
    """Samples a number or a distribution as a (runs, years) array, truncated to [0, upper]."""
    if not isinstance(spec, dict):
        return np.full((runs, years), float(spec))
    yearly = spec.get("vary") == "yearly"
    size = (runs, years) if yearly else (runs, 1)
    x = draw_dist(spec, size, rng)
    bad = (x < 0) | (x > upper)
    while bad.any():
        x[bad] = draw_dist(spec, (int(bad.sum()),), rng)
        bad = (x < 0) | (x > upper)
    return np.broadcast_to(x, (runs, years)).copy()


def schedule_index(entries, year):
    """Index of the schedule entry that holds in `year`."""
    active = 0
    for i, (y, _) in enumerate(entries):
        if y <= year:
            active = i
    return active


def sample_param(spec, runs, proj_years, upper, rng):
    """Samples a parameter (number, distribution or by_year schedule) for every projected year."""
    if isinstance(spec, dict) and "by_year" in spec:
        entries = sorted((int(y), v) for y, v in spec["by_year"].items())
        out = np.empty((runs, len(proj_years)))
        for k, (_, v) in enumerate(entries):
            x = sample_value(v, runs, len(proj_years), upper, rng)
            cols = [i for i, y in enumerate(proj_years) if schedule_index(entries, y) == k]
            out[:, cols] = x[:, cols]
        return out
    return sample_value(spec, runs, len(proj_years), upper, rng)


def central_param(spec, year):
    if isinstance(spec, dict) and "by_year" in spec:
        entries = sorted((int(y), v) for y, v in spec["by_year"].items())
        return central_param(entries[schedule_index(entries, year)][1], year)
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


class Model:
    def __init__(self, sc):
        self.levels = sc["levels"]
        self.L = len(self.levels)
        idx = {name: i for i, name in enumerate(self.levels)}
        self.hs = idx[sc["high_skill_from"]]
        self.start, self.end = sc["start_year"], sc["end_year"]
        self.proj_years = list(range(self.start + 1, self.end + 1))
        self.initial = np.array([sc["initial"][name] for name in self.levels], dtype=np.int64)
        self.attrition = [sc["attrition"][name] for name in self.levels]
        self.moves = [(i, i + 1, sc["upgrade"][name]) for i, name in enumerate(self.levels[:-1])]
        self.moves += [(idx[t["from"]], idx[t["to"]], t["rate"]) for t in sc.get("transition", [])]
        self.inflows = []
        for f in sc.get("inflow", []):
            first = f.get("first_year", self.start + 1)
            last = f.get("last_year", self.end)
            growth = f.get("growth", 0.0)
            factor = np.array([(1 + growth) ** (y - first) if first <= y <= last else 0.0 for y in self.proj_years])
            split = sorted((idx[k], v) for k, v in f["split"].items())
            src = idx[f["from"]] if "from" in f else None
            self.inflows.append((f["per_year"], factor, split, src))
        self.targets = sc.get("target", [])

    def sample_params(self, runs, rng):
        """Draws every run's parameters; redraws whole sets whose rates out of a level exceed 1."""
        Y = len(self.proj_years)
        w = np.empty((runs, Y, self.L))
        m = np.empty((runs, Y, len(self.moves)))
        lam = np.empty((runs, Y, len(self.inflows)))
        todo = np.arange(runs)
        while todo.size:
            n = todo.size
            for lvl, spec in enumerate(self.attrition):
                w[todo, :, lvl] = sample_param(spec, n, self.proj_years, 1.0, rng)
            for j, (_, _, spec) in enumerate(self.moves):
                m[todo, :, j] = sample_param(spec, n, self.proj_years, 1.0, rng)
            for k, (spec, factor, _, _) in enumerate(self.inflows):
                lam[todo, :, k] = sample_param(spec, n, self.proj_years, np.inf, rng) * factor
            out = w[todo].copy()
            for j, (f, _, _) in enumerate(self.moves):
                out[:, :, f] += m[todo, :, j]
            bad = (out > 1 + 1e-12).any(axis=(1, 2))
            todo = todo[bad]
        return w, m, lam

    def central_params(self):
        w = np.array([[central_param(s, y) for s in self.attrition] for y in self.proj_years])[None]
        m = np.array([[central_param(s, y) for (_, _, s) in self.moves] for y in self.proj_years])[None]
        lam = np.array([[central_param(s, y) * fac[i] for (s, fac, _, _) in self.inflows] for i, y in enumerate(self.proj_years)])[None]
        return w, m, lam

    def simulate(self, w, m, lam, rng, noise):
        """Projects every run; returns stocks (runs, years+1, levels) and high-skill additions."""
        runs = w.shape[0]
        Y = len(self.proj_years)
        dtype = np.int64 if noise else np.float64
        n = np.broadcast_to(self.initial.astype(dtype), (runs, self.L)).copy()
        stocks = np.empty((runs, Y + 1, self.L))
        added = np.zeros((runs, Y + 1))
        stocks[:, 0] = n
        binom = rng.binomial if noise else (lambda k, p: k * p)
        pois = rng.poisson if noise else (lambda x: x)

        def cond(p, rem):
            return np.where(p <= 0, 0.0, np.where(rem <= p, 1.0, p / np.maximum(rem, 1e-300)))

        for i in range(Y):
            rem = np.ones((runs, self.L))
            stay = n.copy()
            nxt = np.zeros_like(n)
            add = np.zeros(runs)
            exits = binom(stay, cond(w[:, i], rem))
            stay -= exits
            rem -= w[:, i]
            for j, (f, t, _) in enumerate(self.moves):
                p = m[:, i, j]
                d = binom(stay[:, f], cond(p, rem[:, f]))
                stay[:, f] -= d
                rem[:, f] -= p
                nxt[:, t] += d
                if f < self.hs <= t:
                    add += d
            for k, (_, _, split, src) in enumerate(self.inflows):
                c = pois(lam[:, i, k])
                if src is not None:
                    c = np.minimum(c, stay[:, src])
                    stay[:, src] -= c
                left, rem_share = c, 1.0
                for s, (lvl, share) in enumerate(split):
                    x = left if s == len(split) - 1 else binom(left, min(1.0, share / rem_share) if rem_share > share else 1.0)
                    nxt[:, lvl] += x
                    left = left - x
                    rem_share -= share
                    if lvl >= self.hs and (src is None or src < self.hs):
                        add += x
            n = nxt + stay
            stocks[:, i + 1] = n
            added[:, i + 1] = added[:, i] + add
        return stocks, added

    def metric(self, name, stocks, added):
        total = stocks.sum(axis=2)
        high = stocks[:, :, self.hs :].sum(axis=2)
        if name == "total":
            return total
        if name == "high_skill":
            return high
        if name == "high_skill_share":
            with np.errstate(invalid="ignore", divide="ignore"):
                return np.where(total > 0, high / np.where(total > 0, total, 1), np.nan)
        if name == "high_skill_added":
            return added
        if name == "high_skill_net_change":
            return high - high[:, :1]
        return stocks[:, :, self.levels.index(name.removeprefix("level."))]

    def target_probability(self, t, stocks, added):
        x = self.metric(t["metric"], stocks, added)
        cols = range(t["year"] - self.start, t.get("through", t["year"]) - self.start + 1)
        if "at_least" in t:
            ok = np.all([x[:, c] >= t["at_least"] for c in cols], axis=0)
        else:
            ok = np.all([x[:, c] <= t["at_most"] for c in cols], axis=0)
        return ok.mean()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario")
    ap.add_argument("--runs", type=int, default=None)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--no-process-noise", action="store_true")
    ap.add_argument("--quiet", action="store_true", help="print only the timing line")
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
    w, m, lam = model.sample_params(runs, rng)
    stocks, added = model.simulate(w, m, lam, rng, noise)
    # The summary the Rust program computes: every metric's quantiles in every year.
    names = ["total", "high_skill", "high_skill_share", "high_skill_added", "high_skill_net_change"]
    names += [f"level.{x}" for x in model.levels]
    # A share with a zero total is undefined (NaN); an all-NaN year has no quantiles.
    warnings.filterwarnings("ignore", "All-NaN slice", RuntimeWarning)
    quantiles = {name: np.nanquantile(model.metric(name, stocks, added), [0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95], axis=0) for name in names}
    probs = [(t["name"], model.target_probability(t, stocks, added)) for t in model.targets]
    elapsed = time.perf_counter() - started

    print(f"numpy: {runs} runs in {elapsed:.3f} s ({runs / elapsed:,.0f} runs/s)")
    if args.quiet:
        return
    cw, cm, clam = model.central_params()
    cs, ca = model.simulate(cw, cm, clam, rng, noise=False)
    share = model.metric("high_skill_share", cs, ca)[0]
    print("central high-skill share:", " ".join(f"{y}:{s:.4f}" for y, s in zip(range(model.start, model.end + 1), share)))
    q = quantiles["high_skill_share"]
    print("median high-skill share: ", " ".join(f"{y}:{s:.4f}" for y, s in zip(range(model.start, model.end + 1), q[3])))
    for name, p in probs:
        print(f"{name}: probability {p:.4f}")


if __name__ == "__main__":
    sys.exit(main())
