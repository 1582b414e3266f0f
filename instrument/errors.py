"""Errors a user can cause.

Every error a user can cause is one of these. Their message is one line that names
the file, column or row and says what to do; the CLI prints it without a traceback
and exits non-zero.
"""
from __future__ import annotations

from collections.abc import Sequence


class ServiceDriversError(ValueError):
    """Base class for errors caused by input (files, arguments, data)."""


class InstrumentError(ServiceDriversError):
    """The questionnaire definition file is invalid."""


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
