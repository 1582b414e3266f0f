"""read_responses: matching columns, checking values, ids, empty rows."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fixtures.responses.frames import valid_frame, write_csv
from instrument import DataError, OptionError, read_responses
from instrument.reader.integrity import UnusableData


@pytest.fixture
def frame(inst):
    return valid_frame(inst)


def read(inst, frame, tmp_path, **options):
    return read_responses(write_csv(frame, tmp_path / "responses.csv"), inst, **options)


def test_scale_values_codes_strings_floats_and_labels_in_both_languages(inst, frame, tmp_path):
    frame["emp1"] = ["5", "5.0", 5.0, "Mee eens", "Agree", " helemaal MEE eens ", "Strongly disagree",
                     "99", "Niet van toepassing / weet ik niet", "", "NA", "7"]
    data, report = read(inst, frame, tmp_path)
    assert data["emp1"].tolist()[:7] == [5.0, 5.0, 5.0, 6.0, 6.0, 7.0, 1.0]
    assert np.isnan(data["emp1"].tolist()[7:11]).all()
    row = report.items.set_index("item").loc["emp1"]
    assert (row.n_answered, row.n_not_applicable, row.n_missing, row.n_invalid) == (8, 2, 2, 0)


def test_choice_values_as_codes_keys_and_labels(inst, frame, tmp_path):
    frame["channel"] = ["1", "email", "Chat op de website", "Telefoon", "PHONE", "Web chat", "", 2, 3, 1, 2, 3]
    frame["fcr"] = ["Ja", "no", "Partly", "3", 1, 2, 3, 1, 2, 3, "Gedeeltelijk", "Nee"]
    data, _ = read(inst, frame, tmp_path)
    assert data["channel"].tolist()[:6] == ["phone", "email", "chat", "phone", "phone", "chat"]
    assert data["channel"].isna().tolist()[6]
    assert data["fcr"].tolist()[:4] == ["yes", "no", "partly", "no"] and data["fcr"].tolist()[-2:] == ["partly", "no"]


def test_text_in_a_scale_column_is_an_error_naming_file_column_rows(inst, frame, tmp_path):
    frame.loc[[3, 8], "emp2"] = "ja"
    with pytest.raises(DataError) as info:
        read(inst, frame, tmp_path)
    assert str(info.value).endswith(
        "responses.csv, column 'emp2', rows 4, 9: 'ja' is not a code of the 1-7 agreement scale; use the codes 1-7 "
        "(99 = not applicable) or their labels, or pass invalid='missing' (drivers check --invalid missing) "
        "to read them as missing"
    )
    assert (info.value.column, info.value.rows) == ("emp2", [4, 9])


@pytest.mark.parametrize("value, shown", [(8, "8"), ("2.5", "2.5"), (0, "0"), (-1, "-1")])
def test_out_of_range_or_fractional_code_is_an_error(inst, frame, tmp_path, value, shown):
    frame.loc[4, "rel2"] = value
    with pytest.raises(DataError, match=rf"column 'rel2', row 5: {shown} is not a code of the 1-7 agreement scale"):
        read(inst, frame, tmp_path)


def test_99_is_invalid_where_the_scale_has_no_not_applicable_code(inst, frame, tmp_path):
    frame.loc[0, "csat"] = 99
    with pytest.raises(DataError, match=r"column 'csat', row 1: 99 is not a code of the 1-5 satisfaction scale; use the codes 1-5 or their labels"):
        read(inst, frame, tmp_path)


def test_several_bad_columns_are_counted_in_the_message(inst, frame, tmp_path):
    frame.loc[0, "rel1"] = "x"
    frame.loc[1, "emp1"] = 12
    frame.loc[2, "fcr"] = "maybe"
    with pytest.raises(DataError, match=r"column 'rel1', row 1: 'x' is not .* \(2 more column\(s\) have invalid values: emp1, fcr\)"):
        read(inst, frame, tmp_path)


def test_invalid_missing_reads_invalid_values_as_missing_and_lists_them(inst, frame, tmp_path):
    frame.loc[[3, 8], "emp2"] = "ja"
    frame.loc[4, "rel2"] = 8
    frame.loc[5, "channel"] = "fax"
    data, report = read(inst, frame, tmp_path, invalid="missing")
    assert np.isnan(data.at[3, "emp2"]) and np.isnan(data.at[4, "rel2"]) and data["channel"].isna().tolist()[5]
    items = report.items.set_index("item")
    assert items.at["emp2", "n_invalid"] == 2 and items.at["rel2", "n_invalid"] == 1
    assert items.at["emp2", "pct_missing"] == pytest.approx(100 * 2 / 12)
    listed = report.invalid_values
    assert listed[["row", "column", "value"]].values.tolist() == [[6, "channel", "fax"], [5, "rel2", "8"],
                                                                 [4, "emp2", "ja"], [9, "emp2", "ja"]]
    assert any("column 'emp2': 2 invalid value(s) read as missing (rows 4, 9)" in w for w in report.warnings)
    assert report.ok


def test_columns_match_case_insensitively_and_by_platform_code(inst, frame, tmp_path):
    frame = frame.rename(columns={"emp2": "EMP2", "organisation": "Organisation", "contact_reason": "contactReason",
                                  "duration_sec": "durationsec"})
    data, report = read(inst, frame, tmp_path)
    assert report.column_map["emp2"] == "EMP2" and report.column_map["contact_reason"] == "contactReason"
    assert data["duration_sec"].notna().all() and data["emp2"].notna().all()
    assert report.unknown_columns == ()


def test_two_columns_matching_one_variable_is_an_error(inst, frame, tmp_path):
    frame["EMP2"] = frame["emp2"]
    frame = frame.drop(columns="emp2")
    frame["Emp2"] = frame["EMP2"]
    with pytest.raises(DataError, match=r"columns 'EMP2', 'Emp2' all match variable 'emp2'; rename or remove all but one"):
        read(inst, frame, tmp_path)


def test_unknown_columns_are_listed_and_ignored(inst, frame, tmp_path):
    frame["notes"] = "x"
    frame["Q99_extra"] = 1
    data, report = read(inst, frame, tmp_path)
    assert report.unknown_columns == ("notes", "Q99_extra")
    assert "notes" not in data.columns and report.ok


def test_missing_optional_columns_are_created_empty(inst, frame, tmp_path):
    frame = frame.drop(columns=["agent_id", "contact_date"])
    data, report = read(inst, frame, tmp_path)
    assert data["agent_id"].isna().all() and data["contact_date"].isna().all()
    assert report.missing_columns == ("contact_date", "agent_id") and report.left_out == {}


def test_an_absent_item_column_is_an_error_naming_it_with_the_report(inst, frame, tmp_path):
    """Never a construct score from some of its items (issue 18: a renamed item scored from 3 of 4)."""
    frame = frame.rename(columns={"men1": "menu_clear"}).drop(columns=["men2"])
    with pytest.raises(UnusableData) as info:
        read(inst, frame, tmp_path)
    message = str(info.value)
    assert "no column for 2 item(s) of construct(s) whose other items are in the file (menu: men1, men2)" in message
    assert "columns the questionnaire does not know: menu_clear; a renamed item?" in message
    assert "absent_items='leave_out'" in message
    report = info.value.report
    assert not report.ok and report.problems[0] == message and report.n_respondents == len(frame)


def test_absent_items_leave_out_drops_the_whole_construct_and_says_so(inst, frame, tmp_path):
    frame = frame.drop(columns=["men1", "men2"])
    data, report = read(inst, frame, tmp_path, absent_items="leave_out")
    assert data[["men1", "men2", "men3", "men4"]].isna().all().all()  # men3, men4 not used either
    assert report.left_out == {"menu": ("men1", "men2")}
    assert any("construct(s) left out of every analysis, as asked (absent_items='leave_out'): menu (no column for "
               "men1, men2; its column(s) men3, men4 are not used)" in w for w in report.warnings)
    # the left-out items count as not asked (as when the file has no menu column at all), not as unanswered
    _, without_menu = read(inst, frame.drop(columns=["men3", "men4"]), tmp_path)
    assert report.flag_counts == without_menu.flag_counts


def test_a_construct_with_no_column_at_all_is_left_out_and_reported(inst, frame, tmp_path):
    frame = frame.drop(columns=["men1", "men2", "men3", "men4"])
    data, report = read(inst, frame, tmp_path)
    assert report.ok and report.left_out == {"menu": ("men1", "men2", "men3", "men4")}
    assert any("left out of every analysis, the file does not have them: menu (no column for any of its items"
               in w for w in report.warnings)


def test_absent_items_option_is_declared(inst, frame, tmp_path):
    with pytest.raises(OptionError, match="absent_items must be one of error, leave_out, got 'skip'"):
        read(inst, frame, tmp_path, absent_items="skip")


@pytest.mark.parametrize("column, option", [("respondent_id", "id_column"), ("organisation", "group_column")])
def test_missing_required_column_names_it_and_the_option(inst, frame, tmp_path, column, option):
    frame = frame.rename(columns={column: "something_else"})
    with pytest.raises(DataError) as info:
        read(inst, frame, tmp_path)
    message = str(info.value)
    assert f"responses.csv, column '{column}': no such column; the file's columns are 'respondent_id'" in message or \
        f"responses.csv, column '{column}': no such column; the file's columns are 'something_else'" in message
    assert f"Add a column '{column}'" in message and f"{option}='...' (drivers check --{option.replace('_', '-')} NAME)" in message


def test_id_and_group_columns_can_be_named(inst, frame, tmp_path):
    frame = frame.rename(columns={"respondent_id": "RespNr", "organisation": "Gemeente"})
    frame["respondent_id"] = "old"  # superseded by the named id column: ignored, not an error
    data, report = read(inst, frame, tmp_path, id_column="respnr", group_column="Gemeente")
    assert data["respondent_id"].tolist()[0] == "R001" and set(data["organisation"]) == {"Acme", "Beta"}
    assert "respondent_id" in report.unknown_columns
    assert any("ignored: 'respondent_id' is read from 'RespNr'" in w for w in report.warnings)
    with pytest.raises(DataError, match=r"has no column 'Nummer' \(given as id_column\); its columns are 'RespNr'"):
        read(inst, frame, tmp_path, id_column="Nummer")


def test_one_column_cannot_be_both_the_id_and_the_organisation(inst, frame, tmp_path):
    """--id-column organisation took the organisation column: say so, not 'no such column'."""
    with pytest.raises(DataError, match=r"responses.csv, column 'organisation': is given as id_column \(read as "
                                        r"'respondent_id'\), so the file has no column left for 'organisation'"):
        read(inst, frame, tmp_path, id_column="organisation")
    with pytest.raises(DataError, match=r"column 'respondent_id': is given as group_column"):
        read(inst, frame, tmp_path, group_column="Respondent_ID")


def test_duplicate_respondent_ids_name_the_rows(inst, frame, tmp_path):
    frame.loc[6, "respondent_id"] = "R003"
    with pytest.raises(DataError) as info:
        read(inst, frame, tmp_path)
    assert ("column 'respondent_id', rows 3, 7: duplicate respondent id 'R003' (rows 3, 7: different answers); rows "
            "with one id but different answers are different responses") in str(info.value)


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_ids_distinct_as_read_but_equal_once_tidied_are_duplicates(inst, frame, tmp_path, suffix):
    """' R003' and 'R003', '1001.0' and '1001' are the same id: distinct cells as read are not enough."""
    frame.loc[6, "respondent_id"] = " R003"
    frame.loc[8, "respondent_id"], frame.loc[9, "respondent_id"] = "1001.0", "1001"
    path = tmp_path / f"responses{suffix}"
    if suffix == ".csv":
        write_csv(frame, path)
    else:
        frame.astype(str).to_parquet(path, index=False)
    with pytest.raises(UnusableData, match=r"rows 3, 7, 9, 10: duplicate respondent ids 'R003' \(rows 3, 7: "):
        read_responses(path, inst)


def test_missing_respondent_id_or_organisation_names_the_row(inst, frame, tmp_path):
    frame.loc[4, "respondent_id"] = ""
    with pytest.raises(DataError, match=r"column 'respondent_id', row 5: no respondent id; give every response a unique id"):
        read(inst, frame, tmp_path)
    frame.loc[4, "respondent_id"] = "R005"
    frame.loc[2, "organisation"] = " "
    with pytest.raises(DataError, match=r"column 'organisation', row 3: no organisation"):
        read(inst, frame, tmp_path)


def test_numeric_ids_are_strings_without_decimals(inst, frame, tmp_path):
    frame["respondent_id"] = [1001.0 + k for k in range(12)]
    data, _ = read(inst, frame, tmp_path)
    assert data["respondent_id"].tolist()[:2] == ["1001", "1002"]


def test_empty_rows_are_dropped_counted_and_listed(inst, frame, tmp_path):
    path = write_csv(frame, tmp_path / "responses.csv")
    lines = path.read_text().splitlines()
    blank = "," * (len(frame.columns) - 1)
    lines[3:3] = [blank, "   "]  # data rows 3 and 4 are empty
    path.write_text("\n".join(lines) + "\n")
    data, report = read_responses(path, inst)
    assert (report.n_rows_read, report.n_empty_rows, report.n_respondents) == (14, 2, 12)
    assert data["source_row"].tolist()[:4] == [1, 2, 5, 6]
    assert report.excluded.head(2).to_dict("list") == {"row": [3, 4], "respondent_id": [None, None],
                                                       "reason": ["empty row (dropped)"] * 2}


@pytest.mark.parametrize("text, message", [
    ("respondent_id,organisation,rel1\n", r"has no responses \(only a header row\)"),
    ("respondent_id,organisation,rel1\n,,\n,,\n", r"has no responses \(all 2 data rows are empty\)"),
])
def test_files_without_responses(inst, tmp_path, text, message):
    path = tmp_path / "responses.csv"
    path.write_text(text)
    with pytest.raises(DataError, match=message):
        read_responses(path, inst)


def test_dates_in_iso_and_dutch_form_and_unparseable_ones_reported(inst, frame, tmp_path):
    frame["contact_date"] = ["31-03-2024"] * 11 + ["gisteren"]
    data, report = read(inst, frame, tmp_path)
    assert data.at[0, "contact_date"].strftime("%Y-%m-%d") == "2024-03-31"
    assert data["contact_date"].isna().tolist()[-1]
    assert report.invalid_values[["row", "column", "value"]].values.tolist() == [[12, "contact_date", "gisteren"]]
    assert report.ok  # an unparseable date is reported, never an error


def test_durations_as_clock_times(inst, frame, tmp_path):
    frame["duration_sec"] = ["05:12", "1:02:03"] + [300] * 10
    data, _ = read(inst, frame, tmp_path)
    assert data["duration_sec"].tolist()[:2] == [312.0, 3723.0]


def test_many_distinct_texts_are_classified_as_one_value_at_a_time_would(monkeypatch):
    """Ids and open answers (many distinct texts) take the vectorized path: same values, same statuses."""
    from instrument import load_instrument
    from instrument.reader import validate

    inst = load_instrument()
    texts = ["a", " b ", "1001.0", " 12.00 ", "12.50", "NA", " nan ", "\u00a0", "", ".", "x\r\n", "\tNULL",
             "1.0.0", "\u0663.0"] * 10 + [f"id{i}" for i in range(100)]
    raw = pd.Series(texts, dtype=object)
    variables = {v.type: v for v in inst.variables if v.type in ("id", "group", "text", "open")}
    assert len(variables) == 4
    fast = {t: validate._convert_text(raw, var, "c") for t, var in variables.items()}
    blank_fast = validate.blank_mask(raw)
    monkeypatch.setattr(validate, "VECTOR_MIN_UNIQUE", 10**9)       # value by value
    for t, var in variables.items():
        slow = validate._convert_text(raw, var, "c")
        assert fast[t].values.equals(slow.values), t
        assert (fast[t].status == slow.status).all(), t
    assert fast["id"].values.iloc[2] == "1001" and fast["open"].values.iloc[2] == "1001.0"
    assert (blank_fast == validate.blank_mask(raw)).all()
    assert blank_fast.sum() == 10 * 6
