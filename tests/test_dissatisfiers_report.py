"""The dissatisfiers section of the priority report, in both languages."""
from __future__ import annotations

import pytest

from analysis.common.groups import ALL
from analysis.dissatisfiers.analyse import analyse_dissatisfiers
from analysis.report.blocks import Paragraph, Table
from analysis.report.content import report_content
from analysis.report.i18n import Texts
from analysis.report.render.html import render_html
from analysis.report.scope import StudyResults

MEANING = {"en": "A dissatisfier (basic factor) is something customers take for granted",
           "nl": "Een dissatisfier (basisfactor) is iets wat klanten vanzelfsprekend vinden"}
TITLE = {"en": "Dissatisfiers and other non-linear effects", "nl": "Dissatisfiers en andere niet-lineaire effecten"}


@pytest.fixture(scope="module")
def results(example, inst):
    diss = analyse_dissatisfiers(example.data, inst, bootstrap=100, seed=7)
    return StudyResults(analysis=example.analysis, validation=example.validation, quality=example.quality, inst=inst,
                        dissatisfiers=diss)


def _section(content):
    return next(s for s in content.sections if s.id == "dissatisfiers")


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_study_report_shows_every_organisations_classes(results, lang):
    content = report_content(results, ALL, lang, "study")
    section = _section(content)
    table = next(b for b in section.blocks if isinstance(b, Table))
    diss = results.dissatisfiers.table
    assert len(table.rows) == len(diss) == 4 * 7
    t = Texts(lang)
    labels = {t("dissatisfiers.class." + c) for c in diss["class"]}
    assert {r["class"] for r in table.rows} == labels
    # each row: the class's share of resamples, and the interval of penalty - reward
    for row, r in zip(table.rows, diss.to_dict(orient="records")):
        if r["class"] != "undetermined":
            assert row["support"] == pytest.approx(r["share_" + r["class"]])
            assert row["diff_low"] <= row["diff_high"]
    assert any(MEANING[lang] in b.text for b in section.blocks if isinstance(b, Paragraph))
    html = render_html(content, {fig.key: b"" for fig in content.figures()})
    assert TITLE[lang] in html and MEANING[lang] in html


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_group_report_shows_its_own_drivers_only(results, lang):
    content = report_content(results, "Energie", lang, "organisation-energie")
    table = next(b for b in _section(content).blocks if isinstance(b, Table))
    assert len(table.rows) == 7 and "group" not in {c.key for c in table.columns}


def test_no_section_without_a_result(results):
    from dataclasses import replace

    content = report_content(replace(results, dissatisfiers=None), ALL, "en", "study")
    assert "dissatisfiers" not in {s.id for s in content.sections}


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_section_says_how_many_respondents_each_contrast_rests_on(results, lang):
    # issue 14: every channel's respondents used; the phone-only drivers on the phone respondents;
    # the respondents not used counted with their reason
    t = Texts(lang)
    section = _section(report_content(results, "Energie", lang, "organisation-energie"))
    table = next(b for b in section.blocks if isinstance(b, Table))
    assert "n" in table.keys
    n = {r["driver"]: r["n"] for r in table.rows}
    labels = {d: results.inst.construct(d).label[lang] for d in ("wait_time", "empathy")}
    assert n[labels["wait_time"]] == 221 and n[labels["empathy"]] == 357
    text = " ".join(b.text for b in section.blocks if isinstance(b, Paragraph))
    assert t("dissatisfiers.respondents", n=t.count(357), n_input=t.count(375)) in text
    assert f"{t.count(221)}" in text and labels["wait_time"] in text
    assert t("dissatisfiers.not_used", reasons=f"18 {t('reason.flagged')}") in text
