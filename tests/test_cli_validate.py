"""`drivers validate` through the real entry point."""
import json
from pathlib import Path

EXAMPLE = Path(__file__).parents[1] / "data" / "example" / "responses.sav"


def test_validate_example_prints_tables_and_writes_json(run_cli, tmp_path, monkeypatch):
    """At 80 columns (a pipe, a file, `make demo`) every table is whole: no cell cut to 'con…'."""
    from analysis.cli.app import console

    monkeypatch.setattr(console, "width", 80)
    out = tmp_path / "val.json"
    res = run_cli("validate", EXAMPLE, "--by", "organisation", "--json", out)
    assert res.exit_code == 0, res.stderr
    for heading in ("CFA fit", "Reliability", "HTMT", "Standardized loadings", "Measurement invariance",
                    "Fornell-Larcker", "Missing answers"):
        assert heading in res.stdout
    doc = json.loads(out.read_text())
    assert set(doc["groups"]) == {"all", "Energie", "Telecom", "Verzekeraar", "Webwinkel"}
    assert "…" not in res.stdout and max(len(line) for line in res.stdout.splitlines()) <= 80
    models = res.stdout.split("the models")[1].splitlines()
    for step in doc["invariance"]:
        line = next(x for x in models if x.split()[:1] == [step["level"]])
        assert line.split() == [step["level"], f"{step['chi2']:.1f}", str(step["df"]),
                                *(f"{step[k]:.3f}".removeprefix("0") for k in ("cfi", "rmsea", "srmr"))]
    steps = res.stdout.split("Each level against the one before")[1].splitlines()
    for step in doc["invariance"][1:]:
        line = next(x for x in steps if x.split()[:1] == [step["level"]])
        assert line.split()[1:3] == [f"{step['delta_chi2']:.1f}", f"{step['delta_df']:.0f}"]
        assert line.split()[-1] == ("yes" if step["holds"] else "no")
    for group in doc["groups"]:                    # group names whole in the fit table
        assert any(line.split()[:1] == [group] for line in res.stdout.splitlines())
    # the exclusions: one count per reason
    excluded = res.stdout.split("Excluded: ")[1].splitlines()
    assert excluded[0].startswith(f"{len(doc['meta']['excluded'])} respondents, by reason")
    reasons = [r for e in doc["meta"]["excluded"] for r in e["reason"].split("; ")]
    for reason in set(reasons):
        assert f"{reasons.count(reason)}  {reason}" in res.stdout


def test_unknown_group_column_is_a_usage_error(run_cli):
    res = run_cli("validate", EXAMPLE, "--by", "region", "--no-invariance")
    assert res.exit_code == 2
    assert "must be a column of the data" in res.stderr and "got 'region'" in res.stderr


def test_bad_missing_option(run_cli):
    res = run_cli("validate", EXAMPLE, "--missing", "pairwise")
    assert res.exit_code == 2
    assert "missing must be one of ml, listwise, got 'pairwise'" in res.stderr


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


def test_group_names_and_notes_are_printed_as_text_not_markup(capsys):
    """Group names come from the file: '[/]' must not break printing, 'all' in brackets must not vanish."""
    import pandas as pd
    from types import SimpleNamespace

    from analysis.cli.validate import _print_invariance, _print_problems_and_exclusions

    result = SimpleNamespace(
        problems=pd.DataFrame({"severity": ["warning", "error"], "group": ["all", "Acme [/]"],
                               "message": ["few respondents", "[bold]not[/bold] estimated"]}),
        excluded=pd.DataFrame({"reason": ["no group [/]"]}),
        invariance=None, invariance_note="measurement invariance needs two or more groups; '[/x]' has 1",
    )
    _print_problems_and_exclusions(result)
    _print_invariance(result)
    out = capsys.readouterr().out
    assert "warning [all] few respondents" in out
    assert "error [Acme [/]] [bold]not[/bold] estimated" in out
    assert "Excluded: 1 respondent, by reason" in out and "  1  no group [/]" in out and "'[/x]' has 1" in out


def test_validate_with_robust_ml_names_the_estimator_and_shows_the_scaled_fit(run_cli, tmp_path, monkeypatch):
    from analysis.cli.app import console

    monkeypatch.setattr(console, "width", 80)
    out = tmp_path / "val.json"
    res = run_cli("validate", EXAMPLE, "--estimator", "mlr", "--no-invariance", "--json", out)
    assert res.exit_code == 0, res.stderr
    assert "estimator: robust ML (MLR)" in res.stdout and "Yuan-Bentler scaled" in res.stdout
    doc = json.loads(out.read_text())
    fit = doc["groups"]["all"]["fit"]
    assert doc["meta"]["estimator"] == fit["estimator"] == "mlr"
    line = next(x for x in res.stdout.splitlines() if x.split()[:1] == ["all"])
    assert line.split()[2:4] == [f"{fit['chi2_scaled']:.1f}", f"{fit['scaling_factor']:.3f}"]
    # the interval of the RMSEA judged (rmsea_ci_robust), as in the JSON and the HTML report
    low, high = (f"{x:.3f}".lstrip("0") for x in fit["rmsea_ci_robust"])
    assert "90% CI" in res.stdout and f"{low}-{high}" in line
    assert max(len(x) for x in res.stdout.splitlines()) <= 80
