"""Read a response file of any supported format into a table of raw cells.

Nothing here knows the questionnaire; :mod:`instrument.reader.validate` checks the cells.
Files are only ever opened for reading. Delimited text is read by
:mod:`instrument.reader.text`.

Supported formats, chosen by extension: delimited text (``.csv``, ``.txt``, ``.tsv``),
Excel (``.xlsx``, ``.xlsm``, ``.xls``), SPSS (``.sav``, ``.zsav``) and Parquet
(``.parquet``, ``.pq``). LimeSurvey's SPSS download (``.sps`` syntax + ``.dat`` data)
is known here but read by :mod:`instrument.platforms`.

Examples
--------
>>> from pathlib import Path
>>> import tempfile
>>> path = Path(tempfile.mkdtemp()) / "r.csv"
>>> _ = path.write_bytes("respondent_id;organisation;duration_sec\\n1;Acme;312,5\\n".encode("cp1252"))
>>> table = read_raw_table(path)
>>> table.delimiter, table.encoding, table.frame.iloc[0].tolist()
(';', 'utf-8', ['1', 'Acme', '312,5'])
"""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from instrument.errors import DataError
from instrument.reader.strings import is_arrow_text
from instrument.reader.table import RawTable, check_unique_columns, normalise_delimiter
from instrument.reader.text import check_encoding, guess_encoding, read_delimited

FORMAT_OF_SUFFIX = {
    ".csv": "csv", ".txt": "csv", ".tsv": "csv",
    ".xlsx": "xlsx", ".xlsm": "xlsx", ".xls": "xls",
    ".sav": "sav", ".zsav": "sav",
    ".parquet": "parquet", ".pq": "parquet",
    ".sps": "sps", ".dat": "sps",  # LimeSurvey's 'SPSS syntax + data' download, read by instrument.platforms
}
#: What to export instead, for the files platforms offer that cannot be read.
EXPORT_SETTINGS = ("from LimeSurvey export the responses as 'CSV' or 'Microsoft Excel' (headings 'Question code' "
                   "or 'Full question text'), or 'SPSS' (the .sps and .dat files); from Qualtrics as 'CSV' or "
                   "'Excel' and unzip the download")


def check_path(path: str | Path) -> tuple[Path, str]:
    """The path and its format, or a :class:`DataError` saying what is wrong with it."""
    path = Path(path)
    if not path.exists():
        raise DataError("no such file; give the path of a response file (.csv, .xlsx, .sav or .parquet)", file=str(path))
    if path.is_dir():
        raise DataError("is a directory; give the path of a response file inside it", file=str(path))
    fmt = FORMAT_OF_SUFFIX.get(path.suffix.lower())
    if fmt is None and path.suffix.lower() == ".zip":
        raise DataError("is a zip file (Qualtrics downloads come zipped); unzip it and give the CSV or Excel file "
                        "inside", file=str(path))
    if fmt is None:
        raise DataError(
            f"'{path.suffix or '(no extension)'}' is not a supported response file format; "
            "save the responses as CSV (.csv, .txt), Excel (.xlsx), SPSS (.sav) or Parquet (.parquet); "
            f"{EXPORT_SETTINGS}",
            file=str(path),
        )
    return path, fmt


def read_raw_table(
    path: str | Path, *, sheet: str | int | None = None, delimiter: str | None = None, encoding: str | None = None
) -> RawTable:
    """Read any supported response file into a :class:`RawTable`.

    Parameters
    ----------
    path : str or Path
    sheet : str or int, optional
        Excel sheet name or 0-based position; the first sheet by default.
    delimiter : str, optional
        Field delimiter of a text file; detected among , ; tab | by default.
    encoding : str, optional
        Text encoding (text and SPSS files); detected by default (UTF-8 with or without
        BOM, UTF-16 with BOM, then cp1252, then Latin-1).

    Returns
    -------
    RawTable

    Raises
    ------
    DataError
        When the file cannot be read; the message names the file and says what to do.
    """
    path, fmt = check_path(path)
    file = str(path)
    if path.stat().st_size == 0:
        raise DataError("has no responses (the file is empty); export the responses again", file=file)
    delimiter = normalise_delimiter(delimiter)
    if encoding is not None and fmt in ("csv", "sav"):
        check_encoding(encoding, file)
    ignored = [name for name, value, used in (("sheet", sheet, fmt in ("xlsx", "xls")),
                                              ("delimiter", delimiter, fmt == "csv"),
                                              ("encoding", encoding, fmt in ("csv", "sav"))) if value is not None and not used]
    if fmt == "sps":
        raise DataError("is part of LimeSurvey's SPSS download (.sps + .dat), which is read as a LimeSurvey export: "
                        "pass source='limesurvey' (--source limesurvey) or leave the source to be detected", file=file)
    if fmt == "csv":
        table = read_delimited(path, delimiter=delimiter, encoding=encoding)
    elif fmt in ("xlsx", "xls"):
        table = _read_excel(path, fmt, sheet)
    elif fmt == "sav":
        table = _read_sav(path, encoding)
    else:
        table = _read_parquet(path)
    table.warnings.extend(f"option {name} is ignored for {path.suffix} files" for name in ignored)
    return table


# --- Excel, SPSS, Parquet ------------------------------------------------------------


_EXCEL_SIGNATURES = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")  # .xlsx/.xlsm (zip), .xls (OLE2)


def _refuse_non_workbook(path: Path) -> None:
    """Raise when an Excel-named file is not a workbook: a CSV or HTML file renamed, or other bytes."""
    with path.open("rb") as fh:
        head = fh.read(4096)
    if head.startswith(_EXCEL_SIGNATURES):
        return
    text = None
    if b"\x00" not in head:
        try:
            text = head.decode(guess_encoding(head)).lstrip("\ufeff").lstrip()
        except UnicodeDecodeError:
            text = None
    if text is not None and sum(ch < " " and ch not in "\t\n\r" for ch in text) <= 3:
        if text.startswith("<"):
            raise DataError("this looks like an HTML or XML file, not an Excel workbook; open it in Excel and save "
                            "it as .xlsx", file=str(path))
        raise DataError("this looks like a CSV/text file, not an Excel workbook; rename it to .csv", file=str(path))
    raise DataError("is not an Excel workbook (it starts like neither an .xlsx nor an .xls file); open it in Excel "
                    "and save it again as .xlsx", file=str(path))


def _read_excel(path: Path, fmt: str, sheet: str | int | None) -> RawTable:
    file = str(path)
    _refuse_non_workbook(path)
    try:
        workbook = pd.ExcelFile(path)
    except ImportError as exc:
        raise DataError(
            f"reading {path.suffix} files needs a package that is not installed ({str(exc).strip()}); "
            "install it, or save the file as .xlsx", file=file,
        ) from None
    except Exception as exc:  # corrupt workbooks raise zipfile, XML and value errors alike
        raise DataError(
            f"cannot be read as an Excel workbook ({type(exc).__name__}: {exc}); open it in Excel and save it again as .xlsx",
            file=file,
        ) from None
    with workbook:
        names = workbook.sheet_names
        chosen = _choose_sheet(names, sheet, file)
        try:
            cells = pd.read_excel(workbook, sheet_name=chosen, header=None, dtype=object)
        except Exception as exc:  # a damaged sheet
            raise DataError(f"sheet '{chosen}' cannot be read ({type(exc).__name__}: {exc})", file=file) from None
    if cells.empty:
        raise DataError(f"has no responses (sheet '{chosen}' is empty)", file=file)
    header = [_header_name(v, j) for j, v in enumerate(cells.iloc[0].tolist())]
    frame = cells.iloc[1:].reset_index(drop=True)
    keep = [j for j, v in enumerate(cells.iloc[0].tolist()) if not pd.isna(v) or frame.iloc[:, j].notna().any()]
    frame = frame.iloc[:, keep]
    frame.columns = [header[j] for j in keep]
    check_unique_columns(list(frame.columns), file)
    table = RawTable(frame, fmt, decimal_comma=True)
    if len(names) > 1 and sheet is None:
        table.warnings.append(f"read the first of {len(names)} sheets ('{chosen}'); pass sheet= (--sheet) for another")
    return table


def peek_excel_header(path: Path, sheet: str | int | None = None, rows: int = 3) -> list[list[str]]:
    """The first rows of a workbook's sheet as text, for recognising platform exports; [] if unreadable.

    A workbook that cannot be read is left to :func:`read_raw_table`, whose message says why.
    """
    try:
        with pd.ExcelFile(path) as workbook:
            chosen = _choose_sheet(workbook.sheet_names, sheet, str(path))
            cells = pd.read_excel(workbook, sheet_name=chosen, header=None, dtype=object, nrows=rows)
    except Exception:  # noqa: BLE001 - any failure is reported by read_raw_table
        return []
    return [["" if pd.isna(v) else str(v) for v in row] for row in cells.itertuples(index=False, name=None)]


def peek_sav_header(path: Path) -> list[list[str]]:
    """The variable names of an SPSS file, for recognising platform exports; [] if unreadable."""
    import pyreadstat

    try:
        _, meta = pyreadstat.read_sav(str(path), metadataonly=True)
    except Exception:  # noqa: BLE001 - any failure is reported by read_raw_table
        return []
    return [list(meta.column_names)]


def _choose_sheet(names: list[str], sheet: str | int | None, file: str) -> str:
    if sheet is None:
        return names[0]
    if isinstance(sheet, str) and sheet in names:
        return sheet
    if isinstance(sheet, int) or (isinstance(sheet, str) and sheet.isdigit()):
        position = int(sheet)
        if 0 <= position < len(names):
            return names[position]
    raise DataError(
        f"has no sheet {sheet!r}; its sheets are {', '.join(repr(n) for n in names)} "
        "(pass a name, or a 0-based position)", file=file,
    )


def _header_name(value: object, j: int) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return f"column {j + 1}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_sav(path: Path, encoding: str | None) -> RawTable:
    import pyreadstat

    file = str(path)
    try:
        # user_missing=True keeps declared missing codes (e.g. 99 'not applicable') as
        # values instead of turning them into NaN, so that they can be told apart.
        frame, meta = pyreadstat.read_sav(str(path), user_missing=True, encoding=encoding)
    except Exception as exc:  # pyreadstat raises its own error types, and others on damaged files
        raise DataError(
            f"cannot be read as an SPSS data file ({type(exc).__name__}: {exc}); save it again from SPSS as .sav",
            file=file,
        ) from None
    ranges = {
        col: [(float(r["lo"]), float(r["hi"])) for r in spec if _is_number(r["lo"]) and _is_number(r["hi"])]
        for col, spec in (meta.missing_ranges or {}).items()
    }
    for col, values in (getattr(meta, "missing_user_values", None) or {}).items():
        ranges.setdefault(col, []).extend((float(v), float(v)) for v in values if _is_number(v))
    return RawTable(
        frame.astype(object), "sav", encoding=meta.file_encoding, decimal_comma=True,
        value_labels=dict(meta.variable_value_labels or {}), user_missing={c: r for c, r in ranges.items() if r},
        column_labels={str(c): str(v) for c, v in (meta.column_names_to_labels or {}).items() if v},
    )


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _read_parquet(path: Path) -> RawTable:
    file = str(path)
    try:
        frame = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises ArrowInvalid, OSError and others on damaged files
        raise DataError(
            f"cannot be read as a Parquet file ({type(exc).__name__}: {exc}); write it again (e.g. DataFrame.to_parquet)",
            file=file,
        ) from None
    frame = frame.reset_index(drop=True)
    frame.columns = [str(c) for c in frame.columns]
    check_unique_columns(list(frame.columns), file)
    _check_flat(frame, file)
    return RawTable(objects_except_numbers(frame), "parquet", decimal_comma=True)


def objects_except_numbers(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with every column as Python objects, except numeric (not boolean) and text ones.

    A typed file's numeric columns are checked as numbers (:func:`~instrument.reader.validate.convert_column`
    classifies each distinct value once, as it would the same values as objects); turning a
    million-row integer column into Python objects first costs more than the whole check.
    Text columns (pandas' Arrow-backed ``str``) are checked in Arrow with Python's rules
    (:mod:`instrument.reader.strings`); their cells are the same ``str`` (NaN when missing)
    as the objects would be.
    """
    objects = {c: object for c, dtype in frame.dtypes.items()
               if not (pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype))
               and not is_arrow_text(frame[c])}
    return frame.astype(objects) if objects else frame


_NESTED = (list, tuple, dict, set, np.ndarray)


def _check_flat(frame: pd.DataFrame, file: str) -> None:
    """Refuse a Parquet column of lists or records (nested types): every cell must hold one value."""
    for name in frame.columns[frame.dtypes == object]:
        nested = frame[name].map(lambda v: isinstance(v, _NESTED))
        if nested.any():
            raise DataError(
                "holds lists or records (a nested Parquet column), not one value per cell; write one value "
                "in every cell, or drop the column before writing the file",
                file=file, column=name, rows=[int(i) + 1 for i in np.flatnonzero(nested.to_numpy())],
            )


_LIMESURVEY_SUBQUESTION = re.compile(r"^[A-Za-z][A-Za-z0-9_]*\[[^\]]+\]$")
# LimeSurvey's own columns as code headings and as 'Full question text' headings in English
# and Dutch (see instrument.platforms.headings, which maps them).
_LIMESURVEY_ID = {"id", "response id", "respons-id"}
_LIMESURVEY_SUBMITTED = {"submitdate", "date submitted", "datum verzonden"}
_LIMESURVEY_LANGUAGE = {"startlanguage", "start language", "begin taal"}


def detect_platform(records: list[list[str]]) -> str | None:
    """'limesurvey' or 'qualtrics' when a header looks like that platform's export.

    LimeSurvey: the columns ``id`` and ``submitdate`` and array columns ``X[Y]`` (or
    ``startlanguage``), or the same columns' text headings (``Response ID``, ``Date
    submitted``, ``Start language``; in Dutch ``Respons-id``, ``Datum verzonden``,
    ``Begin taal``; or ``id. Response ID`` ...). Qualtrics: ``StartDate``, ``EndDate`` and ``ResponseId``.
    """
    if not records:
        return None
    header = [c.strip() for c in records[0]]
    lower = {" ".join(c.lower().split()) for c in header}
    lower |= {c.split(". ", 1)[0] for c in lower}  # 'Question code & question text' headings: 'id. Response ID'
    if {"startdate", "enddate", "responseid"} <= lower:
        return "qualtrics"
    if lower & _LIMESURVEY_ID and lower & _LIMESURVEY_SUBMITTED and (
        lower & _LIMESURVEY_LANGUAGE or any(_LIMESURVEY_SUBQUESTION.match(c) for c in header)
    ):
        return "limesurvey"
    return None
