"""The LimeSurvey .lss export, parsed back and checked against the questionnaire definition."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from instrument.errors import InstrumentError
from instrument.export import to_limesurvey
from instrument.naming import limesurvey_columns
from instrument.schema import CODE_PATTERN

TABLES = ["groups", "group_l10ns", "questions", "subquestions", "question_l10ns", "answers", "answer_l10ns",
          "question_attributes", "surveys", "surveys_languagesettings"]


def rows(tree: ET.Element, table: str) -> list[dict[str, str]]:
    node = tree.find(table)
    assert node is not None, f"table {table} missing"
    fields = [f.text for f in node.findall("fields/fieldname")]
    out = []
    for row in node.findall("rows/row"):
        values = {child.tag: child.text or "" for child in row}
        assert set(values) <= set(fields), f"{table}: row has fields not declared in <fields>"
        out.append(values)
    return out


@pytest.fixture(scope="module")
def lss(inst):
    return ET.fromstring(to_limesurvey(inst, "nl,en"))


@pytest.fixture(scope="module")
def questions(lss):
    return {q["title"]: q for q in rows(lss, "questions")}


def texts(lss, qid: str) -> dict[str, str]:
    return {r["language"]: r["question"] for r in rows(lss, "question_l10ns") if r["qid"] == qid}


def answers(lss, qid: str) -> dict[str, dict[str, str]]:
    """answer code -> {language: label} of a question."""
    labels = {}
    for a in rows(lss, "answers"):
        if a["qid"] == qid:
            labels[a["code"]] = {r["language"]: r["answer"] for r in rows(lss, "answer_l10ns") if r["aid"] == a["aid"]}
    return labels


def test_document_header_and_tables(lss):
    assert lss.tag == "document"
    assert lss.findtext("LimeSurveyDocType") == "Survey"
    assert 600 <= int(lss.findtext("DBVersion")) < 800
    assert [n.text for n in lss.findall("languages/language")] == ["nl", "en"]
    for table in TABLES:
        assert rows(lss, table), f"{table} is empty"


def test_survey_settings_carry_both_languages_base_first(lss, inst):
    survey = rows(lss, "surveys")
    assert len(survey) == 1
    assert survey[0]["language"] == "nl" and survey[0]["additional_languages"] == "en"
    assert survey[0]["savetimings"] == "Y"  # interviewtime -> duration_sec
    settings = {r["surveyls_language"]: r for r in rows(lss, "surveys_languagesettings")}
    assert set(settings) == {"nl", "en"}
    for lang in ("nl", "en"):
        assert settings[lang]["surveyls_title"] == inst.title[lang]
        assert settings[lang]["surveyls_welcometext"] == inst.definition.introduction[lang]


def test_one_group_per_block_in_order(lss, inst):
    groups = rows(lss, "groups")
    assert [int(g["group_order"]) for g in groups] == list(range(1, len(inst.definition.blocks) + 1))
    names = {(r["gid"], r["language"]): r["group_name"] for r in rows(lss, "group_l10ns")}
    for g, block in zip(groups, inst.definition.blocks):
        assert names[(g["gid"], "nl")] == block.title["nl"]
        assert names[(g["gid"], "en")] == block.title["en"]


def test_every_construct_is_an_array_with_every_item(lss, inst, questions):
    subquestions = rows(lss, "subquestions")
    for construct in inst.constructs:
        q = questions[construct.key.replace("_", "")]
        assert q["type"] == "F" and q["question_theme_name"] == "arrays/array"
        subs = sorted((s for s in subquestions if s["parent_qid"] == q["qid"]), key=lambda s: int(s["question_order"]))
        assert [s["title"] for s in subs] == construct.item_ids
        for sub, item in zip(subs, construct.items):
            assert sub["gid"] == q["gid"]
            assert texts(lss, sub["qid"]) == {"nl": item.text["nl"], "en": item.text["en"]}


def test_battery_answers_are_the_scale_codes_with_declared_na(lss, inst, questions):
    for construct in inst.constructs:
        scale = inst.scale(construct.items[0].scale)
        got = answers(lss, questions[construct.key.replace("_", "")]["qid"])
        expected = {str(p.code): dict(p.label) for p in scale.points}
        if scale.not_applicable is not None:
            expected[str(scale.not_applicable.code)] = dict(scale.not_applicable.label)
        assert got == expected, construct.key
    assert "99" in answers(lss, questions["reliability"]["qid"])
    assert "99" not in answers(lss, questions["satisfaction"]["qid"])  # agree7_no_na has no N/A


@pytest.mark.parametrize("code, qtype, codes", [
    ("nps", "L", [str(c) for c in range(11)]),
    ("csat", "L", ["1", "2", "3", "4", "5"]),
    ("ces", "L", [str(c) for c in range(1, 8)]),
    ("fcr", "L", ["1", "2", "3"]),
    ("contactreason", "L", [str(c) for c in range(1, 8)]),
    ("channel", "L", ["1", "2", "3", "4", "5"]),
    ("why", "T", []),
])
def test_single_questions(lss, inst, questions, code, qtype, codes):
    q = questions[code]
    assert q["type"] == qtype
    got = answers(lss, q["qid"])
    assert sorted(got, key=int) == codes
    var = next(v for v in inst.variables if v.code == code)
    assert texts(lss, q["qid"]) == var.text
    for c, labels in got.items():
        options = var.choices or var.scale.points
        assert labels == next(dict(o.label) for o in options if str(o.code) == c)


def test_codes_are_valid_unique_and_short(lss):
    titles = [q["title"] for q in rows(lss, "questions")]
    assert len(titles) == len({t.lower() for t in titles})
    for t in titles + [s["title"] for s in rows(lss, "subquestions")]:
        assert CODE_PATTERN.match(t) and len(t) <= 20, t
    for a in rows(lss, "answers"):
        assert len(a["code"]) <= 5


def test_phone_only_batteries_have_relevance_on_channel(lss, inst, questions):
    phone = next(c.code for c in inst.choices("channel") if c.key == "phone")
    for code in ("waittime", "menu"):
        assert questions[code]["relevance"] == f'channel.NAOK == "{phone}"'
    for code in ("reliability", "empathy", "accessibility", "satisfaction", "nps"):
        assert questions[code]["relevance"] == "1"


def test_sample_fields_are_hidden_questions_prefilled_from_the_url(lss, questions):
    attrs = rows(lss, "question_attributes")
    params = {p["parameter"]: p["targetqid"] for p in rows(lss, "survey_url_parameters")}
    for code in ("respondentid", "organisation", "contactdate", "agentid"):
        q = questions[code]
        assert q["type"] == "S"
        assert {"qid": q["qid"], "attribute": "hidden", "value": "1", "language": ""} in attrs
        assert params[code] == q["qid"]


def test_ids_are_consistent(lss):
    qids = {q["qid"] for q in rows(lss, "questions")} | {s["qid"] for s in rows(lss, "subquestions")}
    gids = {g["gid"] for g in rows(lss, "groups")}
    assert all(q["gid"] in gids for q in rows(lss, "questions"))
    assert {r["qid"] for r in rows(lss, "question_l10ns")} == qids
    assert all(len(texts(lss, q)) == 2 for q in qids)
    aids = {a["aid"] for a in rows(lss, "answers")}
    assert {r["aid"] for r in rows(lss, "answer_l10ns")} == aids


def test_single_language_and_base_language_order(inst):
    only_en = ET.fromstring(to_limesurvey(inst, ["en"]))
    assert [n.text for n in only_en.findall("languages/language")] == ["en"]
    assert rows(only_en, "surveys")[0]["additional_languages"] == ""
    assert {r["language"] for r in rows(only_en, "question_l10ns")} == {"en"}
    en_first = ET.fromstring(to_limesurvey(inst, "en,nl"))
    assert rows(en_first, "surveys")[0]["language"] == "en"
    assert rows(en_first, "surveys")[0]["additional_languages"] == "nl"


def edited_instrument(tmp_path, edit):
    """The shipped questionnaire with ``edit(raw_yaml_dict)`` applied, loaded from a copy."""
    import yaml

    from instrument import load_instrument
    from instrument.definition import DEFAULT_PATH

    raw = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    edit(raw)
    path = tmp_path / "q.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return load_instrument(path)


def test_markup_characters_survive_in_cdata(tmp_path):
    tricky = 'Ik kreeg <b>"advies"</b> & een ]]> antwoord'

    def edit(raw):
        raw["constructs"][0]["items"][0]["text"]["nl"] = tricky

    tree = ET.fromstring(to_limesurvey(edited_instrument(tmp_path, edit), "nl"))
    assert tricky in [r["question"] for r in rows(tree, "question_l10ns")]


def test_bad_language_is_a_value_error(inst):
    with pytest.raises(ValueError, match="'fr' is not one of nl, en"):
        to_limesurvey(inst, "nl,fr")


def test_response_columns_are_derived_from_the_same_codes(lss, inst):
    """What the .lss names a question is what the response reader maps back."""
    qs = rows(lss, "questions")
    by_qid = {q["qid"]: q["title"] for q in qs}
    parents = {s["parent_qid"] for s in rows(lss, "subquestions")}
    expected = {q["title"] for q in qs if q["qid"] not in parents}
    expected |= {f"{by_qid[s['parent_qid']]}[{s['title']}]" for s in rows(lss, "subquestions")}
    # the reader also accepts 'QCODE_SQCODE' (Expression Manager spelling); codes themselves have no '_'
    assert {k for k in limesurvey_columns(inst) if "_" not in k} == expected


def test_too_long_code_is_an_instrument_error(tmp_path):
    def edit(raw):
        raw["constructs"][0]["key"] = "reliability_of_the_service_x"
        for block in raw["blocks"]:
            block["contents"] = ["reliability_of_the_service_x" if c == "reliability" else c for c in block["contents"]]

    with pytest.raises(InstrumentError, match="at most 20 characters"):
        to_limesurvey(edited_instrument(tmp_path, edit), "nl")
