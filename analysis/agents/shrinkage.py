"""Hierarchical normal model: agents' mean scores shrunk toward their team's, with honest intervals.

Model (one team, one score, agents ``a = 1..A`` with ``n_a`` answers)::

    y_ai | theta_a ~ N(theta_a, sigma²)          answers of agent a's customers
    theta_a        ~ N(mu, tau²)                  agents of the team around its mean

``sigma²`` is the pooled within-agent variance (sum of squared deviations from each
agent's mean over ``N - A``; hundreds of degrees of freedom, so it is taken as known and
each agent's mean has variance ``V_a = sigma² / n_a``). Given ``mu`` and ``tau`` the
posterior of an agent's true mean is normal (Efron & Morris 1975; Gelman & Hill 2007,
ch. 12, 'partial pooling') with the own-data weight ``w_a = tau² / (tau² + V_a)``.

Why not plug in estimates. Plugging point estimates of ``mu`` and ``tau²`` into that
posterior treats them as known, and the interval is too narrow (Morris 1983): with a
dozen agents ``tau²`` is poorly determined, and where its estimate is 0 (the agents'
means differ no more than chance would make them; a boundary estimate, common with small
true spreads) every agent gets the team mean with an interval of width zero. So the
team's parameters are integrated out, as Morris's (1983) empirical-Bayes intervals and
Kass & Steffey's (1989) correction approximate and the hierarchical Bayes computation of
Gelman et al. (2013, sec. 5.4) does exactly on a grid:

* ``mu`` has a flat prior; given ``tau`` it is normal with mean ``mu_hat(tau)`` (the
  precision-weighted mean of the agents' means) and variance ``V_mu(tau) = 1 / Σ 1/(V_a + tau²)``;
* ``tau`` has the prior ``p(tau) ∝ tau`` on ``(0, TAU_MAX]``: the gamma(2, λ → 0) prior on a
  standard deviation of Chung, Rabe-Hesketh, Dorie, Gelman & Liu (2013), which the
  project's pooling of organisations uses too (:mod:`analysis.pooling.shrinkage`), bounded
  by :data:`TAU_MAX` so that the posterior is proper with two or three agents. Its
  density vanishes at 0, so the posterior mode of ``tau`` -- Chung et al.'s penalized
  likelihood estimate, here of the restricted likelihood, since ``p(tau | y)`` with ``mu``
  integrated out is the restricted likelihood (Harville 1974) times the prior -- is never
  0. Its square is reported as ``tau2``;
* the marginal posterior ``p(tau | y) ∝ p(tau) V_mu^½ Π (V_a + tau²)^-½ exp(-(ȳ_a - mu_hat)² / 2(V_a + tau²))``
  is evaluated on a grid of ``tau`` (refined where it has its mass), and an agent's
  posterior is the mixture over it of the normals

      theta_a | tau, y ~ N(w_a ȳ_a + (1 - w_a) mu_hat,  w_a V_a + (1 - w_a)² V_mu),

  whose variance carries the uncertainty of the team mean; the mixture carries that of
  ``tau``. The estimate is the posterior mean, the interval the equal-tailed posterior
  interval (mixture quantiles), never of width zero.

So an agent with few answers is still pulled toward the team, one with many keeps (almost)
its own mean, and the interval shows what the answers leave open. Checked by simulation
with known truth, ``tau² = 0`` included (``tests/test_agents.py``; ``benchmarks/bench_agents.py``).

References
----------
Chung, Y., Rabe-Hesketh, S., Dorie, V., Gelman, A., & Liu, J. (2013). A nondegenerate
    penalized likelihood estimator for variance parameters in multilevel models.
    *Psychometrika*, 78(4), 685-709.
Efron, B., & Morris, C. (1975). Data analysis using Stein's estimator and its
    generalizations. *JASA*, 70(350), 311-319.
Gelman, A., Carlin, J. B., Stern, H. S., Dunson, D. B., Vehtari, A., & Rubin, D. B. (2013).
    *Bayesian Data Analysis* (3rd ed.). CRC Press. (Sec. 5.4: the normal hierarchical model,
    ``p(tau | y)`` on a grid.)
Gelman, A., & Hill, J. (2007). *Data Analysis Using Regression and Multilevel/Hierarchical
    Models*. Cambridge University Press. (Ch. 12.)
Harville, D. A. (1974). Bayesian inference for variance components using only error
    contrasts. *Biometrika*, 61(2), 383-385.
Kass, R. E., & Steffey, D. (1989). Approximate Bayesian inference in conditionally
    independent hierarchical models (parametric empirical Bayes models). *JASA*, 84(407),
    717-726.
Morris, C. N. (1983). Parametric empirical Bayes inference: theory and applications.
    *JASA*, 78(381), 47-55.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.special import ndtr, ndtri

# Upper bound of the agents' spread tau: scores lie on 1-7, and no values on 1-7 have an SD
# above 3 (half of each at the ends), so the bound excludes nothing possible.
TAU_MAX = 3.0
# Grid points of tau, per stage: a coarse grid over (0, TAU_MAX], then the same number over
# the part that holds the posterior's mass (log density within LOG_RANGE of its maximum).
GRID = 400
LOG_RANGE = 30.0
# Fewest agents for the posterior mode of tau² (the reported tau2): with one or two agents
# the restricted likelihood does not fall off as tau grows and the mode is the bound.
MIN_AGENTS_MODE = 3


@dataclass(frozen=True, eq=False)
class TeamFit:
    """The team-level model of one score.

    Attributes
    ----------
    mu : float
        Posterior mean of the team mean (what agents are shrunk toward).
    tau2 : float
        Posterior mode of ``tau²``, the variance of the agents' true means (Chung et al.
        2013; never 0); NaN with fewer than :data:`MIN_AGENTS_MODE` agents or no spread
        within agents.
    sigma2 : float
        Pooled within-agent variance.
    n_agents, n_answers : int
        Agents (withheld ones included) and answers used.
    tau, tau_prob : ndarray or None
        Grid of ``tau`` and its posterior probabilities. None for a model with known
        ``mu`` and ``tau2`` (built by hand), which :func:`shrink` then plugs in.
    mu_tau, var_mu_tau : ndarray or None
        Posterior mean and variance of ``mu`` at each grid point.
    """

    mu: float
    tau2: float
    sigma2: float
    n_agents: int
    n_answers: int
    tau: np.ndarray | None = None
    tau_prob: np.ndarray | None = None
    mu_tau: np.ndarray | None = None
    var_mu_tau: np.ndarray | None = None


def _log_posterior(tau: np.ndarray, means: np.ndarray, v: np.ndarray):
    """log p(tau | y) up to a constant, and ``mu_hat``, ``V_mu`` at each ``tau`` (Gelman et al. 2013, eq. 5.21)."""
    total = v[None, :] + tau[:, None] ** 2
    precision = 1.0 / total
    var_mu = 1.0 / precision.sum(axis=1)
    mu_hat = var_mu * (precision * means).sum(axis=1)
    log_post = (np.log(tau) + 0.5 * np.log(var_mu) - 0.5 * np.log(total).sum(axis=1)
                - 0.5 * (precision * (means - mu_hat[:, None]) ** 2).sum(axis=1))
    return log_post, mu_hat, var_mu


def _midpoints(low: float, high: float) -> np.ndarray:
    return low + (np.arange(GRID) + 0.5) * (high - low) / GRID


def fit_team(values: np.ndarray, agents: np.ndarray) -> TeamFit:
    """The posterior of a team's ``mu`` and ``tau`` from its answers (``values``, NaN-free) and agent labels.

    Examples
    --------
    >>> import numpy as np
    >>> fit = fit_team(np.array([1., 2, 3, 5, 6, 7]), np.array(["a", "a", "a", "b", "b", "b"]))
    >>> round(fit.mu, 2), round(fit.sigma2, 2), fit.n_agents
    (4.0, 1.0, 2)
    """
    labels, index = np.unique(agents, return_inverse=True)
    n = np.bincount(index).astype(float)
    means = np.bincount(index, weights=values) / n
    big_n, k = values.shape[0], labels.shape[0]
    ss_within = float(((values - means[index]) ** 2).sum())
    sigma2 = ss_within / (big_n - k) if big_n > k else float("nan")
    if not np.isfinite(sigma2) or sigma2 <= 0:
        # no answers to measure chance by (one per agent), or none of it: nothing to integrate over
        return TeamFit(float(np.average(means, weights=n)), float("nan"), sigma2, int(k), int(big_n))
    v = sigma2 / n
    coarse = _midpoints(0.0, TAU_MAX)
    log_post, _, _ = _log_posterior(coarse, means, v)
    # the posterior's mass (the rest is below e^-30 of the maximum), one coarse step wider each side
    step = TAU_MAX / GRID
    keep = np.flatnonzero(log_post > log_post.max() - LOG_RANGE)
    tau = _midpoints(max(0.0, coarse[keep[0]] - step), min(TAU_MAX, coarse[keep[-1]] + step))
    log_post, mu_hat, var_mu = _log_posterior(tau, means, v)
    prob = np.exp(log_post - log_post.max())
    prob /= prob.sum()
    tau2 = float("nan")
    if k >= MIN_AGENTS_MODE:
        best = int(np.argmax(log_post))
        lo, hi = tau[max(best - 1, 0)], tau[min(best + 1, GRID - 1)]
        found = minimize_scalar(lambda t: -_log_posterior(np.array([t]), means, v)[0][0], bounds=(lo, hi),
                                method="bounded", options={"xatol": 1e-6 * TAU_MAX})
        tau2 = float(found.x) ** 2
    return TeamFit(float(prob @ mu_hat), tau2, sigma2, int(k), int(big_n), tau, prob, mu_hat, var_mu)


def _mixture_quantile(prob: np.ndarray, loc: np.ndarray, scale: np.ndarray, q: float) -> np.ndarray:
    """The ``q`` quantile of each column's normal mixture (weights ``prob`` (G,), ``loc``/``scale`` (G, m)), by bisection."""
    low = (loc - 10 * scale).min(axis=0)
    high = (loc + 10 * scale).max(axis=0)
    for _ in range(60):
        mid = (low + high) / 2
        below = prob @ ndtr((mid - loc) / scale) < q
        low = np.where(below, mid, low)
        high = np.where(below, high, mid)
    return (low + high) / 2


def shrink(mean: np.ndarray, n: np.ndarray, fit: TeamFit, level: float) -> dict[str, np.ndarray]:
    """Posterior mean, own-data weight and ``level`` posterior interval of agents with raw ``mean`` and ``n`` answers.

    With a fitted team (:func:`fit_team`) the team's ``mu`` and ``tau`` are integrated out
    (the mixture of the module docstring); ``weight`` is the posterior mean of ``w_a``. With
    a :class:`TeamFit` built by hand (no grid) ``mu`` and ``tau2`` are taken as known.

    Examples
    --------
    >>> fit = TeamFit(mu=5.0, tau2=0.25, sigma2=1.0, n_agents=10, n_answers=100)
    >>> out = shrink(np.array([6.0]), np.array([4.0]), fit, 0.95)
    >>> float(out["weight"][0]), float(out["estimate"][0])
    (0.5, 5.5)
    """
    n = np.asarray(n, dtype=float)
    mean = np.asarray(mean, dtype=float)
    v = fit.sigma2 / n
    if fit.tau is None or not len(mean):
        if fit.sigma2 == 0:
            weight = np.ones_like(n)             # no chance variation: the own mean is exact
        elif fit.tau2 > 0:
            weight = fit.tau2 / (fit.tau2 + v)
        else:
            weight = np.zeros_like(n)
        estimate = weight * mean + (1 - weight) * fit.mu
        half = float(ndtri(0.5 + level / 2)) * np.sqrt(weight * v)
        return {"weight": weight, "estimate": estimate, "ci_low": estimate - half, "ci_high": estimate + half}
    # grid points without mass (below 1e-12 of the total) are left out: they change nothing
    used = fit.tau_prob > 1e-12
    prob = fit.tau_prob[used] / fit.tau_prob[used].sum()
    t2 = fit.tau[used, None] ** 2
    w = t2 / (t2 + v[None, :])
    loc = w * mean[None, :] + (1 - w) * fit.mu_tau[used, None]
    scale = np.sqrt(w * v[None, :] + (1 - w) ** 2 * fit.var_mu_tau[used, None])
    tail = (1 - level) / 2
    return {"weight": prob @ w, "estimate": prob @ loc, "ci_low": _mixture_quantile(prob, loc, scale, tail),
            "ci_high": _mixture_quantile(prob, loc, scale, 1 - tail)}

