"""Multi-wave simulated studies with known changes between waves.

A repeated study (the same questionnaire every quarter) is simulated as ``n_waves``
independent studies of :func:`~analysis.simulation.simulate.simulate_study`, one per
wave, each with its own random stream (``SeedSequence(seed).spawn(n_waves)``), its
contact dates in its own quarter and a ``wave`` column (1, 2, ...). Two changes are
planted from wave ``change_wave`` on, and recorded in the truth under ``waves``:

* a **level shift**: the first organisation's latent reliability mean moves by
  ``level_shift`` SD (default -1.0). Satisfaction, CSAT, NPS and CES follow it
  through reliability's effect (about .44 of a latent SD of satisfaction at Energie);
* an **effect change**: the second organisation's customer-knowledge effect becomes
  ``effect_after`` (default .40, from .18 at Telecom), so its importance share rises.
  Its latent customer-knowledge mean moves to ``mu * before / after`` at the same
  time, so that ``beta * mu`` and with it the mean of latent satisfaction (and every
  KPI's level) stay as they were; its variance stays 1 (the residual variance gives
  way to the larger R²). The change is in *what matters*, not in *how well it goes*.

Every other organisation and wave is drawn from the same population: a trend method
should flag the planted changes and mostly nothing else.

Agent effects (``agent_sd``, ``agent_effects``; :mod:`analysis.simulation.agents`) and
dissatisfiers (``asymmetry``; :mod:`analysis.simulation.asymmetry`) are planted in every
wave. The agents are the same people in every wave: their effects are drawn once, from a
stream of their own (one more child of the same ``SeedSequence``, so the waves' streams
stay as they were), and each wave assigns its respondents to them anew. The truth's
``agents`` and each organisation's ``asymmetry`` are those of the first wave (the same
in every wave, except the expected scores of the agents of an organisation whose level
shifts: ``per_wave`` holds each wave's).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd

from analysis.common.errors import ServiceDriversError
from analysis.common.options import SEED, validate_options
from analysis.simulation.agents import draw_agent_effects
from analysis.simulation.model import DEFAULT_SEED, DataFeatures, default_profiles
from analysis.simulation.simulate import SimulatedStudy, simulate_study
from instrument import Instrument

__all__ = ["simulate_waves", "WAVE_COLUMN", "MAX_WAVES"]

WAVE_COLUMN = "wave"
MAX_WAVES = 12
LEVEL_DRIVER = "reliability"
EFFECT_DRIVER = "customer_knowledge"


def _quarter_start(first: str, k: int) -> str:
    start = date.fromisoformat(first)
    month = start.month - 1 + 3 * k
    return date(start.year + month // 12, month % 12 + 1, 1).isoformat()


@validate_options("n_waves", "n_orgs", "n_per_org", "truth_draws", "agent_sd", seed=SEED)
def simulate_waves(inst: Instrument, n_waves: int = 4, n_orgs: int = 4, n_per_org: int = 375,
                   seed: int = DEFAULT_SEED, *, change_wave: int | None = None, level_shift: float = -1.0,
                   effect_after: float = .40, features: DataFeatures | None = None,
                   truth_draws: int = 0, agent_sd: float = 0.0, agent_effects: Mapping[str, float] | None = None,
                   asymmetry: Mapping[str, Mapping[str, float]] | None = None) -> SimulatedStudy:
    """Simulate ``n_waves`` waves of a study with a planted level shift and effect change.

    Parameters
    ----------
    inst : Instrument
    n_waves : int, default 4
        Waves (2-12), one quarter apart.
    n_orgs, n_per_org, seed, features, truth_draws
        As in :func:`~analysis.simulation.simulate.simulate_study` (per wave).
    change_wave : int, optional
        First wave with the planted changes (default: the last wave, so the last change
        between consecutive waves is the planted one).
    level_shift : float, default -1.0
        Shift of the first organisation's latent ``reliability`` mean (SD units).
    effect_after : float, default .40
        The second organisation's ``customer_knowledge`` effect from ``change_wave`` on
        (needs at least two organisations; skipped when the questionnaire lacks the driver).
    agent_sd, agent_effects : optional
        Agent effects, as in :func:`~analysis.simulation.simulate.simulate_study`, planted
        in every wave; the same agents (and effects) in every wave.
    asymmetry : mapping, optional
        Planted dissatisfiers, as in :func:`~analysis.simulation.simulate.simulate_study`,
        in every wave.

    Returns
    -------
    SimulatedStudy
        ``responses`` with a ``wave`` column after ``respondent_id`` (respondent ids
        numbered over all waves); ``truth`` with ``waves`` (the planted changes) and
        ``per_wave`` (each wave's truth without the sample details).

    Examples
    --------
    >>> from instrument import load_instrument
    >>> s = simulate_waves(load_instrument(), n_waves=2, n_orgs=2, n_per_org=30, seed=1)
    >>> sorted(s.responses["wave"].unique().tolist()), s.truth["waves"]["change_wave"]
    ([1, 2], 2)
    """
    change_wave = int(n_waves) if change_wave is None else change_wave
    if isinstance(change_wave, bool) or not isinstance(change_wave, (int, np.integer)) \
            or not 2 <= change_wave <= n_waves:
        raise ServiceDriversError(f"change_wave must be a wave from 2 to {n_waves}, got {change_wave!r}")
    features = features or DataFeatures()
    profiles = default_profiles(n_orgs, drivers=tuple(inst.driver_keys))
    level_org = profiles[0].name
    effect_org = profiles[1].name if len(profiles) > 1 and EFFECT_DRIVER in inst.driver_keys else None
    level_driver = LEVEL_DRIVER if LEVEL_DRIVER in inst.driver_keys else inst.driver_keys[0]
    base_effects = {p.name: dict(p.effects) for p in profiles}
    changed_effects = {k: dict(v) for k, v in base_effects.items()}
    shifts_after: dict[str, dict[str, float]] = {level_org: {level_driver: float(level_shift)}}
    if effect_org is not None:
        before = base_effects[effect_org][EFFECT_DRIVER]
        changed_effects[effect_org][EFFECT_DRIVER] = float(effect_after)
        mu = profiles[1].means[EFFECT_DRIVER]
        # keeps beta * mu, so the level of satisfaction does not move with the effect
        shifts_after[effect_org] = {EFFECT_DRIVER: mu * before / effect_after - mu if effect_after else 0.0}

    frames, per_wave = [], []
    # One child per wave and, after them, one for the agents: the waves' streams do not
    # depend on whether agents are planted.
    seeds = np.random.SeedSequence(seed).spawn(int(n_waves) + 1)
    agents = None
    if agent_sd or agent_effects:
        agents = draw_agent_effects(np.random.default_rng(seeds[-1]), len(profiles), float(agent_sd),
                                    agent_effects or {})
    for k, child in enumerate(seeds[:-1], start=1):
        after = k >= change_wave
        study = simulate_study(
            inst, n_orgs=n_orgs, n_per_org=n_per_org, seed=int(child.generate_state(1)[0]),
            effects=changed_effects if after else base_effects,
            features=replace(features, quarter_start=_quarter_start(features.quarter_start, k - 1)),
            truth_draws=truth_draws, mean_shifts=shifts_after if after else None,
            agent_sd=agent_sd, agent_effects=agents, asymmetry=asymmetry)
        frame = study.responses.copy()
        frame.insert(1, WAVE_COLUMN, k)
        frames.append(frame)
        per_wave.append({key: v for key, v in study.truth.items() if key != "sample"})
    responses = pd.concat(frames, ignore_index=True)
    responses["respondent_id"] = [f"R{i:06d}" for i in range(1, len(responses) + 1)]
    truth = dict(per_wave[0])
    truth["generator"] = {**per_wave[0]["generator"], "seed": seed, "n_waves": int(n_waves)}
    truth["waves"] = {
        "column": WAVE_COLUMN, "n_waves": int(n_waves), "change_wave": int(change_wave),
        "level_shift": {"organisation": level_org, "driver": level_driver, "shift_sd": float(level_shift),
                        "direction": "down" if level_shift < 0 else "up"},
        "effect_change": None if effect_org is None else {
            "organisation": effect_org, "driver": EFFECT_DRIVER,
            "before": base_effects[effect_org][EFFECT_DRIVER], "after": float(effect_after),
            "mean_shift_sd": shifts_after[effect_org][EFFECT_DRIVER]},
        "unchanged_organisations": [p.name for p in profiles if p.name not in (level_org, effect_org)],
    }
    truth["per_wave"] = per_wave
    truth["sample"] = {"n": int(len(responses)),
                       "per_wave": {int(k): int(v) for k, v in responses[WAVE_COLUMN].value_counts().sort_index().items()}}
    return SimulatedStudy(responses=responses, truth=truth)
