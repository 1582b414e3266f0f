"""The priority matrix from the Python API is the reports' figure: labels, axes, colours, no overlaps."""
from __future__ import annotations

import itertools
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402

from analysis import analyse_drivers  # noqa: E402
from analysis.drivers.plot import QUADRANT_STYLE, TEXTS  # noqa: E402
from analysis.report.blocks import Figure  # noqa: E402
from analysis.report.content import drivers_section  # noqa: E402
from analysis.report.figures import _priorities  # noqa: E402
from analysis.report.i18n import Texts  # noqa: E402
from analysis.report.scope import StudyResults  # noqa: E402
from instrument import read_responses  # noqa: E402

EXAMPLE = Path(__file__).parents[1] / "data" / "example" / "responses.csv"
GROUPS = ["Energie", "Telecom", "Verzekeraar", "Webwinkel", "all"]


@pytest.fixture(scope="module")
def res(inst):
    data, _ = read_responses(EXAMPLE, inst)
    return analyse_drivers(data, inst, by="organisation", bootstrap=200, seed=1, sem=False)


def _driver_labels(ax, labels: set[str]):
    return [t for t in ax.texts if t.get_text() in labels]


def _scatter_colours(ax) -> dict[str, tuple]:
    """Legend label -> face colour of the quadrant's markers."""
    out = {}
    for coll in ax.collections:
        if coll.get_label() and not coll.get_label().startswith("_") and len(coll.get_facecolors()):
            out[coll.get_label()] = tuple(np.round(coll.get_facecolors()[0], 6))
    return out


@pytest.mark.parametrize("lang", ["en", "nl"])
@pytest.mark.parametrize("group", GROUPS)
def test_api_plot_labels_axes_and_no_overlap(res, inst, group, lang):
    ax = res.plot_priorities(group=group, lang=lang)
    try:
        labels = {inst.construct(d).label[lang] for d in res.settings.drivers}
        shown = _driver_labels(ax, labels)
        assert {t.get_text() for t in shown} == labels                      # labels, not keys
        assert not any(t.get_text() in res.settings.drivers for t in ax.texts)
        assert ax.get_xlabel() == TEXTS[lang]["x"] and ax.get_ylabel() == TEXTS[lang]["y"]["lmg"]
        for quadrant in QUADRANT_STYLE:
            assert TEXTS[lang][quadrant] in {t.get_text() for t in ax.texts}
        # the axes fit the data: every point and interval inside, no more than 10 points of margin
        t = res.group(group)
        lo_x = np.nanmin(t.performance_ci_low.to_numpy(dtype=float))
        hi_x = np.nanmax(t.performance_ci_high.to_numpy(dtype=float))
        x0, x1 = ax.get_xlim()
        assert x0 <= lo_x and hi_x <= x1 and lo_x - x0 <= 10 and x1 - hi_x <= 10
        assert x1 - x0 < 60                                  # not the whole 0-100 scale
        y0, y1 = ax.get_ylim()
        assert y0 <= 0 and np.nanmax(t.ci_high.to_numpy(dtype=float)) <= y1 <= 1.5 * np.nanmax(t.ci_high)
        # no two driver labels overlap, and none overlaps a quadrant name
        renderer = ax.figure.canvas.get_renderer()
        boxes = [b.get_window_extent(renderer) for b in shown]
        for a, b in itertools.combinations(boxes, 2):
            assert not a.overlaps(b), (group, lang)
        names = [x for x in ax.texts if x.get_text() in {TEXTS[lang][q] for q in QUADRANT_STYLE}]
        for a, b in itertools.product(boxes, [n.get_window_extent(renderer) for n in names]):
            assert not a.overlaps(b), (group, lang)
    finally:
        plt.close("all")


def _report_figure(res, inst, group, lang):
    t = Texts(lang)
    results = StudyResults(analysis=res, validation=None, quality=None, inst=inst)
    block = next(b for b in drivers_section(results, group, t).blocks
                 if isinstance(b, Figure) and b.kind == "priorities")
    return _priorities(block, t), t


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_api_and_report_draw_the_same_figure(res, inst, lang):
    """Same colours per quadrant, same texts, same points: one function draws both."""
    fig, t = _report_figure(res, inst, "Webwinkel", lang)
    report_ax = fig.axes[0]
    api_ax = res.plot_priorities(group="Webwinkel", lang=lang)
    try:
        report_colours, api_colours = _scatter_colours(report_ax), _scatter_colours(api_ax)
        assert report_colours == api_colours and len(api_colours) >= 2
        for quadrant, (colour, _) in QUADRANT_STYLE.items():
            name = TEXTS[lang][quadrant]
            if name in api_colours:
                assert api_colours[name] == tuple(np.round(to_rgba(colour), 6))
        assert report_ax.get_xlim() == pytest.approx(api_ax.get_xlim())
        assert report_ax.get_ylim() == pytest.approx(api_ax.get_ylim())
        assert report_ax.get_xlabel() == api_ax.get_xlabel() and report_ax.get_ylabel() == api_ax.get_ylabel()
        assert sorted(x.get_text() for x in report_ax.texts) == sorted(x.get_text() for x in api_ax.texts)
    finally:
        plt.close("all")


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_the_api_texts_are_the_reports_texts(lang):
    t = Texts(lang)
    assert TEXTS[lang]["x"] == t("figure.priorities.x")
    assert TEXTS[lang]["title"] == t("figure.priorities.title")
    for measure, text in TEXTS[lang]["y"].items():
        assert text == t("col.importance." + measure)
    for quadrant in QUADRANT_STYLE:
        assert TEXTS[lang][quadrant] == t("quadrant." + quadrant)


def test_other_measures_name_their_axis(res, inst):
    data, _ = read_responses(EXAMPLE, inst)
    beta = analyse_drivers(data, inst, by=None, bootstrap=50, seed=1, sem=False, importance="beta")
    ax = beta.plot_priorities(lang="nl")
    try:
        assert ax.get_ylabel() == TEXTS["nl"]["y"]["beta"]
    finally:
        plt.close("all")


def test_bad_language_and_group(res):
    with pytest.raises(ValueError, match="lang must be one of"):
        res.plot_priorities(group="Energie", lang="de")
    with pytest.raises(ValueError, match="no group 'Nowhere'"):
        res.plot_priorities(group="Nowhere")


def test_summary_is_text_when_printed_and_html_in_jupyter(res):
    summary = res.summary()
    text = str(summary)
    assert "\\n" not in text and text == summary.as_text() == repr(summary)
    lines = text.splitlines()
    assert lines[0].startswith("Driver analysis of 'satisfaction' by organisation")
    # each group's table is aligned text: a header line, then one line per driver
    header = next(i for i, line in enumerate(lines) if line.startswith("Webwinkel: n = "))
    assert lines[header + 1].split()[:3] == ["driver", "LMG", "%"]
    assert len({len(line) for line in lines[header + 1:header + 9]}) == 1      # columns aligned
    html = summary._repr_html_()
    assert html.count("<table") == len(res.group_names) + 1 and "<h4>Webwinkel: n = " in html
    assert res._repr_html_() == html
