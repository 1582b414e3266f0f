"""How often the true top driver ranks first, by the number of respondents a group uses.

Usage::

    .venv/bin/python benchmarks/bench_rank_stability.py [--studies 250] [--seed 20000]

Simulates studies of four organisations with the generator of ``data/example``
(:func:`analysis.simulation.simulate.simulate_study`, the default profiles), reads each back with
``read_responses`` and runs ``analyse_drivers`` with the default settings (flagged
respondents excluded, seven drivers, so in effect phone respondents are used; 2
resamples: only the point ranks matter). The true top driver is the one with the
largest population LMG share in ``data/example/truth.json``. Prints, per size, the
mean number of respondents used per organisation and the share of organisation samples
in which the true top driver ranked first and the true top two were the top two.
Record the figures in benchmarks/RESULTS.md (they justify
:data:`analysis.common.thresholds.MIN_N_STABLE_RANKS`).
"""
from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import pandas as pd

from analysis.drivers.analyse import analyse_drivers
from analysis.simulation.simulate import simulate_study
from instrument import load_instrument, read_responses

ROOT = Path(__file__).parents[1]
# respondents per organisation; about 53% of them are used (complete, unflagged)
SIZES = (95, 190, 375, 750)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--studies", type=int, default=250)
    parser.add_argument("--seed", type=int, default=20000)
    args = parser.parse_args()
    inst = load_instrument()
    truth = json.loads((ROOT / "data" / "example" / "truth.json").read_text(encoding="utf-8"))["organisations"]
    first = {g: max(o["observed"]["lmg_pct"], key=o["observed"]["lmg_pct"].get) for g, o in truth.items()}
    top_two = {g: frozenset(o["observed"]["top_two"]) for g, o in truth.items()}
    path = Path(tempfile.mkdtemp()) / "study.csv"
    for size in SIZES:
        start, rows = time.perf_counter(), []
        for k in range(args.studies):
            simulate_study(inst, n_orgs=4, n_per_org=size, seed=args.seed + k,
                           truth_draws=0).responses.to_csv(path, index=False)
            data, _ = read_responses(path, inst)
            res = analyse_drivers(data, inst, bootstrap=2, seed=k, sem=False)
            for g in truth:
                t = res.group(g)
                rows.append({"n": int(t.n.iloc[0]), "first": t.driver.iloc[0] == first[g],
                             "top_two": frozenset(t.driver.iloc[:2]) == top_two[g]})
        t = pd.DataFrame(rows)
        print(f"{size} per organisation: {t.n.mean():.0f} used on average ({t.n.min()}-{t.n.max()}); true top "
              f"driver first in {t['first'].mean():.1%}, true top two on top in {t.top_two.mean():.1%} of "
              f"{len(t)} organisation samples ({time.perf_counter() - start:.0f} s)", flush=True)


if __name__ == "__main__":
    main()
