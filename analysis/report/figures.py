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


# Candidate label positions around a point: offset in points and alignment, nearest first.
_LABEL_SPOTS = [(6, 0, "left", "center"), (-6, 0, "right", "center"), (5, 5, "left", "bottom"),
                (5, -5, "left", "top"), (-5, 5, "right", "bottom"), (-5, -5, "right", "top"),
                (0, 8, "center", "bottom"), (0, -8, "center", "top"), (14, 12, "left", "bottom"),
                (14, -14, "left", "top"), (-14, 12, "right", "bottom"), (-14, -14, "right", "top"),
                (0, 20, "center", "bottom"), (0, -22, "center", "top"), (26, 0, "left", "center"),
                (-26, 0, "right", "center")]


def _overlap(a, b) -> float:
    w = min(a.x1, b.x1) - max(a.x0, b.x0)
    h = min(a.y1, b.y1) - max(a.y0, b.y0)
    return w * h if w > 0 and h > 0 else 0.0


def _place_labels(ax, rows: list[dict], obstacles: list) -> None:
    """Label each point where its text overlaps other labels, markers and the axes edge least.

    Greedy, most important driver first: each label tries the spots of ``_LABEL_SPOTS``
    (measured with the renderer) and keeps the one with the least overlap; a label
    placed away from its point gets a thin leader line.
    """
    from matplotlib.transforms import Bbox

    renderer = ax.figure.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    xy = [(r["performance"], r["importance"]) for r in rows]
    display = [ax.transData.transform(p) for p in xy]
    markers = [Bbox.from_bounds(x - 5, y - 5, 10, 10) for x, y in display]
    placed = list(obstacles)
    for i in sorted(range(len(rows)), key=lambda k: -rows[k]["importance"]):
        best = None
        for rank, (dx, dy, ha, va) in enumerate(_LABEL_SPOTS):
            text = ax.annotate(rows[i]["driver_label"], xy[i], xytext=(dx, dy), textcoords="offset points",
                               ha=ha, va=va, fontsize=8.5)
            box = text.get_window_extent(renderer)
            text.remove()
            outside = box.width * box.height - _overlap(box, frame)
            cost = (sum(_overlap(box, other) for other in placed) + 3 * outside + rank * 4
                    + sum(_overlap(box, m) for j, m in enumerate(markers) if j != i))
            if best is None or cost < best[0]:
                best = (cost, dx, dy, ha, va, box)
        _, dx, dy, ha, va, box = best
        far = abs(dx) > 10 or abs(dy) > 10
        ax.annotate(rows[i]["driver_label"], xy[i], xytext=(dx, dy), textcoords="offset points", ha=ha, va=va,
                    fontsize=8.5, arrowprops={"arrowstyle": "-", "color": "0.55", "lw": 0.5} if far else None,
                    bbox={"boxstyle": "square,pad=0.05", "fc": "white", "ec": "none", "alpha": 0.75}, zorder=4)
        placed.append(box)


def _priorities(block: Figure, t: Texts) -> MplFigure:
    rows = [r for r in block.rows if r["quadrant"] in QUADRANT_STYLE]
    labels = block.labels
    fig = MplFigure(figsize=(WIDTH_IN, 3.25))
    FigureCanvasAgg(fig)            # the labels are placed by measuring their text
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
    names = []
    corners = {"concentrate here": (0.01, 0.99, "left", "top"), "keep up the good work": (0.99, 0.99, "right", "top"),
               "low priority": (0.01, 0.01, "left", "bottom"), "possible overkill": (0.99, 0.01, "right", "bottom")}
    for quadrant, (x, y, ha, va) in corners.items():
        names.append(ax.text(x, y, labels[quadrant], transform=ax.transAxes, ha=ha, va=va, fontsize=8.5,
                             fontweight="bold", color=QUADRANT_STYLE[quadrant][0]))
    renderer = fig.canvas.get_renderer()
    _place_labels(ax, rows, [name.get_window_extent(renderer) for name in names])
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
