"""The per-organisation tasks of the pooled bootstrap (:mod:`analysis.pooling.estimate`).

Each organisation's feature sums and resampled sums from its own rows and random stream
(:func:`group_sums`), and, once the pooling is done, its replicates' importance measures
and those of the rest of the sample (:func:`run_replicates`, a run of organisations per
task). They depend on one organisation's numbers only, so they are the same wherever
they run.
"""
from __future__ import annotations

import numpy as np

from analysis.bootstrap.engine import Replicates, resample_counts
from analysis.common.scheduler import tasks_per_worker
from analysis.importance.relative import importance_arrays
from analysis.pooling.moments import (Blocks, PatternStats, own_covariance, pattern_features, stats_from_sums, sum_means,
                                      to_original_order)


def group_sums(rng: np.random.Generator, values: np.ndarray, complete: np.ndarray, blocks: Blocks,
               centre: np.ndarray, n_resamples: int, chunk: int) -> tuple[np.ndarray, np.ndarray]:
    """One organisation's feature sums, (f,), and resampled feature sums, (n_resamples, f) (a task).

    The features (:func:`~analysis.pooling.moments.pattern_features`) of its rows
    ``values`` (n, q); the resamples drawn in chunks of ``chunk``.
    """
    features = pattern_features(values, complete, blocks, centre)
    n = len(features)
    return features.sum(axis=0), np.concatenate(
        [resample_counts(rng, n, min(chunk, n_resamples - start)).astype(float) @ features
         for start in range(0, n_resamples, chunk)])


def replicates(cov: np.ndarray, mean: np.ndarray, blocks: Blocks, p: int) -> Replicates:
    """Every importance measure of a stack of block-order covariances (and the drivers' means)."""
    return Replicates.from_arrays(importance_arrays(to_original_order(cov, blocks)),
                                  to_original_order_vector(mean, blocks)[:, :p])


def _group_replicates(cov: np.ndarray, mean: np.ndarray, sums: np.ndarray, total: np.ndarray | None, n_rest: int,
                      blocks: Blocks, centre: np.ndarray, p: int):
    """One organisation's replicates and, given all organisations' summed sums (B, f), its rest's.

    The rest of the sample's sums are the total minus the organisation's own (``sums``,
    (B, f)), as :func:`rest_of` forms them.
    """
    own = replicates(cov, mean, blocks, p)
    if total is None:
        return own, None
    rest_sums = total - sums
    stats = stats_from_sums(rest_sums[:, None], np.broadcast_to(n_rest, (rest_sums.shape[0], 1)), blocks)
    rest_cov = own_covariance(stats, len(blocks.common))[:, 0]
    return own, replicates(rest_cov, means(stats, blocks, centre)[:, 0], blocks, p)


def stage(progress, name: str):
    """``progress(stage, done, total)`` as the ``progress(done, total)`` of stage ``name`` (None without one)."""
    return None if progress is None else (lambda done, total: progress(name, done, total))


def runs(n: int, runner) -> list[slice]:
    """``n`` organisations in runs of consecutive ones, a few per worker of ``runner``."""
    size = max(1, -(-n // (tasks_per_worker(runner) * runner.n_workers)))
    return [slice(start, min(start + size, n)) for start in range(0, n, size)]


def run_replicates(cov: np.ndarray, mean: np.ndarray, sums: np.ndarray, total: np.ndarray | None,
                   n_rest: np.ndarray, blocks: Blocks, centre: np.ndarray, p: int, point: tuple,
                   rest: tuple | None) -> list:
    """A run of organisations' replicates, point estimates and own-data figures (a task).

    ``cov``, ``mean``, ``sums`` are the run's (B, g, ...) slices (:func:`_group_replicates`);
    ``point`` the run's point covariances, own-data covariances and means, (1, g, ...);
    ``rest`` (all organisations' point sums, their sizes and the run's slice) gives each
    one's rest of the sample (:func:`rest_of`), None without it. Per organisation:
    its replicates, its rest's replicates, its point estimate, its own-data figures and
    its rest's point estimate (None where not asked for).
    """
    point_cov, own_cov, point_mean = point
    rest_cov, rest_mean = rest_of(*rest, blocks, centre) if rest is not None else (None, None)
    out = []
    for j in range(cov.shape[1]):
        reps, rest_reps = _group_replicates(cov[:, j], mean[:, j], sums[:, j], total, n_rest[j], blocks, centre, p)
        out.append((reps, rest_reps, replicates(point_cov[:, j], point_mean[:, j], blocks, p),
                    replicates(own_cov[:, j], point_mean[:, j], blocks, p),
                    None if rest is None else replicates(rest_cov[:, j], rest_mean[:, j], blocks, p)))
    return out


def rest_of(sums: np.ndarray, n_all: np.ndarray, which: slice, blocks: Blocks, centre: np.ndarray):
    """Own-data covariances and means of all organisations but each of ``which`` pooled, (B, g, ...)."""
    rest = sums.sum(axis=1, keepdims=True) - sums[:, which]
    stats = stats_from_sums(rest, np.broadcast_to(n_all.sum() - n_all[which], rest.shape[:-1]), blocks)
    return own_covariance(stats, len(blocks.common)), means(stats, blocks, centre)


def to_original_order_vector(v: np.ndarray, blocks: Blocks) -> np.ndarray:
    """Vectors in block order put back in the columns' order."""
    return v[..., np.argsort(blocks.order)]


def means(stats: PatternStats, blocks: Blocks, centre: np.ndarray) -> np.ndarray:
    """Driver means on the data's scale: common block over everyone, phone-only over those asked."""
    return _driver_means(stats.mean_common, stats.mean_complete, blocks, centre)


def means_from_sums(sums: np.ndarray, n_all: np.ndarray, blocks: Blocks, centre: np.ndarray) -> np.ndarray:
    """:func:`means` of ``stats_from_sums(sums, n_all, blocks)``, without its scatter matrices."""
    return _driver_means(*sum_means(sums, n_all, blocks), blocks, centre)


def _driver_means(mean_common: np.ndarray, mean_complete: np.ndarray, blocks: Blocks, centre: np.ndarray) -> np.ndarray:
    qa = len(blocks.common)
    return np.concatenate([mean_common, mean_complete[..., qa:]], axis=-1) + centre[blocks.order]
