"""Relative importance pinned to published values, to R and to pingouin/statsmodels.

Reference values:

* Azen & Budescu (2003), *Psychological Methods* 8(2), 129-148: the four-predictor
  correlation matrix of their example, as transcribed in the R package dominanceanalysis
  (github.com/clbustos/dominanceAnalysis, tests/testthat/test-daAzenBudescu2003.R),
  with published general dominance .292, .076, .095, .121, R² = .584 and the
  conditional-dominance table (to 3 decimals).
* tests/fixtures/importance_reference.json, written by the hand-coded base-R script
  tests/fixtures/r/importance_reference.R (lm() refits of every subset, explicit loops
  for dominance, eigen() for Johnson's weights): independent of analysis/importance/relative.py.
"""
from __future__ import annotations

import itertools
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
import statsmodels.api as sm
from random_data import normal_rows

from analysis.importance.dominance import (
    complete_dominance_matrix,
    conditional_contributions,
    dominance_analysis,
)
from analysis.importance.relative import (
    importance_arrays,
    lmg_shares,
    pratt_measure,
    relative_importance,
    relative_weights,
    subset_r2,
)
from analysis.importance.subsets import shapley_weight_matrix, symmetric_chain_plan
from instrument.errors import DataError, ModelError

FIXTURES = Path(__file__).parent / "fixtures"
REF = json.loads((FIXTURES / "importance_reference.json").read_text())
AB = REF["azen_budescu_2003"]
SIM = REF["simulated"]
DRIVERS = SIM["names"]


def ab_matrix() -> pd.DataFrame:
    names = AB["names"]
    return pd.DataFrame(AB["correlation"], index=names, columns=names)


@pytest.fixture(scope="module")
def sim() -> pd.DataFrame:
    return pd.read_csv(FIXTURES / "importance_sim.csv")


def simulated(n=400, p=7, seed=0):
    rng = np.random.default_rng(seed)
    cov = 0.4 * np.ones((p, p)) + 0.6 * np.eye(p)
    x = normal_rows(rng, cov, n)
    y = x @ np.linspace(0.6, 0.0, p) + rng.normal(size=n)
    df = pd.DataFrame(x, columns=[f"d{j}" for j in range(p)])
    df["y"] = y
    return df


# --- Azen & Budescu (2003): published values ------------------------------------------

def test_azen_budescu_general_dominance_published():
    da = dominance_analysis(ab_matrix(), "y", matrix=True)
    assert da.r2 == pytest.approx(0.584, abs=5e-4)
    np.testing.assert_allclose(da.general.general_dominance, [0.292, 0.076, 0.095, 0.121], atol=5e-4)
    assert da.general.general_dominance.sum() == pytest.approx(da.r2, abs=1e-14)
    assert da.general["rank"].tolist() == [1, 4, 3, 2]


def test_azen_budescu_conditional_dominance_published_table():
    # Azen & Budescu (2003) table of average contributions by model size (3 decimals),
    # as reproduced in dominanceanalysis' test.
    published = np.array([[0.360, 0.090, 0.160, 0.250],
                          [0.300, 0.074, 0.095, 0.152],
                          [0.263, 0.069, 0.063, 0.073],
                          [0.246, 0.071, 0.061, 0.010]])
    da = dominance_analysis(ab_matrix(), "y", matrix=True)
    np.testing.assert_allclose(da.conditional.to_numpy(), published, atol=6e-4)


def test_azen_budescu_against_r_reference():
    da = dominance_analysis(ab_matrix(), "y", matrix=True)
    np.testing.assert_allclose(da.subset_r2.to_numpy(), AB["subset_r2"], atol=1e-12)
    np.testing.assert_allclose(da.conditional.to_numpy(), AB["conditional"], atol=1e-12)
    np.testing.assert_allclose(da.general.general_dominance, AB["general"], atol=1e-12)
    np.testing.assert_array_equal(da.complete.to_numpy(), AB["complete"])
    np.testing.assert_array_equal(da.conditional_matrix.to_numpy(), AB["conditional_matrix"])
    np.testing.assert_array_equal(da.general_matrix.to_numpy(), AB["general_matrix"])
    res = relative_importance(ab_matrix(), "y", matrix=True)
    np.testing.assert_allclose(res.table.relative_weight, AB["relative_weight"], atol=1e-12)
    np.testing.assert_allclose(res.table.pratt, AB["pratt"], atol=1e-12)
    assert res.n is None


def test_azen_budescu_pairwise_designations():
    da = dominance_analysis(ab_matrix(), "y", matrix=True)
    pairs = da.pairs.set_index(["driver", "other"])
    # x1 dominates everything completely; x4 only generally over x2 and x3.
    for other in ("x2", "x3", "x4"):
        assert pairs.loc[("x1", other)].tolist() == ["dominates"] * 3
    assert pairs.loc[("x2", "x4")].tolist() == ["undetermined", "undetermined", "is dominated by"]
    assert pairs.loc[("x3", "x4")].tolist() == ["undetermined", "undetermined", "is dominated by"]
    assert len(da.pairs) == 6


def test_matrix_order_and_outcome_position_do_not_matter():
    R = ab_matrix()
    order = ["x3", "y", "x1", "x4", "x2"]
    shuffled = R.loc[order, order]
    da = dominance_analysis(shuffled, "y", ["x1", "x2", "x3", "x4"], matrix=True)
    np.testing.assert_allclose(da.general.general_dominance, AB["general"], atol=1e-12)


# --- simulated respondents: R (lm refits), pingouin, statsmodels -------------------------

def test_simulated_against_r_reference(sim):
    da = dominance_analysis(sim, "satisfaction", DRIVERS)
    np.testing.assert_allclose(da.subset_r2.to_numpy(), SIM["subset_r2"], atol=1e-10)
    np.testing.assert_allclose(da.conditional.to_numpy(), SIM["conditional"], atol=1e-10)
    np.testing.assert_allclose(da.general.general_dominance, SIM["general"], atol=1e-10)
    np.testing.assert_array_equal(da.complete.to_numpy(), SIM["complete"])
    np.testing.assert_array_equal(da.conditional_matrix.to_numpy(), SIM["conditional_matrix"])
    np.testing.assert_array_equal(da.general_matrix.to_numpy(), SIM["general_matrix"])
    res = relative_importance(sim, "satisfaction", DRIVERS)
    np.testing.assert_allclose(res.table.relative_weight, SIM["relative_weight"], atol=1e-10)
    np.testing.assert_allclose(res.table.pratt, SIM["pratt"], atol=1e-10)
    np.testing.assert_allclose(res.table.std_beta, SIM["std_beta"], atol=1e-10)
    assert res.r2 == pytest.approx(SIM["r2"], abs=1e-10)
    assert res.n == len(sim)


@pytest.mark.parametrize("seed,p", [(0, 7), (1, 3), (2, 5), (3, 10)])
def test_lmg_equals_pingouin_relimp_and_r2_equals_statsmodels(seed, p):
    df = simulated(n=250, p=p, seed=seed)
    drivers = [c for c in df.columns if c != "y"]
    res = relative_importance(df, "y", drivers)
    lm = pg.linear_regression(df[drivers], df["y"], relimp=True)
    lm = lm.set_index("names").loc[drivers]          # by column name, not position
    np.testing.assert_allclose(res.table.lmg.to_numpy(), lm["relimp"].to_numpy(), atol=1e-8)
    np.testing.assert_allclose(res.table.lmg_pct.to_numpy(), lm["relimp_perc"].to_numpy(), atol=1e-8)
    ols = sm.OLS(df["y"], sm.add_constant(df[drivers])).fit()
    assert res.r2 == pytest.approx(ols.rsquared, abs=1e-8)
    assert res.table.lmg.sum() == pytest.approx(ols.rsquared, abs=1e-12)


def test_subset_r2_equals_ols_on_every_subset():
    df = simulated(n=120, p=4, seed=3)
    drivers = [c for c in df.columns if c != "y"]
    r2 = subset_r2(np.cov(df.to_numpy(), rowvar=False))
    for mask in range(1, 16):
        cols = [d for j, d in enumerate(drivers) if mask >> j & 1]
        expected = sm.OLS(df["y"], sm.add_constant(df[cols])).fit().rsquared
        assert r2[mask] == pytest.approx(expected, abs=1e-12), cols
    assert r2[0] == 0


def test_shares_sum_to_r2_and_pratt_can_be_negative():
    res = relative_importance(ab_matrix(), "y", matrix=True)
    t = res.table
    for col in ("lmg", "relative_weight", "pratt"):
        assert t[col].sum() == pytest.approx(res.r2, abs=1e-12), col
        assert t[f"{col}_pct"].sum() == pytest.approx(100, abs=1e-10), col
    assert t.set_index("driver").loc["x2", "pratt"] < 0   # suppressor: beta < 0, r > 0


def test_shapley_weight_matrix_against_permutation_definition():
    # Independent oracle: average the gain of each driver over all p! orders of entry.
    rng = np.random.default_rng(5)
    p = 4
    r2 = np.r_[0.0, rng.uniform(0, 1, 2**p - 1)]    # any set function works
    expected = np.zeros(p)
    for order in itertools.permutations(range(p)):
        mask = 0
        for j in order:
            expected[j] += r2[mask | 1 << j] - r2[mask]
            mask |= 1 << j
    expected /= math.factorial(p)
    np.testing.assert_allclose(r2 @ shapley_weight_matrix(p), expected, atol=1e-14)
    cond = conditional_contributions(r2)
    np.testing.assert_allclose(cond.mean(axis=0), expected, atol=1e-14)


def test_batched_equals_one_by_one():
    rng = np.random.default_rng(7)
    covs = []
    for _ in range(5):
        a = rng.normal(size=(50, 5))
        covs.append(np.cov(a, rowvar=False))
    covs = np.array(covs).reshape(5, 1, 5, 5)
    batch = lmg_shares(covs)
    assert batch.shape == (5, 1, 4)
    for i in range(5):
        np.testing.assert_allclose(batch[i, 0], lmg_shares(covs[i, 0]), atol=1e-14)
    np.testing.assert_allclose(relative_weights(covs).sum(-1), subset_r2(covs)[..., -1], atol=1e-13)
    np.testing.assert_allclose(pratt_measure(covs).sum(-1), subset_r2(covs)[..., -1], atol=1e-13)


def test_scale_invariance():
    df = simulated(n=200, p=4, seed=11)
    drivers = ["d0", "d1", "d2", "d3"]
    base = relative_importance(df, "y", drivers).table
    scaled = df.assign(d0=df.d0 * 100 + 3, y=df.y * 0.1 - 7)
    other = relative_importance(scaled, "y", drivers).table
    for col in ("lmg", "relative_weight", "pratt", "std_beta"):
        np.testing.assert_allclose(other[col], base[col], atol=1e-12)


def test_degenerate_matrices_give_nan_not_errors():
    good = np.cov(np.random.default_rng(0).normal(size=(40, 4)), rowvar=False)
    collinear = good.copy()
    collinear[1, :] = collinear[0, :]
    collinear[:, 1] = collinear[:, 0]
    zero_var = good.copy()
    zero_var[2, :] = zero_var[:, 2] = 0.0
    out = importance_arrays(np.stack([good, collinear, zero_var]))
    assert out.valid.tolist() == [True, False, False]
    assert np.isfinite(out.lmg[0]).all() and np.isnan(out.lmg[1:]).all()


def test_complete_dominance_ties_are_undetermined():
    # two exchangeable drivers: neither dominates the other
    R = np.array([[1, .3, .2, .5], [.3, 1, .2, .5], [.2, .2, 1, .3], [.5, .5, .3, 1]])
    comp = complete_dominance_matrix(subset_r2(R))
    assert comp[0, 1] == comp[1, 0] == 0.5
    assert comp[0, 2] == 1 and comp[2, 0] == 0


def test_user_errors_are_clear(sim):
    with pytest.raises(DataError, match="no column named 'speed'"):
        relative_importance(sim, "satisfaction", ["speed", *DRIVERS])
    with pytest.raises(DataError, match="column 'menu'.*missing values"):
        relative_importance(sim.assign(menu=sim.menu.where(sim.index != 3)), "satisfaction", DRIVERS)
    with pytest.raises(DataError, match="same value for every respondent"):
        relative_importance(sim.assign(menu=4.0), "satisfaction", DRIVERS)
    with pytest.raises(ModelError, match="collinear"):
        relative_importance(sim.assign(menu=sim.empathy * 2 + 1), "satisfaction", DRIVERS)
    with pytest.raises(ValueError, match="also listed in drivers"):
        relative_importance(sim, "menu", DRIVERS)
    with pytest.raises(ValueError, match="square DataFrame"):
        dominance_analysis(sim, "satisfaction", matrix=True)
    with pytest.raises(DataError, match="too few"):
        relative_importance(sim.head(8), "satisfaction", DRIVERS)


@pytest.mark.parametrize("p", range(1, 11))
def test_symmetric_chains_cover_every_subset_once(p):
    masks = np.concatenate([plan[3] for plan in symmetric_chain_plan(p)])
    assert sorted(masks.tolist()) == list(range(1, 2**p))
    assert sum(len(plan[0]) for plan in symmetric_chain_plan(p)) == math.comb(p, p // 2)


def test_perfect_fit_falls_back_to_solves():
    # outcome = exact combination of the drivers: R² = 1, Cholesky of (X, y) fails
    rng = np.random.default_rng(8)
    x = rng.normal(size=(100, 3))
    data = np.column_stack([x, x @ [1.0, 0.5, 0.2]])
    arrays = importance_arrays(np.cov(data, rowvar=False))
    assert bool(arrays.valid) and arrays.r2 == pytest.approx(1.0, abs=1e-12)
    assert arrays.lmg.sum() == pytest.approx(1.0, abs=1e-12)
    for mask in range(1, 8):
        cols = [j for j in range(3) if mask >> j & 1]
        expected = sm.OLS(data[:, 3], sm.add_constant(x[:, cols])).fit().rsquared
        assert arrays.subset_r2[mask] == pytest.approx(expected, abs=1e-9)


# --- LMG of small-sample-adjusted R² (analysis.importance.adjusted; issue 12, pooling='none' intervals)

def _population(rng):
    """A population correlation matrix (7 drivers, outcome last) with unequal true LMG shares."""
    a = rng.standard_normal((7, 7)) * 0.35
    rxx = a @ a.T + np.eye(7)
    d = np.sqrt(np.diag(rxx))
    rxx = rxx / np.outer(d, d)
    beta = np.array([.40, .30, .08, .06, .05, .04, .02])
    cxy = rxx @ beta
    vy = beta @ rxx @ beta / 0.5                         # R² = .5
    cov = np.block([[rxx, cxy[:, None]], [cxy[None], np.array([[vy]])]])
    return cov


def test_adjusted_lmg_sums_to_ezekiels_adjusted_r2():
    from analysis.importance.adjusted import adjusted_lmg
    x = normal_rows(np.random.default_rng(4), np.eye(5), 40)
    y = x @ [.5, .3, .1, 0, 0] + normal_rows(np.random.default_rng(5), np.eye(1), 40)[:, 0]
    cov = np.cov(np.column_stack([x, y]), rowvar=False)
    fit = sm.OLS(y, sm.add_constant(x)).fit()
    lmg = adjusted_lmg(cov, 40, clip=False)
    assert lmg.sum() == pytest.approx(fit.rsquared_adj, rel=1e-10)
    assert (lmg < importance_arrays(cov).lmg).all()          # every driver's chance share removed
    # with a huge sample the adjustment vanishes; the two-pattern penalty with n_partial = n is Ezekiel's
    np.testing.assert_allclose(adjusted_lmg(cov, 1e12, clip=False), importance_arrays(cov).lmg, atol=1e-9)
    np.testing.assert_allclose(adjusted_lmg(cov, 40, n_partial=40, partial=[3, 4], clip=False), lmg, rtol=1e-12)
    clipped = adjusted_lmg(cov, 40)
    assert (clipped >= 0).all() and np.allclose(clipped[lmg > 0], lmg[lmg > 0])
    from analysis.importance.adjusted import adjusted_lmg_shares
    np.testing.assert_allclose(adjusted_lmg_shares(cov, 40, clip=False), 100 * lmg / fit.rsquared_adj, rtol=1e-9)
    assert adjusted_lmg_shares(cov, 40).sum() == pytest.approx(100)


def test_adjusted_lmg_shares_are_less_flattened_than_plain_ones():
    """30 respondents, 7 drivers: the plain shares pull the largest down and the smallest up."""
    from analysis.importance.adjusted import adjusted_lmg_shares
    rng = np.random.default_rng(12)
    pop = _population(rng)
    a = importance_arrays(pop)
    true = 100 * a.lmg / a.r2
    chol = np.linalg.cholesky(pop)
    n, reps = 30, 400
    z = rng.standard_normal((reps, n, 8)) @ chol.T
    covs = np.einsum("rni,rnj->rij", z - z.mean(1, keepdims=True), z - z.mean(1, keepdims=True)) / (n - 1)
    arr = importance_arrays(covs)
    plain = 100 * arr.lmg / arr.r2[:, None]
    adjusted = adjusted_lmg_shares(covs, n)
    ok = np.isfinite(adjusted).all(axis=1)
    top, bottom = np.argmax(true), np.argmin(true)
    bias_plain = plain[ok].mean(0) - true
    bias_adjusted = adjusted[ok].mean(0) - true
    assert ok.mean() > 0.95
    assert bias_plain[top] < -5 and bias_plain[bottom] > 3          # flattened
    assert abs(bias_adjusted[top]) < abs(bias_plain[top]) / 2
    assert abs(bias_adjusted[bottom]) < abs(bias_plain[bottom])
    np.testing.assert_allclose(adjusted[ok].sum(axis=1), 100)


def test_chance_penalty_counts_partial_drivers_on_their_own_respondents():
    from analysis.importance.adjusted import chance_penalty
    pen = chance_penalty(3, 100, n_partial=40, partial=[2])
    assert pen[0] == 0 and pen[0b001] == pytest.approx(1 / 98) and pen[0b100] == pytest.approx(1 / 38)
    assert pen[0b111] == pytest.approx(2 / 96 + 1 / 36)
    assert np.isinf(chance_penalty(2, 3)[0b11])          # no residual degrees of freedom
