"""Agents, themes and trends on files that lack what they analyse (no agent ids, no open answers, no dates).

Each is an error a user can cause: one line naming the file and the column and what to
do, a non-zero exit, never a traceback; or, where the reports carry on without it (the
open answers), a sentence and a valid JSON. Also: the trends summary without signals,
the per-group control-chart panels, the help text of --scheduler, and the themes seed.
The fixtures are the shipped example with a column dropped or emptied.
"""
from __future__ import annotations

import dataclasses
import inspect
import json
import re
from pathlib import Path

import matplotlib
import pandas as pd
import pytest

from analysis import analyse_agents, analyse_themes, analyse_waves, simulate_waves
from analysis.common.errors import DataError
from analysis.drivers.kpis import kpi_table
from analysis.trends.analyse import wave_labels
from instrument import read_responses
from tests.cli_results import failed, ok

matplotlib.use("Agg")

ROOT = Path(__file__).parents[1]
EXAMPLE = ROOT / "data" / "example" / "responses.csv"
SAV = ROOT / "data" / "example" / "responses.sav"


@pytest.fixture(scope="module")
def example_frame():
    return pd.read_csv(EXAMPLE, dtype=str, keep_default_na=False)


def _variant(frame: pd.DataFrame, folder: Path, name: str, **change) -> Path:
    """The example with columns dropped (value None) or replaced, written as ``name``."""
    out = frame.drop(columns=[c for c, v in change.items() if v is None])
    out = out.assign(**{c: v for c, v in change.items() if v is not None})
    path = folder / name
    out.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def files(example_frame, tmp_path_factory):
    folder = tmp_path_factory.mktemp("missing")
    return {
        "noagent": _variant(example_frame, folder, "noagent.csv", agent_id=None),
        "nodate": _variant(example_frame, folder, "nodate.csv", contact_date=None),
        "baddate": _variant(example_frame, folder, "baddate.csv", contact_date="soon"),
        "nowhy": _variant(example_frame, folder, "nowhy.csv", why=None),
        "blankwhy": _variant(example_frame, folder, "blankwhy.csv", why=""),
    }


# ------------------------------------------------------------------------------------------ agents
def test_agents_on_a_file_without_agent_ids_says_so(run_cli, files, tmp_path):
    noagent = files["noagent"]
    message = f"{noagent}, column 'agent_id': no respondent has an agent id"
    failed(run_cli("agents", noagent, "--out", tmp_path / "pages"), 1, message)
    assert not (tmp_path / "pages").exists()
    # the reports' --by-agent fails the same way, before the long run writes anything
    failed(run_cli("report", noagent, "--out", tmp_path / "rep", "--by-agent", "--no-pdf", "--bootstrap", "20"),
           1, message)
    assert not list((tmp_path / "rep").glob("**/*.html"))


def test_agents_api_errors_name_the_column(inst, files):
    data, _ = read_responses(files["noagent"], inst)
    assert data["agent_id"].isna().all()                 # the reader adds the absent column, empty
    with pytest.raises(DataError, match="^column 'agent_id': no respondent has an agent id; fill in") as info:
        analyse_agents(data, inst)
    assert info.value.column == "agent_id"
    full, _ = read_responses(EXAMPLE, inst)
    with pytest.raises(DataError, match=r"^column 'agent_id': no respondent is left to analyse per agent \(\d+ no "
                                        r"value in the team column 'organisation'"):
        analyse_agents(full.assign(organisation=pd.NA), inst)


def test_agent_option_names_the_flag_and_the_file(run_cli, tmp_path):
    flat = failed(run_cli("agents", EXAMPLE, "--out", tmp_path, "--agent", "nosuch"), 2, "--agent",
                  f"{EXAMPLE}: agent must be a column of the data", "got 'nosuch'")
    assert "agent=" not in flat


def test_team_kpis_of_an_empty_frame_are_an_empty_table():
    empty = pd.DataFrame({"group": pd.Series([], dtype=str), **{c: pd.Series([], dtype=float) for c in "abcd"}})
    table = kpi_table(empty, by="group", csat_column="a", nps_column="b", ces_column="c", fcr_column="d")
    assert table.empty
    assert list(table.columns) == ["group", "kpi", "n", "n_missing", "estimate", "ci_low", "ci_high", "ci_reason",
                                   "ci_note"]


# ------------------------------------------------------------------------------------------ waves
@pytest.mark.parametrize("kind", ["nodate", "baddate"])
def test_period_without_usable_dates_fails_the_same_in_trends_report_and_dashboard(run_cli, files, tmp_path, kind):
    path = files[kind]
    message = (f"{path}, column 'contact_date': has no usable date to make months of (none of the 1500 rows has a "
               "date); fill in the contact dates")
    failed(run_cli("trends", path, "--period", "month", "--bootstrap", "20"), 1, message)
    failed(run_cli("report", path, "--out", tmp_path / "rep", "--period", "month", "--no-pdf", "--bootstrap", "20"),
           1, message)
    assert not (tmp_path / "rep").exists() or not list((tmp_path / "rep").iterdir())
    failed(run_cli("dashboard", path, "-o", tmp_path / "d.html", "--period", "month", "--bootstrap", "20"), 1, message)
    assert not (tmp_path / "d.html").exists()


def test_wave_labels_without_a_date_column_or_dates(example_frame):
    data = example_frame.drop(columns="contact_date")
    with pytest.raises(DataError, match="^column 'contact_date': is not in the data, so there are no quarters"):
        wave_labels(data, None, "quarter")
    with pytest.raises(DataError, match=r"^column 'contact_date': has no usable date to make quarters of \(none of "
                                        r"the 3 rows has a date\)"):
        wave_labels(pd.DataFrame({"contact_date": ["soon", "", None]}), None, "quarter")
    assert wave_labels(pd.DataFrame({"contact_date": ["2024-03-05", "soon"]}), None, "quarter").tolist()[0] == "2024Q1"


def test_trends_errors_name_the_file_and_column(run_cli):
    # the shipped example's contact dates are all in one quarter
    failed(run_cli("trends", SAV, "--period", "quarter"), 1,
           f"{SAV}, column 'contact_date': has 1 quarter(s) (2024Q1) among the respondents with a group; trends "
           "need at least two waves: take months as the waves")
