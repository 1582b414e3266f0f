"""The records (header row + rows of text cells) of platform exports that are not CSV.

* Excel downloads (LimeSurvey's 'Microsoft Excel', Qualtrics' 'Excel'): the first
  sheet, cells as text the way the CSV export writes them (numbers without a trailing
  ``.0``, dates as ``YYYY-MM-DD HH:MM:SS``), so one reader serves both.
* LimeSurvey's 'SPSS' response export (.sav, its core plugin ExportSPSSsav,
  ``application/core/plugins/ExportSPSSsav/SPSSWriter.php``): variables named by the
  question code with ``[``/``]`` made ``_`` (``reliability_rel1``), answer codes as
  numbers with value labels, no missing values declared.
* LimeSurvey's 'SPSS syntax + data' download: a syntax file ``survey_<sid>_SPSS_syntax_file.sps``
  and a data file ``survey_<sid>_SPSS_data_file.dat``. Layout, from LimeSurvey 6.x's
  ``application/controllers/admin/Export.php`` (``exportspss``) and
  ``application/helpers/export_helper.php`` (``SPSSFieldMap``, ``SPSSExportData``,
  ``quoteSPSS``): the ``.dat`` has no header row, one response per line, fields
  separated by commas, text in single quotes (inner quotes doubled), numbers bare,
  dates ``DD-MM-YYYY HH:MM:SS``, UTF-8 with a byte-order mark (SPSS 16 and later).
  The ``.sps`` names its data file in ``GET DATA /FILE='...'``, lists the variables
  ``V1 .. Vn`` in column order under ``/VARIABLES=``, labels them (``VARIABLE LABELS``),
  gives the answer codes' labels (``VALUE LABELS``) and finally renames ``Vk`` to the
  question code (``RENAME VARIABLES ( V13 = reliability_rel1 )``, LimeSurvey's
  ``title_subquestion``). It declares no missing values; line breaks inside answers
  become spaces. Checked on a real LimeSurvey 6.14 server's files
  (``tests/fixtures/platforms/limesurvey-6.14/``).
"""
from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

import pandas as pd

from instrument.errors import DataError
from instrument.reader.files import _refuse_non_workbook
from instrument.reader.text import DelimitedText, decode_text

EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")
SPSS_SUFFIXES = (".sps", ".dat")
SAV_SUFFIXES = (".sav", ".zsav")
_HOW_SPSS = ("download both files of LimeSurvey's Responses > Export > 'SPSS' (the syntax file and the data "
             "file) into one folder, unchanged")


@dataclass
class SpssPair:
    """A LimeSurvey SPSS download read: the records (header = question codes) and the answers' value labels."""

    text: DelimitedText
    syntax_file: Path
    data_file: Path
    value_labels: dict[str, dict[str, str]] = field(default_factory=dict)


def excel_records(path: Path, rows: int | None = None) -> DelimitedText:
    """The cells of a workbook's first sheet as text records (``rows``: read only that many)."""
    file = str(path)
    _refuse_non_workbook(path)
    try:
        cells = pd.read_excel(path, sheet_name=0, header=None, dtype=object, nrows=rows)
    except ImportError as exc:
        raise DataError(f"reading {path.suffix} files needs a package that is not installed ({str(exc).strip()}); "
                        "install it, or download the export as CSV", file=file) from None
    except Exception as exc:  # corrupt workbooks raise zipfile, XML and value errors alike
        raise DataError(f"cannot be read as an Excel workbook ({type(exc).__name__}: {exc}); download the export "
                        "again", file=file) from None
    records = [[_cell_text(v) for v in row] for row in cells.itertuples(index=False, name=None)]
    while records and not any(c.strip() for c in records[-1]):
        records.pop()
    # Row k of the sheet is 'line' k + 1; nothing in a workbook can be a stray quote.
    return DelimitedText(records, "", ",", list(range(1, len(records) + 1)), True)


def sav_records(path: Path) -> SpssPair:
    """A LimeSurvey SPSS ``.sav`` export as text records, with its value labels."""
    import pyreadstat

    file = str(path)
    try:
        frame, meta = pyreadstat.read_sav(file, user_missing=True)
    except Exception as exc:  # pyreadstat raises its own error types, and others on damaged files
        raise DataError(f"cannot be read as an SPSS data file ({type(exc).__name__}: {exc}); export the responses "
                        "again", file=file) from None
    records = [[str(c) for c in frame.columns]]
    records += [[_cell_text(v) for v in row] for row in frame.itertuples(index=False, name=None)]
    labels = {name: {_cell_text(code): str(label) for code, label in values.items()}
              for name, values in (meta.variable_value_labels or {}).items()}
    text = DelimitedText(records, meta.file_encoding or "", ",", list(range(len(records))), True)
    return SpssPair(text, path, path, labels)


def _cell_text(value: object) -> str:
    """A workbook cell as the CSV export writes it."""
    if value is None or value is pd.NaT:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) or type(value).__name__ in ("float64", "float32"):
        value = float(value)
        if math.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, (datetime, pd.Timestamp)):
        return value.strftime("%Y-%m-%d" if value.time() == time(0) else "%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def read_spss_pair(path: Path) -> SpssPair:
    """Read LimeSurvey's SPSS syntax + data download, given either of the two files."""
    syntax_file, data_file = _partner_files(path)
    syntax, _, _ = decode_text(syntax_file.read_bytes(), str(syntax_file))
    variables = _variables(syntax, syntax_file)
    # Variables are named by the RENAME lines (question codes); a syntax file cut before
    # them still has the variable labels (LimeSurvey's own columns' names, question texts).
    renamed = dict(re.findall(r"RENAME VARIABLES\s*\(\s*(\S+)\s*=\s*(\S+)\s*\)", syntax))
    variable_labels = _variable_labels(syntax)
    name_of = {v: renamed.get(v) or variable_labels.get(v) or v for v in variables}
    names = [name_of[v] for v in variables]
    value_labels = {name_of.get(v, v): labels for v, labels in _value_labels(syntax).items()}
    data, encoding, warnings = decode_text(data_file.read_bytes(), str(data_file))
    reader = csv.reader(io.StringIO(data, newline=""), delimiter=",", quotechar="'", doublequote=True, strict=False)
    records, first_lines, consumed = [names], [0], 0
    try:
        for record in reader:
            records.append(record)
            first_lines.append(consumed + 1)
            consumed = reader.line_num
    except csv.Error as exc:
        raise DataError(f"is not a LimeSurvey SPSS data file ({exc}); {_HOW_SPSS}", file=str(data_file)) from None
    while len(records) > 1 and not any(c.strip() for c in records[-1]):
        records.pop()
        first_lines.pop()
    text = DelimitedText(records, encoding, ",", first_lines, True, warnings)
    return SpssPair(text, syntax_file, data_file, value_labels)


def _partner_files(path: Path) -> tuple[Path, Path]:
    """(syntax file, data file) of the download, whichever of the two was given."""
    file = str(path)
    if path.suffix.lower() == ".sps":
        syntax, _, _ = decode_text(path.read_bytes(), file)
        named = re.search(r"/FILE\s*=\s*'([^']*)'", syntax)
        if named is None or "GET DATA" not in syntax:
            raise DataError(f"is not a LimeSurvey SPSS syntax file (no GET DATA /FILE=...); {_HOW_SPSS}", file=file)
        data_file = path.with_name(re.split(r"[\\/]", named.group(1))[-1])
        if not data_file.is_file():
            raise DataError(f"its data file '{data_file.name}' is not in the same folder; {_HOW_SPSS}", file=file)
        return path, data_file
    candidates = [path.with_name(path.name.replace("_SPSS_data_file.dat", "_SPSS_syntax_file.sps"))]
    candidates += sorted(p for p in path.parent.glob("*.sps") if p not in candidates)
    for candidate in candidates:
        if candidate.is_file() and re.search(rf"/FILE\s*=\s*'(?:[^']*[\\/])?{re.escape(path.name)}'",
                                             candidate.read_text(encoding="utf-8", errors="replace")):
            return candidate, path
    raise DataError("is a data file without its SPSS syntax file (.sps, which names the columns and their answer "
                    f"labels) in the same folder; {_HOW_SPSS}, or export the responses as CSV", file=file)


def _variables(syntax: str, syntax_file: Path) -> list[str]:
    block = re.search(r"/VARIABLES\s*=(.*?)\.\s*\n", syntax, flags=re.S)
    names = re.findall(r"^\s*(\S+)\s+(?:F|A|DATETIME)[\d.]*\s*$", block.group(1), flags=re.M) if block else []
    if not names:
        raise DataError(f"is not a LimeSurvey SPSS syntax file (no /VARIABLES= list); {_HOW_SPSS}",
                        file=str(syntax_file))
    return names


def _quoted(text: str) -> str:
    """The value of SPSS string pieces '"a"+\\n"b"' (inner quotes doubled)."""
    return "".join(piece.replace('""', '"') for piece in re.findall(r'"((?:[^"]|"")*)"', text))


def _variable_labels(syntax: str) -> dict[str, str]:
    found = re.findall(r'^VARIABLE LABELS (\S+) ((?:"(?:[^"]|"")*"\+?\s*)+)\.\s*$', syntax, flags=re.M)
    return {name: _quoted(label) for name, label in found}


def _value_labels(syntax: str) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for name, body in re.findall(r"^VALUE LABELS\s+(\S+)\s*\n(.*?\.)\s*$", syntax, flags=re.M | re.S):
        pairs = re.findall(r'^\s*("(?:[^"]|"")*"|\S+)\s+"((?:[^"]|"")*)"', body, flags=re.M)
        out[name] = {_quoted(code) if code.startswith('"') else code: label.replace('""', '"') for code, label in pairs}
    return out
