"""Supervised theme detection, combined with the lexicon coder: which themes an answer speaks about.

Why a classifier besides the lexicons
-------------------------------------
The lexicon coder (:mod:`analysis.themes.coding`) reached a macro-F1 over the driver
themes of about 0.9 on the answers it was written from, but 0.68 (Dutch) and 0.59
(English) on a set written blind by others (``benchmarks/RESULTS.md``, 'Theme coding'):
its phrases are too specific to the wording of its development material. A
discriminative model that weighs every word and letter sequence of all labelled answers
generalises across writers better than hand-picked phrases, while the lexicon's rules
keep what a bag of words cannot do (negation, irony, polarity per clause). The method
was chosen by **cross-source** validation (train on one labelled source, test on
another writer's; ``benchmarks/bench_themes.py --split cross``), not by development fit.

The model (deterministic; trained at run time from data shipped in the package)
------------------------------------------------------------------------------
* **Training material**: the development answers of ``tests/data/themes``
  (``answers.csv`` and the retired fresh sets; copied to ``data/labelled_<lang>.csv``
  by ``tests/data/themes/ship_training.py``) and every sentence of the simulator's
  phrase bank (:mod:`analysis.simulation.phrases`, one theme and polarity each).
  Never a blind set, never a download.
* **Features**: TF-IDF (sublinear term frequency) of word unigrams and bigrams of
  Snowball stems (the tokens of :func:`analysis.themes.text.tokens`), and of character
  2- to 5-grams within word boundaries of the normalised text, which reach misspellings
  ('wachtijd') and Dutch compounds ('telefoonwachttijd') without rules (Cavnar &
  Trenkle 1994, *N-gram-based text categorization*).
* **Classifier**: one L2-penalised logistic regression per theme (one-vs-rest,
  multi-label; Fan et al. 2008, *LIBLINEAR*, JMLR 9), ``C`` = :data:`C`, classes weighted
  inversely to their frequency (rare themes such as the menu are not drowned). The
  solver is liblinear's dual coordinate descent (Hsieh et al. 2008, ICML; with more
  features than texts it fits in a tenth of a second, against seconds for the primal
  Newton method), its order of coordinates drawn with a fixed ``random_state``: the same
  data give the same model.
* **Combination with the lexicon** (a fixed-weight soft vote, a simple form of stacking,
  Wolpert 1992): a theme is coded when ``p + w * L >= t``, with ``p`` the classifier's
  probability, ``L`` 1 when the lexicon coder found the theme, ``w`` =
  :data:`LEXICON_WEIGHT` and ``t`` = :data:`THRESHOLD`. So the classifier alone needs
  ``p >= 0.5``; a lexicon find is kept unless the classifier gives it less than
  ``t - w`` = 0.15 (which drops the lexicon's over-coding of e.g. English price and
  accessibility). ``w`` and ``t`` were chosen from a small grid by the cross-source
  figure (RESULTS.md, 'Session 5').
* **Polarity**: a theme the lexicon found judged keeps the lexicon's polarity
  (clause-level, negation, irony: :mod:`analysis.themes.coding`). A theme only the
  classifier found, or one the lexicon found without a judging word ('neutral': the
  labelling guide keeps that for mere facts and wishes, which are rare), takes the
  answer's polarity by the lexicon when that is praise or complaint, else the sign of a
  praise-versus-complaint logistic regression on the same features, trained on the
  labelled answers' overall polarity (:func:`sentiment`). Reading the polarity from the
  clause the classifier finds most about the theme was tried and was no better on the
  cross-source folds (RESULTS.md, 'Session 5').
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Sequence

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from analysis.themes.coding import answer_polarity, code_text
from analysis.themes.lexicon import LANGUAGES, THEMES, check_language, load_lexicon
from analysis.themes.text import is_word, normalise, stem, tokens

WORD_NGRAMS = (1, 2)
CHAR_NGRAMS = (2, 5)
CHAR_MIN_DF = 2            # a letter sequence must occur in two training texts
C = 30.0
LEXICON_WEIGHT = 0.35
THRESHOLD = 0.5
RANDOM_STATE = 0           # the order of liblinear's coordinate descent: fixed, so the same data give the same model
MAX_ITER = 1000

Labels = dict[str, str]     # theme -> 'praise' | 'complaint' | 'neutral'


@dataclass(frozen=True, eq=False)
class ThemeModel:
    """A trained theme classifier of one language (see the module docstring)."""
    language: str
    words: TfidfVectorizer
    chars: TfidfVectorizer
    themes: tuple[LogisticRegression | None, ...]   # per theme of THEMES; None: never labelled
    sentiment: LogisticRegression | None            # praise (1) versus complaint (0)
    n_train: int


def _stems(text: str, language: str) -> str:
    return " ".join(stem(w, language) for w in tokens(text, language) if is_word(w))


def _features(model: ThemeModel, texts: Sequence[str]) -> sparse.csr_matrix:
    words = model.words.transform([_stems(t, model.language) for t in texts])
    chars = model.chars.transform([normalise(t) for t in texts])
    return sparse.hstack([words, chars]).tocsr()


def _regression() -> LogisticRegression:
    return LogisticRegression(C=C, solver="liblinear", dual=True, class_weight="balanced", max_iter=MAX_ITER,
                              random_state=RANDOM_STATE)


def train_model(texts: Sequence[str], labels: Sequence[Labels], language: str,
                polarity: Sequence[str] | None = None) -> ThemeModel:
    """Fit the theme classifier on labelled texts (pure; see the module docstring).

    Parameters
    ----------
    texts : sequence of str
    labels : sequence of dict
        Per text, theme -> polarity (``analysis.themes.evaluate.parse_labels``).
    language : {'nl', 'en'}
    polarity : sequence of str, optional
        Per text, the overall polarity ('praise', 'complaint', 'mixed', 'neutral'); texts
        that are praise or complaint train :attr:`ThemeModel.sentiment`. Default: derived
        from the theme labels (all praise, or all complaint).

    Returns
    -------
    ThemeModel
    """
    check_language(language)
    texts = [str(t) for t in texts]
    words = TfidfVectorizer(tokenizer=str.split, token_pattern=None, lowercase=False, ngram_range=WORD_NGRAMS,
                            sublinear_tf=True)
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=CHAR_NGRAMS, min_df=CHAR_MIN_DF, sublinear_tf=True)
    x = sparse.hstack([words.fit_transform([_stems(t, language) for t in texts]),
                       chars.fit_transform([normalise(t) for t in texts])]).tocsr()
    models = []
    for theme in THEMES:
        y = np.array([theme in lab for lab in labels], dtype=int)
        models.append(_regression().fit(x, y) if 0 < y.sum() < len(y) else None)
    if polarity is None:
        polarity = [_overall(lab) for lab in labels]
    judged = np.array([p in ("praise", "complaint") for p in polarity])
    y = np.array([p == "praise" for p in polarity], dtype=int)[judged]
    sentiment = _regression().fit(x[judged], y) if 0 < y.sum() < len(y) else None
    return ThemeModel(language=language, words=words, chars=chars, themes=tuple(models), sentiment=sentiment,
                      n_train=len(texts))


def _overall(labels: Labels) -> str:
    judged = set(labels.values()) - {"neutral"}
    return "mixed" if len(judged) > 1 else judged.pop() if judged else "neutral"


def probabilities(model: ThemeModel, texts: Sequence[str]) -> np.ndarray:
    """Probability of each theme (columns in the order of :data:`THEMES`) for each text."""
    x = _features(model, [str(t) for t in texts])
    out = np.zeros((x.shape[0], len(THEMES)))
    for k, fitted in enumerate(model.themes):
        if fitted is not None and x.shape[0]:
            out[:, k] = fitted.predict_proba(x)[:, 1]
    return out


def sentiment(model: ThemeModel, texts: Sequence[str]) -> np.ndarray:
    """+1 (praise) or -1 (complaint) per text by the sentiment regression (0 without one)."""
    if model.sentiment is None or not len(texts):
        return np.zeros(len(texts), dtype=int)
    return np.where(model.sentiment.predict_proba(_features(model, [str(t) for t in texts]))[:, 1] >= 0.5, 1, -1)


def combine(lexicon_coded: Sequence[tuple[Labels, str]], probs: np.ndarray, signs: np.ndarray,
            weight: float = LEXICON_WEIGHT, threshold: float = THRESHOLD) -> list[tuple[Labels, str]]:
    """The soft vote of classifier and lexicon per answer (see the module docstring).

    Parameters
    ----------
    lexicon_coded : sequence of (dict, str)
        :func:`analysis.themes.coding.code_text`'s result per answer.
    probs : ndarray, shape (n, len(THEMES))
        :func:`probabilities`.
    signs : ndarray, shape (n,)
        :func:`sentiment`: the polarity of a theme only the classifier found, when the
        lexicon's answer polarity is neither praise nor complaint.
    weight, threshold : float

    Returns
    -------
    list of (dict, str)
        Themes with polarity (in the order of :data:`THEMES`) and the answer's polarity.
    """
    out = []
    for (found, overall), p, sign in zip(lexicon_coded, probs, signs):
        themes = {}
        for k, theme in enumerate(THEMES):
            if p[k] + weight * (theme in found) < threshold:
                continue
            if theme in found and found[theme] != "neutral":
                themes[theme] = found[theme]
            elif overall in ("praise", "complaint"):
                themes[theme] = overall
            else:
                themes[theme] = "praise" if sign > 0 else "complaint" if sign < 0 else "neutral"
        # no judged theme: the lexicon's reading of the generic words stands ('Top!', 'Slecht.')
        polarity = answer_polarity(themes, overall if overall in ("praise", "complaint", "neutral") else "neutral")
        out.append((themes, polarity))
    return out


def code_with_model(texts: Sequence[str], model: ThemeModel) -> list[tuple[Labels, str]]:
    """Code answers of one language with the lexicon and ``model`` combined.

    Parameters
    ----------
    texts : sequence of str
    model : ThemeModel
        Of the answers' language (:func:`load_model`, or :func:`train_model`).

    Returns
    -------
    list of (dict, str)
        As :func:`analysis.themes.coding.code_text`, per answer.
    """
    texts = ["" if t is None else str(t) for t in texts]
    lexicon = load_lexicon(model.language)
    lexicon_coded = [code_text(t, lexicon) for t in texts]
    filled = [i for i, t in enumerate(texts) if t.strip()]
    probs = np.zeros((len(texts), len(THEMES)))
    signs = np.zeros(len(texts), dtype=int)
    if filled:
        probs[filled] = probabilities(model, [texts[i] for i in filled])
        signs[filled] = sentiment(model, [texts[i] for i in filled])
    return combine(lexicon_coded, probs, signs)


def code_texts(texts: Sequence[str], language: str) -> list[tuple[Labels, str]]:
    """Code answers of one language with the shipped lexicon and model (see the module docstring).

    Examples
    --------
    >>> code_texts(["Veel te lang in de wacht", "n.v.t."], "nl")
    [({'wait_time': 'complaint'}, 'complaint'), ({}, 'neutral')]
    """
    return code_with_model(texts, load_model(check_language(language)))


def training_material(language: str) -> tuple[list[str], list[Labels], list[str]]:
    """Texts, theme labels and overall polarity the shipped model is trained on (package data only)."""
    from analysis.simulation import phrases      # the phrase bank: labelled sentences, one theme each
    from analysis.themes.evaluate import parse_labels

    check_language(language)
    with resources.files("analysis.themes").joinpath("data", f"labelled_{language}.csv").open(encoding="utf-8") as f:
        table = pd.read_csv(f, dtype=str, keep_default_na=False)
    texts, labels, polarity = list(table["text"]), [parse_labels(c) for c in table["themes"]], list(table["polarity"])
    for bank, tone in ((phrases.PRAISE, "praise"), (phrases.COMPLAINT, "complaint"),
                       (phrases.OTHER_PRAISE, "praise"), (phrases.OTHER_COMPLAINT, "complaint")):
        for theme, sentences in bank[language].items():
            texts += sentences
            labels += [{theme: tone}] * len(sentences)
            polarity += [tone] * len(sentences)
    return texts, labels, polarity


@lru_cache(maxsize=len(LANGUAGES))
def load_model(language: str) -> ThemeModel:
    """The shipped model of ``language``, trained once per process on :func:`training_material`."""
    texts, labels, polarity = training_material(check_language(language))
    return train_model(texts, labels, language, polarity=polarity)
