"""Planted agent effects: some agents serve better than others, on the drivers that are about the agent.

With ``simulate_study(..., agent_sd=...)`` (or ``agent_effects=``) every agent ``a`` of
organisation ``g`` gets an effect ``u_a ~ N(0, agent_sd²)`` (latent SD units; a given
``agent_effects[agent_id]`` replaces the draw), added to the latent scores of the agent
drivers (:data:`AGENT_DRIVERS`) of the respondents the agent served. Through the
structural model the effect also reaches satisfaction and the KPIs, as it would in a
real contact centre. Respondents are assigned to the organisation's
:data:`AGENTS_PER_ORG` agents uniformly, as without planted effects; whether the
agent id is *recorded* stays a matter of the channel (``AGENT_ID_SHARE``).

The truth (``truth["agents"]``) holds per agent its effect and, per agent driver, the
expected construct score of its respondents (the mean of the items' expected answers,
``min + sum_c Phi(lambda (mu_g + u_a) - tau_c)`` on the keyed scale, where ``y* =
lambda z + sqrt(1 - lambda²) e`` has variance 1). That is the target of an agent's mean
score when there are no straight-liners (they answer a constant, whatever the agent
did); blanks at random do not move it.
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from scipy.stats import norm

from analysis.common.errors import ServiceDriversError
from analysis.simulation.model import OrgProfile, item_loading, item_thresholds
from instrument import Instrument

# The drivers that are about the agent (seed article /work/shared/seeds/003_*.txt: empathy
# is "the role of the agent"; customer knowledge is the agent having and showing the
# customer's data and history; reliability is asking the right questions and resolving in
# one go). The same list as analysis.agents.analyse.AGENT_DRIVERS (not imported: the
# simulation does not depend on the analyses).
AGENT_DRIVERS = ("reliability", "empathy", "customer_knowledge")
# Agents per organisation (ids A<org><agent>, e.g. A01007).
AGENTS_PER_ORG = 30


def agent_id(org_index: int, agent_number: int) -> str:
    """The id of agent ``agent_number`` (1..) of organisation ``org_index`` (0..)."""
    return f"A{org_index + 1:02d}{agent_number:03d}"


def draw_agent_effects(rng: np.random.Generator, n_orgs: int, agent_sd: float,
                       agent_effects: Mapping[str, float]) -> dict[str, float]:
    """Agent id -> effect (latent SD units): ``N(0, agent_sd²)`` draws, replaced where ``agent_effects`` names the agent."""
    ids = [agent_id(k, a) for k in range(n_orgs) for a in range(1, AGENTS_PER_ORG + 1)]
    drawn = dict(zip(ids, (agent_sd * rng.standard_normal(len(ids))).round(4).tolist()))
    unknown = [k for k in agent_effects if k not in drawn]
    if unknown:
        raise ServiceDriversError(f"agent_effects names unknown agent(s) {', '.join(map(str, unknown))}; "
                         f"give ids from {ids[0]} to {ids[-1]}")
    drawn.update({k: float(v) for k, v in agent_effects.items()})
    return drawn


def latent_shift(inst: Instrument, agent_numbers: np.ndarray, org_index: int,
                 effects: Mapping[str, float]) -> np.ndarray:
    """(n, drivers) shifts of the latent driver scores of one organisation's respondents."""
    drivers = list(inst.driver_keys)
    per_respondent = np.array([effects[agent_id(org_index, int(a))] for a in agent_numbers])
    shift = np.zeros((agent_numbers.shape[0], len(drivers)))
    for key in AGENT_DRIVERS:
        if key in drivers:
            shift[:, drivers.index(key)] = per_respondent
    return shift


def expected_score(inst: Instrument, construct: str, latent_mean: float, item_shifts: Mapping[str, float]) -> float:
    """Expected construct score (keyed items' mean answer) of respondents whose latent mean is ``latent_mean``."""
    values = []
    for item in inst.construct(construct).items:
        scale = inst.scale(item.scale)
        cuts = item_thresholds(item.id, len(scale.codes)) - item_shifts.get(item.id, 0.0)
        # P(answer > min + c) = P(y* > cut_c), y* ~ N(lambda m, 1); keyed scale (reverse items are re-keyed).
        values.append(scale.min + float(norm.sf(cuts - item_loading(item.id) * latent_mean).sum()))
    return float(np.mean(values))


def agents_truth(inst: Instrument, profiles: list[OrgProfile], effects: Mapping[str, float]) -> dict:
    """``truth["agents"]``: the model, and per agent its organisation, effect and expected agent-driver scores."""
    drivers = [d for d in AGENT_DRIVERS if d in inst.driver_keys]
    agents = {}
    for k, profile in enumerate(profiles):
        for a in range(1, AGENTS_PER_ORG + 1):
            key = agent_id(k, a)
            u = effects[key]
            agents[key] = {"organisation": profile.name, "effect": u,
                           "expected_score": {d: round(expected_score(inst, d, profile.means.get(d, 0.0) + u,
                                                                      profile.item_shifts), 4) for d in drivers}}
    return {"drivers": drivers, "agents_per_org": AGENTS_PER_ORG,
            "note": ("effect: latent SD units added to the agent drivers of the agent's respondents; "
                     "expected_score: the construct score's expectation without straight-liners"),
            "agents": agents}
