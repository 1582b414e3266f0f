"""``drivers validate``: psychometric validation of the questionnaire on a response file.

Every number printed comes from :class:`analysis.validation.result.ValidationResult`;
this module only formats. ``--json FILE`` writes ``ValidationResult.to_dict()``.
"""
from __future__ import annotations

import math

import pandas as pd
import typer
from rich import box
from rich.markup import escape
from rich.table import Table

from analysis.cli.app import app, console, err_console
from analysis.cli.options import check_flags, option_errors
from analysis.cli.reading import (
    DataArg, DelimiterOpt, EncodingOpt, GroupColumnOpt, IdColumnOpt, InstrumentOpt, InvalidOpt, JsonOpt,
    SheetOpt, SourceOpt, read_for_command, usable_or_fail,
)
from analysis.common.groups import ALL
from analysis.common.outputs import check_writable, write_json
from analysis.validation.result import ValidationResult
from analysis.validation.validation import validate as run_validation

OK, FAIL = "[green]✓[/]", "[red]✗[/]"


def _num(x, digits: int = 3) -> str:
    return "" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}f}"


def _mark(ok) -> str:
    return "" if ok is None or pd.isna(ok) else (OK if ok else FAIL)


@app.command()
def validate(
    data: DataArg,
    by: str = typer.Option(None, "--by", help="Column whose values are the groups (e.g. organisation): per-group figures and invariance."),
    missing: str = typer.Option("ml", "--missing", help="ml: full-information ML on every answer (default); listwise: complete cases only."),
    include_flagged: bool = typer.Option(False, "--include-flagged", help="Keep straight-liners, speeders and respondents with too many missing answers."),
    invariance: bool = typer.Option(True, "--invariance/--no-invariance", help="Test measurement invariance across the groups of --by."),
    json_file: JsonOpt = None,
    source: SourceOpt = "auto",
    sheet: SheetOpt = None,
    delimiter: DelimiterOpt = None,
    encoding: EncodingOpt = None,
    invalid: InvalidOpt = "error",
    id_column: IdColumnOpt = None,
    group_column: GroupColumnOpt = None,
    instrument_file: InstrumentOpt = None,
) -> None:
    """Validate the questionnaire: reliability, CFA fit, discriminant validity and invariance across groups."""
    check_flags(missing=missing)
    if json_file is not None:
        check_writable(json_file, inputs=(data,))  # fail before minutes of fitting, not after
    inst, frame, report = read_for_command(
        data, source=source, sheet=sheet, delimiter=delimiter, encoding=encoding, invalid=invalid,
        id_column=id_column, group_column=group_column, instrument_file=instrument_file, by=by,
    )
    usable_or_fail(report)
    with option_errors(), err_console.status("fitting the measurement models (FIML)..."):
        result = run_validation(frame, inst, by=by, missing=missing, exclude_flagged=not include_flagged,
                                invariance=invariance)
    print_validation(result)
    if json_file is not None:
        write_json(result.to_dict(), json_file, "validation results")
        console.print(f"JSON written to {escape(str(json_file))}", highlight=False)


def print_validation(result: ValidationResult) -> None:
    """Print a :class:`ValidationResult` as rich tables."""
    method = "full-information ML (FIML)" if result.missing == "ml" else "complete cases (listwise)"
    console.print(
        f"[bold]Questionnaire validation[/]: {result.n_used} of {result.n_input} respondents used "
        f"({len(result.excluded)} excluded), missing answers: {method}", highlight=False)
    _print_fit(result)
    _print_reliability(result)
    _print_discriminant(result)
    _print_loadings(result)
    _print_missing(result)
    _print_invariance(result)
    _print_problems_and_exclusions(result)


def _print_fit(result: ValidationResult) -> None:
    t = Table(title="CFA fit of the measurement model (CFI/TLI >= .95, RMSEA <= .06, SRMR <= .08; Hu & Bentler 1999)",
              title_justify="left", box=box.SIMPLE_HEAD)
    for col in ("group", "n", "chi2", "df", "p", "CFI", "TLI", "RMSEA [90% CI]", "SRMR"):
        t.add_column(col, justify="left" if col == "group" else "right")
    for r in result.fit.to_dict("records"):
        rmsea = f"{_num(r['rmsea'])} [{_num(r['rmsea_ci_low'])}, {_num(r['rmsea_ci_high'])}]" \
            if not math.isnan(r["rmsea"]) else "not estimated"
        t.add_row(escape(r["group"]), str(r["n"]), _num(r["chi2"], 1), _num(r["df"], 0), _num(r["pvalue"]),
                  f"{_num(r['cfi'])} {_mark(r['cfi_ok'])}", f"{_num(r['tli'])} {_mark(r['tli_ok'])}",
                  f"{rmsea} {_mark(r['rmsea_ok'])}", f"{_num(r['srmr'])} {_mark(r['srmr_ok'])}")
    console.print(t)


def _print_reliability(result: ValidationResult) -> None:
    whole = result.groups[ALL].reliability
    t = Table(title="Reliability, whole sample (alpha/omega/CR >= .70: Nunnally 1978, Hair et al.; AVE >= .50: Fornell & Larcker 1981)",
              title_justify="left", box=box.SIMPLE_HEAD)
    for col in ("construct", "items", "alpha [95% CI]", "omega", "CR", "AVE"):
        t.add_column(col, justify="left" if col == "construct" else "right")
    for r in whole.to_dict("records"):
        t.add_row(r["construct"], str(r["n_items"]),
                  f"{_num(r['alpha'])} [{_num(r['alpha_ci_low'])}, {_num(r['alpha_ci_high'])}] {_mark(r['alpha_ok'])}",
                  f"{_num(r['omega'])} {_mark(r['omega_ok'])}", f"{_num(r['cr'])} {_mark(r['cr_ok'])}",
                  f"{_num(r['ave'])} {_mark(r['ave_ok'])}")
    console.print(t)
    if len(result.groups) > 1:
        table = result.reliability
        t = Table(title="Per group: alpha / CR / AVE", title_justify="left", box=box.SIMPLE_HEAD)
        t.add_column("construct")
        names = [g for g in result.groups if g != ALL]
        for name in names:
            t.add_column(escape(name), justify="right")
        for construct in whole["construct"]:
            cells = []
            for name in names:
                row = table[(table["group"] == name) & (table["construct"] == construct)]
                if len(row):
                    r = row.iloc[0]
                    cells.append(f"{_num(r['alpha'], 2)} / {_num(r['cr'], 2)} / {_num(r['ave'], 2)}")
                else:
                    cells.append("")
            t.add_row(construct, *cells)
        console.print(t)


def _print_discriminant(result: ValidationResult) -> None:
    whole = result.groups[ALL]
    if whole.htmt is not None:
        m = whole.htmt.matrix
        t = Table(title="HTMT, whole sample (< .85 strict, < .90 liberal; Henseler, Ringle & Sarstedt 2015)",
                  title_justify="left", box=box.SIMPLE_HEAD)
        t.add_column("")
        for c in m.columns[:-1]:
            t.add_column(c[:10], justify="right")
        for i, a in enumerate(m.index[1:], start=1):
            cells = []
            for b in m.columns[:-1][:i]:
                v = m.loc[a, b]
                cells.append(f"[red]{v:.2f}[/]" if v >= 0.85 else f"{v:.2f}")
            t.add_row(a, *cells, *[""] * (len(m.columns) - 1 - i))
        console.print(t)
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
    t = Table(title="Standardized loadings (SE)", title_justify="left", box=box.SIMPLE_HEAD)
    t.add_column("construct")
    t.add_column("item")
    for name in names:
        t.add_column(escape(name), justify="right")
    wide = table.pivot_table(index=["construct", "item"], columns="group", values=["std", "std_se"], sort=False)
    for (construct, item), row in wide.iterrows():
        cells = []
        for name in names:
            std = row.get(("std", name), math.nan)
            se = row.get(("std_se", name), math.nan)
            cell = f"{_num(std, 2)} ({_num(se, 2)})" if not math.isnan(std) else ""
            cells.append(f"[red]{cell}[/]" if not math.isnan(std) and std < 0.5 else cell)
        t.add_row(construct, item, *cells)
    console.print(t)


def _print_missing(result: ValidationResult) -> None:
    t = Table(title="Missing answers (% of item answers) and fraction of missing information of the estimates",
              title_justify="left", box=box.SIMPLE_HEAD)
    for col in ("group", "missing %", "by design %", "other %", "complete cases", "FMI mean", "FMI max"):
        t.add_column(col, justify="left" if col == "group" else "right")
    for name, g in result.groups.items():
        m = g.missing
        t.add_row(escape(name), _num(m["cells_missing_pct"], 1), _num(m["by_design_pct"], 1),
                  _num(m["other_missing_pct"], 1), str(m["complete_cases"]), _num(m["fmi_mean"], 2),
                  _num(m["fmi_max"], 2))
    console.print(t)


def _print_invariance(result: ValidationResult) -> None:
    if result.invariance is None:
        if result.invariance_note:
            console.print(escape(result.invariance_note), highlight=False)
        return
    t = Table(title="Measurement invariance across groups (holds: CFI drops <= .01, Cheung & Rensvold 2002; "
                    "Chen 2007: RMSEA rises <= .015, SRMR <= .030 metric / .010 scalar)",
              title_justify="left", box=box.SIMPLE_HEAD)
    for col in ("level", "chi2", "df", "CFI", "RMSEA", "SRMR", "delta chi2 (df), p", "delta CFI", "delta RMSEA",
                "delta SRMR", "holds"):
        t.add_column(col, justify="left" if col == "level" else "right")
    for r in result.invariance.table.to_dict("records"):
        delta = "" if math.isnan(r["delta_chi2"]) else \
            f"{r['delta_chi2']:.1f} ({r['delta_df']:.0f}), {_num(r['delta_pvalue'])}"
        holds = "" if pd.isna(r["holds"]) else ("[green]yes[/]" if r["holds"] else "[red]no[/]")
        t.add_row(r["level"], _num(r["chi2"], 1), str(r["df"]), _num(r["cfi"]), _num(r["rmsea"]), _num(r["srmr"]),
                  delta, _num(r["delta_cfi"]), _num(r["delta_rmsea"]), _num(r["delta_srmr"]), holds)
    console.print(t)


def _print_problems_and_exclusions(result: ValidationResult) -> None:
    problems = result.problems
    for r in problems.itertuples():
        colour = "red" if r.severity == "error" else "yellow"
        console.print(f"[{colour}]{r.severity}[/] {escape(f'[{r.group}]')} {escape(r.message)}", highlight=False)
    if len(result.excluded):
        counts = result.excluded["reason"].value_counts()
        console.print("Excluded: " + "; ".join(f"{n} {escape(reason)}" for reason, n in counts.items()),
                      highlight=False)
