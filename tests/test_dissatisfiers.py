"""Penalty-reward contrast analysis: the statistics, a planted dissatisfier recovered, the API and the CLI."""
import json

import numpy as np
import pytest

from analysis import analyse_dissatisfiers, simulate_study
from analysis.common.display import Summary
from analysis.common.errors import ServiceDriversError
from analysis.dissatisfiers.contrast import classify, dummy_code, penalty_reward
from instrument import load_instrument, read_responses

CSV = "data/example/responses.csv"
PLANTED = {"Energie": {"wait_time": 0.6}}
SEEDS = (11, 12, 13)


def _study(tmp_path, seed, asymmetry):
    inst = load_instrument()
    study = simulate_study(inst, n_orgs=2, n_per_org=1500, seed=seed, truth_draws=0, asymmetry=asymmetry)
    path = tmp_path / f"study_{seed}.csv"
    study.responses.to_csv(path, index=False)
    data, _ = read_responses(path, inst)
    return study, data, inst


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    """Several simulated studies with wait time planted as a dissatisfier in Energie."""
    tmp = tmp_path_factory.mktemp("dissat")
    out = []
    for seed in SEEDS:
        study, data, inst = _study(tmp, seed, PLANTED)
        out.append((study, analyse_dissatisfiers(data, inst, bootstrap=300, seed=seed)))
    return out


def _row(res, group, driver):
    t = res.table
    return t[(t.group == group) & (t.driver == driver)].iloc[0]


def test_the_planted_asymmetry_is_in_the_truth(planted):
    study = planted[0][0]
    recorded = study.truth["organisations"]["Energie"]["asymmetry"]["wait_time"]
    assert recorded["extra_effect_below_mean"] == 0.6 and recorded["expected_class"] == "basic"
    assert recorded["effect_below_mean"] > recorded["effect_above_mean"]
    assert "asymmetry" not in study.truth["organisations"]["Telecom"]


def test_the_planted_dissatisfier_is_recovered_with_a_clear_majority(planted):
    for _, res in planted:
        row = _row(res, "Energie", "wait_time")
        assert row["class"] == "basic"
        assert row["share_basic"] > 0.8 and row["diff_low"] > 0
        assert row["penalty"] > 2 * row["reward"]


def test_symmetric_drivers_are_performance_factors(planted):
    """Wait time without a planted asymmetry (Telecom) and a weak symmetric driver are not called basic."""
    for _, res in planted:
        assert _row(res, "Telecom", "wait_time")["class"] == "performance"
        assert _row(res, "Energie", "customer_focus")["class"] == "performance"
    # most symmetric (group, driver) pairs are performance factors in every study
    for _, res in planted:
        t = res.table[~((res.table.group == "Energie") & (res.table.driver == "wait_time"))]
        assert (t["class"] == "performance").mean() >= 0.7


def test_strong_linear_drivers_are_not_mistaken_for_dissatisfiers(planted):
    """Skewed scores put the low quarter further from the middle than the high quarter: per point
    of score, a strong straight-line effect is still symmetric (the raw contrasts are not)."""
    from analysis.simulation.model import default_profiles

    effects = {p.name: p.effects for p in default_profiles(2)}
    tables = [res.table for _, res in planted]
    strong = [t[[effects[g][d] >= .3 for g, d in zip(t.group, t.driver)]] for t in tables]
    classes = [c for t in strong for c in t["class"]]
    assert len(classes) == 3 * 4 and classes.count("performance") >= 10, classes
    raw_ratio = [r for t in strong for r in (t.penalty / t.reward)]
    assert np.median(raw_ratio) > 1.2            # the raw contrast leans 'basic' ...
    per_point = [abs(a) for t in strong for a in t.asymmetry]
    assert np.median(per_point) < 0.2            # ... the per-point contrast does not


def test_without_the_plant_wait_time_is_no_dissatisfier(tmp_path):
    _, data, inst = _study(tmp_path, SEEDS[0], None)
    res = analyse_dissatisfiers(data, inst, bootstrap=300, seed=1)
    row = _row(res, "Energie", "wait_time")
    assert row["class"] == "performance" and row["share_basic"] < 0.8


def test_same_seed_same_result_and_groups_are_independent(tmp_path):
    _, data, inst = _study(tmp_path, SEEDS[0], PLANTED)
    a = analyse_dissatisfiers(data, inst, bootstrap=50, seed=4).table
    b = analyse_dissatisfiers(data, inst, bootstrap=50, seed=4).table
    assert a.equals(b)
    # a group's resamples come from its own stream: dropping the other group changes nothing for it
    only = analyse_dissatisfiers(data[data.organisation == "Energie"], inst, bootstrap=50, seed=4).table
    first = a[a.group == "Energie"].reset_index(drop=True)
    assert np.allclose(only[["diff_low", "diff_high"]].to_numpy(), first[["diff_low", "diff_high"]].to_numpy())


def test_a_seed_drawn_at_random_is_recorded_and_repeats_the_run():
    inst = load_instrument()
    data, _ = read_responses(CSV, inst)
    first = analyse_dissatisfiers(data, inst, bootstrap=30)
    seed = first.settings["seed"]
    assert isinstance(seed, int) and seed >= 0
    assert analyse_dissatisfiers(data, inst, bootstrap=30, seed=seed).table.equals(first.table)
    assert json.loads(json.dumps(first.to_dict()))["settings"]["seed"] == seed
    assert analyse_dissatisfiers(data, inst, bootstrap=30).settings["seed"] != seed


def test_contrast_recovers_a_known_asymmetry_and_codes_quartiles():
    rng = np.random.default_rng(0)
    z = rng.standard_normal((5000, 3))
    y = 0.4 * z[:, 0] + 0.8 * np.minimum(z[:, 1], 0) + 0.8 * np.maximum(z[:, 2], 0) + rng.standard_normal(5000)
    c = penalty_reward(z, y, n_resamples=100, rng=np.random.default_rng(1))
    assert classify(c.penalty, c.reward).tolist() == ["performance", "basic", "excitement"]
    assert np.allclose(c.low_share, 0.25, atol=0.01) and np.allclose(c.high_share, 0.25, atol=0.01)
    assert c.boot_penalty.shape == (100, 3) and not np.isnan(c.boot_penalty).any()
    low, high, lo, hi = dummy_code(z)
    assert not (low.astype(bool) & high.astype(bool)).any() and (lo < hi).all()


def test_a_driver_without_contrast_is_undetermined():
    rng = np.random.default_rng(2)
    x = np.column_stack([rng.standard_normal(200), np.r_[np.ones(190), np.full(10, 2.0)]])
    y = x[:, 0] + rng.standard_normal(200)
    c = penalty_reward(x, y)
    assert classify(c.penalty, c.reward).tolist()[1] == "undetermined"


def test_phone_only_drivers_are_left_out_of_groups_that_never_answered_them():
    inst = load_instrument()
    data, _ = read_responses(CSV, inst)
    res = analyse_dissatisfiers(data, inst, by="channel", bootstrap=20, seed=1)
    drivers = res.table.groupby("group")["driver"].apply(set)
    assert "wait_time" in drivers["phone"] and "wait_time" not in drivers["chat"]
    assert any("not asked there" in n for n in res.notes)
    # by organisation every group has phone respondents: all seven drivers, respondents with all scores
    by_org = analyse_dissatisfiers(data, inst, bootstrap=20, seed=1)
    assert set(by_org.table.groupby("group").size()) == {7}


def test_summary_and_json(tmp_path):
    inst = load_instrument()
    data, _ = read_responses(CSV, inst)
    res = analyse_dissatisfiers(data, inst, bootstrap=20, seed=1)
    assert isinstance(res.summary(), Summary) and "Penalty-reward" in res.summary()
    doc = json.loads(json.dumps(res.to_dict()))
    assert doc["settings"]["bootstrap"] == 20 and len(doc["table"]) == len(res.table)


def test_simulator_refuses_bad_asymmetry():
    inst = load_instrument()
    with pytest.raises(ServiceDriversError, match="not a driver"):
        simulate_study(inst, n_orgs=1, n_per_org=20, truth_draws=0, asymmetry={"Energie": {"speed": .5}})
    with pytest.raises(ServiceDriversError, match="between 0 and 1"):
        simulate_study(inst, n_orgs=1, n_per_org=20, truth_draws=0, asymmetry={"Energie": {"wait_time": 2}})
    with pytest.raises(ServiceDriversError, match="unknown organisation"):
        simulate_study(inst, n_orgs=1, n_per_org=20, truth_draws=0, asymmetry={"Nope": {"wait_time": .5}})


def test_cli_prints_the_classes_and_writes_json(run_cli, tmp_path):
    out = tmp_path / "d.json"
    result = run_cli("dissatisfiers", CSV, "--by", "organisation", "--bootstrap", "20", "--json", str(out))
    assert result.exit_code == 0, result.stderr
    assert "Dissatisfiers" in result.stdout and "wait_time" in result.stdout
    # who the contrasts rest on, and every respondent not used counted with its reason
    stdout = " ".join(result.stdout.split())
    assert "Energie: n = 357 of 375 (phone-only drivers: 221)" in stdout
    assert "Not used, group 'Energie': 18 not used: 18 flagged as unreliable" in stdout
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["settings"]["by"] == "organisation"
    # no --seed: one is drawn, printed and written, and repeats the run
    seed = doc["settings"]["seed"]
    assert f"(seed {seed})" in " ".join(result.stdout.split())
    again = tmp_path / "again.json"
    rerun = run_cli("dissatisfiers", CSV, "--bootstrap", "20", "--seed", str(seed), "--json", str(again))
    assert rerun.exit_code == 0 and json.loads(again.read_text(encoding="utf-8"))["table"] == doc["table"]


def test_a_driver_not_asked_of_some_respondents_rests_on_those_asked():
    # issue 14: the phone-only drivers' contrasts from the phone respondents, the others' from everyone
    rng = np.random.default_rng(4)
    n = 6000
    z = rng.standard_normal((n, 3))
    y = 0.5 * z[:, 0] + 0.9 * np.minimum(z[:, 1], 0) + 0.3 * z[:, 2] + rng.standard_normal(n)
    phone = rng.random(n) < 0.5
    y += 0.4 * ~phone                       # the channels differ in level: the indicator absorbs it
    x = z.copy()
    x[~phone, 1] = np.nan                  # the dissatisfier asked on the phone only
    c = penalty_reward(x, y, n_resamples=50, rng=np.random.default_rng(1))
    assert c.n_asked.tolist() == [n, int(phone.sum()), n]
    full = penalty_reward(z[phone], y[phone])           # the phone respondents alone
    both = penalty_reward(z, y - 0.4 * ~phone)          # everyone, had everyone been asked
    assert classify(c.penalty, c.reward).tolist() == ["performance", "basic", "performance"]
    # the phone-only driver's cut points and contrast are those of the phone respondents
    assert c.low_cut[1] == full.low_cut[1] and np.isclose(c.low_share[1], full.low_share[1])
    assert c.penalty_per_point[1] == pytest.approx(full.penalty_per_point[1], rel=0.2)
    # the common drivers rest on everyone: closer to the every-respondent contrast, tighter than phone-only
    assert c.penalty_per_point[0] == pytest.approx(both.penalty_per_point[0], rel=0.1)
    assert c.low_cut[0] == both.low_cut[0]
    assert not np.isnan(c.boot_penalty).any()
    low, high, _, _ = dummy_code(x)
    assert not low[~phone, 1].any() and not high[~phone, 1].any()


def test_every_respondent_is_used_or_counted_with_a_reason():
    inst = load_instrument()
    data, _ = read_responses(CSV, inst)
    res = analyse_dissatisfiers(data, inst, bootstrap=20, seed=1)
    resp = res.respondents.set_index("group")
    # chat, e-mail, messaging and social respondents are used (they lack only the phone-only drivers)
    assert resp.n_used.tolist() == [357, 354, 350, 356] and (resp.n_complete < resp.n_used).all()
    assert resp.n_complete.tolist() == [221, 193, 209, 179]
    t = res.table.set_index(["group", "driver"])
    assert t.n_driver[("Energie", "wait_time")] == 221 and t.n_driver[("Energie", "empathy")] == 357
    assert (t.n[t.index.get_level_values(0) == "Energie"] == 357).all()
    # used + counted exclusions = the group's respondents; no 'not_asked' among the reasons
    counted = res.exclusion_counts.groupby("group").n.sum()
    assert (resp.n_used + counted.reindex(resp.index, fill_value=0) == resp.n_input).all()
    assert resp.n_input.sum() == len(data) and "not_asked" not in set(res.exclusion_counts.code)
    doc = json.loads(json.dumps(res.to_dict()))
    energie = [c for c in doc["exclusion_counts"] if c["group"] == "Energie"]
    assert energie == [{"group": "Energie", "code": "flagged", "n": 18,
                        "reason": "flagged as unreliable (straight-liner, speeder or too many missing answers)"}]
    assert doc["respondents"][0] == {"group": "Energie", "n_input": 375, "n_used": 357, "n_complete": 221}
    text = str(res.summary())
    assert "Energie: n = 357 of 375 (phone-only drivers: 221)" in text
    assert "group 'Energie': 18 not used: 18 flagged as unreliable" in text
    # a group too small for a contrast is counted too
    small = data[(data.organisation != "Energie") | (data.index % 10 == 0)]
    res = analyse_dissatisfiers(small, inst, bootstrap=20, seed=1)
    counts = res.exclusion_counts
    energie = res.respondents.set_index("group").loc["Energie"]
    assert energie.n_used == 0 and counts[counts.group == "Energie"].n.sum() == energie.n_input == 38
    assert counts[(counts.group == "Energie") & (counts.code == "too_few")].n.item() > 30
    assert any("Energie" in n and "left out" in n for n in res.notes)
