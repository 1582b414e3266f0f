"""Text preparation for theme coding: normalising, tokens, clauses, stems, near-misses.

Pure functions. An answer is normalised to NFKC lower case without accents
(``één`` -> ``een``), English contractions are opened (``didn't`` -> ``did not``) so that
negation is one token, and split into word tokens. Tokens are stemmed with the Snowball
stemmers (Porter 2001, *Snowball: a language for stemming algorithms*; the Dutch and
English (Porter2) algorithms of the ``snowballstemmer`` package), so that 'wachten',
'wachtte' and 'gewacht' meet at one stem, and 'waited'/'waiting' at 'wait'.

Respondents misspell ('wachtijd', 'freindly', 'helpfull'): a token that matches no
lexicon word is compared with the lexicon's words by the optimal string alignment
distance (Damerau 1964: one insertion, deletion, substitution or transposition of
neighbours); words of at least :data:`FUZZY_MIN_LENGTH` letters within distance one
count as the lexicon word.

Dutch writes compounds as one word ('telefoonwachttijd', 'klantenservicemedewerker',
'abonnementsprijs'); their head, the last part, carries the meaning (Booij 2002, *The
Morphology of Dutch*, ch. 4). A Dutch token whose stem is no lexicon stem but ends in one
(:func:`compound_head`) is read as that head, so 'wachttijd' in the lexicon finds
'telefoonwachttijd'. Derivational prefixes are not compound parts ('verwacht' is not a
kind of 'wacht', 'onvriendelijk' not a kind of 'vriendelijk'), so the rest must be at least
:data:`COMPOUND_MIN_MODIFIER` letters and no such prefix.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

FUZZY_MIN_LENGTH = 5
COMPOUND_MIN_HEAD = 4
COMPOUND_MIN_MODIFIER = 3
# Dutch prefixes that derive words rather than compound them (Booij 2002, ch. 5).
_DUTCH_PREFIXES = ("ver", "her", "ont", "mis", "be", "ge", "er", "on", "weg", "aan", "op", "af", "uit", "in", "door", "over", "voor", "mee", "terug", "toe")
NUMBER = "<num>"

_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[.!?;:,()\"]|\.\.\.")
_CONTRACTIONS = (
    (re.compile(r"\b(can)'?t\b"), r"\1 not"), (re.compile(r"\bwon'?t\b"), "will not"),
    (re.compile(r"\b(\w+)n't\b"), r"\1 not"),
    (re.compile(r"\b(did|does|do|was|were|is|are|could|would|should|has|have|had|is|ai)nt\b"), r"\1 not"),
)
_STEMMER_NAMES = {"nl": "dutch", "en": "english"}
_COUNT = re.compile(r"(\d+)x")
_ORDINAL = re.compile(r"\d+(?:e|de|ste|st|nd|rd|th)")
_ONCE = {"nl": ["een", "keer"], "en": ["once"]}
_TIMES = {"nl": "keer", "en": "times"}


def normalise(text: str) -> str:
    """Lower case, compatibility form, accents removed, curly quotes straightened."""
    text = unicodedata.normalize("NFKC", str(text)).replace("\u2019", "'").replace("\u2018", "'")
    text = "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")
    return text.lower()


def expand(text: str, language: str) -> str:
    """Normalised text with English contractions opened ('didn't' -> 'did not')."""
    text = normalise(text)
    if language == "en":
        for pattern, replacement in _CONTRACTIONS:
            text = pattern.sub(replacement, text)
    return text


def tokens(text: str, language: str) -> list[str]:
    """Word and punctuation tokens of a normalised answer (numbers become :data:`NUMBER`).

    Counts and ordinals written with digits are read as words: '3x' as '<num> keer' /
    '<num> times' ('1x' as 'een keer' / 'once'), '4e', '3de', '3rd', '5th' as '<num>', so
    that 'moest 4x bellen' meets '<num> keer bellen' and 'the 3rd call' '<num> call'.
    """
    text = expand(text, language)
    out = []
    for token in _TOKEN.findall(text):
        count = _COUNT.fullmatch(token)
        if token.isdigit() or _ORDINAL.fullmatch(token):
            out.append(NUMBER)
        elif count:
            one = count.group(1).lstrip("0") == "1"
            out.extend(_ONCE[language] if one else [NUMBER, _TIMES[language]])
        else:
            out.append(token)
    return out


def is_word(token: str) -> bool:
    """Whether a token is a word (not punctuation)."""
    return token[0].isalnum() or token == NUMBER


@lru_cache(maxsize=4)
def _stemmer(language: str):
    return snowballstemmer.stemmer(_STEMMER_NAMES[language])


@lru_cache(maxsize=200_000)
def stem(word: str, language: str) -> str:
    """The Snowball stem of one normalised word (numbers and punctuation unchanged)."""
    if not is_word(word) or word == NUMBER:
        return word
    return _stemmer(language).stemWord(word)


def osa_distance(a: str, b: str, limit: int = 1) -> int:
    """Optimal string alignment distance, or ``limit + 1`` once it exceeds ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


@lru_cache(maxsize=100_000)
def near_word(word: str, vocabulary: frozenset[str]) -> str | None:
    """The vocabulary word one edit away from ``word`` (None if none, or ``word`` is short).

    Only words of equal first letter are compared: misspellings rarely change the first
    letter, and it keeps the comparison cheap. Ties go to the alphabetically first word.
    """
    if len(word) < FUZZY_MIN_LENGTH or word in vocabulary:
        return None
    for candidate in sorted(vocabulary):
        if len(candidate) >= FUZZY_MIN_LENGTH and candidate[0] == word[0] and osa_distance(word, candidate) <= 1:
            return candidate
    return None


@lru_cache(maxsize=100_000)
def compound_head(word_stem: str, stems: frozenset[str]) -> str | None:
    """The longest lexicon stem that ends a Dutch compound's stem, or None.

    ``word_stem`` is the Snowball stem of a token that is not itself a lexicon stem. The
    head must have at least :data:`COMPOUND_MIN_HEAD` letters and the modifier before it
    at least :data:`COMPOUND_MIN_MODIFIER`, not being a derivational or separable-verb prefix
    ('verwacht', 'opgelost', 'terugbellen' are words of their own, not compounds).
    """
    if word_stem in stems:
        return None
    for cut in range(COMPOUND_MIN_MODIFIER, len(word_stem) - COMPOUND_MIN_HEAD + 1):
        head, modifier = word_stem[cut:], word_stem[:cut]
        if head in stems and modifier not in _DUTCH_PREFIXES and head[0].isalpha():
            return head
    return None
