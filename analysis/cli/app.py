"""The Typer application every command module registers on."""
from __future__ import annotations

import typer
from rich.console import Console

app = typer.Typer(
    name="drivers",
    help="The seven drivers of contact-centre service quality: questionnaire, validation, driver impact and priority reports.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Results go to stdout, diagnostics to stderr, so `drivers ... > file` stays clean.
console = Console()
err_console = Console(stderr=True)


@app.callback()
def _root() -> None:
    """The seven drivers of contact-centre service quality: questionnaire, validation, driver impact and priority reports."""
