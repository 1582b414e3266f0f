"""Two things that make a response file unusable as it is: duplicate respondents and absent item columns.

Both are found by :func:`~instrument.reader.responses.read_responses` *after* the file
has been read, so that the quality report can still be made: the reader raises
:class:`UnusableData`, which carries that report (``drivers check`` prints it, with these
problems among its problems).

* **Duplicate respondents.** Survey exports often hold the same response twice (a
  re-submitted form, two exports appended). Rows that are identical in every column
  are the same response; with ``duplicates='drop_identical'`` all but the first are
  dropped, counted and listed (``QualityReport.excluded``). Rows that share an id but
  differ in any column are conflicting duplicates: which one is right cannot be
  decided by the toolkit, so they are always an error.
* **Absent item columns.** A construct is scored from all of its items; when a column
  is missing (an item renamed in the questionnaire while the data keep the old name)
  a score from the remaining items would silently measure something else. An absent
  item column of a construct whose other columns are there is an error naming it,
  unless ``absent_items='leave_out'``: then every construct with an absent item is
  left out entirely (all its items blank). A construct with no column at all is not in
  the file and is left out. Either way the report lists it (``QualityReport.left_out``
  and a warning), and the analyses never see a score made from part of a construct.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.common.options import ABSENT_ITEM_POLICIES, DUPLICATE_POLICIES
from instrument.definition import Instrument
from instrument.errors import DataError

__all__ = ["ABSENT_ITEM_POLICIES", "DUPLICATE_POLICIES", "UnusableData"]


class UnusableData(DataError):
    """The file was read, but it cannot be analysed as it is; ``report`` is its quality report.

    Parameters
    ----------
    message : str
        The first problem, in one line (see :class:`~instrument.errors.DataError`).
    report : QualityReport
        The quality report of the file, with every problem in ``report.problems``.
    """

    def __init__(self, message: str, *, report, file: str | None = None, column: str | None = None,
                 rows=None) -> None:
        self.report = report
        super().__init__(message, file=file, column=column, rows=rows)


@dataclass(frozen=True)
class IdenticalDuplicates:
    """Rows identical to an earlier row (same id, same value in every column).

    ``keep`` is the mask of rows that are not such a repeat; ``repeats`` maps the file
    row of each repeat to the file row it repeats. ``ids_distinct``: every id, as text,
    is used once (the usual case, found on the way).
    """

    keep: np.ndarray
    repeats: dict[int, int]
    ids_distinct: bool = False


def identical_duplicates(frame: pd.DataFrame, id_column: str | None, rows: np.ndarray) -> IdenticalDuplicates:
    """Find rows identical in every column to an earlier row with a non-blank id.

    Values are compared as the file holds them (as text), so '5' and '5.0' differ:
    only rows that are truly the same response count.
    """
    n = len(frame)
    if id_column is None or n == 0:
        return IdenticalDuplicates(np.ones(n, dtype=bool), {})
    # A row can repeat an earlier one only if its id does: only the rows whose id is used
    # more than once are compared in full (every cell as text: the costly part, which a
    # file with unique ids, the usual case, never needs).
    candidates = np.flatnonzero(frame[id_column].astype(str).duplicated(keep=False).to_numpy())
    if not len(candidates):
        return IdenticalDuplicates(np.ones(n, dtype=bool), {}, ids_distinct=True)
    as_text = frame.iloc[candidates].astype(str)
    has_id = frame[id_column].iloc[candidates].notna().to_numpy() & (as_text[id_column].str.strip() != "").to_numpy()
    repeat_among = as_text.duplicated(keep="first").to_numpy() & has_id
    if not repeat_among.any():
        return IdenticalDuplicates(np.ones(n, dtype=bool), {})
    key = pd.util.hash_pandas_object(as_text, index=False).to_numpy()
    first_row: dict[int, int] = {}
    for k, r in zip(key, rows[candidates]):
        first_row.setdefault(int(k), int(r))
    repeats = {int(r): first_row[int(k)] for k, r, dup in zip(key, rows[candidates], repeat_among) if dup}
    repeat = np.zeros(n, dtype=bool)
    repeat[candidates] = repeat_among
    return IdenticalDuplicates(~repeat, repeats)


def duplicate_id_problem(ids: pd.Series, rows: np.ndarray, identical: dict[int, int], file: str,
                         column: str | None) -> DataError | None:
    """The error for respondent ids used more than once (``None`` when every id is unique).

    ``identical`` are repeats found by :func:`identical_duplicates` that were not
    dropped (``duplicates='error'``); the message says which duplicates are identical
    and can be dropped, and which conflict.
    """
    # the ids as they are (pandas' str: hashed in Arrow); only the duplicated ones as Python objects
    duplicated = ids.duplicated(keep=False).to_numpy()
    if not duplicated.any():
        return None
    groups: dict[str, list[int]] = {}
    for value, row in zip(ids[duplicated].astype(object), rows[duplicated]):
        groups.setdefault(value, []).append(int(row))
    conflicting = {v: r for v, r in groups.items() if any(x not in identical for x in r[1:])}
    shown = []
    for value, r in list(groups.items())[:3]:
        kind = "different answers" if value in conflicting else "identical rows"
        shown.append(f"'{value}' (rows {', '.join(map(str, r))}: {kind})")
    more = f" and {len(groups) - 3} more" if len(groups) > 3 else ""
    if conflicting:
        todo = ("rows with one id but different answers are different responses: correct their ids or remove the "
                "wrong ones")
        if len(conflicting) < len(groups):
            todo += ("; identical rows can be dropped with duplicates='drop_identical' "
                     "(drivers check --duplicates drop_identical)")
    else:
        todo = ("the rows are identical, so they are the same response given twice: drop the repeats with "
                "duplicates='drop_identical' (drivers check --duplicates drop_identical), or remove them")
    return DataError(
        f"duplicate respondent id{'s' if len(groups) > 1 else ''} {'; '.join(shown)}{more}; {todo}",
        file=file, column=column, rows=rows[duplicated].tolist(),
    )


def find_absent_items(inst: Instrument, column_of: dict[str, str]) -> dict[str, list[str]]:
    """Construct key -> its item ids without a column in the file (constructs with none absent are left out)."""
    out = {}
    for construct in inst.constructs:
        absent = [i for i in construct.item_ids if i not in column_of]
        if absent:
            out[construct.key] = absent
    return out


def absent_items_problem(absent: dict[str, list[str]], unknown_columns: list[str], file: str) -> DataError | None:
    """The error for item columns absent from constructs the file otherwise has (``None`` when there are none)."""
    if not absent:
        return None
    listed = "; ".join(f"{key}: {', '.join(ids)}" for key, ids in absent.items())
    n = sum(len(ids) for ids in absent.values())
    hint = ""
    if unknown_columns:
        shown = ", ".join(unknown_columns[:8]) + (" ..." if len(unknown_columns) > 8 else "")
        hint = f" (the file has columns the questionnaire does not know: {shown}; a renamed item?)"
    return DataError(
        f"no column for {n} item(s) of construct(s) whose other items are in the file ({listed}){hint}; "
        "a construct is scored from all its items: "
        "rename the file's columns to the item ids, use the questionnaire the data were collected with, or leave "
        "those constructs out with absent_items='leave_out' (drivers check --absent-items leave_out)",
        file=file,
    )


def left_out_note(absent: dict[str, list[str]], column_of: dict[str, str], inst: Instrument, *, asked: bool) -> str:
    """The quality report's warning for constructs left out (no column at all, or ``absent_items='leave_out'``)."""
    parts = []
    for key, ids in absent.items():
        present = [i for i in inst.construct(key).item_ids if i in column_of]
        if present:
            parts.append(f"{key} (no column for {', '.join(ids)}; its column(s) {', '.join(present)} are not used)")
        else:
            parts.append(f"{key} (no column for any of its items {', '.join(ids)})")
    why = "as asked (absent_items='leave_out')" if asked else "the file does not have them"
    return f"construct(s) left out of every analysis, {why}: " + "; ".join(parts)


#: ``DataFrame.attrs`` key under which :func:`instrument.read_responses` records the constructs left
#: out for absent item columns: construct key -> the item ids (column names) the file lacks.
ABSENT_ITEMS_ATTR = "absent_items"


def absent_item_columns(data) -> dict[str, list[str]]:
    """Construct key -> its item columns absent from the file, as recorded by the reader (``{}`` if none)."""
    return {str(k): list(v) for k, v in dict(getattr(data, "attrs", {}).get(ABSENT_ITEMS_ATTR, {})).items()}


def absent_reason(key: str, ids: list[str]) -> str:
    """Why a construct is left out: its item column(s) are absent from the file."""
    plural = "s" if len(ids) > 1 else ""
    return (f"{key} left out: the file has no column for its item{plural} {', '.join(ids)} "
            "(absent_items='leave_out' / --absent-items leave_out)")
