"""Bootstrap replicates kept where they were computed (e.g. on Dask workers), and their tables made there.

With thousands of groups the replicates are the bulk of a bootstrap: per group ``B``
resamples of every importance measure (about 33 KB at ``B = 100`` and 8 drivers, as much
again for its rest of the sample). :class:`KeptReplicates` leaves them in the memory of
the workers that computed them, a run of consecutive groups per handle
(:meth:`analysis.common.scheduler.Runner.keep`), and is the ``replicates`` mapping of a
:class:`~analysis.bootstrap.importance.BootstrapResult`: a group's replicates are fetched
when asked for (``boot.replicates[g]``), and the per-group steps that need them run where
they are (:meth:`KeptReplicates.runs`: one task per run, e.g.
:mod:`analysis.drivers.group_tasks`). :func:`kept_result` makes the tables of the result
on the runs, in two passes: which statistics have degenerate (NaN) replicates in any
group (:func:`~analysis.bootstrap.summaries.has_nan`), then each run's intervals as one
pass over all groups makes them (:func:`~analysis.bootstrap.summaries.summary_arrays`), so
the tables are the same, bit for bit, as :func:`~analysis.bootstrap.importance.result_from_replicates`
gives from replicates held here. The calling process receives per group only its
figures (O(groups x drivers)), never its replicates (O(groups x resamples x drivers)).
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence

import numpy as np

from analysis.bootstrap.importance import BootstrapResult
from analysis.bootstrap.summaries import has_nan, summary_arrays, summary_tables
from analysis.common.errors import ServiceDriversError


class KeptReplicates(Mapping):
    """Per group, its :class:`~analysis.bootstrap.engine.Replicates`, kept where they were computed.

    Parameters
    ----------
    runner : analysis.common.scheduler.Runner
        The runner whose :meth:`~analysis.common.scheduler.Runner.keep` made the handles.
    runs : sequence of (list, handle)
        Runs of consecutive groups and the handle of each run's ``{group: (replicates,
        rest_replicates)}`` (``rest_replicates`` None without a rest of the sample).
    which : {0, 1}
        The groups' own replicates (0) or those of their rest of the sample (1).

    Notes
    -----
    On Dask a handle is a future: the replicates live as long as this mapping and the
    connection to the cluster; ``boot.replicates[g]`` then brings one group's here. Pickled
    or copied (``copy.deepcopy``) the mapping becomes a plain dict of every group's
    replicates (:meth:`here`), so a result can be kept after the cluster is gone; read
    after the connection is closed, they raise :class:`~analysis.common.errors.ServiceDriversError`
    saying so. On threads and processes a handle is the result itself, readable after the
    runner is closed.
    """

    def __init__(self, runner, runs: Sequence[tuple[list, object]], which: int = 0) -> None:
        self.runner, self.which = runner, which
        self._runs = [(list(groups), handle) for groups, handle in runs]
        self._where = {g: k for k, (groups, _) in enumerate(self._runs) for g in groups}

    def runs(self) -> list[tuple[list, object]]:
        """The runs of groups and their handles, in the groups' order."""
        return list(self._runs)

    def __getitem__(self, group):
        k = self._where[group]                       # KeyError for an unknown group, as a dict
        return self._run(_pick, [(self._runs[k][1], group, self.which)])[0]

    def _run(self, func: Callable, tasks: list, progress=None, weights=None) -> list:
        """``runner.map``, or here once the runner is closed (its handles are then the results themselves)."""
        if not self.runner.closed:
            return self.runner.map(func, tasks, progress=progress, weights=weights)
        if self.runner.keeps_remotely:
            raise ServiceDriversError(
                f"the bootstrap replicates stayed on the Dask workers of {self.runner.scheduler}, and that "
                "connection is closed: keep them by copying the result (copy.deepcopy or pickle) while "
                "it is open, or run the analysis again")
        return [func(*args) for args in tasks]

    def __iter__(self) -> Iterator:
        return (g for groups, _ in self._runs for g in groups)

    def __len__(self) -> int:
        return len(self._where)

    def __contains__(self, group) -> bool:
        return group in self._where

    def here(self) -> dict:
        """Every group's replicates brought here, run by run (``{group: Replicates}``)."""
        return {g: reps for part in self.map(_as_dict) for g, reps in part.items()}

    def __reduce__(self):
        # pickled or copied, the mapping becomes a plain dict of the replicates (the handles
        # and the connection to the cluster cannot be pickled)
        return dict, (self.here(),)

    def map(self, func: Callable, args: Sequence[tuple] | None = None, *, progress=None) -> list:
        """``func(run_replicates, *args)`` on each run where it is kept (one task each); results in order.

        ``run_replicates`` is the run's ``{group: replicates}`` (``which`` of them).
        """
        args = [()] * len(self._runs) if args is None else list(args)
        return self._run(_on_run, [(h, self.which, func, *a) for (_, h), a in zip(self._runs, args)],
                         progress=progress, weights=[len(groups) for groups, _ in self._runs])


def of_run(run: dict, which: int) -> dict:
    """A run's ``{group: replicates}`` (``which``: 0 the groups', 1 their rest of the sample's)."""
    return {g: pair[which] for g, pair in run.items()}


def _pick(run: dict, group, which: int):
    return run[group][which]


def _on_run(run: dict, which: int, func: Callable, *args):
    return func(of_run(run, which), *args)


def _as_dict(replicates: dict) -> dict:
    return replicates


def _nan_of(replicates: dict) -> dict:
    return has_nan(list(replicates.values()))


def _arrays_of(replicates: dict, level: float, nan: dict) -> dict:
    return summary_arrays(list(replicates.values()), level, nan)


def kept_arrays(kept: KeptReplicates, level: float) -> dict:
    """:func:`~analysis.bootstrap.summaries.summary_arrays` of every group, computed on the runs."""
    parts = kept.map(_nan_of)
    nan = {stat: any(p[stat] for p in parts) for stat in parts[0]}
    arrays = kept.map(_arrays_of, [(level, nan)] * len(kept.runs()))
    out = {"r2": tuple(np.concatenate([a["r2"][k] for a in arrays]) for k in range(2)),
           "n_failed": [n for a in arrays for n in a["n_failed"]],
           "p_first": np.concatenate([a["p_first"] for a in arrays]),
           "p_top2": np.concatenate([a["p_top2"] for a in arrays])}
    for stat in arrays[0]:
        if stat not in out:
            out[stat] = tuple(np.concatenate([a[stat][k] for a in arrays]) for k in range(3))
    return out


def kept_result(*, outcome: str, drivers: Sequence[str], level: float, n_resamples: int, seed_entropy: int,
                labels: list, sizes: np.ndarray, point: dict, replicates: KeptReplicates,
                rest_point: dict | None = None, rest_replicates: Mapping | None = None,
                whole: BootstrapResult | None = None) -> BootstrapResult:
    """:func:`~analysis.bootstrap.importance.result_from_replicates` of replicates kept on the runs: the same result."""
    if list(replicates) != list(labels):
        raise ValueError("kept_result: the runs' groups must be the labels, in their order")
    groups, estimates, ranks = summary_tables(labels, np.asarray(sizes), list(drivers), point,
                                              kept_arrays(replicates, level))
    return BootstrapResult(outcome=outcome, drivers=tuple(drivers), level=level, n_resamples=n_resamples,
                           seed_entropy=seed_entropy, groups=groups, estimates=estimates, ranks=ranks,
                           point=point, replicates=replicates, rest_point=rest_point or {},
                           rest_replicates=rest_replicates or {}, whole=whole)
