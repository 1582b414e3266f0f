"""The driver analysis with ``pooling='partial'``: who is used, the pooled bootstrap, the extra columns.

With partial pooling (:mod:`analysis.pooling`) a respondent who lacks only the
phone-only drivers because they are not asked in their channel (code ``not_asked`` in
:mod:`analysis.drivers.sample`) is *used*: the common drivers rest on every respondent,
the phone-only drivers on the phone respondents. This module selects those respondents,
runs :func:`analysis.pooling.pooled_importance`, and adds to the analysis' tables the
own-data figures beside the pooled ones, the pooling weights and how many respondents
each figure rests on, per group and channel.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.common.groups import ALL
from analysis.drivers.own_intervals import with_adjusted_share_intervals
from analysis.drivers.sample import CHANNEL_COLUMN, GROUP
from analysis.pooling import PooledImportance, pooled_importance

# Columns :func:`annotate` adds to the importance and groups tables (documented in
# :class:`analysis.drivers.result.DriverAnalysis`).
IMPORTANCE_COLUMNS = ("n_driver", "own_lmg", "own_lmg_pct", "own_rank", "pooling_weight")
GROUP_COLUMNS = ("n_complete", "pooling_kappa", "pooling_weight", "pooling_weight_phone_only", "n_effective",
                 "pooling_set_aside")


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

    def annotate(self, table: pd.DataFrame, groups: pd.DataFrame, importances: dict) -> tuple[pd.DataFrame,
                                                                                              pd.DataFrame]:
        """The importance and groups tables with the pooled counts, betas, own-data figures and weights."""
        res = self.result
        g_info = res.groups.set_index("group")
        own = res.own.set_index(["group", "driver"])
        phone_only = set(res.phone_only)
        t = table.copy()
        in_group = t.group != ALL
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
        pooled_beta = pd.concat([importances[g].table.assign(group=g) for g in importances])
        t["beta_std"] = pooled_beta.set_index(["group", "driver"]).std_beta.reindex(key).to_numpy()

        out = groups.copy()
        r2 = t.drop_duplicates("group").set_index("group").r2
        out["r2"] = out.group.map(r2)
        out["n_used"] = out.group.map(self.n).astype(int)
        out["n_excluded"] = out.n_input - out.n_used
        out["n_complete"] = out.group.map(n_complete).astype(int)
        out["pooling_kappa"] = out.group.map(g_info.kappa).fillna(0.0)
        out["pooling_weight"] = out.group.map(g_info.weight).fillna(1.0)
        out["pooling_weight_phone_only"] = out.group.map(g_info.weight_partial).fillna(1.0)
        out["n_effective"] = out.n_used + out.pooling_kappa
        out["pooling_set_aside"] = out.group.map(g_info.different).eq(True)     # NaN (no groups, "all"): False
        return t, out


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
                    runner=None, pooling="partial"):
    """Run the (pooled) estimate on every usable respondent; returns ``(PooledAnalysis, boot, boot_all)``.

    ``pooling='none'`` estimates each group from its own respondents, every one of them
    (the two-pattern covariance of :mod:`analysis.pooling.moments`, not shrunk), with the
    ordinary bootstrap of respondents within the group; on complete data that is the
    estimate and the bootstrap of :func:`analysis.bootstrap.importance.bootstrap_importance`.
    ``boot`` is None without groups (``by=None``); ``boot_all`` is the whole sample.
    """
    frame = sample.frame
    # sample.excluded lists the respondents not used in row order (analysis.drivers.sample._explain)
    not_used = np.flatnonzero(~sample.used)
    excluded = sample.excluded
    by_design = excluded.code.astype(str).eq("not_asked").to_numpy().copy()
    if labels:
        by_design &= excluded[GROUP].isin(labels).to_numpy()
    used = sample.used.copy()
    used[not_used[by_design]] = True
    rows = frame.loc[used, [GROUP, *drivers, outcome]].reset_index(drop=True)
    result = pooled_importance(rows, outcome, drivers, group=GROUP, pooling=pooling, n_resamples=bootstrap,
                               level=level, seed=seed, versus_rest=len(labels) > 1, progress=progress,
                               runner=runner)
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
        return text
    if s.pooling == "partial" and pooled is not None:
        return pooled.reason[0].upper() + pooled.reason[1:] + "."
    if s.pooling == "partial":      # not pooled: groups asked different drivers (analysis.drivers.analyse)
        notes = res.warnings.message[res.warnings.kind.eq("no_pooling")] if len(res.warnings) else []
        if len(notes):
            return notes.iloc[0][0].upper() + notes.iloc[0][1:] + "."
    return ("No pooling: each group is estimated from its own respondents only, every one of them (drivers asked "
            "in some channels only from the respondents of those channels).")
