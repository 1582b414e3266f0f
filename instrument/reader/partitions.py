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

:func:`read_partitioned` puts the clean rows together in the calling process (the
analyses take one DataFrame); the raw cells of the whole input are never in one process.
:func:`open_partitioned` does the same reading and checks but keeps each part's clean
rows where it was read (on a Dask worker): the caller receives per part only its report,
its completion times (the speeding rule's median over all parts is taken here and the
rule applied on the workers) and a hash of each id, about 16 bytes a row, and runs
further tasks on the parts where they are (``PartitionedResponses.map``).
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
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
    with open_partitioned(path, inst, scheduler=scheduler, invalid=invalid, id_column=id_column,
                          group_column=group_column, duplicates=duplicates, absent_items=absent_items,
                          extra_columns=extra_columns) as kept:
        return kept.collect(), kept.report


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


@dataclass(frozen=True, eq=False)
class PartitionedResponses:
    """The clean rows of a partitioned input, kept part by part where they were read; made by :func:`open_partitioned`.

    Attributes
    ----------
    report : QualityReport
        The parts' reports summed, exactly as :func:`read_partitioned` gives it.
    parts : list
        One handle per part with responses, in reading order (:meth:`Runner.keep
        <analysis.common.scheduler.Runner.keep>`: on Dask a future whose clean rows stay on
        a worker; else the part itself). ``map`` runs a task on each part where it is.
    n_rows : list of int
        Clean rows per part (of ``parts``).
    runner : Runner
        The scheduler the parts are kept on (open as long as the ``with`` block).
    """

    report: QualityReport
    parts: list
    n_rows: list
    runner: object
    attrs: dict = field(default_factory=dict)

    def map(self, func, *args) -> list:
        """``[func(part, *args) for part in parts]``, each run where its part is; results here, in order."""
        return self.runner.map(_on_part, [(func, handle, args) for handle in self.parts])

    def collect(self) -> pd.DataFrame:
        """Every part's clean rows in this process, in reading order: :func:`read_partitioned`'s data."""
        data = pd.concat([kept[0] for kept in self.runner.gather(self.parts)], ignore_index=True)
        data.attrs[ABSENT_ITEMS_ATTR] = self.attrs.get(ABSENT_ITEMS_ATTR, {})
        return data


    def by_group(self, column: str, n_buckets: int | None = None) -> list[tuple[list, object]]:
        """The kept rows regrouped on the workers so that each group's rows are in one place.

        Parameters
        ----------
        column : str
            The grouping column (e.g. the organisation).
        n_buckets : int, optional
            How many pieces (default: as many as parts). Each piece holds a run of
            consecutive groups (in sorted order) whole, its rows in reading order, so a
            group's rows are those of ``collect()[collect()[column] == group]``, in order.

        Returns
        -------
        list of (groups, handle)
            Each piece's group labels and its handle (on Dask a future: the rows stay on a
            worker; only the labels reach this process). Rows without a group are left out.
        """
        labels = sorted(set().union(*self.map(_group_labels, column)))
        n = max(1, min(int(n_buckets or len(self.parts)), len(labels)))
        bucket = {g: k * n // max(len(labels), 1) for k, g in enumerate(labels)}
        split = self.runner.keep(_split_part, [(h, column, bucket, n) for h in self.parts])
        picked = self.runner.keep(_pick, [(h, k) for h in split for k in range(n)])
        pieces = self.runner.keep(_stack, [(picked[k::n],) for k in range(n)])
        self.runner.release([*split, *picked])
        return [([g for g in labels if bucket[g] == k], pieces[k]) for k in range(n)]


def _on_part(func, kept, args):
    return func(kept[0], *args)


def _group_labels(data: pd.DataFrame, column: str) -> set:
    return set(data[column].dropna().unique().tolist())


def _split_part(kept, column: str, bucket: dict, n: int) -> list[pd.DataFrame]:
    """One part's rows split by the piece of their group (a task); rows in order within each."""
    data = kept[0]
    where = data[column].map(bucket).to_numpy(dtype=float)
    return [data.loc[where == k] for k in range(n)]


def _pick(pieces: list, k: int) -> pd.DataFrame:
    return pieces[k]


def _stack(frames: list) -> pd.DataFrame:
    return pd.concat(frames, ignore_index=True)


@contextlib.contextmanager
def open_partitioned(path: str | Path, inst: Instrument | None = None, *, scheduler: str = "threads",
                     invalid: str = "error", id_column: str | None = None, group_column: str | None = None,
                     duplicates: str = "error", absent_items: str = "error",
                     extra_columns=()) -> Iterator[PartitionedResponses]:
    """Read and check a partitioned input as :func:`read_partitioned`, keeping the clean rows on the workers.

    The same checks and the same summed report, but on a Dask scheduler no process holds
    every row: each part is read, checked and kept on a worker, and this process receives
    only what the report and the input-wide rules need, per part: its quality report
    (counts, and the excluded respondents with their reasons), its completion times (for
    the speeding rule's median over all parts, then applied on the workers) and a 64-bit
    hash of each respondent id (ids in two parts: candidates are compared exactly on the
    workers' values). About 16 bytes per row reach this process instead of the row.

    Parameters are those of :func:`read_partitioned`. Yields a :class:`PartitionedResponses`,
    usable inside the ``with`` block (on Dask its rows live as long as the connection).

    Raises
    ------
    DataError, UnusableData
        As :func:`read_partitioned`.
    """
    inst = inst if inst is not None else load_instrument()
    parts = parquet_parts(path)
    offsets = np.concatenate([[0], np.cumsum([p[2] for p in parts])[:-1]]).astype(int).tolist()
    options = dict(invalid=invalid, id_column=id_column, group_column=group_column, duplicates=duplicates,
                   absent_items=absent_items, extra_columns=tuple(extra_columns))
    tasks = [(file, group, offset, keys, inst, options) for (file, group, _, keys), offset in zip(parts, offsets)]
    duration_id = next((f.id for f in inst.context if f.type == "number"), None)
    with open_runner(scheduler, n_workers=1 if scheduler == "threads" else None) as runner:
        handles, kept = runner.keep(read_part, tasks), None
        try:
            summaries = runner.map(_part_summary, [(h, duration_id, id_variable(inst)) for h in handles])
            kept = _merge_summaries(summaries, handles, parts, str(path), runner, inst, duration_id)
            yield kept
        finally:
            runner.release(handles if kept is None else [*handles, *kept.parts])


def _part_summary(kept, duration_id: str, id_name: str):
    """What the caller needs of one part read (a task): report, columns, empty rows, completion times, id hashes."""
    data, report, columns, empty = kept
    if data is None:
        return None, columns, empty, None, None, 0, {}
    duration = data[duration_id].reset_index(drop=True) if duration_id in data.columns else None
    hashes = pd.util.hash_array(data[id_name].astype(object).to_numpy())
    return report, columns, empty, duration, hashes, len(data), dict(data.attrs)


def _merge_summaries(summaries, handles, parts, file, runner, inst, duration_id):
    """The parts' summaries put together (module docstring); the input-wide rules run on the kept parts."""
    read = [k for k, s in enumerate(summaries) if s[0] is not None]
    empty_rows = [row for s in summaries for row in s[2]]
    if not read:
        raise DataError(f"has no responses (all {len(empty_rows)} data rows are empty)" if empty_rows else
                        "has no responses (only a header row); export the responses again", file=file)
    columns = summaries[0][1]
    for (part, *_), (_, mine, *_) in zip(parts, summaries):
        if sorted(mine) != sorted(columns):
            raise DataError(f"has other columns than the first part ({', '.join(sorted(set(mine) ^ set(columns)))});"
                            " write every partition with the same columns", file=part)
    report = _summed([summaries[k][0] for k in read], file, empty_rows)
    kept = [handles[k] for k in read]
    durations = [summaries[k][3] for k in read]
    if duration_id in report.column_map and any(d is not None and d.notna().any() for d in durations):
        median = float(pd.concat(durations, ignore_index=True).median())
        flagged = runner.keep(_speeding_part, [(h, median, duration_id, inst) for h in kept])
        try:
            report = _speeding_over_all(report, runner.map(_flag_summary, [(h,) for h in flagged]))
        except BaseException:
            runner.release(flagged)
            raise
        runner.release(kept)            # the rows before the input-wide speeding rule
        kept = flagged
    hashes = np.concatenate([summaries[k][4] for k in read])
    twice = pd.Series(hashes).duplicated(keep=False).to_numpy()
    if twice.any():
        candidates = set(hashes[twice].tolist())
        ids = pd.concat(runner.map(_ids_of, [(h, candidates, id_variable(inst)) for h in kept]), ignore_index=True)
        _check_unique_ids(ids, report, file)
    return PartitionedResponses(report=report, parts=kept, n_rows=[summaries[k][5] for k in read], runner=runner,
                                attrs=summaries[read[0]][6])


def _ids_of(kept, candidates: set, id_name: str) -> pd.DataFrame:
    """The ids and rows of one part whose hash is among ``candidates`` (a task)."""
    data = kept[0]
    ids = data[id_name].astype(object)
    mine = np.isin(pd.util.hash_array(ids.to_numpy()), np.fromiter(candidates, dtype=np.uint64))
    return pd.DataFrame({"id": ids.to_numpy()[mine], "row": data.source_row.to_numpy()[mine]})


def _check_unique_ids(ids: pd.DataFrame, report: QualityReport, file: str) -> None:
    """A respondent id in two rows (of any parts) is an error naming it and its rows."""
    twice = ids.id.duplicated(keep=False).to_numpy()
    if not twice.any():
        return      # equal hashes of different ids
    first = ids.id[twice].iloc[0]
    rows = ids.row.to_numpy()[(ids.id == first).to_numpy()].tolist()
    more = int(ids.id[twice].nunique()) - 1
    message = (f"respondent id '{first}' is in more than one partition (rows {', '.join(map(str, rows))}"
               f"{f', and {more} more ids' if more else ''}); "
               "ids must be unique across the partitions: correct the ids or remove the repeats")
    report = replace(report, ok=False, problems=(message, *report.problems))
    raise UnusableData(message, report=report, file=file)


def _speeding_part(kept, median: float, duration_id: str, inst: Instrument):
    """One part's speeders judged against the median of all parts (a task): ``(data, its flag summary)``.

    Each part's check flags speeders against that part's median; the rule
    (:mod:`instrument.reader.flags`) is the median of every respondent, so the flag, the
    reason (its other parts kept) and the counts are made again here from the median of
    all parts' kept respondents, as the one-file reader makes them.
    """
    data, report = kept[0], kept[1]
    duration = data[duration_id]
    speeding = (duration < SPEEDING_SHARE_OF_MEDIAN * median).fillna(False).to_numpy(dtype=bool)
    data = data.assign(flag_speeding=speeding)
    flagged = data[list(FLAG_COLUMNS)].any(axis=1).to_numpy()
    rows = data.source_row.to_numpy()
    old = report.excluded
    with_row = old.row.isin(rows).to_numpy()         # the part's flagged respondents (the others left no row)
    before = dict(zip(old.row[with_row].tolist(), old.reason[with_row].tolist()))
    ids = data[id_variable(inst)].to_numpy(dtype=object)
    records = []
    for k in np.flatnonzero(flagged):
        why = [w for w in (before.get(int(rows[k])) or "").split("; ") if w and not w.startswith("speeding:")]
        if speeding[k]:
            why.append(speeding_reason(duration.iloc[k], median))
        records.append({"row": int(rows[k]), "respondent_id": ids[k], "reason": "; ".join(why)})
    groups = pd.DataFrame({"organisation": data[group_variable(inst)], "flagged": flagged})
    orgs = groups.groupby("organisation", sort=True)["flagged"].agg(n="size", n_flagged="sum").reset_index()
    summary = dict(rows_with_record=old.row[with_row].tolist(), records=records, organisations=orgs,
                   flag_counts={name: int(data[name].sum()) for name in FLAG_COLUMNS},
                   n_flagged=int(flagged.sum()), n=len(data))
    return data, summary


def _flag_summary(kept) -> dict:
    return kept[1]


def _speeding_over_all(report: QualityReport, summaries: list[dict]) -> QualityReport:
    """The summed report with every count of flagged respondents and their reasons made from the parts' new flags."""
    old = report.excluded
    replaced = old.row.isin([r for s in summaries for r in s["rows_with_record"]]).to_numpy()
    kept = old.loc[~replaced].to_dict("records") + [rec for s in summaries for rec in s["records"]]
    excluded = _records_frame([], kept, old.columns)
    orgs = pd.concat([s["organisations"] for s in summaries], ignore_index=True)
    orgs = orgs.groupby("organisation", sort=True)[["n", "n_flagged"]].sum().reset_index()
    orgs["n_flagged"] = orgs["n_flagged"].astype(int)
    orgs["n_usable"] = orgs["n"] - orgs["n_flagged"]
    n_flagged, n = sum(s["n_flagged"] for s in summaries), sum(s["n"] for s in summaries)
    problems = [p for p in report.problems if not _all_flagged(p)]
    if n_flagged == n and not any(p.endswith("has no column for any driver item") for p in problems):
        problems.append(f"all {n} respondents are flagged; see the excluded rows")
    return replace(report, n_flagged=n_flagged, n_usable=n - n_flagged,
                   flag_counts={name: sum(s["flag_counts"][name] for s in summaries) for name in FLAG_COLUMNS},
                   organisations=orgs, excluded=excluded, problems=tuple(problems), ok=not problems)


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
