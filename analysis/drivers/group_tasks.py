"""The per-group steps after the bootstrap, as tasks: priorities, group differences, long tables.

Once every group's bootstrap is back, what remains per group (its importance-performance
quadrants and priority ranks with their bootstrap intervals, its differences from the
rest of the sample, its regression and dominance tables in long form) depends on that
group's own results only. Each is therefore a task of the analysis' runner
(:mod:`analysis.common.scheduler`), sent that group's slice of the bootstrap
(:func:`group_slice`: its point estimates and replicates, nothing of the other groups),
and the caller only puts the pieces together in the order of the groups; so the tables
are the same, bit for bit, as one pass over all groups would make them, on every
scheduler. A task takes a run of consecutive groups (a few runs per worker) and stacks
its groups' tables itself: the caller then unpickles a few tables, not a few per group
(unpickling hundreds of small tables cost the caller more than making them). What spans groups stays in the caller: the whole sample's priorities and,
for at most a handful of groups, the pairwise differences.
"""
from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from analysis.bootstrap.kept import KeptReplicates
from analysis.common.scheduler import tasks_per_worker
from analysis.drivers.priorities import PriorityResult, priorities


def group_runs(n: int, runner) -> list[range]:
    """``range(n)`` in runs of consecutive indices, a few per worker of ``runner`` (one run when None)."""
    if runner is None:
        return [range(n)] if n else []
    size = max(1, -(-n // (tasks_per_worker(runner) * runner.n_workers)))
    return [range(start, min(start + size, n)) for start in range(0, n, size)]


def group_slice(boot, group, rows=None):
    """``boot`` (a :class:`~analysis.bootstrap.importance.BootstrapResult`) with one group's results only.

    ``rows``: that group's rows of ``boot.groups``, when the caller has them already.
    """
    def one(d: dict) -> dict:
        return {group: d[group]} if group in d else {}

    # empty already: the same frames for every group (pickled once per task, not once per group)
    empty, ranks = (t if t.empty else t.iloc[:0] for t in (boot.estimates, boot.ranks))
    rows = boot.groups[boot.groups.group == group] if rows is None else rows
    return dataclasses.replace(boot, groups=rows, estimates=empty,
                               ranks=ranks, point=one(boot.point), replicates=one(boot.replicates),
                               rest_point=one(boot.rest_point), rest_replicates=one(boot.rest_replicates), whole=None)


def _group_steps(part, measure: str | None, crosshair: str, scale, level: float, statistics: tuple[str, ...]):
    """One group's priorities (unless ``measure`` is None) and differences from the rest."""
    prio = priorities(part, importance=measure, crosshair=crosshair, scale=scale, level=level) if measure else None
    differences = [part.group_differences(s, pairwise=False, versus_rest=True) for s in statistics]
    return prio, differences


def _run_steps(parts, measure: str | None, crosshair: str, scale, level: float, statistics: tuple[str, ...]):
    """A run of groups' priorities and differences from the rest, each table stacked in the groups' order (a task).

    Returns the priority table, the cross-hairs and the importance measure (None without
    ``measure``), and one differences table per statistic.
    """
    steps = [_group_steps(part, measure, crosshair, scale, level, statistics) for part in parts]
    prio = None
    if measure:
        prio = (pd.concat([p.table for p, _ in steps], ignore_index=True),
                pd.concat([p.crosshairs for p, _ in steps], ignore_index=True), steps[0][0].importance_measure)
    return prio, [pd.concat([d[k] for _, d in steps], ignore_index=True) for k in range(len(statistics))]


def _kept_run_steps(run: dict, groups: list, parts, measure: str | None, crosshair: str, scale, level: float,
                    statistics: tuple[str, ...]):
    """:func:`_run_steps` of a run whose replicates are kept here (a task): each group's slice given its own."""
    parts = [dataclasses.replace(part, replicates={g: run[g][0]},
                                 rest_replicates={} if run[g][1] is None else {g: run[g][1]})
             for g, part in zip(groups, parts)]
    return _run_steps(parts, measure, crosshair, scale, level, statistics)


def priorities_and_differences(boot, boot_all, *, measure: str, crosshair: str, scale, level: float,
                               statistics: tuple[str, ...], pairwise: bool, runner, sem_priorities=None,
                               progress=None):
    """Priorities of every group and the whole sample, and the group differences.

    Parameters
    ----------
    boot, boot_all : BootstrapResult or None
        The groups' bootstrap and the whole sample's.
    measure : str
        The importance measure of :func:`~analysis.drivers.priorities.priorities`, or
        'sem' (then ``sem_priorities(boots)`` gives the priorities, computed here).
    statistics : tuple of str
        The statistics whose differences are reported (none with fewer than two groups).
    pairwise : bool
        Also every pair of groups (computed here: few groups).
    runner : Runner
        Where the per-group tasks run.
    progress : callable, optional
        ``progress(done, total)`` in groups, as the tasks finish.

    Returns
    -------
    PriorityResult, DataFrame
        As ``priority_result`` and the concatenated ``group_differences`` would give them.
    """
    groups = list(boot.replicates) if boot is not None else []
    statistics = tuple(statistics) if len(groups) > 1 else ()
    by_bootstrap = measure != "sem"
    steps = []
    if groups and (by_bootstrap or statistics):
        runs = group_runs(len(groups), runner)
        rows = dict(tuple(boot.groups.groupby("group", sort=False)))        # one pass, not a filter per group
        options = (measure if by_bootstrap else None, crosshair, scale, level, statistics)
        light = dataclasses.replace(boot, estimates=boot.estimates.iloc[:0], ranks=boot.ranks.iloc[:0])
        if isinstance(boot.replicates, KeptReplicates):
            # the replicates stay where they are kept: a task per run there, sent the rest of its groups' slices
            light = dataclasses.replace(light, replicates={}, rest_replicates={})
            steps = runner.map(_kept_run_steps, [
                (handle, run, [group_slice(light, g, rows.get(g, boot.groups.iloc[:0])) for g in run], *options)
                for run, handle in boot.replicates.runs()], progress=progress,
                weights=[len(run) for run, _ in boot.replicates.runs()])
        else:
            tasks = [([group_slice(light, groups[k], rows.get(groups[k], boot.groups.iloc[:0])) for k in run],
                      *options) for run in runs]
            steps = (runner.map(_run_steps, tasks, progress=progress, weights=[len(run) for run in runs])
                     if runner is not None else [_run_steps(*t) for t in tasks])
    boots = [b for b in (boot, boot_all) if b is not None]
    if by_bootstrap:
        parts = [p for p, _ in steps]
        if boot_all is not None:
            whole = priorities(boot_all, importance=measure, crosshair=crosshair, scale=scale, level=level)
            parts.append((whole.table, whole.crosshairs, whole.importance_measure))
        prio = PriorityResult(table=pd.concat([p[0] for p in parts], ignore_index=True),
                              crosshairs=pd.concat([p[1] for p in parts], ignore_index=True),
                              importance_measure=parts[0][2], crosshair=crosshair, level=level)
    else:
        prio = sem_priorities(boots)
    differences = pd.DataFrame()
    if statistics:
        tables = []
        if pairwise and isinstance(boot.replicates, KeptReplicates):     # a few groups: their replicates here, once
            boot = dataclasses.replace(boot, replicates=dict(boot.replicates.items()))
        for k, s in enumerate(statistics):
            if pairwise:
                tables.append(boot.group_differences(s, pairwise=True, versus_rest=False))
            tables += [d[k] for _, d in steps]
        differences = pd.concat(tables, ignore_index=True)
    return prio, differences


def regression_tables(groups, regressions, dominances) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Long tables of regression coefficients, pairwise dominance and conditional dominance.

    Made here, by stacking: one concatenation per table, the conditional dominance from
    one array. Sending the groups' results to tasks and their tables back cost the caller
    more (pickling, then unpickling hundreds of small tables) than this.
    """
    groups = list(groups)
    coefficients = _stacked([regressions[g].table for g in groups], groups)
    pairs = _stacked([dominances[g].pairs for g in groups], groups)
    conditional = [dominances[g].conditional for g in groups]
    # melt's order: driver by driver, k within; one row per group x driver x k
    sizes = [c.size for c in conditional]
    conditional = pd.DataFrame({
        "group": np.repeat(np.array(groups, dtype=object), sizes),
        "driver": np.concatenate([np.repeat(c.columns.to_numpy(dtype=object), len(c)) for c in conditional]),
        "k": np.concatenate([np.tile(c.index.to_numpy(), c.shape[1]) for c in conditional]),
        "gain": np.concatenate([c.to_numpy().T.ravel() for c in conditional])})
    return coefficients, pairs, conditional


def _stacked(tables: list[pd.DataFrame], groups: list) -> pd.DataFrame:
    """The tables one under the other, with a first column ``group``."""
    out = pd.concat(tables, ignore_index=True)
    out.insert(0, "group", np.repeat(np.array(groups, dtype=object), [len(t) for t in tables]))
    return out
