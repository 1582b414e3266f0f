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
Coverage and widths measured on the issue-12 design are in ``benchmarks/RESULTS.md``
(against 83-93% for the plain percentile interval at 30-400 respondents per
organisation); the RMSE of the estimate is unchanged (it is the same estimate). Nothing
else changes: the point estimates, the other statistics' intervals, ranks and group
differences are the plain bootstrap's.

References
----------
Ezekiel, M. (1930). *Methods of Correlation Analysis*. Wiley.
Efron, B., & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*. Chapman & Hall.
"""
from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from analysis.bootstrap.engine import MAX_CHUNK_ELEMENTS, resample_counts
from analysis.bootstrap.importance import group_generators, percentile_interval
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
    """``boot`` (own data, per group) with each group's ``lmg_pct`` interval widened to the hull (see above).

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
        where = (est.group == g) & (est.statistic == "lmg_pct")
        if not where.any():     # a group that only lent its respondents (pooled_importance's auxiliary)
            continue
        reps = adjusted_share_replicates(values[codes == k], columns, rngs[k], boot.n_resamples)
        lo, hi = percentile_interval(reps, boot.level)
        order = est.loc[where, "driver"].map({d: j for j, d in enumerate(boot.drivers)}).to_numpy()
        est.loc[where, "ci_low"] = np.clip(np.fmin(est.loc[where, "ci_low"].to_numpy(), lo[order]), 0, 100)
        est.loc[where, "ci_high"] = np.clip(np.fmax(est.loc[where, "ci_high"].to_numpy(), hi[order]), 0, 100)
    return dataclasses.replace(boot, estimates=est)
