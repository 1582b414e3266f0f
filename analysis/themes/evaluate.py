"""Agreement of coded themes with hand labels: per-theme precision, recall, F1; macro-F1.

Pure functions on label lists, used by ``benchmarks/bench_themes.py`` and the tests.
Precision, recall and F1 per theme treat each theme as a yes/no label of each answer
(multi-label evaluation, Sokolova & Lapalme 2009, *A systematic analysis of performance
measures for classification tasks*, Information Processing & Management 45(4)); the
macro-F1 is the unweighted mean of the per-theme F1 over the themes asked for.
"""
from __future__ import annotations

from typing import Iterable, Sequence

import pandas as pd

from analysis.themes.lexicon import DRIVER_THEMES, THEMES


def parse_labels(cell: str) -> dict[str, str]:
    """'empathy:praise;wait_time:complaint' -> {'empathy': 'praise', 'wait_time': 'complaint'}."""
    out = {}
    for item in str(cell or "").split(";"):
        if item.strip():
            theme, _, polarity = item.partition(":")
            out[theme.strip()] = polarity.strip() or "neutral"
    return out


def theme_scores(truth: Sequence[dict], coded: Sequence[dict], themes: Iterable[str] = THEMES) -> pd.DataFrame:
    """Per-theme support, precision, recall, F1 and polarity agreement.

    Parameters
    ----------
    truth, coded : sequences of dict
        Per answer, theme -> polarity (hand labels and the method's), same order.
    themes : iterable of str

    Returns
    -------
    DataFrame
        One row per theme: ``support`` (answers labelled with it), ``coded`` (answers
        the method gave it), ``tp``, ``precision``, ``recall``, ``f1`` and
        ``polarity_agreement`` (share of true positives with the labelled polarity).
        A precision or recall with a zero denominator is 0 (and so is F1).
    """
    rows = []
    for theme in themes:
        tp = sum(theme in t and theme in c for t, c in zip(truth, coded))
        same = sum(theme in t and theme in c and t[theme] == c[theme] for t, c in zip(truth, coded))
        support = sum(theme in t for t in truth)
        found = sum(theme in c for c in coded)
        precision = tp / found if found else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        rows.append({"theme": theme, "support": support, "coded": found, "tp": tp, "precision": precision,
                     "recall": recall, "f1": f1, "polarity_agreement": same / tp if tp else float("nan")})
    return pd.DataFrame(rows)


def macro_f1(scores: pd.DataFrame, themes: Iterable[str] = DRIVER_THEMES) -> float:
    """Unweighted mean F1 over ``themes`` (default: the seven drivers)."""
    wanted = list(themes)
    return float(scores.set_index("theme").loc[wanted, "f1"].mean())


def polarity_accuracy(truth: Sequence[str], coded: Sequence[str]) -> float:
    """Share of answers whose overall polarity (praise/complaint/mixed/neutral) agrees."""
    pairs = list(zip(truth, coded))
    return sum(a == b for a, b in pairs) / len(pairs) if pairs else float("nan")


def unsupported_phrases(spec: dict, texts: Sequence[str], language: str) -> list[tuple[str, str, str]]:
    """Lexicon phrases that match none of ``texts``: (section, key, phrase).

    The audit of the lexicons (``tests/data/themes/GUIDE.md``, 'Split'): every phrase of
    the shipped lexicons must be supported by at least one development answer or sentence
    of the simulator's phrase bank, so that nothing in them was taken from a blind set. Negators
    and contrast words (closed word classes) are not checked.
    """
    from analysis.themes.coding import _prepare, find
    from analysis.themes.lexicon import build_lexicon, parse_phrase

    lexicon = build_lexicon(spec, language)
    clauses = [clause for text in texts for clause in _prepare(str(text), lexicon)]
    # Phrases may cross a clause boundary only by design (they never do), so clause-wise matching suffices.
    sections = [("sentiment", key, spec["sentiment"][key]) for key in ("praise", "complaint")]
    sections.append(("irony", "", spec.get("irony") or []))
    sections.append(("promise", "", spec.get("promise") or []))
    for theme, entry in spec["themes"].items():
        sections += [(theme, key, entry.get(key) or []) for key in
                     ("cues", "praise", "complaint", "context_praise", "context_complaint")]
    missing = []
    for section, key, phrases in sections:
        for phrase in phrases:
            pattern = parse_phrase(str(phrase), language)
            if not any(find([pattern], clause) for clause in clauses):
                missing.append((section, key, str(phrase)))
    return missing
