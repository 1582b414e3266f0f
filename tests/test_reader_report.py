"""The QualityReport, and dispatch of LimeSurvey/Qualtrics exports to instrument.platforms."""
from __future__ import annotations

import csv
import dataclasses
import io
import json
from pathlib import Path

import pandas as pd
import pytest

from fixtures.responses.frames import valid_frame, write_csv
from instrument import DataError, QualityReport, read_responses
from instrument.platforms import reading as platform_reading
from instrument.reader.quality import ITEM_COLUMNS


@pytest.fixture
def frame(inst):
    return valid_frame(inst)


@pytest.fixture
def report_with_problems(inst, frame, tmp_path):
    frame.loc[2, "emp2"] = "ja"
    frame.loc[0, "contact_date"] = "gisteren"
    frame.loc[4, "duration_sec"] = 20
    frame["notes"] = "x"
    lines = write_csv(frame.drop(columns="agent_id"), tmp_path / "r.csv").read_text().splitlines()
    lines.insert(2, ",,,")
    (tmp_path / "r.csv").write_text("\n".join(lines) + "\n")
    return read_responses(tmp_path / "r.csv", inst, invalid="missing")[1]


def test_report_fields(report_with_problems):
    report = report_with_problems
    assert isinstance(report, QualityReport)
    assert (report.format, report.encoding, report.delimiter) == ("csv", "utf-8", ",")
    assert (report.n_rows_read, report.n_empty_rows, report.n_respondents, report.n_flagged, report.n_usable) == (13, 1, 12, 1, 11)
    assert report.unknown_columns == ("notes",) and report.missing_columns == ("agent_id",)
    assert list(report.items.columns) == list(ITEM_COLUMNS)
    assert report.items["item"].tolist()[-5:] == ["contact_reason", "csat", "nps", "ces", "fcr"]
    wai1 = report.items.set_index("item").loc["wai1"]
    # 4 phone respondents answer; the 8 others leave the phone-only item blank by design,
    # which counts as by design only (the columns are disjoint)
    assert (wai1.n_applicable, wai1.n_answered, wai1.n_missing, wai1.n_not_applicable_by_design, wai1.pct_missing) == (4, 4, 0, 8, 0.0)
    assert report.excluded["reason"].tolist() == ["empty row (dropped)", "speeding: 20 s, below 40% of the median 382.5 s"]
    assert report.invalid_values["column"].tolist() == ["contact_date", "emp2"]
    assert report.ok and report.problems == ()


def test_report_is_frozen(report_with_problems):
    with pytest.raises(dataclasses.FrozenInstanceError):
        report_with_problems.ok = False


def test_to_dict_is_json_ready(report_with_problems):
    payload = json.loads(json.dumps(report_with_problems.to_dict()))
    assert payload["n_usable"] == 11 and payload["unknown_columns"] == ["notes"]
    emp2 = next(r for r in payload["items"] if r["item"] == "emp2")
    assert emp2["n_invalid"] == 1 and emp2["construct"] == "empathy"
    assert next(r for r in payload["items"] if r["item"] == "csat")["construct"] is None
    assert payload["excluded"][0] == {"row": 2, "respondent_id": None, "reason": "empty row (dropped)"}


def test_summary_and_html(report_with_problems):
    text = report_with_problems.summary()
    assert "rows read 13, empty rows dropped 1, respondents 12" in text
    assert "flagged 1 (straightlining 0, too many missing 0, speeding 1), usable 11" in text
    assert "unknown columns (ignored): notes" in text and "OK: the data can be analysed" in text
    html = report_with_problems._repr_html_()
    assert html.count("<table") == 3 and "speeding" in html


# --- platform exports -------------------------------------------------------------------


@pytest.fixture
def fake_platforms(monkeypatch, inst):
    """A stand-in for instrument.platforms with its documented interface, recording its calls."""
    calls = []

    def reader(name):
        def read(path, inst_, *, delimiter=None, encoding=None):
            calls.append((name, path, delimiter, encoding))
            out = valid_frame(inst_)
            out.attrs["unmapped_columns"] = ["lastpage", "seed"]
            return out
        return read

    # The reader imports the platform readers when it needs them (from
    # instrument.platforms.reading); the stand-ins replace those names there.
    monkeypatch.setattr(platform_reading, "read_limesurvey_export", reader("limesurvey"))
    monkeypatch.setattr(platform_reading, "read_qualtrics_export", reader("qualtrics"))
    return calls


LIMESURVEY = "id,submitdate,lastpage,startlanguage,seed,channel,reliability[rel1],reliability[rel2]\n1,2024-03-01,4,nl,123,1,5,6\n"
QUALTRICS = (
    "StartDate,EndDate,Status,Progress,Duration (in seconds),ResponseId,channel,rel1\n"
    '"Start Date","End Date","Response Type","Progress","Duration (in seconds)","Response ID","Kanaal","De medewerker..."\n'
    '"{""ImportId"":""startDate""}","{""ImportId"":""endDate""}","{""ImportId"":""status""}","{""ImportId"":""progress""}",'
    '"{""ImportId"":""duration""}","{""ImportId"":""_recordId""}","{""ImportId"":""QID1""}","{""ImportId"":""QID2_1""}"\n'
    "2024-03-01 10:00:00,2024-03-01 10:06:00,0,100,360,R_abc,1,5\n"
)


@pytest.mark.parametrize("text, platform", [(LIMESURVEY, "limesurvey"), (QUALTRICS, "qualtrics")])
def test_platform_exports_are_recognised_and_checked_like_any_file(inst, tmp_path, fake_platforms, text, platform):
    path = tmp_path / "export.csv"
    path.write_text(text, encoding="utf-8")
    data, report = read_responses(path, inst)
    assert fake_platforms == [(platform, path, None, None)]  # detection is the platform reader's (the common one)
    assert report.format == platform and len(data) == 12
    assert report.unknown_columns == ("lastpage", "seed")
    assert data["channel"].tolist()[:2] == ["phone", "email"]  # codes from the platform reader converted to keys


def test_source_file_reads_a_platform_export_as_a_plain_table(inst, tmp_path, fake_platforms):
    path = tmp_path / "export.csv"
    path.write_text(LIMESURVEY)
    with pytest.raises(DataError, match=r"column 'respondent_id': no such column"):
        read_responses(path, inst, source="file")
    assert fake_platforms == []


def test_forced_platform_source(inst, tmp_path, fake_platforms, frame):
    path = write_csv(frame, tmp_path / "plain.csv")
    read_responses(path, inst, source="qualtrics", delimiter="tab", encoding="cp1252")
    assert fake_platforms == [("qualtrics", path, "\t", "cp1252")]


def test_platform_reader_errors_pass_through(inst, tmp_path, monkeypatch):
    def broken(path, inst_, *, delimiter=None, encoding=None):
        raise DataError("column 'reliability[rel9]': no such question in the questionnaire", file=str(path))

    monkeypatch.setattr(platform_reading, "read_limesurvey_export", broken)
    monkeypatch.setattr(platform_reading, "read_qualtrics_export", broken)
    (tmp_path / "export.csv").write_text(LIMESURVEY)
    with pytest.raises(DataError, match=r"no such question"):
        read_responses(tmp_path / "export.csv", inst)


def test_bad_option_values(inst, frame, tmp_path):
    path = write_csv(frame, tmp_path / "r.csv")
    with pytest.raises(DataError, match=r"source must be one of auto, file, limesurvey, qualtrics, not 'spss'"):
        read_responses(path, inst, source="spss")
    with pytest.raises(DataError, match=r"invalid must be 'error' or 'missing', not 'drop'"):
        read_responses(path, inst, invalid="drop")
    with pytest.raises(DataError, match=r"unknown encoding 'utf9'"):
        read_responses(path, inst, encoding="utf9")
    with pytest.raises(DataError, match=r"delimiter ';;' must be a single character"):
        read_responses(path, inst, delimiter=";;")
    assert pd.api.types.is_string_dtype(read_responses(path, inst, delimiter="comma")[0]["why"])


# --- the real instrument.platforms, on the platform readers' own fixtures ----------------

PLATFORM_FIXTURES = sorted((Path(__file__).parent / "fixtures" / "platforms").glob("*.csv"))


@pytest.mark.parametrize("path", PLATFORM_FIXTURES, ids=lambda p: p.name)
def test_real_platform_exports_are_dispatched_and_checked(inst, path):
    platform = path.name.split("_")[0]
    # LimeSurvey's own column as a code heading or a full-text heading (English, Dutch)
    meta_columns = {"limesurvey": ("submitdate", "Date submitted", "Datum verzonden"), "qualtrics": ("StartDate",)}
    data, report = read_responses(path, inst)
    assert report.format == platform
    assert any(m in report.unknown_columns for m in meta_columns[platform])
    assert report.n_respondents > 0 and list(data.columns)[:2] == ["respondent_id", "organisation"]
    assert data["respondent_id"].is_unique and data["rel1"].dtype == float


def test_invalid_value_in_a_platform_export_names_the_platform_column(inst, tmp_path):
    source = Path(__file__).parent / "fixtures" / "platforms" / "qualtrics_choicetext_en.csv"
    rows = list(csv.reader(io.StringIO(source.read_text(encoding="utf-8-sig"), newline="")))
    rows[4][rows[0].index("reliability_2")] = "Sort of"  # the second response
    target = tmp_path / "qualtrics.csv"
    with target.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows(rows)
    with pytest.raises(DataError, match=r"qualtrics\.csv, column 'reliability_2', row 2: 'Sort of' is not a code"):
        read_responses(target, inst)
    data, report = read_responses(target, inst, invalid="missing")
    assert report.column_map["rel2"] == "reliability_2"
    assert report.invalid_values[["row", "column", "variable"]].values.tolist() == [[2, "reliability_2", "rel2"]]
