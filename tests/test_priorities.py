"""Importance-performance analysis: quadrants, priority ranks and their bootstrap intervals."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from analysis.bootstrap.importance import bootstrap_importance  # noqa: E402
from analysis.drivers.priorities import (  # noqa: E402
    QUADRANTS,
    importance_performance,
    performance_0_100,
    plot_priorities,
    priorities,
)

IMP = pd.Series({"empathy": 0.20, "wait_time": 0.15, "menu": 0.02, "reliability": 0.03})
PERF = pd.Series({"empathy": 5.9, "wait_time": 3.1, "menu": 3.0, "reliability": 6.2})


def test_performance_rescaling():
    np.testing.assert_allclose(performance_0_100([1, 4, 7]), [0, 50, 100])
    np.testing.assert_allclose(performance_0_100([1, 3, 5], scale=(1, 5)), [0, 50, 100])
    with pytest.raises(ValueError, match="maximum must exceed"):
        performance_0_100([1], scale=(7, 1))


def test_quadrants_and_priority_rank_by_hand():
    t = importance_performance(IMP, PERF).table.set_index("driver")
    # shares: 50, 37.5, 5, 7.5 (% of 0.40); performance: 81.67, 35, 33.33, 86.67
    np.testing.assert_allclose(t.importance, [50, 37.5, 5, 7.5])
    np.testing.assert_allclose(t.performance, [490 / 6, 35, 200 / 6, 520 / 6])
    assert t.quadrant.to_dict() == {"empathy": "keep up the good work", "wait_time": "concentrate here",
                                    "menu": "low priority", "reliability": "possible overkill"}
    # score = share x (100 - performance) / 100
    np.testing.assert_allclose(t.priority_score, [50 * (100 - 490 / 6) / 100, 37.5 * 0.65,
                                                  5 * (100 - 200 / 6) / 100, 7.5 * (100 - 520 / 6) / 100])
    assert t.priority_rank.tolist() == [2, 1, 3, 4]
    assert set(QUADRANTS) == {"concentrate here", "keep up the good work", "low priority", "possible overkill"}
    assert t.importance_ci_low.isna().all() and not t.unstable_ranks.any()


def test_concentrate_here_ranks_first_even_with_a_lower_score():
    imp = pd.Series({"a": 0.50, "b": 0.27, "c": 0.13, "d": 0.10})
    perf = pd.Series({"a": 4.9, "b": 3.4, "c": 6.0, "d": 6.0})   # 65, 40, 83.3, 83.3 -> mean 67.9
    t = importance_performance(imp, perf).table.set_index("driver")
    assert t.loc["a", "quadrant"] == "concentrate here" and t.loc["b", "quadrant"] == "concentrate here"
    # a: 50 x .35 = 17.5; b: 27 x .60 = 16.2 -> a first; both before c, d
    assert t.priority_rank.tolist() == [1, 2, 3, 4]
    perf2 = pd.Series({"a": 4.9, "b": 3.4, "c": 6.0, "d": 1.5})
    t2 = importance_performance(imp, perf2).table.set_index("driver")
    # performance 65, 40, 83.3, 8.3 -> mean 49.2: a is now 'keep up the good work' with the
    # highest score (17.5), yet b ('concentrate here', 16.2) comes first; then d ('low
    # priority', 10 x .917 = 9.2) before c ('possible overkill', 13 x .167 = 2.2)
    assert t2.quadrant.to_dict() == {"a": "keep up the good work", "b": "concentrate here",
                                     "c": "possible overkill", "d": "low priority"}
    assert t2.priority_score["a"] > t2.priority_score["b"]
    assert t2.priority_rank.to_dict() == {"a": 2, "b": 1, "c": 4, "d": 3}


@pytest.mark.parametrize("crosshair,expected_imp,expected_perf", [
    ("mean", 25.0, (490 / 6 + 35 + 200 / 6 + 520 / 6) / 4),
    ("median", (37.5 + 7.5) / 2, (490 / 6 + 35) / 2),
    ("midpoint", 25.0, 50.0),
])
def test_crosshair_options(crosshair, expected_imp, expected_perf):
    res = importance_performance(IMP, PERF, crosshair=crosshair)
    ch = res.crosshairs.iloc[0]
    assert ch.importance == pytest.approx(expected_imp)
    assert ch.performance == pytest.approx(expected_perf)
    t = res.table.set_index("driver")
    important = t.importance >= expected_imp
    high = t.performance >= expected_perf
    expected = np.where(important, np.where(high, "keep up the good work", "concentrate here"),
                        np.where(high, "possible overkill", "low priority"))
    assert t.quadrant.tolist() == expected.tolist()
    # median cross-hair puts wait_time (37.5 >= 22.5) in concentrate here, reliability not
    if crosshair == "median":
        assert t.loc["reliability", "quadrant"] == "possible overkill"


def test_rank_interval_from_replicates():
    drivers = list(IMP.index)
    same = np.tile(IMP.to_numpy(), (40, 1)), np.tile(PERF.to_numpy(), (40, 1))
    t = importance_performance(IMP, PERF, importance_replicates=same[0],
                               performance_replicates=same[1], n=50).table
    np.testing.assert_array_equal(t.priority_rank_ci_low, t.priority_rank)
    np.testing.assert_array_equal(t.priority_rank_ci_high, t.priority_rank)
    assert t.unstable_ranks.all()                       # n = 50 < 100
    # half the resamples swap which of empathy / wait_time needs attention
    swapped_perf = PERF.copy()
    swapped_perf[["empathy", "wait_time"]] = [3.1, 5.9]
    imp_b = np.tile(IMP.to_numpy(), (40, 1))
    perf_b = np.vstack([np.tile(PERF.to_numpy(), (20, 1)), np.tile(swapped_perf.to_numpy(), (20, 1))])
    t = importance_performance(IMP, PERF, importance_replicates=imp_b, performance_replicates=perf_b,
                               n=500).table.set_index("driver")
    assert (t.loc["empathy", "priority_rank_ci_low"], t.loc["empathy", "priority_rank_ci_high"]) == (1, 2)
    assert (t.loc["wait_time", "priority_rank_ci_low"], t.loc["wait_time", "priority_rank_ci_high"]) == (1, 2)
    assert t.loc["menu", "priority_rank_ci_high"] == 3
    assert drivers == t.index.tolist()


@pytest.fixture(scope="module")
def boot():
    rng = np.random.default_rng(3)
    n = 450
    drivers = ["reliability", "empathy", "wait_time", "menu"]
    x = np.clip(np.round(rng.normal([4.0, 5.5, 3.0, 6.0], 1.2, size=(n, 4))), 1, 7)
    y = np.clip(np.round(1 + x @ [0.6, 0.4, 0.3, 0.05] + rng.normal(size=n)), 1, 10)
    df = pd.DataFrame(x, columns=drivers).assign(satisfaction=y)
    df["org"] = np.where(np.arange(n) < 60, "small", "large")
    return bootstrap_importance(df, "satisfaction", drivers, group="org", n_resamples=300, seed=2)


def test_priorities_from_bootstrap_recompute_rule_per_resample(boot):
    res = priorities(boot)
    t = res.table[res.table.group == "large"].set_index("driver")
    reps = boot.replicates["large"]
    # independent re-implementation of the rule, resample by resample
    ranks = []
    for lmg, mean in zip(reps.lmg, reps.mean):
        share = 100 * lmg / lmg.sum()
        perf = (mean - 1) / 6 * 100
        conc = (share >= share.mean()) & (perf < perf.mean())
        score = share * (100 - perf) / 100
        order = sorted(range(4), key=lambda j: (not conc[j], -score[j]))
        r = np.empty(4)
        r[order] = np.arange(1, 5)
        ranks.append(r)
    ranks = np.array(ranks)
    np.testing.assert_array_equal(t.priority_rank_ci_low, np.quantile(ranks, 0.025, axis=0, method="inverted_cdf"))
    np.testing.assert_array_equal(t.priority_rank_ci_high, np.quantile(ranks, 0.975, axis=0, method="inverted_cdf"))
    share_b = 100 * reps.lmg / reps.lmg.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(t.importance_ci_high, np.percentile(share_b, 97.5, axis=0))
    lmg_pct = boot.table("lmg_pct").query("group == 'large'").estimate.to_numpy()
    np.testing.assert_allclose(t.importance, lmg_pct, atol=1e-10)
    assert t.loc["reliability", "priority_rank"] == 1        # most important, low performance
    assert t.loc["reliability", "quadrant"] == "concentrate here"
    small = res.table[res.table.group == "small"]
    assert small.unstable_ranks.all() and not t.unstable_ranks.any()
    assert (small.n == 60).all()


def test_importance_measures(boot):
    beta = priorities(boot, importance="abs_beta").table.query("group == 'large'")
    std = boot.point["large"].std_beta[0]
    np.testing.assert_allclose(beta.importance, 100 * np.abs(std) / np.abs(std).sum())
    rw = priorities(boot, importance="relative_weight").table.query("group == 'large'")
    np.testing.assert_allclose(rw.importance.sum(), 100)
    with pytest.raises(ValueError, match="importance must be one of"):
        priorities(boot, importance="sem")
    with pytest.raises(ValueError, match="crosshair must be one of"):
        priorities(boot, crosshair="centre")


def test_plot_priorities(boot):
    res = priorities(boot)
    fig, ax = plt.subplots()
    out = plot_priorities(res, group="large", ax=ax)
    assert out is ax
    texts = [t.get_text() for t in ax.texts]
    for name in QUADRANTS:
        assert name in texts
    for driver in boot.drivers:
        assert driver in texts
    x0, x1 = ax.get_xlim()                   # fitted to the points, not the whole 0-100 scale
    t = res.table[res.table.group == "large"]
    assert 0 <= x0 <= t.performance.min() and t.performance.max() <= x1 <= 100 and x1 - x0 < 100
    assert len(ax.containers) >= 1           # error bar containers
    with pytest.raises(ValueError, match="choose one with group="):
        plot_priorities(res)
    plt.close("all")


def test_input_errors():
    with pytest.raises(ValueError, match="outside the scale"):
        importance_performance(IMP, PERF, scale=(1, 5))
    with pytest.raises(ValueError, match="no value for driver"):
        importance_performance(IMP, PERF.drop("menu"))
    with pytest.raises(ValueError, match="both importance_replicates and performance_replicates"):
        importance_performance(IMP, PERF, importance_replicates=np.ones((3, 4)))
