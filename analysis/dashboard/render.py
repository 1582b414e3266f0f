"""The dashboard as one self-contained HTML file: the document, the charts' specifications and every script inlined.

Nothing is fetched when the page opens: Vega, Vega-Lite and vega-embed come from
``vl-convert-python``'s bundle (:func:`vl_convert.javascript_bundle`), the page's own
script and style from ``static/``, fonts are the reader's system fonts. A
Content-Security-Policy meta tag forbids every connection (``default-src 'none'``,
``connect-src 'none'``) and runs only the page's own scripts (by their SHA-256 hashes,
so even a script that slipped into the data would not run); charts are compiled
without ``eval`` (vega-embed's ``ast`` option and its expression interpreter).

The data is embedded as JSON in a ``<script type="application/json">`` element with
``<``, ``>``, ``&`` and the JavaScript line separators escaped, so no answer text can
close the element; the page puts every text into the document as text
(``textContent``), never as markup.
"""
from __future__ import annotations

import base64
import hashlib
import json
from functools import lru_cache
from html import escape
from importlib import resources

CSP = ("default-src 'none'; script-src {scripts}; style-src 'unsafe-inline'; img-src data:; font-src data:; "
       "connect-src 'none'; form-action 'none'; base-uri 'none'; frame-src 'none'; object-src 'none'")


@lru_cache(maxsize=1)
def vega_bundle() -> str:
    """Vega, Vega-Lite and vega-embed in one script (globals ``vega``, ``vegaLite``, ``vegaEmbed``)."""
    import vl_convert

    return vl_convert.javascript_bundle()


def _static(name: str) -> str:
    return resources.files("analysis.dashboard").joinpath(f"static/{name}").read_text(encoding="utf-8")


def json_for_script(document) -> str:
    """``document`` as JSON safe inside a ``<script>`` element: no '<', '>', '&' or line separator as such.

    >>> json_for_script({"q": "</script><img src=x onerror=alert(1)>"})
    '{"q": "\\\\u003c/script\\\\u003e\\\\u003cimg src=x onerror=alert(1)\\\\u003e"}'
    """
    text = json.dumps(document, ensure_ascii=False, allow_nan=False)
    for ch, code in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"),
                     ("\u2029", "\\u2029")):
        text = text.replace(ch, code)
    return text


def _script_safe(code: str) -> str:
    # An inline script ends at the first '</script'; the bundle and app.js contain none (checked).
    if "</script" in code.lower():
        raise RuntimeError("an inlined script contains '</script'; it cannot be inlined as is")
    return code


def _hash(code: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(code.encode("utf-8")).digest()).decode() + "'"


def render_dashboard(document: dict, specs: dict, *, title: str) -> str:
    """The page: CSP, style, data (JSON), the Vega bundle and the page's script.

    Parameters
    ----------
    document : dict
        From :func:`analysis.dashboard.content.dashboard_content`.
    specs : dict
        From :func:`analysis.dashboard.specs.dashboard_specs`.
    title : str
        The page's title (the window's name; the page shows its own in both languages).
    """
    scripts = [_script_safe(vega_bundle()), _script_safe(_static("app.js"))]
    csp = CSP.format(scripts=" ".join(_hash(code) for code in scripts))
    data = json_for_script({"document": document, "specs": specs})
    lang = escape(document["lang"])
    return "\n".join([
        "<!DOCTYPE html>",
        f'<html lang="{lang}">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{escape(csp)}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="referrer" content="no-referrer">',
        f"<title>{escape(title)}</title>",
        f"<style>{_static('style.css')}</style>",
        "</head>",
        "<body>",
        '<noscript><p>This dashboard needs JavaScript (it runs offline; nothing is sent anywhere). '
        "Dit dashboard heeft JavaScript nodig (het werkt offline; er wordt niets verstuurd).</p></noscript>",
        '<div id="app"></div>',
        f'<script type="application/json" id="dashboard-data">{data}</script>',
        f"<script>{scripts[0]}</script>",
        f"<script>{scripts[1]}</script>",
        "</body>",
        "</html>",
    ])
