"""Driver analysis per organisation: the whole analysis in one call and its result.

* :mod:`~analysis.drivers.analyse` -- :func:`analyse_drivers`, which ties the statistics together;
* :mod:`~analysis.drivers.sample` -- who a driver analysis uses, and why everyone else is left out;
* :mod:`~analysis.drivers.per_group` -- each group on the drivers that apply to it (e.g. by channel);
* :mod:`~analysis.drivers.sem` -- the structural model (latent drivers -> outcome) per group;
* :mod:`~analysis.drivers.priorities` -- importance-performance quadrants and priority ranks;
* :mod:`~analysis.drivers.kpis` -- CSAT, NPS, CES and FCR with confidence intervals;
* :mod:`~analysis.drivers.tables` -- the tidy tables, assembled from the modules' results;
* :mod:`~analysis.drivers.result` -- :class:`DriverAnalysis` (tables, summary, plots);
* :mod:`~analysis.drivers.json_document` -- its JSON document (``drivers analyse --json``).

Regression, relative importance and dominance are computed in :mod:`analysis.importance`,
their bootstrap intervals in :mod:`analysis.bootstrap`.
"""
from __future__ import annotations

import importlib

_EXPORTS = {"analyse_drivers": "analysis.drivers.analyse", "DriverAnalysis": "analysis.drivers.result"}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    # Imported on first use, as in :mod:`analysis`, so importing one module of the
    # package (e.g. the KPIs for a report) does not import the whole analysis.
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
