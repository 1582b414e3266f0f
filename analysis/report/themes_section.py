"""The report section on the open answers' themes (:mod:`analysis.themes`): pure, no I/O.

Shows, for one group (or the study): how often each theme is mentioned and how often
as a complaint, among promoters and among detractors; the driver themes per quadrant of
the priority matrix; two or three representative answers for each priority driver; and
(study report) the 'other themes' the lexicons miss. The privacy rules of the voice
section apply (:mod:`analysis.report.voice`): groups below the minimum size get no
report; respondents excluded as flagged, without a group or in a group too small for
the importance analysis are never quoted; every quote is masked
(:func:`analysis.report.privacy.mask_personal_data`), cut to
:data:`~analysis.report.voice.MAX_QUOTE_CHARS` and rendered as text (escaped).
"""
from __future__ import annotations

from analysis.common.groups import ALL
from analysis.report.blocks import Column, Paragraph, Quote, QuoteGroup, Section, Table, Voice
from analysis.report.i18n import Texts
from analysis.report.privacy import mask_personal_data
from analysis.report.scope import StudyResults, driver_label
from analysis.report.voice import MAX_QUOTE_CHARS, NOT_QUOTED
from analysis.themes.lexicon import DRIVER_THEMES


def theme_label(results: StudyResults, theme: str, t: Texts) -> str:
    """A driver's questionnaire label, or the report text of another theme."""
    if theme in DRIVER_THEMES and theme in {c.key for c in results.inst.constructs}:
        return driver_label(results, theme, t)
    return t("theme." + theme)


def _frequency_table(results: StudyResults, group: str, t: Texts) -> Table:
    res = results.themes
    freq = res.frequency[res.frequency.group == group].set_index("theme")
    score = res.by_score[res.by_score.group == group] if len(res.by_score) else None
    rows = []
    for theme, r in freq.sort_values(["n"], ascending=False, kind="stable").iterrows():
        if r.n == 0:
            continue
        row = {"group": group, "theme": theme_label(results, theme, t), "n": int(r.n), "share": r.share,
               "complaint_share": r.complaint_share}
        for nps in ("promoters", "detractors"):
            hit = score[(score.theme == theme) & (score.nps_group == nps)] if score is not None else []
            row[nps] = float(hit.share.iloc[0]) if len(hit) else None
        rows.append(row)
    columns = (Column("theme", t("col.theme")), Column("n", t("col.mentions"), "count"),
               Column("share", t("col.share_answers"), "share"), Column("complaint_share", t("col.complaint_share"), "share"),
               Column("promoters", t("col.share_promoters"), "share"),
               Column("detractors", t("col.share_detractors"), "share"))
    n = int(freq.n_answers.iloc[0]) if len(freq) else 0
    return Table(name="themes", title=t("themes.table", n=t.count(n)), columns=columns, rows=tuple(rows),
                 note=t("themes.table_note"))


def _quadrant_table(results: StudyResults, group: str, t: Texts) -> Table | None:
    q = results.themes.by_quadrant
    q = q[q.group == group]
    if not len(q):
        return None
    rows = tuple({"group": group, "quadrant": t("quadrant." + r.quadrant),
                  "drivers": ", ".join(theme_label(results, d, t) for d in r.drivers.split(", ")),
                  "share": r.share, "complaint_share": r.complaint_share} for r in q.itertuples())
    columns = (Column("quadrant", t("col.quadrant")), Column("drivers", t("col.drivers")),
               Column("share", t("col.share_answers"), "share"),
               Column("complaint_share", t("col.complaint_share"), "share"))
    return Table(name="themes_quadrants", title=t("themes.quadrants"), columns=columns, rows=rows)


def theme_quotes(results: StudyResults, group: str, t: Texts) -> Voice | None:
    """The masked representative answers of each priority driver of ``group`` (None when there are none)."""
    res = results.themes
    quotes = res.quotes[res.quotes.group == group]
    excluded = results.analysis.excluded
    never = set(excluded.respondent_id[excluded.code.astype(str).isin(NOT_QUOTED)].astype(str))
    quotes = quotes[~quotes.respondent_id.astype(str).isin(never)]
    if not len(quotes):
        return None
    language = res.coded.set_index("respondent_id")["language"]
    groups = []
    for driver, part in quotes.groupby("driver", sort=False):
        shown = []
        for q in part.itertuples():
            masked = mask_personal_data(str(q.text).strip(), str(language.get(q.respondent_id, t.lang)),
                                        results.extra_names)
            if len(masked) > MAX_QUOTE_CHARS:
                masked = masked[:MAX_QUOTE_CHARS].rsplit(" ", 1)[0] + " …"
            meta = " · ".join(filter(None, [t("voice." + q.nps_group) if isinstance(q.nps_group, str) else "",
                                            t("polarity." + q.polarity)]))
            shown.append(Quote(text=masked, meta=meta, respondent=str(q.respondent_id)))
        priority = int(part.priority.iloc[0])
        groups.append(QuoteGroup(key=f"theme-{driver}", title=t("themes.quotes_title", k=priority,
                                                               driver=theme_label(results, driver, t)),
                                 description=t("themes.quotes_count", n=len(shown)), quotes=tuple(shown)))
    return Voice(groups=tuple(groups), note=t("themes.quotes_note"))


def themes_section(results: StudyResults, group: str, t: Texts) -> Section | None:
    """The themes section of one report (None when the study has no coded open answers)."""
    res = results.themes
    if res is None or not len(res.frequency) or not (res.frequency.group == group).any():
        return None
    blocks: list = [Paragraph(t("themes.intro"))]
    blocks.append(_frequency_table(results, group, t))
    quadrant = _quadrant_table(results, group, t)
    if quadrant is not None:
        blocks.append(quadrant)
    voice = theme_quotes(results, group, t)
    if voice is not None:
        blocks.append(voice)
    other = res.other_themes
    if group == ALL and len(other):
        rows = tuple({"label": r.label, "language": t("language." + r.language), "n": int(r.n), "share": r.share}
                     for r in other.itertuples())
        blocks.append(Table(name="other_themes", title=t("themes.other"),
                            columns=(Column("label", t("col.topic_words")), Column("language", t("col.language")),
                                     Column("n", t("col.answers"), "count"),
                                     Column("share", t("col.share_unthemed"), "share")),
                            rows=rows, note=t("themes.other_note")))
    return Section("themes", t("section.themes"), tuple(blocks))
