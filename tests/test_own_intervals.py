"""Small-sample correction of ``pooling='none'``'s LMG share intervals (analysis.drivers.own_intervals)."""
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.bootstrap.importance import expanded_level, percentile_interval
from analysis.common.errors import ServiceDriversError
from analysis.drivers.own_intervals import expanded_hull, with_adjusted_share_intervals
from analysis.pooling import pooled_importance


def test_expanded_level_widens_a_normal_interval_by_hesterbergs_factor():
    """Hesterberg (2015): the percentile interval widened by sqrt(n/(n-1)) t_{n-1} / z."""
    for n in (5, 17, 30, 100):
        level = float(expanded_level(0.95, n))
        factor = stats.norm.ppf((1 + level) / 2) / stats.norm.ppf(0.975)
        assert factor == pytest.approx(np.sqrt(n / (n - 1)) * stats.t.ppf(0.975, n - 1) / 1.959964, rel=1e-6)
    # values from t tables: t_29(.975) = 2.0452, t_16(.975) = 2.1199
    assert stats.norm.ppf((1 + float(expanded_level(0.95, 30))) / 2) == pytest.approx(np.sqrt(30 / 29) * 2.0452,
                                                                                      abs=2e-4)
    assert stats.norm.ppf((1 + float(expanded_level(0.95, 17))) / 2) == pytest.approx(np.sqrt(17 / 16) * 2.1199,
                                                                                      abs=2e-4)
    # a 90% interval is expanded too, less in absolute terms
    assert 0.90 < float(expanded_level(0.90, 30)) < float(expanded_level(0.95, 30))


def test_expanded_level_falls_monotonically_to_the_nominal_level():
    n = np.array([2, 3, 5, 10, 17, 30, 50, 100, 400, 10_000, 1_000_000])
    levels = expanded_level(0.95, n)
    assert np.all(np.diff(levels) < 0) and np.all(levels > 0.95) and np.all(levels[1:] < 1)
    assert levels[0] <= 1                        # n = 2: t_1 gives the whole bootstrap range
    assert levels[-1] == pytest.approx(0.95, abs=1e-6)
    assert levels[n == 400][0] == pytest.approx(0.95, abs=0.001)   # 1.004x wider at 400
    with pytest.raises(ServiceDriversError, match="at least 2"):
        expanded_level(0.95, 1)


def test_expanded_hull_widens_small_groups_and_leaves_large_ones():
    rng = np.random.default_rng(3)
    plain = 30 + 5 * rng.standard_normal((20_000, 3))
    adjusted = plain + 2                          # shifted: the hull takes the low end of one, the top of the other
    nominal = [np.minimum(percentile_interval(plain, .95)[0], percentile_interval(adjusted, .95)[0]),
               np.maximum(percentile_interval(plain, .95)[1], percentile_interval(adjusted, .95)[1])]
    lo, hi = expanded_hull(plain, adjusted, np.array([30, 30, 17]), 0.95)
    # a normal bootstrap distribution: each end moves out by (factor - 1) z sd
    for j, n in enumerate((30, 30, 17)):
        factor = np.sqrt(n / (n - 1)) * stats.t.ppf(0.975, n - 1) / stats.norm.ppf(0.975)
        assert nominal[0][j] - lo[j] == pytest.approx((factor - 1) * 1.96 * 5, rel=0.1)
        assert hi[j] - nominal[1][j] == pytest.approx((factor - 1) * 1.96 * 5, rel=0.1)
    assert hi[2] - lo[2] > hi[0] - lo[0]          # the phone-only driver, on fewer respondents: wider
    big_lo, big_hi = expanded_hull(plain, adjusted, np.full(3, 1_000_000), 0.95)
    np.testing.assert_allclose(big_lo, nominal[0], atol=1e-3)
    np.testing.assert_allclose(big_hi, nominal[1], atol=1e-3)
    # cut to 0-100
    lo, hi = expanded_hull(plain - 30, plain + 70, np.full(3, 30), 0.95)
    assert np.all(lo == 0) and np.all(hi == 100)


def _study(rng, n):
    cov = np.array([[1, .4, .3, .5], [.4, 1, .3, .4], [.3, .3, 1, .3], [.5, .4, .3, 1]])
    frames = []
    for org in ("A", "B", "C"):
        x = rng.standard_normal((n, 4)) @ np.linalg.cholesky(cov).T
        df = pd.DataFrame(x, columns=["a", "b", "c", "y"]).assign(org=org)
        df.loc[rng.random(n) > 0.55, "c"] = np.nan          # 'c' asked on the phone only
        frames.append(df)
    return pd.concat(frames, ignore_index=True)


@pytest.mark.parametrize("n", [40, 3000])
def test_product_intervals_contain_the_nominal_hull_and_converge_to_it(n, monkeypatch):
    data = _study(np.random.default_rng(n), n)
    boot = pooled_importance(data, "y", ["a", "b", "c"], group="org", pooling="none", n_resamples=300, seed=4,
                             versus_rest=False).boot
    out = with_adjusted_share_intervals(boot, data, "org", 4).table("lmg_pct").set_index(["group", "driver"])
    # the same hull at the nominal level (the intervals before the correction)
    monkeypatch.setattr("analysis.drivers.own_intervals.expanded_level", lambda level, n: np.full(len(n), level))
    nominal = with_adjusted_share_intervals(boot, data, "org", 4).table("lmg_pct").set_index(["group", "driver"])
    plain = boot.table("lmg_pct").set_index(["group", "driver"]).loc[out.index]
    nominal = nominal.loc[out.index]
    np.testing.assert_allclose(out.estimate, plain.estimate)          # the estimate is unchanged
    assert (nominal.ci_low <= plain.ci_low + 1e-12).all() and (nominal.ci_high >= plain.ci_high - 1e-12).all()
    assert (out.ci_low <= nominal.ci_low + 1e-12).all() and (out.ci_high >= nominal.ci_high - 1e-12).all()
    widened = (out.ci_high - out.ci_low) / (nominal.ci_high - nominal.ci_low)
    if n == 40:     # 40 respondents (about 22 on the phone): a few percent wider, more for the phone-only 'c'
        assert widened.min() >= 1 and 1.05 < widened.max() < 1.3     # unchanged where cut at 0 or 100
        assert widened.xs("c", level="driver").mean() > widened.xs("a", level="driver").mean()
    else:           # 3000: unchanged within 1%
        np.testing.assert_allclose(widened, 1, atol=0.01)
