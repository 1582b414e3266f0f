"""Scaling benchmark of the driver analysis on a Dask ``LocalCluster``: 1 worker against 2.

    .venv/bin/python benchmarks/bench_dask_scale.py [--orgs 10000] [--n-per-org 500] [--bootstrap 100]
                                                    [--sem-orgs 8] [--output FILE]
                                                    [--partitions N] [--kept-only]

1. **Data**: ``--orgs`` organisations x ``--n-per-org`` respondents (10,000 x 500 =
   5,000,000 rows by default), simulated with ``simulate_study(truth_draws=0)`` 50
   organisations per call (the generator's maximum), organisations and ids renamed per
   call, each call written as one Parquet partition ``part-NNNNN.parquet`` of a folder in
   the temp directory (cached; not timed).
2. **On a ``LocalCluster``** of 1 and then 2 worker processes (one thread each): the
   partitions read, checked and kept on the workers (``open_partitioned(folder,
   scheduler="dask://...")``, timed as 'read'), then ``analyse_drivers(kept, ...,
   scheduler="dask://...", sem=False)`` from the kept partitions (the caller never holds
   the rows, :mod:`analysis.drivers.kept`), wall time; each worker's and the caller's peak
   RSS (``VmHWM``; the caller's reset before each configuration where Linux allows it, and
   taken before the result is turned into JSON, whose SHA-256 is compared); the compute
   time of every task from Dask's task stream, per kind of task; efficiency ``T1 / (2 T2)``.
   The two JSON documents must be identical.
3. **CPU seconds** (user + system, ``getrusage``), which a loaded machine inflates far
   less than wall time: of the calling process during the analysis (the serial part:
   sample, sums over groups, merges, and sending the tasks; with a ``LocalCluster`` also
   its scheduler's threads, so its main thread's CPU is reported apart) and of the workers
   (the parallel part). From them, for ``N`` workers on idle cores: ``T_N = caller + workers /
   N`` (Amdahl), and the efficiency at 2 workers that this predicts.
4. **SEM per task**: ``--sem-orgs`` organisations' structural models fitted in-process
   (with SEM minus without), to extrapolate its cost.
5. **Estimate for 32 workers** from the CPU seconds of the 1-worker run, read included.

``--workers 2`` runs step 2 on that cluster size only (steps 3-5 need 1 and 2). ``--partitions N``
runs steps 2-5 on the first ``N`` partitions only (``N`` x 50
organisations of the same data). ``--kept-only`` measures instead, on 1 and 2 workers,
the partitions read, checked and kept on the workers (``open_partitioned``): wall and
CPU time, the caller's and each worker's peak RSS; the caller holds no rows then.
"""
from __future__ import annotations

import argparse
import hashlib
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


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _peak_rss_mb() -> float:
    """This process' peak RSS. ``VmHWM`` of /proc where there is one: getrusage's ru_maxrss is
    kept across exec, so a worker spawned by this process would report this process' peak."""
    try:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _reset_peak_rss() -> None:
    """Start this process' ``VmHWM`` again from its current RSS (Linux: ``/proc/self/clear_refs``), if allowed."""
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
    except OSError:
        pass


def _rss_mb() -> float:
    try:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:")) / 1024
    except (OSError, StopIteration):
        return float("nan")


def on_cluster(folder: Path, n_workers: int, bootstrap: int) -> dict:
    import logging

    from distributed import Client, LocalCluster, get_task_stream

    from analysis import analyse_drivers
    from instrument import load_instrument
    from instrument.reader.partitions import open_partitioned

    inst = load_instrument()
    with LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=None,
                      memory_limit=None, silence_logs=logging.ERROR) as cluster, \
            Client(cluster, set_as_default=False) as client:
        address = "dask://" + cluster.scheduler_address.removeprefix("tcp://")
        client.run(lambda: __import__("analysis.drivers.kept"))       # warm: imports are not the work
        load = [os.getloadavg()[0]]
        _reset_peak_rss()               # this configuration's peak, not the one before's
        rss_0 = _peak_rss_mb()
        with get_task_stream(client=client) as stream:
            workers_0, caller_0, t0 = sum(client.run(_cpu_s).values()), _cpu_s(), time.perf_counter()
            with open_partitioned(folder, inst, scheduler=address) as kept:
                report, rows = kept.report, sum(kept.n_rows)
                read_s, read_caller, read_workers = (time.perf_counter() - t0, _cpu_s() - caller_0,
                                                     sum(client.run(_cpu_s).values()) - workers_0)
                read_peaks, rss_read = client.run(_peak_rss_mb), _peak_rss_mb()
                workers_0, caller_0, t0 = sum(client.run(_cpu_s).values()), _cpu_s(), time.perf_counter()
                main_0 = time.thread_time()     # the caller's own work, without the in-process scheduler's threads
                # the rows stay on the workers: the analysis takes them from the kept pieces
                res = analyse_drivers(kept, inst, by="organisation", bootstrap=bootstrap, seed=1, sem=False,
                                      scheduler=address)
                wall, main_cpu = time.perf_counter() - t0, time.thread_time() - main_0
                caller_cpu, workers_cpu = _cpu_s() - caller_0, sum(client.run(_cpu_s).values()) - workers_0
                peaks, caller_peak = client.run(_peak_rss_mb), _peak_rss_mb()
                rss_end, stages = _rss_mb(), dict(res.timings)
                # the JSON's digest, not the JSON (hundreds of MB at 10,000 organisations)
                digest = hashlib.sha256(json.dumps(res.to_dict(), sort_keys=True, default=str).encode()).hexdigest()
                del res
        load.append(os.getloadavg()[0])
    compute: dict[str, float] = {}
    n_tasks: dict[str, int] = {}
    for task in stream.data:
        kind = str(task["key"]).split("-")[0]
        seconds = sum(s["stop"] - s["start"] for s in task["startstops"] if s["action"] == "compute")
        compute[kind] = compute.get(kind, 0.0) + seconds
        n_tasks[kind] = n_tasks.get(kind, 0) + 1
    return {"workers": n_workers, "rows": rows, "n_respondents": report.n_respondents,
            "n_flagged": report.n_flagged, "read_s": read_s, "read_cpu_caller_s": read_caller,
            "read_cpu_workers_s": read_workers, "wall_s": wall, "cpu_caller_s": caller_cpu,
            "cpu_workers_s": workers_cpu, "cpu_caller_main_thread_s": main_cpu, "load_start_end": load,
            "stages_s": stages,
            "task_compute_s": compute, "tasks": n_tasks, "worker_peak_rss_mb": sorted(peaks.values()),
            "worker_peak_rss_mb_after_read": sorted(read_peaks.values()), "caller_peak_rss_mb_before": rss_0,
            "caller_peak_rss_mb_after_read": rss_read, "caller_peak_rss_mb": caller_peak,
            "caller_rss_mb_end": rss_end, "json": digest}


def kept_on_workers(folder: Path, n_workers: int) -> dict:
    """The partitions read, checked and kept on the workers (``open_partitioned``): the caller's cost."""
    import logging

    from distributed import Client, LocalCluster

    from instrument import load_instrument
    from instrument.reader.partitions import open_partitioned

    inst = load_instrument()
    with LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=None,
                      memory_limit=None, silence_logs=logging.ERROR) as cluster, \
            Client(cluster, set_as_default=False) as client:
        address = "dask://" + cluster.scheduler_address.removeprefix("tcp://")
        client.run(lambda: __import__("instrument.reader.partitions"))
        load = [os.getloadavg()[0]]
        rss_0 = _peak_rss_mb()
        workers_0, caller_0, t0 = sum(client.run(_cpu_s).values()), _cpu_s(), time.perf_counter()
        with open_partitioned(folder, inst, scheduler=address) as kept:
            wall = time.perf_counter() - t0
            caller_cpu, workers_cpu = _cpu_s() - caller_0, sum(client.run(_cpu_s).values()) - workers_0
            rows, flagged, parts = sum(kept.n_rows), kept.report.n_flagged, len(kept.parts)
            peaks = client.run(_peak_rss_mb)
        load.append(os.getloadavg()[0])
    return {"workers": n_workers, "rows": rows, "n_flagged": flagged, "parts": parts, "wall_s": wall,
            "cpu_caller_s": caller_cpu, "cpu_workers_s": workers_cpu, "load_start_end": load,
            "caller_peak_rss_mb_before": rss_0, "caller_peak_rss_mb": _peak_rss_mb(),
            "worker_peak_rss_mb": sorted(peaks.values())}


def first_partitions(folder: Path, n: int) -> Path:
    """A folder of links to the first ``n`` partitions of ``folder`` (a smaller study of the same data)."""
    sub = folder.with_name(f"{folder.name}_first{n}")
    sub.mkdir(exist_ok=True)
    for part in sorted(folder.glob("part-*.parquet"))[:n]:
        link = sub / part.name
        if not link.exists():
            link.symlink_to(part)
    return sub


def sem_per_org(folder: Path, n_orgs: int) -> float:
    import numpy as np

    from analysis.drivers.analyse import analyse_drivers
    from instrument import load_instrument
    from instrument.reader.partitions import read_partitioned

    inst = load_instrument()
    data, _ = read_partitioned(sorted(folder.glob("part-*.parquet"))[0], inst)      # the first 50 organisations
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
    parser.add_argument("--partitions", type=int, default=None,
                        help="analyse only the first N partitions (N x 50 organisations) of the data")
    parser.add_argument("--kept-only", action="store_true",
                        help="only read and check the partitions kept on the workers (open_partitioned)")
    parser.add_argument("--workers", type=lambda v: [int(w) for w in v.split(",")], default=[1, 2],
                        help="the LocalCluster sizes, comma-separated (default 1,2; one size: no efficiency)")
    args = parser.parse_args()

    t0 = time.perf_counter()
    folder = partitioned_data(args.orgs, args.n_per_org)
    print(f"data: {args.orgs} x {args.n_per_org} = {args.orgs * args.n_per_org:,} rows in "
          f"{len(list(folder.glob('part-*.parquet')))} Parquet partitions at {folder} "
          f"(ready in {time.perf_counter() - t0:.0f} s, not timed)", flush=True)
    if args.kept_only:
        kept = [kept_on_workers(folder, workers) for workers in (1, 2)]
        for run in kept:
            print(f"kept on {run['workers']} worker(s), load {run['load_start_end'][0]:.1f} -> "
                  f"{run['load_start_end'][1]:.1f}: {run['rows']:,} rows in {run['parts']} parts, "
                  f"{run['n_flagged']:,} flagged; {run['wall_s']:.1f} s (CPU: caller {run['cpu_caller_s']:.1f} s, "
                  f"workers {run['cpu_workers_s']:.1f} s); caller peak RSS {run['caller_peak_rss_mb']:.0f} MB "
                  f"(before {run['caller_peak_rss_mb_before']:.0f} MB); worker peak RSS "
                  f"{[round(m) for m in run['worker_peak_rss_mb']]} MB", flush=True)
        if args.output:
            args.output.write_text(json.dumps({"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                                               "machine": platform.platform(), "kept": kept}, indent=2))
        return
    if args.partitions:
        folder = first_partitions(folder, args.partitions)
        args.orgs = min(args.orgs, 50 * args.partitions)
    runs = []
    for workers in args.workers:
        run = on_cluster(folder, workers, args.bootstrap)
        runs.append(run)
        print(f"{workers} worker(s), load {run['load_start_end'][0]:.1f} -> {run['load_start_end'][1]:.1f}: "
              f"read {run['read_s']:.1f} s (CPU: caller {run['read_cpu_caller_s']:.1f} s, workers "
              f"{run['read_cpu_workers_s']:.1f} s); analysis {run['wall_s']:.1f} s (CPU: caller "
              f"{run['cpu_caller_s']:.1f} s, of it its main thread {run['cpu_caller_main_thread_s']:.1f} s, workers "
              f"{run['cpu_workers_s']:.1f} s); tasks {run['tasks']}; task "
              f"compute { {k: round(v, 1) for k, v in run['task_compute_s'].items()} } s; stages "
              f"{ {k: round(v, 1) for k, v in run['stages_s'].items()} }; worker peak RSS "
              f"{[round(m) for m in run['worker_peak_rss_mb']]} MB, caller {run['caller_peak_rss_mb']:.0f} MB (before "
              f"{run['caller_peak_rss_mb_before']:.0f} MB, after the read {run['caller_peak_rss_mb_after_read']:.0f} MB)",
              flush=True)
        if args.output:         # each configuration as it finishes: a long run keeps what it measured
            args.output.with_suffix(f".{workers}.json").write_text(
                json.dumps({k: v for k, v in run.items() if k != "json"}, indent=2))
    if len(runs) < 2:
        return
    identical = runs[0]["json"] == runs[1]["json"]
    efficiency = (runs[0]["read_s"] + runs[0]["wall_s"]) / (2 * (runs[1]["read_s"] + runs[1]["wall_s"]))
    efficiency_analysis = runs[0]["wall_s"] / (2 * runs[1]["wall_s"])
    one = runs[0]
    serial = one["read_cpu_caller_s"] + one["cpu_caller_s"]
    parallel = one["read_cpu_workers_s"] + one["cpu_workers_s"]
    predicted = {n: serial + parallel / n for n in (1, 2, 32)}
    efficiency_cpu = predicted[1] / (2 * predicted[2])
    sem_s = sem_per_org(folder, args.sem_orgs) if args.sem_orgs else float("nan")
    sem32 = sem_s * (args.orgs + 1) / 32
    out = {
        "command": "benchmarks/bench_dask_scale.py " + " ".join(
            f"--{k.replace('_', '-')} {v}" for k, v in vars(args).items()
            if v is not None and v is not False and k != "output"),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "machine": platform.platform(),
        "cpus": os.cpu_count(), "load_end": os.getloadavg()[0],
        "runs": [{k: v for k, v in r.items() if k != "json"} for r in runs], "identical_json": identical,
        "efficiency_2_vs_1_measured": efficiency, "efficiency_2_vs_1_analysis_only": efficiency_analysis,
        "cpu_serial_s": serial, "cpu_parallel_s": parallel, "serial_fraction_cpu": serial / (serial + parallel),
        "efficiency_2_vs_1_from_cpu": efficiency_cpu, "predicted_s_from_cpu": predicted,
        "sem_s_per_org": sem_s, "sem_fits_on_32_workers_s": sem32,
    }
    print(f"identical JSON on 1 and 2 workers: {identical}; efficiency 2 vs 1 measured: {efficiency:.2f} "
          f"(analysis only {efficiency_analysis:.2f})")
    print(f"CPU: serial (caller) {serial:.1f} s, parallel (workers) {parallel:.1f} s, serial fraction "
          f"{serial / (serial + parallel):.3f}; on idle cores: T1 {predicted[1]:.1f} s, T2 {predicted[2]:.1f} s "
          f"(efficiency {efficiency_cpu:.2f}), T32 {predicted[32]:.1f} s; SEM {sem_s:.2f} s per organisation fit, "
          f"+ {sem32:.1f} s on 32 workers")
    if args.output:
        args.output.write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
