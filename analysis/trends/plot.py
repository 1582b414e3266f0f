"""Trend charts of a repeated study, for the Python API and the reports.

One set of drawing functions serves both :class:`~analysis.trends.result.TrendAnalysis`
(``plot()``, ``plot_kpi()``, ``plot_importance()``) and the reports' figures
(:mod:`analysis.report.figures`), so a notebook shows what the report shows:

* :func:`draw_control_chart` -- CSAT % per wave with the p-chart's centre line and its
  3-sigma band (Montgomery 2019, sec. 7.2.1), the points that signal a structural change
  circled: a point inside the band is what chance alone gives;
* :func:`draw_series` -- an estimate per wave with its interval (a KPI per group, or the
  LMG shares of the drivers of one group), one line per series.

Colours are the Okabe & Ito (2008) colour-blind-safe palette, and each series has its own
marker shape too (colour is never the only cue). Nothing here computes a statistic: the
points, centre lines, limits and intervals come from the trend analysis.

References
----------
Montgomery, D. C. (2019). *Introduction to Statistical Quality Control* (8th ed.). Wiley.
Okabe, M., & Ito, K. (2008). *Color Universal Design (CUD): how to make figures and
    presentations that are friendly to colorblind people*. https://jfly.uni-koeln.de/color/
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

# Okabe & Ito (2008): one colour per series; black last (it is also the signal ring's colour).
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
# Texts of the charts in the Python API (the reports pass their own, in their language).
TEXTS = {"x": "wave", "csat": "CSAT (% satisfied)", "band": "control limits (3 sigma)", "centre": "centre line",
         "signal": "signal: structural change", "nps": "NPS", "share": "LMG share of R² (%)"}


@dataclass(frozen=True)
class Series:
    """One line of a chart: a value per wave, with an interval (``low``/``high``) or a control band."""

    name: str
    waves: tuple
    value: tuple
    low: tuple | None = None
    high: tuple | None = None
    centre: tuple | None = None
    signal: tuple | None = None


def _style(k: int) -> tuple[str, str]:
    return OKABE_ITO[k % len(OKABE_ITO)], MARKERS[k % len(MARKERS)]


def _axis(ax, waves: Sequence, texts: dict, y: str) -> dict:
    """Put the waves on the x axis in their order; returns wave -> position."""
    position = {w: i for i, w in enumerate(waves)}
    ax.set_xticks(range(len(waves)), [str(w) for w in waves])
    ax.set_xlim(-0.4, len(waves) - 0.6)
    ax.set_xlabel(texts.get("x", TEXTS["x"]))
    ax.set_ylabel(y)
    ax.grid(axis="y", color="0.9", lw=0.6)
    ax.set_axisbelow(True)
    return position


def _values(values) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def draw_control_chart(ax, series: Sequence[Series], waves: Sequence, *, texts: dict | None = None,
                       fmt: Callable[[float], str] | None = None):
    """CSAT % per wave per series with its centre line, 3-sigma band and the signals circled.

    Parameters
    ----------
    ax : matplotlib Axes
    series : sequence of Series
        ``value`` the CSAT %, ``centre`` the centre line, ``low``/``high`` the lower and
        upper control limits (NaN where there is no history yet), ``signal`` booleans.
    waves : sequence
        Every wave, in order (the x axis).
    texts : dict, optional
        ``x``, ``csat``, ``band``, ``centre``, ``signal`` (default: :data:`TEXTS`).
    fmt : callable, optional
        Tick label of a percentage (the reports' number format).

    Returns
    -------
    matplotlib Axes
    """
    import matplotlib.ticker

    texts = {**TEXTS, **(texts or {})}
    position = _axis(ax, waves, texts, texts["csat"])
    circled = False
    for k, s in enumerate(series):
        colour, marker = _style(k)
        x = np.array([position[w] for w in s.waves], dtype=float)
        lo, hi, centre = _values(s.low), _values(s.high), _values(s.centre)
        ax.fill_between(x, lo, hi, color=colour, alpha=0.12 if len(series) > 1 else 0.18, lw=0,
                        label=texts["band"] if k == 0 else None)
        ax.plot(x, lo, color=colour, lw=0.8, ls=":")
        ax.plot(x, hi, color=colour, lw=0.8, ls=":")
        ax.plot(x, centre, color=colour, lw=0.9, ls="--", label=texts["centre"] if k == 0 else None)
        ax.plot(x, _values(s.value), color=colour, marker=marker, ms=5, lw=1.4, label=s.name)
        hit = np.array(s.signal if s.signal is not None else [False] * len(x), dtype=bool)
        if hit.any():
            ax.scatter(x[hit], _values(s.value)[hit], s=130, facecolors="none", edgecolors="black", linewidths=1.4,
                       zorder=3, label=None if circled else texts["signal"])
            circled = True
    if fmt is not None:
        ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: fmt(v)))
    ax.legend(frameon=False, fontsize="small", loc="best")
    return ax


def draw_control_panels(series: Sequence[Series], waves: Sequence, *, ncols: int | None = None,
                        texts: dict | None = None):
    """Small multiples: one control chart (:func:`draw_control_chart`) per series, in a grid of panels.

    A chart of many groups' lines and bands on one axis is unreadable past three or four
    groups; panels on shared axes (Tufte 1983, 'small multiples') keep each group's band
    and signals legible for 4 to 20 groups and still compare their levels. Each panel is
    titled with its series' name; one legend explains the band, centre line and signal ring.

    Parameters
    ----------
    series : sequence of Series
        One per panel, in order (see :func:`draw_control_chart`).
    waves : sequence
        Every wave, in order (the shared x axis).
    ncols : int, optional
        Panels per row (default: up to 4).
    texts : dict, optional
        As for :func:`draw_control_chart`.

    Returns
    -------
    matplotlib Figure

    References
    ----------
    Tufte, E. R. (1983). *The Visual Display of Quantitative Information*. Graphics Press.
    """
    import matplotlib.pyplot as plt

    n = max(len(series), 1)
    ncols = min(4, n) if ncols is None else max(1, min(int(ncols), n))
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.4 * ncols, 2.7 * nrows + 0.5), sharex=True, sharey=True,
                             squeeze=False)
    handles: dict = {}
    names = {s.name for s in series}
    for k, (ax, s) in enumerate(zip(axes.flat, series)):
        draw_control_chart(ax, [s], waves, texts=texts)
        ax.set_title(s.name, fontsize="medium")
        for handle, label in zip(*ax.get_legend_handles_labels()):
            if label not in names:              # the panel's title names the group; the legend explains the marks
                handles.setdefault(label, handle)
        ax.get_legend().remove()
        # axis labels on the outer panels only: the lowest panel of each column (the last row may be short)
        lowest = k + ncols >= len(series)
        ax.xaxis.set_tick_params(labelbottom=lowest)
        if not lowest:
            ax.set_xlabel("")
        if k % ncols:
            ax.set_ylabel("")
    for ax in axes.flat[len(series):]:
        ax.set_visible(False)
    fig.legend(list(handles.values()), list(handles), loc="lower center", ncols=len(handles), frameon=False,
               fontsize="small", bbox_to_anchor=(0.5, 0.0))
    fig.tight_layout(rect=(0, 0.06 if nrows < 3 else 0.03, 1, 1))
    return fig


def draw_series(ax, series: Sequence[Series], waves: Sequence, *, y: str, texts: dict | None = None,
                fmt: Callable[[float], str] | None = None, zero_line: bool = False):
    """An estimate per wave with its interval, one line per series (groups, or drivers of one group).

    Series are set slightly apart on the x axis so that their intervals do not hide each
    other.

    Parameters
    ----------
    ax : matplotlib Axes
    series : sequence of Series
        ``value`` with ``low`` and ``high`` (the interval; NaN: none).
    waves : sequence
        Every wave, in order.
    y : str
        Label of the y axis.
    texts : dict, optional
        ``x`` (default: :data:`TEXTS`).
    fmt : callable, optional
        Tick label of a value.
    zero_line : bool, default False
        Draw a line at 0 (NPS).

    Returns
    -------
    matplotlib Axes
    """
    import matplotlib.ticker

    texts = {**TEXTS, **(texts or {})}
    position = _axis(ax, waves, texts, y)
    width = min(0.5, 0.08 * len(series))
    for k, s in enumerate(series):
        colour, marker = _style(k)
        offset = (k - (len(series) - 1) / 2) * (width / max(len(series) - 1, 1)) if len(series) > 1 else 0.0
        x = np.array([position[w] for w in s.waves], dtype=float) + offset
        value = _values(s.value)
        # a percentile interval need not contain its estimate (few resamples): whiskers end at the estimate then
        err = np.vstack([value - _values(s.low), _values(s.high) - value]).clip(min=0)
        ax.errorbar(x, value, yerr=err, color=colour, marker=marker, ms=4.5, lw=1.2, elinewidth=0.9, capsize=2,
                    label=s.name)
    if zero_line:
        ax.axhline(0, color="0.4", lw=0.8)
    if fmt is not None:
        ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: fmt(v)))
    ax.legend(frameon=False, fontsize="small", loc="center left", bbox_to_anchor=(1.0, 0.5))
    return ax


# ------------------------------------------------------------------ rows of a chart
# A chart is drawn from rows (one per series and wave; the reports keep them in their
# Figure blocks), built here from the frames of a TrendAnalysis.

def series_from_rows(rows: Sequence[dict]) -> list[Series]:
    """Rows (``series``, ``wave``, ``value`` and optionally ``low``, ``high``, ``centre``, ``signal``) -> Series."""
    names = list(dict.fromkeys(r["series"] for r in rows))
    out = []
    for name in names:
        part = [r for r in rows if r["series"] == name]

        def col(key):
            return tuple(r.get(key) for r in part) if any(key in r for r in part) else None
        out.append(Series(name=name, waves=tuple(r["wave"] for r in part), value=col("value"), low=col("low"),
                          high=col("high"), centre=col("centre"), signal=col("signal")))
    return out


def _float(v) -> float | None:
    return None if v is None or (isinstance(v, float) and np.isnan(v)) else float(v)


def control_chart_rows(chart, by: str, groups: Sequence) -> list[dict]:
    """Rows of :func:`draw_control_chart` from ``TrendAnalysis.control_chart`` for ``groups`` (in that order)."""
    rows = []
    for g in groups:
        for r in chart[chart[by] == g].itertuples(index=False):
            rows.append({"series": str(g), "wave": r.wave, "value": _float(r.csat), "centre": _float(r.centre),
                         "low": _float(r.lcl), "high": _float(r.ucl), "signal": bool(r.signal)})
    return rows


def kpi_rows(kpis, by: str, kpi: str, groups: Sequence) -> list[dict]:
    """Rows of :func:`draw_series` from ``TrendAnalysis.kpis``: one KPI per group and wave, with its interval."""
    rows = []
    for g in groups:
        part = kpis[(kpis[by] == g) & (kpis["kpi"] == kpi)]
        for r in part.itertuples(index=False):
            if _float(r.estimate) is not None:
                rows.append({"series": str(g), "wave": r.wave, "value": float(r.estimate), "low": _float(r.ci_low),
                             "high": _float(r.ci_high)})
    return rows


def share_rows(importance, by: str, group, labels: dict | None = None) -> list[dict]:
    """Rows of :func:`draw_series` from ``TrendAnalysis.importance``: each driver's LMG share per wave, one group.

    Drivers in the order of their share in the latest wave (largest first); ``labels``
    maps driver keys to the names shown.
    """
    part = importance[importance[by] == group]
    if part.empty:
        return []
    latest = part[part["wave"] == part["wave"].iloc[-1]].sort_values("share", ascending=False, kind="stable")
    order = list(dict.fromkeys([*latest["driver"], *part["driver"]]))
    rows = []
    for d in order:
        for r in part[part["driver"] == d].itertuples(index=False):
            rows.append({"series": (labels or {}).get(d, d), "wave": r.wave, "value": float(r.share),
                         "low": _float(r.ci_low), "high": _float(r.ci_high)})
    return rows
