"""Contact-centre KPIs per group: CSAT, NPS, CES and FCR, with confidence intervals.

Each function takes respondent rows, one answer column and optional grouping columns
(``by``: e.g. the organisation, or organisation and channel), and returns a tidy
DataFrame with one row per group: the grouping columns, ``n`` (answers used),
``n_missing`` (blank answers, excluded), the counts behind the KPI, the KPI and its
interval. Answers outside the scale raise a ``ValueError`` naming the column.

* **CSAT**: % of answers 4-5 on a 1-5 scale, Wilson score interval (Wilson 1927;
  Brown, Cai & DasGupta 2001 recommend it over the Wald interval).
* **NPS** (Reichheld 2003): % promoters (9-10) minus % detractors (0-6) of a 0-10
  likelihood to recommend, -100..100. Interval from the analytic multinomial variance
  ``Var(NPS/100) = (p₊ + p₋ - (p₊ - p₋)²) / n`` (Rocks 2016), clipped to [-100, 100]:
  by default the *adjusted* Wald interval, which Rocks (2016) found to perform best
  among the intervals he compared: the variance and the centre are computed after
  adding 3/4 to the promoters and to the detractors and 3 to n (the passives get the
  remaining 3/2); ``ci_method="wald"`` gives the plain Wald interval, which collapses to
  a point when every answer is in one category (e.g. NPS = 100).
* **CES**: mean customer effort on 1-7 (high = easy), t interval; and % of 5-7 with a
  Wilson interval.
* **FCR**: first-contact resolution answered yes / partly / no: % yes and % yes or
  partly, Wilson intervals.

References
----------
Reichheld, F. F. (2003). The one number you need to grow. *Harvard Business Review*,
    81(12), 46-54.
Rocks, B. (2016). Interval estimation for the "net promoter score". *The American
    Statistician*, 70(4), 365-372.
Wilson, E. B. (1927). Probable inference, the law of succession, and statistical
    inference. *JASA*, 22(158), 209-212.
Brown, L. D., Cai, T. T., & DasGupta, A. (2001). Interval estimation for a binomial
    proportion. *Statistical Science*, 16(2), 101-133.
Dixon, M., Freeman, K., & Toman, N. (2010). Stop trying to delight your customers.
    *Harvard Business Review*, 88(7/8), 116-122. (customer effort)
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from analysis.common.options import check_level

CSAT_SCALE = (1, 5)
CSAT_SATISFIED = 4          # 4 and 5 count as satisfied
NPS_SCALE = (0, 10)
NPS_PROMOTER = 9            # 9-10
NPS_DETRACTOR = 6           # 0-6
CES_SCALE = (1, 7)
CES_EASY = 5                # 5-7
FCR_ANSWERS = ("yes", "partly", "no")
NPS_CI_METHODS = ("adjusted_wald", "wald")


def wilson_interval(successes, n, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for a binomial proportion (as proportions; NaN where n = 0).

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
    return centre - half, centre + half


def _numeric_answers(data: pd.DataFrame, column: str, scale: tuple[int, int]) -> pd.Series:
    if column not in data.columns:
        raise ValueError(f"no column named {column!r} in the data")
    raw = data[column]
    values = pd.to_numeric(raw, errors="coerce").astype(float)
    text = raw.notna() & values.isna()
    lo, hi = scale
    bad = text | (values.notna() & ((values < lo) | (values > hi) | (values != np.round(values))))
    if bad.any():
        shown = ", ".join(map(repr, pd.unique(raw[bad]).tolist()[:5]))
        raise ValueError(f"column {column!r} has answers outside the {lo}-{hi} scale ({shown}); "
                         "recode them or set them to missing")
    return values


def _by_list(data: pd.DataFrame, by) -> list[str]:
    by = [] if by is None else [by] if isinstance(by, str) else list(by)
    absent = [b for b in by if b not in data.columns]
    if absent:
        raise ValueError(f"no grouping column named {', '.join(map(repr, absent))} in the data")
    return by


def _per_group(data: pd.DataFrame, by, answers: pd.Series,
               summarise: Callable[[pd.Series], dict]) -> pd.DataFrame:
    """Apply ``summarise`` (answers of one group, missing included) to every group."""
    by = _by_list(data, by)
    if not by:
        return pd.DataFrame([summarise(answers)])
    frame = data[by].assign(_answer=answers)
    rows = []
    for key, part in frame.groupby(by, dropna=False, observed=True, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        rows.append({**dict(zip(by, key)), **summarise(part["_answer"])})
    return pd.DataFrame(rows)


def csat(data: pd.DataFrame, column: str, *, by: str | Sequence[str] | None = None,
         level: float = 0.95) -> pd.DataFrame:
    """Customer satisfaction: % of answers 4 or 5 on a 1-5 scale, with a Wilson interval.

    Parameters
    ----------
    data : DataFrame
    column : str
        Satisfaction answers 1-5 (missing allowed, excluded and counted).
    by : str or list of str, optional
        Grouping columns, e.g. ``["org", "channel"]``.
    level : float

    Returns
    -------
    DataFrame
        Grouping columns, ``n``, ``n_missing``, ``n_satisfied``, ``csat`` (%),
        ``ci_low``, ``ci_high`` (%).

    References
    ----------
    Wilson (1927); Brown, Cai & DasGupta (2001).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"sat": [5, 4, 3, 5, None]})
    >>> csat(df, "sat")[["n", "n_missing", "n_satisfied", "csat"]].to_dict("records")
    [{'n': 4, 'n_missing': 1, 'n_satisfied': 3, 'csat': 75.0}]
    """
    level = check_level(level)
    answers = _numeric_answers(data, column, CSAT_SCALE)

    def summarise(a: pd.Series) -> dict:
        n, k = int(a.notna().sum()), int((a >= CSAT_SATISFIED).sum())
        lo, hi = wilson_interval(k, n, level)
        return {"n": n, "n_missing": int(a.isna().sum()), "n_satisfied": k,
                "csat": 100 * k / n if n else np.nan, "ci_low": 100 * lo, "ci_high": 100 * hi}

    return _per_group(data, by, answers, summarise)


def nps_interval(n_promoters, n_detractors, n, level: float = 0.95, method: str = "adjusted_wald"):
    """NPS (-100..100), its standard error and interval from the category counts.

    ``Var(p₊ - p₋) = (p₊ + p₋ - (p₊ - p₋)²) / n`` (multinomial; Rocks 2016). With
    ``method="adjusted_wald"`` the shares, centre and variance use the counts plus 3/4
    promoters and 3/4 detractors out of n + 3 (Rocks 2016); the returned ``nps`` is
    always the unadjusted score.

    Returns
    -------
    nps, se, ci_low, ci_high : ndarray (NPS units)
        All NaN where ``n`` is 0.

    Examples
    --------
    >>> # p+ = .5, p- = .2: Var = (.7 - .3**2) / 100 = .0061, se = .0781
    >>> [round(float(v), 2) for v in nps_interval(50, 20, 100, method="wald")]
    [30.0, 7.81, 14.69, 45.31]
    """
    if method not in NPS_CI_METHODS:
        raise ValueError(f"ci_method must be one of {', '.join(NPS_CI_METHODS)}, got {method!r}")
    k_pro = np.asarray(n_promoters, dtype=float)
    k_det = np.asarray(n_detractors, dtype=float)
    n = np.asarray(n, dtype=float)
    z = stats.norm.ppf(0.5 + level / 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        score = (k_pro - k_det) / n
        if method == "adjusted_wald":
            k_pro, k_det, n = k_pro + 0.75, k_det + 0.75, n + 3
        pp, pd_ = k_pro / n, k_det / n
        centre = pp - pd_
        se = np.sqrt(np.maximum(pp + pd_ - centre**2, 0.0) / n)
    # no answers, no information: the adjustment alone would give an interval (about +-80)
    se = np.where(np.isnan(score), np.nan, se)
    return (100 * score, 100 * se, np.maximum(100 * (centre - z * se), -100),
            np.minimum(100 * (centre + z * se), 100))


def nps(data: pd.DataFrame, column: str, *, by: str | Sequence[str] | None = None,
        level: float = 0.95, ci_method: str = "adjusted_wald") -> pd.DataFrame:
    """Net Promoter Score: % promoters (9-10) minus % detractors (0-6), with an interval.

    Parameters
    ----------
    data : DataFrame
    column : str
        Likelihood to recommend, 0-10.
    by : str or list of str, optional
    level : float
    ci_method : {'adjusted_wald', 'wald'}
        Interval: adjusted Wald (default; Rocks 2016) or plain Wald, both with the
        multinomial variance (see :func:`nps_interval`).

    Returns
    -------
    DataFrame
        Grouping columns, ``n``, ``n_missing``, ``n_promoters``, ``n_passives``,
        ``n_detractors``, ``pct_promoters``, ``pct_passives``, ``pct_detractors``,
        ``nps`` (-100..100), ``se`` (of the method), ``ci_low``, ``ci_high``,
        ``ci_method``.

    References
    ----------
    Reichheld (2003); Rocks (2016).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"ltr": [10, 9, 8, 7, 6, 0, 10, 10]})
    >>> nps(df, "ltr")[["n_promoters", "n_detractors", "nps"]].to_dict("records")
    [{'n_promoters': 4, 'n_detractors': 2, 'nps': 25.0}]
    """
    level = check_level(level)
    if ci_method not in NPS_CI_METHODS:
        raise ValueError(f"ci_method must be one of {', '.join(NPS_CI_METHODS)}, got {ci_method!r}")
    answers = _numeric_answers(data, column, NPS_SCALE)

    def summarise(a: pd.Series) -> dict:
        n = int(a.notna().sum())
        k_pro, k_det = int((a >= NPS_PROMOTER).sum()), int((a <= NPS_DETRACTOR).sum())
        k_pas = n - k_pro - k_det
        share = (lambda k: k / n) if n else (lambda k: np.nan)
        score, se, lo, hi = nps_interval(k_pro, k_det, n, level, ci_method)
        return {"n": n, "n_missing": int(a.isna().sum()), "n_promoters": k_pro,
                "n_passives": k_pas, "n_detractors": k_det, "pct_promoters": 100 * share(k_pro),
                "pct_passives": 100 * share(k_pas), "pct_detractors": 100 * share(k_det),
                "nps": float(score), "se": float(se), "ci_low": float(lo), "ci_high": float(hi),
                "ci_method": ci_method}

    return _per_group(data, by, answers, summarise)


def ces(data: pd.DataFrame, column: str, *, by: str | Sequence[str] | None = None,
        level: float = 0.95) -> pd.DataFrame:
    """Customer effort: mean on 1-7 (high = easy) with a t interval, and % of 5-7.

    Returns
    -------
    DataFrame
        Grouping columns, ``n``, ``n_missing``, ``mean``, ``sd``, ``ci_low``,
        ``ci_high`` (t interval of the mean), ``n_easy``, ``pct_easy`` (% of 5-7),
        ``pct_easy_ci_low``, ``pct_easy_ci_high`` (Wilson).

    References
    ----------
    Dixon, Freeman & Toman (2010).

    Examples
    --------
    >>> import pandas as pd
    >>> ces(pd.DataFrame({"effort": [7, 5, 3, 1]}), "effort")[["mean", "pct_easy"]].to_dict("records")
    [{'mean': 4.0, 'pct_easy': 50.0}]
    """
    level = check_level(level)
    answers = _numeric_answers(data, column, CES_SCALE)

    def summarise(a: pd.Series) -> dict:
        x = a.dropna().to_numpy()
        n = len(x)
        mean = float(x.mean()) if n else np.nan
        sd = float(x.std(ddof=1)) if n > 1 else np.nan
        half = stats.t.ppf(0.5 + level / 2, n - 1) * sd / np.sqrt(n) if n > 1 else np.nan
        k = int((x >= CES_EASY).sum())
        lo, hi = wilson_interval(k, n, level)
        return {"n": n, "n_missing": int(a.isna().sum()), "mean": mean, "sd": sd,
                "ci_low": mean - half, "ci_high": mean + half, "n_easy": k,
                "pct_easy": 100 * k / n if n else np.nan,
                "pct_easy_ci_low": 100 * lo, "pct_easy_ci_high": 100 * hi}

    return _per_group(data, by, answers, summarise)


def fcr(data: pd.DataFrame, column: str, *, by: str | Sequence[str] | None = None,
        level: float = 0.95) -> pd.DataFrame:
    """First-contact resolution: % yes, and % yes or partly, with Wilson intervals.

    Parameters
    ----------
    data : DataFrame
    column : str
        Answers 'yes', 'partly' or 'no' (case and surrounding spaces ignored).
    by : str or list of str, optional
    level : float

    Returns
    -------
    DataFrame
        Grouping columns, ``n``, ``n_missing``, ``n_yes``, ``n_partly``, ``n_no``,
        ``pct_yes``, ``pct_yes_ci_low``, ``pct_yes_ci_high``, ``pct_yes_or_partly``,
        ``pct_yes_or_partly_ci_low``, ``pct_yes_or_partly_ci_high``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"fcr": ["yes", "Yes", "partly", "no", None]})
    >>> fcr(df, "fcr")[["n", "pct_yes", "pct_yes_or_partly"]].to_dict("records")
    [{'n': 4, 'pct_yes': 50.0, 'pct_yes_or_partly': 75.0}]
    """
    level = check_level(level)
    if column not in data.columns:
        raise ValueError(f"no column named {column!r} in the data")
    raw = data[column]
    answers = raw.where(raw.isna(), raw.astype(str).str.strip().str.lower())
    bad = answers.notna() & ~answers.isin(FCR_ANSWERS)
    if bad.any():
        shown = ", ".join(map(repr, pd.unique(raw[bad]).tolist()[:5]))
        raise ValueError(f"column {column!r} has answers other than yes / partly / no ({shown}); "
                         "recode them or set them to missing")

    def summarise(a: pd.Series) -> dict:
        n = int(a.notna().sum())
        k = {ans: int((a == ans).sum()) for ans in FCR_ANSWERS}
        lo1, hi1 = wilson_interval(k["yes"], n, level)
        lo2, hi2 = wilson_interval(k["yes"] + k["partly"], n, level)
        pct = (lambda v: 100 * v / n) if n else (lambda v: np.nan)
        return {"n": n, "n_missing": int(a.isna().sum()), "n_yes": k["yes"],
                "n_partly": k["partly"], "n_no": k["no"],
                "pct_yes": pct(k["yes"]), "pct_yes_ci_low": 100 * lo1, "pct_yes_ci_high": 100 * hi1,
                "pct_yes_or_partly": pct(k["yes"] + k["partly"]),
                "pct_yes_or_partly_ci_low": 100 * lo2, "pct_yes_or_partly_ci_high": 100 * hi2}

    return _per_group(data, by, answers, summarise)


def kpi_table(data: pd.DataFrame, *, by: str | Sequence[str] | None = None,
              csat_column: str | None = None, nps_column: str | None = None,
              ces_column: str | None = None, fcr_column: str | None = None,
              level: float = 0.95, nps_ci_method: str = "adjusted_wald") -> pd.DataFrame:
    """All requested KPIs in one long table, for reports.

    Returns
    -------
    DataFrame
        Grouping columns, ``kpi`` ('CSAT %', 'NPS', 'CES mean', 'CES % easy', 'FCR % yes',
        'FCR % yes or partly'), ``n``, ``n_missing``, ``estimate``, ``ci_low``, ``ci_high``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"sat": [5, 4, 2], "ltr": [10, 9, 3]})
    >>> kpi_table(df, csat_column="sat", nps_column="ltr").kpi.tolist()
    ['CSAT %', 'NPS']
    """
    by_cols = _by_list(data, by)
    parts = []

    def add(frame: pd.DataFrame, kpi: str, est: str, lo: str, hi: str) -> None:
        parts.append(frame[by_cols + ["n", "n_missing"]].assign(
            kpi=kpi, estimate=frame[est], ci_low=frame[lo], ci_high=frame[hi]))

    if csat_column:
        add(csat(data, csat_column, by=by, level=level), "CSAT %", "csat", "ci_low", "ci_high")
    if nps_column:
        add(nps(data, nps_column, by=by, level=level, ci_method=nps_ci_method), "NPS", "nps",
            "ci_low", "ci_high")
    if ces_column:
        t = ces(data, ces_column, by=by, level=level)
        add(t, "CES mean", "mean", "ci_low", "ci_high")
        add(t, "CES % easy", "pct_easy", "pct_easy_ci_low", "pct_easy_ci_high")
    if fcr_column:
        t = fcr(data, fcr_column, by=by, level=level)
        add(t, "FCR % yes", "pct_yes", "pct_yes_ci_low", "pct_yes_ci_high")
        add(t, "FCR % yes or partly", "pct_yes_or_partly", "pct_yes_or_partly_ci_low",
            "pct_yes_or_partly_ci_high")
    if not parts:
        raise ValueError("name at least one KPI column (csat_column, nps_column, ces_column, fcr_column)")
    cols = by_cols + ["kpi", "n", "n_missing", "estimate", "ci_low", "ci_high"]
    return pd.concat(parts, ignore_index=True)[cols]
