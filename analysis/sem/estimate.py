"""Maximum-likelihood estimation: objective, Fisher scoring, information matrices.

The objective is ``-logL / N`` summed over groups; for complete data this
differs from lavaan's ML discrepancy ``F = sum_g (N_g/N) F_g`` only by a
constant, so the minimiser, ``chi2 = 2 (logL_H1 - logL_H0)`` and the
information are the same.  Minimisation is Fisher scoring (Newton steps with the
expected information, positive definite for an identified model) switching to
Newton steps with the observed information near the optimum (kept for the
next steps while they contract: chord steps), with a backtracking line search;
an implied covariance matrix that is not positive definite counts as an
infinite objective.  Nothing is bounded, so negative
variances (Heywood cases) show.

Standard errors follow lavaan 0.6 defaults: the inverse expected information
(structured, at the model-implied moments) for complete data, and the inverse
observed information (the Hessian of ``-logL``) for ``missing="ml"``.

References
----------
Dennis, J. E., & Schnabel, R. B. (1996). *Numerical Methods for Unconstrained
    Optimization and Nonlinear Equations*. SIAM (the chord method, sec. 5.4).
Jöreskog, K. G. (1969). A general approach to confirmatory maximum likelihood
    factor analysis. *Psychometrika*, 34(2), 183-202.
Lee, S.-Y., & Jennrich, R. I. (1979). A study of algorithms for covariance
    structure analysis with specific comparisons using factor analysis.
    *Psychometrika*, 44(1), 99-113 (Fisher scoring for covariance structures).
Savalei, V. (2010). Expected versus observed information in SEM with incomplete
    normal and nonnormal data. *Psychological Methods*, 15(4), 352-367.

Example
-------
>>> import numpy as np
>>> from analysis.sem.syntax import parse_syntax
>>> from analysis.sem.spec import build_partable
>>> from analysis.sem.representation import KIND_A, KIND_ALPHA, KIND_S, RamModel
>>> from analysis.sem.data import single_pattern
>>> model = RamModel(build_partable(parse_syntax("f =~ x1 + x2 + x3")))
>>> cov = np.array([[1.0, .5, .4], [.5, 1.0, .3], [.4, .3, 1.0]])
>>> obj = Objective(model, [single_pattern(np.zeros(3), cov, 100)], [100], [np.zeros(3)])
>>> res = fisher_scoring(obj, model.table_start())
>>> res.converged
True
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import linalg

from analysis.sem.fiml import (complete_information, information_in_parameters, pattern_factors, pattern_loglik,
                               pattern_loglik_grad)
from analysis.sem.representation import KIND_A, KIND_ALPHA, KIND_S, RamModel


class Objective:
    """``-logL/N`` of a model over groups of pattern data.

    Parameters
    ----------
    model : RamModel
    batches : list of tuple of PatternBatch
        Pattern statistics per group.
    n : list of int
        Respondents per group.
    sample_means : list of ndarray
        Means used for ``mu`` when the model has no mean structure.
    """

    def __init__(self, model: RamModel, batches, n, sample_means) -> None:
        self.model = model
        self.batches = list(batches)
        self.n = np.asarray(n, dtype=float)
        self.N = float(self.n.sum())
        self.sample_means = list(sample_means)
        # the last implied covariance matrix of each group and its pattern factors: a
        # line search's accepted point is evaluated again for its gradient and information
        self._last: list = [None] * len(self.batches)
        self._last_grad: tuple | None = None    # (theta, per group (G, gmu, M per batch)) of the last value_grad

    def _factors(self, g: int, sigma: np.ndarray):
        """:func:`pattern_factors` of group ``g``'s ``sigma``, reused while ``sigma`` is unchanged."""
        last = self._last[g]
        if last is not None and np.array_equal(last[0], sigma):
            return last[1]
        factors = pattern_factors(sigma, self.batches[g])
        self._last[g] = (sigma.copy(), factors)
        return factors

    def release(self) -> None:
        """Forget the cached pattern factors (as large as the pattern statistics; recomputed when needed)."""
        self._last = [None] * len(self.batches)
        self._last_grad = None

    def moments(self, theta: np.ndarray):
        out = self.model.implied(theta)
        if not self.model.meanstructure:
            out = [(s, self.sample_means[g]) for g, (s, _) in enumerate(out)]
        return out

    def loglik_groups(self, theta: np.ndarray) -> np.ndarray:
        out = []
        for g, (s, mu) in enumerate(self.moments(theta)):
            factors = self._factors(g, s)
            out.append(pattern_loglik(s, mu, self.batches[g], factors) if factors is not None else -np.inf)
        return np.array(out)

    def near_singular(self, theta: np.ndarray, rel: float = 1e-12) -> bool:
        """True if some implied covariance matrix is numerically singular."""
        for sigma, _ in self.moments(theta):
            ev = np.linalg.eigvalsh(sigma)
            if ev[0] <= rel * max(ev[-1], 1e-300):
                return True
        return False

    def value(self, theta: np.ndarray) -> float:
        ll = self.loglik_groups(theta).sum()
        return -ll / self.N if np.isfinite(ll) else np.inf

    def value_grad(self, theta: np.ndarray):
        total, grads, moment_grads = 0.0, [], []
        for g, (s, mu) in enumerate(self.moments(theta)):
            factors = self._factors(g, s)
            if factors is None:
                return np.inf, None
            products: list = []            # each batch's K (C + d d') K, for the observed information
            ll, G, gmu = pattern_loglik_grad(s, mu, self.batches[g], factors, products)
            if not np.isfinite(ll):
                return np.inf, None
            total += ll
            grads.append((G, gmu if self.model.meanstructure else None))
            moment_grads.append((G, gmu, products))
        self._last_grad = (theta.copy(), moment_grads)
        return -total / self.N, self.model.gradient(theta, grads) / self.N

    def information(self, theta: np.ndarray, observed: bool) -> np.ndarray:
        """Information of ``-logL`` (not divided by N): expected, or observed (Hessian)."""
        q = self.model.n_free
        out = np.zeros((q, q))
        last = self._last_grad
        last = last[1] if last is not None and np.array_equal(last[0], theta) else None  # value_grad at theta
        for g, (s, mu) in enumerate(self.moments(theta)):
            batches = self.batches[g]
            if len(batches) == 1 and batches[0].idx.shape == (1, self.model.p):
                a, b, dmu, idx = self.model.free_jacobian(theta, g)
                ids, col = np.unique(idx, return_inverse=True)
                onehot = np.zeros((len(idx), len(ids)))
                onehot[np.arange(len(idx)), col] = 1.0
                slot_info = complete_information(a, b, dmu, s, mu, batches[0], observed,
                                                 self.model.meanstructure)
                block = onehot.T @ slot_info @ onehot
            else:
                d_mu, d_sigma, ids = self.model.moment_jacobian(theta, g)
                block = information_in_parameters(s, mu, batches, observed, d_mu, d_sigma, self.model.meanstructure,
                                                  factors=self._factors(g, s),
                                                  products=last[g][2] if last is not None else None)
            out[np.ix_(ids, ids)] += block
            if observed:
                if last is not None:
                    G, gmu = last[g][:2]
                else:
                    _, G, gmu = pattern_loglik_grad(s, mu, batches, self._factors(g, s))
                out[np.ix_(ids, ids)] += self._second_order(theta, g, ids, G, gmu)
        return 0.5 * (out + out.T)

    def _second_order(self, theta, g, ids, G, gmu) -> np.ndarray:
        """``sum_k (d(-logL)/d m_k) d2 m_k / d theta2`` for group ``g``.

        The derivatives of the analytic gradient of ``<G, Sigma(theta)> + <gmu, mu(theta)>``
        (moment derivatives held fixed) with respect to every parameter at once, as
        stacked matrices: ``A``, ``S`` and ``alpha`` are linear in the parameters (their
        derivatives ``A_t``, ``S_t``, ``alpha_t`` are the parameter's slots set to 1), and
        ``d (I - A)^-1 = (I - A)^-1 A_t (I - A)^-1`` (Magnus & Neudecker, 1999, ch. 8).
        Parameters whose moment derivatives do not depend on ``theta`` (variances,
        covariances and intercepts of variables with no path out of them, e.g. the items'
        residual variances and intercepts: ``dSigma/dS_ij = F B e_i e_j' B' F'`` with
        ``B e_i = e_i``) have zero rows and columns here and are left out.
        """
        model = self.model
        sl = model.slots[g]
        ids_here = np.unique(sl.theta[sl.theta >= 0])
        if not np.array_equal(ids_here, ids):
            raise RuntimeError("internal error: parameter sets of a group disagree")
        member = (sl.theta[None, :] == ids[:, None]).astype(float)
        r = len(ids)
        sources = np.zeros(model.n, bool)
        sources[sl.j[sl.kind == KIND_A]] = True                          # variables with a path out
        constant = np.where(sl.kind == KIND_A, False, np.where(sl.kind == KIND_S, ~sources[sl.i] & ~sources[sl.j],
                                                               ~sources[sl.i]))
        moving = ((member > 0) & ~constant[None, :]).any(axis=1)        # some slot's derivative varies
        p = model.p
        pr = model.parts(theta, g)
        binv, C, S = pr["binv"], pr["C"], pr["S"]
        A_t, S_t, alpha_t = model.stacked_matrices(g, member[moving])
        dbinv = binv @ A_t @ binv                                        # (m, n, n)
        dC = dbinv[:, :p, :]
        dH = (dC @ S + C @ S_t) @ binv.T + (C @ S) @ dbinv.transpose(0, 2, 1)
        CG = C.T @ G
        dCG = dC.transpose(0, 2, 1) @ G
        dA = 2.0 * (dCG @ pr["H"] + CG @ dH)
        dS = 2.0 * (dCG @ C + CG @ dC)
        ka, ks, km = sl.kind == KIND_A, sl.kind == KIND_S, sl.kind == KIND_ALPHA
        slot = np.zeros((int(moving.sum()), len(sl.kind)))
        if model.meanstructure and gmu is not None:
            dCg = np.einsum("mpi,p->mi", dC, gmu)
            dmean = np.einsum("mij,j->mi", dbinv, pr["alpha"]) + alpha_t @ binv.T
            dA += dCg[:, :, None] * pr["mean_all"][None, None, :] + (C.T @ gmu)[None, :, None] * dmean[:, None, :]
            slot[:, km] = dCg[:, sl.i[km]]
        slot[:, ka] = dA[:, sl.i[ka], sl.j[ka]]
        slot[:, ks] = np.where(sl.i[ks] == sl.j[ks], 0.5, 1.0) * dS[:, sl.i[ks], sl.j[ks]]
        cols = np.zeros((r, r))
        cols[:, moving] = (slot @ member.T).T
        return 0.5 * (cols + cols.T)


# A Newton step taken with an earlier iterate's observed information (a chord step) is
# kept only while it shrinks the decrement at least this much; otherwise the information
# is evaluated afresh (see fisher_scoring)
CHORD_CONTRACTION = 1e-2


@dataclass(frozen=True)
class OptimResult:
    """Outcome of :func:`fisher_scoring`."""

    theta: np.ndarray
    value: float
    gradient: np.ndarray
    converged: bool
    iterations: int
    message: str
    information: np.ndarray | None = None   # of -logL at ``theta`` (last iteration)
    information_observed: bool = False

    @property
    def gradient_norm(self) -> float:
        return float(np.max(np.abs(self.gradient))) if self.gradient.size else 0.0


def _solve(info: np.ndarray, grad: np.ndarray, damp: bool = True) -> np.ndarray | None:
    """Newton direction ``-info^-1 grad``; damped if ``info`` is (near) singular.

    With ``damp=False`` returns ``None`` when ``info`` is not positive definite.
    """
    scale = np.sqrt(np.clip(np.abs(np.diag(info)), 1e-300, None))
    scaled = info / np.outer(scale, scale)
    ridge = 0.0
    for _ in range(12 if damp else 1):
        try:
            factor = linalg.cho_factor(scaled + ridge * np.eye(len(grad)))
            return linalg.cho_solve(factor, -grad / scale) / scale
        except linalg.LinAlgError:
            ridge = 1e-8 if ridge == 0.0 else ridge * 10.0
    return -grad / scale**2 if damp else None


def fisher_scoring(objective: Objective, theta0: np.ndarray, *, max_iter: int = 500,
                   tol: float = 1e-14, newton_below: float = 1e-2, near: bool = False) -> OptimResult:
    """Minimise ``objective`` by Fisher scoring, then Newton, with a line search.

    Far from the optimum the expected information (always positive definite
    for an identified model) gives robust steps; once the Newton decrement is
    below ``newton_below`` the observed information (exact Hessian) is used
    when it is positive definite, for quadratic convergence.

    Close to the optimum an observed information is kept for the next steps (the
    chord or simplified Newton method; Dennis & Schnabel, 1996, sec. 5.4) as long as
    each step shrinks the decrement by at least ``CHORD_CONTRACTION`` and the full
    step is accepted (a chord step the line search rejects is retried with a fresh
    information): a gradient costs a small fraction of an information (with many
    missing-data patterns, a Gram product over the patterns). Convergence is declared
    only with an information evaluated at the final estimates, which is the one
    returned (the standard errors use it).

    Parameters
    ----------
    objective : Objective
    theta0 : ndarray
        Start values; the implied covariance matrices must be positive definite.
    max_iter : int
        Maximum number of iterations.
    tol : float
        Convergence when the Newton decrement ``g' I^-1 g`` (in units of the
        objective ``-logL/N``) falls below ``tol``.
    newton_below : float
        Decrement below which Newton steps are tried.
    near : bool
        The start is close to the optimum (e.g. the ML fit to the EM moments before a
        FIML fit): the first step is already tried with the observed information.

    Returns
    -------
    OptimResult
    """
    theta = np.asarray(theta0, dtype=float).copy()
    f, grad = objective.value_grad(theta)
    if not np.isfinite(f):
        return OptimResult(theta, f, np.full(len(theta), np.nan), False, 0,
                           "the start values imply a covariance matrix that is not positive definite")
    if len(theta) == 0:
        return OptimResult(theta, f, grad, True, 0, "no free parameters")
    decrement = 0.0 if near else np.inf
    held = None          # an earlier iterate's observed information, while chord steps contract
    for it in range(1, max_iter + 1):
        step = None
        chorded = held is not None
        if held is not None:
            step = _solve(held / objective.N, grad, damp=False)
            chord = float(-grad @ step) if step is not None else np.inf
            if not (tol <= chord < CHORD_CONTRACTION * decrement):
                step = None
        if step is None:
            held, chorded = None, False
            if decrement < newton_below:
                info, observed = objective.information(theta, observed=True), True
                step = _solve(info / objective.N, grad, damp=False)
                if step is not None:
                    held = info
            if step is None:
                info, observed = objective.information(theta, observed=False), False
                step = _solve(info / objective.N, grad)
        decrement = float(-grad @ step)
        if 0 <= decrement < tol:
            return OptimResult(theta, f, grad, True, it - 1, "converged", info, observed)
        t, accepted = 1.0, False
        while t > 1e-12:
            cand = theta + t * step
            f_new = objective.value(cand)
            if np.isfinite(f_new) and f_new <= f - 1e-4 * t * max(decrement, 0.0):
                accepted = True
                break
            t *= 0.5
        if not accepted and chorded:
            held = None          # the next iteration takes a fresh information at the same estimates
            continue
        if not accepted:
            small = abs(decrement) < 1e-9 and np.max(np.abs(grad)) < 1e-6
            msg = ("converged (no further decrease possible at machine precision)" if small
                   else "line search failed: no step decreases the objective")
            return OptimResult(theta, f, grad, small, it, msg)
        if t < 1.0:
            held = None          # a shortened step: not in the region where chord steps contract
        theta = cand
        f, grad = objective.value_grad(theta)
        if objective.near_singular(theta):
            return OptimResult(theta, f, grad, False, it,
                               "the implied covariance matrix became singular: the likelihood has "
                               "no proper maximum (too few respondents or an unidentified model)")
    return OptimResult(theta, f, grad, False, max_iter,
                       f"maximum number of iterations ({max_iter}) reached")
