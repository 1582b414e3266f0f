"""Statistics for the seven drivers of contact-centre service quality.

The public API a notebook user meets::

    from instrument import load_instrument, read_responses
    from analysis import validate, analyse_drivers

    inst = load_instrument()
    data, quality = read_responses("data/example/responses.sav", inst)
    val = validate(data, inst, by="organisation")       # .fit, .reliability, .invariance, .summary()
    imp = analyse_drivers(data, inst, by="organisation", bootstrap=2000, seed=1)
    imp.importance                                       # tidy DataFrame per group and driver
    imp.plot_priorities(group="Energie")
    themes = analyse_themes(data, inst, analysis=imp)    # what the open answers say (analysis.themes)
    agents = analyse_agents(data, inst, by="organisation")  # per agent, shrunk toward the team (analysis.agents)
    diss = analyse_dissatisfiers(data, inst, by="organisation", bootstrap=1000, seed=1)  # basic factors

The names below are imported on first use, so that ``import analysis`` (and the
``drivers`` command line) stays fast.
"""
from __future__ import annotations

import importlib

_EXPORTS = {
    "validate": "analysis.validation.validation",
    "ValidationResult": "analysis.validation.result",
    "analyse_drivers": "analysis.drivers.analyse",
    "DriverAnalysis": "analysis.drivers.result",
    "build_reports": "analysis.report.build",
    "build_dashboard": "analysis.dashboard.build",
    "simulate_study": "analysis.simulation.simulate",
    "construct_scores": "analysis.scoring.scores",
    "keyed_items": "analysis.scoring.scores",
    "invariance_steps": "analysis.validation.invariance",
    "SEM": "analysis.sem",
    "code_themes": "analysis.themes.analyse",
    "analyse_themes": "analysis.themes.analyse",
    "ThemeAnalysis": "analysis.themes.result",
    "analyse_agents": "analysis.agents.analyse",
    "AgentAnalysis": "analysis.agents.result",
    "analyse_waves": "analysis.trends.analyse",
    "TrendAnalysis": "analysis.trends.result",
    "simulate_waves": "analysis.simulation.waves",
    "analyse_dissatisfiers": "analysis.dissatisfiers.analyse",
    "DissatisfierAnalysis": "analysis.dissatisfiers.result",
}
# Modules a notebook imports by name (``from analysis import thresholds``).
_MODULES = {"thresholds": "analysis.common.thresholds"}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    if name in _MODULES:
        return importlib.import_module(_MODULES[name])
    raise AttributeError(f"module 'analysis' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(list(globals()) + __all__)
