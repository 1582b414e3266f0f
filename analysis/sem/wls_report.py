"""Parameter table of a WLSMV fit, in lavaan's ``parameterEstimates`` notation.

Beside the factor part (loadings, latent (co)variances, regressions, intercepts)
it lists each item's thresholds (``x | t1`` ...), its scale factor (``x ~*~ x``,
``1 / sd(y*)``; fixed at 1 where the identification fixes it) and its residual
variance (``x ~~ x``), which the delta parameterisation computes
(``1/Delta^2 - common variance``) and which therefore has no standard error, as
in lavaan.  ``std_all`` is lavaan's completely standardized solution with
``Var(y*_j) = 1/Delta_j^2``; standardized thresholds are ``tau * Delta``.
Standardized standard errors come from the delta method (central differences
of the standardized values with respect to the factor-part and scale
parameters); for thresholds the uncertainty of ``Delta`` is left out
(exact where ``Delta`` is fixed, as in one group).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from analysis.sem.standardize import SE_ZERO

COLUMNS = ("lhs", "op", "rhs", "group", "label", "free", "est", "se", "z", "pvalue",
           "ci_lower", "ci_upper", "std_all", "std_se", "std_pvalue", "fmi")


def _rows(model, theta, labels, std_fn):
    """(records, index of each row's free parameter or -1, std values) for ``theta``."""
    table, ram = model.table, model.ram
    obs_index = {v: k for k, v in enumerate(model.observed)}
    records, free, std = [], [], []
    resid_all = []
    for g in range(model.ngroups):
        d = model.scales(theta, g)
        resid = model.residual_variances(theta, g)
        resid_all.append(resid)
        std_slots = std_fn(model, theta, g)
        sl = ram.slots[g]
        slot_of_row = {int(r): s for s, r in enumerate(sl.rows)}
        for r_idx, r in enumerate(table.rows):
            if r.group != g + 1:
                continue
            s = slot_of_row[r_idx]
            placeholder = r.op == "~~" and r.lhs == r.rhs and r.lhs in obs_index
            if placeholder:
                est, k = resid[obs_index[r.lhs]], -1
            else:
                k = r.free - 1
                est = theta[k] if k >= 0 else r.value
            records.append((r.lhs, r.op, r.rhs, labels[g], r.label, est))
            free.append(k)
            std.append(std_slots[s])
        start = 0
        for j, v in enumerate(model.observed):
            for t in range(model.n_th[j]):
                k = model.th_index[g][start + t]
                records.append((v, "|", f"t{t + 1}", labels[g], "", theta[k]))
                free.append(int(k))
                std.append(theta[k] * d[j])
            start += model.n_th[j]
        for j, v in enumerate(model.observed):
            k = int(model.scale_index[g][j])
            records.append((v, "~*~", v, labels[g], "", d[j]))
            free.append(k)
            std.append(1.0)
    return records, np.array(free), np.array(std, dtype=float), resid_all


def param_frame(model, theta, vcov, labels, std_fn):
    """Parameter table (DataFrame with ``COLUMNS``) and the residual variances per group."""
    records, free, std, resid = _rows(model, theta, labels, std_fn)
    est = np.array([r[5] for r in records], dtype=float)
    if vcov is not None:
        sd = np.sqrt(np.diag(vcov))
        se = np.where(free >= 0, sd[np.clip(free, 0, None)], 0.0)
        std_se = _std_se(model, theta, vcov, labels, std_fn, std)
    else:
        se = np.where(free >= 0, np.nan, 0.0)
        std_se = np.full(len(est), np.nan)
    q = stats.norm.ppf(0.975)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(se > 0, est / se, np.nan)
        std_z = np.where(std_se > SE_ZERO, std / std_se, np.nan)
    frame = pd.DataFrame({
        "lhs": [r[0] for r in records], "op": [r[1] for r in records], "rhs": [r[2] for r in records],
        "group": [r[3] for r in records], "label": [r[4] for r in records], "free": free >= 0,
        "est": est, "se": se, "z": z, "pvalue": 2 * stats.norm.sf(np.abs(z)),
        "ci_lower": est - q * se, "ci_upper": est + q * se, "std_all": std, "std_se": std_se,
        "std_pvalue": 2 * stats.norm.sf(np.abs(std_z)), "fmi": np.nan})
    return frame.loc[:, list(COLUMNS)], resid


def _std_se(model, theta, vcov, labels, std_fn, std):
    """Delta-method SEs of the standardized values (thresholds: ``se * Delta``)."""
    th_params = np.zeros(model.n_free, dtype=bool)
    for idx in model.th_index:
        th_params[idx] = True
    cols = np.flatnonzero(~th_params)
    # the factor-part rows of each group, as slots of the group (in _rows order)
    slots = []
    for g in range(model.ngroups):
        at = {int(r): s for s, r in enumerate(model.ram.slots[g].rows)}
        slots.append(np.array([at[i] for i, r in enumerate(model.table.rows) if r.group == g + 1], dtype=int))
    ram_rows = np.flatnonzero(~np.isin(ops_of(model), ["|", "~*~"]))

    def ram_std(t):
        return np.concatenate([std_fn(model, t, g)[slots[g]] for g in range(model.ngroups)])

    J = np.zeros((len(std), model.n_free))
    for c in cols:
        h = 1e-6 * max(1.0, abs(theta[c]))
        up, down = theta.copy(), theta.copy()
        up[c] += h
        down[c] -= h
        J[ram_rows, c] = (ram_std(up) - ram_std(down)) / (2 * h)
    var = np.sum((J @ vcov) * J, axis=1)
    # thresholds: std = tau * Delta, so var = Delta^2 V_tt + tau^2 V_dd + 2 tau Delta V_td
    tau_k, scale_k, tau, d = _threshold_terms(model, theta)
    v_tt = vcov[tau_k, tau_k]
    has = scale_k >= 0
    sk = np.clip(scale_k, 0, None)
    v_dd = np.where(has, vcov[sk, sk], 0.0)
    v_td = np.where(has, vcov[tau_k, sk], 0.0)
    var[ops_of(model) == "|"] = d ** 2 * v_tt + tau ** 2 * v_dd + 2 * tau * d * v_td
    out = np.sqrt(np.clip(var, 0, None))
    return np.where(out < SE_ZERO, 0.0, out)


def ops_of(model) -> np.ndarray:
    """The operator of each row, in ``_rows`` order."""
    out = []
    for g in range(model.ngroups):
        out += [r.op for r in model.table.rows if r.group == g + 1]
        out += ["|"] * int(model.n_th.sum()) + ["~*~"] * len(model.observed)
    return np.array(out)


def _threshold_terms(model, theta):
    """Per threshold row: its parameter, its item's scale parameter (-1 fixed), tau, Delta."""
    tau_k, scale_k, d_all = [], [], []
    for g in range(model.ngroups):
        tau_k.append(model.th_index[g])
        scale_k.append(model.scale_index[g][model.th_var])
        d_all.append(model.scales(theta, g)[model.th_var])
    tau_k = np.concatenate(tau_k).astype(int)
    return tau_k, np.concatenate(scale_k).astype(int), theta[tau_k], np.concatenate(d_all)
