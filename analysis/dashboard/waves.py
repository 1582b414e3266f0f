"""The dashboard's waves view: KPIs and driver importance per wave, the change since the last wave (pure).

From :class:`analysis.trends.result.TrendAnalysis` results (one by the page's groups, and
optionally one of the whole study), under the reports' minimum group size applied to
each group's waves the way :func:`analysis.report.scope.withheld_channels` applies it to
a group's channels: a wave with fewer respondents than the minimum is withheld, and
so are the next smallest waves while the withheld ones add up to fewer (else the
group's figure over all waves, shown elsewhere on the page, minus the shown waves
would give the small wave's). A withheld wave has no KPI, no importance, no change
from or to it, and its group no control limits (the centre line of a later wave pools
the earlier ones).

Each change since the last wave carries the trends analysis' verdict
(:mod:`analysis.trends.changes`): for CSAT the p-chart decides (a signal is a
*structural* change; a significant difference without one is an *incident*; else
*noise*); NPS and the importance shares have a test only (*significant* or *noise*).
"""
from __future__ import annotations

import math

import pandas as pd

from analysis.dashboard.tables import columnar
from analysis.drivers.tables import KPI_KEYS as KPI_NAMES
from analysis.report.content import KPI_KEYS, KPI_KINDS, no_interval_text

VERDICTS = ("structural", "incident", "significant", "noise")
KPI_COLUMNS = ("group", "wave", "key", "estimate", "low", "high", "n", "text", "interval")
IMPORTANCE_COLUMNS = ("group", "wave", "driver", "estimate", "low", "high", "n", "text", "interval")
CHANGE_COLUMNS = ("group", "measure", "driver", "from", "to", "difference", "low", "high", "p", "verdict", "text",
                  "p_text")
CONTROL_COLUMNS = ("group", "wave", "csat", "centre", "lcl", "ucl", "signal")
MEASURES = {"CSAT %": "csat_pct", "NPS": "nps", "LMG share %": "share"}


def _number(x):
    return None if x is None or pd.isna(x) or not math.isfinite(float(x)) else float(x)


def _label(wave) -> str:
    return str(wave)


def withheld_waves(sizes: dict, minimum: int) -> set:
    """Waves below ``minimum`` respondents, and the next smallest while the withheld add up to fewer.

    >>> sorted(withheld_waves({"1": 50, "2": 12, "3": 40}, 30))
    ['2', '3']
    >>> sorted(withheld_waves({"1": 50, "2": 40}, 30))
    []
    """
    small = sorted((w for w, n in sizes.items() if n < minimum), key=lambda w: (sizes[w], w))
    total = sum(sizes[w] for w in small)
    rest = sorted((w for w in sizes if w not in small), key=lambda w: (sizes[w], w))
    out = set(small)
    while small and total < minimum and rest:
        wave = rest.pop(0)
        out.add(wave)
        total += sizes[wave]
    return out


def _sizes(trend) -> dict:
    """``{group: {wave: respondents}}``: the answered plus unanswered of a KPI, the most of any KPI."""
    by = trend.settings.by
    k = trend.kpis
    cells = (k.n + k.n_missing).groupby([k[by].astype(str), k.wave.map(_label)], sort=False).max()
    out: dict = {}
    for (g, w), n in cells.items():
        out.setdefault(g, {})[w] = int(n)
    return out


def _verdict(measure: str, significant: bool, signal) -> str:
    if measure == "CSAT %":
        return "structural" if signal else "incident" if significant else "noise"
    return "significant" if significant else "noise"


def waves_document(trends: list, groups: list[str], texts: dict, minimum: int, drivers: list[str]) -> dict | None:
    """The waves view's rows: ``labels``, ``kpis``, ``importance``, ``changes``, ``control``, ``withheld``.

    Parameters
    ----------
    trends : list of TrendAnalysis
        Their groups (``settings.by``) as text; the whole study's as ``'all'``.
    groups : list of str
        The groups the page shows (others are left out).
    texts : dict
        ``{lang: Texts}``.
    minimum : int
        The reports' minimum group size, applied to each group's waves.
    drivers : list of str
        The drivers the page shows.

    Returns
    -------
    dict or None
        None without a trend analysis of two or more waves. The row tables are by
        column (:func:`analysis.dashboard.tables.columnar`).
    """
    trends = [t for t in trends if t is not None and len(t.settings.waves) > 1]
    if not trends:
        return None
    labels = [_label(w) for w in trends[0].settings.waves]
    shown = set(groups)
    kpis, importance, changes, control, withheld = [], [], [], [], {}
    for trend in trends:
        by = trend.settings.by
        sizes = _sizes(trend)
        hidden = {g: withheld_waves(s, minimum) for g, s in sizes.items() if g in shown}
        withheld.update({g: sorted(w, key=labels.index) for g, w in hidden.items() if w})
        for r in trend.kpis.itertuples():
            g, w, key = str(getattr(r, by)), _label(r.wave), KPI_NAMES.get(r.kpi)
            if g not in shown or w in hidden[g] or key not in KPI_KEYS or not r.n:
                continue
            kind = KPI_KINDS[key]
            kpis.append({"group": g, "wave": w, "key": key, "estimate": _number(r.estimate), "low": _number(r.ci_low),
                         "high": _number(r.ci_high), "n": int(r.n),
                         "text": {lang: t.format(kind, r.estimate) for lang, t in texts.items()},
                         "interval": {lang: no_interval_text(r.ci_reason, t) or t.format_interval(kind, r.ci_low,
                                                                                                 r.ci_high)
                                      for lang, t in texts.items()}})
        for r in trend.importance.itertuples():
            g, w = str(getattr(r, by)), _label(r.wave)
            if g not in shown or w in hidden[g] or r.driver not in drivers or r.n < minimum:
                continue
            importance.append({"group": g, "wave": w, "driver": r.driver, "estimate": _number(r.share),
                               "low": _number(r.ci_low), "high": _number(r.ci_high), "n": int(r.n),
                               "text": {lang: t.pct(r.share) for lang, t in texts.items()},
                               "interval": {lang: t.pct_interval(r.ci_low, r.ci_high) for lang, t in texts.items()}})
        with_shares = {(x["group"], x["wave"], x["driver"]) for x in importance}
        chart = trend.control_chart.assign(_g=trend.control_chart[by].astype(str),
                                           _w=trend.control_chart.wave.map(_label)).set_index(["_g", "_w"])
        for r in trend.changes.itertuples():
            g, a, b = str(getattr(r, by)), _label(r.from_wave), _label(r.to_wave)
            if g not in shown or a in hidden[g] or b in hidden[g] or r.measure not in MEASURES:
                continue
            if r.measure == "LMG share %" and not {(g, a, r.driver), (g, b, r.driver)} <= with_shares:
                continue
            signal = bool(chart.signal.get((g, b), False)) if r.measure == "CSAT %" else None
            kind = "nps" if r.measure == "NPS" else "signed"
            changes.append({"group": g, "measure": MEASURES[r.measure], "driver": r.driver if r.measure == "LMG share %"
                            else None, "from": a, "to": b, "difference": _number(r.difference),
                            "low": _number(r.ci_low), "high": _number(r.ci_high), "p": _number(r.p_value),
                            "verdict": _verdict(r.measure, bool(r.significant), signal),
                            "text": {lang: t.format(kind, r.difference) + (
                                "" if _number(r.ci_low) is None else f" ({t.format_interval(kind, r.ci_low, r.ci_high)})")
                                for lang, t in texts.items()},
                            "p_text": {lang: t.format("pvalue", r.p_value) for lang, t in texts.items()}})
        for r in trend.control_chart.itertuples():
            g, w = str(getattr(r, by)), _label(r.wave)
            if g not in shown or hidden[g]:
                continue
            control.append({"group": g, "wave": w, "csat": _number(r.csat), "centre": _number(r.centre),
                            "lcl": _number(r.lcl), "ucl": _number(r.ucl), "signal": bool(r.signal)})
    s = trends[0].settings
    return {"labels": labels, "column": s.wave, "period": s.period, "level": round(100 * s.level),
            "kpis": columnar(kpis, KPI_COLUMNS), "importance": columnar(importance, IMPORTANCE_COLUMNS),
            "changes": columnar(changes, CHANGE_COLUMNS), "control": columnar(control, CONTROL_COLUMNS),
            "withheld": withheld, "groups": sorted({r["group"] for r in kpis}, key=groups.index)}
