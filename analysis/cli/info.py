"""``drivers info``: what questionnaire and software versions are installed."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape
from rich.table import Table

from analysis.cli.app import command, console
from analysis.cli.loading import load_questionnaire


@command()
def info(
    instrument_file: Optional[Path] = typer.Option(None, "--instrument", help="A questionnaire YAML file (default: the shipped one)."),
    lang: str = typer.Option("en", "--lang", help="Language of the labels: nl or en (any case)."),
) -> None:
    """Show the questionnaire: constructs, items, versions."""
    inst = load_questionnaire(instrument_file)
    lang = lang.strip().lower()
    if lang not in inst.languages:
        raise typer.BadParameter(f"'{lang}' is not one of {', '.join(inst.languages)}", param_hint="--lang")
    from importlib.metadata import version

    console.print(
        f"[bold]{escape(inst.title[lang])}[/]  questionnaire {escape(inst.definition.id)} content "
        f"{escape(inst.content_version)}, format {inst.format_version}; service-drivers {version('service-drivers')}",
        highlight=False,
    )
    console.print(f"file {escape(str(inst.source_file))}, SHA-256 {inst.short_hash}", highlight=False, soft_wrap=True)
    table = Table("construct", "role", "items", "channels")
    for c in inst.constructs:
        channels = sorted({ch for i in c.items for ch in (i.channels or ["all"])})
        table.add_row(escape(c.label[lang]), c.role, ", ".join(c.item_ids), ", ".join(channels))
    console.print(table)
