"""Modification indices and score tests of analysis.sem against lavaan 0.6-14.

Reference values: tests/fixtures/sem_modindices.json, written by
tests/fixtures/r/sem_modindices.R (``modindices(fit)`` and ``lavTestScore(fit)``
with lavaan's defaults) from the CSV fixtures; R is not needed here.  Modification
indices and score statistics to 1% (relative, or 0.01 absolute below 1), EPCs and
standardized EPCs to 1e-3.
"""
from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.sem import SEM
from analysis.sem.modindices import MI_COLUMNS
from analysis.sem.scoretest import SCORE_COLUMNS, ScoreTests
from instrument.errors import ModelError
from sem_fixture_data import HS_MODEL, PD_MODEL, SURVEY_MODEL

FIXTURES = Path(__file__).parent / "fixtures"
STAT_REL = 0.01
EPC_TOL = 1e-3
GROUP_EQUAL = {"metric": ("loadings",), "scalar": ("loadings", "intercepts")}


@lru_cache(maxsize=None)
def reference() -> dict:
    return json.loads((FIXTURES / "sem_modindices.json").read_text())


@lru_cache(maxsize=None)
def data(name: str) -> pd.DataFrame:
    return pd.read_csv(FIXTURES / f"sem_{name}.csv")


@lru_cache(maxsize=None)
def fitted(case: str) -> SEM:
    """The fit of a case named as in the R script (data prefix, then the model step)."""
    prefix, _, step = case.partition("_")
    if prefix == "pd":
        return SEM(PD_MODEL).fit(data("political_democracy"), missing="listwise")
    if prefix == "survey":
        return SEM(SURVEY_MODEL).fit(data("survey"), group="site", group_equal=GROUP_EQUAL[step])
    frame, missing = (data("holzinger"), "listwise") if prefix == "hs" else (data("holzinger_missing"), "ml")
    if step in ("single", "std_lv"):
        return SEM(HS_MODEL, std_lv=step == "std_lv").fit(frame, missing=missing)
    return SEM(HS_MODEL).fit(frame, group="school", group_equal=GROUP_EQUAL.get(step, ()),
                             missing=missing)


def _key(lhs, op, rhs, group):
    rhs = rhs if isinstance(rhs, str) else ""
    if op == "~~":
        lhs, rhs = sorted((lhs, rhs))
    return lhs, op, rhs, int(group)


def _close_stat(ours: float, lavaan: float) -> bool:
    return abs(ours - lavaan) <= STAT_REL * max(1.0, abs(lavaan))


MI_CASES = ["hs_single", "hs_std_lv", "hs_configural", "hs_metric", "hs_scalar", "hsm_single",
            "hsm_metric", "hsm_scalar", "pd", "survey_scalar"]


@pytest.mark.parametrize("case", MI_CASES)
def test_modindices_match_lavaan(case):
    fit, ref = fitted(case), reference()[case]
    mi = fit.modindices()
    assert list(mi.columns) == list(MI_COLUMNS)
    assert len(mi) == ref["n_modindices"]            # the same candidates, the same NA rows left out
    group_index = {label: k + 1 for k, label in enumerate(fit.groups_)}
    ours = {_key(r.lhs, r.op, r.rhs, group_index[r.group]): r for r in mi.itertuples()}
    assert len(ours) == len(mi)
    lav = pd.DataFrame(ref["modindices"])
    assert len(lav) == len(mi) or case == "survey_scalar"    # the survey keeps lavaan's 150 largest
    for r in lav.itertuples():
        m = ours[_key(r.lhs, r.op, r.rhs, r.group)]
        where = f"{case}: {r.lhs} {r.op} {r.rhs} (group {r.group})"
        assert _close_stat(m.mi, r.mi), where
        for col in ("epc", "sepc_lv", "sepc_all"):
            theirs = getattr(r, col)
            if theirs is None or (isinstance(theirs, float) and math.isnan(theirs)):
                assert math.isnan(getattr(m, col)), (where, col)
            else:
                assert getattr(m, col) == pytest.approx(theirs, abs=EPC_TOL), (where, col)


def test_modindices_largest_is_the_known_misspecification():
    # Holzinger-Swineford: x9 loading on visual is the classic largest index (lavaan tutorial)
    mi = fitted("hs_single").modindices().sort_values("mi", ascending=False)
    top = mi.iloc[0]
    assert (top.lhs, top.op, top.rhs) == ("visual", "=~", "x9")
    # freeing it lowers the chi-square by about its MI, and moves it by about the EPC
    freed = SEM(HS_MODEL + "\nvisual =~ x9").fit(data("holzinger"), missing="listwise")
    drop = fitted("hs_single").fit_.chi2 - freed.fit_.chi2
    assert drop == pytest.approx(top.mi, rel=0.3)
    est = freed.params_.query("lhs == 'visual' and op == '=~' and rhs == 'x9'").est.iloc[0]
    assert est == pytest.approx(top.epc, rel=0.3)


def test_modindices_need_a_fit():
    with pytest.raises(ModelError, match="not been fitted"):
        SEM(HS_MODEL).modindices()


SCORE_CASES = ["hs_metric", "hs_scalar", "hsm_metric", "hsm_scalar", "survey_scalar"]


@pytest.mark.parametrize("case", SCORE_CASES)
def test_score_tests_match_lavaan(case):
    fit, ref = fitted(case), reference()[case]["score"]
    st = fit.score_tests()
    assert isinstance(st, ScoreTests) and list(st.univariate.columns) == list(SCORE_COLUMNS)
    assert st.df == ref["total"]["df"]
    assert _close_stat(st.chi2, ref["total"]["X2"])
    assert st.pvalue == pytest.approx(ref["total"]["pvalue"], abs=1e-3)
    group_index = {label: k + 1 for k, label in enumerate(fit.groups_)}
    ours = {(f"{r.lhs}|{r.op}|{r.rhs}|{group_index[r.reference_group]}",
             f"{r.lhs}|{r.op}|{r.rhs}|{group_index[r.group]}"): r for r in st.univariate.itertuples()}
    assert len(ours) == len(ref["uni"])
    for u in ref["uni"]:
        r = ours[(u["first"], u["second"])]
        assert _close_stat(r.chi2, u["X2"]), u
        assert r.df == 1


def test_score_test_of_a_metric_step_is_close_to_its_likelihood_ratio():
    # score and likelihood-ratio tests of the same constraints agree asymptotically
    metric, configural = fitted("hs_metric"), fitted("hs_configural")
    lr = metric.fit_.chi2 - configural.fit_.chi2
    assert metric.score_tests().chi2 == pytest.approx(lr, rel=0.2)


def test_score_tests_need_constraints():
    with pytest.raises(ModelError, match="no equality constraints"):
        fitted("hs_single").score_tests()
