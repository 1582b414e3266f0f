"""The caller's memory of ``analyse_drivers(kept)`` against the rows: tracemalloc peaks at 5,000 and 20,000 rows.

    .venv/bin/python benchmarks/bench_kept_memory.py [--organisations [--orgs 10,40] [--bootstrap 100]]

The same 20 organisations (4 Parquet parts of 5) with 250 and with 1,000 respondents each,
read and kept on a 2-worker ``LocalCluster`` (``open_partitioned``) and analysed from there
(``sem=False``, 20 resamples): the growth of the caller's own allocations per row
(``tests/test_scheduler.py::test_the_caller_does_not_hold_the_rows_of_kept_partitions``
asserts it); beside it the same analysis in one process of the collected rows (allocations
of the analysis only: the rows themselves are held before it starts) and the rows' size.

``--organisations``: the caller's own allocations during the bootstrap stage
(``pooled_importance`` called by ``analysis.drivers.kept``: the peak above what the caller
held when it started) for ``--orgs`` organisations of 60 respondents (2 parts), ``--bootstrap``
resamples, on the same cluster: their growth per organisation against the size of one
organisation's importance replicates and its rest of the sample's
(``tests/test_scheduler.py::test_the_callers_bootstrap_state_does_not_grow_with_organisations_times_resamples``
asserts it).
"""
from __future__ import annotations

import argparse
import json
import logging
import pathlib
import tempfile
import tracemalloc


def organisations(sizes: list[int], resamples: int) -> dict:
    """The bootstrap stage's peak in the caller (tracemalloc) for each number of organisations."""
    from distributed import LocalCluster

    import analysis.drivers.kept as kept_module
    from analysis import analyse_drivers
    from analysis.simulation.simulate import simulate_study
    from instrument import load_instrument
    from instrument.reader.partitions import open_partitioned

    inst = load_instrument()
    tmp = pathlib.Path(tempfile.mkdtemp())
    folders = {g: tmp / f"orgs{g}" for g in sizes}
    for g, folder in folders.items():
        folder.mkdir()
        for k in range(2):
            r = simulate_study(inst, n_orgs=-(-g // 2) if k == 0 else g // 2, n_per_org=60, seed=70 + k,
                               truth_draws=0).responses
            r["organisation"] = [f"{o} {k}" for o in r.organisation]
            r["respondent_id"] = [f"P{k}-{i}" for i in r.respondent_id]
            r.to_parquet(folder / f"part-{k}.parquet", index=False)
    stage = []
    inner = kept_module.pooled_importance

    def measured(*args, **kwargs):
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        out = inner(*args, **kwargs)
        stage.append(tracemalloc.get_traced_memory()[1] - before)
        return out

    kept_module.pooled_importance = measured
    peaks = {}
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                      silence_logs=logging.ERROR) as cluster:
        address = "dask://" + cluster.scheduler_address.removeprefix("tcp://")
        for g in [sizes[0], *sizes]:        # the first run warms the client up
            with open_partitioned(folders[g], inst, scheduler=address) as kept:
                tracemalloc.start()
                res = analyse_drivers(kept, inst, scheduler=address, by="organisation", bootstrap=resamples, seed=3,
                                      sem=False)
                tracemalloc.stop()
                peaks[g] = stage[-1]
    kept_module.pooled_importance = inner
    p = len(res.bootstrap.drivers)
    return {"bootstrap": resamples, "bootstrap_stage_peaks": peaks,
            "growth_per_organisation": (peaks[sizes[-1]] - peaks[sizes[0]]) / (sizes[-1] - sizes[0]),
            "replicates_per_organisation": 2 * resamples * (5 * p + 2) * 8}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", action="store_true",
                        help="the bootstrap stage's growth per organisation instead of per row")
    parser.add_argument("--orgs", type=lambda v: [int(g) for g in v.split(",")], default=[10, 40])
    parser.add_argument("--bootstrap", type=int, default=100)
    args = parser.parse_args()
    if args.organisations:
        print(json.dumps(organisations(args.orgs, args.bootstrap), indent=1))
        return
    rows()


def rows() -> None:
    from distributed import LocalCluster

    from analysis import analyse_drivers
    from analysis.simulation.simulate import simulate_study
    from instrument import load_instrument
    from instrument.reader.partitions import open_partitioned, read_partitioned

    inst = load_instrument()
    tmp = pathlib.Path(tempfile.mkdtemp())
    folders = {n: tmp / f"parts{n}" for n in (250, 1000)}
    for n, folder in folders.items():
        folder.mkdir()
        for k in range(4):
            r = simulate_study(inst, n_orgs=5, n_per_org=n, seed=60 + k, truth_draws=0).responses
            r["organisation"] = [f"{o} {k}" for o in r.organisation]
            r["respondent_id"] = [f"P{k}-{i}" for i in r.respondent_id]
            r.to_parquet(folder / f"part-{k}.parquet", index=False)
    options = dict(by="organisation", bootstrap=20, seed=3, sem=False)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                      silence_logs=logging.ERROR) as cluster:
        address = "dask://" + cluster.scheduler_address.removeprefix("tcp://")
        peaks = {}
        for n in (250, 250, 1000):          # the first run warms the client up
            with open_partitioned(folders[n], inst, scheduler=address) as kept:
                tracemalloc.start()
                res = analyse_drivers(kept, inst, scheduler=address, **options)
                peaks[n] = tracemalloc.get_traced_memory()[1]
                tracemalloc.stop()
    here = {}
    for n in (250, 1000):
        data, _ = read_partitioned(folders[n], inst)
        tracemalloc.start()
        analyse_drivers(data, inst, **options)
        here[n] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    row_bytes = data.memory_usage(deep=True).sum() / len(data)
    print(json.dumps({"kept_peaks": peaks, "kept_growth_per_row": (peaks[1000] - peaks[250]) / 15000,
                      "in_process_peaks": here, "in_process_growth_per_row": (here[1000] - here[250]) / 15000,
                      "data_bytes_per_row": row_bytes, "excluded_1000": len(res.excluded)}, indent=1))


if __name__ == "__main__":
    main()
