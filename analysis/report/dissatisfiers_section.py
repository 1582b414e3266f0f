"""The report section on dissatisfiers (:mod:`analysis.dissatisfiers`): pure, no I/O.

For the study report every shown group's drivers, for a group report the group's own:
the class of each driver (basic / performance / excitement factor), the penalty of low
and the reward of high performance, the bootstrap interval of penalty - reward and the
share of resamples that agree with the class, with how many respondents each driver's
contrast rests on and a sentence counting those not used, by reason (every respondent of
every channel is used: :mod:`analysis.dissatisfiers.analyse`). Groups withheld from the
reports (below the minimum size) are not shown, as everywhere.
"""
from __future__ import annotations

from analysis.common.groups import ALL
from analysis.report.blocks import Column, Paragraph, Section, Table
from analysis.report.i18n import Texts
from analysis.report.scope import StudyResults, driver_label, group_label
from instrument.description import describe_instrument, join_words

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
                     "support": share, "n": r["n_driver"]})
    columns = ((Column("group", t("col.group")),) if group == ALL and len(groups) > 1 else ()) + (
        Column("driver", t("col.driver")), Column("class", t("col.factor_class")),
        Column("penalty", t("col.penalty"), "num2"), Column("reward", t("col.reward"), "num2"),
        Column("diff", t("col.penalty_minus_reward"), "num2", low="diff_low", high="diff_high"),
        Column("support", t("col.class_support"), "share"), Column("n", t("col.dissatisfiers_n"), "count"))
    level = round(100 * res.settings["level"])
    blocks = (Paragraph(t("dissatisfiers.intro")), Paragraph(t("dissatisfiers.meaning")),
              Paragraph(_respondents(results, groups, part, t)),
              Table(name="dissatisfiers", title=t("dissatisfiers.table"), columns=columns, rows=tuple(rows),
                    note=t("dissatisfiers.table_note", level=level, n=t.count(res.settings["bootstrap"]))))
    return Section("dissatisfiers", t("section.dissatisfiers"), blocks)


def _respondents(results: StudyResults, groups: list, part, t: Texts) -> str:
    """How many respondents of the groups shown the contrasts rest on, and why the others are not used."""
    res = results.dissatisfiers
    sizes = res.respondents[res.respondents.group.isin(groups)]
    text = t("dissatisfiers.respondents", n=t.count(sizes.n_used.sum()), n_input=t.count(sizes.n_input.sum()))
    fewer = part[part.n_driver < part.n]
    if len(fewer):
        labels = [driver_label(results, d, t) for d in dict.fromkeys(fewer.driver)]
        text += " " + t("dissatisfiers.respondents_asked", drivers=join_words(labels, t.lang),
                        n=t.count(sizes.n_complete.sum()))
    counts = res.exclusion_counts[res.exclusion_counts.group.isin(groups)]
    counts = counts.groupby("code", sort=False).n.sum()
    if counts.sum():
        channels = describe_instrument(results.inst, t.lang).channels
        reasons = [f"{t.count(n)} {t('dissatisfiers.reason.' + code) if code == 'too_few' else t('reason.' + code, channels=channels)}"
                   for code, n in counts.items() if n]
        text += " " + t("dissatisfiers.not_used", reasons="; ".join(reasons))
    return text
