"""``drivers analyse`` through the real entry point: output, JSON file, exit codes and messages."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from analysis.common.outputs import round_floats
from analysis.drivers.analyse import analyse_drivers
from instrument import read_responses
from cli_results import failed, ok

EXAMPLE = Path(__file__).parents[1] / "data" / "example"
CSV, SAV = EXAMPLE / "responses.csv", EXAMPLE / "responses.sav"


@pytest.fixture(scope="module")
def example_json(tmp_path_factory):
    return tmp_path_factory.mktemp("analyse") / "result.json"


def test_example_prints_tables_kpis_exclusions_and_writes_the_json(run_cli, inst, example_json):
    out = ok(run_cli("analyse", CSV, "--by", "organisation", "--bootstrap", "200", "--seed", "7", "--pooling", "none",
                     "--json", example_json))
    assert "1417 of 1500 respondents used" in out and "200 resamples per group (seed 7)" in out
    for group in ("Energie", "Telecom", "Verzekeraar", "Webwinkel"):
        assert re.search(rf"^{group}: n = \d+ of 375 \(phone-only drivers: \d+\), R² = 0\.\d{{3}} "
                         rf"\[0\.\d{{3}}, 0\.\d{{3}}\]", out, re.M), group
    # the phone-only drivers rest on fewer respondents: the group line says how many (issue 12; README)
    doc = json.loads(example_json.read_text(encoding="utf-8"))
    energie = doc["groups"]["Energie"]
    assert f"Energie: n = 357 of 375 (phone-only drivers: {energie['n_complete']})," in out
    assert energie["n_complete"] == energie["drivers"]["wait_time"]["n"] == 221
    assert re.search(r"^all: n = 1417 of 1500 \(phone-only drivers: 802\)", out, re.M)
    assert "LMG % [CI]" in out and "priority [CI]" in out and "concentrate here" in out
    assert re.search(r"Energie\s+18\s+0\s+0\s+18\s*$", out, re.M)   # exclusion counts by reason (not_asked: used)
    # the legend explains the reasons in the table, and only those
    legend = out.split("Not used in the importance analysis")[1].split("KPIs")[0]
    assert "flagged: straight-liner" in legend and "not_asked:" not in legend and "small_group:" not in legend
    assert "KPIs" in out and "KPIs per channel" in out and "Differences in LMG %" in out
    assert "sem small_sample" not in out and "357 respondents for 121 free parameters" in out
    assert f"result written to {example_json}" in out

    doc = json.loads(example_json.read_text(encoding="utf-8"))
    data, _ = read_responses(CSV, inst)
    api = analyse_drivers(data, inst, by="organisation", bootstrap=200, seed=7, pooling="none")
    # the CLI writes exactly to_dict(), floats rounded to 6 significant digits
    assert doc == round_floats(json.loads(json.dumps(api.to_dict())))


def test_printed_numbers_come_from_the_result(run_cli, inst, example_json):
    if not example_json.exists():   # the test that writes it ran in another worker (pytest -n)
        ok(run_cli("analyse", CSV, "--by", "organisation", "--bootstrap", "200", "--seed", "7", "--pooling", "none",
                   "--json", example_json))
    doc = json.loads(example_json.read_text(encoding="utf-8"))
    out = ok(run_cli("analyse", CSV, "--bootstrap", "200", "--seed", "7", "--no-sem", "--pooling", "none"))
    rel = doc["groups"]["Verzekeraar"]["drivers"]["reliability"]
    shown = f"{rel['lmg_pct']:.1f} [{rel['lmg_pct_ci'][0]:.1f}, {rel['lmg_pct_ci'][1]:.1f}]"
    block = out.split("Verzekeraar: n =")[1].split("Webwinkel: n =")[0]
    line = next(line for line in block.splitlines() if line.strip().startswith("reliability"))
    assert shown in line and f"{rel['rank']} [{rel['rank_ci'][0]}-{rel['rank_ci'][1]}]" in line


def test_spss_file_and_options(run_cli, tmp_path):
    path = tmp_path / "r.json"
    out = ok(run_cli("analyse", SAV, "--bootstrap", "100", "--seed", "1", "--no-sem", "--include-flagged",
                     "--drivers", "reliability,empathy", "--drivers", "customer_focus", "--outcome", "nps",
                     "--importance", "weights", "--crosshair", "midpoint", "--json", path))
    doc = json.loads(path.read_text())
    assert doc["meta"]["outcome"] == "nps" and doc["meta"]["drivers"] == ["reliability", "empathy", "customer_focus"]
    assert list(doc["groups"]["Energie"]["drivers"]) == ["reliability", "empathy", "customer_focus"]
    assert not any(e["code"] == "flagged" for e in doc["meta"]["excluded"])
    assert "flagged respondents" in out and "cross-hairs at the midpoint" in out


def test_by_another_column(run_cli):
    out = ok(run_cli("analyse", CSV, "--by", "channel", "--drivers", "reliability,empathy,customer_focus",
                     "--bootstrap", "50", "--seed", "2", "--no-sem"))
    for channel in ("chat", "email", "messaging", "phone", "social"):
        assert re.search(rf"^{channel}: n = \d+", out, re.M)
    assert "ranks unstable" in out                                   # social has fewer than 100


@pytest.mark.parametrize("args, code, fragments", [
    (["--by", "channel", "--no-sem", "--drivers", "reliability,empathy,customer_focus,customer_knowledge,"
      "accessibility,wait_time,menu"], 1, ["too few usable respondents", "at least 9 needed",
                                           "leave those drivers out"]),
    (["--outcome", "loyalty"], 2, ["outcome must be one of satisfaction, csat, nps, ces, got 'loyalty'"]),
    (["--bootstrap", "0"], 2, ["--bootstrap", "from 2 to 100000"]),
    (["--bootstrap", "-5"], 2, ["--bootstrap", "from 2 to 100000"]),
    (["--bootstrap", "99999999999999999999"], 2, ["--bootstrap", "from 2 to 100000"]),
    (["--importance", "shapley"], 2, ["importance must be one of lmg, weights, beta, sem, got 'shapley'"]),
    (["--importance", "sem", "--no-sem"], 2, ["--importance", "when the structural model is off"]),
    (["--no-sem", "--by", "region"], 2, ["--by", "by must be a column of the data (one of: respondent_id, organisation",
                                         "got 'region'"]),
    (["--crosshair", "centre"], 2, ["crosshair must be one of mean, median, midpoint, got 'centre'"]),
    (["--drivers", "speed"], 2, ["--drivers", "must be drivers of the questionnaire", "got ['speed']"]),
    (["--level", "95"], 2, ["between 0 and 1"]),
    (["--seed", "-1"], 2, ["0 or more"]),
])
def test_bad_options(run_cli, args, code, fragments):
    quick = [] if "--bootstrap" in args else ["--bootstrap", "10"]
    failed(run_cli("analyse", CSV, *quick, *args), code, *fragments)


def test_files_the_reader_rejects(run_cli, tmp_path):
    failed(run_cli("analyse", tmp_path / "nothing.csv"), 1, "nothing.csv")
    dup = tmp_path / "dup.csv"
    frame = pd.read_csv(CSV, dtype=str).head(20)
    frame.loc[1, "respondent_id"] = frame.loc[0, "respondent_id"]
    frame.to_csv(dup, index=False)
    failed(run_cli("analyse", dup, "--bootstrap", "10"), 1, "dup.csv", "duplicate respondent id")
    text = tmp_path / "bad.csv"
    frame = pd.read_csv(CSV, dtype=str).head(20)
    frame.loc[3, "rel1"] = "eight"
    frame.to_csv(text, index=False)
    failed(run_cli("analyse", text, "--bootstrap", "10"), 1, "bad.csv", "column 'rel1'")


def test_unwritable_json_fails_before_the_work(run_cli, tmp_path):
    failed(run_cli("analyse", CSV, "--bootstrap", "10", "--json", tmp_path / "no" / "such" / "r.json"), 1,
           "does not exist")


def test_small_groups_one_line_per_group_for_the_sem_and_no_error_lines(run_cli, tmp_path):
    """Issue 10, point 5: 20 respondents per organisation printed a dozen 'error:' lines per group while
    exiting 0. Now each group's SEM is one warning saying n against the free parameters, the rest is in
    --json, and a KPI with too few answers shows why it has no interval (point 4)."""
    data, doc_path = tmp_path / "small.csv", tmp_path / "small.json"
    ok(run_cli("simulate", "--n-per-org", "20", "--seed", "2011", "--truth-draws", "0", "-o", data))
    res = run_cli("analyse", data, "--by", "organisation", "--bootstrap", "200", "--seed", "1", "--json", doc_path)
    out = ok(res)
    assert not re.search(r"^\s*error", out + res.stderr, re.M | re.I)
    assert "RuntimeWarning" not in res.stderr                        # numpy's all-NaN noise
    doc = json.loads(doc_path.read_text(encoding="utf-8"))
    for group in ("Energie", "Telecom", "Verzekeraar", "Webwinkel", "all"):
        lines = [line for line in out.splitlines() if line.startswith(f"warning: [{group}] SEM")]
        n = doc["groups"][group]["sem"]["n"]
        assert len(lines) == 1 and lines[0].startswith(
            f"warning: [{group}] SEM not estimated: {n} respondents for 121 free parameters"), lines
        sem = doc["groups"][group]["sem"]
        assert sem["usable"] is False and sem["cfi"] is None and [p["kind"] for p in sem["problems"]] == ["not_estimated"]
        assert doc["groups"][group]["drivers"]["empathy"]["sem_std"] is None
    assert all(w["severity"] in ("warning", "note") for w in doc["meta"]["warnings"])
    # per channel, 1-4 answers: the estimate with the reason instead of an interval
    assert "[too few]" in out and "No interval: [too few] fewer than 5 answers" in out
    few = [k for ch in doc["groups"]["Energie"]["kpis"]["by_channel"].values() for k in ch.values() if 0 < k["n"] < 5]
    assert few and all(k["ci"] == [None, None] and k["ci_reason"] == "too_few" for k in few)


def test_progress_bar_on_a_terminal_follows_every_stage_and_is_quiet_otherwise(run_cli, monkeypatch):
    import io

    from rich.console import Console

    import analysis.cli.analyse as cli_analyse
    from analysis.cli.analyse import PROGRESS_LABELS

    drawn = io.StringIO()
    monkeypatch.setattr(cli_analyse, "err_console", Console(file=drawn, force_terminal=True, width=150))
    assert ok(run_cli("analyse", CSV, "--by", "organisation", "--bootstrap", "30", "--seed", "1", "--no-sem"))
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", drawn.getvalue())
    for stage in ("point", "bootstrap", "pooling", "replicates", "priorities", "kpis"):
        assert PROGRESS_LABELS[stage] in text, stage
    assert "30/30" in text                     # the bootstrap's resamples, to the end
    quiet = io.StringIO()                      # not a terminal: no bar at all
    monkeypatch.setattr(cli_analyse, "err_console", Console(file=quiet, force_terminal=False, width=150))
    assert ok(run_cli("analyse", CSV, "--by", "organisation", "--bootstrap", "30", "--seed", "1", "--no-sem"))
    assert not any(label in quiet.getvalue() for label in PROGRESS_LABELS.values())
