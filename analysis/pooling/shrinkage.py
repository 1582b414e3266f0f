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

Three factors. By the Bartlett factorisation the inverse-Wishart is the product of an
inverse-Wishart for the common drivers' covariance and matrix-normal-inverse-Wishart
priors for the regression of the outcome on them and of the phone-only drivers on all
of those. We give each factor its own strength (a generalised inverse-Wishart, Brown,
Le & Zidek 1994), still conjugate: organisations often share how their drivers
correlate but differ in what drives satisfaction, and one κ for the whole matrix would
let the many alike driver correlations decide how much the few outcome covariances are
pooled. So ``κ_drivers`` (driver covariance, all respondents), ``κ_outcome`` (the
outcome given the common drivers, all respondents; the factor LMG depends on most) and
``κ_phone`` (phone-only drivers given the rest, phone respondents only: the monotone
pattern of :mod:`analysis.pooling.moments`) are estimated separately, each from its
factor's marginal likelihood, which is the joint likelihood divided by the marginal one,
times a boundary-avoiding prior (:data:`BOUNDARY_PENALTY`; Chung et al. 2013).

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
(almost) its own estimate. In the outcome factor an organisation is also set aside when
the *profile* of its outcome regression differs from the other members' after the best
rescaling (:mod:`analysis.pooling.profile`, χ² with one fewer degrees of freedom than
common drivers, at 1%): the likelihood-ratio statistic counts differences in the size
of the effects (R², residual variance) as much as in their profile, and a crowd that
varies in size hides an organisation with another top driver from it. An organisation
like the others gets the population's ``κ``.
The bootstrap (:mod:`analysis.pooling.estimate`) repeats these decisions in every
replicate, with the organisations weighted at random (``organisation_weights``), so that
the uncertainty of a population estimated from a few organisations is carried too.

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
Chung, Y., Rabe-Hesketh, S., Dorie, V., Gelman, A., & Liu, J. (2013). A nondegenerate
    penalized likelihood estimator for variance parameters in multilevel models.
    *Psychometrika*, 78(4), 685-709.
Brown, P. J., Le, N. D., & Zidek, J. V. (1994). Inference for a covariance matrix. In
    P. R. Freeman & A. F. M. Smith (Eds.), *Aspects of Uncertainty* (pp. 77-92). Wiley.
Grömping, U. (2006). Relative importance for linear regression in R: the package
    relaimpo. *Journal of Statistical Software*, 17(1), 1-27.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy.special import gammaln

from analysis.pooling.moments import PatternStats, compose
from analysis.pooling.profile import profile_critical, profile_statistic

# Below this many organisations there is nothing to pool: the population's spread
# cannot be estimated from one or two organisations.
MIN_GROUPS = 3
# Prior strengths (in respondents) searched: log-spaced from 0.1 (no pooling) to 10^6
# (complete pooling at any realistic size); the maximum is refined by a parabola in log κ.
KAPPA_GRID = np.logspace(-1, 6, 71)
# An organisation whose own marginal likelihood at its best κ_g exceeds that at the
# population's κ by more than this (twice the log ratio; the 1% point of chi-square with
# one degree of freedom) is treated as different from the population.
LR_CRITICAL = 6.635
# The population's κ maximises the marginal likelihood plus this times log κ: the
# log of a boundary-avoiding prior on the organisations' spread (∝ 1/sqrt(κ), the
# gamma(2) prior on a standard deviation of Chung et al. 2013), so that a handful of
# organisations that look alike by chance are not pooled completely (κ = ∞).
BOUNDARY_PENALTY = -0.5
# Rounds of "estimate the population, set the different organisations aside".
MAX_ROUNDS = 2


def _log_mvgamma(x: np.ndarray, d: int) -> np.ndarray:
    """log Γ_d(x), the multivariate gamma function, elementwise."""
    j = np.arange(d)
    return d * (d - 1) / 4 * np.log(np.pi) + gammaln(x[..., None] - j / 2).sum(axis=-1)


def _generalised_eigenvalues(scatter: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Eigenvalues of ``target⁻¹ scatter``: |κ target + scatter| = |target| ∏ (κ + λ)."""
    inv = np.linalg.inv(np.linalg.cholesky(target))
    # a pattern without respondents in a resample has no scatter (NaN): its curve is not used
    m = inv @ np.where(np.isfinite(scatter), scatter, 0.0) @ np.swapaxes(inv, -1, -2)
    return np.clip(np.linalg.eigvalsh(m), 0.0, None)


def _log_marginal(kappa: np.ndarray, lam: np.ndarray, m: np.ndarray) -> np.ndarray:
    """κ-dependent part of log p(scatter | IW(κ + d + 1, κ target)), on a grid of κ.

    ``lam`` (N, d) are the generalised eigenvalues, ``m`` (N,) the degrees of freedom;
    returns (N, K). The terms that do not depend on κ are left out (they cancel in the
    maximisation). The gamma-function terms depend on ``m`` only, so they are computed
    once per distinct ``m`` (bootstrap replicates share the organisations' sizes), and
    on :data:`KAPPA_GRID` once per ``(m, d)`` for the whole run (:func:`_gamma_on_grid`).
    """
    d = lam.shape[-1]
    nu = kappa + d + 1
    m = np.asarray(m, dtype=float)
    distinct, where = np.unique(m, return_inverse=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        if kappa is KAPPA_GRID and np.isfinite(distinct).all():
            gamma = np.stack([_gamma_on_grid(float(v), d) for v in distinct])
        else:
            gamma = _gamma_terms(kappa, distinct, d)
        # log ∏(κ + λ) rather than Σ log(κ + λ): one logarithm per κ instead of d (the
        # bulk of the time at scale). Every factor is positive, from 0.1 to about 10^7, so
        # the product of up to ~40 of them stays far inside the floating-point range.
        # In place, one eigenvalue at a time: no (N, K, d) array and no other (N, K) temporaries.
        out = kappa[None, :] + lam[:, :1]
        for i in range(1, d):
            out *= kappa[None, :] + lam[:, i:i + 1]
        np.log(out, out=out)
        out *= (nu[None, :] + m[:, None]) / -2
        out += gamma[where] + (nu / 2 * d * np.log(kappa))[None, :]
    return out


def _gamma_terms(kappa: np.ndarray, m: np.ndarray, d: int) -> np.ndarray:
    """``log Γ_d((ν + m)/2) - log Γ_d(ν/2)``, ν = κ + d + 1, for each ``m`` (rows) and κ (columns)."""
    nu = kappa + d + 1
    return _log_mvgamma((nu[None, :] + m[:, None]) / 2, d) - _log_mvgamma(nu / 2, d)[None, :]


@lru_cache(maxsize=8192)        # at most 8192 x 71 floats (4.7 MB): sizes x factor dimensions
def _gamma_on_grid(m: float, d: int) -> np.ndarray:
    """:func:`_gamma_terms` of one ``m`` on :data:`KAPPA_GRID` (read-only).

    It depends on the organisation's size and the factor's dimension only, so every
    replicate, round and chunk of a run shares it (a pure function of its arguments).
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        out = _gamma_terms(KAPPA_GRID, np.array([m]), d)[0]
    out.setflags(write=False)
    return out


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


def _factor_curves(stats: PatternStats, factor: str, target: np.ndarray, qa: int,
                   marginal: np.ndarray | None = None) -> np.ndarray:
    """log marginal likelihood of one factor of every organisation's data on :data:`KAPPA_GRID`, (..., G, K).

    ``target`` is the factor's target matrix: the common drivers' covariance for
    ``'drivers'``, the common block's for ``'outcome'``, all columns' for ``'phone_only'``.
    A conditional factor's likelihood is the joint one divided by the marginal one, both
    under the same inverse-Wishart (the Bartlett factorisation). ``marginal``, if given,
    is the common drivers' curve under ``target[:x, :x]`` (the ``'drivers'`` factor's
    curve when both targets are the same), so that it is not computed twice.
    """
    lead = stats.n_all.shape
    t = target[..., None, :, :]

    def curve(scatter, tgt, m):
        d = scatter.shape[-1]
        lam = _generalised_eigenvalues(scatter, tgt)
        return _log_marginal(KAPPA_GRID, lam.reshape(-1, d), np.broadcast_to(m, lead).ravel()).reshape(
            lead + (len(KAPPA_GRID),))

    m_all, m_c = stats.n_all - 1, stats.n_complete - 1
    x = qa - 1
    if factor == "drivers":
        return curve(stats.scatter_common[..., :x, :x], t, m_all)
    if factor == "outcome":
        if marginal is None:
            marginal = curve(stats.scatter_common[..., :x, :x], t[..., :x, :x], m_all)
        return curve(stats.scatter_common, t, m_all) - marginal
    return (curve(stats.scatter_complete, t, m_c)
            - curve(stats.scatter_complete[..., :qa, :qa], t[..., :qa, :qa], m_c))


@dataclass(frozen=True)
class Pooled:
    """Partially pooled covariances of a stack of G organisations (leading shape ``...``).

    Matrices are in block order (common drivers, outcome, phone-only drivers).

    Attributes
    ----------
    cov : ndarray (..., G, q, q) or None
        Pooled (posterior-mean) covariance of each organisation (None when not asked for).
    own : ndarray (..., G, q, q) or None
        Each organisation's own-data covariance (no pooling).
    target : ndarray (..., q, q) or None
        The population covariance Σ₀.
    kappa : dict
        Per factor (``'drivers'``, ``'outcome'``, ``'phone_only'``), the population's
        prior strength κ (in respondents), shape (...).
    kappa_group : dict
        Per factor, each organisation's κ_g ≤ κ, (..., G).
    weight : dict
        Per factor, the weight of the organisation's own data, ``m / (m + κ_g)`` with
        ``m`` its respondents minus one (the phone respondents' for ``'phone_only'``).
    different : dict
        Per factor, the organisations set aside as unlike the others (..., G).
    targets : dict
        Per factor, the target matrix of the factor's variables (..., d, d): the common
        drivers for ``'drivers'``, the common block for ``'outcome'``, all for
        ``'phone_only'`` (the prior of each factor, for :mod:`analysis.pooling.posterior`).
    """

    cov: np.ndarray | None
    own: np.ndarray | None
    target: np.ndarray | None
    kappa: dict
    kappa_group: dict
    weight: dict
    different: dict
    targets: dict


FACTORS = ("drivers", "outcome", "phone_only")


def pool_covariances(stats: PatternStats, qa: int, *, per_group: bool = True, covariances: bool = True,
                     organisation_weights: np.ndarray | None = None, pool_phone_only: bool = True) -> Pooled:
    """Shrink each organisation's covariance toward the pooled one, with κ from the marginal likelihood.

    Parameters
    ----------
    stats : PatternStats
        Statistics of G organisations, leading shape ``(..., G)`` (e.g. bootstrap
        replicates x organisations); the pooling is done separately for each leading index.
    qa : int
        Size of the common block (drivers asked in every channel, then the outcome).
    per_group : bool, default True
        Set organisations that differ from the population aside (see the module
        docstring); False uses one κ and Σ₀ from all organisations for all.
    covariances : bool, default True
        False leaves out the pooled and own covariances (``cov``, ``own`` and ``target``
        are then None): only the population is wanted, as for the bootstrap replicates
        of :mod:`analysis.pooling.posterior`.
    organisation_weights : ndarray (..., G), optional
        Weights of the organisations in the population's estimate (their covariances in
        ``Σ₀``, their log marginal likelihoods in κ's), mean 1 per stack: the
        organisation-level Bayesian bootstrap of the replicates
        (:mod:`analysis.pooling.estimate`). None weighs every organisation 1.
    pool_phone_only : bool, default True
        False estimates the phone-only factor from each organisation's own phone
        respondents (``κ_g = 0``, weight 1): fewer than :data:`MIN_GROUPS` organisations
        have phone respondents, too few to estimate how much they differ there, while
        the common block is still pooled across all of them.

    Returns
    -------
    Pooled

    Notes
    -----
    Needs at least :data:`MIN_GROUPS` organisations (the caller says so and uses no
    pooling otherwise). An organisation without phone respondents (``n_complete`` 0)
    is a full member of the common block's two factors (the drivers asked in every
    channel and the outcome given them: it lends its respondents to every
    organisation's common block) and adds nothing to the phone-only factor (no
    degrees of freedom, so no part in its target or κ; its own covariance of the
    phone-only drivers is undefined, NaN). That is what the Bartlett factorisation
    allows: the factors' likelihoods are separate, so each has its own members.

    Examples
    --------
    >>> import numpy as np
    >>> from analysis.pooling.moments import Blocks, pattern_features, stats_from_sums
    >>> rng = np.random.default_rng(0)
    >>> blocks = Blocks(3, np.arange(3), np.arange(0))
    >>> chol = np.linalg.cholesky([[1, .5, .3], [.5, 1, .4], [.3, .4, 1]])
    >>> sums = [pattern_features(rng.standard_normal((60, 3)) @ chol.T, np.ones(60, bool), blocks,
    ...                          np.zeros(3)).sum(axis=0) for g in range(5)]
    >>> pooled = pool_covariances(stats_from_sums(np.array(sums), 60, blocks), 3)
    >>> bool(((pooled.weight["outcome"] > 0) & (pooled.weight["outcome"] < 1)).all())
    True
    """
    q = stats.scatter_complete.shape[-1]
    m = {"drivers": stats.n_all - 1, "outcome": stats.n_all - 1, "phone_only": stats.n_complete - 1}
    factors = FACTORS if q > qa else FACTORS[:2]
    x = qa - 1
    kappa, kappa_g, different, targets = {}, {}, {}, {}
    first_drivers_curves = None
    for f in factors:
        scatter = {"drivers": stats.scatter_common[..., :x, :x], "outcome": stats.scatter_common,
                   "phone_only": stats.scatter_complete}[f]
        member = np.ones(m[f].shape, dtype=bool)          # organisations that estimate the population
        # First round: Σ₀ as the organisations' unweighted mean, so that one large different
        # organisation cannot make the population look like itself. With every organisation
        # a member, the outcome factor's marginal curve is the drivers factor's curve.
        target, curves, kappa[f], lr = _population(
            stats, f, scatter, m[f], member, qa, equal=True,
            marginal=first_drivers_curves if f == "outcome" else None, weights=organisation_weights)
        if f == "drivers":
            first_drivers_curves = curves
        for _ in range(MAX_ROUNDS if per_group else 0):
            alike = lr <= LR_CRITICAL
            if f == "outcome" and x >= 2:
                # the LR statistic is blind to a rotated profile in a crowd whose effects
                # differ in size: the size-free profile test (analysis.pooling.profile),
                # against the current members (leave-one-out), sets such an organisation aside too
                alike &= profile_statistic(scatter, m[f], member, target[..., :x, :x],
                                           organisation_weights) <= profile_critical(x)
            alike |= (alike.sum(axis=-1) < MIN_GROUPS)[..., None]   # keep enough to describe the population
            # Only the stacks (e.g. bootstrap replicates) whose members changed are
            # estimated again; the others keep their estimate, as they would alone.
            changed = (alike != member).any(axis=-1)
            if not changed.any():
                break
            member = alike
            part = _population(_take(stats, changed), f, scatter[changed], m[f][changed], member[changed], qa,
                               weights=None if organisation_weights is None else organisation_weights[changed])
            target, curves, kappa[f], lr = (np.array(a, copy=True) for a in (target, curves, kappa[f], lr))
            for whole, new in zip((target, curves, kappa[f], lr), part):
                whole[changed] = new
        if not per_group:
            target, curves, kappa[f], lr = _population(stats, f, scatter, m[f], member, qa,
                                                       weights=organisation_weights)
        own_best = _argmax_refined(curves, upper=np.broadcast_to(kappa[f][..., None], curves.shape[:-1]))
        kappa_g[f] = np.where(member, kappa[f][..., None], own_best)
        different[f] = ~member
        targets[f] = target
    if q > qa and not pool_phone_only:
        # nothing to pool in this factor: each organisation's own phone respondents (κ = 0)
        kappa["phone_only"], kappa_g["phone_only"] = np.zeros_like(kappa["phone_only"]), np.zeros(m["phone_only"].shape)
        different["phone_only"] = np.zeros(m["phone_only"].shape, dtype=bool)
    if q == qa:
        kappa["phone_only"], kappa_g["phone_only"] = kappa["outcome"], kappa_g["outcome"]
        different["phone_only"] = different["outcome"]
        targets["phone_only"] = targets["outcome"]

    weight = {f: m[f] / (m[f] + kappa_g[f]) for f in FACTORS}
    if not covariances:
        return Pooled(cov=None, own=None, target=None, kappa=kappa, kappa_group=kappa_g, weight=weight,
                      different=different, targets=targets)

    def shrunk(f, scatter, tgt):
        k = kappa_g[f][..., None, None]
        return (k * tgt[..., None, :, :] + scatter) / (k + m[f][..., None, None])

    cov_x = shrunk("drivers", stats.scatter_common[..., :x, :x], targets["drivers"])
    cov = compose(cov_x, shrunk("outcome", stats.scatter_common, targets["outcome"]), x)
    target = compose(targets["drivers"], targets["outcome"], x)
    if q > qa:
        cov = compose(cov, shrunk("phone_only", stats.scatter_complete, targets["phone_only"]), qa)
        target = compose(target, targets["phone_only"], qa)
    with np.errstate(divide="ignore", invalid="ignore"):
        own = compose(stats.scatter_common / m["outcome"][..., None, None],
                      stats.scatter_complete / m["phone_only"][..., None, None], qa)
    return Pooled(cov=cov, own=own, target=target, kappa=kappa, kappa_group=kappa_g, weight=weight,
                  different=different, targets=targets)


def _take(stats: PatternStats, rows: np.ndarray) -> PatternStats:
    """The statistics of the stacks selected by a boolean mask over the leading shape (without G)."""
    return PatternStats(*(getattr(stats, f)[rows] for f in PatternStats.__dataclass_fields__))


def _population(stats: PatternStats, factor: str, scatter: np.ndarray, m: np.ndarray, member: np.ndarray,
                qa: int, equal: bool = False, marginal: np.ndarray | None = None,
                weights: np.ndarray | None = None):
    """One factor's target and κ from the member organisations; every organisation's curve and LR statistic.

    Returns ``(target, curves, kappa, lr)``: ``target`` is the members' pooled
    covariance of the factor's variables (with ``equal``, their unweighted mean);
    ``curves`` (..., G, K) each organisation's log marginal likelihood on
    :data:`KAPPA_GRID`; ``lr`` twice the difference between an organisation's maximum
    and its value at the κ of the *other* members (leave-one-out, so that an
    organisation is not judged against itself). ``weights`` (..., G), if given, weigh
    the members in the target and in κ's likelihood (the replicates' organisation-level
    bootstrap).
    """
    # a resample can leave a small organisation at most one respondent of a pattern (e.g.
    # one phone respondent of seven): no degrees of freedom, so nothing of its own to add
    # to the population's target or κ (0/0 would make them NaN), and no evidence that it
    # differs (lr 0)
    informative = member & (m > 0)
    w = informative.astype(float) if weights is None else informative * weights
    with np.errstate(divide="ignore", invalid="ignore"):
        used = (w > 0)[..., None, None]
        if equal:
            own = np.where(used, scatter / m[..., None, None], 0.0)
            target = (own * w[..., None, None]).sum(axis=-3) / w.sum(axis=-1)[..., None, None]
        else:
            target = (np.where(used, scatter, 0.0) * w[..., None, None]).sum(axis=-3) / (m * w).sum(axis=-1)[
                ..., None, None]
    curves = _factor_curves(stats, factor, target, qa, marginal)
    finite = np.where(np.isfinite(curves), curves, -1e300)
    in_total = np.where(informative[..., None], finite, 0.0)
    if weights is not None:
        in_total = in_total * weights[..., None]
    total = in_total.sum(axis=-2) + BOUNDARY_PENALTY * np.log(KAPPA_GRID)
    kappa = _argmax_refined(total)
    others = total[..., None, :] - in_total                      # leave-one-out totals (..., G, K)
    at = np.argmax(others, axis=-1)
    at_kappa = np.take_along_axis(finite, at[..., None], -1)[..., 0]
    lr = np.where(m > 0, 2 * (finite.max(axis=-1) - at_kappa), 0.0)
    return target, curves, kappa, lr
