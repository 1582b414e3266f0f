"""Model specification: variable roles and a lavaan-style parameter table.

:func:`build_partable` turns parsed statements into the full list of model
parameters, adding the elements that ``lavaan::cfa()`` / ``lavaan::sem()`` add by
default and applying their identification and multiple-group rules:

* the first loading of each latent variable is fixed to 1 (marker) unless
  ``std_lv``, in which case latent variances are fixed to 1 and all loadings free;
* residual variances of observed variables and variances of latent variables are
  free; covariances among exogenous latent variables are free unless
  ``orthogonal``; residual covariances among purely dependent variables are free;
  observed exogenous regressors get free variances, covariances and means (this is
  lavaan with ``fixed.x = FALSE``);
* with a mean structure, observed intercepts are free and latent means fixed to 0;
  in groups after the first, latent means are free when intercepts are equal
  across groups and means are not;
* ``group_equal`` gives parameters of the same kind one shared free parameter in
  every group (lavaan's labels), ``group_partial`` exempts single parameters, user
  labels (``a*x2``) make parameters with the same label equal; if any of a set of
  equal parameters is fixed, all are fixed to that value.

References
----------
Rosseel, Y. (2012). lavaan: An R package for structural equation modeling.
    *Journal of Statistical Software*, 48(2), 1-36.
Bollen, K. A. (1989). *Structural Equations with Latent Variables*. Wiley, ch. 4
    and 7 (identification).

Example
-------
>>> from analysis.sem.syntax import parse_syntax
>>> table = build_partable(parse_syntax("f =~ x1 + x2 + x3"))
>>> table.n_free
6
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import pandas as pd

from analysis.common.errors import ModelError
from analysis.sem.syntax import Statement

GROUP_EQUAL_KINDS = ("loadings", "intercepts", "means", "regressions", "residuals",
                     "residual.covariances", "lv.variances", "lv.covariances")


@dataclass(frozen=True)
class VariableRoles:
    """Names of the model's variables by role, in lavaan's order.

    ``observed`` lists indicators first (in order of appearance), then purely
    dependent observed variables, then observed regressors, then variables only
    named in ``~~`` or ``~ 1``.
    """

    observed: tuple[str, ...]
    latent: tuple[str, ...]
    indicators: tuple[str, ...]
    observed_exogenous: tuple[str, ...]
    latent_exogenous: tuple[str, ...]
    dependent: tuple[str, ...]
    first_line: dict[str, int] = field(default_factory=dict)

    @property
    def observed_endogenous(self) -> tuple[str, ...]:
        return tuple(v for v in self.observed if v not in self.observed_exogenous)


def _unique(seq) -> tuple[str, ...]:
    return tuple(dict.fromkeys(seq))


def variable_roles(statements: list[Statement]) -> VariableRoles:
    """Classify variables as lavaan's ``lav_partable_vnames`` does."""
    latent = _unique(s.lhs for s in statements if s.op == "=~")
    v_ind = _unique(s.rhs for s in statements if s.op == "=~")
    eqs_y = _unique(s.lhs for s in statements if s.op == "~")
    eqs_x = _unique(s.rhs for s in statements if s.op == "~")
    indicators = tuple(v for v in v_ind if v not in latent)
    ov_y = tuple(v for v in eqs_y if v not in latent and v not in indicators)
    ov_x = tuple(v for v in eqs_x if v not in latent and v not in indicators and v not in ov_y)
    extra = _unique([s.lhs for s in statements if s.op in ("~~", "~1")]
                    + [s.rhs for s in statements if s.op == "~~"])
    observed = _unique(indicators + ov_y + ov_x + tuple(v for v in extra if v not in latent))
    lv_x = tuple(v for v in latent if v not in v_ind and v not in eqs_y)
    lv_y = tuple(v for v in latent if v in eqs_y and v not in v_ind and v not in eqs_x)
    pure_ov_y = tuple(v for v in observed
                      if v in eqs_y and v not in v_ind and v not in eqs_x and v not in latent)
    first_line: dict[str, int] = {}
    for s in statements:
        for name in (s.lhs, s.rhs):
            if name:
                first_line.setdefault(name, s.line)
    return VariableRoles(observed=observed, latent=latent, indicators=indicators,
                         observed_exogenous=ov_x, latent_exogenous=lv_x,
                         dependent=lv_y + pure_ov_y, first_line=first_line)


@dataclass
class ParRow:
    """One parameter of one group (lavaan partable row)."""

    lhs: str
    op: str
    rhs: str
    group: int
    user: bool
    free: int = 0            # 1-based index of the free parameter, 0 if fixed
    value: float = math.nan  # fixed value (nan when free)
    start: float = math.nan  # user start value (nan: computed later)
    label: str = ""          # user label
    eq_label: str = ""       # label that defines equality (lavaan's LABEL)
    line: int = 0
    is_free: bool = True


@dataclass
class ParameterTable:
    """All parameters of a model across groups, with equality constraints resolved."""

    rows: list[ParRow]
    roles: VariableRoles
    ngroups: int
    meanstructure: bool
    n_free: int

    def to_frame(self) -> pd.DataFrame:
        """The table as a DataFrame (lhs, op, rhs, group, user, free, value, start, label)."""
        return pd.DataFrame([{"lhs": r.lhs, "op": r.op, "rhs": r.rhs, "group": r.group,
                              "user": int(r.user), "free": r.free, "value": r.value,
                              "start": r.start, "label": r.label or "", "line": r.line}
                             for r in self.rows])

    def n_moments(self) -> int:
        """Sample moments per group times groups (lavaan's ndat)."""
        p = len(self.roles.observed)
        return self.ngroups * (p * (p + 1) // 2 + (p if self.meanstructure else 0))

    @property
    def df(self) -> int:
        return self.n_moments() - self.n_free


def _default_elements(roles: VariableRoles, meanstructure: bool) -> list[tuple[str, str, str]]:
    out = [(v, "~~", v) for v in roles.observed_endogenous + roles.latent]
    out += [(a, "~~", b) for a, b in itertools.combinations(roles.latent_exogenous, 2)]
    out += [(a, "~~", b) for a, b in itertools.combinations(roles.dependent, 2)]
    ox = roles.observed_exogenous
    out += [(ox[j], "~~", ox[i]) for j in range(len(ox)) for i in range(j, len(ox))]
    if meanstructure:
        out += [(v, "~1", "") for v in roles.observed + roles.latent]
    return out


def _per_group(values: tuple | None, ngroups: int, where: str):
    if values is None:
        return [None] * ngroups
    if len(values) == 1:
        return list(values) * ngroups
    if len(values) != ngroups:
        raise ModelError(f"{where}: c(...) has {len(values)} values but the data have "
                         f"{ngroups} group(s)")
    return list(values)


def _single_indicators(statements: list[Statement], roles: VariableRoles) -> set[str]:
    loads = [(s.lhs, s.rhs) for s in statements if s.op == "=~"]
    counts = {lv: sum(1 for l, _ in loads if l == lv) for lv in roles.latent}
    rhs_count = {v: sum(1 for _, r in loads if r == v) for _, v in loads}
    return {r for l, r in loads if counts[l] == 1 and rhs_count[r] == 1 and r not in roles.latent}


def build_partable(statements: list[Statement], *, ngroups: int = 1,
                   meanstructure: bool = False, std_lv: bool = False,
                   orthogonal: bool = False, group_equal=(), group_partial=()) -> ParameterTable:
    """Build the parameter table of a model, as ``lavaan::lavaanify(auto = TRUE)``.

    Parameters
    ----------
    statements : list of Statement
        From :func:`analysis.sem.syntax.parse_syntax`.
    ngroups : int
        Number of groups.
    meanstructure : bool
        Whether intercepts/means are part of the model.
    std_lv : bool
        Identify latent variables by unit variance instead of a marker loading.
    orthogonal : bool
        Fix covariances among exogenous latent variables to zero.
    group_equal : sequence of str
        Kinds of parameters held equal across groups (see ``GROUP_EQUAL_KINDS``).
    group_partial : sequence of str or (str, int)
        Parameters exempted from ``group_equal``, written ``"visual=~x2"`` or ``"x3~1"``
        (spaces ignored); each must be a parameter of the model.  A string exempts
        the parameter in every group (lavaan's ``group.partial``); a pair
        ``("x3~1", g)`` releases only group ``g``'s copy (1-based), which is then
        estimated on its own while the other groups stay equal (the release of one
        of lavaan's equality constraints, as in a stepwise partial-invariance search;
        not a lavaan option).

    Returns
    -------
    ParameterTable

    Raises
    ------
    ModelError
        Unknown ``group_equal`` kind, a ``group_partial`` entry that is not a parameter
        of the model, wrong number of per-group modifier values, latent variable
        without a scale, more free parameters than moments.
    """
    bad = [k for k in group_equal if k not in GROUP_EQUAL_KINDS]
    if bad:
        raise ModelError(f"group_equal: unknown kind(s) {bad}; use {list(GROUP_EQUAL_KINDS)}")
    roles = variable_roles(statements)
    if not roles.latent and not any(s.op == "~" for s in statements):
        raise ModelError("the model has neither latent variables (=~) nor regressions (~)")
    user_keys = {(s.lhs, s.op, s.rhs) for s in statements}
    user_keys |= {(s.rhs, s.op, s.lhs) for s in statements if s.op == "~~"}
    defaults = [d for d in _default_elements(roles, meanstructure) if d not in user_keys]
    single = _single_indicators(statements, roles)
    first_loading = {}
    for i, s in enumerate(statements):
        if s.op == "=~":
            first_loading.setdefault(s.lhs, i)

    rows: list[ParRow] = []
    for g in range(1, ngroups + 1):
        for i, s in enumerate(statements):
            row = ParRow(s.lhs, s.op, s.rhs, g, True, line=s.line)
            if not std_lv and s.op == "=~" and first_loading[s.lhs] == i:
                row.is_free, row.value = False, 1.0
            if std_lv and s.op == "~~" and s.lhs == s.rhs and s.lhs in roles.latent:
                row.is_free, row.value = False, 1.0
            where = f"line {s.line}"
            fixed = _per_group(s.modifier.fixed, ngroups, where)[g - 1]
            start = _per_group(s.modifier.start, ngroups, where)[g - 1]
            label = _per_group(s.modifier.label, ngroups, where)[g - 1]
            if fixed is not None:
                row.is_free, row.value = (True, math.nan) if math.isnan(fixed) else (False, fixed)
            if start is not None:
                row.start = start
            if label is not None:
                row.label = label
            rows.append(row)
        for lhs, op, rhs in defaults:
            row = ParRow(lhs, op, rhs, g, False)
            if op == "~~" and lhs == rhs and lhs in roles.latent and std_lv:
                free_lv_var = (g > 1 and "loadings" in group_equal
                               and "lv.variances" not in group_equal)
                row.is_free, row.value = (True, math.nan) if free_lv_var else (False, 1.0)
            elif op == "~~" and lhs == rhs and lhs in single:
                row.is_free, row.value = False, 0.0
            elif op == "~~" and lhs != rhs and orthogonal and lhs in roles.latent:
                row.is_free, row.value = False, 0.0
            elif op == "~1" and lhs in roles.latent:
                free_mean = (g > 1 and "intercepts" in group_equal and "means" not in group_equal)
                row.is_free, row.value = (True, math.nan) if free_mean else (False, 0.0)
            rows.append(row)
    _assign_equality(rows, roles, ngroups, group_equal, *_partial_names(group_partial, rows, ngroups))
    n_free = max((r.free for r in rows), default=0)
    table = ParameterTable(rows=rows, roles=roles, ngroups=ngroups,
                           meanstructure=meanstructure, n_free=n_free)
    _check_identification(table)
    return table


def _equal_kind(row: ParRow, roles: VariableRoles) -> str | None:
    ov_nox = set(roles.observed_endogenous)
    if row.op == "=~":
        return "loadings"
    if row.op == "~":
        return "regressions"
    if row.op == "~1":
        return "intercepts" if row.lhs in ov_nox else ("means" if row.lhs in roles.latent else None)
    if row.op == "~~" and row.lhs in ov_nox:
        return "residuals" if row.lhs == row.rhs else "residual.covariances"
    if row.op == "~~" and row.lhs in roles.latent:
        return "lv.variances" if row.lhs == row.rhs else "lv.covariances"
    return None


def _partial_names(group_partial, rows: list[ParRow], ngroups: int) -> tuple[set[str], set[tuple[str, int]]]:
    """``group_partial`` entries without spaces, each checked against the parameters of the model:
    the names exempt in every group, and the ``(name, group)`` pairs released in one group.

    A misspelt entry (e.g. ``"x33~1"``) would otherwise exempt nothing, silently.
    """
    if isinstance(group_partial, str):
        group_partial = (group_partial,)
    names, single = set(), set()
    for entry in group_partial:
        if isinstance(entry, tuple):
            name, g = entry
            if isinstance(g, bool) or not isinstance(g, int) or not 1 <= g <= ngroups:
                raise ModelError(f"group_partial: the group of {entry!r} must be a group number from 1 "
                                 f"to {ngroups}, got {g!r}")
            single.add(("".join(str(name).split()), g))
        else:
            names.add("".join(str(entry).split()))
    known = {f"{r.lhs}{r.op}{r.rhs}" for r in rows}
    unknown = sorted((names | {name for name, _ in single}) - known)
    if unknown:
        raise ModelError(f"group_partial: {', '.join(map(repr, unknown))} is not a parameter of the model; "
                         "write it as lhs, operator and rhs, e.g. 'visual=~x2' (loading) or 'x3~1' (intercept)")
    return names, single


def _assign_equality(rows, roles, ngroups, group_equal, group_partial, released=frozenset()) -> None:
    """Give rows lavaan's equality labels and shared free-parameter indices.

    ``released`` are ``(name, group)`` copies that get their own label although
    the parameter is otherwise held equal (one equality constraint released).
    """
    for row in rows:
        base = f"{row.lhs}{row.op}{row.rhs}"
        shared = (bool(group_equal) and _equal_kind(row, roles) in group_equal and base not in group_partial)
        if (base, row.group) in released:
            row.eq_label = f"{base}.g{row.group}"
        else:
            row.eq_label = base if (row.group == 1 or shared) else f"{base}.g{row.group}"
        if row.label:
            row.eq_label = row.label
    by_label: dict[str, list[ParRow]] = {}
    for row in rows:
        by_label.setdefault(row.eq_label, []).append(row)
    next_index = 0
    for row in rows:
        members = by_label[row.eq_label]
        if row is not members[0]:
            continue
        fixed = [m for m in members if not m.is_free]
        if fixed:
            for m in members:
                m.is_free, m.value, m.free = False, fixed[0].value, 0
        else:
            next_index += 1
            for m in members:
                m.free = next_index


def _check_identification(table: ParameterTable) -> None:
    roles = table.roles
    shared = {}
    for row in table.rows:
        if row.free:
            shared.setdefault(row.free, set()).add(row.group)
    for g in range(1, table.ngroups + 1):
        for lv in roles.latent:
            loads = [r for r in table.rows if r.group == g and r.op == "=~" and r.lhs == lv]
            var = [r for r in table.rows if r.group == g and r.op == "~~"
                   and r.lhs == lv and r.rhs == lv]
            scaled = (any(not r.is_free and r.value != 0 for r in loads)
                      or any(not r.is_free and r.value != 0 for r in var)
                      or any(r.free and len(shared[r.free]) > 1 for r in loads))
            if not scaled:
                line = roles.first_line.get(lv, 0)
                raise ModelError(
                    f"line {line}: latent variable '{lv}' has no scale (group {g}): all its "
                    f"loadings and its variance are free; fix one loading (1*x) or its "
                    f"variance ({lv} ~~ 1*{lv}), or use std_lv=True")
    if table.df < 0:
        raise ModelError(
            f"the model is not identified: {table.n_free} free parameters but only "
            f"{table.n_moments()} sample moments (df = {table.df}); fix or remove parameters")


def group_numbers(group_partial, labels) -> tuple:
    """``group_partial`` with the group label of each ``(parameter, group)`` pair made its number."""
    out = []
    for entry in group_partial:
        if isinstance(entry, (tuple, list)):
            name, label = entry
            if str(label) not in labels:
                raise ModelError(f"group_partial: unknown group {label!r} in {tuple(entry)!r}; the groups are "
                                 f"{', '.join(labels)}")
            entry = (name, labels.index(str(label)) + 1)
        out.append(entry)
    return tuple(out)
