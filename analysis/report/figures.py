"""Charts of a report, drawn from the rows of a :class:`~analysis.report.blocks.Figure`.

Every value drawn is a value of the block's rows (which come from the analysis
result); the charts add no statistics. They are built for print and for readers with
colour-vision deficiencies: seaborn's 'colorblind' palette, and a second cue besides
colour everywhere (marker shapes per quadrant, filled vs hollow markers, value
labels). Figures are drawn on a :class:`matplotlib.figure.Figure` with the Agg
canvas, so no global pyplot state is touched, and returned as PNG bytes.
"""
from __future__ import annotations

import io

import matplotlib
import numpy as np
import seaborn as sns
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure as MplFigure

from analysis.report.blocks import Figure
from analysis.report.i18n import Texts

DPI = 150
WIDTH_IN = 6.6
_PALETTE = sns.color_palette("colorblind", 10)
# Quadrant -> (colour, marker): colour is never the only cue.
QUADRANT_STYLE = {
    "concentrate here": (_PALETTE[3], "D"),
    "keep up the good work": (_PALETTE[2], "o"),
    "low priority": (_PALETTE[7], "s"),
    "possible overkill": (_PALETTE[0], "^"),
}
_RC = {"font.family": "DejaVu Sans", "font.size": 9, "axes.spines.top": False, "axes.spines.right": False,
       "axes.titlesize": 10, "axes.labelsize": 9, "xtick.labelsize": 8.5, "ytick.labelsize": 9,
       "svg.fonttype": "none"}


def draw(block: Figure, t: Texts) -> bytes:
    """Draw a figure block as PNG bytes."""
    painters = {"importance": _importance, "priorities": _priorities, "versus_rest": _versus_rest}
    if block.kind not in painters:
        raise ValueError(f"unknown figure kind {block.kind!r}")
    with matplotlib.rc_context(_RC):
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


def _spread_labels(points: list[tuple[float, float]], min_gap: float) -> list[float]:
    """Label heights (axes fraction) nudged apart so labels of nearby points do not overlap."""
    order = sorted(range(len(points)), key=lambda i: points[i][1])
    heights = [p[1] for p in points]
    for _ in range(20):
        moved = False
        for a, b in zip(order, order[1:]):
            if abs(points[a][0] - points[b][0]) < 0.28 and heights[b] - heights[a] < min_gap:
                shift = (min_gap - (heights[b] - heights[a])) / 2
                heights[a] -= shift
                heights[b] += shift
                moved = True
        order.sort(key=lambda i: heights[i])
        if not moved:
            break
    return heights


def _priorities(block: Figure, t: Texts) -> MplFigure:
    rows = [r for r in block.rows if r["quadrant"] in QUADRANT_STYLE]
    labels = block.labels
    fig = MplFigure(figsize=(WIDTH_IN, 3.25))
    ax = fig.add_subplot()
    ch_x, ch_y = labels["crosshair_performance"], labels["crosshair_importance"]
    xs = [v for r in rows for v in (r["performance_low"], r["performance_high"], r["performance"]) if v is not None]
    ys = [v for r in rows for v in (r["importance_high"], r["importance"]) if v is not None]
    x0 = max(0.0, min([*xs, ch_x]) - 6)
    x1 = min(100.0, max([*xs, ch_x]) + 6)
    # Bands above the highest interval and below zero keep the quadrant names clear of the data.
    y1 = max([*ys, ch_y]) * 1.2
    y0 = -0.09 * y1
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    colour = QUADRANT_STYLE["concentrate here"][0]
    ax.fill_between([x0, ch_x], ch_y, y1, color=colour, alpha=0.07, lw=0)
    ax.axhline(0, color="0.75", lw=0.6)
    ax.axvline(ch_x, color="0.45", lw=0.9, ls="--")
    ax.axhline(ch_y, color="0.45", lw=0.9, ls="--")
    for quadrant, (col, marker) in QUADRANT_STYLE.items():
        part = [r for r in rows if r["quadrant"] == quadrant]
        if not part:
            ax.scatter([], [], color=col, marker=marker, label=labels[quadrant])
            continue
        x = np.array([r["performance"] for r in part], dtype=float)
        y = np.array([r["importance"] for r in part], dtype=float)
        yerr = np.vstack([y - np.array([r["importance_low"] for r in part], dtype=float),
                          np.array([r["importance_high"] for r in part], dtype=float) - y]).clip(min=0)
        xerr = np.vstack([x - np.array([r["performance_low"] for r in part], dtype=float),
                          np.array([r["performance_high"] for r in part], dtype=float) - x]).clip(min=0)
        ax.errorbar(x, y, yerr=yerr, xerr=xerr, fmt="none", ecolor=col, elinewidth=0.9, alpha=0.6, capsize=0)
        ax.scatter(x, y, color=col, marker=marker, s=46, edgecolor="black", linewidth=0.5, zorder=3,
                   label=labels[quadrant])
    to_axes = ax.transAxes.inverted().transform
    points = [tuple(to_axes(ax.transData.transform((r["performance"], r["importance"])))) for r in rows]
    heights = _spread_labels(points, 0.07)
    for r, (px, py), h in zip(rows, points, heights):
        # Label to the right of the point, unless the edge or a close neighbour on the right is in the way.
        crowded = any(0 < qx - px < 0.12 and abs(qy - py) < 0.08 for qx, qy in points)
        right = px < 0.8 and not (crowded and px > 0.25)
        ax.annotate(r["driver_label"], (r["performance"], r["importance"]),
                    xytext=(px + (0.018 if right else -0.018), h + 0.012), textcoords="axes fraction",
                    ha="left" if right else "right", va="bottom", fontsize=8.5,
                    arrowprops={"arrowstyle": "-", "color": "0.6", "lw": 0.5} if abs(h - py) > 0.02 else None)
    corners = {"concentrate here": (0.01, 0.99, "left", "top"), "keep up the good work": (0.99, 0.99, "right", "top"),
               "low priority": (0.01, 0.01, "left", "bottom"), "possible overkill": (0.99, 0.01, "right", "bottom")}
    for quadrant, (x, y, ha, va) in corners.items():
        ax.text(x, y, labels[quadrant], transform=ax.transAxes, ha=ha, va=va, fontsize=8.5, fontweight="bold",
                color=QUADRANT_STYLE[quadrant][0])
    ax.set_xlabel(labels.get("x", ""))
    ax.set_ylabel(labels.get("y", ""))
    ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: t.pct(v) if v >= 0 else ""))
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=4, frameon=False, fontsize=8.5,
              handletextpad=0.3, columnspacing=1.2)
    return fig


def _versus_rest(block: Figure, t: Texts) -> MplFigure:
    rows = list(block.rows)[::-1]
    fig = MplFigure(figsize=(WIDTH_IN, 0.38 * len(rows) + 1.1))
    ax = fig.add_subplot()
    y = np.arange(len(rows))
    for yi, r in zip(y, rows):
        clear = r["excludes_zero"]
        ax.errorbar([r["difference"]], [yi], xerr=[[r["difference"] - r["difference_low"]],
                                                   [r["difference_high"] - r["difference"]]],
                    fmt="o", ms=6, color=_PALETTE[0] if clear else "0.45", mfc=_PALETTE[0] if clear else "white",
                    mec=_PALETTE[0] if clear else "0.35", elinewidth=1.1, capsize=2.5)
    ax.axvline(0, color="0.3", lw=0.9)
    ax.set_yticks(y, [r["driver_label"] for r in rows])
    ax.set_xlabel(block.labels.get("x", ""))
    ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: t.signed(v, 0)))
    ax.grid(axis="x", color="0.9", lw=0.6)
    ax.set_axisbelow(True)
    return fig
