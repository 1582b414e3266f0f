"""A fast command line: ``drivers --help``, ``drivers COMMAND --help`` and ``drivers info`` import no statistics.

The heavy packages (pandas, scipy, statsmodels, matplotlib, the report renderers) are
imported where they are used, not when the command line starts; help then takes a
fraction of a second instead of about two (figures in ``benchmarks/RESULTS.md``). Each
run is a fresh interpreter, since the test process has imported everything long
before; the test asserts the imports, not the time, which depends on the machine's load.
"""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from analysis.cli import app

HEAVY = ("pandas", "scipy", "statsmodels", "matplotlib", "seaborn", "numpy", "pyarrow", "pyreadstat", "openpyxl",
         "weasyprint", "jinja2", "dask", "distributed")
# `drivers info` reads and validates the questionnaire (YAML, pydantic), nothing more.
INFO_HEAVY = ("pandas", "scipy", "statsmodels", "matplotlib", "numpy", "weasyprint", "jinja2")

# Runs the console script's entry point with the given arguments in this interpreter and
# prints which of the packages asked about it has imported.
PROBE = """
import contextlib, io, json, sys
args, asked = json.loads(sys.argv[1]), json.loads(sys.argv[2])
sys.argv = ["drivers", *args]
from analysis.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    try:
        main()
    except SystemExit as exc:
        code = exc.code
    else:
        code = 0
print(json.dumps({"code": code, "imported": [m for m in asked if m in sys.modules]}))
"""


def _imports(args: list[str], asked: tuple[str, ...]) -> dict:
    done = subprocess.run([sys.executable, "-c", PROBE, json.dumps(args), json.dumps(list(asked))],
                          capture_output=True, text=True, timeout=120, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _commands() -> list[list[str]]:
    import typer.main

    group = typer.main.get_command(app)
    found = []
    for name, cmd in group.commands.items():
        found.append([name])
        found += [[name, sub] for sub in getattr(cmd, "commands", {})]
    return found


def test_every_command_is_probed():
    names = {c[0] for c in _commands()}
    assert {"info", "simulate", "export", "codebook", "check", "validate", "analyse", "report"} <= names


@pytest.mark.parametrize("command", [[]] + _commands(), ids=lambda c: " ".join(c) or "drivers")
def test_help_imports_no_heavy_package(command):
    seen = _imports([*command, "--help"], HEAVY)
    assert seen["code"] == 0
    assert seen["imported"] == [], f"drivers {' '.join(command)} --help imports {seen['imported']}"


def test_info_imports_no_statistics():
    seen = _imports(["info"], INFO_HEAVY)
    assert seen["code"] == 0
    assert seen["imported"] == [], f"drivers info imports {seen['imported']}"


def test_probe_sees_an_import():
    # the probe itself must be able to fail: `drivers simulate` does import numpy and pandas
    seen = _imports(["simulate", "-o", "/nonexistent-folder/x.csv", "--orgs", "1", "--n-per-org", "10",
                     "--truth-draws", "0"], ("numpy", "pandas"))
    assert seen["imported"] == ["numpy", "pandas"]
