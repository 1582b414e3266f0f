"""Trend charts: ``TrendAnalysis.plot()`` / ``plot_kpi()`` / ``plot_importance()`` and the reports' figures.

The charts draw the analysis' own values (nothing recomputed), on simulated waves with
planted changes: Energie's reliability level drops in the last wave (a CSAT signal) and
Telecom's customer-knowledge effect grows (its LMG share rises).
"""
from __future__ import annotations

import re
from types import SimpleNamespace

import matplotlib
import numpy as np
import pandas as pd
import pytest

from analysis import analyse_waves, simulate_waves
from analysis.common.errors import OptionError
from analysis.report.figures import draw
from analysis.report.i18n import Texts
from analysis.report.scope import StudyResults
from analysis.report.trends_section import trend_figures
from instrument import load_instrument, read_responses

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def inst():
    return load_instrument()


@pytest.fixture(scope="module")
def waves(inst, tmp_path_factory):
    study = simulate_waves(inst, n_waves=4, n_orgs=2, n_per_org=375, seed=5)
    path = tmp_path_factory.mktemp("trendplot") / "waves.csv"
    study.responses.to_csv(path, index=False)
    data, quality = read_responses(path, inst, extra_columns=("wave",))
    return data, quality, analyse_waves(data, inst, wave="wave", bootstrap=200, seed=2)


def _lines(ax, label):
    return [line for line in ax.get_lines() if line.get_label() == label]


def _errorbar(ax, label):
    """(estimates, [(low, high) per point]) of the error bars labelled ``label``."""
    (bars,) = [c for c in ax.containers if c.get_label() == label]
    line, _, (whiskers,) = bars.lines
    return (np.asarray(line.get_ydata(), dtype=float),
            [tuple(sorted(seg[:, 1])) for seg in whiskers.get_segments()])


def test_plot_draws_the_control_chart_of_the_analysis(waves):
    import matplotlib.pyplot as plt

    _, _, res = waves
    fig, ax = plt.subplots()
    assert res.plot(ax=ax) is ax                                   # lifelines style: draws on the given Axes
    chart = res.control_chart
    for group in ("Energie", "Telecom"):
        (line,) = _lines(ax, group)
        assert np.allclose(line.get_ydata(), chart[chart.organisation == group].csat)
        assert [t.get_text() for t in ax.get_xticklabels()] == ["1", "2", "3", "4"]
    # the band's edges are the 3-sigma limits (none for the first wave: no history yet)
    energie = chart[chart.organisation == "Energie"]
    dotted = [line for line in ax.get_lines() if line.get_linestyle() == ":"]
    drawn = [np.asarray(line.get_ydata(), dtype=float) for line in dotted[:2]]
    for edge, limit in zip(drawn, (energie.lcl, energie.ucl)):
        assert np.allclose(edge, limit.to_numpy(dtype=float), equal_nan=True) and np.isnan(edge[0])
    # the planted level shift is a signal, circled; the circles are exactly the analysis' signals
    assert bool(energie.signal.iloc[-1])
    rings = np.vstack([c.get_offsets() for c in ax.collections if c.get_label() != "_nolegend_"
                       and hasattr(c, "get_offsets") and len(c.get_offsets()) and c.get_facecolors().size == 0])
    assert len(rings) == int(chart.signal.sum())
    assert min(abs(rings[:, 1] - energie.csat.iloc[-1])) < 1e-9
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert {"Energie", "Telecom", "control limits (3 sigma)", "signal: structural change"} <= set(legend)
    plt.close(fig)


def test_plot_one_group_and_refusals(waves):
    import matplotlib.pyplot as plt

    _, _, res = waves
    ax = res.plot(group="Telecom")
    assert _lines(ax, "Telecom") and not _lines(ax, "Energie")
    assert res.plot_trends(group="Telecom").get_ylabel() == ax.get_ylabel()
    with pytest.raises(OptionError, match="group must be one of Energie, Telecom, got 'Nope'"):
        res.plot(group="Nope")
    with pytest.raises(OptionError, match="kpi must be one of CSAT %, NPS"):
        res.plot_kpi("loyalty")
    plt.close("all")


def test_plot_kpi_draws_estimates_and_intervals(waves):
    import matplotlib.pyplot as plt

    _, _, res = waves
    ax = res.plot_kpi("NPS")
    nps = res.kpis[(res.kpis.kpi == "NPS") & (res.kpis.organisation == "Energie")]
    y, spans = _errorbar(ax, "Energie")
    assert np.allclose(y, nps.estimate)
    # the whiskers span each wave's interval
    assert np.allclose(spans, list(zip(nps.ci_low, nps.ci_high)))
    assert ax.get_ylabel() == "NPS"
    plt.close("all")


def test_plot_importance_shows_the_planted_effect_change(waves):
    import matplotlib.pyplot as plt

    _, _, res = waves
    ax = res.plot_importance("Telecom", labels={"customer_knowledge": "Customer knowledge"})
    y, _ = _errorbar(ax, "Customer knowledge")
    imp = res.importance[(res.importance.organisation == "Telecom") & (res.importance.driver == "customer_knowledge")]
    assert np.allclose(y, imp.share) and y[-1] > y[:-1].max()       # changed in wave 4 (planted .18 -> .40)
    assert len([t for t in ax.get_legend().get_texts()]) == 7
    plt.close("all")


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_report_figures_carry_the_analysis_values_and_draw(waves, inst, lang):
    _, _, res = waves
    results = StudyResults(analysis=SimpleNamespace(settings=SimpleNamespace(by="organisation")), validation=None,
                           quality=None, inst=inst, trends=res)
    t = Texts(lang)
    study = trend_figures(results, "all", ["Energie", "Telecom"], t)
    assert [f.kind for f in study] == ["trend_kpis"]                  # the study report: no per-group shares
    rows = study[0].rows
    csat = [r for r in rows if r["panel"] == "csat"]
    assert [r["value"] for r in csat] == pytest.approx(res.control_chart.csat.tolist())
    assert [r["signal"] for r in csat] == res.control_chart.signal.tolist()
    nps = [r for r in rows if r["panel"] == "nps"]
    expected = res.kpis[res.kpis.kpi == "NPS"]
    assert [r["value"] for r in nps] == pytest.approx(expected.estimate.tolist())
    group = trend_figures(results, "Telecom", ["Telecom"], t)
    assert [f.kind for f in group] == ["trend_kpis", "trend_shares"]
    assert {r["series"] for r in group[0].rows} == {"Telecom"}
    labels = {inst.construct(d).label[lang] for d in inst.driver_keys}
    assert {r["series"] for r in group[1].rows} == labels
    assert group[1].title == t("trends.shares.title", group="Telecom")
    for figure in (*study, *group):
        png = draw(figure, t)
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_html_and_pdf_reports_show_the_trend_figures(waves, inst, tmp_path, lang):
    from analysis import build_reports

    data, quality, _ = waves
    reports = build_reports(data, inst, quality, lang=lang, out_dir=tmp_path / lang, bootstrap=20, seed=1,
                            pdf=lang == "en", wave="wave")
    t = Texts(lang)

    def section(html):
        return html.split('<section id="trends"', 1)[1].split("</section>", 1)[0]

    study = section(reports.study_html.read_text(encoding="utf-8"))
    assert t("trends.figure.title", group=t("scope.study")) in study
    assert len(re.findall(r'<img src="data:image/png;base64,', study)) == 1
    energie = section(reports.groups["Energie"][0].read_text(encoding="utf-8"))
    assert t("trends.shares.title", group="Energie") in energie
    assert len(re.findall(r'<img src="data:image/png;base64,', energie)) == 2
    assert "np.float64" not in energie and 'data-key="previous" data-value="' in energie   # plain numbers
    if lang == "en":
        pdf = reports.groups["Energie"][1].read_bytes()
        assert pdf.startswith(b"%PDF") and pdf.count(b"/Subtype /Image") >= 4


def test_report_period_quarter_makes_the_waves_from_the_contact_dates(waves, inst, tmp_path):
    from analysis import build_reports

    data, quality, _ = waves
    quarters = sorted(set(pd.to_datetime(data.contact_date).dt.to_period("Q").astype(str)))
    assert len(quarters) == 4                      # simulate_waves: one quarter per wave
    reports = build_reports(data.drop(columns="wave"), inst, quality, lang="en", out_dir=tmp_path, bootstrap=20,
                            seed=1, pdf=False, period="quarter")
    html = reports.study_html.read_text(encoding="utf-8")
    section = html.split('<section id="trends"', 1)[1].split("</section>", 1)[0]
    assert f"Wave {quarters[-2]}" in section and f"Wave {quarters[-1]}" in section
    assert "--period quarter" in html
