"""Pooled driver importance per organisation, with a bootstrap that re-estimates the pooling.

:func:`pooled_importance` takes every usable respondent of every organisation (phone-only
drivers NaN where they are not asked), estimates each organisation's covariance of the
drivers and the outcome with both patterns (:mod:`analysis.pooling.moments`), shrinks it
toward the pooled one (:mod:`analysis.pooling.shrinkage`) and computes every importance
measure from the result.

Intervals (empirical Bayes, Laird & Louis 1987). The bootstrap resamples respondents
within each organisation and re-estimates the *population* in every replicate (the
pooled covariance Σ₀ and every prior strength κ_g); the replicate's covariance of an
organisation is then one draw from its conjugate posterior given its observed data and
that replicate's population (:mod:`analysis.pooling.posterior`). Percentile intervals of
these replicates include both the organisation's own uncertainty *after* borrowing
(Morris 1983) and the uncertainty of how much it borrows. Resampling the shrunken
estimate itself would not: its spread is about ``w_g`` times the sampling spread and it
is centred on the shrunken estimate, which is why such intervals covered 91-92% in
``benchmarks/RESULTS.md``. Without pooling the replicates are the ordinary bootstrap of
the own-data estimate (Efron & Tibshirani 1993).

The organisations themselves are resampled too. Resampling respondents shows how the
population estimate would vary with other respondents of *these* organisations, not
with other organisations: with four organisations ``Σ₀`` (their mean) and κ (their
spread) rest on four draws from the population, an uncertainty that respondent
resampling leaves out. So each replicate also weights the organisations in the
population's estimate by a Bayesian bootstrap (Rubin 1981; exponential weights, mean 1;
the weighted likelihood bootstrap of Newton & Raftery 1994 for κ), the smooth form of
resampling the top level of hierarchical data (Davison & Hinkley 1997, sec. 3.8). With
200 organisations this changes little; with four it matters. Measured
(``benchmarks/RESULTS.md``; four organisations of 375 with different profiles, 40
studies): coverage 92.0% -> 94.8%, customer focus 86% -> 91%, empathy 84% -> 86%.
Drawing κ from its marginal-likelihood curve instead (Kass & Steffey 1989) moved
coverage by less than a point: κ already varies over the replicates; ``Σ₀`` did not.

The result carries two :class:`~analysis.bootstrap.importance.BootstrapResult` objects
in the format the rest of the analysis reads (tables, ranks, group differences): the
pooled figures and the organisations' own-data figures (every respondent, no pooling),
so that a report can show both.

References
----------
Laird, N. M., & Louis, T. A. (1987). Empirical Bayes confidence intervals based on
    bootstrap samples. *Journal of the American Statistical Association*, 82(399), 739-750.
Morris, C. N. (1983). Parametric empirical Bayes inference: theory and applications.
    *Journal of the American Statistical Association*, 78(381), 47-55.
Efron, B., & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*. Chapman & Hall.
Rubin, D. B. (1981). The Bayesian bootstrap. *The Annals of Statistics*, 9(1), 130-134.
Newton, M. A., & Raftery, A. E. (1994). Approximate Bayesian inference with the weighted
    likelihood bootstrap. *Journal of the Royal Statistical Society B*, 56(1), 3-48.
Davison, A. C., & Hinkley, D. V. (1997). *Bootstrap Methods and their Application*.
    Cambridge University Press.
Kass, R. E., & Steffey, D. (1989). Approximate Bayesian inference in conditionally
    independent hierarchical models (parametric empirical Bayes models). *Journal of the
    American Statistical Association*, 84(407), 717-726.
Efron & Morris (1975); Hoff (2009, ch. 7); see :mod:`analysis.pooling.shrinkage`.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis.bootstrap.engine import MAX_CHUNK_ELEMENTS
from analysis.bootstrap.importance import group_generators, result_from_replicates
from analysis.bootstrap.kept import KeptReplicates, kept_result
from analysis.common.display import Summary, SummaryTable
from analysis.common.errors import DataError
from analysis.common.groups import ALL
from analysis.common.options import POOLINGS, validate_options
from analysis.common.scheduler import open_runner
from analysis.pooling.moments import Blocks, PatternStats, own_covariance, stats_from_sums, to_original_order
from analysis.pooling.posterior import posterior_draws
from analysis.pooling.rows import FrameRows
from analysis.pooling.replicates import means, means_from_sums, run_replicates, runs, stage
from analysis.pooling.replicates import replicates as _replicates
from analysis.pooling.shrinkage import MIN_GROUPS, pool_covariances

POOLING = POOLINGS           # declared with the other options in analysis.common.options
# Organisation-replicates whose κ curves (and posterior draws) are one task: each needs
# len(KAPPA_GRID) x q log terms, so a chunk's working memory stays near 15 MB, and at 200
# organisations x 100 replicates there are 8 tasks to spread over the workers. The chunks
# depend on the replicates and organisations only (never on the workers), and each has its
# own random stream: the same numbers on every scheduler and worker count.
CURVE_MATRICES = 2_500
# Spawn key of the posterior draws' streams (one child per chunk of replicates), far above
# the organisations' children (0, 1, ..., G - 1) of the same seed sequence.
POSTERIOR_STREAM = 2**31 - 1
# The entries of :func:`_estimate`'s result with one column per organisation, (B, G, ...).
_PER_ORGANISATION = ("cov", "own", "mean", "kappa_group", "weight", "weight_drivers", "weight_partial", "different")


@dataclass(frozen=True, eq=False)
class PooledImportance:
    """Driver importance per organisation with partial pooling (or none), and its bootstrap.

    Attributes
    ----------
    pooling : {'partial', 'none'}
        The pooling used ('none' when asked for, or with fewer than :data:`MIN_GROUPS`
        organisations; ``reason`` then says so).
    reason : str
        One sentence on the pooling used.
    boot : BootstrapResult
        The reported figures (pooled when ``pooling == 'partial'``), per organisation; its
        ``whole`` is the whole sample (every respondent, two patterns, not pooled).
    own : DataFrame
        Each organisation's own-data figures (every respondent, no pooling), point
        estimates: ``group``, ``driver``, ``lmg``, ``lmg_pct``, ``std_beta``, ``lmg_rank``.
    groups : DataFrame
        Per organisation: ``group``, ``n`` (respondents used), ``n_complete``
        (respondents with the phone-only drivers too), ``kappa`` (prior strength κ_g of
        the outcome's regression on the common drivers, in respondents; 0 without
        pooling), ``weight`` (weight of the own data in that regression, 1 without
        pooling), ``weight_drivers`` (in the common drivers' covariance),
        ``weight_partial`` (in the phone-only drivers' regression on the others),
        ``n_effective`` (``n + κ_g``: the respondents the outcome's regression is worth), ``kappa_ci_low``, ``kappa_ci_high`` (bootstrap), ``different``
        (set aside as unlike the others, :mod:`analysis.pooling.shrinkage`).
    kappa : float
        The population's prior strength κ (NaN without pooling).
    phone_only : tuple of str
        The drivers only the complete respondents have.
    cov, own_cov : dict
        Per organisation, the reported (pooled) and the own-data covariance matrix
        (drivers, then the outcome), from which every importance measure follows.
    whole_cov : ndarray
        The whole sample's covariance (every respondent, two patterns).
    """

    pooling: str
    reason: str
    boot: object = field(repr=False)
    own: object = field(repr=False)
    groups: pd.DataFrame = field(repr=False)
    kappa: float
    phone_only: tuple[str, ...]
    cov: dict = field(default_factory=dict, repr=False)
    own_cov: dict = field(default_factory=dict, repr=False)
    whole_cov: np.ndarray | None = field(default=None, repr=False)

    def summary(self) -> Summary:
        """The pooling used and each organisation's weights: text when printed, HTML in Jupyter."""
        kappa = "" if not np.isfinite(self.kappa) else f"; population prior strength kappa = {self.kappa:.1f}"
        own = self.own.pivot(index="driver", columns="group", values="lmg_pct").rename_axis(columns=None)
        return Summary(f"Pooling: {self.pooling} ({self.reason}){kappa}",
                       (SummaryTable("Organisations", self.groups),
                        SummaryTable("Own-data LMG share of R² (%), no pooling", own.reset_index(), digits=1)))

    def _repr_html_(self) -> str:
        return self.summary().as_html()


def _check_sizes(labels, n_all, n_complete, q, qa, group, pooled: bool) -> None:
    """Every organisation needs enough respondents in each pattern for its covariance.

    Without pooling that is ``q + 1`` with every driver (a covariance of full rank).
    With pooling two suffice: the population's covariance fills in what a small
    organisation cannot estimate (its own-data figures are then undefined, NaN).
    """
    need = 2 if pooled else q + 1
    small = [f"'{g}' ({int(a)}, {int(c)} with every driver)" for g, a, c in zip(labels, n_all, n_complete)
             if c < need]
    if small:
        raise DataError(f"too few respondents for a covariance of {q} variables in {', '.join(small)}; at least "
                        f"{need} with every driver are needed; drop or merge those groups", column=group)


@validate_options("n_resamples", "level", "pooling")
def pooled_importance(data: pd.DataFrame, outcome: str, drivers: Sequence[str], *, group: str,
                      pooling: str = "partial", n_resamples: int = 2000, level: float = 0.95, seed=None,
                      versus_rest: bool = True, per_group: bool = True,
                      progress: Callable[[int, int], None] | None = None, runner=None,
                      stage_progress: Callable[[str, int, int], None] | None = None,
                      auxiliary: Sequence = (), rows=None) -> PooledImportance:
    """Driver importance per organisation, partially pooled across organisations, with a bootstrap.

    Parameters
    ----------
    data : DataFrame
        One row per usable respondent: the driver scores (NaN where a phone-only driver
        is not asked), the outcome (no NaN) and the group column.
    outcome : str
    drivers : sequence of str
    group : str
        The organisation column; resampling is within organisations.
    pooling : {'partial', 'none'}
        'none' estimates every organisation from its own respondents only (still every
        respondent, both patterns). 'partial' is used only with at least three organisations.
    n_resamples : int
    level : float
    seed : int, SeedSequence or None
        Each organisation gets its own child stream (sorted order).
    versus_rest : bool
        Also compute each organisation's "rest of the sample" (own data of the other
        organisations pooled, not shrunk) for group differences.
    per_group : bool, default True
        Each organisation's own prior strength κ_g (see :mod:`analysis.pooling.shrinkage`).
    progress : callable, optional
        ``progress(done, total)`` in resamples (organisations finish in turn).
    runner : analysis.common.scheduler.Runner, optional
        An open runner for the per-organisation resampling (default: in this process).
    stage_progress : callable, optional
        The steps after the resampling, as their tasks finish: ``stage_progress('pooling',
        done, total)`` in replicates pooled (partial pooling), ``stage_progress('replicates',
        done, total)`` in organisations whose replicates' importance is computed.
    auxiliary : sequence, optional
        Organisations in ``data`` without phone respondents (none of their rows has the
        phone-only drivers) that are not reported: they count among the organisations
        (at least :data:`MIN_GROUPS` to pool), lend their respondents to the common
        block's pooling (the drivers asked in every channel and the outcome given them)
        and to the whole sample and every organisation's rest of the sample, and add
        nothing to the phone-only drivers' pooling (:func:`pool_covariances`). Those are
        pooled only when at least :data:`MIN_GROUPS` organisations have phone
        respondents; otherwise each organisation's phone-only part is its own.
    rows : FrameRows-like, optional
        Instead of ``data`` (then None): the organisations' rows where they are kept,
        an object with the attributes and the ``group_sums`` method of
        :class:`analysis.pooling.rows.FrameRows` (e.g. rows kept on Dask workers,
        :mod:`analysis.drivers.kept`); the same sums give the same result.

    Returns
    -------
    PooledImportance

    Raises
    ------
    DataError
        A column is missing; the pattern of missing scores is not "all phone-only
        drivers or none"; an organisation has too few respondents.

    References
    ----------
    Efron & Morris (1975); Gelman & Hill (2007, ch. 12-13); Hoff (2009, ch. 7);
    Lindeman, Merenda & Gold (1980); Grömping (2006); Laird & Louis (1987).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> frames = []
    >>> for g in "ABCD":
    ...     x = rng.standard_normal((80, 3))
    ...     y = x @ [.5, .3, .1] + rng.standard_normal(80)
    ...     frames.append(pd.DataFrame({"a": x[:, 0], "b": x[:, 1], "c": x[:, 2], "y": y, "org": g}))
    >>> res = pooled_importance(pd.concat(frames), "y", ["a", "b", "c"], group="org", n_resamples=50, seed=1)
    >>> res.pooling, bool(res.groups.weight.between(0, 1).all())
    ('partial', True)
    """
    drivers = list(drivers)
    columns = [*drivers, outcome]
    rows = rows if rows is not None else FrameRows(data, columns, group)
    blocks, labels, n_all, n_complete = rows.blocks, list(rows.labels), rows.n_all, rows.n_complete
    q, qa = blocks.q, len(blocks.common)
    reported = np.array([g not in set(auxiliary) for g in labels], dtype=bool)
    # the phone-only drivers are pooled across the organisations asked them, when there are enough
    pool_phone = int((n_complete > 1).sum()) >= MIN_GROUPS
    used = pooling
    if pooling == "partial" and len(labels) < MIN_GROUPS:
        used = "none"
        reason = (f"no pooling: {len(labels)} organisation(s); partial pooling needs at least {MIN_GROUPS} "
                  "to estimate how much they differ, so each is estimated from its own respondents")
    elif pooling == "partial":
        reason = ("partial pooling: each organisation's estimate combines its own respondents with the "
                  "pattern of all organisations, more so the fewer respondents it has")
    else:
        reason = "no pooling: each organisation is estimated from its own respondents only"
    _check_sizes([g for g, r in zip(labels, reported) if r], n_all[reported], n_complete[reported], q, qa, group,
                 used == "partial")

    centre = rows.centre
    rngs, entropy = group_generators(seed, len(labels))
    versus = versus_rest and len(labels) > 1
    options = dict(seed=seed, entropy=entropy, n_resamples=n_resamples, used=used, per_group=per_group,
                   chunk=max(1, MAX_CHUNK_ELEMENTS // int(max(n_all.max(), 1))), pool_phone=pool_phone,
                   versus=versus, p=len(drivers), level=level, progress=progress, stage_progress=stage_progress)
    with ExitStack() as stack:
        if runner is None:
            runner = stack.enter_context(open_runner("threads", n_workers=1))
        if getattr(rows, "keeps", False) and reported.all():
            # rows kept on workers: the replicates stay there too (analysis.pooling.kept)
            from analysis.pooling.kept import kept_bootstrap

            out = kept_bootstrap(rows, runner, rngs, **options)
        else:
            out = _bootstrap(rows, runner, rngs, **options)
    point, point_sums, whole_reps = out["point"], out["point_sums"], out["whole_reps"]
    point_r, own_r, rep_r, rest_point, rest_reps = (out[k] for k in ("point_r", "own_r", "rep_r", "rest_point",
                                                                      "rest_reps"))
    lo, hi = out["kappa_ci"]
    n_total = n_all.sum()
    whole_point = _replicates(*_whole(point_sums, n_all, blocks, centre), blocks, len(drivers))

    if not reported.all():      # organisations that only lend their respondents (``auxiliary``) are not reported
        kept = [g for g, r in zip(labels, reported) if r]
        point_r, own_r, rep_r = ({g: d[g] for g in kept} for d in (point_r, own_r, rep_r))
        rest_point, rest_reps = ({g: d[g] for g in kept if g in d} for d in (rest_point, rest_reps))
        point = {k: v[:, reported] if k in _PER_ORGANISATION and v is not None else v for k, v in point.items()}
        labels, n_all, n_complete, lo, hi = kept, n_all[reported], n_complete[reported], lo[reported], hi[reported]
    common = dict(outcome=outcome, drivers=drivers, level=level, n_resamples=n_resamples, seed_entropy=entropy)
    whole = result_from_replicates(labels=[ALL], sizes=np.array([int(n_total)]), point={ALL: whole_point},
                                   replicates={ALL: whole_reps}, **common)
    make = kept_result if isinstance(rep_r, KeptReplicates) else result_from_replicates
    boot = make(labels=labels, sizes=n_all, point=point_r, replicates=rep_r, rest_point=rest_point,
                rest_replicates=rest_reps, whole=whole, **common)
    own = _own_table(labels, drivers, own_r)
    kappa_g = point["kappa_group"][0]
    groups = pd.DataFrame({
        "group": labels, "n": n_all.astype(int), "n_complete": n_complete.astype(int), "kappa": kappa_g,
        "weight": point["weight"][0], "weight_drivers": point["weight_drivers"][0],
        "weight_partial": point["weight_partial"][0],
        "n_effective": n_all + kappa_g, "kappa_ci_low": lo, "kappa_ci_high": hi,
        "different": point["different"][0]})
    phone_only = tuple(columns[j] for j in blocks.partial)
    return PooledImportance(pooling=used, reason=reason, boot=boot, own=own, groups=groups,
                            kappa=float(point["kappa"][0]) if used == "partial" else float("nan"),
                            phone_only=phone_only,
                            cov={g: to_original_order(point["cov"][0, k], blocks) for k, g in enumerate(labels)},
                            own_cov={g: to_original_order(point["own"][0, k], blocks) for k, g in enumerate(labels)},
                            whole_cov=to_original_order(_whole(point_sums, n_all, blocks, centre)[0][0], blocks))


def _bootstrap(rows, runner, rngs, *, seed, entropy, n_resamples: int, chunk: int, used: str, per_group: bool,
               pool_phone: bool, versus: bool, p: int, level: float, progress=None, stage_progress=None) -> dict:
    """The bootstrap of :func:`pooled_importance` in this process (the tasks on ``runner``).

    Returns the entries of :func:`analysis.pooling.kept.kept_bootstrap`, its replicates here.
    """
    labels, n_all, blocks, centre = list(rows.labels), rows.n_all, rows.blocks, rows.centre
    # tasks weigh by their respondents; the progress is told in resamples, as before
    in_resamples = None if progress is None else (
        lambda done, total: progress(n_resamples * done // max(total, 1), n_resamples))
    # each organisation's features and resamples from its own rows and stream: one task
    # per organisation on the runner (threads, processes or Dask), the same numbers
    # whatever runs them (analysis.pooling.rows)
    sums = rows.group_sums(runner, rngs, centre, n_resamples, chunk, progress=in_resamples)
    point_sums = np.stack([s[0] for s in sums])[None]                      # (1, G, f)
    rep_sums = np.stack([s[1] for s in sums], axis=1)                      # (B, G, f)
    del sums

    point = _estimate(point_sums, n_all, blocks, used, per_group, centre, pool_phone=pool_phone)
    # replicates: the population re-estimated from each resample, the organisation's
    # covariance drawn from its posterior given its observed data (Laird & Louis 1987);
    # a chunk of replicates' populations and posterior draws are a task, with the chunk's own stream
    observed = stats_from_sums(point_sums[0], n_all, blocks)
    reps = _estimate(rep_sums, n_all, blocks, used, per_group, centre, observed=observed,
                     stream=posterior_stream(seed, entropy), runner=runner,
                     progress=stage(stage_progress, "pooling"), pool_phone=pool_phone)
    # every organisation's replicates (and its rest of the sample's), point estimates and own-data
    # figures from its own slices; a task per run of organisations, so that the summed sums are
    # sent once per run, not per organisation
    total = rep_sums.sum(axis=1)
    n_total = n_all.sum()
    org_runs = runs(len(labels), runner)
    run_tasks = [(reps["cov"][:, run], reps["mean"][:, run], rep_sums[:, run], total if versus else None,
                  n_total - n_all[run], blocks, centre, p,
                  (point["cov"][:, run], point["own"][:, run], point["mean"][:, run]),
                  (point_sums, n_all, run) if versus else None) for run in org_runs]
    done = [d for part in runner.map(run_replicates, run_tasks, progress=stage(stage_progress, "replicates"),
                                     weights=[run.stop - run.start for run in org_runs]) for d in part]
    del run_tasks
    return {"point": point, "point_sums": point_sums,
            "point_r": {g: d[2] for g, d in zip(labels, done)}, "own_r": {g: d[3] for g, d in zip(labels, done)},
            "rest_point": {g: d[4] for g, d in zip(labels, done)} if versus else {},
            "rep_r": {g: d[0] for g, d in zip(labels, done)},
            "rest_reps": {g: d[1] for g, d in zip(labels, done)} if versus else {},
            "whole_reps": _replicates(*_whole(rep_sums, n_all, blocks, centre), blocks, p),
            "kappa_ci": (tuple(np.nanquantile(reps["kappa_group"], [(1 - level) / 2, (1 + level) / 2], axis=0))
                         if used == "partial" else (np.zeros(len(labels)), np.zeros(len(labels))))}


def _pool_chunk(stats: PatternStats, qa: int, per_group: bool, covariances: bool,
                organisation_weights: np.ndarray | None = None, pool_phone: bool = True):
    """:func:`~analysis.pooling.shrinkage.pool_covariances` of one chunk of replicates (a task)."""
    return pool_covariances(stats, qa, per_group=per_group, covariances=covariances,
                            organisation_weights=organisation_weights, pool_phone_only=pool_phone)


def _sums_chunk_estimate(sums: np.ndarray, n_all: np.ndarray, blocks: Blocks, per_group: bool,
                         observed: PatternStats | None = None, stream: np.random.SeedSequence | None = None,
                         pool_phone: bool = True) -> dict:
    """:func:`_chunk_estimate` of the replicates whose column sums are ``sums`` (a task)."""
    return _chunk_estimate(stats_from_sums(sums, n_all, blocks), len(blocks.common), per_group, observed, stream,
                           pool_phone)


def _chunk_estimate(stats: PatternStats, qa: int, per_group: bool, observed: PatternStats | None = None,
                    stream: np.random.SeedSequence | None = None, pool_phone: bool = True) -> dict:
    """One chunk of replicates' pooling figures and covariances (a task).

    Without ``observed`` the posterior means (the point estimate). With the organisations'
    ``observed`` statistics and the chunk's ``stream``: the organisation-level Bayesian
    bootstrap's weights (Rubin 1981; exponential, mean 1 per replicate), the population of
    each replicate estimated with them, and one draw per organisation from its posterior
    given its observed data (:mod:`analysis.pooling.posterior`), all from the chunk's own
    stream. Only the arrays the estimate keeps are returned (not the targets), so that
    little goes back to the caller.
    """
    weights = None
    if observed is not None:
        rng = np.random.default_rng(stream)
        weights = rng.standard_exponential(stats.n_all.shape)
        weights = weights / weights.mean(axis=-1, keepdims=True)
    pooled = _pool_chunk(stats, qa, per_group, observed is None, weights, pool_phone)
    cov = pooled.cov if observed is None else posterior_draws(rng, observed, pooled.targets, pooled.kappa_group, qa)
    return {"cov": cov, "own": pooled.own, "kappa": pooled.kappa["outcome"],
            "kappa_group": pooled.kappa_group["outcome"], "weight": pooled.weight["outcome"],
            "weight_drivers": pooled.weight["drivers"], "weight_partial": pooled.weight["phone_only"],
            "different": pooled.different["outcome"] | pooled.different["phone_only"]}


def posterior_stream(seed, entropy: int) -> np.random.SeedSequence:
    """The parent of the posterior draws' streams: a child of the seed apart from the organisations' streams.

    Each chunk of replicates draws from its own child of it (``spawn``), so the draws do
    not depend on which worker makes them or in which order the chunks finish.
    """
    key = seed.spawn_key if isinstance(seed, np.random.SeedSequence) else ()
    return np.random.SeedSequence(entropy, spawn_key=(*key, POSTERIOR_STREAM))


def _own_table(labels: list, drivers: list[str], own: dict) -> pd.DataFrame:
    """Own-data point estimates, one row per organisation and driver."""
    return pd.DataFrame({
        "group": np.repeat(labels, len(drivers)), "driver": drivers * len(labels),
        **{stat: np.concatenate([own[g].statistic(stat)[0] for g in labels])
           for stat in ("lmg", "lmg_pct", "std_beta", "lmg_rank")}})


def _estimate(sums: np.ndarray, n_all: np.ndarray, blocks: Blocks, pooling: str, per_group: bool,
              centre: np.ndarray, observed: PatternStats | None = None,
              stream: np.random.SeedSequence | None = None, runner=None, progress=None,
              pool_phone: bool = True) -> dict:
    """Pooled (or own) covariances, means and pooling figures of every organisation, (B, G, ...).

    With ``observed`` (the organisations' own statistics, (G, ...)) and ``stream`` the
    pooled covariances are not the posterior means of ``sums`` but one draw each from
    the posterior of the observed data given the population estimated from ``sums``
    with randomly weighted organisations (:mod:`analysis.pooling.posterior`): the
    bootstrap replicates of an empirical-Bayes interval. Chunks of at most
    :data:`CURVE_MATRICES` organisation-replicates are tasks of ``runner``, chunk ``k``
    drawing from the ``k``-th child of ``stream``; ``progress(done, total)`` in replicates.
    """
    n_all = np.broadcast_to(n_all, sums.shape[:-1])
    qa = len(blocks.common)
    mean = means_from_sums(sums, n_all, blocks, centre)
    if pooling == "partial":
        step = max(1, CURVE_MATRICES // sums.shape[1])           # bounded memory for the κ curves
        starts = range(0, sums.shape[0], step)
        streams = stream.spawn(len(starts)) if observed is not None else [None] * len(starts)
        # each chunk takes its statistics from its sums in its task: the sums are about 60%
        # of the statistics' size to send, and the scatter matrices (1.7 s of the caller's
        # one core at 1,000 resamples x 200 organisations) are made on the workers
        chunks = [(sums[start:start + step], n_all[start:start + step], blocks, per_group, observed, s, pool_phone)
                  for start, s in zip(starts, streams)]
        # the chunks are independent (the pooling is per replicate): tasks when there is a runner
        out = (runner.map(_sums_chunk_estimate, chunks, progress=progress, weights=[len(c[0]) for c in chunks])
               if runner is not None else [_sums_chunk_estimate(*c) for c in chunks])
        del chunks
        merged = {key: np.concatenate([o[key] for o in out]) for key in out[0] if out[0][key] is not None}
        return {**merged, "own": merged.get("own"), "mean": mean}
    stats = stats_from_sums(sums, n_all, blocks)
    own = own_covariance(stats, qa)
    ones = np.ones(stats.n_all.shape)
    return {"cov": own, "own": own, "mean": mean, "kappa": np.full(sums.shape[0], np.nan),
            "kappa_group": 0 * ones, "weight": ones, "weight_drivers": ones, "weight_partial": ones,
            "different": np.zeros(ones.shape, dtype=bool)}


def _whole(sums: np.ndarray, n_all: np.ndarray, blocks: Blocks, centre: np.ndarray):
    """Own-data covariance and means of the whole sample (stratified: every organisation keeps its size)."""
    stats = stats_from_sums(sums.sum(axis=1), n_all.sum(), blocks)
    return own_covariance(stats, len(blocks.common)), means(stats, blocks, centre)
