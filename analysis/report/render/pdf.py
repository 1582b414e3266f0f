"""Render a report's HTML as a PDF with WeasyPrint (A4, title page, page numbers).

The print layout lives in the report's CSS (``@page`` rules). Only ``data:`` URLs are
fetched: a report never loads anything from the network or the file system.
"""
from __future__ import annotations

import html as html_lib
import re
from pathlib import Path

from analysis.common.errors import ServiceDriversError

# Print fonts seldom have emoji (they would print as empty boxes): in the PDF, the
# emoji of open answers become text emoticons. The HTML keeps them as written.
# (Dingbats U+2700-27BF except the check marks the tables use, ✓ U+2713 and ✗ U+2717.)
_EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2600-\u2712\u2714-\u2716\u2718-\u27BF\u2B50\u2B55]\uFE0F?")
_EMOTICONS = {
    "🙂": ":-)", "😊": ":-)", "😀": ":-D", "😃": ":-D", "😄": ":-D", "😁": ":-D", "😂": ":'-D", "😉": ";-)",
    "🙁": ":-(", "☹": ":-(", "😞": ":-(", "😔": ":-(", "😢": ":'-(", "😭": ":'-(", "😡": ">:-(", "😠": ">:-(",
    "🤬": ">:-(", "😤": ">:-(", "😐": ":-|", "🙄": "(rolls eyes)", "👍": "(+1)", "👎": "(-1)", "❤": "<3",
    "⭐": "*", "✅": "(v)", "❌": "(x)",
}


def printable_text(html: str) -> str:
    """``html`` with emoji replaced by text emoticons (escaped), for fonts without emoji.

    >>> printable_text("Top &amp; snel 🙂 maar 😡 ✓ ✗")
    'Top &amp; snel :-) maar &gt;:-( ✓ ✗'
    """
    return _EMOJI.sub(lambda m: html_lib.escape(_EMOTICONS.get(m.group(0)[0], "(emoji)")), html)


def render_pdf(html: str, path: Path) -> Path:
    """Write ``html`` as a PDF to ``path``.

    Raises
    ------
    ServiceDriversError
        WeasyPrint cannot be loaded (its system libraries, Pango, are missing) or the
        file cannot be written.
    """
    document = pdf_bytes(html)
    try:
        Path(path).write_bytes(document)
    except OSError as exc:
        raise ServiceDriversError(f"{path}: cannot write the PDF ({exc.strerror or exc})") from None
    return path


def pdf_bytes(html: str) -> bytes:
    """``html`` as a PDF document, in memory (a report rendered on another machine is written by the caller).

    Raises
    ------
    ServiceDriversError
        WeasyPrint cannot be loaded (its system libraries, Pango, are missing).
    """
    try:
        from weasyprint import HTML
        from weasyprint.urls import URLFetcher
    except (ImportError, OSError) as exc:
        raise ServiceDriversError(f"cannot make PDF reports: WeasyPrint does not load ({exc}); install its system "
                                  "libraries (https://doc.courtbouillon.org/weasyprint) or make the HTML reports only (pdf=False)") from None
    # Only data: URLs (the embedded charts) may be fetched; anything else is refused.
    return HTML(string=printable_text(html), url_fetcher=URLFetcher(allowed_protocols=("data",))).write_pdf()
