"""Analysing only the drivers asked on the phone (`--drivers wait_time,menu`).

None of those drivers applies to a chat or e-mail respondent, so such a respondent says
nothing about them: it is left out as ``not_asked`` (counted and explained), and the
figures rest on the phone respondents. Partial pooling used to crash here (an empty block
of drivers asked in every channel: audit of session 6, H1).
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.drivers.analyse import analyse_drivers
from cli_results import ok
from instrument import read_responses

CSV = Path(__file__).resolve().parents[1] / "data" / "example" / "responses.csv"
PHONE_ONLY = ["wait_time", "menu"]


@pytest.fixture(scope="module")
def data(inst):
    return read_responses(CSV, inst)[0]


@pytest.mark.parametrize("pooling", ["partial", "none"])
def test_only_phone_drivers_rest_on_the_phone_respondents(data, inst, pooling):
    res = analyse_drivers(data, inst, by="organisation", drivers=PHONE_ONLY, bootstrap=50, seed=1, sem=False,
                          pooling=pooling)
    assert res.settings.pooling_used == pooling
    groups = res.groups.set_index("group")
    excluded = res.excluded
    for org in ("Energie", "Telecom", "Verzekeraar", "Webwinkel"):
        assert set(res.group(org).driver) == set(PHONE_ONLY)
        mine = excluded[excluded.group == org]
        # every respondent of the organisation is either used or excluded with a reason
        assert groups.n_used[org] + len(mine) == groups.n_input[org]
        # and no one who is used lacks a score on the drivers (they are all phone respondents)
        assert (mine.code == "not_asked").sum() > 100
    assert res.importance.lmg.notna().all()


def test_the_command_line_runs_with_only_phone_drivers(run_cli, tmp_path):
    out = ok(run_cli("analyse", str(CSV), "--drivers", "wait_time,menu", "--bootstrap", "50", "--seed", "1", "--no-sem",
             "--json", str(tmp_path / "phone.json")))
    assert "not_asked" in out and "Traceback" not in out
