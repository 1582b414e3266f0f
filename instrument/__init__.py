"""The CCC-quality questionnaire as data, and the code that loads, exports and reads responses against it.

>>> from instrument import load_instrument
>>> inst = load_instrument()

The names below are imported on first use (PEP 562), so that ``import instrument`` (and the
``drivers --help`` that imports it) does not import pandas or the schema validator.
"""
from __future__ import annotations

import importlib

from instrument.errors import DataError, InstrumentError, ModelError, OptionError, ServiceDriversError

_EXPORTS = {
    "Instrument": "instrument.definition",
    "Variable": "instrument.definition",
    "load_instrument": "instrument.definition",
    "platform_code": "instrument.definition",
    "QualityReport": "instrument.reader",
    "read_responses": "instrument.reader",
}

__all__ = [
    "Instrument",
    "Variable",
    "load_instrument",
    "platform_code",
    "DataError",
    "InstrumentError",
    "ModelError",
    "OptionError",
    "ServiceDriversError",
    "QualityReport",
    "read_responses",
]


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'instrument' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(list(globals()) + __all__)
