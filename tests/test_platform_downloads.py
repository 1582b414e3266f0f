"""Every response download LimeSurvey and Qualtrics offer that we read, compared value by value.

The downloads are built by tests/platform_exports.py in the platforms' own layouts
(LimeSurvey 6.x's writers; Qualtrics' three header rows) from the question-code CSV
fixtures; every value read from them must equal the value read from the question-code
CSV. Downloads that cannot be read must say which export settings to choose.
"""
from __future__ import annotations

import math
import shutil
from pathlib import Path

import pandas as pd
import pytest

import platform_exports as pe
from cli_results import failed, ok
from instrument import read_responses
from instrument.errors import DataError
from instrument.platforms import read_limesurvey_export, read_qualtrics_export

FIXTURES = pe.FIXTURES
SPS = FIXTURES / "survey_255829_SPSS_syntax_file.sps"
DAT = FIXTURES / "survey_255829_SPSS_data_file.dat"
Q_NUMERIC = FIXTURES / "qualtrics_numeric.csv"
Q_TEXT_EN = FIXTURES / "qualtrics_choicetext_en.csv"


@pytest.fixture(scope="module")
def survey():
    return pe.Survey()


@pytest.fixture(scope="module")
def codes(inst):
    return read_limesurvey_export(pe.LS_CODES, inst)


def n_equal(got: pd.DataFrame, want: pd.DataFrame, columns) -> int:
    """Assert every value is equal (blank = blank); the number of values compared."""
    assert len(got) == len(want)
    n = 0
    for col in columns:
        for k, (x, y) in enumerate(zip(got[col].tolist(), want[col].tolist())):
            blank_x = x is None or (isinstance(x, float) and math.isnan(x))
            blank_y = y is None or (isinstance(y, float) and math.isnan(y))
            assert (blank_x and blank_y) or x == y, (col, k + 1, x, y)
            n += 1
    return n


def test_committed_fixtures_are_what_the_script_builds(tmp_path):
    for built in pe.build_text_fixtures(tmp_path):
        assert built.read_bytes() == (FIXTURES / built.name).read_bytes(), built.name


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_limesurvey_full_question_text_headings(codes, inst, lang):
    path = FIXTURES / f"limesurvey_fullheadings_{lang}.csv"  # LimeSurvey's defaults: full texts, ';'
    got = read_limesurvey_export(path, inst)
    assert list(got.columns) == list(codes.columns)
    assert n_equal(got, codes, codes.columns) == 6 * len(codes.columns)
    own = pe.OWN_HEADINGS[lang]
    assert got.attrs["column_map"]["duration_sec"] == own["interviewtime"]
    assert got.attrs["column_map"]["rel1"].endswith("]") and "[" in got.attrs["column_map"]["rel1"]
    assert got.attrs["unmapped_columns"][:2] == [own["id"], own["submitdate"]]


def test_heading_language_and_answer_language_may_differ(codes, inst, survey, tmp_path):
    """English headings over Dutch answer texts (the respondents' language), and code answers."""
    records = pe.limesurvey_full_text(survey, "en", answers="codes")
    got = read_limesurvey_export(pe.write_limesurvey_csv(records, tmp_path / "codes_en.csv", ","), inst)
    n_equal(got, codes, codes.columns)


@pytest.mark.parametrize("headings,lang", [("code", "nl"), ("full", "en"), ("full", "nl")])
def test_limesurvey_excel_download(codes, inst, survey, tmp_path, headings, lang):
    book = pe.limesurvey_workbook(survey, tmp_path / "results-survey255829.xlsx", headings=headings, lang=lang)
    got = read_limesurvey_export(book, inst)
    n_equal(got, codes, codes.columns)
    data, report = read_responses(book, inst)  # recognised without --source
    assert report.format == "limesurvey" and len(data) == 6
    assert report.encoding is None and report.delimiter is None


@pytest.mark.parametrize("given", [SPS, DAT])
def test_limesurvey_spss_syntax_and_data(codes, inst, given):
    got = read_limesurvey_export(given, inst)
    columns = [c for c in codes.columns if c != "duration_sec"]  # LimeSurvey writes no timings to SPSS
    assert n_equal(got, codes, columns) == 6 * len(columns)
    assert "duration_sec" not in got.columns
    assert got.attrs["column_map"]["rel1"] == "reliability_rel1"
    assert got.attrs["incomplete_rows"] == codes.attrs["incomplete_rows"]


def test_spss_99_is_not_applicable_as_the_codebook_says(inst):
    """The .sps declares no missing values; 99 is read as 'not applicable', as in the question-code CSV."""
    _, from_csv = read_responses(pe.LS_CODES, inst)
    _, from_spss = read_responses(SPS, inst)
    columns = ["item", "n_answered", "n_not_applicable", "n_missing"]
    want = from_csv.items[columns].set_index("item")
    got = from_spss.items[columns].set_index("item")
    assert want["n_not_applicable"].sum() > 0
    pd.testing.assert_frame_equal(got, want)


def test_spss_value_labels_translate_codes_that_are_not_ours(inst, tmp_path):
    """A survey whose answer codes differ from ours (2 'Nee', 3 'Gedeeltelijk'): the value labels map them."""
    sps, dat = shutil.copy(SPS, tmp_path), shutil.copy(DAT, tmp_path)
    syntax = Path(sps).read_text(encoding="utf-8-sig")
    start = syntax.index("VALUE LABELS  V48\n")
    end = syntax.index(".\n", start) + 2
    Path(sps).write_text(syntax[:start] + 'VALUE LABELS  V48\n 1 "Ja"\n 2 "Nee"\n 3 "Gedeeltelijk".\n' + syntax[end:], encoding="utf-8-sig")
    lines = Path(dat).read_text(encoding="utf-8-sig").split("\n")
    original = read_limesurvey_export(SPS, inst)["fcr"].tolist()
    assert 2 in original and 3 in original
    fields = [line.split(",") for line in lines]
    position = 47  # V48; the 'why' text after it holds commas, so count from the left
    for row in fields:
        if len(row) > position and row[position] in ("2", "3"):
            row[position] = {"2": "3", "3": "2"}[row[position]]
    Path(dat).write_text("\n".join(",".join(r) for r in fields), encoding="utf-8-sig")
    got = read_limesurvey_export(sps, inst)["fcr"].tolist()
    n_equal(pd.DataFrame({"fcr": got}), pd.DataFrame({"fcr": original}), ["fcr"])


def test_spss_pair_must_be_complete(inst, tmp_path):
    lone_syntax = shutil.copy(SPS, tmp_path / SPS.name)
    with pytest.raises(DataError, match=r"data file 'survey_255829_SPSS_data_file.dat' is not in the same folder.*"
                                        r"download both files"):
        read_responses(lone_syntax, inst)
    other = tmp_path / "other"
    other.mkdir()
    lone_data = shutil.copy(DAT, other / DAT.name)
    with pytest.raises(DataError, match=r"without its SPSS syntax file \(\.sps.*download both files"):
        read_responses(lone_data, inst)
    with pytest.raises(DataError, match="LimeSurvey's SPSS download.*source='limesurvey'"):
        read_responses(SPS, inst, source="file")


def test_abbreviated_headings_say_which_headings_to_choose(inst, survey, tmp_path):
    records = pe.limesurvey_full_text(survey, "nl")
    records[0] = [h if len(h) <= 15 else h[:15] + ".." for h in records[0]]  # LimeSurvey's ellipsis
    path = pe.write_limesurvey_csv(records, tmp_path / "abbreviated.csv")
    with pytest.raises(DataError, match="abbreviated question texts.*'Question code' or 'Full question text'"):
        read_limesurvey_export(path, inst)


@pytest.mark.parametrize("source", [Q_NUMERIC, Q_TEXT_EN])
def test_qualtrics_excel_download(inst, tmp_path, source):
    """Qualtrics' Excel download: the CSV's three header rows, numbers as numbers."""
    want = read_qualtrics_export(source, inst)
    book = pe.qualtrics_workbook(source, tmp_path / "survey.xlsx")
    got = read_qualtrics_export(book, inst)
    assert n_equal(got, want, want.columns) == len(want) * len(want.columns)
    assert got.attrs["not_respondents"] == want.attrs["not_respondents"]
    assert got.attrs["incomplete_rows"] == want.attrs["incomplete_rows"]
    data, report = read_responses(book, inst)
    assert report.format == "qualtrics" and len(data) == len(want)


def test_qualtrics_choice_text_and_numeric_agree(inst):
    numeric = read_qualtrics_export(Q_NUMERIC, inst)
    text = read_qualtrics_export(Q_TEXT_EN, inst)
    ids = set(text["respondent_id"])
    subset = numeric[numeric["respondent_id"].isin(ids)].reset_index(drop=True)
    n_equal(text, subset, [c for c in numeric.columns if c != "duration_sec"])


def test_downloads_that_cannot_be_read_say_what_to_export(inst, tmp_path):
    zipped = tmp_path / "survey.zip"
    zipped.write_bytes(b"PK\x03\x04")
    with pytest.raises(DataError, match="zip file.*unzip it and give the CSV or Excel file inside"):
        read_responses(zipped, inst)
    for suffix in (".pdf", ".docx", ".html", ".json", ".dta"):
        other = tmp_path / f"results{suffix}"
        other.write_bytes(b"x")
        with pytest.raises(DataError, match=r"from LimeSurvey export the responses as 'CSV' or 'Microsoft Excel'"):
            read_responses(other, inst)


def test_every_command_reads_every_download(run_cli, survey, tmp_path):
    downloads = [FIXTURES / "limesurvey_fullheadings_en.csv", FIXTURES / "limesurvey_fullheadings_nl.csv", SPS, DAT,
                 pe.limesurvey_workbook(survey, tmp_path / "ls.xlsx", headings="full", lang="nl"),
                 pe.qualtrics_workbook(Q_NUMERIC, tmp_path / "q.xlsx")]
    for path in downloads:
        assert "rows read" in ok(run_cli("check", path))
    failed(run_cli("check", tmp_path / "survey.zip"), 1, "no such file")
    zipped = tmp_path / "download.zip"
    zipped.write_bytes(b"PK\x03\x04")
    failed(run_cli("check", zipped), 1, "unzip it")
