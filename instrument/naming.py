"""One naming scheme for every survey platform, shared by the exports and the response readers.

The LimeSurvey and Qualtrics exports name their questions, subquestions and export tags
with :func:`platform_questions`; the response readers (:mod:`instrument.platforms`) map
the platforms' column names back to our variable ids with :func:`limesurvey_columns`,
:func:`qualtrics_columns` and :func:`qualtrics_import_ids`, which are derived from the
same function, so the two directions cannot drift apart.

Conventions
-----------
- A construct battery is one question whose code is the construct key without
  underscores (``customer_focus`` -> ``customerfocus``); its rows (LimeSurvey
  subquestions, Qualtrics matrix rows) are coded with the item id (``cfo1``).
- A single question or context question is coded with :attr:`Variable.code`
  (``contact_reason`` -> ``contactreason``).
- Context fields that come from the sample file (respondent id, organisation, contact
  date, agent) are hidden questions prefilled from the survey URL in LimeSurvey and
  embedded data in Qualtrics, both named with :attr:`Variable.code`.
- Answer codes are our codes (``1`` .. ``7``, ``99`` for not applicable, ``0`` .. ``10``
  for NPS); Qualtrics keeps them as recode values.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from instrument.definition import Instrument, Variable, platform_code
from instrument.errors import InstrumentError, ServiceDriversError
from instrument.schema import CODE_PATTERN

#: Context field types that come from the sample file and are carried as hidden fields.
HIDDEN_CONTEXT_TYPES = ("id", "group", "date", "text")
#: The context field that holds the completion time the platforms measure themselves.
DURATION_FIELD = "duration_sec"
#: Columns the platforms add themselves that fill our context fields.
LIMESURVEY_RESPONSE_ID = "id"
LIMESURVEY_DURATION = "interviewtime"
QUALTRICS_RESPONSE_ID = "ResponseId"
QUALTRICS_DURATION = "Duration (in seconds)"
#: LimeSurvey limits question codes to 20 characters and answer codes to 5.
LIMESURVEY_MAX_CODE = 20
LIMESURVEY_MAX_ANSWER_CODE = 5


@dataclass(frozen=True)
class PlatformQuestion:
    """One question as it is fielded on a survey platform.

    Attributes
    ----------
    code : str
        Question code (LimeSurvey ``title``) and Qualtrics ``DataExportTag``.
    kind : str
        ``'battery'`` (a construct's items on one scale), ``'choice'`` (single choice from
        a choice list), ``'scale'`` (single question on a scale), ``'open'`` (free text) or
        ``'hidden'`` (context field carried from the sample file).
    variable_ids : tuple of str
        The variables the question produces: the items of a battery, else one id.
    block : str or None
        The block the question is shown in; None for hidden context fields.
    construct : str or None
        The construct key of a battery.
    channels : tuple of str or None
        Channel keys the whole question applies to (None: all channels).
    item_channels : tuple
        For a battery, per item the channel keys it applies to (None: all) when the items
        of the battery do not share one condition; otherwise empty.
    """

    code: str
    kind: str
    variable_ids: tuple[str, ...]
    block: str | None = None
    construct: str | None = None
    channels: tuple[str, ...] | None = None
    item_channels: tuple[tuple[str, ...] | None, ...] = ()

    def row_code(self, variable_id: str) -> str:
        """Subquestion code / matrix-row export tag of an item of this battery."""
        return platform_code(variable_id)


def parse_languages(spec: str | Sequence[str], inst: Instrument) -> list[str]:
    """Parse a language list such as ``'nl,en'``; the first language is the base language.

    Parameters
    ----------
    spec : str or sequence of str
        Comma-separated language codes, or a sequence of them; case does not matter
        (``'NL,en'`` is ``['nl', 'en']``).
    inst : Instrument
        The questionnaire whose languages are allowed.

    Returns
    -------
    list of str

    Raises
    ------
    ValueError
        If the list is empty, repeats a language or names one the questionnaire lacks.

    Examples
    --------
    >>> from instrument import load_instrument
    >>> parse_languages("en, nl", load_instrument())
    ['en', 'nl']
    """
    parts = [p.strip().lower() for p in (spec.split(",") if isinstance(spec, str) else spec)]
    parts = [p for p in parts if p]
    known = ", ".join(inst.languages)
    if not parts:
        raise ServiceDriversError(f"give at least one language: one of {known}, or several separated by commas")
    for p in parts:
        if p not in inst.languages:
            raise ServiceDriversError(f"'{p}' is not one of {known}")
    if len(set(parts)) != len(parts):
        raise ServiceDriversError(f"'{','.join(parts)}' names a language twice; give each of {known} at most once")
    return parts


def answer_options(var: Variable) -> list[tuple[int, dict[str, str]]]:
    """(code, labels) of every answer option of a scale or choice variable, N/A last.

    Raises
    ------
    InstrumentError
        If the variable has neither a scale nor a choice list.
    """
    options = var.answer_options
    if not options:
        raise InstrumentError(f"variable '{var.id}' has neither a scale nor a choice list, so it has no answer options")
    return options


def default_languages(inst: Instrument) -> list[str]:
    """All languages of the questionnaire, source language first."""
    src = inst.definition.source_language
    return [src, *[lang for lang in inst.languages if lang != src]]


def hidden_context_ids(inst: Instrument) -> list[str]:
    """Context fields carried from the sample file (not asked, not measured by the platform)."""
    return [f.id for f in inst.context if f.text is None and f.type in HIDDEN_CONTEXT_TYPES]


def platform_questions(inst: Instrument) -> list[PlatformQuestion]:
    """Every question the platform exports field, in presentation order, hidden fields first.

    Raises
    ------
    InstrumentError
        If a code would be invalid, too long or not unique on the platforms.

    Examples
    --------
    >>> from instrument import load_instrument
    >>> [q.code for q in platform_questions(load_instrument())][:6]
    ['respondentid', 'organisation', 'contactdate', 'agentid', 'channel', 'contactreason']
    """
    out = [PlatformQuestion(code=platform_code(fid), kind="hidden", variable_ids=(fid,))
           for fid in hidden_context_ids(inst)]
    constructs = {c.key: c for c in inst.constructs}
    for block in inst.definition.blocks:
        for entry in block.contents:
            if entry in constructs:
                items = constructs[entry].items
                per_item = [tuple(i.channels) if i.channels else None for i in items]
                shared = per_item[0] if len(set(per_item)) == 1 else None
                out.append(PlatformQuestion(
                    code=platform_code(entry), kind="battery", variable_ids=tuple(i.id for i in items),
                    block=block.id, construct=entry, channels=shared,
                    item_channels=() if len(set(per_item)) == 1 else tuple(per_item),
                ))
                continue
            var = inst.variable(entry)
            kind = "choice" if var.choices is not None else "scale" if var.scale is not None else "open"
            out.append(PlatformQuestion(code=var.code, kind=kind, variable_ids=(var.id,), block=block.id))
    _check_codes(out)
    return out


def _check_codes(questions: list[PlatformQuestion]) -> None:
    seen: dict[str, str] = {}
    for q in questions:
        codes = [q.code] + ([q.row_code(v) for v in q.variable_ids] if q.kind == "battery" else [])
        for code in codes:
            if not CODE_PATTERN.match(code) or len(code) > LIMESURVEY_MAX_CODE:
                raise InstrumentError(
                    f"platform code '{code}' (question '{q.code}') must be letter-initial, alphanumeric and at most "
                    f"{LIMESURVEY_MAX_CODE} characters; shorten the id in the questionnaire file"
                )
            if code.lower() in seen and seen[code.lower()] != q.code:
                raise InstrumentError(f"platform code '{code}' is used twice (questions '{seen[code.lower()]}' and '{q.code}')")
            seen[code.lower()] = q.code


def channel_question(inst: Instrument) -> PlatformQuestion:
    """The asked question whose answers are the contact channels (needed for channel routing)."""
    for q in platform_questions(inst):
        if q.kind == "choice":
            var = inst.variable(q.variable_ids[0])
            keys = {c.key for c in var.choices or ()}
            if keys == {c.key for c in inst.choices("channel")}:
                return q
    raise InstrumentError("items are limited to channels, but no question asks the channel; add it to a block")


def channel_codes(inst: Instrument, channels: Sequence[str]) -> list[int]:
    """Our answer codes of the given channel keys (``['phone']`` -> ``[1]``)."""
    by_key = {c.key: c.code for c in inst.choices("channel")}
    return [by_key[k] for k in channels]


def battery_prompt(inst: Instrument, block_id: str, lang: str) -> str:
    """The question text of a battery: its block's instruction, else the nearest earlier one.

    Batteries in a block without an instruction (e.g. the outcome battery) reuse the
    instruction that introduced the agree-statements before; failing that, the scale label.
    """
    blocks = list(inst.definition.blocks)
    index = next(i for i, b in enumerate(blocks) if b.id == block_id)
    for b in [blocks[index], *reversed(blocks[:index]), *blocks[index + 1:]]:
        if b.instruction:
            return b.instruction[lang]
    return inst.scale(inst.items[0].scale).label[lang]


def limesurvey_columns(inst: Instrument) -> dict[str, str]:
    """LimeSurvey response-export column names -> our variable ids.

    Battery items appear as ``QCODE[SQCODE]`` (heading format 'question code') or
    ``QCODE_SQCODE`` (Expression Manager codes); other questions as ``QCODE``.
    """
    out: dict[str, str] = {}
    for q in platform_questions(inst):
        if q.kind == "battery":
            for vid in q.variable_ids:
                out[f"{q.code}[{q.row_code(vid)}]"] = vid
                out[f"{q.code}_{q.row_code(vid)}"] = vid
        else:
            out[q.code] = q.variable_ids[0]
    return out


def qualtrics_qids(inst: Instrument) -> list[tuple[str, PlatformQuestion | None, str]]:
    """Question ids of the Qualtrics export: ``(QID, question or None, role)`` in display order.

    ``role`` is ``'intro'`` / ``'closing'`` for the descriptive texts, else ``'question'``.
    Hidden context fields are embedded data, not questions, and get no QID.
    """
    fielded = [q for q in platform_questions(inst) if q.kind != "hidden"]
    rows: list[tuple[PlatformQuestion | None, str]] = [(None, "intro")]
    rows += [(q, "question") for q in fielded]
    rows.append((None, "closing"))
    return [(f"QID{n}", q, role) for n, (q, role) in enumerate(rows, start=1)]


def qualtrics_columns(inst: Instrument) -> dict[str, str]:
    """Qualtrics response-export column names (first header row) -> our variable ids.

    Matrix rows are named by their ChoiceDataExportTag (the item id) or, when a
    researcher switched those off, ``TAG_n`` (n = row number); other questions and
    embedded data by their export tag / field name.
    """
    out: dict[str, str] = {}
    for q in platform_questions(inst):
        if q.kind == "battery":
            for n, vid in enumerate(q.variable_ids, start=1):
                out[q.row_code(vid)] = vid
                out[f"{q.code}_{n}"] = vid
        else:
            out[q.code] = q.variable_ids[0]
    return out


def qualtrics_import_ids(inst: Instrument) -> dict[str, str]:
    """Qualtrics ``ImportId`` values (third header row) -> our variable ids."""
    out: dict[str, str] = {}
    for qid, q, _role in qualtrics_qids(inst):
        if q is None:
            continue
        if q.kind == "battery":
            for n, vid in enumerate(q.variable_ids, start=1):
                out[f"{qid}_{n}"] = vid
        elif q.kind == "open":
            out[f"{qid}_TEXT"] = q.variable_ids[0]
        else:
            out[qid] = q.variable_ids[0]
    for q in platform_questions(inst):
        if q.kind == "hidden":
            out[q.code] = q.variable_ids[0]
    return out
