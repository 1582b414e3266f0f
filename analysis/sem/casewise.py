"""Casewise scores of the normal log-likelihood, and the sums built from them.

For respondent ``i`` observing the variables ``o`` (all of them with complete data),
with ``K = Sigma_oo^-1`` and ``d = y_io - mu_o``, the gradient of the case's
log-likelihood ``logL_i = -1/2 (k log 2pi + log|Sigma_oo| + d' K d)`` is

    d logL_i / d mu_o    = K d
    d logL_i / d Sigma_oo = 1/2 (K d d' K - K)

(zero for the variables the respondent did not answer).  The sum of the outer
products of these scores is the *first-order* (cross-product, "meat") information
of a robust sandwich (Huber 1967; White 1982); lavaan computes it the same way
(``lav_mvnorm_scores_mu_vech_sigma``, ``lav_mvnorm_missing_scores_mu_vech_sigma``,
then ``crossprod(SC) / N``).

Moment coordinates: the matrices here use ``(mu, vech Sigma)`` -- each distinct
covariance once -- so that the saturated model's information can be inverted;
a score with respect to an off-diagonal ``sigma_ij`` is ``2 G_ij`` (``D' vec G``,
with ``D`` the duplication matrix of Magnus & Neudecker 1999).

References
----------
Huber, P. J. (1967). The behavior of maximum likelihood estimates under
    nonstandard conditions. *Proc. Fifth Berkeley Symposium*, 1, 221-233.
White, H. (1982). Maximum likelihood estimation of misspecified models.
    *Econometrica*, 50(1), 1-25.
Yuan, K.-H., & Bentler, P. M. (2000). Three likelihood-based methods for mean
    and covariance structure analysis with nonnormal missing data.
    *Sociological Methodology*, 30, 165-200.
Magnus, J. R., & Neudecker, H. (1999). *Matrix Differential Calculus*. Wiley.

Example
-------
>>> import numpy as np
>>> y = np.array([[1.0, 2.0], [np.nan, 0.5], [0.0, -1.0]])
>>> s_mu, s_sig = moment_scores(y, np.zeros(2), np.eye(2))
>>> s_mu[1].tolist()
[0.0, 0.5]
"""
from __future__ import annotations

import numpy as np

from analysis.sem.fiml import pattern_information


def moment_scores(values: np.ndarray, mu: np.ndarray, sigma: np.ndarray):
    """Scores of each case's log-likelihood w.r.t. ``mu`` and (symmetric) ``Sigma``.

    Parameters
    ----------
    values : ndarray (n, p)
        The cases, NaN where an answer is missing (no row entirely missing).
    mu, sigma : ndarray
        The moments at which the scores are evaluated.

    Returns
    -------
    s_mu : ndarray (n, p)
    s_sigma : ndarray (n, p*p)
        ``vec`` of the symmetric matrix ``1/2 (K d d' K - K)`` of each case.
    """
    n, p = values.shape
    observed = ~np.isnan(values)
    patterns, inverse = np.unique(observed, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    s_mu = np.zeros((n, p))
    s_sig = np.zeros((n, p, p))
    for pid, pat in enumerate(patterns):
        rows = np.flatnonzero(inverse == pid)
        o = np.flatnonzero(pat)
        K = np.linalg.inv(sigma[np.ix_(o, o)])
        K = 0.5 * (K + K.T)
        kd = (values[np.ix_(rows, o)] - mu[o]) @ K
        s_mu[np.ix_(rows, o)] = kd
        block = 0.5 * (kd[:, :, None] * kd[:, None, :] - K[None])
        s_sig[rows[:, None, None], o[None, :, None], o[None, None, :]] = block
    return s_mu, s_sig.reshape(n, p * p)


def vech_indices(p: int) -> tuple[np.ndarray, np.ndarray]:
    """Row and column of each ``vech`` element (lower triangle, column by column)."""
    j, i = np.triu_indices(p)
    return i, j


def duplication(p: int) -> np.ndarray:
    """Duplication matrix ``D`` (p*p, p(p+1)/2): ``vec S = D vech S``."""
    i, j = vech_indices(p)
    D = np.zeros((p * p, len(i)))
    cols = np.arange(len(i))
    D[i * p + j, cols] = 1.0
    D[j * p + i, cols] = 1.0
    return D


def vech_scores(values, mu, sigma, meanstructure: bool) -> np.ndarray:
    """Casewise scores in ``(mu, vech Sigma)`` coordinates (means left out without a mean structure)."""
    s_mu, s_sig = moment_scores(values, mu, sigma)
    s_vech = s_sig @ duplication(len(mu))
    return np.hstack([s_mu, s_vech]) if meanstructure else s_vech


def moment_information(sigma, mu, batches, observed: bool, meanstructure: bool) -> np.ndarray:
    """Information of ``-logL`` in ``(mu, vech Sigma)`` coordinates (not divided by n).

    ``observed=True`` is the negative Hessian (lavaan's ``information = "observed"``);
    at the saturated estimates of complete data it equals the expected information.
    """
    p = len(mu)
    info = pattern_information(sigma, mu, batches, observed=observed)
    D = duplication(p)
    ss = D.T @ info["ss"] @ D
    if not meanstructure:
        return 0.5 * (ss + ss.T)
    ms = info["ms"] @ D
    out = np.block([[info["mm"], ms], [ms.T, ss]])
    return 0.5 * (out + out.T)


def parameter_scores(model, theta, g: int, values, mu, sigma, meanstructure: bool):
    """Casewise scores of group ``g`` w.r.t. its free parameters: ``(scores (n, r), ids)``.

    The chain rule through the moment Jacobian of :meth:`RamModel.moment_jacobian`.
    """
    d_mu, d_sigma, ids = model.moment_jacobian(theta, g)
    s_mu, s_sig = moment_scores(values, mu, sigma)
    scores = s_sig @ d_sigma
    if meanstructure:
        scores += s_mu @ d_mu
    return scores, ids


def parameter_meat(model, theta, values_by_group, moments, meanstructure: bool) -> np.ndarray:
    """``sum_i s_i s_i'`` over every case of every group, in the free parameters."""
    q = model.n_free
    meat = np.zeros((q, q))
    for g, (values, (sigma, mu)) in enumerate(zip(values_by_group, moments)):
        scores, ids = parameter_scores(model, theta, g, values, mu, sigma, meanstructure)
        meat[np.ix_(ids, ids)] += scores.T @ scores
    return 0.5 * (meat + meat.T)
