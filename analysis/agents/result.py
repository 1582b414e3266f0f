"""The result of :func:`analysis.agents.analyse.analyse_agents`."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.common.display import Summary, SummaryTable
from analysis.common.serialize import jsonable


@dataclass(frozen=True)
class AgentAnalysis:
    """KPIs and agent-driver scores per agent, shrunk toward the team.

    Attributes
    ----------
    scores : DataFrame
        One row per shown agent and agent driver: ``group`` (team), ``agent``, ``driver``,
        ``n`` (answers), ``raw_mean`` (the agent's own mean score, 1-7), ``estimate``
        (shrunk toward the team: the posterior mean), ``ci_low``/``ci_high`` (posterior
        interval at ``level``: given the model, the agent's true mean lies in it with that
        probability), ``weight`` (the weight of the agent's own mean, 0-1) and
        ``team_mean`` (the posterior mean of the team's mean, what the agent is shrunk
        toward). The interval carries the uncertainty of the team's mean and spread, so it
        is never of width zero (:mod:`analysis.agents.shrinkage`). With
        ``rank=True`` also ``rank``. Ordered by team, agent id and driver unless ranked.
    teams : DataFrame
        Per team and driver: ``mean`` (all its answers), ``mu`` (posterior mean of the
        team mean), ``tau2`` (variance of the agents' true means: its posterior mode, never
        0; NaN with fewer than 3 agents), ``sigma2`` (within-agent variance), ``n_agents``
        (including withheld agents), ``n``.
    kpis : DataFrame
        :func:`~analysis.drivers.kpis.kpi_table` per shown agent (``group``, ``agent``,
        ``kpi``, ``n``, ``estimate``, ``ci_low``, ``ci_high``, ...); raw, with their
        intervals (not shrunk).
    team_kpis : DataFrame
        The same per team (all its usable respondents, withheld agents' too).
    withheld : DataFrame
        Per team: ``n_agents`` and ``n_respondents`` of agents under ``min_n`` (never named).
    excluded : DataFrame
        ``reason``, ``n``: respondents left out (flagged, no team, no agent id).
    drivers : tuple of str
        The agent drivers analysed.
    by : str
    min_n : int
    level : float
    ranked : bool
    """

    scores: pd.DataFrame
    teams: pd.DataFrame
    kpis: pd.DataFrame
    team_kpis: pd.DataFrame
    withheld: pd.DataFrame
    excluded: pd.DataFrame
    drivers: tuple[str, ...]
    by: str
    min_n: int
    level: float
    ranked: bool = False

    @property
    def agents(self) -> list[tuple[str, str]]:
        """(team, agent) of the shown agents, in table order."""
        return list(dict.fromkeys(zip(self.scores.group, self.scores.agent)))

    def agent_scores(self, group: str, agent: str) -> pd.DataFrame:
        """One agent's rows of :attr:`scores` (one per driver)."""
        return self.scores[(self.scores.group == group) & (self.scores.agent == agent)].reset_index(drop=True)

    def agent_kpis(self, group: str, agent: str) -> pd.DataFrame:
        """One agent's KPIs beside the team's: ``kpi``, agent ``n``/``estimate``/interval, ``team_estimate``."""
        if not len(self.kpis):
            return pd.DataFrame(columns=["kpi", "n", "estimate", "ci_low", "ci_high", "team_estimate"])
        mine = self.kpis[(self.kpis.group == group) & (self.kpis.agent == agent)]
        team = self.team_kpis[self.team_kpis.group == group].set_index("kpi").estimate
        return mine[["kpi", "n", "estimate", "ci_low", "ci_high"]].assign(
            team_estimate=mine.kpi.map(team).to_numpy()).reset_index(drop=True)

    def summary(self) -> Summary:
        """Per team: the agents' shrunk scores with intervals (by agent id), and what was withheld or left out."""
        n_shown = len(self.agents)
        heading = (f"Agents: {n_shown} shown in {self.teams.group.nunique() if len(self.teams) else 0} team(s) "
                   f"('{self.by}'); agents with fewer than {self.min_n} respondents withheld; "
                   f"{'ranked by score' if self.ranked else 'in order of agent id (no ranking)'}")
        wide = self.scores.assign(cell=[f"{e:.2f} [{lo:.2f}, {hi:.2f}]" for e, lo, hi in
                                        zip(self.scores.estimate, self.scores.ci_low, self.scores.ci_high)])
        tables = []
        if len(wide):
            index = ["group", *(["rank"] if self.ranked else []), "agent"]
            table = wide.pivot_table(index=index, columns="driver", values="cell", aggfunc="first", sort=False)
            n = wide.groupby(index, sort=False).n.max()
            table.insert(0, "n", n)
            tables.append(SummaryTable(
                "Agent-driver scores (1-7), shrunk toward the team",
                table.reset_index()[[*index, "n", *[d for d in self.drivers if d in table.columns]]],
                notes=(f"estimate [{self.level:.0%} posterior interval]: an agent with few answers is pulled "
                       "toward the team's mean; the interval allows for the uncertainty of the team's mean and "
                       "of how much its agents differ (hierarchical normal model; Efron & Morris 1975, "
                       "Morris 1983, Chung et al. 2013)",)))
        if len(self.teams):
            tables.append(SummaryTable("Teams", self.teams, digits=2))
        notes = tuple(f"{r.group}: {r.n_agents} agent(s) withheld ({r.n_respondents} respondents)"
                      for r in self.withheld.itertuples() if r.n_agents)
        notes += tuple(f"left out: {r.n} respondents ({r.reason})" for r in self.excluded.itertuples())
        if notes:
            tables.append(SummaryTable("Withheld and left out", None, notes=notes))
        return Summary(heading, tuple(tables))

    def to_dict(self) -> dict:
        """JSON-ready (``drivers agents --json``): settings, and each table as records.

        Agent ids appear only where :attr:`scores` and :attr:`kpis` show them: the agents
        with at least ``min_n`` respondents. Withheld agents are counts per team
        (``withheld``), never ids; the document is for the team lead, like the agent pages,
        not for an organisation-level report.
        """
        return jsonable({"settings": {"by": self.by, "min_n": self.min_n, "level": self.level,
                                      "ranked": self.ranked, "drivers": list(self.drivers)},
                         "n_agents_shown": len(self.agents),
                         **{name: getattr(self, name).to_dict(orient="records")
                            for name in ("scores", "kpis", "teams", "team_kpis", "withheld", "excluded")}})
