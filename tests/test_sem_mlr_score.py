"""Robust ML (``estimator="mlr"``): modification indices, score tests and the robust
RMSEA interval against lavaan 0.6-14.

Reference values: tests/fixtures/sem_mlr.json (``score``, ``modindices`` and the
``rmsea.*.robust`` fit measures), written by tests/fixtures/r/sem_mlr.R.  lavaan
0.6-14's ``modindices`` and ``lavTestScore`` of an MLR fit are the ordinary ones
(expected information, ordinary score; ``lavTestScore`` warns that it falls back to
them), so ours must equal them; the robust score tests of Satorra (2000) are
computed in that script from lavaan's own ingredients (information, gradient and
``lavScores``).  Tolerances as issue 13 asks: score-test statistics (and modification
indices) to 1%, EPCs to 1e-3, robust indices to .001.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis.validation.partial import ranking_scores
from test_sem_mlr import FIT_CASES, INDEX_TOL, fitted, reference

STAT_REL = 0.01
EPC_TOL = 1e-3
SCORE_CASES = ["hs_metric", "hs_scalar", "hsm_metric", "hsm_scalar", "survey_metric", "survey_scalar"]
MI_CASES = ["hs_single", "hsm_single", "pd", "hs_scalar", "hsm_scalar", "survey_scalar"]


def _close_stat(ours: float, lavaan: float) -> bool:
    return abs(ours - lavaan) <= STAT_REL * max(1.0, abs(lavaan))


@pytest.mark.parametrize("case", FIT_CASES)
def test_robust_rmsea_interval_and_close_fit(case):
    ref = reference()["fits"][case]["fit"]
    f = fitted(case).fit_
    lower, upper = f.rmsea_ci_robust
    for ours, theirs in ((lower, "rmsea.ci.lower.robust"), (upper, "rmsea.ci.upper.robust"),
                         (f.rmsea_pvalue_robust, "rmsea.pvalue.robust")):
        if ref[theirs] is None:
            assert math.isnan(ours), theirs
        else:
            assert ours == pytest.approx(ref[theirs], abs=INDEX_TOL), f"{case} {theirs}"
    assert lower <= f.rmsea_robust <= upper
    assert f.to_dict()["rmsea_ci_robust"] == (lower, upper)


def test_robust_interval_is_the_scaled_interval_times_root_c():
    from analysis.sem.indices import rmsea_ci
    from analysis.sem.robust import robust_rmsea_ci, robust_rmsea_pvalue
    lo, hi = rmsea_ci(80.0 / 1.3, 24, 300)
    assert robust_rmsea_ci(80.0, 24, 300, 1.3) == pytest.approx((lo * 1.3 ** 0.5, hi * 1.3 ** 0.5))
    # c = 1: the ordinary interval and test of close fit
    from analysis.sem.indices import rmsea_close_pvalue
    assert robust_rmsea_ci(80.0, 24, 300, 1.0) == pytest.approx(rmsea_ci(80.0, 24, 300))
    assert robust_rmsea_pvalue(80.0, 24, 300, 1.0) == pytest.approx(rmsea_close_pvalue(80.0, 24, 300))
    assert all(math.isnan(x) for x in robust_rmsea_ci(80.0, 24, 300, math.nan))
    assert math.isnan(robust_rmsea_pvalue(80.0, 24, 300, -1.0))


def _by_constraint(fit, st):
    index = {label: k + 1 for k, label in enumerate(fit.groups_)}
    return {(f"{r.lhs}|{r.op}|{r.rhs}|{index[r.reference_group]}", f"{r.lhs}|{r.op}|{r.rhs}|{index[r.group]}"): r
            for r in st.univariate.itertuples()}


@pytest.mark.parametrize("case", SCORE_CASES)
def test_score_tests_of_an_mlr_fit_match_lavaan(case):
    fit, ref = fitted(case), reference()["score"][case]
    st = fit.score_tests()
    assert st.robust and st.df == ref["total"]["df"]
    assert _close_stat(st.chi2, ref["total"]["X2"])
    assert _close_stat(st.chi2_scaled, ref["total"]["X2_scaled"])
    assert _close_stat(st.chi2_robust, ref["total"]["X2_robust"])
    ours = _by_constraint(fit, st)
    assert len(ours) == len(ref["uni"])
    for u in ref["uni"]:
        r = ours[(u["first"], u["second"])]
        assert _close_stat(r.chi2, u["X2"]), (case, u)
        assert _close_stat(r.chi2_robust, u["X2_robust"]), (case, u)
        assert r.pvalue_robust == pytest.approx(1 - __import__("scipy").stats.chi2.cdf(r.chi2_robust, 1))


def test_robust_columns_only_when_asked_for_an_ml_fit():
    from analysis.sem import SEM
    from test_sem_mlr import data
    from sem_fixture_data import HS_MODEL
    ml = SEM(HS_MODEL).fit(data("holzinger"), group="school", group_equal=["loadings"], missing="listwise")
    plain = ml.score_tests()
    assert not plain.robust and math.isnan(plain.chi2_robust) and plain.univariate["chi2_robust"].isna().all()
    asked = ml.score_tests(robust=True)
    mlr = fitted("hs_metric").score_tests()
    # the same estimates and information: the same ordinary and robust statistics as the MLR fit
    assert np.allclose(asked.univariate["chi2_robust"], mlr.univariate["chi2_robust"], rtol=1e-5)
    assert np.allclose(plain.univariate["chi2"], mlr.univariate["chi2"], rtol=1e-5)
    assert ranking_scores(plain) is plain.univariate
    ranked = ranking_scores(mlr)
    assert ranked["chi2"].tolist() == mlr.univariate["chi2_robust"].tolist()
    assert ranked["chi2_standard"].tolist() == mlr.univariate["chi2"].tolist()


def _key(lhs, op, rhs, group):
    rhs = rhs if isinstance(rhs, str) else ""
    if op == "~~":
        lhs, rhs = sorted((lhs, rhs))
    return lhs, op, rhs, int(group)


@pytest.mark.parametrize("case", MI_CASES)
def test_modindices_of_an_mlr_fit_match_lavaan(case):
    fit = fitted(case)
    mi = fit.modindices()
    index = {label: k + 1 for k, label in enumerate(fit.groups_)}
    ours = {_key(r.lhs, r.op, r.rhs, index[r.group]): r for r in mi.itertuples()}
    lav = pd.DataFrame(reference()["modindices"][case])
    assert len(lav) == min(len(mi), 150)
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


def test_partial_search_of_an_mlr_fit_ranks_by_the_robust_score_tests():
    from analysis.validation.invariance import invariance_steps
    from sem_fixture_data import HS_MODEL
    from test_sem_mlr import data
    res = invariance_steps(HS_MODEL, data("holzinger"), "school", estimator="mlr", partial=True,
                           missing="listwise")
    assert len(res.partial)
    first = res.partial.iloc[0]
    uni = res.fits[first.level].score_tests().univariate
    kind = uni[uni["op"] == ("=~" if first.level == "metric" else "~1")]
    top = kind.loc[kind["chi2_robust"].idxmax()]
    assert first.score_chi2 == pytest.approx(top.chi2_robust)
    assert first["item"] == (top.rhs if first.level == "metric" else top.lhs)
    # the misfit table reports the robust statistics too
    assert set(res.misfit["score_chi2"]) <= set(res.fits[res.table.level.iloc[-1]].score_tests()
                                                .univariate["chi2_robust"])


def test_h1_cache_is_reused_across_fits_of_the_same_data_only():
    from analysis.sem import SEM
    from analysis.sem.h1cache import H1Cache
    from sem_fixture_data import HS_MODEL
    from test_sem_mlr import data
    cache = H1Cache()
    frame = data("holzinger_missing")
    SEM(HS_MODEL).fit(frame, group="school", group_equal=["loadings"], estimator="mlr", h1_cache=cache)
    entries = len(cache)
    assert entries >= 6          # EM moments, H1 parts, baseline, FIML-corrected pieces
    cached = SEM(HS_MODEL).fit(frame, group="school", group_equal=["loadings", "intercepts"],
                               estimator="mlr", h1_cache=cache)
    assert len(cache) == entries   # nothing recomputed
    plain = fitted("hsm_scalar")
    for key, value in plain.fit_.to_dict().items():
        if key != "estimator":
            assert cached.fit_.to_dict()[key] == pytest.approx(value, rel=1e-9, nan_ok=True), key
    # other data (the first 250 rows): new entries, the same figures as without a cache
    other = SEM(HS_MODEL).fit(frame.head(250), group="school", group_equal=["loadings"], estimator="mlr",
                              h1_cache=cache)
    assert len(cache) > entries
    fresh = SEM(HS_MODEL).fit(frame.head(250), group="school", group_equal=["loadings"], estimator="mlr")
    assert other.fit_.cfi_robust == pytest.approx(fresh.fit_.cfi_robust, rel=1e-12)
    assert other.fit_.rmsea_ci_robust == pytest.approx(fresh.fit_.rmsea_ci_robust, rel=1e-12)
