"""Read survey-platform response exports back into our variables.

:func:`read_limesurvey_export` reads a LimeSurvey response CSV, :func:`read_qualtrics_export`
a Qualtrics one. Both return a DataFrame whose columns are our variable ids and whose
values are our codes (numbers for scale items, 99 for not applicable; the integer codes
of channel, FCR and contact reason), whether the platform exported answer codes or
answer texts in any of the questionnaire's languages. Platform columns that map to
nothing are left out and listed in ``df.attrs["unmapped_columns"]``. Ranges and required
fields are checked by the common reader (``instrument.read_responses``), not here.

The column names come from :mod:`instrument.export.naming`, the scheme the LimeSurvey
and Qualtrics exports are written with, so a survey fielded from our export reads back
without a mapping file.

:func:`write_limesurvey_export` goes the other way: it writes responses in our raw file
layout (e.g. a simulated study) as LimeSurvey would export them, for examples, teaching
material and tests of the whole path from platform export to report.
"""
from __future__ import annotations

import csv
import io
import json
import math
import re
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from instrument.definition import Instrument, Variable
from instrument.errors import DataError
from instrument.export.naming import (
    DURATION_FIELD,
    LIMESURVEY_DURATION,
    LIMESURVEY_RESPONSE_ID,
    QUALTRICS_DURATION,
    QUALTRICS_RESPONSE_ID,
    limesurvey_columns,
    platform_questions,
    qualtrics_columns,
    qualtrics_import_ids,
)

_LIMESURVEY_META = ("submitdate", "lastpage", "startlanguage", "seed", "startdate", "datestamp")
_QUALTRICS_META = ("StartDate", "EndDate", "Status", "Progress", "Finished", "RecordedDate", QUALTRICS_RESPONSE_ID)
_HOW_LIMESURVEY = ("in LimeSurvey open Responses > Export responses, choose CSV, headings 'Question code' "
                   "and answers as 'Answer codes' (or 'Full answers'), all columns")
_HOW_QUALTRICS = ("in Qualtrics open Data & Analysis > Export & Import > Export data, choose CSV with "
                  "'Download all fields' and 'Use numeric values' (or choice text)")


def _read_text(path: Path, encoding: str | None, how: str) -> str:
    """The file's text; a clear DataError for missing, binary or wrongly encoded files."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataError("no such file; give the path of the exported response CSV", file=str(path)) from None
    except OSError as exc:
        raise DataError(f"cannot read the file ({exc.strerror or exc})", file=str(path)) from None
    if raw[:4] == b"PK\x03\x04":
        raise DataError(f"this is an Excel/zip file, not a CSV export; {how}", file=str(path))
    try:
        return raw.decode(encoding or "utf-8-sig")
    except (UnicodeDecodeError, LookupError) as exc:
        raise DataError(
            f"cannot decode the file as {encoding or 'UTF-8'} ({exc.__class__.__name__}); platforms export UTF-8 - "
            "re-export it, or pass the file's encoding (e.g. encoding='cp1252')", file=str(path)) from None


def _parse_csv(text: str, path: Path, how: str) -> list[list[str]]:
    """All records of a CSV text as lists of strings; the delimiter is sniffed from the header line."""
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    try:
        delimiter = csv.Sniffer().sniff(first, delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    try:
        records = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter))
    except csv.Error as exc:
        raise DataError(f"not a readable CSV file ({exc}); {how}", file=str(path)) from None
    return [r for r in records if any(cell.strip() for cell in r)] or [[]]


def _label_lookup(var: Variable) -> dict[str, int]:
    """Normalised answer label (any language) -> code; labels that name two codes are left out."""
    entries: list[tuple[str, int]] = []
    if var.choices is not None:
        entries += [(label, c.code) for c in var.choices for label in c.label.values()]
    if var.scale is not None:
        entries += [(label, p.code) for p in var.scale.points for label in p.label.values()]
        if var.scale.not_applicable is not None:
            na = var.scale.not_applicable
            entries += [(label, na.code) for label in na.label.values()]
    out: dict[str, int] = {}
    clash: set[str] = set()
    for label, code in entries:
        key = _norm(label)
        if key in out and out[key] != code:
            clash.add(key)
        out[key] = code
    return {k: v for k, v in out.items() if k not in clash}


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def _number(text: str) -> int | float | None:
    try:
        value = float(text.replace(",", ".")) if text.count(",") == 1 and "." not in text else float(text)
    except ValueError:
        return None
    return int(value) if value.is_integer() else value


def _convert(var: Variable, values: list[str]) -> pd.Series:
    """Platform values of one variable -> our values (codes for coded variables; unknown labels kept as text)."""
    cleaned = [v.strip() for v in values]
    if var.scale is not None or var.choices is not None:
        lookup = _label_lookup(var)
        out: list[object] = []
        for v in cleaned:
            if v == "":
                out.append(None)
                continue
            number = _number(v)
            out.append(number if number is not None else lookup.get(_norm(v), v))
        series = pd.Series(out, dtype=object)
        if all(x is None or isinstance(x, (int, float)) for x in out):
            return pd.to_numeric(series)
        return series  # leaves the unknown answers for the common reader to report
    if var.type == "number":
        numbers = [_number(v) if v else None for v in cleaned]
        if all(n is not None or v == "" for n, v in zip(numbers, cleaned)):
            return pd.to_numeric(pd.Series(numbers, dtype=object))
    return pd.Series([v if v != "" else None for v in cleaned], dtype=object)


def _assemble(inst: Instrument, header: list[str], data: list[list[str]], mapping: dict[int, str],
              path: Path, source: str, response_id_col: str, duration_col: str, how: str) -> pd.DataFrame:
    """Build our DataFrame from mapped columns, filling respondent id and duration from platform columns."""
    seen: dict[str, int] = {}
    for index, vid in mapping.items():
        if vid in seen:
            raise DataError(f"columns '{header[seen[vid]]}' and '{header[index]}' both hold variable '{vid}'; "
                            "remove one of them", file=str(path))
        seen[vid] = index
    if not any(inst.variable(v).kind != "context" for v in seen):
        raise DataError(f"no column matches a question of questionnaire {inst.definition.id} "
                        f"(expected e.g. '{_example(inst, source)}'); {how}", file=str(path))
    width = len(header)
    rows = [r + [""] * (width - len(r)) for r in data]
    if any(len(r) > width for r in rows):
        bad = [n for n, r in enumerate(rows, start=1) if len(r) > width]
        raise DataError("more fields than the header has columns; re-export the file", file=str(path), rows=bad)
    sources = dict(seen)  # variable id -> column index it is read from
    columns = {vid: _convert(inst.variable(vid), [r[index] for r in rows]) for vid, index in sources.items()}
    # Platform columns stand in for context fields the survey did not carry.
    id_var = next((f.id for f in inst.context if f.type == "id"), None)
    fallbacks = [(id_var, response_id_col), (DURATION_FIELD if _has(inst, DURATION_FIELD) else None, duration_col)]
    for vid, platform_col in fallbacks:
        if vid and (vid not in columns or columns[vid].isna().all()) and platform_col in header:
            sources[vid] = header.index(platform_col)
            columns[vid] = _convert(inst.variable(vid), [r[sources[vid]] for r in rows])
    used = set(sources.values())
    order = [v.id for v in inst.variables if v.id in columns]
    df = pd.DataFrame({vid: columns[vid] for vid in order})
    df.attrs.update({
        "source": source, "file": str(path),
        "unmapped_columns": [h for i, h in enumerate(header) if i not in used],
        "column_map": {vid: header[sources[vid]] for vid in order},
    })
    return df


def _has(inst: Instrument, variable_id: str) -> bool:
    try:
        inst.variable(variable_id)
    except KeyError:
        return False
    return True


def _example(inst: Instrument, source: str) -> str:
    item = inst.items[0]
    construct = inst.construct_of(item.id).replace("_", "")
    return f"{construct}[{item.id}]" if source == "limesurvey" else item.id


def read_limesurvey_export(path: Path, inst: Instrument, *, encoding: str | None = None) -> pd.DataFrame:
    """Read a LimeSurvey response export (CSV) into our variables.

    Parameters
    ----------
    path : Path
        The CSV file from LimeSurvey's *Export responses*: headings as question codes
        (``QCODE[SQCODE]`` for battery items, ``QCODE`` otherwise; Expression Manager codes
        ``QCODE_SQCODE`` and 'code. text' headings work too), answers as codes or full
        answer texts in any language of the questionnaire. Comma, semicolon or tab
        separated.
    inst : Instrument
        The questionnaire the survey was built from (with :func:`instrument.export.to_limesurvey`).
    encoding : str, optional
        The file's encoding; default UTF-8 (with or without byte-order mark).

    Returns
    -------
    pandas.DataFrame
        Columns are our variable ids in questionnaire order. ``respondent_id`` comes from
        the hidden ``respondentid`` question, or else LimeSurvey's ``id``; ``duration_sec``
        from ``interviewtime``. ``attrs`` holds ``source``, ``file``, ``unmapped_columns``
        and ``column_map`` (variable id -> platform column).

    Raises
    ------
    DataError
        If the file is missing, not text, or not a LimeSurvey response export.
    """
    path = Path(path)
    records = _parse_csv(_read_text(path, encoding, _HOW_LIMESURVEY), path, _HOW_LIMESURVEY)
    header = [h.strip() for h in records[0]]
    if LIMESURVEY_RESPONSE_ID not in header or not any(m in header for m in _LIMESURVEY_META):
        raise DataError(
            f"not a LimeSurvey response export: expected LimeSurvey's columns "
            f"{LIMESURVEY_RESPONSE_ID}, {', '.join(_LIMESURVEY_META)} and the question codes; {_HOW_LIMESURVEY}",
            file=str(path))
    known = limesurvey_columns(inst)
    mapping: dict[int, str] = {}
    for index, name in enumerate(header):
        code = name if name in known else re.split(r"\.\s|\s", name, maxsplit=1)[0]
        if code in known:
            mapping[index] = known[code]
    return _assemble(inst, header, records[1:], mapping, path, "limesurvey", LIMESURVEY_RESPONSE_ID,
                     LIMESURVEY_DURATION, _HOW_LIMESURVEY)


def _import_id(cell: str) -> str | None:
    """The ImportId of a third-header-row cell such as ``{"ImportId":"QID4_1"}``."""
    cell = cell.strip()
    if not cell.startswith("{"):
        return None
    try:
        value = json.loads(cell)
    except json.JSONDecodeError:
        return None
    return value.get("ImportId") if isinstance(value, dict) else None


def read_qualtrics_export(path: Path, inst: Instrument, *, encoding: str | None = None) -> pd.DataFrame:
    """Read a Qualtrics response export (CSV) into our variables.

    Parameters
    ----------
    path : Path
        The CSV file from Qualtrics' *Export data*: three header rows (export tag,
        question text, ImportId JSON) as Qualtrics writes them, or the older two-row
        layout. Matrix rows are found by their export tag (the item id), by ``TAG_n`` or
        by ImportId; answers may be recode values (numeric export) or choice texts.
    inst : Instrument
        The questionnaire the survey was built from (with :func:`instrument.export.to_qualtrics`).
    encoding : str, optional
        The file's encoding; default UTF-8 (with or without byte-order mark).

    Returns
    -------
    pandas.DataFrame
        Columns are our variable ids in questionnaire order. ``respondent_id`` comes from
        the embedded field ``respondentid`` (or ``respondent_id``), else ``ResponseId``;
        ``duration_sec`` from ``Duration (in seconds)``; ``organisation`` and the other
        sample fields from embedded data. ``attrs`` as for :func:`read_limesurvey_export`.

    Raises
    ------
    DataError
        If the file is missing, not text, or not a Qualtrics response export.
    """
    path = Path(path)
    records = _parse_csv(_read_text(path, encoding, _HOW_QUALTRICS), path, _HOW_QUALTRICS)
    header = [h.strip() for h in records[0]]
    if sum(m in header for m in _QUALTRICS_META) < 3:
        raise DataError(
            f"not a Qualtrics response export: expected Qualtrics' columns {', '.join(_QUALTRICS_META)} "
            f"and the export tags; {_HOW_QUALTRICS}", file=str(path))
    skip = 1
    import_ids: list[str | None] = [None] * len(header)
    if len(records) > 2 and any(_import_id(c) for c in records[2]):
        skip = 3
        import_ids = [_import_id(c) for c in records[2]] + [None] * (len(header) - len(records[2]))
    elif len(records) > 1 and QUALTRICS_RESPONSE_ID in header:
        second = records[1][header.index(QUALTRICS_RESPONSE_ID)] if len(records[1]) > header.index(
            QUALTRICS_RESPONSE_ID) else ""
        if not re.fullmatch(r"R_\w+", second.strip()):
            skip = 2  # the question-text row without ImportIds
    by_tag = qualtrics_columns(inst)
    by_import = qualtrics_import_ids(inst)
    ids = {v.id for v in inst.variables}
    mapping: dict[int, str] = {}
    for index, name in enumerate(header):
        vid = by_tag.get(name) or by_import.get(import_ids[index] or "") or (name if name in ids else None)
        if vid is not None:
            mapping[index] = vid
    return _assemble(inst, header, records[skip:], mapping, path, "qualtrics", QUALTRICS_RESPONSE_ID,
                     QUALTRICS_DURATION, _HOW_QUALTRICS)


# --------------------------------------------------------------------------- writing
LIMESURVEY_ANSWERS = ("codes", "texts")
#: Completion time assumed for a respondent without ``duration_sec`` (seconds).
_DEFAULT_DURATION = 300.0


def _text_value(var: Variable, value: object, answers: str, lang: str) -> str:
    """One cell as LimeSurvey exports it: '' for missing, the code, or the answer text."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        value = int(value)
    if answers == "texts" and isinstance(value, (int, np.integer)):
        labels = {}
        if var.choices is not None:
            labels = {c.code: c.label[lang] for c in var.choices}
        elif var.scale is not None:
            labels = {p.code: p.label[lang] for p in var.scale.points}
            if var.scale.not_applicable is not None:
                labels[var.scale.not_applicable.code] = var.scale.not_applicable.label[lang]
        if int(value) in labels:
            return labels[int(value)]
    return str(value)


def write_limesurvey_export(responses: pd.DataFrame, path: str | Path, inst: Instrument, *,
                            answers: str = "codes", lang: str | None = None, delimiter: str = ",",
                            seed: int = 0) -> Path:
    """Write responses as a LimeSurvey response export (CSV), the inverse of :func:`read_limesurvey_export`.

    The file looks like LimeSurvey's *Export responses* with headings 'Question code':
    UTF-8 with byte-order mark, every field quoted, CRLF line ends; LimeSurvey's own
    columns (``id``, ``submitdate``, ``lastpage``, ``startlanguage``, ``seed``,
    ``startdate``, ``datestamp``) first, then the questions of the survey that
    :func:`instrument.export.to_limesurvey` builds (hidden context fields, batteries as
    ``QCODE[SQCODE]``), then the timings ``interviewtime`` and ``groupTime1..k``.

    Parameters
    ----------
    responses : DataFrame
        Responses in the raw file layout with our codes, e.g.
        ``analysis.simulation.simulate_study(...).responses`` (``channel`` as its code,
        scale items 1-7, 99 = not applicable, blank = missing). Variables it lacks are
        written empty.
    path : str or Path
        The CSV file to write.
    inst : Instrument
    answers : {'codes', 'texts'}, default 'codes'
        LimeSurvey's 'Answer codes' or 'Full answers' (answer texts in ``lang``).
    lang : str, optional
        The respondents' survey language (``startlanguage``, and the answer texts);
        default the questionnaire's source language.
    delimiter : str, default ','
    seed : int, default 0
        Seeds the platform columns that are not in the responses (start times,
        LimeSurvey's per-response ``seed``), so the same call writes the same bytes.

    Returns
    -------
    Path

    Notes
    -----
    As on LimeSurvey, a question that was not shown is empty: the wait-time and menu
    items (phone only) are blank for respondents of other channels or of unknown
    channel, whatever the responses hold. The survey starts the day after the contact
    (``contact_date``; the first day of the earliest contact's month when missing) at
    a random time between 08:00 and 22:00 and is submitted ``duration_sec`` later
    (300 s when missing); ``groupTime1..k`` split that time over the question groups in
    proportion to the questions each shows. ``id`` numbers the rows from 1.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from instrument import load_instrument, read_responses
    >>> from analysis.simulation import simulate_study
    >>> inst = load_instrument()
    >>> study = simulate_study(inst, n_orgs=1, n_per_org=20, seed=1, truth_draws=0)
    >>> path = write_limesurvey_export(study.responses, pathlib.Path(tempfile.mkdtemp()) / "export.csv", inst)
    >>> data, report = read_responses(path, inst)          # recognised as a LimeSurvey export
    >>> report.format, len(data)
    ('limesurvey', 20)
    """
    if answers not in LIMESURVEY_ANSWERS:
        raise ValueError(f"answers must be one of {', '.join(LIMESURVEY_ANSWERS)}, got {answers!r}")
    lang = lang or inst.definition.source_language
    if lang not in inst.languages:
        raise ValueError(f"'{lang}' is not a language of the questionnaire ({', '.join(inst.languages)})")
    if "respondent_id" in responses.columns and responses["respondent_id"].isna().any():
        raise ValueError("every response needs a respondent_id")
    n = len(responses)
    rng = np.random.default_rng(seed)
    frame = responses.reset_index(drop=True)

    def column(vid: str) -> list:
        return frame[vid].tolist() if vid in frame.columns else [None] * n

    questions = platform_questions(inst)
    channel_codes_of = {c.key: c.code for c in inst.choices("channel")}
    channel = pd.to_numeric(pd.Series(column("channel"), dtype=object), errors="coerce")

    cells: dict[str, list[str]] = {}
    shown_per_block: dict[str, int] = {b.id: 0 for b in inst.definition.blocks}
    for q in questions:
        if q.block is not None:
            shown_per_block[q.block] += len(q.variable_ids)
        for vid in q.variable_ids:
            var = inst.variable(vid)
            name = f"{q.code}[{q.row_code(vid)}]" if q.kind == "battery" else q.code
            values = [_text_value(var, v, answers, lang) for v in column(vid)]
            if var.channels:
                allowed = {channel_codes_of[k] for k in var.channels}
                values = [v if c in allowed else "" for v, c in zip(values, channel)]
            cells[name] = values

    duration = pd.to_numeric(pd.Series(column(DURATION_FIELD), dtype=object), errors="coerce")
    contact = pd.to_datetime(pd.Series(column("contact_date"), dtype=object), errors="coerce")
    fallback = contact.min()
    fallback = date(2024, 1, 1) if pd.isna(fallback) else fallback.date().replace(day=1)
    start_seconds = rng.integers(8 * 3600, 22 * 3600, n)
    response_seed = rng.integers(1, 100_000_000, n)
    starts, submits = [], []
    for k in range(n):
        day = contact[k].date() + timedelta(days=1) if not pd.isna(contact[k]) else fallback
        start = datetime.combine(day, datetime.min.time()) + timedelta(seconds=int(start_seconds[k]))
        seconds = float(duration[k]) if not pd.isna(duration[k]) else _DEFAULT_DURATION
        starts.append(start)
        submits.append(start + timedelta(seconds=round(seconds)))
    stamp = "%Y-%m-%d %H:%M:%S"
    blocks = [b.id for b in inst.definition.blocks]
    weights = np.array([shown_per_block[b] for b in blocks], dtype=float)
    weights = weights / weights.sum()
    header = ["id", "submitdate", "lastpage", "startlanguage", "seed", "startdate", "datestamp",
              *cells, LIMESURVEY_DURATION, *[f"groupTime{g}" for g in range(1, len(blocks) + 1)]]
    rows = []
    for k in range(n):
        seconds = duration[k] if not pd.isna(duration[k]) else _DEFAULT_DURATION
        own = [str(k + 1), submits[k].strftime(stamp), str(len(blocks)), lang, str(response_seed[k]),
               starts[k].strftime(stamp), submits[k].strftime(stamp)]
        timing = [f"{seconds:.2f}", *[f"{seconds * w:.2f}" for w in weights]]
        rows.append(own + [values[k] for values in cells.values()] + timing)

    path = Path(path)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    try:
        path.write_bytes(("\ufeff" + buffer.getvalue() + "\r\n").encode("utf-8"))
    except OSError as exc:
        raise DataError(f"cannot write the export ({exc.strerror or exc})", file=str(path)) from None
    return path
