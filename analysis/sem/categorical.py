"""The model for ordinal indicators: latent responses, thresholds, delta scales.

Each ordinal item ``y_j`` is the discretised latent response ``y*_j`` (``y_j = k``
when ``tau_j,k < y*_j <= tau_j,k+1``) and the usual factor model holds for
``y*``: ``y* = nu + Lambda eta + eps``.  In lavaan's default **delta
parameterisation** the scale factors ``Delta_j = 1 / sd(y*_j)`` are parameters
(``y ~*~ y``) and the residual variances are not: they follow from
``Var(y*_j) = 1 / Delta_j^2``.  The moments fitted per group are the
standardised thresholds and the polychoric correlations::

    tau*_jk = Delta_j (tau_jk - mu*_j)        rho_ij = Delta_i Delta_j Sigma*_ij  (i != j)

with ``mu* = nu + Lambda E(eta)`` and ``Sigma*`` the factor part of the model
(the ``RamModel`` of the same syntax, residual variances held at a placeholder
that never enters the off-diagonal).

Multiple groups are identified as Wu & Estabrook (2016) propose and semTools's
``measEq.syntax(ID.cat = "Wu.Estabrook.2016", ID.fac = "std.lv")`` writes it,
for the levels of ``group_equal``:

* configural: thresholds free in every group, ``nu = 0``, ``Delta = 1``,
  latent means 0 (and, with ``std_lv``, latent variances 1);
* ``"thresholds"``: thresholds equal; ``nu`` and ``Delta`` free in all but the
  first group;
* ``+ "loadings"``: loadings equal; latent variances free but in the first group;
* ``+ "intercepts"``: ``nu = 0`` again in every group; latent means free but in
  the first group (``Delta`` stays free).

``"loadings"`` or ``"intercepts"`` without ``"thresholds"`` are taken with it
(the order semTools and Wu & Estabrook recommend: thresholds first).

References
----------
Muthén, B., & Asparouhov, T. (2002). Latent variable analysis with categorical
    outcomes: multiple-group and growth modeling in Mplus. *Mplus Web Notes*, 4.
Wu, H., & Estabrook, R. (2016). Identification of confirmatory factor analysis
    models of different levels of invariance for ordered categorical outcomes.
    *Psychometrika*, 81(4), 1014-1045.
Rosseel, Y. (2012). lavaan. *Journal of Statistical Software*, 48(2), 1-36.
"""
from __future__ import annotations

import re

import numpy as np

from analysis.common.errors import ModelError
from analysis.sem.representation import RamModel
from analysis.sem.spec import build_partable, variable_roles
from analysis.sem.syntax import parse_syntax

CATEGORICAL_EQUAL = ("thresholds", "loadings", "intercepts")


def equal_levels(group_equal) -> tuple[str, ...]:
    """The categorical ``group_equal`` kinds, ``"thresholds"`` added when implied."""
    bad = [k for k in group_equal if k not in CATEGORICAL_EQUAL]
    if bad:
        raise ModelError(f"group_equal {bad} is not available with estimator 'wlsmv'; use "
                         f"{list(CATEGORICAL_EQUAL)}")
    kinds = set(group_equal)
    if kinds & {"loadings", "intercepts"}:
        kinds.add("thresholds")
    return tuple(k for k in CATEGORICAL_EQUAL if k in kinds)


def _split_partial(group_partial, observed, n_thresholds, ngroups: int):
    """``group_partial`` (entries as :func:`analysis.sem.spec.group_numbers` leaves them) split
    into released thresholds ``(position, group)``, freed intercepts ``(item, group)`` (groups
    0-based) and the entries for the factor part (loadings; intercepts to exempt them).

    A threshold or intercept written without a group is released in every group but the
    first (the reference); a threshold of the first group cannot be released alone (release
    it in the other groups).
    """
    starts = np.concatenate([[0], np.cumsum(n_thresholds)])
    released_th, free_nu, ram = [], set(), []
    for entry in group_partial:
        name, g = entry if isinstance(entry, tuple) else (entry, None)
        name = "".join(str(name).split())
        groups = range(1, ngroups) if g is None else [g - 1]
        match = re.fullmatch(r"(.+)\|t(\d+)", name)
        if match:
            item, k = match.group(1), int(match.group(2))
            if item not in observed or not 1 <= k <= n_thresholds[observed.index(item)]:
                raise ModelError(f"group_partial: {name!r} is not a threshold of the model; write it as "
                                 f"item|t1 .. item|t{max(n_thresholds)}")
            if g == 1:
                raise ModelError(f"group_partial: the thresholds of the first group are the reference; "
                                 f"release {name!r} in the other groups instead")
            j = observed.index(item)
            released_th += [(int(starts[j]) + k - 1, gg) for gg in groups]
            continue
        if name.endswith("~1") and name[:-2] in observed:
            free_nu.update((name[:-2], gg) for gg in groups)
        ram.append(entry)
    return released_th, free_nu, tuple(ram)


class CategoricalModel:
    """Parameters and implied moments of an ordinal-indicator model.

    Parameters
    ----------
    model : str
        lavaan syntax (``=~``, ``~``, ``~~``; no ``|`` or ``~*~``: thresholds and
        scales are added here).
    n_thresholds : list of int
        Thresholds per observed variable (categories - 1), in model order.
    ngroups : int
    group_equal : tuple of str
        From :func:`equal_levels`.
    std_lv, orthogonal : bool
        As :class:`~analysis.sem.SEM`.
    """

    def __init__(self, model: str, n_thresholds, ngroups: int, group_equal: tuple, *,
                 std_lv: bool, orthogonal: bool, group_partial=()) -> None:
        statements = parse_syntax(model)
        roles = variable_roles(statements)
        self.observed = roles.observed
        self.ngroups = ngroups
        self.group_equal = group_equal
        equal_th = "thresholds" in group_equal
        released_th, free_nu, ram_partial = _split_partial(group_partial, self.observed, n_thresholds, ngroups)
        extra = []
        for v in self.observed:
            extra.append(f"{v} ~~ 1*{v}")       # placeholder: not a parameter (delta parameterisation)
            nu_free = equal_th and "intercepts" not in group_equal
            if ngroups > 1:
                # the first group's intercept is the reference (0); a released one is free
                values = ["NA" if (v, g) in free_nu or (g > 0 and nu_free) else "0" for g in range(ngroups)]
                extra.append(f"{v} ~ c({', '.join(values)})*1")
        text = model + "\n" + "\n".join(extra)
        ram_equal = tuple(k for k in ("loadings", "intercepts") if k in group_equal)
        table = build_partable(parse_syntax(text), ngroups=ngroups, meanstructure=ngroups > 1,
                               std_lv=std_lv, orthogonal=orthogonal, group_equal=ram_equal,
                               group_partial=ram_partial)
        self.table = table
        self.ram = RamModel(table)
        if tuple(self.ram.observed) != tuple(self.observed):
            raise ModelError("internal error: observed variables out of order")
        self.n_ram = table.n_free
        p = len(self.observed)
        self.n_th = np.asarray(n_thresholds, dtype=int)
        # threshold and scale parameters: index into theta (>= n_ram) or -1 (fixed)
        nxt = self.n_ram
        th_index = []
        for g in range(ngroups):
            if g == 0 or not equal_th:
                idx = np.arange(nxt, nxt + self.n_th.sum())
                nxt += self.n_th.sum()
            else:
                idx = th_index[0].copy()
            th_index.append(idx)
        for t, g in released_th:
            if not equal_th:
                continue            # thresholds are free in every group anyway
            th_index[g][t] = nxt
            nxt += 1
        if released_th and equal_th:
            # each item needs two thresholds equal to the first group's while its intercept and
            # scale are free (one while the intercept is fixed): Wu & Estabrook (2016)
            need = 1 if "intercepts" in group_equal else 2
            for g in range(1, ngroups):
                same = th_index[g] == th_index[0]
                for j, item in enumerate(self.observed):
                    if np.sum(same[self.th_var_of(j)]) < need:
                        raise ModelError(f"group_partial: too many thresholds of '{item}' released in group "
                                         f"{g + 1}; keep at least {need} equal to the first group's")
        scale_index = []
        for g in range(ngroups):
            if g > 0 and equal_th:
                scale_index.append(np.arange(nxt, nxt + p))
                nxt += p
            else:
                scale_index.append(np.full(p, -1))
        self.th_index = th_index
        self.scale_index = scale_index
        self.n_free = nxt
        self.th_var = np.repeat(np.arange(p), self.n_th)
        jj, ii = np.triu_indices(p, 1)
        order = np.lexsort((ii, jj))
        self.pairs = np.column_stack([ii[order], jj[order]])

    def rebuilt(self, table, th_index, scale_index) -> "CategoricalModel":
        """The same items and groups with another factor-part table (its free parameters
        first in ``theta``) and other threshold and scale indices (``-1``: scale fixed at 1);
        used to add or release parameters for score tests."""
        new = object.__new__(CategoricalModel)
        new.__dict__.update(self.__dict__)
        new.table, new.ram, new.n_ram = table, RamModel(table), table.n_free
        new.th_index = [np.asarray(i, dtype=int) for i in th_index]
        new.scale_index = [np.asarray(i, dtype=int) for i in scale_index]
        top = [int(np.max(i)) for i in new.th_index + new.scale_index if len(i)]
        new.n_free = max([table.n_free - 1] + top) + 1
        return new

    def th_var_of(self, j: int) -> np.ndarray:
        """Positions of item ``j``'s thresholds among the stacked thresholds."""
        start = int(np.sum(self.n_th[:j]))
        return np.arange(start, start + int(self.n_th[j]))

    @property
    def n_moments(self) -> int:
        return self.ngroups * (int(self.n_th.sum()) + len(self.pairs))

    @property
    def df(self) -> int:
        return self.n_moments - self.n_free

    def start(self, stats) -> np.ndarray:
        """Start values: factor part from the polychoric correlations, thresholds observed."""
        from analysis.sem.start import start_values
        p = len(self.observed)
        ram0 = start_values(self.ram, [(np.zeros(p), s.cor) for s in stats])
        theta = np.zeros(self.n_free)
        theta[: self.n_ram] = ram0
        for g, s in enumerate(stats):
            theta[self.th_index[g]] = s.th
            free = self.scale_index[g] >= 0
            theta[self.scale_index[g][free]] = 1.0
        return theta

    def scales(self, theta: np.ndarray, g: int) -> np.ndarray:
        idx = self.scale_index[g]
        return np.where(idx >= 0, theta[np.clip(idx, 0, None)], 1.0)

    def group_moments(self, theta: np.ndarray, g: int, jacobian: bool = False):
        """Implied ``(tau*, rho)`` of group ``g``, and with ``jacobian`` its derivative."""
        ram_theta = theta[: self.n_ram]
        sigma, mu = self.ram.implied(ram_theta)[g]
        d = self.scales(theta, g)
        tau = theta[self.th_index[g]]
        tv = self.th_var
        i, j = self.pairs[:, 0], self.pairs[:, 1]
        m = np.concatenate([d[tv] * (tau - mu[tv]), d[i] * d[j] * sigma[i, j]])
        if not jacobian:
            return m
        nth = len(tv)
        J = np.zeros((len(m), self.n_free))
        d_mu, d_sigma, ids = self.ram.moment_jacobian(ram_theta, g)
        p = len(d)
        J[:nth, ids] = -d[tv, None] * d_mu[tv]
        J[nth:, ids] = (d[i] * d[j])[:, None] * d_sigma[i * p + j]
        np.add.at(J, (np.arange(nth), self.th_index[g]), d[tv])
        sidx = self.scale_index[g]
        if np.any(sidx >= 0):
            rows = np.arange(nth)
            J[rows, sidx[tv]] += (tau - mu[tv]) * (sidx[tv] >= 0)
            r = np.arange(len(i)) + nth
            fi, fj = sidx[i] >= 0, sidx[j] >= 0
            np.add.at(J, (r[fi], sidx[i][fi]), d[j][fi] * sigma[i, j][fi])
            np.add.at(J, (r[fj], sidx[j][fj]), d[i][fj] * sigma[i, j][fj])
        return m, J

    def residual_variances(self, theta: np.ndarray, g: int) -> np.ndarray:
        """``Var(eps_j) = 1/Delta_j^2 - Var(common part)``; the placeholder residual is 1."""
        sigma, _ = self.ram.implied(theta[: self.n_ram])[g]
        return 1.0 / self.scales(theta, g) ** 2 - (np.diag(sigma) - 1.0)
