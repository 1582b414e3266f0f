"""The report section on dissatisfiers (:mod:`analysis.dissatisfiers`): pure, no I/O.

For the study report every shown group's drivers, for a group report the group's own:
the class of each driver (basic / performance / excitement factor), the penalty of low
and the reward of high performance, the bootstrap interval of penalty - reward and the
share of resamples that agree with the class. Groups withheld from the reports (below
the minimum size) are not shown, as everywhere.
"""
from __future__ import annotations

from analysis.common.groups import ALL
from analysis.report.blocks import Column, Paragraph, Section, Table
from analysis.report.i18n import Texts
from analysis.report.scope import StudyResults, driver_label, group_label

_SHARE = {"basic": "share_basic", "performance": "share_performance", "excitement": "share_excitement"}


def dissatisfiers_section(results: StudyResults, group: str, shown, t: Texts) -> Section | None:
    """The dissatisfiers section of one report (None when the analysis was not possible)."""
    res = results.dissatisfiers
    if res is None:
        return None
    table = res.table
    groups = [g for g in table.group.unique() if g in shown or g == ALL] if group == ALL else [group]
    part = table[table.group.isin(groups)]
    if not len(part):
        return None
    rows = []
    for r in part.to_dict(orient="records"):
        share = r.get(_SHARE.get(r["class"], ""), None)
        rows.append({"group": group_label(results, r["group"], t), "driver": driver_label(results, r["driver"], t),
                     "class": t("dissatisfiers.class." + r["class"]), "penalty": r["penalty_per_point"],
                     "reward": r["reward_per_point"], "diff": r["penalty_per_point"] - r["reward_per_point"], "diff_low": r["diff_low"], "diff_high": r["diff_high"],
                     "support": share})
    columns = ((Column("group", t("col.group")),) if group == ALL and len(groups) > 1 else ()) + (
        Column("driver", t("col.driver")), Column("class", t("col.factor_class")),
        Column("penalty", t("col.penalty"), "num2"), Column("reward", t("col.reward"), "num2"),
        Column("diff", t("col.penalty_minus_reward"), "num2", low="diff_low", high="diff_high"),
        Column("support", t("col.class_support"), "share"))
    level = round(100 * res.settings["level"])
    blocks = (Paragraph(t("dissatisfiers.intro")), Paragraph(t("dissatisfiers.meaning")),
              Table(name="dissatisfiers", title=t("dissatisfiers.table"), columns=columns, rows=tuple(rows),
                    note=t("dissatisfiers.table_note", level=level, n=t.count(res.settings["bootstrap"]))))
    return Section("dissatisfiers", t("section.dissatisfiers"), blocks)
