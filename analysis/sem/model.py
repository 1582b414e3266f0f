"""The :class:`SEM` estimator: CFA/SEM by maximum likelihood, lavaan-compatible.

References
----------
Jöreskog, K. G. (1969). A general approach to confirmatory maximum likelihood
    factor analysis. *Psychometrika*, 34(2), 183-202.
Bollen, K. A. (1989). *Structural Equations with Latent Variables*. Wiley.
Arbuckle, J. L. (1996). Full information estimation in the presence of
    incomplete data. In *Advanced Structural Equation Modeling*, 243-277.
Enders, C. K. (2001). A primer on maximum likelihood algorithms available for
    use with missing data. *Structural Equation Modeling*, 8(1), 128-141.
Rosseel, Y. (2012). lavaan: An R package for structural equation modeling.
    *Journal of Statistical Software*, 48(2), 1-36.
Hu, L., & Bentler, P. M. (1999). Cutoff criteria for fit indexes in covariance
    structure analysis. *Structural Equation Modeling*, 6(1), 1-55.
"""
from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
from scipy import stats

from analysis.common.display import Summary
from analysis.common.errors import ModelError
from analysis.common.threads import limit_blas_threads
from analysis.sem import report
from analysis.sem.data import prepare_groups, single_pattern
from analysis.sem.estimate import Objective, fisher_scoring
from analysis.sem.h1 import baseline_df, baseline_loglik, saturated_moments
from analysis.sem.indices import FitIndices, compute_fit_indices, srmr_group
from analysis.sem.casewise import parameter_meat
from analysis.sem.modindices import modification_indices
from analysis.sem.h1cache import H1Cache
from analysis.sem.robust import mlr_statistics, sandwich
from analysis.sem.scoretest import ScoreTests, score_tests
from analysis.sem.problems import (Problem, data_problems, heywood_problems, matrix_problems, not_pd,
                                   sample_size_problems)
from analysis.sem.representation import RamModel
from analysis.sem.spec import build_partable, group_numbers, variable_roles
from analysis.sem.standardize import latent_correlations, r_squared, std_all, std_all_se
from analysis.sem.start import start_values
from analysis.sem.syntax import parse_syntax
from analysis.sem.wls import fit_wlsmv
from analysis.sem.wls_score import wlsmv_modification_indices, wlsmv_score_tests

DEGENERATE_MAX_ITER = 50
ESTIMATORS = ("ml", "mlr", "wlsmv")
PARAM_COLUMNS = ("lhs", "op", "rhs", "group", "label", "free", "est", "se", "z", "pvalue",
                 "ci_lower", "ci_upper", "std_all", "std_se", "std_pvalue", "fmi")


class SEM:
    """Structural equation model estimated by (full-information) maximum likelihood.

    Parameters
    ----------
    model : str
        Model in lavaan syntax (``=~``, ``~``, ``~~``, ``~ 1``, modifiers).
    std_lv : bool, default False
        Scale latent variables by fixing their variances to 1 (all loadings
        free) instead of fixing the first loading to 1.
    meanstructure : bool or None, default None
        Model means and intercepts.  ``None`` follows lavaan: yes with
        ``missing="ml"``, several groups, ``~ 1`` in the syntax or equal
        intercepts/means.  ``False`` is overridden when means are required.
    orthogonal : bool, default False
        Fix covariances among exogenous latent variables to zero.

    Attributes
    ----------
    params_ : DataFrame
        One row per parameter and group: ``lhs, op, rhs`` (lavaan notation),
        ``group`` (label, "" for one group), ``label`` (user label), ``free``,
        ``est``, ``se``, ``z``, ``pvalue``, ``ci_lower``/``ci_upper`` (95%),
        ``std_all`` (completely standardized), ``std_se``, ``std_pvalue``
        (delta method), ``fmi`` (fraction of missing information, ``missing="ml"``
        only: lavaan's ``1 - SE_complete^2 / SE^2``, complete-data SEs from the EM
        moments; it can be negative where the model fits badly).
    fit_ : FitIndices
        chi2, df, pvalue, cfi, tli, rmsea, rmsea_ci, srmr, loglik, aic, bic, ...
    problems_ : list of Problem
        Non-convergence, Heywood cases, non-positive-definite matrices, too few
        respondents, missing-data issues.  Empty when nothing is wrong.
    converged_ : bool
    iterations_ : int
    n_obs_ : dict
        Respondents used per group label.
    n_dropped_ : dict
        ``all_missing`` (rows with every variable missing, per group),
        ``listwise`` and ``group_missing`` counts.
    implied_ : dict
        Per group label: ``{"cov": DataFrame, "mean": Series}``.
    coverage_ : dict
        Per group label: share of respondents observing each pair of variables
        (``lavInspect(fit, "coverage")``); the diagonal is each variable's share.
    r2_, latent_cor_ : dict
        R² of indicators/dependent variables and latent correlations per group.
    information_ : str
        ``"expected"`` (complete data) or ``"observed"`` (``missing="ml"``).

    References
    ----------
    .. [1] Jöreskog, K. G. (1969). A general approach to confirmatory maximum
       likelihood factor analysis. *Psychometrika*, 34(2), 183-202.
    .. [2] Bollen, K. A. (1989). *Structural Equations with Latent Variables*. Wiley.
    .. [3] Arbuckle, J. L. (1996). Full information estimation in the presence of
       incomplete data. In *Advanced Structural Equation Modeling*, 243-277.
    .. [4] Enders, C. K. (2001). A primer on maximum likelihood algorithms
       available for use with missing data. *Structural Equation Modeling*,
       8(1), 128-141.
    .. [5] Rosseel, Y. (2012). lavaan: An R package for structural equation
       modeling. *Journal of Statistical Software*, 48(2), 1-36.
    .. [6] Hu, L., & Bentler, P. M. (1999). Cutoff criteria for fit indexes in
       covariance structure analysis. *Structural Equation Modeling*, 6(1), 1-55.

    Examples
    --------
    >>> from semopy.examples import holzinger39
    >>> hs = "visual =~ x1 + x2 + x3\\ntextual =~ x4 + x5 + x6\\nspeed =~ x7 + x8 + x9"
    >>> fit = SEM(hs).fit(holzinger39.get_data(), missing="listwise")
    >>> round(fit.fit_.chi2, 3), fit.fit_.df
    (85.306, 24)
    """

    def __init__(self, model: str, *, std_lv: bool = False, meanstructure: bool | None = None,
                 orthogonal: bool = False) -> None:
        self.model = model
        self.std_lv = bool(std_lv)
        self.meanstructure = meanstructure
        self.orthogonal = bool(orthogonal)
        self.statements = parse_syntax(model)

    # ------------------------------------------------------------------ fit
    def fit(self, data: pd.DataFrame, *, group: str | None = None, group_equal=(),
            group_partial=(), missing: str = "ml", se: bool = True,
            max_iter: int = 200, estimator: str = "ml", h1_cache: H1Cache | None = None,
            fmi: bool = True) -> "SEM":
        """Estimate the model.

        Parameters
        ----------
        data : DataFrame or PatternData
            One row per respondent; columns named as the observed variables. Or one
            group's pattern statistics (:mod:`analysis.sem.patterns`; ``estimator="ml"``).
        group : str, optional
            Column defining groups (multiple-group model).
        group_equal : sequence of str
            Parameters held equal across groups: ``"loadings"``, ``"intercepts"``,
            ``"means"``, ``"residuals"``, ``"residual.covariances"``,
            ``"lv.variances"``, ``"lv.covariances"``, ``"regressions"``.
        group_partial : sequence of str or (str, str)
            Exceptions to ``group_equal``, e.g. ``["visual=~x2", "x3~1"]`` (in every
            group, as lavaan's ``group.partial``); a pair ``("x3~1", "Telecom")``
            releases that group's copy only (the others stay equal).
        missing : {"ml", "listwise"}
            ``"ml"``: full-information ML using every observed value (rows with
            all variables missing are dropped and counted); ``"listwise"``: only
            complete rows (lavaan's default).
        se : bool
            Compute standard errors (and standardized SEs).
        estimator : {"ml", "mlr"}
            ``"ml"``: normal-theory ML.  ``"mlr"``: the same estimates with
            lavaan's ``estimator = "MLR"`` inference -- Huber-White (sandwich)
            standard errors on the observed information, the Yuan-Bentler scaled
            chi-square and robust CFI/TLI/RMSEA in ``fit_`` (see
            :mod:`analysis.sem.robust`).  Modification indices stay the
            normal-theory ones (as lavaan's); score tests add Satorra's robust ones.
            ``"wlsmv"``: the items are ordinal -- thresholds
            and polychoric correlations fitted by DWLS with robust standard errors
            and the mean-and-variance adjusted chi-square, lavaan's
            ``estimator = "WLSMV"`` in the delta parameterisation, missing answers
            pairwise with ``missing="ml"`` (see :mod:`analysis.sem.wls`;
            ``group_equal`` takes ``"thresholds"``, ``"loadings"``, ``"intercepts"``,
            identified as Wu & Estabrook 2016); no modification indices or score tests.
        max_iter : int
            Maximum iterations (Fisher scoring, then Newton); a well-posed model
            converges in well under 50.  When the sample or EM covariance matrix
            is singular the likelihood has no maximum and at most 50 are run.
        h1_cache : H1Cache, optional
            Shared by fits of the same data (the invariance steps): the saturated
            and baseline models' quantities are computed once (:mod:`analysis.sem.h1cache`).
        fmi : bool, default True
            ``False``: no fraction of missing information (``params_.fmi`` NaN; one information matrix less).

        Returns
        -------
        SEM
            ``self``, with the fitted attributes set.

        Raises
        ------
        ModelError
            Inputs that make fitting impossible: unknown variables, no usable
            rows, an unidentified specification, bad options.
        """
        with limit_blas_threads(1):
            return self._fit(data, group, group_equal, group_partial, missing, se, max_iter,
                             estimator, h1_cache if h1_cache is not None else H1Cache(private=True), fmi)

    def _fit(self, data, group, group_equal, group_partial, missing, se, max_iter,
             estimator, cache, want_fmi=True) -> "SEM":
        for name in [a for a in vars(self) if a.endswith("_") and not a.startswith("_")]:
            delattr(self, name)   # results of an earlier fit must not survive a failed refit
        group_equal = (group_equal,) if isinstance(group_equal, str) else group_equal
        group_partial = (group_partial,) if isinstance(group_partial, str) else group_partial
        if group is None and group_equal:
            raise ModelError("group_equal needs a group column (group=...)")
        if not isinstance(max_iter, int) or max_iter < 1:
            raise ModelError("max_iter must be a positive integer")
        if estimator not in ESTIMATORS:
            raise ModelError(f"estimator must be one of {ESTIMATORS}, got {estimator!r}")
        if estimator == "wlsmv":
            return fit_wlsmv(self, data, group, group_equal, missing, se, max_iter, group_partial)
        roles = variable_roles(self.statements)
        groups, info = prepare_groups(data, roles.observed, group=group, missing=missing,
                                      first_line=roles.first_line)
        labels = [g.label for g in groups]
        if groups[0].values is None and estimator == "mlr":
            raise ModelError("estimator='mlr' needs every respondent's scores: pass the rows, not pattern statistics")
        needs_means = (missing == "ml" or any(s.op == "~1" for s in self.statements)
                       or bool({"intercepts", "means"} & set(group_equal)))
        meanstructure = (needs_means or len(groups) > 1) if self.meanstructure is None \
            else (bool(self.meanstructure) or needs_means)
        table = build_partable(self.statements, ngroups=len(groups), meanstructure=meanstructure,
                               std_lv=self.std_lv, orthogonal=self.orthogonal, group_equal=tuple(group_equal),
                               group_partial=group_numbers(group_partial, labels))
        model = RamModel(table)
        problems: list[Problem] = []
        problems += sample_size_problems({g.label: g.n for g in groups}, model.p, table.n_free,
                                         all(g.complete for g in groups))
        saturated = [cache.get("saturated", (g,), (), lambda g=g: saturated_moments(g)) for g in groups]
        for g, sat in zip(groups, saturated):
            problems += data_problems(g, sat)
        theta0 = start_values(model, [(s.mean, s.cov) for s in saturated])
        incomplete = missing == "ml" and not all(g.complete for g in groups)
        degenerate = any(not_pd(s.cov) or np.isnan(s.loglik) for s in saturated)
        if degenerate:
            # a singular sample/EM covariance matrix: the likelihood has no maximum, so
            # iterate only far enough to show where the estimates go (reported as errors)
            max_iter = min(max_iter, DEGENERATE_MAX_ITER)
        near = False        # Warm start: the ML fit to the EM moments is cheap and close to the FIML solution
        if incomplete and not degenerate:
            warm = Objective(model, [single_pattern(s.mean, s.cov, g.n) for s, g in zip(saturated, groups)],
                             [g.n for g in groups], [s.mean for s in saturated])
            first = fisher_scoring(warm, theta0, max_iter=max_iter, tol=1e-8, newton_below=0.0)
            if np.isfinite(first.value):
                theta0, near = first.theta, True
        objective = Objective(model, [g.batches for g in groups], [g.n for g in groups],
                              [g.mean for g in groups])
        result = fisher_scoring(objective, theta0, max_iter=max_iter, near=near)
        theta = result.theta
        if not result.converged:
            problems.append(Problem(
                "nonconvergence",
                f"the estimation did not converge: {result.message} after {result.iterations} "
                f"iterations (largest gradient element {result.gradient_norm:.2e}); estimates, "
                f"standard errors and fit indices are not valid", "error"))
        # lavaan: MLR uses the observed information also with complete data
        self.information_ = "observed" if missing == "ml" or estimator == "mlr" else "expected"
        self.estimator_ = estimator
        reuse = None
        if result.information is not None and result.information_observed == (self.information_ == "observed"):
            reuse = result.information
        if estimator == "mlr" and reuse is None and np.isfinite(result.value) and len(theta):
            reuse = objective.information(theta, observed=True)
        vcov = self._vcov(objective, theta, se and np.isfinite(result.value), problems, reuse)
        implied = objective.moments(theta)
        if vcov is not None and estimator == "mlr":
            vcov = sandwich(reuse, parameter_meat(model, theta, [g.values for g in groups],
                                                  implied, meanstructure))

        # fit indices
        ll_h0 = objective.loglik_groups(theta) if np.isfinite(result.value) else np.full(len(groups), np.nan)
        srmr = [srmr_group(s.cov, s.mean, sig, mu, meanstructure)
                for s, (sig, mu) in zip(saturated, implied)]
        exogenous = tuple(model.observed.index(v) for v in table.roles.observed_exogenous)
        self.fit_: FitIndices = compute_fit_indices(
            loglik_h0=ll_h0, loglik_h1=[s.loglik for s in saturated],
            loglik_base=[baseline_loglik(g, exogenous) for g in groups], n=[g.n for g in groups],
            npar=table.n_free, df=table.df,
            df_base=baseline_df(model.p, len(exogenous), len(groups)), srmr_by_group=srmr)
        if estimator == "mlr":
            self.fit_ = self._robust(model, theta, reuse, groups, saturated, implied, exogenous,
                                     meanstructure, cache)

        # parameter table
        est = np.array([r.value if not r.free else theta[r.free - 1] for r in table.rows])
        std = std_all(model, theta)
        problems += heywood_problems(table.rows, est, std, set(model.observed), labels)
        problems += matrix_problems(model, theta, labels)
        fmi = (self._fmi(model, theta, saturated, groups, vcov)
               if want_fmi and missing == "ml" and vcov is not None and not degenerate else None)
        self.params_ = self._param_frame(table, est, std, theta, vcov, fmi, labels, model)
        self.partable_ = table.to_frame()
        self.vcov_ = (pd.DataFrame(vcov, index=_free_names(table), columns=_free_names(table))
                      if vcov is not None else None)

        # descriptive attributes
        self.groups_ = labels
        self.group_ = group
        self.missing_ = missing
        self.meanstructure_ = meanstructure
        self.converged_, self.iterations_ = bool(result.converged), int(result.iterations)
        self.gradient_norm_ = result.gradient_norm
        self.n_obs_ = {g.label: g.n for g in groups}
        self.n_patterns_ = {g.label: g.n_patterns for g in groups}
        self.n_dropped_ = {"all_missing": {g.label: g.n_empty for g in groups},
                           "listwise": info["n_listwise_dropped"],
                           "group_missing": info["n_group_missing"]}
        obs = list(model.observed)
        self.coverage_ = {g.label: pd.DataFrame(g.coverage, index=obs, columns=obs) for g in groups}
        self.missing_share_ = pd.DataFrame({g.label: 1 - g.observed_share for g in groups}, index=obs)
        self.implied_ = {lab: {"cov": pd.DataFrame(sig, index=obs, columns=obs),
                               "mean": pd.Series(mu, index=obs)}
                         for lab, (sig, mu) in zip(labels, implied)}
        self.r2_ = {labels[g - 1]: pd.Series(v, dtype=float) for g, v in r_squared(model, std).items()}
        lat = list(model.latent)
        self.latent_cor_ = {labels[g]: pd.DataFrame(latent_correlations(model, theta, g), index=lat, columns=lat)
                            for g in range(len(groups))}
        self.problems_ = problems
        self._theta = theta
        self._ram = model
        objective.release()          # a fitted model keeps its data, not the last evaluation's factors
        self._objective = objective
        self._groups = groups
        return self

    # -------------------------------------------------------------- helpers
    def _robust(self, model, theta, information, groups, saturated, implied, exogenous,
                meanstructure, cache) -> FitIndices:
        f = self.fit_
        if information is None or not np.isfinite(f.chi2):
            return dataclasses.replace(f, estimator="mlr")
        try:
            r = mlr_statistics(model=model, theta=theta, information=information, groups=groups,
                               saturated=saturated, implied=implied, exogenous=exogenous,
                               meanstructure=meanstructure, chi2=f.chi2, df=f.df,
                               chi2_base=f.baseline_chi2, df_base=f.baseline_df, cache=cache)
        except np.linalg.LinAlgError:
            return dataclasses.replace(f, estimator="mlr")
        stats = dataclasses.asdict(r)
        self._trace_h0 = stats.pop("trace_h0")
        return dataclasses.replace(f, estimator="mlr", **stats)

    def _vcov(self, objective, theta, wanted, problems, info=None):
        if not wanted or len(theta) == 0:
            return None
        if info is None:
            info = objective.information(theta, observed=self.information_ == "observed")
        try:
            vcov = np.linalg.inv(info)
            ok = np.all(np.isfinite(vcov)) and np.all(np.diag(vcov) > 0)
            cond = np.linalg.cond(info)
        except np.linalg.LinAlgError:
            ok, cond = False, math.inf
        if not ok or cond > 1e12:
            involved = ()
            if np.all(np.isfinite(info)):
                # the parameters that move along the (near) null direction
                vec = np.linalg.eigh(info)[1][:, 0]
                names = _free_names(objective.model.table)
                involved = tuple(names[k] for k in np.flatnonzero(np.abs(vec) > 0.3 * np.abs(vec).max()))
            problems.append(Problem(
                "standard_errors",
                f"the {self.information_} information matrix is singular (condition number "
                f"{cond:.1e}): the model is not identified, at least empirically"
                + (f" (involved: {', '.join(involved)})" if involved else "")
                + "; standard errors are not available", "error", parameters=involved))
            return None
        return 0.5 * (vcov + vcov.T)

    @staticmethod
    def _fmi(model, theta, saturated, groups, vcov):
        """Fraction of missing information per free parameter, as lavaan's
        ``parameterEstimates(fmi = TRUE)``: ``1 - SE_complete^2 / SE^2`` where the
        complete-data SEs come from the observed information of an ML fit to the
        EM (saturated) moments, evaluated at the FIML estimates."""
        complete = Objective(model, [single_pattern(s.mean, s.cov, g.n) for s, g in zip(saturated, groups)],
                             [g.n for g in groups], [s.mean for s in saturated])
        try:
            v_com = np.diag(np.linalg.inv(complete.information(theta, observed=True)))
        except np.linalg.LinAlgError:
            return None
        return 1.0 - v_com / np.diag(vcov)

    @staticmethod
    def _param_frame(table, est, std, theta, vcov, fmi, labels, model) -> pd.DataFrame:
        rows = table.rows
        free_idx = np.array([r.free - 1 for r in rows])
        se = np.zeros(len(rows))
        if vcov is not None:
            sd = np.sqrt(np.diag(vcov))
            se = np.where(free_idx >= 0, sd[np.clip(free_idx, 0, None)], 0.0)
        else:
            se = np.where(free_idx >= 0, np.nan, 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            z = np.where(se > 0, est / se, np.nan)
        std_se = std_all_se(model, theta, vcov) if vcov is not None else np.full(len(rows), np.nan)
        with np.errstate(divide="ignore", invalid="ignore"):
            std_z = np.where(std_se > 0, std / std_se, np.nan)
        frame = pd.DataFrame({
            "lhs": [r.lhs for r in rows], "op": [r.op for r in rows], "rhs": [r.rhs for r in rows],
            "group": [labels[r.group - 1] for r in rows], "label": [r.label for r in rows],
            "free": free_idx >= 0, "est": est, "se": se, "z": z,
            "pvalue": 2 * stats.norm.sf(np.abs(z)),
            "ci_lower": est - stats.norm.ppf(0.975) * se, "ci_upper": est + stats.norm.ppf(0.975) * se,
            "std_all": std, "std_se": std_se, "std_pvalue": 2 * stats.norm.sf(np.abs(std_z)),
            "fmi": np.where(free_idx >= 0, fmi[np.clip(free_idx, 0, None)], np.nan)
            if fmi is not None else np.nan})
        return frame.loc[:, list(PARAM_COLUMNS)]

    # -------------------------------------------------------------- tests
    def modindices(self) -> pd.DataFrame:
        """Modification indices and (standardized) expected parameter changes.

        As ``lavaan::modindices(fit)`` with its defaults (expected information,
        ``cov.std = TRUE``); see :mod:`analysis.sem.modindices` for the
        definitions and the few differences, :mod:`analysis.sem.wls_score` for a
        WLSMV fit (lavaan's DWLS score and information).

        Returns
        -------
        DataFrame
            One row per parameter that could be added or freed, in lavaan's
            order: ``lhs, op, rhs, group, mi, epc, sepc_lv, sepc_all`` (lavaan's
            ``sepc.lv`` and ``sepc.all``; ``group`` is the group label, "" for one
            group).  Sort by ``mi`` for the largest.
        """
        self._check_fitted()
        if self.estimator_ == "wlsmv":
            return wlsmv_modification_indices(self)
        self._check_fitted(ml_only=True)
        return modification_indices(self)

    def score_tests(self, robust: bool | None = None) -> ScoreTests:
        """Score tests for releasing each equality constraint, and all at once.

        As ``lavaan::lavTestScore(fit)`` (expected information); see
        :mod:`analysis.sem.scoretest`, and :mod:`analysis.sem.wls_score` for a WLSMV
        fit (thresholds and loadings; no robust version, as lavaan).  Needs equality
        constraints (``group_equal`` or repeated labels).  ``robust`` (default: for
        ``estimator="mlr"``) adds Satorra's (2000) robust versions.
        """
        self._check_fitted()
        if self.estimator_ == "wlsmv":
            return wlsmv_score_tests(self)
        self._check_fitted(ml_only=True)
        return score_tests(self, robust=robust)

    def release_data(self) -> "SEM":
        """Drop the data a fitted model keeps for :meth:`modindices` and :meth:`score_tests`.

        Estimates, fit indices, problems and summaries stay; those two then need a refit.
        For many fits kept at once: a fit from pattern statistics holds them (as large as
        the respondents' rows or larger). Returns the model.
        """
        self._check_fitted()
        self._objective, self._groups = None, None
        return self

    # ------------------------------------------------------------ reporting
    def _check_fitted(self, ml_only: bool = False) -> None:
        if not hasattr(self, "fit_"):
            raise ModelError("the model has not been fitted yet: call .fit(data) first")
        if ml_only and self._groups is None:
            raise ModelError("this fitted model no longer holds its data (release_data): refit it with "
                             "SEM(...).fit(data) for modification indices and score tests")

    def summary(self, standardized: bool = True) -> Summary:
        """Readable report like lavaan's ``summary(fit, fit.measures = TRUE)``.

        Returns a :class:`~analysis.common.display.Summary`: ``print()`` shows the text,
        Jupyter the HTML tables.
        """
        self._check_fitted()
        return Summary(report.summary_text(self, standardized=standardized), html=report.summary_html(self))

    def _repr_html_(self) -> str:
        if not hasattr(self, "fit_"):
            return f"<pre>SEM (not fitted)\n{report.escape(self.model)}</pre>"
        return report.summary_html(self)

    def __repr__(self) -> str:
        if not hasattr(self, "fit_"):
            return f"SEM(not fitted, {len(self.statements)} model elements)"
        f = self.fit_
        return (f"SEM(chi2={f.chi2:.3f}, df={f.df}, cfi={f.cfi:.3f}, rmsea={f.rmsea:.3f}, "
                f"srmr={f.srmr:.3f}, n={f.n_obs}, problems={len(self.problems_)})")


def _free_names(table) -> list[str]:
    names = {}
    for r in table.rows:
        if r.free and r.free not in names:
            names[r.free] = f"{r.lhs}{r.op}{r.rhs}" + (f".g{r.group}" if r.group > 1 else "")
    return [names[k] for k in sorted(names)]

