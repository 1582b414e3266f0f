"""The dashboard's content, page and command, without a browser (tests/test_dashboard_browser.py opens it)."""
from __future__ import annotations

import base64
import hashlib
import json
import re

import pandas as pd
import pytest

from analysis.common.groups import ALL
from analysis.dashboard import build_dashboard
from analysis.dashboard.render import json_for_script
from analysis.dashboard.specs import OKABE_ITO, dashboard_specs
from analysis.dashboard.texts import DASHBOARD_STRINGS, _read
from analysis.drivers.analyse import analyse_drivers
from analysis.report.i18n import Texts
from analysis.report.pooling import reading
from analysis.report.scope import StudyResults
from analysis.simulation.simulate import simulate_study
from cli_results import failed, ok
from instrument import read_responses
from report_fixtures import SAV

MAX_BYTES = 5_000_000


def _data(html: str) -> dict:
    m = re.search(r'<script type="application/json" id="dashboard-data">(.*?)</script>', html, re.S)
    return json.loads(m.group(1))


def test_texts_have_every_key_and_field_in_both_languages():
    en, nl = _read("en"), _read("nl")
    assert set(en) == set(nl) == set(DASHBOARD_STRINGS)
    fields = re.compile(r"\{(\w+)\}")
    for key in en:
        assert set(fields.findall(en[key])) == set(fields.findall(nl[key])), key
    # translated, not copied (a few are the same words: 'Interval', the language names, '{One}')
    assert sum(en[k] == nl[k] for k in en) <= 6


def test_document_has_the_analysis_numbers(hostile_board, example):
    doc = hostile_board.result.document
    res = example.analysis
    assert doc["views"] == ["kpis", "priorities", "compare", "waves", "themes", "voice"]
    assert [g["key"] for g in doc["groups"]] == [ALL, "Energie", "Telecom", "Verzekeraar", "Webwinkel"]
    imp = res.importance.set_index(["group", "driver"])
    assert len(doc["priorities"]) == 5 * 7
    for r in doc["priorities"]:
        row = imp.loc[(r["group"], r["driver"])]
        assert r["importance"] == pytest.approx(row.lmg_pct, rel=1e-3)
        assert r["importance_low"] == pytest.approx(row.ci_low, rel=1e-3)
        assert r["performance_high"] == pytest.approx(row.performance_ci_high, rel=1e-3)
        assert (r["rank"], r["rank_low"], r["rank_high"]) == (row["rank"], row.rank_ci_low, row.rank_ci_high)
        assert r["n"] == int(res.groups.set_index("group").n_used[r["group"]])
        assert set(r["importance_text"]) == {"en", "nl"}
    k = res.kpis.set_index(["group", "channel", "key"])
    for r in doc["kpis"]:
        row = k.loc[(r["group"], r["channel"], r["key"])]
        assert r["estimate"] == pytest.approx(row.estimate, rel=1e-3, abs=1e-9)
    nps = next(r for r in doc["kpis"] if r["group"] == ALL and r["channel"] == ALL and r["key"] == "nps")
    assert nps["text"]["nl"].replace("\u2212", "-").lstrip("+") == str(round(k.loc[(ALL, ALL, "nps")].estimate))


def test_small_groups_and_channels_are_left_out_as_in_the_reports(small_study, inst, tmp_path):
    # 'Klein' has 20 respondents (< 30): not in the page at all but for its name in the note;
    # 10 respondents answered on social media: no KPI of that channel.
    board = build_dashboard(small_study.data, inst, small_study.quality, out=tmp_path / "d.html", bootstrap=20,
                            seed=3)
    doc = board.document
    assert board.withheld == ("Klein",)
    assert [g["key"] for g in doc["groups"]] == [ALL, "Energie", "Telecom"]
    assert not {r["group"] for r in doc["kpis"] + doc["priorities"]} - {ALL, "Energie", "Telecom"}
    assert "social" not in {r["channel"] for r in doc["kpis"]}
    assert "Klein" in doc["withheld"]["en"] and "Klein" in doc["withheld"]["nl"]
    assert "Klein" not in json.dumps({k: v for k, v in doc.items() if k != "withheld"})
    # partial pooling asked for (the default) with two organisations left: the page says there is nothing to pool
    assert board.analysis.settings.pooling == "partial" and doc["pooling"]["used"] == doc["meta"]["pooling"] == "none"
    assert doc["pooling"]["what"]["en"].startswith("No pooling: with 2 organisations there is nothing to pool")
    assert doc["pooling"]["what"]["nl"].startswith("Niet gepoold: met 2 organisaties")
    assert doc["pooling"]["groups"] == {} and not any("own_text" in r for r in doc["priorities"])


LANGS = ("en", "nl")


def test_pooled_importance_has_the_own_data_figure_weight_and_sentence_in_both_languages(pooled_board, inst):
    doc, res = pooled_board.result.document, pooled_board.result.analysis
    assert doc["meta"]["pooling"] == doc["pooling"]["used"] == "partial"
    imp = res.importance.set_index(["group", "driver"])
    assert len(doc["priorities"]) == 5 * 7
    for r in doc["priorities"]:
        row = imp.loc[(r["group"], r["driver"])]
        # the pooled figure is the headline; the own-data figure and weight beside it, as numbers and as text
        assert r["importance"] == pytest.approx(row.lmg_pct, rel=1e-3)
        assert r["own_importance"] == pytest.approx(row.own_lmg_pct, rel=1e-3)
        assert r["own_weight"] == pytest.approx(row.pooling_weight, rel=1e-3)
        for lang in LANGS:
            t = Texts(lang)
            assert r["own_text"][lang] == t.pct(row.own_lmg_pct)
            assert r["weight_text"][lang] == t.pct(100 * row.pooling_weight)
    pooled = [r for r in doc["priorities"] if r["group"] != ALL]
    assert all(0 < r["own_weight"] < 1 for r in pooled)
    assert any(abs(r["own_importance"] - r["importance"]) > 0.2 for r in pooled)
    # the whole study is not pooled: its own-data figure is its figure
    assert all(r["own_importance"] == r["importance"] and r["own_weight"] == 1 for r in doc["priorities"]
               if r["group"] == ALL)
    # the reports' sentences, word for word: what pooling means, then what it did to the group
    results = StudyResults(analysis=res, validation=None, quality=None, inst=inst)
    groups = res.groups.set_index("group")
    for lang, words in (("en", "Partial pooling: each organisation"), ("nl", "Gedeeltelijk poolen: de belangcijfers")):
        t = Texts(lang)
        assert doc["pooling"]["what"][lang].startswith(words)
        for g in [ALL, "Energie", "Telecom", "Verzekeraar", "Webwinkel"]:
            assert f"{doc['pooling']['what'][lang]} {doc['pooling']['groups'][g][lang]}" == reading(results, g, t)
        assert doc["pooling"]["groups"][ALL][lang] == t("pooling.study")
        assert t.pct(100 * groups.pooling_weight["Energie"]) in doc["pooling"]["groups"]["Energie"][lang]
        assert doc["columns"]["col.own_lmg"][lang] == t("col.own_lmg")
        # hovering a pooled importance gives the own-data figure and weight too, headed as the reports' columns
        specs = _data(pooled_board.html)["specs"][lang]
        for chart in ("priorities", "compare", "compare_all"):
            titles = {tip["title"] for layer in specs[chart]["layer"] for tip in layer["encoding"].get("tooltip", [])}
            assert {t("col.own_lmg"), t("col.own_weight")} <= titles, chart


def test_without_pooling_the_page_says_nothing_of_it(hostile_board):
    doc = hostile_board.result.document
    assert doc["meta"]["pooling"] == doc["pooling"]["asked"] == doc["pooling"]["used"] == "none"
    assert doc["pooling"]["what"] == {"en": "", "nl": ""} and doc["pooling"]["groups"] == {}
    assert not any("own_text" in r or "own_importance" in r for r in doc["priorities"])
    specs = _data(hostile_board.html)["specs"]["en"]
    assert "own_text" not in json.dumps(specs)


def test_page_is_self_contained_with_a_strict_content_security_policy(hostile_board):
    html = hostile_board.html
    csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', html).group(1)
    rules = dict((part.split()[0], part.split()[1:]) for part in csp.replace("&#x27;", "'").split("; "))
    assert rules["default-src"] == ["'none'"] and rules["connect-src"] == ["'none'"]
    assert rules["img-src"] == ["data:"] and "'unsafe-inline'" not in rules["script-src"]
    assert "'unsafe-eval'" not in rules["script-src"]
    # every script that runs is allowed by its hash, and only those
    scripts = re.findall(r"<script>(.*?)</script>", html, re.S)
    hashes = {"'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'" for s in scripts}
    assert len(scripts) == 2 and hashes == set(rules["script-src"])
    # nothing refers to a resource outside the file
    outside = html.replace(scripts[0], "")
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//|@import|url\(\s*["']?https?:""", outside)
    assert "<link" not in outside


def test_hostile_answers_cannot_leave_the_data_element(hostile_board):
    html = hostile_board.html
    m = re.search(r'<script type="application/json" id="dashboard-data">(.*?)</script>', html, re.S)
    assert "<" not in m.group(1) and ">" not in m.group(1)
    quotes = [q["text"] for v in _data(html)["document"]["voice"].values() for part in v["en"] for q in part["quotes"]]
    assert any("<script>alert(1)</script>" in q for q in quotes)           # shown as written, as text
    assert json_for_script({"a": "\u2028</script>"}) == '{"a": "\\u2028\\u003c/script\\u003e"}'


def test_no_respondent_level_data_or_ids_in_the_page(hostile_board, example):
    html = hostile_board.html
    ids = example.data.respondent_id.astype(str).tolist()
    data_part = re.search(r'id="dashboard-data">(.*?)</script>', html, re.S).group(1)
    assert not any(f'"{i}"' in data_part for i in ids[:200])


def test_charts_compile_to_vega_with_the_okabe_ito_palette():
    import vl_convert

    rows = {"kpi_group": [{"group_label": "A", "estimate": 50, "low": 40, "high": 60, "role": "other", "n": 9,
                           "text": "50%", "interval": "40–60%"}],
            "priorities": [{"driver_label": "Empathy", "importance": 30, "importance_low": 20, "importance_high": 40,
                            "performance": 70, "performance_low": 65, "performance_high": 75,
                            "quadrant_label": "concentrate here", "n": 9}]}
    specs = dashboard_specs("lmg")
    for lang in ("en", "nl"):
        for name, spec in specs[lang].items():
            data = rows["priorities"] if name == "priorities" else rows["kpi_group"]
            data = [{**r, "channel_label": "Phone", "group_label": "A", "importance_text": "30%"} for r in data]
            vega = vl_convert.vegalite_to_vega({**spec, "datasets": {"rows": data, "ref": [{"estimate": 1}]}})
            assert vega["marks"], name
    colours = json.dumps(specs["en"]["priorities"])
    assert all(c in colours for c in (OKABE_ITO["vermillion"], OKABE_ITO["green"], OKABE_ITO["blue"]))


@pytest.mark.slow
def test_two_hundred_organisations_stay_under_five_megabytes(inst, tmp_path):
    # four simulated studies of 50 organisations (the simulator's maximum), organisations and ids made distinct
    parts = []
    for batch in range(4):
        responses = simulate_study(inst, n_orgs=50, n_per_org=40, seed=5 + batch, truth_draws=0).responses
        responses["organisation"] = [f"Organisatie {batch * 50 + i // 40 + 1:03d}" for i in range(len(responses))]
        responses["respondent_id"] = f"B{batch}-" + responses["respondent_id"].astype(str)
        parts.append(responses)
    path = tmp_path / "big.csv"
    pd.concat(parts, ignore_index=True).to_csv(path, index=False)
    data, quality = read_responses(path, inst)
    analysis = analyse_drivers(data, inst, by="organisation", bootstrap=2, seed=1, sem=False)
    # with every view: the themes of the open answers and three waves (the months of the contact dates)
    board = build_dashboard(data, inst, quality, out=tmp_path / "big.html", analysis=analysis, min_group_n=10,
                            period="month", bootstrap=2)
    doc = board.document
    assert len(doc["groups"]) == 201 and len(doc["priorities"]) == 201 * 7
    assert doc["views"] == ["kpis", "priorities", "compare", "waves", "themes", "voice"]
    assert len(doc["themes"]["groups"]) == 201 and len(doc["waves"]["groups"]) > 150
    assert board.size == (tmp_path / "big.html").stat().st_size < MAX_BYTES, board.size


def test_command_writes_the_page(run_cli, tmp_path):
    out = tmp_path / "study.html"
    text = ok(run_cli("dashboard", SAV, "--by", "organisation", "-o", out, "--bootstrap", "20", "--seed", "2",
                      "--lang", "NL", "--pooling", "none"))
    assert f"Dashboard written to {out}" in text and "seed 2, pooling none" in text
    doc = _data(out.read_text(encoding="utf-8"))["document"]
    assert doc["lang"] == "nl" and doc["meta"]["seed"] == 2 and doc["meta"]["resamples"] == 20
    assert doc["meta"]["pooling"] == "none" and doc["pooling"]["what"]["nl"] == ""


def test_command_and_function_take_the_pooling_option(run_cli, example, inst, tmp_path):
    assert "--pooling" in ok(run_cli("dashboard", "--help"))
    with pytest.raises(Exception, match="pooling must be one of none, partial"):
        build_dashboard(example.data, inst, example.quality, out=tmp_path / "bad.html", pooling="full")
    assert not (tmp_path / "bad.html").exists()


@pytest.mark.parametrize(("args", "code", "message"), [
    (("--lang", "fr"), 2, "Invalid value for --lang: lang must be one of"),
    (("--bootstrap", "1"), 2, "Invalid value for --bootstrap"),
    (("--by", "agent_id"), 1, "holds personal data"),
    (("--pooling", "full"), 2, "Invalid value for --pooling"),
])
def test_command_refuses_bad_options_before_the_work(run_cli, tmp_path, args, code, message):
    failed(run_cli("dashboard", SAV, "-o", tmp_path / "x.html", *args), code, message)
    assert not (tmp_path / "x.html").exists()


def test_command_refuses_to_overwrite_the_input(run_cli, tmp_path):
    copy = tmp_path / "responses.sav"
    copy.write_bytes(SAV.read_bytes())
    failed(run_cli("dashboard", copy, "-o", copy), 1, "is the input file")
