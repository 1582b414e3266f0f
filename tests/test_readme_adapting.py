"""The README's 'Adapting the questionnaire' commands work as written (issue 18)."""
from __future__ import annotations

import re
import shlex
from pathlib import Path

from cli_results import ok

ROOT = Path(__file__).parents[1]


def _commands() -> list[list[str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Adapting the questionnaire", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    return [shlex.split(line) for line in block.splitlines() if line.strip()]


def test_readme_adapting_commands_run(run_cli, tmp_path, monkeypatch):
    commands = _commands()
    assert [c[1] for c in commands] == ["info", "export", "simulate", "validate", "analyse"]
    monkeypatch.chdir(tmp_path)                       # outputs land in a scratch folder
    for command in commands:
        assert command[0] == "drivers"
        args = [str(ROOT / a) if a.startswith("tests/") else a for a in command[1:]]
        out = ok(run_cli(*args))
        if command[1] == "info":
            assert "Empathie" in out and "emp5" in out and "Telefonmenü" not in out
    assert (tmp_path / "adapted.lss").stat().st_size > 0 and (tmp_path / "pilot.csv").exists()
