"""Penalty-reward contrast analysis of one group's respondents (pure functions on arrays).

A linear driver model gives each driver one slope: a point less on wait time costs as
much satisfaction as a point more earns. Penalty-reward contrast analysis (Brandt 1987;
Matzler & Sauerwein 2002; Matzler et al. 2004) lets the two differ. Every driver is
coded into two dummies,

* ``low``  = 1 when the respondent's driver score is at or below the group's lower
  cut point (:data:`LOW_QUANTILE`, the 25th percentile), and
* ``high`` = 1 when it is at or above the upper cut point (:data:`HIGH_QUANTILE`, the
  75th percentile),

the middle half being the reference category. Quantiles of the group, not fixed scale
points, are used because construct scores are means of several 7-point items with a
positive lean: a fixed "1-3" would leave some groups without a single low scorer. When
the scores are tied at a cut point, the share in ``low`` or ``high`` exceeds a quarter;
a driver whose ``low`` and ``high`` meet (too few distinct scores) has no contrast and is
reported as undetermined.

Satisfaction is regressed by ordinary least squares on all drivers' dummies together
(2p regressors and an intercept). The **penalty** is ``|b_low|`` (the satisfaction lost
by low performance against the middle), the **reward** is ``b_high`` (the satisfaction
gained by high performance).

Scores are skewed (most customers agree; a long tail of low scores), so the low quarter
lies further below the middle than the high quarter lies above it (on the simulated
studies about 1.5 times as far): a driver with a straight-line effect then gets a
penalty about 1.5 times its reward, and a plain comparison calls half of the strong
linear drivers basic (``benchmarks/RESULTS.md``). The classification therefore compares
the contrasts **per point of driver score**: the penalty divided by the distance between
the middle half's and the low quarter's mean score, the reward by the distance between
the high quarter's and the middle half's mean (the slopes of a piecewise-linear effect
through the three group means). Their balance is the impact asymmetry (Mikulić &
Prebežac 2008, 'Prioritizing improvement of service attributes using impact
range-performance analysis and impact-asymmetry analysis', *Managing Service Quality*
18(6))::

    IA = (reward_per_point - penalty_per_point) / (|reward_per_point| + penalty_per_point)

Uncertainty comes from a bootstrap within the group (the cut points are kept at the
group's values, so each resample asks the same question of other respondents). A
driver is classified as

* **basic** (a dissatisfier): ``IA < -0.2``, ``penalty > |reward|`` (a negative reward
  larger than the penalty is no dissatisfier) and the bootstrap percentile interval of
  ``penalty - reward`` (per point) above 0 - low performance hurts clearly more than high
  performance helps;
* **excitement** (a satisfier): ``IA > 0.2`` and the interval below 0;
* **performance**: otherwise - no asymmetry the data can show; the linear model's
  single slope describes the driver.

The 0.2 band is Mikulić & Prebežac's; the interval keeps a driver with a negligible
effect (penalty and reward both near 0, so ``IA`` is noise) from being called basic or
excitement. Each resample is also classified by ``IA`` alone
(:func:`classify`); the shares of resamples in each class show how stable the
direction of the asymmetry is.

Drivers not asked of every respondent (wait time and the phone menu are asked on the
phone only) do not cost the others their respondents. Each driver's cut points, shares
and score gaps are taken among the respondents asked it, its dummies are 0 for the
others, and the regression gets one indicator per pattern of not-asked drivers (here:
'not asked the phone-only drivers'), so the one regression of every respondent
estimates the common drivers' contrasts on all of them and the phone-only drivers'
contrasts on the phone respondents (the only ones whose dummies vary), against the
phone respondents' middle half. This is dummy-variable adjustment: biased for values
that exist but are missing (Jones 1996), it is the appropriate model for a variable that
does not exist for a respondent (Allison 2001, on dummy-variable adjustment). It
assumes, as the driver analysis' two-pattern covariance does, that the common drivers'
effects are the same for the respondents asked and not asked the others.

A caution the report repeats: a satisfaction scale with a ceiling has little room above,
which can still make a strong driver look somewhat basic; the interval guards against
noise, not against that.

References
----------
Brandt, D. R. (1987). A procedure for identifying value-enhancing service components
    using customer satisfaction survey data. In C. Surprenant (ed.), *Add Value to Your
    Service*, 61-65. American Marketing Association.
Matzler, K., & Sauerwein, E. (2002). The factor structure of customer satisfaction.
    *International Journal of Service Industry Management*, 13(4), 314-332.
Matzler, K., Bailom, F., Hinterhuber, H. H., Renzl, B., & Pichler, J. (2004). The
    asymmetric relationship between attribute-level performance and overall customer
    satisfaction. *Industrial Marketing Management*, 33(4), 271-277.
Allison, P. D. (2001). *Missing Data*. Sage (Quantitative Applications in the Social
    Sciences 136).
Jones, M. P. (1996). Indicator and stratification methods for missing explanatory
    variables in multiple linear regression. *Journal of the American Statistical
    Association*, 91(433), 222-230.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

LOW_QUANTILE = 0.25
HIGH_QUANTILE = 0.75
# Mikulić & Prebežac (2008): |IA| up to 0.2 is a symmetric (performance) effect.
ASYMMETRY_BAND = 0.2
CLASSES = ("basic", "performance", "excitement")
UNDETERMINED = "undetermined"


@dataclass(frozen=True)
class Contrast:
    """Penalty and reward of every driver of one group, point estimate and resamples.

    Attributes
    ----------
    low_cut, high_cut : ndarray (p,)
        The cut points on the driver's score scale.
    n_asked : ndarray (p,)
        Respondents with the driver's score (asked it): its contrast rests on them.
    low_share, high_share : ndarray (p,)
        Share of those respondents coded low / high.
    penalty, reward : ndarray (p,)
        ``|b_low|`` and ``b_high`` (satisfaction points against the middle half); NaN
        for a driver without a contrast.
    penalty_per_point, reward_per_point : ndarray (p,)
        The same per point of driver score between the low (high) quarter's mean and
        the middle half's mean: what the classification uses (module docstring).
    boot_penalty, boot_reward : ndarray (B, p)
        ``penalty_per_point`` and ``reward_per_point`` in each bootstrap resample (B = 0
        without a bootstrap); NaN in a resample whose regression is singular.
    """

    low_cut: np.ndarray
    high_cut: np.ndarray
    n_asked: np.ndarray
    low_share: np.ndarray
    high_share: np.ndarray
    penalty: np.ndarray
    reward: np.ndarray
    penalty_per_point: np.ndarray
    reward_per_point: np.ndarray
    boot_penalty: np.ndarray
    boot_reward: np.ndarray


def dummy_code(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Low/high dummies of each column of ``x`` (n, p) at the quantile cut points.

    Returns ``(low, high, low_cut, high_cut)``; ``low`` and ``high`` are (n, p) floats.
    A missing score (a driver not asked) is neither low nor high, and the cut points
    are those of the respondents with a score.

    Examples
    --------
    >>> low, high, lo, hi = dummy_code(np.arange(1.0, 9.0)[:, None])
    >>> low[:, 0].tolist(), high[:, 0].tolist()
    ([1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0])
    """
    x = np.asarray(x, dtype=float)
    if np.isnan(x).any():
        with warnings.catch_warnings():         # a column nobody has: NaN cut points, no contrast
            warnings.simplefilter("ignore", RuntimeWarning)
            low_cut = np.nanquantile(x, LOW_QUANTILE, axis=0)
            high_cut = np.nanquantile(x, HIGH_QUANTILE, axis=0)
    else:
        low_cut = np.quantile(x, LOW_QUANTILE, axis=0)
        high_cut = np.quantile(x, HIGH_QUANTILE, axis=0)
    low = (x <= low_cut).astype(float)
    high = (x >= high_cut).astype(float)
    return low, high, low_cut, high_cut


def not_asked_patterns(asked: np.ndarray) -> np.ndarray:
    """(n, k) indicators, one per distinct pattern of drivers not asked (columns of ``~asked``).

    Drivers asked of everyone or of no one give none; drivers not asked of the same
    respondents (the phone-only ones) share one.

    Examples
    --------
    >>> asked = np.array([[1, 1, 1], [1, 0, 0], [1, 1, 1], [1, 0, 0]], dtype=bool)
    >>> not_asked_patterns(asked).T.tolist()
    [[0.0, 1.0, 0.0, 1.0]]
    """
    missing = ~np.asarray(asked, dtype=bool)
    partial = missing[:, missing.any(axis=0) & ~missing.all(axis=0)]
    if not partial.shape[1]:
        return np.zeros((missing.shape[0], 0))
    return np.unique(partial, axis=1).astype(float)


def _design(low: np.ndarray, high: np.ndarray, usable: np.ndarray, patterns: np.ndarray) -> np.ndarray:
    """Intercept, the dummies of the usable drivers [1, low_1, high_1, low_2, high_2, ...], then the patterns."""
    cols = [np.ones(low.shape[0])]
    for k in np.flatnonzero(usable):
        cols += [low[:, k], high[:, k]]
    return np.column_stack([*cols, patterns])


def _unpack(coef: np.ndarray, usable: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(penalty, reward) per driver from the coefficients; NaN for drivers without a contrast."""
    penalty = np.full(usable.shape[0], np.nan)
    reward = np.full(usable.shape[0], np.nan)
    dummies = coef[1:1 + 2 * int(usable.sum())]        # the not-asked indicators follow
    penalty[usable] = np.abs(dummies[0::2])
    reward[usable] = dummies[1::2]
    return penalty, reward


def _solve(x: np.ndarray, y: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray | None:
    """Least-squares coefficients (weighted by resample counts); None when the design is singular."""
    xw = x if weights is None else x * weights[:, None]
    xtx = xw.T @ x
    # A dummy that is constant in a resample makes X'X singular: the contrast is undefined there.
    if np.linalg.cond(xtx) > 1e12:
        return None
    return np.linalg.solve(xtx, xw.T @ y)


def score_gaps(x: np.ndarray, low: np.ndarray, high: np.ndarray,
               weights: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(middle mean - low mean, high mean - middle mean) of each driver's score; NaN where a part is empty.

    Respondents without the score (not asked) are in no part.

    Examples
    --------
    >>> x = np.array([[1.0], [4.0], [5.0], [6.0], [7.0]])
    >>> low, high, _, _ = dummy_code(x)
    >>> [g.tolist() for g in score_gaps(x, low, high)]
    [[2.5], [1.5]]
    """
    w = np.ones(x.shape[0]) if weights is None else weights
    asked = ~np.isnan(x)
    mid = (1 - low) * (1 - high) * asked
    x = np.where(asked, x, 0.0)

    def mean(mask):
        total = w @ mask
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(total > 0, (w @ (x * mask)) / np.where(total > 0, total, 1.0), np.nan)

    m_low, m_mid, m_high = mean(low), mean(mid), mean(high)
    return m_mid - m_low, m_high - m_mid


def _per_point(penalty, reward, gaps):
    with np.errstate(invalid="ignore", divide="ignore"):
        return penalty / gaps[0], reward / gaps[1]


def penalty_reward(x: np.ndarray, y: np.ndarray, n_resamples: int = 0,
                   rng: np.random.Generator | None = None) -> Contrast:
    """Penalty-reward contrast of the drivers ``x`` (n, p) on the outcome ``y`` (n,).

    Parameters
    ----------
    x : ndarray (n, p)
        Driver scores of one group's respondents; NaN where a driver was not asked
        (see the module docstring).
    y : ndarray (n,)
        Their outcome (satisfaction).
    n_resamples : int
        Bootstrap resamples of the respondents (0: none).
    rng : numpy.random.Generator
        The group's own stream (needed when ``n_resamples > 0``).

    Returns
    -------
    Contrast

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> z = rng.standard_normal((4000, 2))
    >>> y = 0.5 * z[:, 0] + 0.8 * np.minimum(z[:, 1], 0) + rng.standard_normal(4000)
    >>> c = penalty_reward(z, y, n_resamples=200, rng=np.random.default_rng(1))
    >>> d = c.boot_penalty - c.boot_reward
    >>> lo, hi = np.quantile(d, [0.025, 0.975], axis=0)
    >>> classify_with_interval(c.penalty_per_point, c.reward_per_point, lo, hi).tolist()
    ['performance', 'basic']
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    low, high, low_cut, high_cut = dummy_code(x)
    asked = ~np.isnan(x)
    n_asked = asked.sum(axis=0)
    # A contrast needs low and high respondents who are not the same people.
    usable = (low.any(axis=0) & high.any(axis=0) & ~(low.astype(bool) & high.astype(bool)).any(axis=0)
              & (low_cut < high_cut))
    design = _design(low, high, usable, not_asked_patterns(asked))
    coef = _solve(design, y)
    p = x.shape[1]
    if coef is None:
        penalty = reward = np.full(p, np.nan)
    else:
        penalty, reward = _unpack(coef, usable)
    penalty_pp, reward_pp = _per_point(penalty, reward, score_gaps(x, low, high))
    boot_p = np.full((n_resamples, p), np.nan)
    boot_r = np.full((n_resamples, p), np.nan)
    n = x.shape[0]
    for b in range(n_resamples):
        counts = np.bincount(rng.integers(0, n, size=n), minlength=n).astype(float)
        coef_b = _solve(design, y, counts)
        if coef_b is not None:
            boot_p[b], boot_r[b] = _per_point(*_unpack(coef_b, usable), score_gaps(x, low, high, counts))
    with np.errstate(invalid="ignore", divide="ignore"):
        low_share, high_share = low.sum(axis=0) / n_asked, high.sum(axis=0) / n_asked
    return Contrast(low_cut=low_cut, high_cut=high_cut, n_asked=n_asked, low_share=low_share, high_share=high_share,
                    penalty=penalty, reward=reward, penalty_per_point=penalty_pp, reward_per_point=reward_pp,
                    boot_penalty=boot_p, boot_reward=boot_r)


def impact_asymmetry(penalty: np.ndarray, reward: np.ndarray) -> np.ndarray:
    """``(reward - penalty) / (|reward| + penalty)``, NaN where both are 0 or undefined."""
    penalty = np.asarray(penalty, dtype=float)
    reward = np.asarray(reward, dtype=float)
    total = np.abs(reward) + penalty
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, (reward - penalty) / np.where(total > 0, total, 1.0), np.nan)


def classify_with_interval(penalty: np.ndarray, reward: np.ndarray, diff_low: np.ndarray,
                           diff_high: np.ndarray) -> np.ndarray:
    """The reported class: :func:`classify`, kept only where the interval of ``penalty - reward`` agrees.

    Examples
    --------
    >>> classify_with_interval(np.array([0.5, 0.5, 0.1]), np.array([0.1, 0.1, 0.5]),
    ...                        np.array([0.1, -0.1, -0.6]), np.array([0.6, 0.7, -0.2])).tolist()
    ['basic', 'performance', 'excitement']
    """
    out = classify(penalty, reward)
    out[(out == "basic") & ~(np.asarray(diff_low) > 0)] = "performance"
    out[(out == "excitement") & ~(np.asarray(diff_high) < 0)] = "performance"
    return out


def classify(penalty: np.ndarray, reward: np.ndarray) -> np.ndarray:
    """Class of each driver by its impact asymmetry (module docstring); 'undetermined' where NaN.

    Examples
    --------
    >>> classify(np.array([0.5, 0.3, 0.1, np.nan, 0.1]), np.array([0.1, 0.3, 0.5, 0.2, -0.3])).tolist()
    ['basic', 'performance', 'excitement', 'undetermined', 'performance']
    """
    ia = impact_asymmetry(penalty, reward)
    out = np.full(ia.shape, "performance", dtype=object)
    # A negative reward (the top quarter less satisfied than the middle) with a smaller penalty is
    # no dissatisfier: the asymmetry must come from the penalty.
    out[(ia < -ASYMMETRY_BAND) & (np.asarray(penalty) > np.abs(reward))] = "basic"
    out[ia > ASYMMETRY_BAND] = "excitement"
    out[np.isnan(ia)] = UNDETERMINED
    return out
