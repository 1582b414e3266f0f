"""Whether the data hold the outcome of a driver analysis, and which outcomes they do hold.

A file without the outcome's columns (e.g. no ``sat1``-``sat3``: the reader leaves the
construct out and records it, :func:`instrument.reader.integrity.absent_item_columns`),
or one in which no respondent answered them, has no respondent with an outcome. That is
said as such, with the outcomes the data do hold, rather than as "too few usable
respondents" per group (whose remedy, a coarser grouping, would not help).
"""
from __future__ import annotations

import pandas as pd

from analysis.common.options import OUTCOMES
from instrument import Instrument
from instrument.reader.integrity import absent_item_columns


def outcome_columns(inst: Instrument, outcome: str) -> list[str]:
    """The columns the outcome is computed from: the outcome construct's items, or the question's column."""
    if outcome == inst.outcome_construct.key:
        return list(inst.outcome_construct.item_ids)
    return [outcome]


def outcome_absence(data: pd.DataFrame, inst: Instrument, outcome: str, *, answers: bool = True) -> str | None:
    """Why no respondent of ``data`` has ``outcome``, or None when the data hold it.

    The outcome is absent when none of its columns is in the file (absent from ``data``,
    or recorded as absent by the reader, which creates them empty) and, with
    ``answers``, when no respondent answered any of them.

    Examples
    --------
    >>> from instrument import load_instrument
    >>> inst = load_instrument()
    >>> outcome_absence(pd.DataFrame({"csat": [4, None]}), inst, "satisfaction")
    'the data have no column for any of its items (sat1, sat2, sat3)'
    >>> outcome_absence(pd.DataFrame({"csat": [4, None]}), inst, "csat") is None
    True
    """
    columns = outcome_columns(inst, outcome)
    recorded = set(absent_item_columns(data).get(outcome, ()))
    present = [c for c in columns if c in data.columns and c not in recorded]
    which = "any of its items" if outcome == inst.outcome_construct.key else "it"
    if not present:
        return f"the data have no column for {which} ({', '.join(columns)})"
    if answers and not data[present].notna().to_numpy().any():
        return f"no respondent answered {which} ({', '.join(present)})"
    return None


def outcomes_held(data: pd.DataFrame, inst: Instrument) -> list[str]:
    """The outcomes (of :data:`~analysis.common.options.OUTCOMES`) some respondent of ``data`` has."""
    return [o for o in OUTCOMES if outcome_absence(data, inst, o) is None]


def no_outcome_message(data: pd.DataFrame, inst: Instrument, outcome: str, why: str, choice) -> str:
    """One line: no respondent has ``outcome`` (``why``), and the outcomes to choose instead.

    ``choice`` words the outcomes held (a list of keys) as the caller's option: the
    Python argument, or the command line's flag.
    """
    others = [o for o in outcomes_held(data, inst) if o != outcome]
    todo = (f"analyse an outcome the data hold: {choice(others)}" if others
            else f"the data hold none of the outcomes ({', '.join(OUTCOMES)}): add the outcome's answers to the file")
    return f"no respondent has the outcome '{outcome}': {why}; {todo}"


def python_choice(outcomes: list[str]) -> str:
    """The outcomes as values of the Python API's ``outcome`` argument."""
    quoted = [repr(o) for o in outcomes]
    return "outcome=" + (f"{', '.join(quoted[:-1])} or {quoted[-1]}" if len(quoted) > 1 else quoted[0])
