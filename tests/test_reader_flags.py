"""Respondent flags on constructed rows: straightlining, too many missing, speeding."""
from __future__ import annotations

import pytest

from fixtures.responses.frames import valid_frame, write_csv
from instrument import read_responses
from instrument.reader.flags import driver_item_ids

PHONE, EMAIL = 0, 1  # rows of valid_frame: row 0 is a phone respondent, row 1 an e-mail one


@pytest.fixture
def frame(inst):
    return valid_frame(inst)


def applicable(inst, channel_code):
    return [i for i in driver_item_ids(inst) if not inst.item(i).channels or channel_code == 1]


def flags_of(inst, frame, tmp_path, row):
    data, report = read_responses(write_csv(frame, tmp_path / "r.csv"), inst)
    return data.loc[row, ["flag_straightlining", "flag_too_many_missing", "flag_speeding"]].tolist(), data, report


def test_the_valid_frame_has_no_flags(inst, frame, tmp_path):
    data, report = read_responses(write_csv(frame, tmp_path / "r.csv"), inst)
    assert report.n_flagged == 0 and report.n_usable == 12 and report.excluded.empty


@pytest.mark.parametrize("row", [PHONE, EMAIL])
def test_identical_answers_to_all_applicable_driver_items_is_straightlining(inst, frame, tmp_path, row):
    frame.loc[row, applicable(inst, frame.at[row, "channel"])] = 4
    flags, data, report = flags_of(inst, frame, tmp_path, row)
    assert flags == [True, False, False]
    n = len(applicable(inst, frame.at[row, "channel"]))
    assert report.excluded.to_dict("records") == [
        {"row": row + 1, "respondent_id": data.at[row, "respondent_id"],
         "reason": f"straightlining: all {n} answered driver items are 4"}
    ]
    assert len(data) == 12  # flagged, not dropped


def test_one_different_answer_is_not_straightlining(inst, frame, tmp_path):
    items = applicable(inst, 1)
    frame.loc[PHONE, items] = 4
    frame.loc[PHONE, items[-1]] = 5
    assert flags_of(inst, frame, tmp_path, PHONE)[0] == [False, False, False]


@pytest.mark.parametrize("n_answered, flagged", [(14, False), (15, True)])
def test_straightlining_needs_three_quarters_of_the_applicable_items_answered(inst, frame, tmp_path, n_answered, flagged):
    items = applicable(inst, 2)  # 20 items for an e-mail respondent; 75% = 15
    frame.loc[EMAIL, items] = None
    frame.loc[EMAIL, items[:n_answered]] = 6
    assert flags_of(inst, frame, tmp_path, EMAIL)[0][0] is flagged


def test_not_applicable_answers_neither_make_nor_break_straightlining(inst, frame, tmp_path):
    items = applicable(inst, 2)
    frame.loc[EMAIL, items] = 3
    frame.loc[EMAIL, items[:4]] = 99  # 16 of 20 substantive, all 3
    assert flags_of(inst, frame, tmp_path, EMAIL)[0][0] is True
    frame.loc[EMAIL, items[:6]] = 99  # 14 of 20 substantive: below 75%
    assert flags_of(inst, frame, tmp_path, EMAIL)[0][0] is False


def test_straightlining_compares_raw_answers_including_the_reverse_keyed_item(inst, frame, tmp_path):
    assert inst.item("ckn3").reverse
    frame.loc[PHONE, applicable(inst, 1)] = 7  # ckn3 = 7 too: the same box ticked throughout
    assert flags_of(inst, frame, tmp_path, PHONE)[0][0] is True


@pytest.mark.parametrize("n_answered, flagged", [(9, True), (10, False)])
def test_fewer_than_half_of_the_applicable_items_answered(inst, frame, tmp_path, n_answered, flagged):
    items = applicable(inst, 2)  # 20 for e-mail: the 8 phone-only items do not count as missing
    frame.loc[EMAIL, items[n_answered:]] = None
    flags, _, report = flags_of(inst, frame, tmp_path, EMAIL)
    assert flags[1] is flagged
    if flagged:
        assert report.excluded.at[0, "reason"] == "too many missing: 9 of 20 applicable driver items answered"


def test_not_applicable_counts_as_answered_for_missingness(inst, frame, tmp_path):
    items = applicable(inst, 2)
    frame.loc[EMAIL, items] = None
    frame.loc[EMAIL, items[:5]] = 2
    frame.loc[EMAIL, items[5:10]] = 99  # 5 answers + 5 N/A = 10 of 20
    assert flags_of(inst, frame, tmp_path, EMAIL)[0][1] is False


def test_phone_respondents_and_unknown_channels_have_all_28_items_applicable(inst, frame, tmp_path):
    items = driver_item_ids(inst)
    frame.loc[PHONE, items[13:]] = None  # 13 of 28 answered
    assert flags_of(inst, frame, tmp_path, PHONE)[0][1] is True
    frame.loc[EMAIL, "channel"] = None
    frame.loc[EMAIL, items[13:]] = None
    assert flags_of(inst, frame, tmp_path, EMAIL)[0][1] is True


def test_speeding_is_below_40_percent_of_the_median_duration(inst, frame, tmp_path):
    frame["duration_sec"] = [400] * 12
    frame.loc[3, "duration_sec"] = 159  # below 0.4 * 400 = 160
    frame.loc[4, "duration_sec"] = 160  # not below
    frame.loc[5, "duration_sec"] = None  # unknown: not flagged
    data, report = read_responses(write_csv(frame, tmp_path / "r.csv"), inst)
    assert data["flag_speeding"].tolist() == [False] * 3 + [True] + [False] * 8
    assert report.flag_counts == {"flag_straightlining": 0, "flag_too_many_missing": 0, "flag_speeding": 1}
    assert report.excluded.at[0, "reason"] == "speeding: 159 s, below 40% of the median 400 s"


def test_without_durations_nobody_is_flagged_for_speeding(inst, frame, tmp_path):
    data, report = read_responses(write_csv(frame.drop(columns="duration_sec"), tmp_path / "r.csv"), inst)
    assert not data["flag_speeding"].any()
    assert "no completion times (duration_sec): speeding not checked" in report.warnings


def test_a_respondent_can_carry_several_flags(inst, frame, tmp_path):
    items = applicable(inst, 1)
    frame.loc[PHONE, items] = None
    frame.loc[PHONE, items[:3]] = 1
    frame.loc[PHONE, "duration_sec"] = 20
    flags, _, report = flags_of(inst, frame, tmp_path, PHONE)
    assert flags == [False, True, True]  # 3 identical answers are too few to call straightlining
    assert report.n_flagged == 1 and report.n_usable == 11
    assert report.organisations.set_index("organisation").loc["Acme"].tolist() == [6, 1, 5]


def test_all_respondents_flagged_means_the_data_cannot_be_analysed(inst, frame, tmp_path):
    frame.loc[:, driver_item_ids(inst)] = None
    _, report = read_responses(write_csv(frame, tmp_path / "r.csv"), inst)
    assert not report.ok and report.problems == ("all 12 respondents are flagged; see the excluded rows",)
