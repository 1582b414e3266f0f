"""Read LimeSurvey and Qualtrics response exports (CSV, Excel, SPSS) into our variables and codes.

CSV text is read by the common reader (:func:`instrument.reader.text.read_records`):
the same encoding and delimiter detection, the same checks (a stray double quote, rows
with too many fields) and the same row numbers as any CSV file, row 1 being the first
response after the platform's header rows. Excel and SPSS downloads are turned into
the same text records first (:mod:`instrument.platforms.sources`), LimeSurvey's text
headings into its codes (:mod:`instrument.platforms.headings`). Values are converted
with the common reader's number parser and label lookup (:mod:`instrument.reader.validate`).

Rows that are not respondents are left out and listed: empty rows, and Qualtrics
survey previews and test responses (``Status`` 1 'Survey Preview', 2 'Survey Test').
Responses the respondent did not complete (LimeSurvey: no ``submitdate``; Qualtrics:
``Finished`` 0 or False) are kept with what they answered and listed.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd

from instrument.definition import Instrument, Variable
from instrument.errors import DataError
from instrument.naming import (
    DURATION_FIELD,
    LIMESURVEY_DURATION,
    LIMESURVEY_RESPONSE_ID,
    QUALTRICS_DURATION,
    QUALTRICS_RESPONSE_ID,
    limesurvey_columns,
    qualtrics_columns,
    qualtrics_import_ids,
)
from instrument.platforms.headings import (
    abbreviated_headings, normalise_heading, question_text_headings, rename_own_columns,
)
from instrument.platforms.sources import (
    EXCEL_SUFFIXES, SAV_SUFFIXES, SPSS_SUFFIXES, excel_records, read_spss_pair, sav_records,
)
from instrument.reader.table import normalise_delimiter
from instrument.reader.text import DelimitedText, check_quotes, read_records, split_table
from instrument.reader.validate import is_blank, label_codes, normalise_text, parse_number

_LIMESURVEY_META = ("submitdate", "lastpage", "startlanguage", "seed", "startdate", "datestamp")
_QUALTRICS_META = ("StartDate", "EndDate", "Status", "Progress", "Finished", "RecordedDate", QUALTRICS_RESPONSE_ID)
_HOW_LIMESURVEY = ("in LimeSurvey open Responses > Export > Export responses, choose 'CSV' or 'Microsoft Excel', "
                   "headings 'Question code' or 'Full question text' (not 'Abbreviated'), answers 'Answer codes' or "
                   "'Full answers', all columns (or Export > 'Export to SPSS' and download both files)")
_HOW_QUALTRICS = ("in Qualtrics open Data & Analysis > Export & Import > Export data, choose 'CSV' or 'Excel' with "
                  "'Download all fields' and 'Use numeric values' (or 'Use choice text'), unzip the download and "
                  "give the file inside")
#: Qualtrics ``Status`` values (numeric export, choice-text export) of responses that are not respondents.
QUALTRICS_NOT_RESPONDENTS = {"1": "Survey Preview", "2": "Survey Test"}
#: Qualtrics ``Finished`` values of responses the respondent did not complete.
_NOT_FINISHED = {"0", "false"}


def _read_export(path: Path, delimiter: str | None, encoding: str | None, how: str) -> tuple[DelimitedText, str]:
    """The records of an export and its kind ('csv', 'excel'); a clear DataError for unreadable files."""
    file = str(path)
    if not path.exists():
        raise DataError("no such file; give the path of the exported response file", file=file)
    if path.is_dir():
        raise DataError("is a folder; give the path of the exported responses inside it", file=file)
    try:
        if path.suffix.lower() in EXCEL_SUFFIXES:
            text, kind = excel_records(path), "excel"
        else:
            with path.open("rb") as fh:
                if fh.read(4) == b"PK\x03\x04":
                    raise DataError("this is an Excel workbook or a zip file, not CSV text: give an Excel export "
                                    f"the extension .xlsx, or unzip the download and give the file inside; {how}",
                                    file=file)
            text = read_records(path, delimiter=normalise_delimiter(delimiter), encoding=encoding)
            kind = "csv"
    except OSError as exc:
        raise DataError(f"cannot read the file ({exc.strerror or exc})", file=file) from None
    if not text.records or not any(c.strip() for c in text.records[0]):
        raise DataError(f"has no header row (the file or its first line is empty); {how}", file=file)
    return text, kind


def _convert(var: Variable, values: list[str], decimal_comma: bool) -> pd.Series:
    """Platform values of one variable -> our values (codes for coded variables; unknown labels kept as text)."""
    cleaned = [None if is_blank(v) else v.strip() for v in values]
    if var.scale is not None or var.choices is not None:
        lookup = label_codes(var)
        out: list[object] = []
        for v in cleaned:
            number = _number(v, decimal_comma)
            out.append(number if number is not None or v is None else lookup.get(normalise_text(v), v))
        series = pd.Series(out, dtype=object)
        if all(x is None or isinstance(x, (int, float)) for x in out):
            return pd.to_numeric(series)
        return series  # leaves the unknown answers for the common reader to report
    if var.type == "number":
        numbers = [_number(v, decimal_comma) for v in cleaned]
        if all(n is not None or v is None for n, v in zip(numbers, cleaned)):
            return pd.to_numeric(pd.Series(numbers, dtype=object))
    return pd.Series(cleaned, dtype=object)


def _number(text: str | None, decimal_comma: bool) -> int | float | None:
    value = parse_number(text, decimal_comma) if text is not None else None
    if value is None:
        return None
    return int(value) if value.is_integer() else value


def _assemble(inst: Instrument, text: DelimitedText, header_rows: int, mapping_of, path: Path, source: str,
              response_id_col: str, duration_col: str, how: str, kind: str = "csv",
              shown: list[str] | None = None) -> pd.DataFrame:
    """Build our DataFrame from the export's records, leaving out rows that are not respondents.

    ``kind`` is 'csv' (decimal commas in files not separated by commas), or 'excel' /
    'spss' (cells written by the platform with decimal points, no quotes to check).
    ``shown`` is the header as the file has it, for messages, when the records' header
    has LimeSurvey's own text headings replaced by their codes.
    """
    file = str(path)
    if kind == "csv":
        check_quotes(text, file, header_rows=header_rows)
    header, rows, warnings, kept = split_table(text.records[0], text.records[header_rows:], file, text.delimiter)
    display = [shown[k].strip() for k in kept] if shown is not None else header
    mapping: dict[int, str] = mapping_of(header, kept)
    seen: dict[str, int] = {}
    for index, vid in mapping.items():
        if vid in seen:
            raise DataError(f"columns '{display[seen[vid]]}' and '{display[index]}' both hold variable '{vid}'; "
                            "remove one of them", file=file)
        seen[vid] = index
    if not any(inst.variable(v).kind != "context" for v in seen):
        raise DataError(f"no column matches a question of questionnaire {inst.definition.id} "
                        f"(expected e.g. '{_example(inst, source)}'); {how}", file=file)
    respondents, empty_rows, not_respondents, incomplete = _sort_rows(header, rows, source, response_id_col)
    rows = [rows[k] for k in respondents]
    decimal_comma = kind == "csv" and text.delimiter != ","
    sources = dict(seen)  # variable id -> column index it is read from
    columns = {vid: _convert(inst.variable(vid), [r[i] for r in rows], decimal_comma) for vid, i in sources.items()}
    # Platform columns stand in for context fields the survey did not carry.
    id_var = next((f.id for f in inst.context if f.type == "id"), None)
    fallbacks = [(id_var, response_id_col), (DURATION_FIELD if _has(inst, DURATION_FIELD) else None, duration_col)]
    for vid, platform_col in fallbacks:
        if vid and (vid not in columns or columns[vid].isna().all()) and platform_col in header:
            sources[vid] = header.index(platform_col)
            columns[vid] = _convert(inst.variable(vid), [r[sources[vid]] for r in rows], decimal_comma)
    used = set(sources.values())
    order = [v.id for v in inst.variables if v.id in columns]
    df = pd.DataFrame({vid: columns[vid] for vid in order}, index=pd.RangeIndex(len(rows)))
    df.attrs.update({
        "source": source, "file": file, "kind": kind,
        "encoding": text.encoding or None, "delimiter": text.delimiter if kind == "csv" else None,
        "unmapped_columns": [h for i, h in enumerate(display) if i not in used],
        "column_map": {vid: display[sources[vid]] for vid in order},
        "source_rows": [k + 1 for k in respondents], "empty_rows": empty_rows,
        "not_respondents": not_respondents, "incomplete_rows": incomplete,
        "warnings": text.warnings + warnings,
    })
    return df


def _sort_rows(header: list[str], rows: list[list[str]], source: str,
               response_id_col: str) -> tuple[list[int], list[int], list[dict], list[int]]:
    """Positions of the respondents' rows; row numbers of empty rows; previews/tests; incomplete responses."""
    status = header.index("Status") if source == "qualtrics" and "Status" in header else None
    finished = header.index("Finished") if source == "qualtrics" and "Finished" in header else None
    submitted = header.index("submitdate") if source == "limesurvey" and "submitdate" in header else None
    response_id = header.index(response_id_col) if response_id_col in header else None
    named = {name.casefold(): name for name in QUALTRICS_NOT_RESPONDENTS.values()}
    respondents, empty_rows, not_respondents, incomplete = [], [], [], []
    for k, row in enumerate(rows):
        if all(is_blank(c) for c in row):
            empty_rows.append(k + 1)
            continue
        kind = None
        if status is not None:
            value = row[status].strip()
            kind = QUALTRICS_NOT_RESPONDENTS.get(value) or named.get(value.casefold())
        if kind is not None:
            what = "survey preview" if kind == "Survey Preview" else "test response"
            not_respondents.append({
                "row": k + 1, "respondent_id": (row[response_id].strip() or None) if response_id is not None else None,
                "reason": f"{what} (Qualtrics Status '{kind}'), not a respondent (dropped)",
            })
            continue
        respondents.append(k)
        if (finished is not None and row[finished].strip().casefold() in _NOT_FINISHED) or \
                (submitted is not None and is_blank(row[submitted])):
            incomplete.append(k + 1)
    return respondents, empty_rows, not_respondents, incomplete


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


def read_limesurvey_export(path: Path, inst: Instrument, *, delimiter: str | None = None,
                           encoding: str | None = None) -> pd.DataFrame:
    """Read a LimeSurvey response export (CSV, Excel, SPSS) into our variables.

    Parameters
    ----------
    path : Path
        A file from LimeSurvey's *Export responses*, CSV or Microsoft Excel (``.xlsx``):
        headings as question codes (``QCODE[SQCODE]`` for battery items, ``QCODE``
        otherwise; Expression Manager codes ``QCODE_SQCODE`` work too), as full question
        texts (``<question> [<item>]``, in any language of the questionnaire, LimeSurvey's
        own columns in English or Dutch, see :mod:`instrument.platforms.headings`) or as
        'code. text'; answers as codes or full answer texts in any language of the
        questionnaire. Or LimeSurvey's SPSS ``.sav``, or either file of its *Export to
        SPSS* pair (``.sps`` syntax and ``.dat`` data in one folder; the syntax file's
        value labels are used, see :mod:`instrument.platforms.sources`). 99 is 'not
        applicable', as the codebook declares, whether or not the file declares it missing.
    inst : Instrument
        The questionnaire the survey was built from (with :func:`instrument.export.to_limesurvey`).
    delimiter, encoding : str, optional
        Force the delimiter ('tab' accepted) or the encoding; detected by default, as
        for any text file (LimeSurvey writes UTF-8 with byte-order mark).

    Returns
    -------
    pandas.DataFrame
        One row per respondent; columns are our variable ids in questionnaire order.
        ``respondent_id`` comes from the hidden ``respondentid`` question, or else
        LimeSurvey's ``id``; ``duration_sec`` from ``interviewtime``. ``attrs`` holds
        ``source``, ``file``, ``encoding``, ``delimiter``, ``unmapped_columns``,
        ``column_map`` (variable id -> platform column), ``source_rows`` (the file's row
        number of each row, 1 = the first response), ``empty_rows``, ``not_respondents``
        (always empty for LimeSurvey), ``incomplete_rows`` (responses without
        ``submitdate``: not completed, kept with what they answered) and ``warnings``.

    Raises
    ------
    DataError
        If the file is missing, unreadable, or not a LimeSurvey response export (the
        message says which export settings to choose), or its headings are abbreviated.
    """
    path = Path(path)
    if path.suffix.lower() in SPSS_SUFFIXES + SAV_SUFFIXES:
        if not path.is_file():
            raise DataError("no such file; give the path of the exported response file", file=str(path))
        pair = read_spss_pair(path) if path.suffix.lower() in SPSS_SUFFIXES else sav_records(path)
        text, kind = pair.text, "spss"
    else:
        pair = None
        text, kind = _read_export(path, delimiter, encoding, _HOW_LIMESURVEY)
    shown = [h.strip() for h in text.records[0]]
    header = rename_own_columns(shown)  # 'Response ID' / 'Respons-id' -> 'id', ...
    if LIMESURVEY_RESPONSE_ID not in header or not any(m in header for m in _LIMESURVEY_META):
        raise DataError(
            f"not a LimeSurvey response export: expected LimeSurvey's columns "
            f"{LIMESURVEY_RESPONSE_ID}, {', '.join(_LIMESURVEY_META)} (or their headings such as 'Response ID') and "
            f"the questions; {_HOW_LIMESURVEY}", file=str(path))
    known = limesurvey_columns(inst)
    by_text = question_text_headings(inst)

    def variable_of(name: str) -> str | None:
        code = name if name in known else re.split(r"\.\s|\s", name, maxsplit=1)[0]
        return known.get(code) or by_text.get(normalise_heading(name))

    cut = [h for h in abbreviated_headings(shown) if variable_of(h) is None]
    if cut:
        raise DataError(f"the headings are abbreviated question texts (e.g. '{cut[0]}'), which cannot be told apart; "
                        f"export again with headings 'Question code' or 'Full question text'; {_HOW_LIMESURVEY}",
                        file=str(path))
    text.records[0] = header
    if pair is not None:
        _recode_by_value_labels(text, pair.value_labels, {j: variable_of(h) for j, h in enumerate(header)}, inst)

    def mapping_of(names: list[str], _kept: list[int]) -> dict[int, str]:
        return {index: vid for index, name in enumerate(names) if (vid := variable_of(name)) is not None}

    return _assemble(inst, text, 1, mapping_of, path, "limesurvey", LIMESURVEY_RESPONSE_ID,
                     LIMESURVEY_DURATION, _HOW_LIMESURVEY, kind=kind, shown=shown)


def _recode_by_value_labels(text: DelimitedText, value_labels: dict[str, dict[str, str]],
                            variables: dict[int, str | None], inst: Instrument) -> None:
    """Turn the SPSS download's codes into ours through their value labels (in place).

    LimeSurvey writes list answers as their answer codes, which are ours, but Yes/No
    questions as 1/2 with the labels Yes/No; a code whose label names one of our
    answers becomes that answer's code, any other is kept for the common reader.
    """
    header = text.records[0]
    for j, vid in variables.items():
        labels = value_labels.get(header[j])
        if vid is None or not labels:
            continue
        var = inst.variable(vid)
        if var.scale is None and var.choices is None:
            continue
        lookup = label_codes(var)
        recode = {code: str(lookup[normalise_text(label)]) for code, label in labels.items()
                  if normalise_text(label) in lookup}
        for record in text.records[1:]:
            if j < len(record) and record[j].strip() in recode:
                record[j] = recode[record[j].strip()]


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


def read_qualtrics_export(path: Path, inst: Instrument, *, delimiter: str | None = None,
                          encoding: str | None = None) -> pd.DataFrame:
    """Read a Qualtrics response export (CSV or Excel) into our variables.

    Parameters
    ----------
    path : Path
        The CSV or Excel (``.xlsx``) file from Qualtrics' *Export data*: three header rows (export tag,
        question text, ImportId JSON) as Qualtrics writes them, or the older two-row
        layout. Matrix rows are found by their export tag (the item id), by ``TAG_n`` or
        by ImportId; answers may be recode values (numeric export) or choice texts.
    inst : Instrument
        The questionnaire the survey was built from (with :func:`instrument.export.to_qualtrics`).
    delimiter, encoding : str, optional
        Force the delimiter or the encoding; detected by default, as for any text file.

    Returns
    -------
    pandas.DataFrame
        One row per respondent; columns are our variable ids in questionnaire order.
        ``respondent_id`` comes from the embedded field ``respondentid`` (or
        ``respondent_id``), else ``ResponseId``; ``duration_sec`` from ``Duration (in
        seconds)``; ``organisation`` and the other sample fields from embedded data.
        ``attrs`` as for :func:`read_limesurvey_export`, with ``not_respondents`` the
        survey previews and test responses left out (``Status`` 1 / 'Survey Preview', 2 /
        'Survey Test': ``row``, ``respondent_id``, ``reason``) and ``incomplete_rows``
        the responses with ``Finished`` 0 (False), kept with what they answered.

    Raises
    ------
    DataError
        If the file is missing, not text, or not a Qualtrics response export.
    """
    path = Path(path)
    text, kind = _read_export(path, delimiter, encoding, _HOW_QUALTRICS)
    records = text.records
    header = [h.strip() for h in records[0]]
    if sum(m in header for m in _QUALTRICS_META) < 3:
        raise DataError(
            f"not a Qualtrics response export: expected Qualtrics' columns {', '.join(_QUALTRICS_META)} "
            f"and the export tags; {_HOW_QUALTRICS}", file=str(path))
    header_rows = 1
    import_ids: list[str | None] = [None] * len(header)
    if len(records) > 2 and any(_import_id(c) for c in records[2]):
        header_rows = 3
        import_ids = ([_import_id(c) for c in records[2]] + [None] * len(header))[:len(header)]
    elif len(records) > 1 and QUALTRICS_RESPONSE_ID in header:
        position = header.index(QUALTRICS_RESPONSE_ID)
        second = records[1][position] if len(records[1]) > position else ""
        if not re.fullmatch(r"R_\w+", second.strip()):
            header_rows = 2  # the question-text row without ImportIds
    by_tag = qualtrics_columns(inst)
    by_import = qualtrics_import_ids(inst)
    ids = {v.id for v in inst.variables}

    def mapping_of(names: list[str], kept: list[int]) -> dict[int, str]:
        mapping = {}
        for index, name in enumerate(names):
            vid = by_tag.get(name) or by_import.get(import_ids[kept[index]] or "") or (name if name in ids else None)
            if vid is not None:
                mapping[index] = vid
        return mapping

    return _assemble(inst, text, header_rows, mapping_of, path, "qualtrics", QUALTRICS_RESPONSE_ID,
                     QUALTRICS_DURATION, _HOW_QUALTRICS, kind=kind)
