"""The executive summary's headline: which drivers to act on, and what to do with the others.

One rule decides both the order and the words (stated once, in Appendix A, text
``method.quadrants``): the quadrants of Martilla & James (1977) as computed by
:mod:`analysis.drivers.priorities`, 'concentrate here' (important, scoring below the
cross-hair) first, then importance x (100 - performance). The headline

* names the drivers in 'concentrate here' as the ones to act on, in priority order;
* when there are none, says so and shows the driver the rule ranks first ('comes
  nearest') with its intervals;
* then, in other words, what to maintain ('keep up the good work'), what matters less
  ('low priority') and what may be over-served ('possible overkill').

Figures are compared as they are shown: whole numbers, or one or two decimals when whole
numbers would look equal while the figures differ (62.6 against 63.4 is 'lower than',
never 'as high as (63 against 63)'); figures equal to two decimals are 'as high as'. Pure: no statistics,
no I/O.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import pandas as pd

from analysis.drivers.plot import importance_shown
from analysis.drivers.priorities import CONCENTRATE, KEEP_UP, LOW_PRIORITY, OVERKILL
from analysis.report.blocks import TopDriver
from analysis.report.i18n import Texts
from analysis.report.pooling import own_figure

QUADRANT_CSS = {CONCENTRATE: "q-concentrate", KEEP_UP: "q-keep", LOW_PRIORITY: "q-low", OVERKILL: "q-overkill"}
# What the headline says of the drivers outside 'concentrate here', in this order.
OTHERS = ((KEEP_UP, "maintain"), (LOW_PRIORITY, "less"), (OVERKILL, "overserved"))


@dataclass(frozen=True)
class Headline:
    intro: str
    top: tuple[TopDriver, ...]
    others: tuple[str, ...]
    certainty: tuple[str, ...]


def _shown_pair(fmt: Callable[..., str], shown_value: float, value: float, centre: float) -> tuple[str, str, str]:
    """The figure and its cross-hair as shown, and 'above', 'equal' or 'below' as judged on them.

    ``shown_value`` is the figure as the tables show it, ``value`` the one the quadrants
    were computed on (the same up to rounding error: LMG share and importance share).

    Whole numbers first. When they look equal but the figures differ, one (then two)
    decimals are shown, so that the words always agree with the figures beside them and
    with the quadrant the summary names: a driver just below the cross-hair is 'below
    average' there, and its card says 'lower than (62.6 against 63.4)', never 'as high
    as (63 against 63)'. Only figures equal to two decimals are called 'as high as'.
    """
    for digits in (0, 1, 2):
        shown, mid = fmt(shown_value, digits), fmt(centre, digits)
        if shown != mid:
            break
    if shown == mid:
        return fmt(shown_value), fmt(centre), "equal"
    return shown, mid, "above" if value > centre else "below"


def card(r, g, settings, label: str, t: Texts, nearest: bool = False) -> TopDriver:
    """One driver of the headline: why it is there (in words fitting its figures) and its figures."""
    level = t("crosshair." + settings.crosshair)
    imp, imp_low, imp_high = importance_shown(r, settings.importance)
    # The cross-hair of importance is computed on importance_share; the one shown is that.
    imp_text, imp_mid, imp_side = _shown_pair(t.pct, imp, r.importance_share, g.crosshair_importance)
    perf_text, perf_mid, perf_side = _shown_pair(t.num, r.performance, r.performance, g.crosshair_performance)
    shown = {"imp": imp_text, "imp_mid": imp_mid, "perf": perf_text, "mid": perf_mid}
    css = QUADRANT_CSS[r.quadrant]
    why = " ".join((t("why.importance." + imp_side, level=level, **shown),
                    t("why.performance." + perf_side, level=level, **shown),
                    t(("why.nearest." if nearest else "why.") + css)))
    has_ci = not pd.isna(r.priority_ci_low)
    figures = t("summary.figures", imp=t.pct(imp), imp_ci=t.pct_interval(imp_low, imp_high), perf=t.num(r.performance),
                perf_ci=t.interval(r.performance_ci_low, r.performance_ci_high), prio=int(r.priority),
                prio_ci=t.rank_interval(r.priority_ci_low, r.priority_ci_high) if has_ci else t("no_interval"))
    figures += own_figure(r, g, settings, t)
    return TopDriver(driver=r.driver, label=label, quadrant=r.quadrant, quadrant_label=t("quadrant." + r.quadrant),
                     importance=imp, importance_low=imp_low, importance_high=imp_high,
                     performance=r.performance, priority=int(r.priority),
                     priority_low=None if not has_ci else int(r.priority_ci_low),
                     priority_high=None if not has_ci else int(r.priority_ci_high), why=why, figures=figures)


def headline(rows: pd.DataFrame, g, settings, label: Callable[[str], str], t: Texts) -> Headline:
    """The headline of one group from its drivers' rows (``DriverAnalysis.group(group)``).

    Parameters
    ----------
    rows : DataFrame
        One row per driver with ``driver``, ``quadrant``, ``priority`` and their
        intervals, ``performance``, ``importance_share`` and (for LMG) ``lmg_pct``.
    g : row of ``DriverAnalysis.groups``
        Its cross-hairs, ``unstable_ranks`` and ``n_used``.
    settings : the analysis' settings (``importance``, ``crosshair``, ``n_resamples``).
    label : callable
        Driver key -> label in this language.
    t : Texts

    Returns
    -------
    Headline
    """
    rows = rows.dropna(subset=["priority"]).sort_values("priority")
    act = rows[rows.quadrant == CONCENTRATE]
    if len(act):
        top = tuple(card(r, g, settings, label(r.driver), t) for r in act.itertuples())
        intro = t("summary.act_one" if len(act) == 1 else "summary.act_many", n=t.number_word(len(act)))
        rest = rows[rows.quadrant != CONCENTRATE]
    else:
        first = rows.iloc[0]
        top = (card(first, g, settings, label(first.driver), t, nearest=True),)
        intro = t("summary.none", level=t("crosshair." + settings.crosshair))
        rest = rows.iloc[1:]
    others = tuple(t("summary." + key, names=", ".join(label(d) for d in rest.driver[rest.quadrant == quadrant]))
                   for quadrant, key in OTHERS if (rest.quadrant == quadrant).any())
    return Headline(intro=intro, top=top, others=others, certainty=tuple(certainty(rows, len(top), g, settings,
                                                                                   label, t)))


def certainty(rows: pd.DataFrame, k: int, g, settings, label: Callable[[str], str], t: Texts) -> list[str]:
    """Plain statements of how certain the first ``k`` places are (from the priority intervals)."""
    notes = []
    if bool(g.unstable_ranks):
        notes.append(t("certainty.small_n", n=t.count(g.n_used)))
    if rows.priority_ci_low.isna().all():
        notes.append(t("certainty.no_intervals"))
        return notes
    top, rest = rows.head(k), rows.iloc[k:]
    contenders = rest[rest.priority_ci_low <= k]
    # 'the first place ... reach it' or 'the first 3 places ... reach them'
    number = "one" if k == 1 else "many"
    places, them = t(f"certainty.places.{number}", top=k), t(f"certainty.places.{number}_pronoun")
    if len(contenders):
        names = ", ".join(f"{label(r.driver)} ({t('priority')} {int(r.priority)}, "
                          f"{t.rank_interval(r.priority_ci_low, r.priority_ci_high)})"
                          for r in contenders.itertuples())
        notes.append(t("certainty.contenders" if len(contenders) > 1 else "certainty.contender", names=names,
                       top=k, places=places, them=them))
    else:
        notes.append(t("certainty.clear_top", places=places, them=them))
    if k > 1 and (top.priority_ci_low != top.priority_ci_high).any():
        spans = ", ".join(f"{label(r.driver)} {t.rank_interval(r.priority_ci_low, r.priority_ci_high)}"
                          for r in top.itertuples())
        notes.append(t("certainty.order", spans=spans))
    if settings.n_resamples < 1000:
        notes.append(t("certainty.few_resamples", n=settings.n_resamples))
    return notes
