"""Per-agent feedback: KPIs and the agent drivers, shrunk toward the team, for coaching.

:func:`analyse_agents` takes the responses and, per agent (``agent_id``) within each team
(the ``by`` column, e.g. the organisation or a team column):

* the **KPIs** (CSAT, NPS, CES, FCR; :func:`analysis.drivers.kpis.kpi_table`, with their
  intervals) beside the team's;
* the **mean scores of the drivers that are about the agent** (:data:`AGENT_DRIVERS`),
  raw and shrunk toward the team mean with a hierarchical normal model
  (:mod:`analysis.agents.shrinkage`; Efron & Morris 1975, Gelman & Hill 2007 ch. 12), with
  posterior intervals that carry the uncertainty of the team's mean and of the agents'
  spread (Morris 1983; Chung et al. 2013), so never of width zero.

Privacy and fairness. Agents with fewer usable respondents than ``min_n`` are
*withheld*: they inform the team's model (their answers are real) but appear in no
table, only in a count per team. Agents are listed in order of their id, never by score
(``rank=False``): the output is for coaching, not a league table. Respondents flagged
by the reader (straight-lining, speeding, too many missing), without a team or without
an agent id are left out and counted per reason.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.agents.result import AgentAnalysis
from analysis.agents.shrinkage import fit_team, shrink
from analysis.common.errors import DataError, OptionError
from analysis.common.options import validate_options
from analysis.common.thresholds import MIN_N_AGENT
from analysis.drivers.kpis import kpi_table
from analysis.scoring.sample import check_column_option, check_group_column
from analysis.scoring.scores import construct_scores
from instrument import Instrument
from instrument.reader.flags import FLAG_COLUMNS

# The drivers that are about the agent, from the seed article (/work/shared/seeds/003_*.txt,
# 'De 7 drivers voor een top klantenservice ervaring'): empathy "heeft vooral te maken met
# de rol van de medewerker" (friendly, listens, takes the customer seriously); customer
# knowledge is the agent having the customer's data and history at hand and showing it;
# reliability is asking the right questions and resolving the request in one go. The
# questionnaire does not mark this, so it is declared here once. Drivers of this list the
# questionnaire lacks are skipped.
AGENT_DRIVERS = ("reliability", "empathy", "customer_knowledge")
KPI_MEASURES = ("csat", "nps", "ces", "fcr")


def _excluded_counts(reasons: pd.Series) -> pd.DataFrame:
    counts = reasons[reasons != ""].value_counts()
    return pd.DataFrame({"reason": counts.index.astype(str), "n": counts.to_numpy(dtype=int)})


def check_agents(data: pd.DataFrame, agent: str = "agent_id") -> pd.Series:
    """Each respondent's agent id (missing where blank); raises when the data have no agent ids to analyse.

    Called by :func:`analyse_agents`, and by the command line before a long run (``drivers
    report --by-agent``), so a file without agent ids fails at once.

    Raises
    ------
    ColumnOptionError
        ``agent`` is not a column of the data.
    DataError
        No respondent has an agent id (the reader adds an absent ``agent_id`` as an
        empty column, so a file without one ends here).
    """
    check_column_option(data, "agent", agent)
    ids = data[agent].astype("string").str.strip().replace("", pd.NA)
    if ids.isna().all():
        raise DataError("no respondent has an agent id; fill in the id of the agent who served each respondent, or "
                        "name the column that holds them", column=agent)
    return ids


@validate_options("level", "min_n")
def analyse_agents(data: pd.DataFrame, inst: Instrument, by: str = "organisation", agent: str = "agent_id", *,
                   min_n: int = MIN_N_AGENT, level: float = 0.95, rank: bool = False) -> AgentAnalysis:
    """KPIs and agent-driver scores per agent, shrunk toward the team, for the team lead.

    Parameters
    ----------
    data : DataFrame
        Responses as read by :func:`instrument.read_responses` (codes; flag columns).
    inst : Instrument
    by : str, default "organisation"
        The team column: agents are shrunk toward the mean of their team.
    agent : str, default "agent_id"
        The agent column.
    min_n : int, default :data:`~analysis.common.thresholds.MIN_N_AGENT`
        Agents with fewer usable respondents are withheld (counted per team, not named).
    level : float, default 0.95
        Level of the KPI and posterior intervals.
    rank : bool, default False
        False: agents in order of their id. True: adds a ``rank`` column (1 = highest mean
        of the shrunk agent-driver scores) and orders by it, for those who ask for it.

    Returns
    -------
    AgentAnalysis

    References
    ----------
    Efron & Morris (1975); Gelman & Hill (2007, ch. 12); Morris (1983); Chung et al. (2013);
    Gelman et al. (2013, sec. 5.4).
    Full entries in :mod:`analysis.agents.shrinkage`.

    Examples
    --------
    >>> from instrument import load_instrument, read_responses
    >>> inst = load_instrument()
    >>> data, quality = read_responses("data/example/responses.csv", inst)
    >>> res = analyse_agents(data, inst, min_n=10)
    >>> list(res.scores.columns[:4])
    ['group', 'agent', 'driver', 'n']
    """
    if not isinstance(rank, bool):
        raise OptionError("rank", f"must be True or False, got {rank!r}")
    check_group_column(data, by)
    agent_ids = check_agents(data, agent)
    drivers = [d for d in AGENT_DRIVERS if d in inst.driver_keys]
    if not drivers:
        raise DataError("the questionnaire has none of the drivers about the agent "
                        f"({', '.join(AGENT_DRIVERS)}); add them to analyse agents")
    flags = [c for c in FLAG_COLUMNS if c in data.columns]
    flagged = data[flags].fillna(False).to_numpy(dtype=bool).any(axis=1) if flags else np.zeros(len(data), bool)
    team = data[by].astype("string")
    reason = np.where(team.isna().to_numpy(), f"no value in the team column '{by}'",
                      np.where(flagged, "flagged by the data-quality checks",
                               np.where(agent_ids.isna().to_numpy(), f"no agent id in '{agent}'", "")))
    reason = pd.Series(reason, index=data.index)
    keep = (reason == "").to_numpy()
    if not keep.any():
        counts = "; ".join(f"{r.n} {r.reason}" for r in _excluded_counts(reason).itertuples())
        raise DataError(f"no respondent is left to analyse per agent ({counts}); check the team column and the "
                        "data-quality flags", column=agent)
    work = pd.DataFrame({"group": team[keep].astype(str).to_numpy(), "agent": agent_ids[keep].astype(str).to_numpy()})
    scores = construct_scores(data.loc[keep], inst, drivers).reset_index(drop=True)

    sizes = work.groupby(["group", "agent"]).size().rename("n").reset_index()
    shown = sizes[sizes.n >= min_n]
    withheld = (sizes[sizes.n < min_n].groupby("group")
                .agg(n_agents=("agent", "size"), n_respondents=("n", "sum")).reset_index())
    withheld = (pd.DataFrame({"group": sizes.group.unique()}).merge(withheld, how="left", on="group")
                .fillna(0).astype({"n_agents": int, "n_respondents": int}))

    score_rows, team_rows = [], []
    for d in drivers:
        values = scores[d].to_numpy(dtype=float)
        for g, idx in work.groupby("group").indices.items():
            ok = idx[np.isfinite(values[idx])]
            fit = fit_team(values[ok], work.agent.to_numpy()[ok])
            team_rows.append({"group": g, "driver": d, "mean": float(values[ok].mean()), "mu": fit.mu,
                              "tau2": fit.tau2, "sigma2": fit.sigma2, "n_agents": fit.n_agents, "n": fit.n_answers})
            per = pd.DataFrame({"agent": work.agent.to_numpy()[ok], "y": values[ok]}).groupby("agent").y.agg(
                ["size", "mean"])
            per = per[per.index.isin(shown.agent[shown.group == g])]
            post = shrink(per["mean"].to_numpy(), per["size"].to_numpy(), fit, level)
            score_rows.append(pd.DataFrame({"group": g, "agent": per.index.astype(str), "driver": d,
                                            "n": per["size"].to_numpy(dtype=int), "raw_mean": per["mean"].to_numpy(),
                                            "estimate": post["estimate"], "ci_low": post["ci_low"],
                                            "ci_high": post["ci_high"], "weight": post["weight"],
                                            "team_mean": fit.mu}))
    score_table = pd.concat(score_rows, ignore_index=True) if score_rows else pd.DataFrame(
        columns=["group", "agent", "driver", "n", "raw_mean", "estimate", "ci_low", "ci_high", "weight", "team_mean"])
    teams = pd.DataFrame(team_rows)

    kpi_columns = {f"{m}_column": q.id for m in KPI_MEASURES
                   if (q := inst.question_for(m)) is not None and q.id in data.columns}
    kpis = team_kpis = pd.DataFrame()
    if kpi_columns:
        frame = data.loc[keep, list(kpi_columns.values())].reset_index(drop=True).assign(
            group=work.group, agent=work.agent)
        frame = frame.merge(shown[["group", "agent"]], on=["group", "agent"])
        kpis = kpi_table(frame, by=["group", "agent"], level=level, **kpi_columns) if len(frame) else kpis
        team_kpis = kpi_table(data.loc[keep, list(kpi_columns.values())].assign(group=work.group.to_numpy()),
                              by="group", level=level, **kpi_columns)

    order = ["group", "agent"]
    if rank and len(score_table):
        overall = score_table.groupby(["group", "agent"]).estimate.mean().rename("overall").reset_index()
        overall["rank"] = overall.groupby("group").overall.rank(ascending=False, method="min").astype(int)
        score_table = score_table.merge(overall[["group", "agent", "rank"]], on=["group", "agent"])
        order = ["group", "rank", "agent"]
    score_table = score_table.sort_values([*order, "driver"], kind="stable", key=_driver_key(drivers)).reset_index(
        drop=True)
    if len(kpis):
        kpis = kpis.sort_values(["group", "agent"], kind="stable").reset_index(drop=True)
    return AgentAnalysis(scores=score_table, teams=teams, kpis=kpis, team_kpis=team_kpis, withheld=withheld,
                         excluded=_excluded_counts(reason), drivers=tuple(drivers), by=by, min_n=min_n, level=level,
                         ranked=rank)


def _driver_key(drivers: list[str]):
    """Sort key: drivers in questionnaire order, every other column as it is."""
    def key(col: pd.Series) -> pd.Series:
        return col.map({d: k for k, d in enumerate(drivers)}) if col.name == "driver" else col
    return key
