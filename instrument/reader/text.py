r"""Delimited text files: encoding and delimiter detection, and parsing into a raw table.

Encodings tried, in order, unless one is given: UTF-8 with BOM, UTF-16 with BOM, UTF-8,
cp1252 (what Excel writes on Dutch and English Windows), Latin-1. Delimiters detected:
comma, semicolon, tab, pipe; the one that splits the header into most fields,
consistently over the first rows. A one-column header that another character seems to
split, or a forced delimiter that leaves the header in one piece, is an error naming the
delimiter the file seems to use.

Files that are not text (an Excel, SPSS or Parquet file with a text extension, binary
data) and values that open a double quote that is never closed (which would swallow the
rows after them) are errors naming the file, the row and what to do. Empty lines at the
very end of the file are not rows.

The platform readers (:mod:`instrument.platforms`) read their CSV exports with
:func:`read_records` and :func:`split_table` too, so that encodings, delimiters and row
numbers are the same for every text file.

Examples
--------
>>> from pathlib import Path
>>> import tempfile
>>> path = Path(tempfile.mkdtemp()) / "r.csv"
>>> _ = path.write_bytes(b"respondent_id;organisation;why\r\n1;Acme;caf\xe9\r\n")
>>> table = read_delimited(path)
>>> table.delimiter, table.encoding, table.frame.iloc[0].tolist()
(';', 'cp1252', ['1', 'Acme', 'café'])
"""
from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from instrument.errors import DataError
from instrument.reader.table import DELIMITERS, RawTable, check_unique_columns, show_delimiter

# How much of a text file is looked at to detect its delimiter or platform.
SNIFF_CHARS = 65_536


def decode_text(data: bytes, file: str, encoding: str | None = None) -> tuple[str, str, list[str]]:
    """Decode a text file: the forced encoding, or UTF-8 (BOM or not), UTF-16 (BOM), cp1252, Latin-1.

    Returns the text, the encoding used, and warnings.
    """
    warnings: list[str] = []
    if encoding is None:
        encoding = guess_encoding(data)
        return data.decode(encoding), encoding, warnings
    codec = check_encoding(encoding, file)
    if codec.startswith(("utf-16", "utf-32")) and data and b"\x00" not in data[:4096]:
        guess = guess_encoding(data)
        raise DataError(
            f"cannot be decoded as {encoding}: the file has no NUL bytes, which {encoding} text of Latin letters "
            f"always has; the file seems to be {guess}: pass encoding='{guess}' (drivers check --encoding {guess}) "
            "or leave the encoding out to detect it", file=file,
        )
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        guess = guess_encoding(data)
        raise DataError(
            f"cannot be decoded as {encoding}: byte 0x{data[exc.start]:02x} on line {line} is not valid {encoding}; "
            f"the file seems to be {guess}: pass encoding='{guess}' (drivers check --encoding {guess}) "
            "or leave the encoding out to detect it",
            file=file,
        ) from None
    if codec in ("latin-1", "iso8859-1", "cp1252") and not data.isascii() and _is_utf8(data):
        warnings.append(
            f"the file is valid UTF-8 but was read as {encoding}, which garbles accents (é becomes Ã©); "
            "leave the encoding out or pass encoding='utf-8'"
        )
    return text.lstrip("\ufeff"), encoding, warnings


def check_encoding(encoding: str, file: str | None = None) -> str:
    """The codec name of a text encoding; a :class:`DataError` for unknown ones and for
    codecs that are not text encodings (rot13, hex, base64, zip).
    """
    try:
        info = codecs.lookup(encoding)
    except LookupError:
        info = None
    if info is None or not getattr(info, "_is_text_encoding", True):
        raise DataError(
            f"unknown encoding '{encoding}' (not a text encoding Python knows); use e.g. utf-8, cp1252 or latin-1, "
            "or leave the encoding out to detect it", file=file,
        )
    return info.name


def guess_encoding(data: bytes) -> str:
    """The first of UTF-8 (with BOM), UTF-16 (with BOM), UTF-8, cp1252, Latin-1 that decodes ``data``."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if _is_utf8(data):
        return "utf-8"
    try:
        data.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"  # decodes any byte sequence


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def peek_header(path: Path, *, delimiter: str | None = None, encoding: str | None = None) -> list[list[str]]:
    """The first three records of a text file (header first), for recognising platform exports."""
    with path.open("rb") as fh:
        data = fh.read(SNIFF_CHARS)
    text, _, _ = decode_text(data, str(path), encoding)
    text = _complete_lines(text)
    delimiter = delimiter or detect_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    records = []
    try:
        for record in reader:
            records.append(record)
            if len(records) == 3:
                break
    except csv.Error:
        pass
    return records


def detect_delimiter(text: str) -> str:
    """The delimiter among , ; tab | that splits the header into most fields, consistently.

    A candidate is consistent when at least 80% of the sampled records have as many
    fields as the header. Returns ',' when no candidate splits the header at all.
    """
    sample = _complete_lines(text[:SNIFF_CHARS])
    best, best_key = ",", (False, 1)
    for candidate in DELIMITERS:
        counts = [len(r) for r in _records(sample, candidate, limit=50) if any(c.strip() for c in r)]
        if not counts or counts[0] < 2:
            continue
        consistent = sum(c == counts[0] for c in counts[1:]) >= 0.8 * (len(counts) - 1)
        key = (consistent, counts[0])
        if key > best_key:
            best, best_key = candidate, key
    return best


def _records(text: str, delimiter: str, limit: int) -> list[list[str]]:
    out: list[list[str]] = []
    try:
        for record in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False):
            out.append(record)
            if len(out) >= limit:
                break
    except csv.Error:
        pass
    return out


def _complete_lines(text: str) -> str:
    if len(text) < SNIFF_CHARS:
        return text
    cut = text.rfind("\n")
    return text[: cut + 1] if cut > 0 else text


def _other_separator(header: str) -> str | None:
    """A punctuation character that seems to separate a one-column header ('a:b:c' -> ':')."""
    counts: dict[str, int] = {}
    for ch in header:
        if not (ch.isalnum() or ch in "_ -.'\"()[]/"):
            counts[ch] = counts.get(ch, 0) + 1
    if not counts:
        return None
    return max(counts.items(), key=lambda kv: kv[1])[0]


@dataclass
class DelimitedText:
    """The records of a delimited text file and how it was read.

    ``records`` holds every record, header included (trailing empty lines left out);
    ``first_lines`` the 1-based line of the file each record starts on.
    """

    records: list[list[str]]
    encoding: str
    delimiter: str
    first_lines: list[int]
    text_ends_with_quote: bool
    warnings: list[str] = field(default_factory=list)


def read_records(path: Path, *, delimiter: str | None = None, encoding: str | None = None) -> DelimitedText:
    """Decode a text file, find its delimiter and split it into records.

    Raises :class:`DataError` for files that are not text, cannot be decoded, or whose
    header the (given or detected) delimiter does not split.
    """
    file = str(path)
    data = path.read_bytes()
    _refuse_non_text(data, file, encoding)
    text, used_encoding, warnings = decode_text(data, file, encoding)
    _refuse_binary_text(text, file)
    delimiter = _choose_delimiter(text, delimiter, file)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    records: list[list[str]] = []
    first_lines: list[int] = []
    try:
        consumed = 0
        for record in reader:
            records.append(record)
            first_lines.append(consumed + 1)
            consumed = reader.line_num
    except csv.Error as exc:
        raise DataError(f"is not valid delimited text ({exc}); export it again as CSV", file=file) from None
    while records and not records[-1]:  # empty lines at the end of the file are not rows
        records.pop()
        first_lines.pop()
    return DelimitedText(records, used_encoding, delimiter, first_lines, text.rstrip().endswith('"'), warnings)


def read_delimited(path: Path, *, delimiter: str | None = None, encoding: str | None = None) -> RawTable:
    """Read a delimited text file; every cell is a str ('' for an empty cell)."""
    file = str(path)
    text = read_records(path, delimiter=delimiter, encoding=encoding)
    if not text.records or not any(c.strip() for c in text.records[0]):
        raise DataError("has no header row (the first line is empty); put the column names on the first line", file=file)
    check_quotes(text, file, header_rows=1)
    header, rows, warnings, _ = split_table(text.records[0], text.records[1:], file, text.delimiter)
    frame = pd.DataFrame(rows, columns=header, dtype=object) if rows else pd.DataFrame(columns=header, dtype=object)
    return RawTable(frame, "csv", text.encoding, text.delimiter, decimal_comma=text.delimiter != ",",
                    warnings=text.warnings + warnings)


def _choose_delimiter(text: str, delimiter: str | None, file: str) -> str:
    """The given delimiter, or the detected one; an error when the header stays one column."""
    detected = detect_delimiter(text)
    lines = text.split("\n", 2)
    header_line = lines[0].rstrip("\r")
    if delimiter is None:
        if detected not in header_line:
            other = _other_separator(header_line)
            first_row = lines[1] if len(lines) > 1 and lines[1].strip() else None
            if other is not None and (first_row is None or first_row.count(other) == header_line.count(other)):
                raise DataError(
                    f"the header is one column; the file seems to use {show_delimiter(other)} as delimiter: "
                    f"pass delimiter='{other}' (drivers check --delimiter '{other}')", file=file,
                )
        return detected
    if delimiter not in header_line and detected != delimiter and detected in header_line:
        raise DataError(
            f"the header is one column when split on {show_delimiter(delimiter)}; the file seems to use "
            f"{show_delimiter(detected)}: pass delimiter='{_typed(detected)}' (drivers check --delimiter "
            f"'{_typed(detected)}') or leave the delimiter out to detect it", file=file,
        )
    return delimiter


# Signatures of binary formats a response file may be by mistake: (magic bytes, what it is, its extension).
_SIGNATURES = (
    (b"PK\x03\x04", "is a zip file (an Excel workbook?)", ".xlsx"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "is an Excel 97-2003 workbook", ".xls"),
    (b"$FL2", "is an SPSS data file", ".sav"),
    (b"$FL3", "is a compressed SPSS data file", ".zsav"),
    (b"PAR1", "is a Parquet file", ".parquet"),
)


def _refuse_non_text(data: bytes, file: str, encoding: str | None) -> None:
    """Raise when the bytes are a known binary format or hold NUL bytes (not UTF-16)."""
    for magic, what, suffix in _SIGNATURES:
        if data.startswith(magic):
            raise DataError(f"{what} with a text extension; rename it to {suffix}", file=file)
    has_utf16_bom = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if b"\x00" in data[:4096] and not has_utf16_bom and (encoding is None or "16" not in encoding):
        raise DataError(
            "contains NUL bytes, so it is not plain text (UTF-16 without a byte-order mark, or a binary file); "
            "save it from Excel as 'CSV UTF-8' or pass encoding='utf-16-le'", file=file,
        )


def _refuse_binary_text(text: str, file: str) -> None:
    """Raise when the decoded text is mostly control characters: binary data, not a text file."""
    sample = text[:SNIFF_CHARS]
    controls = sum(1 for ch in sample if ch < " " and ch not in "\t\n\r")
    if controls > max(3, len(sample) // 100):
        raise DataError(
            f"is not a text file ({controls} control characters in its first {len(sample)}); give the responses "
            "as CSV, or an Excel (.xlsx), SPSS (.sav) or Parquet (.parquet) file with its own extension", file=file,
        )


def check_quotes(text: DelimitedText, file: str, header_rows: int = 1) -> None:
    """Raise for a value that opens a double quote and swallows the rows after it.

    A quote that is never closed reads the rest of the file into one value; one closed
    only rows later reads those rows into it. Either shows as a value that holds a line
    break followed by a line with a whole row's worth of delimiters, or as a last value
    with a line break in a file that does not end with a quote.
    """
    records = text.records
    if not records:
        return
    width = len(records[0])
    whole_row = max(2, width - 1)
    for k, record in enumerate(records):
        last = k == len(records) - 1
        for j, value in enumerate(record):
            if "\n" not in value and "\r" not in value:
                continue
            inner = value.splitlines()[1:]
            never_closed = last and j == len(record) - 1 and not text.text_ends_with_quote
            if never_closed or any(line.count(text.delimiter) >= whole_row for line in inner):
                _raise_runaway_quote(text, file, header_rows, k, j, value, never_closed)


def _raise_runaway_quote(text: DelimitedText, file: str, header_rows: int, k: int, j: int, value: str,
                         never_closed: bool) -> None:
    header = [c.strip() for c in text.records[0]]
    first_line = text.first_lines[k]
    lines = value.splitlines()
    n_lines = len(lines) - 1
    opening = lines[0] if lines else ""
    shown = '"' + (opening if len(opening) <= 20 else opening[:20] + "...")
    in_body = k >= header_rows
    if never_closed:
        what = f"is never closed, so the rest of the file ({n_lines} more lines) was read as this one value"
    else:
        what = (f"is closed only {n_lines} lines further on (line {first_line + n_lines}), so the lines in between "
                "were read as this one value")
    raise DataError(
        f"the value {shown!r} on line {first_line} of the file{'' if in_body else ' (a header row)'} opens a double "
        f"quote that {what}; remove the stray quote or close it (values that contain "
        f"{show_delimiter(text.delimiter)}, quotes or line breaks go in double quotes, inner quotes doubled)",
        file=file, column=header[j] if in_body and j < len(header) else None,
        rows=[k - header_rows + 1] if in_body else None,
    )


def split_table(header_record: list[str], body: list[list[str]], file: str,
                delimiter: str) -> tuple[list[str], list[list[str]], list[str], list[int]]:
    """Header names, equally long rows, warnings and the positions of the columns kept.

    Rows with extra non-empty fields are an error; short rows are padded with blanks (a
    warning names them); columns without a name and without values are left out; names
    must be unique. Row numbers in messages count ``body`` from 1.
    """
    header = [c.strip() for c in header_record]
    width = len(header)
    too_long = [i for i, r in enumerate(body, start=1) if len(r) > width and any(c.strip() for c in r[width:])]
    if too_long:
        n_fields = len(body[too_long[0] - 1])
        raise DataError(
            f"{n_fields} fields where the header has {width}; put values that contain "
            f"{show_delimiter(delimiter)} in double quotes, or check the delimiter (pass delimiter=...)",
            file=file, rows=too_long,
        )
    warnings = []
    short = [i for i, r in enumerate(body, start=1) if 0 < len(r) < width and any(c.strip() for c in r)]
    if short:
        listed = ", ".join(map(str, short[:5])) + (" ..." if len(short) > 5 else "")
        warnings.append(
            f"row{'s' if len(short) > 1 else ''} {listed} ha{'ve' if len(short) > 1 else 's'} fewer fields than the "
            "header; the missing cells at the end were read as blank (a line break inside an unquoted value "
            "splits a response in two: put such values in double quotes)"
        )
    rows = [(r + [""] * (width - len(r)))[:width] for r in body]
    keep = [j for j, name in enumerate(header) if name or any(r[j].strip() for r in rows)]
    header = [name or f"column {j + 1}" for j, name in enumerate(header)]
    check_unique_columns([header[j] for j in keep], file)
    return [header[j] for j in keep], [[r[j] for j in keep] for r in rows], warnings, keep


def _typed(delimiter: str) -> str:
    return "tab" if delimiter == "\t" else delimiter
