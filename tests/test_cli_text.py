"""What the command line says around the numbers: --version, help placeholders, messages in English grammar."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from analysis import analyse_drivers
from analysis.common.versions import package_version
from cli_results import failed, ok
from instrument import read_responses

EXAMPLE = Path(__file__).parents[1] / "data" / "example" / "responses.csv"
COMMANDS = ["info", "simulate", "export", "codebook", "check", "validate", "analyse", "report"]


def test_version(run_cli, inst):
    out = ok(run_cli("--version"))
    assert out.startswith(f"drivers {package_version()} (service-drivers); questionnaire {inst.definition.id} "
                          f"{inst.content_version} (format {inst.format_version})")


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_has_no_type_placeholders_for_flags_or_braces_for_arguments(run_cli, command):
    out = ok(run_cli(*([command] if command else []), "--help"))
    assert "<bool>" not in out and not re.search(r"\{[a-z_]+\}", out), out
    assert "--help" in out
    if command in ("check", "validate", "analyse", "report"):
        assert re.search(rf"Usage: .*drivers {command} \[OPTIONS\] FILE\b", out), out


def test_report_help_offers_the_analysis_options(run_cli):
    out = ok(run_cli("report", "--help"))
    for flag in ("--outcome", "--importance", "--crosshair"):
        assert flag in out


@pytest.fixture(scope="module")
def example(inst):
    data, _ = read_responses(EXAMPLE, inst)
    return data


def test_not_asked_names_the_drivers_by_their_labels(example, inst):
    # the note is about respondents left out: each organisation on its own data (with partial
    # pooling every respondent is used and there is nothing to explain)
    both = analyse_drivers(example, inst, by="organisation", bootstrap=20, seed=1, sem=False, pooling="none")
    note = both.warnings[both.warnings.kind == "not_asked"].message.iloc[0]
    assert "only because Phone menu and Wait time are not asked in their channel; analyse without those drivers" \
        in note
    one = analyse_drivers(example, inst, by="organisation", bootstrap=20, seed=1, sem=False, pooling="none",
                          drivers=[d for d in inst.driver_keys if d != "menu"])
    note = one.warnings[one.warnings.kind == "not_asked"].message.iloc[0]
    assert "only because Wait time is not asked in their channel; analyse without that driver" in note
