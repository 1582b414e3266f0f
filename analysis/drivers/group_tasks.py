"""The per-group steps after the bootstrap, as tasks: priorities, group differences, long tables.

Once every group's bootstrap is back, what remains per group (its importance-performance
quadrants and priority ranks with their bootstrap intervals, its differences from the
rest of the sample, its regression and dominance tables in long form) depends on that
group's own results only. Each is therefore a task of the analysis' runner
(:mod:`analysis.common.scheduler`), sent that group's slice of the bootstrap
(:func:`group_slice`: its point estimates and replicates, nothing of the other groups),
and the caller only puts the pieces together in the order of the groups; so the tables
are the same, bit for bit, as one pass over all groups would make them, on every
scheduler. What spans groups stays in the caller: the whole sample's priorities and,
for at most a handful of groups, the pairwise differences.
"""
from __future__ import annotations

import dataclasses

import pandas as pd

from analysis.drivers.priorities import PriorityResult, priorities


def group_slice(boot, group):
    """``boot`` (a :class:`~analysis.bootstrap.importance.BootstrapResult`) with one group's results only."""
    def one(d: dict) -> dict:
        return {group: d[group]} if group in d else {}

    empty = boot.estimates.iloc[:0]
    return dataclasses.replace(boot, groups=boot.groups[boot.groups.group == group], estimates=empty,
                               ranks=boot.ranks.iloc[:0], point=one(boot.point), replicates=one(boot.replicates),
                               rest_point=one(boot.rest_point), rest_replicates=one(boot.rest_replicates), whole=None)


def _group_steps(part, measure: str | None, crosshair: str, scale, level: float, statistics: tuple[str, ...]):
    """One group's priorities (unless ``measure`` is None) and differences from the rest (a task)."""
    prio = priorities(part, importance=measure, crosshair=crosshair, scale=scale, level=level) if measure else None
    differences = [part.group_differences(s, pairwise=False, versus_rest=True) for s in statistics]
    return prio, differences


def priorities_and_differences(boot, boot_all, *, measure: str, crosshair: str, scale, level: float,
                               statistics: tuple[str, ...], pairwise: bool, runner, sem_priorities=None):
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
        tasks = [(group_slice(boot, g), measure if by_bootstrap else None, crosshair, scale, level, statistics)
                 for g in groups]
        steps = runner.map(_group_steps, tasks)
    boots = [b for b in (boot, boot_all) if b is not None]
    if by_bootstrap:
        parts = [p for p, _ in steps]
        if boot_all is not None:
            parts.append(priorities(boot_all, importance=measure, crosshair=crosshair, scale=scale, level=level))
        prio = PriorityResult(table=pd.concat([p.table for p in parts], ignore_index=True),
                              crosshairs=pd.concat([p.crosshairs for p in parts], ignore_index=True),
                              importance_measure=parts[0].importance_measure, crosshair=crosshair, level=level)
    else:
        prio = sem_priorities(boots)
    differences = pd.DataFrame()
    if statistics:
        tables = []
        for k, s in enumerate(statistics):
            if pairwise:
                tables.append(boot.group_differences(s, pairwise=True, versus_rest=False))
            tables += [d[k] for _, d in steps]
        differences = pd.concat(tables, ignore_index=True)
    return prio, differences


def _long_tables(group, regression, dominance):
    """One group's regression coefficients, pairwise and conditional dominance in long form (a task)."""
    coefficients = regression.table.assign(group=group)
    pairs = dominance.pairs.assign(group=group)
    conditional = (dominance.conditional.reset_index().melt(id_vars="k", var_name="driver", value_name="gain")
                   .assign(group=group))
    return coefficients, pairs, conditional


def regression_tables(groups, regressions, dominances, runner=None) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Long tables of regression coefficients, pairwise dominance and conditional dominance.

    Each group's pieces are made on ``runner`` (in this thread when None), and stacked here.
    """
    tasks = [(g, regressions[g], dominances[g]) for g in groups]
    pieces = runner.map(_long_tables, tasks) if runner is not None else [_long_tables(*t) for t in tasks]
    coefficients = pd.concat([p[0] for p in pieces], ignore_index=True)
    coefficients = coefficients[["group", *[c for c in coefficients.columns if c != "group"]]]
    pairs = pd.concat([p[1] for p in pieces], ignore_index=True)
    pairs = pairs[["group", *[c for c in pairs.columns if c != "group"]]]
    conditional = pd.concat([p[2] for p in pieces], ignore_index=True)[["group", "driver", "k", "gain"]]
    return coefficients, pairs, conditional
