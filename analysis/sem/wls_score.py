"""Modification indices and score tests of WLSMV fits, as lavaan 0.6-14 computes them.

lavaan's ``modindices()`` and ``lavTestScore()`` on an ``estimator = "WLSMV"`` fit use
the DWLS quantities in place of the likelihood's (``lav_model_gradient`` and
``lav_model_information_expected`` for estimator ``"DWLS"``):

* the score is the gradient of the DWLS discrepancy
  ``g = -sum_g (N_g - 1)/N  Delta_g' W_g (s_g - m_g)`` (lavaan weighs the groups'
  discrepancies by ``N_g - 1``, as the fit does);
* the information is the expected DWLS information
  ``I = sum_g N_g/N  Delta_g' W_g Delta_g`` with ``W_g = diag(Gamma_g)^-1``;
* the modification index of a parameter added to the model is
  ``MI = N g_a^2 / V``, ``V = I_aa - I_am I_mm^-1 I_ma`` (``m`` the fitted
  parameters, equality constraints as shared parameters), its EPC ``-g_a / V``;
  candidates with ``V`` below ``eps^(1/3)`` (not identified once freed, e.g. an
  intercept beside free thresholds) are left out, as lavaan's ``na.remove``;
* the score test of releasing equality constraints is ``N g_d' S^+ g_d`` with ``d``
  the differences "copy minus first" of the released constraints and ``S`` the
  Schur complement of ``I_mm`` (lavaan's ``N g' J g`` with ``J`` the bordered
  generalised inverse of the information; the two agree because the score lies in
  the range of the information).  Univariate tests release one constraint, the
  total test all of them (their df = the number of constraints, as lavaan, even when
  releasing every threshold and loading leaves the model unidentified).

``Delta_g`` is the Jacobian of group ``g``'s thresholds and polychoric correlations
(:class:`~analysis.sem.categorical.CategoricalModel`).  The candidates are lavaan's:
cross-loadings of every factor on every item, residual covariances among the items,
covariances among the factors not in the model, and every fixed parameter of the
factor part (e.g. the items' intercepts of the Wu & Estabrook (2016) scalar model,
fixed at zero in every group); the scale factors and thresholds are not candidates
(lavaan lists them, but freeing them is never identified beside the free thresholds).
Equality constraints are those of ``group_equal``: loadings (as with ML) and
thresholds (equal to the first group's, one constraint per threshold and group).

The standardized EPCs are lavaan's ``cov.std = TRUE`` ones with the latent responses'
model-implied standard deviations ``1 / Delta_j`` and the residual variances the delta
parameterisation computes (``1/Delta^2`` minus the common part).

lavaan 0.6-14 has no robust version of these tests for WLSMV: ``lavTestScore`` warns
and gives the statistic above, and so do we (the robust columns stay NaN).  Because
``W`` is not the optimal weight, the statistic is not exactly chi-square distributed;
it ranks the constraints, and its p-value is a guide, not a test of nominal size.

References
----------
Sörbom, D. (1989). Model modification. *Psychometrika*, 54(3), 371-384.
Muthén, B., du Toit, S. H. C., & Spisic, D. (1997). Robust inference using weighted
    least squares and quadratic estimating equations in latent variable modeling
    with categorical and continuous outcomes. Unpublished manuscript.
Wu, H., & Estabrook, R. (2016). Identification of confirmatory factor analysis models
    of different levels of invariance for ordered categorical outcomes.
    *Psychometrika*, 81(4), 1014-1045.
Rosseel, Y. (2012). lavaan. *Journal of Statistical Software*, 48(2), 1-36
    (R/lav_modification.R, R/lav_test_score.R, R/lav_model_gradient.R).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from analysis.common.errors import ModelError
from analysis.sem.modindices import MI_COLUMNS, V_SMALL, _standardize, extended_table
from analysis.sem.scoretest import SCORE_COLUMNS, ScoreTests, _released, constraints


def _score_information(model, est, theta: np.ndarray):
    """lavaan's DWLS score (gradient) and unit expected information at ``theta``."""
    N = float(sum(st.n for st in est.stats))
    q = model.n_free
    grad, info = np.zeros(q), np.zeros((q, q))
    for g, st in enumerate(est.stats):
        m, J = model.group_moments(theta, g, jacobian=True)
        WJ = est.w[g][:, None] * J
        grad -= (st.n - 1) / N * (WJ.T @ (est.s[g] - m))
        info += st.n / N * (J.T @ WJ)
    return grad, info, N


def _shift(model, k_ram: int):
    """Threshold and scale indices moved ``k_ram`` places up (``k_ram`` RAM parameters added)."""
    th = [np.asarray(i) + k_ram for i in model.th_index]
    sc = [np.where(np.asarray(i) >= 0, np.asarray(i) + k_ram, -1) for i in model.scale_index]
    return th, sc


def _old_to_new(model, k_ram: int) -> np.ndarray:
    """Position of each fitted parameter in a model with ``k_ram`` RAM parameters added."""
    old = np.arange(model.n_free)
    return np.where(old < model.n_ram, old, old + k_ram)


def _scales_of(fit, g: int):
    """``(sd, variance parameter)`` of every variable of group ``g`` (RAM order): the latent
    responses' ``1/Delta`` and computed residual variances, the factors' implied SDs and variances."""
    model, theta = fit._categorical, fit._theta
    p = len(model.observed)
    pr = model.ram.parts(theta[: model.n_ram], g)
    total = np.diag(pr["V"]).copy()
    par_var = np.diag(pr["S"]).copy()
    total[:p] = 1.0 / model.scales(theta, g) ** 2
    par_var[:p] = model.residual_variances(theta, g)
    with np.errstate(invalid="ignore"):
        sd = np.sqrt(np.where(total > 0, total, np.nan))
    return sd, par_var


def wlsmv_modification_indices(fit) -> pd.DataFrame:
    """Modification indices of a WLSMV fit (see the module docstring).

    Returns
    -------
    DataFrame
        ``lhs, op, rhs, group, mi, epc, sepc_lv, sepc_all`` as
        :func:`analysis.sem.modindices.modification_indices`.
    """
    model, est, theta = fit._categorical, fit._wls, fit._theta
    ext_table, cand = extended_table(model.table)
    k = ext_table.n_free - model.n_ram
    ext = model.rebuilt(ext_table, *_shift(model, k))
    theta_ext = np.zeros(ext.n_free)
    theta_ext[_old_to_new(model, k)] = theta
    extra = np.array([ext_table.rows[c].free - 1 for c in cand], dtype=int)
    theta_ext[extra] = [ext_table.rows[c].start for c in cand]
    grad, info, N = _score_information(ext, est, theta_ext)
    m = _old_to_new(model, k)
    i_mm, i_am = info[np.ix_(m, m)], info[np.ix_(extra, m)]
    v = np.diag(info)[extra] - np.einsum("ij,ij->i", i_am, np.linalg.solve(i_mm, i_am.T).T)
    g = grad[extra]
    ok = v >= V_SMALL
    with np.errstate(divide="ignore", invalid="ignore"):
        mi = np.where(ok, N * g * g / v, np.nan)
        epc = np.where(ok, -g / v, np.nan)
    pos = {name: j for j, name in enumerate(model.ram.names)}
    latent = set(model.ram.latent)
    scales = [_scales_of(fit, gr) for gr in range(model.ngroups)]
    records = []
    for c, row_k in enumerate(cand):
        row = ext_table.rows[row_k]
        if not ok[c] or (row.op == "~~" and row.lhs == row.rhs and row.lhs in pos and pos[row.lhs] < len(model.observed)):
            continue       # the residual variance of a latent response is not a parameter (delta)
        sd, par_var = scales[row.group - 1]
        if row.op == "~~" and row.lhs == row.rhs:
            lv_val, all_val = _standardize(row, 0.0, row.start, sd, par_var, pos, latent)
            sepc_lv, sepc_all = np.sign(epc[c]) * lv_val, np.sign(epc[c]) * all_val
        else:
            sepc_lv, sepc_all = _standardize(row, epc[c], np.nan, sd, par_var, pos, latent)
        records.append((row.lhs, row.op, row.rhs, fit.groups_[row.group - 1], mi[c], epc[c],
                        sepc_lv, sepc_all))
    return pd.DataFrame.from_records(records, columns=list(MI_COLUMNS))


def _threshold_pairs(model):
    """``(group, position)`` of every threshold held equal to the first group's."""
    first = np.asarray(model.th_index[0])
    return [(g, t) for g in range(1, model.ngroups) for t in range(len(first))
            if model.th_index[g][t] == first[t]]


def _threshold_name(model, t: int) -> tuple[str, str]:
    j = int(model.th_var[t])
    k = t - int(np.flatnonzero(model.th_var == j)[0])
    return model.observed[j], f"t{k + 1}"


def _std_ratios(fit) -> dict:
    """``std_all / est`` of every parameter row (how the fit standardizes it; NaN at zero)."""
    p = fit.params_
    est, std = p["est"].to_numpy(float), p["std_all"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(est != 0, std / est, np.nan)
    return dict(zip(zip(p["lhs"], p["op"], p["rhs"], p["group"]), ratio))


def wlsmv_score_tests(fit) -> ScoreTests:
    """Score tests of releasing each equality constraint of a WLSMV fit, and all at once.

    Raises
    ------
    ModelError
        The model has no equality constraints, or did not converge.
    """
    model, est, theta = fit._categorical, fit._wls, fit._theta
    ram_pairs = constraints(model.table)
    th_pairs = _threshold_pairs(model)
    if not ram_pairs and not th_pairs:
        raise ModelError("the model has no equality constraints to test: fit it with "
                         "group_equal=... or equal labels")
    if not fit.converged_:
        raise ModelError("the model did not converge, so score tests are not available")
    released = _released(model.table, ram_pairs)
    k = released.n_free - model.n_ram
    th_index, scale_index = _shift(model, k)
    nxt = model.n_free + k
    th_index = [idx.copy() for idx in th_index]
    for g, t in th_pairs:
        th_index[g][t] = nxt
        nxt += 1
    rel = model.rebuilt(released, th_index, scale_index)
    old = _old_to_new(model, k)
    # T maps (m, d) to the released parameters: a released copy is its first's value plus d
    n_c = len(ram_pairs) + len(th_pairs)
    q = model.n_free
    T = np.zeros((rel.n_free, q + n_c))
    T[old, np.arange(q)] = 1.0
    copies, firsts = [], []
    for first, other in ram_pairs:
        copies.append(released.rows[other].free - 1)
        firsts.append(model.table.rows[first].free - 1)
    for g, t in th_pairs:
        copies.append(int(th_index[g][t]))
        firsts.append(int(model.th_index[0][t]))
    for c, (cp, fi) in enumerate(zip(copies, firsts)):
        T[cp, fi] = 1.0
        T[cp, q + c] = 1.0
    theta_rel = T[:, :q] @ theta
    grad_psi, info_psi, N = _score_information(rel, est, theta_rel)
    s = (T.T @ grad_psi)[q:]
    info = T.T @ info_psi @ T
    schur = info[q:, q:] - info[q:, :q] @ np.linalg.solve(info[:q, :q], info[:q, q:])
    schur = 0.5 * (schur + schur.T)
    d = np.diag(schur)
    uni = N * s * s / d
    epc = -s / d
    total = float(N * s @ np.linalg.pinv(schur, rcond=np.finfo(float).eps ** 0.5, hermitian=True) @ s)
    groups = fit.groups_
    rows = []
    for (first, other) in ram_pairs:
        r, f = model.table.rows[other], model.table.rows[first]
        rows.append((r.lhs, r.op, r.rhs, groups[r.group - 1], groups[f.group - 1]))
    for g, t in th_pairs:
        item, name = _threshold_name(model, t)
        rows.append((item, "|", name, groups[g], groups[0]))
    nan = np.nan
    ratio = _std_ratios(fit)
    frame = pd.DataFrame.from_records(
        [(*key, x2, 1, float(stats.chi2.sf(x2, 1)), e, e * ratio.get(key[:4], nan), nan, nan)
         for key, x2, e in zip(rows, uni, epc)], columns=list(SCORE_COLUMNS))
    return ScoreTests(univariate=frame, chi2=total, df=n_c, pvalue=float(stats.chi2.sf(total, n_c)))


def intercept_score_rows(fit, mi: pd.DataFrame | None = None) -> pd.DataFrame:
    """The score tests of freeing an item's intercept in one group of a WLSMV fit, as rows
    of a :class:`ScoreTests` table (``reference_group`` the first group).

    In the Wu & Estabrook (2016) scalar model the intercepts of the latent responses are
    fixed at zero in every group: "equal to the first group's" is a fixed value, so its
    release is the modification index of that intercept (1 df).  Groups after the first.
    """
    mi = wlsmv_modification_indices(fit) if mi is None else mi
    items = set(fit._categorical.observed)
    sel = mi[(mi["op"] == "~1") & mi["lhs"].isin(items) & (mi["group"] != fit.groups_[0])]
    nan = np.nan
    out = pd.DataFrame({"lhs": sel["lhs"], "op": "~1", "rhs": "", "group": sel["group"],
                        "reference_group": fit.groups_[0], "chi2": sel["mi"], "df": 1,
                        "pvalue": stats.chi2.sf(sel["mi"].to_numpy(float), 1), "epc": sel["epc"],
                        "sepc_all": sel["sepc_all"], "chi2_robust": nan, "pvalue_robust": nan})
    return out.reset_index(drop=True).loc[:, list(SCORE_COLUMNS)]


__all__ = ["wlsmv_modification_indices", "wlsmv_score_tests", "intercept_score_rows"]
