"""The pooled bootstrap with its per-organisation replicates kept on the workers (:mod:`analysis.pooling.estimate`).

:func:`~analysis.pooling.estimate.pooled_importance` of rows kept on the workers (e.g. a
Dask cluster, :mod:`analysis.drivers.kept`) computes here. Held in one process the
bootstrap's state grows with organisations x resamples: each organisation's resampled
feature sums (B x 72 numbers), the population's pooling and posterior draws of each
replicate (a covariance matrix per organisation and replicate), and each organisation's
importance replicates and those of its rest of the sample -- measured about 0.4 MB per
organisation at B = 100, 4-5 GB at 10,000 organisations (``benchmarks/RESULTS.md``).
Here all of it stays on the workers as kept results (:meth:`~analysis.common.scheduler.Runner.keep`),
and the calling process receives only what grows with the organisations alone:

1. each piece of organisations computes its feature sums and resampled sums (kept);
   the caller receives the point sums (G x 72) and computes the point estimate;
2. the resampled sums summed over the organisations, in their order, piece after piece
   (a chain of tasks; the additions of ``np.sum(axis=1)``, bit for bit), and the whole
   sample's replicates from them;
3. the replicates in blocks of the chunks of :data:`~analysis.pooling.estimate.CURVE_MATRICES`
   organisation-replicates (the same chunks and random streams as in one process): each
   block takes its replicates' sums of every piece, re-estimates the population and draws
   the posterior covariances (kept);
4. each piece takes its organisations' part of every block and computes their replicates'
   importance, their rest of the sample's and the point figures
   (:func:`~analysis.pooling.replicates.run_replicates`, kept); the caller receives the
   point figures and the interval of each organisation's κ_g, and the replicates stay
   there as :class:`~analysis.bootstrap.kept.KeptReplicates`.

Steps 3 and 4 exchange the blocks' and pieces' parts through small slicing tasks (a
piece's rows of a block, a block's columns of a piece) so that no worker needs a copy of
everything. Every number is computed from the same numbers by the same operations as in
one process, so the result is the same, bit for bit (``tests/test_scheduler.py``).
"""
from __future__ import annotations

import numpy as np

from analysis.bootstrap.kept import KeptReplicates
from analysis.common.scheduler import _batches
from analysis.pooling.moments import PatternStats, own_covariance, stats_from_sums
from analysis.pooling.replicates import means, replicates, run_replicates, stage


def kept_bootstrap(rows, runner, rngs, *, seed, entropy, n_resamples: int, chunk: int, used: str, per_group: bool,
                   pool_phone: bool, versus: bool, p: int, level: float, progress=None, stage_progress=None) -> dict:
    """The bootstrap of :func:`~analysis.pooling.estimate.pooled_importance` on the pieces of ``rows``.

    ``rows`` has :class:`~analysis.pooling.rows.FrameRows`' attributes and ``keep_sums``
    (runs of consecutive organisations, in the order of ``rows.labels``, and the handle of
    each run's sums). Returns what the estimate needs: ``point`` (the point estimate of
    :func:`~analysis.pooling.estimate._estimate`), ``point_sums``, per organisation
    ``point_r``, ``own_r``, ``rest_point`` (:class:`~analysis.bootstrap.engine.Replicates`
    of B = 1), ``rep_r`` and ``rest_reps`` (:class:`KeptReplicates`, or {} without the rest),
    ``whole_reps`` and ``kappa_ci`` (per organisation, the interval of κ_g).
    """
    from analysis.pooling.estimate import CURVE_MATRICES, _estimate, posterior_stream

    labels, n_all, blocks, centre = list(rows.labels), rows.n_all, rows.blocks, rows.centre
    n_total = n_all.sum()
    pieces = rows.keep_sums(runner, rngs, centre, n_resamples, chunk)
    handles = [h for _, h in pieces]
    bounds = np.r_[0, np.cumsum([len(groups) for groups, _ in pieces])]
    temporary = list(handles)
    try:
        point_sums = np.concatenate(runner.map(_point_sums, [(h,) for h in handles], progress=_in_resamples(
            progress, n_resamples), weights=[int(n_all[a:b].sum()) for a, b in zip(bounds[:-1], bounds[1:])]))[None]
        point = _estimate(point_sums, n_all, blocks, used, per_group, centre, pool_phone=pool_phone)
        # the organisations' statistics, sent once to the workers (not with every block's and run's task)
        shared = runner.keep(_same, [(stats_from_sums(point_sums[0], n_all, blocks), point_sums)])[0]
        temporary.append(shared)
        total = None                        # the resampled sums over every organisation, in their order
        for h in handles:
            total = runner.keep(_accumulate, [(total, h)])[0]
            temporary.append(total)
        whole_reps = runner.map(_whole_replicates, [(total, n_total, blocks, centre, p)])[0]
        if used == "partial":
            step = max(1, CURVE_MATRICES // len(labels))            # the chunks of one process
            starts = list(range(0, n_resamples, step))
            streams = posterior_stream(seed, entropy).spawn(len(starts))
            spans = [[(starts[k], min(starts[k] + step, n_resamples), streams[k]) for k in batch]
                     for batch in _batches(len(starts), runner.n_workers)]
        else:
            spans = [[(0, n_resamples, None)]]                      # own covariances of one stack, as in one process
        block_handles = []
        for span in spans:
            first, last = span[0][0], span[-1][1]
            parts = runner.keep(_resamples_of, [(h, first, last) for h in handles])
            block_handles += runner.keep(_block, [(parts, first, span, n_all, blocks, centre, used, per_group,
                                                   shared, pool_phone)])
            runner.release(parts)           # kept until the block's task has taken them
        temporary += block_handles
        # the blocks' progress in replicates pooled (the runs need every block anyway)
        runner.map(_nothing, [(b,) for b in block_handles], progress=stage(stage_progress, "pooling"),
                   weights=[span[-1][1] - span[0][0] for span in spans])
        run_handles = []
        for k, (groups, h) in enumerate(pieces):
            run = slice(int(bounds[k]), int(bounds[k + 1]))
            parts = runner.keep(_organisations_of, [(b, run.start, run.stop) for b in block_handles])
            run_handles += runner.keep(_run, [(
                h, parts, total if versus else None, n_total - n_all[run], blocks, centre, p,
                (point["cov"][:, run], point["own"][:, run], point["mean"][:, run]),
                (shared, n_all, run) if versus else None, groups, level, used == "partial")])
            runner.release(parts)           # kept until the run's task has taken them
        temporary += run_handles
        small = runner.map(_item, [(h, 1) for h in run_handles], progress=stage(stage_progress, "replicates"),
                           weights=[len(groups) for groups, _ in pieces])
        kept = runner.keep(_item, [(h, 0) for h in run_handles])
    finally:
        runner.release(temporary)
    runs = [(groups, h) for (groups, _), h in zip(pieces, kept)]
    out = {"point": point, "point_sums": point_sums, "whole_reps": whole_reps,
           "rep_r": KeptReplicates(runner, runs, 0), "rest_reps": KeptReplicates(runner, runs, 1) if versus else {}}
    for key, k in (("point_r", 0), ("own_r", 1), ("rest_point", 2)):
        out[key] = {g: d[k] for s in small for g, d in zip(s["groups"], s["point"])} if k < 2 or versus else {}
    out["kappa_ci"] = (tuple(np.concatenate([s["kappa_ci"][k] for s in small]) for k in range(2))
                       if used == "partial" else (np.zeros(len(labels)), np.zeros(len(labels))))
    return out


def _in_resamples(progress, n_resamples: int):
    return None if progress is None else (
        lambda done, total: progress(n_resamples * done // max(total, 1), n_resamples))


# --- tasks, run where the sums and replicates are kept ------------------------------------------

def _item(value, k: int):
    return value[k]


def _same(*values):
    return values


def _nothing(_) -> None:
    return None


def _point_sums(sums: tuple) -> np.ndarray:
    """A piece's organisations' feature sums, (g, f) (a task)."""
    return sums[0]


def _accumulate(total: np.ndarray | None, sums: tuple) -> np.ndarray:
    """``total`` plus a piece's organisations' resampled sums one after the other, (B, f) (a task).

    The additions of ``np.sum(rep_sums, axis=1)`` over a (B, G, f) array: the first
    organisation's sums, then each next one added in turn.
    """
    reps = sums[1]
    start = 0
    if total is None:
        total, start = reps[:, 0].copy(), 1
    else:
        total = total.copy()                # a kept result is never changed in place
    for j in range(start, reps.shape[1]):
        total += reps[:, j]
    return total


def _whole_replicates(total: np.ndarray, n_total, blocks, centre: np.ndarray, p: int):
    """The whole sample's replicates from the summed resampled sums (a task; ``estimate._whole``)."""
    stats = stats_from_sums(total, n_total, blocks)
    return replicates(own_covariance(stats, len(blocks.common)), means(stats, blocks, centre), blocks, p)


def _resamples_of(sums: tuple, first: int, last: int) -> np.ndarray:
    """A piece's resampled sums of replicates ``first`` to ``last`` (a task)."""
    return sums[1][first:last].copy()


def _block(parts: list, first: int, span: list, n_all, blocks, centre, used: str, per_group: bool,
           shared: tuple, pool_phone: bool) -> dict:
    """A block of replicates, every organisation: pooled (or own) covariances and means (a task).

    ``span`` lists the block's chunks ``(start, stop, stream)``: each is pooled and drawn
    as :func:`~analysis.pooling.estimate._chunk_estimate` does it in one process, given the
    organisations' observed statistics (``shared[0]``).
    """
    from analysis.pooling.estimate import _chunk_estimate

    observed = shared[0]

    sums = np.concatenate(parts, axis=1)                              # (b, G, f)
    stats = stats_from_sums(sums, np.broadcast_to(n_all, sums.shape[:-1]), blocks)
    del sums
    qa = len(blocks.common)
    out = {"mean": means(stats, blocks, centre), "kappa_group": None}
    if used != "partial":
        out["cov"] = own_covariance(stats, qa)
        return out
    chunks = [_chunk_estimate(PatternStats(*(getattr(stats, f)[start - first:stop - first]
                                             for f in PatternStats.__dataclass_fields__)),
                              qa, per_group, observed, stream, pool_phone) for start, stop, stream in span]
    out["cov"] = np.concatenate([c["cov"] for c in chunks])
    out["kappa_group"] = np.concatenate([c["kappa_group"] for c in chunks])
    return out


def _organisations_of(block: dict, start: int, stop: int) -> dict:
    """A block's part for organisations ``start`` to ``stop`` (a task)."""
    return {k: None if v is None else v[:, start:stop].copy() for k, v in block.items()}


def _run(sums: tuple, parts: list, total, n_rest, blocks, centre, p: int, point: tuple, rest, groups: list,
         level: float, pooled: bool):
    """A piece's organisations' replicates (kept) and point figures (a task).

    ``rest`` is None, or the kept ``(statistics, point sums)`` of every organisation, their
    sizes and the run's slice (:func:`~analysis.pooling.replicates.run_replicates`). Returns
    ``({group: (replicates, rest_replicates)}, small)``: ``small`` holds the groups, their
    point, own-data and rest point figures and the interval of κ_g.
    """
    cov = np.concatenate([part["cov"] for part in parts])
    mean = np.concatenate([part["mean"] for part in parts])
    if rest is not None:                    # every organisation's point sums: the rest of the sample's
        rest = (rest[0][1], *rest[1:])
    done = run_replicates(cov, mean, sums[1], total, n_rest, blocks, centre, p, point, rest)
    small = {"groups": groups, "point": [d[2:] for d in done], "kappa_ci": None}
    if pooled:
        kappa = np.concatenate([part["kappa_group"] for part in parts])
        small["kappa_ci"] = tuple(np.nanquantile(kappa, [(1 - level) / 2, (1 + level) / 2], axis=0))
    return {g: d[:2] for g, d in zip(groups, done)}, small
