"""Every module of the project imports on its own, as the first project import.

A user's script or notebook may start with any module (``from instrument.platforms
import write_limesurvey_export``); an import cycle between packages then fails only in
a fresh interpreter, never in the test session where other modules were imported first.
Each module is imported here after the project's modules are removed from
``sys.modules`` (third-party packages stay loaded, so this is quick).
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("instrument", "analysis")

SCRIPT = r"""
import importlib, pkgutil, sys, traceback
packages = {packages!r}
names = []
for pkg in packages:
    mod = importlib.import_module(pkg)
    names.append(pkg)
    names += [m.name for m in pkgutil.walk_packages(mod.__path__, pkg + ".")]
failed = []
for name in names:
    for loaded in [m for m in sys.modules if m.split(".")[0] in packages]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except Exception as exc:  # report every failing module, not only the first
        failed.append(f"{{name}}: {{type(exc).__name__}}: {{exc}}")
print(len(names))
print("\n".join(failed))
sys.exit(1 if failed else 0)
"""


def test_every_module_imports_first_in_a_fresh_interpreter():
    # A subprocess, so that this test's own imports cannot hide a cycle.
    proc = subprocess.run([sys.executable, "-c", SCRIPT.format(packages=PACKAGES)], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    lines = proc.stdout.splitlines()
    assert proc.returncode == 0, "modules that fail as the first import:\n" + proc.stdout + proc.stderr
    assert int(lines[0]) > 50  # the walk found the project's modules, not an empty list
