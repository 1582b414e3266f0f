"""``drivers trends``: KPIs and driver importance per wave, change since the last wave, control charts.

Reads the responses like ``drivers analyse`` (plus the ``--wave`` column), runs
:func:`analysis.trends.analyse.analyse_waves` and prints its summary; ``--plot FILE``
writes the CSAT control chart of each group in its own panel (small multiples), ``--json FILE``
:meth:`~analysis.trends.result.TrendAnalysis.to_dict`. Every number printed comes from the result.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape

from analysis.cli.app import command, console
from analysis.cli.options import check_flags, option_errors
from analysis.cli.reading import (
    AbsentItemsOpt, DataArg, DelimiterOpt, DuplicatesOpt, EncodingOpt, GroupColumnOpt, IdColumnOpt, InstrumentOpt,
    InvalidOpt, JsonOpt, PeriodOpt, SheetOpt, SourceOpt, WaveOpt, read_for_command, usable_or_fail,
)
from analysis.common.outputs import check_writable, write_json


@command()
def trends(
    data: DataArg,
    by: str = typer.Option("organisation", "--by", help="Column whose values are the groups (e.g. organisation)."),
    wave: WaveOpt = None,
    period: PeriodOpt = None,
    bootstrap: int = typer.Option(1000, "--bootstrap", help="Bootstrap resamples per group and wave for the importance shares."),
    seed: Optional[int] = typer.Option(None, "--seed", help="Seed of the bootstrap (default: drawn at random and reported)."),
    level: float = typer.Option(0.95, "--level", help="Confidence level of all intervals and tests."),
    baseline: str = typer.Option("history", "--baseline", help="Control-chart centre line: history (the earlier waves) or pooled (all waves)."),
    plot: Optional[Path] = typer.Option(None, "--plot", help="Write the CSAT control chart of each group, one panel per group, to this image (.png, .pdf, .svg)."),
    json_file: JsonOpt = None,
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
    """KPIs and driver importance per wave, the change since the last wave, and what is signal, not noise."""
    check_flags(period=period, baseline=baseline, bootstrap=bootstrap, seed=seed, level=level)
    if (wave is None) == (period is None):
        raise typer.BadParameter("give the wave column with --wave, or --period month|quarter (one of them)",
                                 param_hint="--wave")
    if plot is not None:
        check_writable(plot, inputs=(data,))
    if json_file is not None:
        check_writable(json_file, inputs=(data,))
    inst, frame, report = read_for_command(
        data, source=source, sheet=sheet, delimiter=delimiter, encoding=encoding, invalid=invalid,
        duplicates=duplicates, absent_items=absent_items, id_column=id_column, group_column=group_column,
        instrument_file=instrument_file, by=by, extra=(wave,) if wave else ("contact_date",),
    )
    usable_or_fail(report)
    from analysis.trends.analyse import analyse_waves      # here, not at start: `--help` must not import pandas

    with option_errors(file=data):
        result = analyse_waves(frame, inst, wave=wave, period=period, by=by, bootstrap=bootstrap, seed=seed,
                               level=level, baseline=baseline)
    console.print(escape(result.summary().as_text()), highlight=False, soft_wrap=True)
    if plot is not None:
        import matplotlib

        matplotlib.use("Agg")
        figure = result.plot_panels()
        figure.savefig(plot, bbox_inches="tight")
        console.print(f"control charts written to {escape(str(plot))} (one panel per group)", highlight=False)
    if json_file is not None:
        write_json(result.to_dict(), json_file, "trend analysis")
        console.print(f"result written to {escape(str(json_file))}", highlight=False)
