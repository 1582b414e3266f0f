"""Bootstrap resamples as weighted cross-products: the fast engine behind :mod:`analysis.bootstrap`.

A bootstrap resample of ``n`` respondents is a vector of multinomial counts ``w``
(how often each respondent was drawn, summing to ``n``). Every statistic of
:mod:`analysis.importance` depends on a resample only through its covariance matrix,
and that follows exactly from the weighted sums ``Σ w z`` and ``Σ w z zᵀ``. So for
``B`` resamples at once the counts ``W`` (B x n) multiply one fixed feature matrix
``F = [z, z_i z_j (i <= j)]`` (n x f): ``W @ F`` gives all the sums in a single
matrix product, instead of ``B`` refits on ``n`` copied rows.

The data are centred on a fixed point before the products are formed, so that
``Σ w z zᵀ - (Σ w z)(Σ w z)ᵀ / n`` suffers no cancellation; sums formed around the
same centre can be added and subtracted (used for "the rest of the sample").

References
----------
Efron, B., & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*. Chapman &
    Hall. (Ch. 6: the bootstrap as resampling weights.)
"""
from __future__ import annotations

from collections.abc import Iterator

import numpy as np

# Count-matrix entries per chunk: about 80 MB of working memory (int32 draws, int64
# counts, float64 copy), whatever n is.
MAX_CHUNK_ELEMENTS = 4_000_000
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

