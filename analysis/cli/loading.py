"""The one way a command loads the questionnaire: errors as the library raises them, warnings on stderr.

:func:`instrument.load_instrument` issues an :class:`~instrument.definition.InstrumentWarning`
for what is allowed but probably not meant (texts in a language the file does not
declare); a command prints those as ``warning: ...`` lines on stderr instead of Python's
warning format, so that results on stdout stay clean.
"""
from __future__ import annotations

import warnings
from pathlib import Path
from typing import TYPE_CHECKING

from rich.markup import escape

from analysis.cli.app import err_console

if TYPE_CHECKING:       # imported where used: `drivers --help` must not import the schema validator
    from instrument import Instrument


def load_questionnaire(path: Path | None) -> Instrument:
    """Load the questionnaire ``path`` (the shipped one for None) and print its warnings on stderr."""
    from instrument.definition import InstrumentWarning, load_instrument

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InstrumentWarning)
        inst = load_instrument(path)
    for note in inst.warnings:
        err_console.print(f"[yellow]warning:[/] {escape(f'{inst.path}: {note}')}", highlight=False, soft_wrap=True)
    return inst
