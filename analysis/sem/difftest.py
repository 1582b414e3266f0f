"""Chi-square difference tests of nested models, plain and scaled (robust ML).

For two nested fits -- ``restricted`` (more constraints, ``df_0``) and ``free``
(``df_1 < df_0``) -- with ML statistics ``T_0, T_1`` and Yuan-Bentler scaling
factors ``c_0, c_1`` (``estimator="mlr"``), lavaan's ``lavTestLRT`` offers:

* ``"satorra.bentler.2001"`` (lavaan's default for scaled tests):
  ``c_d = (df_0 c_0 - df_1 c_1) / (df_0 - df_1)``, ``T_d = (T_0 - T_1) / c_d``
  (``c_1 = 1`` when ``df_1 = 0``); ``c_d`` can be negative, then the test is undefined.
* ``"satorra.bentler.2010"``: ``c_1`` is replaced by ``c_10``, the scaling
  factor of the free model evaluated at the restricted model's estimates
  (lavaan's ``lav_test_diff_m10``), which makes ``c_d`` positive.
* ``"standard"``: ``T_0 - T_1`` (plain ML).

``T_d`` is referred to a chi-square with ``df_0 - df_1`` degrees of freedom.

References
----------
Satorra, A., & Bentler, P. M. (2001). A scaled difference chi-square test
    statistic for moment structure analysis. *Psychometrika*, 66(4), 507-514.
Satorra, A., & Bentler, P. M. (2010). Ensuring positiveness of the scaled
    difference chi-square test statistic. *Psychometrika*, 75(2), 243-248.
Rosseel, Y. (2012). lavaan. *Journal of Statistical Software*, 48(2), 1-36
    (``lavTestLRT``, R/lav_test_diff.R).

Example
-------
>>> import pandas as pd
>>> from analysis.sem import SEM
>>> hs_data = pd.read_csv("tests/fixtures/sem_holzinger.csv")
>>> hs = "visual =~ x1 + x2 + x3\\ntextual =~ x4 + x5 + x6\\nspeed =~ x7 + x8 + x9"
>>> kw = dict(group="school", missing="listwise", estimator="mlr")
>>> m1 = SEM(hs).fit(hs_data, **kw)
>>> m0 = SEM(hs).fit(hs_data, group_equal=["loadings"], **kw)
>>> d = difference_test(m0, m1)
>>> d.df, round(d.chi2, 2)
(6, 6.57)
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

from analysis.common.errors import ModelError
from analysis.sem.casewise import parameter_meat

DIFFERENCE_METHODS = ("satorra.bentler.2001", "satorra.bentler.2010", "standard")


@dataclass(frozen=True)
class DifferenceTest:
    """A chi-square difference test: statistic, df, p-value and the scaling factor used (NaN if none)."""

    chi2: float
    df: int
    pvalue: float
    scaling_factor: float
    chi2_unscaled: float
    method: str


def _trace_h0(fit, theta) -> float:
    """``tr(A^-1 B)`` of ``fit``'s model at ``theta`` (observed information, casewise meat)."""
    obj = fit._objective
    info = obj.information(theta, observed=True)
    meat = parameter_meat(obj.model, theta, [g.values for g in fit._groups], obj.moments(theta),
                          fit.meanstructure_)
    return float(np.trace(np.linalg.solve(info, meat)))


def _theta_at(free, restricted) -> np.ndarray:
    """The free model's parameter vector at the restricted model's estimates."""
    est = {(r.lhs, r.op, r.rhs, r.group): v
           for r, v in zip(restricted.params_.itertuples(), restricted.params_["est"])}
    theta = np.zeros(free._ram.n_free)
    labels = free.groups_
    for row in free._ram.table.rows:
        if row.free:
            key = (row.lhs, row.op, row.rhs, labels[row.group - 1])
            if key not in est:
                raise ModelError(f"the models are not nested: parameter {row.lhs}{row.op}{row.rhs} "
                                 f"of the free model is not in the restricted model")
            theta[row.free - 1] = est[key]
    return theta


def difference_test(restricted, free, method: str = "satorra.bentler.2001") -> DifferenceTest:
    """Difference test of ``restricted`` against ``free`` (two fitted :class:`SEM`).

    With ``estimator="ml"`` fits only ``"standard"`` is possible and is used.

    Raises
    ------
    ModelError
        Unknown method, models that are not nested in df, or fits of different estimators.
    """
    if method not in DIFFERENCE_METHODS:
        raise ModelError(f"method must be one of {DIFFERENCE_METHODS}, got {method!r}")
    f0, f1 = restricted.fit_, free.fit_
    m = f0.df - f1.df
    if m <= 0:
        raise ModelError(f"the restricted model must have more degrees of freedom than the free "
                         f"one ({f0.df} vs {f1.df})")
    if f0.estimator != f1.estimator:
        raise ModelError("both models must be fitted with the same estimator")
    raw = f0.chi2 - f1.chi2
    if f0.estimator == "ml" or method == "standard":
        return DifferenceTest(raw, m, float(stats.chi2.sf(raw, m)), math.nan, raw, "standard")
    c0 = f0.scaling_factor
    if method == "satorra.bentler.2001":
        c1 = 1.0 if f1.df == 0 else f1.scaling_factor
        cd = (f0.df * c0 - f1.df * c1) / m
    elif f1.df == 0:
        cd = math.nan    # lavaan: no scaling factor for a model without degrees of freedom
    else:
        # df_0 c_0 - df_1 c_10 = tr_h0(M10) - tr_h0(M0): the saturated model's trace cancels
        cd = (_trace_h0(free, _theta_at(free, restricted))
              - getattr(restricted, "_trace_h0", math.nan)) / m
    if not np.isfinite(cd) or cd < 0:
        return DifferenceTest(math.nan, m, math.nan, math.nan, raw, method)
    x2 = raw / cd
    return DifferenceTest(x2, m, float(stats.chi2.sf(x2, m)), cd, raw, method)
