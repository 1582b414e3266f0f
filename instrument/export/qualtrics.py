"""The questionnaire as a Qualtrics survey file (``.qsf``, JSON).

The structure follows what Qualtrics itself exports: ``SurveyEntry`` plus
``SurveyElements`` with the blocks (``BL``), the flow (``FL``, which declares the sample
fields as embedded data), the preview link (``PL``), survey options (``SO``), scoring
(``SCO``), project (``PROJ``), statistics (``STAT``), the question count (``QC``), the
response set (``RS``) and one ``SQ`` element per question. Batteries are Likert matrices whose rows carry the item ids
as ``ChoiceDataExportTags`` and whose columns carry our codes (99 for not applicable) as
``RecodeValues``; phone-only batteries get display logic on the channel question.
Translations go into each question's ``Language`` payload, keyed by the upper-case
language code, after the base language (the first one asked for).

>>> from instrument import load_instrument
>>> qsf = to_qualtrics(load_instrument(), ["nl", "en"])
>>> qsf["SurveyEntry"]["SurveyLanguage"]
'NL'
"""
from __future__ import annotations

import hashlib
import json
import string
import uuid
from collections.abc import Sequence
from typing import Any

from instrument.definition import Instrument
from instrument.errors import InstrumentError
from instrument.naming import (
    PlatformQuestion,
    answer_options,
    battery_prompt,
    channel_codes,
    channel_question,
    default_languages,
    parse_languages,
    platform_questions,
    qualtrics_qids,
)

_VALIDATION = {"Settings": {"ForceResponse": "OFF", "ForceResponseType": "ON", "Type": "None"}}


# What Qualtrics' own exports hold (21 real exports, 2015-2025; see
# tests/test_export_qualtrics_layout.py for the sources): ids are a prefix plus exactly
# 15 letters and digits, the owner and creator are user ids (UR_...), the brand is a
# string, and text summaries (QuestionDescription, SecondaryAttribute) are at most 100
# characters, cut to 97 plus "...".
ID_LENGTH = 15
SUMMARY_LIMIT = 100
_ALPHABET = string.digits + string.ascii_letters
# No account exported this file, so there is no real brand or user: these name the
# toolkit. Every real export has strings here, and an import with null stops at
# Qualtrics' schema check (error ESDEF10 names SurveyBrandID: "Expected: string, given:
# null"; an empty string is refused too). According to a third-party guide
# (aitoolsforsurvey.com/guides/qsf-surveyentry-fields/) the importing account's brand and
# user replace them.
BRAND = "servicedrivers"
# The survey look: the brand's default template, as in exports of templated surveys.
_SKIN = {"SkinLibrary": BRAND, "SkinType": "templated",
         "Skin": {"brandingId": None, "templateId": "*base", "overrides": None}}
_ZERO_DATE = "0000-00-00 00:00:00"


def qualtrics_id(inst: Instrument, prefix: str, *parts: object) -> str:
    """A Qualtrics id (``SV_``, ``RS_``, ``BL_``, ``UR_``) with exactly 15 letters and digits.

    The 15 characters are a base-62 rendering of a SHA-256 hash of the questionnaire id,
    its content version and ``parts``, so the same questionnaire gives the same ids (and
    the same file) on every run, and different versions give different survey ids.
    """
    key = ":".join(str(p) for p in (inst.definition.id, inst.content_version, prefix, *parts))
    number = int.from_bytes(hashlib.sha256(key.encode()).digest(), "big")
    chars = []
    for _ in range(ID_LENGTH):
        number, digit = divmod(number, len(_ALPHABET))
        chars.append(_ALPHABET[digit])
    return f"{prefix}_{''.join(chars)}"


def _timestamp(inst: Instrument) -> str:
    """Creation and modification time: midnight of the questionnaire's ``content_date``.

    A date from the definition rather than today's clock keeps the file reproducible.
    """
    day = inst.definition.content_date
    if day is None:
        raise InstrumentError(f"{inst.path}: no content_date; a Qualtrics survey needs a creation date, so add "
                              "'content_date: YYYY-MM-DD' (the day this content version was fixed) to the file")
    return f"{day.isoformat()} 00:00:00"


def _short(text: str, limit: int = SUMMARY_LIMIT) -> str:
    """Qualtrics' summary of a text: whitespace collapsed, at most ``limit`` characters, cut with "..."."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


def display_logic(inst: Instrument, qids: dict[str, str], channels: Sequence[str]) -> dict[str, Any]:
    """Qualtrics display logic: show when the channel question has one of ``channels`` selected."""
    chq = channel_question(inst)
    var = inst.variable(chq.variable_ids[0])
    choice_ids = {c.code: str(n) for n, c in enumerate(var.choices or (), start=1)}
    labels = {c.code: c.label for c in var.choices or ()}
    qid = qids[chq.code]
    group: dict[str, Any] = {}
    for n, code in enumerate(channel_codes(inst, channels)):
        locator = f"q://{qid}/SelectableChoice/{choice_ids[code]}"
        cond = {
            "LogicType": "Question", "QuestionID": qid, "QuestionIsInLoop": "no", "ChoiceLocator": locator,
            "Operator": "Selected", "QuestionIDFromLocator": qid, "LeftOperand": locator, "Type": "Expression",
            "Description": f"If {chq.code} {labels[code].get('en', next(iter(labels[code].values())))} Is Selected",
        }
        if n:
            cond = {"Conjuction": "Or", **cond}  # sic: Qualtrics spells it this way
        group[str(n)] = cond
    group["Type"] = "If"
    return {"0": group, "Type": "BooleanExpression", "inPage": False}


def _question(inst: Instrument, q: PlatformQuestion, qid: str, qids: dict[str, str], langs: list[str]) -> dict:
    """The SQ payload of one question in the base language, with translations in ``Language``."""
    base = langs[0]
    payload: dict[str, Any] = {"QuestionID": qid, "DataExportTag": q.code}
    translations: dict[str, dict[str, Any]] = {lang.upper(): {} for lang in langs[1:]}

    def texts(key: str, by_lang: dict[str, str]) -> None:
        payload[key] = by_lang[base]
        for lang in langs[1:]:
            translations[lang.upper()][key] = by_lang[lang]

    def keyed(key: str, entries: list[tuple[str, dict[str, str]]]) -> None:
        payload[key] = {k: {"Display": t[base]} for k, t in entries}
        for lang in langs[1:]:
            translations[lang.upper()][key] = {k: {"Display": t[lang]} for k, t in entries}

    if q.kind == "battery":
        items = [inst.variable(v) for v in q.variable_ids]
        options = answer_options(items[0])
        texts("QuestionText", {lang: battery_prompt(inst, q.block, lang) for lang in langs})
        rows = [(str(n), item.text) for n, item in enumerate(items, start=1)]
        cols = [(str(n), labels) for n, (_code, labels) in enumerate(options, start=1)]
        keyed("Choices", rows)
        keyed("Answers", cols)
        payload.update({
            "QuestionType": "Matrix", "Selector": "Likert", "SubSelector": "SingleAnswer",
            "Configuration": {"QuestionDescriptionOption": "UseText", "TextPosition": "inline",
                              "ChoiceColumnWidth": 25, "RepeatHeaders": "none", "WhiteSpace": "OFF",
                              "MobileFirst": True},
            "ChoiceOrder": [k for k, _ in rows], "AnswerOrder": [k for k, _ in cols],
            "ChoiceDataExportTags": {k: q.row_code(item.id) for (k, _), item in zip(rows, items)},
            "RecodeValues": {k: str(code) for (k, _), (code, _l) in zip(cols, options)},
            "NextChoiceId": len(rows) + 1, "NextAnswerId": len(cols) + 1,
        })
        if q.item_channels:
            for (k, _), channels in zip(rows, q.item_channels):
                if channels:
                    payload["Choices"][k]["DisplayLogic"] = display_logic(inst, qids, channels)
    else:
        var = inst.variable(q.variable_ids[0])
        texts("QuestionText", var.text)
        if q.kind == "open":
            payload.update({"QuestionType": "TE", "Selector": "ML",
                            "Configuration": {"QuestionDescriptionOption": "UseText", "InputWidth": 575,
                                              "InputHeight": 167}})
        elif var.scale is not None and var.scale.type == "nps":
            options = answer_options(var)
            if [c for c, _ in options] != list(range(11)):
                raise InstrumentError(f"question '{var.id}': a Qualtrics NPS question needs the codes 0..10, "
                                      f"not {[c for c, _ in options]}")
            # Qualtrics' NPS buttons always show the numerals; the end labels of our
            # scale are its anchors (ColumnLabels), and a translation carries only those.
            anchors = options[0][1], options[-1][1]
            payload.update({"QuestionType": "MC", "Selector": "NPS",
                            "Choices": [{"Display": str(c)} for c, _ in options],
                            "ChoiceOrder": [str(c) for c, _ in options], "NextChoiceId": len(options),
                            "ColumnLabels": [{"Display": a[base], "IsLabelDefault": False} for a in anchors]})
            for lang in langs[1:]:
                translations[lang.upper()]["ColumnLabels"] = [{"Display": a[lang]} for a in anchors]
        else:
            options = answer_options(var)
            entries = [(str(n), labels) for n, (_code, labels) in enumerate(options, start=1)]
            keyed("Choices", entries)
            payload.update({"QuestionType": "MC", "Selector": "SAVR", "SubSelector": "TX",
                            "Configuration": {"QuestionDescriptionOption": "UseText"},
                            "ChoiceOrder": [k for k, _ in entries],
                            "RecodeValues": {k: str(code) for (k, _), (code, _l) in zip(entries, options)},
                            "NextChoiceId": len(entries) + 1})
    if q.channels:
        payload["DisplayLogic"] = display_logic(inst, qids, q.channels)
    payload.setdefault("Configuration", {"QuestionDescriptionOption": "UseText"})
    # A question's "Language" is its translations by language code, and [] when it has
    # none: Qualtrics (PHP) writes the empty map as a JSON list in every real export.
    payload.update({"QuestionDescription": _short(payload["QuestionText"]), "DefaultChoices": False,
                    "Validation": _VALIDATION, "GradingData": [], "Language": translations or [],
                    "DataVisibility": {"Private": False, "Hidden": False}})
    payload.setdefault("NextChoiceId", 1)  # a text entry has no choices, but the key is always there
    payload.setdefault("NextAnswerId", 1)
    return payload


def _descriptive(qid: str, tag: str, texts: dict[str, str], langs: list[str]) -> dict:
    """A text/graphic ('DB') question for the introduction and closing texts."""
    return {"QuestionText": texts[langs[0]], "DefaultChoices": False, "DataExportTag": tag, "QuestionType": "DB",
            "Selector": "TB", "Configuration": {"QuestionDescriptionOption": "UseText"},
            "QuestionDescription": _short(texts[langs[0]]), "ChoiceOrder": [],
            "Validation": {"Settings": {"Type": "None"}}, "GradingData": [],
            "Language": {lang.upper(): {"QuestionText": texts[lang]} for lang in langs[1:]} or [],
            "NextChoiceId": 1, "NextAnswerId": 1, "QuestionID": qid}


def to_qualtrics(inst: Instrument, languages: str | Sequence[str] | None = None) -> dict:
    """Build the questionnaire as a Qualtrics survey (the content of a ``.qsf`` file).

    Parameters
    ----------
    inst : Instrument
        The questionnaire.
    languages : str or sequence of str, optional
        Languages to include, base language first; default all, source language first.

    Returns
    -------
    dict
        ``{"SurveyEntry": ..., "SurveyElements": [...]}``; write it with :func:`qsf_text`
        and import it in Qualtrics via *Create project > Survey > From a file*.

    Raises
    ------
    ValueError
        If a language is unknown.
    InstrumentError
        If the questionnaire has no ``content_date`` (the survey's creation date).

    Notes
    -----
    The layout follows Qualtrics' own exports; the facts the file must satisfy, and the
    public exports they were read from, are in ``tests/test_export_qualtrics_layout.py``.
    Ids, dates and the preview link derive from the questionnaire (id, content version,
    ``content_date``), so exporting the same version twice gives the same file.
    """
    langs = parse_languages(languages if languages is not None else default_languages(inst), inst)
    d = inst.definition
    sid = qualtrics_id(inst, "SV")
    stamp = _timestamp(inst)
    layout = qualtrics_qids(inst)
    qids = {q.code: qid for qid, q, _ in layout if q is not None}
    questions: dict[str, dict] = {}
    for qid, q, role in layout:
        if q is None:
            texts = d.introduction if role == "intro" else d.closing
            questions[qid] = _descriptive(qid, role, dict(texts), langs)
        else:
            questions[qid] = _question(inst, q, qid, qids, langs)

    blocks_payload = []
    flow: list[dict] = []
    hidden = [q for q in platform_questions(inst) if q.kind == "hidden"]
    if hidden:
        flow.append({"Type": "EmbeddedData", "FlowID": "FL_2", "EmbeddedData": [
            {"Description": q.code, "Type": "Recipient", "Field": q.code, "VariableType": "String",
             "DataVisibility": [], "AnalyzeText": False} for q in hidden]})
    first_qid, last_qid = layout[0][0], layout[-1][0]
    for n, block in enumerate(d.blocks):
        members = [qid for qid, q, _ in layout if q is not None and q.block == block.id]
        if n == 0:
            members.insert(0, first_qid)
        if n == len(d.blocks) - 1:
            members.append(last_qid)
        block_id = qualtrics_id(inst, "BL", block.id)
        blocks_payload.append({"Type": "Default" if n == 0 else "Standard", "SubType": "",
                               "Description": block.title[langs[0]], "ID": block_id,
                               "BlockElements": [{"Type": "Question", "QuestionID": m} for m in members]})
        flow.append({"ID": block_id, "Type": "Block" if n == 0 else "Standard", "FlowID": f"FL_{len(flow) + 2}"})
    blocks_payload.append({"Type": "Trash", "Description": "Trash / Unused Questions",
                           "ID": qualtrics_id(inst, "BL", "trash"), "BlockElements": []})

    def element(kind: str, primary: str, secondary: str | None, payload: Any, tertiary: str | None = None) -> dict:
        return {"SurveyID": sid, "Element": kind, "PrimaryAttribute": primary, "SecondaryAttribute": secondary,
                "TertiaryAttribute": tertiary, "Payload": payload}

    response_set = qualtrics_id(inst, "RS")
    owner = qualtrics_id(inst, "UR")
    elements = [
        element("BL", "Survey Blocks", None, blocks_payload),
        element("FL", "Survey Flow", None, {"Flow": flow, "Properties": {"Count": len(flow) + 1},
                                            "FlowID": "FL_1", "Type": "Root"}),
        element("PL", "Preview Link", None, {
            "PreviewType": "Brand", "PreviewID": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{sid}/preview"))}),
        element("SO", "Survey Options", None, {
            "BackButton": "true", "SaveAndContinue": "true", "SurveyProtection": "PublicSurvey",
            "BallotBoxStuffingPrevention": "false", "NoIndex": "Yes", "SecureResponseFiles": "true",
            "SurveyExpiration": "None", "SurveyTermination": "DefaultMessage", "Header": "", "Footer": "",
            "ProgressBarDisplay": "Text", "PartialData": "+1 week", "ValidationMessage": "",
            "PreviousButton": " \u2190 ", "NextButton": " \u2192 ", "SurveyTitle": d.title[langs[0]],
            "SurveyMetaDescription": d.title[langs[0]], **_SKIN, "NewScoring": 1,
            "AvailableLanguages": {lang.upper(): [] for lang in langs},
        }),
        element("SCO", "Scoring", None, {
            "ScoringCategories": [], "ScoringCategoryGroups": [], "ScoringSummaryCategory": None,
            "ScoringSummaryAfterQuestions": 0, "ScoringSummaryAfterSurvey": 0, "DefaultScoringCategory": None,
            "AutoScoringCategory": None}),
        element("PROJ", "CORE", None, {"ProjectCategory": "CORE", "SchemaVersion": "1.1.0"}, "1.1.0"),
        element("STAT", "Survey Statistics", None, {"MobileCompatible": True, "ID": "Survey Statistics"}),
        element("QC", "Survey Question Count", str(len(questions)), None),
        element("RS", response_set, "Default Response Set", None),
    ]
    for qid, payload in questions.items():
        elements.append(element("SQ", qid, payload["QuestionDescription"], payload))

    entry = {
        "SurveyID": sid, "SurveyName": f"{d.title[langs[0]]} ({d.id} {inst.content_version})",
        "SurveyDescription": None, "SurveyOwnerID": owner, "SurveyBrandID": BRAND, "DivisionID": None,
        "SurveyLanguage": langs[0].upper(), "SurveyActiveResponseSet": response_set, "SurveyStatus": "Inactive",
        # never started, activated or opened: Qualtrics writes the zero date for those
        "SurveyStartDate": _ZERO_DATE, "SurveyExpirationDate": _ZERO_DATE,
        "SurveyCreationDate": stamp, "CreatorID": owner, "LastModified": stamp,
        "LastAccessed": _ZERO_DATE, "LastActivated": _ZERO_DATE, "Deleted": None,
    }
    return {"SurveyEntry": entry, "SurveyElements": elements}


def qsf_text(qsf: dict) -> str:
    """Serialise a survey from :func:`to_qualtrics` as the text of a ``.qsf`` file."""
    return json.dumps(qsf, ensure_ascii=False, indent=2) + "\n"
