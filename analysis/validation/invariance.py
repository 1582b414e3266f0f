"""Measurement invariance across groups: configural, metric, scalar (and beyond).

Each level adds equality constraints to the previous one (lavaan's
``group.equal``) and is compared with it by the likelihood-ratio test (plain ML
difference test: ``delta chi2`` on ``delta df``) and by the change in fit
indices.  A level *holds* when CFI drops by at most .01 (Cheung & Rensvold,
2002); Chen's (2007) criteria are reported beside it: RMSEA rises by at most
.015 and SRMR by at most .030 (metric) or .010 (scalar and stricter levels).

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
from dataclasses import dataclass

import pandas as pd
from scipy import stats

from analysis.common.display import Summary, SummaryTable
from analysis.common.errors import ModelError
from analysis.common.thresholds import DELTA_CFI, DELTA_RMSEA, DELTA_SRMR_METRIC, DELTA_SRMR_SCALAR
from analysis.sem import SEM

LEVELS: dict[str, tuple[str, ...]] = {
    "configural": (),
    "metric": ("loadings",),
    "scalar": ("loadings", "intercepts"),
    "strict": ("loadings", "intercepts", "residuals"),
    "means": ("loadings", "intercepts", "means"),
}

TABLE_COLUMNS = ("level", "group_equal", "chi2", "df", "pvalue", "cfi", "tli", "rmsea", "srmr",
                 "delta_chi2", "delta_df", "delta_pvalue", "delta_cfi", "delta_rmsea",
                 "delta_srmr", "holds", "chen_rmsea", "chen_srmr", "converged", "n_problems")


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
        ``group_partial`` exempting every added parameter).
    fits : dict of str to SEM
        The fitted model of each level.
    """

    table: pd.DataFrame
    fits: dict

    def summary(self) -> Summary:
        """The table with the criteria used: text when printed, HTML in Jupyter."""
        cols = ["level", "chi2", "df", "cfi", "rmsea", "srmr", "delta_chi2", "delta_df",
                "delta_pvalue", "delta_cfi", "delta_rmsea", "delta_srmr", "holds"]
        notes = [f"holds: {DELTA_CFI}; beside it {DELTA_RMSEA}, {DELTA_SRMR_METRIC}, {DELTA_SRMR_SCALAR}"]
        for level, fit in self.fits.items():
            notes += [f"{level}: {p}" for p in fit.problems_ if p.severity == "error"]
        return Summary("Measurement invariance", (SummaryTable("", self.table[cols], notes=tuple(notes)),))

    def _repr_html_(self) -> str:
        return self.summary().as_html()


def _delta_row(level: str, fit: SEM, previous: SEM | None) -> dict:
    f = fit.fit_
    row = {"level": level, "group_equal": ", ".join(LEVELS[level]) or "-",
           "chi2": f.chi2, "df": f.df, "pvalue": f.pvalue, "cfi": f.cfi, "tli": f.tli,
           "rmsea": f.rmsea, "srmr": f.srmr, "converged": fit.converged_,
           "n_problems": len(fit.problems_)}
    nan = math.nan
    row.update(delta_chi2=nan, delta_df=nan, delta_pvalue=nan, delta_cfi=nan,
               delta_rmsea=nan, delta_srmr=nan, holds=pd.NA, chen_rmsea=pd.NA, chen_srmr=pd.NA)
    if previous is None:
        return row
    p = previous.fit_
    d_chi2, d_df = f.chi2 - p.chi2, f.df - p.df
    row.update(delta_chi2=d_chi2, delta_df=d_df,
               delta_pvalue=float(stats.chi2.sf(d_chi2, d_df)) if d_df > 0 else nan,
               delta_cfi=f.cfi - p.cfi, delta_rmsea=f.rmsea - p.rmsea, delta_srmr=f.srmr - p.srmr)
    if fit.converged_ and previous.converged_ and d_df > 0:
        srmr_rule = DELTA_SRMR_METRIC if level == "metric" else DELTA_SRMR_SCALAR
        row.update(holds=DELTA_CFI.holds(-(f.cfi - p.cfi)),
                   chen_rmsea=DELTA_RMSEA.holds(f.rmsea - p.rmsea),
                   chen_srmr=srmr_rule.holds(f.srmr - p.srmr))
    return row


def invariance_steps(model: str, data: pd.DataFrame, group: str,
                     levels=("configural", "metric", "scalar"), *, missing: str = "ml",
                     std_lv: bool = False, group_partial=(), **fit_options) -> InvarianceResult:
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
    rows, previous = [], None
    for level in levels:
        fit = SEM(model, std_lv=std_lv).fit(data, group=group, group_equal=LEVELS[level],
                                            group_partial=group_partial, missing=missing,
                                            **fit_options)
        fits[level] = fit
        rows.append(_delta_row(level, fit, previous))
        previous = fit
    table = pd.DataFrame(rows).loc[:, list(TABLE_COLUMNS)]
    for col in ("holds", "chen_rmsea", "chen_srmr"):
        table[col] = table[col].astype("boolean")
    table["delta_df"] = table["delta_df"].astype(float)
    return InvarianceResult(table=table, fits=fits)


__all__ = ["invariance_steps", "InvarianceResult", "LEVELS"]
