"""LimeSurvey's text headings: its own columns' names and our questions' texts, in every language.

LimeSurvey's *Export responses* offers four heading styles: 'Question code' (the
default of our readers), 'Full question text' (the default of its admin page),
'Question code & question text' and 'Abbreviated question text'. This module maps the
text headings back to LimeSurvey's column codes and our variable ids.

Facts from LimeSurvey 6.x's source (``application/helpers/common_helper.php``
``createFieldMap``/``createTimingsFieldMap``, ``application/helpers/admin/export/Writer.php``
``getFullHeading``, ``application/helpers/viewHelper.php`` ``getFieldText``;
translations from ``locale/nl/nl.mo``), checked on the downloads of a real LimeSurvey 6.14
server in ``tests/fixtures/platforms/limesurvey-6.14/``:

* The response table's own columns are headed ``Response ID``, ``Date submitted``,
  ``Last page``, ``Start language``, ``Seed``, ``Date started``, ``Date last action``,
  and the timings ``Total time`` and ``Group time: <group name>``; in the Dutch
  interface ``Respons-id``, ``Datum verzonden``, ``Laatste pagina``, ``Begin taal``,
  ``Plaats``, ``Startdatum``, ``Datum laatste actie``, ``Totaaltijd``, ``Groepstijd: ...``.
* A question is headed by its text with HTML removed and white space collapsed
  (``flattenText``); a subquestion (our battery item) by ``<question text> [<item text>]``.
* The SPSS syntax file labels a battery item ``[<item text>] <question text>``
  (``SPSSFieldMap``).
* With 'Full answers' a cell holds the answer's label in the export's language,
  whatever language the respondent answered in.
* 'Abbreviated question text' cuts texts and marks the cut with ``..``, so two
  columns can get the same heading; those headings cannot be read back.
"""
from __future__ import annotations

import html
import re
import unicodedata

from instrument.definition import Instrument
from instrument.naming import battery_prompt, platform_questions

#: LimeSurvey's headings of its own columns, per interface language -> the column's code.
LIMESURVEY_OWN_HEADINGS = {
    "en": {"Response ID": "id", "Date submitted": "submitdate", "Last page": "lastpage",
           "Start language": "startlanguage", "Seed": "seed", "Date started": "startdate",
           "Date last action": "datestamp", "Total time": "interviewtime"},
    "nl": {"Respons-id": "id", "Datum verzonden": "submitdate", "Laatste pagina": "lastpage",
           "Begin taal": "startlanguage", "Plaats": "seed", "Startdatum": "startdate",
           "Datum laatste actie": "datestamp", "Totaaltijd": "interviewtime"},
}
#: The heading prefix of a question group's timing column, per interface language.
LIMESURVEY_GROUP_TIME = {"en": "Group time:", "nl": "Groepstijd:"}

_TAG = re.compile(r"<[^>]*>")
_ABBREVIATED = re.compile(r"\.\.(\s|\]|$)")


def normalise_heading(text: str) -> str:
    """A heading as compared: HTML tags and entities removed, white space collapsed, case folded."""
    text = html.unescape(_TAG.sub(" ", unicodedata.normalize("NFKC", text)))
    return " ".join(text.casefold().split())


def own_column_codes() -> dict[str, str]:
    """Normalised heading of a LimeSurvey column (any interface language) -> its code (``id``, ``submitdate`` ...)."""
    return {normalise_heading(h): code for names in LIMESURVEY_OWN_HEADINGS.values() for h, code in names.items()}


def rename_own_columns(header: list[str]) -> list[str]:
    """The header with LimeSurvey's own text headings replaced by their codes (``Response ID`` -> ``id``).

    'Code & text' headings (``id. Response ID``) become their code; group timings
    become ``groupTime1``, ``groupTime2`` ... in order; other headings are kept as they are.
    """
    codes = own_column_codes()
    own = set(codes.values())
    prefixes = tuple(normalise_heading(p) for p in LIMESURVEY_GROUP_TIME.values())
    out, n_groups = [], 0
    for name in header:
        key = normalise_heading(name)
        code = name.split(". ", 1)[0].strip()  # 'Question code & question text': 'id. Response ID'
        if key in codes:
            out.append(codes[key])
        elif code in own or re.fullmatch(r"groupTime\d+", code):
            out.append(code)
        elif key.startswith(prefixes):
            n_groups += 1
            out.append(f"groupTime{n_groups}")
        else:
            out.append(name)
    return out


def question_text_headings(inst: Instrument) -> dict[str, str]:
    """Normalised question-text heading (any language of the questionnaire) -> our variable id.

    Full-text CSV/Excel headings (``<question> [<item>]``) and SPSS variable labels
    (``[<item>] <question>``) both map. A heading that two variables would share is
    left out, so it is never read as either.
    """
    entries: list[tuple[str, str]] = []
    for q in platform_questions(inst):
        for lang in inst.languages:
            if q.kind == "battery":
                prompt = battery_prompt(inst, q.block, lang)
                for vid in q.variable_ids:
                    item = inst.variable(vid).text[lang]
                    entries += [(f"{prompt} [{item}]", vid), (f"[{item}] {prompt}", vid)]
            else:
                var = inst.variable(q.variable_ids[0])
                text = var.label[lang] if q.kind == "hidden" else var.text[lang]
                entries.append((text, var.id))
    lookup: dict[str, str] = {}
    ambiguous: set[str] = set()
    for text, vid in entries:
        key = normalise_heading(text)
        if lookup.setdefault(key, vid) != vid:
            ambiguous.add(key)
    return {key: vid for key, vid in lookup.items() if key not in ambiguous}


def abbreviated_headings(header: list[str]) -> list[str]:
    """The headings cut short by LimeSurvey's 'Abbreviated question text' (they end in '..')."""
    return [h for h in header if _ABBREVIATED.search(h)]
