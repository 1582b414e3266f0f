"""Time ``drivers analyse`` end to end and by stage, at the example's size and at 1,000,000 respondents.

Run from the repository root (a benchmark, never a test)::

    .venv/bin/python benchmarks/bench_analyse.py [--quick] [--runs 5] [--scale-runs 1] [--output FILE]

1. **Example study** (1,500 respondents, 4 organisations, 2,000 resamples):
   ``drivers analyse data/example/responses.csv --by organisation --bootstrap 2000`` as a
   subprocess, median of ``--runs`` runs (wall clock, peak RSS of the child), with and
   without ``--no-sem``; then in-process timings by stage (read, then the stages of
   ``DriverAnalysis.timings``: sample = scores and exclusions, point, bootstrap, sem, ...).
2. **The obvious alternative**: pingouin's ``linear_regression(relimp=True)`` refitted on
   every resample, timed on one organisation's rows (``--naive-resamples`` resamples) and
   extrapolated to the fits the real run makes (groups, rest of the sample, whole sample);
   per-fit time on the small organisation is used for every fit, which flatters pingouin.
3. **Scale**: 1,000,000 respondents in 200 organisations (5,000 each; ``--quick``: 20
   organisations, 100,000), 1,000 resamples. The data are simulated once (``simulate_study``,
   ``truth_draws=0``, 50 organisations per call, the generator's maximum) and cached as
   Parquet in the temp folder, not timed. The command runs with ``--no-sem`` and its
   stderr on a pseudo-terminal, so the rich progress bar is drawn as for a user. The SEM
   is timed separately: fits of ``--sem-orgs`` organisations (extrapolated to all) and the
   whole-sample fit (full run only).

The machine is shared: load averages are printed beside every figure; quote medians.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import pty
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
EXAMPLE = ROOT / "data" / "example" / "responses.csv"
FLAGS = ["flag_straightlining", "flag_too_many_missing", "flag_speeding"]


def machine() -> dict:
    """Cores, CPU model, RAM, versions, date."""
    info = {}
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        key, _, value = line.partition(":")
        info.setdefault(key.strip(), value.strip())
    cpu = (f"{info.get('model name', platform.processor())} (family {info.get('cpu family')}, model "
           f"{info.get('model')}, {float(info.get('cpu MHz', 'nan')):.0f} MHz"
           + (", virtual machine" if "hypervisor" in info.get("flags", "") else "") + ")")
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))
    import numpy
    import pandas
    return {"date": datetime.now().isoformat(timespec="minutes"), "cores": os.cpu_count(),
            "cores_available": len(os.sched_getaffinity(0)), "cpu": cpu, "ram_gb": round(mem_kb / 1024**2, 1),
            "python": platform.python_version(), "numpy": numpy.__version__, "pandas": pandas.__version__}


def load() -> str:
    return "load %.2f %.2f %.2f" % os.getloadavg()


def drivers_command() -> list[str]:
    exe = Path(sys.executable).with_name("drivers")
    return [str(exe)] if exe.exists() else [sys.executable, "-c", "from analysis.cli import main; main()"]


def run_child(args: list[str], *, tty_stderr: bool = False) -> dict:
    """Run ``drivers ARGS``; wall time and peak RSS of the child (``os.wait4``)."""
    cmd = drivers_command() + args
    env = dict(os.environ, COLUMNS="120")
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        if tty_stderr:         # a pseudo-terminal: rich draws its progress bar as for a user
            master, slave = pty.openpty()
            proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=slave)
            os.close(slave)
            chunks: list[bytes] = []
            reader = threading.Thread(target=_drain, args=(master, chunks), daemon=True)
            reader.start()
        else:
            proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if tty_stderr:
            reader.join(timeout=5)
            os.close(master)
            tail = b"".join(chunks)[-300:].decode(errors="replace")
        else:
            err.seek(0)
            tail = err.read()[-300:].decode(errors="replace")
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {tail}")
    return {"wall_s": wall, "peak_rss_mb": usage.ru_maxrss / 1024, "progress_bar_bytes": len(tail)}


def _drain(fd: int, chunks: list[bytes]) -> None:
    while True:
        try:
            data = os.read(fd, 65536)
        except OSError:
            return
        if not data:
            return
        chunks.append(data)


def summarise(runs: list[dict]) -> dict:
    walls = [r["wall_s"] for r in runs]
    return {"median_s": statistics.median(walls), "min_s": min(walls), "max_s": max(walls),
            "runs": len(walls), "peak_rss_mb": max(r["peak_rss_mb"] for r in runs)}


def example_end_to_end(n_runs: int) -> dict:
    out = {}
    for name, extra in (("with_sem", []), ("no_sem", ["--no-sem"])):
        args = ["analyse", str(EXAMPLE.relative_to(ROOT)), "--by", "organisation", "--bootstrap", "2000", *extra]
        runs = [run_child(args) for _ in range(n_runs)]
        out[name] = {"command": "drivers " + " ".join(args), **summarise(runs), "load": load()}
        print(f"  {out[name]['command']}: median {out[name]['median_s']:.2f} s (min {out[name]['min_s']:.2f}, "
              f"max {out[name]['max_s']:.2f}, {n_runs} runs), peak RSS {out[name]['peak_rss_mb']:.0f} MB; {load()}",
              flush=True)
    return out


def example_stages(n_runs: int) -> tuple[dict, object]:
    from analysis.drivers.analyse import analyse_drivers
    from instrument import load_instrument, read_responses

    inst = load_instrument()
    stages: dict[str, list[float]] = {}
    res = None
    for _ in range(n_runs):
        start = time.perf_counter()
        data, _ = read_responses(EXAMPLE, inst)
        stages.setdefault("read", []).append(time.perf_counter() - start)
        res = analyse_drivers(data, inst, by="organisation", bootstrap=2000, seed=1)
        for k, v in res.timings.items():
            stages.setdefault(k, []).append(v)
    medians = {k: statistics.median(v) for k, v in stages.items()}
    medians["total"] = sum(medians.values())
    print("  in-process stages (median s): " + ", ".join(f"{k} {v:.3f}" for k, v in medians.items())
          + f"; SEM {100 * medians['sem'] / medians['total']:.0f}% of the total; {load()}", flush=True)
    return medians, res


def naive_fit_seconds(rows, drivers: list[str], outcome: str, n_resamples: int, seed: int = 0) -> float:
    """Seconds per bootstrap refit with pingouin.linear_regression(relimp=True) (the obvious way)."""
    import pingouin as pg

    rng = np.random.default_rng(seed)
    x, y = rows[drivers].to_numpy(), rows[outcome].to_numpy()
    start = time.perf_counter()
    for _ in range(n_resamples):
        take = rng.integers(0, len(y), len(y))
        pg.linear_regression(x[take], y[take], relimp=True)
    return (time.perf_counter() - start) / n_resamples


def naive_example(res, stages: dict, e2e: dict, n_resamples: int) -> dict:
    drivers = list(res.settings.drivers)
    rows = res.used[res.used.group == "Energie"]
    per_fit = naive_fit_seconds(rows, drivers, res.settings.outcome, n_resamples)
    n_groups = len(res.group_names) - 1
    fits = res.settings.n_resamples * (2 * n_groups + 1)        # groups, rest of the sample, whole sample
    naive = per_fit * fits
    out = {"per_fit_ms": 1000 * per_fit, "n_timed": n_resamples, "fits_extrapolated": fits, "naive_s": naive,
           "speedup_bootstrap_stage": naive / stages["bootstrap"],
           "speedup_whole_command": naive / e2e["with_sem"]["median_s"]}
    print(f"  pingouin relimp refit: {out['per_fit_ms']:.1f} ms per fit ({n_resamples} timed, n = {len(rows)}) x "
          f"{fits} fits = {naive:.0f} s; speed-up {out['speedup_bootstrap_stage']:.0f}x (bootstrap stage), "
          f"{out['speedup_whole_command']:.0f}x (whole command incl. SEM, vs the naive bootstrap alone)", flush=True)
    return out


def scale_data(n_orgs: int, n_per_org: int) -> Path:
    """Simulated responses, cached as Parquet in the temp folder (not timed)."""
    import pandas as pd

    from analysis.simulation.simulate import simulate_study
    from instrument import load_instrument

    path = Path(tempfile.gettempdir()) / "service-drivers-bench" / f"responses_{n_orgs}x{n_per_org}.parquet"
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    inst = load_instrument()
    parts = []
    for batch, start in enumerate(range(0, n_orgs, 50)):
        study = simulate_study(inst, n_orgs=min(50, n_orgs - start), n_per_org=n_per_org, seed=100 + batch,
                               truth_draws=0)
        r = study.responses
        r["organisation"] = [f"{o} {batch + 1}" for o in r["organisation"]]
        r["respondent_id"] = [f"B{batch + 1}-{i}" for i in r["respondent_id"]]
        parts.append(r)
    pd.concat(parts, ignore_index=True).to_parquet(path, index=False)
    return path


def scale(n_orgs: int, n_per_org: int, n_runs: int, sem_orgs: int, whole_sem: bool, naive_resamples: int) -> dict:
    t0 = time.perf_counter()
    path = scale_data(n_orgs, n_per_org)
    print(f"  data: {n_orgs} x {n_per_org} = {n_orgs * n_per_org:,} respondents at {path} "
          f"(ready in {time.perf_counter() - t0:.0f} s, not timed)", flush=True)
    args = ["analyse", str(path), "--by", "organisation", "--bootstrap", "1000", "--no-sem"]
    runs = [run_child(args, tty_stderr=True) for _ in range(n_runs)]
    out = {"respondents": n_orgs * n_per_org, "organisations": n_orgs,
           "command": "drivers " + " ".join(args), **summarise(runs), "load": load()}
    print(f"  {out['command']} (progress bar on a pseudo-terminal): median {out['median_s']:.1f} s "
          f"({n_runs} run(s)), peak RSS {out['peak_rss_mb'] / 1024:.2f} GB; {load()}", flush=True)

    from analysis.drivers.sem import fit_structural
    from instrument import load_instrument, read_responses

    inst = load_instrument()
    start = time.perf_counter()
    data, _ = read_responses(path, inst)
    out["read_s"] = time.perf_counter() - start
    from analysis.drivers.analyse import analyse_drivers
    res = analyse_drivers(data, inst, by="organisation", bootstrap=1000, seed=1, sem=False)
    out["in_process_stages_s"] = {"read": out["read_s"], **res.timings}
    print("  in-process stages (s): " + ", ".join(f"{k} {v:.2f}" for k, v in out["in_process_stages_s"].items())
          + f"; {load()}", flush=True)
    del res
    keep = ~data[FLAGS].any(axis=1).to_numpy()
    data = data[keep]
    groups = data.organisation.to_numpy()
    labels = sorted(set(groups))
    start = time.perf_counter()
    fits = fit_structural(data, inst, groups, labels[:sem_orgs], drivers=inst.driver_keys, outcome="satisfaction",
                          whole_sample=None)
    per_org = (time.perf_counter() - start) / sem_orgs
    out["sem_per_org_s"] = per_org
    out["sem_orgs_timed"] = sem_orgs
    out["sem_all_orgs_s"] = per_org * n_orgs
    msg = f"  SEM (FIML) separately: {per_org:.2f} s per organisation ({sem_orgs} timed, n about {fits.fit.n.iloc[0]})" \
          f" -> {per_org * n_orgs:.0f} s for {n_orgs}"
    if whole_sem:
        start = time.perf_counter()
        whole = fit_structural(data, inst, groups, [], drivers=inst.driver_keys, outcome="satisfaction")
        out["sem_whole_sample_s"] = time.perf_counter() - start
        msg += f"; whole sample (n = {whole.fit.n.iloc[0]:,}) {out['sem_whole_sample_s']:.0f} s"
    print(msg + f"; {load()}", flush=True)

    from analysis.drivers.sample import analysis_sample
    sample = analysis_sample(data, inst, by="organisation", outcome="satisfaction", drivers=inst.driver_keys)
    used = sample.frame[sample.used]
    rows = used[used.group == labels[0]]
    per_fit = naive_fit_seconds(rows, inst.driver_keys, "satisfaction", naive_resamples)
    fits_needed = 1000 * (2 * n_orgs + 1)
    naive = per_fit * fits_needed
    out.update(naive_per_fit_ms=1000 * per_fit, naive_fits=fits_needed, naive_s=naive,
               speedup_bootstrap_stage=naive / out["in_process_stages_s"]["bootstrap"],
               speedup_whole_command=naive / out["median_s"])
    print(f"  pingouin relimp refit: {1000 * per_fit:.1f} ms per fit (n = {len(rows)}) x {fits_needed:,} fits = "
          f"{naive / 3600:.1f} h; speed-up {out['speedup_bootstrap_stage']:.0f}x (bootstrap stage), "
          f"{out['speedup_whole_command']:.0f}x (whole command, reading included, vs the naive bootstrap alone)",
          flush=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 runs, 100,000 respondents at scale")
    parser.add_argument("--runs", type=int, default=None, help="end-to-end runs of the example (default 5; quick 3)")
    parser.add_argument("--scale-runs", type=int, default=1, help="runs of the scale case")
    parser.add_argument("--naive-resamples", type=int, default=None, help="pingouin refits timed (100; quick 30)")
    parser.add_argument("--sem-orgs", type=int, default=None, help="organisations fitted to time the SEM (10; quick 3)")
    parser.add_argument("--skip-scale", action="store_true")
    parser.add_argument("--output", type=Path, default=None, help="also write the figures as JSON")
    args = parser.parse_args()
    runs = args.runs or (3 if args.quick else 5)
    naive_resamples = args.naive_resamples or (30 if args.quick else 100)
    results = {"machine": machine()}
    print(json.dumps(results["machine"]), flush=True)

    print("Example study (1,500 respondents, 4 organisations, 2,000 resamples):", flush=True)
    results["example_end_to_end"] = example_end_to_end(runs)
    stages, res = example_stages(3)
    results["example_stages_s"] = stages
    results["example_naive"] = naive_example(res, stages, results["example_end_to_end"], naive_resamples)
    if not args.skip_scale:
        n_orgs, n_per_org = (20, 5000) if args.quick else (200, 5000)
        print(f"Scale ({n_orgs * n_per_org:,} respondents, {n_orgs} organisations, 1,000 resamples):", flush=True)
        results["scale"] = scale(n_orgs, n_per_org, args.scale_runs, args.sem_orgs or (3 if args.quick else 10),
                                 whole_sem=not args.quick, naive_resamples=max(10, naive_resamples // 5))
    if args.output:
        args.output.write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    main()
