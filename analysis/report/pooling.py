"""What a report says about partial pooling across groups (``pooling='partial'``, issue 12).

With partial pooling (:mod:`analysis.pooling`) every respondent is used (the phone-only
drivers from the phone respondents) and each group's driver figures combine its own
respondents with the pattern of all groups. A report then shows the pooled figure as the
headline, the group's own-data figure beside it, one plain sentence on what pooling
means, and per channel how many respondents each figure rests on. With fewer than three
groups nothing is pooled (:data:`analysis.pooling.MIN_GROUPS`) and the report says so.

Pure: picks and words figures of :class:`~analysis.drivers.result.DriverAnalysis`,
computes none.
"""
from __future__ import annotations

import pandas as pd

from analysis.common.groups import ALL
from analysis.pooling import MIN_GROUPS
from analysis.report.blocks import Column, Notes, Paragraph, Table
from analysis.report.i18n import Texts
from analysis.report.scope import StudyResults, channel_label, driver_label, group_label, withheld_channels
from instrument.description import describe_instrument


def pooled(results: StudyResults) -> bool:
    """Whether the analysis pooled the groups."""
    return results.analysis.settings.pooling_used == "partial"


def every_respondent(results: StudyResults) -> bool:
    """Whether every respondent was used (partial pooling asked for, used or not): the counts differ then."""
    return results.analysis.respondents is not None


def shows_own(results: StudyResults, group: str) -> bool:
    """Whether the group's own-data figures differ from the figures shown (a pooled group, not the study)."""
    return pooled(results) and group != ALL


def reading(results: StudyResults, group: str, t: Texts) -> str:
    """The sentence on pooling added to 'how to read this' (empty without pooling asked for)."""
    if not pooled(results):
        return what_sentence(results, t)
    own = own_sentence(results, group, t)
    return what_sentence(results, t) + " " + own if own else ""


def what_sentence(results: StudyResults, t: Texts) -> str:
    """The plain sentence on what pooling means, or why nothing was pooled ('' with ``pooling='none'``)."""
    if results.analysis.settings.pooling == "none":
        return ""
    if not pooled(results):
        n = len(results.analysis.groups) - 1
        return t("pooling.too_few", n=t.count(n), min=MIN_GROUPS)
    return t("pooling.what")


def own_sentence(results: StudyResults, group: str, t: Texts) -> str:
    """What pooling did to ``group`` ('Here its own data weigh 13% ...'), after :func:`reading`'s first sentence.

    The whole study's figures are not pooled (said so); a group pooled as far as its own
    data allow says that; a group left out of the driver analysis, or an analysis that did
    not pool, has no such sentence ('').
    """
    if not pooled(results):
        return ""
    if group == ALL:
        return t("pooling.study")
    groups = results.analysis.groups.set_index("group")
    if group not in groups.index:
        # a group left out of the driver analysis (too few usable respondents) has no pooled figures
        return ""
    g = groups.loc[group]
    return t("pooling.set_aside") if bool(g.pooling_set_aside) else t(
        "pooling.weight", weight=t.pct(100 * g.pooling_weight), n_effective=t.count(round(g.n_effective)),
        n=t.count(g.n_used))


def r2_paragraph(results: StudyResults, group: str, g, t: Texts) -> Paragraph:
    """How much the drivers explain, and on how many respondents that rests."""
    s = results.analysis.settings
    values = dict(k=t.number_word(len(s.drivers_of(group))), r2=t.pct(100 * g.r2),
                  r2_ci=t.pct_interval(100 * g.r2_ci_low, 100 * g.r2_ci_high), n=t.count(g.n_used),
                  outcome=t("outcome." + s.outcome))
    phone_only = [] if results.analysis.pooling is None else list(results.analysis.pooling.phone_only)
    if not every_respondent(results) or not phone_only or int(g.n_complete) == int(g.n_used):
        return Paragraph(t("drivers.r2", **values))
    channels = describe_instrument(results.inst, t.lang).limited_channels
    return Paragraph(t("drivers.r2_everyone", n_complete=t.count(g.n_complete), channels=channels, **values))


def own_column(results: StudyResults, group: str, t: Texts) -> tuple[Column, ...]:
    """The own-data LMG share beside the pooled importance (pooled group reports only), and its weight.

    The page says the group's own-data weight in a sentence (:func:`own_sentence`); the
    workbook has each driver's (the phone-only drivers' differs) as a column, unrounded.
    """
    if not shows_own(results, group):
        return ()
    return (Column("own_lmg_pct", t("col.own_lmg"), "pct"),
            Column("pooling_weight", t("col.own_weight"), "share", workbook_only=True))


def own_values(r) -> dict:
    """A priority row's own-data figures."""
    return {"own_lmg_pct": getattr(r, "own_lmg_pct", None), "pooling_weight": getattr(r, "pooling_weight", None)}


def own_figure(r, group_row, settings, t: Texts) -> str:
    """' · own data only 27%' after a headline driver's figures (pooled groups only, else '')."""
    # the own figure is an LMG share: beside another importance measure it would not compare
    # settings of an analysis made before pooling existed have no pooling_used: not pooled
    if (getattr(settings, "pooling_used", "none") != "partial" or settings.importance != "lmg" or group_row.name == ALL
            or pd.isna(getattr(r, "own_lmg_pct", None))):
        return ""
    return t("summary.own_figure", own=t.pct(r.own_lmg_pct))


def respondents_blocks(results: StudyResults, group: str, t: Texts) -> list:
    """Per channel: respondents the common drivers rest on and those the phone-only drivers rest on.

    Channels whose key figures are withheld for their size (:func:`withheld_channels`)
    are withheld here too, with the same note.
    """
    res = results.analysis
    if not every_respondent(results) or res.pooling is None or not res.pooling.phone_only:
        return []
    small, secondary = withheld_channels(results, group)
    hidden = set(small) | set(secondary)
    counts = res.respondents if group == ALL else res.respondents[res.respondents.group == group]
    counts = counts.groupby("channel", sort=True)[["n", "n_phone_only"]].sum()
    rows = tuple({"group": group, "channel": str(c), "channel_label": channel_label(results, str(c), t),
                  "n": int(r.n), "n_phone_only": int(r.n_phone_only)}
                 for c, r in counts.iterrows() if str(c) not in hidden)
    g = res.groups.set_index("group").loc[group]
    rows += ({"group": group, "channel": ALL, "channel_label": t("pooling.all_channels"), "n": int(g.n_used),
              "n_phone_only": int(g.n_complete)},)
    phone_only = ", ".join(driver_label(results, d, t) for d in res.pooling.phone_only)
    columns = (Column("channel_label", t("col.channel")), Column("n", t("col.n_common"), "count"),
               Column("n_phone_only", t("col.n_phone_only", drivers=phone_only), "count"))
    blocks: list = [Table("respondents_by_channel", t("pooling.respondents_table", group=group_label(results, group, t)),
                          columns, rows, note=t("pooling.respondents_note", drivers=phone_only,
                                                    channels=describe_instrument(results.inst, t.lang).limited_channels))]
    if hidden:
        blocks.append(Notes((t("withheld.channels", channels=", ".join(channel_label(results, c, t)
                                                                      for c in sorted(hidden)),
                               n=results.min_group_n),), css="withheld"))
    return blocks


def overview_columns(results: StudyResults, t: Texts) -> tuple[Column, ...]:
    """The own-data weight per group in the study's overview (pooled only)."""
    return (Column("pooling_weight", t("col.own_weight"), "share"),) if pooled(results) else ()


def overview_values(results: StudyResults, group: str) -> dict:
    if not pooled(results):
        return {}
    return {"pooling_weight": float(results.analysis.groups.set_index("group").pooling_weight[group])}


def overview_note(results: StudyResults, t: Texts, limits: str = "") -> str:
    """The overview table's note; ``limits`` names the drivers limited to some channels (' (...)' or '').

    With every respondent used, a usable respondent still needs the outcome and a score on
    each driver that applies to them (the table's two counts differ by those without).
    """
    return t("overview.note_everyone" if every_respondent(results) else "overview.note", limits=limits,
             outcome=t("outcome." + results.analysis.settings.outcome))
