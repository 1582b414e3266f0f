"""Size of the dashboard file for 200 organisations, with every view (issue 16: under 5 MB).

Run from the repository root (a benchmark, never a test)::

    .venv/bin/python benchmarks/bench_dashboard_size.py [--orgs-per-batch 50] [--batches 4]

The study is built as ``tests/test_dashboard.py::test_two_hundred_organisations_stay_under_five_megabytes``
builds it: four simulated studies of 50 organisations x 40 respondents (``simulate_study``,
``truth_draws=0``; organisations and ids made distinct), read back with ``read_responses``,
a driver analysis with ``bootstrap=2``, ``sem=False``, then ``build_dashboard`` with
``min_group_n=10``, the themes of the open answers and ``period='month'`` (three waves:
the contact dates span a quarter). Prints the file's size, the bytes of each part of the
embedded document, the time per stage and the load average.
"""
from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

import pandas as pd

from analysis.dashboard import build_dashboard
from analysis.drivers.analyse import analyse_drivers
from analysis.dashboard.render import vega_bundle
from analysis.simulation.simulate import simulate_study
from instrument import load_instrument, read_responses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orgs-per-batch", type=int, default=50)
    parser.add_argument("--batches", type=int, default=4)
    parser.add_argument("--n-per-org", type=int, default=40)
    args = parser.parse_args()
    inst = load_instrument()
    parts = []
    for batch in range(args.batches):
        responses = simulate_study(inst, n_orgs=args.orgs_per_batch, n_per_org=args.n_per_org, seed=5 + batch,
                                   truth_draws=0).responses
        responses["organisation"] = [f"Organisatie {batch * args.orgs_per_batch + i // args.n_per_org + 1:03d}"
                                     for i in range(len(responses))]
        responses["respondent_id"] = f"B{batch}-" + responses["respondent_id"].astype(str)
        parts.append(responses)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.csv"
        pd.concat(parts, ignore_index=True).to_csv(path, index=False)
        data, quality = read_responses(path, inst)
        clock = time.perf_counter()
        analysis = analyse_drivers(data, inst, by="organisation", bootstrap=2, seed=1, sem=False)
        analysed = time.perf_counter() - clock
        board = build_dashboard(data, inst, quality, out=Path(tmp) / "big.html", analysis=analysis, min_group_n=10,
                                period="month", bootstrap=2)
    doc = board.document
    print(f"{len(doc['groups']) - 1} organisations, {len(data)} respondents, views {doc['views']}")
    print(f"file: {board.size:,} bytes ({board.size / 1e6:.2f} MB); Vega bundle {len(vega_bundle()):,} bytes")
    for key in ("kpis", "priorities", "voice", "waves", "themes", "text", "groups"):
        print(f"  document[{key!r}]: {len(json.dumps(doc[key], ensure_ascii=False)):,} bytes")
    seconds = ", ".join(f"{k} {v:.1f} s" for k, v in board.seconds.items() if k != "analysis")
    print(f"analysis {analysed:.1f} s (not part of the page); {seconds}; load average {os.getloadavg()}")


if __name__ == "__main__":
    main()
