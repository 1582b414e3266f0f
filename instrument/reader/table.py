"""The raw table every file format is read into, and small helpers they share."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from instrument.errors import DataError

DELIMITERS = (",", ";", "\t", "|")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}


@dataclass
class RawTable:
    """The cells of a response file as read, before any check against the instrument.

    ``frame`` has the file's column names and one row per data record (row ``i`` is
    data row ``i + 1``, header excluded); cells are Python objects (str for text files), except
    the numeric and text columns of a Parquet file, which keep their dtype (text: pandas'
    Arrow-backed ``str``, whose cells are the same ``str``, NaN when missing).
    ``value_labels``, ``column_labels`` (variable labels) and ``user_missing`` come from SPSS files; ``unmapped_columns``
    (columns the platform reader could not map) and ``source_columns`` (variable id ->
    the platform's column name, for messages) from platform exports.

    Platform readers leave rows that are not respondents out of ``frame``; then
    ``row_numbers`` holds the file's data-row number of every frame row,
    ``empty_rows`` the numbers of the empty rows left out, ``not_respondents`` the
    survey previews and test responses left out (``row``, ``respondent_id``,
    ``reason``), and ``incomplete_rows`` the numbers of responses that were not
    completed (kept in ``frame``).
    """

    frame: pd.DataFrame
    format: str
    encoding: str | None = None
    delimiter: str | None = None
    decimal_comma: bool = False
    value_labels: dict[str, dict] = field(default_factory=dict)
    column_labels: dict[str, str] = field(default_factory=dict)
    user_missing: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    unmapped_columns: list[str] = field(default_factory=list)
    source_columns: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    row_numbers: list[int] | None = None
    empty_rows: list[int] = field(default_factory=list)
    not_respondents: list[dict] = field(default_factory=list)
    incomplete_rows: list[int] = field(default_factory=list)

    def data_row_numbers(self) -> np.ndarray:
        """The file's data-row number (1-based, header excluded) of every row of ``frame``."""
        if self.row_numbers is None:
            return np.arange(1, len(self.frame) + 1, dtype="int64")
        return np.asarray(self.row_numbers, dtype="int64")


def show_delimiter(delimiter: str) -> str:
    """``';'`` -> ``"';' (semicolon)"``, for messages."""
    name = DELIMITER_NAMES.get(delimiter)
    shown = "\\t" if delimiter == "\t" else delimiter
    return f"'{shown}' ({name})" if name else f"'{shown}'"


def normalise_delimiter(delimiter: str | None) -> str | None:
    """Accept 'tab', '\\t' (typed on a command line) and the other usual spellings."""
    if delimiter is None:
        return None
    spelled = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}
    delimiter = spelled.get(delimiter.lower(), delimiter)
    if len(delimiter) != 1:
        raise DataError(
            f"delimiter {delimiter!r} must be a single character; use one of , ; | or 'tab'"
        )
    return delimiter


def check_unique_columns(names: list[str], file: str) -> None:
    seen: dict[str, int] = {}
    for j, name in enumerate(names, start=1):
        if name in seen:
            raise DataError(
                f"the header names column '{name}' twice (columns {seen[name]} and {j}); rename or remove one",
                file=file,
            )
        seen[name] = j
