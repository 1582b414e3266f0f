"""Write every table of a set of reports to one Excel workbook (openpyxl).

One sheet per table (the study's and each group's rows together, with a group
column), readable headers in the report's language, and the numbers as numbers: the
unrounded values of the result objects, shown with a number format, so a cell equals
the value in ``drivers analyse --json`` / ``drivers validate --json``. Intervals become
two extra columns (low, high) and threshold verdicts a column of TRUE/FALSE.

**No formulas.** Text from the data (open answers, group names, the title, the file
name) may start with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return, which
spreadsheet programs read as a formula (formula or CSV injection, OWASP). Every such
text is stored as text with Excel's quote prefix (shown as typed, stays text when
edited); the workbook holds no formula at all.

The first sheet is 'About this workbook' (:data:`ABOUT_SHEET`); :func:`render_excel`
returns the sheet of each table, by the table's name (``'overview'``,
``'priorities'``, ...), since sheet names follow the report's language.
"""
from __future__ import annotations

import math
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from analysis.common.errors import ServiceDriversError
from analysis.common.groups import ALL
from analysis.report.blocks import Column, ReportContent, Voice
from analysis.report.i18n import Texts

NUMBER_FORMATS = {"count": "#,##0", "rank": "0", "share": "0%", "pct": "0.0", "pct1": "0.0", "score": "0.0",
                  "signed": "+0.0;-0.0;0.0", "nps": "+0.0;-0.0;0.0", "num1": "0.0", "num2": "0.00", "num3": "0.000",
                  "pvalue": "0.0000"}
HEADER_FILL = PatternFill("solid", fgColor="DDE6EE")
MAX_SHEET_NAME = 31
ABOUT_SHEET = "about"          # key of the first sheet in the mapping render_excel returns
VOICE_SHEET = "voice"          # key of the sheet of quotes
# First characters that make a spreadsheet read a text as a formula (OWASP; full-width forms included).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def _as_text(cell) -> None:
    """Store a cell that would be read as a formula as the text it is."""
    if cell.data_type == "f" or (isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS)):
        cell.data_type = "s"
        cell.quotePrefix = True


def _no_formulas(wb: Workbook) -> None:
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                _as_text(cell)


def _cell_value(value):
    """Plain Python values for openpyxl; NaN and missing become empty cells."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return None if isinstance(value, float) and not math.isfinite(value) else value
    try:                                   # numpy scalars
        return _cell_value(value.item())
    except AttributeError:
        return str(value)


def _expand(columns: tuple[Column, ...], t: Texts) -> list[tuple[str, str, str]]:
    """(row key, header, kind) of every worksheet column, intervals and verdicts included."""
    out = []
    for col in columns:
        out.append((col.key, col.header, col.kind))
        if col.has_interval:
            out += [(col.low, f"{col.header} ({t('excel.low')})", col.kind),
                    (col.high, f"{col.header} ({t('excel.high')})", col.kind)]
        if col.note:
            out.append((col.note, f"{col.header} ({t('excel.no_interval')})", "text"))
        if col.check:
            out.append((col.check, col.check_header, "bool"))
    return out


def _with_columns(columns: list[Column], more: tuple[Column, ...]) -> None:
    """Add to ``columns`` those of ``more`` it lacks, each after the column it follows in ``more``.

    A table need not have the same columns in every report (a pooled group's priorities
    have its own-data figures, the whole study's none): the sheet has every column.
    """
    keys = [c.key for c in columns]
    previous = None
    for col in more:
        if col.key not in keys:
            at = keys.index(previous) + 1 if previous in keys else len(keys)
            columns.insert(at, col)
            keys.insert(at, col.key)
        previous = col.key


def _merged_tables(contents: list[ReportContent]) -> dict[str, tuple[list[Column], list[dict]]]:
    """Tables of every report by name: every report's columns (:func:`_with_columns`), rows concatenated
    (duplicates, e.g. shared tables, once)."""
    merged: dict[str, tuple[list[Column], list[dict]]] = {}
    for content in contents:
        for table in content.tables():
            columns, rows = merged.setdefault(table.name, ([], []))
            _with_columns(columns, table.columns)
            seen = {tuple(sorted((k, repr(v)) for k, v in r.items())) for r in rows}
            for row in table.rows:
                if tuple(sorted((k, repr(v)) for k, v in row.items())) not in seen:
                    rows.append(row)
    return merged


def _voice_rows(contents: list[ReportContent], t: Texts) -> list[dict]:
    rows = []
    for content in contents:
        # The voice section's sample per NPS group (the themes section's quotes are shown in the reports only).
        for block in (b for s in content.sections if s.id == "voice" for b in s.blocks if isinstance(b, Voice)):
            for group in block.groups:
                rows += [{"group": content.group, "nps_group": group.title, "text": q.text, "meta": q.meta}
                         for q in group.quotes]
    return rows


def _sheet_name(name: str, used: set[str]) -> str:
    base = "".join(ch for ch in name if ch not in "[]:*?/\\")[:MAX_SHEET_NAME]
    candidate, i = base, 2
    while candidate.lower() in used:
        suffix = f" {i}"
        candidate, i = base[:MAX_SHEET_NAME - len(suffix)] + suffix, i + 1
    used.add(candidate.lower())
    return candidate


def _write_sheet(wb: Workbook, name: str, columns: list[tuple[str, str, str]], rows: list[dict], used: set[str]):
    ws = wb.create_sheet(_sheet_name(name, used))
    ws.append([header for _, header, _ in columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        ws.append([_cell_value(row.get(key)) for key, _, _ in columns])
    for j, (_, header, kind) in enumerate(columns, start=1):
        letter = get_column_letter(j)
        fmt = NUMBER_FORMATS.get(kind)
        if fmt:
            for cell in ws[letter][1:]:
                cell.number_format = fmt
        longest = max([len(str(header)) // 2 + 2, *(len(str(r.get(columns[j - 1][0], "") or "")) for r in rows[:200])])
        ws.column_dimensions[letter].width = min(60, max(8, longest + 2))
    ws.freeze_panes = "A2"
    return ws


def render_excel(contents: list[ReportContent], path: Path, *, notes: tuple[str, ...] = (),
                 group_labels: dict | None = None) -> dict[str, str]:
    """Write the tables of ``contents`` (the study report first) to ``path``; ``group_labels`` names the groups.

    Returns
    -------
    dict
        The sheet of each table: table name (``'overview'``, ``'priorities'``, ...,
        :data:`ABOUT_SHEET`, :data:`VOICE_SHEET`) -> sheet name in the report's language.
    """
    if not contents:
        raise ServiceDriversError("no report content to write")
    t = Texts(contents[0].lang, nouns=contents[0].nouns)
    wb = Workbook()
    about = wb.active
    about.title = t("excel.about")[:MAX_SHEET_NAME]
    study = contents[0]
    for label, value in ((study.title, ""), (t("excel.about"), t("excel.about_text")), *study.facts):
        about.append([label, value])
    for note in notes:
        about.append([t("excel.withheld"), note])
    about["A1"].font = Font(bold=True, size=13)
    about.column_dimensions["A"].width = 34
    about.column_dimensions["B"].width = 100
    used = {about.title.lower()}
    sheets = {ABOUT_SHEET: about.title}
    group_column = ("group_name", t("excel.group"), "text")
    names = {ALL: t("scope.study"), **(group_labels or {})}
    for name, (merged, rows) in _merged_tables(contents).items():
        columns = _expand(tuple(merged), t)
        if any("group" in r for r in rows) and not {"group_label", "group"} & {c.key for c in merged}:
            columns = [group_column, *columns]
            rows = [{**r, "group_name": names.get(r.get("group"), r.get("group"))} for r in rows]
        sheet = t("sheet." + name) if t.has("sheet." + name) else name
        sheets[name] = _write_sheet(wb, sheet, columns, rows, used).title
    voice = _voice_rows(contents, t)
    if voice:
        rows = [{**r, "group_name": names.get(r["group"], r["group"])} for r in voice]
        columns = [group_column, ("nps_group", t("col.nps_group"), "text"), ("text", t("col.quote"), "text"),
                   ("meta", t("col.quote_meta"), "text")]
        sheets[VOICE_SHEET] = _write_sheet(wb, t("sheet.voice"), columns, rows, used).title
    _no_formulas(wb)
    try:
        wb.save(path)
    except OSError as exc:
        raise ServiceDriversError(f"{path}: cannot write the workbook ({exc.strerror or exc})") from None
    return sheets
