"""Relative importance of correlated drivers: LMG, relative weights, Pratt, standardized betas.

Every measure here depends on the data only through the covariance matrix of the
drivers and the outcome, so the array functions take a covariance (or correlation)
matrix whose **last** row and column are the outcome, and accept a stack of them
(shape ``(..., p + 1, p + 1)``). That is what lets :mod:`analysis.bootstrap.importance` compute
thousands of resamples in a few batched linear-algebra calls.

Subsets of the ``p`` drivers are encoded as bit masks: driver ``j`` is in subset
``m`` when bit ``j`` of ``m`` is set, so column ``m`` of :func:`subset_r2` is the R² of
the model with those drivers (column 0, the empty model, is 0). Dominance analysis,
built on the same subset R², is in :mod:`analysis.importance.dominance`.

References
----------
Lindeman, R. H., Merenda, P. F., & Gold, R. Z. (1980). *Introduction to Bivariate and
    Multivariate Analysis*. Scott, Foresman.
Budescu, D. V. (1993). Dominance analysis: a new approach to the problem of relative
    importance of predictors in multiple regression. *Psychological Bulletin*, 114(3),
    542-551.
Azen, R., & Budescu, D. V. (2003). The dominance analysis approach for comparing
    predictors in multiple regression. *Psychological Methods*, 8(2), 129-148.
Johnson, J. W. (2000). A heuristic method for estimating the relative weight of
    predictor variables in multiple regression. *Multivariate Behavioral Research*,
    35(1), 1-19.
Pratt, J. W. (1987). Dividing the indivisible: using simple symmetry to partition
    variance explained. In T. Pukkila & S. Puntanen (Eds.), *Proceedings of the Second
    International Tampere Conference in Statistics* (pp. 245-260).
Grömping, U. (2007). Estimators of relative importance in linear regression based on
    variance decomposition. *The American Statistician*, 61(2), 139-147.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd

from analysis.common.display import Summary, SummaryTable
from analysis.common.errors import ModelError, ServiceDriversError
from analysis.importance.driver_data import SINGULAR_EIGENVALUE, collinear_drivers, driver_covariance, ranks_descending
from analysis.importance.subsets import check_n_predictors, shapley_weight_matrix, subset_r2_batch



# ---------------------------------------------------------------------------
# Batched array functions (outcome = last variable)
# ---------------------------------------------------------------------------

def correlation_from_covariance(cov: np.ndarray) -> np.ndarray:
    """Correlation matrices from a stack of covariance matrices ``(..., q, q)``."""
    cov = np.asarray(cov, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        sd = np.sqrt(np.diagonal(cov, axis1=-2, axis2=-1))
        corr = cov / sd[..., :, None] / sd[..., None, :]
    return corr


def _validated(cov: np.ndarray) -> np.ndarray:
    cov = np.asarray(cov, dtype=float)
    if cov.ndim < 2 or cov.shape[-1] != cov.shape[-2] or cov.shape[-1] < 2:
        raise ServiceDriversError(
            "cov must be a (p + 1) x (p + 1) covariance or correlation matrix (or a stack "
            f"of them) with the outcome last; got shape {cov.shape}"
        )
    check_n_predictors(cov.shape[-1] - 1)
    return cov


@dataclass(frozen=True)
class ImportanceArrays:
    """All importance measures of a stack of covariance matrices (leading shape ``...``).

    Attributes
    ----------
    subset_r2 : ndarray (..., 2**p)
    r : ndarray (..., p)            zero-order correlations of the drivers with the outcome
    std_beta : ndarray (..., p)     standardized regression coefficients
    lmg : ndarray (..., p)          LMG shares of R² (= general dominance weights)
    relative_weight : ndarray (..., p)
    pratt : ndarray (..., p)
    valid : ndarray of bool (...)   False where a variance is zero or the drivers are collinear
    """

    subset_r2: np.ndarray
    r: np.ndarray
    std_beta: np.ndarray
    lmg: np.ndarray
    relative_weight: np.ndarray
    pratt: np.ndarray
    valid: np.ndarray

    @property
    def r2(self) -> np.ndarray:
        """R² of the model with all drivers."""
        return self.subset_r2[..., -1]


def importance_arrays(cov: np.ndarray) -> ImportanceArrays:
    """Compute every importance measure for a stack of covariance matrices at once.

    Invalid matrices (a zero variance, or collinear drivers) give NaN rather than an
    error, so that one degenerate bootstrap resample does not stop the others.

    Parameters
    ----------
    cov : array_like, shape (..., p + 1, p + 1)
        Covariance or correlation matrices, outcome last.

    Returns
    -------
    ImportanceArrays
    """
    cov = _validated(cov)
    lead = cov.shape[:-2]
    q = cov.shape[-1]
    p = q - 1
    corr = correlation_from_covariance(cov.reshape(-1, q, q))
    var = np.diagonal(cov.reshape(-1, q, q), axis1=1, axis2=2)
    valid = np.all(var > 0, axis=1) & np.all(np.isfinite(corr), axis=(1, 2))
    corr = np.where(valid[:, None, None], corr, np.eye(q))
    Rxx, rxy = corr[:, :p, :p], corr[:, :p, p]

    # One eigendecomposition serves both the collinearity check and Johnson's weights.
    eigval, eigvec = np.linalg.eigh(Rxx)
    valid &= eigval[:, 0] > SINGULAR_EIGENVALUE
    bad = ~valid
    if bad.any():
        Rxx = Rxx.copy()
        rxy = rxy.copy()
        Rxx[bad] = np.eye(p)
        rxy[bad] = 0.0
        eigval[bad] = 1.0
        eigvec[bad] = np.eye(p)

    r2_sub = subset_r2_batch(Rxx, rxy)
    beta = np.linalg.solve(Rxx, rxy[..., None])[..., 0]
    lmg = r2_sub @ shapley_weight_matrix(p)

    # Johnson (2000): Lambda = Rxx^(1/2) relates the drivers to their closest orthonormal
    # counterparts Z; beta_Z = Rxx^(-1/2) r; weight_j = sum_k Lambda_jk^2 beta_Z,k^2.
    root = np.sqrt(eigval)
    lam = (eigvec * root[:, None, :]) @ eigvec.transpose(0, 2, 1)
    beta_z = eigvec @ ((eigvec.transpose(0, 2, 1) @ rxy[..., None])[..., 0] / root)[..., None]
    rel_w = ((lam**2) @ (beta_z**2))[..., 0]
    pratt = beta * rxy

    def out(a: np.ndarray) -> np.ndarray:
        if bad.any():
            a = np.where(valid.reshape((-1,) + (1,) * (a.ndim - 1)), a, np.nan)
        return a.reshape(lead + a.shape[1:])

    return ImportanceArrays(
        subset_r2=out(r2_sub), r=out(rxy), std_beta=out(beta), lmg=out(lmg),
        relative_weight=out(rel_w), pratt=out(pratt), valid=valid.reshape(lead),
    )


def subset_r2(cov: np.ndarray) -> np.ndarray:
    """R² of all ``2**p`` driver subsets (column = bit mask; column 0 = empty model = 0).

    Parameters
    ----------
    cov : array_like, shape (..., p + 1, p + 1)
        Covariance or correlation matrices with the outcome last.

    Returns
    -------
    ndarray, shape (..., 2**p)

    Examples
    --------
    >>> import numpy as np
    >>> R = np.array([[1, .5, .4], [.5, 1, .3], [.4, .3, 1]])
    >>> np.round(subset_r2(R), 4).tolist()   # {}, {x0}, {x1}, {x0, x1}
    [0.0, 0.16, 0.09, 0.1733]
    """
    return importance_arrays(cov).subset_r2


def lmg_shares(cov: np.ndarray) -> np.ndarray:
    """LMG shares of R² (Lindeman, Merenda & Gold 1980): the Shapley decomposition.

    Each driver's share is its increase in R² when added to a model, averaged over all
    orders of entry; the shares sum to R² exactly. They equal Budescu's (1993) general
    dominance weights.

    Parameters
    ----------
    cov : array_like, shape (..., p + 1, p + 1)
        Covariance or correlation matrices with the outcome last.

    Returns
    -------
    ndarray, shape (..., p)

    References
    ----------
    Lindeman, Merenda & Gold (1980); Grömping (2007).

    Examples
    --------
    >>> import numpy as np
    >>> R = np.array([[1, .5, .4], [.5, 1, .3], [.4, .3, 1]])
    >>> np.round(lmg_shares(R), 4).tolist()
    [0.1217, 0.0517]
    """
    return importance_arrays(cov).lmg


def relative_weights(cov: np.ndarray) -> np.ndarray:
    """Johnson's (2000) relative weights; they sum to R².

    The drivers are replaced by their closest orthonormal approximation
    ``Z = X Rxx^(-1/2)``; a driver's weight is the variance it contributes to each Z
    times the variance that Z explains in the outcome.

    Parameters
    ----------
    cov : array_like, shape (..., p + 1, p + 1)

    Returns
    -------
    ndarray, shape (..., p)

    References
    ----------
    Johnson, J. W. (2000). *Multivariate Behavioral Research*, 35(1), 1-19.

    Examples
    --------
    >>> import numpy as np
    >>> R = np.array([[1, .5, .4], [.5, 1, .3], [.4, .3, 1]])
    >>> np.round(relative_weights(R), 4).tolist()   # equal to LMG when p = 2
    [0.1217, 0.0517]
    """
    return importance_arrays(cov).relative_weight


def pratt_measure(cov: np.ndarray) -> np.ndarray:
    """Pratt's (1987) measure ``beta_j * r_j``; sums to R² and can be negative.

    Parameters
    ----------
    cov : array_like, shape (..., p + 1, p + 1)

    Returns
    -------
    ndarray, shape (..., p)

    Examples
    --------
    >>> import numpy as np
    >>> R = np.array([[1, .5, .4], [.5, 1, .3], [.4, .3, 1]])
    >>> np.round(pratt_measure(R), 4).tolist()
    [0.1333, 0.04]
    """
    return importance_arrays(cov).pratt


# ---------------------------------------------------------------------------
# DataFrame interface
# ---------------------------------------------------------------------------

def arrays_or_raise(cov: np.ndarray, drivers: list[str], outcome: str = "the outcome") -> ImportanceArrays:
    """:func:`importance_arrays` of one covariance matrix, or a :class:`ModelError` naming why not."""
    arrays = importance_arrays(cov)
    if not bool(arrays.valid):
        variances = np.diagonal(np.asarray(cov, dtype=float))
        constant = [str(c) for c, v in zip([*drivers, outcome], variances) if not v > 0]
        if constant:
            raise ModelError(f"{', '.join(constant)} {'has' if len(constant) == 1 else 'have'} no variance, so "
                             "importance is undefined; drop it from the analysis")
        named = collinear_drivers(correlation_from_covariance(cov)[:-1, :-1], drivers) or drivers
        raise ModelError(f"the drivers {', '.join(map(str, named))} are perfectly collinear (one is a linear "
                         "combination of the others); drop or merge the redundant ones")
    return arrays


@dataclass(frozen=True)
class ImportanceResult:
    """Relative importance of the drivers of one outcome.

    Attributes
    ----------
    table : DataFrame
        One row per driver: ``driver``; ``r`` (correlation with the outcome);
        ``std_beta``; ``lmg`` and ``lmg_pct`` (LMG share of R² and as % of R²);
        ``relative_weight`` and ``relative_weight_pct``; ``pratt`` and ``pratt_pct``;
        ``lmg_rank`` (1 = most important).
    r2 : float
    n : int or None
        Respondents (None when computed from a matrix).
    outcome : str
    """

    table: pd.DataFrame
    r2: float
    n: int | None
    outcome: str

    def summary(self) -> Summary:
        """The table with its heading: text when printed, HTML in Jupyter."""
        n = "" if self.n is None else f", n = {self.n}"
        return Summary(f"Relative importance for '{self.outcome}' (R² = {self.r2:.3f}{n})",
                       (SummaryTable("", self.table),))

    def _repr_html_(self) -> str:
        return self.summary().as_html()


def relative_importance(data: pd.DataFrame, outcome: str, drivers: Sequence[str] | None = None,
                        *, matrix: bool = False) -> ImportanceResult:
    """LMG, relative weights, Pratt's measure and standardized betas of each driver.

    Parameters
    ----------
    data : DataFrame
        Complete respondent rows (no missing values in ``drivers`` or ``outcome``), or,
        with ``matrix=True``, a labelled correlation or covariance matrix.
    outcome : str
        Outcome column (e.g. overall satisfaction).
    drivers : sequence of str
        Driver score columns (all other matrix columns by default when ``matrix=True``).
    matrix : bool
        Whether ``data`` is a matrix rather than respondent rows.

    Returns
    -------
    ImportanceResult

    References
    ----------
    Lindeman, Merenda & Gold (1980); Johnson (2000); Pratt (1987); Grömping (2007).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> df = pd.DataFrame(rng.normal(size=(200, 3)), columns=["a", "b", "c"])
    >>> df["y"] = df.a + 0.5 * df.b + rng.normal(size=200)
    >>> res = relative_importance(df, "y", ["a", "b", "c"])
    >>> bool(np.isclose(res.table.lmg.sum(), res.r2))
    True
    >>> res.table.driver[res.table.lmg_rank == 1].item()
    'a'
    """
    cov, drivers, n = driver_covariance(data, outcome, drivers, matrix)
    return importance_result(arrays_or_raise(cov, drivers, outcome), drivers, outcome, n)


def importance_result(a: ImportanceArrays, drivers: list[str], outcome: str, n: int | None) -> ImportanceResult:
    """The :class:`ImportanceResult` of one valid covariance matrix's :class:`ImportanceArrays`.

    :func:`relative_importance` from arrays computed already (e.g. shared with
    :func:`analysis.importance.dominance.dominance_result`).
    """
    r2 = float(a.r2)
    table = pd.DataFrame({
        "driver": drivers, "r": a.r, "std_beta": a.std_beta,
        "lmg": a.lmg, "lmg_pct": 100 * a.lmg / r2,
        "relative_weight": a.relative_weight, "relative_weight_pct": 100 * a.relative_weight / r2,
        "pratt": a.pratt, "pratt_pct": 100 * a.pratt / r2,
        "lmg_rank": ranks_descending(a.lmg).astype(int),
    })
    return ImportanceResult(table=table, r2=r2, n=n, outcome=outcome)
