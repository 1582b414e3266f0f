"""The result of :func:`analysis.drivers.analyse.analyse_drivers`: tables, summary, plots, JSON."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis.common.display import Summary, SummaryTable
from analysis.common.errors import ServiceDriversError
from analysis.common.groups import ALL
from analysis.common.options import check_option
from analysis.common.thresholds import MIN_N_STABLE_RANKS
from analysis.drivers.plot import importance_shown, plot_rows


@dataclass(frozen=True)
class Settings:
    """The options an analysis ran with (``seed`` is the one used, drawn if none was given)."""

    by: str | None
    outcome: str
    drivers: tuple[str, ...]
    n_resamples: int
    seed: int
    level: float
    importance: str
    crosshair: str
    exclude_flagged: bool
    sem: bool
    pooling: str = "none"
    pooling_used: str = "none"
    estimator: str = "ml"
    group_drivers: tuple = ()      # ((group, drivers), ...) when groups are analysed on different drivers

    def drivers_of(self, group: str) -> tuple[str, ...]:
        """The drivers a group was analysed on (:mod:`analysis.drivers.per_group`); all by default."""
        sets = dict(self.group_drivers)
        return sets.get(group, self.drivers) if group != ALL or ALL in sets else (
            tuple(d for d in self.drivers if all(d in s for _, s in self.group_drivers)))


@dataclass(frozen=True, eq=False)
class DriverAnalysis:
    """Driver impact per group, improvement priorities and KPIs.

    Attributes
    ----------
    settings : Settings
    importance : DataFrame
        One row per group (the groups in order, then ``'all'``) and driver:

        * ``group``, ``driver``, ``n`` (respondents used), ``n_driver`` (those the
          driver's figures rest on: the phone respondents for phone-only drivers),
          ``r2`` (of the regression in the group's covariance);
        * ``lmg`` (LMG share of R²), ``lmg_pct`` (% of R²), ``ci_low``/``ci_high``
          (bootstrap percentile interval of ``lmg_pct``), ``lmg_ci_low``/``lmg_ci_high``
          (of ``lmg``);
        * ``rank`` (LMG rank, 1 = most important), ``rank_ci_low``/``rank_ci_high``
          (bootstrap interval of the rank), ``p_first``/``p_top2`` (share of resamples
          with the driver first / in the top two);
        * ``beta_std`` (standardized regression coefficient), ``beta_std_ci_low``/``_high``
          (percentile interval of the replicates that give the LMG intervals),
          ``beta_std_se`` (their standard deviation), ``beta_p`` (two-sided p-value from
          them, :func:`analysis.drivers.pooled.replicate_p_value`), ``beta``
          (unstandardized), ``vif``, ``vif_high``: all of the group's covariance, the
          one the LMG shares come from (pooled with partial pooling; every respondent);
          ``beta_std_hc3_ci_low``/``_high`` NaN (no HC3 interval for it);
        * ``own_lmg``, ``own_lmg_pct``, ``own_rank`` (the group's own data, every
          respondent, not pooled), ``pooling_weight`` (share of its own data in the
          driver's figure); ``own_ols_n`` (complete cases: respondents with every
          driver score) and ``own_ols_beta_std``, ``own_ols_beta_std_se`` (HC3),
          ``own_ols_beta_std_hc3_ci_low``/``_high`` (HC3 t interval), ``own_ols_beta_p``
          (HC3 p-value), ``own_ols_beta``, ``own_ols_vif``: the OLS of those complete
          cases (:mod:`analysis.importance.regression`), not pooled;
        * ``r`` (correlation with the outcome), ``relative_weight``/``_pct`` (Johnson
          2000), ``pratt``/``pratt_pct``;
        * ``sem_std``, ``sem_se``, ``sem_p``: standardized SEM path (latent driver ->
          outcome) with its delta-method SE and p-value (NaN without SEM, and for a
          group whose SEM fit has an error-severity problem);
        * ``performance`` (mean score of the used respondents, 0-100) with
          ``performance_ci_low``/``_high``; ``importance_share`` (the importance behind
          the priorities, % of the total) with its interval; ``quadrant`` (Martilla &
          James); ``priority_score``; ``priority`` (1 = improve first) with
          ``priority_ci_low``/``_high`` (bootstrap; missing with importance 'sem').
          With importance 'sem' the importance comes from the SEM on every respondent
          not excluded as flagged (FIML), the performance from the used respondents:
          two samples of the same group (see :func:`analysis.drivers.analyse.analyse_drivers`);
        * ``unstable_ranks`` (fewer than :data:`analysis.common.thresholds.MIN_N_STABLE_RANKS` used respondents).
    groups : DataFrame
        ``group``, ``n_input``, ``n_used``, ``n_excluded``, ``r2`` (of the group's
        covariance, as the importance table's), ``r2_ci_low``, ``r2_ci_high``,
        ``adj_r2`` (Ezekiel's, with ``n_used``), ``own_ols_n``, ``own_ols_r2``,
        ``own_ols_adj_r2`` (the OLS of the complete cases), ``n_complete``,
        ``pooling_kappa``, ``pooling_weight``, ``pooling_weight_phone_only``,
        ``n_effective``, ``pooling_set_aside``, ``n_failed_resamples``, ``unstable_ranks``,
        ``crosshair_importance``, ``crosshair_performance``; with SEM also ``sem_n``,
        ``sem_converged``, ``sem_usable`` (converged without an error-severity problem;
        otherwise its paths and indices are NaN), ``sem_cfi``, ``sem_rmsea``,
        ``sem_srmr``, ``sem_problems``.
    regression : DataFrame
        The coefficient tables of :func:`analysis.importance.regression.driver_regression`, with ``group``.
    dominance : DataFrame
        ``group``, ``driver``, ``other``, ``complete``, ``conditional``, ``general``
        (each 'dominates', 'is dominated by' or 'undetermined').
    conditional_dominance : DataFrame
        ``group``, ``driver``, ``k`` (other drivers in the model), ``gain`` (mean gain in R²).
    sem, sem_fit : DataFrame or None
        :class:`analysis.drivers.sem.StructuralPaths` ``paths`` and ``fit`` (None with ``sem=False``).
    kpis : DataFrame
        ``group``, ``channel`` ('all' = every channel), ``kpi``, ``key``, ``n``,
        ``n_missing``, ``estimate``, ``ci_low``, ``ci_high``; ``ci_reason`` (None, or
        why there is no interval: a code of :data:`analysis.drivers.kpis.CI_REASONS`) and
        ``ci_note`` (its sentence).
    differences : DataFrame
        :meth:`analysis.bootstrap.importance.BootstrapResult.group_differences` for ``lmg_pct`` and
        ``std_beta``: ``statistic``, ``group``, ``versus`` (a group or 'rest'), ``driver``,
        ``estimate``, ``se``, ``ci_low``, ``ci_high``, ``excludes_zero``.
    excluded : DataFrame
        Respondents not used: ``respondent_id``, ``group``, ``source_row``, ``code``,
        ``reason``, ``missing_drivers`` (:mod:`analysis.drivers.sample`).
    exclusion_counts : DataFrame
        ``group``, ``code``, ``n``.
    warnings : DataFrame
        ``group`` (None for the whole run), ``kind``, ``severity`` ('warning' or 'note':
        never 'error', since a run with an error raises instead; a group's SEM that
        gives no estimates is one warning, its problems are in ``structural.problems``),
        ``message``.
    used : DataFrame
        The analysed rows: ``respondent_id``, ``group``, driver scores, outcome.
    n_input, n_used : int
    timings : dict
        Seconds per stage: ``sample`` (scores and exclusions), ``point`` (regressions,
        LMG, dominance), ``bootstrap``, ``priorities`` (with the group differences),
        ``kpis``, ``sem`` (when fitted: the models are fitted beside the other stages, and
        this is the time still waited for them after the KPIs), ``tables``. Not part of
        :meth:`to_dict`.
    bootstrap, bootstrap_all, priorities, structural, regressions, importances, dominances
        The underlying module results, for further analysis.
    driver_labels : dict
        Driver key -> {language: label}, from the questionnaire (what the plots show).
    """

    settings: Settings
    importance: pd.DataFrame = field(repr=False)
    groups: pd.DataFrame = field(repr=False)
    regression: pd.DataFrame = field(repr=False)
    dominance: pd.DataFrame = field(repr=False)
    conditional_dominance: pd.DataFrame = field(repr=False)
    sem: pd.DataFrame | None = field(repr=False)
    sem_fit: pd.DataFrame | None = field(repr=False)
    kpis: pd.DataFrame = field(repr=False)
    differences: pd.DataFrame = field(repr=False)
    excluded: pd.DataFrame = field(repr=False)
    exclusion_counts: pd.DataFrame = field(repr=False)
    warnings: pd.DataFrame = field(repr=False)
    used: pd.DataFrame = field(repr=False)
    n_input: int = 0
    n_used: int = 0
    timings: dict = field(default_factory=dict, repr=False)
    bootstrap: object = field(default=None, repr=False)
    bootstrap_all: object = field(default=None, repr=False)
    priorities: object = field(default=None, repr=False)
    structural: object = field(default=None, repr=False)
    regressions: dict = field(default_factory=dict, repr=False)
    importances: dict = field(default_factory=dict, repr=False)
    dominances: dict = field(default_factory=dict, repr=False)
    driver_labels: dict = field(default_factory=dict, repr=False)
    pooling: object = field(default=None, repr=False)
    respondents: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def group_names(self) -> list[str]:
        """The groups, in order, then 'all'."""
        return self.groups.group.tolist()

    def group(self, name: str) -> pd.DataFrame:
        """The ``importance`` rows of one group, most important driver first."""
        self._check_group(name)
        return self.importance[self.importance.group == name].sort_values("rank").reset_index(drop=True)

    def _check_group(self, name) -> str:
        name = ALL if name is None else name
        if name not in self.group_names:
            raise ServiceDriversError(f"no group {name!r}; groups are {', '.join(map(str, self.group_names))}")
        return name

    def to_dict(self) -> dict:
        """The JSON document of ``drivers analyse --json`` (see :mod:`analysis.drivers.json_document`)."""
        from analysis.drivers.json_document import analysis_document
        return analysis_document(self)

    # ------------------------------------------------------------------ text
    def _headline(self) -> str:
        s = self.settings
        return (f"Driver analysis of '{s.outcome}' by {s.by or 'whole sample'}: {self.n_used} of {self.n_input} "
                f"respondents used; pooling {s.pooling_used}; {s.n_resamples} bootstrap resamples (seed {s.seed}), "
                f"{100 * s.level:g}% percentile intervals; priorities from {s.importance} importance, "
                f"cross-hairs at the {s.crosshair}")

    def display_table(self, name: str) -> pd.DataFrame:
        """One group's drivers as formatted text columns (what ``summary`` and the CLI show)."""
        t = self.group(name)
        return pd.DataFrame({
            "driver": t.driver,
            "LMG % [CI]": [_ci(v, lo, hi, 1) for v, lo, hi in zip(t.lmg_pct, t.ci_low, t.ci_high)],
            **({"own data %": [_num(v, 1) for v in t.own_lmg_pct]}
               if self.settings.pooling_used == "partial" and name != ALL else {}),
            "rank [CI]": [_rank(v, lo, hi) for v, lo, hi in zip(t["rank"], t.rank_ci_low, t.rank_ci_high)],
            "beta [CI]": [_ci(v, lo, hi, 2) for v, lo, hi in zip(t.beta_std, t.beta_std_ci_low, t.beta_std_ci_high)],
            "SEM path": [_num(v, 2) + ("" if not np.isfinite(p) else _stars(p)) for v, p in zip(t.sem_std, t.sem_p)],
            "performance": [_num(v, 0) for v in t.performance],
            "quadrant": t.quadrant.fillna("-"),
            "priority [CI]": [_rank(v, lo, hi) for v, lo, hi in zip(t.priority, t.priority_ci_low,
                                                                     t.priority_ci_high)],
        })

    def summary(self) -> Summary:
        """The analysis as titled tables: one per group, KPIs, exclusions, warnings.

        Returns a :class:`~analysis.common.display.Summary`: ``print()`` shows aligned
        text, Jupyter shows HTML tables.
        """
        from analysis.drivers.pooled import pooling_sentence     # pooled.py imports this module

        tables = []
        groups = self.groups.set_index("group")
        pooled = self.settings.pooling_used == "partial"
        for g in self.group_names:
            r = groups.loc[g]
            unstable = f" - ranks unstable (n < {MIN_N_STABLE_RANKS})" if r.unstable_ranks else ""
            borrowed = "; " + own_weight_phrase(r) if pooled and g != ALL else ""
            kpi = self.kpis[(self.kpis.group == g) & (self.kpis.channel == ALL)]
            notes = (("KPIs: " + "; ".join(_kpi(k) for k in kpi.itertuples()),) if len(kpi) else ())
            fewer = f"; phone-only drivers: {r.n_complete}" if r.n_complete < r.n_used else ""
            tables.append(SummaryTable(f"{g}: n = {r.n_used} (of {r.n_input}{fewer}), R² = {r.r2:.3f} "
                                       f"[{r.r2_ci_low:.3f}, {r.r2_ci_high:.3f}]" + borrowed + unstable,
                                       self.display_table(g), notes=notes))
        if len(self.exclusion_counts):
            counts = self.exclusion_counts.assign(group=self.exclusion_counts.group.map(
                lambda v: v if isinstance(v, str) else "(no group)"))
            tables.append(SummaryTable("Not used (respondents by reason)",
                                       counts.rename(columns={"code": "reason", "n": "respondents"})))
        if len(self.warnings):
            tables.append(SummaryTable("Warnings", notes=tuple(f"[{_where(w.group)}] {w.severity}: {w.message}"
                                                              for w in self.warnings.itertuples())))
        return Summary(f"{self._headline()}\n{pooling_sentence(self)}", tuple(tables))

    def __repr__(self) -> str:
        return (f"DriverAnalysis(outcome={self.settings.outcome!r}, by={self.settings.by!r}, "
                f"groups={len(self.group_names)}, n_used={self.n_used}, n_input={self.n_input})")

    def _repr_html_(self) -> str:
        return self.summary().as_html()

    # ----------------------------------------------------------------- plots
    def plot_priorities(self, group: str | None = None, lang: str = "en", ax=None):
        """The priority matrix of one group (default: the whole sample), as the reports draw it.

        Performance (0-100) against importance, quadrants by colour and shape, intervals,
        drivers labelled with the questionnaire's labels in ``lang`` ('en' or 'nl'),
        axes fitted to the data (:func:`analysis.drivers.plot.draw_priorities`, the
        function behind the reports' figure). Returns the Axes.
        """
        check_option("lang", lang)
        name = self._check_group(group)
        measure = self.settings.importance
        g = self.groups.set_index("group").loc[name]
        rows = []
        for r in self.group(name).sort_values("priority").itertuples():
            imp, low, high = importance_shown(r, measure)
            rows.append({"driver_label": self.driver_labels.get(r.driver, {}).get(lang, r.driver),
                         "quadrant": r.quadrant, "importance": imp, "importance_low": low, "importance_high": high,
                         "performance": r.performance, "performance_low": r.performance_ci_low,
                         "performance_high": r.performance_ci_high})
        return plot_rows(rows, group=name, crosshair_importance=g.crosshair_importance,
                         crosshair_performance=g.crosshair_performance, measure=measure, lang=lang, ax=ax)

    def plot_importance(self, group: str | None = None, ax=None):
        """Horizontal bars of the LMG shares (% of R²) with their bootstrap intervals; returns the Axes."""
        import matplotlib.pyplot as plt

        t = self.group(self._check_group(group)).sort_values("lmg_pct")
        if ax is None:
            _, ax = plt.subplots(figsize=(7, 0.45 * len(t) + 1.5))
        err = np.vstack([t.lmg_pct - t.ci_low, t.ci_high - t.lmg_pct]).clip(min=0)
        ax.barh(t.driver, t.lmg_pct, xerr=err, color="0.55", capsize=3)
        ax.set_xlabel(f"LMG share of R² (%), {100 * self.settings.level:g}% bootstrap interval")
        ax.set_title(f"Driver importance: {self._check_group(group)} (R² = {t.r2.iloc[0]:.2f}, n = {t.n.iloc[0]})")
        return ax


def own_weight_phrase(group_row) -> str:
    """How much a pooled group's own data weigh, worded as the report words it.

    ``group_row`` is the group's row of :attr:`DriverAnalysis.groups`. The effective
    number of respondents is what the pooled figures are worth, not the own data: "own
    data weigh 13% (the figures are worth 2,649 respondents, 357 of its own)".
    """
    return (f"own data weigh {100 * group_row.pooling_weight:.0f}% (the figures are worth "
            f"{group_row.n_effective:,.0f} respondents, {int(group_row.n_used):,} of its own)")


def _where(group) -> str:
    return str(group) if isinstance(group, str) else "all groups"


def _num(v, digits: int) -> str:
    return "-" if v is None or v is pd.NA or not np.isfinite(v) else f"{v:.{digits}f}"


def _ci(v, lo, hi, digits: int) -> str:
    if _num(v, digits) == "-":
        return "-"
    return f"{v:.{digits}f} [{_num(lo, digits)}, {_num(hi, digits)}]"


def _kpi(k) -> str:
    """'CSAT % 80.0 [70.1, 87.3]', or with the reason where there is no interval."""
    if isinstance(k.ci_note, str):
        return f"{k.kpi} {_num(k.estimate, 1)} (no interval: {k.ci_note})"
    return f"{k.kpi} {_ci(k.estimate, k.ci_low, k.ci_high, 1)}"


def _rank(v, lo, hi) -> str:
    if v is pd.NA or v is None:
        return "-"
    if lo is pd.NA or hi is pd.NA:
        return f"{int(v)}"
    return f"{int(v)} [{int(lo)}-{int(hi)}]"


def _stars(p: float) -> str:
    return "***" if p < .001 else "**" if p < .01 else "*" if p < .05 else ""
