"""Score tests for releasing equality constraints, as lavaan's ``lavTestScore()``.

Equality constraints (``group_equal``, or a label used more than once) are written
as lavaan writes them: for every set of parameters held equal, the first one
(in parameter-table order, i.e. the first group) equals each of the others, one
constraint each.  At the constrained estimates, the score (Lagrange multiplier)
test of releasing a set of constraints is

    X2 = s_d' (I_dd - I_dm I_mm^-1 I_md)^+ s_d

where ``d`` are the differences "other minus first" of the released constraints,
``m`` the parameters of the fitted model, ``s_d`` the derivatives of the
log-likelihood with respect to the differences (the score of the released
parameter; zero for ``m`` at the estimates) and ``I`` the expected information
(lavaan's default ``information = "expected"``, also for ``missing = "ml"``).
This is lavaan's ``N s' J s`` with ``J`` the (generalised) inverse of the
information bordered by the remaining constraints, written in the
reparameterisation ``(m, d)``; the two are equal because the score lies in the
range of the information.  The univariate test releases one constraint (1 df),
the total test all of them (df = number of constraints, as lavaan, even when
releasing all leaves the model unidentified: the generalised inverse is then used).

**Robust ML** (``estimator="mlr"``).  lavaan 0.6-14's ``lavTestScore`` on an MLR fit
warns that the robust version is "not implemented yet" and falls back to the
ordinary test above (expected information, ordinary score): ``chi2`` is that
statistic, equal to lavaan's.  Beside it we report the robust score tests of
Satorra (2000), which lavaan adopted later: with ``J`` the constrained inverse of
the (unit) expected information, ``B`` the first-order information (the
cross-product of the casewise scores divided by N, as for the sandwich standard
errors) and ``a`` the released constraint, the univariate test is
``X2 (a J a') / (a J B J a')`` -- for one constraint the scaled, adjusted and
generalized versions coincide -- which in the ``(m, d)`` coordinates is
``N u_d^2 / (w' B w)``, ``w = (-I_mm^-1 I_md, 1)`` and ``u`` the score per
respondent.  For all constraints at once, in the released parameters
(``A`` the constraints, ``J`` the generalised inverse of the unit information, ``h``
the unit score): the scaled statistic ``X2 / c``, ``c = tr(M2 M1^+) / df`` with ``M1 = A
J A'`` and ``M2 = A J B J A'``, and the generalized one ``N v' M2^+ v``, ``v = A J h``
(lavaan's ``lav_test_satorra2000``).  Under non-normal data the
ordinary score test is too large, as the unscaled chi-square is; the robust one
keeps its nominal size (Satorra 2000).  With ML (``estimator="ml"``) the robust
columns are NaN unless asked for (``robust=True``).

References
----------
Bentler, P. M., & Chou, C.-P. (1992). Some new covariance structure model
    improvement statistics. *Sociological Methods & Research*, 21(2), 259-282.
Satorra, A. (2000). Scaled and adjusted restricted tests in multi-sample
    analysis of moment structures. In R. D. H. Heijmans, D. S. G. Pollock & A.
    Satorra (Eds.), *Innovations in Multivariate Statistical Analysis* (pp.
    233-247). Kluwer.
Satorra, A. (1989). Alternative test criteria in covariance structure analysis:
    a unified approach. *Psychometrika*, 54(1), 131-151.
Rosseel, Y. (2012). lavaan. *Journal of Statistical Software*, 48(2), 1-36
    (``lavTestScore``, R/lav_test_score.R).

Example
-------
>>> import pandas as pd
>>> from analysis.sem import SEM
>>> from semopy.examples import holzinger39
>>> hs = "visual =~ x1 + x2 + x3\\ntextual =~ x4 + x5 + x6\\nspeed =~ x7 + x8 + x9"
>>> fit = SEM(hs).fit(holzinger39.get_data(), group="school", group_equal=["loadings"],
...                   missing="listwise")
>>> st = fit.score_tests()
>>> round(st.chi2, 3), st.df
(7.256, 6)
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from analysis.common.errors import ModelError
from analysis.sem.casewise import parameter_meat
from analysis.sem.estimate import Objective
from analysis.sem.representation import RamModel
from analysis.sem.spec import ParameterTable

SCORE_COLUMNS = ("lhs", "op", "rhs", "group", "reference_group", "chi2", "df", "pvalue", "epc", "sepc_all",
                 "chi2_robust", "pvalue_robust")
PINV_RCOND = np.finfo(float).eps ** 0.5   # MASS::ginv's tolerance


@dataclass(frozen=True)
class ScoreTests:
    """Score tests of the equality constraints of a fit.

    Attributes
    ----------
    univariate : DataFrame
        One row per constraint: the parameter released (``lhs, op, rhs``, the
        ``group`` whose copy is set free), the ``reference_group`` it was equal
        to, ``chi2`` (lavaan's ``X2``), ``df`` (1), ``pvalue``, and the expected
        change of the difference "group minus reference group" when this constraint
        alone is released (``epc = s_d / (N V_dd)``, Sörbom's EPC of the added
        parameter ``d``, as in :mod:`analysis.sem.modindices`) with its completely
        standardized value ``sepc_all`` (scaled as the group's estimate is by its
        ``std_all``).  lavaan's ``lavTestScore(epc = TRUE)`` reports instead the
        change of every parameter when all constraints are released at once; the
        one-constraint EPC is ours.  ``chi2_robust`` and ``pvalue_robust``: Satorra's
        (2000) robust test of the same constraint (NaN unless robust).
    chi2, df, pvalue : float, int, float
        The total test: all constraints released at once.
    chi2_scaled, pvalue_scaled, chi2_robust, pvalue_robust : float
        Its scaled and generalized robust versions (NaN unless robust).
    robust : bool
        Whether the robust versions were computed (by default for MLR fits).
    """

    univariate: pd.DataFrame
    chi2: float
    df: int
    pvalue: float
    chi2_scaled: float = np.nan
    pvalue_scaled: float = np.nan
    chi2_robust: float = np.nan
    pvalue_robust: float = np.nan
    robust: bool = False


def constraints(table: ParameterTable) -> list[tuple[int, int]]:
    """``(first row, other row)`` pairs of every equality constraint, in table order."""
    members: dict[int, list[int]] = {}
    for k, r in enumerate(table.rows):
        if r.free:
            members.setdefault(r.free, []).append(k)
    return [(rows[0], other) for rows in members.values() for other in rows[1:]]


def _released(table: ParameterTable, pairs) -> ParameterTable:
    """The table with each constrained 'other' row given its own free parameter."""
    rows = [dataclasses.replace(r) for r in table.rows]
    nxt = table.n_free
    for _, other in pairs:
        nxt += 1
        rows[other].free = nxt
    return ParameterTable(rows=rows, roles=table.roles, ngroups=table.ngroups,
                          meanstructure=table.meanstructure, n_free=nxt)


def _robust_parts(fit, objective, theta_ext, T, info, q, s, pairs, info_psi, score_psi):
    """Satorra's (2000) robust statistics: univariate (in ``(m, d)``) and for all constraints.

    The total follows lavaan's ``lav_test_satorra2000`` in the released parameters
    ``psi``: ``J`` the Moore-Penrose inverse of the unit information (the model is
    not identified when every constraint of a scalar step is released, so the
    generalised inverse matters), ``A`` the constraints ``first - other``,
    ``M1 = A J A'``, ``M2 = A J B J A'``, ``v = A J h``: scaled ``X2 df / tr(M2 M1^+)``,
    generalized ``N v' M2^+ v``.
    """
    N = objective.N
    meat = parameter_meat(objective.model, theta_ext, [g.values for g in fit._groups],
                          objective.moments(theta_ext), fit._ram.table.meanstructure) / N
    B = T.T @ meat @ T                            # first-order information in (m, d), per case
    Wm = -np.linalg.solve(info[:q, :q], info[:q, q:])
    # w' B w for w = (Wm[:, c], e_c): the constraint c released alone
    quad = (np.einsum("ij,ij->j", Wm, B[:q, :q] @ Wm) + 2 * np.einsum("ij,ij->j", Wm, B[:q, q:])
            + np.diag(B[q:, q:]))
    with np.errstate(divide="ignore", invalid="ignore"):
        uni = np.where(quad > 0, s * s / quad / N, np.nan)
    A = np.zeros((len(pairs), len(score_psi)))
    for c, (first, _) in enumerate(pairs):
        A[c, fit._ram.table.rows[first].free - 1] = 1.0
        A[c, q + c] = -1.0
    AJ = A @ np.linalg.pinv(info_psi, rcond=PINV_RCOND, hermitian=True)
    m1, m2 = AJ @ A.T, AJ @ meat @ AJ.T
    v = AJ @ (score_psi / N)
    trace = float(np.trace(m2 @ np.linalg.pinv(m1, rcond=PINV_RCOND, hermitian=True)))
    general = float(N * v @ np.linalg.pinv(m2, rcond=PINV_RCOND, hermitian=True) @ v)
    return uni, trace, general


def score_tests(fit, robust: bool | None = None) -> ScoreTests:
    """Univariate and total score tests of releasing each equality constraint of ``fit``.

    Parameters
    ----------
    fit : SEM
        A fitted model with equality constraints.
    robust : bool, optional
        Also compute Satorra's (2000) robust tests; by default for ``estimator="mlr"``.

    Raises
    ------
    ModelError
        The model has no equality constraints, or did not converge.
    """
    table, theta, obj = fit._ram.table, fit._theta, fit._objective
    pairs = constraints(table)
    if not pairs:
        raise ModelError("the model has no equality constraints to test: fit it with "
                         "group_equal=... or equal labels")
    if not fit.converged_:
        raise ModelError("the model did not converge, so score tests are not available")
    q = table.n_free
    released = _released(table, pairs)
    # at the constrained estimates every released copy starts at its shared value;
    # the extra parameters are the differences d = other - first (zero here)
    theta_ext = np.concatenate([theta, [theta[table.rows[first].free - 1] for first, _ in pairs]])
    objective = Objective(RamModel(released), obj.batches, obj.n, obj.sample_means)
    _, grad = objective.value_grad(theta_ext)
    score_psi = -grad * objective.N
    info_psi = objective.information(theta_ext, observed=False) / objective.N
    # T maps (m, d) to the released parameters: a released copy is its first's value plus d
    T = np.zeros((released.n_free, q + len(pairs)))
    T[np.arange(q), np.arange(q)] = 1.0
    for c, (first, _) in enumerate(pairs):
        T[q + c, table.rows[first].free - 1] = 1.0
        T[q + c, q + c] = 1.0
    s = (T.T @ score_psi)[q:]
    info = T.T @ info_psi @ T
    schur = info[q:, q:] - info[q:, :q] @ np.linalg.solve(info[:q, :q], info[:q, q:])
    schur = 0.5 * (schur + schur.T)
    N = objective.N
    uni = s * s / np.diag(schur) / N
    epc = s / np.diag(schur) / N
    # std_all is linear in the estimate, so its ratio to the estimate scales the EPC
    est, std = fit.params_["est"].to_numpy(float), fit.params_["std_all"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.array([std[o] / est[o] if est[o] != 0 else np.nan for _, o in pairs])
    schur_inv = np.linalg.pinv(schur, rcond=PINV_RCOND, hermitian=True)
    total = float(s @ schur_inv @ s / N)
    df = len(pairs)
    robust = fit.estimator_ == "mlr" if robust is None else bool(robust)
    uni_r = np.full(len(pairs), np.nan)
    extra = {}
    if robust:
        uni_r, trace, general = _robust_parts(fit, objective, theta_ext, T, info, q, s, pairs, info_psi,
                                              score_psi)
        scaled = total * df / trace if trace > 0 else np.nan
        extra = dict(chi2_scaled=scaled, pvalue_scaled=float(stats.chi2.sf(scaled, df)),
                     chi2_robust=general, pvalue_robust=float(stats.chi2.sf(general, df)), robust=True)
    groups = fit.groups_
    frame = pd.DataFrame.from_records(
        [(table.rows[o].lhs, table.rows[o].op, table.rows[o].rhs, groups[table.rows[o].group - 1],
          groups[table.rows[f].group - 1], x2, 1, float(stats.chi2.sf(x2, 1)), e, e * k,
          xr, float(stats.chi2.sf(xr, 1)))
         for (f, o), x2, e, k, xr in zip(pairs, uni, epc, scale, uni_r)], columns=list(SCORE_COLUMNS))
    return ScoreTests(univariate=frame, chi2=total, df=df,
                      pvalue=float(stats.chi2.sf(total, df)), **extra)
