"""The rows kept on the pieces as the pooled estimate and the small-sample intervals take them (:mod:`analysis.drivers.kept`).

:class:`KeptRows` gives :func:`analysis.pooling.pooled_importance` the organisations'
rows where they are kept: each piece's organisations' feature sums and resampled sums,
computed on the piece (each organisation on its own stream of the seed) and kept there
(:meth:`KeptRows.keep_sums`, :mod:`analysis.pooling.kept`), or brought here
(:meth:`KeptRows.group_sums`). :func:`adjusted_intervals` computes the own-data shares'
small-sample intervals of each piece's groups on the piece, from the piece's rows and the
groups' replicates (kept on the workers too).
"""
from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from analysis.bootstrap.kept import KeptReplicates, of_run
from analysis.common.errors import ServiceDriversError
from analysis.drivers.own_intervals import with_adjusted_share_intervals
from analysis.drivers.sample import GROUP
from analysis.pooling.rows import group_sums


class KeptRows:
    """The organisations' rows on the pieces, for :func:`analysis.pooling.pooled_importance` (``rows=``).

    The attributes of :class:`analysis.pooling.rows.FrameRows`; :meth:`group_sums` runs
    on the pieces, one task per piece (its organisations one after the other).
    """

    def __init__(self, runner, pieces, labels, n_all, n_complete, blocks, centre) -> None:
        self.runner, self.pieces, self.labels = runner, pieces, labels
        self.n_all, self.n_complete, self.blocks, self.centre = n_all, n_complete, blocks, centre

    def group_sums(self, runner, rngs, centre, n_resamples, chunk, progress=None) -> list:
        index = {g: k for k, g in enumerate(self.labels)}
        tasks = [(h, [(g, rngs[index[g]]) for g in groups], self.blocks, centre, n_resamples, chunk)
                 for groups, h in self.pieces]
        weights = [int(sum(self.n_all[index[g]] for g in groups)) for groups, _ in self.pieces]
        out = {}
        for piece in self.runner.map(_piece_sums, tasks, progress=progress, weights=weights):
            out.update(piece)
        return [out[g] for g in self.labels]

    @property
    def keeps(self) -> bool:
        """Whether the pieces hold runs of consecutive organisations in the order of ``labels``.

        Then :func:`analysis.pooling.pooled_importance` keeps the bootstrap's sums and
        replicates on the workers (:meth:`keep_sums`, :mod:`analysis.pooling.kept`).
        """
        return [g for groups, _ in self.pieces for g in groups] == list(self.labels)

    def keep_sums(self, runner, rngs, centre, n_resamples, chunk) -> list:
        """Each piece's organisations' sums, kept on the piece's worker: ``[(groups, handle)]``.

        A handle's result is ``(point sums (g, f), resampled sums (B, g, f))``, the piece's
        organisations in the order of ``labels``.
        """
        index = {g: k for k, g in enumerate(self.labels)}
        handles = self.runner.keep(_piece_sums_stacked, [
            (h, [(g, rngs[index[g]]) for g in groups], self.blocks, centre, n_resamples, chunk)
            for groups, h in self.pieces])
        return [(groups, h) for (groups, _), h in zip(self.pieces, handles)]


def _piece_sums(piece, groups, blocks, centre, n_resamples, chunk) -> dict:
    """Each of the piece's organisations' feature sums on its own stream (a task)."""
    frame = piece.sample.frame
    columns = [c for c in frame.columns if c not in ("respondent_id", GROUP, "flagged")]
    rows = frame.loc[piece.pooled]
    values = rows[columns].to_numpy(dtype=float)
    codes = rows[GROUP].to_numpy()
    out = {}
    for g, rng in groups:
        mine = values[codes == g]
        out[g] = group_sums(rng, mine, ~np.isnan(mine).any(axis=1), blocks, centre, n_resamples, chunk)
    return out


def _piece_sums_stacked(piece, groups, blocks, centre, n_resamples, chunk) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_piece_sums` stacked as one process stacks them: (g, f) and (B, g, f) (a task)."""
    sums = list(_piece_sums(piece, groups, blocks, centre, n_resamples, chunk).values())
    return np.stack([s[0] for s in sums]), np.stack([s[1] for s in sums], axis=1)


def adjusted_intervals(runner, kept, piece_groups, labels, boot, entropy, drivers, outcome):
    """``with_adjusted_share_intervals`` of every group, on the pieces; each group on its own stream.

    A piece's groups are consecutive among ``labels``: its streams are the seed's children
    from its first group's position on (``SeedSequence(entropy, n_children_spawned=k)``
    spawns the children ``k, k + 1, ...``), those one pass over all groups gives them.
    """
    est = boot.estimates.copy()
    tasks = []
    # replicates kept on the workers (analysis.pooling.kept): each piece's task takes its run's there
    runs = iter(boot.replicates.runs()) if isinstance(boot.replicates, KeptReplicates) else None
    for h, groups in zip(kept, piece_groups):
        if not groups:
            continue
        first = labels.index(groups[0])
        if labels[first:first + len(groups)] != groups:
            raise ServiceDriversError("the groups' labels sort differently as values and as text: analyse the rows "
                                      "in one process (read_partitioned), or use text labels")
        part = est[est.group.isin(groups)]
        run = None
        if runs is not None:
            run_groups, run = next(runs)
            if run_groups != groups:
                raise ServiceDriversError("adjusted_intervals: the replicates' runs are not the pieces' groups")
        light = dataclasses.replace(boot, estimates=part, groups=boot.groups.iloc[:0], ranks=boot.ranks.iloc[:0],
                                    point={}, rest_point={}, rest_replicates={}, whole=None,
                                    replicates={} if run is not None else {g: boot.replicates[g] for g in groups})
        tasks.append((h, light, np.random.SeedSequence(entropy, n_children_spawned=first), drivers, outcome, run))
    for widened in runner.map(_piece_intervals, tasks):
        est.loc[widened.index, ["ci_low", "ci_high"]] = widened[["ci_low", "ci_high"]]
    return dataclasses.replace(boot, estimates=est)


def _piece_intervals(piece, boot, seed, drivers, outcome, run=None) -> pd.DataFrame:
    """The piece's groups' estimates with the widened share intervals (a task); ``run``: its kept replicates."""
    if run is not None:
        boot = dataclasses.replace(boot, replicates=of_run(run, 0))
    rows = piece.sample.frame.loc[piece.pooled, [GROUP, *drivers, outcome]].reset_index(drop=True)
    return with_adjusted_share_intervals(boot, rows, GROUP, seed).estimates
