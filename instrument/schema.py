"""Typed schema of the questionnaire definition file.

The YAML file is parsed into these pydantic models; everything that is not a
well-formed questionnaire is rejected with a message that names the item and field
(see :func:`instrument.definition.load_instrument`).
"""
from __future__ import annotations

import re
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

ID_PATTERN = r"^[a-z][a-z0-9_]*$"
# Platform question codes: alphanumeric and letter-initial (LimeSurvey renames
# anything else on import, which would break reading responses back).
CODE_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")

LocalizedText = dict[str, str]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ScalePoint(_Strict):
    code: int
    label: LocalizedText


class NotApplicable(_Strict):
    code: int
    label: LocalizedText


class Scale(_Strict):
    """A labelled answer scale. ``not_applicable`` is a declared code outside the scale."""

    type: Literal["likert", "rating", "nps"]
    label: LocalizedText
    points: list[ScalePoint] = Field(min_length=2)
    not_applicable: NotApplicable | None = None

    @field_validator("points")
    @classmethod
    def _consecutive(cls, points: list[ScalePoint]) -> list[ScalePoint]:
        codes = [p.code for p in points]
        if codes != list(range(codes[0], codes[0] + len(codes))):
            raise ValueError(f"scale codes must be consecutive integers, got {codes}")
        return points

    @property
    def codes(self) -> list[int]:
        return [p.code for p in self.points]

    @property
    def min(self) -> int:
        return self.points[0].code

    @property
    def max(self) -> int:
        return self.points[-1].code

    @property
    def na_code(self) -> int | None:
        return self.not_applicable.code if self.not_applicable else None


class Choice(_Strict):
    code: int
    key: str = Field(pattern=ID_PATTERN)
    label: LocalizedText


class Item(_Strict):
    """One scale item of a construct battery."""

    id: str = Field(pattern=ID_PATTERN)
    scale: str
    text: LocalizedText
    reverse: bool = False
    channels: list[str] | None = None


class Construct(_Strict):
    key: str = Field(pattern=ID_PATTERN)
    role: Literal["driver", "outcome"]
    label: LocalizedText
    definition: LocalizedText
    items: list[Item] = Field(min_length=2)

    @property
    def item_ids(self) -> list[str]:
        return [i.id for i in self.items]


class ContextField(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    type: Literal["id", "group", "choice", "date", "text", "number"]
    label: LocalizedText
    required: bool = False
    choices: str | None = None
    text: LocalizedText | None = None
    personal: bool = False


class Question(_Strict):
    """A single question outside the construct batteries (outcome KPIs, reason, open)."""

    id: str = Field(pattern=ID_PATTERN)
    type: Literal["scale", "choice", "open"]
    label: LocalizedText
    text: LocalizedText
    scale: str | None = None
    choices: str | None = None
    measure: Literal["csat", "nps", "ces", "fcr"] | None = None
    personal: bool = False


class Block(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    title: LocalizedText
    instruction: LocalizedText | None = None
    contents: list[str] = Field(min_length=1)


class QuestionnaireFile(_Strict):
    """The root of the definition file."""

    format_version: Literal[1]
    content_version: str = Field(pattern=r"^\d+\.\d+\.\d+$")
    # The day this content version was fixed (YYYY-MM-DD): exports that carry a date
    # (the Qualtrics .qsf) take it from here, so the same version gives the same file.
    content_date: date | None = None
    id: str
    source_language: str
    languages: list[str] = Field(min_length=1)
    title: LocalizedText
    introduction: LocalizedText
    closing: LocalizedText
    scales: dict[str, Scale]
    choices: dict[str, list[Choice]]
    context: list[ContextField]
    constructs: list[Construct] = Field(min_length=1)
    questions: list[Question]
    blocks: list[Block] = Field(min_length=1)


def localized_texts(node, owner: str = "questionnaire"):
    """Every localized text of a definition, as ``(owner, field, {language: text})``.

    ``owner`` names the entry as load errors do ("item 'rel1'", "scale 'agree7'"); the
    walk follows the model's fields, so a new text field is covered without listing it.
    """
    if isinstance(node, BaseModel):
        ident = getattr(node, "id", None) or getattr(node, "key", None)
        kind = _KINDS.get(type(node).__name__)
        if kind and isinstance(ident, str):
            owner = f"{kind} '{ident}'"
        for name in type(node).model_fields:
            value = getattr(node, name)
            if isinstance(value, dict) and value and all(isinstance(v, str) for v in value.values()):
                yield owner, name, value
            elif isinstance(value, dict):
                singular = {"scales": "scale", "choices": "choices"}.get(name, name)
                for key, entry in value.items():
                    yield from localized_texts(entry, f"{singular} '{key}'")
            else:
                yield from localized_texts(value, owner)
    elif isinstance(node, list):
        for value in node:
            yield from localized_texts(value, owner)


_KINDS = {"Construct": "construct", "Item": "item", "Question": "question", "ContextField": "context field",
          "Block": "block", "Choice": "choice"}


def undeclared_languages(definition: QuestionnaireFile) -> list[str]:
    """One note per language that has texts in the file but is not in ``languages:``.

    Such texts are never used (exports, labels and reports only offer the declared
    languages), which is almost always a mistake: a translation added without declaring it.

    Examples
    --------
    >>> from instrument import load_instrument
    >>> undeclared_languages(load_instrument().definition)
    []
    """
    declared = set(definition.languages)
    found: dict[str, list[str]] = {}
    for owner, field, text in localized_texts(definition):
        for lang in text:
            if lang not in declared:
                found.setdefault(lang, []).append(f"{owner}, field '{field}'")
    return [
        f"texts in language '{lang}' ({len(where)} text(s), e.g. {where[0]}) are not used: '{lang}' is not in "
        f"languages {list(definition.languages)}; add it there (with every text translated) or remove them"
        for lang, where in sorted(found.items())
    ]
