"""The Qualtrics .qsf export, parsed back and checked against the questionnaire definition."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from instrument.definition import Instrument
from instrument.errors import InstrumentError
from instrument.export import qsf_text, to_qualtrics
from instrument.naming import qualtrics_columns, qualtrics_import_ids

FIXTURES = Path(__file__).parent / "fixtures" / "platforms"


@pytest.fixture(scope="module")
def qsf(inst):
    return json.loads(qsf_text(to_qualtrics(inst, "nl,en")))  # must survive a JSON round trip


def elements(qsf, kind):
    return [e for e in qsf["SurveyElements"] if e["Element"] == kind]


@pytest.fixture(scope="module")
def by_tag(qsf):
    return {e["Payload"]["DataExportTag"]: e["Payload"] for e in elements(qsf, "SQ")}


def test_survey_entry_and_every_element_kind(qsf):
    entry = qsf["SurveyEntry"]
    assert entry["SurveyLanguage"] == "NL"
    assert entry["SurveyID"].startswith("SV_")
    for kind in ("BL", "FL", "SO", "SCO", "PROJ", "STAT", "QC", "RS", "SQ"):
        assert elements(qsf, kind), kind
    assert all(e["SurveyID"] == entry["SurveyID"] for e in qsf["SurveyElements"])
    assert elements(qsf, "RS")[0]["PrimaryAttribute"] == entry["SurveyActiveResponseSet"]


def test_question_count_is_in_sync(qsf):
    questions = elements(qsf, "SQ")
    assert elements(qsf, "QC")[0]["SecondaryAttribute"] == str(len(questions))
    qids = [e["PrimaryAttribute"] for e in questions]
    assert len(set(qids)) == len(qids)
    assert all(e["PrimaryAttribute"] == e["Payload"]["QuestionID"] for e in questions)


def test_blocks_and_flow_place_every_question_once(qsf, inst):
    blocks = elements(qsf, "BL")[0]["Payload"]
    placed = [el["QuestionID"] for b in blocks for el in b["BlockElements"]]
    assert sorted(placed) == sorted(e["PrimaryAttribute"] for e in elements(qsf, "SQ"))
    real = [b for b in blocks if b["Type"] != "Trash"]
    assert [b["Description"] for b in real] == [b.title["nl"] for b in inst.definition.blocks]
    assert real[0]["Type"] == "Default"
    flow = elements(qsf, "FL")[0]["Payload"]
    assert [f["ID"] for f in flow["Flow"] if f["Type"] in ("Block", "Standard")] == [b["ID"] for b in real]
    assert flow["Properties"]["Count"] == len(flow["Flow"]) + 1


def test_sample_fields_are_embedded_data(qsf):
    flow = elements(qsf, "FL")[0]["Payload"]["Flow"]
    embedded = next(f for f in flow if f["Type"] == "EmbeddedData")
    assert flow.index(embedded) == 0  # set before any block is shown
    assert [e["Field"] for e in embedded["EmbeddedData"]] == ["respondentid", "organisation", "contactdate", "agentid"]


def test_every_construct_is_a_likert_matrix_with_item_tags(inst, by_tag):
    for construct in inst.constructs:
        q = by_tag[construct.key.replace("_", "")]
        assert (q["QuestionType"], q["Selector"], q["SubSelector"]) == ("Matrix", "Likert", "SingleAnswer")
        rows = q["ChoiceOrder"]
        assert [q["ChoiceDataExportTags"][r] for r in rows] == construct.item_ids
        assert [q["Choices"][r]["Display"] for r in rows] == [i.text["nl"] for i in construct.items]
        assert [q["Language"]["EN"]["Choices"][r]["Display"] for r in rows] == [i.text["en"] for i in construct.items]
        scale = inst.scale(construct.items[0].scale)
        points = list(scale.points) + ([scale.not_applicable] if scale.not_applicable else [])
        cols = q["AnswerOrder"]
        assert [q["RecodeValues"][c] for c in cols] == [str(p.code) for p in points]
        assert [q["Answers"][c]["Display"] for c in cols] == [p.label["nl"] for p in points]
        assert [q["Language"]["EN"]["Answers"][c]["Display"] for c in cols] == [p.label["en"] for p in points]
    assert "99" in by_tag["empathy"]["RecodeValues"].values()
    assert "99" not in by_tag["satisfaction"]["RecodeValues"].values()


def test_nps_is_an_nps_question_with_eleven_choices(by_tag, inst):
    q = by_tag["nps"]
    assert (q["QuestionType"], q["Selector"]) == ("MC", "NPS")
    assert len(q["Choices"]) == 11 and q["ChoiceOrder"] == [str(c) for c in range(11)]
    assert q["QuestionText"] == inst.variable("nps").text["nl"]
    assert q["Language"]["EN"]["QuestionText"] == inst.variable("nps").text["en"]


def test_nps_buttons_show_numerals_and_the_anchors_are_column_labels(by_tag, inst):
    """Every button shows its number (0 and 10 too); the scale's end labels are the anchors."""
    q = by_tag["nps"]
    points = inst.variable("nps").scale.points
    assert [c["Display"] for c in q["Choices"]] == [str(p.code) for p in points]
    assert [a["Display"] for a in q["ColumnLabels"]] == [points[0].label["nl"], points[-1].label["nl"]]
    assert "Zeer onwaarschijnlijk" not in json.dumps(q["Choices"], ensure_ascii=False)
    english = q["Language"]["EN"]
    assert "Choices" not in english
    assert [a["Display"] for a in english["ColumnLabels"]] == [points[0].label["en"], points[-1].label["en"]]


def test_the_same_version_gives_the_same_file(inst):
    """Ids and dates derive from the questionnaire (id, content version, content_date), not the clock."""
    first = qsf_text(to_qualtrics(inst, "nl,en"))
    assert qsf_text(to_qualtrics(inst, "nl,en")) == first
    entry = json.loads(first)["SurveyEntry"]
    day = inst.definition.content_date.isoformat()
    assert entry["SurveyCreationDate"] == entry["LastModified"] == f"{day} 00:00:00"


def test_another_content_version_gets_other_ids(inst):
    bumped = Instrument(inst.definition.model_copy(update={"content_version": "1.0.1"}), inst.path)
    old, new = to_qualtrics(inst, "nl")["SurveyEntry"], to_qualtrics(bumped, "nl")["SurveyEntry"]
    for key in ("SurveyID", "SurveyActiveResponseSet"):
        assert old[key] != new[key]


def test_a_questionnaire_without_content_date_is_refused(inst):
    undated = Instrument(inst.definition.model_copy(update={"content_date": None}), inst.path)
    with pytest.raises(InstrumentError, match="content_date: YYYY-MM-DD"):
        to_qualtrics(undated, "nl")


@pytest.mark.parametrize("tag, variable", [("csat", "csat"), ("ces", "ces"), ("fcr", "fcr"),
                                           ("contactreason", "contact_reason"), ("channel", "channel")])
def test_single_choice_questions_recode_to_our_codes(by_tag, inst, tag, variable):
    q = by_tag[tag]
    assert (q["QuestionType"], q["Selector"]) == ("MC", "SAVR")
    var = inst.variable(variable)
    options = var.choices or var.scale.points
    assert [q["RecodeValues"][k] for k in q["ChoiceOrder"]] == [str(o.code) for o in options]
    assert [q["Choices"][k]["Display"] for k in q["ChoiceOrder"]] == [o.label["nl"] for o in options]
    assert [q["Language"]["EN"]["Choices"][k]["Display"] for k in q["ChoiceOrder"]] == [o.label["en"] for o in options]


def test_open_question_is_multiline_text(by_tag, inst):
    assert (by_tag["why"]["QuestionType"], by_tag["why"]["Selector"]) == ("TE", "ML")
    assert by_tag["why"]["QuestionText"] == inst.variable("why").text["nl"]


def test_phone_only_batteries_have_display_logic_on_phone(by_tag, inst):
    channel = by_tag["channel"]
    phone = next(c.code for c in inst.choices("channel") if c.key == "phone")
    phone_choice = next(k for k, v in channel["RecodeValues"].items() if v == str(phone))
    for tag in ("waittime", "menu"):
        cond = by_tag[tag]["DisplayLogic"]["0"]["0"]
        assert cond["QuestionID"] == channel["QuestionID"]
        assert cond["LeftOperand"] == f"q://{channel['QuestionID']}/SelectableChoice/{phone_choice}"
        assert cond["Operator"] == "Selected"
    for tag in ("reliability", "accessibility", "satisfaction", "nps"):
        assert "DisplayLogic" not in by_tag[tag]


def test_languages_base_first_and_single_language(inst):
    en_first = to_qualtrics(inst, "en,nl")
    assert en_first["SurveyEntry"]["SurveyLanguage"] == "EN"
    q = next(e["Payload"] for e in en_first["SurveyElements"] if e["Element"] == "SQ"
             and e["Payload"]["DataExportTag"] == "empathy")
    assert q["Choices"]["1"]["Display"] == inst.item("emp1").text["en"]
    assert q["Language"]["NL"]["Choices"]["1"]["Display"] == inst.item("emp1").text["nl"]
    only_nl = to_qualtrics(inst, ["nl"])
    assert all(e["Payload"]["Language"] == [] for e in only_nl["SurveyElements"] if e["Element"] == "SQ")


def test_export_tags_round_trip_to_the_response_reader(inst, qsf, by_tag):
    """What the .qsf names a column is what the response reader maps back."""
    tags = set()
    for payload in by_tag.values():
        if payload["QuestionType"] == "Matrix":
            tags |= set(payload["ChoiceDataExportTags"].values())
        elif payload["QuestionType"] != "DB":
            tags.add(payload["DataExportTag"])
    embedded = next(f for f in elements(qsf, "FL")[0]["Payload"]["Flow"] if f["Type"] == "EmbeddedData")
    tags |= {e["Field"] for e in embedded["EmbeddedData"]}
    reader = qualtrics_columns(inst)
    assert tags == {k for k in reader if "_" not in k}  # TAG_n aliases are the only names with '_'
    qids = {e["PrimaryAttribute"] for e in elements(qsf, "SQ")}
    for import_id in qualtrics_import_ids(inst):
        assert import_id.split("_")[0] in qids | tags


def test_fixture_export_tags_exist_in_the_qsf(inst, by_tag):
    """The hand-made response fixture names its columns as a survey fielded from this .qsf would."""
    with open(FIXTURES / "qualtrics_numeric.csv", encoding="utf-8-sig", newline="") as fh:
        header_rows = csv.reader(fh)
        tags = next(header_rows)
        next(header_rows)  # question texts
        import_ids = next(header_rows)
    qid_of = {p["DataExportTag"]: p["QuestionID"] for p in by_tag.values()}
    for tag, raw in zip(tags, import_ids):
        import_id = json.loads(raw)["ImportId"]
        if tag in qualtrics_columns(inst) and import_id.startswith("QID"):
            assert import_id.split("_")[0] in qid_of.values()
            assert qualtrics_import_ids(inst)[import_id] == qualtrics_columns(inst)[tag]
