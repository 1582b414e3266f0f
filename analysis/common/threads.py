"""Thread limits of the linear algebra behind many small fits."""
from __future__ import annotations

import contextlib
import threading

_CONTROLLER: list = []          # the process's threadpoolctl controller, once made
_LOCK = threading.Lock()


def _controller():
    """One ``ThreadpoolController`` per process (None without threadpoolctl).

    Making one scans the process's loaded libraries (measured 11 ms in the command's
    process, about 4% of one organisation's SEM fit of 5,000 respondents), and a limit is
    set for every SEM fit: the scan is done once. It is made after importing
    ``scipy.linalg`` so that both numpy's and scipy's BLAS are loaded, hence controlled;
    a BLAS loaded later still would not be (none is: the fits use these two).
    """
    if not _CONTROLLER:
        with _LOCK:
            if not _CONTROLLER:
                try:
                    from threadpoolctl import ThreadpoolController
                except ImportError:  # optional: only speed depends on it
                    _CONTROLLER.append(None)
                else:
                    import scipy.linalg  # noqa: F401  (its BLAS loaded before the scan)
                    _CONTROLLER.append(ThreadpoolController())
    return _CONTROLLER[0]


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
    controller = _controller()
    if controller is None:
        return contextlib.nullcontext()
    return controller.limit(limits=int(n_threads), user_api="blas")
