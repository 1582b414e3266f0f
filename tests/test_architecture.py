"""The layout ARCHITECTURE.md describes: packages by topic, imports one way, small modules.

These are checks of the source tree (read with ``ast``), not of behaviour: they fail when
a change puts code in the wrong room.
"""
from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
SOURCES = sorted(p for package in ("analysis", "instrument") for p in (ROOT / package).rglob("*.py"))
MAX_LINES = 500
# The statistics: none of them may import the report, the command line or (for the
# engine and the shared pieces) the questionnaire package.
STATISTICS = ("common", "scoring", "importance", "bootstrap", "pooling", "validation", "drivers", "sem", "simulation",
              "themes", "agents", "trends", "dissatisfiers")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def _relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@pytest.mark.parametrize("path", SOURCES, ids=_relative)
def test_no_module_over_500_lines(path):
    n = len(path.read_text(encoding="utf-8").splitlines())
    assert n <= MAX_LINES, f"{_relative(path)} has {n} lines; split it by topic"


def test_analysis_has_no_flat_topic_modules():
    flat = sorted(p.name for p in (ROOT / "analysis").glob("*.py") if p.name != "__init__.py")
    assert flat == [], f"modules that belong in a topic package: {flat}"


@pytest.mark.parametrize("package", STATISTICS)
def test_statistics_never_import_the_report_or_the_cli(package):
    for path in (ROOT / "analysis" / package).rglob("*.py"):
        bad = {m for m in _imports(path) if m.startswith(("analysis.report", "analysis.cli"))}
        assert not bad, f"{_relative(path)} imports {sorted(bad)}"


@pytest.mark.parametrize("package", ["sem", "common"])
def test_engine_and_shared_pieces_need_nothing_from_the_questionnaire(package):
    for path in (ROOT / "analysis" / package).rglob("*.py"):
        bad = {m for m in _imports(path) if m.split(".")[0] == "instrument"}
        assert not bad, f"{_relative(path)} imports {sorted(bad)}"
    # and at run time: importing them loads no module of the instrument package
    code = (f"import sys, analysis.{package}, pkgutil, importlib\n"
            f"for m in pkgutil.walk_packages(analysis.{package}.__path__, 'analysis.{package}.'):\n"
            "    importlib.import_module(m.name)\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'instrument'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("folder", ["instrument/reader", "instrument/platforms"])
def test_readers_import_plainly(folder):
    """No importlib in the readers: every import is visible in the import graph."""
    for path in (ROOT / folder).rglob("*.py"):
        assert not {m for m in _imports(path) if m.split(".")[0] == "importlib"}, _relative(path)


def test_platform_readers_take_names_from_the_neutral_naming_module():
    imports = _imports(ROOT / "instrument" / "platforms" / "reading.py")
    assert "instrument.naming" in imports and not any(m.startswith("instrument.export") for m in imports)


def test_library_messages_name_no_cli_flag():
    """Error messages of the statistics (analysis/ outside cli/) never name a flag (the CLI adds it).

    The reader's messages (instrument/reader) still suggest flags beside the Python
    arguments, e.g. "pass invalid='missing' (drivers check --invalid missing)".
    """
    flag = re.compile(r"--[a-z][a-z-]+")
    for path in SOURCES:
        parts = path.relative_to(ROOT).parts
        if parts[0] != "analysis" or "cli" in parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Raise) and node.exc is not None:
                text = " ".join(c.value for c in ast.walk(node.exc)
                                if isinstance(c, ast.Constant) and isinstance(c.value, str))
                assert not flag.search(text), f"{_relative(path)}:{node.lineno}: {text[:120]}"
