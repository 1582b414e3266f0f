"""``drivers simulate --agent-sd / --dissatisfier``: planted truths written by the CLI, recovered by the analyses.

The API tests (tests/test_agents.py, tests/test_dissatisfiers.py) recover the same plants
from ``simulate_study``; these go through the command line, as a user would: simulate,
then analyse the written file, and compare with the written truth.
"""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from analysis.agents import analyse_agents
from instrument import load_instrument, read_responses
from tests.cli_results import failed, ok


@pytest.fixture(scope="module")
def inst():
    return load_instrument()


def _simulate(run_cli, tmp_path, name, *args):
    out = tmp_path / f"{name}.csv"
    printed = ok(run_cli("simulate", "--truth-draws", "0", "-o", out, *args))
    truth = json.loads((tmp_path / f"{name}.truth.json").read_text(encoding="utf-8"))
    return out, truth, printed


@pytest.mark.parametrize("seed", [101, 102])
def test_agent_effects_planted_by_the_cli_are_recovered_by_the_shrunk_estimates(run_cli, tmp_path, inst, seed):
    path, truth, printed = _simulate(run_cli, tmp_path, f"agents{seed}", "--orgs", "2", "--seed", str(seed),
                                     "--agent-sd", "0.4")
    assert "planted agent effects: SD 0.4" in printed
    assert truth["generator"]["agent_sd"] == 0.4
    planted = truth["agents"]["agents"]
    effects = np.array([a["effect"] for a in planted.values()])
    assert len(effects) == 60 and 0.25 < effects.std() < 0.55          # 60 draws of N(0, 0.4²)
    data, _ = read_responses(path, inst)
    res = analyse_agents(data, inst, min_n=5)
    sc = res.scores.assign(true=[planted[a]["expected_score"][d] for a, d in zip(res.scores.agent, res.scores.driver)])
    assert len(sc) > 100
    # the estimates follow the planted differences ...
    assert np.corrcoef(sc.estimate, sc.true)[0, 1] > 0.6
    # ... are closer to them than the raw means, and their 95% intervals cover most of them
    rmse = lambda col: float(np.sqrt(((sc[col] - sc.true) ** 2).mean()))   # noqa: E731
    assert rmse("estimate") < 0.9 * rmse("raw_mean")
    assert ((sc.ci_low <= sc.true) & (sc.true <= sc.ci_high)).mean() > 0.8
    # the effect on each agent's drivers has the planted sign for clearly better and worse agents
    effect = np.array([planted[a]["effect"] for a in sc.agent])
    strong = np.abs(effect) > 0.6
    assert strong.sum() >= 3
    assert (np.sign(sc.estimate - sc.team_mean)[strong] == np.sign(effect[strong])).mean() > 0.8


def test_without_agent_sd_no_agents_are_planted(run_cli, tmp_path):
    _, truth, printed = _simulate(run_cli, tmp_path, "plain", "--orgs", "1", "--n-per-org", "30")
    assert "agents" not in truth and "planted" not in printed


def test_a_dissatisfier_planted_by_the_cli_is_found_by_drivers_dissatisfiers(run_cli, tmp_path):
    path, truth, printed = _simulate(run_cli, tmp_path, "dissat", "--orgs", "2", "--n-per-org", "1500", "--seed",
                                     "12", "--dissatisfier", "Energie:wait_time=0.6")
    assert "planted dissatisfier: Energie's wait_time" in printed
    planted = truth["organisations"]["Energie"]["asymmetry"]
    assert planted == {"wait_time": {"extra_effect_below_mean": 0.6, "effect_below_mean": pytest.approx(0.65),
                                     "effect_above_mean": 0.05, "expected_class": "basic"}}
    assert "asymmetry" not in truth["organisations"]["Telecom"]
    out = tmp_path / "dissat.json"
    ok(run_cli("dissatisfiers", path, "--bootstrap", "300", "--seed", "3", "--json", out))
    table = {(r["group"], r["driver"]): r for r in json.loads(out.read_text(encoding="utf-8"))["table"]}
    assert table[("Energie", "wait_time")]["class"] == planted["wait_time"]["expected_class"]
    assert table[("Energie", "wait_time")]["share_basic"] > 0.8
    # the same driver without the plant, and the planted organisation's other drivers: no dissatisfier
    assert table[("Telecom", "wait_time")]["class"] == "performance"
    others = [r["class"] for (g, d), r in table.items() if (g, d) != ("Energie", "wait_time")]
    assert others.count("basic") <= 1 and others.count("performance") >= 0.7 * len(others)


def test_a_dissatisfier_without_organisation_is_planted_in_every_one(run_cli, tmp_path):
    _, truth, printed = _simulate(run_cli, tmp_path, "every", "--orgs", "3", "--n-per-org", "20",
                                  "--dissatisfier", "wait_time=0.4", "--dissatisfier", "Telecom:menu=0.2")
    orgs = truth["organisations"]
    assert all(o["asymmetry"]["wait_time"]["extra_effect_below_mean"] == 0.4 for o in orgs.values())
    assert set(orgs["Telecom"]["asymmetry"]) == {"wait_time", "menu"}
    assert printed.count("planted dissatisfier") == 4


@pytest.mark.parametrize("args, fragments", [
    (["--dissatisfier", "speed=0.5"], ["--dissatisfier", "'speed=0.5': give [ORGANISATION:]DRIVER=EXTRA"]),
    (["--dissatisfier", "wait_time=2"], ["--dissatisfier", "an extra effect from 0 to 1"]),
    (["--dissatisfier", "wait_time"], ["--dissatisfier", "e.g. wait_time=0.6"]),
    (["--dissatisfier", "Nope:wait_time=0.5"], ["--dissatisfier", "'Nope' is not one of the 4 simulated"]),
    (["--waves", "2", "--agent-sd", "3"], ["--agent-sd"]),
])
def test_bad_plants_are_usage_errors_before_the_work(run_cli, tmp_path, args, fragments):
    failed(run_cli("simulate", "--truth-draws", "0", "-o", tmp_path / "s.csv", *args), 2, *fragments)
    assert not any(tmp_path.iterdir())


def test_agents_and_a_dissatisfier_planted_in_every_wave_are_recovered(run_cli, tmp_path, inst):
    """--waves with --agent-sd and --dissatisfier: the same agents in every wave, the dissatisfier in each."""
    path, truth, printed = _simulate(run_cli, tmp_path, "waves", "--orgs", "2", "--n-per-org", "750", "--waves", "2",
                                     "--seed", "14", "--agent-sd", "0.4", "--dissatisfier", "Energie:wait_time=0.6")
    assert "the same agents in every wave" in printed and "in every wave" in printed.split("planted dissatisfier")[1]
    planted = truth["agents"]["agents"]
    for wave in truth["per_wave"]:
        assert {a: v["effect"] for a, v in wave["agents"]["agents"].items()} == {a: v["effect"] for a, v in planted.items()}
        assert wave["organisations"]["Energie"]["asymmetry"]["wait_time"]["extra_effect_below_mean"] == 0.6
        assert "asymmetry" not in wave["organisations"]["Telecom"]
    raw = pd.read_csv(path)
    served = raw.dropna(subset=["agent_id"]).groupby("agent_id")["wave"].nunique()
    assert (served == 2).mean() > 0.9                        # the agents serve in both waves
    data, _ = read_responses(path, inst)
    # the agents' effects, pooled over the waves (Telecom's expected scores do not move between them)
    res = analyse_agents(data, inst, min_n=5)
    sc = res.scores[res.scores.agent.str.startswith("A02")]
    sc = sc.assign(true=[planted[a]["expected_score"][d] for a, d in zip(sc.agent, sc.driver)])
    assert len(sc) > 50 and np.corrcoef(sc.estimate, sc.true)[0, 1] > 0.6
    effect = np.array([planted[a]["effect"] for a in sc.agent])
    strong = np.abs(effect) > 0.6
    assert (np.sign(sc.estimate - sc.team_mean)[strong] == np.sign(effect[strong])).mean() > 0.8
    # the dissatisfier, over both waves
    out = tmp_path / "waves.json"
    ok(run_cli("dissatisfiers", path, "--bootstrap", "300", "--seed", "3", "--json", out))
    table = {(r["group"], r["driver"]): r for r in json.loads(out.read_text(encoding="utf-8"))["table"]}
    assert table[("Energie", "wait_time")]["class"] == "basic"
    assert table[("Telecom", "wait_time")]["class"] == "performance"
