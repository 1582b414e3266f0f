"""Where the pooled estimate takes the organisations' rows from: a DataFrame here, or pieces kept elsewhere.

:func:`analysis.pooling.pooled_importance` needs of the respondents' rows only what
:class:`FrameRows` gives: the two-pattern blocks (:func:`~analysis.pooling.moments.find_blocks`),
the organisations (sorted), their sizes, the centre of the columns, and each
organisation's feature sums and resampled feature sums (:func:`group_sums`, one task per
organisation, each on its own random stream). Everything after these sums is computed
from them. An object with the same attributes and a ``group_sums`` method can therefore
compute the sums where the rows are kept, e.g. on the workers of a Dask cluster that hold
each organisation's rows (:mod:`analysis.drivers.kept`), so that the rows never pass
through the calling process; if it gives the same numbers (the same rows in the same
order per organisation, the same centre), the estimate is the same, bit for bit.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from analysis.common.errors import DataError
from analysis.pooling.moments import find_blocks
from analysis.pooling.replicates import group_sums


class FrameRows:
    """The rows of a DataFrame: one respondent a row, the drivers, the outcome and the group column.

    Attributes
    ----------
    blocks : Blocks
    labels : list
        The organisations, sorted.
    n_all, n_complete : ndarray of int
        Respondents per organisation, and of them with every driver.
    centre : ndarray
        Column means over every respondent (NaN left out), the features' origin.
    """

    def __init__(self, data: pd.DataFrame, columns: Sequence[str], group: str) -> None:
        absent = [c for c in [*columns, group] if c not in data.columns]
        if absent:
            raise DataError(f"no column named {', '.join(map(repr, absent))} in the data")
        self.values = data[list(columns)].to_numpy(dtype=float)
        self.blocks, self.complete = find_blocks(self.values, list(columns))
        self.labels, self.codes = _group_codes(data, group)
        self.n_all = np.bincount(self.codes, minlength=len(self.labels))
        self.n_complete = np.bincount(self.codes[self.complete], minlength=len(self.labels))
        # the column means of a column-major array (as a DataFrame's values are): a sum's
        # rounding depends on the memory order, and rows kept elsewhere must give these bits
        self.centre = column_means(self.values)

    def group_sums(self, runner, rngs: list, centre: np.ndarray, n_resamples: int, chunk: int,
                   progress: Callable[[int, int], None] | None = None) -> list:
        """Each organisation's :func:`group_sums`, one task each on ``runner``, in the order of ``labels``."""
        order = np.argsort(self.codes, kind="stable")
        bounds = np.r_[0, np.cumsum(self.n_all)]
        # a task is sent its rows' values, not their (9x wider) features
        tasks = [(rngs[k], self.values[order[bounds[k]:bounds[k + 1]]], self.complete[order[bounds[k]:bounds[k + 1]]],
                  self.blocks, centre, n_resamples, chunk) for k in range(len(self.labels))]
        return runner.map(group_sums, tasks, progress=progress, weights=[int(n) for n in self.n_all])


def column_means(values: np.ndarray) -> np.ndarray:
    """``np.nanmean(values, axis=0)`` of ``values`` in column-major (Fortran) order, whatever its order."""
    return np.nanmean(np.asfortranarray(values), axis=0)


def _group_codes(data: pd.DataFrame, group: str) -> tuple[list, np.ndarray]:
    if data[group].isna().any():
        raise DataError("has missing group labels; drop those rows or give them a label", column=group,
                        rows=list(np.flatnonzero(data[group].isna().to_numpy()) + 1))
    codes, uniques = pd.factorize(data[group], sort=True)
    return list(uniques), codes
