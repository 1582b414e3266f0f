"""Shared fixtures: the shipped instrument and an in-process runner for the CLI."""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass

# rich reads the terminal width once, when a Console is made: fix it before any CLI
# module is imported so that messages are not wrapped differently per test worker.
os.environ["COLUMNS"] = "200"

import pytest

from instrument import load_instrument

# Session fixtures of the report tests (the example study analysed once, a small study).
pytest_plugins = ("report_fixtures", "dashboard_fixtures")


@pytest.fixture(scope="session")
def inst():
    return load_instrument()


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture
def run_cli(capsys, monkeypatch):
    """Run ``drivers ARGS...`` in-process, through the real entry point (error handling included)."""
    from analysis.cli import main

    def run(*args: str) -> CliResult:
        monkeypatch.setattr(sys, "argv", ["drivers", *map(str, args)])
        code = 0
        try:
            main()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        out = capsys.readouterr()
        return CliResult(code, out.out, out.err)

    return run
