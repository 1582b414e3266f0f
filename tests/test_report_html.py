"""HTML reports: escaping of hostile answers, no external URL, the priority table equals to_dict(), privacy."""
from __future__ import annotations

import json
import re
from dataclasses import replace
from html.parser import HTMLParser
from itertools import cycle

import pytest

from analysis.common.groups import ALL
from analysis.report import build_reports
from analysis.report.i18n import Texts
from analysis.report.voice import sample_voice
from report_fixtures import HOSTILE

AGENTS = ("Xandru Vermeulen", "Quirijn Bakker", "Ysolde")
READER_WARNING = "column 'agent_id': SPSS codes translated by their value labels (1 'Ysolde' -> Ysolde)"
PERSONAL = "Bel me op 06-12345678 of mail a.b@example.nl, IBAN NL91ABNA0417164300, postcode 1234 AB 12."


class Elements(HTMLParser):
    """Every start tag with its attributes, and the text of the document."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def parse(html: str) -> Elements:
    parser = Elements()
    parser.feed(html)
    return parser


def planted(data):
    """The example data with hostile answers (Energie), agents' names (agent_id and Telecom's answers) and
    personal data (Webwinkel's answers)."""
    data = data.copy()
    answered = data.why.notna() & data.nps.notna()
    energie = answered & (data.organisation == "Energie")
    data.loc[energie, "why"] = " | ".join(HOSTILE)       # every quote of Energie holds every hostile string
    data["agent_id"] = [a for a, _ in zip(cycle(AGENTS), range(len(data)))]
    telecom = answered & (data.organisation == "Telecom")
    data.loc[telecom, "why"] = data.loc[telecom, "why"] + " Xandru Vermeulen hielp, daarna Quirijn en Ysolde."
    webwinkel = answered & (data.organisation == "Webwinkel")
    data.loc[webwinkel, "why"] = PERSONAL
    return data


@pytest.fixture(scope="module")
def reports(example, inst, tmp_path_factory):
    data = planted(example.data)
    out = tmp_path_factory.mktemp("html")
    # a reader warning that quotes SPSS value labels of agent codes (names)
    quality = replace(example.quality, warnings=(*example.quality.warnings, READER_WARNING))
    return build_reports(data, inst, quality, lang="en", out_dir=out, analysis=example.analysis,
                         validation=example.validation, pdf=False)


def read(path) -> str:
    return path.read_text(encoding="utf-8")


def without_images(html: str) -> str:
    """The HTML without its base64 charts, whose random letters may spell anything ('http', 'Ysolde')."""
    return re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "data:", html)


def test_hostile_answers_render_as_text_never_as_markup(reports):
    html = read(reports.groups["Energie"][0])
    doc = parse(html)
    text = "".join(doc.text)
    for hostile in HOSTILE:
        assert hostile in text                     # shown literally ...
        assert hostile.replace("<", "&lt;").replace(">", "&gt;") in html.replace("&#34;", '"').replace("&#39;", "'")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    tags = [tag for tag, _ in doc.tags]
    assert "script" not in tags and "textarea" not in tags and "b" not in tags
    assert all(attrs.get("src", "").startswith("data:image/png;base64,") for tag, attrs in doc.tags if tag == "img")
    assert not any("onerror" in attrs for _, attrs in doc.tags)
    # an element made from the data would split its text into a node of its own
    nodes = {chunk.strip() for chunk in doc.text}
    assert "injected" not in nodes and "bold" not in nodes
    assert "{{ 7*7 }}" in text                     # data is not a template


def test_every_report_is_self_contained_without_external_urls(reports):
    for path in [reports.study_html, *(h for h, _ in reports.groups.values())]:
        html = read(path)
        doc = parse(html)
        for tag, attrs in doc.tags:
            for name in ("src", "href"):
                value = attrs.get(name)
                assert value is None or value.startswith(("data:", "#")), (path.name, tag, value)
            assert tag not in ("link", "script", "iframe", "object")
        text = without_images(html)
        assert "url(" not in text and "@import" not in text and "http" not in text.lower()
        assert sum(tag == "style" for tag, _ in doc.tags) == 1
        assert len(html.encode()) < 2_000_000


def _cells(html: str, table: str) -> list[dict]:
    """The cells of one table: per row, data-key -> (text, data-value, data-low, data-high)."""
    block = re.search(rf'data-table="{table}">(.*?)</table>', html, re.S).group(1)
    rows = []
    for tr in re.findall(r"<tr>(.*?)</tr>", block, re.S):
        row = {}
        for attrs, inner in re.findall(r"<td([^>]*)>(.*?)</td>", tr, re.S):
            key = re.search(r'data-key="([^"]+)"', attrs).group(1)
            get = lambda name: (re.search(rf'data-{name}="([^"]*)"', attrs) or [None, None])[1]  # noqa: E731
            row[key] = (re.sub(r"<[^>]+>", " ", inner), get("value"), get("low"), get("high"))
        if row:
            rows.append(row)
    return rows


def test_priority_table_numbers_equal_to_dict(reports, example, inst):
    doc = json.loads(json.dumps(example.analysis.to_dict()))
    t = Texts("en")
    label_to_key = {c.label["en"]: c.key for c in inst.drivers}
    for group, path in [(ALL, reports.study_html), *((g, h) for g, (h, _) in reports.groups.items())]:
        rows = _cells(read(path), "priorities")
        assert len(rows) == 7
        for row in rows:
            d = doc["groups"][group]["drivers"][label_to_key[row["driver_label"][0].strip()]]
            text, value, low, high = row["importance"]
            assert [float(value), float(low), float(high)] == [d["lmg_pct"], *d["lmg_pct_ci"]]
            assert text.split()[0] == t.pct(d["lmg_pct"]) and t.pct_interval(*d["lmg_pct_ci"]) in text
            text, value, low, high = row["performance"]
            assert [float(value), float(low), float(high)] == [d["performance"], *d["performance_ci"]]
            assert text.split()[0] == t.num(d["performance"])
            for key, rank, ci in (("priority", "priority", "priority_ci"), ("rank", "rank", "rank_ci")):
                text, value, low, high = row[key]
                assert [int(value), int(low), int(high)] == [d[rank], *d[ci]]
            assert row["quadrant_label"][0].strip() == t("quadrant." + d["quadrant"])


def test_agent_names_are_never_shown(reports):
    files = [reports.study_html, *(h for h, _ in reports.groups.values())]
    telecom = read(reports.groups["Telecom"][0])
    assert "[name] hielp, daarna [name] en [name]." in telecom
    assert "SPSS codes translated by their value labels (1 &#39;[name]&#39; -&gt; [name])" in read(reports.study_html)
    for path in files:
        html = without_images(read(path))
        for part in ("Xandru", "Vermeulen", "Quirijn", "Ysolde"):
            assert part not in html, (path.name, part)


def test_personal_data_is_masked_in_the_html(reports):
    html = without_images(read(reports.groups["Webwinkel"][0]))
    assert "Bel me op [phone] of mail [e-mail], IBAN [IBAN], postcode [postcode]." in html
    for raw in ("06-12345678", "a.b@example.nl", "NL91ABNA0417164300", "1234 AB 12"):
        assert raw not in html
        assert raw not in without_images(read(reports.study_html))


def test_quotes_are_reproducible_and_follow_the_seed(example, inst):
    one = sample_voice(example.data, example.analysis, inst, group="Verzekeraar", lang="en")
    two = sample_voice(example.data, example.analysis, inst, group="Verzekeraar", lang="en")
    assert one == two and sum(len(g.quotes) for g in one.groups) == 12
    assert [g.key for g in one.groups] == ["promoters", "passives", "detractors"]
    for group in one.groups:
        low, high = {"promoters": (9, 10), "passives": (7, 8), "detractors": (0, 6)}[group.key]
        assert all(low <= int(q.meta.split()[1]) <= high for q in group.quotes)
    excluded = example.analysis.excluded
    flagged = set(excluded.respondent_id[excluded.code == "flagged"])
    quoted = {q.respondent for g in one.groups for q in g.quotes}
    assert len(quoted) == 12 and quoted <= set(example.data.respondent_id.astype(str))
    # flagged respondents (some with an answer to quote in this group) are never quoted
    data = example.data
    answered = set(data.respondent_id[(data.organisation == "Verzekeraar") & data.why.notna()].astype(str))
    assert flagged & answered and not quoted & flagged


def test_dutch_report_uses_dutch_labels_and_number_format(example, inst, tmp_path):
    reports = build_reports(example.data, inst, example.quality, lang="nl", out_dir=tmp_path, title="Proefrapport",
                            analysis=example.analysis, validation=example.validation, pdf=False)
    html = read(reports.groups["Energie"][0])
    assert '<html lang="nl">' in html and "Proefrapport" in html and "Samenvatting" in html
    assert any(q in html for q in ("hier verbeteren", "zo doorgaan")) and "Betrouwbaarheid" in html
    assert re.search(r"\d,\d", html)                 # decimal comma
    assert "Executive summary" not in html
    rows = _cells(html, "priorities")
    assert {r["driver_label"][0].strip() for r in rows} == {c.label["nl"] for c in inst.drivers}


def test_quotes_do_not_name_a_channel_too_small_to_show(example, inst):
    shown = sample_voice(example.data, example.analysis, inst, group="Telecom", lang="en")
    hidden = sample_voice(example.data, example.analysis, inst, group="Telecom", lang="en", hidden_channels=["phone"])
    metas = [q.meta for g in shown.groups for q in g.quotes]
    assert any("Phone" in m for m in metas)
    assert [q.text for g in hidden.groups for q in g.quotes] == [q.text for g in shown.groups for q in g.quotes]
    assert not any("Phone" in q.meta for g in hidden.groups for q in g.quotes)


def test_reports_hide_the_channel_of_quotes_from_small_channels(reports, example, inst):
    # Energie: social media (15 usable) and messaging (24) are withheld; the quotes build_reports sampled
    # (the same seed, group and data give the same sample) include one from a withheld channel
    data = planted(example.data)
    hidden = ["social", "messaging"]
    voice = sample_voice(data, example.analysis, inst, group="Energie", lang="en", hidden_channels=hidden)
    channel = dict(zip(data.respondent_id.astype(str), data.channel))
    quotes = [q for g in voice.groups for q in g.quotes]
    from_hidden = [q for q in quotes if channel[q.respondent] in hidden]
    assert from_hidden, "no quote from a withheld channel was sampled: the test proves nothing"
    html = read(reports.groups["Energie"][0])
    voice_section = html[html.index('id="voice"'):html.index('id="themes"')]   # the themes section quotes too
    footers = re.findall(r"<footer>(.*?)</footer>", voice_section)
    assert sorted(footers) == sorted(q.meta for q in quotes)
    for q in from_hidden:
        assert re.fullmatch(r"NPS \d+", q.meta)                 # the score, not the channel
    assert not any("Social media" in f or "Messaging" in f for f in footers)
    assert any("Phone" in f for f in footers)
