"""Number formats and texts of the reports in Dutch and English."""
from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from analysis.common.errors import OptionError
from analysis.report.i18n import MINUS, Texts
from analysis.report.strings import STRINGS

nl, en = Texts("nl"), Texts("en")


def test_numbers_follow_the_language():
    assert (nl.num(1234.567, 1), en.num(1234.567, 1)) == ("1.234,6", "1,234.6")
    assert (nl.count(1500), en.count(1500)) == ("1.500", "1,500")
    assert nl.num(-0.04, 1) == "0,0" and nl.num(-1.26, 1) == f"{MINUS}1,3"
    assert (nl.signed(3.24), nl.signed(-1.44), nl.signed(0.0)) == ("+3,2", f"{MINUS}1,4", "0,0")
    assert nl.num(math.nan) == nl.pct(None) == "–"


def test_intervals_use_an_en_dash_or_words_for_negative_bounds():
    assert nl.pct_interval(24.3, 40.1) == "24–40%" and en.pct_interval(9.6, 23.5, 1) == "9.6–23.5%"
    assert nl.interval(-5.4, 2.6) == f"{MINUS}5 tot 3" and en.interval(-20.2, -3.8) == f"{MINUS}20 to {MINUS}4"
    assert nl.rank_interval(1, 3) == "1–3" and nl.rank_interval(2, 2) == "2" and nl.rank_interval(None, 3) == "–"


@pytest.mark.parametrize("kind, value, text", [
    ("pct", 36.49, "36%"), ("pct1", 36.49, "36,5%"), ("share", 0.784, "78%"), ("score", 67.7, "68"),
    ("nps", -11.8, f"{MINUS}12"), ("num2", 0.8184, "0,82"), ("num3", 0.01169, "0,012"), ("count", 1420, "1.420"),
    ("pvalue", 3e-27, "< 0,001"), ("pvalue", 0.0481, "0,048"), ("bool", True, "ja"), ("check", False, "✗"),
    ("text", "Telecom", "Telecom"), ("text", 2000, "2000"),
])
def test_cell_formats(kind, value, text):
    assert nl.format(kind, value) == text


def test_unknown_language_and_kind_are_errors():
    with pytest.raises(OptionError, match="lang must be one of nl, en, got .de."):
        Texts("de")
    with pytest.raises(ValueError, match="unknown cell kind"):
        nl.format("colour", 1)
    with pytest.raises(KeyError, match="no text"):
        nl("no.such.key")


def test_every_text_exists_in_both_languages_with_the_same_fields():
    for key, texts in STRINGS.items():
        assert set(texts) == {"nl", "en"}, key
        fields = [set(re.findall(r"{(\w+)}", texts[lang])) for lang in ("nl", "en")]
        assert fields[0] == fields[1], key


def test_every_key_the_code_asks_for_exists():
    package = Path(__file__).parents[1] / "analysis" / "report"
    code = " ".join(p.read_text(encoding="utf-8") for p in package.glob("*.py"))
    code += (package / "templates" / "report.html").read_text(encoding="utf-8")
    literal = set(re.findall(r"\bt\(\"([\w. -]+)\"[,)]", code))          # whole keys, not prefixes
    assert literal and not {k for k in literal if k not in STRINGS}
