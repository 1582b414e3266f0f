"""analysis.sem reproduces lavaan 0.6-14 (and agrees with semopy where semopy is right).

Published values: Holzinger & Swineford 3-factor CFA and its invariance steps by
school (lavaan tutorial), Bollen's political democracy SEM.  Everything else is
pinned to JSON written by the R scripts in tests/fixtures/r/sem_*.R from the
CSV files in tests/fixtures/sem_*.csv (see tests/sem_fixture_data.py); R is not
needed to run these tests.  "Third decimal": |ours - lavaan| < 5e-4 for
estimates, standard errors and standardized values; fit indices to 1e-4, the
chi-square, log-likelihoods and information criteria to 1e-3.
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
from sem_fixture_data import HS_MODEL, PD_MODEL, SURVEY_MODEL

FIXTURES = Path(__file__).parent / "fixtures"
PARAM_TOL = 5e-4
INDEX_TOL = 1e-4
FIT_KEYS = {"chi2": "chisq", "df": "df", "pvalue": "pvalue", "baseline_chi2": "baseline.chisq",
            "baseline_df": "baseline.df", "cfi": "cfi", "tli": "tli", "rmsea": "rmsea",
            "rmsea_pvalue": "rmsea.pvalue", "srmr": "srmr", "loglik": "logl",
            "unrestricted_loglik": "unrestricted.logl", "aic": "aic", "bic": "bic",
            "bic_adjusted": "bic2", "npar": "npar", "n_obs": "ntotal"}
LOOSE = {"chi2", "baseline_chi2", "loglik", "unrestricted_loglik", "aic", "bic", "bic_adjusted"}


@lru_cache(maxsize=None)
def reference(name: str) -> dict:
    return json.loads((FIXTURES / f"sem_{name}.json").read_text())


@lru_cache(maxsize=None)
def data(name: str) -> pd.DataFrame:
    return pd.read_csv(FIXTURES / f"sem_{name}.csv")


def _key(lhs, op, rhs, group):
    if op == "~~" and lhs > rhs:
        lhs, rhs = rhs, lhs
    return (lhs, op, rhs, int(group))


def _per_group(value, labels):
    """R lists of one entry per group come back as a list (one group) or a dict by label."""
    return [value[label] for label in labels] if isinstance(value, dict) else value


def assert_matches_lavaan(fit: SEM, ref: dict, *, check_std: bool = True) -> None:
    """Fit measures, every parameter row, R² and latent correlations against lavaan."""
    assert fit.converged_ and ref["converged"]
    labels = list(np.atleast_1d(ref["group_labels"]))
    assert fit.groups_ == (labels if labels else [""])
    ours, theirs = fit.fit_.to_dict(), ref["fit"]
    for key, lav in FIT_KEYS.items():
        if theirs.get(lav) is None:
            assert ours[key] is None or math.isnan(ours[key]), key
            continue
        tol = 1e-3 if key in LOOSE else INDEX_TOL
        assert ours[key] == pytest.approx(theirs[lav], abs=tol), key
    assert ours["rmsea_ci"][0] == pytest.approx(theirs["rmsea.ci.lower"], abs=INDEX_TOL)
    assert ours["rmsea_ci"][1] == pytest.approx(theirs["rmsea.ci.upper"], abs=INDEX_TOL)
    assert fit.information_ == ref["information"]

    group_index = {label: k + 1 for k, label in enumerate(fit.groups_)}
    mine = {_key(r.lhs, r.op, r.rhs, group_index[r.group]): r for r in fit.params_.itertuples()}
    lav = pd.DataFrame(ref["params"])
    lav = lav[lav.op != "=="]
    assert len(lav) == len(mine)
    for r in lav.itertuples():
        m = mine[_key(r.lhs, r.op, r.rhs, r.group)]
        where = f"{r.lhs}{r.op}{r.rhs} (group {r.group})"
        assert m.est == pytest.approx(r.est, abs=PARAM_TOL), where
        assert m.se == pytest.approx(r.se, abs=PARAM_TOL), where
        assert m.free == (r.se > 0), where
        if r.z is not None and not (isinstance(r.z, float) and math.isnan(r.z)):
            assert m.z == pytest.approx(r.z, abs=5e-3 * max(1.0, abs(r.z))), where
        lav_fmi = getattr(r, "fmi", None)
        if lav_fmi is None or (isinstance(lav_fmi, float) and math.isnan(lav_fmi)):
            assert math.isnan(m.fmi), where
        else:
            assert m.fmi == pytest.approx(lav_fmi, abs=PARAM_TOL), where
        if check_std:
            assert m.std_all == pytest.approx(r.std_all, abs=PARAM_TOL), where
            assert m.std_se == pytest.approx(r.std_se, abs=PARAM_TOL), where
    for label, r2 in zip(fit.groups_, _per_group(ref["r2"], fit.groups_)):
        for name, value in r2.items():
            if value is None:       # lavaan: NA when R² > 1 (negative residual variance)
                assert np.isnan(fit.r2_[label][name]), name
            else:
                assert fit.r2_[label][name] == pytest.approx(value, abs=PARAM_TOL), name
    for label, cor in zip(fit.groups_, _per_group(ref["cor_lv"], fit.groups_)):
        if not cor["values"]:       # no latent variables
            assert fit.latent_cor_[label].empty
            continue
        names = list(np.atleast_1d(cor["names"]))
        ours_cor = fit.latent_cor_[label].loc[names, names].to_numpy()
        np.testing.assert_allclose(ours_cor, np.array(cor["values"]), atol=PARAM_TOL)
    if "coverage" in ref:
        for label, cov in zip(fit.groups_, _per_group(ref["coverage"], fit.groups_)):
            names = list(np.atleast_1d(cov["names"]))
            np.testing.assert_allclose(fit.coverage_[label].loc[names, names].to_numpy(),
                                       np.array(cov["values"]), atol=1e-12)


# --------------------------------------------------------------- published values
def test_holzinger_cfa_published_values():
    fit = SEM(HS_MODEL).fit(data("holzinger"), missing="listwise")
    f = fit.fit_
    assert (round(f.chi2, 3), f.df) == (85.306, 24)
    assert (round(f.cfi, 3), round(f.tli, 3), round(f.rmsea, 3), round(f.srmr, 3)) == (.931, .896, .092, .065)
    assert tuple(round(x, 3) for x in f.rmsea_ci) == (.071, .114)
    est = fit.params_.set_index(["lhs", "op", "rhs"])["est"].round(3)
    assert [est[("visual", "=~", "x2")], est[("visual", "=~", "x3")], est[("textual", "=~", "x5")],
            est[("textual", "=~", "x6")], est[("speed", "=~", "x8")], est[("speed", "=~", "x9")]] \
        == [.554, .729, 1.113, .926, 1.180, 1.082]


@pytest.mark.parametrize("equal, chi2, df", [
    ((), 115.851, 48),
    (("loadings",), 124.044, 54),
    (("loadings", "intercepts"), 164.103, 60),
    (("loadings", "intercepts", "means"), 204.605, 63),
])
def test_holzinger_invariance_published_values(equal, chi2, df):
    fit = SEM(HS_MODEL).fit(data("holzinger"), group="school", group_equal=equal, missing="listwise")
    assert (round(fit.fit_.chi2, 3), fit.fit_.df) == (chi2, df)


def test_political_democracy_published_values():
    fit = SEM(PD_MODEL).fit(data("political_democracy"), missing="listwise")
    assert (round(fit.fit_.chi2, 3), fit.fit_.df) == (38.125, 35)


# --------------------------------------------------------- against lavaan (JSON)
HOLZINGER_CASES = {
    "cfa": ({}, {}),
    "cfa_std_lv": ({"std_lv": True}, {}),
    "cfa_orthogonal": ({"orthogonal": True}, {}),
    "cfa_fiml_complete": ({}, {"missing": "ml"}),
    "configural": ({}, {"group": "school"}),
    "metric": ({}, {"group": "school", "group_equal": ("loadings",)}),
    "scalar": ({}, {"group": "school", "group_equal": ("loadings", "intercepts")}),
    "strict": ({}, {"group": "school", "group_equal": ("loadings", "intercepts", "residuals")}),
    "means": ({}, {"group": "school", "group_equal": ("loadings", "intercepts", "means")}),
    "scalar_partial": ({}, {"group": "school", "group_equal": ("loadings", "intercepts"),
                            "group_partial": ("x3~1", "x7~1")}),
    "metric_std_lv": ({"std_lv": True}, {"group": "school", "group_equal": ("loadings",)}),
}


MIMIC = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nvisual + textual ~ ageyr + sex"
PATH = "x4 ~ x1 + x2\nx5 ~ x4 + x1\nx6 ~ x5"
OTHER_MODELS = {"mimic": (MIMIC, {"missing": "listwise"}), "path_fiml": (PATH, {"missing": "ml"})}


@pytest.mark.parametrize("case", HOLZINGER_CASES)
def test_holzinger_complete_data_matches_lavaan(case):
    model_kw, fit_kw = HOLZINGER_CASES[case]
    fit_kw = {"missing": "listwise", **fit_kw}
    fit = SEM(HS_MODEL, **model_kw).fit(data("holzinger"), **fit_kw)
    assert_matches_lavaan(fit, reference("holzinger")[case])


@pytest.mark.parametrize("case", OTHER_MODELS)
def test_observed_regressors_match_lavaan_fixed_x_false(case):
    # observed covariates are random here (lavaan's fixed.x = FALSE); lavaan's baseline
    # keeps their covariances free, which CFI/TLI depend on
    model, fit_kw = OTHER_MODELS[case]
    assert_matches_lavaan(SEM(model).fit(data("holzinger"), **fit_kw), reference("holzinger")[case])


def test_fixed_x_difference_is_only_the_parameter_count():
    # lavaan's default fixed.x = TRUE fixes the covariates' (co)variances at their sample
    # values: same chi-square, df, CFI, estimates; 3 fewer free parameters, so AIC/BIC and
    # the log-likelihood (which then omits the covariates' marginal part) differ.
    fit = SEM(MIMIC).fit(data("holzinger"), missing="listwise")
    ref = reference("holzinger")["mimic_fixed_x"]
    for key in ("chisq", "df", "cfi", "tli", "rmsea", "srmr"):
        assert fit.fit_.to_dict()[{"chisq": "chi2"}.get(key, key)] == pytest.approx(ref["fit"][key], abs=1e-4)
    assert fit.fit_.npar == ref["fit"]["npar"] + 3
    lav = {(r["lhs"], r["op"], r["rhs"]): r["est"] for r in pd.DataFrame(ref["params"]).to_dict("records")}
    for r in fit.params_.itertuples():
        if r.lhs not in ("ageyr", "sex"):
            assert r.est == pytest.approx(lav[(r.lhs, r.op, r.rhs)], abs=PARAM_TOL)


MISSING_CASES = {
    "single": {},
    "single_listwise": {"missing": "listwise"},
    "configural": {"group": "school"},
    "metric": {"group": "school", "group_equal": ("loadings",)},
    "scalar": {"group": "school", "group_equal": ("loadings", "intercepts")},
}


@pytest.mark.parametrize("case", MISSING_CASES)
def test_holzinger_fiml_matches_lavaan(case):
    fit = SEM(HS_MODEL).fit(data("holzinger_missing"), **{"missing": "ml", **MISSING_CASES[case]})
    assert_matches_lavaan(fit, reference("holzinger_missing")[case])


def test_political_democracy_matches_lavaan():
    pdem = data("political_democracy")
    labelled = (PD_MODEL.replace("y1 + y2 + y3 + y4", "y1 + a*y2 + b*y3 + c*y4")
                .replace("y5 + y6 + y7 + y8", "y5 + a*y6 + b*y7 + c*y8"))
    assert_matches_lavaan(SEM(PD_MODEL).fit(pdem, missing="listwise"), reference("political_democracy")["sem"])
    assert_matches_lavaan(SEM(labelled).fit(pdem, missing="listwise"),
                          reference("political_democracy")["sem_labels"])
    assert_matches_lavaan(SEM(PD_MODEL).fit(pdem, missing="ml"), reference("political_democracy")["sem_fiml"])


SURVEY_CASES = {
    "pooled": {},
    "configural": {"group": "site"},
    "metric": {"group": "site", "group_equal": ("loadings",)},
    "scalar": {"group": "site", "group_equal": ("loadings", "intercepts")},
}


@pytest.mark.parametrize("case", SURVEY_CASES)
def test_survey_fiml_matches_lavaan(case):
    fit = SEM(SURVEY_MODEL).fit(data("survey"), missing="ml", **SURVEY_CASES[case])
    ref = reference("survey")[case]
    assert_matches_lavaan(fit, ref)
    # the three empty rows are dropped and counted, as lavaan does
    assert sum(fit.n_dropped_["all_missing"].values()) == 3
    assert fit.fit_.n_obs == 597


# -------------------------------------------------------------------- semopy
def _semopy_estimates(model: str, frame: pd.DataFrame, latent: set) -> dict:
    semopy = pytest.importorskip("semopy")
    m = semopy.Model(model)
    m.fit(frame, solver="BFGS")
    out = {}
    for r in m.inspect().itertuples():
        if r.op == "~" and r.rval in latent and r.lval not in latent:
            key = (r.rval, "=~", r.lval)      # semopy writes loadings as x ~ f
        elif r.op == "~~" and r.lval > r.rval:
            key = (r.rval, "~~", r.lval)
        else:
            key = (r.lval, r.op, r.rval)
        out[key] = float(r.Estimate)
    return out


@pytest.mark.filterwarnings("ignore:Method BFGS cannot handle bounds")   # semopy's internals
@pytest.mark.filterwarnings("ignore:invalid value encountered in dot:RuntimeWarning")
@pytest.mark.parametrize("model, name", [(HS_MODEL, "holzinger"), (PD_MODEL, "political_democracy")])
def test_complete_data_estimates_agree_with_semopy(model, name):
    frame = data(name)
    fit = SEM(model).fit(frame, missing="listwise")
    latent = set(fit.partable_.lhs[fit.partable_.op == "=~"])
    theirs = _semopy_estimates(model, frame, latent)
    ours = {_key(r.lhs, r.op, r.rhs, 1)[:3]: r.est for r in fit.params_.itertuples() if r.free}
    fixed = {_key(r.lhs, r.op, r.rhs, 1)[:3] for r in fit.params_.itertuples() if not r.free}
    assert set(ours) <= set(theirs) <= set(ours) | fixed
    for key, value in ours.items():
        assert value == pytest.approx(theirs[key], abs=5e-4), key
