#!/usr/bin/env python3
"""Checks the dependency graph as `cargo deny` would, with what this machine can reach.

- licences: every crate in Cargo.lock has a licence expression that our dual MIT /
  Apache-2.0 licence can ship with (at least one permissive alternative);
- sources: every crate comes from crates.io (no git or path dependencies but our own);
- duplicates: no crate appears in two versions among the normal (non-dev) dependencies,
  except those listed in ALLOWED_DUPLICATES with a reason.

(`cargo deny` itself also checks security advisories, whose database is fetched from a
host this machine cannot reach; run it where it can.)

    python3 tools/check_deps.py
"""

import json
import re
import subprocess
import sys

PERMISSIVE = {
    "MIT", "Apache-2.0", "BSD-2-Clause", "BSD-3-Clause", "ISC", "Zlib", "0BSD",
    "Unicode-3.0", "Unicode-DFS-2016", "BSL-1.0", "CC0-1.0", "Unlicense",
    # MIT No Attribution: the MIT licence without its notice condition (OSI-approved);
    # borrow-or-share, under the jsonschema dev-dependency (tests/conventions.rs).
    "MIT-0",
}
# name -> why two versions are acceptable
ALLOWED_DUPLICATES = {}


def alternatives(expr):
    """Splits a licence expression into its OR-alternatives, each a list of AND-terms."""
    expr = expr.replace("/", " OR ").replace("(", " ").replace(")", " ")
    return [
        [re.sub(r"\s+WITH\s+\S+", "", t).strip() for t in alt.split(" AND ")]
        for alt in re.split(r"\s+OR\s+", expr)
    ]


def main():
    meta = json.loads(subprocess.check_output(
        ["cargo", "metadata", "--format-version", "1", "--locked"], text=True))
    problems = []
    for p in meta["packages"]:
        name = f"{p['name']} {p['version']}"
        lic = p.get("license")
        if not lic:
            problems.append(f"{name}: no licence expression")
        elif not any(all(t in PERMISSIVE for t in alt) for alt in alternatives(lic)):
            problems.append(f"{name}: licence {lic!r} is not permissive")
        source = p.get("source")
        if source is None and p["name"] != "talentsim":
            problems.append(f"{name}: a path dependency")
        elif source and not source.startswith("registry+"):
            problems.append(f"{name}: from {source}, not crates.io")

    tree = subprocess.check_output(
        ["cargo", "tree", "--locked", "-e", "normal", "-d", "--prefix", "none"],
        text=True, stderr=subprocess.DEVNULL)
    # Groups separated by blank lines; each group's first line is a duplicated crate.
    groups = [g.splitlines() for g in tree.strip().split("\n\n") if g.strip()]
    dups = sorted({g[0].split()[0] for g in groups})
    for d in dups:
        if d not in ALLOWED_DUPLICATES and d != "talentsim":
            problems.append(f"{d}: two versions among the normal dependencies (cargo tree -d)")

    n = len(meta["packages"])
    if problems:
        print(f"check_deps: {len(problems)} problem(s) in {n} crates:", file=sys.stderr)
        for p in problems:
            print("  " + p, file=sys.stderr)
        return 1
    print(f"check_deps: {n} crates, licences permissive, all from crates.io, "
          f"duplicates only {sorted(set(dups) & set(ALLOWED_DUPLICATES))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
