"""The 2^p subsets of the drivers: bit-mask bookkeeping and all-subsets R² in a batch.

Driver ``j`` is in subset ``m`` when bit ``j`` of ``m`` is set. :func:`subset_r2_batch`
computes the R² of every subset model for a stack of correlation matrices; it is the
kernel behind :mod:`analysis.importance.relative` and :mod:`analysis.importance.dominance`.
"""
from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from analysis.common.errors import ServiceDriversError

MAX_PREDICTORS = 12


@lru_cache(maxsize=16)
def subsets_by_size(n_predictors: int) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    """The non-empty subsets of ``n_predictors`` drivers, grouped by size.

    Returns
    -------
    tuple of (masks, members)
        One pair per subset size ``k = 1 .. p``: ``masks`` (m,) are the bit masks and
        ``members`` (m, k) the driver indices of each subset, in increasing order.
    """
    p = check_n_predictors(n_predictors)
    masks = np.arange(1, 2**p)
    bits = (masks[:, None] >> np.arange(p)) & 1
    sizes = bits.sum(axis=1)
    out = []
    for k in range(1, p + 1):
        m = masks[sizes == k]
        members = np.nonzero(bits[sizes == k])[1].reshape(len(m), k)
        out.append((m, members))
    return tuple(out)


def check_n_predictors(p: int) -> int:
    if not 1 <= int(p) <= MAX_PREDICTORS:
        raise ServiceDriversError(
            f"relative importance needs 1 to {MAX_PREDICTORS} drivers (2^p subsets are "
            f"fitted), got {p}"
        )
    return int(p)


@lru_cache(maxsize=16)
def shapley_weight_matrix(n_predictors: int) -> np.ndarray:
    """Matrix ``M`` with ``LMG = R2_subsets @ M`` (Shapley value of R²).

    ``M[S ∪ {j}, j] = w`` and ``M[S, j] = -w`` for every subset ``S`` without ``j``,
    with ``w = |S|! (p - |S| - 1)! / p!``: the weight of the orders in which ``S``
    enters before ``j``.

    Returns
    -------
    ndarray, shape (2**p, p), read-only
    """
    p = check_n_predictors(n_predictors)
    masks = np.arange(2**p)
    sizes = np.array([bin(m).count("1") for m in masks])
    weights = np.array([math.factorial(s) * math.factorial(p - s - 1) / math.factorial(p)
                        for s in range(p)])
    M = np.zeros((2**p, p))
    for j in range(p):
        without = masks[(masks >> j) & 1 == 0]
        M[without | (1 << j), j] += weights[sizes[without]]
        M[without, j] -= weights[sizes[without]]
    M.setflags(write=False)
    return M


@lru_cache(maxsize=16)
def symmetric_chain_plan(n_predictors: int) -> tuple[tuple[np.ndarray, ...], ...]:
    """Orders of entry whose prefixes cover every non-empty subset of drivers exactly once.

    A symmetric chain decomposition of the subsets (de Bruijn et al. 1951): write a
    subset as a bit string, pair every 1 with the nearest unpaired 0 before it; the
    unpaired positions can then be switched on left to right, one at a time, which
    gives a chain of nested subsets. There are C(p, floor(p/2)) chains (35 for p = 7),
    so 35 Cholesky factorizations give all 127 subset R² (see :func:`subset_r2_batch`).

    Returns
    -------
    tuple of (order, rows, cols, masks), one per chain length L
        ``order`` (c, L + 1): driver indices in entry order with the outcome (index p)
        last; ``masks[i]`` is the subset made of the first ``cols[i]`` drivers of chain
        ``rows[i]``.

    References
    ----------
    de Bruijn, N. G., van Ebbenhorst Tengbergen, C., & Kruyswijk, D. (1951). On the set
        of divisors of a number. *Nieuw Archief voor Wiskunde*, 23, 191-193.
    """
    p = check_n_predictors(n_predictors)
    by_length: dict[int, list[tuple[list[int], int]]] = {}
    for mask in range(2**p):
        open_zeros, paired_ones = [], []
        for i in range(p):
            if not mask >> i & 1:
                open_zeros.append(i)
            elif open_zeros:
                open_zeros.pop()
                paired_ones.append(i)
            else:
                break               # an unpaired 1: not the smallest subset of its chain
        else:
            order = paired_ones + open_zeros
            by_length.setdefault(len(order), []).append((order, len(paired_ones)))
    plan = []
    for length, chains in sorted(by_length.items()):
        order = np.array([o + [p] for o, _ in chains])
        rows, cols, masks = [], [], []
        for c, (o, base) in enumerate(chains):
            for t in range(max(base, 1), length + 1):
                rows.append(c)
                cols.append(t)
                masks.append(sum(1 << i for i in o[:t]))
        plan.append((order, np.array(rows), np.array(cols), np.array(masks)))
    return tuple(plan)


def subset_r2_batch(Rxx: np.ndarray, rxy: np.ndarray) -> np.ndarray:
    """R² of all subsets for a stack (N, p, p), (N, p) of valid correlation matrices.

    One Cholesky factor ``L`` of a chain's correlation matrix (drivers in entry order,
    outcome last) gives the R² of every prefix: ``R²(first t) = sum_{i<t} L[y, i]²``.
    If a factorization fails (R² = 1: the outcome is an exact combination of drivers),
    the batch falls back to one linear solve per subset.
    """
    n, p = rxy.shape
    corr = np.empty((n, p + 1, p + 1))
    corr[:, :p, :p] = Rxx
    corr[:, :p, p] = corr[:, p, :p] = rxy
    corr[:, p, p] = 1.0
    out = np.zeros((n, 2**p))
    try:
        for order, rows, cols, masks in symmetric_chain_plan(p):
            factor = np.linalg.cholesky(corr[:, order[:, :, None], order[:, None, :]])
            gains = factor[..., -1, :-1] ** 2                     # (N, chains, L)
            prefix = np.concatenate([np.zeros(gains.shape[:-1] + (1,)), np.cumsum(gains, axis=-1)], axis=-1)
            out[:, masks] = prefix[:, rows, cols]
    except np.linalg.LinAlgError:
        for masks, members in subsets_by_size(p):
            A = Rxx[:, members[:, :, None], members[:, None, :]]  # (N, m, k, k)
            b = rxy[:, members]                                   # (N, m, k)
            sol = np.linalg.solve(A, b[..., None])[..., 0]
            out[:, masks] = np.einsum("nmk,nmk->nm", sol, b)
    return out
