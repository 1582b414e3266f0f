"""Time ``validate(..., by="organisation", estimator="wlsmv")`` on the example study, and lavaan doing the same.

Usage::

    .venv/bin/python benchmarks/bench_validate_wlsmv.py [--no-r]

One run each (the figures go to benchmarks/RESULTS.md with the load average): our
``validate`` in-process -- five one-group WLSMV CFAs (whole sample and four
organisations: thresholds, polychoric correlations, DWLS, robust SEs, scaled test,
categorical omega, alpha, HTMT) and the configural / metric / scalar invariance models
with their DIFFTESTs -- and, when ``Rscript`` with lavaan/semTools/psych is on the PATH,
``benchmarks/validate_lavaan_wlsmv.R`` doing the same work on exactly the same item
matrix (keyed items of the respondents ``validate`` keeps, N/A and blanks missing).
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
    args = parser.parse_args()
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


if __name__ == "__main__":
    main()
