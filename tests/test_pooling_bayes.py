"""The full-Bayesian cross-check of ``pooling='partial'`` (``benchmarks/bench_pooling_bayes.py``).

The comparison code (covariance from the model's parameters, LMG shares of posterior
draws, the comparison with the default) is plain numpy and always tested. The fit itself
needs PyMC, the optional extra ``bayes``: that test is skipped when PyMC is not installed
(``make test`` does not install it); with it, it fits a small simulated study (about
5 minutes on a loaded 2-core machine).
"""
from __future__ import annotations

import importlib.util
import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.importance.relative import importance_arrays

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_pooling_bayes.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_pooling_bayes", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def random_covariance(rng, q: int) -> np.ndarray:
    a = rng.standard_normal((q, q))
    return a @ a.T + q * np.eye(q)


def parameters(cov: np.ndarray, qa: int):
    """Regression parameters of the factorisation (x_a; y | x_a; x_b | x_a, y) of a covariance in block order."""
    s_a = cov[:qa, :qa]
    beta = np.linalg.solve(s_a, cov[:qa, qa])
    sigma = np.sqrt(cov[qa, qa] - cov[:qa, qa] @ beta)
    zz, zb = cov[:qa + 1, :qa + 1], cov[:qa + 1, qa + 1:]
    gamma = np.linalg.solve(zz, zb)
    omega = cov[qa + 1:, qa + 1:] - zb.T @ gamma
    return s_a, beta, sigma, gamma, omega


def test_covariance_from_parameters_rebuilds_the_covariance(bench):
    rng = np.random.default_rng(4)
    covs = np.stack([[random_covariance(rng, 8) for _ in range(2)] for _ in range(3)])     # (draws, groups, 8, 8)
    parts = [np.stack([[parameters(c, 5)[i] for c in row] for row in covs]) for i in range(5)]
    rebuilt = bench.covariance_from_parameters(*parts)
    assert rebuilt.shape == covs.shape
    assert np.allclose(rebuilt, covs)
    # one driver covariance shared by every draw (the model's fixed S_a) broadcasts
    one = bench.covariance_from_parameters(parts[0][:1], *parts[1:])
    assert np.allclose(one[0], covs[0])


def brute_force_lmg(cov: np.ndarray) -> np.ndarray:
    """LMG by its definition: the mean over all orders of entry of each driver's gain in R² (outcome last)."""
    p = cov.shape[0] - 1

    def r2(subset):
        if not subset:
            return 0.0
        s = list(subset)
        return cov[s, p] @ np.linalg.solve(cov[np.ix_(s, s)], cov[s, p]) / cov[p, p]

    gains = np.zeros(p)
    orders = list(itertools.permutations(range(p)))
    for order in orders:
        for k, d in enumerate(order):
            gains[d] += r2(order[:k + 1]) - r2(order[:k])
    return gains / len(orders)


def test_lmg_pct_of_draws_in_block_order(bench):
    rng = np.random.default_rng(5)
    block = random_covariance(rng, 5)          # x_a (2), y, x_b (2)
    order = [0, 3, 1, 4]                       # the analysis' driver order: a0, b0, a1, b1
    pct = bench.lmg_pct(block[None], order)[0]
    idx = [*order, 2]
    lmg = brute_force_lmg(block[np.ix_(idx, idx)])
    assert np.allclose(pct, 100 * lmg / lmg.sum())
    assert np.isclose(pct.sum(), 100)
    assert np.allclose(importance_arrays(block[np.ix_(idx, idx)]).lmg, lmg)


def test_compare_measures_the_differences_and_the_tolerance(bench):
    default = pd.DataFrame({"group": ["A"] * 3 + ["B"] * 3, "driver": list("xyz") * 2,
                            "lmg_pct": [50, 30, 20, 40, 40, 20], "own_lmg_pct": [60, 25, 15, 30, 45, 25]})
    posterior = pd.DataFrame({"group": ["A"] * 3 + ["B"] * 3, "driver": list("xyz") * 2,
                              "mean": [49, 31.5, 19.5, 41, 35, 24], "sd": 1.0})
    posterior["at_mean"] = posterior["mean"]
    out = bench.compare(default, posterior, tolerance=2.0)
    assert out["max_abs_partial"] == pytest.approx(5.0) and out["mean_abs_partial"] == pytest.approx(13 / 6)
    assert out["max_abs_own"] == pytest.approx(11.0)
    assert out["same_top2"] == 1.0 and out["within"] is False
    assert bench.compare(default, posterior, tolerance=5.0)["within"] is True
    with pytest.raises(ValueError, match="same groups and drivers"):
        bench.compare(default, posterior.iloc[:5])
    swapped = posterior.assign(at_mean=[20, 31.5, 49, 41, 35, 24])
    assert bench.compare(default, swapped)["same_top2"] == 0.5
    assert bench.compare(default, swapped, column="mean")["same_top2"] == 1.0


def simulated_study(rng, groups: int = 4, n: int = 200) -> pd.DataFrame:
    """Groups around a common covariance (x_a: 3, y, x_b: 1), x_b observed for about half the respondents."""
    base = random_covariance(rng, 5)
    frames = []
    for g in range(groups):
        cov = base + 0.3 * np.diag(rng.uniform(0, 1, 5))
        z = rng.standard_normal((n, 5)) @ np.linalg.cholesky(cov).T       # Cholesky: no BLAS-dependent draws
        frame = pd.DataFrame(z, columns=["a1", "a2", "a3", "y", "b1"]).assign(org=f"G{g}")
        frame.loc[rng.uniform(size=n) < 0.5, "b1"] = np.nan
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def test_posterior_means_agree_with_partial_pooling(bench):
    pytest.importorskip("pymc", reason="the optional extra 'bayes' (PyMC) is not installed: "
                                       "pip install -c constraints.txt -e '.[bayes]'")
    from analysis.pooling import pooled_importance

    rows = simulated_study(np.random.default_rng(6))
    drivers = ["a1", "a2", "b1", "a3"]
    res = pooled_importance(rows, "y", drivers, group="org", n_resamples=20, seed=1)
    default = res.boot.table("lmg_pct")[["group", "driver", "estimate"]].rename(columns={"estimate": "lmg_pct"})
    default = default.merge(res.own[["group", "driver", "lmg_pct"]].rename(columns={"lmg_pct": "own_lmg_pct"}))
    post = bench.fit_posterior(rows, "y", drivers, ["b1"], group="org", draws=300, tune=300, chains=1, seed=2)
    assert np.allclose(post.groupby("group")["mean"].sum(), 100) and (post.sd > 0).all()
    out = bench.compare(default, post, tolerance=10.0)
    # Measured on this design (PyMC 5.28, 2026-12-06): |partial - posterior| at most 6.4 points,
    # own data 4.5. With four groups the marginal-likelihood κ pools more than the full model
    # with its half-normal prior on the spread (Gelman 2006), so both shrink, the default more:
    # the spread of a driver's share across groups is smallest pooled, then posterior, then own.
    assert out["within"], out["table"]
    spread = out["table"].groupby("driver")[["lmg_pct", "at_mean", "own_lmg_pct"]].std()
    assert (spread.lmg_pct <= spread.at_mean).all() and (spread.at_mean <= spread.own_lmg_pct).all(), spread
