"""Assemble what a report shows from the result objects: pure, no I/O, no statistics.

Every figure comes from :class:`~analysis.drivers.result.DriverAnalysis` (importance,
priorities, KPIs, differences, exclusions), :class:`~analysis.validation.result.ValidationResult`
or the reader's :class:`~instrument.reader.quality.QualityReport`; this module picks,
orders, labels and withholds them. Tables keep the computed values unrounded (the
renderers format them), so the workbook and the HTML show the numbers of
``drivers analyse --json`` and ``drivers validate --json``.

**Minimum group size** (see :mod:`analysis.report.scope`). A group (organisation,
channel) with fewer usable (not flagged) respondents than ``min_group_n`` shows no
figure: it gets no report of its own (the study report names it, never its size, and
says why) and its respondents are not in the report's figures at all; a channel's KPIs
are left out with a note, together with the next smallest channels when the channels
left out would otherwise be revealed by 'all channels' minus the others; and a group
whose importance analysis used fewer respondents than the minimum shows its KPIs but no
driver figures.
"""
from __future__ import annotations

import pandas as pd

from analysis.common.errors import ServiceDriversError
from analysis.common.groups import ALL
from analysis.drivers.plot import importance_shown
from analysis.report import appendix
from analysis.report.blocks import Column, Figure, Heading, Notes, Paragraph, ReportContent, Section, Summary, Table
from analysis.report.headline import QUADRANT_CSS, headline
from analysis.report import pooling
from analysis.report.i18n import Texts
from analysis.report.dissatisfiers_section import dissatisfiers_section
from analysis.report.themes_section import themes_section
from analysis.report.trends_section import trends_section
from analysis.report.versus import peer_notes, versus_rest
from analysis.report.scope import (StudyResults, channel_label, channel_sizes, driver_label, drivers_shown,
                                   group_header, group_label, group_nouns, importance_used, shown_groups, usable_sizes,
                                   withheld_channels)
from analysis.common.thresholds import MIN_N_KPI_INTERVAL
from instrument.description import describe_instrument, join_words

KPI_KEYS = ("csat_pct", "nps", "ces_mean", "ces_pct_easy", "fcr_pct_yes")
KPI_KINDS = {"csat_pct": "pct", "nps": "nps", "ces_mean": "num1", "ces_pct_easy": "pct", "fcr_pct_yes": "pct",
             "fcr_pct_yes_or_partly": "pct"}
TOP = 3


# --------------------------------------------------------------------- summary
def summary(results: StudyResults, group: str, t: Texts) -> Summary:
    """The executive summary: the headline of :mod:`analysis.report.headline`, the KPIs, how to read them."""
    res = results.analysis
    kpi_line = _kpi_line(results, group, t)
    reading = " ".join(p for p in (t("summary.reading"), pooling.reading(results, group, t)) if p)
    if not drivers_shown(results, group):
        return Summary(intro="", top=(), certainty=(), kpi_line=kpi_line, reading=reading,
                       withheld=t("withheld.drivers", n=results.min_group_n))
    g = res.groups.set_index("group").loc[group]
    h = headline(res.group(group), g, res.settings, lambda d: driver_label(results, d, t), t)
    return Summary(intro=h.intro, top=h.top, certainty=h.certainty, kpi_line=kpi_line, reading=reading,
                   others=h.others)


def _kpi_line(results, group: str, t: Texts) -> str:
    k = results.analysis.kpis
    rows = k[(k.group == group) & (k.channel == ALL)].set_index("key")
    parts = []
    for key in KPI_KEYS:
        if key in rows.index and rows.n[key]:
            r = rows.loc[key]
            why = no_interval_text(r.ci_reason, t)
            parts.append(f"{t('kpi.' + key)} {t.format(KPI_KINDS[key], r.estimate)} "
                         f"({why or t.format_interval(KPI_KINDS[key], r.ci_low, r.ci_high)})")
    return t("summary.kpis", kpis="; ".join(parts)) if parts else ""


def no_interval_text(reason, t: Texts) -> str | None:
    """Why a key figure has no interval, in the report's language (None when it has one)."""
    if not isinstance(reason, str):
        return None
    return t(f"kpi.no_ci.{reason}", n=MIN_N_KPI_INTERVAL)


# ------------------------------------------------------------------------ KPIs
def _kpi_columns(t: Texts, first: Column) -> tuple[Column, ...]:
    return (first, Column("n", t("col.usable"), "count"),
            *(Column(key, t("kpi." + key), KPI_KINDS[key], f"{key}_low", f"{key}_high", note=f"{key}_no_ci")
              for key in KPI_KEYS))


def _kpi_row(rows: pd.DataFrame, n: int, t: Texts) -> dict:
    out = {"n": n}
    for r in rows.itertuples():
        if r.key in KPI_KEYS:
            ok = bool(r.n)
            out.update({r.key: r.estimate if ok else None, f"{r.key}_low": r.ci_low if ok else None,
                        f"{r.key}_high": r.ci_high if ok else None, f"{r.key}_n": int(r.n),
                        f"{r.key}_no_ci": no_interval_text(r.ci_reason, t)})
    return out


def kpi_by_channel(results: StudyResults, group: str, t: Texts) -> list:
    """KPIs of one group: all channels, and each channel not withheld (see :func:`withheld_channels`)."""
    k = results.analysis.kpis
    k = k[k.group == group]
    sizes = channel_sizes(results.analysis, group)
    small, secondary = withheld_channels(results, group)
    rows = []
    for channel in [ALL, *sorted(c for c in k.channel.unique() if c != ALL)]:
        if channel in small or channel in secondary:
            continue
        rows.append({"group": group, "channel": channel, "channel_label": channel_label(results, channel, t),
                     **_kpi_row(k[k.channel == channel], sizes[channel], t)})
    table = Table("kpis_by_channel", t("kpis.by_channel", group=group_label(results, group, t)),
                  _kpi_columns(t, Column("channel_label", t("col.channel"))), tuple(rows), note=t("kpis.note"))
    notes = []
    if small:
        notes.append(t("withheld.channels", channels=", ".join(channel_label(results, c, t) for c in sorted(small)),
                       n=results.min_group_n))
    if secondary:
        notes.append(t("withheld.channels_secondary",
                       channels=", ".join(channel_label(results, c, t) for c in sorted(secondary)),
                       n=results.min_group_n))
    return [table, *([Notes(tuple(notes), css="withheld")] if notes else [])]


def kpi_by_group(results: StudyResults, shown: list[str], t: Texts) -> Table:
    k = results.analysis.kpis
    rows = [{"group": g, "group_label": group_label(results, g, t),
             **_kpi_row(k[(k.group == g) & (k.channel == ALL)], channel_sizes(results.analysis, g)[ALL], t)}
            for g in [*shown, ALL]]
    return Table("kpis_by_group", t("kpis.by_group"), _kpi_columns(t, Column("group_label", group_header(results, t))),
                 tuple(rows))


# --------------------------------------------------------------- drivers
def priority_rows(results: StudyResults, group: str, t: Texts) -> tuple[dict, ...]:
    rows = results.analysis.group(group).sort_values("priority")
    measure = results.analysis.settings.importance
    return tuple({
        "group": group, "driver": r.driver, "driver_label": driver_label(results, r.driver, t),
        **dict(zip(("importance", "importance_low", "importance_high"), importance_shown(r, measure))),
        "lmg_pct": r.lmg_pct, "lmg_pct_low": r.ci_low, **pooling.own_values(r),
        "lmg_pct_high": r.ci_high, "performance": r.performance, "performance_low": r.performance_ci_low,
        "performance_high": r.performance_ci_high, "quadrant": r.quadrant,
        "quadrant_label": t("quadrant." + r.quadrant) if isinstance(r.quadrant, str) else None,
        "quadrant_label_css": QUADRANT_CSS.get(r.quadrant, ""), "rank": _int(r.rank), "rank_low": _int(r.rank_ci_low),
        "rank_high": _int(r.rank_ci_high), "priority": _int(r.priority), "priority_low": _int(r.priority_ci_low),
        "priority_high": _int(r.priority_ci_high),
    } for r in rows.itertuples())


def _int(v):
    return None if pd.isna(v) else int(v)


def priority_table(results: StudyResults, group: str, t: Texts) -> Table:
    measure = results.analysis.settings.importance
    columns = (
        Column("driver_label", t("col.driver")),
        Column("importance", t("col.importance." + measure), "pct", "importance_low", "importance_high"),
        *pooling.own_column(results, group, t),
        Column("performance", t("col.performance"), "score", "performance_low", "performance_high"),
        Column("quadrant_label", t("col.quadrant")),
        Column("rank", t("col.rank"), "rank", "rank_low", "rank_high"),
        Column("priority", t("col.priority"), "rank", "priority_low", "priority_high"),
    )
    return Table("priorities", t("priorities.table", group=group_label(results, group, t)), columns,
                 priority_rows(results, group, t), note=t("priorities.note"), css="priorities")


def drivers_section(results: StudyResults, group: str, t: Texts) -> Section:
    res = results.analysis
    if not drivers_shown(results, group):
        return Section("drivers", t("section.drivers"), (Notes((t("withheld.drivers", n=results.min_group_n),),
                                                                css="withheld"),))
    g = res.groups.set_index("group").loc[group]
    rows = priority_rows(results, group, t)
    blocks: list = [
        # R² is a proportion; the text shows it as a percentage
        pooling.r2_paragraph(results, group, g, t),
        *drivers_left_out(results, group, t),
        *pooling.respondents_blocks(results, group, t),
        Figure("importance", "importance", t("figure.importance.title", group=group_label(results, group, t)),
               t("figure.importance.caption", level=t.num(100 * res.settings.level)), rows,
               {"x": t("figure.importance.x")}),
        Heading(t("drivers.matrix")),
        Paragraph(t("drivers.matrix_intro", crosshair=t("crosshair." + res.settings.crosshair),
                    imp=t.pct(g.crosshair_importance), perf=t.num(g.crosshair_performance))),
        Figure("priorities", "priorities", t("figure.priorities.title", group=group_label(results, group, t)),
               t("figure.priorities.caption"), rows,
               {"x": t("figure.priorities.x"), "y": t("col.importance." + res.settings.importance),
                "crosshair_importance": g.crosshair_importance, "crosshair_performance": g.crosshair_performance,
                **{q: t("quadrant." + q) for q in QUADRANT_CSS}}),
        Notes(tuple(f"{t('quadrant.' + q)}: {t('quadrant_help.' + QUADRANT_CSS[q])}" for q in QUADRANT_CSS),
              css="quadrants"),
    ]
    return Section("drivers", t("section.drivers"), tuple(blocks))


def drivers_left_out(results: StudyResults, group: str, t: Texts) -> list:
    """A paragraph naming the drivers not analysed for ``group`` (none of their items answered in some groups)."""
    s = results.analysis.settings
    mine = s.drivers_of(group)
    missing = [d for d in s.drivers if d not in mine]
    if not missing:
        return []
    names = join_words([driver_label(results, d, t) for d in missing], t.lang)
    if group != ALL:
        return [Paragraph(t("drivers.left_out", drivers=names, k=t.number_word(len(mine))))]
    return [Paragraph(t("drivers.left_out_study", drivers=names, k=t.number_word(len(mine))))]


# --------------------------------------------------------------- study only
def overview(results: StudyResults, shown: list[str], withheld: list[str], t: Texts) -> Section:
    res = results.analysis
    groups = res.groups.set_index("group")
    sizes = usable_sizes(results)
    rows = []
    for g in shown:
        row = {"group": g, "group_label": group_label(results, g, t), "n_usable": sizes[g],
               "n_used": importance_used(results, g), **pooling.overview_values(results, g)}
        if drivers_shown(results, g):
            first = res.group(g).sort_values("priority").head(TOP)
            row.update({"r2": groups.r2[g], **{f"top{i + 1}": driver_label(results, d, t)
                                               for i, d in enumerate(first.driver)}})
        rows.append(row)
    columns = (Column("group_label", group_header(results, t)), Column("n_usable", t("col.usable"), "count"),
               Column("n_used", t("col.used"), "count"), *pooling.overview_columns(results, t),
               Column("r2", "R²", "num2"),
               *(Column(f"top{i}", t("col.top", i=i)) for i in range(1, TOP + 1)))
    blocks: list = [Paragraph(t("overview.intro")),
                    Table("overview", t("overview.table"), columns, tuple(rows),
                          note=pooling.overview_note(results, t, limits=_channel_limits(results, t)))]
    if withheld:
        names = ", ".join(group_label(results, g, t) for g in withheld)
        blocks.append(Notes(withheld_notes(results, names, t), css="withheld"))
    d = res.differences
    if len(d):
        clear = d[(d.versus == "rest") & (d.statistic == "lmg_pct") & d.excludes_zero & d.group.isin(shown)]
        diff_rows = tuple({"group": r.group, "group_label": group_label(results, r.group, t), "driver": r.driver,
                           "driver_label": driver_label(results, r.driver, t),
                           "difference": r.estimate, "difference_low": r.ci_low, "difference_high": r.ci_high}
                          for r in clear.itertuples())
        blocks.append(Heading(t("overview.differences")))
        if diff_rows:
            blocks.append(Table("differences", t("overview.differences_table"),
                                (Column("group_label", group_header(results, t)),
                                 Column("driver_label", t("col.driver")),
                                 Column("difference", t("col.difference"), "signed", "difference_low",
                                        "difference_high")), diff_rows,
                                note=" ".join([t("versus.note"), *peer_notes(results, shown, t)])))
        else:
            blocks.append(Paragraph(t("overview.no_differences")))
    return Section("overview", t("section.overview"), tuple(blocks))


def withheld_notes(results: StudyResults, names: str, t: Texts) -> tuple[str, ...]:
    """What the report says of the groups withheld (named, never with their size)."""
    notes = [t("withheld.groups", groups=names, n=results.min_group_n)]
    if results.withheld:
        notes.append(t("withheld.left_out"))
    return tuple(notes)


# ------------------------------------------------------------------ assembly
def report_content(results: StudyResults, group: str, lang: str, slug: str) -> ReportContent:
    """The content of the study report (``group='all'``) or of one group's report.

    Shows what ``results`` holds: :func:`analysis.report.build_reports` leaves the
    respondents of withheld groups out before analysing, so that the whole study's
    figures do not contain them.
    """
    nouns = group_nouns(results, lang)
    t = Texts(lang, nouns=nouns)
    res = results.analysis
    shown, withheld = shown_groups(results)
    if group != ALL and group not in shown:
        raise ServiceDriversError(f"group {group!r} has fewer than {results.min_group_n} respondents: it gets no report")
    study = group == ALL
    sections: list[Section] = []
    if study and res.settings.by is not None:
        sections.append(overview(results, shown, withheld, t))
    kpi_blocks = ([kpi_by_group(results, shown, t)] if study and shown else []) + kpi_by_channel(results, group, t)
    sections.append(Section("kpis", t("section.kpis"), (Paragraph(t("kpis.intro")), *kpi_blocks)))
    sections.append(drivers_section(results, group, t))
    if drivers_shown(results, group):
        sections.append(Section("priorities", t("section.priorities"),
                                (Paragraph(t("priorities.intro", k=t.number_word(len(res.settings.drivers_of(group))))),
                                 priority_table(results, group, t))))
        dissatisfiers = dissatisfiers_section(results, group, shown, t)
        if dissatisfiers is not None:
            sections.append(dissatisfiers)
        comparison = versus_rest(results, group, t) if not study else []
        if comparison:
            sections.append(Section("versus", t("versus.title"), tuple(comparison)))
    voice = results.voice.get(group)
    if voice is not None:
        sections.append(Section("voice", t("section.voice"), (voice,)))
    themes = themes_section(results, group, t)
    if themes is not None:
        sections.append(themes)
    trends = trends_section(results, group, shown, t)
    if trends is not None:
        sections.append(trends)
    sections += appendix.sections(results, group, shown, t)
    name = group_label(results, group, t)
    facts = ((t("fact.scope"), name if study else f"{group_header(results, t)}: {name}"),
             (t("fact.respondents"), t.count(usable_sizes(results)[group])),
             (t("fact.used"), t.count(importance_used(results, group))),
             (t("fact.source"), results.source),
             (t("fact.generated"), results.generated),
             (t("fact.seed"), str(res.settings.seed)))
    title = results.title or t("title.default")
    subtitle = t("subtitle.study", n=len(shown)) if study else t("subtitle.group", group=name)
    return ReportContent(lang=lang, scope="study" if study else "group", group=group, slug=slug, title=title,
                         subtitle=subtitle, facts=facts, summary=summary(results, group, t),
                         sections=tuple(sections), footer=f"{title} · {name}", nouns=nouns)


def _channel_limits(results: StudyResults, t: Texts) -> str:
    """' (Wait time and Phone menu apply to the Phone channel only)' for drivers analysed that are limited to channels."""
    about = describe_instrument(results.inst, t.lang)
    return f" ({about.channels})" if set(about.channels_of_driver) & set(results.analysis.settings.drivers) else ""
