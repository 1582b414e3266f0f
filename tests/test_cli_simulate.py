"""``drivers simulate`` through the real entry point: option values that would end in a traceback."""
from __future__ import annotations

import pytest

from cli_results import failed


@pytest.mark.parametrize("args, code, fragments", [
    # Too many to hold in memory: a MemoryError traceback before these limits.
    (["--n-per-org", "99999999999999999"], 2, ["--n-per-org", "n_per_org must be a whole number from 1 to 100000"]),
    (["--truth-draws", "99999999999999999"], 2, ["--truth-draws", "truth_draws must be 0 or a whole number from 10000 to 1000000"]),
    # More rows than an Excel sheet holds: pandas' ValueError after the simulation.
    (["--orgs", "11", "--n-per-org", "100000", "-o", "{tmp}/s.xlsx"], 1,
     ["s.xlsx: 11 x 100000 responses do not fit on an Excel sheet", "write .csv, .sav or .parquet"]),
])
def test_too_large_a_study_is_refused_before_the_work(run_cli, tmp_path, args, code, fragments):
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    if "-o" not in args:
        args += ["-o", str(tmp_path / "s.csv")]
    failed(run_cli("simulate", *args), code, *fragments)
    assert not any(tmp_path.iterdir())


def test_empty_output_name_is_a_one_line_error(run_cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    # Was: ValueError "PosixPath('.') has an empty name" from the default truth path.
    failed(run_cli("simulate", "--truth-draws", "0", "--format", "csv", "-o", ""), 1, ".: is a folder; give a file name")
    failed(run_cli("simulate", "--truth-draws", "0", "-o", ""), 1, "cannot tell the format from the extension")
    assert not any(tmp_path.iterdir())


def test_truth_over_a_responses_file_is_refused(run_cli, tmp_path):
    out = tmp_path / "s.csv"
    failed(run_cli("simulate", "--truth-draws", "0", "--n-per-org", "5", "-o", out, "--truth", out), 1,
            "s.csv: is also a responses file (-o)", "--truth")
    assert not any(tmp_path.iterdir())
