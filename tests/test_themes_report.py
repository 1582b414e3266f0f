"""The themes of the open answers in the reports (both languages) and on the command line; privacy rules."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from analysis.common.groups import ALL
from analysis.drivers.analyse import analyse_drivers
from analysis.report.blocks import Table, Voice
from analysis.report.content import report_content
from analysis.report.render.html import render_html
from analysis.report.scope import StudyResults
from analysis.report.voice import NOT_QUOTED
from analysis.themes.analyse import analyse_themes
from cli_results import failed, ok
from report_fixtures import CSV

MARKUP = "<script>alert(1)</script>"
EMAIL = "jan.jansen@example.nl"


@pytest.fixture(scope="module")
def planted(example, inst):
    """The example study with markup and an e-mail address in every Dutch answer with a complaint word.

    Which answers are quoted depends on the simulated texts; planting in every Dutch complaint
    (the example's most common kind of answer) makes sure some quoted answer carries them.
    """
    data = example.data.copy()
    why = data.why.astype("string")
    hit = why.str.contains(r"\b(?:niet|geen|nooit|te lang|slecht)\b", regex=True).fillna(False)
    data.loc[hit, "why"] = data.loc[hit, "why"] + f" {MARKUP} Mail {EMAIL}"
    analysis = analyse_drivers(data, inst, by="organisation", bootstrap=50, seed=5, sem=False)
    return data, analysis, analyse_themes(data, inst, analysis=analysis, seed=5)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_report_section_in_both_languages_masked_and_escaped(planted, example, inst, lang):
    data, analysis, themes = planted
    results = StudyResults(analysis=analysis, validation=example.validation, quality=example.quality, inst=inst,
                           themes=themes)
    content = report_content(results, ALL, lang, "study")
    section = next(s for s in content.sections if s.id == "themes")
    tables = {b.name: b for b in section.blocks if isinstance(b, Table)}
    assert {"themes", "themes_quadrants"} <= set(tables)
    assert len(tables["themes"].rows) >= 7
    voice = next(b for b in section.blocks if isinstance(b, Voice))
    top = analysis.importance[(analysis.importance.group == ALL) & (analysis.importance.priority <= 3)]
    assert len(voice.groups) == len(top)
    assert all(1 <= len(g.quotes) <= 3 for g in voice.groups)
    never = set(analysis.excluded.respondent_id[analysis.excluded.code.astype(str).isin(NOT_QUOTED)])
    quotes = [q for g in voice.groups for q in g.quotes]
    assert not {q.respondent for q in quotes} & never
    assert any("[e-mail]" in q.text for q in quotes)           # a planted answer was quoted ...
    assert not any(EMAIL in q.text for q in quotes)           # ... masked
    html = render_html(content, {fig.key: b"" for fig in content.figures()})
    assert EMAIL not in html and MARKUP not in html and "&lt;script&gt;" in html
    title = {"nl": "Waar de open antwoorden over gaan", "en": "What the open answers are about"}[lang]
    assert title in html


def test_group_report_has_its_own_theme_table(planted, example, inst):
    data, analysis, themes = planted
    results = StudyResults(analysis=analysis, validation=example.validation, quality=example.quality, inst=inst,
                           themes=themes)
    group = analysis.group_names[0]
    section = next(s for s in report_content(results, group, "nl", "g").sections if s.id == "themes")
    table = next(b for b in section.blocks if isinstance(b, Table) and b.name == "themes")
    n = int(themes.frequency[(themes.frequency.group == group)].n_answers.iloc[0])
    assert all(r["group"] == group for r in table.rows) and str(n) in table.title


def test_cli_themes(run_cli, tmp_path):
    out = ok(run_cli("themes", CSV, "--by", "organisation", "--bootstrap", "20", "--seed", "3",
                     "--json", tmp_path / "themes.json"))
    assert "Themes of the open answers" in out and "Quotes for the priority drivers" in out
    document = json.loads((tmp_path / "themes.json").read_text(encoding="utf-8"))
    assert {"frequency", "by_score", "by_quadrant", "other_themes", "excluded"} <= set(document)
    assert "quotes" not in document                       # unmasked texts never leave the library
    failed(run_cli("themes", CSV, "--language", "fr"), 2, "--language", "must be one of auto, nl, en")


def test_cli_themes_leaves_small_groups_out(run_cli, example, tmp_path):
    from analysis.report.scope import usable_group_sizes
    sizes = {g: n for g, n in usable_group_sizes(example.data, "organisation").items() if g != ALL}
    smallest = min(sizes, key=sizes.get)
    out = ok(run_cli("themes", CSV, "--by", "organisation", "--bootstrap", "20",
                     "--min-group-n", str(sizes[smallest] + 1), "--json", tmp_path / "themes.json"))
    flat = " ".join(out.split())
    assert f"Left out (fewer than {sizes[smallest] + 1} usable respondents): {smallest}" in flat
    assert f"Quotes for the priority drivers ({smallest})" not in out
    # every respondent not coded is counted, each reason named: the small group's too (audit L6)
    document = json.loads((tmp_path / "themes.json").read_text(encoding="utf-8"))
    excluded = pd.DataFrame(document["excluded"])
    assert len(excluded) + document["n_coded"] == len(example.data)
    in_small = excluded[excluded.group == smallest]
    assert len(in_small) == (example.data.organisation == smallest).sum()
    assert set(in_small.reason) == {f"in a group with fewer than {sizes[smallest] + 1} usable respondents"}
    n = excluded.reason.map(lambda r: r.split("; ")[0])
    counts = {"without an open answer": (n == "no open answer").sum(), "flagged": n.str.startswith("flagged").sum(),
              f"in groups with fewer than {sizes[smallest] + 1} usable respondents": len(in_small)}
    assert f"{len(excluded)} respondents left out (" in flat
    for label, k in counts.items():
        assert f"{k} {label}" in flat, (label, k, flat)


def test_cli_themes_counts_the_respondents_of_small_groups(run_cli, tmp_path):
    # two organisations of three: both left out; there were answers, and six respondents left out
    # (it said 'No open answers to code ... (0 respondents left out: flagged, no group or no answer)')
    raw = pd.read_csv(CSV, dtype=str, keep_default_na=False)
    few = raw[raw.organisation.isin(["Energie", "Telecom"])].groupby("organisation").head(3)
    assert (few.why.str.strip() != "").any()
    path = tmp_path / "few.csv"
    few.to_csv(path, index=False)
    flat = " ".join(ok(run_cli("themes", path, "--bootstrap", "20")).split())
    assert "Left out (fewer than 30 usable respondents): Energie, Telecom" in flat
    assert ("No open answers left to code in column 'why' of " f"{path}; 6 respondents left out (6 in groups with "
            "fewer than 30 usable respondents).") in flat
