"""Check and convert the cells of one column against its instrument variable.

Every cell gets a status: an answer, 'not applicable' (the scale's declared N/A code or
its label), missing (blank), or invalid (not a value the variable can take).

Blank means an empty cell, whitespace, or one of the usual missing-value markers
``NA``, ``NaN``, ``#N/A``, ``NULL``, ``.`` (as written by R, Excel and SPSS).

Accepted values, by variable:

* scale items and scale questions: the codes as numbers or text ('5', '5.0', 5.0, and
  '5,0' outside comma-delimited files; full-width and other Unicode digits are read
  after NFKC normalisation, so '５' is 5), the declared N/A code (99), or a point's label
  or the N/A label in any language, ignoring case and spacing ('mee EENS' -> 6);
* choices (channel, contact_reason, fcr): code, key or label in any language;
* ``duration_sec``: non-negative seconds, or a clock time 'mm:ss' / 'h:mm:ss' (also an
  Excel time cell);
* ``contact_date``: dates as cells, or text in ISO form or day-first (31-03-2024,
  31/03/2024, 31.03.2024), with the format that parses most cells of the column;
  unparseable dates are reported and read as missing, never an error;
* ids, organisation and agent: text, stripped; numbers without decimals ('1001.0' and
  1001.0 both become '1001', as a spreadsheet program may have turned an id into a float).

Examples
--------
>>> import pandas as pd
>>> from instrument import load_instrument
>>> inst = load_instrument()
>>> col = convert_column(pd.Series(["5", "Mee eens", "99", "", "ja"]), inst.variable("emp2"), column="emp2")
>>> col.values.tolist()[:4], col.status.tolist()
([5.0, 6.0, nan, nan], [0, 0, 1, 2, 3])
>>> col.problem()
"'ja' is not a code of the 1-7 agreement scale; use the codes 1-7 (99 = not applicable) or their labels"
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from instrument.definition import Variable
from instrument.reader.strings import (
    arrow_cells, blank_cells, blank_strings, is_arrow_text, strip_texts, text_cells, whole_float_ids,
)

ANSWER, NOT_APPLICABLE, MISSING, INVALID = 0, 1, 2, 3
MISSING_MARKERS = frozenset({"", "na", "nan", "#n/a", "null", "."})
DATE_FORMATS = (
    "ISO8601", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y", "%m/%d/%Y",
    "%d-%m-%Y %H:%M", "%d-%m-%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%m/%d/%Y %H:%M:%S",
)
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")
_WHOLE_FLOAT = re.compile(r"^\d+\.0+$")
# Distinct values from which a column of texts is classified with vectorized string methods
# rather than value by value (the same results; below this the loop is as fast).
VECTOR_MIN_UNIQUE = 64
_CLOCK = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{2}(?:\.\d+)?)$")


@dataclass
class ConvertedColumn:
    """One variable's values, the status of every cell, and what was wrong.

    ``values`` is the tidy Series; ``status`` holds ANSWER, NOT_APPLICABLE, MISSING or
    INVALID per row; ``raw`` the cells as read (for listing invalid ones).
    ``invalid_is_error`` is False for values that are reported but never stop reading
    (unparseable dates).
    """

    variable: str
    column: str | None
    values: pd.Series
    status: np.ndarray
    raw: pd.Series
    expected: tuple[str, str] = ("a valid value", "valid values")
    advice: str = ""
    invalid_is_error: bool = True
    warnings: list[str] = field(default_factory=list)

    @property
    def invalid_positions(self) -> np.ndarray:
        return np.flatnonzero(self.status == INVALID)

    def problem(self) -> str:
        """'<values> is/are not <expected>; <advice>' for the invalid cells ('' if none)."""
        positions = self.invalid_positions
        if not len(positions):
            return ""
        distinct: list[str] = []
        for value in self.raw.iloc[positions]:
            shown = show_value(value)
            if shown not in distinct:
                distinct.append(shown)
        singular, plural = self.expected
        if len(distinct) == 1:
            text = f"{distinct[0]} is not {singular}"
        else:
            listed = ", ".join(distinct[:3]) + (f" and {len(distinct) - 3} more" if len(distinct) > 3 else "")
            text = f"{listed} are not {plural}"
        return f"{text}; {self.advice}" if self.advice else text


def is_blank(value: object) -> bool:
    """True for None, NaN, NaT, pd.NA, empty or whitespace strings and missing markers."""
    if isinstance(value, str):
        return value.strip().casefold() in MISSING_MARKERS
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def blank_mask(column: pd.Series) -> np.ndarray:
    """:func:`is_blank` of every cell of a column, evaluated once per distinct value.

    Examples
    --------
    >>> blank_mask(pd.Series(["a", " ", None, 3, "a"], dtype=object)).tolist()
    [False, True, True, False, False]
    """
    if is_arrow_text(column):       # Parquet text: every cell in Arrow, no distinct values to find first
        return blank_cells(arrow_cells(column), MISSING_MARKERS)
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    strings = _all_strings(uniques)
    if strings is not None:         # e.g. ids, open answers: many distinct texts, checked at once
        blank_unique = _blank_strings(strings)
    else:
        blank_unique = np.fromiter((is_blank(u) for u in uniques), dtype=bool, count=len(uniques))
    return np.where(codes < 0, True, blank_unique[np.clip(codes, 0, None)] if len(uniques) else True)


def _all_strings(uniques) -> pd.Series | None:
    """The distinct values as an object Series when every one is a ``str`` (None otherwise)."""
    if len(uniques) < VECTOR_MIN_UNIQUE or pd.api.types.infer_dtype(uniques, skipna=False) != "string":
        return None
    return pd.Series(np.asarray(uniques, dtype=object), dtype=object)


def _blank_strings(strings: pd.Series) -> np.ndarray:
    """:func:`is_blank` of every value of a Series of ``str``, at once (the same test: stripped, casefolded)."""
    return blank_strings(strings, MISSING_MARKERS)


def normalise_text(text: str) -> str:
    """Case- and whitespace-insensitive form of a label: ' Mee  EENS' -> 'mee eens'."""
    return " ".join(text.casefold().split())


def parse_number(value: object, decimal_comma: bool = True) -> float | None:
    """A float from a number or a numeric string ('5', '5.0', '5,0' if decimal commas), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    if isinstance(value, str):
        text = _nfkc(value.strip())
        if _NUMBER.match(text):
            return float(text)
        if decimal_comma and _DECIMAL_COMMA.match(text):
            return float(text.replace(",", "."))
    return None


def show_value(value: object) -> str:
    """A cell as a message shows it: numbers bare (8, 2.5), text quoted ('ja')."""
    number = parse_number(value, decimal_comma=False)
    if number is not None and np.isfinite(number):
        return str(int(number)) if number.is_integer() else f"{number:g}"
    text = str(value).strip()
    return repr(text if len(text) <= 40 else text[:37] + "...")


def scale_description(var: Variable) -> str:
    """'the 1-7 agreement scale' for a variable on the agree7 scale."""
    scale = var.scale
    label = scale.label.get("en") or next(iter(scale.label.values()))
    name = re.sub(r"\s*\(.*?\)\s*", " ", label).strip().lower()
    return f"the {scale.min}-{scale.max} {name} scale"


def label_codes(var: Variable) -> dict[str, int]:
    """Every accepted text of a coded variable (labels in all languages, choice keys) -> its code.

    Case and spacing do not matter (see :func:`normalise_text`). A text that names two
    codes (the same label on two answers) is left out: such a cell is reported as not a
    code rather than read as either.
    """
    entries = [(label, code) for code, labels in var.answer_options for label in labels.values()]
    entries += [(choice.key, choice.code) for choice in var.choices or ()]
    lookup: dict[str, int] = {}
    ambiguous: set[str] = set()
    for text, code in entries:
        key = normalise_text(text)
        if lookup.setdefault(key, code) != code:
            ambiguous.add(key)
    return {key: code for key, code in lookup.items() if key not in ambiguous}


def convert_column(raw: pd.Series, var: Variable, *, column: str | None, decimal_comma: bool = True) -> ConvertedColumn:
    """Convert one column's cells to the variable's tidy type and classify them.

    Parameters
    ----------
    raw : Series
        The cells as read.
    var : Variable
    column : str or None
        The file's name of the column (None when the file has no such column).
    decimal_comma : bool, default True
        Accept '5,0' as 5.0 (all formats except comma-delimited text).

    Returns
    -------
    ConvertedColumn
    """
    raw = raw.reset_index(drop=True)
    if is_arrow_text(raw) and var.choices is None and var.scale is None and var.type not in ("date", "number"):
        return _convert_arrow_text(raw, var, column)
    numbers = _numeric(raw) and (var.choices is not None or var.scale is not None or var.type == "number")
    if not (numbers or is_arrow_text(raw)):
        # a numeric column of a typed file (Parquet) stays numeric for codes and durations, and a
        # text column (pandas' str) stays text: each distinct value is classified as the same
        # number or str as an object would be (no million Python objects first)
        raw = raw.astype(object)
    if var.choices is not None:
        return _convert_coded(raw, var, column, decimal_comma, choice=True)
    if var.scale is not None:
        return _convert_coded(raw, var, column, decimal_comma, choice=False)
    if var.type == "date":
        return _convert_date(raw, var, column)
    if var.type == "number":
        return _convert_duration(raw, var, column, decimal_comma)
    return _convert_text(raw, var, column)


def _numeric(raw: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(raw.dtype)


def _classify_unique(raw: pd.Series, classify, classify_strings=None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Apply ``classify(value) -> (tidy, status)`` once per distinct cell value.

    Returns ``(unique_values, unique_status, lookup)``: the tidy value (an object array,
    NaN for blanks) and status of each distinct value, the last entry standing for the
    blank cells, and each cell's index into them (-1, the last entry, for blank cells:
    numpy's and ``take``'s negative index); ``unique_values[lookup]`` and
    ``unique_status[lookup]`` are the cells' (callers index typed arrays of the distinct
    values instead, not to make a million Python objects). ``classify_strings``, if
    given, does for a Series of non-blank ``str`` values at once what ``classify`` does
    for each (their status is an answer); it is used when every distinct value is a
    ``str`` (ids and open answers: as many distinct values as rows).
    """
    codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    strings = _all_strings(uniques) if classify_strings is not None else None
    if strings is not None:
        blank = np.r_[_blank_strings(strings), True]                 # the last: blank cells (code -1)
        unique_values = np.full(len(blank), np.nan, dtype=object)
        unique_values[:-1][~blank[:-1]] = classify_strings(strings[~blank[:-1]]).to_numpy(dtype=object)
        unique_status = np.where(blank, MISSING, ANSWER).astype(np.int8)
    else:
        results = [(np.nan, MISSING) for _ in range(len(uniques) + 1)]   # the last: blank cells (code -1)
        for j, u in enumerate(uniques):
            if not is_blank(u):
                results[j] = classify(u)
        unique_values = np.empty(len(results), dtype=object)
        unique_values[:] = [r[0] for r in results]
        unique_status = np.array([r[1] for r in results], dtype=np.int8)
    # the codes as they are: a blank cell's -1 indexes the last entry (no million-cell np.where)
    return unique_values, unique_status, codes


def _convert_coded(raw: pd.Series, var: Variable, column: str | None, decimal_comma: bool, *, choice: bool) -> ConvertedColumn:
    lookup = label_codes(var)
    valid = set(var.valid_codes)
    na_code = var.na_code
    key_of = {c.code: c.key for c in var.choices} if choice else {}

    def classify(value: object):
        number = parse_number(value, decimal_comma)
        if number is None and isinstance(value, str) and normalise_text(value) in lookup:
            number = float(lookup[normalise_text(value)])
        if number is None or not np.isfinite(number):
            return np.nan, INVALID
        if na_code is not None and number == na_code:
            return np.nan, NOT_APPLICABLE
        if number.is_integer() and int(number) in valid:
            return (key_of[int(number)] if choice else float(number)), ANSWER
        return np.nan, INVALID

    unique_values, unique_status, lookup = _classify_unique(raw, classify)
    status = unique_status[lookup]
    comma_hint = _decimal_comma_hint(raw, status, decimal_comma)
    if choice:
        keys = [c.key for c in var.choices]
        position = {key: k for k, key in enumerate(keys)}
        unique_codes = np.array([position.get(v, -1) if isinstance(v, str) else -1 for v in unique_values],
                                dtype=np.int64)
        series = pd.Series(pd.Categorical.from_codes(unique_codes[lookup], categories=keys), name=var.id)
        listing = ", ".join(f"{c.code} = {c.key}" for c in var.choices)
        expected = (f"an answer code of '{var.id}'", f"answer codes of '{var.id}'")
        advice = f"use the codes {listing}, these keys or their labels"
    else:
        # copy=False: the indexed array is new already (a Series of an array copies it by default)
        series = pd.Series(np.asarray(unique_values, dtype=float)[lookup], name=var.id, copy=False)
        scale = scale_description(var)
        na = f" ({na_code} = not applicable)" if na_code is not None else ""
        expected = (f"a code of {scale}", f"codes of {scale}")
        advice = f"use the codes {var.scale.min}-{var.scale.max}{na} or their labels"
    return ConvertedColumn(var.id, column, series, status, raw, expected, advice + comma_hint)


def _decimal_comma_hint(raw: pd.Series, status: np.ndarray, decimal_comma: bool) -> str:
    """Why '5,0' is invalid in a comma-separated file, when such a value is among the invalid ones."""
    if decimal_comma:
        return ""
    invalid = raw[status == INVALID]
    if any(isinstance(v, str) and _DECIMAL_COMMA.match(_nfkc(v.strip())) for v in invalid):
        return " (a comma-separated file has no decimal commas: write 5.0, or save the file with ';' as delimiter)"
    return ""


def _nfkc(text: str) -> str:
    """Compatibility forms to plain ones: full-width digits and punctuation ('５，０') to ASCII ('5,0')."""
    return text if text.isascii() else unicodedata.normalize("NFKC", text)


def _convert_duration(raw: pd.Series, var: Variable, column: str | None, decimal_comma: bool) -> ConvertedColumn:
    def classify(value: object):
        number = parse_number(value, decimal_comma)
        if number is None and isinstance(value, str):
            clock = _CLOCK.match(value.strip())
            if clock:
                hours, minutes, seconds = clock.groups()
                number = int(hours or 0) * 3600 + int(minutes) * 60 + float(seconds)
        if isinstance(value, dt.timedelta):
            number = value.total_seconds()
        if isinstance(value, dt.time):  # an Excel cell formatted as a time, e.g. 00:05:12
            number = value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
        if number is None or not np.isfinite(number) or number < 0:
            return np.nan, INVALID
        return float(number), ANSWER

    unique_values, unique_status, lookup = _classify_unique(raw, classify)
    status = unique_status[lookup]
    values = pd.Series(np.asarray(unique_values, dtype=float)[lookup], name=var.id, copy=False)
    return ConvertedColumn(
        var.id, column, values, status, raw,
        ("a duration in seconds", "durations in seconds"),
        "give the completion time in seconds (e.g. 312) or as mm:ss" + _decimal_comma_hint(raw, status, decimal_comma),
    )


def _convert_text(raw: pd.Series, var: Variable, column: str | None) -> ConvertedColumn:
    def classify(value: object):
        if isinstance(value, (float, np.floating)) and float(value).is_integer():
            return str(int(value)), ANSWER
        if isinstance(value, str) and var.type == "open":
            return value.strip("\r\n\t "), ANSWER
        if isinstance(value, str):
            # '1001.0' is a number id written by a program that read it as a float
            text = value.strip()
            return (text.split(".")[0] if _WHOLE_FLOAT.match(text) else text), ANSWER
        return str(value), ANSWER

    def classify_strings(texts: pd.Series) -> pd.Series:
        if var.type == "open":
            return strip_texts(texts, "\r\n\t ")
        return whole_float_ids(texts)       # as classify does for each, in Arrow (instrument.reader.strings)

    unique_values, unique_status, lookup = _classify_unique(raw, classify, classify_strings)
    values = pd.Series(unique_values, dtype=str).take(lookup).reset_index(drop=True).rename(var.id)
    return ConvertedColumn(var.id, column, values, unique_status[lookup], raw)


def _convert_arrow_text(raw: pd.Series, var: Variable, column: str | None) -> ConvertedColumn:
    """:func:`_convert_text` of a Parquet text column, in Arrow (the same values and status)."""
    tidy, blank = text_cells(arrow_cells(raw), MISSING_MARKERS, open_text=var.type == "open")
    values = pd.Series(pd.array(tidy, dtype=raw.dtype), name=var.id)
    return ConvertedColumn(var.id, column, values, np.where(blank, MISSING, ANSWER).astype(np.int8), raw)


def _convert_date(raw: pd.Series, var: Variable, column: str | None) -> ConvertedColumn:
    # Each distinct cell is classified once (a file has few distinct dates, or at least
    # repeats them); the format choice counts cells, as if every cell were tried.
    codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    n_unique = len(uniques)
    unique_status = np.full(n_unique, MISSING, dtype=np.int8)
    unique_stamps: list = [pd.NaT] * n_unique
    warnings: list[str] = []
    texts: dict[int, str] = {}
    for j, value in enumerate(uniques):
        if is_blank(value):
            continue
        if isinstance(value, (dt.date, np.datetime64)):
            unique_stamps[j], unique_status[j] = _naive(pd.Timestamp(value)), ANSWER
        elif isinstance(value, str):
            texts[j] = value.strip()
        else:
            unique_status[j] = INVALID
    if texts:
        strings = pd.Series(texts)
        cells = pd.Series(np.bincount(codes[codes >= 0], minlength=n_unique)[list(texts)], index=strings.index)
        tries = {fmt: pd.to_datetime(strings, format=fmt, errors="coerce") for fmt in DATE_FORMATS}
        parsed = {fmt: int(cells[tries[fmt].notna()].sum()) for fmt in DATE_FORMATS}
        best = max(DATE_FORMATS, key=lambda fmt: parsed[fmt])  # ties: the earlier format
        if best == "%d/%m/%Y" and parsed["%m/%d/%Y"] == parsed[best]:
            warnings.append(f"dates in '{column}' read as day/month/year (they could also be month/day/year)")
        for j in texts:
            stamp = tries[best][j] if pd.notna(tries[best][j]) else tries["ISO8601"][j]
            unique_stamps[j] = _naive(stamp) if pd.notna(stamp) else pd.NaT
            unique_status[j] = ANSWER if pd.notna(stamp) else INVALID
    # position n_unique, the last, holds the missing cells: their code -1 indexes it
    status = np.append(unique_status, np.int8(MISSING))[codes]
    stamps = pd.to_datetime(pd.Series(unique_stamps + [pd.NaT], dtype=object))
    values = pd.Series(stamps.to_numpy()[codes], name=var.id, copy=False)
    return ConvertedColumn(
        var.id, column, values, status, raw, ("a date", "dates"),
        "write dates as 2024-03-31 or 31-03-2024", invalid_is_error=False, warnings=warnings,
    )


def _naive(stamp: pd.Timestamp) -> pd.Timestamp:
    return stamp.tz_convert(None) if stamp.tzinfo is not None else stamp


def empty_column(var: Variable, n_rows: int) -> ConvertedColumn:
    """The column of a variable the file does not have: all missing."""
    return convert_column(pd.Series([None] * n_rows, dtype=object), var, column=None)


def apply_spss_metadata(
    raw: pd.Series, var: Variable, value_labels: dict, missing_ranges: list[tuple[float, float]], column: str
) -> tuple[pd.Series, list[str]]:
    """Use an SPSS column's value labels and declared missing values.

    A value whose label is one of the variable's labels (either language) or keys is
    replaced by our code for it (so a file that codes 'Phone' as 2 is read right). For
    the organisation, values are replaced by their labels. A value declared user-missing
    that is not the variable's N/A code becomes blank. Returns the cells and warnings.
    """
    raw = raw.astype(object).copy()
    warnings: list[str] = []
    if value_labels and var.type == "group":
        return raw.map(lambda v: value_labels.get(v, v) if not is_blank(v) else v), warnings
    translation: dict = {}
    if value_labels and (var.scale is not None or var.choices is not None):
        lookup = label_codes(var)
        translation = {value: lookup[normalise_text(str(label))] for value, label in value_labels.items()
                       if normalise_text(str(label)) in lookup}

    def declared(v: object) -> bool:
        number = parse_number(v)
        return (number is not None and v not in translation and number != var.na_code
                and any(lo <= number <= hi for lo, hi in missing_ranges))

    mask = raw.map(declared).astype(bool) if missing_ranges else pd.Series(False, index=raw.index)
    changed = {v: c for v, c in translation.items() if parse_number(v) != c}
    if changed:
        raw = raw.map(lambda v: translation.get(v, v) if not is_blank(v) else v)
        shown = ", ".join(f"{show_value(v)} '{value_labels[v]}' -> {c}" for v, c in list(changed.items())[:4])
        warnings.append(f"column '{column}': SPSS codes translated by their value labels ({shown})")
    if mask.any():
        codes = sorted({show_value(v) for v in raw[mask]})
        warnings.append(
            f"column '{column}': {int(mask.sum())} value(s) declared missing in the SPSS file "
            f"({', '.join(codes)}) read as missing"
        )
        raw[mask] = None
    return raw, warnings
