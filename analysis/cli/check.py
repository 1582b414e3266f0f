"""``drivers check``: read a response file and print its data-quality summary.

Exits 0 when the data can be analysed; otherwise prints one line naming the file,
column and rows and exits 1 (through :func:`analysis.cli.main`). Everything that comes
from the file (names, values, ids, warnings quoting them) is escaped before printing:
it is text, never rich markup.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich import box
from rich.markup import escape
from rich.table import Table

from analysis.cli.app import command, console
from analysis.cli.reading import (
    AbsentItemsOpt, DataArg, DelimiterOpt, DuplicatesOpt, EncodingOpt, GroupColumnOpt, IdColumnOpt, InstrumentOpt,
    InvalidOpt, JsonOpt, SheetOpt, SourceOpt, outcome_or_fail, read_for_command, usable_or_fail,
)
from analysis.common.outputs import check_writable, write_json

if TYPE_CHECKING:       # the reader is imported where it is used: `drivers --help` must not import pandas
    from instrument import QualityReport

MAX_EXCLUDED_SHOWN = 20


@command()
def check(
    data: DataArg,
    source: SourceOpt = "auto",
    sheet: SheetOpt = None,
    delimiter: DelimiterOpt = None,
    encoding: EncodingOpt = None,
    invalid: InvalidOpt = "error",
    duplicates: DuplicatesOpt = "error",
    absent_items: AbsentItemsOpt = "error",
    id_column: IdColumnOpt = None,
    group_column: GroupColumnOpt = None,
    json_file: JsonOpt = None,
    instrument_file: InstrumentOpt = None,
) -> None:
    """Check a response file against the questionnaire: rows, flags, per-item missing, N/A and invalid values."""
    from instrument.reader.integrity import UnusableData

    if json_file is not None:
        check_writable(json_file, inputs=(data,))
    try:
        inst, frame, report = read_for_command(
            data, source=source, sheet=sheet, delimiter=delimiter, encoding=encoding, invalid=invalid,
            duplicates=duplicates, absent_items=absent_items,
            id_column=id_column, group_column=group_column, instrument_file=instrument_file,
        )
    except UnusableData as exc:
        # Read, but not usable as it is (duplicate ids, absent item columns): the summary
        # still says everything else about the file, its problems listed at the end.
        print_report(exc.report)
        if json_file is not None:
            write_json(exc.report.to_dict(), json_file, "JSON report")
        raise
    # the analyses' default outcome: a file without its items (e.g. sat1-sat3) cannot be analysed as it is by
    # default. The verdict says so and names the outcomes it can be analysed with; with none, it fails (exit 1)
    from analysis.drivers.outcome import outcome_absence, outcomes_held

    outcome = inst.outcome_construct.key
    absent = outcome_absence(frame, inst, outcome)
    print_report(report, None if absent is None else OutcomeVerdict(outcome, absent, outcomes_held(frame, inst)))
    if json_file is not None:
        write_json(report.to_dict(), json_file, "JSON report")
        console.print(f"report written to {escape(str(json_file))}", highlight=False)
    usable_or_fail(report)
    if absent is not None and not outcomes_held(frame, inst):
        outcome_or_fail(frame, inst, outcome, data)


@dataclass(frozen=True)
class OutcomeVerdict:
    """The default outcome's absence from the data (:func:`analysis.drivers.outcome.outcome_absence`)."""

    outcome: str
    why: str
    held: list          # the outcomes the data do hold (--outcome)

    def line(self, n_usable: int) -> str:
        """The verdict (rich markup): analysable with another outcome, or not at all."""
        cause = escape(f"no respondent has the default outcome '{self.outcome}': {self.why}")
        if self.held:
            return (f"[yellow]OK, with another outcome[/]: {n_usable} usable respondents; the data can be analysed "
                    f"with --outcome {'|'.join(self.held)}, not with the default ({cause})")
        return f"[bold red]NOT OK[/]: {n_usable} usable respondents, but {cause}, nor any other outcome"


def print_report(report: QualityReport, outcome: OutcomeVerdict | None = None) -> None:
    """Print a :class:`QualityReport` as rich tables; ``outcome``: the default outcome is absent from the data."""
    from instrument.reader.table import show_delimiter

    where = [f"format {report.format}"]
    if report.encoding:
        where.append(f"encoding {report.encoding}")
    if report.delimiter:
        where.append(f"delimiter {show_delimiter(report.delimiter)}")
    console.print(f"[bold]Data quality:[/] {escape(report.file)} ({', '.join(where)})", highlight=False)

    counts = Table("rows", "n", title="Rows", title_justify="left", box=box.SIMPLE_HEAD)
    counts.add_row("rows read", str(report.n_rows_read))
    counts.add_row("empty rows (dropped)", str(report.n_empty_rows))
    if report.n_not_respondents:
        counts.add_row("previews/test responses (dropped)", str(report.n_not_respondents))
    if report.n_duplicates_dropped:
        counts.add_row("identical duplicates (dropped)", str(report.n_duplicates_dropped))
    counts.add_row("respondents", str(report.n_respondents))
    if report.n_incomplete:
        counts.add_row("  not completed (kept)", str(report.n_incomplete))
    for name, n in report.flag_counts.items():
        counts.add_row(f"  flagged: {name.removeprefix('flag_').replace('_', ' ')}", str(n))
    counts.add_row("flagged (any flag)", str(report.n_flagged))
    counts.add_row("[bold]usable[/]", f"[bold]{report.n_usable}[/]")
    console.print(counts)

    items = Table(title="Items (N/A design: blank or N/A on an item of another channel than the respondent's; "
                  "% missing: blank or invalid among respondents the item applies to)",
                  title_justify="left", box=box.SIMPLE_HEAD)
    items.add_column("item", no_wrap=True)
    for header in ("answered", "N/A", "missing", "invalid", "N/A\ndesign", "%\nmissing"):
        items.add_column(header, justify="right", no_wrap=True)
    group = None
    for r in report.items.itertuples():
        construct = r.construct if isinstance(r.construct, str) else "questions"
        if construct != group:
            items.add_row(f"[bold]{escape(construct)}[/]")
            group = construct
        if not isinstance(r.column, str):
            items.add_row(f"  {escape(r.item)}", "no column", style="dim")
            continue
        style = "red" if r.n_invalid else ("yellow" if r.pct_missing == r.pct_missing and r.pct_missing >= 20 else None)
        items.add_row(
            f"  {escape(r.item)}", str(r.n_answered), str(r.n_not_applicable), str(r.n_missing), str(r.n_invalid),
            str(r.n_not_applicable_by_design), "-" if r.pct_missing != r.pct_missing else f"{r.pct_missing:.1f}",
            style=style,
        )
    console.print(items)

    groups = Table("organisation", "n", "flagged", "usable", title="Organisations", title_justify="left", box=box.SIMPLE_HEAD)
    for r in report.organisations.itertuples():
        groups.add_row(escape(str(r.organisation)), str(r.n), str(r.n_flagged), str(r.n_usable))
    console.print(groups)

    if report.unknown_columns:
        console.print(f"unknown columns (ignored): {escape(', '.join(report.unknown_columns))}", highlight=False)
    if report.missing_columns:
        console.print(f"missing columns (created empty): {escape(', '.join(report.missing_columns))}", highlight=False)
    if len(report.excluded):
        console.print("[bold]Excluded rows[/] (data rows, header excluded; empty rows and platform previews are "
                      "dropped, flagged respondents are kept in the data but left out of analyses by default):")
        for r in report.excluded.head(MAX_EXCLUDED_SHOWN).itertuples():
            who = f" (id {r.respondent_id})" if isinstance(r.respondent_id, str) else ""
            console.print(f"  row {r.row}{escape(who)}: {escape(r.reason)}", highlight=False)
        if len(report.excluded) > MAX_EXCLUDED_SHOWN:
            console.print(f"  ... and {len(report.excluded) - MAX_EXCLUDED_SHOWN} more (see --json)")
    for warning in report.warnings:
        console.print(f"[yellow]warning:[/] {escape(warning)}", highlight=False, soft_wrap=True)
    if report.ok and outcome is None:
        console.print(f"[green]OK[/]: {report.n_usable} usable respondents; the data can be analysed")
    elif report.ok:
        console.print(outcome.line(report.n_usable), highlight=False, soft_wrap=True)
    else:
        console.print("[bold red]NOT OK[/]: the data cannot be analysed as they are:")
        for problem in report.problems:
            console.print(f"  - {escape(problem)}", highlight=False, soft_wrap=True)
