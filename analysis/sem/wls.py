"""WLSMV: diagonally weighted least squares for ordinal indicators, robust inference.

What lavaan 0.6 does for ``estimator = "WLSMV"`` with ``ordered`` items, in its
default delta parameterisation (:mod:`analysis.sem.categorical`):

* sample statistics per group: thresholds and polychoric correlations and their
  asymptotic covariance matrix ``Gamma_g`` (:mod:`analysis.sem.polychoric`);
* estimates minimise ``F = sum_g N_g (s_g - m_g)' W_g (s_g - m_g)`` with
  ``W_g = diag(Gamma_g)^-1`` (DWLS; Muthén, du Toit & Spisic 1997), by
  Gauss-Newton with a line search;
* the test statistic is ``T = F`` at the minimum (lavaan's ``chisq``), with
  ``U = W - W K H^-1 K' W`` (``K`` the moment Jacobian stacked over groups with
  ``sqrt(N_g)``, ``H = K' W K``) its mean-and-variance adjusted version is
  ``a T + b``, ``a = sqrt(df / tr((U Gamma)^2))``, ``b = df - a tr(U Gamma)``
  (lavaan's ``"scaled.shifted"``; Asparouhov & Muthén 2010), scaling factor
  ``1/a`` and shift ``b``; the baseline (independence) model -- thresholds free,
  correlations zero -- is tested the same way and CFI/TLI/RMSEA are computed from
  the scaled statistics (lavaan's ``cfi.scaled``, ``tli.scaled``,
  ``rmsea.scaled``) and from the unscaled ones (``cfi``, ``tli``, ``rmsea``);
* standard errors are the sandwich ``H^-1 (K' W Gamma W K) H^-1``
  (lavaan's ``se = "robust.sem"``).

Missing answers are handled pairwise (lavaan's ``missing = "pairwise"``);
``missing="listwise"`` keeps complete rows only.  There is no likelihood, so
``loglik``, AIC and BIC are NaN; SRMR is computed from the correlation
residuals.

References
----------
Muthén, B., du Toit, S. H. C., & Spisic, D. (1997). Robust inference using
    weighted least squares and quadratic estimating equations in latent variable
    modeling with categorical and continuous outcomes. Unpublished manuscript.
Asparouhov, T., & Muthén, B. (2010). Simple second order chi-square correction.
    *Mplus technical appendix*.
Satorra, A., & Bentler, P. M. (1994). Corrections to test statistics and standard
    errors in covariance structure analysis. In von Eye & Clogg (Eds.), *Latent
    Variables Analysis* (pp. 399-419). Sage.
Rosseel, Y. (2012). lavaan. *Journal of Statistical Software*, 48(2), 1-36.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.common.errors import ModelError
from analysis.sem.categorical import CategoricalModel, equal_levels
from analysis.sem.data import prepare_groups
from analysis.sem.indices import FitIndices, cfi, chi2_pvalue, rmsea, rmsea_ci, rmsea_close_pvalue, tli
from analysis.sem.polychoric import ordinal_statistics
from analysis.sem.problems import Problem, sample_size_problems
from analysis.sem.spec import group_numbers, variable_roles
from analysis.sem.standardize import _std_stack
from analysis.sem.wls_report import param_frame


@dataclass(frozen=True)
class ScaledTest:
    """A DWLS statistic with its mean-and-variance adjustment."""

    chi2: float
    df: int
    trace: float        # tr(U Gamma)
    trace2: float       # tr((U Gamma)^2)

    @property
    def a(self) -> float:
        return math.sqrt(self.df / self.trace2) if self.df > 0 and self.trace2 > 0 else math.nan

    @property
    def shift(self) -> float:
        return self.df - self.a * self.trace

    @property
    def scaled(self) -> float:
        return self.a * self.chi2 + self.shift if self.df > 0 else self.chi2


class WlsmvFit:
    """The estimation proper; :func:`fit_wlsmv` copies its results onto an ``SEM``."""

    def __init__(self, model: CategoricalModel, stats, max_iter: int) -> None:
        self.model = model
        self.stats = stats
        # lavaan weighs group g by N_g - 1 in the DWLS statistic and the information
        # (checked against lavaan 0.6-14: chi-square and SEs agree only so)
        self.n = np.array([s.n - 1 for s in stats], dtype=float)
        self.s = [s.moments for s in stats]
        self.w = [1.0 / np.diag(s.gamma) for s in stats]
        self.max_iter = max_iter

    def value(self, theta) -> float:
        total = 0.0
        for g in range(len(self.stats)):
            e = self.s[g] - self.model.group_moments(theta, g)
            total += self.n[g] * float(e @ (self.w[g] * e))
        return total

    def parts(self, theta):
        """``(F, gradient direction K'We, H)`` at ``theta``."""
        q = self.model.n_free
        H, g_vec, F = np.zeros((q, q)), np.zeros(q), 0.0
        for g in range(len(self.stats)):
            m, J = self.model.group_moments(theta, g, jacobian=True)
            nz, J = _used_columns(J)
            e = self.s[g] - m
            WJ = self.w[g][:, None] * J
            H[np.ix_(nz, nz)] += self.n[g] * J.T @ WJ
            g_vec[nz] += self.n[g] * WJ.T @ e
            F += self.n[g] * float(e @ (self.w[g] * e))
        return F, g_vec, H

    def minimise(self, theta):
        F, grad, H = self.parts(theta)
        for it in range(1, self.max_iter + 1):
            try:
                step = np.linalg.solve(H, grad)
            except np.linalg.LinAlgError:
                return theta, it, False, "the DWLS information matrix is singular (model not identified)"
            decrement = float(grad @ step)
            if decrement < 1e-10 * max(1.0, F) and np.max(np.abs(step)) < 1e-7:
                return theta, it - 1, True, "converged"
            t = 1.0
            while t > 1e-10:
                cand = theta + t * step
                F_new = self.value(cand)
                if np.isfinite(F_new) and F_new <= F - 1e-4 * t * decrement:
                    break
                t *= 0.5
            else:
                small = decrement < 1e-8 * max(1.0, F)
                return theta, it, small, "converged" if small else "line search failed"
            theta = cand
            F, grad, H = self.parts(theta)
        return theta, self.max_iter, False, f"maximum number of iterations ({self.max_iter}) reached"

    def robust(self, theta):
        """Sandwich covariance and the traces of ``U Gamma`` for the model."""
        q = self.model.n_free
        H, B, R = np.zeros((q, q)), np.zeros((q, q)), np.zeros((q, q))
        tr1 = tr2 = 0.0
        for g, st in enumerate(self.stats):
            _, J = self.model.group_moments(theta, g, jacobian=True)
            nz, J = _used_columns(J)
            block = np.ix_(nz, nz)
            WG = self.w[g][:, None] * st.gamma            # W Gamma
            WJ = self.w[g][:, None] * J
            H[block] += self.n[g] * J.T @ WJ
            WGWJ = WG @ WJ
            B[block] += self.n[g] * J.T @ WGWJ
            R[block] += self.n[g] * WGWJ.T @ (st.gamma @ WJ)
            tr1 += float(np.trace(WG))
            tr2 += float(np.sum(WG * WG.T))
        Hinv = np.linalg.inv(H)
        HB = Hinv @ B
        vcov = HB @ Hinv
        trace = tr1 - float(np.trace(HB))
        trace2 = tr2 - 2.0 * float(np.sum(Hinv * R.T)) + float(np.sum(HB * HB.T))
        return 0.5 * (vcov + vcov.T), trace, trace2, H


def _used_columns(J: np.ndarray):
    """The parameters a group's moments depend on, and those columns of its Jacobian
    (a group uses its own thresholds, scales and factor part only: the products shrink)."""
    nz = np.flatnonzero(np.any(J != 0, axis=0))
    return nz, J[:, nz]


def baseline_test(stats) -> ScaledTest:
    """Independence model (thresholds free, correlations 0) with its traces."""
    chi2 = tr1 = tr2 = 0.0
    df = 0
    for st in stats:
        nth = len(st.th)
        rho = st.moments[nth:]
        w = 1.0 / np.diag(st.gamma)[nth:]
        chi2 += (st.n - 1) * float(rho @ (w * rho))      # N_g - 1, as the model's statistic
        WG = w[:, None] * st.gamma[nth:, nth:]
        tr1 += float(np.trace(WG))
        tr2 += float(np.sum(WG * WG.T))
        df += len(rho)
    return ScaledTest(chi2, df, tr1, tr2)


def fit_wlsmv(sem, data: pd.DataFrame, group, group_equal, missing: str, se: bool, max_iter: int,
              group_partial=()):
    """Fit ``sem``'s model by WLSMV and set its fitted attributes (see ``SEM.fit``)."""
    levels_equal = equal_levels(group_equal)
    roles = variable_roles(sem.statements)
    observed = roles.observed
    groups, info = prepare_groups(data, observed, group=group, missing=missing,
                                  first_line=roles.first_line)
    values = np.vstack([g.values for g in groups])
    levels = [np.unique(col[~np.isnan(col)]) for col in values.T]
    stats = []
    for g in groups:
        where = f"group '{g.label}'" if g.label else "the data"
        stats.append(ordinal_statistics(g.values, levels if len(groups) > 1 else None, where,
                                        list(observed)))
    n_th = [len(t) for t in stats[0].thresholds]
    labels = [g.label for g in groups]
    model = CategoricalModel(sem.model, n_th, len(groups), levels_equal, std_lv=sem.std_lv,
                             orthogonal=sem.orthogonal, group_partial=group_numbers(group_partial, labels))
    problems: list[Problem] = sample_size_problems({g.label: g.n for g in groups}, len(observed),
                                                   model.n_free, all(g.complete for g in groups))
    if model.df < 0:
        raise ModelError(f"the model has {model.n_free} free parameters but only {model.n_moments} "
                         f"thresholds and polychoric correlations: it is not identified")
    est = WlsmvFit(model, stats, max_iter)
    theta, iterations, converged, message = est.minimise(model.start(stats))
    if not converged:
        problems.append(Problem("nonconvergence", f"the estimation did not converge: {message} after "
                                f"{iterations} iterations; estimates, standard errors and fit indices "
                                f"are not valid", "error"))
    chi2 = est.value(theta)
    vcov, trace, trace2 = None, math.nan, math.nan
    try:
        vcov, trace, trace2, _ = est.robust(theta)
        if not np.all(np.isfinite(vcov)) or np.any(np.diag(vcov) <= 0):
            raise np.linalg.LinAlgError
    except np.linalg.LinAlgError:
        vcov = None
        problems.append(Problem("standard_errors", "the DWLS information matrix is singular: the "
                                "model is not identified, at least empirically; standard errors "
                                "are not available", "error"))
    test = ScaledTest(chi2, model.df, trace, trace2)
    base = baseline_test(stats)
    sem.fit_ = _fit_indices(test, base, est, theta, stats, len(groups))
    frame, resid = param_frame(model, theta, vcov if se else None, labels, _std_values)
    problems += _negative_residuals(resid, observed, labels)
    sem.params_ = frame
    names = [f"p{k + 1}" for k in range(model.n_free)]
    sem.vcov_ = pd.DataFrame(vcov, index=names, columns=names) if vcov is not None and se else None
    sem.partable_ = model.table.to_frame()
    sem.groups_, sem.group_, sem.missing_ = labels, group, missing
    sem.meanstructure_ = len(groups) > 1
    sem.converged_, sem.iterations_ = bool(converged), int(iterations)
    sem.gradient_norm_ = math.nan
    sem.estimator_, sem.information_ = "wlsmv", "expected"
    sem.n_obs_ = {g.label: g.n for g in groups}
    sem.n_patterns_ = {g.label: g.n_patterns for g in groups}
    sem.n_dropped_ = {"all_missing": {g.label: g.n_empty for g in groups},
                      "listwise": info["n_listwise_dropped"], "group_missing": info["n_group_missing"]}
    obs = list(observed)
    sem.coverage_ = {g.label: pd.DataFrame(g.coverage, index=obs, columns=obs) for g in groups}
    sem.missing_share_ = pd.DataFrame({g.label: 1 - g.observed_share for g in groups}, index=obs)
    sem.thresholds_ = {lab: pd.Series(st.th, index=[f"{obs[v]}|t{k + 1}" for v, n in enumerate(n_th)
                                                    for k in range(n)]) for lab, st in zip(labels, stats)}
    sem.polychoric_ = {lab: pd.DataFrame(st.cor, index=obs, columns=obs) for lab, st in zip(labels, stats)}
    sem.implied_ = {}
    sem.r2_, sem.latent_cor_ = {}, {}
    lat = list(model.ram.latent)
    for g, lab in enumerate(labels):
        m = model.group_moments(theta, g)
        cor = np.eye(len(obs))
        i, j = model.pairs[:, 0], model.pairs[:, 1]
        cor[i, j] = cor[j, i] = m[len(model.th_var):]
        sem.implied_[lab] = {"cov": pd.DataFrame(cor, index=obs, columns=obs),
                             "mean": pd.Series(np.zeros(len(obs)), index=obs)}
        d = model.scales(theta, g)
        sem.r2_[lab] = pd.Series(1.0 - resid[g] * d ** 2, index=obs)
        V = model.ram.parts(theta[: model.n_ram], g)["V"][len(obs):, len(obs):]
        sd = np.sqrt(np.clip(np.diag(V), 1e-300, None))
        sem.latent_cor_[lab] = pd.DataFrame(V / np.outer(sd, sd), index=lat, columns=lat)
    sem.problems_ = problems
    sem._theta, sem._ram, sem._objective, sem._groups = theta, model.ram, None, groups
    sem._categorical, sem._wls = model, est
    return sem


def _negative_residuals(resid, observed, labels) -> list[Problem]:
    out = []
    for g, r in enumerate(resid):
        bad = [observed[j] for j in np.flatnonzero(r < 0)]
        if bad:
            out.append(Problem("heywood", f"negative residual variance of the latent response of "
                               f"{', '.join(bad)} (a standardized loading above 1): an improper "
                               f"solution", "error", labels[g] or None))
    return out


def _std_values(model: CategoricalModel, theta, g: int) -> np.ndarray:
    """Standardized values (std.all) of the RAM slots of group ``g`` with the computed
    residual variances in place of the placeholders; ``Var(y*_j) = 1/Delta_j^2``."""
    ram = model.ram
    vals = ram.slot_values(theta[: model.n_ram], g).copy()
    sl = ram.slots[g]
    resid = model.residual_variances(theta, g)
    p = len(model.observed)
    placeholder = (sl.kind == 1) & (sl.i == sl.j) & (sl.i < p)
    vals[placeholder] = resid[sl.i[placeholder]]
    return _std_stack(ram, g, vals[None])[0]


def _fit_indices(test: ScaledTest, base: ScaledTest, est: WlsmvFit, theta, stats, ngroups) -> FitIndices:
    N = int(sum(st.n for st in stats))
    srmr = []
    for g, st in enumerate(stats):
        m = est.model.group_moments(theta, g)
        res = st.moments[len(st.th):] - m[len(st.th):]
        p = st.cor.shape[0]
        srmr.append(math.sqrt(float(res @ res) / (p * (p + 1) / 2)))
    x2s, bx2s = test.scaled, base.scaled
    nan = math.nan
    return FitIndices(
        chi2=test.chi2, df=test.df, pvalue=chi2_pvalue(test.chi2, test.df),
        baseline_chi2=base.chi2, baseline_df=base.df, baseline_pvalue=chi2_pvalue(base.chi2, base.df),
        cfi=cfi(test.chi2, test.df, base.chi2, base.df), tli=tli(test.chi2, test.df, base.chi2, base.df),
        rmsea=rmsea(test.chi2, test.df, N, ngroups), rmsea_ci=rmsea_ci(test.chi2, test.df, N, ngroups),
        rmsea_pvalue=rmsea_close_pvalue(test.chi2, test.df, N, ngroups),
        srmr=float(np.sum(est.n / N * np.array(srmr))), loglik=nan, unrestricted_loglik=nan,
        aic=nan, bic=nan, bic_adjusted=nan, npar=est.model.n_free, n_obs=N, n_groups=ngroups,
        chi2_by_group=tuple(float(est.n[g] * _group_f(est, theta, g)) for g in range(ngroups)),
        estimator="wlsmv", chi2_scaled=x2s, pvalue_scaled=chi2_pvalue(x2s, test.df),
        scaling_factor=1.0 / test.a if test.df > 0 else nan, baseline_chi2_scaled=bx2s,
        baseline_pvalue_scaled=chi2_pvalue(bx2s, base.df),
        baseline_scaling_factor=1.0 / base.a if base.df > 0 else nan,
        chi2_shift=test.shift if test.df > 0 else nan, baseline_chi2_shift=base.shift,
        cfi_scaled=cfi(x2s, test.df, bx2s, base.df), tli_scaled=tli(x2s, test.df, bx2s, base.df),
        rmsea_scaled=rmsea(x2s, test.df, N, ngroups),
        rmsea_scaled_ci=rmsea_ci(x2s, test.df, N, ngroups))


def _group_f(est: WlsmvFit, theta, g: int) -> float:
    e = est.s[g] - est.model.group_moments(theta, g)
    return float(e @ (est.w[g] * e))
