"""The building blocks of a report's content: what to show, not how.

:mod:`analysis.report.content` fills these from the result objects; the HTML, PDF and
Excel renderers read them. A :class:`Table` keeps every number as the value the
analysis computed (never a rounded or formatted copy), so the workbook shows exactly
the figures of ``drivers analyse --json`` and the HTML formats them for reading.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    """One column of a :class:`Table`.

    ``kind`` says how a value is formatted: 'text', 'count', 'rank', 'pct' (0 decimals),
    'pct1', 'share' (a proportion 0-1 shown as %), 'score' (0-100, no decimals), 'signed' (difference, 1 decimal), 'nps'
    (signed whole number), 'num1'/'num2'/'num3', 'pvalue', 'bool', 'check' (✓/✗).
    ``low``/``high`` name the row keys of the value's interval, shown with it in HTML
    and as two extra columns in Excel; ``check`` names the key of a verdict (True,
    False or None) against a cited threshold, shown as ✓/✗ after the value and as its
    own column (headed ``check_header``) in Excel; ``note`` names the key of a text
    shown in place of the interval when there is none (why), in HTML after the value
    and in Excel as its own column. A ``workbook_only`` column is in the Excel workbook,
    which has every table's unrounded numbers, but not in the page's table (the page
    gives it in its text, e.g. a group's own-data weight).
    """

    key: str
    header: str
    kind: str = "text"
    low: str | None = None
    high: str | None = None
    check: str | None = None
    check_header: str = ""
    note: str | None = None
    workbook_only: bool = False

    @property
    def has_interval(self) -> bool:
        return self.low is not None and self.high is not None


@dataclass(frozen=True)
class Table:
    """A table: ``name`` is a stable id (the Excel sheet is named after it)."""

    name: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[dict, ...]
    note: str = ""
    css: str = ""

    @property
    def keys(self) -> list[str]:
        return [c.key for c in self.columns]

    @property
    def page_columns(self) -> tuple[Column, ...]:
        """The columns the HTML/PDF table shows (all but the workbook's own)."""
        return tuple(c for c in self.columns if not c.workbook_only)


@dataclass(frozen=True)
class Paragraph:
    text: str
    css: str = ""


@dataclass(frozen=True)
class Heading:
    text: str


@dataclass(frozen=True)
class Notes:
    """A list of short remarks (``css`` 'warning' for cautions, 'withheld' for suppressed figures)."""

    items: tuple[str, ...]
    css: str = ""
    title: str = ""


@dataclass(frozen=True)
class Figure:
    """A chart to draw (:mod:`analysis.report.figures`) from ``rows``, with its texts."""

    kind: str          # 'importance', 'priorities' or 'versus_rest'
    key: str           # unique within a report
    title: str
    caption: str
    rows: tuple[dict, ...]
    labels: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Quote:
    text: str          # already masked
    meta: str          # e.g. 'NPS 9 · telefoon'
    respondent: str = ""   # who said it: for checking the sample, never rendered


@dataclass(frozen=True)
class QuoteGroup:
    key: str           # 'promoters', 'passives', 'detractors'
    title: str
    description: str
    quotes: tuple[Quote, ...]


@dataclass(frozen=True)
class Voice:
    groups: tuple[QuoteGroup, ...]
    note: str


@dataclass(frozen=True)
class TopDriver:
    """One of the drivers to work on first, for the executive summary."""

    driver: str
    label: str
    quadrant: str
    quadrant_label: str
    importance: float
    importance_low: float
    importance_high: float
    performance: float
    priority: int
    priority_low: int | None
    priority_high: int | None
    why: str
    figures: str


@dataclass(frozen=True)
class Summary:
    intro: str
    top: tuple[TopDriver, ...]
    certainty: tuple[str, ...]
    kpi_line: str
    reading: str
    withheld: str = ""
    others: tuple[str, ...] = ()     # what to maintain, what matters less, what may be over-served


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    blocks: tuple
    page_break: bool = True


@dataclass(frozen=True)
class ReportContent:
    """Everything one report shows, in the report's language."""

    lang: str
    scope: str                      # 'study' or 'group'
    group: str                      # the group label ('all' for the study)
    slug: str                       # file name part
    title: str
    subtitle: str
    facts: tuple[tuple[str, str], ...]
    summary: Summary | None
    sections: tuple[Section, ...]
    footer: str
    nouns: tuple[str, str] | None = None    # how the groups are called (see analysis.report.i18n.Texts)

    def tables(self) -> list[Table]:
        """Every table of the report, in order."""
        return [b for s in self.sections for b in s.blocks if isinstance(b, Table)]

    def figures(self) -> list[Figure]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Figure)]
