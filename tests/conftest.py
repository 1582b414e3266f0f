"""Shared fixtures: the shipped instrument and an in-process runner for the CLI."""
from __future__ import annotations

import sys
from dataclasses import dataclass

import pytest

from instrument import load_instrument


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
        monkeypatch.setenv("COLUMNS", "200")
        code = 0
        try:
            main()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        out = capsys.readouterr()
        return CliResult(code, out.out, out.err)

    return run
