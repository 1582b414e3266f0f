"""Validated input for the importance analyses: respondent rows or a labelled matrix.

Every analysis of driver importance takes either complete respondent rows (a
DataFrame with the outcome and driver columns) or a labelled correlation/covariance
matrix; this module checks them once and returns the covariance matrix with the
drivers first and the outcome last, the layout :mod:`analysis.importance.relative` expects.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from analysis.common.errors import DataError

# A driver correlation matrix whose smallest eigenvalue is below this is treated as
# singular (perfectly collinear drivers): the importance measures are then undefined.
SINGULAR_EIGENVALUE = 1e-10
# An eigenvector entry below this share of the largest is not part of the dependency.
_DEPENDENCY_WEIGHT = 1e-6


def collinear_drivers(corr: np.ndarray, drivers: Sequence[str]) -> list[str]:
    """The drivers in an exact linear dependency; empty when ``corr`` is not singular.

    The eigenvectors of the (near-)zero eigenvalues of the drivers' correlation matrix
    are the weights of the linear combinations that do not vary; a driver is named when
    it has a weight in one of them.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.random.default_rng(0).normal(size=(50, 2))
    >>> x = np.column_stack([x, x[:, 0] - x[:, 1]])
    >>> collinear_drivers(np.corrcoef(x, rowvar=False), ["a", "b", "c"])
    ['a', 'b', 'c']
    """
    eigval, eigvec = np.linalg.eigh(np.asarray(corr, dtype=float))
    null = np.abs(eigvec[:, eigval <= SINGULAR_EIGENVALUE])
    if not null.size:
        return []
    involved = (null > _DEPENDENCY_WEIGHT * null.max(axis=0)).any(axis=1)
    return [d for d, hit in zip(drivers, involved) if hit]


def variation_problem(x: np.ndarray, drivers: Sequence[str], outcome: str) -> str | None:
    """Why rows ``x`` (drivers, then the outcome) cannot give importance measures; None if they can.

    A column with one value for every row, or drivers that are exact linear
    combinations of each other, leave the regression and every importance measure
    undefined.
    """
    cols = [*drivers, outcome]
    constant = [c for c, r in zip(cols, np.ptp(x, axis=0)) if not r > 0]
    if constant:
        verb = "has" if len(constant) == 1 else "have"
        return f"{', '.join(map(str, constant))} {verb} the same value for every respondent"
    if len(drivers) > 1:
        collinear = collinear_drivers(np.corrcoef(x[:, :-1], rowvar=False), drivers)
        if collinear:
            return (f"the drivers {', '.join(map(str, collinear))} are perfectly collinear (one is a linear "
                    "combination of the others)")
    return None


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
        raise DataError("drivers is empty: name at least one driver column")
    if outcome in drivers:
        raise DataError(f"the outcome '{outcome}' is also listed in drivers; remove it from drivers")
    if len(set(drivers)) != len(drivers):
        raise DataError(f"drivers has duplicate names: {drivers}")
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
    for c, r in zip(cols, np.ptp(x, axis=0)):
        if not r > 0:
            raise DataError("has the same value for every respondent, so its importance is "
                            "undefined; drop it from the analysis", column=str(c))
    return x


def check_group_variation(values: np.ndarray, labels: list, codes: np.ndarray, drivers: Sequence[str],
                          outcome: str, group: str | None) -> None:
    """Refuse a group whose own rows leave importance undefined (:func:`variation_problem`).

    ``values`` are the rows (drivers, then the outcome), ``codes`` each row's index in
    ``labels``; ``group`` is the name of the grouping column (None: one group).

    Raises
    ------
    DataError
        Naming the group column, the group and the columns.
    """
    order = np.argsort(codes, kind="stable")
    bounds = np.r_[0, np.cumsum(np.bincount(codes, minlength=len(labels)))]
    for k, label in enumerate(labels):
        problem = variation_problem(values[order[bounds[k]:bounds[k + 1]]], drivers, outcome)
        if problem is None:
            continue
        if group is None:
            raise DataError(f"{problem}, so importance is undefined; leave those drivers out")
        raise DataError(f"group '{label}': {problem}, so importance is undefined there; drop or merge the group "
                        "or leave those drivers out", column=group)


def matrix_input(data: pd.DataFrame, outcome: str, drivers: Sequence[str] | None) -> tuple[np.ndarray, list[str]]:
    """A labelled covariance/correlation matrix, reordered to drivers first, outcome last."""
    if not isinstance(data, pd.DataFrame) or list(data.index) != list(data.columns):
        raise DataError("with matrix=True, data must be a square DataFrame whose index equals "
                         "its columns (a correlation or covariance matrix)")
    drivers = [c for c in data.columns if c != outcome] if drivers is None else list(drivers)
    cols = [*drivers, outcome]
    absent = [c for c in cols if c not in data.columns]
    if absent:
        raise DataError(f"the matrix has no row/column {', '.join(map(repr, absent))}")
    m = data.loc[cols, cols].to_numpy(dtype=float)
    if not np.allclose(m, m.T, atol=1e-10):
        raise DataError("the matrix is not symmetric")
    return m, drivers


def driver_covariance(data, outcome, drivers, matrix) -> tuple[np.ndarray, list[str], int | None]:
    if matrix:
        m, drivers = matrix_input(data, outcome, drivers)
        return m, drivers, None
    if drivers is None:
        raise DataError("drivers is required: list the driver score columns")
    x = check_driver_data(data, outcome, drivers)
    return np.cov(x, rowvar=False), list(drivers), x.shape[0]


def ranks_descending(values: np.ndarray) -> np.ndarray:
    """Ranks along the last axis as floats, 1 = largest (ties broken by position).

    A row with a NaN gets NaN ranks (a degenerate bootstrap resample).

    Examples
    --------
    >>> ranks_descending(np.array([0.1, 0.3, 0.2])).tolist()
    [3.0, 1.0, 2.0]
    """
    values = np.asarray(values, dtype=float)
    order = np.argsort(-values, axis=-1, kind="stable")
    ranks = np.empty(values.shape, dtype=float)
    np.put_along_axis(ranks, order, np.arange(1, values.shape[-1] + 1, dtype=float), axis=-1)
    ranks[np.isnan(values).any(axis=-1)] = np.nan
    return ranks
