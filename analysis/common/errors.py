"""Errors a user can cause: the project's one error hierarchy.

Every error a user can cause is one of these. Their message is one line that names
the file, column or row (or the option) and says what to do; the CLI prints it
without a traceback and exits non-zero (2 for an :class:`OptionError`, a usage error,
with the flag's name; 1 for the others). Library messages never name a CLI flag.

The hierarchy lives in the statistics package so that the SEM engine and the other
statistics need nothing from the questionnaire package; :mod:`instrument.errors`
re-exports it.
"""
from __future__ import annotations

from collections.abc import Sequence


class ServiceDriversError(ValueError):
    """Base class for errors caused by input (files, arguments, data)."""

    def __reduce__(self):
        # Raised in a worker process or on a Dask worker, the error is pickled back to the
        # caller: rebuilt as it is (message and attributes), whatever its __init__ takes.
        return _rebuild, (type(self), self.args, self.__dict__)


def _rebuild(cls, args, state):
    error = Exception.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


class InstrumentError(ServiceDriversError):
    """The questionnaire definition file is invalid.

    Parameters
    ----------
    message : str
        The first problem, in one line (with how many more there are).
    problems : sequence of str, optional
        Every problem found, each in one line naming the file, the entry and the field;
        the command line lists them all.
    """

    def __init__(self, message: str, problems=()) -> None:
        self.problems = tuple(problems) or (message,)
        super().__init__(message)


class DataError(ServiceDriversError):
    """A response file cannot be read or analysed.

    Parameters
    ----------
    message : str
        What is wrong and what to do, in one line.
    file, column : str, optional
        Where it is wrong; prefixed to the message.
    rows : sequence of int, optional
        1-based data row numbers (as a spreadsheet user counts them, header excluded);
        at most five are named in the message.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        column: str | None = None,
        rows: Sequence[int] | None = None,
    ) -> None:
        self.message = message          # without the place: the CLI names the file where a library call cannot
        self.file = file
        self.column = column
        self.rows = list(rows) if rows is not None else []
        where = []
        if file:
            where.append(str(file))
        if column:
            where.append(f"column '{column}'")
        if self.rows:
            shown = ", ".join(str(r) for r in self.rows[:5])
            more = f" and {len(self.rows) - 5} more" if len(self.rows) > 5 else ""
            where.append(f"row{'s' if len(self.rows) > 1 else ''} {shown}{more}")
        prefix = ": ".join([", ".join(where)]) + ": " if where else ""
        super().__init__(prefix + message)


class ModelError(ServiceDriversError):
    """A statistical model cannot be specified or estimated from the given input."""


class OptionError(ServiceDriversError):
    """An option of a public function (a flag of the CLI) has a value that is not allowed.

    Parameters
    ----------
    option : str
        The parameter's name in the Python API (``bootstrap``, ``n_per_org``); the CLI
        maps it to its flag.
    problem : str
        What is allowed and what was given, e.g. ``"must be one of ml, listwise, got 'fiml'"``.
    """

    def __init__(self, option: str, problem: str) -> None:
        self.option = option
        self.problem = problem
        super().__init__(f"{option} {problem}")


class ColumnOptionError(OptionError):
    """An option that names a column (``by``, ``agent``, ``wave``) names none of the data's.

    The command line adds the file to the message (the library does not know it).

    Parameters
    ----------
    option : str
        The parameter's name in the Python API.
    column : str
        The column asked for.
    columns : sequence of str
        The data's columns (at most 30 are named in the message).
    """

    def __init__(self, option: str, column, columns: Sequence[str]) -> None:
        self.column = column
        self.columns = tuple(str(c) for c in columns)
        shown = ", ".join(self.columns[:30]) + (f" and {len(self.columns) - 30} more" if len(self.columns) > 30 else "")
        super().__init__(option, f"must be a column of the data (one of: {shown}), got {column!r}")
