"""The full-Bayesian cross-check of ``pooling='partial'`` (``benchmarks/bench_pooling_bayes.py``).

The likelihood (:mod:`analysis.pooling.bayes`), vectorised over organisations with its
analytic gradient, and the comparison code are plain NumPy and always tested: the
likelihood equals the default's κ curves and the per-organisation sum, its gradient the
finite-difference one. With PyTensor (the optional extra ``bayes``) the sampler's
operation is checked against PyTensor's own graph and gradient; with PyMC a small
simulated study is fitted (about 50 s of a loaded 2-core machine, most of it compiling).
Both are skipped when the extra is not installed (``make test`` does not install it).
"""
from __future__ import annotations

import importlib.util
import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.importance.relative import importance_arrays
from analysis.pooling import bayes

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


def two_pattern_stats(rng, groups: int = 5, n: int = 120):
    """Statistics of a simulated study: columns a1 a2 b1 a3 b2 y, b1 and b2 observed for about half."""
    from analysis.pooling.moments import find_blocks, pattern_features, stats_from_sums

    base = random_covariance(rng, 6)
    sums = []
    for _ in range(groups):
        cov = base + 0.5 * np.diag(rng.uniform(0, 1, 6))
        z = rng.standard_normal((n, 6)) @ np.linalg.cholesky(cov).T       # Cholesky: no BLAS-dependent draws
        z[rng.uniform(size=n) < 0.5][:, [2, 4]] = np.nan
        phone = rng.uniform(size=n) < 0.5
        z[~phone, 2] = z[~phone, 4] = np.nan
        blocks, complete = find_blocks(z, ["a1", "a2", "b1", "a3", "b2", "y"])
        sums.append(pattern_features(z, complete, blocks, np.zeros(6)).sum(axis=0))
    return stats_from_sums(np.array(sums), np.full(groups, n), blocks), blocks


def _embed(sub: np.ndarray, q: int) -> np.ndarray:
    """A q x q positive definite Σ₀ whose leading block is ``sub``."""
    out = 10.0 * np.eye(q)
    out[:sub.shape[0], :sub.shape[0]] = sub
    return out


def test_the_likelihood_is_the_defaults_factor_by_factor(bench):
    # the full-Bayesian model's likelihood of (Σ₀, κ) is the one the default maximises: as
    # a function of κ, each factor's log marginal likelihood equals the default's curve
    # (analysis.pooling.shrinkage._factor_curves) up to a constant, and the default's κ is
    # the mode of that likelihood times the prior κ^(-1/2), given the default's Σ₀
    from analysis.pooling.shrinkage import KAPPA_GRID, _factor_curves, pool_covariances

    stats, blocks = two_pattern_stats(np.random.default_rng(3))
    q, qa = blocks.q, len(blocks.common)
    eb = pool_covariances(stats, qa, per_group=False)
    grid = KAPPA_GRID[::5]
    for factor in bayes.FACTORS:
        target = eb.targets[factor]
        full = _embed(target, q)
        mine = np.array([bayes.factor_log_likelihood(stats, qa, full, factor, k) for k in grid])
        theirs = _factor_curves(stats, factor, target, qa).sum(axis=0)[::5]
        assert np.allclose(mine - mine[0], theirs - theirs[0], rtol=1e-9, atol=1e-6), factor
        fine = np.logspace(-1, 6, 1401)
        curve = np.array([bayes.factor_log_likelihood(stats, qa, full, factor, k) for k in fine])
        best = fine[np.argmax(curve - 0.5 * np.log(fine))]
        assert abs(np.log(best / eb.kappa[factor])) < 0.05, (factor, best, eb.kappa[factor])
    # the sum over factors is log_likelihood's
    sigma0 = eb.target
    kappa = {"drivers": 30.0, "outcome": 80.0, "phone_only": 200.0}
    assert np.isclose(bayes.log_likelihood(stats, qa, sigma0, kappa),
                      sum(bayes.factor_log_likelihood(stats, qa, sigma0, f, kappa[f]) for f in bayes.FACTORS))


def per_organisation_likelihood(stats, qa, sigma0, kappa):
    """The likelihood as first written (RESULTS.md): one log marginal per organisation and factor, summed."""
    x, total = qa - 1, 0.0
    factors = bayes.FACTORS if stats.scatter_complete.shape[-1] > qa else bayes.FACTORS[:2]
    for g in range(len(stats.n_all)):
        a_c, m_all = stats.scatter_common[g], stats.n_all[g] - 1
        a_p, m_c = stats.scatter_complete[g], stats.n_complete[g] - 1
        total += bayes.log_marginal(a_c[:x, :x], m_all, kappa["drivers"], sigma0[:x, :x])
        total += (bayes.log_marginal(a_c, m_all, kappa["outcome"], sigma0[:qa, :qa])
                  - bayes.log_marginal(a_c[:x, :x], m_all, kappa["outcome"], sigma0[:x, :x]))
        if "phone_only" in factors:
            total += (bayes.log_marginal(a_p, m_c, kappa["phone_only"], sigma0)
                      - bayes.log_marginal(a_p[:qa, :qa], m_c, kappa["phone_only"], sigma0[:qa, :qa]))
    return total


def parameter_points(rng, q: int, k: int = 4):
    """``k`` points (Σ₀, κ): random positive definite Σ₀, κ from 0.3 to 10^5."""
    return [(random_covariance(rng, q) / q, np.exp(rng.uniform(-1, 11.5, 3))) for _ in range(k)]


def test_vectorised_likelihood_and_its_gradient(bench):
    # the stacked (vectorised over organisations) likelihood is the per-organisation sum
    # to 1e-10, and its analytic gradient is the finite-difference one, for Σ₀ and each κ
    stats, blocks = two_pattern_stats(np.random.default_rng(3))
    q, qa = blocks.q, len(blocks.common)
    terms = bayes.likelihood_terms(stats, qa)
    for sigma0, kv in parameter_points(np.random.default_rng(11), q):
        kappa = dict(zip(bayes.FACTORS, kv))
        ref = per_organisation_likelihood(stats, qa, sigma0, kappa)
        assert bayes.log_likelihood(stats, qa, sigma0, kappa) == pytest.approx(ref, rel=1e-10)
        value, grad_s, grad_k = bayes.log_likelihood_and_gradient(terms, sigma0, kv)
        assert value == pytest.approx(ref, rel=1e-10)
        assert np.allclose(grad_s, grad_s.T)

        def at(s, k):
            return bayes.log_likelihood_and_gradient(terms, s, k)[0]

        for f in range(3):
            h = np.zeros(3)
            h[f] = 1e-5 * kv[f]
            fd = (at(sigma0, kv + h) - at(sigma0, kv - h)) / (2 * h[f])
            assert grad_k[f] == pytest.approx(fd, rel=1e-5, abs=1e-6 * abs(value) / kv[f]), f
        for i, j in [(0, 0), (1, 3), (4, 5), (5, 5), (2, 0)]:
            e = np.zeros((q, q))
            e[i, j] = e[j, i] = 1e-6
            fd = (at(sigma0 + e, kv) - at(sigma0 - e, kv)) / 2e-6
            assert np.trace(grad_s @ e) / 1e-6 == pytest.approx(fd, rel=1e-5, abs=1e-3), (i, j)
    # outside the support (Σ₀ not positive definite): -inf, not an exception
    assert bayes.log_likelihood_and_gradient(terms, -np.eye(q), np.ones(3))[0] == -np.inf
    # without phone-only drivers there are two factors
    one_block = bayes.likelihood_terms(type(stats)(stats.n_all, stats.n_all, stats.scatter_common,
                                                   stats.scatter_common, stats.mean_common, stats.mean_common), qa)
    assert {f for _, f, _, _ in one_block} == {0, 1}


def test_the_samplers_operation_is_the_pytensor_graph(bench):
    # the PyTensor operation the sampler uses gives the value and gradient of the graph
    # built from log_likelihood (PyTensor's own differentiation), to 1e-8
    pytensor = pytest.importorskip("pytensor", reason="the optional extra 'bayes' is not installed")
    import pytensor.tensor as pt

    stats, blocks = two_pattern_stats(np.random.default_rng(3))
    q, qa = blocks.q, len(blocks.common)
    sigma0, kv = pt.dmatrix("sigma0"), pt.dvector("kappa")
    graph = bayes.log_likelihood(stats, qa, sigma0, {f: kv[i] for i, f in enumerate(bayes.FACTORS)},
                                 bayes.pytensor_ops())
    op = bayes.likelihood_op(stats, qa)(sigma0, kv)
    fn = pytensor.function([sigma0, kv], [graph, op, *pytensor.grad(graph, [sigma0, kv]),
                                          *pytensor.grad(op, [sigma0, kv])], mode="FAST_COMPILE")
    for s0, k in parameter_points(np.random.default_rng(12), q):
        v_graph, v_op, gs_graph, gk_graph, gs_op, gk_op = fn(s0, k)
        assert v_op == pytest.approx(v_graph, rel=1e-10)
        # PyTensor's gradient of the graph is the one for unconstrained entries; both give the
        # same change for every symmetric change of Σ₀
        assert np.allclose((gs_graph + gs_graph.T) / 2, gs_op, rtol=1e-8, atol=1e-8 * abs(v_op))
        assert np.allclose(gk_op, gk_graph, rtol=1e-8, atol=1e-10)


def per_organisation_factor_values(stats, qa, sigma0, kappa):
    """Each organisation's log likelihood per factor, one log marginal at a time, with κ (F, G) per organisation."""
    x = qa - 1
    out = np.zeros(kappa.shape)
    for g in range(len(stats.n_all)):
        a_c, m_all = stats.scatter_common[g], stats.n_all[g] - 1
        a_p, m_c = stats.scatter_complete[g], stats.n_complete[g] - 1
        out[0, g] = bayes.log_marginal(a_c[:x, :x], m_all, kappa[0, g], sigma0[:x, :x])
        out[1, g] = (bayes.log_marginal(a_c, m_all, kappa[1, g], sigma0[:qa, :qa])
                     - bayes.log_marginal(a_c[:x, :x], m_all, kappa[1, g], sigma0[:x, :x]))
        out[2, g] = (bayes.log_marginal(a_p, m_c, kappa[2, g], sigma0)
                     - bayes.log_marginal(a_p[:qa, :qa], m_c, kappa[2, g], sigma0[:qa, :qa]))
    return out


def mixture_points(rng, q: int, groups: int, k: int = 4):
    """``k`` points (Σ₀, κ, κ^out ≤ κ, π) of the two-component population."""
    points = []
    for sigma0, kv in parameter_points(rng, q, k):
        kappa_out = kv[:, None] * np.exp(-rng.uniform(0, 8, (3, groups)))
        points.append((sigma0, kv, kappa_out, rng.uniform(0.02, 0.6, 3)))
    return points


def test_two_component_likelihood_and_its_gradient(bench):
    # the mixture's likelihood is Σ_fg log[(1-π) p(A | κ) + π p(A | κ^out)] with each term the
    # per-organisation log marginal, and its analytic gradient the finite-difference one
    # for Σ₀, κ, κ^out and π; the organisation terms sum to the single population's likelihood
    from analysis.pooling import bayes_population as mix

    stats, blocks = two_pattern_stats(np.random.default_rng(3))
    q, qa, groups = blocks.q, len(blocks.common), len(stats.n_all)
    terms = bayes.likelihood_terms(stats, qa)
    for sigma0, kv, kappa_out, pi in mixture_points(np.random.default_rng(21), q, groups):
        values, grad_s_g, grad_k_g = mix.group_log_likelihood_and_gradient(terms, sigma0, kappa_out)
        assert np.allclose(values, per_organisation_factor_values(stats, qa, sigma0, kappa_out), rtol=1e-10)
        crowd = per_organisation_factor_values(stats, qa, sigma0, np.repeat(kv[:, None], groups, axis=1))
        assert crowd.sum() == pytest.approx(bayes.log_likelihood(stats, qa, sigma0, dict(zip(bayes.FACTORS, kv))),
                                            rel=1e-10)
        expected = np.logaddexp(np.log1p(-pi)[:, None] + crowd, np.log(pi)[:, None] + values)
        value, grad_s, grad_k, grad_ko, grad_pi = mix.mixture_log_likelihood_and_gradient(
            terms, sigma0, kv, kappa_out, pi)
        assert value == pytest.approx(expected.sum(), rel=1e-10)
        r = mix.responsibilities(terms, sigma0, kv, kappa_out, pi)
        assert np.allclose(r, np.exp(np.log(pi)[:, None] + values - expected)) and ((r >= 0) & (r <= 1)).all()
        assert np.allclose(grad_s, grad_s.T)

        def at(s=sigma0, k=kv, ko=kappa_out, p=pi):
            return mix.mixture_log_likelihood_and_gradient(terms, s, k, ko, p)[0]

        for f in range(3):
            h = np.zeros(3)
            h[f] = 1e-5 * kv[f]
            fd = (at(k=kv + h) - at(k=kv - h)) / (2 * h[f])
            assert grad_k[f] == pytest.approx(fd, rel=1e-5, abs=1e-6 * abs(value) / kv[f]), f
            h = np.zeros(3)
            h[f] = 1e-6
            fd = (at(p=pi + h) - at(p=pi - h)) / 2e-6
            assert grad_pi[f] == pytest.approx(fd, rel=1e-5, abs=1e-6), f
            for g in (0, groups - 1):
                h = np.zeros_like(kappa_out)
                h[f, g] = 1e-5 * kappa_out[f, g]
                fd = (at(ko=kappa_out + h) - at(ko=kappa_out - h)) / (2 * h[f, g])
                assert grad_ko[f, g] == pytest.approx(fd, rel=1e-4, abs=1e-6 * abs(value) / kappa_out[f, g]), (f, g)
        for i, j in [(0, 0), (1, 3), (4, 5), (5, 5), (2, 0)]:
            e = np.zeros((q, q))
            e[i, j] = e[j, i] = 1e-6
            fd = (at(s=sigma0 + e) - at(s=sigma0 - e)) / 2e-6
            assert np.trace(grad_s @ e) / 1e-6 == pytest.approx(fd, rel=1e-5, abs=1e-3), (i, j)
    # an outlier's κ equal to the crowd's: the two components coincide, the responsibility is π
    sigma0, kv, _, pi = mixture_points(np.random.default_rng(22), q, groups, 1)[0]
    same = np.repeat(kv[:, None], groups, axis=1)
    assert np.allclose(mix.responsibilities(terms, sigma0, kv, same, pi), pi[:, None])
    assert mix.mixture_log_likelihood_and_gradient(terms, sigma0, kv, same, pi)[0] == pytest.approx(
        bayes.log_likelihood(stats, qa, sigma0, dict(zip(bayes.FACTORS, kv))), rel=1e-10)
    # outside the support: -inf and zero gradients, not an exception
    out = mix.mixture_log_likelihood_and_gradient(terms, -np.eye(q), kv, same, pi)
    assert out[0] == -np.inf and not any(np.any(g) for g in out[1:])


def test_the_outlier_prior_calibration(bench):
    # the Bayes factor of the outlier component is the likelihood ratio times the Occam
    # factor (log: lr / 2 + log_occam), below 1 for organisations like the others, and the
    # threshold's Bayes factor follows from the default's critical value
    from analysis.pooling.shrinkage import LR_CRITICAL

    stats, blocks = two_pattern_stats(np.random.default_rng(3))
    cal = bench.outlier_prior_calibration(stats, len(blocks.common))
    t = cal["table"]
    assert np.allclose(t.log_bf, t.lr / 2 + t.log_occam) and (t.log_occam < 0).all()
    assert (t.log_bf[t.lr < 1] < 0).all()
    assert cal["bayes_factor_at_threshold"] == pytest.approx(np.exp(LR_CRITICAL / 2 + t.log_occam.median()))


def test_the_mixture_operation_is_the_pytensor_graph(bench):
    # the two-component operation gives the value and gradient of a PyTensor graph of the
    # same mixture (per-organisation log marginals, logaddexp) and its autodiff, to 1e-8
    pytensor = pytest.importorskip("pytensor", reason="the optional extra 'bayes' is not installed")
    import pytensor.tensor as pt

    from analysis.pooling import bayes_population as mix

    stats, blocks = two_pattern_stats(np.random.default_rng(3), groups=3)
    q, qa, groups, x = blocks.q, len(blocks.common), 3, len(blocks.common) - 1
    sigma0, kv, ko, pi = pt.dmatrix("sigma0"), pt.dvector("kappa"), pt.dmatrix("kappa_out"), pt.dvector("pi")
    ops = bayes.pytensor_ops()

    def log_marginal(scatter, m, k, target):
        # bayes.log_marginal with one κ per organisation (k: (G,)), on the stack of scatters
        d = scatter.shape[-1]
        nu, j = k + d + 1, np.arange(d) / 2

        def mvgammaln(v):
            return sum(pt.gammaln(v - jj) for jj in j)

        return (mvgammaln((nu + m) / 2) - mvgammaln(nu / 2) + nu / 2 * (d * pt.log(k) + ops.logdet(target))
                - (nu + m) / 2 * ops.logdet(k[:, None, None] * target + scatter))

    def factor(f, k):
        a_c, m_all = stats.scatter_common, stats.n_all - 1.0
        a_p, m_c = stats.scatter_complete, stats.n_complete - 1.0
        if f == 0:
            return log_marginal(a_c[:, :x, :x], m_all, k, sigma0[:x, :x])
        if f == 1:
            return (log_marginal(a_c, m_all, k, sigma0[:qa, :qa])
                    - log_marginal(a_c[:, :x, :x], m_all, k, sigma0[:x, :x]))
        return (log_marginal(a_p, m_c, k, sigma0) - log_marginal(a_p[:, :qa, :qa], m_c, k, sigma0[:qa, :qa]))

    def logaddexp(a, b):            # stable: PyTensor's logaddexp underflows at log likelihoods of -4,000
        return pt.maximum(a, b) + pt.log1p(pt.exp(-abs(a - b)))

    graph = sum(logaddexp(pt.log1p(-pi[f]) + factor(f, kv[f] * pt.ones(groups)), pt.log(pi[f]) + factor(f, ko[f]))
                .sum() for f in range(3))
    op = mix.mixture_op(bayes.likelihood_terms(stats, qa))(sigma0, kv, ko, pi)
    inputs = [sigma0, kv, ko, pi]
    fn = pytensor.function(inputs, [graph, op, *pytensor.grad(graph, inputs), *pytensor.grad(op, inputs)],
                           mode="FAST_COMPILE")
    for s0, k, k_out, p in mixture_points(np.random.default_rng(23), q, groups):
        v_graph, v_op, *grads = fn(s0, k, k_out, p)
        assert v_op == pytest.approx(v_graph, rel=1e-10)
        gs_graph, gk_graph, gko_graph, gpi_graph, gs_op, gk_op, gko_op, gpi_op = grads
        assert np.allclose((gs_graph + gs_graph.T) / 2, gs_op, rtol=1e-8, atol=1e-8 * abs(v_op))
        for mine, theirs in [(gk_op, gk_graph), (gko_op, gko_graph), (gpi_op, gpi_graph)]:
            assert np.allclose(mine, theirs, rtol=1e-8, atol=1e-10)


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


def test_shares_of_draws_in_block_order(bench):
    from analysis.pooling.moments import Blocks

    rng = np.random.default_rng(5)
    original = random_covariance(rng, 5)                 # columns a0, b0, a1, b1, y (outcome last)
    blocks = Blocks(5, np.array([0, 2, 4]), np.array([1, 3]))
    block = original[np.ix_(blocks.order, blocks.order)]
    pct = bench.shares(block[None], blocks)[0]
    lmg = brute_force_lmg(original)
    assert np.allclose(pct, 100 * lmg / lmg.sum())
    assert np.isclose(pct.sum(), 100)
    assert np.allclose(importance_arrays(original).lmg, lmg)


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
    assert out["max_sd_partial"] == pytest.approx(5.0)
    assert bench.compare(default, posterior, tolerance=5.0)["within"] is False     # 5 posterior SDs
    assert bench.compare(default, posterior, tolerance=5.0, sd_tolerance=5.0)["within"] is True
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
    post = bench.fit_posterior(rows, "y", drivers, group="org", draws=300, tune=300, chains=1, seed=2)
    assert np.allclose(post.groupby("group")["mean"].sum(), 100) and (post.sd > 0).all()
    # both start from the same statistics: the default's figures recomputed in the script
    check = default.merge(post, on=["group", "driver"])
    assert np.allclose(check.lmg_pct, check.eb, atol=1e-6)
    out = bench.compare(default, post, tolerance=3.0, sd_tolerance=1.0)
    assert out["within"], out["table"]
