"""Simulated CCC-quality studies with a known truth.

A simulated study is one of the toolkit's two correctness oracles: the estimators
(regression, LMG relative importance, bootstrap intervals, CFA/SEM) must recover the
truth that generated it. :func:`simulate_study` returns the responses in the raw
file layout (exactly the columns of ``Instrument.variables``, with file codes) and
the truth as a JSON-ready dict.

Generative model (version :data:`GENERATOR_VERSION`)
----------------------------------------------------
Per organisation ``g`` and respondent ``i``:

1. **Latent drivers** ``z_i ~ N(mu_g, R)``, seven standardized scores (variance 1
   within an organisation). ``R`` (:data:`~analysis.simulation.model.DRIVER_CORRELATION`)
   has correlations .25-.60, reliability-empathy the highest (.60); ``mu_g`` differs
   by organisation (Energie weak on wait time, Telecom on customer knowledge and the
   menu, Verzekeraar strong on empathy, Webwinkel on accessibility).
2. **Latent satisfaction** ``eta_i = sum_k beta_gk z_ik + e_i`` with
   ``Var(e) = 1 - beta' R beta``, so ``beta`` are standardized effects and
   ``beta' R beta`` is the latent R² (.61-.65):

   ============  ====  ====  ====  ====  ====  ====  ====  =========
   organisation  rel   emp   cfo   ckn   wai   acc   men   latent R²
   ============  ====  ====  ====  ====  ====  ====  ====  =========
   Energie       .44   .36   .03   .02   .05   .04   .03   .615
   Telecom       .42   .34   .02   .18   .03   .02   .02   .644
   Verzekeraar   .41   .02   .45   .03   .03   .03   .02   .624
   Webwinkel     .32   .46   .08   .02   .03   .05   .03   .626
   ============  ====  ====  ====  ====  ====  ====  ====  =========

   Reliability and empathy matter most at three of the four organisations; wait
   time, accessibility and menu have small effects (.02-.05, not 0); customer focus
   and customer knowledge differ between organisations (customer focus first at
   Verzekeraar, near 0 elsewhere; customer knowledge third at Telecom, near 0
   elsewhere). The gaps are set so that the true top two are also the top two of
   the *observed*-score LMG shares, and come out on top of the estimated ranking
   with 375 respondents per organisation (about 210 complete phone cases) in about
   98-100 % of samples (measured by simulation, see the tests).
3. **Items** (congeneric): ``y*_ij = lambda_j z_ik + sqrt(1 - lambda_j²) eps_ij`` with
   standardized loadings .65-.85 (:data:`ITEM_LOADINGS`), cut into 1..7 at thresholds
   ``tau - shift_j`` where ``tau`` gives the answer shares :data:`AGREE7_SHARES` at a
   latent mean of 0 (mean answer about 5: the usual positive lean of service
   ratings). Loadings and thresholds are the same in every organisation
   (measurement invariance holds). The reverse-keyed item (ckn3) is generated on the
   keyed scale and stored reversed (``8 - answer``). sat1-3 load on ``eta``.
4. **Outcome questions** load on ``eta``: CSAT 1-5 (loading .85), NPS 0-10 (.80),
   CES 1-7 (.75); FCR (1 yes / 2 partly / 3 no) is driven mostly by reliability:
   ``f* = .70 z_rel + .25 eta + noise`` (variance 1), cut at the shares
   :data:`FCR_SHARES`.
5. **Context**: channel (phone about 55 %, e-mail, chat, messaging, social),
   contact reason, a contact date in one quarter, an agent id for most phone and
   chat contacts, a survey duration (log-normal, median 330 s).
6. **Data features** (:class:`DataFeatures`): non-phone respondents answer the
   phone-only items (wait time, menu) 'not applicable' (99) or leave them blank;
   'don't know' (99) on some customer focus/knowledge items (1-3 %); blanks
   completely at random (2 % of answer cells); straight-liners (2 %: every answered
   driver item the same); speeders (2 %, plus half the straight-liners); open 'why'
   answers in Dutch and English composed from the respondent's own strongest and
   weakest driver (:mod:`analysis.simulation.text`), a few percent with fake
   personal data and a couple of hostile HTML strings.

The **truth** (:mod:`analysis.simulation.truth`) holds the latent parameters and the
population values of the estimators' targets on the *observed* construct scores
(R², standardized betas, LMG shares and ranks), from a large Monte Carlo draw of this
same generator.

Example
-------
>>> from instrument import load_instrument
>>> study = simulate_study(load_instrument(), n_orgs=2, n_per_org=50, seed=1, truth_draws=0)
>>> study.responses.shape
(100, 43)
>>> study.truth["organisations"]["Energie"]["latent"]["effects"]["reliability"]
0.44
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace
from datetime import date, timedelta
from typing import Mapping

import numpy as np
import pandas as pd

from analysis.common.errors import ServiceDriversError
from analysis.common.options import MIN_TRUTH_DRAWS, SEED, validate_options
from analysis.simulation.agents import AGENTS_PER_ORG, agent_id, agents_truth, draw_agent_effects, latent_shift
from analysis.simulation.asymmetry import check_asymmetry
from analysis.simulation.model import (
    AGENT_ID_SHARE,
    DEFAULT_SEED,
    DRIVERS,
    DataFeatures,
    OrgDraw,
    OrgProfile,
    default_profiles,
    draw_organisation,
    driver_correlation,
)
from analysis.simulation.text import compose_open_answers
from analysis.simulation.truth import population_truth
from instrument import Instrument

__all__ = ["DataFeatures", "OrgProfile", "SimulatedStudy", "default_profiles", "simulate_study", "DRIVERS"]



@dataclass(frozen=True)
class SimulatedStudy:
    """A simulated study: responses in the raw file layout and the truth that made them.

    Attributes
    ----------
    responses : DataFrame
        One row per respondent, exactly the columns of ``Instrument.variables`` with
        file codes (scale items 1..7, 99 = not applicable, <NA> = blank).
    truth : dict
        JSON-ready: generator settings, latent parameters, population values of the
        estimators' targets, planted data features (see :mod:`analysis.simulation.truth`).
    """

    responses: pd.DataFrame
    truth: dict

    def truth_json(self) -> str:
        """The truth as indented JSON text (UTF-8, keys in a stable order)."""
        return json.dumps(self.truth, indent=1, ensure_ascii=False) + "\n"


@validate_options("n_orgs", "n_per_org", "truth_draws", "agent_sd", seed=SEED)
def simulate_study(inst: Instrument, n_orgs: int = 4, n_per_org: int = 375, seed: int = DEFAULT_SEED,
                   effects: Mapping[str, Mapping[str, float]] | None = None, *,
                   features: DataFeatures | None = None, truth_draws: int = 200_000,
                   item_shifts: Mapping[str, Mapping[str, float]] | None = None,
                   agent_sd: float = 0.0, agent_effects: Mapping[str, float] | None = None,
                   mean_shifts: Mapping[str, Mapping[str, float]] | None = None,
                   asymmetry: Mapping[str, Mapping[str, float]] | None = None) -> SimulatedStudy:
    """Simulate a CCC-quality study with known true driver effects.

    Parameters
    ----------
    inst : Instrument
        The questionnaire: the shipped one, or any adapted one (other drivers, items,
        scales, channels or languages). Drivers and items the generator's tables do not
        know get typical parameters (:data:`~analysis.simulation.model.DEFAULT_LOADING`,
        ``DEFAULT_CORRELATION``, ``DEFAULT_EFFECT``, ``DEFAULT_MEAN``); the truth
        records every parameter used, so it is known either way.
    n_orgs : int, default 4
        Organisations (1-50); see :func:`default_profiles`.
    n_per_org : int, default 375
        Respondents per organisation (the original study: 4 x 375 = 1,500).
    seed : int
        Seed of ``numpy.random.default_rng``; the same seed gives an identical study.
    effects : mapping, optional
        Organisation name -> {driver: standardized latent effect} for exactly the
        questionnaire's drivers; replaces the defaults.
    features : DataFeatures, optional
        Rates of N/A, blanks, straight-liners, speeders and open-answer features.
    truth_draws : int, default 200_000
        Monte Carlo respondents per organisation for the population truth on the
        observed scores; 0 skips it (the truth then has latent parameters only).
    item_shifts : mapping, optional
        Organisation name -> {item id: threshold shift in latent SD units}: plants a
        non-invariant intercept in that organisation only (see ``OrgProfile``); the
        truth lists it under ``organisations.<name>.item_shifts``.
    agent_sd : float, default 0
        SD (latent SD units, 0-2) of the agents' effects on the drivers about the agent
        (:mod:`analysis.simulation.agents`); 0 and no ``agent_effects``: no agent effects
        (the study is then the same as without these arguments).
    agent_effects : mapping, optional
        Agent id -> effect, replacing the drawn one (e.g. ``{"A01007": 1.0}``: a clearly
        better agent). With either, the truth gets ``agents`` (each agent's effect and
        expected agent-driver scores).
    mean_shifts : mapping, optional
        Organisation name -> {driver: shift of its latent mean in SD units}: a planted
        level change (used by :func:`analysis.simulation.waves.simulate_waves`); the
        truth's latent means include it.
    asymmetry : mapping, optional
        Organisation name -> {driver: extra latent effect (0-1) of below-mean
        performance}: plants a dissatisfier (:mod:`analysis.simulation.asymmetry`); the
        truth lists it under ``organisations.<name>.asymmetry``.

    Returns
    -------
    SimulatedStudy

    Examples
    --------
    >>> from instrument import load_instrument
    >>> s = simulate_study(load_instrument(), n_orgs=1, n_per_org=40, seed=3, truth_draws=0)
    >>> off_phone = s.responses["channel"] != 1
    >>> bool(s.responses.loc[off_phone, "wai1"].fillna(99).eq(99).all())
    True
    """
    check_instrument(inst)
    features = features or DataFeatures()
    profiles = _with_item_shifts(default_profiles(n_orgs, effects, drivers=tuple(inst.driver_keys)),
                                 item_shifts or {}, inst)
    profiles = _with_mean_shifts(profiles, mean_shifts or {})
    profiles = _with_asymmetry(profiles, asymmetry or {}, tuple(inst.driver_keys))
    root = np.random.SeedSequence(seed)
    sample_seq, text_seq, truth_seq = root.spawn(3)
    planted = bool(agent_sd) or bool(agent_effects)
    shifts, numbers, effects = [None] * len(profiles), None, {}
    if planted:
        # a fourth stream (the first three are unchanged), so the planted agents change nothing else's seed
        agent_rng = np.random.default_rng(root.spawn(1)[0])
        effects = draw_agent_effects(agent_rng, len(profiles), float(agent_sd), agent_effects or {})
        numbers = [agent_rng.integers(1, AGENTS_PER_ORG + 1, n_per_org) for _ in profiles]
        shifts = [latent_shift(inst, a, k, effects) for k, a in enumerate(numbers)]
        numbers = np.concatenate(numbers)
    draws = [draw_organisation(np.random.default_rng(s), inst, p, n_per_org, features, shift)
             for p, s, shift in zip(profiles, sample_seq.spawn(len(profiles)), shifts)]
    frame, flags = _assemble(np.random.default_rng(text_seq), inst, profiles, draws, features, numbers)
    truth = population_truth(inst, profiles, features, truth_seq, truth_draws)
    truth["generator"].update(seed=seed, n_orgs=len(profiles), n_per_org=n_per_org,
                              features=asdict(features))
    if planted:
        truth["generator"]["agent_sd"] = float(agent_sd)
        truth["agents"] = agents_truth(inst, profiles, effects)
    truth["sample"] = _sample_summary(inst, frame, flags)
    return SimulatedStudy(responses=frame, truth=truth)


def check_instrument(inst: Instrument) -> None:
    """Raise unless ``inst`` has the context fields the generator fills (any drivers, items and scales will do).

    The generator writes a respondent id, the organisation, the channel, a contact date,
    an agent id and a duration by their ids in the shipped questionnaire; a
    questionnaire without one of them cannot be simulated by it.
    """
    needed = {"respondent_id": "id", "organisation": "group", "channel": "choice", "contact_date": "date",
              "agent_id": "text", "duration_sec": "number"}
    have = {f.id: f.type for f in inst.context}
    absent = [f"{k} ({t})" for k, t in needed.items() if have.get(k) != t]
    if absent:
        raise ServiceDriversError(
            f"{inst.path}: the simulator fills the context fields respondent_id, organisation, channel, contact_date, "
            f"agent_id and duration_sec; this questionnaire lacks {', '.join(absent)}: add them to its context")
    if not inst.drivers:
        raise ServiceDriversError(f"{inst.path}: the questionnaire has no driver constructs; add at least one")


def _with_item_shifts(profiles: list[OrgProfile], item_shifts: Mapping[str, Mapping[str, float]],
                      inst: Instrument) -> list[OrgProfile]:
    """``profiles`` with the planted threshold shifts of ``item_shifts`` (checked)."""
    names = [p.name for p in profiles]
    unknown = [k for k in item_shifts if k not in names]
    if unknown:
        raise ServiceDriversError(f"item_shifts names unknown organisation(s) {', '.join(map(str, unknown))}; "
                                  f"the organisations are {', '.join(names)}")
    out = []
    for profile in profiles:
        shifts = dict(item_shifts.get(profile.name, {}))
        for item_id, value in shifts.items():
            if item_id not in inst.item_ids:
                raise ServiceDriversError(f"item_shifts for '{profile.name}': '{item_id}' is not an item of "
                                          "the questionnaire")
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not abs(value) <= 3:
                raise ServiceDriversError(f"item_shifts for '{profile.name}', '{item_id}': give a shift between "
                                          f"-3 and 3 latent SDs, got {value!r}")
        out.append(replace(profile, item_shifts={k: float(v) for k, v in shifts.items()}) if shifts else profile)
    return out


def _with_mean_shifts(profiles: list[OrgProfile],
                      mean_shifts: Mapping[str, Mapping[str, float]]) -> list[OrgProfile]:
    """``profiles`` with latent driver means moved by ``mean_shifts`` (checked)."""
    names = [p.name for p in profiles]
    unknown = [k for k in mean_shifts if k not in names]
    if unknown:
        raise ServiceDriversError(f"mean_shifts names unknown organisation(s) {', '.join(map(str, unknown))}; "
                                  f"the organisations are {', '.join(names)}")
    out = []
    for profile in profiles:
        shifts = mean_shifts.get(profile.name, {})
        bad = [k for k, v in shifts.items() if k not in profile.means or isinstance(v, bool)
               or not isinstance(v, (int, float)) or not abs(v) <= 3]
        if bad:
            raise ServiceDriversError(f"mean_shifts for '{profile.name}': give drivers of the questionnaire with a "
                                      f"shift between -3 and 3 latent SDs; check {', '.join(map(str, bad))}")
        means = {k: v + float(shifts.get(k, 0.0)) for k, v in profile.means.items()}
        out.append(replace(profile, means=means) if shifts else profile)
    return out


def _with_asymmetry(profiles: list[OrgProfile], asymmetry: Mapping[str, Mapping[str, float]],
                    drivers: tuple[str, ...]) -> list[OrgProfile]:
    """``profiles`` with the planted asymmetric effects of ``asymmetry`` (checked)."""
    names = [p.name for p in profiles]
    unknown = [k for k in asymmetry if k not in names]
    if unknown:
        raise ServiceDriversError(f"asymmetry names unknown organisation(s) {', '.join(map(str, unknown))}; "
                                  f"the organisations are {', '.join(names)}")
    correlation = driver_correlation(drivers)
    out = []
    for p in profiles:
        beta = np.array([p.effects[d] for d in drivers])
        planted = check_asymmetry(p.name, asymmetry.get(p.name, {}), drivers, beta, correlation)
        out.append(replace(p, asymmetry=planted) if planted else p)
    return out


def _assemble(rng: np.random.Generator, inst: Instrument, profiles: list[OrgProfile],
              draws: list[OrgDraw], features: DataFeatures,
              agent_numbers: np.ndarray | None = None) -> tuple[pd.DataFrame, dict]:
    """Raw-layout frame of all organisations plus the ids of planted features."""
    n_total = sum(d.channel.shape[0] for d in draws)
    columns: dict[str, object] = {}
    columns["respondent_id"] = [f"R{i:05d}" for i in range(1, n_total + 1)]
    columns["organisation"] = np.concatenate([[p.name] * d.channel.shape[0] for p, d in zip(profiles, draws)])
    channel = np.concatenate([d.channel for d in draws])
    columns["channel"] = channel
    start = date.fromisoformat(features.quarter_start)
    days = rng.integers(0, 91, n_total)
    columns["contact_date"] = [(start + timedelta(days=int(k))).isoformat() for k in days]
    channel_key = {c.code: c.key for c in inst.choices("channel")}
    has_agent = rng.random(n_total) < np.array([AGENT_ID_SHARE[channel_key[c]] for c in channel])
    org_index = np.concatenate([[k] * d.channel.shape[0] for k, d in enumerate(draws)])
    agent_number = rng.integers(1, AGENTS_PER_ORG + 1, n_total)  # drawn either way: the later draws stay the same
    if agent_numbers is not None:
        agent_number = agent_numbers
    columns["agent_id"] = [agent_id(k, a) if has else None
                           for k, a, has in zip(org_index, agent_number, has_agent)]
    straightliner = np.concatenate([d.straightliner for d in draws])
    speeder = (rng.random(n_total) < features.speeder_share) | (straightliner & (rng.random(n_total) < .5))
    columns["duration_sec"] = _durations(rng, n_total, speeder)
    for key in draws[0].answers:
        columns[key] = np.concatenate([d.answers[key] for d in draws])
    numeric = pd.DataFrame({k: columns[k] for k in inst.item_ids})
    for var in inst.variables:
        if var.id in columns and var.type in ("scale", "choice"):
            columns[var.id] = pd.array(columns[var.id], dtype="Int64")  # NaN -> <NA> (blank)
    why, planted = compose_open_answers(rng, inst, numeric, features, respondent_ids=columns["respondent_id"])
    columns["why"] = why
    frame = pd.DataFrame({v.id: columns[v.id] for v in inst.variables})
    for key in ("respondent_id", "organisation", "contact_date", "agent_id", "why"):
        frame[key] = frame[key].astype("str")
    frame["duration_sec"] = frame["duration_sec"].astype("Int64")
    ids = frame["respondent_id"]
    planted.update(straightliners=ids[straightliner].tolist(), speeders=ids[speeder].tolist())
    return frame, planted


def _durations(rng: np.random.Generator, n: int, speeder: np.ndarray) -> np.ndarray:
    """Survey durations in seconds: log-normal (median 330 s, SD of log .35); speeders 35-95 s.

    With SD .35 about 0.4 % of regular respondents fall below 40 % of the median (a
    common speeding cut-off), so the planted speeders are what such a rule finds.
    """
    regular = np.exp(rng.normal(np.log(330), .35, n))
    fast = rng.uniform(35, 95, n)
    return np.round(np.where(speeder, fast, regular)).astype(int)


def _sample_summary(inst: Instrument, frame: pd.DataFrame, planted: dict) -> dict:
    phone_code = next(c.code for c in inst.choices("channel") if c.key == "phone")
    items = frame[inst.item_ids]
    counts = frame.groupby("organisation", sort=False).size()
    return {
        "n": int(frame.shape[0]),
        "per_organisation": {str(k): int(v) for k, v in counts.items()},
        "phone_share": round(float((frame["channel"] == phone_code).mean()), 4),
        "item_cells_na_99": round(float((items == 99).sum().sum() / items.size), 4),
        "item_cells_blank": round(float(items.isna().sum().sum() / items.size), 4),
        "straightliner_share": round(len(planted["straightliners"]) / frame.shape[0], 4),
        "speeder_share": round(len(planted["speeders"]) / frame.shape[0], 4),
        "planted": planted,
    }
