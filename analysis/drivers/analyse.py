"""Driver impact per organisation and improvement priorities: the whole analysis in one call.

:func:`analyse_drivers` ties the statistics modules together. For every group (e.g.
organisation) and for the whole sample (group ``"all"``) it computes

* **construct scores** (:mod:`analysis.scoring.scores`) and each driver's performance (0-100);
* an **OLS regression** of the outcome on the driver scores with HC3 standard errors,
  standardized betas and VIFs (:mod:`analysis.importance.regression`);
* **relative importance**: LMG shares over all ``2**p`` subsets (Lindeman, Merenda &
  Gold 1980), Johnson's (2000) relative weights, Pratt's measure
  (:mod:`analysis.importance.relative`) and complete/conditional/general dominance (Azen &
  Budescu 2003; :mod:`analysis.importance.dominance`);
* a **structural model**, latent drivers -> outcome, by FIML (:mod:`analysis.drivers.sem`);
* a **bootstrap** of respondents within each group (Efron & Tibshirani 1993;
  :mod:`analysis.bootstrap.importance`): percentile intervals of betas, LMG shares and ranks, and
  differences between groups and between each group and the rest of the sample;
* **priorities**: importance-performance quadrants (Martilla & James 1977) and a
  priority rank with its bootstrap interval (:mod:`analysis.drivers.priorities`);
* the **CX KPIs** CSAT, NPS (Reichheld 2003), CES and FCR per group and channel
  (:mod:`analysis.drivers.kpis`).

Who is analysed and why others are not is decided in :mod:`analysis.drivers.sample`;
the result object is :class:`analysis.drivers.result.DriverAnalysis`, and its JSON
document (``drivers analyse --json``) is specified in :mod:`analysis.drivers.json_document`.
Nothing here reads or writes files.

References
----------
Lindeman, R. H., Merenda, P. F., & Gold, R. Z. (1980). *Introduction to Bivariate and
    Multivariate Analysis*. Scott, Foresman.
Azen, R., & Budescu, D. V. (2003). The dominance analysis approach for comparing
    predictors in multiple regression. *Psychological Methods*, 8(2), 129-148.
Johnson, J. W. (2000). A heuristic method for estimating the relative weight of
    predictor variables in multiple regression. *Multivariate Behavioral Research*,
    35(1), 1-19.
Martilla, J. A., & James, J. C. (1977). Importance-performance analysis. *Journal of
    Marketing*, 41(1), 77-79.
Efron, B., & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*. Chapman & Hall.
Reichheld, F. F. (2003). The one number you need to grow. *Harvard Business Review*,
    81(12), 46-54.
"""
from __future__ import annotations

import functools
import time
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from analysis.common.errors import OptionError, ServiceDriversError
from analysis.common.groups import ALL
from analysis.common.options import CROSSHAIRS, IMPORTANCES, OUTCOMES, validate_options
from analysis.common.scheduler import open_runner
from analysis.common.threads import limit_blas_threads
from analysis.drivers.background import beside
from analysis.drivers.per_group import analyse_per_driver_set, analyse_without_absent
from analysis.drivers.pooled import pooled_analysis
from analysis.drivers.result import DriverAnalysis, Settings
from analysis.drivers.sample import GROUP, analysis_sample, check_groups
from analysis.drivers.sem import fit_structural
from analysis.drivers.group_tasks import priorities_and_differences, regression_tables
from analysis.drivers.tables import assemble_importance, group_table, kpi_tables, priority_result, warning_table
from analysis.importance.dominance import dominance_result
from analysis.importance.driver_data import driver_covariance
from analysis.importance.regression import driver_regression
from analysis.importance.relative import arrays_or_raise, importance_result
from analysis.scoring.scores import scale_range
from instrument import Instrument, load_instrument
from instrument.reader.integrity import absent_item_columns

# The importance measure behind each ``importance`` choice (declared in analysis.common.options).
IMPORTANCE_MEASURES = dict(zip(IMPORTANCES, ("lmg", "relative_weight", "abs_beta", "sem")))
# The statistics whose group differences the analysis reports (of bootstrap.DIFFERENCE_STATISTICS).
REPORTED_DIFFERENCES = ("lmg_pct", "std_beta")
# Pairwise differences for more groups than this would be G(G-1)/2 rows per driver and
# statistic (19,900 for 200 groups); by default only 'versus the rest' is then computed.
MAX_PAIRWISE_GROUPS = 20


@validate_options("bootstrap", "seed", "level", "outcome", "importance", "crosshair", "pooling", "estimator",
                  "scheduler")
def analyse_drivers(
    data: pd.DataFrame,
    inst: Instrument | None = None,
    *,
    by: str | None = "organisation",
    outcome: str = "satisfaction",
    drivers: Sequence[str] | None = None,
    bootstrap: int = 2000,
    seed: int | None = None,
    level: float = 0.95,
    importance: str = "lmg",
    crosshair: str = "mean",
    exclude_flagged: bool = True,
    sem: bool = True,
    pairwise: bool | None = None,
    pooling: str = "partial",
    progress: Callable[[str, int, int], None] | None = None,
    estimator: str = "ml",
    scheduler: str = "threads",
    borrow_from: Sequence[str] = (),
) -> DriverAnalysis:
    """Estimate each driver's impact on the outcome per group, with priorities and KPIs.

    Parameters
    ----------
    data : DataFrame or PartitionedResponses
        Responses from :func:`instrument.read_responses` (item columns, ``channel``,
        the KPI questions and the ``flag_*`` columns), or partitions kept on the workers
        (:func:`instrument.reader.partitions.open_partitioned`): the rows are then never
        brought here, the result is the same (:mod:`analysis.drivers.kept`).
    inst : Instrument, optional
        The questionnaire; the shipped one by default.
    by : str or None, default 'organisation'
        Column whose values are the groups. None analyses the whole sample only.
    outcome : {'satisfaction', 'csat', 'nps', 'ces'}
        The satisfaction score (mean of its three items) or one KPI question's answer.
    drivers : sequence of str, optional
        Driver keys; by default every driver of the questionnaire, and each group
        on the drivers that apply to it: a driver none of
        whose items anyone in the group answered (e.g. phone-only items in a chat group
        with ``by='channel'``) is left out for that group, said in ``warnings`` and
        ``settings.group_drivers`` (:mod:`analysis.drivers.per_group`). Leaving out
        drivers that apply to some channels only lets respondents of every channel be
        analysed.
    bootstrap : int, default 2000
        Resamples of respondents per group (at least 2; 1000 or more for 95% intervals).
    seed : int, optional
        Seed of the bootstrap: the resamples are exactly those of
        ``analysis.pooling.pooled_importance(used_rows, outcome, drivers, group=by,
        pooling=pooling, seed=seed)`` (with complete data and ``pooling='none'`` those of
        ``bootstrap_importance(used_rows, outcome, drivers, group=by, seed=seed,
        whole_sample=True)``). Without a seed one is drawn and reported (``settings.seed``).
    level : float, default 0.95
        Confidence level of every interval.
    importance : {'lmg', 'weights', 'beta', 'sem'}
        The importance behind the quadrants and priorities: LMG share of R², Johnson's
        relative weights, absolute standardized betas, or absolute standardized SEM
        paths (no bootstrap, hence no rank intervals for the priorities; a group whose
        SEM fit has an error-severity problem gets no SEM estimates and no priorities,
        with a warning).
    crosshair : {'mean', 'median', 'midpoint'}
        Where the importance-performance quadrants are split (see
        :mod:`analysis.drivers.priorities`).
    exclude_flagged : bool, default True
        Leave out respondents flagged as straight-liners, speeders or with too many
        missing answers (listed in ``excluded``).
    sem : bool, default True
        Fit the structural model (about 0.3 s per group of a few hundred).
    pairwise : bool, optional
        Differences between every pair of groups; by default only when there are at
        most 20 groups (each group against the rest is always computed).
    pooling : {'partial', 'none'}, default 'partial'
        Both use every respondent: the phone-only drivers rest on the phone respondents,
        the others on everyone (the two-pattern covariance of
        :mod:`analysis.pooling.moments`; on complete data the ordinary covariance).
        'none': each group's covariance of the drivers and the outcome from its own
        respondents only, the bootstrap resampling respondents within the group (the
        LMG shares' intervals allow for their small-sample bias and for the bootstrap's
        narrowness in small samples, :mod:`analysis.drivers.own_intervals`).
        'partial' (the default: with 30-400 respondents per group it has the lower error,
        the true top two drivers on top more often and intervals that cover,
        ``benchmarks/RESULTS.md``): each group's covariance shrunk toward the pooled one,
        as much as the groups are alike and the less the more respondents a group has
        (:mod:`analysis.pooling`). The LMG shares, betas (bootstrap), dominance, ranks,
        priorities and group differences come from these covariances; the OLS table
        (HC3) stays on the group's complete cases. With fewer
        than three groups there is nothing to pool, and groups asked different drivers
        (``by='channel'``: wait time and the menu on the phone only) are not alike
        enough to pool: then nothing is pooled (said in ``pooling.reason`` and the
        warnings; with different drivers each group is analysed on its own, as with 'none').
        Without phone respondents in some organisations: pooled per driver set
        (:func:`analysis.drivers.per_group.analyse_per_driver_set`).
    progress : callable, optional
        ``progress(stage, done, total)`` as a stage's tasks finish: 'point', 'replicates',
        'priorities', 'kpis' (groups), 'bootstrap', 'pooling' (resamples), 'sem' (models).
    estimator : {'ml', 'mlr'}, default 'ml'
        Estimator of the structural model: normal-theory ML, or robust ML as lavaan's
        MLR (sandwich standard errors of the paths, Yuan-Bentler scaled chi-square and
        robust CFI/TLI/RMSEA in ``sem_fit``; the groups table's ``sem_cfi`` and
        ``sem_rmsea`` are then the robust ones).
    scheduler : str, default 'threads'
        Where the per-group work (point estimates, bootstrap, structural models, KPIs,
        priorities, differences from the rest, long tables) runs:
        'threads' (this process), 'processes' (this machine), 'auto' (processes from
        :data:`~analysis.common.scheduler.PROCESSES_FROM_ROWS` rows of ``data``, threads
        below; the command line's default) or 'dask://HOST:PORT' (a Dask cluster;
        optional extra ``dask``), see :mod:`analysis.common.scheduler`.
        Every group is a task with its own random stream, spawned from the seed with
        :class:`numpy.random.SeedSequence`, so the result is bit-identical on every
        scheduler and worker count. (``pooling='partial'`` runs its pooled bootstrap here.)
    borrow_from : sequence of str, optional
        Groups of ``by`` without phone respondents that are not analysed here but lend
        their respondents to the whole sample ``'all'``, each group's rest of the sample
        and the pooling of the drivers asked in every channel (set by the per-driver-set
        analysis, :func:`~analysis.drivers.per_group.analyse_per_driver_set`;
        ``pooled_importance(auxiliary=...)``).

    Returns
    -------
    DriverAnalysis
        Tables ``importance``, ``groups``, ``regression``, ``dominance``, ``sem``,
        ``kpis``, ``differences``, ``excluded``, ``exclusion_counts``, ``warnings``;
        ``summary()``, ``to_dict()``, ``plot_priorities()``, ``plot_importance()``.

    Raises
    ------
    ServiceDriversError
        A bad option value, an unknown column, or a group with too few usable
        respondents for the number of drivers (the message names it and says what to do)
        when no group can be left out instead (see below).

    Notes
    -----
    Importance uses respondents with an outcome and a score for every driver asked in
    their channel (a chat or e-mail respondent without the phone-only drivers is used);
    the structural model and the KPIs use every respondent not excluded as flagged. So with
    ``importance='sem'`` a driver's importance (its SEM path, FIML on everyone
    reachable) and its performance (mean score of the used respondents) come from two
    samples of the same group; the performance is the same under every importance
    option. A group too small for the regression (fewer usable respondents than
    drivers + 2, or a driver score or the outcome that does not vary among them, or
    exactly collinear drivers) is left out of the importance analysis with the reason
    ``small_group`` (:mod:`analysis.drivers.sample`) as long as another group can be
    analysed. The
    whole sample ``"all"`` is bootstrapped from the groups' resamples pooled, i.e.
    stratified by group (each organisation keeps its size, as in a design that samples
    organisations separately); with ``by=None`` it is resampled as one sample.

    References
    ----------
    Lindeman, Merenda & Gold (1980); Azen & Budescu (2003); Johnson (2000); Martilla &
    James (1977); Efron & Tibshirani (1993); Reichheld (2003).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from instrument import load_instrument, read_responses
    >>> from analysis.simulation.simulate import simulate_study
    >>> inst = load_instrument()
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "study.csv"
    >>> simulate_study(inst, n_orgs=2, n_per_org=300, seed=5, truth_draws=0).responses.to_csv(path, index=False)
    >>> data, quality = read_responses(path, inst)
    >>> res = analyse_drivers(data, inst, bootstrap=200, seed=1, sem=False)
    >>> res.settings.pooling_used              # two organisations: nothing to pool
    'none'
    >>> res.groups[["group", "n_input", "n_used"]].values.tolist()   # still every respondent
    [['Energie', 300, 283], ['Telecom', 300, 281], ['all', 600, 564]]
    >>> sorted(res.group("Energie").driver[:2])          # the two most important drivers
    ['empathy', 'reliability']
    >>> res.excluded.code.value_counts()[lambda n: n > 0].to_dict()    # who is not used, and why
    {'flagged': 36}
    """
    start = time.perf_counter()
    inst = inst if inst is not None else load_instrument()
    default_drivers = drivers is None
    drivers = _check_options(inst, drivers, importance, sem)
    if hasattr(data, "by_group"):       # partitions kept on the workers (instrument.reader.partitions)
        from analysis.drivers.kept import analyse_kept

        return analyse_kept(data, inst, start, by=by, outcome=outcome, drivers=drivers,
                            default_drivers=default_drivers, bootstrap=bootstrap, seed=seed, level=level,
                            importance=importance, crosshair=crosshair, exclude_flagged=exclude_flagged, sem=sem,
                            pairwise=pairwise, pooling=pooling, progress=progress, estimator=estimator,
                            scheduler=scheduler)
    absent = {k: ids for k, ids in absent_item_columns(data).items() if k in drivers}
    if default_drivers and absent and len(absent) < len(drivers):
        # left out by the reader for absent item columns: not analysed, and said why
        return analyse_without_absent(analyse_drivers, data, inst, absent, by=by, outcome=outcome, drivers=drivers,
                                      bootstrap=bootstrap, seed=seed, level=level, importance=importance,
                                      crosshair=crosshair, exclude_flagged=exclude_flagged, sem=sem,
                                      pairwise=pairwise, pooling=pooling, progress=progress, estimator=estimator,
                                      scheduler=scheduler)
    if default_drivers and by is not None and by in data.columns:
        split = analyse_per_driver_set(analyse_drivers, data, inst, by=by, outcome=outcome, drivers=drivers,
                                       bootstrap=bootstrap, seed=seed, level=level, importance=importance,
                                       crosshair=crosshair, exclude_flagged=exclude_flagged, sem=sem,
                                       pairwise=pairwise, progress=progress, estimator=estimator,
                                       scheduler=scheduler, pooling=pooling)
        if split is not None:
            return split
    sample = analysis_sample(data, inst, by=by, outcome=outcome, drivers=drivers,
                             exclude_flagged=exclude_flagged)
    frame = sample.frame
    used = frame.loc[sample.used, [GROUP, *drivers, outcome]].reset_index(drop=True)
    labels = [] if by is None else sorted(g for g in frame[GROUP].dropna().unique().tolist() if g not in borrow_from)
    excluded = sample.excluded
    not_asked = excluded[GROUP][excluded.code.eq("not_asked").to_numpy()].value_counts().to_dict()
    check_groups(labels, used[GROUP].value_counts().to_dict() if labels else {ALL: len(used)}, sample.left_out,
                  sample.phone_only_small, not_asked, drivers, by, pooling)
    labels = [g for g in labels if g not in sample.left_out]
    clock = _Clock(start)
    clock.lap("sample")
    # the structural models need the sample only: fitted beside the rest (analysis.drivers.background)
    fit = None if not sem else functools.partial(
        fit_structural, data, inst, frame[GROUP].to_numpy(), labels, rows=sample.reachable, drivers=drivers,
        outcome=outcome, whole_sample=ALL, progress=_staged(progress, "sem"), estimator=estimator)
    # many small problems: BLAS threads cost more than they save
    with limit_blas_threads(1), open_runner(scheduler, n_rows=len(data)) as runner, beside(fit, runner) as structural_model:
        return _analyse(data, inst, sample, used, labels, clock, by=by, outcome=outcome, drivers=drivers,
                        bootstrap=bootstrap, seed=seed, level=level, importance=importance, crosshair=crosshair,
                        exclude_flagged=exclude_flagged, sem=sem, pairwise=pairwise, pooling=pooling,
                        progress=progress, estimator=estimator, runner=runner, structural_model=structural_model,
                        borrow_from=tuple(borrow_from))


def _analyse(data, inst, sample, used, labels, clock, *, by, outcome, drivers, bootstrap, seed, level, importance,
             crosshair, exclude_flagged, sem, pairwise, pooling, progress, runner, estimator="ml",
             structural_model=lambda: None, borrow_from=()) -> DriverAnalysis:
    """The body of :func:`analyse_drivers`, after the options are checked and the sample is drawn."""
    frame = sample.frame
    everything = [*labels, ALL]
    parts = dict(tuple(used.groupby(GROUP, sort=False))) if labels else {}
    parts[ALL] = used
    importances, dominances = {}, {}
    point_tasks = [(parts[g], g, outcome, drivers, level, by) for g in everything]
    regressions = dict(zip(everything, runner.map(_point_analyses, point_tasks, progress=_staged(progress, "point"))))
    clock.lap("point")

    entropy = int(np.random.SeedSequence(seed).entropy)       # the seed, or one drawn and reported
    # every respondent, with or without pooling: a respondent without the phone-only
    # drivers because they are not asked in their channel is used (analysis.drivers.pooled)
    pooled, boot, boot_all = pooled_analysis(data, inst, sample, labels, outcome, drivers, bootstrap, level,
                                             entropy, progress, runner=runner,
                                             pooling=pooling, auxiliary=borrow_from)
    for g in everything:
        cov = pooled.result.whole_cov if g == ALL else pooled.result.cov[g]
        importances[g], dominances[g] = _from_covariance(cov, g, outcome, drivers, pooled.n[g], by)
    clock.lap("bootstrap")

    used_mask = pooled.used
    n_input = frame[GROUP].value_counts().to_dict()
    n_input[ALL] = len(frame)
    # the structural models, fitted beside the stages above, are waited for after the KPIs (_finish)
    return _finish(inst, labels, clock, regressions, importances, dominances, pooled, boot, boot_all, structural_model,
                   lambda: kpi_tables(data, frame[GROUP].to_numpy()[sample.reachable], inst, rows=sample.reachable,
                                      grouped=by is not None, level=level, runner=runner,
                                      progress=_staged(progress, "kpis")),
                   sample, n_input, frame.loc[used_mask, ["respondent_id", GROUP, *drivers, outcome]],
                   by=by, outcome=outcome, drivers=drivers, bootstrap=bootstrap, seed=entropy, level=level,
                   importance=importance, crosshair=crosshair, exclude_flagged=exclude_flagged, sem=sem,
                   pairwise=pairwise, pooling=pooling, estimator=estimator, runner=runner, progress=progress)


def _finish(inst, labels, clock, regressions, importances, dominances, pooled, boot, boot_all, structural_model,
            kpis, sample, n_input: dict, used: pd.DataFrame, *, by, outcome, drivers, bootstrap, seed, level,
            importance, crosshair, exclude_flagged, sem, pairwise, pooling, estimator, runner,
            progress=None) -> DriverAnalysis:
    """The priorities, differences and tables of an analysis from its estimates (in-process or kept pieces).

    ``structural_model`` is a callable that gives the structural models (None without
    them), asked for after the priorities and KPIs (with ``importance='sem'`` by the
    priorities): fitted beside, they go on while those are computed. ``kpis`` is a
    callable that gives the KPI table; ``sample`` has ``notes`` and
    ``n_flagged_used``; ``n_input`` the respondents per group and ``'all'``; ``used``
    the rows used (``DriverAnalysis.used``; empty when the rows are kept on workers).
    """
    everything = [*labels, ALL]
    measure = IMPORTANCE_MEASURES[importance]
    scale = _driver_scale(inst, drivers)
    # per group on the runner: quadrants, priority ranks, differences from the rest
    prio, differences = priorities_and_differences(
        boot, boot_all, measure=measure, crosshair=crosshair, scale=scale, level=level,
        statistics=REPORTED_DIFFERENCES if len(labels) > 1 else (), runner=runner,
        progress=_staged(progress, "priorities"),
        pairwise=len(labels) <= MAX_PAIRWISE_GROUPS if pairwise is None else bool(pairwise),
        sem_priorities=lambda boots: priority_result(boots, measure, crosshair, scale, level, structural_model()))

    clock.lap("priorities")
    kpis = kpis()
    clock.lap("kpis")
    structural = structural_model()
    if sem and "sem" not in clock.laps:         # fitted beside the rest: the time still waited for them
        clock.lap("sem")
    excluded = pooled.excluded
    table = assemble_importance(everything, drivers, importances, regressions, boot, boot_all, prio, structural)
    groups = group_table(everything, n_input, regressions, boot, boot_all, structural, prio)
    table, groups = pooled.annotate(table, groups, importances, boots=(boot, boot_all))
    settings = Settings(by=by, outcome=outcome, drivers=tuple(drivers), n_resamples=int(bootstrap), seed=seed,
                        level=level, importance=importance, crosshair=crosshair,
                        exclude_flagged=exclude_flagged, sem=sem, pooling=pooling, estimator=estimator,
                        pooling_used=pooled.result.pooling)
    counts = (excluded.groupby([GROUP, "code"], observed=False, dropna=False).size().rename("n").reset_index()
              if len(excluded) else pd.DataFrame(columns=[GROUP, "code", "n"]))
    coefficients, dominance, conditional = regression_tables(everything, regressions, dominances)
    warnings = warning_table(groups, table, structural, sample, settings, prio)
    if pooled.result.pooling != pooling:
        warnings = pd.concat([warnings, pd.DataFrame([{"group": None, "kind": "no_pooling", "severity": "info",
                                                       "message": pooled.result.reason}])], ignore_index=True)
    clock.lap("tables")
    return DriverAnalysis(
        settings=settings, importance=table, groups=groups, regression=coefficients, dominance=dominance,
        conditional_dominance=conditional, sem=structural.paths if structural else None,
        sem_fit=structural.fit if structural else None, kpis=kpis, differences=differences,
        excluded=excluded, exclusion_counts=counts[counts.n > 0].reset_index(drop=True),
        warnings=warnings, timings=clock.laps, used=used.reset_index(drop=True),
        n_input=int(n_input[ALL]), n_used=int(pooled.n[ALL]), bootstrap=boot, bootstrap_all=boot_all,
        priorities=prio, structural=structural, regressions=regressions, importances=importances,
        dominances=dominances, driver_labels={d: dict(inst.construct(d).label) for d in drivers},
        pooling=pooled.result, respondents=pooled.respondents,
    )


class _Clock:
    """Seconds spent per stage (``DriverAnalysis.timings``)."""

    def __init__(self, start: float) -> None:
        self.last, self.laps = start, {}

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.laps[stage] = now - self.last
        self.last = now


def _staged(progress: Callable[[str, int, int], None] | None, stage: str) -> Callable[[int, int], None] | None:
    """A module's ``progress(done, total)`` reported as ``progress(stage, done, total)``."""
    if progress is None:
        return None
    return lambda done, total: progress(stage, done, total)


def _point_analyses(part: pd.DataFrame, group: str, outcome: str, drivers: list[str], level: float, by):
    """One group's complete-case regression, its covariance checked (importance: :func:`_from_covariance`)."""
    try:
        regression = driver_regression(part, outcome, drivers, level=level)
        cov, drivers, _ = driver_covariance(part, outcome, drivers, matrix=False)
        arrays_or_raise(cov, drivers, outcome)
        return regression
    except ServiceDriversError as exc:
        where = "the whole sample" if group == ALL else f"group '{group}' of '{by}'"
        raise type(exc)(f"{where}: {exc}") from None


def _from_covariance(cov, group, outcome, drivers, n, by):
    """Importance and dominance of one group from its (pooled) covariance matrix."""
    try:
        arrays = arrays_or_raise(cov, drivers, outcome)
        return importance_result(arrays, drivers, outcome, n), dominance_result(arrays, drivers)
    except ServiceDriversError as exc:
        where = "the whole sample" if group == ALL else f"group '{group}' of '{by}'"
        raise type(exc)(f"{where}: {exc}") from None


def _check_options(inst, drivers, importance, sem) -> list[str]:
    """The options whose allowed values depend on the questionnaire or on each other.

    The others are checked by :func:`~analysis.common.options.validate_options` against
    their declarations; the messages have the same form.
    """
    keys = inst.driver_keys
    drivers = list(keys) if drivers is None else [drivers] if isinstance(drivers, str) else list(drivers)
    if not drivers or any(d not in keys for d in drivers):
        raise OptionError("drivers", f"must be drivers of the questionnaire ({', '.join(keys)}), got {drivers!r}")
    if len(set(drivers)) != len(drivers):
        raise OptionError("drivers", f"must name each driver once, got {drivers!r}")
    if importance == "sem" and not sem:
        raise OptionError("importance", f"must be one of {', '.join(i for i in IMPORTANCES if i != 'sem')} when "
                          "the structural model is off (sem=False), got 'sem'")
    return drivers


def _driver_scale(inst: Instrument, drivers: list[str]) -> tuple[float, float]:
    """The one answer scale (min, max) of the drivers' items."""
    ranges = {scale_range(inst, d) for d in drivers}
    if len(ranges) != 1:
        raise ServiceDriversError(f"the drivers {', '.join(drivers)} use different answer scales; "
                                  "analyse drivers on one scale together")
    return ranges.pop()
