"""``drivers report`` through the real entry point: files, printed paths, the same numbers as analyse/validate --json, errors."""
from __future__ import annotations

import hashlib
import json
import re

import pytest
from openpyxl import load_workbook

from instrument import read_responses
from report_fixtures import CSV, SAV
from cli_results import failed, ok

ARGS = ("--bootstrap", "200", "--seed", "7")


def test_report_writes_the_files_prints_where_and_matches_the_json(run_cli, tmp_path, inst):
    out = tmp_path / "reports"
    text = ok(run_cli("report", SAV, "--by", "organisation", "--lang", "nl", "--out", out, "--no-pdf", *ARGS))
    assert f"Reports written to {out}/" in text and "seed 7" in text
    for name in ("study.html", "organisation-energie.html", "organisation-webwinkel.html", "tables.xlsx"):
        assert (out / name).exists() and str(out / name) in text
    assert f"Open {out / 'study.html'}" in text

    analysis_json = tmp_path / "analysis.json"
    ok(run_cli("analyse", SAV, "--by", "organisation", "--json", analysis_json, *ARGS))
    doc = json.loads(analysis_json.read_text(encoding="utf-8"))
    validation_json = tmp_path / "validation.json"
    ok(run_cli("validate", SAV, "--by", "organisation", "--json", validation_json))
    vdoc = json.loads(validation_json.read_text(encoding="utf-8"))

    wb = load_workbook(out / "tables.xlsx")
    header = [c.value for c in wb["Prioriteiten"][1]]
    rows = [dict(zip(header, r)) for r in wb["Prioriteiten"].iter_rows(min_row=2, values_only=True)]
    key = {c.label["nl"]: c.key for c in inst.drivers}
    assert len(rows) == 35
    for r in rows:
        group = "all" if r["Groep"] == "Hele onderzoek" else r["Groep"]
        d = doc["groups"][group]["drivers"][key[r["Driver"]]]
        assert r["Belang (% van R²)"] == pytest.approx(d["lmg_pct"], rel=1e-5)  # JSON: 6 significant digits
        assert r["Prestatie (0–100)"] == pytest.approx(d["performance"], rel=1e-5)
        assert (r["Prioriteit"], r["Prioriteit (ondergrens)"], r["Prioriteit (bovengrens)"]) == \
            (d["priority"], *d["priority_ci"])
    header = [c.value for c in wb["Modelfit"][1]]
    for r in wb["Modelfit"].iter_rows(min_row=2, values_only=True):
        r = dict(zip(header, r))
        group = "all" if r["Organisatie"] == "Hele onderzoek" else r["Organisatie"]
        assert r["CFI"] == pytest.approx(vdoc["groups"][group]["fit"]["cfi"], rel=1e-5)


def test_report_with_pdf_and_a_title_in_english(run_cli, tmp_path, inst):
    data, _ = read_responses(SAV, inst)
    small = tmp_path / "small.csv"
    part = data[data.organisation.isin(["Energie", "Telecom"])].drop(columns=[c for c in data if c.startswith("flag_")]
                                                                    + ["source_row"])
    part.assign(channel=part.channel.map({"phone": 1, "email": 2, "chat": 3, "messaging": 4, "social": 5})) \
        .to_csv(small, index=False)
    out = tmp_path / "en"
    text = ok(run_cli("report", small, "--lang", "EN", "--out", out, "--title", "Pilot 2024", "--min-group-n", "30",
                      "--bootstrap", "50", "--seed", "1"))
    assert (out / "study.pdf").exists() and (out / "organisation-telecom.pdf").exists()
    assert "Pilot 2024" in (out / "study.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in (out / "study.html").read_text(encoding="utf-8")       # --lang EN is en
    assert str(out / "organisation-energie.pdf") in text


@pytest.mark.parametrize("args, code, fragments", [
    (("--lang", "de"), 2, ("lang must be one of nl, en, got 'de'",)),
    (("--min-group-n", "0"), 2, ("--min-group-n",)),
    (("--bootstrap", "1"), 2, ("--bootstrap",)),
    (("--bootstrap", "100001"), 2, ("--bootstrap", "from 2 to 100000")),
    (("--seed", "-3"), 2, ("--seed",)),
    (("--by", "nosuchcolumn"), 2, ("--by", "got 'nosuchcolumn'")),
    (("--by", "agent_id"), 1, ("'agent_id' holds personal data", "never made per agent_id")),
])
def test_bad_options_are_refused_with_a_clear_message(run_cli, tmp_path, args, code, fragments):
    failed(run_cli("report", CSV, "--out", tmp_path / "x", *args), code, *fragments)


def test_missing_file_and_out_that_is_a_file(run_cli, tmp_path):
    failed(run_cli("report", tmp_path / "nothere.csv", "--out", tmp_path / "x"), 1, "nothere.csv")
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    failed(run_cli("report", CSV, "--out", a_file), 2, "is a file; give a folder")
    failed(run_cli("report", CSV), 2, "--out")


def test_reports_per_channel_without_the_phone_only_drivers(run_cli, tmp_path):
    out = tmp_path / "channels"
    text = ok(run_cli("report", SAV, "--by", "channel", "--drivers", "reliability,empathy,customer_focus",
                      "--drivers", "customer_knowledge,accessibility", "--out", out, "--no-pdf", "--bootstrap", "50",
                      "--seed", "2"))
    assert (out / "channel-phone.html").exists() and (out / "channel-social.html").exists()
    study = (out / "study.html").read_text(encoding="utf-8")
    assert "Social media" in study and "Web chat" in study                     # channels by their labels
    assert "not per &#39;channel&#39;" not in study          # validated per channel (phone-only constructs where asked)
    assert "--drivers reliability,empathy,customer_focus,customer_knowledge,accessibility" in study
    assert "the five drivers" in study.lower() and "Wait time" not in re.sub(r"<table.*?</table>", "", study, flags=re.S)
    assert "seed 2" in text


def test_unknown_driver_is_a_usage_error(run_cli, tmp_path):
    failed(run_cli("report", CSV, "--out", tmp_path, "--drivers", "speed"), 2, "--drivers", "got ['speed']")


def test_report_never_overwrites_its_input_and_says_so_before_reading(run_cli, tmp_path, inst, monkeypatch):
    import analysis.cli.report as command

    data, _ = read_responses(CSV, inst)
    folder = tmp_path / "inplace"
    folder.mkdir()
    tables = folder / "tables.xlsx"
    data.drop(columns=[c for c in data if c.startswith("flag_")] + ["source_row"]).to_excel(tables, index=False)
    before = hashlib.sha256(tables.read_bytes()).hexdigest()

    def not_read(*args, **kwargs):
        raise AssertionError("the data was read before the output was checked")

    monkeypatch.setattr(command, "read_for_command", not_read)
    res = run_cli("report", tables, "--out", folder, "--no-pdf")
    flat = failed(res, 1, f"{tables}: is the input file")
    assert len(res.stderr.strip().splitlines()) == 1, res.stderr
    assert hashlib.sha256(tables.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in folder.iterdir()) == ["tables.xlsx"], flat


def test_report_folder_that_cannot_be_made_fails_before_reading(run_cli, tmp_path, monkeypatch):
    import analysis.cli.report as command

    def not_read(*args, **kwargs):
        raise AssertionError("the data was read before the output was checked")

    monkeypatch.setattr(command, "read_for_command", not_read)
    blocker = tmp_path / "notes.txt"
    blocker.write_text("a file, not a folder")
    out = blocker / "reports"
    res = run_cli("report", CSV, "--out", out, "--no-pdf")
    failed(res, 1, f"{out}: cannot create the report folder here ({blocker} is not a writable folder)")
    assert not out.exists() and blocker.read_text() == "a file, not a folder"


@pytest.mark.parametrize("flag, value, shown", [
    ("--outcome", "csat", "differences in CSAT between customers"),
    ("--importance", "beta", "Importance (|beta|, % of total)"),
    ("--crosshair", "median", "The dashed lines lie at the median of the drivers"),
])
def test_report_takes_the_analysis_options(run_cli, tmp_path, monkeypatch, example, flag, value, shown):
    """--outcome, --importance, --crosshair reach the analysis behind the report, and the report says so."""
    from analysis.drivers import analyse as analyse_module

    calls = []
    real = analyse_module.analyse_drivers

    def spy(*args, **kwargs):
        calls.append(kwargs)
        return real(*args, **{**kwargs, "sem": False})       # the SEM is not what this test is about

    monkeypatch.setattr(analyse_module, "analyse_drivers", spy)
    # the validation does not depend on these options: the session's (same data, same by)
    monkeypatch.setattr("analysis.validation.validation.validate", lambda *a, **k: example.validation)
    out = tmp_path / "reports"
    text = ok(run_cli("report", SAV, "--out", out, "--lang", "en", "--no-pdf", "--bootstrap", "50", "--seed", "7",
                      flag, value))
    assert len(calls) == 1 and calls[0][flag[2:]] == value
    html = (out / "study.html").read_text(encoding="utf-8")
    assert shown in html
    assert f"{flag} {value}" in html                          # the command that reproduces the report
    assert "or the PDFs to print" not in text and f"Open {out / 'study.html'} in a browser." in text


def test_report_refuses_a_bad_analysis_option_before_reading(run_cli, tmp_path):
    failed(run_cli("report", tmp_path / "missing.sav", "--out", tmp_path / "r", "--outcome", "loyalty"), 2,
           "outcome must be one of satisfaction, csat, nps, ces, got 'loyalty'")
