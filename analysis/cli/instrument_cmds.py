"""``drivers export`` and ``drivers codebook``: field the questionnaire and document it.

Examples
--------
``drivers export limesurvey --lang nl,en -o ccc.lss``
``drivers export qualtrics --lang nl,en -o ccc.qsf``
``drivers export pdf --lang nl -o vragenlijst.pdf``
``drivers codebook --format csv -o codebook.csv``
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape

from analysis.cli.app import command, err_console
from analysis.common.errors import ServiceDriversError
from analysis.cli.loading import load_questionnaire


# The formats are plain strings checked here, not an Enum: typer checks an Enum's value with
# pydantic, whose message ("Value error, 'xml' is not one of 'json', ...") reads unlike
# every other usage error of the command line.
EXPORT_FORMATS = ("limesurvey", "qualtrics", "html", "pdf", "codebook")
CODEBOOK_FORMATS = ("json", "csv", "md")

_CODEBOOK_SUFFIXES = {".json": "json", ".csv": "csv", ".md": "md", ".markdown": "md"}


def _one_of(value: str, choices: tuple[str, ...], hint: str) -> str:
    """``value`` when it is one of ``choices``; else a usage error worded as the other options' ones."""
    if value not in choices:
        raise typer.BadParameter(f"'{value}' is not one of {', '.join(choices)}", param_hint=hint)
    return value


def _languages(spec: Optional[str], inst) -> list[str]:
    from instrument.naming import default_languages, parse_languages     # here: `drivers --help` stays fast

    if spec is None:
        return default_languages(inst)
    try:
        return parse_languages(spec, inst)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--lang") from None


def _emit(text: str, output: Optional[Path], what: str) -> None:
    """Write text to the output file, or to stdout when there is none."""
    if output is None:
        sys.stdout.write(text)  # exactly the export's bytes: no styling, wrapping or cropping
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ServiceDriversError(
            f"{output}: cannot write the {what} ({exc.strerror or exc}); choose a writable path with -o") from None
    err_console.print(f"wrote {what} to {escape(str(output))}", highlight=False)


def _codebook_text(inst, fmt: str) -> str:
    from instrument.export import codebook_csv, codebook_json, codebook_markdown

    if fmt == "csv":
        return codebook_csv(inst)
    if fmt == "md":
        return codebook_markdown(inst)
    return json.dumps(codebook_json(inst), ensure_ascii=False, indent=2) + "\n"


@command()
def export(
    fmt: str = typer.Argument(..., metavar="FORMAT", help="limesurvey, qualtrics, html, pdf or codebook."),
    lang: Optional[str] = typer.Option(None, "--lang", help="Languages, base language first: nl, en or nl,en (default: all)."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="File to write (required for pdf; default: stdout)."),
    instrument_file: Optional[Path] = typer.Option(None, "--instrument", help="A questionnaire YAML file (default: the shipped one)."),
) -> None:
    """Export the questionnaire for a survey platform (.lss, .qsf), for print (html, pdf), or its codebook."""
    from instrument.export import qsf_text, to_html, to_limesurvey, to_pdf, to_qualtrics

    fmt = _one_of(fmt, EXPORT_FORMATS, "FORMAT")
    inst = load_questionnaire(instrument_file)
    langs = _languages(lang, inst)
    if fmt == "limesurvey":
        _emit(to_limesurvey(inst, langs), output, "LimeSurvey survey structure")
    elif fmt == "qualtrics":
        _emit(qsf_text(to_qualtrics(inst, langs)), output, "Qualtrics survey file")
    elif fmt == "html":
        _emit(to_html(inst, langs), output, "printable questionnaire")
    elif fmt == "pdf":
        if output is None:
            raise typer.BadParameter("a PDF cannot go to the terminal; give a file with -o", param_hint="-o")
        to_pdf(inst, langs, output)
        err_console.print(f"wrote printable questionnaire to {escape(str(output))}", highlight=False)
    else:
        suffix = output.suffix.lower() if output is not None else ".json"
        if suffix not in _CODEBOOK_SUFFIXES:
            raise typer.BadParameter(f"cannot tell the codebook format from '{suffix}'; use .json, .csv or .md "
                                     "(or 'drivers codebook --format')", param_hint="-o")
        _emit(_codebook_text(inst, _CODEBOOK_SUFFIXES[suffix]), output, "codebook")


@command("codebook")
def codebook_command(
    fmt: str = typer.Option("md", "--format", metavar="<json|csv|md>", help="json (nested), csv (one row per variable) or md (tables)."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="File to write (default: stdout)."),
    instrument_file: Optional[Path] = typer.Option(None, "--instrument", help="A questionnaire YAML file (default: the shipped one)."),
) -> None:
    """Write the codebook: every variable with its codes, labels and texts per language."""
    fmt = _one_of(fmt, CODEBOOK_FORMATS, "--format")
    inst = load_questionnaire(instrument_file)
    _emit(_codebook_text(inst, fmt), output, "codebook")
