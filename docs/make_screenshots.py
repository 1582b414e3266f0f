"""Make the README's screenshots of the example dashboard (docs/dashboard.png, docs/dashboard-themes.png).

Run from the repository root after ``make demo`` (which writes the dashboard)::

    .venv/bin/python docs/make_screenshots.py reports/example/dashboard.html

Opens the page in the system's Chromium (Debian ``chromium``, as the browser tests do;
no browser is downloaded) with Playwright, in English: the priority matrix of the first
organisation with the hover on its first priority driver, and the top of the themes view
of the same organisation. Nothing is fetched: the page is one offline file.
"""
from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from playwright.sync_api import sync_playwright

DOCS = Path(__file__).parent
SIZE = {"width": 1100, "height": 800}


def _chromium() -> str:
    for candidate in ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and Path(candidate).exists():
            return candidate
    raise SystemExit("no Chromium installed (apt-get install chromium)")


def _drawn(page, view: str) -> None:
    page.wait_for_function(f"(document.body.dataset.rendered || '').startsWith('{view}:') && "
                           "!document.querySelector('.chart:not(:has(svg))')", timeout=60_000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dashboard", type=Path)
    args = parser.parse_args()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=_chromium(), args=["--no-sandbox"])
        page = browser.new_page(viewport=SIZE)
        page.goto(args.dashboard.resolve().as_uri())
        page.select_option("#language", "en")
        page.click("[role=tab][data-view=priorities]")
        _drawn(page, "priorities")
        first = page.get_attribute("[data-testid=priorities-table] tbody tr:first-child button", "data-driver")
        points = page.locator("[data-chart=priorities] svg .mark-symbol.role-mark path")
        for i in range(points.count()):      # hover the points until the first priority driver's is under the mouse
            points.nth(i).hover(force=True)
            if page.get_attribute("[data-testid=driver-quotes]", "data-driver") == first:
                break
        page.locator("#vg-tooltip-element").wait_for(state="visible", timeout=10_000)
        page.screenshot(path=str(DOCS / "dashboard.png"), clip={"x": 0, "y": 0, **SIZE})
        page.mouse.move(0, 0)
        page.click("[role=tab][data-view=themes]")
        _drawn(page, "themes")
        page.screenshot(path=str(DOCS / "dashboard-themes.png"), clip={"x": 0, "y": 0, **SIZE})
        browser.close()
    print(f"wrote {DOCS / 'dashboard.png'} and {DOCS / 'dashboard-themes.png'}")


if __name__ == "__main__":
    main()
