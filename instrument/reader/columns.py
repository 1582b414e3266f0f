"""Match the columns of a response file to the variables of the instrument.

A file column matches a variable by its id exactly (``emp2``), else case-insensitively
(``EMP2``, ``Organisation``), else by its platform code (``contactreason``,
``RespondentID``). The id and group columns can be named explicitly (``id_column``,
``group_column``) because a researcher's file rarely uses our names.

Examples
--------
>>> from instrument import load_instrument
>>> inst = load_instrument()
>>> m = match_columns(["RespNr", "Organisation", "EMP2", "ContactReason", "notes"], inst,
...                   file="r.csv", id_column="RespNr")
>>> m.column_of["respondent_id"], m.column_of["emp2"], m.column_of["contact_reason"], m.unknown
('RespNr', 'EMP2', 'ContactReason', ['notes'])
"""
from __future__ import annotations

from dataclasses import dataclass, field

from instrument.definition import Instrument
from instrument.errors import DataError


@dataclass
class ColumnMatch:
    """Which file column holds which variable.

    ``column_of`` maps variable id -> file column; ``unknown`` lists file columns that
    match no variable (ignored); ``missing`` lists variable ids with no column (created
    empty); ``warnings`` say what was decided.
    """

    column_of: dict[str, str]
    unknown: list[str]
    missing: list[str]
    warnings: list[str] = field(default_factory=list)


def id_variable(inst: Instrument) -> str:
    """The id of the context field of type 'id' (``respondent_id``)."""
    return next(f.id for f in inst.context if f.type == "id")


def group_variable(inst: Instrument) -> str:
    """The id of the context field of type 'group' (``organisation``)."""
    return next(f.id for f in inst.context if f.type == "group")


def match_columns(
    columns: list[str],
    inst: Instrument,
    *,
    file: str,
    id_column: str | None = None,
    group_column: str | None = None,
) -> ColumnMatch:
    """Match file columns to instrument variables.

    Parameters
    ----------
    columns : list of str
        The file's column names, in file order.
    inst : Instrument
    file : str
        The file, for messages.
    id_column, group_column : str, optional
        The file's names of the respondent-id and organisation columns, when they are
        not ``respondent_id`` / ``organisation`` (matched exactly, else ignoring case).

    Returns
    -------
    ColumnMatch

    Raises
    ------
    DataError
        A named column does not exist; two columns match one variable; the id or the
        organisation column is missing.
    """
    variables = inst.variables
    id_var, group_var = id_variable(inst), group_variable(inst)
    column_of: dict[str, str] = {}
    warnings: list[str] = []
    taken: set[str] = set()
    for option, given, var_id in (("id_column", id_column, id_var), ("group_column", group_column, group_var)):
        if given is None:
            continue
        col = _find(columns, given)
        if col is None:
            raise DataError(
                f"has no column '{given}' (given as {option}); its columns are {_preview(columns)}",
                file=file,
            )
        column_of[var_id] = col
        taken.add(col)

    # Three passes, each only over columns and variables not matched yet.
    rules = (
        lambda v: v.id,
        lambda v: v.id.casefold(),
        lambda v: v.code.casefold(),
    )
    normalise = (lambda c: c, lambda c: c.casefold(), lambda c: c.casefold())
    for key_of, norm in zip(rules, normalise):
        wanted = {key_of(v): v.id for v in variables}
        claims: dict[str, list[str]] = {}
        for col in columns:
            if col in taken:
                continue
            var_id = wanted.get(norm(col.strip()))
            if var_id is not None:
                claims.setdefault(var_id, []).append(col)
        for var_id, cols in claims.items():
            if var_id in column_of:
                how = "id_column" if var_id == id_var else "group_column"
                warnings.append(
                    f"column{'s' if len(cols) > 1 else ''} {', '.join(repr(c) for c in cols)} ignored: "
                    f"'{var_id}' is read from '{column_of[var_id]}' (given as {how})"
                )
                taken.update(cols)
                continue
            if len(cols) > 1:
                raise DataError(
                    f"columns {', '.join(repr(c) for c in cols)} all match variable '{var_id}'; "
                    "rename or remove all but one",
                    file=file,
                )
            column_of[var_id] = cols[0]
            taken.add(cols[0])

    for var_id, option, role in ((id_var, "id_column", "a unique id per response"),
                                 (group_var, "group_column", "the organisation (or team) of each response")):
        if var_id not in column_of:
            used_as = next((other for other, col in column_of.items() if col.strip().casefold() == var_id.casefold()),
                           None)
            if used_as is not None:
                given = "id_column" if used_as == id_var else "group_column"
                raise DataError(
                    f"is given as {given} (read as '{used_as}'), so the file has no column left for '{var_id}'; "
                    f"the respondent id and the organisation must be two different columns",
                    file=file, column=column_of[used_as],
                )
            raise DataError(
                f"no such column; the file's columns are {_preview(columns)}. Add a column '{var_id}' with {role}, "
                f"or name your column with {option}='...' (drivers check --{option.replace('_', '-')} NAME)",
                file=file, column=var_id,
            )
    matched = set(column_of.values())
    unknown = [c for c in columns if c not in matched]
    missing = [v.id for v in variables if v.id not in column_of]
    return ColumnMatch(
        column_of={v.id: column_of[v.id] for v in variables if v.id in column_of},
        unknown=unknown,
        missing=missing,
        warnings=warnings,
    )


def _find(columns: list[str], name: str) -> str | None:
    if name in columns:
        return name
    folded = [c for c in columns if c.strip().casefold() == name.strip().casefold()]
    return folded[0] if len(folded) == 1 else None


def _preview(columns: list[str], limit: int = 8) -> str:
    shown = ", ".join(repr(c) for c in columns[:limit])
    more = f" and {len(columns) - limit} more" if len(columns) > limit else ""
    return (shown + more) if columns else "(none)"
