"""The structural model of a driver analysis: latent drivers -> satisfaction, per group.

For each group (and the whole sample) the measurement model of the drivers (each
driver a latent variable measured by its four items, :meth:`Instrument.model_syntax`)
and the outcome are fitted with :class:`analysis.sem.SEM` by full-information maximum
likelihood (``missing="ml"``): every respondent who is not excluded as flagged
contributes whatever items they answered, so non-phone respondents inform the
other drivers and the outcome while the phone-only items are missing for them.

* Outcome ``satisfaction``: a latent variable measured by its three items, regressed
  on the latent drivers (``satisfaction ~ reliability + ...``).
* Outcome ``csat``, ``nps`` or ``ces``: that observed answer regressed on the latent
  drivers (``csat ~ reliability + ...``); its standardized paths are comparable with
  the other outcomes' only in sign and order, since the answer has no measurement model.

The paths are reported completely standardized (lavaan's ``std.all``) with delta-
method standard errors and p-values. Problems (non-convergence, Heywood cases,
non-positive-definite matrices, small samples, singular information) are reported
per group, never hidden; a group with fewer respondents than the model has free
parameters is not fitted at all (the likelihood has no unique maximum there: problem
``not_estimated``, saying both numbers), a group whose model cannot be fitted gets no
paths and a problem saying why, and a group whose fit has an error-severity problem
(:func:`analysis.sem.usable_fit`, the rule :func:`analysis.validation.validation.validate`
applies to the CFA) gets NaN paths and fit indices: its estimates are not reported.

References
----------
Bentler, P. M., & Chou, C.-P. (1987). Practical issues in structural modeling.
    *Sociological Methods & Research*, 16(1), 78-117.
Arbuckle, J. L. (1996). Full information estimation in the presence of incomplete
    data. In *Advanced Structural Equation Modeling*, 243-277.
Rosseel, Y. (2012). lavaan: An R package for structural equation modeling. *Journal
    of Statistical Software*, 48(2), 1-36.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis.common.display import Summary, SummaryTable
from analysis.common.errors import ServiceDriversError
from analysis.scoring.scores import keyed_items
from analysis.sem import SEM, build_partable, parse_syntax, usable_fit
from analysis.sem.data import PatternData
from analysis.sem.patterns import pattern_statistics
from analysis.sem.problems import CASES_PER_PARAMETER
from analysis.sem.spec import variable_roles
from instrument import Instrument

PATH_COLUMNS = ["group", "driver", "est", "se", "pvalue", "std", "std_se", "std_p"]
FIT_COLUMNS = ["group", "n", "converged", "usable", "chi2", "df", "cfi", "tli", "rmsea", "srmr", "n_problems",
               "estimator", "chi2_scaled", "scaling_factor", "cfi_robust", "tli_robust", "rmsea_robust"]
ROBUST_FIT = ("chi2_scaled", "scaling_factor", "cfi_robust", "tli_robust", "rmsea_robust")
PROBLEM_COLUMNS = ["group", "kind", "severity", "message"]


@dataclass(frozen=True, eq=False)
class StructuralPaths:
    """SEM estimates per group.

    Attributes
    ----------
    syntax : str
        The model in lavaan syntax.
    paths : DataFrame
        ``group``, ``driver``, ``est``, ``se``, ``pvalue`` (unstandardized path),
        ``std`` (completely standardized path), ``std_se``, ``std_p``; NaN for a group
        whose fit is not usable.
    fit : DataFrame
        ``group``, ``n`` (respondents in the FIML fit), ``converged``, ``usable``
        (converged without an error-severity problem), ``chi2``, ``df``, ``cfi``,
        ``tli``, ``rmsea``, ``srmr`` (NaN unless usable), ``n_problems``.
    problems : DataFrame
        ``group``, ``kind`` (as :class:`analysis.sem.Problem`, or ``not_estimated``:
        fewer respondents than free parameters, not fitted; ``not_fitted``: fitting
        failed), ``severity`` ('error': the group's estimates are not valid, or
        'warning'), ``message``.
    n_free : int
        Free parameters of the model (of one group's fit).
    models : dict
        Group label -> fitted :class:`analysis.sem.SEM` (None when it could not be fitted;
        kept when not usable, for its problems), without its data
        (:meth:`analysis.sem.SEM.release_data`: a fit holds its pattern statistics, about
        5 MB for an organisation of 5,000 respondents, more than its rows); modification
        indices need a refit, ``SEM(syntax).fit(model_data(...))``.
    """

    syntax: str
    paths: pd.DataFrame
    fit: pd.DataFrame
    problems: pd.DataFrame
    models: dict = field(repr=False)
    n_free: int = 0

    def summary(self) -> Summary:
        """Fit, paths and problems per group: text when printed, HTML in Jupyter."""
        problems = tuple(f"[{r.group}] {r.severity}: {r.message}" for r in self.problems.itertuples())
        return Summary(f"Structural model (FIML), {self.n_free} free parameters per group",
                       (SummaryTable("Fit", self.fit), SummaryTable("Paths (driver -> outcome)", self.paths),
                        *((SummaryTable("Problems", notes=problems),) if problems else ())))

    def _repr_html_(self) -> str:
        return self.summary().as_html()


def structural_syntax(inst: Instrument, drivers: Sequence[str], outcome: str) -> str:
    """lavaan syntax: the drivers' measurement model and the outcome regressed on them.

    Examples
    --------
    >>> from instrument import load_instrument
    >>> print(structural_syntax(load_instrument(), ["reliability", "empathy"], "csat"))
    reliability =~ rel1 + rel2 + rel3 + rel4
    empathy =~ emp1 + emp2 + emp3 + emp4
    csat ~ reliability + empathy
    """
    constructs = list(drivers)
    if outcome == inst.outcome_construct.key:
        constructs.append(outcome)
    return inst.model_syntax(constructs) + f"\n{outcome} ~ " + " + ".join(drivers)


def model_data(data: pd.DataFrame, inst: Instrument, drivers: Sequence[str], outcome: str) -> pd.DataFrame:
    """The observed variables of :func:`structural_syntax` (reverse-keyed items recoded)."""
    items = [i for d in drivers for i in inst.construct(d).item_ids]
    if outcome == inst.outcome_construct.key:
        items += inst.outcome_construct.item_ids
        return keyed_items(data, inst, items)
    frame = keyed_items(data, inst, items)
    frame[outcome] = pd.to_numeric(data[outcome], errors="coerce").astype(float).to_numpy()
    return frame


def fit_structural(data: pd.DataFrame, inst: Instrument, groups: np.ndarray, labels: Sequence[str], *,
                   drivers: Sequence[str], outcome: str, whole_sample: str | None = "all",
                   progress: Callable[[int, int], None] | None = None, runner=None,
                   estimator: str = "ml", rows: np.ndarray | None = None) -> StructuralPaths:
    """Fit the structural model in every group and in the whole sample.

    Parameters
    ----------
    data : DataFrame
        The respondents to use (already without the excluded-as-flagged ones).
    inst : Instrument
    groups : ndarray
        Group label of each row of ``data``.
    labels : sequence of str
        The groups to fit, in order.
    drivers : sequence of str
    outcome : str
    whole_sample : str or None
        Label of an extra fit on all rows of ``data`` (None: no such fit).
    progress : callable, optional
        ``progress(done, total)`` after each fit.
    estimator : {"ml", "mlr"}
        ``"mlr"``: robust ML (sandwich standard errors of the paths; the fit table adds
        the Yuan-Bentler scaled chi-square and the robust CFI/TLI/RMSEA; see
        :mod:`analysis.sem.robust`).
    runner : analysis.common.scheduler.Runner, optional
        Where the fits run, one task per group (None: one after the other here). A fit
        depends on its group's rows only, so the result is the same on every scheduler.
    rows : ndarray of bool, optional
        The rows of ``data`` and ``groups`` to use (None: all); only the model's columns
        of these rows are taken, never a copy of ``data``.

    Returns
    -------
    StructuralPaths
    """
    syntax = structural_syntax(inst, drivers, outcome)
    n_free = free_parameters(syntax)
    groups = np.asarray(groups) if rows is None else np.asarray(groups)[rows]
    jobs = list(labels) + ([whole_sample] if whole_sample is not None else [])
    if estimator == "ml":
        # normal-theory FIML depends on the rows only through each missing-data pattern's
        # n, mean and covariance; the whole sample's are the sums of the groups' (one pass,
        # in the whole sample's task, so that it runs beside the groups' fits), and each
        # group's task gets its rows (a few times smaller than their statistics) and takes
        # its own, so that they are not all in memory at once
        names = tuple(variable_roles(parse_syntax(syntax)).observed)
        Y = _compact_rows(data, inst, drivers, outcome, names, rows)
        index = pd.Index(list(labels)).get_indexer(groups)
        order = np.argsort(index, kind="stable")
        bounds = np.searchsorted(index[order], np.arange(len(labels) + 1))
        parts = [Y[order[bounds[k]:bounds[k + 1]]] for k in range(len(labels))] + [(Y, index, tuple(labels))]
        del Y, order
        tasks = [(syntax, part, n_free, label, outcome, tuple(drivers), estimator)
                 for part, label in zip(parts, jobs)]
        del parts
    else:
        # the robust sandwich of 'mlr' needs every respondent's scores: the rows
        observed = model_data(data if rows is None else data.loc[rows, _model_columns(inst, drivers, outcome)],
                              inst, drivers, outcome)
        members = [groups == g for g in labels] + ([np.ones(len(observed), dtype=bool)]
                                                   if whole_sample is not None else [])
        tasks = [(syntax, observed[r], n_free, label, outcome, tuple(drivers), estimator)
                 for label, r in zip(jobs, members)]
    # the whole sample's fit (the longest task) runs first, so that it does not run alone
    # at the end while the other workers are idle; the results keep the order of ``jobs``
    first = len(tasks) - 1 if whole_sample is not None else 0
    tasks = tasks[first:] + tasks[:first]
    if runner is None:
        results = []
        for args in tasks:
            results.append(_fit_group(*args))
            if progress is not None:
                progress(len(results), len(tasks))
    else:
        results = runner.map(_fit_group, tasks, progress=progress)
    results = results[len(results) - first:] + results[:len(results) - first]
    del tasks
    return structural_paths(syntax, n_free, jobs, results)


def structural_paths(syntax: str, n_free: int, jobs: Sequence, results: Sequence) -> StructuralPaths:
    """The :class:`StructuralPaths` of the fits ``results`` (of :func:`_fit_group`) of the groups ``jobs``, in order."""
    paths, fits, problems, models = [], [], [], {}
    for label, (model, group_problems, group_paths, group_fit) in zip(jobs, results):
        models[label] = model
        problems += [{"group": label, **p} for p in group_problems]
        paths.append(group_paths)
        fits.append(group_fit)
    path_frame = (pd.concat(paths, ignore_index=True) if paths
                  else pd.DataFrame(columns=PATH_COLUMNS))
    return StructuralPaths(syntax=syntax, paths=path_frame, fit=pd.DataFrame(fits, columns=FIT_COLUMNS),
                           problems=pd.DataFrame(problems, columns=PROBLEM_COLUMNS),
                           models=models, n_free=n_free)


def _model_columns(inst: Instrument, drivers: Sequence[str], outcome: str) -> list[str]:
    """The columns of ``data`` that :func:`model_data` reads."""
    items = [i for d in drivers for i in inst.construct(d).item_ids]
    if outcome == inst.outcome_construct.key:
        return items + list(inst.outcome_construct.item_ids)
    return items + [outcome]


def _model_array(data: pd.DataFrame, inst: Instrument, drivers: Sequence[str], outcome: str,
                 names: Sequence[str], rows: np.ndarray | None) -> np.ndarray:
    """``model_data(data[rows])[names]`` as a float array, a column at a time (no copy of ``data``)."""
    return np.ascontiguousarray(_model_columns_array(data, inst, drivers, outcome, names, rows).T)


# The missing answers of rows sent as whole numbers (:func:`_compact_rows`); no answer of a
# questionnaire scale is this low
MISSING_CODE = np.iinfo(np.int8).min


def _compact_rows(data: pd.DataFrame, inst: Instrument, drivers: Sequence[str], outcome: str,
                  names: Sequence[str], rows: np.ndarray | None) -> np.ndarray:
    """:func:`_model_array` as int8 (missing: ``MISSING_CODE``) when every answer is a whole number that fits.

    The structural models' tasks carry their groups' rows: answer codes, a byte each,
    instead of eight (a million respondents' 31 answers: 31 instead of 248 MB to pickle,
    send and hold until the tasks run). :func:`_float_rows` gives back exactly the floats
    of :func:`_model_array`; anything else (e.g. a decimal answer) stays float.
    """
    columns = _model_columns_array(data, inst, drivers, outcome, names, rows)
    answered = ~np.isnan(columns)
    whole = columns[answered]
    if not (np.array_equal(whole, np.rint(whole)) and (whole > MISSING_CODE).all() and (whole <= 127).all()):
        return np.ascontiguousarray(columns.T)
    codes = np.where(answered, columns, MISSING_CODE).astype(np.int8)
    return np.ascontiguousarray(codes.T)


def _float_rows(rows: np.ndarray) -> np.ndarray:
    """The float rows of :func:`_compact_rows`' result (NaN for missing)."""
    if rows.dtype != np.int8:
        return rows
    out = rows.astype(float)
    out[rows == MISSING_CODE] = np.nan
    return out


def _model_columns_array(data: pd.DataFrame, inst: Instrument, drivers: Sequence[str], outcome: str,
                         names: Sequence[str], rows: np.ndarray | None) -> np.ndarray:
    """The transpose of :func:`_model_array`: one contiguous row per variable (filled without strided writes)."""
    columns = _model_columns(inst, drivers, outcome)
    items = columns if outcome == inst.outcome_construct.key else columns[:-1]
    keyed_items(data.iloc[:0], inst, items)           # the same error as model_data for a missing item column
    positions = None if rows is None else np.flatnonzero(rows)
    out = np.empty((len(names), len(data) if rows is None else len(positions)))
    for j, name in enumerate(names):
        # as keyed_items (numbers, NaN for missing, reverse-keyed items recoded), on the
        # column's values rather than a one-column DataFrame per item
        values = pd.to_numeric(data[name], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        if positions is None:
            out[j] = values
        else:
            values.take(positions, out=out[j])
        if name in items and inst.item(name).reverse:
            scale = inst.scale(inst.item(name).scale)
            out[j] = scale.min + scale.max - out[j]
    return out


def free_parameters(syntax: str) -> int:
    """Free parameters of a one-group FIML fit of ``syntax`` (means included, as :func:`fit_structural` fits it).

    Examples
    --------
    >>> free_parameters("f =~ a + b + c")        # 2 loadings, 3 residual and 1 factor variance, 3 intercepts
    9
    """
    model = SEM(syntax)
    return build_partable(model.statements, ngroups=1, meanstructure=True, std_lv=model.std_lv,
                          orthogonal=model.orthogonal).n_free


def _fit_group(syntax: str, observed: pd.DataFrame | np.ndarray | PatternData | None, n_free: int, label,
               outcome: str, drivers: tuple[str, ...], estimator: str = "ml"):
    """One group's fit (a task): the model (None if not fitted), its problems, its paths and fit row.

    ``observed``: the group's rows (a DataFrame, or an array of the model's observed
    variables, float or as :func:`_compact_rows`, whose pattern statistics are taken
    here), or its pattern statistics (None: no row with an answer), or, for the whole
    sample, ``(Y, group index, labels)`` (its statistics are the sums of the groups' cells).
    """
    if isinstance(observed, tuple):
        Y, index, labels = observed
        names = tuple(variable_roles(parse_syntax(syntax)).observed)
        observed = pattern_statistics(_float_rows(Y), index, list(labels), names, by_group=False)[1]
    if isinstance(observed, np.ndarray):
        names = tuple(variable_roles(parse_syntax(syntax)).observed)
        observed = pattern_statistics(_float_rows(observed), np.zeros(len(observed), dtype=int), [label], names,
                                      whole_sample=False)[0][label]
    if isinstance(observed, pd.DataFrame):
        n = int(observed.notna().any(axis=1).sum())       # FIML drops rows with nothing observed
    else:
        n = observed.group.n if observed is not None else 0
    if n < n_free:
        model, group_problems = None, [{
            "kind": "not_estimated", "severity": "error",
            "message": f"not estimated: {n} respondents for {n_free} free parameters (at least {n_free} "
                       f"are needed to estimate it at all, about {CASES_PER_PARAMETER * n_free} for stable "
                       f"estimates: {CASES_PER_PARAMETER} per parameter, Bentler & Chou 1987)"}]
    else:
        model, group_problems = _fit_one(syntax, observed, estimator)
    if usable_fit(model):
        f = model.fit_
        return model, group_problems, _paths(model, label, outcome, drivers), {
            "group": label, "n": int(f.n_obs), "converged": True, "usable": True, "chi2": f.chi2, "df": int(f.df),
            "cfi": f.cfi, "tli": f.tli, "rmsea": f.rmsea, "srmr": f.srmr, "n_problems": len(group_problems),
            "estimator": estimator, **{k: getattr(f, k) for k in ROBUST_FIT}}
    # not fitted, or fitted with errors: nothing reported as if valid
    empty = pd.DataFrame({"group": label, "driver": list(drivers), **{c: np.nan for c in PATH_COLUMNS[2:]}})
    return model, group_problems, empty, {
        "group": label, "n": int(model.fit_.n_obs) if model is not None else n,
        "converged": bool(model is not None and model.converged_), "usable": False,
        "n_problems": len(group_problems), "estimator": estimator}


def _fit_one(syntax: str, observed: pd.DataFrame | PatternData, estimator: str = "ml") -> tuple[SEM | None, list[dict]]:
    try:
        # the fraction of missing information is not reported per group: not computed
        model = SEM(syntax).fit(observed, missing="ml", estimator=estimator, fmi=False).release_data()
    except ServiceDriversError as exc:
        return None, [{"kind": "not_fitted", "severity": "error",
                       "message": f"the structural model could not be fitted: {exc}"}]
    return model, [{"kind": p.kind, "severity": p.severity, "message": p.message} for p in model.problems_]


def _paths(model: SEM, label: str, outcome: str, drivers: Sequence[str]) -> pd.DataFrame:
    p = model.params_
    where = np.flatnonzero((p.op.to_numpy() == "~") & (p.lhs.to_numpy() == outcome))
    position = dict(zip(p.rhs.to_numpy()[where], where))
    rows = [position[d] for d in drivers]
    return pd.DataFrame({"group": label, "driver": list(drivers),
                         **{c: p[source].to_numpy()[rows] for c, source in
                            (("est", "est"), ("se", "se"), ("pvalue", "pvalue"), ("std", "std_all"),
                             ("std_se", "std_se"), ("std_p", "std_pvalue"))}})
