"""Render a report's content as one self-contained HTML file.

Jinja2 with autoescaping on for every template: open answers, group names and every
other piece of data are inserted as text, so ``<script>`` in an answer appears as
``&lt;script&gt;``. CSS is inlined and charts are ``data:`` URIs, so the file works
offline and refers to no external URL.
"""
from __future__ import annotations

import base64
from functools import lru_cache

import jinja2

from analysis.common.versions import package_version
from analysis.report.blocks import ReportContent
from analysis.report.content import QUADRANT_CSS
from analysis.report.i18n import Texts


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The template environment: package templates, autoescape everywhere, undefined names are errors."""
    return jinja2.Environment(loader=jinja2.PackageLoader("analysis.report", "templates"), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def png_data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _raw(value) -> str:
    """A cell's value as machine-readable text (``repr`` of floats round-trips exactly)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def render_html(content: ReportContent, images: dict[str, bytes]) -> str:
    """The report as an HTML document; ``images`` maps figure keys to PNG bytes."""
    t = Texts(content.lang, nouns=content.nouns)
    template = environment().get_template("report.html")
    return template.render(
        c=content, t=t, fmt=t.format, fmt_interval=t.format_interval, raw=_raw,
        block_kind=lambda b: type(b).__name__, quadrant_css=QUADRANT_CSS, version=package_version(),
        images={key: png_data_uri(png) for key, png in images.items()},
    )
