"""Modification indices with expected parameter changes, as lavaan's ``modindices()``.

For every parameter the model leaves out or fixes, the modification index is the
score (Lagrange multiplier) test of freeing it alone, with the other free
parameters at their estimates (Sörbom, 1989)::

    MI = g^2 / V        EPC = g / V        V = I_11 - I_12 I_22^-1 I_21

where ``g`` is the derivative of the log-likelihood with respect to the added
parameter at the fitted solution (zero for the fitted parameters), and ``I`` the
*expected* information of the model extended by that parameter (lavaan's
``information = "expected"`` default for ``modindices``, also for ``missing =
"ml"``, where it is the pattern-wise expected information at the model-implied
moments).  ``I_22`` is the information of the fitted parameters; equality
constraints are part of the parameterisation (shared parameters), which gives the
same ``I_22^-1`` as lavaan's constrained (bordered) inverse.

The candidates are those of lavaan 0.6 (``lav_partable_full`` plus every fixed
parameter of the model, ``lav_object_extended(all.free = TRUE)``), per group:
loadings of every latent variable on every observed non-regressor variable,
covariances among indicators and among observed regressors, (co)variances among
latent variables, regressions among the variables of the structural part, and,
with a mean structure, intercepts and latent means.  Rows whose ``V`` is below
``eps^(1/3)`` per respondent (parameters that cannot be freed without losing
identification, e.g. a marker loading) are left out, as lavaan's ``na.remove``.

The standardized EPCs follow ``lav_standardize_lv`` / ``lav_standardize_all`` with
``cov.std = TRUE``: the EPC is scaled by the model-implied standard deviations of
the fitted model (``sepc.lv``: latent variables only; ``sepc.all``: latent and
observed), covariances by the square roots of the two fitted (residual) variances,
and for variances the fitted value takes the place of the EPC (lavaan's choice;
``0`` where that value is below ``sqrt(eps)``).

Robust ML (``estimator="mlr"``): lavaan 0.6-14's ``modindices`` of an MLR fit are
these same ordinary indices (expected information, ordinary score: MLR's estimates
are the ML estimates, and lavaan has no robust modification index), and so are
ours; they are pinned to lavaan's MLR fits in ``tests/test_sem_mlr_score.py``.  For
releasing equality constraints the robust score tests of Satorra (2000) are in
:mod:`analysis.sem.scoretest`.

Differences from lavaan: pairs ``a ~~ b`` are matched to the model's parameters
in either order (lavaan only in the order of its full list); ``sepc.nox`` is not
reported (without ``fixed.x`` covariates it equals ``sepc.all``); the rows are
not sorted (``sort.=FALSE``, as lavaan's default).

References
----------
Sörbom, D. (1989). Model modification. *Psychometrika*, 54(3), 371-384.
Saris, W. E., Satorra, A., & Sörbom, D. (1987). The detection and correction of
    specification errors in structural equation models. *Sociological
    Methodology*, 17, 105-129.
Kaplan, D. (1989). Model modification in covariance structure analysis:
    application of the expected parameter change statistic. *Multivariate
    Behavioral Research*, 24(3), 285-305.
Rosseel, Y. (2012). lavaan. *Journal of Statistical Software*, 48(2), 1-36
    (``modindices``, R/lav_modification.R).

Example
-------
>>> import pandas as pd
>>> from analysis.sem import SEM
>>> from semopy.examples import holzinger39
>>> hs = "visual =~ x1 + x2 + x3\\ntextual =~ x4 + x5 + x6\\nspeed =~ x7 + x8 + x9"
>>> fit = SEM(hs).fit(holzinger39.get_data(), missing="listwise")
>>> mi = fit.modindices()
>>> top = mi.sort_values("mi", ascending=False).iloc[0]
>>> (top.lhs, top.op, top.rhs, round(float(top.mi), 2))
('visual', '=~', 'x9', 36.41)
"""
from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from analysis.sem.estimate import Objective
from analysis.sem.representation import RamModel
from analysis.sem.spec import ParameterTable, ParRow

MI_COLUMNS = ("lhs", "op", "rhs", "group", "mi", "epc", "sepc_lv", "sepc_all")
V_SMALL = np.finfo(float).eps ** (1 / 3)
EPC_SMALL = np.finfo(float).eps ** 0.5


def _full_list(table: ParameterTable, regressions: list[tuple[str, str]]) -> list[tuple[str, str, str]]:
    """lavaan's ``lav_partable_full`` for one group (the same in every group)."""
    roles = table.roles
    ov, lv = list(roles.observed), list(roles.latent)
    ov_x = list(roles.observed_exogenous)
    ov_nox = [v for v in ov if v not in ov_x]
    eqs = list(dict.fromkeys([y for y, _ in regressions] + [x for _, x in regressions]))
    out = [(f, "=~", v) for f in lv for v in ov_nox if v not in eqs]
    other = {v for v in ov if v not in roles.indicators}
    out += [(a, "~~", b) for k, a in enumerate(ov_nox) for b in ov_nox[k:]
            if a not in other and b not in other]
    out += [(a, "~~", b) for k, a in enumerate(ov_x) for b in ov_x[k:]]
    out += [(a, "~~", b) for k, a in enumerate(lv) for b in lv[k:]]
    out += [(y, "~", x) for y in eqs for x in eqs
            if y != x and not (y in roles.indicators and x in lv)]
    if table.meanstructure:
        out += [(v, "~1", "") for v in ov + lv]
    return out


def _key(lhs: str, op: str, rhs: str, group: int):
    if op == "~~":
        lhs, rhs = sorted((lhs, rhs))
    return lhs, op, rhs, group


def extended_table(table: ParameterTable) -> tuple[ParameterTable, list[int]]:
    """The model with every candidate parameter freed (each its own index).

    Returns the extended table and the row positions of the candidates in it,
    in lavaan's order: the model's fixed parameters, then the added ones.
    """
    rows = [dataclasses.replace(r) for r in table.rows]
    nxt = table.n_free
    candidates = []
    for k, r in enumerate(rows):
        if not r.free:
            nxt += 1
            r.free, r.start = nxt, r.value
            candidates.append(k)
    present = {_key(r.lhs, r.op, r.rhs, r.group) for r in rows}
    regressions = list(dict.fromkeys((r.lhs, r.rhs) for r in table.rows if r.op == "~"))
    full = _full_list(table, regressions)
    for g in range(1, table.ngroups + 1):
        for lhs, op, rhs in full:
            if _key(lhs, op, rhs, g) in present:
                continue
            nxt += 1
            rows.append(ParRow(lhs, op, rhs, g, False, free=nxt, start=0.0))
            candidates.append(len(rows) - 1)
    ext = ParameterTable(rows=rows, roles=table.roles, ngroups=table.ngroups,
                         meanstructure=table.meanstructure, n_free=nxt)
    return ext, candidates


def _scales(model: RamModel, theta: np.ndarray, g: int):
    """Model-implied SDs of latent (ETA) and observed (OV) variables, and the
    fitted variance parameters, of group ``g`` (0-based)."""
    pr = model.parts(theta, g)
    total = np.diag(pr["V"]).copy()
    with np.errstate(invalid="ignore"):
        sd = np.sqrt(np.where(total > 0, total, np.nan))
    return sd, np.diag(pr["S"])


def _standardize(row: ParRow, value: float, variance_value: float, sd, par_var, pos, latent):
    """``(sepc.lv, sepc.all)`` scale of ``value`` for one candidate row."""
    i, j = pos[row.lhs], pos.get(row.rhs)
    lhs_lv, rhs_lv = row.lhs in latent, row.rhs in latent
    if row.op == "=~":
        lv_scale = sd[i]
        return value * lv_scale, value * lv_scale / sd[j]
    if row.op == "~":
        lv_scale = (1 / sd[i] if lhs_lv else 1.0) * (sd[j] if rhs_lv else 1.0)
        all_scale = lv_scale * (1.0 if lhs_lv else 1 / sd[i]) * (1.0 if rhs_lv else sd[j])
        return value * lv_scale, value * all_scale
    if row.op == "~1":
        return (value / sd[i] if lhs_lv else value), value / sd[i]
    if row.lhs == row.rhs:
        if abs(variance_value) < EPC_SMALL:
            return 0.0, 0.0
        std = abs(variance_value) / sd[i] ** 2
        return (std if lhs_lv else abs(variance_value)), std
    denom = np.sqrt(abs(par_var[i]) * abs(par_var[j]))
    std = value / denom if denom > 0 else np.nan
    return (std if lhs_lv else value), std


def modification_indices(fit) -> pd.DataFrame:
    """Modification indices of a fitted :class:`analysis.sem.SEM` (see the module docstring).

    Returns
    -------
    DataFrame
        Columns ``lhs, op, rhs, group, mi, epc, sepc_lv, sepc_all`` (lavaan's
        ``lhs, op, rhs, group, mi, epc, sepc.lv, sepc.all``; ``group`` is the
        group label, "" for one group).
    """
    table, theta, obj = fit._ram.table, fit._theta, fit._objective
    ext, cand = extended_table(table)
    model = RamModel(ext)
    q = table.n_free
    theta_ext = np.concatenate([theta, [ext.rows[k].start for k in cand]])
    objective = Objective(model, obj.batches, obj.n, obj.sample_means)
    _, grad = objective.value_grad(theta_ext)
    score = -grad * objective.N                       # d logL / d theta
    info = objective.information(theta_ext, observed=False)
    i22 = info[:q, :q]
    i12 = info[q:, :q]
    v = np.diag(info[q:, q:]) - np.einsum("ij,ij->i", i12, np.linalg.solve(i22, i12.T).T)
    s = score[q:]
    ok = v / objective.N >= V_SMALL
    with np.errstate(divide="ignore", invalid="ignore"):
        mi = np.where(ok, s * s / v, np.nan)
        d = np.where(np.abs(s) < 1e-15, 1.0, s)
        epc = mi / d
    pos = {name: k for k, name in enumerate(model.names)}
    latent = set(model.latent)
    scales = [_scales(fit._ram, theta, g) for g in range(table.ngroups)]
    records = []
    for c, k in enumerate(cand):
        if not ok[c]:
            continue
        row = ext.rows[k]
        sd, par_var = scales[row.group - 1]
        variance_value = row.start if row.op == "~~" and row.lhs == row.rhs else np.nan
        if row.op == "~~" and row.lhs == row.rhs:
            # a fixed variance: lavaan standardizes its fitted (fixed) value, signed by the EPC
            lv_val, all_val = _standardize(row, 0.0, variance_value, sd, par_var, pos, latent)
            sepc_lv, sepc_all = np.sign(epc[c]) * lv_val, np.sign(epc[c]) * all_val
        else:
            sepc_lv, sepc_all = _standardize(row, epc[c], variance_value, sd, par_var, pos, latent)
        records.append((row.lhs, row.op, row.rhs, fit.groups_[row.group - 1], mi[c], epc[c],
                        sepc_lv, sepc_all))
    return pd.DataFrame.from_records(records, columns=list(MI_COLUMNS))
