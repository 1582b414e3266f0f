"""Missing-data pattern statistics of many groups in one pass, and of their union.

Under normality the FIML log-likelihood of a group depends on its rows only through,
for each missing-data pattern, the number of respondents ``n``, their mean vector and
their covariance matrix over the observed variables (Arbuckle, 1996): the casewise sum
``sum_i log f(y_i,o)`` equals ``sum_p -n_p/2 (k_p log 2 pi + log|Sigma_oo| + tr(Sigma_oo^-1
(C_p + d_p d_p')))``.  :func:`pattern_statistics` computes these statistics for every
(group, pattern) cell of a data set in one vectorized pass (rows sorted by group and
pattern, sums and cross-products accumulated with ``np.add.reduceat``), and the whole
sample's statistics as the sums of its groups' (the pooled cell sums), so no group and
not the whole sample needs its rows again.  The results are
:class:`analysis.sem.data.PatternData`, which :meth:`analysis.sem.SEM.fit` accepts in
place of a DataFrame (``missing="ml"``, one group, normal-theory ML: the sandwich of
``estimator="mlr"`` needs every respondent's scores, so it needs the rows).

The cross-products are taken about the overall available-case means, so that summing
them loses no precision; cell covariances are ``S2/n - m m'`` of those centred values.

References
----------
Arbuckle, J. L. (1996). Full information estimation in the presence of incomplete
    data. In *Advanced Structural Equation Modeling*, 243-277.
Chan, T. F., Golub, G. H., & LeVeque, R. J. (1983). Algorithms for computing the sample
    variance: analysis and recommendations. *The American Statistician*, 37(3), 242-247
    (pooling sums of moments about a common reference).

Example
-------
>>> import numpy as np
>>> Y = np.array([[1.0, 2.0], [2.0, np.nan], [3.0, 1.0], [np.nan, 4.0]])
>>> groups, whole = pattern_statistics(Y, np.array([0, 0, 1, 1]), ["a", "b"], ("x", "y"))
>>> groups["a"].group.n, groups["a"].group.n_patterns, whole.group.n_patterns
(2, 2, 3)
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from analysis.sem.data import GroupData, PatternBatch, PatternData, flat_positions, missing_positions



def pattern_statistics(Y: np.ndarray, group_index: np.ndarray, labels: Sequence[str],
                       observed: tuple[str, ...], *, whole_sample: bool = True, by_group: bool = True):
    """Pattern statistics of every group and of the whole sample.

    Parameters
    ----------
    Y : ndarray (n, p)
        The observed variables in model order, NaN for missing.
    group_index : ndarray of int (n,)
        Position in ``labels`` of each row's group; rows with a negative index belong
        to no group (they still count for the whole sample).
    labels : sequence of str
    observed : tuple of str
        Names of the columns of ``Y`` (the model's observed variables, in model order).
    whole_sample : bool
        Also return the statistics of all rows.
    by_group : bool
        Return the groups' statistics (``False``: only the whole sample's, still summed
        one group at a time; ``groups`` is then empty).

    Returns
    -------
    groups : dict
        Label -> :class:`PatternData` (``None`` for a group without a non-empty row).
    whole : PatternData or None

    Notes
    -----
    Many small matrix products: run with BLAS on one thread
    (:func:`analysis.common.threads.limit_blas_threads`), as ``drivers analyse`` does.
    """
    Y = np.asarray(Y, dtype=float)
    n_rows, p = Y.shape
    group_index = np.asarray(group_index)
    obs = ~np.isnan(Y)
    has_any = obs.any(axis=1)
    n_empty = np.bincount(group_index[~has_any & (group_index >= 0)], minlength=len(labels))
    if not has_any.any():                       # no row with an answer: nothing to fit anywhere
        return ({label: None for label in labels} if by_group else {}), None
    patterns, pid = _patterns(obs[has_any])
    rows = np.flatnonzero(has_any)
    gidx = group_index[rows]
    # available-case means (rows with nothing observed add nothing), a column at a time
    # rather than through a masked copy of all the data
    ref = np.zeros(p)
    for j in range(p):
        column = Y[:, j]
        column = column[~np.isnan(column)]
        ref[j] = column.mean() if len(column) else 0.0
    # rows sorted by (group, pattern): each cell is a contiguous block
    cell = gidx.astype(np.int64) * len(patterns) + pid
    order = np.argsort(cell, kind="stable")
    cell, rows, pid_sorted = cell[order], rows[order], pid[order]
    starts = np.flatnonzero(np.r_[True, cell[1:] != cell[:-1]])
    counts = np.diff(np.r_[starts, len(cell)])
    cell_group = (cell[starts] // len(patterns)).astype(int)
    cell_pattern = pid_sorted[starts]
    n_pat = len(patterns)
    out: dict = {}
    w1, w2 = np.zeros((n_pat, p)), np.zeros((n_pat, p * p) if whole_sample else (0, p * p))
    wlo, whi = np.full((n_pat, p), np.nan), np.full((n_pat, p), np.nan)
    # one group at a time, so that only one group's rows and cells are in memory (the rows of no
    # group, index -1, sort first and count for the whole sample only)
    bounds = np.searchsorted(cell_group, np.arange(-1, len(labels) + 1))
    for g in range(-1, len(labels)):
        a, b = bounds[g + 1], bounds[g + 2]
        if a == b:
            if g >= 0 and by_group:
                out[labels[g]] = None
            continue
        first, last = starts[a], starts[b - 1] + counts[b - 1]
        Z = Y[rows[first:last]]                 # this group's rows (a copy), centred
        Z -= ref
        s1, s2, lo, hi = _cell_sums(Z, starts[a:b] - first, counts[a:b])
        lo, hi = lo + ref, hi + ref
        cp = cell_pattern[a:b]                  # distinct within a group
        if g >= 0 and by_group:
            out[labels[g]] = _pattern_data(patterns[cp], counts[a:b], s1, s2, lo, hi, ref, observed,
                                           int(n_empty[g]))
        if whole_sample:
            w1[cp] += s1
            w2[cp] += s2
            wlo[cp], whi[cp] = np.fmin(wlo[cp], lo), np.fmax(whi[cp], hi)
    whole = None
    if whole_sample and len(rows):
        n_p = np.bincount(cell_pattern, weights=counts, minlength=n_pat)
        whole = _pattern_data(patterns, n_p.astype(int), w1, w2, wlo, whi, ref, observed,
                              int((~has_any).sum()))
    return out, whole


def _patterns(obs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct rows of ``obs`` (sorted as ``np.unique(obs, axis=0)``) and each row's position among them."""
    p = obs.shape[1]
    if p > 62:
        patterns, pid = np.unique(obs, axis=0, return_inverse=True)
        return patterns, pid.ravel()
    # one integer per row, first column the most significant bit: the same order, much faster
    key = obs.astype(np.int64) @ (np.int64(1) << np.arange(p - 1, -1, -1, dtype=np.int64))
    keys, pid = np.unique(key, return_inverse=True)
    patterns = ((keys[:, None] >> np.arange(p - 1, -1, -1, dtype=np.int64)) & 1).astype(bool)
    return patterns, pid.ravel()


def _cell_sums(Z: np.ndarray, starts: np.ndarray, counts: np.ndarray):
    """Per cell: sums and cross-product sums of ``Z`` (NaN as 0), and its minimum and maximum.

    ``Z`` (NaN for missing) is overwritten: its NaNs become zeros. The cross-products
    of all cells with the same number of rows are one stacked matrix product (most
    cells have a few rows; a product per row would write ``p*p`` numbers per row).
    """
    n, p = Z.shape
    if not n:
        return np.zeros((0, p)), np.zeros((0, p * p)), np.zeros((0, p)), np.zeros((0, p))
    lo = np.fmin.reduceat(Z, starts, axis=0)
    hi = np.fmax.reduceat(Z, starts, axis=0)
    np.nan_to_num(Z, copy=False)
    s1 = np.add.reduceat(Z, starts, axis=0)
    s2 = np.empty((len(starts), p, p))
    for size in np.unique(counts):
        cells = np.flatnonzero(counts == size)
        block = Z[starts[cells][:, None] + np.arange(size)]          # (cells, size, p)
        s2[cells] = block.transpose(0, 2, 1) @ block
    return s1, s2.reshape(len(starts), p * p), lo, hi


def _covariances(s2: np.ndarray, m: np.ndarray, n: np.ndarray, lin: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """Cells' covariance matrices (divisor n) over their observed variables ``idx`` (flat positions ``lin``).

    ``s2``: cross-product sums ``(cells, p*p)`` and ``m``: means ``(cells, p)``, both about the same reference.
    Only the observed block of each cell is formed.
    """
    B, k = idx.shape
    msub = np.take_along_axis(m, idx, axis=1)
    cov = np.take_along_axis(s2, lin, axis=1).reshape(B, k, k) / n[:, None, None] - msub[:, :, None] * msub[:, None, :]
    return 0.5 * (cov + cov.transpose(0, 2, 1))


def _pattern_data(patterns: np.ndarray, n: np.ndarray, s1: np.ndarray, s2: np.ndarray,
                  lo: np.ndarray, hi: np.ndarray, ref: np.ndarray, observed: tuple[str, ...],
                  n_empty: int) -> PatternData:
    """One group's :class:`PatternData` from its cells' sums (about ``ref``); labelled '' as a one-group fit's."""
    p = patterns.shape[1]
    n = np.asarray(n, dtype=float)
    m = s1 / n[:, None]                                         # centred means
    ybar = m + ref
    of = patterns.astype(float)
    n_total = float(n.sum())
    n_available = (n[:, None] * of).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_c = (n[:, None] * np.where(patterns, m, 0.0)).sum(axis=0) / n_available
        diag = s2[:, ::p + 1] / n[:, None] - m * m
        var = (n[:, None] * np.where(patterns, diag + (m - mean_c) ** 2, 0.0)).sum(axis=0) / n_available
    k_of = patterns.sum(axis=1)
    batches = []
    for k in np.unique(k_of):
        sel = np.flatnonzero(k_of == k)
        idx = np.nonzero(patterns[sel])[1].reshape(len(sel), k)
        lin = (idx[:, :, None] * p + idx[:, None, :]).reshape(len(sel), k * k)
        batches.append(PatternBatch(idx=idx, n=n[sel], ybar=np.take_along_axis(ybar[sel], idx, axis=1),
                                    cov=_covariances(s2[sel], m[sel], n[sel], lin, idx), lin=flat_positions(idx, p),
                                    mis=missing_positions(idx, p)))
    complete = bool(patterns.all())
    group = GroupData(label="", n=int(n_total), n_empty=n_empty, n_patterns=len(patterns),
                      batches=tuple(batches), complete=complete, mean=mean_c + ref,
                      cov=_covariances(s2, m, n, np.arange(p * p)[None, :], np.arange(p)[None, :])[0]
                      if complete else None, coverage=of.T @ (of * n[:, None]) / n_total,
                      observed_share=n_available / n_total, n_available=n_available.astype(int),
                      var_available=var, values=None)
    spread = np.where(n_available > 0, np.max(np.where(patterns, hi, -np.inf), axis=0)
                      - np.min(np.where(patterns, lo, np.inf), axis=0), np.nan)
    return PatternData(observed=tuple(observed), group=group, spread=spread)
