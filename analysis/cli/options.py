"""The one mapping from the library's option errors to usage errors (exit 2) with the flag's name.

Options are declared and checked in :mod:`analysis.common.options`; a command checks
its flags with :func:`check_flags` before it reads a file (fail before the work) and runs
the library inside :func:`option_errors`, so an option refused later (a ``--by`` column
the file does not have, a driver the questionnaire does not know) is a usage error too.
The message is the library's, word for word; the CLI only adds the flag.
"""
from __future__ import annotations

import contextlib

import typer

from analysis.common.errors import OptionError
from analysis.common.options import check_options

# Parameters whose flag is not "--" + the name with '-' for '_'.
FLAGS = {"n_orgs": "--orgs", "n_resamples": "--bootstrap", "n_waves": "--waves"}


def flag(option: str) -> str:
    """The command-line flag of the Python API's parameter ``option``."""
    return FLAGS.get(option, "--" + option.replace("_", "-"))


@contextlib.contextmanager
def option_errors():
    """Turn an :class:`OptionError` raised inside into click's usage error (exit 2) naming the flag."""
    try:
        yield
    except OptionError as exc:
        raise typer.BadParameter(str(exc), param_hint=flag(exc.option)) from None


def check_flags(**values) -> dict:
    """Check flag values against the declared options (by their Python names); usage error if one is refused."""
    with option_errors():
        return check_options(**values)
