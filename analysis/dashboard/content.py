"""What the dashboard shows, as one JSON-ready document: pure, no I/O, no statistics.

Every figure is taken from the results the reports use (:class:`~analysis.drivers.result.DriverAnalysis`
through :class:`analysis.report.scope.StudyResults`) under the reports' privacy rules
(:mod:`analysis.report.scope`): a group with fewer usable respondents than the minimum
is not in the document at all (only its name, in the note that says so), a channel the
reports withhold within a group has no KPI row, a group whose driver analysis used too
few respondents has no priority rows, and the quotes are the reports' masked sample
(:func:`analysis.report.voice.sample_voice`, :func:`analysis.report.privacy.mask_personal_data`).
No respondent-level value is in the document.

Texts are given in both languages (``{"en": ..., "nl": ...}``) so the page can switch
without a round trip; numbers are given as numbers (for the charts) and as text
formatted the reports' way (for hover and tables). With partial pooling (issue 12) the
importance shown is the pooled one, each priority row has the group's own-data figure and
own-data weight beside it, and ``pooling`` the reports' plain sentence on what pooling
means and what it did to each group (:mod:`analysis.report.pooling`).

Views are listed in ``document["views"]``, each present only when its data is: the
waves view (:mod:`analysis.dashboard.waves`) when a trend analysis of two or more waves
is given, the themes view (:mod:`analysis.dashboard.open_answers`) when the open
answers were coded, the customers' words when there are quotes.
"""
from __future__ import annotations

import math

import pandas as pd

from analysis.common.groups import ALL
from analysis.common.outputs import round_floats
from analysis.drivers.plot import importance_shown
from analysis.report.content import KPI_KEYS, KPI_KINDS, no_interval_text
from analysis.report.headline import QUADRANT_CSS
from analysis.report.i18n import LANGUAGES, MISSING, Texts
from analysis.report.pooling import own_sentence, pooled, what_sentence
from analysis.report.scope import (StudyResults, channel_label, channel_sizes, driver_label, drivers_shown,
                                   group_label, group_nouns, shown_groups, withheld_channels)
from analysis.dashboard.open_answers import themes_document
from analysis.dashboard.texts import DASHBOARD_STRINGS, dashboard_text
from analysis.dashboard.waves import waves_document

VIEWS = ("kpis", "priorities", "compare", "waves", "themes", "voice")
# Significant digits of the numbers in the page: beyond any figure's precision, and keeps 200 groups small.
DIGITS = 4


def _both(make) -> dict:
    """``{lang: make(Texts(lang))}`` for every language."""
    return {lang: make(lang) for lang in LANGUAGES}


def _number(x):
    """A float for the page, None for a missing value (None, NaN, pandas' NA) or an infinite one."""
    return None if pd.isna(x) or not math.isfinite(float(x)) else float(x)


def _int(x):
    return None if pd.isna(x) else int(x)


def _with_interval(value: str, interval: str) -> str:
    """'24% (18–30%)'; the value alone when there is no interval."""
    return value if interval == MISSING else f"{value} ({interval})"


def kpi_rows(results: StudyResults, groups: list[str], texts: dict) -> list[dict]:
    """One row per shown group, channel not withheld and KPI of :data:`KPI_KEYS` with answers."""
    k = results.analysis.kpis
    rows = []
    for g in groups:
        part = k[k.group == g]
        small, secondary = withheld_channels(results, g)
        hidden = set(small) | set(secondary)
        sizes = channel_sizes(results.analysis, g)
        for r in part.itertuples():
            if r.channel in hidden or r.key not in KPI_KEYS or not r.n:
                continue
            kind = KPI_KINDS[r.key]
            rows.append({
                "group": g, "channel": r.channel, "key": r.key, "estimate": _number(r.estimate),
                "low": _number(r.ci_low), "high": _number(r.ci_high), "n": int(r.n), "respondents": sizes[r.channel],
                "text": {lang: t.format(kind, r.estimate) for lang, t in texts.items()},
                "interval": {lang: no_interval_text(r.ci_reason, t) or t.format_interval(kind, r.ci_low, r.ci_high)
                             for lang, t in texts.items()},
            })
    return rows


def _own_figures(r, texts: dict) -> dict:
    """A pooled analysis' own-data LMG share and own-data weight of a priority row, as numbers and texts.

    The whole study is not pooled: its own-data figure is its figure and its weight 100%
    (as in ``drivers analyse --json``).
    """
    return {"own_importance": _number(r.own_lmg_pct), "own_weight": _number(r.pooling_weight),
            "own_text": {lang: t.pct(r.own_lmg_pct) for lang, t in texts.items()},
            "weight_text": {lang: t.format("share", r.pooling_weight) for lang, t in texts.items()}}


def priority_rows(results: StudyResults, groups: list[str], texts: dict) -> list[dict]:
    """One row per driver of each group whose driver figures may be shown (the whole study included).

    With partial pooling each row also has the group's own-data figure and own-data
    weight (:func:`_own_figures`), shown beside the pooled importance.
    """
    res = results.analysis
    measure = res.settings.importance
    n_used = res.groups.set_index("group").n_used
    own = pooled(results)
    rows = []
    for g in groups:
        if not drivers_shown(results, g):
            continue
        for r in res.group(g).sort_values("priority").itertuples():
            imp, imp_low, imp_high = importance_shown(r, measure)
            rows.append({
                "group": g, "driver": r.driver, "importance": _number(imp), "importance_low": _number(imp_low),
                "importance_high": _number(imp_high), "performance": _number(r.performance),
                "performance_low": _number(r.performance_ci_low), "performance_high": _number(r.performance_ci_high),
                "rank": _int(r.rank), "rank_low": _int(r.rank_ci_low), "rank_high": _int(r.rank_ci_high),
                "priority": _int(r.priority), "quadrant": r.quadrant if isinstance(r.quadrant, str) else None,
                "n": int(n_used[g]),
                "importance_text": {lang: _with_interval(t.pct(imp), t.pct_interval(imp_low, imp_high))
                                    for lang, t in texts.items()},
                "performance_text": {lang: _with_interval(t.num(r.performance),
                                                          t.interval(r.performance_ci_low, r.performance_ci_high))
                                     for lang, t in texts.items()},
                "rank_text": {lang: _with_interval(t.count(r.rank), t.rank_interval(r.rank_ci_low, r.rank_ci_high))
                              for lang, t in texts.items()},
                **(_own_figures(r, texts) if own else {}),
            })
    return rows


def crosshairs(results: StudyResults, groups: list[str], texts: dict) -> dict:
    """Where each group's quadrants meet, and the sentence that says so."""
    res = results.analysis
    table = res.groups.set_index("group")
    out = {}
    for g in groups:
        if not drivers_shown(results, g):
            continue
        row = table.loc[g]
        out[g] = {"importance": _number(row.crosshair_importance), "performance": _number(row.crosshair_performance),
                  "text": {lang: dashboard_text("priorities.crosshair", t,
                                                crosshair=t("crosshair." + res.settings.crosshair),
                                                imp=t.pct(row.crosshair_importance),
                                                perf=t.num(row.crosshair_performance))
                           for lang, t in texts.items()}}
    return out


def pooling_document(results: StudyResults, groups: list[str], texts: dict) -> dict:
    """What the page says about pooling: the reports' sentences (:mod:`analysis.report.pooling`).

    ``asked`` and ``used`` are the analysis' pooling settings; ``what`` the plain sentence
    on what pooling means (or why nothing was pooled; empty with ``pooling='none'``);
    ``groups`` what pooling did to each group shown ('Here its own data weigh 13% ...';
    the whole study: not pooled), for the groups that have such a sentence.
    """
    s = results.analysis.settings
    by_group = {g: {lang: own_sentence(results, g, t) for lang, t in texts.items()} for g in groups}
    return {"asked": s.pooling, "used": s.pooling_used,
            "what": {lang: what_sentence(results, t) for lang, t in texts.items()},
            "groups": {g: sentences for g, sentences in by_group.items() if any(sentences.values())}}


def voice_document(voices: dict, groups: list[str]) -> dict:
    """The masked quotes per group and language: ``{group: {lang: [{title, description, quotes}]}}``.

    ``voices`` is ``{lang: {group: Voice}}`` from :func:`analysis.report.voice.sample_voice`.
    Only the masked text and its line of context (NPS, channel) are kept; never the
    respondent's id.
    """
    out = {}
    for g in groups:
        per_lang = {}
        for lang, by_group in voices.items():
            voice = by_group.get(g)
            if voice is None:
                continue
            per_lang[lang] = [{"key": q.key, "title": q.title, "description": q.description,
                               "quotes": [{"text": x.text, "meta": x.meta} for x in q.quotes]}
                              for q in voice.groups]
        if per_lang:
            out[g] = per_lang
    return out


def dashboard_content(results: StudyResults, *, voices: dict | None = None, lang: str = "en",
                      study_trends=None) -> dict:
    """The dashboard document of a study: every number, label and text the page shows.

    Parameters
    ----------
    results : StudyResults
        The analysis, the instrument, the minimum group size and the groups withheld
        before analysing, as for the reports.
    voices : dict, optional
        ``{lang: {group: Voice}}``: the masked quotes (none without).
    study_trends : TrendAnalysis, optional
        The whole study's waves (its groups all ``'all'``), beside ``results.trends``
        by the page's groups.
    lang : {'nl', 'en'}
        The language the page opens in (both are in the document).

    Returns
    -------
    dict
        JSON-ready: ``meta``, ``text``, ``groups``, ``withheld``, ``drivers``,
        ``channels``, ``kpis``, ``priorities``, ``crosshairs``, ``quadrants``, ``pooling``
        (:func:`pooling_document`), ``voice``, ``waves`` and ``themes`` (None without), ``views``.
    """
    res = results.analysis
    s = res.settings
    shown, withheld = shown_groups(results)
    groups = [ALL, *shown] if s.by is not None else [ALL]
    texts = {code: Texts(code, nouns=group_nouns(results, code)) for code in LANGUAGES}
    level = round(100 * s.level)
    kpis = kpi_rows(results, groups, texts)
    priorities = priority_rows(results, groups, texts)
    voice = voice_document(voices or {}, groups)
    channels = sorted({r["channel"] for r in kpis}, key=lambda c: (c != ALL, c))
    n_used = channel_sizes(res, ALL).get(ALL, 0)
    doc = {
        "lang": lang,
        "languages": list(LANGUAGES),
        "meta": {"by": s.by, "seed": s.seed, "resamples": s.n_resamples, "level": level, "outcome": s.outcome,
                 "importance": s.importance, "crosshair": s.crosshair, "pooling": s.pooling_used, "n": n_used,
                 "min_group_n": results.min_group_n,
                 "source": results.source, "generated": results.generated},
        "text": {key: {code: dashboard_text(key, t, level=level, n=results.min_group_n, seed=s.seed,
                                            respondents=t.count(n_used), resamples=t.count(s.n_resamples),
                                            groups=t.count(len(shown)),
                                            date=results.generated, source=results.source)
                       for code, t in texts.items()} for key in DASHBOARD_STRINGS},
        "groups": [{"key": g, "label": {code: group_label(results, g, t) for code, t in texts.items()},
                    "drivers": drivers_shown(results, g)} for g in groups],
        "withheld": {code: (dashboard_text("withheld.groups", t, n=results.min_group_n,
                                           groups=", ".join(group_label(results, g, t) for g in withheld))
                            if withheld else "") for code, t in texts.items()},
        "drivers": [{"key": d, "label": {code: driver_label(results, d, t) for code, t in texts.items()}}
                    for d in s.drivers],
        "channels": {c: {code: channel_label(results, c, t) for code, t in texts.items()} for c in channels},
        "kpi_keys": [key for key in KPI_KEYS if any(r["key"] == key for r in kpis)],
        "kpi_labels": {key: {code: t("kpi." + key) for code, t in texts.items()} for key in KPI_KEYS},
        "kpis": kpis,
        "priorities": priorities,
        "crosshairs": crosshairs(results, groups, texts),
        "quadrants": {q: {"css": QUADRANT_CSS[q], "label": {code: t("quadrant." + q) for code, t in texts.items()}}
                      for q in QUADRANT_CSS},
        "columns": {key: {code: t(key) for code, t in texts.items()}
                    for key in ("col.driver", "col.importance." + s.importance, "col.performance", "col.quadrant",
                                "col.rank", "col.priority", "col.channel", "figure.priorities.x",
                                "channel.all", "scope.study", "col.own_lmg", "col.own_weight")},
        "pooling": pooling_document(results, groups, texts),
        "voice": voice,
        "waves": waves_document([study_trends, results.trends], groups, texts, results.min_group_n, list(s.drivers)),
        "themes": themes_document(results, groups, texts),
    }
    present = {"waves": bool(doc["waves"]), "themes": bool(doc["themes"]), "voice": bool(voice)}
    doc["views"] = [v for v in VIEWS if present.get(v, True)]
    return round_floats(doc, DIGITS)
