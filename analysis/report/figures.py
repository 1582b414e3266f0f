"""Charts of a report, drawn from the rows of a :class:`~analysis.report.blocks.Figure`.

Every value drawn is a value of the block's rows (which come from the analysis
result); the charts add no statistics. They are built for print and for readers with
colour-vision deficiencies: seaborn's 'colorblind' palette, and a second cue besides
colour everywhere (marker shapes per quadrant, filled vs hollow markers, value
labels). The priority matrix is drawn by :func:`analysis.drivers.plot.draw_priorities`,
which also draws ``DriverAnalysis.plot_priorities()`` in the Python API, and the trend
charts by :mod:`analysis.trends.plot`, which also draws ``TrendAnalysis.plot()``. Figures are drawn on a :class:`matplotlib.figure.Figure` with the Agg
canvas, so no global pyplot state is touched, and returned as PNG bytes.
"""
from __future__ import annotations

import io

import matplotlib
import numpy as np
import seaborn as sns
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure as MplFigure

from analysis.drivers.plot import QUADRANT_STYLE, RC, draw_priorities
from analysis.report.blocks import Figure
from analysis.report.i18n import Texts
from analysis.trends.plot import draw_control_chart, draw_series, series_from_rows

DPI = 150
WIDTH_IN = 6.6
_PALETTE = sns.color_palette("colorblind", 10)


def draw(block: Figure, t: Texts) -> bytes:
    """Draw a figure block as PNG bytes."""
    painters = {"importance": _importance, "priorities": _priorities, "versus_rest": _versus_rest,
                "trend_kpis": _trend_kpis, "trend_shares": _trend_shares}
    if block.kind not in painters:
        raise ValueError(f"unknown figure kind {block.kind!r}")
    with matplotlib.rc_context(RC):
        fig = painters[block.kind](block, t)
        buffer = io.BytesIO()
        FigureCanvasAgg(fig)
        fig.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight", pad_inches=0.05,
                    metadata={"Software": None})
    return buffer.getvalue()


def _importance(block: Figure, t: Texts) -> MplFigure:
    rows = sorted(block.rows, key=lambda r: r["lmg_pct"])
    fig = MplFigure(figsize=(WIDTH_IN, 0.28 * len(rows) + 0.75))
    ax = fig.add_subplot()
    y = np.arange(len(rows))
    value = np.array([r["lmg_pct"] for r in rows], dtype=float)
    lo = np.array([r["lmg_pct_low"] for r in rows], dtype=float)
    hi = np.array([r["lmg_pct_high"] for r in rows], dtype=float)
    ax.barh(y, value, color=_PALETTE[0], alpha=0.85, height=0.6)
    ax.errorbar(value, y, xerr=np.vstack([value - lo, hi - value]).clip(min=0), fmt="none", ecolor="0.15",
                elinewidth=1, capsize=3)
    right = float(np.nanmax(hi)) if len(rows) else 1.0
    for yi, r, h in zip(y, rows, hi):
        ax.text(h + right * 0.015, yi, f"{t.pct(r['lmg_pct'])} ({t.pct_interval(r['lmg_pct_low'], r['lmg_pct_high'])})",
                va="center", fontsize=8.5, color="0.15")
    ax.set_yticks(y, [r["driver_label"] for r in rows])
    ax.set_xlim(0, right * 1.35)
    ax.set_xlabel(block.labels.get("x", ""))
    ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: t.pct(v)))
    ax.grid(axis="x", color="0.9", lw=0.6)
    ax.set_axisbelow(True)
    return fig


def _priorities(block: Figure, t: Texts) -> MplFigure:
    """The priority matrix: drawn by the function behind ``DriverAnalysis.plot_priorities``."""
    labels = block.labels
    fig = MplFigure(figsize=(WIDTH_IN, 3.25))
    FigureCanvasAgg(fig)            # the labels are placed by measuring their text
    ax = fig.add_subplot()
    draw_priorities(ax, list(block.rows), crosshair_importance=labels["crosshair_importance"],
                    crosshair_performance=labels["crosshair_performance"],
                    texts={"x": labels.get("x", ""), **{q: labels[q] for q in QUADRANT_STYLE}},
                    y_label=labels.get("y", ""), pct=t.pct)
    return fig


def _versus_rest(block: Figure, t: Texts) -> MplFigure:
    rows = list(block.rows)[::-1]
    fig = MplFigure(figsize=(WIDTH_IN, 0.38 * len(rows) + 1.1))
    ax = fig.add_subplot()
    y = np.arange(len(rows))
    for yi, r in zip(y, rows):
        clear = r["excludes_zero"]
        # A percentile interval need not contain its estimate (few resamples): whiskers end at the estimate then.
        xerr = np.array([[r["difference"] - r["difference_low"]], [r["difference_high"] - r["difference"]]],
                        dtype=float).clip(min=0)
        ax.errorbar([r["difference"]], [yi], xerr=xerr,
                    fmt="o", ms=6, color=_PALETTE[0] if clear else "0.45", mfc=_PALETTE[0] if clear else "white",
                    mec=_PALETTE[0] if clear else "0.35", elinewidth=1.1, capsize=2.5)
    ax.axvline(0, color="0.3", lw=0.9)
    ax.set_yticks(y, [r["driver_label"] for r in rows])
    ax.set_xlabel(block.labels.get("x", ""))
    ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: t.signed(v, 0)))
    ax.grid(axis="x", color="0.9", lw=0.6)
    ax.set_axisbelow(True)
    return fig


def _trend_kpis(block: Figure, t: Texts) -> MplFigure:
    """CSAT per wave with the control chart's centre line and band (left), NPS per wave with intervals (right)."""
    labels = block.labels
    fig = MplFigure(figsize=(WIDTH_IN, 3.0))
    left, right = fig.subplots(1, 2)
    texts = {k: labels[k] for k in ("x", "band", "centre", "signal")}
    draw_control_chart(left, series_from_rows([r for r in block.rows if r["panel"] == "csat"]), labels["waves"],
                       texts={**texts, "csat": labels["csat"]}, fmt=t.pct)
    draw_series(right, series_from_rows([r for r in block.rows if r["panel"] == "nps"]), labels["waves"],
                y=labels["nps"], texts=texts, fmt=lambda v: t.signed(v, 0), zero_line=True)
    # one legend below both panels: the groups, the band, the centre line and the signal ring
    handles, names = left.get_legend_handles_labels()
    for ax in (left, right):
        ax.get_legend().remove()
    fig.legend(handles, names, loc="lower center", ncol=min(len(names), 4), frameon=False, fontsize=7.5,
               bbox_to_anchor=(0.5, -0.02))
    fig.subplots_adjust(wspace=0.35, bottom=0.34 if len(names) > 4 else 0.27)
    return fig


def _trend_shares(block: Figure, t: Texts) -> MplFigure:
    """One group's LMG shares per wave with their bootstrap intervals, one line per driver."""
    fig = MplFigure(figsize=(WIDTH_IN, 3.0))
    ax = fig.add_subplot()
    draw_series(ax, series_from_rows(list(block.rows)), block.labels["waves"], y=block.labels["y"],
                texts={"x": block.labels["x"]}, fmt=t.pct)
    ax.legend(frameon=False, fontsize=7.5, loc="center left", bbox_to_anchor=(1.0, 0.5))
    return fig
