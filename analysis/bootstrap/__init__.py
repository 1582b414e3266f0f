"""Bootstrap uncertainty: resampling respondents within groups.

* :mod:`~analysis.bootstrap.importance` -- :func:`bootstrap_importance` (intervals of betas, LMG
  shares, ranks; group differences) and :func:`percentile_interval`;
* :mod:`~analysis.bootstrap.engine` -- resamples as weighted cross-products (the fast kernel).
"""
from __future__ import annotations

import importlib

_EXPORTS = {"bootstrap_importance": "analysis.bootstrap.importance",
            "BootstrapResult": "analysis.bootstrap.importance",
            "percentile_interval": "analysis.bootstrap.importance"}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    # Imported on first use, as in :mod:`analysis`, so importing one module of the
    # package does not import the others.
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
