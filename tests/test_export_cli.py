"""``drivers export`` and ``drivers codebook`` through the real entry point."""
from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET

import pandas as pd
import pytest

from instrument.export import codebook_markdown, to_limesurvey


@pytest.mark.parametrize("fmt, name", [("limesurvey", "ccc.lss"), ("qualtrics", "ccc.qsf"), ("html", "ccc.html")])
def test_export_writes_the_file(run_cli, tmp_path, fmt, name):
    out = tmp_path / name
    res = run_cli("export", fmt, "--lang", "nl,en", "-o", out)
    assert res.exit_code == 0, res.stderr
    assert f"to {out}" in res.stderr and res.stdout == ""
    text = out.read_text(encoding="utf-8")
    if fmt == "limesurvey":
        tree = ET.fromstring(text)
        assert [n.text for n in tree.findall("languages/language")] == ["nl", "en"]
    elif fmt == "qualtrics":
        assert json.loads(text)["SurveyEntry"]["SurveyLanguage"] == "NL"
    else:
        assert "De medewerker was vriendelijk." in text and "The agent was friendly." in text


def test_export_pdf(run_cli, tmp_path):
    out = tmp_path / "vragenlijst.pdf"
    res = run_cli("export", "pdf", "--lang", "nl", "-o", out)
    assert res.exit_code == 0, res.stderr
    assert out.read_bytes()[:5] == b"%PDF-"


def test_export_to_stdout_is_the_api_output(run_cli, inst):
    res = run_cli("export", "limesurvey", "--lang", "en")
    assert res.exit_code == 0
    assert res.stdout == to_limesurvey(inst, ["en"])


def test_default_languages_are_all_source_first(run_cli):
    res = run_cli("export", "limesurvey")
    tree = ET.fromstring(res.stdout)
    assert [n.text for n in tree.findall("languages/language")] == ["nl", "en"]


@pytest.mark.parametrize("suffix", [".json", ".csv", ".md"])
def test_export_codebook_format_from_suffix(run_cli, tmp_path, inst, suffix):
    out = tmp_path / f"codebook{suffix}"
    res = run_cli("export", "codebook", "-o", out)
    assert res.exit_code == 0, res.stderr
    text = out.read_text(encoding="utf-8")
    if suffix == ".json":
        assert len(json.loads(text)["variables"]) == len(inst.variables)
    elif suffix == ".csv":
        assert len(pd.read_csv(io.StringIO(text))) == len(inst.variables)
    else:
        assert text == codebook_markdown(inst)


@pytest.mark.parametrize("fmt", ["json", "csv", "md"])
def test_codebook_command(run_cli, inst, fmt):
    res = run_cli("codebook", "--format", fmt)
    assert res.exit_code == 0, res.stderr
    assert "rel1" in res.stdout and "ccc-quality" in res.stdout


@pytest.mark.parametrize("lang, message", [
    ("fr", "'fr' is not one of nl, en"),
    ("nl,de", "'de' is not one of nl, en"),
    ("nl,nl", "names a language twice"),
    (",", "give at least one language"),
])
def test_bad_lang_is_a_usage_error(run_cli, tmp_path, lang, message):
    res = run_cli("export", "limesurvey", "--lang", lang, "-o", tmp_path / "x.lss")
    assert res.exit_code == 2
    assert message in " ".join(res.stderr.split())
    assert not (tmp_path / "x.lss").exists()


@pytest.mark.parametrize("args, message", [
    (("export", "spss"), "Invalid value for FORMAT: 'spss' is not one of limesurvey, qualtrics, html, pdf, codebook"),
    (("codebook", "--format", "xml"), "Invalid value for --format: 'xml' is not one of json, csv, md"),
])
def test_unknown_format_is_a_usage_error(run_cli, args, message):
    # worded as the other options' usage errors ('--lang: 'de' is not one of nl, en'), not pydantic's
    # "Value error, 'xml' is not one of 'json', ..." (audit L8)
    res = run_cli(*args)
    assert res.exit_code == 2 and res.stdout == ""
    flat = " ".join(res.stderr.replace("│", " ").split())
    assert message in flat, flat
    assert "Value error" not in flat


@pytest.mark.parametrize("fmt", ["limesurvey", "qualtrics", "html", "pdf", "codebook"])
def test_unwritable_output_is_a_one_line_error(run_cli, tmp_path, fmt):
    out = tmp_path / "no" / "such" / "dir" / "out.json"
    res = run_cli("export", fmt, "-o", out)
    assert res.exit_code == 1
    assert "Traceback" not in res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:")
    assert str(out) in lines[0] and "writable" in lines[0]


def test_pdf_needs_an_output_file(run_cli):
    res = run_cli("export", "pdf")
    assert res.exit_code == 2
    assert "give a file with -o" in " ".join(res.stderr.split())


def test_codebook_suffix_must_be_known(run_cli, tmp_path):
    res = run_cli("export", "codebook", "-o", tmp_path / "codebook.txt")
    assert res.exit_code == 2
    assert "use .json, .csv or .md" in " ".join(res.stderr.split())


def test_language_codes_ignore_case(run_cli, inst, tmp_path):
    from instrument.export import parse_languages

    assert parse_languages("EN, nl", inst) == ["en", "nl"] and parse_languages(["Nl"], inst) == ["nl"]
    with pytest.raises(ValueError, match="names a language twice"):
        parse_languages("nl,NL", inst)
    out = tmp_path / "ccc.lss"
    res = run_cli("export", "limesurvey", "--lang", "NL,en", "-o", out)
    assert res.exit_code == 0, res.stderr
    tree = ET.fromstring(out.read_text(encoding="utf-8"))
    assert [n.text for n in tree.findall("languages/language")] == ["nl", "en"]
