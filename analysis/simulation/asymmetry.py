"""A planted asymmetric driver effect: low performance hurts more than high performance helps.

The source study found wait time to be a dissatisfier. :class:`~analysis.simulation.model.OrgProfile`
``asymmetry`` (driver -> ``a`` >= 0) adds to latent satisfaction the term

    a * (min(z - mu, 0) + 1 / sqrt(2 pi))

for the driver's latent score ``z`` with organisation mean ``mu``: below the mean the
slope is ``beta + a``, above it ``beta``. The constant makes the term's mean 0, and
the residual variance is reduced so that latent satisfaction keeps variance 1 (its
thresholds, and so the answer shares, stay as documented). With ``Z`` standard normal,
``Var(min(Z, 0)) = 1/2 - 1/(2 pi)`` and ``Cov(min(Z_k, 0), Z_j) = rho_jk / 2``, so the
explained variance is ``beta'R beta + a^2 (1/2 - 1/(2 pi)) + a (R beta)_k`` (summed over
the asymmetric drivers, with their cross-terms).
"""
from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from analysis.common.errors import ServiceDriversError

_HALF_NORMAL_MEAN = 1 / math.sqrt(2 * math.pi)
_MIN_VARIANCE = 1 / 2 - 1 / (2 * math.pi)
MAX_ASYMMETRY = 1.0


def explained_variance(beta: np.ndarray, correlation: np.ndarray, extra: np.ndarray) -> float:
    """Variance of ``z'beta + sum_k extra_k min(z_k, 0)`` for standard-normal ``z`` with ``correlation``.

    ``Cov(min(Z_k, 0), min(Z_l, 0))`` for k != l is taken by a fixed Monte Carlo draw only
    when two drivers are asymmetric; with one (the usual case) it is exact.
    """
    v = float(beta @ correlation @ beta) + float(extra @ (correlation @ beta))
    k = np.flatnonzero(extra)
    for a in k:
        v += extra[a] ** 2 * _MIN_VARIANCE
    if len(k) > 1:
        z = np.random.default_rng(0).standard_normal((200_000, len(beta))) @ np.linalg.cholesky(correlation).T
        m = np.minimum(z[:, k], 0)
        c = np.cov(m, rowvar=False)
        for i in range(len(k)):
            for j in range(len(k)):
                if i != j:
                    v += extra[k[i]] * extra[k[j]] * c[i, j]
    return v


def asymmetric_satisfaction(latent: np.ndarray, mu: np.ndarray, beta: np.ndarray, correlation: np.ndarray,
                            extra: np.ndarray, noise: np.ndarray) -> np.ndarray:
    """Latent satisfaction with the planted asymmetric terms (module docstring); variance 1."""
    r2 = explained_variance(beta, correlation, extra)
    centred = np.minimum(latent - mu, 0) + _HALF_NORMAL_MEAN
    return latent @ beta + centred @ extra + np.sqrt(1 - r2) * noise


def check_asymmetry(name: str, asymmetry: Mapping[str, float], drivers: tuple[str, ...], beta: np.ndarray,
                    correlation: np.ndarray) -> dict[str, float]:
    """The planted asymmetry of one organisation, checked: known drivers, 0 <= a <= 1, R² < .95."""
    out = {}
    for driver, value in asymmetry.items():
        if driver not in drivers:
            raise ServiceDriversError(f"asymmetry for '{name}': '{driver}' is not a driver of the questionnaire "
                                      f"({', '.join(drivers)})")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= MAX_ASYMMETRY:
            raise ServiceDriversError(f"asymmetry for '{name}', '{driver}': give an extra effect of low performance "
                                      f"between 0 and {MAX_ASYMMETRY:g} latent SDs, got {value!r}")
        out[driver] = float(value)
    extra = np.array([out.get(d, 0.0) for d in drivers])
    if not explained_variance(beta, correlation, extra) < .95:
        raise ServiceDriversError(f"asymmetry for '{name}': the effects would explain more than 95% of satisfaction; "
                                  "plant a smaller asymmetry")
    return out
