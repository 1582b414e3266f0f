"""``drivers check``: read a response file and print its data-quality summary.

Exits 0 when the data can be analysed; otherwise prints one line naming the file,
column and rows and exits 1 (through :func:`analysis.cli.main`).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer
from rich import box
from rich.table import Table

from analysis.cli.app import app, console
from instrument import DataError, QualityReport, load_instrument, read_responses
from instrument.reader.table import show_delimiter
from instrument.reader.responses import INVALID_POLICIES, SOURCES

MAX_EXCLUDED_SHOWN = 20


@app.command()
def check(
    data: Path = typer.Argument(..., help="Response file: .csv/.txt, .xlsx/.xls, .sav or .parquet.", show_default=False),
    source: str = typer.Option("auto", "--source", help="auto (by extension and header), file, limesurvey or qualtrics."),
    sheet: Optional[str] = typer.Option(None, "--sheet", help="Excel sheet name or 0-based position (default: the first)."),
    delimiter: Optional[str] = typer.Option(None, "--delimiter", help="Field delimiter of a text file: , ; | or tab (default: detected)."),
    encoding: Optional[str] = typer.Option(None, "--encoding", help="Text encoding, e.g. utf-8, cp1252, latin-1 (default: detected)."),
    invalid: str = typer.Option("error", "--invalid", help="error: stop at values that are not codes; missing: read them as missing and list them."),
    id_column: Optional[str] = typer.Option(None, "--id-column", help="Name of the respondent-id column, if not respondent_id."),
    group_column: Optional[str] = typer.Option(None, "--group-column", help="Name of the organisation column, if not organisation."),
    json_file: Optional[Path] = typer.Option(None, "--json", help="Also write the report as JSON to this file."),
    instrument_file: Optional[Path] = typer.Option(None, "--instrument", help="A questionnaire YAML file (default: the shipped one)."),
) -> None:
    """Check a response file against the questionnaire: rows, flags, per-item missing, N/A and invalid values."""
    if source not in SOURCES:
        raise typer.BadParameter(f"'{source}' is not one of {', '.join(SOURCES)}", param_hint="--source")
    if invalid not in INVALID_POLICIES:
        raise typer.BadParameter(f"'{invalid}' is not one of {', '.join(INVALID_POLICIES)}", param_hint="--invalid")
    inst = load_instrument(instrument_file)
    _, report = read_responses(
        data, inst, source=source, sheet=sheet, delimiter=delimiter, encoding=encoding,
        invalid=invalid, id_column=id_column, group_column=group_column,
    )
    print_report(report)
    if json_file is not None:
        try:
            json_file.write_text(json.dumps(report.to_dict(), indent=2, ensure_ascii=False), encoding="utf-8")
        except OSError as exc:
            raise DataError(f"cannot write the JSON report ({exc.strerror}); give a writable path", file=str(json_file)) from None
        console.print(f"report written to {json_file}", highlight=False)
    if not report.ok:
        raise DataError(f"cannot be analysed: {'; '.join(report.problems)}", file=report.file)


def print_report(report: QualityReport) -> None:
    """Print a :class:`QualityReport` as rich tables."""
    where = [f"format {report.format}"]
    if report.encoding:
        where.append(f"encoding {report.encoding}")
    if report.delimiter:
        where.append(f"delimiter {show_delimiter(report.delimiter)}")
    console.print(f"[bold]Data quality:[/] {report.file} ({', '.join(where)})", highlight=False)

    counts = Table("rows", "n", title="Rows", title_justify="left", box=box.SIMPLE_HEAD)
    counts.add_row("rows read", str(report.n_rows_read))
    counts.add_row("empty rows (dropped)", str(report.n_empty_rows))
    counts.add_row("respondents", str(report.n_respondents))
    for name, n in report.flag_counts.items():
        counts.add_row(f"  flagged: {name.removeprefix('flag_').replace('_', ' ')}", str(n))
    counts.add_row("flagged (any flag)", str(report.n_flagged))
    counts.add_row("[bold]usable[/]", f"[bold]{report.n_usable}[/]")
    console.print(counts)

    items = Table(title="Items (N/A design: blank or N/A on a phone-only item from another channel; "
                  "% missing: blank or invalid among respondents the item applies to)",
                  title_justify="left", box=box.SIMPLE_HEAD)
    items.add_column("item", no_wrap=True)
    for header in ("answered", "N/A", "missing", "invalid", "N/A\ndesign", "%\nmissing"):
        items.add_column(header, justify="right", no_wrap=True)
    group = None
    for r in report.items.itertuples():
        construct = r.construct if isinstance(r.construct, str) else "questions"
        if construct != group:
            items.add_row(f"[bold]{construct}[/]")
            group = construct
        if not isinstance(r.column, str):
            items.add_row(f"  {r.item}", "no column", style="dim")
            continue
        style = "red" if r.n_invalid else ("yellow" if r.pct_missing == r.pct_missing and r.pct_missing >= 20 else None)
        items.add_row(
            f"  {r.item}", str(r.n_answered), str(r.n_not_applicable), str(r.n_missing), str(r.n_invalid),
            str(r.n_not_applicable_by_design), "-" if r.pct_missing != r.pct_missing else f"{r.pct_missing:.1f}",
            style=style,
        )
    console.print(items)

    groups = Table("organisation", "n", "flagged", "usable", title="Organisations", title_justify="left", box=box.SIMPLE_HEAD)
    for r in report.organisations.itertuples():
        groups.add_row(str(r.organisation), str(r.n), str(r.n_flagged), str(r.n_usable))
    console.print(groups)

    if report.unknown_columns:
        console.print(f"unknown columns (ignored): {', '.join(report.unknown_columns)}", highlight=False)
    if report.missing_columns:
        console.print(f"missing columns (created empty): {', '.join(report.missing_columns)}", highlight=False)
    if len(report.excluded):
        console.print("[bold]Excluded rows[/] (data rows, header excluded; flagged respondents are kept in the data "
                      "but left out of analyses by default):")
        for r in report.excluded.head(MAX_EXCLUDED_SHOWN).itertuples():
            who = f" (id {r.respondent_id})" if isinstance(r.respondent_id, str) else ""
            console.print(f"  row {r.row}{who}: {r.reason}", highlight=False)
        if len(report.excluded) > MAX_EXCLUDED_SHOWN:
            console.print(f"  ... and {len(report.excluded) - MAX_EXCLUDED_SHOWN} more (see --json)")
    for warning in report.warnings:
        console.print(f"[yellow]warning:[/] {warning}", highlight=False, soft_wrap=True)
    if report.ok:
        console.print(f"[green]OK[/]: {report.n_usable} usable respondents; the data can be analysed")
