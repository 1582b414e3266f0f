"""``drivers analyse``: driver impact per group, improvement priorities and KPIs.

Reads the responses with the same reader (and options) as ``drivers check``, runs
:func:`analysis.drivers.analyse.analyse_drivers` and prints its tables; ``--json FILE`` writes
:meth:`~analysis.drivers.result.DriverAnalysis.to_dict` (the format is specified in
:mod:`analysis.drivers.json_document`). Every number printed comes from the analysis result;
this module only formats. The progress bar (one line per stage of tasks) goes to stderr.
"""
from __future__ import annotations

import contextlib
import gc
from pathlib import Path
from typing import TYPE_CHECKING, List, Optional

import typer
from rich import box
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from analysis.cli.app import command, console, err_console
from analysis.cli.options import check_flags, option_errors
from analysis.cli.plain import table_text
from analysis.cli.reading import (
    AbsentItemsOpt, CrosshairOpt, DataArg, DelimiterOpt, DuplicatesOpt, EncodingOpt, EstimatorOpt, GroupColumnOpt,
    IdColumnOpt, ImportanceOpt, InstrumentOpt, InvalidOpt, JsonOpt, OutcomeOpt, PoolingOpt, SchedulerOpt, SheetOpt,
    SourceOpt, kept_for_command, outcome_or_fail, partitioned, read_for_command, usable_or_fail,
)
from analysis.common.groups import ALL
from analysis.common.outputs import check_writable, write_json

if TYPE_CHECKING:       # the analysis is imported where used: `drivers --help` must not import pandas
    from analysis.drivers.result import DriverAnalysis

# Above this many groups the per-channel KPI table is left to --json (it would run to
# thousands of lines).
MAX_GROUPS_PRINTED_IN_FULL = 20
MAX_DIFFERENCES_SHOWN = 30
# A terminal narrower than this gets the group tables without the SEM paths (in --json and summary()).
NARROW_TERMINAL = 140
# A KPI without an interval shows this in its place (the sentence is printed under the table).
NO_CI_LABEL = {"too_few": "too few", "no_spread": "all equal"}
QUADRANT_STYLE = {"concentrate here": "bold red", "keep up the good work": "green",
                  "low priority": "dim", "possible overkill": "yellow"}


# The progress bar's line per stage of the analysis (analyse_drivers' progress stages); each
# advances as that stage's tasks finish, on every scheduler.
PROGRESS_LABELS = {"point": "regressions (groups)", "bootstrap": "bootstrap (resamples)",
                   "pooling": "pooling and posterior draws (replicates)",
                   "replicates": "importance of the replicates (groups)",
                   "priorities": "priorities and differences (groups)", "kpis": "KPIs (groups)",
                   "sem": "structural model (fits)"}


# What each exclusion code in the terminal's table means (codes of analysis.drivers.sample).
EXCLUSION_LEGEND = {
    "no_group": "no value in the --by column",
    "flagged": "straight-liner, speeder or too many missing answers (--include-flagged keeps them)",
    "no_outcome": "no outcome",
    "missing_score": "a driver score missing (fewer than half its items answered)",
    "not_asked": "only drivers not asked in the respondent's channel missing, by design "
                 "(--drivers without them includes these respondents)",
    "small_group": "in a group too small for the regression (left out of the importance analysis)",
}


@command()
def analyse(
    data: DataArg,
    by: str = typer.Option("organisation", "--by", help="Column whose values are the groups (e.g. organisation, channel)."),
    outcome: str = OutcomeOpt,
    bootstrap: int = typer.Option(2000, "--bootstrap", help="Bootstrap resamples per group (at least 2; 1000+ for 95% intervals)."),
    seed: Optional[int] = typer.Option(None, "--seed", help="Seed of the bootstrap (default: drawn at random and reported)."),
    level: float = typer.Option(0.95, "--level", help="Confidence level of all intervals."),
    importance: str = ImportanceOpt,
    crosshair: str = CrosshairOpt,
    pooling: str = PoolingOpt,
    drivers: Optional[List[str]] = typer.Option(None, "--drivers", help="Drivers to analyse, comma-separated or repeated (default: every driver of the questionnaire, each group on the drivers that apply to it)."),
    sem: bool = typer.Option(True, "--sem/--no-sem", help="Fit the structural model (latent drivers -> outcome, FIML)."),
    include_flagged: bool = typer.Option(False, "--include-flagged", help="Keep straight-liners, speeders and respondents with too many missing answers."),
    estimator: str = EstimatorOpt,
    json_file: JsonOpt = None,
    scheduler: SchedulerOpt = "auto",
    source: SourceOpt = "auto",
    sheet: SheetOpt = None,
    delimiter: DelimiterOpt = None,
    encoding: EncodingOpt = None,
    invalid: InvalidOpt = "error",
    duplicates: DuplicatesOpt = "error",
    absent_items: AbsentItemsOpt = "error",
    id_column: IdColumnOpt = None,
    group_column: GroupColumnOpt = None,
    instrument_file: InstrumentOpt = None,
) -> None:
    """Estimate each driver's impact on satisfaction per group, with priorities and KPIs."""
    # The options the library declares, checked before the file is read; the message
    # is the library's (analysis.common.options), the flag is added by option_errors.
    check_flags(outcome=outcome, importance=importance, crosshair=crosshair, pooling=pooling, bootstrap=bootstrap,
                seed=seed, level=level, estimator=estimator, scheduler=scheduler)
    if json_file is not None:
        check_writable(json_file, inputs=(data,))      # fail before the work, not after it
    chosen = None if not drivers else [d.strip() for value in drivers for d in value.split(",") if d.strip()]
    options = dict(by=by, outcome=outcome, drivers=chosen, bootstrap=bootstrap, seed=seed, level=level,
                   importance=importance, crosshair=crosshair, exclude_flagged=not include_flagged, sem=sem,
                   pooling=pooling, estimator=estimator)
    if scheduler.startswith("dask://") and partitioned(data, scheduler):
        # the partitions stay on the cluster's workers and the analysis takes the rows from
        # there: this process never holds them (analysis.drivers.kept)
        with kept_for_command(
                data, invalid=invalid, duplicates=duplicates, absent_items=absent_items, id_column=id_column,
                group_column=group_column, instrument_file=instrument_file, by=by, scheduler=scheduler) as (inst, kept):
            usable_or_fail(kept.report)
            outcome_or_fail(None, inst, outcome, data, parts=kept)
            _analyse_and_print(data, kept, inst, json_file, scheduler, **options)
        return
    if _processes_ahead(data, scheduler):
        # the worker processes' imports happen beside the reading, not after it
        from analysis.common.scheduler import start_worker_server

        start_worker_server()
    inst, frame, report = read_for_command(
        data, source=source, sheet=sheet, delimiter=delimiter, encoding=encoding, invalid=invalid,
        duplicates=duplicates, absent_items=absent_items,
        id_column=id_column, group_column=group_column, instrument_file=instrument_file, by=by, scheduler=scheduler,
    )
    usable_or_fail(report)
    outcome_or_fail(frame, inst, outcome, data)
    with _data_kept_to_the_end():
        _analyse_and_print(data, frame, inst, json_file, scheduler, **options)


def _processes_ahead(data: Path, scheduler: str) -> bool:
    """Whether the analysis will run on worker processes, as far as is known before reading the data.

    ``processes``, or ``auto`` with a Parquet file that has at least
    :data:`~analysis.common.scheduler.PROCESSES_FROM_ROWS` rows by its metadata (other
    formats' sizes are known once read).
    """
    if scheduler == "processes":
        return True
    path = Path(data)
    if scheduler != "auto" or path.suffix.lower() not in (".parquet", ".pq") or not path.is_file():
        return False
    import pyarrow.parquet as pq

    from analysis.common.scheduler import PROCESSES_FROM_ROWS

    try:
        return pq.ParquetFile(path).metadata.num_rows >= PROCESSES_FROM_ROWS
    except (OSError, ValueError):        # not readable as Parquet: the reader says why
        return False


# Allocations between two runs of the cyclic garbage collector's youngest generation while a
# command analyses (Python's default is 700): see _data_kept_to_the_end.
GC_YOUNG_THRESHOLD = 10_000


@contextlib.contextmanager
def _data_kept_to_the_end():
    """The cyclic garbage collector told that what exists now (the data read) stays, and to run less often.

    At a million respondents the collector's passes over every live container took about
    1.7 s of CPU (10% of the analysis at 200 organisations), mostly full passes over the
    same long-lived objects while the analysis builds its tables. ``gc.freeze`` moves what
    exists now out of its passes (collected first, so nothing already unreachable is kept)
    and a higher threshold for the youngest generation lets fewer passes start; both are
    undone on leaving (the command may run inside a test or a notebook's process).
    """
    threshold = gc.get_threshold()
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_YOUNG_THRESHOLD, *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


def _analyse_and_print(data, frame, inst, json_file, scheduler, **options) -> None:
    """The analysis with its progress bar, its tables on stdout and, with ``--json``, its document."""
    # A progress bar on a terminal only: quiet when stderr is a file or pipe, and in --json runs (made by scripts).
    quiet = not err_console.is_terminal or json_file is not None
    import pandas as pd

    from analysis.common.scheduler import resolve_scheduler

    # 'auto' named as what it stands for with these rows (rows kept on a cluster: not 'auto')
    used = resolve_scheduler(scheduler, len(frame) if isinstance(frame, pd.DataFrame) else None)
    where = "" if used == "threads" else f" on {used}"
    with option_errors(file=data), Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                                   console=err_console, transient=True, disable=quiet) as bar:
        tasks: dict = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(PROGRESS_LABELS.get(stage, stage) + where, total=total)
            bar.update(tasks[stage], completed=done)

        from analysis.drivers.analyse import analyse_drivers

        result = analyse_drivers(frame, inst, progress=progress, scheduler=scheduler, **options)
    print_analysis(result, str(data))
    if json_file is not None:
        write_json(result.to_dict(), json_file, "driver analysis")
        console.print(f"result written to {json_file}", highlight=False)


def _show(table: Table) -> None:
    """A table on the terminal (rich), or as plain text to a file or pipe (:mod:`analysis.cli.plain`)."""
    if console.is_terminal:
        console.print(table)
    else:
        console.file.write(table_text(table))


def print_analysis(res: DriverAnalysis, source: str) -> None:
    """Print a :class:`DriverAnalysis` as rich tables."""
    from analysis.drivers.pooled import pooling_sentence
    from analysis.drivers.result import own_weight_phrase

    s = res.settings
    console.print(f"[bold]Driver analysis[/] of {escape(source)}: outcome '{s.outcome}', groups by '{s.by}'; "
                  f"{res.n_used} of {res.n_input} respondents used; {s.n_resamples} resamples per group "
                  f"(seed {s.seed}); priorities from {s.importance} importance, cross-hairs at the {s.crosshair}",
                  highlight=False, soft_wrap=True)
    console.print(escape(pooling_sentence(res)), highlight=False, soft_wrap=True)
    pct = f"{100 * s.level:g}%"
    console.print(f"[dim]Intervals: {pct} bootstrap percentile; rank {escape('[best-worst]')}; beta: standardized "
                  f"coefficient of the estimate the LMG shares come from; SEM path: standardized latent path (* p < .05, ** p < .01, *** p < .001); "
                  f"performance: mean score on 0-100; priority 1 = improve first.[/]", soft_wrap=True)
    groups = res.groups.set_index("group")
    for g in res.group_names:
        r = groups.loc[g]
        # the phone-only drivers rest on fewer respondents (the JSON: respondents_by_channel, drivers' n)
        fewer = f" (phone-only drivers: {r.n_complete})" if r.n_complete < r.n_used else ""
        title = (f"[bold]{escape(str(g))}[/]: n = {r.n_used} of {r.n_input}{fewer}, R² = {r.r2:.3f} "
                 f"[{r.r2_ci_low:.3f}, {r.r2_ci_high:.3f}]")
        if res.settings.pooling_used == "partial" and g != ALL:
            title += escape("; " + own_weight_phrase(r))
        if r.unstable_ranks:
            title += " [yellow](ranks unstable: fewer than 100 respondents)[/]"
        shown = res.display_table(g)
        narrow = console.is_terminal and console.width < NARROW_TERMINAL
        if narrow:          # a narrow terminal: the SEM paths are in --json and summary()
            shown = shown.drop(columns="SEM path").rename(columns={"performance": "perf", "priority [CI]": "prio [CI]"})
        table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD)
        for name in shown.columns:
            table.add_column(escape(name), no_wrap=name == "driver", justify="left" if name in ("driver", "quadrant")
                             else "right", min_width={"driver": None, "quadrant": 12}.get(name, 7))
        q = shown.columns.get_loc("quadrant")
        for row in shown.itertuples(index=False):
            # Text cells, not markup: nothing to parse (with 200 groups, thousands of cells)
            cells = [Text(str(c)) for c in row]
            cells[q] = Text(str(row.quadrant), style=QUADRANT_STYLE.get(row.quadrant, ""))
            table.add_row(*cells)
        _show(table)
    _print_kpis(res)
    _print_differences(res)
    _print_exclusions(res)
    for w in res.warnings.itertuples():
        where = escape(f"[{w.group}] ") if isinstance(w.group, str) else ""
        # 'error:' is only ever the line of a command that failed (exit 1); these all let it finish
        label, colour = ("note", "cyan") if w.severity == "note" else ("warning", "yellow")
        console.print(f"[{colour}]{label}:[/] {where}{escape(w.message)}", highlight=False, soft_wrap=True)


def _print_kpis(res: DriverAnalysis) -> None:
    kpis = res.kpis
    if not len(kpis):
        return
    names = list(dict.fromkeys(kpis.kpi))

    def cell(r) -> str:
        if not r.n:
            return "-"
        if r.ci_reason in NO_CI_LABEL:
            return escape(f"{r.estimate:.1f} [{NO_CI_LABEL[r.ci_reason]}]")
        return escape(f"{r.estimate:.1f} [{r.ci_low:.1f}, {r.ci_high:.1f}]")

    def table(rows, title, with_channel):
        t = Table("group", *(["channel"] if with_channel else []), *names, title=title, title_justify="left",
                  box=box.SIMPLE_HEAD)
        for (g, ch), part in rows.groupby(["group", "channel"], sort=False):
            values = {r.kpi: r for r in part.itertuples()}
            cells = [cell(values[k]) if k in values else "-" for k in names]
            t.add_row(escape(str(g)), *([escape(str(ch))] if with_channel else []), *cells)
        _show(t)
        shown = rows[rows.ci_reason.isin(list(NO_CI_LABEL))].drop_duplicates("ci_reason")
        if len(shown):
            legend = "; ".join(f"[{NO_CI_LABEL[r.ci_reason]}] {r.ci_note}" for r in shown.itertuples())
            console.print(f"[dim]No interval: {escape(legend)}.[/]", soft_wrap=True, highlight=False)

    table(kpis[kpis.channel == ALL], "KPIs (respondents not excluded as flagged; n in --json)", False)
    if len(res.group_names) <= MAX_GROUPS_PRINTED_IN_FULL + 1:
        table(kpis[kpis.channel != ALL], "KPIs per channel", True)
    else:
        console.print("KPIs per channel: see --json (kpis.by_channel of each group)")


def _print_differences(res: DriverAnalysis) -> None:
    d = res.differences
    if not len(d):
        return
    clear = d[(d.statistic == "lmg_pct") & d.excludes_zero]
    title = (f"Differences in LMG % of R² whose interval excludes 0 ({len(clear)} of "
             f"{int((d.statistic == 'lmg_pct').sum())} comparisons; 'rest' = all other groups)")
    t = Table("group", "versus", "driver", "difference [CI]", title=title, title_justify="left", box=box.SIMPLE_HEAD)
    for r in clear.head(MAX_DIFFERENCES_SHOWN).itertuples():
        t.add_row(escape(str(r.group)), escape(str(r.versus)), r.driver,
                  escape(f"{r.estimate:+.1f} [{r.ci_low:+.1f}, {r.ci_high:+.1f}]"))
    _show(t)
    if len(clear) > MAX_DIFFERENCES_SHOWN:
        console.print(f"... and {len(clear) - MAX_DIFFERENCES_SHOWN} more (see --json)")


def _print_exclusions(res: DriverAnalysis) -> None:
    counts = res.exclusion_counts
    if not len(counts):
        console.print("Every respondent was used.")
        return
    wide = counts.assign(group=counts.group.fillna("(no group)")).pivot_table(
        index="group", columns="code", values="n", aggfunc="sum", fill_value=0, observed=True, sort=False)
    from analysis.drivers.sample import REASON_CODES

    codes = [c for c in REASON_CODES if c in wide.columns]
    t = Table("group", *codes, "total", title="Not used in the importance analysis (respondents by reason; each "
              "respondent with its reason in --json)", title_justify="left", box=box.SIMPLE_HEAD)
    for g, row in wide.iterrows():
        t.add_row(escape(str(g)), *(str(int(row[c])) for c in codes), str(int(row[codes].sum())))
    _show(t)
    # Explain only the reasons the table shows: with every respondent used (both pooling
    # modes) `not_asked` is rare, and a legend of absent codes reads as if they occurred.
    legend = " ".join(f"{c}: {EXCLUSION_LEGEND[c]};" for c in codes).rstrip(";")
    console.print(f"[dim]{legend}.[/]", soft_wrap=True)
