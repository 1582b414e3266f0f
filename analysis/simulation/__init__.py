"""Simulated studies with a known truth (one of the toolkit's two correctness oracles).

* :mod:`~analysis.simulation.simulate` -- :func:`simulate_study`, the model in words;
* :mod:`~analysis.simulation.waves` -- :func:`simulate_waves`, repeated studies with planted changes;
* :mod:`~analysis.simulation.model` -- its parameters and the numeric draw;
* :mod:`~analysis.simulation.truth` -- latent parameters and population values of the estimators' targets;
* :mod:`~analysis.simulation.text` -- open 'why' answers in Dutch and English;
* :mod:`~analysis.simulation.io` -- writing a study and its truth to disk.
"""
from __future__ import annotations

import importlib

# The seed of a simulated study when none is given (here, not in model.py, so that the
# `drivers simulate` option can show it without importing numpy).
DEFAULT_SEED = 2011
_EXPORTS = {"simulate_study": "analysis.simulation.simulate", "simulate_waves": "analysis.simulation.waves"}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    # Imported on first use, as in :mod:`analysis`.
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
