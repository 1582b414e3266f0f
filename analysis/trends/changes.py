"""Change between two waves and the control chart that tells a structural change from noise.

Pure functions on counts; :mod:`analysis.trends.analyse` applies them per group and wave.

* **NPS difference** of two independent waves: ``d = NPS_b - NPS_a`` with variance
  ``Var_a + Var_b``, each the multinomial variance of an NPS, ``(p+ + p- - (p+ - p-)^2) / n``
  (as in :func:`analysis.drivers.kpi_intervals.nps_interval`; Rocks 2016). Wald interval and
  z test.
* **CSAT proportion difference**: Newcombe's (1998, method 10) hybrid score interval from
  the two Wilson intervals, which stays within [-1, 1] and behaves near 0 and 1; the test
  is the pooled two-proportion z test (Agresti 2013, sec. 3.2).
* **p-chart** (Shewhart): per group the CSAT proportion of each wave against the pooled
  proportion ``p_bar`` of the waves before it (or of all its waves: ``baseline``), with limits ``p_bar +- k sqrt(p_bar (1 - p_bar) / n_i)``
  for k = 2 and 3 (Montgomery 2019, sec. 7.2.1). A point is a *signal* when it is
  outside the 3-sigma limits (rule 1), or it is the second of two out of three
  consecutive points beyond 2 sigma on the same side (rule 2), or it ends a run of
  ``run_length`` (default 8) consecutive points on one side of the centre line (rule 4
  of the Western Electric rules; Montgomery 2019, sec. 5.3.6). A point inside the limits
  and without a run is what chance alone gives: an incident, not a trend.

References
----------
Agresti, A. (2013). *Categorical Data Analysis* (3rd ed.). Wiley.
Montgomery, D. C. (2019). *Introduction to Statistical Quality Control* (8th ed.). Wiley.
Newcombe, R. G. (1998). Interval estimation for the difference between independent
    proportions: comparison of eleven methods. *Statistics in Medicine*, 17(8), 873-890.
Rocks, B. (2016). Interval estimation for the "net promoter score". *The American
    Statistician*, 70(4), 365-372.
Western Electric Company (1956). *Statistical Quality Control Handbook*.
"""
from __future__ import annotations

import numpy as np
from scipy import stats

from analysis.drivers.kpi_intervals import wilson_interval

# Western Electric rule 4: this many consecutive points on one side of the centre line.
RUN_LENGTH = 8


def _z(level: float) -> float:
    return float(stats.norm.ppf(0.5 + level / 2))


def nps_difference(pro_a: int, det_a: int, n_a: int, pro_b: int, det_b: int, n_b: int,
                   level: float = 0.95) -> dict:
    """NPS of wave b minus wave a (NPS points) with a Wald interval and a two-sided z test.

    Examples
    --------
    >>> # Var = (.7 - .3**2) / 100 + (.7 - .1**2) / 100 = .013, se = .114
    >>> d = nps_difference(50, 20, 100, 40, 30, 100)
    >>> round(d["difference"], 1), round(d["se"], 2), round(d["p_value"], 3)
    (-20.0, 11.4, 0.079)
    """
    if min(n_a, n_b) <= 0:
        return {"difference": np.nan, "se": np.nan, "ci_low": np.nan, "ci_high": np.nan, "p_value": np.nan}
    parts = []
    for pro, det, n in ((pro_a, det_a, n_a), (pro_b, det_b, n_b)):
        pp, pd_ = pro / n, det / n
        parts.append((pp - pd_, max(pp + pd_ - (pp - pd_) ** 2, 0.0) / n))
    diff = parts[1][0] - parts[0][0]
    se = float(np.sqrt(parts[0][1] + parts[1][1]))
    z = _z(level)
    p = float(2 * stats.norm.sf(abs(diff) / se)) if se > 0 else (1.0 if diff == 0 else 0.0)
    return {"difference": 100 * diff, "se": 100 * se, "ci_low": 100 * max(diff - z * se, -2.0),
            "ci_high": 100 * min(diff + z * se, 2.0), "p_value": p}


def proportion_difference(k_a: int, n_a: int, k_b: int, n_b: int, level: float = 0.95) -> dict:
    """Proportion of wave b minus wave a (percentage points): Newcombe's hybrid score interval, pooled z test.

    Examples
    --------
    >>> d = proportion_difference(60, 100, 45, 100)
    >>> round(d["difference"], 1), round(d["ci_low"], 1), round(d["ci_high"], 1), round(d["p_value"], 4)
    (-15.0, -28.0, -1.2, 0.0337)
    """
    if min(n_a, n_b) <= 0:
        return {"difference": np.nan, "ci_low": np.nan, "ci_high": np.nan, "p_value": np.nan}
    p_a, p_b = k_a / n_a, k_b / n_b
    lo_a, hi_a = (float(v) for v in wilson_interval(k_a, n_a, level))
    lo_b, hi_b = (float(v) for v in wilson_interval(k_b, n_b, level))
    diff = p_b - p_a
    # Newcombe (1998) method 10: each side from the distances to the Wilson bounds
    low = float(diff - np.sqrt((p_b - lo_b) ** 2 + (hi_a - p_a) ** 2))
    high = float(diff + np.sqrt((hi_b - p_b) ** 2 + (p_a - lo_a) ** 2))
    pooled = (k_a + k_b) / (n_a + n_b)
    se0 = np.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    p = float(2 * stats.norm.sf(abs(diff) / se0)) if se0 > 0 else 1.0
    return {"difference": 100 * diff, "ci_low": 100 * low, "ci_high": 100 * high, "p_value": p}


def p_chart(successes, n, run_length: int = RUN_LENGTH, baseline: str = "history") -> dict:
    """Shewhart p-chart of proportions in time order, with the signal rules of the module docstring.

    Parameters
    ----------
    successes, n : array_like
        Counts per wave, in time order.
    run_length : int
        Rule 4's run (consecutive points on one side of the centre line).
    baseline : {'history', 'pooled'}
        ``'history'`` (default): each wave is judged against the pooled proportion of
        the waves before it, the limits a new sample is monitored with once trial
        limits exist (phase II; Montgomery 2019, sec. 7.2.1); the first wave has no
        limits. So a shift in the latest wave does not move its own centre line.
        ``'pooled'``: every wave against the pooled proportion of all waves (phase I,
        a retrospective look at whether the whole series was in control).

    Returns
    -------
    dict of ndarray
        ``centre``, ``p``, ``lcl``, ``ucl`` (3 sigma, clipped to [0, 1]), ``lower_2s``,
        ``upper_2s``, ``beyond_limits``, ``two_of_three``, ``run``, ``signal`` (any rule).

    Examples
    --------
    >>> c = p_chart([60, 62, 58, 40], [100, 100, 100, 100])
    >>> [round(float(v), 3) for v in c["centre"]], c["signal"].tolist()
    ([nan, 0.6, 0.61, 0.6], [False, False, False, True])
    >>> p_chart([60, 62, 58, 40], [100] * 4, baseline="pooled")["signal"].tolist()
    [False, False, False, True]
    """
    k = np.asarray(successes, dtype=float)
    n = np.asarray(n, dtype=float)
    if baseline == "pooled":
        centre = np.full(len(k), k.sum() / n.sum() if n.sum() > 0 else np.nan)
    elif baseline == "history":
        before_k, before_n = np.cumsum(k) - k, np.cumsum(n) - n
        with np.errstate(invalid="ignore", divide="ignore"):
            centre = np.where(before_n > 0, before_k / np.where(before_n > 0, before_n, 1), np.nan)
    else:
        raise ValueError(f"baseline must be 'history' or 'pooled', got {baseline!r}")
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
        sigma = np.sqrt(centre * (1 - centre) / n)
    ucl, lcl = np.minimum(centre + 3 * sigma, 1), np.maximum(centre - 3 * sigma, 0)
    up2, lo2 = centre + 2 * sigma, centre - 2 * sigma
    beyond = (p > ucl) | (p < lcl)
    above2, below2 = p > up2, p < lo2
    two_of_three = np.zeros(len(p), dtype=bool)
    for i in range(len(p)):
        window = slice(max(0, i - 2), i + 1)
        two_of_three[i] = bool((above2[i] and above2[window].sum() >= 2) or (below2[i] and below2[window].sum() >= 2))
    side = np.nan_to_num(np.sign(p - centre))     # no centre line (first wave under 'history'): no side
    run = np.zeros(len(p), dtype=bool)
    length = 0
    for i in range(len(p)):
        length = length + 1 if i > 0 and side[i] != 0 and side[i] == side[i - 1] else (1 if side[i] != 0 else 0)
        run[i] = length >= run_length
    return {"centre": centre, "p": p, "lcl": lcl, "ucl": ucl, "lower_2s": lo2, "upper_2s": up2,
            "beyond_limits": beyond, "two_of_three": two_of_three, "run": run,
            "signal": beyond | two_of_three | run}
