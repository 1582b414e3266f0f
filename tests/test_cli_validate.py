"""`drivers validate` through the real entry point."""
import json
from pathlib import Path

EXAMPLE = Path(__file__).parents[1] / "data" / "example" / "responses.sav"


def test_validate_example_prints_tables_and_writes_json(run_cli, tmp_path):
    out = tmp_path / "val.json"
    res = run_cli("validate", EXAMPLE, "--by", "organisation", "--json", out)
    assert res.exit_code == 0, res.stderr
    for heading in ("CFA fit", "Reliability", "HTMT", "Standardized loadings", "Measurement invariance",
                    "Fornell-Larcker", "Missing answers"):
        assert heading in res.stdout
    doc = json.loads(out.read_text())
    assert set(doc["groups"]) == {"all", "Energie", "Telecom", "Verzekeraar", "Webwinkel"}


def test_unknown_group_column_is_a_usage_error(run_cli):
    res = run_cli("validate", EXAMPLE, "--by", "region", "--no-invariance")
    assert res.exit_code == 2
    assert "'region' is not a column" in res.stderr


def test_bad_missing_option(run_cli):
    res = run_cli("validate", EXAMPLE, "--missing", "pairwise")
    assert res.exit_code == 2
    assert "'pairwise' is not one of ml, listwise" in res.stderr


def test_unreadable_file_is_one_line_exit_1(run_cli, tmp_path):
    bad = tmp_path / "empty.csv"
    bad.write_text("")
    res = run_cli("validate", bad)
    assert res.exit_code == 1
    assert "Traceback" not in res.stderr
    assert "empty.csv" in res.stderr and "no responses" in res.stderr


def test_unwritable_json_path(run_cli, tmp_path):
    res = run_cli("validate", EXAMPLE, "--no-invariance", "--json", tmp_path / "no" / "such" / "dir.json")
    assert res.exit_code == 1
    assert "does not exist" in res.stderr
