"""Normal-normal empirical Bayes: agents' mean scores shrunk toward their team's.

Model (one team ``g``, one score, agents ``a = 1..A`` with ``n_a`` answers)::

    y_ai | theta_a ~ N(theta_a, sigma²)          answers of agent a's customers
    theta_a        ~ N(mu_g, tau²)                agents of the team around its mean

``sigma²`` is the pooled within-agent variance (sum of squared deviations from each
agent's mean over ``N - A``); ``tau²``, the spread of the agents' true means, is the
method-of-moments estimate of DerSimonian & Laird (1986) for unequal ``n_a`` (the
weighted between-agent sum of squares ``Q`` minus what ``sigma²`` alone would give,
truncated at 0); ``mu_g`` is the precision-weighted mean of the agents' means. Given
these, the posterior of an agent's true mean is normal (Efron & Morris 1975; Gelman &
Hill 2007, ch. 12, 'partial pooling')::

    w_a         = n_a / (n_a + sigma² / tau²)          weight on the agent's own mean
    theta_a | y ~ N(w_a ybar_a + (1 - w_a) mu_g,  w_a sigma² / n_a)

So an agent with few answers is pulled toward the team; one with many keeps (almost)
its own mean. The interval ``mean ± z sqrt(w_a sigma² / n_a)`` is a posterior
(credible) interval: given the model and the estimated team mean and spread, the
agent's true mean lies in it with the stated probability. It treats ``mu_g``, ``tau²``
and ``sigma²`` as known (plug-in empirical Bayes), so it is somewhat too narrow with
few agents (Morris 1983). With ``tau² = 0`` (the agents' means differ no more than
chance would make them) every agent gets the team mean.

References
----------
DerSimonian, R., & Laird, N. (1986). Meta-analysis in clinical trials. *Controlled
    Clinical Trials*, 7(3), 177-188.
Efron, B., & Morris, C. (1975). Data analysis using Stein's estimator and its
    generalizations. *JASA*, 70(350), 311-319.
Gelman, A., & Hill, J. (2007). *Data Analysis Using Regression and Multilevel/Hierarchical
    Models*. Cambridge University Press. (Ch. 12.)
Morris, C. N. (1983). Parametric empirical Bayes inference: theory and applications.
    *JASA*, 78(381), 47-55.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import norm


@dataclass(frozen=True)
class TeamFit:
    """The estimated team-level model of one score: ``mu``, ``tau2``, ``sigma2``, agents and answers used."""

    mu: float
    tau2: float
    sigma2: float
    n_agents: int
    n_answers: int


def fit_team(values: np.ndarray, agents: np.ndarray) -> TeamFit:
    """Estimate ``mu``, ``tau²`` and ``sigma²`` from one team's answers (``values``, NaN-free) and agent labels.

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
    if k < 2 or not np.isfinite(sigma2) or sigma2 <= 0:
        # one agent (or no spread within agents): nothing to separate agents from chance
        return TeamFit(float(np.average(means, weights=n)), 0.0, sigma2, int(k), int(big_n))
    w = n / sigma2
    grand = float(np.average(means, weights=w))
    q = float((w * (means - grand) ** 2).sum())
    tau2 = max(0.0, (q - (k - 1)) / (w.sum() - (w ** 2).sum() / w.sum()))
    mu = float(np.average(means, weights=1 / (sigma2 / n + tau2)))
    return TeamFit(mu, tau2, sigma2, int(k), int(big_n))


def shrink(mean: np.ndarray, n: np.ndarray, fit: TeamFit, level: float) -> dict[str, np.ndarray]:
    """Posterior mean, own-data weight and ``level`` posterior interval of agents with raw ``mean`` and ``n`` answers.

    Examples
    --------
    >>> fit = TeamFit(mu=5.0, tau2=0.25, sigma2=1.0, n_agents=10, n_answers=100)
    >>> out = shrink(np.array([6.0]), np.array([4.0]), fit, 0.95)
    >>> float(out["weight"][0]), float(out["estimate"][0])
    (0.5, 5.5)
    """
    n = np.asarray(n, dtype=float)
    mean = np.asarray(mean, dtype=float)
    if fit.tau2 > 0:
        weight = n / (n + fit.sigma2 / fit.tau2)
    else:
        weight = np.zeros_like(n)
    estimate = weight * mean + (1 - weight) * fit.mu
    sd = np.sqrt(weight * fit.sigma2 / n)
    z = float(norm.ppf(0.5 + level / 2))
    return {"weight": weight, "estimate": estimate, "ci_low": estimate - z * sd, "ci_high": estimate + z * sd}
