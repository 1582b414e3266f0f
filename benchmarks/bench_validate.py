"""Time `drivers validate --by organisation` on the example study, and lavaan doing the same work.

Usage::

    .venv/bin/python benchmarks/bench_validate.py [--runs 3] [--no-r] [--estimator mlr] [--partial-only]
                                                  [--invariance-only]

Runs the real command as a subprocess (median of ``--runs``), times the stages
in-process (read, whole-sample CFA, per-group validation, invariance), and, when
``Rscript`` with lavaan/semTools/psych is on the PATH, runs
``benchmarks/validate_lavaan.R`` on exactly the same item matrix in the same run and
prints the ratio. Record the figures in benchmarks/RESULTS.md.

With ``--estimator mlr`` (robust ML) the command runs with ``--estimator mlr`` and the
comparison is the three invariance fits: ``invariance_steps(..., estimator="mlr")``
in-process (configural, metric, scalar with the scaled difference tests) against
``benchmarks/invariance_lavaan_mlr.R`` (the same three ``cfa(..., estimator = "MLR")``
fits and ``lavTestLRT``) on the same item matrix, in the same run.

``--invariance-only`` (with ``--estimator mlr``) times only that comparison: the three
invariance fits in-process (median of ``--runs``), then lavaan's, in one run.

Then (and alone with ``--partial-only``) the partial-invariance search
(``invariance_steps(partial=True)``: three invariance fits, score tests, a refit per
released constraint) on tests/fixtures/partial_invariance.csv (three organisations, one
planted non-invariant intercept) against ``benchmarks/partial_lavaan.R`` doing the same
search on the same file.
"""
from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "data" / "example" / "responses.sav"
PARTIAL_DATA = ROOT / "tests" / "fixtures" / "partial_invariance.csv"
DRIVERS = Path(sys.executable).with_name("drivers")
INVARIANCE = "invariance (3 multi-group FIML fits)"


def median_seconds(command: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def stages(estimator: str = "ml") -> dict[str, float]:
    from analysis.scoring.sample import select_respondents
    from analysis.scoring.scores import keyed_items
    from analysis.sem import SEM
    from analysis.validation.invariance import invariance_steps
    from analysis.validation.validation import validate
    from instrument import load_instrument, read_responses

    out = {}
    t = time.perf_counter()
    inst = load_instrument()
    data, _ = read_responses(EXAMPLE, inst)
    out["read"] = time.perf_counter() - t
    items = keyed_items(select_respondents(data).kept, inst)
    t = time.perf_counter()
    SEM(inst.model_syntax()).fit(items, missing="ml", estimator=estimator)
    out["one FIML CFA, whole sample"] = time.perf_counter() - t
    t = time.perf_counter()
    frame = items.assign(org=select_respondents(data).kept["organisation"].to_numpy())
    invariance_steps(inst.model_syntax(), frame, "org", estimator=estimator)
    out[INVARIANCE] = time.perf_counter() - t
    t = time.perf_counter()
    validate(data, inst, by="organisation", estimator=estimator)
    out["validate() in-process, total"] = time.perf_counter() - t
    return out


def write_items(folder: Path) -> Path:
    from analysis.scoring.sample import select_respondents
    from analysis.scoring.scores import keyed_items
    from instrument import load_instrument, read_responses

    inst = load_instrument()
    data, _ = read_responses(EXAMPLE, inst)
    kept = select_respondents(data).kept
    items = keyed_items(kept, inst)
    items.insert(0, "organisation", kept["organisation"].to_numpy())
    path = folder / "items.csv"
    items.to_csv(path, index=False, na_rep="NA", float_format="%g")
    return path


def timed(run, runs: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU seconds (this process) of ``runs`` calls of ``run()``.

    On a loaded machine the wall time mostly measures the queue for the cores; the
    CPU time of the process is what the computation costs (BLAS runs single-threaded).
    """
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        run()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return walls, cpus


def run_r(script: str, path: Path) -> tuple[float, float, list[str]]:
    """Elapsed and CPU seconds reported by an R benchmark script, and its other output lines."""
    result = subprocess.run(["Rscript", str(ROOT / "benchmarks" / script), str(path)],
                            check=True, capture_output=True, text=True)
    lines = result.stdout.strip().splitlines()
    cpu = [float(x.split()[1]) for x in lines if x.startswith("cpu ")]
    return float(lines[-1]), cpu[0] if cpu else float("nan"), [x for x in lines[:-1] if not x.startswith("cpu ")]


def report(what: str, walls: list[float], cpus: list[float], lavaan: tuple[float, float] | None) -> None:
    wall, cpu = statistics.median(walls), statistics.median(cpus)
    print(f"{what}, ours (in-process, {len(walls)} runs): wall {', '.join(f'{t:.1f}' for t in walls)} s "
          f"(median {wall:.2f} s), CPU {', '.join(f'{t:.1f}' for t in cpus)} s (median {cpu:.2f} s); "
          f"load average now {os.getloadavg()[0]:.1f}", flush=True)
    if lavaan is not None:
        print(f"lavaan, the same (one run): wall {lavaan[0]:.1f} s, CPU {lavaan[1]:.1f} s; "
              f"load average now {os.getloadavg()[0]:.1f}")
        print(f"ratio lavaan / ours ({what}): wall {lavaan[0] / wall:.1f}x, CPU {lavaan[1] / cpu:.1f}x")


def invariance_only(runs: int, with_r: bool) -> None:
    """The three MLR invariance fits, ours (median of ``runs``) and lavaan's (one run), same data."""
    from analysis.scoring.sample import select_respondents
    from analysis.scoring.scores import keyed_items
    from analysis.validation.invariance import invariance_steps
    from instrument import load_instrument, read_responses

    inst = load_instrument()
    data, _ = read_responses(EXAMPLE, inst)
    kept = select_respondents(data).kept
    frame = keyed_items(kept, inst).assign(org=kept["organisation"].to_numpy())
    walls, cpus = timed(lambda: invariance_steps(inst.model_syntax(), frame, "org", estimator="mlr"), runs)
    lavaan = None
    if with_r:
        with tempfile.TemporaryDirectory() as tmp:
            lavaan = run_r("invariance_lavaan_mlr.R", write_items(Path(tmp)))[:2]
    report(f"{INVARIANCE} with MLR", walls, cpus, lavaan)


def partial_search(runs: int, with_r: bool) -> None:
    """Time the partial-invariance search, ours (median of ``runs``) and lavaan's (one run)."""
    import pandas as pd

    from analysis.validation.invariance import invariance_steps
    from instrument import load_instrument

    data = pd.read_csv(PARTIAL_DATA)
    syntax = "\n".join(f"f_{line}" for line in load_instrument().model_syntax().splitlines())
    results = []
    walls, cpus = timed(lambda: results.append(invariance_steps(syntax, data, "organisation", partial=True)), runs)
    released = [f"{r.level} {r.item} {r.parameter} {r.group}" for r in results[-1].partial.itertuples()]
    print(f"partial-invariance search, ours: released {released}")
    lavaan = None
    if with_r:
        wall, cpu, lines = run_r("partial_lavaan.R", PARTIAL_DATA)
        print(f"lavaan released: {lines}")
        lavaan = (wall, cpu)
    report("partial-invariance search", walls, cpus, lavaan)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-r", action="store_true", help="skip the lavaan comparison")
    parser.add_argument("--estimator", choices=("ml", "mlr"), default="ml")
    parser.add_argument("--partial-only", action="store_true", help="only the partial-invariance search")
    parser.add_argument("--invariance-only", action="store_true",
                        help="only the three MLR invariance fits against lavaan's")
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"load average {os.getloadavg()[0]:.1f}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
          flush=True)
    with_r = not args.no_r and shutil.which("Rscript") is not None
    if args.invariance_only:
        invariance_only(args.runs, with_r)
        return
    partial_search(args.runs, with_r)
    if args.partial_only:
        return
    ours = median_seconds([str(DRIVERS), "validate", str(EXAMPLE), "--by", "organisation",
                           "--estimator", args.estimator], args.runs)
    print(f"drivers validate --by organisation --estimator {args.estimator} (subprocess, median of "
          f"{args.runs}): {ours:.2f} s")
    stage_times = stages(args.estimator)
    for name, seconds in stage_times.items():
        print(f"  {name}: {seconds:.2f} s")
    if args.no_r or shutil.which("Rscript") is None:
        print("lavaan: skipped (no Rscript, or --no-r)")
        return
    with tempfile.TemporaryDirectory() as tmp:
        items = write_items(Path(tmp))
        script = "invariance_lavaan_mlr.R" if args.estimator == "mlr" else "validate_lavaan.R"
        result = subprocess.run(["Rscript", str(ROOT / "benchmarks" / script), str(items)],
                                check=True, capture_output=True, text=True)
        lavaan = float(result.stdout.strip().splitlines()[-1])
    if args.estimator == "mlr":
        print(f"lavaan, the 3 invariance fits with estimator = 'MLR' and lavTestLRT (elapsed inside R, "
              f"one run): {lavaan:.1f} s; load average now {os.getloadavg()[0]:.1f}")
        print(f"ratio lavaan / invariance_steps(estimator='mlr'): {lavaan / stage_times[INVARIANCE]:.1f}x")
        print(f"ratio lavaan (3 fits) / the whole drivers validate --estimator mlr: {lavaan / ours:.1f}x")
        return
    print(f"lavaan/semTools/psych, the same work (elapsed inside R, one run): {lavaan:.1f} s")
    print(f"ratio lavaan / drivers validate: {lavaan / ours:.1f}x")


if __name__ == "__main__":
    main()
