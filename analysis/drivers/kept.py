"""The driver analysis of partitions kept on the workers: the calling process never holds the rows.

:func:`analysis.drivers.analyse_drivers` given the :class:`~instrument.reader.partitions.PartitionedResponses`
of :func:`~instrument.reader.partitions.open_partitioned` (each Parquet part read, checked
and kept where it was read, e.g. on a Dask worker) runs here. The kept rows are regrouped
on the workers so that each organisation's rows are whole in one piece
(``PartitionedResponses.by_group``, rows in reading order; the rows without an
organisation are one more piece), and every step that needs rows runs as a task on the
piece that holds them:

* the analysis sample (:mod:`analysis.drivers.sample`): each row's scores and reasons on its
  piece; the decision on groups too small for a regression from every group's counts
  (:func:`~analysis.drivers.sample.small_groups`, here); the excluded respondents are the
  pieces' lists, put in the order of their rows;
* each organisation's point estimates (OLS with HC3, LMG, dominance), its feature sums and
  resampled sums for the pooled bootstrap (:mod:`analysis.pooling.rows`; its own random
  stream, spawned from the seed as in one process), its KPIs by channel and its structural
  model (:mod:`analysis.drivers.sem`);
* the respondents per group and channel (counts, summed here).

Every per-group figure comes from that group's rows, in the same order as one process
has them, so it is the same, bit for bit. The whole sample's pooled covariance and its
bootstrap are the sums of the groups' sums (in the order of the groups, as in one
process). What needs all rows in one place, for results bit-identical with the
in-process analysis, is computed in **one task on one worker** (never here) from a few
columns of every row, put back in reading order (``source_row``): the centre of the
drivers and the outcome (the features' origin, a mean over every respondent) and the
check of their two-block pattern, the whole sample's complete-case OLS with HC3 standard
errors (HC3 needs every row's leverage), the whole sample's KPIs with their intervals
(overall and per channel) and, with the SEM, the whole sample's fit (FIML's pattern
statistics are sums over the groups but about the mean of every row; robust ML needs
every row's scores). ``benchmarks/RESULTS.md`` gives that task's memory. The caller
receives per row only the excluded respondents with their reasons (as the reader
gives them) and per group its results.

Without pooling (``pooling='none'``, or fewer than three groups) the LMG shares'
small-sample intervals (:mod:`analysis.drivers.own_intervals`) are computed on the pieces,
each group on its own stream of the seed. Not done from kept partitions (a one-line error
says so and what to do: analyse the rows in one process): ``by=None``, and groups asked
different drivers (:mod:`analysis.drivers.per_group` analyses subsets of the rows).
``DriverAnalysis.used`` (the rows used) is empty: the rows stay on the workers. So do the
pooled bootstrap's sums and replicates (:mod:`analysis.pooling.kept`):
``DriverAnalysis.bootstrap.replicates`` is a :class:`~analysis.bootstrap.kept.KeptReplicates`
(a group's replicates fetched when asked for, while the cluster is connected), and the
priorities, differences and the betas' standard errors are computed where they are kept.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.common.errors import OptionError, ServiceDriversError
from analysis.common.groups import ALL
from analysis.common.scheduler import TASKS_PER_WORKER
from analysis.common.threads import limit_blas_threads
from analysis.drivers.kept_rows import KeptRows, adjusted_intervals
from analysis.drivers.per_group import analyse_without_absent, applicable_drivers, driver_sets
from analysis.drivers.pooled import PooledAnalysis, _channel_keys, used_by_design
from analysis.drivers.sample import (CHANNEL_COLUMN, GROUP, check_groups, finish_sample, group_facts, score_rows,
                                     small_groups)
from analysis.drivers.sem import (_fit_group, _model_array, _model_columns, free_parameters, model_data,
                                  structural_paths, structural_syntax)
from analysis.drivers.tables import CHANNEL, KPI_COLUMNS, KPI_KEYS, UNKNOWN_CHANNEL, _group_kpis, _kpi_order
from analysis.drivers.kpis import kpi_table
from analysis.pooling import pooled_importance
from analysis.pooling.moments import find_blocks
from analysis.pooling.rows import column_means
from analysis.scoring.sample import check_group_column
from analysis.sem import parse_syntax
from analysis.sem.spec import variable_roles
from instrument.reader.integrity import absent_item_columns

KPI_MEASURES = ("csat", "nps", "ces", "fcr")


@dataclass(frozen=True, eq=False)
class _Piece:
    """One piece's rows and sample, kept on its worker."""

    data: pd.DataFrame
    sample: object
    pooled: np.ndarray          # rows the (pooled) estimate uses: sample.used and the not-asked-by-design
    by_design: np.ndarray       # of sample.excluded: added back (analysis.drivers.pooled.used_by_design)
    labels: list                # the piece's groups that are analysed, in sorted order


@dataclass(frozen=True, eq=False)
class KeptSample:
    """What the tables need of the analysis sample (:class:`~analysis.drivers.sample.AnalysisSample`'s names)."""

    notes: tuple
    n_flagged_used: int


def analyse_kept(kept, inst, start: float, *, by, outcome, drivers, default_drivers, bootstrap, seed, level,
                 importance, crosshair, exclude_flagged, sem, pairwise, pooling, progress, estimator, scheduler):
    """:func:`~analysis.drivers.analyse_drivers` of kept partitions (see the module); the same result."""
    from analysis.drivers.analyse import _Clock, _finish, _from_covariance, _staged, analyse_drivers

    runner = kept.runner
    if scheduler not in ("threads", runner.scheduler):
        raise OptionError("scheduler", f"must be the scheduler the partitions are kept on ({runner.scheduler}), "
                                       f"got {scheduler!r}")
    _unsupported(by)
    check_group_column(pd.DataFrame(columns=kept.columns()), by)
    absent = {k: ids for k, ids in absent_item_columns(kept).items() if k in drivers}
    if default_drivers and absent and len(absent) < len(drivers):
        return analyse_without_absent(analyse_drivers, kept, inst, absent, by=by, outcome=outcome, drivers=drivers,
                                      bootstrap=bootstrap, seed=seed, level=level, importance=importance,
                                      crosshair=crosshair, exclude_flagged=exclude_flagged, sem=sem,
                                      pairwise=pairwise, pooling=pooling, progress=progress, estimator=estimator,
                                      scheduler=scheduler)
    # a few pieces per worker: enough to spread the work, few enough that the regrouping
    # (a task per part and piece) stays small: 200 parts into 200 pieces were 40,000 tasks
    pieces = kept.by_group(by, n_buckets=TASKS_PER_WORKER * runner.n_workers)
    handles = [h for _, h in pieces] + [kept.without_group(by)]
    try:
        with limit_blas_threads(1):
            return _analyse(runner, pieces, handles, inst, start, _Clock, _finish, _from_covariance, _staged,
                            by=by, outcome=outcome, drivers=drivers, default_drivers=default_drivers,
                            bootstrap=bootstrap, seed=seed, level=level, importance=importance, crosshair=crosshair,
                            exclude_flagged=exclude_flagged, sem=sem, pairwise=pairwise, pooling=pooling,
                            progress=progress, estimator=estimator)
    finally:
        runner.release(handles)


def _unsupported(by) -> None:
    if by is None:
        raise OptionError("by", "an analysis without groups is not computed from partitions kept on the workers "
                                "yet: analyse the rows in one process (read_partitioned, or scheduler threads)")


def _analyse(runner, pieces, handles, inst, start, clock_type, finish, from_covariance, staged, *, by, outcome,
             drivers, default_drivers, bootstrap, seed, level, importance, crosshair, exclude_flagged, sem, pairwise,
             pooling, progress, estimator):
    if default_drivers:
        sets = {}
        for part in runner.map(_on, [(h, applicable_drivers, inst, by, drivers) for h in handles]):
            sets.update(part)
        common, others = driver_sets(dict(sorted(sets.items())), drivers)
        if others and common:
            raise ServiceDriversError("the groups are asked different drivers (organisations without phone "
                                      "respondents, or grouping by channel): not analysed from partitions kept on "
                                      "the workers yet; analyse the rows in one process (read_partitioned, or "
                                      "scheduler threads), or choose the drivers")
    scored = runner.keep(_score, [(h, inst, by, outcome, drivers, exclude_flagged) for h in handles])
    try:
        facts = {}
        for part in runner.map(group_facts_of, [(s, drivers, outcome) for s in scored]):
            facts.update(part)
        facts = dict(sorted(facts.items(), key=lambda item: item[1][3]))      # as one pass meets them
        left_out, phone_only, notes = small_groups(facts, drivers, by)
        every = sorted(facts)
        labels = [g for g in every if g not in left_out]
        kept = runner.keep(_finish_piece, [(s, left_out, phone_only, notes, drivers, by, labels) for s in scored])
    finally:
        runner.release(scored)
    handles[:] = [*handles, *kept]      # released by the caller
    piece_groups = [[g for g in groups if g in set(labels)] for groups, _ in pieces] + [[]]
    kpi_ids = {m: q.id for m in KPI_MEASURES if (q := inst.question_for(m)) is not None}
    summaries = runner.map(_summary, [(h, inst, drivers, outcome, kpi_ids) for h in kept])
    sample = KeptSample(notes=summaries[0]["notes"], n_flagged_used=sum(s["n_flagged_used"] for s in summaries))
    counts, not_asked, n_input, n_pooled, n_complete = {}, {}, {ALL: 0}, {}, {}
    for s in summaries:
        counts.update(s["used"])
        not_asked.update(s["not_asked"])
        n_input.update(s["n_input"])
        n_input[ALL] += s["n_rows"]
        n_pooled.update(s["pooled"])
        n_complete.update(s["complete"])
    check_groups(every, counts, left_out, phone_only, not_asked, drivers, by, pooling)
    clock = clock_type(start)
    clock.lap("sample")

    everything = [*labels, ALL]
    columns = {f"{m}_column": kpi_ids[m] for m in KPI_MEASURES if any(s["kpi"].get(m) for s in summaries)}
    model = _model(inst, drivers, outcome, estimator, labels) if sem else None
    values = runner.keep(_narrow_values, [(h, drivers, outcome) for h in kept])
    rest = runner.keep(_narrow_rows, [(h, inst, list(columns.values()), model) for h in kept])
    handles += [*values, *rest]         # released by the caller
    centre, blocks = runner.map(_centre, [(values, [*drivers, outcome])])[0]
    # the whole sample's OLS, KPIs and SEM: one task beside the groups' tasks, its result taken at the end
    whole = runner.keep(_whole, [(values, rest, drivers, outcome, level, by, columns, model)])
    handles += whole
    regressions, importances, dominances = {}, {}, {}
    tasks = [(h, groups, outcome, drivers, level, by) for h, groups in zip(kept, piece_groups) if groups]
    for part in runner.map(_piece_points, tasks):
        regressions.update(part)
    clock.lap("point")

    entropy = int(np.random.SeedSequence(seed).entropy)
    rows = KeptRows(runner, [(groups, h) for groups, h in zip(piece_groups, kept) if groups], labels,
                    np.array([n_pooled[g] for g in labels]), np.array([n_complete[g] for g in labels]), blocks, centre)
    result = pooled_importance(None, outcome, drivers, group=GROUP, pooling=pooling, n_resamples=bootstrap,
                               level=level, seed=entropy, versus_rest=len(labels) > 1,
                               progress=staged(progress, "bootstrap"), runner=runner, rows=rows,
                               stage_progress=progress)
    if result.pooling == "none":
        # own data only: the shares' intervals allow for their small-sample bias, each group
        # from its rows on its piece (analysis.drivers.pooled.pooled_analysis does it in one pass)
        result = dataclasses.replace(result, boot=adjusted_intervals(runner, kept, piece_groups, labels,
                                                                      result.boot, entropy, drivers, outcome))
    n = {**{g: n_pooled[g] for g in labels}, ALL: int(sum(n_pooled[g] for g in labels))}
    respondents = (pd.concat([s["respondents"] for s in summaries], ignore_index=True)
                   .groupby(["group", "channel"], sort=True, as_index=False)[["n", "n_phone_only"]].sum())
    lists = [s["excluded"] for s in summaries]
    excluded = pd.concat([x for x in lists if len(x)] or lists[:1], ignore_index=True)
    excluded = excluded.iloc[np.argsort(excluded.source_row.to_numpy(), kind="stable")].reset_index(drop=True)
    pooled = PooledAnalysis(result=result, used=np.zeros(0, dtype=bool), excluded=excluded, n=n,
                            respondents=respondents)
    boot, boot_all = result.boot, result.boot.whole
    regressions[ALL], whole_kpis, whole_fit = runner.gather(whole)[0]
    for g in everything:
        cov = result.whole_cov if g == ALL else result.cov[g]
        importances[g], dominances[g] = from_covariance(cov, g, outcome, drivers, n[g], by)
    clock.lap("bootstrap")

    structural = None
    if sem:
        fits = {}
        tasks = [(h, groups, inst, model) for h, groups in zip(kept, piece_groups) if groups]
        for part in runner.map(_piece_sem, tasks, progress=staged(progress, "sem"),
                               weights=[len(t[1]) for t in tasks]):
            fits.update(part)
        structural = structural_paths(model["syntax"], model["n_free"], everything,
                                      [*(fits[g] for g in labels), whole_fit])
        clock.lap("sem")

    def kpis():
        return _kpis(runner, kept, piece_groups, labels, every, columns, level, whole_kpis)

    used = pd.DataFrame({c: pd.Series(dtype=object if c in ("respondent_id", GROUP) else float)
                         for c in ["respondent_id", GROUP, *drivers, outcome]})
    return finish(inst, labels, clock, regressions, importances, dominances, pooled, boot, boot_all,
                  lambda: structural, kpis,
                  sample, n_input, used, by=by, outcome=outcome, drivers=drivers, bootstrap=bootstrap, seed=entropy,
                  level=level, importance=importance, crosshair=crosshair, exclude_flagged=exclude_flagged, sem=sem,
                  pairwise=pairwise, pooling=pooling, estimator=estimator, runner=runner, progress=progress)


def _kpis(runner, kept, piece_groups, labels, every, columns, level, whole_kpis) -> pd.DataFrame:
    """The KPI table as :func:`analysis.drivers.tables.kpi_tables` makes it: whole sample, then per group."""
    if not columns:
        return pd.DataFrame(columns=KPI_COLUMNS)
    has_channel = len(whole_kpis) > 1           # the whole sample per channel too
    splits = [[GROUP]] + ([[GROUP, CHANNEL]] if has_channel else [])
    results = runner.map(_piece_kpis, [(h, splits, level, columns) for h in kept])
    results = [r for r in results if r is not None]
    parts = list(whole_kpis)
    position = {g: k for k, g in enumerate(every)}
    for k, split in enumerate(splits):
        t = _kpi_order([r[k] for r in results])
        # KPI by KPI, the groups in sorted order within each (the pieces' order, made sure of)
        rank = t.kpi.map({key: i for i, key in enumerate(KPI_KEYS)}).to_numpy()
        t = t.iloc[np.lexsort((t[GROUP].map(position).to_numpy(), rank))].reset_index(drop=True)
        if len(split) == 1:
            t[CHANNEL] = ALL
        parts.append(t)
    out = pd.concat(parts, ignore_index=True)
    out["key"] = out.kpi.map(KPI_KEYS)
    return out[KPI_COLUMNS]


# --- tasks, run where the pieces are ---------------------------------------------------------------

def _on(data, func, *args):
    return func(data, *args)


def _score(data, inst, by, outcome, drivers, exclude_flagged):
    return data, score_rows(data, inst, by=by, outcome=outcome, drivers=drivers, exclude_flagged=exclude_flagged)


def group_facts_of(scored, drivers, outcome) -> dict:
    """:func:`~analysis.drivers.sample.group_facts` of a scored piece (a task)."""
    return group_facts(scored[1], drivers, outcome)


def _finish_piece(scored, left_out, phone_only, notes, drivers, by, labels) -> _Piece:
    data, rows = scored
    sample = finish_sample(rows, left_out, phone_only, notes, drivers, by)
    # the pooled estimate also uses respondents without the phone-only drivers because they
    # are not asked in their channel (analysis.drivers.pooled.pooled_analysis)
    pooled, by_design = used_by_design(sample, labels, drivers)
    mine = sorted(set(sample.frame[GROUP].dropna()) & set(labels))
    return _Piece(data=data, sample=sample, pooled=pooled, by_design=by_design, labels=mine)


def _summary(piece: _Piece, inst, drivers, outcome, kpi_ids) -> dict:
    """Counts, exclusions and respondents of a piece (a task): what the caller sums."""
    sample, frame, data = piece.sample, piece.sample.frame, piece.data
    group = frame[GROUP]
    excluded = sample.excluded
    by_design = piece.by_design
    rows = frame.loc[piece.pooled, [GROUP, *drivers, outcome]]
    complete = rows[drivers].notna().all(axis=1).to_numpy()
    channel = (_channel_keys(data.loc[frame.index[piece.pooled], CHANNEL_COLUMN], inst)
               if CHANNEL_COLUMN in data.columns else np.full(len(rows), "unknown"))
    respondents = (pd.DataFrame({"group": rows[GROUP].to_numpy(), "channel": channel, "n": 1,
                                 "n_phone_only": complete.astype(int)})
                   .groupby(["group", "channel"], sort=True, as_index=False)[["n", "n_phone_only"]].sum())
    reachable = sample.reachable
    return {"notes": sample.notes, "n_flagged_used": sample.n_flagged_used, "n_rows": len(frame),
            "used": group[sample.used].value_counts().to_dict(),
            "not_asked": excluded[GROUP][excluded.code.eq("not_asked").to_numpy()].value_counts().to_dict(),
            "n_input": group.value_counts().to_dict(), "pooled": rows[GROUP].value_counts().to_dict(),
            "complete": rows[GROUP][complete].value_counts().to_dict(), "respondents": respondents,
            "excluded": excluded[~by_design],
            "kpi": {m: bool(c in data.columns and data[c].notna().to_numpy()[reachable].any())
                    for m, c in kpi_ids.items()}}


def _model(inst, drivers, outcome, estimator, labels) -> dict:
    """What the structural model's tasks need: its syntax, free parameters, observed variables and groups."""
    syntax = structural_syntax(inst, drivers, outcome)
    return {"syntax": syntax, "n_free": free_parameters(syntax), "estimator": estimator, "labels": tuple(labels),
            "names": tuple(variable_roles(parse_syntax(syntax)).observed), "drivers": tuple(drivers),
            "outcome": outcome}


def _observed(piece: _Piece, inst, model, rows: np.ndarray):
    """The model's observed variables of ``rows`` of a piece, as :func:`~analysis.drivers.sem.fit_structural` takes them."""
    drivers, outcome = model["drivers"], model["outcome"]
    if model["estimator"] == "ml":
        return _model_array(piece.data, inst, drivers, outcome, model["names"], rows)
    return model_data(piece.data.loc[rows, _model_columns(inst, drivers, outcome)], inst, drivers, outcome)


def _piece_sem(piece: _Piece, groups, inst, model) -> dict:
    """Each of the piece's groups' structural model, fitted as one process fits it (a task)."""
    reach = piece.sample.reachable
    observed = _observed(piece, inst, model, reach)
    group = piece.sample.frame[GROUP].to_numpy()[reach]
    return {g: _fit_group(model["syntax"], observed[group == g], model["n_free"], g, model["outcome"],
                          model["drivers"], model["estimator"]) for g in groups}


def _narrow_values(piece: _Piece, drivers, outcome) -> dict:
    """The drivers and the outcome of the rows the estimate uses (a task), numbered by ``source_row``."""
    sample, frame = piece.sample, piece.sample.frame
    return {"row": _source_rows(piece)[piece.pooled], "used": sample.used[piece.pooled],
            "values": frame.loc[piece.pooled, [*drivers, outcome]].to_numpy(dtype=float)}


def _narrow_rows(piece: _Piece, inst, kpi_columns, model) -> dict:
    """The KPI columns (and the model's variables) of the reachable rows (a task), numbered by ``source_row``."""
    sample, frame, data = piece.sample, piece.sample.frame, piece.data
    reach = sample.reachable
    kpi = data.loc[reach, kpi_columns].reset_index(drop=True)      # the whole sample's KPIs: no group needed
    if CHANNEL in data.columns:
        # one object per distinct channel, not per row: the same values, a pointer a row
        codes, names = pd.factorize(data[CHANNEL].astype("string").fillna(UNKNOWN_CHANNEL).to_numpy(dtype=object)[reach])
        kpi[CHANNEL] = np.asarray(names, dtype=object)[codes]
    out = {"row": _source_rows(piece)[reach], "kpi": kpi}
    if model is not None:
        out["sem"] = _observed(piece, inst, model, reach)
        out["sem_index"] = pd.Index(list(model["labels"])).get_indexer(frame[GROUP].to_numpy()[reach])
    return out


def _source_rows(piece: _Piece) -> np.ndarray:
    return piece.data["source_row"].to_numpy()      # the reader's numbering through the parts, in reading order


def _in_order(narrows: list, key: str, order: np.ndarray) -> np.ndarray:
    return np.concatenate([n[key] for n in narrows])[order]


def _centre(narrows: list, names: list):
    """The two-block pattern and the centre of every used row's drivers and outcome (a task, on one worker).

    In reading order and column-major, as :class:`analysis.pooling.rows.FrameRows` takes them.
    """
    values = _in_order(narrows, "values", np.argsort(np.concatenate([n["row"] for n in narrows]), kind="stable"))
    blocks, _ = find_blocks(values, names)
    return column_means(values), blocks


def _whole(values: list, rows: list, drivers, outcome, level, by, columns, model):
    """What else needs every row in one place (a task, on one worker): see the module docstring."""
    from analysis.drivers.analyse import _point_analyses

    order = np.argsort(np.concatenate([n["row"] for n in values]), kind="stable")
    used = _in_order(values, "used", order)
    # a DataFrame of one column-major block, as the rows of one process are
    frame = pd.DataFrame(np.asfortranarray(_in_order(values, "values", order)[used]), columns=[*drivers, outcome])
    point = _point_analyses(frame, ALL, outcome, drivers, level, by)
    del frame
    kpis, fit = [], None
    order = np.argsort(np.concatenate([n["row"] for n in rows]), kind="stable")
    if model is not None:
        # normal-theory FIML from the sums of the groups' pattern statistics, about every
        # reachable row's means (analysis.drivers.sem); the robust 'mlr' from the rows
        if model["estimator"] == "ml":
            observed = (_in_order(rows, "sem", order), _in_order(rows, "sem_index", order), model["labels"])
        else:
            observed = pd.concat([n["sem"] for n in rows]).iloc[order]
        fit = _fit_group(model["syntax"], observed, model["n_free"], ALL, model["outcome"], model["drivers"],
                         model["estimator"])
        del observed
    if columns:
        work = pd.concat([n["kpi"] for n in rows], ignore_index=True).iloc[order].reset_index(drop=True)
        for split, channel in [([], ALL)] + ([([CHANNEL], None)] if CHANNEL in work.columns else []):
            t = kpi_table(work, by=split or None, level=level, **columns)
            t[GROUP] = ALL
            if channel is not None:
                t[CHANNEL] = channel
            kpis.append(t)
    return point, kpis, fit


def _piece_points(piece: _Piece, groups, outcome, drivers, level, by) -> dict:
    """Each of the piece's groups' point estimates (a task), as one process computes them."""
    from analysis.drivers.analyse import _point_analyses

    used = piece.sample.frame.loc[piece.sample.used, [GROUP, *drivers, outcome]].reset_index(drop=True)
    parts = dict(tuple(used.groupby(GROUP, sort=False)))
    return {g: _point_analyses(parts[g], g, outcome, drivers, level, by) for g in groups}


def _piece_kpis(piece: _Piece, splits, level, columns):
    """The KPIs of the piece's groups by group and channel (a task); None without a group."""
    sample, data = piece.sample, piece.data
    reach = sample.reachable
    if not reach.any():
        return None
    work = data.loc[reach, list(columns.values())].copy()
    work[GROUP] = sample.frame[GROUP].to_numpy()[reach]
    if CHANNEL in data.columns:
        work[CHANNEL] = data[CHANNEL].astype("string").fillna(UNKNOWN_CHANNEL).to_numpy(dtype=object)[reach]
    return _group_kpis(work, splits, level, columns)
