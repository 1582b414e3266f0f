"""Driver regression: OLS of an outcome on the driver scores with HC3 standard errors.

Survey outcomes are bounded and their residual variance usually differs between
respondents, so the standard errors are heteroskedasticity-consistent (HC3, which
Long & Ervin 2000 recommend for all sample sizes). Confidence intervals and p-values
use the t distribution with the residual degrees of freedom, as Long & Ervin did.

References
----------
MacKinnon, J. G., & White, H. (1985). Some heteroskedasticity-consistent covariance
    matrix estimators with improved finite sample properties. *Journal of
    Econometrics*, 29(3), 305-325.
Long, J. S., & Ervin, L. H. (2000). Using heteroscedasticity consistent standard
    errors in the linear regression model. *The American Statistician*, 54(3), 217-224.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd
# the OLS model and add_constant only: statsmodels.api imports all of statsmodels (time
# series, graphics), about 0.4 s more at every start of a command or worker process
from statsmodels.regression.linear_model import OLS
from statsmodels.tools.tools import add_constant

from analysis.common.display import Summary, SummaryTable
from analysis.common.errors import ModelError
from analysis.common.options import check_level
from analysis.common.thresholds import VIF, Threshold
from analysis.importance.driver_data import check_driver_data, collinear_drivers

INTERCEPT = "Intercept"


@dataclass(frozen=True)
class RegressionResult:
    """OLS of one outcome on the drivers.

    Attributes
    ----------
    table : DataFrame
        One row per term (``'Intercept'`` first, then the drivers), columns:

        ``term``; ``coef``, ``se`` (HC3), ``t``, ``p_value``, ``ci_low``, ``ci_high``
        (unstandardized); ``std_coef``, ``std_se``, ``std_ci_low``, ``std_ci_high``
        (from the same model on z-scored outcome and drivers, HC3; NaN for the
        intercept); ``vif`` (variance inflation factor, NaN for the intercept) and
        ``vif_high`` (True when the VIF fails the threshold).
    r2, adj_r2 : float
    n : int
    outcome : str
    drivers : tuple of str
    level : float
        Confidence level of the intervals.
    vif_threshold : Threshold
    """

    table: pd.DataFrame
    r2: float
    adj_r2: float
    n: int
    outcome: str
    drivers: tuple[str, ...]
    level: float
    vif_threshold: Threshold

    @property
    def high_vif(self) -> tuple[str, ...]:
        """Drivers whose VIF fails the threshold."""
        return tuple(self.table.loc[self.table.vif_high, "term"])

    def summary(self) -> Summary:
        """The coefficient table with its heading: text when printed, HTML in Jupyter."""
        notes = (f"VIF too high ({self.vif_threshold}): {', '.join(self.high_vif)}",) if self.high_vif else ()
        return Summary(f"OLS of '{self.outcome}' on {len(self.drivers)} drivers: n = {self.n}, "
                       f"R² = {self.r2:.3f}, adjusted R² = {self.adj_r2:.3f}; HC3 standard errors, "
                       f"{100 * self.level:g}% CIs", (SummaryTable("", self.table, notes=notes),))

    def _repr_html_(self) -> str:
        return self.summary().as_html()


def variance_inflation(data: pd.DataFrame, drivers: Sequence[str]) -> pd.Series:
    """Variance inflation factor of each driver: ``1 / (1 - R²_j)`` = diagonal of ``Rxx⁻¹``.

    Parameters
    ----------
    data : DataFrame
        Complete rows.
    drivers : sequence of str

    Returns
    -------
    Series indexed by driver.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 1, 4, 3, 5], "c": [5, 3, 4, 1, 2]})
    >>> variance_inflation(df, ["a", "b"]).round(3).tolist()
    [2.778, 2.778]
    """
    drivers = list(drivers)
    x = data[drivers].to_numpy(dtype=float)
    corr = np.atleast_2d(np.corrcoef(x, rowvar=False))
    try:
        vif = np.diag(np.linalg.inv(corr))
    except np.linalg.LinAlgError:
        vif = np.full(len(drivers), np.inf)
    return pd.Series(vif, index=drivers, name="vif")


def driver_regression(data: pd.DataFrame, outcome: str, drivers: Sequence[str], *,
                      level: float = 0.95, vif_threshold: Threshold = VIF) -> RegressionResult:
    """Regress the outcome on the drivers: unstandardized and standardized betas, HC3.

    Parameters
    ----------
    data : DataFrame
        Complete respondent rows (no missing values in ``outcome`` or ``drivers``).
    outcome : str
        Outcome column, e.g. overall satisfaction.
    drivers : sequence of str
        Driver score columns.
    level : float
        Confidence level, in (0, 1).
    vif_threshold : Threshold
        Collinearity cut-off; :data:`analysis.common.thresholds.VIF` by default.

    Returns
    -------
    RegressionResult

    Raises
    ------
    DataError
        Missing or non-numeric columns, missing values, a constant column, too few rows.
    ModelError
        Perfectly collinear drivers (named): their coefficients are not identified.

    References
    ----------
    MacKinnon & White (1985); Long & Ervin (2000).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame(rng.normal(size=(100, 2)), columns=["a", "b"])
    >>> df["y"] = 2 * df.a + rng.normal(size=100)
    >>> res = driver_regression(df, "y", ["a", "b"])
    >>> res.table.term.tolist()
    ['Intercept', 'a', 'b']
    >>> bool(res.table.coef[1] > 1.5)
    True
    """
    level = check_level(level)
    drivers = list(drivers)
    values = check_driver_data(data, outcome, drivers)
    x, y = values[:, :-1], values[:, -1]
    collinear = collinear_drivers(np.atleast_2d(np.corrcoef(x, rowvar=False)), drivers)
    if collinear:      # OLS would still return finite (HC3) standard errors for unidentified coefficients
        raise ModelError(f"the drivers {', '.join(collinear)} are perfectly collinear (one is a linear combination "
                         "of the others), so their coefficients are not identified; drop or merge the redundant ones")
    alpha = 1 - level

    fit = OLS(y, add_constant(x, has_constant="add")).fit(cov_type="HC3", use_t=True)
    z = (values - values.mean(axis=0)) / values.std(axis=0, ddof=1)
    std_fit = OLS(z[:, -1], add_constant(z[:, :-1], has_constant="add")).fit(
        cov_type="HC3", use_t=True)
    ci = fit.conf_int(alpha)
    std_ci = std_fit.conf_int(alpha)
    vif = variance_inflation(data, drivers).to_numpy()
    nan = np.array([np.nan])
    table = pd.DataFrame({
        "term": [INTERCEPT, *drivers],
        "coef": fit.params, "se": fit.bse, "t": fit.tvalues, "p_value": fit.pvalues,
        "ci_low": ci[:, 0], "ci_high": ci[:, 1],
        # the standardized intercept is 0 by construction: reported as NaN, not a number
        "std_coef": np.r_[nan, std_fit.params[1:]], "std_se": np.r_[nan, std_fit.bse[1:]],
        "std_ci_low": np.r_[nan, std_ci[1:, 0]], "std_ci_high": np.r_[nan, std_ci[1:, 1]],
        "vif": np.r_[nan, vif],
        "vif_high": [False, *[vif_threshold.holds(float(v)) is False for v in vif]],
    })
    return RegressionResult(table=table, r2=float(fit.rsquared), adj_r2=float(fit.rsquared_adj),
                            n=int(fit.nobs), outcome=outcome, drivers=tuple(drivers),
                            level=level, vif_threshold=vif_threshold)
