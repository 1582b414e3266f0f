"""A result's summary that reads right in a terminal and in Jupyter.

:class:`Summary` is a heading and a sequence of titled tables (:class:`SummaryTable`),
each with optional note lines. ``print(summary)`` and ``str(summary)`` give aligned
plain text; in Jupyter, ``_repr_html_`` gives the same tables as HTML, so a notebook
cell ending in ``res.summary()`` shows tables, not one line full of ``\\n``. The model
is statsmodels' ``statsmodels.iolib.summary.Summary`` (``as_text``, ``as_html``,
``_repr_html_``). Nothing here computes a statistic: the tables are given.

Examples
--------
>>> import pandas as pd
>>> s = Summary("Two drivers", (SummaryTable("Importance", pd.DataFrame({"driver": ["a", "b"], "lmg": [0.61, 0.39]}),
...                                           notes=("LMG share of R²",)),))
>>> print(s)
Two drivers
<BLANKLINE>
Importance
driver   lmg
     a 0.610
     b 0.390
  LMG share of R²
>>> "<table" in s._repr_html_() and "<h4>Importance</h4>" in s.as_html()
True
"""
from __future__ import annotations

import html
from dataclasses import dataclass

import pandas as pd


def _float(digits: int):
    return lambda x: f"{x:.{digits}f}"


@dataclass(frozen=True)
class SummaryTable:
    """One titled table of a :class:`Summary`.

    Attributes
    ----------
    title : str
        Printed above the table ('' for none).
    frame : DataFrame or None
        The table, shown without its index; None for a block of notes only.
    notes : tuple of str
        Lines printed below the table (warnings, footnotes), indented in text.
    digits : int
        Decimals of float cells.
    """

    title: str
    frame: pd.DataFrame | None = None
    notes: tuple[str, ...] = ()
    digits: int = 3

    def as_text(self) -> str:
        lines = [self.title] if self.title else []
        if self.frame is not None and len(self.frame.columns):
            lines.append(self.frame.to_string(index=False, float_format=_float(self.digits), na_rep="-"))
        lines += [f"  {note}" for note in self.notes]
        return "\n".join(lines)

    def as_html(self) -> str:
        parts = [f"<h4>{html.escape(self.title)}</h4>"] if self.title else []
        if self.frame is not None and len(self.frame.columns):
            parts.append(self.frame.to_html(index=False, float_format=_float(self.digits), na_rep="-",
                                            border=0, classes="dataframe"))
        if self.notes:
            parts.append("<ul>" + "".join(f"<li>{html.escape(n)}</li>" for n in self.notes) + "</ul>")
        return "\n".join(parts)


@dataclass(frozen=True)
class Summary:
    """A heading and titled tables: plain text when printed, HTML in Jupyter.

    Attributes
    ----------
    heading : str
        The first line (what was analysed, on how many respondents, with which options).
    tables : tuple of SummaryTable
    html : str, optional
        The HTML shown in Jupyter, for a result that lays itself out (e.g. a SEM's
        lavaan-style tables); by default made from ``heading`` and ``tables``.
    """

    heading: str
    tables: tuple[SummaryTable, ...] = ()
    html: str | None = None

    def as_text(self) -> str:
        """The summary as aligned plain text (what ``print`` shows)."""
        return "\n\n".join([self.heading, *(t.as_text() for t in self.tables)])

    def as_html(self) -> str:
        """The summary as an HTML fragment (what Jupyter shows)."""
        if self.html is not None:
            return self.html
        heading = "<br>".join(html.escape(line) for line in self.heading.splitlines())
        return "\n".join([f"<p><b>{heading}</b></p>", *(t.as_html() for t in self.tables)])

    def __str__(self) -> str:
        return self.as_text()

    def __contains__(self, text: str) -> bool:
        """Whether the printed summary contains ``text`` (``"PROBLEMS" in fit.summary()``)."""
        return text in self.as_text()

    def __repr__(self) -> str:
        # The console (and a notebook's text/plain output) shows the tables, not an object address.
        return self.as_text()

    def _repr_html_(self) -> str:
        return self.as_html()
