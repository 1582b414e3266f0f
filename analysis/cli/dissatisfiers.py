"""``drivers dissatisfiers``: penalty-reward contrast analysis, each driver classified per group.

Reads the responses like ``drivers analyse`` and calls
:func:`analysis.dissatisfiers.analyse.analyse_dissatisfiers`; prints one table per group
(class, penalty, reward, the bootstrap interval of penalty - reward and the share of
resamples in each class). ``--json FILE`` writes
:meth:`~analysis.dissatisfiers.result.DissatisfierAnalysis.to_dict`.
"""
from __future__ import annotations

from typing import Optional

import typer
from rich import box
from rich.markup import escape
from rich.table import Table

from analysis.cli.app import command, console
from analysis.cli.options import check_flags, option_errors
from analysis.cli.reading import (
    AbsentItemsOpt, DataArg, DelimiterOpt, DuplicatesOpt, EncodingOpt, GroupColumnOpt, IdColumnOpt, InstrumentOpt,
    InvalidOpt, JsonOpt, SheetOpt, SourceOpt, read_for_command, usable_or_fail,
)
from analysis.common.outputs import check_writable, write_json


@command()
def dissatisfiers(
    data: DataArg,
    by: str = typer.Option("organisation", "--by", help="Column whose values are the groups (e.g. organisation)."),
    outcome: str = typer.Option("satisfaction", "--outcome", help="satisfaction (score), csat, nps or ces."),
    bootstrap: int = typer.Option(1000, "--bootstrap", help="Bootstrap resamples within each group."),
    seed: Optional[int] = typer.Option(None, "--seed", help="Seed of the bootstrap (default: drawn at random and reported)."),
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
    """Which drivers are dissatisfiers (basic factors): penalty-reward contrast analysis per group."""
    check_flags(outcome=outcome, bootstrap=bootstrap, seed=seed)
    if json_file is not None:
        check_writable(json_file, inputs=(data,))
    inst, frame, report = read_for_command(
        data, source=source, sheet=sheet, delimiter=delimiter, encoding=encoding, invalid=invalid,
        duplicates=duplicates, absent_items=absent_items,
        id_column=id_column, group_column=group_column, instrument_file=instrument_file, by=by,
    )
    usable_or_fail(report)
    from analysis.dissatisfiers.analyse import analyse_dissatisfiers

    with option_errors(file=data):
        result = analyse_dissatisfiers(frame, inst, by=by, outcome=outcome, bootstrap=bootstrap, seed=seed)
    print_dissatisfiers(result, str(data))
    if json_file is not None:
        write_json(result.to_dict(), json_file, "dissatisfier analysis")
        console.print(f"result written to {json_file}", highlight=False)


def print_dissatisfiers(res, source: str) -> None:
    """Print a :class:`~analysis.dissatisfiers.result.DissatisfierAnalysis` as one rich table per group."""
    level = round(100 * res.settings["level"])
    console.print(f"[bold]Dissatisfiers[/] of {escape(source)}: penalty-reward contrast (Brandt 1987; Matzler et al. "
                  "2004). Low / high = at or below the group's 25th / at or above its 75th percentile of the driver "
                  "score; penalty and reward per point of driver score between the quarters' and the middle's means. "
                  "basic = low performance hurts clearly more than high performance helps (a dissatisfier); "
                  "excitement = the reverse; performance = about symmetric.", highlight=False, soft_wrap=True)
    console.print(f"Resamples % = share of the {res.settings['bootstrap']} bootstrap resamples per group (seed "
                  f"{res.settings['seed']}) classified basic / performance / excitement.",
                  highlight=False, soft_wrap=True)
    for group, part in res.table.groupby("group", sort=False):
        table = Table(title=f"{escape(str(group))} (n = {int(part['n'].iloc[0])})", title_justify="left",
                      box=box.SIMPLE_HEAD, pad_edge=False)
        for header in ("driver", "class", "penalty / reward per point", f"penalty - reward {level}%", "resamples % B/P/E"):
            table.add_column(header, no_wrap=header in ("driver", "class"))
        for r in part.to_dict(orient="records"):   # records: 'class' is a keyword, not an attribute name
            table.add_row(escape(r["driver"]), r["class"], f"{r['penalty_per_point']:.2f} / {r['reward_per_point']:.2f}",
                          f"{r['diff_low']:.2f} to {r['diff_high']:.2f}",
                          "/".join(f"{100 * r['share_' + c]:.0f}" for c in ("basic", "performance", "excitement")))
        console.print(table)
    for note in res.notes:
        console.print(f"[yellow]Note:[/] {escape(note)}", highlight=False, soft_wrap=True)
