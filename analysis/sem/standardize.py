"""Completely standardized solution (``std.all``) with delta-method standard errors.

As lavaan's ``lav_standardize_all``: with model-implied total standard deviations
``sd`` of every variable,

* loading ``f =~ x``: ``est * sd(f) / sd(x)``; regression ``y ~ x``:
  ``est * sd(x) / sd(y)``; intercept/mean: ``est / sd``;
* variance ``v ~~ v``: ``est / sd(v)^2`` (for an indicator: its unexplained share);
* covariance ``a ~~ b``: ``est / sqrt(|var_a| |var_b|)`` with the *parameter*
  (residual) variances, i.e. a (residual) correlation.

Standard errors come from ``J V J'`` with ``J`` the Jacobian of the standardized
values w.r.t. the free parameters (central differences) and ``V`` their
covariance matrix, as ``standardizedSolution()`` does; like lavaan, an SE below
``eps^(1/4)`` is reported as 0 and its z as missing.

References
----------
Bollen, K. A. (1989). *Structural Equations with Latent Variables*. Wiley, pp. 349-350.
Rosseel, Y. (2012). lavaan. *Journal of Statistical Software*, 48(2), 1-36.

Example
-------
>>> import numpy as np
>>> from analysis.sem.syntax import parse_syntax
>>> from analysis.sem.spec import build_partable
>>> from analysis.sem.representation import RamModel
>>> model = RamModel(build_partable(parse_syntax("f =~ x1 + x2 + x3")))
>>> std_all(model, np.array([1.0, 1.0, 1.0, 1.0, 1.0, 1.0]))[:3].round(3)
array([0.707, 0.707, 0.707])
"""
from __future__ import annotations

import numpy as np

from analysis.sem.representation import KIND_A, KIND_ALPHA, RamModel

SE_ZERO = np.finfo(float).eps ** 0.25


def _std_stack(model: RamModel, g: int, vals: np.ndarray, base: np.ndarray | None = None) -> np.ndarray:
    """Standardized values of group ``g``'s slots for a stack of slot values (m, slots).

    ``base``: slot values that most rows share in ``A`` (perturbations of one parameter at
    a time); ``(I - A)^-1`` is then inverted once for the rows with that ``A``.
    """
    sl = model.slots[g]
    A, S, _ = model.stacked_matrices(g, vals)
    eye = np.eye(model.n)[None]
    if base is None:
        binv = np.linalg.inv(eye - A)
    else:
        ka = sl.kind == KIND_A
        moved = (vals[:, ka] != base[ka]).any(axis=1)
        binv = np.empty_like(A)
        binv[moved] = np.linalg.inv(eye - A[moved])
        binv[~moved] = np.linalg.inv(eye - model.stacked_matrices(g, base[None, :])[0])
    # only the diagonal of V = B S B' is needed: diag(B S B') = rowsums((B S) * B), one
    # stacked product instead of two (std_all_se evaluates 2 stacks per free parameter)
    total_var = np.einsum("bij,bij->bi", binv @ S, binv)
    total_var[total_var <= 0] = np.nan
    sd = np.sqrt(total_var)
    par_sd = np.sqrt(np.abs(np.diagonal(S, axis1=1, axis2=2)))
    i, j = sl.i, sl.j
    with np.errstate(divide="ignore", invalid="ignore"):
        denom = par_sd[:, i] * par_sd[:, j]
        covariance = np.where(denom > 0, vals / denom, np.nan)
        return np.where(sl.kind == KIND_A, vals * sd[:, j] / sd[:, i],      # i depends on j
                        np.where(sl.kind == KIND_ALPHA, vals / sd[:, i],
                                 np.where(i == j, vals / total_var[:, i], covariance)))


def std_all(model: RamModel, theta: np.ndarray) -> np.ndarray:
    """Standardized value of every parameter-table row."""
    out = np.full(len(model.table.rows), np.nan)
    for g in range(model.ngroups):
        out[model.slots[g].rows] = _std_stack(model, g, model.slot_values(theta, g)[None, :])[0]
    return out


def std_all_se(model: RamModel, theta: np.ndarray, vcov: np.ndarray) -> np.ndarray:
    """Delta-method standard errors of :func:`std_all`."""
    jac = np.zeros((len(model.table.rows), len(theta)))
    for g in range(model.ngroups):
        vals, ids, steps, _ = model.perturbed(theta, g, 1e-6)
        if len(ids) == 0:
            continue
        stack = _std_stack(model, g, vals, base=model.slot_values(theta, g))
        r = len(ids)
        jac[np.ix_(model.slots[g].rows, ids)] = ((stack[:r] - stack[r:]) / (2 * steps[:, None])).T
    var = np.einsum("ij,ij->i", jac @ vcov, jac)      # diag(J V J'); a 3-operand einsum loops without BLAS
    se = np.sqrt(np.where(var >= 0, var, np.nan))
    return np.where(se < SE_ZERO, 0.0, se)


def r_squared(model: RamModel, std: np.ndarray) -> dict[int, dict[str, float]]:
    """R² of indicators and dependent variables per group (``lavInspect(fit, "r2")``)."""
    rows = model.table.rows
    out: dict[int, dict[str, float]] = {}
    for g in range(1, model.ngroups + 1):
        targets = list(dict.fromkeys(
            [r.rhs for r in rows if r.group == g and r.op == "=~"]
            + [r.lhs for r in rows if r.group == g and r.op == "~"]))
        values = {}
        for k, r in enumerate(rows):
            if r.group == g and r.op == "~~" and r.lhs == r.rhs and r.lhs in targets:
                r2 = 1.0 - std[k]
                values[r.lhs] = r2 if r2 <= 1.0 else np.nan
        out[g] = {name: values[name] for name in targets if name in values}
    return out


def latent_correlations(model: RamModel, theta: np.ndarray, g: int) -> np.ndarray:
    """Model-implied correlations among the latent variables of group ``g``."""
    V = model.parts(theta, g)["V"][model.p:, model.p:]
    d = np.sqrt(np.where(np.diag(V) > 0, np.diag(V), np.nan))
    return V / np.outer(d, d)

