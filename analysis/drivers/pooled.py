"""The driver analysis with ``pooling='partial'``: who is used, the pooled bootstrap, the extra columns.

With partial pooling (:mod:`analysis.pooling`) a respondent who lacks only the
phone-only drivers because they are not asked in their channel (code ``not_asked`` in
:mod:`analysis.drivers.sample`) is *used*: the common drivers rest on every respondent,
the phone-only drivers on the phone respondents. This module selects those respondents,
runs :func:`analysis.pooling.pooled_importance`, and adds to the analysis' tables the
own-data figures beside the pooled ones, the pooling weights and how many respondents
each figure rests on, per group and channel.

Every figure of a driver's row rests on one estimate (with either pooling): the group's
covariance of drivers and outcome from :mod:`analysis.pooling` (pooled, or its own
every-respondent covariance), which gives the LMG shares. So do the standardized beta,
the unstandardized beta (``Σxx⁻¹ σxy``), the VIF (diagonal of ``Rxx⁻¹``), R² and the
adjusted R² (Ezekiel's correction with the respondents used); the beta's standard
error, interval and p-value come from the replicates that give the LMG intervals (the
bootstrap, with pooling the empirical-Bayes posterior draws of
:mod:`analysis.pooling.estimate`): :func:`replicate_p_value`. The OLS of the group's
complete cases with HC3 standard errors (:mod:`analysis.importance.regression`; the
phone respondents only, where drivers are asked on the phone only) is kept beside them
as the ``own_ols_*`` columns, its sample named by ``own_ols_n``.

References
----------
Ezekiel, M. (1930). *Methods of Correlation Analysis*. Wiley.
Efron, B., & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*, sec. 15.4
    (the relation of tests to confidence intervals). Chapman & Hall.
Makowski, D., Ben-Shachar, M. S., Chen, S. H. A., & Lüdecke, D. (2019). Indices of
    effect existence and significance in the Bayesian framework. *Frontiers in
    Psychology*, 10, 2767.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.bootstrap.kept import KeptReplicates
from analysis.common.groups import ALL
from analysis.common.thresholds import VIF
from analysis.drivers.own_intervals import with_adjusted_share_intervals
from analysis.drivers.sample import CHANNEL_COLUMN, GROUP
from analysis.pooling import PooledImportance, pooled_importance

# The complete-case OLS (HC3) figures, kept beside the headline ones as own_ols_<name>.
OLS_FIGURES = ("beta_std", "beta_std_se", "beta_std_hc3_ci_low", "beta_std_hc3_ci_high", "beta_p", "beta", "vif")
OWN_OLS_COLUMNS = ("own_ols_n", *(f"own_ols_{c}" for c in OLS_FIGURES))
# Columns :func:`annotate` adds to the importance and groups tables (documented in
# :class:`analysis.drivers.result.DriverAnalysis`).
IMPORTANCE_COLUMNS = ("n_driver", "own_lmg", "own_lmg_pct", "own_rank", "pooling_weight", *OWN_OLS_COLUMNS)
GROUP_COLUMNS = ("n_complete", "pooling_kappa", "pooling_weight", "pooling_weight_phone_only", "n_effective",
                 "pooling_set_aside", "own_ols_n", "own_ols_r2", "own_ols_adj_r2")


@dataclass(frozen=True, eq=False)
class PooledAnalysis:
    """What :func:`pooled_analysis` adds to a driver analysis.

    Attributes
    ----------
    result : PooledImportance
    used : ndarray of bool
        Respondents used (per row of the analysis sample's frame).
    excluded : DataFrame
        The sample's exclusions without the respondents now used.
    n : dict
        Respondents used per group (and ``'all'``).
    respondents : DataFrame
        ``group``, ``channel``, ``n`` (respondents used: the common drivers rest on
        them), ``n_phone_only`` (of them with the phone-only drivers: those rest on these).
    """

    result: PooledImportance
    used: np.ndarray
    excluded: pd.DataFrame
    n: dict
    respondents: pd.DataFrame

    def annotate(self, table: pd.DataFrame, groups: pd.DataFrame, importances: dict,
                 boots: tuple = ()) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The importance and groups tables with the pooled counts, betas, own-data figures and weights.

        ``boots`` are the :class:`~analysis.bootstrap.importance.BootstrapResult` objects
        of the analysis (groups, whole sample) whose replicates give the intervals: the
        beta's standard error and p-value come from them (module docstring).
        """
        res = self.result
        g_info = res.groups.set_index("group")
        own = res.own.set_index(["group", "driver"])
        phone_only = set(res.phone_only)
        t = table.copy()
        in_group = t.group != ALL
        t["own_ols_n"] = t.n            # the complete cases of the OLS, before n becomes the respondents used
        t["n"] = t.group.map(self.n).astype(int)
        n_complete = {**g_info.n_complete.to_dict(), ALL: int(g_info.n_complete.sum())}
        t["n_driver"] = np.where(t.driver.isin(phone_only), t.group.map(n_complete), t.n).astype(int)
        key = pd.MultiIndex.from_arrays([t.group, t.driver])
        for col, src in (("own_lmg", "lmg"), ("own_lmg_pct", "lmg_pct"), ("own_rank", "lmg_rank")):
            t[col] = np.where(in_group, own[src].reindex(key).to_numpy(), t[src.replace("lmg_rank", "rank")])
        t["own_rank"] = pd.array(t.own_rank.to_numpy(dtype=float), dtype="Float64").astype("Int64")
        weight = t.group.map(g_info.weight).fillna(1.0)
        weight_phone = t.group.map(g_info.weight_partial).fillna(1.0)
        t["pooling_weight"] = np.where(t.driver.isin(phone_only), weight_phone, weight)
        t = self._headline_betas(t, key, importances, boots)

        out = groups.copy()
        out["own_ols_n"], out["own_ols_r2"], out["own_ols_adj_r2"] = out.n_used, out.r2, out.adj_r2
        r2 = t.drop_duplicates("group").set_index("group").r2
        out["r2"] = out.group.map(r2)
        out["n_used"] = out.group.map(self.n).astype(int)
        out["adj_r2"] = ezekiel_adjusted_r2(out.r2.to_numpy(), out.n_used.to_numpy(), t.driver.nunique())
        out["n_excluded"] = out.n_input - out.n_used
        out["n_complete"] = out.group.map(n_complete).astype(int)
        out["pooling_kappa"] = out.group.map(g_info.kappa).fillna(0.0)
        out["pooling_weight"] = out.group.map(g_info.weight).fillna(1.0)
        out["pooling_weight_phone_only"] = out.group.map(g_info.weight_partial).fillna(1.0)
        out["n_effective"] = out.n_used + out.pooling_kappa
        out["pooling_set_aside"] = out.group.map(g_info.different).eq(True)     # NaN (no groups, "all"): False
        return t, out

    def covariance(self, group) -> np.ndarray:
        """The covariance (drivers, then the outcome) every headline figure of ``group`` comes from."""
        return self.result.whole_cov if group == ALL else self.result.cov[group]

    def _headline_betas(self, t: pd.DataFrame, key, importances: dict, boots: tuple) -> pd.DataFrame:
        """The betas, VIFs, SEs and p-values of the group's covariance and replicates; the OLS ones as own_ols_*."""
        t = t.copy()
        for c in OLS_FIGURES:
            t[f"own_ols_{c}"] = t[c]
        tables = [importances[g].table for g in importances]
        std = pd.Series(np.concatenate([x.std_beta.to_numpy() for x in tables]), index=pd.MultiIndex.from_arrays(
            [np.repeat(np.array(list(importances), dtype=object), [len(x) for x in tables]),
             np.concatenate([x.driver.to_numpy(dtype=object) for x in tables])]))
        t["beta_std"] = std.reindex(key).to_numpy()
        # per group, arrays only; one table of them at the end (not one per group)
        labels, drivers, figures = [], [], {c: [] for c in ("beta", "vif", "beta_std_se", "beta_p")}
        # replicates kept on the workers (analysis.pooling.kept): their figures computed there
        kept = {g: f for b in boots if b is not None and isinstance(b.replicates, KeptReplicates)
                for part in b.replicates.map(_beta_figures_of) for g, f in part.items()}
        for g, names in t.groupby("group", sort=False).driver:
            beta, vif = covariance_betas(self.covariance(g))
            se, p = kept[g] if g in kept else _beta_figures(
                next(b.replicates[g] for b in boots if b is not None and g in b.replicates))
            labels += [g] * len(names)
            drivers += names.tolist()
            for c, v in zip(figures, (beta, vif, se, p)):
                figures[c].append(v)
        index = pd.MultiIndex.from_arrays([np.array(labels, dtype=object), np.array(drivers, dtype=object)])
        for c, parts in figures.items():
            t[c] = pd.Series(np.concatenate(parts), index=index).reindex(key).to_numpy()
        t["vif_high"] = [VIF.holds(float(v)) is False for v in t.vif]
        # no HC3 interval for a covariance's beta: its interval is the percentile one (beta_std_ci_*)
        t["beta_std_hc3_ci_low"] = t["beta_std_hc3_ci_high"] = np.nan
        return t


def _beta_figures(reps) -> tuple[np.ndarray, np.ndarray]:
    """The standard error and p-value of each standardized beta from a group's valid replicates."""
    values = reps.std_beta[reps.valid]
    se = np.std(values, axis=0, ddof=1) if len(values) > 1 else np.full(values.shape[1], np.nan)
    return se, replicate_p_value(values)


def _beta_figures_of(replicates: dict) -> dict:
    """:func:`_beta_figures` of a run of groups' replicates (a task, where they are kept)."""
    return {g: _beta_figures(reps) for g, reps in replicates.items()}


def covariance_betas(cov: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unstandardized betas ``Σxx⁻¹ σxy`` and VIFs ``diag(Rxx⁻¹)`` of a covariance (drivers, then the outcome).

    The OLS coefficients and VIFs of any sample whose covariance this is (e.g. the
    pooled one: the regression the LMG shares decompose).

    Examples
    --------
    >>> cov = np.array([[1.0, 0.5, 0.6], [0.5, 1.0, 0.5], [0.6, 0.5, 1.0]])
    >>> [b.round(3).tolist() for b in covariance_betas(cov)]
    [[0.467, 0.267], [1.333, 1.333]]
    """
    cov = np.asarray(cov, dtype=float)
    sxx, sxy = cov[:-1, :-1], cov[:-1, -1]
    sd = np.sqrt(np.diag(sxx))
    return np.linalg.solve(sxx, sxy), np.diag(np.linalg.inv(sxx / np.outer(sd, sd)))


def replicate_p_value(replicates: np.ndarray) -> np.ndarray:
    """Two-sided p-value of "the statistic is 0" from its replicates, one per column, agreeing with their interval.

    ``p = min(1, 2 (1 + k) / (B + 1))``, with ``k`` the replicates on the far side of 0
    (at or below 0 for a positive estimate, at or above for a negative one) among the
    ``B`` valid ones: the smallest ``1 - level`` at which the percentile interval of the
    replicates leaves 0 out (the duality of tests and intervals, Efron & Tibshirani
    1993, sec. 15.4), counted as a Monte Carlo p-value so that it is never 0
    (``1 + k`` over ``B + 1``; its floor ``2 / (B + 1)`` says how many replicates there
    were). So ``p < 1 - level`` exactly when the percentile interval leaves 0 out, up
    to one replicate. With partial pooling the replicates are draws from the
    organisation's (empirical-Bayes) posterior, and ``1 - p/2`` is then the posterior
    probability of the estimate's sign, the 'probability of direction' (Makowski et
    al. 2019, who show ``p ≈ 2 (1 - pd)``). NaN for a column without valid replicates.

    Examples
    --------
    >>> reps = np.column_stack([np.linspace(0.01, 1, 99), np.linspace(-0.5, 1.5, 99)])
    >>> replicate_p_value(reps).round(3).tolist()
    [0.02, 0.52]
    """
    r = np.asarray(replicates, dtype=float)
    ok = ~np.isnan(r)
    n = ok.sum(axis=0)
    far = np.minimum(((r <= 0) & ok).sum(axis=0), ((r >= 0) & ok).sum(axis=0))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, np.minimum(1.0, 2 * (1 + far) / (n + 1)), np.nan)


def ezekiel_adjusted_r2(r2, n, p: int) -> np.ndarray:
    """Adjusted R² ``1 - (1 - R²) (n - 1) / (n - p - 1)`` (Ezekiel 1930); NaN where ``n <= p + 1``.

    ``n`` is the respondents the R² rests on: with the two-pattern covariance every
    respondent used (the phone-only drivers' part rests on fewer, so the correction
    is, if anything, slightly small there); with pooling the group's own respondents,
    not counting what it borrowed, so the correction is at least that of its own data
    (a shrunken estimate overfits less).

    Examples
    --------
    >>> ezekiel_adjusted_r2(np.array([0.5]), np.array([101]), 4).round(4).tolist()
    [0.4792]
    """
    r2, n = np.asarray(r2, dtype=float), np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > p + 1, 1 - (1 - r2) * (n - 1) / (n - p - 1), np.nan)


def annotate_unpooled(table: pd.DataFrame, groups: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The same columns without pooling: own figures are the figures, weights 1."""
    t = table.copy()
    t["n_driver"] = t.n
    t["own_lmg"], t["own_lmg_pct"], t["own_rank"] = t.lmg, t.lmg_pct, t["rank"]
    t["pooling_weight"] = 1.0
    out = groups.copy()
    out["n_complete"] = out.n_used
    out["pooling_kappa"] = 0.0
    out["pooling_weight"] = out["pooling_weight_phone_only"] = 1.0
    out["n_effective"] = out.n_used.astype(float)
    out["pooling_set_aside"] = False
    return t, out


def pooled_analysis(data, inst, sample, labels, outcome, drivers, bootstrap, level, seed, progress,
                    runner=None, pooling="partial", auxiliary=()):
    """Run the (pooled) estimate on every usable respondent; returns ``(PooledAnalysis, boot, boot_all)``.

    ``pooling='none'`` estimates each group from its own respondents, every one of them
    (the two-pattern covariance of :mod:`analysis.pooling.moments`, not shrunk), with the
    ordinary bootstrap of respondents within the group; on complete data that is the
    estimate and the bootstrap of :func:`analysis.bootstrap.importance.bootstrap_importance`.
    ``boot`` is None without groups (``by=None``); ``boot_all`` is the whole sample.
    ``progress(stage, done, total)``: 'bootstrap' in resamples, then 'pooling' and
    'replicates' (:func:`~analysis.pooling.pooled_importance`'s ``stage_progress``).
    ``auxiliary`` are groups without phone respondents that are not analysed here (on
    fewer drivers elsewhere, :func:`analysis.drivers.analyse._per_driver_set`): their
    respondents are used for the whole sample ``'all'``, the rest of the sample and the
    pooling of the drivers asked in every channel (``pooled_importance(auxiliary=...)``).
    """
    frame = sample.frame
    excluded = sample.excluded
    used, by_design = used_by_design(sample, [*labels, *auxiliary], drivers)
    rows = frame.loc[used, [GROUP, *drivers, outcome]].reset_index(drop=True)
    result = pooled_importance(rows, outcome, drivers, group=GROUP, pooling=pooling, n_resamples=bootstrap,
                               level=level, seed=seed, versus_rest=len(labels) > 1, runner=runner,
                               progress=None if progress is None else (lambda d, t: progress("bootstrap", d, t)),
                               stage_progress=progress, auxiliary=tuple(auxiliary))
    n = rows[GROUP].value_counts().to_dict() if labels else {}
    n[ALL] = len(rows)
    if labels and result.pooling == "none":
        # own data only: the shares' intervals allow for their small-sample bias (analysis.drivers.own_intervals)
        result = dataclasses.replace(result, boot=with_adjusted_share_intervals(result.boot, rows, GROUP, seed))
    if labels:
        boot, boot_all = result.boot, result.boot.whole
    else:       # one sample: no organisations to pool; its figures are the whole sample's
        boot, boot_all = None, result.boot
        result = PooledImportance(pooling=result.pooling, reason=result.reason, boot=result.boot, own=result.own,
                                  groups=result.groups.iloc[:0], kappa=result.kappa, phone_only=result.phone_only,
                                  cov={}, own_cov={}, whole_cov=result.cov[ALL])
    channel = (_channel_keys(data.loc[frame.index[used], CHANNEL_COLUMN], inst)
               if CHANNEL_COLUMN in data.columns else np.full(int(used.sum()), "unknown"))
    complete = rows[drivers].notna().all(axis=1).to_numpy()
    respondents = (pd.DataFrame({"group": rows[GROUP].to_numpy(), "channel": channel, "n": 1,
                                 "n_phone_only": complete.astype(int)})
                   .groupby(["group", "channel"], sort=True, as_index=False)[["n", "n_phone_only"]].sum())
    return (PooledAnalysis(result=result, used=used, excluded=excluded[~by_design].reset_index(drop=True), n=n,
                           respondents=respondents), boot, boot_all)


def used_by_design(sample, labels, drivers) -> tuple[np.ndarray, np.ndarray]:
    """The respondents the estimate uses (per row of the sample) and which of the excluded are added back.

    ``sample.used``, and the respondents excluded only for drivers not asked in their
    channel (code ``not_asked``) in a group analysed (``labels``; any without groups)
    who answered at least one analysed driver: ``(used, by_design)``, ``by_design``
    per row of ``sample.excluded``. The same per piece of the rows as for all rows
    (:mod:`analysis.drivers.kept`).
    """
    frame = sample.frame
    # sample.excluded lists the respondents not used in row order (analysis.drivers.sample._explain)
    not_used = np.flatnonzero(~sample.used)
    excluded = sample.excluded
    by_design = excluded.code.astype(str).eq("not_asked").to_numpy().copy()
    if labels:
        by_design &= excluded[GROUP].isin(labels).to_numpy()
    # A respondent to whom none of the analysed drivers applies (e.g. `--drivers wait_time,menu`
    # and a chat respondent) says nothing about them: left out as not_asked, not added back.
    by_design &= frame.iloc[not_used][list(drivers)].notna().any(axis=1).to_numpy()
    used = sample.used.copy()
    used[not_used[by_design]] = True
    return used, by_design


def _channel_keys(channel: pd.Series, inst) -> np.ndarray:
    """Each respondent's channel key ('unknown' when missing), an object array of ``str``.

    A code (``'1'`` or ``'1.0'``) is named by its key; the name is looked up once per
    distinct value (a million respondents have a handful of channels).
    """
    names = {str(c.code): c.key for c in inst.choices("channel")}
    codes, uniques = pd.factorize(channel.astype("string").fillna("unknown"))
    keys = np.empty(len(uniques), dtype=object)
    keys[:] = [names.get(c.removesuffix(".0"), c) for c in uniques]
    return keys[codes]


def pooling_sentence(res) -> str:
    """One plain sentence on the pooling of a :class:`~analysis.drivers.result.DriverAnalysis`."""
    s, pooled = res.settings, res.pooling
    if s.pooling_used == "partial":
        aside = [g for g, a in zip(res.groups.group, res.groups.pooling_set_aside) if a]
        text = ("Partial pooling: every respondent is used (drivers asked in some channels only from the respondents of those channels) and each "
                "group's estimates combine its own respondents with the pattern of all groups, the more so the "
                "fewer respondents it has; 'own data weigh' says how much is its own.")
        if aside:
            text += f" Unlike the others, so pooled only as its own data allow: {', '.join(map(str, aside))}."
        # groups without the phone-only drivers (analysis.drivers.per_group.groups_with_every_driver)
        split = res.warnings.message[res.warnings.kind.eq("pooling_per_driver_set")] if len(res.warnings) else []
        if len(split):
            text += " " + split.iloc[0][0].upper() + split.iloc[0][1:] + "."
        return text
    if s.pooling == "partial" and pooled is not None:
        return pooled.reason[0].upper() + pooled.reason[1:] + "."
    if s.pooling == "partial":      # not pooled: groups asked different drivers (analysis.drivers.analyse)
        notes = res.warnings.message[res.warnings.kind.eq("no_pooling")] if len(res.warnings) else []
        if len(notes):
            return notes.iloc[0][0].upper() + notes.iloc[0][1:] + "."
    return ("No pooling: each group is estimated from its own respondents only, every one of them (drivers asked "
            "in some channels only from the respondents of those channels).")
