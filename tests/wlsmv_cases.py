"""The WLSMV fits that the R scripts tests/fixtures/r/sem_wlsmv*.R make in lavaan, made here.

Shared by tests/test_sem_wlsmv.py (estimates, tests, indices) and
tests/test_sem_wlsmv_score.py (modification indices, score tests): both compare against
fits of the same names on tests/fixtures/partial_invariance.csv.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.sem import SEM

FIXTURES = Path(__file__).parent / "fixtures"
DATA = pd.read_csv(FIXTURES / "partial_invariance.csv")
LEVELS = {"configural": (), "thresholds": ("thresholds",), "metric": ("thresholds", "loadings"),
          "scalar": ("thresholds", "loadings", "intercepts")}


def items(factor: str) -> list[str]:
    """The items of ``factor`` (three for satisfaction, four for the drivers)."""
    return [f"{factor}{k}" for k in range(1, 4 if factor == "sat" else 5)]


def model(factors: list[str]) -> str:
    """lavaan syntax of a CFA of ``factors``, each measured by its items."""
    return "\n".join(f"{f} =~ " + " + ".join(items(f)) for f in factors)


def fit_case(name: str) -> SEM:
    """The WLSMV fit named as in the R scripts (``single_complete``, ``groups_missing_metric``, ...)."""
    complete = "complete" in name
    if name.startswith("single"):
        factors = ["rel", "emp", "cfo"] if complete else ["rel", "wai", "sat"]
        cols = [i for f in factors for i in items(f)]
        d = DATA[cols]
        d = d.dropna() if complete else d[d.notna().any(axis=1)]
        return SEM(model(factors), std_lv=not complete).fit(d, estimator="wlsmv")
    factors = ["rel", "cfo"] if complete else ["rel", "wai"]
    cols = [i for f in factors for i in items(f)]
    d = DATA[["organisation"] + cols]
    d = d.dropna() if complete else d[d[cols].notna().any(axis=1)]
    return SEM(model(factors), std_lv=True).fit(d, group="organisation",
                                                group_equal=LEVELS[name.rsplit("_", 1)[1]], estimator="wlsmv")
