"""Fit indices, defined as lavaan 0.6 defines them.

* ``chi2 = sum_g max(0, 2 (logL_H1,g - logL_H0,g))`` (lavaan: ``2 N_g F_g``; for
  ``missing="ml"`` H1 is the EM-estimated saturated model), ``df`` = sample
  moments minus free parameters.
* CFI ``1 - max(X2 - df, 0) / max(X2 - df, X2_b - df_b, 0)``; TLI
  ``1 - ((X2 - df) df_b) / ((X2_b - df_b) df)`` (lav_fit_cfi.R), against the
  independence baseline fitted in each group.
* RMSEA ``sqrt(max(X2/N/df - 1/N, 0)) * sqrt(G)`` with N the total sample size
  (likelihood "normal"), its 90% interval by inverting the non-central
  chi-square (Browne & Cudeck 1993) and the test of close fit
  ``P(RMSEA <= .05)`` with non-centrality ``N df .05^2 / G`` (lav_fit_rmsea.R).
* SRMR is lavaan's default "srmr" = Bentler's version: residuals of the
  covariances (and, with a mean structure, of the means) divided by the
  observed standard deviations, root mean square per group over
  ``p(p+1)/2 (+ p)`` elements, then averaged with weights ``N_g / N``
  (lav_fit_srmr.R, lav_residuals.R).  With ``missing="ml"`` the observed moments
  are the EM estimates.
* AIC ``-2 logL + 2 q``, BIC ``-2 logL + q log N``, sample-size adjusted BIC
  ``-2 logL + q log((N + 2) / 24)``.

References
----------
Bentler, P. M. (1990). Comparative fit indexes in structural models.
    *Psychological Bulletin*, 107(2), 238-246.
Tucker, L. R., & Lewis, C. (1973). A reliability coefficient for maximum
    likelihood factor analysis. *Psychometrika*, 38(1), 1-10.
Steiger, J. H. (1990). Structural model evaluation and modification: an
    interval estimation approach. *Multivariate Behavioral Research*, 25(2), 173-180.
Browne, M. W., & Cudeck, R. (1993). Alternative ways of assessing model fit. In
    K. A. Bollen & J. S. Long (Eds.), *Testing Structural Equation Models*, 136-162.
Hu, L., & Bentler, P. M. (1999). Cutoff criteria for fit indexes in covariance
    structure analysis. *Structural Equation Modeling*, 6(1), 1-55.
Rosseel, Y. (2012). lavaan. *Journal of Statistical Software*, 48(2), 1-36.

Example
-------
>>> round(rmsea(85.306, 24, 301), 3)
0.092
>>> tuple(round(x, 3) for x in rmsea_ci(85.306, 24, 301))
(0.071, 0.114)
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
from scipy import optimize, special, stats


@dataclass(frozen=True)
class FitIndices:
    """Global fit of a model (keys of :meth:`to_dict` follow lavaan's names, with ``_``)."""

    chi2: float
    df: int
    pvalue: float
    baseline_chi2: float
    baseline_df: int
    baseline_pvalue: float
    cfi: float
    tli: float
    rmsea: float
    rmsea_ci: tuple[float, float]
    rmsea_pvalue: float
    srmr: float
    loglik: float
    unrestricted_loglik: float
    aic: float
    bic: float
    bic_adjusted: float
    npar: int
    n_obs: int
    n_groups: int
    chi2_by_group: tuple[float, ...]
    # robust ML (estimator "mlr", analysis.sem.robust); NaN for estimator "ml"
    estimator: str = "ml"
    chi2_scaled: float = math.nan
    pvalue_scaled: float = math.nan
    scaling_factor: float = math.nan
    baseline_chi2_scaled: float = math.nan
    baseline_pvalue_scaled: float = math.nan
    baseline_scaling_factor: float = math.nan
    cfi_robust: float = math.nan
    tli_robust: float = math.nan
    rmsea_robust: float = math.nan
    rmsea_ci_robust: tuple[float, float] = (math.nan, math.nan)
    rmsea_pvalue_robust: float = math.nan
    # WLSMV (estimator "wlsmv", analysis.sem.wls): lavaan's scaled.shifted statistic
    # (chi2_scaled, scaling_factor above) with its shift, and the indices lavaan
    # reports as cfi.scaled, tli.scaled, rmsea.scaled; NaN for the other estimators
    chi2_shift: float = math.nan
    baseline_chi2_shift: float = math.nan
    cfi_scaled: float = math.nan
    tli_scaled: float = math.nan
    rmsea_scaled: float = math.nan
    rmsea_scaled_ci: tuple[float, float] = (math.nan, math.nan)

    def to_dict(self) -> dict:
        """The indices as a plain dict (``rmsea_ci`` stays a tuple)."""
        out = asdict(self)
        out["rmsea_ci"] = tuple(self.rmsea_ci)
        out["rmsea_ci_robust"] = tuple(self.rmsea_ci_robust)
        out["rmsea_scaled_ci"] = tuple(self.rmsea_scaled_ci)
        out["chi2_by_group"] = tuple(self.chi2_by_group)
        return out


def chi2_pvalue(x2: float, df: int) -> float:
    """Upper-tail chi-square probability; NaN when ``df == 0`` (as lavaan)."""
    return float(stats.chi2.sf(x2, df)) if df > 0 else math.nan


def cfi(x2: float, df: int, x2_base: float, df_base: int) -> float:
    t1 = max(x2 - df, 0.0)
    t2 = max(x2 - df, x2_base - df_base, 0.0)
    if math.isclose(t1, 0.0, abs_tol=1.5e-8) and math.isclose(t2, 0.0, abs_tol=1.5e-8):
        return 1.0
    return 1.0 - t1 / t2


def tli(x2: float, df: int, x2_base: float, df_base: int) -> float:
    t1 = (x2 - df) * df_base
    t2 = (x2_base - df_base) * df
    if df > 0 and abs(t2) > 0:
        return 1.0 - t1 / t2
    return 1.0


def rmsea(x2: float, df: int, n: int, groups: int = 1) -> float:
    if df <= 0:
        return 0.0
    return math.sqrt(max(x2 / n / df - 1.0 / n, 0.0)) * math.sqrt(groups)


def _ncx2_cdf(x: float, df: int, ncp: float) -> float:
    # the special functions behind scipy.stats' chi2.cdf and ncx2.cdf, called directly: the
    # same values (0 below the support), without the distribution objects' argument
    # handling, which cost ~0.3 ms a call (the RMSEA interval's root searches make ~27)
    if x <= 0:
        return 0.0
    return float(special.chdtr(df, x) if ncp <= 0 else special.chndtr(x, df, ncp))


def rmsea_ci(x2: float, df: int, n: int, groups: int = 1, level: float = 0.90) -> tuple[float, float]:
    """Confidence interval of the RMSEA (lav_fit_rmsea_ci)."""
    upper_p, lower_p = 1 - (1 - level) / 2, (1 - level) / 2
    lower = upper = 0.0
    if df >= 1 and _ncx2_cdf(x2, df, 0.0) - upper_p >= 0:
        lam = optimize.brentq(lambda l: _ncx2_cdf(x2, df, l) - upper_p, 0.0, x2, xtol=1e-10)
        lower = math.sqrt(lam / (n * df)) * math.sqrt(groups)
    top = max(n, 4 * x2)
    if df >= 1 and not (_ncx2_cdf(x2, df, top) - lower_p > 0 or _ncx2_cdf(x2, df, 0.0) - lower_p < 0):
        lam = optimize.brentq(lambda l: _ncx2_cdf(x2, df, l) - lower_p, 0.0, top, xtol=1e-10)
        upper = math.sqrt(lam / (n * df)) * math.sqrt(groups)
    return lower, upper


def rmsea_close_pvalue(x2: float, df: int, n: int, groups: int = 1, h0: float = 0.05) -> float:
    """p-value of the test of close fit, H0: RMSEA <= ``h0``."""
    if df <= 0:
        return math.nan
    return 1.0 - _ncx2_cdf(x2, df, n * df * h0**2 / groups)


def _bentler_scale(values: np.ndarray, scale: np.ndarray) -> np.ndarray:
    # lavaan leaves (near-)zero elements unscaled (lav_residuals_rescale)
    return np.where(np.abs(values) < 1e-5, values, values * scale)


def srmr_group(obs_cov, obs_mean, est_cov, est_mean, meanstructure: bool) -> float:
    """Bentler's SRMR of one group (lavaan's default ``srmr``)."""
    sd = np.sqrt(np.diag(obs_cov))
    scale_cov = np.outer(1 / sd, 1 / sd)
    res = _bentler_scale(obs_cov, scale_cov) - _bentler_scale(est_cov, scale_cov)
    low = res[np.tril_indices(len(sd))]
    total, count = float(np.sum(low**2)), low.size
    if meanstructure:
        res_m = _bentler_scale(obs_mean, 1 / sd) - _bentler_scale(est_mean, 1 / sd)
        total += float(np.sum(res_m**2))
        count += len(sd)
    return math.sqrt(total / count)


def compute_fit_indices(*, loglik_h0, loglik_h1, loglik_base, n, npar, df, df_base,
                        srmr_by_group) -> FitIndices:
    """Assemble :class:`FitIndices` from per-group log-likelihoods.

    Parameters
    ----------
    loglik_h0, loglik_h1, loglik_base : sequence of float
        Per-group log-likelihoods of the model, the saturated and the baseline model.
    n : sequence of int
        Respondents per group.
    npar, df, df_base : int
    srmr_by_group : sequence of float
    """
    n = np.asarray(n, dtype=float)
    N, G = int(n.sum()), len(n)
    h0, h1, base = (np.asarray(x, dtype=float) for x in (loglik_h0, loglik_h1, loglik_base))
    if not (np.all(np.isfinite(h0)) and np.all(np.isfinite(h1))):
        # a singular sample/EM or implied covariance matrix: no valid test statistic
        return _undefined(h0, h1, N, G, npar, df, df_base, srmr_by_group)
    by_group = np.maximum(2.0 * (h1 - h0), 0.0)
    x2 = float(by_group.sum())
    x2_base = float(np.maximum(2.0 * (h1 - base), 0.0).sum())
    ll = float(np.sum(h0))
    return FitIndices(
        chi2=x2, df=int(df), pvalue=chi2_pvalue(x2, df),
        baseline_chi2=x2_base, baseline_df=int(df_base),
        baseline_pvalue=chi2_pvalue(x2_base, df_base),
        cfi=cfi(x2, df, x2_base, df_base), tli=tli(x2, df, x2_base, df_base),
        rmsea=rmsea(x2, df, N, G), rmsea_ci=rmsea_ci(x2, df, N, G),
        rmsea_pvalue=rmsea_close_pvalue(x2, df, N, G),
        srmr=float(np.sum(n / N * np.asarray(srmr_by_group))),
        loglik=ll, unrestricted_loglik=float(np.sum(loglik_h1)),
        aic=-2 * ll + 2 * npar, bic=-2 * ll + npar * math.log(N),
        bic_adjusted=-2 * ll + npar * math.log((N + 2) / 24),
        npar=int(npar), n_obs=N, n_groups=G, chi2_by_group=tuple(float(x) for x in by_group))


def _undefined(h0, h1, N, G, npar, df, df_base, srmr_by_group) -> FitIndices:
    nan = math.nan
    ll = float(np.sum(h0)) if np.all(np.isfinite(h0)) else nan
    return FitIndices(
        chi2=nan, df=int(df), pvalue=nan, baseline_chi2=nan, baseline_df=int(df_base),
        baseline_pvalue=nan, cfi=nan, tli=nan, rmsea=nan, rmsea_ci=(nan, nan), rmsea_pvalue=nan,
        srmr=nan, loglik=ll,
        unrestricted_loglik=float(np.sum(h1)) if np.all(np.isfinite(h1)) else nan,
        aic=-2 * ll + 2 * npar, bic=-2 * ll + npar * math.log(N),
        bic_adjusted=-2 * ll + npar * math.log((N + 2) / 24), npar=int(npar), n_obs=N,
        n_groups=G, chi2_by_group=tuple(nan for _ in range(G)))
