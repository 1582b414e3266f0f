"""Saturated (H1) and baseline (independence) models of each group.

* Complete data: the saturated model's moments are the sample mean and the
  sample covariance (divisor N).
* Incomplete data (``missing="ml"``): the saturated moments are the maximum
  likelihood estimates under normality found by the EM algorithm, as lavaan's
  ``lav_mvnorm_missing_h1_estimate_moments`` does (same start: available-case
  means and variances, zero covariances), to a tighter tolerance than lavaan's
  default (1e-5): no moment changes by more than 1e-6 of its size in an EM step. The
  log-likelihood is flat at its maximum, so moments within ``d`` of it lose only about
  ``n d^2`` of it: the chi-square moves by about 1e-8 against a tolerance of 1e-9
  (measured on organisations of 5,000 respondents), at 13 instead of 21 EM steps (10
  and 16 with the SQUAREM rule of :func:`_squarem`). The moments themselves, hence the
  SRMR, move by about 1e-7 (the SRMR's sixth significant digit).
* Baseline model (lavaan's default, fitted separately in each group, no
  equality constraints): free means and variances, zero covariances.  Its
  likelihood factorises over variables, so with missing data its ML estimates
  are each variable's available-case mean and variance (divisor n_j).

References
----------
Dempster, A. P., Laird, N. M., & Rubin, D. B. (1977). Maximum likelihood from
    incomplete data via the EM algorithm. *JRSS B*, 39(1), 1-38.
Little, R. J. A., & Rubin, D. B. (2002). *Statistical Analysis with Missing
    Data* (2nd ed.), ch. 8. Wiley.
Bentler, P. M., & Bonett, D. G. (1980). Significance tests and goodness of fit
    in the analysis of covariance structures. *Psychological Bulletin*, 88(3),
    588-606 (the independence baseline).

Example
-------
>>> import numpy as np, pandas as pd
>>> from analysis.sem.data import prepare_groups
>>> rng = np.random.default_rng(1)
>>> df = pd.DataFrame(rng.normal(size=(50, 3)), columns=["a", "b", "c"])
>>> df.iloc[::7, 1] = np.nan
>>> g, _ = prepare_groups(df, ("a", "b", "c"), group=None, missing="ml")
>>> h1 = saturated_moments(g[0])
>>> h1.converged
True
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analysis.common.errors import ModelError
from analysis.sem.data import GroupData, group_from_values
from analysis.sem.fiml import LOG_2PI, missing_indices, pattern_loglik


ROUNDING = 1e-13        # relative rounding error of a log-likelihood (a sum of ~1e3 terms)


@dataclass(frozen=True)
class Saturated:
    """Saturated-model moments and log-likelihood of one group."""

    mean: np.ndarray
    cov: np.ndarray
    loglik: float
    iterations: int
    converged: bool


def _regressions(sigma: np.ndarray, K: np.ndarray | None, idx: np.ndarray, mis: np.ndarray,
                 logdet: float | None = None, flat: tuple | None = None, want_logdet: bool = True):
    """Per pattern: coefficients of the missing on the observed variables, the residual covariance, ``log|K_mm|``.

    From ``K = Sigma^-1`` (when given and fewer variables are missing than observed):
    ``beta = -K_mm^-1 K_mo`` and ``Sigma_mm.o = K_mm^-1`` (the partitioned inverse), an
    ``m x m`` problem per pattern instead of a ``k x k`` one. ``log|K_mm| = log|Sigma_oo| - log|Sigma|``
    (``logdet``: ``log|Sigma|``; None without ``K`` or unless ``want_logdet``) gives the
    log-likelihood of :func:`_estep`. ``flat``: the flat positions of ``K_mo`` and ``K_mm`` in ``K``.
    """
    B, m = mis.shape
    if K is not None and m <= idx.shape[1]:
        pos_mo, pos_mm = flat if flat is not None else (mis[:, :, None] * len(K) + idx[:, None, :],
                                                        mis[:, :, None] * len(K) + mis[:, None, :])
        k_mm, k_mo = K.take(pos_mm), K.take(pos_mo)
        if m == 1:                          # one variable missing: a division (the commonest pattern)
            resid = 1.0 / k_mm
            logdet_mm = np.log(k_mm[:, 0, 0]) if want_logdet else None
        else:
            resid = np.linalg.inv(k_mm)
            resid = 0.5 * (resid + resid.transpose(0, 2, 1))
            logdet_mm = np.linalg.slogdet(k_mm)[1] if want_logdet else None
        return -resid @ k_mo, resid, logdet_mm
    s_oo = sigma[idx[:, :, None], idx[:, None, :]]
    s_mo = sigma[mis[:, :, None], idx[:, None, :]]
    s_mm = sigma[mis[:, :, None], mis[:, None, :]]
    beta = np.linalg.solve(s_oo, s_mo.transpose(0, 2, 1)).transpose(0, 2, 1)
    logdet_mm = np.linalg.slogdet(s_oo)[1] - logdet if K is not None and want_logdet else None
    return beta, s_mm - beta @ s_mo.transpose(0, 2, 1), logdet_mm


def _inverse(sigma: np.ndarray):
    """``(sigma^-1, log|sigma|)`` if ``sigma`` is positive definite, else ``(None, None)``.

    Without the inverse the E-step solves each pattern's block instead.
    """
    try:
        chol = np.linalg.cholesky(sigma)
    except np.linalg.LinAlgError:
        return None, None
    diag = np.diagonal(chol)
    if diag.min() ** 2 < 1e-10 * np.max(np.diagonal(sigma)):
        return None, None  # nearly singular: K would be inaccurate; solve each pattern's block instead
    lower_inv = np.linalg.solve(chol, np.eye(len(sigma)))
    K = lower_inv.T @ lower_inv
    return 0.5 * (K + K.T), 2.0 * float(np.log(diag).sum())


def _observed_part(group: GroupData):
    """The E-step's sums over the observed entries, which do not change between iterations.

    ``sum_p n_p ybar_p`` and ``sum_p n_p (C_p + ybar_p ybar_p')`` at the observed positions;
    each E-step adds only the expected missing parts (``m x k`` and ``m x m`` per pattern).
    Also, per incomplete batch, its missing indices, the flat positions of ``K_mo`` and
    ``K_mm`` in ``K`` and of the expected parts ``(m, o)`` then ``(m, m)`` in ``t2``, and
    its patterns with more than one respondent (the others have ``C_p = 0``).
    """
    p = len(group.mean)
    t1 = np.zeros(p)
    t2 = np.zeros(p * p)
    positions = []
    for b in group.batches:
        second = b.cov + b.ybar[:, :, None] * b.ybar[:, None, :]
        t2 += np.bincount(b.lin.ravel(), weights=(b.n[:, None, None] * second).ravel(), minlength=p * p)
        t1 += np.bincount(b.idx.ravel(), weights=(b.n[:, None] * b.ybar).ravel(), minlength=p)
        if b.idx.shape[1] < p:
            mis = missing_indices(b, p)
            pos_mo = mis[:, :, None] * p + b.idx[:, None, :]
            pos_mm = mis[:, :, None] * p + mis[:, None, :]
            several = np.flatnonzero(b.n > 1)
            positions.append((b, mis, (pos_mo, pos_mm), np.concatenate([pos_mo.ravel(), pos_mm.ravel()]),
                              mis.ravel(), several if len(several) < len(b.n) else None))
    return t1, t2, positions


def _estep(mu: np.ndarray, sigma: np.ndarray, group: GroupData, fixed, loglik: bool | str = True):
    """Expected complete-data sums ``(t1, t2)`` at ``(mu, sigma)`` and the observed-data log-likelihood there.

    The log-likelihood (None unless ``loglik``) comes with the E-step at little extra
    cost (``-inf`` if ``sigma`` is not positive definite, and then no sums); ``loglik="cheap"``:
    only when ``K = Sigma^-1`` is used (else None, and the sums as without it). By the missing-information principle
    ``logL(theta) = Q(theta | theta) - H(theta | theta)`` (Little & Rubin, 2002, sec. 8.4),
    where ``Q`` is the complete-data log-likelihood of the expected sums and each
    pattern's ``H`` that of its conditional normal distribution of the missing given the
    observed variables (covariance ``K_mm^-1``, expected quadratic form ``m``).
    """
    p = len(mu)
    K, logdet = _inverse(sigma)
    ll = None
    if K is None and loglik == "cheap":
        loglik = False
    if K is None and loglik:
        ll = pattern_loglik(sigma, mu, group.batches)     # -inf if sigma is not positive definite
        if not np.isfinite(ll):
            return None, None, ll
    t1 = fixed[0].copy()
    # the expected (m, o) parts and half the (m, m) parts; t2 gets this plus its transpose,
    # so each (m, o) part is scattered once (not again at (o, m)), and (m, m) parts are symmetric
    half = np.zeros(p * p)
    h = 0.0
    for b, mis, flat, pos, mis_flat, several in fixed[2]:
        B, k = b.idx.shape
        m = p - k
        beta, resid, logdet_mm = _regressions(sigma, K, b.idx, mis, logdet, flat, want_logdet=loglik)
        n_hat = b.n[:, None] * (mu[mis] + (beta @ (b.ybar - mu[b.idx])[:, :, None])[:, :, 0])   # n_p m_hat_p
        weights = np.empty(B * m * (k + m))
        mo = weights[:B * m * k].reshape(B, m, k)
        mm = weights[B * m * k:].reshape(B, m, m)
        np.multiply(n_hat[:, :, None], b.ybar[:, None, :], out=mo)
        np.multiply(n_hat[:, :, None], ((0.5 / b.n)[:, None] * n_hat)[:, None, :], out=mm)   # n m m' / 2
        mm += (0.5 * b.n)[:, None, None] * resid
        if several is None or len(several):
            # beta C_p and beta C_p beta' (zero for one respondent: C_p = 0, so only where n_p > 1)
            rows = slice(None) if several is None else several
            nbc = b.n[rows, None, None] * (beta[rows] @ b.cov[rows])
            mo[rows] += nbc
            mm[rows] += 0.5 * (nbc @ beta[rows].transpose(0, 2, 1))
        half += np.bincount(pos, weights=weights, minlength=p * p)
        t1 += np.bincount(mis_flat, weights=n_hat.ravel(), minlength=p)
        if K is not None and loglik:
            h += float(np.sum(b.n * (m * (LOG_2PI + 1.0) - logdet_mm)))
    half = half.reshape(p, p)
    t2 = fixed[1].reshape(p, p) + half + half.T
    if K is not None and loglik:
        n = float(group.n)
        centred = t2 - np.outer(mu, t1) - np.outer(t1, mu) + n * np.outer(mu, mu)
        ll = -0.5 * (n * (p * LOG_2PI + logdet) + float(np.sum(K * centred))) + 0.5 * h
    return t1, t2, ll


def _em_step(x: np.ndarray, group: GroupData, fixed, loglik: bool | str = False):
    """The E-step at ``x``: ``(logL(x), M)`` where ``M()`` gives the EM map of ``x`` (the M-step).

    ``logL(x)`` is None unless ``loglik`` (see :func:`_estep`).
    """
    p = len(group.mean)
    mu, sigma = _unpack(x, p)
    t1, t2, ll = _estep(mu, sigma, group, fixed, loglik)

    def mstep() -> np.ndarray:
        if t1 is None:
            raise np.linalg.LinAlgError("the EM covariance matrix is not positive definite")
        new_mu = t1 / group.n
        new_sigma = t2 / group.n - np.outer(new_mu, new_mu)
        if not (np.all(np.isfinite(new_mu)) and np.all(np.isfinite(new_sigma))):
            raise np.linalg.LinAlgError("the EM moments are not finite: the covariance matrix became singular")
        return _pack(new_mu, 0.5 * (new_sigma + new_sigma.T))

    return ll, mstep


def _pack(mu: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    return np.concatenate([mu, sigma[np.triu_indices(len(mu))]])


def _unpack(x: np.ndarray, p: int):
    sigma = np.zeros((p, p))
    sigma[np.triu_indices(p)] = x[p:]
    sigma = sigma + np.triu(sigma, 1).T
    return x[:p], sigma


def saturated_moments(group: GroupData, *, tol: float = 1e-6, max_iter: int = 5000) -> Saturated:
    """ML estimates of the unrestricted mean vector and covariance matrix.

    EM steps are accelerated by SQUAREM (Varadhan & Roland, 2008, scheme S3):
    two EM steps define a squared extrapolation, kept only if it does not lower
    the likelihood, followed by a stabilising EM step.

    Parameters
    ----------
    group : GroupData
    tol : float
        Stop when no mean or covariance changes by more than ``tol`` times
        (1 + its size) in an EM step.
    max_iter : int
        Maximum number of EM steps (E-step evaluations).

    Returns
    -------
    Saturated

    References
    ----------
    Varadhan, R., & Roland, C. (2008). Simple and globally convergent methods for
        accelerating the convergence of any EM algorithm. *Scandinavian Journal
        of Statistics*, 35(2), 335-353.
    """
    if group.complete:
        return Saturated(group.mean.copy(), group.cov.copy(),
                         pattern_loglik(group.cov, group.mean, group.batches), 0, True)
    p = len(group.mean)
    var = group.var_available.copy()
    var[~np.isfinite(var) | (var <= 0)] = 1.0
    x = _pack(group.mean.copy(), np.diag(var))

    def small(a, b):
        return np.max(np.abs(a - b) / (1.0 + np.abs(b))) < tol

    try:
        x, steps, converged = _squarem(x, group, _observed_part(group), small, max_iter)
        mu, sigma = _unpack(x, p)
        ll = pattern_loglik(sigma, mu, group.batches)
    except np.linalg.LinAlgError:
        # With fewer respondents than variables in some missing-data patterns the EM
        # covariance becomes singular: there is no saturated model to test against.
        # Its log-likelihood is undefined (NaN), which the caller reports as an error.
        mu, sigma = _unpack(x, p)
        return Saturated(mu, sigma, float("nan"), 0, False)
    return Saturated(mu, sigma, ll, steps, converged)


def _squarem(x, group, fixed, small, max_iter):
    """SQUAREM iterations (scheme S3) from ``x``; returns (x, steps, converged).

    An extrapolation ``c`` is kept (then stabilised by an EM step) if ``logL(c) >= logL(x)``
    (to within rounding, ``ROUNDING``), ``x`` the cycle's start, as Varadhan & Roland (2008)
    do; EM never lowers the likelihood, so the kept point's is at least ``logL(x)``
    (otherwise the cycle ends at ``x2``, an EM point). Both log-likelihoods come with
    E-steps that are taken anyway (:func:`_estep`): that at ``x`` with the cycle's first,
    that at ``c`` with the stabilising step's.
    Comparing with ``logL(x2)`` costs an E-step at ``x2`` that a kept extrapolation throws
    away (measured: 21 -> 16 E-steps per saturated model of 31 items, 645 patterns); it
    is done only when ``logL(x)`` does not come cheaply (a nearly singular ``Sigma``, whose
    E-step then solves each pattern's block as before).
    """
    steps, converged = 0, False
    ahead = None                 # the E-step at x, when already taken
    while steps < max_iter:
        ll_x, map_x = ahead if ahead is not None else _em_step(x, group, fixed, loglik="cheap")
        x1 = map_x()
        ahead = None
        steps += 1
        if small(x1, x):
            x, converged = x1, True
            break
        x2 = _em_step(x1, group, fixed)[1]()
        steps += 1
        r, v = x1 - x, x2 - 2 * x1 + x
        norm_v = np.linalg.norm(v)
        alpha = -np.linalg.norm(r) / norm_v if norm_v > 0 else -1.0
        alpha = min(alpha, -1.0)
        x_new = x2
        if alpha < -1.0:
            candidate = x - 2 * alpha * r + alpha**2 * v
            ll_candidate, map_candidate = _em_step(candidate, group, fixed, loglik=True)
            at_x2 = _em_step(x2, group, fixed, loglik=True) if ll_x is None else None
            reference = ll_x if at_x2 is None else at_x2[0]
            # equal to within the rounding of the log-likelihood's sum (~1e-16 of it per
            # term): near convergence the two differ only by rounding, and refusing then
            # would cost cycles that change nothing (measured: up to 3 E-steps more)
            if ll_candidate >= reference - ROUNDING * abs(reference):
                x_new = map_candidate()
                steps += 1
            else:
                ahead = at_x2    # None when not taken: the next cycle's first E-step is at x2
        if small(x_new, x2) and small(x2, x1):
            x, converged = x_new, True
            break
        x = x_new
    return x, steps, converged


def baseline_loglik(group: GroupData, exogenous: tuple[int, ...] = ()) -> float:
    """Log-likelihood of the independence model.

    Free means and variances, zero covariances, except among the observed
    exogenous covariates ``exogenous`` (column indices), whose covariances stay
    free as in lavaan's baseline.  The likelihood factorises into the covariate
    block (its saturated model, by EM if incomplete) and one term per other
    variable (available-case mean and variance).
    """
    others = [j for j in range(len(group.mean)) if j not in set(exogenous)]
    n_j, var_j = group.n_available[others], group.var_available[others]
    total = float(np.sum(-0.5 * n_j * (LOG_2PI + np.log(var_j) + 1.0)))
    if len(exogenous) == 1:
        j = exogenous[0]
        total += float(-0.5 * group.n_available[j]
                       * (LOG_2PI + np.log(group.var_available[j]) + 1.0))
    elif len(exogenous) > 1:
        if group.values is None:
            raise ModelError("a model with several observed exogenous variables needs the respondents' rows "
                             "for its baseline model: pass the DataFrame, not pattern statistics")
        block = group.values[:, list(exogenous)]
        block = block[~np.isnan(block).all(axis=1)]
        total += saturated_moments(group_from_values(block)).loglik
    return total


def baseline_df(p: int, n_exogenous: int, ngroups: int) -> int:
    """Degrees of freedom of the baseline model (means are free, so they cancel)."""
    return ngroups * (p * (p - 1) // 2 - n_exogenous * (n_exogenous - 1) // 2)
