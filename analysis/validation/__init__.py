"""Psychometric validation of the questionnaire: reliability, discriminant validity, invariance.

* :mod:`~analysis.validation.validation` -- :func:`validate`, for the whole sample and per group;
* :mod:`~analysis.validation.result` -- :class:`ValidationResult` and its tables;
* :mod:`~analysis.validation.reliability` -- alpha, omega, CR, AVE, item analysis;
* :mod:`~analysis.validation.reliability_inputs` -- their checked inputs;
* :mod:`~analysis.validation.discriminant` -- HTMT and the Fornell-Larcker criterion;
* :mod:`~analysis.validation.invariance` -- configural, metric, scalar invariance across groups.

The CFA itself is fitted by :mod:`analysis.sem`.
"""
from __future__ import annotations

import importlib

_EXPORTS = {"validate": "analysis.validation.validation",
            "ValidationResult": "analysis.validation.result",
            "invariance_steps": "analysis.validation.invariance"}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    # Imported on first use, as in :mod:`analysis`.
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
