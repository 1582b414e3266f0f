"""Per-group work on every scheduler: threads, processes and a Dask cluster give the same JSON, bit for bit.

Each group is a task with its own random stream (``SeedSequence(seed).spawn``), and the
results are put together in the order of the groups, so where and in which order the
tasks run cannot change a number. A ``LocalCluster`` of two worker processes stands in
for a real cluster; one of its workers is killed (SIGKILL) in the middle of a run, Dask
runs its tasks again elsewhere, and the result is still the same.
"""
from __future__ import annotations

import json
import os
import pickle
import signal
from pathlib import Path

import numpy as np
import pytest

from analysis import analyse_drivers
from analysis.bootstrap.importance import bootstrap_importance
from analysis.common.errors import ServiceDriversError
from analysis.common.scheduler import _batches, open_runner
from instrument import load_instrument, read_responses

distributed = pytest.importorskip("distributed")

DATA = Path(__file__).parents[1] / "data" / "example" / "responses.csv"
OPTIONS = dict(by="organisation", bootstrap=60, seed=7)


def _json(result) -> str:
    return json.dumps(result.to_dict(), sort_keys=True, default=str)


@pytest.fixture(scope="module")
def example():
    inst = load_instrument()
    data, _ = read_responses(DATA, inst)
    return inst, data


@pytest.fixture(scope="module")
def reference(example):
    inst, data = example
    return _json(analyse_drivers(data, inst, scheduler="threads", **OPTIONS))


@pytest.fixture(scope="module")
def cluster():
    import logging

    logging.getLogger("distributed").setLevel(logging.ERROR)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=logging.ERROR) as local:
        yield local


def _address(cluster) -> str:
    return "dask://" + cluster.scheduler_address.removeprefix("tcp://")


def test_in_process_runs_are_identical(example, reference):
    inst, data = example
    with open_runner("threads", n_workers=1) as serial:
        assert serial.n_workers == 1
    assert _json(analyse_drivers(data, inst, scheduler="threads", **OPTIONS)) == reference


def test_processes_give_the_same_json(example, reference):
    inst, data = example
    assert _json(analyse_drivers(data, inst, scheduler="processes", **OPTIONS)) == reference


def test_auto_is_processes_for_large_data_and_threads_below(example, reference, monkeypatch):
    """'auto' decides by the rows analysed: below the threshold threads, from it processes; the JSON is the same."""
    import analysis.common.scheduler as scheduler

    inst, data = example
    opened = []
    real = scheduler._runner

    def recording(name, workers):
        opened.append(name)
        return real(name, workers)

    monkeypatch.setattr(scheduler, "_runner", recording)
    assert _json(analyse_drivers(data, inst, scheduler="auto", **OPTIONS)) == reference
    assert opened and set(opened) == {"threads"}
    opened.clear()
    monkeypatch.setattr(scheduler, "PROCESSES_FROM_ROWS", len(data))        # the example is 'large' now
    assert _json(analyse_drivers(data, inst, scheduler="auto", **OPTIONS)) == reference
    assert "processes" in opened and "auto" not in opened


@pytest.mark.parametrize("rows, expected", [(None, "threads"), (0, "threads"), (499_999, "threads"),
                                            (500_000, "processes"), (10**7, "processes")])
def test_resolve_scheduler(rows, expected):
    from analysis.common.scheduler import PROCESSES_FROM_ROWS, resolve_scheduler

    assert PROCESSES_FROM_ROWS == 500_000       # the threshold the command's help states
    assert resolve_scheduler("auto", rows) == expected
    assert resolve_scheduler("threads", rows) == "threads"
    assert resolve_scheduler("dask://127.0.0.1:8786", rows) == "dask://127.0.0.1:8786"


def test_local_cluster_gives_the_same_json(example, reference, cluster):
    inst, data = example
    calls = []
    result = analyse_drivers(data, inst, scheduler=_address(cluster), progress=lambda *a: calls.append(a), **OPTIONS)
    assert _json(result) == reference
    boot = [c for c in calls if c[0] == "bootstrap"]
    assert boot[-1][1] == boot[-1][2]                        # the progress reaches its total on Dask too


def test_a_killed_worker_is_replaced_and_the_result_is_the_same(example, reference, cluster):
    inst, data = example
    with distributed.Client(cluster.scheduler_address, set_as_default=False) as client:
        pids = client.run(os.getpid)
        killed = []

        def kill_one(stage, done, total):
            # after the first group's bootstrap is back, while the others run: kill a worker outright
            if stage == "bootstrap" and 0 < done < total and not killed:
                victim = sorted(pids.values())[0]
                os.kill(victim, signal.SIGKILL)
                killed.append((victim, done, total))

        result = analyse_drivers(data, inst, scheduler=_address(cluster), progress=kill_one, **OPTIONS)
        assert killed, "the worker was not killed during the run"
        client.wait_for_workers(2, timeout=60)
        assert killed[0][0] not in client.run(os.getpid).values()      # the nanny started a new worker
    assert _json(result) == reference


def test_bootstrap_alone_is_identical_on_the_cluster(cluster):
    rng = np.random.default_rng(3)
    import pandas as pd

    x = rng.normal(size=(600, 3))
    frame = pd.DataFrame(x, columns=["a", "b", "c"]).assign(y=lambda d: d.a + 0.5 * d.b + rng.normal(size=600),
                                                            org=np.repeat([f"o{k}" for k in range(6)], 100))
    here = bootstrap_importance(frame, "y", ["a", "b", "c"], group="org", n_resamples=40, seed=5, whole_sample=True)
    there = bootstrap_importance(frame, "y", ["a", "b", "c"], group="org", n_resamples=40, seed=5, whole_sample=True,
                                 scheduler=_address(cluster))
    for g in here.replicates:
        np.testing.assert_array_equal(here.replicates[g].lmg, there.replicates[g].lmg)
        np.testing.assert_array_equal(here.rest_replicates[g].std_beta, there.rest_replicates[g].std_beta)
    np.testing.assert_array_equal(here.whole.replicates["all"].r2, there.whole.replicates["all"].r2)


def test_an_unreachable_cluster_is_a_one_line_error():
    with pytest.raises(ServiceDriversError, match=r"cannot reach the Dask scheduler at dask://127\.0\.0\.1:9 "):
        with open_runner("dask://127.0.0.1:9"):
            pass


def test_batches_cover_every_task_once():
    for n_tasks in (1, 3, 8, 101):
        for workers in (1, 2, 32):
            flat = [i for b in _batches(n_tasks, workers) for i in b]
            assert flat == list(range(n_tasks))


def test_reports_rendered_on_the_cluster_are_the_same(example, cluster, tmp_path):
    from analysis import build_reports, validate

    inst, data = example
    _, quality = read_responses(DATA, inst)
    validation = validate(data, inst, by="organisation")
    pages = {}
    for name, scheduler in (("here", "threads"), ("cluster", _address(cluster))):
        # the same folder for both: the reports quote the command, --out included
        out = build_reports(data, inst, quality, by="organisation", lang="en", out_dir=tmp_path, bootstrap=60,
                            seed=7, validation=validation, pdf=False, scheduler=scheduler)
        pages[name] = {p.name: p.read_text(encoding="utf-8") for p in [out.study_html, *(h for h, _ in out.groups.values())]}
    assert len(pages["here"]) == 5 and pages["here"] == pages["cluster"]


def test_parquet_partitions_are_read_on_the_cluster_as_here(example, cluster, tmp_path):
    """Each partition read and checked on a worker: the same rows, counts and exclusions as one read."""
    import pandas as pd

    from instrument.reader.partitions import read_partitioned

    inst, _ = example
    raw, folder = _example_in_parts(tmp_path)
    whole = tmp_path / "whole.parquet"
    raw.to_parquet(whole, index=False)
    data, report = read_responses(whole, inst)
    here = read_partitioned(folder, inst)
    there = read_partitioned(folder, inst, scheduler=_address(cluster))
    for got, got_report in (here, there):
        pd.testing.assert_frame_equal(got, data, check_exact=True)
        assert (got_report.n_respondents, got_report.n_flagged, got_report.flag_counts) == \
            (report.n_respondents, report.n_flagged, report.flag_counts)
        pd.testing.assert_frame_equal(got_report.excluded, report.excluded, check_exact=True)
        pd.testing.assert_frame_equal(got_report.organisations, report.organisations, check_exact=True)


def test_partitions_kept_on_the_workers_never_reach_the_caller(cluster, tmp_path):
    """open_partitioned: each part's clean rows stay on a worker; the caller gets counts, not rows.

    The caller's own allocations (tracemalloc) while the parts are read, checked, the
    speeding rule applied over all parts and a task run on each part grow with the rows
    by a small fraction of the rows' size (the completion times, the ids' hashes and the
    excluded respondents' reasons), measured as the growth from 5,000 to 20,000 rows in
    4 parts each, so that the fixed costs (the Dask client, each task) do not count; collecting the rows here costs at
    least their size. The summed report and the collected rows equal read_partitioned's.
    """
    import tracemalloc

    import pandas as pd

    from analysis.simulation.simulate import simulate_study
    from instrument.reader.partitions import open_partitioned, read_partitioned

    inst = load_instrument()
    folders = {n: tmp_path / f"parts{n}" for n in (250, 1000)}
    for n, folder in folders.items():
        folder.mkdir()
        for k in range(4):
            r = simulate_study(inst, n_orgs=5, n_per_org=n, seed=40 + k, truth_draws=0).responses
            r["organisation"] = [f"{o} {k}" for o in r.organisation]
            r["respondent_id"] = [f"P{k}-{i}" for i in r.respondent_id]
            r.to_parquet(folder / f"part-{k}.parquet", index=False)
    address = _address(cluster)
    data, report = read_partitioned(folders[1000], inst, scheduler="threads")
    peaks = {}
    for n in (250, 250, 1000):              # the first run warms the client up
        tracemalloc.start()
        try:
            with open_partitioned(folders[n], inst, scheduler=address) as kept:
                counts = kept.map(len)
                assert all(isinstance(p, distributed.Future) for p in kept.parts)
                peaks[n] = tracemalloc.get_traced_memory()[1]
                tracemalloc.reset_peak()
                if n == 1000:
                    collected = kept.collect()
                    peak_collect = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert counts == kept.n_rows and sum(counts) == len(data) == 20_000
    pd.testing.assert_frame_equal(collected, data, check_exact=True)
    for name in ("n_respondents", "n_flagged", "n_usable", "flag_counts", "problems"):
        assert getattr(kept.report, name) == getattr(report, name), name
    for name in ("excluded", "organisations", "items"):
        pd.testing.assert_frame_equal(getattr(kept.report, name), getattr(report, name), check_exact=True)
    row_bytes = data.memory_usage(deep=True).sum() / len(data)
    assert peak_collect > 0.5 * row_bytes * len(data)                      # what holding the rows costs here
    growth = (peaks[1000] - peaks[250]) / 15_000                           # bytes per row more, 5,000 -> 20,000 rows
    assert growth < row_bytes / 4, (growth, row_bytes)                     # measured: about 35 of 410



def _example_in_parts(tmp_path):
    """The example responses as read (text) and written to a folder of 250-row Parquet parts."""
    import pandas as pd

    raw = pd.read_csv(DATA, dtype=str, keep_default_na=False)
    folder = tmp_path / "parts"
    folder.mkdir()
    for k, start in enumerate(range(0, len(raw), 250)):
        raw.iloc[start:start + 250].to_parquet(folder / f"part-{k:02d}.parquet", index=False)
    return raw, folder

@pytest.mark.parametrize("where", ["threads", "cluster"])
def test_kept_partitions_regrouped_by_organisation_on_the_workers(example, cluster, tmp_path, where):
    """by_group: every organisation's rows end up whole in one piece, in reading order, on every scheduler."""
    import pandas as pd

    from instrument.reader.partitions import open_partitioned

    inst, _ = example
    raw, folder = _example_in_parts(tmp_path)
    scheduler = _address(cluster) if where == "cluster" else "threads"
    with open_partitioned(folder, inst, scheduler=scheduler) as kept:
        data = kept.collect()
        pieces = kept.by_group("organisation", n_buckets=3)
        frames = kept.runner.gather([h for _, h in pieces])
        if where == "cluster":
            assert all(isinstance(h, distributed.Future) for _, h in pieces)
    labels = [g for groups, _ in pieces for g in groups]
    assert labels == sorted(data.organisation.dropna().unique()) and len(pieces) == 3
    for (groups, _), frame in zip(pieces, frames):
        assert sorted(frame.organisation.unique()) == groups
        for g in groups:
            pd.testing.assert_frame_equal(frame[frame.organisation == g].reset_index(drop=True),
                                          data[data.organisation == g].reset_index(drop=True), check_exact=True)


@pytest.mark.parametrize("where", ["threads", "cluster"])
def test_kept_partitions_are_analysed_where_they_are_as_here(example, reference, cluster, tmp_path, where):
    """analyse_drivers of partitions kept on the workers: the JSON of the in-process run, bit for bit.

    The example read from 250-row Parquet parts and kept where each part was read; every
    group's sample, point estimates, sums for the pooled bootstrap, KPIs and structural
    model are computed on the piece that holds its rows, the whole sample's figures from
    the groups' sums and one task for what needs every row (analysis.drivers.kept).
    """
    from instrument.reader.partitions import open_partitioned

    inst, _ = example
    _, folder = _example_in_parts(tmp_path)
    scheduler = _address(cluster) if where == "cluster" else "threads"
    with open_partitioned(folder, inst, scheduler=scheduler) as kept:
        result = analyse_drivers(kept, inst, scheduler=scheduler, **OPTIONS)
    assert _json(result) == reference
    assert len(result.used) == 0 and result.n_used == 1417          # the rows used stayed on the workers


@pytest.mark.parametrize("case", ["none", "two_groups", "mlr_sem_importance", "phone_drivers_only"])
def test_kept_partitions_with_other_options_as_here(example, tmp_path, case):
    """Without pooling (the small-sample share intervals on each piece, on the groups' own streams), with
    two groups (nothing to pool), robust ML with SEM importance, and only the phone-asked drivers (the
    respondents none of them applies to left out): the in-process JSON, on threads."""
    import pandas as pd

    from instrument.reader.partitions import open_partitioned

    inst, _ = example
    raw, folder = _example_in_parts(tmp_path)
    options = {"none": dict(pooling="none", sem=False, bootstrap=40, seed=3),
               "two_groups": dict(sem=False, bootstrap=40, seed=4),
               "mlr_sem_importance": dict(estimator="mlr", importance="sem", bootstrap=20, seed=5),
               "phone_drivers_only": dict(drivers=["wait_time", "menu"], sem=False, bootstrap=20, seed=6)}[case]
    if case == "two_groups":
        raw = raw[raw.organisation.isin(["Energie", "Telecom"])]
        folder = tmp_path / "two"
        folder.mkdir()
        for k, start in enumerate(range(0, len(raw), 200)):
            raw.iloc[start:start + 200].to_parquet(folder / f"part-{k:02d}.parquet", index=False)
    with open_partitioned(folder, inst) as kept:
        data = kept.collect()
        result = analyse_drivers(kept, inst, **options)
    assert isinstance(data, pd.DataFrame) and _json(result) == _json(analyse_drivers(data, inst, **options))


def test_kept_partitions_with_options_not_computed_there_say_what_to_do(example, tmp_path):
    from analysis.common.errors import OptionError
    from instrument.reader.partitions import open_partitioned

    inst, _ = example
    _, folder = _example_in_parts(tmp_path)
    with open_partitioned(folder, inst) as kept:
        with pytest.raises(OptionError, match="one process"):
            analyse_drivers(kept, inst, by=None, sem=False, bootstrap=20)
        with pytest.raises(OptionError, match="scheduler"):
            analyse_drivers(kept, inst, scheduler="processes", sem=False, bootstrap=20)


def test_the_caller_does_not_hold_the_rows_of_kept_partitions(cluster, tmp_path):
    """The caller's own allocations (tracemalloc) while analysing kept partitions hardly grow with the rows.

    The same 20 organisations with 250 and with 1,000 respondents each (5,000 and 20,000
    rows in 4 parts), analysed from the parts kept on a 2-worker LocalCluster: the
    caller's peak grows by a small fraction of the rows' size per row (what grows is
    the list of excluded respondents with their reasons, about 4-10% of the rows), far
    below the 2.3 KB per row that collecting the rows and analysing them here costs.
    """
    import tracemalloc

    from analysis.simulation.simulate import simulate_study
    from instrument.reader.partitions import open_partitioned, read_partitioned

    inst = load_instrument()
    folders = {n: tmp_path / f"parts{n}" for n in (250, 1000)}
    for n, folder in folders.items():
        folder.mkdir()
        for k in range(4):
            r = simulate_study(inst, n_orgs=5, n_per_org=n, seed=60 + k, truth_draws=0).responses
            r["organisation"] = [f"{o} {k}" for o in r.organisation]
            r["respondent_id"] = [f"P{k}-{i}" for i in r.respondent_id]
            r.to_parquet(folder / f"part-{k}.parquet", index=False)
    address = _address(cluster)
    options = dict(by="organisation", bootstrap=20, seed=3, sem=False)
    peaks, results = {}, {}
    for n in (250, 250, 1000):              # the first run warms the client up
        with open_partitioned(folders[n], inst, scheduler=address) as kept:
            tracemalloc.start()
            try:
                results[n] = analyse_drivers(kept, inst, scheduler=address, **options)
                peaks[n] = tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()
    data, _ = read_partitioned(folders[1000], inst)
    assert _json(results[1000]) == _json(analyse_drivers(data, inst, **options))
    row_bytes = data.memory_usage(deep=True).sum() / len(data)
    growth = (peaks[1000] - peaks[250]) / 15_000                          # bytes per row more, 5,000 -> 20,000 rows
    assert growth < row_bytes / 4, (growth, row_bytes)


def test_the_command_line_analyses_kept_partitions_on_the_cluster(example, reference, cluster, tmp_path, run_cli,
                                                                  monkeypatch):
    """drivers analyse FOLDER --scheduler dask://...: the rows stay on the workers; the JSON of the in-process run."""
    import analysis.drivers.kept as kept_module
    from analysis.common.outputs import round_floats
    from cli_results import ok

    calls = []
    analyse_kept = kept_module.analyse_kept
    monkeypatch.setattr(kept_module, "analyse_kept", lambda *a, **k: calls.append(a) or analyse_kept(*a, **k))
    _, folder = _example_in_parts(tmp_path)
    written = tmp_path / "kept.json"
    ok(run_cli("analyse", folder, "--scheduler", _address(cluster), "--bootstrap", "60", "--seed", "7",
               "--json", written))
    assert len(calls) == 1
    assert json.loads(written.read_text(encoding="utf-8")) == round_floats(json.loads(reference))


def test_the_callers_bootstrap_state_does_not_grow_with_organisations_times_resamples(cluster, tmp_path, monkeypatch):
    """The pooled bootstrap of kept partitions keeps its per-organisation replicates on the workers.

    The caller's own allocations (tracemalloc) during the bootstrap stage (``pooled_importance``
    called by ``analysis.drivers.kept``), for 10 and for 40 organisations of 60 respondents,
    100 resamples, on a 2-worker LocalCluster: what the caller holds per organisation (its
    figures and tables, about 19 KB) must stay below the size of one organisation's
    importance replicates and its rest of the sample's (2 x B x (5 p + 2) x 8 bytes: 59 KB
    for the 7 drivers).
    Holding the replicates, their resampled sums and pooled covariances in the caller cost
    about 0.4 MB per organisation (``benchmarks/bench_kept_memory.py --organisations``).
    """
    import tracemalloc

    import analysis.drivers.kept as kept_module
    from analysis.bootstrap.kept import KeptReplicates
    from instrument.reader.partitions import open_partitioned

    inst = load_instrument()
    folders = {g: _simulated_parts(inst, tmp_path / f"orgs{g}", g) for g in (10, 40)}
    stage = []
    pooled_importance = kept_module.pooled_importance

    def measured(*args, **kwargs):
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        result = pooled_importance(*args, **kwargs)
        stage.append(tracemalloc.get_traced_memory()[1] - before)
        return result

    monkeypatch.setattr(kept_module, "pooled_importance", measured)
    address, resamples = _address(cluster), 100
    peaks = {}
    for g in (10, 10, 40):                  # the first run warms the client up
        with open_partitioned(folders[g], inst, scheduler=address) as kept:
            tracemalloc.start()
            try:
                result = analyse_drivers(kept, inst, scheduler=address, by="organisation", bootstrap=resamples,
                                         seed=3, sem=False)
            finally:
                tracemalloc.stop()
            peaks[g] = stage[-1]
            assert isinstance(result.bootstrap.replicates, KeptReplicates)
            drivers = len(result.bootstrap.drivers)
            assert result.bootstrap.replicates[result.bootstrap.groups.group.iloc[0]].lmg.shape == (resamples, drivers)
    per_organisation = (peaks[40] - peaks[10]) / 30
    replicates = 2 * resamples * (5 * drivers + 2) * 8
    assert per_organisation < replicates, (per_organisation, replicates)


def _simulated_parts(inst, folder, n_orgs: int, n_per_org: int = 60):
    """``n_orgs`` simulated organisations in two Parquet parts (organisations and ids made unique per part)."""
    from analysis.simulation.simulate import simulate_study

    folder.mkdir()
    for k in range(2):
        r = simulate_study(inst, n_orgs=n_orgs // 2, n_per_org=n_per_org, seed=70 + k, truth_draws=0).responses
        r["organisation"] = [f"{o} {k}" for o in r.organisation]
        r["respondent_id"] = [f"P{k}-{i}" for i in r.respondent_id]
        r.to_parquet(folder / f"part-{k}.parquet", index=False)
    return folder


def test_kept_bootstrap_in_blocks_of_chunks_is_the_in_process_one(cluster, tmp_path):
    """Many chunks of replicates, several per block, every block sliced per piece: still the in-process JSON.

    40 organisations x 520 resamples are 9 chunks of 62 replicates (``CURVE_MATRICES``), 5 blocks on
    2 workers; the organisations in 8 pieces (analysis.pooling.kept).
    """
    from analysis.bootstrap.kept import KeptReplicates
    from instrument.reader.partitions import open_partitioned, read_partitioned

    inst = load_instrument()
    folder = _simulated_parts(inst, tmp_path / "orgs", 40)
    options = dict(by="organisation", bootstrap=520, seed=11, sem=False)
    address = _address(cluster)
    with open_partitioned(folder, inst, scheduler=address) as kept:
        result = analyse_drivers(kept, inst, scheduler=address, **options)
        assert isinstance(result.bootstrap.replicates, KeptReplicates) and len(result.bootstrap.replicates.runs()) > 1
        group = result.bootstrap.groups.group.iloc[-1]
        kept_replicates = result.bootstrap.replicates[group]
        copied = pickle.loads(pickle.dumps(result.bootstrap))        # the replicates brought here, a dict
    data, _ = read_partitioned(folder, inst)
    here = analyse_drivers(data, inst, **options)
    assert _json(result) == _json(here)
    assert type(copied.replicates) is dict and list(copied.replicates) == list(here.bootstrap.replicates)
    for reps in (kept_replicates, copied.replicates[group], copied.rest_replicates[group]):
        assert reps.lmg.shape == (520, len(here.bootstrap.drivers))
    np.testing.assert_array_equal(kept_replicates.lmg, here.bootstrap.replicates[group].lmg)
    np.testing.assert_array_equal(copied.rest_replicates[group].lmg, here.bootstrap.rest_replicates[group].lmg)
