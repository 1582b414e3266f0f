"""Reader options shared by every command that takes a response file.

``check``, ``validate``, ``analyse`` and ``report`` read responses the same way; their
options are declared once here (as annotated types) and passed to
:func:`read_for_command`.
"""
from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from analysis.common.errors import DataError
from analysis.cli.loading import load_questionnaire
from analysis.cli.options import check_flags
from analysis.common.options import CROSSHAIRS, IMPORTANCES, INVALID_POLICIES, OUTCOMES, SOURCES

if TYPE_CHECKING:       # imported where used: `drivers --help` must not import pandas
    from instrument import Instrument, QualityReport

def _or(choices) -> str:
    return ", ".join(choices[:-1]) + " or " + choices[-1]


DataArg = Annotated[Path, typer.Argument(metavar="FILE", help="Response file: .csv/.txt, .xlsx/.xls, .sav or .parquet.", show_default=False)]
SourceOpt = Annotated[str, typer.Option("--source", help="auto (by extension and header), file, limesurvey or qualtrics.")]
SheetOpt = Annotated[Optional[str], typer.Option("--sheet", help="Excel sheet name or 0-based position (default: the first).")]
DelimiterOpt = Annotated[Optional[str], typer.Option("--delimiter", help="Field delimiter of a text file: , ; | or tab (default: detected).")]
EncodingOpt = Annotated[Optional[str], typer.Option("--encoding", help="Text encoding, e.g. utf-8, cp1252, latin-1 (default: detected).")]
InvalidOpt = Annotated[str, typer.Option("--invalid", help="error: stop at values that are not codes; missing: read them as missing and list them.")]
DuplicatesOpt = Annotated[str, typer.Option("--duplicates", help="error: stop at a respondent id used twice; drop_identical: drop rows identical to an earlier row (counted and listed); rows that share an id but differ are always an error.")]
AbsentItemsOpt = Annotated[str, typer.Option("--absent-items", help="error: stop when the file has no column for an item of the questionnaire; leave_out: leave every construct with an absent item out (reported).")]
IdColumnOpt = Annotated[Optional[str], typer.Option("--id-column", help="Name of the respondent-id column, if not respondent_id.")]
GroupColumnOpt = Annotated[Optional[str], typer.Option("--group-column", help="Name of the organisation column, if not organisation.")]
InstrumentOpt = Annotated[Optional[Path], typer.Option("--instrument", help="A questionnaire YAML file (default: the shipped one).")]
# The driver analysis' options, shared by `analyse` and `report` (checked against analysis.common.options).
OutcomeOpt = typer.Option("satisfaction", "--outcome", help=f"What the drivers explain: {_or(OUTCOMES)} (satisfaction: the score of its items).")
ImportanceOpt = typer.Option("lmg", "--importance", help=f"Importance behind the priorities: {_or(IMPORTANCES)}.")
PoolingOpt = typer.Option("partial", "--pooling", help="partial (default): every respondent, each group's estimates shrunk toward all groups' (3+ groups; groups asked different drivers, as with --by channel: none). Organisations without phone respondents: the drivers asked in every channel pooled across all organisations, wait time and menu across those with phone respondents if 3+, else from their own; none: every respondent, each group on its own respondents only.")
CrosshairOpt = typer.Option("mean", "--crosshair", help=f"Where the quadrants meet: {_or(CROSSHAIRS)} (midpoint: of the answer scale).")
EstimatorOpt = typer.Option("ml", "--estimator", help="Estimator of the CFA/SEM models: ml (normal theory), mlr (robust ML: sandwich standard errors, Yuan-Bentler scaled chi-square, robust CFI/TLI/RMSEA, as lavaan's MLR) or wlsmv (items as ordinal: polychoric correlations, DWLS, robust standard errors, mean- and variance-adjusted chi-square, as lavaan's WLSMV).")
# Help texts are rich markup: a literal '[' is written '\\[' (else rich swallows '[dask]' as a tag).
SchedulerOpt = Annotated[str, typer.Option("--scheduler", help="Where the per-group work runs: threads (this process), processes (this machine; 5-15% faster at a million respondents), auto (processes from 500,000 respondents, threads below) or dask://HOST:PORT (a Dask cluster; pip install 'service-drivers\\[dask]'). Results are identical on each.")]
# The waves of a repeated study (drivers trends, drivers dashboard): a column of them, or periods of contact_date.
WaveOpt = Annotated[Optional[str], typer.Option("--wave", help="Column whose values are the waves (e.g. wave).")]
PeriodOpt = Annotated[Optional[str], typer.Option("--period", help="Waves from contact_date instead: month or quarter.")]
JsonOpt = Annotated[Optional[Path], typer.Option("--json", help="Also write the results as JSON to this file.")]


def read_for_command(
    data: Path,
    *,
    source: str = "auto",
    sheet: str | None = None,
    delimiter: str | None = None,
    encoding: str | None = None,
    invalid: str = "error",
    id_column: str | None = None,
    group_column: str | None = None,
    instrument_file: Path | None = None,
    duplicates: str = "error",
    absent_items: str = "error",
    by: str | None = None,
    extra: tuple[str, ...] = (),
    scheduler: str = "threads",
):
    """Check the reader options, load the instrument and read the responses.

    Returns ``(instrument, data, quality_report)``; raises ``typer.BadParameter`` for an
    option value that is not allowed and the reader's ``DataError`` for a bad file.
    A grouping column ``by`` that the questionnaire does not know is read from the file
    as it is (its SPSS value labels become the group names); so are the ``extra`` columns
    (e.g. the wave column of ``drivers trends``). A folder of Parquet partitions, and a
    Parquet file when ``scheduler`` is a Dask cluster, are read part by part on
    ``scheduler`` (:func:`instrument.reader.partitions.read_partitioned`).
    """
    inst, extra_columns = _reader_setup(source, invalid, duplicates, absent_items, instrument_file, by, extra)
    from instrument import read_responses

    if partitioned(data, scheduler):
        from instrument.reader.partitions import read_partitioned

        frame, report = read_partitioned(data, inst, scheduler=scheduler, invalid=invalid, id_column=id_column,
                                         group_column=group_column, duplicates=duplicates,
                                         absent_items=absent_items, extra_columns=extra_columns)
        return inst, frame, report
    frame, report = read_responses(
        data, inst, source=source, sheet=sheet, delimiter=delimiter, encoding=encoding,
        invalid=invalid, id_column=id_column, group_column=group_column, duplicates=duplicates,
        absent_items=absent_items, extra_columns=extra_columns,
    )
    return inst, frame, report


def partitioned(data: Path, scheduler: str) -> bool:
    """Whether ``data`` is read part by part: a folder of Parquet partitions, or a Parquet file on a Dask cluster."""
    return Path(data).is_dir() or (scheduler.startswith("dask://") and Path(data).suffix.lower() in (".parquet", ".pq"))


@contextlib.contextmanager
def kept_for_command(data: Path, *, invalid: str = "error", id_column: str | None = None,
                     group_column: str | None = None, instrument_file: Path | None = None, duplicates: str = "error",
                     absent_items: str = "error", by: str | None = None, scheduler: str):
    """``(instrument, kept partitions)``: a partitioned input read, checked and kept where it is read.

    :func:`instrument.reader.partitions.open_partitioned` on ``scheduler``: on a Dask
    cluster the clean rows stay on the workers for the block's duration (the analysis
    takes them from there, :mod:`analysis.drivers.kept`); the quality report is ``kept.report``.
    """
    inst, extra_columns = _reader_setup("auto", invalid, duplicates, absent_items, instrument_file, by, ())
    from instrument.reader.partitions import open_partitioned

    with open_partitioned(data, inst, scheduler=scheduler, invalid=invalid, id_column=id_column,
                          group_column=group_column, duplicates=duplicates, absent_items=absent_items,
                          extra_columns=extra_columns) as kept:
        yield inst, kept


def _reader_setup(source, invalid, duplicates, absent_items, instrument_file, by, extra):
    """The reader options checked, the questionnaire loaded, and the extra columns to read as they are."""
    if source not in SOURCES:
        raise typer.BadParameter(f"'{source}' is not one of {', '.join(SOURCES)}", param_hint="--source")
    if invalid not in INVALID_POLICIES:
        raise typer.BadParameter(f"'{invalid}' is not one of {', '.join(INVALID_POLICIES)}", param_hint="--invalid")
    check_flags(duplicates=duplicates, absent_items=absent_items)
    inst: Instrument = load_questionnaire(instrument_file)
    extra_columns = tuple(c for c in dict.fromkeys((by, *extra)) if c is not None and c not in {v.id for v in inst.variables})
    return inst, extra_columns


def usable_or_fail(report: QualityReport) -> None:
    """Stop with the reader's reasons when the data cannot be analysed."""
    if not report.ok:
        raise DataError(f"cannot be analysed: {'; '.join(report.problems)}", file=report.file)


def outcome_or_fail(frame, inst, outcome: str, file, *, parts=None) -> None:
    """Stop, naming the file and the outcome's columns, when no respondent has ``outcome``; say which flag helps.

    Without it a file lacking the outcome's items (e.g. sat1-sat3) ends in "too few usable
    respondents" per group, whose advice (a coarser grouping) does not help. ``parts``:
    partitions kept on the workers instead of ``frame`` (each part checked where it is).
    """
    import pandas as pd

    from analysis.drivers.outcome import no_outcome_message, outcome_absence

    if parts is not None:           # absent when absent from every part; the columns are the same in each
        reasons = parts.map(outcome_absence, inst, outcome)
        frame = pd.DataFrame(columns=parts.columns())
        frame.attrs.update(parts.attrs)
        why = reasons[0] if all(r is not None for r in reasons) else None
    else:
        why = outcome_absence(frame, inst, outcome)
    if why is not None:
        raise DataError(no_outcome_message(frame, inst, outcome, why, lambda held: "--outcome " + "|".join(held)),
                        file=str(file))
