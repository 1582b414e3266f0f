"""Partial measurement invariance: free the worst equality constraint, one at a time.

When a metric or scalar step fails (the project's rule: CFI drops by more than .01,
Cheung & Rensvold 2002), the equality constraint with the largest univariate score
test (lavaan's ``lavTestScore``) among those the step added (loadings at the metric
step, intercepts at the scalar step) is released, the model refitted and judged
again against the previous level, until the step holds or ``max_free`` constraints
have been released (Byrne, Shavelson & Muthén 1989; the score-test search of Yoon
& Millsap 2007).  A released constraint is lavaan's ``first group == group g``
constraint: one item's loading or intercept in one group ``g`` is estimated on its
own, the other groups stay equal.  The constraints released at the metric step stay
released at the scalar step.

Which comparisons stay valid, per factor (Byrne et al. 1989; Steenkamp &
Baumgartner 1998): latent variances, covariances and relations need (partial) metric
invariance with at least two items whose loading is equal in every group; latent
means need (partial) scalar invariance with at least two items whose loading *and*
intercept are equal in every group.  The marker item (loading fixed at 1 in every
group) counts as an invariant loading, as it does in lavaan's identification; an
item released in one group counts as not invariant.

With robust ML (``estimator="mlr"``) the constraints are ranked, and reported
(``score_chi2``, ``score_pvalue``), by Satorra's (2000) robust univariate score test
(:mod:`analysis.sem.scoretest`), not by the ordinary one that lavaan 0.6-14's
``lavTestScore`` falls back to for an MLR fit: with skewed 7-point answers the
ordinary test is inflated as the unscaled chi-square is, and unevenly across items,
so it can point at the wrong constraint.

With ordinal items (``estimator="wlsmv"``) the levels are Wu & Estabrook's (2016): the
metric level holds thresholds *and* loadings equal, so its search releases either, one
threshold of one item in one group or one loading; the scalar level fixes the items'
intercepts at zero in every group, so releasing one is freeing it, and its score test is
that intercept's modification index (:func:`analysis.sem.wls_score.intercept_score_rows`).
The score tests are lavaan's DWLS ones (:mod:`analysis.sem.wls_score`); a threshold is
not released when fewer than two of its item's thresholds would stay equal in that group
(the item's intercept and scale would no longer be identified).  A released threshold
counts against the item's intercept invariance (it moves the item's location).

Differences from a hand-run lavaan search: lavaan's ``group.partial`` releases a
parameter in every group; here only the group whose constraint has the largest
score test (with two groups the two are the same model).  Constraints are written
against the first group (lavaan's), so a parameter that differs in the *first*
group shows up in every other group's constraint.

References
----------
Byrne, B. M., Shavelson, R. J., & Muthén, B. (1989). Testing for the equivalence of
    factor covariance and mean structures: the issue of partial measurement
    invariance. *Psychological Bulletin*, 105(3), 456-466.
Steenkamp, J.-B. E. M., & Baumgartner, H. (1998). Assessing measurement invariance in
    cross-national consumer research. *Journal of Consumer Research*, 25(1), 78-90.
Yoon, M., & Millsap, R. E. (2007). Detecting violations of factorial invariance
    using data-based specification searches: a Monte Carlo study. *Structural
    Equation Modeling*, 14(3), 435-463.
"""
from __future__ import annotations

import pandas as pd

from analysis.common.errors import ModelError

# the kind of parameter a level adds, and how a score-test row is recognised as one
PARAMETER_OF_KIND = {"loadings": "loading", "intercepts": "intercept", "thresholds": "threshold"}
# the constraints each level's search may release; with WLSMV the metric level holds the
# thresholds and loadings equal (Wu & Estabrook 2016), the scalar level fixes the intercepts
SEARCH_KINDS = {"metric": ("loadings",), "scalar": ("intercepts",)}
SEARCH_KINDS_WLSMV = {"metric": ("thresholds", "loadings"), "scalar": ("intercepts",)}
PARTIAL_COLUMNS = ("level", "step", "construct", "item", "parameter", "group", "reference_group",
                   "score_chi2", "score_pvalue", "epc", "sepc_all", "chi2", "df", "cfi", "delta_cfi", "holds")
COMPARABILITY_COLUMNS = ("construct", "n_items", "invariant_loadings", "invariant_intercepts",
                         "relations_comparable", "means_comparable", "freed")


def candidate_kind(row, latent: set[str]) -> str | None:
    """``"loadings"``, ``"intercepts"`` or ``"thresholds"`` for a score-test row of that kind, else None."""
    if row.op == "=~":
        return "loadings"
    if row.op == "|":
        return "thresholds"
    if row.op == "~1" and row.lhs not in latent:
        return "intercepts"
    return None


def factor_items(fit) -> dict[str, list[str]]:
    """Items of every factor, in the model's order (first group)."""
    p = fit.params_
    load = p[(p["op"] == "=~") & (p["group"] == fit.groups_[0])]
    out: dict[str, list[str]] = {}
    for lhs, rhs in zip(load["lhs"], load["rhs"]):
        out.setdefault(lhs, []).append(rhs)
    return out


def ranking_scores(tests) -> pd.DataFrame:
    """The univariate score tests the search ranks by (a :class:`ScoreTests`' table).

    For a robust fit (``tests.robust``) ``chi2`` and ``pvalue`` are Satorra's robust
    statistic and its p-value, the ordinary ones kept as ``chi2_standard`` and
    ``pvalue_standard``; otherwise the table as it is.
    """
    uni = tests.univariate
    if not tests.robust:
        return uni
    out = uni.copy()
    out["chi2_standard"], out["pvalue_standard"] = uni["chi2"], uni["pvalue"]
    out["chi2"], out["pvalue"] = uni["chi2_robust"], uni["pvalue_robust"]
    return out


def worst_constraint(fit, kinds: tuple[str, ...], uni: pd.DataFrame):
    """The row of ``uni`` (the univariate score tests of ``fit``) with the largest statistic
    among constraints of ``kinds`` (None if none)."""
    latent = set(factor_items(fit))
    mask = [candidate_kind(r, latent) in kinds for r in uni.itertuples()]
    candidates = uni[mask]
    if candidates.empty:
        return None
    return candidates.loc[candidates["chi2"].idxmax()]


def parameter_name(row) -> str:
    """``"loading"``, ``"intercept"`` or ``"threshold t3"`` (which threshold) for a score-test row."""
    if row["op"] == "|":
        return f"threshold {row['rhs']}"
    return "loading" if row["op"] == "=~" else "intercept"


def step_row(level: str, step: int, constraint, fit, delta_cfi: float, holds, owner: dict) -> dict:
    """One row of the partial-invariance table: the constraint released and the fit after it."""
    loading = constraint["op"] == "=~"
    item = constraint["rhs"] if loading else constraint["lhs"]
    f = fit.fit_
    return {"level": level, "step": step, "construct": owner.get(item, ""), "item": item,
            "parameter": parameter_name(constraint), "group": constraint["group"],
            "reference_group": constraint["reference_group"], "score_chi2": float(constraint["chi2"]),
            "score_pvalue": float(constraint["pvalue"]), "epc": float(constraint["epc"]),
            "sepc_all": float(constraint["sepc_all"]), "chi2": f.chi2, "df": f.df,
            # the CFI the step is judged by (robust with MLR, scaled with WLSMV)
            "cfi": {"mlr": f.cfi_robust, "wlsmv": f.cfi_scaled}.get(f.estimator, f.cfi),
            "delta_cfi": delta_cfi, "holds": holds}


def release_entry(constraint) -> tuple[tuple[str, str], str]:
    """The ``group_partial`` entry releasing ``constraint`` and its name (``"x3~1"``)."""
    name = f"{constraint['lhs']}{constraint['op']}{constraint['rhs']}"
    return (name, str(constraint["group"])), name


def search(level: str, fit, refit, judge, released: list, *, max_free: int, owner: dict, scores_of,
           kinds: tuple[str, ...] | None = None):
    """Release the worst constraint of ``level`` until ``judge`` says the step holds.

    Parameters
    ----------
    level : str
        ``"metric"`` or ``"scalar"``.
    fit : SEM
        The failed fit of the level.
    refit : callable
        ``refit(released) -> SEM``: the level fitted with the given ``group_partial``.
    judge : callable
        ``judge(fit) -> (delta_cfi, holds)`` against the previous level.
    released : list
        ``group_partial`` entries released so far (earlier levels); not modified.
    max_free : int
        At most this many constraints released at this level.
    owner : dict
        Item -> factor.
    scores_of : callable
        ``scores_of(fit) -> DataFrame``: the univariate score tests of a fit
        (raises ModelError when it has none).
    kinds : tuple of str, optional
        The kinds of constraint released (default :data:`SEARCH_KINDS` of the level).

    Returns
    -------
    rows : list of dict
        One per release (``PARTIAL_COLUMNS``).
    fit : SEM
        The last fit.
    released : list
        The entries including those of this level.
    stop : str
        Why the search stopped: ``"holds"``, ``"max_free"``, ``"no constraint left"``
        or ``"not converged"``.
    """
    kinds = SEARCH_KINDS[level] if kinds is None else kinds
    released, rows = list(released), []
    for step in range(1, max_free + 1):
        if not fit.converged_:
            return rows, fit, released, "not converged"
        try:
            worst = worst_constraint(fit, kinds, scores_of(fit))
        except ModelError:
            worst = None
        if worst is None:
            return rows, fit, released, "no constraint left"
        entry, _ = release_entry(worst)
        released.append(entry)
        fit = refit(tuple(released))
        delta_cfi, holds = judge(fit)
        rows.append(step_row(level, step, worst, fit, delta_cfi, holds, owner))
        if holds is True:
            return rows, fit, released, "holds"
    return rows, fit, released, ("not converged" if not fit.converged_ else "max_free")


MISFIT_COLUMNS = ("level", "construct", "item", "parameter", "group", "reference_group", "score_chi2",
                  "score_pvalue", "epc", "sepc_all")


def largest_score_tests(level: str, fit, scores_of, n: int = 5) -> pd.DataFrame:
    """The ``n`` equality constraints of ``fit`` with the largest score tests (most misfit).

    ``scores_of(fit)`` gives the univariate score tests.  Returns an empty frame
    (``MISFIT_COLUMNS``) when the fit has no equality constraints or did not converge.
    """
    try:
        uni = scores_of(fit)
    except ModelError:
        return pd.DataFrame(columns=list(MISFIT_COLUMNS))
    latent = set(factor_items(fit))
    owner = {i: f for f, items in factor_items(fit).items() for i in items}
    rows = []
    for r in uni.sort_values("chi2", ascending=False).head(n).itertuples():
        kind = candidate_kind(r, latent)
        item = r.rhs if r.op == "=~" else r.lhs
        name = parameter_name({"op": r.op, "rhs": r.rhs}) if kind else f"{r.lhs} {r.op} {r.rhs}"
        rows.append({"level": level, "construct": owner.get(item, r.lhs if r.op == "=~" else ""), "item": item,
                     "parameter": name, "group": r.group,
                     "reference_group": r.reference_group, "score_chi2": r.chi2, "score_pvalue": r.pvalue,
                     "epc": r.epc, "sepc_all": r.sepc_all})
    return pd.DataFrame(rows, columns=list(MISFIT_COLUMNS))


def comparability(items: dict[str, list[str]], released, metric_holds, scalar_holds) -> pd.DataFrame:
    """Per factor: how many items are invariant and which comparisons stay valid.

    Parameters
    ----------
    items : dict
        Factor -> its items.
    released : sequence
        ``group_partial`` entries ``("lhs op rhs", group)``.
    metric_holds, scalar_holds : bool or None
        Whether the (partial) metric and scalar steps hold in the end (None: not tested).

    Returns
    -------
    DataFrame
        ``construct, n_items, invariant_loadings, invariant_intercepts,
        relations_comparable, means_comparable, freed`` (``freed``: ``"item
        parameter (group)"``, separated by ``"; "``).
    """
    freed_loadings: dict[str, list[str]] = {}
    freed_intercepts: dict[str, list[str]] = {}
    freed_thresholds: dict[str, list[str]] = {}
    for name, group in released:
        if "=~" in name:
            item = name.split("=~")[1]
            freed_loadings.setdefault(item, []).append(group)
        elif name.endswith("~1"):
            freed_intercepts.setdefault(name[:-2], []).append(group)
        elif "|" in name:
            item, which = name.split("|")
            freed_thresholds.setdefault(item, []).append(f"{which}, {group}")
    rows = []
    for factor, members in items.items():
        # a marker loading is fixed, never released: it counts as invariant
        loads = [i for i in members if i not in freed_loadings]
        # ordinal items: a released threshold moves the item's location as an intercept does
        both = [i for i in loads if i not in freed_intercepts and i not in freed_thresholds]
        freed = [f"{i} loading ({g})" for i in members for g in freed_loadings.get(i, [])]
        freed += [f"{i} threshold ({g})" for i in members for g in freed_thresholds.get(i, [])]
        freed += [f"{i} intercept ({g})" for i in members for g in freed_intercepts.get(i, [])]
        rows.append({"construct": factor, "n_items": len(members), "invariant_loadings": len(loads),
                     "invariant_intercepts": len(both),
                     "relations_comparable": None if metric_holds is None else bool(metric_holds) and len(loads) >= 2,
                     "means_comparable": None if scalar_holds is None else bool(scalar_holds) and len(both) >= 2,
                     "freed": "; ".join(freed)})
    out = pd.DataFrame(rows, columns=list(COMPARABILITY_COLUMNS))
    for col in ("relations_comparable", "means_comparable"):
        out[col] = out[col].astype("boolean")
    return out


__all__ = ["ranking_scores", "search", "SEARCH_KINDS", "SEARCH_KINDS_WLSMV", "comparability", "largest_score_tests", "PARTIAL_COLUMNS", "COMPARABILITY_COLUMNS",
           "MISFIT_COLUMNS"]
