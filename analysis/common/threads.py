"""Thread limits of the linear algebra behind many small fits."""
from __future__ import annotations

import contextlib


def limit_blas_threads(n_threads: int | None = 1):
    """Context limiting BLAS threads (via threadpoolctl, when installed).

    The matrices of an SEM fit or of a bootstrap chunk are small; multi-threaded BLAS
    on them costs more in start-up and synchronisation than it gains, and much more on
    a busy machine (measured up to 9x slower for the SEM fits, twice as slow for the
    bootstrap on two shared cores). ``n_threads=None``, or no threadpoolctl, leaves
    the BLAS setting alone.
    """
    if n_threads is None:
        return contextlib.nullcontext()
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # optional: only speed depends on it
        return contextlib.nullcontext()
    return threadpool_limits(limits=int(n_threads), user_api="blas")
