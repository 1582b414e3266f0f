"""Dutch and English texts of the reports, and number formatting per language.

:class:`Texts` looks up a sentence by key (:data:`analysis.report.strings.STRINGS`) and
formats numbers the way a reader of that language expects: decimal comma and point
for thousands in Dutch ('1.500', '0,95'), the reverse in English; intervals with an en
dash ('24–40%'), or 'tot'/'to' when a bound is negative ('−5 tot 3'); a true minus sign.
Missing values are shown as '–'. Nothing here computes a statistic.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from analysis.common.options import REPORT_LANGUAGES, check_option
from analysis.report.strings import STRINGS

LANGUAGES = REPORT_LANGUAGES
MISSING = "–"
MINUS = "\u2212"


def _missing(x) -> bool:
    if x is None:
        return True
    try:
        return not math.isfinite(float(x))
    except (TypeError, ValueError):
        return True


@dataclass(frozen=True)
class Texts:
    """Texts and number formats of one language ('nl' or 'en').

    Examples
    --------
    >>> nl = Texts("nl")
    >>> nl.pct_interval(24.3, 40.1), nl.num(0.9512, 2), nl.count(1500), nl.signed(-1.43, 0)
    ('24–40%', '0,95', '1.500', '−1')
    >>> Texts("en").interval(-5.4, 2.6, 0)
    '−5 to 3'
    """

    lang: str
    # How the groups of the report are called (singular, plural), e.g. ('channel', 'channels');
    # filled into {one}/{many} (and {One}/{Many}, capitalized). The organisations by default.
    nouns: tuple[str, str] | None = None

    def __post_init__(self) -> None:
        check_option("lang", self.lang)

    # --- sentences -----------------------------------------------------------------
    def __call__(self, key: str, **values) -> str:
        """The sentence ``key`` in this language, with ``{name}`` fields filled in."""
        try:
            text = STRINGS[key][self.lang]
        except KeyError:
            raise KeyError(f"no text {key!r} in language {self.lang!r}") from None
        if any(f"{{{n}}}" in text for n in ("one", "many", "One", "Many")):
            one, many = self.nouns or (STRINGS["group.one"][self.lang], STRINGS["group.many"][self.lang])
            values = {"one": one, "many": many, "One": one[:1].upper() + one[1:], "Many": many[:1].upper() + many[1:],
                      **values}
        return text.format(**values) if values else text

    def plural(self, noun: str) -> str:
        """The plural of a group's name: from ``group.plurals`` of the texts, else by the usual rule."""
        known = dict(pair.split("=") for pair in STRINGS["group.plurals"][self.lang].split(";"))
        if noun.lower() in known:
            return known[noun.lower()]
        if self.lang == "nl":
            return noun + ("'s" if noun[-1:] in "aiouy" else "en" if noun.endswith(("ing", "heid")) else "s")
        return noun + ("es" if noun.endswith(("s", "x", "ch", "sh")) else "s")

    def has(self, key: str) -> bool:
        return key in STRINGS

    def number_word(self, n: int) -> str:
        """'seven'/'zeven' for 1-10 (how a text says a small count), digits beyond."""
        words = {"nl": "een twee drie vier vijf zes zeven acht negen tien",
                 "en": "one two three four five six seven eight nine ten"}[self.lang].split()
        return words[n - 1] if 1 <= n <= len(words) else str(n)

    # --- numbers -------------------------------------------------------------------
    def num(self, x, digits: int = 0) -> str:
        """A number with ``digits`` decimals, thousands grouped, a true minus sign."""
        if _missing(x):
            return MISSING
        text = f"{float(x):,.{digits}f}"
        if self.lang == "nl":
            text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
        if text.startswith("-"):
            # '-0' after rounding is 0
            text = text[1:] if float(text[1:].replace(".", "").replace(",", "") or 0) == 0 else MINUS + text[1:]
        return text

    def count(self, n) -> str:
        return MISSING if _missing(n) else self.num(int(n), 0)

    def signed(self, x, digits: int = 1) -> str:
        """A difference with its sign: '+3,2', '−1,4', '0'."""
        text = self.num(x, digits)
        if text == MISSING or text.startswith(MINUS) or float(x) == 0 or text.strip("0,.") == "":
            return text
        return "+" + text

    def pct(self, x, digits: int = 0) -> str:
        return MISSING if _missing(x) else f"{self.num(x, digits)}%"

    def interval(self, lo, hi, digits: int = 0) -> str:
        """'24–40', or '−5 tot 3' / '−5 to 3' when a bound is negative."""
        if _missing(lo) or _missing(hi):
            return MISSING
        a, b = self.num(lo, digits), self.num(hi, digits)
        if a.startswith(MINUS) or b.startswith(MINUS):
            return f"{a} {self('range.to')} {b}"
        return f"{a}–{b}"

    def pct_interval(self, lo, hi, digits: int = 0) -> str:
        text = self.interval(lo, hi, digits)
        return text if text == MISSING else f"{text}%"

    def rank_interval(self, lo, hi) -> str:
        if _missing(lo) or _missing(hi):
            return MISSING
        return str(int(lo)) if int(lo) == int(hi) else f"{int(lo)}–{int(hi)}"

    def format(self, kind: str, value) -> str:
        """Format one table cell of ``kind`` (see :class:`analysis.report.blocks.Column`)."""
        if kind == "text":
            if isinstance(value, float) and not math.isnan(value):
                return self.num(value, 2)
            if isinstance(value, int) and not isinstance(value, bool):
                return str(value)
            return MISSING if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)
        if kind == "bool":
            return MISSING if value is None else self("yes") if value else self("no")
        if kind == "check":
            return "" if value is None else "✓" if value else "✗"
        if kind in ("count", "rank"):
            return self.count(value)
        if kind == "pct":
            return self.pct(value, 0)
        if kind == "pct1":
            return self.pct(value, 1)
        if kind == "share":                      # a proportion 0-1, shown as a percentage
            return MISSING if _missing(value) else self.pct(100 * float(value), 0)
        if kind == "score":
            return self.num(value, 0)
        if kind == "signed":
            return self.signed(value, 1)
        if kind == "nps":
            return self.signed(value, 0)
        if kind == "pvalue":
            return MISSING if _missing(value) else ("< " + self.num(0.001, 3)) if value < 0.001 else self.num(value, 3)
        if kind.startswith("num"):
            return self.num(value, int(kind[3:] or 2))
        raise ValueError(f"unknown cell kind {kind!r}")

    def format_interval(self, kind: str, lo, hi) -> str:
        """The interval of a cell of ``kind``, e.g. '24–40%' for 'pct', '1–3' for 'rank'."""
        if kind == "rank":
            return self.rank_interval(lo, hi)
        if kind in ("pct", "pct1"):
            return self.pct_interval(lo, hi, 1 if kind == "pct1" else 0)
        if kind == "score":
            return self.interval(lo, hi, 0)
        if kind in ("signed", "nps"):
            return self.interval(lo, hi, 1 if kind == "signed" else 0)
        if kind.startswith("num"):
            return self.interval(lo, hi, int(kind[3:] or 2))
        raise ValueError(f"cell kind {kind!r} has no interval format")
