"""The report section 'Since the last wave' (:mod:`analysis.trends`): pure, no I/O.

Shown when the study has more than one wave (``build_reports(wave=...)``). For one group
(or, in the study report, every group shown): CSAT and NPS in the previous and the
latest wave, the change with its interval and test, and whether the CSAT control chart
signals a structural change (:func:`analysis.trends.changes.p_chart`) rather than noise.
Two figures follow (drawn by :mod:`analysis.trends.plot`, as ``TrendAnalysis.plot()`` draws
them): CSAT per wave with the control chart's centre line and band beside NPS per wave
with its interval (every group shown in the study report), and, in a group's report, the
drivers' LMG shares per wave with their intervals.
Withheld groups are not in ``results.analysis`` and are left out here too.
"""
from __future__ import annotations

from analysis.common.groups import ALL
from analysis.report.blocks import Column, Figure, Paragraph, Section, Table
from analysis.report.i18n import Texts
from analysis.report.scope import StudyResults, driver_label, group_label
from analysis.trends.plot import control_chart_rows, kpi_rows, share_rows

MEASURES = {"CSAT %": "csat", "NPS": "nps"}


def trends_section(results: StudyResults, group: str, shown: list[str], t: Texts) -> Section | None:
    """The 'since last wave' section of one report (None without a trend analysis of two or more waves)."""
    res = results.trends
    if res is None or len(res.settings.waves) < 2:
        return None
    by = res.settings.by
    groups = list(shown) if group == ALL else [group]
    previous, latest = res.settings.waves[-2], res.settings.waves[-1]
    kpis = res.kpis.set_index([by, "wave", "kpi"])["estimate"]
    chart = res.control_chart.set_index([by, "wave"])["signal"]
    rows = []
    for g in groups:
        for r in res.changes[(res.changes[by] == g) & (res.changes.to_wave == latest)].itertuples():
            if r.measure not in MEASURES:
                continue
            signal = bool(chart.get((g, latest), False)) if r.measure == "CSAT %" else None
            rows.append({"group": g, "measure": t("trends.measure." + MEASURES[r.measure]),
                         "previous": _value(kpis.get((g, previous, r.measure))),
                         "latest": _value(kpis.get((g, latest, r.measure))),
                         "difference": r.difference, "low": r.ci_low, "high": r.ci_high, "p": r.p_value,
                         "signal": signal})
    if not rows:
        return None
    columns = ((Column("group", t("col.group")),) if group == ALL else ()) + (
        Column("measure", t("trends.col.measure")),
        Column("previous", t("trends.col.wave", wave=previous), "num1"),
        Column("latest", t("trends.col.wave", wave=latest), "num1"),
        Column("difference", t("trends.col.difference"), "signed", low="low", high="high"),
        Column("p", t("trends.col.p"), "pvalue"),
        Column("signal", t("trends.col.signal"), "bool"))
    table = Table(name="since_last_wave", title=t("trends.table", previous=previous, latest=latest),
                  columns=columns, rows=tuple(rows), note=t("trends.note"))
    return Section("trends", t("section.trends"),
                   (Paragraph(t("trends.intro", n=len(res.settings.waves))), table, *trend_figures(results, group, groups, t)),
                   page_break=False)


def _value(x) -> float | None:
    """A plain float (not numpy's, whose repr would reach the HTML's data-value attributes), or None."""
    return None if x is None or x != x else float(x)


def trend_figures(results: StudyResults, group: str, groups: list, t: Texts) -> tuple[Figure, ...]:
    """The CSAT control chart beside NPS per wave (``groups``), and in a group's report its LMG shares per wave."""
    res = results.trends
    by = res.settings.by
    level = t.num(100 * res.settings.level)
    rows = [{**r, "panel": "csat"} for r in control_chart_rows(res.control_chart, by, groups)]
    rows += [{**r, "panel": "nps"} for r in kpi_rows(res.kpis, by, "NPS", groups)]
    if results.analysis.settings.by == "channel":        # channels by their questionnaire label, as elsewhere
        names = {str(g): group_label(results, g, t) for g in groups}
        rows = [{**r, "series": names.get(r["series"], r["series"])} for r in rows]
    waves = list(res.settings.waves)
    labels = {"x": t("trends.figure.x"), "csat": t("trends.measure.csat"), "nps": t("trends.measure.nps"),
              "band": t("trends.figure.band"), "centre": t("trends.figure.centre"),
              "signal": t("trends.figure.signal"), "waves": waves}
    name = group_label(results, group, t)
    figures = []
    if rows:
        figures.append(Figure("trend_kpis", "trend_kpis", t("trends.figure.title", group=name),
                              t("trends.figure.caption", level=level), tuple(rows), labels))
    if group != ALL:
        shares = share_rows(res.importance, by, group,
                            {d: driver_label(results, d, t) for d in results.inst.driver_keys})
        if shares:
            figures.append(Figure("trend_shares", "trend_shares", t("trends.shares.title", group=name),
                                  t("trends.shares.caption", level=level), tuple(shares),
                                  {"x": t("trends.figure.x"), "y": t("trends.shares.y"), "waves": waves}))
    return tuple(figures)
