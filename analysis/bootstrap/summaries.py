"""The tables of a bootstrap from its replicates: percentile intervals, standard deviations, rank shares.

:func:`summary_arrays` reduces some groups' replicates to what the tables show (per group
and driver: the interval, the standard deviation, the shares of resamples ranking a
driver first and in the top two); :func:`summary_tables` makes the tables of
:class:`~analysis.bootstrap.importance.BootstrapResult` from them. Each group's figures
depend on its own replicates only, except for one choice made over all groups: whether
NaN (degenerate) replicates are to be left out (``np.nanquantile``, ``np.nanstd``) or
there are none (``np.quantile``, ``np.std``, faster; the two can differ in the last bit).
:func:`has_nan` says which, so that groups summarised in parts (where their replicates are
kept, :mod:`analysis.bootstrap.kept`) give the figures of one pass over all, bit for bit.

References
----------
Efron, B., & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*. Chapman & Hall.
"""
from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.bootstrap.engine import STATISTICS, Replicates
from analysis.common.thresholds import ranks_unstable


def percentile_interval(replicates: np.ndarray, level: float, axis: int = 0,
                        method: str = "linear", has_nan: bool | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Percentile bootstrap interval ignoring NaN (degenerate) replicates.

    ``has_nan`` says whether a larger stack of which ``replicates`` is a part has NaN
    (None: look at ``replicates``): the part's intervals are then computed as the whole
    stack's, bit for bit (``np.quantile`` and ``np.nanquantile`` may differ in the last bit).
    """
    alpha = (1 - level) / 2
    replicates = np.asarray(replicates, dtype=float)
    if replicates.shape[axis] == 0:              # every resample degenerate (a tiny group)
        shape = np.delete(replicates.shape, axis)
        return np.full(shape, np.nan), np.full(shape, np.nan)
    # a column whose every replicate is degenerate gets NaN: numpy's 'All-NaN slice' RuntimeWarning
    # would only be noise on stderr (drivers analyse on small groups printed it)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        if not (np.isnan(replicates).any() if has_nan is None else has_nan):    # usual; nanquantile is slower
            lo, hi = np.quantile(replicates, [alpha, 1 - alpha], axis=axis, method=method)
        else:
            lo, hi = np.nanquantile(replicates, [alpha, 1 - alpha], axis=axis, method=method)
    return lo, hi


def _nan_sd(replicates: np.ndarray, axis: int = 0, has_nan: bool | None = None) -> np.ndarray:
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)          # as in percentile_interval
        if not (np.isnan(replicates).any() if has_nan is None else has_nan):
            return np.std(replicates, axis=axis, ddof=1)
        return np.nanstd(replicates, axis=axis, ddof=1)


def has_nan(replicates: Sequence[Replicates]) -> dict[str, bool]:
    """Per statistic ('r2' and :data:`STATISTICS`), whether any of these groups' replicates is NaN."""
    if not replicates:
        return {stat: False for stat in ("r2", *STATISTICS)}
    return {stat: bool(np.isnan(np.stack([r.statistic(stat) for r in replicates])).any())
            for stat in ("r2", *STATISTICS)}


def summary_arrays(replicates: Sequence[Replicates], level: float, nan: dict | None = None) -> dict:
    """What :func:`summary_tables` takes of some groups' replicates: intervals, SDs, counts, per statistic.

    ``nan`` (:func:`has_nan` of all groups' replicates) when these are a part of the groups:
    each part then gives its rows of the whole stack's figures, bit for bit (None: these are all).
    """
    nan = nan or {}
    r2 = np.stack([r.r2 for r in replicates])                        # (G, B)
    out = {"r2": percentile_interval(r2, level, axis=1, has_nan=nan.get("r2")),
           "n_failed": [int((~r.valid).sum()) for r in replicates]}
    for stat in STATISTICS:
        values = np.stack([r.statistic(stat) for r in replicates])  # (G, B, p)
        method = "inverted_cdf" if stat == "lmg_rank" else "linear"
        out[stat] = (*percentile_interval(values, level, axis=1, method=method, has_nan=nan.get(stat)),
                     _nan_sd(values, axis=1, has_nan=nan.get(stat)))
        if stat == "lmg_rank":
            ok = ~np.isnan(values).any(axis=2, keepdims=True)       # (G, B, 1)
            n_ok = ok.sum(axis=1)
            with np.errstate(all="ignore"):
                out["p_first"] = ((values == 1) & ok).sum(axis=1) / n_ok
                out["p_top2"] = ((values <= 2) & ok).sum(axis=1) / n_ok
    return out


def summary_tables(labels, sizes, drivers, point, arrays):
    """The groups, estimates and ranks tables from :func:`summary_arrays` (of every group, in their order)."""
    p, n_groups = len(drivers), len(labels)
    group_col = [g for g in labels for _ in range(p)]
    driver_col = list(drivers) * n_groups
    lo, hi = arrays["r2"]
    groups = pd.DataFrame({
        "group": labels, "n": sizes.astype(int), "r2": [float(point[g].r2[0]) for g in labels],
        "r2_ci_low": lo, "r2_ci_high": hi, "n_failed": arrays["n_failed"],
        "unstable_ranks": ranks_unstable(sizes)})
    parts = []
    for stat in STATISTICS:
        lo, hi, se = arrays[stat]
        parts.append(pd.DataFrame({
            "group": group_col, "driver": driver_col, "statistic": stat,
            "estimate": np.concatenate([point[g].statistic(stat)[0] for g in labels]),
            "se": se.ravel(), "ci_low": lo.ravel(), "ci_high": hi.ravel()}))
        if stat == "lmg_rank":
            ranks = pd.DataFrame({
                "group": group_col, "driver": driver_col,
                "rank": pd.array(parts[-1].estimate.to_numpy(), dtype="Float64").astype("Int64"),
                "rank_ci_low": pd.array(lo.ravel(), dtype="Float64").round().astype("Int64"),
                "rank_ci_high": pd.array(hi.ravel(), dtype="Float64").round().astype("Int64"),
                "p_first": arrays["p_first"].ravel(), "p_top2": arrays["p_top2"].ravel()})
    return groups, pd.concat(parts, ignore_index=True), ranks
