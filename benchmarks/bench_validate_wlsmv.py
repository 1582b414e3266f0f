"""Time ``validate(..., by="organisation", estimator="wlsmv")`` on the example study, and lavaan doing the same.

Usage::

    .venv/bin/python benchmarks/bench_validate_wlsmv.py [--no-r] [--partial-only]

One run each (the figures go to benchmarks/RESULTS.md with the load average): our
``validate`` in-process -- five one-group WLSMV CFAs (whole sample and four
organisations: thresholds, polychoric correlations, DWLS, robust SEs, scaled test,
categorical omega, alpha, HTMT) and the configural / metric / scalar invariance models
with their DIFFTESTs -- and, when ``Rscript`` with lavaan/semTools/psych is on the PATH,
``benchmarks/validate_lavaan_wlsmv.R`` doing the same work on exactly the same item
matrix (keyed items of the respondents ``validate`` keeps, N/A and blanks missing).

``--partial-only`` times the WLSMV partial-invariance search instead:
``invariance_steps(..., estimator="wlsmv", partial=True)`` on
``tests/fixtures/wlsmv_partial.csv`` (three groups, eight 5-point items; configural, metric
and scalar fits, DWLS score tests and modification indices, three releases and refits)
against ``tests/fixtures/r/wlsmv_partial.R``, lavaan/semTools doing the same search on the
same file (its elapsed seconds inside R; the reference it writes goes to a temporary file).
"""
from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "data" / "example" / "responses.sav"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-r", action="store_true", help="skip the lavaan comparison")
    parser.add_argument("--partial-only", action="store_true", help="time the partial-invariance search only")
    args = parser.parse_args()
    if args.partial_only:
        partial_search(args.no_r)
        return
    from analysis.scoring.sample import select_respondents
    from analysis.scoring.scores import keyed_items
    from analysis.validation.validation import validate
    from instrument import load_instrument, read_responses

    inst = load_instrument()
    data, _ = read_responses(EXAMPLE, inst)
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    start = time.perf_counter()
    val = validate(data, inst, by="organisation", estimator="wlsmv")
    ours = time.perf_counter() - start
    print(f"validate(estimator='wlsmv'), in-process: {ours:.1f} s "
          f"({len(val.groups)} CFAs, invariance levels: {list(val.invariance.table['level'])})")
    if args.no_r or shutil.which("Rscript") is None:
        return
    kept = select_respondents(data).kept
    items = keyed_items(kept, inst)
    items.insert(0, "organisation", kept["organisation"].astype(str).to_numpy())
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(os.environ.get("ITEMS_CSV", Path(tmp) / "items.csv"))
        items.to_csv(path, index=False)
        start = time.perf_counter()
        out = subprocess.run(["Rscript", str(ROOT / "benchmarks" / "validate_lavaan_wlsmv.R"), str(path)],
                             capture_output=True, text=True, cwd=ROOT)
        wall = time.perf_counter() - start
    if out.returncode:
        print(f"lavaan failed after {wall:.1f} s:\n{out.stderr.strip()[-2000:]}")
        return
    r_seconds = float(out.stdout.strip().splitlines()[-1])
    print(f"lavaan/semTools (WLSMV), same work: {r_seconds:.1f} s fitting, {wall:.1f} s with R start-up")
    print(f"ratio (lavaan fitting / ours): {r_seconds / ours:.1f}x")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def partial_search(no_r: bool) -> None:
    """The WLSMV partial-invariance search, ours and lavaan's, one run each."""
    import pandas as pd

    from analysis.validation.invariance import invariance_steps

    data = pd.read_csv(ROOT / "tests" / "fixtures" / "wlsmv_partial.csv")
    model = "a =~ a1 + a2 + a3 + a4\nb =~ b1 + b2 + b3 + b4"
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    start = time.perf_counter()
    res = invariance_steps(model, data, "group", estimator="wlsmv", partial=True, std_lv=True)
    ours = time.perf_counter() - start
    freed = [f"{r.item} {r.parameter} ({r.group})" for r in res.partial.itertuples()]
    print(f"invariance_steps(estimator='wlsmv', partial=True), in-process: {ours:.1f} s; released: {freed}")
    if no_r or shutil.which("Rscript") is None:
        return
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        out = subprocess.run(["Rscript", str(ROOT / "tests" / "fixtures" / "r" / "wlsmv_partial.R"),
                              str(Path(tmp) / "out.json")], capture_output=True, text=True, cwd=ROOT)
        wall = time.perf_counter() - start
    if out.returncode:
        print(f"lavaan failed after {wall:.1f} s:\n{out.stderr.strip()[-2000:]}")
        return
    r_seconds = float(out.stdout.strip().splitlines()[-1])
    print(f"lavaan/semTools, the same search: {r_seconds:.1f} s inside R, {wall:.1f} s with R start-up")
    print(f"ratio (lavaan / ours): {r_seconds / ours:.1f}x")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
