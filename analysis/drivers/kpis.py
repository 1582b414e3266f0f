"""Contact-centre KPIs per group: CSAT, NPS, CES and FCR, with confidence intervals.

Each function takes respondent rows, one answer column and optional grouping columns
(``by``: e.g. the organisation, or organisation and channel), and returns a tidy
DataFrame with one row per group: the grouping columns, ``n`` (answers used),
``n_missing`` (blank answers, excluded), the counts behind the KPI, the KPI, its
interval and, where there is no interval, why (``ci_reason``, a code of
:data:`CI_REASONS`). Answers outside the scale raise a :class:`~analysis.common.errors.DataError` naming the column.

Every interval lies within the KPI's scale and contains its estimate by construction
of the method, not by clipping:

* **CSAT**: % of answers 4-5 on a 1-5 scale, Wilson score interval (Wilson 1927;
  preferred to the Wald interval by Agresti & Coull 1998, Brown, Cai & DasGupta 2001).
* **NPS** (Reichheld 2003): % promoters (9-10) minus % detractors (0-6) of a 0-10
  likelihood to recommend, -100..100. By default the *score* interval: the NPS values
  a score test on the trinomial (detractors, passives, promoters) does not reject, the
  variance ``p+ + p- - (p+ - p-)^2`` taken at the ML shares constrained to that value
  (Rocks' 2016 'iterative score' interval; the constrained shares in closed form as in
  Tango 1998, whose paired difference is the same trinomial contrast).
  ``ci_method="adjusted_wald"``: Rocks' (2016) adjusted Wald, the counts plus 3/4
  promoter, 3/2 passive and 3/4 detractor (n + 3), clipped to [-100, 100]; it contains
  the estimate from 2 answers on.
* **CES**: mean effort on 1-7 (high = easy) with a logit-transformed t interval
  (:func:`mean_interval`; Lesaffre, Rizopoulos & Tsonaka 2007), no interval when every
  answer is the same (``no_spread``); and % of 5-7 with a Wilson interval.
* **FCR**: answered yes / partly / no: % yes and % yes or partly, Wilson intervals.

Below ``min_n`` answers (default :data:`analysis.common.thresholds.MIN_N_KPI_INTERVAL`) no KPI
gets an interval (``too_few``; with no answers at all, ``no_answers``).

References
----------
Reichheld, F. F. (2003). The one number you need to grow. *Harvard Business Review*,
    81(12), 46-54.
Rocks, B. (2016). Interval estimation for the "net promoter score". *The American
    Statistician*, 70(4), 365-372.
Tango, T. (1998). Equivalence test and confidence interval for the difference in
    proportions for the paired-sample design. *Statistics in Medicine*, 17(8), 891-908.
Wilson, E. B. (1927). Probable inference, the law of succession, and statistical
    inference. *JASA*, 22(158), 209-212.
Agresti, A., & Coull, B. A. (1998). Approximate is better than "exact" for interval
    estimation of binomial proportions. *The American Statistician*, 52(2), 119-126.
Brown, L. D., Cai, T. T., & DasGupta, A. (2001). Interval estimation for a binomial
    proportion. *Statistical Science*, 16(2), 101-133.
Lesaffre, E., Rizopoulos, D., & Tsonaka, R. (2007). The logistic transform for bounded
    outcome scores. *Biostatistics*, 8(1), 72-85.
Dixon, M., Freeman, K., & Toman, N. (2010). Stop trying to delight your customers.
    *Harvard Business Review*, 88(7/8), 116-122. (customer effort)
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from analysis.common.errors import DataError, OptionError
from analysis.common.options import check_level
from analysis.common.thresholds import MIN_N_KPI_INTERVAL
from analysis.drivers.kpi_intervals import (  # noqa: F401  (the intervals are part of this module's API)
    CI_REASONS,
    NPS_CI_METHODS,
    _check_min_n,
    _proportion_ci,
    _reason,
    ci_reason_text,
    mean_interval,
    nps_interval,
    wilson_interval,
)

CSAT_SCALE = (1, 5)
CSAT_SATISFIED = 4          # 4 and 5 count as satisfied
NPS_SCALE = (0, 10)
NPS_PROMOTER = 9            # 9-10
NPS_DETRACTOR = 6           # 0-6
CES_SCALE = (1, 7)
CES_EASY = 5                # 5-7
FCR_ANSWERS = ("yes", "partly", "no")
def _numeric_answers(data: pd.DataFrame, column: str, scale: tuple[int, int]) -> pd.Series:
    if column not in data.columns:
        raise DataError(f"no column named {column!r} in the data")
    raw = data[column]
    values = pd.to_numeric(raw, errors="coerce").astype(float)
    text = raw.notna() & values.isna()
    lo, hi = scale
    bad = text | (values.notna() & ((values < lo) | (values > hi) | (values != np.round(values))))
    if bad.any():
        shown = ", ".join(map(repr, pd.unique(raw[bad]).tolist()[:5]))
        raise DataError(f"column {column!r} has answers outside the {lo}-{hi} scale ({shown}); "
                         "recode them or set them to missing")
    return values


def _by_list(data: pd.DataFrame, by) -> list[str]:
    by = [] if by is None else [by] if isinstance(by, str) else list(by)
    absent = [b for b in by if b not in data.columns]
    if absent:
        raise DataError(f"no grouping column named {', '.join(map(repr, absent))} in the data")
    return by


def _per_group(data: pd.DataFrame, by, answers, summarise: Callable[[np.ndarray], dict]) -> pd.DataFrame:
    """Apply ``summarise`` (the answers of one group as an array, missing included) to every group.

    The groups are those of ``data.groupby(by, dropna=False, observed=True, sort=True)``,
    in that order, each with its rows in the data's order; they are found in one pass
    and each group's answers are a slice of one sorted array, so that many groups (an
    organisation by channel split of 10,000 organisations) cost little more than one.
    """
    by = _by_list(data, by)
    values = np.asarray(answers)
    if not by:
        return pd.DataFrame([summarise(values)])
    grouped = data[by].groupby(by, dropna=False, observed=True, sort=True)
    codes = grouped.ngroup().to_numpy()
    keys = grouped.size().index
    order = np.argsort(codes, kind="stable")          # stable: each group's rows in the data's order
    bounds = np.r_[0, np.cumsum(np.bincount(codes[codes >= 0], minlength=len(keys)))]
    ordered = values[order]
    rows = []
    for g, key in enumerate(keys):
        key = key if isinstance(key, tuple) else (key,)
        rows.append({**dict(zip(by, key)), **summarise(ordered[bounds[g]:bounds[g + 1]])})
    # no rows (every respondent left out): an empty table with the columns a group would have
    return pd.DataFrame(rows, columns=[*by, *summarise(values[:0])])


def csat(data: pd.DataFrame, column: str, *, by: str | Sequence[str] | None = None,
         level: float = 0.95, min_n: int = MIN_N_KPI_INTERVAL) -> pd.DataFrame:
    """Customer satisfaction: % of answers 4 or 5 on a 1-5 scale, with a Wilson interval.

    Parameters
    ----------
    data : DataFrame
    column : str
        Satisfaction answers 1-5 (missing allowed, excluded and counted).
    by : str or list of str, optional
        Grouping columns, e.g. ``["org", "channel"]``.
    level : float
    min_n : int
        Fewest answers with an interval (default
        :data:`analysis.common.thresholds.MIN_N_KPI_INTERVAL`).

    Returns
    -------
    DataFrame
        Grouping columns, ``n``, ``n_missing``, ``n_satisfied``, ``csat`` (%),
        ``ci_low``, ``ci_high`` (%), ``ci_reason`` (None, or why there is no interval).

    References
    ----------
    Wilson (1927); Agresti & Coull (1998); Brown, Cai & DasGupta (2001).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"sat": [5, 4, 3, 5, None]})
    >>> csat(df, "sat")[["n", "n_missing", "n_satisfied", "csat", "ci_reason"]].to_dict("records")
    [{'n': 4, 'n_missing': 1, 'n_satisfied': 3, 'csat': 75.0, 'ci_reason': 'too_few'}]
    """
    level, min_n = check_level(level), _check_min_n(min_n)
    answers = _numeric_answers(data, column, CSAT_SCALE).to_numpy()

    def summarise(a: np.ndarray) -> dict:
        missing = int(np.isnan(a).sum())
        n, k = len(a) - missing, int((a >= CSAT_SATISFIED).sum())
        return {"n": n, "n_missing": missing, "n_satisfied": k,
                "csat": 100 * k / n if n else np.nan, **_proportion_ci(k, n, level, min_n)}

    return _per_group(data, by, answers, summarise)


def nps(data: pd.DataFrame, column: str, *, by: str | Sequence[str] | None = None,
        level: float = 0.95, ci_method: str = "score", min_n: int = MIN_N_KPI_INTERVAL) -> pd.DataFrame:
    """Net Promoter Score: % promoters (9-10) minus % detractors (0-6), with an interval.

    Parameters
    ----------
    data : DataFrame
    column : str
        Likelihood to recommend, 0-10.
    by, level, min_n
        As for :func:`csat`.
    ci_method : {'score', 'adjusted_wald'}
        The score interval (default) or Rocks' (2016) adjusted Wald (:func:`nps_interval`).

    Returns
    -------
    DataFrame
        Grouping columns, ``n``, ``n_missing``, ``n_promoters``, ``n_passives``,
        ``n_detractors``, ``pct_promoters``, ``pct_passives``, ``pct_detractors``,
        ``nps`` (-100..100), ``se``, ``ci_low``, ``ci_high``, ``ci_reason``, ``ci_method``.

    References
    ----------
    Reichheld (2003); Rocks (2016); Tango (1998).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"ltr": [10, 9, 8, 7, 6, 0, 10, 10]})
    >>> nps(df, "ltr")[["n_promoters", "n_detractors", "nps"]].to_dict("records")
    [{'n_promoters': 4, 'n_detractors': 2, 'nps': 25.0}]
    """
    level, min_n = check_level(level), _check_min_n(min_n)
    if ci_method not in NPS_CI_METHODS:
        raise OptionError("ci_method", f"must be one of {', '.join(NPS_CI_METHODS)}, got {ci_method!r}")
    answers = _numeric_answers(data, column, NPS_SCALE).to_numpy()

    def summarise(a: np.ndarray) -> dict:
        missing = int(np.isnan(a).sum())
        n = len(a) - missing
        k_pro, k_det = int((a >= NPS_PROMOTER).sum()), int((a <= NPS_DETRACTOR).sum())
        k_pas = n - k_pro - k_det
        share = (lambda k: k / n) if n else (lambda k: np.nan)
        reason = _reason(n, min_n)
        score, se, lo, hi = nps_interval(k_pro, k_det, n, level, ci_method) if reason is None else (
            100 * share(k_pro - k_det), np.nan, np.nan, np.nan)
        return {"n": n, "n_missing": missing, "n_promoters": k_pro,
                "n_passives": k_pas, "n_detractors": k_det, "pct_promoters": 100 * share(k_pro),
                "pct_passives": 100 * share(k_pas), "pct_detractors": 100 * share(k_det),
                "nps": float(score), "se": float(se), "ci_low": float(lo), "ci_high": float(hi),
                "ci_reason": reason, "ci_method": ci_method}

    return _per_group(data, by, answers, summarise)


def ces(data: pd.DataFrame, column: str, *, by: str | Sequence[str] | None = None,
        level: float = 0.95, min_n: int = MIN_N_KPI_INTERVAL) -> pd.DataFrame:
    """Customer effort: mean on 1-7 (high = easy) with a bounded interval, and % of 5-7.

    Returns
    -------
    DataFrame
        Grouping columns, ``n``, ``n_missing``, ``mean``, ``sd``, ``ci_low``,
        ``ci_high`` (:func:`mean_interval`), ``ci_reason``, ``n_easy``, ``pct_easy``
        (% of 5-7), ``pct_easy_ci_low``, ``pct_easy_ci_high`` (Wilson),
        ``pct_easy_ci_reason``.

    References
    ----------
    Dixon, Freeman & Toman (2010); Lesaffre, Rizopoulos & Tsonaka (2007).

    Examples
    --------
    >>> import pandas as pd
    >>> ces(pd.DataFrame({"effort": [7, 5, 3, 1]}), "effort")[["mean", "pct_easy"]].to_dict("records")
    [{'mean': 4.0, 'pct_easy': 50.0}]
    """
    level, min_n = check_level(level), _check_min_n(min_n)
    answers = _numeric_answers(data, column, CES_SCALE).to_numpy()

    def summarise(a: np.ndarray) -> dict:
        x = a[~np.isnan(a)]
        n = len(x)
        reason = _reason(n, min_n) or ("no_spread" if np.ptp(x) == 0 else None)
        lo, hi = mean_interval(x, CES_SCALE, level) if reason is None else (np.nan, np.nan)
        k = int((x >= CES_EASY).sum())
        return {"n": n, "n_missing": len(a) - n, "mean": float(x.mean()) if n else np.nan,
                "sd": float(x.std(ddof=1)) if n > 1 else np.nan, "ci_low": lo, "ci_high": hi,
                "ci_reason": reason, "n_easy": k, "pct_easy": 100 * k / n if n else np.nan,
                **_proportion_ci(k, n, level, min_n, "pct_easy_")}

    return _per_group(data, by, answers, summarise)


def fcr(data: pd.DataFrame, column: str, *, by: str | Sequence[str] | None = None,
        level: float = 0.95, min_n: int = MIN_N_KPI_INTERVAL) -> pd.DataFrame:
    """First-contact resolution: % yes, and % yes or partly, with Wilson intervals.

    ``column`` holds 'yes', 'partly' or 'no' (case and surrounding spaces ignored);
    ``by``, ``level`` and ``min_n`` as for :func:`csat`.

    Returns
    -------
    DataFrame
        Grouping columns, ``n``, ``n_missing``, ``n_yes``, ``n_partly``, ``n_no``,
        ``pct_yes``, ``pct_yes_ci_low``, ``pct_yes_ci_high``, ``pct_yes_ci_reason``,
        ``pct_yes_or_partly`` and its ``_ci_low``, ``_ci_high``, ``_ci_reason``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"fcr": ["yes", "Yes", "partly", "no", None]})
    >>> fcr(df, "fcr")[["n", "pct_yes", "pct_yes_or_partly"]].to_dict("records")
    [{'n': 4, 'pct_yes': 50.0, 'pct_yes_or_partly': 75.0}]
    """
    level, min_n = check_level(level), _check_min_n(min_n)
    if column not in data.columns:
        raise DataError(f"no column named {column!r} in the data")
    raw = data[column]
    # each answer as its position in FCR_ANSWERS (-1 when missing), read once per distinct value
    codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    normalised = pd.Index(uniques).astype(str).str.strip().str.lower()
    position = np.array([FCR_ANSWERS.index(a) if a in FCR_ANSWERS else -2 for a in normalised], dtype=np.int8)
    coded = np.where(codes < 0, -1, position[np.clip(codes, 0, None)] if len(position) else -1).astype(np.int8)
    bad = coded == -2
    if bad.any():
        shown = ", ".join(map(repr, pd.unique(raw[bad]).tolist()[:5]))
        raise DataError(f"column {column!r} has answers other than yes / partly / no ({shown}); "
                         "recode them or set them to missing")

    def summarise(a: np.ndarray) -> dict:
        counts = np.bincount(a[a >= 0], minlength=len(FCR_ANSWERS))
        n = int(counts.sum())
        k = {ans: int(counts[i]) for i, ans in enumerate(FCR_ANSWERS)}
        pct = (lambda v: 100 * v / n) if n else (lambda v: np.nan)
        return {"n": n, "n_missing": len(a) - n, "n_yes": k["yes"],
                "n_partly": k["partly"], "n_no": k["no"],
                "pct_yes": pct(k["yes"]), **_proportion_ci(k["yes"], n, level, min_n, "pct_yes_"),
                "pct_yes_or_partly": pct(k["yes"] + k["partly"]),
                **_proportion_ci(k["yes"] + k["partly"], n, level, min_n, "pct_yes_or_partly_")}

    return _per_group(data, by, coded, summarise)


def kpi_table(data: pd.DataFrame, *, by: str | Sequence[str] | None = None,
              csat_column: str | None = None, nps_column: str | None = None,
              ces_column: str | None = None, fcr_column: str | None = None,
              level: float = 0.95, nps_ci_method: str = "score",
              min_n: int = MIN_N_KPI_INTERVAL) -> pd.DataFrame:
    """All requested KPIs in one long table, for reports.

    Returns
    -------
    DataFrame
        Grouping columns, ``kpi`` ('CSAT %', 'NPS', 'CES mean', 'CES % easy', 'FCR % yes',
        'FCR % yes or partly'), ``n``, ``n_missing``, ``estimate``, ``ci_low``, ``ci_high``,
        ``ci_reason`` (a code of :data:`CI_REASONS`, None with an interval) and
        ``ci_note`` (its sentence, :func:`ci_reason_text`).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"sat": [5, 4, 2], "ltr": [10, 9, 3]})
    >>> kpi_table(df, csat_column="sat", nps_column="ltr").kpi.tolist()
    ['CSAT %', 'NPS']
    """
    by_cols = _by_list(data, by)
    parts = []

    def add(frame: pd.DataFrame, kpi: str, est: str, prefix: str = "") -> None:
        parts.append(frame[by_cols + ["n", "n_missing"]].assign(
            kpi=kpi, estimate=frame[est], ci_low=frame[f"{prefix}ci_low"], ci_high=frame[f"{prefix}ci_high"],
            ci_reason=frame[f"{prefix}ci_reason"]))

    if csat_column:
        add(csat(data, csat_column, by=by, level=level, min_n=min_n), "CSAT %", "csat")
    if nps_column:
        add(nps(data, nps_column, by=by, level=level, ci_method=nps_ci_method, min_n=min_n), "NPS", "nps")
    if ces_column:
        t = ces(data, ces_column, by=by, level=level, min_n=min_n)
        add(t, "CES mean", "mean")
        add(t, "CES % easy", "pct_easy", "pct_easy_")
    if fcr_column:
        t = fcr(data, fcr_column, by=by, level=level, min_n=min_n)
        add(t, "FCR % yes", "pct_yes", "pct_yes_")
        add(t, "FCR % yes or partly", "pct_yes_or_partly", "pct_yes_or_partly_")
    if not parts:
        raise OptionError("csat_column", "or nps_column, ces_column, fcr_column must name a column; name at least one KPI column")
    out = pd.concat(parts, ignore_index=True)
    out["ci_reason"] = out.ci_reason.astype(object).where(out.ci_reason.notna(), None)
    out["ci_note"] = pd.Series([ci_reason_text(r, min_n) for r in out.ci_reason], index=out.index, dtype=object)
    cols = by_cols + ["kpi", "n", "n_missing", "estimate", "ci_low", "ci_high", "ci_reason", "ci_note"]
    return out[cols]
