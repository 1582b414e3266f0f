"""Theme coding of a study's open 'why' answers, and what it says per group, quadrant and score.

``code_themes`` codes every answer (lexicon rules and a trained classifier combined,
:func:`analysis.themes.classifier.code_texts`);
``analyse_themes`` adds theme frequencies per group (organisation), per quadrant of
the priority matrix, theme x NPS group (which themes go with detractors), the
representative answers behind each priority driver, and the 'other themes' of the
answers the lexicons leave uncoded (:func:`analysis.themes.topics.discover_topics`).
Pure: no file is read or written here (the lexicons are package data, read once).
"""
from __future__ import annotations

import zlib

import numpy as np
import pandas as pd

from analysis.common.groups import ALL
from analysis.common.options import validate_options
from analysis.drivers.kpis import NPS_DETRACTOR, NPS_PROMOTER
from analysis.scoring.sample import select_respondents
from analysis.themes.classifier import code_texts
from analysis.themes.lexicon import DRIVER_THEMES, LANGUAGES, THEMES, load_lexicon
from analysis.themes.result import ThemeAnalysis
from analysis.themes.text import tokens
from analysis.themes.topics import TOPIC_COLUMNS, discover_topics

NPS_GROUPS = ("promoters", "passives", "detractors")
NO_ANSWER = "no open answer"
TOP_PRIORITIES = 3


def open_question_id(inst) -> str | None:
    """The id of the questionnaire's open 'why' question (None without one)."""
    return next((q.id for q in inst.questions if q.type == "open"), None)


def detect_language(text: str, default: str) -> str:
    """'nl' or 'en' by the lexicons' stop words in the answer (``default`` on a tie).

    Short answers in a bilingual study are often one or two words; the stop-word count
    (Grefenstette 1995, 'Comparing two language identification schemes') is a simple,
    deterministic rule that needs no model.
    """
    lists = {lang: load_lexicon(lang).stopwords for lang in LANGUAGES}
    shared = frozenset.intersection(*lists.values())      # 'was', 'die', 'in' tell nothing
    counts = {}
    for lang in LANGUAGES:
        counts[lang] = sum(w in lists[lang] and w not in shared for w in tokens(text, lang))
    best = max(counts.values())
    winners = [lang for lang, c in counts.items() if c == best]
    return default if len(winners) > 1 else winners[0]


@validate_options("language")
def code_themes(data: pd.DataFrame, inst, *, language: str = "auto") -> pd.DataFrame:
    """Code every non-empty open answer: themes with polarity, and the answer's polarity.

    Parameters
    ----------
    data : DataFrame
        Clean responses (:func:`instrument.read_responses`) with the open question's column.
    inst : Instrument
    language : {'auto', 'nl', 'en'}, default 'auto'
        The answers' language; 'auto' decides per answer (:func:`detect_language`,
        ties go to the questionnaire's source language).

    Returns
    -------
    DataFrame
        One row per non-empty answer (the index of ``data``): ``respondent_id``,
        ``language``, ``polarity`` ('praise', 'complaint', 'mixed', 'neutral'),
        ``n_themes``, and one column per theme (:data:`~analysis.themes.lexicon.THEMES`)
        holding the theme's polarity or missing when the answer does not speak of it.

    Examples
    --------
    >>> import pandas as pd
    >>> from instrument import load_instrument
    >>> df = pd.DataFrame({"respondent_id": ["a", "b"],
    ...                    "why": ["Veel te lang in de wacht gestaan", "The agent was friendly"]})
    >>> coded = code_themes(df, load_instrument())
    >>> coded["language"].tolist(), coded.loc[0, "wait_time"], coded.loc[1, "empathy"]
    (['nl', 'en'], 'complaint', 'praise')
    >>> coded["empathy"].isna().tolist()
    [True, False]
    """
    why = open_question_id(inst)
    columns = ["respondent_id", "language", "polarity", "n_themes", *THEMES]
    if why is None or why not in data.columns:
        return pd.DataFrame(columns=columns)
    text = data[why].astype("string").str.strip()
    answered = text.fillna("") != ""
    default = getattr(inst, "source_language", "nl")
    default = default if default in LANGUAGES else "nl"
    answers = text[answered]
    langs = pd.Series([detect_language(a, default) if language == "auto" else language for a in answers],
                      index=answers.index, dtype=object)
    coded = {}
    for lang in LANGUAGES:
        # one batch per language: the classifier scores all its answers at once
        part = answers[langs == lang]
        if len(part):
            coded.update(zip(part.index, code_texts(list(part), lang)))
    rows = []
    for index in answers.index:
        themes, polarity = coded[index]
        rows.append({"respondent_id": str(data.at[index, "respondent_id"]), "language": langs.at[index],
                     "polarity": polarity, "n_themes": len(themes), **themes})
    out = pd.DataFrame(rows, index=answers.index, columns=columns)
    out[list(THEMES)] = out[list(THEMES)].astype("string")
    return out


def _nps_group(score) -> str | None:
    if score is None or pd.isna(score):
        return None
    return "promoters" if score >= NPS_PROMOTER else "detractors" if score <= NPS_DETRACTOR else "passives"


def _frequency(coded: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Mentions per theme within each combination of ``keys`` (shares of the answers there)."""
    rows = []
    for key, part in coded.groupby(keys, sort=False, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        n = len(part)
        for theme in THEMES:
            col = part[theme]
            rows.append({**dict(zip(keys, key)), "theme": theme, "driver": theme in DRIVER_THEMES,
                         "n_answers": n, "n": int(col.notna().sum()), "share": col.notna().sum() / n if n else np.nan,
                         "n_complaint": int((col == "complaint").sum()), "n_praise": int((col == "praise").sum()),
                         "complaint_share": (col == "complaint").sum() / col.notna().sum() if col.notna().any()
                         else np.nan})
    return pd.DataFrame(rows)


def _with_all(coded: pd.DataFrame, by: str | None) -> pd.DataFrame:
    """The coded answers with ``group``, each also once more under ``'all'``."""
    one = coded.assign(group=coded["group"].astype("string")) if by else coded.iloc[0:0]
    return pd.concat([one, coded.assign(group=ALL)], ignore_index=False)


def _quadrants(analysis, coded_all: pd.DataFrame) -> pd.DataFrame:
    """Driver-theme mentions per priority-matrix quadrant of each group."""
    columns = ["group", "quadrant", "drivers", "n_answers", "n", "share", "n_complaint", "complaint_share"]
    if analysis is None:
        return pd.DataFrame(columns=columns)
    imp = analysis.importance
    rows = []
    for group, part in coded_all.groupby("group", sort=False):
        table = imp[imp.group.astype(str) == str(group)]
        for quadrant, drivers in table.groupby("quadrant", sort=False)["driver"]:
            themes = [d for d in drivers if d in THEMES]
            if not themes:
                continue
            cells = part[themes]
            mentioned = cells.notna().any(axis=1)
            complaint = (cells == "complaint").any(axis=1)
            rows.append({"group": group, "quadrant": quadrant, "drivers": ", ".join(themes), "n_answers": len(part),
                         "n": int(mentioned.sum()), "share": mentioned.mean() if len(part) else np.nan,
                         "n_complaint": int(complaint.sum()),
                         "complaint_share": complaint.sum() / mentioned.sum() if mentioned.any() else np.nan})
    return pd.DataFrame(rows, columns=columns)


def representative(coded: pd.DataFrame, texts: pd.Series, theme: str, k: int, seed: int, key: str) -> list:
    """Index labels of up to ``k`` answers that stand for ``theme``'s complaints.

    Preferred: answers complaining about the theme and speaking of few other themes
    (a focused answer says what the theme means to customers), of a length near the
    median of those answers (neither a one-word nor a letter-long answer); ties are
    broken by a draw seeded with ``seed`` and ``key``, so the choice is reproducible.
    With no complaint, praise stands in.
    """
    for polarity in ("complaint", "praise"):
        part = coded[coded[theme] == polarity]
        if len(part):
            break
    else:
        return []
    lengths = texts.loc[part.index].str.len().astype(float)
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(zlib.crc32(key.encode()),)))
    order = pd.DataFrame({"others": part["n_themes"].to_numpy() - 1,
                          "distance": (lengths - lengths.median()).abs().to_numpy(),
                          "draw": rng.random(len(part))}, index=part.index)
    return list(order.sort_values(["others", "distance", "draw"], kind="stable").index[:k])


@validate_options("language", "seed")
def analyse_themes(data: pd.DataFrame, inst, *, by: str | None = None, analysis=None, language: str = "auto",
                   seed: int | None = 0, quotes: int = 3) -> ThemeAnalysis:
    """What the open answers say: themes per group, per priority quadrant and per NPS group.

    Parameters
    ----------
    data : DataFrame
        Clean responses (:func:`instrument.read_responses`).
    inst : Instrument
    by : str, optional
        Grouping column (e.g. 'organisation'); with ``analysis``, taken from its settings.
    analysis : DriverAnalysis, optional
        Gives the quadrant and priority of each driver per group; without it there are
        no quadrant figures and no priority quotes.
    language : {'auto', 'nl', 'en'}, default 'auto'
        See :func:`code_themes`.
    seed : int, default 0
        For the topic model and the tie-breaking draw among representative answers.
    quotes : int, default 3
        Representative answers per priority driver (the report masks them).

    Returns
    -------
    ThemeAnalysis

    Notes
    -----
    Flagged respondents (straight-liners, speeders, too many missing) and, with ``by``,
    those without a group are left out (:func:`analysis.scoring.sample.select_respondents`),
    as are respondents without an open answer; ``excluded`` gives each with a reason.
    """
    by = analysis.settings.by if analysis is not None else by
    seed = 0 if seed is None else seed
    selection = select_respondents(data, by=by)
    kept = selection.kept
    coded = code_themes(kept, inst, language=language)
    why = open_question_id(inst)
    unanswered = kept.loc[~kept.index.isin(coded.index)]
    excluded = pd.concat([selection.excluded,
                          pd.DataFrame({"respondent_id": unanswered["respondent_id"].astype(str).to_numpy(),
                                        "group": unanswered[by].astype(str).to_numpy() if by else None,
                                        "reason": NO_ANSWER})], ignore_index=True)
    coded["group"] = kept.loc[coded.index, by].astype(str) if by else ALL
    nps = inst.question_for("nps")
    coded["nps_group"] = (kept.loc[coded.index, nps.id].map(_nps_group) if nps is not None and nps.id in kept
                          else None)
    coded_all = _with_all(coded, by)
    frequency = _frequency(coded_all, ["group"])
    scored = coded_all[coded_all["nps_group"].notna()]
    by_score = _frequency(scored, ["group", "nps_group"]) if len(scored) else pd.DataFrame()
    quadrants = _quadrants(analysis, coded_all)
    texts = kept.loc[coded.index, why].astype("string").str.strip() if why else pd.Series(dtype="string")
    chosen = []
    if analysis is not None:
        imp = analysis.importance
        for group, part in coded_all.groupby("group", sort=False):
            top = imp[(imp.group.astype(str) == str(group)) & (imp.priority <= TOP_PRIORITIES)].sort_values("priority")
            for row in top.itertuples():
                if row.driver not in THEMES:
                    continue
                picked = representative(part.loc[~part.index.duplicated()], texts, row.driver, quotes, seed,
                                        f"{group}|{row.driver}")
                chosen += [{"group": group, "driver": row.driver, "priority": int(row.priority),
                            "respondent_id": coded.at[i, "respondent_id"], "polarity": coded.at[i, row.driver],
                            "nps_group": coded.at[i, "nps_group"], "text": texts.at[i]} for i in picked]
    other = []
    for lang in LANGUAGES:
        unthemed = coded[(coded["language"] == lang) & (coded["n_themes"] == 0)]
        topics, _ = discover_topics(list(texts.loc[unthemed.index]), load_lexicon(lang), seed=seed)
        other.append(topics)
    other_themes = pd.concat([t for t in other if len(t)], ignore_index=True) if any(len(t) for t in other) \
        else pd.DataFrame(columns=TOPIC_COLUMNS)
    return ThemeAnalysis(coded=coded.reset_index(drop=True), frequency=frequency, by_score=by_score,
                         by_quadrant=quadrants,
                         quotes=pd.DataFrame(chosen, columns=["group", "driver", "priority", "respondent_id",
                                                              "polarity", "nps_group", "text"]),
                         other_themes=other_themes, excluded=excluded, by=by, language=language, seed=seed)
