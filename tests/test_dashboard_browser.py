"""The dashboard in a real browser: Playwright for Python driving the system's Chromium (Debian ``chromium``).

No browser is downloaded: the tests use ``/usr/bin/chromium`` (or ``chromium`` on the PATH)
and are skipped, saying so, when there is none (``make test`` installs it where the
machine allows). A screenshot of every view, in both languages, is written to
``reports/screenshots/`` (not committed) for a person to look at.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
SCREENSHOTS = ROOT / "reports" / "screenshots"
VIEWS = ("kpis", "priorities", "compare", "waves", "themes", "voice")


def _chromium() -> str | None:
    for candidate in ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed "
                                                             "(pip install -e '.[dev]')")
CHROMIUM = _chromium()
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium installed: the dashboard's browser tests need "
                                                         "Debian's chromium package (apt-get install chromium)")


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        # --no-sandbox: the tests may run as root (in a container), where Chromium's sandbox cannot start.
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()


class Page:
    """A page of the dashboard with everything it logged and requested."""

    def __init__(self, browser, path: Path):
        self.page = browser.new_page(viewport={"width": 1200, "height": 900})
        self.console, self.errors, self.requests = [], [], []
        self.page.on("console", lambda m: self.console.append((m.type, m.text)))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.url = path.resolve().as_uri()
        self.page.goto(self.url)
        self.wait()

    def wait(self) -> str:
        """Wait until the charts of the view shown are drawn; the view's name."""
        self.page.wait_for_function("document.body.dataset.rendered !== undefined && "
                                    "!document.querySelector('.chart:not(:has(svg))')", timeout=30_000)
        return self.page.get_attribute("body", "data-rendered").split(":")[0]

    def show(self, view: str) -> None:
        self.page.click(f"[role=tab][data-view={view}]")
        self.page.wait_for_function(f"document.body.dataset.rendered.startsWith('{view}:')", timeout=30_000)
        self.wait()

    def marks(self) -> int:
        """Drawn data marks (symbols, rules, texts with a size) in the view's charts."""
        return self.page.evaluate("""() => [...document.querySelectorAll('.chart svg .mark-symbol path, '
            + '.chart svg .mark-rule line, .chart svg .mark-text text')]
            .filter(e => { const b = e.getBoundingClientRect(); return b.width > 0 || b.height > 0; }).length""")

    def problems(self) -> list:
        return self.errors + [text for kind, text in self.console if kind in ("error", "warning")]


@pytest.fixture
def board(browser, hostile_board):
    page = Page(browser, hostile_board.path)
    yield page
    page.page.close()


def test_loads_without_console_errors_and_draws_every_view(board):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for lang in ("en", "nl"):
        board.page.select_option("#language", lang)
        for view in VIEWS:
            board.show(view)
            if view != "voice":
                assert board.page.locator(".chart svg").count() >= 1, view
                assert board.marks() >= 5, view
            board.page.screenshot(path=str(SCREENSHOTS / f"dashboard-{view}-{lang}.png"), full_page=True)
    assert board.problems() == []
    print(f"\nscreenshots of the dashboard: {SCREENSHOTS}/dashboard-*.png")


def test_no_request_leaves_the_page(board):
    for view in VIEWS:
        board.show(view)
        board.page.hover(".chart svg", position={"x": 200, "y": 100}) if view != "voice" else None
    assert board.requests == [board.url]


def test_selectors_change_what_is_shown(board):
    board.show("priorities")
    table = board.page.locator("[data-testid=priorities-table]")
    svg = lambda: board.page.inner_html(".chart svg")   # noqa: E731
    before_table, before_svg = table.inner_text(), svg()
    assert "Priorities of Energie" in before_table
    board.page.select_option("#priorities-group", "Telecom")
    board.wait()
    assert "Priorities of Telecom" in table.inner_text() and table.inner_text() != before_table
    assert svg() != before_svg

    board.show("kpis")
    cards = board.page.locator("[data-testid=kpi-cards]").inner_text()
    board.page.select_option("#kpi-group", "all")
    board.wait()
    assert board.page.locator("[data-testid=kpi-cards]").inner_text() != cards
    heading = board.page.locator("main h2").nth(1).inner_text()
    board.page.select_option("#kpi-kpi", "nps")
    board.wait()
    assert board.page.locator("main h2").nth(1).inner_text() != heading and "NPS" in board.page.inner_text("main")

    board.show("compare")
    first = svg()
    board.page.select_option("#compare-driver", index=1)
    board.wait()
    assert svg() != first

    board.page.select_option("#language", "nl")
    board.wait()
    assert board.page.locator("[role=tab][data-view=kpis]").inner_text() == "Kerncijfers"
    assert board.page.get_attribute("html", "lang") == "nl"
    assert board.problems() == []


def test_hovering_a_driver_shows_its_intervals_and_respondents(board):
    board.show("priorities")
    point = board.page.locator(".chart svg .mark-symbol path").first
    point.hover()
    tooltip = board.page.locator("#vg-tooltip-element")
    tooltip.wait_for(state="visible", timeout=10_000)
    text = tooltip.inner_text()
    for label in ("Importance", "Performance", "Importance rank", "Respondents analysed"):
        assert label in text, text
    # the values with their intervals, as the table below the chart shows them
    table = board.page.locator("[data-testid=priorities-table]").inner_text()
    assert any(line.split("\t")[1] in text for line in table.splitlines()[2:]), (text, table)


def test_keyboard_reaches_and_switches_the_views(board):
    board.page.focus("[role=tab][aria-selected=true]")
    board.page.keyboard.press("ArrowRight")
    board.wait()
    assert board.page.get_attribute("[role=tab][aria-selected=true]", "data-view") == "priorities"
    assert board.page.evaluate("document.activeElement.dataset.view") == "priorities"
    board.page.keyboard.press("Tab")
    assert board.page.evaluate("document.activeElement.id") == "priorities-group"
    board.page.keyboard.press("End")
    board.page.focus("[role=tab][aria-selected=true]")
    board.page.keyboard.press("End")
    board.wait()
    assert board.page.get_attribute("[role=tab][aria-selected=true]", "data-view") == "voice"


def test_hostile_answers_stay_text(board):
    board.show("voice")
    quotes = board.page.locator("[data-testid=quotes]")
    text = quotes.inner_text()
    assert "<script>alert(1)</script>" in text or "<img src=x onerror=alert(1)>" in text
    assert quotes.locator("blockquote").count() >= 3
    # a quote holds its text and its line of context, nothing the answer could have made
    assert quotes.locator("blockquote *:not(span.meta)").count() == 0
    assert quotes.locator("img, script, svg, b, textarea").count() == 0
    assert board.page.evaluate("window.__pwned === undefined")
    assert board.problems() == []


def test_waves_view_draws_and_its_selectors_change_it(board):
    board.show("waves")
    charts = board.page.locator(".chart svg")
    assert charts.count() == 2 and board.marks() >= 20
    table = board.page.locator("[data-testid=waves-changes]")
    text = table.inner_text()
    assert "Since the last wave" not in text and "Wave 2024-02" in text and "Wave 2024-03" in text
    verdicts = board.page.locator("[data-testid=waves-changes] tbody tr")
    assert verdicts.count() == 2 + 7
    assert all(v in ("structural", "incident", "significant", "noise")
               for v in board.page.eval_on_selector_all("[data-verdict]", "rows => rows.map(r => r.dataset.verdict)"))
    # CSAT: the control limits (three dashed or dotted lines) are drawn; another KPI has none
    assert board.page.locator(".chart[data-chart=wave_kpi] svg .mark-line path").count() == 4
    first_kpi, first_imp = board.page.inner_html("[data-chart=wave_kpi] svg"), board.page.inner_html(
        "[data-chart=wave_importance] svg")
    board.page.select_option("#waves-group", "Telecom")
    board.wait()
    assert board.page.inner_html("[data-chart=wave_kpi] svg") != first_kpi
    assert board.page.inner_html("[data-chart=wave_importance] svg") != first_imp
    assert "Telecom" in board.page.locator("main h2").first.inner_text() and table.inner_text() != text
    board.page.select_option("#waves-kpi", "nps")
    board.wait()
    assert "NPS of Telecom per wave" in board.page.inner_text("main")
    assert board.page.locator(".chart[data-chart=wave_kpi] svg .mark-line path").count() == 1
    board.page.select_option("#language", "nl")
    board.wait()
    assert "Sinds de vorige meting" in board.page.inner_text("main")
    assert board.problems() == []


def test_themes_view_draws_and_its_selector_changes_it(board):
    board.show("themes")
    assert board.page.locator(".chart svg").count() == 3
    bars = board.page.locator("[data-chart=theme_bars] svg .mark-rect path")
    assert bars.count() >= 10 and board.marks() >= 10
    before = board.page.inner_html("[data-chart=theme_bars] svg")
    quotes = board.page.locator("[data-testid=theme-quotes]").inner_text()
    board.page.select_option("#themes-group", "Verzekeraar")
    board.wait()
    assert board.page.inner_html("[data-chart=theme_bars] svg") != before
    assert board.page.locator("[data-testid=theme-quotes]").inner_text() != quotes
    assert "Verzekeraar" in board.page.locator("main h2").first.inner_text()
    # hover a bar: its theme, how it is said and its share
    bars.first.hover()
    tooltip = board.page.locator("#vg-tooltip-element")
    tooltip.wait_for(state="visible", timeout=10_000)
    assert "Said as" in tooltip.inner_text() and "%" in tooltip.inner_text()
    assert board.problems() == []


def test_hostile_answers_stay_text_in_the_themes_view_and_the_driver_quotes(board):
    board.show("themes")
    quotes = board.page.locator("[data-testid=theme-quotes]")
    text = quotes.inner_text()
    assert any(h in text for h in ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "</textarea>"))
    assert quotes.locator("blockquote").count() >= 3
    assert quotes.locator("blockquote *:not(span.meta)").count() == 0
    assert quotes.locator("img, script, svg, b, textarea, p").count() == 0

    board.show("priorities")
    box = board.page.locator("[data-testid=driver-quotes]")
    # keyboard: the first driver's button in the table (the first priority driver has quotes)
    board.page.focus("[data-testid=priorities-table] tbody tr:first-child button")
    board.page.keyboard.press("Enter")
    box.locator("blockquote").first.wait_for(timeout=10_000)
    assert box.locator("blockquote").count() >= 1 and box.locator("blockquote *:not(span.meta)").count() == 0
    assert box.locator("img, script, svg, b, textarea").count() == 0
    assert board.page.evaluate("window.__pwned === undefined")
    assert board.problems() == []


def test_hovering_or_clicking_a_driver_in_the_matrix_shows_its_quotes(board):
    board.show("priorities")
    box = board.page.locator("[data-testid=driver-quotes]")
    assert "Hover or click a driver" in box.inner_text()
    drivers = board.page.eval_on_selector_all("[data-testid=priorities-table] button",
                                              "bs => bs.map(b => b.dataset.driver)")
    points = board.page.locator("[data-chart=priorities] svg .mark-symbol.role-mark path")
    assert points.count() == len(drivers) == 7
    seen = set()
    for i in range(points.count()):
        points.nth(i).hover(force=True)
        board.page.wait_for_function("document.querySelector('[data-testid=driver-quotes]').dataset.driver")
        seen.add(box.get_attribute("data-driver"))
    # points may overlap one another's labels: most, not necessarily every, hover lands on its own driver
    assert seen <= set(drivers) and len(seen) >= 5, seen
    points.first.click(force=True)
    assert box.get_attribute("data-driver") in drivers
    # a driver without quotes says why; one with quotes shows them
    shown = box.locator("blockquote").count()
    assert shown >= 1 or "three priority drivers" in box.inner_text()
    board.page.screenshot(path=str(SCREENSHOTS / "dashboard-priorities-quotes-en.png"), full_page=True)
    assert board.requests == [board.url] and board.problems() == []


@pytest.fixture
def pooled(browser, pooled_board):
    page = Page(browser, pooled_board.path)
    yield page
    page.page.close()


def _cells(table: str) -> list[list[str]]:
    """The body rows of a table's inner text (after its caption and header), split into cells."""
    return [line.split("\t") for line in table.splitlines()[2:]]


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_pooled_importance_shows_the_own_data_figure_and_the_sentence(pooled, pooled_board, lang):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    doc = pooled_board.result.document
    words = {"nl": ("Gedeeltelijk poolen", "Alleen eigen gegevens", "Gewicht eigen gegevens", "niet gepoold"),
             "en": ("Partial pooling", "Own data alone", "Own-data weight", "not pooled")}[lang]
    pooled.page.select_option("#language", lang)
    pooled.wait()
    pooled.show("priorities")
    pooled.page.select_option("#priorities-group", "Telecom")
    pooled.wait()
    # the plain sentence on what pooling means and what it did to Telecom (its own data's weight)
    note = pooled.page.locator("[data-testid=pooling-note]").inner_text()
    assert note == f"{doc['pooling']['what'][lang]} {doc['pooling']['groups']['Telecom'][lang]}"
    assert note.startswith(words[0])
    # the table: the pooled importance, then the own-data figure and weight, for every driver
    table = pooled.page.locator("[data-testid=priorities-table]").inner_text()
    header = table.splitlines()[1].split("\t")
    assert header[2].startswith(words[1]) and header[3] == words[2], header
    telecom = [r for r in doc["priorities"] if r["group"] == "Telecom"]
    assert sorted((c[1], c[2], c[3]) for c in _cells(table)) == sorted(
        (r["importance_text"][lang], r["own_text"][lang], r["weight_text"][lang]) for r in telecom)
    # hovering a driver gives them too
    pooled.page.locator("[data-chart=priorities] svg .mark-symbol.role-mark path").first.hover(force=True)
    tooltip = pooled.page.locator("#vg-tooltip-element")
    tooltip.wait_for(state="visible", timeout=10_000)
    text = tooltip.inner_text()
    assert words[1] in text and words[2] in text and any(r["own_text"][lang] in text for r in telecom), text
    pooled.page.screenshot(path=str(SCREENSHOTS / f"dashboard-pooled-priorities-{lang}.png"), full_page=True)
    # the whole study is not pooled: said so, and no own-data columns
    pooled.page.select_option("#priorities-group", "all")
    pooled.wait()
    assert words[3] in pooled.page.locator("[data-testid=pooling-note]").inner_text()
    assert words[1] not in pooled.page.locator("[data-testid=priorities-table]").inner_text()
    # the drivers compared across organisations: what pooling means, and the own-data figure on hover
    pooled.show("compare")
    assert pooled.page.locator("[data-testid=pooling-note]").inner_text() == doc["pooling"]["what"][lang]
    pooled.page.locator("[data-chart=compare] svg .mark-symbol path").nth(1).hover(force=True)
    tooltip.wait_for(state="visible", timeout=10_000)
    assert words[1] in tooltip.inner_text() and words[2] in tooltip.inner_text()
    pooled.page.screenshot(path=str(SCREENSHOTS / f"dashboard-pooled-compare-{lang}.png"), full_page=True)
    assert pooled.requests == [pooled.url] and pooled.problems() == []
