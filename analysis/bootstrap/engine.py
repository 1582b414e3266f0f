"""Bootstrap resamples as weighted cross-products: the fast engine behind :mod:`analysis.bootstrap.importance`.

A bootstrap resample of ``n`` respondents is a vector of multinomial counts ``w``
(how often each respondent was drawn, summing to ``n``). Every statistic of
:mod:`analysis.importance.relative` depends on a resample only through its covariance matrix,
and that follows exactly from the weighted sums ``Σ w z`` and ``Σ w z zᵀ``. So for
``B`` resamples at once the counts ``W`` (B x n) multiply one fixed feature matrix
``F = [z, z_i z_j (i <= j)]`` (n x f): ``W @ F`` gives all the sums in a single
matrix product, instead of ``B`` refits on ``n`` copied rows.

The data are centred on a fixed point before the products are formed, so that
``Σ w z zᵀ - (Σ w z)(Σ w z)ᵀ / n`` suffers no cancellation; sums formed around the
same centre can be added and subtracted (used for "the rest of the sample").

:func:`resample_groups` runs this group by group, chunk by chunk, and turns every
chunk of sums into :class:`Replicates` (all importance measures of each resample) with
:func:`analysis.importance.relative.importance_arrays`.

References
----------
Efron, B., & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*. Chapman &
    Hall. (Ch. 6: the bootstrap as resampling weights.)
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from analysis.common.errors import ServiceDriversError
from analysis.importance.driver_data import ranks_descending
from analysis.importance.relative import ImportanceArrays, importance_arrays

# The statistics a Replicates can return (besides 'r2').
STATISTICS = ("std_beta", "lmg", "lmg_pct", "relative_weight", "relative_weight_pct",
              "pratt", "lmg_rank", "mean")
# Count-matrix entries per chunk: about 8 MB of working memory (int32 draws, int64
# counts, float64 copy), whatever n is. Small enough for the counting (a scatter into
# the chunk's counts) to stay in the processor's cache: measured at 1,000 resamples,
# drawing, counting and the product with the features take 1.3-1.5x less time at 2,000-20,000
# respondents than with chunks ten times larger, and the same at 50,000 (benchmarks/RESULTS.md).
MAX_CHUNK_ELEMENTS = 400_000
# Variance below this share of the mean square about the centre counts as zero.
CONSTANT_TOLERANCE = 1e-12


def pair_indices(q: int) -> tuple[np.ndarray, np.ndarray]:
    """Row and column indices of the upper triangle (i <= j) of a q x q matrix."""
    return np.triu_indices(q)


def cross_product_features(z: np.ndarray) -> np.ndarray:
    """Feature matrix ``[z, z_i z_j for i <= j]`` of shape (n, q + q(q+1)/2)."""
    z = np.asarray(z, dtype=float)
    i, j = pair_indices(z.shape[1])
    return np.hstack([z, z[:, i] * z[:, j]])


def chunk_sizes(n_resamples: int, n: int, chunk_size: int | None = None) -> list[int]:
    """Split ``n_resamples`` into chunks of at most ``chunk_size`` (default: memory budget / n)."""
    if chunk_size is None:
        chunk_size = max(1, MAX_CHUNK_ELEMENTS // max(n, 1))
    chunk_size = int(min(max(chunk_size, 1), n_resamples))
    full, last = divmod(n_resamples, chunk_size)
    return [chunk_size] * full + ([last] if last else [])


def resample_counts(rng: np.random.Generator, n: int, size: int) -> np.ndarray:
    """Multinomial(n; 1/n, ..., 1/n) counts for ``size`` bootstrap resamples, shape (size, n).

    Drawn as ``n`` uniform row indices per resample and counted, which is about ten
    times faster than ``rng.multinomial`` for large ``n`` and consumes the generator in
    the same order whatever the chunking (``integers`` fills row after row), so a
    resample does not depend on the chunk it falls in.

    Examples
    --------
    >>> import numpy as np
    >>> w = resample_counts(np.random.default_rng(0), n=5, size=3)
    >>> w.shape, w.sum(axis=1).tolist()
    ((3, 5), [5, 5, 5])
    """
    if size * n >= 2**31:
        raise ValueError("resample_counts: size * n must be below 2**31; use smaller chunks")
    idx = rng.integers(0, n, size=(size, n), dtype=np.int32)
    idx += (np.arange(size, dtype=np.int32) * n)[:, None]
    return np.bincount(idx.ravel(), minlength=size * n).reshape(size, n)


def iter_resample_sums(features: np.ndarray, n_resamples: int, rng: np.random.Generator,
                       chunk_size: int | None = None) -> Iterator[np.ndarray]:
    """Yield the weighted sums ``W @ features`` chunk by chunk, shape (chunk, f)."""
    n = features.shape[0]
    for size in chunk_sizes(n_resamples, n, chunk_size):
        counts = resample_counts(rng, n, size)
        yield counts.astype(np.float64) @ features


def moments_from_sums(sums: np.ndarray, n: int | np.ndarray, q: int) -> tuple[np.ndarray, np.ndarray]:
    """Means and covariance matrices (ddof = 1) from weighted sums about the centre.

    Parameters
    ----------
    sums : ndarray, shape (..., q + q(q+1)/2)
        ``[Σ w z, Σ w z_i z_j (i <= j)]`` with ``Σ w = n``.
    n : int or ndarray
        Total weight of each resample (the number of respondents).
    q : int
        Number of variables.

    Returns
    -------
    mean : ndarray (..., q)
        Weighted mean of ``z`` (add the centre back for the data's scale).
    cov : ndarray (..., q, q)
    """
    sums = np.asarray(sums, dtype=float)
    n = np.asarray(n, dtype=float)[..., None]
    s1 = sums[..., :q]
    i, j = pair_indices(q)
    s2 = np.empty(sums.shape[:-1] + (q, q))
    s2[..., i, j] = sums[..., q:]
    s2[..., j, i] = sums[..., q:]
    mean = s1 / n
    cov = (s2 - s1[..., :, None] * mean[..., None, :]) / (n[..., None] - 1)
    # A variable that is constant within a resample gets a variance of +-1e-17 from
    # rounding, not 0; make it exactly 0 so the resample is recognised as degenerate.
    diag = np.diagonal(cov, axis1=-2, axis2=-1)
    mean_square = np.diagonal(s2, axis1=-2, axis2=-1) / n
    constant = diag <= CONSTANT_TOLERANCE * mean_square
    if constant.any():
        d = np.arange(q)
        cov[..., d, d] = np.where(constant, 0.0, diag)
    return mean, cov


@dataclass(frozen=True, eq=False)
class Replicates:
    """Statistics of a set of resamples (or of the sample itself, with B = 1).

    Attributes
    ----------
    r2 : ndarray (B,)
    std_beta, lmg, relative_weight, pratt : ndarray (B, p)
    mean : ndarray (B, p)
        Driver means on the data's scale (the performance of each driver).
    valid : ndarray of bool (B,)
        False for degenerate resamples (a constant variable, collinear drivers); their
        statistics are NaN and they are left out of the intervals.
    """

    r2: np.ndarray
    std_beta: np.ndarray
    lmg: np.ndarray
    relative_weight: np.ndarray
    pratt: np.ndarray
    mean: np.ndarray
    valid: np.ndarray

    @classmethod
    def from_arrays(cls, arrays: ImportanceArrays, mean: np.ndarray) -> Replicates:
        return cls(r2=arrays.r2, std_beta=arrays.std_beta, lmg=arrays.lmg,
                   relative_weight=arrays.relative_weight, pratt=arrays.pratt,
                   mean=np.where(arrays.valid[:, None], mean, np.nan), valid=arrays.valid)

    @classmethod
    def concatenate(cls, parts: Sequence[Replicates]) -> Replicates:
        return cls(**{f: np.concatenate([getattr(p, f) for p in parts])
                      for f in ("r2", "std_beta", "lmg", "relative_weight", "pratt", "mean", "valid")})

    def statistic(self, name: str) -> np.ndarray:
        """A statistic by name: one of :data:`STATISTICS`, or 'r2' (shape (B,))."""
        if name in ("r2", "std_beta", "lmg", "relative_weight", "pratt", "mean"):
            return getattr(self, name)
        if name == "lmg_pct":
            return 100 * self.lmg / self.r2[:, None]
        if name == "relative_weight_pct":
            return 100 * self.relative_weight / self.r2[:, None]
        if name == "lmg_rank":
            return ranks_descending(self.lmg)
        raise ServiceDriversError(f"unknown statistic {name!r}; choose from {', '.join(STATISTICS)} or 'r2'")


def stats_from_sums(sums: np.ndarray, n: int | np.ndarray, q: int, centre: np.ndarray) -> Replicates:
    mean, cov = moments_from_sums(sums, n, q)
    return Replicates.from_arrays(importance_arrays(cov), mean[:, :-1] + centre[:-1])


def resample_groups(values, labels, sizes, codes, q, n_resamples, rngs, with_rest, chunk_size,
                    progress, with_whole=False, runner=None):
    """Resample every group (and, with ``with_rest``, the rest of the sample) chunk by chunk.

    With ``with_whole`` it also returns the whole sample's statistics, point and
    replicates, from the groups' resamples pooled (a stratified bootstrap: each group
    resampled within itself, group sizes fixed); they cost no extra draws.

    Each group is one task of ``runner`` (a :class:`analysis.common.scheduler.Runner`;
    None: one after the other in this thread), drawing from its own generator, and so is
    each group's 'rest'; the sums over groups are formed here, in the order of
    ``labels``. So the result does not depend on the scheduler or on the order in which
    the tasks finish: it is bit-identical on every scheduler.
    """
    centre = values.mean(axis=0)    # one centre for all groups so that sums can be pooled
    order = np.argsort(codes, kind="stable")
    bounds = np.r_[0, np.cumsum(sizes)]
    total = n_resamples * (len(labels) * (2 if with_rest else 1) + (1 if with_whole else 0))
    keep_sums = with_rest or with_whole
    tasks = [(values[order[bounds[k]:bounds[k + 1]]], centre, q, n_resamples, rngs[k], chunk_size, keep_sums)
             for k in range(len(labels))]
    done = 0

    def step_progress(offset: int):
        if progress is None:
            return None
        return lambda n_done, _total: progress(offset + n_done, total)

    results = _map(runner, _resample_group, tasks, step_progress(0), [n_resamples] * len(labels))
    del tasks
    done += n_resamples * len(labels)
    point, reps, point_sums, rep_sums = {}, {}, {}, {}
    for g, (point_sum, group_point, group_reps, sums) in zip(labels, results):
        point_sums[g], point[g], reps[g], rep_sums[g] = point_sum, group_point, group_reps, sums
    del results

    rest_point, rest_reps, whole = {}, {}, None
    n_all = len(values)
    step = max(1, min(n_resamples, chunk_size or n_resamples))
    if keep_sums:
        all_point = sum(point_sums.values())
        all_reps = sum(rep_sums.values())
    if with_whole:
        parts = []
        for start in range(0, n_resamples, step):
            parts.append(stats_from_sums(all_reps[start:start + step], n_all, q, centre))
            done += len(parts[-1].r2)
            if progress is not None:
                progress(done, total)
        whole = (stats_from_sums(all_point[None], n_all, q, centre), Replicates.concatenate(parts))
    if with_rest:
        tasks = [(all_point, all_reps, point_sums[g], rep_sums[g], n_all - sizes[k], q, centre, n_resamples, step)
                 for k, g in enumerate(labels)]
        results = _map(runner, _resample_rest, tasks, step_progress(done), [n_resamples] * len(labels))
        for g, (group_rest_point, group_rest_reps) in zip(labels, results):
            rest_point[g], rest_reps[g] = group_rest_point, group_rest_reps
    if with_whole:
        return point, reps, rest_point, rest_reps, whole
    return point, reps, rest_point, rest_reps


def _map(runner, func, tasks, progress, weights) -> list:
    if runner is None:
        out = []
        for args, done in zip(tasks, np.cumsum(weights)):
            out.append(func(*args))
            if progress is not None:
                progress(int(done), int(sum(weights)))
        return out
    return runner.map(func, tasks, progress=progress, weights=weights)


def _resample_group(values, centre, q, n_resamples, rng, chunk_size, keep_sums):
    """One group's sample and resamples: (point sums, point statistics, replicates, resample sums or None)."""
    features = cross_product_features(values - centre)
    n = features.shape[0]
    point_sum = features.sum(axis=0)
    point = stats_from_sums(point_sum[None], n, q, centre)
    parts, sums_parts = [], []
    for sums in iter_resample_sums(features, n_resamples, rng, chunk_size):
        parts.append(stats_from_sums(sums, n, q, centre))
        if keep_sums:
            sums_parts.append(sums)
    return point_sum, point, Replicates.concatenate(parts), np.concatenate(sums_parts) if keep_sums else None


def _resample_rest(all_point, all_reps, point_sum, rep_sums, n_rest, q, centre, n_resamples, step):
    """The rest of the sample for one group (all groups' sums less the group's): point and replicates."""
    rest_point = stats_from_sums((all_point - point_sum)[None], n_rest, q, centre)
    parts = [stats_from_sums(all_reps[start:start + step] - rep_sums[start:start + step], n_rest, q, centre)
             for start in range(0, n_resamples, step)]
    return rest_point, Replicates.concatenate(parts)
