"""Checked inputs for :mod:`analysis.validation.reliability` and :mod:`analysis.validation.discriminant`.

* :func:`check_items` turns a frame of item answers into floats or raises a
  ``ValueError`` that names the offending column;
* :func:`item_covariance` / :func:`item_correlation` apply the missing-data policy;
* :class:`CFASolution` holds a confirmatory factor solution as plain tables (loadings,
  residual variances, factor covariances, residual covariances), so the reliability and
  validity statistics do not depend on any SEM engine.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.common.errors import DataError, ModelError, ServiceDriversError

MISSING_POLICIES = ("pairwise", "listwise")


def check_items(items: pd.DataFrame, missing: str = "pairwise", min_items: int = 2,
                construct: str | None = None) -> pd.DataFrame:
    """Item answers as a float frame, with the rows the missing-data policy keeps.

    ``"pairwise"`` drops respondents with no answer on any of the items; ``"listwise"``
    keeps complete rows only.

    Raises
    ------
    ValueError
        Not a DataFrame, fewer than ``min_items`` columns, duplicate, non-numeric,
        all-missing, infinite or constant columns (named), or no rows left.
    """
    where = f" of construct {construct!r}" if construct is not None else ""
    if missing not in MISSING_POLICIES:
        raise ServiceDriversError(f"missing must be one of {MISSING_POLICIES}, got {missing!r}")
    if not isinstance(items, pd.DataFrame):
        raise ServiceDriversError(f"items{where} must be a pandas DataFrame, got {type(items).__name__}")
    if items.shape[1] < min_items:
        raise DataError(f"a scale needs at least {min_items} items; the items{where} are "
                         f"{list(items.columns)}")
    if items.columns.duplicated().any():
        raise DataError(f"duplicate item columns{where}: "
                         f"{list(items.columns[items.columns.duplicated()])}")
    columns = {}
    for column in items.columns:
        values = items[column]
        if values.dtype.kind not in "iuf":
            raise DataError(f"column {column!r}{where} is not numeric (dtype {values.dtype}); "
                             "code answers as numbers and 'not applicable' as NaN")
        values = values.to_numpy(dtype=float, na_value=np.nan)
        if np.isinf(values).any():
            raise DataError(f"column {column!r}{where} has infinite values")
        if np.isnan(values).all():
            raise DataError(f"column {column!r}{where} has no answers (all missing)")
        columns[column] = values
    data = pd.DataFrame(columns, index=items.index)
    data = data.dropna(how="any" if missing == "listwise" else "all")
    if len(data) < 2:
        raise DataError(f"fewer than two respondents{where} left after {missing} deletion")
    for column in data.columns:
        if data[column].count() < 2 or data[column].std() == 0:
            raise DataError(f"column {column!r}{where} has no variance "
                             f"(answers: {sorted(data[column].dropna().unique())[:5]})")
    return data


def item_covariance(data: pd.DataFrame, missing: str = "pairwise") -> np.ndarray:
    """Item covariance matrix (``n - 1``), pairwise-complete unless ``missing="listwise"``.

    ``data`` comes from :func:`check_items`; under ``"listwise"`` it is complete, so both
    policies reduce to ``DataFrame.cov`` (pairwise complete, as R's
    ``cov(use = "pairwise")``).
    """
    cov = data.cov(min_periods=2)
    _no_undefined_pairs(cov, missing)
    return cov.to_numpy()


def item_correlation(data: pd.DataFrame, missing: str = "pairwise") -> pd.DataFrame:
    """Pearson correlations of the items under the same policy as :func:`item_covariance`."""
    corr = data.corr(min_periods=2)
    _no_undefined_pairs(corr, missing)
    return corr


def _no_undefined_pairs(matrix: pd.DataFrame, missing: str) -> None:
    undefined = np.argwhere(matrix.isna().to_numpy())
    if len(undefined):
        a, b = matrix.index[undefined[0][0]], matrix.columns[undefined[0][1]]
        raise DataError(f"items {a!r} and {b!r} have fewer than two respondents in common "
                         f"(or no variance among them) under {missing} deletion")


@dataclass(frozen=True)
class CFASolution:
    """A CFA solution (raw or standardized) with simple structure, as plain tables.

    Attributes
    ----------
    loadings : DataFrame
        Items (index) by factors (columns); 0 where an item does not load. Each item
        loads on exactly one factor.
    residual_variances : Series
        Residual (unique) variance of each item.
    factor_covariances : DataFrame
        Factor variances and covariances (correlations with 1s for a standardized one).
    residual_covariances : DataFrame, optional
        Residual covariances among items (diagonal ignored); zeros when omitted.
    """

    loadings: pd.DataFrame
    residual_variances: pd.Series
    factor_covariances: pd.DataFrame
    residual_covariances: pd.DataFrame | None = None

    def __post_init__(self) -> None:
        loadings = pd.DataFrame(self.loadings, dtype=float)
        items, factors = list(loadings.index), list(loadings.columns)
        if loadings.isna().any().any():
            raise ModelError("loadings must not be missing; use 0 where an item does not load")
        for item, row in loadings.iterrows():
            if (row != 0).sum() != 1:
                raise ModelError(f"item {item!r} loads on {(row != 0).sum()} factors; "
                                 "only simple structure (one factor per item) is supported")
        residual = pd.Series(self.residual_variances, dtype=float)
        absent = [i for i in items if i not in residual.index or np.isnan(residual[i])]
        if absent:
            raise ModelError(f"no residual variance for items {absent}")
        phi = pd.DataFrame(self.factor_covariances, dtype=float)
        if not (set(factors) <= set(phi.index) and set(factors) <= set(phi.columns)):
            raise ModelError(f"factor_covariances must cover the factors {factors}")
        theta = (pd.DataFrame(0.0, index=items, columns=items)
                 if self.residual_covariances is None
                 else pd.DataFrame(self.residual_covariances, dtype=float)
                 .reindex(index=items, columns=items).fillna(0.0))
        object.__setattr__(self, "loadings", loadings)
        object.__setattr__(self, "residual_variances", residual[items])
        object.__setattr__(self, "factor_covariances", phi.loc[factors, factors])
        object.__setattr__(self, "residual_covariances", theta)

    @property
    def factors(self) -> list[str]:
        return list(self.loadings.columns)

    def items_of(self, factor: str) -> list[str]:
        """The items that load on ``factor``."""
        if factor not in self.loadings.columns:
            raise ServiceDriversError(f"unknown factor {factor!r}; factors are {self.factors}")
        return list(self.loadings.index[self.loadings[factor] != 0])

    def implied_item_variances(self) -> pd.Series:
        """Model-implied item variances, diag(Lambda Phi Lambda') + theta."""
        lam, phi = self.loadings.to_numpy(), self.factor_covariances.to_numpy()
        common = np.einsum("if,fg,ig->i", lam, phi, lam)
        return pd.Series(common + self.residual_variances.to_numpy(), index=self.loadings.index)

    def factor_correlations(self) -> pd.DataFrame:
        """Factor covariances rescaled to correlations."""
        sd = np.sqrt(np.diag(self.factor_covariances.to_numpy()))
        return self.factor_covariances / np.outer(sd, sd)

    def standardized(self) -> "CFASolution":
        """The completely standardized solution (lavaan's ``std.all``): items by their
        model-implied SD, factors by their SD."""
        item_sd = np.sqrt(self.implied_item_variances())
        factor_sd = np.sqrt(np.diag(self.factor_covariances.to_numpy()))
        return CFASolution(
            loadings=self.loadings.mul(factor_sd, axis=1).div(item_sd, axis=0),
            residual_variances=self.residual_variances / item_sd**2,
            factor_covariances=self.factor_correlations(),
            residual_covariances=self.residual_covariances / np.outer(item_sd, item_sd),
        )

    @classmethod
    def from_parameter_table(cls, table: pd.DataFrame, estimate: str = "est") -> "CFASolution":
        """Build from a lavaan-style parameter table (columns ``lhs``, ``op``, ``rhs`` and
        ``estimate``), e.g. ``parameterEstimates()`` or ``standardizedSolution()``
        (``estimate="est.std"``). Rows other than ``=~`` and ``~~`` are ignored, except
        that regressions on factors raise (only CFA models are supported)."""
        missing_columns = {"lhs", "op", "rhs", estimate} - set(table.columns)
        if missing_columns:
            raise ModelError(f"parameter table lacks columns {sorted(missing_columns)}")
        measurement = table[table["op"] == "=~"]
        factors = list(dict.fromkeys(measurement["lhs"]))
        items = list(dict.fromkeys(measurement["rhs"]))
        if not factors:
            raise ModelError("parameter table has no '=~' (loading) rows")
        if set(items) & set(factors):
            raise ModelError(f"higher-order factors are not supported: {set(items) & set(factors)}")
        structural = table[(table["op"] == "~") & table["lhs"].isin(factors)]
        if len(structural):
            raise ModelError("regressions among factors are not supported; pass a CFA solution")
        loadings = pd.DataFrame(0.0, index=items, columns=factors)
        for factor, item, value in measurement[["lhs", "rhs", estimate]].to_numpy():
            loadings.loc[item, factor] = value
        phi = pd.DataFrame(np.nan, index=factors, columns=factors)
        theta = pd.DataFrame(0.0, index=items, columns=items)
        residual = pd.Series(np.nan, index=items)
        for lhs, rhs, value in table.loc[table["op"] == "~~", ["lhs", "rhs", estimate]].to_numpy():
            if lhs in factors and rhs in factors:
                phi.loc[lhs, rhs] = phi.loc[rhs, lhs] = value
            elif lhs in items and rhs in items:
                if lhs == rhs:
                    residual[lhs] = value
                else:
                    theta.loc[lhs, rhs] = theta.loc[rhs, lhs] = value
        if phi.isna().to_numpy().diagonal().any():
            raise ModelError(f"parameter table lacks the variance of factors "
                             f"{list(phi.index[phi.isna().to_numpy().diagonal()])}")
        return cls(loadings, residual, phi.fillna(0.0), theta)
