"""Any grouping column (issue 18, point 2): groups named by the column's label; a column the questionnaire does not know.

The fixture file is the example study (``data/example/responses.sav``) with an extra
column ``region`` (SPSS codes 1-3 with value labels Noord/Midden/Zuid and the variable
label 'Regio') that the questionnaire does not know.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.drivers.analyse import analyse_drivers
from analysis.report.blocks import Notes, Paragraph, Table
from analysis.report.content import report_content
from analysis.report.scope import StudyResults
from analysis.validation.validation import validate
from cli_results import failed, ok
from instrument import read_responses
from report_fixtures import SAV

REGIONS = {1.0: "Noord", 2.0: "Midden", 3.0: "Zuid"}


@pytest.fixture(scope="module")
def region_sav(tmp_path_factory):
    pyreadstat = pytest.importorskip("pyreadstat")
    frame, meta = pyreadstat.read_sav(str(SAV), user_missing=True)
    frame["region"] = np.resize([1.0, 2.0, 3.0], len(frame))
    path = tmp_path_factory.mktemp("region") / "client.sav"
    labels = {**meta.column_names_to_labels, "region": "Regio"}
    pyreadstat.write_sav(frame, str(path), column_labels=[labels.get(c) or c for c in frame.columns],
                         variable_value_labels={**meta.variable_value_labels, "region": REGIONS},
                         missing_ranges=meta.missing_ranges or None)
    return path


def texts(content) -> str:
    """Every sentence and heading of a report's content (not the data shown in tables)."""
    parts = [content.subtitle, content.summary.intro, *content.summary.others, *(f[0] for f in content.facts),
             *(f[1] for f in content.facts[:1])]
    for section in content.sections:
        parts.append(section.title)
        for b in section.blocks:
            if isinstance(b, Paragraph):
                parts.append(b.text)
            elif isinstance(b, Notes):
                parts += [*b.items, b.title]
            elif isinstance(b, Table):
                parts += [b.title, b.note, *(c.header for c in b.columns)]
    return "\n".join(parts)


def test_a_column_unknown_to_the_questionnaire_is_kept_with_its_value_labels(region_sav, inst):
    data, report = read_responses(region_sav, inst, extra_columns=("region",))
    assert set(data.region.dropna()) == set(REGIONS.values())
    assert report.column_labels == {"region": "Regio"} and "region" not in report.unknown_columns
    plain, plain_report = read_responses(region_sav, inst)
    assert "region" not in plain.columns and "region" in plain_report.unknown_columns


def test_analyse_by_a_column_unknown_to_the_questionnaire(run_cli, region_sav):
    text = ok(run_cli("analyse", region_sav, "--by", "region", "--bootstrap", "50", "--seed", "1", "--no-sem"))
    for name in REGIONS.values():
        assert name in text
    # a column the file lacks stays a usage error naming the columns there are
    failed(run_cli("analyse", region_sav, "--by", "regoin", "--bootstrap", "50", "--no-sem"), 2, "'regoin'")


@pytest.mark.parametrize("lang, one, many", [("en", "Regio", "regios"), ("nl", "Regio", "regio's")])
def test_report_names_the_groups_by_the_file_label(region_sav, inst, lang, one, many):
    data, quality = read_responses(region_sav, inst, extra_columns=("region",))
    res = analyse_drivers(data, inst, by="region", bootstrap=50, seed=1, sem=False)
    results = StudyResults(analysis=res, validation=validate(data, inst, by="region", invariance=False),
                           quality=quality, inst=inst, source="client.sav")
    study = report_content(results, "all", lang, "study")
    words = texts(study)
    assert many in words and "organisation" not in words.lower() and "organisatie" not in words.lower()
    group = report_content(results, "Noord", lang, "x")
    assert group.facts[0][1] == f"{one}: Noord"


@pytest.mark.parametrize("lang, many, label", [("en", "channels", "Channel"), ("nl", "kanalen", "Kanaal")])
def test_report_by_channel_calls_them_channels(inst, lang, many, label):
    data, quality = read_responses(SAV, inst)
    drivers = [d for d in inst.driver_keys if d not in ("wait_time", "menu")]
    res = analyse_drivers(data, inst, by="channel", drivers=drivers, bootstrap=50, seed=1, sem=False)
    results = StudyResults(analysis=res, validation=validate(data, inst, by="channel", invariance=False),
                           quality=quality, inst=inst, source="responses.sav")
    words = texts(report_content(results, "all", lang, "study"))
    assert many in words and "organisation" not in words.lower() and "organisatie" not in words.lower()
    chat = report_content(results, "chat", lang, "x")
    assert chat.facts[0][1].startswith(f"{label}: ")
    # a single channel's report carries no notes about the whole study
    method = next(s for s in chat.sections if s.id == "method")
    technical = [b for b in method.blocks if isinstance(b, Notes) and b.css != "warning"]
    assert all(item.startswith("[chat]") for b in technical for item in b.items)


def test_dutch_report_has_no_english_technical_notes_and_group_reports_no_study_notes(example, inst):
    results = StudyResults(analysis=example.analysis, validation=example.validation, quality=example.quality,
                           inst=inst, source="responses.sav")
    study_wide = [str(m) for m in example.analysis.warnings.query("group.isna()", engine="python").message]
    for group in ["all", "Telecom"]:
        for lang in ("nl", "en"):
            content = report_content(results, group, lang, "x")
            method = next(s for s in content.sections if s.id == "method")
            notes = [i for b in method.blocks if isinstance(b, Notes) and b.css != "warning" for i in b.items]
            if lang == "nl":
                assert not any(w in n for n in notes for w in (" respondents ", " the ", "SEM:")), notes
            if group != "all":
                assert not any(m in n for m in study_wide for n in notes)
                assert all(n.startswith(f"[{group}]") for n in notes)
