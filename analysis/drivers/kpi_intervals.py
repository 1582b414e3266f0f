"""Confidence intervals of the contact-centre KPIs (used by :mod:`analysis.drivers.kpis`).

Every interval lies within the KPI's scale and contains its estimate by construction of
the method, not by clipping: Wilson score intervals for proportions (Wilson 1927;
Agresti & Coull 1998), the score interval for the NPS (Rocks 2016; the constrained
shares in closed form as in Tango 1998) or Rocks' adjusted Wald, and a logit-transformed
t interval for a bounded mean (Lesaffre, Rizopoulos & Tsonaka 2007). Below a minimum
number of answers there is no interval, and a code (:data:`CI_REASONS`) says why. The
full references are in :mod:`analysis.drivers.kpis`.
"""
from __future__ import annotations

import numpy as np
from scipy import optimize, special, stats

from analysis.common.errors import OptionError
from analysis.common.thresholds import MIN_N_KPI_INTERVAL

NPS_CI_METHODS = ("score", "adjusted_wald")
# Why a KPI has no interval (the ``ci_reason`` codes); {min_n} is the minimum number of answers.
CI_REASONS = {
    "no_answers": "no answers",
    "too_few": "fewer than {min_n} answers, too few for an interval",
    "no_spread": "every answer is the same, so there is no spread to base an interval on",
}


def ci_reason_text(reason, min_n: int = MIN_N_KPI_INTERVAL) -> str | None:
    """The sentence for a ``ci_reason`` code (None for None: the KPI has an interval).

    Examples
    --------
    >>> ci_reason_text("too_few")
    'fewer than 5 answers, too few for an interval'
    """
    if reason is None or (isinstance(reason, float) and np.isnan(reason)):
        return None
    return CI_REASONS[reason].format(min_n=min_n)


def _reason(n: int, min_n: int) -> str | None:
    return "no_answers" if n == 0 else "too_few" if n < min_n else None


def _check_min_n(min_n) -> int:
    if isinstance(min_n, bool) or not isinstance(min_n, (int, np.integer)) or min_n < 1:
        raise OptionError("min_n", f"must be a whole number of 1 or more, got {min_n!r}")
    return int(min_n)


def wilson_interval(successes, n, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for a binomial proportion (as proportions; NaN where n = 0).

    Always within [0, 1] and containing ``successes / n`` (Wilson 1927; Agresti & Coull
    1998).

    Examples
    --------
    >>> lo, hi = wilson_interval(8, 10)
    >>> round(float(lo), 4), round(float(hi), 4)
    (0.4902, 0.9433)
    """
    k = np.asarray(successes, dtype=float)
    n = np.asarray(n, dtype=float)
    z = stats.norm.ppf(0.5 + level / 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
        denom = 1 + z**2 / n
        centre = (p + z**2 / (2 * n)) / denom
        half = z / denom * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    # at k = 0 or k = n a bound equals the estimate: rounding must not put it past it or off the scale
    return np.clip(np.minimum(centre - half, p), 0, 1), np.clip(np.maximum(centre + half, p), 0, 1)


def _proportion_ci(k: int, n: int, level: float, min_n: int, prefix: str = "") -> dict:
    """``{prefix}ci_low``, ``{prefix}ci_high`` (Wilson, %) and ``{prefix}ci_reason``."""
    reason = _reason(n, min_n)
    lo, hi = wilson_interval(k, n, level) if reason is None else (np.nan, np.nan)
    return {f"{prefix}ci_low": 100 * float(lo), f"{prefix}ci_high": 100 * float(hi), f"{prefix}ci_reason": reason}


def _nps_z(delta: float, k_pro: float, k_det: float, n: float) -> float:
    """Score statistic of H0: p+ - p- = delta, signed (observed minus delta).

    The constrained ML share of detractors q solves ``2n q^2 + B q + C = 0`` with
    ``B = -(k+ + k-) + (2n - k+ + k-) delta`` and ``C = -k- delta (1 - delta)`` (Tango
    1998, with his discordant pairs as the promoters and detractors); the variance of
    the observed difference under H0 is ``(p+ + p- - delta^2) / n`` with p+ = q + delta.
    """
    b = -(k_pro + k_det) + (2 * n - k_pro + k_det) * delta
    c = -k_det * delta * (1 - delta)
    q = (-b + np.sqrt(max(b * b - 8 * n * c, 0.0))) / (4 * n)
    var = max(2 * q + delta - delta * delta, 0.0) / n
    diff = (k_pro - k_det) / n - delta
    return diff / np.sqrt(var) if var > 0 else np.copysign(np.inf, diff)


def _nps_score_bounds(k_pro: float, k_det: float, n: float, z: float) -> tuple[float, float]:
    """Score interval of p+ - p- (-1..1): the deltas whose |score statistic| is at most z."""
    est = (k_pro - k_det) / n
    step = 1e-9           # the statistic is 0 (or 0/0 when one category has every answer) at est
    lo = -1.0 if est - step <= -1 else optimize.brentq(
        lambda d: _nps_z(d, k_pro, k_det, n) - z, -1.0, est - step, xtol=1e-13)
    hi = 1.0 if est + step >= 1 else optimize.brentq(
        lambda d: _nps_z(d, k_pro, k_det, n) + z, est + step, 1.0, xtol=1e-13)
    return min(lo, est), max(hi, est)


def nps_interval(n_promoters, n_detractors, n, level: float = 0.95, method: str = "score"):
    """NPS (-100..100), its standard error and interval from the category counts.

    ``method="score"`` (default): the score interval (module docstring; Rocks 2016,
    Tango 1998), within [-100, 100] and containing the NPS for every n >= 1.
    ``method="adjusted_wald"``: Rocks' (2016) adjusted Wald, ``Var = (p+ + p- - (p+ -
    p-)^2) / n`` at the shares and centre of the counts plus 3/4 promoters and 3/4
    detractors out of n + 3, clipped to [-100, 100]. ``se`` is the multinomial standard
    error of the NPS at the observed shares (score) or at the adjusted ones (adjusted
    Wald); the returned ``nps`` is always the unadjusted score.

    Returns
    -------
    nps, se, ci_low, ci_high : ndarray (NPS units)
        All NaN where ``n`` is 0.

    Examples
    --------
    >>> # p+ = .5, p- = .2: se = sqrt((.7 - .3**2) / 100) = .0781
    >>> [round(float(v), 2) for v in nps_interval(50, 20, 100)]
    [30.0, 7.81, 13.96, 44.34]
    >>> # one promoter: the lower bound is (n - z^2) / (n + z^2), Wilson's for p+ rescaled
    >>> [round(float(v), 1) for v in nps_interval(1, 0, 1)[2:]]
    [-58.7, 100.0]
    """
    if method not in NPS_CI_METHODS:
        raise OptionError("method", f"must be one of {', '.join(NPS_CI_METHODS)}, got {method!r}")
    k_pro, k_det, n = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (n_promoters, n_detractors, n)))
    z = stats.norm.ppf(0.5 + level / 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        score = (k_pro - k_det) / n
        if method == "adjusted_wald":
            a_pro, a_det, a_n = k_pro + 0.75, k_det + 0.75, n + 3
            pp, pd_ = a_pro / a_n, a_det / a_n
            centre = pp - pd_
            se = np.sqrt(np.maximum(pp + pd_ - centre**2, 0.0) / a_n)
            lo, hi = np.maximum(centre - z * se, -1), np.minimum(centre + z * se, 1)
        else:
            pp, pd_ = k_pro / n, k_det / n
            se = np.sqrt(np.maximum(pp + pd_ - score**2, 0.0) / n)
            bounds = [_nps_score_bounds(a, d, m, z) if m > 0 else (np.nan, np.nan)
                      for a, d, m in zip(k_pro.ravel(), k_det.ravel(), n.ravel())]
            lo = np.array([b[0] for b in bounds]).reshape(score.shape)
            hi = np.array([b[1] for b in bounds]).reshape(score.shape)
    # no answers, no information: the adjustment alone would give an interval (about +-80)
    missing = np.isnan(score)
    se, lo, hi = (np.where(missing, np.nan, v) for v in (se, lo, hi))
    return 100 * score, 100 * se, 100 * lo, 100 * hi


def mean_interval(values, scale: tuple[float, float], level: float = 0.95) -> tuple[float, float]:
    """Interval of a mean on a bounded scale: a logit-transformed t interval.

    The mean is rescaled to m = (mean - low) / (high - low) in (0, 1); the t interval
    ``logit(m) +- t(n-1) * s / (sqrt(n) m (1 - m))`` (s the SD of the rescaled answers,
    delta method) is transformed back. So the interval lies strictly inside the scale
    and contains the mean by construction (Lesaffre, Rizopoulos & Tsonaka 2007 on the
    logistic transform of bounded scores); for a mean near the middle it is close to
    the ordinary t interval. NaN with fewer than 2 answers or when every answer is the
    same (no spread: s = 0, and the mean at an end of the scale).

    Examples
    --------
    >>> [round(v, 3) for v in mean_interval([7, 6, 2, 4], (1, 7))]
    [1.716, 6.721]
    """
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    low, high = scale
    if len(x) < 2 or np.ptp(x) == 0:
        return np.nan, np.nan
    m = (x.mean() - low) / (high - low)
    s = np.std((x - low) / (high - low), ddof=1)
    half = stats.t.ppf(0.5 + level / 2, len(x) - 1) * s / (np.sqrt(len(x)) * m * (1 - m))
    centre = special.logit(m)
    return (float(low + (high - low) * special.expit(centre - half)),
            float(low + (high - low) * special.expit(centre + half)))
