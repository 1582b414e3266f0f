"""Read a Parquet file or a folder of Parquet partitions part by part, each part a task.

A large study is written as Parquet in partitions (a folder of ``*.parquet`` files, as
``DataFrame.to_parquet`` with ``partition_cols``, Dask's ``to_parquet`` or Spark write
them) or as one file of many row groups. :func:`read_partitioned` reads every part (a
file of the folder, or a row group of the file) on its own task of a scheduler
(:mod:`analysis.common.scheduler`: threads, processes or the workers of a Dask
cluster), where it goes through the same checks as :func:`~instrument.reader.responses.read_responses`
(:func:`~instrument.reader.responses.check_table`): so no process reads the whole file,
and a worker holds one part's raw cells at a time. The caller gets each part's clean
rows and quality report and sums them:

* every count (rows read, empty rows, respondents, flagged, usable, per flag, per item
  and per organisation) is the sum over the parts, exactly, and every excluded
  respondent is listed with the reason the part's check gave (``report.excluded``);
* rows are numbered through the parts in the order they are read (the folder's files
  by name, as ``dask.dataframe.read_parquet`` orders them; a file's row groups in file
  order), so that a row number names one row of the input; for a single file it is
  the file's own data-row number;
* what only the whole input can show is checked after the merge: a respondent id used
  in two parts (an error, as within one file: ids must be unique), and parts whose
  columns differ (an error naming the first such part).

The clean rows are put together in the calling process (the analyses need them); the
raw cells of the whole input are never in one process.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.common.scheduler import open_runner
from instrument.definition import Instrument, load_instrument
from instrument.errors import DataError
from instrument.reader.columns import group_variable, id_variable
from instrument.reader.files import _check_flat
from instrument.reader.flags import FLAG_COLUMNS, SPEEDING_SHARE_OF_MEDIAN, speeding_reason
from instrument.reader.integrity import ABSENT_ITEMS_ATTR, UnusableData
from instrument.reader.quality import QualityReport
from instrument.reader.responses import check_table
from instrument.reader.table import RawTable, check_unique_columns
from instrument.reader.validate import blank_mask

PARQUET_SUFFIXES = (".parquet", ".pq")
# The counts of QualityReport.items that are sums over respondents (pct_missing is recomputed).
ITEM_COUNTS = ("n_applicable", "n_answered", "n_not_applicable", "n_missing", "n_invalid",
               "n_not_applicable_by_design")
REPORT_SUMS = ("n_rows_read", "n_empty_rows", "n_respondents", "n_flagged", "n_usable", "n_not_respondents",
               "n_incomplete", "n_duplicates_dropped")


def parquet_parts(path: str | Path) -> list[tuple[str, int | None, int, dict]]:
    """The parts of a Parquet input: ``(file, row group or None, rows, keys)``, in reading order.

    A folder: its ``*.parquet``/``*.pq`` files (subfolders included), sorted by path,
    each one part; ``keys`` are the Hive-style ``column=value`` folders above a file
    (``to_parquet(partition_cols=...)`` keeps those columns in the folder names only),
    read as text columns of the part. A file: each row group one part (no keys).

    Raises
    ------
    DataError
        No such file or folder, a folder without Parquet files, or a file that is not Parquet.
    """
    import pyarrow.parquet as pq

    path = Path(path)
    if not path.exists():
        raise DataError("no such file or folder; give a Parquet file or a folder of Parquet files", file=str(path))
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.suffix.lower() in PARQUET_SUFFIXES and p.is_file())
        if not files:
            raise DataError("is a directory without Parquet files (*.parquet, *.pq); give the path of a response "
                            "file, or a folder of Parquet partitions", file=str(path))
        return [(str(f), None, _metadata(f, pq).num_rows, _hive_keys(f.relative_to(path))) for f in files]
    meta = _metadata(path, pq)
    return [(str(path), k, meta.row_group(k).num_rows, {}) for k in range(meta.num_row_groups)]


def _hive_keys(relative: Path) -> dict[str, str]:
    """``{'organisation': 'Acme'}`` of ``organisation=Acme/part-0.parquet`` (URL-unquoted, as pyarrow writes)."""
    from urllib.parse import unquote

    keys = {}
    for folder in relative.parts[:-1]:
        if "=" in folder:
            key, value = folder.split("=", 1)
            keys[unquote(key)] = unquote(value)
    return keys


def _metadata(path: Path, pq):
    try:
        return pq.ParquetFile(path).metadata
    except Exception as exc:  # pyarrow raises ArrowInvalid, OSError and others on damaged files
        raise DataError(f"cannot be read as a Parquet file ({type(exc).__name__}: {exc}); write it again "
                        "(e.g. DataFrame.to_parquet)", file=str(path)) from None


def read_partitioned(path: str | Path, inst: Instrument | None = None, *, scheduler: str = "threads",
                     invalid: str = "error", id_column: str | None = None, group_column: str | None = None,
                     duplicates: str = "error", absent_items: str = "error",
                     extra_columns=()) -> tuple[pd.DataFrame, QualityReport]:
    """Read a Parquet file or folder part by part on ``scheduler``; the result of :func:`read_responses`.

    Parameters
    ----------
    path : str or Path
        A Parquet file (read row group by row group) or a folder of Parquet files.
    inst : Instrument, optional
        The questionnaire; the shipped one by default.
    scheduler : str, default 'threads'
        Where the parts are read and checked: 'threads', 'processes' or 'dask://HOST:PORT'
        (:func:`analysis.common.scheduler.open_runner`). The result is the same on each.
    invalid, id_column, group_column, duplicates, absent_items, extra_columns
        As for :func:`~instrument.reader.responses.read_responses`; identical duplicates
        are found (and with ``duplicates='drop_identical'`` dropped) within a part; an id in
        two parts is always an error.

    Returns
    -------
    data : DataFrame
        The clean rows of every part, in reading order (``source_row`` numbered through
        the parts, see the module).
    report : QualityReport
        The parts' reports summed (module docstring); ``file`` is ``path``.

    Raises
    ------
    DataError
        A part cannot be read or fails a check (the message names the part's file and
        the row, numbered through the parts), parts with different columns, or no
        responses in any part.
    UnusableData
        A respondent id in more than one row (within a part or across parts), or an
        absent item column; its ``report`` is the summed report.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from analysis.simulation.simulate import simulate_study
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> r = simulate_study(load_instrument(), n_orgs=2, n_per_org=100, seed=5, truth_draws=0).responses
    >>> for k, org in enumerate(sorted(r.organisation.unique())):
    ...     r[r.organisation == org].to_parquet(folder / f"part-{k}.parquet", index=False)
    >>> data, report = read_partitioned(folder)
    >>> len(data), report.n_respondents, report.n_flagged == int(data.filter(like="flag_").any(axis=1).sum())
    (200, 200, True)
    """
    inst = inst if inst is not None else load_instrument()
    parts = parquet_parts(path)
    offsets = np.concatenate([[0], np.cumsum([p[2] for p in parts])[:-1]]).astype(int).tolist()
    options = dict(invalid=invalid, id_column=id_column, group_column=group_column, duplicates=duplicates,
                   absent_items=absent_items, extra_columns=tuple(extra_columns))
    tasks = [(file, group, offset, keys, inst, options) for (file, group, _, keys), offset in zip(parts, offsets)]
    with open_runner(scheduler, n_workers=1 if scheduler == "threads" else None) as runner:
        results = runner.map(read_part, tasks)
    return merge_parts(results, parts, str(path), inst)


def read_part(file: str, row_group: int | None, offset: int, keys: dict, inst: Instrument, options: dict):
    """One part read and checked (a task): ``(data, report, columns, empty rows)``.

    A part whose rows are all empty (or that has none) is not an error of the input: its
    empty rows are counted by the caller. ``offset`` rows come before the part.
    """
    import pyarrow.parquet as pq

    try:
        reader = pq.ParquetFile(file)
        table = reader.read() if row_group is None else reader.read_row_group(row_group)
        frame = table.to_pandas()
    except Exception as exc:  # pyarrow raises ArrowInvalid, OSError and others on damaged files
        raise DataError(f"cannot be read as a Parquet file ({type(exc).__name__}: {exc}); write it again "
                        "(e.g. DataFrame.to_parquet)", file=file) from None
    frame = frame.reset_index(drop=True)
    frame.columns = [str(c) for c in frame.columns]
    for key, value in keys.items():
        if key not in frame.columns:
            frame[key] = value
    check_unique_columns(list(frame.columns), file)
    _check_flat(frame, file)
    rows = np.arange(offset + 1, offset + len(frame) + 1, dtype="int64")
    empty = np.ones(len(frame), dtype=bool)
    for k in range(frame.shape[1]):
        empty &= blank_mask(frame.iloc[:, k])
    if empty.all():
        return None, None, list(frame.columns), rows.tolist()
    raw = RawTable(frame.astype(object), "parquet", decimal_comma=True, row_numbers=rows.tolist())
    data, report = check_table(raw, inst, file=file, **options)
    return data, report, list(frame.columns), []


def merge_parts(results: list, parts: list, file: str, inst: Instrument) -> tuple[pd.DataFrame, QualityReport]:
    """The parts' data and reports put together (module docstring); the cross-part checks."""
    read = [(d, r) for d, r, _, _ in results if d is not None]
    empty_rows = [row for _, _, _, rows in results for row in rows]
    if not read:
        raise DataError(f"has no responses (all {len(empty_rows)} data rows are empty)" if empty_rows else
                        "has no responses (only a header row); export the responses again", file=file)
    columns = results[0][2]
    for (part, *_), (_, _, mine, _) in zip(parts, results):
        if sorted(mine) != sorted(columns):
            raise DataError(f"has other columns than the first part ({', '.join(sorted(set(mine) ^ set(columns)))});"
                            " write every partition with the same columns", file=part)
    data = pd.concat([d for d, _ in read], ignore_index=True)
    data.attrs[ABSENT_ITEMS_ATTR] = read[0][0].attrs.get(ABSENT_ITEMS_ATTR, {})
    reports = [r for _, r in read]
    report = _summed(reports, file, empty_rows)
    data, report = _speeding_over_all(data, report, inst)
    ids = data[id_variable(inst)].astype(object)
    twice = ids.duplicated(keep=False).to_numpy()
    if twice.any():
        first = ids[twice].iloc[0]
        rows = data.source_row.to_numpy()[(ids == first).to_numpy()].tolist()
        message = (f"respondent id '{first}' is in more than one partition (rows {', '.join(map(str, rows))}"
                   f"{f', and {int(ids[twice].nunique()) - 1} more ids' if ids[twice].nunique() > 1 else ''}); "
                   "ids must be unique across the partitions: correct the ids or remove the repeats")
        report = replace(report, ok=False, problems=(message, *report.problems))
        raise UnusableData(message, report=report, file=file)
    return data, report


def _speeding_over_all(data: pd.DataFrame, report: QualityReport, inst: Instrument):
    """Speeders judged against the median completion time of all parts, as the one-file reader judges them.

    Each part's check flags speeders against that part's median; the rule
    (:mod:`instrument.reader.flags`) is the median of every respondent, so here the flag,
    the reason (its other parts kept), the excluded list and every count of flagged
    respondents are made again from the median of all parts' kept respondents.
    """
    duration_id = next((f.id for f in inst.context if f.type == "number"), None)
    if duration_id not in report.column_map or not data[duration_id].notna().any():
        return data, report
    duration = data[duration_id]
    median = float(duration.median())
    speeding = (duration < SPEEDING_SHARE_OF_MEDIAN * median).fillna(False).to_numpy(dtype=bool)
    data = data.assign(flag_speeding=speeding)
    flagged = data[list(FLAG_COLUMNS)].any(axis=1).to_numpy()
    rows = data.source_row.to_numpy()
    old = report.excluded
    was_flag = old.row.isin(rows).to_numpy()         # the parts' flagged respondents (the others left no row)
    before = dict(zip(old.row[was_flag].tolist(), old.reason[was_flag].tolist()))
    kept = old.loc[~was_flag].to_dict("records")
    ids = data[id_variable(inst)].to_numpy(dtype=object)
    for k in np.flatnonzero(flagged):
        why = [w for w in (before.get(int(rows[k])) or "").split("; ") if w and not w.startswith("speeding:")]
        if speeding[k]:
            why.append(speeding_reason(duration.iloc[k], median))
        kept.append({"row": int(rows[k]), "respondent_id": ids[k], "reason": "; ".join(why)})
    excluded = _records_frame([], kept, old.columns)
    groups = pd.DataFrame({"organisation": data[group_variable(inst)], "flagged": flagged})
    orgs = groups.groupby("organisation", sort=True)["flagged"].agg(n="size", n_flagged="sum").reset_index()
    orgs["n_flagged"] = orgs["n_flagged"].astype(int)
    orgs["n_usable"] = orgs["n"] - orgs["n_flagged"]
    problems = [p for p in report.problems if not _all_flagged(p)]
    if flagged.all() and not any(p.endswith("has no column for any driver item") for p in problems):
        problems.append(f"all {len(data)} respondents are flagged; see the excluded rows")
    return data, replace(report, n_flagged=int(flagged.sum()), n_usable=int((~flagged).sum()),
                         flag_counts={name: int(data[name].sum()) for name in FLAG_COLUMNS}, organisations=orgs,
                         excluded=excluded, problems=tuple(problems), ok=not problems)


def _summed(reports: list[QualityReport], file: str, empty_rows: list[int]) -> QualityReport:
    """One report for the whole input: counts summed, tables stacked, notes said once."""
    first = reports[0]
    sums = {name: sum(getattr(r, name) for r in reports) for name in REPORT_SUMS}
    sums["n_rows_read"] += len(empty_rows)
    sums["n_empty_rows"] += len(empty_rows)
    items = pd.concat([r.items for r in reports], ignore_index=True)
    lost = np.where(items.n_applicable > 0, np.round(items.pct_missing.fillna(0) * items.n_applicable / 100), 0)
    items = items.assign(_lost=lost)
    keys = ["item", "construct", "column"]
    summed = items.groupby(keys, sort=False, dropna=False)[[*ITEM_COUNTS, "_lost"]].sum().reset_index()
    summed["pct_missing"] = np.where(summed.n_applicable > 0, 100.0 * summed._lost / summed.n_applicable.where(
        summed.n_applicable > 0, 1), np.nan)
    summed = summed[list(first.items.columns)].astype(first.items.dtypes.to_dict())
    orgs = pd.concat([r.organisations for r in reports], ignore_index=True)
    orgs = orgs.groupby("organisation", sort=True)[["n", "n_flagged", "n_usable"]].sum().reset_index()
    empty = [{"row": int(r), "respondent_id": None, "reason": "empty row (dropped)"} for r in empty_rows]
    excluded = _records_frame([r.excluded for r in reports], empty, first.excluded.columns)
    invalid = _records_frame([r.invalid_values for r in reports], [], first.invalid_values.columns)
    # 'all N respondents are flagged' holds for a part, not necessarily for the whole input
    problems = [p for p in dict.fromkeys(p for r in reports for p in r.problems) if not _all_flagged(p)]
    if sums["n_usable"] == 0 and any(_all_flagged(p) for r in reports for p in r.problems):
        problems.append(f"all {sums['n_respondents']} respondents are flagged; see the excluded rows")
    problems = tuple(problems)
    return replace(
        first, file=file, **sums,
        flag_counts={name: sum(r.flag_counts[name] for r in reports) for name in FLAG_COLUMNS},
        items=summed, organisations=orgs, excluded=excluded, invalid_values=invalid,
        warnings=tuple(dict.fromkeys(w for r in reports for w in r.warnings)), ok=not problems, problems=problems,
    )


def _all_flagged(problem: str) -> bool:
    return problem.startswith("all ") and problem.endswith("respondents are flagged; see the excluded rows")


def _records_frame(frames: list[pd.DataFrame], extra: list[dict], columns) -> pd.DataFrame:
    """Rows of several parts' tables as one, sorted by row, typed as the one-file reader types them."""
    records = [rec for f in frames for rec in f.to_dict("records")] + extra
    for rec in records:          # a part's missing id (None) may come back as NaN: the one read has None
        rec.update({k: None for k, v in rec.items() if isinstance(v, float) and np.isnan(v) and k != "row"})
    out = pd.DataFrame(records, columns=list(columns)).sort_values("row", kind="stable").reset_index(drop=True)
    return out.astype({"row": int}) if len(out) else out
