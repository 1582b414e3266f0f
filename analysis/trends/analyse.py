"""``analyse_waves``: KPIs and driver importance per wave, change between waves, control charts.

The waves are the values of a column (``wave="wave"``) or calendar periods of the
contact date (``period="month"`` or ``"quarter"``), in sorted order. Per group (``by``)
and wave:

* the KPIs of :func:`analysis.drivers.kpis.kpi_table` (CSAT, NPS, CES, FCR, intervals);
* the LMG shares of the drivers (:func:`analysis.importance.relative.lmg_shares`, as % of
  R²) on the construct scores of the complete cases, with a bootstrap of ``bootstrap``
  resamples drawn from a stream of its own (``SeedSequence(seed).spawn`` per group and
  wave, so a group's result does not depend on the others);

and per group between consecutive waves: the NPS difference, the CSAT difference and
each driver's LMG share difference (percentile interval of the difference of the two
independent bootstrap distributions; its p value the two-sided bootstrap tail share),
plus a p-chart of the CSAT proportion (:func:`analysis.trends.changes.p_chart`).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.common.errors import DataError, OptionError
from analysis.common.options import validate_options
from analysis.drivers.kpis import CSAT_SATISFIED, NPS_DETRACTOR, NPS_PROMOTER, kpi_table
from analysis.importance.relative import lmg_shares
from analysis.scoring.sample import check_column_option, check_group_column
from analysis.scoring.scores import construct_scores
from analysis.trends.changes import RUN_LENGTH, nps_difference, p_chart, proportion_difference
from analysis.trends.result import TrendAnalysis, TrendSettings
from instrument import Instrument

__all__ = ["analyse_waves", "wave_labels"]

# Fewer complete cases than this in a group and wave: no importance shares (seven
# drivers and an outcome need far more than 8 cases for a stable covariance matrix).
MIN_N_IMPORTANCE = 30
PERIOD_CODES = {"month": "M", "quarter": "Q"}
# The column the periods are made of (the questionnaire's contact date).
DATE_COLUMN = "contact_date"


def wave_labels(data: pd.DataFrame, wave: str | None, period: str | None) -> pd.Series:
    """Each respondent's wave: the ``wave`` column's value, or the calendar ``period`` of ``contact_date``.

    The one check of the waves, shared by :func:`analyse_waves`, the reports and the
    dashboard, so that each refuses the same input with the same error.

    Raises
    ------
    OptionError
        Neither or both of ``wave`` and ``period`` given; ``wave`` not a column of the
        data (a :class:`~analysis.common.errors.ColumnOptionError`).
    DataError
        ``period`` without a ``contact_date`` column, or with no usable date in it (the
        reader adds an absent ``contact_date`` as an empty column).
    """
    if (wave is None) == (period is None):
        raise OptionError("wave", "or period must be given (not both): a wave column, or month or quarter")
    if wave is not None:
        check_column_option(data, "wave", wave)
        values = data[wave]
        # a file's extra column is read as text: waves 1..12 must sort as numbers, not '1', '10', '2'
        numbers = pd.to_numeric(values, errors="coerce")
        if numbers.notna().sum() == values.notna().sum():
            whole = numbers.dropna()
            return numbers.astype("Int64") if (whole == whole.round()).all() else numbers
        return values
    if DATE_COLUMN not in data.columns:
        raise DataError(f"is not in the data, so there are no {period}s to make waves of; add the contact dates, or "
                        "give the column that holds the wave instead", column=DATE_COLUMN)
    dates = pd.to_datetime(data[DATE_COLUMN], errors="coerce")
    if dates.isna().all():
        # empty, or no value a date (the reader reads what is not a date as missing)
        raise DataError(f"has no usable date to make {period}s of (none of the {len(data)} rows has a date); fill in "
                        "the contact dates (e.g. 2024-03-05), or give the column that holds the wave instead",
                        column=DATE_COLUMN)
    return dates.dt.to_period(PERIOD_CODES[period]).astype("string")


def _counts(answers: pd.Series, group_wave: pd.DataFrame, kind: str) -> pd.DataFrame:
    a = pd.to_numeric(answers, errors="coerce")
    frame = group_wave.assign(_a=a).dropna(subset=["_a"])
    keys = list(group_wave.columns)
    if kind == "csat":
        return frame.groupby(keys, sort=False)["_a"].agg(n="size", k=lambda s: int((s >= CSAT_SATISFIED).sum()))
    return frame.groupby(keys, sort=False)["_a"].agg(
        n="size", pro=lambda s: int((s >= NPS_PROMOTER).sum()), det=lambda s: int((s <= NPS_DETRACTOR).sum()))


def _shares(cov: np.ndarray) -> np.ndarray:
    raw = lmg_shares(cov)
    return 100 * raw / raw.sum(axis=-1, keepdims=True)


def _bootstrap_shares(scores: np.ndarray, n_boot: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Point shares and ``n_boot`` bootstrap shares (% of R²) of complete-case scores (outcome last)."""
    point = _shares(np.cov(scores, rowvar=False))
    idx = rng.integers(0, len(scores), size=(n_boot, len(scores)))
    samples = scores[idx]
    centred = samples - samples.mean(axis=1, keepdims=True)
    cov = np.einsum("bni,bnj->bij", centred, centred) / (len(scores) - 1)
    return point, _shares(cov)


@validate_options("bootstrap", "seed", "level", "period", "baseline")
def analyse_waves(data: pd.DataFrame, inst: Instrument, *, wave: str | None = None, period: str | None = None,
                  by: str = "organisation", bootstrap: int = 1000, seed: int | None = None,
                  level: float = 0.95, baseline: str = "history") -> TrendAnalysis:
    """KPIs and driver importance per wave and group, change between consecutive waves, control charts.

    Parameters
    ----------
    data : DataFrame
        Clean responses (:func:`instrument.read_responses`) with the wave column, or
        ``contact_date`` for ``period``.
    inst : Instrument
    wave : str, optional
        Column whose values are the waves (sorted: 1, 2, ... or '2024Q1', ...).
    period : {'month', 'quarter'}, optional
        Waves from ``contact_date`` instead.
    by : str, default 'organisation'
    bootstrap : int, default 1000
        Resamples per group and wave for the LMG share intervals.
    seed : int, optional
        Seed of the bootstrap (drawn at random and reported when None).
    level : float, default 0.95
    baseline : {'history', 'pooled'}, default 'history'
        Centre line of the control chart: the pooled CSAT of the earlier waves (each
        wave judged against its history) or of all waves
        (:func:`analysis.trends.changes.p_chart`).

    Returns
    -------
    TrendAnalysis

    References
    ----------
    Montgomery (2019); Newcombe (1998); Rocks (2016); Lindeman, Merenda & Gold (1980)
    (see :mod:`analysis.trends.changes`).
    """
    check_group_column(data, by)
    waves = wave_labels(data, wave, period)
    keep = waves.notna() & data[by].notna()
    work = data.loc[keep].copy()
    work["_wave"] = waves[keep].to_numpy()
    order = sorted(work["_wave"].unique().tolist(), key=lambda v: (str(type(v)), v))
    if len(order) < 2:
        unit = "wave" if wave is not None else period
        found = f" ({', '.join(map(str, order))})" if order else ""
        todo = ("add the responses of the other waves" if wave is not None or period == "month"
                else "take months as the waves, or add the responses of the other waves")
        raise DataError(f"has {len(order)} {unit}(s){found} among the respondents with a group; trends need at "
                        f"least two waves: {todo}", column=wave if wave is not None else DATE_COLUMN)
    seed = int(np.random.SeedSequence().entropy % 2**32) if seed is None else seed
    group_wave = work[[by, "_wave"]].rename(columns={"_wave": "wave"})

    columns = {f"{m}_column": q.id for m in ("csat", "nps", "ces", "fcr")
               if (q := inst.question_for(m)) is not None and q.id in work.columns}
    kpi_input = work[list(columns.values())].assign(**{by: work[by].to_numpy(), "wave": work["_wave"].to_numpy()})
    kpis = kpi_table(kpi_input, by=[by, "wave"], level=level, **columns)

    changes = []
    for measure, kind in (("csat", "csat"), ("nps", "nps")):
        if f"{measure}_column" not in columns:
            continue
        counts = _counts(work[columns[f"{measure}_column"]], group_wave, kind)
        for group in work[by].unique():
            for a, b in zip(order, order[1:]):
                if (group, a) not in counts.index or (group, b) not in counts.index:
                    continue
                ca, cb = counts.loc[(group, a)], counts.loc[(group, b)]
                if kind == "csat":
                    d = proportion_difference(ca.k, ca.n, cb.k, cb.n, level)
                else:
                    d = nps_difference(ca.pro, ca.det, ca.n, cb.pro, cb.det, cb.n, level)
                changes.append({by: group, "measure": "CSAT %" if kind == "csat" else "NPS", "driver": None,
                                "from_wave": a, "to_wave": b, **{k: v for k, v in d.items() if k != "se"}})

    chart = []
    if "csat_column" in columns:
        counts = _counts(work[columns["csat_column"]], group_wave, "csat")
        for group in work[by].unique():
            present = [w for w in order if (group, w) in counts.index]
            c = p_chart([counts.loc[(group, w)].k for w in present], [counts.loc[(group, w)].n for w in present],
                        baseline=baseline)
            for i, w in enumerate(present):
                chart.append({by: group, "wave": w, "n": int(counts.loc[(group, w)].n), "csat": 100 * c["p"][i],
                              "centre": 100 * c["centre"][i], "lcl": 100 * c["lcl"][i], "ucl": 100 * c["ucl"][i],
                              "beyond_limits": bool(c["beyond_limits"][i]),
                              "two_of_three": bool(c["two_of_three"][i]), "run": bool(c["run"][i]),
                              "signal": bool(c["signal"][i])})

    drivers = inst.driver_keys
    outcome = inst.outcome_construct.key
    scores = construct_scores(work, inst, constructs=[*drivers, outcome])
    importance, boot = [], {}
    groups = list(work[by].unique())
    streams = np.random.SeedSequence(seed).spawn(len(groups))
    for group, stream in zip(groups, streams):
        for w, child in zip(order, stream.spawn(len(order))):
            rows = (work[by] == group).to_numpy() & (work["_wave"] == w).to_numpy()
            complete = scores.loc[rows, [*drivers, outcome]].dropna().to_numpy(dtype=float)
            if len(complete) < MIN_N_IMPORTANCE:
                continue
            point, samples = _bootstrap_shares(complete, bootstrap, np.random.default_rng(child))
            boot[(group, w)] = samples
            lo, hi = np.nanpercentile(samples, [50 * (1 - level), 50 * (1 + level)], axis=0)
            importance += [{by: group, "wave": w, "driver": d, "n": len(complete), "share": point[j],
                            "ci_low": lo[j], "ci_high": hi[j]} for j, d in enumerate(drivers)]
            prev = order[order.index(w) - 1] if order.index(w) > 0 else None
            if prev is not None and (group, prev) in boot:
                before = _shares_point(importance, by, group, prev, drivers)
                diff = samples - boot[(group, prev)]
                lo_d, hi_d = np.nanpercentile(diff, [50 * (1 - level), 50 * (1 + level)], axis=0)
                tail = np.minimum((diff <= 0).mean(axis=0), (diff >= 0).mean(axis=0))
                changes += [{by: group, "measure": "LMG share %", "driver": d, "from_wave": prev, "to_wave": w,
                             "difference": point[j] - before[j], "ci_low": lo_d[j], "ci_high": hi_d[j],
                             "p_value": float(min(1.0, 2 * tail[j]))} for j, d in enumerate(drivers)]

    change_frame = pd.DataFrame(changes, columns=[by, "measure", "driver", "from_wave", "to_wave", "difference",
                                                  "ci_low", "ci_high", "p_value"])
    change_frame["significant"] = change_frame["p_value"] < 1 - level
    settings = TrendSettings(by=by, wave=wave, period=period, waves=tuple(order), bootstrap=bootstrap, seed=seed,
                             level=level, run_length=RUN_LENGTH, baseline=baseline)
    return TrendAnalysis(
        settings=settings, n_used=int(len(work)), n_input=int(len(data)), kpis=kpis,
        importance=pd.DataFrame(importance, columns=[by, "wave", "driver", "n", "share", "ci_low", "ci_high"]),
        changes=change_frame,
        control_chart=pd.DataFrame(chart, columns=[by, "wave", "n", "csat", "centre", "lcl", "ucl", "beyond_limits",
                                                   "two_of_three", "run", "signal"]))


def _shares_point(rows: list[dict], by: str, group, w, drivers: list[str]) -> np.ndarray:
    found = {r["driver"]: r["share"] for r in rows if r[by] == group and r["wave"] == w}
    return np.array([found[d] for d in drivers])
