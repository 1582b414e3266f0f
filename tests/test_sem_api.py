"""The public API of analysis.sem: fitted attributes, reports, docstring examples."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.sem import SEM, FitIndices
from analysis.sem.model import PARAM_COLUMNS
from instrument.errors import ModelError
from sem_fixture_data import HS_MODEL

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def fiml_fit() -> SEM:
    data = pd.read_csv(FIXTURES / "sem_holzinger_missing.csv")
    return SEM(HS_MODEL).fit(data, group="school", group_equal=("loadings",))


def test_fitted_attributes(fiml_fit):
    fit = fiml_fit
    assert list(fit.params_.columns) == list(PARAM_COLUMNS)
    assert fit.groups_ == ["Pasteur", "Grant-White"]
    assert fit.n_obs_ == {"Pasteur": 156, "Grant-White": 145}
    assert fit.converged_ and fit.iterations_ > 0 and fit.information_ == "observed"
    assert isinstance(fit.fit_, FitIndices)
    with pytest.raises(dataclasses.FrozenInstanceError):
        fit.fit_.chi2 = 0.0
    d = fit.fit_.to_dict()
    assert {"chi2", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea_ci", "srmr", "loglik", "aic",
            "bic", "npar", "n_obs"} <= set(d)
    assert isinstance(d["rmsea_ci"], tuple) and d["rmsea_ci"][0] <= d["rmsea"] <= d["rmsea_ci"][1]
    # vcov and standard errors agree; equal loadings share one parameter
    se = np.sqrt(np.diag(fit.vcov_.to_numpy()))
    free = fit.params_[fit.params_.free]
    assert np.allclose(np.sort(np.unique(free.se.round(10))), np.sort(np.unique(se.round(10))))
    x2 = fit.params_[(fit.params_.op == "=~") & (fit.params_.rhs == "x2")]
    assert x2.est.nunique() == 1 and len(x2) == 2


def test_implied_moments_coverage_and_missing_share(fiml_fit):
    fit = fiml_fit
    data = pd.read_csv(FIXTURES / "sem_holzinger_missing.csv")
    for label in fit.groups_:
        cov = fit.implied_[label]["cov"]
        assert list(cov.index) == [f"x{i}" for i in range(1, 10)]
        assert np.allclose(cov, cov.T) and np.all(np.linalg.eigvalsh(cov) > 0)
        observed = data.loc[data.school == label, cov.index].notna()
        assert np.allclose(np.diag(fit.coverage_[label]), observed.mean())
        assert np.allclose(fit.missing_share_[label], 1 - observed.mean())
        assert fit.coverage_[label].loc["x1", "x2"] == pytest.approx((observed.x1 & observed.x2).mean())
    # lavaan's FMI (observed information) can be negative for badly fitting parts of a model
    assert fit.params_.loc[fit.params_.free, "fmi"].notna().all()
    assert fit.params_.loc[~fit.params_.free, "fmi"].isna().all()


def test_summary_and_html(fiml_fit):
    text = fiml_fit.summary()
    for part in ("FIML", "Model Test User Model", "Comparative Fit Index (CFI)", "RMSEA",
                 "SRMR", "Latent Variables:", "Intercepts:", "Variances:", "R-Square:",
                 "Group [Pasteur]:", "Missing-data patterns", f"{fiml_fit.fit_.chi2:.3f}"):
        assert part in text, part
    assert "PROBLEMS" not in text
    html = fiml_fit._repr_html_()
    assert "<table" in html and "CFI" in html and "Grant-White" in html
    assert repr(fiml_fit).startswith("SEM(chi2=")
    unfitted = SEM(HS_MODEL)
    assert "not fitted" in repr(unfitted) and "not fitted" in unfitted._repr_html_()


def test_refit_replaces_results_and_groups_are_labels():
    data = pd.read_csv(FIXTURES / "sem_holzinger.csv")
    model = SEM(HS_MODEL)
    model.fit(data, missing="listwise")
    assert model.fit_.df == 24
    coded = data.assign(school=(data.school == "Pasteur").astype(int).where(data.index != 0))
    model.fit(coded, group="school", missing="listwise")
    assert model.groups_ == ["1", "0"] and model.n_dropped_["group_missing"] == 1
    assert model.fit_.n_obs == 300 and model.fit_.df == 48


def test_fixed_values_and_labels_in_syntax():
    data = pd.read_csv(FIXTURES / "sem_holzinger.csv")
    fit = SEM("visual =~ x1 + 0.5*x2 + x3\ntextual =~ x4 + a*x5 + a*x6").fit(data, missing="listwise")
    p = fit.params_.set_index(["lhs", "op", "rhs"])
    assert p.loc[("visual", "=~", "x2"), "est"] == 0.5 and not p.loc[("visual", "=~", "x2"), "free"]
    assert p.loc[("textual", "=~", "x5"), "est"] == p.loc[("textual", "=~", "x6"), "est"]
    assert p.loc[("textual", "=~", "x5"), "label"] == "a"


def test_syntax_errors_raise_at_construction():
    with pytest.raises(ModelError, match="line 2"):
        SEM("visual =~ x1 + x2 + x3\ntextual := x4")


def test_a_group_column_without_values_is_a_model_error():
    """Finding 10: every group value missing used to end in a ZeroDivisionError."""
    data = pd.read_csv(FIXTURES / "sem_holzinger.csv").assign(school=np.nan)
    with pytest.raises(ModelError, match="group column 'school' has no values"):
        SEM(HS_MODEL).fit(data, group="school", missing="listwise")
