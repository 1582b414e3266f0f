"""DIFFTEST for nested WLSMV fits: the mean-and-variance adjusted difference test.

lavaan's ``lavTestLRT(m1, m0, method = "satorra.2000")`` with its WLSMV default
``scaled.shifted = TRUE`` (Satorra 2000; Asparouhov & Muthén 2006), which is
what Mplus's DIFFTEST computes.  With ``m1`` the less and ``m0`` the more
constrained model, ``Delta_1`` and ``Delta_0`` their moment Jacobians (stacked
over groups, each at its own estimates):

* the constraints are found from the Jacobians ("delta" method, as lavaan's
  ``lav_test_diff_A``): ``A`` spans the orthogonal complement of
  ``Delta_1^+ Delta_0`` -- which handles nested models whose parameterisations
  differ, as the Wu & Estabrook (2016) steps do (intercepts and scales freed
  when thresholds become equal);
* with ``P = sum_g f_g Delta_1g' W_g Delta_1g`` (``f_g = N_g / N``),
  ``M = P^-1 A' (A P^-1 A')^+ A P^-1`` and ``C = sum_g f_g Delta_1g' W_g Gamma_g
  W_g Delta_1g``: ``tr(U Gamma) = tr(M C)``, ``tr((U Gamma)^2) = tr((M C)^2)``;
* ``T_d = a (T_0 - T_1) + b`` with ``a = sqrt(m / tr((U Gamma)^2))``,
  ``b = m - a tr(U Gamma)``, ``m = df_0 - df_1``, referred to chi-square(``m``).

References
----------
Satorra, A. (2000). Scaled and adjusted restricted tests in multi-sample analysis
    of moment structures. In Heijmans, Pollock & Satorra (Eds.), *Innovations in
    Multivariate Statistical Analysis* (pp. 233-247). Kluwer.
Asparouhov, T., & Muthén, B. (2006). Robust chi square difference testing with
    mean and variance adjusted test statistics. *Mplus Web Notes*, 10.
Rosseel, Y. (2012). lavaan. *Journal of Statistical Software*, 48(2), 1-36
    (``lavTestLRT``, R/lav_test_diff.R).
"""
from __future__ import annotations

import math

import numpy as np
from scipy import linalg, stats

from analysis.common.errors import ModelError
from analysis.sem.difftest import DifferenceTest


def _stacked_jacobian(fit) -> list[np.ndarray]:
    model, theta = fit._categorical, fit._theta
    return [model.group_moments(theta, g, jacobian=True)[1] for g in range(model.ngroups)]


def wlsmv_difference_test(restricted, free) -> DifferenceTest:
    """Mean-and-variance adjusted difference test of two nested WLSMV fits.

    Parameters
    ----------
    restricted, free : SEM
        Fitted with ``estimator="wlsmv"`` on the same data and groups;
        ``restricted`` has more degrees of freedom.

    Returns
    -------
    DifferenceTest
        ``chi2`` the adjusted statistic, ``chi2_unscaled`` ``T_0 - T_1``,
        ``scaling_factor`` ``1/a``, ``method`` ``"satorra.2000"``.
    """
    if getattr(restricted, "estimator_", None) != "wlsmv" or getattr(free, "estimator_", None) != "wlsmv":
        raise ModelError("the WLSMV difference test needs two fits with estimator 'wlsmv'")
    f0, f1 = restricted.fit_, free.fit_
    m = f0.df - f1.df
    diff = f0.chi2 - f1.chi2
    if m <= 0:
        raise ModelError("the restricted model must have more degrees of freedom than the free one")
    est = free._wls
    d1 = _stacked_jacobian(free)
    d0 = _stacked_jacobian(restricted)
    n = np.array([st.n for st in est.stats], dtype=float)
    fg = n / n.sum()
    D1, D0 = np.vstack(d1), np.vstack(d0)
    # Delta_1^+ Delta_0 by least squares (Delta_1 has full column rank in an identified
    # model), then the orthogonal complement of its columns from a full QR decomposition
    H = linalg.cho_solve(linalg.cho_factor(D1.T @ D1), D1.T @ D0)
    Q, R, _ = linalg.qr(H, pivoting=True)
    diag = np.abs(np.diag(R))
    rank = int(np.sum(diag > diag.max() * 1e-10)) if diag.size else 0
    A = Q[:, rank:].T                                 # rows orthogonal to the columns of H
    q = d1[0].shape[1]
    P, C = np.zeros((q, q)), np.zeros((q, q))
    for g, st in enumerate(est.stats):
        WD = est.w[g][:, None] * d1[g]
        P += fg[g] * d1[g].T @ WD
        C += fg[g] * WD.T @ st.gamma @ WD
    Pinv = np.linalg.inv(P)
    APA = A @ Pinv @ A.T
    M = Pinv @ A.T @ np.linalg.pinv(APA) @ A @ Pinv
    MC = M @ C
    tr1, tr2 = float(np.trace(MC)), float(np.sum(MC * MC.T))
    a = math.sqrt(m / tr2)
    chi2 = a * diff + (m - a * tr1)
    return DifferenceTest(chi2=chi2, df=int(m), pvalue=float(stats.chi2.sf(chi2, m)),
                          scaling_factor=1.0 / a, chi2_unscaled=diff, method="satorra.2000")
