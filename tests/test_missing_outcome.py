"""A file without the outcome's items (sat1-sat3): said as such, with the outcomes the data do hold (audit M5).

It used to end in "too few usable respondents ... for 7 drivers: 'Energie' (0), ...;
choose a coarser grouping column" (advice that cannot help), while ``drivers check``
said "OK: ... the data can be analysed".
"""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from analysis.common.errors import DataError
from analysis.drivers.analyse import analyse_drivers
from analysis.drivers.outcome import outcome_absence, outcomes_held
from cli_results import failed, ok
from instrument import read_responses

CSV = Path(__file__).parents[1] / "data" / "example" / "responses.csv"
SAT = ["sat1", "sat2", "sat3"]


@pytest.fixture(scope="module")
def without_sat(tmp_path_factory):
    """The example study without the satisfaction items' columns (CSAT, NPS and CES kept)."""
    raw = pd.read_csv(CSV, dtype=str, keep_default_na=False)
    path = tmp_path_factory.mktemp("nosat") / "nosat.csv"
    raw.drop(columns=SAT).to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def sat_blank(tmp_path_factory):
    """The example study with the satisfaction items' columns, none answered."""
    raw = pd.read_csv(CSV, dtype=str, keep_default_na=False)
    raw[SAT] = ""
    path = tmp_path_factory.mktemp("blank") / "blank.csv"
    raw.to_csv(path, index=False)
    return path


def test_the_library_names_the_absent_items_and_the_outcomes_held(without_sat, inst):
    data, _ = read_responses(without_sat, inst)
    assert outcomes_held(data, inst) == ["csat", "nps", "ces"]
    with pytest.raises(DataError) as caught:
        analyse_drivers(data, inst, bootstrap=20, seed=1, sem=False)
    message = str(caught.value)
    assert "outcome 'satisfaction'" in message and "sat1, sat2, sat3" in message
    assert "outcome='csat', 'nps' or 'ces'" in message
    assert "too few usable respondents" not in message and "coarser" not in message
    # another outcome still works on the same data
    res = analyse_drivers(data, inst, outcome="nps", bootstrap=20, seed=1, sem=False, pooling="none")
    assert res.n_used > 1000


@pytest.mark.parametrize("command", ["analyse", "report"])
def test_cli_names_the_file_the_columns_and_the_flag(run_cli, without_sat, tmp_path, command):
    extra = ("--out", tmp_path / "rep", "--no-pdf") if command == "report" else ("--no-sem",)
    message = failed(run_cli(command, without_sat, "--bootstrap", "20", "--seed", "1", *extra), 1,
                     f"{without_sat}: no respondent has the outcome 'satisfaction'", "sat1, sat2, sat3",
                     "--outcome csat|nps|ces")
    assert "too few usable respondents" not in message and "coarser" not in message
    assert not (tmp_path / "rep").exists()


def test_cli_says_so_when_the_items_are_there_but_never_answered(run_cli, sat_blank, inst):
    data, _ = read_responses(sat_blank, inst)
    assert outcome_absence(data, inst, "satisfaction") == "no respondent answered any of its items (sat1, sat2, sat3)"
    failed(run_cli("analyse", sat_blank, "--bootstrap", "20", "--no-sem"), 1,
           "no respondent answered any of its items (sat1, sat2, sat3)", "--outcome csat|nps|ces")


def test_check_does_not_call_the_file_analysable_as_it_is(run_cli, without_sat):
    # usable with another outcome: exit 0, and the verdict says with which, and why not the default
    flat = " ".join(ok(run_cli("check", without_sat)).split())
    assert "the data can be analysed" not in flat.replace("the data can be analysed with --outcome", "")
    assert re.search(r"OK, with another outcome: \d+ usable respondents; the data can be analysed with --outcome "
                     r"csat\|nps\|ces, not with the default \(no respondent has the default outcome 'satisfaction': "
                     r"the data have no column for any of its items \(sat1, sat2, sat3\)\)", flat), flat


def test_check_fails_a_file_without_any_outcome(run_cli, tmp_path):
    raw = pd.read_csv(CSV, dtype=str, keep_default_na=False)
    path = tmp_path / "none.csv"
    raw.drop(columns=[*SAT, "csat", "nps", "ces"]).to_csv(path, index=False)
    res = run_cli("check", path)
    failed(res, 1, f"{path}: no respondent has the outcome 'satisfaction'", "sat1, sat2, sat3",
           "the data hold none of the outcomes (satisfaction, csat, nps, ces)")
    flat = " ".join(res.stdout.split())
    assert "NOT OK:" in flat and "nor any other outcome" in flat and "the data can be analysed" not in flat


def test_check_of_a_file_with_the_outcome_is_unchanged(run_cli):
    assert "OK: 1420 usable respondents; the data can be analysed" in " ".join(ok(run_cli("check", CSV)).split())
