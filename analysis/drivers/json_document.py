"""The JSON document of a driver analysis (``drivers analyse --json FILE``, ``DriverAnalysis.to_dict()``).

Other tools read this document: keys are only ever added, never renamed. Numbers that
could not be computed are ``null`` (never NaN); intervals are ``[low, high]`` pairs at
the analysis' confidence level (``meta.level``).

``meta``
    ``n_input`` respondents in the data; ``n_used`` respondents in the whole-sample
    importance analysis (outcome and every driver score, not excluded as flagged, and
    not in a group left out as too small for the regression); ``excluded``: one entry
    per respondent not used, ``{"respondent_id", "reason", "group", "code"}`` (``code``
    one of ``no_group``, ``flagged``, ``no_outcome``, ``missing_score``, ``not_asked``,
    ``small_group``; see :mod:`analysis.drivers.sample`; ``reason`` is a sentence naming
    every reason, e.g. which drivers have no score and whether that is by design); ``exclusion_counts``: ``{group: {code: n}}``; ``bootstrap``
    resamples per group; ``seed`` the seed used (drawn when none was given; rerun with
    it to reproduce); ``version`` of service-drivers; also ``by``, ``outcome``,
    ``drivers``, ``level``, ``importance``, ``crosshair``, ``exclude_flagged``, ``sem``;
    ``group_drivers``: ``{group: [driver keys it was analysed on]}`` (all ``drivers`` unless
    a group has no answer to some driver's items, e.g. phone-only drivers with ``by``
    channel: :mod:`analysis.drivers.per_group`);
    ``warnings`` (``[{"group", "kind", "severity", "message"}]``); ``pooling``:
    ``{"requested", "used" ('none' or 'partial'; 'none' with fewer than three groups),
    "reason" (a sentence), "phone_only_drivers", "kappa"`` (the population's prior
    strength of the outcome's regression, in respondents; null without pooling) and
    ``"estimand"}`` (see :mod:`analysis.pooling`); the last three are absent when groups
    were analysed on different drivers (:mod:`analysis.drivers.per_group`). With either
    pooling ``n_used`` counts every respondent used: those without the phone-only drivers
    because they are not asked in their channel are used, not excluded.
``groups``
    One entry per group and ``"all"`` (the whole sample):

    * ``n`` respondents used; ``n_input``, ``n_excluded``; ``r2`` (R² of the outcome's
      regression on the drivers in the group's covariance, the one the LMG shares
      decompose: pooled with partial pooling), ``r2_ci`` (its bootstrap interval),
      ``adj_r2`` (Ezekiel's adjustment of that ``r2`` with ``n``);
      ``unstable_ranks`` (n < 100);
    * ``own_ols``: ``{"sample": "complete_cases", "n", "r2", "adj_r2"}``, the OLS of the
      group's complete cases only (respondents with every driver score: where drivers
      are asked on the phone only, the phone respondents), without pooling;
    * ``kpis``: ``{key: {"estimate", "ci", "n", "n_missing", "ci_reason", "ci_note"}}``
      for ``csat_pct`` (% 4-5), ``nps`` (-100..100), ``ces_mean`` (1-7), ``ces_pct_easy``
      (% 5-7), ``fcr_pct_yes``, ``fcr_pct_yes_or_partly``, over every respondent of the
      group not excluded as flagged; ``ci`` is ``[null, null]`` where there is no
      interval, and then ``ci_reason`` says why (``no_answers``, ``too_few``: fewer than
      :data:`analysis.common.thresholds.MIN_N_KPI_INTERVAL` answers, ``no_spread``: every
      answer the same) and ``ci_note`` in a sentence (both null with an interval; see
      :mod:`analysis.drivers.kpis`); ``kpis.by_channel``: the same per channel;
    * ``sem`` (when fitted): ``{"n", "converged", "usable", "cfi", "rmsea", "srmr",
      "problems": [{"kind", "severity", "message"}]}``; ``usable`` is false when the fit
      has an error-severity problem: then its indices and the drivers' ``sem_*`` are
      null (and with importance 'sem' so are its quadrants and priorities);
    * ``crosshair``: ``{"importance", "performance"}`` of the quadrants;
    * ``n_complete``: respondents used with every driver (the phone-only drivers' figures
      rest on them); ``pooling``: ``{"weight"`` (share of the group's own data in the
      outcome's regression on the drivers; 1 without pooling), ``"weight_phone_only"``,
      ``"kappa"`` (prior strength, respondents borrowed), ``"n_effective"`` (n + kappa),
      ``"set_aside"`` (unlike the other groups, so pooled only as its own data allow),
      ``"respondents_by_channel": {channel: {"n", "n_phone_only"}}}`` (empty when groups
      were analysed on different drivers);
    * ``drivers``: per driver key:

      ===================== =============================================================
      ``n``                 respondents the driver's figures rest on (the phone
                            respondents for phone-only drivers)
      ``beta_std``          standardized regression coefficient (outcome and drivers
                            z-scored) of the group's covariance: the one the LMG shares
                            come from (pooled with partial pooling; every respondent)
      ``beta_std_ci``       its percentile interval over the replicates that give
                            ``lmg_ci`` (bootstrap; with pooling, empirical-Bayes
                            posterior draws: :mod:`analysis.pooling.estimate`)
      ``beta_std_se``       standard deviation of those replicates
      ``beta_std_p``        two-sided p-value of beta = 0 from those replicates, agreeing
                            with ``beta_std_ci`` (below 1 - level exactly when the
                            interval leaves 0 out, up to one replicate; at least
                            2 / (resamples + 1)): :func:`analysis.drivers.pooled.replicate_p_value`
      ``beta_std_ci_hc3``   ``[null, null]``: no HC3 interval for a covariance's beta (the
                            HC3 figures are under ``own.ols``)
      ``beta``              unstandardized coefficient of the same covariance
      ``vif``               variance inflation factor of the same covariance (above 5 is
                            a warning)
      ``lmg``               LMG share of R² (sums to ``r2`` over the drivers)
      ``lmg_pct``           LMG share as % of R² (sums to 100)
      ``lmg_ci``            bootstrap percentile interval of ``lmg``
      ``lmg_pct_ci``        bootstrap percentile interval of ``lmg_pct`` (without
                            pooling, a group's: the hull with that of the LMG of
                            adjusted R², both expanded for the group's size
                            (Hesterberg 2015): :mod:`analysis.drivers.own_intervals`)
      ``rank``              LMG rank, 1 = most important
      ``rank_ci``           bootstrap interval of the rank ``[best, worst]``
      ``p_first``,          share of resamples in which the driver ranks first / in the
      ``p_top2``            top two
      ``own``               ``{"lmg", "lmg_pct", "rank"}`` from the group's own data
                            only (every respondent; the same as above without pooling);
                            ``own.ols``: ``{"sample": "complete_cases", "n",
                            "beta_std", "beta_std_se", "beta_std_ci_hc3",
                            "beta_std_p", "beta", "vif"}``, the OLS of the group's
                            complete cases with HC3 standard error, t interval and
                            p-value (MacKinnon & White 1985), without pooling
      ``pooling_weight``    share of the group's own data in this driver's figure
      ``dominance``         ``{"general": general dominance weight (= lmg),
                            "conditional": [mean gain in R² when added to models with
                            k = 0, 1, ..., p-1 other drivers], "completely_dominates",
                            "conditionally_dominates", "generally_dominates": [driver
                            keys this driver dominates in that sense]}`` (Azen & Budescu
                            2003)
      ``relative_weight``   Johnson's relative weight (sums to R²); ``relative_weight_pct``
      ``pratt``             Pratt's measure beta x r (sums to R², can be negative); ``pratt_pct``
      ``sem_std``           standardized path latent driver -> outcome (std.all), FIML on
                            every respondent not excluded as flagged
      ``sem_se``, ``sem_p`` its delta-method standard error and p-value (null without SEM
                            or when the group's SEM is not ``usable``)
      ``performance``       mean driver score of the used respondents on 0-100;
                            ``performance_ci`` its bootstrap interval
      ``importance_share``  the importance behind the priorities (``meta.importance``),
                            % of the drivers' total (with 'sem' from the SEM's sample,
                            while ``performance`` is from the used respondents)
      ``quadrant``          'concentrate here', 'keep up the good work', 'low priority'
                            or 'possible overkill' (Martilla & James 1977)
      ``priority``          priority rank, 1 = improve first ('concentrate here' drivers
                            first, then by importance x room for improvement)
      ``priority_ci``       its bootstrap interval (null with importance 'sem')
      ``priority_score``    importance share x (100 - performance) / 100
      ===================== =============================================================
``differences``
    Bootstrap differences between groups, ``[{"statistic" ('lmg_pct' or 'std_beta'),
    "group", "versus" (another group, or 'rest' = all other groups pooled), "driver",
    "estimate" (group minus versus), "se", "ci": [low, high], "excludes_zero"}]``; with
    partial pooling between the pooled estimates ('rest' from the other groups' own data).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.common.groups import ALL
from analysis.common.serialize import jsonable
from analysis.common.versions import package_version

# The sample of the ``own_ols`` / ``own.ols`` figures: respondents with every driver score.
OWN_OLS_SAMPLE = "complete_cases"


def analysis_document(res) -> dict:
    """The JSON document of a :class:`~analysis.drivers.result.DriverAnalysis` (see the module docstring)."""
    s = res.settings
    excluded = res.excluded
    counts: dict = {}
    for r in res.exclusion_counts.itertuples():
        counts.setdefault(r.group if isinstance(r.group, str) else None, {})[r.code] = r.n
    meta = {
        "n_input": res.n_input, "n_used": res.n_used,
        "exclusion_counts": counts, "bootstrap": s.n_resamples, "seed": s.seed, "version": package_version(),
        "by": s.by, "outcome": s.outcome, "drivers": list(s.drivers),
        "group_drivers": {g: list(s.drivers_of(g)) for g in res.group_names}, "level": s.level,
        "importance": s.importance, "crosshair": s.crosshair, "exclude_flagged": s.exclude_flagged, "sem": s.sem,
        "warnings": res.warnings.to_dict("records"),
        "pooling": _pooling_meta(res),
    }
    # each table's rows taken once and split by group (a mask and a pass per group cost seconds for 200)
    rows = res.groups.set_index("group")
    kpis, importance = _rows_by_group(res.kpis), _rows_by_group(res.importance)
    groups = {g: _group(res, g, rows.loc[g], kpis.get(g, []), importance.get(g, [])) for g in res.group_names}
    differences = [{"statistic": d.statistic, "group": d.group, "versus": d.versus, "driver": d.driver,
                    "estimate": d.estimate, "se": d.se, "ci": [d.ci_low, d.ci_high], "excludes_zero": d.excludes_zero}
                   for d in res.differences.itertuples()]
    doc = jsonable({"meta": meta, "groups": groups, "differences": differences})
    # already plain str/None: built after jsonable(), which would take seconds for a million respondents
    doc["meta"]["excluded"] = [
        {"respondent_id": i, "reason": why, "group": g if isinstance(g, str) else None, "code": c}
        for i, why, g, c in zip(excluded.respondent_id.tolist(), excluded.reason.tolist(), excluded.group.tolist(),
                                excluded.code.astype(str).tolist())]
    first = ("n_input", "n_used", "excluded")              # the documented order
    doc["meta"] = {k: doc["meta"][k] for k in (*first, *[k for k in doc["meta"] if k not in first])}
    return doc


def _rows_by_group(table: pd.DataFrame) -> dict:
    """The rows of ``table`` (``itertuples``) per value of its ``group`` column, in the table's order."""
    out: dict = {}
    for r in table.itertuples():
        out.setdefault(r.group, []).append(r)
    return out


def _group(res, g, row, kpis: list, importance: list) -> dict:
    out = {"n": row.n_used, "n_input": row.n_input, "n_excluded": row.n_excluded, "r2": row.r2,
           "r2_ci": [row.r2_ci_low, row.r2_ci_high], "adj_r2": row.adj_r2, "unstable_ranks": row.unstable_ranks,
           "own_ols": {"sample": OWN_OLS_SAMPLE, "n": row.own_ols_n, "r2": row.own_ols_r2,
                       "adj_r2": row.own_ols_adj_r2},
           "kpis": _kpis(kpis),
           "crosshair": {"importance": row.crosshair_importance, "performance": row.crosshair_performance}}
    if res.sem_fit is not None:
        problems = res.structural.problems
        out["sem"] = {"n": row.sem_n, "converged": row.sem_converged, "usable": row.sem_usable, "cfi": row.sem_cfi,
                      "rmsea": row.sem_rmsea, "srmr": row.sem_srmr,
                      "problems": problems[problems.group == g][["kind", "severity", "message"]].to_dict("records")}
    out["n_complete"] = row.n_complete
    out["pooling"] = {"weight": row.pooling_weight, "weight_phone_only": row.pooling_weight_phone_only,
                      "kappa": row.pooling_kappa, "n_effective": row.n_effective, "set_aside": row.pooling_set_aside,
                      "respondents_by_channel": _by_channel(res, g)}
    out["drivers"] = _drivers(res, g, importance)
    return out


def _pooling_meta(res) -> dict:
    """``meta.pooling``: what was asked, what was used and why, and the population's strengths."""
    from analysis.drivers.pooled import pooling_sentence
    s, pooled = res.settings, res.pooling
    out = {"requested": s.pooling, "used": s.pooling_used, "reason": pooling_sentence(res)}
    if pooled is not None:
        out["phone_only_drivers"] = list(pooled.phone_only)
        out["kappa"] = pooled.kappa
        out["estimand"] = ("LMG of each group's covariance of drivers and outcome, with the phone-only drivers "
                           "related to the others as among the group's phone respondents (two-pattern normal ML)")
    return out


def _by_channel(res, g) -> dict:
    """Respondents used per channel, and of them with the phone-only drivers (none per driver set)."""
    if res.respondents is None:
        return {}
    t = res.respondents if g == ALL else res.respondents[res.respondents.group == g]
    t = t.groupby("channel")[["n", "n_phone_only"]].sum()
    return {str(c): {"n": int(r.n), "n_phone_only": int(r.n_phone_only)} for c, r in t.iterrows()}


def _kpis(rows: list) -> dict:
    def entry(r) -> dict:
        return {"estimate": r.estimate, "ci": [r.ci_low, r.ci_high], "n": r.n, "n_missing": r.n_missing,
                "ci_reason": r.ci_reason, "ci_note": r.ci_note}

    out = {r.key: entry(r) for r in rows if r.channel == ALL}
    by_channel: dict = {}
    for r in rows:
        if r.channel != ALL:
            by_channel.setdefault(r.channel, {})[r.key] = entry(r)
    out["by_channel"] = by_channel
    return out


def _drivers(res, g, t: list) -> dict:
    dom = res.dominances[g]
    conditional = dom.conditional
    drivers = list(res.settings.drivers_of(g))
    # the dominance matrices as arrays in the drivers' order (a label lookup per pair is slow)
    complete, conditional_m, general_m = (
        m.to_numpy() if list(m.index) == drivers and list(m.columns) == drivers else m.loc[drivers, drivers].to_numpy()
        for m in (dom.complete, dom.conditional_matrix, dom.general_matrix))
    position = {d: i for i, d in enumerate(drivers)}

    def beats(matrix: np.ndarray, d: str) -> list[str]:
        row = matrix[position[d]]
        return [o for j, o in enumerate(drivers) if o != d and row[j] == 1.0]

    out = {}
    for r in t:
        d = r.driver
        out[d] = {
            "beta_std": r.beta_std, "beta_std_ci": [r.beta_std_ci_low, r.beta_std_ci_high],
            "beta_std_se": r.beta_std_se, "beta_std_ci_hc3": [r.beta_std_hc3_ci_low, r.beta_std_hc3_ci_high],
            "beta_std_p": r.beta_p, "beta": r.beta, "vif": r.vif,
            "n": r.n_driver,
            "lmg": r.lmg, "lmg_pct": r.lmg_pct, "lmg_ci": [r.lmg_ci_low, r.lmg_ci_high],
            "lmg_pct_ci": [r.ci_low, r.ci_high], "rank": r.rank, "rank_ci": [r.rank_ci_low, r.rank_ci_high],
            "p_first": r.p_first, "p_top2": r.p_top2,
            "own": {"lmg": r.own_lmg, "lmg_pct": r.own_lmg_pct, "rank": r.own_rank,
                    "ols": {"sample": OWN_OLS_SAMPLE, "n": r.own_ols_n, "beta_std": r.own_ols_beta_std,
                            "beta_std_se": r.own_ols_beta_std_se,
                            "beta_std_ci_hc3": [r.own_ols_beta_std_hc3_ci_low, r.own_ols_beta_std_hc3_ci_high],
                            "beta_std_p": r.own_ols_beta_p, "beta": r.own_ols_beta, "vif": r.own_ols_vif}},
            "pooling_weight": r.pooling_weight,
            "dominance": {"general": r.lmg, "conditional": conditional[d].tolist(),
                          "completely_dominates": beats(complete, d),
                          "conditionally_dominates": beats(conditional_m, d),
                          "generally_dominates": beats(general_m, d)},
            "relative_weight": r.relative_weight, "relative_weight_pct": r.relative_weight_pct,
            "pratt": r.pratt, "pratt_pct": r.pratt_pct,
            "sem_std": r.sem_std, "sem_se": r.sem_se, "sem_p": r.sem_p,
            "performance": r.performance, "performance_ci": [r.performance_ci_low, r.performance_ci_high],
            "importance_share": r.importance_share, "quadrant": r.quadrant, "priority": r.priority,
            "priority_ci": [r.priority_ci_low, r.priority_ci_high], "priority_score": r.priority_score,
        }
    return out
