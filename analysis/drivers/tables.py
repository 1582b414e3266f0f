"""The tidy tables of a driver analysis, assembled from the statistics modules' results.

Every number in these tables is taken from the result of the module that computed it
(:mod:`analysis.importance.regression`, :mod:`analysis.importance.relative`, :mod:`analysis.bootstrap.importance`,
:mod:`analysis.drivers.priorities`, :mod:`analysis.drivers.sem`, :mod:`analysis.drivers.kpis`);
nothing is recomputed here. The columns are documented on
:class:`analysis.drivers.result.DriverAnalysis`.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.common.errors import ModelError
from analysis.common.groups import ALL
from analysis.common.thresholds import MIN_N_STABLE_RANKS, VIF
from analysis.drivers.kpis import kpi_table
from analysis.drivers.priorities import PriorityResult, importance_performance, priorities
from analysis.drivers.sample import GROUP

KPI_KEYS = {"CSAT %": "csat_pct", "NPS": "nps", "CES mean": "ces_mean", "CES % easy": "ces_pct_easy",
            "FCR % yes": "fcr_pct_yes", "FCR % yes or partly": "fcr_pct_yes_or_partly"}
KPI_COLUMNS = ["group", "channel", "kpi", "key", "n", "n_missing", "estimate", "ci_low", "ci_high", "ci_reason",
               "ci_note"]
CHANNEL = "channel"
UNKNOWN_CHANNEL = "unknown"
# KPI tasks per worker (runs of consecutive groups): enough to balance the load, few enough
# that the fixed cost of a task (building its tables) stays small against the work.
KPI_TASKS_PER_WORKER = 4


def priority_result(boots, measure: str, crosshair: str, scale, level: float, structural) -> PriorityResult:
    """Quadrants and priority ranks of every group (bootstrap rank intervals unless ``measure='sem'``)."""
    parts = []
    if measure != "sem":
        parts = [priorities(b, importance=measure, crosshair=crosshair, scale=scale, level=level) for b in boots]
    else:
        paths = structural.paths.set_index(["group", "driver"])
        for b in boots:
            sizes = b.groups.set_index("group").n
            for g, point in b.point.items():
                if g not in paths.index.get_level_values(0):
                    continue                    # no SEM estimates for this group: see its problems
                std = paths.loc[g].loc[list(b.drivers), "std"]
                if std.isna().any():
                    continue
                parts.append(importance_performance(
                    std.abs(), pd.Series(point.mean[0], index=list(b.drivers)), scale=scale, crosshair=crosshair,
                    n=int(sizes[g]), group=g, level=level, importance_measure="|standardized SEM path|"))
    if not parts:
        raise ModelError("importance 'sem': no group has a usable structural model (see the SEM problems in the "
                         "warnings), so there are no SEM-based priorities; choose importance lmg, weights or beta")
    return PriorityResult(table=pd.concat([p.table for p in parts], ignore_index=True),
                          crosshairs=pd.concat([p.crosshairs for p in parts], ignore_index=True),
                          importance_measure=parts[0].importance_measure, crosshair=crosshair, level=level)


def _long(frames: dict, drop: tuple = ()) -> pd.DataFrame:
    """Concatenate per-group tables, with the group label as the last column.

    One concatenation and one column of labels (with hundreds of groups, a copy of each
    table with its label was most of the caller's time here).
    """
    tables = list(frames.values())
    out = pd.concat(tables, ignore_index=True)
    if drop:
        out = out.drop(columns=list(drop))
    out["group"] = np.repeat(np.array(list(frames), dtype=object), [len(t) for t in tables])
    return out


def assemble_importance(groups, drivers, importances, regressions, boot, boot_all, prio, structural) -> pd.DataFrame:
    """The ``importance`` table: one row per group and driver (merged on group and driver)."""
    keys = ["group", "driver"]
    base = _long({g: importances[g].table for g in groups}).rename(columns={"std_beta": "std_beta_from_r"})
    base["n"] = base.group.map({g: regressions[g].n for g in groups})
    base["r2"] = base.group.map({g: importances[g].r2 for g in groups})
    reg = _long({g: regressions[g].table for g in groups}).rename(columns={"term": "driver"})
    reg = reg[reg.driver.isin(drivers)]
    boots = [b for b in (boot, boot_all) if b is not None]
    est = pd.concat([b.estimates for b in boots], ignore_index=True)
    est = est[est.statistic.isin(["lmg_pct", "lmg", "std_beta"])]
    wide = est.pivot(index=keys, columns="statistic", values=["ci_low", "ci_high"])
    wide.columns = [f"{stat}_{side}" for side, stat in wide.columns]
    ranks = pd.concat([b.ranks for b in boots], ignore_index=True).drop(columns="rank")
    t = (base.merge(wide.reset_index(), on=keys, how="left")
         .merge(ranks, on=keys, how="left")
         .merge(reg, on=keys, how="left")
         .merge(prio.table.drop(columns=["n", "unstable_ranks"]), on=keys, how="left"))
    if structural is not None:
        sem = structural.paths[keys + ["std", "std_se", "std_p"]]
        t = t.merge(sem.rename(columns={"std": "sem_std", "std_se": "sem_se", "std_p": "sem_p"}), on=keys, how="left")
    else:
        t = t.assign(sem_std=np.nan, sem_se=np.nan, sem_p=np.nan)
    if "quadrant" not in t:
        t["quadrant"] = None
    out = pd.DataFrame({
        "group": t.group, "driver": t.driver, "n": t.n, "r2": t.r2, "lmg": t.lmg, "lmg_pct": t.lmg_pct,
        "ci_low": t.lmg_pct_ci_low, "ci_high": t.lmg_pct_ci_high,
        "lmg_ci_low": t.lmg_ci_low, "lmg_ci_high": t.lmg_ci_high,
        "rank": t.lmg_rank, "rank_ci_low": t.rank_ci_low, "rank_ci_high": t.rank_ci_high,
        "p_first": t.p_first, "p_top2": t.p_top2,
        "beta_std": t.std_coef, "beta_std_ci_low": t.std_beta_ci_low, "beta_std_ci_high": t.std_beta_ci_high,
        "beta_std_se": t.std_se, "beta_std_hc3_ci_low": t.std_ci_low, "beta_std_hc3_ci_high": t.std_ci_high,
        "beta_p": t.p_value, "beta": t.coef, "vif": t.vif, "vif_high": t.vif_high.astype(bool),
        "r": t.r, "relative_weight": t.relative_weight, "relative_weight_pct": t.relative_weight_pct,
        "pratt": t.pratt, "pratt_pct": t.pratt_pct,
        "sem_std": t.sem_std, "sem_se": t.sem_se, "sem_p": t.sem_p,
        "performance": t.performance, "performance_ci_low": t.performance_ci_low,
        "performance_ci_high": t.performance_ci_high, "importance_share": t.importance,
        "importance_share_ci_low": t.importance_ci_low, "importance_share_ci_high": t.importance_ci_high,
        "quadrant": t.quadrant, "priority_score": t.priority_score, "priority": t.priority_rank,
        "priority_ci_low": t.priority_rank_ci_low, "priority_ci_high": t.priority_rank_ci_high,
        "unstable_ranks": t.group.map(pd.concat([b.groups for b in boots]).set_index("group").unstable_ranks),
    })
    for col in ("rank", "rank_ci_low", "rank_ci_high", "priority", "priority_ci_low", "priority_ci_high"):
        out[col] = out[col].astype("Int64")
    return out


def group_table(groups, frame, used, excluded, regressions, boot, boot_all, structural, prio) -> pd.DataFrame:
    """The ``groups`` table: one row per group (the whole sample last)."""
    n_input = frame[GROUP].value_counts()
    boot_groups = pd.concat([b.groups for b in (boot, boot_all) if b is not None]).set_index("group")
    sem_fit = structural.fit.set_index("group") if structural is not None else None
    crosshairs = prio.crosshairs.set_index("group")
    rows = []
    for g in groups:
        reg = regressions[g]
        bg = boot_groups.loc[g]
        n_in = len(frame) if g == ALL else int(n_input.get(g, 0))
        row = {"group": g, "n_input": n_in, "n_used": reg.n, "n_excluded": n_in - reg.n, "r2": reg.r2,
               "r2_ci_low": bg.r2_ci_low, "r2_ci_high": bg.r2_ci_high, "adj_r2": reg.adj_r2,
               "n_failed_resamples": int(bg.n_failed), "unstable_ranks": bool(bg.unstable_ranks),
               "crosshair_importance": crosshairs.importance.get(g, np.nan),
               "crosshair_performance": crosshairs.performance.get(g, np.nan)}
        if sem_fit is not None:
            f = sem_fit.loc[g]
            robust = f.estimator == "mlr"     # robust ML: the robust indices (analysis.sem.robust)
            row.update(sem_n=int(f.n), sem_converged=bool(f.converged), sem_usable=bool(f.usable),
                       sem_cfi=f.cfi_robust if robust else f.cfi, sem_rmsea=f.rmsea_robust if robust else f.rmsea,
                       sem_srmr=f.srmr, sem_problems=int(f.n_problems))
        rows.append(row)
    return pd.DataFrame(rows)


def kpi_tables(data: pd.DataFrame, groups: np.ndarray, inst, *, grouped: bool, level: float,
               runner=None, rows: np.ndarray | None = None, progress=None) -> pd.DataFrame:
    """CSAT, NPS, CES and FCR per group and channel (channel 'all' = every channel), and for 'all'.

    The per-group KPIs (most of the work: the intervals of every group and channel) are
    computed in a few tasks on ``runner`` (a :class:`~analysis.common.scheduler.Runner`;
    in this thread when None), each sent a run of consecutive groups' KPI columns (a
    few per worker, not one per group: a task's fixed cost would exceed the work of a
    small group); the rows are put back in the order of one grouped pass over all rows,
    so the table is the same on every scheduler and for any split into tasks. ``rows``
    (a mask over ``data``'s rows), if given, selects the respondents (``groups`` is then
    theirs): only the KPI columns of those rows are copied, never the whole table.
    ``progress(done, total)`` is told in groups as the tasks finish.
    """
    columns = {}
    for measure in ("csat", "nps", "ces", "fcr"):
        question = inst.question_for(measure)
        if question is not None and question.id in data.columns and _answered(data[question.id], rows):
            columns[f"{measure}_column"] = question.id
    if not columns:
        return pd.DataFrame(columns=KPI_COLUMNS)
    if rows is not None:        # the KPI columns (and the channel) of the selected rows only
        data = data.loc[rows, [*columns.values(), *([CHANNEL] if CHANNEL in data.columns else [])]]
    work = data[list(columns.values())].copy()
    work[GROUP] = groups
    has_channel = CHANNEL in data.columns
    if has_channel:
        work[CHANNEL] = data[CHANNEL].astype("string").fillna(UNKNOWN_CHANNEL).to_numpy(dtype=object)
    parts = []
    # the whole sample, and per channel: a few groups, computed here
    for by, channel in [([], ALL)] + ([([CHANNEL], None)] if has_channel else []):
        t = kpi_table(work, by=by or None, level=level, **columns)
        t[GROUP] = ALL
        if channel is not None:
            t[CHANNEL] = channel
        parts.append(t)
    if grouped:
        splits = [[GROUP]] + ([[GROUP, CHANNEL]] if has_channel else [])
        tasks = [(part, splits, level, columns) for part in _group_runs(work, runner)]
        results = (runner.map(_group_kpis, tasks, progress=progress,
                              weights=[t[0][GROUP].nunique(dropna=False) for t in tasks])
                   if runner is not None else [_group_kpis(*t) for t in tasks])
        for k, by in enumerate(splits):
            t = _kpi_order([r[k] for r in results])
            if len(by) == 1:
                t[CHANNEL] = ALL
            parts.append(t)
    out = pd.concat(parts, ignore_index=True)
    out["key"] = out.kpi.map(KPI_KEYS)
    return out[KPI_COLUMNS]


def _answered(column: pd.Series, rows: np.ndarray | None) -> bool:
    """Whether any of the selected rows (all when ``rows`` is None) has an answer in ``column``."""
    answered = column.notna().to_numpy()
    return bool((answered & rows).any() if rows is not None else answered.any())


def _group_runs(work: pd.DataFrame, runner) -> list[pd.DataFrame]:
    """The rows of ``work`` in runs of consecutive groups (sorted, missing last), a few runs per worker.

    Within a run the rows keep their order, so each group's rows are those
    ``work.groupby(GROUP, dropna=False, sort=True)`` would give it.
    """
    codes = work.groupby(GROUP, dropna=False, observed=True, sort=True).ngroup().to_numpy()
    n_groups = int(codes.max()) + 1 if len(codes) else 0
    workers = getattr(runner, "n_workers", 1) if runner is not None else 1
    n_runs = max(1, min(n_groups, KPI_TASKS_PER_WORKER * workers))
    order = np.argsort(codes, kind="stable")
    ends = np.searchsorted(codes[order], np.linspace(0, n_groups, n_runs + 1)[1:-1].round().astype(int))
    return [work.iloc[rows] for rows in np.split(order, ends) if len(rows)]


def _group_kpis(part: pd.DataFrame, splits: list[list[str]], level: float, columns: dict) -> list[pd.DataFrame]:
    """The KPI tables of a run of groups (a task): one per grouping of ``splits``."""
    return [kpi_table(part, by=by, level=level, **columns) for by in splits]


def _kpi_order(tables: list[pd.DataFrame]) -> pd.DataFrame:
    """Runs' KPI tables in the order of one grouped pass: KPI by KPI, groups in order within each."""
    t = pd.concat(tables, ignore_index=True)
    task = np.repeat(np.arange(len(tables)), [len(x) for x in tables])
    rank = t.kpi.map({k: i for i, k in enumerate(KPI_KEYS)}).to_numpy()
    # lexsort: the last key first; stable, so rows of one run and KPI keep their order
    return t.iloc[np.lexsort((task, rank))].reset_index(drop=True)


def _sem_warnings(structural) -> list[dict]:
    """One warning per group whose SEM gives no estimates (why, in one line), and each warning of a usable fit.

    The problems behind an unusable fit (often a dozen at small n: improper solutions,
    non-convergence, singular matrices, all consequences of the same lack of data) stay
    in ``structural.problems`` (``--json``: ``groups.<group>.sem.problems``). None of
    these is an error of the run: the rest of the analysis stands.
    """
    rows = []
    problems = structural.problems
    for f in structural.fit.itertuples():
        mine = problems[problems.group == f.group]
        if f.usable:
            rows += [{"group": f.group, "kind": f"sem_{p.kind}", "severity": "warning", "message": f"SEM: {p.message}"}
                     for p in mine.itertuples()]
            continue
        skipped = mine[mine.kind.isin(["not_estimated", "not_fitted"])]
        if len(skipped):
            rows.append({"group": f.group, "kind": "sem_not_estimated", "severity": "warning",
                         "message": f"SEM {skipped.message.iloc[0]}; no SEM paths or fit indices for this group"})
            continue
        errors = mine[mine.severity == "error"]
        first = errors.message.iloc[0] if len(errors) else "it did not converge"
        rows.append({"group": f.group, "kind": "sem_not_reported", "severity": "warning",
                     "message": f"SEM paths and fit indices not reported: {len(errors)} problem(s) make the estimates "
                                f"invalid with {f.n} respondents, first: {first} (each problem in --json: "
                                "groups.<group>.sem.problems)"})
    return rows


def warning_table(groups: pd.DataFrame, importance: pd.DataFrame, structural, sample, settings, prio) -> pd.DataFrame:
    """Everything a reader must know before trusting the figures, one row per warning."""
    rows = [{"group": None, "kind": "data", "severity": "warning", "message": note} for note in sample.notes]
    if settings.n_resamples < 1000:
        rows.append({"group": None, "kind": "bootstrap", "severity": "warning",
                     "message": f"only {settings.n_resamples} resamples: {settings.level:.0%} percentile intervals need about "
                                "1000 or more (Efron & Tibshirani 1993)"})
    if not settings.exclude_flagged:
        n = int(sample.frame.flagged.to_numpy()[sample.used].sum())
        if n:
            rows.append({"group": None, "kind": "flagged_included", "severity": "warning",
                         "message": f"{n} flagged respondents (straight-liners, speeders, too many missing) are "
                                    "included in the analysis"})
    high_vif = importance[importance.vif_high.astype(bool)]
    collinear: dict = {}
    for g, d, v in zip(high_vif.group, high_vif.driver, high_vif.vif):
        collinear.setdefault(g, []).append((d, v))
    for r in groups.itertuples():
        if r.unstable_ranks:
            rows.append({"group": r.group, "kind": "unstable_ranks", "severity": "warning",
                         "message": f"{r.n_used} respondents used (fewer than {MIN_N_STABLE_RANKS}): importance "
                                    "ranks and priorities are unstable; read their intervals"})
        if r.n_failed_resamples:
            rows.append({"group": r.group, "kind": "bootstrap", "severity": "warning",
                         "message": f"{r.n_failed_resamples} degenerate bootstrap resamples left out"})
        # The VIFs of the driver rows, i.e. of the covariance the headline figures rest on
        # (pooled, or every respondent), not of the complete-case regression.
        high = collinear.get(r.group, [])
        if high:
            rows.append({"group": r.group, "kind": "high_vif", "severity": "warning",
                         "message": "collinear drivers, "
                                    + ", ".join(f"{d} VIF {v:.1f}" for d, v in high)
                                    + f" ({VIF}): their betas are imprecise; LMG splits the variance they share between them"})
    if structural is not None:
        if f"{settings.outcome} =~" not in structural.syntax:        # an observed outcome
            rows.append({"group": None, "kind": "sem_outcome", "severity": "note",
                         "message": f"SEM: the answer to '{settings.outcome}' is regressed on the latent drivers "
                                    "(an observed outcome without a measurement model)"})
        rows += _sem_warnings(structural)
    if settings.importance == "sem":
        missing = sorted(set(groups.group) - set(prio.table.group))
        for g in missing:
            rows.append({"group": g, "kind": "priorities", "severity": "warning",
                         "message": "no SEM estimates, so no quadrants or priorities (see the SEM problems)"})
    return pd.DataFrame(rows, columns=["group", "kind", "severity", "message"])
