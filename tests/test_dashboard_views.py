"""The dashboard's waves and themes views: their numbers, verdicts and privacy rules (no browser).

tests/test_dashboard_browser.py opens them in Chromium.
"""
from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from analysis.common.errors import OptionError
from analysis.common.groups import ALL
from analysis.dashboard import build_dashboard
from analysis.dashboard.tables import rows as table_rows
from analysis.dashboard.waves import withheld_waves
from analysis.drivers.tables import KPI_KEYS as KPI_NAMES
from analysis.report.voice import open_question
from analysis.themes.analyse import analyse_themes
from analysis.trends.analyse import analyse_waves
from cli_results import ok
from report_fixtures import RESAMPLES, SAV, SEED

NAMES = {key: name for name, key in KPI_NAMES.items()}
GROUPS = ["Energie", "Telecom", "Verzekeraar", "Webwinkel"]


def _data(html: str) -> dict:
    m = re.search(r'<script type="application/json" id="dashboard-data">(.*?)</script>', html, re.S)
    return json.loads(m.group(1))["document"]


def _tables(part: dict) -> dict:
    """A view's document with its tables by column made rows again."""
    tables = ("kpis", "importance", "changes", "control", "frequency", "by_score")
    return {k: table_rows(v) if k in tables else v for k, v in part.items()}


# ------------------------------------------------------------------------------------------------ waves
def test_waves_view_has_the_trend_analysis_numbers_and_its_verdicts(hostile_board, example, inst):
    w = _tables(hostile_board.result.document["waves"])
    assert w["labels"] == ["2024-01", "2024-02", "2024-03"] and w["period"] == "month" and w["column"] is None
    assert w["groups"] == [ALL, *GROUPS] and w["withheld"] == {}
    trend = analyse_waves(example.data, inst, period="month", by="organisation", bootstrap=RESAMPLES, seed=SEED)
    k = trend.kpis.assign(wave=trend.kpis.wave.astype(str)).set_index(["organisation", "wave", "kpi"])
    rows = [r for r in w["kpis"] if r["group"] != ALL]
    assert len(rows) == 4 * 3 * 5
    for r in rows:
        row = k.loc[(r["group"], r["wave"], NAMES[r["key"]])]
        assert (r["estimate"], r["low"], r["high"], r["n"]) == (pytest.approx(row.estimate, rel=1e-3),
                                                              pytest.approx(row.ci_low, rel=1e-3),
                                                              pytest.approx(row.ci_high, rel=1e-3), row.n)
    imp = trend.importance.assign(wave=trend.importance.wave.astype(str)).set_index(["organisation", "wave", "driver"])
    assert len([r for r in w["importance"] if r["group"] != ALL]) == 4 * 3 * 7
    for r in w["importance"]:
        if r["group"] != ALL:
            assert r["estimate"] == pytest.approx(imp.loc[(r["group"], r["wave"], r["driver"])].share, rel=1e-3)
    # the whole study per wave: every respondent with a wave
    whole = {r["wave"]: r["n"] for r in w["kpis"] if r["group"] == ALL and r["key"] == "nps"}
    assert sum(whole.values()) == int(example.data.nps.notna().sum())

    # every change since a wave, with the trends' verdict: the control chart decides for CSAT, the test otherwise
    signal = trend.control_chart.assign(wave=trend.control_chart.wave.astype(str)).set_index(
        ["organisation", "wave"]).signal
    changes = trend.changes.assign(driver=trend.changes.driver.fillna(""), to_wave=trend.changes.to_wave.astype(str))
    changes = changes.set_index(["organisation", "measure", "driver", "to_wave"])
    measure = {"csat_pct": "CSAT %", "nps": "NPS", "share": "LMG share %"}
    mine = [r for r in w["changes"] if r["group"] != ALL]
    assert len(mine) == 4 * 2 * (2 + 7)
    for r in mine:
        row = changes.loc[(r["group"], measure[r["measure"]], r["driver"] or "", r["to"])]
        assert r["difference"] == pytest.approx(row.difference, rel=1e-3, abs=1e-6)
        if r["measure"] == "csat_pct":
            expected = ("structural" if signal[(r["group"], r["to"])] else
                        "incident" if row.significant else "noise")
        else:
            expected = "significant" if row.significant else "noise"
        assert r["verdict"] == expected, r
    assert {r["verdict"] for r in w["changes"]} >= {"noise"}
    assert len(w["control"]) == 5 * 3 and all(set(r["text"]) == {"en", "nl"} for r in w["changes"])


def test_withheld_waves_follow_the_channel_rule():
    assert withheld_waves({1: 100, 2: 100}, 30) == set()
    assert withheld_waves({1: 100, 2: 10, 3: 25}, 30) == {2, 3}            # 10 alone could be worked out
    assert withheld_waves({1: 100, 2: 10, 3: 25, 4: 40}, 30) == {2, 3}
    assert withheld_waves({1: 10, 2: 12}, 30) == {1, 2}


def test_small_waves_are_withheld_with_the_next_smallest(example, inst, tmp_path):
    data = example.data.copy()
    data["wave"] = (data.groupby("organisation").cumcount() % 2 + 1).astype(str)
    web = data.index[data.organisation == "Webwinkel"]
    data.loc[web[:12], "wave"] = "3"                     # 12 Webwinkel respondents in a third wave
    board = build_dashboard(data, inst, example.quality, out=tmp_path / "d.html", analysis=example.analysis,
                            wave="wave", bootstrap=20)
    w = _tables(board.document["waves"])
    assert w["labels"] == ["1", "2", "3"] and w["column"] == "wave"
    # Webwinkel: wave 3 (12) is withheld, and its smaller other wave too (12 alone could be worked out)
    sizes = data[data.organisation == "Webwinkel"].wave.value_counts()
    smaller = min(("1", "2"), key=lambda x: (sizes[x], x))
    assert w["withheld"]["Webwinkel"] == sorted([smaller, "3"])
    assert "3" in w["withheld"][ALL] and len(w["withheld"][ALL]) == 2
    for part in ("kpis", "importance", "control"):
        assert not [r for r in w[part] if r["group"] == "Webwinkel" and r["wave"] in ("3", smaller)], part
    assert not [r for r in w["changes"] if r["group"] == "Webwinkel"]
    assert not [r for r in w["control"] if r["group"] == "Webwinkel"]
    assert {r["wave"] for r in w["kpis"] if r["group"] == "Energie"} == {"1", "2"}
    assert [r for r in w["changes"] if r["group"] == "Energie" and r["to"] == "2"]


def test_no_waves_view_without_two_waves_and_errors_for_a_bad_wave_option(example, inst, tmp_path):
    out = tmp_path / "d.html"
    kw = {"out": out, "analysis": example.analysis, "bootstrap": 20, "themes": False}
    board = build_dashboard(example.data, inst, example.quality, **kw)
    assert board.document["waves"] is None and board.document["themes"] is None
    assert board.document["views"] == ["kpis", "priorities", "compare", "voice"]
    one = build_dashboard(example.data.assign(wave="2024"), inst, example.quality, wave="wave", **kw)
    assert one.document["waves"] is None and "waves" not in one.document["views"]
    with pytest.raises(OptionError, match=r"wave must be a column of the data \(one of: .*\), got 'round'"):
        build_dashboard(example.data, inst, example.quality, wave="round", **kw)
    with pytest.raises(OptionError, match="not both"):
        build_dashboard(example.data.assign(wave=1), inst, example.quality, wave="wave", period="month", **kw)
    with pytest.raises(OptionError, match="period must be one of month, quarter"):
        build_dashboard(example.data, inst, example.quality, period="week", **kw)


# ----------------------------------------------------------------------------------------------- themes
def test_themes_view_has_the_theme_analysis_numbers(hostile_board, example, inst):
    th = _tables(hostile_board.result.document["themes"])
    res = analyse_themes(hostile_board.data, inst, analysis=example.analysis, seed=SEED)
    assert th["groups"] == [ALL, *GROUPS]
    freq = res.frequency.set_index(["group", "theme"])
    assert len(th["frequency"]) == int((res.frequency.n > 0).sum())
    for r in th["frequency"]:
        row = freq.loc[(r["group"], r["theme"])]
        assert r["n"] == row.n and r["share"] == pytest.approx(row.share, rel=1e-3)
        assert r["complaint"] == pytest.approx(row.n_complaint / row.n_answers, rel=1e-3, abs=1e-9)
        assert r["praise"] == pytest.approx(row.n_praise / row.n_answers, rel=1e-3, abs=1e-9)
    score = res.by_score.set_index(["group", "nps_group", "theme"])
    assert {r["nps_group"] for r in th["by_score"]} == {"promoters", "detractors"}
    for r in th["by_score"]:
        assert r["share"] == pytest.approx(score.loc[(r["group"], r["nps_group"], r["theme"])].share, rel=1e-3)
    # the quotes: the priority drivers' representative answers, masked, as the reports quote them
    for g, drivers in th["quotes"].items():
        top = example.analysis.group(g).sort_values("priority").driver.tolist()[:3]
        assert set(drivers) <= set(top) and drivers
        for d, part in drivers.items():
            assert part["priority"] == top.index(d) + 1 and 1 <= len(part["quotes"]) <= 3
            for text, meta in part["quotes"]:
                assert set(th["metas"][meta]) == {"en", "nl"}
                assert not re.search(r"[\w.]+@[\w.]+|\d{6,}", text), text     # e-mail, numbers masked
    texts = [q[0] for drivers in th["quotes"].values() for part in drivers.values() for q in part["quotes"]]
    assert any("<script>alert(1)</script>" in t or "<img src=x onerror=alert(1)>" in t for t in texts)


def test_quotes_of_small_groups_and_flagged_respondents_are_never_in_the_file(small_study, inst, tmp_path):
    data = small_study.data.copy()
    why = open_question(inst)
    klein = data.organisation == "Klein"
    data.loc[klein, why] = [f"KLEINGEHEIM{i} veel te lang in de wacht, onvriendelijke medewerker"
                            for i in range(int(klein.sum()))]
    flagged = set(small_study.analysis.excluded.respondent_id[small_study.analysis.excluded.code == "flagged"])
    hit = data.respondent_id.isin(flagged)
    assert hit.any()
    data.loc[hit, why] = "VLAGGEHEIM de medewerker was onvriendelijk en ik moest lang wachten"
    board = build_dashboard(data, inst, small_study.quality, out=tmp_path / "d.html", bootstrap=20, seed=3)
    html = (tmp_path / "d.html").read_text(encoding="utf-8")
    th = board.document["themes"]
    assert th is not None and th["groups"] == [ALL, "Energie", "Telecom"] and th["quotes"]
    assert "KLEINGEHEIM" not in html and "VLAGGEHEIM" not in html
    assert "Klein" not in json.dumps({k: v for k, v in board.document.items() if k != "withheld"})


# ---------------------------------------------------------------------------------------------- command
def test_command_adds_the_waves_view_with_period_or_wave(run_cli, tmp_path):
    out = tmp_path / "study.html"
    text = ok(run_cli("dashboard", SAV, "-o", out, "--bootstrap", "20", "--seed", "2", "--period", "month"))
    assert "Waves: 3 (2024-01, 2024-02, 2024-03)" in text and "waves, themes, voice" in text
    doc = _data(out.read_text(encoding="utf-8"))
    assert doc["views"] == ["kpis", "priorities", "compare", "waves", "themes", "voice"]
    assert doc["waves"]["period"] == "month"
    frame = pd.read_csv(SAV.with_suffix(".csv"))
    frame["round"] = frame.groupby("organisation").cumcount() % 2 + 1
    csv = tmp_path / "rounds.csv"
    frame.to_csv(csv, index=False)
    text = ok(run_cli("dashboard", csv, "-o", out, "--bootstrap", "20", "--seed", "2", "--wave", "round"))
    assert "Waves: 2 (1, 2)" in text and _data(out.read_text(encoding="utf-8"))["waves"]["column"] == "round"
