"""The size-free profile test of the set-aside rule (analysis/pooling/profile.py)."""
import numpy as np
import pytest

from analysis.pooling.moments import Blocks, pattern_features, stats_from_sums
from analysis.pooling.profile import profile_critical, profile_statistic
from analysis.pooling.shrinkage import pool_covariances

CORR = np.array([[1, .5, .4, .3], [.5, 1, .35, .3], [.4, .35, 1, .4], [.3, .3, .4, 1]])
COMMON_BETA = np.array([.45, .30, .12, .08])
ROTATED_BETA = np.array([.08, .12, .30, .50])      # another top driver, about the crowd's R²


def study(seed, n_crowd=10):
    """A crowd whose profiles vary moderately and a lot in size (x0.5-1.5), and one large rotated organisation."""
    rng = np.random.default_rng(seed)
    scales = rng.permutation(np.linspace(.5, 1.5, n_crowd))
    betas = [s * (COMMON_BETA + rng.normal(0, .03, 4)) for s in scales] + [ROTATED_BETA]
    sizes = [*rng.integers(100, 300, n_crowd), 600]
    blocks = Blocks(5, np.arange(5), np.arange(0))
    sums = []
    for b, n in zip(betas, sizes):
        x = rng.standard_normal((n, 4)) @ np.linalg.cholesky(CORR).T
        data = np.column_stack([x, x @ b + rng.normal(0, .7, n)])
        sums.append(pattern_features(data, np.ones(n, bool), blocks, np.zeros(5)).sum(axis=0))
    return stats_from_sums(np.array(sums), np.array(sizes), blocks)


def test_a_rotated_profile_is_set_aside_and_the_crowd_of_other_sizes_is_not():
    # the likelihood-ratio rule alone set the rotated organisation aside in 4 of these 10
    # studies (the crowd's spread in size hides its rotation); the profile test in all
    flags = np.array([pool_covariances(study(seed), 5).different["outcome"] for seed in range(10)])
    assert flags[:, -1].all()
    assert flags[:, :-1].mean() < 0.15


def test_profile_statistic_is_blind_to_size_and_calibrated_in_the_crowd():
    ws = []
    for seed in range(40):
        st = study(seed)
        m = st.n_all - 1
        member = np.r_[np.ones(10, bool), False]              # the population: the crowd only
        target = (st.scatter_common / m[:, None, None]).mean(0)[:4, :4]
        ws.append(profile_statistic(st.scatter_common, m, member, target))
    ws = np.array(ws)
    crowd = ws[:, :-1]
    # about chi-square with k - 1 = 3 degrees of freedom (median 2.37) although sizes vary 3-fold
    assert 1.5 < np.median(crowd) < 3.5
    assert (crowd > profile_critical(4)).mean() < 0.05
    assert np.median(ws[:, -1]) > 5 * profile_critical(4)


def test_leave_one_out_and_degenerate_organisations():
    st = study(0)
    m = st.n_all - 1
    target = np.eye(4)
    full = profile_statistic(st.scatter_common, m, np.ones(11, bool), target)
    # an organisation's own profile does not enter its population's β₀ and τ² (only the
    # members' weights, through the first pass's τ²): leaving it out of the members
    # changes its statistic a little, leaving out another organisation does too
    member = np.ones(11, bool)
    member[-1] = False
    assert profile_statistic(st.scatter_common, m, member, target)[-1] == pytest.approx(full[-1], rel=0.2)
    # too few respondents for a regression of its own (m <= k), or a NaN scatter: 0
    small = m.astype(float).copy()
    small[0] = 3
    scatter = st.scatter_common.copy()
    scatter[1] = np.nan
    w = profile_statistic(scatter, small, np.ones(11, bool), target)
    assert w[0] == 0 and w[1] == 0 and w[-1] > profile_critical(4)
    # stacked (bootstrap-like) leading axes give the same numbers as one at a time
    stacked = profile_statistic(np.stack([st.scatter_common] * 3), np.stack([m] * 3), np.ones((3, 11), bool),
                                np.stack([target] * 3), weights=np.ones((3, 11)))
    np.testing.assert_allclose(stacked, np.stack([full] * 3), rtol=1e-10)
