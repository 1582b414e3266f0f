"""Simulated studies: determinism, file layout, data features, open answers, truth and its recovery.

The CLI and the shipped example study are tested in test_simulation_example.py.
"""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from analysis.importance.relative import importance_arrays
from analysis.scoring.scores import construct_scores
from analysis.simulation.model import DRIVER_CORRELATION, default_profiles, draw_organisation
from analysis.simulation.simulate import DRIVERS, DataFeatures, simulate_study
from analysis.simulation.text import COMPLAINT, HOSTILE, PRAISE, compose_answer
from analysis.simulation.truth import latent_truth
from instrument.errors import ServiceDriversError

PHONE = 1


def keyed_scores(frame: pd.DataFrame, inst) -> pd.DataFrame:
    items = frame[inst.item_ids].astype("float64")
    return construct_scores(items.where(items != 99), inst)


@pytest.fixture(scope="module")
def study(inst):
    """The default study (4 x 375) with its Monte Carlo truth."""
    return simulate_study(inst, seed=2011)


@pytest.fixture(scope="module")
def big(inst):
    """A larger sample (4 x 1,000) for shares, without the Monte Carlo truth."""
    return simulate_study(inst, n_per_org=1000, seed=7, truth_draws=0)


# --- determinism and layout ------------------------------------------------------

def test_same_seed_gives_identical_study_and_other_seed_differs(inst):
    a = simulate_study(inst, n_orgs=2, n_per_org=100, seed=11, truth_draws=0)
    b = simulate_study(inst, n_orgs=2, n_per_org=100, seed=11, truth_draws=0)
    c = simulate_study(inst, n_orgs=2, n_per_org=100, seed=12, truth_draws=0)
    pd.testing.assert_frame_equal(a.responses, b.responses)
    assert a.truth_json() == b.truth_json()
    assert not a.responses.equals(c.responses)
    assert (a.responses["rel1"].fillna(0) != c.responses["rel1"].fillna(0)).mean() > .3


def test_truth_is_deterministic_given_the_seed(inst):
    a = simulate_study(inst, n_orgs=1, n_per_org=10, seed=5, truth_draws=20_000)
    b = simulate_study(inst, n_orgs=1, n_per_org=10, seed=5, truth_draws=20_000)
    assert a.truth == b.truth
    json.loads(a.truth_json())  # serialisable


def test_columns_and_codes_are_valid_file_codes(study, inst):
    frame = study.responses
    assert list(frame.columns) == [v.id for v in inst.variables]
    assert frame.shape == (1500, len(inst.variables))
    for var in inst.variables:
        codes = var.valid_codes
        if codes is None:
            continue
        allowed = set(codes) | ({var.na_code} if var.na_code is not None else set())
        present = set(frame[var.id].dropna().astype(int))
        assert present <= allowed, (var.id, present - allowed)
        assert len(present & set(codes)) >= min(len(codes), 5), var.id  # the scale is used
    assert frame["respondent_id"].is_unique
    assert all(isinstance(v, str) for v in frame["respondent_id"])
    assert frame["organisation"].value_counts().to_dict() == {
        "Energie": 375, "Telecom": 375, "Verzekeraar": 375, "Webwinkel": 375}
    dates = pd.to_datetime(frame["contact_date"])
    assert dates.min() >= pd.Timestamp("2024-01-01") and dates.max() <= pd.Timestamp("2024-03-31")
    assert (frame["duration_sec"] > 0).all()
    assert .2 < frame["agent_id"].isna().mean() < .5


def test_satisfaction_and_outcome_questions_have_no_na_code(study):
    for col in ("sat1", "sat2", "sat3", "ces", "csat", "nps"):
        assert not (study.responses[col] == 99).any(), col


def test_answers_lean_positive(study, inst):
    items = study.responses[inst.item_ids].astype("float64")
    mean = items.where(items != 99).stack().mean()
    assert 4.6 < mean < 5.4


# --- data features ---------------------------------------------------------------

def test_phone_only_items_are_na_or_blank_off_the_phone(big, inst):
    frame = big.responses
    phone_only = [i.id for i in inst.items if i.channels == ["phone"]]
    assert len(phone_only) == 8
    off = frame[frame["channel"] != PHONE][phone_only]
    assert off.fillna(99).eq(99).all().all()
    assert .6 < off.fillna(0).eq(99).all(axis=1).mean() < .9  # most say N/A, the rest leave them blank
    on = frame[frame["channel"] == PHONE][phone_only]
    assert on.notna().to_numpy().mean() > .95 and on.fillna(0).eq(99).to_numpy().mean() < .02
    assert .50 < (frame["channel"] == PHONE).mean() < .60


def test_blank_and_dont_know_shares_are_in_the_stated_range(big, inst):
    frame = big.responses
    planted = set(big.truth["sample"]["planted"]["straightliners"])
    regular = frame[(frame["channel"] == PHONE) & ~frame["respondent_id"].isin(planted)]
    items = regular[inst.item_ids]
    blank = items.isna().to_numpy().mean()
    assert .015 < blank < .025  # DataFeatures.blank_rate = .02, completely at random
    for col in ("csat", "nps", "fcr", "contact_reason"):
        assert .01 < frame[col].isna().mean() < .03, col
    assert .02 < (regular["ckn2"] == 99).mean() < .045       # 'don't know' 3 %
    assert .01 < (regular["cfo3"] == 99).mean() < .045
    assert (regular["rel2"] == 99).mean() < .01


def test_straightliners_answer_every_driver_item_the_same(big, inst):
    frame = big.responses
    driver_items = [i.id for c in inst.drivers for i in c.items]
    answers = frame[driver_items].astype("float64")
    answers = answers.where(answers != 99)
    detected = frame.loc[(answers.nunique(axis=1) == 1) & (answers.notna().sum(axis=1) >= 16), "respondent_id"]
    planted = big.truth["sample"]["planted"]["straightliners"]
    assert set(detected) == set(planted)
    assert .012 < len(planted) / len(frame) < .03


def test_speeders_are_fast_and_overlap_with_straightliners(big):
    frame = big.responses.set_index("respondent_id")
    planted = big.truth["sample"]["planted"]
    speeders = frame.loc[planted["speeders"], "duration_sec"]
    assert speeders.max() <= 95
    assert .02 < len(speeders) / len(frame) < .05
    others = frame.drop(index=planted["speeders"])["duration_sec"]
    assert 280 < others.median() < 380 and (others < 95).mean() < .01
    assert len(set(planted["speeders"]) & set(planted["straightliners"])) > 0


def test_items_correlate_more_within_than_across_constructs(big, inst):
    phone = big.responses[big.responses["channel"] == PHONE]
    items = phone[inst.item_ids].astype("float64")
    items = items.where(items != 99)
    items["ckn3"] = 8 - items["ckn3"]
    corr = items.corr().to_numpy()
    construct_of = np.array([inst.construct_of(i) for i in inst.item_ids])
    for key in construct_of[np.sort(np.unique(construct_of, return_index=True)[1])]:
        inside = construct_of == key
        block = corr[np.ix_(inside, inside)][~np.eye(inside.sum(), dtype=bool)]
        across = corr[np.ix_(inside, ~inside)]
        assert block.min() > .35, key
        assert block.mean() > across.mean() + .2, key


def test_reverse_keyed_item_is_stored_reversed(big, inst):
    phone = big.responses[big.responses["channel"] == PHONE]
    items = phone[["ckn1", "ckn2", "ckn3"]].astype("float64")
    items = items.where(items != 99)
    assert items["ckn3"].corr(items["ckn1"]) < -.3
    assert items["ckn1"].corr(items["ckn2"]) > .3


def test_outcomes_are_consistent_with_satisfaction_and_fcr_follows_reliability(big, inst):
    frame = big.responses
    scores = keyed_scores(frame, inst)
    sat = scores["satisfaction"]
    nps = frame["nps"].astype("float64")
    assert sat[nps >= 9].mean() > sat[nps.between(7, 8)].mean() + .4 > sat[nps <= 6].mean() + .8
    csat = frame["csat"].astype("float64")
    assert sat.corr(csat) > .6 and sat.corr(frame["ces"].astype("float64")) > .5
    fcr = frame["fcr"].astype("float64")  # 1 yes, 2 partly, 3 no
    with_fcr = {d: scores[d].corr(fcr) for d in DRIVERS}
    assert min(with_fcr, key=with_fcr.get) == "reliability"
    assert with_fcr["reliability"] < -.35


# --- open answers ------------------------------------------------------------------

def test_open_answers_vary_and_are_sometimes_empty_or_english(study):
    why = study.responses["why"]
    answers = why.dropna()
    assert .55 < len(answers) / len(why) < .75
    assert answers.nunique() >= 300
    english = answers.str.contains(r"\b(?:the|I|my|they|it|you)\b", regex=True)
    assert .05 < english.mean() < .2


def test_open_answers_reflect_the_respondents_scores(big, inst):
    frame = big.responses
    scores = keyed_scores(frame, inst)
    phrase_driver = {(tone, phrase): driver
                     for tone, bank in (("praise", PRAISE), ("complaint", COMPLAINT))
                     for lang in bank for driver, phrases in bank[lang].items() for phrase in phrases}
    checked = 0
    for i, text in frame["why"].items():
        if not isinstance(text, str):
            continue
        lowered = text.lower()
        found = [(tone, d) for (tone, phrase), d in phrase_driver.items() if phrase.lower() in lowered]
        drivers_scores = scores.loc[i, list(DRIVERS)]
        for tone, driver in found:
            target = drivers_scores.max() if tone == "praise" else drivers_scores.min()
            assert drivers_scores[driver] == target, (text, dict(drivers_scores))
            checked += 1
    assert checked > 1500
    praise_only = frame["why"].fillna("").str.contains("Top service|Heel tevreden|Great service|Very happy")
    complaint_only = frame["why"].fillna("").str.contains("Slechte ervaring|Erg teleurgesteld|Bad experience")
    assert scores.loc[praise_only, "satisfaction"].min() >= 5.5
    assert scores.loc[complaint_only, "satisfaction"].max() <= 3.5


def test_compose_answer_uses_the_named_drivers():
    text = compose_answer("en", "mixed", "empathy", "wait_time", [0, 0, 0, 0, 0])
    assert PRAISE["en"]["empathy"][0] in text.lower() and COMPLAINT["en"]["wait_time"][0] in text


def test_fake_personal_data_and_hostile_answers_are_planted(study):
    why = study.responses.set_index("respondent_id")["why"]
    planted = study.truth["sample"]["planted"]
    patterns = {
        "email": r"[\w.]+@example\.(?:nl|com)",
        "phone": r"(?:06[- ]?\d{8}|\+31|0\d{2}-\d{3} \d{4}|\+44|\+1 )",
        "iban": r"\b[A-Z]{2}\d{2} ?[A-Z0-9]{4}",
        "postcode": r"\b\d{4} [A-Z]{2} \d+",
        "agent_name": r"\b(?:Sanne|Daan|Fatima|Kevin|Lotte|Mohammed|Priya|Bram)\b",
    }
    total = 0
    for kind, pattern in patterns.items():
        ids = planted["personal_data"][kind]
        assert ids, kind
        assert why[ids].str.contains(pattern, regex=True).all(), kind
        total += len(ids)
    assert .02 < total / why.notna().sum() < .09
    email_rows = why.dropna()[why.dropna().str.contains("@")]
    assert email_rows.str.contains(r"@example\.(?:nl|com)\b", regex=True).all()
    assert why.str.contains("NL91ABNA0417164300|NL91 ABNA 0417 1643 00", regex=True).any()
    assert sorted(why[planted["hostile"]]) == sorted(HOSTILE)
    assert why.str.contains("<script>alert(1)</script>", regex=False).sum() == 1


# --- truth -------------------------------------------------------------------------

def test_truth_contents(study):
    truth = study.truth
    assert truth["synthetic"] is True and truth["generator"]["seed"] == 2011
    assert truth["generator"]["truth_draws"] == 200_000
    assert set(truth["organisations"]) == {"Energie", "Telecom", "Verzekeraar", "Webwinkel"}
    for org in truth["organisations"].values():
        latent, observed = org["latent"], org["observed"]
        assert .55 <= latent["r2"] <= .65
        assert np.allclose(latent["correlation"]["matrix"], DRIVER_CORRELATION)
        assert sum(latent["lmg"].values()) == pytest.approx(latent["r2"], abs=1e-5)
        assert sum(observed["lmg"].values()) == pytest.approx(observed["r2"], abs=1e-5)
        assert sum(observed["lmg_pct"].values()) == pytest.approx(100, abs=1e-3)
        assert observed["r2"] < latent["r2"]  # measurement error attenuates
        assert 0 < observed["r2_mcse"] < .005 and max(observed["std_beta_mcse"].values()) < .006
        assert .5 < observed["n_complete"] / observed["n_draws"] < .65
        assert set(observed["top_two"]) == set(latent["top_two"])
        assert sorted(observed["rank"].values()) == list(range(1, 8))
        assert all(0 < v < 100 for v in org["performance"].values())
        for small in ("wait_time", "accessibility", "menu"):
            assert 0 < latent["effects"][small] <= .06
            assert observed["rank"][small] >= 4
    items = truth["measurement"]["items"]
    assert all(.65 <= item["loading"] <= .85 for item in items.values())
    assert items["ckn3"]["reverse"] and len(items["rel1"]["thresholds"]) == 6


def test_truth_reliability_and_empathy_lead_at_most_organisations(study):
    orgs = study.truth["organisations"]
    tops = {name: set(org["observed"]["top_two"]) for name, org in orgs.items()}
    assert sum(top == {"reliability", "empathy"} for top in tops.values()) >= 3
    for key in ("customer_focus", "customer_knowledge"):
        effects = [org["latent"]["effects"][key] for org in orgs.values()]
        betas = [org["observed"]["std_beta"][key] for org in orgs.values()]
        assert max(effects) - min(effects) >= .15, key
        assert max(betas) - min(betas) >= .12, key
    ranks = [org["observed"]["rank"]["customer_focus"] for org in orgs.values()]
    assert min(ranks) <= 2 and max(ranks) >= 4


def test_performance_differs_between_organisations_as_profiled(study):
    perf = {name: org["performance"] for name, org in study.truth["organisations"].items()}
    assert min(perf, key=lambda name: perf[name]["wait_time"]) == "Energie"
    assert max(perf, key=lambda name: perf[name]["empathy"]) == "Verzekeraar"
    assert max(perf, key=lambda name: perf[name]["accessibility"]) == "Webwinkel"


def test_large_sample_recovers_the_population_betas(inst):
    """Plain least squares on standardized construct scores, 20,000 respondents per organisation."""
    sim = simulate_study(inst, n_per_org=20_000, seed=31, truth_draws=200_000)
    scores = keyed_scores(sim.responses, inst)
    scores["organisation"] = sim.responses["organisation"]
    for name, group in scores.groupby("organisation"):
        data = group[[*DRIVERS, "satisfaction"]].dropna().to_numpy()
        z = (data - data.mean(axis=0)) / data.std(axis=0)
        beta, *_ = np.linalg.lstsq(z[:, :-1], z[:, -1], rcond=None)
        truth = sim.truth["organisations"][name]["observed"]
        for j, driver in enumerate(DRIVERS):
            mcse = truth["std_beta_mcse"][driver]
            se = mcse * np.sqrt(1 + truth["n_complete"] / len(data))  # truth's MC error + this sample's
            assert abs(beta[j] - truth["std_beta"][driver]) < 4 * se, (name, driver, beta[j], truth["std_beta"][driver], se)


def test_true_top_two_is_recovered_in_most_samples_of_375(inst):
    """The design promise: the true top two lead the estimated LMG ranking at n = 375 per organisation."""
    reps, n = 150, 375
    features = DataFeatures()
    for k, profile in enumerate(default_profiles(4)):
        rng = np.random.default_rng([99, k])
        draw = draw_organisation(rng, inst, profile, n * reps, features)
        items = pd.DataFrame({i: draw.answers[i] for i in inst.item_ids})
        data = construct_scores(items.where(items != 99), inst)[[*DRIVERS, "satisfaction"]].to_numpy()
        covs = [np.cov(x[~np.isnan(x).any(axis=1)], rowvar=False) for x in data.reshape(reps, n, -1)]
        lmg = importance_arrays(np.stack(covs)).lmg
        top = set(latent_truth(profile)["top_two"])  # = the observed-score top two (test_truth_contents)
        hits = np.mean([{DRIVERS[j] for j in np.argsort(-row)[:2]} == top for row in lmg])
        assert hits >= .93, (profile.name, hits)


# --- API arguments --------------------------------------------------------------------

def test_custom_effects_and_more_organisations(inst):
    effects = {"A": dict.fromkeys(DRIVERS, .1), "B": {**dict.fromkeys(DRIVERS, .02), "menu": .5}}
    sim = simulate_study(inst, n_orgs=2, n_per_org=30, seed=1, effects=effects, truth_draws=0)
    assert sim.truth["organisations"]["B"]["latent"]["effects"]["menu"] == .5
    assert sim.truth["organisations"]["B"]["latent"]["top_two"][0] == "menu"
    assert set(sim.responses["organisation"]) == {"A", "B"}
    six = simulate_study(inst, n_orgs=6, n_per_org=5, seed=1, truth_draws=0)
    assert six.responses["organisation"].nunique() == 6


@pytest.mark.parametrize("kwargs, message", [
    ({"n_orgs": 0}, "n_orgs must be a whole number from 1 to 50, got 0"),
    ({"n_per_org": -5}, "n_per_org must be a whole number from 1 to"),
    ({"n_per_org": 2.5}, "whole number"),
    ({"seed": -1}, "seed"),
    ({"truth_draws": 500}, "truth_draws"),
    ({"effects": {"A": {"reliability": .5}}, "n_orgs": 1}, "missing"),
    ({"effects": {"A": dict.fromkeys(DRIVERS, .4)}, "n_orgs": 1}, "R²"),
])
def test_bad_arguments_raise_clear_errors(inst, kwargs, message):
    with pytest.raises(ServiceDriversError, match=message):
        simulate_study(inst, truth_draws=kwargs.pop("truth_draws", 0), **kwargs)


def test_bad_data_features_raise():
    with pytest.raises(ValueError, match="blank_rate"):
        DataFeatures(blank_rate=1.5)
