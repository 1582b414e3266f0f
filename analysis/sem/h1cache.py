"""Reuse of the data-only quantities of a fit across fits of the same data.

The invariance steps (configural, metric, scalar), the refits of a partial-invariance
search and the robust statistics of each fit all need the same quantities of the
saturated (H1) and independence (baseline) models of each group: the EM estimates of
the means and covariances (FIML), and, for robust ML, the saturated model's observed
information and score cross-product, the baseline's scaling factor and Savalei's
(2018) FIML-corrected baseline pieces.  They depend on the data only, so one
:class:`H1Cache`, passed to every :meth:`SEM.fit <analysis.sem.SEM.fit>` of the same
data (``h1_cache=``), computes them once.

An entry is keyed by the group's label, size and a hash of its values (rows and
missing cells), so that a cache handed data that differ recomputes rather than
reuses.  The cache lives as long as its owner (one :func:`invariance_steps` call);
nothing is kept between calls.

Example
-------
>>> import numpy as np
>>> from analysis.sem.data import group_from_values
>>> cache = H1Cache()
>>> g = group_from_values(np.array([[1.0, 2.0], [2.0, 1.0], [3.0, 5.0]]))
>>> cache.get("double", (g,), (), lambda: 2 * g.n), cache.get("double", (g,), (), lambda: -1)
(6, 6)
"""
from __future__ import annotations

import hashlib
from typing import Any, Callable


def fingerprint(group) -> tuple:
    """``(label, n, hash of the values)`` of a :class:`GroupData`.

    A group built from pattern statistics (``values`` is None, see
    :mod:`analysis.sem.patterns`) is hashed on those statistics instead: they are
    all a fit reads from it.
    """
    h = hashlib.blake2b(digest_size=16)
    if group.values is not None:
        h.update(group.values.tobytes())
    else:
        for batch in group.batches:
            for part in (batch.idx, batch.n, batch.ybar, batch.cov):
                h.update(memoryview(part.tobytes()))
    digest = h.hexdigest()
    shape = group.values.shape if group.values is not None else ()
    return getattr(group, "label", ""), int(group.n), shape, digest


class H1Cache:
    """Data-only quantities of fits of the same data, computed once (see the module docstring).

    ``private=True``: the cache of one fit only (:meth:`SEM.fit <analysis.sem.SEM.fit>`
    without ``h1_cache``), whose groups are the same objects throughout: entries are keyed
    by the group object, without hashing its values.
    """

    def __init__(self, private: bool = False) -> None:
        self._store: dict[tuple, Any] = {}
        self._prints: dict[int, tuple] = {}
        self._private = private

    def _print(self, group) -> tuple:
        # a GroupData is immutable in use: hash its values once per object (kept with it)
        key = id(group)
        if key not in self._prints or self._prints[key][0] is not group:
            self._prints[key] = (group, (key,) if self._private else fingerprint(group))
        return self._prints[key][1]

    def get(self, kind: str, groups, extra: tuple, compute: Callable[[], Any]) -> Any:
        """The cached ``compute()`` for ``kind`` of ``groups`` (a tuple of GroupData) and ``extra``."""
        key = (kind, tuple(self._print(g) for g in groups), extra)
        if key not in self._store:
            self._store[key] = compute()
        return self._store[key]

    def __len__(self) -> int:
        return len(self._store)
