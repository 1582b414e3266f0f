"""Whole columns of text checked at once in Arrow, with Python's exact rules.

Ids and open answers have about as many distinct values as rows; the reader tests each
distinct text once (blank or not, a number id written as '1001.0'). Python's string
methods do that at about half a microsecond per text, which at a million respondents is
most of a read. Arrow's compute kernels (Apache Arrow, ``pyarrow.compute``) do the same
in native code, but their notion of whitespace, case and digits is Unicode's, not
Python's. So the kernels are used only where the two agree by construction: for ASCII
texts, with Python's own ASCII whitespace spelled out (``str.strip()`` removes exactly
:data:`PYTHON_ASCII_SPACE` there, ``str.casefold`` is ASCII lowering, and ``\\d`` is
``[0-9]``); any other text, and any column Arrow cannot hold (e.g. lone surrogates), is
checked by the Python rule itself. Every function returns what its Python counterpart
returns, value for value (tested).

The ``*_cells`` functions do the same for a column that is already in Arrow (the text
columns of a Parquet file, pandas' ``str`` dtype): every cell is checked by the kernels,
without first finding the distinct texts (hashing a million ids costs more than the
checks), and only the distinct non-ASCII texts are checked by Python.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

# the characters str.strip() removes from an ASCII text: ''.join(c for c in map(chr, range(128)) if c.isspace())
PYTHON_ASCII_SPACE = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f "


def _arrow(strings: pd.Series):
    """``(pyarrow, pyarrow.compute, array, ascii mask)`` of a Series of ``str``; None if Arrow cannot hold it."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        array = pa.array(strings.to_numpy(dtype=object), type=pa.large_string())
    except (pa.ArrowException, UnicodeError):
        return None
    return pa, pc, array, pc.string_is_ascii(array).to_numpy(zero_copy_only=False)


def blank_strings(strings: pd.Series, markers: frozenset[str]) -> np.ndarray:
    """``s.strip().casefold() in markers`` for every ``str`` of ``strings``, as a boolean array.

    Examples
    --------
    >>> blank_strings(pd.Series([" NA ", "id-1", "", "\\x1c.", "ſ"]), frozenset({"", "na", "."})).tolist()
    [True, False, True, True, False]
    """
    arrow = _arrow(strings)
    if arrow is None:
        return strings.str.strip().str.casefold().isin(markers).to_numpy(dtype=bool)
    pa, pc, array, ascii_ = arrow
    folded = pc.ascii_lower(pc.utf8_trim(array, characters=PYTHON_ASCII_SPACE))
    blank = pc.is_in(folded, value_set=pa.array(sorted(markers), type=pa.large_string()))
    blank = blank.to_numpy(zero_copy_only=False).astype(bool)
    other = np.flatnonzero(~ascii_)
    if len(other):
        blank[other] = strings.iloc[other].str.strip().str.casefold().isin(markers).to_numpy(dtype=bool)
    return blank


def strip_texts(strings: pd.Series, characters: str | None = None) -> pd.Series:
    """``s.strip(characters)`` of every ``str`` of ``strings`` (``characters`` None: whitespace), same index.

    Examples
    --------
    >>> strip_texts(pd.Series([" a ", "\\u00a0b\\u00a0", "\\tc"])).tolist()
    ['a', 'b', 'c']
    """
    arrow = _arrow(strings)
    if arrow is None:
        return strings.str.strip(characters)
    pa, pc, array, ascii_ = arrow
    # with the characters given, utf8_trim removes exactly those from any text
    stripped = pc.utf8_trim(array, characters=PYTHON_ASCII_SPACE if characters is None else characters)
    out = pd.Series(stripped.to_numpy(zero_copy_only=False), index=strings.index, dtype=object)
    other = np.flatnonzero(~ascii_) if characters is None else np.array([], dtype=int)
    if len(other):
        out.iloc[other] = strings.iloc[other].str.strip().to_numpy(dtype=object)
    return out


def whole_float_ids(texts: pd.Series) -> pd.Series:
    """Stripped ids with a number written as a float ('1001.0') cut to its whole part ('1001').

    The Python rule: ``t = s.strip()``; ``t.split('.')[0]`` if ``t`` matches ``^\\d+\\.0+$``,
    else ``t``.

    Examples
    --------
    >>> whole_float_ids(pd.Series([" 1001.0", "12.50", "A.0", "7.00 "])).tolist()
    ['1001', '12.50', 'A.0', '7']
    """
    stripped = strip_texts(texts)
    arrow = _arrow(stripped)
    if arrow is None:
        whole = stripped.str.match(r"^\d+\.0+$").to_numpy(dtype=bool)
    else:
        pa, pc, array, ascii_ = arrow
        whole = pc.match_substring_regex(array, r"^[0-9]+\.0+$").to_numpy(zero_copy_only=False).astype(bool)
        other = np.flatnonzero(~ascii_)
        if len(other):
            whole[other] = stripped.iloc[other].str.match(r"^\d+\.0+$").to_numpy(dtype=bool)
    if whole.any():
        stripped = stripped.copy()
        stripped[whole] = stripped[whole].str.split(".").str[0]
    return stripped


def is_arrow_text(column: pd.Series) -> bool:
    """Whether a column is pandas' Arrow-backed ``str`` dtype (text columns of a Parquet file).

    Its missing cells are NaN, as in a column of objects (not ``pd.NA``, as in ``'string'``).
    """
    dtype = column.dtype
    return isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow" and dtype.na_value is not pd.NA


def arrow_cells(column: pd.Series):
    """The Arrow array (one chunk) of an :func:`is_arrow_text` column."""
    import pyarrow as pa

    array = pa.array(column.array)
    return array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array


def _python_rule(array, positions: np.ndarray, rule) -> list:
    """``rule(text)`` for the cells of ``array`` at ``positions`` (none null), once per distinct text."""
    import pyarrow as pa
    import pyarrow.compute as pc

    encoded = pc.dictionary_encode(array.take(pa.array(positions, type=pa.int64())))
    results = [rule(text) for text in encoded.dictionary.to_pylist()]
    return [results[i] for i in encoded.indices.to_numpy(zero_copy_only=False)]


def _not_ascii(array) -> np.ndarray:
    """Positions of the cells that are neither null nor ASCII (which the Python rule checks)."""
    import pyarrow.compute as pc

    return np.flatnonzero(~pc.fill_null(pc.string_is_ascii(array), True).to_numpy(zero_copy_only=False))


def _replace(array, positions: np.ndarray, texts: list):
    """``array`` with the cells at ``positions`` replaced by ``texts``."""
    import pyarrow as pa
    import pyarrow.compute as pc

    mask = np.zeros(len(array), dtype=bool)
    mask[positions] = True
    return pc.replace_with_mask(array, pa.array(mask), pa.array(texts, type=array.type))


def blank_cells(array, markers: frozenset[str]) -> np.ndarray:
    """Null or ``s.strip().casefold() in markers``, for every cell of an Arrow string array.

    Examples
    --------
    >>> import pyarrow as pa
    >>> blank_cells(pa.array([" NA ", "id-1", None, "\\x1c.", "ſ"]), frozenset({"", "na", "."})).tolist()
    [True, False, True, True, False]
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    folded = pc.ascii_lower(pc.utf8_trim(array, characters=PYTHON_ASCII_SPACE))
    blank = pc.or_(pc.is_in(folded, value_set=pa.array(sorted(markers), type=array.type)), pc.is_null(array))
    blank = pc.fill_null(blank, True).to_numpy(zero_copy_only=False).astype(bool)
    other = _not_ascii(array)
    if len(other):
        blank[other] = _python_rule(array, other, lambda text: text.strip().casefold() in markers)
    return blank


def text_cells(array, markers: frozenset[str], *, open_text: bool):
    """The tidy texts of an Arrow string array and which cells are blank (:func:`blank_cells`).

    Open answers are stripped of line breaks, tabs and spaces (``s.strip('\\r\\n\\t ')``);
    other texts as :func:`whole_float_ids` does.

    Returns
    -------
    tidy : pyarrow.Array
        The tidy text of every cell; null for blank cells.
    blank : ndarray of bool
    """
    import pyarrow.compute as pc

    if _few_distinct(array):
        # e.g. organisations and agents: each distinct text checked once, then put in every cell
        encoded = pc.dictionary_encode(array)
        tidy, blank = _text_cells(encoded.dictionary, markers, open_text)
        codes = pc.fill_null(encoded.indices, len(blank)).to_numpy(zero_copy_only=False)
        return tidy.take(encoded.indices), np.append(blank, True)[codes]     # the last: null cells
    return _text_cells(array, markers, open_text)


#: The first cells of a column from which it is judged to have few distinct texts.
DISTINCT_SAMPLE = 10_000


def _few_distinct(array) -> bool:
    """Whether at most one in ten of the first :data:`DISTINCT_SAMPLE` cells is a new text.

    Then the distinct texts are found first (a hash of short repeated texts is cheap);
    otherwise (ids, open answers) every cell is checked, as hashing them costs more.
    Either way every cell gets the same answer.
    """
    import pyarrow.compute as pc

    sample = array.slice(0, DISTINCT_SAMPLE)
    return len(sample) > 0 and len(pc.unique(sample)) * 10 <= len(sample)


def _text_cells(array, markers: frozenset[str], open_text: bool):
    """:func:`text_cells` of every cell."""
    import pyarrow as pa
    import pyarrow.compute as pc

    blank = blank_cells(array, markers)
    if open_text:   # with the characters given, utf8_trim removes exactly those from any text
        tidy = pc.utf8_trim(array, characters="\r\n\t ")
    else:
        tidy = _whole_float_id_cells(array)
    return pc.if_else(pa.array(blank), pa.scalar(None, type=tidy.type), tidy), blank


def _whole_float_id_cells(array):
    """:func:`whole_float_ids` of every cell of an Arrow string array (nulls stay null)."""
    import re

    import pyarrow.compute as pc

    stripped = pc.utf8_trim(array, characters=PYTHON_ASCII_SPACE)
    other = _not_ascii(array)
    if len(other):
        stripped = _replace(stripped, other, _python_rule(array, other, str.strip))
    whole = pc.fill_null(pc.match_substring_regex(stripped, r"^[0-9]+\.0+$"), False)
    whole = whole.to_numpy(zero_copy_only=False).astype(bool)
    other = _not_ascii(stripped)
    if len(other):
        rule = re.compile(r"^\d+\.0+$")
        whole[other] = _python_rule(stripped, other, lambda text: rule.match(text) is not None)
    cut = np.flatnonzero(whole)
    if len(cut):
        stripped = _replace(stripped, cut, _python_rule(stripped, cut, lambda text: text.split(".")[0]))
    return stripped
