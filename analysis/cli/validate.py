"""``drivers validate``: psychometric validation of the questionnaire on a response file.

Every number printed comes from :class:`analysis.validation.result.ValidationResult`;
this module only formats. ``--json FILE`` writes ``ValidationResult.to_dict()``.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING
import typer
from rich import box
from rich.markup import escape
from rich.table import Table

from analysis.cli.app import command, console, err_console
from analysis.cli.options import check_flags, option_errors
from analysis.cli.reading import (
    AbsentItemsOpt, DataArg, DelimiterOpt, DuplicatesOpt, EncodingOpt, EstimatorOpt, GroupColumnOpt, IdColumnOpt,
    InstrumentOpt, InvalidOpt, JsonOpt, SheetOpt, SourceOpt, read_for_command, usable_or_fail,
)
from analysis.common.groups import ALL
from analysis.common.outputs import check_writable, write_json

if TYPE_CHECKING:       # the statistics are imported where used: `drivers --help` must not import pandas
    from analysis.validation.result import ValidationResult

OK, FAIL = "[green]✓[/]", "[red]✗[/]"


def _num(x, digits: int = 3) -> str:
    return "" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}f}"


def _mark(ok) -> str:
    return "" if ok is None or _missing(ok) else (OK if ok else FAIL)


def _missing(value) -> bool:
    import pandas as pd      # imported on use (pandas is loaded by then: the result holds DataFrames)

    return bool(pd.isna(value))


@command()
def validate(
    data: DataArg,
    by: str = typer.Option(None, "--by", help="Column whose values are the groups (e.g. organisation): per-group figures and invariance."),
    missing: str = typer.Option("ml", "--missing", help="ml: full-information ML on every answer (default); listwise: complete cases only."),
    include_flagged: bool = typer.Option(False, "--include-flagged", help="Keep straight-liners, speeders and respondents with too many missing answers."),
    invariance: bool = typer.Option(True, "--invariance/--no-invariance", help="Test measurement invariance across the groups of --by."),
    estimator: str = EstimatorOpt,
    partial: bool = typer.Option(False, "--partial", help="When the metric or scalar step fails, release its constraints one at a time (largest score test first) until it holds: partial invariance."),
    max_free: int = typer.Option(5, "--max-free", help="With --partial: at most this many constraints released per level."),
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
    """Validate the questionnaire: reliability, CFA fit, discriminant validity and invariance across groups."""
    check_flags(missing=missing, estimator=estimator, max_free=max_free)
    if json_file is not None:
        check_writable(json_file, inputs=(data,))  # fail before minutes of fitting, not after
    inst, frame, report = read_for_command(
        data, source=source, sheet=sheet, delimiter=delimiter, encoding=encoding, invalid=invalid,
        duplicates=duplicates, absent_items=absent_items,
        id_column=id_column, group_column=group_column, instrument_file=instrument_file, by=by,
    )
    usable_or_fail(report)
    with option_errors(file=data), err_console.status("fitting the measurement models (FIML)..."):
        from analysis.validation.validation import validate as run_validation

        result = run_validation(frame, inst, by=by, missing=missing, exclude_flagged=not include_flagged,
                                invariance=invariance, estimator=estimator, partial=partial,
                                max_free=max_free)
    print_validation(result)
    if json_file is not None:
        write_json(result.to_dict(), json_file, "validation results")
        console.print(f"JSON written to {escape(str(json_file))}", highlight=False)


def print_validation(result: ValidationResult) -> None:
    """Print a :class:`ValidationResult` as rich tables."""
    from analysis.validation.result import ESTIMATOR_NAMES

    method = ("complete cases (listwise)" if result.missing != "ml" else
              "pairwise (polychoric correlations)" if result.estimator == "wlsmv" else "full-information ML (FIML)")
    console.print(
        f"[bold]Questionnaire validation[/]: {result.n_used} of {result.n_input} respondents used "
        f"({len(result.excluded)} excluded), missing answers: {method}, estimator: "
        f"{ESTIMATOR_NAMES[result.estimator]}", highlight=False)
    _print_fit(result)
    _print_reliability(result)
    _print_discriminant(result)
    _print_loadings(result)
    _print_missing(result)
    _print_invariance(result)
    _print_problems_and_exclusions(result)


class _Titled(Table):
    """A table printed under its title as a line of its own, wrapped at the terminal's width.

    (rich wraps and cuts a title at the table's width, and these tables are narrower than
    their titles.)
    """

    def __init__(self, heading: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.heading = heading


def _print_table(t: "_Titled") -> None:
    console.print(f"[bold]{escape(t.heading)}[/]", highlight=False, soft_wrap=False)
    console.print(t)


def _table(title: str, *columns: str, left: tuple = ("group", "construct", "item", "level", "")) -> "_Titled":
    """A table that fits 80 columns: numbers never wrap, names fold rather than being cut."""
    t = _Titled(title, box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
    for col in columns:
        if col in left:
            t.add_column(col, justify="left", overflow="fold")
        else:
            t.add_column(col, justify="right", no_wrap=True)
    return t


def _share(x, digits: int = 2) -> str:
    """A value between -1 and 1 without its leading zero ('.81'), as APA style prints them."""
    text = _num(x, digits)
    if text and float(text) == 0:
        text = text.lstrip("-")                     # '-0.000' after rounding is 0
    if text.startswith("0."):
        return text[1:]
    return "-" + text[2:] if text.startswith("-0.") else text


def _print_fit(result: ValidationResult) -> None:
    if result.estimator in ("mlr", "wlsmv"):
        _print_robust_fit(result)
        return
    t = _table("CFA fit of the measurement model (CFI/TLI >= .95, RMSEA <= .06, SRMR <= .08; Hu & Bentler 1999)",
               "group", "n", "chi2", "df", "p", "CFI", "TLI", "RMSEA", "90% CI", "SRMR")
    for r in result.fit.to_dict("records"):
        estimated = not math.isnan(r["rmsea"])
        t.add_row(escape(r["group"]), str(r["n"]), _num(r["chi2"], 1), _num(r["df"], 0), _share(r["pvalue"], 3),
                  f"{_share(r['cfi'], 3)}{_mark(r['cfi_ok'])}", f"{_share(r['tli'], 3)}{_mark(r['tli_ok'])}",
                  f"{_share(r['rmsea'], 3)}{_mark(r['rmsea_ok'])}" if estimated else "not estimated",
                  f"{_share(r['rmsea_ci_low'], 3)}-{_share(r['rmsea_ci_high'], 3)}" if estimated else "",
                  f"{_share(r['srmr'], 3)}{_mark(r['srmr_ok'])}")
    _print_table(t)


def _print_robust_fit(result: ValidationResult) -> None:
    if result.estimator == "wlsmv":
        title = ("CFA fit, WLSMV (scaled CFI/TLI >= .95, RMSEA <= .06, SRMR <= .08; Hu & Bentler 1999; "
                 "chi2: mean- and variance-adjusted, c: its scaling factor)")
    else:
        title = ("CFA fit, robust ML (robust CFI/TLI >= .95, RMSEA <= .06, SRMR <= .08; Hu & Bentler 1999; "
                 "chi2: Yuan-Bentler scaled, c: its scaling factor)")
    kind = "_scaled" if result.estimator == "wlsmv" else "_robust"
    # the interval of the RMSEA shown: robust with MLR (Brosseau-Liard, Savalei & Li 2012), scaled with
    # WLSMV -- lavaan's rmsea.ci.lower/upper.robust and .scaled, as in the JSON and HTML reports
    t = _table(title, "group", "n", "chi2", "c", "df", "p", "CFI", "TLI", "RMSEA", "90% CI", "SRMR")
    for r in result.fit.to_dict("records"):
        estimated = not math.isnan(r["rmsea"])
        low, high = r.get("rmsea_ci_low" + kind, math.nan), r.get("rmsea_ci_high" + kind, math.nan)
        t.add_row(escape(r["group"]), str(r["n"]), _num(r["chi2_scaled"], 1), _num(r["scaling_factor"], 3),
                  _num(r["df"], 0), _share(r["pvalue_scaled"], 3),
                  f"{_share(r['cfi' + kind], 3)}{_mark(r['cfi_ok'])}",
                  f"{_share(r['tli' + kind], 3)}{_mark(r['tli_ok'])}",
                  f"{_share(r['rmsea' + kind], 3)}{_mark(r['rmsea_ok'])}" if estimated else "not estimated",
                  f"{_share(low, 3)}-{_share(high, 3)}" if estimated and not math.isnan(low) else "",
                  f"{_share(r['srmr'], 3)}{_mark(r['srmr_ok'])}")
    _print_table(t)


def _print_reliability(result: ValidationResult) -> None:
    whole = result.groups[ALL].reliability
    ordinal = "omega_cat" in whole          # WLSMV: categorical omega (Green & Yang 2009) beside alpha
    t = _table("Reliability, whole sample (alpha/omega/CR >= .70: Nunnally 1978, Hair et al.; AVE >= .50: "
               "Fornell & Larcker 1981" + ("; omega-cat: of the summed answers, Green & Yang 2009" if ordinal else "")
               + ")", "construct", "items", "alpha", "95% CI", *(("omega-cat",) if ordinal else ()), "omega", "CR",
               "AVE")
    for r in whole.to_dict("records"):
        t.add_row(r["construct"], str(r["n_items"]), f"{_share(r['alpha'], 3)}{_mark(r['alpha_ok'])}",
                  f"{_share(r['alpha_ci_low'], 3)}-{_share(r['alpha_ci_high'], 3)}",
                  *((_share(r["omega_cat"], 3),) if ordinal else ()),
                  f"{_share(r['omega'], 3)}{_mark(r['omega_ok'])}", f"{_share(r['cr'], 3)}{_mark(r['cr_ok'])}",
                  f"{_share(r['ave'], 3)}{_mark(r['ave_ok'])}")
    _print_table(t)
    if len(result.groups) > 1:
        table = result.reliability
        names = [g for g in result.groups if g != ALL]
        t = _table("Per group: alpha / CR / AVE", "construct", *(escape(n) for n in names))
        for construct in whole["construct"]:
            cells = []
            for name in names:
                row = table[(table["group"] == name) & (table["construct"] == construct)]
                if len(row):
                    r = row.iloc[0]
                    cells.append(f"{_share(r['alpha'])}/{_share(r['cr'])}/{_share(r['ave'])}")
                else:
                    cells.append("")
            t.add_row(construct, *cells)
        _print_table(t)


def _print_discriminant(result: ValidationResult) -> None:
    whole = result.groups[ALL]
    if whole.htmt is not None:
        m = whole.htmt.matrix
        # Columns numbered like the rows, so the matrix fits 80 columns whatever the construct names.
        t = _table("HTMT, whole sample (< .85 strict, < .90 liberal; Henseler, Ringle & Sarstedt 2015)",
                   "construct", *(str(k) for k in range(1, len(m.columns))))
        for i, a in enumerate(m.index):
            cells = []
            for b in m.columns[:-1][:i]:
                v = m.loc[a, b]
                cells.append(f"[red]{_share(v)}[/]" if v >= 0.85 else _share(v))
            t.add_row(f"{i + 1} {escape(a)}", *cells, *[""] * (len(m.columns) - 1 - i))
        _print_table(t)
    if whole.fornell_larcker is not None:
        v = whole.fornell_larcker.verdicts
        failed = v[~v["passes"].astype(bool)]
        text = ("Fornell-Larcker: sqrt(AVE) exceeds every latent correlation for all constructs"
                if failed.empty else
                "Fornell-Larcker fails for: " + ", ".join(
                    f"{r.construct} (sqrt AVE {r.sqrt_ave:.2f} <= |r| {r.max_abs_correlation:.2f} with {r.most_correlated_with})"
                    for r in failed.itertuples()))
        console.print(text, highlight=False)


def _print_loadings(result: ValidationResult) -> None:
    table = result.loadings
    if table.empty:
        return
    names = list(result.groups)
    t = _table("Standardized loadings (SE), by construct", "item", *(escape(n) for n in names))
    wide = table.pivot_table(index=["construct", "item"], columns="group", values=["std", "std_se"], sort=False)
    previous = None
    for (construct, item), row in wide.iterrows():
        if construct != previous:
            if previous is not None:
                t.add_section()
            t.add_row(f"[bold]{escape(construct)}[/]", *[""] * len(names))
            previous = construct
        cells = []
        for name in names:
            std = row.get(("std", name), math.nan)
            se = row.get(("std_se", name), math.nan)
            cell = f"{_share(std)} ({_share(se)})" if not math.isnan(std) else ""
            cells.append(f"[red]{cell}[/]" if not math.isnan(std) and std < 0.5 else cell)
        t.add_row(f"  {escape(item)}", *cells)
    _print_table(t)


def _print_missing(result: ValidationResult) -> None:
    t = _table("Missing answers (% of item answers; complete: respondents with every item) and fraction of missing information (FMI) of the estimates",
               "group", "missing", "by design", "other", "complete", "FMI mean", "FMI max")
    for name, g in result.groups.items():
        m = g.missing
        t.add_row(escape(name), _num(m["cells_missing_pct"], 1), _num(m["by_design_pct"], 1),
                  _num(m["other_missing_pct"], 1), str(m["complete_cases"]), _num(m["fmi_mean"], 2),
                  _num(m["fmi_max"], 2))
    _print_table(t)


def _print_invariance(result: ValidationResult) -> None:
    if result.invariance is None:
        if result.invariance_note:
            console.print(escape(result.invariance_note), highlight=False)
        return
    rows = result.invariance.table.to_dict("records")
    # Two tables, so that each fits 80 columns: the models, then each step against the one before.
    robust = result.estimator in ("mlr", "wlsmv")
    kind = "_scaled" if result.estimator == "wlsmv" else "_robust"
    t = _table("Measurement invariance across groups: the models"
               + (" (robust ML: scaled chi2, robust CFI and RMSEA)" if result.estimator == "mlr" else "")
               + (" (WLSMV: adjusted chi2, scaled CFI and RMSEA; metric = equal thresholds and loadings, "
                  "Wu & Estabrook 2016)" if result.estimator == "wlsmv" else ""),
               "level", "chi2", "df", "CFI", "RMSEA", "SRMR")
    for r in rows:
        chi2, cfi, rmsea = ((r["chi2_scaled"], r["cfi" + kind], r["rmsea" + kind]) if robust
                            else (r["chi2"], r["cfi"], r["rmsea"]))
        t.add_row(r["level"], _num(chi2, 1), str(r["df"]), _share(cfi, 3), _share(rmsea, 3),
                  _share(r["srmr"], 3))
    _print_table(t)
    t = _table("Each level against the one before (holds: CFI drops <= .01, Cheung & Rensvold 2002; Chen 2007: "
               "RMSEA rises <= .015, SRMR <= .030 metric / .010 scalar)"
               + ("; Δchi2: Satorra-Bentler (2001) scaled difference" if result.estimator == "mlr" else "")
               + ("; Δchi2: DIFFTEST, mean- and variance-adjusted" if result.estimator == "wlsmv" else ""),
               "level", "Δchi2", "Δdf", "p", "ΔCFI", "ΔRMSEA", "ΔSRMR", "holds")
    for r in rows[1:]:
        holds = "" if _missing(r["holds"]) else ("[green]yes[/]" if r["holds"] else "[red]no[/]")
        t.add_row(r["level"], _num(r["delta_chi2"], 1), _num(r["delta_df"], 0), _share(r["delta_pvalue"], 3),
                  _share(r["delta_cfi"], 3), _share(r["delta_rmsea"], 3), _share(r["delta_srmr"], 3), holds)
    _print_table(t)
    _print_partial(result)


def _print_partial(result: ValidationResult) -> None:
    misfit = result.misfit
    if len(misfit):
        t = _table("Constraints most responsible for misfit (score test; EPC: expected change of the "
                   "group's parameter, std: standardized)", "item", "parameter", "group", "chi2", "EPC", "std")
        for r in misfit.itertuples():
            t.add_row(escape(r.item), r.parameter, escape(str(r.group)), _num(r.score_chi2, 1), _num(r.epc, 2),
                      _num(r.sepc_all, 2))
        _print_table(t)
    steps = result.partial_invariance
    if len(steps):
        t = _table("Partial invariance: constraints released one at a time, largest score test first "
                   "(Byrne, Shavelson & Muthén 1989)", "level", "item", "parameter", "group", "chi2", "ΔCFI",
                   "holds")
        for r in steps.itertuples():
            holds = "" if _missing(r.holds) else ("[green]yes[/]" if r.holds else "[red]no[/]")
            t.add_row(r.level, escape(r.item), r.parameter, escape(str(r.group)), _num(r.score_chi2, 1),
                      _share(r.delta_cfi, 3), holds)
        _print_table(t)
        for level, why in result.invariance.stops.items():
            console.print(f"{level}: search stopped ({why})", highlight=False)
    comp = result.comparability
    if len(comp) and (result.partial or len(steps)):
        t = _table("Comparable across groups (relations: >= 2 invariant loadings; latent means: >= 2 items "
                   "with invariant loading and intercept)", "construct", "loadings", "intercepts", "relations",
                   "means")
        for r in comp.itertuples():
            t.add_row(escape(r.construct), str(r.invariant_loadings), str(r.invariant_intercepts),
                      _mark(r.relations_comparable), _mark(r.means_comparable))
        _print_table(t)


def _print_problems_and_exclusions(result: ValidationResult) -> None:
    problems = result.problems
    for r in problems.itertuples():
        colour = "red" if r.severity == "error" else "yellow"
        console.print(f"[{colour}]{r.severity}[/] {escape(f'[{r.group}]')} {escape(r.message)}", highlight=False)
    if len(result.excluded):
        n = len(result.excluded)
        console.print(f"Excluded: {n} respondent{'' if n == 1 else 's'}, by reason (one can have several):",
                      highlight=False)
        from analysis.scoring.sample import reason_counts

        counts = reason_counts(result.excluded)
        width = len(str(counts.max()))
        for reason, count in counts.items():
            console.print(f"  {count:>{width}}  {escape(reason)}", highlight=False)
