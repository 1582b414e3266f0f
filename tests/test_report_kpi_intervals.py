"""A key figure without an interval says why in every renderer and both languages (issue 10, point 4).

The study: Energie and Telecom from the example, with Energie's social-media channel cut
to 3 respondents and the minimum group size at 1, so that channel's KPIs are shown with
fewer than 5 answers.
"""
from __future__ import annotations

import html as html_lib
import re

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from analysis.drivers import analyse_drivers
from analysis.report import build_reports
from analysis.common.thresholds import MIN_N_KPI_INTERVAL
from analysis.validation import validate

WHY = {"en": f"no interval: fewer than {MIN_N_KPI_INTERVAL} answers",
       "nl": f"geen interval: minder dan {MIN_N_KPI_INTERVAL} antwoorden"}


@pytest.fixture(scope="module")
def study(example, inst):
    data = example.data
    data = data[data.organisation.isin(["Energie", "Telecom"])].copy()
    social = data.index[(data.organisation == "Energie") & (data.channel == "social")]
    data.loc[social[3:], "channel"] = "messaging"
    analysis = analyse_drivers(data, inst, by="organisation", bootstrap=50, seed=1, sem=False)
    validation = validate(data, inst, by="organisation", invariance=False)
    few = analysis.kpis[(analysis.kpis.group == "Energie") & (analysis.kpis.channel == "social")]
    assert len(few) and (few.n < MIN_N_KPI_INTERVAL).all() and (few.ci_reason == "too_few").all()
    return data, analysis, validation


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_the_reason_reaches_html_pdf_and_excel(study, example, inst, tmp_path, lang):
    data, analysis, validation = study
    reports = build_reports(data, inst, example.quality, lang=lang, out_dir=tmp_path, analysis=analysis,
                            validation=validation, min_group_n=1)
    html_path, pdf_path = reports.groups["Energie"]
    page = html_lib.unescape(html_path.read_text(encoding="utf-8"))
    block = page.split('data-table="kpis_by_channel"')[1].split("</table>")[0]
    social = next(row for row in block.split("<tr>") if re.search(r">\s*(Social media|Sociale media)", row))
    assert social.count(f"({WHY[lang]})") == 5                      # CSAT, NPS, CES, CES % easy, FCR
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(pdf_path).pages)
    assert WHY[lang] in text
    sheet = load_workbook(reports.workbook)[reports.sheets["kpis_by_channel"]]
    header = [c.value for c in sheet[1]]
    why = {"en": "why no interval", "nl": "waarom geen interval"}[lang]
    columns = [i for i, h in enumerate(header) if h and h.endswith(f"({why})")]
    assert len(columns) == 5
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=2)]
    few = [r for r in rows if r[columns[0]]]
    assert few and all(r[i] == WHY[lang] for r in few for i in columns)
    low = header.index(next(h for h in header if h.endswith("(low)" if lang == "en" else "(ondergrens)")))
    assert all(r[low] is None for r in few)
    # every other channel of every group has its intervals and no reason
    assert all(r[low] is not None for r in rows if not r[columns[0]])
