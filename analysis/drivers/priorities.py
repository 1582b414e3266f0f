"""Improvement priorities: importance-performance analysis (Martilla & James 1977).

Each driver is placed by its *importance* (a normalized share: % of R² for LMG and
relative weights, % of the summed absolute values for standardized betas or SEM paths)
and its *performance* (the mean driver score rescaled to 0-100: scale minimum 0,
maximum 100). Cross-hairs split the plane into the four quadrants of Martilla & James:

============================  =====================  ====================
quadrant                      importance             performance
============================  =====================  ====================
'concentrate here'            at or above cross-hair below cross-hair
'keep up the good work'       at or above            at or above
'low priority'                below                  below
'possible overkill'           below                  at or above
============================  =====================  ====================

**Priority rank.** The priority score of a driver is ``importance share x (100 -
performance) / 100``: the share of explained variance weighted by the room for
improvement, in share points. Drivers in 'concentrate here' are ranked first (by
score), then all other drivers by score; rank 1 is the first thing to improve. With
bootstrap replicates the whole rule (cross-hairs included) is re-applied to every
resample, and the percentile interval of the resampled ranks is the rank interval.

References
----------
Martilla, J. A., & James, J. C. (1977). Importance-performance analysis. *Journal of
    Marketing*, 41(1), 77-79.
Bacon, D. R. (2003). A comparison of approaches to importance-performance analysis.
    *International Journal of Market Research*, 45(1), 55-71. (cross-hair placement)
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.bootstrap.importance import BootstrapResult, percentile_interval
from analysis.common.display import Summary, SummaryTable
from analysis.common.errors import DataError, ServiceDriversError
from analysis.common.options import check_level, check_option
from analysis.common.thresholds import MIN_N_STABLE_RANKS, ranks_unstable

CONCENTRATE = "concentrate here"
KEEP_UP = "keep up the good work"
LOW_PRIORITY = "low priority"
OVERKILL = "possible overkill"
QUADRANTS = (CONCENTRATE, KEEP_UP, LOW_PRIORITY, OVERKILL)
IMPORTANCE_MEASURES = ("lmg", "relative_weight", "abs_beta")
# importance_measure of a PriorityResult -> the option name of analyse_drivers(importance=...).
_MEASURE_KEYS = {"lmg": "lmg", "relative_weight": "weights", "abs_beta": "beta",
                 "|standardized SEM path|": "sem"}
# Added to the score of 'concentrate here' drivers so they always rank first; scores
# are at most 100 x 100 / 100 = 100 share points.
_FIRST = 1e6


def importance_shares(values: np.ndarray) -> np.ndarray:
    """Normalize importance values along the last axis to % of their summed absolute values.

    For LMG shares and relative weights (non-negative, summing to R²) this is % of R².
    """
    values = np.asarray(values, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return 100 * values / np.abs(values).sum(axis=-1, keepdims=True)


def performance_0_100(mean: np.ndarray, scale: tuple[float, float] = (1, 7)) -> np.ndarray:
    """Rescale scores on ``scale = (min, max)`` to 0-100 (min -> 0, max -> 100)."""
    lo, hi = _check_scale(scale)
    return (np.asarray(mean, dtype=float) - lo) / (hi - lo) * 100


def _check_scale(scale) -> tuple[float, float]:
    try:
        lo, hi = (float(v) for v in scale)
    except (TypeError, ValueError):
        raise ServiceDriversError(f"scale must be a (minimum, maximum) pair such as (1, 7), got {scale!r}") from None
    if not hi > lo:
        raise ServiceDriversError(f"scale maximum must exceed its minimum, got {scale!r}")
    return lo, hi


def _crosshair_values(imp: np.ndarray, perf: np.ndarray, crosshair: str) -> tuple[np.ndarray, np.ndarray]:
    """Cross-hairs along the last axis: mean or median of the drivers, or fixed midpoints."""
    if crosshair == "mean":
        return np.mean(imp, axis=-1), np.mean(perf, axis=-1)
    if crosshair == "median":
        return np.median(imp, axis=-1), np.median(perf, axis=-1)
    # midpoint: equal shares for importance, the middle of the scale for performance
    p = imp.shape[-1]
    return np.full(imp.shape[:-1], 100 / p), np.full(perf.shape[:-1], 50.0)


def _classify(imp: np.ndarray, perf: np.ndarray, crosshair: str):
    ch_imp, ch_perf = _crosshair_values(imp, perf, crosshair)
    important = imp >= ch_imp[..., None]
    performing = perf >= ch_perf[..., None]
    quadrant = np.where(important, np.where(performing, 1, 0), np.where(performing, 3, 2))
    score = imp * (100 - perf) / 100
    key = score + np.where(quadrant == 0, _FIRST, 0.0)
    order = np.argsort(-key, axis=-1, kind="stable")
    rank = np.empty(key.shape, dtype=float)
    np.put_along_axis(rank, order, np.arange(1, key.shape[-1] + 1, dtype=float), axis=-1)
    rank[np.isnan(key).any(axis=-1)] = np.nan
    return quadrant, score, rank, ch_imp, ch_perf


@dataclass(frozen=True)
class PriorityResult:
    """Importance-performance analysis of the drivers, per group.

    Attributes
    ----------
    table : DataFrame
        One row per group and driver: ``group``, ``driver``, ``n``, ``importance``
        (share, %), ``importance_ci_low``, ``importance_ci_high``, ``performance``
        (0-100), ``performance_ci_low``, ``performance_ci_high``, ``quadrant``,
        ``priority_score``, ``priority_rank`` (1 = improve first),
        ``priority_rank_ci_low``, ``priority_rank_ci_high``, ``unstable_ranks`` (n
        below :data:`analysis.common.thresholds.MIN_N_STABLE_RANKS`). Intervals are NaN when
        no bootstrap replicates were given.
    crosshairs : DataFrame
        ``group``, ``importance``, ``performance``.
    importance_measure : str
    crosshair : str
    level : float
    """

    table: pd.DataFrame
    crosshairs: pd.DataFrame
    importance_measure: str
    crosshair: str
    level: float

    def summary(self) -> Summary:
        """Quadrants and priority ranks per group: text when printed, HTML in Jupyter."""
        cols = ["group", "driver", "importance", "performance", "quadrant", "priority_rank",
                "priority_rank_ci_low", "priority_rank_ci_high"]
        t = self.table.sort_values(["group", "priority_rank"])[cols]
        unstable = self.table.loc[self.table.unstable_ranks, "group"].unique().tolist()
        notes = (f"Unstable ranks (n < {MIN_N_STABLE_RANKS}): {', '.join(map(str, unstable))}",) if unstable else ()
        return Summary(f"Importance-performance analysis ({self.importance_measure} shares, "
                       f"cross-hairs at the {self.crosshair})", (SummaryTable("", t, notes=notes, digits=1),))

    def _repr_html_(self) -> str:
        return self.summary().as_html()


def importance_performance(importance: pd.Series, performance: pd.Series, *,
                           scale: tuple[float, float] = (1, 7), crosshair: str = "mean",
                           importance_replicates: np.ndarray | None = None,
                           performance_replicates: np.ndarray | None = None,
                           n: int | None = None, group="all", level: float = 0.95,
                           importance_measure: str = "importance") -> PriorityResult:
    """Quadrants and priority ranks of one group's drivers from importance and mean scores.

    Use this with importance from any source (e.g. SEM path coefficients); for the
    bootstrap of :func:`analysis.bootstrap.importance.bootstrap_importance` use :func:`priorities`.

    Parameters
    ----------
    importance : Series
        Importance value per driver (index = driver); normalized here to shares of the
        summed absolute values (%). Negative values stay negative.
    performance : Series
        Mean driver score on ``scale`` (same index).
    scale : (min, max)
        Answer scale of the driver scores, (1, 7) by default.
    crosshair : {'mean', 'median', 'midpoint'}
        Cross-hairs at the mean or median of the drivers, or at the scale midpoint (50)
        and equal shares (100 / p).
    importance_replicates, performance_replicates : ndarray (B, p), optional
        Bootstrap replicates of the raw importance values and of the means (both or
        neither), giving intervals and the rank interval.
    n : int, optional
        Respondents; below :data:`analysis.common.thresholds.MIN_N_STABLE_RANKS` the ranks are
        flagged as unstable.
    group : label
    level : float
    importance_measure : str
        Name shown in the summary.

    Returns
    -------
    PriorityResult

    References
    ----------
    Martilla & James (1977).

    Examples
    --------
    >>> import pandas as pd
    >>> imp = pd.Series({"empathy": 0.20, "wait_time": 0.15, "menu": 0.02, "reliability": 0.03})
    >>> perf = pd.Series({"empathy": 5.9, "wait_time": 3.1, "menu": 3.0, "reliability": 6.2})
    >>> res = importance_performance(imp, perf)
    >>> res.table.set_index("driver").quadrant.to_dict()  # doctest: +NORMALIZE_WHITESPACE
    {'empathy': 'keep up the good work', 'wait_time': 'concentrate here',
     'menu': 'low priority', 'reliability': 'possible overkill'}
    >>> res.table.set_index("driver").priority_rank.tolist()
    [2, 1, 3, 4]
    """
    check_option("crosshair", crosshair)
    level = check_level(level)
    importance = pd.Series(importance, dtype=float)
    drivers = list(importance.index)
    missing = [d for d in drivers if d not in performance.index]
    if missing:
        raise DataError(f"performance has no value for driver(s) {', '.join(map(str, missing))}")
    if importance.isna().any() or performance[drivers].isna().any():
        raise DataError("importance and performance must have a value for every driver")
    imp = importance_shares(importance.to_numpy())
    perf = performance_0_100(performance[drivers].to_numpy(dtype=float), scale)
    outside = [d for d, v in zip(drivers, perf) if not -1e-9 <= v <= 100 + 1e-9]
    if outside:
        raise DataError(f"the mean score of {', '.join(map(str, outside))} lies outside the scale "
                         f"{tuple(scale)}; pass scale=(minimum, maximum) of the driver scores")
    quadrant, score, rank, ch_imp, ch_perf = _classify(imp, perf, crosshair)

    nan = np.full(len(drivers), np.nan)
    imp_lo = imp_hi = perf_lo = perf_hi = rank_lo = rank_hi = nan
    if (importance_replicates is None) != (performance_replicates is None):
        raise ServiceDriversError("give both importance_replicates and performance_replicates, or neither")
    if importance_replicates is not None:
        imp_b = importance_shares(np.asarray(importance_replicates, dtype=float))
        perf_b = performance_0_100(np.asarray(performance_replicates, dtype=float), scale)
        if imp_b.shape != perf_b.shape or imp_b.ndim != 2 or imp_b.shape[1] != len(drivers):
            raise ServiceDriversError(f"replicates must both have shape (B, {len(drivers)}), got "
                             f"{imp_b.shape} and {perf_b.shape}")
        ok = ~(np.isnan(imp_b).any(axis=1) | np.isnan(perf_b).any(axis=1))
        imp_b, perf_b = imp_b[ok], perf_b[ok]
        rank_b = _classify(imp_b, perf_b, crosshair)[2]
        imp_lo, imp_hi = percentile_interval(imp_b, level)
        perf_lo, perf_hi = percentile_interval(perf_b, level)
        rank_lo, rank_hi = percentile_interval(rank_b, level, method="inverted_cdf")

    table = pd.DataFrame({
        "group": [group] * len(drivers), "driver": drivers,
        "n": pd.array([n] * len(drivers), dtype="Int64"),
        "importance": imp, "importance_ci_low": imp_lo, "importance_ci_high": imp_hi,
        "performance": perf, "performance_ci_low": perf_lo, "performance_ci_high": perf_hi,
        "quadrant": [QUADRANTS[k] for k in quadrant], "priority_score": score,
        "priority_rank": rank.astype(int),
        "priority_rank_ci_low": pd.array(rank_lo, dtype="Float64").round().astype("Int64"),
        "priority_rank_ci_high": pd.array(rank_hi, dtype="Float64").round().astype("Int64"),
        "unstable_ranks": n is not None and bool(ranks_unstable(n)),
    })
    crosshairs = pd.DataFrame({"group": [group], "importance": [float(ch_imp)],
                               "performance": [float(ch_perf)]})
    return PriorityResult(table=table, crosshairs=crosshairs, importance_measure=importance_measure,
                          crosshair=crosshair, level=level)


def priorities(boot: BootstrapResult, *, importance: str = "lmg", crosshair: str = "mean",
               scale: tuple[float, float] = (1, 7), level: float | None = None) -> PriorityResult:
    """Importance-performance analysis of every group of a bootstrap, with rank intervals.

    Parameters
    ----------
    boot : BootstrapResult
        From :func:`analysis.bootstrap.importance.bootstrap_importance`; its driver means are the
        performance.
    importance : {'lmg', 'relative_weight', 'abs_beta'}
        LMG share of R² (default), Johnson's relative weight share, or the share of
        absolute standardized betas.
    crosshair : {'mean', 'median', 'midpoint'}
    scale : (min, max)
        Answer scale of the driver scores.
    level : float, optional
        Interval level (the bootstrap's by default).

    Returns
    -------
    PriorityResult

    References
    ----------
    Martilla & James (1977).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from analysis.bootstrap.importance import bootstrap_importance
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame(rng.integers(1, 8, size=(300, 3)), columns=["a", "b", "c"]).astype(float)
    >>> df["y"] = df.a + 0.3 * df.b + rng.normal(size=300)
    >>> res = priorities(bootstrap_importance(df, "y", ["a", "b", "c"], n_resamples=100, seed=1))
    >>> res.table.columns[:6].tolist()
    ['group', 'driver', 'n', 'importance', 'importance_ci_low', 'importance_ci_high']
    """
    if importance not in IMPORTANCE_MEASURES:
        raise ServiceDriversError(f"importance must be one of {', '.join(IMPORTANCE_MEASURES)}, got {importance!r}")
    level = boot.level if level is None else level
    pick = {"lmg": lambda r: r.lmg, "relative_weight": lambda r: r.relative_weight,
            "abs_beta": lambda r: np.abs(r.std_beta)}[importance]
    parts, crosshairs = [], []
    sizes = boot.groups.set_index("group").n
    for g in boot.replicates:
        pt, reps = boot.point[g], boot.replicates[g]
        res = importance_performance(
            pd.Series(pick(pt)[0], index=list(boot.drivers)),
            pd.Series(pt.mean[0], index=list(boot.drivers)),
            scale=scale, crosshair=crosshair, importance_replicates=pick(reps),
            performance_replicates=reps.mean, n=int(sizes[g]), group=g, level=level,
            importance_measure=importance)
        parts.append(res.table)
        crosshairs.append(res.crosshairs)
    return PriorityResult(table=pd.concat(parts, ignore_index=True),
                          crosshairs=pd.concat(crosshairs, ignore_index=True),
                          importance_measure=importance, crosshair=crosshair, level=level)


def plot_priorities(result: PriorityResult, group=None, ax=None, *, labels: dict | None = None,
                    lang: str = "en"):
    """Priority matrix of one group: quadrants, labelled drivers, importance and performance intervals.

    Drawn by :func:`analysis.drivers.plot.draw_priorities`, the function that draws the
    reports' figure: performance (0-100) on the x axis and importance share on the y
    axis, as in Martilla & James (1977), 'concentrate here' shaded top left, axes fitted
    to the data.

    Parameters
    ----------
    result : PriorityResult
    group : label, optional
        Required when the result has more than one group.
    ax : matplotlib Axes, optional
        Drawn on a new figure's axes when omitted.
    labels : dict, optional
        Driver key -> label shown (default: the keys).
    lang : {'en', 'nl'}
        Language of the axis and quadrant names.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> res = importance_performance(pd.Series({"a": .3, "b": .1}), pd.Series({"a": 3.0, "b": 6.0}))
    >>> ax = plot_priorities(res, labels={"a": "Alpha", "b": "Beta"})
    >>> ax.get_xlabel(), sorted(t.get_text() for t in ax.texts if t.get_text() in ("Alpha", "Beta"))
    ('Performance (mean score, 0–100)', ['Alpha', 'Beta'])
    """
    from analysis.drivers.plot import plot_rows

    check_option("lang", lang)
    groups = result.table.group.unique().tolist()
    if group is None:
        if len(groups) > 1:
            raise ServiceDriversError(f"the result has {len(groups)} groups; choose one with group=, e.g. {groups[0]!r}")
        group = groups[0]
    if group not in groups:
        raise ServiceDriversError(f"no group {group!r} in the result; groups are {groups}")
    t = result.table[result.table.group == group]
    ch = result.crosshairs.set_index("group").loc[group]
    labels = labels or {}
    rows = [{"driver_label": labels.get(r.driver, str(r.driver)), "quadrant": r.quadrant,
             "performance": r.performance, "performance_low": r.performance_ci_low,
             "performance_high": r.performance_ci_high, "importance": r.importance,
             "importance_low": r.importance_ci_low, "importance_high": r.importance_ci_high}
            for r in t.itertuples()]
    return plot_rows(rows, group=group, crosshair_importance=ch.importance, crosshair_performance=ch.performance,
                     measure=_MEASURE_KEYS.get(result.importance_measure, "lmg"), lang=lang, ax=ax)
