"""Every element of the exported .qsf checked against the layout Qualtrics itself writes.

Qualtrics' importer is closed; what it accepts is known only from the files it writes.
The facts below (types, id formats, required keys per element and per question type,
lengths) were read from real Qualtrics exports:

- The project's survey-format notes (``survey-formats.md``, section 'Qualtrics .qsf as
  Qualtrics itself writes it'): 21 real exports from 8 public repositories (2015-2025),
  compared key by key (elements per year, ``SO`` skin keys, NPS layout, lengths, dates).
- AI Tools for Survey, "Fixing the Qualtrics QSF Import Error ESDEF10" and "QSF
  SurveyEntry Fields" (https://www.aitoolsforsurvey.com/guides/qsf-import-error-esdef10/,
  .../guides/qsf-surveyentry-fields/): the importer checks a schema and stops at the
  first error, e.g. ``(root).SurveyEntry.SurveyBrandID: "Invalid type. Expected: string,
  given: null"``; ``SurveyBrandID`` must be a non-empty string; ``SV_``/``UR_``/``RS_``
  plus 15 alphanumerics; the 17 ``SurveyEntry`` fields and which may be null.
- fflewddur/sp, ``libsp/data_test.go`` (a 2019 export kept as test data): ``SV_``/``RS_``/
  ``BL_``/``UR_`` ids with 15 letters and digits, ``SurveyBrandID`` the brand name,
  ``SO`` with ``Skin``/``SkinLibrary``/``SkinType`` and no ``SurveyLanguage``, an NPS
  question whose eleven ``Choices`` are the numerals "0".."10", ``QuestionDescription`` and
  ``SecondaryAttribute`` cut to 97 characters plus "..." (100 in all), ``"Language": []``,
  ``"DefaultChoices": false``, a Likert matrix with ``Choices``/``Answers``/
  ``ChoiceDataExportTags``, real creation and modification dates.
- comppolicylab/pingpong, ``pingpong/scripts/qualtrics/exam_qsf_template.py`` (a 2025
  export used as a template): the ``PL`` element (``PreviewType`` "Brand", a UUID
  ``PreviewID``), ``SO`` with a templated ``Skin`` object and ``AvailableLanguages``
  ``{"EN": []}``, ``PROJ`` CORE 1.1.0.

The checks run on single- and multi-language exports, and each defect the checker
exists for is planted in a good export to show that it is caught.
"""
from __future__ import annotations

import copy
import json
import re
import uuid

import pytest

from instrument.export import qsf_text, to_qualtrics

ID_LENGTH = 15
IDS = {p: re.compile(rf"^{p}_[A-Za-z0-9]{{{ID_LENGTH}}}$") for p in ("SV", "RS", "BL", "UR")}
QID = re.compile(r"^QID[0-9]+$")
FLOW_ID = re.compile(r"^FL_([0-9]+)$")
TIMESTAMP = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$")
ZERO_DATE = "0000-00-00 00:00:00"
SUMMARY_LIMIT = 100  # QuestionDescription, SecondaryAttribute

# SurveyEntry: the same 17 keys in every real export. A value is a rule name (below).
ENTRY = {
    "SurveyID": "SV", "SurveyName": "text", "SurveyDescription": "text or null", "SurveyOwnerID": "UR",
    "SurveyBrandID": "text", "DivisionID": "text or null", "SurveyLanguage": "language",
    "SurveyActiveResponseSet": "RS", "SurveyStatus": "text", "SurveyStartDate": "timestamp",
    "SurveyExpirationDate": "timestamp", "SurveyCreationDate": "real timestamp", "CreatorID": "UR",
    "LastModified": "real timestamp", "LastAccessed": "timestamp", "LastActivated": "timestamp",
    "Deleted": "text or null",
}
RULES = {
    "text": lambda v: isinstance(v, str) and v != "",
    "text or null": lambda v: v is None or isinstance(v, str),
    "language": lambda v: isinstance(v, str) and re.fullmatch(r"[A-Z]{2}(-[A-Z]{2})?", v) is not None,
    "timestamp": lambda v: isinstance(v, str) and TIMESTAMP.match(v) is not None,
    "real timestamp": lambda v: isinstance(v, str) and TIMESTAMP.match(v) is not None and v != ZERO_DATE,
    **{p: (lambda v, rx=rx: isinstance(v, str) and rx.match(v) is not None) for p, rx in IDS.items()},
}
ELEMENT_KEYS = {"SurveyID", "Element", "PrimaryAttribute", "SecondaryAttribute", "TertiaryAttribute", "Payload"}
# Element kind -> (PrimaryAttribute, TertiaryAttribute); every kind once, SQ once per question.
# PROJ is in every export since 2019, PL (preview link) in every export since 2022.
ELEMENTS = {
    "BL": ("Survey Blocks", None), "FL": ("Survey Flow", None), "PL": ("Preview Link", None),
    "SO": ("Survey Options", None), "SCO": ("Scoring", None), "PROJ": ("CORE", "1.1.0"),
    "STAT": ("Survey Statistics", None), "QC": ("Survey Question Count", None), "RS": (None, None),
}
# Survey options present in the 2019 and the 2025 export alike; never SurveyLanguage
# (the language is SurveyEntry.SurveyLanguage).
SO_KEYS = {"BackButton", "SaveAndContinue", "SurveyProtection", "BallotBoxStuffingPrevention", "NoIndex",
           "SecureResponseFiles", "SurveyExpiration", "SurveyTermination", "Header", "Footer",
           "ProgressBarDisplay", "PartialData", "ValidationMessage", "PreviousButton", "NextButton",
           "SurveyTitle", "Skin", "SkinLibrary", "SkinType", "NewScoring", "AvailableLanguages"}
SO_FORBIDDEN = {"SurveyLanguage"}
SCO_KEYS = {"ScoringCategories", "ScoringCategoryGroups", "ScoringSummaryCategory", "ScoringSummaryAfterQuestions",
            "ScoringSummaryAfterSurvey", "DefaultScoringCategory", "AutoScoringCategory"}
# Keys of every question payload, and per (QuestionType, Selector) the further keys, the
# SubSelector (None: must be absent) and the keys a translation may carry.
QUESTION_KEYS = {"QuestionID", "QuestionText", "DataExportTag", "QuestionType", "Selector", "Configuration",
                 "QuestionDescription", "Validation", "Language", "NextChoiceId", "NextAnswerId"}
QUESTION_TYPES = {
    ("MC", "SAVR"): ({"Choices", "ChoiceOrder", "RecodeValues", "DefaultChoices"}, "TX", {"QuestionText", "Choices"}),
    ("MC", "NPS"): ({"Choices", "ChoiceOrder", "ColumnLabels", "DefaultChoices"}, None,
                    {"QuestionText", "ColumnLabels"}),
    ("Matrix", "Likert"): ({"Choices", "Answers", "ChoiceOrder", "AnswerOrder", "ChoiceDataExportTags",
                            "RecodeValues", "DefaultChoices"}, "SingleAnswer", {"QuestionText", "Choices", "Answers"}),
    ("TE", "ML"): (set(), None, {"QuestionText"}),
    ("DB", "TB"): ({"ChoiceOrder"}, None, {"QuestionText"}),
}


def summary(text: str) -> str:
    """Qualtrics' QuestionDescription of a plain text: 100 characters at most, cut to 97 + '...'."""
    text = " ".join(text.split())
    return text if len(text) <= SUMMARY_LIMIT else text[:SUMMARY_LIMIT - 3] + "..."


def layout_problems(qsf: dict, langs: list[str]) -> list[str]:
    """Every way ``qsf`` departs from the recorded layout (empty when it matches)."""
    problems: list[str] = []
    entry = qsf.get("SurveyEntry", {})
    if set(qsf) != {"SurveyEntry", "SurveyElements"}:
        problems.append(f"top level keys {sorted(qsf)}")
    if set(entry) != set(ENTRY):
        problems.append(f"SurveyEntry keys differ: {sorted(set(entry) ^ set(ENTRY))}")
    for key, rule in ENTRY.items():
        if key in entry and not RULES[rule](entry[key]):
            problems.append(f"SurveyEntry.{key} = {entry[key]!r} is not {rule}")
    if entry.get("SurveyLanguage") != langs[0].upper():
        problems.append(f"SurveyEntry.SurveyLanguage {entry.get('SurveyLanguage')!r}, base language {langs[0]}")

    elements = qsf.get("SurveyElements", [])
    kinds = [e.get("Element") for e in elements]
    for kind in ELEMENTS:
        if kinds.count(kind) != 1:
            problems.append(f"{kinds.count(kind)} {kind} elements, expected 1")
    if set(kinds) - set(ELEMENTS) - {"SQ"}:
        problems.append(f"unrecorded element kinds {sorted(set(kinds) - set(ELEMENTS) - {'SQ'})}")
    questions = {e["PrimaryAttribute"]: e for e in elements if e.get("Element") == "SQ"}
    for e in elements:
        kind = e.get("Element")
        if set(e) != ELEMENT_KEYS:
            problems.append(f"{kind}: element keys differ: {sorted(set(e) ^ ELEMENT_KEYS)}")
            continue
        if e["SurveyID"] != entry.get("SurveyID"):
            problems.append(f"{kind}: SurveyID {e['SurveyID']!r} is not the survey's")
        if kind in ELEMENTS:
            primary, tertiary = ELEMENTS[kind]
            if primary is not None and e["PrimaryAttribute"] != primary:
                problems.append(f"{kind}: PrimaryAttribute {e['PrimaryAttribute']!r}, expected {primary!r}")
            if e["TertiaryAttribute"] != tertiary:
                problems.append(f"{kind}: TertiaryAttribute {e['TertiaryAttribute']!r}, expected {tertiary!r}")
    by_kind = {e.get("Element"): e for e in elements if e.get("Element") != "SQ"}
    if problems:  # the element checks below assume the envelope is right
        return problems

    problems += _blocks_and_flow(by_kind["BL"]["Payload"], by_kind["FL"]["Payload"], set(questions))
    problems += _options(by_kind["SO"]["Payload"], langs)
    pl = by_kind["PL"]
    if pl["SecondaryAttribute"] is not None or set(pl["Payload"]) != {"PreviewType", "PreviewID"} \
            or pl["Payload"]["PreviewType"] != "Brand" or not _is_uuid(pl["Payload"]["PreviewID"]):
        problems.append(f"PL: {pl['SecondaryAttribute']!r}, {pl['Payload']!r}")
    if by_kind["PROJ"]["Payload"] != {"ProjectCategory": "CORE", "SchemaVersion": "1.1.0"}:
        problems.append(f"PROJ payload {by_kind['PROJ']['Payload']!r}")
    stat = by_kind["STAT"]["Payload"]
    if set(stat) != {"MobileCompatible", "ID"} or not isinstance(stat["MobileCompatible"], bool):
        problems.append(f"STAT payload {stat!r}")
    if set(by_kind["SCO"]["Payload"]) != SCO_KEYS:
        problems.append(f"SCO payload keys {sorted(by_kind['SCO']['Payload'])}")
    qc = by_kind["QC"]
    if qc["SecondaryAttribute"] != str(len(questions)) or qc["Payload"] is not None:
        problems.append(f"QC: count {qc['SecondaryAttribute']!r} for {len(questions)} questions")
    rs = by_kind["RS"]
    if rs["PrimaryAttribute"] != entry["SurveyActiveResponseSet"] or rs["Payload"] is not None \
            or rs["SecondaryAttribute"] not in ("Default Response Set", None):
        problems.append(f"RS: {rs['PrimaryAttribute']!r} / {rs['SecondaryAttribute']!r}")
    tags = [e["Payload"].get("DataExportTag") for e in questions.values()]
    if len(set(tags)) != len(tags):
        problems.append("DataExportTag repeated")
    for qid, e in questions.items():
        problems += [f"SQ {qid}: {p}" for p in _question(e, langs)]
    return problems


def _is_uuid(text: object) -> bool:
    try:
        return isinstance(text, str) and str(uuid.UUID(text)) == text
    except ValueError:
        return False


def _blocks_and_flow(blocks: list, flow: dict, qids: set[str]) -> list[str]:
    problems = []
    if not isinstance(blocks, list):
        return [f"BL payload is a {type(blocks).__name__}"]
    types = [b.get("Type") for b in blocks]
    if types.count("Default") != 1 or types.count("Trash") != 1 or set(types) - {"Default", "Standard", "Trash"}:
        problems.append(f"BL block types {types}")
    ids = [b.get("ID") for b in blocks]
    if len(set(ids)) != len(ids) or not all(RULES["BL"](i) for i in ids):
        problems.append(f"BL ids {ids}")
    placed = []
    for b in blocks:
        if not isinstance(b.get("Description"), str):
            problems.append(f"BL {b.get('ID')}: Description {b.get('Description')!r}")
        for el in b.get("BlockElements", [None]):
            if not isinstance(el, dict) or el.get("Type") != "Question" or not QID.match(str(el.get("QuestionID"))):
                problems.append(f"BL {b.get('ID')}: block element {el!r}")
            else:
                placed.append(el["QuestionID"])
    if sorted(placed) != sorted(qids):
        problems.append("BL: the blocks do not hold every question exactly once")
    if (flow.get("Type"), flow.get("FlowID")) != ("Root", "FL_1") or not isinstance(flow.get("Flow"), list):
        return problems + [f"FL root {flow.get('Type')!r} {flow.get('FlowID')!r}"]
    numbers = [int(FLOW_ID.match(str(f.get("FlowID"))).group(1)) if FLOW_ID.match(str(f.get("FlowID"))) else None
               for f in flow["Flow"]]
    if None in numbers or len(set(numbers)) != len(numbers) or 1 in numbers:
        problems.append(f"FL flow ids {[f.get('FlowID') for f in flow['Flow']]}")
    elif flow.get("Properties", {}).get("Count", 0) < max(numbers, default=1):
        problems.append(f"FL Properties.Count {flow.get('Properties')} below the highest flow id")
    shown = [f.get("ID") for f in flow["Flow"] if f.get("Type") in ("Block", "Standard")]
    if sorted(shown) != sorted(b["ID"] for b in blocks if b.get("Type") != "Trash"):
        problems.append("FL: the flow does not show every block once")
    return problems


def _options(so: dict, langs: list[str]) -> list[str]:
    problems = []
    if SO_KEYS - set(so):
        problems.append(f"SO lacks {sorted(SO_KEYS - set(so))}")
    if SO_FORBIDDEN & set(so):
        problems.append(f"SO has {sorted(SO_FORBIDDEN & set(so))}")
    if not (isinstance(so.get("SkinLibrary"), str) and so["SkinLibrary"] and isinstance(so.get("SkinType"), str)):
        problems.append(f"SO SkinLibrary {so.get('SkinLibrary')!r} / SkinType {so.get('SkinType')!r}")
    skin = so.get("Skin")
    if not (isinstance(skin, str) and skin or isinstance(skin, dict)
            and set(skin) == {"brandingId", "templateId", "overrides"}):
        problems.append(f"SO Skin {skin!r}")
    if so.get("AvailableLanguages") != {lang.upper(): [] for lang in langs}:
        problems.append(f"SO AvailableLanguages {so.get('AvailableLanguages')!r}")
    return problems


def _question(e: dict, langs: list[str]) -> list[str]:
    q, problems = e["Payload"], []
    missing = QUESTION_KEYS - set(q)
    if missing:
        return [f"lacks {sorted(missing)}"]
    kind = (q["QuestionType"], q["Selector"])
    if kind not in QUESTION_TYPES:
        return [f"{kind} is not a question type this layout records"]
    keys, sub, translatable = QUESTION_TYPES[kind]
    if keys - set(q):
        problems.append(f"{kind} lacks {sorted(keys - set(q))}")
    if q.get("SubSelector") != sub:
        problems.append(f"SubSelector {q.get('SubSelector')!r}, expected {sub!r}")
    if q["QuestionID"] != e["PrimaryAttribute"] or not QID.match(q["QuestionID"]):
        problems.append(f"QuestionID {q['QuestionID']!r}")
    if "DefaultChoices" in q and q["DefaultChoices"] is not False:
        problems.append(f"DefaultChoices {q['DefaultChoices']!r}")
    if not isinstance(q["QuestionText"], str) or not q["QuestionText"]:
        problems.append("QuestionText empty")
    if q["QuestionDescription"] != summary(q["QuestionText"]) or len(q["QuestionDescription"]) > SUMMARY_LIMIT:
        problems.append(f"QuestionDescription is not the text cut to {SUMMARY_LIMIT} ({len(q['QuestionDescription'])})")
    if e["SecondaryAttribute"] != q["QuestionDescription"]:
        problems.append("SecondaryAttribute is not the QuestionDescription")
    if not isinstance(q["Configuration"], dict) or "QuestionDescriptionOption" not in q["Configuration"]:
        problems.append(f"Configuration {q['Configuration']!r}")
    if not isinstance(q["Validation"], dict) or "Settings" not in q["Validation"]:
        problems.append(f"Validation {q['Validation']!r}")
    if not isinstance(q["NextChoiceId"], int) or not isinstance(q["NextAnswerId"], int):
        problems.append("NextChoiceId / NextAnswerId not integers")
    problems += _choices(q, kind)
    problems += _translations(q, langs, translatable)
    return problems


def _keyed(options: object) -> bool:
    """Choices/Answers keyed "1", "2", ... each with a Display text."""
    return isinstance(options, dict) and all(k.isdigit() and isinstance(v, dict) and isinstance(v.get("Display"), str)
                                             for k, v in options.items())


def _choices(q: dict, kind: tuple[str, str]) -> list[str]:
    problems = []
    if kind == ("MC", "NPS"):
        if q["Choices"] != [{"Display": str(n)} for n in range(11)]:
            problems.append(f"NPS buttons {[c.get('Display') for c in q['Choices']]}, expected the numerals 0..10")
        if q["ChoiceOrder"] != [str(n) for n in range(11)] or q["NextChoiceId"] != 11:
            problems.append("NPS ChoiceOrder / NextChoiceId")
        labels = q["ColumnLabels"]
        if not (isinstance(labels, list) and len(labels) == 2
                and all(isinstance(a.get("Display"), str) for a in labels)):
            problems.append(f"NPS ColumnLabels {labels!r}")
    elif kind in (("MC", "SAVR"), ("Matrix", "Likert")):
        if not _keyed(q["Choices"]) or q["ChoiceOrder"] != list(q["Choices"]):
            problems.append("Choices not keyed '1', '2', ... in ChoiceOrder")
        elif q["NextChoiceId"] != max(map(int, q["Choices"])) + 1:
            problems.append(f"NextChoiceId {q['NextChoiceId']}")
        recoded = q["Answers"] if kind[0] == "Matrix" else q["Choices"]
        if not isinstance(q["RecodeValues"], dict) or set(q["RecodeValues"]) - set(recoded) \
                or not all(isinstance(v, str) for v in q["RecodeValues"].values()):
            problems.append(f"RecodeValues {q['RecodeValues']!r}")
    if kind == ("Matrix", "Likert"):
        if not _keyed(q["Answers"]) or q["AnswerOrder"] != list(q["Answers"]):
            problems.append("Answers not keyed '1', '2', ... in AnswerOrder")
        elif q["NextAnswerId"] != max(map(int, q["Answers"])) + 1:
            problems.append(f"NextAnswerId {q['NextAnswerId']}")
        tags = q["ChoiceDataExportTags"]
        if tags is not False and not (isinstance(tags, dict) and set(tags) <= set(q["Choices"])
                                      and all(isinstance(t, str) for t in tags.values())):
            problems.append(f"ChoiceDataExportTags {tags!r}")
    if kind == ("TE", "ML") and "Choices" in q:
        problems.append("text entry with Choices")
    if kind == ("DB", "TB") and q["ChoiceOrder"] != []:
        problems.append("descriptive text with a ChoiceOrder")
    return problems


def _translations(q: dict, langs: list[str], translatable: set[str]) -> list[str]:
    language = q["Language"]
    if len(langs) == 1:
        return [] if language == [] else [f"Language {language!r} in a one-language survey, expected []"]
    if not isinstance(language, dict) or set(language) != {lang.upper() for lang in langs[1:]}:
        return [f"Language keys {sorted(language) if isinstance(language, dict) else language!r}"]
    problems = []
    for code, tr in language.items():
        if not isinstance(tr, dict) or "QuestionText" not in tr or set(tr) - translatable:
            problems.append(f"Language.{code} keys {sorted(tr) if isinstance(tr, dict) else tr!r}")
            continue
        for key in ("Choices", "Answers"):
            if key in tr and (not _keyed(tr[key]) or set(tr[key]) != set(q[key])):
                problems.append(f"Language.{code}.{key} not keyed as the base {key}")
        if "ColumnLabels" in tr and len(tr["ColumnLabels"]) != len(q["ColumnLabels"]):
            problems.append(f"Language.{code}.ColumnLabels")
    return problems


LANGUAGE_SETS = ["nl", "en", "nl,en", "en,nl"]


@pytest.fixture(scope="module", params=LANGUAGE_SETS)
def export(request, inst):
    langs = request.param.split(",")
    return json.loads(qsf_text(to_qualtrics(inst, langs))), langs  # what the .qsf file holds


def test_every_element_matches_the_recorded_layout(export):
    qsf, langs = export
    assert layout_problems(qsf, langs) == []


def test_ids_are_stable_and_distinct_between_kinds(inst):
    entry = to_qualtrics(inst, "nl,en")["SurveyEntry"]
    assert to_qualtrics(inst, "en")["SurveyEntry"]["SurveyID"] == entry["SurveyID"]  # one survey, any languages
    assert len({entry["SurveyID"][3:], entry["SurveyActiveResponseSet"][3:], entry["SurveyOwnerID"][3:]}) == 3


def _sq(qsf: dict, tag: str) -> dict:
    return next(e for e in qsf["SurveyElements"] if e["Element"] == "SQ" and e["Payload"]["DataExportTag"] == tag)


def _element(qsf: dict, kind: str) -> dict:
    return next(e for e in qsf["SurveyElements"] if e["Element"] == kind)


def _long_description(qsf):
    q = next(e for e in qsf["SurveyElements"] if e["Element"] == "SQ" and len(e["Payload"]["QuestionText"]) > 100)
    q["Payload"]["QuestionDescription"] = q["SecondaryAttribute"] = q["Payload"]["QuestionText"]


# The defects of the first .qsf export (issue 19), each planted in a good export.
DEFECTS = {
    "null brand": lambda qsf: qsf["SurveyEntry"].update(SurveyBrandID=None),
    "null owner": lambda qsf: qsf["SurveyEntry"].update(SurveyOwnerID=None, CreatorID=None),
    "14-character survey id": lambda qsf: qsf["SurveyEntry"].update(SurveyID="SV_cccqua801c9135"),
    "short response set id": lambda qsf: qsf["SurveyEntry"].update(SurveyActiveResponseSet="RS_ccc1234"),
    "no skin": lambda qsf: [_element(qsf, "SO")["Payload"].pop(k) for k in ("Skin", "SkinLibrary", "SkinType")],
    "SurveyLanguage in SO": lambda qsf: _element(qsf, "SO")["Payload"].update(SurveyLanguage="NL"),
    "anchor on an NPS button": lambda qsf: _sq(qsf, "nps")["Payload"]["Choices"][0].update(
        Display="Zeer onwaarschijnlijk"),
    "NPS choices translated": lambda qsf: _sq(qsf, "nps")["Payload"]["Language"]["EN"].update(
        Choices=[{"Display": str(n)} for n in range(11)]),
    "no DefaultChoices false": lambda qsf: _sq(qsf, "csat")["Payload"].pop("DefaultChoices"),
    "zero creation date": lambda qsf: qsf["SurveyEntry"].update(SurveyCreationDate=ZERO_DATE),
    "description over 100 characters": _long_description,
    "Language {} untranslated": None,  # planted in a one-language export below
    "no PL": lambda qsf: qsf["SurveyElements"].remove(_element(qsf, "PL")),
    "short block id": lambda qsf: _element(qsf, "BL")["Payload"][0].update(ID="BL_ccc000000001"),
}


@pytest.mark.parametrize("defect", sorted(DEFECTS))
def test_the_checker_catches_each_defect(inst, defect):
    """The layout check is not vacuous: every defect it was written for makes it fail."""
    langs = ["nl"] if DEFECTS[defect] is None else ["nl", "en"]
    qsf = copy.deepcopy(json.loads(qsf_text(to_qualtrics(inst, langs))))
    if DEFECTS[defect] is None:
        _sq(qsf, "csat")["Payload"]["Language"] = {}
    else:
        DEFECTS[defect](qsf)
    assert layout_problems(qsf, langs) != []
