"""Categorical omega: the reliability of a summed score of ordinal items (Green & Yang 2009).

For a construct measured by ordinal items fitted with ``estimator="wlsmv"``, the
reliability of the *observed* sum score -- not of the latent responses -- is the
share of its variance due to the factor.  With the items' standardised thresholds
``t_jc = tau_jc Delta_j``, the factor-implied latent-response correlations
``R = Delta Lambda psi Lambda' Delta`` and the polychoric correlations ``P`` (the
sample statistics, semTools's ``obs.var = TRUE``)::

    omega = sum_jj' [sum_cc' Phi2(t_jc, t_j'c'; R_jj') - S_j S_j']
            / sum_jj' [sum_cc' Phi2(t_jc, t_j'c'; P_jj') - S_j S_j'],  S_j = sum_c Phi(t_jc)

the sums running over all pairs of items including ``j = j'``, exactly as
``semTools::compRelSEM(fit)`` (0.5-6, ``ord.scale = TRUE``, its ``omegaCat``).

References
----------
Green, S. B., & Yang, Y. (2009). Reliability of summed item scores using structural
    equation modeling: an alternative to coefficient alpha. *Psychometrika*, 74(1),
    155-167.
Jorgensen, T. D., et al. (2022). semTools: Useful tools for structural equation
    modeling. R package version 0.5-6 (``compRelSEM``).

Example
-------
>>> import numpy as np
>>> t = [np.array([-1.0, 0.0, 1.0])] * 2
>>> round(omega_categorical(t, np.array([[0.49, 0.49], [0.49, 0.49]]), np.array([[1, .49], [.49, 1]])), 3)
0.607
"""
from __future__ import annotations

import numpy as np
from scipy import special

from analysis.sem.polychoric import bvn_cdf


def _pair_sum(t1: np.ndarray, t2: np.ndarray, r: float) -> float:
    """``sum_cc' Phi2(t1_c, t2_c'; r)``; ``r = +-1`` exactly as the limits."""
    a, b = t1[:, None], t2[None, :]
    if r >= 1.0:
        return float(special.ndtr(np.minimum(a, b)).sum())
    if r <= -1.0:
        return float(np.clip(special.ndtr(a) + special.ndtr(b) - 1.0, 0, None).sum())
    return float(bvn_cdf(a, b, np.asarray(r)).sum())


def omega_categorical(thresholds, common: np.ndarray, total: np.ndarray) -> float:
    """Green & Yang's (2009) omega of the summed items.

    Parameters
    ----------
    thresholds : list of ndarray
        Standardised thresholds of each item (``tau * Delta``).
    common : ndarray (k, k)
        Factor-implied covariance of the standardised latent responses
        (``Delta Lambda psi Lambda' Delta``).
    total : ndarray (k, k)
        Polychoric correlations of the items (rescaled to a correlation matrix).

    Returns
    -------
    float
    """
    sd = np.sqrt(np.diag(total))
    total = total / np.outer(sd, sd)
    s = np.array([special.ndtr(t).sum() for t in thresholds])
    num = den = 0.0
    k = len(thresholds)
    for j in range(k):
        for jp in range(k):
            base = s[j] * s[jp]
            num += _pair_sum(thresholds[j], thresholds[jp], float(common[j, jp])) - base
            den += _pair_sum(thresholds[j], thresholds[jp], float(total[j, jp])) - base
    return float(num / den)


def categorical_omegas(fit, group: str = "") -> dict[str, float]:
    """Categorical omega of every factor of a WLSMV fit (one group's estimates).

    Parameters
    ----------
    fit : SEM
        Fitted with ``estimator="wlsmv"``.
    group : str
        Group label ("" for a single group).

    Returns
    -------
    dict
        Factor name -> omega, for factors whose indicators are observed items.
    """
    p = fit.params_
    p = p[p["group"] == group]
    poly = fit.polychoric_[group]
    lv_cov = _latent_cov(p)
    scales = {r.lhs: r.est for r in p[p["op"] == "~*~"].itertuples()}
    out = {}
    for factor in dict.fromkeys(p.loc[p["op"] == "=~", "lhs"]):
        rows = p[(p["op"] == "=~") & (p["lhs"] == factor)]
        items = [i for i in rows["rhs"] if i in poly.index]
        if len(items) != len(rows):
            continue
        lam = rows["est"].to_numpy(float) * np.array([scales[i] for i in items])
        common = np.outer(lam, lam) * lv_cov[(factor, factor)]
        th = [p[(p["op"] == "|") & (p["lhs"] == i)]["est"].to_numpy(float) * scales[i] for i in items]
        out[factor] = float(omega_categorical(th, common, poly.loc[items, items].to_numpy(float)))
    return out


def _latent_cov(p) -> dict:
    """Latent (co)variances by (lhs, rhs), symmetric."""
    rows = p[(p["op"] == "~~")]
    out = {}
    for r in rows.itertuples():
        out[(r.lhs, r.rhs)] = out[(r.rhs, r.lhs)] = r.est
    return out
