"""Intervals of the LMG shares without pooling that allow for their small-sample bias.

With few respondents per driver the LMG shares of an organisation's own data are
flattened: chance fit adds about the same to every driver's share, so the largest
share is biased down and the smallest up, and the bootstrap does not reproduce that
bias (resamples of an over-fitted sample flatten little further). Percentile intervals
then cover the true shares only 84-92% of the time at 30-100 respondents per
organisation (``benchmarks/bench_none_estimators.py``, ``benchmarks/RESULTS.md``).

The shares' interval reported with ``pooling='none'`` is therefore the hull of two
percentile intervals over the *same* resamples, cut to 0-100: that of the plain LMG
share (the estimate reported, relaimpo's) and that of the LMG share of
small-sample-adjusted R² (:func:`analysis.importance.adjusted.adjusted_lmg_shares`,
unclipped; Ezekiel 1930), which is not flattened. The second is centred where the
population share is likely to be; the hull keeps the estimate inside its interval.

Both percentile intervals are Hesterberg's (2015) *expanded* percentile intervals
(:func:`analysis.bootstrap.importance.expanded_level`): the bootstrap distribution has
the plug-in spread and normal tails, so a percentile interval is too narrow in small
samples by about ``sqrt(n / (n - 1)) t_{n-1} / z``; the percentiles are taken at the
tail level that widens it by that factor, with ``n`` the respondents the share rests
on (every respondent of the organisation; the phone respondents for a phone-only
driver). At 30 respondents per organisation (about 17 on the phone) this widens the
intervals by 6-11%, at 400 by under 0.5%. Without it the hull covered 93.0% at 30
respondents per organisation (the issue-12 benchmark, 12,600 intervals), short of the
largest shares; with it 94.0% on two development seeds at 30 and 95.1% at 50 and 400
(``benchmarks/bench_none_expanded.py``); the confirming run of
``benchmarks/bench_pooling.py`` is in ``benchmarks/RESULTS.md``. The point estimates
and the RMSE are unchanged (the same estimate). Nothing else changes: the other
statistics' intervals, ranks and group differences are the plain bootstrap's, and
``pooling='partial'`` keeps its empirical-Bayes intervals (percentiles of posterior
draws, whose inverse-Wishart spread already has its finite-sample tails).

References
----------
Ezekiel, M. (1930). *Methods of Correlation Analysis*. Wiley.
Efron, B., & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*. Chapman & Hall.
Hesterberg, T. C. (2015). What teachers should know about the bootstrap: resampling in
    the undergraduate statistics curriculum. *The American Statistician*, 69(4), 371-386.
"""
from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from analysis.bootstrap.engine import MAX_CHUNK_ELEMENTS, resample_counts
from analysis.bootstrap.importance import expanded_level, group_generators, percentile_interval
from analysis.importance.adjusted import adjusted_lmg_shares
from analysis.pooling.moments import find_blocks, own_covariance, pattern_features, stats_from_sums, to_original_order


def adjusted_share_replicates(values: np.ndarray, columns: list[str], rng: np.random.Generator,
                              n_resamples: int) -> np.ndarray:
    """Adjusted LMG shares (%, unclipped, (B, p)) of ``n_resamples`` resamples of one group's rows.

    ``values`` are the drivers and the outcome (last), NaN where a driver is not asked;
    ``rng`` draws the resamples exactly as :func:`analysis.pooling.pooled_importance`
    does from the same generator, so these are the same resamples as the plain shares'.
    """
    blocks, complete = find_blocks(values, columns)
    centre = np.nanmean(values, axis=0)
    features = pattern_features(values, complete, blocks, centre)
    n, n_complete = len(values), int(complete.sum())
    chunk = max(1, MAX_CHUNK_ELEMENTS // max(n, 1))
    out = []
    for start in range(0, n_resamples, chunk):
        sums = resample_counts(rng, n, min(chunk, n_resamples - start)).astype(float) @ features
        cov = to_original_order(own_covariance(stats_from_sums(sums, n, blocks), len(blocks.common)), blocks)
        out.append(adjusted_lmg_shares(cov, n, n_partial=n_complete, partial=blocks.partial.tolist(), clip=False))
    return np.concatenate(out)


def with_adjusted_share_intervals(boot, rows: pd.DataFrame, group: str, seed: int):
    """``boot`` (own data, per group) with each group's ``lmg_pct`` interval the expanded hull (see above).

    Parameters
    ----------
    boot : BootstrapResult
        From :func:`analysis.pooling.pooled_importance` with ``pooling='none'`` on ``rows``.
    rows : DataFrame
        The rows it was given: the drivers, the outcome (``boot.outcome``) and ``group``.
    group : str
        The group column.
    seed : int
        The seed it was given (its ``seed_entropy``).
    """
    columns = [*boot.drivers, boot.outcome]
    codes, labels = pd.factorize(rows[group], sort=True)
    rngs, _ = group_generators(seed, len(labels))       # pooled_importance's streams, in its order
    values = rows[columns].to_numpy(dtype=float)
    est = boot.estimates.copy()
    for k, g in enumerate(labels):
        own = values[codes == k]
        adjusted = adjusted_share_replicates(own, columns, rngs[k], boot.n_resamples)
        plain = boot.replicates[g].statistic("lmg_pct")
        lo, hi = expanded_hull(plain, adjusted, (~np.isnan(own[:, :-1])).sum(axis=0), boot.level)
        where = (est.group == g) & (est.statistic == "lmg_pct")
        order = est.loc[where, "driver"].map({d: j for j, d in enumerate(boot.drivers)}).to_numpy()
        est.loc[where, "ci_low"] = lo[order]
        est.loc[where, "ci_high"] = hi[order]
    return dataclasses.replace(boot, estimates=est)


def expanded_hull(plain: np.ndarray, adjusted: np.ndarray, n: np.ndarray, level: float):
    """The hull of the expanded percentile intervals of the plain and the adjusted shares, cut to 0-100.

    Parameters
    ----------
    plain, adjusted : ndarray, shape (B, p)
        Replicates of the plain and the adjusted LMG shares (%) over the same resamples.
    n : ndarray of int, shape (p,)
        Respondents each driver rests on (every respondent of the group; the phone
        respondents for a phone-only driver).
    level : float
        Nominal coverage; each driver's percentiles are taken at
        :func:`analysis.bootstrap.importance.expanded_level` of it and its ``n``.

    Returns
    -------
    low, high : ndarray, shape (p,)
    """
    levels = expanded_level(level, np.asarray(n))
    low, high = np.empty(len(levels)), np.empty(len(levels))
    for lev in np.unique(levels):            # one level per block of drivers (two at most)
        cols = levels == lev
        plo, phi = percentile_interval(plain[:, cols], float(lev))
        alo, ahi = percentile_interval(adjusted[:, cols], float(lev))
        low[cols], high[cols] = np.fmin(plo, alo), np.fmax(phi, ahi)
    return np.clip(low, 0, 100), np.clip(high, 0, 100)
