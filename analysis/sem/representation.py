"""Implied moments of a parameter table and their derivatives.

All variables (observed first, then latent) are stacked in ``v``; the model is
``v = alpha + A v + zeta`` with ``Cov(zeta) = S`` (McArdle & McDonald's RAM form,
equivalent to LISREL's ``Sigma = Lambda (I-B)^-1 Psi (I-B)^-T Lambda' + Theta``:
loadings and regressions are entries of ``A``, residual (co)variances entries of
``S``, intercepts/means entries of ``alpha``).  With ``Binv = (I - A)^-1`` and
``F`` selecting the observed rows::

    Sigma = F Binv S Binv' F'        mu = F Binv alpha

Every parameter moves ``Sigma`` by a symmetric rank-2 matrix ``a b' + b a'`` and
``mu`` by a vector, which gives cheap analytic gradients and information matrices.

References
----------
McArdle, J. J., & McDonald, R. P. (1984). Some algebraic properties of the
    reticular action model for moment structures. *British Journal of
    Mathematical and Statistical Psychology*, 37(2), 234-251.
Jöreskog, K. G. (1969). A general approach to confirmatory maximum likelihood
    factor analysis. *Psychometrika*, 34(2), 183-202.

Example
-------
>>> from analysis.sem.syntax import parse_syntax
>>> from analysis.sem.spec import build_partable
>>> model = RamModel(build_partable(parse_syntax("f =~ x1 + x2 + x3")))
>>> sigma, mu = model.implied(model.table_start())[0]
>>> sigma.shape
(3, 3)
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analysis.sem.spec import ParameterTable

KIND_A, KIND_S, KIND_ALPHA = 0, 1, 2


@dataclass(frozen=True)
class GroupSlots:
    """Where each parameter-table row of one group sits in ``A``, ``S`` or ``alpha``."""

    rows: np.ndarray    # index into ParameterTable.rows
    kind: np.ndarray    # KIND_A / KIND_S / KIND_ALPHA
    i: np.ndarray
    j: np.ndarray
    theta: np.ndarray   # 0-based free-parameter index, -1 if fixed
    value: np.ndarray   # fixed value (nan if free)


class RamModel:
    """Map free parameters to implied moments for every group.

    Parameters
    ----------
    table : ParameterTable
        Parameter table from :func:`analysis.sem.spec.build_partable`.
    """

    def __init__(self, table: ParameterTable) -> None:
        self.table = table
        self.observed = table.roles.observed
        self.latent = table.roles.latent
        self.names = self.observed + self.latent
        self.p, self.n = len(self.observed), len(self.names)
        self.n_free = table.n_free
        self.meanstructure = table.meanstructure
        pos = {name: k for k, name in enumerate(self.names)}
        self.slots: list[GroupSlots] = []
        for g in range(1, table.ngroups + 1):
            rec = []
            for r, row in enumerate(table.rows):
                if row.group != g:
                    continue
                if row.op == "=~":
                    kind, i, j = KIND_A, pos[row.rhs], pos[row.lhs]
                elif row.op == "~":
                    kind, i, j = KIND_A, pos[row.lhs], pos[row.rhs]
                elif row.op == "~~":
                    a, b = pos[row.lhs], pos[row.rhs]
                    kind, i, j = KIND_S, max(a, b), min(a, b)
                else:
                    kind, i, j = KIND_ALPHA, pos[row.lhs], 0
                rec.append((r, kind, i, j, row.free - 1, row.value))
            arr = np.array(rec, dtype=float).reshape(-1, 6)
            self.slots.append(GroupSlots(rows=arr[:, 0].astype(int), kind=arr[:, 1].astype(int),
                                         i=arr[:, 2].astype(int), j=arr[:, 3].astype(int),
                                         theta=arr[:, 4].astype(int), value=arr[:, 5]))

    @property
    def ngroups(self) -> int:
        return len(self.slots)

    def slot_values(self, theta: np.ndarray, g: int) -> np.ndarray:
        """Value of every slot of group ``g`` (fixed value or free parameter)."""
        sl = self.slots[g]
        out = sl.value.copy()
        free = sl.theta >= 0
        out[free] = theta[sl.theta[free]]
        return out

    def matrices(self, theta: np.ndarray, g: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``A``, ``S`` and ``alpha`` of group ``g`` (0-based)."""
        sl, vals = self.slots[g], self.slot_values(theta, g)
        A = np.zeros((self.n, self.n))
        S = np.zeros((self.n, self.n))
        alpha = np.zeros(self.n)
        ka, ks, km = sl.kind == KIND_A, sl.kind == KIND_S, sl.kind == KIND_ALPHA
        A[sl.i[ka], sl.j[ka]] = vals[ka]
        S[sl.i[ks], sl.j[ks]] = vals[ks]
        S[sl.j[ks], sl.i[ks]] = vals[ks]
        alpha[sl.i[km]] = vals[km]
        return A, S, alpha

    def stacked_matrices(self, g: int, vals: np.ndarray):
        """``A``, ``S``, ``alpha`` for a stack of slot-value vectors ``vals`` (m, slots)."""
        sl, m = self.slots[g], len(vals)
        A, S, alpha = np.zeros((m, self.n, self.n)), np.zeros((m, self.n, self.n)), np.zeros((m, self.n))
        ka, ks, km = sl.kind == KIND_A, sl.kind == KIND_S, sl.kind == KIND_ALPHA
        A[:, sl.i[ka], sl.j[ka]] = vals[:, ka]
        S[:, sl.i[ks], sl.j[ks]] = vals[:, ks]
        S[:, sl.j[ks], sl.i[ks]] = vals[:, ks]
        alpha[:, sl.i[km]] = vals[:, km]
        return A, S, alpha

    def perturbed(self, theta: np.ndarray, g: int, rel_step: float):
        """Slot values of group ``g`` with each of its free parameters moved up, then down.

        Returns ``(vals, ids, steps, member)``: ``vals`` (2r, slots) holds the ``r``
        upward then the ``r`` downward perturbations of the parameters ``ids``
        by ``steps``; ``member[c, s]`` is 1 if slot ``s`` holds parameter ``ids[c]``.
        """
        sl = self.slots[g]
        ids = np.unique(sl.theta[sl.theta >= 0])
        base = self.slot_values(theta, g)
        steps = rel_step * np.maximum(1.0, np.abs(theta[ids]))
        member = (sl.theta[None, :] == ids[:, None]).astype(float)
        vals = np.concatenate([base + steps[:, None] * member, base - steps[:, None] * member])
        return vals, ids, steps, member

    def parts(self, theta: np.ndarray, g: int) -> dict:
        """Intermediate products used by moments, gradients and Jacobians."""
        A, S, alpha = self.matrices(theta, g)
        binv = np.linalg.inv(np.eye(self.n) - A)
        C = binv[: self.p, :]                  # effect of every variable on the observed
        V = binv @ S @ binv.T                  # model covariance of all variables
        H = V[: self.p, :]                     # F Binv S Binv'
        total_mean = binv @ alpha
        return {"A": A, "S": S, "alpha": alpha, "binv": binv, "C": C, "V": V, "H": H,
                "mean_all": total_mean}

    def implied(self, theta: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """``(Sigma, mu)`` per group."""
        out = []
        for g in range(self.ngroups):
            pr = self.parts(theta, g)
            sigma = pr["V"][: self.p, : self.p]
            out.append((0.5 * (sigma + sigma.T), pr["mean_all"][: self.p]))
        return out

    def slot_gradient(self, pr: dict, g: int, G: np.ndarray, gmu: np.ndarray | None) -> np.ndarray:
        """Derivative of a scalar w.r.t. each slot of group ``g``.

        ``G`` is the scalar's derivative w.r.t. the (unconstrained, symmetric)
        entries of ``Sigma``; ``gmu`` w.r.t. ``mu`` (``None``: no mean structure).
        """
        sl, C, H = self.slots[g], pr["C"], pr["H"]
        CG = C.T @ G
        dA = 2.0 * CG @ H
        dS = 2.0 * CG @ C
        if gmu is not None:
            Cg = C.T @ gmu
            dA += np.outer(Cg, pr["mean_all"])
        out = np.zeros(len(sl.kind))
        ka, ks, km = sl.kind == KIND_A, sl.kind == KIND_S, sl.kind == KIND_ALPHA
        out[ka] = dA[sl.i[ka], sl.j[ka]]
        diag = sl.i == sl.j
        out[ks] = np.where(diag[ks], 0.5, 1.0) * dS[sl.i[ks], sl.j[ks]]
        if gmu is not None:
            out[km] = Cg[sl.i[km]]
        return out

    def gradient(self, theta: np.ndarray, moment_grads: list) -> np.ndarray:
        """Chain rule: free-parameter gradient from per-group ``(G, gmu)``."""
        grad = np.zeros(self.n_free)
        for g, (G, gmu) in enumerate(moment_grads):
            pr = self.parts(theta, g)
            self.accumulate(grad, g, self.slot_gradient(pr, g, G, gmu))
        return grad

    def accumulate(self, target: np.ndarray, g: int, slot_values: np.ndarray) -> None:
        """Add slot derivatives into the free-parameter vector (shared parameters sum)."""
        sl = self.slots[g]
        free = sl.theta >= 0
        np.add.at(target, sl.theta[free], slot_values[free])

    def free_jacobian(self, theta: np.ndarray, g: int):
        """Rank-2 factors of the moment Jacobian for the free slots of group ``g``.

        Returns ``(a, b, dmu, theta_index)`` where row ``r`` says that slot ``r``
        moves ``Sigma`` by ``a_r b_r' + b_r a_r'`` and ``mu`` by ``dmu_r``.
        """
        sl, pr = self.slots[g], self.parts(theta, g)
        C, H, m = pr["C"], pr["H"], pr["mean_all"]
        free = np.flatnonzero(sl.theta >= 0)
        a = np.zeros((len(free), self.p))
        b = np.zeros((len(free), self.p))
        dmu = np.zeros((len(free), self.p))
        for r, s in enumerate(free):
            k, i, j = sl.kind[s], sl.i[s], sl.j[s]
            if k == KIND_A:
                a[r], b[r] = C[:, i], H[:, j]
                dmu[r] = C[:, i] * m[j]
            elif k == KIND_S:
                a[r] = C[:, i]
                b[r] = C[:, j] * (0.5 if i == j else 1.0)
            else:
                dmu[r] = C[:, i]
        return a, b, dmu, sl.theta[free]

    def moment_jacobian(self, theta: np.ndarray, g: int):
        """Dense Jacobian of ``(mu, vec Sigma)`` of group ``g`` w.r.t. its free parameters.

        Returns ``(d_mu, d_sigma, ids)`` of shapes ``(p, r)``, ``(p*p, r)`` and
        ``(r,)``: column ``c`` is the derivative w.r.t. free parameter ``ids[c]``
        (0-based); parameters the group does not use are left out.
        """
        a, b, dmu, idx = self.free_jacobian(theta, g)
        ids, col = np.unique(idx, return_inverse=True)
        outer = a[:, :, None] * b[:, None, :]
        dsig = (outer + outer.transpose(0, 2, 1)).reshape(len(idx), -1)
        d_mu = np.zeros((len(ids), self.p))
        d_sigma = np.zeros((len(ids), self.p * self.p))
        np.add.at(d_mu, col, dmu)
        np.add.at(d_sigma, col, dsig)
        return d_mu.T, d_sigma.T, ids

    def table_start(self) -> np.ndarray:
        """A crude but admissible start: free loadings/regressions 0.5, variances 1."""
        theta = np.zeros(self.n_free)
        for row in self.table.rows:
            if row.free:
                if row.op == "~~" and row.lhs == row.rhs:
                    theta[row.free - 1] = 1.0
                elif row.op == "=~":
                    theta[row.free - 1] = 0.5
        return theta
