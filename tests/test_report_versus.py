"""'Compared with the rest of the study' when the groups are analysed on different drivers (audit M0).

With one organisation without phone respondents (not asked wait time and the phone
menu), the analysis compares every organisation with the rest, but the reports of the
organisations with phone respondents left the section out, and the study report said
that organisations with different drivers are not compared. Now the report shows every
comparison the analysis has, on the drivers compared, and says with which groups.
"""
from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from analysis.common.groups import ALL
from analysis.drivers.analyse import analyse_drivers
from analysis.report.blocks import Paragraph, Table
from analysis.report.content import report_content
from analysis.report.i18n import Texts
from analysis.report.scope import StudyResults, driver_label
from analysis.report.versus import Comparison, comparison
from instrument import read_responses

CSV = Path(__file__).resolve().parents[1] / "data" / "example" / "responses.csv"
SHOP = "Webwinkel"
SEVEN = ("reliability", "empathy", "customer_focus", "customer_knowledge", "wait_time", "accessibility", "menu")
FIVE = tuple(d for d in SEVEN if d not in ("wait_time", "menu"))


@pytest.fixture(scope="module")
def study(tmp_path_factory, inst):
    """The example study without Webwinkel's phone respondents, analysed with the default pooling."""
    from analysis.validation.validation import validate

    raw = pd.read_csv(CSV, dtype=str, keep_default_na=False)
    path = tmp_path_factory.mktemp("shop") / "responses.csv"
    raw[~((raw.organisation == SHOP) & (raw.channel == "1"))].to_csv(path, index=False)
    data, quality = read_responses(path, inst)
    res = analyse_drivers(data, inst, by="organisation", bootstrap=60, seed=1, sem=False)
    return StudyResults(analysis=res, validation=validate(data, inst, by="organisation", invariance=False),
                        quality=quality, inst=inst, source="responses.csv")


def _section(content, section_id: str):
    return next((s for s in content.sections if s.id == section_id), None)


def _text(section) -> str:
    parts = []
    for b in section.blocks:
        parts += [getattr(b, "text", ""), getattr(b, "title", ""), getattr(b, "note", None) or ""]
    return " ".join(" ".join(parts).split())


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_every_comparison_of_the_analysis_is_in_the_report(study, lang):
    doc = json.loads(json.dumps(study.analysis.to_dict()))
    rest = [d for d in doc["differences"] if d["versus"] == "rest" and d["statistic"] == "lmg_pct"]
    compared = sorted({d["group"] for d in rest})
    assert compared == ["Energie", "Telecom", "Verzekeraar", SHOP]        # the analysis compares all four
    t = Texts(lang, nouns=None)
    for org in compared:
        content = report_content(study, org, lang, "x")
        section = _section(content, "versus")
        assert section is not None, org                                    # it was left out for the phone orgs
        table = next(b for b in section.blocks if isinstance(b, Table) and b.name == "versus_rest")
        expected = {d["driver"]: d for d in rest if d["group"] == org}
        assert [r["driver"] for r in table.rows] == [d for d in study.analysis.settings.drivers_of(org)
                                                     if d in expected]
        assert set(r["driver"] for r in table.rows) == set(expected)
        for r in table.rows:
            d = expected[r["driver"]]
            assert (r["difference"], [r["difference_low"], r["difference_high"]]) == (d["estimate"], d["ci"])
        how = comparison(study, org)
        keys = [c.key for c in table.columns]
        # the whole study's figures only beside figures on the same drivers
        same = set(study.analysis.settings.drivers_of(org)) == set(study.analysis.settings.drivers_of(ALL))
        assert ("lmg_pct_all" in keys) == same == how.whole
        text = _text(section)
        if how.peers:                          # compared with the other organisations on the same drivers: named
            assert all(p in text for p in how.peers) and SHOP in text, text
            assert driver_label(study, "wait_time", t) in text, text


def test_the_comparison_with_the_peers_is_said_in_words(study):
    how = comparison(study, "Energie")
    if how.peers is None:               # the whole study on every driver: compared with all the others
        pytest.skip("the whole study is analysed on every driver here")
    assert how == Comparison(SEVEN, ("Telecom", "Verzekeraar"), False)
    text = _text(_section(report_content(study, "Energie", "en", "x"), "versus"))
    assert ("Does a driver weigh more or less at Energie than at Telecom and Verzekeraar together? Those are the other "
            "organisations analysed on the same seven drivers") in text
    assert "the organisations analysed on fewer drivers (Webwinkel) are not part of this comparison" in text
    assert "Difference = importance here minus importance at Telecom and Verzekeraar together" in text


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_the_study_report_says_how_groups_on_different_drivers_are_compared(study, lang):
    text = " ".join(" ".join(b.text.split()) for s in report_content(study, ALL, lang, "x").sections
                    for b in s.blocks if isinstance(b, Paragraph))
    assert "with different drivers are not compared" not in text
    assert "met verschillende drivers worden niet vergeleken" not in text


def _results(group_drivers, all_drivers):
    settings = SimpleNamespace(drivers=SEVEN, group_drivers=tuple(group_drivers),
                               drivers_of=lambda g: dict(group_drivers).get(g, SEVEN) if g != ALL else all_drivers)
    return SimpleNamespace(analysis=SimpleNamespace(settings=settings))


def test_with_whom_each_group_is_compared():
    # the groups share their drivers: everyone with everyone else, the whole study beside
    same = _results([], SEVEN)
    assert comparison(same, "A") == Comparison(SEVEN, None, True)
    # one organisation without phone respondents, the whole study on the common drivers: the phone
    # organisations with one another (their 'rest' in the analysis), the shop with all the others
    orgs = [("A", SEVEN), ("B", SEVEN), ("C", SEVEN), ("Shop", FIVE)]
    split = _results(orgs, FIVE)
    assert comparison(split, "A") == Comparison(SEVEN, ("B", "C"), False)
    assert comparison(split, "Shop") == Comparison(FIVE, None, True)
    # the whole study on every driver (every respondent): the phone organisations with all the
    # others and the study beside them; the shop with all the others, the study's shares not beside
    whole = _results([*orgs, (ALL, SEVEN)], SEVEN)
    assert comparison(whole, "A") == Comparison(SEVEN, None, True)
    assert comparison(whole, "Shop") == Comparison(FIVE, None, False)
    # grouped by channel: the phone the only group on seven drivers, compared with no one
    channels = _results([("phone", SEVEN), ("chat", FIVE), ("email", FIVE)], FIVE)
    assert comparison(channels, "phone") == Comparison(SEVEN, (), False)
    assert comparison(channels, "chat") == Comparison(FIVE, None, True)
