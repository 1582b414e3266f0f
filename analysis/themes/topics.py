"""'Other themes': recurring topics in the answers the lexicons give no theme.

Non-negative matrix factorisation of the answers' TF-IDF matrix (Lee & Seung 1999,
*Learning the parts of objects by non-negative matrix factorization*, Nature 401;
scikit-learn's ``NMF`` with the deterministic NNDSVD start of Boutsidis & Gallopoulos
2008, so the same answers give the same topics). Terms are Snowball stems of the words
that are not stop words (the lexicon's list); each topic is named by its three heaviest
terms, written as the most frequent word form with that stem. Pure: texts in, tables out.
"""
from __future__ import annotations

from collections import Counter
from typing import Sequence

import warnings

import numpy as np
import pandas as pd

from analysis.themes.lexicon import Lexicon
from analysis.themes.text import NUMBER, is_word, stem, tokens

MIN_ANSWERS = 20          # fewer unthemed answers than this: no topics (nothing recurs reliably)
ANSWERS_PER_TOPIC = 15    # at most one topic per this many answers
MAX_TOPICS = 5
MIN_DOC_FREQ = 3          # a term must occur in this many answers
TOP_TERMS = 3
TOPIC_COLUMNS = ["language", "topic", "label", "terms", "n", "share"]


def _terms(text: str, lexicon: Lexicon, forms: Counter) -> list[str]:
    out = []
    for word in tokens(text, lexicon.language):
        if not is_word(word) or word == NUMBER or len(word) < 3 or word in lexicon.stopwords:
            continue
        s = stem(word, lexicon.language)
        forms[(s, word)] += 1
        out.append(s)
    return out


def discover_topics(texts: Sequence[str], lexicon: Lexicon, *, n_topics: int | None = None,
                    seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """Topics of ``texts`` by NMF on TF-IDF.

    Parameters
    ----------
    texts : sequence of str
        Answers of one language that the lexicon coded with no theme.
    lexicon : Lexicon
        For the stop words, the stemmer and the language.
    n_topics : int, optional
        Default: one per :data:`ANSWERS_PER_TOPIC` answers, at most :data:`MAX_TOPICS`.
    seed : int
        ``random_state`` of the factorisation (NNDSVD makes it deterministic anyway).

    Returns
    -------
    topics : DataFrame
        ``language``, ``topic`` (1, 2, ...), ``label`` (three words), ``terms`` (the
        heaviest stems), ``n`` (answers assigned), ``share`` (of ``texts``). Empty when
        there are fewer than :data:`MIN_ANSWERS` texts or too few recurring terms.
    assignment : ndarray of int
        Per text its topic (0 = none: no recurring term).
    """
    from sklearn.decomposition import NMF
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.feature_extraction.text import TfidfVectorizer

    empty = pd.DataFrame(columns=TOPIC_COLUMNS)
    none = np.zeros(len(texts), dtype=int)
    if len(texts) < MIN_ANSWERS:
        return empty, none
    forms: Counter = Counter()
    docs = [_terms(t, lexicon, forms) for t in texts]
    vectorizer = TfidfVectorizer(analyzer=lambda doc: doc, min_df=MIN_DOC_FREQ)
    try:
        matrix = vectorizer.fit_transform(docs)
    except ValueError:             # no term in MIN_DOC_FREQ answers
        return empty, none
    vocab = vectorizer.get_feature_names_out()
    k = n_topics or min(MAX_TOPICS, len(texts) // ANSWERS_PER_TOPIC)
    k = max(1, min(k, len(vocab) - 1)) if len(vocab) > 1 else 0
    if k == 0:
        return empty, none
    model = NMF(n_components=k, init="nndsvd", random_state=seed, max_iter=2000)
    with warnings.catch_warnings():
        # Few, near-identical answers (a degenerate matrix) stop the iterations early or
        # make the loss undefined; the factors are still usable, and NaN weights count as 0.
        warnings.simplefilter("ignore", category=ConvergenceWarning)
        warnings.simplefilter("ignore", category=RuntimeWarning)
        weights = np.nan_to_num(model.fit_transform(matrix))
    components = np.nan_to_num(model.components_)
    has_term = np.asarray(matrix.sum(axis=1)).ravel() > 0
    assignment = np.where(has_term & (weights.max(axis=1) > 0), weights.argmax(axis=1) + 1, 0)
    surface = {}
    for (s, word), count in sorted(forms.items(), key=lambda kv: (-kv[1], kv[0])):
        surface.setdefault(s, word)
    rows = []
    for j in range(k):
        top = [vocab[i] for i in np.argsort(-components[j], kind="stable")[:TOP_TERMS]
               if components[j, i] > 0]
        n = int((assignment == j + 1).sum())
        rows.append({"language": lexicon.language, "topic": j + 1, "label": ", ".join(surface[s] for s in top),
                     "terms": " ".join(top), "n": n, "share": n / len(texts)})
    topics = pd.DataFrame(rows, columns=TOPIC_COLUMNS)
    topics = topics[topics.n > 0].sort_values(["n", "topic"], ascending=[False, True], kind="stable")
    return topics.reset_index(drop=True), assignment
