"""Modification indices and score tests of WLSMV fits against lavaan 0.6-14 / semTools 0.5-6.

Reference values: tests/fixtures/sem_wlsmv_score.json, written by
tests/fixtures/r/sem_wlsmv_score.R (``modindices(fit)`` and ``lavTestScore(fit)`` with
lavaan's defaults on WLSMV fits; several groups identified as Wu & Estabrook 2016 by
semTools's measEq.syntax) from tests/fixtures/partial_invariance.csv; R is not needed
here.  Tolerances as issue 13: modification indices and score statistics to 1% (relative,
or 0.01 absolute below 1), EPCs and standardized EPCs to 1e-3.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.common.errors import ModelError
from analysis.sem import SEM
from analysis.sem.modindices import MI_COLUMNS
from analysis.sem.scoretest import SCORE_COLUMNS
from analysis.sem.wls_score import intercept_score_rows
from wlsmv_cases import DATA, LEVELS, fit_case, items, model

FIXTURES = Path(__file__).parent / "fixtures"
REF = json.loads((FIXTURES / "sem_wlsmv_score.json").read_text())
STAT_REL, EPC_TOL = 0.01, 1e-3


@lru_cache(maxsize=None)
def fitted(name: str) -> SEM:
    """The fit of a case named as in the R script (cached)."""
    return fit_case(name)


def _close(ours: float, lavaan: float) -> bool:
    return abs(ours - lavaan) <= STAT_REL * max(1.0, abs(lavaan))


def _key(lhs, op, rhs, group):
    rhs = rhs if isinstance(rhs, str) else ""
    if op == "~~":
        lhs, rhs = sorted((lhs, rhs))
    return lhs, op, rhs, group


def _labels(name):
    labels = REF[name]["group_labels"]
    return labels if isinstance(labels, list) and labels else [""]


@pytest.mark.parametrize("name", list(REF))
def test_modindices_match_lavaan(name):
    fit, ref = fitted(name), REF[name]
    assert fit.fit_.chi2 == pytest.approx(ref["chisq"], rel=1e-3)
    mi = fit.modindices()
    assert list(mi.columns) == list(MI_COLUMNS)
    lav = pd.DataFrame(ref["modindices"])
    assert len(mi) == len(lav)           # the same candidates, the same unidentified ones left out
    labels = _labels(name)
    ours = {_key(r.lhs, r.op, r.rhs, r.group): r for r in mi.itertuples()}
    for r in lav.itertuples():
        m = ours[_key(r.lhs, r.op, r.rhs, labels[r.group - 1])]
        where = f"{name}: {r.lhs} {r.op} {r.rhs} (group {r.group})"
        assert _close(m.mi, r.mi), where
        for col in ("epc", "sepc_lv", "sepc_all"):
            assert getattr(m, col) == pytest.approx(getattr(r, col), abs=EPC_TOL), (where, col)


SCORE_CASES = [name for name in REF if "score" in REF[name]]


@pytest.mark.parametrize("name", SCORE_CASES)
def test_score_tests_match_lavaan(name):
    fit, ref = fitted(name), REF[name]["score"]
    st = fit.score_tests()
    assert list(st.univariate.columns) == list(SCORE_COLUMNS) and not st.robust
    assert st.df == ref["total"]["df"]
    assert _close(st.chi2, ref["total"]["X2"])
    assert st.pvalue == pytest.approx(ref["total"]["pvalue"], abs=1e-3)
    labels = _labels(name)
    ours = {(r.lhs, r.op, r.rhs, r.reference_group, r.group): r for r in st.univariate.itertuples()}
    assert len(ours) == len(ref["uni"])

    def where(entry):       # "lhs|op|rhs|group"; a threshold's operator is itself "|"
        parts = entry.split("|")
        lhs, op, rhs, g = (parts[0], "|", parts[3], parts[4]) if len(parts) == 5 else parts
        return lhs, op, rhs, labels[int(g) - 1]

    for u in ref["uni"]:
        first, second = where(u["first"]), where(u["second"])
        assert first[:3] == second[:3]
        r = ours[second[:3] + (first[3], second[3])]
        assert _close(r.chi2, u["X2"]), u
    # thresholds and loadings are both tested (Wu & Estabrook: both equal at the metric step)
    assert {"|", "=~"} == set(st.univariate["op"])


def test_modification_index_predicts_the_drop_of_freeing_it():
    # the scalar model of the planted cfo3 shift in Telecom: freeing that intercept lowers the
    # DWLS statistic by about its index and moves the intercept by about its EPC
    fit = fitted("mg_complete_scalar")
    rows = intercept_score_rows(fit)
    top = rows.loc[rows["chi2"].idxmax()]
    assert (top["lhs"], top["group"], top["reference_group"]) == ("cfo3", "Telecom", "Energie")
    cols = ["organisation"] + items("rel") + items("cfo")
    freed = SEM(model(["rel", "cfo"]), std_lv=True).fit(
        DATA[cols].dropna(), group="organisation", group_equal=LEVELS["scalar"], estimator="wlsmv",
        group_partial=[("cfo3~1", "Telecom")])
    assert freed.converged_
    assert fit.fit_.chi2 - freed.fit_.chi2 == pytest.approx(top["chi2"], rel=0.3)
    est = freed.params_.query("lhs == 'cfo3' and op == '~1' and group == 'Telecom'")["est"].iloc[0]
    assert est == pytest.approx(top["epc"], rel=0.3)
    assert freed.fit_.df == fit.fit_.df - 1


def test_intercepts_are_candidates_only_where_identified():
    # metric model: the intercepts of groups 2+ are free, group 1's would not be identified
    assert not (fitted("mg_complete_metric").modindices()["op"] == "~1").any()
    assert intercept_score_rows(fitted("mg_complete_metric")).empty


def test_score_tests_of_wlsmv_need_constraints():
    with pytest.raises(ModelError, match="no equality constraints"):
        fitted("single_complete").score_tests()
    with pytest.raises(ModelError, match="no equality constraints"):
        fitted("mg_complete_configural").score_tests()


def test_wlsmv_score_total_is_close_to_the_difference_of_statistics():
    # score and difference of the DWLS statistics of the same constraints agree roughly
    metric, configural = fitted("mg_complete_metric"), fitted("mg_complete_configural")
    diff = metric.fit_.chi2 - configural.fit_.chi2
    assert metric.score_tests().chi2 == pytest.approx(diff, rel=0.4)
    assert np.all(np.isnan(metric.score_tests().univariate["chi2_robust"]))
