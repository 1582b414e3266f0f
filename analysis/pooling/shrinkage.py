"""Empirical-Bayes partial pooling of organisations' covariance matrices (normal-inverse-Wishart).

Model. Organisation ``g``'s respondents are normal with covariance ``Σ_g`` (drivers and
outcome), and the organisations' covariances come from one population,

    Σ_g ~ inverse-Wishart(ν = κ + q + 1, κ Σ₀),     so that  E[Σ_g] = Σ₀.

``κ`` (the prior strength, in respondents) says how alike the organisations are: the
conjugate posterior mean is

    Σ̂_g = (κ Σ₀ + A_g) / (κ + m_g) = w_g S_g + (1 - w_g) Σ₀,   w_g = m_g / (m_g + κ),

with ``A_g`` the scatter matrix, ``m_g = n_g - 1`` and ``S_g = A_g / m_g`` (Hoff 2009,
ch. 7). So an organisation's weight on its own data grows with its size: a large
organisation keeps its own profile, a small one borrows from the others. ``Σ₀`` is the
pooled within-organisation covariance; ``κ`` maximises the marginal likelihood of all
organisations' data (type-II maximum likelihood; the empirical-Bayes step of Efron &
Morris 1975, Gelman & Hill 2007 ch. 12-13 for the hierarchical view). LMG shares,
standardized betas, dominance and ranks are exact functions of a covariance matrix
(Lindeman, Merenda & Gold 1980; Grömping 2006), so every one of them follows from
``Σ̂_g`` without approximation.

Phone-only drivers (two patterns, :mod:`analysis.pooling.moments`): the inverse-Wishart
prior factors into an inverse-Wishart for the common block ``Σ_AA`` and a
matrix-normal-inverse-Wishart for the regression of ``B`` on ``A``, both with the same
``κ``, so the model stays conjugate: ``Σ_AA`` is shrunk with all respondents' scatter
(``m_all``), the regression with the phone respondents' (``m_phone``), and the marginal
likelihood is ``p(A-block of everyone) · p(all of phone) / p(A-block of phone)``.

A different organisation. One ``κ`` for all would pull a large organisation whose
profile really differs toward the crowd by ``1 - w_g``, and that organisation would
also drag ``Σ₀`` toward itself and lower ``κ`` for everyone. So the population is
estimated robustly, as a heavy-tailed (two-component) population would be: an
organisation whose own marginal likelihood is much higher at its own best strength
``κ_g`` than at the population's ``κ`` (twice the log ratio above :data:`LR_CRITICAL`,
the 1% point of chi-square with one degree of freedom; κ of the other organisations, and
in the first round ``Σ₀`` as the organisations' unweighted mean, so that a large
different organisation does not set the standard it is judged by) is set aside; ``Σ₀``
and ``κ`` are re-estimated from the others (a few rounds, at least :data:`MIN_GROUPS` kept), and
the organisation set aside is shrunk with its own ``κ_g`` (at most ``κ``), so it keeps
(almost) its own estimate. An organisation like the others gets the population's ``κ``.
The bootstrap (:mod:`analysis.pooling.estimate`) repeats these decisions in every
replicate.

References
----------
Efron, B., & Morris, C. (1975). Data analysis using Stein's estimator and its
    generalizations. *Journal of the American Statistical Association*, 70(350), 311-319.
Gelman, A., & Hill, J. (2007). *Data Analysis Using Regression and Multilevel/Hierarchical
    Models*. Cambridge University Press. (Ch. 12-13: partial pooling.)
Hoff, P. D. (2009). *A First Course in Bayesian Statistical Methods*. Springer. (Ch. 7:
    the multivariate normal model, the inverse-Wishart prior and its posterior.)
Lindeman, R. H., Merenda, P. F., & Gold, R. Z. (1980). *Introduction to Bivariate and
    Multivariate Analysis*. Scott, Foresman.
Grömping, U. (2006). Relative importance for linear regression in R: the package
    relaimpo. *Journal of Statistical Software*, 17(1), 1-27.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import gammaln

from analysis.pooling.moments import PatternStats, compose

# Below this many organisations there is nothing to pool: the population's spread
# cannot be estimated from one or two organisations.
MIN_GROUPS = 3
# Prior strengths (in respondents) searched: log-spaced from 0.1 (no pooling) to 10^6
# (complete pooling at any realistic size); the maximum is refined by a parabola in log κ.
KAPPA_GRID = np.logspace(-1, 6, 113)
# An organisation whose own marginal likelihood at its best κ_g exceeds that at the
# population's κ by more than this (twice the log ratio; the 1% point of chi-square with
# one degree of freedom) is treated as different from the population.
LR_CRITICAL = 6.635
# Rounds of "estimate the population, set the different organisations aside".
MAX_ROUNDS = 4


def _log_mvgamma(x: np.ndarray, d: int) -> np.ndarray:
    """log Γ_d(x), the multivariate gamma function, elementwise."""
    j = np.arange(d)
    return d * (d - 1) / 4 * np.log(np.pi) + gammaln(x[..., None] - j / 2).sum(axis=-1)


def _generalised_eigenvalues(scatter: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Eigenvalues of ``target⁻¹ scatter``: |κ target + scatter| = |target| ∏ (κ + λ)."""
    inv = np.linalg.inv(np.linalg.cholesky(target))
    m = inv @ scatter @ np.swapaxes(inv, -1, -2)
    return np.clip(np.linalg.eigvalsh(m), 0.0, None)


def _log_marginal(kappa: np.ndarray, lam: np.ndarray, m: np.ndarray) -> np.ndarray:
    """κ-dependent part of log p(scatter | IW(κ + d + 1, κ target)), on a grid of κ.

    ``lam`` (..., d) are the generalised eigenvalues, ``m`` (...) the degrees of
    freedom; returns (..., K). The terms that do not depend on κ are left out (they
    cancel in the maximisation).
    """
    d = lam.shape[-1]
    k = kappa[None, :]
    nu = k + d + 1
    m = np.asarray(m, dtype=float).reshape(-1, 1)
    lam = lam.reshape(-1, d)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = (_log_mvgamma((nu + m) / 2, d) - _log_mvgamma(nu / 2, d) + nu / 2 * d * np.log(k)
               - (nu + m) / 2 * np.log(k[..., None] + lam[:, None, :]).sum(axis=-1))
    return out.reshape(lam.shape[:-1] + (len(kappa),))


def _log_marginal_groups(stats: PatternStats, target_common: np.ndarray, target: np.ndarray,
                         qa: int) -> np.ndarray:
    """log marginal likelihood of each organisation's two-pattern data on :data:`KAPPA_GRID`, (..., G, K)."""
    lead = stats.n_all.shape
    q = target.shape[-1]
    lam_c = _generalised_eigenvalues(stats.scatter_common, target_common)
    out = _log_marginal(KAPPA_GRID, lam_c.reshape(-1, qa), (stats.n_all - 1).ravel())
    if q > qa:
        lam_full = _generalised_eigenvalues(stats.scatter_complete, target)
        lam_pa = _generalised_eigenvalues(stats.scatter_complete[..., :qa, :qa], target_common)
        m_c = (stats.n_complete - 1).ravel()
        out = out + _log_marginal(KAPPA_GRID, lam_full.reshape(-1, q), m_c) - _log_marginal(
            KAPPA_GRID, lam_pa.reshape(-1, qa), m_c)
    return out.reshape(lead + (len(KAPPA_GRID),))


def _argmax_refined(curve: np.ndarray, upper: np.ndarray | None = None) -> np.ndarray:
    """κ at the maximum of ``curve`` (..., K) over the grid (at most ``upper``), refined by a parabola in log κ."""
    logk = np.log(KAPPA_GRID)
    if upper is not None:
        curve = np.where(KAPPA_GRID <= upper[..., None] * (1 + 1e-12), curve, -np.inf)
    curve = np.where(np.isfinite(curve), curve, -np.inf)
    k = np.argmax(curve, axis=-1)
    inner = (k > 0) & (k < len(KAPPA_GRID) - 1)
    kk = np.clip(k, 1, len(KAPPA_GRID) - 2)
    f0 = np.take_along_axis(curve, (kk - 1)[..., None], -1)[..., 0]
    f1 = np.take_along_axis(curve, kk[..., None], -1)[..., 0]
    f2 = np.take_along_axis(curve, (kk + 1)[..., None], -1)[..., 0]
    h = logk[1] - logk[0]
    with np.errstate(all="ignore"):
        denom = f0 - 2 * f1 + f2
        shift = np.where(inner & (denom < 0) & np.isfinite(f0 + f2), 0.5 * h * (f0 - f2) / denom, 0.0)
    best = np.exp(logk[k] + np.clip(shift, -h, h))
    if upper is not None:
        best = np.minimum(best, upper)
    return best


@dataclass(frozen=True)
class Pooled:
    """Partially pooled covariances of a stack of G organisations (leading shape ``...``).

    Attributes
    ----------
    cov : ndarray (..., G, q, q)
        Pooled (posterior-mean) covariance of each organisation, block order.
    own : ndarray (..., G, q, q)
        Each organisation's own-data covariance (no pooling), block order.
    target : ndarray (..., q, q)
        The population covariance Σ₀ (pooled within organisations).
    kappa : ndarray (...)
        The population's prior strength κ (in respondents).
    kappa_group : ndarray (..., G)
        Each organisation's prior strength κ_g ≤ κ.
    weight : ndarray (..., G)
        Weight of the organisation's own data in its common-driver block, ``m_all / (m_all + κ_g)``.
    weight_partial : ndarray (..., G)
        The same for the phone-only drivers' regression, ``m_complete / (m_complete + κ_g)``.
    different : ndarray of bool (..., G)
        Organisations whose data reject the population's κ (see the module docstring):
        left out of Σ₀ and κ, and pooled only as much as their own data support.
    """

    cov: np.ndarray
    own: np.ndarray
    target: np.ndarray
    kappa: np.ndarray
    kappa_group: np.ndarray
    weight: np.ndarray
    weight_partial: np.ndarray
    different: np.ndarray


def pool_covariances(stats: PatternStats, qa: int, *, per_group: bool = True) -> Pooled:
    """Shrink each organisation's covariance toward the pooled one, with κ from the marginal likelihood.

    Parameters
    ----------
    stats : PatternStats
        Statistics of G organisations, leading shape ``(..., G)`` (e.g. bootstrap
        replicates x organisations); the pooling is done separately for each leading index.
    qa : int
        Size of the common block (all columns when there are no phone-only drivers).
    per_group : bool, default True
        Set organisations that differ from the population aside (see the module
        docstring); False uses one κ and Σ₀ from all organisations for all.

    Returns
    -------
    Pooled

    Notes
    -----
    Needs at least :data:`MIN_GROUPS` organisations (the caller says so and uses no
    pooling otherwise).

    Examples
    --------
    >>> import numpy as np
    >>> from analysis.pooling.moments import Blocks, pattern_features, stats_from_sums
    >>> rng = np.random.default_rng(0)
    >>> sums = []
    >>> for g in range(5):
    ...     x = rng.standard_normal((60, 3)) @ np.linalg.cholesky([[1, .5, .3], [.5, 1, .4], [.3, .4, 1]]).T
    ...     sums.append(pattern_features(x, np.ones(60, bool), Blocks(3, np.arange(3), np.arange(0)),
    ...                                  np.zeros(3)).sum(axis=0))
    >>> pooled = pool_covariances(stats_from_sums(np.array(sums), 60, Blocks(3, np.arange(3), np.arange(0))), 3)
    >>> bool((pooled.weight < 1).all() and (pooled.weight >= 0).all())
    True
    """
    m_all = stats.n_all - 1
    m_c = stats.n_complete - 1
    q = stats.scatter_complete.shape[-1]
    member = np.ones(m_all.shape, dtype=bool)          # organisations that estimate the population
    # First round: Σ₀ as the organisations' unweighted mean, so that one large different
    # organisation cannot make the population look like itself.
    target, curves, kappa, lr = _population(stats, member, qa, equal=True)
    for _ in range(MAX_ROUNDS if per_group else 0):
        alike = lr <= LR_CRITICAL
        # at least MIN_GROUPS organisations must remain to describe the population
        alike |= (alike.sum(axis=-1) < MIN_GROUPS)[..., None]
        if (alike == member).all():
            break
        member = alike
        target, curves, kappa, lr = _population(stats, member, qa)
    if not per_group:
        target, curves, kappa, lr = _population(stats, member, qa)
    if per_group:
        own_best = _argmax_refined(curves, upper=np.broadcast_to(kappa[..., None], curves.shape[:-1]))
        kappa_g = np.where(member, kappa[..., None], own_best)
    else:
        kappa_g = np.broadcast_to(kappa[..., None], m_all.shape).copy()
    target_common = target[..., :qa, :qa]
    k = kappa_g[..., None, None]
    common = (k * target_common[..., None, :, :] + stats.scatter_common) / (k + m_all[..., None, None])
    complete = (k * target[..., None, :, :] + stats.scatter_complete) / (k + m_c[..., None, None])
    with np.errstate(divide="ignore", invalid="ignore"):
        own = compose(stats.scatter_common / m_all[..., None, None],
                      stats.scatter_complete / m_c[..., None, None], qa)
    return Pooled(cov=compose(common, complete, qa), own=own, target=target, kappa=kappa, kappa_group=kappa_g,
                  weight=m_all / (m_all + kappa_g),
                  weight_partial=(m_c / (m_c + kappa_g)) if q > qa else m_all / (m_all + kappa_g),
                  different=~member)


def _population(stats: PatternStats, member: np.ndarray, qa: int, equal: bool = False):
    """Σ₀ and κ from the member organisations; every organisation's curve and likelihood-ratio statistic.

    Returns ``(target, curves, kappa, lr)``: ``curves`` (..., G, K) is each organisation's
    log marginal likelihood on :data:`KAPPA_GRID` given ``target``; ``lr`` is twice the
    difference between an organisation's maximum and its value at the κ of the *other*
    members (leave-one-out, so an organisation is not judged against itself). With
    ``equal`` every member counts equally in Σ₀ (else by its respondents: the pooled
    within-organisation covariance).
    """
    w = member.astype(float)
    m_all = stats.n_all - 1
    m_c = stats.n_complete - 1
    if equal:
        with np.errstate(divide="ignore", invalid="ignore"):
            t_common = (stats.scatter_common / m_all[..., None, None] * w[..., None, None]).sum(axis=-3)
            t_complete = (stats.scatter_complete / m_c[..., None, None] * w[..., None, None]).sum(axis=-3)
        t_common /= w.sum(axis=-1)[..., None, None]
        t_complete /= w.sum(axis=-1)[..., None, None]
    else:
        t_common = ((stats.scatter_common * w[..., None, None]).sum(axis=-3)
                    / (m_all * w).sum(axis=-1)[..., None, None])
        t_complete = ((stats.scatter_complete * w[..., None, None]).sum(axis=-3)
                      / (m_c * w).sum(axis=-1)[..., None, None])
    target = compose(t_common, t_complete, qa)
    curves = _log_marginal_groups(stats, target[..., None, :qa, :qa], target[..., None, :, :], qa)
    finite = np.where(np.isfinite(curves), curves, -1e300)
    in_total = np.where(member[..., None], finite, 0.0)
    total = in_total.sum(axis=-2)
    kappa = _argmax_refined(total)
    others = total[..., None, :] - in_total                       # leave-one-out totals (..., G, K)
    at = np.argmax(others, axis=-1)
    at_kappa = np.take_along_axis(finite, at[..., None], -1)[..., 0]
    lr = 2 * (finite.max(axis=-1) - at_kappa)
    return target, curves, kappa, lr
