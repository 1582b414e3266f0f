"""The result of :func:`analysis.trends.analyse.analyse_waves`."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.common.display import Summary, SummaryTable

# Okabe & Ito (2008) colour-blind-safe palette: one colour per organisation.
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")


@dataclass(frozen=True)
class TrendSettings:
    """The options of a trend analysis (``seed`` is the one used, also when drawn at random)."""

    by: str
    wave: str | None
    period: str | None
    waves: tuple
    bootstrap: int
    seed: int
    level: float
    run_length: int
    baseline: str


@dataclass(frozen=True)
class TrendAnalysis:
    """KPIs and driver importance per wave, change between waves, CSAT control charts.

    Attributes
    ----------
    settings : TrendSettings
    n_used, n_input : int
        Respondents with a wave and a group, and all respondents (the others have no
        wave or no group and are left out).
    kpis : DataFrame
        :func:`analysis.drivers.kpis.kpi_table` per ``by`` and ``wave``: ``kpi``, ``n``,
        ``n_missing``, ``estimate``, ``ci_low``, ``ci_high``, ``ci_reason``, ``ci_note``.
    importance : DataFrame
        ``by``, ``wave``, ``driver``, ``n`` (complete cases), ``share`` (LMG, % of R²),
        ``ci_low``, ``ci_high`` (bootstrap percentile).
    changes : DataFrame
        Consecutive waves: ``by``, ``measure`` ('CSAT %', 'NPS', 'LMG share %'),
        ``driver`` (LMG rows), ``from_wave``, ``to_wave``, ``difference`` (to minus
        from), ``ci_low``, ``ci_high``, ``p_value``, ``significant`` (p < 1 - level).
    control_chart : DataFrame
        p-chart of CSAT % per group: ``by``, ``wave``, ``n``, ``csat``, ``centre``,
        ``lcl``, ``ucl`` (3 sigma; the centre and limits from the earlier waves
        with ``baseline='history'``, none for the first wave), the rules ``beyond_limits``, ``two_of_three``,
        ``run`` and ``signal`` (any of them: a structural change, not noise).
    """

    settings: TrendSettings
    n_used: int
    n_input: int
    kpis: pd.DataFrame
    importance: pd.DataFrame
    changes: pd.DataFrame
    control_chart: pd.DataFrame

    def signals(self) -> pd.DataFrame:
        """The control-chart points that signal a structural change."""
        return self.control_chart[self.control_chart["signal"]].reset_index(drop=True)

    def summary(self) -> Summary:
        """KPIs per wave, the latest changes and the control-chart signals."""
        s = self.settings
        source = f"column '{s.wave}'" if s.wave else f"{s.period} of contact_date"
        heading = (f"Trends across {len(s.waves)} waves ({source}) by '{s.by}': {self.n_used} of {self.n_input} "
                   f"respondents; {s.bootstrap} resamples per group and wave (seed {s.seed}), level {s.level:g}")
        wide = self.kpis.pivot_table(index=[s.by, "kpi"], columns="wave", values="estimate", sort=False)
        wide = wide.reset_index()
        wide.columns = [str(c) for c in wide.columns]
        last = s.waves[-1]
        latest = self.changes[self.changes["to_wave"] == last]
        latest = latest[(latest["measure"] != "LMG share %") | latest["significant"]]
        signals = self.signals()
        notes = (() if len(signals) else ("no point outside the control limits or in a run: no structural change",))
        return Summary(heading, (
            SummaryTable("KPIs per wave", wide, digits=1),
            SummaryTable(f"Since the last wave ({s.waves[-2]} -> {last}); LMG rows only where significant",
                         latest.drop(columns=["from_wave", "to_wave"]), digits=3),
            SummaryTable("Control-chart signals (CSAT % p-chart, 3-sigma limits and run rules)",
                         signals[[s.by, "wave", "n", "csat", "centre", "lcl", "ucl", "beyond_limits",
                                  "two_of_three", "run"]], notes=notes, digits=1),
        ))

    def _repr_html_(self) -> str:
        return self.summary().as_html()

    def plot_trends(self, ax=None, group=None):
        """CSAT % per wave per group with its control limits; signals marked (colour-blind-safe colours).

        Parameters
        ----------
        ax : matplotlib Axes, optional
        group : str, optional
            One group (default: every group, one line each).

        Returns
        -------
        matplotlib Axes
        """
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 4))
        by = self.settings.by
        chart = self.control_chart if group is None else self.control_chart[self.control_chart[by] == group]
        for k, (name, part) in enumerate(chart.groupby(by, sort=False)):
            colour = OKABE_ITO[k % len(OKABE_ITO)]
            x = [str(w) for w in part["wave"]]
            ax.plot(x, part["csat"], marker="o", color=colour, label=str(name))
            ax.plot(x, part["ucl"], linestyle=":", color=colour, linewidth=1)
            ax.plot(x, part["lcl"], linestyle=":", color=colour, linewidth=1)
            hit = part["signal"].to_numpy()
            if hit.any():
                ax.scatter([v for v, h in zip(x, hit) if h], part["csat"][hit], s=120, facecolors="none",
                           edgecolors="black", linewidths=1.5, zorder=3)
        ax.set_xlabel("wave")
        ax.set_ylabel("CSAT % (dotted: 3-sigma limits; circled: signal)")
        ax.legend(frameon=False, fontsize="small")
        return ax
