"""Groups below the minimum: withheld (named, never sized), left out of every figure, never quoted.

The study: two example organisations, 'Klein' with 20 usable respondents (enough for the
regression, below the minimum of 30) and 'Tiny' with 8 (fewer than drivers + 2 = 9: the
importance analysis leaves it out, reason ``small_group``).
"""
from __future__ import annotations

import re
from dataclasses import replace

import pandas as pd
import pytest
from openpyxl import load_workbook

from analysis.common.groups import ALL
from analysis.drivers.analyse import analyse_drivers
from analysis.drivers.kpis import nps
from analysis.report import build_reports
from analysis.report.appendix import technical_notes
from analysis.report.content import report_content
from analysis.report.i18n import Texts
from analysis.report.scope import StudyResults, shown_groups
from analysis.report.voice import sample_voice
from analysis.validation.validation import validate
from instrument.errors import ServiceDriversError

SMALL = {"Klein": 20, "Tiny": 8}
SIZED = re.compile(r"(?:Klein|Tiny)'?\s*\(\d+\)")


def flagged(data) -> pd.Series:
    return data[[c for c in data.columns if c.startswith("flag_")]].fillna(False).astype(bool).any(axis=1)


@pytest.fixture(scope="module")
def study(example):
    data = example.data
    keep = data[data.organisation.isin(["Energie", "Telecom"])]
    parts = [keep]
    for (name, n), source in zip(SMALL.items(), ("Webwinkel", "Verzekeraar")):
        rows = data[(data.organisation == source) & (data.channel == "phone") & ~flagged(data) & data.why.notna()
                    & data.nps.notna()].head(n).copy()
        rows["organisation"] = name
        rows["respondent_id"] = [f"{name}{i:02d}" for i in range(n)]
        rows["why"] = f"{name.upper()}QUOTE: prima geholpen"
        parts.append(rows)
    return pd.concat(parts, ignore_index=True)


@pytest.fixture(scope="module")
def reports(study, example, inst, tmp_path_factory):
    return build_reports(study, inst, example.quality, lang="en", out_dir=tmp_path_factory.mktemp("withheld"),
                         bootstrap=20, seed=3, pdf=False)


@pytest.fixture(scope="module")
def unfiltered(study, example, inst) -> StudyResults:
    """Results of the whole study, small groups included (what build_reports refuses to report)."""
    analysis = analyse_drivers(study, inst, by="organisation", bootstrap=20, seed=3, sem=False)
    validation = validate(study, inst, by="organisation", invariance=False)
    return StudyResults(analysis=analysis, validation=validation, quality=example.quality, inst=inst,
                        source="x.sav", command="drivers report ...")


def every_text(reports) -> str:
    html = [re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", p.read_text(encoding="utf-8"))
            for p in reports.paths if p.suffix == ".html"]
    wb = load_workbook(reports.workbook)
    cells = [str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    return "\n".join(html + cells)


def test_groups_below_the_minimum_are_named_but_never_sized(reports):
    assert reports.withheld == ("Klein", "Tiny") and set(reports.groups) == {"Energie", "Telecom"}
    assert sorted(p.name for p in reports.out_dir.glob("*.html")) == [
        "organisation-energie.html", "organisation-telecom.html", "study.html"]
    study = reports.study_html.read_text(encoding="utf-8")
    assert "No report of their own and no figures for: Klein, Tiny." in study
    assert "fewer than 30 usable respondents" in study and "left out of this report entirely" in study
    text = every_text(reports)
    assert not SIZED.search(text), SIZED.search(text)
    assert "KLEINQUOTE" not in text and "TINYQUOTE" not in text


def test_respondents_of_withheld_groups_are_in_no_figure(reports, study):
    """The whole study's figures are those of the groups shown: no withheld group's figure by subtraction."""
    small = study[study.organisation.isin(list(SMALL))]
    res = reports.analysis
    assert not set(small.respondent_id) & (set(res.used.respondent_id) | set(res.excluded.respondent_id))
    shown = study[study.organisation.isin(["Energie", "Telecom"])]
    assert res.groups.set_index("group").n_input[ALL] == len(shown)
    expected = nps(shown[~flagged(shown)], "nps").nps.iloc[0]
    kpis = res.kpis.set_index(["group", "channel", "key"])
    assert kpis.estimate[(ALL, ALL, "nps")] == pytest.approx(expected, abs=1e-12)
    assert set(reports.validation.groups) == {"all", "Energie", "Telecom"}
    # Appendix C counts them (all of their rows, counted here from the data)
    html = reports.study_html.read_text(encoding="utf-8")
    row = re.search(r"Respondents of groups with fewer than 30 usable respondents: not in this report</td>\s*"
                    r"<td[^>]*>([\d,]+)</td>", html)
    assert row and int(row.group(1).replace(",", "")) == len(small) == 28


def test_results_computed_with_a_group_below_the_minimum_are_refused(unfiltered, study, example, inst, tmp_path):
    with pytest.raises(ServiceDriversError, match=r"'Klein', 'Tiny' of 'organisation' have fewer than 30 usable "
                                                  r"respondents: their respondents must be left out"):
        build_reports(study, inst, example.quality, lang="en", out_dir=tmp_path, analysis=unfiltered.analysis,
                      validation=unfiltered.validation, pdf=False)
    with pytest.raises(ServiceDriversError, match="every group of 'organisation' has fewer than 400"):
        build_reports(study, inst, example.quality, lang="en", out_dir=tmp_path, min_group_n=400, pdf=False)
    assert not list(tmp_path.iterdir())                  # refused before writing anything


def test_a_group_left_out_of_the_importance_analysis_is_decided_on_its_usable_respondents(unfiltered):
    assert "Tiny" not in unfiltered.analysis.group_names               # reason small_group
    assert shown_groups(unfiltered) == (["Energie", "Telecom"], ["Klein", "Tiny"])
    # the analysis' warning "... (usable respondents in brackets): 'Tiny' (8)" loses the withheld group
    assert any("'Tiny' (8)" in m for m in unfiltered.analysis.warnings.message)
    notes = technical_notes(unfiltered, ALL, Texts("en"))
    assert notes and not any(SIZED.search(n) for n in notes)
    study = report_content(unfiltered, ALL, "en", "study")
    assert not any(SIZED.search(str(v)) for t in study.tables() for r in t.rows for v in r.values())
    # with a minimum of 5, Tiny (8 usable) is shown: its key figures, no driver figures
    low = replace(unfiltered, min_group_n=5)
    assert shown_groups(low) == (["Energie", "Klein", "Telecom", "Tiny"], [])
    tiny = report_content(low, "Tiny", "en", "organisation-tiny")
    assert dict(tiny.facts)["Usable respondents"] == "8" and dict(tiny.facts)["In the driver analysis"] == "0"
    assert tiny.summary.withheld and not tiny.figures()
    assert "priorities" not in {t.name for t in tiny.tables()} and "kpis_by_channel" in {t.name for t in tiny.tables()}


def test_respondents_of_a_group_too_small_for_the_regression_are_never_quoted(unfiltered, study, inst):
    tiny = sample_voice(study, unfiltered.analysis, inst, group="Tiny", lang="en")
    assert not [q for g in tiny.groups for q in g.quotes]
    klein = sample_voice(study, unfiltered.analysis, inst, group="Klein", lang="en")
    assert [q for g in klein.groups for q in g.quotes]       # a group in the analysis is quoted (when shown)
