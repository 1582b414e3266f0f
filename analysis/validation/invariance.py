"""Measurement invariance across groups: configural, metric, scalar (and beyond).

Each level adds equality constraints to the previous one (lavaan's
``group.equal``) and is compared with it by the likelihood-ratio test (plain ML
difference test: ``delta chi2`` on ``delta df``) and by the change in fit
indices.  A level *holds* when CFI drops by at most .01 (Cheung & Rensvold,
2002); Chen's (2007) criteria are reported beside it: RMSEA rises by at most
.015 and SRMR by at most .030 (metric) or .010 (scalar and stricter levels).

With ``estimator="mlr"`` (robust ML, lavaan's ``estimator = "MLR"``) every level
also has its Yuan-Bentler scaled chi-square, scaling factor and robust
CFI/TLI/RMSEA; the difference test is then the scaled one of Satorra & Bentler
(2001), lavaan's ``lavTestLRT`` default, with the strictly positive version
(Satorra & Bentler 2010) beside it, and the changes in CFI and RMSEA (and the
verdicts) use the robust indices (Brosseau-Liard & Savalei 2014).

With ``estimator="wlsmv"`` (ordinal items, :mod:`analysis.sem.wls`) the levels are
identified as Wu & Estabrook (2016): metric holds thresholds *and* loadings equal,
scalar adds the intercepts of the latent responses; the difference test is the
mean-and-variance adjusted DIFFTEST (lavaan's ``lavTestLRT(method =
"satorra.2000")``, :mod:`analysis.sem.wls_difftest`) and the changes in CFI and
RMSEA use lavaan's scaled indices (``cfi.scaled``, ``rmsea.scaled``); the score tests
are lavaan's DWLS ones (:mod:`analysis.sem.wls_score`), and the partial-invariance search
releases thresholds or loadings at the metric level and intercepts at the scalar level
(:mod:`analysis.validation.partial`).

=============  ===========================================
level          parameters equal across groups
=============  ===========================================
configural     none (same pattern of loadings)
metric         loadings
scalar         loadings, intercepts
strict         loadings, intercepts, residual variances
means          loadings, intercepts, latent means
=============  ===========================================

References
----------
Meredith, W. (1993). Measurement invariance, factor analysis and factorial
    invariance. *Psychometrika*, 58(4), 525-543.
Cheung, G. W., & Rensvold, R. B. (2002). Evaluating goodness-of-fit indexes for
    testing measurement invariance. *Structural Equation Modeling*, 9(2), 233-255.
Chen, F. F. (2007). Sensitivity of goodness of fit indexes to lack of
    measurement invariance. *Structural Equation Modeling*, 14(3), 464-504.
Rosseel, Y. (2012). lavaan. *Journal of Statistical Software*, 48(2), 1-36.
Satorra, A., & Bentler, P. M. (2001). A scaled difference chi-square test
    statistic for moment structure analysis. *Psychometrika*, 66(4), 507-514.
Satorra, A., & Bentler, P. M. (2010). Ensuring positiveness of the scaled
    difference chi-square test statistic. *Psychometrika*, 75(2), 243-248.

Example
-------
>>> from semopy.examples import holzinger39
>>> hs = "visual =~ x1 + x2 + x3\\ntextual =~ x4 + x5 + x6\\nspeed =~ x7 + x8 + x9"
>>> res = invariance_steps(hs, holzinger39.get_data(), "school", missing="listwise")
>>> res.table[["level", "chi2", "df"]].round(3).values.tolist()
[['configural', 115.851, 48], ['metric', 124.044, 54], ['scalar', 164.103, 60]]
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from analysis.common.display import Summary, SummaryTable
from analysis.common.errors import ModelError
from analysis.common.thresholds import DELTA_CFI, DELTA_RMSEA, DELTA_SRMR_METRIC, DELTA_SRMR_SCALAR
from analysis.sem import SEM
from analysis.sem.difftest import difference_test
from analysis.sem.h1cache import H1Cache
from analysis.sem.wls_difftest import wlsmv_difference_test
from analysis.sem.wls_score import intercept_score_rows
from analysis.validation.partial import (
    COMPARABILITY_COLUMNS, MISFIT_COLUMNS, PARTIAL_COLUMNS, SEARCH_KINDS, SEARCH_KINDS_WLSMV, comparability,
    factor_items, largest_score_tests, ranking_scores, search,
)

LEVELS: dict[str, tuple[str, ...]] = {
    "configural": (),
    "metric": ("loadings",),
    "scalar": ("loadings", "intercepts"),
    "strict": ("loadings", "intercepts", "residuals"),
    "means": ("loadings", "intercepts", "means"),
}

TABLE_COLUMNS = ("level", "group_equal", "chi2", "df", "pvalue", "cfi", "tli", "rmsea", "srmr",
                 "delta_chi2", "delta_df", "delta_pvalue", "delta_cfi", "delta_rmsea",
                 "delta_srmr", "holds", "chen_rmsea", "chen_srmr", "converged", "n_problems",
                 "estimator", "chi2_scaled", "scaling_factor", "cfi_robust", "tli_robust",
                 "rmsea_robust", "cfi_scaled", "tli_scaled", "rmsea_scaled", "delta_scaling",
                 "delta_chi2_sb2010", "delta_pvalue_sb2010",
                 "n_released")
DEFAULT_MAX_FREE = 5
N_MISFIT = 5


@dataclass(frozen=True)
class InvarianceResult:
    """Invariance steps: a tidy table and the fitted models.

    Attributes
    ----------
    table : DataFrame
        One row per level: fit (``chi2, df, pvalue, cfi, tli, rmsea, srmr``),
        change from the previous level (``delta_*``; ``delta_pvalue`` is the
        likelihood-ratio test), ``holds`` (Cheung & Rensvold: CFI drop ≤ .01),
        ``chen_rmsea`` / ``chen_srmr`` (Chen 2007), ``converged`` and the number
        of problems of the fit.  ``holds`` and Chen's verdicts are missing for the
        first level, when either fit did not converge, and when the level adds no
        degrees of freedom (``delta_df <= 0``: nothing was constrained, e.g. with
        ``group_partial`` exempting every added parameter).  With ``estimator="mlr"``:
        ``chi2_scaled, scaling_factor, cfi_robust, tli_robust, rmsea_robust``,
        ``delta_chi2``/``delta_pvalue`` the Satorra-Bentler (2001) scaled difference
        test with its scaling factor ``delta_scaling``, ``delta_chi2_sb2010`` /
        ``delta_pvalue_sb2010`` the 2010 version, and ``delta_cfi``/``delta_rmsea``
        from the robust indices (NaN in these columns with ``estimator="ml"``).  With
        ``estimator="wlsmv"``: ``chi2_scaled, scaling_factor, cfi_scaled, tli_scaled,
        rmsea_scaled`` (lavaan's scaled.shifted), ``delta_chi2``/``delta_pvalue`` the
        DIFFTEST with ``delta_scaling`` its ``1/a``, ``delta_cfi``/``delta_rmsea`` from
        the scaled indices.
        ``group_partial`` exempting every added parameter).  ``n_released``: the
        constraints released at earlier levels by the partial-invariance search
        (the level is fitted and compared with them released).
    fits : dict of str to SEM
        The fitted model of each level (every constraint of the level in place).
    partial : DataFrame
        One row per constraint released by the partial-invariance search (empty
        without ``partial=True`` or when no step failed): ``level, step``, the
        ``construct, item, parameter`` (``"loading"``/``"intercept"``) and ``group``
        released, the ``reference_group`` it was equal to, its score test before
        the release (``score_chi2, score_pvalue``; lavaan's ``lavTestScore``), the
        expected change ``epc`` / ``sepc_all`` of the group's parameter, and the fit
        after the release (``chi2, df, cfi`` -- the CFI the step is judged by: robust
        with MLR, scaled with WLSMV --, ``delta_cfi`` against the previous level and
        ``holds``).  With WLSMV, ``parameter`` is also ``"threshold t1"`` etc.
    partial_fits : dict of str to SEM
        The last model of each level searched.
    stops : dict of str to str
        Why each search stopped: ``"holds"``, ``"max_free"``, ``"no constraint left"``,
        ``"not converged"``.
    comparability : DataFrame
        Per factor: ``construct, n_items, invariant_loadings, invariant_intercepts,
        relations_comparable`` (metric holds, at least two invariant loadings),
        ``means_comparable`` (metric and scalar hold, at least two items with
        invariant loading and intercept), ``freed`` (what was released); see
        :mod:`analysis.validation.partial`.  Missing verdicts: the level was not tested.
    misfit : DataFrame
        The constraints most responsible for misfit: the :data:`N_MISFIT` largest
        score tests of the most constrained level (all its constraints in place):
        ``level, construct, item, parameter, group, reference_group, score_chi2,
        score_pvalue, epc, sepc_all``; empty when that level has no equality
        constraints or did not converge.
    """

    table: pd.DataFrame
    fits: dict
    partial: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(PARTIAL_COLUMNS)))
    partial_fits: dict = field(default_factory=dict)
    stops: dict = field(default_factory=dict)
    comparability: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=list(COMPARABILITY_COLUMNS)))
    misfit: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(MISFIT_COLUMNS)))

    def final_holds(self, level: str):
        """Whether ``level`` holds in the end (after any released constraints); None if untested."""
        return _final_holds(self.table, self.partial, level)

    def summary(self) -> Summary:
        """The table with the criteria used: text when printed, HTML in Jupyter."""
        cols = ["level", "chi2", "df", "cfi", "rmsea", "srmr", "delta_chi2", "delta_df",
                "delta_pvalue", "delta_cfi", "delta_rmsea", "delta_srmr", "holds"]
        notes = [f"holds: {DELTA_CFI}; beside it {DELTA_RMSEA}, {DELTA_SRMR_METRIC}, {DELTA_SRMR_SCALAR}"]
        for level, fit in self.fits.items():
            notes += [f"{level}: {p}" for p in fit.problems_ if p.severity == "error"]
        tables = [SummaryTable("", self.table[cols], notes=tuple(notes))]
        if len(self.partial):
            released = ["level", "step", "item", "parameter", "group", "score_chi2", "cfi", "delta_cfi", "holds"]
            tables.append(SummaryTable("Partial invariance: constraints released, largest score test first",
                                       self.partial[released],
                                       notes=("stopped: " + ", ".join(f"{k}: {v}" for k, v in self.stops.items()),)))
        if len(self.comparability):
            tables.append(SummaryTable("Comparable across groups per construct", self.comparability))
        return Summary("Measurement invariance", tuple(tables))

    def _repr_html_(self) -> str:
        return self.summary().as_html()


def _final_holds(table: pd.DataFrame, partial: pd.DataFrame, level: str):
    if level not in set(table["level"]):
        return None
    steps = partial[partial["level"] == level]
    value = steps["holds"].iloc[-1] if len(steps) else table.set_index("level").loc[level, "holds"]
    return None if pd.isna(value) else bool(value)


def _delta_row(level: str, fit: SEM, previous: SEM | None) -> dict:
    f = fit.fit_
    row = {"level": level, "group_equal": ", ".join(LEVELS[level]) or "-",
           "chi2": f.chi2, "df": f.df, "pvalue": f.pvalue, "cfi": f.cfi, "tli": f.tli,
           "rmsea": f.rmsea, "srmr": f.srmr, "converged": fit.converged_,
           "n_problems": len(fit.problems_), "estimator": f.estimator,
           "chi2_scaled": f.chi2_scaled, "scaling_factor": f.scaling_factor,
           "cfi_robust": f.cfi_robust, "tli_robust": f.tli_robust, "rmsea_robust": f.rmsea_robust,
           "cfi_scaled": f.cfi_scaled, "tli_scaled": f.tli_scaled, "rmsea_scaled": f.rmsea_scaled}
    nan = math.nan
    row.update(delta_chi2=nan, delta_df=nan, delta_pvalue=nan, delta_cfi=nan,
               delta_rmsea=nan, delta_srmr=nan, holds=pd.NA, chen_rmsea=pd.NA, chen_srmr=pd.NA,
               delta_scaling=nan, delta_chi2_sb2010=nan, delta_pvalue_sb2010=nan)
    if previous is None:
        return row
    p = previous.fit_
    robust = f.estimator == "mlr"
    kind = {"mlr": "_robust", "wlsmv": "_scaled"}.get(f.estimator, "")
    cfi_now, cfi_before = getattr(f, "cfi" + kind), getattr(p, "cfi" + kind)
    rmsea_now, rmsea_before = getattr(f, "rmsea" + kind), getattr(p, "rmsea" + kind)
    d_chi2, d_df = f.chi2 - p.chi2, f.df - p.df
    row.update(delta_chi2=d_chi2, delta_df=d_df,
               delta_pvalue=float(stats.chi2.sf(d_chi2, d_df)) if d_df > 0 else nan,
               delta_cfi=cfi_now - cfi_before, delta_rmsea=rmsea_now - rmsea_before,
               delta_srmr=f.srmr - p.srmr)
    if robust and d_df > 0 and fit.converged_ and previous.converged_:
        sb01 = difference_test(fit, previous, "satorra.bentler.2001")
        sb10 = difference_test(fit, previous, "satorra.bentler.2010")
        row.update(delta_chi2=sb01.chi2, delta_pvalue=sb01.pvalue, delta_scaling=sb01.scaling_factor,
                   delta_chi2_sb2010=sb10.chi2, delta_pvalue_sb2010=sb10.pvalue)
    if f.estimator == "wlsmv" and d_df > 0 and fit.converged_ and previous.converged_:
        try:
            diff = wlsmv_difference_test(fit, previous)
            row.update(delta_chi2=diff.chi2, delta_pvalue=diff.pvalue, delta_scaling=diff.scaling_factor)
        except (np.linalg.LinAlgError, ValueError):
            row.update(delta_chi2=nan, delta_pvalue=nan)     # singular information: no test
    if fit.converged_ and previous.converged_ and d_df > 0:
        srmr_rule = DELTA_SRMR_METRIC if level == "metric" else DELTA_SRMR_SCALAR
        row.update(holds=DELTA_CFI.holds(-(cfi_now - cfi_before)),
                   chen_rmsea=DELTA_RMSEA.holds(rmsea_now - rmsea_before),
                   chen_srmr=srmr_rule.holds(f.srmr - p.srmr))
    return row


def invariance_steps(model: str, data: pd.DataFrame, group: str,
                     levels=("configural", "metric", "scalar"), *, missing: str = "ml",
                     std_lv: bool = False, group_partial=(), estimator: str = "ml",
                     partial: bool = False, max_free: int = DEFAULT_MAX_FREE,
                     **fit_options) -> InvarianceResult:
    """Fit a sequence of increasingly constrained multiple-group models.

    Parameters
    ----------
    model : str
        Measurement model in lavaan syntax.
    data : DataFrame
        One row per respondent.
    group : str
        Grouping column.
    levels : sequence of str
        Levels in order, each adding constraints to the previous one; from
        ``"configural"``, ``"metric"``, ``"scalar"``, ``"strict"``, ``"means"``.
    missing : {"ml", "listwise"}
        Passed to :meth:`SEM.fit`.
    std_lv : bool
        Identify factors by their variances (lavaan frees them in later groups
        once loadings are equal).
    group_partial : sequence of str
        Parameters exempt from the constraints (partial invariance), e.g.
        ``["x3~1"]``.
    estimator : {"ml", "mlr", "wlsmv"}
        Passed to :meth:`SEM.fit`; ``"mlr"`` adds the robust statistics and makes
        the difference test the scaled one, ``"wlsmv"`` treats the items as ordinal
        (see the module docstring).
    partial : bool
        When the metric or scalar level fails (``holds`` is False), release its
        equality constraints one at a time, largest score test first, until it
        holds (see :mod:`analysis.validation.partial`); the next level is fitted
        with them released.  With ``estimator="mlr"`` the constraints are ranked
        by Satorra's (2000) robust score tests (:func:`partial.ranking_scores`).
    max_free : int
        At most this many constraints released per level.
    **fit_options
        Further keyword arguments for :meth:`SEM.fit` (``max_iter``, ``se``).

    Returns
    -------
    InvarianceResult

    Raises
    ------
    ModelError
        Unknown level, levels that are not nested in the order given, fewer than
        two groups in ``group``, or any input error of :meth:`SEM.fit`.
    """
    levels = tuple(levels)
    unknown = [lv for lv in levels if lv not in LEVELS]
    if unknown or not levels:
        raise ModelError(f"unknown invariance level(s) {unknown or levels}; use {list(LEVELS)}")
    for before, after in zip(levels, levels[1:]):
        if not set(LEVELS[before]) < set(LEVELS[after]):
            raise ModelError(f"level '{after}' does not add constraints to '{before}'; "
                             f"give levels from least to most constrained")
    if isinstance(data, pd.DataFrame) and group in data.columns:
        n_groups = data[group].nunique(dropna=True)
        if n_groups < 2:
            raise ModelError(f"measurement invariance compares groups: the group column '{group}' has "
                             f"{n_groups} group(s), two or more are needed")
    fits: dict[str, SEM] = {}
    rows, previous, steps, partial_fits, stops = [], None, [], {}, {}
    released = list(group_partial)
    owner: dict[str, str] = {}
    computed: dict[int, tuple] = {}
    # every level and every refit of the search fits the same data: the saturated and
    # baseline models' quantities (EM moments, robust ML's H1 parts) are computed once
    h1_cache = H1Cache()

    def scores_of(fit):
        # the same fit's score tests serve the search and the misfit table: computed once
        # (the fit is kept with them, so that its id cannot be reused by another fit)
        if id(fit) not in computed:
            # with MLR the robust score tests rank the constraints (partial.ranking_scores)
            if estimator == "wlsmv":
                computed[id(fit)] = (fit, _wlsmv_scores(fit))
            else:
                computed[id(fit)] = (fit, ranking_scores(fit.score_tests()))
        return computed[id(fit)][1]

    for level in levels:
        def refit(entries, level=level):
            return SEM(model, std_lv=std_lv).fit(data, group=group, group_equal=LEVELS[level],
                                                 group_partial=entries, missing=missing,
                                                 estimator=estimator, h1_cache=h1_cache, **fit_options)

        fit = refit(tuple(released))
        fits[level] = fit
        row = _delta_row(level, fit, previous)
        row["n_released"] = len(released) - len(group_partial)
        rows.append(row)
        owner = owner or {i: f for f, items in factor_items(fit).items() for i in items}
        if partial and level in ("metric", "scalar") and row["holds"] is False:
            def judge(candidate, level=level, previous=previous):
                verdict = _delta_row(level, candidate, previous)
                return verdict["delta_cfi"], (None if pd.isna(verdict["holds"]) else bool(verdict["holds"]))

            kinds = (SEARCH_KINDS_WLSMV if estimator == "wlsmv" else SEARCH_KINDS)[level]
            found, fit, released, stops[level] = search(level, fit, refit, judge, released, max_free=max_free,
                                                        owner=owner, scores_of=scores_of, kinds=kinds)
            steps += found
            partial_fits[level] = fit
        previous = fit
    table = pd.DataFrame(rows).loc[:, list(TABLE_COLUMNS)]
    for col in ("holds", "chen_rmsea", "chen_srmr"):
        table[col] = table[col].astype("boolean")
    table["delta_df"] = table["delta_df"].astype(float)
    partial_table = pd.DataFrame(steps, columns=list(PARTIAL_COLUMNS))
    partial_table["holds"] = partial_table["holds"].astype("boolean")
    metric = _final_holds(table, partial_table, "metric")
    scalar = _final_holds(table, partial_table, "scalar")
    # a parameter exempt in every group (a string entry) is not invariant either
    entries = [e if isinstance(e, tuple) else ("".join(str(e).split()), "every group") for e in released]
    comp = comparability(factor_items(fits[levels[0]]), entries, metric,
                         None if scalar is None else bool(scalar and metric is not False))
    return InvarianceResult(table=table, fits=fits, partial=partial_table, partial_fits=partial_fits,
                            stops=stops, comparability=comp,
                            misfit=largest_score_tests(levels[-1], fits[levels[-1]], scores_of, N_MISFIT))


def _wlsmv_scores(fit) -> pd.DataFrame:
    """The univariate score tests of a WLSMV fit: its equality constraints (thresholds and
    loadings) and the fixed intercepts of groups after the first (their modification indices).
    A threshold whose release would leave fewer than two of its item's thresholds equal in that
    group is left out (not identified, Wu & Estabrook 2016)."""
    if not fit.converged_:
        raise ModelError("the model did not converge, so score tests are not available")
    try:
        uni = fit.score_tests().univariate
    except ModelError:             # no equality constraints (only fixed intercepts to free)
        uni = pd.DataFrame()
    frames = [f for f in (uni, intercept_score_rows(fit)) if len(f)]
    if not frames:
        raise ModelError("the model has no constraints to release")
    out = pd.concat(frames, ignore_index=True)
    model = fit._categorical
    group_of = {label: g for g, label in enumerate(fit.groups_)}

    def identified(r) -> bool:
        if r.op != "|":
            return True
        j, g = model.observed.index(r.lhs), group_of[r.group]
        at = model.th_var_of(j)
        return int(np.sum(model.th_index[g][at] == model.th_index[0][at])) - 1 >= 2

    keep = [identified(r) for r in out.itertuples()]
    return out[keep].reset_index(drop=True)


__all__ = ["invariance_steps", "InvarianceResult", "LEVELS", "DEFAULT_MAX_FREE"]
