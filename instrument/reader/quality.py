"""The data-quality report that :func:`instrument.read_responses` returns with the data.

Examples
--------
>>> from instrument import read_responses
>>> data, report = read_responses("responses.csv")  # doctest: +SKIP
>>> print(report.summary())  # doctest: +SKIP
>>> report.items.query("n_invalid > 0")  # doctest: +SKIP
"""
from __future__ import annotations

import html
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis.common.display import Summary
from instrument.definition import Instrument
from instrument.reader.columns import ColumnMatch, group_variable, id_variable
from instrument.reader.flags import FLAG_COLUMNS
from instrument.reader.table import RawTable, show_delimiter
from instrument.reader.validate import ANSWER, INVALID, MISSING, NOT_APPLICABLE, ConvertedColumn

ITEM_COLUMNS = (
    "item", "construct", "column", "n_applicable", "n_answered", "n_not_applicable", "n_missing",
    "n_invalid", "n_not_applicable_by_design", "pct_missing",
)


@dataclass(frozen=True, eq=False)
class QualityReport:
    """What was read, what was wrong and who is flagged.

    Attributes
    ----------
    file, format : str
        The file as given; 'csv', 'xlsx', 'xls', 'sav', 'parquet', 'limesurvey' or 'qualtrics'.
    encoding, delimiter : str or None
        As detected or given (text files).
    n_rows_read : int
        Data rows in the file (header excluded), empty ones included.
    n_empty_rows : int
        Rows with every cell blank; dropped.
    n_respondents : int
        Rows kept (``n_rows_read - n_empty_rows - n_not_respondents - n_duplicates_dropped``): the rows of the
        returned data.
    n_flagged, n_usable : int
        Respondents with at least one flag, and without any.
    flag_counts : dict
        Flag column -> number of respondents with that flag.
    unknown_columns : tuple of str
        File columns that match no variable and were not asked for (ignored).
    column_labels : dict
        File columns kept although the questionnaire does not know them (``extra_columns``
        of :func:`~instrument.reader.responses.read_responses`, e.g. a grouping column)
        -> their label in the file (the SPSS variable label, else the column name).
    missing_columns : tuple of str
        Variables the file has no column for (created empty).
    column_map : dict
        Variable id -> the file column it was read from.
    items : DataFrame
        One row per item and per coded question (csat, nps, ces, contact_reason, fcr):
        ``n_applicable`` respondents the item applies to (all, or for phone-only items
        phone and unknown-channel respondents); ``n_answered`` valid answers;
        ``n_not_applicable`` 'not applicable / don't know' answers and ``n_missing``
        blanks, both among respondents the item applies to (so that they are disjoint from
        ``n_not_applicable_by_design``);
        ``n_invalid`` values that are not codes (read as missing with
        ``invalid='missing'``); ``n_not_applicable_by_design`` blanks or N/A on items
        that do not apply to the respondent's channel; ``pct_missing`` blanks and
        invalid values among respondents the item applies to, in percent.
    organisations : DataFrame
        ``organisation``, ``n``, ``n_flagged``, ``n_usable``.
    excluded : DataFrame
        ``row`` (1-based data row), ``respondent_id``, ``reason``: empty rows (dropped)
        and flagged respondents (kept, but left out of analyses by default).
    invalid_values : DataFrame
        ``row``, ``column``, ``variable``, ``value``, ``problem`` of every invalid cell
        read as missing (invalid codes with ``invalid='missing'``, unparseable dates).
    warnings : tuple of str
    ok : bool
        Whether the data can be analysed (there are usable respondents and driver items).
    problems : tuple of str
        Why not, when ``ok`` is False.
    n_not_respondents : int
        Platform rows that are not respondents: Qualtrics survey previews and test
        responses; dropped, and listed in ``excluded``.
    n_incomplete : int
        Platform responses that were not completed (LimeSurvey: no ``submitdate``;
        Qualtrics: ``Finished`` 0); kept with what they answered (the too-many-missing
        flag catches early quitters), and named in ``warnings``.
    n_duplicates_dropped : int
        Rows identical in every column to an earlier row, dropped with
        ``duplicates='drop_identical'``; listed in ``excluded`` with the row they repeat.
    left_out : dict
        Construct key -> its item ids the file has no column for, for constructs left
        out with ``absent_items='leave_out'`` (all their items blank).
    """

    file: str
    format: str
    encoding: str | None
    delimiter: str | None
    n_rows_read: int
    n_empty_rows: int
    n_respondents: int
    n_flagged: int
    n_usable: int
    flag_counts: dict[str, int]
    unknown_columns: tuple[str, ...]
    missing_columns: tuple[str, ...]
    column_map: dict[str, str]
    items: pd.DataFrame
    organisations: pd.DataFrame
    excluded: pd.DataFrame
    invalid_values: pd.DataFrame
    warnings: tuple[str, ...]
    ok: bool
    problems: tuple[str, ...]
    n_not_respondents: int = 0
    n_incomplete: int = 0
    n_duplicates_dropped: int = 0
    left_out: dict[str, tuple[str, ...]] = field(default_factory=dict)
    column_labels: dict = field(default_factory=dict)

    def summary(self) -> Summary:
        """The report: plain text when printed (a console, a log), HTML in Jupyter.

        Returns a :class:`~analysis.common.display.Summary` (``str()`` gives the text).
        """
        return Summary(self._summary_text(), html=self._repr_html_())

    def _summary_text(self) -> str:
        """The report as plain text."""
        lines = [f"Data quality: {self.file}", "  " + self._source_line()]
        lines.append(f"  {self._rows_text()}")
        lines.append(f"  flagged {self.n_flagged} ({self._flag_text()}), usable {self.n_usable}")
        if self.unknown_columns:
            lines.append(f"  unknown columns (ignored): {', '.join(self.unknown_columns)}")
        if self.missing_columns:
            lines.append(f"  missing columns (created empty): {', '.join(self.missing_columns)}")
        lines.append("  items (N/A = not applicable; by design = an item of another channel than the respondent's):")
        table = self.items.drop(columns=["column"]).fillna({"construct": "-"})
        lines.extend("    " + line for line in table.to_string(index=False, float_format=lambda x: f"{x:.1f}").splitlines())
        lines.append("  organisations: " + ", ".join(
            f"{r.organisation} {r.n} (usable {r.n_usable})" for r in self.organisations.itertuples()
        ))
        if len(self.excluded):
            lines.append("  excluded rows (row numbers count data rows, header excluded):")
            lines.extend(
                f"    row {r.row}" + (f" (id {r.respondent_id})" if isinstance(r.respondent_id, str) else "") + f": {r.reason}"
                for r in self.excluded.itertuples()
            )
        if self.warnings:
            lines.append("  warnings:")
            lines.extend(f"    - {w}" for w in self.warnings)
        lines.append("  OK: the data can be analysed" if self.ok else "  NOT OK: " + "; ".join(self.problems))
        return "\n".join(lines)

    def to_dict(self) -> dict:
        """The report as plain Python types (JSON-ready: NaN becomes None)."""
        return {
            "file": self.file, "format": self.format, "encoding": self.encoding, "delimiter": self.delimiter,
            "n_rows_read": self.n_rows_read, "n_empty_rows": self.n_empty_rows,
            "n_not_respondents": self.n_not_respondents, "n_respondents": self.n_respondents,
            "n_incomplete": self.n_incomplete, "n_duplicates_dropped": self.n_duplicates_dropped,
            "left_out": {k: list(v) for k, v in self.left_out.items()},
            "n_flagged": self.n_flagged, "n_usable": self.n_usable,
            "flag_counts": {k: int(v) for k, v in self.flag_counts.items()},
            "unknown_columns": list(self.unknown_columns), "missing_columns": list(self.missing_columns),
            "column_map": dict(self.column_map),
            "items": _records(self.items), "organisations": _records(self.organisations),
            "excluded": _records(self.excluded), "invalid_values": _records(self.invalid_values),
            "warnings": list(self.warnings), "ok": self.ok, "problems": list(self.problems),
        }

    def _repr_html_(self) -> str:
        esc = html.escape
        parts = [
            f"<h4>Data quality: {esc(self.file)}</h4>",
            f"<p>{esc(self._source_line())}<br>{esc(self._rows_text())}; flagged {self.n_flagged} "
            f"({esc(self._flag_text())}), usable {self.n_usable}</p>",
            f"<p><b>{'OK' if self.ok else 'NOT OK'}</b>{': ' + esc('; '.join(self.problems)) if self.problems else ''}</p>",
        ]
        if self.unknown_columns:
            parts.append(f"<p>Unknown columns (ignored): {esc(', '.join(self.unknown_columns))}</p>")
        if self.missing_columns:
            parts.append(f"<p>Missing columns (created empty): {esc(', '.join(self.missing_columns))}</p>")
        parts.append(self.items.to_html(index=False, float_format=lambda x: f"{x:.1f}", na_rep=""))
        parts.append(self.organisations.to_html(index=False))
        if len(self.excluded):
            parts.append(self.excluded.to_html(index=False, na_rep=""))
        if self.warnings:
            parts.append("<ul>" + "".join(f"<li>{esc(w)}</li>" for w in self.warnings) + "</ul>")
        return "\n".join(parts)

    def __repr__(self) -> str:
        return (
            f"<QualityReport {self.file}: {self.n_respondents} respondents, {self.n_flagged} flagged, "
            f"{self.n_usable} usable, {'ok' if self.ok else 'not ok'}>"
        )

    def _source_line(self) -> str:
        bits = [f"format {self.format}"]
        if self.encoding:
            bits.append(f"encoding {self.encoding}")
        if self.delimiter:
            bits.append(f"delimiter {show_delimiter(self.delimiter)}")
        return ", ".join(bits)

    def _rows_text(self) -> str:
        text = f"rows read {self.n_rows_read}, empty rows dropped {self.n_empty_rows}"
        if self.n_not_respondents:
            text += f", previews/test responses dropped {self.n_not_respondents}"
        if self.n_duplicates_dropped:
            text += f", identical duplicates dropped {self.n_duplicates_dropped}"
        text += f", respondents {self.n_respondents}"
        if self.n_incomplete:
            text += f" (not completed {self.n_incomplete})"
        return text

    def _flag_text(self) -> str:
        return ", ".join(f"{k.removeprefix('flag_').replace('_', ' ')} {v}" for k, v in self.flag_counts.items())


def item_table(columns: dict[str, ConvertedColumn], applicable: pd.DataFrame, inst) -> pd.DataFrame:
    """The per-item table of :attr:`QualityReport.items` (see there for the columns)."""
    rows = []
    for var in inst.variables:
        if var.kind == "context" or (var.scale is None and var.choices is None):
            continue
        col = columns[var.id]
        applies = applicable[var.id].to_numpy(dtype=bool) if var.id in applicable else None
        # one count of each status where the item applies and where not, rather than a mask
        # and a sum per number (a million respondents, every coded variable)
        counts = _status_counts(col.status, applies)
        where_applies, elsewhere = counts[0], counts[1]
        n_applicable = int(where_applies.sum())
        lost = int(where_applies[MISSING] + where_applies[INVALID])
        rows.append({
            "item": var.id,
            "construct": var.construct,
            "column": col.column,
            "n_applicable": n_applicable,
            "n_answered": int(where_applies[ANSWER] + elsewhere[ANSWER]),
            "n_not_applicable": int(where_applies[NOT_APPLICABLE]),
            "n_missing": int(where_applies[MISSING]),
            "n_invalid": int(where_applies[INVALID] + elsewhere[INVALID]),
            "n_not_applicable_by_design": int(elsewhere[MISSING] + elsewhere[NOT_APPLICABLE]),
            "pct_missing": 100.0 * lost / n_applicable if n_applicable else math.nan,
        })
    return pd.DataFrame(rows, columns=list(ITEM_COLUMNS))


def _status_counts(status: np.ndarray, applies: np.ndarray | None) -> np.ndarray:
    """Cells of each status (ANSWER ... INVALID) where the item applies (row 0) and where it does not (row 1).

    ``applies`` None: the item applies to every respondent.
    """
    n_status = max(ANSWER, NOT_APPLICABLE, MISSING, INVALID) + 1
    everywhere = applies is None or applies.all()
    counts = np.zeros((2, n_status), dtype=np.int64)
    # a comparison per status on the int8 codes: cheaper than np.bincount, which first copies
    # them to 64-bit integers
    for code in range(n_status):
        cells = status == code
        counts[0, code] = np.count_nonzero(cells) if everywhere else np.count_nonzero(cells & applies)
        counts[1, code] = 0 if everywhere else np.count_nonzero(cells) - counts[0, code]
    return counts


def build_report(
    *, table: RawTable, file: str, data: pd.DataFrame, columns: dict[str, ConvertedColumn], applies: pd.DataFrame,
    match: ColumnMatch, reasons: pd.Series, empty: np.ndarray, warnings: list[str], drivers: list[str],
    inst: Instrument, n_incomplete: int, duplicates_dropped: dict[int, int] | None = None,
    left_out: dict[str, list[str]] | None = None, unusable: list[str] | None = None,
) -> QualityReport:
    """Assemble the :class:`QualityReport` from everything :func:`~instrument.reader.responses.check_table` found."""
    unmapped = list(table.unmapped_columns)
    id_var, group_var = id_variable(inst), group_variable(inst)
    flagged = data[list(FLAG_COLUMNS)].any(axis=1)
    empty_rows = table.data_row_numbers()[empty].tolist() + list(table.empty_rows)
    excluded = [{"row": int(r), "respondent_id": None, "reason": "empty row (dropped)"} for r in empty_rows]
    excluded += [{"row": int(e["row"]), "respondent_id": e.get("respondent_id"), "reason": str(e["reason"])}
                 for e in table.not_respondents]
    duplicates_dropped = duplicates_dropped or {}
    id_column = match.column_of.get(id_var)
    if duplicates_dropped:  # only then the ids as read (a million of them otherwise for nothing)
        raw_ids = dict(zip(table.data_row_numbers().tolist(), table.frame[id_column].tolist())) if id_column else {}
        excluded += [{"row": int(r), "respondent_id": str(raw_ids.get(r)).strip() if id_column else None,
                      "reason": f"identical duplicate of row {first} (dropped)"}
                     for r, first in duplicates_dropped.items()]
    mask = flagged.to_numpy(dtype=bool)
    excluded += [   # the flagged rows' ids only as Python objects (not a million of them)
        {"row": int(r), "respondent_id": i, "reason": why}
        for r, i, why in zip(data["source_row"].to_numpy()[mask], data[id_var][mask].to_numpy(dtype=object),
                             reasons.to_numpy(dtype=object)[mask])
    ]
    excluded_frame = pd.DataFrame(excluded, columns=["row", "respondent_id", "reason"])
    excluded_frame = excluded_frame.sort_values("row", kind="stable")
    invalid_rows = []
    for col in columns.values():
        positions = col.invalid_positions
        if not len(positions):
            continue
        problem = col.problem().split(";")[0]
        rows = data["source_row"].to_numpy()[positions]
        invalid_rows += [
            {"row": int(r), "column": col.column, "variable": col.variable, "value": str(v), "problem": problem}
            for r, v in zip(rows, col.raw.iloc[positions])
        ]
    groups = pd.DataFrame({"organisation": data[group_var], "flagged": flagged})
    organisations = (
        groups.groupby("organisation", sort=True)["flagged"].agg(n="size", n_flagged="sum").reset_index()
    )
    organisations["n_flagged"] = organisations["n_flagged"].astype(int)
    organisations["n_usable"] = organisations["n"] - organisations["n_flagged"]
    problems = list(unusable or [])
    if not drivers:
        problems.append("the file has no column for any driver item")
    if drivers and int((~flagged).sum()) == 0:
        problems.append(f"all {len(data)} respondents are flagged; see the excluded rows")
    return QualityReport(
        file=file, format=table.format, encoding=table.encoding, delimiter=table.delimiter,
        n_rows_read=len(empty) + len(table.empty_rows) + len(table.not_respondents), n_empty_rows=len(empty_rows),
        n_duplicates_dropped=len(duplicates_dropped),
        left_out={k: tuple(v) for k, v in (left_out or {}).items()},
        n_not_respondents=len(table.not_respondents), n_incomplete=n_incomplete, n_respondents=len(data),
        n_flagged=int(flagged.sum()), n_usable=int((~flagged).sum()),
        flag_counts={name: int(data[name].sum()) for name in FLAG_COLUMNS},
        unknown_columns=tuple(match.unknown + [c for c in unmapped if c not in match.unknown]),
        missing_columns=tuple(match.missing),
        column_map={v: table.source_columns.get(v, c) for v, c in match.column_of.items()},
        items=item_table(columns, applies, inst), organisations=organisations,
        excluded=excluded_frame.reset_index(drop=True),
        invalid_values=pd.DataFrame(invalid_rows, columns=["row", "column", "variable", "value", "problem"]),
        warnings=tuple(warnings), ok=not problems, problems=tuple(problems),
    )


def _records(frame: pd.DataFrame) -> list[dict]:
    out = []
    for record in frame.to_dict("records"):
        out.append({k: _plain(v) for k, v in record.items()})
    return out


def _plain(value):
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return None if math.isnan(value) else float(value)
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return value
