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


def test_respondents_not_asked_a_driver_are_used_without_a_note(example, inst):
    # issue 12: not-applicable is not missing; without pooling too, a respondent of a channel
    # where wait time (and the menu) are not asked is used for the drivers asked, so no note
    # explains them away
    one = analyse_drivers(example, inst, by="organisation", bootstrap=20, seed=1, sem=False, pooling="none",
                          drivers=[d for d in inst.driver_keys if d != "menu"])
    assert "not_asked" not in set(one.warnings.kind) and not one.excluded.code.eq("not_asked").any()
    assert one.pooling.phone_only == ("wait_time",)
    g = one.groups.set_index("group")
    wait = one.importance[one.importance.driver == "wait_time"].set_index("group")
    assert (wait.n_driver == g.n_complete).all() and (g.n_complete < g.n_used).all()
    assert "every one of them" in str(one.summary())
