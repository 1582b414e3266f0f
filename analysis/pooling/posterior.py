"""Draws from an organisation's posterior covariance, for empirical-Bayes intervals that cover.

Why not the plain bootstrap of the shrunken estimate. Resampling an organisation's
respondents and recomputing its posterior mean ``Σ̂_g = w_g S_g + (1 - w_g) Σ₀`` gives
replicates whose spread is that of ``w_g S_g``: about ``w_g`` times the sampling spread,
centred on the shrunken estimate. An interval from them is too narrow for an
organisation's own truth, and the more so the more it borrows; measured in
``benchmarks/RESULTS.md`` it covered 91-92% at 95%. In the normal hierarchical model the
right spread is the *posterior's* (Morris 1983): given the population (``Σ₀``, ``κ``) an
organisation's covariance is, by conjugacy, inverse-Wishart around the posterior mean,
and intervals from it have their nominal coverage on average over organisations. The
population is estimated, not known, so its uncertainty is added as Laird & Louis (1987)
propose (their "type III" parametric bootstrap; Carlin & Louis 2000, sec. 3.5): in
every bootstrap replicate the population (``Σ₀`` and each factor's ``κ_g``) is
re-estimated from the resampled respondents, and the replicate's covariance is one
draw from the organisation's posterior given *its own observed data* and that
replicate's population. The replicates are then draws from the posterior averaged over
the sampling distribution of the population estimate, and the percentile intervals of
every statistic of them (LMG shares, betas, ranks) are empirical-Bayes intervals that
include the uncertainty of the pooling.

The posterior of the three factors (:mod:`analysis.pooling.shrinkage`). With prior
``IW_d(κ + d + 1, κ T)`` on a factor's covariance and scatter ``A`` on ``m`` degrees of
freedom, the posterior is ``IW_d(ν, Ψ)`` with ``ν = κ + d + 1 + m`` and ``Ψ = κ T + A``
(Hoff 2009, ch. 7). For the conditional factors (the outcome given the common drivers;
the phone-only drivers given the common block) the partition of that inverse-Wishart
(Bartlett decomposition; Gupta & Nagar 2000, th. 3.4.1 and 3.4.3) gives the regression's
residual covariance ``Σ₂₂.₁ ~ IW(ν, Ψ₂₂.₁)`` and, given it, the coefficients
``B ~ MN(Ψ₁₁⁻¹ Ψ₁₂, Ψ₁₁⁻¹, Σ₂₂.₁)``. The factors are independent a posteriori, so the
joint draw is composed as the estimate is (:func:`analysis.pooling.moments.compose`).

References
----------
Morris, C. N. (1983). Parametric empirical Bayes inference: theory and applications.
    *Journal of the American Statistical Association*, 78(381), 47-55.
Laird, N. M., & Louis, T. A. (1987). Empirical Bayes confidence intervals based on
    bootstrap samples. *Journal of the American Statistical Association*, 82(399), 739-750.
Carlin, B. P., & Louis, T. A. (2000). *Bayes and Empirical Bayes Methods for Data
    Analysis* (2nd ed.). Chapman & Hall/CRC.
Gupta, A. K., & Nagar, D. K. (2000). *Matrix Variate Distributions*. Chapman & Hall/CRC.
Hoff, P. D. (2009). *A First Course in Bayesian Statistical Methods*. Springer.
"""
from __future__ import annotations

import numpy as np

from analysis.pooling.moments import PatternStats, compose


def draw_inverse_wishart(rng: np.random.Generator, df: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """One draw of ``IW_d(df, scale)`` for each of a stack of parameters (Bartlett decomposition).

    Parameters
    ----------
    rng : numpy.random.Generator
    df : ndarray (...)
        Degrees of freedom, ``> d - 1``; the mean is ``scale / (df - d - 1)``.
    scale : ndarray (..., d, d)
        Positive definite; a stack member that is not (or not finite) gives NaN.

    Returns
    -------
    ndarray (..., d, d)

    Notes
    -----
    If ``scale = C Cᵀ`` and ``A`` is lower triangular with ``A_ii² ~ χ²(df - i)`` and
    standard normal entries below the diagonal, ``(C⁻ᵀ A Aᵀ C⁻¹)`` is Wishart with
    ``df`` and ``scale⁻¹``, so its inverse ``C A⁻ᵀ A⁻¹ Cᵀ`` is the draw (Bartlett 1933;
    Gupta & Nagar 2000, th. 3.3.4). Normals are drawn directly, never through a BLAS
    routine that could differ between machines.
    """
    scale = np.asarray(scale, dtype=float)
    d = scale.shape[-1]
    lead = scale.shape[:-2]
    df = np.broadcast_to(np.asarray(df, dtype=float), lead)
    ok = np.isfinite(scale).all(axis=(-1, -2)) & np.isfinite(df)
    safe = np.where(ok[..., None, None], scale, np.eye(d))
    chol, good = _cholesky_or_identity(safe)
    ok &= good
    i = np.arange(d)
    a = np.zeros(lead + (d, d))
    below = np.tril_indices(d, -1)
    a[..., below[0], below[1]] = rng.standard_normal(lead + (len(below[0]),))
    a[..., i, i] = np.sqrt(rng.chisquare(np.maximum(df[..., None] - i, 1e-8)))
    factor = chol @ np.linalg.inv(np.swapaxes(a, -1, -2))          # C A⁻ᵀ
    out = factor @ np.swapaxes(factor, -1, -2)
    return np.where(ok[..., None, None], out, np.nan)


def _cholesky_or_identity(m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cholesky factors of a stack; the identity (and False) where a matrix is not positive definite."""
    try:
        return np.linalg.cholesky(m), np.ones(m.shape[:-2], dtype=bool)
    except np.linalg.LinAlgError:
        d = m.shape[-1]
        eig = np.linalg.eigvalsh(m)[..., 0]
        good = eig > 1e-12 * np.abs(np.diagonal(m, axis1=-2, axis2=-1)).max(axis=-1)
        return np.linalg.cholesky(np.where(good[..., None, None], m, np.eye(d))), good


def draw_conditional(rng: np.random.Generator, df: np.ndarray, psi: np.ndarray, k: int) -> np.ndarray:
    """A draw of the regression of the last ``d - k`` variables on the first ``k`` under ``IW_d(df, psi)``.

    Returned as a matrix ``C`` whose regression coefficients and residual covariance
    (of the last block on the first) are the drawn ones, so that
    :func:`analysis.pooling.moments.compose` can put it together with the first block's
    draw: ``C₁₁ = Ψ₁₁``, ``C₁₂ = Ψ₁₁ B``, ``C₂₂ = Σ₂₂.₁ + Bᵀ Ψ₁₁ B``.
    """
    p11, p12, p22 = psi[..., :k, :k], psi[..., :k, k:], psi[..., k:, k:]
    ok = np.isfinite(psi).all(axis=(-1, -2))
    p11 = np.where(ok[..., None, None], p11, np.eye(k))
    mean = np.linalg.solve(p11, np.where(ok[..., None, None], p12, 0.0))          # Ψ₁₁⁻¹ Ψ₁₂
    resid_scale = np.where(ok[..., None, None], p22, np.eye(p22.shape[-1])) - np.swapaxes(p12, -1, -2) @ mean
    resid = draw_inverse_wishart(rng, df, resid_scale)                            # Σ₂₂.₁
    row_chol, _ = _cholesky_or_identity(np.linalg.inv(p11))                       # rows: Ψ₁₁⁻¹
    col_chol, _ = _cholesky_or_identity(np.where(np.isfinite(resid), resid, 1.0) + 0.0)
    z = rng.standard_normal(mean.shape)
    coef = mean + row_chol @ z @ np.swapaxes(col_chol, -1, -2)
    c12 = p11 @ coef
    out = np.empty(psi.shape)
    out[..., :k, :k] = p11
    out[..., :k, k:] = c12
    out[..., k:, :k] = np.swapaxes(c12, -1, -2)
    out[..., k:, k:] = resid + np.swapaxes(coef, -1, -2) @ c12
    return np.where((ok & np.isfinite(resid).all(axis=(-1, -2)))[..., None, None], out, np.nan)


def posterior_draws(rng: np.random.Generator, stats: PatternStats, targets: dict, kappa_group: dict,
                    qa: int) -> np.ndarray:
    """One posterior draw of every organisation's covariance per set of population estimates.

    Parameters
    ----------
    rng : numpy.random.Generator
    stats : PatternStats
        The organisations' *observed* statistics, shape (G, ...).
    targets : dict
        Per factor (``'drivers'``, ``'outcome'``, ``'phone_only'``), the population's
        target matrix of each replicate, (B, d, d) (see
        :class:`analysis.pooling.shrinkage.Pooled`).
    kappa_group : dict
        Per factor, each organisation's prior strength in each replicate, (B, G).
    qa : int
        Size of the common block (common drivers, then the outcome).

    Returns
    -------
    ndarray (B, G, q, q)
        Block order, as the estimate.
    """
    q = stats.scatter_complete.shape[-1]
    x = qa - 1
    m_all, m_c = stats.n_all - 1, stats.n_complete - 1

    def posterior(factor, scatter, m, d):
        k = kappa_group[factor][..., None, None]
        tgt = targets[factor][:, None, :d, :d]
        return kappa_group[factor] + d + 1 + m, k * tgt + scatter[None, :, :d, :d]

    df, psi = posterior("drivers", stats.scatter_common, m_all, x)
    cov = draw_inverse_wishart(rng, df, psi)
    df, psi = posterior("outcome", stats.scatter_common, m_all, qa)
    cov = compose(cov, draw_conditional(rng, df, psi, x), x)
    if q > qa:
        df, psi = posterior("phone_only", stats.scatter_complete, m_c, q)
        cov = compose(cov, draw_conditional(rng, df, psi, qa), qa)
    return cov
