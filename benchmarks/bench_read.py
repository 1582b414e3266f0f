"""Time the reader on a large Parquet file, against reading the file without any checks.

Run from the repository root::

    .venv/bin/python benchmarks/bench_read.py [--orgs 200] [--n-per-org 5000] [--repeats 3] [--tree DIR ...]

The data are ``benchmarks/bench_analyse.py``'s scale data (``simulate_study``, cached as
Parquet in the temp folder, not timed): 1,000,000 respondents of 200 organisations by
default. Each repeat runs, each in a fresh interpreter, :func:`instrument.read_responses`
(everything ``drivers analyse`` does before the analysis: the checks against the
instrument, the flags and the quality report) and the obvious alternative,
``pandas.read_parquet`` of the same file with no checks at all, and prints the medians,
their ratio and the CPU time. ``--tree`` times the reader of other checkouts too (e.g. an
earlier commit from ``git archive``), alternating with this one, so that the comparison
is made in one run on one machine.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_analyse import scale_data  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
# the imports and the instrument are loaded before the clock starts: the read alone is timed
READER = """
import sys, time
import pandas as pd
from instrument import load_instrument, read_responses
inst = load_instrument()
t, c = time.perf_counter(), time.process_time()
if sys.argv[2] == "pandas":
    pd.read_parquet(sys.argv[1])
else:
    read_responses(sys.argv[1], inst)
print(time.perf_counter() - t, time.process_time() - c)
"""


def run(tree: Path, path: Path, what: str) -> tuple[float, float]:
    """Wall and CPU seconds of one read in a fresh interpreter, with ``tree``'s code."""
    env = dict(os.environ, PYTHONPATH=str(tree))
    out = subprocess.run([sys.executable, "-c", READER, str(path), what], env=env, check=True,
                         capture_output=True, text=True, cwd=tree).stdout.split()
    return float(out[0]), float(out[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orgs", type=int, default=200)
    parser.add_argument("--n-per-org", type=int, default=5000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--tree", type=Path, action="append", default=[],
                        help="another checkout whose reader is timed too")
    args = parser.parse_args()
    path = scale_data(args.orgs, args.n_per_org)
    print(f"{args.orgs * args.n_per_org:,} respondents in {path}; load {os.getloadavg()[0]:.1f}", flush=True)
    jobs = [("pandas.read_parquet (no checks)", ROOT, "pandas"), (f"read_responses, {ROOT}", ROOT, "reader")]
    jobs += [(f"read_responses, {tree}", tree.resolve(), "reader") for tree in args.tree]
    times: dict[str, list[tuple[float, float]]] = {name: [] for name, _, _ in jobs}
    for _ in range(args.repeats):
        for name, tree, what in jobs:
            times[name].append(run(tree, path, what))
    base = statistics.median(w for w, _ in times[jobs[0][0]])
    for name, _, _ in jobs:
        wall = statistics.median(w for w, _ in times[name])
        cpu = statistics.median(c for _, c in times[name])
        print(f"{name}: wall {wall:.2f} s (median of {args.repeats}), CPU {cpu:.2f} s, {wall / base:.2f}x pandas")
    print(f"load {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
