"""Scaling benchmark of the driver analysis on a Dask ``LocalCluster``: 1 worker against 2.

    .venv/bin/python benchmarks/bench_dask_scale.py [--orgs 10000] [--n-per-org 500] [--bootstrap 100]
                                                    [--sem-orgs 8] [--output FILE]

1. **Data**: ``--orgs`` organisations x ``--n-per-org`` respondents (10,000 x 500 =
   5,000,000 rows by default), simulated with ``simulate_study(truth_draws=0)`` 50
   organisations per call (the generator's maximum), organisations and ids renamed per
   call, each call written as one Parquet partition ``part-NNNNN.parquet`` of a folder in
   the temp directory (cached; not timed). The partitions are read one by one with
   ``read_responses`` (timed as 'read').
2. **Analysis** on a ``LocalCluster`` of 1 and then 2 worker processes (one thread each):
   ``analyse_drivers(..., scheduler="dask://...", sem=False)``, wall time; each worker's
   peak RSS (``getrusage``); the compute time of every task from Dask's task stream,
   per kind of task; efficiency ``T1 / (2 T2)``. The two JSON documents must be identical.
3. **SEM per task**: ``--sem-orgs`` organisations' structural models fitted one by one
   (the per-organisation task of ``fit_structural``), to extrapolate its cost.
4. **Estimate for 32 workers** from the measured costs: the work done outside the
   tasks (reading, sample, sums over groups, tables: measured as the 1-worker wall time
   less its task compute time) stays; the tasks' compute time is divided by 32.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def partitioned_data(n_orgs: int, n_per_org: int) -> Path:
    """Simulated responses as Parquet partitions of at most 50 organisations (cached, not timed)."""
    from analysis.simulation.simulate import simulate_study
    from instrument import load_instrument

    folder = Path(tempfile.gettempdir()) / "service-drivers-bench" / f"dask_{n_orgs}x{n_per_org}"
    done = folder / "_complete"
    if done.exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    inst = load_instrument()
    for batch, start in enumerate(range(0, n_orgs, 50)):
        study = simulate_study(inst, n_orgs=min(50, n_orgs - start), n_per_org=n_per_org, seed=100 + batch,
                               truth_draws=0)
        r = study.responses
        r["organisation"] = [f"{o} {batch + 1}" for o in r["organisation"]]
        r["respondent_id"] = [f"B{batch + 1}-{i}" for i in r["respondent_id"]]
        r.to_parquet(folder / f"part-{batch:05d}.parquet", index=False)
    done.touch()
    return folder


def read_partitions(folder: Path):
    import pandas as pd

    from instrument import load_instrument, read_responses

    inst = load_instrument()
    frames = [read_responses(path, inst)[0] for path in sorted(folder.glob("part-*.parquet"))]
    return inst, pd.concat(frames, ignore_index=True)


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def on_cluster(inst, data, n_workers: int, bootstrap: int) -> dict:
    import logging

    from distributed import Client, LocalCluster, get_task_stream

    from analysis import analyse_drivers

    with LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=None,
                      memory_limit=None, silence_logs=logging.ERROR) as cluster, \
            Client(cluster, set_as_default=False) as client:
        address = "dask://" + cluster.scheduler_address.removeprefix("tcp://")
        client.run(lambda: __import__("analysis.drivers.analyse"))       # warm: imports are not the work
        with get_task_stream(client=client) as stream:
            t0 = time.perf_counter()
            res = analyse_drivers(data, inst, by="organisation", bootstrap=bootstrap, seed=1, sem=False,
                                  scheduler=address)
            wall = time.perf_counter() - t0
        peaks = client.run(_peak_rss_mb)
    compute: dict[str, float] = {}
    n_tasks: dict[str, int] = {}
    for task in stream.data:
        kind = str(task["key"]).split("-")[0]
        seconds = sum(s["stop"] - s["start"] for s in task["startstops"] if s["action"] == "compute")
        compute[kind] = compute.get(kind, 0.0) + seconds
        n_tasks[kind] = n_tasks.get(kind, 0) + 1
    return {"workers": n_workers, "wall_s": wall, "stages_s": dict(res.timings),
            "task_compute_s": compute, "tasks": n_tasks, "worker_peak_rss_mb": sorted(peaks.values()),
            "json": json.dumps(res.to_dict(), sort_keys=True, default=str)}


def sem_per_org(inst, data, n_orgs: int) -> float:
    import numpy as np

    from analysis.drivers.analyse import analyse_drivers

    names = sorted(data.organisation.unique())[:n_orgs]
    part = data[data.organisation.isin(names)]
    t0 = time.perf_counter()
    res = analyse_drivers(part, inst, by="organisation", bootstrap=2, seed=1, sem=True, scheduler="threads")
    del res
    total = time.perf_counter() - t0
    t0 = time.perf_counter()
    analyse_drivers(part, inst, by="organisation", bootstrap=2, seed=1, sem=False, scheduler="threads")
    without = time.perf_counter() - t0
    # n_orgs organisation fits and one whole-sample fit of the same size order: per fit
    return float(np.float64(total - without) / (n_orgs + 1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orgs", type=int, default=10_000)
    parser.add_argument("--n-per-org", type=int, default=500)
    parser.add_argument("--bootstrap", type=int, default=100)
    parser.add_argument("--sem-orgs", type=int, default=8)
    parser.add_argument("--output", type=Path, default=None)
    args = parser.parse_args()

    t0 = time.perf_counter()
    folder = partitioned_data(args.orgs, args.n_per_org)
    print(f"data: {args.orgs} x {args.n_per_org} = {args.orgs * args.n_per_org:,} rows in "
          f"{len(list(folder.glob('part-*.parquet')))} Parquet partitions at {folder} "
          f"(ready in {time.perf_counter() - t0:.0f} s, not timed)", flush=True)
    t0 = time.perf_counter()
    inst, data = read_partitions(folder)
    read_s = time.perf_counter() - t0
    print(f"read (partition by partition, read_responses): {read_s:.1f} s", flush=True)

    runs = []
    for workers in (1, 2):
        print(f"load before the {workers}-worker run: {os.getloadavg()[0]:.1f}", flush=True)
        run = on_cluster(inst, data, workers, args.bootstrap)
        runs.append(run)
        print(f"{workers} worker(s): {run['wall_s']:.1f} s; tasks {run['tasks']}; task compute "
              f"{ {k: round(v, 1) for k, v in run['task_compute_s'].items()} } s; stages "
              f"{ {k: round(v, 1) for k, v in run['stages_s'].items()} }; worker peak RSS "
              f"{[round(m) for m in run['worker_peak_rss_mb']]} MB", flush=True)
    identical = runs[0]["json"] == runs[1]["json"]
    efficiency = runs[0]["wall_s"] / (2 * runs[1]["wall_s"])
    sem_s = sem_per_org(inst, data, args.sem_orgs)
    one = runs[0]
    compute = sum(one["task_compute_s"].values())
    outside = one["wall_s"] - compute
    est32 = outside + compute / 32
    sem32 = sem_s * (args.orgs + 1) / 32
    out = {
        "command": "benchmarks/bench_dask_scale.py " + " ".join(
            f"--{k.replace('_', '-')} {v}" for k, v in vars(args).items() if v is not None and k != "output"),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "machine": platform.platform(),
        "cpus": os.cpu_count(), "load_end": os.getloadavg()[0], "rows": len(data), "read_s": read_s,
        "runs": [{k: v for k, v in r.items() if k != "json"} for r in runs], "identical_json": identical,
        "efficiency_2_vs_1": efficiency, "sem_s_per_org": sem_s,
        "estimate_32_workers_s": {"no_sem": est32, "sem_fits_added": sem32,
                                  "outside_tasks_s": outside, "task_compute_s": compute},
    }
    print(f"identical JSON on 1 and 2 workers: {identical}; efficiency 2 vs 1: {efficiency:.2f}")
    print(f"SEM: {sem_s:.2f} s per organisation fit; 32-worker estimate: {est32:.1f} s without SEM "
          f"({outside:.1f} s outside the tasks + {compute:.1f}/32 s of tasks), + {sem32:.1f} s for the SEM fits")
    if args.output:
        args.output.write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
