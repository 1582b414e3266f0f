"""Bootstrap uncertainty of driver importance, per group, and of group differences.

Respondents are resampled within each group (organisation), ``n_resamples`` times.
For every resample the standardized betas, LMG shares, relative weights, Pratt
measures, R², the driver means and the importance ranks are recomputed; percentile
intervals summarise them. The work is done by :mod:`analysis.bootstrap.engine`
(resamples as weighted cross-products, one matrix product per chunk) and
:func:`analysis.importance.relative.importance_arrays` (all subset regressions of all resamples
in a few batched solves), group by group, so memory stays bounded.

Group differences compare two groups' independent resamples replicate by replicate.
"The rest" of the sample for a group is all other groups pooled; its resample is the
union of the other groups' resamples (each resampled within itself, so group sizes are
fixed as in the design), which is independent of the focal group's resample and costs
no extra draws.

Percentile intervals are first-order accurate; for LMG shares near zero they can
under-cover (Grömping 2006 warns of this in relaimpo), see ``tests/test_bootstrap.py``
for the coverage measured here. With few respondents per driver they under-cover
more: LMG shares are bounded and, with 17-111 complete cases for 7 drivers, flattened
(the largest share biased down, the smallest up), and the bootstrap does not reproduce
that bias (resamples of an already over-fitted sample flatten little further), so no
interval built from these replicates corrects it. Measured on the issue-12 design
(``benchmarks/bench_none_intervals.py``, ``benchmarks/RESULTS.md``) the percentile
interval covered best of the bias-corrected percentile (Efron 1981), BCa with
jackknife acceleration (Efron 1987), the basic interval and the bootstrap-t on the
logit of the share: they shift the interval by the bootstrap's median bias, which the
estimate's sampling distribution does not have to that degree, and covered 5-24 points
less at 30-400 respondents per organisation (the bootstrap-t 71% against 85% at 30). The
percentile interval is therefore kept here. What does cover is an interval built from an
estimator that is not flattened: :func:`analysis.drivers.analyse.analyse_drivers` with
``pooling='none'`` reports for each organisation's shares the hull of this interval and
the percentile interval of the LMG of small-sample-adjusted R² over the same resamples,
both taken at the expanded level of Hesterberg (2015), :func:`expanded_level`, which
corrects the percentile interval's narrowness in small samples
(:mod:`analysis.drivers.own_intervals`; without the expansion the hull covered 93.0% at
30 respondents per organisation, 94.6-95.3% at 50-400), and ``pooling='partial'`` (the
default) gives empirical-Bayes intervals that cover (:mod:`analysis.pooling.posterior`).
The expansion is a widening, not a shift: unlike BC/BCa it does not move the interval by
the bootstrap's median bias.

References
----------
Efron, B., & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*. Chapman & Hall.
Azen, R., & Budescu, D. V. (2003). The dominance analysis approach for comparing
    predictors in multiple regression. *Psychological Methods*, 8(2), 129-148.
Grömping, U. (2006). Relative importance for linear regression in R: the package
    relaimpo. *Journal of Statistical Software*, 17(1), 1-27.
Efron, B. (1981). Nonparametric standard errors and confidence intervals. *Canadian
    Journal of Statistics*, 9(2), 139-158.
Efron, B. (1987). Better bootstrap confidence intervals. *Journal of the American
    Statistical Association*, 82(397), 171-185.
Hesterberg, T. C. (2015). What teachers should know about the bootstrap: resampling in
    the undergraduate statistics curriculum. *The American Statistician*, 69(4), 371-386.
"""
from __future__ import annotations

import contextlib
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis.bootstrap.engine import STATISTICS, Replicates, resample_groups
from analysis.bootstrap.summaries import _nan_sd, percentile_interval, summary_arrays, summary_tables
from analysis.common.display import Summary, SummaryTable
from analysis.common.errors import DataError, ServiceDriversError
from analysis.common.groups import ALL, REST
from analysis.common.options import check_level, validate_options
from analysis.common.scheduler import open_runner
from analysis.common.threads import limit_blas_threads
from analysis.common.thresholds import MIN_N_STABLE_RANKS
from analysis.importance.driver_data import check_driver_data, check_group_variation

DIFFERENCE_STATISTICS = ("std_beta", "lmg", "lmg_pct", "relative_weight",
                         "relative_weight_pct", "pratt", "mean", "r2")


def expanded_level(level: float, n) -> np.ndarray:
    """Nominal level of Hesterberg's expanded percentile interval for ``n`` observations.

    The percentile interval of a bootstrap is too narrow in small samples: the
    bootstrap distribution has the plug-in spread (divisor ``n``, not ``n - 1``) and
    normal, not Student-t, tails. Hesterberg's expanded percentile interval (2015; the
    ``ExpandProbs`` of his R package ``resample``) widens it by taking the percentiles at
    the tail level ``alpha'`` for which
    ``Φ⁻¹(1 - alpha'/2) = sqrt(n / (n - 1)) t_{n-1}(1 - alpha/2)``, i.e. the interval a
    normal bootstrap distribution would give widened by ``sqrt(n / (n - 1)) t / z``.
    The correction vanishes as ``n`` grows (at 95%: 1.115x at n = 17, 1.061x at 30,
    1.004x at 400).

    Parameters
    ----------
    level : float
        The interval's nominal coverage (e.g. 0.95).
    n : int or array_like
        Observations the statistic rests on (at least 2).

    Returns
    -------
    ndarray
        ``1 - alpha'``, the level at which to take the percentiles (``level`` < it <= 1).

    References
    ----------
    Hesterberg, T. C. (2015). What teachers should know about the bootstrap: resampling in
        the undergraduate statistics curriculum. *The American Statistician*, 69(4), 371-386.

    Examples
    --------
    >>> round(float(expanded_level(0.95, 30)), 4)
    0.9625
    """
    from scipy import stats                     # imported here: the CLI's --help stays fast

    n = np.asarray(n, dtype=float)
    if np.any(n < 2):
        raise ServiceDriversError(f"expanded_level needs at least 2 observations, got {n.min():g}")
    z = np.sqrt(n / (n - 1)) * stats.t.ppf((1 + check_level(level)) / 2, n - 1)
    return 2 * stats.norm.cdf(z) - 1


@dataclass(frozen=True, eq=False)
class BootstrapResult:
    """Bootstrap of driver importance per group.

    Attributes
    ----------
    outcome : str
    drivers : tuple of str
    level : float
    n_resamples : int
    seed_entropy : int
        Entropy of the seed sequence; pass it as ``seed`` to reproduce the run.
    groups : DataFrame
        One row per group: ``group``, ``n``, ``r2``, ``r2_ci_low``, ``r2_ci_high``,
        ``n_failed`` (degenerate resamples, left out), ``unstable_ranks`` (n below
        :data:`analysis.common.thresholds.MIN_N_STABLE_RANKS`).
    estimates : DataFrame
        One row per group, driver and statistic: ``group``, ``driver``, ``statistic``
        (``std_beta``, ``lmg``, ``lmg_pct`` (% of R²), ``relative_weight``,
        ``relative_weight_pct``, ``pratt``, ``lmg_rank`` (1 = most important),
        ``mean`` (driver mean on the data's scale)), ``estimate`` (full sample),
        ``se`` (bootstrap standard deviation), ``ci_low``, ``ci_high`` (percentile;
        for ``lmg_rank`` the interval holds observed ranks).
    ranks : DataFrame
        ``group``, ``driver``, ``rank``, ``rank_ci_low``, ``rank_ci_high`` (nullable
        integers: NA where undefined), ``p_first`` (share of resamples where the driver
        ranks first), ``p_top2``.
    point, replicates : dict
        Per group, :class:`Replicates` of the sample (B = 1) and of the resamples.
    rest_point, rest_replicates : dict
        The same for the rest of the sample (empty with one group or ``versus_rest=False``).
    whole : BootstrapResult or None
        With ``whole_sample=True``: the whole sample as one group labelled 'all', from
        the groups' resamples pooled (stratified by group); None otherwise.
    """

    outcome: str
    drivers: tuple[str, ...]
    level: float
    n_resamples: int
    seed_entropy: int
    groups: pd.DataFrame = field(repr=False)
    estimates: pd.DataFrame = field(repr=False)
    ranks: pd.DataFrame = field(repr=False)
    point: dict[Hashable, Replicates] = field(repr=False)
    replicates: dict[Hashable, Replicates] = field(repr=False)
    rest_point: dict[Hashable, Replicates] = field(repr=False)
    rest_replicates: dict[Hashable, Replicates] = field(repr=False)
    whole: BootstrapResult | None = field(default=None, repr=False)

    def table(self, statistic: str = "lmg_pct") -> pd.DataFrame:
        """One statistic with its interval, one row per group and driver."""
        if statistic not in STATISTICS:
            raise ServiceDriversError(f"unknown statistic {statistic!r}; choose from {', '.join(STATISTICS)}")
        t = self.estimates[self.estimates.statistic == statistic]
        return t.drop(columns="statistic").reset_index(drop=True)

    def group_differences(self, statistic: str = "lmg", *, pairwise: bool | Sequence[tuple] = True,
                          versus_rest: bool = True, level: float | None = None) -> pd.DataFrame:
        """Differences between groups, with percentile intervals.

        Parameters
        ----------
        statistic : str
            One of ``'lmg'``, ``'lmg_pct'``, ``'std_beta'``, ``'relative_weight'``,
            ``'relative_weight_pct'``, ``'pratt'``, ``'mean'``, ``'r2'``.
        pairwise : bool or sequence of (group, group)
            All pairs of groups (True), none (False), or the listed pairs.
        versus_rest : bool
            Each group against the rest of the sample.
        level : float, optional
            Confidence level (the bootstrap's by default).

        Returns
        -------
        DataFrame
            ``statistic``, ``group``, ``versus`` (a group label or 'rest'), ``driver``
            (empty for r2), ``estimate`` (group minus versus, full samples), ``se``,
            ``ci_low``, ``ci_high``, ``excludes_zero``.
        """
        if statistic not in DIFFERENCE_STATISTICS:
            raise ServiceDriversError(f"unknown statistic {statistic!r}; choose from "
                             f"{', '.join(DIFFERENCE_STATISTICS)}")
        level = self.level if level is None else check_level(level)
        labels = list(self.replicates)
        if pairwise is True:
            pairs = [(labels[a], labels[b]) for a in range(len(labels)) for b in range(a + 1, len(labels))]
        elif pairwise is False:
            pairs = []
        else:
            pairs = [tuple(pq) for pq in pairwise]
            unknown = {g for pq in pairs for g in pq} - set(labels)
            if unknown:
                raise ServiceDriversError(f"pairwise names unknown groups {sorted(map(str, unknown))}; "
                                 f"groups are {labels}")
        rows = []
        for g, h in pairs:
            rows.append(self._difference(statistic, g, h, self.point[h], self.replicates[h], level))
        if versus_rest:
            if not self.rest_replicates:
                raise ServiceDriversError("no 'rest' resamples: run bootstrap_importance with a group "
                                 "column of two or more groups and versus_rest=True")
            for g in labels:
                rows.append(self._difference(statistic, g, REST, self.rest_point[g],
                                             self.rest_replicates[g], level))
        cols = ["statistic", "group", "versus", "driver", "estimate", "se", "ci_low", "ci_high",
                "excludes_zero"]
        return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=cols)

    def _difference(self, statistic, g, versus, point_h: Replicates, rep_h: Replicates,
                    level: float) -> pd.DataFrame:
        est = self.point[g].statistic(statistic) - point_h.statistic(statistic)
        reps = self.replicates[g].statistic(statistic) - rep_h.statistic(statistic)
        lo, hi = percentile_interval(reps, level)
        se = _nan_sd(reps)
        drivers = list(self.drivers) if reps.ndim == 2 else [""]
        est = np.atleast_1d(est.ravel())
        return pd.DataFrame({
            "statistic": statistic, "group": [g] * len(drivers), "versus": versus,
            "driver": drivers, "estimate": est, "se": np.atleast_1d(se),
            "ci_low": np.atleast_1d(lo), "ci_high": np.atleast_1d(hi),
            "excludes_zero": (np.atleast_1d(lo) > 0) | (np.atleast_1d(hi) < 0),
        })

    def summary(self) -> Summary:
        """Groups and LMG shares with intervals: text when printed, HTML in Jupyter."""
        wide = self.table("lmg_pct").assign(
            lmg_pct=lambda t: t.apply(lambda r: f"{r.estimate:.1f} [{r.ci_low:.1f}, {r.ci_high:.1f}]", axis=1))
        wide = wide.pivot(index="driver", columns="group", values="lmg_pct").loc[list(self.drivers)]
        unstable = self.groups.loc[self.groups.unstable_ranks, "group"].tolist()
        notes = (f"Ranks unstable (n < {MIN_N_STABLE_RANKS}): {', '.join(map(str, unstable))}",) if unstable else ()
        return Summary(f"Bootstrap of driver importance for '{self.outcome}': {self.n_resamples} "
                       f"resamples per group, {100 * self.level:g}% percentile intervals",
                       (SummaryTable("", self.groups),
                        SummaryTable("LMG share of R² (%)", wide.rename_axis(columns=None).reset_index(), notes=notes)))

    def _repr_html_(self) -> str:
        return self.summary().as_html()


def group_generators(seed, n_groups: int) -> tuple[list[np.random.Generator], int]:
    """One independent generator per group, from ``SeedSequence(seed).spawn``; and the entropy.

    ``seed`` may be an int, None or a :class:`numpy.random.SeedSequence` (used as is,
    spawn key included, so that a caller can give each of several runs its own stream).
    """
    seq = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    return [np.random.default_rng(child) for child in seq.spawn(n_groups)], int(seq.entropy)


def _group_labels(data: pd.DataFrame, group: str | None) -> tuple[list, np.ndarray]:
    if group is None:
        return [ALL], np.zeros(len(data), dtype=np.int64)
    if group not in data.columns:
        raise DataError(f"no group column named {group!r} in the data")
    col = data[group]
    if col.isna().any():
        rows = list(np.flatnonzero(col.isna().to_numpy()) + 1)
        raise DataError("has missing group labels; drop those rows or give them a label",
                        column=str(group), rows=rows)
    try:
        codes, uniques = pd.factorize(col, sort=True)
    except TypeError:       # labels of mixed types cannot be sorted: keep their first-seen order
        codes, uniques = pd.factorize(col, sort=False)
    return list(uniques), codes


@validate_options("n_resamples", "scheduler")
def bootstrap_importance(data: pd.DataFrame, outcome: str, drivers: Sequence[str], *,
                         group: str | None = None, n_resamples: int = 2000, level: float = 0.95,
                         seed=None, versus_rest: bool = True, chunk_size: int | None = None,
                         progress: Callable[[int, int], None] | None = None,
                         blas_threads: int | None = 1, whole_sample: bool = False,
                         scheduler: str = "threads", runner=None) -> BootstrapResult:
    """Bootstrap the importance of each driver within each group.

    Parameters
    ----------
    data : DataFrame
        Complete respondent rows (no missing outcome or driver scores).
    outcome : str
        Outcome column.
    drivers : sequence of str
        Driver score columns (1 to 12).
    group : str, optional
        Column with the group (organisation) of each respondent; resampling is within
        groups. Without it the whole sample is one group, labelled 'all'.
    n_resamples : int
        Resamples per group (2000 by default).
    level : float
        Confidence level of the percentile intervals.
    seed : int, SeedSequence or None
        Seed of :class:`numpy.random.SeedSequence`; each group gets its own child
        stream (in sorted group order), so a group's resamples do not depend on the
        chunking or on the progress callback.
    versus_rest : bool
        Also resample the rest of the sample for each group (for
        :meth:`BootstrapResult.group_differences`); ignored with one group.
    chunk_size : int, optional
        Resamples per matrix product (default: about 4 million counts per chunk).
    progress : callable, optional
        Called as ``progress(done, total)`` after each group (and each group's rest), in resamples.
    blas_threads : int or None
        BLAS threads while resampling (via threadpoolctl, when installed). 1 by default:
        the work is many small matrix products, for which BLAS threads cost more in
        start-up and contention than they save (twice as fast on two shared cores).
        None leaves the BLAS setting alone.
    whole_sample : bool
        Also summarise the whole sample (``result.whole``, group 'all') from the groups'
        resamples pooled: a stratified bootstrap in which every group keeps its size, as
        in a design that samples each organisation separately. It needs no extra draws,
        so it is much cheaper than resampling the whole sample again.
    scheduler : str, default 'threads'
        Where the groups are resampled: 'threads', 'processes' or 'dask://HOST:PORT'
        (:mod:`analysis.common.scheduler`); every group is a task with its own random
        stream, so the result is bit-identical on every scheduler.
    runner : analysis.common.scheduler.Runner, optional
        An open runner to use instead of opening one for ``scheduler`` (an analysis that
        runs several stages shares one pool or one connection to the cluster).

    Returns
    -------
    BootstrapResult

    Raises
    ------
    DataError
        Columns missing, not numeric or with missing values; a group with fewer than
        ``len(drivers) + 2`` respondents; or a group in which a driver or the outcome
        has one value for every respondent, or the drivers are perfectly collinear (the
        message names the group and the columns).

    References
    ----------
    Efron & Tibshirani (1993); Azen & Budescu (2003); Grömping (2006).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame(rng.normal(size=(300, 3)), columns=["a", "b", "c"])
    >>> df["y"] = df.a + 0.3 * df.b + rng.normal(size=300)
    >>> df["org"] = np.repeat(["A", "B"], 150)
    >>> res = bootstrap_importance(df, "y", ["a", "b", "c"], group="org", n_resamples=200, seed=1)
    >>> res.ranks.query("group == 'A'").set_index("driver")["rank"].tolist()
    [1, 2, 3]
    >>> res.group_differences("lmg", pairwise=True, versus_rest=False).shape
    (3, 9)
    """
    drivers = list(drivers)
    level = check_level(level)
    values = check_driver_data(data, outcome, drivers)
    labels, codes = _group_labels(data, group)
    p, q = len(drivers), len(drivers) + 1
    sizes = np.bincount(codes, minlength=len(labels))
    too_small = [str(g) for g, n in zip(labels, sizes) if n < p + 2]
    if too_small:
        raise DataError(f"group(s) {', '.join(too_small)} have fewer than {p + 2} respondents, "
                        f"too few for {p} drivers; drop or merge them", column=group)
    check_group_variation(values, labels, codes, drivers, outcome, group)
    with_rest = versus_rest and len(labels) > 1
    rngs, entropy = group_generators(seed, len(labels))
    with limit_blas_threads(blas_threads), contextlib.ExitStack() as stack:
        if runner is None:
            runner = stack.enter_context(open_runner(scheduler))
        out = resample_groups(values, labels, sizes, codes, q, n_resamples, rngs, with_rest, chunk_size,
                              progress, with_whole=whole_sample, runner=runner)
    point, reps, rest_point, rest_reps = out[:4]
    whole = None
    if whole_sample:
        whole_point, whole_reps = out[4]
        n_all = np.array([len(values)])
        w_groups, w_estimates, w_ranks = _summaries([ALL], n_all, drivers, {ALL: whole_point}, {ALL: whole_reps},
                                                    level)
        whole = BootstrapResult(outcome=outcome, drivers=tuple(drivers), level=level, n_resamples=n_resamples,
                                seed_entropy=entropy, groups=w_groups, estimates=w_estimates, ranks=w_ranks,
                                point={ALL: whole_point}, replicates={ALL: whole_reps}, rest_point={},
                                rest_replicates={})
    groups, estimates, ranks = _summaries(labels, sizes, drivers, point, reps, level)
    return BootstrapResult(outcome=outcome, drivers=tuple(drivers), level=level,
                           n_resamples=n_resamples, seed_entropy=entropy, groups=groups,
                           estimates=estimates, ranks=ranks, point=point, replicates=reps,
                           rest_point=rest_point, rest_replicates=rest_reps, whole=whole)


def _summaries(labels, sizes, drivers, point, reps, level):
    """The groups, estimates and ranks tables, all groups at once (stacked replicates)."""
    return summary_tables(labels, sizes, drivers, point, summary_arrays([reps[g] for g in labels], level))


def result_from_replicates(*, outcome: str, drivers: Sequence[str], level: float, n_resamples: int,
                           seed_entropy: int, labels: list, sizes: np.ndarray, point: dict, replicates: dict,
                           rest_point: dict | None = None, rest_replicates: dict | None = None,
                           whole: BootstrapResult | None = None) -> BootstrapResult:
    """A :class:`BootstrapResult` from statistics computed elsewhere (e.g. :mod:`analysis.pooling`).

    ``point`` and ``replicates`` map each group label to its :class:`Replicates` (the
    sample, B = 1, and the resamples); the tables and group differences are then made
    exactly as for :func:`bootstrap_importance`.
    """
    drivers = list(drivers)
    groups, estimates, ranks = _summaries(labels, np.asarray(sizes), drivers, point, replicates, level)
    return BootstrapResult(outcome=outcome, drivers=tuple(drivers), level=level, n_resamples=n_resamples,
                           seed_entropy=seed_entropy, groups=groups, estimates=estimates, ranks=ranks,
                           point=point, replicates=replicates, rest_point=rest_point or {},
                           rest_replicates=rest_replicates or {}, whole=whole)
