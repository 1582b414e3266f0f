"""Driver regression against statsmodels (HC3) and a hand-written R sandwich (fixture)."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from analysis.common.thresholds import Threshold
from analysis.importance.regression import driver_regression, variance_inflation
from instrument.errors import DataError, ModelError

FIXTURES = Path(__file__).parent / "fixtures"
SIM = json.loads((FIXTURES / "importance_reference.json").read_text())["simulated"]
DRIVERS = SIM["names"]


@pytest.fixture(scope="module")
def sim() -> pd.DataFrame:
    return pd.read_csv(FIXTURES / "importance_sim.csv")


@pytest.fixture(scope="module")
def heteroskedastic() -> pd.DataFrame:
    rng = np.random.default_rng(42)
    x = rng.normal(size=(300, 3))
    y = 1 + x @ [0.5, -0.3, 0.0] + rng.normal(size=300) * (0.5 + np.abs(x[:, 0]))
    return pd.DataFrame({"a": x[:, 0], "b": x[:, 1], "c": x[:, 2], "y": y})


def test_matches_statsmodels_hc3(heteroskedastic):
    df = heteroskedastic
    res = driver_regression(df, "y", ["a", "b", "c"], level=0.90)
    ref = sm.OLS(df.y, sm.add_constant(df[["a", "b", "c"]])).fit(cov_type="HC3", use_t=True)
    t = res.table
    np.testing.assert_allclose(t.coef, ref.params, atol=1e-10)
    np.testing.assert_allclose(t.se, ref.bse, atol=1e-10)
    np.testing.assert_allclose(t.p_value, ref.pvalues, atol=1e-10)
    np.testing.assert_allclose(t[["ci_low", "ci_high"]], ref.conf_int(0.10), atol=1e-10)
    assert res.r2 == pytest.approx(ref.rsquared, abs=1e-12)
    assert res.adj_r2 == pytest.approx(ref.rsquared_adj, abs=1e-12)
    assert res.n == 300
    # HC3 differs from the classical SE here (heteroskedastic errors): the test can fail
    classical = sm.OLS(df.y, sm.add_constant(df[["a", "b", "c"]])).fit().bse
    assert not np.allclose(t.se, classical, rtol=0.05)


def test_standardized_betas_are_z_score_regression(heteroskedastic):
    df = heteroskedastic
    res = driver_regression(df, "y", ["a", "b", "c"])
    z = (df - df.mean()) / df.std(ddof=1)
    ref = sm.OLS(z.y, sm.add_constant(z[["a", "b", "c"]])).fit(cov_type="HC3", use_t=True)
    t = res.table.iloc[1:]
    np.testing.assert_allclose(t.std_coef, ref.params.iloc[1:], atol=1e-10)
    np.testing.assert_allclose(t.std_se, ref.bse.iloc[1:], atol=1e-10)
    np.testing.assert_allclose(t[["std_ci_low", "std_ci_high"]], ref.conf_int().iloc[1:], atol=1e-10)
    # standardized = unstandardized * sd(x) / sd(y), and the HC3 SE scales the same way
    scale = df[["a", "b", "c"]].std().to_numpy() / df.y.std()
    np.testing.assert_allclose(t.std_coef, t.coef * scale, atol=1e-12)
    np.testing.assert_allclose(t.std_se, t.se * scale, atol=1e-12)
    assert np.isnan(res.table.std_coef.iloc[0])


def test_against_r_fixture(sim):
    res = driver_regression(sim, "satisfaction", DRIVERS)
    np.testing.assert_allclose(res.table.coef, SIM["coef"], atol=1e-10)
    np.testing.assert_allclose(res.table.se, SIM["se_hc3"], atol=1e-10)
    np.testing.assert_allclose(res.table.std_coef.iloc[1:], SIM["std_beta"], atol=1e-10)
    np.testing.assert_allclose(res.table.vif.iloc[1:], SIM["vif"], atol=1e-10)
    assert res.r2 == pytest.approx(SIM["r2"], abs=1e-12)
    assert res.adj_r2 == pytest.approx(SIM["adj_r2"], abs=1e-12)
    assert res.table.term.tolist() == ["Intercept", *DRIVERS]


def test_vif_flag():
    rng = np.random.default_rng(3)
    a = rng.normal(size=200)
    df = pd.DataFrame({"a": a, "b": a + rng.normal(scale=0.2, size=200), "c": rng.normal(size=200)})
    df["y"] = df.a + df.c + rng.normal(size=200)
    res = driver_regression(df, "y", ["a", "b", "c"])
    assert res.high_vif == ("a", "b")
    assert res.table.vif.iloc[1] == pytest.approx(variance_inflation(df, ["a", "b", "c"])["a"])
    assert res.table.vif.iloc[1] > 5
    strict = driver_regression(df, "y", ["a", "b", "c"], vif_threshold=Threshold("VIF", "<=", 1.0001, "test"))
    assert strict.high_vif == ("a", "b", "c")
    assert "VIF too high" in res.summary()


def test_errors(sim):
    with pytest.raises(ValueError, match="level must be a number between 0 and 1"):
        driver_regression(sim, "satisfaction", DRIVERS, level=95)
    with pytest.raises(DataError, match="column 'satisfaction'.*missing"):
        driver_regression(sim.assign(satisfaction=np.nan), "satisfaction", DRIVERS)


def test_perfectly_collinear_drivers_are_refused_by_name(sim):
    """Finding 4: OLS gives finite HC3 standard errors for unidentified coefficients; refuse them."""
    data = sim.assign(menu=2 * sim.empathy - sim.reliability + 1)
    with pytest.raises(ModelError, match=r"the drivers reliability, empathy, menu are perfectly collinear"):
        driver_regression(data, "satisfaction", DRIVERS)
    with pytest.raises(ModelError, match="not identified"):
        driver_regression(sim.assign(x=sim.empathy), "satisfaction", ["empathy", "x"])
    driver_regression(data, "satisfaction", [d for d in DRIVERS if d != "menu"])     # the rest is fine
