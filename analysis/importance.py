"""Relative importance of correlated drivers: LMG, dominance analysis, relative weights, Pratt.

Every measure here depends on the data only through the covariance matrix of the
drivers and the outcome, so the array functions take a covariance (or correlation)
matrix whose **last** row and column are the outcome, and accept a stack of them
(shape ``(..., p + 1, p + 1)``). That is what lets :mod:`analysis.bootstrap` compute
thousands of resamples in a few batched linear-algebra calls.

Subsets of the ``p`` drivers are encoded as bit masks: driver ``j`` is in subset
``m`` when bit ``j`` of ``m`` is set, so column ``m`` of :func:`subset_r2` is the R² of
the model with those drivers (column 0, the empty model, is 0).

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

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

import numpy as np
import pandas as pd

from instrument.errors import DataError, ModelError

MAX_PREDICTORS = 12
# A driver correlation matrix whose smallest eigenvalue is below this is treated as
# singular (perfectly collinear drivers): the importance measures are then undefined.
SINGULAR_EIGENVALUE = 1e-10


# ---------------------------------------------------------------------------
# Subset bookkeeping (depends only on p, so it is cached)
# ---------------------------------------------------------------------------

@lru_cache(maxsize=16)
def subsets_by_size(n_predictors: int) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    """The non-empty subsets of ``n_predictors`` drivers, grouped by size.

    Returns
    -------
    tuple of (masks, members)
        One pair per subset size ``k = 1 .. p``: ``masks`` (m,) are the bit masks and
        ``members`` (m, k) the driver indices of each subset, in increasing order.
    """
    p = _check_p(n_predictors)
    masks = np.arange(1, 2**p)
    bits = (masks[:, None] >> np.arange(p)) & 1
    sizes = bits.sum(axis=1)
    out = []
    for k in range(1, p + 1):
        m = masks[sizes == k]
        members = np.nonzero(bits[sizes == k])[1].reshape(len(m), k)
        out.append((m, members))
    return tuple(out)


def _check_p(p: int) -> int:
    if not 1 <= int(p) <= MAX_PREDICTORS:
        raise ValueError(
            f"relative importance needs 1 to {MAX_PREDICTORS} drivers (2^p subsets are "
            f"fitted), got {p}"
        )
    return int(p)


@lru_cache(maxsize=16)
def shapley_weight_matrix(n_predictors: int) -> np.ndarray:
    """Matrix ``M`` with ``LMG = R2_subsets @ M`` (Shapley value of R²).

    ``M[S ∪ {j}, j] = w`` and ``M[S, j] = -w`` for every subset ``S`` without ``j``,
    with ``w = |S|! (p - |S| - 1)! / p!``: the weight of the orders in which ``S``
    enters before ``j``.

    Returns
    -------
    ndarray, shape (2**p, p), read-only
    """
    p = _check_p(n_predictors)
    masks = np.arange(2**p)
    sizes = np.array([bin(m).count("1") for m in masks])
    weights = np.array([math.factorial(s) * math.factorial(p - s - 1) / math.factorial(p)
                        for s in range(p)])
    M = np.zeros((2**p, p))
    for j in range(p):
        without = masks[(masks >> j) & 1 == 0]
        M[without | (1 << j), j] += weights[sizes[without]]
        M[without, j] -= weights[sizes[without]]
    M.setflags(write=False)
    return M


@lru_cache(maxsize=16)
def conditional_weight_matrix(n_predictors: int) -> np.ndarray:
    """Matrix ``C`` with ``(R2_subsets @ C).reshape(p, p)[k, j]`` = mean gain of driver j over the subsets of size k.

    Returns
    -------
    ndarray, shape (2**p, p * p), read-only
    """
    p = _check_p(n_predictors)
    masks = np.arange(2**p)
    sizes = np.array([bin(m).count("1") for m in masks])
    C = np.zeros((2**p, p, p))
    for j in range(p):
        without = masks[(masks >> j) & 1 == 0]
        for k in range(p):
            sub = without[sizes[without] == k]
            C[sub | (1 << j), k, j] += 1.0 / len(sub)
            C[sub, k, j] -= 1.0 / len(sub)
    C = C.reshape(2**p, p * p)
    C.setflags(write=False)
    return C


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
        raise ValueError(
            "cov must be a (p + 1) x (p + 1) covariance or correlation matrix (or a stack "
            f"of them) with the outcome last; got shape {cov.shape}"
        )
    _check_p(cov.shape[-1] - 1)
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

    r2_sub = np.zeros((Rxx.shape[0], 2**p))
    beta = None
    for masks, members in subsets_by_size(p):
        A = Rxx[:, members[:, :, None], members[:, None, :]]  # (N, m, k, k)
        b = rxy[:, members]                                   # (N, m, k)
        sol = np.linalg.solve(A, b[..., None])[..., 0]
        r2_sub[:, masks] = np.einsum("nmk,nmk->nm", sol, b)
        if members.shape[1] == p:
            beta = sol[:, 0, :]
    lmg = r2_sub @ shapley_weight_matrix(p)

    # Johnson (2000): Lambda = Rxx^(1/2) relates the drivers to their closest orthonormal
    # counterparts Z; beta_Z = Rxx^(-1/2) r; weight_j = sum_k Lambda_jk^2 beta_Z,k^2.
    root = np.sqrt(eigval)
    lam = np.einsum("nij,nj,nkj->nik", eigvec, root, eigvec)
    beta_z = np.einsum("nij,nj,nkj,nk->ni", eigvec, 1.0 / root, eigvec, rxy)
    rel_w = np.einsum("nij,nj->ni", lam**2, beta_z**2)
    pratt = beta * rxy

    def out(a: np.ndarray) -> np.ndarray:
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


def standardized_betas(cov: np.ndarray) -> np.ndarray:
    """Standardized regression coefficients ``Rxx^(-1) r`` of the outcome on all drivers.

    Returns
    -------
    ndarray, shape (..., p)
    """
    return importance_arrays(cov).std_beta


def conditional_contributions(r2_subsets: np.ndarray) -> np.ndarray:
    """Average gain in R² of each driver over the subsets of each size (Azen & Budescu 2003).

    Parameters
    ----------
    r2_subsets : ndarray, shape (..., 2**p)
        Output of :func:`subset_r2`.

    Returns
    -------
    ndarray, shape (..., p, p)
        ``[..., k, j]``: mean of ``R²(S ∪ {j}) - R²(S)`` over the subsets ``S`` of
        ``k`` other drivers. The mean over ``k`` is the general dominance weight (LMG).
    """
    r2_subsets = np.asarray(r2_subsets, dtype=float)
    p = int(round(math.log2(r2_subsets.shape[-1])))
    if 2**p != r2_subsets.shape[-1]:
        raise ValueError(f"r2_subsets must have 2**p columns, got {r2_subsets.shape[-1]}")
    out = r2_subsets @ conditional_weight_matrix(p)
    return out.reshape(r2_subsets.shape[:-1] + (p, p))


def complete_dominance_matrix(r2_subsets: np.ndarray, tol: float = 1e-12) -> np.ndarray:
    """Pairwise complete dominance (Budescu 1993) from the R² of all subsets.

    Driver ``i`` completely dominates ``j`` when ``R²(S ∪ {i}) > R²(S ∪ {j})`` for every
    subset ``S`` of the other drivers (the empty one included).

    Returns
    -------
    ndarray, shape (..., p, p)
        1 where row dominates column, 0 where column dominates row, 0.5 when undetermined
        (the convention of the R package dominanceanalysis); 0.5 on the diagonal.
    """
    r2_subsets = np.asarray(r2_subsets, dtype=float)
    p = int(round(math.log2(r2_subsets.shape[-1])))
    masks = np.arange(2**p)
    out = np.full(r2_subsets.shape[:-1] + (p, p), 0.5)
    for i in range(p):
        for j in range(i + 1, p):
            others = masks[((masks >> i) & 1 == 0) & ((masks >> j) & 1 == 0)]
            diff = r2_subsets[..., others | (1 << i)] - r2_subsets[..., others | (1 << j)]
            i_wins = np.all(diff > tol, axis=-1)
            j_wins = np.all(diff < -tol, axis=-1)
            out[..., i, j] = np.where(i_wins, 1.0, np.where(j_wins, 0.0, 0.5))
            out[..., j, i] = 1.0 - out[..., i, j]
    return out


def dominance_from_levels(levels: np.ndarray, tol: float = 1e-12) -> np.ndarray:
    """Pairwise dominance from per-level values ``(..., L, p)``: row beats column at every level.

    With one level (general dominance weights) this is a plain comparison; with the
    ``p`` rows of :func:`conditional_contributions` it is conditional dominance.

    Returns
    -------
    ndarray, shape (..., p, p), coded as in :func:`complete_dominance_matrix`.
    """
    levels = np.asarray(levels, dtype=float)
    diff = levels[..., :, :, None] - levels[..., :, None, :]  # (..., L, p, p)
    wins = np.all(diff > tol, axis=-3)
    losses = np.all(diff < -tol, axis=-3)
    return np.where(wins, 1.0, np.where(losses, 0.0, 0.5))


# ---------------------------------------------------------------------------
# DataFrame interface
# ---------------------------------------------------------------------------

def check_driver_data(data: pd.DataFrame, outcome: str, drivers: Sequence[str]) -> np.ndarray:
    """Validate respondent rows and return them as a float array, drivers first, outcome last.

    Raises
    ------
    DataError
        A column is missing, not numeric, has missing values, or has no variance; or
        there are not more respondents than drivers + 1.
    """
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    drivers = list(drivers)
    if not drivers:
        raise ValueError("drivers is empty: name at least one driver column")
    if outcome in drivers:
        raise ValueError(f"the outcome '{outcome}' is also listed in drivers; remove it from drivers")
    if len(set(drivers)) != len(drivers):
        raise ValueError(f"drivers has duplicate names: {drivers}")
    cols = [*drivers, outcome]
    absent = [c for c in cols if c not in data.columns]
    if absent:
        raise DataError(f"no column named {', '.join(map(repr, absent))} in the data; "
                        f"available: {', '.join(map(str, data.columns))}")
    for c in cols:
        if not pd.api.types.is_numeric_dtype(data[c]) or pd.api.types.is_bool_dtype(data[c]):
            raise DataError("must be numeric (scores), not text or yes/no", column=str(c))
        if data[c].isna().any():
            rows = list(np.flatnonzero(data[c].isna().to_numpy()) + 1)
            raise DataError("has missing values; pass complete rows only (select respondents "
                            "with an outcome and all driver scores first)", column=str(c), rows=rows)
    x = data[cols].to_numpy(dtype=float)
    if x.shape[0] <= len(drivers) + 1:
        raise DataError(f"{x.shape[0]} respondents is too few for {len(drivers)} drivers; "
                        f"at least {len(drivers) + 2} are needed")
    sd = x.std(axis=0)
    for c, s in zip(cols, sd):
        if not s > 0:
            raise DataError("has the same value for every respondent, so its importance is "
                            "undefined; drop it from the analysis", column=str(c))
    return x


def _matrix_input(data: pd.DataFrame, outcome: str, drivers: Sequence[str] | None) -> tuple[np.ndarray, list[str]]:
    """A labelled covariance/correlation matrix, reordered to drivers first, outcome last."""
    if not isinstance(data, pd.DataFrame) or list(data.index) != list(data.columns):
        raise ValueError("with matrix=True, data must be a square DataFrame whose index equals "
                         "its columns (a correlation or covariance matrix)")
    drivers = [c for c in data.columns if c != outcome] if drivers is None else list(drivers)
    cols = [*drivers, outcome]
    absent = [c for c in cols if c not in data.columns]
    if absent:
        raise ValueError(f"the matrix has no row/column {', '.join(map(repr, absent))}")
    m = data.loc[cols, cols].to_numpy(dtype=float)
    if not np.allclose(m, m.T, atol=1e-10):
        raise ValueError("the matrix is not symmetric")
    return m, drivers


def _cov_input(data, outcome, drivers, matrix) -> tuple[np.ndarray, list[str], int | None]:
    if matrix:
        m, drivers = _matrix_input(data, outcome, drivers)
        return m, drivers, None
    if drivers is None:
        raise ValueError("drivers is required: list the driver score columns")
    x = check_driver_data(data, outcome, drivers)
    return np.cov(x, rowvar=False), list(drivers), x.shape[0]


def _arrays_or_raise(cov: np.ndarray, drivers: list[str]) -> ImportanceArrays:
    arrays = importance_arrays(cov)
    if not bool(arrays.valid):
        raise ModelError("the drivers are perfectly collinear (one is a linear combination of "
                         f"others among {', '.join(drivers)}); drop or merge the redundant ones")
    return arrays


def _ranks_desc(values: np.ndarray) -> np.ndarray:
    """Rank 1 = largest, along the last axis (ties broken by position)."""
    order = np.argsort(-values, axis=-1, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(1, values.shape[-1] + 1), axis=-1)
    return ranks


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

    def summary(self) -> str:
        n = "" if self.n is None else f", n = {self.n}"
        head = f"Relative importance for '{self.outcome}' (R² = {self.r2:.3f}{n})"
        return head + "\n" + self.table.to_string(index=False, float_format=lambda v: f"{v:.3f}")

    def _repr_html_(self) -> str:
        n = "" if self.n is None else f", n = {self.n}"
        return (f"<p>Relative importance for <b>{self.outcome}</b> (R² = {self.r2:.3f}{n})</p>"
                + self.table.to_html(index=False, float_format=lambda v: f"{v:.3f}"))


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
    cov, drivers, n = _cov_input(data, outcome, drivers, matrix)
    a = _arrays_or_raise(cov, drivers)
    r2 = float(a.r2)
    table = pd.DataFrame({
        "driver": drivers, "r": a.r, "std_beta": a.std_beta,
        "lmg": a.lmg, "lmg_pct": 100 * a.lmg / r2,
        "relative_weight": a.relative_weight, "relative_weight_pct": 100 * a.relative_weight / r2,
        "pratt": a.pratt, "pratt_pct": 100 * a.pratt / r2,
        "lmg_rank": _ranks_desc(a.lmg),
    })
    return ImportanceResult(table=table, r2=r2, n=n, outcome=outcome)


_DESIGNATION = {1.0: "dominates", 0.0: "is dominated by", 0.5: "undetermined"}


@dataclass(frozen=True)
class DominanceResult:
    """Dominance analysis of the drivers of one outcome (Azen & Budescu 2003).

    Attributes
    ----------
    r2 : float
    general : DataFrame
        ``driver``, ``general_dominance`` (= LMG), ``pct`` (% of R²), ``rank``.
    conditional : DataFrame
        Index ``k`` = 0 .. p-1 (number of other drivers already in the model), one column
        per driver: the mean gain in R² when the driver is added to such models. Row
        ``k = 0`` holds the squared correlations; the column means are the general
        dominance weights.
    complete, conditional_matrix, general_matrix : DataFrame
        p x p, 1 where the row driver dominates the column driver (completely,
        conditionally, generally), 0 where it is dominated, 0.5 when undetermined.
    pairs : DataFrame
        One row per pair ``driver`` < ``other`` (in driver order): ``complete``,
        ``conditional``, ``general``, each 'dominates', 'is dominated by' or
        'undetermined' (read: driver <designation> other).
    subset_r2 : Series
        R² of every subset model, indexed by a '+'-joined label ('' for the empty model).
    """

    r2: float
    general: pd.DataFrame
    conditional: pd.DataFrame
    complete: pd.DataFrame
    conditional_matrix: pd.DataFrame
    general_matrix: pd.DataFrame
    pairs: pd.DataFrame
    subset_r2: pd.Series

    def summary(self) -> str:
        fmt = lambda v: f"{v:.3f}"  # noqa: E731
        return "\n\n".join([
            f"Dominance analysis (R² = {self.r2:.3f})",
            "General dominance\n" + self.general.to_string(index=False, float_format=fmt),
            "Conditional dominance (mean gain by number of other drivers k)\n"
            + self.conditional.to_string(float_format=fmt),
            "Pairwise designations\n" + self.pairs.to_string(index=False),
        ])

    def _repr_html_(self) -> str:
        fmt = lambda v: f"{v:.3f}"  # noqa: E731
        return (f"<p>Dominance analysis (R² = {self.r2:.3f})</p>"
                + self.general.to_html(index=False, float_format=fmt)
                + self.conditional.to_html(float_format=fmt)
                + self.pairs.to_html(index=False))


def dominance_analysis(data: pd.DataFrame, outcome: str, drivers: Sequence[str] | None = None,
                       *, matrix: bool = False, tol: float = 1e-12) -> DominanceResult:
    """Complete, conditional and general dominance of each pair of drivers.

    Parameters
    ----------
    data : DataFrame
        Complete respondent rows, or a labelled correlation/covariance matrix with
        ``matrix=True``.
    outcome : str
    drivers : sequence of str
        Driver columns (all other matrix columns by default when ``matrix=True``).
    matrix : bool
    tol : float
        Differences in R² within ``tol`` count as ties (no dominance).

    Returns
    -------
    DominanceResult

    References
    ----------
    Budescu, D. V. (1993). *Psychological Bulletin*, 114(3), 542-551.
    Azen, R., & Budescu, D. V. (2003). *Psychological Methods*, 8(2), 129-148.

    Examples
    --------
    The correlation matrix of Azen & Budescu (2003):

    >>> import pandas as pd
    >>> names = ["y", "x1", "x2", "x3", "x4"]
    >>> R = pd.DataFrame([[1, .6, .3, .4, .5], [.6, 1, .8, .1, .3], [.3, .8, 1, .1, .1],
    ...                   [.4, .1, .1, 1, .5], [.5, .3, .1, .5, 1]], index=names, columns=names)
    >>> da = dominance_analysis(R, "y", matrix=True)
    >>> da.general.general_dominance.round(3).tolist()
    [0.292, 0.076, 0.095, 0.121]
    """
    cov, drivers, _ = _cov_input(data, outcome, drivers, matrix)
    a = _arrays_or_raise(cov, drivers)
    p = len(drivers)
    r2 = float(a.r2)
    cond = conditional_contributions(a.subset_r2)
    general = pd.DataFrame({"driver": drivers, "general_dominance": a.lmg,
                            "pct": 100 * a.lmg / r2, "rank": _ranks_desc(a.lmg)})
    square = lambda m: pd.DataFrame(m, index=pd.Index(drivers, name="driver"), columns=drivers)  # noqa: E731
    complete = complete_dominance_matrix(a.subset_r2, tol)
    conditional_m = dominance_from_levels(cond, tol)
    general_m = dominance_from_levels(a.lmg[None, :], tol)
    pairs = pd.DataFrame([
        {"driver": drivers[i], "other": drivers[j],
         "complete": _DESIGNATION[complete[i, j]],
         "conditional": _DESIGNATION[conditional_m[i, j]],
         "general": _DESIGNATION[general_m[i, j]]}
        for i in range(p) for j in range(i + 1, p)
    ], columns=["driver", "other", "complete", "conditional", "general"])
    labels = ["+".join(drivers[j] for j in range(p) if m >> j & 1) for m in range(2**p)]
    return DominanceResult(
        r2=r2, general=general,
        conditional=pd.DataFrame(cond, index=pd.RangeIndex(p, name="k"), columns=drivers),
        complete=square(complete), conditional_matrix=square(conditional_m),
        general_matrix=square(general_m), pairs=pairs,
        subset_r2=pd.Series(a.subset_r2, index=labels, name="r2"),
    )
