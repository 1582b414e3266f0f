"""The questionnaire as a LimeSurvey survey structure file (``.lss``, LimeSurvey 4 and later).

The file carries the tables LimeSurvey's importer reads (``groups``, ``group_l10ns``,
``questions``, ``subquestions``, ``question_l10ns``, ``answers``, ``answer_l10ns``,
``question_attributes``, ``surveys``, ``surveys_languagesettings``,
``survey_url_parameters``), each as ``<fields>`` plus ``<rows>`` with CDATA values. A NULL
column is left out of its row, as LimeSurvey's own exporter does (``buildXMLFromQuery`` in
``application/helpers/export_helper.php``): the importer passes every element to the database
as a string, and an empty element in an integer column is ``''``, which PostgreSQL and MariaDB
in strict mode refuse (``invalid input syntax for type integer``), leaving a half-imported
survey behind. The column types of LimeSurvey 6.x are recorded, with their source, in
``tests/fixtures/limesurvey_schema_6x.yaml``; the tests check every element against them.
Question codes come from :mod:`instrument.naming`, the same scheme the response
reader uses.

>>> from instrument import load_instrument
>>> xml = to_limesurvey(load_instrument(), ["nl", "en"])
>>> xml.startswith('<?xml version="1.0" encoding="UTF-8"?>')
True
"""
from __future__ import annotations

import zlib
from collections.abc import Sequence

from instrument.definition import Instrument, Variable
from instrument.errors import InstrumentError
from instrument.naming import (
    LIMESURVEY_MAX_ANSWER_CODE,
    PlatformQuestion,
    answer_options,
    battery_prompt,
    channel_codes,
    channel_question,
    default_languages,
    parse_languages,
    platform_questions,
)

#: DBVersion written into the file: the database version of LimeSurvey 6.4.2
#: (``dbversionnumber`` in ``application/config/version.php``), the oldest 6.x release whose
#: schema the tests record. The file targets the 6.x series (DB versions 600-699; 6.14.0 is
#: 630 and has the same columns for every table written here); the importer converts only
#: files below DBVersion 170, so every 6.x release from 6.4 on reads the file the same way.
DB_VERSION = 620

_QUESTION_FIELDS = [
    "qid", "parent_qid", "sid", "gid", "type", "title", "preg", "other", "mandatory", "encrypted",
    "question_order", "scale_id", "same_default", "relevance", "question_theme_name", "modulename",
    "same_script",
]
_SURVEY_SETTINGS = {
    # Not anonymized: with anonymized responses LimeSurvey resets the date stamps.
    "gsid": "1", "admin": "inherit", "adminemail": "inherit", "anonymized": "N", "format": "G",
    "savetimings": "Y", "template": "inherit", "datestamp": "Y", "usecookie": "N", "allowregister": "N",
    "allowsave": "Y", "autonumber_start": "0", "autoredirect": "N", "allowprev": "Y", "printanswers": "N",
    "ipaddr": "N", "ipanonymize": "Y", "refurl": "N", "showsurveypolicynotice": "0",
    "publicstatistics": "N", "publicgraphs": "N", "listpublic": "N", "htmlemail": "Y",
    "sendconfirmation": "N", "tokenanswerspersistence": "N", "assessments": "N", "usecaptcha": "N",
    "usetokens": "N", "tokenlength": "15", "showxquestions": "N", "showgroupinfo": "B",
    "shownoanswer": "N", "showqnumcode": "X", "bounceprocessing": "N", "showwelcome": "Y",
    "showprogress": "Y", "questionindex": "0", "navigationdelay": "0", "nokeyboard": "N",
    "alloweditaftercompletion": "N",
}
#: Length of ``surveys_languagesettings.surveyls_title`` (``string(200) NOT NULL`` in LimeSurvey 6.x
#: ``installer/create-database.php``); PostgreSQL and MariaDB in strict mode refuse a longer title.
LIMESURVEY_MAX_TITLE = 200
_THEMES = {"F": "arrays/array", "L": "listradio", "T": "longfreetext", "S": "shortfreetext"}


class _Table:
    """One LimeSurvey table: field names and rows of string values.

    A value of ``None`` (or a field not given) is NULL and is left out of the row; ``''`` is
    an empty string and is written as an empty element (only right for a text column).
    """

    def __init__(self, name: str, fields: Sequence[str]) -> None:
        self.name = name
        self.fields = list(fields)
        self.rows: list[dict[str, str]] = []

    def add(self, **values: object) -> None:
        unknown = set(values) - set(self.fields)
        if unknown:  # a programming error in this module, not a user error
            raise KeyError(f"table {self.name} has no field(s) {sorted(unknown)}")
        self.rows.append({k: str(v) for k, v in values.items() if v is not None})

    def render(self) -> list[str]:
        lines = [f" <{self.name}>", "  <fields>"]
        lines += [f"   <fieldname>{f}</fieldname>" for f in self.fields]
        lines += ["  </fields>", "  <rows>"]
        for row in self.rows:
            lines.append("   <row>")
            for f in self.fields:
                if f not in row:  # NULL: no element, as LimeSurvey's exporter writes it
                    continue
                value = row[f]
                lines.append(f"    <{f}>{_cdata(value)}</{f}>" if value != "" else f"    <{f}/>")
            lines.append("   </row>")
        lines += ["  </rows>", f" </{self.name}>"]
        return lines


def _cdata(text: str) -> str:
    """Wrap text in CDATA; a literal ``]]>`` is split over two sections."""
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def survey_id(inst: Instrument) -> int:
    """A stable six-digit survey id for the file (LimeSurvey assigns its own on import)."""
    return 100000 + zlib.crc32(f"{inst.definition.id}:{inst.content_version}".encode()) % 900000


def relevance_equation(inst: Instrument, channels: Sequence[str] | None) -> str:
    """LimeSurvey relevance for a channel condition: ``channel.NAOK == "1"``; ``1`` when none."""
    if not channels:
        return "1"
    code = channel_question(inst).code
    parts = [f'{code}.NAOK == "{c}"' for c in channel_codes(inst, channels)]
    return parts[0] if len(parts) == 1 else "(" + " or ".join(parts) + ")"


def _answer_options(var: Variable) -> list[tuple[str, dict[str, str]]]:
    """(code as LimeSurvey writes it, labels) of every answer, N/A last."""
    options = [(str(code), labels) for code, labels in answer_options(var)]
    for code, _ in options:
        if len(code) > LIMESURVEY_MAX_ANSWER_CODE:
            raise InstrumentError(f"variable '{var.id}': answer code {code} is longer than LimeSurvey's 5 characters")
    return options


def to_limesurvey(inst: Instrument, languages: str | Sequence[str] | None = None) -> str:
    """Write the questionnaire as a LimeSurvey ``.lss`` survey structure.

    Parameters
    ----------
    inst : Instrument
        The questionnaire.
    languages : str or sequence of str, optional
        Languages to include, base language first (``'nl,en'`` or ``['nl', 'en']``);
        default all languages of the questionnaire, source language first.

    Returns
    -------
    str
        The XML document. Import it in LimeSurvey via *Create survey > Import*.

    Raises
    ------
    ValueError
        If a language is unknown.
    InstrumentError
        If a code cannot be represented on LimeSurvey.
    """
    langs = parse_languages(languages if languages is not None else default_languages(inst), inst)
    sid = survey_id(inst)
    t = {name: _Table(name, fields) for name, fields in [
        ("groups", ["gid", "sid", "group_order", "randomization_group", "grelevance"]),
        ("group_l10ns", ["id", "gid", "group_name", "description", "language"]),
        ("questions", _QUESTION_FIELDS),
        ("subquestions", _QUESTION_FIELDS),
        ("question_l10ns", ["id", "qid", "question", "help", "script", "language"]),
        ("answers", ["aid", "qid", "code", "sortorder", "assessment_value", "scale_id"]),
        ("answer_l10ns", ["id", "aid", "answer", "language"]),
        ("question_attributes", ["qid", "attribute", "value", "language"]),
        ("survey_url_parameters", ["id", "sid", "parameter", "targetqid", "targetsqid"]),
    ]}
    counters = {"qid": 0, "ql10n": 0, "aid": 0, "al10n": 0}

    def next_id(name: str) -> int:
        counters[name] += 1
        return counters[name]

    def add_question(gid: int, order: int, qtype: str, code: str, texts: dict[str, str],
                     relevance: str = "1", parent: int = 0, help_texts: dict[str, str] | None = None) -> int:
        qid = next_id("qid")
        table = t["subquestions"] if parent else t["questions"]
        table.add(qid=qid, parent_qid=parent, sid=sid, gid=gid, type=qtype, title=code, preg="", other="N",
                  mandatory="N", encrypted="N", question_order=order, scale_id=0, same_default=0,
                  relevance=relevance, question_theme_name="longfreetext" if parent else _THEMES[qtype],
                  modulename="", same_script=0)
        for lang in langs:
            t["question_l10ns"].add(id=next_id("ql10n"), qid=qid, question=texts[lang],
                                    help=(help_texts or {}).get(lang, ""), script="", language=lang)
        return qid

    def add_answers(qid: int, var: Variable) -> None:
        for order, (code, labels) in enumerate(_answer_options(var), start=1):
            aid = next_id("aid")
            t["answers"].add(aid=aid, qid=qid, code=code, sortorder=order, assessment_value=0, scale_id=0)
            for lang in langs:
                t["answer_l10ns"].add(id=next_id("al10n"), aid=aid, answer=labels[lang], language=lang)

    blocks = list(inst.definition.blocks)
    gids = {b.id: n for n, b in enumerate(blocks, start=1)}
    for b in blocks:
        t["groups"].add(gid=gids[b.id], sid=sid, group_order=gids[b.id], randomization_group="", grelevance="1")
        for lang in langs:
            t["group_l10ns"].add(id=len(t["group_l10ns"].rows) + 1, gid=gids[b.id], group_name=b.title[lang],
                                 description="", language=lang)

    order_in_group: dict[int, int] = {}
    for q in platform_questions(inst):
        gid = gids[q.block] if q.block else gids[blocks[0].id]
        order = order_in_group.get(gid, 0)
        order_in_group[gid] = order + 1
        _add_platform_question(inst, q, sid, gid, order, langs, add_question, add_answers, t)

    return _document(inst, langs, sid, t)


def _add_platform_question(inst, q: PlatformQuestion, sid, gid, order, langs, add_question, add_answers, t) -> None:
    """Add one question (with subquestions, answers and attributes) to the tables."""
    if q.kind == "hidden":
        var = inst.variable(q.variable_ids[0])
        qid = add_question(gid, order, "S", q.code, {lang: var.label[lang] for lang in langs})
        t["question_attributes"].add(qid=qid, attribute="hidden", value="1", language="")
        t["survey_url_parameters"].add(id=len(t["survey_url_parameters"].rows) + 1, sid=sid,
                                       parameter=q.code, targetqid=qid, targetsqid=None)
    elif q.kind == "battery":
        items = [inst.variable(v) for v in q.variable_ids]
        qid = add_question(gid, order, "F", q.code, {lang: battery_prompt(inst, q.block, lang) for lang in langs},
                           relevance=relevance_equation(inst, q.channels))
        for n, item in enumerate(items):
            channels = q.item_channels[n] if q.item_channels else None
            add_question(gid, n, "T", q.row_code(item.id), {lang: item.text[lang] for lang in langs},
                         relevance=relevance_equation(inst, channels), parent=qid)
        add_answers(qid, items[0])
    else:
        var = inst.variable(q.variable_ids[0])
        qtype = "T" if q.kind == "open" else "L"
        qid = add_question(gid, order, qtype, q.code, {lang: var.text[lang] for lang in langs})
        if qtype == "L":
            add_answers(qid, var)
            if var.scale is not None:
                # Rating scales read left to right, as on paper.
                t["question_attributes"].add(qid=qid, attribute="display_columns", value=str(len(var.scale.points)),
                                             language="")


def _document(inst: Instrument, langs: list[str], sid: int, tables: dict[str, _Table]) -> str:
    d = inst.definition
    for lang in langs:
        if len(d.title[lang]) > LIMESURVEY_MAX_TITLE:
            raise InstrumentError(
                f"title ({lang}) is {len(d.title[lang])} characters, LimeSurvey allows at most "
                f"{LIMESURVEY_MAX_TITLE}; shorten the title in the questionnaire file"
            )
    surveys = _Table("surveys", ["sid", *_SURVEY_SETTINGS, "language", "additional_languages"])
    surveys.add(sid=sid, **_SURVEY_SETTINGS, language=langs[0], additional_languages=" ".join(langs[1:]))
    settings = _Table("surveys_languagesettings", [
        "surveyls_survey_id", "surveyls_language", "surveyls_title", "surveyls_description",
        "surveyls_welcometext", "surveyls_endtext", "surveyls_url", "surveyls_urldescription",
        "surveyls_dateformat", "surveyls_numberformat",
    ])
    for lang in langs:
        settings.add(surveyls_survey_id=sid, surveyls_language=lang, surveyls_title=d.title[lang],
                     surveyls_description=f"{d.id} {inst.content_version}", surveyls_welcometext=d.introduction[lang],
                     surveyls_endtext=d.closing[lang], surveyls_url="", surveyls_urldescription="",
                     surveyls_dateformat=1, surveyls_numberformat=0)
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', "<document>",
             " <LimeSurveyDocType>Survey</LimeSurveyDocType>", f" <DBVersion>{DB_VERSION}</DBVersion>",
             " <languages>", *[f"  <language>{lang}</language>" for lang in langs], " </languages>"]
    for name in ["groups", "group_l10ns", "questions", "subquestions", "question_l10ns", "answers",
                 "answer_l10ns", "question_attributes"]:
        lines += tables[name].render()
    lines += surveys.render() + settings.render()
    if tables["survey_url_parameters"].rows:
        lines += tables["survey_url_parameters"].render()
    lines.append("</document>")
    return "\n".join(lines) + "\n"
