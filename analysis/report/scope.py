"""What a set of reports is made from, which groups may be shown, and their labels."""
from __future__ import annotations

from dataclasses import dataclass, field

from analysis.bootstrap import ALL
from analysis.report.i18n import Texts


@dataclass(frozen=True)
class StudyResults:
    """The results one set of reports is made from, and how to present them."""

    analysis: object                 # DriverAnalysis
    validation: object               # ValidationResult
    quality: object                  # QualityReport
    inst: object                     # Instrument
    voice: dict = field(default_factory=dict)      # group -> Voice (masked, sampled)
    min_group_n: int = 30
    title: str | None = None
    source: str = ""
    command: str = ""
    versions: tuple = ()
    generated: str = ""
    extra_names: tuple = ()          # agents' names found in the data, masked wherever text from the data appears


def group_sizes(res) -> dict[str, int]:
    """Respondents per group in the data (``groups.n_input`` of the analysis)."""
    return dict(zip(res.groups.group, res.groups.n_input))


def channel_sizes(res, group: str) -> dict[str, int]:
    """Respondents per channel of a group (channel 'all' included) in the KPIs: answers plus blanks."""
    k = res.kpis[res.kpis.group == group]
    return {str(c): int((part.n + part.n_missing).max()) for c, part in k.groupby("channel", sort=False)}


def shown_groups(results: StudyResults) -> tuple[list[str], list[str]]:
    """(groups with a report of their own, groups withheld for having too few respondents)."""
    sizes = group_sizes(results.analysis)
    labels = [g for g in results.analysis.group_names if g != ALL]
    return ([g for g in labels if sizes[g] >= results.min_group_n],
            [g for g in labels if sizes[g] < results.min_group_n])


def driver_label(results: StudyResults, key: str, t: Texts) -> str:
    return results.inst.construct(key).label[t.lang]


def group_header(results: StudyResults, t: Texts) -> str:
    """The column header for groups: the questionnaire's label of the --by column ('Organisation', 'Channel')."""
    by = results.analysis.settings.by
    try:
        return results.inst.variable(by).label[t.lang]
    except (KeyError, AttributeError, TypeError):
        return t("col.group") if by is None else str(by)


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


def importance_used(results: StudyResults, group: str) -> int:
    return int(results.analysis.groups.set_index("group").loc[group, "n_used"])


def drivers_shown(results: StudyResults, group: str) -> bool:
    """Whether the driver figures of ``group`` may be shown (enough respondents analysed)."""
    return importance_used(results, group) >= results.min_group_n
