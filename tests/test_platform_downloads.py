"""Every response download LimeSurvey and Qualtrics offer that we read, compared value by value.

Two kinds of files: downloads a real LimeSurvey 6.14 server wrote (``fixtures/platforms/limesurvey-6.14/``,
see its README), and downloads built by tests/platform_exports.py in the platforms' own
layouts (LimeSurvey 6.x's writers, checked here against the real files; Qualtrics' three
header rows). Every value read from them must equal the value read from the question-code
CSV they were made from. Downloads that cannot be read must say which export settings to choose.
"""
from __future__ import annotations

import csv
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
REAL = FIXTURES / "limesurvey-6.14"
SPS = REAL / "survey_255829_SPSS_syntax_file.sps"
DAT = REAL / "survey_255829_SPSS_data_file.dat"
Q_NUMERIC = FIXTURES / "qualtrics_numeric.csv"
Q_TEXT_EN = FIXTURES / "qualtrics_choicetext_en.csv"
#: The real downloads that are read (all but the abbreviated headings).
REAL_READ = sorted(p.name for p in REAL.iterdir() if p.suffix in (".csv", ".xlsx", ".sav", ".sps", ".dat")
                   and not p.name.startswith("abbreviated"))


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


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return pe.build_limesurvey_downloads(tmp_path_factory.mktemp("downloads"))


@pytest.mark.parametrize("name", REAL_READ)
def test_real_limesurvey_downloads(codes, inst, name):
    """What a real LimeSurvey 6.14 wrote, in every readable format, equals the question-code CSV."""
    got = read_limesurvey_export(REAL / name, inst)
    columns = [c for c in codes.columns if c != "duration_sec"]  # the real survey saved no timings
    want = codes.copy()
    if name.endswith((".sps", ".dat")):  # LimeSurvey's SPSS data file turns line breaks in answers into spaces
        want["why"] = want["why"].str.replace("\n", " ")
    assert n_equal(got, want, columns) == 6 * len(columns)
    data, report = read_responses(REAL / name, inst)  # recognised without --source
    assert report.format == "limesurvey" and len(data) == 6


def test_the_builder_reproduces_the_real_downloads(built):
    """tests/platform_exports.py writes LimeSurvey's layouts byte for byte (but for what RemoteControl changed)."""
    assert built["sps"].read_bytes() == SPS.read_bytes()
    real_rows = DAT.read_text(encoding="utf-8-sig").splitlines()
    built_rows = built["dat"].read_text(encoding="utf-8-sig").splitlines()
    assert [r for k, r in enumerate(built_rows) if k != 4] == [r for k, r in enumerate(real_rows) if k != 4]
    for name, lang in (("full_headings_full_answers_nl.csv", "nl"), ("full_headings_codes_en.csv", "en")):
        real = pe.read_csv(REAL / name, ";")
        answers = "texts" if "full_answers" in name else "codes"
        ours = pe.limesurvey_full_text(pe.Survey(), lang, answers=answers)
        width = len(real[0])  # ours carry the timing columns after the questions
        assert [r[:width] for r in ours][0] == real[0]
        for k, (a, b) in enumerate(zip(ours[1:], real[1:]), start=1):
            assert [x for j, x in enumerate(a[:width]) if (k, j) != (5, 1)] == \
                   [x for j, x in enumerate(b) if (k, j) != (5, 1)], (name, k)


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_limesurvey_full_question_text_headings_with_timings(codes, inst, built, lang):
    got = read_limesurvey_export(built[f"full_{lang}"], inst)  # LimeSurvey's defaults: full texts, ';'
    assert list(got.columns) == list(codes.columns)
    assert n_equal(got, codes, codes.columns) == 6 * len(codes.columns)
    own = pe.OWN_HEADINGS[lang]
    assert got.attrs["column_map"]["duration_sec"] == own["interviewtime"]
    assert got.attrs["unmapped_columns"][:2] == [own["id"], own["submitdate"]]
    assert got.attrs["incomplete_rows"] == codes.attrs["incomplete_rows"] == [5]


def test_full_headings_with_answer_codes_and_commas(codes, inst, survey, tmp_path):
    """English full headings, answer codes, ',' as separator (LimeSurvey's other choices), with timings."""
    records = pe.limesurvey_full_text(survey, "en", answers="codes")
    got = read_limesurvey_export(pe.write_limesurvey_csv(records, tmp_path / "codes_en.csv", ","), inst)
    n_equal(got, codes, codes.columns)


@pytest.mark.parametrize("key", ["xlsx_code_nl", "xlsx_full_en", "xlsx_full_nl"])
def test_limesurvey_excel_download(codes, inst, built, key):
    got = read_limesurvey_export(built[key], inst)
    n_equal(got, codes, codes.columns)
    data, report = read_responses(built[key], inst)  # recognised without --source
    assert report.format == "limesurvey" and len(data) == 6
    assert report.encoding is None and report.delimiter is None


@pytest.mark.parametrize("key", ["sps", "dat"])
def test_limesurvey_spss_syntax_and_data(codes, inst, built, key):
    got = read_limesurvey_export(built[key], inst)
    columns = [c for c in codes.columns if c not in ("duration_sec", "why")]  # no timings in LimeSurvey's SPSS
    assert n_equal(got, codes, columns) == 6 * len(columns)
    assert "duration_sec" not in got.columns
    assert got.attrs["column_map"]["rel1"] == "reliability_rel1"
    assert got.attrs["incomplete_rows"] == codes.attrs["incomplete_rows"]


def test_spss_99_is_not_applicable_as_the_codebook_says(inst):
    """The .sps declares no missing values; 99 is read as 'not applicable', as in the question-code CSV."""
    _, from_csv = read_responses(REAL / "code_headings_codes_nl.csv", inst)
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
    relabelled = 'VALUE LABELS  V48\n 1 "Ja"\n 2 "Nee"\n 3 "Gedeeltelijk".\n'
    Path(sps).write_text(syntax[:start] + relabelled + syntax[end:], encoding="utf-8-sig")
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


def test_spss_syntax_cut_before_its_renames_is_read_by_its_labels(codes, inst, tmp_path):
    """Without the RENAME lines the variables keep LimeSurvey's labels: its columns' names and the question texts."""
    sps, _ = shutil.copy(SPS, tmp_path), shutil.copy(DAT, tmp_path)
    syntax = Path(sps).read_text(encoding="utf-8-sig")
    Path(sps).write_text(syntax[:syntax.index("RENAME VARIABLES")], encoding="utf-8-sig")
    got = read_limesurvey_export(Path(sps), inst)
    columns = [c for c in codes.columns if c not in ("duration_sec", "why")]
    assert n_equal(got, codes, columns) == 6 * len(columns)
    assert got.attrs["column_map"]["rel1"].startswith("[")


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


def test_abbreviated_headings_say_which_headings_to_choose(inst, run_cli):
    path = REAL / "abbreviated_headings_nl.csv"
    with pytest.raises(DataError, match="abbreviated question texts.*'Question code' or 'Full question text'"):
        read_responses(path, inst)
    failed(run_cli("check", path), 1, "abbreviated question texts", "'Full question text'")


@pytest.mark.parametrize("numbers", [True, False])
@pytest.mark.parametrize("source", [Q_NUMERIC, Q_TEXT_EN])
def test_qualtrics_excel_download(inst, tmp_path, source, numbers):
    """Qualtrics' Excel download: the CSV's three header rows, numbers as numbers or as text."""
    want = read_qualtrics_export(source, inst)
    book = pe.qualtrics_workbook(source, tmp_path / "survey.xlsx", numbers=numbers)
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
    for suffix in (".pdf", ".doc", ".html", ".json", ".xml", ".R", ".dta"):  # LimeSurvey offers all of these
        other = tmp_path / f"results{suffix}"
        other.write_bytes(b"x")
        with pytest.raises(DataError, match=r"from LimeSurvey export the responses as 'CSV' or 'Microsoft Excel'"):
            read_responses(other, inst)


def test_every_command_reads_every_download(run_cli, built, tmp_path):
    downloads = [REAL / "full_headings_full_answers_nl.csv", REAL / "full_headings_full_answers_en.xlsx",
                 REAL / "spss_nl.sav", SPS, DAT, built["full_en"], pe.qualtrics_workbook(Q_NUMERIC, tmp_path / "q.xlsx")]
    for path in downloads:
        assert "rows read" in ok(run_cli("check", path))
    failed(run_cli("check", tmp_path / "survey.zip"), 1, "no such file")
    zipped = tmp_path / "download.zip"
    zipped.write_bytes(b"PK\x03\x04")
    failed(run_cli("check", zipped), 1, "unzip it")


def test_only_limesurveys_sav_goes_to_the_platform_reader(inst, tmp_path):
    """A .sav with Qualtrics' columns stays a plain SPSS file (its columns matched by name), as before."""
    import pyreadstat

    frame = pd.DataFrame({"StartDate": ["2024-03-05"], "EndDate": ["2024-03-05"], "ResponseId": ["R_1"],
                          "respondent_id": ["A1"], "organisation": ["Acme"], "rel1": [6.0],
                          "rel2": [5.0], "rel3": [5.0], "rel4": [4.0]})  # a construct is read whole
    path = tmp_path / "qualtrics.sav"
    pyreadstat.write_sav(frame, str(path))
    data, report = read_responses(path, inst)
    assert report.format == "sav" and data.loc[0, "rel1"] == 6.0
    _, report = read_responses(REAL / "spss_nl.sav", inst)
    assert report.format == "limesurvey"
