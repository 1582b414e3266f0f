"""PDF reports (WeasyPrint): title page, one-page summary, page numbers, withheld groups, size; charts; emoji."""
from __future__ import annotations

import io
import urllib.request

import pytest
from pypdf import PdfReader

from analysis.report import build_reports, slugify
from analysis.report.blocks import Figure
from analysis.report.figures import draw
from analysis.report.i18n import Texts
from analysis.report.render.html import png_data_uri
from analysis.report.render.pdf import printable_text, render_pdf


@pytest.fixture(scope="module")
def reports(small_study, inst, tmp_path_factory):
    # computed here: 'Klein' (20 respondents) is below the minimum, so its respondents are left out before analysing
    return build_reports(small_study.data, inst, small_study.quality, lang="nl", out_dir=tmp_path_factory.mktemp("pdf"),
                         title="Proefrapport", bootstrap=100, seed=3)


def pages(path) -> list[str]:
    return [page.extract_text() for page in PdfReader(path).pages]


def test_files_written_for_the_study_and_each_large_enough_group(reports, tmp_path):
    names = sorted(p.name for p in reports.out_dir.iterdir())
    assert names == [".drivers-report.json", "organisation-energie.html", "organisation-energie.pdf", "organisation-telecom.html",
                     "organisation-telecom.pdf", "study.html", "study.pdf", "tables.xlsx"]
    assert reports.withheld == ("Klein",) and set(reports.groups) == {"Energie", "Telecom"}
    assert all(p.stat().st_size < 2_000_000 for p in reports.paths)


def test_title_page_summary_page_and_page_numbers(reports):
    text = pages(reports.groups["Energie"][1])
    assert len(text) >= 10
    assert "Proefrapport" in text[0] and "Energie" in text[0] and "Inhoud" in text[0]
    assert "Samenvatting" in text[1][:300]
    assert "Hoe zeker is deze volgorde?" in text[1]
    assert "Kerncijfers" in text[2][:200]                     # the summary fits on one page
    total = len(text)
    for number, page in enumerate(text[1:], start=2):
        assert f"{number} / {total}" in page
    assert f"1 / {total}" not in text[0]                       # no number on the title page


def test_withheld_group_and_channel_are_named_in_the_study_pdf(reports):
    text = " ".join(pages(reports.study_pdf))
    flat = " ".join(text.split())
    assert "Klein" in flat and "minder dan 30 bruikbare respondenten" in flat
    assert "helemaal weggelaten uit dit rapport" in flat
    assert "Niet getoond: Sociale media" in flat


def test_emoji_print_as_emoticons_and_check_marks_stay():
    assert printable_text("Top 🙂, boos 😡, ✓ ✗ 🦄") == "Top :-), boos &gt;:-(, ✓ ✗ (emoji)"


def test_pdf_loads_nothing_from_outside(tmp_path, monkeypatch):
    opened = []
    original = urllib.request.OpenerDirector.open

    def spy(self, request, *args, **kwargs):
        opened.append(request if isinstance(request, str) else request.full_url)
        return original(self, request, *args, **kwargs)

    monkeypatch.setattr(urllib.request.OpenerDirector, "open", spy)
    picture = tmp_path / "picture.png"
    picture.write_bytes(draw_png())
    html = (f'<html><body><p>x</p><img src="file://{picture}"><img src="https://example.invalid/x.png">'
            f'<img src="{png_data_uri(draw_png())}"></body></html>')
    out = render_pdf(html, tmp_path / "x.pdf")
    assert out.exists() and len(PdfReader(out).pages) == 1
    assert opened and all(url.startswith("data:") for url in opened), opened   # the data: image only


def draw_png() -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure as MplFigure

    fig = MplFigure(figsize=(1, 1))
    FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def test_charts_are_png_and_use_the_report_language(small_study, inst):
    from analysis.report.content import priority_rows
    from analysis.report.scope import StudyResults

    res = StudyResults(analysis=small_study.analysis, validation=small_study.validation, quality=None, inst=inst)
    rows = priority_rows(res, "Energie", Texts("nl"))
    png = draw(Figure("importance", "i", "t", "c", rows, {"x": "Aandeel (% van R²)"}), Texts("nl"))
    assert png.startswith(b"\x89PNG") and len(png) < 300_000
    g = small_study.analysis.groups.set_index("group").loc["Energie"]
    labels = {"x": "x", "y": "y", "crosshair_importance": g.crosshair_importance,
              "crosshair_performance": g.crosshair_performance,
              **{q: Texts("nl")("quadrant." + q) for q in ("concentrate here", "keep up the good work", "low priority",
                                                           "possible overkill")}}
    assert draw(Figure("priorities", "p", "t", "c", rows, labels), Texts("nl")).startswith(b"\x89PNG")
    with pytest.raises(ValueError, match="unknown figure kind"):
        draw(Figure("pie", "p", "t", "c", rows), Texts("nl"))


def test_slugs_are_file_safe():
    assert slugify("Verzekeraar") == "verzekeraar" and slugify("Café & Co / Zuid") == "cafe-co-zuid"
    assert slugify("???") == "group"


def test_difference_chart_when_an_estimate_lies_outside_its_interval():
    """With few resamples a percentile interval need not contain the estimate (drivers report --bootstrap 2)."""
    rows = ({"driver_label": "Empathie", "difference": 5.0, "difference_low": 6.0, "difference_high": 8.0,
             "excludes_zero": True},
            {"driver_label": "Betrouwbaarheid", "difference": -3.0, "difference_low": -6.0, "difference_high": -4.0,
             "excludes_zero": True},
            {"driver_label": "Wachttijd", "difference": 1.0, "difference_low": -1.0, "difference_high": 2.0,
             "excludes_zero": False})
    png = draw(Figure("versus_rest", "v", "t", "c", rows, {"x": "Verschil"}), Texts("nl"))
    assert png.startswith(b"\x89PNG")
