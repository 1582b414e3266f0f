"""A rich table as plain text, for output that goes to a file or a pipe.

On a terminal the commands print rich tables (colours, wrapping to the window). Written to
a file or a pipe, where nothing is coloured or wrapped, rich's layout engine costs a
lot for what it gives: at 200 organisations ``drivers analyse`` prints about 200 tables of
some 80 cells each, and rendering them took about 3 of the 4 seconds of printing
(benchmarks/RESULTS.md, session 11). :func:`table_text` lays the same table out in the
look of rich's ``box.SIMPLE_HEAD`` (a header, a rule under it, columns three spaces apart)
directly: every column as wide as its widest cell, justified as the column says, the
title on one line above. The table is built once, as a rich :class:`~rich.table.Table`;
only the printing differs.
"""
from __future__ import annotations

from rich.table import Table
from rich.text import Text


def _plain(cell) -> str:
    """A cell's text without its markup or styles."""
    if isinstance(cell, Text):
        return cell.plain
    text = str(cell)
    return Text.from_markup(text).plain if "[" in text else text


def table_text(table: Table) -> str:
    """``table`` as lines of plain text (its title, header, a rule, its rows), ending in a blank line.

    Examples
    --------
    >>> from rich.table import Table
    >>> t = Table("driver", "LMG %", title="[bold]Energie[/]: n = 357")
    >>> t.columns[1].justify = "right"
    >>> t.add_row("reliability", "41.4")
    >>> t.add_row("menu", "3.8")
    >>> print(table_text(t), end="")
    Energie: n = 357
    <BLANKLINE>
      driver        LMG %
     ─────────────────────
      reliability    41.4
      menu            3.8
    <BLANKLINE>
    """
    columns = list(table.columns)
    headers = [_plain(c.header) for c in columns]
    cells = [[_plain(x) for x in c.cells] for c in columns]
    widths = [max(len(h), c.min_width or 0, *map(len, col)) for h, c, col in zip(headers, columns, cells)]
    justify = [{"right": str.rjust, "center": str.center}.get(c.justify, str.ljust) for c in columns]

    def line(values) -> str:
        return ("  " + "   ".join(j(v, w) for j, v, w in zip(justify, values, widths))).rstrip()

    lines = [] if table.title is None else [_plain(table.title)]
    lines.append("")
    if table.show_header:
        lines += [line(headers), " " + "─" * (sum(widths) + 3 * len(widths) - 1)]
    lines += [line(row) for row in zip(*cells)]
    return "\n".join([*lines, ""]) + "\n"
