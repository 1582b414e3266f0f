"""The LimeSurvey .lss export, parsed back and checked against the questionnaire definition."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from instrument.errors import InstrumentError
from instrument.export import to_limesurvey
from instrument.export.limesurvey import DB_VERSION
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


# --- LimeSurvey's own column types ------------------------------------------------------------------------
# The importer passes every element of a row to the database as a string, so a value the column cannot hold
# stops the import on PostgreSQL (and MariaDB in strict mode) and leaves a half-imported survey behind.

SCHEMA = yaml.safe_load((Path(__file__).parent / "fixtures" / "limesurvey_schema_6x.yaml").read_text(encoding="utf-8"))
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")


def value_problem(column: dict, value: str) -> str | None:
    """Why ``value`` (the element's text) cannot go into ``column``, or None if it can."""
    kind = column["type"]
    limits = SCHEMA["types"].get(kind)
    if limits is None:
        return f"unknown column type {kind}"
    if kind == "integer":
        if not re.fullmatch(r"-?[0-9]+", value):
            return f"{value!r} is not an integer"
        if not limits["min"] <= int(value) <= limits["max"]:
            return f"{value} is out of the integer range"
    elif kind == "string" and len(value) > column["length"]:
        return f"{len(value)} characters, the column holds {column['length']}"
    elif kind in ("text", "mediumtext") and len(value.encode("utf-8")) > limits["max_bytes"]:
        return f"{len(value.encode('utf-8'))} bytes, MySQL's {kind} holds {limits['max_bytes']}"
    elif kind == "datetime" and not _DATETIME.fullmatch(value):
        return f"{value!r} is not a date and time"
    return None


def schema_problems(tree: ET.Element) -> list[str]:
    """Every disagreement between the .lss tables and LimeSurvey 6.x's columns, one line each."""
    problems = []
    for node in (child for child in tree if child.find("rows") is not None):
        table = SCHEMA["lss_tables"].get(node.tag, node.tag)
        columns = SCHEMA["tables"].get(table)
        if columns is None:
            problems.append(f"{node.tag}: LimeSurvey has no table {table}")
            continue
        fields = [f.text for f in node.findall("fields/fieldname")]
        problems += [f"{node.tag}: field {f} is not a column of {table}" for f in fields if f not in columns]
        required = {name for name, c in columns.items() if not c["nullable"] and "default" not in c}
        required -= set(SCHEMA["set_by_importer"].get(table, []))
        for n, row in enumerate(node.findall("rows/row"), start=1):
            where = f"{node.tag} row {n}"
            given = set()
            for element in row:
                given.add(element.tag)
                if element.tag not in columns:
                    problems.append(f"{where}: {element.tag} is not a column of {table}")
                    continue
                if element.tag not in fields:
                    problems.append(f"{where}: {element.tag} is not declared in <fields>")
                problem = value_problem(columns[element.tag], element.text or "")
                if problem:
                    problems.append(f"{where}: {element.tag} ({columns[element.tag]['spec']}): {problem}")
            problems += [f"{where}: {name} ({columns[name]['spec']}) is missing" for name in sorted(required - given)]
    return problems


@pytest.mark.parametrize("languages", ["nl,en", "en,nl", "nl", "en"])
def test_every_element_fits_limesurvey_columns(inst, languages):
    tree = ET.fromstring(to_limesurvey(inst, languages))
    written = {SCHEMA["lss_tables"].get(c.tag, c.tag) for c in tree if c.find("rows") is not None}
    assert written == set(SCHEMA["tables"])  # every table the file writes is checked, and the schema has no extra
    assert schema_problems(tree) == []


def test_null_target_subquestion_is_left_out(lss):
    """LimeSurvey's exporter leaves a NULL column out; ``<targetsqid/>`` is '' for an integer column."""
    params = lss.findall("survey_url_parameters/rows/row")
    assert len(params) == 4
    for row in params:
        assert row.find("targetsqid") is None
        assert re.fullmatch(r"[0-9]+", row.findtext("targetqid"))


@pytest.mark.parametrize("edit, expected", [
    (lambda x: x.replace("</targetqid>", "</targetqid><targetsqid/>", 1),
     "survey_url_parameters row 1: targetsqid (integer NULL): '' is not an integer"),
    (lambda x: x.replace("<sortorder><![CDATA[1]]>", "<sortorder><![CDATA[one]]>", 1),
     "answers row 1: sortorder (integer NOT NULL): 'one' is not an integer"),
    (lambda x: re.sub(r"<code><!\[CDATA\[[^]]*\]\]>", "<code><![CDATA[123456]]>", x, count=1),
     "answers row 1: code (string(5) NOT NULL): 6 characters, the column holds 5"),
    (lambda x: re.sub(r"<question_order><!\[CDATA\[[0-9]+\]\]></question_order>", "", x, count=1),
     "questions row 1: question_order (integer NOT NULL) is missing"),
    (lambda x: x.replace("<grelevance>", "<grouprelevance>", 1).replace("</grelevance>", "</grouprelevance>", 1),
     "groups row 1: grouprelevance is not a column of groups"),
    (lambda x: x.replace("<groups>", "<groupz>").replace("</groups>", "</groupz>"),
     "groupz: LimeSurvey has no table groupz"),
    (lambda x: x.replace("<sid><![CDATA[", "<sid><![CDATA[99999999999", 1),
     "out of the integer range"),
])
def test_schema_check_finds_what_limesurvey_refuses(inst, edit, expected):
    """The check above is not vacuous: the import failures it stands for are reported."""
    problems = schema_problems(ET.fromstring(edit(to_limesurvey(inst, "nl,en"))))
    assert any(expected in p for p in problems), problems


def test_dbversion_is_the_targeted_6x_release(lss):
    target = SCHEMA["target"]
    declared = int(lss.findtext("DBVersion"))
    assert declared == DB_VERSION == target["declared_dbversion"] == SCHEMA["source"]["dbversion"]
    assert target["dbversion_min"] <= declared <= target["dbversion_max"]
    assert SCHEMA["source"]["limesurvey_version"].startswith(target["series"].rstrip("x"))


def test_title_longer_than_limesurvey_holds_is_an_instrument_error(tmp_path):
    def edit(raw):
        raw["title"]["en"] = "Service " * 30

    with pytest.raises(InstrumentError, match=r"title \(en\) is 240 characters, LimeSurvey allows at most 200"):
        to_limesurvey(edited_instrument(tmp_path, edit), "nl,en")
