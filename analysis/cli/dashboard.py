"""``drivers dashboard``: the study as one interactive HTML file that opens offline.

Reads the responses like every command (the shared reader options of
:mod:`analysis.cli.reading`), and writes the page with
:func:`analysis.dashboard.build_dashboard`: the driver analysis of ``drivers report``
(same defaults, so the same numbers for the same data and seed) under the reports'
privacy rules. The output file is checked before the data is read.
"""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer
from rich.markup import escape

from analysis.cli.app import command, console, err_console
from analysis.cli.options import check_flags, option_errors
from analysis.cli.reading import (
    AbsentItemsOpt, CrosshairOpt, DataArg, DelimiterOpt, DuplicatesOpt, EncodingOpt, GroupColumnOpt, IdColumnOpt,
    ImportanceOpt, InstrumentOpt, InvalidOpt, OutcomeOpt, PeriodOpt, PoolingOpt, SheetOpt, SourceOpt, WaveOpt,
    read_for_command, usable_or_fail,
)

STAGES = {"analysis": "driver analysis (bootstrap)...", "themes and waves": "coding the open answers, the waves...",
          "content": "assembling the dashboard...",
          "page": "writing the page..."}


@command()
def dashboard(
    data: DataArg,
    out: Path = typer.Option(..., "--out", "-o", help="The HTML file to write (one file; opens offline).",
                             show_default=False),
    by: str = typer.Option("organisation", "--by", help="Column whose groups the dashboard compares (e.g. organisation)."),
    lang: str = typer.Option("en", "--lang", help="Language the page opens in: nl or en (any case); it switches between both."),
    min_group_n: int = typer.Option(30, "--min-group-n", help="Minimum usable (not flagged) respondents of a group: a group with fewer is left out entirely (as in the reports); a channel with fewer shows no KPIs."),
    bootstrap: int = typer.Option(2000, "--bootstrap", help="Bootstrap resamples per group (at least 2; 1000+ for 95% intervals)."),
    seed: Optional[int] = typer.Option(None, "--seed", help="Seed of the bootstrap and of the quotes (default: drawn at random and reported)."),
    drivers: Optional[List[str]] = typer.Option(None, "--drivers", help="Drivers to analyse, comma-separated or repeated (default: all seven)."),
    outcome: str = OutcomeOpt,
    importance: str = ImportanceOpt,
    crosshair: str = CrosshairOpt,
    pooling: str = PoolingOpt,
    wave: WaveOpt = None,
    period: PeriodOpt = None,
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
    """Write an interactive dashboard (one self-contained HTML file, both languages, no network)."""
    lang = check_flags(lang=lang.lower(), min_group_n=min_group_n, bootstrap=bootstrap, seed=seed, outcome=outcome,
                       importance=importance, crosshair=crosshair, pooling=pooling, period=period)["lang"]
    if wave is not None and period is not None:
        raise typer.BadParameter("give the wave column with --wave, or --period month|quarter, not both",
                                 param_hint="--wave")
    from analysis.dashboard.build import build_dashboard, check_dashboard_file   # here: `drivers --help` stays fast

    check_dashboard_file(out, inputs=(data,))          # fail before reading and analysing
    inst, frame, quality = read_for_command(
        data, source=source, sheet=sheet, delimiter=delimiter, encoding=encoding, invalid=invalid,
        duplicates=duplicates, absent_items=absent_items,
        id_column=id_column, group_column=group_column, instrument_file=instrument_file, by=by,
        extra=(wave,) if wave else ("contact_date",) if period else (),
    )
    usable_or_fail(quality)
    chosen = None if not drivers else [d.strip() for value in drivers for d in value.split(",") if d.strip()]
    if wave is not None or period is not None:
        from analysis.trends.analyse import wave_labels

        with option_errors(file=data):      # fail before the long run: a wave that is not a column, no dates
            wave_labels(frame, wave, period)
    with option_errors(file=data), err_console.status("reading...") as status:
        def progress(stage: str) -> None:
            status.update(STAGES.get(stage, stage))

        board = build_dashboard(frame, inst, quality, out=out, by=by, lang=lang, min_group_n=min_group_n,
                                bootstrap=bootstrap, seed=seed, drivers=chosen, outcome=outcome,
                                importance=importance, crosshair=crosshair, pooling=pooling, wave=wave, period=period,
                                progress=progress)
    s = board.analysis.settings
    console.print(f"[bold]Dashboard written to {escape(str(board.path))}[/] ({board.size / 1e6:.1f} MB; opens in "
                  f"{lang}, outcome '{s.outcome}', {s.importance} importance, {s.n_resamples} resamples, "
                  f"seed {s.seed}, pooling {s.pooling_used}).", highlight=False, soft_wrap=True)
    if s.pooling != s.pooling_used:
        from analysis.drivers.pooled import pooling_sentence

        console.print(f"[yellow]{escape(pooling_sentence(board.analysis))}[/]", highlight=False, soft_wrap=True)
    views = board.document["views"]
    if board.document["waves"]:
        console.print(f"Waves: {len(board.document['waves']['labels'])} ({escape(', '.join(board.document['waves']['labels']))}).",
                      highlight=False, soft_wrap=True)
    elif wave or period:
        console.print("[yellow]No waves view: the data have one wave.[/]", highlight=False, soft_wrap=True)
    console.print(f"Views: {', '.join(views)}.", highlight=False, soft_wrap=True)
    if board.withheld:
        console.print(f"[yellow]Not in the dashboard: {escape(', '.join(board.withheld))}: fewer than {min_group_n} "
                      "usable respondents; their respondents are in no figure.[/]", highlight=False, soft_wrap=True)
    console.print(f"Open {escape(str(board.path))} in a browser; it needs no network.", highlight=False,
                  soft_wrap=True)
