"""``read_responses``: the one reader every command uses."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from instrument.definition import Instrument, load_instrument
from instrument.errors import DataError
from instrument.reader.columns import group_variable, id_variable, match_columns
from analysis.common.options import INVALID_POLICIES, SOURCES, check_option
from instrument.reader.files import check_path, detect_platform, peek_excel_header, peek_sav_header, read_raw_table
from instrument.reader.flags import FLAG_COLUMNS, channel_applicable, driver_item_ids, respondent_flags
from instrument.reader.integrity import (
    ABSENT_ITEMS_ATTR, IdenticalDuplicates, UnusableData, absent_items_problem, find_absent_items,
    duplicate_id_problem, identical_duplicates, left_out_note,
)
from instrument.reader.quality import QualityReport, build_report
from instrument.reader.table import RawTable, normalise_delimiter
from instrument.reader.text import peek_header
from instrument.reader.validate import (
    ANSWER, INVALID, MISSING, NOT_APPLICABLE, ConvertedColumn, apply_spss_metadata, blank_mask, convert_column,
    empty_column, is_blank, show_value,
)


def read_responses(
    path: str | Path,
    inst: Instrument | None = None,
    *,
    source: str = "auto",
    sheet: str | int | None = None,
    delimiter: str | None = None,
    encoding: str | None = None,
    invalid: str = "error",
    id_column: str | None = None,
    group_column: str | None = None,
    duplicates: str = "error",
    absent_items: str = "error",
    extra_columns: Sequence[str] = (),
) -> tuple[pd.DataFrame, QualityReport]:
    r"""Read a response file, check it against the questionnaire and flag respondents.

    Parameters
    ----------
    path : str or Path
        A CSV/TXT file (delimiter , ; tab or |; UTF-8 with or without BOM, UTF-16 with
        BOM, cp1252 or Latin-1; decimal commas in non-comma files), Excel ``.xlsx``/``.xls``,
        SPSS ``.sav`` (value labels and user-missing codes are used) or Parquet; or a
        LimeSurvey or Qualtrics download (CSV, Excel, LimeSurvey's ``.sav`` and its SPSS
        syntax + data pair ``.sps``/``.dat``), see :mod:`instrument.platforms`.
    inst : Instrument, optional
        The questionnaire; the shipped one by default.
    source : {'auto', 'file', 'limesurvey', 'qualtrics'}, default 'auto'
        'auto' reads by extension and sends a CSV or Excel file whose header looks like
        a LimeSurvey (``id, submitdate, ..., X[Y]``, or ``Response ID, Date submitted,
        ...``) or Qualtrics (``StartDate, EndDate, ..., ResponseId``) export, LimeSurvey's
        ``.sav`` and its ``.sps``/``.dat`` pair to :mod:`instrument.platforms`; 'file'
        never does. Qualtrics survey previews and test responses are left out (listed in
        ``report.excluded``); responses that were not completed are kept and counted
        (``report.n_incomplete``).
    sheet : str or int, optional
        Excel sheet name or 0-based position (the first sheet by default).
    delimiter, encoding : str, optional
        Force the delimiter ('tab' accepted) or encoding of a text file.
    invalid : {'error', 'missing'}, default 'error'
        What to do with values that are not codes of their variable (text in a scale
        column, 8 on a 1-7 item, 2.5): raise, or read them as missing and list them in
        the report (``report.invalid_values``, ``report.items.n_invalid``).
    id_column, group_column : str, optional
        The file's names of the respondent-id and organisation columns, when they are
        not ``respondent_id`` / ``organisation`` (or those names in another case).
    duplicates : {'error', 'drop_identical'}, default 'error'
        What to do with rows identical in every column to an earlier row (the same
        response twice): raise, or drop the repeats (counted in
        ``report.n_duplicates_dropped`` and listed in ``report.excluded``). Rows that
        share a respondent id but differ are always an error.
    absent_items : {'error', 'leave_out'}, default 'error'
        What to do when the file has no column for an item of a construct (e.g. an
        item renamed in the questionnaire): raise, naming the columns, or leave every
        such construct out (all its items blank; listed in ``report.left_out``).
    extra_columns : sequence of str, optional
        File columns the questionnaire does not know to keep as text columns of the data
        (e.g. a region to group the analysis by): SPSS value labels replace the codes,
        blanks are missing; ``report.column_labels`` holds their labels. A column the
        file lacks is not added.

    Returns
    -------
    data : DataFrame
        One row per respondent, in file order (empty rows dropped), with columns:

        * ``respondent_id`` (str), ``organisation`` (str);
        * ``channel`` (Categorical of keys phone, email, chat, messaging, social);
        * ``contact_date`` (datetime64; NaT when missing or unparseable);
        * ``agent_id`` (str), ``duration_sec`` (float, seconds);
        * the 31 scale items ``rel1`` ... ``sat3`` (float codes 1-7; NaN for blank,
          'not applicable' and invalid-read-as-missing; the report tells them apart);
        * ``contact_reason`` and ``fcr`` (Categorical of keys), ``csat`` (1-5),
          ``nps`` (0-10), ``ces`` (1-7) as float, ``why`` (str);
        * every other variable of ``inst`` likewise, in codebook order; variables the
          file lacks are all missing;
        * ``flag_straightlining``, ``flag_too_many_missing``, ``flag_speeding`` (bool;
          rules in :mod:`instrument.reader.flags`);
        * ``source_row`` (int): the 1-based data row in the file (header excluded).

        ``data.attrs['absent_items']`` maps each construct left out for item columns
        the file lacks to those item ids (see ``absent_items``), so that the analyses
        can say why it is missing.
    report : QualityReport
        What was read, what was wrong, who is flagged; ``report.ok`` says whether the
        data can be analysed.

    Raises
    ------
    DataError
        The file cannot be read (missing, a directory, unsupported or corrupt, wrong
        delimiter or encoding, no responses); the id or organisation column is missing;
        an id is missing; an organisation is blank; or a value is invalid
        and ``invalid='error'``. The one-line message names the file, column and rows.
    UnusableData
        (a :class:`DataError`) The file was read but an id is used twice (see
        ``duplicates``) or an item column is absent (see ``absent_items``); its
        ``report`` attribute is the quality report, with these among its ``problems``.

    Notes
    -----
    * Rows are numbered as :class:`~instrument.errors.DataError` does: 1 is the first
      data row, the header excluded (for platform exports, the first response after the
      platform's header rows).
    * What counts as blank, 'not applicable' or invalid per variable type is listed in
      :mod:`instrument.reader.validate`; the flag rules, with references, in
      :mod:`instrument.reader.flags`.
    * The file is only opened for reading; nothing is written next to it.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from instrument import read_responses
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "responses.csv"
    >>> _ = path.write_text("respondent_id;organisation;channel;rel1;rel2;rel3;rel4\n"
    ...                     "1001;Acme;phone;6;Helemaal mee eens;5;5\n2002;Acme;E-mail;99;3;4;4\n")
    >>> data, report = read_responses(path)
    >>> data[["respondent_id", "channel", "rel1", "rel2", "source_row"]]
      respondent_id channel  rel1  rel2  source_row
    0          1001   phone   6.0   7.0           1
    1          2002   email   NaN   3.0           2
    >>> report.items.set_index("item").loc["rel1", ["n_answered", "n_not_applicable", "n_missing"]].tolist()
    [1, 1, 0]
    >>> report.ok, report.n_usable, report.delimiter
    (True, 2, ';')
    """
    inst = inst if inst is not None else load_instrument()
    if source not in SOURCES:
        raise DataError(f"source must be one of {', '.join(SOURCES)}, not {source!r}")
    if invalid not in INVALID_POLICIES:
        raise DataError(f"invalid must be 'error' or 'missing', not {invalid!r}")
    duplicates = check_option("duplicates", duplicates)
    absent_items = check_option("absent_items", absent_items)
    try:
        table = _read_table(path, inst, source=source, sheet=sheet, delimiter=delimiter, encoding=encoding)
    except OSError as exc:  # permission denied, a file that vanished, a read error of the disk
        raise DataError(f"cannot be read ({exc.strerror or exc}); check the path and its permissions",
                        file=str(path)) from None
    return check_table(table, inst, file=str(path), invalid=invalid, id_column=id_column, group_column=group_column,
                       duplicates=duplicates, absent_items=absent_items,
                       extra_columns=extra_columns)


def _read_table(path: str | Path, inst: Instrument, *, source: str, sheet: str | int | None,
                delimiter: str | None, encoding: str | None) -> RawTable:
    """The raw table of any supported file, through the platform readers for platform exports."""
    file_path, fmt = check_path(path)
    platform = source if source in ("limesurvey", "qualtrics") else None
    if source == "auto" and fmt == "csv" and file_path.stat().st_size > 0:
        platform = detect_platform(
            peek_header(file_path, delimiter=normalise_delimiter(delimiter), encoding=encoding)
        )
    elif source == "auto" and fmt in ("xlsx", "xls") and sheet is None:
        platform = detect_platform(peek_excel_header(file_path))
    elif source == "auto" and fmt == "sav" and detect_platform(peek_sav_header(file_path)) == "limesurvey":
        platform = "limesurvey"  # LimeSurvey's .sav export (Qualtrics' is read as a plain SPSS file)
    elif source == "auto" and fmt == "sps":
        platform = "limesurvey"  # LimeSurvey's SPSS syntax + data download
    if platform is not None:
        return _read_platform(platform, file_path, inst, normalise_delimiter(delimiter), encoding)
    return read_raw_table(file_path, sheet=sheet, delimiter=delimiter, encoding=encoding)


def _read_platform(platform: str, path: Path, inst: Instrument, delimiter: str | None,
                   encoding: str | None) -> RawTable:
    """Read a LimeSurvey or Qualtrics export through :mod:`instrument.platforms`."""
    # Imported here, not at the top: instrument.platforms builds on this package's file
    # readers, so a top-level import made `import instrument.platforms` in a fresh
    # interpreter fail with a circular import.
    from instrument.platforms.reading import read_limesurvey_export, read_qualtrics_export

    reader = read_limesurvey_export if platform == "limesurvey" else read_qualtrics_export
    frame = reader(path, inst, delimiter=delimiter, encoding=encoding)
    attrs = dict(frame.attrs)
    frame = frame.reset_index(drop=True)
    frame.columns = [str(c) for c in frame.columns]
    used_delimiter = attrs.get("delimiter", delimiter)
    return RawTable(
        frame.astype(object), platform, encoding=attrs.get("encoding", encoding), delimiter=used_delimiter,
        decimal_comma=used_delimiter != ",", warnings=[str(w) for w in attrs.get("warnings", [])],
        unmapped_columns=[str(c) for c in attrs.get("unmapped_columns", [])],
        source_columns={str(k): str(v) for k, v in attrs.get("column_map", {}).items()},
        row_numbers=attrs.get("source_rows"), empty_rows=list(attrs.get("empty_rows", [])),
        not_respondents=list(attrs.get("not_respondents", [])),
        incomplete_rows=list(attrs.get("incomplete_rows", [])),
    )


def check_table(
    table: RawTable,
    inst: Instrument,
    *,
    file: str,
    invalid: str = "error",
    id_column: str | None = None,
    group_column: str | None = None,
    duplicates: str = "error",
    absent_items: str = "error",
    extra_columns: Sequence[str] = (),
) -> tuple[pd.DataFrame, QualityReport]:
    """Check a raw table against the instrument; the second half of :func:`read_responses`."""
    frame = table.frame
    if len(frame) == 0 and table.not_respondents:
        raise DataError(f"has no responses: all {len(table.not_respondents)} rows are survey previews or test "
                        "responses; export the responses again once respondents have answered", file=file)
    if len(frame) == 0:
        raise DataError("has no responses (only a header row); export the responses again", file=file)
    # a row is empty when every cell is blank: only the rows that still can be are looked at in the
    # next column (with ids in every row, one column decides: the others are not read again)
    empty = np.ones(len(frame), dtype=bool)
    for k in range(frame.shape[1]):
        candidates = np.flatnonzero(empty)
        if len(candidates) == len(frame):
            empty &= blank_mask(frame.iloc[:, k])
        elif len(candidates):
            empty[candidates] = blank_mask(frame.iloc[candidates, k])
    if empty.all():
        raise DataError(f"has no responses (all {len(frame)} data rows are empty)", file=file)
    _check_extra_columns(frame, inst, extra_columns, file)
    match = match_columns(list(frame.columns), inst, file=file, id_column=id_column, group_column=group_column)
    row_numbers = table.data_row_numbers()
    source_rows = row_numbers[~empty]
    warnings = list(table.warnings) + match.warnings
    # Messages name the column as the user sees it (a platform's own name for platform exports).
    shown_names = {v: table.source_columns.get(v, c) for v, c in match.column_of.items()}
    # without empty rows (the usual case) the table as read, not a copy of it (the peak of a large read)
    kept = frame.loc[~empty].reset_index(drop=True) if empty.any() else frame.reset_index(drop=True)
    repeats = identical_duplicates(kept, match.column_of.get(id_variable(inst)), source_rows)
    dropped: dict[int, int] = {}
    if duplicates == "drop_identical" and repeats.repeats:
        dropped = repeats.repeats
        kept, source_rows = kept.loc[repeats.keep].reset_index(drop=True), source_rows[repeats.keep]
    columns = _convert_all(table, kept, inst, match.column_of, shown_names, warnings)
    absent = find_absent_items(inst, match.column_of)
    # A construct with none of its columns is simply not in the file (left out, reported);
    # one with some of them would be scored from the rest: an error unless left out on purpose.
    partial = {k: ids for k, ids in absent.items() if len(ids) < len(inst.construct(k).item_ids)}
    leave_out = absent if absent_items == "leave_out" else {k: v for k, v in absent.items() if k not in partial}
    for key in leave_out:  # left out whole: never a score from some of its items
        for item_id in inst.construct(key).item_ids:
            columns[item_id] = empty_column(inst.variable(item_id), len(kept))
    if leave_out:
        warnings.append(left_out_note(leave_out, match.column_of, inst, asked=absent_items == "leave_out"))

    _check_second_header(columns, inst, list(frame.columns), match.column_of, source_rows, file)
    ids = columns[id_variable(inst)]
    _check_filled(ids, source_rows, file, "no respondent id; give every response a unique id, or remove the row")
    unusable = [p for p in (
        None if _distinct_as_read(ids, kept, match.column_of.get(id_variable(inst)), repeats) else
        duplicate_id_problem(ids.values, source_rows, {} if dropped else repeats.repeats, file, ids.column),
        absent_items_problem({} if absent_items == "leave_out" else partial, match.unknown, file),
    ) if p is not None]
    _check_filled(columns[group_variable(inst)], source_rows, file,
                  "no organisation; fill in the organisation of every response, or remove the row")
    if invalid == "error":
        position = {v: list(frame.columns).index(c) for v, c in match.column_of.items()}
        _raise_first_invalid(columns, position, source_rows, file)

    data = pd.DataFrame({var.id: columns[var.id].values for var in inst.variables})
    channel_id = next((f.id for f in inst.context if f.type == "choice" and f.choices == "channel"), None)
    coded = [v.id for v in inst.variables if v.kind != "context" and (v.scale is not None or v.choices is not None)]
    if channel_id is not None:
        applies = channel_applicable(data[channel_id], inst, coded)
    else:
        applies = pd.DataFrame(True, index=data.index, columns=coded)
    left_out_items = {i for key in leave_out for i in inst.construct(key).item_ids}
    drivers = [i for i in driver_item_ids(inst) if i in match.column_of and i not in left_out_items]
    duration_id = next((f.id for f in inst.context if f.type == "number"), None)
    duration = data[duration_id] if duration_id in match.column_of else None
    flags, reasons = respondent_flags(
        data[drivers],
        pd.DataFrame({i: columns[i].status == NOT_APPLICABLE for i in drivers}, index=data.index),
        applies[drivers],
        duration,
    )
    for name in FLAG_COLUMNS:
        data[name] = flags[name]
    data["source_row"] = source_rows.astype("int64")

    warnings.extend(
        _value_warnings(columns, applies, source_rows, inst, match.column_of, drivers, duration is not None)
    )
    incomplete = [r for r in table.incomplete_rows if r in set(source_rows.tolist())]
    if incomplete:
        warnings.append(_incomplete_warning(incomplete, table.format))
    report = build_report(
        table=table, file=file, data=data, columns=columns, applies=applies, match=match, reasons=reasons,
        empty=empty, warnings=warnings, drivers=drivers, inst=inst, n_incomplete=len(incomplete),
        duplicates_dropped=dropped, left_out=leave_out, unusable=[str(p) for p in unusable],
    )
    if extra_columns:
        present = [name for name in extra_columns if name in kept.columns]
        for name in present:
            data[name] = _extra_column(kept[name].astype(object), table.value_labels.get(name, {})).to_numpy()
        report = replace(report, unknown_columns=tuple(c for c in report.unknown_columns if c not in present),
                         column_labels={c: table.column_labels.get(c, c) for c in present})
    # which constructs were left out for absent columns travels with the data, so that the
    # analyses can say why a construct is missing (instrument.reader.integrity.absent_item_columns)
    data.attrs[ABSENT_ITEMS_ATTR] = {k: list(v) for k, v in absent.items() if k in leave_out}
    if unusable:
        first = unusable[0]
        raise UnusableData(str(first), report=report)
    return data, report


def _check_extra_columns(frame: pd.DataFrame, inst: Instrument, extra_columns: Sequence[str], file: str) -> None:
    """Raise a :class:`DataError` for a requested column the questionnaire already knows.

    A column the file lacks is not added: the analysis that asked for it (e.g. a
    grouping column) names it and the file's columns in its own message.
    """
    known = {v.id for v in inst.variables}
    for name in extra_columns:
        if name in known:
            raise DataError(f"'{name}' is a variable of the questionnaire, not an extra column", file=file)


def _extra_column(raw: pd.Series, value_labels: dict) -> pd.Series:
    """A file column kept as text: SPSS value labels replace codes, whole numbers lose '.0', blanks are missing."""
    def cell(v):
        if is_blank(v):
            return None
        v = value_labels.get(v, v)
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        return str(v).strip() or None
    return raw.map(cell).astype("string")


#: What marks a response as not completed, per platform (for the report's warning).
_NOT_COMPLETED = {"limesurvey": "no submitdate", "qualtrics": "Finished is 0"}


def _incomplete_warning(rows: list[int], platform: str) -> str:
    n = len(rows)
    listed = ", ".join(map(str, rows[:5])) + (" ..." if n > 5 else "")
    why = _NOT_COMPLETED.get(platform, "not completed")
    if n == 1:
        return f"1 response was not completed (row {listed}: {why}); it is analysed with what it answered"
    return f"{n} responses were not completed (rows {listed}: {why}); they are analysed with what they answered"


def _convert_all(table: RawTable, kept: pd.DataFrame, inst: Instrument, column_of: dict[str, str],
                 shown_names: dict[str, str], warnings: list[str]) -> dict[str, ConvertedColumn]:
    """Convert every variable's column (all missing for variables the file lacks)."""
    columns: dict[str, ConvertedColumn] = {}
    for var in inst.variables:
        col = column_of.get(var.id)
        if col is None:
            columns[var.id] = empty_column(var, len(kept))
            continue
        raw = kept[col]
        if table.format == "sav":
            raw, notes = apply_spss_metadata(
                raw, var, table.value_labels.get(col, {}), table.user_missing.get(col, []), col
            )
            warnings.extend(notes)
        columns[var.id] = convert_column(raw, var, column=shown_names[var.id], decimal_comma=table.decimal_comma)
        warnings.extend(columns[var.id].warnings)
    return columns


def _check_second_header(columns: dict[str, ConvertedColumn], inst: Instrument, file_columns: list[str],
                         column_of: dict[str, str], rows: np.ndarray, file: str) -> None:
    """Raise when the first row holds no codes but text in most coded columns: a second header row.

    Exports with question texts or labels under the column names (Excel workbooks made
    by hand, Qualtrics read as a plain file) would otherwise fail on 'not a code'.
    """
    if not len(rows) or rows[0] != 1:
        return
    coded = [v.id for v in inst.variables if v.scale is not None or v.choices is not None or v.type == "number"]
    checked = [columns[v] for v in coded if v in column_of and len(columns[v].status) and columns[v].status[0] != MISSING]
    invalid = sorted((c for c in checked if c.status[0] == INVALID),
                     key=lambda c: file_columns.index(column_of[c.variable]))
    if len(invalid) >= 3 and len(invalid) * 2 >= len(checked):
        example = invalid[0]
        raise DataError(
            f"looks like a second header row (e.g. {show_value(example.raw.iloc[0])} in column '{example.column}', "
            f"and no codes in {len(invalid)} of {len(checked)} coded columns); delete that row: the column names "
            "must be the only header row", file=file, rows=[1],
        )


def _raise_first_invalid(columns: dict[str, ConvertedColumn], position: dict[str, int], rows: np.ndarray,
                         file: str) -> None:
    """Raise for the leftmost column (``position``: variable id -> file column index) with invalid values."""
    bad = sorted(
        (c for c in columns.values() if c.invalid_is_error and len(c.invalid_positions)),
        key=lambda c: position[c.variable],
    )
    if not bad:
        return
    more = ""
    if len(bad) > 1:
        names = ", ".join(c.column for c in bad[1:4]) + ("..." if len(bad) > 4 else "")
        more = f" ({len(bad) - 1} more column(s) have invalid values: {names})"
    raise DataError(
        f"{bad[0].problem()}, or pass invalid='missing' (drivers check --invalid missing) to read them as missing"
        f"{more}",
        file=file, column=bad[0].column, rows=rows[bad[0].invalid_positions].tolist(),
    )


def _distinct_as_read(ids: ConvertedColumn, kept: pd.DataFrame, id_column: str | None,
                      repeats: IdenticalDuplicates) -> bool:
    """Whether the ids are known to be distinct without hashing a million of them again.

    They are when :func:`~instrument.reader.integrity.identical_duplicates` found every id
    as read (as text) used once and each id is that text unchanged (nothing stripped or cut).
    """
    if not repeats.ids_distinct or id_column is None:
        return False
    return bool(ids.values.eq(kept[id_column].astype(str)).all())


def _check_filled(col: ConvertedColumn, rows: np.ndarray, file: str, message: str) -> None:
    blank = col.status == MISSING
    if blank.any():
        raise DataError(message, file=file, column=col.column, rows=rows[blank].tolist())


def _value_warnings(
    columns: dict[str, ConvertedColumn], applies: pd.DataFrame, rows: np.ndarray, inst: Instrument,
    column_of: dict[str, str], drivers: list[str], has_duration: bool,
) -> list[str]:
    """Warnings about values: invalid ones read as missing, off-channel answers, absent items and durations."""
    out = []
    for col in columns.values():
        positions = col.invalid_positions
        if len(positions):
            listed = ", ".join(str(r) for r in rows[positions][:5]) + (" ..." if len(positions) > 5 else "")
            out.append(
                f"column '{col.column}': {len(positions)} invalid value(s) read as missing "
                f"(row{'s' if len(positions) > 1 else ''} {listed}): {col.problem()}"
            )
    phone_only = [i for i in drivers if inst.item(i).channels]
    answered_off_channel = {}
    for i in phone_only:
        n = int(((columns[i].status == ANSWER) & ~applies[i].to_numpy()).sum())
        if n:
            answered_off_channel[i] = n
    if answered_off_channel:
        out.append(
            "answers to channel-limited items from respondents of another channel kept as given: "
            + ", ".join(f"{i} {n}" for i, n in answered_off_channel.items())
        )
    if not has_duration:
        out.append("no completion times (duration_sec): speeding not checked")
    return out
