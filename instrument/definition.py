"""Load the questionnaire definition and answer questions about it.

>>> from instrument import load_instrument
>>> inst = load_instrument()
>>> [c.key for c in inst.drivers]
['reliability', 'empathy', 'customer_focus', 'customer_knowledge', 'wait_time', 'accessibility', 'menu']
>>> inst.item("wai1").channels
['phone']
"""
from __future__ import annotations

import hashlib
import warnings
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from instrument.errors import InstrumentError
from instrument.schema import (
    CODE_PATTERN,
    Choice,
    Construct,
    ContextField,
    Item,
    Question,
    QuestionnaireFile,
    Scale,
    undeclared_languages,
)

DEFAULT_PATH = Path(str(resources.files("instrument").joinpath("questionnaire.yaml")))


@dataclass(frozen=True)
class Variable:
    """One column of a response file, as the codebook and the reader see it.

    ``kind`` is one of 'context', 'item' (a construct battery item), 'question'.
    """

    id: str
    kind: str
    type: str
    label: dict[str, str]
    text: dict[str, str] | None
    construct: str | None = None
    scale: Scale | None = None
    choices: tuple[Choice, ...] | None = None
    reverse: bool = False
    channels: tuple[str, ...] | None = None
    required: bool = False
    personal: bool = False
    measure: str | None = None

    @property
    def code(self) -> str:
        """The question code on survey platforms: the id without non-alphanumerics."""
        return platform_code(self.id)

    @property
    def valid_codes(self) -> list[int] | None:
        if self.scale is not None:
            return self.scale.codes
        if self.choices is not None:
            return [c.code for c in self.choices]
        return None

    @property
    def na_code(self) -> int | None:
        return self.scale.na_code if self.scale is not None else None

    @property
    def answer_options(self) -> list[tuple[int, dict[str, str]]]:
        """(code, label per language) of every answer of a choice or scale variable, N/A last; [] otherwise.

        The one list the platform exports, the printable questionnaire, the response
        readers' label lookup and the LimeSurvey export writer are built from.
        """
        if self.choices is not None:
            return [(c.code, dict(c.label)) for c in self.choices]
        if self.scale is None:
            return []
        options = [(p.code, dict(p.label)) for p in self.scale.points]
        if self.scale.not_applicable is not None:
            options.append((self.scale.not_applicable.code, dict(self.scale.not_applicable.label)))
        return options


def platform_code(variable_id: str) -> str:
    """Survey-platform code of a variable: alphanumeric, letter-initial (``contact_reason`` -> ``contactreason``)."""
    return "".join(ch for ch in variable_id if ch.isalnum())


class Instrument:
    """The questionnaire: constructs, items, outcome questions, scales and texts.

    Build one with :func:`load_instrument`. Attributes come straight from the
    validated definition file; the properties derive lookups from it.
    """

    def __init__(self, definition: QuestionnaireFile, path: Path, *, content_hash: str | None = None,
                 warnings: tuple[str, ...] = ()) -> None:
        self.definition = definition
        self.path = path
        self._content_hash = content_hash
        self.warnings = tuple(warnings)

    # --- where it came from -----------------------------------------------------
    @property
    def source_file(self) -> Path:
        """The definition file this instrument was loaded from (absolute)."""
        return Path(self.path).absolute()

    @property
    def is_shipped(self) -> bool:
        """Whether this is the questionnaire shipped with the package (same file)."""
        return self.source_file == DEFAULT_PATH.absolute()

    @property
    def content_hash(self) -> str:
        """SHA-256 of the definition file's bytes (hex): identifies the exact questionnaire used.

        Two files with the same ``content_version`` but any change in them (a text, an
        item, a comment) have different hashes; :attr:`short_hash` is its first 12 digits.
        """
        if self._content_hash is None:
            self._content_hash = hashlib.sha256(Path(self.path).read_bytes()).hexdigest()
        return self._content_hash

    @property
    def short_hash(self) -> str:
        """The first 12 hex digits of :attr:`content_hash`, as shown in reports."""
        return self.content_hash[:12]

    # --- versions and languages -------------------------------------------------
    @property
    def content_version(self) -> str:
        return self.definition.content_version

    @property
    def format_version(self) -> int:
        return self.definition.format_version

    @property
    def languages(self) -> list[str]:
        return list(self.definition.languages)

    @property
    def title(self) -> dict[str, str]:
        return dict(self.definition.title)

    # --- constructs and items ---------------------------------------------------
    @property
    def constructs(self) -> list[Construct]:
        return list(self.definition.constructs)

    @property
    def drivers(self) -> list[Construct]:
        return [c for c in self.definition.constructs if c.role == "driver"]

    @property
    def driver_keys(self) -> list[str]:
        return [c.key for c in self.drivers]

    @property
    def outcome_construct(self) -> Construct:
        return next(c for c in self.definition.constructs if c.role == "outcome")

    def construct(self, key: str) -> Construct:
        try:
            return self._constructs_by_key[key]
        except KeyError:
            raise KeyError(f"unknown construct '{key}'; known: {', '.join(self._constructs_by_key)}") from None

    @property
    def items(self) -> list[Item]:
        return [i for c in self.definition.constructs for i in c.items]

    @property
    def item_ids(self) -> list[str]:
        return [i.id for i in self.items]

    def item(self, item_id: str) -> Item:
        try:
            return self._items_by_id[item_id]
        except KeyError:
            raise KeyError(f"unknown item '{item_id}'") from None

    def construct_of(self, item_id: str) -> str:
        return self._construct_of_item[item_id]

    def scale(self, key: str) -> Scale:
        return self.definition.scales[key]

    def choices(self, key: str) -> list[Choice]:
        return list(self.definition.choices[key])

    @property
    def questions(self) -> list[Question]:
        return list(self.definition.questions)

    def question_for(self, measure: str) -> Question | None:
        """The question that measures a KPI ('csat', 'nps', 'ces', 'fcr'), if any."""
        return next((q for q in self.definition.questions if q.measure == measure), None)

    @property
    def context(self) -> list[ContextField]:
        return list(self.definition.context)

    def model_syntax(self, constructs: list[str] | None = None) -> str:
        """The measurement model in lavaan syntax, one line per construct."""
        keys = constructs or [c.key for c in self.constructs]
        return "\n".join(
            f"{k} =~ " + " + ".join(self.construct(k).item_ids) for k in keys
        )

    # --- variables in data order ------------------------------------------------
    @cached_property
    def variables(self) -> list[Variable]:
        """Every column a response file may hold, in questionnaire (codebook) order."""
        out: list[Variable] = []
        d = self.definition
        for f in d.context:
            out.append(
                Variable(
                    id=f.id, kind="context", type=f.type, label=dict(f.label),
                    text=dict(f.text) if f.text else None,
                    choices=tuple(d.choices[f.choices]) if f.choices else None,
                    required=f.required, personal=f.personal,
                )
            )
        for c in d.constructs:
            for i in c.items:
                out.append(
                    Variable(
                        id=i.id, kind="item", type="scale", label=dict(c.label),
                        text=dict(i.text), construct=c.key, scale=d.scales[i.scale],
                        reverse=i.reverse, channels=tuple(i.channels) if i.channels else None,
                    )
                )
        for q in d.questions:
            out.append(
                Variable(
                    id=q.id, kind="question", type=q.type, label=dict(q.label),
                    text=dict(q.text), scale=d.scales[q.scale] if q.scale else None,
                    choices=tuple(d.choices[q.choices]) if q.choices else None,
                    personal=q.personal, measure=q.measure,
                )
            )
        return out

    def variable(self, variable_id: str) -> Variable:
        try:
            return self._variables_by_id[variable_id]
        except KeyError:
            raise KeyError(f"unknown variable '{variable_id}'") from None

    # --- cached lookups -----------------------------------------------------------
    @cached_property
    def _constructs_by_key(self) -> dict[str, Construct]:
        return {c.key: c for c in self.definition.constructs}

    @cached_property
    def _items_by_id(self) -> dict[str, Item]:
        return {i.id: i for i in self.items}

    @cached_property
    def _construct_of_item(self) -> dict[str, str]:
        return {i.id: c.key for c in self.definition.constructs for i in c.items}

    @cached_property
    def _variables_by_id(self) -> dict[str, Variable]:
        return {v.id: v for v in self.variables}

    def __repr__(self) -> str:
        n_items = len(self.items)
        return (
            f"<Instrument {self.definition.id} content {self.content_version} "
            f"(format {self.format_version}): {len(self.drivers)} drivers, {n_items} scale items, "
            f"languages {', '.join(self.languages)}>"
        )


def load_instrument(path: str | Path | None = None) -> Instrument:
    """Load and validate a questionnaire definition.

    Parameters
    ----------
    path : str or Path, optional
        A definition YAML file; the shipped CCC-quality questionnaire by default.

    Returns
    -------
    Instrument

    Raises
    ------
    InstrumentError
        If the file cannot be read or is not a valid definition; the message names the
        file, the construct/item/question and the field.

    Examples
    --------
    >>> inst = load_instrument()
    >>> inst.content_version
    '1.0.0'
    """
    path = Path(path) if path is not None else DEFAULT_PATH
    text, digest = _read_definition_text(path)
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise InstrumentError(f"{path}:{where}: not valid YAML ({getattr(exc, 'problem', exc)}); fix the syntax") from None
    if not isinstance(raw, dict):
        raise InstrumentError(f"{path}: expected a mapping at the top level of the questionnaire file")
    try:
        definition = QuestionnaireFile.model_validate(raw)
    except ValidationError as exc:
        _raise_problems(path, [f"{_describe_location(raw, err['loc'])}: {err['msg']}" for err in exc.errors()])
    _raise_problems(path, _cross_check(definition))
    notes = undeclared_languages(definition)
    for note in notes:
        warnings.warn(f"{path}: {note}", InstrumentWarning, stacklevel=2)
    return Instrument(definition, path, content_hash=digest, warnings=tuple(notes))


class InstrumentWarning(UserWarning):
    """Something in a questionnaire file that is allowed but probably not meant (e.g. an undeclared language)."""


def _raise_problems(path: Path, problems: list[str]) -> None:
    """Raise one :class:`InstrumentError` carrying every problem (``.problems``), the first in its message."""
    if not problems:
        return
    more = (f" (and {len(problems) - 1} more problem(s); the error's .problems lists them all)"
            if len(problems) > 1 else "")
    raise InstrumentError(f"{path}: {problems[0]}{more}", problems=[f"{path}: {p}" for p in problems]) from None


def _read_definition_text(path: Path) -> tuple[str, str]:
    """The text of a definition file and the SHA-256 of its bytes, or an :class:`InstrumentError` saying what is wrong."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InstrumentError(f"{path}: no such file; give the path of a questionnaire YAML file") from None
    except IsADirectoryError:
        raise InstrumentError(f"{path}: is a folder; give the questionnaire YAML file") from None
    except OSError as exc:
        raise InstrumentError(f"{path}: cannot be read ({exc.strerror or exc}); check the path and its permissions") from None
    try:
        return data.decode("utf-8"), hashlib.sha256(data).hexdigest()
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InstrumentError(
            f"{path}: not UTF-8 (byte 0x{data[exc.start]:02x} on line {line}); save it as UTF-8"
        ) from None


def _describe_location(raw: Any, loc: tuple) -> str:
    """Turn a pydantic error location into 'item 'rel3', field 'text.en''."""
    node = raw
    owner = None
    fields: list[str] = []
    for part in loc:
        if isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
            if isinstance(node, dict):
                ident = node.get("id") or node.get("key")
                kind = _KIND_OF_LIST.get(fields[-1] if fields else "", "entry")
                owner = f"{kind} '{ident}'" if ident else f"{kind} #{part + 1}"
                fields = []
            continue
        fields.append(str(part))
        node = node.get(part) if isinstance(node, dict) else None
    field = ".".join(fields) or "(the entry itself)"
    return f"{owner}, field '{field}'" if owner else f"field '{field}'"


_KIND_OF_LIST = {
    "constructs": "construct", "items": "item", "questions": "question",
    "context": "context field", "blocks": "block", "points": "scale point",
}


def _cross_check(d: QuestionnaireFile) -> list[str]:
    """Checks across fields that a per-field schema cannot express."""
    problems: list[str] = []
    langs = set(d.languages)
    if d.source_language not in langs:
        problems.append(f"field 'source_language': '{d.source_language}' is not one of languages {d.languages}")

    def need_langs(owner: str, field: str, text: dict[str, str] | None) -> None:
        if text is None:
            return
        missing = sorted(langs - set(text))
        empty = sorted(k for k, v in text.items() if not str(v).strip())
        if missing:
            problems.append(f"{owner}, field '{field}': missing text in {', '.join(missing)}")
        if empty:
            problems.append(f"{owner}, field '{field}': empty text in {', '.join(empty)}")

    for key in ("title", "introduction", "closing"):
        need_langs("questionnaire", key, getattr(d, key))
    for name, scale in d.scales.items():
        need_langs(f"scale '{name}'", "label", scale.label)
        for p in scale.points:
            need_langs(f"scale '{name}'", f"points.{p.code}.label", p.label)
        if scale.not_applicable:
            need_langs(f"scale '{name}'", "not_applicable.label", scale.not_applicable.label)
            if scale.min <= scale.not_applicable.code <= scale.max:
                problems.append(
                    f"scale '{name}', field 'not_applicable.code': {scale.not_applicable.code} lies on the scale; "
                    "use a code outside it (e.g. 99)"
                )
    for name, options in d.choices.items():
        codes = [o.code for o in options]
        if len(set(codes)) != len(codes):
            problems.append(f"choices '{name}': duplicate codes {codes}")
        for o in options:
            need_langs(f"choices '{name}'", f"{o.key}.label", o.label)
    channel_keys = {c.key for c in d.choices.get("channel", [])}

    seen: dict[str, str] = {}
    codes_seen: dict[str, str] = {}

    def register(owner: str, ident: str) -> None:
        if ident in seen:
            problems.append(f"{owner}: id '{ident}' is already used by {seen[ident]}; ids must be unique")
        seen[ident] = owner
        code = platform_code(ident)
        if not CODE_PATTERN.match(code):
            problems.append(f"{owner}: id '{ident}' gives no valid platform code")
        elif code.lower() in codes_seen and codes_seen[code.lower()] != owner:
            problems.append(f"{owner}: platform code '{code}' clashes with {codes_seen[code.lower()]}")
        codes_seen[code.lower()] = owner

    for f in d.context:
        owner = f"context field '{f.id}'"
        register(owner, f.id)
        need_langs(owner, "label", f.label)
        need_langs(owner, "text", f.text)
        if f.type == "choice" and f.choices not in d.choices:
            problems.append(f"{owner}, field 'choices': unknown choice list '{f.choices}'")
    for role in ("id", "group"):
        if sum(f.type == role for f in d.context) != 1:
            problems.append(f"context: exactly one field of type '{role}' is required")
    for c in d.constructs:
        register(f"construct '{c.key}'", c.key)
        need_langs(f"construct '{c.key}'", "label", c.label)
        need_langs(f"construct '{c.key}'", "definition", c.definition)
        for n, i in enumerate(c.items, start=1):
            owner = f"item '{i.id}'"
            register(f"{owner} (construct '{c.key}', item {n})", i.id)
            need_langs(owner, "text", i.text)
            if i.scale not in d.scales:
                problems.append(f"{owner}, field 'scale': unknown scale '{i.scale}'; known: {', '.join(d.scales)}")
            for ch in i.channels or []:
                if ch not in channel_keys:
                    problems.append(f"{owner}, field 'channels': unknown channel '{ch}'; known: {', '.join(sorted(channel_keys))}")
    if sum(c.role == "outcome" for c in d.constructs) != 1:
        problems.append("constructs: exactly one construct with role 'outcome' is required")
    for q in d.questions:
        owner = f"question '{q.id}'"
        register(owner, q.id)
        need_langs(owner, "label", q.label)
        need_langs(owner, "text", q.text)
        if q.type == "scale" and q.scale not in d.scales:
            problems.append(f"{owner}, field 'scale': unknown scale '{q.scale}'")
        if q.type == "choice" and q.choices not in d.choices:
            problems.append(f"{owner}, field 'choices': unknown choice list '{q.choices}'")
    shown: list[str] = []
    for b in d.blocks:
        need_langs(f"block '{b.id}'", "title", b.title)
        need_langs(f"block '{b.id}'", "instruction", b.instruction)
        for entry in b.contents:
            if entry not in seen:
                problems.append(f"block '{b.id}', field 'contents': unknown construct or question '{entry}'")
            shown.append(entry)
    for q in d.questions:
        if q.id not in shown:
            problems.append(f"question '{q.id}' is not placed in any block")
    for c in d.constructs:
        if c.key not in shown:
            problems.append(f"construct '{c.key}' is not placed in any block")
    return problems

