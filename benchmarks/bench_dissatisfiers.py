"""Recovery check of the penalty-reward contrast analysis (issue 14 part 4) on simulated studies.

For each seed: a study of 4 organisations x N respondents with wait time planted as a
dissatisfier in Energie (``asymmetry={"Energie": {"wait_time": A}}``), read back with
``read_responses`` and analysed with ``analyse_dissatisfiers`` (B resamples). Reports how
often the planted driver is classified basic (power), and how often each symmetric
(group, driver) pair is called basic or excitement (false classifications), split into
the strong linear drivers (standardized effect >= .3) and the rest.

    .venv/bin/python benchmarks/bench_dissatisfiers.py [--seeds 10] [--n 375] [--a 0.6] [--bootstrap 500]
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import pandas as pd

from analysis import analyse_dissatisfiers, simulate_study
from analysis.simulation.model import default_profiles
from instrument import load_instrument, read_responses


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--n", type=int, default=375)
    parser.add_argument("--a", type=float, default=0.6)
    parser.add_argument("--bootstrap", type=int, default=500)
    args = parser.parse_args()
    inst = load_instrument()
    effects = {p.name: p.effects for p in default_profiles(4)}
    rows, seconds = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in range(1, args.seeds + 1):
            study = simulate_study(inst, n_orgs=4, n_per_org=args.n, seed=seed, truth_draws=0,
                                   asymmetry={"Energie": {"wait_time": args.a}})
            path = Path(tmp) / "s.csv"
            study.responses.to_csv(path, index=False)
            data, _ = read_responses(path, inst)
            clock = time.perf_counter()
            res = analyse_dissatisfiers(data, inst, bootstrap=args.bootstrap, seed=seed)
            seconds.append(time.perf_counter() - clock)
            rows.append(res.table.assign(seed=seed))
    t = pd.concat(rows, ignore_index=True)
    planted = (t.group == "Energie") & (t.driver == "wait_time")
    strong = t.apply(lambda r: effects[r.group][r.driver] >= .3, axis=1)
    print(f"{args.seeds} seeds, 4 organisations x {args.n}, a = {args.a}, {args.bootstrap} resamples; "
          f"load {os.getloadavg()[0]:.2f}")
    print(f"planted (Energie, wait_time): basic in {(t[planted]['class'] == 'basic').mean():.0%} of studies; "
          f"median share of resamples basic {t[planted].share_basic.median():.2f}")
    for name, mask in (("symmetric, strong (effect >= .3)", ~planted & strong), ("symmetric, weak", ~planted & ~strong)):
        part = t[mask]
        print(f"{name}: {len(part)} pairs; basic {(part['class'] == 'basic').mean():.1%}, "
              f"excitement {(part['class'] == 'excitement').mean():.1%}, "
              f"performance {(part['class'] == 'performance').mean():.1%}")
    print(f"analysis time per study: median {sorted(seconds)[len(seconds) // 2]:.2f} s")


if __name__ == "__main__":
    main()
