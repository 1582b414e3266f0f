"""write_limesurvey_export: responses in LimeSurvey's response-export layout, read back unchanged."""
from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.simulation.simulate import simulate_study
from instrument import read_responses
from instrument.platforms import read_limesurvey_export, write_limesurvey_export

FIXTURE = Path(__file__).parent / "fixtures" / "platforms" / "limesurvey_codes.csv"


@pytest.fixture(scope="module")
def study(inst):
    return simulate_study(inst, n_orgs=2, n_per_org=60, seed=11, truth_draws=0).responses


def header_of(path: Path, delimiter: str = ",") -> list[str]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return next(csv.reader(fh, delimiter=delimiter))


def expected_values(study: pd.DataFrame, inst) -> pd.DataFrame:
    """What LimeSurvey would export: the responses, with questions not shown (phone only) empty."""
    out = study.copy()
    phone = out["channel"] == 1
    for item in inst.items:
        if item.channels:
            out.loc[~phone, item.id] = np.nan
    return out


def assert_same(read: pd.DataFrame, expected: pd.DataFrame, columns) -> None:
    for col in columns:
        left = pd.Series(read[col].tolist(), dtype=object)
        right = pd.Series(expected[col].tolist(), dtype=object)
        both_missing = left.isna() & right.isna()
        if pd.api.types.is_numeric_dtype(expected[col]):
            equal = pd.to_numeric(left) == pd.to_numeric(right)
        else:
            equal = left.astype(str) == right.astype(str)
        assert (both_missing | equal).all(), (col, read.loc[~(both_missing | equal).to_numpy(), col].head())


def test_header_is_that_of_a_real_limesurvey_export(study, inst, tmp_path):
    path = write_limesurvey_export(study, tmp_path / "export.csv", inst)
    assert header_of(path) == header_of(FIXTURE)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf\"id\",\"submitdate\"") and raw.endswith(b"\r\n\r\n")


@pytest.mark.parametrize("answers, lang, delimiter", [("codes", None, ","), ("texts", "nl", ";"),
                                                      ("texts", "en", ",")])
def test_round_trip_through_the_limesurvey_reader(study, inst, tmp_path, answers, lang, delimiter):
    path = write_limesurvey_export(study, tmp_path / "export.csv", inst, answers=answers, lang=lang,
                                   delimiter=delimiter)
    back = read_limesurvey_export(path, inst)
    assert list(back.columns) == [v.id for v in inst.variables]
    expected = expected_values(study, inst)
    assert_same(back, expected, [c for c in back.columns if c not in ("duration_sec",)])
    assert np.allclose(back["duration_sec"], study["duration_sec"].round(2))
    if answers == "texts":
        with open(path, encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.DictReader(fh, delimiter=delimiter))
        first_phone = next(r for r in rows if back.loc[int(r["id"]) - 1, "channel"] == 1)
        assert first_phone["channel"] == ("Telefoon" if lang == "nl" else "Phone")
        assert first_phone["startlanguage"] == lang


def test_read_responses_sees_the_same_study(study, inst, tmp_path):
    """Read as a LimeSurvey export, the data equal the same study read from a plain CSV."""
    plain = tmp_path / "study.csv"
    study.to_csv(plain, index=False)
    from_file, _ = read_responses(plain, inst)
    export = write_limesurvey_export(study, tmp_path / "export.csv", inst)
    from_ls, report = read_responses(export, inst, source="limesurvey")
    assert report.format == "limesurvey" and report.n_respondents == len(study)
    same_cols = [c for c in from_file.columns if c not in ("source_row",)]
    pd.testing.assert_frame_equal(from_ls[same_cols], from_file[same_cols], check_dtype=False, atol=0.006)


def test_platform_columns_are_plausible_and_seeded(study, inst, tmp_path):
    a = write_limesurvey_export(study, tmp_path / "a.csv", inst, seed=3)
    b = write_limesurvey_export(study, tmp_path / "b.csv", inst, seed=3)
    c = write_limesurvey_export(study, tmp_path / "c.csv", inst, seed=4)
    assert a.read_bytes() == b.read_bytes() and a.read_bytes() != c.read_bytes()
    table = pd.read_csv(a, encoding="utf-8-sig", dtype=str)
    start = pd.to_datetime(table["startdate"])
    submit = pd.to_datetime(table["submitdate"])
    assert (table["datestamp"] == table["submitdate"]).all()
    assert ((submit - start).dt.total_seconds() - study["duration_sec"]).abs().max() <= 0.5
    assert (start.dt.normalize() == pd.to_datetime(study["contact_date"]) + pd.Timedelta(days=1)).all()
    groups = table[[c for c in table.columns if c.startswith("groupTime")]].astype(float).sum(axis=1)
    assert np.allclose(groups, table["interviewtime"].astype(float), atol=0.03)
    assert table["id"].tolist() == [str(k) for k in range(1, len(study) + 1)]


def test_bad_options_are_refused(study, inst, tmp_path):
    with pytest.raises(ValueError, match="answers"):
        write_limesurvey_export(study, tmp_path / "x.csv", inst, answers="labels")
    with pytest.raises(ValueError, match="language"):
        write_limesurvey_export(study, tmp_path / "x.csv", inst, lang="de")
