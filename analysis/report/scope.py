"""What a set of reports is made from, which groups and channels may be shown, and their labels.

**Minimum group size.** Every decision is made on *usable* respondents: those not
flagged as unreliable (straight-lining, speeding, too many missing answers), by the
selection rule every analysis uses (:func:`analysis.scoring.sample.select_respondents`). A group
with fewer usable respondents than ``min_group_n`` is *withheld*: no report, no
figure, and :func:`analysis.report.build_reports` leaves its respondents out before
analysing, so that no figure of it can be worked out by subtracting the shown groups
from the whole study. Within a shown group, a channel below the minimum shows no KPIs;
when the channels withheld that way add up to fewer than the minimum, the next
smallest channels are withheld too (secondary suppression), since 'all channels' minus
the shown channels would otherwise reveal them.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from analysis.common.groups import ALL
from analysis.report.i18n import Texts
from analysis.scoring.sample import select_respondents


@dataclass(frozen=True)
class StudyResults:
    """The results one set of reports is made from, and how to present them."""

    analysis: object                 # DriverAnalysis
    validation: object               # ValidationResult
    quality: object                  # QualityReport
    inst: object                     # Instrument
    voice: dict = field(default_factory=dict)      # group -> Voice (masked, sampled)
    themes: object = None            # ThemeAnalysis of the open answers (None: no open question)
    trends: object = None            # TrendAnalysis across waves (None: one wave, or no wave column given)
    dissatisfiers: object = None     # DissatisfierAnalysis (None: no group had enough respondents)
    min_group_n: int = 30
    title: str | None = None
    source: str = ""
    command: str = ""
    versions: tuple = ()
    generated: str = ""
    extra_names: tuple = ()          # agents' names found in the data, masked wherever text from the data appears
    withheld: tuple = ()             # groups below the minimum whose respondents were left out before analysing
    left_out: int = 0                # how many respondents that was


def usable_group_sizes(data: pd.DataFrame, by: str | None) -> dict[str, int]:
    """Usable (not flagged) respondents per group of ``by``, and in all groups together (``'all'``).

    Respondents without a group count in no group and not in ``'all'`` (the analyses
    leave them out too); with ``by=None`` ``'all'`` is every usable respondent.

    Examples
    --------
    >>> df = pd.DataFrame({"respondent_id": list("abcd"), "org": ["X", "X", "Y", None],
    ...                    "flag_straightlining": [False, True, False, False],
    ...                    "flag_too_many_missing": False, "flag_speeding": False})
    >>> usable_group_sizes(df, "org")
    {'X': 1, 'Y': 1, 'all': 2}
    """
    kept = select_respondents(data, by=by).kept
    if by is None:
        return {ALL: len(kept)}
    labels = kept[by].dropna().astype("string").astype(str)
    sizes = {str(g): int(n) for g, n in labels.value_counts(sort=False).sort_index().items()}
    return {**sizes, ALL: sum(sizes.values())}


def usable_sizes(results: StudyResults) -> dict[str, int]:
    """Usable respondents per group and ``'all'``, as the analysis counted them (its KPIs, channel 'all').

    The KPIs are computed over every usable respondent of a group, so a KPI's answers
    plus its missing answers are the group's usable respondents: the report shows the
    analysis' count, never one of its own.
    """
    k = results.analysis.kpis
    k = k[k.channel == ALL]
    return {str(g): int((part.n + part.n_missing).max()) for g, part in k.groupby("group", sort=False)}


def channel_sizes(res, group: str) -> dict[str, int]:
    """Respondents per channel of a group (channel 'all' included) in the KPIs: answers plus blanks."""
    k = res.kpis[res.kpis.group == group]
    return {str(c): int((part.n + part.n_missing).max()) for c, part in k.groupby("channel", sort=False)}


def shown_groups(results: StudyResults) -> tuple[list[str], list[str]]:
    """(groups with a report of their own, groups withheld for having too few usable respondents).

    Decided on the usable respondents of every group in the data, including groups the
    importance analysis left out (reason ``small_group``): those with enough usable
    respondents are shown without driver figures, the others are withheld.
    """
    if results.analysis.settings.by is None:
        return [], []
    sizes = usable_sizes(results)
    labels = sorted(g for g in sizes if g != ALL)
    left_out = set(results.withheld)
    shown = [g for g in labels if sizes[g] >= results.min_group_n and g not in left_out]
    withheld = sorted(left_out | {g for g in labels if sizes[g] < results.min_group_n})
    return shown, withheld


def withheld_channels(results: StudyResults, group: str) -> tuple[list[str], list[str]]:
    """(channels of ``group`` below the minimum, further channels withheld so that those cannot be worked out).

    'All channels' minus the shown channels gives the withheld ones together: when those
    add up to fewer than the minimum, the smallest shown channels are withheld as well
    until the withheld respondents reach the minimum or every channel is withheld.
    """
    sizes = {c: n for c, n in channel_sizes(results.analysis, group).items() if c != ALL}
    small = sorted((c for c, n in sizes.items() if n < results.min_group_n), key=lambda c: (sizes[c], c))
    total = sum(sizes[c] for c in small)
    rest = sorted((c for c in sizes if c not in small), key=lambda c: (sizes[c], c))
    secondary = []
    while small and total < results.min_group_n and rest:
        channel = rest.pop(0)
        secondary.append(channel)
        total += sizes[channel]
    return small, secondary


def driver_label(results: StudyResults, key: str, t: Texts) -> str:
    return results.inst.construct(key).label[t.lang]


def by_label(results: StudyResults, lang: str) -> str | None:
    """The label of the grouping column: the questionnaire's ('Channel', 'Kanaal'), else the file's (SPSS label)."""
    by = results.analysis.settings.by
    if by is None:
        return None
    if by in {v.id for v in results.inst.variables}:
        return results.inst.variable(by).label[lang]
    return str(getattr(results.quality, "column_labels", {}).get(by, by))


def group_nouns(results: StudyResults, lang: str) -> tuple[str, str]:
    """How the report calls its groups, singular and plural: ('channel', 'channels'), ('regio', "regio's").

    From the grouping column's label; lower case unless it is an abbreviation ('KvK').
    """
    t = Texts(lang)
    label = by_label(results, lang)
    if label is None or not label.strip():
        return t("group.one"), t("group.many")
    label = label.strip()
    one = label if label[1:2].isupper() else label[:1].lower() + label[1:]
    return one, t.plural(one)


def group_header(results: StudyResults, t: Texts) -> str:
    """The column header for groups: the label of the --by column ('Organisation', 'Channel', 'Region')."""
    label = by_label(results, t.lang)
    return t("col.group") if label is None else label


def group_label(results: StudyResults, group: str, t: Texts) -> str:
    """How a group is named: 'Whole study' for 'all', channels by their questionnaire label."""
    if group == ALL:
        return t("scope.study")
    if results.analysis.settings.by == "channel":
        return channel_label(results, group, t)
    return str(group)


def channel_label(results: StudyResults, key: str, t: Texts) -> str:
    if key == ALL:
        return t("channel.all")
    choices = {c.key: c.label[t.lang] for c in results.inst.variable("channel").choices or ()}
    return choices.get(key, t("channel.unknown") if key == "unknown" else key)


def group_row(results: StudyResults, group: str):
    """The group's row of ``analysis.groups``, or None for a group the importance analysis left out."""
    groups = results.analysis.groups.set_index("group")
    return groups.loc[group] if group in groups.index else None


def importance_used(results: StudyResults, group: str) -> int:
    """Respondents in the importance analysis of ``group`` (0 when it was left out, reason ``small_group``)."""
    row = group_row(results, group)
    return 0 if row is None else int(row.n_used)


def drivers_shown(results: StudyResults, group: str) -> bool:
    """Whether the driver figures of ``group`` may be shown (enough respondents analysed)."""
    return importance_used(results, group) >= results.min_group_n
