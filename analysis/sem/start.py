"""Non-iterative start values from the saturated moments of each group.

Loadings come from the first principal axis of each factor's indicators,
rescaled to the factor's scale (marker loading or fixed variance); latent
(co)variances from indicator covariances divided by loadings, made positive
definite; residual variances are the unexplained part of each variance (at
least 10% of it); regressions and residual covariances start at 0; intercepts at
the means.  User ``start()`` values win.  Shared (equal) parameters take the
value of their first occurrence.

References
----------
Hägglund, G. (1982). Factor analysis by instrumental variables methods.
    *Psychometrika*, 47(2), 209-222 (non-iterative starts, lavaan's "fabin").
Rosseel, Y. (2012). lavaan. *Journal of Statistical Software*, 48(2), 1-36.

Example
-------
>>> import numpy as np
>>> from analysis.sem.syntax import parse_syntax
>>> from analysis.sem.spec import build_partable
>>> from analysis.sem.representation import RamModel
>>> model = RamModel(build_partable(parse_syntax("f =~ x1 + x2 + x3")))
>>> cov = np.array([[1.0, .5, .4], [.5, 1.0, .3], [.4, .3, 1.0]])
>>> start_values(model, [(np.zeros(3), cov)]).round(2)
array([0.9 , 0.75, 0.55, 0.64, 0.75, 0.45])
"""
from __future__ import annotations

import math

import numpy as np

from analysis.sem.representation import KIND_A, KIND_ALPHA, KIND_S, RamModel


def _factor_loadings(cov: np.ndarray) -> np.ndarray:
    """Loadings of a single factor with unit variance (first principal axis)."""
    if cov.shape[0] == 1:
        return np.sqrt(np.clip(np.diag(cov), 1e-8, None))
    if cov.shape[0] == 2:
        c = max(abs(cov[0, 1]), 1e-6 * np.sqrt(cov[0, 0] * cov[1, 1]))
        lam = np.sqrt(c * np.array([np.sqrt(cov[0, 0] / cov[1, 1]), np.sqrt(cov[1, 1] / cov[0, 0])]))
        lam[1] *= np.sign(cov[0, 1]) or 1.0
        return lam
    reduced = cov.copy()
    # communality estimate: squared multiple correlation, on the covariance scale
    try:
        smc = 1.0 - 1.0 / (np.diag(np.linalg.inv(cov)) * np.diag(cov))
    except np.linalg.LinAlgError:
        smc = np.full(cov.shape[0], 0.5)
    np.fill_diagonal(reduced, np.clip(smc, 0.05, 0.995) * np.diag(cov))
    vals, vecs = np.linalg.eigh(reduced)
    lam = vecs[:, -1] * np.sqrt(max(vals[-1], 1e-8))
    return lam if lam[0] >= 0 else -lam


def _group_start(model: RamModel, g: int, mean: np.ndarray, cov: np.ndarray) -> np.ndarray:
    """Start values for every slot of group ``g``."""
    p, sl = model.p, model.slots[g]
    vals = np.where(np.isnan(sl.value), 0.0, sl.value)
    pos = {name: k for k, name in enumerate(model.names)}
    loads = {lv: [] for lv in model.latent}
    for s in range(len(sl.kind)):
        if sl.kind[s] == KIND_A and sl.j[s] >= p and sl.i[s] < p:
            loads[model.names[sl.j[s]]].append(s)
    lam_slot = {}
    lv_var = {}
    for lv, slots in loads.items():
        if not slots:
            continue
        ind = [sl.i[s] for s in slots]
        lam = _factor_loadings(cov[np.ix_(ind, ind)])
        fixed = [k for k, s in enumerate(slots) if sl.theta[s] < 0 and sl.value[s] != 0]
        var_slot = [s for s in range(len(sl.kind)) if sl.kind[s] == KIND_S
                    and sl.i[s] == pos[lv] and sl.j[s] == pos[lv]]
        var_fixed = var_slot and sl.theta[var_slot[0]] < 0
        if fixed:
            scale = sl.value[slots[fixed[0]]] / (lam[fixed[0]] if abs(lam[fixed[0]]) > 1e-8 else 1.0)
            lam, psi = lam * scale, 1.0 / scale**2
        elif var_fixed and sl.value[var_slot[0]] > 0:
            psi = sl.value[var_slot[0]]
            lam = lam / math.sqrt(psi)
        else:
            psi = 1.0
        lv_var[pos[lv]] = psi
        for k, s in enumerate(slots):
            lam_slot[s] = lam[k]
            if sl.theta[s] >= 0:
                vals[s] = lam[k]
    # latent covariance matrix from indicator covariances
    lv_idx = sorted(lv_var)
    phi = np.diag([lv_var[k] for k in lv_idx]) if lv_idx else np.zeros((0, 0))
    for a, ka in enumerate(lv_idx):
        for b, kb in enumerate(lv_idx[:a]):
            terms = [cov[sl.i[s], sl.i[t]] / (lam_slot[s] * lam_slot[t])
                     for s in lam_slot if sl.j[s] == ka for t in lam_slot if sl.j[t] == kb
                     if sl.i[s] != sl.i[t] and abs(lam_slot[s] * lam_slot[t]) > 1e-8]
            if terms:
                r = np.median(terms) / math.sqrt(phi[a, a] * phi[b, b])
                phi[a, b] = phi[b, a] = np.clip(r, -0.9, 0.9) * math.sqrt(phi[a, a] * phi[b, b])
    if lv_idx:
        w, v = np.linalg.eigh(phi)
        phi = (v * np.clip(w, 0.05 * np.min(np.diag(phi)), None)) @ v.T
    explained = np.zeros(p)
    for s, lam in lam_slot.items():
        explained[sl.i[s]] += lam**2 * lv_var[sl.j[s]]
    for s in range(len(sl.kind)):
        if sl.theta[s] < 0:
            continue
        i, j = sl.i[s], sl.j[s]
        if sl.kind[s] == KIND_S:
            if i < p and i == j:
                vals[s] = max(cov[i, i] - explained[i], 0.1 * cov[i, i])
            elif i >= p and j >= p and i in lv_var and j in lv_var:
                vals[s] = phi[lv_idx.index(i), lv_idx.index(j)]
            elif i == j:
                vals[s] = 0.05 if i >= p else cov[i, i]
            else:
                vals[s] = 0.0
        elif sl.kind[s] == KIND_ALPHA:
            vals[s] = mean[i] if i < p else 0.0
        elif s not in lam_slot:
            vals[s] = 1.0 if (i >= p and j >= p and sl.kind[s] == KIND_A
                              and model.names[i] in model.latent and _is_loading(model, g, s)) else 0.0
    return vals


def _is_loading(model: RamModel, g: int, s: int) -> bool:
    row = model.table.rows[model.slots[g].rows[s]]
    return row.op == "=~"


def start_values(model: RamModel, moments) -> np.ndarray:
    """Start values for the free parameters.

    Parameters
    ----------
    model : RamModel
    moments : list of (mean, cov)
        Saturated moments of each group.

    Returns
    -------
    ndarray
        One value per free parameter.
    """
    theta = np.full(model.n_free, np.nan)
    for g, (mean, cov) in enumerate(moments):
        vals = _group_start(model, g, mean, cov)
        sl = model.slots[g]
        for s in range(len(sl.kind)):
            t = sl.theta[s]
            if t >= 0 and np.isnan(theta[t]):
                row = model.table.rows[sl.rows[s]]
                theta[t] = row.start if not math.isnan(row.start) else vals[s]
    return np.nan_to_num(theta)
