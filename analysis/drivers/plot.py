"""The priority matrix (importance-performance grid) of one group, for the Python API and the reports.

One drawing function, :func:`draw_priorities`, serves both
:meth:`analysis.drivers.result.DriverAnalysis.plot_priorities` and the reports'
figure (:mod:`analysis.report.figures`), so a notebook shows what the report shows:
performance on the x axis and importance on the y axis, as in Martilla & James (1977),
'concentrate here' shaded top left; quadrant colours from seaborn's colour-blind-safe
palette with a marker shape per quadrant (colour is never the only cue); horizontal and
vertical bars are the intervals; each driver labelled by its questionnaire label where
its text overlaps the other labels, markers and quadrant names least; axes fitted to
the data. Nothing here computes a statistic: the points come from the analysis.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

# seaborn's "colorblind" palette (its SEABORN_PALETTES["colorblind"]), as the RGB fractions
# seaborn.color_palette gives; written out so that importing the analysis (and so every
# command line run) does not import seaborn and matplotlib, which only drawing needs.
_COLORBLIND = ("#0173B2", "#DE8F05", "#029E73", "#D55E00", "#CC78BC", "#CA9161", "#FBAFE4", "#949494", "#ECE133",
               "#56B4E9")
_PALETTE = [tuple(int(h[i:i + 2], 16) / 255 for i in (1, 3, 5)) for h in _COLORBLIND]
CONCENTRATE, KEEP_UP, LOW_PRIORITY, OVERKILL = ("concentrate here", "keep up the good work", "low priority",
                                                "possible overkill")
# Quadrant -> (colour, marker): colour is never the only cue.
QUADRANT_STYLE = {
    CONCENTRATE: (_PALETTE[3], "D"),
    KEEP_UP: (_PALETTE[2], "o"),
    LOW_PRIORITY: (_PALETTE[7], "s"),
    OVERKILL: (_PALETTE[0], "^"),
}
# Type sizes and spines of the figure (the reports' print layout); applied with matplotlib.rc_context.
RC = {"font.family": "DejaVu Sans", "font.size": 9, "axes.spines.top": False, "axes.spines.right": False,
      "axes.titlesize": 10, "axes.labelsize": 9, "xtick.labelsize": 8.5, "ytick.labelsize": 9,
      "svg.fonttype": "none"}
FIGSIZE = (6.6, 3.25)      # inches: the reports' text width
LABEL_SIZE = 8.5
# The texts of the figure in each language; the reports' texts (analysis/report/texts/) are the
# same words (tests/test_priority_plot.py compares them).
TEXTS = {
    "en": {"title": "Priority matrix: {group}", "x": "Performance (mean score, 0–100)",
           "y": {"lmg": "Importance (% of R²)", "weights": "Importance (relative weight, % of R²)",
                 "beta": "Importance (|beta|, % of total)", "sem": "Importance (|SEM path|, % of total)"},
           CONCENTRATE: "concentrate here", KEEP_UP: "keep up the good work", LOW_PRIORITY: "low priority",
           OVERKILL: "possible overkill"},
    "nl": {"title": "Prioriteitenmatrix: {group}", "x": "Prestatie (gemiddelde score, 0–100)",
           "y": {"lmg": "Belang (% van R²)", "weights": "Belang (relatief gewicht, % van R²)",
                 "beta": "Belang (|bèta|, % van totaal)", "sem": "Belang (|SEM-pad|, % van totaal)"},
           CONCENTRATE: "hier verbeteren", KEEP_UP: "zo doorgaan", LOW_PRIORITY: "lage prioriteit",
           OVERKILL: "mogelijk overinvestering"},
}

# Candidate label positions around a point: offset in points and alignment, nearest first.
_LABEL_SPOTS = [(6, 0, "left", "center"), (-6, 0, "right", "center"), (5, 5, "left", "bottom"),
                (5, -5, "left", "top"), (-5, 5, "right", "bottom"), (-5, -5, "right", "top"),
                (0, 8, "center", "bottom"), (0, -8, "center", "top"), (14, 12, "left", "bottom"),
                (14, -14, "left", "top"), (-14, 12, "right", "bottom"), (-14, -14, "right", "top"),
                (0, 20, "center", "bottom"), (0, -22, "center", "top"), (26, 0, "left", "center"),
                (-26, 0, "right", "center"), (20, 26, "left", "bottom"), (-20, 26, "right", "bottom"),
                (20, -28, "left", "top"), (-20, -28, "right", "top"), (0, 34, "center", "bottom"),
                (0, -36, "center", "top"), (30, 40, "left", "bottom"), (-30, 40, "right", "bottom"),
                (30, -42, "left", "top"), (-30, -42, "right", "top"), (0, 48, "center", "bottom"),
                (0, -50, "center", "top")]


def _overlap(a, b) -> float:
    w = min(a.x1, b.x1) - max(a.x0, b.x0)
    h = min(a.y1, b.y1) - max(a.y0, b.y0)
    return w * h if w > 0 and h > 0 else 0.0


def _place_labels(ax, rows: list[dict], obstacles: list) -> list:
    """Label each point where its text overlaps other labels, markers and the axes edge least.

    Greedy, most important driver first: each label tries the spots of ``_LABEL_SPOTS``
    (measured with the renderer) and keeps the one with the least overlap, preferring
    near spots; a label placed away from its point gets a thin leader line. Returns the
    annotations.
    """
    from matplotlib.transforms import Bbox

    renderer = ax.figure.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    xy = [(r["performance"], r["importance"]) for r in rows]
    display = [ax.transData.transform(p) for p in xy]
    markers = [Bbox.from_bounds(x - 5, y - 5, 10, 10) for x, y in display]
    placed = list(obstacles)
    labels = []
    for i in sorted(range(len(rows)), key=lambda k: -rows[k]["importance"]):
        best = None
        for rank, (dx, dy, ha, va) in enumerate(_LABEL_SPOTS):
            text = ax.annotate(rows[i]["driver_label"], xy[i], xytext=(dx, dy), textcoords="offset points",
                               ha=ha, va=va, fontsize=LABEL_SIZE)
            box = text.get_window_extent(renderer)
            text.remove()
            if abs(dx) > 10 or abs(dy) > 10:
                # a far label gets a leader line from its point: the line must not cross other labels
                px, py = display[i]
                box = Bbox.union([box, Bbox.from_bounds(px - 1, py - 1, 2, 2)])
            outside = box.width * box.height - _overlap(box, frame)
            # Overlapping another label makes both unreadable: it costs far more than distance.
            cost = (30 * sum(_overlap(box, other) for other in placed) + 3 * outside + rank * 4
                    + sum(_overlap(box, m) for j, m in enumerate(markers) if j != i))
            if best is None or cost < best[0]:
                best = (cost, dx, dy, ha, va, box)
        _, dx, dy, ha, va, box = best
        far = abs(dx) > 10 or abs(dy) > 10
        labels.append(ax.annotate(
            rows[i]["driver_label"], xy[i], xytext=(dx, dy), textcoords="offset points", ha=ha, va=va,
            fontsize=LABEL_SIZE, arrowprops={"arrowstyle": "-", "color": "0.55", "lw": 0.5} if far else None,
            bbox={"boxstyle": "square,pad=0.05", "fc": "white", "ec": "none", "alpha": 0.75}, zorder=4))
        placed.append(box)
    return labels


def draw_priorities(ax, rows: list[dict], *, crosshair_importance: float, crosshair_performance: float,
                    texts: dict, y_label: str, pct: Callable[[float], str] | None = None):
    """Draw one group's priority matrix on ``ax``; returns ``ax``.

    Parameters
    ----------
    ax : matplotlib Axes
        Its figure needs a canvas that can measure text (Agg, or the notebook's).
    rows : list of dict
        One per driver: ``driver_label``, ``quadrant``, ``performance`` with
        ``performance_low``/``_high``, ``importance`` with ``importance_low``/``_high``
        (intervals may be None or NaN). Drivers without a quadrant are not drawn.
    crosshair_importance, crosshair_performance : float
        Where the quadrants meet.
    texts : dict
        ``x`` (axis label) and the name of each quadrant (keys of :data:`QUADRANT_STYLE`).
    y_label : str
    pct : callable, optional
        Formats a y tick as a percentage (default ``'12%'``).
    """
    pct = pct or (lambda v: f"{v:.0f}%")
    rows = [r for r in rows if r["quadrant"] in QUADRANT_STYLE]
    ch_x, ch_y = crosshair_performance, crosshair_importance
    xs = [v for r in rows for v in (r["performance_low"], r["performance_high"], r["performance"]) if _finite(v)]
    ys = [v for r in rows for v in (r["importance_high"], r["importance"]) if _finite(v)]
    x0 = max(0.0, min([*xs, ch_x]) - 6)
    x1 = min(100.0, max([*xs, ch_x]) + 6)
    # Bands above the highest interval and below zero keep the quadrant names clear of the data.
    y1 = max([*ys, ch_y]) * 1.2
    y0 = -0.09 * y1
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.fill_between([x0, ch_x], ch_y, y1, color=QUADRANT_STYLE[CONCENTRATE][0], alpha=0.07, lw=0)
    ax.axhline(0, color="0.75", lw=0.6)
    ax.axvline(ch_x, color="0.45", lw=0.9, ls="--")
    ax.axhline(ch_y, color="0.45", lw=0.9, ls="--")
    for quadrant, (col, marker) in QUADRANT_STYLE.items():
        part = [r for r in rows if r["quadrant"] == quadrant]
        if not part:
            ax.scatter([], [], color=col, marker=marker, label=texts[quadrant])
            continue
        x, y = _column(part, "performance"), _column(part, "importance")
        yerr = np.vstack([y - _column(part, "importance_low"), _column(part, "importance_high") - y])
        xerr = np.vstack([x - _column(part, "performance_low"), _column(part, "performance_high") - x])
        ax.errorbar(x, y, yerr=np.nan_to_num(yerr).clip(min=0), xerr=np.nan_to_num(xerr).clip(min=0), fmt="none",
                    ecolor=col, elinewidth=0.9, alpha=0.6, capsize=0)
        ax.scatter(x, y, color=col, marker=marker, s=46, edgecolor="black", linewidth=0.5, zorder=3,
                   label=texts[quadrant])
    corners = {CONCENTRATE: (0.01, 0.99, "left", "top"), KEEP_UP: (0.99, 0.99, "right", "top"),
               LOW_PRIORITY: (0.01, 0.01, "left", "bottom"), OVERKILL: (0.99, 0.01, "right", "bottom")}
    names = [ax.text(x, y, texts[quadrant], transform=ax.transAxes, ha=ha, va=va, fontsize=LABEL_SIZE,
                     fontweight="bold", color=QUADRANT_STYLE[quadrant][0])
             for quadrant, (x, y, ha, va) in corners.items()]
    renderer = ax.figure.canvas.get_renderer()
    _place_labels(ax, rows, [name.get_window_extent(renderer) for name in names])
    ax.set_xlabel(texts["x"])
    ax.set_ylabel(y_label)
    from matplotlib.ticker import FuncFormatter

    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: pct(v) if v >= 0 else ""))
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=4, frameon=False, fontsize=LABEL_SIZE,
              handletextpad=0.3, columnspacing=1.2)
    return ax


def _finite(v) -> bool:
    return v is not None and np.isfinite(float(v))


def _column(rows: list[dict], key: str) -> np.ndarray:
    return np.array([np.nan if r[key] is None else r[key] for r in rows], dtype=float)


def importance_shown(r, measure: str) -> tuple[float, float, float]:
    """The importance of a driver as the figures show it: (value, low, high).

    ``r`` is a row of :attr:`~analysis.drivers.result.DriverAnalysis.importance`. With
    LMG (the default) this is the LMG share of R² and its bootstrap interval,
    ``lmg_pct`` and ``lmg_pct_ci`` of ``drivers analyse --json``; the priorities' own
    ``importance_share`` equals it up to rounding error. Other measures show
    ``importance_share`` and its interval.
    """
    if measure == "lmg":
        return r.lmg_pct, r.ci_low, r.ci_high
    return r.importance_share, r.importance_share_ci_low, r.importance_share_ci_high


def plot_rows(rows: list[dict], *, group, crosshair_importance: float, crosshair_performance: float,
              measure: str = "lmg", lang: str = "en", ax=None):
    """Draw the priority matrix of ``rows`` (see :func:`draw_priorities`) with the texts of ``lang``.

    On a new pyplot figure of the reports' size when ``ax`` is None; titled
    'Priority matrix: GROUP'. Returns the Axes.
    """
    import matplotlib
    import matplotlib.pyplot as plt

    texts = TEXTS[lang]
    with matplotlib.rc_context(RC):
        if ax is None:
            _, ax = plt.subplots(figsize=FIGSIZE, layout="constrained")
        draw_priorities(ax, rows, crosshair_importance=crosshair_importance,
                        crosshair_performance=crosshair_performance, texts=texts, y_label=texts["y"][measure])
        ax.set_title(texts["title"].format(group=group), loc="left")
    return ax
