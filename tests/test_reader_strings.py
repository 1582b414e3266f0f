"""The Arrow checks of whole text columns give exactly Python's answers (instrument.reader.strings)."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from instrument.reader.strings import PYTHON_ASCII_SPACE, blank_strings, strip_texts, whole_float_ids
from instrument.reader.validate import MISSING_MARKERS

# every ASCII character, Unicode spaces and case oddities (NBSP, NEL, ideographic space,
# long s, Kelvin sign, dotted I, sharp s), full-width and Arabic-Indic digits
ALPHABET = [chr(i) for i in range(128)] + list("\u00a0\u0085\u2003\u3000\u017f\u212a\u0130\u00df\uff11\u0661ÄÉ")
PIECES = ["", "na", "NaN", "#N/A", "null", ".", "1001", "1001.0", "7.00", "12.50", "A.0"]


def _texts(seed: int, n: int = 4000) -> pd.Series:
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        pad = lambda: "".join(rng.choice(list(PYTHON_ASCII_SPACE) + ["\u00a0", "\u3000", "x"], size=rng.integers(0, 3)))
        core = (PIECES[rng.integers(len(PIECES))] if rng.random() < 0.6
                else "".join(rng.choice(ALPHABET, size=rng.integers(0, 6))))
        out.append(pad() + core + pad())
    return pd.Series(out, dtype=object)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_blank_strings_is_pythons_rule(seed):
    texts = _texts(seed)
    expected = [t.strip().casefold() in MISSING_MARKERS for t in texts]
    assert blank_strings(texts, MISSING_MARKERS).tolist() == expected
    assert any(expected) and not all(expected)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_strip_and_ids_are_pythons_rule(seed):
    import re

    texts = _texts(seed)
    assert strip_texts(texts).tolist() == [t.strip() for t in texts]
    assert strip_texts(texts, "\r\n\t ").tolist() == [t.strip("\r\n\t ") for t in texts]
    rule = re.compile(r"^\d+\.0+$")
    expected = [t.strip().split(".")[0] if rule.match(t.strip()) else t.strip() for t in texts]
    got = whole_float_ids(texts).tolist()
    assert got == expected
    assert any(g != t.strip() for g, t in zip(got, texts))     # some ids were cut


def test_texts_arrow_cannot_hold_use_python():
    texts = pd.Series(["\ud800 na", " NA ", "1.0"], dtype=object)   # a lone surrogate is not UTF-8
    assert blank_strings(texts, MISSING_MARKERS).tolist() == [False, True, False]
    assert whole_float_ids(texts).tolist() == ["\ud800 na", "NA", "1"]


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("few", [False, True])
def test_arrow_cells_are_pythons_rule(seed, few):
    """The checks of a column already in Arrow (Parquet text) give the answers of the checks of Python objects.

    ``few``: a column of few distinct texts (each distinct text checked once), else every cell.
    """
    import pyarrow as pa

    from instrument.reader.strings import _few_distinct, blank_cells, text_cells

    texts = _texts(seed).tolist()
    texts = texts[:200] * 20 if few else texts
    texts[::7] = [None] * len(texts[::7])
    assert _few_distinct(pa.array(texts, type=pa.large_string())) == few
    array = pa.array(texts, type=pa.large_string())
    blank = [t is None or t.strip().casefold() in MISSING_MARKERS for t in texts]
    assert blank_cells(array, MISSING_MARKERS).tolist() == blank
    rule = re.compile(r"^\d+\.0+$")
    ids = [t.strip().split(".")[0] if rule.match(t.strip()) else t.strip() for t in (t or "" for t in texts)]
    tidy, got_blank = text_cells(array, MISSING_MARKERS, open_text=False)
    assert got_blank.tolist() == blank
    assert tidy.to_pylist() == [None if b else i for b, i in zip(blank, ids)]
    tidy, _ = text_cells(array, MISSING_MARKERS, open_text=True)
    assert tidy.to_pylist() == [None if b else t.strip("\r\n\t ") for b, t in zip(blank, texts)]
