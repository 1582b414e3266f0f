"""Reading LimeSurvey and Qualtrics response exports back into our variables and codes."""
from __future__ import annotations

import csv
import math
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pytest

from instrument.errors import DataError
from instrument.export import to_limesurvey
from instrument.platforms import read_limesurvey_export, read_qualtrics_export

FIXTURES = Path(__file__).parent / "fixtures" / "platforms"
LS_CODES = FIXTURES / "limesurvey_codes.csv"
LS_TEXT_NL = FIXTURES / "limesurvey_fulltext_nl.csv"
Q_NUMERIC = FIXTURES / "qualtrics_numeric.csv"
Q_TEXT_EN = FIXTURES / "qualtrics_choicetext_en.csv"
CODED = ["channel", "contact_reason", "csat", "nps", "ces", "fcr"]


def same(a: pd.DataFrame, b: pd.DataFrame, columns) -> None:
    for col in columns:
        left, right = a[col].tolist(), b[col].tolist()
        assert len(left) == len(right), col
        for x, y in zip(left, right):
            both_missing = (x is None or (isinstance(x, float) and math.isnan(x))) and \
                           (y is None or (isinstance(y, float) and math.isnan(y)))
            assert both_missing or x == y, (col, left, right)


def rewrite_csv(src: Path, dst: Path, edit, delimiter=",", encoding="utf-8-sig") -> Path:
    with open(src, encoding="utf-8-sig", newline="") as fh:
        records = [r for r in csv.reader(fh, delimiter=delimiter) if r]  # LimeSurvey ends with a blank line
    records = edit(records)
    with open(dst, "w", encoding=encoding, newline="") as fh:
        csv.writer(fh, delimiter=delimiter, lineterminator="\r\n").writerows(records)
    return dst


@pytest.fixture(scope="module")
def ls(inst):
    return read_limesurvey_export(LS_CODES, inst)


def test_limesurvey_codes_become_our_variables(ls, inst):
    expected = [v.id for v in inst.variables]
    assert list(ls.columns) == expected  # every variable, in questionnaire order
    assert len(ls) == 6
    first = ls.iloc[0]
    assert first["respondent_id"] == "S0001" and first["organisation"] == "ORG-A"
    assert first["rel1"] == 6 and first["cfo2"] == 99 and first["men4"] == 99
    assert first["channel"] == 1 and first["contact_reason"] == 5 and first["nps"] == 8
    assert first["duration_sec"] == pytest.approx(312.4)
    assert first["why"] == "Snel geholpen, maar de wachttijd was lang."
    assert ls.loc[1, "why"] == 'Ik moest "drie keer" mailen;\nniemand las mijn vraag goed.'
    # e-mail contact: the phone-only batteries were not shown
    assert ls.loc[1, ["wai1", "wai2", "wai3", "wai4", "men1", "men4"]].isna().all()
    # partial response stopped after the reliability battery
    assert ls.loc[4, "rel1"] == 5 and ls.loc[4, ["emp1", "sat1", "csat", "nps"]].isna().all()
    for col in [i.id for i in inst.items] + CODED:
        assert pd.api.types.is_numeric_dtype(ls[col]), col


def test_limesurvey_unmapped_columns_are_listed(ls):
    assert ls.attrs["source"] == "limesurvey"
    assert ls.attrs["unmapped_columns"] == ["id", "submitdate", "lastpage", "startlanguage", "seed", "startdate",
                                            "datestamp", "groupTime1", "groupTime2", "groupTime3", "groupTime4"]
    assert ls.attrs["column_map"]["rel1"] == "reliability[rel1]"
    assert ls.attrs["column_map"]["duration_sec"] == "interviewtime"


def test_limesurvey_full_dutch_answers_read_as_codes(ls, inst):
    full = read_limesurvey_export(LS_TEXT_NL, inst)  # semicolon separated, answer texts in Dutch
    same(full, ls, [c for c in ls.columns if c != "respondent_id"])
    # the hidden respondent-id question was empty (no URL parameter): LimeSurvey's id stands in
    assert full["respondent_id"].tolist() == ["1", "2", "3", "4", "5", "6"]
    assert "respondentid" in full.attrs["unmapped_columns"] and "id" not in full.attrs["unmapped_columns"]


def test_limesurvey_other_heading_styles(ls, inst, tmp_path):
    def em_codes(records):
        records[0] = [h.replace("[", "_").replace("]", "") for h in records[0]]
        return records

    def code_and_text(records):
        texts = {"reliability[rel1]": "De medewerker stelde de juiste vragen", "channel": "Via welk kanaal?"}
        records[0] = [f"{h}. {texts[h]}" if h in texts else h for h in records[0]]
        return records

    for edit in (em_codes, code_and_text):
        df = read_limesurvey_export(rewrite_csv(LS_CODES, tmp_path / f"{edit.__name__}.csv", edit), inst)
        same(df, ls, ls.columns)


def test_limesurvey_columns_are_what_the_lss_names(inst):
    """Round trip: every question column of the fixture is a question/subquestion of our .lss."""
    tree = ET.fromstring(to_limesurvey(inst, "nl,en"))
    qs = {r.findtext("qid"): r.findtext("title") for r in tree.findall("questions/rows/row")}
    subs = tree.findall("subquestions/rows/row")
    parents = {r.findtext("parent_qid") for r in subs}
    names = {title for qid, title in qs.items() if qid not in parents}
    names |= {f"{qs[r.findtext('parent_qid')]}[{r.findtext('title')}]" for r in subs}
    with open(LS_CODES, encoding="utf-8-sig", newline="") as fh:
        header = next(csv.reader(fh))
    platform_own = {"id", "submitdate", "lastpage", "startlanguage", "seed", "startdate", "datestamp",
                    "interviewtime", "groupTime1", "groupTime2", "groupTime3", "groupTime4"}
    assert set(header) - platform_own == names


def test_qualtrics_numeric_export_matches_limesurvey(ls, inst):
    q = read_qualtrics_export(Q_NUMERIC, inst)
    assert list(q.columns) == list(ls.columns)
    same(q, ls, [c for c in ls.columns if c != "duration_sec"])
    assert q["duration_sec"].tolist() == [312, 540, 198, 422, 95, 261]  # Duration (in seconds)
    assert q.attrs["source"] == "qualtrics"
    assert "nps_NPS_GROUP" in q.attrs["unmapped_columns"] and "ResponseId" in q.attrs["unmapped_columns"]
    assert q.attrs["column_map"]["organisation"] == "organisation"  # embedded data


def test_qualtrics_choice_text_and_tag_n_columns(ls, inst):
    q = read_qualtrics_export(Q_TEXT_EN, inst)  # English choice texts, matrix columns 'reliability_1' ...
    assert q.attrs["column_map"]["rel1"] == "reliability_1"
    expected = ls.iloc[[0, 1, 3]].reset_index(drop=True)
    same(q, expected, [c for c in ls.columns if c != "duration_sec"])


def test_qualtrics_import_ids_rescue_renamed_tags(ls, inst, tmp_path):
    def rename(records):
        records[0] = [{"rel1": "Q4_1", "csat": "Q12", "why": "Q16"}.get(h, h) for h in records[0]]
        return records

    q = read_qualtrics_export(rewrite_csv(Q_NUMERIC, tmp_path / "renamed.csv", rename), inst)
    same(q, ls, ["rel1", "csat", "why"])


def test_qualtrics_response_id_stands_in_without_embedded_id(inst, tmp_path):
    def drop(records):
        keep = [i for i, h in enumerate(records[0]) if h != "respondentid"]
        return [[r[i] for i in keep] for r in records]

    q = read_qualtrics_export(rewrite_csv(Q_NUMERIC, tmp_path / "noid.csv", drop), inst)
    assert q["respondent_id"].iloc[0] == "R_3kZ1pQ9xYfL2aBc"
    assert "ResponseId" not in q.attrs["unmapped_columns"]


def test_unknown_labels_are_left_for_the_common_reader(inst, tmp_path):
    def typo(records):
        col = records[0].index("empathy[emp1]")
        records[1][col] = "Heel erg eens"
        return records

    df = read_limesurvey_export(rewrite_csv(LS_TEXT_NL, tmp_path / "typo.csv", typo, delimiter=";"), inst)
    assert df.loc[0, "emp1"] == "Heel erg eens"
    assert df.loc[1, "emp1"] == 3


def test_other_encodings(inst, tmp_path):
    def accent(records):
        records[1][records[0].index("why")] = "Geen idee waarom, wel tevreden café"
        return records

    path = rewrite_csv(LS_CODES, tmp_path / "cp1252.csv", accent, encoding="cp1252")
    df = read_limesurvey_export(path, inst)  # detected like any text file (re-saved from Excel)
    assert df.loc[0, "why"].endswith("café") and df.attrs["encoding"] == "cp1252"
    df = read_limesurvey_export(path, inst, encoding="cp1252")
    assert df.loc[0, "why"].endswith("café")
    with pytest.raises(DataError, match=r"cannot be decoded as utf-8: byte 0xe9 on line 2 .* pass encoding='cp1252'"):
        read_limesurvey_export(path, inst, encoding="utf-8")


def test_wrong_platform_is_named(inst):
    with pytest.raises(DataError, match="not a LimeSurvey response export.*Export responses") as err:
        read_limesurvey_export(Q_NUMERIC, inst)
    assert err.value.file == str(Q_NUMERIC)
    with pytest.raises(DataError, match="not a Qualtrics response export.*Export data"):
        read_qualtrics_export(LS_CODES, inst)


def test_files_that_are_not_exports(inst, tmp_path):
    with pytest.raises(DataError, match="no such file"):
        read_limesurvey_export(tmp_path / "missing.csv", inst)
    xlsx = tmp_path / "responses.xlsx"
    xlsx.write_bytes(b"PK\x03\x04" + b"\x00" * 64)
    with pytest.raises(DataError, match="cannot be read as an Excel workbook"):
        read_qualtrics_export(xlsx, inst)
    zipped = tmp_path / "responses.csv"  # Qualtrics downloads come zipped
    zipped.write_bytes(b"PK\x03\x04" + b"\x00" * 64)
    with pytest.raises(DataError, match="not CSV text.*unzip the download"):
        read_qualtrics_export(zipped, inst)
    meta_only = tmp_path / "meta.csv"
    meta_only.write_text('"id","submitdate","lastpage","Q01"\n"1","2024-01-01","3","A1"\n', encoding="utf-8")
    with pytest.raises(DataError, match=r"no column matches a question.*reliability\[rel1\]"):
        read_limesurvey_export(meta_only, inst)


def test_a_variable_in_two_columns_is_refused(inst, tmp_path):
    def duplicate(records):
        col = records[0].index("reliability[rel1]")
        return [r + [r[col]] for r in records]

    def rename_last(records):
        records = duplicate(records)
        records[0][-1] = "reliability_rel1"
        return records

    with pytest.raises(DataError, match="'reliability\\[rel1\\]' and 'reliability_rel1' both hold variable 'rel1'"):
        read_limesurvey_export(rewrite_csv(LS_CODES, tmp_path / "dup.csv", rename_last), inst)


@pytest.mark.parametrize("keep_rows", [(0, 1), (0,)])
def test_qualtrics_older_header_layouts(ls, inst, tmp_path, keep_rows):
    """Two header rows (legacy: tags and question texts) or only the tag row (API downloads)."""
    def drop_headers(records):
        return [records[i] for i in keep_rows] + records[3:]

    q = read_qualtrics_export(rewrite_csv(Q_NUMERIC, tmp_path / "legacy.csv", drop_headers), inst)
    assert len(q) == 6
    same(q, ls, [c for c in ls.columns if c != "duration_sec"])


# --- incomplete responses, previews and test responses ----------------------------------


def test_incomplete_responses_are_kept_and_listed(ls, inst):
    assert ls.attrs["incomplete_rows"] == [5]  # no submitdate: stopped after the reliability battery
    q = read_qualtrics_export(Q_NUMERIC, inst)
    assert q.attrs["incomplete_rows"] == [5] and len(q) == 6  # Finished = 0
    assert ls.attrs["not_respondents"] == [] and q.attrs["not_respondents"] == []


def _with_previews(records, status_values):
    """Copies of the first response after the three header rows, one per Status value, inserted after response 2."""
    status, rid = records[0].index("Status"), records[0].index("ResponseId")
    extra = []
    for n, value in enumerate(status_values):
        row = list(records[3])
        row[status], row[rid] = value, f"R_preview{n}"
        row[records[0].index("respondentid")] = f"P{n}"
        extra.append(row)
    return records[:5] + extra + records[5:]


def test_qualtrics_previews_and_test_responses_are_dropped_and_listed(ls, inst, tmp_path):
    path = rewrite_csv(Q_NUMERIC, tmp_path / "previews.csv", lambda r: _with_previews(r, ["1", "2"]))
    q = read_qualtrics_export(path, inst)
    same(q, ls, [c for c in ls.columns if c != "duration_sec"])  # the six respondents, nothing else
    assert q.attrs["source_rows"] == [1, 2, 5, 6, 7, 8] and q.attrs["incomplete_rows"] == [7]
    assert q.attrs["not_respondents"] == [
        {"row": 3, "respondent_id": "R_preview0",
         "reason": "survey preview (Qualtrics Status 'Survey Preview'), not a respondent (dropped)"},
        {"row": 4, "respondent_id": "R_preview1",
         "reason": "test response (Qualtrics Status 'Survey Test'), not a respondent (dropped)"},
    ]


def test_choice_text_status_values(inst, tmp_path):
    path = rewrite_csv(Q_TEXT_EN, tmp_path / "text.csv", lambda r: _with_previews(r, ["Survey Preview", "survey test"]))
    q = read_qualtrics_export(path, inst)
    assert len(q) == 3 and [e["row"] for e in q.attrs["not_respondents"]] == [3, 4]


def test_quality_report_counts_previews_and_incomplete_responses(inst, tmp_path):
    from instrument import read_responses

    path = rewrite_csv(Q_NUMERIC, tmp_path / "previews.csv", lambda r: _with_previews(r, ["1"]))
    data, report = read_responses(path, inst)
    assert (report.n_rows_read, report.n_not_respondents, report.n_respondents, report.n_incomplete) == (7, 1, 6, 1)
    assert data["source_row"].tolist() == [1, 2, 4, 5, 6, 7]
    excluded = report.excluded.set_index("row")
    assert excluded.loc[3, "reason"].startswith("survey preview") and excluded.loc[3, "respondent_id"] == "R_preview0"
    assert "1 response was not completed (row 6: Finished is 0); it is analysed with what it answered" \
        in report.warnings
    assert "previews/test responses dropped 1, respondents 6 (not completed 1)" in report.summary()
    assert report.to_dict()["n_not_respondents"] == 1 and report.to_dict()["n_incomplete"] == 1
    _, ls_report = read_responses(LS_CODES, inst)
    assert ls_report.n_incomplete == 1 and ls_report.n_not_respondents == 0
    assert "1 response was not completed (row 5: no submitdate); it is analysed with what it answered" \
        in ls_report.warnings


def test_only_previews_is_a_clear_error(inst, tmp_path):
    from instrument import read_responses

    def previews_only(records):
        records = _with_previews(records, ["1", "1"])
        return records[:3] + records[5:7]

    with pytest.raises(DataError, match=r"has no responses: all 2 rows are survey previews or test responses"):
        read_responses(rewrite_csv(Q_NUMERIC, tmp_path / "p.csv", previews_only), inst)


# --- the common reader's text parsing: row numbers, delimiters, numbers, labels ---------


def test_row_numbers_count_empty_rows_like_any_csv(inst, tmp_path):
    from instrument import read_responses

    def blank_and_typo(records):
        records[4][records[0].index("empathy[emp1]")] = "Heel erg eens"  # the fourth response
        return records[:3] + [[""] * len(records[0])] + records[3:]  # an empty row after response 2

    path = rewrite_csv(LS_TEXT_NL, tmp_path / "blank.csv", blank_and_typo, delimiter=";")
    df = read_limesurvey_export(path, inst)
    assert df.attrs["source_rows"] == [1, 2, 4, 5, 6, 7] and df.attrs["empty_rows"] == [3]
    with pytest.raises(DataError, match=r"column 'empathy\[emp1\]', row 5: 'Heel erg eens' is not a code"):
        read_responses(path, inst)
    _, report = read_responses(path, inst, invalid="missing")
    assert (report.n_rows_read, report.n_empty_rows) == (7, 1)
    assert report.excluded.query("reason == 'empty row (dropped)'")["row"].tolist() == [3]


def test_any_delimiter_is_detected_and_a_forced_one_is_used(ls, inst, tmp_path):
    from instrument import read_responses

    with open(LS_CODES, encoding="utf-8-sig", newline="") as fh:
        records = list(csv.reader(fh))
    pipe = tmp_path / "pipe.csv"
    with open(pipe, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, delimiter="|", lineterminator="\r\n").writerows(records)
    same(read_limesurvey_export(pipe, inst), ls, ls.columns)
    assert read_limesurvey_export(pipe, inst).attrs["delimiter"] == "|"
    with pytest.raises(DataError, match=r"one column when split on ';' \(semicolon\); the file seems to use '\|'"):
        read_responses(pipe, inst, source="limesurvey", delimiter=";")
    data, report = read_responses(pipe, inst, delimiter="|")
    assert report.format == "limesurvey" and report.delimiter == "|" and len(data) == 6


def test_decimal_commas_only_outside_comma_files(inst, tmp_path):
    from instrument import read_responses

    def decimal_comma(records):
        records[1][records[0].index("reliability[rel1]")] = "5,0"
        return records

    semicolon = rewrite_csv(LS_TEXT_NL, tmp_path / "semi.csv", decimal_comma, delimiter=";")
    assert read_limesurvey_export(semicolon, inst).loc[0, "rel1"] == 5
    comma = rewrite_csv(LS_CODES, tmp_path / "comma.csv", decimal_comma)
    assert read_limesurvey_export(comma, inst).loc[0, "rel1"] == "5,0"  # left for the common reader
    with pytest.raises(DataError, match=r"column 'reliability\[rel1\]', row 1: '5,0' is not a code.*no decimal commas"):
        read_responses(comma, inst)


def test_a_label_that_names_two_codes_is_not_read_as_either(inst):
    from instrument.definition import Variable
    from instrument.reader.validate import label_codes
    from instrument.schema import Choice

    var = Variable(id="x", kind="question", type="choice", label={"nl": "x", "en": "x"}, text=None,
                   choices=(Choice(code=1, key="a", label={"nl": "Zelfde", "en": "First"}),
                            Choice(code=2, key="b", label={"nl": "Tweede", "en": "zelfde"})))
    assert label_codes(var) == {"first": 1, "a": 1, "tweede": 2, "b": 2}
