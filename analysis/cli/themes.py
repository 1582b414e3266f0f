"""``drivers themes``: what the open 'why' answers say, per group, quadrant and NPS group.

Reads the responses like ``drivers analyse``, runs the driver analysis (for the quadrants
and priorities; no structural model) and :func:`analysis.themes.analyse.analyse_themes`,
and prints its tables. Quotes follow the report's privacy rules: groups with fewer usable
respondents than ``--min-group-n`` are left out before anything is computed (named, never
sized), and every quote is masked (:func:`analysis.report.privacy.mask_personal_data`) and
printed as text (escaped), never as markup. ``--json FILE`` writes
:meth:`~analysis.themes.result.ThemeAnalysis.to_dict` (no quotes).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Optional

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
from analysis.common.groups import ALL
from analysis.common.outputs import check_writable, write_json

if TYPE_CHECKING:       # the statistics are imported where used: `drivers --help` must not import pandas
    import pandas as pd

AGENT_COLUMN = "agent_id"
# the default seed of analysis.themes.analyse.analyse_themes (not imported: `drivers --help` stays light; a test
# checks they are equal), so the command and the Python API pick the same topics and quotes by default
DEFAULT_SEED = 0


@command()
def themes(
    data: DataArg,
    by: str = typer.Option("organisation", "--by", help="Column whose values are the groups (e.g. organisation)."),
    language: str = typer.Option("auto", "--language", help="Language of the open answers: auto (per answer), nl or en."),
    min_group_n: int = typer.Option(30, "--min-group-n", help="Groups with fewer usable respondents are left out (named, not sized), as in the reports."),
    bootstrap: int = typer.Option(200, "--bootstrap", help="Bootstrap resamples of the driver analysis behind the quadrants and priorities."),
    seed: Optional[int] = typer.Option(DEFAULT_SEED, "--seed", help="Seed of the driver analysis, the topic model and the choice of quotes (the Python API's default too; recorded in the JSON)."),
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
    """Code the open answers by theme (the seven drivers, price, product, outcome, channel) with polarity."""
    check_flags(language=language, min_group_n=min_group_n, bootstrap=bootstrap, seed=seed)
    if json_file is not None:
        check_writable(json_file, inputs=(data,))
    inst, frame, report = read_for_command(
        data, source=source, sheet=sheet, delimiter=delimiter, encoding=encoding, invalid=invalid,
        duplicates=duplicates, absent_items=absent_items,
        id_column=id_column, group_column=group_column, instrument_file=instrument_file, by=by,
    )
    usable_or_fail(report)
    from analysis.drivers.analyse import analyse_drivers
    from analysis.report.privacy import names_from_agent_ids
    from analysis.report.scope import usable_group_sizes
    from analysis.themes.analyse import analyse_themes, open_question_id

    why = open_question_id(inst)
    sizes = usable_group_sizes(frame, by)
    small = sorted(g for g, n in sizes.items() if g != ALL and n < min_group_n)
    in_small = frame.iloc[:0]
    if small:
        chosen = frame[by].astype("string").isin(small).fillna(False).to_numpy()
        frame, in_small = frame[~chosen], frame[chosen]
        console.print(f"[yellow]Left out (fewer than {min_group_n} usable respondents):[/] {escape(', '.join(small))}",
                      highlight=False, soft_wrap=True)
    # as in the reports: no open answer is no error, only nothing to code (the report leaves its section out);
    # then the driver analysis behind the quadrants is not run either
    answered = why is not None and why in frame.columns and (frame[why].astype("string").str.strip() != "").any()
    with option_errors(file=data):
        analysis = (analyse_drivers(frame, inst, by=by, bootstrap=bootstrap, seed=seed, sem=False) if answered
                    else None)
        result = analyse_themes(frame, inst, by=by, analysis=analysis, language=language, seed=seed)
    result = _with_small_groups(result, in_small, by, min_group_n)
    names = names_from_agent_ids(frame[AGENT_COLUMN].dropna().unique()) if AGENT_COLUMN in frame.columns else ()
    if len(result.coded):
        print_themes(result, str(data), names)
    else:
        where = (f"in column '{why}' of {data}" if why is not None
                 else f"in {data}: the questionnaire has no open question")
        left = " left" if small else ""
        console.print(f"[yellow]No open answers{left} to code[/] {escape(where)}; "
                      f"{escape(left_out_phrase(result.excluded))}.", highlight=False, soft_wrap=True)
    if json_file is not None:
        write_json(result.to_dict(), json_file, "theme analysis")
        console.print(f"result written to {json_file}", highlight=False)


def small_group_reason(min_group_n: int) -> str:
    """The reason given for a respondent of a group left out for its size (as in the reports)."""
    return f"in a group with fewer than {min_group_n} usable respondents"


def _with_small_groups(result, in_small: pd.DataFrame, by: str, min_group_n: int):
    """``result`` with the respondents of the groups left out for their size among its ``excluded`` (and the JSON's)."""
    if not len(in_small):
        return result
    import dataclasses

    import pandas as pd

    rows = pd.DataFrame({"respondent_id": in_small["respondent_id"].astype(str).to_numpy(),
                         "group": in_small[by].astype(str).to_numpy(), "reason": small_group_reason(min_group_n)})
    return dataclasses.replace(result, excluded=pd.concat([result.excluded, rows], ignore_index=True))


def _reason_label(reason: str) -> str:
    """A reason of ``ThemeAnalysis.excluded`` in a few words (its first reason, when it has several)."""
    from analysis.scoring.sample import REASON_SEPARATOR
    from analysis.themes.analyse import NO_ANSWER

    first = reason.split(REASON_SEPARATOR)[0]
    if first.startswith("in a group with fewer than"):
        return "in groups" + first.removeprefix("in a group")
    if first.startswith("no value in the grouping column"):
        return "without a group"
    if first.startswith("flagged"):
        return "flagged"
    return "without an open answer" if first == NO_ANSWER else first


def left_out_phrase(excluded: pd.DataFrame) -> str:
    """'N respondents left out (a flagged, b without an open answer, ...)': the count and the number per reason.

    Each respondent counts once, under its first reason (no group comes before the flags).

    Examples
    --------
    >>> import pandas as pd
    >>> left_out_phrase(pd.DataFrame({"reason": ["flagged: speeding", "no open answer", "no open answer"]}))
    '3 respondents left out (2 without an open answer, 1 flagged)'
    >>> left_out_phrase(pd.DataFrame({"reason": []}))
    'no respondent left out'
    """
    if not len(excluded):
        return "no respondent left out"
    counts = excluded["reason"].astype(str).map(_reason_label).value_counts(sort=False)
    counts = counts.iloc[(-counts.to_numpy()).argsort(kind="stable")]
    parts = ", ".join(f"{n} {label}" for label, n in counts.items())
    return f"{len(excluded)} respondent{'s' if len(excluded) != 1 else ''} left out ({parts})"


def _table(frame: pd.DataFrame, title: str) -> Table:
    table = Table(*[escape(str(c)) for c in frame.columns], title=title, title_justify="left", box=box.SIMPLE_HEAD)
    for row in frame.itertuples(index=False):
        table.add_row(*[escape(f"{v:.2f}" if isinstance(v, float) else str(v)) for v in row])
    return table


def print_themes(res, source: str, names=()) -> None:
    """Print a :class:`~analysis.themes.result.ThemeAnalysis` as rich tables, quotes masked."""
    from analysis.report.privacy import mask_personal_data

    console.print(f"[bold]Themes of the open answers[/] of {escape(source)}: {len(res.coded)} answers coded "
                  f"(language {res.language}); {escape(left_out_phrase(res.excluded))}. Share = of the group's "
                  "coded answers; complaint = share of the mentions that complain.", highlight=False, soft_wrap=True)
    freq = res.frequency
    wide = freq.pivot_table(index="theme", columns="group", values="share", sort=False)
    wide = wide[[g for g in dict.fromkeys(freq.group)]].reset_index()
    wide.insert(1, "complaint (all)", freq[freq.group == ALL].set_index("theme").loc[wide.theme, "complaint_share"]
                .to_numpy())
    console.print(_table(wide, "Share of answers mentioning each theme, per group"))
    det = res.detractor_themes(ALL)
    if len(det):
        console.print(_table(det, "Detractors vs promoters (all groups): share mentioning the theme; difference in points"))
    quadrants = res.by_quadrant
    if len(quadrants):
        console.print(_table(quadrants[quadrants.group == ALL].drop(columns="group"),
                             "Driver themes per priority quadrant (all groups)"))
    for group, part in res.quotes.groupby("group", sort=False):
        console.print(f"[bold]Quotes for the priority drivers[/] ({escape(str(group))})", highlight=False)
        lang = res.coded.set_index("respondent_id")["language"]
        for q in part.itertuples():
            text = mask_personal_data(str(q.text), lang.get(q.respondent_id, "nl"), names)
            console.print(f"  {q.priority}. {escape(q.driver)} ({escape(str(q.nps_group))}): “{escape(text)}”",
                          highlight=False, soft_wrap=True)
    if len(res.other_themes):
        console.print(_table(res.other_themes.drop(columns="terms"),
                             "Other themes: topics of the answers no lexicon theme covers"))
