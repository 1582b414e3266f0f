"""The CCC-quality questionnaire as data, and the code that loads, exports and reads responses against it.

>>> from instrument import load_instrument
>>> inst = load_instrument()
"""
from instrument.definition import Instrument, Variable, load_instrument, platform_code
from instrument.errors import DataError, InstrumentError, ModelError, OptionError, ServiceDriversError
from instrument.reader import QualityReport, read_responses

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
