"""Machine-independent random draws for test data.

``numpy.random.Generator.multivariate_normal`` factors the covariance matrix by SVD,
whose singular vectors' signs depend on the LAPACK/OpenBLAS kernel the CPU selects, so
the same seed gives different samples on different machines. A Cholesky factor is
unique (lower triangular with a positive diagonal), so the draws below depend only on
the seed, up to floating-point rounding in the last bits.
"""
from __future__ import annotations

import numpy as np


def normal_rows(rng: np.random.Generator, cov, size: int, mean=None) -> np.ndarray:
    """``size`` rows from N(mean, cov), drawn as standard normals times the Cholesky factor."""
    cov = np.asarray(cov, dtype=float)
    factor = np.linalg.cholesky(cov)
    rows = rng.standard_normal((size, cov.shape[0])) @ factor.T
    return rows if mean is None else rows + np.asarray(mean, dtype=float)
