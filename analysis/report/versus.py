"""'Compared with the rest of the study': one group's importance against the rest, as the analysis computed it.

The analysis compares each group with the rest of the study (``differences``,
``versus='rest'``). When the groups are analysed on different drivers
(:mod:`analysis.drivers.per_group`: e.g. an organisation without phone respondents, not
asked wait time and the phone menu), the comparison of a group is made on the drivers
it was analysed on, and its "rest" depends on them:

* a group analysed on the drivers every group has (the *common* drivers) is compared
  with all the other groups, on those drivers;
* a group analysed on more drivers is compared with the rest on the same drivers: all
  the other groups when the whole study is analysed on them as well, else the other
  groups analysed on the same drivers (its *peers*).

The report shows the comparison whenever the analysis has it, says on which drivers and
with which groups, and shows the whole study's figures beside the group's only when the
whole study is analysed on the same drivers (an LMG share of R² over five drivers does
not compare with one over seven). A group analysed on other drivers than every other
group has no comparison; its report says so. Pure: picks and words figures of
:class:`~analysis.drivers.result.DriverAnalysis`, computes none.
"""
from __future__ import annotations

from dataclasses import dataclass

from analysis.common.groups import ALL
from analysis.report.blocks import Column, Figure, Paragraph, Table
from analysis.report.i18n import Texts
from analysis.report.scope import StudyResults, driver_label, group_label
from instrument.description import join_words


@dataclass(frozen=True)
class Comparison:
    """With whom a group is compared: ``peers`` (None: every other group), on ``drivers``; ``whole``: the study's
    figures are on the same drivers (shown beside the group's)."""

    drivers: tuple[str, ...]
    peers: tuple[str, ...] | None
    whole: bool


def comparison(results: StudyResults, group: str) -> Comparison:
    """How ``group`` is compared with the rest of the study (see the module's description)."""
    s = results.analysis.settings
    mine = tuple(s.drivers_of(group))
    sets = {g: tuple(d) for g, d in s.group_drivers if g != ALL}
    whole = set(mine) == set(s.drivers_of(ALL))
    if not sets:
        return Comparison(mine, None, whole)
    common = {d for d in s.drivers if all(d in ds for ds in sets.values())}
    if whole or set(mine) == common:
        return Comparison(mine, None, whole)
    return Comparison(mine, tuple(g for g, ds in sets.items() if g != group and set(ds) == set(mine)), False)


def versus_rest(results: StudyResults, group: str, t: Texts) -> list:
    """The blocks of a group's 'Compared with the rest of the study' section (empty: no section)."""
    res = results.analysis
    d = res.differences
    if not len(d):
        return []
    d = d[(d.group == group) & (d.versus == "rest") & (d.statistic == "lmg_pct")].set_index("driver")
    how = comparison(results, group)
    name = group_label(results, group, t)
    if not len(d):
        if how.peers != ():
            return []
        # analysed on drivers no other group is analysed on: nothing to compare with, and said so
        return [Paragraph(t("versus.alone", group=name, k=t.number_word(len(how.drivers)),
                            drivers=_drivers(results, how.drivers, t)))]
    mine = res.group(group).set_index("driver")
    whole = res.group(ALL).set_index("driver") if how.whole else None
    rows = []
    for driver in [x for x in how.drivers if x in d.index]:
        r = d.loc[driver]
        verdict = ("higher" if r.estimate > 0 else "lower") if bool(r.excludes_zero) else "none"
        row = {"group": group, "driver": driver, "driver_label": driver_label(results, driver, t),
               "lmg_pct": mine.lmg_pct[driver], "difference": r.estimate, "difference_low": r.ci_low,
               "difference_high": r.ci_high, "excludes_zero": bool(r.excludes_zero), "verdict": t("versus." + verdict),
               "performance": mine.performance[driver]}
        if whole is not None:
            row.update(lmg_pct_all=whole.lmg_pct[driver], performance_all=whole.performance[driver])
        rows.append(row)
    both = whole is not None
    columns = (Column("driver_label", t("col.driver")), Column("lmg_pct", t("col.lmg_here"), "pct"),
               *((Column("lmg_pct_all", t("col.lmg_all"), "pct"),) if both else ()),
               Column("difference", t("col.difference"), "signed", "difference_low", "difference_high"),
               Column("verdict", t("col.verdict")), Column("performance", t("col.performance_here"), "score"),
               *((Column("performance_all", t("col.performance_all"), "score"),) if both else ()))
    return [*_intro(results, group, how, t),
            Figure("versus_rest", "versus_rest", t("figure.versus.title", group=name), t("figure.versus.caption"),
                   tuple(rows), {"x": t("figure.versus.x")}),
            Table("versus_rest", t("versus.table" if both else "versus.table_own", group=name), columns, tuple(rows),
                  note=_note(results, how, t))]


def _drivers(results: StudyResults, drivers, t: Texts) -> str:
    return join_words([driver_label(results, d, t) for d in drivers], t.lang)


def _peers(results: StudyResults, peers, t: Texts) -> str:
    return join_words([group_label(results, g, t) for g in peers], t.lang)


def _intro(results: StudyResults, group: str, how: Comparison, t: Texts) -> list:
    """The question the comparison answers, and, with groups on different drivers, on which drivers with whom."""
    name = group_label(results, group, t)
    k, drivers = t.number_word(len(how.drivers)), _drivers(results, how.drivers, t)
    if how.peers is not None:
        others = [g for g in results.analysis.group_names if g not in (ALL, group, *how.peers)]
        return [Paragraph(t("versus.intro_peers", group=name, peers=_peers(results, how.peers, t), k=k,
                            drivers=drivers, others=_peers(results, others, t)))]
    intro = [Paragraph(t("versus.intro", group=name))]
    if not how.whole:
        intro.append(Paragraph(t("versus.common_drivers", group=name, k=k, drivers=drivers)))
    return intro


def _note(results: StudyResults, how: Comparison, t: Texts) -> str:
    if how.peers is None:
        return t("versus.note")
    return t("versus.note_peers", peers=_peers(results, how.peers, t))


def peer_notes(results: StudyResults, shown: list[str], t: Texts) -> list[str]:
    """For the study's table of differences: the groups compared with their peers only, and with whom."""
    notes = []
    for g in shown:
        how = comparison(results, g)
        if how.peers:
            notes.append(t("versus.study_peers", group=group_label(results, g, t),
                           peers=_peers(results, how.peers, t), k=t.number_word(len(how.drivers))))
    return notes
