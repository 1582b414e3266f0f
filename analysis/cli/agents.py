"""``drivers agents FILE --out DIR``: one feedback page per agent for the team lead, in Dutch and English.

Reads the responses like ``drivers analyse``, runs :func:`analysis.agents.analyse.analyse_agents`
(per agent: KPIs and the agent-driver scores shrunk toward the team) and writes, per
shown agent and language, ``DIR/<lang>/<team>/<agent>.html`` (and ``.pdf`` with ``--pdf``).
``--json FILE`` writes :meth:`~analysis.agents.result.AgentAnalysis.to_dict` (with or
without ``--out``; one of them is needed): the shown agents' ids, as on the pages, and the
withheld ones as counts. The terminal names no agent: it counts the pages, the agents
withheld under ``--min-n`` and the respondents left out. Agents are never ranked here.
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
    InvalidOpt, JsonOpt, SheetOpt, SourceOpt, read_for_command, usable_or_fail,
)
from analysis.common.outputs import check_writable, write_json

# the same default as analysis.common.thresholds.MIN_N_AGENT (not imported: `drivers --help` stays light)
DEFAULT_MIN_N = 10


@command()
def agents(
    data: DataArg,
    out: Optional[Path] = typer.Option(None, "--out", help="Folder for the agent pages (created if missing); needed unless --json is given.", show_default=False),
    by: str = typer.Option("organisation", "--by", help="Team column: each agent is shrunk toward their team's mean."),
    agent: str = typer.Option("agent_id", "--agent", help="Column with the agents' ids."),
    min_n: int = typer.Option(DEFAULT_MIN_N, "--min-n", help="Agents with fewer usable respondents get no page (counted, not named)."),
    level: float = typer.Option(0.95, "--level", help="Level of the intervals."),
    pdf: bool = typer.Option(False, "--pdf/--no-pdf", help="Also write PDFs (WeasyPrint)."),
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
    """Write one feedback page per agent (nl and en) for the team lead: agent-driver scores shrunk toward the team."""
    check_flags(min_n=min_n, level=level)
    if out is None and json_file is None:
        raise typer.BadParameter("give a folder for the agent pages (--out DIR), a JSON file (--json FILE) or both",
                                 param_hint="--out")
    if out is not None and out.exists() and not out.is_dir():
        raise typer.BadParameter(f"{out} is a file; give a folder", param_hint="--out")
    if json_file is not None:
        check_writable(json_file, inputs=(data,))
    inst, frame, quality = read_for_command(
        data, source=source, sheet=sheet, delimiter=delimiter, encoding=encoding, invalid=invalid,
        duplicates=duplicates, absent_items=absent_items,
        id_column=id_column, group_column=group_column, instrument_file=instrument_file, by=by,
    )
    usable_or_fail(quality)
    from analysis.agents.analyse import analyse_agents      # here: `drivers --help` stays fast
    from analysis.report.agent_pages import write_agent_pages

    with option_errors(file=data):
        result = analyse_agents(frame, inst, by=by, agent=agent, min_n=min_n, level=level)
    if out is not None:
        files = write_agent_pages(result, inst, out, pdf=pdf)
        console.print(f"[bold]Agent pages written to {escape(str(out))}/[/]: {len(result.agents)} agents, "
                      f"{len(files)} files (nl and en{', HTML and PDF' if pdf else ''}), in order of agent id.",
                      highlight=False, soft_wrap=True)
    else:
        console.print(f"[bold]Agents[/]: {len(result.agents)} shown, in order of agent id.", highlight=False,
                      soft_wrap=True)
    for r in result.withheld.itertuples():
        if r.n_agents:
            console.print(f"  {escape(str(r.group))}: {r.n_agents} agent(s) with fewer than {min_n} respondents "
                          f"withheld ({r.n_respondents} respondents)", highlight=False, soft_wrap=True)
    for r in result.excluded.itertuples():
        console.print(f"  left out: {r.n} respondents ({escape(r.reason)})", highlight=False, soft_wrap=True)
    if json_file is not None:
        write_json(result.to_dict(), json_file, "agent analysis")
        console.print(f"result written to {escape(str(json_file))}", highlight=False, soft_wrap=True)
