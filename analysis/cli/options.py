"""The one mapping from the library's option errors to usage errors (exit 2) with the flag's name.

Options are declared and checked in :mod:`analysis.common.options`; a command checks
its flags with :func:`check_flags` before it reads a file (fail before the work) and runs
the library inside :func:`option_errors`, so an option refused later (a ``--by`` column
the file does not have, a driver the questionnaire does not know) is a usage error too.
The message is the library's, word for word; the CLI only adds the flag (and the file,
which the library does not know).
"""
from __future__ import annotations

import contextlib

import typer

from analysis.common.errors import ColumnOptionError, DataError, OptionError
from analysis.common.options import check_options

# Parameters whose flag is not "--" + the name with '-' for '_'.
FLAGS = {"n_orgs": "--orgs", "n_resamples": "--bootstrap", "n_waves": "--waves"}


def flag(option: str) -> str:
    """The command-line flag of the Python API's parameter ``option``."""
    return FLAGS.get(option, "--" + option.replace("_", "-"))


@contextlib.contextmanager
def option_errors(file=None):
    """Turn an :class:`OptionError` raised inside into click's usage error (exit 2) naming the flag.

    With ``file`` (the response file the command read), the library's errors also name
    it, which the library cannot: the message of an option naming a column the data lack
    (:class:`ColumnOptionError`), and of a :class:`DataError` that names no file, is
    prefixed with it, as the reader's errors are.
    """
    try:
        yield
    except ColumnOptionError as exc:
        where = f"{file}: " if file is not None else ""
        raise typer.BadParameter(f"{where}{exc}", param_hint=flag(exc.option)) from None
    except OptionError as exc:
        raise typer.BadParameter(str(exc), param_hint=flag(exc.option)) from None
    except DataError as exc:
        if file is None or exc.file:
            raise
        raise DataError(getattr(exc, "message", str(exc)), file=str(file), column=exc.column, rows=exc.rows) from None


def check_flags(**values) -> dict:
    """Check flag values against the declared options (by their Python names); usage error if one is refused."""
    with option_errors():
        return check_options(**values)
