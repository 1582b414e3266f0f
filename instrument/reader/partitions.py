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
further tasks on the parts where they are (``PartitionedResponses.map``). The sums and
the input-wide rules are in :mod:`instrument.reader.part_checks`.
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.common.scheduler import open_runner, resolve_scheduler
from instrument.definition import Instrument, load_instrument
from instrument.errors import DataError
from instrument.reader.columns import id_variable
from instrument.reader.files import _check_flat, objects_except_numbers
from instrument.reader.integrity import ABSENT_ITEMS_ATTR
from instrument.reader.part_checks import (check_unique_ids, flag_summary, ids_of, speeding_over_all,
                                           speeding_part, summed_report)
from instrument.reader.quality import QualityReport
from instrument.reader.responses import check_table
from instrument.reader.table import RawTable, check_unique_columns
from instrument.reader.validate import blank_mask

PARQUET_SUFFIXES = (".parquet", ".pq")


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
    raw = RawTable(objects_except_numbers(frame), "parquet", decimal_comma=True, row_numbers=rows.tolist())
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
    attrs : dict
        The ``DataFrame.attrs`` of the first part (the reader's notes, e.g. absent item columns).
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
            worker until the ``with`` block ends; only the labels reach this process). Rows
            without a group are left out.
        """
        labels = sorted(set().union(*self.map(_group_labels, column)))
        n = max(1, min(int(n_buckets or len(self.parts)), len(labels)))
        bucket = {g: k * n // max(len(labels), 1) for k, g in enumerate(labels)}
        split = self.runner.keep(_split_part, [(h, column, bucket, n) for h in self.parts])
        picked = self.runner.keep(_pick, [(h, k) for h in split for k in range(n)])
        pieces = self.runner.keep(_stack, [(picked[k::n],) for k in range(n)])
        self.runner.release([*split, *picked])
        return [([g for g in labels if bucket[g] == k], pieces[k]) for k in range(n)]


    def without_group(self, column: str):
        """The kept rows without a value in ``column`` (left out by :meth:`by_group`), stacked on a worker: a handle."""
        picked = self.runner.keep(_no_group, [(h, column) for h in self.parts])
        piece = self.runner.keep(_stack, [(picked,)])[0]
        self.runner.release(picked)
        return piece

    def columns(self) -> list[str]:
        """The columns of the clean rows (every part has the same)."""
        return self.runner.map(_on_part, [(_columns, self.parts[0], ())])[0] if self.parts else []


def _no_group(kept, column: str) -> pd.DataFrame:
    data = kept[0]
    return data.loc[data[column].isna().to_numpy()]


def _columns(data: pd.DataFrame) -> list[str]:
    return list(data.columns)


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

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from analysis.simulation.simulate import simulate_study
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> r = simulate_study(load_instrument(), n_orgs=2, n_per_org=100, seed=5, truth_draws=0).responses
    >>> for k, org in enumerate(sorted(r.organisation.unique())):
    ...     r[r.organisation == org].to_parquet(folder / f"part-{k}.parquet", index=False)
    >>> with open_partitioned(folder) as kept:       # scheduler='dask://HOST:PORT' keeps them on the workers
    ...     kept.report.n_respondents, kept.map(len), [g for g, _ in kept.by_group("organisation")]
    (200, [100, 100], [['Energie'], ['Telecom']])
    """
    inst = inst if inst is not None else load_instrument()
    parts = parquet_parts(path)
    offsets = np.concatenate([[0], np.cumsum([p[2] for p in parts])[:-1]]).astype(int).tolist()
    options = dict(invalid=invalid, id_column=id_column, group_column=group_column, duplicates=duplicates,
                   absent_items=absent_items, extra_columns=tuple(extra_columns))
    tasks = [(file, group, offset, keys, inst, options) for (file, group, _, keys), offset in zip(parts, offsets)]
    duration_id = next((f.id for f in inst.context if f.type == "number"), None)
    # 'auto' reads with threads, as the default does (it decides the analysis' scheduler)
    scheduler = resolve_scheduler(scheduler)
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
    report = summed_report([summaries[k][0] for k in read], file, empty_rows)
    kept = [handles[k] for k in read]
    durations = [summaries[k][3] for k in read]
    if duration_id in report.column_map and any(d is not None and d.notna().any() for d in durations):
        median = float(pd.concat(durations, ignore_index=True).median())
        flagged = runner.keep(speeding_part, [(h, median, duration_id, inst) for h in kept])
        try:
            report = speeding_over_all(report, runner.map(flag_summary, [(h,) for h in flagged]))
        except BaseException:
            runner.release(flagged)
            raise
        runner.release(kept)            # the rows before the input-wide speeding rule
        kept = flagged
    hashes = np.concatenate([summaries[k][4] for k in read])
    twice = pd.Series(hashes).duplicated(keep=False).to_numpy()
    if twice.any():
        candidates = set(hashes[twice].tolist())
        ids = pd.concat(runner.map(ids_of, [(h, candidates, id_variable(inst)) for h in kept]), ignore_index=True)
        check_unique_ids(ids, report, file)
    return PartitionedResponses(report=report, parts=kept, n_rows=[summaries[k][5] for k in read], runner=runner,
                                attrs=summaries[read[0]][6])
