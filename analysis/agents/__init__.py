"""Teams and agents: per-agent KPIs and agent-driver scores, shrunk toward the team, for coaching.

* :mod:`~analysis.agents.shrinkage` -- the hierarchical normal model (Efron & Morris 1975;
  Gelman & Hill 2007, ch. 12) with posterior intervals that carry the uncertainty of the
  team's mean and spread (Morris 1983; Chung et al. 2013);
* :mod:`~analysis.agents.analyse` -- :func:`analyse_agents`: which respondents, which
  drivers, withheld agents, KPIs per agent;
* :mod:`~analysis.agents.result` -- :class:`AgentAnalysis`, its tables and ``summary()``.
"""
from analysis.agents.analyse import AGENT_DRIVERS, analyse_agents
from analysis.agents.result import AgentAnalysis

__all__ = ["AGENT_DRIVERS", "AgentAnalysis", "analyse_agents"]
