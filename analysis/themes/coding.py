"""Code one open answer: the themes it speaks about, each with a polarity.

The method (deterministic, no model fitted; documented in ``tests/data/themes/GUIDE.md``
for the labels and here for the rules):

1. The answer is normalised and split into tokens (:mod:`analysis.themes.text`) and
   into clauses at sentence punctuation, commas and contrast words ('maar', 'but'). A
   token one edit from a lexicon word of five letters or more is read as that word
   ('wachtijd', 'freindly'); a Dutch compound that is no lexicon word is read by its head
   when that is one ('telefoonwachttijd' -> 'wachttijd', not 'verwacht' -> 'wacht'), and
   an inflected Dutch adjective whose '-e' the stemmer keeps by its stem ('fijne' ->
   'fijn'). Counts and ordinals are words ('4x' -> '<num> keer', '3rd' -> '<num>'), and
   Dutch 'maar' as a particle ('alleen maar erger', 'zelf maar uitzoeken') starts no clause.
2. In each clause every theme's phrases are matched (:mod:`analysis.themes.lexicon`);
   of overlapping matches of one theme the longest counts ('binnen 2 minuten' is praise
   although '2 minuten' alone is a complaint). **Disambiguation**: a phrase or cue inside a
   longer phrase of another theme is left to that theme ('keuzemenu te lang' is about the
   menu, 'bellen kost veel' about waiting rather than price, 'opening hours' about
   accessibility rather than hours of waiting). Words whose Snowball stem collides with
   another word's are written as prefixes in the lexicon ('gegevens*', not 'gegevens',
   whose stem is that of 'geven').
3. **Negation**: a judging match is reversed when a negator ('niet', 'geen', 'nooit',
   'not', 'never', ...) stands in the :data:`NEGATION_WINDOW` words before it in its
   clause, or inside it without being part of the phrase ('viel niet mee'). Negators
   that are part of a phrase ('geen wachttijd') do not count.
4. A theme's polarity in a clause is the balance of its judging matches (a tie is a
   complaint: customers hedge praise, rarely complaints); failing one, the
   balance of its context words in the clause, then of the generic sentiment words in
   the clause, then of the whole answer, then the theme's default. Across clauses the
   last judgement wins (the labelling guide's rule for a theme praised and criticised).
   A theme that needs a judgement (empathy: 'the agent', 'a person') judged only by a
   generic word counts only when its clause is about no other theme: in 'simple menu,
   got the right person' the praise is the menu's.
5. **Irony**: an irony marker (a closing shouted '... NOT', 'echt een aanrader', 'well done', a praise word
   in quotes) turns every praise in the answer into a complaint: customers use praise
   words sarcastically about what went wrong (labelling guide, 'Negation, irony').
6. **Broken promise**: a promise ('promised', 'beloofd', 'said they would') followed by a
   clause with a negator ('..., never received', '..., niks ontvangen') is a customer-focus
   complaint (the guide: a promise broken by the organisation), unless the theme is
   already judged.
7. The answer's polarity: 'mixed' if its themes carry praise and complaint, else the
   one they carry; with no judged theme, the balance of generic sentiment words; else
   'neutral'.

The lexicons' phrases come from the development answers of the labelled set
(``tests/data/themes/answers.csv``) and from the simulator's phrase bank
(:mod:`analysis.simulation.phrases`, written from the questionnaire's item texts and the
labelling guide's theme definitions), never from a blind set; ``tests/test_themes_benchmark.py``
checks that every phrase matches development material. The shipped coder combines these
rules with a classifier trained on the labelled answers (:mod:`analysis.themes.classifier`),
which generalises better to answers written by others.

Lexicon-based coding with negation and clause-level polarity follows Taboada et al.
(2011), *Lexicon-based methods for sentiment analysis*, Computational Linguistics 37(2).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from analysis.themes.lexicon import GAP, THEMES, Lexicon, Pattern
from analysis.themes.text import NUMBER, compound_head, is_word, near_word, normalise, stem, tokens

NEGATION_WINDOW = 3
_CLAUSE_BREAK = frozenset(".!?;:,()\"")
_QUOTED = re.compile(r"(?:^|[\s(])['\"]([a-z]+)['\"](?=[\s.,!?)]|$)")


@dataclass(frozen=True)
class _Token:
    word: str
    stem: str


# Dutch 'maar' is a contrast word ('aardig, maar ...') except as a particle: after 'alleen',
# 'zelf', 'gewoon', ... ('alleen maar erger', 'zoek het zelf maar uit') or before 'wat', 'raak'
# ('gokte maar wat'), where it joins, not contrasts (ANS 2nd ed., 'maar' as modal particle).
_PARTICLE_BEFORE = {"nl": {"maar": frozenset({"alleen", "zelf", "gewoon", "nou", "eens", "even", "dan", "ook", "het",
                                                "je", "ze", "wel"})}}
_PARTICLE_AFTER = {"nl": {"maar": frozenset({"wat", "raak", "eens", "even", "liefst"})}}


def _is_particle(words: list[str], i: int, language: str) -> bool:
    before = _PARTICLE_BEFORE.get(language, {}).get(words[i])
    after = _PARTICLE_AFTER.get(language, {}).get(words[i])
    return bool(before and i > 0 and words[i - 1] in before) or bool(after and i + 1 < len(words)
                                                                     and words[i + 1] in after)


def _prepare(text: str, lexicon: Lexicon) -> list[list[_Token]]:
    """Clauses of (word, stem) tokens; misspelt words take the stem of their lexicon neighbour."""
    clauses: list[list[_Token]] = [[]]
    words = tokens(text, lexicon.language)
    for i, word in enumerate(words):
        if word in lexicon.contrast and _is_particle(words, i, lexicon.language):
            continue
        if word in _CLAUSE_BREAK or word == "..." or word in lexicon.contrast:
            if clauses[-1]:
                clauses.append([])
            continue
        if not is_word(word):
            continue
        close = near_word(word, lexicon.vocabulary)
        token_stem = stem(close or word, lexicon.language)
        if lexicon.language == "nl" and not close:
            token_stem = _inflected(token_stem, lexicon.stems) or compound_head(token_stem, lexicon.stems) or token_stem
        # a misspelt word is read as its neighbour, also by the prefix elements ('knowledgable')
        clauses[-1].append(_Token(close or word, token_stem))
    return [c for c in clauses if c]


def _inflected(word_stem: str, stems: frozenset[str]) -> str | None:
    """A Dutch adjective's inflected form whose '-e' the Snowball stemmer keeps ('fijne' -> 'fijn').

    The Dutch algorithm removes a final '-e' only inside its region R1, which short words
    lack; when the form without the '-e' is a lexicon stem and the form with it is not,
    it is read as that stem.
    """
    if word_stem not in stems and word_stem.endswith("e") and word_stem[:-1] in stems:
        return word_stem[:-1]
    return None


def _element_matches(element, token: _Token) -> bool:
    kind, value = element
    if kind == "num":
        return token.word == NUMBER
    if kind == "prefix":
        return token.word.startswith(value)
    return token.stem == value


def _match_at(pattern: Pattern, clause: list[_Token], start: int) -> list[int] | None:
    """Positions of the pattern's words when it matches from ``start``, else None."""
    positions: list[int] = []
    i = start
    gap = 0
    for element in pattern:
        if element[0] == "gap":
            gap = GAP
            continue
        limit = min(len(clause), i + gap + 1)
        found = next((j for j in range(i, limit) if _element_matches(element, clause[j])), None)
        if found is None or (not positions and found != start):
            return None
        positions.append(found)
        i, gap = found + 1, 0
    return positions


def find(patterns, clause: list[_Token]) -> list[tuple[int, int, list[int]]]:
    """Every match as (first position, last position, matched positions)."""
    out = []
    stems = {t.stem for t in clause}
    words = {t.word for t in clause}
    for pattern in patterns:
        # Cheap pre-check: every element occurs somewhere in the clause.
        if not all(value in stems if kind == "stem" else value in words if kind == "num" else
                   kind == "gap" or any(w.startswith(value) for w in words) for kind, value in pattern):
            continue
        for start in range(len(clause)):
            positions = _match_at(pattern, clause, start)
            if positions:
                out.append((positions[0], positions[-1], positions))
    return out


def _negated(match, clause: list[_Token], lexicon: Lexicon) -> bool:
    first, last, positions = match
    before = range(max(0, first - NEGATION_WINDOW), first)
    inside = (j for j in range(first, last + 1) if j not in positions)
    return any(clause[j].word in lexicon.negators for j in (*before, *inside))


def _judged(lexicon: Lexicon, clause, praise, complaint) -> list[tuple[int, int, int]]:
    """Judging matches as (first, last, +1/-1) after negation, overlaps resolved longest-first."""
    raw = [(m, 1) for m in find(praise, clause)] + [(m, -1) for m in find(complaint, clause)]
    raw.sort(key=lambda item: (-(item[0][1] - item[0][0]), item[0][0]))
    kept: list[tuple[int, int, int]] = []
    for (first, last, positions), sign in raw:
        if any(not (last < a or first > b) for a, b, _ in kept):
            continue
        negated = _negated((first, last, positions), clause, lexicon)
        kept.append((first, last, -sign if negated else sign))
    return sorted(kept)


def _inside_longer(first: int, last: int, theme: str, spans: dict) -> bool:
    """Whether another theme's judging match strictly contains this one ('keuzemenu te lang' vs 'te lang')."""
    return any(a <= first and last <= b and b - a > last - first
               for other, matches in spans.items() if other != theme for a, b, _ in matches)


def _inside_other(first: int, last: int, theme: str, spans: dict) -> bool:
    """Whether another theme's judging match covers this cue (see :func:`code_text`)."""
    return any(a <= first and last <= b for other, matches in spans.items() if other != theme
               for a, b, _ in matches)


def _balance(judged) -> int:
    total = sum(sign for _, _, sign in judged)
    return (total > 0) - (total < 0)


_SHOUTED_NOT = re.compile(r"(?:\.\.\.|\s)\s*(?:NOT|NIET)\s*[.!]*\s*$")


def _ironic(text: str, clauses, lexicon: Lexicon) -> bool:
    # 'Lekker snel weer... NOT': a shouted negation closing the answer takes back all that went before.
    if _SHOUTED_NOT.search(unicodedata.normalize("NFKC", text)):
        return True
    if any(find(lexicon.irony, clause) for clause in clauses):
        return True
    quoted = [stem(w, lexicon.language) for w in _QUOTED.findall(normalise(text))]
    return any(find(lexicon.praise, [_Token(w, w)]) for w in quoted)


def _broken_promise(clauses, lexicon: Lexicon) -> bool:
    """A promise ('promised a refund', 'er werd beloofd') and, in a later clause, a negation ('never
    received', 'niks ontvangen'): the organisation did not keep its word (customer focus, GUIDE.md)."""
    for index, clause in enumerate(clauses):
        for first, last, _ in find(lexicon.promise, clause):
            kept = [m for t in ("reliability", "customer_focus") for m in find(lexicon.themes[t].praise, clause)]
            if any(not (b < first or a > last) for a, b, _ in kept):
                continue     # 'exactly as promised', 'called back as promised': a promise kept
            if any(t.word in lexicon.negators for later in clauses[index + 1:] for t in later):
                return True
    return False


def code_text(text: str, lexicon: Lexicon) -> tuple[dict[str, str], str]:
    """Themes of one answer with their polarity, and the answer's polarity.

    Parameters
    ----------
    text : str
        One open answer.
    lexicon : Lexicon
        The language's lexicon (:func:`analysis.themes.lexicon.load_lexicon`).

    Returns
    -------
    themes : dict
        Theme -> 'praise', 'complaint' or 'neutral', in the order of :data:`THEMES`.
    polarity : str
        'praise', 'complaint', 'mixed' or 'neutral' for the answer as a whole.
    """
    if text is None or not str(text).strip():
        return {}, "neutral"
    clauses = _prepare(str(text), lexicon)
    ironic = _ironic(str(text), clauses, lexicon)
    flip = (lambda s: -1 if s > 0 else s) if ironic else (lambda s: s)
    generic = [_balance([(a, b, flip(s)) for a, b, s in _judged(lexicon, c, lexicon.praise, lexicon.complaint)])
               for c in clauses]
    overall = (sum(generic) > 0) - (sum(generic) < 0)
    found: dict[str, int | None] = {}
    for index, clause in enumerate(clauses):
        # Multi-word cues claim their words too: 'opening hours' is about accessibility, not 'hours' of waiting.
        cue_spans = {theme: [(a, b, 0) for a, b, _ in find(lexicon.themes[theme].cues, clause) if b > a]
                     for theme in THEMES}
        spans = {theme: _judged(lexicon, clause, lexicon.themes[theme].praise, lexicon.themes[theme].complaint)
                 for theme in THEMES}
        in_clause: set[str] = set()
        generic_only: list[tuple[str, int]] = []
        for theme in THEMES:
            entry = lexicon.themes[theme]
            judged = [(a, b, flip(s)) for a, b, s in spans[theme]
                      if not _inside_longer(a, b, theme, spans) and not _inside_longer(a, b, theme, cue_spans)]
            if judged:
                # Within a clause the balance counts, a tie going to the complaint ('nobody could
                # tell me what happens next'); across clauses the later judgement wins.
                found[theme] = _balance(judged) or -1
                in_clause.add(theme)
                continue
            # A cue inside another theme's judging phrase belongs to that phrase: 'bellen kost veel'
            # is about waiting, not price; 'het keuzemenu is een doolhof' about the menu.
            if not [m for m in find(entry.cues, clause) if not _inside_other(m[0], m[1], theme, spans)
                    and not _inside_longer(m[0], m[1], theme, cue_spans)]:
                continue
            context = [(a, b, flip(s)) for a, b, s in
                       _judged(lexicon, clause, entry.context_praise, entry.context_complaint)]
            if entry.needs_judgement and not _balance(context):
                # 'the agent' judged only by a generic word ('great', 'love it'): decided below, once
                # it is known whether the clause is about another theme.
                if generic[index]:
                    generic_only.append((theme, generic[index]))
                continue
            sign = _balance(context) or generic[index]
            if sign or found.get(theme) is None:
                found[theme] = sign or None
            in_clause.add(theme)
        # A generic judgement in a clause about another aspect ('simple menu, got the right
        # person') belongs to that aspect, not to the person named in passing.
        for theme, sign in generic_only:
            if not in_clause - {theme}:
                found[theme] = sign
    if "customer_focus" not in found and _broken_promise(clauses, lexicon):
        found["customer_focus"] = -1
    default = {"praise": 1, "complaint": -1, "neutral": 0}
    themes = {}
    for theme in THEMES:
        if theme in found:
            sign = found[theme]
            if sign is None:
                sign = overall or default[lexicon.themes[theme].default]
            themes[theme] = "praise" if sign > 0 else "complaint" if sign < 0 else "neutral"
    return themes, answer_polarity(themes, "praise" if overall > 0 else "complaint" if overall < 0 else "neutral")


def answer_polarity(themes: dict, without_judged_theme: str) -> str:
    """The answer's overall polarity from its themes' polarities (GUIDE.md's rule).

    Praise and complaint among the themes make it ``mixed``; one of them makes it that one;
    with no judged theme the reading of the answer's generic words (``without_judged_theme``:
    'Top!', 'Slecht.') stands.
    """
    judged = set(themes.values()) - {"neutral"}
    if len(judged) == 2:
        return "mixed"
    return judged.pop() if judged else without_judged_theme
