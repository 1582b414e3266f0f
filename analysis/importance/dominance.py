"""Dominance analysis of the drivers (Budescu 1993; Azen & Budescu 2003).

Driver ``i`` *completely* dominates ``j`` when adding ``i`` to any subset model of the
other drivers raises R² more than adding ``j``; *conditionally* when its average gain
is larger for every model size; *generally* when its average gain over the sizes (its
LMG share, :func:`analysis.importance.relative.lmg_shares`) is larger. All three follow from the
R² of the ``2**p`` subset models, :func:`analysis.importance.relative.subset_r2`.

References
----------
Budescu, D. V. (1993). Dominance analysis: a new approach to the problem of relative
    importance of predictors in multiple regression. *Psychological Bulletin*, 114(3),
    542-551.
Azen, R., & Budescu, D. V. (2003). The dominance analysis approach for comparing
    predictors in multiple regression. *Psychological Methods*, 8(2), 129-148.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

import numpy as np
import pandas as pd

from analysis.common.display import Summary, SummaryTable
from analysis.common.errors import ServiceDriversError
from analysis.importance.driver_data import driver_covariance, ranks_descending
from analysis.importance.relative import ImportanceArrays, arrays_or_raise
from analysis.importance.subsets import check_n_predictors


@lru_cache(maxsize=16)
def conditional_weight_matrix(n_predictors: int) -> np.ndarray:
    """Matrix ``C`` with ``(R2_subsets @ C).reshape(p, p)[k, j]`` = mean gain of driver j over the subsets of size k.

    Returns
    -------
    ndarray, shape (2**p, p * p), read-only
    """
    p = check_n_predictors(n_predictors)
    masks = np.arange(2**p)
    sizes = np.array([bin(m).count("1") for m in masks])
    C = np.zeros((2**p, p, p))
    for j in range(p):
        without = masks[(masks >> j) & 1 == 0]
        for k in range(p):
            sub = without[sizes[without] == k]
            C[sub | (1 << j), k, j] += 1.0 / len(sub)
            C[sub, k, j] -= 1.0 / len(sub)
    C = C.reshape(2**p, p * p)
    C.setflags(write=False)
    return C


def conditional_contributions(r2_subsets: np.ndarray) -> np.ndarray:
    """Average gain in R² of each driver over the subsets of each size (Azen & Budescu 2003).

    Parameters
    ----------
    r2_subsets : ndarray, shape (..., 2**p)
        Output of :func:`subset_r2`.

    Returns
    -------
    ndarray, shape (..., p, p)
        ``[..., k, j]``: mean of ``R²(S ∪ {j}) - R²(S)`` over the subsets ``S`` of
        ``k`` other drivers. The mean over ``k`` is the general dominance weight (LMG).
    """
    r2_subsets = np.asarray(r2_subsets, dtype=float)
    p = int(round(math.log2(r2_subsets.shape[-1])))
    if 2**p != r2_subsets.shape[-1]:
        raise ServiceDriversError(f"r2_subsets must have 2**p columns, got {r2_subsets.shape[-1]}")
    out = r2_subsets @ conditional_weight_matrix(p)
    return out.reshape(r2_subsets.shape[:-1] + (p, p))


def complete_dominance_matrix(r2_subsets: np.ndarray, tol: float = 1e-12) -> np.ndarray:
    """Pairwise complete dominance (Budescu 1993) from the R² of all subsets.

    Driver ``i`` completely dominates ``j`` when ``R²(S ∪ {i}) > R²(S ∪ {j})`` for every
    subset ``S`` of the other drivers (the empty one included).

    Returns
    -------
    ndarray, shape (..., p, p)
        1 where row dominates column, 0 where column dominates row, 0.5 when undetermined
        (the convention of the R package dominanceanalysis); 0.5 on the diagonal.
    """
    r2_subsets = np.asarray(r2_subsets, dtype=float)
    p = int(round(math.log2(r2_subsets.shape[-1])))
    masks = np.arange(2**p)
    out = np.full(r2_subsets.shape[:-1] + (p, p), 0.5)
    for i in range(p):
        for j in range(i + 1, p):
            others = masks[((masks >> i) & 1 == 0) & ((masks >> j) & 1 == 0)]
            diff = r2_subsets[..., others | (1 << i)] - r2_subsets[..., others | (1 << j)]
            i_wins = np.all(diff > tol, axis=-1)
            j_wins = np.all(diff < -tol, axis=-1)
            out[..., i, j] = np.where(i_wins, 1.0, np.where(j_wins, 0.0, 0.5))
            out[..., j, i] = 1.0 - out[..., i, j]
    return out


def dominance_from_levels(levels: np.ndarray, tol: float = 1e-12) -> np.ndarray:
    """Pairwise dominance from per-level values ``(..., L, p)``: row beats column at every level.

    With one level (general dominance weights) this is a plain comparison; with the
    ``p`` rows of :func:`conditional_contributions` it is conditional dominance.

    Returns
    -------
    ndarray, shape (..., p, p), coded as in :func:`complete_dominance_matrix`.
    """
    levels = np.asarray(levels, dtype=float)
    diff = levels[..., :, :, None] - levels[..., :, None, :]  # (..., L, p, p)
    wins = np.all(diff > tol, axis=-3)
    losses = np.all(diff < -tol, axis=-3)
    return np.where(wins, 1.0, np.where(losses, 0.0, 0.5))


_DESIGNATION = {1.0: "dominates", 0.0: "is dominated by", 0.5: "undetermined"}


@dataclass(frozen=True)
class DominanceResult:
    """Dominance analysis of the drivers of one outcome (Azen & Budescu 2003).

    Attributes
    ----------
    r2 : float
    general : DataFrame
        ``driver``, ``general_dominance`` (= LMG), ``pct`` (% of R²), ``rank``.
    conditional : DataFrame
        Index ``k`` = 0 .. p-1 (number of other drivers already in the model), one column
        per driver: the mean gain in R² when the driver is added to such models. Row
        ``k = 0`` holds the squared correlations; the column means are the general
        dominance weights.
    complete, conditional_matrix, general_matrix : DataFrame
        p x p, 1 where the row driver dominates the column driver (completely,
        conditionally, generally), 0 where it is dominated, 0.5 when undetermined.
    pairs : DataFrame
        One row per pair ``driver`` < ``other`` (in driver order): ``complete``,
        ``conditional``, ``general``, each 'dominates', 'is dominated by' or
        'undetermined' (read: driver <designation> other).
    subset_r2 : Series
        R² of every subset model, indexed by a '+'-joined label ('' for the empty model).
    """

    r2: float
    general: pd.DataFrame
    conditional: pd.DataFrame
    complete: pd.DataFrame
    conditional_matrix: pd.DataFrame
    general_matrix: pd.DataFrame
    pairs: pd.DataFrame
    subset_r2: pd.Series

    def summary(self) -> Summary:
        """General, conditional and pairwise dominance: text when printed, HTML in Jupyter."""
        conditional = self.conditional.rename_axis(self.conditional.index.name or "driver").reset_index()
        return Summary(f"Dominance analysis (R² = {self.r2:.3f})", (
            SummaryTable("General dominance", self.general),
            SummaryTable("Conditional dominance (mean gain by number of other drivers k)", conditional),
            SummaryTable("Pairwise designations", self.pairs)))

    def _repr_html_(self) -> str:
        return self.summary().as_html()


def dominance_analysis(data: pd.DataFrame, outcome: str, drivers: Sequence[str] | None = None,
                       *, matrix: bool = False, tol: float = 1e-12) -> DominanceResult:
    """Complete, conditional and general dominance of each pair of drivers.

    Parameters
    ----------
    data : DataFrame
        Complete respondent rows, or a labelled correlation/covariance matrix with
        ``matrix=True``.
    outcome : str
    drivers : sequence of str
        Driver columns (all other matrix columns by default when ``matrix=True``).
    matrix : bool
    tol : float
        Differences in R² within ``tol`` count as ties (no dominance).

    Returns
    -------
    DominanceResult

    References
    ----------
    Budescu, D. V. (1993). *Psychological Bulletin*, 114(3), 542-551.
    Azen, R., & Budescu, D. V. (2003). *Psychological Methods*, 8(2), 129-148.

    Examples
    --------
    The correlation matrix of Azen & Budescu (2003):

    >>> import pandas as pd
    >>> names = ["y", "x1", "x2", "x3", "x4"]
    >>> R = pd.DataFrame([[1, .6, .3, .4, .5], [.6, 1, .8, .1, .3], [.3, .8, 1, .1, .1],
    ...                   [.4, .1, .1, 1, .5], [.5, .3, .1, .5, 1]], index=names, columns=names)
    >>> da = dominance_analysis(R, "y", matrix=True)
    >>> da.general.general_dominance.round(3).tolist()
    [0.292, 0.076, 0.095, 0.121]
    """
    cov, drivers, _ = driver_covariance(data, outcome, drivers, matrix)
    return dominance_result(arrays_or_raise(cov, drivers, outcome), drivers, tol)


@lru_cache(maxsize=16)
def _subset_labels(drivers: tuple[str, ...]) -> tuple[str, ...]:
    """The name of every subset of the drivers, 'a+c' for the bit mask 0b101 (one per driver set, kept)."""
    return tuple("+".join(drivers[j] for j in range(len(drivers)) if m >> j & 1) for m in range(2 ** len(drivers)))


def dominance_result(a: ImportanceArrays, drivers: list[str], tol: float = 1e-12) -> DominanceResult:
    """The :class:`DominanceResult` of one valid covariance matrix's :class:`ImportanceArrays`.

    :func:`dominance_analysis` from arrays computed already (e.g. shared with
    :func:`analysis.importance.relative.importance_result`).
    """
    p = len(drivers)
    r2 = float(a.r2)
    cond = conditional_contributions(a.subset_r2)
    general = pd.DataFrame({"driver": drivers, "general_dominance": a.lmg,
                            "pct": 100 * a.lmg / r2, "rank": ranks_descending(a.lmg).astype(int)})
    # the axes are made once per set of drivers and shared (an Index is immutable): building
    # them per group was most of the cost when thousands of groups' results are made in one process
    rows, columns, subsets = _axes(tuple(drivers))
    square = lambda m: pd.DataFrame(m, index=rows, columns=columns)  # noqa: E731
    complete = complete_dominance_matrix(a.subset_r2, tol)
    conditional_m = dominance_from_levels(cond, tol)
    general_m = dominance_from_levels(a.lmg[None, :], tol)
    i, j = np.triu_indices(p, k=1)                      # the pairs (i < j), row by row
    pairs = pd.DataFrame({"driver": [drivers[k] for k in i], "other": [drivers[k] for k in j],
                          **{name: [_DESIGNATION[v] for v in m[i, j]] for name, m in
                             (("complete", complete), ("conditional", conditional_m), ("general", general_m))}},
                         columns=["driver", "other", "complete", "conditional", "general"])
    return DominanceResult(
        r2=r2, general=general,
        conditional=pd.DataFrame(cond, index=pd.RangeIndex(p, name="k"), columns=columns),
        complete=square(complete), conditional_matrix=square(conditional_m),
        general_matrix=square(general_m), pairs=pairs,
        subset_r2=pd.Series(a.subset_r2, index=subsets, name="r2"),
    )


@lru_cache(maxsize=16)
def _axes(drivers: tuple[str, ...]) -> tuple[pd.Index, pd.Index, pd.Index]:
    """The drivers as rows (named 'driver') and as columns, and every subset's name, as pandas axes."""
    return pd.Index(list(drivers), name="driver"), pd.Index(list(drivers)), pd.Index(list(_subset_labels(drivers)))
