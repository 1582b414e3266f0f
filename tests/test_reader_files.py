"""read_responses: formats, encodings and delimiters, read through the Python API."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fixtures.responses.frames import file_state, numeric_frame, valid_frame, write_csv, write_sav
from instrument import DataError, read_responses


@pytest.fixture
def frame(inst):
    return valid_frame(inst)


@pytest.fixture
def reference(inst, frame, tmp_path):
    """The tidy data as read from a plain UTF-8 comma CSV: every other format must give the same."""
    data, _ = read_responses(write_csv(frame, tmp_path / "reference.csv"), inst)
    return data


def test_plain_csv_gives_the_documented_columns_and_types(inst, reference):
    ids = [v.id for v in inst.variables]
    assert list(reference.columns) == ids + ["flag_straightlining", "flag_too_many_missing", "flag_speeding", "source_row"]
    assert reference["respondent_id"].tolist()[:2] == ["R001", "R002"]
    assert reference["organisation"].dtype == "str"
    assert list(reference["channel"].cat.categories) == ["phone", "email", "chat", "messaging", "social"]
    assert reference["channel"].tolist()[:3] == ["phone", "email", "chat"]
    assert reference["fcr"].tolist()[:3] == ["yes", "partly", "no"]
    assert pd.api.types.is_datetime64_any_dtype(reference["contact_date"])
    assert reference["rel1"].dtype == float and reference["csat"].dtype == float
    assert np.isnan(reference.at[1, "rel3"])  # 99 = not applicable -> NaN
    assert reference["source_row"].tolist() == list(range(1, 13))
    assert reference["flag_straightlining"].dtype == bool


@pytest.mark.parametrize("sep", [";", "\t", "|"])
def test_delimiter_is_detected(inst, frame, reference, tmp_path, sep):
    data, report = read_responses(write_csv(frame, tmp_path / "r.csv", sep=sep), inst)
    assert report.delimiter == sep
    pd.testing.assert_frame_equal(data, reference)


def test_utf8_with_bom_is_read_and_the_bom_is_not_part_of_the_first_column(inst, frame, reference, tmp_path):
    path = write_csv(frame, tmp_path / "bom.csv", encoding="utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    data, report = read_responses(path, inst)
    assert report.encoding == "utf-8-sig"
    assert "respondent_id" in report.column_map
    pd.testing.assert_frame_equal(data, reference)


def test_utf8_without_bom_keeps_accents(inst, frame, tmp_path):
    frame.loc[0, "why"] = "Zeer behulpzaam, één keer bellen was genoeg"
    data, report = read_responses(write_csv(frame, tmp_path / "u.csv"), inst)
    assert report.encoding == "utf-8"
    assert data.at[0, "why"] == "Zeer behulpzaam, één keer bellen was genoeg"


def test_latin1_open_answer_is_decoded(inst, frame, tmp_path):
    frame.loc[2, "why"] = "Café-medewerker was erg aardig"
    path = write_csv(frame, tmp_path / "latin1.csv", encoding="latin-1")
    assert b"Caf\xe9" in path.read_bytes()
    data, report = read_responses(path, inst)
    assert report.encoding == "cp1252"  # the superset Excel writes; é is the same byte
    assert data.at[2, "why"] == "Café-medewerker was erg aardig"


def test_forced_wrong_encoding_names_the_encoding_and_the_fix(inst, frame, tmp_path):
    frame.loc[2, "why"] = "Café"
    path = write_csv(frame, tmp_path / "latin1.csv", encoding="latin-1")
    with pytest.raises(DataError, match=r"cannot be decoded as utf-8: byte 0xe9 on line 4 .* pass encoding='cp1252'"):
        read_responses(path, inst, encoding="utf-8")


def test_dutch_excel_csv_with_semicolons_and_decimal_commas(inst, frame, tmp_path):
    frame["duration_sec"] = [f"{300 + 15 * k},5" for k in range(len(frame))]
    frame.loc[0, "emp1"] = "5,0"
    frame.loc[3, "why"] = "Prima, snel geholpen; dank"  # delimiter inside a quoted value
    path = write_csv(frame, tmp_path / "excel_nl.csv", sep=";", encoding="cp1252")
    data, report = read_responses(path, inst)
    assert report.delimiter == ";"
    assert data.at[0, "duration_sec"] == 300.5 and data.at[0, "emp1"] == 5.0
    assert data.at[3, "why"] == "Prima, snel geholpen; dank"


def test_decimal_comma_is_not_accepted_in_a_comma_delimited_file(inst, frame, tmp_path):
    frame.loc[0, "duration_sec"] = "1,234"  # in a comma file this is a thousands separator, not 1.234 s
    with pytest.raises(DataError, match=r"column 'duration_sec', row 1: '1,234' is not a duration in seconds"):
        read_responses(write_csv(frame, tmp_path / "r.csv"), inst)


def test_committed_dutch_excel_export_reads(inst):
    from pathlib import Path

    path = Path(__file__).parent / "fixtures" / "responses" / "excel_nl_cp1252.csv"
    data, report = read_responses(path, inst)
    assert (report.delimiter, report.encoding) == (";", "cp1252")
    assert data["why"].str.contains("é").any()
    assert data["duration_sec"].tolist() == [312.5, 287.0, 401.25]
    assert data["rel1"].tolist()[:2] == [6.0, 5.0]  # 'Mee eens' -> 6, '5,0' -> 5


def test_xlsx_reads_like_csv_and_sheet_can_be_chosen(inst, frame, reference, tmp_path):
    path = tmp_path / "r.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"note": ["read me first"]}).to_excel(writer, sheet_name="Info", index=False)
        frame.to_excel(writer, sheet_name="Antwoorden", index=False)
    data, report = read_responses(path, inst, sheet="Antwoorden")
    assert report.format == "xlsx"
    pd.testing.assert_frame_equal(data, reference)
    assert read_responses(path, inst, sheet=1)[0]["respondent_id"].tolist() == reference["respondent_id"].tolist()
    with pytest.raises(DataError, match=r"has no sheet 'Data'; its sheets are 'Info', 'Antwoorden'"):
        read_responses(path, inst, sheet="Data")


def test_parquet_reads_like_csv(inst, frame, reference, tmp_path):
    path = tmp_path / "r.parquet"
    numeric_frame(frame).to_parquet(path)
    data, report = read_responses(path, inst)
    assert report.format == "parquet"
    pd.testing.assert_frame_equal(data, reference)


def test_sav_uses_user_missing_99_as_not_applicable(inst, frame, reference, tmp_path):
    path = write_sav(frame, tmp_path / "r.sav", inst)
    data, report = read_responses(path, inst)
    pd.testing.assert_frame_equal(data, reference)
    rel3 = report.items.set_index("item").loc["rel3"]
    # 99 is declared user-missing: it is recognised as N/A, not silently a blank.
    assert (rel3.n_not_applicable, rel3.n_missing) == (1, 0)


def test_sav_codes_are_translated_by_value_labels(inst, frame, tmp_path):
    import pyreadstat

    frame["organisation"] = [1] * 6 + [2] * 6  # numbered organisations with their names as value labels
    data = numeric_frame(frame)
    data["channel"] = data["channel"].map({1.0: 3.0, 2.0: 1.0, 3.0: 2.0})  # the file codes 1=E-mail, 2=Chat, 3=Telefoon
    data["emp1"] = 9.0  # declared missing ('weet niet'), not our N/A code
    pyreadstat.write_sav(
        data, str(tmp_path / "own.sav"),
        variable_value_labels={"channel": {1.0: "E-mail", 2.0: "Chat op de website", 3.0: "Telefoon"},
                               "organisation": {1.0: "Gemeente Utrecht", 2.0: "Woonstad"}, "emp1": {9.0: "weet niet"}},
        missing_ranges={"emp1": [9]},
    )
    out, report = read_responses(tmp_path / "own.sav", inst)
    assert out["channel"].tolist()[:3] == ["phone", "email", "chat"]
    assert out["organisation"].tolist()[5:7] == ["Gemeente Utrecht", "Woonstad"]
    assert out["emp1"].isna().all()
    assert report.items.set_index("item").at["emp1", "n_missing"] == len(out)
    assert any("declared missing in the SPSS file (9)" in w for w in report.warnings)
    assert any("translated by their value labels" in w for w in report.warnings)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".sav", ".parquet"])
def test_the_input_file_is_never_modified(inst, frame, tmp_path, suffix):
    path = tmp_path / f"r{suffix}"
    if suffix == ".csv":
        write_csv(frame, path, sep=";", encoding="utf-8-sig")
    elif suffix == ".xlsx":
        frame.to_excel(path, index=False)
    elif suffix == ".sav":
        write_sav(frame, path, inst)
    else:
        numeric_frame(frame).to_parquet(path)
    before = file_state(path)
    read_responses(path, inst)
    assert file_state(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("r.sav", b"$FL2 this is not really spss", r"cannot be read as an SPSS data file"),
        ("r.xlsx", b"PK\x03\x04 broken zip", r"cannot be read as an Excel workbook"),
        ("r.parquet", b"PAR1 not parquet", r"cannot be read as a Parquet file"),
        ("r.json", b"{}", r"'\.json' is not a supported response file format"),
        ("r.csv", b"", r"has no responses \(the file is empty\)"),
        ("r.csv", b"PK\x03\x04xlsx renamed", r"is a zip file \(an Excel workbook\?\) with a text extension"),
    ],
)
def test_unreadable_files_raise_one_line_data_errors(inst, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DataError, match=message) as info:
        read_responses(path, inst)
    assert "\n" not in str(info.value) and str(path) in str(info.value)


def test_nested_parquet_column_raises_a_data_error_naming_column_and_rows(inst, frame, tmp_path):
    path = tmp_path / "r.parquet"
    data = numeric_frame(frame)
    data["why"] = [None, ["x"]] + [None] * (len(data) - 3) + [["y", "z"]]
    data.to_parquet(path)
    with pytest.raises(DataError, match=r"column 'why', rows 2, 12: holds lists or records") as info:
        read_responses(path, inst)
    assert info.value.file == str(path) and info.value.rows == [2, len(data)]


def test_forced_comma_on_a_semicolon_file_says_which_delimiter(inst, frame, tmp_path):
    path = write_csv(frame, tmp_path / "r.csv", sep=";")
    with pytest.raises(DataError, match=r"one column when split on ',' \(comma\); the file seems to use ';' \(semicolon\): pass delimiter=';'"):
        read_responses(path, inst, delimiter=",")


def test_unusual_delimiter_is_named(inst, frame, tmp_path):
    path = write_csv(frame, tmp_path / "r.csv", sep=":")
    with pytest.raises(DataError, match=r"the header is one column; the file seems to use ':' as delimiter: pass delimiter=':'"):
        read_responses(path, inst)
    data, report = read_responses(path, inst, delimiter=":")
    assert report.delimiter == ":" and len(data) == 12


def test_rows_with_extra_fields_are_named(inst, frame, tmp_path):
    path = write_csv(frame, tmp_path / "r.csv")
    lines = path.read_text().splitlines()
    lines[3] += ",surplus"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError, match=r"r\.csv, row 3: 44 fields where the header has 43"):
        read_responses(path, inst)


def test_duplicate_header_names_are_an_error(inst, frame, tmp_path):
    path = write_csv(frame, tmp_path / "r.csv")
    text = path.read_text().replace("emp3", "emp2", 1)
    path.write_text(text)
    with pytest.raises(DataError, match=r"names column 'emp2' twice \(columns 12 and 13\)"):
        read_responses(path, inst)


def test_short_rows_are_padded_with_a_warning(inst, frame, tmp_path):
    path = write_csv(frame[["respondent_id", "organisation", "channel", "emp1", "why"]], tmp_path / "r.csv")
    lines = path.read_text().splitlines()
    lines[2] = "R002,Acme,2,5"  # the open answer is missing altogether
    path.write_text("\n".join(lines) + "\n")
    data, report = read_responses(path, inst, absent_items="leave_out")  # emp1 is the only empathy item
    assert data["why"].isna().tolist()[:3] == [False, True, False]
    assert any(w.startswith("row 2 has fewer fields than the header") for w in report.warnings)


def test_excel_time_cells_are_durations(inst, frame, tmp_path):
    import datetime as dt

    frame["duration_sec"] = [dt.time(0, 5, 12)] * len(frame)
    path = tmp_path / "r.xlsx"
    frame.to_excel(path, index=False)
    data, _ = read_responses(path, inst)
    assert data["duration_sec"].tolist() == [312.0] * len(frame)


def test_excel_unicode_text_utf16_tab_file(inst, frame, reference, tmp_path):
    path = write_csv(frame, tmp_path / "unicode.txt", sep="\t", encoding="utf-16")
    assert path.read_bytes()[:2] in (b"\xff\xfe", b"\xfe\xff")
    data, report = read_responses(path, inst)
    assert (report.encoding, report.delimiter) == ("utf-16", "\t")
    pd.testing.assert_frame_equal(data, reference)


def test_forced_utf8_on_a_file_with_bom_still_finds_the_first_column(inst, frame, reference, tmp_path):
    path = write_csv(frame, tmp_path / "bom.csv", encoding="utf-8-sig")
    data, report = read_responses(path, inst, encoding="utf-8")
    assert report.column_map["respondent_id"] == "respondent_id"
    pd.testing.assert_frame_equal(data, reference)


# --- a double quote that is never closed must not swallow the rows after it -------------


def _with_stray_quote(frame, path, row, value):
    """Write the frame, then replace the organisation of data row ``row`` by ``value`` as raw text."""
    write_csv(frame, path)
    lines = path.read_text().splitlines()
    fields = lines[row].split(",")
    fields[1] = value
    lines[row] = ",".join(fields)
    path.write_text("\n".join(lines) + "\n")
    return path


def test_unterminated_quote_is_an_error_naming_the_row(inst, tmp_path):
    path = _with_stray_quote(valid_frame(inst, 40), tmp_path / "r.csv", 5, '"Bank')
    with pytest.raises(DataError) as info:
        read_responses(path, inst)
    message = str(info.value)
    assert message.startswith(f"{path}, column 'organisation', row 5: the value '\"Bank,")
    assert "on line 6 of the file opens a double quote that is never closed, so the rest of the file " \
           "(35 more lines) was read as this one value; remove the stray quote or close it" in message
    assert info.value.rows == [5] and "\n" not in message


def test_quote_closed_rows_later_is_an_error_naming_both_lines(inst, frame, tmp_path):
    frame.loc[8, "why"] = "Prima, snel"  # written in quotes: the stray quote of row 3 closes here
    path = _with_stray_quote(frame, tmp_path / "r.csv", 3, '"Acme')
    with pytest.raises(DataError, match=r"column 'organisation', row 3: the value '\"Acme,.*' on line 4 of the file "
                                        r"opens a double quote that is closed only 6 lines further on \(line 10\)"):
        read_responses(path, inst)


def test_quoted_values_with_line_breaks_and_delimiters_still_read(inst, frame, tmp_path):
    frame.loc[2, "why"] = 'Eerst goed;\ndaarna, helaas, "slecht"\nen toen weer goed'
    frame.loc[11, "why"] = "Laatste regel\nmet een tweede regel"
    for sep in (",", ";"):
        data, _ = read_responses(write_csv(frame, tmp_path / "r.csv", sep=sep), inst)
        assert data.at[2, "why"] == 'Eerst goed;\ndaarna, helaas, "slecht"\nen toen weer goed'
        assert data.at[11, "why"] == "Laatste regel\nmet een tweede regel" and len(data) == 12


def test_empty_lines_at_the_end_are_not_rows(inst, frame, tmp_path):
    path = write_csv(frame, tmp_path / "r.csv")
    path.write_text(path.read_text() + "\n\n")
    data, report = read_responses(path, inst)
    assert (len(data), report.n_rows_read, report.n_empty_rows) == (12, 12, 0)


@pytest.mark.parametrize("forced", ["utf-16", "utf-16-le", "utf-32"])
def test_forced_wide_encoding_on_a_narrow_file_names_the_right_one(inst, frame, tmp_path, forced):
    path = write_csv(frame, tmp_path / "r.csv")
    with pytest.raises(DataError, match=rf"cannot be decoded as {forced}: the file has no NUL bytes, which {forced} "
                                        r"text of Latin letters always has; the file seems to be utf-8: pass "
                                        r"encoding='utf-8'"):
        read_responses(path, inst, encoding=forced)


def test_parquet_integer_columns_read_like_csv_with_invalid_and_not_applicable_codes(inst, frame, tmp_path):
    """Numeric Parquet columns are checked as numbers (not turned into objects first): the same
    tidy data, statuses and report as the same cells in a CSV file, for int64 columns, nullable
    Int64 columns with blanks, the 'not applicable' code and codes outside the scale."""
    cells = numeric_frame(frame)
    items = [i.id for i in inst.items if i.scale == "agree7"]
    na = inst.scale("agree7").na_code
    cells.loc[0, items[0]], cells.loc[1, items[1]], cells.loc[2, items[2]] = 9, na, np.nan
    for k, col in enumerate(items):
        values = cells[col]
        cells[col] = (values.astype("Int64") if values.isna().any() or k % 2
                      else values.fillna(1).astype("int64"))
    assert {str(cells[c].dtype) for c in items} == {"int64", "Int64"}
    cells.to_parquet(tmp_path / "r.parquet")
    text = cells.astype(object).where(cells.notna(), "")
    text.to_csv(tmp_path / "r.csv", index=False)
    from_parquet, parquet_report = read_responses(tmp_path / "r.parquet", inst, invalid="missing")
    from_csv, csv_report = read_responses(tmp_path / "r.csv", inst, invalid="missing")
    pd.testing.assert_frame_equal(from_parquet, from_csv)
    assert parquet_report.invalid_values.equals(csv_report.invalid_values)
    assert parquet_report.items.equals(csv_report.items)
    assert parquet_report.items.set_index("item").loc[items[0], "n_invalid"] == 1
