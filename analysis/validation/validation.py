"""Psychometric validation of the questionnaire, for the whole sample and per group.

:func:`validate` runs, for the whole sample (group ``"all"``) and for each group:

* reliability per construct: Cronbach's alpha with its Feldt 95% CI, McDonald's omega
  (from the CFA), composite reliability (CR), average variance extracted (AVE), and an
  item analysis (corrected item-total correlation, alpha if item deleted, floor and
  ceiling shares);
* the confirmatory factor analysis of the measurement model (seven drivers plus
  satisfaction) by full-information maximum likelihood, with lavaan's fit indices and
  the standardized loadings with their standard errors, and every estimation problem
  (non-convergence, Heywood cases, non-positive-definite matrices, too few respondents);
* discriminant validity: HTMT (Henseler, Ringle & Sarstedt 2015) and the
  Fornell-Larcker table;
* how much of the data is missing, and how much of that is missing by design
  (phone-only items for respondents of other channels);

and, across the groups, measurement invariance (configural, metric, scalar) judged by
Cheung & Rensvold (2002) with Chen's (2007) criteria beside it.

Missing answers are never handled listwise by default: CFA and invariance models use
FIML on every observed answer (``missing="ml"``); 'not applicable' answers are missing
by design. ``missing="listwise"`` is available. Alpha and item statistics use pairwise
complete covariances (as psych::alpha), HTMT pairwise correlations (listwise would
keep only phone respondents who answered everything).

References
----------
Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests.
    *Psychometrika*, 16(3), 297-334.
Feldt, L. S. (1965). The approximate sampling distribution of Kuder-Richardson
    reliability coefficient twenty. *Psychometrika*, 30(3), 357-370.
McDonald, R. P. (1999). *Test Theory: A Unified Treatment*. Erlbaum.
Fornell, C., & Larcker, D. F. (1981). *JMR*, 18(1), 39-50.
Henseler, J., Ringle, C. M., & Sarstedt, M. (2015). *JAMS*, 43(1), 115-135.
Hu, L., & Bentler, P. M. (1999). *SEM*, 6(1), 1-55.
Arbuckle, J. L. (1996). Full information estimation in the presence of incomplete
    data. In Marcoulides & Schumacker (Eds.), *Advanced SEM*. Erlbaum.
Cheung, G. W., & Rensvold, R. B. (2002). *SEM*, 9(2), 233-255.
Chen, F. F. (2007). *SEM*, 14(3), 464-504.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from analysis.common.errors import DataError, ModelError
from analysis.common.groups import ALL
from analysis.common.options import MISSING_METHODS, validate_options
from analysis.scoring.sample import select_respondents
from analysis.scoring.scores import keyed_items, scale_range
from analysis.sem import SEM, Problem, usable_fit
from analysis.validation.categorical_omega import categorical_omegas
from analysis.validation.discriminant import fornell_larcker_from_solution, htmt
from analysis.validation.invariance import DEFAULT_MAX_FREE, invariance_steps
from analysis.validation.reliability import item_analysis, model_based_reliability, reliability_table
from analysis.validation.reliability_inputs import CFASolution
from analysis.validation.result import GroupValidation, ValidationResult
from instrument import Instrument
from instrument.reader.integrity import absent_item_columns, absent_reason

INVARIANCE_LEVELS = ("configural", "metric", "scalar")


@validate_options("missing", "estimator", "max_free")
def validate(
    data: pd.DataFrame,
    inst: Instrument,
    by: str | None = None,
    *,
    missing: str = "ml",
    exclude_flagged: bool = True,
    invariance: bool = True,
    levels: tuple[str, ...] = INVARIANCE_LEVELS,
    estimator: str = "ml",
    partial: bool = False,
    max_free: int = DEFAULT_MAX_FREE,
) -> ValidationResult:
    """Validate the questionnaire on a set of responses.

    Parameters
    ----------
    data : DataFrame
        Clean responses from :func:`instrument.read_responses`.
    inst : Instrument
        The questionnaire the data were collected with.
    by : str, optional
        Grouping column (e.g. ``"organisation"``): every figure is also computed per
        group, and measurement invariance is tested across the groups. Respondents
        without a value in it are left out (listed in ``result.excluded``); no group
        may be called ``"all"``, the name of the whole sample.
    missing : {"ml", "listwise"}, default "ml"
        Full-information ML on every observed answer, or complete cases only.
    exclude_flagged : bool, default True
        Leave out respondents the reader flagged (straight-lining, speeding, too many
        missing); each is listed in ``result.excluded`` with its reason.
    invariance : bool, default True
        Test measurement invariance across the groups of ``by``.
    levels : tuple of str
        Invariance levels, least constrained first.
    estimator : {"ml", "mlr", "wlsmv"}, default "ml"
        ``"mlr"``: robust ML as lavaan's ``estimator = "MLR"`` -- the same estimates,
        with sandwich standard errors, the Yuan-Bentler scaled chi-square and the
        robust CFI/TLI/RMSEA (which the fit verdicts then use), and scaled
        difference tests between the invariance levels (Satorra & Bentler 2001, 2010);
        for skewed, discrete 7-point answers.  See :mod:`analysis.sem.robust`.
        ``"wlsmv"``: the answers as ordinal categories -- thresholds and polychoric
        correlations (missing answers and N/A pairwise, never a category), DWLS with
        robust standard errors and the mean-and-variance adjusted chi-square, lavaan's
        ``estimator = "WLSMV"`` in its default delta parameterisation; the verdicts
        judge lavaan's scaled CFI/TLI/RMSEA, the reliability table adds categorical
        omega (Green & Yang 2009), invariance is identified as Wu & Estabrook (2016)
        with DIFFTEST difference tests, and lavaan's DWLS score tests rank the
        constraints (:mod:`analysis.sem.wls_score`).  See :mod:`analysis.sem.wls`.
    partial : bool, default False
        When the metric or scalar step fails, release its equality constraints one
        at a time, largest score test first (with ``estimator="mlr"`` Satorra's 2000
        robust score test; with ``"wlsmv"`` thresholds or loadings at the metric step,
        intercepts at the scalar step), until it holds (partial invariance;
        Byrne, Shavelson & Muthén 1989): ``result.partial_invariance`` lists what was
        released, ``result.comparability`` which comparisons stay valid per construct.
    max_free : int, default 5
        At most this many constraints released per level (1-50).

    Returns
    -------
    ValidationResult
        ``.groups`` (one :class:`GroupValidation` per group, ``"all"`` first),
        ``.fit``, ``.reliability``, ``.loadings``, ``.htmt``, ``.invariance``,
        ``.excluded``; ``summary()``, ``to_dict()`` (the ``drivers validate --json``
        document) and ``plot_loadings()``.

    Raises
    ------
    ValueError
        A bad option, an unknown ``by`` column, or no respondent left.
    DataError
        A group of ``by`` called ``"all"``.

    Examples
    --------
    >>> from instrument import load_instrument, read_responses
    >>> inst = load_instrument()
    >>> data, quality = read_responses("data/example/responses.csv", inst)
    >>> val = validate(data, inst, by="organisation", invariance=False)
    >>> val.n_used, val.fit.group.tolist()
    (1420, ['all', 'Energie', 'Telecom', 'Verzekeraar', 'Webwinkel'])
    >>> bool((val.fit.cfi > 0.95).all())                 # the seven-driver model fits in every group
    True
    """
    selection = select_respondents(data, by=by, exclude_flagged=exclude_flagged)
    kept = selection.kept
    items = keyed_items(kept, inst)
    answered_any = items.notna().any(axis=1)
    excluded = selection.excluded
    if not answered_any.all():
        none = kept.loc[~answered_any]
        excluded = pd.concat(
            [excluded, pd.DataFrame({
                "respondent_id": none["respondent_id"].astype(str).to_numpy(),
                "group": none[by].astype(str).to_numpy() if by else None,
                "reason": "no questionnaire item answered",
            })],
            ignore_index=True,
        )
        kept, items = kept.loc[answered_any], items.loc[answered_any]
    if len(kept) == 0:
        raise DataError("no respondent left to validate the questionnaire on (all were excluded); "
                         "see the data check (drivers check) for why")
    group_labels = kept[by].astype(str) if by else None
    if by and (group_labels == ALL).any():
        raise DataError(f"a group is called '{ALL}', the name of the whole sample; rename it", column=by)

    by_design = _missing_by_design(kept, inst, items.columns)
    absent = absent_item_columns(data)
    groups = {ALL: _validate_group(ALL, items, by_design, inst, missing, absent, estimator)}
    assessable = {}
    if by:
        for name in sorted(group_labels.unique()):
            rows = (group_labels == name).to_numpy()
            groups[name] = _validate_group(name, items.loc[rows], by_design.loc[rows], inst, missing, absent,
                                           estimator)
            assessable[name] = groups[name].constructs

    invariance_result = None
    invariance_note = None
    if by and invariance:
        n_groups = group_labels.nunique()
        if n_groups < 2:
            invariance_note = f"measurement invariance needs two or more groups; '{by}' has {n_groups}"
        else:
            frame = items.assign(**{"__group__": group_labels.to_numpy()})
            # Only constructs answered in every group can be compared across groups
            # (phone-only constructs do not exist in an e-mail group).
            shared = [c.key for c in inst.constructs if all(c.key in keys for keys in assessable.values())]
            left_out = [c.key for c in inst.constructs if c.key not in shared]
            if left_out:
                invariance_note = (f"invariance tested without {', '.join(left_out)}: not answered in every "
                                   f"group of '{by}'")
            try:
                invariance_result = invariance_steps(inst.model_syntax(shared), frame, "__group__",
                                                     levels=levels, missing=missing,
                                                     estimator=estimator, partial=partial,
                                                     max_free=max_free)
            except ModelError as exc:
                invariance_note = f"measurement invariance could not be tested: {exc}"
    return ValidationResult(
        groups=groups,
        invariance=invariance_result,
        invariance_note=invariance_note,
        excluded=excluded,
        by=by,
        missing=missing,
        estimator=estimator,
        partial=partial,
        n_input=selection.n_input,
        instrument_version=inst.content_version,
    )


def assessable_constructs(items: pd.DataFrame, inst: Instrument) -> list[str]:
    """Constructs every item of which has at least one answer in ``items``."""
    answered = items.notna().any(axis=0)
    return [c.key for c in inst.constructs if all(answered[i] for i in c.item_ids)]


def _missing_by_design(kept: pd.DataFrame, inst: Instrument, item_ids) -> pd.DataFrame:
    """True where an item does not apply to the respondent's channel."""
    channel = kept["channel"].astype("string") if "channel" in kept.columns else None
    out = pd.DataFrame(False, index=kept.index, columns=list(item_ids))
    if channel is None:
        return out
    for item_id in item_ids:
        allowed = inst.item(item_id).channels
        if allowed:
            out[item_id] = (channel.notna() & ~channel.isin(allowed)).to_numpy()
    return out


def _validate_group(name: str, items: pd.DataFrame, by_design: pd.DataFrame,
                    inst: Instrument, missing: str, absent_columns: dict | None = None,
                    estimator: str = "ml") -> GroupValidation:
    """One group's CFA, reliability and validity; ``absent_columns`` as :func:`absent_item_columns`."""
    problems: list[Problem] = []
    present = assessable_constructs(items, inst)
    absent_columns = absent_columns or {}
    # a construct whose item columns the file lacks is left out for that reason, named with its columns
    problems += [Problem("absent_items", absent_reason(key, ids), "warning", name)
                 for key, ids in absent_columns.items() if key not in present]
    absent = [c.key for c in inst.constructs if c.key not in present and c.key not in absent_columns]
    if absent:
        problems.append(Problem("not_assessed", f"{', '.join(absent)} not assessed: no answers to any of "
                                "their items in this group (e.g. items of a channel it does not have)", "warning",
                                name))
    constructs = {k: inst.construct(k).item_ids for k in present}
    model = None
    try:
        model = SEM(inst.model_syntax(present)).fit(items[[i for ids in constructs.values() for i in ids]],
                                                     missing=missing, estimator=estimator)
        problems.extend(model.problems_)
    except ModelError as exc:
        problems.append(Problem("estimation", f"the CFA could not be estimated: {exc}", "error", name))

    solution = None
    # A fit with an error-severity problem (non-convergence, improper solution, singular
    # matrices, fewer respondents than parameters) is reported through its problems only:
    # its indices, loadings and model-based reliability are not shown as if valid.
    usable = usable_fit(model)
    if usable:
        solution = CFASolution.from_parameter_table(model.params_)
    reliability = _reliability(items, constructs, solution, problems, name)
    if estimator == "wlsmv":
        reliability = _with_categorical_omega(reliability, model if usable else None, problems, name)
    fornell = None
    if solution is not None:
        try:
            fornell = fornell_larcker_from_solution(solution)
        except ValueError as exc:
            problems.append(Problem("fornell_larcker", str(exc), "warning", name))
    htmt_result = None
    try:
        htmt_result = htmt(items, constructs, missing="pairwise")
    except ValueError as exc:
        problems.append(Problem("htmt", f"HTMT could not be computed: {exc}", "warning", name))

    return GroupValidation(
        name=name,
        n=len(items),
        fit=model.fit_ if usable else None,
        reliability=reliability,
        item_analysis=_item_analysis(items, inst, present, problems, name),
        loadings=_loadings(model, inst) if usable else _empty_loadings(),
        htmt=htmt_result,
        fornell_larcker=fornell,
        problems=tuple(problems),
        missing=_missing_summary(items, by_design, model if usable else None,
                                 "pairwise" if estimator == "wlsmv" and missing == "ml" else missing),
        model=model,
        constructs=tuple(present),
    )


RELIABILITY_COLUMNS = ["construct", "n_items", "n_obs", "alpha", "alpha_ci_low", "alpha_ci_high", "omega",
                       "cr", "ave", "alpha_ok", "omega_ok", "cr_ok", "ave_ok"]


def _reliability(items, constructs, solution, problems, name) -> pd.DataFrame:
    """Reliability per construct; a construct that cannot be assessed gets a row of NaN
    and a problem (e.g. phone-only items in a group of e-mail respondents)."""
    model_based = None
    if solution is not None:
        try:
            model_based = model_based_reliability(solution)      # every factor, once
        except ValueError as exc:
            # An improper solution (|standardized loading| > 1) has no omega/CR/AVE; keep alpha.
            problems.append(Problem("reliability", f"omega, CR and AVE not computed: {exc}", "warning", name))
    rows = []
    for key, ids in constructs.items():
        try:
            rows.append(reliability_table({key: items[ids]}, model_based=model_based))
        except ValueError as exc:
            problems.append(Problem("reliability", f"reliability not computed: {exc}", "warning", name))
            rows.append(pd.DataFrame([{"construct": key, "n_items": len(ids), "n_obs": 0}]))
    table = pd.concat(rows, ignore_index=True).reindex(columns=RELIABILITY_COLUMNS)
    for col in ("alpha_ok", "omega_ok", "cr_ok", "ave_ok"):
        table[col] = table[col].astype("boolean")
    return table


def _with_categorical_omega(table: pd.DataFrame, model, problems, name) -> pd.DataFrame:
    """Add ``omega_cat`` (Green & Yang 2009) beside alpha; NaN without a usable WLSMV fit."""
    omegas = {}
    if model is not None:
        try:
            omegas = categorical_omegas(model)
        except (ValueError, KeyError) as exc:
            problems.append(Problem("reliability", f"categorical omega not computed: {exc}", "warning", name))
    out = table.copy()
    out.insert(out.columns.get_loc("alpha_ci_high") + 1, "omega_cat",
               out["construct"].map(omegas).astype(float))
    return out


def _item_analysis(items, inst, constructs, problems, name) -> pd.DataFrame:
    frames = []
    for c in map(inst.construct, constructs):
        lo, hi = scale_range(inst, c.key)
        try:
            table = item_analysis(items[c.item_ids], scale_min=lo, scale_max=hi)
        except ValueError as exc:
            problems.append(Problem("item_analysis", f"{c.key}: {exc}", "warning", name))
            continue
        frames.append(table.assign(construct=c.key))
    if not frames:
        return pd.DataFrame()
    out = pd.concat(frames, ignore_index=True)
    return out[["construct"] + [col for col in out.columns if col != "construct"]]


def _empty_loadings() -> pd.DataFrame:
    return pd.DataFrame(columns=["construct", "item", "est", "se", "std", "std_se", "fmi"])


def _loadings(model: SEM, inst: Instrument) -> pd.DataFrame:
    p = model.params_
    rows = p[p["op"] == "=~"]
    out = pd.DataFrame({
        "construct": rows["lhs"].to_numpy(),
        "item": rows["rhs"].to_numpy(),
        "est": rows["est"].to_numpy(float),
        "se": rows["se"].to_numpy(float),
        "std": rows["std_all"].to_numpy(float),
        "std_se": rows["std_se"].to_numpy(float),
        "fmi": rows["fmi"].to_numpy(float) if "fmi" in rows else np.nan,
    })
    order = {item: i for i, item in enumerate(inst.item_ids)}
    return out.sort_values("item", key=lambda s: s.map(order)).reset_index(drop=True)


def _missing_summary(items: pd.DataFrame, by_design: pd.DataFrame, model: SEM | None,
                     method: str) -> dict:
    """Share of item answers missing, the part missing by design, and the FMI of the loadings.

    ``model`` is the CFA when its fit is usable, else None (no FMI from a failed fit).
    """
    cells = items.size
    missing = items.isna()
    design = (missing & by_design).to_numpy().sum()
    fmi = pd.Series(dtype=float)
    if model is not None and "fmi" in model.params_:
        params = model.params_
        fmi = params.loc[params["op"] == "=~", "fmi"].astype(float)
        fmi = fmi[np.isfinite(fmi)]
    return {
        "cells_missing_pct": 100.0 * missing.to_numpy().sum() / cells if cells else math.nan,
        "by_design_pct": 100.0 * design / cells if cells else math.nan,
        "other_missing_pct": 100.0 * (missing.to_numpy().sum() - design) / cells if cells else math.nan,
        "complete_cases": int((~missing).all(axis=1).sum()),
        "fmi_mean": float(fmi.mean()) if len(fmi) else math.nan,
        "fmi_max": float(fmi.max()) if len(fmi) else math.nan,
        "method": {"ml": "FIML", "pairwise": "pairwise"}.get(method, "listwise"),
    }
