"""Theme lexicons: the data in ``data/lexicon_<language>.yaml`` parsed into patterns.

A lexicon lists, per theme, phrases that name the theme (``cues``: polarity from the
context), phrases that name it with a judgement (``praise``, ``complaint``), and words
that judge it only when it is named (``context_praise``, ``context_complaint``: 'lang'
is a complaint about waiting, not about a friendly agent); besides these, generic
``sentiment`` words, ``negators``, ``contrast`` words that start a new clause,
``irony`` markers and ``promise`` phrases (a promise followed by a negated clause is a
broken promise: :func:`analysis.themes.coding.code_text`). A phrase is a sequence of elements separated by spaces:

* a word, matched by its Snowball stem (``wachten`` matches 'wachtte', 'gewacht');
* a prefix ending in ``*``, matched against the written word (``keuzemenu*``,
  ``wacht*`` for Dutch compounds such as 'wachtmuziek');
* ``<num>``, any number; ``..``, a gap of up to :data:`GAP` words.

A theme with ``needs_judgement: true`` (empathy: 'the agent ...') is coded from a cue
only when its clause judges it; a bare mention of the agent says nothing about empathy.

The files are read once per language (package data, never the network).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml

from analysis.common.errors import InstrumentError, OptionError
from analysis.themes.text import FUZZY_MIN_LENGTH, NUMBER, expand, normalise, stem

GAP = 3
LANGUAGES = ("nl", "en")
DRIVER_THEMES = ("reliability", "empathy", "customer_focus", "customer_knowledge", "wait_time", "accessibility", "menu")
OTHER_THEMES = ("price", "product", "outcome", "channel")
THEMES = DRIVER_THEMES + OTHER_THEMES
POLARITIES = ("praise", "complaint", "neutral")

Element = tuple[str, str]          # (kind, value): kind in 'stem', 'prefix', 'num', 'gap'
Pattern = tuple[Element, ...]


@dataclass(frozen=True)
class ThemeLexicon:
    """The phrases of one theme (see the module docstring)."""
    cues: tuple[Pattern, ...]
    praise: tuple[Pattern, ...]
    complaint: tuple[Pattern, ...]
    context_praise: tuple[Pattern, ...]
    context_complaint: tuple[Pattern, ...]
    default: str
    needs_judgement: bool = False


@dataclass(frozen=True)
class Lexicon:
    """A language's lexicon: themes, generic sentiment, negators, contrast words, irony."""
    language: str
    themes: dict[str, ThemeLexicon]
    praise: tuple[Pattern, ...]
    complaint: tuple[Pattern, ...]
    negators: frozenset[str]
    contrast: frozenset[str]
    irony: tuple[Pattern, ...]
    vocabulary: frozenset[str]       # written lexicon words of five letters or more, for near misses
    stopwords: frozenset[str]
    stems: frozenset[str] = frozenset()   # stems of the theme phrases' words, for Dutch compound heads
    promise: tuple[Pattern, ...] = ()      # 'promised', 'beloofd': with a later negated clause, a broken promise


def parse_phrase(phrase: str, language: str) -> Pattern:
    """One phrase of the lexicon as a pattern (see the module docstring)."""
    elements = []
    for word in expand(phrase, language).split():
        if word == "..":
            elements.append(("gap", ""))
        elif word == NUMBER:
            elements.append(("num", NUMBER))
        elif word.endswith("*"):
            elements.append(("prefix", word[:-1]))
        else:
            elements.append(("stem", stem(word, language)))
    return tuple(elements)


def _patterns(phrases, language: str) -> tuple[Pattern, ...]:
    for phrase in phrases or ():
        if not isinstance(phrase, str):
            # YAML reads a bare no/on/yes as a boolean: the word must be quoted ('no').
            raise InstrumentError(f"lexicon_{language}.yaml: {phrase!r} is not a phrase; quote it in the file")
    return tuple(parse_phrase(p, language) for p in phrases or ())


def _checked(words, language: str) -> list[str]:
    _patterns(words, language)
    return list(words)


def _words(phrases) -> set[str]:
    # A prefix word counts as written ('knowledgeable*' catches 'knowledgable', one edit away).
    return {w.rstrip("*") for p in phrases or () for w in normalise(p).split()
            if w.rstrip("*").isalpha() and len(w.rstrip("*")) >= FUZZY_MIN_LENGTH}


def build_lexicon(spec: dict, language: str) -> Lexicon:
    """A :class:`Lexicon` from the parsed YAML mapping ``spec`` (pure; see :func:`load_lexicon`)."""
    themes = {}
    vocabulary: set[str] = set()
    stems: set[str] = set()
    for theme in THEMES:
        entry = spec["themes"][theme]
        default = entry.get("default", "neutral")
        if default not in POLARITIES:
            raise InstrumentError(f"lexicon_{language}.yaml: default of {theme} must be one of "
                                  f"{', '.join(POLARITIES)}, got {default!r}")
        themes[theme] = ThemeLexicon(*(_patterns(entry.get(k), language) for k in
                                       ("cues", "praise", "complaint", "context_praise", "context_complaint")),
                                     default=default, needs_judgement=bool(entry.get("needs_judgement", False)))
        for key in ("cues", "praise", "complaint"):
            vocabulary |= _words(entry.get(key))
        stems |= {value for key in ("cues", "praise", "complaint", "context_praise", "context_complaint")
                  for pattern in getattr(themes[theme], key) for kind, value in pattern if kind == "stem"}
    sentiment = spec["sentiment"]
    vocabulary |= _words(sentiment["praise"]) | _words(sentiment["complaint"])
    return Lexicon(language=language, themes=themes, praise=_patterns(sentiment["praise"], language),
                   complaint=_patterns(sentiment["complaint"], language),
                   negators=frozenset(normalise(w) for w in _checked(spec["negators"], language)),
                   contrast=frozenset(normalise(w) for w in _checked(spec["contrast"], language)),
                   irony=_patterns(spec.get("irony"), language), vocabulary=frozenset(vocabulary),
                   stopwords=frozenset(normalise(w) for w in _checked(spec.get("stopwords") or [], language)),
                   stems=frozenset(stems), promise=_patterns(spec.get("promise"), language))


def check_language(language) -> str:
    """The language code, or an :class:`OptionError` naming the allowed ones."""
    if language not in LANGUAGES:
        raise OptionError("language", f"must be one of {', '.join(LANGUAGES)}, got {language!r}")
    return language


@lru_cache(maxsize=len(LANGUAGES))
def load_lexicon(language: str) -> Lexicon:
    """The shipped lexicon of ``language`` ('nl' or 'en'), read once from the package data."""
    check_language(language)
    text = resources.files("analysis.themes").joinpath("data", f"lexicon_{language}.yaml").read_text(encoding="utf-8")
    return build_lexicon(yaml.safe_load(text), language)
