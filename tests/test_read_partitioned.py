"""Parquet read part by part (instrument.reader.partitions): the same data and the same counts as one read.

A small study is written once as one Parquet file and once as partitions (a folder of
files; a file of several row groups; Hive-style ``organisation=...`` folders). Read part
by part, every count of the quality report is the sum over the parts and equals the
one-file read, every excluded respondent is listed with its reason, and the rows are
the same rows, numbered the same way.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.simulation.simulate import simulate_study
from instrument import load_instrument, read_responses
from instrument.errors import DataError
from instrument.reader.integrity import UnusableData
from instrument.reader.partitions import parquet_parts, read_partitioned

REPORT_COUNTS = ("n_rows_read", "n_empty_rows", "n_respondents", "n_flagged", "n_usable", "n_not_respondents",
                 "n_incomplete", "n_duplicates_dropped", "flag_counts", "ok", "problems", "left_out",
                 "unknown_columns", "missing_columns", "column_map")


@pytest.fixture(scope="module")
def inst():
    return load_instrument()


@pytest.fixture(scope="module")
def responses(inst):
    r = simulate_study(inst, n_orgs=3, n_per_org=60, seed=2, truth_draws=0).responses
    r.loc[16, "rel1"] = 9.0                      # off the 1-7 scale: read as missing, listed
    r.loc[100, "rel2"] = 0.0
    blank = pd.DataFrame([[None] * r.shape[1]], columns=r.columns)
    # an empty row inside the second part and one making up a part of its own (rows 61-80 + 181)
    r = pd.concat([r.iloc[:70], blank, r.iloc[70:]], ignore_index=True)
    return r.astype({c: r[c].dtype for c in r.columns if r[c].dtype != object})


@pytest.fixture(scope="module")
def whole(inst, responses, tmp_path_factory):
    path = tmp_path_factory.mktemp("whole") / "study.parquet"
    responses.to_parquet(path, index=False)
    return read_responses(path, inst, invalid="missing")


def _folder(responses, tmp_path, bounds):
    folder = tmp_path / "parts"
    folder.mkdir()
    for k, (a, b) in enumerate(zip(bounds[:-1], bounds[1:])):
        responses.iloc[a:b].to_parquet(folder / f"part-{k:03d}.parquet", index=False)
    return folder


def _same(got, expected):
    data, report = got
    data_1, report_1 = expected
    pd.testing.assert_frame_equal(data, data_1, check_exact=True)
    for name in REPORT_COUNTS:
        assert getattr(report, name) == getattr(report_1, name), name
    for name in ("items", "organisations", "excluded", "invalid_values"):
        pd.testing.assert_frame_equal(getattr(report, name), getattr(report_1, name), check_exact=True,
                                      obj=name)
    assert set(report.warnings) >= {w for w in report_1.warnings if "row" not in w}


def test_a_folder_of_partitions_reads_as_the_one_file(inst, responses, whole, tmp_path):
    folder = _folder(responses, tmp_path, [0, 60, 130, 181])
    got = read_partitioned(folder, inst, invalid="missing")
    _same(got, whole)
    data, report = got
    assert report.file == str(folder) and report.n_empty_rows == 1 and len(report.invalid_values) == 2
    # every excluded respondent is counted and explained
    assert len(report.excluded) == report.n_flagged + report.n_empty_rows
    assert report.excluded.reason.notna().all() and (report.excluded.reason != "").all()
    assert report.organisations.n.sum() == report.n_respondents == len(data)


def test_a_file_of_row_groups_is_read_group_by_group(inst, responses, whole, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "groups.parquet"
    pq.write_table(pa.Table.from_pandas(responses, preserve_index=False), path, row_group_size=50)
    assert [p[2] for p in parquet_parts(path)] == [50, 50, 50, 31]
    _same(read_partitioned(path, inst, invalid="missing"), whole)


def test_a_part_of_empty_rows_only_is_counted_not_refused(inst, responses, whole, tmp_path):
    folder = _folder(responses, tmp_path, [0, 70, 71, 181])            # part 1 is the empty row alone
    data, report = read_partitioned(folder, inst, invalid="missing")
    assert report.n_empty_rows == 1 and report.n_rows_read == whole[1].n_rows_read
    assert report.excluded.loc[report.excluded.reason == "empty row (dropped)", "row"].tolist() == [71]
    pd.testing.assert_frame_equal(data, whole[0], check_exact=True)


def test_hive_partitions_keep_their_column(inst, responses, tmp_path):
    kept = responses.dropna(subset=["respondent_id"]).reset_index(drop=True)
    kept.to_parquet(tmp_path / "hive", partition_cols=["organisation"], index=False)
    data, report = read_partitioned(tmp_path / "hive", inst, invalid="missing")
    assert sorted(data.organisation.unique()) == sorted(kept.organisation.unique())
    assert report.n_respondents == len(kept)
    counts = kept.organisation.value_counts().sort_index()
    assert report.organisations.set_index("organisation").n.to_dict() == counts.to_dict()


def test_an_id_in_two_partitions_is_an_error_naming_it(inst, responses, tmp_path):
    r = responses.copy()
    r.loc[150, "respondent_id"] = r.loc[3, "respondent_id"]
    folder = _folder(r, tmp_path, [0, 60, 181])
    with pytest.raises(UnusableData, match=rf"'{r.loc[3, 'respondent_id']}' is in more than one partition "
                                           r"\(rows 4, 151\)") as caught:
        read_partitioned(folder, inst, invalid="missing")
    assert not caught.value.report.ok


def test_parts_with_other_columns_and_bad_paths_are_one_line_errors(inst, responses, tmp_path):
    folder = _folder(responses, tmp_path, [0, 60, 181])
    responses.iloc[:5].drop(columns="why").to_parquet(folder / "part-999.parquet", index=False)
    with pytest.raises(DataError, match=r"part-999\.parquet: has other columns than the first part \(why\)"):
        read_partitioned(folder, inst, invalid="missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="is a directory without Parquet files"):
        read_partitioned(tmp_path / "empty", inst)
    with pytest.raises(DataError, match="no such file or folder"):
        read_partitioned(tmp_path / "nowhere", inst)


def test_an_invalid_value_names_its_part_and_its_row_through_the_parts(inst, responses, tmp_path):
    folder = _folder(responses, tmp_path, [0, 60, 181])
    with pytest.raises(DataError, match=r"part-000\.parquet, column 'rel1', row 17: 9 is not a code"):
        read_partitioned(folder, inst)                                    # invalid='error'
    fixed = responses.copy()
    fixed.loc[16, "rel1"] = 1.0
    folder = _folder(fixed, tmp_path / "second", [0, 60, 181]) if (tmp_path / "second").mkdir() is None else None
    with pytest.raises(DataError, match=r"part-001\.parquet, column 'rel2', row 102: 0 is not a code") as caught:
        read_partitioned(folder, inst)
    assert caught.value.rows == [102]
    assert np.isnan(read_partitioned(folder, inst, invalid="missing")[0].rel2.iloc[100])


def test_the_command_line_reads_a_folder_of_partitions(run_cli, inst, responses, whole, tmp_path):
    folder = _folder(responses, tmp_path, [0, 60, 130, 181])
    res = run_cli("check", folder, "--invalid", "missing")
    assert res.exit_code == 0, res.stderr
    assert f"OK: {whole[1].n_usable} usable respondents" in res.stdout and "(format parquet)" in res.stdout


def test_ids_with_equal_hashes_are_compared_exactly(inst, responses, tmp_path, monkeypatch):
    """Ids are checked across parts by hash first, then exactly: equal hashes of different ids are no error."""
    import instrument.reader.partitions as partitions

    folder = _folder(responses, tmp_path, [0, 60, 130, 181])
    expected = read_partitioned(folder, inst, invalid="missing")
    monkeypatch.setattr(partitions.pd.util, "hash_array", lambda values, **_: np.zeros(len(values), np.uint64))
    _same(read_partitioned(folder, inst, invalid="missing"), expected)
    r = responses.copy()
    r.loc[150, "respondent_id"] = r.loc[3, "respondent_id"]
    with pytest.raises(UnusableData, match=r"is in more than one partition \(rows 4, 151\)"):
        read_partitioned(_folder(r, tmp_path / "twice", [0, 60, 181]) if (tmp_path / "twice").mkdir() is None
                         else None, inst, invalid="missing")
