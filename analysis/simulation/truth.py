"""The truth of a simulated study: latent parameters and population values of the estimators' targets.

The estimators work on *observed* construct scores, not on the latent variables: the
scores carry measurement error, are coarsened to 7 points and include straight-liners,
so their population R², standardized betas and LMG shares differ from the latent
ones. Those population values have no closed form; :func:`population_truth` obtains
them by a large Monte Carlo draw from the same generator
(:func:`analysis.simulation.model.draw_organisation`), scored with the toolkit's own
rule (:func:`analysis.scoring.scores.construct_scores`: mean of the answered keyed items when
at least half are answered). The regression is satisfaction on the seven driver
scores over complete cases, which are in effect the phone respondents (wait time and
menu are phone-only). The Monte Carlo standard error of every figure comes from
``N_BATCHES`` independent batches (batch means: SD of the batch estimates divided by
the square root of the number of batches). Nothing is cached: the same seed gives
the same truth.

LMG (Lindeman, Merenda & Gold 1980) is the Shapley decomposition of R² over all 2^7
driver subsets, computed by :func:`analysis.importance.relative.importance_arrays`.

References
----------
Lindeman, R. H., Merenda, P. F., & Gold, R. Z. (1980). *Introduction to Bivariate and
    Multivariate Analysis*. Scott, Foresman.
Grömping, U. (2007). Estimators of relative importance in linear regression based on
    variance decomposition. *The American Statistician*, 61(2), 139-147.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.common.versions import package_version
from analysis.importance.relative import importance_arrays
from analysis.scoring.scores import construct_scores, performance
from analysis.simulation.model import (
    AGREE7_SHARES,
    CSAT_SHARES,
    FCR_SHARES,
    FCR_WEIGHTS,
    GENERATOR_VERSION,
    NPS_SHARES,
    OUTCOME_LOADINGS,
    DataFeatures,
    OrgProfile,
    draw_organisation,
    driver_correlation,
    item_loading,
    item_thresholds,
    thresholds_from_shares,
)
from instrument import Instrument
from instrument.description import channels_of_drivers, number_word

N_BATCHES = 20
DECIMALS = 6


def population_truth(inst: Instrument, profiles: list[OrgProfile], features: DataFeatures,
                     seed_sequence: np.random.SeedSequence, draws: int) -> dict:
    """Latent parameters and (with ``draws`` > 0) Monte Carlo population values per organisation.

    Parameters
    ----------
    inst : Instrument
    profiles : list of OrgProfile
    features : DataFeatures
        The same data features as the sample (straight-liners and missing answers
        change the observed population).
    seed_sequence : numpy.random.SeedSequence
        Spawned once per organisation; independent of the sample's streams.
    draws : int
        Monte Carlo respondents per organisation; 0 skips the observed population.

    Returns
    -------
    dict
        ``generator``, ``drivers``, ``outcome``, ``measurement`` and ``organisations``
        (per organisation: ``sector``, ``phone_share``, ``latent``, and with draws
        ``observed``, ``performance``, ``kpis``).

    Examples
    --------
    >>> import numpy as np
    >>> from instrument import load_instrument
    >>> from analysis.simulation.model import DataFeatures, default_profiles
    >>> t = population_truth(load_instrument(), default_profiles(1), DataFeatures(),
    ...                      np.random.SeedSequence(1), draws=0)
    >>> t["organisations"]["Energie"]["latent"]["top_two"]
    ['reliability', 'empathy']
    """
    truth: dict = {
        "synthetic": True,
        "description": ("Simulated CCC-quality study with known truth; no real organisations, "
                        "customers or agents. See analysis/simulation/simulate.py for the model."),
        "generator": {"name": "analysis.simulation.simulate_study", "version": GENERATOR_VERSION,
                      "package_version": package_version(), "truth_draws": draws,
                      "instrument": _instrument_identity(inst)},
        "drivers": list(inst.driver_keys),
        "outcome": inst.outcome_construct.key,
        "measurement": generator_parameters(inst),
        "organisations": {},
    }
    for profile, child in zip(profiles, seed_sequence.spawn(len(profiles))):
        org: dict = {"sector": profile.sector, "phone_share": profile.phone_share,
                     "latent": latent_truth(profile, tuple(inst.driver_keys))}
        if profile.item_shifts:
            org["item_shifts"] = dict(profile.item_shifts)     # planted non-invariant intercepts
        if profile.asymmetry:   # planted dissatisfiers: the slope below the mean is effect + extra
            org["asymmetry"] = {d: {"extra_effect_below_mean": a, "effect_below_mean": profile.effects[d] + a,
                                    "effect_above_mean": profile.effects[d], "expected_class": "basic"}
                                for d, a in profile.asymmetry.items()}
        if draws:
            org.update(observed_truth(inst, profile, features, np.random.default_rng(child), draws))
        truth["organisations"][profile.name] = org
    return truth


def latent_truth(profile: OrgProfile, drivers: tuple[str, ...] | None = None) -> dict:
    """Means, correlation, effects, R² and LMG shares of the latent model of one organisation.

    ``drivers`` are the questionnaire's (the profile's own by default); the profile has
    means and effects for exactly them (:func:`~analysis.simulation.model.default_profiles`).
    """
    drivers = tuple(profile.effects) if drivers is None else drivers
    correlation = driver_correlation(drivers)
    beta = np.array([profile.effects[d] for d in drivers])
    r2 = float(beta @ correlation @ beta)
    arrays = importance_arrays(_joint_correlation(correlation, beta))
    return {
        "means": {d: profile.means[d] for d in drivers},
        "correlation": {"drivers": list(drivers), "matrix": correlation.tolist()},
        "effects": {d: profile.effects[d] for d in drivers},
        "r2": _round(r2),
        "residual_variance": _round(1 - r2),
        "lmg": _by_driver(arrays.lmg, drivers),
        "lmg_pct": _by_driver(100 * arrays.lmg / r2, drivers),
        **_ranking(arrays.lmg, drivers),
    }


def observed_truth(inst: Instrument, profile: OrgProfile, features: DataFeatures,
                   rng: np.random.Generator, draws: int) -> dict:
    """Population values on observed construct scores from ``draws`` simulated respondents.

    Returns
    -------
    dict
        ``observed`` (R², standardized betas, LMG shares absolute and as % of R², with
        Monte Carlo standard errors ``*_mcse``; ranks and top two), ``performance``
        (mean construct score on 0-100, all respondents with a score) and ``kpis``.

    Notes
    -----
    ``performance`` averages every simulated respondent with a score for the construct:
    all channels, straight-liners and speeders included. The driver analysis'
    performance (:func:`analysis.drivers.analyse.analyse_drivers`) averages its used
    respondents: complete cases on every driver (in effect phone respondents) without
    the flagged ones. The two targets differ slightly; on the example study the
    analysis' estimates lie within 4 points of this value.
    """
    draw = draw_organisation(rng, inst, profile, draws, features)
    items = pd.DataFrame({i: draw.answers[i] for i in inst.item_ids})
    items = items.where(items != 99)
    scores = construct_scores(items, inst)
    outcome = inst.outcome_construct.key
    drivers = tuple(inst.driver_keys)
    data = scores[[*drivers, outcome]].dropna().to_numpy()
    n_complete = data.shape[0]
    batches = np.array_split(np.arange(n_complete), N_BATCHES)
    covs = np.stack([np.cov(data, rowvar=False)] + [np.cov(data[b], rowvar=False) for b in batches])
    arrays = importance_arrays(covs)
    r2 = arrays.r2
    lmg_pct = 100 * arrays.lmg / r2[:, None]

    def mcse(values: np.ndarray) -> np.ndarray:
        return values[1:].std(axis=0, ddof=1) / np.sqrt(N_BATCHES)

    observed = {
        "outcome": outcome,
        "sample": _sample_text(inst),
        "n_draws": draws,
        "n_complete": n_complete,
        "n_batches": N_BATCHES,
        "r2": _round(r2[0]), "r2_mcse": _round(mcse(r2)),
        "std_beta": _by_driver(arrays.std_beta[0], drivers),
        "std_beta_mcse": _by_driver(mcse(arrays.std_beta), drivers),
        "lmg": _by_driver(arrays.lmg[0], drivers), "lmg_mcse": _by_driver(mcse(arrays.lmg), drivers),
        "lmg_pct": _by_driver(lmg_pct[0], drivers), "lmg_pct_mcse": _by_driver(mcse(lmg_pct), drivers),
        "r": _by_driver(arrays.r[0], drivers),
        **_ranking(arrays.lmg[0], drivers),
    }
    perf = performance(scores.mean(axis=0))
    return {"observed": observed,
            "performance": {k: _round(v) for k, v in perf.items()},
            "kpis": _kpis(draw.answers)}


def _instrument_identity(inst: Instrument) -> dict:
    """The questionnaire a study was simulated from: id and version; for another file than the shipped one, also
    its file name and SHA-256 content hash (an adapted file may keep the shipped id and version)."""
    identity = {"id": inst.definition.id, "content_version": inst.content_version}
    if not inst.is_shipped:
        identity.update(file=inst.source_file.name, sha256=inst.content_hash)
    return identity


def _sample_text(inst: Instrument) -> str:
    """Which respondents the observed truth's regression uses, in words."""
    limited = channels_of_drivers(inst)
    channels = sorted({ch for chans in limited.values() for ch in chans})
    who = f" (in effect {' and '.join(channels)} respondents)" if limited else ""
    return f"complete cases on the {number_word(len(inst.drivers), 'en')} driver scores and satisfaction{who}"


def _kpis(answers: dict[str, np.ndarray]) -> dict:
    """Population values of the outcome KPIs among those who answered them."""
    def answered(key: str) -> np.ndarray:
        values = answers[key]
        return values[~np.isnan(values)]

    csat, nps, ces, fcr = (answered(k) for k in ("csat", "nps", "ces", "fcr"))
    return {
        "csat_pct_4_5": _round(100 * np.mean(csat >= 4)),
        "nps": _round(100 * (np.mean(nps >= 9) - np.mean(nps <= 6))),
        "ces_mean": _round(ces.mean()),
        "ces_pct_5_7": _round(100 * np.mean(ces >= 5)),
        "fcr_pct_yes": _round(100 * np.mean(fcr == 1)),
    }


def _joint_correlation(driver_corr: np.ndarray, beta: np.ndarray) -> np.ndarray:
    """Correlation matrix of the drivers and an outcome of variance 1 (outcome last)."""
    p = driver_corr.shape[0]
    joint = np.eye(p + 1)
    joint[:p, :p] = driver_corr
    joint[:p, p] = joint[p, :p] = driver_corr @ beta
    return joint


def _ranking(lmg: np.ndarray, drivers: tuple[str, ...]) -> dict:
    order = np.argsort(-lmg, kind="stable")
    rank = {drivers[j]: int(r) for r, j in enumerate(order, start=1)}
    return {"rank": rank, "top_two": [drivers[j] for j in order[:2]]}


def _by_driver(values: np.ndarray, drivers: tuple[str, ...]) -> dict[str, float]:
    return {d: _round(v) for d, v in zip(drivers, np.asarray(values, dtype=float))}


def _round(value: float) -> float:
    return round(float(value), DECIMALS)


def generator_parameters(inst: Instrument) -> dict:
    """Loadings, thresholds and outcome parameters (the same in every organisation)."""
    items = {i.id: {"factor": inst.construct_of(i.id), "loading": item_loading(i.id),
                    "thresholds": item_thresholds(i.id, len(inst.scale(i.scale).codes)).round(4).tolist(),
                    "reverse": i.reverse}
             for i in inst.items}
    outcomes = {k: {"factor": "satisfaction", "loading": v} for k, v in OUTCOME_LOADINGS.items()}
    outcomes["csat"]["thresholds"] = thresholds_from_shares(CSAT_SHARES).round(4).tolist()
    outcomes["nps"]["thresholds"] = thresholds_from_shares(NPS_SHARES).round(4).tolist()
    outcomes["ces"]["thresholds"] = thresholds_from_shares(AGREE7_SHARES).round(4).tolist()
    outcomes["fcr"] = {"weights": dict(FCR_WEIGHTS), "shares_at_mean_0": dict(FCR_SHARES)}
    return {
        "note": ("identical in every organisation; an item's latent response is loading * factor + "
                 "sqrt(1 - loading^2) * N(0, 1), its answer 1 + the number of thresholds below it "
                 "(reverse-keyed items are stored as 8 - answer)"),
        "items": items, "outcomes": outcomes, "answer_shares_at_mean_0": list(AGREE7_SHARES),
    }
