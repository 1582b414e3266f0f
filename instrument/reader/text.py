r"""Delimited text files: encoding and delimiter detection, and parsing into a raw table.

Encodings tried, in order, unless one is given: UTF-8 with BOM, UTF-16 with BOM, UTF-8,
cp1252 (what Excel writes on Dutch and English Windows), Latin-1. Delimiters detected:
comma, semicolon, tab, pipe; the one that splits the header into most fields,
consistently over the first rows. A one-column header that another character seems to
split, or a forced delimiter that leaves the header in one piece, is an error naming the
delimiter the file seems to use.

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
    try:
        codec = codecs.lookup(encoding).name
    except LookupError:
        raise DataError(
            f"'{encoding}' is not an encoding Python knows; pass e.g. utf-8, utf-8-sig, cp1252 or latin-1, "
            "or leave the encoding out to detect it",
            file=file,
        ) from None
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


def read_delimited(path: Path, *, delimiter: str | None = None, encoding: str | None = None) -> RawTable:
    """Read a delimited text file; every cell is a str ('' for an empty cell)."""
    file = str(path)
    data = path.read_bytes()
    if data.startswith(b"PK\x03\x04"):
        raise DataError("is a zip file (an Excel workbook?) with a text extension; rename it to .xlsx", file=file)
    has_utf16_bom = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if b"\x00" in data[:4096] and not has_utf16_bom and (encoding is None or "16" not in encoding):
        raise DataError(
            "contains NUL bytes, so it is not plain text (UTF-16 without a byte-order mark, or a binary file); "
            "save it from Excel as 'CSV UTF-8' or pass encoding='utf-16-le'", file=file,
        )
    text, used_encoding, warnings = decode_text(data, file, encoding)
    detected = detect_delimiter(text)
    lines = text.split("\n", 2)
    header_line = lines[0].rstrip("\r")
    if delimiter is None:
        delimiter = detected
        if delimiter not in header_line:
            other = _other_separator(header_line)
            first_row = lines[1] if len(lines) > 1 and lines[1].strip() else None
            if other is not None and (first_row is None or first_row.count(other) == header_line.count(other)):
                raise DataError(
                    f"the header is one column; the file seems to use {show_delimiter(other)} as delimiter: "
                    f"pass delimiter='{other}' (drivers check --delimiter '{other}')", file=file,
                )
    elif delimiter not in header_line and detected != delimiter and detected in header_line:
        raise DataError(
            f"the header is one column when split on {show_delimiter(delimiter)}; the file seems to use "
            f"{show_delimiter(detected)}: pass delimiter='{_typed(detected)}' (drivers check --delimiter "
            f"'{_typed(detected)}') or leave the delimiter out to detect it", file=file,
        )
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False))
    except csv.Error as exc:
        raise DataError(f"is not valid delimited text ({exc}); export it again as CSV", file=file) from None
    header, rows = _split_header(records, file, delimiter)
    width = len(records[0])
    short = [i for i, r in enumerate(records[1:], start=1) if 0 < len(r) < width and any(c.strip() for c in r)]
    if short:
        listed = ", ".join(map(str, short[:5])) + (" ..." if len(short) > 5 else "")
        warnings.append(
            f"row{'s' if len(short) > 1 else ''} {listed} ha{'ve' if len(short) > 1 else 's'} fewer fields than the "
            "header; the missing cells at the end were read as blank (a line break inside an unquoted value "
            "splits a response in two: put such values in double quotes)"
        )
    frame = pd.DataFrame(rows, columns=header, dtype=object) if rows else pd.DataFrame(columns=header, dtype=object)
    return RawTable(frame, "csv", used_encoding, delimiter, decimal_comma=delimiter != ",", warnings=warnings)


def _typed(delimiter: str) -> str:
    return "tab" if delimiter == "\t" else delimiter


def _split_header(records: list[list[str]], file: str, delimiter: str) -> tuple[list[str], list[list[str]]]:
    """Header names and equally long rows; rows with extra non-empty fields are an error."""
    if not records or not any(c.strip() for c in records[0]):
        raise DataError("has no header row (the first line is empty); put the column names on the first line", file=file)
    header = [c.strip() for c in records[0]]
    body = records[1:]
    width = len(header)
    too_long = [i for i, r in enumerate(body, start=1) if len(r) > width and any(c.strip() for c in r[width:])]
    if too_long:
        n_fields = len(body[too_long[0] - 1])
        raise DataError(
            f"{n_fields} fields where the header has {width}; put values that contain "
            f"{show_delimiter(delimiter)} in double quotes, or check the delimiter (pass delimiter=...)",
            file=file, rows=too_long,
        )
    rows = [(r + [""] * (width - len(r)))[:width] for r in body]
    keep = [j for j, name in enumerate(header) if name or any(r[j].strip() for r in rows)]
    header = [name or f"column {j + 1}" for j, name in enumerate(header)]
    check_unique_columns([header[j] for j in keep], file)
    return [header[j] for j in keep], [[r[j] for j in keep] for r in rows]
