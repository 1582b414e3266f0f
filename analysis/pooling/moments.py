"""Covariance matrices that use every respondent: the two-pattern (monotone) normal model.

Wait time and the phone menu are asked on the phone only. A chat or e-mail respondent
has no score on them *by design*, but does answer the five common drivers and the
outcome. The data of an organisation then have two patterns: every respondent has the
block ``A`` (common drivers and outcome), the phone respondents also have the block
``B`` (phone-only drivers). For such a monotone pattern the maximum-likelihood
estimate of the normal model's covariance factors in closed form (Anderson 1957;
Little & Rubin 2002, sec. 7.2): ``Σ_AA`` from all respondents, the regression of
``B`` on ``A`` (coefficients ``β`` and residual covariance ``Σ_B.A``) from the phone
respondents, and

    Σ_AB = Σ_AA β,    Σ_BB = Σ_B.A + βᵀ Σ_AA β.

No EM iterations are needed. **Estimand**: the covariance of an organisation's
respondents as if every one of them had a phone-only score that relates to the common
drivers and the outcome as it does among its phone respondents (the ML estimate under
"missing at random given the common block"). When the channel mix is unrelated to how
the drivers work (as in the project's simulator), that is the covariance of all
respondents; the LMG shares computed from it are then the shares of the whole
organisation, not only of its phone customers. Both blocks use ``n - 1`` divisors, so
with one pattern this is the ordinary sample covariance.

Everything here works on *sums about a centre* (``Σ w z``, ``Σ w z zᵀ`` per
pattern), so that bootstrap resamples are one matrix product of counts and features,
as in :mod:`analysis.bootstrap.engine`.

References
----------
Anderson, T. W. (1957). Maximum likelihood estimates for a multivariate normal
    distribution when some observations are missing. *Journal of the American
    Statistical Association*, 52(278), 200-203.
Little, R. J. A., & Rubin, D. B. (2002). *Statistical Analysis with Missing Data*
    (2nd ed.). Wiley.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analysis.bootstrap.engine import pair_indices
from analysis.common.errors import DataError


@dataclass(frozen=True)
class Blocks:
    """Which columns every respondent has (``common``) and which only the complete rows have (``partial``).

    Attributes
    ----------
    q : int
        Number of variables (drivers, then the outcome last).
    common, partial : ndarray of int
        Column indices of the two blocks (``partial`` may be empty).
    """

    q: int
    common: np.ndarray
    partial: np.ndarray

    @property
    def order(self) -> np.ndarray:
        """Columns in block order (common first)."""
        return np.r_[self.common, self.partial].astype(int)


def find_blocks(values: np.ndarray, columns: list[str]) -> tuple[Blocks, np.ndarray]:
    """The two blocks of ``values`` (rows with NaN) and which rows are complete.

    Parameters
    ----------
    values : ndarray (n, q)
        Drivers, then the outcome; NaN where a score was not asked.
    columns : list of str
        Names of the columns, for the message.

    Returns
    -------
    blocks : Blocks
    complete : ndarray of bool (n,)

    Raises
    ------
    DataError
        A row misses only some of the partial columns, or a common column is missing
        (the pattern is not the two-block one this model handles).
    """
    missing = np.isnan(values)
    partial = np.flatnonzero(missing.any(axis=0))
    common = np.flatnonzero(~missing.any(axis=0))
    if columns and columns[-1] in {columns[j] for j in partial}:
        raise DataError("the outcome is missing for some respondents; pass respondents with an outcome only",
                        column=columns[-1])
    rows_missing = missing[:, partial]
    mixed = rows_missing.any(axis=1) & ~rows_missing.all(axis=1)
    if mixed.any():
        raise DataError("some respondents have a score for only some of the drivers "
                        f"{', '.join(columns[j] for j in partial)}; every respondent must have all of them or none "
                        "(none only where they are not asked)", rows=list(np.flatnonzero(mixed) + 1))
    return Blocks(values.shape[1], common, partial), ~rows_missing.any(axis=1)


def pattern_features(values: np.ndarray, complete: np.ndarray, blocks: Blocks, centre: np.ndarray) -> np.ndarray:
    """Per-row features whose (weighted) column sums are the sufficient statistics of both patterns.

    Columns: ``[1_complete, z_A, (z_A z_A)_{i<=j}, z·1_complete, (z z)_{i<=j}·1_complete]`` with
    ``z = values - centre`` in block order (NaN set to 0 in incomplete rows).
    """
    z = values[:, blocks.order] - centre[blocks.order]
    z = np.where(np.isnan(z), 0.0, z)
    qa = len(blocks.common)
    ia, ja = pair_indices(qa)
    i, j = pair_indices(blocks.q)
    c = complete.astype(float)[:, None]
    za = z[:, :qa]
    return np.hstack([c, za, za[:, ia] * za[:, ja], z * c, (z[:, i] * z[:, j]) * c])


def _scatter(s1: np.ndarray, s2_upper: np.ndarray, n: np.ndarray, d: int) -> np.ndarray:
    """Scatter matrices ``Σ z zᵀ - (Σ z)(Σ z)ᵀ / n`` from sums, shape (..., d, d)."""
    i, j = pair_indices(d)
    s2 = np.empty(s2_upper.shape[:-1] + (d, d))
    s2[..., i, j] = s2_upper
    s2[..., j, i] = s2_upper
    with np.errstate(divide="ignore", invalid="ignore"):
        return s2 - s1[..., :, None] * s1[..., None, :] / n[..., None, None]


@dataclass(frozen=True)
class PatternStats:
    """Sufficient statistics of the two patterns, for a stack of samples (leading shape ``...``).

    All matrices are in block order (common block first).

    Attributes
    ----------
    n_all : ndarray (...)
        Respondents (all patterns); ``m_all = n_all - 1`` degrees of freedom.
    n_complete : ndarray (...)
        Respondents with every column.
    scatter_common : ndarray (..., qa, qa)
        Scatter matrix of the common block over all respondents.
    scatter_complete : ndarray (..., q, q)
        Scatter matrix of all columns over the complete respondents.
    mean_common, mean_complete : ndarray (..., qa), (..., q)
        Means about the centre.
    """

    n_all: np.ndarray
    n_complete: np.ndarray
    scatter_common: np.ndarray
    scatter_complete: np.ndarray
    mean_common: np.ndarray
    mean_complete: np.ndarray


def _sum_columns(sums: np.ndarray, blocks: Blocks) -> tuple[np.ndarray, ...]:
    """The column sums of :func:`pattern_features` by part: ``n_complete, s1a, s2a, s1, s2`` (views)."""
    q, qa = blocks.q, len(blocks.common)
    bounds = np.cumsum([0, 1, qa, qa * (qa + 1) // 2, q])
    n_c, s1a, s2a, s1 = (sums[..., a:b] for a, b in zip(bounds[:-1], bounds[1:]))
    return n_c[..., 0], s1a, s2a, s1, sums[..., bounds[-1]:]


def sum_means(sums: np.ndarray, n_all: np.ndarray | int, blocks: Blocks) -> tuple[np.ndarray, np.ndarray]:
    """``(mean_common, mean_complete)`` of :func:`stats_from_sums` without its scatter matrices."""
    sums = np.asarray(sums, dtype=float)
    n_all = np.broadcast_to(np.asarray(n_all, dtype=float), sums.shape[:-1])
    n_c, s1a, _, s1, _ = _sum_columns(sums, blocks)
    with np.errstate(divide="ignore", invalid="ignore"):
        return s1a / n_all[..., None], s1 / n_c[..., None]


def stats_from_sums(sums: np.ndarray, n_all: np.ndarray | int, blocks: Blocks) -> PatternStats:
    """:class:`PatternStats` from column sums of :func:`pattern_features`."""
    sums = np.asarray(sums, dtype=float)
    n_all = np.broadcast_to(np.asarray(n_all, dtype=float), sums.shape[:-1])
    n_c, s1a, s2a, s1, s2 = _sum_columns(sums, blocks)
    mean_common, mean_complete = sum_means(sums, n_all, blocks)
    with np.errstate(divide="ignore", invalid="ignore"):
        return PatternStats(n_all=n_all, n_complete=n_c, scatter_common=_scatter(s1a, s2a, n_all, len(blocks.common)),
                            scatter_complete=_scatter(s1, s2, n_c, blocks.q), mean_common=mean_common,
                            mean_complete=mean_complete)


def compose(common_cov: np.ndarray, complete_cov: np.ndarray, qa: int) -> np.ndarray:
    """The monotone-pattern covariance: ``Σ_AA`` from one matrix, ``B | A`` from the other.

    Parameters
    ----------
    common_cov : ndarray (..., qa, qa)
        Covariance of the common block (from all respondents).
    complete_cov : ndarray (..., q, q)
        Covariance of all columns (from the complete respondents), block order.
    qa : int
        Size of the common block.

    Returns
    -------
    ndarray (..., q, q)
        Block order. Equal to ``complete_cov`` when ``q == qa``.

    Examples
    --------
    >>> import numpy as np
    >>> c = np.array([[2., .5, .3], [.5, 1., .2], [.3, .2, 1.]])
    >>> bool(np.allclose(compose(c[:2, :2], c, 2), c))     # same blocks: nothing changes
    True
    """
    q = complete_cov.shape[-1]
    if q == qa:
        return np.array(common_cov, dtype=float, copy=True)
    p_aa = complete_cov[..., :qa, :qa]
    p_ab = complete_cov[..., :qa, qa:]
    p_bb = complete_cov[..., qa:, qa:]
    beta = _solve_or_nan(p_aa, p_ab)                       # regression of B on A among complete rows
    resid = p_bb - np.swapaxes(p_ab, -1, -2) @ beta
    s_ab = common_cov @ beta
    out = np.empty(complete_cov.shape)
    out[..., :qa, :qa] = common_cov
    out[..., :qa, qa:] = s_ab
    out[..., qa:, :qa] = np.swapaxes(s_ab, -1, -2)
    out[..., qa:, qa:] = resid + np.swapaxes(beta, -1, -2) @ s_ab
    return out


def _solve_or_nan(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a⁻¹ b`` for a stack; NaN where ``a`` is singular or not finite (a degenerate resample).

    Singular means a smallest eigenvalue at most ``1e-12`` times the largest diagonal
    element. The eigenvalues are computed only where the Cholesky factor ``L`` cannot
    rule it out (``λ_min ≥ 1 / ||L⁻¹||²_F``), which at scale is almost never: the
    eigenvalues of every matrix cost three times the factor, its inverse and the solve.
    """
    finite = np.isfinite(a).all(axis=(-1, -2)) & np.isfinite(b).all(axis=(-1, -2))
    eye = np.eye(a.shape[-1])
    safe_a = np.where(finite[..., None, None], a, eye)
    threshold = 1e-12 * np.maximum(np.abs(np.diagonal(safe_a, axis1=-2, axis2=-1)).max(axis=-1), 1e-300)
    try:
        inv_l = np.linalg.inv(np.linalg.cholesky(safe_a))
        sure = 1.0 / np.square(inv_l).sum(axis=(-1, -2)) > threshold
    except np.linalg.LinAlgError:                # some matrix is not positive definite
        inv_l, sure = None, np.zeros(finite.shape, dtype=bool)
    ok = finite & sure
    check = finite & ~sure
    if check.any():
        ok[check] = np.linalg.eigvalsh(safe_a[check])[..., 0] > threshold[check]
    if inv_l is None:
        safe_a = np.where(ok[..., None, None], safe_a, eye)
        out = np.linalg.solve(safe_a, np.where(ok[..., None, None], b, 0.0))
    else:                                        # a⁻¹ b = L⁻ᵀ (L⁻¹ b)
        out = np.swapaxes(inv_l, -1, -2) @ (inv_l @ np.where(ok[..., None, None], b, 0.0))
    return np.where(ok[..., None, None], out, np.nan)


def own_covariance(stats: PatternStats, qa: int) -> np.ndarray:
    """Each sample's own monotone-pattern ML covariance (``n - 1`` divisors), block order."""
    with np.errstate(divide="ignore", invalid="ignore"):
        common = stats.scatter_common / (stats.n_all - 1)[..., None, None]
        complete = stats.scatter_complete / (stats.n_complete - 1)[..., None, None]
    return compose(common, complete, qa)


def to_original_order(cov: np.ndarray, blocks: Blocks) -> np.ndarray:
    """Matrices in block order put back in the columns' order (outcome last)."""
    back = np.argsort(blocks.order)
    return cov[..., back[:, None], back[None, :]]
