"""``drivers report``: improvement-priority reports (HTML, PDF, Excel) per organisation and for the study.

Reads the responses like every command (the shared reader options of
:mod:`analysis.cli.reading`), runs the validation and the driver analysis exactly as
``drivers validate`` and ``drivers analyse`` do (same defaults, so the same numbers for
the same data and seed), and writes the reports with
:func:`analysis.report.build_reports`. It prints where the reports are.

The output folder is checked before the data is read: every report must be writable
and none may overwrite the input file (``--out`` may be the input's own folder).
Groups below ``--min-group-n`` usable respondents are left out of the reports entirely.
``--by-agent`` also writes the pages of ``drivers agents`` (one per agent, nl and en)
into ``OUT/agents/``, for the groups that got a report; the organisation-level reports
never name an agent.
"""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer
from rich.markup import escape

from analysis.cli.app import command, console, err_console
from analysis.cli.options import check_flags, option_errors
from analysis.cli.reading import (
    AbsentItemsOpt, CrosshairOpt, DataArg, DelimiterOpt, DuplicatesOpt, EncodingOpt, EstimatorOpt, GroupColumnOpt,
    IdColumnOpt, ImportanceOpt, InstrumentOpt, InvalidOpt, OutcomeOpt, PoolingOpt, SchedulerOpt, SheetOpt, SourceOpt,
    outcome_or_fail, read_for_command, usable_or_fail,
)

STAGES = {"analysis": "driver analysis (bootstrap)...", "validation": "validating the questionnaire (FIML)...",
          "content": "assembling the reports..."}


@command()
def report(
    data: DataArg,
    out: Path = typer.Option(..., "--out", help="Folder for the reports (created if missing).", show_default=False),
    by: str = typer.Option("organisation", "--by", help="Column whose groups each get a report (e.g. organisation)."),
    lang: str = typer.Option("en", "--lang", help="Language of the reports: nl or en (any case)."),
    title: Optional[str] = typer.Option(None, "--title", help="Title on the title page."),
    min_group_n: int = typer.Option(30, "--min-group-n", help="Minimum usable (not flagged) respondents of a group: a group with fewer gets no report and no figure, and its respondents are left out of every figure, the whole study's too (the study report names it, not its size); within a group, a channel with fewer shows no KPIs, nor do the next smallest channels if the channels withheld add up to fewer."),
    bootstrap: int = typer.Option(2000, "--bootstrap", help="Bootstrap resamples per group (at least 2; 1000+ for 95% intervals)."),
    seed: Optional[int] = typer.Option(None, "--seed", help="Seed of the bootstrap and of the quotes (default: drawn at random and reported)."),
    drivers: Optional[List[str]] = typer.Option(None, "--drivers", help="Drivers to analyse, comma-separated or repeated (default: every driver of the questionnaire, each group on the drivers that apply to it; without drivers limited to some channels every channel counts)."),
    outcome: str = OutcomeOpt,
    importance: str = ImportanceOpt,
    crosshair: str = CrosshairOpt,
    pooling: str = PoolingOpt,
    pdf: bool = typer.Option(True, "--pdf/--no-pdf", help="Also write PDFs (WeasyPrint)."),
    estimator: str = EstimatorOpt,
    wave: Optional[str] = typer.Option(None, "--wave", help="Column whose values are the waves of a repeated study: adds 'Since the last wave' (more than one wave)."),
    period: Optional[str] = typer.Option(None, "--period", help="Instead of --wave: the waves are the months or quarters of contact_date (month or quarter)."),
    by_agent: bool = typer.Option(False, "--by-agent/--no-by-agent", help="Also write one feedback page per agent for the team lead (OUT/agents/<lang>/<group>/<agent>.html, nl and en; as drivers agents with its defaults): agent-driver scores shrunk toward the group; agents under 10 respondents withheld. Agents are never named in the organisation-level reports."),
    partial: bool = typer.Option(False, "--partial", help="Validation: release failing invariance constraints one at a time (partial invariance)."),
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
    scheduler: SchedulerOpt = "threads",
) -> None:
    """Write improvement-priority reports: per group and for the whole study, HTML + PDF, and one Excel workbook."""
    lang = check_flags(lang=lang.lower(), min_group_n=min_group_n, bootstrap=bootstrap, seed=seed, outcome=outcome,
                       importance=importance, crosshair=crosshair, pooling=pooling, estimator=estimator,
                       scheduler=scheduler, period=period)["lang"]
    if out.exists() and not out.is_dir():
        raise typer.BadParameter(f"{out} is a file; give a folder", param_hint="--out")
    from analysis.report import build_reports, check_report_folder     # here: `drivers --help` stays fast

    check_report_folder(out, inputs=(data,), pdf=pdf, create=False)   # fail before reading and analysing
    inst, frame, quality = read_for_command(
        data, source=source, sheet=sheet, delimiter=delimiter, encoding=encoding, invalid=invalid,
        duplicates=duplicates, absent_items=absent_items,
        id_column=id_column, group_column=group_column, instrument_file=instrument_file, by=by,
        extra=(wave,) if wave else (), scheduler=scheduler,
    )
    usable_or_fail(quality)
    outcome_or_fail(frame, inst, outcome, data)
    chosen = None if not drivers else [d.strip() for value in drivers for d in value.split(",") if d.strip()]
    with option_errors(file=data):      # fail before the long run: waves without dates, a file without agent ids
        if wave is not None or period is not None:
            from analysis.trends.analyse import wave_labels

            wave_labels(frame, wave, period)
        if by_agent:
            from analysis.agents.analyse import check_agents

            check_agents(frame)
    with option_errors(file=data), err_console.status("reading...") as status:
        def progress(stage: str) -> None:
            status.update(STAGES.get(stage, f"writing {stage}..."))

        result = build_reports(frame, inst, quality, by=by, lang=lang, out_dir=out, title=title,
                               min_group_n=min_group_n, bootstrap=bootstrap, seed=seed, drivers=chosen,
                               outcome=outcome, importance=importance, crosshair=crosshair, pooling=pooling, pdf=pdf,
                               progress=progress, estimator=estimator, partial=partial, scheduler=scheduler,
                               wave=wave, period=period)
    agent_pages = _agent_pages(frame, inst, by, result, out, pdf, data) if by_agent else None
    s = result.analysis.settings
    console.print(f"[bold]Reports written to {escape(str(result.out_dir))}/[/] ({lang}, outcome '{s.outcome}', "
                  f"{s.importance} importance, cross-hairs at the {s.crosshair}, {s.n_resamples} resamples, "
                  f"seed {s.seed}, pooling {s.pooling_used}):", highlight=False, soft_wrap=True)
    if s.pooling != s.pooling_used:
        from analysis.drivers.pooled import pooling_sentence

        console.print(f"[yellow]{escape(pooling_sentence(result.analysis))}[/]", highlight=False, soft_wrap=True)
    console.print(f"  whole study:  {escape(_pair(result.study_html, result.study_pdf))}", highlight=False, soft_wrap=True)
    for group, (html, pdf_path) in result.groups.items():
        console.print(f"  {escape(str(group))}:  {escape(_pair(html, pdf_path))}", highlight=False, soft_wrap=True)
    console.print(f"  every table:  {escape(str(result.workbook))}", highlight=False, soft_wrap=True)
    if result.withheld:
        console.print(f"[yellow]No report for {escape(', '.join(result.withheld))}: fewer than {min_group_n} "
                      "usable respondents; their respondents are left out of every figure (named in the study "
                      "report).[/]", highlight=False, soft_wrap=True)
    for path in result.removed:
        console.print(f"  removed {escape(str(path))} (an earlier run's report this run does not make)",
                      highlight=False, soft_wrap=True)
    if agent_pages is not None:
        console.print(f"  agent pages:  {escape(agent_pages)}", highlight=False, soft_wrap=True)
    pdfs = ", or the PDFs to print" if result.study_pdf is not None else ""
    console.print(f"Open {escape(str(result.study_html))} in a browser{pdfs}.", highlight=False, soft_wrap=True)


def _pair(html: Path, pdf: Path | None) -> str:
    return f"{html}" + (f", {pdf}" if pdf is not None else "")


def _agent_pages(frame, inst, by, result, out: Path, pdf: bool, data: Path) -> str:
    """``--by-agent``: the pages of ``drivers agents`` in OUT/agents/, for the groups that got a report; a line saying so."""
    from analysis.agents.analyse import analyse_agents
    from analysis.report.agent_pages import write_agent_pages

    # the respondents of a group without a report are left out here too
    kept = frame[~frame[by].astype("string").isin([str(g) for g in result.withheld]).fillna(False).to_numpy()]
    with option_errors(file=data):
        agents = analyse_agents(kept, inst, by=by, level=result.analysis.settings.level)
    folder = out / "agents"
    files = write_agent_pages(agents, inst, folder, pdf=pdf)
    withheld = int(agents.withheld.n_agents.sum()) if len(agents.withheld) else 0
    # the terminal counts agents, it names none
    return (f"{folder}/ ({len(agents.agents)} agents, {len(files)} files in nl and en; {withheld} agent(s) with "
            "too few respondents withheld)")
