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


# ------------------------------------------------------------------------------------------ themes
@pytest.mark.parametrize("kind", ["nowhy", "blankwhy"])
def test_themes_without_open_answers_says_so_and_writes_json(run_cli, files, tmp_path, kind):
    out = tmp_path / "t.json"
    text = " ".join(ok(run_cli("themes", files[kind], "--json", out)).split())
    assert f"No open answers to code in column 'why' of {files[kind]}" in text
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["n_coded"] == 0 and doc["frequency"] == [] and len(doc["excluded"]) == len(pd.read_csv(files[kind]))


def test_themes_seed_default_is_the_apis_and_is_recorded(run_cli, files, tmp_path):
    from typer.main import get_command

    from analysis.cli import app

    cli_default = next(p.default for p in get_command(app).commands["themes"].params if p.name == "seed")
    api_default = inspect.signature(analyse_themes).parameters["seed"].default
    assert cli_default == api_default == 0
    out = tmp_path / "t.json"
    ok(run_cli("themes", files["nowhy"], "--json", out))
    assert json.loads(out.read_text(encoding="utf-8"))["settings"]["seed"] == api_default


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


@pytest.fixture(scope="module")
def five_groups(inst, tmp_path_factory):
    study = simulate_waves(inst, n_waves=3, n_orgs=5, n_per_org=60, seed=4)
    path = tmp_path_factory.mktemp("five") / "waves.csv"
    study.responses.to_csv(path, index=False)
    data, _ = read_responses(path, inst, extra_columns=("wave",))
    return analyse_waves(data, inst, wave="wave", bootstrap=20, seed=1)


def test_summary_without_signals_shows_the_sentence_not_an_empty_table(five_groups):
    quiet = dataclasses.replace(five_groups, control_chart=five_groups.control_chart.assign(signal=False),
                                changes=five_groups.changes.iloc[0:0])
    text = quiet.summary().as_text()
    assert "Empty DataFrame" not in text and "Index: []" not in text
    assert ("Control-chart signals (CSAT % p-chart, 3-sigma limits and run rules)\n  no point outside the control "
            "limits or in a run: no structural change") in text
    assert "nothing to show: no group has KPI answers in both waves" in text
    assert "<table" not in quiet.summary().as_html().split("Control-chart signals")[1]


def test_plot_panels_draws_one_control_chart_per_group(five_groups):
    fig = five_groups.plot_panels()
    chart = five_groups.control_chart
    groups = list(dict.fromkeys(chart.organisation))
    shown = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in shown] == groups and len(groups) == 5
    for ax, group in zip(shown, groups):
        (line,) = [li for li in ax.get_lines() if li.get_label() == group]
        assert list(line.get_ydata()) == pytest.approx(chart[chart.organisation == group].csat.tolist())
        assert ax.get_legend() is None
    (legend,) = fig.legends
    labels = [t.get_text() for t in legend.get_texts()]
    assert labels[:2] == ["control limits (3 sigma)", "centre line"] and not set(labels) & set(groups)
    assert sum(not ax.get_visible() for ax in fig.axes) == 3          # 4 per row: 2 rows, 3 empty places


def test_cli_plot_writes_the_panels(run_cli, tmp_path, inst):
    study = simulate_waves(inst, n_waves=2, n_orgs=4, n_per_org=50, seed=2)
    path = tmp_path / "w.csv"
    study.responses.to_csv(path, index=False)
    text = ok(run_cli("trends", path, "--wave", "wave", "--bootstrap", "10", "--seed", "1", "--plot", tmp_path / "p.png"))
    assert "one panel per group" in text and (tmp_path / "p.png").stat().st_size > 0


# ------------------------------------------------------------------------------------------ help
@pytest.mark.parametrize("command", ["analyse", "report"])
def test_scheduler_help_shows_the_dask_extra(run_cli, command):
    out = " ".join(re.sub(r"[│╭╮╰╯─]", " ", ok(run_cli(command, "--help"))).split())
    assert "pip install 'service-drivers[dask]'" in out, out       # rich markup once swallowed '[dask]'
