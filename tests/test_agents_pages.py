"""Per-agent pages (drivers agents) and the rule that no agent id reaches an organisation-level report."""
from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from analysis.agents import analyse_agents
from analysis.report import build_reports
from analysis.report.agent_pages import agent_page_html, write_agent_pages
from analysis.report.i18n import Texts
from analysis.simulation.io import write_responses
from analysis.simulation.simulate import simulate_study
from instrument import read_responses
from tests.cli_results import failed, ok


@pytest.fixture(scope="module")
def study_csv(inst, tmp_path_factory) -> Path:
    study = simulate_study(inst, n_orgs=2, n_per_org=375, seed=8, truth_draws=0, agent_sd=0.4)
    path = tmp_path_factory.mktemp("agents") / "study.csv"
    write_responses(study.responses, path, inst)
    return path


@pytest.fixture(scope="module")
def result(inst, study_csv):
    data, _ = read_responses(study_csv, inst)
    return data, analyse_agents(data, inst, min_n=10)


def test_cli_writes_one_page_per_shown_agent_and_language_and_names_no_agent(run_cli, study_csv, result, tmp_path):
    data, res = result
    out = tmp_path / "pages"
    printed = ok(run_cli("agents", study_csv, "--out", out))
    pages = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html"))
    expected = sorted(f"{lang}/{g}/{a}.html" for g, a in res.agents for lang in ("nl", "en"))
    assert pages == expected and len(pages) == 2 * len(res.agents) > 0
    assert not re.search(r"A\d{5}", printed)             # the terminal counts agents, it names none
    assert "withheld" in printed and "left out" in printed
    shown = {a for _, a in res.agents}
    withheld = set(data.agent_id.dropna()) - shown
    assert withheld
    assert not any(p.stem in withheld for p in out.rglob("*.html"))


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_page_shows_the_agent_beside_the_team_and_explains_shrinkage(inst, result, lang):
    _, res = result
    group, agent = res.agents[0]
    page = agent_page_html(res, inst, group, agent, lang)
    t = Texts(lang)
    level = t.pct(95)
    assert t("agents.shrinkage", level=level).replace("'", "&#x27;") in page
    row = res.agent_scores(group, agent).iloc[0]
    cells = [t.num(row.estimate, 1), t.interval(row.ci_low, row.ci_high, 1), t.num(row.team_mean, 1)]
    label = inst.construct(row.driver).label[lang]
    assert re.search(re.escape(label) + r"</td>.*" + ".*".join(map(re.escape, cells)), page)
    kpi = res.agent_kpis(group, agent)
    assert t("kpi.nps") in page and len(kpi)
    others = {a for _, a in res.agents} - {agent}
    assert not any(a in page for a in others)              # no colleague, no league table


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_page_says_in_words_where_the_answers_cannot_tell_the_agent_from_the_team(inst, result, lang):
    _, res = result
    t = Texts(lang)
    inside = (res.scores.ci_low <= res.scores.team_mean) & (res.scores.team_mean <= res.scores.ci_high)
    assert (res.scores.ci_high - res.scores.ci_low > 0.1).all()              # never a zero-width range
    said = {True: 0, False: 0}
    for group, agent in res.agents:
        rows = res.agent_scores(group, agent)
        alike = [inst.construct(r.driver).label[lang].lower() for r in rows.itertuples()
                 if r.ci_low <= r.team_mean <= r.ci_high]
        page = agent_page_html(res, inst, group, agent, lang)
        start = t("agents.not_distinct", drivers="\x00").split("\x00")[0].replace("'", "&#x27;")
        assert (start in page) == bool(alike), agent
        if alike:
            sentence = page.split(start)[1].split("</p>")[0]
            assert all(label in sentence for label in alike), (agent, sentence)
            others = {inst.construct(d).label[lang].lower() for d in res.drivers} - set(alike)
            assert not any(label in sentence for label in others), (agent, sentence)
        said[bool(alike)] += 1
    assert said[True] and said[False] and inside.any() and not inside.all()    # both kinds of page occur


def test_text_from_the_data_is_escaped(inst, result, tmp_path):
    data, _ = result
    data = data.copy()
    first = data.agent_id.dropna().iloc[0]
    data["agent_id"] = data.agent_id.replace(first, "<script>x</script>")
    data["organisation"] = data.organisation.replace("Energie", "<b>E</b>")
    res = analyse_agents(data, inst, min_n=1)
    files = write_agent_pages(res, inst, tmp_path)
    text = " ".join(p.read_text(encoding="utf-8") for p in files)
    assert "<script>x" not in text and "<b>E" not in text and "&lt;script&gt;x" in text
    assert all(p.resolve().is_relative_to(tmp_path.resolve()) for p in files)


def test_bad_min_n_is_a_usage_error(run_cli, study_csv, tmp_path):
    failed(run_cli("agents", study_csv, "--out", tmp_path, "--min-n", "0"), 2, "--min-n",
           "min_n must be a whole number of 1 or more")


def test_no_agent_id_in_an_organisation_level_report(example, inst, tmp_path):
    ids = {str(a) for a in example.data.agent_id.dropna().unique()}
    assert ids
    reports = build_reports(example.data, inst, example.quality, lang="en", out_dir=tmp_path,
                            analysis=example.analysis, validation=example.validation, pdf=False)
    for path in [reports.study_html, *(h for h, _ in reports.groups.values())]:
        html = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "data:", path.read_text(encoding="utf-8"))
        found = {a for a in ids if a in html}
        assert not found, (path.name, sorted(found)[:5])
    book = openpyxl.load_workbook(reports.workbook, read_only=True)
    cells = {str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row if v is not None}
    assert not cells & ids


def test_report_by_agent_writes_agent_pages_and_no_agent_reaches_the_organisation_reports(run_cli, tmp_path):
    """``drivers simulate --agent-sd`` then ``drivers report --by-agent``: pages per agent in OUT/agents/, and no
    agent id in any organisation-level report (HTML, Excel), in either language."""
    study = tmp_path / "study.csv"
    ok(run_cli("simulate", "--orgs", "2", "--n-per-org", "300", "--seed", "9", "--agent-sd", "0.4",
               "--truth-draws", "0", "-o", study))
    ids = {str(a) for a in pd.read_csv(study).agent_id.dropna().unique()}
    assert len(ids) > 40
    for lang in ("en", "nl"):
        out = tmp_path / lang
        printed = ok(run_cli("report", study, "--out", out, "--lang", lang, "--bootstrap", "20", "--seed", "1",
                             "--no-pdf", "--by-agent"))
        pages = list((out / "agents").rglob("*.html"))
        assert {p.relative_to(out / "agents").parts[0] for p in pages} == {"nl", "en"}
        assert {p.stem for p in pages} <= ids and len(pages) == 2 * len({p.stem for p in pages}) >= 10
        assert "agent pages:" in printed and not re.search(r"A\d{5}", printed)
        reports = [p for p in out.glob("*.html")]
        assert len(reports) == 3                                        # the study and the two organisations
        for path in reports:
            html = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "data:", path.read_text(encoding="utf-8"))
            assert not {a for a in ids if a in html}, path.name
        book = openpyxl.load_workbook(next(out.glob("*.xlsx")), read_only=True)
        cells = {str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row
                 if v is not None}
        assert not cells & ids


def test_cli_json_holds_the_shown_agents_and_counts_the_withheld(run_cli, study_csv, result, tmp_path):
    import json

    data, res = result
    out = tmp_path / "agents.json"
    printed = ok(run_cli("agents", study_csv, "--json", out))
    assert not re.search(r"A\d{5}", printed) and not any(tmp_path.glob("*/"))      # no pages without --out
    document = json.loads(out.read_text(encoding="utf-8"))   # strict JSON: no NaN
    assert document["settings"] == {"by": "organisation", "min_n": 10, "level": 0.95, "ranked": False,
                                    "drivers": list(res.drivers)}
    assert document["n_agents_shown"] == len(res.agents) > 0
    shown = {a for _, a in res.agents}
    assert {r["agent"] for r in document["scores"]} == shown == {r["agent"] for r in document["kpis"]}
    first = document["scores"][0]
    row = res.scores.iloc[0]
    assert (first["group"], first["agent"], first["driver"]) == (row.group, row.agent, row.driver)
    assert first["estimate"] == pytest.approx(row.estimate, rel=1e-5)
    # withheld agents are counted per team, never named anywhere in the document
    withheld = set(data.agent_id.dropna()) - shown
    assert withheld and sum(r["n_agents"] for r in document["withheld"]) == len(withheld)
    assert not any(a in out.read_text(encoding="utf-8") for a in withheld)
    # with --out too: the pages and the same document
    both = tmp_path / "both.json"
    ok(run_cli("agents", study_csv, "--out", tmp_path / "pages", "--json", both))
    assert json.loads(both.read_text(encoding="utf-8")) == document
    assert len(list((tmp_path / "pages").rglob("*.html"))) == 2 * len(res.agents)


def test_cli_needs_pages_or_json(run_cli, study_csv, tmp_path):
    failed(run_cli("agents", study_csv), 2, "--out", "--json FILE")
    failed(run_cli("agents", study_csv, "--json", study_csv), 1, str(study_csv.name))
