"""Internal-consistency and model-based reliability of multi-item scales.

Data-based: :func:`cronbach_alpha` (Cronbach 1951; Feldt 1965 and Duhachek & Iacobucci
2004 intervals) and :func:`item_analysis`. Model-based, from a CFA solution held as plain
tables (:class:`CFASolution`): :func:`omega_total` (McDonald 1999),
:func:`composite_reliability` and :func:`average_variance_extracted` (Fornell & Larcker
1981). :func:`reliability_table` assembles one row per construct with a verdict per cited
threshold of :mod:`analysis.common.thresholds`.

Missing answers ('not applicable' included, which the reader has turned into NaN) are
handled pairwise by default, as ``psych::alpha`` does: each covariance uses every
respondent who answered both items. ``missing="listwise"`` keeps complete rows only.

References
----------
Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests.
    *Psychometrika*, 16(3), 297-334.
Feldt, L. S. (1965). The approximate sampling distribution of Kuder-Richardson
    reliability coefficient twenty. *Psychometrika*, 30(3), 357-370.
Duhachek, A., & Iacobucci, D. (2004). Alpha's standard error (ASE): an accurate and
    precise confidence interval estimate. *Journal of Applied Psychology*, 89(5), 792-808.
McDonald, R. P. (1999). *Test Theory: A Unified Treatment*. Erlbaum.
Raykov, T. (1997). Estimation of composite reliability for congeneric measures.
    *Applied Psychological Measurement*, 21(2), 173-184.
Fornell, C., & Larcker, D. F. (1981). Evaluating structural equation models with
    unobservable variables and measurement error. *JMR*, 18(1), 39-50.
Bagozzi, R. P., & Yi, Y. (1988). On the evaluation of structural equation models.
    *JAMS*, 16(1), 74-94.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from analysis.common import thresholds
from analysis.common.display import Summary
from analysis.common.errors import DataError, ModelError, ServiceDriversError
from analysis.common.options import check_level
from analysis.validation.reliability_inputs import CFASolution, check_items, item_covariance

__all__ = [
    "AlphaResult", "CFASolution", "cronbach_alpha", "item_analysis", "omega_total",
    "composite_reliability", "average_variance_extracted", "model_based_reliability",
    "reliability_table",
]

CI_METHODS = ("feldt", "duhachek")


def _sum_score_varies(cov: np.ndarray) -> bool:
    """Whether the sum score (variance: the sum of all covariances) varies beyond rounding error.

    A constant sum score leaves a sum of about 1e-16 after floating-point rounding,
    which would give an alpha of -1e17; anything below 1e-10 of the items' total
    variance counts as none.
    """
    return bool(cov.sum() > 1e-10 * max(np.trace(cov), 0.0))


def _alpha_from_cov(cov: np.ndarray) -> float:
    """Raw alpha; NaN when the sum score does not vary (:func:`_sum_score_varies`), where
    the formula would give -inf, a huge negative value or a value above 1."""
    k, total = cov.shape[0], cov.sum()
    if not _sum_score_varies(cov):
        return math.nan
    return k / (k - 1) * (1.0 - np.trace(cov) / total)


def _duhachek_se(cov: np.ndarray, n_obs: int) -> float:
    """Asymptotic SE of alpha (Duhachek & Iacobucci 2004, eq. 3; psych's ``ase``)."""
    k = cov.shape[0]
    total, trace = cov.sum(), np.trace(cov)
    cov2 = cov @ cov
    q = (2 * k**2 / ((k - 1) ** 2 * total**3)) * (
        total * (np.trace(cov2) + trace**2) - 2 * trace * cov2.sum())
    # q < 0 only for degenerate covariances (a handful of respondents): no SE, no warning
    return float(np.sqrt(q / n_obs)) if q >= 0 else math.nan


@dataclass(frozen=True)
class AlphaResult:
    """Cronbach's alpha with its confidence interval.

    ``se`` is always the Duhachek & Iacobucci (2004) asymptotic standard error;
    ``ci_method`` says which interval ``ci_low``/``ci_high`` are.
    """

    alpha: float
    ci_low: float
    ci_high: float
    ci_level: float
    ci_method: str
    se: float
    n_obs: int
    n_items: int
    missing: str

    def summary(self) -> Summary:
        """Alpha with its interval: text when printed, HTML in Jupyter."""
        return Summary(f"alpha = {self.alpha:.3f}, {self.ci_level:.0%} CI [{self.ci_low:.3f}, "
                       f"{self.ci_high:.3f}] ({self.ci_method}); {self.n_items} items, "
                       f"n = {self.n_obs} ({self.missing})")

    def _repr_html_(self) -> str:
        return self.summary().as_html() + pd.DataFrame([self.__dict__]).to_html(index=False)


def cronbach_alpha(items: pd.DataFrame, ci: float = 0.95, missing: str = "pairwise",
                   ci_method: str = "feldt") -> AlphaResult:
    """Cronbach's (1951) alpha of one scale, with a confidence interval.

    Parameters
    ----------
    items : DataFrame
        One numeric column per item (reverse-keyed items already recoded), NaN for
        missing or 'not applicable'. At least two items.
    ci : float
        Confidence level of the interval.
    missing : {"pairwise", "listwise"}
        ``"pairwise"`` (default, as ``psych::alpha``): each item covariance uses every
        respondent who answered both items (``n - 1`` denominator). ``"listwise"``: only
        respondents who answered every item. Either way ``n_obs``, the *n* of the
        interval, counts the rows used: with ``"pairwise"`` every respondent with at least
        one answer on the scale (psych counts all rows, even those with no answer; pass
        only answering rows to compare). Pairwise *n* slightly overstates precision when
        many answers are missing.
    ci_method : {"feldt", "duhachek"}
        ``"feldt"`` (default): Feldt's (1965) F-based interval, as ``psych::alpha.ci``,
        pingouin and most reports; it is bounded above by 1, asymmetric, and exact for
        (essentially) tau-equivalent normal items. ``"duhachek"``: alpha ± z·ASE with the
        normal-theory ASE of Duhachek & Iacobucci (2004), which drops the
        tau-equivalence assumption but is symmetric and can exceed 1 in small samples.

    Returns
    -------
    AlphaResult

    Raises
    ------
    ValueError
        Fewer than two items, a non-numeric, all-missing or constant column (named), a
        pair of items that fewer than two respondents answered together, or item
        covariances that sum to zero or less (the sum score has no variance).

    References
    ----------
    Cronbach (1951); Feldt (1965); Duhachek & Iacobucci (2004). See the module docstring.

    Examples
    --------
    >>> import pandas as pd
    >>> x = pd.DataFrame({"q1": [1, 2, 3, 4, 5], "q2": [2, 2, 3, 5, 5], "q3": [1, 3, 3, 4, 4]})
    >>> round(cronbach_alpha(x).alpha, 4)
    0.9538
    """
    ci = check_level(ci, "ci")
    if ci_method not in CI_METHODS:
        raise ServiceDriversError(f"ci_method must be one of {CI_METHODS}, got {ci_method!r}")
    data = check_items(items, missing=missing)
    cov = item_covariance(data, missing)
    n_obs, k = len(data), data.shape[1]
    if not _sum_score_varies(cov):
        raise DataError(f"the item covariances of {list(data.columns)} sum to {cov.sum():.3g}: the sum score has "
                         "no variance, so alpha is undefined (a reverse-keyed item not recoded?)")
    alpha = _alpha_from_cov(cov)
    se = _duhachek_se(cov, n_obs)
    tail = (1 - ci) / 2
    if ci_method == "feldt":
        df1, df2 = n_obs - 1, (n_obs - 1) * (k - 1)
        low = 1 - (1 - alpha) * stats.f.ppf(1 - tail, df1, df2)
        high = 1 - (1 - alpha) * stats.f.ppf(tail, df1, df2)
    else:
        z = stats.norm.ppf(1 - tail)
        low, high = alpha - z * se, alpha + z * se
    return AlphaResult(float(alpha), float(low), float(high), ci, ci_method, se, n_obs, k,
                       missing)


def item_analysis(items: pd.DataFrame, scale_min: float = 1, scale_max: float = 7,
                  missing: str = "pairwise") -> pd.DataFrame:
    """Item statistics of one scale: descriptives, item-rest correlation, alpha if deleted.

    Parameters
    ----------
    items : DataFrame
        As for :func:`cronbach_alpha`.
    scale_min, scale_max : float
        Lowest and highest answer of the scale (default 1-7); a value outside raises
        (a 'not applicable' code such as 99 must be NaN by now).
    missing : {"pairwise", "listwise"}
        As for :func:`cronbach_alpha`; the same covariances feed ``r_drop`` and
        ``alpha_if_deleted``.

    Returns
    -------
    DataFrame
        One row per item: ``item``; ``n`` (answers); ``mean``; ``sd`` (``n - 1``);
        ``r_drop`` (corrected item-total correlation: the item against the sum of the
        other items, from the covariance matrix as psych's ``r.drop``);
        ``alpha_if_deleted`` (raw alpha of the other items, psych's
        ``alpha.drop$raw_alpha``; NaN for a two-item scale); both NaN when the other
        items' sum score has no variance (their covariances sum to 0); ``floor_share`` and
        ``ceiling_share`` (share of answers at ``scale_min`` / ``scale_max``, among
        answers, as psych's ``response.freq``).

    References
    ----------
    Cronbach (1951); Nunnally, J. C., & Bernstein, I. H. (1994). *Psychometric Theory*
    (3rd ed.), ch. 8 (item-total correlations). McGraw-Hill.

    Examples
    --------
    >>> import pandas as pd
    >>> x = pd.DataFrame({"q1": [1, 2, 3, 4, 5], "q2": [2, 2, 3, 5, 5], "q3": [1, 3, 3, 4, 4]})
    >>> item_analysis(x)[["item", "r_drop"]].round(3).to_dict("list")
    {'item': ['q1', 'q2', 'q3'], 'r_drop': [0.97, 0.903, 0.87]}
    """
    if scale_min >= scale_max:
        raise ServiceDriversError(f"scale_min ({scale_min}) must be below scale_max ({scale_max})")
    data = check_items(items, missing=missing)
    for column in data.columns:
        values = data[column].dropna()
        if ((values < scale_min) | (values > scale_max)).any():
            raise DataError(
                f"column {column!r} has answers outside {scale_min:g}-{scale_max:g} "
                f"(e.g. {values[(values < scale_min) | (values > scale_max)].iloc[0]:g}); "
                "recode 'not applicable' codes to NaN first")
    cov = item_covariance(data, missing)
    k = cov.shape[0]
    r_drop, alpha_deleted = [], []
    for i in range(k):
        rest = np.delete(np.arange(k), i)
        rest_cov = cov[np.ix_(rest, rest)]
        rest_total = rest_cov.sum()       # variance of the rest score: no correlation without it
        r_drop.append(cov[i, rest].sum() / np.sqrt(cov[i, i] * rest_total) if _sum_score_varies(rest_cov)
                      else np.nan)
        alpha_deleted.append(_alpha_from_cov(rest_cov) if k > 2 else np.nan)
    answered = data.notna().sum()
    return pd.DataFrame({
        "item": list(data.columns),
        "n": answered.to_numpy(),
        "mean": data.mean().to_numpy(),
        "sd": data.std(ddof=1).to_numpy(),
        "r_drop": r_drop,
        "alpha_if_deleted": alpha_deleted,
        "floor_share": ((data == scale_min).sum() / answered).to_numpy(),
        "ceiling_share": ((data == scale_max).sum() / answered).to_numpy(),
    })


def omega_total(loadings, residual_variances, factor_variance: float = 1.0,
                residual_covariances=None, observed_covariance=None) -> float:
    """McDonald's (1999) omega of a congeneric scale (composite reliability of its sum).

    ``omega = (sum lambda)^2 phi / denominator``, with the *model-implied* variance of
    the sum score as denominator by default,
    ``(sum lambda)^2 phi + sum theta_i + 2 sum_{i<j} theta_ij`` (McDonald 1999; Raykov
    1997), which is ``semTools::compRelSEM(fit, obs.var = FALSE)`` (and ``omega`` of the
    deprecated ``reliability()``). With ``observed_covariance`` the denominator is the
    *observed* variance of the sum, the sum of that matrix: ``compRelSEM(fit)`` with its
    default ``obs.var = TRUE`` (``omega3`` of ``reliability()``); semTools takes lavaan's
    sample covariance, divided by *N*. Both agree when the model fits.

    Omega is in the metric of the inputs: raw estimates give the reliability of the raw
    sum (as semTools), a standardized solution that of the sum of standardized items.

    Parameters
    ----------
    loadings : array-like
        Loadings of the scale's items on its factor.
    residual_variances : array-like
        Residual (unique) variances theta_i, same order.
    factor_variance : float
        Variance phi of the factor (1 for a standardized solution or std.lv).
    residual_covariances : (k, k) array-like, optional
        Residual covariances theta_ij among the items (off-diagonal used).
    observed_covariance : (k, k) array-like, optional
        Observed item covariance matrix; switches to the observed denominator.

    Returns
    -------
    float

    References
    ----------
    McDonald (1999), ch. 6; Raykov (1997). See the module docstring.

    Examples
    --------
    >>> round(omega_total([0.7, 0.8, 0.6], [0.51, 0.36, 0.64]), 4)
    0.7449
    """
    lam = np.asarray(loadings, dtype=float).ravel()
    theta = np.asarray(residual_variances, dtype=float).ravel()
    if lam.size < 2 or theta.shape != lam.shape:
        raise ModelError("omega needs at least two loadings and one residual variance each")
    common = lam.sum() ** 2 * factor_variance
    if observed_covariance is not None:
        observed = np.asarray(observed_covariance, dtype=float)
        if observed.shape != (lam.size, lam.size):
            raise ModelError(f"observed_covariance must be {lam.size}x{lam.size}")
        return float(common / observed.sum())
    off_diagonal = 0.0
    if residual_covariances is not None:
        theta_ij = np.asarray(residual_covariances, dtype=float)
        if theta_ij.shape != (lam.size, lam.size):
            raise ModelError(f"residual_covariances must be {lam.size}x{lam.size}")
        off_diagonal = theta_ij.sum() - np.trace(theta_ij)
    return float(common / (common + theta.sum() + off_diagonal))


def composite_reliability(std_loadings) -> float:
    """Composite reliability from standardized loadings (Fornell & Larcker 1981).

    ``CR = (sum lambda)^2 / ((sum lambda)^2 + sum (1 - lambda^2))``, as in Bagozzi & Yi
    (1988): omega of the standardized items with uncorrelated residuals. It equals
    ``compRelSEM(fit, obs.var = FALSE)`` for an ML fit to standardized items
    (``std.ov = TRUE``), up to how exactly the fit reproduces the item variances.

    Examples
    --------
    >>> round(composite_reliability([0.7, 0.8, 0.6]), 4)
    0.7449
    """
    lam = _standardized(std_loadings)
    return float(lam.sum() ** 2 / (lam.sum() ** 2 + (1 - lam**2).sum()))


def average_variance_extracted(loadings, factor_variance: float = 1.0,
                               item_variances=None) -> float:
    """Average variance extracted (Fornell & Larcker 1981).

    ``AVE = sum(lambda^2) phi / sum(item variances)``. With the default (standardized
    loadings, item variances 1) this is ``mean(lambda_std^2)``, Fornell & Larcker's
    definition. With raw loadings and item variances it is semTools' ``AVE()``: model-
    implied variances for ``obs.var = FALSE``, observed ones for the default ``TRUE``.
    Note that semTools' raw-metric AVE weights items by their variance and so differs
    from ``mean(lambda_std^2)`` unless the items have equal variances.

    Examples
    --------
    >>> round(average_variance_extracted([0.7, 0.8, 0.6]), 4)
    0.4967
    """
    lam = np.asarray(loadings, dtype=float).ravel()
    if item_variances is None:
        lam = _standardized(lam)
        variances = np.ones_like(lam)
    else:
        variances = np.asarray(item_variances, dtype=float).ravel()
    if lam.size < 2 or variances.shape != lam.shape:
        raise ModelError("AVE needs at least two loadings and one item variance each")
    return float((lam**2).sum() * factor_variance / variances.sum())


def _standardized(std_loadings) -> np.ndarray:
    lam = np.asarray(std_loadings, dtype=float).ravel()
    if lam.size < 2:
        raise ModelError("a construct needs at least two items")
    if (np.abs(lam) > 1).any():
        raise ModelError(f"standardized loadings above 1 in absolute value ({lam.round(3)}): "
                         "an improper (Heywood) solution")
    return lam


def model_based_reliability(solution: CFASolution, observed_covariance=None) -> pd.DataFrame:
    """Omega, CR and AVE of every factor of a CFA solution.

    Parameters
    ----------
    solution : CFASolution
        Raw or standardized; ``omega`` is in the metric given (see :func:`omega_total`),
        ``cr`` and ``ave`` always use the standardized loadings derived from it.
    observed_covariance : DataFrame, optional
        Observed item covariances (labelled); omega then uses the observed denominator.

    Returns
    -------
    DataFrame
        ``construct``, ``n_items``, ``omega``, ``cr``, ``ave``.
    """
    standardized = solution.standardized()
    rows = []
    for factor in solution.factors:
        items = solution.items_of(factor)
        observed = None
        if observed_covariance is not None:
            observed = pd.DataFrame(observed_covariance).loc[items, items]
        lam_std = standardized.loadings.loc[items, factor]
        rows.append({
            "construct": factor,
            "n_items": len(items),
            "omega": omega_total(
                solution.loadings.loc[items, factor], solution.residual_variances[items],
                solution.factor_covariances.loc[factor, factor],
                solution.residual_covariances.loc[items, items], observed),
            "cr": composite_reliability(lam_std),
            "ave": average_variance_extracted(lam_std),
        })
    return pd.DataFrame(rows)


def reliability_table(items_by_construct: Mapping[str, pd.DataFrame],
                      solution: CFASolution | None = None, ci: float = 0.95,
                      missing: str = "pairwise",
                      alpha_threshold: thresholds.Threshold = thresholds.ALPHA,
                      omega_threshold: thresholds.Threshold = thresholds.OMEGA,
                      cr_threshold: thresholds.Threshold = thresholds.CR,
                      ave_threshold: thresholds.Threshold = thresholds.AVE,
                      model_based: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per-construct reliability with a verdict against each cited threshold.

    Parameters
    ----------
    items_by_construct : mapping of str to DataFrame
        Item answers of each construct (see :func:`cronbach_alpha`).
    solution : CFASolution, optional
        CFA solution whose factors are named as the constructs; without it the
        model-based columns are NaN.
    ci, missing
        Passed to :func:`cronbach_alpha` (Feldt interval).
    alpha_threshold, omega_threshold, cr_threshold, ave_threshold : Threshold
        Cut-offs for the verdicts; the cited defaults of :mod:`analysis.common.thresholds`.
    model_based : DataFrame, optional
        ``model_based_reliability(solution)`` computed already (e.g. when the table is
        built one construct at a time); used instead of ``solution``.

    Returns
    -------
    DataFrame
        ``construct``, ``n_items``, ``n_obs``, ``alpha``, ``alpha_ci_low``,
        ``alpha_ci_high``, ``omega``, ``cr``, ``ave`` and the nullable-boolean verdicts
        ``alpha_ok`` (default ``thresholds.ALPHA``, >= .70, Nunnally 1978), ``omega_ok``
        (``OMEGA``, >= .70, Dunn et al. 2014), ``cr_ok`` (``CR``, >= .70) and ``ave_ok``
        (``AVE``, >= .50, Fornell & Larcker 1981); NA where the figure is missing.

    Raises
    ------
    ValueError
        No construct given, a construct's items unusable for alpha (see
        :func:`cronbach_alpha`), or a construct that is not a factor of the solution.
    """
    if not len(items_by_construct):
        raise DataError("items_by_construct is empty: give the item answers of at least one construct")
    if model_based is None and solution is not None:
        model_based = model_based_reliability(solution)
    model = model_based.set_index("construct") if model_based is not None else None
    rows = []
    for construct, items in items_by_construct.items():
        try:
            result = cronbach_alpha(items, ci=ci, missing=missing)
        except ValueError as error:
            raise DataError(f"construct {construct!r}: {error}") from error
        row = {"construct": construct, "n_items": result.n_items, "n_obs": result.n_obs,
               "alpha": result.alpha, "alpha_ci_low": result.ci_low,
               "alpha_ci_high": result.ci_high}
        if model is not None and construct not in model.index:
            raise ModelError(f"construct {construct!r} is not a factor of the solution "
                             f"({list(model.index)})")
        for column in ("omega", "cr", "ave"):
            row[column] = float(model.loc[construct, column]) if model is not None else np.nan
        rows.append(row)
    table = pd.DataFrame(rows)
    checks = {"alpha": alpha_threshold, "omega": omega_threshold, "cr": cr_threshold,
              "ave": ave_threshold}
    for column, threshold in checks.items():
        table[f"{column}_ok"] = pd.array([threshold.holds(float(x)) for x in table[column]],
                                         dtype="boolean")
    return table
