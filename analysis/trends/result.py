"""The result of :func:`analysis.trends.analyse.analyse_waves`."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.common.display import Summary, SummaryTable
from analysis.common.errors import OptionError


def _table(title: str, frame: pd.DataFrame, *, digits: int, empty: str) -> SummaryTable:
    """A summary table, or its title and the sentence ``empty`` when it has no rows."""
    if len(frame):
        return SummaryTable(title, frame, digits=digits)
    return SummaryTable(title, None, notes=(empty,), digits=digits)


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
        # an empty table is left out (pandas would print 'Empty DataFrame'); its sentence says why
        return Summary(heading, (
            SummaryTable("KPIs per wave", wide, digits=1),
            _table(f"Since the last wave ({s.waves[-2]} -> {last}); LMG rows only where significant",
                   latest.drop(columns=["from_wave", "to_wave"]), digits=3,
                   empty="nothing to show: no group has KPI answers in both waves, and no driver share changed "
                         "significantly"),
            _table("Control-chart signals (CSAT % p-chart, 3-sigma limits and run rules)",
                   signals[[s.by, "wave", "n", "csat", "centre", "lcl", "ucl", "beyond_limits", "two_of_three", "run"]],
                   digits=1, empty="no point outside the control limits or in a run: no structural change"),
        ))

    def _repr_html_(self) -> str:
        return self.summary().as_html()

    def to_dict(self) -> dict:
        """JSON-ready: settings, counts and each table as records (``drivers trends --json``)."""
        from dataclasses import asdict

        from analysis.common.serialize import jsonable

        return jsonable({"settings": asdict(self.settings), "n_used": self.n_used, "n_input": self.n_input,
                         **{name: getattr(self, name).to_dict(orient="records")
                            for name in ("kpis", "importance", "changes", "control_chart")}})

    def _groups(self, group) -> list:
        by = self.settings.by
        present = list(dict.fromkeys(self.control_chart[by].tolist() + self.kpis[by].tolist()))
        if group is None:
            return present
        if group not in present:
            raise OptionError("group", f"must be one of {', '.join(map(str, present))}, got {group!r}")
        return [group]

    @staticmethod
    def _axes(ax, figsize=(7, 4)):
        if ax is None:
            import matplotlib.pyplot as plt

            _, ax = plt.subplots(figsize=figsize)
        return ax

    def plot(self, ax=None, group=None):
        """The CSAT control chart: CSAT % per wave per group with its centre line and 3-sigma band, signals circled.

        Drawn by :func:`analysis.trends.plot.draw_control_chart`, as in the reports'
        section 'Since the last wave'. A point inside the band is noise; a circled one
        is a structural change (:func:`analysis.trends.changes.p_chart`).

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Where to draw (default: a new figure).
        group : str, optional
            One group (default: every group, one line each).

        Returns
        -------
        matplotlib Axes
        """
        from analysis.trends.plot import control_chart_rows, draw_control_chart, series_from_rows

        ax = self._axes(ax)
        rows = control_chart_rows(self.control_chart, self.settings.by, self._groups(group))
        return draw_control_chart(ax, series_from_rows(rows), self.settings.waves)

    def plot_panels(self, ncols: int | None = None):
        """The CSAT control chart of each group in its own panel (small multiples), on shared axes.

        What ``drivers trends --plot`` writes: readable for 4 to 20 groups, where one
        chart of every group's line and band is not (:func:`analysis.trends.plot.draw_control_panels`).

        Parameters
        ----------
        ncols : int, optional
            Panels per row (default: up to 4).

        Returns
        -------
        matplotlib Figure
        """
        from analysis.trends.plot import control_chart_rows, draw_control_panels, series_from_rows

        rows = control_chart_rows(self.control_chart, self.settings.by, self._groups(None))
        return draw_control_panels(series_from_rows(rows), self.settings.waves, ncols=ncols)

    def plot_trends(self, ax=None, group=None):
        """The same as :meth:`plot` (the CSAT control chart); kept for ``drivers trends --plot`` and older notebooks."""
        return self.plot(ax=ax, group=group)

    def plot_kpi(self, kpi: str = "NPS", ax=None, group=None):
        """A KPI per wave per group with its interval.

        Parameters
        ----------
        kpi : str, default 'NPS'
            A value of ``kpis['kpi']``: 'CSAT %', 'NPS', 'CES mean', 'CES % easy', 'FCR % yes'.
        ax : matplotlib Axes, optional
        group : str, optional
            One group (default: every group, one line each).

        Returns
        -------
        matplotlib Axes
        """
        from analysis.trends.plot import draw_series, kpi_rows, series_from_rows

        known = list(dict.fromkeys(self.kpis["kpi"]))
        if kpi not in known:
            raise OptionError("kpi", f"must be one of {', '.join(known)}, got {kpi!r}")
        ax = self._axes(ax)
        rows = kpi_rows(self.kpis, self.settings.by, kpi, self._groups(group))
        return draw_series(ax, series_from_rows(rows), self.settings.waves, y=kpi, zero_line=kpi == "NPS")

    def plot_importance(self, group, ax=None, labels: dict | None = None):
        """One group's LMG shares (% of R²) per wave with their bootstrap intervals, one line per driver.

        Parameters
        ----------
        group : str
        ax : matplotlib Axes, optional
        labels : dict, optional
            Driver key -> name shown (default: the keys).

        Returns
        -------
        matplotlib Axes
        """
        from analysis.trends.plot import TEXTS, draw_series, series_from_rows, share_rows

        self._groups(group)
        ax = self._axes(ax, figsize=(8, 4))
        rows = share_rows(self.importance, self.settings.by, group, labels)
        return draw_series(ax, series_from_rows(rows), self.settings.waves, y=TEXTS["share"])
