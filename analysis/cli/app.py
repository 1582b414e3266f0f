"""The Typer application every command module registers on, and the help layout of its commands."""
from __future__ import annotations

import typer
from rich.console import Console
from typer.core import TyperCommand, TyperGroup

from analysis.common.versions import package_version

HELP = ("The seven drivers of contact-centre service quality: questionnaire, validation, driver impact and "
        "priority reports.")


def _plain_metavars(params) -> None:
    """Help without type placeholders where they say nothing: a flag takes no value; an argument is named."""
    for param in params:
        # (typer vendors its click privately: the parameter kinds are told by their declared names)
        if param.param_type_name == "option" and getattr(param, "is_flag", False) and param.metavar is None:
            param.metavar = ""                  # not '--help <bool>', '--pdf/--no-pdf <bool>'
        elif param.param_type_name == "argument" and param.metavar is None:
            param.metavar = param.name.upper()   # 'FILE', not '{data}'


def _usage_pieces(pieces: list[str]) -> list[str]:
    # Typer writes a required argument as '{NAME}'; the usage line says 'NAME', as click does.
    return [p[1:-1] if p.startswith("{") and p.endswith("}") else p for p in pieces]


class Command(TyperCommand):
    """A ``drivers`` command: its help shows flags bare and arguments by name (see :func:`_plain_metavars`)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _plain_metavars(self.params)

    def get_help_option(self, ctx):
        option = super().get_help_option(ctx)
        _plain_metavars([option] if option is not None else [])
        return option

    def collect_usage_pieces(self, ctx) -> list[str]:
        return _usage_pieces(super().collect_usage_pieces(ctx))


class Group(TyperGroup):
    """The ``drivers`` group, with the same help layout as its commands."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _plain_metavars(self.params)

    def get_help_option(self, ctx):
        option = super().get_help_option(ctx)
        _plain_metavars([option] if option is not None else [])
        return option


app = typer.Typer(
    name="drivers",
    cls=Group,
    help=HELP,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Results go to stdout, diagnostics to stderr, so `drivers ... > file` stays clean.
console = Console()
err_console = Console(stderr=True)


def command(*args, **kwargs):
    """``@command()`` registers a ``drivers`` command (``app.command`` with this module's help layout)."""
    return app.command(*args, cls=Command, **kwargs)


def _print_version(value: bool) -> None:
    if value:
        from instrument import load_instrument

        inst = load_instrument()
        console.print(f"drivers {package_version()} (service-drivers); questionnaire {inst.definition.id} "
                      f"{inst.content_version} (format {inst.format_version})", highlight=False)
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", is_eager=True, callback=_print_version,
                                 help="Show the version of the toolkit and of its questionnaire, and exit."),
) -> None:
    """The seven drivers of contact-centre service quality: questionnaire, validation, driver impact and priority reports."""
