"""Errors a user can cause: the project's one hierarchy, defined in :mod:`analysis.common.errors`.

Re-exported here so that the questionnaire package (loading, exports, the reader)
raises the same classes; the statistics need nothing from this package for them.
"""
from __future__ import annotations

from analysis.common.errors import DataError, InstrumentError, ModelError, OptionError, ServiceDriversError

__all__ = ["DataError", "InstrumentError", "ModelError", "OptionError", "ServiceDriversError"]
