"""The dashboard's themes view: what the open 'why' answers say, per group, polarity and NPS group (pure).

From the reports' :class:`analysis.themes.result.ThemeAnalysis` (``StudyResults.themes``)
under the reports' rules (:mod:`analysis.report.themes_section`): only the groups the
page shows (groups below the minimum are not in the data the themes were coded from),
and the representative answers of each group's priority drivers exactly as the reports
quote them (:func:`analysis.report.themes_section.theme_quotes`: respondents the
analysis excluded are never quoted, every quote masked and cut; the page shows them as
text). No respondent id and no unmasked answer is in the document.
"""
from __future__ import annotations

import math

import pandas as pd

from analysis.dashboard.tables import columnar
from analysis.report.scope import StudyResults
from analysis.report.themes_section import theme_label, theme_quotes
from analysis.themes.lexicon import THEMES

NPS_GROUPS = ("promoters", "detractors")
FREQUENCY_COLUMNS = ("group", "theme", "n", "share", "complaint", "praise", "complaint_share")
SCORE_COLUMNS = ("group", "theme", "nps_group", "share", "n_answers")
POLARITIES = ("complaint", "praise", "other")


def polarity_label(p: str, t) -> str:
    """How a theme's mention is said: 'complaint', 'praise', or 'mixed / neutral' (``p='other'``)."""
    return f"{t('polarity.mixed')} / {t('polarity.neutral')}" if p == "other" else t("polarity." + p)


def _share(x):
    return None if x is None or pd.isna(x) or not math.isfinite(float(x)) else float(x)


def _quotes(results: StudyResults, group: str, texts: dict, metas: list) -> dict:
    """``{driver: {"priority": k, "quotes": [[text, meta]]}}`` of one group.

    ``meta`` indexes ``metas``, the distinct lines of context (``{lang: text}``; appended to).
    """
    per_lang = {lang: theme_quotes(results, group, t) for lang, t in texts.items()}
    first = next(iter(per_lang.values()))
    if first is None:
        return {}
    out = {}
    for i, part in enumerate(first.groups):
        driver = part.key.removeprefix("theme-")
        priority = results.themes.quotes
        priority = priority[(priority.group == group) & (priority.driver == driver)].priority
        out[driver] = {"priority": int(priority.iloc[0]) if len(priority) else None,
                       "quotes": [[q.text, _index(metas, {lang: v.groups[i].quotes[j].meta
                                                          for lang, v in per_lang.items()})]
                                  for j, q in enumerate(part.quotes)]}
    return out


def _index(items: list, item) -> int:
    if item not in items:
        items.append(item)
    return items.index(item)


def themes_document(results: StudyResults, groups: list[str], texts: dict) -> dict | None:
    """The themes view's rows: ``themes``, ``labels``, ``answers``, ``frequency``, ``by_score``, ``quotes``.

    Parameters
    ----------
    results : StudyResults
        With ``themes`` (None: no view).
    groups : list of str
        The groups the page shows.
    texts : dict
        ``{lang: Texts}``.

    Returns
    -------
    dict or None
        None without coded open answers. ``frequency``: per group and theme mentioned,
        the share of the group's answers that mention it (``share``) as a complaint
        (``complaint``), as praise (``praise``) or otherwise (mixed or neutral);
        ``by_score``: the share of promoters' and detractors' answers mentioning it
        (both by column: :func:`analysis.dashboard.tables.columnar`); ``quotes``:
        ``{group: {driver: {priority, quotes: [[text, meta]]}}}``, ``meta`` an index of
        ``metas`` (each line of context once, ``{lang: text}``).
    """
    res = results.themes
    if res is None or not len(res.frequency):
        return None
    shown = set(groups)
    freq = res.frequency[res.frequency.group.astype(str).isin(shown) & (res.frequency.n > 0)]
    if not len(freq):
        return None
    themes = [th for th in THEMES if (freq.theme == th).any()]
    answers = {str(g): int(n) for g, n in res.frequency.groupby("group", sort=False).n_answers.max().items()
               if str(g) in shown}
    frequency = [{"group": str(r.group), "theme": r.theme, "n": int(r.n), "share": _share(r.share),
                  "complaint": _share(r.n_complaint / r.n_answers), "praise": _share(r.n_praise / r.n_answers),
                  "complaint_share": _share(r.complaint_share)} for r in freq.itertuples()]
    by_score = []
    if len(res.by_score):
        s = res.by_score[res.by_score.group.astype(str).isin(shown) & res.by_score.nps_group.isin(NPS_GROUPS)
                         & res.by_score.theme.isin(themes)]
        by_score = [{"group": str(r.group), "theme": r.theme, "nps_group": r.nps_group, "share": _share(r.share),
                     "n_answers": int(r.n_answers)} for r in s.itertuples()]
    metas: list = []
    quotes = {g: q for g in groups if (q := _quotes(results, g, texts, metas))}
    return {
        "themes": themes,
        "labels": {th: {lang: theme_label(results, th, t) for lang, t in texts.items()} for th in themes},
        "polarity": {p: {lang: polarity_label(p, t) for lang, t in texts.items()} for p in POLARITIES},
        "nps_groups": {g: {lang: t("voice." + g) for lang, t in texts.items()} for g in NPS_GROUPS},
        "answers": answers,
        "frequency": columnar(frequency, FREQUENCY_COLUMNS),
        "by_score": columnar(by_score, SCORE_COLUMNS),
        "quotes": quotes,
        "metas": metas,
        "groups": [g for g in groups if g in answers],
    }
