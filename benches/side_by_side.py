#!/usr/bin/env python3
"""Times talentsim and the numpy reference on the same scenario, in one run, and prints the ratio.

    cargo build --release
    pip install numpy
    python3 benches/side_by_side.py [SCENARIO] [--runs 100000 1000000] [--repeat 3]

Both sides do a whole job: read the scenario, draw parameters, simulate with process noise,
and compute the summary (every metric's mean, sd and quantiles in every year; each target's
probability, Wilson interval, central value and probability by year). talentsim also writes
its output files (no charts), so the comparison slightly favours numpy. Each timing is the best of
--repeat runs; talentsim's is measured once per thread count.
"""

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def best(cmd, repeat):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - t)
    return min(times)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario", nargs="?", default=os.path.join(ROOT, "scenarios", "zhangjiagang-baseline.toml"))
    ap.add_argument("--runs", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    binary = os.path.join(ROOT, "target", "release", "talentsim")
    if not os.path.exists(binary):
        sys.exit("build first: cargo build --release")
    reference = os.path.join(ROOT, "benches", "numpy_reference.py")
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    load = " ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    print(f"machine: {os.cpu_count()} cores, {cpu}; load average {load}; scenario: {os.path.relpath(args.scenario, ROOT)}")
    print(f"{'runs':>10} {'numpy s':>9} {'1 thread s':>11} {'all threads s':>14} {'ratio 1t':>9} {'ratio all':>10} {'runs/s all':>11}")
    with tempfile.TemporaryDirectory() as tmp:
        for runs in args.runs:
            out = os.path.join(tmp, "out")
            rust = [binary, "run", args.scenario, "--runs", str(runs), "--out", out, "--quiet", "--no-charts"]
            t_np = best([sys.executable, reference, args.scenario, "--runs", str(runs), "--quiet"], args.repeat)
            t_1 = best(rust + ["--threads", "1"], args.repeat)
            t_all = best(rust, args.repeat)
            print(f"{runs:>10} {t_np:>9.3f} {t_1:>11.3f} {t_all:>14.3f} {t_np / t_1:>8.1f}x {t_np / t_all:>9.1f}x {runs / t_all:>11.0f}")


if __name__ == "__main__":
    main()
