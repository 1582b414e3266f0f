"""Problems are detected and reported (never printed as if fine); impossible inputs raise.

The Heywood case is pinned to lavaan (tests/fixtures/r/sem_heywood.R), which
estimates the same negative residual variance and warns about it.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.sem import SEM, Problem
from instrument.errors import ModelError
from sem_fixture_data import HS_MODEL, SURVEY_MODEL
from test_sem_lavaan import assert_matches_lavaan

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def holzinger() -> pd.DataFrame:
    return pd.read_csv(FIXTURES / "sem_holzinger.csv")


def kinds(fit: SEM) -> list[str]:
    return [p.kind for p in fit.problems_]


def test_clean_fit_has_no_problems(holzinger):
    fit = SEM(HS_MODEL).fit(holzinger, missing="listwise")
    assert fit.problems_ == [] and fit.converged_
    assert "PROBLEMS" not in fit.summary()


def test_heywood_case_is_reported_and_matches_lavaan():
    data = pd.read_csv(FIXTURES / "sem_heywood.csv")
    ref = json.loads((FIXTURES / "sem_heywood.json").read_text())
    assert any("negative" in w for w in ref["warnings"])      # lavaan flags it too
    fit = SEM("f1 =~ x1 + x2 + x3\nf2 =~ x4 + x5 + x6").fit(data, missing="listwise")
    assert_matches_lavaan(fit, ref)                              # same negative estimate
    heywood = [p for p in fit.problems_ if p.kind == "heywood"]
    assert {p.parameters for p in heywood} == {("x1~~x1",), ("f1=~x1",)}
    variance = next(p for p in heywood if p.parameters == ("x1~~x1",))
    assert variance.severity == "error" and "negative residual variance" in variance.message
    est = fit.params_.set_index(["lhs", "op", "rhs"]).loc[("x1", "~~", "x1"), "est"]
    assert est < 0 and f"{est:.3f}" in variance.message
    assert "Heywood" in fit.summary() and "PROBLEMS" in fit.summary()
    assert "Heywood" in fit._repr_html_()


def test_nonconvergence_is_reported(holzinger):
    fit = SEM(HS_MODEL).fit(holzinger, missing="listwise", max_iter=1)
    assert not fit.converged_
    problem = next(p for p in fit.problems_ if p.kind == "nonconvergence")
    assert problem.severity == "error"
    assert "maximum number of iterations (1)" in problem.message
    assert "gradient" in problem.message and "not valid" in problem.message
    assert "DID NOT CONVERGE" in fit.summary()


def test_non_positive_definite_sample_covariance(holzinger):
    data = holzinger.assign(x10=holzinger.x1 + holzinger.x2)   # exactly collinear
    fit = SEM("visual =~ x1 + x2 + x3 + x10\ntextual =~ x4 + x5 + x6").fit(data, missing="listwise")
    problem = next(p for p in fit.problems_ if p.kind == "not_positive_definite")
    assert "sample covariance matrix is not positive definite" in problem.message
    assert np.isnan(fit.fit_.chi2) and np.isnan(fit.fit_.cfi)   # not printed as fine
    assert not fit.converged_


def test_too_few_respondents_for_the_31_item_model():
    survey = pd.read_csv(FIXTURES / "sem_survey.csv")
    answered = survey.drop(columns=["id", "site", "channel"]).notna().any(axis=1)
    small = survey[(survey.channel == "phone") & answered].head(20)
    fit = SEM(SURVEY_MODEL).fit(small, missing="ml")
    messages = [p.message for p in fit.problems_ if p.kind == "small_sample"]
    npar = fit.fit_.npar
    assert any(f"only 20 respondents for {npar} free parameters" in m
               and f"about {5 * npar}" in m and "Bentler & Chou 1987" in m for m in messages)
    assert any("at least 32 are needed" in m for m in messages)
    assert all(p.severity == "error" for p in fit.problems_ if p.kind == "small_sample")


def test_few_respondents_per_parameter_is_a_warning(holzinger):
    fit = SEM(HS_MODEL).fit(holzinger.head(80), missing="listwise")
    problem = next(p for p in fit.problems_ if p.kind == "small_sample")
    assert problem.severity == "warning"
    assert "80 respondents for 21 free parameters" in problem.message
    assert "Wolf et al. (2013)" in problem.message and "105" in problem.message


def test_unidentified_model_reports_singular_information(holzinger):
    # two orthogonal factors with two indicators each: loadings and variances trade off
    fit = SEM("f1 =~ x1 + x2\nf2 =~ x3 + x4\nf1 ~~ 0*f2").fit(holzinger, missing="listwise")
    problem = next(p for p in fit.problems_ if p.kind == "standard_errors")
    assert "not identified" in problem.message
    assert "f1=~x2" in problem.parameters and "f1~~f1" in problem.parameters
    assert fit.params_.loc[fit.params_.free, "se"].isna().all()


def test_negative_latent_variance_and_latent_covariance_not_pd_are_checked():
    from analysis.sem.problems import heywood_problems, matrix_problems
    from analysis.sem.representation import RamModel
    from analysis.sem.spec import build_partable
    from analysis.sem.syntax import parse_syntax
    model = RamModel(build_partable(parse_syntax("f1 =~ a1 + a2 + a3\nf2 =~ b1 + b2 + b3")))
    theta = np.array([1.0, 1.0, 1.0, 1.0] + [0.5] * 6 + [-0.2, 1.0, 0.3])
    rows = model.table.rows
    est = np.array([r.value if not r.free else theta[r.free - 1] for r in rows])
    found = heywood_problems(rows, est, np.zeros(len(rows)), set(model.observed), [""])
    assert [p.parameters for p in found] == [("f1~~f1",)] and "negative variance" in found[0].message
    assert [p.kind for p in matrix_problems(model, theta, [""])] == ["not_positive_definite"]


def test_empty_rows_are_dropped_and_counted(holzinger):
    data = holzinger.copy()
    data.loc[[3, 7], [f"x{i}" for i in range(1, 10)]] = np.nan
    fit = SEM(HS_MODEL).fit(data, missing="ml")
    assert fit.fit_.n_obs == 299 and fit.n_dropped_["all_missing"] == {"": 2}
    problem = next(p for p in fit.problems_ if p.kind == "missing_data")
    assert problem.severity == "warning" and "2 respondent(s)" in problem.message


def test_low_coverage_is_reported(holzinger):
    data = holzinger.copy()
    data.loc[data.index[:280], "x9"] = np.nan     # x9 seen for 21 of 301 respondents
    fit = SEM(HS_MODEL).fit(data, missing="ml")
    problem = next(p for p in fit.problems_ if p.kind == "missing_data")
    assert "fewer than 10% of respondents" in problem.message
    assert fit.coverage_[""].loc["x9", "x1"] == pytest.approx(21 / 301)


@pytest.mark.parametrize("frame, message", [
    (pd.DataFrame({f"x{i}": [] for i in range(1, 10)}), "no respondent"),
    (pd.DataFrame({f"x{i}": [np.nan] * 5 for i in range(1, 10)}), "no respondent"),
])
def test_no_usable_rows_raise(frame, message):
    with pytest.raises(ModelError, match=message):
        SEM(HS_MODEL).fit(frame)


def test_constant_variable_raises(holzinger):
    with pytest.raises(ModelError, match=r"group 'Pasteur': variable\(s\) \['x3'\] have the same value"):
        SEM(HS_MODEL).fit(holzinger.assign(x3=2.0), group="school")


def test_unknown_variable_names_the_line(holzinger):
    with pytest.raises(ModelError, match=r"line 3: variable 'x99' is not a column"):
        SEM("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x99").fit(holzinger)


def test_non_numeric_values_raise(holzinger):
    data = holzinger.astype({"x2": object})
    data.loc[4, "x2"] = "n/a"
    with pytest.raises(ModelError, match=r"column 'x2' has non-numeric values \(row 5,"):
        SEM(HS_MODEL).fit(data)


def test_bad_options_raise(holzinger):
    with pytest.raises(ModelError, match="missing must be one of"):
        SEM(HS_MODEL).fit(holzinger, missing="pairwise")
    with pytest.raises(ModelError, match="group_equal needs a group column"):
        SEM(HS_MODEL).fit(holzinger, group_equal=("loadings",))
    with pytest.raises(ModelError, match="group column 'site'"):
        SEM(HS_MODEL).fit(holzinger, group="site")
    with pytest.raises(ModelError, match="data must be a pandas DataFrame"):
        SEM(HS_MODEL).fit(holzinger.to_numpy())
    with pytest.raises(ModelError, match="not been fitted"):
        SEM(HS_MODEL).summary()


def test_problem_str():
    p = Problem("heywood", "x has a negative residual variance", "error", "A", ("x~~x",))
    assert str(p) == "ERROR heywood [group A]: x has a negative residual variance"


def test_singular_em_covariance_is_an_error_not_a_crash():
    # 40 respondents of all channels for 31 items with phone-only items: in some missing-data
    # patterns fewer respondents than variables, so the EM covariance becomes singular.
    survey = pd.read_csv(FIXTURES / "sem_survey.csv")
    answered = survey.drop(columns=["id", "site", "channel"]).notna().any(axis=1)
    small = survey[answered].sample(n=40, random_state=6)  # a sample with such patterns
    fit = SEM(SURVEY_MODEL).fit(small, missing="ml")
    em = [p for p in fit.problems_ if "EM estimate of the saturated model failed" in p.message]
    assert em and em[0].severity == "error"
    # no test statistic is printed as if it were valid
    assert np.isnan(fit.fit_.chi2) and np.isnan(fit.fit_.cfi) and np.isnan(fit.fit_.srmr)
