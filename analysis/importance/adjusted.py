"""LMG of small-sample-adjusted R²: shares that are not flattened by chance fit.

With ``n`` respondents, a model of ``k`` drivers fits about ``k (1 - R²) / (n - k - 1)``
of R² by chance (Ezekiel 1930; the adjusted R² removes it). LMG averages each driver's
increase in R² over the orders of entry (Lindeman, Merenda & Gold 1980), so every
driver receives about the same chance share: with few respondents per driver the
plain LMG shares are pulled toward ``1/p`` (the largest biased down, the smallest up;
``benchmarks/RESULTS.md``, issue 12). :func:`adjusted_lmg` is the LMG of the adjusted
subset R² (the Shapley value of the adjusted R², as in Huettner & Sunder 2012 for
other goodness-of-fit measures), with negative values set to zero.

When some drivers are observed on part of the respondents only (the phone-only
drivers, :mod:`analysis.pooling.moments`), a subset's chance fit is counted per driver
on the respondents that driver rests on: ``k_A / (n - k - 1) + k_B / (n_B - k - 1)``
for ``k_A`` drivers observed on all ``n`` and ``k_B`` on ``n_B``; with one pattern
this is Ezekiel's ``k / (n - k - 1)``.

References
----------
Ezekiel, M. (1930). *Methods of Correlation Analysis*. Wiley.
Lindeman, R. H., Merenda, P. F., & Gold, R. Z. (1980). *Introduction to Bivariate and
    Multivariate Analysis*. Scott, Foresman.
Huettner, F., & Sunder, M. (2012). Axiomatic arguments for decomposing goodness of fit
    according to Shapley and Owen values. *Electronic Journal of Statistics*, 6, 1239-1250.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from analysis.common.errors import ServiceDriversError
from analysis.importance.relative import importance_arrays
from analysis.importance.subsets import check_n_predictors, shapley_weight_matrix


def chance_penalty(p: int, n: float, n_partial: float | None = None, partial: Sequence[int] = ()) -> np.ndarray:
    """Per subset (bit ``j`` = driver ``j``): the share of ``1 - R²`` a model of it fits by chance.

    Parameters
    ----------
    p : int
        Number of drivers.
    n : float
        Respondents every driver but ``partial`` rests on.
    n_partial : float, optional
        Respondents the ``partial`` drivers rest on (``n`` by default).
    partial : sequence of int
        Indices of the drivers observed on ``n_partial`` respondents only.

    Returns
    -------
    ndarray, shape (2**p,)
        ``k_A / (n - k - 1) + k_B / (n_partial - k - 1)``; inf where a subset has as
        many drivers as respondents allow.

    Examples
    --------
    >>> chance_penalty(2, 23).tolist()      # {}, {x0}, {x1}, {x0, x1}: k / (n - k - 1)
    [0.0, 0.047619047619047616, 0.047619047619047616, 0.1]
    """
    p = check_n_predictors(p)
    n_partial = n if n_partial is None else n_partial
    masks = np.arange(2**p)
    partial_mask = sum(1 << int(j) for j in partial)
    k = np.array([bin(m).count("1") for m in masks], dtype=float)
    k_b = np.array([bin(m & partial_mask).count("1") for m in masks], dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        common = np.where(k > k_b, (k - k_b) / np.maximum(n - k - 1, 0), 0.0)
        rest = np.where(k_b > 0, k_b / np.maximum(n_partial - k - 1, 0), 0.0)
    return common + rest


def adjusted_lmg(cov: np.ndarray, n: float, *, n_partial: float | None = None, partial: Sequence[int] = (),
                 clip: bool = True) -> np.ndarray:
    """LMG values of the adjusted subset R² (see the module docstring).

    Parameters
    ----------
    cov : array_like, shape (..., p + 1, p + 1)
        Covariance matrices, outcome last.
    n, n_partial, partial
        As in :func:`chance_penalty`.
    clip : bool, default True
        Set negative values (a driver that adds less than chance) to zero.

    Returns
    -------
    ndarray, shape (..., p)
        Unclipped they sum to the adjusted R² of the full model; NaN for a degenerate
        matrix or a subset with no residual degrees of freedom.

    Examples
    --------
    >>> import numpy as np
    >>> R = np.array([[1, .5, .4], [.5, 1, .3], [.4, .3, 1]])
    >>> lmg = adjusted_lmg(R, 23, clip=False)       # plain LMG: [0.1217, 0.0517], R² 0.1733
    >>> np.round(lmg, 4).tolist(), round(float(lmg.sum()), 4)
    ([0.082, 0.0087], 0.0907)
    >>> round(1 - (1 - 0.17333) * 22 / 20, 4)     # Ezekiel's adjusted R² of the full model
    0.0907
    """
    cov = np.asarray(cov, dtype=float)
    if cov.ndim < 2 or cov.shape[-1] != cov.shape[-2] or cov.shape[-1] < 2:
        raise ServiceDriversError(f"cov must be a (stack of) square matrices with the outcome last, got shape "
                                  f"{cov.shape}")
    p = cov.shape[-1] - 1
    r2 = importance_arrays(cov).subset_r2
    penalty = chance_penalty(p, n, n_partial, partial)
    with np.errstate(invalid="ignore"):
        lmg = (r2 - (1 - r2) * penalty) @ shapley_weight_matrix(p)
    return np.maximum(lmg, 0.0) if clip else lmg


def adjusted_lmg_shares(cov: np.ndarray, n: float, *, n_partial: float | None = None,
                        partial: Sequence[int] = (), clip: bool = True) -> np.ndarray:
    """:func:`adjusted_lmg` values as % of their sum.

    Clipped (the default) the shares are between 0 and 100 (NaN when every value is 0).
    Unclipped their sum is the adjusted R², which in a small sample can be near zero or
    negative, so a share can be far outside 0-100 (NaN when the sum is 0): usable for
    the spread of a bootstrap, not as an estimate.
    """
    lmg = adjusted_lmg(cov, n, n_partial=n_partial, partial=partial, clip=clip)
    total = lmg.sum(axis=-1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where((total > 0) if clip else (total != 0), 100 * lmg / total, np.nan)
