"""``drivers check`` through the real entry point: every bad input gives one line and exit 1."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from fixtures.responses.frames import file_state, numeric_frame, valid_frame, write_csv, write_sav
from cli_results import ok

FIXTURES = Path(__file__).parent / "fixtures" / "responses"


@pytest.fixture
def frame(inst):
    return valid_frame(inst)


def user_error(res, *fragments: str) -> str:
    """Check that a run failed as a user error: exit 1, one line on stderr, no traceback."""
    assert res.exit_code == 1, res.stdout + res.stderr
    message = res.stderr.strip()
    assert "Traceback" not in res.stderr and "Traceback" not in res.stdout
    assert message.startswith("error: ") and len(message.splitlines()) == 1, message
    for fragment in fragments:
        assert fragment in message, message
    return message


def item_row(stdout: str, item: str) -> list[str]:
    """The numbers of one item's row in the items table: answered, N/A, missing, invalid, N/A design, % missing."""
    line = next(line for line in stdout.splitlines() if re.match(rf"^\s+{item}\s", line))
    return line.split()[1:]


def test_valid_file_prints_the_summary_and_exits_0(run_cli, inst, frame, tmp_path):
    out = ok(run_cli("check", write_csv(frame, tmp_path / "responses.csv")))
    assert "format csv, encoding utf-8, delimiter ',' (comma)" in out
    assert re.search(r"respondents\s+12", out) and re.search(r"usable\s+12", out)
    assert item_row(out, "rel3") == ["11", "1", "0", "0", "0", "0.0"]
    assert item_row(out, "wai1") == ["4", "0", "0", "0", "8", "0.0"]
    assert re.search(r"Acme\s+6\s+0\s+6", out) and re.search(r"Beta\s+6\s+0\s+6", out)
    assert "OK: 12 usable respondents; the data can be analysed" in out


@pytest.mark.parametrize("column, option", [("respondent_id", "--id-column"), ("organisation", "--group-column")])
def test_missing_required_column(run_cli, frame, tmp_path, column, option):
    path = write_csv(frame.rename(columns={column: "Nummer"}), tmp_path / "responses.csv")
    user_error(run_cli("check", path), f"responses.csv, column '{column}': no such column",
               f"Add a column '{column}'", f"(drivers check {option} NAME)")
    ok(run_cli("check", path, option, "Nummer"))


def test_unknown_columns_are_listed_and_ignored(run_cli, frame, tmp_path):
    frame["notes"] = "x"
    frame["Q7_TEXT"] = ""
    out = ok(run_cli("check", write_csv(frame, tmp_path / "responses.csv")))
    assert "unknown columns (ignored): notes, Q7_TEXT" in out


def test_text_in_a_scale_column(run_cli, frame, tmp_path):
    frame.loc[[3, 8], "emp2"] = "ja"
    user_error(
        run_cli("check", write_csv(frame, tmp_path / "responses.csv")),
        "responses.csv, column 'emp2', rows 4, 9: 'ja' is not a code of the 1-7 agreement scale; "
        "use the codes 1-7 (99 = not applicable) or their labels, or pass invalid='missing' (drivers check --invalid missing)",
    )


def test_out_of_range_code(run_cli, frame, tmp_path):
    frame.loc[6, "rel2"] = 8
    user_error(run_cli("check", write_csv(frame, tmp_path / "responses.csv")),
               "column 'rel2', row 7: 8 is not a code of the 1-7 agreement scale")


def test_invalid_missing_counts_out_of_range_values_and_exits_0(run_cli, frame, tmp_path):
    frame.loc[6, "rel2"] = 8
    frame.loc[[3, 8], "emp2"] = "ja"
    out = ok(run_cli("check", write_csv(frame, tmp_path / "responses.csv"), "--invalid", "missing"))
    assert item_row(out, "rel2") == ["11", "0", "0", "1", "0", "8.3"]
    assert item_row(out, "emp2") == ["10", "0", "0", "2", "0", "16.7"]
    assert "column 'emp2': 2 invalid value(s) read as missing (rows 4, 9)" in out


def test_duplicate_respondent_ids(run_cli, frame, tmp_path):
    frame.loc[[4, 10], "respondent_id"] = "R002"
    user_error(run_cli("check", write_csv(frame, tmp_path / "responses.csv")),
               "column 'respondent_id', rows 2, 5, 11: duplicate respondent id 'R002' (rows 2, 5, 11: different answers)")


def test_check_prints_its_summary_with_the_duplicates_among_its_problems(run_cli, frame, tmp_path):
    """Issue 18: check used to stop at the first duplicate id with no quality summary."""
    frame = pd.concat([frame, frame.iloc[[3]]], ignore_index=True)   # row 13 repeats row 4 exactly
    path = write_csv(frame, tmp_path / "responses.csv")
    res = run_cli("check", path, "--json", tmp_path / "q.json")
    message = user_error(res, "duplicate respondent id 'R004' (rows 4, 13: identical rows)",
                         "duplicates='drop_identical' (drivers check --duplicates drop_identical)")
    assert "Data quality:" in res.stdout and "Organisations" in res.stdout      # the summary, all of it
    assert "NOT OK" in res.stdout and message.removeprefix("error: ") in " ".join(res.stdout.split())
    assert json.loads((tmp_path / "q.json").read_text())["problems"] == [message.removeprefix("error: ")]


def test_identical_duplicates_are_dropped_counted_and_listed_on_request(run_cli, frame, tmp_path):
    frame = pd.concat([frame, frame.iloc[[3, 3]]], ignore_index=True)   # rows 13 and 14 repeat row 4
    path = write_csv(frame, tmp_path / "responses.csv")
    out = ok(run_cli("check", path, "--duplicates", "drop_identical", "--json", tmp_path / "q.json"))
    assert re.search(r"identical duplicates \(dropped\)\s+2", out)
    assert "row 13 (id R004): identical duplicate of row 4 (dropped)" in out
    report = json.loads((tmp_path / "q.json").read_text())
    assert report["n_duplicates_dropped"] == 2 and report["n_respondents"] == 12 and report["n_rows_read"] == 14
    assert [e["row"] for e in report["excluded"] if "identical duplicate" in e["reason"]] == [13, 14]


def test_conflicting_duplicates_stay_an_error_when_identical_ones_are_dropped(run_cli, frame, tmp_path):
    extra = frame.iloc[[3, 5]].copy()
    extra.loc[extra.index[1], "rel1"] = 1 if frame.loc[5, "rel1"] != 1 else 2   # same id as row 6, other answer
    path = write_csv(pd.concat([frame, extra], ignore_index=True), tmp_path / "responses.csv")
    res = run_cli("check", path, "--duplicates", "drop_identical")
    user_error(res, "duplicate respondent id 'R006' (rows 6, 14: different answers)")
    assert "row 13 (id R004): identical duplicate of row 4 (dropped)" in res.stdout and "NOT OK" in res.stdout


def test_duplicates_option_is_checked_like_every_option(run_cli, frame, tmp_path):
    res = run_cli("check", write_csv(frame, tmp_path / "responses.csv"), "--duplicates", "keep")
    assert res.exit_code == 2 and "duplicates must be one of error, drop_identical, got 'keep'" in res.stderr


def test_empty_rows_are_dropped_and_counted(run_cli, frame, tmp_path):
    path = write_csv(frame, tmp_path / "responses.csv")
    lines = path.read_text().splitlines()
    lines[3:3] = ["," * (len(frame.columns) - 1), ""]
    path.write_text("\n".join(lines) + "\n")
    out = ok(run_cli("check", path))
    assert re.search(r"rows read\s+14", out) and re.search(r"empty rows \(dropped\)\s+2", out)
    assert "row 3: empty row (dropped)" in out and "row 4: empty row (dropped)" in out


@pytest.mark.parametrize("content, fragment", [
    (b"", "has no responses (the file is empty)"),
    (b"respondent_id,organisation,rel1\r\n", "has no responses (only a header row)"),
])
def test_empty_file(run_cli, tmp_path, content, fragment):
    path = tmp_path / "responses.csv"
    path.write_bytes(content)
    user_error(run_cli("check", path), f"responses.csv: {fragment}")


@pytest.mark.parametrize("sep, forced, fragment", [
    ("|", ",", "the file seems to use '|' (pipe): pass delimiter='|' (drivers check --delimiter '|')"),
    (";", ",", "the file seems to use ';' (semicolon): pass delimiter=';'"),
    (",", "tab", "one column when split on '\\t' (tab); the file seems to use ',' (comma)"),
])
def test_wrong_delimiter(run_cli, frame, tmp_path, sep, forced, fragment):
    path = write_csv(frame, tmp_path / "responses.csv", sep=sep)
    user_error(run_cli("check", path, "--delimiter", forced), fragment)
    ok(run_cli("check", path))


def test_pipe_file_without_options_is_detected(run_cli, frame, tmp_path):
    out = ok(run_cli("check", write_csv(frame, tmp_path / "responses.txt", sep="|")))
    assert "delimiter '|' (pipe)" in out


@pytest.mark.parametrize("encoding, reported", [("utf-8-sig", "utf-8-sig"), ("utf-8", "utf-8"), ("latin-1", "cp1252")])
def test_encodings(run_cli, frame, tmp_path, encoding, reported):
    frame.loc[0, "why"] = "Heel vriendelijk, één keer bellen; café"
    out = ok(run_cli("check", write_csv(frame, tmp_path / "responses.csv", encoding=encoding)))
    assert f"encoding {reported}," in out


def test_forced_wrong_encoding(run_cli, frame, tmp_path):
    frame.loc[0, "why"] = "één keer"
    path = write_csv(frame, tmp_path / "responses.csv", encoding="latin-1")
    user_error(run_cli("check", path, "--encoding", "utf-8"), "cannot be decoded as utf-8",
               "pass encoding='cp1252' (drivers check --encoding cp1252)")
    user_error(run_cli("check", path, "--encoding", "klingon"), "unknown encoding 'klingon'")


def test_dutch_excel_csv(run_cli):
    out = ok(run_cli("check", FIXTURES / "excel_nl_cp1252.csv"))
    assert "format csv, encoding cp1252, delimiter ';' (semicolon)" in out
    assert item_row(out, "rel3") == ["2", "1", "0", "0", "0", "0.0"]
    assert item_row(out, "rel4") == ["2", "1", "0", "0", "0", "0.0"]  # the N/A label counts as N/A
    assert item_row(out, "cfo1") == ["no", "column"]


def test_sav_with_value_labels_and_user_missing(run_cli, inst, frame, tmp_path):
    out = ok(run_cli("check", write_sav(frame, tmp_path / "responses.sav", inst)))
    assert "format sav" in out
    assert item_row(out, "rel3") == ["11", "1", "0", "0", "0", "0.0"]


def test_xlsx_and_sheet_option(run_cli, frame, tmp_path):
    path = tmp_path / "responses.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"x": [1]}).to_excel(writer, sheet_name="Toelichting", index=False)
        frame.to_excel(writer, sheet_name="Data", index=False)
    out = ok(run_cli("check", path, "--sheet", "Data"))
    assert "format xlsx" in out and re.search(r"usable\s+12", out)
    user_error(run_cli("check", path, "--sheet", "Blad1"), "has no sheet 'Blad1'; its sheets are 'Toelichting', 'Data'")
    user_error(run_cli("check", path), "column 'respondent_id': no such column; the file's columns are 'x'")


def test_parquet(run_cli, frame, tmp_path):
    path = tmp_path / "responses.parquet"
    numeric_frame(frame).to_parquet(path)
    assert "format parquet" in ok(run_cli("check", path))


@pytest.mark.parametrize("column", ["rel1", "organisation", "notes"])
def test_parquet_column_of_lists_is_named_not_a_traceback(run_cli, frame, tmp_path, column):
    """A nested Parquet column (lists per cell) is a user error, even one the questionnaire does not know."""
    path = tmp_path / "responses.parquet"
    data = numeric_frame(frame)
    data[column] = [[1, 2]] + [None] * (len(data) - 1) if column == "notes" else [["a"]] * len(data)
    data.to_parquet(path)
    message = user_error(run_cli("check", path), "responses.parquet", f"column '{column}'", "nested Parquet column")
    assert ("row 1:" in message) if column == "notes" else ("rows 1, 2, 3, 4, 5" in message)


@pytest.mark.parametrize("name, content, fragment", [
    ("responses.sav", b"not an spss file at all", "cannot be read as an SPSS data file"),
    ("responses.xlsx", b"PK\x03\x04garbage", "cannot be read as an Excel workbook"),
    ("responses.parquet", b"garbage", "cannot be read as a Parquet file"),
    ("responses.json", b"[]", "'.json' is not a supported response file format"),
])
def test_corrupt_or_unsupported_files(run_cli, tmp_path, name, content, fragment):
    path = tmp_path / name
    path.write_bytes(content)
    user_error(run_cli("check", path), f"{name}: {fragment}")


def test_nonexistent_path_and_directory(run_cli, tmp_path):
    user_error(run_cli("check", tmp_path / "nope.csv"), "nope.csv: no such file")
    user_error(run_cli("check", tmp_path), "is a directory")


def test_flags_are_reported_and_flagged_rows_listed(run_cli, inst, frame, tmp_path):
    drivers = [i.id for c in inst.drivers for i in c.items]
    frame.loc[0, drivers] = 5  # phone respondent: straight-liner
    frame.loc[1, [i for i in drivers if not inst.item(i).channels][3:]] = None  # e-mail: 3 of 20 answered
    frame.loc[2, "duration_sec"] = 30  # speeder
    out = ok(run_cli("check", write_csv(frame, tmp_path / "responses.csv")))
    assert re.search(r"flagged: straightlining\s+1", out) and re.search(r"flagged: too many missing\s+1", out)
    assert re.search(r"flagged: speeding\s+1", out) and re.search(r"usable\s+9", out)
    assert "row 1 (id R001): straightlining: all 28 answered driver items are 5" in out
    assert "row 2 (id R002): too many missing: 3 of 20 applicable driver items answered" in out
    assert "row 3 (id R003): speeding: 30 s" in out


def test_all_respondents_flagged_exits_1(run_cli, inst, frame, tmp_path):
    frame.loc[:, [i.id for c in inst.drivers for i in c.items]] = 4
    res = run_cli("check", write_csv(frame, tmp_path / "responses.csv"))
    user_error(res, "responses.csv: cannot be analysed: all 12 respondents are flagged")
    assert re.search(r"usable\s+0", res.stdout)


def test_json_report(run_cli, frame, tmp_path):
    target = tmp_path / "report.json"
    out = ok(run_cli("check", write_csv(frame, tmp_path / "responses.csv"), "--json", target))
    assert "report written to" in out
    payload = json.loads(target.read_text())
    assert payload["ok"] is True and payload["n_usable"] == 12 and len(payload["items"]) == 36
    user_error(run_cli("check", tmp_path / "responses.csv", "--json", tmp_path / "no" / "dir" / "r.json"),
               "the folder")


def test_input_file_unchanged_by_check(run_cli, frame, tmp_path):
    path = write_csv(frame, tmp_path / "responses.csv", sep=";", encoding="utf-8-sig")
    before = file_state(path)
    ok(run_cli("check", path, "--json", tmp_path / "report.json"))
    assert file_state(path) == before


def test_bad_option_values_are_usage_errors(run_cli, frame, tmp_path):
    path = write_csv(frame, tmp_path / "responses.csv")
    res = run_cli("check", path, "--invalid", "drop")
    assert res.exit_code == 2 and "'drop' is not one of error, missing" in res.stderr
    res = run_cli("check", path, "--source", "spss")
    assert res.exit_code == 2 and "'spss' is not one of auto, file, limesurvey, qualtrics" in res.stderr


def test_platform_export_is_recognised(run_cli):
    path = Path(__file__).parent / "fixtures" / "platforms" / "limesurvey_codes.csv"
    out = ok(run_cli("check", path))
    assert "format limesurvey" in out and "unknown columns (ignored): " in out and "submitdate" in out


def test_json_over_the_input_file_is_refused(run_cli, frame, tmp_path):
    path = write_csv(frame, tmp_path / "responses.csv")
    before = path.read_bytes()
    user_error(run_cli("check", path, "--json", path), "is the input file")
    assert path.read_bytes() == before


# --- file data is printed as text, never as rich markup ----------------------------------


def test_markup_in_organisation_names_is_printed_literally(run_cli, frame, tmp_path):
    frame.loc[:5, "organisation"] = "Acme [/]"
    frame.loc[6:, "organisation"] = "[bold]Beta[/bold]"
    out = ok(run_cli("check", write_csv(frame, tmp_path / "responses.csv")))
    assert re.search(r"Acme \[/\]\s+6\s+0\s+6", out) and re.search(r"\[bold\]Beta\[/bold\]\s+6\s+0\s+6", out)


def test_markup_in_column_names_is_printed_literally(run_cli, frame, tmp_path):
    frame["[/bold]"] = "x"
    frame["[rel1]"] = "y"
    out = ok(run_cli("check", write_csv(frame, tmp_path / "responses.csv")))
    assert "unknown columns (ignored): [/bold], [rel1]" in out


def test_markup_in_values_warnings_and_errors_is_printed_literally(run_cli, inst, frame, tmp_path):
    frame.loc[2, "emp2"] = "[/]"
    frame.loc[3, "respondent_id"] = "[red]R004"
    path = write_csv(frame, tmp_path / "responses.csv")
    user_error(run_cli("check", path), "column 'emp2', row 3: '[/]' is not a code")
    out = ok(run_cli("check", path, "--invalid", "missing"))
    assert "column 'emp2': 1 invalid value(s) read as missing (row 3): '[/]' is not a code" in out
    frame.loc[2, "emp2"] = 5
    frame.loc[3, [i.id for c in inst.drivers for i in c.items]] = 4  # a phone respondent: straight-liner
    out = ok(run_cli("check", write_csv(frame, tmp_path / "responses.csv")))
    assert "row 4 (id [red]R004): straightlining" in out


def test_markup_in_the_file_name_is_printed_literally(run_cli, frame, tmp_path):
    out = ok(run_cli("check", write_csv(frame, tmp_path / "[bold]responses.csv")))
    assert "[bold]responses.csv" in out


# --- files a user may hand over by mistake: one line each, never a traceback --------------


@pytest.mark.parametrize("encoding", ["rot13", "hex", "klingon"])
def test_unknown_or_non_text_encoding(run_cli, frame, tmp_path, encoding):
    user_error(run_cli("check", write_csv(frame, tmp_path / "responses.csv"), "--encoding", encoding),
               f"unknown encoding '{encoding}'", "use e.g. utf-8, cp1252 or latin-1")


def test_csv_saved_as_xlsx(run_cli, frame, tmp_path):
    path = write_csv(frame, tmp_path / "responses.xlsx")
    user_error(run_cli("check", path), "responses.xlsx: this looks like a CSV/text file, not an Excel workbook; "
                                       "rename it to .csv")


def test_binary_junk(run_cli, tmp_path):
    junk = bytes(range(1, 256)) * 30  # no NUL byte: decodes as cp1252, but is not text
    (tmp_path / "responses.csv").write_bytes(junk)
    user_error(run_cli("check", tmp_path / "responses.csv"), "responses.csv: is not a text file")
    (tmp_path / "responses.xlsx").write_bytes(junk)
    user_error(run_cli("check", tmp_path / "responses.xlsx"), "responses.xlsx: is not an Excel workbook")


@pytest.mark.parametrize("magic, kind", [(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", ".xls"), (b"$FL2", ".sav"),
                                          (b"PAR1", ".parquet")])
def test_other_formats_with_a_text_extension(run_cli, tmp_path, magic, kind):
    (tmp_path / "responses.csv").write_bytes(magic + b"\x00\x01" * 200)
    user_error(run_cli("check", tmp_path / "responses.csv"), f"rename it to {kind}")


def test_xlsx_with_a_second_header_row(run_cli, frame, tmp_path):
    labels = {c: f"Label of {c}" for c in frame.columns}
    pd.concat([pd.DataFrame([labels]), frame]).to_excel(tmp_path / "responses.xlsx", index=False)
    user_error(run_cli("check", tmp_path / "responses.xlsx"),
               "responses.xlsx, row 1: looks like a second header row (e.g. 'Label of channel' in column 'channel', "
               "and no codes in 38 of 38 coded columns); delete that row")


def test_file_with_only_the_id_column(run_cli, frame, tmp_path):
    user_error(run_cli("check", write_csv(frame[["respondent_id"]], tmp_path / "responses.csv")),
               "column 'organisation': no such column; the file's columns are 'respondent_id'")


def test_duplicated_column_names(run_cli, frame, tmp_path):
    path = write_csv(frame, tmp_path / "responses.csv")
    path.write_text(path.read_text().replace("emp3", "emp2", 1))
    user_error(run_cli("check", path), "the header names column 'emp2' twice (columns 12 and 13); rename or remove one")


@pytest.mark.parametrize("sep, encoding, line_end, value", [
    (";", "utf-8-sig", "\n", "5"),      # BOM + semicolons
    (",", "utf-8", "\r\n", "5"),        # Windows line ends
    (",", "utf-8", "\n", "5 "),         # trailing space
    (",", "utf-8", "\n", "\uff15"),     # full-width digit 5 (NFKC): accepted
    (";", "utf-8", "\n", "\uff15,\uff10"),  # full-width 5,0 in a semicolon file
    (",", "utf-8", "\n", "\uff15\uff0e\uff10"),  # full-width 5.0 (full-width full stop: NFKC)
    (";", "cp1252", "\r\n", "5,0"),     # decimal comma in a semicolon file
])
def test_value_and_layout_variants_read_correctly(run_cli, frame, tmp_path, sep, encoding, line_end, value):
    frame.loc[0, "rel1"] = value
    path = tmp_path / "responses.csv"
    frame.to_csv(path, sep=sep, index=False, encoding=encoding, lineterminator=line_end)
    out = ok(run_cli("check", path, "--json", tmp_path / "r.json"))
    assert "OK: 12 usable respondents" in out
    payload = json.loads((tmp_path / "r.json").read_text())
    rel1 = next(r for r in payload["items"] if r["item"] == "rel1")
    assert rel1["n_answered"] == 12 and rel1["n_invalid"] == 0
    assert payload["column_map"]["respondent_id"] == "respondent_id"


def test_decimal_comma_in_a_comma_file_says_why(run_cli, frame, tmp_path):
    frame.loc[0, "rel1"] = "5,0"
    user_error(run_cli("check", write_csv(frame, tmp_path / "responses.csv")),
               "column 'rel1', row 1: '5,0' is not a code", "a comma-separated file has no decimal commas")


def test_platform_previews_and_incomplete_responses_are_reported(run_cli, tmp_path):
    import csv

    source = Path(__file__).parent / "fixtures" / "platforms" / "qualtrics_numeric.csv"
    with open(source, encoding="utf-8-sig", newline="") as fh:
        records = list(csv.reader(fh))
    preview = list(records[3])
    preview[records[0].index("Status")], preview[records[0].index("ResponseId")] = "1", "R_preview"
    preview[records[0].index("respondentid")] = "P1"
    with open(tmp_path / "qualtrics.csv", "w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows(records[:4] + [preview] + records[4:])
    out = ok(run_cli("check", tmp_path / "qualtrics.csv"))
    assert re.search(r"rows read\s+7", out) and re.search(r"previews/test responses \(dropped\)\s+1", out)
    assert re.search(r"respondents\s+6", out) and re.search(r"not completed \(kept\)\s+1", out)
    assert "row 2 (id R_preview): survey preview (Qualtrics Status 'Survey Preview'), not a respondent (dropped)" in out
    assert "warning: 1 response was not completed (row 6: Finished is 0); it is analysed with what it answered" in out


@pytest.mark.parametrize("error, fragment", [
    (PermissionError(13, "Permission denied", "/data/responses.csv"), "error: /data/responses.csv: Permission denied"),
    (OSError(28, "No space left on device", "report.json"), "error: report.json: No space left on device"),
])
def test_operating_system_errors_are_one_line(run_cli, monkeypatch, frame, tmp_path, error, fragment):
    import analysis.cli.check as check_module

    def fail(*args, **kwargs):
        raise error

    monkeypatch.setattr(check_module, "print_report", fail)
    message = user_error(run_cli("check", write_csv(frame, tmp_path / "responses.csv")))
    assert message.startswith(fragment), message


def test_unreadable_file_is_a_data_error_naming_it(inst, monkeypatch, frame, tmp_path):
    from pathlib import Path as _Path

    from instrument import DataError, read_responses

    path = write_csv(frame, tmp_path / "responses.csv")

    def denied(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(_Path, "open", denied)
    monkeypatch.setattr(_Path, "read_bytes", denied)
    with pytest.raises(DataError, match=r"responses\.csv: cannot be read \(Permission denied\); check"):
        read_responses(path, inst)
