"""The generative model of simulated CCC-quality studies: parameters and the numeric draw.

See :mod:`analysis.simulation.simulate` for the model in words; this module holds its
parameters (:data:`DRIVER_CORRELATION`, :data:`ITEM_LOADINGS`, the organisation
profiles) and :func:`draw_organisation`, which both the study generator and the
Monte Carlo truth (:mod:`analysis.simulation.truth`) call, so that the truth is
computed from exactly the generator that makes the data.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from statistics import NormalDist
from typing import Mapping

import numpy as np

from analysis.common.errors import ServiceDriversError
from analysis.common.options import check_option
from analysis.simulation.asymmetry import asymmetric_satisfaction
from analysis.simulation import DEFAULT_SEED  # noqa: F401  (declared with the package: the CLI reads it cheaply)
from instrument import Instrument

GENERATOR_VERSION = "1.0"
DRIVERS = ("reliability", "empathy", "customer_focus", "customer_knowledge", "wait_time",
           "accessibility", "menu")

DRIVER_CORRELATION = np.array([
    # rel  emp  cfo  ckn  wai  acc  men
    [1.00, .60, .45, .35, .30, .30, .30],  # reliability
    [.60, 1.00, .40, .30, .30, .30, .25],  # empathy
    [.45, .40, 1.00, .40, .30, .35, .30],  # customer_focus
    [.35, .30, .40, 1.00, .30, .30, .30],  # customer_knowledge
    [.30, .30, .30, .30, 1.00, .40, .45],  # wait_time
    [.30, .30, .35, .30, .40, 1.00, .40],  # accessibility
    [.30, .25, .30, .30, .45, .40, 1.00],  # menu
])

# Standardized loadings (lambda) and threshold shifts (higher = more agreement).
ITEM_LOADINGS = {
    "rel1": .78, "rel2": .82, "rel3": .72, "rel4": .76,
    "emp1": .74, "emp2": .84, "emp3": .80, "emp4": .70,
    "cfo1": .76, "cfo2": .66, "cfo3": .72, "cfo4": .82,
    "ckn1": .74, "ckn2": .78, "ckn3": .65, "ckn4": .72,
    "wai1": .84, "wai2": .78, "wai3": .66, "wai4": .72,
    "acc1": .70, "acc2": .78, "acc3": .82, "acc4": .67,
    "men1": .80, "men2": .76, "men3": .72, "men4": .78,
    "sat1": .85, "sat2": .84, "sat3": .80,
}
ITEM_SHIFTS = {
    "rel1": .10, "rel2": -.10, "rel4": .05, "emp1": .35, "emp3": .15, "emp4": -.10,
    "cfo2": -.30, "cfo3": -.20, "ckn2": -.15, "ckn3": -.10, "wai2": .10, "wai3": -.35,
    "acc1": .10, "acc4": -.20, "men3": -.15, "sat3": -.10,
}
# Parameters of what an adapted questionnaire adds (a driver or an item the tables above
# do not know): a typical loading, a typical correlation with the other drivers, a small
# effect on satisfaction and an average latent mean.
DEFAULT_LOADING = .75
DEFAULT_CORRELATION = .30
DEFAULT_EFFECT = .05
DEFAULT_MEAN = 0.0
AGREE7_SHARES = (.04, .05, .08, .14, .23, .26, .20)        # answers 1..7 at latent mean 0
CSAT_SHARES = (.05, .08, .17, .40, .30)                   # 1..5
NPS_SHARES = (.03, .01, .02, .03, .03, .07, .11, .17, .23, .15, .15)  # 0..10
FCR_SHARES = {"yes": .62, "partly": .20, "no": .18}
OUTCOME_LOADINGS = {"csat": .85, "nps": .80, "ces": .75}
FCR_WEIGHTS = {"reliability": .70, "satisfaction": .25}
REASON_SHARES = {"information": .30, "billing": .15, "change": .15, "order": .12, "fault": .12,
                 "complaint": .08, "other": .08}
CHANNEL_SHARES_NON_PHONE = {"email": .35, "chat": .33, "messaging": .21, "social": .11}
AGENT_ID_SHARE = {"phone": .85, "chat": .80, "messaging": .70, "email": .40, "social": .20}


@dataclass(frozen=True)
class OrgProfile:
    """One simulated organisation: latent driver means, standardized effects, phone share.

    ``item_shifts`` (item id -> shift in latent SD units, default none) moves the item's
    thresholds in this organisation only, on top of :data:`ITEM_SHIFTS`: a planted
    non-invariant intercept (higher = more agreement at the same latent score), the
    known truth a partial-invariance search must find. ``asymmetry`` (driver -> extra
    effect of below-mean performance, default none) plants a dissatisfier
    (:mod:`analysis.simulation.asymmetry`).
    """

    name: str
    sector: str
    means: dict[str, float]
    effects: dict[str, float]
    phone_share: float = .57
    item_shifts: dict[str, float] = field(default_factory=dict)
    asymmetry: dict[str, float] = field(default_factory=dict)


_BASE_PROFILES = (
    OrgProfile("Energie", "energy supplier: weak on wait time; reliability and empathy matter",
               means=dict(reliability=0.0, empathy=.10, customer_focus=-.20, customer_knowledge=0.0,
                          wait_time=-.60, accessibility=-.10, menu=-.20),
               effects=dict(reliability=.44, empathy=.36, customer_focus=.03, customer_knowledge=.02,
                            wait_time=.05, accessibility=.04, menu=.03), phone_share=.58),
    OrgProfile("Telecom", "telecom provider: weak on customer knowledge and menu; customer knowledge matters too",
               means=dict(reliability=-.20, empathy=0.0, customer_focus=-.10, customer_knowledge=-.30,
                          wait_time=-.20, accessibility=.10, menu=-.40),
               effects=dict(reliability=.42, empathy=.34, customer_focus=.02, customer_knowledge=.18,
                            wait_time=.03, accessibility=.02, menu=.02), phone_share=.57),
    OrgProfile("Verzekeraar", "insurer: strong on empathy; reliability and customer focus matter",
               means=dict(reliability=.20, empathy=.40, customer_focus=.10, customer_knowledge=.20,
                          wait_time=.10, accessibility=-.20, menu=.10),
               effects=dict(reliability=.41, empathy=.02, customer_focus=.45, customer_knowledge=.03,
                            wait_time=.03, accessibility=.03, menu=.02), phone_share=.60),
    OrgProfile("Webwinkel", "web shop: strong on accessibility; empathy matters most",
               means=dict(reliability=.10, empathy=.10, customer_focus=.30, customer_knowledge=.10,
                          wait_time=.30, accessibility=.40, menu=0.0),
               effects=dict(reliability=.32, empathy=.46, customer_focus=.08, customer_knowledge=.02,
                            wait_time=.03, accessibility=.05, menu=.03), phone_share=.50),
)
_EXTRA_MEANS_SEED = 7  # fixed: extra organisations' means do not depend on the study seed
_EXTRA_NAMES = ("Bank", "Zorgverzekeraar", "Gemeente", "Waterbedrijf", "Reisorganisatie",
                "Vervoerder", "Woningcorporatie", "Omroep", "Pensioenfonds", "Netbeheerder")


@dataclass(frozen=True)
class DataFeatures:
    """Realistic imperfections of a simulated study (shares of respondents or answer cells).

    Attributes
    ----------
    na_phone_items : float
        Share of non-phone respondents who answer the phone-only items 99 (the others
        leave them blank).
    na_rates : dict
        Per-item probability of 'don't know / not applicable' (99) for everyone; other
        items with a 99 option get ``na_other``.
    blank_rate : float
        Probability that an answer cell (items, outcome questions, contact reason) is
        left blank, completely at random (not for straight-liners' driver items).
    straightliner_share, speeder_share : float
        Respondents who give one answer to every driver item; respondents who finish
        in 35-95 seconds (half the straight-liners are also speeders).
    empty_why_share, english_share, personal_data_share : float
        Open answers left empty; non-empty ones in English; non-empty ones with fake
        personal data (e-mail, phone, IBAN, postcode, agent first name).
    hostile_per_1000 : float
        Hostile answers (``<script>``, ``<b>``) per 1,000 respondents; at least 2.
    quarter_start : str
        First day of the quarter in which the contacts fall (ISO date).
    """

    na_phone_items: float = .75
    na_rates: dict[str, float] = field(default_factory=lambda: {
        "cfo1": .02, "cfo2": .01, "cfo3": .03, "cfo4": .01,
        "ckn1": .01, "ckn2": .03, "ckn3": .015, "ckn4": .02, "acc2": .01})
    na_other: float = .003
    blank_rate: float = .02
    straightliner_share: float = .02
    speeder_share: float = .02
    empty_why_share: float = .35
    english_share: float = .12
    personal_data_share: float = .05
    hostile_per_1000: float = 1.0
    quarter_start: str = "2024-01-01"

    def __post_init__(self) -> None:
        shares = {k: v for k, v in asdict(self).items() if isinstance(v, float) and k != "hostile_per_1000"}
        shares.update({f"na_rates[{k}]": v for k, v in self.na_rates.items()})
        for key, value in shares.items():
            if not 0 <= value <= 1:
                raise ServiceDriversError(f"DataFeatures.{key} must be a share between 0 and 1, got {value}")
        if self.hostile_per_1000 < 0:
            raise ServiceDriversError(f"DataFeatures.hostile_per_1000 must be >= 0, got {self.hostile_per_1000}")
        try:
            date.fromisoformat(self.quarter_start)
        except ValueError:
            raise ServiceDriversError(f"DataFeatures.quarter_start must be an ISO date (YYYY-MM-DD), "
                                      f"got {self.quarter_start!r}") from None


def default_profiles(n_orgs: int = 4, effects: Mapping[str, Mapping[str, float]] | None = None,
                     drivers: tuple[str, ...] = DRIVERS) -> list[OrgProfile]:
    """The organisations of a simulated study.

    The first four are Energie, Telecom, Verzekeraar and Webwinkel (synthetic,
    sector-like names). Further ones take the effects of profile ``k mod 4`` and its
    latent means plus a fixed perturbation (SD .15), under other sector names.

    Parameters
    ----------
    n_orgs : int
    effects : mapping of organisation name -> {driver: standardized latent effect}, optional
        Replaces the default effects; its keys become the organisation names (and its
        length must equal ``n_orgs``).
    drivers : tuple of str
        The drivers of the questionnaire (the shipped seven by default). A driver the
        profiles do not know gets latent mean :data:`DEFAULT_MEAN` and effect
        :data:`DEFAULT_EFFECT`; a driver the questionnaire lacks is left out.

    Returns
    -------
    list of OrgProfile

    Examples
    --------
    >>> [p.name for p in default_profiles(5)]
    ['Energie', 'Telecom', 'Verzekeraar', 'Webwinkel', 'Bank']
    """
    n_orgs = check_option("n_orgs", n_orgs)
    profiles = []
    for k in range(int(n_orgs)):
        base = _BASE_PROFILES[k % len(_BASE_PROFILES)]
        if k < len(_BASE_PROFILES):
            profiles.append(base)
            continue
        extra = k - len(_BASE_PROFILES)
        name = _EXTRA_NAMES[extra] if extra < len(_EXTRA_NAMES) else f"Organisatie {k + 1}"
        shift = np.random.default_rng([_EXTRA_MEANS_SEED, k]).normal(0, .15, len(DRIVERS))
        means = {d: round(base.means[d] + float(s), 2) for d, s in zip(DRIVERS, shift)}
        profiles.append(OrgProfile(name, f"like {base.name}", means, dict(base.effects), base.phone_share))
    profiles = [_for_drivers(p, drivers) for p in profiles]
    correlation = driver_correlation(drivers)
    if effects is None:
        return profiles
    if len(effects) != len(profiles):
        raise ServiceDriversError(f"effects name {len(effects)} organisation(s) but n_orgs is {n_orgs}; give one entry per organisation")
    out = []
    for profile, (name, org_effects) in zip(profiles, effects.items()):
        unknown = sorted(set(org_effects) - set(drivers))
        absent = [d for d in drivers if d not in org_effects]
        if unknown or absent:
            raise ServiceDriversError(f"effects for '{name}': give exactly the drivers {', '.join(drivers)}"
                                      + (f"; unknown: {', '.join(unknown)}" if unknown else "")
                                      + (f"; missing: {', '.join(absent)}" if absent else ""))
        beta = np.array([float(org_effects[d]) for d in drivers])
        r2 = float(beta @ correlation @ beta)
        if not r2 < .95:
            raise ServiceDriversError(f"effects for '{name}' imply a latent R² of {r2:.2f}; standardized effects must give R² < .95")
        out.append(OrgProfile(str(name), f"custom effects (latent means and phone share of {profile.name})",
                              profile.means, dict(zip(drivers, beta.tolist())), profile.phone_share))
    return out


def _for_drivers(profile: OrgProfile, drivers: tuple[str, ...]) -> OrgProfile:
    """``profile`` with means and effects for exactly ``drivers`` (defaults for drivers it does not know)."""
    if tuple(profile.effects) == tuple(drivers):
        return profile
    return OrgProfile(profile.name, profile.sector,
                      {d: profile.means.get(d, DEFAULT_MEAN) for d in drivers},
                      {d: profile.effects.get(d, DEFAULT_EFFECT) for d in drivers}, profile.phone_share,
                      dict(profile.item_shifts), dict(profile.asymmetry))


def driver_correlation(drivers: tuple[str, ...]) -> np.ndarray:
    """Latent correlation matrix of ``drivers``: :data:`DRIVER_CORRELATION` where known, :data:`DEFAULT_CORRELATION` else.

    Examples
    --------
    >>> driver_correlation(("reliability", "empathy", "speed")).round(2).tolist()
    [[1.0, 0.6, 0.3], [0.6, 1.0, 0.3], [0.3, 0.3, 1.0]]
    """
    known = {d: k for k, d in enumerate(DRIVERS)}
    out = np.full((len(drivers), len(drivers)), DEFAULT_CORRELATION)
    for a, da in enumerate(drivers):
        for b, db in enumerate(drivers):
            if a == b:
                out[a, b] = 1.0
            elif da in known and db in known:
                out[a, b] = DRIVER_CORRELATION[known[da], known[db]]
    return out


def item_loading(item_id: str) -> float:
    """Standardized loading of an item: :data:`ITEM_LOADINGS`, :data:`DEFAULT_LOADING` for items it does not know."""
    return ITEM_LOADINGS.get(item_id, DEFAULT_LOADING)


def scale_shares(n_points: int) -> tuple[float, ...]:
    """Answer shares at latent mean 0 on a scale of ``n_points``: :data:`AGREE7_SHARES`, stretched to other lengths.

    The cumulative shares of the 7-point scale are interpolated at ``n_points`` equally
    spaced points, so a 5- or 10-point scale keeps the same positive lean.

    Examples
    --------
    >>> scale_shares(7) == AGREE7_SHARES
    True
    >>> round(sum(scale_shares(5)), 10)
    1.0
    """
    if n_points == len(AGREE7_SHARES):
        return AGREE7_SHARES
    cumulative = np.concatenate([[0.0], np.cumsum(AGREE7_SHARES)])
    at = np.interp(np.linspace(0, len(AGREE7_SHARES), n_points + 1), np.arange(len(cumulative)), cumulative)
    return tuple(float(x) for x in np.diff(at))


def thresholds_from_shares(shares: tuple[float, ...]) -> np.ndarray:
    """Standard-normal cut points that give the answer ``shares`` (lowest first)."""
    cumulative = np.cumsum(shares)[:-1]
    return np.array([NormalDist().inv_cdf(float(c)) for c in cumulative])


def item_thresholds(item_id: str, n_points: int = 7) -> np.ndarray:
    """Cut points of an item's latent response on a scale of ``n_points`` (the 7-point agreement scale by default)."""
    return thresholds_from_shares(scale_shares(n_points)) - ITEM_SHIFTS.get(item_id, 0.0)


def _ordinal(latent: np.ndarray, cuts: np.ndarray, lowest: int) -> np.ndarray:
    """Answer codes ``lowest + (number of cut points below the latent response)``."""
    return lowest + np.searchsorted(cuts, latent, side="left")


def _congeneric(rng: np.random.Generator, factor: np.ndarray, loading: float) -> np.ndarray:
    """Latent item response ``loading * factor + sqrt(1 - loading²) * N(0, 1)``."""
    return loading * factor + np.sqrt(1 - loading**2) * rng.standard_normal(factor.shape[0])


@dataclass
class OrgDraw:
    """Numeric draw for one organisation: latent values, channel, answers (float codes, NaN blank)."""

    latent: np.ndarray
    satisfaction: np.ndarray
    channel: np.ndarray
    answers: dict[str, np.ndarray]
    straightliner: np.ndarray


def draw_organisation(rng: np.random.Generator, inst: Instrument, profile: OrgProfile, n: int,
                      features: DataFeatures, latent_shift: np.ndarray | None = None) -> OrgDraw:
    """Draw ``n`` respondents of one organisation: everything but ids, dates, durations and text.

    Both the study generator and the Monte Carlo truth call this, so the truth is
    computed from exactly the process that makes the data.

    Parameters
    ----------
    rng : numpy.random.Generator
    inst : Instrument
    profile : OrgProfile
        Latent means, standardized effects and phone share of the organisation.
    n : int
        Respondents.
    features : DataFeatures
        N/A, blank and straight-liner rates.
    latent_shift : ndarray, optional
        (n, drivers) shifts of the latent driver scores (planted agent effects, :mod:`analysis.simulation.agents`).

    Returns
    -------
    OrgDraw
        ``latent`` (n, 7) driver scores, ``satisfaction`` (n,) latent satisfaction,
        ``channel`` codes, ``answers`` (item and question id -> float file codes, 99 =
        not applicable, NaN = blank) and the ``straightliner`` mask.

    Examples
    --------
    >>> import numpy as np
    >>> from instrument import load_instrument
    >>> draw = draw_organisation(np.random.default_rng(1), load_instrument(),
    ...                          default_profiles(1)[0], 1000, DataFeatures())
    >>> 4.5 < float(np.nanmean(np.where(draw.answers["emp2"] == 99, np.nan, draw.answers["emp2"]))) < 5.5
    True
    """
    drivers = tuple(inst.driver_keys)
    correlation = driver_correlation(drivers)
    profile = _for_drivers(profile, drivers)
    mu = np.array([profile.means[d] for d in drivers])
    beta = np.array([profile.effects[d] for d in drivers])
    latent = mu + rng.standard_normal((n, len(drivers))) @ np.linalg.cholesky(correlation).T
    if latent_shift is not None:
        latent = latent + latent_shift
    r2 = float(beta @ correlation @ beta)
    noise = rng.standard_normal(n)
    extra = np.array([profile.asymmetry.get(d, 0.0) for d in drivers])
    eta = (asymmetric_satisfaction(latent, mu, beta, correlation, extra, noise) if extra.any()
           else latent @ beta + np.sqrt(1 - r2) * noise)

    channel_codes, channel_shares = _channel_shares(inst, profile.phone_share)
    channel = rng.choice(channel_codes, size=n, p=channel_shares)

    answers: dict[str, np.ndarray] = {}
    for construct in inst.constructs:
        factor = eta if construct.role == "outcome" else latent[:, drivers.index(construct.key)]
        for item in construct.items:
            scale = inst.scale(item.scale)
            cuts = item_thresholds(item.id, len(scale.codes)) - profile.item_shifts.get(item.id, 0.0)
            keyed = _ordinal(_congeneric(rng, factor, item_loading(item.id)), cuts, scale.min)
            answers[item.id] = (scale.min + scale.max - keyed if item.reverse else keyed).astype(float)

    straightliner = rng.random(n) < features.straightliner_share
    driver_items = [i.id for c in inst.drivers for i in c.items]
    constant = rng.choice([3, 4, 5, 6, 7], size=n, p=[.05, .15, .20, .25, .35]).astype(float)
    for item_id in driver_items:
        scale = inst.scale(inst.item(item_id).scale)
        answers[item_id] = np.where(straightliner, np.clip(constant, scale.min, scale.max), answers[item_id])

    _draw_questions(rng, inst, answers, latent, eta, beta, correlation, n)
    _plant_missing(rng, inst, answers, channel, straightliner, features)
    return OrgDraw(latent=latent, satisfaction=eta, channel=channel, answers=answers, straightliner=straightliner)


def _channel_shares(inst: Instrument, phone_share: float) -> tuple[list[int], list[float]]:
    """Channel codes and their shares: the phone share of the profile, the others as :data:`CHANNEL_SHARES_NON_PHONE`.

    Channels of an adapted questionnaire that the table does not know share the rest
    equally with those it knows (by their mean share).
    """
    options = inst.definition.choices.get("channel", [])
    if not options:
        return [0], [1.0]
    known = [CHANNEL_SHARES_NON_PHONE.get(c.key) for c in options if c.key != "phone"]
    fallback = float(np.mean([s for s in known if s is not None])) if any(s is not None for s in known) else 1.0
    raw = {c.code: CHANNEL_SHARES_NON_PHONE.get(c.key, fallback) for c in options if c.key != "phone"}
    total = sum(raw.values())
    has_phone = any(c.key == "phone" for c in options)
    rest = (1 - phone_share) if has_phone else 1.0
    shares = {c.code: (phone_share if c.key == "phone" else rest * raw[c.code] / total) for c in options}
    return list(shares), list(shares.values())


def _draw_questions(rng: np.random.Generator, inst: Instrument, answers: dict[str, np.ndarray], latent: np.ndarray,
                    eta: np.ndarray, beta: np.ndarray, correlation: np.ndarray, n: int) -> None:
    """The questions outside the batteries: contact reason, CSAT, NPS, CES, FCR, and any others of the questionnaire.

    The shipped questions are drawn as documented (and in this order, so that a seed
    gives the same study as before); another scale question loads .75 on satisfaction,
    another choice question is answered uniformly; open questions other than 'why' stay empty.
    """
    ids = {q.id for q in inst.questions}
    if "contact_reason" in ids:
        reasons = {c.key: c.code for c in (inst.variable("contact_reason").choices or ())}
        if set(REASON_SHARES) <= set(reasons):
            answers["contact_reason"] = rng.choice([reasons[k] for k in REASON_SHARES], size=n,
                                                   p=list(REASON_SHARES.values())).astype(float)
    for key, shares in (("csat", CSAT_SHARES), ("nps", NPS_SHARES), ("ces", AGREE7_SHARES)):
        if key in ids and inst.variable(key).scale is not None and len(inst.variable(key).scale.codes) == len(shares):
            scale = inst.variable(key).scale
            answers[key] = _ordinal(_congeneric(rng, eta, OUTCOME_LOADINGS[key]), thresholds_from_shares(shares),
                                    scale.min).astype(float)
    fcr = inst.variable("fcr") if "fcr" in ids else None
    fcr_codes = {c.key: c.code for c in fcr.choices} if fcr is not None and fcr.choices else {}
    if {"yes", "partly", "no"} <= set(fcr_codes):
        drivers = list(inst.driver_keys)
        # Driven mostly by reliability; by satisfaction alone when the questionnaire has no reliability.
        a = FCR_WEIGHTS["reliability"] if "reliability" in drivers else 0.0
        b = FCR_WEIGHTS["satisfaction"]
        rel = drivers.index("reliability") if "reliability" in drivers else 0
        cov_rel_eta = float((correlation @ beta)[rel])
        noise_var = 1 - (a**2 + b**2 + 2 * a * b * cov_rel_eta)
        fcr_latent = a * latent[:, rel] + b * eta + np.sqrt(noise_var) * rng.standard_normal(n)
        cut_no, cut_yes = NormalDist().inv_cdf(FCR_SHARES["no"]), NormalDist().inv_cdf(1 - FCR_SHARES["yes"])
        answers["fcr"] = np.select([fcr_latent > cut_yes, fcr_latent > cut_no],
                                   [fcr_codes["yes"], fcr_codes["partly"]], fcr_codes["no"]).astype(float)
    for q in inst.questions:
        if q.id in answers or q.type == "open":
            continue
        var = inst.variable(q.id)
        if var.scale is not None:
            cuts = thresholds_from_shares(scale_shares(len(var.scale.codes)))
            answers[q.id] = _ordinal(_congeneric(rng, eta, DEFAULT_LOADING), cuts, var.scale.min).astype(float)
        elif var.choices:
            answers[q.id] = rng.choice([c.code for c in var.choices], size=n).astype(float)


def _plant_missing(rng: np.random.Generator, inst: Instrument, answers: dict[str, np.ndarray],
                   channel: np.ndarray, straightliner: np.ndarray, features: DataFeatures) -> None:
    """Don't-know answers (99), blanks at random, and N/A or blank channel-limited items off their channels."""
    n = channel.shape[0]
    phone_na = rng.random(n) < features.na_phone_items
    codes = {c.key: c.code for c in inst.definition.choices.get("channel", [])}
    for var in inst.variables:
        if var.id not in answers:
            continue
        values = answers[var.id]
        in_battery = var.kind == "item" and var.construct != inst.outcome_construct.key
        protected = straightliner if in_battery else np.zeros(n, dtype=bool)
        if var.na_code is not None:
            rate = features.na_rates.get(var.id, features.na_other)
            values[(rng.random(n) < rate) & ~protected] = var.na_code
        values[(rng.random(n) < features.blank_rate) & ~protected] = np.nan
        if var.channels:
            off_channel = ~np.isin(channel, [codes[ch] for ch in var.channels if ch in codes])
            values[off_channel & phone_na] = var.na_code if var.na_code is not None else np.nan
            values[off_channel & ~phone_na] = np.nan
