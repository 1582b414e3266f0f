"""The printable questionnaire: HTML (escaped, self-contained) and PDF (every item text present)."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
import yaml

from instrument import load_instrument
from instrument.definition import DEFAULT_PATH
from instrument.export import to_html, to_pdf


class _Text(HTMLParser):
    """Collects the visible text and the tags of an HTML document."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.tags: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag in ("style", "script"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("style", "script"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible(html: str) -> tuple[str, list[str]]:
    parser = _Text()
    parser.feed(html)
    return norm(" ".join(parser.parts)), parser.tags


def norm(text: str) -> str:
    return " ".join(text.split())


def all_texts(inst, lang):
    d = inst.definition
    out = [d.title[lang], d.introduction[lang], d.closing[lang]]
    out += [i.text[lang] for i in inst.items]
    out += [q.text[lang] for q in d.questions]
    out += [f.text[lang] for f in d.context if f.text]
    out += [b.title[lang] for b in d.blocks]
    return [norm(t) for t in out]


def test_html_has_every_text_in_both_languages(inst):
    text, tags = visible(to_html(inst, "nl,en"))
    for lang in ("nl", "en"):
        for t in all_texts(inst, lang):
            assert t in text, t
    for label in ("Helemaal mee oneens", "Strongly agree", "Niet van toepassing / weet ik niet", "Zeer waarschijnlijk"):
        assert label in text
    for item in inst.items:
        assert re.search(rf"\b{item.id}\b", text)  # variable codes printed for data entry
    assert "script" not in tags and "link" not in tags and "img" not in tags  # self-contained


def test_html_single_language_has_no_other_language(inst):
    text, _ = visible(to_html(inst, ["en"]))
    assert inst.item("emp1").text["en"] in text
    assert inst.item("emp1").text["nl"] not in text
    assert inst.title["nl"] not in text


def test_phone_only_batteries_carry_a_routing_note(inst):
    text, _ = visible(to_html(inst, "nl,en"))
    assert text.count("Alleen invullen bij contact via: Telefoon") == 2  # wait time and phone menu
    assert text.count("Only answer if your contact was by: Phone") == 2


def test_print_css_is_present(inst):
    html = to_html(inst, "nl,en")
    assert "@page" in html and "landscape" in html
    assert "portrait" in to_html(inst, "nl")


def test_texts_are_escaped(tmp_path):
    raw = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    raw["constructs"][0]["items"][0]["text"]["en"] = "The agent <script>alert(1)</script> & <b>co</b>"
    path = tmp_path / "q.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    html = to_html(load_instrument(path), "en")
    assert "<script>" not in html and "<b>co</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;co&lt;/b&gt;" in html


def test_bad_language_is_a_value_error(inst):
    with pytest.raises(ValueError, match="'de' is not one of nl, en"):
        to_html(inst, "de")


@pytest.mark.parametrize("langs", ["nl,en", "nl"])
def test_pdf_contains_every_item_text(inst, tmp_path, langs):
    pypdf = pytest.importorskip("pypdf")  # test dependency: pypdf
    path = to_pdf(inst, langs, tmp_path / "q.pdf")
    assert path.read_bytes()[:5] == b"%PDF-"
    reader = pypdf.PdfReader(path)
    assert len(reader.pages) >= 2
    text = norm(" ".join(page.extract_text() for page in reader.pages))
    for lang in langs.split(","):
        for t in all_texts(inst, lang):
            assert t in text, t
    if "en" not in langs:
        assert inst.item("emp1").text["en"] not in text


def test_pdf_to_unwritable_path_is_a_user_error(inst, tmp_path):
    from instrument.errors import ServiceDriversError

    with pytest.raises(ServiceDriversError, match="cannot write the PDF"):
        to_pdf(inst, "nl", tmp_path / "missing" / "q.pdf")
