"""Robust ML (lavaan's ``estimator = "MLR"``): sandwich SEs, scaled chi-square, robust indices.

Everything follows lavaan 0.6-14 with ``estimator = "MLR"`` (its options
``information = "observed"``, ``observed.information = "hessian"``,
``h1.information = "structured"``, ``se = "robust.huber.white"``,
``test = "yuan.bentler.mplus"``), for complete data and for ``missing = "ml"``:

* **Standard errors** (``lav_model_nvcov_robust_sandwich``): ``A^-1 B A^-1`` with
  ``A`` the observed information (Hessian of ``-logL``; lavaan uses it for MLR with
  complete data too) and ``B = sum_i s_i s_i'`` the cross-product of the casewise
  scores at the model-implied moments (:mod:`analysis.sem.casewise`).
* **Scaled chi-square** (Yuan & Bentler 2000, the Mplus variant; lavaan's
  ``lav_test_yuan_bentler_mplus_trace``): ``c = (sum_g tr(A1_g^-1 B1_g) - tr(A^-1 B)) / df``
  with ``A1_g`` the observed information and ``B1_g`` the score cross-product of the
  saturated model at its estimates (sample or EM moments); ``T_scaled = T_ML / c``.
* **Robust CFI/TLI/RMSEA** (Brosseau-Liard, Savalei & Li 2012; Brosseau-Liard &
  Savalei 2014): ``RMSEA = sqrt(G) sqrt(max(T/(N df) - c/N, 0))``, CFI with ``T - c df``
  for the model and ``T_b - c_b df_b`` for the baseline, ``c_b`` the baseline's own
  scaling factor.  With missing data, Savalei's (2018) FIML-corrected version
  (lavaan's ``lav_fit_fiml_corrected``, "V3"): ``T`` is the ML statistic of the FIML
  estimates evaluated on the EM moments as if they were complete data, and
  ``c = tr(U Wm^-1 Wc Wm^-1 U Gamma) / df`` with ``Wm`` (``Wc``) the observed
  information of the saturated model with incomplete (complete) data at the EM
  moments, ``Gamma = Wm^-1 J Wm^-1`` and ``U = Wm - Wm Delta (Delta' Wm Delta)^-1 Delta' Wm``.
* **Robust RMSEA interval and test of close fit** (lavaan 0.6-14's
  ``rmsea.ci.lower.robust``, ``rmsea.ci.upper.robust``, ``rmsea.pvalue.robust``;
  ``lav_fit_rmsea_ci`` and ``lav_fit_rmsea_closefit`` with ``c.hat``): the non-central
  chi-square is inverted at the *scaled* statistic ``T / c`` (with missing data
  Savalei's ``T`` and ``c`` above), and each non-centrality ``lambda`` maps to
  ``sqrt(c lambda / (N df)) sqrt(G)``, i.e. the interval of the scaled statistic times
  ``sqrt(c)`` (Brosseau-Liard, Savalei & Li 2012, eq. 9; Savalei 2018).  The close-fit
  p-value is ``P(chi2_df(N df .05^2 / (c G)) >= T / c)``, the test of ``RMSEA <= .05``
  on the robust scale.

References
----------
Yuan, K.-H., & Bentler, P. M. (2000). Three likelihood-based methods for mean
    and covariance structure analysis with nonnormal missing data.
    *Sociological Methodology*, 30, 165-200.
Brosseau-Liard, P. E., Savalei, V., & Li, L. (2012). An investigation of the
    sample performance of two nonnormality corrections for RMSEA.
    *Multivariate Behavioral Research*, 47(6), 904-930.
Brosseau-Liard, P. E., & Savalei, V. (2014). Adjusting incremental fit indices
    for nonnormality. *Multivariate Behavioral Research*, 49(5), 460-470.
Savalei, V. (2018). On the computation of the RMSEA and CFI from the
    mean-and-variance corrected test statistic with nonnormal data in SEM.
    *Multivariate Behavioral Research*, 53(3), 419-429 (and the FIML correction in
    lavaan's ``lav_fit_fiml_corrected``).
Rosseel, Y. (2012). lavaan. *Journal of Statistical Software*, 48(2), 1-36.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from analysis.sem.casewise import (moment_information, parameter_meat, vech_indices,
                                   vech_scores)
from analysis.sem.data import group_from_values, single_pattern
from analysis.sem.fiml import pattern_loglik
from analysis.sem.h1 import saturated_moments
from analysis.sem.h1cache import H1Cache
from analysis.sem.indices import cfi, chi2_pvalue, rmsea_ci, rmsea_close_pvalue, tli


@dataclass(frozen=True)
class RobustFit:
    """The MLR statistics of a fit (NaN where undefined, e.g. ``df == 0``)."""

    chi2_scaled: float
    pvalue_scaled: float
    scaling_factor: float
    baseline_chi2_scaled: float
    baseline_pvalue_scaled: float
    baseline_scaling_factor: float
    cfi_robust: float
    tli_robust: float
    rmsea_robust: float
    rmsea_ci_robust: tuple[float, float] = (math.nan, math.nan)
    rmsea_pvalue_robust: float = math.nan
    trace_h0: float = math.nan   # tr(A^-1 B) of the model, reused by the difference tests


def sandwich(information: np.ndarray, meat: np.ndarray) -> np.ndarray:
    """``A^-1 B A^-1`` (raises ``LinAlgError`` if ``A`` is singular)."""
    bread = np.linalg.inv(information)
    out = bread @ meat @ bread
    return 0.5 * (out + out.T)


def _trace(a: np.ndarray, b: np.ndarray) -> float:
    """``tr(a^-1 b)``."""
    return float(np.trace(np.linalg.solve(a, b)))


def _h1_parts(group, sat, meanstructure):
    """Per-case observed information and score cross-product of the saturated model."""
    A = moment_information(sat.cov, sat.mean, group.batches, True, meanstructure) / group.n
    S = vech_scores(group.values, sat.mean, sat.cov, meanstructure)
    return A, S.T @ S / group.n


def baseline_moments(group, sat, exogenous: tuple[int, ...]):
    """Moments of the independence model's estimates and its free moments' positions.

    Means free (available-case means), variances free (available-case variances),
    covariances zero except among the observed exogenous variables (their
    saturated moments), as :func:`analysis.sem.h1.baseline_loglik`.
    """
    p = len(group.mean)
    mu = group.mean.copy()
    sigma = np.diag(group.var_available)
    exo = list(exogenous)
    if len(exo) > 1:
        block = group.values[:, exo]
        block = block[~np.isnan(block).all(axis=1)]
        bsat = saturated_moments(group_from_values(block))
        mu[exo] = bsat.mean
        sigma[np.ix_(exo, exo)] = bsat.cov
    i, j = vech_indices(p)
    free_cov = (i == j) | (np.isin(i, exo) & np.isin(j, exo))
    return mu, sigma, np.flatnonzero(free_cov)


def _selection(p, cov_free, meanstructure):
    return np.concatenate([np.arange(p), p + cov_free]) if meanstructure else cov_free


def baseline_scaling(group_parts, groups, base, df_base: int, meanstructure: bool) -> float:
    """Yuan-Bentler (Mplus) scaling factor of the independence model."""
    trace_h1 = sum(_trace(A, B) for A, B in group_parts)
    trace_h0 = 0.0
    for g, (mu, sigma, cov_free) in zip(groups, base):
        sel = _selection(len(mu), cov_free, meanstructure)
        mean = mu if meanstructure else g.mean
        A = moment_information(sigma, mean, g.batches, True, meanstructure)[np.ix_(sel, sel)]
        S = vech_scores(g.values, mean, sigma, meanstructure)[:, sel]
        trace_h0 += _trace(A, S.T @ S)
    return _positive((trace_h1 - trace_h0) / df_base) if df_base > 0 else math.nan


def _positive(c: float) -> float:
    # lavaan: a negative scaling factor is set to NA
    return c if c >= 0 else math.nan


def _delta(model, theta, g, meanstructure):
    """Jacobian of ``(mu, vech Sigma)`` of group ``g`` w.r.t. all free parameters."""
    d_mu, d_sigma, ids = model.moment_jacobian(theta, g)
    p = model.p
    i, j = vech_indices(p)
    rows = d_sigma[i * p + j]
    if meanstructure:
        rows = np.vstack([d_mu, rows])
    out = np.zeros((rows.shape[0], model.n_free))
    out[:, ids] = rows
    return out


def _chi2_on(mean, cov, n, sigma, mu) -> float:
    """ML statistic of moments ``(sigma, mu)`` against complete data with moments ``(cov, mean)``."""
    batch = single_pattern(mean, cov, n)
    return 2.0 * (pattern_loglik(cov, mean, batch) - pattern_loglik(sigma, mu, batch))


def fiml_corrected(model, theta, groups, saturated, implied, base, parts, df: int, df_base: int,
                   cache: H1Cache | None = None):
    """Savalei's (2018) FIML-corrected statistic and scaling factors (lavaan's "V3").

    lavaan forms ``k = tr(U Wm^-1 Wc Wm^-1 U Gamma)`` with block-diagonal matrices over
    the groups (weights ``f_g = N_g / N``) and ``U = Wm - Wm Delta (Delta' Wm Delta)^-1
    Delta' Wm``.  Expanding ``U`` gives, per case and group (``A`` = ``Wm``, ``J`` the
    score cross-product, ``S = sum_g f_g Delta_g' A_g Delta_g``)::

        k = sum_g tr(Wc A^-1 J A^-1) - 2 tr(S^-1 sum_g f_g Delta_g' Wc A^-1 J Delta_g)
            + tr(S^-1 C_1 S^-1 C_2),   C_1 = sum_g f_g Delta_g' Wc Delta_g,
                                       C_2 = sum_g f_g Delta_g' J Delta_g

    so nothing larger than one group's moment matrices is formed.  The pieces that do
    not involve the model (and the baseline's ``k``) come from ``cache``.

    Returns ``(T, c, T_base, c_base)``.
    """
    N = float(sum(g.n for g in groups))
    cache = cache if cache is not None else H1Cache()
    keys, extra = tuple(groups), tuple(tuple(cf) for _, _, cf in base)

    def h1_pieces():
        # everything but the model's Jacobians depends on the data only (cached across fits)
        pieces, base_deltas, trace_first, t3_base = [], [], 0.0, 0.0
        n_base = sum(len(_selection(len(mu), cf, True)) for mu, _, cf in base)
        at = 0
        for g, sat, (bmu, bsig, cov_free), (A, J) in zip(groups, saturated, base, parts):
            W_c = moment_information(sat.cov, sat.mean, single_pattern(sat.mean, sat.cov, 1.0),
                                     False, True)
            Ai = np.linalg.inv(A)
            Ai_J = Ai @ J
            trace_first += float(np.sum((W_c @ Ai_J) * Ai.T))
            pieces.append((g.n / N, A, J, W_c, W_c @ Ai_J))
            sel = _selection(len(bmu), cov_free, True)
            DB = np.zeros((A.shape[0], n_base))
            DB[sel, at + np.arange(len(sel))] = 1.0
            at += len(sel)
            base_deltas.append(DB)
            t3_base += _chi2_on(sat.mean, sat.cov, g.n, bsig, bmu)
        return pieces, base_deltas, trace_first, t3_base

    pieces, base_deltas, trace_first, t3_base = cache.get("fimlc_h1", keys, extra, h1_pieces)
    deltas = [_delta(model, theta, k, True) for k in range(len(groups))]
    t3 = sum(_chi2_on(sat.mean, sat.cov, g.n, sigma, mu)
             for g, sat, (sigma, mu) in zip(groups, saturated, implied))

    def k_fimlc(ds) -> float:
        S = sum(f * D.T @ A @ D for (f, A, _, _, _), D in zip(pieces, ds))
        cross = sum(f * D.T @ K @ D for (f, _, _, _, K), D in zip(pieces, ds))
        c1 = sum(f * D.T @ Wc @ D for (f, _, _, Wc, _), D in zip(pieces, ds))
        c2 = sum(f * D.T @ J @ D for (f, _, J, _, _), D in zip(pieces, ds))
        return (trace_first - 2.0 * float(np.trace(np.linalg.solve(S, cross)))
                + float(np.trace(np.linalg.solve(S, c1) @ np.linalg.solve(S, c2))))

    c3 = _positive(k_fimlc(deltas) / df) if df > 0 else math.nan
    c3_base = (_positive(cache.get("fimlc_base", keys, extra, lambda: k_fimlc(base_deltas)) / df_base)
               if df_base > 0 else math.nan)
    return t3, c3, t3_base, c3_base


def robust_rmsea(x2: float, df: int, n: int, c: float, groups: int = 1) -> float:
    """``sqrt(G) sqrt(max(T/(N df) - c/N, 0))`` (lavaan's ``lav_fit_rmsea`` with ``c.hat``)."""
    if not np.isfinite(c) or not np.isfinite(x2):
        return math.nan
    if df <= 0:
        return 0.0
    return math.sqrt(max(x2 / n / df - c / n, 0.0)) * math.sqrt(groups)


def robust_rmsea_ci(x2: float, df: int, n: int, c: float, groups: int = 1,
                    level: float = 0.90) -> tuple[float, float]:
    """Interval of the robust RMSEA: that of the scaled statistic ``x2 / c``, times ``sqrt(c)``.

    ``x2`` is the unscaled statistic (Savalei's ``T`` with missing data) and ``c`` its
    scaling factor; as lavaan's ``lav_fit_rmsea_ci(X2 = T / c, c.hat = c)``.
    """
    if not (np.isfinite(c) and c > 0 and np.isfinite(x2)):
        return math.nan, math.nan
    lower, upper = rmsea_ci(x2 / c, df, n, groups, level)
    return lower * math.sqrt(c), upper * math.sqrt(c)


def robust_rmsea_pvalue(x2: float, df: int, n: int, c: float, groups: int = 1,
                        h0: float = 0.05) -> float:
    """p-value of the robust test of close fit (``RMSEA <= h0``): non-centrality
    ``N df h0^2 / (c G)`` at the scaled statistic ``x2 / c`` (lavaan's
    ``lav_fit_rmsea_closefit(X2 = T / c, c.hat = c)``)."""
    if not (np.isfinite(c) and c > 0 and np.isfinite(x2)):
        return math.nan
    return rmsea_close_pvalue(x2 / c, df, n, groups, h0 / math.sqrt(c))


def _robust_cfi_tli(x2, df, x2_b, df_b, c, c_b):
    if not all(np.isfinite([x2, x2_b, c, c_b])):
        return math.nan, math.nan
    if df > 0 and c != 1 and c_b != 1:   # lavaan falls back to the plain index otherwise
        return cfi(x2 - (c - 1) * df, df, x2_b - (c_b - 1) * df_b, df_b), \
            tli(x2 - (c - 1) * df, df, x2_b - (c_b - 1) * df_b, df_b)
    return cfi(x2, df, x2_b, df_b), tli(x2, df, x2_b, df_b)


def mlr_statistics(*, model, theta, information, groups, saturated, implied, exogenous,
                   meanstructure: bool, chi2: float, df: int, chi2_base: float,
                   df_base: int, cache: H1Cache | None = None) -> RobustFit:
    """Yuan-Bentler scaled statistics and robust indices of a fitted model.

    Parameters
    ----------
    information : ndarray
        Observed information of ``-logL`` at ``theta`` (not divided by N).
    groups, saturated, implied : lists per group
        :class:`GroupData`, :class:`Saturated` and the implied ``(Sigma, mu)``.
    exogenous : tuple of int
        Observed exogenous variables (free covariances in the baseline).
    chi2, df, chi2_base, df_base
        The ML statistics of the model and of the baseline.
    cache : H1Cache, optional
        Reuses the saturated and baseline models' quantities across fits of the
        same data (:mod:`analysis.sem.h1cache`).
    """
    N = int(sum(g.n for g in groups))
    G = len(groups)
    cache = cache if cache is not None else H1Cache()
    keys = tuple(groups)
    # the saturated and baseline models' quantities depend on the data only (cached)
    parts = [cache.get("h1_parts", (g,), (meanstructure,), lambda g=g, s=s: _h1_parts(g, s, meanstructure))
             for g, s in zip(groups, saturated)]
    trace_h1 = cache.get("h1_trace", keys, (meanstructure,), lambda: sum(_trace(A, B) for A, B in parts))
    values = [g.values for g in groups]
    meat = parameter_meat(model, theta, values, implied, meanstructure)
    trace_h0 = _trace(information, meat)
    c = _positive((trace_h1 - trace_h0) / df) if df > 0 else math.nan
    base = [cache.get("baseline", (g,), (exogenous,), lambda g=g, s=s: baseline_moments(g, s, exogenous))
            for g, s in zip(groups, saturated)]
    c_b = cache.get("baseline_c", keys, (exogenous, df_base, meanstructure),
                    lambda: baseline_scaling(parts, groups, base, df_base, meanstructure))
    if all(g.complete for g in groups):
        t3, c3, t3_b, c3_b = chi2, c, chi2_base, c_b
    else:
        t3, c3, t3_b, c3_b = fiml_corrected(model, theta, groups, saturated, implied, base, parts,
                                            df, df_base, cache)
    cfi_r, tli_r = _robust_cfi_tli(t3, df, t3_b, df_base, c3, c3_b)
    x2s = chi2 / c if np.isfinite(c) and c > 0 else math.nan
    x2bs = chi2_base / c_b if np.isfinite(c_b) and c_b > 0 else math.nan
    return RobustFit(
        chi2_scaled=x2s, pvalue_scaled=chi2_pvalue(x2s, df) if np.isfinite(x2s) else math.nan,
        scaling_factor=c, baseline_chi2_scaled=x2bs,
        baseline_pvalue_scaled=chi2_pvalue(x2bs, df_base) if np.isfinite(x2bs) else math.nan,
        baseline_scaling_factor=c_b, cfi_robust=cfi_r, tli_robust=tli_r,
        rmsea_robust=robust_rmsea(t3, df, N, c3, G), rmsea_ci_robust=robust_rmsea_ci(t3, df, N, c3, G),
        rmsea_pvalue_robust=robust_rmsea_pvalue(t3, df, N, c3, G), trace_h0=trace_h0)
