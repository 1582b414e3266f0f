"""Report sentences follow the questionnaire used; absent item columns are named (issue 18, point 3).

With the README's adapted questionnaire (menu dropped, a fifth empathy item, German
added) no report sentence may still describe the shipped one ("eight-factor",
"four items", "Wait time and the menu"); Appendix E names the questionnaire file and
its hash, and its command reproduces the report with ``--instrument``. A construct left
out because its item column is absent (``absent_items='leave_out'``) is reported with
that reason and the column's name, not as 'no answers in this group'.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from analysis.drivers.analyse import analyse_drivers
from analysis.report.blocks import Notes, Paragraph, Table
from analysis.report.build import _command
from analysis.report.content import report_content
from analysis.report.scope import StudyResults
from analysis.simulation.simulate import simulate_study
from analysis.validation.validation import validate
from cli_results import ok
from instrument import load_instrument, read_responses

ROOT = Path(__file__).parents[1]
INSTRUMENTS = ROOT / "tests" / "fixtures" / "instruments"
EXAMPLE = ROOT / "data" / "example" / "responses.csv"


def all_text(content) -> str:
    """Every sentence of a report, table notes, settings and questionnaire notes included."""
    parts = [content.subtitle, content.summary.intro, *content.summary.others]
    for section in content.sections:
        parts.append(section.title)
        for b in section.blocks:
            if isinstance(b, Paragraph):
                parts.append(b.text)
            elif isinstance(b, Notes):
                parts += [*b.items, b.title or ""]
            elif isinstance(b, Table):
                parts += [b.title, b.note or "", *(str(v) for row in b.rows for v in row.values())]
    return "\n".join(p for p in parts if p)


@pytest.fixture(scope="module")
def adapted(tmp_path_factory):
    inst = load_instrument(INSTRUMENTS / "adapted.yaml")
    path = tmp_path_factory.mktemp("adapted") / "study.csv"
    simulate_study(inst, n_orgs=2, n_per_org=300, seed=3, truth_draws=0).responses.to_csv(path, index=False)
    data, quality = read_responses(path, inst)
    results = StudyResults(analysis=analyse_drivers(data, inst, bootstrap=50, seed=1, sem=False),
                           validation=validate(data, inst, by="organisation", invariance=False),
                           quality=quality, inst=inst, source="study.csv")
    return inst, results


@pytest.mark.parametrize("lang, wanted, unwanted", [
    ("en", ["the seven-factor measurement model (six drivers and satisfaction)",
            "Reliability 4, Empathy 5, Customer focus 4", "Wait time applies to the Phone channel only",
            "questionnaire adapted.yaml", "Phone only"],
     ["eight-factor", "seven drivers", "four items", "the menu", "Phone menu", "callers only"]),
    ("nl", ["het meetmodel met zeven factoren (zes drivers en tevredenheid)", "Betrouwbaarheid 4, Empathie 5",
            "Wachttijd geldt alleen voor het kanaal Telefoon", "vragenlijst adapted.yaml", "alleen Telefoon"],
     ["acht factoren", "zeven drivers", "vier items", "keuzemenu", "Keuzemenu", "bellers"]),
])
def test_report_sentences_follow_the_adapted_questionnaire(adapted, lang, wanted, unwanted):
    inst, results = adapted
    text = all_text(report_content(results, "all", lang, "study")) + "\n" + \
        all_text(report_content(results, "Energie", lang, "x"))
    for phrase in wanted:
        assert phrase in text, phrase
    for phrase in unwanted:
        assert phrase not in text, phrase
    assert inst.content_hash in text and inst.short_hash in text        # Appendix E and D name it


def test_the_shipped_questionnaire_is_described_as_before(example, inst):
    results = StudyResults(analysis=example.analysis, validation=example.validation, quality=example.quality,
                           inst=inst, source="responses.sav")
    text = all_text(report_content(results, "all", "en", "study"))
    assert "the eight-factor measurement model (seven drivers and satisfaction)" in text
    assert "four per driver; answers 1–7" in text and "Wait time and Phone menu apply to the Phone channel only" in text
    assert "questionnaire.yaml (shipped with service-drivers)" in text


def test_the_reproduce_command_names_a_non_shipped_questionnaire(adapted, example, inst):
    adapted_inst, results = adapted
    command = _command(results.quality, "organisation", "en", "out dir", None, 30, results.analysis, adapted_inst)
    assert f"--instrument {adapted_inst.source_file}" in command and "'out dir'" in command
    shipped = _command(example.quality, "organisation", "en", "out", None, 30, example.analysis, inst)
    assert "--instrument" not in shipped
    left_out = _command(example.quality, "organisation", "en", "out", None, 30, example.analysis, inst,
                        {"reliability": ["rel_questions"]})
    assert "--absent-items leave_out" in left_out


@pytest.fixture(scope="module")
def renamed():
    inst = load_instrument(INSTRUMENTS / "renamed_item.yaml")
    data, quality = read_responses(EXAMPLE, inst, absent_items="leave_out")
    return inst, data, quality


def test_a_construct_with_an_absent_column_is_reported_as_such_by_validate(renamed):
    inst, data, _ = renamed
    assert data.attrs["absent_items"] == {"reliability": ["rel_questions"]}
    val = validate(data, inst, by="organisation", invariance=False)
    for group in val.groups.values():
        absent = [p for p in group.problems if p.kind == "absent_items"]
        assert len(absent) == 1 and "no column for its item rel_questions" in absent[0].message
        assert not any(p.kind == "not_assessed" for p in group.problems)
        assert "reliability" not in group.constructs


def test_a_construct_with_an_absent_column_is_left_out_of_analyse_with_the_reason(renamed):
    inst, data, _ = renamed
    res = analyse_drivers(data, inst, bootstrap=20, seed=1, sem=False)
    assert "reliability" not in res.settings.drivers and len(res.settings.drivers) == 6
    absent = res.warnings[res.warnings.kind == "absent_items"]
    assert len(absent) == 1 and "reliability left out: the file has no column for its item rel_questions" in \
        absent.message.iloc[0]


def test_the_cli_says_which_column_is_absent(run_cli):
    path = INSTRUMENTS / "renamed_item.yaml"
    for command in (["validate"], ["analyse", "--bootstrap", "20", "--no-sem"]):
        out = ok(run_cli(command[0], EXAMPLE, "--instrument", path, "--absent-items", "leave_out", *command[1:]))
        assert "no column for its item rel_questions" in " ".join(out.split())
        assert "phone-only items" not in out
