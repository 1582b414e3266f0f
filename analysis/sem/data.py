"""Prepare survey data for estimation: groups, missing-data patterns, coverage.

Respondents are grouped by their pattern of observed variables; each pattern
keeps only its size, mean vector and (biased) covariance matrix, which are
sufficient statistics for the normal likelihood of its rows.  Complete data are
the special case of a single pattern.

References
----------
Arbuckle, J. L. (1996). Full information estimation in the presence of
    incomplete data. In G. A. Marcoulides & R. E. Schumacker (Eds.), *Advanced
    Structural Equation Modeling* (pp. 243-277). Erlbaum.
Rosseel, Y. (2012). lavaan. *Journal of Statistical Software*, 48(2), 1-36
    (``lavInspect(fit, "coverage")``).

Example
-------
>>> import pandas as pd, numpy as np
>>> df = pd.DataFrame({"x1": [1.0, 2, np.nan, 4], "x2": [2.0, np.nan, 1, 3]})
>>> groups, info = prepare_groups(df, ("x1", "x2"), group=None, missing="ml")
>>> groups[0].n, groups[0].n_patterns
(4, 3)
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.common.errors import ModelError

MISSING_OPTIONS = ("ml", "listwise")


@dataclass(frozen=True)
class PatternBatch:
    """Missing-data patterns that observe the same number ``k`` of variables.

    ``idx`` (B, k) holds the observed variable indices of each pattern, ``n`` (B,)
    its number of respondents, ``ybar`` (B, k) and ``cov`` (B, k, k) its mean and
    covariance (divisor ``n``), ``lin`` (B, k*k) the flat positions ``i*p + j`` of
    its sub-matrix in a ``p x p`` matrix; ``mis`` (B, p - k) the unobserved variable
    indices (None: found from ``idx`` when needed).
    """

    idx: np.ndarray
    n: np.ndarray
    ybar: np.ndarray
    cov: np.ndarray
    lin: np.ndarray
    mis: np.ndarray | None = None


@dataclass(frozen=True)
class GroupData:
    """One group's data reduced to pattern statistics."""

    label: str
    n: int
    n_empty: int
    n_patterns: int
    batches: tuple[PatternBatch, ...]
    complete: bool
    mean: np.ndarray          # available-case means
    cov: np.ndarray | None    # biased sample covariance when complete, else None
    coverage: np.ndarray      # share of respondents observing both variables
    observed_share: np.ndarray
    n_available: np.ndarray   # respondents observing each variable
    var_available: np.ndarray  # available-case variances (divisor n)
    values: np.ndarray | None  # the (non-empty) rows, NaN for missing; None from pattern statistics


@dataclass(frozen=True)
class PatternData:
    """One group's data already reduced to pattern statistics, for :meth:`analysis.sem.SEM.fit`.

    Made by :func:`analysis.sem.patterns.pattern_statistics`; ``spread`` is each
    variable's maximum minus minimum (a constant variable cannot be modelled).
    """

    observed: tuple[str, ...]
    group: GroupData
    spread: np.ndarray


def _from_statistics(data: PatternData, observed: tuple[str, ...], group, missing: str):
    """:func:`prepare_groups` for data given as pattern statistics (checked as rows are)."""
    if group is not None or missing != "ml":
        raise ModelError("data given as pattern statistics fit one group with missing='ml' only; "
                         "pass the DataFrame of respondents for group= or missing='listwise'")
    if tuple(data.observed) != tuple(observed):
        raise ModelError(f"the pattern statistics are of the variables {list(data.observed)}, but the "
                         f"model's observed variables are {list(observed)}; compute them for the model's")
    g = data.group
    never = [v for v, k in zip(observed, g.n_available) if k == 0]
    if never:
        raise ModelError(f"the data: variable(s) {never} are missing for every respondent")
    constant = [v for v, r in zip(observed, data.spread) if r == 0]
    if constant:
        raise ModelError(f"the data: variable(s) {constant} have the same value for every "
                         f"respondent, so they cannot be modelled; remove them from the model")
    return [g], {"n_rows": g.n + g.n_empty, "n_group_missing": 0, "n_listwise_dropped": 0}


def flat_positions(idx: np.ndarray, p: int) -> np.ndarray:
    """``lin`` of :class:`PatternBatch`: the positions ``i*p + j`` of each pattern's sub-matrix, ``(B, k*k)``.

    Stored in the smallest integer type that holds ``p*p`` (int16 up to 181 variables):
    a fit keeps its patterns, and these positions would otherwise take as much memory
    as the covariance matrices themselves.
    """
    B, k = idx.shape
    dtype = np.int16 if p * p <= np.iinfo(np.int16).max else np.int32 if p * p <= np.iinfo(np.int32).max else np.int64
    return (idx[:, :, None] * p + idx[:, None, :]).reshape(B, k * k).astype(dtype)


def missing_positions(idx: np.ndarray, p: int) -> np.ndarray:
    """The unobserved variable indices of each pattern, ``(B, p - k)`` ascending, from the observed ones ``idx``."""
    B, k = idx.shape
    mask = np.ones((B, p), bool)
    np.put_along_axis(mask, idx, False, axis=1)
    return np.nonzero(mask)[1].reshape(B, p - k)


def _batches(Y: np.ndarray) -> tuple[tuple[PatternBatch, ...], int]:
    p = Y.shape[1]
    observed = ~np.isnan(Y)
    patterns, inverse = np.unique(observed, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    by_k: dict[int, list] = {}
    for pid, pat in enumerate(patterns):
        rows = Y[inverse == pid][:, pat]
        idx = np.flatnonzero(pat)
        ybar = rows.mean(axis=0)
        centred = rows - ybar
        cov = centred.T @ centred / rows.shape[0]
        by_k.setdefault(len(idx), []).append((idx, rows.shape[0], ybar, cov))
    out = []
    for k in sorted(by_k):
        items = by_k[k]
        idx = np.array([it[0] for it in items], dtype=int).reshape(len(items), k)
        lin = flat_positions(idx, p)
        out.append(PatternBatch(idx=idx, n=np.array([it[1] for it in items], dtype=float),
                                ybar=np.array([it[2] for it in items]).reshape(len(items), k),
                                cov=np.array([it[3] for it in items]).reshape(len(items), k, k),
                                lin=lin, mis=missing_positions(idx, p)))
    return tuple(out), len(patterns)


def _group_label(value) -> str:
    """Group value as text; integral floats (a coded column with gaps) print as integers."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _numeric(frame: pd.DataFrame, observed, where) -> np.ndarray:
    cols = []
    for name in observed:
        col = pd.to_numeric(frame[name], errors="coerce")
        bad = col.isna() & frame[name].notna()
        if bad.any():
            rows = [int(r) + 1 for r in np.flatnonzero(bad.to_numpy())]
            shown = ", ".join(map(str, rows[:5])) + (f" and {len(rows) - 5} more" if len(rows) > 5 else "")
            raise ModelError(f"column '{name}' has non-numeric values (row {shown}, counting data "
                             f"rows from 1); recode them as numbers or missing")
        cols.append(col.to_numpy(dtype=float))
    return np.column_stack(cols) if cols else np.empty((len(frame), 0))


def prepare_groups(data: pd.DataFrame, observed: tuple[str, ...], *, group: str | None,
                   missing: str, first_line: dict | None = None):
    """Split data by group and reduce each group to missing-data patterns.

    Parameters
    ----------
    data : DataFrame or PatternData
        One row per respondent, or one group's pattern statistics
        (:mod:`analysis.sem.patterns`; one group, ``missing="ml"``).
    observed : tuple of str
        Observed variables of the model, in model order.
    group : str or None
        Grouping column; groups are ordered by first appearance (as lavaan);
        rows with a missing group are dropped.
    missing : {"ml", "listwise"}
        ``"ml"`` keeps incomplete rows (rows with every variable missing are dropped
        and counted); ``"listwise"`` drops every incomplete row.

    Returns
    -------
    groups : list of GroupData
    info : dict
        ``n_rows``, ``n_group_missing``, ``n_listwise_dropped``.

    Raises
    ------
    ModelError
        Missing columns, non-numeric values, a group column without values, no
        usable rows, a variable never observed in a group.
    """
    if missing not in MISSING_OPTIONS:
        raise ModelError(f"missing must be one of {MISSING_OPTIONS}, got {missing!r}")
    if isinstance(data, PatternData):
        return _from_statistics(data, observed, group, missing)
    if not isinstance(data, pd.DataFrame):
        raise ModelError("data must be a pandas DataFrame with one row per respondent")
    first_line = first_line or {}
    absent = [v for v in observed if v not in data.columns]
    if absent:
        v = absent[0]
        raise ModelError(f"line {first_line.get(v, '?')}: variable '{v}' is not a column of the "
                         f"data and is not a latent variable (defined with =~)"
                         + (f"; also missing: {absent[1:]}" if len(absent) > 1 else ""))
    if group is not None and group not in data.columns:
        raise ModelError(f"group column '{group}' is not in the data")
    info = {"n_rows": len(data), "n_group_missing": 0, "n_listwise_dropped": 0}
    if group is None:
        parts = [("", data)]
    else:
        keep = data[group].notna()
        info["n_group_missing"] = int((~keep).sum())
        key = data[group].map(_group_label)
        labels = list(dict.fromkeys(key[keep]))
        if not labels:
            raise ModelError(f"group column '{group}' has no values (missing in every row); "
                             "give the respondents a group or fit without group=")
        parts = [(lab, data[keep & (key == lab)]) for lab in labels]
    groups = []
    for label, frame in parts:
        Y = _numeric(frame, observed, label)
        if missing == "listwise":
            complete_rows = ~np.isnan(Y).any(axis=1)
            info["n_listwise_dropped"] += int((~complete_rows).sum())
            Y = Y[complete_rows]
        empty = np.isnan(Y).all(axis=1) if Y.shape[1] else np.zeros(len(Y), bool)
        Y = Y[~empty]
        where = f"group '{label}'" if label else "the data"
        if Y.shape[0] == 0:
            raise ModelError(f"{where}: no respondent has any observed value of the model's "
                             f"variables" + (" after listwise deletion" if missing == "listwise" else ""))
        obs = ~np.isnan(Y)
        never = [v for v, seen in zip(observed, obs.any(axis=0)) if not seen]
        if never:
            raise ModelError(f"{where}: variable(s) {never} are missing for every respondent")
        spread = np.nanmax(Y, axis=0) - np.nanmin(Y, axis=0)
        constant = [v for v, r in zip(observed, spread) if r == 0]
        if constant:
            raise ModelError(f"{where}: variable(s) {constant} have the same value for every "
                             f"respondent, so they cannot be modelled; remove them from the model")
        groups.append(group_from_values(Y, label, n_empty=int(empty.sum())))
    return groups, info


def group_from_values(Y: np.ndarray, label: str = "", n_empty: int = 0) -> GroupData:
    """Pattern statistics of the rows ``Y`` (NaN = missing; no row entirely missing)."""
    obs = ~np.isnan(Y)
    batches, n_patterns = _batches(Y)
    complete = bool(obs.all())
    mean = np.nanmean(Y, axis=0)
    cov = None
    if complete:
        centred = Y - mean
        cov = centred.T @ centred / Y.shape[0]
    of = obs.astype(float)
    return GroupData(label=label, n=Y.shape[0], n_empty=n_empty, n_patterns=n_patterns,
                     batches=batches, complete=complete, mean=mean, cov=cov,
                     coverage=of.T @ of / Y.shape[0], observed_share=of.mean(axis=0),
                     n_available=obs.sum(axis=0),
                     var_available=np.nanmean((Y - mean) ** 2, axis=0), values=Y)


def single_pattern(mean: np.ndarray, cov: np.ndarray, n: float) -> tuple[PatternBatch, ...]:
    """Batches representing complete data with the given moments (e.g. EM estimates)."""
    p = len(mean)
    idx = np.arange(p)[None, :]
    lin = flat_positions(idx, p)
    return (PatternBatch(idx=idx, n=np.array([float(n)]), ybar=mean[None, :].copy(),
                         cov=cov[None, :, :].copy(), lin=lin),)
