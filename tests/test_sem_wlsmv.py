"""WLSMV (ordinal CFA) against lavaan 0.6-14 / semTools 0.5-6.

Reference values: tests/fixtures/sem_wlsmv.json, written by tests/fixtures/r/sem_wlsmv.R
from tests/fixtures/partial_invariance.csv (three simulated organisations, 7-point items,
N/A and blanks missing; a planted non-invariant cfo3 in 'Telecom').  Tolerances as issue 13:
thresholds and polychorics 1e-3, chi-square and scaled chi-square 1% relative, standard
errors 1e-3, robust (scaled) indices .001, categorical omega .001.
"""
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.common.errors import ModelError
from analysis.sem import SEM
from analysis.sem.polychoric import bvn_cdf, ordinal_statistics
from analysis.sem.wls_difftest import wlsmv_difference_test
from analysis.validation.categorical_omega import categorical_omegas
from wlsmv_cases import DATA, fit_case

FIXTURES = Path(__file__).parent / "fixtures"
REF = json.loads((FIXTURES / "sem_wlsmv.json").read_text())
MEASURES = {"chi2": "chisq", "chi2_scaled": "chisq.scaled", "baseline_chi2": "baseline.chisq",
            "baseline_chi2_scaled": "baseline.chisq.scaled"}
INDICES = {"cfi_scaled": "cfi.scaled", "tli_scaled": "tli.scaled", "rmsea_scaled": "rmsea.scaled",
           "cfi": "cfi", "tli": "tli", "rmsea": "rmsea", "scaling_factor": "chisq.scaling.factor",
           "baseline_scaling_factor": "baseline.chisq.scaling.factor"}


@pytest.fixture(scope="module")
def fits():
    return {name: fit_case(name) for name in REF["fits"]}


@pytest.mark.parametrize("name", list(REF["fits"]))
def test_fit_measures_match_lavaan(fits, name):
    fit, ref = fits[name], REF["fits"][name]["fit"]
    assert fit.converged_ and not fit.problems_
    assert fit.fit_.df == ref["df"] and fit.fit_.npar == ref["npar"] and fit.fit_.n_obs == ref["ntotal"]
    for ours, theirs in MEASURES.items():
        assert getattr(fit.fit_, ours) == pytest.approx(ref[theirs], rel=0.01), ours
    for ours, theirs in INDICES.items():
        assert getattr(fit.fit_, ours) == pytest.approx(ref[theirs], abs=1e-3), ours
    assert fit.fit_.pvalue_scaled == pytest.approx(ref["pvalue.scaled"], abs=1e-3)
    assert fit.fit_.estimator == "wlsmv"


@pytest.mark.parametrize("name", list(REF["fits"]))
def test_parameters_match_lavaan(fits, name):
    fit = fits[name]
    ref = pd.DataFrame(REF["fits"][name]["params"])
    ours = fit.params_.assign(group=fit.params_["group"].map({g: k + 1 for k, g in enumerate(fit.groups_)}))
    merged = ref.merge(ours, on=["lhs", "op", "rhs", "group"], how="left", suffixes=("_ref", ""))
    absent = merged[merged["est"].isna()]
    # lavaan lists the fixed zero intercepts and means of a one-group model; we do not model them
    assert set(absent["op"]) <= {"~1"} and np.allclose(absent["est_ref"], 0)
    merged = merged.dropna(subset=["est"])
    assert len(merged) == len(ours)
    np.testing.assert_allclose(merged["est"], merged["est_ref"], atol=1e-3)
    np.testing.assert_allclose(merged["se"], merged["se_ref"], atol=1e-3)
    np.testing.assert_allclose(merged["std_all"], merged["std_all_ref"], atol=1e-3)
    # lavaan gives no standardized SE for the scale factors (~*~); ours are 0 where fixed
    std = merged[merged["op"] != "~*~"]
    np.testing.assert_allclose(std["std_se"], std["std_se_ref"].astype(float), atol=1e-3)


@pytest.mark.parametrize("name", list(REF["fits"]))
def test_thresholds_and_polychorics_match_lavaan(fits, name):
    fit, ref = fits[name], REF["fits"][name]
    for k, label in enumerate(fit.groups_):
        key = label if isinstance(ref["thresholds"], dict) else k     # lavaan names several groups
        th = pd.Series(ref["thresholds"][key])
        np.testing.assert_allclose(fit.thresholds_[label][th.index], th, atol=1e-3)
        np.testing.assert_allclose(fit.polychoric_[label].to_numpy(), np.array(ref["polychoric"][key]),
                                   atol=1e-3)


@pytest.mark.parametrize("prefix", ["mg_complete", "mg_missing"])
def test_difference_tests_match_lavaan_satorra_2000(fits, prefix):
    pairs = {"thresholds": ("thresholds", "configural"), "metric": ("metric", "thresholds"),
             "metric_configural": ("metric", "configural"), "scalar": ("scalar", "metric")}
    for key, (restricted, free) in pairs.items():
        ref = REF["difference"][f"{prefix}_{key}"]
        d = wlsmv_difference_test(fits[f"{prefix}_{restricted}"], fits[f"{prefix}_{free}"])
        assert d.df == ref["df"]
        assert d.chi2 == pytest.approx(ref["chi2"], rel=0.01), key
        assert d.pvalue == pytest.approx(ref["pvalue"], abs=1e-3), key


def test_planted_threshold_shift_fails_the_scalar_step(fits):
    """cfo3 answers higher in Telecom at the same factor score: the scalar step rejects."""
    d = wlsmv_difference_test(fits["mg_complete_scalar"], fits["mg_complete_metric"])
    assert d.pvalue < 1e-6
    clean = wlsmv_difference_test(fits["mg_missing_scalar"], fits["mg_missing_metric"])
    assert clean.pvalue > 0.05


@pytest.mark.parametrize("name", ["single_complete", "single_missing"])
def test_categorical_omega_matches_semtools(fits, name):
    ours = categorical_omegas(fits[name])
    assert ours == pytest.approx(REF["omega"][name], abs=1e-3)


def test_bivariate_normal_cdf_matches_scipy():
    for r in (-0.95, -0.3, 0.0, 0.5, 0.9, 0.99):
        for h, k in ((0.5, 0.3), (-1.2, 1.5), (2.0, 1.9), (-2.5, -2.4)):
            want = stats.multivariate_normal(mean=[0, 0], cov=[[1, r], [r, 1]]).cdf([h, k])
            assert bvn_cdf(np.array(h), np.array(k), np.array(r)) == pytest.approx(want, abs=1e-7)


def test_missing_is_never_a_category():
    """Missing answers drop out pairwise; they do not add a threshold."""
    y = DATA[["wai1", "wai2", "rel1"]].to_numpy(float)
    y = y[~np.isnan(y).all(axis=1)]
    st = ordinal_statistics(y)
    assert [len(t) for t in st.thresholds] == [len(np.unique(c[~np.isnan(c)])) - 1 for c in y.T]
    both = ~np.isnan(y[:, 0]) & ~np.isnan(y[:, 2])
    assert st.n_pairwise[1] == both.sum()        # pair (rel1, wai1): respondents answering both


def test_empty_category_in_one_group_is_an_error_naming_it():
    d = DATA[["organisation", "rel1", "rel2", "rel3", "rel4"]].dropna().copy()
    first = d["organisation"] == d["organisation"].iloc[0]
    d.loc[first, "rel1"] = d.loc[first, "rel1"].clip(lower=2)
    d.loc[d.index[~first.to_numpy()][0], "rel1"] = 1
    with pytest.raises(ModelError, match="rel1.*category"):
        SEM("f =~ rel1 + rel2 + rel3 + rel4").fit(d, group="organisation", estimator="wlsmv")


def test_modification_indices_and_score_tests_are_offered_for_wlsmv(fits):
    # pinned to lavaan in tests/test_sem_wlsmv_score.py
    assert len(fits["single_complete"].modindices()) > 0
    st = fits["mg_complete_metric"].score_tests()
    assert st.df == len(st.univariate) > 0


def test_unknown_group_equal_kind_for_wlsmv_is_an_error():
    d = DATA[["organisation", "rel1", "rel2", "rel3", "rel4"]].dropna()
    with pytest.raises(ModelError, match="not available with estimator 'wlsmv'"):
        SEM("f =~ rel1 + rel2 + rel3 + rel4").fit(d, group="organisation", group_equal=["residuals"],
                                                  estimator="wlsmv")


def test_summary_names_wlsmv_and_shows_the_scaled_test(fits):
    fit = fits["single_missing"]
    text = str(fit.summary())
    f = fit.fit_
    assert text.startswith("SEM estimated by WLSMV") and "pairwise missing" in text
    assert f"Scaled test statistic (mean and variance adjusted) {f.chi2_scaled:.3f}" in text
    assert "Shift parameter" in text and "Scaled CFI" in text and "Scaled RMSEA" in text
    assert "Loglikelihood" not in text and "\n\n\n" not in text
    assert "WLSMV" in fit._repr_html_()


def test_group_partial_releases_a_threshold_a_loading_or_an_intercept_in_one_group():
    d = DATA[["organisation", "rel1", "rel2", "rel3", "rel4"]].dropna()
    model = "f =~ rel1 + rel2 + rel3 + rel4"
    metric = SEM(model).fit(d, group="organisation", group_equal=["thresholds", "loadings"], estimator="wlsmv")
    uni = metric.score_tests().univariate.set_index(["lhs", "op", "rhs", "group"])["chi2"]
    for entry, key in ((("rel2|t3", "Telecom"), ("rel2", "|", "t3", "Telecom")),
                       (("f=~rel2", "Telecom"), ("f", "=~", "rel2", "Telecom"))):
        freed = SEM(model).fit(d, group="organisation", group_equal=["thresholds", "loadings"],
                               group_partial=[entry], estimator="wlsmv")
        assert freed.converged_ and freed.fit_.df == metric.fit_.df - 1
        # the DWLS statistic drops by about the constraint's score test
        assert metric.fit_.chi2 - freed.fit_.chi2 == pytest.approx(uni.loc[key], rel=0.5, abs=0.5)
    scalar = SEM(model).fit(d, group="organisation", group_equal=["thresholds", "loadings", "intercepts"],
                            group_partial=[("rel2~1", "Telecom")], estimator="wlsmv")
    p = scalar.params_.set_index(["lhs", "op", "group"])
    assert p.loc[("rel2", "~1", "Telecom"), "free"] and not p.loc[("rel2", "~1", "Verzekeraar"), "free"]
    with pytest.raises(ModelError, match="rel9\\|t1"):
        SEM(model).fit(d, group="organisation", group_equal=["thresholds"], group_partial=["rel9|t1"],
                       estimator="wlsmv")
    with pytest.raises(ModelError, match="keep at least 2"):
        SEM(model).fit(d, group="organisation", group_equal=["thresholds"], estimator="wlsmv",
                       group_partial=[(f"rel2|t{k}", "Telecom") for k in range(1, 6)])
